//! RFC 7807 problem documents with ACME error types (RFC 8555 section 6.7).

use serde::Serialize;

use crate::db::Identifier;

/// The ACME error types (`urn:ietf:params:acme:error:<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    /// accountDoesNotExist
    AccountDoesNotExist,
    /// alreadyReplaced
    AlreadyReplaced,
    /// alreadyRevoked
    AlreadyRevoked,
    /// badCSR
    BadCsr,
    /// badNonce
    BadNonce,
    /// badPublicKey
    BadPublicKey,
    /// badRevocationReason
    BadRevocationReason,
    /// badSignatureAlgorithm
    BadSignatureAlgorithm,
    /// caa
    Caa,
    /// compound
    Compound,
    /// connection
    Connection,
    /// dns
    Dns,
    /// externalAccountRequired
    ExternalAccountRequired,
    /// incorrectResponse
    IncorrectResponse,
    /// invalidContact
    InvalidContact,
    /// invalidProfile
    InvalidProfile,
    /// malformed
    Malformed,
    /// orderNotReady
    OrderNotReady,
    /// rateLimited
    RateLimited,
    /// rejectedIdentifier
    RejectedIdentifier,
    /// serverInternal
    ServerInternal,
    /// tls
    Tls,
    /// unauthorized
    Unauthorized,
    /// unsupportedContact
    UnsupportedContact,
    /// unsupportedIdentifier
    UnsupportedIdentifier,
    /// userActionRequired
    UserActionRequired,
}

impl ProblemType {
    /// The short name after `urn:ietf:params:acme:error:`.
    pub fn name(self) -> &'static str {
        use ProblemType::*;
        match self {
            AccountDoesNotExist => "accountDoesNotExist",
            AlreadyReplaced => "alreadyReplaced",
            AlreadyRevoked => "alreadyRevoked",
            BadCsr => "badCSR",
            BadNonce => "badNonce",
            BadPublicKey => "badPublicKey",
            BadRevocationReason => "badRevocationReason",
            BadSignatureAlgorithm => "badSignatureAlgorithm",
            Caa => "caa",
            Compound => "compound",
            Connection => "connection",
            Dns => "dns",
            ExternalAccountRequired => "externalAccountRequired",
            IncorrectResponse => "incorrectResponse",
            InvalidContact => "invalidContact",
            InvalidProfile => "invalidProfile",
            Malformed => "malformed",
            OrderNotReady => "orderNotReady",
            RateLimited => "rateLimited",
            RejectedIdentifier => "rejectedIdentifier",
            ServerInternal => "serverInternal",
            Tls => "tls",
            Unauthorized => "unauthorized",
            UnsupportedContact => "unsupportedContact",
            UnsupportedIdentifier => "unsupportedIdentifier",
            UserActionRequired => "userActionRequired",
        }
    }

    /// The full URN.
    pub fn urn(self) -> String {
        format!("urn:ietf:params:acme:error:{}", self.name())
    }

    /// The HTTP status Pebble (and Boulder) use for this type by default.
    pub fn default_status(self) -> u16 {
        use ProblemType::*;
        match self {
            ServerInternal => 500,
            Unauthorized | UserActionRequired | ExternalAccountRequired | OrderNotReady | Caa => {
                403
            }
            AlreadyReplaced => 409,
            RateLimited => 429,
            _ => 400,
        }
    }
}

/// A per-identifier subproblem (RFC 8555 section 6.7.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subproblem {
    /// The error type URN.
    #[serde(rename = "type")]
    pub kind: String,
    /// Human-readable detail.
    pub detail: String,
    /// The identifier this subproblem is about.
    pub identifier: Identifier,
}

/// An ACME problem document plus the HTTP details that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The error type.
    pub kind: ProblemType,
    /// Human-readable detail.
    pub detail: String,
    /// The HTTP status.
    pub status: u16,
    /// Per-identifier subproblems.
    pub subproblems: Vec<Subproblem>,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
    /// Extra `Link` header values (e.g. `terms-of-service`).
    pub links: Vec<String>,
    /// A `Location` header (e.g. for a key conflict).
    pub location: Option<String>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.kind.name(), self.status, self.detail)
    }
}

impl std::error::Error for Problem {}

impl Problem {
    /// A problem with the type's default status.
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            status: kind.default_status(),
            subproblems: Vec::new(),
            retry_after: None,
            links: Vec::new(),
            location: None,
        }
    }

    /// Overrides the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Adds a `Retry-After` in seconds.
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// Adds subproblems.
    pub fn with_subproblems(mut self, subs: Vec<Subproblem>) -> Self {
        self.subproblems = subs;
        self
    }

    /// `malformed`, 400.
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Malformed, detail)
    }

    /// `malformed`, 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::malformed(detail).with_status(404)
    }

    /// `malformed`, 405.
    pub fn method_not_allowed() -> Self {
        Self::malformed("Method not allowed").with_status(405)
    }

    /// `serverInternal`, 500.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::ServerInternal, detail)
    }

    /// `unauthorized`, 403.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Unauthorized, detail)
    }

    /// `badNonce`, 400.
    pub fn bad_nonce(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::BadNonce, detail)
    }

    /// `badCSR`, 400.
    pub fn bad_csr(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::BadCsr, detail)
    }

    /// The JSON body.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "type": self.kind.urn(),
            "detail": self.detail,
            "status": self.status,
        });
        if !self.subproblems.is_empty()
            && let Some(obj) = v.as_object_mut()
        {
            obj.insert(
                "subproblems".into(),
                serde_json::to_value(&self.subproblems).unwrap_or_default(),
            );
        }
        v
    }

    /// The JSON body as stored in an authorization's challenge `error`.
    pub fn to_embedded_json(&self) -> serde_json::Value {
        self.to_json()
    }
}
