//! Passes over a generated OpenAPI v3 schema (as JSON) that make it say what
//! cert-manager's CRDs say: no `nullable`, list and map types for server-side apply,
//! and a way to address a node by its field path.

use serde_json::{Map, Value};

/// Removes `nullable: true`, which schemars adds to every `Option` (cert-manager's
/// schemas never allow null; the API server prunes nulls instead).
pub(crate) fn strip_nullable(schema: &mut Value) {
    walk_mut(schema, &mut |node| {
        node.remove("nullable");
    });
}

/// Gives every array without a list type `x-kubernetes-list-type: atomic`, as
/// cert-manager's CRDs (built from `+listType=atomic` markers and Kubernetes' own
/// types) have throughout.
pub(crate) fn default_atomic_lists(schema: &mut Value) {
    walk_mut(schema, &mut |node| {
        if node.get("type").and_then(Value::as_str) == Some("array")
            && !node.contains_key("x-kubernetes-list-type")
        {
            node.insert("x-kubernetes-list-type".into(), "atomic".into());
        }
    });
}

/// Marks the Kubernetes types that are atomic maps wherever they appear under `schema`:
/// label selectors and node selectors (matched by their property names, as they come
/// from k8s-openapi without the extension).
pub(crate) fn mark_atomic_selectors(schema: &mut Value) {
    walk_mut(schema, &mut |node| {
        let Some(Value::Object(props)) = node.get_mut("properties") else {
            return;
        };
        for (name, child) in props.iter_mut() {
            let Some(child) = child.as_object_mut() else {
                continue;
            };
            let atomic = match name.as_str() {
                // LabelSelector
                "labelSelector" | "namespaceSelector" => true,
                // NodeSelectorTerm
                "preference" => true,
                // NodeSelector (the object form, under nodeAffinity)
                "requiredDuringSchedulingIgnoredDuringExecution" => {
                    child.get("type").and_then(Value::as_str) == Some("object")
                }
                // NodeSelectorTerm items
                "nodeSelectorTerms" => {
                    if let Some(Value::Object(items)) = child.get_mut("items") {
                        items.insert("x-kubernetes-map-type".into(), "atomic".into());
                    }
                    false
                }
                _ => false,
            };
            if atomic {
                child.insert("x-kubernetes-map-type".into(), "atomic".into());
            }
        }
    });
}

/// Calls `f` on every schema object under (and including) `schema`.
pub(crate) fn walk_mut(schema: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Value::Object(node) = schema else {
        return;
    };
    f(node);
    if let Some(Value::Object(props)) = node.get_mut("properties") {
        for child in props.values_mut() {
            walk_mut(child, f);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = node.get_mut(key) {
            walk_mut(child, f);
        }
    }
    for key in ["anyOf", "allOf", "oneOf"] {
        if let Some(Value::Array(children)) = node.get_mut(key) {
            for child in children {
                walk_mut(child, f);
            }
        }
    }
}

/// The schema node at `path`: dot-separated property names, each optionally followed
/// by `[]` (the list's items) or `{}` (the map's values); `""` is the root.
pub(crate) fn node_mut<'a>(schema: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let mut node = schema;
    if path.is_empty() {
        return Some(node);
    }
    for segment in path.split('.') {
        let mut name = segment;
        let mut suffixes = Vec::new();
        loop {
            if let Some(n) = name.strip_suffix("[]") {
                suffixes.push("items");
                name = n;
            } else if let Some(n) = name.strip_suffix("{}") {
                suffixes.push("additionalProperties");
                name = n;
            } else {
                break;
            }
        }
        node = node.get_mut("properties")?.get_mut(name)?;
        for key in suffixes.into_iter().rev() {
            node = node.get_mut(key)?;
        }
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_nodes_by_path() {
        let mut s = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "solvers": {"type": "array", "items": {"type": "object", "properties": {
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}}
                }}}
            }}
        }});
        assert_eq!(
            node_mut(&mut s, "spec.solvers[].labels{}").cloned(),
            Some(json!({"type": "string"}))
        );
        assert!(node_mut(&mut s, "spec.nope").is_none());
        assert_eq!(
            node_mut(&mut s, "").map(|n| n["type"].clone()),
            Some(json!("object"))
        );
    }

    #[test]
    fn passes_reshape_the_schema() {
        let mut s = json!({"type": "object", "nullable": true, "properties": {
            "a": {"type": "array", "nullable": true, "items": {"type": "string"}},
            "b": {"type": "array", "x-kubernetes-list-type": "map", "items": {"type": "object"}},
            "labelSelector": {"type": "object"}
        }});
        strip_nullable(&mut s);
        default_atomic_lists(&mut s);
        mark_atomic_selectors(&mut s);
        assert_eq!(
            s,
            json!({"type": "object", "properties": {
                "a": {"type": "array", "x-kubernetes-list-type": "atomic", "items": {"type": "string"}},
                "b": {"type": "array", "x-kubernetes-list-type": "map", "items": {"type": "object"}},
                "labelSelector": {"type": "object", "x-kubernetes-map-type": "atomic"}
            }})
        );
    }
}
