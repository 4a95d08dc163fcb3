//! `apiVersion`, `kind` and `metadata` of embedded resources
//! (`x-kubernetes-embedded-resource`), checked like those of a top-level object.

use serde_json::{Map, Value};

use super::node::Node;
use crate::field::{FieldError, FieldPath};

/// Validates the embedded resources under `node` (not `node` itself: the root's
/// metadata is the server's business).
pub(crate) fn validate(
    node: &Node,
    obj: &Map<String, Value>,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    for (k, v) in obj {
        if let Some(prop) = node.properties.get(k) {
            walk(prop, v, &path.child(k), errs);
        } else if let Some(additional) = node.additional_schema() {
            walk(additional, v, &path.key(k), errs);
        }
    }
}

fn walk(node: &Node, value: &Value, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match value {
        Value::Object(map) => {
            if node.embedded {
                embedded_resource(map, path, errs);
            }
            validate(node, map, path, errs);
        }
        Value::Array(items) => {
            if let Some(item_schema) = &node.items {
                for (i, item) in items.iter().enumerate() {
                    walk(item_schema, item, &path.index(i), errs);
                }
            }
        }
        _ => {}
    }
}

const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

fn is_dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let b = s.as_bytes();
    let ok = b.first().is_some_and(u8::is_ascii_lowercase)
        && b.last()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-');
    if !ok {
        errs.push(DNS1035_LABEL_MSG.to_string());
    }
    errs
}

fn is_dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let b = s.as_bytes();
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let ok = b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
        && b.iter().all(|c| alnum(c) || *c == b'-');
    if !ok {
        errs.push(DNS1123_LABEL_MSG.to_string());
    }
    errs
}

/// `path.ValidatePathSegmentName`.
fn path_segment_name(name: &str, prefix: bool) -> Vec<String> {
    let mut errs = Vec::new();
    if !prefix && (name == "." || name == "..") {
        errs.push(format!("may not be '{name}'"));
    }
    for c in ["/", "%"] {
        if name.contains(c) {
            errs.push(format!("may not contain '{c}'"));
        }
    }
    errs
}

fn embedded_resource(x: &Map<String, Value>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if !x.contains_key("apiVersion") {
        errs.push(FieldError::required(path.child("apiVersion"), ""));
    }
    if !x.contains_key("kind") {
        errs.push(FieldError::required(path.child("kind"), ""));
    }
    for (k, v) in x {
        match k.as_str() {
            "apiVersion" => match v.as_str() {
                None => errs.push(FieldError::invalid(
                    path.child("apiVersion"),
                    v.clone(),
                    "must be a string",
                )),
                Some("") => errs.push(FieldError::invalid(
                    path.child("apiVersion"),
                    v.clone(),
                    "must not be empty",
                )),
                Some(av) if av.matches('/').count() > 1 || av.starts_with('/') && av.len() > 1 => {
                    errs.push(FieldError::invalid(
                        path.child("apiVersion"),
                        v.clone(),
                        format!("unexpected GroupVersion string: {av}"),
                    ))
                }
                Some(_) => {}
            },
            "kind" => match v.as_str() {
                None => errs.push(FieldError::invalid(
                    path.child("kind"),
                    v.clone(),
                    "must be a string",
                )),
                Some("") => errs.push(FieldError::invalid(
                    path.child("kind"),
                    v.clone(),
                    "must not be empty",
                )),
                Some(kind) => {
                    let problems = is_dns1035_label(&kind.to_lowercase());
                    if !problems.is_empty() {
                        errs.push(FieldError::invalid(
                            path.child("kind"),
                            v.clone(),
                            format!(
                                "may have mixed case, but should otherwise match: {}",
                                problems.join(",")
                            ),
                        ));
                    }
                }
            },
            "metadata" => metadata(v, &path.child("metadata"), errs),
            _ => {}
        }
    }
}

fn metadata(v: &Value, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let Value::Object(meta) = v else {
        if !v.is_null() {
            errs.push(FieldError::invalid(path, v.clone(), "must be an object"));
        }
        return;
    };
    for (field, prefix) in [("name", false), ("generateName", true)] {
        if let Some(val) = meta.get(field) {
            match val.as_str() {
                Some(s) if !s.is_empty() => {
                    for msg in path_segment_name(s, prefix) {
                        errs.push(FieldError::invalid(path.child(field), val.clone(), msg));
                    }
                }
                Some(_) => {}
                None => errs.push(FieldError::invalid(
                    path.child(field),
                    val.clone(),
                    "must be a string",
                )),
            }
        }
    }
    if let Some(ns) = meta.get("namespace") {
        match ns.as_str() {
            Some(s) if !s.is_empty() => {
                for msg in is_dns1123_label(s) {
                    errs.push(FieldError::invalid(
                        path.child("namespace"),
                        ns.clone(),
                        msg,
                    ));
                }
            }
            Some(_) => {}
            None => errs.push(FieldError::invalid(
                path.child("namespace"),
                ns.clone(),
                "must be a string",
            )),
        }
    }
    for field in ["labels", "annotations"] {
        if let Some(m) = meta.get(field)
            && !m.is_null()
            && !m
                .as_object()
                .is_some_and(|o| o.values().all(Value::is_string))
        {
            errs.push(FieldError::invalid(
                path.child(field),
                m.clone(),
                "must be a map of strings",
            ));
        }
    }
}
