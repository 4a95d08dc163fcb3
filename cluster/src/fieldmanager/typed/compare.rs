//! The fields that differ between two objects (`TypedValue.Compare`): removed, modified
//! (leaves whose values changed) and added.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Atom, ListAtom, ListRel, MAX_DEPTH, MapAtom, atom, item_element};
use crate::fieldmanager::path::PathElement;
use crate::fieldmanager::set::FieldSet;
use crate::fieldmanager::value::equals;
use crate::shape::Shape;

/// What changed from one object to another.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Comparison {
    /// Fields present only in the old object.
    pub(crate) removed: FieldSet,
    /// Leaves present in both with different values.
    pub(crate) modified: FieldSet,
    /// Fields present only in the new object.
    pub(crate) added: FieldSet,
}

impl Comparison {
    /// Applies `f` to all three sets.
    pub(crate) fn map(self, f: impl Fn(&FieldSet) -> FieldSet) -> Comparison {
        Comparison {
            removed: f(&self.removed),
            modified: f(&self.modified),
            added: f(&self.added),
        }
    }
}

/// Compares `lhs` (old) with `rhs` (new).
pub(crate) fn compare(lhs: &Value, rhs: &Value, shape: &Shape) -> Comparison {
    let mut w = Walker::default();
    w.node(Some(lhs), Some(rhs), shape, 0);
    Comparison {
        removed: FieldSet::from_unsorted_paths(w.out.removed),
        modified: FieldSet::from_unsorted_paths(w.out.modified),
        added: FieldSet::from_unsorted_paths(w.out.added),
    }
}

/// The paths found so far, collected before being built into sets.
#[derive(Default)]
struct Found {
    removed: Vec<Vec<PathElement>>,
    modified: Vec<Vec<PathElement>>,
    added: Vec<Vec<PathElement>>,
}

impl Found {
    fn push(list: &mut Vec<Vec<PathElement>>, path: &[PathElement]) {
        if !path.is_empty() {
            list.push(path.to_vec());
        }
    }
}

#[derive(Default)]
struct Walker {
    path: Vec<PathElement>,
    out: Found,
}

impl Walker {
    fn node(&mut self, lhs: Option<&Value>, rhs: Option<&Value>, shape: &Shape, depth: usize) {
        let mut in_leaf = false;
        if depth > MAX_DEPTH {
            self.leaf(lhs, rhs, &mut in_leaf);
            return;
        }
        let la = lhs.map(|v| atom(shape, v));
        let ra = rhs.map(|v| atom(shape, v));
        match (la, ra) {
            (Some(a), None) => self.handle(a, lhs, rhs, depth, &mut in_leaf),
            (None, Some(b)) => self.handle(b, lhs, rhs, depth, &mut in_leaf),
            (Some(a), Some(b)) if a.same_kind(&b) => self.handle(b, lhs, rhs, depth, &mut in_leaf),
            (Some(a), Some(b)) => {
                // The value changed kind: each side is walked as what it is.
                let mut other_leaf = in_leaf;
                self.handle(a, lhs, rhs, depth, &mut other_leaf);
                self.handle(b, lhs, rhs, depth, &mut in_leaf);
            }
            (None, None) => return,
        }
        if !in_leaf {
            if lhs.is_none() {
                Found::push(&mut self.out.added, &self.path);
            } else if rhs.is_none() {
                Found::push(&mut self.out.removed, &self.path);
            }
        }
    }

    fn leaf(&mut self, lhs: Option<&Value>, rhs: Option<&Value>, in_leaf: &mut bool) {
        if *in_leaf {
            return;
        }
        *in_leaf = true;
        match (lhs, rhs) {
            (None, _) => Found::push(&mut self.out.added, &self.path),
            (_, None) => Found::push(&mut self.out.removed, &self.path),
            (Some(l), Some(r)) if !equals(l, r) => Found::push(&mut self.out.modified, &self.path),
            _ => {}
        }
    }

    fn handle(
        &mut self,
        a: Atom<'_>,
        lhs: Option<&Value>,
        rhs: Option<&Value>,
        depth: usize,
        in_leaf: &mut bool,
    ) {
        match a {
            Atom::Leaf => self.leaf(lhs, rhs, in_leaf),
            Atom::Map(m) => self.map(m, lhs, rhs, depth, in_leaf),
            Atom::List(l) => self.list(l, lhs, rhs, depth, in_leaf),
        }
    }

    fn map(
        &mut self,
        m: MapAtom<'_>,
        lhs: Option<&Value>,
        rhs: Option<&Value>,
        depth: usize,
        in_leaf: &mut bool,
    ) {
        let lm = lhs.and_then(Value::as_object);
        let rm = rhs.and_then(Value::as_object);
        let empty = |x: Option<&Map<String, Value>>| x.is_none_or(Map::is_empty);
        if m.atomic || (empty(lm) && empty(rm)) {
            self.leaf(lhs, rhs, in_leaf);
            return;
        }
        let visit = |w: &mut Walker, key: &String, lv: Option<&Value>, rv: Option<&Value>| {
            let (child, _) = m.child(key);
            w.path.push(PathElement::Field(key.clone()));
            w.node(lv, rv, child, depth + 1);
            w.path.pop();
        };
        if let Some(lm) = lm {
            for (k, lv) in lm {
                visit(self, k, Some(lv), rm.and_then(|r| r.get(k)));
            }
        }
        if let Some(rm) = rm {
            for (k, rv) in rm {
                if lm.is_none_or(|l| !l.contains_key(k)) {
                    visit(self, k, None, Some(rv));
                }
            }
        }
    }

    fn list(
        &mut self,
        l: ListAtom<'_>,
        lhs: Option<&Value>,
        rhs: Option<&Value>,
        depth: usize,
        in_leaf: &mut bool,
    ) {
        let la = lhs.and_then(Value::as_array);
        let ra = rhs.and_then(Value::as_array);
        let empty = |x: Option<&Vec<Value>>| x.is_none_or(Vec::is_empty);
        if matches!(l.rel, ListRel::Atomic) || (empty(la) && empty(ra)) {
            self.leaf(lhs, rhs, in_leaf);
            return;
        }
        let mut order: Vec<PathElement> = Vec::new();
        let mut lvals: BTreeMap<PathElement, Vec<&Value>> = BTreeMap::new();
        let mut rvals: BTreeMap<PathElement, Vec<&Value>> = BTreeMap::new();
        for item in la.into_iter().flatten() {
            let Ok(pe) = item_element(l.rel, item) else {
                continue;
            };
            let slot = lvals.entry(pe.clone()).or_default();
            if slot.is_empty() {
                order.push(pe);
            }
            slot.push(item);
        }
        for item in ra.into_iter().flatten() {
            let Ok(pe) = item_element(l.rel, item) else {
                continue;
            };
            let slot = rvals.entry(pe.clone()).or_default();
            if slot.is_empty() && !lvals.contains_key(&pe) {
                order.push(pe.clone());
            }
            slot.push(item);
        }
        for pe in order {
            let lv: &[&Value] = lvals.get(&pe).map_or(&[], Vec::as_slice);
            let rv: &[&Value] = rvals.get(&pe).map_or(&[], Vec::as_slice);
            self.path.push(pe);
            if lv.len() <= 1 && rv.len() <= 1 {
                self.node(lv.first().copied(), rv.first().copied(), l.items, depth + 1);
            } else if lv.len() >= 2 && rv.len() >= 2 {
                let same = lv.len() == rv.len() && lv.iter().zip(rv).all(|(a, b)| equals(a, b));
                if !same {
                    Found::push(&mut self.out.modified, &self.path);
                }
            } else if lv.len() >= 2 {
                if let Some(r) = rv.first() {
                    self.node(None, Some(r), l.items, depth + 1);
                }
                Found::push(&mut self.out.removed, &self.path);
            } else {
                if let Some(l0) = lv.first() {
                    self.node(Some(l0), None, l.items, depth + 1);
                }
                Found::push(&mut self.out.added, &self.path);
            }
            self.path.pop();
        }
    }
}
