//! `Certificate` (cert-manager.io/v1): the desired X.509 certificate and the Secret it
//! is kept in.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::conditions::impl_condition;
use super::constants::limits::DEFAULT_CERTIFICATE_DURATION;
use super::duration::{DurationError, GoDuration};
use super::meta::{ConditionStatus, IssuerReference, SecretKeySelector};
use super::schema_helpers;

/// The desired state of a Certificate. The issuer may honour or change any requested
/// attribute.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "cert-manager.io",
    version = "v1",
    kind = "Certificate",
    plural = "certificates",
    singular = "certificate",
    shortname = "cert",
    shortname = "certs",
    category = "cert-manager",
    namespaced,
    status = "CertificateStatus",
    derive = "PartialEq",
    derive = "Default",
    doc = "A Certificate asks for an X.509 certificate, kept up to date and signed by the referenced issuer, in the Secret named by spec.secretName.",
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type == \"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Secret","type":"string","jsonPath":".spec.secretName"}"#,
    printcolumn = r#"{"name":"Issuer","type":"string","jsonPath":".spec.issuerRef.name","priority":1}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type == \"Ready\")].message","priority":1}"#,
    printcolumn = r#"{"name":"Expiration","type":"string","jsonPath":".status.notAfter","priority":1}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    selectable = ".spec.issuerRef.group",
    selectable = ".spec.issuerRef.kind",
    selectable = ".spec.issuerRef.name"
)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSpec {
    /// Subject attributes other than the common name. Not allowed with `literalSubject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<X509Subject>,
    /// The whole subject as an RFC 4514 string (`CN=foo,DC=corp,DC=example,DC=com`),
    /// kept in the given order. Not allowed with `subject` or `commonName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub literal_subject: Option<String>,
    /// The subject common name; at most 64 bytes. Ignored by TLS clients when SANs exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// Requested lifetime (Go duration, e.g. `2160h`); at least 1h, 90 days when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<GoDuration>,
    /// How long before expiry to renew (Go duration); at least 5m and less than the
    /// duration. Unset: a third of the issued certificate's lifetime. Not allowed with
    /// `renewBeforePercentage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_before: Option<GoDuration>,
    /// Like `renewBefore`, as a percentage (0 < p < 100) of the issued lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_before_percentage: Option<i32>,
    /// Renewal policy and windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<CertificateRenewal>,
    /// DNS subject alternative names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_names: Option<Vec<String>>,
    /// IP address subject alternative names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_addresses: Option<Vec<String>>,
    /// URI subject alternative names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uris: Option<Vec<String>>,
    /// otherName subject alternative names with UTF-8 string values (e.g. a UPN,
    /// OID 1.3.6.1.4.1.311.20.2.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_names: Option<Vec<OtherName>>,
    /// Email subject alternative names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_addresses: Option<Vec<String>>,
    /// The Secret, in this namespace, that receives the key and certificate.
    pub secret_name: String,
    /// Labels and annotations to put on the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_template: Option<CertificateSecretTemplate>,
    /// Keystores to add to the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keystores: Option<CertificateKeystores>,
    /// The issuer: an Issuer in this namespace or a ClusterIssuer. `name` is required.
    pub issuer_ref: IssuerReference,
    /// Request a CA certificate (adds `cert sign` to the usages).
    #[serde(default, rename = "isCA", skip_serializing_if = "Option::is_none")]
    pub is_ca: Option<bool>,
    /// Key usages and extended key usages; `digital signature` and `key encipherment`
    /// when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usages: Option<Vec<KeyUsage>>,
    /// Private key algorithm, size, encoding and rotation policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<CertificatePrivateKey>,
    /// Signature algorithm; must suit the key algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// Whether to put the usages into the CSR (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encode_usages_in_request: Option<bool>,
    /// How many CertificateRequests to keep (at least 1; 1 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i32>,
    /// Extra encodings of the key and chain to put into the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_output_formats: Option<Vec<CertificateAdditionalOutputFormat>>,
    /// The X.509 name constraints extension; only for CA certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_constraints: Option<NameConstraints>,
}

impl CertificateSpec {
    /// The DNS names (empty when unset).
    pub fn dns_names(&self) -> &[String] {
        self.dns_names.as_deref().unwrap_or_default()
    }

    /// The IP addresses (empty when unset).
    pub fn ip_addresses(&self) -> &[String] {
        self.ip_addresses.as_deref().unwrap_or_default()
    }

    /// The URIs (empty when unset).
    pub fn uris(&self) -> &[String] {
        self.uris.as_deref().unwrap_or_default()
    }

    /// The email addresses (empty when unset).
    pub fn email_addresses(&self) -> &[String] {
        self.email_addresses.as_deref().unwrap_or_default()
    }

    /// The otherNames (empty when unset).
    pub fn other_names(&self) -> &[OtherName] {
        self.other_names.as_deref().unwrap_or_default()
    }

    /// The requested lifetime: `spec.duration`, or 90 days when unset.
    pub fn duration_or_default(&self) -> Result<std::time::Duration, DurationError> {
        match &self.duration {
            Some(d) => d.to_std(),
            None => Ok(DEFAULT_CERTIFICATE_DURATION),
        }
    }

    /// `spec.renewBefore`, parsed, when set.
    pub fn renew_before(&self) -> Option<Result<std::time::Duration, DurationError>> {
        self.renew_before.as_ref().map(GoDuration::to_std)
    }

    /// Whether a CA certificate is requested.
    pub fn is_ca(&self) -> bool {
        self.is_ca.unwrap_or(false)
    }

    /// The requested usages, defaulted as cert-manager does.
    pub fn usages_or_default(&self) -> Vec<KeyUsage> {
        match &self.usages {
            Some(u) if !u.is_empty() => u.clone(),
            _ => KeyUsage::defaults().to_vec(),
        }
    }

    /// The revision history limit; cert-manager treats unset as 1.
    pub fn revision_history_limit_or_default(&self) -> i32 {
        self.revision_history_limit.unwrap_or(1)
    }

    /// The rotation policy; `Always` when unset (cert-manager ≥ 1.18).
    pub fn rotation_policy(&self) -> RotationPolicy {
        self.private_key
            .as_ref()
            .and_then(|k| k.rotation_policy)
            .unwrap_or_default()
    }
}

/// X.509 subject attributes (the common name has its own field).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct X509Subject {
    /// Organizations (O).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizations: Option<Vec<String>>,
    /// Countries (C).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<String>>,
    /// Organizational units (OU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizational_units: Option<Vec<String>>,
    /// Localities (L).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localities: Option<Vec<String>>,
    /// States or provinces (ST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provinces: Option<Vec<String>>,
    /// Street addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_addresses: Option<Vec<String>>,
    /// Postal codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_codes: Option<Vec<String>>,
    /// Serial number attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
}

/// An otherName SAN with a UTF-8 string value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OtherName {
    /// The type OID, dotted (`1.3.6.1.4.1.311.20.2.3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utf8_value: Option<String>,
}

/// Private key options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificatePrivateKey {
    /// Whether each issuance gets a new key (`Always`, the default) or reuses the
    /// existing one (`Never`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_policy: Option<RotationPolicy>,
    /// PEM encoding of the key: `PKCS1` (the default; SEC 1 for EC keys) or `PKCS8`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<PrivateKeyEncoding>,
    /// Key algorithm; RSA when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<PrivateKeyAlgorithm>,
    /// Key size in bits: RSA 2048 to 8192 (2048 when unset), ECDSA 256, 384 or 521
    /// (256 when unset); ignored for Ed25519.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema_helpers::integer")]
    pub size: Option<i64>,
}

/// Whether to rotate the private key on re-issuance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum RotationPolicy {
    /// Keep the existing key.
    Never,
    /// Generate a new key for each issuance.
    #[default]
    Always,
}

/// PEM encoding of the private key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum PrivateKeyEncoding {
    /// `RSA PRIVATE KEY` / `EC PRIVATE KEY` (PKCS#8 for Ed25519).
    #[default]
    #[serde(rename = "PKCS1")]
    Pkcs1,
    /// `PRIVATE KEY`.
    #[serde(rename = "PKCS8")]
    Pkcs8,
}

/// Private key algorithm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum PrivateKeyAlgorithm {
    /// RSA.
    #[default]
    #[serde(rename = "RSA")]
    Rsa,
    /// ECDSA.
    #[serde(rename = "ECDSA")]
    Ecdsa,
    /// Ed25519.
    Ed25519,
}

/// Signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256.
    #[serde(rename = "SHA256WithRSA")]
    Sha256WithRsa,
    /// RSA PKCS#1 v1.5 with SHA-384.
    #[serde(rename = "SHA384WithRSA")]
    Sha384WithRsa,
    /// RSA PKCS#1 v1.5 with SHA-512.
    #[serde(rename = "SHA512WithRSA")]
    Sha512WithRsa,
    /// ECDSA with SHA-256.
    #[serde(rename = "ECDSAWithSHA256")]
    EcdsaWithSha256,
    /// ECDSA with SHA-384.
    #[serde(rename = "ECDSAWithSHA384")]
    EcdsaWithSha384,
    /// ECDSA with SHA-512.
    #[serde(rename = "ECDSAWithSHA512")]
    EcdsaWithSha512,
    /// Ed25519.
    PureEd25519,
}

/// A key usage or extended key usage (RFC 5280 4.2.1.3 and 4.2.1.12).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum KeyUsage {
    /// `signing`.
    #[serde(rename = "signing")]
    Signing,
    /// `digital signature`.
    #[serde(rename = "digital signature")]
    DigitalSignature,
    /// `content commitment`.
    #[serde(rename = "content commitment")]
    ContentCommitment,
    /// `key encipherment`.
    #[serde(rename = "key encipherment")]
    KeyEncipherment,
    /// `key agreement`.
    #[serde(rename = "key agreement")]
    KeyAgreement,
    /// `data encipherment`.
    #[serde(rename = "data encipherment")]
    DataEncipherment,
    /// `cert sign`.
    #[serde(rename = "cert sign")]
    CertSign,
    /// `crl sign`.
    #[serde(rename = "crl sign")]
    CrlSign,
    /// `encipher only`.
    #[serde(rename = "encipher only")]
    EncipherOnly,
    /// `decipher only`.
    #[serde(rename = "decipher only")]
    DecipherOnly,
    /// `any` (anyExtendedKeyUsage).
    #[serde(rename = "any")]
    Any,
    /// `server auth`.
    #[serde(rename = "server auth")]
    ServerAuth,
    /// `client auth`.
    #[serde(rename = "client auth")]
    ClientAuth,
    /// `code signing`.
    #[serde(rename = "code signing")]
    CodeSigning,
    /// `email protection`.
    #[serde(rename = "email protection")]
    EmailProtection,
    /// `s/mime`.
    #[serde(rename = "s/mime")]
    Smime,
    /// `ipsec end system`.
    #[serde(rename = "ipsec end system")]
    IpsecEndSystem,
    /// `ipsec tunnel`.
    #[serde(rename = "ipsec tunnel")]
    IpsecTunnel,
    /// `ipsec user`.
    #[serde(rename = "ipsec user")]
    IpsecUser,
    /// `timestamping`.
    #[serde(rename = "timestamping")]
    Timestamping,
    /// `ocsp signing`.
    #[serde(rename = "ocsp signing")]
    OcspSigning,
    /// `microsoft sgc`.
    #[serde(rename = "microsoft sgc")]
    MicrosoftSgc,
    /// `netscape sgc`.
    #[serde(rename = "netscape sgc")]
    NetscapeSgc,
}

impl KeyUsage {
    /// Every usage, in cert-manager's order.
    pub const ALL: [KeyUsage; 23] = [
        Self::Signing,
        Self::DigitalSignature,
        Self::ContentCommitment,
        Self::KeyEncipherment,
        Self::KeyAgreement,
        Self::DataEncipherment,
        Self::CertSign,
        Self::CrlSign,
        Self::EncipherOnly,
        Self::DecipherOnly,
        Self::Any,
        Self::ServerAuth,
        Self::ClientAuth,
        Self::CodeSigning,
        Self::EmailProtection,
        Self::Smime,
        Self::IpsecEndSystem,
        Self::IpsecTunnel,
        Self::IpsecUser,
        Self::Timestamping,
        Self::OcspSigning,
        Self::MicrosoftSgc,
        Self::NetscapeSgc,
    ];

    /// The usages of a Certificate that sets none.
    pub fn defaults() -> [KeyUsage; 2] {
        [Self::DigitalSignature, Self::KeyEncipherment]
    }

    /// The usage as written in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signing => "signing",
            Self::DigitalSignature => "digital signature",
            Self::ContentCommitment => "content commitment",
            Self::KeyEncipherment => "key encipherment",
            Self::KeyAgreement => "key agreement",
            Self::DataEncipherment => "data encipherment",
            Self::CertSign => "cert sign",
            Self::CrlSign => "crl sign",
            Self::EncipherOnly => "encipher only",
            Self::DecipherOnly => "decipher only",
            Self::Any => "any",
            Self::ServerAuth => "server auth",
            Self::ClientAuth => "client auth",
            Self::CodeSigning => "code signing",
            Self::EmailProtection => "email protection",
            Self::Smime => "s/mime",
            Self::IpsecEndSystem => "ipsec end system",
            Self::IpsecTunnel => "ipsec tunnel",
            Self::IpsecUser => "ipsec user",
            Self::Timestamping => "timestamping",
            Self::OcspSigning => "ocsp signing",
            Self::MicrosoftSgc => "microsoft sgc",
            Self::NetscapeSgc => "netscape sgc",
        }
    }
}

/// An extra output format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CertificateAdditionalOutputFormat {
    /// The format.
    #[serde(rename = "type")]
    pub type_: CertificateOutputFormatType,
}

/// Extra output formats of the key and chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum CertificateOutputFormatType {
    /// The private key as DER, under `key.der`.
    #[serde(rename = "DER")]
    Der,
    /// Key and chain in one PEM file, under `tls-combined.pem`.
    CombinedPEM,
}

/// Labels and annotations copied onto the certificate Secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CertificateSecretTemplate {
    /// Annotations; `cert-manager.io/*` keys are not allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// Keystores written alongside the PEM files.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CertificateKeystores {
    /// A Java keystore, `keystore.jks` (and `truststore.jks` with the CA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jks: Option<JksKeystore>,
    /// A PKCS#12 file, `keystore.p12` (and `truststore.p12` with the CA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs12: Option<Pkcs12Keystore>,
}

/// JKS keystore options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JksKeystore {
    /// Whether to write the keystore.
    pub create: bool,
    /// Alias of the key entry (`certificate` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The Secret key holding the password. Exactly one of this and `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_secret_ref: Option<SecretKeySelector>,
    /// A literal, non-empty password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// PKCS#12 keystore options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pkcs12Keystore {
    /// Whether to write the keystore.
    pub create: bool,
    /// Encryption and MAC algorithms (`LegacyRC2` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Pkcs12Profile>,
    /// The Secret key holding the password. Exactly one of this and `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_secret_ref: Option<SecretKeySelector>,
    /// A literal, non-empty password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// PKCS#12 encryption profiles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Pkcs12Profile {
    /// RC2-40 and 3DES with SHA-1 MAC (deprecated, the default).
    #[default]
    LegacyRC2,
    /// 3DES with SHA-1 MAC.
    LegacyDES,
    /// PBES2 AES-256-CBC with SHA-256 MAC.
    Modern2023,
    /// PBES2 AES-256-CBC with PBMAC1 (HMAC-SHA-256).
    Modern2026,
}

/// How the certificate is renewed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CertificateRenewal {
    /// `RenewBefore` honours `renewBefore`/`renewBeforePercentage`; `Disabled` never
    /// renews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<CertificateRenewalPolicy>,
    /// Cron windows in which renewal may happen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows: Option<Vec<CertificateRenewalWindow>>,
}

/// Renewal policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum CertificateRenewalPolicy {
    /// Renew before expiry.
    RenewBefore,
    /// Never renew.
    Disabled,
}

/// A renewal window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRenewalWindow {
    /// IANA time zone of the cron expression (UTC when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub timezone: Option<String>,
    /// How long the window stays open after each cron match (`h`, `m`, `s` units).
    #[schemars(schema_with = "schema_helpers::window_duration")]
    pub window_duration: GoDuration,
    /// Five-field cron expression of the window starts.
    #[schemars(length(min = 1))]
    pub cron: String,
}

/// The name constraints extension.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NameConstraints {
    /// Mark the extension critical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<bool>,
    /// Subtrees names must fall in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permitted: Option<NameConstraintItem>,
    /// Subtrees names must not fall in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded: Option<NameConstraintItem>,
}

/// One side of the name constraints.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NameConstraintItem {
    /// DNS domains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_domains: Option<Vec<String>>,
    /// IP ranges, CIDR notation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_ranges: Option<Vec<String>>,
    /// Email addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_addresses: Option<Vec<String>>,
    /// URI domains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri_domains: Option<Vec<String>>,
}

/// The observed state of a Certificate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateStatus {
    /// `Ready` and `Issuing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<CertificateCondition>>,
    /// When the latest issuance failed; unset after a success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure_time: Option<Time>,
    /// notBefore of the certificate in the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<Time>,
    /// notAfter of the certificate in the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<Time>,
    /// When the next renewal is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_time: Option<Time>,
    /// The revision of the issued certificate; requests carry revision + 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema_helpers::integer")]
    pub revision: Option<i64>,
    /// The Secret holding the key for the next issuance, while `Issuing` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_private_key_secret_name: Option<String>,
    /// Consecutive failed issuances; backoff is 1h × 2^(n−1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema_helpers::integer")]
    pub failed_issuance_attempts: Option<i64>,
    /// Information from the ACME server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acme: Option<CertificateAcmeStatus>,
}

impl CertificateStatus {
    /// The conditions (empty when unset).
    pub fn conditions(&self) -> &[CertificateCondition] {
        self.conditions.as_deref().unwrap_or_default()
    }

    /// The conditions, for changing.
    pub fn conditions_mut(&mut self) -> &mut Vec<CertificateCondition> {
        self.conditions.get_or_insert_with(Vec::new)
    }
}

/// A Certificate condition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateCondition {
    /// `Ready` or `Issuing`.
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

impl_condition!(CertificateCondition, observed_generation);

/// ACME information about a Certificate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CertificateAcmeStatus {
    /// ACME Renewal Information (RFC 9773).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ari: Option<CertificateAcmeAriStatus>,
}

/// ACME Renewal Information as last fetched.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateAcmeAriStatus {
    /// The renewal window the server suggests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested_window: Option<AcmeRenewalWindow>,
    /// A page explaining the window.
    #[serde(
        default,
        rename = "explanationURL",
        skip_serializing_if = "Option::is_none"
    )]
    pub explanation_url: Option<String>,
    /// When the server was last asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checked: Option<Time>,
    /// When it will be asked next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_check: Option<Time>,
    /// The last error, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// A suggested renewal window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AcmeRenewalWindow {
    /// Start of the window.
    pub start: Time,
    /// End of the window.
    pub end: Time,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_defaults_to_ninety_days() {
        let mut spec = CertificateSpec::default();
        assert_eq!(
            spec.duration_or_default(),
            Ok(std::time::Duration::from_secs(2160 * 3600))
        );
        assert!(spec.renew_before().is_none());
        spec.duration = Some(GoDuration::new("1h30m"));
        spec.renew_before = Some(GoDuration::new("5m"));
        assert_eq!(
            spec.duration_or_default(),
            Ok(std::time::Duration::from_secs(5400))
        );
        assert_eq!(
            spec.renew_before(),
            Some(Ok(std::time::Duration::from_secs(300)))
        );
        spec.duration = Some(GoDuration::new("90 days"));
        assert!(spec.duration_or_default().is_err());
    }

    #[test]
    fn key_usages_serialize_as_cert_manager_spells_them() {
        for usage in KeyUsage::ALL {
            assert_eq!(
                serde_json::to_value(usage).unwrap(),
                serde_json::Value::from(usage.as_str())
            );
        }
        assert_eq!(
            KeyUsage::defaults().map(KeyUsage::as_str),
            ["digital signature", "key encipherment"]
        );
    }
}
