//! FieldsV1 and managedFields encoding: round trips on real-looking entries, decode
//! errors, entry order, times and the cap on Update entries.

use serde_json::{Value, json};

use super::{Store, dep, dep_labels, deployment_shape};
use crate::fieldmanager::{FieldSet, ManagedFieldsEntry, Path, PathElement, read_managed_fields};

/// managedFields of a Deployment after `kubectl create`, `kubectl apply
/// --server-side` and a controller's status update, as the API server serves them.
fn real_managed_fields() -> Value {
    json!([
        {"manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": "2024-05-01T10:00:00Z",
         "fieldsType": "FieldsV1", "fieldsV1": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {
                    ".": {}, "f:image": {}, "f:name": {},
                    "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}}}
                }}}}}}},
        {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1", "time": "2024-05-01T10:00:05Z",
         "fieldsType": "FieldsV1", "fieldsV1": {
            "f:metadata": {"f:annotations": {".": {}, "f:deployment.kubernetes.io/revision": {}}},
            "f:status": {"f:availableReplicas": {}, "f:conditions": {".": {},
                "k:{\"type\":\"Available\"}": {".": {}, "f:lastTransitionTime": {}, "f:lastUpdateTime": {}, "f:message": {}, "f:reason": {}, "f:status": {}, "f:type": {}},
                "k:{\"type\":\"Progressing\"}": {".": {}, "f:lastTransitionTime": {}, "f:lastUpdateTime": {}, "f:message": {}, "f:reason": {}, "f:status": {}, "f:type": {}}},
                "f:observedGeneration": {}, "f:readyReplicas": {}, "f:replicas": {}, "f:updatedReplicas": {}}},
         "subresource": "status"},
        {"manager": "kubectl-edit", "operation": "Update", "apiVersion": "v1", "time": "2024-05-01T10:01:00Z",
         "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:finalizers": {".": {}, "v:\"example.com/a\"": {}, "v:\"example.com/b\"": {}}},
            "f:spec": {"f:ports": {"k:{\"port\":443,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}}}, "f:x": {"i:0": {}}}}}
    ])
}

#[test]
fn real_managed_fields_round_trip() {
    let object = json!({"metadata": {"managedFields": real_managed_fields()}});
    let entries = read_managed_fields(&object).expect("decode");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1].subresource.as_deref(), Some("status"));
    let encoded: Vec<Value> = entries.iter().map(ManagedFieldsEntry::to_json).collect();
    assert_eq!(Value::Array(encoded.clone()), real_managed_fields());
    // Key order too, byte for byte.
    assert_eq!(
        Value::Array(encoded).to_string(),
        real_managed_fields().to_string()
    );
    let conditions = entries[1].fields_v1.paths();
    assert!(
        conditions
            .iter()
            .any(|p| p.to_string() == ".status.conditions[type=\"Available\"].reason")
    );
    assert_eq!(entries[0].fields_v1.len(), 10);
}

#[test]
fn encoding_sorts_keys_the_way_the_api_server_does() {
    let set = FieldSet::from_fields_v1(&json!({
        "i:1": {}, "v:2": {}, "v:\"b\"": {}, "k:{\"b\":1,\"a\":2}": {}, "f:z": {"f:b": {}, ".": {}, "f:a": {}}, "f:a": {}, "x:future": {}
    }))
    .expect("decode");
    assert_eq!(
        set.to_fields_v1().to_string(),
        r#"{"f:a":{},"f:z":{".":{},"f:a":{},"f:b":{}},"k:{\"a\":2,\"b\":1}":{},"v:2":{},"v:\"b\"":{},"i:1":{}}"#
    );
}

#[test]
fn fields_v1_decoding_errors() {
    for bad in [
        json!({"f": {}}),
        json!({"fx": {}}),
        json!({"f:a": 1}),
        json!({"f:a": {"k:notjson": {}}}),
        json!({"v:1 2": {}}),
        json!({"i:one": {}}),
        json!("f:a"),
    ] {
        assert!(FieldSet::from_fields_v1(&bad).is_err(), "{bad}");
    }
    assert_eq!(FieldSet::from_fields_v1(&Value::Null), Ok(FieldSet::new()));
    assert_eq!(
        FieldSet::from_fields_v1(&json!({"f:a": null})),
        Ok(FieldSet::from_paths([Path::fields(&["a"])]))
    );
}

#[test]
fn built_sets_encode_members_and_children() {
    let mut set = FieldSet::new();
    set.insert(&[PathElement::field("spec")]);
    set.insert(&[PathElement::field("spec"), PathElement::field("replicas")]);
    set.insert(&[
        PathElement::field("spec"),
        PathElement::field("containers"),
        PathElement::key([("name", json!("a"))]),
    ]);
    assert_eq!(
        set.to_fields_v1(),
        json!({"f:spec": {".": {}, "f:replicas": {}, "f:containers": {"k:{\"name\":\"a\"}": {}}}})
    );
    assert_eq!(FieldSet::from_fields_v1(&set.to_fields_v1()), Ok(set));
}

#[test]
fn bad_entries_do_not_decode() {
    let entry = |v: Value| ManagedFieldsEntry::from_json(&v).map_err(|e| e.to_string());
    assert_eq!(
        entry(
            json!({"manager": "m", "operation": "Patch", "apiVersion": "v1", "fieldsType": "FieldsV1"})
        ),
        Err("operation must be `Apply` or `Update`".into())
    );
    assert_eq!(
        entry(json!({"manager": "m", "operation": "Apply", "fieldsType": "FieldsV1"})),
        Err("apiVersion must not be empty".into())
    );
    assert_eq!(
        entry(json!({"manager": "m", "operation": "Apply", "apiVersion": "v1"})),
        Err("missing fieldsType in managed fields entry 0".into())
    );
    assert_eq!(
        entry(
            json!({"manager": "m", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV2"})
        ),
        Err("invalid fieldsType \"FieldsV2\" in managed fields entry 0".into())
    );
    assert!(entry(json!({"manager": 5, "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1"})).is_err());
    assert!(entry(json!({"manager": "m", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1", "time": "yesterday"})).is_err());
    let ok = entry(json!({"operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1", "time": "2024-05-01T12:00:00.5+02:00"}))
        .expect("decodes");
    assert_eq!(ok.time.as_deref(), Some("2024-05-01T10:00:00Z"));
}

#[test]
fn apply_times_change_only_with_the_object() {
    let mut store = Store::new(deployment_shape());
    store.apply("a", &dep(json!({"replicas": 1})), false, None);
    let first = store.now();
    assert_eq!(store.entry("a").and_then(|e| e.time), Some(first.clone()));
    // The same configuration again: nothing changes, the time stays.
    store.apply("a", &dep(json!({"replicas": 1})), false, None);
    assert_eq!(store.entry("a").and_then(|e| e.time), Some(first.clone()));
    // A new applier of the same values shares them without a time of its own.
    store.apply("b", &dep(json!({"replicas": 1})), false, None);
    assert_eq!(store.entry("b").map(|e| e.time), Some(None));
    store.apply("a", &dep(json!({"replicas": 2})), false, None);
    assert!(store.last_error.is_some(), "b co-owns replicas");
    store.apply("a", &dep(json!({"replicas": 2})), true, None);
    assert_eq!(store.entry("a").and_then(|e| e.time), Some(store.now()));
    assert!(store.entry("b").is_none());
}

#[test]
fn update_entries_are_capped_at_ten() {
    let mut store = Store::new(deployment_shape());
    store.update(
        "creator",
        &dep_labels(json!({"app": "web"}), json!({"replicas": 1})),
        None,
    );
    for i in 0..12 {
        store.update(
            &format!("m{i:02}"),
            &json!({"metadata": {"labels": {format!("l{i}"): "x"}}}),
            None,
        );
    }
    let entries = store.entries();
    let names: Vec<&str> = entries.iter().map(|e| e.manager.as_str()).collect();
    assert_eq!(entries.len(), 10, "{names:?}");
    assert_eq!(
        names,
        [
            "ancient-changes",
            "m03",
            "m04",
            "m05",
            "m06",
            "m07",
            "m08",
            "m09",
            "m10",
            "m11"
        ]
    );
    let ancient = &entries[0];
    // The four oldest writers are merged into one entry.
    for label in ["app", "l0", "l1", "l2"] {
        assert!(
            ancient
                .fields_v1
                .has(Path::fields(&["metadata", "labels", label]).elements()),
            "{label} in {}",
            ancient.fields_v1
        );
    }
}
