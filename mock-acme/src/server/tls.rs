//! The HTTPS identity of the ACME and management listeners: either generated (a fresh
//! CA plus a leaf for localhost, 127.0.0.1 and ::1) or loaded from `certificate` /
//! `privateKey`.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::ca::{hex, random_serial};

/// Errors setting up TLS.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading the configured files failed.
    #[error("reading {path}: {detail}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        detail: String,
    },
    /// Generating the certificate failed.
    #[error("generating the HTTPS certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the material.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The server TLS config plus the PEM clients should trust.
#[derive(Debug, Clone)]
pub struct ServerTls {
    /// The rustls config (ALPN h2 and http/1.1).
    pub config: Arc<ServerConfig>,
    /// PEM of the CA that signed the HTTPS certificate (or, for a loaded certificate,
    /// the last certificate of its chain).
    pub ca_pem: String,
}

fn server_config(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut cfg = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// Generates a CA and a leaf naming localhost, 127.0.0.1, ::1 and `extra_ips`.
pub fn generate(extra_ips: &[IpAddr]) -> Result<ServerTls, TlsError> {
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name = rcgen::DistinguishedName::new();
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("mock-acme HTTPS CA {}", hex(&random_serial()[..3])),
    );
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.serial_number = Some(rcgen::SerialNumber::from_slice(&random_serial()));
    let now = std::time::SystemTime::now();
    ca.not_before = (now - std::time::Duration::from_secs(3600)).into();
    ca.not_after = (now + std::time::Duration::from_secs(10 * 365 * 86_400)).into();
    let ca_cert = ca.self_signed(&ca_key)?;

    let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut leaf = CertificateParams::default();
    leaf.distinguished_name = rcgen::DistinguishedName::new();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let mut sans = vec![
        SanType::DnsName("localhost".try_into()?),
        SanType::IpAddress(IpAddr::from([127, 0, 0, 1])),
        SanType::IpAddress("::1".parse().unwrap_or(IpAddr::from([0u8; 16]))),
    ];
    for ip in extra_ips {
        if !ip.is_unspecified() && !ip.is_loopback() {
            sans.push(SanType::IpAddress(*ip));
        }
    }
    leaf.subject_alt_names = sans;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.serial_number = Some(rcgen::SerialNumber::from_slice(&random_serial()));
    leaf.not_before = ca.not_before;
    leaf.not_after = ca.not_after;
    leaf.use_authority_key_identifier_extension = true;
    let issuer = Issuer::from_params(&ca, &ca_key);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;
    let key = PrivateKeyDer::try_from(leaf_key.serialize_der()).map_err(|e| TlsError::Read {
        path: "generated key".into(),
        detail: e.to_string(),
    })?;
    let config = server_config(vec![leaf_cert.der().clone(), ca_cert.der().clone()], key)?;
    Ok(ServerTls {
        config,
        ca_pem: ca_cert.pem(),
    })
}

/// Loads `certificate` and `privateKey` PEM files.
pub fn load(cert_path: &Path, key_path: &Path) -> Result<ServerTls, TlsError> {
    let read_err = |p: &Path, e: &dyn std::fmt::Display| TlsError::Read {
        path: p.display().to_string(),
        detail: e.to_string(),
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_path)
        .map_err(|e| read_err(cert_path, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| read_err(cert_path, &e))?;
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| read_err(key_path, &e))?;
    let last = certs
        .last()
        .ok_or_else(|| read_err(cert_path, &"no certificate in file"))?;
    let ca_pem = crate::ca::pem::encode("CERTIFICATE", last);
    Ok(ServerTls {
        config: server_config(certs, key)?,
        ca_pem,
    })
}
