//! The garbage collector: dependents follow their owners.
//!
//! - An object whose owners are all gone is deleted (background propagation).
//! - An owner deleted in the foreground (`foregroundDeletion` finalizer) has its
//!   dependents deleted first; the finalizer is removed once no dependent with
//!   `blockOwnerDeletion: true` is left.
//! - An owner deleted with `orphan` has its owner references removed from every
//!   dependent, then the finalizer.
//! - Owner references to owners that are gone are removed from dependents that still
//!   have another owner.

use std::sync::Arc;

use serde_json::Value;

use crate::meta::ObjectExt;
use crate::objects::{DeleteOptions, Objects, Propagation};
use crate::status::GroupResource;
use crate::store::{Change, EventType, ObjectKey, rv_of};

const FOREGROUND: &str = "foregroundDeletion";
const ORPHAN: &str = "orphan";

fn owner_refs(obj: &Value) -> Vec<Value> {
    obj.metadata()
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Whether the owner named by `reference` exists for a dependent in `namespace`.
fn owner_exists(objects: &Objects, reference: &Value, namespace: &str) -> bool {
    let Some(uid) = reference.get("uid").and_then(Value::as_str) else {
        return false;
    };
    match objects.store().by_uid(uid) {
        // A namespaced dependent can only be owned from its own namespace or by a
        // cluster-scoped owner.
        Some((_, owner)) => {
            let owner_ns = owner.namespace().unwrap_or("");
            owner_ns.is_empty() || owner_ns == namespace
        }
        None => false,
    }
}

pub(super) fn react(objects: &Objects, change: &Change) {
    match change.kind {
        EventType::Deleted => {
            if let Some(uid) = change.object.uid() {
                for (resource, dependent) in objects.store().dependents_of(uid) {
                    check_dependent(objects, &resource, &dependent);
                }
            }
            // A dependent of a foreground-deleting owner went away: the owner may be done.
            for reference in owner_refs(&change.object) {
                if let Some(uid) = reference.get("uid").and_then(Value::as_str)
                    && let Some((resource, owner)) = objects.store().by_uid(uid)
                    && owner.is_deleting()
                {
                    finish_owner(objects, &resource, &owner);
                }
            }
        }
        EventType::Added | EventType::Modified => {
            if !owner_refs(&change.object).is_empty() {
                check_dependent(objects, &change.resource, &change.object);
            }
            if change.object.is_deleting() {
                finish_owner(objects, &change.resource, &change.object);
            }
        }
    }
}

pub(super) fn resync(objects: &Objects) {
    for resource in objects.store().resources() {
        let (items, _) = objects.store().list(&resource, None, None);
        for obj in items {
            if !owner_refs(&obj).is_empty() {
                check_dependent(objects, &resource, &obj);
            }
            if obj.is_deleting() {
                finish_owner(objects, &resource, &obj);
            }
        }
    }
}

/// Deletes a dependent whose owners are all gone, or drops references to the gone ones.
fn check_dependent(objects: &Objects, resource: &GroupResource, dependent: &Arc<Value>) {
    let refs = owner_refs(dependent);
    if refs.is_empty() || dependent.is_deleting() {
        return;
    }
    let namespace = dependent.namespace().unwrap_or("").to_string();
    let (alive, dangling): (Vec<Value>, Vec<Value>) = refs
        .into_iter()
        .partition(|r| owner_exists(objects, r, &namespace));
    if dangling.is_empty() {
        return;
    }
    let Some(rt) = objects.type_for_storage(resource) else {
        return;
    };
    let name = dependent.name().unwrap_or("").to_string();
    if alive.is_empty() {
        // The owner is gone: the dependent goes too. An orphaning owner removes its
        // reference before it goes, so this is background propagation.
        let opts = DeleteOptions {
            precondition_uid: dependent.uid().map(str::to_string),
            propagation: Some(Propagation::Background),
            ..DeleteOptions::default()
        };
        if let Err(e) = objects.delete(&rt, &namespace, &name, &opts)
            && e.code != 404
            && e.code != 409
        {
            tracing::warn!(resource = %resource, %namespace, %name, error = %e, "garbage collection failed");
        }
    } else {
        set_owner_refs(objects, resource, dependent, alive);
    }
}

/// Rewrites a dependent's owner references (store-level, as the GC's patch).
fn set_owner_refs(
    objects: &Objects,
    resource: &GroupResource,
    dependent: &Value,
    refs: Vec<Value>,
) {
    let key = ObjectKey::new(
        dependent.namespace().unwrap_or(""),
        dependent.name().unwrap_or(""),
    );
    let mut next = dependent.clone();
    if refs.is_empty() {
        next.remove_meta("ownerReferences");
    } else {
        next.set_meta("ownerReferences", Value::Array(refs));
    }
    let _ = objects
        .store()
        .update(resource, &key, next, rv_of(dependent));
}

/// Progresses a deleting owner's `foregroundDeletion` or `orphan` finalizer.
fn finish_owner(objects: &Objects, resource: &GroupResource, owner: &Arc<Value>) {
    let finalizers = owner.finalizers();
    let foreground = finalizers.contains(&FOREGROUND);
    let orphan = finalizers.contains(&ORPHAN);
    if !foreground && !orphan {
        return;
    }
    let Some(uid) = owner.uid().map(str::to_string) else {
        return;
    };
    let dependents = objects.store().dependents_of(&uid);
    if orphan {
        for (dep_resource, dep) in &dependents {
            let remaining: Vec<Value> = owner_refs(dep)
                .into_iter()
                .filter(|r| r.get("uid").and_then(Value::as_str) != Some(uid.as_str()))
                .collect();
            set_owner_refs(objects, dep_resource, dep, remaining);
        }
        remove_finalizer(
            objects,
            resource,
            owner.namespace().unwrap_or(""),
            owner.name().unwrap_or(""),
            ORPHAN,
        );
        return;
    }
    // Foreground: delete every dependent, wait for the blocking ones to be gone.
    let mut blocking = 0;
    for (dep_resource, dep) in &dependents {
        let blocks = owner_refs(dep).iter().any(|r| {
            r.get("uid").and_then(Value::as_str) == Some(uid.as_str())
                && r.get("blockOwnerDeletion").and_then(Value::as_bool) == Some(true)
        });
        if blocks {
            blocking += 1;
        }
        if !dep.is_deleting()
            && let Some(rt) = objects.type_for_storage(dep_resource)
        {
            let opts = DeleteOptions {
                propagation: Some(Propagation::Foreground),
                ..DeleteOptions::default()
            };
            let _ = objects.delete(
                &rt,
                dep.namespace().unwrap_or(""),
                dep.name().unwrap_or(""),
                &opts,
            );
        }
    }
    if blocking == 0 {
        remove_finalizer(
            objects,
            resource,
            owner.namespace().unwrap_or(""),
            owner.name().unwrap_or(""),
            FOREGROUND,
        );
    }
}

/// Removes one finalizer through the object layer (so the object goes when it was the
/// last one).
fn remove_finalizer(
    objects: &Objects,
    resource: &GroupResource,
    namespace: &str,
    name: &str,
    finalizer: &str,
) {
    let Some(rt) = objects.type_for_storage(resource) else {
        return;
    };
    let patch = serde_json::json!({"metadata": {"finalizers": null}});
    let Some(current) = objects.get_stored(&rt, namespace, name) else {
        return;
    };
    let remaining: Vec<&str> = current
        .finalizers()
        .into_iter()
        .filter(|f| *f != finalizer)
        .collect();
    let body = if remaining.is_empty() {
        patch
    } else {
        serde_json::json!({"metadata": {"finalizers": remaining, "resourceVersion": current.resource_version()}})
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let opts = crate::objects::WriteOptions {
        field_manager: "certlab-garbage-collector".into(),
        ..Default::default()
    };
    if let Err(e) = objects.patch(
        &rt,
        namespace,
        name,
        crate::objects::PatchKind::Merge,
        &bytes,
        crate::objects::Subresource::Main,
        &opts,
    ) && e.code != 404
        && e.code != 409
    {
        tracing::warn!(%resource, %namespace, %name, error = %e, "removing the {finalizer} finalizer failed");
    }
}
