//! The cases of the table test: write sequences against one object and what must
//! follow from them.

use serde_json::{Value, json};

use super::table::Step::*;
use super::table::{Case, case};
use super::{
    cm, configmap_shape, containers, dep, dep_labels, dep_status, deployment_shape, untyped_shape,
    widget,
};

fn replicas() -> Value {
    json!({"f:spec": {"f:replicas": {}}})
}

fn nginx(image: &str) -> Value {
    json!({"name": "nginx", "image": image})
}

fn container_fields(items: Value) -> Value {
    json!({"f:spec": {"f:template": {"f:spec": {"f:containers": items}}}})
}

fn with_meta(meta: Value, spec: Value) -> Value {
    let mut config = dep(spec);
    super::merge_patch(&mut config, &json!({ "metadata": meta }));
    if config.get("spec") == Some(&json!({})) {
        super::merge_patch(&mut config, &json!({"spec": null}));
    }
    config
}

const LAST_APPLIED_X1: &str = "{\"apiVersion\":\"v1\",\"data\":{\"x\":\"1\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"cfg\",\"namespace\":\"default\"}}\n";

fn cm_with_last_applied(x: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default",
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": LAST_APPLIED_X1}}, "data": {"x": x}})
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(
            "apply creates the object with an Apply entry",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1}))),
                Is("/spec/replicas", json!(1)),
                Owns("a/Apply", replicas()),
                Entries(&["a/Apply"]),
            ],
        ),
        case(
            "create gives its manager an Update entry",
            deployment_shape,
            vec![
                Update(
                    "ctl",
                    dep_labels(json!({"app": "web"}), json!({"replicas": 1})),
                ),
                Owns(
                    "ctl/Update",
                    json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {".": {}, "f:replicas": {}}}),
                ),
            ],
        ),
        case(
            "two appliers conflict on a scalar",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1}))),
                Apply("b", dep(json!({"replicas": 2}))),
                Conflicts(&[".spec.replicas"]),
                Message("Apply failed with 1 conflict: conflict with \"a\": .spec.replicas"),
                Is("/spec/replicas", json!(1)),
                NoEntry("b"),
            ],
        ),
        case(
            "force takes the field over",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1, "paused": false}))),
                Force("b", dep(json!({"replicas": 2}))),
                Is("/spec/replicas", json!(2)),
                Owns("b", replicas()),
                Owns("a", json!({"f:spec": {"f:paused": {}}})),
            ],
        ),
        case(
            "force drops a manager left with nothing",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1}))),
                Force("b", dep(json!({"replicas": 2}))),
                NoEntry("a"),
                Entries(&["b/Apply"]),
            ],
        ),
        case(
            "applying an equal value shares ownership",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1}))),
                Apply("b", dep(json!({"replicas": 1}))),
                Owns("a", replicas()),
                Owns("b", replicas()),
            ],
        ),
        case(
            "a field dropped from the config is removed",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1, "paused": true}))),
                Apply("a", dep(json!({"replicas": 1}))),
                Absent("/spec/paused"),
                Owns("a", replicas()),
            ],
        ),
        case(
            "a dropped field another applier owns is kept",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1, "paused": true}))),
                Apply("b", dep(json!({"paused": true}))),
                Apply("a", dep(json!({"replicas": 1}))),
                Is("/spec/paused", json!(true)),
                Owns("a", replicas()),
                Owns("b", json!({"f:spec": {"f:paused": {}}})),
            ],
        ),
        case(
            "a dropped field an updater took is kept",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1, "paused": true}))),
                Update("u", json!({"spec": {"paused": false}})),
                Owns("a", replicas()),
                Apply("a", dep(json!({"replicas": 1}))),
                Is("/spec/paused", json!(false)),
                Owns("u/Update", json!({"f:spec": {"f:paused": {}}})),
            ],
        ),
        case(
            "labels vanish with their last key",
            deployment_shape,
            vec![
                Apply("a", dep_labels(json!({"x": "1"}), json!({"replicas": 1}))),
                Apply("a", dep(json!({"replicas": 1}))),
                Absent("/metadata/labels"),
            ],
        ),
        case(
            "granular maps merge key by key",
            deployment_shape,
            vec![
                Apply("a", dep_labels(json!({"x": "1"}), json!({}))),
                Apply("b", dep_labels(json!({"y": "2"}), json!({}))),
                Is("/metadata/labels", json!({"x": "1", "y": "2"})),
                // An empty object is owned as a field of its own.
                Owns(
                    "a",
                    json!({"f:metadata": {"f:labels": {"f:x": {}}}, "f:spec": {}}),
                ),
                Owns(
                    "b",
                    json!({"f:metadata": {"f:labels": {"f:y": {}}}, "f:spec": {}}),
                ),
            ],
        ),
        case(
            "map-list items are owned per key",
            deployment_shape,
            vec![
                Apply("a", dep(containers(json!([nginx("nginx:1")])))),
                Apply(
                    "b",
                    dep(containers(json!([{"name": "sidecar", "image": "envoy"}]))),
                ),
                Is(
                    "/spec/template/spec/containers",
                    json!([nginx("nginx:1"), {"name": "sidecar", "image": "envoy"}]),
                ),
                Owns(
                    "a",
                    container_fields(
                        json!({"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {}, "f:name": {}}}),
                    ),
                ),
                Owns(
                    "b",
                    container_fields(
                        json!({"k:{\"name\":\"sidecar\"}": {".": {}, "f:image": {}, "f:name": {}}}),
                    ),
                ),
            ],
        ),
        case(
            "a conflict inside a map-list item prints its key",
            deployment_shape,
            vec![
                Apply("a", dep(containers(json!([nginx("nginx:1")])))),
                Apply("b", dep(containers(json!([nginx("nginx:2")])))),
                Conflicts(&[".spec.template.spec.containers[name=\"nginx\"].image"]),
                Message(
                    "Apply failed with 1 conflict: conflict with \"a\": .spec.template.spec.containers[name=\"nginx\"].image",
                ),
            ],
        ),
        case(
            "a map-list item dropped from the config is removed",
            deployment_shape,
            vec![
                Apply(
                    "a",
                    dep(containers(
                        json!([nginx("nginx:1"), {"name": "sidecar", "image": "envoy"}]),
                    )),
                ),
                Apply("a", dep(containers(json!([nginx("nginx:1")])))),
                Is("/spec/template/spec/containers", json!([nginx("nginx:1")])),
            ],
        ),
        case(
            "a dropped map-list item another applier owns is kept",
            deployment_shape,
            vec![
                Apply("a", dep(containers(json!([nginx("nginx:1")])))),
                Apply("b", dep(containers(json!([nginx("nginx:1")])))),
                Apply("a", dep(json!({"replicas": 1}))),
                Is("/spec/template/spec/containers", json!([nginx("nginx:1")])),
                Owns("a", replicas()),
            ],
        ),
        case(
            "map-list items merge in the applier's order",
            deployment_shape,
            vec![
                Apply(
                    "x",
                    dep(containers(
                        json!([{"name": "a"}, {"name": "b"}, {"name": "c"}]),
                    )),
                ),
                Apply("y", dep(containers(json!([{"name": "c"}, {"name": "a"}])))),
                Is(
                    "/spec/template/spec/containers",
                    json!([{"name": "b"}, {"name": "c"}, {"name": "a"}]),
                ),
            ],
        ),
        case(
            "new map-list items go after the live ones",
            deployment_shape,
            vec![
                Apply(
                    "x",
                    dep(containers(
                        json!([{"name": "a"}, {"name": "b"}, {"name": "c"}]),
                    )),
                ),
                Apply("y", dep(containers(json!([{"name": "c"}, {"name": "d"}])))),
                Is(
                    "/spec/template/spec/containers",
                    json!([{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}]),
                ),
            ],
        ),
        case(
            "map lists with several keys",
            deployment_shape,
            vec![
                Apply(
                    "a",
                    dep(containers(
                        json!([{"name": "web", "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"}]}]),
                    )),
                ),
                Apply(
                    "b",
                    dep(containers(
                        json!([{"name": "web", "ports": [{"containerPort": 80, "protocol": "TCP", "name": "www"}]}]),
                    )),
                ),
                Conflicts(&[
                    ".spec.template.spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"].name",
                ]),
                Owns(
                    "a",
                    container_fields(
                        json!({"k:{\"name\":\"web\"}": {".": {}, "f:name": {}, "f:ports": {
                "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {}}}}}),
                    ),
                ),
            ],
        ),
        case(
            "set items union, owned per value",
            deployment_shape,
            vec![
                Apply("a", with_meta(json!({"finalizers": ["x"]}), json!({}))),
                Apply("b", with_meta(json!({"finalizers": ["y"]}), json!({}))),
                Is("/metadata/finalizers", json!(["x", "y"])),
                Owns(
                    "a",
                    json!({"f:metadata": {"f:finalizers": {"v:\"x\"": {}}}}),
                ),
                Owns(
                    "b",
                    json!({"f:metadata": {"f:finalizers": {"v:\"y\"": {}}}}),
                ),
            ],
        ),
        case(
            "set items interleave as structured-merge-diff orders them",
            deployment_shape,
            vec![
                Apply(
                    "default",
                    with_meta(json!({"finalizers": ["a", "c"]}), json!({})),
                ),
                Update(
                    "controller",
                    json!({"metadata": {"finalizers": ["a", "b", "c", "d"]}}),
                ),
                Apply(
                    "default",
                    with_meta(
                        json!({"finalizers": ["a", "aprime", "c", "cprime"]}),
                        json!({}),
                    ),
                ),
                Is(
                    "/metadata/finalizers",
                    json!(["a", "b", "aprime", "c", "d", "cprime"]),
                ),
                Owns(
                    "default",
                    json!({"f:metadata": {"f:finalizers": {"v:\"a\"": {}, "v:\"aprime\"": {}, "v:\"c\"": {}, "v:\"cprime\"": {}}}}),
                ),
                Owns(
                    "controller",
                    json!({"f:metadata": {"f:finalizers": {"v:\"b\"": {}, "v:\"d\"": {}}}}),
                ),
            ],
        ),
        case(
            "a set item dropped from the config is removed",
            deployment_shape,
            vec![
                Apply("a", with_meta(json!({"finalizers": ["x", "z"]}), json!({}))),
                Apply("a", with_meta(json!({"finalizers": ["x"]}), json!({}))),
                Is("/metadata/finalizers", json!(["x"])),
            ],
        ),
        case(
            "a dropped set item another applier owns is kept",
            deployment_shape,
            vec![
                Apply(
                    "a",
                    with_meta(json!({"finalizers": ["x"]}), json!({"replicas": 1})),
                ),
                Apply("b", with_meta(json!({"finalizers": ["x"]}), json!({}))),
                Apply("a", dep(json!({"replicas": 1}))),
                Is("/metadata/finalizers", json!(["x"])),
                Owns("a", replicas()),
            ],
        ),
        case(
            "owner references are keyed by uid",
            deployment_shape,
            vec![
                Apply(
                    "a",
                    with_meta(
                        json!({"ownerReferences": [{"apiVersion": "v1", "kind": "Foo", "name": "f", "uid": "u1"}]}),
                        json!({}),
                    ),
                ),
                Apply(
                    "b",
                    with_meta(
                        json!({"ownerReferences": [{"apiVersion": "v1", "kind": "Foo", "name": "g", "uid": "u2"}]}),
                        json!({}),
                    ),
                ),
                Is("/metadata/ownerReferences/1/uid", json!("u2")),
                Owns(
                    "a",
                    json!({"f:metadata": {"f:ownerReferences": {"k:{\"uid\":\"u1\"}": {".": {}, "f:apiVersion": {}, "f:kind": {}, "f:name": {}, "f:uid": {}}}}}),
                ),
            ],
        ),
        case(
            "atomic lists are replaced whole and owned as one field",
            deployment_shape,
            vec![
                Apply(
                    "a",
                    dep(containers(
                        json!([{"name": "nginx", "image": "nginx", "args": ["--a", "--b"]}]),
                    )),
                ),
                Apply(
                    "b",
                    dep(containers(json!([{"name": "nginx", "args": ["--c"]}]))),
                ),
                Conflicts(&[".spec.template.spec.containers[name=\"nginx\"].args"]),
                Force(
                    "b",
                    dep(containers(json!([{"name": "nginx", "args": ["--c"]}]))),
                ),
                Is("/spec/template/spec/containers/0/args", json!(["--c"])),
                Owns(
                    "b",
                    container_fields(
                        json!({"k:{\"name\":\"nginx\"}": {".": {}, "f:args": {}, "f:name": {}}}),
                    ),
                ),
                Owns(
                    "a",
                    container_fields(
                        json!({"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {}, "f:name": {}}}),
                    ),
                ),
            ],
        ),
        case(
            "atomic lists with equal values are shared",
            deployment_shape,
            vec![
                Apply(
                    "a",
                    dep(containers(json!([{"name": "nginx", "args": ["--a"]}]))),
                ),
                Apply(
                    "b",
                    dep(containers(json!([{"name": "nginx", "args": ["--a"]}]))),
                ),
                Owns(
                    "b",
                    container_fields(
                        json!({"k:{\"name\":\"nginx\"}": {".": {}, "f:args": {}, "f:name": {}}}),
                    ),
                ),
            ],
        ),
        case(
            "atomic maps conflict as a whole",
            deployment_shape,
            vec![
                Apply(
                    "a",
                    dep(json!({"selector": {"matchLabels": {"app": "web"}}})),
                ),
                Owns("a", json!({"f:spec": {"f:selector": {}}})),
                Apply(
                    "b",
                    dep(json!({"selector": {"matchLabels": {"app": "web", "tier": "fe"}}})),
                ),
                Conflicts(&[".spec.selector"]),
            ],
        ),
        case(
            "an update takes ownership from an applier",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1}))),
                Update("u", json!({"spec": {"replicas": 5}})),
                Owns("u/Update", replicas()),
                NoEntry("a"),
                Apply("a", dep(json!({"replicas": 1}))),
                Conflicts(&[".spec.replicas"]),
                Message(
                    "Apply failed with 1 conflict: conflict with \"u\" using apps/v1: .spec.replicas",
                ),
            ],
        ),
        case(
            "an update that changes nothing records nothing",
            deployment_shape,
            vec![
                Update("ctl", dep(json!({"replicas": 1}))),
                Update("other", json!({"spec": {"replicas": 1}})),
                NoEntry("other"),
                Entries(&["ctl/Update"]),
            ],
        ),
        case(
            "an updater's entries merge across writes",
            deployment_shape,
            vec![
                Update("ctl", dep(json!({"replicas": 1}))),
                Update("u", json!({"spec": {"replicas": 2}})),
                Update("u", json!({"spec": {"paused": true}})),
                Owns(
                    "u/Update",
                    json!({"f:spec": {"f:paused": {}, "f:replicas": {}}}),
                ),
                // Left owning only the node itself.
                Owns("ctl/Update", json!({"f:spec": {}})),
            ],
        ),
        case(
            "client-side apply then server-side apply conflicts",
            configmap_shape,
            vec![
                Update("kubectl-client-side-apply", cm(json!({"x": "1"}))),
                Apply("kubectl", cm(json!({"x": "2"}))),
                Conflicts(&[".data.x"]),
                Message(
                    "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.x",
                ),
            ],
        ),
        case(
            "kubectl upgrades from client-side apply without conflicts",
            configmap_shape,
            vec![
                Update("kubectl-client-side-apply", cm_with_last_applied("1")),
                Apply("kubectl", cm(json!({"x": "2"}))),
                Is("/data/x", json!("2")),
                Owns("kubectl/Apply", json!({"f:data": {"f:x": {}}})),
                Owns(
                    "kubectl-client-side-apply/Update",
                    json!({"f:data": {}, "f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}),
                ),
                Is(
                    "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
                    json!(
                        "{\"apiVersion\":\"v1\",\"data\":{\"x\":\"2\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\",\"namespace\":\"default\"}}\n"
                    ),
                ),
            ],
        ),
        case(
            "the upgrade does not cover a field that drifted from last-applied",
            configmap_shape,
            vec![
                Update("kubectl-client-side-apply", cm_with_last_applied("3")),
                Apply("kubectl", cm(json!({"x": "2"}))),
                Conflicts(&[".data.x"]),
            ],
        ),
        case(
            "only the kubectl manager gets the upgrade",
            configmap_shape,
            vec![
                Update("kubectl-client-side-apply", cm_with_last_applied("1")),
                Apply("helm", cm(json!({"x": "2"}))),
                Conflicts(&[".data.x"]),
            ],
        ),
        case(
            "status applies own only status, as the status subresource",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1}))),
                ApplyStatus("ctl", dep_status(json!({"replicas": 1}))),
                Is("/status/replicas", json!(1)),
                Owns("ctl/Apply/status", json!({"f:status": {"f:replicas": {}}})),
                Apply("a", dep(json!({"replicas": 2}))),
                Is("/status/replicas", json!(1)),
                Owns("ctl/Apply/status", json!({"f:status": {"f:replicas": {}}})),
                Entries(&["ctl/Apply/status", "a/Apply"]),
            ],
        ),
        case(
            "applies to the main resource neither write nor own status",
            deployment_shape,
            vec![
                Apply(
                    "a",
                    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                "spec": {"replicas": 1}, "status": {"phase": "Running"}}),
                ),
                Absent("/status"),
                Owns("a", replicas()),
            ],
        ),
        case(
            "status updates own only status",
            deployment_shape,
            vec![
                Update("ctl", dep(json!({"replicas": 1}))),
                UpdateStatus(
                    "kubelet",
                    json!({"status": {"readyReplicas": 1}, "spec": {"replicas": 9}}),
                ),
                Owns(
                    "kubelet/Update/status",
                    json!({"f:status": {".": {}, "f:readyReplicas": {}}}),
                ),
            ],
        ),
        case(
            "main-resource updates leave status ownership alone",
            deployment_shape,
            vec![
                Update("ctl", dep(json!({"replicas": 1}))),
                ApplyStatus("op", dep_status(json!({"phase": "Running"}))),
                Update(
                    "u",
                    json!({"spec": {"replicas": 3}, "status": {"phase": "Failed"}}),
                ),
                Owns("op/Apply/status", json!({"f:status": {"f:phase": {}}})),
                Owns("u/Update", replicas()),
            ],
        ),
        case(
            "status appliers conflict with each other",
            deployment_shape,
            vec![
                Update("ctl", dep(json!({"replicas": 1}))),
                ApplyStatus("c1", dep_status(json!({"phase": "A"}))),
                ApplyStatus("c2", dep_status(json!({"phase": "B"}))),
                Message(
                    "Apply failed with 1 conflict: conflict with \"c1\" with subresource \"status\": .status.phase",
                ),
                Force("c3", dep_status(json!({"phase": "B"}))),
                Owns("c1", json!({"f:status": {"f:phase": {}}})),
            ],
        ),
        case(
            "status conditions are owned per type",
            deployment_shape,
            vec![
                Update("ctl", dep(json!({"replicas": 1}))),
                ApplyStatus(
                    "c1",
                    dep_status(json!({"conditions": [{"type": "Ready", "status": "True"}]})),
                ),
                ApplyStatus(
                    "c2",
                    dep_status(json!({"conditions": [{"type": "Issuing", "status": "False"}]})),
                ),
                Is("/status/conditions/1/type", json!("Issuing")),
                ApplyStatus(
                    "c2",
                    dep_status(json!({"conditions": [{"type": "Ready", "status": "False"}]})),
                ),
                Conflicts(&[".status.conditions[type=\"Ready\"].status"]),
            ],
        ),
        case(
            "fields present before the first apply belong to before-first-apply",
            deployment_shape,
            vec![
                Update("ctl", dep(json!({"replicas": 1}))),
                Update("wipe", json!({"metadata": {"managedFields": []}})),
                Absent("/metadata/managedFields"),
                Update("u", json!({"spec": {"paused": true}})),
                Absent("/metadata/managedFields"),
                Apply("a", dep(json!({"replicas": 2}))),
                Message(
                    "Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas",
                ),
                Apply("a", dep(json!({"replicas": 1}))),
                Owns(
                    "before-first-apply",
                    json!({"f:spec": {".": {}, "f:paused": {}, "f:replicas": {}}}),
                ),
                Entries(&["a/Apply", "before-first-apply/Update"]),
            ],
        ),
        case(
            "managedFields a client writes replace the live ones",
            deployment_shape,
            vec![
                Update("ctl", dep(json!({"replicas": 1}))),
                Update(
                    "u",
                    json!({"metadata": {"managedFields": [{"manager": "custom", "operation": "Update", "apiVersion": "apps/v1",
                "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]}}),
                ),
                Entries(&["custom/Update"]),
                Apply("a", dep(json!({"replicas": 2}))),
                Conflicts(&[".spec.replicas"]),
            ],
        ),
        case(
            "a status write keeps the live managedFields whatever it sends",
            deployment_shape,
            vec![
                Update("ctl", dep(json!({"replicas": 1}))),
                UpdateStatus(
                    "k",
                    json!({"metadata": {"managedFields": []}, "status": {"phase": "Up"}}),
                ),
                Entries(&["ctl/Update", "k/Update/status"]),
            ],
        ),
        case(
            "Apply entries come before Update entries, each by time",
            deployment_shape,
            vec![
                Update("c", dep(json!({"replicas": 1}))),
                Apply("z", dep(json!({"paused": true}))),
                Apply("b", dep_labels(json!({"b": "1"}), json!({}))),
                Update("u", json!({"metadata": {"labels": {"u": "2"}}})),
                Entries(&["z/Apply", "b/Apply", "c/Update", "u/Update"]),
            ],
        ),
        case(
            "untyped specs merge objects and replace lists",
            untyped_shape,
            vec![
                Apply("a", widget(json!({"obj": {"x": 1}, "list": [1, 2]}))),
                Owns(
                    "a",
                    json!({"f:spec": {"f:list": {}, "f:obj": {".": {}, "f:x": {}}}}),
                ),
                Apply("b", widget(json!({"obj": {"y": 2}, "list": [3]}))),
                Conflicts(&[".spec.list"]),
                Force("b", widget(json!({"obj": {"y": 2}, "list": [3]}))),
                Is("/spec", json!({"obj": {"x": 1, "y": 2}, "list": [3]})),
                Owns("a", json!({"f:spec": {"f:obj": {".": {}, "f:x": {}}}})),
                Owns(
                    "b",
                    json!({"f:spec": {"f:list": {}, "f:obj": {".": {}, "f:y": {}}}}),
                ),
            ],
        ),
        case(
            "untyped values can change kind",
            untyped_shape,
            vec![
                Apply("a", widget(json!({"v": {"x": 1}}))),
                Apply("a", widget(json!({"v": [1]}))),
                Is("/spec/v", json!([1])),
                Owns("a", json!({"f:spec": {"f:v": {}}})),
            ],
        ),
        case(
            "conflicts with several managers are grouped",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1}))),
                Update("u", json!({"spec": {"paused": true}})),
                Apply("b", dep(json!({"replicas": 2, "paused": false}))),
                Conflicts(&[".spec.replicas", ".spec.paused"]),
                Message(
                    "Apply failed with 2 conflicts: conflicts with \"a\":\n- .spec.replicas\nconflicts with \"u\" using apps/v1:\n- .spec.paused",
                ),
            ],
        ),
        case(
            "conflicts with one manager list each field",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1, "paused": true}))),
                Apply("b", dep(json!({"replicas": 2, "paused": false}))),
                Message(
                    "Apply failed with 2 conflicts: conflicts with \"a\":\n- .spec.paused\n- .spec.replicas",
                ),
            ],
        ),
        case(
            "removing a field an applier owns is not a conflict",
            deployment_shape,
            vec![
                Apply("a", dep(json!({"replicas": 1, "paused": true}))),
                Update("u", json!({"spec": {"paused": null}})),
                Owns("a", replicas()),
                NoEntry("u"),
            ],
        ),
    ]
}
