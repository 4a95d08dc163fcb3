//! Defaulting (`structuraldefaulting.Default`): absent fields with a `default` get a
//! copy of it, recursively, and `null` where the field is not nullable.

use serde_json::Value;

use super::node::Node;

/// Applies the defaults of `node` to `value`. `root` leaves `apiVersion`, `kind` and
/// `metadata` alone.
pub(crate) fn apply(node: &Node, value: &mut Value, root: bool) {
    match value {
        Value::Object(map) => {
            for (name, prop) in &node.properties {
                if root && matches!(name.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let Some(default) = &prop.default else {
                    continue;
                };
                match map.get(name) {
                    None => {
                        map.insert(name.clone(), default.clone());
                    }
                    Some(Value::Null) if !prop.nullable => {
                        map.insert(name.clone(), default.clone());
                    }
                    Some(_) => {}
                }
            }
            let additional = node.additional_schema();
            for (k, v) in map.iter_mut() {
                if root && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                if let Some(prop) = node.properties.get(k) {
                    apply(prop, v, false);
                } else if let Some(a) = additional {
                    if v.is_null()
                        && !a.nullable
                        && let Some(d) = &a.default
                    {
                        *v = d.clone();
                    }
                    apply(a, v, false);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = &node.items {
                for item in items.iter_mut() {
                    if item.is_null()
                        && !item_schema.nullable
                        && let Some(d) = &item_schema.default
                    {
                        *item = d.clone();
                    }
                    apply(item_schema, item, false);
                }
            }
        }
        _ => {}
    }
}

/// Checks every `default` on the spine as the API server does when a CRD is created:
/// it must be pruned (no unknown fields) and must validate against its schema.
/// `additionalProperties` are not followed.
pub(crate) fn validate_defaults(
    root: &Node,
    path: &crate::field::FieldPath,
) -> Vec<crate::field::FieldError> {
    let mut errs = Vec::new();
    walk(root, path, true, false, &mut errs);
    errs
}

fn walk(
    node: &Node,
    path: &crate::field::FieldPath,
    resource_root: bool,
    inside_meta: bool,
    errs: &mut Vec<crate::field::FieldError>,
) {
    use crate::field::FieldError;

    let resource_root = resource_root || node.embedded;
    let inside_meta = inside_meta && !node.embedded;
    if let Some(default) = &node.default
        && !inside_meta
    {
        let mut pruned = default.clone();
        let mut scratch = String::new();
        let mut dropped = Vec::new();
        super::prune::prune(
            Some(node),
            &mut pruned,
            resource_root,
            &mut scratch,
            &mut dropped,
        );
        if &pruned != default {
            errs.push(FieldError::invalid(
                path.child("default"),
                default.clone(),
                "must not have unknown fields",
            ));
        }
        errs.extend(super::openapi::validate(
            node,
            default,
            &path.child("default"),
        ));
    }
    if let Some(items) = &node.items {
        walk(items, &path.child("items"), false, inside_meta, errs);
    }
    for (k, prop) in &node.properties {
        let meta = resource_root && matches!(k.as_str(), "metadata" | "apiVersion" | "kind");
        walk(
            prop,
            &path.child("properties").key(k),
            false,
            inside_meta || meta,
            errs,
        );
    }
}
