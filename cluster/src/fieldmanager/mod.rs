//! Server-side apply and `metadata.managedFields`, with the semantics of
//! `sigs.k8s.io/structured-merge-diff` and the API server's field manager
//! (`k8s.io/apimachinery/pkg/util/managedfields`).
//!
//! - [`apply`] merges an applied configuration into the live object following its
//!   [`Shape`]: maps merge field by field, atomic nodes are replaced, sets union their
//!   values, map lists merge items by key. Each manager owns exactly what it last
//!   applied; changing a field another manager owns is a [`Conflict`] unless forced;
//!   fields a manager stops applying are removed unless someone else owns them.
//! - [`track_update`] records any other write: the writer (operation Update) owns what
//!   it changed, taken from everyone else, without conflicts.
//! - [`FieldSet`] is the FieldsV1 trie, with the API server's encoding and order.
//!
//! Never owned: `apiVersion`, `kind`, `metadata.managedFields` and the fields the server
//! sets (`metadata.{name,namespace,uid,resourceVersion,generation,creationTimestamp,
//! deletionTimestamp,deletionGracePeriodSeconds,selfLink}`). Writes through the `status`
//! subresource own only `status` (entries carry `subresource: status`); writes to the
//! main resource of a kind with a status subresource neither write nor own `status`.
//!
//! Where this differs from the real server, and why:
//! - A field the shape does not know is treated as schemaless (`Deduced`) instead of
//!   failing with "field not declared in schema": pruning and validation own that.
//! - Objects are untyped JSON, so there are no zero-valued structs: an Update entry from
//!   a create owns `f:spec` with `.` (the real server only does so for custom resources).
//! - Shapes carry no defaults; the only key default is `protocol: TCP` in port lists.
//! - One API version per object: no conversion between versions, no reconciliation of
//!   ownership after a schema changes a node between atomic and granular.
//! - A map or list emptied by pruning is dropped, not left as `null`.

mod conflict;
mod fieldsv1;
mod gofmt;
mod lastapplied;
mod managed;
mod manager;
mod path;
mod set;
mod time;
mod typed;
mod updater;
mod value;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub use conflict::{
    ApplyError, Conflict, FieldManagerError, StatusCause, StatusParts, conflicts_message,
};
pub use fieldsv1::FieldsV1Error;
pub use lastapplied::LAST_APPLIED_ANNOTATION;
pub use managed::{ManagedFieldsEntry, ManagedFieldsError, Operation, read_managed_fields};
pub use manager::FieldManager;
pub use path::{Path, PathElement};
pub use set::FieldSet;
pub use time::format_time;

use crate::shape::Shape;

/// The shape the field manager works with for a whole object of `shape` (`apiVersion`
/// and `kind` scalars, `metadata` ObjectMeta). Compute it once per kind and use
/// [`FieldManager::from_rooted`].
pub fn rooted_shape(shape: &Shape) -> Shape {
    typed::root_shape(shape)
}

/// Server-side apply of `config` (the applied configuration, as JSON) by `manager`.
///
/// `live` is the current object (`None`: the apply creates it). Returns the merged
/// object with `metadata.managedFields` updated, or why it cannot be applied.
/// `subresource` is `Some("status")` for applies to `/status`; the kind is assumed to
/// have a status subresource (see [`FieldManager`] to say otherwise, or to pin the
/// endpoint's `apiVersion`, `kind` and URL name). `now` is an RFC 3339 time.
pub fn apply(
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
    shape: &Shape,
    subresource: Option<&str>,
    now: &str,
) -> Result<Value, ApplyError> {
    FieldManager::new(shape)
        .with_subresource(subresource)
        .apply(live, config, manager, force, now)
}

/// After a non-apply write (create, update, patch), gives `manager` (operation Update)
/// ownership of every field that changed from `old` (`None` on create) to `new`,
/// taking it away from others, and rewrites `new`'s `metadata.managedFields`.
pub fn track_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    shape: &Shape,
    subresource: Option<&str>,
    now: &str,
) -> Result<(), FieldManagerError> {
    FieldManager::new(shape)
        .with_subresource(subresource)
        .update(old, new, manager, now)
}

/// The field manager name a non-apply write gets when the request names none: the
/// User-Agent up to its first `/`, printable characters only, at most 128 bytes.
pub fn manager_from_user_agent(user_agent: &str) -> String {
    let prefix = user_agent.split('/').next().unwrap_or("");
    let mut out = String::new();
    for c in prefix.chars().filter(|c| gofmt::is_print(*c)) {
        if out.len() + c.len_utf8() > 128 {
            break;
        }
        out.push(c);
    }
    out
}

/// Checks a `fieldManager` query parameter as the API server does: at most 128 bytes,
/// printable characters only, and required for apply.
pub fn validate_field_manager(manager: &str, for_apply: bool) -> Vec<crate::field::FieldError> {
    use crate::field::FieldError;
    let mut errs = Vec::new();
    if for_apply && manager.is_empty() {
        errs.push(FieldError::required(
            "fieldManager",
            "is required for apply patch",
        ));
    }
    if manager.len() > 128 {
        errs.push(FieldError::too_long(
            "fieldManager",
            "may not be more than 128 bytes",
        ));
    }
    for (i, c) in manager.char_indices() {
        if !gofmt::is_print(c) {
            errs.push(FieldError::invalid(
                "fieldManager",
                Value::String(manager.to_string()),
                format!("invalid character U+{:04X} (at position {i})", u32::from(c)),
            ));
        }
    }
    errs
}
