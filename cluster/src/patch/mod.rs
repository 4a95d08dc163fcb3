//! The three patch types of `PATCH` requests, applied as the Kubernetes API server
//! applies them:
//!
//! * [`json_patch`]: `application/json-patch+json` (RFC 6902, with the quirks of the
//!   `evanphx/json-patch.v4` library the server uses);
//! * [`merge_patch`]: `application/merge-patch+json` (RFC 7386);
//! * [`strategic_merge_patch`]: `application/strategic-merge-patch+json`, driven by
//!   the object's [`Shape`](crate::shape::Shape).
//!
//! Each takes the current object and the raw request body and returns the patched
//! object or a [`PatchError`] that says which `Status` to answer with. No input
//! panics: bodies are parsed with a depth bound, lists are merged through hash
//! lookups, and JSON patch `copy` is bounded in bytes as on the real server.
//!
//! Server-side apply (`application/apply-patch+yaml`) is not here; it merges by
//! field ownership, not by patch document.

mod error;
mod gojson;
mod json_patch;
mod merge_patch;
mod strategic;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub use self::error::{
    GENERIC_422_MESSAGE, MAX_JSON_PATCH_COPY_BYTES, MAX_JSON_PATCH_OPERATIONS, PatchError,
};
pub use self::json_patch::json_patch;
pub use self::merge_patch::merge_patch;
pub use self::strategic::strategic_merge_patch;

use crate::field::FieldError;

/// The detail Go's JSON serializer gives when the patched document is not an object:
/// it cannot even read `apiVersion` and `kind` from it.
const NOT_AN_OBJECT: &str = "couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }";

/// Checks that a patched document can be decoded back into an object: it must be a
/// JSON object no deeper than the parser accepts.
fn check_result(doc: Value) -> Result<Value, PatchError> {
    let detail = if !doc.is_object() {
        NOT_AN_OBJECT.replace("{}", gojson::json_kind(&doc))
    } else if gojson::depth(&doc) > gojson::MAX_DEPTH {
        "exceeded max depth".to_string()
    } else {
        return Ok(doc);
    };
    let printed = serde_json::to_string(&doc).unwrap_or_default();
    Err(PatchError::InvalidObject {
        cause: Box::new(FieldError::invalid("patch", Value::String(printed), detail)),
    })
}
