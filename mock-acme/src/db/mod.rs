//! The in-memory store: accounts, orders, authorizations, challenges and certificates.
//!
//! One [`Db`] lives behind a mutex in the server state; every method here is plain,
//! synchronous data manipulation. Status transitions driven by time (expiry) are
//! applied lazily through [`Db::refresh_order`] / [`Db::refresh_authz`].

use std::collections::HashMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::key::PublicKey;
use crate::wfe::problem::Problem;

/// An ACME identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub struct Identifier {
    /// `dns` or `ip`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The name or address.
    pub value: String,
}

impl Identifier {
    /// A `dns` identifier.
    pub fn dns(value: impl Into<String>) -> Self {
        Self {
            kind: "dns".into(),
            value: value.into(),
        }
    }

    /// An `ip` identifier.
    pub fn ip(value: impl Into<String>) -> Self {
        Self {
            kind: "ip".into(),
            value: value.into(),
        }
    }
}

/// Account status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// valid
    Valid,
    /// deactivated
    Deactivated,
}

/// An ACME account.
#[derive(Debug, Clone)]
pub struct Account {
    /// The account ID (last path segment of its URL).
    pub id: String,
    /// The account key.
    pub key: PublicKey,
    /// `contact` URLs.
    pub contact: Vec<String>,
    /// Status.
    pub status: AccountStatus,
    /// The EAB key ID it was bound with, if any.
    pub eab_kid: Option<String>,
    /// When it was created.
    pub created_at: SystemTime,
}

/// Status shared by orders, authorizations and challenges (RFC 8555 section 7.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// pending
    Pending,
    /// ready (orders)
    Ready,
    /// processing
    Processing,
    /// valid
    Valid,
    /// invalid
    Invalid,
    /// expired (authorizations)
    Expired,
    /// deactivated (authorizations)
    Deactivated,
    /// revoked (authorizations)
    Revoked,
}

impl Status {
    /// The RFC 8555 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Ready => "ready",
            Status::Processing => "processing",
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Expired => "expired",
            Status::Deactivated => "deactivated",
            Status::Revoked => "revoked",
        }
    }
}

/// An order.
#[derive(Debug, Clone)]
pub struct Order {
    /// ID.
    pub id: String,
    /// Owning account ID.
    pub account: String,
    /// Stored status (see [`Db::refresh_order`]).
    pub status: Status,
    /// Expiry.
    pub expires: SystemTime,
    /// Identifiers as requested (normalised).
    pub identifiers: Vec<Identifier>,
    /// Requested notBefore.
    pub not_before: Option<SystemTime>,
    /// Requested notAfter.
    pub not_after: Option<SystemTime>,
    /// The profile name in effect.
    pub profile: String,
    /// Authorization IDs.
    pub authzs: Vec<String>,
    /// Error, when invalid.
    pub error: Option<Problem>,
    /// Serial (hex) of the issued certificate.
    pub certificate: Option<String>,
    /// ARI `replaces` value, as sent.
    pub replaces: Option<String>,
    /// Serial (hex) of the certificate this order replaces.
    pub replaces_serial: Option<String>,
}

/// An authorization.
#[derive(Debug, Clone)]
pub struct Authz {
    /// ID.
    pub id: String,
    /// Owning account ID.
    pub account: String,
    /// The identifier (wildcard prefix removed).
    pub identifier: Identifier,
    /// Whether the order asked for the wildcard.
    pub wildcard: bool,
    /// Stored status.
    pub status: Status,
    /// Expiry.
    pub expires: SystemTime,
    /// Challenge IDs.
    pub challenges: Vec<String>,
}

/// A challenge.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// ID.
    pub id: String,
    /// Owning authorization ID.
    pub authz: String,
    /// `http-01`, `dns-01` or `tls-alpn-01`.
    pub kind: String,
    /// The token.
    pub token: String,
    /// Status.
    pub status: Status,
    /// When it was validated.
    pub validated: Option<SystemTime>,
    /// Error, when invalid.
    pub error: Option<Problem>,
}

/// Revocation details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// RFC 5280 reason code.
    pub reason: u8,
    /// When.
    pub at: SystemTime,
}

/// An issued certificate.
#[derive(Debug, Clone)]
pub struct CertRecord {
    /// Serial, lowercase hex (no leading zero bytes).
    pub serial: String,
    /// Serial bytes as encoded in the certificate.
    pub serial_bytes: Vec<u8>,
    /// The leaf, DER.
    pub der: Vec<u8>,
    /// The issuing account ID.
    pub account: String,
    /// The order ID.
    pub order: String,
    /// DNS names and IPs (as identifiers).
    pub identifiers: Vec<Identifier>,
    /// The subject key.
    pub key: PublicKey,
    /// notBefore.
    pub not_before: SystemTime,
    /// notAfter.
    pub not_after: SystemTime,
    /// Revocation, if revoked.
    pub revoked: Option<Revocation>,
    /// A raw ARI response overriding the computed window.
    pub ari_override: Option<String>,
    /// ID of the order that declared `replaces` for this certificate.
    pub replaced_by: Option<String>,
}

/// The store.
#[derive(Debug, Default)]
pub struct Db {
    /// Accounts by ID.
    pub accounts: HashMap<String, Account>,
    /// Account ID by key thumbprint.
    pub accounts_by_key: HashMap<String, String>,
    /// Orders by ID.
    pub orders: HashMap<String, Order>,
    /// Authorizations by ID.
    pub authzs: HashMap<String, Authz>,
    /// Challenges by ID.
    pub challenges: HashMap<String, Challenge>,
    /// Certificates by serial (hex).
    pub certs: HashMap<String, CertRecord>,
    /// Counter for CRL numbers.
    pub crl_number: u64,
    /// Order IDs by account, oldest first.
    pub account_orders: HashMap<String, Vec<String>>,
    /// Authorization IDs by (account, identifier without wildcard prefix).
    pub authzs_by_identifier: HashMap<(String, Identifier), Vec<String>>,
}

/// A random ID: 16 bytes of base64url, as opaque and unguessable as Pebble's.
pub fn new_id() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = [0u8; 12];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

impl Db {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies time-driven transitions to an authorization and returns its status.
    pub fn refresh_authz(&mut self, id: &str, now: SystemTime) -> Option<Status> {
        let authz = self.authzs.get_mut(id)?;
        if matches!(authz.status, Status::Pending | Status::Valid) && now >= authz.expires {
            authz.status = Status::Expired;
        }
        Some(authz.status)
    }

    /// Applies expiry and authorization results to an order and returns its status.
    pub fn refresh_order(&mut self, id: &str, now: SystemTime) -> Option<Status> {
        let authz_ids = self.orders.get(id)?.authzs.clone();
        let mut statuses = Vec::with_capacity(authz_ids.len());
        for a in &authz_ids {
            statuses.push(self.refresh_authz(a, now).unwrap_or(Status::Invalid));
        }
        let order = self.orders.get_mut(id)?;
        match order.status {
            Status::Pending => {
                if now >= order.expires {
                    order.status = Status::Invalid;
                    order.error = Some(Problem::malformed("order expired"));
                } else if statuses
                    .iter()
                    .any(|s| !matches!(s, Status::Pending | Status::Valid))
                {
                    order.status = Status::Invalid;
                    order.error = Some(Problem::unauthorized(
                        "an authorization of this order is no longer usable",
                    ));
                } else if statuses.iter().all(|s| *s == Status::Valid) {
                    order.status = Status::Ready;
                }
            }
            Status::Ready if now >= order.expires => {
                order.status = Status::Invalid;
                order.error = Some(Problem::malformed("order expired"));
            }
            _ => {}
        }
        Some(order.status)
    }

    /// Stores an authorization and indexes it by account and identifier.
    pub fn insert_authz(&mut self, authz: Authz) {
        self.authzs_by_identifier
            .entry((authz.account.clone(), authz.identifier.clone()))
            .or_default()
            .push(authz.id.clone());
        self.authzs.insert(authz.id.clone(), authz);
    }

    /// IDs of an account's authorizations for an identifier (wildcard prefix removed).
    pub fn authz_ids_for(&self, account: &str, identifier: &Identifier) -> Vec<String> {
        self.authzs_by_identifier
            .get(&(account.to_string(), identifier.clone()))
            .cloned()
            .unwrap_or_default()
    }

    /// The account owning a key thumbprint.
    pub fn account_by_thumbprint(&self, thumbprint: &str) -> Option<&Account> {
        self.accounts_by_key
            .get(thumbprint)
            .and_then(|id| self.accounts.get(id))
    }
}
