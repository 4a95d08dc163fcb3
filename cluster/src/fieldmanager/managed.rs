//! `metadata.managedFields`: the wire entries, and the per-manager sets the field
//! manager works on, keyed the way the API server keys them (a JSON identifier of
//! manager, operation, API version for updates, and subresource).

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::gofmt;
use super::set::FieldSet;
use super::time;

/// The operation a managedFields entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    /// Server-side apply.
    Apply,
    /// Any other write: create, update, patch.
    Update,
}

impl Operation {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `metadata.managedFields` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedFieldsEntry {
    /// The field manager's name.
    pub manager: String,
    /// Apply or Update.
    pub operation: Operation,
    /// The API version the fields are expressed in.
    pub api_version: String,
    /// When the entry last changed (`2024-05-01T12:00:00Z`); absent when it never did.
    pub time: Option<String>,
    /// Always `FieldsV1`.
    pub fields_type: String,
    /// The fields owned.
    pub fields_v1: FieldSet,
    /// The subresource written through (`status`), if any.
    pub subresource: Option<String>,
}

/// A managedFields list that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ManagedFieldsError(pub String);

fn opt_string(obj: &Map<String, Value>, key: &str) -> Result<String, ManagedFieldsError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(ManagedFieldsError(format!(
            "json: cannot unmarshal {} into Go struct field ManagedFieldsEntry.{key} of type string",
            gofmt::json_type_name(other)
        ))),
    }
}

/// An entry as Go's decoder reads it, before the field manager's own checks.
struct RawEntry {
    manager: String,
    operation: String,
    api_version: String,
    time: Option<String>,
    fields_type: String,
    fields_v1: Value,
    subresource: String,
}

impl RawEntry {
    fn parse(v: &Value) -> Result<RawEntry, ManagedFieldsError> {
        let empty = Map::new();
        let obj = match v {
            Value::Object(o) => o,
            Value::Null => &empty,
            other => {
                return Err(ManagedFieldsError(format!(
                    "json: cannot unmarshal {} into Go value of type v1.ManagedFieldsEntry",
                    gofmt::json_type_name(other)
                )));
            }
        };
        let time = match obj.get("time") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(time::normalize(s).ok_or_else(|| {
                ManagedFieldsError(format!("parsing time {}: invalid", gofmt::quote(s)))
            })?),
            Some(other) => {
                return Err(ManagedFieldsError(format!(
                    "json: cannot unmarshal {} into Go struct field ManagedFieldsEntry.time of type string",
                    gofmt::json_type_name(other)
                )));
            }
        };
        Ok(RawEntry {
            manager: opt_string(obj, "manager")?,
            operation: opt_string(obj, "operation")?,
            api_version: opt_string(obj, "apiVersion")?,
            time,
            fields_type: opt_string(obj, "fieldsType")?,
            fields_v1: obj.get("fieldsV1").cloned().unwrap_or(Value::Null),
            subresource: opt_string(obj, "subresource")?,
        })
    }

    /// Whether every field has its zero value (`[{}]` resets managedFields).
    fn is_zero(&self) -> bool {
        self.manager.is_empty()
            && self.operation.is_empty()
            && self.api_version.is_empty()
            && self.time.is_none()
            && self.fields_type.is_empty()
            && self.fields_v1.is_null()
            && self.subresource.is_empty()
    }
}

impl ManagedFieldsEntry {
    /// Decodes and checks one entry.
    pub fn from_json(v: &Value) -> Result<Self, ManagedFieldsError> {
        Self::from_raw(RawEntry::parse(v)?, 0)
    }

    fn from_raw(raw: RawEntry, index: usize) -> Result<Self, ManagedFieldsError> {
        let operation = match raw.operation.as_str() {
            "Apply" => Operation::Apply,
            "Update" => Operation::Update,
            _ => {
                return Err(ManagedFieldsError(
                    "operation must be `Apply` or `Update`".into(),
                ));
            }
        };
        if raw.api_version.is_empty() {
            return Err(ManagedFieldsError("apiVersion must not be empty".into()));
        }
        match raw.fields_type.as_str() {
            "FieldsV1" => {}
            "" => {
                return Err(ManagedFieldsError(format!(
                    "missing fieldsType in managed fields entry {index}"
                )));
            }
            other => {
                return Err(ManagedFieldsError(format!(
                    "invalid fieldsType {} in managed fields entry {index}",
                    gofmt::quote(other)
                )));
            }
        }
        let fields_v1 = FieldSet::from_fields_v1(&raw.fields_v1)
            .map_err(|e| ManagedFieldsError(format!("error decoding set: {e}")))?;
        Ok(ManagedFieldsEntry {
            manager: raw.manager,
            operation,
            api_version: raw.api_version,
            time: raw.time,
            fields_type: raw.fields_type,
            fields_v1,
            subresource: Some(raw.subresource).filter(|s| !s.is_empty()),
        })
    }

    /// The wire form, fields in the API server's order.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if !self.manager.is_empty() {
            m.insert("manager".into(), Value::String(self.manager.clone()));
        }
        m.insert(
            "operation".into(),
            Value::String(self.operation.as_str().into()),
        );
        m.insert("apiVersion".into(), Value::String(self.api_version.clone()));
        if let Some(t) = &self.time {
            m.insert("time".into(), Value::String(t.clone()));
        }
        m.insert("fieldsType".into(), Value::String(self.fields_type.clone()));
        m.insert("fieldsV1".into(), self.fields_v1.to_fields_v1());
        if let Some(s) = &self.subresource {
            m.insert("subresource".into(), Value::String(s.clone()));
        }
        Value::Object(m)
    }
}

/// Whether a request's managedFields ask for them to be reset: `[]`, or one entry with
/// every field empty (`[{}]`).
pub(crate) fn is_reset(list: Option<&Value>) -> bool {
    match list {
        Some(Value::Array(items)) => match items.as_slice() {
            [] => true,
            [only] => RawEntry::parse(only).is_ok_and(|e| e.is_zero()),
            _ => false,
        },
        _ => false,
    }
}

/// Reads `metadata.managedFields` of an object (absent: none).
pub fn read_managed_fields(object: &Value) -> Result<Vec<ManagedFieldsEntry>, ManagedFieldsError> {
    match object.pointer("/metadata/managedFields") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| ManagedFieldsEntry::from_raw(RawEntry::parse(v)?, i))
            .collect(),
        Some(other) => Err(ManagedFieldsError(format!(
            "json: cannot unmarshal {} into Go value of type []v1.ManagedFieldsEntry",
            gofmt::json_type_name(other)
        ))),
    }
}

/// Who owns a set: what the API server's manager identifier encodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ManagerId {
    pub(crate) manager: String,
    pub(crate) operation: Operation,
    /// Empty for Apply: an applier keeps one entry whatever version it applies.
    pub(crate) api_version: String,
    pub(crate) subresource: String,
}

impl ManagerId {
    /// The identifier string (`{"manager":"kubectl","operation":"Apply"}`), the JSON of
    /// the entry without fields, type and time, as Go marshals it.
    pub(crate) fn key(&self) -> String {
        let mut out = String::from("{");
        let field = |out: &mut String, name: &str, value: &str| {
            if value.is_empty() {
                return;
            }
            if out.len() > 1 {
                out.push(',');
            }
            gofmt::json_string_into(name, out);
            out.push(':');
            gofmt::json_string_into(value, out);
        };
        field(&mut out, "manager", &self.manager);
        field(&mut out, "operation", self.operation.as_str());
        field(&mut out, "apiVersion", &self.api_version);
        field(&mut out, "subresource", &self.subresource);
        out.push('}');
        out
    }
}

/// The fields one manager owns, in one API version.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct VersionedSet {
    pub(crate) set: FieldSet,
    pub(crate) api_version: String,
    pub(crate) applied: bool,
}

/// Every manager's set and time, keyed by identifier.
#[derive(Clone, Debug, Default)]
pub(crate) struct Managed {
    pub(crate) fields: BTreeMap<String, (ManagerId, VersionedSet)>,
    pub(crate) times: BTreeMap<String, Option<String>>,
}

impl Managed {
    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Decodes a managedFields list (`DecodeManagedFields`). Anything but an array is
    /// read as no entries.
    pub(crate) fn decode(list: Option<&Value>) -> Result<Managed, ManagedFieldsError> {
        let mut managed = Managed::default();
        let Some(Value::Array(items)) = list else {
            return Ok(managed);
        };
        for (i, item) in items.iter().enumerate() {
            let entry = ManagedFieldsEntry::from_raw(RawEntry::parse(item)?, i)?;
            let id = ManagerId {
                manager: entry.manager,
                operation: entry.operation,
                api_version: match entry.operation {
                    Operation::Apply => String::new(),
                    Operation::Update => entry.api_version.clone(),
                },
                subresource: entry.subresource.unwrap_or_default(),
            };
            let key = id.key();
            let vs = VersionedSet {
                set: entry.fields_v1,
                api_version: entry.api_version,
                applied: entry.operation == Operation::Apply,
            };
            managed.fields.insert(key.clone(), (id, vs));
            managed.times.insert(key, entry.time);
        }
        Ok(managed)
    }

    /// The entries in the API server's order: Apply before Update, then by time, manager,
    /// API version and subresource.
    pub(crate) fn entries(&self) -> Vec<ManagedFieldsEntry> {
        let mut out: Vec<ManagedFieldsEntry> = self
            .fields
            .iter()
            .map(|(key, (id, vs))| ManagedFieldsEntry {
                manager: id.manager.clone(),
                operation: if vs.applied {
                    Operation::Apply
                } else {
                    id.operation
                },
                api_version: vs.api_version.clone(),
                time: self.times.get(key).cloned().flatten(),
                fields_type: "FieldsV1".into(),
                fields_v1: vs.set.clone(),
                subresource: Some(id.subresource.clone()).filter(|s| !s.is_empty()),
            })
            .collect();
        let secs =
            |e: &ManagedFieldsEntry| e.time.as_deref().and_then(time::parse_rfc3339).unwrap_or(0);
        out.sort_by(|p, q| {
            p.operation
                .cmp(&q.operation)
                .then_with(|| secs(p).cmp(&secs(q)))
                .then_with(|| p.manager.cmp(&q.manager))
                .then_with(|| p.api_version.cmp(&q.api_version))
                .then_with(|| p.subresource.cmp(&q.subresource))
        });
        out
    }

    /// Writes the entries into `object.metadata.managedFields` (removing it when there
    /// are none).
    pub(crate) fn encode_into(&self, object: &mut Value) {
        let Some(obj) = object.as_object_mut() else {
            return;
        };
        let entries: Vec<Value> = self
            .entries()
            .iter()
            .map(ManagedFieldsEntry::to_json)
            .collect();
        if entries.is_empty() {
            if let Some(Value::Object(meta)) = obj.get_mut("metadata") {
                meta.remove("managedFields");
            }
            return;
        }
        let meta = obj
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if !meta.is_object() {
            *meta = Value::Object(Map::new());
        }
        if let Value::Object(meta) = meta {
            meta.insert("managedFields".into(), Value::Array(entries));
        }
    }

    /// Merges the oldest Update entries into `ancient-changes` entries, one a version,
    /// until at most `max` Update entries are left (`capManagersManager`).
    pub(crate) fn cap_update_managers(&mut self, max: usize) {
        let mut updaters: Vec<String> = self
            .fields
            .iter()
            .filter(|(_, (_, vs))| !vs.applied)
            .map(|(k, _)| k.clone())
            .collect();
        if updaters.len() <= max {
            return;
        }
        let secs = |m: &Managed, k: &String| {
            m.times
                .get(k)
                .cloned()
                .flatten()
                .as_deref()
                .and_then(time::parse_rfc3339)
                .unwrap_or(0)
        };
        updaters.sort_by(|a, b| secs(self, a).cmp(&secs(self, b)).then_with(|| a.cmp(b)));
        let mut first_of_version: BTreeMap<String, String> = BTreeMap::new();
        let mut length = updaters.len();
        for key in updaters {
            if length <= max {
                break;
            }
            let Some((_, vs)) = self.fields.get(&key).cloned() else {
                continue;
            };
            let when = self.times.get(&key).cloned().flatten();
            let bucket_id = ManagerId {
                manager: "ancient-changes".into(),
                operation: Operation::Update,
                api_version: vs.api_version.clone(),
                subresource: String::new(),
            };
            let bucket = bucket_id.key();
            let Some(first) = first_of_version.get(&vs.api_version).cloned() else {
                first_of_version.insert(vs.api_version.clone(), key);
                continue;
            };
            if !self.fields.contains_key(&bucket)
                && let Some((_, s)) = self.fields.remove(&first)
            {
                self.fields.insert(bucket.clone(), (bucket_id.clone(), s));
            }
            let merged = match self.fields.get(&bucket) {
                Some((_, b)) => vs.set.union(&b.set),
                None => vs.set.clone(),
            };
            self.fields.insert(
                bucket.clone(),
                (
                    bucket_id,
                    VersionedSet {
                        set: merged,
                        api_version: vs.api_version.clone(),
                        applied: vs.applied,
                    },
                ),
            );
            self.fields.remove(&key);
            length -= 1;
            self.times.insert(bucket, when);
        }
    }
}
