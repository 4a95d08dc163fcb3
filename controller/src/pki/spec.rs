//! Plain inputs: what a Certificate asks for and what a CertificateRequest carries, as
//! the PKI room needs them. The controller maps its API types onto these.

use std::time::Duration;

use super::key::PrivateKeySpec;
use super::name_constraints::NameConstraints;
use super::renewal::RenewalPolicy;
use super::sans::OtherName;
use super::signature::SignatureAlgorithm;
use super::subject::Subject;
use super::usage::KeyUsage;

/// The default group of an issuerRef.
pub const DEFAULT_ISSUER_GROUP: &str = "cert-manager.io";
/// The default kind of an issuerRef.
pub const DEFAULT_ISSUER_KIND: &str = "Issuer";

/// A reference to an issuer (`spec.issuerRef`). Empty kind and group mean `Issuer`
/// and `cert-manager.io`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IssuerRef {
    /// The issuer's name.
    pub name: String,
    /// The kind; empty means `Issuer`.
    pub kind: String,
    /// The API group; empty means `cert-manager.io`.
    pub group: String,
}

impl IssuerRef {
    /// Whether two references name the same issuer once defaults are applied
    /// (cert-manager's `IssuerKindsEqual` and `IssuerGroupsEqual`).
    pub fn same_issuer(&self, other: &IssuerRef) -> bool {
        fn kind(k: &str) -> &str {
            if k.is_empty() { DEFAULT_ISSUER_KIND } else { k }
        }
        fn group(g: &str) -> &str {
            if g.is_empty() {
                DEFAULT_ISSUER_GROUP
            } else {
                g
            }
        }
        self.name == other.name
            && kind(&self.kind) == kind(&other.kind)
            && group(&self.group) == group(&other.group)
    }

    /// `Kind.group/name` with defaults applied, as the `IncorrectIssuer` message
    /// prints it (e.g. `Issuer.cert-manager.io/ca`).
    pub fn display_with_defaults(&self) -> String {
        let kind = if self.kind.is_empty() {
            DEFAULT_ISSUER_KIND
        } else {
            &self.kind
        };
        let group = if self.group.is_empty() {
            DEFAULT_ISSUER_GROUP
        } else {
            &self.group
        };
        format!("{kind}.{group}/{}", self.name)
    }
}

/// The parts of a Certificate's spec that shape keys, requests and certificates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertificateSpec {
    /// `commonName`; empty means none.
    pub common_name: String,
    /// `literalSubject` (RFC 4514); empty means none. Mutually exclusive with
    /// `subject` and `common_name` in the API.
    pub literal_subject: String,
    /// `subject`.
    pub subject: Subject,
    /// `dnsNames`
    pub dns_names: Vec<String>,
    /// `ipAddresses`, as written in the spec.
    pub ip_addresses: Vec<String>,
    /// `uris`
    pub uris: Vec<String>,
    /// `emailAddresses`
    pub email_addresses: Vec<String>,
    /// `otherNames`
    pub other_names: Vec<OtherName>,
    /// `duration`; `None` means cert-manager's default of 90 days.
    pub duration: Option<Duration>,
    /// `renewBefore`
    pub renew_before: Option<Duration>,
    /// `renewBeforePercentage`
    pub renew_before_percentage: Option<i32>,
    /// `renewal.policy` (`RenewBefore` unless `Disabled`).
    pub renewal_policy: RenewalPolicy,
    /// `usages`; empty means `digital signature, key encipherment`.
    pub usages: Vec<KeyUsage>,
    /// `isCA`
    pub is_ca: bool,
    /// `encodeUsagesInRequest`; `None` means true.
    pub encode_usages_in_request: Option<bool>,
    /// `nameConstraints`
    pub name_constraints: Option<NameConstraints>,
    /// `signatureAlgorithm`; `None` derives one from `private_key`.
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// `privateKey`
    pub private_key: PrivateKeySpec,
    /// `issuerRef`
    pub issuer_ref: IssuerRef,
}

/// The spec of a CertificateRequest, as issuers and the trigger policies read it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertificateRequestSpec {
    /// `request`: the PEM CSR.
    pub request: Vec<u8>,
    /// `duration`; `None` means the default of 90 days.
    pub duration: Option<Duration>,
    /// `isCA`
    pub is_ca: bool,
    /// `usages`; empty means `digital signature, key encipherment`.
    pub usages: Vec<KeyUsage>,
    /// `issuerRef`
    pub issuer_ref: IssuerRef,
}

/// cert-manager's default certificate duration: 90 days.
pub const DEFAULT_CERT_DURATION: Duration = Duration::from_secs(90 * 24 * 3600);

/// The duration to issue for, with cert-manager's default (`DefaultCertDuration`).
pub fn default_duration(d: Option<Duration>) -> Duration {
    d.unwrap_or(DEFAULT_CERT_DURATION)
}
