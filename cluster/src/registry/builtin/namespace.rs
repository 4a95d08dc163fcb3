//! core/v1 Namespace.

use k8s_openapi::api::core::v1::Namespace;
use serde_json::{Value, json};

use super::typed;
use crate::meta::ObjectExt;
use crate::meta::names::NameRule;
use crate::registry::columns::{Column, age_cell, meta_field_label, name_cell};
use crate::registry::{Ctx, Decoded, Strategy};
use crate::status::StatusError;

/// The finalizer the namespace controller removes once a namespace is empty.
pub const KUBERNETES_FINALIZER: &str = "kubernetes";
/// The label every namespace carries with its own name.
pub const NAME_LABEL: &str = "kubernetes.io/metadata.name";

pub(crate) struct NamespaceStrategy;

impl Strategy for NamespaceStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<Namespace>(obj, "Namespace", "v1")
    }

    fn name_rule(&self) -> NameRule {
        NameRule::Label
    }

    fn apply_defaults(&self, obj: &mut Value) {
        if let Some(name) = obj.name().map(str::to_string) {
            let meta = obj.metadata_mut();
            let labels = meta.entry("labels").or_insert_with(|| json!({}));
            if let Some(labels) = labels.as_object_mut() {
                labels.insert(NAME_LABEL.to_string(), Value::String(name));
            }
        }
    }

    fn prepare_create(&self, obj: &mut Value, _ctx: &Ctx) {
        if let Some(map) = obj.as_object_mut() {
            let spec = map.entry("spec").or_insert_with(|| json!({}));
            if let Some(spec) = spec.as_object_mut() {
                let finalizers = spec.entry("finalizers").or_insert_with(|| json!([]));
                if let Some(list) = finalizers.as_array_mut()
                    && !list.iter().any(|f| f == KUBERNETES_FINALIZER)
                {
                    list.push(Value::from(KUBERNETES_FINALIZER));
                }
            }
            map.insert("status".into(), json!({"phase": "Active"}));
        }
    }

    fn prepare_update(&self, new: &mut Value, old: &Value, _ctx: &Ctx) {
        // spec.finalizers change only through /finalize, handled by the server itself.
        if let (Some(map), Some(old_spec)) = (new.as_object_mut(), old.get("spec")) {
            map.insert("spec".into(), old_spec.clone());
        }
    }

    fn begin_deletion(&self, obj: &mut Value) -> bool {
        if let Some(map) = obj.as_object_mut() {
            let status = map.entry("status").or_insert_with(|| json!({}));
            if let Some(status) = status.as_object_mut() {
                status.insert("phase".into(), json!("Terminating"));
            }
        }
        obj.pointer("/spec/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty())
    }

    fn has_status(&self) -> bool {
        true
    }

    fn returns_deleted_object(&self) -> bool {
        true
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::name_column(),
            Column::new("Status", "string", "The status of the namespace"),
            Column::age_column(),
        ]
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        vec![
            name_cell(obj),
            Value::from(obj.str_at("status.phase").unwrap_or("")),
            age_cell(obj, ctx),
        ]
    }

    fn field_label(&self, obj: &Value, label: &str) -> Option<String> {
        match label {
            "status.phase" => Some(obj.str_at("status.phase").unwrap_or("").to_string()),
            _ => meta_field_label(obj, label),
        }
    }
}
