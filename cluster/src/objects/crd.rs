//! Serving what a CRD defines: on every change to a CRD its resource types are
//! (re)registered and its status (`acceptedNames`, `NamesAccepted`, `Established`,
//! `storedVersions`) written, before the request returns. A deleting CRD first loses
//! its custom resources, then its cleanup finalizer.

use serde_json::{Value, json};

use super::Objects;
use super::options::DeleteOptions;
use crate::meta::ObjectExt;
use crate::registry::custom::types_for;
use crate::status::GroupResource;
use crate::store::{ObjectKey, rv_of};
use crate::time::rfc3339;

const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

fn crds() -> GroupResource {
    GroupResource::new("apiextensions.k8s.io", "customresourcedefinitions")
}

fn group_plural(crd: &Value) -> (String, String) {
    (
        crd.str_at("spec.group").unwrap_or("").to_string(),
        crd.pointer("/spec/names/plural")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    )
}

impl Objects {
    pub(super) fn crd_changed(&self, crd: &Value) {
        let (group, plural) = group_plural(crd);
        if crd.is_deleting() {
            self.clean_up_crd(crd);
            return;
        }
        self.registry
            .replace_resource(&group, &plural, types_for(crd));
        self.write_crd_status(crd);
    }

    pub(super) fn crd_removed(&self, crd: &Value) {
        let (group, plural) = group_plural(crd);
        self.registry.replace_resource(&group, &plural, Vec::new());
    }

    /// Deletes a terminating CRD's custom resources; removes its cleanup finalizer once
    /// none are left. Called on every change of the CRD and by the cluster's
    /// controllers when custom resources go away.
    pub fn clean_up_crd(&self, crd: &Value) {
        let (group, plural) = group_plural(crd);
        let storage = GroupResource::new(&group, &plural);
        if let Some(rt) = self.registry.for_storage(&storage) {
            let (items, _) = self.store.list(&storage, None, None);
            for item in items.iter().filter(|i| !i.is_deleting()) {
                let ns = item.namespace().unwrap_or("").to_string();
                let name = item.name().unwrap_or("").to_string();
                if let Err(e) = self.delete(&rt, &ns, &name, &DeleteOptions::default())
                    && e.code != 404
                {
                    tracing::warn!(%group, %plural, %name, error = %e, "deleting a custom resource of a deleted CRD");
                }
            }
        }
        if self.store.count(&storage, None) > 0 {
            return;
        }
        let name = crd.name().unwrap_or("").to_string();
        let key = ObjectKey::new("", &name);
        for _ in 0..super::update::RETRIES {
            let Some(current) = self.store.get(&crds(), &key) else {
                return;
            };
            if !current.finalizers().contains(&CLEANUP_FINALIZER) {
                return;
            }
            let mut next = (*current).clone();
            let remaining: Vec<Value> = current
                .finalizers()
                .into_iter()
                .filter(|f| *f != CLEANUP_FINALIZER)
                .map(Value::from)
                .collect();
            let done = remaining.is_empty();
            next.set_meta("finalizers", Value::Array(remaining));
            let result = if done {
                self.store
                    .delete(&crds(), &key, rv_of(&current))
                    .map(|last| {
                        self.crd_removed(&last);
                    })
            } else {
                self.store
                    .update(&crds(), &key, next, rv_of(&current))
                    .map(|_| ())
            };
            if result.is_ok() {
                return;
            }
        }
    }

    fn write_crd_status(&self, crd: &Value) {
        let name = crd.name().unwrap_or("").to_string();
        let key = ObjectKey::new("", &name);
        let now = rfc3339(self.clock.now());
        for _ in 0..super::update::RETRIES {
            let Some(current) = self.store.get(&crds(), &key) else {
                return;
            };
            let mut names = current
                .pointer("/spec/names")
                .cloned()
                .unwrap_or_else(|| json!({}));
            if let Some(map) = names.as_object_mut() {
                let kind = map
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                map.entry("listKind")
                    .or_insert_with(|| json!(format!("{kind}List")));
                map.entry("singular")
                    .or_insert_with(|| json!(kind.to_lowercase()));
            }
            let storage_version = current
                .pointer("/spec/versions")
                .and_then(Value::as_array)
                .and_then(|v| {
                    v.iter()
                        .find(|v| v.get("storage") == Some(&Value::Bool(true)))
                })
                .and_then(|v| v.str_at("name"))
                .unwrap_or("")
                .to_string();
            let mut stored_versions: Vec<Value> = current
                .pointer("/status/storedVersions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if !storage_version.is_empty()
                && !stored_versions
                    .iter()
                    .any(|v| v == storage_version.as_str())
            {
                stored_versions.push(Value::from(storage_version));
            }
            let old_conditions = current
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let condition = |type_: &str, reason: &str, message: &str| {
                let since = old_conditions
                    .iter()
                    .find(|c| {
                        c.get("type") == Some(&Value::from(type_))
                            && c.get("status") == Some(&Value::from("True"))
                    })
                    .and_then(|c| c.get("lastTransitionTime").cloned())
                    .unwrap_or_else(|| Value::from(now.as_str()));
                json!({"type": type_, "status": "True", "lastTransitionTime": since, "reason": reason, "message": message})
            };
            let status = json!({
                "conditions": [
                    condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                    condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
                ],
                "acceptedNames": names,
                "storedVersions": stored_versions,
            });
            if current.get("status") == Some(&status) {
                return;
            }
            let mut next = (*current).clone();
            if let Some(map) = next.as_object_mut() {
                map.insert("status".into(), status);
            }
            if self
                .store
                .update(&crds(), &key, next, rv_of(&current))
                .is_ok()
            {
                return;
            }
        }
    }
}
