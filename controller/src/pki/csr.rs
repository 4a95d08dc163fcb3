//! Certificate signing requests: building one from a [`CertificateSpec`] as
//! cert-manager's `GenerateCSR` does, and parsing one (with x509-parser, so requests
//! carrying any extension still parse) into a [`CertificateSigningRequest`].

use std::net::IpAddr;

use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::cri_attributes::ParsedCriAttribute;
use x509_parser::prelude::FromDer;

use super::der::{self, Oid, tag};
use super::error::{PkiError, Result};
use super::extensions::{BasicConstraints, DecodedExtensions, Extension};
use super::key::{EcCurve, KeyAlgorithm, PrivateKey, PrivateKeySpec};
use super::oids;
use super::pem;
use super::public_key::{PublicKey, oid_der};
use super::sans::{RawOtherName, SubjectAltNames, parse_ip_addresses};
use super::signature::SignatureAlgorithm;
use super::spec::CertificateSpec;
use super::subject::DistinguishedName;
use super::usage::Usages;

/// The feature-gated parts of `GenerateCSR`. `Default` is cert-manager's default
/// gates: literal subjects, name constraints and otherNames on; BasicConstraints in
/// the request off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsrOptions {
    /// Gate `LiteralCertificateSubject` (Beta, on).
    pub use_literal_subject: bool,
    /// Gate `UseCertificateRequestBasicConstraints` (Alpha, off).
    pub encode_basic_constraints: bool,
    /// Gate `NameConstraints` (Beta, on).
    pub encode_name_constraints: bool,
    /// Gate `OtherNames` (Beta, on).
    pub encode_other_names: bool,
}

impl Default for CsrOptions {
    fn default() -> CsrOptions {
        CsrOptions {
            use_literal_subject: true,
            encode_basic_constraints: false,
            encode_name_constraints: true,
            encode_other_names: true,
        }
    }
}

/// The signature algorithm cert-manager signs a Certificate's CSR with
/// (`pki.SignatureAlgorithm`): `spec.signatureAlgorithm` when set, otherwise one
/// derived from `spec.privateKey` (RSA by size, ECDSA by curve, Ed25519).
pub fn csr_signature_algorithm(
    requested: Option<SignatureAlgorithm>,
    key_spec: &PrivateKeySpec,
) -> Result<SignatureAlgorithm> {
    if let Some(a) = requested {
        return Ok(a);
    }
    match key_spec.algorithm {
        KeyAlgorithm::Rsa => {
            SignatureAlgorithm::for_key(KeyAlgorithm::Rsa, key_spec.effective_size())
                .map_err(|e| PkiError::Template(e.to_string()))
        }
        KeyAlgorithm::Ecdsa => {
            let size = key_spec.effective_size();
            match EcCurve::from_bits(size) {
                Some(c) => SignatureAlgorithm::for_key(KeyAlgorithm::Ecdsa, c.bits()),
                None => Err(PkiError::Template(format!(
                    "unsupported ecdsa keysize specified: {size}"
                ))),
            }
        }
        KeyAlgorithm::Ed25519 => Ok(SignatureAlgorithm::PureEd25519),
    }
}

/// Builds the subject and extensions of the CSR for `spec` (everything but the key).
struct CsrTemplate {
    subject: Vec<u8>,
    extensions: Vec<Extension>,
    signature_algorithm: SignatureAlgorithm,
}

fn csr_template(spec: &CertificateSpec, options: &CsrOptions) -> Result<CsrTemplate> {
    let (common_name, dn) = if options.use_literal_subject && !spec.literal_subject.is_empty() {
        let dn = DistinguishedName::from_literal_subject(&spec.literal_subject)?;
        (dn.first_common_name().unwrap_or_default().to_string(), dn)
    } else {
        (
            spec.common_name.clone(),
            DistinguishedName::from_subject(&spec.subject, &spec.common_name),
        )
    };

    let mut sans = SubjectAltNames {
        dns_names: spec.dns_names.clone(),
        email_addresses: spec.email_addresses.clone(),
        ip_addresses: parse_ip_addresses(&spec.ip_addresses)?,
        uris: spec.uris.clone(),
        other_names: Vec::new(),
    };
    if options.encode_other_names {
        for o in &spec.other_names {
            let oid = Oid::parse(&o.oid)?;
            if o.utf8_value.is_empty() {
                return Err(PkiError::Template(
                    "UniversalValue should have exactly one field set".to_string(),
                ));
            }
            sans.other_names.push(RawOtherName {
                oid,
                utf8_value: Some(o.utf8_value.clone()),
            });
        }
    }

    if common_name.is_empty() && sans.is_empty() {
        return Err(PkiError::Template(
            "at least one of commonName (from the commonName field or from a literalSubject), dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs must be set".to_string(),
        ));
    }

    let signature_algorithm = csr_signature_algorithm(spec.signature_algorithm, &spec.private_key)?;
    let subject = dn.to_der()?;
    let subject_empty = subject == [0x30, 0x00];

    let mut extensions = Vec::new();
    if !sans.is_empty() {
        extensions.push(Extension::new(
            oids::EXT_SUBJECT_ALT_NAME,
            subject_empty,
            sans.to_extension_value()?,
        ));
    }
    if spec.encode_usages_in_request.unwrap_or(true) {
        let usages = Usages::for_request(&spec.usages, spec.is_ca);
        if !usages.key_usage.is_empty() {
            extensions.push(Extension::new(
                oids::EXT_KEY_USAGE,
                true,
                usages.key_usage.to_extension_value(),
            ));
        }
        if !usages.ext_key_usage.is_empty()
            && let Some(v) = usages.ext_key_usage_extension_value()?
        {
            extensions.push(Extension::new(oids::EXT_EXTENDED_KEY_USAGE, false, v));
        }
    }
    if options.encode_basic_constraints {
        extensions.push(Extension::new(
            oids::EXT_BASIC_CONSTRAINTS,
            true,
            BasicConstraints {
                is_ca: spec.is_ca,
                max_path_len: None,
            }
            .to_extension_value(),
        ));
    }
    if options.encode_name_constraints
        && let Some(nc) = &spec.name_constraints
        && let Some(v) = nc.to_extension_value()?
    {
        extensions.push(Extension::new(oids::EXT_NAME_CONSTRAINTS, nc.critical, v));
    }

    Ok(CsrTemplate {
        subject,
        extensions,
        signature_algorithm,
    })
}

/// Builds and signs the PEM CSR (`CERTIFICATE REQUEST`) cert-manager's request
/// manager would create for `spec` with `key`.
pub fn generate_csr(
    spec: &CertificateSpec,
    key: &PrivateKey,
    options: &CsrOptions,
) -> Result<String> {
    Ok(pem::encode(
        "CERTIFICATE REQUEST",
        &generate_csr_der(spec, key, options)?,
    ))
}

/// As [`generate_csr`], returning DER.
pub fn generate_csr_der(
    spec: &CertificateSpec,
    key: &PrivateKey,
    options: &CsrOptions,
) -> Result<Vec<u8>> {
    let t = csr_template(spec, options)?;
    if t.signature_algorithm.key_algorithm() != key.algorithm() {
        return Err(PkiError::Signing(
            "x509: requested SignatureAlgorithm does not match private key type".to_string(),
        ));
    }
    let attributes = if t.extensions.is_empty() {
        Vec::new()
    } else {
        let mut exts = Vec::with_capacity(t.extensions.len());
        for e in &t.extensions {
            exts.push(e.to_der()?);
        }
        let ext_seq = der::sequence_of(&exts);
        der::sequence(&[
            &oid_der(oids::PKCS9_EXTENSION_REQUEST),
            &der::tlv(tag::SET, &ext_seq),
        ])
    };
    let info = der::sequence(&[
        &der::small_integer(0),
        &t.subject,
        &key.public_key().to_spki_der(),
        &der::context(0, true, &attributes),
    ]);
    let sig = key.sign(t.signature_algorithm, &info)?;
    Ok(der::sequence(&[
        &info,
        &t.signature_algorithm.algorithm_identifier(),
        &der::bit_string(&sig, 0),
    ]))
}

/// A parsed certificate signing request.
#[derive(Debug, Clone)]
pub struct CertificateSigningRequest {
    der: Vec<u8>,
    info: Vec<u8>,
    signature_algorithm: Oid,
    signature: Vec<u8>,
    subject_der: Vec<u8>,
    subject: DistinguishedName,
    public_key: PublicKey,
    extensions: Vec<Extension>,
    decoded: DecodedExtensions,
}

impl CertificateSigningRequest {
    /// Parses the first PEM block of `pem_bytes` (at most 36 500 bytes, as
    /// cert-manager's `DecodeX509CertificateRequestBytes`; the block label is not
    /// checked).
    pub fn from_pem(pem_bytes: &[u8]) -> Result<CertificateSigningRequest> {
        let (block, _) = pem::decode_limited(pem_bytes, pem::MAX_LEAF_CERTIFICATE_PEM_SIZE)
            .map_err(|e| {
                PkiError::Csr(format!("error decoding certificate request PEM block: {e}"))
            })?
            .ok_or_else(|| {
                PkiError::Csr(
                    "error decoding certificate request PEM block: no PEM data was found in given input"
                        .to_string(),
                )
            })?;
        CertificateSigningRequest::from_der(&block.contents)
    }

    /// Parses a DER CSR. The signature is not checked here; see
    /// [`CertificateSigningRequest::verify_signature`].
    pub fn from_der(der_bytes: &[u8]) -> Result<CertificateSigningRequest> {
        let (rest, csr) = X509CertificationRequest::from_der(der_bytes)
            .map_err(|e| PkiError::Csr(format!("x509: malformed certificate request: {e}")))?;
        if !rest.is_empty() {
            return Err(PkiError::Csr(
                "x509: trailing data after certificate request".to_string(),
            ));
        }
        let info = &csr.certification_request_info;
        let mut extensions = Vec::new();
        for attr in info.iter_attributes() {
            if let ParsedCriAttribute::ExtensionRequest(req) = attr.parsed_attribute() {
                for e in &req.extensions {
                    extensions.push(Extension {
                        oid: Oid::from_content(e.oid.as_bytes())?,
                        critical: e.critical,
                        value: e.value.to_vec(),
                    });
                }
            }
        }
        let subject_der = info.subject.as_raw().to_vec();
        let subject = DistinguishedName::from_der(&subject_der)
            .map_err(|e| PkiError::Csr(format!("x509: invalid subject: {e}")))?;
        let public_key = PublicKey::from_spki_der(info.subject_pki.raw)?;
        let decoded =
            DecodedExtensions::decode(&extensions).map_err(|e| PkiError::Csr(e.to_string()))?;
        Ok(CertificateSigningRequest {
            der: der_bytes.to_vec(),
            info: info.raw.to_vec(),
            signature_algorithm: Oid::from_content(csr.signature_algorithm.algorithm.as_bytes())?,
            signature: csr.signature_value.data.to_vec(),
            subject_der,
            subject,
            public_key,
            extensions,
            decoded,
        })
    }

    /// Checks the request's self-signature (Go's `CertificateRequest.CheckSignature`):
    /// RSA PKCS#1 v1.5, ECDSA and Ed25519, SHA-1 allowed for RSA and ECDSA requests.
    pub fn verify_signature(&self) -> Result<()> {
        self.public_key
            .verify(&self.signature_algorithm, &self.info, &self.signature)
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The PEM encoding.
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE REQUEST", &self.der)
    }

    /// The raw DER subject.
    pub fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    /// The subject.
    pub fn subject(&self) -> &DistinguishedName {
        &self.subject
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// All requested extensions.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// The decoded known extensions.
    pub fn decoded_extensions(&self) -> &DecodedExtensions {
        &self.decoded
    }

    /// The SANs.
    pub fn sans(&self) -> &SubjectAltNames {
        &self.decoded.sans
    }

    /// The IP address SANs.
    pub fn ip_addresses(&self) -> &[IpAddr] {
        &self.decoded.sans.ip_addresses
    }

    /// The OID of the signature algorithm.
    pub fn signature_algorithm_oid(&self) -> &Oid {
        &self.signature_algorithm
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::key::KeyEncoding;
    use crate::pki::name_constraints::{NameConstraintItems, NameConstraints};
    use crate::pki::sans::OtherName;
    use crate::pki::subject::Subject;
    use crate::pki::usage::{ExtKeyUsage, KeyUsage, KeyUsageBits};

    fn full_spec() -> CertificateSpec {
        CertificateSpec {
            common_name: "example.com".into(),
            subject: Subject {
                organizations: vec!["Example".into()],
                countries: vec!["GB".into()],
                ..Default::default()
            },
            dns_names: vec!["example.com".into(), "www.example.com".into()],
            ip_addresses: vec!["10.0.0.1".into(), "2001:db8::1".into()],
            uris: vec!["spiffe://example.com/web".into()],
            email_addresses: vec!["admin@example.com".into()],
            other_names: vec![OtherName {
                oid: "1.3.6.1.4.1.311.20.2.3".into(),
                utf8_value: "upn@example.com".into(),
            }],
            usages: vec![
                KeyUsage::DigitalSignature,
                KeyUsage::ServerAuth,
                KeyUsage::ClientAuth,
            ],
            ..Default::default()
        }
    }

    #[test]
    fn csr_round_trip_for_every_key_type() {
        for (alg, size) in [
            (KeyAlgorithm::Rsa, 2048),
            (KeyAlgorithm::Ecdsa, 256),
            (KeyAlgorithm::Ecdsa, 384),
            (KeyAlgorithm::Ecdsa, 521),
            (KeyAlgorithm::Ed25519, 0),
        ] {
            let mut spec = full_spec();
            spec.private_key = PrivateKeySpec {
                algorithm: alg,
                size: Some(size),
                encoding: KeyEncoding::Pkcs1,
            };
            let key = PrivateKey::generate(&spec.private_key).unwrap();
            let pem = generate_csr(&spec, &key, &CsrOptions::default()).unwrap();
            assert!(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
            let csr = CertificateSigningRequest::from_pem(pem.as_bytes()).unwrap();
            csr.verify_signature().unwrap();
            assert_eq!(csr.public_key(), key.public_key());
            let f = csr.subject().fields();
            assert_eq!(f.common_name, "example.com");
            assert_eq!(f.organizations, vec!["Example"]);
            let sans = csr.sans();
            assert_eq!(sans.dns_names, spec.dns_names);
            assert_eq!(sans.email_addresses, spec.email_addresses);
            assert_eq!(sans.uris, spec.uris);
            assert_eq!(
                sans.ip_addresses,
                parse_ip_addresses(&spec.ip_addresses).unwrap()
            );
            assert_eq!(sans.utf8_other_names().unwrap(), spec.other_names);
            let d = csr.decoded_extensions();
            assert_eq!(d.usages.key_usage, KeyUsageBits::DIGITAL_SIGNATURE);
            assert_eq!(
                d.usages.ext_key_usage,
                vec![ExtKeyUsage::ServerAuth, ExtKeyUsage::ClientAuth]
            );
            assert!(d.basic_constraints.is_none());
            // SAN is not critical because the subject is not empty.
            assert!(!csr.extensions()[0].critical);
        }
    }

    #[test]
    fn csr_without_subject_marks_sans_critical_and_can_omit_usages() {
        let spec = CertificateSpec {
            dns_names: vec!["only-san.example".into()],
            encode_usages_in_request: Some(false),
            private_key: PrivateKeySpec {
                algorithm: KeyAlgorithm::Ecdsa,
                ..Default::default()
            },
            ..Default::default()
        };
        let key = PrivateKey::generate(&spec.private_key).unwrap();
        let csr = CertificateSigningRequest::from_der(
            &generate_csr_der(&spec, &key, &CsrOptions::default()).unwrap(),
        )
        .unwrap();
        assert_eq!(csr.subject_der(), &[0x30, 0x00]);
        assert_eq!(csr.extensions().len(), 1);
        assert!(csr.extensions()[0].critical);
    }

    #[test]
    fn basic_and_name_constraints_follow_options() {
        let spec = CertificateSpec {
            common_name: "ca".into(),
            is_ca: true,
            name_constraints: Some(NameConstraints {
                critical: true,
                permitted: Some(NameConstraintItems {
                    dns_domains: vec!["example.com".into()],
                    ..Default::default()
                }),
                excluded: None,
            }),
            private_key: PrivateKeySpec {
                algorithm: KeyAlgorithm::Ed25519,
                ..Default::default()
            },
            ..Default::default()
        };
        let key = PrivateKey::generate(&spec.private_key).unwrap();
        let opts = CsrOptions {
            encode_basic_constraints: true,
            ..Default::default()
        };
        let csr =
            CertificateSigningRequest::from_der(&generate_csr_der(&spec, &key, &opts).unwrap())
                .unwrap();
        let d = csr.decoded_extensions();
        assert_eq!(d.basic_constraints.map(|b| b.is_ca), Some(true));
        assert!(d.usages.key_usage.contains(KeyUsageBits::CERT_SIGN));
        let nc = d.name_constraints.clone().unwrap();
        assert!(nc.critical);
        assert_eq!(nc.permitted.unwrap().dns_domains, vec!["example.com"]);

        let opts = CsrOptions {
            encode_name_constraints: false,
            ..Default::default()
        };
        let csr =
            CertificateSigningRequest::from_der(&generate_csr_der(&spec, &key, &opts).unwrap())
                .unwrap();
        assert!(csr.decoded_extensions().name_constraints.is_none());
        assert!(csr.decoded_extensions().basic_constraints.is_none());
    }

    #[test]
    fn literal_subject_replaces_subject_fields() {
        let spec = CertificateSpec {
            literal_subject: "CN=literal.example,O=Lit+OU=Unit,C=US".into(),
            private_key: PrivateKeySpec {
                algorithm: KeyAlgorithm::Ecdsa,
                ..Default::default()
            },
            ..Default::default()
        };
        let key = PrivateKey::generate(&spec.private_key).unwrap();
        let csr = CertificateSigningRequest::from_der(
            &generate_csr_der(&spec, &key, &CsrOptions::default()).unwrap(),
        )
        .unwrap();
        let expected = DistinguishedName::from_literal_subject(&spec.literal_subject)
            .unwrap()
            .to_der()
            .unwrap();
        assert_eq!(csr.subject_der(), expected.as_slice());
        assert_eq!(csr.subject().rdns[1].len(), 2);
        assert!(csr.sans().is_empty());
    }

    #[test]
    fn template_errors() {
        let key = PrivateKey::generate_ecdsa(EcCurve::P256).unwrap();
        let ec = PrivateKeySpec {
            algorithm: KeyAlgorithm::Ecdsa,
            ..Default::default()
        };
        let no_names = CertificateSpec {
            private_key: ec,
            ..Default::default()
        };
        assert!(
            generate_csr(&no_names, &key, &CsrOptions::default())
                .unwrap_err()
                .to_string()
                .starts_with("at least one of commonName")
        );
        let bad_ip = CertificateSpec {
            ip_addresses: vec!["300.1.1.1".into()],
            private_key: ec,
            ..Default::default()
        };
        assert!(generate_csr(&bad_ip, &key, &CsrOptions::default()).is_err());
        let bad_oid = CertificateSpec {
            other_names: vec![OtherName {
                oid: "not-an-oid".into(),
                utf8_value: "x".into(),
            }],
            private_key: ec,
            ..Default::default()
        };
        assert!(generate_csr(&bad_oid, &key, &CsrOptions::default()).is_err());
        // The spec asks for RSA but the key is ECDSA.
        let mismatch = CertificateSpec {
            common_name: "x".into(),
            ..Default::default()
        };
        assert_eq!(
            generate_csr(&mismatch, &key, &CsrOptions::default())
                .unwrap_err()
                .to_string(),
            "x509: requested SignatureAlgorithm does not match private key type"
        );
    }

    #[test]
    fn signature_algorithm_choice() {
        use SignatureAlgorithm::*;
        let spec = |alg, size| PrivateKeySpec {
            algorithm: alg,
            size,
            ..Default::default()
        };
        assert_eq!(
            csr_signature_algorithm(None, &spec(KeyAlgorithm::Rsa, None)).unwrap(),
            Sha256WithRsa
        );
        assert_eq!(
            csr_signature_algorithm(None, &spec(KeyAlgorithm::Rsa, Some(4096))).unwrap(),
            Sha512WithRsa
        );
        assert_eq!(
            csr_signature_algorithm(None, &spec(KeyAlgorithm::Rsa, Some(3072))).unwrap(),
            Sha384WithRsa
        );
        assert_eq!(
            csr_signature_algorithm(None, &spec(KeyAlgorithm::Ecdsa, Some(384))).unwrap(),
            EcdsaWithSha384
        );
        assert_eq!(
            csr_signature_algorithm(None, &spec(KeyAlgorithm::Ed25519, None)).unwrap(),
            PureEd25519
        );
        assert_eq!(
            csr_signature_algorithm(Some(Sha512WithRsa), &spec(KeyAlgorithm::Rsa, None)).unwrap(),
            Sha512WithRsa
        );
        assert!(csr_signature_algorithm(None, &spec(KeyAlgorithm::Ecdsa, Some(255))).is_err());
        // An explicit signature algorithm is used with a matching key.
        let mut s = full_spec();
        s.signature_algorithm = Some(Sha384WithRsa);
        let key = PrivateKey::generate_rsa(2048).unwrap();
        let csr = CertificateSigningRequest::from_pem(
            generate_csr(&s, &key, &CsrOptions::default())
                .unwrap()
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(csr.signature_algorithm_oid().arcs(), oids::SHA384_WITH_RSA);
        csr.verify_signature().unwrap();
    }

    #[test]
    fn tampered_csr_fails_verification_and_garbage_fails_parsing() {
        let spec = full_spec();
        let key = PrivateKey::generate_rsa(2048).unwrap();
        let mut der_bytes = generate_csr_der(&spec, &key, &CsrOptions::default()).unwrap();
        // Flip a byte inside the subject's common name.
        let pos = der_bytes.windows(7).position(|w| w == b"example").unwrap();
        der_bytes[pos] ^= 0x01;
        let csr = CertificateSigningRequest::from_der(&der_bytes).unwrap();
        assert!(csr.verify_signature().is_err());
        assert!(CertificateSigningRequest::from_der(&der_bytes[..20]).is_err());
        assert!(CertificateSigningRequest::from_pem(b"junk").is_err());
    }
}
