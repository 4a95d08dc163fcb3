//! JSON merge patch (RFC 7386, `application/merge-patch+json`) as the API server
//! applies it, with `evanphx/json-patch.v4`'s `MergePatch`.
//!
//! Where that library differs from the RFC this module follows the library: a value
//! that lands where there was nothing (or a non-object) has its `null` members pruned
//! at every depth, arrays included; a non-object value replacing an object member is
//! taken as it is. A patch that is `null`, a scalar or not JSON at all is `400 Invalid
//! JSON Patch`; a patch that is an array replaces the whole document and so fails as
//! an invalid object.

use serde_json::{Map, Value};

use super::error::PatchError;
use super::gojson;

/// `ErrBadJSONPatch`'s text.
const BAD_PATCH: &str = "Invalid JSON Patch";

/// Applies a JSON merge patch document to `doc`, returning the patched document.
pub fn merge_patch(doc: &Value, patch: &[u8]) -> Result<Value, PatchError> {
    let patch = gojson::parse(patch).map_err(|_| PatchError::malformed(BAD_PATCH))?;
    let result = match patch {
        Value::Object(patch) => match doc {
            Value::Object(doc) => {
                let mut doc = doc.clone();
                merge_objects(&mut doc, patch);
                Value::Object(doc)
            }
            _ => {
                let mut patch = Value::Object(patch);
                prune_nulls(&mut patch);
                patch
            }
        },
        Value::Array(_) => {
            let mut patch = patch;
            prune_nulls(&mut patch);
            patch
        }
        _ => return Err(PatchError::malformed(BAD_PATCH)),
    };
    super::check_result(result)
}

/// Merges `patch` into `doc`: `null` members delete, objects merge, anything else
/// replaces.
pub(crate) fn merge_objects(doc: &mut Map<String, Value>, patch: Map<String, Value>) {
    for (key, value) in patch {
        if value.is_null() {
            doc.shift_remove(&key);
            continue;
        }
        match doc.get_mut(&key) {
            Some(current) if !current.is_null() => {
                let old = std::mem::take(current);
                *current = merge_values(old, value);
            }
            _ => {
                let mut value = value;
                prune_nulls(&mut value);
                doc.insert(key, value);
            }
        }
    }
}

/// `merge(cur, patch)`: objects merge; a non-object current value is replaced by
/// the pruned patch; a non-object patch replaces as it is.
fn merge_values(current: Value, patch: Value) -> Value {
    match (current, patch) {
        (Value::Object(mut cur), Value::Object(p)) => {
            merge_objects(&mut cur, p);
            Value::Object(cur)
        }
        (Value::Object(_), patch) => patch,
        (_, mut patch) => {
            prune_nulls(&mut patch);
            patch
        }
    }
}

/// Removes `null` members of objects, at every depth and inside arrays; `null` array
/// items stay.
pub(crate) fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}
