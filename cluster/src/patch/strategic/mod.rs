//! Strategic merge patch (`application/strategic-merge-patch+json`), as
//! `k8s.io/apimachinery/pkg/util/strategicpatch` applies it on the server
//! (`StrategicMergeMapPatch`: parallel lists merged, unmatched nulls ignored).
//!
//! A strategic merge patch is a merge patch whose lists follow the type's
//! `patchStrategy`/`patchMergeKey` tags, carried here by a [`Shape`]:
//!
//! * lists with a merge key merge item by item, matched on that key; lists of scalars
//!   with `patchStrategy: merge` are unioned; other lists are replaced;
//! * `null` deletes a field;
//! * `$patch: replace` replaces the map or list it is in, `$patch: delete` empties a
//!   map or deletes a list item (by merge key); any other `$patch` value is an error;
//! * `$retainKeys: [..]` clears the map's other keys;
//! * `$deleteFromPrimitiveList/<field>: [..]` removes values from a list of scalars;
//! * `$setElementOrder/<field>: [..]` orders a merging list (kubectl apply sends it);
//! * under [`Shape::Deduced`], everything merges as a JSON merge patch.
//!
//! The API server iterates the patch in Go map order; here keys are processed in
//! document order, with deletion lists after the other keys.

mod directives;
mod list;

use std::collections::HashSet;

use serde_json::{Map, Value};

use self::directives::{
    Clean, DELETE, DELETE_FROM_PRIMITIVE_LIST, GO_SLICE, PATCH, REPLACE, RETAIN_KEYS,
    SET_ELEMENT_ORDER, bad_arg_type, bad_patch_type, bad_primitive_list, bad_retain_keys,
    bad_set_element_order, clean, clean_map, field_of,
};
use self::list::ListMeta;
use super::error::PatchError;
use super::gojson::{self, MAX_DEPTH};
use super::merge_patch;
use crate::shape::Shape;

/// The shape of anything the shape does not describe.
static DEDUCED: Shape = Shape::Deduced;

/// Applies a strategic merge patch document to `doc`, following `shape` (the merge
/// shape of the whole object), and returns the patched document.
pub fn strategic_merge_patch(
    doc: &Value,
    patch: &[u8],
    shape: &Shape,
) -> Result<Value, PatchError> {
    let patch = match gojson::parse(patch).map_err(PatchError::malformed)? {
        // Go decodes `null` into the map it was given, leaving it empty.
        Value::Null => Map::new(),
        Value::Object(map) => map,
        other => {
            return Err(PatchError::malformed(gojson::unmarshal_type_error(
                &other,
                "map[string]interface {}",
            )));
        }
    };
    let original = match doc {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let merged = merge_map(original, patch, shape, 0)?;
    super::check_result(Value::Object(merged))
}

/// The shape of field `key` of an object of shape `shape`; unknown fields are
/// deduced (merged as in a merge patch, lists replaced).
fn child<'a>(shape: &'a Shape, key: &str) -> &'a Shape {
    match shape {
        Shape::Object(o) => o.fields.get(key).or(o.rest.as_deref()).unwrap_or(&DEDUCED),
        _ => &DEDUCED,
    }
}

/// How the list in field `key` merges (`LookupPatchMetadataForSlice`).
fn list_meta<'a>(shape: &'a Shape, key: &str) -> Result<ListMeta<'a>, PatchError> {
    match child(shape, key) {
        Shape::List(l) => {
            let strategic = l.strategic.as_ref();
            Ok(ListMeta {
                items: &l.items,
                merge: strategic.is_some(),
                key: strategic.and_then(|s| s.merge_key.as_deref()).unwrap_or(""),
            })
        }
        Shape::Object(_) => {
            let parent = match shape {
                Shape::Object(o) if o.fields.contains_key(key) => "struct",
                _ => "map",
            };
            Err(PatchError::internal(format!(
                "expected slice or array type, but got: {parent}"
            )))
        }
        // A value replaced whole, or one nothing is known about: replace the list.
        Shape::Scalar | Shape::Deduced => Ok(ListMeta {
            items: &DEDUCED,
            merge: false,
            key: "",
        }),
    }
}

/// `mergeMap`: merges `patch` into `original`, both maps of shape `shape`.
fn merge_map(
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    shape: &Shape,
    depth: usize,
) -> Result<Map<String, Value>, PatchError> {
    if depth > MAX_DEPTH {
        return Err(PatchError::not_applicable("exceeded max depth"));
    }
    if matches!(shape, Shape::Deduced) {
        merge_patch::merge_objects(&mut original, patch);
        return Ok(original);
    }
    if let Some(directive) = patch.get(PATCH) {
        return match directive.as_str() {
            Some(REPLACE) => {
                patch.shift_remove(PATCH);
                Ok(clean_map(patch, Clean::StripKeys))
            }
            Some(DELETE) => Ok(Map::new()),
            _ => Err(bad_patch_type(directive, &patch)),
        };
    }
    apply_retain_keys(&mut original, &mut patch)?;
    merge_set_element_order(&mut original, &mut patch, shape, depth)?;

    type Entries = Vec<(String, Value)>;
    let (deletions, fields): (Entries, Entries) = patch
        .into_iter()
        .partition(|(k, _)| k.starts_with(DELETE_FROM_PRIMITIVE_LIST));
    for (key, value) in fields {
        merge_field(&mut original, key, value, false, shape, depth)?;
    }
    for (key, value) in deletions {
        let field = field_of(&key, DELETE_FROM_PRIMITIVE_LIST, bad_primitive_list)?;
        merge_field(&mut original, field, value, true, shape, depth)?;
    }
    Ok(original)
}

/// The kinds of value whose Go types differ after decoding: a value of another kind
/// replaces instead of merging.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum GoKind {
    Nil,
    Bool,
    Int,
    Float,
    String,
    Slice,
    Map,
}

pub(super) fn go_kind(v: &Value) -> GoKind {
    match v {
        Value::Null => GoKind::Nil,
        Value::Bool(_) => GoKind::Bool,
        Value::Number(n) if n.is_i64() => GoKind::Int,
        Value::Number(_) => GoKind::Float,
        Value::String(_) => GoKind::String,
        Value::Array(_) => GoKind::Slice,
        Value::Object(_) => GoKind::Map,
    }
}

/// One iteration of `mergeMap`'s loop: merges the patch value of one field.
/// `is_delete` marks a `$deleteFromPrimitiveList` list (already renamed to its field).
fn merge_field(
    original: &mut Map<String, Value>,
    key: String,
    value: Value,
    is_delete: bool,
    shape: &Shape,
    depth: usize,
) -> Result<(), PatchError> {
    if value.is_null() {
        original.shift_remove(&key);
        return Ok(());
    }
    let current_kind = original.get(&key).map(go_kind);
    if current_kind != Some(go_kind(&value)) {
        // Absent, or of another type: the patch value is taken (never for a
        // deletion list).
        if !is_delete {
            match clean(value, Clean::DropDirectiveMaps) {
                Some(v) => {
                    original.insert(key, v);
                }
                None => {
                    original.shift_remove(&key);
                }
            }
        }
        return Ok(());
    }
    let Some(current) = original.get_mut(&key) else {
        return Ok(());
    };
    match (std::mem::take(current), value) {
        (Value::Object(cur), Value::Object(p)) => {
            let field_shape = child(shape, &key);
            *current = Value::Object(match field_shape {
                Shape::Object(_) | Shape::Deduced => merge_map(cur, p, field_shape, depth + 1)?,
                Shape::Scalar | Shape::List(_) => clean_map(p, Clean::StripKeys),
            });
        }
        (Value::Array(cur), Value::Array(p)) => {
            let meta = list_meta(shape, &key)?;
            *current = Value::Array(list::merge_slice_handler(cur, p, &meta, is_delete, depth)?);
        }
        // Scalars of the same type: the patch value wins.
        (_, p) => *current = p,
    }
    Ok(())
}

/// `applyRetainKeysDirective`: drops the keys of `original` not listed in the patch's
/// `$retainKeys`, after checking that the patch sets no key outside the list.
fn apply_retain_keys(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
) -> Result<(), PatchError> {
    let Some(retain) = patch.shift_remove(RETAIN_KEYS) else {
        return Ok(());
    };
    let Value::Array(list) = retain else {
        return Err(bad_retain_keys());
    };
    let keep: HashSet<&str> = list.iter().filter_map(Value::as_str).collect();
    for (k, v) in patch.iter() {
        if v.is_null()
            || k.starts_with(DELETE_FROM_PRIMITIVE_LIST)
            || k.starts_with(SET_ELEMENT_ORDER)
        {
            continue;
        }
        if !keep.contains(k.as_str()) {
            return Err(bad_retain_keys());
        }
    }
    original.retain(|k, _| keep.contains(k.as_str()));
    Ok(())
}

/// `mergePatchIntoOriginal`: merges every list that has a `$setElementOrder`, puts it
/// in that order, and removes both from the patch.
fn merge_set_element_order(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    shape: &Shape,
    depth: usize,
) -> Result<(), PatchError> {
    let keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ELEMENT_ORDER))
        .cloned()
        .collect();
    for key in keys {
        let Some(order) = patch.shift_remove(&key) else {
            continue;
        };
        let Value::Array(order) = order else {
            return Err(bad_arg_type(GO_SLICE, &order));
        };
        let field = field_of(&key, SET_ELEMENT_ORDER, bad_set_element_order)?;
        let original_list = match original.get(&field) {
            None => None,
            Some(Value::Array(items)) => Some(items.clone()),
            Some(other) => return Err(bad_arg_type(GO_SLICE, other)),
        };
        let patch_list = match patch.get(&field) {
            None => None,
            Some(Value::Array(items)) => Some(items.clone()),
            Some(other) => return Err(bad_arg_type(GO_SLICE, other)),
        };
        let meta = list_meta(shape, &field)?;
        list::validate_patch_with_order(patch_list.as_deref().unwrap_or(&[]), &order, meta.key)?;
        let server_order = original_list.clone().unwrap_or_default();
        let merged = match (original_list, patch_list.clone()) {
            (Some(o), None) => o,
            (None, Some(p)) => clean(Value::Array(p), Clean::DropDirectiveMaps)
                .and_then(|v| match v {
                    Value::Array(items) => Some(items),
                    _ => None,
                })
                .unwrap_or_default(),
            (Some(o), Some(p)) => list::merge_slice_handler(o, p, &meta, false, depth)?,
            (None, None) => continue,
        };
        let ordered = list::apply_order(
            merged,
            &order,
            &server_order,
            patch_list.as_deref().unwrap_or(&[]),
            meta.key,
        )?;
        original.insert(field.clone(), Value::Array(ordered));
        patch.shift_remove(&field);
    }
    Ok(())
}
