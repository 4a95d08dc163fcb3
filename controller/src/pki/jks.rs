//! Java KeyStore files (`keystore.jks`, `truststore.jks`) as cert-manager writes them
//! with keystore-go: the key entry under the configured alias (default
//! `certificate`, lower-cased) with the `tls.crt` chain, and the CA certificates as
//! trusted entries `ca`, `ca-1`, `ca-2`, ….
//!
//! The JKS format is small enough to encode here: magic `FEEDFEED`, version 2, entries,
//! and a SHA-1 digest keyed by the password; private keys are PKCS#8 protected with
//! Sun's `KeyProtector` scheme (SHA-1 keystream, OID 1.3.6.1.4.1.42.2.17.1.1).

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest::{self, SHA1_FOR_LEGACY_USE_ONLY};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use super::cert::Certificate;
use super::der::{self, Reader, tag};
use super::error::{PkiError, Result};
use super::key::PrivateKey;
use super::public_key::oid_der;

/// Secret key of the JKS keystore.
pub const JKS_KEYSTORE_KEY: &str = "keystore.jks";
/// Secret key of the JKS truststore.
pub const JKS_TRUSTSTORE_KEY: &str = "truststore.jks";
/// The default alias of the key entry (`spec.keystores.jks.alias`).
pub const JKS_DEFAULT_ALIAS: &str = "certificate";

const MAGIC: u32 = 0xfeed_feed;
const VERSION: u32 = 2;
const TAG_PRIVATE_KEY: u32 = 1;
const TAG_TRUSTED_CERT: u32 = 2;
const WHITENER: &[u8] = b"Mighty Aphrodite";
const KEY_PROTECTOR_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 42, 2, 17, 1, 1];
/// The certificate type keystore-go writes for cert-manager.
const CERT_TYPE: &str = "X509";

/// One JKS entry.
#[derive(Debug)]
pub enum JksEntry {
    /// A private key with its certificate chain.
    PrivateKey {
        /// Alias.
        alias: String,
        /// Creation time.
        created: SystemTime,
        /// The key.
        key: Box<PrivateKey>,
        /// The chain, leaf first.
        chain: Vec<Certificate>,
    },
    /// A trusted certificate.
    TrustedCertificate {
        /// Alias.
        alias: String,
        /// Creation time.
        created: SystemTime,
        /// The certificate.
        certificate: Box<Certificate>,
    },
}

impl JksEntry {
    /// The entry's alias.
    pub fn alias(&self) -> &str {
        match self {
            JksEntry::PrivateKey { alias, .. } | JksEntry::TrustedCertificate { alias, .. } => {
                alias
            }
        }
    }
}

/// `keystore.jks`: the key from `tls.key` (stored as PKCS#8) with the `tls.crt` chain
/// under `alias` (lower-cased, as keystore-go does), then the CA certificates of
/// `ca.crt` as `ca`, `ca-1`, …; protected with `password`. `created` stamps the
/// entries.
pub fn jks_keystore(
    password: &str,
    alias: &str,
    tls_key: &[u8],
    tls_crt: &[u8],
    ca_crt: &[u8],
    created: SystemTime,
) -> Result<Vec<u8>> {
    let key = PrivateKey::from_pem(tls_key)?;
    let chain = Certificate::parse_chain_pem(tls_crt)?;
    let mut entries = vec![JksEntry::PrivateKey {
        alias: alias.to_lowercase(),
        created,
        key: Box::new(key),
        chain,
    }];
    if !ca_crt.is_empty() {
        entries.extend(ca_entries(ca_crt, created)?);
    }
    write_jks(&entries, password)
}

/// `truststore.jks`: the CA certificates of `ca.crt` as `ca`, `ca-1`, ….
pub fn jks_truststore(password: &str, ca_crt: &[u8], created: SystemTime) -> Result<Vec<u8>> {
    write_jks(&ca_entries(ca_crt, created)?, password)
}

fn ca_entries(ca_crt: &[u8], created: SystemTime) -> Result<Vec<JksEntry>> {
    Ok(Certificate::parse_bundle_pem(ca_crt)?
        .into_iter()
        .enumerate()
        .map(|(i, certificate)| JksEntry::TrustedCertificate {
            alias: if i == 0 {
                "ca".to_string()
            } else {
                format!("ca-{i}")
            },
            created,
            certificate: Box::new(certificate),
        })
        .collect())
}

/// Java's password bytes: UTF-16BE code units.
fn password_bytes(password: &str) -> Vec<u8> {
    password.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// Java's "modified UTF-8" with a 16-bit length prefix.
fn write_utf(out: &mut Vec<u8>, s: &str) -> Result<()> {
    let mut body = Vec::with_capacity(s.len());
    for unit in s.encode_utf16() {
        match unit {
            0x0001..=0x007f => body.push(unit as u8),
            0x0000 | 0x0080..=0x07ff => {
                body.push(0xc0 | ((unit >> 6) as u8 & 0x1f));
                body.push(0x80 | (unit as u8 & 0x3f));
            }
            _ => {
                body.push(0xe0 | ((unit >> 12) as u8 & 0x0f));
                body.push(0x80 | ((unit >> 6) as u8 & 0x3f));
                body.push(0x80 | (unit as u8 & 0x3f));
            }
        }
    }
    let len = u16::try_from(body.len())
        .map_err(|_| PkiError::Keystore("JKS string too long".to_string()))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&body);
    Ok(())
}

fn push_u32(out: &mut Vec<u8>, v: usize) -> Result<()> {
    let v = u32::try_from(v).map_err(|_| PkiError::Keystore("JKS field too long".to_string()))?;
    out.extend_from_slice(&v.to_be_bytes());
    Ok(())
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn sha1(parts: &[&[u8]]) -> Vec<u8> {
    let mut ctx = digest::Context::new(&SHA1_FOR_LEGACY_USE_ONLY);
    for p in parts {
        ctx.update(p);
    }
    ctx.finish().as_ref().to_vec()
}

/// The SHA-1 keystream of Sun's KeyProtector.
fn keystream(pw: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 20);
    let mut d = salt.to_vec();
    while out.len() < len {
        d = sha1(&[pw, &d]);
        out.extend_from_slice(&d);
    }
    out.truncate(len);
    out
}

/// Sun's KeyProtector: `salt || (key XOR keystream) || SHA1(password || key)`, in an
/// EncryptedPrivateKeyInfo.
fn protect_key(pkcs8: &[u8], password: &str) -> Result<Vec<u8>> {
    let pw = password_bytes(password);
    let mut salt = [0u8; 20];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| PkiError::Keystore("failed to generate salt".to_string()))?;
    let stream = keystream(&pw, &salt, pkcs8.len());
    let mut protected = salt.to_vec();
    protected.extend(pkcs8.iter().zip(&stream).map(|(a, b)| a ^ b));
    protected.extend(sha1(&[&pw, pkcs8]));
    Ok(der::sequence(&[
        &der::sequence(&[&oid_der(KEY_PROTECTOR_OID), &der::null()]),
        &der::octet_string(&protected),
    ]))
}

fn unprotect_key(encrypted: &[u8], password: &str) -> Result<Vec<u8>> {
    let bad = |m: &str| PkiError::Keystore(format!("jks: {m}"));
    let seq = der::parse_single(encrypted, tag::SEQUENCE)?;
    let mut r = Reader::new(seq.content);
    let alg = r.expect(tag::SEQUENCE)?;
    let data = r.expect(tag::OCTET_STRING)?.content;
    let oid = der::read_oid(&mut Reader::new(alg.content))?;
    if oid.arcs() != KEY_PROTECTOR_OID {
        return Err(bad("unsupported private key protection algorithm"));
    }
    if data.len() < 40 {
        return Err(bad("protected key too short"));
    }
    let (salt, rest) = data.split_at(20);
    let (body, check) = rest.split_at(rest.len() - 20);
    let pw = password_bytes(password);
    let stream = keystream(&pw, salt, body.len());
    let plain: Vec<u8> = body.iter().zip(&stream).map(|(a, b)| a ^ b).collect();
    if sha1(&[&pw, &plain]) != check {
        return Err(bad("wrong password or corrupted key"));
    }
    Ok(plain)
}

/// Serializes entries as a JKS file keyed by `password`.
pub fn write_jks(entries: &[JksEntry], password: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC.to_be_bytes());
    out.extend_from_slice(&VERSION.to_be_bytes());
    push_u32(&mut out, entries.len())?;
    for e in entries {
        match e {
            JksEntry::PrivateKey {
                alias,
                created,
                key,
                chain,
            } => {
                out.extend_from_slice(&TAG_PRIVATE_KEY.to_be_bytes());
                write_utf(&mut out, alias)?;
                out.extend_from_slice(&millis(*created).to_be_bytes());
                let protected = protect_key(&key.to_pkcs8_der()?, password)?;
                push_u32(&mut out, protected.len())?;
                out.extend_from_slice(&protected);
                push_u32(&mut out, chain.len())?;
                for c in chain {
                    write_utf(&mut out, CERT_TYPE)?;
                    push_u32(&mut out, c.der().len())?;
                    out.extend_from_slice(c.der());
                }
            }
            JksEntry::TrustedCertificate {
                alias,
                created,
                certificate,
            } => {
                out.extend_from_slice(&TAG_TRUSTED_CERT.to_be_bytes());
                write_utf(&mut out, alias)?;
                out.extend_from_slice(&millis(*created).to_be_bytes());
                write_utf(&mut out, CERT_TYPE)?;
                push_u32(&mut out, certificate.der().len())?;
                out.extend_from_slice(certificate.der());
            }
        }
    }
    let d = sha1(&[&password_bytes(password), WHITENER, &out]);
    out.extend_from_slice(&d);
    Ok(out)
}

/// A bounds-checked big-endian cursor.
struct Cursor<'a> {
    data: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.data.len() < n {
            return Err(PkiError::Keystore("jks: truncated keystore".to_string()));
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }

    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    fn len32(&mut self) -> Result<usize> {
        usize::try_from(self.u32()?).map_err(|_| PkiError::Keystore("jks: bad length".to_string()))
    }

    fn utf(&mut self) -> Result<String> {
        let n = usize::from(self.u16()?);
        let bytes = self.take(n)?;
        // Modified UTF-8 equals UTF-8 except for NUL and supplementary characters.
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Reads a JKS file: checks the password digest and decrypts private keys.
pub fn read_jks(data: &[u8], password: &str) -> Result<Vec<JksEntry>> {
    if data.len() < 20 {
        return Err(PkiError::Keystore("jks: truncated keystore".to_string()));
    }
    let (body, digest_bytes) = data.split_at(data.len() - 20);
    if sha1(&[&password_bytes(password), WHITENER, body]) != digest_bytes {
        return Err(PkiError::Keystore(
            "jks: keystore was tampered with, or password was incorrect".to_string(),
        ));
    }
    let mut c = Cursor { data: body };
    if c.u32()? != MAGIC {
        return Err(PkiError::Keystore("jks: invalid magic".to_string()));
    }
    let version = c.u32()?;
    if version != 1 && version != 2 {
        return Err(PkiError::Keystore(format!(
            "jks: unknown version {version}"
        )));
    }
    let count = c.u32()?;
    let mut entries = Vec::new();
    for _ in 0..count {
        let tag_value = c.u32()?;
        let alias = c.utf()?;
        let created = UNIX_EPOCH + std::time::Duration::from_millis(c.u64()?);
        let read_cert = |c: &mut Cursor<'_>| -> Result<Certificate> {
            if version == 2 {
                c.utf()?;
            }
            let n = c.len32()?;
            Certificate::from_der(c.take(n)?)
        };
        match tag_value {
            TAG_PRIVATE_KEY => {
                let n = c.len32()?;
                let pkcs8 = unprotect_key(c.take(n)?, password)?;
                let key = Box::new(PrivateKey::from_pkcs8_der(&pkcs8)?);
                let chain_len = c.u32()?;
                let mut chain = Vec::new();
                for _ in 0..chain_len {
                    chain.push(read_cert(&mut c)?);
                }
                entries.push(JksEntry::PrivateKey {
                    alias,
                    created,
                    key,
                    chain,
                });
            }
            TAG_TRUSTED_CERT => {
                let certificate = Box::new(read_cert(&mut c)?);
                entries.push(JksEntry::TrustedCertificate {
                    alias,
                    created,
                    certificate,
                });
            }
            t => return Err(PkiError::Keystore(format!("jks: unknown entry tag {t}"))),
        }
    }
    if !c.data.is_empty() {
        return Err(PkiError::Keystore("jks: trailing data".to_string()));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_utf8_and_password_bytes() {
        let mut out = Vec::new();
        write_utf(&mut out, "a\u{0}é").unwrap();
        assert_eq!(out, vec![0, 5, b'a', 0xc0, 0x80, 0xc3, 0xa9]);
        assert_eq!(password_bytes("ab"), vec![0, b'a', 0, b'b']);
    }

    #[test]
    fn garbage_is_rejected_without_panicking() {
        for data in [&b""[..], &[0u8; 19], &[0xfe; 64]] {
            assert!(read_jks(data, "changeit").is_err());
        }
        assert!(unprotect_key(&der::sequence(&[]), "x").is_err());
    }
}
