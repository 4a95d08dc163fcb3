//! The HTTPS listener: TLS, bearer-token authentication, HTTP/1.1 and HTTP/2.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use http::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::api::{ApiServer, status_response};
use crate::status::StatusError;

/// Why the listener could not start.
#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    /// Binding the address failed.
    #[error("binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// Only loopback addresses are served.
    #[error("refusing to listen on {0}: certlab-cluster serves loopback addresses only")]
    NotLoopback(SocketAddr),
    /// TLS could not be set up.
    #[error("TLS setup: {0}")]
    Tls(String),
}

/// A running listener.
#[derive(Debug)]
pub struct Listener {
    /// The bound address.
    pub addr: SocketAddr,
    stop: CancellationToken,
}

impl Listener {
    /// Binds `addr` and serves `server` over TLS, requiring `token`.
    pub async fn start(
        server: Arc<ApiServer>,
        addr: SocketAddr,
        tls: rustls::ServerConfig,
        token: String,
        stop: CancellationToken,
    ) -> Result<Self, ListenerError> {
        if !addr.ip().is_loopback() {
            return Err(ListenerError::NotLoopback(addr));
        }
        let tcp = TcpListener::bind(addr)
            .await
            .map_err(|source| ListenerError::Bind { addr, source })?;
        let addr = tcp
            .local_addr()
            .map_err(|source| ListenerError::Bind { addr, source })?;
        let acceptor = TlsAcceptor::from(Arc::new(tls));
        let token = Arc::new(format!("Bearer {token}"));
        let accept_stop = stop.clone();
        tokio::spawn(async move {
            loop {
                let (stream, _) = tokio::select! {
                    _ = accept_stop.cancelled() => return,
                    accepted = tcp.accept() => match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            continue;
                        }
                    },
                };
                let _ = stream.set_nodelay(true);
                let acceptor = acceptor.clone();
                let server = server.clone();
                let token = token.clone();
                let conn_stop = accept_stop.clone();
                tokio::spawn(async move {
                    let tls = match acceptor.accept(stream).await {
                        Ok(tls) => tls,
                        Err(e) => {
                            tracing::debug!(error = %e, "TLS handshake failed");
                            return;
                        }
                    };
                    let service =
                        hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                            let server = server.clone();
                            let token = token.clone();
                            async move {
                                Ok::<_, std::convert::Infallible>(
                                    authorize_and_handle(server, &token, req).await,
                                )
                            }
                        });
                    let builder =
                        hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
                    tokio::select! {
                        r = conn => if let Err(e) = r { tracing::debug!(error = %e, "connection ended") },
                        _ = conn_stop.cancelled() => {}
                    }
                });
            }
        });
        Ok(Self { addr, stop })
    }

    /// Stops accepting and closes connections.
    pub fn stop(&self) {
        self.stop.cancel();
    }
}

/// Paths anyone may read, as the API server's `system:public-info-viewer` allows.
fn is_public(path: &str) -> bool {
    matches!(path, "/healthz" | "/livez" | "/readyz")
        || path.starts_with("/healthz/")
        || path.starts_with("/livez/")
        || path.starts_with("/readyz/")
}

async fn authorize_and_handle(
    server: Arc<ApiServer>,
    expected: &str,
    req: Request<hyper::body::Incoming>,
) -> Response<Body> {
    let presented = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    let authorized = presented.is_some_and(|p| constant_time_eq(p, expected.as_bytes()));
    if !authorized && !is_public(req.uri().path()) {
        return status_response(&StatusError::unauthorized());
    }
    server.handle(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
