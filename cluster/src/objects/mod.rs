//! Object semantics: what happens to an object on get, list, create, update, patch and
//! delete, independent of HTTP. This is the API server's generic registry: defaulting,
//! validation, system fields, `generation`, the status subresource, finalizers and
//! graceful deletion, namespace lifecycle checks, and conversion between the served
//! and the stored form.

mod create;
mod crd;
mod delete;
mod hooks;
mod managed;
mod list;
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
pub use list::{ListPage, ListQuery};
pub use patch::{PatchKind, accepted_patch_types, parse_apply_body};
pub use list::Filter;
pub use options::{DeleteOptions, FieldValidation, Propagation, Subresource, WriteOptions};

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
        Self { store, registry, clock }
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
        Ctx { now: self.clock.now() }
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
    pub fn get(&self, rt: &ResourceType, namespace: &str, name: &str) -> Result<Value, StatusError> {
        let stored = self
            .store
            .get(&rt.storage, &Self::key(rt, namespace, name))
            .ok_or_else(|| StatusError::not_found(&rt.group_resource(), name))?;
        Ok(rt.strategy.from_storage(&stored))
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
