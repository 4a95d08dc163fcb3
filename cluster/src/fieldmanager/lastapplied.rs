//! The bridge from client-side to server-side apply. When `kubectl apply --server-side`
//! (manager `kubectl`) conflicts only on fields the object's
//! `kubectl.kubernetes.io/last-applied-configuration` still holds with their live
//! values, the apply goes through as if forced; afterwards the annotation is rewritten
//! to the configuration just applied, so a later client-side apply agrees.

use serde_json::{Map, Value};

use super::gofmt;
use super::set::FieldSet;
use super::typed;
use crate::shape::Shape;

/// The annotation `kubectl apply` keeps its last configuration in.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The field manager whose applies take part in the upgrade.
pub(crate) const KUBECTL_MANAGER: &str = "kubectl";

/// The most bytes of annotation keys and values an object may carry.
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

fn last_applied(object: &Value) -> Option<&str> {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED_ANNOTATION))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Whether `object` carries a non-empty last-applied annotation.
pub(crate) fn has_last_applied(object: &Value) -> bool {
    last_applied(object).is_some()
}

/// The fields of the last-applied configuration that still have the values it gave
/// them: conflicts on these are allowed. `None` when there is no usable annotation.
pub(crate) fn allowed_conflicts(
    live: &Value,
    api_version: &str,
    shape: &Shape,
) -> Option<FieldSet> {
    let text = last_applied(live)?;
    let last: Value = serde_json::from_str(text).ok()?;
    let obj = last.as_object()?;
    // The annotation decodes into an Unstructured, which needs a kind.
    obj.get("kind")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())?;
    if obj.get("apiVersion").and_then(Value::as_str).unwrap_or("") != api_version {
        return None;
    }
    if !typed::validate(&last, shape).is_empty() {
        return None;
    }
    let set = typed::to_field_set(&last, shape);
    let cmp = typed::compare(&last, live, shape);
    Some(
        set.difference(&cmp.modified)
            .difference(&cmp.added)
            .difference(&cmp.removed),
    )
}

/// The annotation value for an applied configuration: its JSON without the annotation
/// itself, keys sorted, newline-terminated, as `kubectl` writes it.
pub(crate) fn build(config: &Value) -> String {
    let mut config = config.clone();
    if let Some(Value::Object(meta)) = config.get_mut("metadata") {
        match meta.get_mut("annotations") {
            Some(Value::Object(annotations)) => {
                annotations.remove(LAST_APPLIED_ANNOTATION);
            }
            Some(_) => {
                meta.remove("annotations");
            }
            None => {}
        }
    }
    let mut text = gofmt::json(&config);
    text.push('\n');
    text
}

/// Sets the annotation on `object`, unless that would make its annotations too large.
pub(crate) fn set(object: &mut Value, value: String) {
    let Some(obj) = object.as_object_mut() else {
        return;
    };
    let meta = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(meta) = meta else { return };
    let annotations = meta
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if !annotations.is_object() {
        *annotations = Value::Object(Map::new());
    }
    let Value::Object(annotations) = annotations else {
        return;
    };
    annotations.insert(LAST_APPLIED_ANNOTATION.into(), Value::String(value));
    let size: usize = annotations
        .iter()
        .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
        .sum();
    if size > TOTAL_ANNOTATION_SIZE_LIMIT {
        annotations.remove(LAST_APPLIED_ANNOTATION);
    }
}
