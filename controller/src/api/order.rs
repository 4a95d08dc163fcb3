//! `Order` (acme.cert-manager.io/v1): one ACME order, created for a CertificateRequest.

use k8s_openapi::ByteString;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::acme::State;
use super::duration::GoDuration;
use super::meta::IssuerReference;
use super::schema_helpers;

/// What to order from the ACME server.
#[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "acme.cert-manager.io",
    version = "v1",
    kind = "Order",
    plural = "orders",
    singular = "order",
    category = "cert-manager",
    category = "cert-manager-acme",
    namespaced,
    status = "OrderStatus",
    derive = "PartialEq",
    doc = "An Order is one ACME order for the names of a CertificateRequest.",
    printcolumn = r#"{"name":"State","type":"string","jsonPath":".status.state"}"#,
    printcolumn = r#"{"name":"Issuer","type":"string","jsonPath":".spec.issuerRef.name","priority":1}"#,
    printcolumn = r#"{"name":"Reason","type":"string","jsonPath":".status.reason","priority":1}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    selectable = ".spec.issuerRef.group",
    selectable = ".spec.issuerRef.kind",
    selectable = ".spec.issuerRef.name"
)]
#[serde(rename_all = "camelCase")]
pub struct OrderSpec {
    /// The PEM CSR to finalize with (base64 in JSON); immutable once set.
    #[schemars(schema_with = "schema_helpers::bytes")]
    pub request: ByteString,
    /// The issuer whose account places the order.
    pub issuer_ref: IssuerReference,
    /// Common name of the CSR; must also be in `dnsNames` or `ipAddresses`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// DNS identifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_names: Option<Vec<String>>,
    /// IP identifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_addresses: Option<Vec<String>>,
    /// Requested lifetime (sent only with `enableDurationFeature`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<GoDuration>,
    /// ACME profile of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// ARI certificate identifier of the certificate this order replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

/// The observed state of an Order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderStatus {
    /// The order URL; immutable once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The finalize URL; immutable once set.
    #[serde(
        default,
        rename = "finalizeURL",
        skip_serializing_if = "Option::is_none"
    )]
    pub finalize_url: Option<String>,
    /// The authorizations; immutable once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizations: Option<Vec<AcmeAuthorization>>,
    /// The issued chain, PEM (base64 in JSON); immutable once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema_helpers::bytes")]
    pub certificate: Option<ByteString>,
    /// The order state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    /// Why the order is in its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the order failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_time: Option<Time>,
}

/// One authorization of an order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AcmeAuthorization {
    /// The authorization URL.
    pub url: String,
    /// The identifier (without `*.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Whether it is for a wildcard name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wildcard: Option<bool>,
    /// Its state when the order was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_state: Option<State>,
    /// The challenges offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenges: Option<Vec<AcmeChallenge>>,
}

/// One challenge offered for an authorization.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AcmeChallenge {
    /// The challenge URL.
    pub url: String,
    /// The token.
    pub token: String,
    /// The type as the server names it (`http-01`, `dns-01`, …).
    #[serde(rename = "type")]
    pub type_: String,
}
