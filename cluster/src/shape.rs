//! The merge shape of an object: what server-side apply and strategic merge patch need
//! to know about a type, and nothing else.
//!
//! A [`Shape`] is derived from a CRD's structural schema (`x-kubernetes-list-type`,
//! `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`,
//! `x-kubernetes-preserve-unknown-fields`) or, for built-in kinds, from a table that
//! restates the Go struct tags (`listType`, `listMapKey`, `patchStrategy`,
//! `patchMergeKey`) of the Kubernetes API types.

use std::collections::BTreeMap;

/// How one node of an object merges.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A scalar, or a value that is always replaced whole.
    Scalar,
    /// An object with named fields and/or a map of arbitrary keys.
    Object(ObjectShape),
    /// A list.
    List(ListShape),
    /// No schema is known (`x-kubernetes-preserve-unknown-fields`, or an untyped kind):
    /// objects merge field by field, lists are atomic. This is what the real server's
    /// "deduced" type does.
    Deduced,
}

/// An object node.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectShape {
    /// Known fields.
    pub fields: BTreeMap<String, Shape>,
    /// The shape of values under keys not in `fields` (`additionalProperties`), if the
    /// object is a map. `None` means unknown keys are not expected (and, for a
    /// structural schema, are pruned before any merge happens).
    pub rest: Option<Box<Shape>>,
    /// `x-kubernetes-map-type: atomic`: replaced whole, owned as one field.
    pub atomic: bool,
    /// Strategic merge patch `patchStrategy: retainKeys`: keys absent from the patch
    /// are cleared.
    pub retain_keys: bool,
}

/// A list node.
#[derive(Debug, Clone, PartialEq)]
pub struct ListShape {
    /// The shape of each item.
    pub items: Box<Shape>,
    /// Server-side apply semantics (`x-kubernetes-list-type`).
    pub kind: ListKind,
    /// Strategic merge patch semantics (`patchStrategy`/`patchMergeKey`). `None` means
    /// the list is replaced whole by a strategic merge patch.
    pub strategic: Option<StrategicList>,
}

/// `x-kubernetes-list-type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    /// Replaced whole; one owner.
    Atomic,
    /// A set of scalars; each value owned separately.
    Set,
    /// A list of objects identified by these keys; each item owned separately.
    Map { keys: Vec<String> },
}

/// Strategic merge patch behaviour of a list (`patchStrategy: merge`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategicList {
    /// `patchMergeKey`: the field that identifies an item. `None` for a list of
    /// scalars merged as a set.
    pub merge_key: Option<String>,
}

impl Shape {
    /// An object shape from its fields.
    pub fn object<I, K>(fields: I) -> Shape
    where
        I: IntoIterator<Item = (K, Shape)>,
        K: Into<String>,
    {
        Shape::Object(ObjectShape {
            fields: fields.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            ..ObjectShape::default()
        })
    }

    /// A map from arbitrary keys to `values`.
    pub fn map(values: Shape) -> Shape {
        Shape::Object(ObjectShape {
            rest: Some(Box::new(values)),
            ..ObjectShape::default()
        })
    }

    /// An atomic list of `items`.
    pub fn atomic_list(items: Shape) -> Shape {
        Shape::List(ListShape {
            items: Box::new(items),
            kind: ListKind::Atomic,
            strategic: None,
        })
    }

    /// A set of scalars, merged as a set by strategic merge patch too.
    pub fn set() -> Shape {
        Shape::List(ListShape {
            items: Box::new(Shape::Scalar),
            kind: ListKind::Set,
            strategic: Some(StrategicList { merge_key: None }),
        })
    }

    /// A list of objects keyed by `keys` for server-side apply, and by the first key
    /// for strategic merge patch.
    pub fn keyed_list(items: Shape, keys: &[&str]) -> Shape {
        Shape::List(ListShape {
            items: Box::new(items),
            kind: ListKind::Map {
                keys: keys.iter().map(|k| k.to_string()).collect(),
            },
            strategic: keys.first().map(|k| StrategicList {
                merge_key: Some(k.to_string()),
            }),
        })
    }

    /// The shape of field `name` of an object node; [`Shape::Deduced`] below a
    /// deduced node, `None` where the field is not part of the shape.
    pub fn field(&self, name: &str) -> Option<&Shape> {
        match self {
            Shape::Object(o) => o.fields.get(name).or(o.rest.as_deref()),
            Shape::Deduced => Some(&Shape::Deduced),
            _ => None,
        }
    }

    /// The shape of the items of a list node.
    pub fn items(&self) -> Option<&Shape> {
        match self {
            Shape::List(l) => Some(&l.items),
            Shape::Deduced => Some(&Shape::Deduced),
            _ => None,
        }
    }

    /// Adds (or replaces) a field of an object shape. Panics on other shapes: only
    /// meant for building static tables.
    pub fn with_field(mut self, name: &str, shape: Shape) -> Shape {
        match &mut self {
            Shape::Object(o) => {
                o.fields.insert(name.to_string(), shape);
            }
            other => panic!("with_field on a non-object shape {other:?}"),
        }
        self
    }
}
