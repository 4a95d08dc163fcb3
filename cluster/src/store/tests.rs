use super::*;
use serde_json::json;

fn secrets() -> GroupResource {
    GroupResource::new("", "secrets")
}

fn obj(ns: &str, name: &str, uid: &str) -> Value {
    json!({"metadata": {"namespace": ns, "name": name, "uid": uid}})
}

#[test]
fn resource_versions_are_global_and_monotonic() {
    let store = Store::new(StoreLimits::default());
    let a = store
        .create(&secrets(), ObjectKey::new("d", "a"), obj("d", "a", "1"))
        .unwrap();
    let b = store
        .create(
            &GroupResource::new("", "configmaps"),
            ObjectKey::new("d", "b"),
            obj("d", "b", "2"),
        )
        .unwrap();
    assert_eq!(a.resource_version(), Some("1"));
    assert_eq!(b.resource_version(), Some("2"));
    assert_eq!(
        store.create(&secrets(), ObjectKey::new("d", "a"), obj("d", "a", "3")),
        Err(StoreError::AlreadyExists)
    );
    assert_eq!(store.current_rv(), 2);
    let a2 = store
        .update(
            &secrets(),
            &ObjectKey::new("d", "a"),
            obj("d", "a", "1"),
            Some(1),
        )
        .unwrap();
    assert_eq!(a2.resource_version(), Some("3"));
    assert_eq!(
        store.update(
            &secrets(),
            &ObjectKey::new("d", "a"),
            obj("d", "a", "1"),
            Some(1)
        ),
        Err(StoreError::Conflict)
    );
    let gone = store
        .delete(&secrets(), &ObjectKey::new("d", "a"), None)
        .unwrap();
    assert_eq!(gone.resource_version(), Some("4"));
    assert!(store.get(&secrets(), &ObjectKey::new("d", "a")).is_none());
}

#[test]
fn lists_are_ordered_and_paged_by_key() {
    let store = Store::new(StoreLimits::default());
    for (ns, name) in [("b", "x"), ("a", "z"), ("a", "y"), ("c", "w")] {
        store
            .create(&secrets(), ObjectKey::new(ns, name), obj(ns, name, name))
            .unwrap();
    }
    let names = |items: Vec<Arc<Value>>| {
        items
            .iter()
            .map(|o| o.name().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(store.list(&secrets(), None, None).0),
        ["y", "z", "x", "w"]
    );
    assert_eq!(names(store.list(&secrets(), Some("a"), None).0), ["y", "z"]);
    assert_eq!(
        names(
            store
                .list(&secrets(), Some("a"), Some(&ObjectKey::new("a", "y")))
                .0
        ),
        ["z"]
    );
    assert_eq!(
        names(
            store
                .list(&secrets(), None, Some(&ObjectKey::new("a", "z")))
                .0
        ),
        ["x", "w"]
    );
    assert_eq!(store.count(&secrets(), Some("a")), 2);
    assert_eq!(store.namespace_contents("b").len(), 1);
}

#[tokio::test]
async fn watch_replays_then_streams() {
    let store = Store::new(StoreLimits::default());
    store
        .create(&secrets(), ObjectKey::new("d", "a"), obj("d", "a", "1"))
        .unwrap();
    store
        .create(&secrets(), ObjectKey::new("d", "b"), obj("d", "b", "2"))
        .unwrap();
    let interest = Interest::Resource {
        resource: secrets(),
        namespace: Some("d".into()),
    };
    let mut sub = store.subscribe(interest, Some(1)).unwrap();
    assert_eq!(sub.backlog.len(), 1);
    assert_eq!(sub.backlog[0].rv, 2);
    store
        .create(
            &secrets(),
            ObjectKey::new("other", "c"),
            obj("other", "c", "3"),
        )
        .unwrap();
    store
        .delete(&secrets(), &ObjectKey::new("d", "a"), None)
        .unwrap();
    let next = sub.live.recv().await.unwrap();
    assert_eq!(next.kind, EventType::Deleted);
    assert_eq!(next.rv, 4);
    assert_eq!(next.old.as_ref().unwrap().resource_version(), Some("1"));
}

#[test]
fn old_resource_versions_expire() {
    let store = Store::new(StoreLimits {
        history: 2,
        subscriber_buffer: 10,
    });
    for i in 0..5 {
        let name = format!("s{i}");
        store
            .create(
                &secrets(),
                ObjectKey::new("d", &name),
                obj("d", &name, &name),
            )
            .unwrap();
    }
    let interest = Interest::Resource {
        resource: secrets(),
        namespace: None,
    };
    assert!(matches!(
        store.subscribe(interest.clone(), Some(1)),
        Err(StoreError::Expired {
            requested: 1,
            oldest: 4
        })
    ));
    assert_eq!(
        store
            .subscribe(interest.clone(), Some(3))
            .unwrap()
            .backlog
            .len(),
        2
    );
    store.compact();
    assert!(store.subscribe(interest.clone(), Some(3)).is_err());
    assert_eq!(store.subscribe(interest, Some(5)).unwrap().backlog.len(), 0);
}

#[test]
fn slow_subscribers_are_cut_off() {
    let store = Store::new(StoreLimits {
        history: 100,
        subscriber_buffer: 2,
    });
    let mut sub = store.subscribe(Interest::All, None).unwrap();
    for i in 0..4 {
        let name = format!("s{i}");
        store
            .create(
                &secrets(),
                ObjectKey::new("d", &name),
                obj("d", &name, &name),
            )
            .unwrap();
    }
    assert_eq!(store.subscriber_count(), 0);
    assert!(sub.live.try_recv().is_ok());
    assert!(sub.live.try_recv().is_ok());
    assert!(sub.live.try_recv().is_err());
}

#[test]
fn owner_index_follows_writes() {
    let store = Store::new(StoreLimits::default());
    let mut child = obj("d", "child", "c1");
    child["metadata"]["ownerReferences"] =
        json!([{"apiVersion": "v1", "kind": "ConfigMap", "name": "p", "uid": "p1"}]);
    store
        .create(&secrets(), ObjectKey::new("d", "child"), child)
        .unwrap();
    assert_eq!(store.dependents_of("p1").len(), 1);
    assert_eq!(store.by_uid("c1").unwrap().0, secrets());
    store
        .update(
            &secrets(),
            &ObjectKey::new("d", "child"),
            obj("d", "child", "c1"),
            None,
        )
        .unwrap();
    assert!(store.dependents_of("p1").is_empty());
    store
        .delete(&secrets(), &ObjectKey::new("d", "child"), None)
        .unwrap();
    assert!(store.by_uid("c1").is_none());
}
