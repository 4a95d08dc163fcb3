//! The structural-schema rules (`ValidateStructural`): every node on the spine has a
//! `type`, value-validation branches (`allOf`, `anyOf`, `oneOf`, `not`) only restrict
//! fields the spine already specifies, and metadata is left to the server.
//!
//! These rules read the raw schema, because what matters is which keywords are
//! written where.

use serde_json::{Map, Value};

use crate::field::{FieldError, FieldPath};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Root,
    Item,
    Field,
}

/// Checks that `root` is a structural schema; errors are sorted by message, as the
/// API server sorts them.
pub(crate) fn validate_structural(root: &Value, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Value::Object(m) = root {
        invariants(m, Level::Root, path, &mut errs);
        completeness(m, Some(m), path, path, &mut errs);
    }
    errs.sort_by_key(|e| e.to_string());
    errs
}

fn obj<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    m.get(key).and_then(Value::as_object)
}

fn str_of<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    m.get(key).and_then(Value::as_str).unwrap_or("")
}

fn flag(m: &Map<String, Value>, key: &str) -> bool {
    m.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Whether a keyword is set to something other than its zero value.
fn set(m: &Map<String, Value>, key: &str) -> bool {
    match m.get(key) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Bool(true)) | Some(Value::Number(_)) => true,
    }
}

fn is_int_or_string_any_of(any_of: Option<&Value>) -> bool {
    let Some(Value::Array(a)) = any_of else {
        return false;
    };
    let only_type = |v: &Value, t: &str| {
        v.as_object()
            .is_some_and(|o| o.len() == 1 && o.get("type").and_then(Value::as_str) == Some(t))
    };
    a.len() == 2 && only_type(&a[0], "integer") && only_type(&a[1], "string")
}

fn invariants(s: &Map<String, Value>, lvl: Level, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let ty = str_of(s, "type");
    if ty == "array" && obj(s, "items").is_none() {
        errs.push(FieldError::required(
            path.child("items"),
            "must be specified",
        ));
    }
    if let Some(items) = obj(s, "items") {
        invariants(items, Level::Item, &path.child("items"), errs);
    }
    if let Some(props) = obj(s, "properties") {
        for (k, v) in props {
            if let Value::Object(p) = v {
                invariants(p, Level::Field, &path.child("properties").key(k), errs);
            }
        }
    }
    let has_additional = s.get("additionalProperties").is_some_and(|v| !v.is_null());
    if has_additional {
        if lvl == Level::Root {
            errs.push(FieldError::forbidden(
                path.child("additionalProperties"),
                "must not be used at the root",
            ));
        }
        if let Some(a) = obj(s, "additionalProperties") {
            invariants(a, Level::Field, &path.child("additionalProperties"), errs);
        }
    }

    let int_or_string = flag(s, "x-kubernetes-int-or-string");
    let preserve = flag(s, "x-kubernetes-preserve-unknown-fields");
    let embedded = flag(s, "x-kubernetes-embedded-resource");
    if int_or_string && preserve {
        errs.push(FieldError::invalid(
            path.child("x-kubernetes-preserve-unknown-fields"),
            Value::Bool(true),
            "must be false if x-kubernetes-int-or-string is true",
        ));
    }
    if int_or_string && embedded {
        errs.push(FieldError::invalid(
            path.child("x-kubernetes-embedded-resource"),
            Value::Bool(true),
            "must be false if x-kubernetes-int-or-string is true",
        ));
    }

    let skip_any_of = is_int_or_string_any_of(s.get("anyOf"));
    let skip_first_all_of_any_of = s
        .get("allOf")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .is_some_and(|first| is_int_or_string_any_of(first.get("anyOf")));
    value_validation(s, skip_any_of, skip_first_all_of_any_of, lvl, path, errs);

    let check_metadata = lvl == Level::Root || embedded;
    if embedded && ty != "object" {
        if ty.is_empty() {
            errs.push(FieldError::required(
                path.child("type"),
                "must be object if x-kubernetes-embedded-resource is true",
            ));
        } else {
            errs.push(FieldError::invalid(
                path.child("type"),
                Value::from(ty),
                "must be object if x-kubernetes-embedded-resource is true",
            ));
        }
    } else if ty.is_empty() && !int_or_string && !preserve {
        let detail = match lvl {
            Level::Root => "must not be empty at the root",
            Level::Item => "must not be empty for specified array items",
            Level::Field => "must not be empty for specified object fields",
        };
        errs.push(FieldError::required(path.child("type"), detail));
    }
    if embedded && has_additional {
        errs.push(FieldError::forbidden(
            path.child("additionalProperties"),
            "must not be used if x-kubernetes-embedded-resource is set",
        ));
    }
    if lvl == Level::Root && !ty.is_empty() && ty != "object" {
        errs.push(FieldError::invalid(
            path.child("type"),
            Value::from(ty),
            "must be object at the root",
        ));
    }

    let props = obj(s, "properties");
    if check_metadata {
        for name in ["kind", "apiVersion"] {
            if let Some(p) = props.and_then(|p| obj(p, name)) {
                let t = str_of(p, "type");
                if t != "string" {
                    errs.push(FieldError::invalid(
                        path.child("properties").key(name).child("type"),
                        Value::from(t),
                        "must be string",
                    ));
                }
            }
        }
    }
    if let Some(meta) = props.and_then(|p| obj(p, "metadata")) {
        metadata_invariants(
            meta,
            check_metadata,
            lvl,
            &path.child("properties").key("metadata"),
            errs,
        );
    }
    if embedded && !preserve && props.is_none_or(|p| p.is_empty()) {
        errs.push(FieldError::required(
            path.child("properties"),
            "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
        ));
    }
}

fn metadata_invariants(
    s: &Map<String, Value>,
    check_metadata: bool,
    lvl: Level,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let ty = str_of(s, "type");
    if check_metadata && ty != "object" {
        errs.push(FieldError::invalid(
            path.child("type"),
            Value::from(ty),
            "must be object",
        ));
    }
    if lvl != Level::Root {
        return;
    }
    let props_ok = match obj(s, "properties") {
        None => true,
        Some(p) => p.is_empty() || p.keys().all(|k| k == "name" || k == "generateName"),
    };
    let others = s
        .keys()
        .any(|k| !matches!(k.as_str(), "type" | "properties" | "default") && set(s, k));
    if !props_ok || others {
        errs.push(FieldError::forbidden(
            path,
            "must not specify anything other than name and generateName, but metadata is implicitly specified",
        ));
    }
}

fn value_validation(
    s: &Map<String, Value>,
    skip_any_of: bool,
    skip_first_all_of_any_of: bool,
    lvl: Level,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let list = |key: &str| {
        s.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    if !skip_any_of {
        for (i, v) in list("anyOf").iter().enumerate() {
            if let Value::Object(v) = v {
                nested(v, false, false, lvl, &path.child("anyOf").index(i), errs);
            }
        }
    }
    for (i, v) in list("allOf").iter().enumerate() {
        if let Value::Object(v) = v {
            let skip = skip_first_all_of_any_of && i == 0;
            nested(v, skip, false, lvl, &path.child("allOf").index(i), errs);
        }
    }
    for (i, v) in list("oneOf").iter().enumerate() {
        if let Value::Object(v) = v {
            nested(v, false, false, lvl, &path.child("oneOf").index(i), errs);
        }
    }
    if let Some(not) = obj(s, "not") {
        nested(not, false, false, lvl, &path.child("not"), errs);
    }
}

fn nested(
    v: &Map<String, Value>,
    skip_any_of: bool,
    skip_all_of_any_of: bool,
    lvl: Level,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    value_validation(v, skip_any_of, skip_all_of_any_of, lvl, path, errs);
    if let Some(items) = obj(v, "items") {
        nested(items, false, false, lvl, &path.child("items"), errs);
    }
    if let Some(props) = obj(v, "properties") {
        for (k, p) in props {
            if let Value::Object(p) = p {
                nested(
                    p,
                    false,
                    false,
                    Level::Field,
                    &path.child("properties").key(k),
                    errs,
                );
            }
        }
    }
    let forbid = |errs: &mut Vec<FieldError>, key: &str, detail: &str| {
        errs.push(FieldError::forbidden(path.child(key), detail));
    };
    if set(v, "type") {
        forbid(errs, "type", "must be empty to be structural");
    }
    if v.get("additionalProperties").is_some_and(|a| !a.is_null()) {
        forbid(
            errs,
            "additionalProperties",
            "must be undefined to be structural",
        );
    }
    if v.get("default").is_some_and(|d| !d.is_null()) {
        forbid(errs, "default", "must be undefined to be structural");
    }
    if set(v, "title") {
        forbid(errs, "title", "must be empty to be structural");
    }
    if set(v, "description") {
        forbid(errs, "description", "must be empty to be structural");
    }
    if flag(v, "nullable") {
        forbid(errs, "nullable", "must be false to be structural");
    }
    for key in [
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource",
        "x-kubernetes-int-or-string",
    ] {
        if flag(v, key) {
            forbid(errs, key, "must be false to be structural");
        }
    }
    if set(v, "x-kubernetes-list-map-keys") {
        forbid(
            errs,
            "x-kubernetes-list-map-keys",
            "must be empty to be structural",
        );
    }
    for key in ["x-kubernetes-list-type", "x-kubernetes-map-type"] {
        if v.get(key).is_some_and(|x| !x.is_null()) {
            forbid(errs, key, "must be undefined to be structural");
        }
    }
    if set(v, "x-kubernetes-validations") {
        forbid(
            errs,
            "x-kubernetes-validations",
            "must be empty to be structural",
        );
    }
    if obj(v, "properties").is_some_and(|p| p.contains_key("metadata")) {
        errs.push(FieldError::forbidden(
            path.child("properties").key("metadata"),
            "must not be specified in a nested context",
        ));
    }
}

/// Every field a value validation mentions must exist on the spine.
fn completeness(
    v: &Map<String, Value>,
    s: Option<&Map<String, Value>>,
    s_path: &FieldPath,
    v_path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let Some(s) = s else {
        errs.push(FieldError::required(
            s_path,
            format!("because it is defined in {v_path}"),
        ));
        return;
    };
    if let Some(not) = obj(v, "not") {
        nested_completeness(not, s, s_path, &v_path.child("not"), errs);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, branch) in v
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Value::Object(b) = branch {
                nested_completeness(b, s, s_path, &v_path.child(key).index(i), errs);
            }
        }
    }
}

fn nested_completeness(
    v: &Map<String, Value>,
    s: &Map<String, Value>,
    s_path: &FieldPath,
    v_path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    completeness(v, Some(s), s_path, v_path, errs);
    if let Some(items) = obj(v, "items") {
        match obj(s, "items") {
            Some(s_items) => nested_completeness(
                items,
                s_items,
                &s_path.child("items"),
                &v_path.child("items"),
                errs,
            ),
            None => errs.push(FieldError::required(
                s_path.child("items"),
                format!("because it is defined in {}", v_path.child("items")),
            )),
        }
    }
    if let Some(props) = obj(v, "properties") {
        let s_props = obj(s, "properties");
        for (k, p) in props {
            let Value::Object(p) = p else { continue };
            let s_child = s_path.child("properties").key(k);
            let v_child = v_path.child("properties").key(k);
            match s_props.and_then(|sp| obj(sp, k)) {
                Some(sp) => nested_completeness(p, sp, &s_child, &v_child, errs),
                None => errs.push(FieldError::required(
                    &s_child,
                    format!("because it is defined in {v_child}"),
                )),
            }
        }
    }
}
