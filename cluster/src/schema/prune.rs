//! Pruning (`structuralpruning.PruneWithOptions`): fields the schema does not know
//! are dropped, except under `x-kubernetes-preserve-unknown-fields`, and the pruned
//! paths are reported as `fieldValidation=Warn|Strict` words them.

use serde_json::Value;

use super::node::{Additional, Node};

/// Object metadata fields: kept at resource roots (the server handles them).
const META_FIELDS: &[&str] = &["apiVersion", "kind", "metadata"];

/// Known `ObjectMeta` fields; others are dropped from embedded resources' metadata.
const OBJECT_META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Prunes `value` against `node` (a resource root when `resource_root`), appending
/// the dotted paths of dropped fields under `path` to `pruned`.
pub(crate) fn prune(
    node: Option<&Node>,
    value: &mut Value,
    resource_root: bool,
    path: &mut String,
    pruned: &mut Vec<String>,
) {
    if let Some(n) = node
        && n.preserve_unknown
    {
        skip_prune(n, value, resource_root, path, pruned);
        return;
    }
    match value {
        Value::Object(map) => {
            let Some(n) = node else {
                for k in map.keys() {
                    pruned.push(join(path, k));
                }
                map.clear();
                return;
            };
            let embedded = resource_root || n.embedded;
            let mut dropped = Vec::new();
            for (k, v) in map.iter_mut() {
                if embedded && META_FIELDS.contains(&k.as_str()) {
                    if n.embedded && k == "metadata" {
                        prune_embedded_metadata(v, path, pruned);
                    }
                    continue;
                }
                let len = path.len();
                push_key(path, k);
                if let Some(prop) = n.properties.get(k) {
                    prune(Some(prop), v, prop.embedded, path, pruned);
                } else if let Some(a) = &n.additional {
                    let schema = match a {
                        Additional::Schema(s) => Some(s.as_ref()),
                        Additional::Bool(_) => None,
                    };
                    prune(schema, v, schema.is_some_and(|s| s.embedded), path, pruned);
                } else {
                    pruned.push(path.clone());
                    dropped.push(k.clone());
                }
                path.truncate(len);
            }
            for k in dropped {
                map.remove(&k);
            }
        }
        Value::Array(items) => {
            let item_schema = node.and_then(|n| n.items.as_deref());
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                prune(
                    item_schema,
                    item,
                    item_schema.is_some_and(|s| s.embedded),
                    path,
                    pruned,
                );
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn skip_prune(
    n: &Node,
    value: &mut Value,
    resource_root: bool,
    path: &mut String,
    pruned: &mut Vec<String>,
) {
    match value {
        Value::Object(map) => {
            let embedded = resource_root || n.embedded;
            for (k, v) in map.iter_mut() {
                if embedded && META_FIELDS.contains(&k.as_str()) {
                    continue;
                }
                let len = path.len();
                push_key(path, k);
                if let Some(prop) = n.properties.get(k) {
                    prune(Some(prop), v, prop.embedded, path, pruned);
                } else if let Some(Additional::Schema(a)) = &n.additional {
                    prune(Some(a), v, a.embedded, path, pruned);
                }
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = &n.items {
                for (i, item) in items.iter_mut().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    skip_prune(item_schema, item, item_schema.embedded, path, pruned);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

fn prune_embedded_metadata(v: &mut Value, path: &str, pruned: &mut Vec<String>) {
    let Value::Object(meta) = v else { return };
    let unknown: Vec<String> = meta
        .keys()
        .filter(|k| !OBJECT_META_FIELDS.contains(&k.as_str()))
        .cloned()
        .collect();
    for k in unknown {
        meta.remove(&k);
        pruned.push(join(&join(path, "metadata"), &k));
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
