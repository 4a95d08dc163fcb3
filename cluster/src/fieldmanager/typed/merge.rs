//! Merging an applied configuration into a live object (`TypedValue.Merge`): leaves and
//! atomic nodes are replaced, maps merge key by key, granular lists item by item in the
//! order structured-merge-diff gives them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{Atom, ListAtom, ListRel, MAX_DEPTH, MapAtom, atom, item_elements};
use crate::fieldmanager::path::PathElement;
use crate::shape::Shape;

/// Merges `rhs` (the configuration) into `lhs` (the live value). `None` when neither
/// side has a value (or the merge leaves nothing).
pub(crate) fn merge(
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    shape: &Shape,
    depth: usize,
) -> Option<Value> {
    if depth > MAX_DEPTH {
        return keep_rhs(lhs, rhs);
    }
    let la = lhs.map(|v| atom(shape, v));
    let ra = rhs.map(|v| atom(shape, v));
    match (la, ra) {
        (Some(a), None) => handle(a, lhs, rhs, depth),
        // When the kind of value changes, only the configuration's side counts.
        (_, Some(b)) => handle(b, lhs, rhs, depth),
        (None, None) => None,
    }
}

fn keep_rhs(lhs: Option<&Value>, rhs: Option<&Value>) -> Option<Value> {
    rhs.or(lhs).cloned()
}

fn handle(a: Atom<'_>, lhs: Option<&Value>, rhs: Option<&Value>, depth: usize) -> Option<Value> {
    match a {
        Atom::Leaf => keep_rhs(lhs, rhs),
        Atom::Map(m) => merge_map(m, lhs, rhs, depth),
        Atom::List(l) => merge_list(l, lhs, rhs, depth),
    }
}

fn merge_map(
    m: MapAtom<'_>,
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    depth: usize,
) -> Option<Value> {
    let lm = lhs.and_then(Value::as_object);
    let rm = rhs.and_then(Value::as_object);
    let empty = |x: Option<&Map<String, Value>>| x.is_none_or(Map::is_empty);
    if m.atomic || (empty(lm) && empty(rm)) {
        return keep_rhs(lhs, rhs);
    }
    let mut out = Map::new();
    if let Some(lm) = lm {
        for (k, lv) in lm {
            let (child, _) = m.child(k);
            if let Some(v) = merge(Some(lv), rm.and_then(|r| r.get(k)), child, depth + 1) {
                out.insert(k.clone(), v);
            }
        }
    }
    if let Some(rm) = rm {
        for (k, rv) in rm {
            if lm.is_some_and(|l| l.contains_key(k)) {
                continue;
            }
            let (child, _) = m.child(k);
            if let Some(v) = merge(None, Some(rv), child, depth + 1) {
                out.insert(k.clone(), v);
            }
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(Value::Object(out))
    }
}

fn merge_list(
    l: ListAtom<'_>,
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    depth: usize,
) -> Option<Value> {
    let la = lhs.and_then(Value::as_array);
    let ra = rhs.and_then(Value::as_array);
    let empty = |x: Option<&Vec<Value>>| x.is_none_or(Vec::is_empty);
    if matches!(l.rel, ListRel::Atomic) || (empty(la) && empty(ra)) {
        return keep_rhs(lhs, rhs);
    }
    let no_items = Vec::new();
    let la = la.unwrap_or(&no_items);
    let ra = ra.unwrap_or(&no_items);
    // Items that cannot be identified make the list unmergeable: replace it whole.
    let (Some(lhs_pes), Some(rhs_pes)) = (item_elements(l.rel, la), item_elements(l.rel, ra))
    else {
        return keep_rhs(lhs, rhs);
    };
    Some(Value::Array(ordered_merge(
        l, la, &lhs_pes, ra, &rhs_pes, depth,
    )))
}

/// The merged items: live items the configuration does not mention keep their place,
/// the configuration's items come in its order, each merged with its live twin.
fn ordered_merge(
    l: ListAtom<'_>,
    la: &[Value],
    lhs_pes: &[PathElement],
    ra: &[Value],
    rhs_pes: &[PathElement],
    depth: usize,
) -> Vec<Value> {
    let null = Value::Null;
    // Live items by step; a repeated step maps to null, as duplicates are not merged.
    let mut observed_lhs: BTreeMap<&PathElement, &Value> = BTreeMap::new();
    for (pe, item) in lhs_pes.iter().zip(la) {
        if observed_lhs.insert(pe, item).is_some() {
            observed_lhs.insert(pe, &null);
        }
    }
    let mut observed_rhs: BTreeMap<&PathElement, &Value> = BTreeMap::new();
    for (pe, item) in rhs_pes.iter().zip(ra) {
        observed_rhs.entry(pe).or_insert(item);
    }
    let mut shared = rhs_pes.iter().filter(|pe| observed_lhs.contains_key(pe));
    let mut next_shared = shared.next();
    let mut merged_rhs: BTreeSet<&PathElement> = BTreeSet::new();
    let mut out = Vec::with_capacity(la.len().max(ra.len()));
    let push = |out: &mut Vec<Value>, lc: Option<&Value>, rc: Option<&Value>| {
        if let Some(v) = merge(lc, rc, l.items, depth + 1) {
            out.push(v);
        }
    };
    let (mut li, mut ri) = (0, 0);
    while li < lhs_pes.len() || ri < rhs_pes.len() {
        if let (Some(lpe), Some(rpe)) = (lhs_pes.get(li), rhs_pes.get(ri)) {
            if lpe == rpe {
                merged_rhs.insert(lpe);
                push(
                    &mut out,
                    observed_lhs.get(lpe).copied(),
                    observed_rhs.get(rpe).copied(),
                );
                li += 1;
                ri += 1;
                next_shared = shared.next();
                continue;
            }
            if observed_rhs.contains_key(lpe) && next_shared.is_some_and(|n| n != lpe) {
                li += 1;
                continue;
            }
        }
        if let Some(lpe) = lhs_pes.get(li) {
            if !observed_rhs.contains_key(lpe) {
                push(&mut out, la.get(li), None);
                li += 1;
                continue;
            } else if merged_rhs.contains(lpe) {
                li += 1;
            }
        }
        if let Some(rpe) = rhs_pes.get(ri) {
            merged_rhs.insert(rpe);
            push(
                &mut out,
                observed_lhs.get(rpe).copied(),
                observed_rhs.get(rpe).copied(),
            );
            ri += 1;
            if next_shared == Some(rpe) {
                next_shared = shared.next();
            }
        }
    }
    out
}
