//! What every reconciler gets: the client, the clock, settings, event recorders,
//! metrics and the shared caches.

use std::collections::HashMap;
use std::sync::Arc;

use certlab_clock::SharedClock;
use k8s_openapi::api::core::v1::Secret;
use kube::api::PartialObjectMeta;
use kube::runtime::reflector::Store;

use crate::api::certificate::Certificate;
use crate::api::certificate_request::CertificateRequest;
use crate::config::Config;
use crate::events::Recorder;
use crate::index::Indexes;
use crate::metrics::Metrics;

/// The component names cert-manager reports events as (`kubectl describe`'s FROM).
pub mod components {
    /// Trigger.
    pub const TRIGGER: &str = "cert-manager-certificates-trigger";
    /// Key manager.
    pub const KEY_MANAGER: &str = "cert-manager-certificates-key-manager";
    /// Request manager.
    pub const REQUEST_MANAGER: &str = "cert-manager-certificates-request-manager";
    /// Issuing.
    pub const ISSUING: &str = "cert-manager-certificates-issuing";
    /// Readiness.
    pub const READINESS: &str = "cert-manager-certificates-readiness";
    /// Revision manager.
    pub const REVISION_MANAGER: &str = "cert-manager-certificates-revision-manager";
    /// Approver.
    pub const APPROVER: &str = "cert-manager-certificaterequests-approver";
    /// SelfSigned CertificateRequest issuer.
    pub const ISSUER_SELFSIGNED: &str = "cert-manager-certificaterequests-issuer-selfsigned";
    /// CA CertificateRequest issuer.
    pub const ISSUER_CA: &str = "cert-manager-certificaterequests-issuer-ca";
    /// ACME CertificateRequest issuer.
    pub const ISSUER_ACME: &str = "cert-manager-certificaterequests-issuer-acme";
    /// Issuers.
    pub const ISSUERS: &str = "cert-manager-issuers";
    /// ClusterIssuers.
    pub const CLUSTER_ISSUERS: &str = "cert-manager-clusterissuers";
    /// Orders.
    pub const ORDERS: &str = "cert-manager-orders";
    /// Challenges.
    pub const CHALLENGES: &str = "cert-manager-challenges";
    /// ingress-shim.
    pub const INGRESS_SHIM: &str = "cert-manager-ingress-shim";
}

/// The watch caches a [`Context`] reads, and their indexes.
pub struct Caches {
    /// Certificates.
    pub certificates: Store<Certificate>,
    /// CertificateRequests.
    pub requests: Store<CertificateRequest>,
    /// Secret metadata.
    pub secrets: Store<PartialObjectMeta<Secret>>,
    /// Secondary indexes over them.
    pub indexes: Arc<Indexes>,
}

/// Shared by every reconcile.
pub struct Context {
    /// The API client.
    pub client: kube::Client,
    /// All time.
    pub clock: SharedClock,
    /// Settings.
    pub config: Config,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Cached Certificates.
    pub certificates: Store<Certificate>,
    /// Cached CertificateRequests (for lookups by owner).
    pub requests: Store<CertificateRequest>,
    /// Cached Secret metadata (for lookups by label and owner; data is read with GET).
    pub secrets: Store<PartialObjectMeta<Secret>>,
    /// Secondary indexes over the caches.
    pub indexes: Arc<Indexes>,
    /// Registered ACME accounts, one per ACME issuer.
    pub acme_accounts: Arc<crate::acme::account::Accounts>,
    /// Per-object backoff after transient ACME failures.
    pub acme_backoff: crate::acme::backoff::Backoff,
    recorders: HashMap<&'static str, Recorder>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// A context.
    pub fn new(
        client: kube::Client,
        clock: SharedClock,
        config: Config,
        metrics: Arc<Metrics>,
        caches: Caches,
    ) -> Self {
        let Caches {
            certificates,
            requests,
            secrets,
            indexes,
        } = caches;
        use components::*;
        let recorders = [
            TRIGGER,
            KEY_MANAGER,
            REQUEST_MANAGER,
            ISSUING,
            READINESS,
            REVISION_MANAGER,
            APPROVER,
            ISSUER_SELFSIGNED,
            ISSUER_CA,
            ISSUER_ACME,
            ISSUERS,
            CLUSTER_ISSUERS,
            ORDERS,
            CHALLENGES,
            INGRESS_SHIM,
        ]
        .into_iter()
        .map(|name| {
            (
                name,
                Recorder::new(client.clone(), name, &config.instance, clock.clone()),
            )
        })
        .collect();
        Self {
            client,
            clock,
            config,
            metrics,
            certificates,
            requests,
            secrets,
            indexes,
            acme_accounts: Arc::default(),
            acme_backoff: Default::default(),
            recorders,
        }
    }

    /// The event recorder of a component (see [`components`]).
    pub fn recorder(&self, component: &'static str) -> &Recorder {
        // Every component is registered in `new`; fall back to the trigger's recorder
        // rather than panic if a caller passes something else.
        self.recorders
            .get(component)
            .or_else(|| self.recorders.get(components::TRIGGER))
            .unwrap_or_else(|| unreachable!("recorders are built for every component"))
    }

    /// Now, as a `metav1.Time`.
    pub fn now_time(&self) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
        to_time(self.clock.now())
    }
}

/// A `SystemTime` as `metav1.Time` (second precision, as the API stores it).
pub fn to_time(t: std::time::SystemTime) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
    let secs = t
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let ts = jiff::Timestamp::from_second(i64::try_from(secs).unwrap_or(0))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(ts)
}

/// A `metav1.Time` as `SystemTime`.
pub fn from_time(
    t: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
) -> std::time::SystemTime {
    std::time::SystemTime::from(t.0)
}
