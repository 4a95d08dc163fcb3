//! The catalogue of served resources: built-in kinds and the kinds CRDs add.
//!
//! A [`ResourceType`] is one resource at one version, with its names (for discovery
//! and `kubectl`'s resource resolution), where its objects are stored, and its
//! [`Strategy`]: the per-kind rules for decoding, defaulting, validating, printing and
//! converting objects, in the manner of the API server's registry strategies.

pub mod builtin;
pub mod columns;
pub mod custom;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use serde_json::Value;

use crate::field::FieldError;
use crate::meta::names::NameRule;
use crate::shape::Shape;
use crate::status::{GroupResource, StatusError};

pub use columns::Column;

/// What a strategy's hooks may read.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// The cluster clock's current time.
    pub now: SystemTime,
}

/// The outcome of decoding a request body against a kind's schema.
#[derive(Debug)]
pub struct Decoded {
    /// The object, with fields the kind doesn't know removed.
    pub object: Value,
    /// One message per removed field (`unknown field "spec.foo"`), for
    /// `fieldValidation`.
    pub unknown_fields: Vec<String>,
}

/// Per-kind behaviour.
pub trait Strategy: Send + Sync + 'static {
    /// Type-checks the object and drops unknown fields. Type errors are 400s.
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError>;

    /// Applies defaults after decoding (also used for the result of patches).
    fn apply_defaults(&self, _obj: &mut Value) {}

    /// How names are checked.
    fn name_rule(&self) -> NameRule {
        NameRule::Subdomain
    }

    /// Resets what a create may not set and fills in server-owned fields.
    fn prepare_create(&self, _obj: &mut Value, _ctx: &Ctx) {}

    /// Carries over what an update may not change.
    fn prepare_update(&self, _new: &mut Value, _old: &Value, _ctx: &Ctx) {}

    /// Kind-specific validation; `old` is set on updates.
    fn validate(&self, _obj: &Value, _old: Option<&Value>) -> Vec<FieldError> {
        Vec::new()
    }

    /// Whether `metadata.generation` is maintained.
    fn tracks_generation(&self) -> bool {
        false
    }

    /// Whether the kind has a `/status` subresource.
    fn has_status(&self) -> bool {
        false
    }

    /// Whether an update without `metadata.resourceVersion` is accepted.
    fn allow_unconditional_update(&self) -> bool {
        true
    }

    /// Whether a delete that removes the object at once answers with the object
    /// (rather than a `Status`).
    fn returns_deleted_object(&self) -> bool {
        false
    }

    /// Whether `application/strategic-merge-patch+json` is accepted.
    fn supports_strategic_merge(&self) -> bool {
        true
    }

    /// Table columns.
    fn columns(&self) -> Vec<Column> {
        columns::default_columns()
    }

    /// Table cells for `obj`, one per column.
    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        columns::default_row(obj, ctx)
    }

    /// The value of a field selector label for `obj`: `None` if the label is not
    /// supported for this kind, `Some("")` if unset.
    fn field_label(&self, obj: &Value, label: &str) -> Option<String> {
        columns::meta_field_label(obj, label)
    }

    /// Called when a delete starts. Returns whether the object must wait (in
    /// `Terminating`) even with no finalizers: a namespace waits for its contents.
    fn begin_deletion(&self, _obj: &mut Value) -> bool {
        false
    }

    /// The OpenAPI v3 schema of a custom resource (built-in kinds take theirs from
    /// k8s-openapi).
    fn openapi_schema(&self) -> Option<Value> {
        None
    }

    /// Converts an object as received to the form it is stored in.
    fn to_storage(&self, obj: Value) -> Value {
        obj
    }

    /// Converts a stored object to the form served at this resource's version.
    fn to_served(&self, obj: &Value) -> Value {
        obj.clone()
    }

    /// Whether the stored form differs from the served form (so reads must convert).
    fn converts(&self) -> bool {
        false
    }
}

/// One served resource at one version.
#[derive(Clone)]
pub struct ResourceType {
    /// API group ("" for core).
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// List kind.
    pub list_kind: String,
    /// Plural resource name (the path segment).
    pub plural: String,
    /// Singular name.
    pub singular: String,
    /// Short names (`cm`, `svc`, `cert`).
    pub short_names: Vec<String>,
    /// Categories (`all`, `cert-manager`).
    pub categories: Vec<String>,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Where the objects are stored; several resources may share storage (the two
    /// Event APIs, the versions of a CRD).
    pub storage: GroupResource,
    /// The verbs served.
    pub verbs: &'static [&'static str],
    /// Whether a CRD defines the resource.
    pub custom: bool,
    /// The merge shape for server-side apply and strategic merge patch.
    pub shape: Arc<Shape>,
    /// The per-kind rules.
    pub strategy: Arc<dyn Strategy>,
}

impl std::fmt::Debug for ResourceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceType")
            .field("group", &self.group)
            .field("version", &self.version)
            .field("kind", &self.kind)
            .field("plural", &self.plural)
            .field("namespaced", &self.namespaced)
            .finish_non_exhaustive()
    }
}

/// All verbs of a stored resource.
pub const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
/// The verbs of a create-only review resource.
pub const CREATE_ONLY: &[&str] = &["create"];

impl ResourceType {
    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The group and resource, for messages.
    pub fn group_resource(&self) -> GroupResource {
        GroupResource::new(&self.group, &self.plural)
    }

    /// Whether objects are stored (review resources are not).
    pub fn is_stored(&self) -> bool {
        self.verbs.contains(&"get")
    }
}

/// A served API group version, for discovery.
#[derive(Debug, Clone)]
pub struct GroupVersion {
    /// Group.
    pub group: String,
    /// Version.
    pub version: String,
}

#[derive(Default)]
struct Catalogue {
    /// (group, version, plural) → type.
    by_path: BTreeMap<(String, String, String), Arc<ResourceType>>,
    /// group → versions in preference order.
    groups: BTreeMap<String, Vec<String>>,
    /// Bumped on every change, for discovery and OpenAPI caches.
    generation: u64,
}

/// The served resources. Cheap to read concurrently.
#[derive(Default)]
pub struct Registry {
    inner: RwLock<Catalogue>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("generation", &self.generation())
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// A registry with the built-in kinds.
    pub fn with_builtins() -> Self {
        let registry = Self::default();
        for rt in builtin::all() {
            registry.insert(rt);
        }
        registry
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Catalogue> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Catalogue> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds or replaces a resource type.
    pub fn insert(&self, rt: ResourceType) {
        let mut cat = self.write();
        let versions = cat.groups.entry(rt.group.clone()).or_default();
        if !versions.contains(&rt.version) {
            versions.push(rt.version.clone());
        }
        cat.by_path.insert(
            (rt.group.clone(), rt.version.clone(), rt.plural.clone()),
            Arc::new(rt),
        );
        cat.generation += 1;
    }

    /// Replaces every version of `(group, plural)` with `types` (a CRD's served
    /// versions, in preference order). An empty list removes the resource.
    pub fn replace_resource(&self, group: &str, plural: &str, types: Vec<ResourceType>) {
        let mut cat = self.write();
        cat.by_path
            .retain(|(g, _, p), _| !(g == group && p == plural));
        for rt in types {
            cat.by_path.insert(
                (rt.group.clone(), rt.version.clone(), rt.plural.clone()),
                Arc::new(rt),
            );
        }
        // Recompute the group's versions, ordered by Kubernetes version priority.
        let mut versions: Vec<String> = cat
            .by_path
            .keys()
            .filter(|(g, _, _)| g == group)
            .map(|(_, v, _)| v.clone())
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        versions.dedup();
        if versions.is_empty() {
            cat.groups.remove(group);
        } else {
            cat.groups.insert(group.to_string(), versions);
        }
        cat.generation += 1;
    }

    /// The resource at `/apis/<group>/<version>/<plural>`.
    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceType>> {
        self.read()
            .by_path
            .get(&(group.to_string(), version.to_string(), plural.to_string()))
            .cloned()
    }

    /// The resource for a kind at a group/version.
    pub fn by_kind(&self, group: &str, version: &str, kind: &str) -> Option<Arc<ResourceType>> {
        self.read()
            .by_path
            .iter()
            .find(|((g, v, _), rt)| g == group && v == version && rt.kind == kind)
            .map(|(_, rt)| rt.clone())
    }

    /// Whether the group/version is served.
    pub fn serves(&self, group: &str, version: &str) -> bool {
        self.read()
            .groups
            .get(group)
            .is_some_and(|v| v.iter().any(|x| x == version))
    }

    /// The resources of one group/version.
    pub fn resources(&self, group: &str, version: &str) -> Vec<Arc<ResourceType>> {
        self.read()
            .by_path
            .iter()
            .filter(|((g, v, _), _)| g == group && v == version)
            .map(|(_, rt)| rt.clone())
            .collect()
    }

    /// Every served resource type.
    pub fn all(&self) -> Vec<Arc<ResourceType>> {
        self.read().by_path.values().cloned().collect()
    }

    /// Served groups (excluding core) with their versions, preferred first.
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        self.read()
            .groups
            .iter()
            .filter(|(g, _)| !g.is_empty())
            .map(|(g, v)| (g.clone(), v.clone()))
            .collect()
    }

    /// The preferred (storage-facing) type for objects stored at `storage`.
    pub fn for_storage(&self, storage: &GroupResource) -> Option<Arc<ResourceType>> {
        let cat = self.read();
        let versions = cat.groups.get(&storage.group)?;
        versions.iter().find_map(|v| {
            cat.by_path
                .get(&(storage.group.clone(), v.clone(), storage.resource.clone()))
                .filter(|rt| rt.storage == *storage)
                .cloned()
        })
    }

    /// A counter that changes whenever the catalogue does.
    pub fn generation(&self) -> u64 {
        self.read().generation
    }
}

/// Kubernetes version priority: GA > beta > alpha, then by number
/// (`v2` > `v1` > `v1beta2` > `v1beta1` > `v1alpha1`); non-conforming names last.
pub fn version_priority(v: &str) -> (u8, u64, u64, std::cmp::Reverse<String>) {
    let parse = || -> Option<(u8, u64, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let major: u64 = digits.parse().ok()?;
        let tail = &rest[digits.len()..];
        if tail.is_empty() {
            return Some((3, major, 0));
        }
        for (prefix, rank) in [("beta", 2u8), ("alpha", 1u8)] {
            if let Some(n) = tail.strip_prefix(prefix) {
                let minor: u64 = n.parse().ok()?;
                return Some((rank, major, minor));
            }
        }
        None
    };
    match parse() {
        Some((rank, major, minor)) => (rank, major, minor, std::cmp::Reverse(String::new())),
        None => (0, 0, 0, std::cmp::Reverse(v.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_order() {
        let mut v = vec!["v1alpha1", "v1", "foo", "v2", "v1beta2", "v1beta1", "bar"];
        v.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        assert_eq!(
            v,
            ["v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "bar", "foo"]
        );
    }

    #[test]
    fn builtins_are_served() {
        let r = Registry::with_builtins();
        assert!(r.get("", "v1", "secrets").is_some());
        assert!(r.get("events.k8s.io", "v1", "events").is_some());
        assert_eq!(
            r.get("events.k8s.io", "v1", "events").unwrap().storage,
            r.get("", "v1", "events").unwrap().storage
        );
        assert!(r.serves("networking.k8s.io", "v1"));
        assert!(!r.serves("cert-manager.io", "v1"));
        assert_eq!(
            r.by_kind("coordination.k8s.io", "v1", "Lease")
                .unwrap()
                .plural,
            "leases"
        );
    }
}
