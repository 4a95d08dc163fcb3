//! challtestsrv's challenge responders: HTTP-01 over HTTP and HTTPS (self-signed), and
//! TLS-ALPN-01 (RFC 8737), with request history.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HOST, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rcgen::{CertificateParams, CustomExtension, DistinguishedName, DnType, KeyPair, SanType};
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::{CertifiedKey, SigningKey};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use crate::history::{HttpEvent, TlsAlpnEvent};
use crate::store::DnsHandle;

/// The HTTP-01 path prefix (RFC 8555 §8.3).
const WELL_KNOWN: &str = "/.well-known/acme-challenge/";
/// The TLS-ALPN-01 protocol name (RFC 8737).
const ACME_TLS_1: &[u8] = b"acme-tls/1";
/// Longest time one challenge connection may take.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// TLS material for the HTTPS-01 and TLS-ALPN-01 responders, generated at start.
#[derive(Debug)]
pub struct ChallengeTls {
    provider: Arc<CryptoProvider>,
    https: Arc<ServerConfig>,
    key: Arc<KeyPair>,
    signing: Arc<dyn SigningKey>,
}

fn tls_err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl ChallengeTls {
    /// Generates a P-256 key and the self-signed HTTPS certificate.
    pub fn new() -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let key = KeyPair::generate().map_err(tls_err)?;
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signing = provider
            .key_provider
            .load_private_key(key_der.clone_key())
            .map_err(tls_err)?;

        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(tls_err)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "challenge test server");
        params.distinguished_name = dn;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let cert = params.self_signed(&key).map_err(tls_err)?;
        let https = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(tls_err)?
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key_der)
            .map_err(tls_err)?;
        Ok(Self {
            provider,
            https: Arc::new(https),
            key: Arc::new(key),
            signing,
        })
    }

    /// The acceptor of the HTTPS HTTP-01 responder.
    pub fn https_acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.https.clone())
    }

    /// The acceptor of the TLS-ALPN-01 responder.
    pub fn tlsalpn_acceptor(&self, handle: DnsHandle) -> TlsAcceptor {
        let resolver = AlpnResolver {
            handle,
            key: self.key.clone(),
            signing: self.signing.clone(),
        };
        let config = ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map(|b| {
                b.with_no_client_auth()
                    .with_cert_resolver(Arc::new(resolver))
            });
        match config {
            Ok(mut c) => {
                c.alpn_protocols = vec![ACME_TLS_1.to_vec()];
                TlsAcceptor::from(Arc::new(c))
            }
            // The provider's defaults are always valid; fall back to the HTTPS config.
            Err(_) => self.https_acceptor(),
        }
    }
}

/// Picks (builds) the TLS-ALPN-01 certificate for each ClientHello.
#[derive(Debug)]
struct AlpnResolver {
    handle: DnsHandle,
    key: Arc<KeyPair>,
    signing: Arc<dyn SigningKey>,
}

/// `4.3.2.1.in-addr.arpa` → 1.2.3.4, and the ip6.arpa nibble form.
fn ip_from_reverse(name: &str) -> Option<IpAddr> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if let Some(v4) = name.strip_suffix(".in-addr.arpa") {
        let mut octets: Vec<u8> = v4
            .split('.')
            .map(|o| o.parse().ok())
            .collect::<Option<_>>()?;
        if octets.len() != 4 {
            return None;
        }
        octets.reverse();
        return Some(IpAddr::V4(Ipv4Addr::new(
            octets[0], octets[1], octets[2], octets[3],
        )));
    }
    let v6 = name.strip_suffix(".ip6.arpa")?;
    let nibbles: Vec<u8> = v6
        .split('.')
        .map(|n| u8::from_str_radix(n, 16).ok().filter(|_| n.len() == 1))
        .collect::<Option<_>>()?;
    if nibbles.len() != 32 {
        return None;
    }
    let mut bytes = [0u8; 16];
    for (i, pair) in nibbles.rchunks(2).enumerate() {
        if let (Some(slot), [lo, hi]) = (bytes.get_mut(i), pair) {
            *slot = (hi << 4) | lo;
        }
    }
    Some(IpAddr::V6(Ipv6Addr::from(bytes)))
}

impl ResolvesServerCert for AlpnResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let server_name = hello.server_name().unwrap_or_default().to_owned();
        let protos: Vec<Vec<u8>> = hello
            .alpn()
            .map(|it| it.map(<[u8]>::to_vec).collect())
            .unwrap_or_default();
        self.handle.store.history().record_tlsalpn(TlsAlpnEvent {
            server_name: server_name.clone(),
            supported_protos: protos
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect(),
        });
        if protos.len() != 1 || protos.first().map(Vec::as_slice) != Some(ACME_TLS_1) {
            debug!(
                server_name,
                "TLS-ALPN-01: client did not offer exactly acme-tls/1"
            );
            return None;
        }
        let key_authorization = self
            .handle
            .store
            .read()
            .tlsalpn01
            .get(&server_name.to_ascii_lowercase())
            .cloned()?;
        let digest = Sha256::digest(key_authorization.as_bytes());
        let mut params = CertificateParams::default();
        params.serial_number = Some(rcgen::SerialNumber::from(1729u64));
        params.subject_alt_names = vec![match ip_from_reverse(&server_name) {
            Some(ip) if server_name.ends_with(".arpa") => SanType::IpAddress(ip),
            _ => SanType::DnsName(server_name.clone().try_into().ok()?),
        }];
        params.custom_extensions = vec![CustomExtension::new_acme_identifier(&digest)];
        let cert = params.self_signed(self.key.as_ref()).ok()?;
        Some(Arc::new(CertifiedKey::new(
            vec![cert.der().clone()],
            self.signing.clone(),
        )))
    }
}

fn full(
    status: StatusCode,
    content_type: Option<&'static str>,
    body: String,
) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(status);
    if let Some(ct) = content_type {
        builder = builder.header(CONTENT_TYPE, ct);
    }
    builder
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// The HTTP-01 responder's answer to one request.
fn respond(
    handle: &DnsHandle,
    req: &Request<Incoming>,
    https: bool,
    server_name: &str,
) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    let url = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let host = req
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_default();
    handle.store.history().record_http(HttpEvent {
        url,
        host,
        https,
        server_name: server_name.to_owned(),
    });
    let state = handle.store.read();
    if !https && let Some(target) = state.redirects.get(&path) {
        let body = format!("<a href=\"{}\">Found</a>.\n\n", html_escape(target));
        let mut r = full(StatusCode::FOUND, Some("text/html; charset=utf-8"), body);
        if let Ok(v) = target.parse() {
            r.headers_mut().insert(LOCATION, v);
        }
        return r;
    }
    if let Some(token) = path.strip_prefix(WELL_KNOWN)
        && let Some(content) = state.http01.get(token)
    {
        return full(
            StatusCode::OK,
            Some("text/plain; charset=utf-8"),
            content.clone(),
        );
    }
    full(StatusCode::OK, None, String::new())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

async fn serve_connection<S>(io: S, handle: DnsHandle, https: bool, server_name: String)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: Request<Incoming>| {
        let r = respond(&handle, &req, https, &server_name);
        async move { Ok::<_, Infallible>(r) }
    });
    let conn = http1::Builder::new()
        .keep_alive(false)
        .serve_connection(TokioIo::new(io), service);
    match tokio::time::timeout(CONNECTION_TIMEOUT, conn).await {
        Ok(Err(error)) => debug!(%error, "HTTP-01 connection error"),
        Err(_) => debug!("HTTP-01 connection timed out"),
        Ok(Ok(())) => {}
    }
}

/// Serves HTTP-01 on `listener` (over TLS when `tls` is given) until `shutdown`.
pub async fn serve_http01(
    listener: TcpListener,
    handle: DnsHandle,
    tls: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = shutdown.cancelled() => return,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let handle = handle.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_connection(stream, handle, false, String::new()).await,
                Some(acceptor) => {
                    match tokio::time::timeout(CONNECTION_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls_stream)) => {
                            let sni = tls_stream
                                .get_ref()
                                .1
                                .server_name()
                                .unwrap_or_default()
                                .to_owned();
                            serve_connection(tls_stream, handle, true, sni).await;
                        }
                        Ok(Err(error)) => debug!(%error, "HTTPS-01 handshake failed"),
                        Err(_) => debug!("HTTPS-01 handshake timed out"),
                    }
                }
            }
        });
    }
}

/// Serves TLS-ALPN-01 on `listener` until `shutdown`: completes the handshake with the
/// challenge certificate, then closes.
pub async fn serve_tlsalpn01(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    shutdown: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = shutdown.cancelled() => return,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(CONNECTION_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(mut tls_stream)) => {
                    let _ = tls_stream.shutdown().await;
                }
                Ok(Err(error)) => debug!(%error, "TLS-ALPN-01 handshake failed"),
                Err(_) => debug!("TLS-ALPN-01 handshake timed out"),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names_parse() {
        assert_eq!(
            ip_from_reverse("4.3.2.1.in-addr.arpa"),
            Some("1.2.3.4".parse().unwrap())
        );
        let v6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
        assert_eq!(ip_from_reverse(v6), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(ip_from_reverse("example.com"), None);
        assert_eq!(ip_from_reverse("1.2.in-addr.arpa"), None);
    }
}
