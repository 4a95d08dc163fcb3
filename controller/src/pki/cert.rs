//! Parsed X.509 certificates (x509-parser underneath), Go's `CheckSignatureFrom`
//! semantics, and a decoded summary of what a certificate says.

use std::time::SystemTime;

use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::der::{self, Oid};
use super::error::{PkiError, Result};
use super::extensions::{DecodedExtensions, Extension};
use super::key::KeyAlgorithm;
use super::oids;
use super::pem;
use super::public_key::PublicKey;
use super::sans::{OtherName, ip_to_string};
use super::subject::{DistinguishedName, NameFields};
use super::usage::KeyUsageBits;

/// A parsed certificate. Cloning is cheap enough for chains of a few certificates.
#[derive(Debug, Clone)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: Vec<u8>,
    version: u32,
    serial: Vec<u8>,
    signature_algorithm: Oid,
    signature: Vec<u8>,
    issuer_der: Vec<u8>,
    issuer: DistinguishedName,
    subject_der: Vec<u8>,
    subject: DistinguishedName,
    not_before: SystemTime,
    not_after: SystemTime,
    public_key: PublicKey,
    extensions: Vec<Extension>,
    decoded: DecodedExtensions,
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Certificate) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl Certificate {
    /// Parses a DER certificate.
    pub fn from_der(der_bytes: &[u8]) -> Result<Certificate> {
        let bad =
            |e: String| PkiError::Certificate(format!("error parsing X.509 certificate: {e}"));
        let (rest, cert) = X509Certificate::from_der(der_bytes).map_err(|e| bad(e.to_string()))?;
        if !rest.is_empty() {
            return Err(bad("trailing data".to_string()));
        }
        let tbs = &cert.tbs_certificate;
        let mut extensions = Vec::with_capacity(tbs.extensions().len());
        for e in tbs.extensions() {
            extensions.push(Extension {
                oid: Oid::from_content(e.oid.as_bytes())?,
                critical: e.critical,
                value: e.value.to_vec(),
            });
        }
        let decoded = DecodedExtensions::decode(&extensions).map_err(|e| bad(e.to_string()))?;
        let issuer_der = tbs.issuer.as_raw().to_vec();
        let subject_der = tbs.subject.as_raw().to_vec();
        Ok(Certificate {
            der: der_bytes.to_vec(),
            tbs: tbs.as_ref().to_vec(),
            version: tbs.version.0.saturating_add(1),
            serial: tbs.raw_serial().to_vec(),
            signature_algorithm: Oid::from_content(cert.signature_algorithm.algorithm.as_bytes())?,
            signature: cert.signature_value.data.to_vec(),
            issuer: DistinguishedName::from_der(&issuer_der).map_err(|e| bad(e.to_string()))?,
            issuer_der,
            subject: DistinguishedName::from_der(&subject_der).map_err(|e| bad(e.to_string()))?,
            subject_der,
            not_before: der::system_time_from_unix(tbs.validity.not_before.timestamp()),
            not_after: der::system_time_from_unix(tbs.validity.not_after.timestamp()),
            public_key: PublicKey::from_spki_der(tbs.subject_pki.raw)
                .map_err(|e| bad(e.to_string()))?,
            extensions,
            decoded,
        })
    }

    /// Parses the first certificate of a PEM bundle (cert-manager's
    /// `DecodeX509CertificateBytes`).
    pub fn from_pem(pem_bytes: &[u8]) -> Result<Certificate> {
        Certificate::parse_bundle_pem(pem_bytes)?
            .into_iter()
            .next()
            .ok_or_else(no_certificates)
    }

    /// Parses every certificate of a PEM chain (at most about 95 kB, as cert-manager's
    /// `DecodeX509CertificateChainBytes`). Fails when none is found.
    pub fn parse_chain_pem(pem_bytes: &[u8]) -> Result<Vec<Certificate>> {
        parse_pem_certificates(pem_bytes, pem::MAX_CERTIFICATE_CHAIN_SIZE)
    }

    /// Parses every certificate of a PEM trust bundle (at most 330 kB, as
    /// cert-manager's `DecodeX509CertificateSetBytes`). Fails when none is found.
    pub fn parse_bundle_pem(pem_bytes: &[u8]) -> Result<Vec<Certificate>> {
        parse_pem_certificates(pem_bytes, pem::MAX_BUNDLE_SIZE)
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The PEM encoding.
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE", &self.der)
    }

    /// The raw DER subject.
    pub fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    /// The raw DER issuer.
    pub fn issuer_der(&self) -> &[u8] {
        &self.issuer_der
    }

    /// The subject.
    pub fn subject(&self) -> &DistinguishedName {
        &self.subject
    }

    /// The issuer.
    pub fn issuer(&self) -> &DistinguishedName {
        &self.issuer
    }

    /// notBefore.
    pub fn not_before(&self) -> SystemTime {
        self.not_before
    }

    /// notAfter.
    pub fn not_after(&self) -> SystemTime {
        self.not_after
    }

    /// The serial number's big-endian magnitude bytes, as encoded.
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// All extensions.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// The decoded known extensions.
    pub fn decoded_extensions(&self) -> &DecodedExtensions {
        &self.decoded
    }

    /// The OID of the signature algorithm.
    pub fn signature_algorithm_oid(&self) -> &Oid {
        &self.signature_algorithm
    }

    /// Whether the certificate is a CA: BasicConstraints present with cA set.
    pub fn is_ca(&self) -> bool {
        self.decoded.basic_constraints.is_some_and(|b| b.is_ca)
    }

    /// Go's `CheckSignatureFrom`: `parent` must be allowed to sign certificates (a v3
    /// parent needs BasicConstraints with cA, and keyCertSign when it has a KeyUsage)
    /// and its key must verify this certificate's signature (SHA-1 is refused).
    pub fn check_signature_from(&self, parent: &Certificate) -> Result<()> {
        let bc = parent.decoded.basic_constraints;
        if (parent.version == 3 && bc.is_none()) || bc.is_some_and(|b| !b.is_ca) {
            return Err(PkiError::Signature(
                "x509: invalid signature: parent certificate cannot sign this kind of certificate"
                    .to_string(),
            ));
        }
        let ku = parent.decoded.usages.key_usage;
        if parent.decoded.has_key_usage && !ku.is_empty() && !ku.contains(KeyUsageBits::CERT_SIGN) {
            return Err(PkiError::Signature(
                "x509: invalid signature: parent certificate cannot sign this kind of certificate"
                    .to_string(),
            ));
        }
        let alg = self.signature_algorithm.arcs();
        if alg == oids::SHA1_WITH_RSA || alg == oids::ECDSA_WITH_SHA1 {
            return Err(PkiError::Signature(
                "x509: cannot verify signature: insecure algorithm SHA1".to_string(),
            ));
        }
        parent
            .public_key
            .verify(&self.signature_algorithm, &self.tbs, &self.signature)
    }

    /// Whether the certificate verifies with its own key and may sign certificates
    /// (cert-manager's `isSelfSignedCertificate`).
    pub fn is_self_signed(&self) -> bool {
        self.check_signature_from(self).is_ok()
    }

    /// A decoded summary of the certificate.
    pub fn summary(&self) -> CertificateSummary {
        let sans = &self.decoded.sans;
        CertificateSummary {
            subject: self.subject.fields(),
            subject_string: self.subject.go_string(),
            issuer_string: self.issuer.go_string(),
            common_name: self.subject.fields().common_name,
            dns_names: sans.dns_names.clone(),
            ip_addresses: sans.ip_addresses.iter().map(ip_to_string).collect(),
            uris: sans.uris.clone(),
            email_addresses: sans.email_addresses.clone(),
            other_names: sans
                .other_names
                .iter()
                .filter_map(|o| {
                    o.utf8_value.as_ref().map(|v| OtherName {
                        oid: o.oid.to_string(),
                        utf8_value: v.clone(),
                    })
                })
                .collect(),
            not_before: self.not_before,
            not_after: self.not_after,
            key_algorithm: self.public_key.algorithm(),
            key_bits: self.public_key.bits(),
            key_usages: self
                .decoded
                .usages
                .key_usage
                .names()
                .into_iter()
                .map(str::to_string)
                .collect(),
            ext_key_usages: self
                .decoded
                .usages
                .ext_key_usage_names()
                .into_iter()
                .map(str::to_string)
                .collect(),
            is_ca: self.is_ca(),
            serial_number: self.serial_hex(),
        }
    }

    /// The serial number in lowercase hex, colon separated (as `openssl x509 -serial`
    /// shows it, lowercase).
    pub fn serial_hex(&self) -> String {
        let trimmed: &[u8] = match self.serial.split_first() {
            Some((0, rest)) if !rest.is_empty() => rest,
            _ => &self.serial,
        };
        trimmed
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    }
}

/// What a certificate says, decoded for status fields, Secret annotations and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    /// Subject fields as Go's `pkix.Name` fills them.
    pub subject: NameFields,
    /// Go's `Subject.String()`, e.g. `CN=example.com,O=Example`.
    pub subject_string: String,
    /// Go's `Issuer.String()`.
    pub issuer_string: String,
    /// The subject common name (empty when none).
    pub common_name: String,
    /// DNS SANs.
    pub dns_names: Vec<String>,
    /// IP SANs, as Go prints them.
    pub ip_addresses: Vec<String>,
    /// URI SANs.
    pub uris: Vec<String>,
    /// Email SANs.
    pub email_addresses: Vec<String>,
    /// otherName SANs with UTF-8 values.
    pub other_names: Vec<OtherName>,
    /// notBefore.
    pub not_before: SystemTime,
    /// notAfter.
    pub not_after: SystemTime,
    /// Public key algorithm.
    pub key_algorithm: KeyAlgorithm,
    /// Public key size in bits.
    pub key_bits: u32,
    /// KeyUsage names (`digital signature`, …).
    pub key_usages: Vec<String>,
    /// ExtendedKeyUsage names (`server auth`, …).
    pub ext_key_usages: Vec<String>,
    /// Whether the certificate is a CA.
    pub is_ca: bool,
    /// Serial number, colon-separated hex.
    pub serial_number: String,
}

fn no_certificates() -> PkiError {
    PkiError::Certificate(
        "error decoding certificate PEM block: no valid certificates found".to_string(),
    )
}

fn parse_pem_certificates(pem_bytes: &[u8], limit: usize) -> Result<Vec<Certificate>> {
    let mut rest = pem_bytes;
    let mut out = Vec::new();
    while let Some((block, after)) = pem::decode_limited(rest, limit)? {
        out.push(Certificate::from_der(&block.contents)?);
        rest = after;
    }
    if out.is_empty() {
        return Err(no_certificates());
    }
    Ok(out)
}

/// Encodes certificates as concatenated PEM blocks.
pub fn encode_certificates_pem(certs: &[Certificate]) -> String {
    certs.iter().map(Certificate::to_pem).collect()
}
