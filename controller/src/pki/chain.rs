//! Assembling one certificate chain from an unordered set, as cert-manager's
//! `ParseSingleCertificateChain`: duplicates removed, chains glued by issuer/subject
//! and signature, the self-signed root left out of the chain and reported as the CA.

use super::cert::{Certificate, encode_certificates_pem};
use super::error::{PkiError, Result};

/// A PEM chain and its CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBundle {
    /// Leaf first, then intermediates; a self-signed root is not included (RFC 5246
    /// §7.4.2), unless it is the only certificate.
    pub chain_pem: String,
    /// The root of the chain: the self-signed root when present, else the highest
    /// certificate; `None` for a lone certificate that is not a self-signed CA.
    pub ca_pem: Option<String>,
    /// The chain as parsed certificates, leaf first, root included.
    pub certificates: Vec<Certificate>,
}

/// Orders `certs` into a single chain. Fails with cert-manager's messages when the
/// set holds more than one chain or a gap.
pub fn build_single_chain(certs: &[Certificate]) -> Result<PemBundle> {
    let mut unique: Vec<Certificate> = certs.to_vec();
    unique.sort_by(|a, b| a.der().cmp(b.der()));
    unique.dedup_by(|a, b| a.der() == b.der());
    if unique.is_empty() {
        return Err(PkiError::Chain("certificate chain is empty".to_string()));
    }
    if unique.len() > 1000 {
        return Err(PkiError::Chain(
            "certificate chain is too long, must be less than 1000 certificates".to_string(),
        ));
    }

    // Each chain is a list of indices into `unique`, leaf first.
    let mut chains: Vec<Vec<usize>> = (0..unique.len()).map(|i| vec![i]).collect();
    while chains.len() > 1 {
        let last = chains.pop().unwrap_or_default();
        let mut merged = false;
        for chain in chains.iter_mut() {
            if let Some(joined) = try_merge(&unique, &last, chain) {
                *chain = joined;
                merged = true;
                break;
            }
        }
        if !merged {
            return Err(PkiError::Chain(
                "certificate chain is malformed or broken".to_string(),
            ));
        }
    }
    let order = chains.pop().unwrap_or_default();
    let ordered: Vec<Certificate> = order.iter().map(|i| unique[*i].clone()).collect();
    to_bundle(ordered)
}

/// Glues `a` and `b` if the root of one is issued by the leaf of the other.
fn try_merge(certs: &[Certificate], a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let (a_leaf, a_root) = (certs[*a.first()?].clone(), certs[*a.last()?].clone());
    let (b_leaf, b_root) = (certs[*b.first()?].clone(), certs[*b.last()?].clone());
    // b's root was signed by a's leaf: b then a.
    if b_root.issuer_der() == a_leaf.subject_der() && b_root.check_signature_from(&a_leaf).is_ok() {
        return Some([b, a].concat());
    }
    // a's root was signed by b's leaf: a then b.
    if a_root.issuer_der() == b_leaf.subject_der() && a_root.check_signature_from(&b_leaf).is_ok() {
        return Some([a, b].concat());
    }
    None
}

fn to_bundle(ordered: Vec<Certificate>) -> Result<PemBundle> {
    let Some(root) = ordered.last().cloned() else {
        return Err(PkiError::Chain("certificate chain is empty".to_string()));
    };
    let root_self_signed = root.is_self_signed();
    let ca_pem = root.to_pem();
    if ordered.len() == 1 {
        return Ok(PemBundle {
            chain_pem: ca_pem.clone(),
            ca_pem: root_self_signed.then_some(ca_pem),
            certificates: ordered,
        });
    }
    // Everything below the root, plus the root when it is not self-signed; then drop
    // any self-signed certificate (EncodeX509Chain).
    let mut chain: Vec<Certificate> = ordered[..ordered.len() - 1].to_vec();
    if !root_self_signed {
        chain.push(root);
    }
    chain.retain(|c| !c.is_self_signed());
    Ok(PemBundle {
        chain_pem: encode_certificates_pem(&chain),
        ca_pem: Some(ca_pem),
        certificates: ordered,
    })
}
