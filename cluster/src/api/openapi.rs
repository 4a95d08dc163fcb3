//! OpenAPI v3 documents (placeholder index until the schema generator is wired).

use serde_json::{Value, json};

use crate::registry::Registry;
use crate::status::StatusError;

/// Cached OpenAPI documents, rebuilt when the registry changes.
#[derive(Default)]
pub struct Cache;

impl Cache {
    /// `/openapi/v3`.
    pub fn index(&self, _registry: &Registry) -> Value {
        json!({"paths": {}})
    }

    /// `/openapi/v3/apis/<group>/<version>`.
    pub fn group_version(&self, _registry: &Registry, _group: &str, _version: &str) -> Result<Value, StatusError> {
        Err(StatusError::path_not_found())
    }
}
