//! Tests of the field manager: a table of write sequences against one object
//! (`table.rs`), bad configurations and error rendering (`errors.rs`), FieldsV1 and
//! managedFields encoding (`fieldsv1.rs`), and random input (`fuzz.rs`).

mod cases;
mod errors;
mod fieldsv1;
mod fuzz;
mod table;

use serde_json::{Map, Value, json};

use super::{ApplyError, FieldManager, ManagedFieldsEntry, Operation, read_managed_fields};
use crate::shape::{ObjectShape, Shape};

/// A Deployment, as far as merging goes.
pub(super) fn deployment_shape() -> Shape {
    use Shape::Scalar;
    let port = Shape::object([
        ("containerPort", Scalar),
        ("protocol", Scalar),
        ("name", Scalar),
    ]);
    let env = Shape::object([("name", Scalar), ("value", Scalar)]);
    let container = Shape::object([
        ("name", Scalar),
        ("image", Scalar),
        ("args", Shape::atomic_list(Scalar)),
        (
            "ports",
            Shape::keyed_list(port, &["containerPort", "protocol"]),
        ),
        ("env", Shape::keyed_list(env, &["name"])),
    ]);
    let pod_spec = Shape::object([
        ("containers", Shape::keyed_list(container, &["name"])),
        ("nodeSelector", Shape::map(Scalar)),
    ]);
    let template = Shape::object([
        ("metadata", Shape::object([("labels", Shape::map(Scalar))])),
        ("spec", pod_spec),
    ]);
    let selector = Shape::Object(ObjectShape {
        fields: [("matchLabels".to_string(), Shape::map(Scalar))]
            .into_iter()
            .collect(),
        atomic: true,
        ..ObjectShape::default()
    });
    let condition = Shape::object([("type", Scalar), ("status", Scalar), ("reason", Scalar)]);
    Shape::object([
        (
            "spec",
            Shape::object([
                ("replicas", Scalar),
                ("paused", Scalar),
                ("selector", selector),
                ("template", template),
            ]),
        ),
        (
            "status",
            Shape::object([
                ("replicas", Scalar),
                ("readyReplicas", Scalar),
                ("phase", Scalar),
                ("conditions", Shape::keyed_list(condition, &["type"])),
            ]),
        ),
    ])
}

/// A ConfigMap.
pub(super) fn configmap_shape() -> Shape {
    Shape::object([
        ("data", Shape::map(Shape::Scalar)),
        ("immutable", Shape::Scalar),
    ])
}

/// A custom resource whose spec preserves unknown fields.
pub(super) fn untyped_shape() -> Shape {
    Shape::object([("spec", Shape::Deduced), ("status", Shape::Deduced)])
}

/// A Deployment configuration with this spec.
pub(super) fn dep(spec: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"}, "spec": spec})
}

/// A Deployment configuration with these labels and spec.
pub(super) fn dep_labels(labels: Value, spec: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default", "labels": labels}, "spec": spec})
}

/// A Deployment status configuration.
pub(super) fn dep_status(status: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"}, "status": status})
}

/// A pod template spec with these containers.
pub(super) fn containers(list: Value) -> Value {
    json!({"template": {"spec": {"containers": list}}})
}

/// A ConfigMap configuration with this data.
pub(super) fn cm(data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"}, "data": data})
}

/// An untyped custom resource configuration with this spec.
pub(super) fn widget(spec: Value) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec})
}

/// RFC 7386 merge patch, for describing updates.
pub(super) fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// One object in a pretend API server, written through the field manager.
pub(super) struct Store {
    shape: Shape,
    pub(super) object: Option<Value>,
    clock: i64,
    pub(super) last_error: Option<ApplyError>,
}

impl Store {
    pub(super) fn new(shape: Shape) -> Self {
        Store {
            shape,
            object: None,
            clock: 1_700_000_000,
            last_error: None,
        }
    }

    fn tick(&mut self) -> String {
        self.clock += 60;
        super::time::format_unix(self.clock)
    }

    /// The time the last operation ran at.
    pub(super) fn now(&self) -> String {
        super::time::format_unix(self.clock)
    }

    fn manager(&self, subresource: Option<&str>) -> FieldManager {
        FieldManager::new(&self.shape).with_subresource(subresource)
    }

    /// Server-side apply; on success the object is replaced.
    pub(super) fn apply(
        &mut self,
        manager: &str,
        config: &Value,
        force: bool,
        subresource: Option<&str>,
    ) {
        let now = self.tick();
        match self
            .manager(subresource)
            .apply(self.object.as_ref(), config, manager, force, &now)
        {
            Ok(mut obj) => {
                if self.object.is_none()
                    && let Some(Value::Object(meta)) = obj.get_mut("metadata")
                {
                    meta.insert("uid".into(), json!("0b1c2d3e"));
                }
                self.object = Some(obj);
                self.last_error = None;
            }
            Err(e) => self.last_error = Some(e),
        }
    }

    /// A create (no object yet) or a merge-patch update.
    pub(super) fn update(&mut self, manager: &str, patch: &Value, subresource: Option<&str>) {
        let now = self.tick();
        let old = self.object.clone();
        let mut new = old.clone().unwrap_or_else(|| json!({}));
        merge_patch(&mut new, patch);
        if old.is_none()
            && let Some(Value::Object(meta)) = new.get_mut("metadata")
        {
            meta.insert("uid".into(), json!("0b1c2d3e"));
        }
        if let Err(e) = self
            .manager(subresource)
            .update(old.as_ref(), &mut new, manager, &now)
        {
            panic!("update failed: {e}");
        }
        self.object = Some(new);
        self.last_error = None;
    }

    /// The managedFields entries.
    pub(super) fn entries(&self) -> Vec<ManagedFieldsEntry> {
        match &self.object {
            Some(o) => read_managed_fields(o)
                .unwrap_or_else(|e| panic!("managedFields do not decode: {e}")),
            None => Vec::new(),
        }
    }

    /// The entry of `manager` (`name` or `name/Operation` or `name/Operation/sub`).
    pub(super) fn entry(&self, who: &str) -> Option<ManagedFieldsEntry> {
        self.entries()
            .into_iter()
            .find(|e| describe(e) == who || e.manager == who)
    }

    /// The value at a JSON pointer.
    pub(super) fn at(&self, pointer: &str) -> Option<&Value> {
        self.object.as_ref().and_then(|o| o.pointer(pointer))
    }
}

/// `manager/Operation[/subresource]`.
pub(super) fn describe(e: &ManagedFieldsEntry) -> String {
    let mut s = format!("{}/{}", e.manager, e.operation);
    if let Some(sub) = &e.subresource {
        s.push('/');
        s.push_str(sub);
    }
    s
}

#[test]
fn operation_names() {
    assert_eq!(Operation::Apply.to_string(), "Apply");
    assert!(Operation::Apply < Operation::Update);
}
