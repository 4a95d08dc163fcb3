//! Apply conflicts and errors, and the `Status` the API server answers them with.

use serde_json::{Map, Value, json};

use super::gofmt;
use super::managed::{ManagerId, Operation};
use super::path::Path;

/// A field the applier would change that another manager owns.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The other manager's name.
    pub manager: String,
    /// How the other manager wrote the field.
    pub operation: Operation,
    /// The API version of the other manager's entry, for Update entries; empty for
    /// appliers, whose conflicts never name a version.
    pub api_version: String,
    /// The subresource the other manager wrote through, if any.
    pub subresource: Option<String>,
    /// The field, as conflicts print it: `.spec.containers[name="nginx"].image`.
    pub field: String,
    /// The field as a path.
    pub path: Path,
}

impl Conflict {
    pub(crate) fn new(id: &ManagerId, path: Path) -> Conflict {
        Conflict {
            manager: id.manager.clone(),
            operation: id.operation,
            api_version: id.api_version.clone(),
            subresource: Some(id.subresource.clone()).filter(|s| !s.is_empty()),
            field: path.to_string(),
            path,
        }
    }

    /// The other manager as the API server describes it: `"kubectl"`, or
    /// `"kubectl-client-side-apply" using v1` for an Update entry, with
    /// ` with subresource "status"` where it applies.
    pub fn describe_manager(&self) -> String {
        let mut s = gofmt::quote(&self.manager);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!(" with subresource {}", gofmt::quote(sub)));
        }
        if self.operation == Operation::Update {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }

    /// The identifier the API server groups conflicts by.
    fn manager_key(&self) -> String {
        ManagerId {
            manager: self.manager.clone(),
            operation: self.operation,
            api_version: self.api_version.clone(),
            subresource: self.subresource.clone().unwrap_or_default(),
        }
        .key()
    }
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "conflict with {}: {}",
            self.describe_manager(),
            self.field
        )
    }
}

/// `Apply failed with 1 conflict: conflict with "m" using v1: .spec.x`, or for several,
/// one block per manager (sorted) with one `- field` line per conflict.
pub fn conflicts_message(conflicts: &[Conflict]) -> String {
    if let [only] = conflicts {
        return format!("Apply failed with 1 conflict: {only}");
    }
    let mut groups: Vec<(String, &Conflict, Vec<&str>)> = Vec::new();
    for c in conflicts {
        let key = c.manager_key();
        match groups.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, fields)) => fields.push(&c.field),
            None => groups.push((key, c, vec![&c.field])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let mut lines = Vec::new();
    for (_, c, fields) in groups {
        lines.push(format!("conflicts with {}:", c.describe_manager()));
        lines.extend(fields.into_iter().map(|f| format!("- {f}")));
    }
    format!(
        "Apply failed with {} conflicts: {}",
        conflicts.len(),
        lines.join("\n")
    )
}

/// Why an apply failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApplyError {
    /// Fields owned by other managers would change (409 Conflict).
    #[error("{}", conflicts_message(.0))]
    Conflicts(Vec<Conflict>),
    /// The request is malformed (400 BadRequest): a missing or wrong `apiVersion`/`kind`,
    /// a missing or mismatched name, `metadata.managedFields` in the configuration.
    #[error("{0}")]
    BadRequest(String),
    /// The configuration cannot be merged with the object's shape (duplicate list keys,
    /// items without keys, a list where a map belongs). The API server reports these as
    /// an untyped error: 500 with no reason.
    #[error("{0}")]
    Invalid(String),
    /// The live object's managedFields do not decode (500).
    #[error("{0}")]
    Internal(String),
}

/// One `details.causes[]` item of a `Status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusCause {
    /// `reason` (the cause type), e.g. `FieldManagerConflict`.
    pub reason: String,
    /// `message`, e.g. `conflict with "kubectl" using v1`.
    pub message: String,
    /// `field`, e.g. `.spec.replicas`.
    pub field: String,
}

/// The parts of a failure `Status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusParts {
    /// HTTP status code.
    pub code: u16,
    /// `reason`; `None` where the API server leaves it out.
    pub reason: Option<&'static str>,
    /// `message`.
    pub message: String,
    /// `details.causes`; empty where there are none.
    pub causes: Vec<StatusCause>,
}

impl StatusParts {
    /// The full `Status` object, as the API server writes it.
    pub fn to_status(&self) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), json!("Status"));
        m.insert("apiVersion".into(), json!("v1"));
        m.insert("metadata".into(), json!({}));
        m.insert("status".into(), json!("Failure"));
        m.insert("message".into(), json!(self.message));
        if let Some(r) = self.reason {
            m.insert("reason".into(), json!(r));
        }
        if !self.causes.is_empty() {
            let causes: Vec<Value> = self
                .causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect();
            m.insert("details".into(), json!({ "causes": causes }));
        }
        m.insert("code".into(), json!(self.code));
        Value::Object(m)
    }
}

impl ApplyError {
    /// What the API server answers this error with.
    pub fn status(&self) -> StatusParts {
        match self {
            ApplyError::Conflicts(conflicts) => StatusParts {
                code: 409,
                reason: Some("Conflict"),
                message: conflicts_message(conflicts),
                causes: conflicts
                    .iter()
                    .map(|c| StatusCause {
                        reason: "FieldManagerConflict".into(),
                        message: format!("conflict with {}", c.describe_manager()),
                        field: c.field.clone(),
                    })
                    .collect(),
            },
            ApplyError::BadRequest(m) => StatusParts {
                code: 400,
                reason: Some("BadRequest"),
                message: m.clone(),
                causes: Vec::new(),
            },
            ApplyError::Invalid(m) | ApplyError::Internal(m) => StatusParts {
                code: 500,
                reason: None,
                message: m.clone(),
                causes: Vec::new(),
            },
        }
    }
}

/// Why managedFields could not be tracked for a write.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldManagerError {
    /// The object written is not a JSON object.
    #[error("the object is not a JSON object")]
    NotAnObject,
}
