//! The cores of the SelfSigned and CA issuers: turn a CertificateRequest into a
//! certificate the way cert-manager does (`CertificateTemplateFromCertificateRequest`,
//! `SignCertificate`, `SignCSRTemplate`).
//!
//! Errors tell the stage that failed, for the issuer's condition reason:
//! [`PkiError::Csr`] — the request cannot be turned into a template (cert-manager's
//! `ErrorGenerating` / `SigningError`); [`PkiError::Key`] — the key does not belong to
//! the request (`ErrorKeyMatch`); [`PkiError::Signing`] — signing failed
//! (`ErrorSigning` / `SigningError`).

use std::time::{Duration, SystemTime};

use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use super::cert::Certificate;
use super::chain::{PemBundle, build_single_chain};
use super::csr::CertificateSigningRequest;
use super::der;
use super::error::{PkiError, Result};
use super::extensions::{BasicConstraints, Extension, find};
use super::key::PrivateKey;
use super::oids;
use super::public_key::{PublicKey, oid_der};
use super::spec::{CertificateRequestSpec, default_duration};
use super::usage::{ExtKeyUsage, Usages, print_key_usage};

/// URLs an issuer publishes in the certificates it signs (the SelfSigned issuer's
/// `crlDistributionPoints`; the CA issuer's `crlDistributionPoints`, `ocspServers`
/// and `issuingCertificateURLs`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IssuerUrls {
    /// CRL distribution point URLs.
    pub crl_distribution_points: Vec<String>,
    /// OCSP responder URLs (Authority Information Access).
    pub ocsp_servers: Vec<String>,
    /// CA issuer certificate URLs (Authority Information Access).
    pub issuing_certificate_urls: Vec<String>,
}

/// A signed certificate, as an issuer returns it on the CertificateRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCertificate {
    /// `status.certificate`: the leaf, then intermediates (PEM).
    pub certificate_pem: String,
    /// `status.ca`: the root of the chain (PEM), when there is one.
    pub ca_pem: Option<String>,
    /// The parsed leaf.
    pub certificate: Certificate,
}

/// The signing CA of a CA issuer: its Secret's `tls.crt` chain (plus `ca.crt`) and
/// `tls.key`.
#[derive(Debug)]
pub struct SigningCa {
    certificates: Vec<Certificate>,
    key: PrivateKey,
}

impl SigningCa {
    /// Reads the CA Secret's data as cert-manager's `SecretTLSKeyPairAndCA`: the key
    /// from `tls.key`, the chain from `tls.crt` (the first certificate signs), and
    /// `ca.crt`'s first certificate appended when present and non-empty.
    pub fn from_secret_data(
        tls_crt: &[u8],
        tls_key: &[u8],
        ca_crt: Option<&[u8]>,
    ) -> Result<SigningCa> {
        let key = PrivateKey::from_pem(tls_key)?;
        let mut certificates = Certificate::parse_chain_pem(tls_crt)?;
        if let Some(ca) = ca_crt.filter(|c| !c.is_empty()) {
            certificates.push(Certificate::from_pem(ca)?);
        }
        Ok(SigningCa { certificates, key })
    }

    /// A signing CA from parsed parts; `certificates[0]` must be the signing
    /// certificate.
    pub fn new(certificates: Vec<Certificate>, key: PrivateKey) -> Result<SigningCa> {
        if certificates.is_empty() {
            return Err(PkiError::Signing(
                "no CA certificates given to sign CSR template".to_string(),
            ));
        }
        Ok(SigningCa { certificates, key })
    }

    /// The certificate that signs.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificates.first()
    }

    /// The CA's private key.
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }
}

/// Why a CA issuer is not ready, as cert-manager's CA issuer `Setup` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningCaProblem {
    /// The certificate or key could not be read (reason `ErrGetKeyPair`).
    GetKeyPair(PkiError),
    /// The certificate is not a CA (reason `ErrInvalidKeyPair`).
    NotCa,
}

impl SigningCaProblem {
    /// The Ready condition reason.
    pub fn reason(&self) -> &'static str {
        match self {
            SigningCaProblem::GetKeyPair(_) => "ErrGetKeyPair",
            SigningCaProblem::NotCa => "ErrInvalidKeyPair",
        }
    }

    /// The Ready condition message.
    pub fn message(&self) -> String {
        match self {
            SigningCaProblem::GetKeyPair(e) => format!("Error getting keypair for CA issuer: {e}"),
            SigningCaProblem::NotCa => {
                "Error getting keypair for CA issuer: certificate is not a CA".to_string()
            }
        }
    }
}

/// The CA issuer's readiness check (`KeyPairVerified`, message "Signing CA verified"
/// on success): the first certificate of `tls.crt` must parse, `tls.key` must parse,
/// and the certificate must be a CA.
pub fn verify_signing_ca(
    tls_crt: &[u8],
    tls_key: &[u8],
) -> std::result::Result<(), SigningCaProblem> {
    let chain = Certificate::parse_chain_pem(tls_crt).map_err(SigningCaProblem::GetKeyPair)?;
    PrivateKey::from_pem(tls_key).map_err(SigningCaProblem::GetKeyPair)?;
    match chain.first() {
        Some(c) if c.is_ca() => Ok(()),
        Some(_) => Err(SigningCaProblem::NotCa),
        None => Err(SigningCaProblem::GetKeyPair(PkiError::Certificate(
            "error decoding certificate PEM block: no valid certificates found".to_string(),
        ))),
    }
}

/// The SelfSigned issuer: signs the request with `key` (the Secret named by
/// `cert-manager.io/private-key-secret-name`), which must be the request's key.
/// `status.ca` is the certificate itself.
pub fn sign_self_signed(
    request: &CertificateRequestSpec,
    key: &PrivateKey,
    now: SystemTime,
    urls: &IssuerUrls,
) -> Result<IssuedCertificate> {
    let template = Template::from_request(request, now)?;
    if key.public_key() != &template.public_key {
        return Err(PkiError::Key(
            "CSR not signed by referenced private key".to_string(),
        ));
    }
    let der_bytes = template.sign(&template.subject, None, key, urls)?;
    let certificate = Certificate::from_der(&der_bytes)?;
    let pem = certificate.to_pem();
    Ok(IssuedCertificate {
        certificate_pem: pem.clone(),
        ca_pem: Some(pem),
        certificate,
    })
}

/// Whether a self-signed certificate for this request would have an empty issuer
/// DN (cert-manager then emits a `BadConfig` warning event).
pub fn self_signed_issuer_is_empty(request: &CertificateRequestSpec) -> Result<bool> {
    let csr = CertificateSigningRequest::from_pem(&request.request)?;
    Ok(csr.subject().is_empty())
}

/// The CA issuer: signs the request with the CA's key. `certificate_pem` is the leaf
/// and the CA chain up to (not including) a self-signed root; `ca_pem` is the root.
pub fn sign_with_ca(
    request: &CertificateRequestSpec,
    ca: &SigningCa,
    now: SystemTime,
    urls: &IssuerUrls,
) -> Result<IssuedCertificate> {
    let template = Template::from_request(request, now)?;
    let issuer = ca.certificate().ok_or_else(|| {
        PkiError::Signing("no CA certificates given to sign CSR template".to_string())
    })?;
    if issuer.public_key() != ca.key.public_key() {
        return Err(PkiError::Signing(
            "error creating x509 certificate: x509: provided PrivateKey doesn't match parent's PublicKey"
                .to_string(),
        ));
    }
    let der_bytes = template.sign(issuer.subject_der(), Some(issuer), &ca.key, urls)?;
    let certificate = Certificate::from_der(&der_bytes)?;
    let mut all = ca.certificates.clone();
    all.push(certificate.clone());
    let PemBundle {
        chain_pem, ca_pem, ..
    } = build_single_chain(&all)?;
    Ok(IssuedCertificate {
        certificate_pem: chain_pem,
        ca_pem,
        certificate,
    })
}

/// The certificate template built from a request, after cert-manager's validators.
struct Template {
    subject: Vec<u8>,
    public_key: PublicKey,
    not_before: SystemTime,
    not_after: SystemTime,
    is_ca: bool,
    usages: Usages,
    san: Option<Extension>,
    name_constraints: Option<Extension>,
}

impl Template {
    fn from_request(request: &CertificateRequestSpec, now: SystemTime) -> Result<Template> {
        let csr = CertificateSigningRequest::from_pem(&request.request)?;
        csr.verify_signature()
            .map_err(|e| PkiError::Csr(e.to_string()))?;
        let exts = csr.extensions();
        let decoded = csr.decoded_extensions();

        // Basic constraints: must agree with the request when encoded in the CSR.
        if let Some(bc) = decoded.basic_constraints
            && bc.is_ca != request.is_ca
        {
            return Err(PkiError::Csr(format!(
                "encoded CSR error: IsCA {} does not match expected value {}",
                bc.is_ca, request.is_ca
            )));
        }

        // Key usages: must agree with the request when encoded in the CSR.
        let expected = Usages::for_request(&request.usages, request.is_ca);
        if decoded.has_key_usage || decoded.has_ext_key_usage {
            if decoded.usages.key_usage != expected.key_usage {
                return Err(PkiError::Csr(format!(
                    "encoded CSR error: the KeyUsages {} do not match the expected KeyUsages {}",
                    print_key_usage(&decoded.usages.key_usage.names()),
                    print_key_usage(&expected.key_usage.names()),
                )));
            }
            if decoded.usages.ext_key_usage != expected.ext_key_usage {
                return Err(PkiError::Csr(format!(
                    "encoded CSR error: the ExtKeyUsages {} do not match the expected ExtKeyUsages {}",
                    print_key_usage(&eku_names(&decoded.usages.ext_key_usage)),
                    print_key_usage(&eku_names(&expected.ext_key_usage)),
                )));
            }
        }
        let usages = Usages {
            key_usage: expected.key_usage,
            ext_key_usage: expected.ext_key_usage,
            unknown_ext_key_usage: decoded.usages.unknown_ext_key_usage.clone(),
        };

        let subject_empty = csr.subject_der() == [0x30, 0x00];
        let san = find(exts, oids::EXT_SUBJECT_ALT_NAME).map(|e| Extension {
            critical: subject_empty,
            ..e.clone()
        });
        let name_constraints = find(exts, oids::EXT_NAME_CONSTRAINTS).cloned();

        let duration = default_duration(request.duration);
        let not_after = now
            .checked_add(duration)
            .ok_or_else(|| PkiError::Csr(format!("duration {duration:?} is out of range")))?;
        Ok(Template {
            subject: csr.subject_der().to_vec(),
            public_key: csr.public_key().clone(),
            not_before: now,
            not_after,
            is_ca: request.is_ca,
            usages,
            san,
            name_constraints,
        })
    }

    /// Builds and signs the certificate. `issuer` is `None` for self-signed.
    fn sign(
        &self,
        issuer_name: &[u8],
        issuer: Option<&Certificate>,
        signer: &PrivateKey,
        urls: &IssuerUrls,
    ) -> Result<Vec<u8>> {
        let algorithm = signer.default_signature_algorithm()?;
        let spk = self.public_key.subject_public_key();

        let mut exts: Vec<Extension> = Vec::new();
        if !self.usages.key_usage.is_empty() {
            exts.push(Extension::new(
                oids::EXT_KEY_USAGE,
                true,
                self.usages.key_usage.to_extension_value(),
            ));
        }
        if let Some(v) = self.usages.ext_key_usage_extension_value()? {
            exts.push(Extension::new(oids::EXT_EXTENDED_KEY_USAGE, false, v));
        }
        exts.push(Extension::new(
            oids::EXT_BASIC_CONSTRAINTS,
            true,
            BasicConstraints {
                is_ca: self.is_ca,
                max_path_len: None,
            }
            .to_extension_value(),
        ));
        if self.is_ca {
            // RFC 7093 method 1, as Go ≥ 1.25: leftmost 160 bits of SHA-256.
            let h = digest::digest(&digest::SHA256, &spk);
            let skid = h.as_ref().get(..20).unwrap_or_default().to_vec();
            exts.push(Extension::new(
                oids::EXT_SUBJECT_KEY_ID,
                false,
                der::octet_string(&skid),
            ));
        }
        if let Some(parent) = issuer
            && parent.subject_der() != self.subject.as_slice()
            && let Some(skid) = &parent.decoded_extensions().subject_key_id
            && !skid.is_empty()
        {
            exts.push(Extension::new(
                oids::EXT_AUTHORITY_KEY_ID,
                false,
                der::sequence(&[&der::context(0, false, skid)]),
            ));
        }
        if !urls.ocsp_servers.is_empty() || !urls.issuing_certificate_urls.is_empty() {
            let mut descs = Vec::new();
            for u in &urls.ocsp_servers {
                descs.push(der::sequence(&[
                    &oid_der(oids::AIA_OCSP),
                    &der::context(6, false, u.as_bytes()),
                ]));
            }
            for u in &urls.issuing_certificate_urls {
                descs.push(der::sequence(&[
                    &oid_der(oids::AIA_CA_ISSUERS),
                    &der::context(6, false, u.as_bytes()),
                ]));
            }
            exts.push(Extension::new(
                oids::EXT_AUTHORITY_INFO_ACCESS,
                false,
                der::sequence_of(&descs),
            ));
        }
        if let Some(nc) = &self.name_constraints {
            exts.push(nc.clone());
        }
        if !urls.crl_distribution_points.is_empty() {
            let dps: Vec<Vec<u8>> = urls
                .crl_distribution_points
                .iter()
                .map(|u| {
                    let full_name = der::context(0, true, &der::context(6, false, u.as_bytes()));
                    der::sequence(&[&der::context(0, true, &full_name)])
                })
                .collect();
            exts.push(Extension::new(
                oids::EXT_CRL_DISTRIBUTION_POINTS,
                false,
                der::sequence_of(&dps),
            ));
        }
        if let Some(san) = &self.san {
            exts.push(san.clone());
        }

        let mut ext_der = Vec::with_capacity(exts.len());
        for e in &exts {
            ext_der.push(e.to_der()?);
        }

        let tbs = der::sequence(&[
            &der::context(0, true, &der::small_integer(2)),
            &der::unsigned_integer(&random_serial()?),
            &algorithm.algorithm_identifier(),
            issuer_name,
            &der::sequence(&[&der::time(self.not_before), &der::time(self.not_after)]),
            &self.subject,
            &self.public_key.to_spki_der(),
            &der::context(3, true, &der::sequence_of(&ext_der)),
        ]);
        let sig = signer.sign(algorithm, &tbs)?;
        Ok(der::sequence(&[
            &tbs,
            &algorithm.algorithm_identifier(),
            &der::bit_string(&sig, 0),
        ]))
    }
}

fn eku_names(ekus: &[ExtKeyUsage]) -> Vec<&'static str> {
    ekus.iter().map(|u| u.name()).collect()
}

/// A random positive serial of at most 20 octets (Go ≥ 1.23's default): 20 random
/// bytes with the top bit cleared.
fn random_serial() -> Result<Vec<u8>> {
    let mut serial = [0u8; 20];
    SystemRandom::new()
        .fill(&mut serial)
        .map_err(|_| PkiError::Signing("failed to generate serial number".to_string()))?;
    serial[0] &= 0x7f;
    Ok(serial.to_vec())
}

/// The lifetime of an issued certificate, `notAfter − notBefore` (zero if reversed).
pub fn lifetime(cert: &Certificate) -> Duration {
    cert.not_after()
        .duration_since(cert.not_before())
        .unwrap_or_default()
}

/// The temporary certificate cert-manager writes while a Certificate annotated
/// `cert-manager.io/issue-temporary-certificate: "true"` is first issued
/// (`GenerateLocallySignedTemporaryCertificate`): the spec's names and usages on the
/// Secret's key (`tls_key`), signed by a throw-away ECDSA P-521 CA named
/// `cert-manager.local`. Returns the leaf PEM.
pub fn temporary_certificate(
    spec: &super::spec::CertificateSpec,
    tls_key: &[u8],
    now: SystemTime,
) -> Result<String> {
    use super::csr::{CsrOptions, generate_csr};
    use super::key::{EcCurve, KeyAlgorithm, PrivateKeySpec};
    use super::spec::CertificateSpec;

    let leaf_key = PrivateKey::from_pem(tls_key)?;
    let ca_spec = CertificateSpec {
        common_name: "cert-manager.local".to_string(),
        is_ca: true,
        private_key: PrivateKeySpec {
            algorithm: KeyAlgorithm::Ecdsa,
            size: Some(521),
            ..Default::default()
        },
        ..Default::default()
    };
    let ca_key = PrivateKey::generate_ecdsa(EcCurve::P521)?;
    let no_gates = CsrOptions {
        use_literal_subject: false,
        encode_basic_constraints: false,
        encode_name_constraints: false,
        encode_other_names: false,
    };
    let ca_request = CertificateRequestSpec {
        request: generate_csr(&ca_spec, &ca_key, &no_gates)?.into_bytes(),
        duration: None,
        is_ca: true,
        usages: Vec::new(),
        issuer_ref: Default::default(),
    };
    let ca = sign_self_signed(&ca_request, &ca_key, now, &IssuerUrls::default())?;
    // The request is signed with the Secret's key whatever the spec's algorithm, as
    // cert-manager builds this template without signing a CSR.
    let leaf_spec = CertificateSpec {
        signature_algorithm: Some(leaf_key.default_signature_algorithm()?),
        ..spec.clone()
    };
    let request = CertificateRequestSpec {
        request: generate_csr(&leaf_spec, &leaf_key, &no_gates)?.into_bytes(),
        duration: spec.duration,
        is_ca: spec.is_ca,
        usages: spec.usages.clone(),
        issuer_ref: Default::default(),
    };
    let signing = SigningCa::new(vec![ca.certificate], ca_key)?;
    Ok(
        sign_with_ca(&request, &signing, now, &IssuerUrls::default())?
            .certificate
            .to_pem(),
    )
}
