//! Walks over an object together with its [`Shape`]: what structured-merge-diff does
//! with a `TypedValue`. A node's *atom* says how it behaves: a leaf (scalars, atomic
//! maps and lists, and anything whose value does not fit its shape), a granular map, or
//! a granular list whose items are identified by key or by value.

mod compare;
mod fieldset;
mod merge;
mod remove;
mod validate;

use std::collections::BTreeMap;

use serde_json::Value;

use super::path::PathElement;
use crate::shape::{ListKind, Shape};

pub(crate) use compare::{Comparison, compare};
pub(crate) use fieldset::{ensure_named_fields_are_members, to_field_set};
pub(crate) use merge::merge;
pub(crate) use remove::remove_items;
pub(crate) use validate::validate;

/// Nodes deeper than this are treated as leaves, so no input can exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 200;

/// The shape of anything below an unknown or schemaless node.
pub(crate) static DEDUCED: Shape = Shape::Deduced;

/// How a node with a given value behaves.
#[derive(Clone, Copy)]
pub(crate) enum Atom<'s> {
    /// Merged by replacement, owned as one field.
    Leaf,
    /// A map merged key by key.
    Map(MapAtom<'s>),
    /// A list merged item by item, or (atomic) by replacement.
    List(ListAtom<'s>),
}

impl Atom<'_> {
    fn kind(&self) -> u8 {
        match self {
            Atom::Leaf => 0,
            Atom::Map(_) => 1,
            Atom::List(_) => 2,
        }
    }

    /// Whether two atoms of the same node are handled alike.
    pub(crate) fn same_kind(&self, other: &Atom<'_>) -> bool {
        self.kind() == other.kind()
    }
}

/// A map node.
#[derive(Clone, Copy)]
pub(crate) struct MapAtom<'s> {
    fields: Option<&'s BTreeMap<String, Shape>>,
    rest: Option<&'s Shape>,
    pub(crate) atomic: bool,
}

impl<'s> MapAtom<'s> {
    /// The shape of `key`'s value, and whether `key` is a declared field (rather than a
    /// key of a map, or a field the shape does not know).
    pub(crate) fn child(&self, key: &str) -> (&'s Shape, bool) {
        if let Some(s) = self.fields.and_then(|f| f.get(key)) {
            return (s, true);
        }
        match self.rest {
            Some(r) => (r, false),
            // Unknown fields are tolerated and treated as schemaless.
            None => (&DEDUCED, false),
        }
    }
}

/// A list node.
#[derive(Clone, Copy)]
pub(crate) struct ListAtom<'s> {
    pub(crate) items: &'s Shape,
    pub(crate) rel: ListRel<'s>,
}

/// How the items of a list are identified.
#[derive(Clone, Copy)]
pub(crate) enum ListRel<'s> {
    /// Not at all: the list is one value.
    Atomic,
    /// By their own (scalar) value.
    Set,
    /// By the values of these fields.
    Keys(&'s [String]),
}

/// The atom of a node of `shape` holding `value` (`deduceAtom`).
pub(crate) fn atom<'s>(shape: &'s Shape, value: &Value) -> Atom<'s> {
    match shape {
        Shape::Scalar => Atom::Leaf,
        Shape::Object(o) => match value {
            Value::Object(_) | Value::Null => Atom::Map(MapAtom {
                fields: Some(&o.fields),
                rest: o.rest.as_deref(),
                atomic: o.atomic,
            }),
            _ => Atom::Leaf,
        },
        Shape::List(l) => match value {
            Value::Array(_) | Value::Null => Atom::List(ListAtom {
                items: &l.items,
                rel: match &l.kind {
                    ListKind::Atomic => ListRel::Atomic,
                    ListKind::Set => ListRel::Set,
                    ListKind::Map { keys } if keys.is_empty() => ListRel::Set,
                    ListKind::Map { keys } => ListRel::Keys(keys),
                },
            }),
            _ => Atom::Leaf,
        },
        Shape::Deduced => match value {
            Value::Object(_) => Atom::Map(MapAtom {
                fields: None,
                rest: Some(&DEDUCED),
                atomic: false,
            }),
            Value::Array(_) => Atom::List(ListAtom {
                items: &DEDUCED,
                rel: ListRel::Atomic,
            }),
            _ => Atom::Leaf,
        },
    }
}

/// The step that identifies `item` in a list of kind `rel` (`listItemToPathElement`).
pub(crate) fn item_element(rel: ListRel<'_>, item: &Value) -> Result<PathElement, String> {
    match rel {
        ListRel::Atomic => Err("invalid indexing of non-associative list".into()),
        ListRel::Keys(keys) => {
            let map = match item {
                Value::Null => {
                    return Err("associative list with keys may not have a null element".into());
                }
                Value::Object(map) => map,
                _ => return Err("associative list with keys may not have non-map elements".into()),
            };
            let fields: Vec<(String, Value)> = keys
                .iter()
                .filter_map(|k| {
                    map.get(k)
                        .cloned()
                        .or_else(|| key_default(k, keys))
                        .map(|v| (k.clone(), v))
                })
                .collect();
            if fields.is_empty() {
                let quoted: Vec<String> = keys.iter().map(|k| super::gofmt::quote(k)).collect();
                return Err(format!(
                    "associative list with keys has an element that omits all key fields [{}] (and doesn't have default values for any key fields)",
                    quoted.join(" ")
                ));
            }
            Ok(PathElement::key(fields))
        }
        ListRel::Set => match item {
            Value::Object(_) => {
                Err("associative list without keys has an element that's a map type".into())
            }
            Value::Array(_) => Err("not supported: associative list with lists as elements".into()),
            Value::Null => {
                Err("associative list without keys has an element that's an explicit null".into())
            }
            v => Ok(PathElement::Value(v.clone())),
        },
    }
}

/// The default of a key field an item leaves out. Shapes carry no defaults, so this
/// restates the one the built-in kinds have: `protocol` is `TCP` in the ports of
/// containers, services and endpoints, keyed by port and protocol.
fn key_default(key: &str, keys: &[String]) -> Option<Value> {
    (key == "protocol" && keys.len() > 1).then(|| Value::String("TCP".into()))
}

/// The steps of a list's items, or `None` if one of them cannot be identified.
pub(crate) fn item_elements(rel: ListRel<'_>, items: &[Value]) -> Option<Vec<PathElement>> {
    items.iter().map(|i| item_element(rel, i).ok()).collect()
}

/// The shape of ObjectMeta, which every kind's `metadata` has whatever its schema says.
pub(crate) fn object_meta_shape() -> Shape {
    let owner_ref = Shape::object(
        [
            "apiVersion",
            "kind",
            "name",
            "uid",
            "controller",
            "blockOwnerDeletion",
        ]
        .map(|f| (f, Shape::Scalar)),
    );
    Shape::object(
        [
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
        ]
        .map(|f| (f, Shape::Scalar)),
    )
    .with_field("labels", Shape::map(Shape::Scalar))
    .with_field("annotations", Shape::map(Shape::Scalar))
    .with_field("ownerReferences", Shape::keyed_list(owner_ref, &["uid"]))
    .with_field("finalizers", Shape::set())
    .with_field("managedFields", Shape::atomic_list(Shape::Deduced))
}

/// The shape the field manager uses for a whole object of `shape`: `apiVersion` and
/// `kind` are scalars and `metadata` is ObjectMeta, whatever `shape` says of them.
pub(crate) fn root_shape(shape: &Shape) -> Shape {
    let base = match shape {
        Shape::Object(o) if !o.atomic => Shape::Object(o.clone()),
        _ => Shape::Object(crate::shape::ObjectShape {
            rest: Some(Box::new(Shape::Deduced)),
            ..Default::default()
        }),
    };
    base.with_field("apiVersion", Shape::Scalar)
        .with_field("kind", Shape::Scalar)
        .with_field("metadata", object_meta_shape())
}
