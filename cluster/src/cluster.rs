//! The embedded cluster: store, registry, object semantics, API front end and
//! controllers, started together; optionally served over HTTPS with a kubeconfig.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use certlab_clock::{SharedClock, SystemClock};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::api::{ApiConfig, ApiServer, ApiService};
use crate::edge::{EdgeConfig, EdgeError, IngressEdge};
use crate::node::{ContainerRuntime, Runtimes};
use crate::objects::{Objects, WriteOptions};
use crate::registry::Registry;
use crate::store::{Store, StoreLimits};
use crate::transport::{Kubeconfig, Listener, ListenerError, ServingCerts};

/// Namespaces every cluster starts with.
pub const BOOTSTRAP_NAMESPACES: &[&str] =
    &["default", "kube-system", "kube-public", "kube-node-lease"];

/// Why the cluster could not start.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// Generating certificates failed.
    #[error(transparent)]
    Certs(#[from] crate::transport::tls::CertError),
    /// The listener could not start.
    #[error(transparent)]
    Listener(#[from] ListenerError),
    /// The kubeconfig could not be written.
    #[error("writing the kubeconfig {path}: {source}")]
    Kubeconfig {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The ingress edge could not start.
    #[error(transparent)]
    Edge(#[from] EdgeError),
    /// Creating the bootstrap objects failed.
    #[error("bootstrapping: {0}")]
    Bootstrap(String),
}

/// Configures a [`Cluster`].
#[derive(Debug, Default)]
pub struct ClusterBuilder {
    clock: Option<SharedClock>,
    limits: StoreLimits,
    bookmark_interval: Option<Duration>,
    listen: Option<SocketAddr>,
    kubeconfig: Option<PathBuf>,
    token: Option<String>,
    runtimes: Runtimes,
    edge: Option<SocketAddr>,
    edge_config: EdgeConfig,
}

impl ClusterBuilder {
    /// Also run the ingress edge on `addr` (loopback only; port 0 picks one): HTTP
    /// routed by the cluster's Ingresses to Ready pods. The bound address is
    /// [`Cluster::ingress_edge_addr`].
    pub fn ingress_edge(mut self, addr: SocketAddr) -> Self {
        self.edge = Some(addr);
        self
    }

    /// Which Ingresses the edge serves (default: all of them).
    pub fn edge_config(mut self, config: EdgeConfig) -> Self {
        self.edge_config = config;
        self
    }

    /// Registers a container runtime for the emulated node (several may be; the
    /// first whose [`ContainerRuntime::runs`] accepts an image runs it). Without
    /// one, every pod stays `Pending`.
    pub fn container_runtime(mut self, runtime: Arc<dyn ContainerRuntime>) -> Self {
        self.runtimes.push(runtime);
        self
    }

    /// The clock for timestamps and ages (default: the system clock).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// How much history and per-watch buffer the store keeps.
    pub fn store_limits(mut self, limits: StoreLimits) -> Self {
        self.limits = limits;
        self
    }

    /// How often watches that allow bookmarks get one (default 60 s).
    pub fn bookmark_interval(mut self, interval: Duration) -> Self {
        self.bookmark_interval = Some(interval);
        self
    }

    /// Also serve HTTPS on `addr` (loopback only; port 0 picks one).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = Some(addr);
        self
    }

    /// Write a kubeconfig here once the listener serves (implies listening on an
    /// ephemeral loopback port if no address was given).
    pub fn kubeconfig_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.kubeconfig = Some(path.into());
        self
    }

    /// The bearer token to require (default: 32 random bytes, hex).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Starts the cluster. Must be called within a Tokio runtime.
    pub async fn start(self) -> Result<Cluster, ClusterError> {
        let clock = self.clock.unwrap_or_else(SystemClock::shared);
        let store = Arc::new(Store::new(self.limits));
        let registry = Arc::new(Registry::with_builtins());
        let objects = Arc::new(Objects::new(store, registry, clock));
        let mut config = ApiConfig::default();
        if let Some(interval) = self.bookmark_interval {
            config.bookmark_interval = interval;
        }
        let server = Arc::new(ApiServer::new(objects.clone(), config));
        let stop = CancellationToken::new();
        bootstrap(&objects)?;
        tokio::spawn(crate::controllers::run(objects.clone(), stop.child_token()));
        tokio::spawn(crate::node::run(
            objects.clone(),
            self.runtimes,
            stop.child_token(),
        ));

        let edge = match self.edge {
            Some(addr) => Some(
                IngressEdge::start(objects.clone(), self.edge_config, addr, stop.child_token())
                    .await?,
            ),
            None => None,
        };

        let listen = match (self.listen, &self.kubeconfig) {
            (Some(addr), _) => Some(addr),
            (None, Some(_)) => Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            (None, None) => None,
        };
        let mut listener = None;
        let mut kubeconfig = None;
        if let Some(addr) = listen {
            let certs = ServingCerts::generate()?;
            let tls = certs.server_config().map_err(ListenerError::Tls)?;
            let token = self.token.unwrap_or_else(random_token);
            let l = Listener::start(server.clone(), addr, tls, token.clone(), stop.child_token())
                .await?;
            server.set_server_address(&l.addr.to_string());
            let kc = Kubeconfig {
                server: format!("https://{}", l.addr),
                ca_pem: certs.ca_pem.clone(),
                token,
            };
            if let Some(path) = &self.kubeconfig {
                kc.write_atomically(path)
                    .map_err(|source| ClusterError::Kubeconfig {
                        path: path.clone(),
                        source,
                    })?;
            }
            listener = Some(l);
            kubeconfig = Some(kc);
        }
        Ok(Cluster {
            objects,
            server,
            stop,
            listener,
            kubeconfig,
            edge,
        })
    }
}

fn random_token() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn bootstrap(objects: &Objects) -> Result<(), ClusterError> {
    let rt = objects
        .registry()
        .get("", "v1", "namespaces")
        .ok_or_else(|| ClusterError::Bootstrap("namespaces are not registered".into()))?;
    let opts = WriteOptions {
        field_manager: "certlab-cluster".into(),
        ..WriteOptions::default()
    };
    for ns in BOOTSTRAP_NAMESPACES {
        let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
        objects
            .create(&rt, "", body, &opts)
            .map_err(|e| ClusterError::Bootstrap(e.to_string()))?;
        crate::controllers::ensure_service_account(objects, ns);
    }
    Ok(())
}

/// A running embedded cluster. Dropping it stops the listener and controllers.
#[derive(Debug)]
pub struct Cluster {
    objects: Arc<Objects>,
    server: Arc<ApiServer>,
    stop: CancellationToken,
    listener: Option<Listener>,
    kubeconfig: Option<Kubeconfig>,
    edge: Option<IngressEdge>,
}

impl Cluster {
    /// A builder.
    pub fn builder() -> ClusterBuilder {
        ClusterBuilder::default()
    }

    /// The API as an in-process `tower::Service`.
    pub fn service(&self) -> ApiService {
        ApiService::new(self.server.clone())
    }

    /// An in-process kube client (no socket), defaulting to namespace `default`.
    pub fn client(&self) -> kube::Client {
        kube::Client::new(self.service(), "default")
    }

    /// The object layer (for the lab's own wiring and tests).
    pub fn objects(&self) -> &Arc<Objects> {
        &self.objects
    }

    /// The HTTPS address, when listening.
    pub fn addr(&self) -> Option<SocketAddr> {
        self.listener.as_ref().map(|l| l.addr)
    }

    /// The ingress edge's address, when it runs.
    pub fn ingress_edge_addr(&self) -> Option<SocketAddr> {
        self.edge.as_ref().map(IngressEdge::addr)
    }

    /// The kubeconfig contents, when listening.
    pub fn kubeconfig(&self) -> Option<&Kubeconfig> {
        self.kubeconfig.as_ref()
    }

    /// Stops serving and the controllers.
    pub fn shutdown(&self) {
        self.stop.cancel();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
