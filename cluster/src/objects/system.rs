//! Server-owned metadata: identity, timestamps, generation.

use serde_json::{Map, Value};

use crate::meta::ObjectExt;
use crate::registry::Ctx;
use crate::time::rfc3339;

/// Fields of `metadata` that only the server sets.
const SYSTEM_FIELDS: &[&str] = &[
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "selfLink",
];

/// Stamps a new object's identity, creation time and generation, discarding what the
/// client sent for server-owned fields.
pub fn stamp_create(obj: &mut Value, ctx: &Ctx, tracks_generation: bool) {
    let meta = obj.metadata_mut();
    for field in SYSTEM_FIELDS {
        meta.remove(*field);
    }
    meta.insert(
        "uid".into(),
        Value::String(uuid::Uuid::new_v4().to_string()),
    );
    meta.insert("creationTimestamp".into(), Value::String(rfc3339(ctx.now)));
    if tracks_generation {
        meta.insert("generation".into(), Value::from(1));
    }
}

/// Drops the empty fields of `metadata` that Go's `omitempty` would drop when the
/// API server decodes and re-encodes `ObjectMeta` (`"finalizers": []`, `"labels": {}`,
/// `"generateName": ""`, nulls). Clients such as kube-runtime's finalizer helper
/// depend on an emptied list being absent.
pub fn normalize_meta(obj: &mut Value) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    meta.retain(|key, v| match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty() || key == "creationTimestamp",
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        Value::Number(n) => !(key == "generation" && n.as_i64() == Some(0)),
        Value::Bool(_) => true,
    });
}

/// Carries server-owned fields over from `old` to an update's new object. A `uid`
/// the client sent is kept, so that a mismatch can be reported.
pub fn carry_over(new: &mut Value, old: &Value) {
    let empty = Map::new();
    let old_meta = old.metadata().unwrap_or(&empty).clone();
    let meta = new.metadata_mut();
    for field in [
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
        "selfLink",
    ] {
        match old_meta.get(field) {
            Some(v) => {
                meta.insert(field.to_string(), v.clone());
            }
            None => {
                meta.remove(field);
            }
        }
    }
    if meta
        .get("uid")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
        && let Some(uid) = old_meta.get("uid")
    {
        meta.insert("uid".into(), uid.clone());
    }
    if meta.get("managedFields").is_none()
        && let Some(mf) = old_meta.get("managedFields")
    {
        meta.insert("managedFields".into(), mf.clone());
    }
    if let Some(rv) = old_meta.get("resourceVersion") {
        meta.insert("resourceVersion".into(), rv.clone());
    }
}

/// The part of an object that `generation` tracks: everything but metadata, and but
/// status when status is a subresource.
fn spec_part(obj: &Value, has_status: bool) -> Map<String, Value> {
    obj.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| *k != "metadata" && !(has_status && *k == "status"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Bumps `metadata.generation` when the tracked part changed.
pub fn bump_generation(new: &mut Value, old: &Value, has_status: bool) {
    let old_gen = old
        .metadata()
        .and_then(|m| m.get("generation"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let changed = spec_part(new, has_status) != spec_part(old, has_status);
    new.set_meta(
        "generation",
        Value::from(if changed { old_gen + 1 } else { old_gen }),
    );
}

/// Whether two stored forms are the same object state (ignoring resourceVersion).
pub fn same_state(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        v.metadata_mut().remove("resourceVersion");
        v
    };
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::SystemTime;

    #[test]
    fn empty_metadata_fields_are_dropped() {
        let mut obj = json!({"metadata": {"name": "a", "finalizers": [], "labels": {}, "generateName": "", "uid": null, "annotations": {"k": ""}}});
        normalize_meta(&mut obj);
        assert_eq!(
            obj,
            json!({"metadata": {"name": "a", "annotations": {"k": ""}}})
        );
    }

    #[test]
    fn create_stamps_identity() {
        let mut obj = json!({"metadata": {"name": "a", "uid": "client", "resourceVersion": "9", "deletionTimestamp": "x"}});
        stamp_create(
            &mut obj,
            &Ctx {
                now: SystemTime::UNIX_EPOCH,
            },
            true,
        );
        assert_ne!(obj["metadata"]["uid"], "client");
        assert_eq!(obj["metadata"]["creationTimestamp"], "1970-01-01T00:00:00Z");
        assert_eq!(obj["metadata"]["generation"], 1);
        assert!(obj["metadata"].get("deletionTimestamp").is_none());
        assert!(obj["metadata"].get("resourceVersion").is_none());
    }

    #[test]
    fn generation_tracks_spec_only() {
        let old = json!({"metadata": {"generation": 3}, "spec": {"a": 1}, "status": {"s": 1}});
        let mut same =
            json!({"metadata": {"labels": {"x": "y"}}, "spec": {"a": 1}, "status": {"s": 2}});
        bump_generation(&mut same, &old, true);
        assert_eq!(same["metadata"]["generation"], 3);
        let mut status_only = same.clone();
        bump_generation(&mut status_only, &old, false);
        assert_eq!(
            status_only["metadata"]["generation"], 4,
            "without a status subresource, status counts"
        );
        let mut changed = json!({"metadata": {}, "spec": {"a": 2}});
        bump_generation(&mut changed, &old, true);
        assert_eq!(changed["metadata"]["generation"], 4);
    }
}
