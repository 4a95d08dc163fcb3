//! Challenge responders: an http-01 server and a tls-alpn-01 server on ephemeral ports.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::rt::{TokioExecutor, TokioIo};

/// Serves `/.well-known/acme-challenge/<token>` from a map.
pub struct Http01 {
    pub port: u16,
    pub tokens: Arc<Mutex<HashMap<String, String>>>,
}

impl Http01 {
    pub async fn start() -> Http01 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tokens: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let t = tokens.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let t = t.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(
                        move |req: http::Request<hyper::body::Incoming>| {
                            let t = t.clone();
                            async move {
                                let token = req
                                    .uri()
                                    .path()
                                    .strip_prefix("/.well-known/acme-challenge/")
                                    .unwrap_or_default()
                                    .to_string();
                                let found = t.lock().unwrap().get(&token).cloned();
                                let resp = match found {
                                    Some(body) => http::Response::new(Full::new(Bytes::from(body))),
                                    None => {
                                        let mut r = http::Response::new(Full::new(Bytes::new()));
                                        *r.status_mut() = http::StatusCode::NOT_FOUND;
                                        r
                                    }
                                };
                                Ok::<_, Infallible>(resp)
                            }
                        },
                    );
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tcp), svc)
                        .await;
                });
            }
        });
        Http01 { port, tokens }
    }

    pub fn add(&self, token: &str, key_authorization: &str) {
        self.tokens
            .lock()
            .unwrap()
            .insert(token.to_string(), key_authorization.to_string());
    }
}

/// Answers `acme-tls/1` handshakes with a certificate per SNI name.
pub struct TlsAlpn01 {
    pub port: u16,
    certs: Arc<Mutex<HashMap<String, Arc<rustls::sign::CertifiedKey>>>>,
}

#[derive(Debug)]
struct Resolver(Arc<Mutex<HashMap<String, Arc<rustls::sign::CertifiedKey>>>>);

impl rustls::server::ResolvesServerCert for Resolver {
    fn resolve(
        &self,
        hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        let name = hello.server_name()?.to_string();
        self.0.lock().unwrap().get(&name).cloned()
    }
}

impl TlsAlpn01 {
    pub async fn start() -> TlsAlpn01 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let certs: Arc<Mutex<HashMap<String, Arc<rustls::sign::CertifiedKey>>>> = Arc::default();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Resolver(certs.clone())));
        cfg.alpn_protocols = vec![b"acme-tls/1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let _ = acceptor.accept(tcp).await;
                });
            }
        });
        TlsAlpn01 { port, certs }
    }

    /// Serves the tls-alpn-01 certificate for `name` (a DNS name; the SNI).
    pub fn add(&self, name: &str, key_authorization: &str) {
        let digest =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key_authorization.as_bytes());
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap();
        params
            .custom_extensions
            .push(rcgen::CustomExtension::new_acme_identifier(digest.as_ref()));
        let cert = params.self_signed(&key).unwrap();
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let der = rustls_pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
        let signing = provider.key_provider.load_private_key(der).unwrap();
        let ck = rustls::sign::CertifiedKey::new(vec![cert.der().clone()], signing);
        self.certs
            .lock()
            .unwrap()
            .insert(name.to_string(), Arc::new(ck));
    }
}
