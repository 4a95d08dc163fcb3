//! The one error type of the PKI room.
//!
//! Messages follow the wording of cert-manager's Go errors where the controller
//! surfaces them in conditions and events (for example "error decoding private key PEM
//! block: …" or "certificate chain is malformed or broken").

/// Everything that can go wrong in `pki`. Each variant carries a human readable message;
/// the variant says which stage failed so callers can map it to a condition reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    /// PEM framing: no block, wrong block type, data over the size limit.
    #[error("{0}")]
    Pem(String),
    /// A private or public key could not be generated, parsed or used.
    #[error("{0}")]
    Key(String),
    /// An X.509 certificate could not be parsed.
    #[error("{0}")]
    Certificate(String),
    /// A certificate signing request could not be parsed or is inconsistent with the
    /// request around it (usages, isCA).
    #[error("{0}")]
    Csr(String),
    /// The requested certificate template is invalid (bad IP address, OID, subject,
    /// usage, CIDR, no name at all, …).
    #[error("{0}")]
    Template(String),
    /// A signature did not verify.
    #[error("{0}")]
    Signature(String),
    /// Signing a certificate or request failed.
    #[error("{0}")]
    Signing(String),
    /// A certificate chain could not be assembled.
    #[error("{0}")]
    Chain(String),
    /// A PKCS#12 or JKS keystore could not be written or read.
    #[error("{0}")]
    Keystore(String),
    /// Malformed DER inside a structure.
    #[error("{0}")]
    Der(String),
}

impl PkiError {
    /// Whether cert-manager would classify this as "invalid data": input stored in a
    /// Secret or request that will never parse, as opposed to a transient failure.
    /// Issuers report such errors as `Pending` with an `…InvalidData` reason.
    pub fn is_invalid_data(&self) -> bool {
        matches!(
            self,
            PkiError::Pem(_)
                | PkiError::Key(_)
                | PkiError::Certificate(_)
                | PkiError::Chain(_)
                | PkiError::Der(_)
        )
    }
}

/// Result alias for the PKI room.
pub type Result<T> = std::result::Result<T, PkiError>;
