//! The object store (the server's etcd): objects by resource and key, one global
//! monotonic `resourceVersion`, a bounded history of changes, and watch fan-out.
//!
//! The store knows nothing of Kubernetes semantics beyond keys, resource versions and
//! owner references; validation, defaulting and finalizers live in `crate::resource`.

mod history;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::mpsc;

use crate::meta::ObjectExt;
use crate::status::GroupResource;

pub use history::History;

/// Where an object lives within its resource: (namespace or "", name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// Namespace; empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectKey {
    /// A key.
    pub fn new(namespace: &str, name: &str) -> Self {
        Self {
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
}

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Created.
    Added,
    /// Changed.
    Modified,
    /// Removed.
    Deleted,
}

impl EventType {
    /// The watch event `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One committed change.
#[derive(Debug, Clone)]
pub struct Change {
    /// The resource version of the change.
    pub rv: u64,
    /// The storage resource.
    pub resource: GroupResource,
    /// What happened.
    pub kind: EventType,
    /// The object after the change (for a delete: its last state, with the delete's
    /// resource version).
    pub object: Arc<Value>,
    /// The object before the change, for updates and deletes.
    pub old: Option<Arc<Value>>,
}

impl Change {
    /// The object's namespace ("" when cluster-scoped).
    pub fn namespace(&self) -> &str {
        self.object.namespace().unwrap_or("")
    }
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No object at the key.
    #[error("not found")]
    NotFound,
    /// An object already exists at the key.
    #[error("already exists")]
    AlreadyExists,
    /// The object changed since the expected resource version.
    #[error("resource version conflict")]
    Conflict,
    /// A watch asked for history the store no longer holds.
    #[error("too old resource version: {requested} ({oldest})")]
    Expired {
        /// The requested resource version.
        requested: u64,
        /// The oldest resource version the store can still replay from.
        oldest: u64,
    },
}

/// A watch subscription: replayed history followed by live changes.
pub struct Subscription {
    /// Changes after the requested resource version, already committed.
    pub backlog: Vec<Arc<Change>>,
    /// Live changes. Closed when the subscriber falls too far behind; the client then
    /// re-watches from its last resource version.
    pub live: mpsc::Receiver<Arc<Change>>,
    /// The store's resource version when the subscription started.
    pub start_rv: u64,
}

/// Which changes a subscriber wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interest {
    /// One resource, optionally one namespace.
    Resource {
        /// The storage resource.
        resource: GroupResource,
        /// Only this namespace.
        namespace: Option<String>,
    },
    /// Everything (the cluster's own controllers).
    All,
}

impl Interest {
    fn wants(&self, change: &Change) -> bool {
        match self {
            Interest::All => true,
            Interest::Resource {
                resource,
                namespace,
            } => {
                *resource == change.resource
                    && namespace
                        .as_deref()
                        .is_none_or(|ns| ns == change.namespace())
            }
        }
    }
}

struct Subscriber {
    interest: Interest,
    tx: mpsc::Sender<Arc<Change>>,
}

type Table = BTreeMap<ObjectKey, Arc<Value>>;

struct State {
    rv: u64,
    tables: HashMap<GroupResource, Table>,
    history: History,
    subscribers: Vec<Subscriber>,
    /// uid → where the object lives.
    uids: HashMap<String, (GroupResource, ObjectKey)>,
    /// owner uid → dependents' uids.
    dependents: HashMap<String, HashSet<String>>,
}

/// The in-memory object store. Cheap to share behind an `Arc`.
pub struct Store {
    state: Mutex<State>,
    subscriber_capacity: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("rv", &self.current_rv())
            .finish_non_exhaustive()
    }
}

/// How much a store remembers.
#[derive(Debug, Clone, Copy)]
pub struct StoreLimits {
    /// Changes kept for watches that resume from a resource version.
    pub history: usize,
    /// Changes buffered per live watcher before it is cut off.
    pub subscriber_buffer: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        Self {
            history: 100_000,
            subscriber_buffer: 65_536,
        }
    }
}

impl Store {
    /// An empty store.
    pub fn new(limits: StoreLimits) -> Self {
        Self {
            state: Mutex::new(State {
                rv: 0,
                tables: HashMap::new(),
                history: History::new(limits.history),
                subscribers: Vec::new(),
                uids: HashMap::new(),
                dependents: HashMap::new(),
            }),
            subscriber_capacity: limits.subscriber_buffer.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The latest resource version.
    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    /// The object at `key`.
    pub fn get(&self, resource: &GroupResource, key: &ObjectKey) -> Option<Arc<Value>> {
        self.lock().tables.get(resource)?.get(key).cloned()
    }

    /// Objects of `resource` (in `namespace`, if given), in key order, starting after
    /// `after`; and the resource version the list is consistent with.
    pub fn list(
        &self,
        resource: &GroupResource,
        namespace: Option<&str>,
        after: Option<&ObjectKey>,
    ) -> (Vec<Arc<Value>>, u64) {
        let state = self.lock();
        let Some(table) = state.tables.get(resource) else {
            return (Vec::new(), state.rv);
        };
        let items = match (namespace, after) {
            (Some(ns), after) => {
                let start = match after {
                    Some(k) if k.namespace.as_str() >= ns => std::ops::Bound::Excluded(k.clone()),
                    _ => std::ops::Bound::Included(ObjectKey::new(ns, "")),
                };
                table
                    .range((start, std::ops::Bound::Unbounded))
                    .take_while(|(k, _)| k.namespace == ns)
                    .map(|(_, v)| v.clone())
                    .collect()
            }
            (None, Some(after)) => table
                .range((
                    std::ops::Bound::Excluded(after.clone()),
                    std::ops::Bound::Unbounded,
                ))
                .map(|(_, v)| v.clone())
                .collect(),
            (None, None) => table.values().cloned().collect(),
        };
        (items, state.rv)
    }

    /// How many objects `resource` holds (in `namespace`, if given).
    pub fn count(&self, resource: &GroupResource, namespace: Option<&str>) -> usize {
        let state = self.lock();
        let Some(table) = state.tables.get(resource) else {
            return 0;
        };
        match namespace {
            None => table.len(),
            Some(ns) => table
                .range(ObjectKey::new(ns, "")..)
                .take_while(|(k, _)| k.namespace == ns)
                .count(),
        }
    }

    /// Every object in `namespace`, of every resource.
    pub fn namespace_contents(&self, namespace: &str) -> Vec<(GroupResource, Arc<Value>)> {
        let state = self.lock();
        let mut out = Vec::new();
        for (resource, table) in &state.tables {
            for (_, obj) in table
                .range(ObjectKey::new(namespace, "")..)
                .take_while(|(k, _)| k.namespace == namespace)
            {
                out.push((resource.clone(), obj.clone()));
            }
        }
        out
    }

    /// The resources that hold at least one object.
    pub fn resources(&self) -> Vec<GroupResource> {
        self.lock()
            .tables
            .iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(r, _)| r.clone())
            .collect()
    }

    /// Where the object with `uid` lives, and its current state.
    pub fn by_uid(&self, uid: &str) -> Option<(GroupResource, Arc<Value>)> {
        let state = self.lock();
        let (resource, key) = state.uids.get(uid)?;
        let obj = state.tables.get(resource)?.get(key)?.clone();
        Some((resource.clone(), obj))
    }

    /// The objects that name `owner_uid` in their `ownerReferences`.
    pub fn dependents_of(&self, owner_uid: &str) -> Vec<(GroupResource, Arc<Value>)> {
        let state = self.lock();
        let Some(uids) = state.dependents.get(owner_uid) else {
            return Vec::new();
        };
        uids.iter()
            .filter_map(|uid| {
                let (resource, key) = state.uids.get(uid)?;
                let obj = state.tables.get(resource)?.get(key)?.clone();
                Some((resource.clone(), obj))
            })
            .collect()
    }

    /// Stores a new object, stamping its `resourceVersion`.
    pub fn create(
        &self,
        resource: &GroupResource,
        key: ObjectKey,
        mut obj: Value,
    ) -> Result<Arc<Value>, StoreError> {
        let mut state = self.lock();
        let table = state.tables.entry(resource.clone()).or_default();
        if table.contains_key(&key) {
            return Err(StoreError::AlreadyExists);
        }
        let rv = state.rv + 1;
        obj.set_meta("resourceVersion", Value::String(rv.to_string()));
        let obj = Arc::new(obj);
        state.rv = rv;
        state
            .tables
            .entry(resource.clone())
            .or_default()
            .insert(key.clone(), obj.clone());
        index_insert(&mut state, resource, &key, &obj);
        self.commit(&mut state, resource, EventType::Added, obj.clone(), None);
        Ok(obj)
    }

    /// Replaces the object at `key`, if its resource version is still `expected_rv`
    /// (when given).
    pub fn update(
        &self,
        resource: &GroupResource,
        key: &ObjectKey,
        mut obj: Value,
        expected_rv: Option<u64>,
    ) -> Result<Arc<Value>, StoreError> {
        let mut state = self.lock();
        let old = state
            .tables
            .get(resource)
            .and_then(|t| t.get(key))
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if let Some(expected) = expected_rv
            && rv_of(&old) != Some(expected)
        {
            return Err(StoreError::Conflict);
        }
        let rv = state.rv + 1;
        obj.set_meta("resourceVersion", Value::String(rv.to_string()));
        let obj = Arc::new(obj);
        state.rv = rv;
        state
            .tables
            .entry(resource.clone())
            .or_default()
            .insert(key.clone(), obj.clone());
        index_remove(&mut state, &old);
        index_insert(&mut state, resource, key, &obj);
        self.commit(
            &mut state,
            resource,
            EventType::Modified,
            obj.clone(),
            Some(old),
        );
        Ok(obj)
    }

    /// Removes the object at `key`, if its resource version is still `expected_rv`
    /// (when given). Returns its last state, stamped with the delete's resource version.
    pub fn delete(
        &self,
        resource: &GroupResource,
        key: &ObjectKey,
        expected_rv: Option<u64>,
    ) -> Result<Arc<Value>, StoreError> {
        let mut state = self.lock();
        let old = state
            .tables
            .get(resource)
            .and_then(|t| t.get(key))
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if let Some(expected) = expected_rv
            && rv_of(&old) != Some(expected)
        {
            return Err(StoreError::Conflict);
        }
        if let Some(table) = state.tables.get_mut(resource) {
            table.remove(key);
        }
        index_remove(&mut state, &old);
        let rv = state.rv + 1;
        state.rv = rv;
        let mut last = (*old).clone();
        last.set_meta("resourceVersion", Value::String(rv.to_string()));
        let last = Arc::new(last);
        self.commit(
            &mut state,
            resource,
            EventType::Deleted,
            last.clone(),
            Some(old),
        );
        Ok(last)
    }

    fn commit(
        &self,
        state: &mut State,
        resource: &GroupResource,
        kind: EventType,
        object: Arc<Value>,
        old: Option<Arc<Value>>,
    ) {
        let change = Arc::new(Change {
            rv: state.rv,
            resource: resource.clone(),
            kind,
            object,
            old,
        });
        state.history.push(change.clone());
        state.subscribers.retain(|s| {
            if !s.interest.wants(&change) {
                return !s.tx.is_closed();
            }
            // A subscriber that can't keep up is cut off; it re-watches from its last
            // resource version, and gets 410 if that has left the history.
            s.tx.try_send(change.clone()).is_ok()
        });
    }

    /// Subscribes to changes. With `from_rv`, changes after that resource version are
    /// replayed first (410 `Expired` if they are no longer held); without, only live
    /// changes are delivered.
    pub fn subscribe(
        &self,
        interest: Interest,
        from_rv: Option<u64>,
    ) -> Result<Subscription, StoreError> {
        self.subscribe_with_capacity(interest, from_rv, self.subscriber_capacity)
    }

    /// [`Store::subscribe`] with a buffer of `capacity` changes (the cluster's own
    /// controllers take a large one).
    pub fn subscribe_with_capacity(
        &self,
        interest: Interest,
        from_rv: Option<u64>,
        capacity: usize,
    ) -> Result<Subscription, StoreError> {
        let mut state = self.lock();
        let backlog = match from_rv {
            Some(rv) => state
                .history
                .since(rv, |c| interest.wants(c))
                .map_err(|oldest| StoreError::Expired {
                    requested: rv,
                    oldest,
                })?,
            None => Vec::new(),
        };
        let (tx, rx) = mpsc::channel(capacity.max(1));
        state.subscribers.push(Subscriber { interest, tx });
        Ok(Subscription {
            backlog,
            live: rx,
            start_rv: state.rv,
        })
    }

    /// Subscribes to live changes of `resource` and, atomically with it, snapshots its
    /// current objects (in `namespace`, if given): the initial state of a watch that
    /// starts "now".
    pub fn subscribe_with_snapshot(
        &self,
        resource: &GroupResource,
        namespace: Option<&str>,
    ) -> (Vec<Arc<Value>>, Subscription) {
        let mut state = self.lock();
        let snapshot: Vec<Arc<Value>> = match state.tables.get(resource) {
            None => Vec::new(),
            Some(table) => match namespace {
                None => table.values().cloned().collect(),
                Some(ns) => table
                    .range(ObjectKey::new(ns, "")..)
                    .take_while(|(k, _)| k.namespace == ns)
                    .map(|(_, v)| v.clone())
                    .collect(),
            },
        };
        let (tx, rx) = mpsc::channel(self.subscriber_capacity);
        state.subscribers.push(Subscriber {
            interest: Interest::Resource {
                resource: resource.clone(),
                namespace: namespace.map(str::to_string),
            },
            tx,
        });
        let sub = Subscription {
            backlog: Vec::new(),
            live: rx,
            start_rv: state.rv,
        };
        (snapshot, sub)
    }

    /// Forgets all history, so that every watch resuming from an earlier resource
    /// version gets 410 Gone. Test hook for relist handling.
    pub fn compact(&self) {
        let mut state = self.lock();
        let rv = state.rv;
        state.history.compact(rv);
    }

    /// Ends every watch subscription (their streams close; clients re-watch from their
    /// last resource version). With [`Store::compact`], forces clients to relist.
    pub fn disconnect_watchers(&self) {
        self.lock().subscribers.clear();
    }

    /// Number of live watch subscriptions.
    pub fn subscriber_count(&self) -> usize {
        let mut state = self.lock();
        state.subscribers.retain(|s| !s.tx.is_closed());
        state.subscribers.len()
    }

    /// Number of stored objects, in all resources.
    pub fn object_count(&self) -> usize {
        self.lock().tables.values().map(BTreeMap::len).sum()
    }
}

/// Parses an object's `metadata.resourceVersion`.
pub fn rv_of(obj: &Value) -> Option<u64> {
    obj.resource_version()?.parse().ok()
}

fn owner_uids(obj: &Value) -> Vec<String> {
    obj.metadata()
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn index_insert(state: &mut State, resource: &GroupResource, key: &ObjectKey, obj: &Value) {
    let Some(uid) = obj.uid() else { return };
    state
        .uids
        .insert(uid.to_string(), (resource.clone(), key.clone()));
    for owner in owner_uids(obj) {
        state
            .dependents
            .entry(owner)
            .or_default()
            .insert(uid.to_string());
    }
}

fn index_remove(state: &mut State, obj: &Value) {
    let Some(uid) = obj.uid() else { return };
    state.uids.remove(uid);
    for owner in owner_uids(obj) {
        if let Some(set) = state.dependents.get_mut(&owner) {
            set.remove(uid);
            if set.is_empty() {
                state.dependents.remove(&owner);
            }
        }
    }
}

#[cfg(test)]
mod tests;
