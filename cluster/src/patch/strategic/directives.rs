//! The strategic merge patch directives, their error texts, and the cleaning of patch
//! values that are stored as they are.

use serde_json::{Map, Value};

use crate::patch::error::PatchError;
use crate::patch::gojson;

/// `$patch`: replace, delete (or merge) the map or list item it is in.
pub(super) const PATCH: &str = "$patch";
/// `$patch: replace`.
pub(super) const REPLACE: &str = "replace";
/// `$patch: delete`.
pub(super) const DELETE: &str = "delete";
/// `$patch: merge`.
pub(super) const MERGE: &str = "merge";
/// `$retainKeys`: the keys of this map to keep.
pub(super) const RETAIN_KEYS: &str = "$retainKeys";
/// `$deleteFromPrimitiveList/<field>`: values to remove from a list of scalars.
pub(super) const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList";
/// `$setElementOrder/<field>`: the order of a merging list after the patch.
pub(super) const SET_ELEMENT_ORDER: &str = "$setElementOrder";

/// `mergepatch.ErrBadPatchFormatForPrimitiveList`.
pub(super) fn bad_primitive_list() -> PatchError {
    PatchError::malformed("invalid patch format of primitive list")
}

/// `mergepatch.ErrBadPatchFormatForRetainKeys`.
pub(super) fn bad_retain_keys() -> PatchError {
    PatchError::malformed("invalid patch format of retainKeys")
}

/// `mergepatch.ErrBadPatchFormatForSetElementOrderList`.
pub(super) fn bad_set_element_order() -> PatchError {
    PatchError::malformed("invalid patch format of setElementOrder list")
}

/// `mergepatch.ErrNoListOfLists`, which the API server reports as a 422.
pub(super) fn no_list_of_lists() -> PatchError {
    PatchError::not_applicable("lists of lists are not supported")
}

/// `mergepatch.ErrNoMergeKey`.
pub(super) fn no_merge_key(item: &Map<String, Value>, key: &str) -> PatchError {
    PatchError::internal(format!(
        "map: {} does not contain declared merge key: {key}",
        gojson::go_v_map(item)
    ))
}

/// `mergepatch.ErrBadArgType`.
pub(super) fn bad_arg_type(expected: &str, actual: &Value) -> PatchError {
    PatchError::internal(format!(
        "expected a {expected}, but received a {}",
        gojson::go_type(actual)
    ))
}

/// The Go type name of a JSON object, for [`bad_arg_type`].
pub(super) const GO_MAP: &str = "map[string]interface {}";
/// The Go type name of a JSON array, for [`bad_arg_type`].
pub(super) const GO_SLICE: &str = "[]interface {}";

/// `mergepatch.ErrBadPatchType`: an unknown `$patch` value.
pub(super) fn bad_patch_type(directive: &Value, map: &Map<String, Value>) -> PatchError {
    PatchError::internal(format!(
        "unknown patch type: {} in map: {}",
        gojson::go_s(directive),
        gojson::go_v_map(map)
    ))
}

/// `extractKey`: the field a `$deleteFromPrimitiveList/…` or `$setElementOrder/…` key
/// names, or the directive's format error.
pub(super) fn field_of(
    key: &str,
    prefix: &str,
    error: fn() -> PatchError,
) -> Result<String, PatchError> {
    match key.split_once('/') {
        Some((head, field)) if head == prefix => Ok(field.to_string()),
        _ => Err(error()),
    }
}

/// Whether a key is a directive that never belongs in a stored object.
fn is_directive_key(key: &str) -> bool {
    key == PATCH
        || key == RETAIN_KEYS
        || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
        || key.starts_with(SET_ELEMENT_ORDER)
}

/// How a patch value that is stored as it is gets cleaned.
///
/// The API server decodes the merged map into the typed object, which drops members
/// that are `null` and keys that are not fields (all directives), so those never reach
/// storage; a store of plain JSON has to drop them itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Clean {
    /// `removeDirectives`, for a value that lands where the original had nothing:
    /// maps holding `$patch` are dropped whole (or the list item they are).
    DropDirectiveMaps,
    /// For values kept verbatim (a replaced list, `$patch: replace`, an appended list
    /// item): only the directive keys go.
    StripKeys,
}

/// Cleans a patch value before it is stored; `None` means "drop it" (the value itself
/// is a map holding `$patch` and `mode` drops those).
pub(super) fn clean(value: Value, mode: Clean) -> Option<Value> {
    match value {
        Value::Object(map) => {
            if mode == Clean::DropDirectiveMaps && map.contains_key(PATCH) {
                return None;
            }
            Some(Value::Object(clean_map(map, mode)))
        }
        Value::Array(items) => Some(Value::Array(
            items.into_iter().filter_map(|v| clean(v, mode)).collect(),
        )),
        other => Some(other),
    }
}

/// [`clean`] for a map's members (the map itself is kept).
pub(super) fn clean_map(map: Map<String, Value>, mode: Clean) -> Map<String, Value> {
    map.into_iter()
        .filter(|(k, v)| !v.is_null() && !is_directive_key(k))
        .filter_map(|(k, v)| clean(v, mode).map(|v| (k, v)))
        .collect()
}
