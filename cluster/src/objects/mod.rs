//! Object semantics: what happens to an object on get, list, create, update, patch and
//! delete, independent of HTTP. This is the API server's generic registry: defaulting,
//! validation, system fields, `generation`, the status subresource, finalizers and
//! graceful deletion, namespace lifecycle checks, and conversion between the served
//! and the stored form.

mod crd;
mod create;
mod delete;
mod hooks;
mod list;
mod managed;
mod options;
mod patch;
mod system;
mod update;

use std::sync::Arc;

use certlab_clock::SharedClock;
use serde_json::Value;

use crate::registry::{Ctx, Registry, ResourceType};
use crate::status::{GroupResource, StatusError};
use crate::store::{ObjectKey, Store};

pub use delete::Deleted;
pub use list::Filter;
pub use list::{ListPage, ListQuery, parse_rv};
pub use options::{DeleteOptions, FieldValidation, Propagation, Subresource, WriteOptions};
pub use patch::{PatchKind, accepted_patch_types, parse_apply_body};

/// The result of a write.
#[derive(Debug, Clone)]
pub struct Written {
    /// The object as served at the requested version.
    pub object: Value,
    /// Whether the write created the object.
    pub created: bool,
    /// `Warning` headers to send.
    pub warnings: Vec<String>,
}

/// The generic registry over the store.
pub struct Objects {
    store: Arc<Store>,
    registry: Arc<Registry>,
    clock: SharedClock,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Objects").finish_non_exhaustive()
    }
}

impl Objects {
    /// Object semantics over `store`, for the types in `registry`.
    pub fn new(store: Arc<Store>, registry: Arc<Registry>, clock: SharedClock) -> Self {
        Self {
            store,
            registry,
            clock,
        }
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The registry.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The clock.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    fn ctx(&self) -> Ctx {
        Ctx {
            now: self.clock.now(),
        }
    }

    /// The key of `name` in `namespace` for `rt` (cluster-scoped kinds ignore the
    /// namespace).
    pub fn key(rt: &ResourceType, namespace: &str, name: &str) -> ObjectKey {
        if rt.namespaced {
            ObjectKey::new(namespace, name)
        } else {
            ObjectKey::new("", name)
        }
    }

    /// Reads one object, served at `rt`'s version.
    pub fn get(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
    ) -> Result<Value, StatusError> {
        let stored = self
            .store
            .get(&rt.storage, &Self::key(rt, namespace, name))
            .ok_or_else(|| StatusError::not_found(&rt.group_resource(), name))?;
        Ok(rt.strategy.to_served(&stored))
    }

    /// Reads one object in its stored form.
    pub fn get_stored(&self, rt: &ResourceType, namespace: &str, name: &str) -> Option<Arc<Value>> {
        self.store.get(&rt.storage, &Self::key(rt, namespace, name))
    }

    /// The preferred resource type of a storage resource (to act on stored objects).
    pub fn type_for_storage(&self, storage: &GroupResource) -> Option<Arc<ResourceType>> {
        self.registry.for_storage(storage)
    }
}

impl Objects {
    /// `PUT /api/v1/namespaces/<name>/finalize`: replaces `spec.finalizers`; a
    /// terminating namespace with none left is removed.
    pub fn set_namespace_finalizers(
        &self,
        rt: &ResourceType,
        name: &str,
        finalizers: Value,
        opts: &WriteOptions,
    ) -> Result<Written, StatusError> {
        for _ in 0..update::RETRIES {
            let old = self
                .get_stored(rt, "", name)
                .ok_or_else(|| StatusError::not_found(&rt.group_resource(), name))?;
            let mut next = (*old).clone();
            if let Some(spec) = next
                .as_object_mut()
                .map(|m| m.entry("spec").or_insert_with(|| serde_json::json!({})))
                .and_then(Value::as_object_mut)
            {
                spec.insert("finalizers".into(), finalizers.clone());
            }
            let done = crate::meta::ObjectExt::is_deleting(&next)
                && crate::meta::ObjectExt::finalizers(&next).is_empty()
                && next
                    .pointer("/spec/finalizers")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty);
            if opts.dry_run {
                return Ok(Written {
                    object: next,
                    created: false,
                    warnings: Vec::new(),
                });
            }
            let key = Self::key(rt, "", name);
            let expected = crate::store::rv_of(&old);
            let result = if done {
                self.store.delete(&rt.storage, &key, expected)
            } else {
                self.store.update(&rt.storage, &key, next, expected)
            };
            match result {
                Ok(stored) => {
                    return Ok(Written {
                        object: rt.strategy.to_served(&stored),
                        created: false,
                        warnings: Vec::new(),
                    });
                }
                Err(crate::store::StoreError::Conflict) => continue,
                Err(e) => return Err(StatusError::internal(e.to_string())),
            }
        }
        Err(StatusError::stale(&rt.group_resource(), name))
    }
}
