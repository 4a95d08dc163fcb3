//! The PKI room: keys, CSRs, signing, parsing, keystores and renewal maths, as
//! cert-manager's `pkg/util/pki` and its issuers do them. Pure, synchronous functions
//! with no Kubernetes I/O; all time comes in as `SystemTime` arguments.
//!
//! How the controllers use it (map the API types onto [`CertificateSpec`] and
//! [`CertificateRequestSpec`] first):
//!
//! - key manager: [`PrivateKey::generate`] from `spec.privateKey`
//!   ([`PrivateKeySpec`]), stored as PKCS#8 with [`PrivateKey::to_pem`]; with
//!   `rotationPolicy: Never`, [`private_key_matches_spec`] decides `CannotRegenerateKey`.
//! - request manager: [`generate_csr`] with [`CsrOptions::default`] (cert-manager's
//!   feature gates); stale requests via [`request_matches_spec`].
//! - SelfSigned issuer: [`sign_self_signed`]; CA issuer: [`SigningCa::from_secret_data`]
//!   then [`sign_with_ca`]; issuer readiness: [`verify_signing_ca`]. Error variants map
//!   to reasons: [`PkiError::Csr`] template errors, [`PkiError::Key`] key mismatch,
//!   [`PkiError::Signing`] signing; [`PkiError::is_invalid_data`] for Pending.
//! - issuing: `tls.key` re-encoded with [`PrivateKey::to_pem`] in `spec.privateKey.encoding`,
//!   [`certificate_annotations`], [`der_output`], [`combined_pem_output`],
//!   [`pkcs12_keystore`]/[`pkcs12_truststore`], [`jks_keystore`]/[`jks_truststore`],
//!   [`temporary_certificate`].
//! - trigger / readiness: [`trigger_policy`] and [`readiness_policy`] (reason and
//!   message of the first violated policy), [`backoff_remaining`] for the failure
//!   back-off, [`renewal_time`] for `status.renewalTime`, [`Certificate::summary`] for
//!   `status.notBefore`/`notAfter`.
//! - tests and snapshots: [`verify_chain`] / [`verify_pem_chain`] (rustls-webpki).

mod cert;
mod chain;
mod csr;
mod der;
mod error;
mod extensions;
mod jks;
mod key;
mod matching;
mod name_constraints;
mod oids;
mod outputs;
mod pem;
mod pkcs12;
mod policies;
mod public_key;
mod renewal;
mod sans;
mod sign;
mod signature;
mod spec;
mod subject;
mod usage;
mod verify;

pub use cert::{Certificate, CertificateSummary, encode_certificates_pem};
pub use chain::{PemBundle, build_single_chain};
pub use csr::{
    CertificateSigningRequest, CsrOptions, csr_signature_algorithm, generate_csr, generate_csr_der,
};
pub use der::Oid;
pub use error::{PkiError, Result};
pub use extensions::{BasicConstraints, DecodedExtensions, Extension};
pub use jks::{
    JKS_DEFAULT_ALIAS, JKS_KEYSTORE_KEY, JKS_TRUSTSTORE_KEY, JksEntry, jks_keystore,
    jks_truststore, read_jks, write_jks,
};
pub use key::{
    DEFAULT_RSA_KEY_SIZE, EcCurve, KeyAlgorithm, KeyEncoding, MAX_RSA_KEY_SIZE, PrivateKey,
    PrivateKeySpec,
};
pub use matching::{
    certificate_matches_spec, format_violations, go_quote, go_rfc1123, go_time_string, messages,
    private_key_matches_spec, request_matches_spec,
};
pub use name_constraints::{NameConstraintItems, NameConstraints};
pub use outputs::{
    COMBINED_PEM_KEY, DER_KEY, certificate_annotations, combined_pem_output, der_output, join_csv,
};
pub use pem::{PemBlock, decode_all as decode_pem_blocks, encode as encode_pem};
pub use pkcs12::{
    PKCS12_KEY_ALIAS, PKCS12_KEYSTORE_KEY, PKCS12_TRUSTSTORE_KEY, Pkcs12Contents, Pkcs12Profile,
    pkcs12_keystore, pkcs12_truststore, read_pkcs12,
};
pub use policies::{
    CERTIFICATE_NAME_ANNOTATION, ISSUER_GROUP_ANNOTATION, ISSUER_KIND_ANNOTATION,
    ISSUER_NAME_ANNOTATION, PolicyInput, PolicyViolation, SecretInput, readiness_policy,
    trigger_policy,
};
pub use public_key::PublicKey;
pub use renewal::{
    DEFAULT_MAX_BACKOFF, DEFAULT_MIN_BACKOFF, RenewalPolicy, backoff_remaining, failure_backoff,
    renew_before, renewal_time, truncate_to_second,
};
pub use sans::{OtherName, RawOtherName, SubjectAltNames, ip_to_string, parse_ip_addresses};
pub use sign::{
    IssuedCertificate, IssuerUrls, SigningCa, SigningCaProblem, lifetime,
    self_signed_issuer_is_empty, sign_self_signed, sign_with_ca, temporary_certificate,
    verify_signing_ca,
};
pub use signature::SignatureAlgorithm;
pub use spec::{
    CertificateRequestSpec, CertificateSpec, DEFAULT_CERT_DURATION, DEFAULT_ISSUER_GROUP,
    DEFAULT_ISSUER_KIND, IssuerRef, default_duration,
};
pub use subject::{DistinguishedName, NameAttribute, NameFields, Subject};
pub use usage::{ExtKeyUsage, KeyUsage, KeyUsageBits, Usages};
pub use verify::{Purpose, verify_chain, verify_pem_chain};

#[cfg(test)]
mod tests;
