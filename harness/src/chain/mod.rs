//! Chain capture and normalization: the resource chain cert-manager builds from a root
//! object, rendered as a stable YAML tree for snapshot tests.
//!
//! [`capture`] walks from a [`RootRef`] (a Certificate, an Ingress, an Issuer or a
//! ClusterIssuer) along `ownerReferences` and cert-manager's fields and annotations:
//!
//! ```text
//! Ingress ──(ingress-shim owner)──▶ Certificate ─┬─ Secret (spec.secretName)
//!                                                ├─ Secret (status.nextPrivateKeySecretName)
//!                                                └─ CertificateRequest ── Order ── Challenge
//!                                                                        └─ solver Pod/Service/Ingress
//! Issuer / ClusterIssuer ── Secret (ACME account key, or the CA's key pair)
//! ```
//!
//! and attaches to every captured object the core/v1 Events whose `involvedObject` is
//! that object. **The capture is a point in time**: Challenges, solver objects and the
//! temporary private-key Secret are short-lived, so a capture taken mid-issuance shows
//! them and one taken after issuance does not. Objects that disappear while the walk
//! runs are simply left out.
//!
//! The captured tree is then normalized (see [`normalize`] for the exact rules) so that
//! two runs of the same scenario render byte-identical YAML ([`Chain::to_yaml`]) whatever
//! the namespace, the ports, the random names and the parallelism:
//!
//! - `uid`, `resourceVersion`, `managedFields`, `selfLink` and ownerReference `uid`s are
//!   dropped, the namespace becomes `<namespace>`;
//! - timestamps become offsets `T+<go duration>` from [`CaptureOptions::start`]
//!   (`<before start>` for earlier instants);
//! - generated names, IPs, ports, ACME IDs, tokens and hashes become numbered
//!   placeholders;
//! - PEM certificates, CSRs and private keys become decoded summaries, never key
//!   material; other Secret values become `<N bytes>`;
//! - Events become an ordered timeline per object.

mod capture;
mod events;
pub mod normalize;
mod pki_summary;
mod placeholders;
mod time;
mod yaml;

use std::time::{Duration, SystemTime};

pub use capture::capture;
pub use time::{BEFORE_START, format_go_duration, format_offset};
pub use yaml::to_yaml;

/// The key of a Secret node holding the passwords of its keystores (raw trees only:
/// normalization uses and removes it).
pub(crate) const KEYSTORE_PASSWORDS: &str = "keystorePasswords";

/// The object a chain is captured from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RootRef {
    /// A `cert-manager.io/v1` Certificate.
    Certificate {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// A `networking.k8s.io/v1` Ingress: the chain holds the Certificates ingress-shim
    /// created for it (those it owns).
    Ingress {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// A namespaced `cert-manager.io/v1` Issuer.
    Issuer {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// A `cert-manager.io/v1` ClusterIssuer; its Secrets live in
    /// [`CaptureOptions::cluster_resource_namespace`].
    ClusterIssuer {
        /// Its name.
        name: String,
    },
}

impl RootRef {
    /// A Certificate root.
    pub fn certificate(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        RootRef::Certificate {
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// An Ingress root.
    pub fn ingress(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        RootRef::Ingress {
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// An Issuer root.
    pub fn issuer(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        RootRef::Issuer {
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// A ClusterIssuer root.
    pub fn cluster_issuer(name: impl Into<String>) -> Self {
        RootRef::ClusterIssuer { name: name.into() }
    }

    /// A root from a kind as scenarios spell it (`Certificate`, `Ingress`, `Issuer`,
    /// `ClusterIssuer`, case-insensitive), a namespace (ignored for ClusterIssuers) and a
    /// name.
    pub fn from_kind(kind: &str, namespace: &str, name: &str) -> Result<Self, ChainError> {
        match kind.to_ascii_lowercase().as_str() {
            "certificate" | "certificates" | "cert" => Ok(Self::certificate(namespace, name)),
            "ingress" | "ingresses" => Ok(Self::ingress(namespace, name)),
            "issuer" | "issuers" => Ok(Self::issuer(namespace, name)),
            "clusterissuer" | "clusterissuers" => Ok(Self::cluster_issuer(name)),
            _ => Err(ChainError::UnsupportedRoot(kind.to_string())),
        }
    }

    /// The kind.
    pub fn kind(&self) -> &'static str {
        match self {
            RootRef::Certificate { .. } => "Certificate",
            RootRef::Ingress { .. } => "Ingress",
            RootRef::Issuer { .. } => "Issuer",
            RootRef::ClusterIssuer { .. } => "ClusterIssuer",
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        match self {
            RootRef::Certificate { name, .. }
            | RootRef::Ingress { name, .. }
            | RootRef::Issuer { name, .. }
            | RootRef::ClusterIssuer { name } => name,
        }
    }

    /// The namespace (`None` for a ClusterIssuer).
    pub fn namespace(&self) -> Option<&str> {
        match self {
            RootRef::Certificate { namespace, .. }
            | RootRef::Ingress { namespace, .. }
            | RootRef::Issuer { namespace, .. } => Some(namespace),
            RootRef::ClusterIssuer { .. } => None,
        }
    }
}

impl std::fmt::Display for RootRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.namespace() {
            Some(ns) => write!(f, "{}/{ns}/{}", self.kind(), self.name()),
            None => write!(f, "{}/{}", self.kind(), self.name()),
        }
    }
}

/// How a chain is captured and normalized.
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// The scenario's start on the virtual clock: timestamps become offsets from it.
    pub start: SystemTime,
    /// PEM trust roots (each entry may hold several certificates). When given, every
    /// certificate summary says `verifiesTo: <root CN>` or `verifies: false`.
    pub trust_roots: Vec<String>,
    /// Jitter absorbed by timestamp offsets: an offset within this distance of a whole
    /// minute is rounded to that minute (so `T+0.4s`, `T+3s` and `T+2160h0m7s` become
    /// `T+0s` and `T+2160h0m0s`); other offsets are rounded to the second. Default 10 s.
    pub jitter: Duration,
    /// Whether Events are captured (default true).
    pub events: bool,
    /// Event reasons left out of timelines because whether (and how often) they are
    /// emitted depends on timing, not on the scenario. Default: `OrderPending`, which the
    /// ACME request controller emits on every sync that finds the Order not yet final
    /// (as cert-manager does), zero to several times per issuance.
    pub skip_event_reasons: Vec<String>,
    /// Where a ClusterIssuer's Secrets live (cert-manager's
    /// `--cluster-resource-namespace`; default the lab's `kube-system`).
    pub cluster_resource_namespace: String,
}

impl CaptureOptions {
    /// Options with offsets from `start` and the defaults otherwise.
    pub fn new(start: SystemTime) -> Self {
        Self {
            start,
            ..Self::default()
        }
    }

    /// Adds PEM trust roots.
    pub fn trust_roots<I, S>(mut self, roots: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.trust_roots.extend(roots.into_iter().map(Into::into));
        self
    }
}

impl Default for CaptureOptions {
    /// Offsets from the Unix epoch (set [`CaptureOptions::start`] for real use).
    fn default() -> Self {
        Self {
            start: SystemTime::UNIX_EPOCH,
            trust_roots: Vec::new(),
            jitter: Duration::from_secs(10),
            events: true,
            skip_event_reasons: vec!["OrderPending".to_string()],
            cluster_resource_namespace: crate::lab::RESOURCE_NAMESPACE.to_string(),
        }
    }
}

/// Why a chain could not be captured.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The root object does not exist.
    #[error("{0} not found")]
    RootNotFound(String),
    /// The root kind is not one a chain starts from.
    #[error("a chain cannot start from a {0} (use Certificate, Ingress, Issuer or ClusterIssuer)")]
    UnsupportedRoot(String),
    /// The API server refused a read.
    #[error("reading {what}: {source}")]
    Api {
        /// What was being read.
        what: String,
        /// The client's error.
        source: kube::Error,
    },
    /// An object could not be represented as JSON.
    #[error("encoding {what}: {source}")]
    Encode {
        /// What was being encoded.
        what: String,
        /// Why.
        source: serde_json::Error,
    },
}

/// A captured, normalized chain.
#[derive(Debug, Clone)]
pub struct Chain {
    root: RootRef,
    raw: serde_json::Value,
    tree: serde_json::Value,
}

impl Chain {
    /// Normalizes a raw tree as [`capture`] builds it (exposed for tests and tools that
    /// build trees themselves).
    pub fn from_raw(root: RootRef, raw: serde_json::Value, opts: &CaptureOptions) -> Self {
        let tree = normalize::normalize(&raw, root.namespace(), opts);
        Self { root, raw, tree }
    }

    /// The root the chain was captured from.
    pub fn root(&self) -> &RootRef {
        &self.root
    }

    /// The captured objects as the API server returned them, before normalization
    /// (same tree shape; Events as core/v1 Events).
    pub fn raw(&self) -> &serde_json::Value {
        &self.raw
    }

    /// The normalized tree.
    pub fn tree(&self) -> &serde_json::Value {
        &self.tree
    }

    /// The normalized tree as YAML: map keys sorted, two-space indentation, strings
    /// quoted only when YAML would read them as something else. Stable byte for byte.
    pub fn to_yaml(&self) -> String {
        yaml::to_yaml(&self.tree)
    }
}
