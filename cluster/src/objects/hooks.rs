//! What the server does right after a commit, before answering: a CRD is served (or
//! stops being served) as soon as the request that changed it returns.

use serde_json::Value;

use super::Objects;
use crate::registry::ResourceType;

impl Objects {
    /// After an object was created or updated.
    pub(super) fn after_commit(&self, rt: &ResourceType, stored: &Value) {
        if is_crd(rt) {
            self.crd_changed(stored);
        }
    }

    /// After an object was removed from the store.
    pub(super) fn after_delete(&self, rt: &ResourceType, last: &Value) {
        if is_crd(rt) {
            self.crd_removed(last);
        }
    }
}

fn is_crd(rt: &ResourceType) -> bool {
    rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions"
}
