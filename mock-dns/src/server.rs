//! Starting and stopping mock-dns: [`MockDns::builder`], [`Builder`] and [`RunningDns`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use certlab_clock::{SharedClock, SystemClock};
use hickory_server::Server;
use hickory_server::proto::rr::Name;
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::challenges::{self, ChallengeTls};
use crate::error::StartError;
use crate::handler::DnsHandler;
use crate::history::DEFAULT_PER_HOST_LIMIT;
use crate::management;
use crate::store::{DnsHandle, InitialState, Store};
use crate::transport;
use crate::tsig::TsigKey;

/// Idle timeout of DNS-over-TCP connections.
const TCP_TIMEOUT: Duration = Duration::from_secs(10);
/// Responses buffered per DNS-over-TCP connection.
const TCP_RESPONSE_BUFFER: usize = 32;

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

/// Entry point: `MockDns::builder()…start().await`.
#[derive(Debug)]
pub struct MockDns;

impl MockDns {
    /// A builder with the library defaults: DNS and management on ephemeral ports on
    /// 127.0.0.1, no challenge responders, default answers 127.0.0.1 and ::1.
    pub fn builder() -> Builder {
        Builder::default()
    }
}

/// Configures and starts mock-dns.
#[derive(Debug, Clone)]
pub struct Builder {
    dns_addrs: Vec<SocketAddr>,
    management_addr: Option<SocketAddr>,
    http01_addrs: Vec<SocketAddr>,
    https01_addrs: Vec<SocketAddr>,
    tlsalpn01_addrs: Vec<SocketAddr>,
    zones: Vec<String>,
    open_zones: Vec<String>,
    tsig_keys: Vec<TsigKey>,
    default_ipv4: Option<Ipv4Addr>,
    default_ipv6: Option<Ipv6Addr>,
    clock: Option<SharedClock>,
    history_limit: usize,
    allow_unsigned_updates: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            dns_addrs: vec![loopback(0)],
            management_addr: Some(loopback(0)),
            http01_addrs: Vec::new(),
            https01_addrs: Vec::new(),
            tlsalpn01_addrs: Vec::new(),
            zones: Vec::new(),
            open_zones: Vec::new(),
            tsig_keys: Vec::new(),
            default_ipv4: Some(Ipv4Addr::LOCALHOST),
            default_ipv6: Some(Ipv6Addr::LOCALHOST),
            clock: None,
            history_limit: DEFAULT_PER_HOST_LIMIT,
            allow_unsigned_updates: false,
        }
    }
}

impl Builder {
    /// DNS (UDP and TCP) bind addresses; port 0 picks a free port (the same for UDP
    /// and TCP). Empty disables DNS.
    pub fn dns_addrs(mut self, addrs: impl IntoIterator<Item = SocketAddr>) -> Self {
        self.dns_addrs = addrs.into_iter().collect();
        self
    }

    /// The management API bind address; `None` disables it.
    pub fn management_addr(mut self, addr: Option<SocketAddr>) -> Self {
        self.management_addr = addr;
        self
    }

    /// HTTP-01 responder bind addresses.
    pub fn http01_addrs(mut self, addrs: impl IntoIterator<Item = SocketAddr>) -> Self {
        self.http01_addrs = addrs.into_iter().collect();
        self
    }

    /// HTTPS HTTP-01 responder bind addresses (self-signed certificate).
    pub fn https01_addrs(mut self, addrs: impl IntoIterator<Item = SocketAddr>) -> Self {
        self.https01_addrs = addrs.into_iter().collect();
        self
    }

    /// TLS-ALPN-01 responder bind addresses.
    pub fn tlsalpn01_addrs(mut self, addrs: impl IntoIterator<Item = SocketAddr>) -> Self {
        self.tlsalpn01_addrs = addrs.into_iter().collect();
        self
    }

    /// Adds an authoritative zone (accepts RFC 2136 updates, answers NXDOMAIN/SOA/NS).
    pub fn zone(mut self, name: impl Into<String>) -> Self {
        self.zones.push(name.into());
        self
    }

    /// Adds an open authoritative zone: like [`Self::zone`], but every name under it
    /// exists and resolves to the default addresses unless it has its own records
    /// (a lab domain under which any name works, that DNS-01 can still update).
    pub fn open_zone(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.open_zones.push(name.clone());
        self.zones.push(name);
        self
    }

    /// Adds a TSIG key accepted for updates (and signed queries).
    pub fn tsig_key(mut self, key: TsigKey) -> Self {
        self.tsig_keys.push(key);
        self
    }

    /// The default A answer for names without A records; `None` disables it.
    pub fn default_ipv4(mut self, addr: Option<Ipv4Addr>) -> Self {
        self.default_ipv4 = addr;
        self
    }

    /// The default AAAA answer for names without AAAA records; `None` disables it.
    pub fn default_ipv6(mut self, addr: Option<Ipv6Addr>) -> Self {
        self.default_ipv6 = addr;
        self
    }

    /// The clock for TSIG time checks (default: the system clock).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Events of each kind kept per host in the request history (default 1000).
    pub fn history_limit(mut self, limit: usize) -> Self {
        self.history_limit = limit;
        self
    }

    /// Accept UPDATEs without TSIG (default: refused).
    pub fn allow_unsigned_updates(mut self, allow: bool) -> Self {
        self.allow_unsigned_updates = allow;
        self
    }

    /// Binds every listener and starts serving. Only loopback addresses are accepted.
    pub async fn start(self) -> Result<RunningDns, StartError> {
        for (what, addrs) in [
            ("DNS", &self.dns_addrs),
            (
                "management",
                &self.management_addr.into_iter().collect::<Vec<_>>(),
            ),
            ("HTTP-01", &self.http01_addrs),
            ("HTTPS-01", &self.https01_addrs),
            ("TLS-ALPN-01", &self.tlsalpn01_addrs),
        ] {
            if let Some(addr) = addrs.iter().find(|a| !a.ip().is_loopback()) {
                return Err(StartError::NotLoopback { what, addr: *addr });
            }
        }
        let mut zones = Vec::new();
        for z in &self.zones {
            let mut name = Name::from_ascii(z.trim()).map_err(|_| StartError::Zone(z.clone()))?;
            if z.trim().is_empty() {
                return Err(StartError::Zone(z.clone()));
            }
            name.set_fqdn(true);
            zones.push(name);
        }
        let mut open_zones = Vec::new();
        for z in &self.open_zones {
            let mut name = Name::from_ascii(z.trim()).map_err(|_| StartError::Zone(z.clone()))?;
            name.set_fqdn(true);
            open_zones.push(name);
        }
        let store = Arc::new(Store::new(
            InitialState {
                default_ipv4: self.default_ipv4,
                default_ipv6: self.default_ipv6,
                zones,
                open_zones,
            },
            self.history_limit,
        ));
        let handle = DnsHandle::new(store.clone());
        let clock = self.clock.unwrap_or_else(SystemClock::shared);
        let handler = DnsHandler::new(store, self.tsig_keys, clock, self.allow_unsigned_updates);
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let mut server = Server::new(handler.clone());
        let mut dns_udp = Vec::new();
        let mut dns_tcp = Vec::new();
        for addr in &self.dns_addrs {
            let (udp, tcp) = bind_dns(*addr).await?;
            let udp_addr = udp
                .local_addr()
                .map_err(|e| bind_err("DNS over UDP", *addr, e))?;
            let tcp_addr = tcp
                .local_addr()
                .map_err(|e| bind_err("DNS over TCP", *addr, e))?;
            info!(%udp_addr, "DNS listening on UDP and TCP");
            dns_udp.push(udp_addr);
            dns_tcp.push(tcp_addr);
            let udp = Arc::new(udp);
            for _ in 0..transport::udp_workers() {
                tasks.spawn(transport::serve_udp(
                    udp.clone(),
                    handler.clone(),
                    shutdown.clone(),
                ));
            }
            server.register_listener(tcp, TCP_TIMEOUT, TCP_RESPONSE_BUFFER);
        }

        let management = match self.management_addr {
            Some(addr) => {
                let listener = bind_tcp("management API", addr).await?;
                let bound = listener
                    .local_addr()
                    .map_err(|e| bind_err("management API", addr, e))?;
                info!(%bound, "management API listening");
                tasks.spawn(management::serve(
                    listener,
                    handle.clone(),
                    shutdown.clone(),
                ));
                Some(bound)
            }
            None => None,
        };

        let needs_tls = !self.https01_addrs.is_empty() || !self.tlsalpn01_addrs.is_empty();
        let tls = if needs_tls {
            Some(Arc::new(ChallengeTls::new().map_err(StartError::Tls)?))
        } else {
            None
        };
        let mut http01 = Vec::new();
        for addr in &self.http01_addrs {
            let listener = bind_tcp("HTTP-01", *addr).await?;
            let bound = listener
                .local_addr()
                .map_err(|e| bind_err("HTTP-01", *addr, e))?;
            info!(%bound, "HTTP-01 responder listening");
            http01.push(bound);
            tasks.spawn(challenges::serve_http01(
                listener,
                handle.clone(),
                None,
                shutdown.clone(),
            ));
        }
        let mut https01 = Vec::new();
        let mut tlsalpn01 = Vec::new();
        if let Some(tls) = &tls {
            for addr in &self.https01_addrs {
                let listener = bind_tcp("HTTPS-01", *addr).await?;
                let bound = listener
                    .local_addr()
                    .map_err(|e| bind_err("HTTPS-01", *addr, e))?;
                info!(%bound, "HTTPS HTTP-01 responder listening");
                https01.push(bound);
                tasks.spawn(challenges::serve_http01(
                    listener,
                    handle.clone(),
                    Some(tls.https_acceptor()),
                    shutdown.clone(),
                ));
            }
            for addr in &self.tlsalpn01_addrs {
                let listener = bind_tcp("TLS-ALPN-01", *addr).await?;
                let bound = listener
                    .local_addr()
                    .map_err(|e| bind_err("TLS-ALPN-01", *addr, e))?;
                info!(%bound, "TLS-ALPN-01 responder listening");
                tlsalpn01.push(bound);
                tasks.spawn(challenges::serve_tlsalpn01(
                    listener,
                    tls.tlsalpn_acceptor(handle.clone()),
                    shutdown.clone(),
                ));
            }
        }

        Ok(RunningDns {
            handle,
            handler,
            dns_udp,
            dns_tcp,
            management,
            http01,
            https01,
            tlsalpn01,
            shutdown,
            server,
            tasks,
        })
    }
}

fn bind_err(what: &'static str, addr: SocketAddr, source: std::io::Error) -> StartError {
    StartError::Bind { what, addr, source }
}

async fn bind_tcp(what: &'static str, addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| bind_err(what, addr, e))
}

/// Binds UDP and TCP on the same port; with port 0, retries until a port is free for
/// both.
async fn bind_dns(addr: SocketAddr) -> Result<(UdpSocket, TcpListener), StartError> {
    let mut last_error = None;
    for _ in 0..20 {
        let udp = UdpSocket::bind(addr)
            .await
            .map_err(|e| bind_err("DNS over UDP", addr, e))?;
        let port = udp
            .local_addr()
            .map_err(|e| bind_err("DNS over UDP", addr, e))?
            .port();
        match TcpListener::bind(SocketAddr::new(addr.ip(), port)).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) if addr.port() == 0 => last_error = Some(e),
            Err(e) => return Err(bind_err("DNS over TCP", addr, e)),
        }
    }
    Err(bind_err(
        "DNS over TCP",
        addr,
        last_error.unwrap_or_else(|| std::io::Error::other("no free port")),
    ))
}

/// A running mock-dns. Drop it or call [`shutdown`](Self::shutdown) to stop.
pub struct RunningDns {
    handle: DnsHandle,
    handler: DnsHandler,
    dns_udp: Vec<SocketAddr>,
    dns_tcp: Vec<SocketAddr>,
    management: Option<SocketAddr>,
    http01: Vec<SocketAddr>,
    https01: Vec<SocketAddr>,
    tlsalpn01: Vec<SocketAddr>,
    shutdown: CancellationToken,
    server: Server<DnsHandler>,
    tasks: JoinSet<()>,
}

impl std::fmt::Debug for RunningDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningDns")
            .field("dns_udp", &self.dns_udp)
            .field("dns_tcp", &self.dns_tcp)
            .field("management", &self.management)
            .field("http01", &self.http01)
            .field("https01", &self.https01)
            .field("tlsalpn01", &self.tlsalpn01)
            .finish_non_exhaustive()
    }
}

impl RunningDns {
    /// The handle that changes records, faults and challenge responses directly.
    pub fn handle(&self) -> DnsHandle {
        self.handle.clone()
    }

    /// The DNS packet handler, for feeding it messages without a socket.
    pub fn dns_handler(&self) -> DnsHandler {
        self.handler.clone()
    }

    /// The first DNS address (UDP and TCP share it), if DNS is enabled.
    pub fn dns_addr(&self) -> Option<SocketAddr> {
        self.dns_udp.first().copied()
    }

    /// All bound DNS-over-UDP addresses.
    pub fn dns_udp_addrs(&self) -> &[SocketAddr] {
        &self.dns_udp
    }

    /// All bound DNS-over-TCP addresses.
    pub fn dns_tcp_addrs(&self) -> &[SocketAddr] {
        &self.dns_tcp
    }

    /// The management API address, if enabled.
    pub fn management_addr(&self) -> Option<SocketAddr> {
        self.management
    }

    /// The management API base URL (`http://127.0.0.1:PORT`), if enabled.
    pub fn management_url(&self) -> Option<String> {
        self.management.map(|a| format!("http://{a}"))
    }

    /// Bound HTTP-01 responder addresses.
    pub fn http01_addrs(&self) -> &[SocketAddr] {
        &self.http01
    }

    /// Bound HTTPS HTTP-01 responder addresses.
    pub fn https01_addrs(&self) -> &[SocketAddr] {
        &self.https01
    }

    /// Bound TLS-ALPN-01 responder addresses.
    pub fn tlsalpn01_addrs(&self) -> &[SocketAddr] {
        &self.tlsalpn01
    }

    /// A token that is cancelled when the server shuts down.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stops every listener and waits for in-flight work to finish.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        if let Err(error) = self.server.shutdown_gracefully().await {
            tracing::debug!(%error, "DNS server shutdown");
        }
        while self.tasks.join_next().await.is_some() {}
    }
}

impl Drop for RunningDns {
    fn drop(&mut self) {
        self.shutdown.cancel();
        self.server.shutdown_token().cancel();
    }
}
