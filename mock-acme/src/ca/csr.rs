//! PKCS#10 CSR parsing and signature verification.
//!
//! [`parse_csr`] is the public, panic-free entry point that the fuzz target and the
//! garbage tests exercise. It accepts RSA (PKCS#1 v1.5 with SHA-256/384/512), ECDSA
//! (P-256/P-384/P-521 with SHA-256/384/512) and Ed25519 signatures.

use std::net::IpAddr;

use aws_lc_rs::signature::{self, VerificationAlgorithm};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::cri_attributes::ParsedCriAttribute;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::oid_registry::{self, Oid};
use x509_parser::prelude::FromDer;

use crate::key::{Curve, PublicKey};

/// Why a CSR was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    /// Not DER, or not a CSR.
    #[error("error parsing certificate request: {0}")]
    Parse(String),
    /// The key is unsupported or weak.
    #[error("unsupported public key in CSR: {0}")]
    Key(String),
    /// The signature algorithm is unsupported.
    #[error("unsupported CSR signature algorithm {0}")]
    Algorithm(String),
    /// The signature does not verify.
    #[error("invalid signature on CSR")]
    Signature,
    /// A SAN the CA cannot issue for.
    #[error("unsupported subject alternative name in CSR: {0}")]
    Name(String),
}

/// What the CA needs from a CSR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCsr {
    /// DNS SANs, lowercased, in order of appearance.
    pub dns_names: Vec<String>,
    /// IP SANs.
    pub ips: Vec<IpAddr>,
    /// The subject common name, if any (lowercased).
    pub common_name: Option<String>,
    /// The subject key.
    pub key: PublicKey,
    /// The subject key as DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// Whether the CSR requests the OCSP Must-Staple (TLS feature) extension.
    pub must_staple: bool,
}

const OID_TLS_FEATURE: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 24];
/// DER of the TLS feature `status_request` (Must-Staple) value.
pub const MUST_STAPLE_VALUE: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x05];

fn oid_is(oid: &Oid<'_>, arcs: &[u64]) -> bool {
    oid.iter().is_some_and(|it| it.eq(arcs.iter().copied()))
}

/// Parses and verifies a DER CSR. Never panics.
pub fn parse_csr(der: &[u8]) -> Result<ParsedCsr, CsrError> {
    let (rest, csr) =
        X509CertificationRequest::from_der(der).map_err(|e| CsrError::Parse(e.to_string()))?;
    if !rest.is_empty() {
        return Err(CsrError::Parse("trailing data after CSR".into()));
    }
    let info = &csr.certification_request_info;
    let key = PublicKey::from_spki(&info.subject_pki).map_err(|e| CsrError::Key(e.to_string()))?;
    verify_signature(&csr, &key)?;

    let mut dns_names = Vec::new();
    let mut ips = Vec::new();
    let mut must_staple = false;
    for attr in info.iter_attributes() {
        if let ParsedCriAttribute::ExtensionRequest(req) = attr.parsed_attribute() {
            for ext in &req.extensions {
                if oid_is(&ext.oid, OID_TLS_FEATURE) && ext.value == MUST_STAPLE_VALUE {
                    must_staple = true;
                }
                if let ParsedExtension::SubjectAlternativeName(san) = ext.parsed_extension() {
                    for name in &san.general_names {
                        match name {
                            GeneralName::DNSName(d) => dns_names.push(d.to_ascii_lowercase()),
                            GeneralName::IPAddress(raw) => ips.push(ip_from_bytes(raw)?),
                            other => {
                                return Err(CsrError::Name(format!("{other:?}")));
                            }
                        }
                    }
                }
            }
        }
    }
    let common_name = info
        .subject
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_ascii_lowercase);
    Ok(ParsedCsr {
        dns_names,
        ips,
        common_name,
        key,
        spki_der: info.subject_pki.raw.to_vec(),
        must_staple,
    })
}

fn ip_from_bytes(raw: &[u8]) -> Result<IpAddr, CsrError> {
    if let Ok(v4) = <[u8; 4]>::try_from(raw) {
        Ok(IpAddr::from(v4))
    } else if let Ok(v6) = <[u8; 16]>::try_from(raw) {
        Ok(IpAddr::from(v6))
    } else {
        Err(CsrError::Name("IP address SAN of invalid length".into()))
    }
}

fn verify_signature(csr: &X509CertificationRequest<'_>, key: &PublicKey) -> Result<(), CsrError> {
    let alg = &csr.signature_algorithm.algorithm;
    let msg = csr.certification_request_info.raw;
    let sig = csr.signature_value.data.as_ref();
    let ok = if *alg == oid_registry::OID_PKCS1_SHA256WITHRSA {
        key.verify_rsa(&signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
    } else if *alg == oid_registry::OID_PKCS1_SHA384WITHRSA {
        key.verify_rsa(&signature::RSA_PKCS1_2048_8192_SHA384, msg, sig)
    } else if *alg == oid_registry::OID_PKCS1_SHA512WITHRSA {
        key.verify_rsa(&signature::RSA_PKCS1_2048_8192_SHA512, msg, sig)
    } else if *alg == oid_registry::OID_SIG_ED25519 {
        matches!(key, PublicKey::Ed25519(_)) && key.verify_with(&signature::ED25519, msg, sig)
    } else {
        let hash = if *alg == oid_registry::OID_SIG_ECDSA_WITH_SHA256 {
            256
        } else if *alg == oid_registry::OID_SIG_ECDSA_WITH_SHA384 {
            384
        } else if *alg == oid_registry::OID_SIG_ECDSA_WITH_SHA512 {
            512
        } else {
            return Err(CsrError::Algorithm(alg.to_id_string()));
        };
        let verifier: &'static dyn VerificationAlgorithm = match (key.curve(), hash) {
            (Some(Curve::P256), 256) => &signature::ECDSA_P256_SHA256_ASN1,
            (Some(Curve::P256), 384) => &signature::ECDSA_P256_SHA384_ASN1,
            (Some(Curve::P256), _) => &signature::ECDSA_P256_SHA512_ASN1,
            (Some(Curve::P384), 256) => &signature::ECDSA_P384_SHA256_ASN1,
            (Some(Curve::P384), 384) => &signature::ECDSA_P384_SHA384_ASN1,
            (Some(Curve::P384), _) => &signature::ECDSA_P384_SHA512_ASN1,
            (Some(Curve::P521), 256) => &signature::ECDSA_P521_SHA256_ASN1,
            (Some(Curve::P521), 384) => &signature::ECDSA_P521_SHA384_ASN1,
            (Some(Curve::P521), _) => &signature::ECDSA_P521_SHA512_ASN1,
            (None, _) => return Err(CsrError::Signature),
        };
        key.verify_with(verifier, msg, sig)
    };
    if ok { Ok(()) } else { Err(CsrError::Signature) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, KeyPair};

    fn csr_for(alg: &'static rcgen::SignatureAlgorithm, names: &[&str]) -> Vec<u8> {
        let key = KeyPair::generate_for(alg).unwrap();
        let params =
            CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.serialize_request(&key).unwrap().der().to_vec()
    }

    #[test]
    fn parses_ecdsa_ed25519_and_rsa_csrs() {
        for alg in [
            &rcgen::PKCS_ECDSA_P256_SHA256,
            &rcgen::PKCS_ECDSA_P384_SHA384,
            &rcgen::PKCS_ED25519,
        ] {
            let der = csr_for(alg, &["Example.com", "127.0.0.1"]);
            let csr = parse_csr(&der).unwrap();
            assert_eq!(csr.dns_names, vec!["example.com".to_string()]);
            assert_eq!(csr.ips, vec!["127.0.0.1".parse::<IpAddr>().unwrap()]);
        }
        let rsa =
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).unwrap();
        let der = CertificateParams::new(vec!["a.test".to_string()])
            .unwrap()
            .serialize_request(&rsa)
            .unwrap()
            .der()
            .to_vec();
        assert!(matches!(
            parse_csr(&der).unwrap().key,
            PublicKey::Rsa { .. }
        ));
    }

    #[test]
    fn tampered_signature_is_rejected() {
        let mut der = csr_for(&rcgen::PKCS_ECDSA_P256_SHA256, &["a.test"]);
        let last = der.len() - 3;
        der[last] ^= 0x55;
        assert!(parse_csr(&der).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let good = csr_for(&rcgen::PKCS_ED25519, &["a.test"]);
        for cut in 0..good.len() {
            assert!(parse_csr(&good[..cut]).is_err());
        }
        let mut seed: u32 = 7;
        for i in 0..good.len() {
            let mut bad = good.clone();
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            bad[i] ^= (seed >> 16) as u8 | 1;
            let _ = parse_csr(&bad);
        }
    }
}
