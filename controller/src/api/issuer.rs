//! `Issuer` and `ClusterIssuer` (cert-manager.io/v1) and the non-ACME issuer types:
//! SelfSigned, CA, Vault and Venafi. The ACME issuer is in [`super::acme`].

use std::borrow::Cow;

use k8s_openapi::ByteString;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use kube::core::{ClusterResourceScope, Resource};
use kube::{CustomResource, CustomResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::acme::{AcmeIssuer, AcmeIssuerStatus};
use super::conditions::impl_condition;
use super::constants::{CERT_MANAGER_GROUP, CLUSTER_ISSUER_KIND, VERSION};
use super::meta::{ConditionStatus, LocalObjectReference, SecretKeySelector};
use super::schema_helpers;

/// The configuration of an Issuer or ClusterIssuer: exactly one issuer type.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "cert-manager.io",
    version = "v1",
    kind = "Issuer",
    plural = "issuers",
    singular = "issuer",
    shortname = "iss",
    category = "cert-manager",
    namespaced,
    status = "IssuerStatus",
    derive = "PartialEq",
    derive = "Default",
    doc = "An Issuer signs CertificateRequests in its own namespace.",
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type == \"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type == \"Ready\")].message","priority":1}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct IssuerSpec {
    /// Sign through an ACME server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acme: Option<AcmeIssuer>,
    /// Sign with a CA key pair from a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca: Option<CaIssuer>,
    /// Sign through HashiCorp Vault's PKI engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault: Option<VaultIssuer>,
    /// Sign each certificate with its own private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_signed: Option<SelfSignedIssuer>,
    /// Sign through CyberArk Certificate Manager (Venafi).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venafi: Option<VenafiIssuer>,
}

/// Which kind of issuer a spec configures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IssuerType {
    /// `acme`.
    Acme,
    /// `ca`.
    Ca,
    /// `vault`.
    Vault,
    /// `selfSigned`.
    SelfSigned,
    /// `venafi`.
    Venafi,
}

impl IssuerSpec {
    /// The configured issuer type, or `None` when none or more than one is set.
    pub fn issuer_type(&self) -> Option<IssuerType> {
        let set = [
            (self.acme.is_some(), IssuerType::Acme),
            (self.ca.is_some(), IssuerType::Ca),
            (self.vault.is_some(), IssuerType::Vault),
            (self.self_signed.is_some(), IssuerType::SelfSigned),
            (self.venafi.is_some(), IssuerType::Venafi),
        ];
        let mut types = set.iter().filter(|(on, _)| *on).map(|(_, t)| *t);
        match (types.next(), types.next()) {
            (Some(t), None) => Some(t),
            _ => None,
        }
    }
}

/// A cluster-scoped issuer: the same spec and status as an [`Issuer`], usable from
/// every namespace. Secrets it references are read from the controller's cluster
/// resource namespace.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ClusterIssuer {
    /// Standard object metadata.
    pub metadata: ObjectMeta,
    /// The issuer configuration.
    pub spec: IssuerSpec,
    /// The observed state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<IssuerStatus>,
}

impl ClusterIssuer {
    /// A ClusterIssuer named `name`.
    pub fn new(name: &str, spec: IssuerSpec) -> Self {
        Self {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                ..ObjectMeta::default()
            },
            spec,
            status: None,
        }
    }

    /// The derived CustomResourceDefinition: the Issuer's with cluster scope. Not the
    /// one to install; [`super::crds`] finishes it.
    pub(crate) fn crd()
    -> k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition
    {
        let mut crd = Issuer::crd();
        crd.metadata.name = Some("clusterissuers.cert-manager.io".to_string());
        crd.spec.scope = "Cluster".to_string();
        crd.spec.names.kind = CLUSTER_ISSUER_KIND.to_string();
        crd.spec.names.plural = "clusterissuers".to_string();
        crd.spec.names.singular = Some("clusterissuer".to_string());
        crd.spec.names.short_names = Some(vec!["ciss".to_string()]);
        crd
    }
}

impl Serialize for ClusterIssuer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let fields = if self.status.is_some() { 5 } else { 4 };
        let mut obj = serializer.serialize_struct("ClusterIssuer", fields)?;
        obj.serialize_field("apiVersion", "cert-manager.io/v1")?;
        obj.serialize_field("kind", CLUSTER_ISSUER_KIND)?;
        obj.serialize_field("metadata", &self.metadata)?;
        obj.serialize_field("spec", &self.spec)?;
        if let Some(status) = &self.status {
            obj.serialize_field("status", status)?;
        }
        obj.end()
    }
}

impl Resource for ClusterIssuer {
    type DynamicType = ();
    type Scope = ClusterResourceScope;

    fn kind(_: &()) -> Cow<'_, str> {
        CLUSTER_ISSUER_KIND.into()
    }

    fn group(_: &()) -> Cow<'_, str> {
        CERT_MANAGER_GROUP.into()
    }

    fn version(_: &()) -> Cow<'_, str> {
        VERSION.into()
    }

    fn api_version(_: &()) -> Cow<'_, str> {
        "cert-manager.io/v1".into()
    }

    fn plural(_: &()) -> Cow<'_, str> {
        "clusterissuers".into()
    }

    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl kube::core::object::HasSpec for ClusterIssuer {
    type Spec = IssuerSpec;

    fn spec(&self) -> &IssuerSpec {
        &self.spec
    }

    fn spec_mut(&mut self) -> &mut IssuerSpec {
        &mut self.spec
    }
}

impl kube::core::object::HasStatus for ClusterIssuer {
    type Status = IssuerStatus;

    fn status(&self) -> Option<&IssuerStatus> {
        self.status.as_ref()
    }

    fn status_mut(&mut self) -> &mut Option<IssuerStatus> {
        &mut self.status
    }
}

/// The self-signed issuer: each certificate is signed by its own key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SelfSignedIssuer {
    /// CRL distribution point URLs to put into certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crl_distribution_points: Option<Vec<String>>,
}

/// The CA issuer: signs with the key pair in a Secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaIssuer {
    /// The Secret (`tls.crt`, `tls.key`) holding the signing key pair.
    pub secret_name: String,
    /// CRL distribution point URLs to put into certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crl_distribution_points: Option<Vec<String>>,
    /// OCSP server URLs to put into certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocsp_servers: Option<Vec<String>>,
    /// Issuing certificate URLs (AIA) to put into certificates.
    #[serde(
        default,
        rename = "issuingCertificateURLs",
        skip_serializing_if = "Option::is_none"
    )]
    pub issuing_certificate_urls: Option<Vec<String>>,
}

/// The Vault issuer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VaultIssuer {
    /// How to authenticate to Vault.
    pub auth: VaultAuth,
    /// Vault address (`https://vault.example.com:8200`).
    pub server: String,
    /// Server name for TLS verification (SNI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// The PKI sign path (`pki_int/sign/example-dot-com`).
    pub path: String,
    /// Vault namespace (Vault Enterprise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// PEM CA bundle to verify Vault's certificate (base64 in JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema_helpers::bytes")]
    pub ca_bundle: Option<ByteString>,
    /// The same, from a Secret. Not with `caBundle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_bundle_secret_ref: Option<SecretKeySelector>,
    /// Client certificate for mutual TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_secret_ref: Option<SecretKeySelector>,
    /// Client key for mutual TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_secret_ref: Option<SecretKeySelector>,
}

/// Vault authentication: one of the methods.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VaultAuth {
    /// A Vault token from a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_secret_ref: Option<SecretKeySelector>,
    /// AppRole login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_role: Option<VaultAppRole>,
    /// TLS client certificate login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<VaultClientCertificateAuth>,
    /// Kubernetes service account login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<VaultKubernetesAuth>,
    /// AWS IAM login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<VaultAwsAuth>,
}

/// Vault AppRole login.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VaultAppRole {
    /// Mount path of the AppRole backend (`approle`).
    pub path: String,
    /// The role ID.
    pub role_id: String,
    /// The Secret key holding the secret ID.
    pub secret_ref: SecretKeySelector,
}

/// Vault TLS certificate login.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VaultClientCertificateAuth {
    /// Mount path of the cert backend (`/v1/auth/cert` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_path: Option<String>,
    /// A `kubernetes.io/tls` Secret with the client certificate and key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    /// The role to log in as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Vault Kubernetes login.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VaultKubernetesAuth {
    /// Mount path of the Kubernetes backend (`/v1/auth/kubernetes` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_path: Option<String>,
    /// A Secret holding a service account token. One of this and `serviceAccountRef`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretKeySelector>,
    /// A service account to request a token for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_ref: Option<ServiceAccountRef>,
    /// The Vault role.
    pub role: String,
}

/// A service account whose token is requested for authentication.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceAccountRef {
    /// Name of the service account.
    pub name: String,
    /// Extra audiences of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audiences: Option<Vec<String>>,
}

/// Vault AWS IAM login.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VaultAwsAuth {
    /// Mount path of the AWS backend (`/v1/auth/aws` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_path: Option<String>,
    /// The Vault role.
    #[schemars(length(min = 1))]
    pub role: String,
    /// AWS region for STS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Service account for IRSA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_ref: Option<ServiceAccountRef>,
    /// IAM role to assume with IRSA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_role_arn: Option<String>,
    /// Value of the `X-Vault-AWS-IAM-Server-ID` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault_header_value: Option<String>,
}

/// The Venafi issuer: one of TPP, Cloud or NGTS.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VenafiIssuer {
    /// The policy zone.
    pub zone: String,
    /// Self-hosted (TPP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpp: Option<VenafiTpp>,
    /// SaaS (Cloud).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<VenafiCloud>,
    /// Next-generation trust security (NGTS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ngts: Option<VenafiNgts>,
}

/// Venafi TPP.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VenafiTpp {
    /// The TPP API URL.
    pub url: String,
    /// A Secret with `username`/`password` or `access-token`.
    pub credentials_ref: LocalObjectReference,
    /// PEM CA bundle for the server (base64 in JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema_helpers::bytes")]
    pub ca_bundle: Option<ByteString>,
    /// The same, from a Secret. Not with `caBundle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_bundle_secret_ref: Option<SecretKeySelector>,
}

/// Venafi Cloud.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VenafiCloud {
    /// API URL (the public service when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The Secret key holding the API token.
    pub api_token_secret_ref: SecretKeySelector,
}

/// Venafi NGTS.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VenafiNgts {
    /// API URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Token endpoint URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// The tenant service group ID.
    #[serde(rename = "tsgID")]
    pub tsg_id: String,
    /// A Secret with the client credentials.
    pub credentials_ref: LocalObjectReference,
}

/// The observed state of an Issuer or ClusterIssuer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IssuerStatus {
    /// `Ready`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<IssuerCondition>>,
    /// ACME account information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acme: Option<AcmeIssuerStatus>,
}

impl IssuerStatus {
    /// The conditions (empty when unset).
    pub fn conditions(&self) -> &[IssuerCondition] {
        self.conditions.as_deref().unwrap_or_default()
    }

    /// The conditions, for changing.
    pub fn conditions_mut(&mut self) -> &mut Vec<IssuerCondition> {
        self.conditions.get_or_insert_with(Vec::new)
    }

    /// Whether `Ready=True`.
    pub fn is_ready(&self) -> bool {
        super::conditions::is_condition_true(
            self.conditions(),
            super::constants::condition_types::READY,
        )
    }
}

/// An issuer condition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuerCondition {
    /// `Ready`.
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
    /// The `metadata.generation` the condition was computed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

impl_condition!(IssuerCondition, observed_generation);
