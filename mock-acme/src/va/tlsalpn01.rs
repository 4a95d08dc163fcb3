//! tls-alpn-01 (RFC 8737): connect with ALPN `acme-tls/1` and SNI naming the identifier
//! (the reverse-DNS name for IPs, RFC 8738), then check that the self-presented
//! certificate names exactly the identifier and carries a critical acmeIdentifier
//! extension holding SHA-256 of the key authorization.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::FromDer;

use crate::va::tls::no_verify_client_config;
use crate::wfe::problem::{Problem, ProblemType};

/// The ALPN protocol.
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";
const OID_ACME_IDENTIFIER: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 31];

/// The reverse-DNS name of an IP (`4.3.2.1.in-addr.arpa`, nibbles for IPv6).
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut s = String::new();
            for b in v6.octets().iter().rev() {
                s.push_str(&format!("{:x}.{:x}.", b & 0xf, b >> 4));
            }
            s.push_str("ip6.arpa");
            s
        }
    }
}

fn tls_problem(detail: String) -> Problem {
    Problem::new(ProblemType::Tls, detail)
}

/// Performs the check against `addr`.
pub async fn validate(
    identifier: &str,
    addr: SocketAddr,
    expected_digest: &[u8],
    timeout: Duration,
) -> Result<(), Problem> {
    tokio::time::timeout(timeout, validate_inner(identifier, addr, expected_digest))
        .await
        .map_err(|_| {
            Problem::new(
                ProblemType::Connection,
                format!("Timeout during TLS-ALPN-01 with {addr}"),
            )
        })?
}

async fn validate_inner(
    identifier: &str,
    addr: SocketAddr,
    expected: &[u8],
) -> Result<(), Problem> {
    let ip_ident = identifier.parse::<IpAddr>().ok();
    let sni = match ip_ident {
        Some(ip) => reverse_name(ip),
        None => identifier.to_string(),
    };
    let config = no_verify_client_config(vec![ACME_TLS_ALPN.to_vec()])
        .map_err(|e| Problem::internal(format!("TLS client setup: {e}")))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(addr).await.map_err(|e| {
        Problem::new(
            ProblemType::Connection,
            format!("Connection refused or failed to {addr}: {e}"),
        )
    })?;
    let name = rustls_pki_types::ServerName::try_from(sni.clone())
        .map_err(|_| Problem::malformed(format!("invalid SNI name {sni:?}")))?;
    let tls = connector.connect(name, tcp).await.map_err(|e| {
        tls_problem(format!(
            "TLS handshake with {addr} for {identifier} failed: {e}"
        ))
    })?;
    let (_, session) = tls.get_ref();
    if session.alpn_protocol() != Some(ACME_TLS_ALPN) {
        return Err(Problem::unauthorized(format!(
            "Cannot negotiate ALPN protocol \"acme-tls/1\" for tls-alpn-01 challenge with {addr}"
        )));
    }
    let cert = session
        .peer_certificates()
        .and_then(|c| c.first())
        .ok_or_else(|| tls_problem("no certificate presented".into()))?;
    check_certificate(identifier, ip_ident, cert.as_ref(), expected)
}

/// Checks a presented certificate (public for tests).
pub fn check_certificate(
    identifier: &str,
    ip: Option<IpAddr>,
    der: &[u8],
    expected: &[u8],
) -> Result<(), Problem> {
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der)
        .map_err(|e| Problem::unauthorized(format!("unparsable tls-alpn-01 certificate: {e}")))?;
    let sans = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|s| s.value.general_names.clone())
        .unwrap_or_default();
    let matches = |n: &GeneralName<'_>| match (n, ip) {
        (GeneralName::DNSName(d), None) => d.eq_ignore_ascii_case(identifier),
        (GeneralName::IPAddress(raw), Some(ip)) => match ip {
            IpAddr::V4(v4) => *raw == v4.octets().as_slice(),
            IpAddr::V6(v6) => *raw == v6.octets().as_slice(),
        },
        _ => false,
    };
    if sans.len() != 1 || !sans.iter().all(matches) {
        return Err(Problem::unauthorized(format!(
            "Incorrect validation certificate for tls-alpn-01 challenge. Requested {identifier} \
             but the certificate must name exactly that identifier"
        )));
    }
    let ext = cert
        .extensions()
        .iter()
        .find(|e| e.oid.iter().is_some_and(|it| it.eq(OID_ACME_IDENTIFIER.iter().copied())))
        .ok_or_else(|| {
            Problem::unauthorized(
                "Incorrect validation certificate for tls-alpn-01 challenge. Missing acmeValidationV1 extension.",
            )
        })?;
    if !ext.critical {
        return Err(Problem::unauthorized(
            "Incorrect validation certificate for tls-alpn-01 challenge. acmeValidationV1 extension not critical.",
        ));
    }
    // The extension value is an OCTET STRING holding the 32-byte digest.
    let inner = match ext.value {
        [0x04, 32, rest @ ..] if rest.len() == 32 => rest,
        _ => {
            return Err(Problem::unauthorized(
                "Incorrect validation certificate for tls-alpn-01 challenge. Malformed acmeValidationV1 extension value.",
            ));
        }
    };
    if inner != expected {
        return Err(Problem::unauthorized(
            "Incorrect validation certificate for tls-alpn-01 challenge. Invalid acmeValidationV1 extension value.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names() {
        assert_eq!(
            reverse_name("127.0.0.1".parse().unwrap()),
            "1.0.0.127.in-addr.arpa"
        );
        assert!(reverse_name("::1".parse().unwrap()).starts_with("1.0.0.0."));
    }

    #[test]
    fn checks_acme_identifier() {
        let digest = [7u8; 32];
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["a.test".to_string()]).unwrap();
        params
            .custom_extensions
            .push(rcgen::CustomExtension::new_acme_identifier(&digest));
        let cert = params.self_signed(&key).unwrap();
        assert!(check_certificate("a.test", None, cert.der(), &digest).is_ok());
        assert!(check_certificate("b.test", None, cert.der(), &digest).is_err());
        assert!(check_certificate("a.test", None, cert.der(), &[0u8; 32]).is_err());
        assert!(check_certificate("a.test", None, b"garbage", &digest).is_err());
    }
}
