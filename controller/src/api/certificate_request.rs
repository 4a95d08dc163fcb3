//! `CertificateRequest` (cert-manager.io/v1): one CSR sent to one issuer.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::certificate::KeyUsage;
use super::conditions::impl_condition;
use super::constants::condition_types;
use super::duration::GoDuration;
use super::meta::{ConditionStatus, IssuerReference};
use super::schema_helpers;

/// A request for a signed certificate. The spec is immutable once created.
#[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "cert-manager.io",
    version = "v1",
    kind = "CertificateRequest",
    plural = "certificaterequests",
    singular = "certificaterequest",
    shortname = "cr",
    shortname = "crs",
    category = "cert-manager",
    namespaced,
    status = "CertificateRequestStatus",
    derive = "PartialEq",
    doc = "A CertificateRequest sends one PEM-encoded CSR to an issuer, which answers with a signed certificate in the status. Its spec cannot change.",
    printcolumn = r#"{"name":"Approved","type":"string","jsonPath":".status.conditions[?(@.type == \"Approved\")].status"}"#,
    printcolumn = r#"{"name":"Denied","type":"string","jsonPath":".status.conditions[?(@.type == \"Denied\")].status"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type == \"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Issuer","type":"string","jsonPath":".spec.issuerRef.name"}"#,
    printcolumn = r#"{"name":"Requester","type":"string","jsonPath":".spec.username"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type == \"Ready\")].message","priority":1}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    selectable = ".spec.issuerRef.group",
    selectable = ".spec.issuerRef.kind",
    selectable = ".spec.issuerRef.name"
)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRequestSpec {
    /// Requested lifetime (Go duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<GoDuration>,
    /// The issuer to sign with.
    pub issuer_ref: IssuerReference,
    /// The PEM-encoded PKCS#10 CSR (base64 in JSON).
    #[schemars(schema_with = "schema_helpers::bytes")]
    pub request: ByteString,
    /// Request a CA certificate.
    #[serde(default, rename = "isCA", skip_serializing_if = "Option::is_none")]
    pub is_ca: Option<bool>,
    /// Requested key usages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usages: Option<Vec<KeyUsage>>,
    /// The user who created the request (set by the API front end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The UID of that user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// The groups of that user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    /// Extra attributes of that user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<BTreeMap<String, Vec<String>>>,
}

impl CertificateRequestSpec {
    /// A request for `csr_pem` from `issuer_ref`, with everything else unset.
    pub fn new(issuer_ref: IssuerReference, csr_pem: impl Into<Vec<u8>>) -> Self {
        Self {
            duration: None,
            issuer_ref,
            request: ByteString(csr_pem.into()),
            is_ca: None,
            usages: None,
            username: None,
            uid: None,
            groups: None,
            extra: None,
        }
    }
}

/// The observed state of a CertificateRequest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRequestStatus {
    /// `Ready`, `InvalidRequest`, `Approved` and `Denied`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<CertificateRequestCondition>>,
    /// The signed certificate chain, PEM (base64 in JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema_helpers::bytes")]
    pub certificate: Option<ByteString>,
    /// The CA certificate, PEM (base64 in JSON), when the issuer knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema_helpers::bytes")]
    pub ca: Option<ByteString>,
    /// When the request failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_time: Option<Time>,
}

impl CertificateRequestStatus {
    /// The conditions (empty when unset).
    pub fn conditions(&self) -> &[CertificateRequestCondition] {
        self.conditions.as_deref().unwrap_or_default()
    }

    /// The conditions, for changing.
    pub fn conditions_mut(&mut self) -> &mut Vec<CertificateRequestCondition> {
        self.conditions.get_or_insert_with(Vec::new)
    }

    /// Whether the request is approved (`Approved=True`).
    pub fn is_approved(&self) -> bool {
        super::conditions::is_condition_true(self.conditions(), condition_types::APPROVED)
    }

    /// Whether the request is denied (`Denied=True`).
    pub fn is_denied(&self) -> bool {
        super::conditions::is_condition_true(self.conditions(), condition_types::DENIED)
    }
}

/// A CertificateRequest condition (no `observedGeneration`: the spec never changes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRequestCondition {
    /// `Ready`, `InvalidRequest`, `Approved` or `Denied`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: ConditionStatus,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// Machine-readable reason of the last transition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Human-readable details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl_condition!(CertificateRequestCondition);
