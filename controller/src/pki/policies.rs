//! The Certificate trigger and readiness policy chains
//! (`internal/controller/certificates/policies`), on plain inputs: the first
//! violated policy gives the `Issuing`/`Ready` condition reason and message.
//!
//! Chain order: DoesNotExist, MissingData, InvalidKeyPair/InvalidCertificate (key vs
//! certificate), IncorrectIssuer, IncorrectCertificate, SecretMismatch (key vs
//! `spec.privateKey`), InvalidCertificateRequest/SecretMismatch (key vs current
//! request), RequestChanged (or the fuzzy SecretMismatch when the request is gone),
//! then Renewing (trigger) or Expired (readiness).

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::cert::Certificate;
use super::csr::CertificateSigningRequest;
use super::key::PrivateKey;
use super::matching::{
    certificate_matches_spec, messages, private_key_matches_spec, request_matches_spec,
};
use super::renewal::{RenewalPolicy, renewal_time};
use super::spec::{CertificateRequestSpec, CertificateSpec, IssuerRef};

/// Annotation naming the issuer that issued a Secret.
pub const ISSUER_NAME_ANNOTATION: &str = "cert-manager.io/issuer-name";
/// Annotation naming the issuer kind.
pub const ISSUER_KIND_ANNOTATION: &str = "cert-manager.io/issuer-kind";
/// Annotation naming the issuer group.
pub const ISSUER_GROUP_ANNOTATION: &str = "cert-manager.io/issuer-group";
/// Annotation naming the Certificate a Secret was issued for.
pub const CERTIFICATE_NAME_ANNOTATION: &str = "cert-manager.io/certificate-name";

/// The parts of the Certificate's Secret the policies read.
#[derive(Debug, Clone, Copy)]
pub struct SecretInput<'a> {
    /// Whether the Secret has a `data` field at all.
    pub has_data: bool,
    /// `tls.key` (empty when absent).
    pub tls_key: &'a [u8],
    /// `tls.crt` (empty when absent).
    pub tls_crt: &'a [u8],
    /// The Secret's annotations.
    pub annotations: &'a BTreeMap<String, String>,
}

/// Everything the chains look at.
#[derive(Debug, Clone, Copy)]
pub struct PolicyInput<'a> {
    /// The Certificate's name.
    pub certificate_name: &'a str,
    /// The Certificate's spec.
    pub spec: &'a CertificateSpec,
    /// `status.renewalTime`, for the Renewing message.
    pub status_renewal_time: Option<SystemTime>,
    /// The Secret, when it exists.
    pub secret: Option<SecretInput<'a>>,
    /// The CertificateRequest of the current revision, when it still exists.
    pub current_request: Option<&'a CertificateRequestSpec>,
    /// The clock's now.
    pub now: SystemTime,
}

/// A violated policy: the condition reason and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyViolation {
    /// e.g. `DoesNotExist`, `Renewing`.
    pub reason: &'static str,
    /// The human-readable message cert-manager writes.
    pub message: String,
}

fn violation(reason: &'static str, message: impl Into<String>) -> Option<PolicyViolation> {
    Some(PolicyViolation {
        reason,
        message: message.into(),
    })
}

/// The trigger chain: `Some` means the Certificate must be (re-)issued.
pub fn trigger_policy(input: &PolicyInput<'_>) -> Option<PolicyViolation> {
    if let Some(v) = common_chain(input) {
        return Some(v);
    }
    let secret = input.secret?;
    let cert = match Certificate::from_pem(secret.tls_crt) {
        Ok(c) => c,
        Err(e) => return invalid_certificate(&e),
    };
    if input.spec.renewal_policy == RenewalPolicy::Disabled {
        return None;
    }
    let rt = renewal_time(
        cert.not_before(),
        cert.not_after(),
        input.spec.renew_before,
        input.spec.renew_before_percentage,
        input.spec.renewal_policy,
    )?;
    if rt > input.now {
        return None;
    }
    violation("Renewing", messages::renewing(input.status_renewal_time))
}

/// The readiness chain: `Some` means the Certificate is not Ready for that reason.
pub fn readiness_policy(input: &PolicyInput<'_>) -> Option<PolicyViolation> {
    if let Some(v) = common_chain(input) {
        return Some(v);
    }
    let secret = input.secret?;
    let cert = match Certificate::from_pem(secret.tls_crt) {
        Ok(c) => c,
        Err(e) => return invalid_certificate(&e),
    };
    if input.now > cert.not_after() {
        return violation("Expired", messages::expired(cert.not_after()));
    }
    None
}

fn invalid_certificate(e: &dyn std::fmt::Display) -> Option<PolicyViolation> {
    violation(
        "InvalidCertificate",
        format!("Issuing certificate as Secret contains an invalid certificate: {e}"),
    )
}

fn invalid_key(e: &dyn std::fmt::Display) -> Option<PolicyViolation> {
    violation(
        "InvalidKeyPair",
        format!("Issuing certificate as Secret contains invalid private key data: {e}"),
    )
}

/// The policies both chains share.
fn common_chain(input: &PolicyInput<'_>) -> Option<PolicyViolation> {
    let Some(secret) = input.secret else {
        return violation(
            "DoesNotExist",
            "Issuing certificate as Secret does not exist",
        );
    };
    if !secret.has_data {
        return violation(
            "MissingData",
            "Issuing certificate as Secret does not contain any data",
        );
    }
    if secret.tls_key.is_empty() {
        return violation(
            "MissingData",
            "Issuing certificate as Secret does not contain a private key",
        );
    }
    if secret.tls_crt.is_empty() {
        return violation(
            "MissingData",
            "Issuing certificate as Secret does not contain a certificate",
        );
    }

    // SecretPublicKeysDiffer
    let key = match PrivateKey::from_pem(secret.tls_key) {
        Ok(k) => k,
        Err(e) => return invalid_key(&e),
    };
    let cert = match Certificate::from_pem(secret.tls_crt) {
        Ok(c) => c,
        Err(e) => return invalid_certificate(&e),
    };
    if cert.public_key() != key.public_key() {
        return violation("InvalidKeyPair", messages::KEY_PAIR_MISMATCH);
    }

    // SecretIssuerAnnotationsMismatch
    let a = secret.annotations;
    let previous = IssuerRef {
        name: a.get(ISSUER_NAME_ANNOTATION).cloned().unwrap_or_default(),
        kind: a.get(ISSUER_KIND_ANNOTATION).cloned().unwrap_or_default(),
        group: a.get(ISSUER_GROUP_ANNOTATION).cloned().unwrap_or_default(),
    };
    let any_issuer_annotation = [
        ISSUER_NAME_ANNOTATION,
        ISSUER_KIND_ANNOTATION,
        ISSUER_GROUP_ANNOTATION,
    ]
    .iter()
    .any(|k| a.contains_key(*k));
    let wanted = &input.spec.issuer_ref;
    let names_differ = any_issuer_annotation && previous.name != wanted.name;
    let kind_group_differ = !IssuerRef {
        name: wanted.name.clone(),
        ..previous.clone()
    }
    .same_issuer(wanted);
    if names_differ || kind_group_differ {
        return violation("IncorrectIssuer", messages::incorrect_issuer(&previous));
    }

    // SecretCertificateNameAnnotationsMismatch
    if let Some(name) = a.get(CERTIFICATE_NAME_ANNOTATION)
        && name != input.certificate_name
    {
        return violation(
            "IncorrectCertificate",
            messages::incorrect_certificate(name),
        );
    }

    // SecretPrivateKeyMismatchesSpec
    let v = private_key_matches_spec(&key, &input.spec.private_key);
    if !v.is_empty() {
        return violation("SecretMismatch", messages::private_key_mismatch(&v));
    }

    // SecretPublicKeyDiffersFromCurrentCertificateRequest
    if let Some(request) = input.current_request {
        let csr = match CertificateSigningRequest::from_pem(&request.request) {
            Ok(c) => c,
            Err(e) => {
                return violation(
                    "InvalidCertificateRequest",
                    format!("Failed to decode current CertificateRequest: {e}"),
                );
            }
        };
        if csr.public_key() != key.public_key() {
            return violation("SecretMismatch", messages::KEY_REQUEST_MISMATCH);
        }
    }

    // CurrentCertificateRequestMismatchesSpec
    match input.current_request {
        Some(request) => {
            // A request that cannot be parsed does not trigger re-issuance.
            if let Ok(v) = request_matches_spec(request, input.spec)
                && !v.is_empty()
            {
                return violation("RequestChanged", messages::request_changed(&v));
            }
        }
        None => {
            let v = certificate_matches_spec(&cert, input.spec);
            if !v.is_empty() {
                return violation("SecretMismatch", messages::secret_mismatch(&v));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::pki::csr::{CsrOptions, generate_csr};
    use crate::pki::key::{KeyAlgorithm, KeyEncoding, PrivateKeySpec};
    use crate::pki::sign::{IssuerUrls, sign_self_signed};

    struct Fixture {
        spec: CertificateSpec,
        key_pem: String,
        crt_pem: String,
        request: CertificateRequestSpec,
        annotations: BTreeMap<String, String>,
        issued_at: SystemTime,
    }

    fn fixture() -> Fixture {
        let spec = CertificateSpec {
            dns_names: vec!["policy.example.com".into()],
            duration: Some(Duration::from_secs(90 * 24 * 3600)),
            issuer_ref: IssuerRef {
                name: "selfsigned".into(),
                ..Default::default()
            },
            private_key: PrivateKeySpec {
                algorithm: KeyAlgorithm::Ecdsa,
                ..Default::default()
            },
            ..Default::default()
        };
        let key = PrivateKey::generate(&spec.private_key).unwrap();
        let request = CertificateRequestSpec {
            request: generate_csr(&spec, &key, &CsrOptions::default())
                .unwrap()
                .into_bytes(),
            duration: spec.duration,
            issuer_ref: spec.issuer_ref.clone(),
            ..Default::default()
        };
        let issued_at = std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let issued = sign_self_signed(&request, &key, issued_at, &IssuerUrls::default()).unwrap();
        let annotations = BTreeMap::from([
            (ISSUER_NAME_ANNOTATION.to_string(), "selfsigned".to_string()),
            (ISSUER_KIND_ANNOTATION.to_string(), "Issuer".to_string()),
            (
                ISSUER_GROUP_ANNOTATION.to_string(),
                "cert-manager.io".to_string(),
            ),
            (CERTIFICATE_NAME_ANNOTATION.to_string(), "web".to_string()),
        ]);
        Fixture {
            spec,
            key_pem: key.to_pem(KeyEncoding::Pkcs1).unwrap(),
            crt_pem: issued.certificate_pem,
            request,
            annotations,
            issued_at,
        }
    }

    fn input<'a>(
        f: &'a Fixture,
        secret: Option<SecretInput<'a>>,
        now: SystemTime,
    ) -> PolicyInput<'a> {
        PolicyInput {
            certificate_name: "web",
            spec: &f.spec,
            status_renewal_time: None,
            secret,
            current_request: Some(&f.request),
            now,
        }
    }

    fn secret(f: &Fixture) -> SecretInput<'_> {
        SecretInput {
            has_data: true,
            tls_key: f.key_pem.as_bytes(),
            tls_crt: f.crt_pem.as_bytes(),
            annotations: &f.annotations,
        }
    }

    #[test]
    fn chain_reasons_in_order() {
        let f = fixture();
        let day = |n: u64| f.issued_at + Duration::from_secs(n * 24 * 3600);
        let reason = |i: PolicyInput<'_>| trigger_policy(&i).map(|v| v.reason);

        assert_eq!(reason(input(&f, Some(secret(&f)), day(1))), None);
        assert_eq!(reason(input(&f, None, day(1))), Some("DoesNotExist"));
        assert_eq!(
            reason(input(
                &f,
                Some(SecretInput {
                    has_data: false,
                    ..secret(&f)
                }),
                day(1)
            )),
            Some("MissingData")
        );
        assert_eq!(
            reason(input(
                &f,
                Some(SecretInput {
                    tls_crt: b"",
                    ..secret(&f)
                }),
                day(1)
            )),
            Some("MissingData")
        );
        assert_eq!(
            reason(input(
                &f,
                Some(SecretInput {
                    tls_key: b"garbage",
                    ..secret(&f)
                }),
                day(1)
            )),
            Some("InvalidKeyPair")
        );
        assert_eq!(
            reason(input(
                &f,
                Some(SecretInput {
                    tls_crt: b"garbage",
                    ..secret(&f)
                }),
                day(1)
            )),
            Some("InvalidCertificate")
        );
        let other_key = PrivateKey::generate(&f.spec.private_key)
            .unwrap()
            .to_pem(KeyEncoding::Pkcs8)
            .unwrap();
        let v = trigger_policy(&input(
            &f,
            Some(SecretInput {
                tls_key: other_key.as_bytes(),
                ..secret(&f)
            }),
            day(1),
        ))
        .unwrap();
        assert_eq!(v.reason, "InvalidKeyPair");
        assert_eq!(v.message, messages::KEY_PAIR_MISMATCH);

        let mut wrong_issuer = f.annotations.clone();
        wrong_issuer.insert(ISSUER_NAME_ANNOTATION.into(), "other".into());
        let v = trigger_policy(&input(
            &f,
            Some(SecretInput {
                annotations: &wrong_issuer,
                ..secret(&f)
            }),
            day(1),
        ))
        .unwrap();
        assert_eq!(v.reason, "IncorrectIssuer");
        assert_eq!(
            v.message,
            "Issuing certificate as Secret was previously issued by \"Issuer.cert-manager.io/other\""
        );

        let mut wrong_cert = f.annotations.clone();
        wrong_cert.insert(CERTIFICATE_NAME_ANNOTATION.into(), "api".into());
        let v = trigger_policy(&input(
            &f,
            Some(SecretInput {
                annotations: &wrong_cert,
                ..secret(&f)
            }),
            day(1),
        ))
        .unwrap();
        assert_eq!(v.reason, "IncorrectCertificate");
        assert!(v.message.starts_with("Secret was issued for \"api\"."));

        // Key algorithm changed in the spec.
        let rsa_spec = CertificateSpec {
            private_key: PrivateKeySpec::default(),
            ..f.spec.clone()
        };
        let v = trigger_policy(&PolicyInput {
            spec: &rsa_spec,
            ..input(&f, Some(secret(&f)), day(1))
        })
        .unwrap();
        assert_eq!(
            (v.reason, v.message.as_str()),
            (
                "SecretMismatch",
                "Existing private key is not up to date for spec: [spec.privateKey.algorithm]"
            )
        );

        // dnsNames changed: RequestChanged with the request, SecretMismatch without.
        let changed = CertificateSpec {
            dns_names: vec!["new.example.com".into()],
            ..f.spec.clone()
        };
        let v = trigger_policy(&PolicyInput {
            spec: &changed,
            ..input(&f, Some(secret(&f)), day(1))
        })
        .unwrap();
        assert_eq!(v.reason, "RequestChanged");
        assert_eq!(
            v.message,
            "Fields on existing CertificateRequest resource not up to date: [spec.dnsNames]"
        );
        let v = trigger_policy(&PolicyInput {
            spec: &changed,
            current_request: None,
            ..input(&f, Some(secret(&f)), day(1))
        })
        .unwrap();
        assert_eq!(v.reason, "SecretMismatch");

        // Duration and issuer changes show in the request comparison.
        let longer = CertificateSpec {
            duration: Some(Duration::from_secs(3600)),
            ..f.spec.clone()
        };
        let v = trigger_policy(&PolicyInput {
            spec: &longer,
            ..input(&f, Some(secret(&f)), day(1))
        })
        .unwrap();
        assert_eq!(
            v.message,
            "Fields on existing CertificateRequest resource not up to date: [spec.duration]"
        );
        let other_issuer = CertificateSpec {
            issuer_ref: IssuerRef {
                name: "selfsigned".into(),
                kind: "ClusterIssuer".into(),
                group: String::new(),
            },
            ..f.spec.clone()
        };
        assert_eq!(
            trigger_policy(&PolicyInput {
                spec: &other_issuer,
                ..input(&f, Some(secret(&f)), day(1))
            })
            .map(|v| v.reason),
            Some("IncorrectIssuer")
        );

        // Renewal at two thirds of the lifetime; readiness only fails once expired.
        assert_eq!(reason(input(&f, Some(secret(&f)), day(59))), None);
        let v = trigger_policy(&PolicyInput {
            status_renewal_time: Some(day(60)),
            ..input(&f, Some(secret(&f)), day(61))
        })
        .unwrap();
        assert_eq!(v.reason, "Renewing");
        assert!(
            v.message
                .starts_with("Renewing certificate as renewal was scheduled at 2027-"),
            "{}",
            v.message
        );
        assert_eq!(
            readiness_policy(&input(&f, Some(secret(&f)), day(61))),
            None
        );
        let v = readiness_policy(&input(&f, Some(secret(&f)), day(91))).unwrap();
        assert_eq!(v.reason, "Expired");
        assert!(v.message.starts_with("Certificate expired on "));
        let disabled = CertificateSpec {
            renewal_policy: RenewalPolicy::Disabled,
            ..f.spec.clone()
        };
        assert_eq!(
            trigger_policy(&PolicyInput {
                spec: &disabled,
                ..input(&f, Some(secret(&f)), day(89))
            }),
            None
        );
    }
}
