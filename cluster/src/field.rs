//! Field errors, as Kubernetes reports them.
//!
//! A [`FieldError`] is one problem at one field path. Its [`Display`](std::fmt::Display)
//! is exactly what the real API server prints (`spec.replicas: Invalid value: -1: must
//! be greater than or equal to 0`), and [`FieldErrorKind::cause_type`] is the
//! `details.causes[].reason` of the `Status` it ends up in.

use std::fmt;

use serde_json::Value;

/// The kind of a field error (`k8s.io/apimachinery/pkg/util/validation/field.ErrorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldErrorKind {
    /// "Not found".
    NotFound,
    /// "Required value".
    Required,
    /// "Duplicate value".
    Duplicate,
    /// "Invalid value".
    Invalid,
    /// "Unsupported value": not one of an enumeration.
    NotSupported,
    /// "Forbidden".
    Forbidden,
    /// "Too long".
    TooLong,
    /// "Too many".
    TooMany,
    /// "Internal error".
    Internal,
    /// "Invalid value", for a value of the wrong type.
    TypeInvalid,
}

impl FieldErrorKind {
    /// The text the API server prints for this kind.
    pub fn text(self) -> &'static str {
        match self {
            Self::NotFound => "Not found",
            Self::Required => "Required value",
            Self::Duplicate => "Duplicate value",
            Self::Invalid | Self::TypeInvalid => "Invalid value",
            Self::NotSupported => "Unsupported value",
            Self::Forbidden => "Forbidden",
            Self::TooLong => "Too long",
            Self::TooMany => "Too many",
            Self::Internal => "Internal error",
        }
    }

    /// The `StatusCause.reason` for this kind (`FieldValueInvalid`, …).
    pub fn cause_type(self) -> &'static str {
        match self {
            Self::NotFound => "FieldValueNotFound",
            Self::Required => "FieldValueRequired",
            Self::Duplicate => "FieldValueDuplicate",
            Self::Invalid => "FieldValueInvalid",
            Self::NotSupported => "FieldValueNotSupported",
            Self::Forbidden => "FieldValueForbidden",
            Self::TooLong => "FieldValueTooLong",
            Self::TooMany => "FieldValueTooMany",
            Self::Internal => "InternalError",
            Self::TypeInvalid => "FieldValueTypeInvalid",
        }
    }
}

/// One validation problem at one field path.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// What kind of problem.
    pub kind: FieldErrorKind,
    /// The field path, in the API server's notation: `spec.containers[0].name`,
    /// `metadata.labels[app]`, `spec.ports[1]`.
    pub field: String,
    /// The offending value, where the kind prints one. `None` prints no value.
    pub bad_value: Option<Value>,
    /// Free text after the value.
    pub detail: String,
}

impl FieldError {
    fn new(
        kind: FieldErrorKind,
        field: impl Into<String>,
        bad_value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            field: field.into(),
            bad_value,
            detail: detail.into(),
        }
    }

    /// `field: Required value[: detail]`.
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorKind::Required, field, None, detail)
    }

    /// `field: Invalid value: <value>: detail`.
    pub fn invalid(field: impl Into<String>, value: Value, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorKind::Invalid, field, Some(value), detail)
    }

    /// `field: Invalid value: <value>: detail`, reported as `FieldValueTypeInvalid`.
    pub fn type_invalid(field: impl Into<String>, value: Value, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorKind::TypeInvalid, field, Some(value), detail)
    }

    /// `field: Unsupported value: <value>: supported values: "a", "b"`.
    pub fn not_supported(field: impl Into<String>, value: Value, supported: &[&str]) -> Self {
        let detail = if supported.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(FieldErrorKind::NotSupported, field, Some(value), detail)
    }

    /// `field: Forbidden[: detail]`.
    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorKind::Forbidden, field, None, detail)
    }

    /// `field: Duplicate value: <value>`.
    pub fn duplicate(field: impl Into<String>, value: Value) -> Self {
        Self::new(FieldErrorKind::Duplicate, field, Some(value), "")
    }

    /// `field: Too long[: detail]`, e.g. "may not be more than 63 bytes".
    pub fn too_long(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorKind::TooLong, field, None, detail)
    }

    /// `field: Too many: <actual>: must have at most <max> items`.
    pub fn too_many(field: impl Into<String>, actual: usize, max: usize) -> Self {
        Self::new(
            FieldErrorKind::TooMany,
            field,
            Some(Value::from(actual)),
            format!("must have at most {max} items"),
        )
    }

    /// `field: Not found: <value>`.
    pub fn not_found(field: impl Into<String>, value: Value) -> Self {
        Self::new(FieldErrorKind::NotFound, field, Some(value), "")
    }

    /// `field: Internal error: detail`.
    pub fn internal(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorKind::Internal, field, None, detail)
    }

    /// The error without its field path, as `StatusCause.message` carries it.
    pub fn body(&self) -> String {
        let mut s = String::from(self.kind.text());
        let prints_value = !matches!(
            self.kind,
            FieldErrorKind::Required
                | FieldErrorKind::Forbidden
                | FieldErrorKind::TooLong
                | FieldErrorKind::Internal
        );
        if prints_value && let Some(value) = &self.bad_value {
            s.push_str(": ");
            s.push_str(&render_value(value));
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

/// Renders a bad value the way Go's `%q`/`%v` render the apiserver's typed values.
fn render_value(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        // JSON string escaping is what Go's %q produces for printable text.
        Value::String(s) => Value::String(s.clone()).to_string(),
        other => other.to_string(),
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.body())
        } else {
            write!(f, "{}: {}", self.field, self.body())
        }
    }
}

impl std::error::Error for FieldError {}

/// Joins errors the way `utilerrors.NewAggregate(errs).Error()` does: one error as it
/// is, several as `[a, b]`, with duplicate messages dropped.
pub fn aggregate(errors: &[FieldError]) -> String {
    let mut seen = Vec::<String>::new();
    for e in errors {
        let msg = e.to_string();
        if !seen.contains(&msg) {
            seen.push(msg);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen.remove(0),
        _ => format!("[{}]", seen.join(", ")),
    }
}

/// Builds field paths in the API server's notation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(String);

impl FieldPath {
    /// The root path (prints as the empty string).
    pub fn root() -> Self {
        Self::default()
    }

    /// A path starting at `name`.
    pub fn new(name: &str) -> Self {
        Self(name.to_string())
    }

    /// `self.name`.
    pub fn child(&self, name: &str) -> Self {
        if self.0.is_empty() {
            Self(name.to_string())
        } else {
            Self(format!("{}.{}", self.0, name))
        }
    }

    /// `self[i]`.
    pub fn index(&self, i: usize) -> Self {
        Self(format!("{}[{}]", self.0, i))
    }

    /// `self[key]`, as used for map keys.
    pub fn key(&self, key: &str) -> Self {
        Self(format!("{}[{}]", self.0, key))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<FieldPath> for String {
    fn from(p: FieldPath) -> String {
        p.0
    }
}

impl From<&FieldPath> for String {
    fn from(p: &FieldPath) -> String {
        p.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_match_the_api_server() {
        let p = FieldPath::new("spec").child("replicas");
        assert_eq!(
            FieldError::invalid(&p, json!(-1), "must be greater than or equal to 0").to_string(),
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(
            FieldError::required("metadata.name", "name or generateName is required").to_string(),
            "metadata.name: Required value: name or generateName is required"
        );
        assert_eq!(
            FieldError::not_supported("spec.type", json!("Foo"), &["ClusterIP", "NodePort"])
                .to_string(),
            r#"spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "NodePort""#
        );
        assert_eq!(
            FieldError::invalid(
                FieldPath::new("metadata").child("labels").key("a b"),
                json!("x\"y"),
                "bad"
            )
            .body(),
            r#"Invalid value: "x\"y": bad"#
        );
        assert_eq!(
            FieldError::forbidden("spec", "").to_string(),
            "spec: Forbidden"
        );
        assert_eq!(
            FieldPath::new("spec").child("items").index(2).as_str(),
            "spec.items[2]"
        );
    }

    #[test]
    fn aggregate_joins_and_dedups() {
        let a = FieldError::required("a", "");
        let b = FieldError::required("b", "");
        assert_eq!(aggregate(std::slice::from_ref(&a)), "a: Required value");
        assert_eq!(
            aggregate(&[a.clone(), b, a]),
            "[a: Required value, b: Required value]"
        );
        assert_eq!(aggregate(&[]), "");
    }
}
