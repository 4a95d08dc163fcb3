//! The certificate authority: roots, intermediates, leaf issuance and the CRL.
//!
//! Like Pebble, there is one issuing key; every chain (the default one plus
//! `PEBBLE_ALTERNATE_ROOTS` alternates) has its own root and its own issuing intermediate
//! certificate, all sharing that key and subject, so one leaf chains to every root.

pub mod csr;
pub mod pem;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use rand::RngCore;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint,
    CustomExtension, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod,
    KeyPair, KeyUsagePurpose, RevocationReason, RevokedCertParams, SanType, SerialNumber,
    SubjectPublicKeyInfo,
};

/// Default leaf validity: 90 days, as Pebble's.
pub const DEFAULT_VALIDITY_SECS: u64 = 7_776_000;
/// CA certificate validity: 30 years.
const CA_VALIDITY: Duration = Duration::from_secs(30 * 365 * 86_400);

/// The CA key algorithm (`keyAlgorithm` in Pebble's config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA 2048.
    Rsa,
    /// ECDSA P-256.
    Ecdsa,
}

impl KeyAlgorithm {
    /// Parses Pebble's spelling (`rsa` / `ecdsa`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "rsa" => Some(Self::Rsa),
            "ecdsa" => Some(Self::Ecdsa),
            _ => None,
        }
    }
}

/// A certificate profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Shown in the directory's `meta.profiles`.
    pub description: String,
    /// Leaf validity in seconds (0 means the default of 90 days).
    pub validity_period: u64,
    /// Whether the first name becomes the subject common name.
    pub promote_common_name: bool,
}

impl Profile {
    /// The effective validity.
    pub fn validity(&self) -> Duration {
        if self.validity_period == 0 || self.validity_period >= 9_223_372_038 {
            Duration::from_secs(DEFAULT_VALIDITY_SECS)
        } else {
            Duration::from_secs(self.validity_period)
        }
    }
}

/// How to build the CA.
#[derive(Debug, Clone)]
pub struct CaOptions {
    /// Key algorithm for every CA key.
    pub key_algorithm: KeyAlgorithm,
    /// Number of intermediates per chain (at least 1).
    pub chain_length: usize,
    /// Number of alternate chains.
    pub alternate_roots: usize,
    /// Profiles by name.
    pub profiles: BTreeMap<String, Profile>,
    /// OCSP responder URL for leaves (Pebble's `ocspResponderURL`).
    pub ocsp_url: Option<String>,
    /// CRL distribution point URL for leaves.
    pub crl_url: Option<String>,
}

/// Errors from the CA.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    /// rcgen failed.
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    /// The request cannot be issued.
    #[error("{0}")]
    Request(String),
}

/// A CA certificate and its key.
#[derive(Debug)]
pub struct CaCert {
    /// DER.
    pub der: Vec<u8>,
    /// PEM.
    pub pem: String,
    /// The private key as PEM (PKCS#1 for RSA, as Pebble serves it; PKCS#8 otherwise).
    pub key_pem: String,
}

/// One issuance chain.
#[derive(Debug)]
pub struct Chain {
    /// The root.
    pub root: CaCert,
    /// Intermediates, the issuing one first.
    pub intermediates: Vec<CaCert>,
}

/// What to put in a leaf.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    /// DNS names.
    pub dns_names: Vec<String>,
    /// IP addresses.
    pub ips: Vec<IpAddr>,
    /// The subject key, DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// notBefore (default: now).
    pub not_before: Option<SystemTime>,
    /// notAfter (default: notBefore + profile validity - 1 s).
    pub not_after: Option<SystemTime>,
    /// The profile name.
    pub profile: String,
    /// Copy the Must-Staple extension.
    pub must_staple: bool,
    /// The current time.
    pub now: SystemTime,
}

/// An issued leaf.
#[derive(Debug, Clone)]
pub struct Issued {
    /// DER.
    pub der: Vec<u8>,
    /// Serial bytes.
    pub serial: Vec<u8>,
    /// notBefore.
    pub not_before: SystemTime,
    /// notAfter.
    pub not_after: SystemTime,
}

/// A revoked certificate for the CRL.
#[derive(Debug, Clone)]
pub struct RevokedEntry {
    /// Serial bytes.
    pub serial: Vec<u8>,
    /// Revocation time.
    pub at: SystemTime,
    /// RFC 5280 reason code.
    pub reason: u8,
}

/// The CA.
pub struct Ca {
    chains: Vec<Chain>,
    issuer: Issuer<'static, KeyPair>,
    issuer_key_id: Vec<u8>,
    profiles: BTreeMap<String, Profile>,
    ocsp_url: Option<String>,
    crl_url: Option<String>,
    key_algorithm: KeyAlgorithm,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca")
            .field("chains", &self.chains.len())
            .field("profiles", &self.profiles)
            .finish()
    }
}

/// Random serial: 16 bytes, positive, no leading zero byte.
pub fn random_serial() -> Vec<u8> {
    let mut b = vec![0u8; 16];
    rand::rng().fill_bytes(&mut b);
    if let Some(first) = b.first_mut() {
        *first = (*first & 0x7f).max(1);
    }
    b
}

fn hex3() -> String {
    let mut b = [0u8; 3];
    rand::rng().fill_bytes(&mut b);
    hex(&b)
}

/// Lowercase hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn new_key(alg: KeyAlgorithm) -> Result<KeyPair, CaError> {
    Ok(match alg {
        KeyAlgorithm::Rsa => {
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)?
        }
        KeyAlgorithm::Ecdsa => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?,
    })
}

fn key_pem(key: &KeyPair, alg: KeyAlgorithm) -> String {
    match alg {
        KeyAlgorithm::Rsa => match pkcs8_inner_key(key.serialized_der()) {
            Some(pkcs1) => pem::encode("RSA PRIVATE KEY", &pkcs1),
            None => key.serialize_pem(),
        },
        KeyAlgorithm::Ecdsa => key.serialize_pem(),
    }
}

/// Extracts the `privateKey` OCTET STRING from a PKCS#8 PrivateKeyInfo.
fn pkcs8_inner_key(der: &[u8]) -> Option<Vec<u8>> {
    use x509_parser::der_parser::parse_der;
    let (_, obj) = parse_der(der).ok()?;
    let seq = obj.as_sequence().ok()?;
    seq.get(2)?.as_slice().ok().map(<[u8]>::to_vec)
}

fn ca_params(cn: String, now: SystemTime) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p.serial_number = Some(SerialNumber::from_slice(&random_serial()));
    p.not_before = now.into();
    p.not_after = (now + CA_VALIDITY).into();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.use_authority_key_identifier_extension = true;
    p.key_identifier_method = KeyIdMethod::Sha256;
    p
}

fn ca_cert(cert: &rcgen::Certificate, key: &KeyPair, alg: KeyAlgorithm) -> CaCert {
    CaCert {
        der: cert.der().to_vec(),
        pem: cert.pem(),
        key_pem: key_pem(key, alg),
    }
}

impl Ca {
    /// Generates keys and chains.
    pub fn new(opts: CaOptions, now: SystemTime) -> Result<Self, CaError> {
        let alg = opts.key_algorithm;
        let issuing_key = new_key(alg)?;
        let issuing_cn = format!("mock-acme Intermediate CA {}", hex3());
        let chain_length = opts.chain_length.max(1);
        let mut chains = Vec::with_capacity(1 + opts.alternate_roots);
        for _ in 0..=opts.alternate_roots {
            let chain_id = hex3();
            let root_key = new_key(alg)?;
            let mut root_params = ca_params(format!("mock-acme Root CA {chain_id}"), now);
            root_params.use_authority_key_identifier_extension = false;
            let root_cert = root_params.self_signed(&root_key)?;
            let root = ca_cert(&root_cert, &root_key, alg);

            // Upper intermediates, from the root down; then the issuing one.
            let mut upper: Vec<CaCert> = Vec::new();
            let mut signer_params = root_params;
            let mut signer_key = root_key;
            for i in (1..chain_length).rev() {
                let key = new_key(alg)?;
                let params = ca_params(format!("mock-acme Intermediate CA {chain_id} #{i}"), now);
                let cert = {
                    let issuer = Issuer::from_params(&signer_params, &signer_key);
                    params.signed_by(&key, &issuer)?
                };
                upper.push(ca_cert(&cert, &key, alg));
                signer_params = params;
                signer_key = key;
            }
            let params = ca_params(issuing_cn.clone(), now);
            let cert = {
                let issuer = Issuer::from_params(&signer_params, &signer_key);
                params.signed_by(&issuing_key, &issuer)?
            };
            let mut intermediates = vec![ca_cert(&cert, &issuing_key, alg)];
            upper.reverse();
            intermediates.extend(upper);
            chains.push(Chain {
                root,
                intermediates,
            });
        }
        let issuer_params = ca_params(issuing_cn, now);
        let issuer_key_id = issuer_params.key_identifier(&issuing_key);
        let issuer = Issuer::new(issuer_params, issuing_key);
        let mut profiles = opts.profiles;
        if profiles.is_empty() {
            profiles.insert(
                "default".into(),
                Profile {
                    description: "The default profile".into(),
                    validity_period: 0,
                    promote_common_name: false,
                },
            );
        }
        Ok(Self {
            chains,
            issuer,
            issuer_key_id,
            profiles,
            ocsp_url: opts.ocsp_url,
            crl_url: opts.crl_url,
            key_algorithm: alg,
        })
    }

    /// The CA key algorithm.
    pub fn key_algorithm(&self) -> KeyAlgorithm {
        self.key_algorithm
    }

    /// The profiles.
    pub fn profiles(&self) -> &BTreeMap<String, Profile> {
        &self.profiles
    }

    /// Number of chains (1 + alternates).
    pub fn num_chains(&self) -> usize {
        self.chains.len()
    }

    /// Chain `n`.
    pub fn chain(&self, n: usize) -> Option<&Chain> {
        self.chains.get(n)
    }

    /// The issuing key's key identifier (the AKI of every leaf).
    pub fn issuer_key_id(&self) -> &[u8] {
        &self.issuer_key_id
    }

    /// The PEM chain for a leaf along chain `n`: leaf, then intermediates (no root).
    pub fn chain_pem(&self, n: usize, leaf_der: &[u8]) -> Option<String> {
        let chain = self.chains.get(n)?;
        let mut out = pem::encode("CERTIFICATE", leaf_der);
        for i in &chain.intermediates {
            out.push_str(&i.pem);
        }
        Some(out)
    }

    /// Issues a leaf.
    pub fn issue(&self, req: &IssueRequest) -> Result<Issued, CaError> {
        let profile = self
            .profiles
            .get(&req.profile)
            .ok_or_else(|| CaError::Request(format!("unknown profile {:?}", req.profile)))?;
        let not_before = req.not_before.unwrap_or(req.now);
        let not_after = req.not_after.unwrap_or_else(|| {
            not_before + profile.validity().saturating_sub(Duration::from_secs(1))
        });
        let serial = random_serial();
        let mut p = CertificateParams::default();
        p.distinguished_name = DistinguishedName::new();
        if profile.promote_common_name {
            let cn = req
                .dns_names
                .first()
                .cloned()
                .or_else(|| req.ips.first().map(IpAddr::to_string));
            if let Some(cn) = cn {
                p.distinguished_name.push(DnType::CommonName, cn);
            }
        }
        let mut sans = Vec::new();
        for d in &req.dns_names {
            let name = d
                .clone()
                .try_into()
                .map_err(|_| CaError::Request(format!("invalid DNS name {d:?}")))?;
            sans.push(SanType::DnsName(name));
        }
        sans.extend(req.ips.iter().copied().map(SanType::IpAddress));
        p.subject_alt_names = sans;
        p.serial_number = Some(SerialNumber::from_slice(&serial));
        p.not_before = not_before.into();
        p.not_after = not_after.into();
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.use_authority_key_identifier_extension = true;
        if let Some(url) = &self.crl_url {
            p.crl_distribution_points = vec![CrlDistributionPoint {
                uris: vec![url.clone()],
            }];
        }
        if let Some(url) = &self.ocsp_url {
            p.custom_extensions.push(aia_ocsp_extension(url));
        }
        if req.must_staple {
            p.custom_extensions.push(CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 5, 5, 7, 1, 24],
                csr::MUST_STAPLE_VALUE.to_vec(),
            ));
        }
        let spki = SubjectPublicKeyInfo::from_der(&req.spki_der)?;
        let cert = p.signed_by(&spki, &self.issuer)?;
        Ok(Issued {
            der: cert.der().to_vec(),
            serial,
            not_before,
            not_after,
        })
    }

    /// A CRL (DER) signed by the issuing key listing `revoked`.
    pub fn crl(
        &self,
        revoked: &[RevokedEntry],
        number: u64,
        now: SystemTime,
        next_update: Duration,
    ) -> Result<Vec<u8>, CaError> {
        let params = CertificateRevocationListParams {
            this_update: now.into(),
            next_update: (now + next_update.max(Duration::from_secs(1))).into(),
            crl_number: SerialNumber::from(number),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|r| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&r.serial),
                    revocation_time: r.at.into(),
                    reason_code: reason(r.reason),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        Ok(params.signed_by(&self.issuer)?.der().to_vec())
    }
}

fn reason(code: u8) -> Option<RevocationReason> {
    use RevocationReason::*;
    Some(match code {
        1 => KeyCompromise,
        2 => CaCompromise,
        3 => AffiliationChanged,
        4 => Superseded,
        5 => CessationOfOperation,
        6 => CertificateHold,
        8 => RemoveFromCrl,
        9 => PrivilegeWithdrawn,
        10 => AaCompromise,
        _ => return None,
    })
}

/// An Authority Information Access extension naming an OCSP responder.
fn aia_ocsp_extension(url: &str) -> CustomExtension {
    // AuthorityInfoAccessSyntax ::= SEQUENCE OF AccessDescription
    // AccessDescription ::= SEQUENCE { accessMethod OID id-ad-ocsp, accessLocation [6] IA5String }
    let oid_ocsp: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
    let mut uri = vec![0x86];
    der_len(&mut uri, url.len());
    uri.extend_from_slice(url.as_bytes());
    let mut desc_body = oid_ocsp.to_vec();
    desc_body.extend_from_slice(&uri);
    let mut desc = vec![0x30];
    der_len(&mut desc, desc_body.len());
    desc.extend_from_slice(&desc_body);
    let mut seq = vec![0x30];
    der_len(&mut seq, desc.len());
    seq.extend_from_slice(&desc);
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], seq)
}

fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let sig = &bytes[skip..];
        out.push(0x80 | sig.len() as u8);
        out.extend_from_slice(sig);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::PublicKeyData;

    fn opts(alg: KeyAlgorithm, chain_length: usize, alternate_roots: usize) -> CaOptions {
        CaOptions {
            key_algorithm: alg,
            chain_length,
            alternate_roots,
            profiles: BTreeMap::new(),
            ocsp_url: None,
            crl_url: Some("https://127.0.0.1:1/crl".into()),
        }
    }

    #[test]
    fn issues_a_leaf_that_names_the_crl() {
        let now = SystemTime::now();
        let ca = Ca::new(opts(KeyAlgorithm::Ecdsa, 2, 1), now).unwrap();
        assert_eq!(ca.num_chains(), 2);
        assert_eq!(ca.chain(0).unwrap().intermediates.len(), 2);
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let issued = ca
            .issue(&IssueRequest {
                dns_names: vec!["a.test".into()],
                ips: vec!["127.0.0.1".parse().unwrap()],
                spki_der: key.subject_public_key_info(),
                not_before: None,
                not_after: None,
                profile: "default".into(),
                must_staple: true,
                now,
            })
            .unwrap();
        let (_, cert) = x509_parser::parse_x509_certificate(&issued.der).unwrap();
        assert!(cert.subject().iter_common_name().next().is_none());
        let crl_ext = cert
            .extensions()
            .iter()
            .any(|e| e.oid == x509_parser::oid_registry::OID_X509_EXT_CRL_DISTRIBUTION_POINTS);
        assert!(crl_ext);
        let pem = ca.chain_pem(1, &issued.der).unwrap();
        assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 3);
        let crl = ca
            .crl(
                &[RevokedEntry {
                    serial: issued.serial.clone(),
                    at: now,
                    reason: 1,
                }],
                1,
                now,
                Duration::from_secs(3600),
            )
            .unwrap();
        let (_, crl) = x509_parser::parse_x509_crl(&crl).unwrap();
        assert_eq!(crl.iter_revoked_certificates().count(), 1);
    }

    #[test]
    fn rsa_cas_issue_and_serve_pkcs1_keys() {
        let ca = Ca::new(opts(KeyAlgorithm::Rsa, 1, 0), SystemTime::now()).unwrap();
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let issued = ca
            .issue(&IssueRequest {
                dns_names: vec!["rsa.test".into()],
                ips: vec![],
                spki_der: key.subject_public_key_info(),
                not_before: None,
                not_after: None,
                profile: "default".into(),
                must_staple: false,
                now: SystemTime::now(),
            })
            .unwrap();
        let (_, cert) = x509_parser::parse_x509_certificate(&issued.der).unwrap();
        assert_eq!(
            cert.signature_algorithm.algorithm,
            x509_parser::oid_registry::OID_PKCS1_SHA256WITHRSA
        );
        assert!(
            ca.chain(0)
                .unwrap()
                .root
                .key_pem
                .starts_with("-----BEGIN RSA PRIVATE KEY-----")
        );
    }
}
