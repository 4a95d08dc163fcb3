//! [`FieldManager`]: the API server's field manager for one endpoint, wrapping the
//! updater the way the real one is layered: version check, last-applied upgrade,
//! tracking from the first apply, capped Update entries, manager identifiers, entry
//! times, and stripping of the fields nobody may own.

use serde_json::{Map, Value};

use super::conflict::{ApplyError, FieldManagerError};
use super::gofmt;
use super::lastapplied;
use super::managed::{Managed, ManagerId, Operation};
use super::path::PathElement;
use super::set::FieldSet;
use super::time;
use super::typed;
use super::updater::{Reset, Updater};
use crate::shape::Shape;

/// How many Update entries an object keeps before the oldest are merged.
const MAX_UPDATE_MANAGERS: usize = 10;

/// The manager that owns what an object held before its first apply.
const BEFORE_FIRST_APPLY: &str = "before-first-apply";

/// The placeholder the current non-apply write is tracked under before it is merged
/// into its manager's entry.
const CURRENT_OPERATION: &str = "current-operation";

/// The field manager of one endpoint: a kind's shape, the API version and kind it
/// serves, and the subresource written through.
#[derive(Clone, Debug)]
pub struct FieldManager {
    shape: std::sync::Arc<Shape>,
    api_version: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    subresource: Option<String>,
    status_subresource: bool,
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `group/version, Kind=kind`, as Go prints a `GroupVersionKind`.
fn gvk_string(api_version: &str, kind: &str) -> String {
    let (group, version) = match api_version.split_once('/') {
        None => ("", api_version),
        Some((g, v)) if !v.contains('/') => (g, v),
        Some(_) => ("", ""),
    };
    format!("{group}/{version}, Kind={kind}")
}

/// The fields no manager ever owns: type information and the fields the server sets.
fn never_owned() -> FieldSet {
    let mut s = FieldSet::new();
    for f in ["apiVersion", "kind", "metadata"] {
        s.insert(&[PathElement::field(f)]);
    }
    for f in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    ] {
        s.insert(&[PathElement::field("metadata"), PathElement::field(f)]);
    }
    s
}

static NEVER_OWNED: std::sync::LazyLock<FieldSet> = std::sync::LazyLock::new(never_owned);

/// Drops the never-owned fields from `key`'s set (`stripMetaManager`).
fn strip(managed: &mut Managed, key: &str) {
    let strip_set = &*NEVER_OWNED;
    if let Some((_, vs)) = managed.fields.get_mut(key) {
        vs.set = vs.set.difference(strip_set);
        if vs.set.is_empty() {
            managed.fields.remove(key);
        }
    }
}

fn without_managed_fields(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(Value::Object(meta)) = v.get_mut("metadata") {
        meta.remove("managedFields");
    }
    v
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

impl FieldManager {
    /// A field manager for objects of `shape`, written through the main resource of a
    /// kind that has a status subresource (so `status` is neither written nor owned).
    pub fn new(shape: &Shape) -> Self {
        Self::from_rooted(std::sync::Arc::new(typed::root_shape(shape)))
    }

    /// A field manager over a shape already passed through [`super::rooted_shape`]
    /// (cheap: the shape is shared, not copied).
    pub fn from_rooted(shape: std::sync::Arc<Shape>) -> Self {
        FieldManager {
            shape,
            api_version: None,
            kind: None,
            name: None,
            subresource: None,
            status_subresource: true,
        }
    }

    /// The `apiVersion` and `kind` the endpoint serves; applied configurations must
    /// name exactly these. Without it, they must match the live object (or, on create,
    /// merely be present).
    pub fn with_kind(mut self, api_version: &str, kind: &str) -> Self {
        self.api_version = Some(api_version.to_string());
        self.kind = Some(kind.to_string());
        self
    }

    /// The object name from the request URL, which the configuration must carry.
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// The subresource written through (`Some("status")`), or `None` for the main
    /// resource.
    pub fn with_subresource(mut self, subresource: Option<&str>) -> Self {
        self.subresource = subresource.filter(|s| !s.is_empty()).map(str::to_string);
        self
    }

    /// Whether the kind has a status subresource (the default). Without one, writes to
    /// the main resource write and own `status` like any other field.
    pub fn with_status_subresource(mut self, enabled: bool) -> Self {
        self.status_subresource = enabled;
        self
    }

    fn reset(&self) -> Reset {
        match self.subresource.as_deref() {
            Some("status") => Reset::AllButStatus,
            Some(_) => Reset::Nothing,
            None if self.status_subresource => Reset::Status,
            None => Reset::Nothing,
        }
    }

    fn updater(&self) -> Updater<'_> {
        Updater {
            shape: &self.shape,
            reset: self.reset(),
        }
    }

    fn id(&self, manager: &str, operation: Operation, api_version: &str) -> ManagerId {
        ManagerId {
            manager: if manager.is_empty() {
                "unknown".into()
            } else {
                manager.into()
            },
            operation,
            api_version: match operation {
                Operation::Apply => String::new(),
                Operation::Update => api_version.into(),
            },
            subresource: self.subresource.clone().unwrap_or_default(),
        }
    }

    /// Server-side apply of `config` by `manager` to `live` (`None`: the apply creates
    /// the object). Returns the object to store, `metadata.managedFields` included.
    pub fn apply(
        &self,
        live: Option<&Value>,
        config: &Value,
        manager: &str,
        force: bool,
        now: &str,
    ) -> Result<Value, ApplyError> {
        let now = time::normalize(now);
        let config = match config {
            Value::Object(_) => config.clone(),
            Value::Null => empty_object(),
            other => {
                return Err(ApplyError::BadRequest(format!(
                    "error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    gofmt::json_type_name(other)
                )));
            }
        };
        let api_version = str_at(&config, "/apiVersion").to_string();
        self.check_type(live, &config, &api_version)?;
        if config
            .pointer("/metadata/managedFields")
            .is_some_and(Value::is_array)
        {
            return Err(ApplyError::BadRequest(
                "metadata.managedFields must be nil".into(),
            ));
        }
        let errors = typed::validate(&config, &self.shape);
        if !errors.is_empty() {
            let text = match errors.as_slice() {
                [only] => only.to_string(),
                many => {
                    let lines: Vec<String> = many.iter().map(|e| format!("  {e}")).collect();
                    format!("errors:\n{}", lines.join("\n"))
                }
            };
            return Err(ApplyError::Invalid(format!(
                "failed to create typed patch object ({}/{}; {}): {text}",
                str_at(&config, "/metadata/namespace"),
                str_at(&config, "/metadata/name"),
                gvk_string(&api_version, str_at(&config, "/kind")),
            )));
        }
        let live_value = live.cloned().unwrap_or_else(empty_object);
        let managed = Managed::decode(live_value.pointer("/metadata/managedFields"))
            .map_err(|e| ApplyError::Internal(format!("failed to decode managed fields: {e}")))?;
        let live_value = without_managed_fields(&live_value);

        let (mut object, managed) = self.apply_upgrading(
            &live_value,
            &config,
            managed,
            manager,
            force,
            &api_version,
            now.as_deref(),
        )?;
        self.check_name(live, &object)?;
        if manager == lastapplied::KUBECTL_MANAGER && lastapplied::has_last_applied(&object) {
            lastapplied::set(&mut object, lastapplied::build(&config));
        }
        self.reset_values(&live_value, &mut object);
        managed.encode_into(&mut object);
        Ok(object)
    }

    /// The version check: the configuration's type must be the endpoint's.
    fn check_type(
        &self,
        live: Option<&Value>,
        config: &Value,
        api_version: &str,
    ) -> Result<(), ApplyError> {
        let kind = str_at(config, "/kind");
        let expected = match (&self.api_version, &self.kind, live) {
            (Some(av), Some(k), _) => Some((av.as_str(), k.as_str())),
            (_, _, Some(l)) => Some((str_at(l, "/apiVersion"), str_at(l, "/kind"))),
            _ => None,
        };
        let ok = match expected {
            Some((av, k)) => {
                gvk_string(av, k) == gvk_string(api_version, kind)
                    && !kind.is_empty()
                    && !api_version.is_empty()
            }
            None => !api_version.is_empty() && !kind.is_empty(),
        };
        if ok {
            Ok(())
        } else {
            Err(ApplyError::BadRequest(format!(
                "invalid object type: {}",
                gvk_string(api_version, kind)
            )))
        }
    }

    /// The merged object must have a name, the one the URL names (`checkName`). A
    /// configuration may leave the name out when the object exists, as kube-rs status
    /// applies do; on create it must carry it.
    fn check_name(&self, live: Option<&Value>, merged: &Value) -> Result<(), ApplyError> {
        let name = str_at(merged, "/metadata/name");
        let url_name = self
            .name
            .as_deref()
            .or_else(|| live.map(|l| str_at(l, "/metadata/name")))
            .filter(|n| !n.is_empty());
        match url_name {
            _ if name.is_empty() => Err(ApplyError::BadRequest(match url_name {
                Some(u) => format!(
                    "the name of the object ({u} based on URL) was undeterminable: name must be provided"
                ),
                None => "name must be provided".into(),
            })),
            Some(u) if u != name => Err(ApplyError::BadRequest(format!(
                "the name of the object ({name}) does not match the name on the URL ({u})"
            ))),
            _ => Ok(()),
        }
    }

    /// Apply with the client-side-apply upgrade for `kubectl` (`lastAppliedManager`).
    #[allow(clippy::too_many_arguments)]
    fn apply_upgrading(
        &self,
        live: &Value,
        config: &Value,
        managed: Managed,
        manager: &str,
        force: bool,
        api_version: &str,
        now: Option<&str>,
    ) -> Result<(Value, Managed), ApplyError> {
        let first = self.apply_tracked(
            live,
            config,
            managed.clone(),
            manager,
            force,
            api_version,
            now,
        );
        let conflicts = match first {
            Err(ApplyError::Conflicts(c)) if manager == lastapplied::KUBECTL_MANAGER => c,
            other => return other,
        };
        let Some(allowed) = lastapplied::allowed_conflicts(live, api_version, &self.shape) else {
            return Err(ApplyError::Conflicts(conflicts));
        };
        let remaining: Vec<_> = conflicts
            .into_iter()
            .filter(|c| !allowed.has(c.path.elements()))
            .collect();
        if remaining.is_empty() {
            self.apply_tracked(live, config, managed, manager, true, api_version, now)
        } else {
            Err(ApplyError::Conflicts(remaining))
        }
    }

    /// Apply, first giving what an untracked object holds to `before-first-apply`
    /// (`skipNonAppliedManager`).
    #[allow(clippy::too_many_arguments)]
    fn apply_tracked(
        &self,
        live: &Value,
        config: &Value,
        mut managed: Managed,
        manager: &str,
        force: bool,
        api_version: &str,
        now: Option<&str>,
    ) -> Result<(Value, Managed), ApplyError> {
        if managed.is_empty() {
            self.record_update(
                &empty_object(),
                live,
                &mut managed,
                BEFORE_FIRST_APPLY,
                api_version,
                now,
            );
        }
        let id = self.id(manager, Operation::Apply, api_version);
        let key = id.key();
        let result = self
            .updater()
            .apply(live, config, api_version, &mut managed, &key, &id, force)
            .map_err(ApplyError::Conflicts)?;
        strip(&mut managed, &key);
        let object = match result {
            Some(object) => {
                managed.times.insert(key, now.map(str::to_string));
                object
            }
            None => live.clone(),
        };
        Ok((object, managed))
    }

    /// Records a non-apply write by `manager` from `old` to `new` in `managed`
    /// (`managedFieldsUpdater` over the updater, then the cap on Update entries).
    fn record_update(
        &self,
        old: &Value,
        new: &Value,
        managed: &mut Managed,
        manager: &str,
        api_version: &str,
        now: Option<&str>,
    ) {
        let id = self.id(manager, Operation::Update, api_version);
        let key = id.key();
        let current = ManagerId {
            manager: CURRENT_OPERATION.into(),
            ..id.clone()
        };
        self.updater()
            .update(old, new, api_version, managed, CURRENT_OPERATION, &current);
        strip(managed, CURRENT_OPERATION);
        if let Some((_, vs)) = managed.fields.remove(CURRENT_OPERATION) {
            let set = match managed.fields.get(&key) {
                Some((_, previous)) => vs.set.union(&previous.set),
                None => vs.set,
            };
            let vs = super::managed::VersionedSet {
                set,
                api_version: vs.api_version,
                applied: false,
            };
            managed.fields.insert(key.clone(), (id, vs));
            managed.times.insert(key, now.map(str::to_string));
        }
        managed.cap_update_managers(MAX_UPDATE_MANAGERS);
    }

    /// After a non-apply write (create, update, patch) by `manager` from `old` (`None`
    /// on create) to `new`: `manager` (operation Update) owns every field that changed,
    /// taken away from the others, and `new`'s `metadata.managedFields` is rewritten.
    ///
    /// managedFields that `new` carries (a client may set them) replace the live ones;
    /// `[]` or `[{}]` clear them, after which an update tracks nothing until the next
    /// apply. Writes through a subresource ignore the managedFields they carry.
    pub fn update(
        &self,
        old: Option<&Value>,
        new: &mut Value,
        manager: &str,
        now: &str,
    ) -> Result<(), FieldManagerError> {
        if !new.is_object() {
            return Err(FieldManagerError::NotAnObject);
        }
        let now = time::normalize(now);
        let live = old.cloned().unwrap_or_else(empty_object);
        let live_managed =
            || Managed::decode(live.pointer("/metadata/managedFields")).unwrap_or_default();
        let requested = new.pointer("/metadata/managedFields");
        let mut managed = if self.subresource.is_some() {
            live_managed()
        } else if super::managed::is_reset(requested) {
            Managed::default()
        } else {
            match Managed::decode(requested) {
                Ok(m) if !m.is_empty() => m,
                _ => live_managed(),
            }
        };
        if let Some(Value::Object(meta)) = new.get_mut("metadata") {
            meta.remove("managedFields");
        }
        let has_uid = !str_at(&live, "/metadata/uid").is_empty();
        let api_version = match str_at(new, "/apiVersion") {
            "" => self
                .api_version
                .clone()
                .unwrap_or_else(|| str_at(&live, "/apiVersion").to_string()),
            av => av.to_string(),
        };
        if api_version.is_empty() {
            // Nothing to express the fields in: keep what the object had, as the API
            // server does when tracking fails.
            tracing::debug!(
                manager,
                "no apiVersion to track a write in; managedFields kept"
            );
            managed = live_managed();
        } else if !(managed.is_empty() && has_uid) {
            let live = without_managed_fields(&live);
            let snapshot = new.clone();
            self.record_update(
                &live,
                &snapshot,
                &mut managed,
                manager,
                &api_version,
                now.as_deref(),
            );
        }
        managed.encode_into(new);
        Ok(())
    }

    /// Restores the fields this endpoint cannot write to their live values.
    fn reset_values(&self, live: &Value, object: &mut Value) {
        let live_status = live.get("status").cloned();
        match self.reset() {
            Reset::Nothing => {}
            Reset::Status => {
                if let Some(obj) = object.as_object_mut() {
                    match live_status {
                        Some(s) => {
                            obj.insert("status".into(), s);
                        }
                        None => {
                            obj.remove("status");
                        }
                    }
                }
            }
            Reset::AllButStatus => {
                let status = object.get("status").cloned();
                let mut restored = live.clone();
                if let Some(obj) = restored.as_object_mut() {
                    match status {
                        Some(s) => {
                            obj.insert("status".into(), s);
                        }
                        None => {
                            obj.remove("status");
                        }
                    }
                }
                *object = restored;
            }
        }
    }
}
