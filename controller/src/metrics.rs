//! Prometheus metrics with cert-manager's names (`certmanager_*`).
//!
//! prometheus-client speaks OpenMetrics, where counters must end in `_total`;
//! cert-manager's `certmanager_controller_sync_call_count` has no suffix, so it is kept
//! as a gauge that only goes up, under its exact name.

use std::sync::Mutex;
use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::api::certificate::Certificate;
use crate::api::conditions::get_condition;
use crate::api::meta::ConditionStatus;
use crate::context::from_time;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CertificateLabels {
    name: String,
    namespace: String,
    issuer_name: String,
    issuer_kind: String,
    issuer_group: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReadyLabels {
    name: String,
    namespace: String,
    condition: String,
    issuer_name: String,
    issuer_kind: String,
    issuer_group: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ControllerLabels {
    controller: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IssuerLabels {
    name: String,
    namespace: String,
    condition: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClusterIssuerLabels {
    name: String,
    condition: String,
}

type IntGauge = Gauge<i64, AtomicI64>;

/// The controller's metrics.
pub struct Metrics {
    registry: Mutex<Registry>,
    ready: Family<ReadyLabels, IntGauge>,
    expiration: Family<CertificateLabels, IntGauge>,
    not_after: Family<CertificateLabels, IntGauge>,
    not_before: Family<CertificateLabels, IntGauge>,
    renewal: Family<CertificateLabels, IntGauge>,
    sync_calls: Family<ControllerLabels, IntGauge>,
    sync_errors: Family<ControllerLabels, IntGauge>,
    issuer_ready: Family<IssuerLabels, IntGauge>,
    cluster_issuer_ready: Family<ClusterIssuerLabels, IntGauge>,
    clock: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

const CONDITIONS: [ConditionStatus; 3] = [
    ConditionStatus::True,
    ConditionStatus::False,
    ConditionStatus::Unknown,
];

impl Metrics {
    /// A registry with every metric registered.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let m = Self {
            registry: Mutex::new(Registry::default()),
            ready: Family::default(),
            expiration: Family::default(),
            not_after: Family::default(),
            not_before: Family::default(),
            renewal: Family::default(),
            sync_calls: Family::default(),
            sync_errors: Family::default(),
            issuer_ready: Family::default(),
            cluster_issuer_ready: Family::default(),
            clock: IntGauge::default(),
        };
        registry.register(
            "certmanager_certificate_ready_status",
            "The ready status of the certificate.",
            m.ready.clone(),
        );
        registry.register(
            "certmanager_certificate_expiration_timestamp_seconds",
            "The date after which the certificate expires. Expressed as a Unix Epoch Time.",
            m.expiration.clone(),
        );
        registry.register(
            "certmanager_certificate_not_after_timestamp_seconds",
            "The timestamp after which the certificate is invalid, expressed as a Unix Epoch Time.",
            m.not_after.clone(),
        );
        registry.register(
            "certmanager_certificate_not_before_timestamp_seconds",
            "The timestamp before which the certificate is invalid, expressed as a Unix Epoch Time.",
            m.not_before.clone(),
        );
        registry.register(
            "certmanager_certificate_renewal_timestamp_seconds",
            "The number of seconds before expiration time the certificate should renew.",
            m.renewal.clone(),
        );
        registry.register(
            "certmanager_controller_sync_call_count",
            "The number of sync() calls made by a controller.",
            m.sync_calls.clone(),
        );
        registry.register(
            "certmanager_controller_sync_error_count",
            "The number of errors encountered during controller sync().",
            m.sync_errors.clone(),
        );
        registry.register(
            "certmanager_issuer_ready_status",
            "The ready status of the issuer.",
            m.issuer_ready.clone(),
        );
        registry.register(
            "certmanager_clusterissuer_ready_status",
            "The ready status of the cluster issuer.",
            m.cluster_issuer_ready.clone(),
        );
        registry.register(
            "certmanager_clock_time_seconds",
            "The clock time given in seconds (from 1970/01/01 UTC).",
            m.clock.clone(),
        );
        *m.registry.lock().unwrap_or_else(|e| e.into_inner()) = registry;
        m
    }

    /// Counts a sync call of `controller`.
    pub fn sync(&self, controller: &str) {
        self.sync_calls
            .get_or_create(&ControllerLabels {
                controller: controller.to_string(),
            })
            .inc();
    }

    /// Counts a failed sync of `controller`.
    pub fn sync_error(&self, controller: &str) {
        self.sync_errors
            .get_or_create(&ControllerLabels {
                controller: controller.to_string(),
            })
            .inc();
    }

    fn labels(cert: &Certificate) -> CertificateLabels {
        let r = cert.spec.issuer_ref.with_defaults();
        CertificateLabels {
            name: cert.metadata.name.clone().unwrap_or_default(),
            namespace: cert.metadata.namespace.clone().unwrap_or_default(),
            issuer_name: r.name.clone(),
            issuer_kind: r.kind.clone().unwrap_or_default(),
            issuer_group: r.group.clone().unwrap_or_default(),
        }
    }

    /// Records a Certificate's readiness and timestamps.
    pub fn observe_certificate(&self, cert: &Certificate) {
        let l = Self::labels(cert);
        let status = cert.status.clone().unwrap_or_default();
        let ready = get_condition(status.conditions(), "Ready")
            .map(|c| c.status)
            .unwrap_or(ConditionStatus::Unknown);
        for condition in CONDITIONS {
            let rl = ReadyLabels {
                name: l.name.clone(),
                namespace: l.namespace.clone(),
                condition: condition.as_str().to_string(),
                issuer_name: l.issuer_name.clone(),
                issuer_kind: l.issuer_kind.clone(),
                issuer_group: l.issuer_group.clone(),
            };
            self.ready
                .get_or_create(&rl)
                .set(i64::from(condition == ready));
        }
        let secs = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
            t.map(|t| {
                from_time(t)
                    .duration_since(std::time::SystemTime::UNIX_EPOCH)
                    .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
                    .unwrap_or(0)
            })
            .unwrap_or(0)
        };
        self.expiration
            .get_or_create(&l)
            .set(secs(status.not_after.as_ref()));
        self.not_after
            .get_or_create(&l)
            .set(secs(status.not_after.as_ref()));
        self.not_before
            .get_or_create(&l)
            .set(secs(status.not_before.as_ref()));
        self.renewal
            .get_or_create(&l)
            .set(secs(status.renewal_time.as_ref()));
    }

    /// Forgets a deleted Certificate.
    pub fn forget_certificate(&self, cert: &Certificate) {
        let l = Self::labels(cert);
        for condition in CONDITIONS {
            self.ready.remove(&ReadyLabels {
                name: l.name.clone(),
                namespace: l.namespace.clone(),
                condition: condition.as_str().to_string(),
                issuer_name: l.issuer_name.clone(),
                issuer_kind: l.issuer_kind.clone(),
                issuer_group: l.issuer_group.clone(),
            });
        }
        for f in [
            &self.expiration,
            &self.not_after,
            &self.not_before,
            &self.renewal,
        ] {
            f.remove(&l);
        }
    }

    /// Records an Issuer's (`namespace` set) or ClusterIssuer's readiness.
    pub fn observe_issuer(&self, namespace: Option<&str>, name: &str, ready: ConditionStatus) {
        for condition in CONDITIONS {
            let value = i64::from(condition == ready);
            match namespace {
                Some(ns) => self
                    .issuer_ready
                    .get_or_create(&IssuerLabels {
                        name: name.to_string(),
                        namespace: ns.to_string(),
                        condition: condition.as_str().to_string(),
                    })
                    .set(value),
                None => self
                    .cluster_issuer_ready
                    .get_or_create(&ClusterIssuerLabels {
                        name: name.to_string(),
                        condition: condition.as_str().to_string(),
                    })
                    .set(value),
            };
        }
    }

    /// The Prometheus text exposition, with `certmanager_clock_time_seconds` set to `now`.
    pub fn render(&self, now: std::time::SystemTime) -> String {
        let secs = now
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.clock.set(i64::try_from(secs).unwrap_or(0));
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        if encode(&mut out, &registry).is_err() {
            out.clear();
        }
        out
    }
}
