//! Types shared by both API groups (cert-manager's `pkg/apis/meta/v1`): issuer and
//! Secret references and the condition status.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::constants::{CERT_MANAGER_GROUP, CLUSTER_ISSUER_KIND, ISSUER_KIND};

/// The status of a condition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ConditionStatus {
    /// The condition holds.
    True,
    /// The condition does not hold.
    False,
    /// It is not known whether the condition holds.
    #[default]
    Unknown,
}

impl ConditionStatus {
    /// The status as written in the API (`True`, `False`, `Unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::True => "True",
            Self::False => "False",
            Self::Unknown => "Unknown",
        }
    }
}

/// A reference to an object in the same namespace, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LocalObjectReference {
    /// Name of the referent.
    pub name: String,
}

/// A reference to one key of a Secret in the same namespace (or, for cluster-scoped
/// objects, in the cluster resource namespace).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SecretKeySelector {
    /// Name of the Secret.
    pub name: String,
    /// The key of the entry in the Secret's `data`. Some fields have a default key,
    /// others require it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl SecretKeySelector {
    /// A selector for `key` in Secret `name`.
    pub fn new(name: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            key: Some(key.into()),
        }
    }

    /// The key, or `default` when it is unset or empty.
    pub fn key_or<'a>(&'a self, default: &'a str) -> &'a str {
        match self.key.as_deref() {
            Some(k) if !k.is_empty() => k,
            _ => default,
        }
    }
}

/// A reference to the issuer of a certificate: an `Issuer` or `ClusterIssuer` of
/// `cert-manager.io`, or a kind from an external issuer's group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct IssuerReference {
    /// Name of the issuer.
    pub name: String,
    /// Kind of the issuer; empty means `Issuer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// API group of the issuer; empty means `cert-manager.io`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl IssuerReference {
    /// A reference to the `Issuer` named `name`.
    pub fn issuer(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: Some(ISSUER_KIND.to_string()),
            group: Some(CERT_MANAGER_GROUP.to_string()),
        }
    }

    /// A reference to the `ClusterIssuer` named `name`.
    pub fn cluster_issuer(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: Some(CLUSTER_ISSUER_KIND.to_string()),
            group: Some(CERT_MANAGER_GROUP.to_string()),
        }
    }

    /// The kind, defaulted as cert-manager does: `Issuer` when unset or empty.
    pub fn kind_or_default(&self) -> &str {
        match self.kind.as_deref() {
            Some(k) if !k.is_empty() => k,
            _ => ISSUER_KIND,
        }
    }

    /// The group, defaulted as cert-manager does: `cert-manager.io` when unset or empty.
    pub fn group_or_default(&self) -> &str {
        match self.group.as_deref() {
            Some(g) if !g.is_empty() => g,
            _ => CERT_MANAGER_GROUP,
        }
    }

    /// This reference with `kind` and `group` filled in with their defaults.
    pub fn with_defaults(&self) -> Self {
        Self {
            name: self.name.clone(),
            kind: Some(self.kind_or_default().to_string()),
            group: Some(self.group_or_default().to_string()),
        }
    }

    /// Whether the reference names one of cert-manager's own issuer kinds.
    pub fn is_cert_manager_group(&self) -> bool {
        self.group_or_default() == CERT_MANAGER_GROUP
    }

    /// Whether it references a `ClusterIssuer` of `cert-manager.io`.
    pub fn is_cluster_issuer(&self) -> bool {
        self.is_cert_manager_group() && self.kind_or_default() == CLUSTER_ISSUER_KIND
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_reference_defaults_like_cert_manager() {
        let r: IssuerReference = serde_json::from_str(r#"{"name":"ca"}"#).unwrap();
        assert_eq!(r.kind_or_default(), "Issuer");
        assert_eq!(r.group_or_default(), "cert-manager.io");
        assert!(!r.is_cluster_issuer());
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"name":"ca"}"#);
        assert_eq!(
            serde_json::to_value(r.with_defaults()).unwrap(),
            serde_json::json!({"name": "ca", "kind": "Issuer", "group": "cert-manager.io"})
        );
        let empty: IssuerReference =
            serde_json::from_str(r#"{"name":"x","kind":"","group":""}"#).unwrap();
        assert_eq!(empty.kind_or_default(), "Issuer");
        assert_eq!(empty.group_or_default(), "cert-manager.io");
        assert!(IssuerReference::cluster_issuer("lab-ca").is_cluster_issuer());
        let external = IssuerReference {
            name: "pca".into(),
            kind: Some("AWSPCAClusterIssuer".into()),
            group: Some("awspca.cert-manager.io".into()),
        };
        assert!(!external.is_cert_manager_group());
        assert!(!external.is_cluster_issuer());
    }

    #[test]
    fn secret_key_selector_key_default() {
        let s: SecretKeySelector = serde_json::from_str(r#"{"name":"n"}"#).unwrap();
        assert_eq!(s.key_or("tls.key"), "tls.key");
        assert_eq!(SecretKeySelector::new("n", "k").key_or("tls.key"), "k");
    }
}
