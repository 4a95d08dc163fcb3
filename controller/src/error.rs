//! The controller's error type: what makes a reconcile fail and be retried.

/// A reconcile failure. Every variant is retried with backoff by the runtime.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API server refused or failed a request.
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// A PKI operation failed in a way worth retrying.
    #[error("PKI: {0}")]
    Pki(#[from] crate::pki::PkiError),
    /// An object could not be encoded.
    #[error("encoding: {0}")]
    Encode(#[from] serde_json::Error),
    /// Anything else, with context.
    #[error("{0}")]
    Other(String),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Whether a kube error is a 404.
pub fn is_not_found(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404)
}

/// Whether a kube error is a 409 (conflict or already exists).
pub fn is_conflict(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 409)
}
