//! Shared test helpers: starting mock-acme, a test DNS server, challenge responders, an
//! HTTPS client and a raw JWS signer.
#![allow(dead_code)]

pub mod dns;
pub mod jose;
pub mod responders;

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use mock_acme::{Config, MockAcme, RunningAcme};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// A started server and a temp dir holding its TLS CA.
pub struct Lab {
    pub acme: RunningAcme,
    pub dir: tempfile::TempDir,
    pub ca_path: PathBuf,
}

/// Config for tests: quiet, always-valid unless told otherwise.
pub fn always_valid() -> Config {
    Config {
        va_always_valid: true,
        ..Config::quiet()
    }
}

pub async fn start(cfg: Config) -> Lab {
    let acme = MockAcme::builder()
        .config(cfg)
        .start()
        .await
        .expect("mock-acme starts");
    lab_for(acme)
}

pub fn lab_for(acme: RunningAcme) -> Lab {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_path = dir.path().join("tls-ca.pem");
    acme.write_tls_ca(&ca_path).expect("write CA");
    Lab { acme, dir, ca_path }
}

impl Lab {
    pub fn https(&self) -> Https {
        Https::new(self.acme.tls_ca_pem())
    }

    pub async fn account(&self) -> instant_acme::Account {
        self.account_with_creds().await.0
    }

    pub async fn account_with_creds(
        &self,
    ) -> (instant_acme::Account, instant_acme::AccountCredentials) {
        instant_acme::Account::builder_with_root(&self.ca_path)
            .expect("builder")
            .create(
                &instant_acme::NewAccount {
                    contact: &["mailto:test@example.com"],
                    terms_of_service_agreed: true,
                    only_return_existing: false,
                },
                self.acme.directory_url(),
                None,
            )
            .await
            .expect("account created")
    }
}

/// A response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    pub fn links(&self) -> Vec<String> {
        self.headers
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }
    pub fn problem_type(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_string()
    }
}

/// A minimal HTTPS/1.1 client trusting one CA.
#[derive(Clone)]
pub struct Https {
    config: Arc<rustls::ClientConfig>,
}

impl Https {
    pub fn new(ca_pem: &str) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(c.expect("pem")).expect("root");
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Self {
            config: Arc::new(config),
        }
    }

    pub async fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Resp {
        let uri: http::Uri = url.parse().expect("url");
        let host = uri.host().unwrap().to_string();
        let port = uri.port_u16().unwrap_or(443);
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .expect("connect");
        let name = rustls_pki_types::ServerName::try_from(host.clone()).unwrap();
        let tls = tokio_rustls::TlsConnector::from(self.config.clone())
            .connect(name, tcp)
            .await
            .expect("tls");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        let mut req = http::Request::builder()
            .method(method)
            .uri(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
            .header("host", format!("{host}:{port}"));
        let mut has_ua = false;
        for (k, v) in headers {
            if k.eq_ignore_ascii_case("user-agent") {
                has_ua = true;
            }
            req = req.header(*k, *v);
        }
        if !has_ua {
            req = req.header("user-agent", "mock-acme-tests");
        }
        let resp = sender
            .send_request(req.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, url: &str) -> Resp {
        self.request("GET", url, &[], Vec::new()).await
    }
}

/// A CSR (DER) for `names` with a fresh key of `alg`.
pub fn csr(names: &[&str], alg: &'static rcgen::SignatureAlgorithm) -> (Vec<u8>, rcgen::KeyPair) {
    let key = rcgen::KeyPair::generate_for(alg).expect("key");
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("params");
    params.distinguished_name = rcgen::DistinguishedName::new();
    let der = params.serialize_request(&key).expect("csr").der().to_vec();
    (der, key)
}

/// Parses the PEM certificates of a chain.
pub fn chain_ders(pem: &str) -> Vec<Vec<u8>> {
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .map(|c| c.expect("pem").to_vec())
        .collect()
}

/// Verifies that `chain_pem` (leaf first) chains to `root_pem` for `name` with webpki.
pub fn verify_chain(chain_pem: &str, root_pem: &str, name: &str, at: std::time::SystemTime) {
    let ders = chain_ders(chain_pem);
    let root = CertificateDer::from_pem_slice(root_pem.as_bytes()).expect("root pem");
    let anchor = webpki::anchor_from_trusted_cert(&root)
        .expect("anchor")
        .to_owned();
    let leaf = CertificateDer::from(ders[0].clone());
    let ee = webpki::EndEntityCert::try_from(&leaf).expect("leaf parses");
    let inter: Vec<CertificateDer<'static>> = ders[1..]
        .iter()
        .map(|d| CertificateDer::from(d.clone()))
        .collect();
    let secs = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[anchor],
        &inter,
        rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs)),
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .expect("chain verifies to the root");
    let server_name = rustls_pki_types::ServerName::try_from(name.to_string()).unwrap();
    ee.verify_is_valid_for_subject_name(&server_name)
        .expect("name matches");
}
