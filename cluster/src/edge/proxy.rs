//! Forwarding one request to a pod over HTTP/1.1, as a reverse proxy: the path and
//! query kept, hop-by-hop headers dropped, `X-Forwarded-*` added.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response};
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// How long connecting to a pod may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a pod may take to send its response head.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why forwarding failed (the edge answers 502).
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// Connecting failed or timed out.
    #[error("connecting to {addr}: {reason}")]
    Connect {
        /// The upstream.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
    /// The HTTP exchange failed.
    #[error("talking to {addr}: {reason}")]
    Exchange {
        /// The upstream.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
}

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Removes the hop-by-hop headers, including those `Connection` names.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(*name);
    }
}

/// Adds the client to `X-Forwarded-For` and sets `X-Forwarded-Host`/`-Proto`.
fn forwarded_headers(headers: &mut HeaderMap, client: SocketAddr, host: &str) {
    let ip = client.ip().to_string();
    let xff = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(prior) if !prior.trim().is_empty() => format!("{prior}, {ip}"),
        _ => ip,
    };
    if let Ok(v) = HeaderValue::from_str(&xff) {
        headers.insert("x-forwarded-for", v);
    }
    if !host.is_empty()
        && let Ok(v) = HeaderValue::from_str(host)
    {
        headers.insert("x-forwarded-host", v);
    }
    headers.insert("x-forwarded-proto", HeaderValue::from_static("http"));
}

/// The body type of the edge's responses.
pub type EdgeBody = BoxBody<Bytes, hyper::Error>;

/// Sends `request` to `upstream` and returns its response (streamed).
pub async fn forward(
    request: Request<Incoming>,
    upstream: SocketAddr,
    client: SocketAddr,
    host_header: &str,
) -> Result<Response<EdgeBody>, ProxyError> {
    let connect_err = |reason: String| ProxyError::Connect {
        addr: upstream,
        reason,
    };
    let exchange_err = |reason: String| ProxyError::Exchange {
        addr: upstream,
        reason,
    };
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(upstream))
        .await
        .map_err(|_| connect_err("timed out".into()))?
        .map_err(|e| connect_err(e.to_string()))?;
    let _ = stream.set_nodelay(true);
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| exchange_err(e.to_string()))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(%upstream, error = %e, "upstream connection ended with an error");
        }
    });
    let (mut parts, body) = request.into_parts();
    // Origin form towards the pod: path and query only.
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_string();
    parts.uri = path
        .parse()
        .map_err(|e: http::uri::InvalidUri| exchange_err(e.to_string()))?;
    parts.version = http::Version::HTTP_11;
    strip_hop_by_hop(&mut parts.headers);
    forwarded_headers(&mut parts.headers, client, host_header);
    if !parts.headers.contains_key(http::header::HOST)
        && let Ok(v) = HeaderValue::from_str(host_header)
    {
        parts.headers.insert(http::header::HOST, v);
    }
    let outgoing = Request::from_parts(parts, body);
    let response = tokio::time::timeout(RESPONSE_TIMEOUT, sender.send_request(outgoing))
        .await
        .map_err(|_| exchange_err("no response in time".into()))?
        .map_err(|e| exchange_err(e.to_string()))?;
    let (mut parts, body) = response.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    Ok(Response::from_parts(parts, body.boxed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_go() {
        let mut h = HeaderMap::new();
        h.insert("connection", HeaderValue::from_static("close, x-private"));
        h.insert("x-private", HeaderValue::from_static("1"));
        h.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        h.insert("content-type", HeaderValue::from_static("text/plain"));
        strip_hop_by_hop(&mut h);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key("content-type"));
    }

    #[test]
    fn forwarded_for_appends() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("10.0.0.1"));
        forwarded_headers(&mut h, "127.0.0.1:5000".parse().unwrap(), "a.lab:80");
        assert_eq!(h["x-forwarded-for"], "10.0.0.1, 127.0.0.1");
        assert_eq!(h["x-forwarded-host"], "a.lab:80");
    }
}
