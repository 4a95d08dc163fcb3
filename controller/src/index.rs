//! Secondary indexes over the watch caches, like client-go's informer indexers: one
//! reconcile looks up "the CertificateRequests this Certificate controls" or "the
//! Certificates naming this Secret" in O(1) rather than scanning every cached object,
//! which would make issuing N Certificates cost O(N²).
//!
//! An [`Index`] is fed the same watch events as the reflector store it sits beside
//! (after the store, so a key found here resolves there), and answers with
//! [`ObjectRef`]s to look up in that store.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::RwLock;

use k8s_openapi::api::core::v1::Secret;
use kube::Resource;
use kube::api::PartialObjectMeta;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;

use crate::api::certificate::Certificate;
use crate::api::certificate_request::CertificateRequest;
use crate::api::challenge::Challenge;
use crate::api::constants::labels;

/// Keys an object is filed under (none: not indexed).
pub type KeyFn<K> = fn(&K) -> Vec<String>;

struct Table<K: Resource<DynamicType = ()>> {
    by_key: HashMap<String, HashSet<ObjectRef<K>>>,
    keys_of: HashMap<ObjectRef<K>, Vec<String>>,
}

impl<K: Resource<DynamicType = ()>> Default for Table<K> {
    fn default() -> Self {
        Self {
            by_key: HashMap::new(),
            keys_of: HashMap::new(),
        }
    }
}

impl<K: Resource<DynamicType = ()>> Table<K> {
    fn remove(&mut self, obj: &ObjectRef<K>) {
        for key in self.keys_of.remove(obj).unwrap_or_default() {
            if let Some(set) = self.by_key.get_mut(&key) {
                set.remove(obj);
                if set.is_empty() {
                    self.by_key.remove(&key);
                }
            }
        }
    }

    fn insert(&mut self, obj: ObjectRef<K>, keys: Vec<String>) {
        self.remove(&obj);
        if keys.is_empty() {
            return;
        }
        for key in &keys {
            self.by_key
                .entry(key.clone())
                .or_default()
                .insert(obj.clone());
        }
        self.keys_of.insert(obj, keys);
    }
}

struct State<K: Resource<DynamicType = ()>> {
    live: Table<K>,
    /// The table being filled by a relist, swapped in at `InitDone`.
    relisting: Option<Table<K>>,
}

/// An index of one watched kind by a key function.
pub struct Index<K: Resource<DynamicType = ()>> {
    key: KeyFn<K>,
    state: RwLock<State<K>>,
}

impl<K> Index<K>
where
    K: Resource<DynamicType = ()> + Clone,
    ObjectRef<K>: Hash + Eq,
{
    /// An empty index filing objects under `key(obj)`.
    pub fn new(key: KeyFn<K>) -> Self {
        Self {
            key,
            state: RwLock::new(State {
                live: Table::default(),
                relisting: None,
            }),
        }
    }

    /// Applies one watch event.
    pub fn apply(&self, event: &watcher::Event<K>) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        match event {
            watcher::Event::Apply(obj) => {
                let keys = (self.key)(obj);
                state.live.insert(ObjectRef::from(obj), keys);
            }
            watcher::Event::Delete(obj) => state.live.remove(&ObjectRef::from(obj)),
            watcher::Event::Init => state.relisting = Some(Table::default()),
            watcher::Event::InitApply(obj) => {
                let keys = (self.key)(obj);
                state
                    .relisting
                    .get_or_insert_with(Table::default)
                    .insert(ObjectRef::from(obj), keys);
            }
            watcher::Event::InitDone => {
                if let Some(table) = state.relisting.take() {
                    state.live = table;
                }
            }
        }
    }

    /// The objects filed under `key`, sorted (namespace, then name) for determinism.
    pub fn get(&self, key: &str) -> Vec<ObjectRef<K>> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let mut refs: Vec<ObjectRef<K>> = state
            .live
            .by_key
            .get(key)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default();
        refs.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        refs
    }
}

/// The key for objects controlled by the owner with `uid`.
pub fn controller_uid_keys(meta: &kube::api::ObjectMeta) -> Vec<String> {
    meta.owner_references
        .iter()
        .flatten()
        .filter(|o| o.controller == Some(true))
        .map(|o| o.uid.clone())
        .collect()
}

/// The key for `name` in `namespace`.
pub fn namespaced_key(namespace: &str, name: &str) -> String {
    format!("{namespace}/{name}")
}

/// The indexes the controllers look things up in.
pub struct Indexes {
    /// Certificates by `namespace/spec.secretName`.
    pub certificates_by_secret: Index<Certificate>,
    /// CertificateRequests by controlling owner UID.
    pub requests_by_owner: Index<CertificateRequest>,
    /// next-private-key Secrets by controlling owner UID.
    pub next_keys_by_owner: Index<PartialObjectMeta<Secret>>,
    /// ACME Challenges by controlling owner (Order) UID.
    pub challenges_by_owner: Index<Challenge>,
}

impl Default for Indexes {
    fn default() -> Self {
        Self {
            certificates_by_secret: Index::new(|c: &Certificate| {
                vec![namespaced_key(
                    c.metadata.namespace.as_deref().unwrap_or(""),
                    &c.spec.secret_name,
                )]
            }),
            requests_by_owner: Index::new(|cr: &CertificateRequest| {
                controller_uid_keys(&cr.metadata)
            }),
            next_keys_by_owner: Index::new(|s: &PartialObjectMeta<Secret>| {
                let labelled = s
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(labels::NEXT_PRIVATE_KEY))
                    .is_some_and(|v| v == "true");
                if labelled {
                    controller_uid_keys(&s.metadata)
                } else {
                    Vec::new()
                }
            }),
            challenges_by_owner: Index::new(|c: &Challenge| controller_uid_keys(&c.metadata)),
        }
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::ObjectMeta;

    use super::*;

    fn cm(name: &str, owner: &str) -> ConfigMap {
        ConfigMap {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("ns".into()),
                labels: Some([("owner".to_string(), owner.to_string())].into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn by_owner(c: &ConfigMap) -> Vec<String> {
        c.metadata
            .labels
            .iter()
            .flatten()
            .filter(|(k, _)| *k == "owner")
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn names(refs: Vec<ObjectRef<ConfigMap>>) -> Vec<String> {
        refs.into_iter().map(|r| r.name).collect()
    }

    #[test]
    fn follows_applies_moves_and_deletes() {
        let idx = Index::new(by_owner);
        idx.apply(&watcher::Event::Apply(cm("a", "x")));
        idx.apply(&watcher::Event::Apply(cm("b", "x")));
        assert_eq!(names(idx.get("x")), ["a", "b"]);
        // Re-keyed: leaves the old key.
        idx.apply(&watcher::Event::Apply(cm("a", "y")));
        assert_eq!(names(idx.get("x")), ["b"]);
        assert_eq!(names(idx.get("y")), ["a"]);
        idx.apply(&watcher::Event::Delete(cm("b", "x")));
        assert!(idx.get("x").is_empty());
    }

    #[test]
    fn a_relist_replaces_everything_at_init_done() {
        let idx = Index::new(by_owner);
        idx.apply(&watcher::Event::Apply(cm("gone", "x")));
        idx.apply(&watcher::Event::Init);
        idx.apply(&watcher::Event::InitApply(cm("new", "x")));
        // Until the relist completes, the old view answers.
        assert_eq!(names(idx.get("x")), ["gone"]);
        idx.apply(&watcher::Event::InitDone);
        assert_eq!(names(idx.get("x")), ["new"]);
    }
}
