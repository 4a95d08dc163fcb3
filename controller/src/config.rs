//! Controller settings, named after cert-manager's flags.

use std::time::Duration;

/// What the controllers run with.
#[derive(Debug, Clone)]
pub struct Config {
    /// `--cluster-resource-namespace`: where ClusterIssuers' Secrets live.
    pub cluster_resource_namespace: String,
    /// `--copied-annotation-prefixes` exclusions: annotations not copied from a
    /// Certificate to its CertificateRequests.
    pub excluded_annotation_prefixes: Vec<String>,
    /// `--certificate-request-minimum-backoff-duration` (1h).
    pub minimum_backoff: Duration,
    /// `--certificate-request-maximum-backoff-duration` (32h).
    pub maximum_backoff: Duration,
    /// `--enable-certificate-owner-ref`: the output Secret gets an ownerReference to
    /// its Certificate.
    pub certificate_owner_ref: bool,
    /// How many objects each controller reconciles at once.
    pub concurrency: u16,
    /// Run the internal approver (`certificaterequests-approver`); off when an external
    /// approver decides.
    pub approve_requests: bool,
    /// The `reportingInstance` of events.
    pub instance: String,
    /// ingress-shim's flags (`--auto-certificate-annotations`, `--default-issuer-*`, …).
    pub shim: crate::shim::ShimConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            cluster_resource_namespace: "kube-system".to_string(),
            excluded_annotation_prefixes: crate::api::constants::annotations::NOT_COPIED_PREFIXES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            minimum_backoff: Duration::from_secs(3600),
            maximum_backoff: Duration::from_secs(32 * 3600),
            certificate_owner_ref: false,
            concurrency: 16,
            approve_requests: true,
            instance: format!(
                "certlab-controller-{}",
                std::env::var("HOSTNAME").unwrap_or_else(|_| "local".to_string())
            ),
            shim: crate::shim::ShimConfig::default(),
        }
    }
}
