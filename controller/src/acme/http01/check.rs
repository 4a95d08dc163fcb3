//! The HTTP-01 self-check (`pkg/issuer/acme/http/http.go`): GET
//! `http://<dnsName>[:port]/.well-known/acme-challenge/<token>` and expect 200 with the
//! key authorization as the body. Names resolve through
//! `--acme-http01-solver-nameservers` when given, else the system resolver. HTTP
//! redirects are followed (at most 10), as Go's client does.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::Request;
use hyper_util::rt::TokioIo;

use crate::acme::solver_server::CHALLENGE_PATH;

/// The whole check's timeout, as cert-manager's `HTTP01Timeout`.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Redirects followed.
const MAX_REDIRECTS: usize = 10;
/// Largest body read.
const MAX_BODY: usize = 64 * 1024;

/// Where and how the check connects.
#[derive(Debug, Clone, Default)]
pub struct CheckSettings {
    /// The port of the first request (80 in production; the lab's edge port).
    pub port: u16,
    /// DNS servers to resolve through (empty: the system resolver).
    pub nameservers: Vec<SocketAddr>,
}

/// The URL the check requests first.
pub fn check_url(dns_name: &str, token: &str, port: u16) -> String {
    if port == 80 || port == 0 {
        format!("http://{dns_name}{CHALLENGE_PATH}/{token}")
    } else {
        format!("http://{dns_name}:{port}{CHALLENGE_PATH}/{token}")
    }
}

/// `Ok(())` when the solver answers with `key`; the error is the message cert-manager
/// puts after "Waiting for HTTP-01 challenge propagation: ".
pub async fn self_check(
    dns_name: &str,
    token: &str,
    key: &str,
    settings: &CheckSettings,
) -> Result<(), String> {
    let url = check_url(dns_name, token, settings.port);
    match tokio::time::timeout(TIMEOUT, fetch(&url, settings)).await {
        Err(_) => Err(format!(
            "failed to perform self check GET request '{url}': timeout after {}s",
            TIMEOUT.as_secs()
        )),
        Ok(Err(e)) => Err(format!(
            "failed to perform self check GET request '{url}': {e}"
        )),
        Ok(Ok((status, body))) => {
            if status != 200 {
                return Err(format!("wrong status code '{status}', expected '200'"));
            }
            let presented = String::from_utf8_lossy(&body);
            if presented != key {
                return Err(format!(
                    "presented key ({presented}) did not match expected ({key})"
                ));
            }
            Ok(())
        }
    }
}

async fn resolve(
    host: &str,
    port: u16,
    nameservers: &[SocketAddr],
) -> Result<Vec<SocketAddr>, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    if nameservers.is_empty() {
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("dial tcp: lookup {host}: {e}"))?
            .collect();
        return Ok(addrs);
    }
    use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
    use hickory_resolver::net::runtime::TokioRuntimeProvider;
    let servers = nameservers
        .iter()
        .map(|addr| {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
        })
        .collect();
    let cfg = ResolverConfig::from_parts(None, vec![], servers);
    let mut builder =
        hickory_resolver::Resolver::builder_with_config(cfg, TokioRuntimeProvider::default());
    let opts = builder.options_mut();
    opts.cache_size = 0;
    opts.timeout = Duration::from_secs(3);
    opts.attempts = 2;
    let resolver = builder
        .build()
        .map_err(|e| format!("dial tcp: lookup {host}: {e}"))?;
    let fqdn = if host.ends_with('.') {
        host.to_string()
    } else {
        format!("{host}.")
    };
    let lookup = resolver
        .lookup_ip(fqdn)
        .await
        .map_err(|e| format!("dial tcp: lookup {host}: {e}"))?;
    Ok(lookup.iter().map(|ip| SocketAddr::new(ip, port)).collect())
}

/// GETs `url`, following HTTP redirects; the final status and body.
async fn fetch(url: &str, settings: &CheckSettings) -> Result<(u16, Bytes), String> {
    let mut url: http::Uri = url.parse().map_err(|e| format!("{e}"))?;
    for _ in 0..=MAX_REDIRECTS {
        if url.scheme_str() != Some("http") {
            return Err(format!(
                "unsupported redirect to {url}: only http is followed"
            ));
        }
        let host = url.host().ok_or("no host")?.to_string();
        let port = url.port_u16().unwrap_or(80);
        let addrs = resolve(&host, port, &settings.nameservers).await?;
        let addr = addrs
            .first()
            .copied()
            .ok_or_else(|| format!("dial tcp: lookup {host}: no such host"))?;
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("dial tcp {addr}: {e}"))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let authority = url
            .authority()
            .map(|a| a.as_str().to_string())
            .unwrap_or_else(|| host.clone());
        let path = url
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".to_string());
        let req = Request::get(path)
            .header(http::header::HOST, authority)
            .header(http::header::USER_AGENT, "cert-manager-challenges/certlab")
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        if status.is_redirection()
            && let Some(loc) = resp
                .headers()
                .get(http::header::LOCATION)
                .and_then(|l| l.to_str().ok())
        {
            url = join(&url, loc)?;
            continue;
        }
        let body = Limited::new(resp.into_body(), MAX_BODY)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        return Ok((status.as_u16(), body));
    }
    Err("stopped after 10 redirects".to_string())
}

/// Resolves a `Location` against the URL it came from.
fn join(base: &http::Uri, location: &str) -> Result<http::Uri, String> {
    if location.contains("://") {
        return location.parse().map_err(|e| format!("{e}"));
    }
    let authority = base.authority().map(|a| a.as_str()).unwrap_or("");
    let scheme = base.scheme_str().unwrap_or("http");
    let path = if location.starts_with('/') {
        location.to_string()
    } else {
        let dir = base.path().rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        format!("{dir}/{location}")
    };
    format!("{scheme}://{authority}{path}")
        .parse()
        .map_err(|e| format!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acme::solver_server::{Challenge, bind, serve_listener};
    use tokio_util::sync::CancellationToken;

    #[test]
    fn urls_name_the_port_only_when_not_80() {
        assert_eq!(
            check_url("a.example", "t", 80),
            "http://a.example/.well-known/acme-challenge/t"
        );
        assert_eq!(
            check_url("a.example", "t", 5002),
            "http://a.example:5002/.well-known/acme-challenge/t"
        );
    }

    #[tokio::test]
    async fn passes_against_the_solver_and_explains_failures() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = CancellationToken::new();
        tokio::spawn(serve_listener(
            listener,
            Challenge {
                domain: "localhost".into(),
                token: "tok".into(),
                key: "tok.k".into(),
            },
            stop.clone(),
        ));
        let s = CheckSettings {
            port,
            nameservers: vec![],
        };
        self_check("localhost", "tok", "tok.k", &s).await.unwrap();
        assert_eq!(
            self_check("localhost", "other", "x", &s).await.unwrap_err(),
            "wrong status code '404', expected '200'"
        );
        assert_eq!(
            self_check("localhost", "tok", "tok.other", &s)
                .await
                .unwrap_err(),
            "presented key (tok.k) did not match expected (tok.other)"
        );
        stop.cancel();
        let err = self_check(
            "127.0.0.1",
            "tok",
            "k",
            &CheckSettings {
                port: 1,
                nameservers: vec![],
            },
        )
        .await
        .unwrap_err();
        assert!(
            err.starts_with("failed to perform self check GET request 'http://127.0.0.1:1/"),
            "{err}"
        );
    }
}
