//! The HTTP-01 solver's server (cert-manager's `cmd/acmesolver`): answers
//! `GET /.well-known/acme-challenge/<token>` with the key authorization when the
//! request's host is the challenge's domain, and 404 otherwise. `/` and `/healthz`
//! answer 200 for health checks. The `certlab-acmesolver` binary and the lab's node
//! runtime (which runs solver Pods on their loopback pod IPs) both call [`serve`].

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The path prefix of HTTP-01 challenges.
pub const CHALLENGE_PATH: &str = "/.well-known/acme-challenge";
/// The port solver Pods listen on.
pub const LISTEN_PORT: u16 = 8089;

/// Why the solver could not serve.
#[derive(Debug, thiserror::Error)]
pub enum SolverServerError {
    /// Binding or serving failed.
    #[error("acmesolver: {0}")]
    Io(#[from] std::io::Error),
    /// Only loopback addresses may be bound (the lab's pod IPs are 127.x.y.z).
    #[error("acmesolver: refusing to listen on non-loopback address {0}")]
    NotLoopback(SocketAddr),
}

/// What one solver answers.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// The domain requests must be for (`--domain`).
    pub domain: String,
    /// The challenge token (`--token`).
    pub token: String,
    /// The key authorization (`--key`).
    pub key: String,
}

impl Challenge {
    /// The challenge of a solver container's arguments (`--domain=…`, `--token=…`,
    /// `--key=…`, also in the `--flag value` form), and its `--listen-port` (8089 when
    /// absent). `None` when domain, token or key is missing or the port is not a
    /// number: what a node runtime needs to run a solver Pod with [`serve`].
    pub fn from_args(args: &[String]) -> Option<(Self, u16)> {
        let mut domain = None;
        let mut token = None;
        let mut key = None;
        let mut port = None;
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let Some(flag) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
                continue;
            };
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n, v.to_string()),
                None => (flag, it.next()?.clone()),
            };
            match name {
                "domain" => domain = Some(value),
                "token" => token = Some(value),
                "key" => key = Some(value),
                "listen-port" => port = Some(value.parse().ok()?),
                _ => {}
            }
        }
        Some((
            Self {
                domain: domain?,
                token: token?,
                key: key?,
            },
            port.unwrap_or(LISTEN_PORT),
        ))
    }
}

/// Binds `listen` (loopback only) and serves the challenge until `stop`.
pub async fn serve(
    listen: SocketAddr,
    domain: String,
    token: String,
    key: String,
    stop: CancellationToken,
) -> Result<(), SolverServerError> {
    let listener = bind(listen).await?;
    serve_listener(listener, Challenge { domain, token, key }, stop).await
}

/// Binds a loopback address for [`serve_listener`] (port 0 picks one).
pub async fn bind(listen: SocketAddr) -> Result<TcpListener, SolverServerError> {
    if !listen.ip().is_loopback() {
        return Err(SolverServerError::NotLoopback(listen));
    }
    Ok(TcpListener::bind(listen).await?)
}

/// Serves the challenge on an already bound listener until `stop`.
pub async fn serve_listener(
    listener: TcpListener,
    challenge: Challenge,
    stop: CancellationToken,
) -> Result<(), SolverServerError> {
    tracing::info!(
        domain = %challenge.domain,
        token = %challenge.token,
        addr = ?listener.local_addr().ok(),
        "acmesolver listening"
    );
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(Arc::new(challenge));
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await?;
    Ok(())
}

/// The host a request is for, without its port (`[v6]` brackets removed).
fn request_host(req: &Request) -> String {
    let raw = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_string()))
        .unwrap_or_default();
    parse_host(&raw).to_string()
}

/// `host:port` → `host`; `[::1]:80` → `::1`; a bare host stays.
fn parse_host(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((h, _)) => h,
            None => rest,
        };
    }
    match s.rsplit_once(':') {
        // One colon: host:port. More: an unbracketed IPv6 literal, kept whole.
        Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => s,
    }
}

fn no_cache(status: StatusCode, body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, must-revalidate"),
    );
    resp
}

fn not_found() -> Response {
    let mut resp = Response::new(Body::from("404 page not found\n"));
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

async fn handle(State(ch): State<Arc<Challenge>>, req: Request) -> Response {
    let path = req.uri().path();
    if path == "/" || path == "/healthz" {
        return no_cache(StatusCode::OK, String::new());
    }
    let trimmed = path.trim_end_matches('/');
    let (dir, base) = trimmed.rsplit_once('/').unwrap_or(("", trimmed));
    let host = request_host(&req);
    if dir != CHALLENGE_PATH {
        tracing::debug!(%path, "acmesolver: wrong base path");
        return not_found();
    }
    if host != ch.domain {
        tracing::debug!(%host, expected = %ch.domain, "acmesolver: wrong host");
        return not_found();
    }
    if base != ch.token {
        tracing::debug!(token = %base, "acmesolver: wrong token");
        return not_found();
    }
    no_cache(StatusCode::OK, ch.key.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_lose_their_ports() {
        assert_eq!(parse_host("example.com:8080"), "example.com");
        assert_eq!(parse_host("example.com"), "example.com");
        assert_eq!(parse_host("[::1]:80"), "::1");
        assert_eq!(parse_host("[::1]"), "::1");
        assert_eq!(parse_host("::1"), "::1");
        assert_eq!(parse_host(""), "");
    }

    async fn get(addr: SocketAddr, host: &str, path: &str) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        let status = out
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
        (status, body)
    }

    #[test]
    fn solver_pod_args_parse() {
        let args: Vec<String> = [
            "--listen-port=8089",
            "--domain=a.example",
            "--token",
            "t",
            "--key=t.k",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (ch, port) = Challenge::from_args(&args).unwrap();
        assert_eq!(
            (ch.domain.as_str(), ch.token.as_str(), ch.key.as_str(), port),
            ("a.example", "t", "t.k", 8089)
        );
        assert!(
            Challenge::from_args(&args[..2]).is_none(),
            "token and key are required"
        );
        let bad: Vec<String> = ["--listen-port=x", "--domain=d", "--token=t", "--key=k"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(Challenge::from_args(&bad).is_none());
    }

    #[tokio::test]
    async fn answers_only_its_domain_and_token() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = CancellationToken::new();
        let task = tokio::spawn(serve_listener(
            listener,
            Challenge {
                domain: "example.com".into(),
                token: "tok".into(),
                key: "tok.thumb".into(),
            },
            stop.clone(),
        ));
        let ok = "/.well-known/acme-challenge/tok";
        assert_eq!(
            get(addr, "example.com", ok).await,
            (200, "tok.thumb".into())
        );
        assert_eq!(
            get(addr, "example.com:80", ok).await,
            (200, "tok.thumb".into())
        );
        assert_eq!(get(addr, "other.com", ok).await.0, 404);
        assert_eq!(
            get(addr, "example.com", "/.well-known/acme-challenge/nope")
                .await
                .0,
            404
        );
        assert_eq!(get(addr, "example.com", "/elsewhere/tok").await.0, 404);
        assert_eq!(get(addr, "anything", "/healthz").await.0, 200);
        assert_eq!(get(addr, "anything", "/").await.0, 200);
        stop.cancel();
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn refuses_non_loopback_addresses() {
        let err = serve(
            "0.0.0.0:0".parse().unwrap(),
            "d".into(),
            "t".into(),
            "k".into(),
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, SolverServerError::NotLoopback(_)));
    }
}
