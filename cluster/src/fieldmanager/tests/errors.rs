//! Bad configurations, and errors as the API server words and renders them.

use serde_json::{Value, json};

use super::{Store, configmap_shape, containers, dep, deployment_shape};
use crate::fieldmanager::{
    ApplyError, FieldManager, apply, manager_from_user_agent, track_update, validate_field_manager,
};

const NOW: &str = "2024-05-01T12:00:00Z";

fn apply_new(config: Value) -> Result<Value, ApplyError> {
    apply(None, &config, "m", false, &deployment_shape(), None, NOW)
}

fn message(r: Result<Value, ApplyError>) -> (u16, String) {
    let e = r.expect_err("the apply should fail");
    let s = e.status();
    (s.code, s.message)
}

#[test]
fn bad_configs_are_refused_as_the_api_server_words_it() {
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "no apiVersion",
            json!({"kind": "Deployment", "metadata": {"name": "web"}}),
            400,
            "invalid object type: /, Kind=Deployment",
        ),
        (
            "no kind",
            json!({"apiVersion": "apps/v1", "metadata": {"name": "web"}}),
            400,
            "invalid object type: apps/v1, Kind=",
        ),
        (
            "empty config",
            json!({}),
            400,
            "invalid object type: /, Kind=",
        ),
        (
            "null config",
            Value::Null,
            400,
            "invalid object type: /, Kind=",
        ),
        (
            "a list",
            json!([1]),
            400,
            "error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}",
        ),
        (
            "no name",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {}}),
            400,
            "name must be provided",
        ),
        (
            "managedFields",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "managedFields": []}}),
            400,
            "metadata.managedFields must be nil",
        ),
        (
            "duplicate keys",
            dep(containers(json!([{"name": "a"}, {"name": "a"}]))),
            500,
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name=\"a\"]",
        ),
        (
            "an item without its key",
            dep(containers(json!([{"image": "x"}]))),
            500,
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits all key fields [\"name\"] (and doesn't have default values for any key fields)",
        ),
        (
            "a null item",
            dep(containers(json!([null]))),
            500,
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys may not have a null element",
        ),
        (
            "an object in a set",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "finalizers": [{"a": 1}]}}),
            500,
            "failed to create typed patch object (/web; apps/v1, Kind=Deployment): .metadata.finalizers: element 0: associative list without keys has an element that's a map type",
        ),
        (
            "a duplicate set value",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "finalizers": ["a", "a"]}}),
            500,
            "failed to create typed patch object (/web; apps/v1, Kind=Deployment): .metadata.finalizers: duplicate entries for key [=\"a\"]",
        ),
        (
            "a list where a map belongs",
            dep(json!({"template": []})),
            500,
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template: expected map, got []",
        ),
        (
            "a map where a list belongs",
            dep(containers(json!({"name": "a"}))),
            500,
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: expected list, got {\"name\":\"a\"}",
        ),
        (
            "several problems",
            dep(
                json!({"template": {"metadata": 5, "spec": {"containers": [{"name": "a"}, {"name": "a"}]}}}),
            ),
            500,
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:\n  .spec.template.metadata: expected map, got 5\n  .spec.template.spec.containers: duplicate entries for key [name=\"a\"]",
        ),
    ];
    for (name, config, code, want) in cases {
        assert_eq!(
            message(apply_new(config)),
            (code, want.to_string()),
            "{name}"
        );
    }
}

#[test]
fn type_and_name_must_match_the_endpoint() {
    let fm = FieldManager::new(&deployment_shape())
        .with_kind("apps/v1", "Deployment")
        .with_name("web");
    let wrong_kind =
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"}});
    assert_eq!(
        message(fm.apply(None, &wrong_kind, "m", false, NOW)),
        (400, "invalid object type: apps/v1, Kind=StatefulSet".into())
    );
    let wrong_version =
        json!({"apiVersion": "apps/v1beta1", "kind": "Deployment", "metadata": {"name": "web"}});
    assert_eq!(
        message(fm.apply(None, &wrong_version, "m", false, NOW)),
        (
            400,
            "invalid object type: apps/v1beta1, Kind=Deployment".into()
        )
    );
    let no_name = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {}});
    assert_eq!(
        message(fm.apply(None, &no_name, "m", false, NOW)),
        (
            400,
            "the name of the object (web based on URL) was undeterminable: name must be provided"
                .into()
        )
    );
    let other = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"}});
    assert_eq!(
        message(fm.apply(None, &other, "m", false, NOW)),
        (
            400,
            "the name of the object (api) does not match the name on the URL (web)".into()
        )
    );
    // Without an endpoint, the live object decides.
    let live = apply_new(dep(json!({"replicas": 1}))).expect("create");
    let mut cfg = dep(json!({"replicas": 1}));
    cfg["metadata"]["name"] = json!("other");
    assert_eq!(
        message(apply(
            Some(&live),
            &cfg,
            "m",
            false,
            &deployment_shape(),
            None,
            NOW
        )),
        (
            400,
            "the name of the object (other) does not match the name on the URL (web)".into()
        )
    );
    let mut cfg = dep(json!({"replicas": 1}));
    cfg["kind"] = json!("ReplicaSet");
    assert_eq!(
        message(apply(
            Some(&live),
            &cfg,
            "m",
            false,
            &deployment_shape(),
            None,
            NOW
        )),
        (400, "invalid object type: apps/v1, Kind=ReplicaSet".into())
    );
}

#[test]
fn conflict_status_is_rendered_like_the_api_server() {
    let mut store = Store::new(configmap_shape());
    store.update(
        "kubectl-client-side-apply",
        &super::cm(json!({"x": "1", "y": "1"})),
        None,
    );
    store.apply("kubectl", &super::cm(json!({"x": "2"})), false, None);
    let err = store.last_error.clone().expect("conflict");
    assert_eq!(
        err.status().to_status(),
        json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.x",
            "reason": "Conflict",
            "details": {"causes": [{"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-client-side-apply\" using v1", "field": ".data.x"}]},
            "code": 409
        })
    );
    store.apply(
        "kubectl",
        &super::cm(json!({"x": "2", "y": "2"})),
        false,
        None,
    );
    let err = store.last_error.clone().expect("conflicts");
    let status = err.status();
    assert_eq!(
        status.message,
        "Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using v1:\n- .data.x\n- .data.y"
    );
    assert_eq!(status.causes.len(), 2);
    assert_eq!(status.causes[1].field, ".data.y");
    let bad = ApplyError::BadRequest("metadata.managedFields must be nil".into())
        .status()
        .to_status();
    assert_eq!(bad["code"], json!(400));
    assert_eq!(bad["reason"], json!("BadRequest"));
    let invalid = ApplyError::Invalid("x".into()).status().to_status();
    assert_eq!(invalid["code"], json!(500));
    assert!(invalid.get("reason").is_none());
}

#[test]
fn broken_live_managed_fields_are_an_internal_error() {
    let mut live = apply_new(dep(json!({"replicas": 1}))).expect("create");
    live["metadata"]["managedFields"] = json!([{"manager": "x", "operation": "Replace", "apiVersion": "v1", "fieldsType": "FieldsV1"}]);
    let (code, msg) = message(apply(
        Some(&live),
        &dep(json!({"replicas": 2})),
        "m",
        false,
        &deployment_shape(),
        None,
        NOW,
    ));
    assert_eq!(code, 500);
    assert_eq!(
        msg,
        "failed to decode managed fields: operation must be `Apply` or `Update`"
    );
}

#[test]
fn updates_with_broken_managed_fields_keep_the_live_ones() {
    let shape = deployment_shape();
    let mut live = dep(json!({"replicas": 1}));
    track_update(None, &mut live, "ctl", &shape, None, NOW).expect("create");
    live["metadata"]["uid"] = json!("u");
    let mut new = live.clone();
    new["spec"]["replicas"] = json!(2);
    new["metadata"]["managedFields"] = json!([{"manager": "x", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV2"}]);
    track_update(
        Some(&live),
        &mut new,
        "u",
        &shape,
        None,
        "2024-05-01T12:05:00Z",
    )
    .expect("update");
    let managers: Vec<&str> = new["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields")
        .iter()
        .filter_map(|e| e["manager"].as_str())
        .collect();
    assert_eq!(managers, ["ctl", "u"]);
    assert_eq!(
        track_update(None, &mut json!([1]), "u", &shape, None, NOW),
        Err(super::super::FieldManagerError::NotAnObject)
    );
}

#[test]
fn field_manager_names() {
    assert_eq!(
        manager_from_user_agent("kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd"),
        "kubectl"
    );
    assert_eq!(manager_from_user_agent("my\u{7}agent"), "myagent");
    assert_eq!(manager_from_user_agent(&"x".repeat(200)).len(), 128);
    assert!(validate_field_manager("kubectl", true).is_empty());
    assert_eq!(
        validate_field_manager("", true)[0].to_string(),
        "fieldManager: Required value: is required for apply patch"
    );
    assert!(validate_field_manager("", false).is_empty());
    assert_eq!(
        validate_field_manager("a\u{1}", false)[0].to_string(),
        "fieldManager: Invalid value: \"a\\u0001\": invalid character U+0001 (at position 1)"
    );
    assert_eq!(validate_field_manager(&"x".repeat(129), false).len(), 1);
}
