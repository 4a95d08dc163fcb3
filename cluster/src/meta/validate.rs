//! `ObjectMeta` validation for every kind (`ValidateObjectMeta` and
//! `ValidateObjectMetaUpdate` in the API server).

use serde_json::{Map, Value};

use crate::field::{FieldError, FieldPath};

use super::labels::{qualified_name, validate_annotations, validate_labels};
use super::names::NameRule;

/// Finalizers that may be written without a domain.
pub const STANDARD_FINALIZERS: &[&str] = &[
    "kubernetes",
    "orphan",
    "foregroundDeletion",
    "customresourcecleanup.apiextensions.k8s.io",
];

fn meta_path() -> FieldPath {
    FieldPath::new("metadata")
}

/// Checks that `metadata` has the right JSON types, before anything reads it.
/// Wrong types are decoding errors (400) in the real server; the caller turns these
/// messages into a `BadRequest`.
pub fn check_meta_types(obj: &Value) -> Result<(), String> {
    let Some(meta) = obj.get("metadata") else {
        return Ok(());
    };
    let Some(meta) = meta.as_object() else {
        if meta.is_null() {
            return Ok(());
        }
        return Err(type_error("metadata", "ObjectMeta", meta));
    };
    for field in [
        "name",
        "generateName",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
        "deletionTimestamp",
    ] {
        if let Some(v) = meta.get(field)
            && !v.is_string()
            && !v.is_null()
        {
            return Err(type_error(&format!("metadata.{field}"), "string", v));
        }
    }
    for field in ["labels", "annotations"] {
        if let Some(v) = meta.get(field) {
            match v {
                Value::Null => {}
                Value::Object(m) => {
                    if let Some((k, bad)) = m.iter().find(|(_, v)| !v.is_string()) {
                        return Err(type_error(&format!("metadata.{field}.{k}"), "string", bad));
                    }
                }
                other => {
                    return Err(type_error(
                        &format!("metadata.{field}"),
                        "map[string]string",
                        other,
                    ));
                }
            }
        }
    }
    if let Some(v) = meta.get("finalizers") {
        match v {
            Value::Null => {}
            Value::Array(items) => {
                if let Some(bad) = items.iter().find(|v| !v.is_string()) {
                    return Err(type_error("metadata.finalizers", "string", bad));
                }
            }
            other => return Err(type_error("metadata.finalizers", "[]string", other)),
        }
    }
    if let Some(v) = meta.get("ownerReferences") {
        match v {
            Value::Null => {}
            Value::Array(items) => {
                if let Some(bad) = items.iter().find(|v| !v.is_object()) {
                    return Err(type_error(
                        "metadata.ownerReferences",
                        "v1.OwnerReference",
                        bad,
                    ));
                }
            }
            other => {
                return Err(type_error(
                    "metadata.ownerReferences",
                    "[]v1.OwnerReference",
                    other,
                ));
            }
        }
    }
    if let Some(v) = meta.get("generation")
        && !v.is_i64()
        && !v.is_null()
    {
        return Err(type_error("metadata.generation", "int64", v));
    }
    Ok(())
}

fn type_error(field: &str, go_type: &str, value: &Value) -> String {
    let json_type = match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    format!("json: cannot unmarshal {json_type} into Go struct field {field} of type {go_type}")
}

/// Validates the metadata of an object being created. The name has already been
/// generated from `generateName` if needed.
pub fn validate_create(obj: &Value, rule: NameRule, namespaced: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let empty = Map::new();
    let meta = obj
        .get("metadata")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let path = meta_path();
    let name = meta.get("name").and_then(Value::as_str).unwrap_or("");
    let generate = meta
        .get("generateName")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !generate.is_empty() {
        for msg in rule.check_prefix(generate) {
            errs.push(FieldError::invalid(
                path.child("generateName"),
                Value::from(generate),
                msg,
            ));
        }
    }
    if name.is_empty() {
        errs.push(FieldError::required(
            path.child("name"),
            "name or generateName is required",
        ));
    } else {
        for msg in rule.check(name) {
            errs.push(FieldError::invalid(
                path.child("name"),
                Value::from(name),
                msg,
            ));
        }
    }
    let namespace = meta.get("namespace").and_then(Value::as_str).unwrap_or("");
    if namespaced {
        if namespace.is_empty() {
            errs.push(FieldError::required(path.child("namespace"), ""));
        } else {
            for msg in NameRule::Label.check(namespace) {
                errs.push(FieldError::invalid(
                    path.child("namespace"),
                    Value::from(namespace),
                    msg,
                ));
            }
        }
    } else if !namespace.is_empty() {
        errs.push(FieldError::forbidden(
            path.child("namespace"),
            "not allowed on this type",
        ));
    }
    validate_common(meta, &path, &mut errs);
    errs
}

/// Validates the metadata of an update. Server-owned fields have already been carried
/// over from `old`.
pub fn validate_update(
    new: &Value,
    old: &Value,
    rule: NameRule,
    namespaced: bool,
) -> Vec<FieldError> {
    let mut errs = validate_create(new, rule, namespaced);
    let empty = Map::new();
    let new_meta = new
        .get("metadata")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let old_meta = old
        .get("metadata")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let path = meta_path();
    for field in ["name", "namespace", "uid"] {
        let n = new_meta.get(field).cloned().unwrap_or(Value::Null);
        let o = old_meta.get(field).cloned().unwrap_or(Value::Null);
        if n != o {
            errs.push(FieldError::invalid(
                path.child(field),
                n,
                "field is immutable",
            ));
        }
    }
    let deleting = old_meta
        .get("deletionTimestamp")
        .is_some_and(|v| !v.is_null());
    if deleting {
        let old_f: Vec<&str> = strings(old_meta.get("finalizers"));
        let added: Vec<String> = strings(new_meta.get("finalizers"))
            .into_iter()
            .filter(|f| !old_f.contains(f))
            .map(|f| format!("{f:?}"))
            .collect();
        if !added.is_empty() {
            errs.push(FieldError::forbidden(
                path.child("finalizers"),
                format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                    added.join(", ")
                ),
            ));
        }
    }
    errs
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn validate_common(meta: &Map<String, Value>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if let Some(Value::Object(labels)) = meta.get("labels") {
        validate_labels(labels, &path.child("labels"), errs);
    }
    if let Some(Value::Object(annotations)) = meta.get("annotations") {
        validate_annotations(annotations, &path.child("annotations"), errs);
    }
    if let Some(Value::Array(finalizers)) = meta.get("finalizers") {
        let fpath = path.child("finalizers");
        for (i, f) in finalizers.iter().enumerate() {
            let f = f.as_str().unwrap_or("");
            let msgs = qualified_name(f);
            if !msgs.is_empty() {
                for msg in msgs {
                    errs.push(FieldError::invalid(fpath.index(i), Value::from(f), msg));
                }
            } else if !f.contains('/') && !STANDARD_FINALIZERS.contains(&f) {
                errs.push(FieldError::forbidden(
                    fpath.index(i),
                    "name is neither a standard finalizer name nor is it fully qualified",
                ));
            }
        }
    }
    if let Some(Value::Array(refs)) = meta.get("ownerReferences") {
        let rpath = path.child("ownerReferences");
        let mut controllers = 0;
        for r in refs {
            let get = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
            let api_version = get("apiVersion");
            if api_version.is_empty() {
                errs.push(FieldError::invalid(
                    rpath.child("apiVersion"),
                    Value::from(""),
                    "version must not be empty",
                ));
            }
            if get("kind").is_empty() {
                errs.push(FieldError::invalid(
                    rpath.child("kind"),
                    Value::from(""),
                    "kind must not be empty",
                ));
            }
            if get("name").is_empty() {
                errs.push(FieldError::invalid(
                    rpath.child("name"),
                    Value::from(""),
                    "name must not be empty",
                ));
            }
            if get("uid").is_empty() {
                errs.push(FieldError::invalid(
                    rpath.child("uid"),
                    Value::from(""),
                    "uid must not be empty",
                ));
            }
            if r.get("controller").and_then(Value::as_bool) == Some(true) {
                controllers += 1;
            }
        }
        if controllers > 1 {
            errs.push(FieldError::invalid(
                rpath,
                Value::Array(refs.clone()),
                "Only one reference can have Controller set to true",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msgs(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn create_requires_a_name() {
        let errs = validate_create(
            &json!({"metadata": {"namespace": "default"}}),
            NameRule::Subdomain,
            true,
        );
        assert_eq!(
            msgs(&errs),
            vec!["metadata.name: Required value: name or generateName is required"]
        );
    }

    #[test]
    fn cluster_scoped_forbids_namespace() {
        let errs = validate_create(
            &json!({"metadata": {"name": "a", "namespace": "x"}}),
            NameRule::Subdomain,
            false,
        );
        assert_eq!(
            msgs(&errs),
            vec!["metadata.namespace: Forbidden: not allowed on this type"]
        );
    }

    #[test]
    fn finalizers_and_owner_refs() {
        let obj = json!({"metadata": {"name": "a", "namespace": "d",
            "finalizers": ["kubernetes", "example.com/x", "nope"],
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "1", "controller": true},
                {"apiVersion": "v1", "kind": "Pod", "name": "q", "uid": "2", "controller": true},
                {"apiVersion": "", "kind": "Pod", "name": "r", "uid": "3"}]}});
        let m = msgs(&validate_create(&obj, NameRule::Subdomain, true));
        assert!(m.contains(&"metadata.finalizers[2]: Forbidden: name is neither a standard finalizer name nor is it fully qualified".to_string()), "{m:?}");
        assert!(m.contains(&"metadata.ownerReferences.apiVersion: Invalid value: \"\": version must not be empty".to_string()), "{m:?}");
        assert!(
            m.iter()
                .any(|s| s.ends_with("Only one reference can have Controller set to true")),
            "{m:?}"
        );
    }

    #[test]
    fn update_keeps_identity() {
        let old = json!({"metadata": {"name": "a", "namespace": "d", "uid": "u1", "deletionTimestamp": "t", "finalizers": ["x.io/a"]}});
        let new = json!({"metadata": {"name": "a", "namespace": "d", "uid": "u2", "deletionTimestamp": "t", "finalizers": ["x.io/a", "x.io/b"]}});
        let m = msgs(&validate_update(&new, &old, NameRule::Subdomain, true));
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(
            m[0],
            "metadata.uid: Invalid value: \"u2\": field is immutable"
        );
        assert!(m[1].starts_with("metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"x.io/b\"}"));
    }

    #[test]
    fn type_errors_are_reported() {
        assert!(check_meta_types(&json!({"metadata": {"labels": {"a": 1}}})).is_err());
        assert!(check_meta_types(&json!({"metadata": "x"})).is_err());
        assert!(check_meta_types(&json!({"metadata": {"finalizers": "x"}})).is_err());
        assert!(
            check_meta_types(&json!({"metadata": {"name": "a", "labels": {"a": "b"}}})).is_ok()
        );
    }
}
