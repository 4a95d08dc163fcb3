//! PKCS#12 keystores and truststores (`keystore.p12`, `truststore.p12`), as
//! cert-manager's issuing controller writes them (`issuing/internal/keystore.go`),
//! encoded with the p12-keystore crate.

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::digest;
use p12_keystore::{
    Certificate as P12Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm,
    Pkcs12Archive, PrivateKey as P12PrivateKey, PrivateKeyChain,
};

use super::cert::Certificate;
use super::error::{PkiError, Result};
use super::key::PrivateKey;

/// Secret key of the PKCS#12 keystore.
pub const PKCS12_KEYSTORE_KEY: &str = "keystore.p12";
/// Secret key of the PKCS#12 truststore.
pub const PKCS12_TRUSTSTORE_KEY: &str = "truststore.p12";

/// Friendly name of the key entry in `keystore.p12`.
pub const PKCS12_KEY_ALIAS: &str = "certificate";

/// `spec.keystores.pkcs12.profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pkcs12Profile {
    /// `LegacyRC2`, the default: SHA-1 MAC, 2048 iterations, RC2-40 encryption.
    #[default]
    LegacyRc2,
    /// `LegacyDES`: SHA-1 MAC, 2048 iterations, 3DES encryption.
    LegacyDes,
    /// `Modern2023`: SHA-256 MAC, 2048 iterations, PBES2 (PBKDF2-HMAC-SHA-256,
    /// AES-256-CBC).
    Modern2023,
    /// `Modern2026`: PBMAC1 — not supported by the PKCS#12 encoder in use.
    Modern2026,
}

impl Pkcs12Profile {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Pkcs12Profile::LegacyRc2 => "LegacyRC2",
            Pkcs12Profile::LegacyDes => "LegacyDES",
            Pkcs12Profile::Modern2023 => "Modern2023",
            Pkcs12Profile::Modern2026 => "Modern2026",
        }
    }

    fn algorithms(self) -> Result<(EncryptionAlgorithm, MacAlgorithm)> {
        Ok(match self {
            Pkcs12Profile::LegacyRc2 => (
                EncryptionAlgorithm::PbeWithShaAnd40BitRc4Cbc,
                MacAlgorithm::HmacSha1,
            ),
            Pkcs12Profile::LegacyDes => (
                EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
                MacAlgorithm::HmacSha1,
            ),
            Pkcs12Profile::Modern2023 => (
                EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
                MacAlgorithm::HmacSha256,
            ),
            Pkcs12Profile::Modern2026 => {
                return Err(PkiError::Keystore(
                    "PKCS#12 profile Modern2026 (PBMAC1) is not supported; use Modern2023"
                        .to_string(),
                ));
            }
        })
    }
}

impl fmt::Display for Pkcs12Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Pkcs12Profile {
    type Err = PkiError;

    /// Parses the API spelling; the empty string means `LegacyRC2`.
    fn from_str(s: &str) -> Result<Pkcs12Profile> {
        match s {
            "" | "LegacyRC2" => Ok(Pkcs12Profile::LegacyRc2),
            "LegacyDES" => Ok(Pkcs12Profile::LegacyDes),
            "Modern2023" => Ok(Pkcs12Profile::Modern2023),
            "Modern2026" => Ok(Pkcs12Profile::Modern2026),
            other => Err(PkiError::Keystore(format!(
                "unknown PKCS#12 profile {other:?}"
            ))),
        }
    }
}

/// Iterations for both the MAC and the encryption key derivation (go-pkcs12's).
const ITERATIONS: u32 = 2048;

fn p12_err(e: p12_keystore::error::Error) -> PkiError {
    PkiError::Keystore(format!("pkcs12: {e}"))
}

fn p12_cert(c: &Certificate) -> Result<P12Certificate> {
    P12Certificate::from_der(c.der()).map_err(p12_err)
}

fn write(ks: &KeyStore, profile: Pkcs12Profile, password: &str) -> Result<Vec<u8>> {
    let (enc, mac) = profile.algorithms()?;
    ks.writer(password)
        .encryption_algorithm(enc)
        .encryption_iterations(ITERATIONS)
        .mac_algorithm(mac)
        .mac_iterations(ITERATIONS)
        .write()
        .map_err(p12_err)
}

/// `keystore.p12`: the private key from `tls.key` with the chain from `tls.crt`
/// (leaf first) followed by the CA certificates of `ca.crt` (possibly empty),
/// encrypted with `password`. The key and leaf share a local key ID (the leaf's
/// SHA-1 fingerprint, as go-pkcs12).
pub fn pkcs12_keystore(
    profile: Pkcs12Profile,
    password: &str,
    tls_key: &[u8],
    tls_crt: &[u8],
    ca_crt: &[u8],
) -> Result<Vec<u8>> {
    let key = PrivateKey::from_pem(tls_key)?;
    let chain = Certificate::parse_chain_pem(tls_crt)?;
    let cas = if ca_crt.is_empty() {
        Vec::new()
    } else {
        Certificate::parse_bundle_pem(ca_crt)?
    };
    let leaf = chain
        .first()
        .ok_or_else(|| PkiError::Keystore("no certificate to store".to_string()))?;
    let local_key_id = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, leaf.der())
        .as_ref()
        .to_vec();
    let mut certs = Vec::with_capacity(chain.len() + cas.len());
    for c in chain.iter().chain(cas.iter()) {
        certs.push(p12_cert(c)?);
    }
    let p12_key = P12PrivateKey::from_der(&key.to_pkcs8_der()?).map_err(p12_err)?;
    let mut ks = KeyStore::new();
    ks.add_entry(
        PKCS12_KEY_ALIAS,
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(local_key_id, p12_key, certs)),
    );
    write(&ks, profile, password)
}

/// `truststore.p12`: the CA certificates of `ca.crt` as trusted certificate entries
/// (Java's trusted-key-usage attribute), each named by its subject as Go prints it.
pub fn pkcs12_truststore(profile: Pkcs12Profile, password: &str, ca_crt: &[u8]) -> Result<Vec<u8>> {
    let cas = Certificate::parse_bundle_pem(ca_crt)?;
    let mut ks = KeyStore::new();
    for c in &cas {
        let base = c.subject().go_string();
        let mut alias = base.clone();
        let mut n = 2;
        while ks.entry(&alias).is_some() {
            alias = format!("{base}#{n}");
            n += 1;
        }
        ks.add_entry(&alias, KeyStoreEntry::Certificate(p12_cert(c)?));
    }
    write(&ks, profile, password)
}

/// The contents of a PKCS#12 file, read back.
#[derive(Debug)]
pub struct Pkcs12Contents {
    /// The private keys (with their friendly names).
    pub keys: Vec<(Option<String>, PrivateKey)>,
    /// Certificates bound to a key (local key ID present), in file order.
    pub key_certificates: Vec<Certificate>,
    /// Other certificates (chain and CA), in file order, with their friendly names
    /// and whether they carry Java's trusted attribute.
    pub other_certificates: Vec<(Option<String>, bool, Certificate)>,
}

/// Reads a PKCS#12 file (MAC checked, bags decrypted) for inspection.
pub fn read_pkcs12(data: &[u8], password: &str) -> Result<Pkcs12Contents> {
    let archive = Pkcs12Archive::from_pkcs12(data, password).map_err(p12_err)?;
    let mut keys = Vec::new();
    for k in archive.keys {
        keys.push((k.friendly_name, PrivateKey::from_pkcs8_der(k.key.as_der())?));
    }
    let mut key_certificates = Vec::new();
    let mut other_certificates = Vec::new();
    for c in archive.certs {
        let cert = Certificate::from_der(c.cert.as_der())?;
        if c.local_key_id.is_some() {
            key_certificates.push(cert);
        } else {
            other_certificates.push((c.friendly_name, c.trusted, cert));
        }
    }
    Ok(Pkcs12Contents {
        keys,
        key_certificates,
        other_certificates,
    })
}
