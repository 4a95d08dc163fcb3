//! Starting, embedding and stopping a mock-acme server.

pub mod tls;

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use certlab_clock::{SharedClock, SystemClock, VirtualClock};
use http::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::ca::{Ca, CaError, CaOptions};
use crate::config::Config;
use crate::db::Db;
use crate::faults::Faults;
use crate::management::{self, ClockError};
use crate::ratelimit::RateLimiter;
use crate::va::dns::{DnsClient, ResolverError};
use crate::va::{Va, VaConfig};
use crate::wfe::nonce::NonceStore;
use crate::wfe::problem::Problem;
use crate::wfe::{self, Shared};
use tls::{ServerTls, TlsError};

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Binding a listener failed.
    #[error("binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
    /// TLS setup failed.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The CA could not be built.
    #[error(transparent)]
    Ca(#[from] CaError),
    /// The resolver could not be built.
    #[error(transparent)]
    Dns(#[from] ResolverError),
    /// The configuration is inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Entry point of the library API.
#[derive(Debug)]
pub struct MockAcme;

impl MockAcme {
    /// A builder with [`Config::default`].
    pub fn builder() -> MockAcmeBuilder {
        MockAcmeBuilder {
            config: Config::default(),
            clock: None,
            virtual_clock: None,
            dns_server: None,
        }
    }
}

/// Configures a server before starting it.
#[derive(Debug)]
pub struct MockAcmeBuilder {
    config: Config,
    clock: Option<SharedClock>,
    virtual_clock: Option<VirtualClock>,
    dns_server: Option<SocketAddr>,
}

impl MockAcmeBuilder {
    /// Replaces the configuration.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Uses `clock` for protocol time. The management `/clock` endpoint is refused
    /// unless a [`VirtualClock`] is given with [`virtual_clock`](Self::virtual_clock).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Uses a virtual clock for protocol time; `/clock` and
    /// [`RunningAcme::advance_clock`] advance it.
    pub fn virtual_clock(mut self, clock: VirtualClock) -> Self {
        self.clock = Some(clock.shared());
        self.virtual_clock = Some(clock);
        self
    }

    /// Sends validation lookups to this DNS server (overrides `config.dns_server`).
    pub fn dns_server(mut self, addr: SocketAddr) -> Self {
        self.dns_server = Some(addr);
        self
    }

    /// Binds the listeners, generates the CA and starts serving.
    pub async fn start(self) -> Result<RunningAcme, StartError> {
        let mut config = self.config;
        if let Some(dns) = self.dns_server {
            config.dns_server = Some(dns);
        }
        for f in &config.faults {
            f.validate().map_err(StartError::Config)?;
        }
        for addr in std::iter::once(config.listen_address).chain(config.management_listen_address) {
            if !addr.ip().is_loopback() {
                return Err(StartError::Config(format!(
                    "listen address {addr}: mock-acme listens on loopback addresses only"
                )));
            }
        }
        let clock = self.clock.unwrap_or_else(SystemClock::shared);
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Bind { addr, source })
        };
        let acme_listener = bind(config.listen_address).await?;
        let acme_addr = acme_listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                addr: config.listen_address,
                source,
            })?;
        let mgmt_listener = match config.management_listen_address {
            Some(a) => Some(bind(a).await?),
            None => None,
        };
        let mgmt_addr = match &mgmt_listener {
            Some(l) => Some(l.local_addr().map_err(|source| StartError::Bind {
                addr: acme_addr,
                source,
            })?),
            None => None,
        };
        let tls = match (&config.certificate, &config.private_key) {
            (Some(c), Some(k)) => tls::load(c, k)?,
            (None, None) => {
                let mut ips = vec![acme_addr.ip()];
                ips.extend(mgmt_addr.map(|a| a.ip()));
                tls::generate(&ips)?
            }
            _ => {
                return Err(StartError::Config(
                    "certificate and privateKey must be given together".into(),
                ));
            }
        };
        let public_host = public_ip(acme_addr.ip());
        let acme_url = format!("https://{}", SocketAddr::new(public_host, acme_addr.port()));
        let ca_opts = CaOptions {
            key_algorithm: config.key_algorithm,
            chain_length: config.chain_length,
            alternate_roots: config.alternate_roots,
            profiles: config.profiles.clone(),
            ocsp_url: config.ocsp_responder_url.clone(),
            crl_url: Some(format!("{acme_url}/crl")),
        };
        let now = clock.now();
        let ca = tokio::task::spawn_blocking(move || Ca::new(ca_opts, now))
            .await
            .map_err(|e| StartError::Config(format!("CA generation task failed: {e}")))??;
        let dns = DnsClient::new(config.dns_server)?;
        let va = Va::new(
            VaConfig {
                http_port: config.http_port,
                tls_port: config.tls_port,
                sleep_max: config
                    .va_sleep
                    .then(|| Duration::from_secs(config.va_sleep_max_secs)),
                always_valid: config.va_always_valid,
                attempts: config.validation_attempts,
                timeout: config.validation_timeout,
                caa_checking: config.caa_checking,
                caa_identities: config.caa_identities.clone(),
            },
            dns,
        );
        let shared = Arc::new(Shared {
            faults: Faults::new(config.faults.clone()),
            limits: RateLimiter::new(config.rate_limits.clone()),
            config,
            clock,
            virtual_clock: self.virtual_clock,
            db: Mutex::new(Db::new()),
            nonces: NonceStore::new(),
            ca,
            va,
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let acceptor = TlsAcceptor::from(tls.config.clone());
        let mut tasks = Vec::new();
        {
            let st = shared.clone();
            tasks.push(tokio::spawn(serve(
                acme_listener,
                acceptor.clone(),
                stop_rx.clone(),
                move |req| wfe::handle(st.clone(), req),
            )));
        }
        if let Some(l) = mgmt_listener {
            let st = shared.clone();
            tasks.push(tokio::spawn(serve(l, acceptor, stop_rx, move |req| {
                management::handle(st.clone(), req)
            })));
        }
        tracing::info!(%acme_addr, management = ?mgmt_addr, "mock-acme listening");
        Ok(RunningAcme {
            shared,
            acme_addr,
            mgmt_addr,
            acme_url,
            tls,
            stop: stop_tx,
            tasks,
        })
    }
}

fn public_ip(ip: IpAddr) -> IpAddr {
    if ip.is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        ip
    }
}

async fn serve<F, Fut>(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    mut stop: watch::Receiver<bool>,
    handler: F,
) where
    F: Fn(Request<Body>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                let Ok((tcp, _peer)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let handler = handler.clone();
                conns.spawn(async move {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
                    else {
                        return;
                    };
                    let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                        let handler = handler.clone();
                        async move { Ok::<_, Infallible>(handler(req.map(Body::new)).await) }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    // Give in-flight requests a moment, then drop the rest.
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    conns.abort_all();
}

/// A running server.
#[derive(Debug)]
pub struct RunningAcme {
    shared: Arc<Shared>,
    acme_addr: SocketAddr,
    mgmt_addr: Option<SocketAddr>,
    acme_url: String,
    tls: ServerTls,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningAcme {
    /// The ACME listener's address.
    pub fn acme_addr(&self) -> SocketAddr {
        self.acme_addr
    }

    /// The management listener's address.
    pub fn management_addr(&self) -> Option<SocketAddr> {
        self.mgmt_addr
    }

    /// `https://127.0.0.1:<port>/dir`.
    pub fn directory_url(&self) -> String {
        format!("{}/dir", self.acme_url)
    }

    /// `https://127.0.0.1:<port>` of the management interface.
    pub fn management_url(&self) -> Option<String> {
        self.mgmt_addr
            .map(|a| format!("https://{}", SocketAddr::new(public_ip(a.ip()), a.port())))
    }

    /// The CRL URL named in every certificate.
    pub fn crl_url(&self) -> String {
        format!("{}/crl", self.acme_url)
    }

    /// PEM of the CA that signed the HTTPS certificate (what clients must trust).
    pub fn tls_ca_pem(&self) -> &str {
        &self.tls.ca_pem
    }

    /// Writes [`tls_ca_pem`](Self::tls_ca_pem) to `path`.
    pub fn write_tls_ca(&self, path: &std::path::Path) -> std::io::Result<()> {
        std::fs::write(path, &self.tls.ca_pem)
    }

    /// The `endpoints.json` entries `cargo xtask up` publishes (`acme_directory`,
    /// `acme_tls_ca`, `acme_management`), writing the TLS CA PEM to `tls_ca_path`.
    pub fn lab_endpoints(
        &self,
        tls_ca_path: &std::path::Path,
    ) -> std::io::Result<serde_json::Value> {
        self.write_tls_ca(tls_ca_path)?;
        Ok(serde_json::json!({
            "acme_directory": self.directory_url(),
            "acme_tls_ca": tls_ca_path.display().to_string(),
            "acme_management": self.management_url(),
        }))
    }

    /// Number of issuance chains (1 + alternate roots).
    pub fn num_roots(&self) -> usize {
        self.shared.ca.num_chains()
    }

    /// PEM of issuance root `n` (0 is the default chain's).
    pub fn root_pem(&self, n: usize) -> Option<String> {
        self.shared.ca.chain(n).map(|c| c.root.pem.clone())
    }

    /// PEM of the issuing intermediate of chain `n`.
    pub fn intermediate_pem(&self, n: usize) -> Option<String> {
        self.shared
            .ca
            .chain(n)
            .and_then(|c| c.intermediates.first().map(|i| i.pem.clone()))
    }

    /// Fault rules (live).
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Rate limits (live).
    pub fn rate_limits(&self) -> &RateLimiter {
        &self.shared.limits
    }

    /// Forgets all ACME state (see [`management::reset`]).
    pub fn reset(&self) {
        management::reset(&self.shared);
    }

    /// Overrides the ARI response for a certificate (Pebble's `/set-renewal-info/`).
    pub fn set_renewal_info(&self, cert_pem: &str, response: &str) -> Result<(), Problem> {
        management::set_renewal_info(&self.shared, cert_pem, response)
    }

    /// How many orders the server has created (for tests that check a client never
    /// orders twice).
    pub fn order_count(&self) -> usize {
        self.shared.db().orders.len()
    }

    /// Pebble's `/cert-status-by-serial/<hex>` document.
    pub fn cert_status(&self, serial_hex: &str) -> Option<serde_json::Value> {
        management::cert_status(&self.shared, serial_hex)
    }

    /// Advances the virtual clock.
    pub fn advance_clock(&self, by: Duration) -> Result<SystemTime, ClockError> {
        management::advance_clock(&self.shared, by)
    }

    /// Protocol time.
    pub fn now(&self) -> SystemTime {
        self.shared.now()
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Stops accepting, lets in-flight requests finish briefly, and waits for the
    /// listeners to close.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
