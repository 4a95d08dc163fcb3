//! http-01 (RFC 8555 section 8.3): GET `http://<id>:<httpPort>/.well-known/acme-challenge/<token>`,
//! following redirects (TLS not verified), and compare the trimmed body with the key
//! authorization.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::va::tls::no_verify_client_config;
use crate::wfe::problem::{Problem, ProblemType};

/// Largest challenge response read.
const MAX_BODY: usize = 16 * 1024;
/// Redirects followed at most.
const MAX_REDIRECTS: usize = 10;

fn connection(detail: String) -> Problem {
    Problem::new(ProblemType::Connection, detail)
}

/// Fetches the challenge response.
pub async fn fetch(
    host: &str,
    first_ip: IpAddr,
    port: u16,
    token: &str,
    resolve: impl AsyncFn(&str) -> Result<IpAddr, Problem>,
    timeout: Duration,
) -> Result<String, Problem> {
    let host_header = match first_ip {
        _ if host.parse::<IpAddr>().is_ok() => bracket(host),
        _ => host.to_string(),
    };
    let mut url = format!("http://{host_header}:{port}/.well-known/acme-challenge/{token}");
    let mut ip = first_ip;
    for _ in 0..=MAX_REDIRECTS {
        let uri: Uri = url
            .parse()
            .map_err(|_| connection(format!("invalid URL {url:?}")))?;
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => {
                return Err(connection(format!(
                    "redirect to unsupported scheme in {url:?}"
                )));
            }
        };
        let uri_host = uri
            .host()
            .ok_or_else(|| connection(format!("no host in {url:?}")))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let uri_port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let path = uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let resp = tokio::time::timeout(
            timeout,
            get_once(SocketAddr::new(ip, uri_port), https, &uri_host, &path),
        )
        .await
        .map_err(|_| connection(format!("Timeout after connect to {url}")))??;
        match resp {
            Response::Redirect(location) => {
                url = join(&uri, &location);
                let next: Uri = url
                    .parse()
                    .map_err(|_| connection(format!("invalid redirect {location:?}")))?;
                let next_host = next
                    .host()
                    .unwrap_or_default()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string();
                ip = match next_host.parse::<IpAddr>() {
                    Ok(a) => a,
                    Err(_) => resolve(&next_host).await?,
                };
            }
            Response::Status(code) => {
                return Err(Problem::unauthorized(format!(
                    "Non-200 status code from HTTP: {url} returned {code}"
                )));
            }
            Response::Body(body) => return Ok(body),
        }
    }
    Err(connection(format!("too many redirects fetching {url}")))
}

fn bracket(host: &str) -> String {
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(_)) => format!("[{host}]"),
        _ => host.to_string(),
    }
}

fn join(base: &Uri, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_string();
    }
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map(|a| a.as_str()).unwrap_or_default();
    if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let dir = base.path().rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        format!("{scheme}://{authority}{dir}/{location}")
    }
}

enum Response {
    Redirect(String),
    Status(u16),
    Body(String),
}

async fn get_once(
    addr: SocketAddr,
    https: bool,
    host: &str,
    path: &str,
) -> Result<Response, Problem> {
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| connection(format!("Connection refused or failed to {addr}: {e}")))?;
    if https {
        let config = no_verify_client_config(Vec::new())
            .map_err(|e| Problem::internal(format!("TLS client setup: {e}")))?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let name = rustls_pki_types::ServerName::try_from(host.to_string())
            .map_err(|_| connection(format!("invalid TLS server name {host:?}")))?;
        let tls = connector
            .connect(name, tcp)
            .await
            .map_err(|e| Problem::new(ProblemType::Tls, format!("TLS error with {addr}: {e}")))?;
        request(TokioIo::new(tls), host, path).await
    } else {
        request(TokioIo::new(tcp), host, path).await
    }
}

async fn request<T>(io: TokioIo<T>, host: &str, path: &str) -> Result<Response, Problem>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| connection(format!("HTTP handshake failed: {e}")))?;
    let driver = tokio::spawn(conn);
    let req = Request::get(path)
        .header(http::header::HOST, host)
        .header(http::header::USER_AGENT, "mock-acme-va")
        .header(http::header::ACCEPT, "*/*")
        .body(Empty::<Bytes>::new())
        .map_err(|e| connection(format!("building request: {e}")))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| connection(format!("HTTP request failed: {e}")))?;
    let status = resp.status();
    let result = if status.is_redirection() {
        match resp
            .headers()
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
        {
            Some(loc) => Response::Redirect(loc.to_string()),
            None => Response::Status(status.as_u16()),
        }
    } else if status != http::StatusCode::OK {
        Response::Status(status.as_u16())
    } else {
        let body = Limited::new(resp.into_body(), MAX_BODY)
            .collect()
            .await
            .map_err(|e| connection(format!("reading HTTP response: {e}")))?
            .to_bytes();
        Response::Body(String::from_utf8_lossy(&body).into_owned())
    };
    driver.abort();
    Ok(result)
}
