//! The set of fields an object sets (`TypedValue.ToFieldSet`), and the widening of a set
//! so that declared struct fields above its paths count as members too
//! (`EnsureNamedFieldsAreMembers`), which pruning needs.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Atom, ListRel, MAX_DEPTH, atom, item_element};
use crate::fieldmanager::path::PathElement;
use crate::fieldmanager::set::FieldSet;
use crate::shape::Shape;

/// The fields `value` sets: leaves, list items, map keys, and declared fields that are
/// null or empty objects.
pub(crate) fn to_field_set(value: &Value, shape: &Shape) -> FieldSet {
    walk(value, shape, 0).0
}

/// The set below a node, and whether the node itself is a member of its parent.
fn walk(value: &Value, shape: &Shape, depth: usize) -> (FieldSet, bool) {
    if depth > MAX_DEPTH {
        return (FieldSet::new(), true);
    }
    match atom(shape, value) {
        Atom::Leaf => (FieldSet::new(), true),
        Atom::Map(m) if m.atomic => (FieldSet::new(), true),
        Atom::Map(m) => {
            let Some(map) = value.as_object() else {
                return (FieldSet::new(), false);
            };
            let mut members = Vec::new();
            let mut children = Vec::new();
            for (key, v) in map {
                let (child_shape, declared) = m.child(key);
                let (below, self_member) = walk(v, child_shape, depth + 1);
                let empty_object = v.as_object().is_some_and(serde_json::Map::is_empty);
                let pe = PathElement::Field(key.clone());
                if self_member || v.is_null() || empty_object || !declared {
                    members.push(pe.clone());
                }
                children.push((pe, below));
            }
            (FieldSet::from_parts(members, children), false)
        }
        Atom::List(l) => {
            if matches!(l.rel, ListRel::Atomic) {
                return (FieldSet::new(), true);
            }
            let Some(items) = value.as_array() else {
                return (FieldSet::new(), false);
            };
            let elements: Vec<Option<PathElement>> =
                items.iter().map(|i| item_element(l.rel, i).ok()).collect();
            let mut counts: BTreeMap<&PathElement, usize> = BTreeMap::new();
            for pe in elements.iter().flatten() {
                *counts.entry(pe).or_default() += 1;
            }
            let mut members = Vec::new();
            let mut children = Vec::new();
            for (item, pe) in items.iter().zip(&elements) {
                let Some(pe) = pe else { continue };
                members.push(pe.clone());
                if counts.get(pe).copied().unwrap_or(0) > 1 {
                    // Duplicated items are owned as a whole, never below.
                    continue;
                }
                let (below, _) = walk(item, l.items, depth + 1);
                children.push((pe.clone(), below));
            }
            (FieldSet::from_parts(members, children), false)
        }
    }
}

/// `set` with every declared field that has paths below it made a member as well.
pub(crate) fn ensure_named_fields_are_members(set: &FieldSet, shape: &Shape) -> FieldSet {
    let mut members = set.members().to_vec();
    let mut children = Vec::with_capacity(set.children().len());
    for (pe, below) in set.children() {
        let child_shape = match (pe, shape) {
            (PathElement::Field(name), Shape::Object(o)) => {
                if o.fields.contains_key(name) {
                    members.push(pe.clone());
                }
                o.fields.get(name).or(o.rest.as_deref())
            }
            (PathElement::Key(_), Shape::List(l)) => Some(l.items.as_ref()),
            _ => None,
        };
        let widened = match child_shape {
            Some(s @ (Shape::Object(_) | Shape::List(_))) => {
                ensure_named_fields_are_members(below, s)
            }
            _ => below.clone(),
        };
        children.push((pe.clone(), widened));
    }
    FieldSet::from_parts(members, children)
}
