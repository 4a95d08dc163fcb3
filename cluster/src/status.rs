//! API errors as Kubernetes `Status` objects.
//!
//! Every failure the server reports is a [`StatusError`]: the HTTP code, the `reason`,
//! the message and `details` (with field `causes`) that the real API server would send
//! for the same request. Constructors are named after apimachinery's `errors.New*`.

use serde_json::{Value, json};

use crate::field::{FieldError, aggregate};

/// A group and resource, printed the way the API server prints them in messages
/// (`secrets`, `certificates.cert-manager.io`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupResource {
    /// API group; empty for the core group.
    pub group: String,
    /// Plural resource name.
    pub resource: String,
}

impl GroupResource {
    /// A group and resource.
    pub fn new(group: &str, resource: &str) -> Self {
        Self {
            group: group.to_string(),
            resource: resource.to_string(),
        }
    }
}

impl std::fmt::Display for GroupResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.group.is_empty() {
            f.write_str(&self.resource)
        } else {
            write!(f, "{}.{}", self.resource, self.group)
        }
    }
}

/// One entry of `details.causes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cause {
    /// `reason` (e.g. `FieldValueInvalid`).
    pub reason: String,
    /// `message`.
    pub message: String,
    /// `field`.
    pub field: String,
}

/// The `details` of a `Status`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatusDetails {
    /// `details.name`.
    pub name: Option<String>,
    /// `details.group`.
    pub group: Option<String>,
    /// `details.kind` (a resource or a kind, as the API server sets it).
    pub kind: Option<String>,
    /// `details.uid`.
    pub uid: Option<String>,
    /// `details.causes`.
    pub causes: Vec<Cause>,
    /// `details.retryAfterSeconds`.
    pub retry_after: Option<u32>,
}

/// A failed request, as a `Status`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code} {reason}: {message}")]
pub struct StatusError {
    /// HTTP status code.
    pub code: u16,
    /// `reason` (`NotFound`, `Invalid`, …); empty for a generic failure.
    pub reason: &'static str,
    /// Human-readable message.
    pub message: String,
    /// `details`, boxed to keep errors small on the happy path.
    pub details: Box<StatusDetails>,
}

impl StatusError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            details: Box::default(),
        }
    }

    fn with_resource(mut self, gr: &GroupResource, name: &str) -> Self {
        self.details.name = Some(name.to_string());
        if !gr.group.is_empty() {
            self.details.group = Some(gr.group.clone());
        }
        self.details.kind = Some(gr.resource.clone());
        self
    }

    /// A status with explicit parts, for errors classified elsewhere (patches,
    /// server-side apply).
    pub fn from_parts(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, reason, message)
    }

    /// Adds a cause.
    pub fn with_cause(mut self, reason: &str, message: impl Into<String>, field: &str) -> Self {
        self.details.causes.push(Cause {
            reason: reason.to_string(),
            message: message.into(),
            field: field.to_string(),
        });
        self
    }

    /// 404 `<resource> "<name>" not found`.
    pub fn not_found(gr: &GroupResource, name: &str) -> Self {
        Self::new(404, "NotFound", format!("{gr} {name:?} not found")).with_resource(gr, name)
    }

    /// 404 for a path the server does not serve.
    pub fn path_not_found() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    /// 409 `<resource> "<name>" already exists`.
    pub fn already_exists(gr: &GroupResource, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{gr} {name:?} already exists"),
        )
        .with_resource(gr, name)
    }

    /// 409 `Operation cannot be fulfilled on <resource> "<name>": <why>`.
    pub fn conflict(gr: &GroupResource, name: &str, why: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {gr} {name:?}: {why}"),
        )
        .with_resource(gr, name)
    }

    /// The 409 of an update with a stale `resourceVersion`.
    pub fn stale(gr: &GroupResource, name: &str) -> Self {
        Self::conflict(
            gr,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 422 `<Kind>.<group> "<name>" is invalid: <errors>`, with one cause per error.
    pub fn invalid(group: &str, kind: &str, name: &str, errors: &[FieldError]) -> Self {
        let qualified = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let message = if errors.is_empty() {
            format!("{qualified} {name:?} is invalid")
        } else {
            format!("{qualified} {name:?} is invalid: {}", aggregate(errors))
        };
        let mut e = Self::new(422, "Invalid", message);
        e.details.name = Some(name.to_string());
        if !group.is_empty() {
            e.details.group = Some(group.to_string());
        }
        e.details.kind = Some(kind.to_string());
        for err in errors {
            e = e.with_cause(err.kind.cause_type(), err.body(), &err.field);
        }
        e
    }

    /// 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 401.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// 403 `<resource> "<name>" is forbidden: <why>`.
    pub fn forbidden(gr: &GroupResource, name: &str, why: &str) -> Self {
        Self::new(
            403,
            "Forbidden",
            format!("{gr} {name:?} is forbidden: {why}"),
        )
        .with_resource(gr, name)
    }

    /// 405 for a verb the resource does not support.
    pub fn method_not_supported(gr: &GroupResource, action: &str) -> Self {
        let mut e = Self::new(
            405,
            "MethodNotAllowed",
            format!("{action} is not supported on resources of kind {gr:?}"),
        );
        e.details.kind = Some(gr.resource.clone());
        if !gr.group.is_empty() {
            e.details.group = Some(gr.group.clone());
        }
        e
    }

    /// 405 for an HTTP method the path does not take.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    /// 406 for a response format the server cannot produce.
    pub fn not_acceptable(message: impl Into<String>) -> Self {
        Self::new(406, "NotAcceptable", message)
    }

    /// 410 `Expired`, for a resource version or continue token too old to serve.
    pub fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    /// 413 for a body over the limit.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {limit}"),
        )
    }

    /// 415 for a body in a format the endpoint does not take.
    pub fn unsupported_media_type(accepted: &[&str]) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
        )
    }

    /// 500.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            500,
            "InternalError",
            format!("Internal error occurred: {}", message.into()),
        )
    }

    /// 504 `Timeout` with a retry hint.
    pub fn timeout(message: impl Into<String>, retry_after: u32) -> Self {
        let mut e = Self::new(504, "Timeout", message);
        e.details.retry_after = Some(retry_after);
        e
    }

    /// The `Status` object.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
        });
        let Value::Object(map) = &mut status else {
            unreachable!("a JSON object literal")
        };
        if !self.reason.is_empty() {
            map.insert("reason".into(), Value::from(self.reason));
        }
        let d = &self.details;
        let mut details = serde_json::Map::new();
        if let Some(name) = &d.name {
            details.insert("name".into(), Value::from(name.as_str()));
        }
        if let Some(group) = &d.group {
            details.insert("group".into(), Value::from(group.as_str()));
        }
        if let Some(kind) = &d.kind {
            details.insert("kind".into(), Value::from(kind.as_str()));
        }
        if let Some(uid) = &d.uid {
            details.insert("uid".into(), Value::from(uid.as_str()));
        }
        if !d.causes.is_empty() {
            let causes: Vec<Value> = d
                .causes
                .iter()
                .map(|c| {
                    let mut m = serde_json::Map::new();
                    m.insert("reason".into(), Value::from(c.reason.as_str()));
                    m.insert("message".into(), Value::from(c.message.as_str()));
                    if !c.field.is_empty() {
                        m.insert("field".into(), Value::from(c.field.as_str()));
                    }
                    Value::Object(m)
                })
                .collect();
            details.insert("causes".into(), Value::Array(causes));
        }
        if let Some(after) = d.retry_after {
            details.insert("retryAfterSeconds".into(), Value::from(after));
        }
        if !details.is_empty() {
            map.insert("details".into(), Value::Object(details));
        }
        map.insert("code".into(), Value::from(self.code));
        status
    }
}

/// The `Status` answered for a successful delete of an object that is gone at once.
pub fn success_status(gr: &GroupResource, name: &str, uid: Option<&str>) -> Value {
    let mut details = serde_json::Map::new();
    details.insert("name".into(), Value::from(name));
    if !gr.group.is_empty() {
        details.insert("group".into(), Value::from(gr.group.as_str()));
    }
    details.insert("kind".into(), Value::from(gr.resource.as_str()));
    if let Some(uid) = uid {
        details.insert("uid".into(), Value::from(uid));
    }
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_matches_the_api_server() {
        let gr = GroupResource::new("cert-manager.io", "certificates");
        let s = StatusError::not_found(&gr, "web").to_status();
        assert_eq!(
            s,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "certificates.cert-manager.io \"web\" not found", "reason": "NotFound",
                "details": {"name": "web", "group": "cert-manager.io", "kind": "certificates"}, "code": 404})
        );
        let core = StatusError::not_found(&GroupResource::new("", "secrets"), "s").to_status();
        assert_eq!(core["message"], "secrets \"s\" not found");
        assert!(core["details"].get("group").is_none());
    }

    #[test]
    fn invalid_lists_causes() {
        let errs = vec![
            FieldError::required("spec.secretName", ""),
            FieldError::invalid("spec.duration", json!("1m"), "must be at least 1h"),
        ];
        let s = StatusError::invalid("cert-manager.io", "Certificate", "web", &errs).to_status();
        assert_eq!(
            s["message"],
            "Certificate.cert-manager.io \"web\" is invalid: [spec.secretName: Required value, spec.duration: Invalid value: \"1m\": must be at least 1h]"
        );
        assert_eq!(s["code"], 422);
        assert_eq!(
            s["details"]["causes"][0],
            json!({"reason": "FieldValueRequired", "message": "Required value", "field": "spec.secretName"})
        );
    }

    #[test]
    fn conflict_wording() {
        let s = StatusError::stale(&GroupResource::new("", "configmaps"), "c").to_status();
        assert_eq!(
            s["message"],
            "Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again"
        );
    }
}
