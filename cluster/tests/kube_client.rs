//! kube-rs against the embedded cluster: typed and dynamic APIs, watchers, reflectors,
//! controllers, finalizers, entries, status, conditions and server-side apply.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event as FinalizerEvent, finalizer};
use kube::runtime::wait::await_condition;
use kube::runtime::{Controller, WatchStreamExt, reflector, watcher};
use kube::{Client, Discovery, ResourceExt};
use serde_json::json;

fn cm(name: &str, data: &[(&str, &str)]) -> ConfigMap {
    ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        ..Default::default()
    }
}

#[tokio::test]
async fn builtin_crud_in_process() {
    let cluster = cluster().await;
    let api: Api<ConfigMap> = Api::default_namespaced(cluster.client());
    let created = api
        .create(&PostParams::default(), &cm("settings", &[("a", "1")]))
        .await
        .unwrap();
    assert!(created.metadata.resource_version.is_some());
    assert!(created.metadata.uid.is_some());
    assert!(created.metadata.creation_timestamp.is_some());

    let got = api.get("settings").await.unwrap();
    assert_eq!(got.data.as_ref().unwrap()["a"], "1");

    let mut changed = got.clone();
    changed
        .data
        .as_mut()
        .unwrap()
        .insert("b".into(), "2".into());
    let replaced = api
        .replace("settings", &PostParams::default(), &changed)
        .await
        .unwrap();
    assert_ne!(
        replaced.metadata.resource_version,
        got.metadata.resource_version
    );

    // A stale resourceVersion is a 409.
    let stale = api
        .replace("settings", &PostParams::default(), &changed)
        .await
        .unwrap_err();
    assert!(
        matches!(stale, kube::Error::Api(ref s) if s.code == 409 && s.reason == "Conflict"),
        "{stale:?}"
    );

    let patched = api
        .patch(
            "settings",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"a": null, "c": "3"}})),
        )
        .await
        .unwrap();
    let keys: Vec<&String> = patched.data.as_ref().unwrap().keys().collect();
    assert_eq!(keys, ["b", "c"]);

    let listed = api.list(&ListParams::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert!(listed.metadata.resource_version.is_some());

    let deleted = api
        .delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    assert!(deleted.is_right(), "deleted at once: a Status");
    let missing = api.get("settings").await.unwrap_err();
    assert!(matches!(missing, kube::Error::Api(ref s) if s.code == 404 && s.reason == "NotFound"));
}

#[tokio::test]
async fn secrets_merge_string_data_and_validate_tls_keys() {
    let cluster = cluster().await;
    let api: Api<Secret> = Api::default_namespaced(cluster.client());
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": "creds"},
        "stringData": {"password": "hunter2"}
    }))
    .unwrap();
    let created = api.create(&PostParams::default(), &secret).await.unwrap();
    assert_eq!(created.type_.as_deref(), Some("Opaque"));
    assert_eq!(created.data.unwrap()["password"].0, b"hunter2");
    assert!(created.string_data.is_none());

    let tls: Secret = serde_json::from_value(
        json!({"metadata": {"name": "tls"}, "type": "kubernetes.io/tls", "data": {"tls.crt": ""}}),
    )
    .unwrap();
    let err = api.create(&PostParams::default(), &tls).await.unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 422);
            assert_eq!(
                s.message,
                "Secret \"tls\" is invalid: data[tls.key]: Required value"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn crd_instances_over_https() {
    let (_cluster, _dir, kubeconfig) = served_cluster().await;
    let client = client_from_kubeconfig(&kubeconfig).await;
    install_gadgets(&client).await;
    let api: Api<Gadget> = Api::default_namespaced(client.clone());
    let g = api
        .create(&PostParams::default(), &gadget("g1", 3))
        .await
        .unwrap();
    assert_eq!(g.metadata.generation, Some(1));
    assert_eq!(g.spec.size, 3);

    let g = api
        .patch(
            "g1",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"size": 4}})),
        )
        .await
        .unwrap();
    assert_eq!(
        g.metadata.generation,
        Some(2),
        "spec changes bump generation"
    );

    let g = api
        .patch_status(
            "g1",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"ready": true}})),
        )
        .await
        .unwrap();
    assert_eq!(g.metadata.generation, Some(2), "status changes don't");
    assert!(g.status.unwrap().ready);

    // Writes to the main resource ignore status; writes to /status ignore the rest.
    let g = api
        .patch(
            "g1",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"ready": false}})),
        )
        .await
        .unwrap();
    assert!(g.status.as_ref().unwrap().ready);
    let mut replacement = g.clone();
    replacement.spec.size = 99;
    replacement.status = Some(GadgetStatus {
        ready: false,
        ..Default::default()
    });
    let g = api
        .replace_status("g1", &PostParams::default(), &replacement)
        .await
        .unwrap();
    assert_eq!(g.spec.size, 4);
    assert!(!g.status.unwrap().ready);

    // Dynamic API with discovery.
    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    let (ar, caps) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("lab.certlab.dev", "v1", "Gadget"))
        .expect("discovered");
    assert!(caps.supports_operation(kube::discovery::verbs::WATCH));
    let dynamic: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ar);
    let obj = dynamic.get("g1").await.unwrap();
    assert_eq!(obj.data["spec"]["size"], 4);
    let all = Api::<DynamicObject>::all_with(client, &ApiResource::erase::<Gadget>(&()));
    assert_eq!(
        all.list(&ListParams::default()).await.unwrap().items.len(),
        1
    );
}

#[tokio::test]
async fn schema_and_cel_rules_are_enforced() {
    let cluster = cluster().await;
    let client = cluster.client();
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> =
        Api::all(client.clone());
    let crd = serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "rules.lab.certlab.dev"},
        "spec": {"group": "lab.certlab.dev", "scope": "Namespaced",
            "names": {"plural": "rules", "singular": "rule", "kind": "Rule"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {"spec": {"type": "object",
                    "x-kubernetes-validations": [{"rule": "!(has(self.renewBefore) && has(self.renewBeforePercentage))",
                        "message": "renewBefore and renewBeforePercentage are mutually exclusive"}],
                    "properties": {"renewBefore": {"type": "string"}, "renewBeforePercentage": {"type": "integer"},
                        "mode": {"type": "string", "enum": ["A", "B"], "default": "A"}}}}}}}]}
    }))
    .unwrap();
    crds.create(&PostParams::default(), &crd).await.unwrap();
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("lab.certlab.dev", "v1", "Rule"),
        "rules",
    );
    let api: Api<DynamicObject> = Api::namespaced_with(client, "default", &ar);
    let mut bad = DynamicObject::new("r1", &ar);
    bad.data = json!({"spec": {"renewBefore": "1h", "renewBeforePercentage": 10}});
    let err = api.create(&PostParams::default(), &bad).await.unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 422);
            assert_eq!(s.reason, "Invalid");
            assert!(
                s.message
                    .contains("renewBefore and renewBeforePercentage are mutually exclusive"),
                "{}",
                s.message
            );
        }
        other => panic!("{other:?}"),
    }
    let mut good = DynamicObject::new("r2", &ar);
    good.data = json!({"spec": {"renewBefore": "1h", "unknown": true}});
    let created = api.create(&PostParams::default(), &good).await.unwrap();
    assert_eq!(created.data["spec"]["mode"], "A", "defaulted");
    assert!(created.data["spec"].get("unknown").is_none(), "pruned");
}

#[tokio::test]
async fn reflector_sees_changes_and_recovers_from_410() {
    let cluster = cluster().await;
    let client = cluster.client();
    install_gadgets(&client).await;
    let api: Api<Gadget> = Api::default_namespaced(client.clone());
    for (config, label) in [
        (watcher::Config::default(), "list-watch"),
        (watcher::Config::default().streaming_lists(), "streaming"),
    ] {
        let (reader, writer) = reflector::store::<Gadget>();
        let stream = reflector(writer, watcher(api.clone(), config))
            .default_backoff()
            .applied_objects();
        let handle = tokio::spawn(async move {
            futures::pin_mut!(stream);
            while stream.try_next().await.is_ok() {}
        });
        let name = format!("r-{label}");
        api.create(&PostParams::default(), &gadget(&name, 1))
            .await
            .unwrap();
        let r = reader.clone();
        let n = name.clone();
        eventually(Duration::from_secs(5), "create seen", || {
            let r = r.clone();
            let n = n.clone();
            async move { r.state().iter().any(|g| g.name_any() == n) }
        })
        .await;
        api.patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"size": 7}})),
        )
        .await
        .unwrap();
        let r = reader.clone();
        let n = name.clone();
        eventually(Duration::from_secs(5), "update seen", || {
            let r = r.clone();
            let n = n.clone();
            async move {
                r.state()
                    .iter()
                    .any(|g| g.name_any() == n && g.spec.size == 7)
            }
        })
        .await;

        // Force a 410: forget history, cut every watch, then change something.
        cluster.objects().store().compact();
        cluster.objects().store().disconnect_watchers();
        api.patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"size": 8}})),
        )
        .await
        .unwrap();
        let r = reader.clone();
        let n = name.clone();
        eventually(Duration::from_secs(10), "relisted after 410", || {
            let r = r.clone();
            let n = n.clone();
            async move {
                r.state()
                    .iter()
                    .any(|g| g.name_any() == n && g.spec.size == 8)
            }
        })
        .await;

        api.delete(&name, &DeleteParams::default()).await.unwrap();
        let r = reader.clone();
        let n = name.clone();
        eventually(Duration::from_secs(5), "delete seen", || {
            let r = r.clone();
            let n = n.clone();
            async move { !r.state().iter().any(|g| g.name_any() == n) }
        })
        .await;
        handle.abort();
    }
}

#[tokio::test]
async fn controller_reconciles_and_finalizer_cleans_up() {
    let cluster = cluster().await;
    let client = cluster.client();
    install_gadgets(&client).await;
    let api: Api<Gadget> = Api::default_namespaced(client.clone());
    for i in 0..5 {
        api.create(&PostParams::default(), &gadget(&format!("c{i}"), i))
            .await
            .unwrap();
    }
    const FINALIZER: &str = "lab.certlab.dev/cleanup";
    struct Ctx {
        client: Client,
        cleaned: std::sync::Mutex<Vec<String>>,
    }
    let ctx = Arc::new(Ctx {
        client: client.clone(),
        cleaned: std::sync::Mutex::new(Vec::new()),
    });
    async fn reconcile(
        g: Arc<Gadget>,
        ctx: Arc<Ctx>,
    ) -> Result<Action, kube::runtime::finalizer::Error<kube::Error>> {
        let api: Api<Gadget> = Api::namespaced(ctx.client.clone(), &g.namespace().unwrap());
        finalizer(&api, FINALIZER, g, |event| async {
            match event {
                FinalizerEvent::Apply(g) => {
                    let status = json!({"status": {"ready": true, "conditions": [{"type": "Ready", "status": "True"}]}});
                    api.patch_status(&g.name_any(), &PatchParams::default(), &Patch::Merge(status)).await?;
                    Ok(Action::await_change())
                }
                FinalizerEvent::Cleanup(g) => {
                    ctx.cleaned.lock().unwrap().push(g.name_any());
                    Ok(Action::await_change())
                }
            }
        })
        .await
    }
    fn error_policy(
        _: Arc<Gadget>,
        _: &kube::runtime::finalizer::Error<kube::Error>,
        _: Arc<Ctx>,
    ) -> Action {
        Action::requeue(Duration::from_millis(100))
    }
    let controller = tokio::spawn(
        Controller::new(api.clone(), watcher::Config::default())
            .run(reconcile, error_policy, ctx.clone())
            .for_each(|_| async {}),
    );
    // await_condition sees the status patched by the controller.
    let ready = await_condition(api.clone(), "c3", |g: Option<&Gadget>| {
        g.and_then(|g| g.status.as_ref()).is_some_and(|s| s.ready)
    });
    tokio::time::timeout(Duration::from_secs(10), ready)
        .await
        .unwrap()
        .unwrap();
    let a = api.clone();
    eventually(
        Duration::from_secs(10),
        "all reconciled with a finalizer",
        || {
            let a = a.clone();
            async move {
                let list = a.list(&ListParams::default()).await.unwrap();
                list.items.len() == 5
                    && list.items.iter().all(|g| {
                        g.status.as_ref().is_some_and(|s| s.ready)
                            && g.finalizers().contains(&FINALIZER.to_string())
                    })
            }
        },
    )
    .await;
    // Deleting runs the cleanup, removes the finalizer, and the object goes.
    api.delete("c2", &DeleteParams::default()).await.unwrap();
    let a = api.clone();
    eventually(Duration::from_secs(10), "finalized and gone", || {
        let a = a.clone();
        async move { a.get_opt("c2").await.unwrap().is_none() }
    })
    .await;
    assert_eq!(*ctx.cleaned.lock().unwrap(), vec!["c2".to_string()]);
    // The finalizer can be added again to a recreated object (the emptied list is gone).
    api.create(&PostParams::default(), &gadget("c2", 2))
        .await
        .unwrap();
    let a = api.clone();
    eventually(Duration::from_secs(10), "re-finalized", || {
        let a = a.clone();
        async move {
            a.get("c2")
                .await
                .unwrap()
                .finalizers()
                .contains(&FINALIZER.to_string())
        }
    })
    .await;
    controller.abort();
}

#[tokio::test]
async fn entry_api_inserts_and_modifies() {
    let cluster = cluster().await;
    let api: Api<ConfigMap> = Api::default_namespaced(cluster.client());
    api.entry("entry")
        .await
        .unwrap()
        .or_insert(|| cm("entry", &[("first", "1")]))
        .commit(&PostParams::default())
        .await
        .unwrap();
    api.entry("entry")
        .await
        .unwrap()
        .or_insert(|| cm("entry", &[]))
        .and_modify(|c| {
            c.data
                .get_or_insert_with(BTreeMap::new)
                .insert("second".into(), "2".into());
        })
        .commit(&PostParams::default())
        .await
        .unwrap();
    let got = api.get("entry").await.unwrap();
    assert_eq!(got.data.unwrap().len(), 2);
}

#[tokio::test]
async fn server_side_apply_conflicts_until_forced() {
    let cluster = cluster().await;
    let client = cluster.client();
    install_gadgets(&client).await;
    let api: Api<Gadget> = Api::default_namespaced(client);
    let apply = |size: i64| json!({"apiVersion": "lab.certlab.dev/v1", "kind": "Gadget", "metadata": {"name": "ssa"}, "spec": {"size": size}});
    api.patch(
        "ssa",
        &PatchParams::apply("manager-a"),
        &Patch::Apply(apply(1)),
    )
    .await
    .unwrap();
    let err = api
        .patch(
            "ssa",
            &PatchParams::apply("manager-b"),
            &Patch::Apply(apply(2)),
        )
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 409);
            assert_eq!(
                s.message,
                "Apply failed with 1 conflict: conflict with \"manager-a\": .spec.size"
            );
        }
        other => panic!("{other:?}"),
    }
    let g = api
        .patch(
            "ssa",
            &PatchParams::apply("manager-b").force(),
            &Patch::Apply(apply(2)),
        )
        .await
        .unwrap();
    assert_eq!(g.spec.size, 2);
    let managers: Vec<String> = g
        .managed_fields()
        .iter()
        .filter_map(|m| m.manager.clone())
        .collect();
    assert!(managers.contains(&"manager-b".to_string()), "{managers:?}");
    // The same value applied again by manager-a is shared without conflict once it lost it.
    api.patch(
        "ssa",
        &PatchParams::apply("manager-a"),
        &Patch::Apply(apply(2)),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn namespaces_and_listing_across_them() {
    let cluster = cluster().await;
    let client = cluster.client();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "team-a"}})).unwrap();
    let created = namespaces
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
    assert_eq!(created.status.unwrap().phase.as_deref(), Some("Active"));
    Api::<ConfigMap>::namespaced(client.clone(), "team-a")
        .create(&PostParams::default(), &cm("x", &[]))
        .await
        .unwrap();
    Api::<ConfigMap>::default_namespaced(client.clone())
        .create(&PostParams::default(), &cm("y", &[]))
        .await
        .unwrap();
    let all = Api::<ConfigMap>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
    let page = Api::<ConfigMap>::all(client.clone())
        .list(&ListParams::default().limit(1))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let token = page.metadata.continue_.clone().expect("a continue token");
    let rest = Api::<ConfigMap>::all(client)
        .list(&ListParams::default().limit(1).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_ne!(rest.items[0].metadata.name, page.items[0].metadata.name);
}
