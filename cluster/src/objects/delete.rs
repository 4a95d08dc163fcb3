//! Delete and deletecollection: preconditions, finalizers, propagation policy and
//! graceful (pending) deletion.

use serde_json::Value;

use super::Objects;
use super::list::ListQuery;
use super::options::{DeleteOptions, Propagation};
use super::update::RETRIES;
use crate::meta::ObjectExt;
use crate::registry::ResourceType;
use crate::status::StatusError;
use crate::store::{StoreError, rv_of};
use crate::time::rfc3339;

/// The finalizer that makes the garbage collector delete dependents first.
pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
/// The finalizer that makes the garbage collector orphan dependents.
pub const ORPHAN_FINALIZER: &str = "orphan";

/// What a delete did.
#[derive(Debug, Clone)]
pub enum Deleted {
    /// The object is gone; its last state (served form).
    Gone(Value),
    /// The object is terminating, waiting for finalizers; its current state.
    Pending(Value),
}

impl Objects {
    /// Deletes an object.
    pub fn delete(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Deleted, StatusError> {
        let gr = rt.group_resource();
        let key = Objects::key(rt, namespace, name);
        for _ in 0..RETRIES {
            let old = self
                .store
                .get(&rt.storage, &key)
                .ok_or_else(|| StatusError::not_found(&gr, name))?;
            if let Some(uid) = &opts.precondition_uid
                && old.uid() != Some(uid.as_str())
            {
                return Err(StatusError::conflict(
                    &gr,
                    name,
                    &format!(
                        "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                        old.uid().unwrap_or("")
                    ),
                ));
            }
            if let Some(rv) = &opts.precondition_rv
                && old.resource_version() != Some(rv.as_str())
            {
                return Err(StatusError::conflict(
                    &gr,
                    name,
                    &format!(
                        "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                        old.resource_version().unwrap_or("")
                    ),
                ));
            }
            let expected = rv_of(&old).unwrap_or(0);
            let mut finalizers: Vec<String> =
                old.finalizers().into_iter().map(str::to_string).collect();
            let wanted = match opts.propagation {
                Some(Propagation::Foreground) => Some(FOREGROUND_FINALIZER),
                Some(Propagation::Orphan) => Some(ORPHAN_FINALIZER),
                _ => None,
            };
            if let Some(f) = wanted
                && !finalizers.iter().any(|x| x == f)
            {
                finalizers.push(f.to_string());
            }
            let mut next = (*old).clone();
            let waits = rt.strategy.begin_deletion(&mut next);
            if old.is_deleting() {
                // Already terminating: only a newly requested propagation finalizer changes.
                if finalizers.len() == old.finalizers().len() {
                    return Ok(Deleted::Pending(rt.strategy.to_served(&old)));
                }
            } else if finalizers.is_empty() && !waits {
                if opts.dry_run {
                    return Ok(Deleted::Gone(rt.strategy.to_served(&old)));
                }
                match self.store.delete(&rt.storage, &key, Some(expected)) {
                    Ok(last) => {
                        self.after_delete(rt, &last);
                        return Ok(Deleted::Gone(rt.strategy.to_served(&last)));
                    }
                    Err(StoreError::Conflict) => continue,
                    Err(StoreError::NotFound) => return Err(StatusError::not_found(&gr, name)),
                    Err(e) => return Err(StatusError::internal(e.to_string())),
                }
            }
            if !old.is_deleting() {
                next.set_meta("deletionTimestamp", Value::from(rfc3339(self.clock.now())));
                next.set_meta("deletionGracePeriodSeconds", Value::from(0));
            }
            next.set_meta("finalizers", Value::from(finalizers));
            if opts.dry_run {
                return Ok(Deleted::Pending(rt.strategy.to_served(&next)));
            }
            match self.store.update(&rt.storage, &key, next, Some(expected)) {
                Ok(stored) => {
                    self.after_commit(rt, &stored);
                    return Ok(Deleted::Pending(rt.strategy.to_served(&stored)));
                }
                Err(StoreError::Conflict) => continue,
                Err(StoreError::NotFound) => return Err(StatusError::not_found(&gr, name)),
                Err(e) => return Err(StatusError::internal(e.to_string())),
            }
        }
        Err(StatusError::conflict(
            &gr,
            name,
            "the object kept changing while it was being deleted",
        ))
    }

    /// Deletes every object a list query selects; returns their last states.
    pub fn delete_collection(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        query: &ListQuery,
        opts: &DeleteOptions,
    ) -> Result<Vec<Value>, StatusError> {
        let page = self.list(
            rt,
            namespace,
            &ListQuery {
                limit: None,
                continue_token: None,
                ..query.clone()
            },
        )?;
        let mut deleted = Vec::new();
        for obj in &page.items {
            let ns = obj.namespace().unwrap_or("").to_string();
            let name = obj.name().unwrap_or("").to_string();
            match self.delete(rt, &ns, &name, opts) {
                Ok(Deleted::Gone(v)) | Ok(Deleted::Pending(v)) => deleted.push(v),
                Err(e) if e.code == 404 => {}
                Err(e) => return Err(e),
            }
        }
        Ok(deleted)
    }
}
