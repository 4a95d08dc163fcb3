//! Removing a set of fields from an object (`TypedValue.RemoveItems`): a member of the
//! set removes the field (or item) with everything below it.

use serde_json::{Map, Value};

use super::{Atom, ListRel, MAX_DEPTH, atom, item_element};
use crate::fieldmanager::path::PathElement;
use crate::fieldmanager::set::FieldSet;
use crate::shape::Shape;

/// `value` without the fields of `to_remove`. `None` when nothing is left; a map or list
/// emptied this way is dropped from its parent.
pub(crate) fn remove_items(value: &Value, to_remove: &FieldSet, shape: &Shape) -> Option<Value> {
    remove(value, to_remove, shape, 0)
}

fn remove(value: &Value, to_remove: &FieldSet, shape: &Shape, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return Some(value.clone());
    }
    match atom(shape, value) {
        Atom::Leaf => Some(value.clone()),
        Atom::Map(m) => {
            let map = value.as_object()?;
            if map.is_empty() || m.atomic {
                return None;
            }
            let mut out = Map::new();
            for (k, v) in map {
                let pe = PathElement::Field(k.clone());
                if to_remove.has_member(&pe) {
                    continue;
                }
                let kept = match to_remove.child(&pe) {
                    Some(below) => remove(v, below, m.child(k).0, depth + 1),
                    None => Some(v.clone()),
                };
                if let Some(kept) = kept {
                    out.insert(k.clone(), kept);
                }
            }
            if out.is_empty() {
                None
            } else {
                Some(Value::Object(out))
            }
        }
        Atom::List(l) => {
            let items = value.as_array()?;
            if items.is_empty() || matches!(l.rel, ListRel::Atomic) {
                return None;
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let Ok(pe) = item_element(l.rel, item) else {
                    out.push(item.clone());
                    continue;
                };
                if to_remove.has_member(&pe) {
                    continue;
                }
                let kept = match to_remove.child(&pe) {
                    Some(below) => remove(item, below, l.items, depth + 1),
                    None => Some(item.clone()),
                };
                if let Some(kept) = kept {
                    out.push(kept);
                }
            }
            if out.is_empty() {
                None
            } else {
                Some(Value::Array(out))
            }
        }
    }
}
