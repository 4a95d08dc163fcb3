//! The PKI room: keys, CSRs, signing, parsing, keystores and renewal maths, as
//! cert-manager's `pkg/util/pki` and its issuers do them. Pure, synchronous functions
//! with no Kubernetes I/O; all time comes in as `SystemTime` arguments.

mod cert;
mod chain;
mod csr;
mod der;
mod error;
mod extensions;
mod key;
mod name_constraints;
mod oids;
mod pem;
mod public_key;
mod sans;
mod sign;
mod signature;
mod spec;
mod subject;
mod usage;
mod verify;

pub use cert::{Certificate, CertificateSummary, encode_certificates_pem};
pub use chain::{PemBundle, build_single_chain};
pub use csr::{CertificateSigningRequest, CsrOptions, csr_signature_algorithm, generate_csr, generate_csr_der};
pub use der::Oid;
pub use error::{PkiError, Result};
pub use extensions::{BasicConstraints, DecodedExtensions, Extension};
pub use key::{
    DEFAULT_RSA_KEY_SIZE, EcCurve, KeyAlgorithm, KeyEncoding, MAX_RSA_KEY_SIZE, PrivateKey,
    PrivateKeySpec,
};
pub use name_constraints::{NameConstraintItems, NameConstraints};
pub use pem::{PemBlock, decode_all as decode_pem_blocks, encode as encode_pem};
pub use public_key::PublicKey;
pub use sans::{OtherName, RawOtherName, SubjectAltNames, ip_to_string, parse_ip_addresses};
pub use sign::{
    IssuedCertificate, IssuerUrls, SigningCa, SigningCaProblem, lifetime, self_signed_issuer_is_empty,
    sign_self_signed, sign_with_ca, verify_signing_ca,
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
