//! Update (PUT) and the commit path shared with patch: carry-over of server-owned
//! fields, the status subresource, generation, validation, finalizer completion and
//! no-op detection.

use std::sync::Arc;

use serde_json::Value;

use super::options::{Subresource, WriteOptions};
use super::{Objects, Written, system};
use crate::meta::ObjectExt;
use crate::meta::validate::validate_update;
use crate::registry::ResourceType;
use crate::status::StatusError;
use crate::store::{StoreError, rv_of};

/// How many times a write retries after losing a race it did not ask to lose.
pub(super) const RETRIES: usize = 8;

/// A failed commit: a real error, or a lost race worth retrying.
pub(super) enum CommitError {
    Status(StatusError),
    Raced,
}

impl From<StatusError> for CommitError {
    fn from(e: StatusError) -> Self {
        CommitError::Status(e)
    }
}

impl Objects {
    /// Replaces an object (PUT), on the object or on its `/status`.
    pub fn update(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        body: Value,
        subresource: Subresource,
        opts: &WriteOptions,
    ) -> Result<Written, StatusError> {
        let mut warnings = Vec::new();
        let mut new = self.admit_body(rt, namespace, body, opts, &mut warnings)?;
        match new.name() {
            None | Some("") => new.set_meta("name", Value::from(name)),
            Some(n) if n != name => {
                return Err(StatusError::bad_request(format!(
                    "the name of the object ({n}) does not match the name on the URL ({name})"
                )));
            }
            _ => {}
        }
        rt.strategy.apply_defaults(&mut new);
        let body_rv = match new.resource_version() {
            None | Some("") => None,
            Some(s) => Some(s.parse::<u64>().map_err(|_| {
                StatusError::invalid(
                    &rt.group,
                    &rt.kind,
                    name,
                    &[crate::field::FieldError::invalid(
                        "metadata.resourceVersion",
                        Value::from(s),
                        "must be an integer",
                    )],
                )
            })?),
        };
        if body_rv.is_none() && !rt.strategy.allow_unconditional_update() {
            return Err(StatusError::invalid(
                &rt.group,
                &rt.kind,
                name,
                &[crate::field::FieldError::invalid(
                    "metadata.resourceVersion",
                    Value::from("0x0"),
                    "must be specified for an update",
                )],
            ));
        }
        for _ in 0..RETRIES {
            let old = self
                .get_stored(rt, namespace, name)
                .ok_or_else(|| StatusError::not_found(&rt.group_resource(), name))?;
            let expected = match body_rv {
                Some(rv) => {
                    if rv_of(&old) != Some(rv) {
                        return Err(StatusError::stale(&rt.group_resource(), name));
                    }
                    rv
                }
                None => rv_of(&old).unwrap_or(0),
            };
            match self.commit_update(
                rt,
                &old,
                new.clone(),
                subresource,
                opts,
                expected,
                warnings.clone(),
                true,
            ) {
                Ok(w) => return Ok(w),
                Err(CommitError::Status(e)) => return Err(e),
                Err(CommitError::Raced) if body_rv.is_some() => {
                    return Err(StatusError::stale(&rt.group_resource(), name));
                }
                Err(CommitError::Raced) => continue,
            }
        }
        Err(StatusError::stale(&rt.group_resource(), name))
    }

    /// Commits `new` (served form, decoded and defaulted) over `old` (stored form),
    /// if `old` is still at `expected_rv`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn commit_update(
        &self,
        rt: &ResourceType,
        old: &Arc<Value>,
        mut new: Value,
        subresource: Subresource,
        opts: &WriteOptions,
        expected_rv: u64,
        warnings: Vec<String>,
        track: bool,
    ) -> Result<Written, CommitError> {
        let ctx = self.ctx();
        let old_served = rt.strategy.to_served(old);
        let name = old.name().unwrap_or("").to_string();
        let namespace = old.namespace().unwrap_or("").to_string();
        system::carry_over(&mut new, &old_served);
        match subresource {
            Subresource::Status => {
                let status = new.as_object_mut().and_then(|m| m.remove("status"));
                let managed = new.metadata().and_then(|m| m.get("managedFields")).cloned();
                new = old_served.clone();
                if let Some(map) = new.as_object_mut() {
                    match status {
                        Some(s) => {
                            map.insert("status".into(), s);
                        }
                        None => {
                            map.remove("status");
                        }
                    }
                }
                if let Some(mf) = managed {
                    new.set_meta("managedFields", mf);
                }
            }
            Subresource::Main => rt.strategy.prepare_update(&mut new, &old_served, &ctx),
        }
        if rt.strategy.tracks_generation() {
            system::bump_generation(&mut new, &old_served, rt.strategy.has_status());
        }
        let mut errs = validate_update(&new, &old_served, rt.strategy.name_rule(), rt.namespaced);
        errs.extend(rt.strategy.validate(&new, Some(&old_served)));
        if !errs.is_empty() {
            return Err(StatusError::invalid(&rt.group, &rt.kind, &name, &errs).into());
        }
        if track {
            self.track_update(rt, &old_served, &mut new, subresource, opts)?;
        }
        let stored_new = rt.strategy.to_storage(new);
        let key = Objects::key(rt, &namespace, &name);
        if stored_new.is_deleting()
            && stored_new.finalizers().is_empty()
            && !self.waits_for_contents(rt, &stored_new)
        {
            // The last finalizer is gone: the object goes with it.
            if opts.dry_run {
                return Ok(written(rt, &stored_new, warnings));
            }
            let last = self
                .store
                .delete(&rt.storage, &key, Some(expected_rv))
                .map_err(store_error)?;
            self.after_delete(rt, &last);
            let mut served = stored_new;
            if let Some(rv) = last.resource_version() {
                served.set_meta("resourceVersion", Value::from(rv));
            }
            return Ok(written(rt, &served, warnings));
        }
        if system::same_state(&stored_new, old) {
            return Ok(written(rt, old, warnings));
        }
        if opts.dry_run {
            return Ok(written(rt, &stored_new, warnings));
        }
        let stored = self
            .store
            .update(&rt.storage, &key, stored_new, Some(expected_rv))
            .map_err(store_error)?;
        self.after_commit(rt, &stored);
        Ok(written(rt, &stored, warnings))
    }

    /// Whether a deleting object must stay until its namespace-scoped contents are
    /// gone (a namespace with `spec.finalizers`).
    fn waits_for_contents(&self, rt: &ResourceType, obj: &Value) -> bool {
        rt.group.is_empty()
            && rt.plural == "namespaces"
            && obj
                .pointer("/spec/finalizers")
                .and_then(Value::as_array)
                .is_some_and(|f| !f.is_empty())
    }
}

fn written(rt: &ResourceType, stored: &Value, warnings: Vec<String>) -> Written {
    Written {
        object: rt.strategy.to_served(stored),
        created: false,
        warnings,
    }
}

fn store_error(e: StoreError) -> CommitError {
    match e {
        StoreError::Conflict | StoreError::NotFound => CommitError::Raced,
        other => CommitError::Status(StatusError::internal(other.to_string())),
    }
}
