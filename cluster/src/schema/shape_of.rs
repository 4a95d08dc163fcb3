//! The merge shape of a structural schema, for server-side apply.

use std::collections::BTreeMap;

use super::node::{Additional, JsonType, ListType, Node};
use crate::shape::{ListKind, ListShape, ObjectShape, Shape};

/// Derives the shape of `node`; `resource_root` adds `apiVersion`, `kind` (scalars)
/// and `metadata` (deduced: the server owns its shape).
pub(crate) fn shape(node: &Node, resource_root: bool) -> Shape {
    let resource_root = resource_root || node.embedded;
    if node.int_or_string {
        return Shape::Scalar;
    }
    let is_object =
        node.ty == Some(JsonType::Object) || (node.ty.is_none() && !node.properties.is_empty());
    if node.preserve_unknown
        && node.properties.is_empty()
        && node.additional.is_none()
        && !resource_root
    {
        return Shape::Deduced;
    }
    match node.ty {
        Some(JsonType::Array) => {
            let items = node
                .items
                .as_deref()
                .map(|i| shape(i, false))
                .unwrap_or(Shape::Deduced);
            let kind = match &node.list_type {
                Some(ListType::Set) => ListKind::Set,
                Some(ListType::Map(keys)) => ListKind::Map { keys: keys.clone() },
                Some(ListType::Atomic) | None => ListKind::Atomic,
            };
            Shape::List(ListShape {
                items: Box::new(items),
                kind,
                strategic: None,
            })
        }
        _ if is_object || node.preserve_unknown || resource_root => {
            let mut fields: BTreeMap<String, Shape> = node
                .properties
                .iter()
                .map(|(k, p)| (k.clone(), shape(p, false)))
                .collect();
            if resource_root {
                fields.insert("apiVersion".to_string(), Shape::Scalar);
                fields.insert("kind".to_string(), Shape::Scalar);
                fields.insert("metadata".to_string(), Shape::Deduced);
            }
            let rest = match &node.additional {
                Some(Additional::Schema(a)) => Some(Box::new(shape(a, false))),
                Some(Additional::Bool(true)) => Some(Box::new(Shape::Deduced)),
                _ if node.preserve_unknown => Some(Box::new(Shape::Deduced)),
                _ => None,
            };
            Shape::Object(ObjectShape {
                fields,
                rest,
                atomic: node.map_atomic,
                retain_keys: false,
            })
        }
        _ => Shape::Scalar,
    }
}
