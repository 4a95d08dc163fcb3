//! The lab: the embedded cluster, mock-dns, mock-acme and the controller on one
//! virtual clock, with ready-made ClusterIssuers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use certlab_clock::{SharedClock, VirtualClock};
use certlab_cluster::Cluster;
use certlab_controller::api::certificate::Certificate;
use certlab_controller::api::issuer::ClusterIssuer;
use certlab_controller::config::Config as ControllerConfig;
use certlab_controller::metrics::Metrics;
use certlab_controller::run::Runner;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, PostParams};
use mock_acme::{MockAcme, RunningAcme};
use mock_dns::{MockDns, RunningDns};
use tokio_util::sync::CancellationToken;

use crate::endpoints::Endpoints;

/// The namespace the lab's cluster-scoped Secrets live in.
pub const RESOURCE_NAMESPACE: &str = "kube-system";
/// The self-signed ClusterIssuer every lab has.
pub const LAB_SELFSIGNED: &str = "lab-selfsigned";
/// The CA ClusterIssuer every lab has (a CA issued by `lab-selfsigned`).
pub const LAB_CA: &str = "lab-ca";
/// The ACME ClusterIssuer solving HTTP-01 through the lab's ingress edge.
pub const LAB_ACME_HTTP01: &str = "lab-acme-http01";
/// The ACME ClusterIssuer solving DNS-01 through RFC 2136 updates to mock-dns.
pub const LAB_ACME_DNS01: &str = "lab-acme-dns01";
/// The lab's domain: every name under it resolves to the lab (127.0.0.1, where the
/// ingress edge listens) and `lab-acme-dns01` can solve for it and its wildcards.
/// `.test` is reserved for testing (RFC 6761), so no real name is shadowed.
pub const LAB_DOMAIN: &str = "lab.test";
/// The TSIG key `lab-acme-dns01` signs its updates with.
pub const LAB_TSIG_KEY: &str = "certlab-lab-key";
/// The Secret (in [`RESOURCE_NAMESPACE`]) holding the TSIG secret, key `secret`.
pub const LAB_TSIG_SECRET: &str = "lab-acme-dns01-tsig";

/// Why a lab could not start.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// The embedded cluster failed to start.
    #[error("starting the embedded cluster: {0}")]
    Cluster(#[from] certlab_cluster::ClusterError),
    /// mock-dns failed to start.
    #[error("starting mock-dns: {0}")]
    Dns(#[from] mock_dns::StartError),
    /// mock-acme failed to start.
    #[error("starting mock-acme: {0}")]
    Acme(String),
    /// The API refused a bootstrap object.
    #[error("bootstrapping the lab: {0}")]
    Bootstrap(String),
    /// A component did not report its address.
    #[error("{0} did not report its address")]
    NoAddress(&'static str),
    /// A file could not be written.
    #[error("writing {path}: {source}")]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Configures a [`Lab`].
#[derive(Debug, Default)]
pub struct LabBuilder {
    state_dir: Option<PathBuf>,
    clock: Option<VirtualClock>,
    acme_config: Option<mock_acme::Config>,
}

impl LabBuilder {
    /// Where the kubeconfig, the ACME CA and `endpoints.json` go (default: a temporary
    /// directory removed with the lab).
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// The virtual clock to share (default: one flowing from now).
    pub fn clock(mut self, clock: VirtualClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// mock-acme's configuration (default: [`mock_acme::Config::quiet`]). Its
    /// `http_port` is always replaced with the ingress edge's port.
    pub fn acme_config(mut self, config: mock_acme::Config) -> Self {
        self.acme_config = Some(config);
        self
    }

    /// Starts every component, installs the CRDs and the lab's ClusterIssuers, waits for
    /// them to be ready, then writes the kubeconfig and `endpoints.json`.
    pub async fn start(self) -> Result<Lab, LabError> {
        let clock = self
            .clock
            .unwrap_or_else(|| VirtualClock::flowing(SystemTime::now()));
        let write_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LabError::Write { path, source }
        };
        let (state_dir, temp) = match self.state_dir {
            Some(dir) => (dir, None),
            None => {
                let temp = tempfile::tempdir().map_err(write_err(&std::env::temp_dir()))?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        std::fs::create_dir_all(&state_dir).map_err(write_err(&state_dir))?;
        let kubeconfig = state_dir.join("kubeconfig");
        let shared: SharedClock = clock.shared();
        let stop = CancellationToken::new();

        let cluster = Cluster::builder()
            .clock(shared.clone())
            .kubeconfig_path(&kubeconfig)
            .ingress_edge(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .container_runtime(Arc::new(crate::solver_runtime::AcmeSolverRuntime))
            .start()
            .await?;
        let edge = cluster
            .ingress_edge_addr()
            .ok_or(LabError::NoAddress("the ingress edge"))?;
        let tsig_secret = random_secret();
        let tsig = mock_dns::TsigKey::new(
            LAB_TSIG_KEY,
            mock_dns::Algorithm::HmacSha256,
            tsig_secret.clone(),
        )
        .map_err(|e| LabError::Bootstrap(format!("the lab's TSIG key: {e}")))?;
        let dns = MockDns::builder()
            .clock(shared.clone())
            .open_zone(LAB_DOMAIN)
            // The ingress edge listens on 127.0.0.1 only: no AAAA answers, so neither
            // mock-acme nor the self-check dials ::1.
            .default_ipv6(None)
            .tsig_key(tsig)
            .start()
            .await?;
        let dns_addr = dns.dns_addr().ok_or(LabError::NoAddress("mock-dns"))?;
        let acme = MockAcme::builder()
            .config(mock_acme::Config {
                // HTTP-01 validation goes to the ingress edge, which routes to the
                // solver pods the node runs.
                http_port: edge.port(),
                ..self.acme_config.unwrap_or_else(mock_acme::Config::quiet)
            })
            .virtual_clock(clock.clone())
            .dns_server(dns_addr)
            .start()
            .await
            .map_err(|e| LabError::Acme(e.to_string()))?;
        let acme_ca = state_dir.join("acme-ca.pem");
        acme.write_tls_ca(&acme_ca).map_err(write_err(&acme_ca))?;

        let client = cluster.client();
        install_crds(&client).await?;
        let metrics = Arc::new(Metrics::new());
        let metrics_addr = certlab_controller::run::serve_metrics(
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            metrics.clone(),
            shared.clone(),
            stop.clone(),
        )
        .await
        .map_err(|e| LabError::Bootstrap(format!("serving metrics: {e}")))?;
        let config = ControllerConfig {
            cluster_resource_namespace: RESOURCE_NAMESPACE.to_string(),
            ..ControllerConfig::default()
        }
        .with_lab_acme(dns_addr, edge.port());
        let (runner, controller) =
            certlab_controller::run::start(client.clone(), shared.clone(), config, metrics);
        bootstrap_issuers(&client).await?;
        bootstrap_acme_issuers(&client, &acme, dns_addr, &tsig_secret).await?;

        let endpoints = Endpoints {
            kubeconfig: kubeconfig.clone(),
            apiserver: cluster
                .kubeconfig()
                .map(|k| k.server.clone())
                .ok_or(LabError::NoAddress("the API server"))?,
            dns: dns_addr.to_string(),
            dns_management: dns
                .management_url()
                .ok_or(LabError::NoAddress("mock-dns management"))?,
            acme_directory: acme.directory_url(),
            acme_tls_ca: acme_ca,
            acme_management: acme.management_url().unwrap_or_default(),
            metrics: format!("http://{metrics_addr}/metrics"),
            http01_port: edge.port(),
            ingress_edge: edge.to_string(),
            lab_domain: LAB_DOMAIN.to_string(),
        };
        let endpoints_path = state_dir.join("endpoints.json");
        endpoints
            .write_atomically(&endpoints_path)
            .map_err(write_err(&endpoints_path))?;
        Ok(Lab {
            clock,
            cluster,
            dns: Some(dns),
            acme: Some(acme),
            runner,
            controller: Some(controller),
            stop,
            endpoints,
            state_dir,
            _temp: temp,
        })
    }
}

async fn install_crds(client: &kube::Client) -> Result<(), LabError> {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in certlab_controller::api::crds() {
        crds.create(&PostParams::default(), &crd)
            .await
            .map_err(|e| LabError::Bootstrap(format!("installing the CRDs: {e}")))?;
    }
    Ok(())
}

/// `lab-selfsigned`, and `lab-ca`: a CA certificate issued by it, kept in
/// `kube-system/lab-ca`, behind a CA ClusterIssuer.
async fn bootstrap_issuers(client: &kube::Client) -> Result<(), LabError> {
    let err = |e: kube::Error| LabError::Bootstrap(e.to_string());
    let issuers: Api<ClusterIssuer> = Api::all(client.clone());
    let selfsigned: ClusterIssuer = serde_json::from_value(serde_json::json!({
        "apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": LAB_SELFSIGNED}, "spec": {"selfSigned": {}}
    }))
    .map_err(|e| LabError::Bootstrap(e.to_string()))?;
    issuers
        .create(&PostParams::default(), &selfsigned)
        .await
        .map_err(err)?;
    let certs: Api<Certificate> = Api::namespaced(client.clone(), RESOURCE_NAMESPACE);
    let ca: Certificate = serde_json::from_value(serde_json::json!({
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": LAB_CA, "namespace": RESOURCE_NAMESPACE},
        "spec": {"isCA": true, "commonName": "certlab lab CA", "secretName": LAB_CA, "duration": "87600h",
            "privateKey": {"algorithm": "ECDSA", "size": 256},
            "issuerRef": {"name": LAB_SELFSIGNED, "kind": "ClusterIssuer", "group": "cert-manager.io"}}
    }))
    .map_err(|e| LabError::Bootstrap(e.to_string()))?;
    certs
        .create(&PostParams::default(), &ca)
        .await
        .map_err(err)?;
    let ca_issuer: ClusterIssuer = serde_json::from_value(serde_json::json!({
        "apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": LAB_CA}, "spec": {"ca": {"secretName": LAB_CA}}
    }))
    .map_err(|e| LabError::Bootstrap(e.to_string()))?;
    issuers
        .create(&PostParams::default(), &ca_issuer)
        .await
        .map_err(err)?;
    // Ready means usable: wait for the CA issuer to verify its key pair.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let ready = issuers
            .get(LAB_CA)
            .await
            .map_err(err)?
            .status
            .is_some_and(|s| s.is_ready());
        if ready {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(LabError::Bootstrap(
                "the lab-ca ClusterIssuer did not become ready in 30 s".into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn random_secret() -> Vec<u8> {
    rand::random::<[u8; 32]>().to_vec()
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `lab-acme-http01` and `lab-acme-dns01`: mock-acme behind its own TLS CA, solving
/// HTTP-01 through the ingress edge and DNS-01 with TSIG-signed updates to mock-dns.
async fn bootstrap_acme_issuers(
    client: &kube::Client,
    acme: &RunningAcme,
    dns: std::net::SocketAddr,
    tsig_secret: &[u8],
) -> Result<(), LabError> {
    let err = |e: kube::Error| LabError::Bootstrap(e.to_string());
    let secrets: Api<k8s_openapi::api::core::v1::Secret> =
        Api::namespaced(client.clone(), RESOURCE_NAMESPACE);
    let secret = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": LAB_TSIG_SECRET, "namespace": RESOURCE_NAMESPACE},
        "stringData": {"secret": base64(tsig_secret)}
    }))
    .map_err(|e| LabError::Bootstrap(e.to_string()))?;
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .map_err(err)?;
    let ca_bundle = base64(acme.tls_ca_pem().as_bytes());
    let issuers: Api<ClusterIssuer> = Api::all(client.clone());
    let solvers = [
        (
            LAB_ACME_HTTP01,
            serde_json::json!([{"http01": {"ingress": {}}}]),
        ),
        (
            LAB_ACME_DNS01,
            serde_json::json!([{"dns01": {"rfc2136": {
                "nameserver": dns.to_string(),
                "tsigKeyName": LAB_TSIG_KEY,
                "tsigAlgorithm": "HMACSHA256",
                "tsigSecretSecretRef": {"name": LAB_TSIG_SECRET, "key": "secret"},
            }}}]),
        ),
    ];
    for (name, solvers) in solvers {
        let issuer: ClusterIssuer = serde_json::from_value(serde_json::json!({
            "apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
            "metadata": {"name": name},
            "spec": {"acme": {
                "server": acme.directory_url(),
                "caBundle": ca_bundle,
                "email": format!("lab@{LAB_DOMAIN}"),
                "privateKeySecretRef": {"name": format!("{name}-account")},
                "solvers": solvers,
            }}
        }))
        .map_err(|e| LabError::Bootstrap(e.to_string()))?;
        issuers
            .create(&PostParams::default(), &issuer)
            .await
            .map_err(err)?;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    for name in [LAB_ACME_HTTP01, LAB_ACME_DNS01] {
        loop {
            let issuer = issuers.get(name).await.map_err(err)?;
            if issuer.status.as_ref().is_some_and(|s| s.is_ready()) {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                return Err(LabError::Bootstrap(format!(
                    "the {name} ClusterIssuer did not register its ACME account in 30 s: {:?}",
                    issuer.status
                )));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    Ok(())
}

/// A running lab. Dropping it stops everything; [`Lab::shutdown`] waits for it.
pub struct Lab {
    clock: VirtualClock,
    cluster: Cluster,
    dns: Option<RunningDns>,
    acme: Option<RunningAcme>,
    runner: Runner,
    controller: Option<tokio::task::JoinHandle<()>>,
    stop: CancellationToken,
    endpoints: Endpoints,
    state_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Lab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lab")
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.runner.shutdown();
        self.stop.cancel();
    }
}

impl Lab {
    /// A builder.
    pub fn builder() -> LabBuilder {
        LabBuilder::default()
    }

    /// The shared virtual clock.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    /// The embedded cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// An in-process client of the embedded cluster.
    pub fn client(&self) -> kube::Client {
        self.cluster.client()
    }

    /// mock-dns.
    pub fn dns(&self) -> Option<&RunningDns> {
        self.dns.as_ref()
    }

    /// mock-acme.
    pub fn acme(&self) -> Option<&RunningAcme> {
        self.acme.as_ref()
    }

    /// The controller.
    pub fn controller(&self) -> &Runner {
        &self.runner
    }

    /// Where everything listens.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The state directory.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// Stops every component and waits for them.
    pub async fn shutdown(mut self) {
        self.runner.shutdown();
        if let Some(task) = self.controller.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
        self.stop.cancel();
        self.cluster.shutdown();
        if let Some(dns) = self.dns.take() {
            dns.shutdown().await;
        }
        if let Some(acme) = self.acme.take() {
            acme.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lab_starts_and_reports_its_endpoints() {
        let dir = tempfile::tempdir().unwrap();
        let lab = Lab::builder().state_dir(dir.path()).start().await.unwrap();
        let written = Endpoints::read(&dir.path().join("endpoints.json")).unwrap();
        assert_eq!(&written, lab.endpoints());
        assert!(written.apiserver.starts_with("https://127.0.0.1:"));
        assert!(written.dns.starts_with("127.0.0.1:"));
        assert!(written.acme_directory.starts_with("https://"));
        assert!(written.acme_tls_ca.exists());
        assert!(dir.path().join("kubeconfig").exists());
        assert_eq!(written.lab_domain, LAB_DOMAIN);
        assert_eq!(
            written.ingress_edge,
            format!("127.0.0.1:{}", written.http01_port)
        );
        let issuers: Api<ClusterIssuer> = Api::all(lab.client());
        for name in [LAB_ACME_HTTP01, LAB_ACME_DNS01] {
            let status = issuers.get(name).await.unwrap().status.unwrap();
            assert!(status.is_ready(), "{name}: {status:?}");
            let uri = status.acme.and_then(|a| a.uri).unwrap_or_default();
            assert!(uri.starts_with("https://127.0.0.1:"), "{name}: {uri}");
        }
        assert!(
            issuers
                .get(LAB_CA)
                .await
                .unwrap()
                .status
                .is_some_and(|s| s.is_ready())
        );
        assert!(
            issuers
                .get(LAB_SELFSIGNED)
                .await
                .unwrap()
                .status
                .is_some_and(|s| s.is_ready())
        );
        lab.shutdown().await;
    }
}
