//! CEL validation rules (`x-kubernetes-validations`) that do, in the API server, what
//! cert-manager's validating webhook does, so no webhook is needed.
//!
//! Rules use cert-manager's messages where the webhook has a fixed one. They are written
//! for both evaluators they meet: a real API server (cel-go, with its cost limits) and
//! the embedded cluster (the `cel` crate). So they keep to the standard library plus
//! `matches` and `upperAscii`, read durations through `format: duration` fields (a CEL
//! `duration` on both), and stay within the API server's static cost limits (10M per
//! rule times the number of places it can apply, 100M per CRD): rules inside lists
//! either cost a constant or sit under a `maxItems`/`maxLength` bound added for them
//! (ACME solvers, CertificateRequest conditions, IngressClass names, TSIG algorithms);
//! the few scans of unbounded strings or maps (`literalSubject`, Vault paths,
//! `secretTemplate` annotations) run once per object and are priced below 5M each.

mod acme;
mod certificate;
mod certificate_request;
mod issuer;

use serde_json::{Value, json};

use super::schema_shape::node_mut;

/// The kinds the rules are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Certificate,
    CertificateRequest,
    Issuer,
    ClusterIssuer,
    Order,
    Challenge,
}

impl Kind {
    /// The kind's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Certificate => "Certificate",
            Self::CertificateRequest => "CertificateRequest",
            Self::Issuer => "Issuer",
            Self::ClusterIssuer => "ClusterIssuer",
            Self::Order => "Order",
            Self::Challenge => "Challenge",
        }
    }

    /// Whether the status has a `conditions` list.
    pub(crate) fn has_conditions(self) -> bool {
        !matches!(self, Self::Order | Self::Challenge)
    }

    /// Schema paths of ACME challenge solvers in this kind.
    pub(crate) fn solver_paths(self) -> &'static [&'static str] {
        match self {
            Self::Issuer | Self::ClusterIssuer => &["spec.acme.solvers[]"],
            Self::Challenge => &["spec.solver"],
            _ => &[],
        }
    }
}

/// `reason` of a failing rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// `FieldValueInvalid` (the default).
    Invalid,
    /// `FieldValueRequired`.
    Required,
    /// `FieldValueForbidden`.
    Forbidden,
}

/// One `x-kubernetes-validations` entry and where it goes.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    /// Schema path of the node the rule is attached to.
    pub(crate) at: String,
    /// The CEL expression.
    pub(crate) rule: String,
    /// The message when it fails.
    pub(crate) message: String,
    /// The reason.
    pub(crate) reason: Reason,
    /// `fieldPath`, relative to the node (`.renewBefore`).
    pub(crate) field_path: Option<String>,
}

impl Rule {
    /// A rule at `at` that must hold, failing with `message`.
    pub(crate) fn new(at: &str, rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: at.to_string(),
            rule: rule.into(),
            message: message.into(),
            reason: Reason::Invalid,
            field_path: None,
        }
    }

    /// Reports the failure at `field_path` below the node.
    pub(crate) fn field(mut self, field_path: &str) -> Self {
        self.field_path = Some(field_path.to_string());
        self
    }

    /// Reports the failure as `Required value`.
    pub(crate) fn required(mut self) -> Self {
        self.reason = Reason::Required;
        self
    }

    /// Reports the failure as `Forbidden`.
    pub(crate) fn forbidden(mut self) -> Self {
        self.reason = Reason::Forbidden;
        self
    }

    fn to_json(&self) -> Value {
        let mut v = json!({"rule": self.rule, "message": self.message});
        match self.reason {
            Reason::Invalid => {}
            Reason::Required => v["reason"] = json!("FieldValueRequired"),
            Reason::Forbidden => v["reason"] = json!("FieldValueForbidden"),
        }
        if let Some(fp) = &self.field_path {
            v["fieldPath"] = json!(fp);
        }
        v
    }
}

/// A schema keyword to set at a path (bounds that keep rules cheap, formats).
#[derive(Debug, Clone)]
pub(crate) struct Keyword {
    pub(crate) at: String,
    pub(crate) key: &'static str,
    pub(crate) value: Value,
}

impl Keyword {
    pub(crate) fn new(at: &str, key: &'static str, value: Value) -> Self {
        Self {
            at: at.to_string(),
            key,
            value,
        }
    }
}

/// `has(self.<field>) && size(self.<field>) > 0`: set and not empty.
pub(crate) fn set(field: &str) -> String {
    format!("(has(self.{field}) && size(self.{field}) > 0)")
}

/// The `required` field `field` of the object at `at` must not be empty ("must be
/// specified").
pub(crate) fn not_empty(at: &str, field: &str) -> Rule {
    Rule::new(at, format!("size(self.{field}) > 0"), "must be specified")
        .field(&format!(".{field}"))
        .required()
}

/// The Secret key selector at `at` must name both a Secret and a key.
pub(crate) fn full_secret_ref(at: &str) -> [Rule; 2] {
    [
        Rule::new(at, "size(self.name) > 0", "secret name is required")
            .field(".name")
            .required(),
        Rule::new(at, set("key"), "secret key is required")
            .field(".key")
            .required(),
    ]
}

/// `(has(self.a) ? 1 : 0) + …`: how many of `fields` are set.
pub(crate) fn count_set(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| format!("(has(self.{f}) ? 1 : 0)"))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Kubernetes' RFC 1123 subdomain syntax.
pub(crate) const DNS1123_SUBDOMAIN: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// Kubernetes' message for a name that is not an RFC 1123 subdomain.
pub(crate) const DNS1123_SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// The rules and keywords of `kind`.
pub(crate) fn rules_for(kind: Kind) -> (Vec<Keyword>, Vec<Rule>) {
    match kind {
        Kind::Certificate => certificate::rules(),
        Kind::CertificateRequest => certificate_request::rules(),
        Kind::Issuer | Kind::ClusterIssuer => issuer::rules(),
        Kind::Order => acme::order_rules(),
        Kind::Challenge => acme::challenge_rules(),
    }
}

/// Adds the keywords and rules of `kind` to its schema. Fails with the path of a node
/// that does not exist.
pub(crate) fn apply(kind: Kind, schema: &mut Value) -> Result<(), String> {
    let (keywords, rules) = rules_for(kind);
    for k in keywords {
        let node = node_mut(schema, &k.at)
            .and_then(Value::as_object_mut)
            .ok_or(k.at.clone())?;
        node.insert(k.key.to_string(), k.value);
    }
    for r in rules {
        let node = node_mut(schema, &r.at)
            .and_then(Value::as_object_mut)
            .ok_or(r.at.clone())?;
        let list = node
            .entry("x-kubernetes-validations")
            .or_insert_with(|| json!([]));
        if let Value::Array(list) = list {
            list.push(r.to_json());
        }
    }
    Ok(())
}
