//! Strategic merge of lists: merging by merge key, set union of scalars, deletion
//! lists, `$patch` items, and the ordering rules (`$setElementOrder` first, then the
//! patch's order, then the live object's).
//!
//! Lookups that the Go code does by linear search are done through hash maps keyed
//! by the JSON text of the compared value, so that merging two long lists stays
//! `O(n log n)`.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::directives::{
    Clean, DELETE, GO_MAP, MERGE, PATCH, REPLACE, SET_ELEMENT_ORDER, bad_arg_type, bad_patch_type,
    clean, no_list_of_lists, no_merge_key,
};
use super::{GoKind, go_kind, merge_map};
use crate::patch::error::PatchError;
use crate::patch::gojson;
use crate::shape::Shape;

/// How one list merges.
pub(super) struct ListMeta<'a> {
    /// The shape of the items.
    pub(super) items: &'a Shape,
    /// `patchStrategy: merge`.
    pub(super) merge: bool,
    /// `patchMergeKey`, or `""` for none (as in Go).
    pub(super) key: &'a str,
}

/// The text a value is compared by. Go compares with `==` on decoded values, for which
/// `1` and `1.0` differ, as their JSON texts do.
fn canon(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// What `index` compares: the merge key's value for maps (nil when absent), the item
/// itself otherwise.
fn lookup_value<'v>(item: &'v Value, key: &str, kind: GoKind) -> &'v Value {
    static NIL: Value = Value::Null;
    if kind == GoKind::Map {
        item.as_object().and_then(|m| m.get(key)).unwrap_or(&NIL)
    } else {
        item
    }
}

/// The first position of each compared value in a list (Go's `index`).
struct Positions(HashMap<String, usize>);

impl Positions {
    fn new(list: &[Value], key: &str, kind: GoKind) -> Self {
        let mut map = HashMap::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            map.entry(canon(lookup_value(item, key, kind))).or_insert(i);
        }
        Self(map)
    }

    fn get(&self, item: &Value, key: &str, kind: GoKind) -> Option<usize> {
        self.0.get(&canon(lookup_value(item, key, kind))).copied()
    }
}

/// `mergeSliceHandler`: merge lists merge, deletion lists delete, others are replaced.
pub(super) fn merge_slice_handler(
    original: Vec<Value>,
    patch: Vec<Value>,
    meta: &ListMeta<'_>,
    is_delete: bool,
    depth: usize,
) -> Result<Vec<Value>, PatchError> {
    if meta.merge || is_delete {
        merge_slice(original, patch, meta, is_delete, depth)
    } else {
        Ok(clean_list(patch))
    }
}

fn clean_list(items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .filter_map(|v| clean(v, Clean::StripKeys))
        .collect()
}

/// `sliceElementType`: the one Go type all items of the lists share.
fn element_kind(lists: &[&[Value]]) -> Result<GoKind, PatchError> {
    let mut kind = None;
    for item in lists.iter().flat_map(|l| l.iter()) {
        let k = go_kind(item);
        match kind {
            None if k == GoKind::Slice => return Err(no_list_of_lists()),
            None if k != GoKind::Nil => kind = Some(k),
            Some(prev) if prev == k => {}
            _ => {
                let printed: Vec<String> = lists
                    .iter()
                    .map(|l| gojson::go_v(&Value::Array(l.to_vec())))
                    .collect();
                return Err(PatchError::internal(format!(
                    "list element types are not identical: [{}]",
                    printed.join(" ")
                )));
            }
        }
    }
    kind.ok_or_else(|| PatchError::internal("no elements in any of the given slices"))
}

/// The name Go's schema gives the items, for "cannot merge lists without merge key".
fn items_name(shape: &Shape) -> &'static str {
    match shape {
        Shape::Object(o) if o.fields.is_empty() && o.rest.is_some() => "map",
        Shape::Deduced => "interface",
        // Sets of scalars are nearly all `[]string`.
        Shape::Scalar => "string",
        _ => "struct",
    }
}

/// `mergeSlice`: merges two lists of a merging (or deletion) list field.
fn merge_slice(
    original: Vec<Value>,
    patch: Vec<Value>,
    meta: &ListMeta<'_>,
    is_delete: bool,
    depth: usize,
) -> Result<Vec<Value>, PatchError> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = element_kind(&[&original, &patch])?;
    let (original, patch, merged) = if kind != GoKind::Map {
        if is_delete {
            return Ok(delete_from_slice(original, &patch));
        }
        let merged = dedupe(original.iter().chain(patch.iter()).cloned());
        (original, patch, merged)
    } else {
        if meta.key.is_empty() {
            return Err(PatchError::internal(format!(
                "cannot merge lists without merge key for {}",
                items_name(meta.items)
            )));
        }
        let (original, patch) = split_special_items(original, patch, meta.key)?;
        let merged = merge_by_key(original.clone(), &patch, meta.key, meta.items, depth)?;
        (original, patch, merged)
    };
    let (patch_items, server_only) = partition(merged, &patch, meta.key)?;
    normalize_element_order(patch_items, server_only, &patch, &original, meta.key, kind)
}

/// Splits the merged list into the items named by `by` and the others.
fn partition(
    merged: Vec<Value>,
    by: &[Value],
    key: &str,
) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
    if key.is_empty() {
        Ok(partition_primitives(merged, by))
    } else {
        partition_maps(merged, by, key)
    }
}

/// `deleteFromSlice`: removes every occurrence of the listed values.
fn delete_from_slice(current: Vec<Value>, to_delete: &[Value]) -> Vec<Value> {
    let gone: HashSet<String> = to_delete.iter().map(canon).collect();
    current
        .into_iter()
        .filter(|v| !gone.contains(&canon(v)))
        .collect()
}

/// Keeps the first occurrence of each value.
fn dedupe(items: impl Iterator<Item = Value>) -> Vec<Value> {
    let mut seen = HashSet::new();
    items.filter(|v| seen.insert(canon(v))).collect()
}

/// `mergeSliceWithSpecialElements`: applies the `$patch` items of a patch list
/// (deletions by merge key, `replace` of the whole list) and returns the resulting
/// original list and the remaining patch items.
fn split_special_items(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    key: &str,
) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
    let mut plain = Vec::with_capacity(patch.len());
    let mut replace = false;
    for item in patch {
        let Value::Object(map) = &item else {
            plain.push(item);
            continue;
        };
        let Some(directive) = map.get(PATCH) else {
            plain.push(item);
            continue;
        };
        match directive.as_str() {
            Some(DELETE) => {
                let Some(target) = map.get(key) else {
                    return Err(no_merge_key(map, key));
                };
                original.retain(|o| o.as_object().and_then(|m| m.get(key)) != Some(target));
            }
            // Other `$patch` items are still pruned, so keep going.
            Some(REPLACE) => replace = true,
            Some(MERGE) => {
                return Err(PatchError::internal(
                    "merging lists cannot yet be specified in the patch",
                ));
            }
            _ => return Err(bad_patch_type(directive, map)),
        }
    }
    if replace {
        Ok((clean_list(plain), Vec::new()))
    } else {
        Ok((original, plain))
    }
}

/// `mergeSliceWithoutSpecialElements`: merges each patch item into the original item
/// with the same merge key value, or appends it.
fn merge_by_key(
    mut original: Vec<Value>,
    patch: &[Value],
    key: &str,
    items: &Shape,
    depth: usize,
) -> Result<Vec<Value>, PatchError> {
    // Only items that have the key can match.
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, item) in original.iter().enumerate() {
        if let Some(v) = item.as_object().and_then(|m| m.get(key)) {
            index.entry(canon(v)).or_insert(i);
        }
    }
    for item in patch {
        let Value::Object(map) = item else {
            return Err(bad_arg_type(GO_MAP, item));
        };
        let Some(value) = map.get(key) else {
            return Err(no_merge_key(map, key));
        };
        let id = canon(value);
        match index.get(&id).copied() {
            Some(i) => {
                let slot = original
                    .get_mut(i)
                    .ok_or_else(|| PatchError::internal("merge index out of range"))?;
                let current = match std::mem::take(slot) {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                *slot = Value::Object(merge_map(current, map.clone(), items, depth + 1)?);
            }
            None => {
                if let Some(v) = clean(item.clone(), Clean::StripKeys) {
                    index.insert(id, original.len());
                    original.push(v);
                }
            }
        }
    }
    Ok(original)
}

/// `partitionPrimitivesByPresentInList`.
fn partition_primitives(merged: Vec<Value>, by: &[Value]) -> (Vec<Value>, Vec<Value>) {
    let present: HashSet<String> = by.iter().map(canon).collect();
    merged
        .into_iter()
        .partition(|v| present.contains(&canon(v)))
}

/// `partitionMapsByPresentInList`: every merged item must be a map with the key; an
/// item is present when `by` holds a map with the same key value.
fn partition_maps(
    merged: Vec<Value>,
    by: &[Value],
    key: &str,
) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
    // `findMapInSliceBasedOnKeyValue` stops at the first item of `by` that is not a map.
    let first_non_map = by.iter().position(|v| !v.is_object());
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, item) in by.iter().enumerate() {
        if let Some(v) = item.as_object().and_then(|m| m.get(key)) {
            first.entry(canon(v)).or_insert(i);
        }
    }
    let mut present = Vec::new();
    let mut absent = Vec::new();
    for item in merged {
        let Value::Object(map) = &item else {
            return Err(bad_arg_type(GO_MAP, &item));
        };
        let Some(value) = map.get(key) else {
            return Err(no_merge_key(map, key));
        };
        let found = first.get(&canon(value)).copied();
        match (found, first_non_map) {
            (Some(i), Some(bad)) if bad < i => return Err(not_a_map(bad)),
            (None, Some(bad)) => return Err(not_a_map(bad)),
            (Some(_), _) => present.push(item),
            (None, None) => absent.push(item),
        }
    }
    Ok((present, absent))
}

fn not_a_map(index: usize) -> PatchError {
    PatchError::internal(format!("value for key {index} is not a map"))
}

/// Whether a list item is a `$patch: delete` item.
fn is_delete_item(v: &Value) -> bool {
    v.as_object()
        .and_then(|m| m.get(PATCH))
        .and_then(Value::as_str)
        == Some(DELETE)
}

/// `validateMergeKeyInLists`.
fn validate_merge_key(key: &str, lists: &[&[Value]]) -> Result<(), PatchError> {
    for item in lists.iter().flat_map(|l| l.iter()) {
        let Value::Object(map) = item else {
            return Err(bad_arg_type(GO_MAP, item));
        };
        if !map.contains_key(key) {
            return Err(no_merge_key(map, key));
        }
    }
    Ok(())
}

/// `normalizeSliceOrder`: sorts `items` by their position in `order` (stable; items
/// not in `order` go last), with `$patch: delete` items at the very end.
fn normalize_slice_order(
    items: Vec<Value>,
    order: &[Value],
    key: &str,
    kind: GoKind,
) -> Result<Vec<Value>, PatchError> {
    let (mut items, deletes) = if kind == GoKind::Map {
        validate_merge_key(key, &[&items, order])?;
        items
            .into_iter()
            .partition::<Vec<_>, _>(|v| !is_delete_item(v))
    } else {
        (items, Vec::new())
    };
    let positions = Positions::new(order, key, kind);
    items.sort_by_cached_key(|v| positions.get(v, key, kind).unwrap_or(usize::MAX));
    items.extend(deletes);
    Ok(items)
}

/// `normalizeElementOrder`: patch items in patch order, server-only items in server
/// order, then interleaved by `mergeSortedSlice`.
fn normalize_element_order(
    patch_items: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: &str,
    kind: GoKind,
) -> Result<Vec<Value>, PatchError> {
    let patch_items = normalize_slice_order(patch_items, patch_order, key, kind)?;
    let server_only = normalize_slice_order(server_only, server_order, key, kind)?;
    Ok(merge_sorted(
        server_only,
        patch_items,
        server_order,
        key,
        kind,
    ))
}

/// `mergeSortedSlice`: a server-only item goes before a patch item only when both are
/// in the live list and it comes first there; new patch items therefore lead.
fn merge_sorted(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    key: &str,
    kind: GoKind,
) -> Vec<Value> {
    let positions = Positions::new(server_order, key, kind);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => matches!(
                (positions.get(l, key, kind), positions.get(r, key, kind)),
                (Some(li), Some(ri)) if li < ri
            ),
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
    out
}

/// `validatePatchWithSetOrderList`: the patch list's items (deletions and directive
/// items aside) must appear in the `$setElementOrder` list, in the same order.
pub(super) fn validate_patch_with_order(
    patch: &[Value],
    order: &[Value],
    key: &str,
) -> Result<(), PatchError> {
    if patch.is_empty() || order.is_empty() {
        return Ok(());
    }
    let candidates: Vec<&Value> = if key.is_empty() {
        patch.iter().collect()
    } else {
        let mut kept = Vec::new();
        for item in patch {
            if !item.is_object() {
                return Err(bad_arg_type(GO_MAP, item));
            }
            if !is_delete_item(item) {
                kept.push(item);
            }
        }
        kept
    };
    let (mut p, mut o) = (0, 0);
    while let (Some(item), Some(wanted)) = (candidates.get(p), order.get(o)) {
        if item.as_object().is_some_and(|m| m.contains_key(PATCH)) {
            p += 1;
            continue;
        }
        if merge_key_equal(item, wanted, key)? {
            p += 1;
        }
        o += 1;
    }
    if p < candidates.len() && o >= order.len() {
        return Err(PatchError::internal(format!(
            "The order in patch list:\n{}\n doesn't match {SET_ELEMENT_ORDER} list:\n{}\n",
            gojson::go_v(&Value::Array(patch.to_vec())),
            gojson::go_v(&Value::Array(order.to_vec())),
        )));
    }
    Ok(())
}

/// `mergeKeyValueEqual`.
fn merge_key_equal(left: &Value, right: &Value, key: &str) -> Result<bool, PatchError> {
    if key.is_empty() {
        return Ok(left == right);
    }
    let Value::Object(l) = left else {
        return Err(bad_arg_type(GO_MAP, left));
    };
    let Value::Object(r) = right else {
        return Err(bad_arg_type(GO_MAP, right));
    };
    let lv = l.get(key).ok_or_else(|| no_merge_key(l, key))?;
    let rv = r.get(key).ok_or_else(|| no_merge_key(r, key))?;
    Ok(lv == rv)
}

/// The ordering half of `mergePatchIntoOriginal`: puts a merged list in the order a
/// `$setElementOrder` list gives, keeping server-only items where the live list had
/// them.
pub(super) fn apply_order(
    merged: Vec<Value>,
    order: &[Value],
    server_order: &[Value],
    patch_list: &[Value],
    key: &str,
) -> Result<Vec<Value>, PatchError> {
    let (patch_items, server_only) = partition(merged, order, key)?;
    let kind = element_kind(&[server_order, patch_list])?;
    normalize_element_order(patch_items, server_only, order, server_order, key, kind)
}
