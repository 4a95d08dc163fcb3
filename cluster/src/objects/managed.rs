//! managedFields on writes that are not server-side apply: the writer (operation
//! `Update`) owns what it changed.

use serde_json::Value;

use super::Objects;
use super::options::{Subresource, WriteOptions};
use crate::fieldmanager::FieldManager;
use crate::registry::ResourceType;
use crate::status::StatusError;
use crate::time::rfc3339;

impl Objects {
    /// The field manager of `rt`'s endpoint for a write through `subresource`.
    pub(super) fn field_manager(
        &self,
        rt: &ResourceType,
        subresource: Subresource,
    ) -> FieldManager {
        FieldManager::from_rooted(rt.shape.clone())
            .with_kind(&rt.api_version(), &rt.kind)
            .with_status_subresource(rt.strategy.has_status())
            .with_subresource(match subresource {
                Subresource::Main => None,
                Subresource::Status => Some("status"),
            })
    }

    /// Ownership of a new object's fields.
    pub(super) fn track_create(
        &self,
        rt: &ResourceType,
        obj: &mut Value,
        opts: &WriteOptions,
    ) -> Result<(), StatusError> {
        let now = rfc3339(self.clock.now());
        self.field_manager(rt, Subresource::Main)
            .update(None, obj, &opts.field_manager, &now)
            .map_err(|e| StatusError::internal(e.to_string()))
    }

    /// Ownership of the fields an update changes.
    pub(super) fn track_update(
        &self,
        rt: &ResourceType,
        old: &Value,
        new: &mut Value,
        subresource: Subresource,
        opts: &WriteOptions,
    ) -> Result<(), StatusError> {
        let now = rfc3339(self.clock.now());
        self.field_manager(rt, subresource)
            .update(Some(old), new, &opts.field_manager, &now)
            .map_err(|e| StatusError::internal(e.to_string()))
    }
}
