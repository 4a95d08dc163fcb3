//! `Challenge` (acme.cert-manager.io/v1): one ACME challenge being solved.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::acme::{AcmeChallengeSolver, AcmeChallengeType, State};
use super::meta::IssuerReference;

/// The challenge to solve; immutable once created.
#[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "acme.cert-manager.io",
    version = "v1",
    kind = "Challenge",
    plural = "challenges",
    singular = "challenge",
    category = "cert-manager",
    category = "cert-manager-acme",
    namespaced,
    status = "ChallengeStatus",
    derive = "PartialEq",
    doc = "A Challenge is one ACME challenge for one identifier of an Order, solved with the chosen solver.",
    printcolumn = r#"{"name":"State","type":"string","jsonPath":".status.state"}"#,
    printcolumn = r#"{"name":"Domain","type":"string","jsonPath":".spec.dnsName"}"#,
    printcolumn = r#"{"name":"Reason","type":"string","jsonPath":".status.reason","priority":1}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    selectable = ".spec.issuerRef.group",
    selectable = ".spec.issuerRef.kind",
    selectable = ".spec.issuerRef.name"
)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeSpec {
    /// The challenge URL.
    pub url: String,
    /// The URL of the authorization it belongs to.
    #[serde(rename = "authorizationURL")]
    pub authorization_url: String,
    /// The identifier, without a leading `*.`.
    pub dns_name: String,
    /// Whether the authorization is for a wildcard name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wildcard: Option<bool>,
    /// `HTTP-01` or `DNS-01`.
    #[serde(rename = "type")]
    pub type_: AcmeChallengeType,
    /// The challenge token.
    pub token: String,
    /// The key authorization (HTTP-01), or its base64url SHA-256 digest (DNS-01).
    pub key: String,
    /// The solver chosen for it.
    pub solver: AcmeChallengeSolver,
    /// The issuer whose account the challenge belongs to.
    pub issuer_ref: IssuerReference,
}

/// The observed state of a Challenge.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeStatus {
    /// Whether the controller is working on it (set by the scheduler).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing: Option<bool>,
    /// Whether the record or resources are in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presented: Option<bool>,
    /// When it was presented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presented_at: Option<Time>,
    /// Why it is in its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The challenge state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
}
