//! managedFields on writes that are not server-side apply.

use serde_json::Value;

use super::Objects;
use super::options::{Subresource, WriteOptions};
use crate::meta::ObjectExt;
use crate::registry::ResourceType;
use crate::status::StatusError;

impl Objects {
    /// Ownership of a new object's fields.
    pub(super) fn track_create(&self, _rt: &ResourceType, obj: &mut Value, _opts: &WriteOptions) -> Result<(), StatusError> {
        obj.remove_meta("managedFields");
        Ok(())
    }

    /// Ownership of the fields an update changes.
    pub(super) fn track_update(
        &self,
        _rt: &ResourceType,
        _old: &Value,
        _new: &mut Value,
        _subresource: Subresource,
        _opts: &WriteOptions,
    ) -> Result<(), StatusError> {
        Ok(())
    }
}
