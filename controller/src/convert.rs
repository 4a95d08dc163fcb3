//! From the API types to the PKI room's plain inputs.

use std::str::FromStr;

use crate::api::certificate::{CertificateSpec, PrivateKeyAlgorithm, PrivateKeyEncoding};
use crate::api::certificate_request::CertificateRequestSpec;
use crate::api::meta::IssuerReference;
use crate::pki;

/// Why a spec cannot be turned into PKI inputs (reported, never retried).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SpecError(pub String);

/// The issuer reference.
pub fn issuer_ref(r: &IssuerReference) -> pki::IssuerRef {
    pki::IssuerRef {
        name: r.name.clone(),
        kind: r.kind.clone().unwrap_or_default(),
        group: r.group.clone().unwrap_or_default(),
    }
}

fn usages(list: &[crate::api::certificate::KeyUsage]) -> Result<Vec<pki::KeyUsage>, SpecError> {
    list.iter()
        .map(|u| pki::KeyUsage::from_str(u.as_str()).map_err(|e| SpecError(e.to_string())))
        .collect()
}

fn duration(
    d: Option<&crate::api::duration::GoDuration>,
) -> Result<Option<std::time::Duration>, SpecError> {
    d.map(|d| d.to_std().map_err(|e| SpecError(e.to_string())))
        .transpose()
}

/// A Certificate's spec.
pub fn certificate_spec(spec: &CertificateSpec) -> Result<pki::CertificateSpec, SpecError> {
    let pk = spec.private_key.clone().unwrap_or_default();
    let algorithm = match pk.algorithm {
        Some(PrivateKeyAlgorithm::Ecdsa) => pki::KeyAlgorithm::Ecdsa,
        Some(PrivateKeyAlgorithm::Ed25519) => pki::KeyAlgorithm::Ed25519,
        _ => pki::KeyAlgorithm::Rsa,
    };
    let encoding = match pk.encoding {
        Some(PrivateKeyEncoding::Pkcs8) => pki::KeyEncoding::Pkcs8,
        _ => pki::KeyEncoding::Pkcs1,
    };
    let subject = spec.subject.clone().unwrap_or_default();
    Ok(pki::CertificateSpec {
        common_name: spec.common_name.clone().unwrap_or_default(),
        literal_subject: spec.literal_subject.clone().unwrap_or_default(),
        subject: pki::Subject {
            organizations: subject.organizations.unwrap_or_default(),
            countries: subject.countries.unwrap_or_default(),
            organizational_units: subject.organizational_units.unwrap_or_default(),
            localities: subject.localities.unwrap_or_default(),
            provinces: subject.provinces.unwrap_or_default(),
            street_addresses: subject.street_addresses.unwrap_or_default(),
            postal_codes: subject.postal_codes.unwrap_or_default(),
            serial_number: subject.serial_number.unwrap_or_default(),
        },
        dns_names: spec.dns_names().to_vec(),
        ip_addresses: spec.ip_addresses().to_vec(),
        uris: spec.uris().to_vec(),
        email_addresses: spec.email_addresses().to_vec(),
        other_names: spec
            .other_names()
            .iter()
            .map(|o| pki::OtherName {
                oid: o.oid.clone().unwrap_or_default(),
                utf8_value: o.utf8_value.clone().unwrap_or_default(),
            })
            .collect(),
        duration: duration(spec.duration.as_ref())?,
        renew_before: duration(spec.renew_before.as_ref())?,
        renew_before_percentage: spec.renew_before_percentage,
        renewal_policy: match spec.renewal.as_ref().and_then(|r| r.policy) {
            Some(crate::api::certificate::CertificateRenewalPolicy::Disabled) => {
                pki::RenewalPolicy::Disabled
            }
            _ => pki::RenewalPolicy::RenewBefore,
        },
        usages: match &spec.usages {
            Some(u) => usages(u)?,
            None => Vec::new(),
        },
        is_ca: spec.is_ca(),
        encode_usages_in_request: spec.encode_usages_in_request,
        name_constraints: spec.name_constraints.as_ref().map(|nc| {
            let items = |i: &Option<crate::api::certificate::NameConstraintItem>| {
                i.clone().map(|i| pki::NameConstraintItems {
                    dns_domains: i.dns_domains.unwrap_or_default(),
                    ip_ranges: i.ip_ranges.unwrap_or_default(),
                    email_addresses: i.email_addresses.unwrap_or_default(),
                    uri_domains: i.uri_domains.unwrap_or_default(),
                })
            };
            pki::NameConstraints {
                critical: nc.critical.unwrap_or(false),
                permitted: items(&nc.permitted),
                excluded: items(&nc.excluded),
            }
        }),
        signature_algorithm: spec
            .signature_algorithm
            .as_ref()
            .map(|s| {
                let text = serde_json::to_value(s)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                pki::SignatureAlgorithm::from_str(&text).map_err(|e| SpecError(e.to_string()))
            })
            .transpose()?,
        private_key: pki::PrivateKeySpec {
            algorithm,
            size: pk.size.and_then(|s| u32::try_from(s).ok()),
            encoding,
        },
        issuer_ref: issuer_ref(&spec.issuer_ref),
    })
}

/// A CertificateRequest's spec.
pub fn request_spec(
    spec: &CertificateRequestSpec,
) -> Result<pki::CertificateRequestSpec, SpecError> {
    Ok(pki::CertificateRequestSpec {
        request: spec.request.0.clone(),
        duration: duration(spec.duration.as_ref())?,
        is_ca: spec.is_ca.unwrap_or(false),
        usages: match &spec.usages {
            Some(u) => usages(u)?,
            None => Vec::new(),
        },
        issuer_ref: issuer_ref(&spec.issuer_ref),
    })
}
