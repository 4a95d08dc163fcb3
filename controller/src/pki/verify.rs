//! Chain verification with rustls-webpki, for tests and snapshots: does a leaf and its
//! intermediates chain to a root, for server auth, client auth or any purpose?

use std::time::{SystemTime, UNIX_EPOCH};

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter, KeyUsage};

use super::cert::Certificate;
use super::error::{PkiError, Result};

/// The purpose a chain is verified for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// TLS server authentication: the leaf's EKU, when present, must allow serverAuth.
    ServerAuth,
    /// TLS client authentication: the leaf's EKU, when present, must allow clientAuth.
    ClientAuth,
    /// Any purpose: the EKU is not checked.
    Any,
}

/// Accepts any extended key usage.
struct AnyPurpose;

impl ExtendedKeyUsageValidator for AnyPurpose {
    fn validate(&self, _iter: KeyPurposeIdIter<'_, '_>) -> std::result::Result<(), webpki::Error> {
        Ok(())
    }
}

/// Verifies that `leaf` chains through `intermediates` to one of `roots` at time
/// `at`, for `purpose`. When `dns_name` or an IP address is given, the leaf must also
/// be valid for it. The error message says why not (webpki's reason).
pub fn verify_chain(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    at: SystemTime,
    purpose: Purpose,
    server_name: Option<&str>,
) -> Result<()> {
    let fail = |what: &str, e: webpki::Error| PkiError::Signature(format!("{what}: {e:?}"));
    let leaf_der = CertificateDer::from(leaf.der().to_vec());
    let ee = EndEntityCert::try_from(&leaf_der)
        .map_err(|e| fail("invalid end-entity certificate", e))?;
    let root_ders: Vec<CertificateDer<'static>> = roots
        .iter()
        .map(|r| CertificateDer::from(r.der().to_vec()))
        .collect();
    let mut anchors = Vec::with_capacity(root_ders.len());
    for r in &root_ders {
        anchors.push(
            webpki::anchor_from_trusted_cert(r).map_err(|e| fail("invalid trust anchor", e))?,
        );
    }
    let inter: Vec<CertificateDer<'static>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(c.der().to_vec()))
        .collect();
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map_err(|_| PkiError::Signature("verification time before 1970".to_string()))?;
    let time = UnixTime::since_unix_epoch(secs);
    let algs = webpki::ALL_VERIFICATION_ALGS;
    let result = match purpose {
        Purpose::ServerAuth => ee.verify_for_usage(
            algs,
            &anchors,
            &inter,
            time,
            KeyUsage::server_auth(),
            None,
            None,
        ),
        Purpose::ClientAuth => ee.verify_for_usage(
            algs,
            &anchors,
            &inter,
            time,
            KeyUsage::client_auth(),
            None,
            None,
        ),
        Purpose::Any => ee.verify_for_usage(algs, &anchors, &inter, time, AnyPurpose, None, None),
    };
    result.map_err(|e| fail("certificate chain does not verify", e))?;
    if let Some(name) = server_name {
        let sn = ServerName::try_from(name)
            .map_err(|_| PkiError::Signature(format!("invalid server name {name:?}")))?;
        ee.verify_is_valid_for_subject_name(&sn)
            .map_err(|e| fail(&format!("certificate is not valid for {name}"), e))?;
    }
    Ok(())
}

/// Verifies a PEM chain (leaf first, then intermediates) against PEM roots.
pub fn verify_pem_chain(
    chain_pem: &[u8],
    roots_pem: &[u8],
    at: SystemTime,
    purpose: Purpose,
    server_name: Option<&str>,
) -> Result<()> {
    let chain = Certificate::parse_chain_pem(chain_pem)?;
    let roots = Certificate::parse_bundle_pem(roots_pem)?;
    let (leaf, intermediates) = chain
        .split_first()
        .ok_or_else(|| PkiError::Certificate("empty chain".to_string()))?;
    verify_chain(leaf, intermediates, &roots, at, purpose, server_name)
}
