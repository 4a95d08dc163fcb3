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
    /// `--max-concurrent-challenges`: how many Challenges are processed at once (60).
    pub max_concurrent_challenges: usize,
    /// `--acme-http01-solver-image`: the image of HTTP-01 solver Pods.
    pub acme_http01_solver_image: String,
    /// `--acme-http01-solver-nameservers`: DNS servers the HTTP-01 self-check resolves
    /// through (empty: the system resolver).
    pub acme_http01_solver_nameservers: Vec<std::net::SocketAddr>,
    /// The port the HTTP-01 self-check connects to (80; the lab's ingress edge port).
    pub http01_self_check_port: u16,
    /// How many consecutive successful GETs the HTTP-01 self-check needs (cert-manager: 5).
    pub http01_self_check_passes: u32,
    /// The pause between those GETs (cert-manager: 2s; the lab: 0).
    pub http01_self_check_interval: Duration,
    /// `--dns01-recursive-nameservers`: resolvers DNS-01 uses to find zones and check
    /// records.
    pub dns01_recursive_nameservers: Vec<std::net::SocketAddr>,
    /// `--dns01-recursive-nameservers-only`: check records through those resolvers only,
    /// not the authoritative servers.
    pub dns01_recursive_nameservers_only: bool,
    /// `--dns01-check-retry-period`: how soon a failed self-check (either type) is
    /// retried (10s).
    pub dns01_check_retry_period: Duration,
    /// The wait after a DNS-01 record is seen everywhere, before the CA is asked
    /// (cert-manager sleeps 60s; the lab: 0).
    pub dns01_propagation_wait: Duration,
    /// How often an accepted challenge's authorization is polled until it is final.
    pub acme_authorization_poll_interval: Duration,
}

/// cert-manager's acmesolver image of the release whose API certlab matches.
pub const DEFAULT_ACME_HTTP01_SOLVER_IMAGE: &str =
    "quay.io/jetstack/cert-manager-acmesolver:v1.21.1";

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
            max_concurrent_challenges: 60,
            acme_http01_solver_image: DEFAULT_ACME_HTTP01_SOLVER_IMAGE.to_string(),
            acme_http01_solver_nameservers: Vec::new(),
            http01_self_check_port: 80,
            http01_self_check_passes: 5,
            http01_self_check_interval: Duration::from_secs(2),
            dns01_recursive_nameservers: Vec::new(),
            dns01_recursive_nameservers_only: false,
            dns01_check_retry_period: Duration::from_secs(10),
            dns01_propagation_wait: Duration::from_secs(60),
            acme_authorization_poll_interval: Duration::from_secs(1),
        }
    }
}

impl Config {
    /// The ACME settings of a hermetic lab on top of `self`: HTTP-01 self-checks
    /// resolve through `dns` and connect to `http01_port` (the ingress edge) once, with
    /// no pauses; DNS-01 asks only `dns` (it is not on port 53, so authoritative servers
    /// cannot be reached) and does not wait after propagation; failed checks are
    /// retried after 100 ms and accepted authorizations polled every 50 ms.
    pub fn with_lab_acme(self, dns: std::net::SocketAddr, http01_port: u16) -> Self {
        Self {
            acme_http01_solver_nameservers: vec![dns],
            http01_self_check_port: http01_port,
            http01_self_check_passes: 1,
            http01_self_check_interval: Duration::ZERO,
            dns01_recursive_nameservers: vec![dns],
            dns01_recursive_nameservers_only: true,
            dns01_check_retry_period: Duration::from_millis(100),
            dns01_propagation_wait: Duration::ZERO,
            acme_authorization_poll_interval: Duration::from_millis(50),
            ..self
        }
    }
}
