//! Interim stub of the ACME account interface (the lead's real file replaces it at the
//! merge): every call answers [`AcmeError::Unavailable`].

use std::sync::Arc;

use crate::context::Context;
use crate::requests::GenericIssuer;

/// An ACME failure.
#[derive(Debug, thiserror::Error)]
pub enum AcmeError {
    /// No ACME client is available.
    #[error("ACME is unavailable")]
    Unavailable,
    /// An RFC 8555 problem document from the server (type, detail, status).
    #[error("{detail}")]
    Problem {
        /// The problem type URN.
        type_: String,
        /// Its detail.
        detail: String,
        /// The HTTP status.
        status: u16,
    },
    /// The connection failed.
    #[error("{0}")]
    Transport(String),
}

impl AcmeError {
    /// 5xx, rateLimited, badNonce, transport: worth retrying.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unavailable | Self::Transport(_) => true,
            Self::Problem { type_, status, .. } => {
                *status >= 500 || type_.ends_with(":rateLimited") || type_.ends_with(":badNonce")
            }
        }
    }
}

/// One registered account (cached per issuer).
#[derive(Debug)]
pub struct AcmeAccount {
    _private: (),
}

impl AcmeAccount {
    /// RFC 8555 §7.5.1: POST {} to the challenge URL; returns the challenge's status
    /// ("pending" | "processing" | "valid" | "invalid") and its error detail if any.
    pub async fn accept_challenge(
        &self,
        _challenge_url: &str,
    ) -> Result<(String, Option<String>), AcmeError> {
        Err(AcmeError::Unavailable)
    }

    /// POST-as-GET the authorization: its status and, when invalid, the failed
    /// challenge's error detail.
    pub async fn authorization(
        &self,
        _authz_url: &str,
    ) -> Result<(String, Option<String>), AcmeError> {
        Err(AcmeError::Unavailable)
    }

    /// The key authorization for a token (token "." thumbprint).
    pub fn key_authorization(&self, token: &str) -> String {
        format!("{token}.")
    }
}

/// Registry of accounts, one per issuer.
#[derive(Debug, Default)]
pub struct Accounts {
    _private: (),
}

impl Accounts {
    /// The account of an issuer that has `spec.acme`, registering or looking it up when
    /// needed; cached.
    pub async fn get(
        &self,
        _ctx: &Context,
        _issuer: &GenericIssuer,
    ) -> Result<Arc<AcmeAccount>, AcmeError> {
        Err(AcmeError::Unavailable)
    }
}
