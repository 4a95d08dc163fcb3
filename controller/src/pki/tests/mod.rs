//! Cross-module tests of the PKI room: issuance, chains, matching, keystores.

mod keystores;
mod matching;
mod robustness;
mod signing;

use std::time::{Duration, SystemTime};

use super::*;

/// A spec with a name of every kind, for the given key algorithm and size.
pub(super) fn spec_with_every_san(algorithm: KeyAlgorithm, size: Option<u32>) -> CertificateSpec {
    CertificateSpec {
        common_name: "web.example.com".into(),
        subject: Subject {
            organizations: vec!["Example Org".into()],
            ..Default::default()
        },
        dns_names: vec!["web.example.com".into(), "*.web.example.com".into()],
        ip_addresses: vec!["127.0.0.1".into(), "::1".into()],
        uris: vec!["spiffe://cluster.local/ns/default/sa/web".into()],
        email_addresses: vec!["ops@example.com".into()],
        other_names: vec![OtherName {
            oid: "1.3.6.1.4.1.311.20.2.3".into(),
            utf8_value: "web@example.com".into(),
        }],
        usages: vec![
            KeyUsage::DigitalSignature,
            KeyUsage::KeyEncipherment,
            KeyUsage::ServerAuth,
            KeyUsage::ClientAuth,
        ],
        private_key: PrivateKeySpec {
            algorithm,
            size,
            encoding: KeyEncoding::Pkcs1,
        },
        ..Default::default()
    }
}

/// The CertificateRequest the request manager would create for `spec` and `key`.
pub(super) fn request_for(spec: &CertificateSpec, key: &PrivateKey) -> CertificateRequestSpec {
    CertificateRequestSpec {
        request: generate_csr(spec, key, &CsrOptions::default())
            .unwrap()
            .into_bytes(),
        duration: spec.duration,
        is_ca: spec.is_ca,
        usages: spec.usages.clone(),
        issuer_ref: spec.issuer_ref.clone(),
    }
}

/// A self-signed CA (as the lab's `lab-selfsigned` → CA certificate).
pub(super) fn self_signed_ca(
    name: &str,
    algorithm: KeyAlgorithm,
    now: SystemTime,
) -> (IssuedCertificate, PrivateKey) {
    let spec = CertificateSpec {
        common_name: name.into(),
        is_ca: true,
        duration: Some(Duration::from_secs(365 * 24 * 3600)),
        private_key: PrivateKeySpec {
            algorithm,
            ..Default::default()
        },
        ..Default::default()
    };
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let issued =
        sign_self_signed(&request_for(&spec, &key), &key, now, &IssuerUrls::default()).unwrap();
    (issued, key)
}

pub(super) fn key_types() -> Vec<(KeyAlgorithm, Option<u32>)> {
    vec![
        (KeyAlgorithm::Rsa, None),
        (KeyAlgorithm::Rsa, Some(4096)),
        (KeyAlgorithm::Ecdsa, Some(256)),
        (KeyAlgorithm::Ecdsa, Some(384)),
        (KeyAlgorithm::Ecdsa, Some(521)),
        (KeyAlgorithm::Ed25519, None),
    ]
}
