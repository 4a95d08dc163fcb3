//! TSIG (RFC 8945) for RFC 2136 updates: cert-manager's algorithm names, signing a
//! request and verifying the signed response.
//!
//! hickory-proto supplies the TSIG record type and the encoding of the TSIG variables;
//! the HMACs are computed here so that HMAC-MD5 (cert-manager's default) works too.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hickory_proto::op::Message;
use hickory_proto::rr::rdata::tsig::{TSIG, TsigAlgorithm, make_tsig_record};
use hickory_proto::rr::{Name, Record};
use hickory_proto::serialize::binary::BinEncoder;
use hmac::{Hmac, Mac};

use super::error::Dns01Error;

/// The fudge (allowed clock skew, seconds) of signed requests, as cert-manager sets it.
pub const FUDGE: u16 = 300;

/// A TSIG MAC algorithm cert-manager accepts in `tsigAlgorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `HMACMD5` (`hmac-md5.sig-alg.reg.int.`), the default.
    HmacMd5,
    /// `HMACSHA1` (`hmac-sha1.`).
    HmacSha1,
    /// `HMACSHA256` (`hmac-sha256.`).
    HmacSha256,
    /// `HMACSHA512` (`hmac-sha512.`).
    HmacSha512,
}

impl Algorithm {
    /// Parses the `tsigAlgorithm` field: case-insensitive `HMACMD5`, `HMACSHA1`,
    /// `HMACSHA256`, `HMACSHA512`; empty means HMACMD5 (cert-manager's default).
    pub fn from_field(field: Option<&str>) -> Result<Self, Dns01Error> {
        let field = field.unwrap_or_default();
        if field.is_empty() {
            return Ok(Self::HmacMd5);
        }
        match field.to_ascii_uppercase().as_str() {
            "HMACMD5" => Ok(Self::HmacMd5),
            "HMACSHA1" => Ok(Self::HmacSha1),
            "HMACSHA256" => Ok(Self::HmacSha256),
            "HMACSHA512" => Ok(Self::HmacSha512),
            _ => Err(Dns01Error::UnsupportedAlgorithm(field.to_string())),
        }
    }

    /// The algorithm's name on the wire (lower case, as miekg/dns and BIND write it).
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::HmacMd5 => "hmac-md5.sig-alg.reg.int.",
            Self::HmacSha1 => "hmac-sha1.",
            Self::HmacSha256 => "hmac-sha256.",
            Self::HmacSha512 => "hmac-sha512.",
        }
    }

    fn to_wire(self) -> TsigAlgorithm {
        match Name::from_ascii(self.wire_name()) {
            Ok(name) => TsigAlgorithm::Unknown(name),
            Err(_) => TsigAlgorithm::HmacMd5,
        }
    }

    /// HMAC of `data` under `key`.
    pub fn mac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            // HMAC takes keys of any length, so this never fails.
            match <M as hmac::digest::KeyInit>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(data);
                    m.finalize().into_bytes().to_vec()
                }
                Err(_) => Vec::new(),
            }
        }
        match self {
            Self::HmacMd5 => run::<Hmac<md5::Md5>>(key, data),
            Self::HmacSha1 => run::<Hmac<sha1::Sha1>>(key, data),
            Self::HmacSha256 => run::<Hmac<sha2::Sha256>>(key, data),
            Self::HmacSha512 => run::<Hmac<sha2::Sha512>>(key, data),
        }
    }
}

/// A TSIG key ready to sign: name, algorithm and the decoded secret.
#[derive(Clone)]
pub struct TsigKey {
    name: Name,
    algorithm: Algorithm,
    secret: Vec<u8>,
}

impl std::fmt::Debug for TsigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("TsigKey")
            .field("name", &self.name.to_ascii())
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl TsigKey {
    /// A key from the issuer's fields: `tsigKeyName`, `tsigAlgorithm` and the Secret's
    /// value, which holds the key **base64-encoded** (as for BIND's `secret` and
    /// `nsupdate -y`); surrounding white space is ignored.
    pub fn new(
        key_name: &str,
        algorithm: Algorithm,
        secret_b64: &[u8],
    ) -> Result<Self, Dns01Error> {
        let mut name = Name::from_ascii(key_name.trim()).map_err(|e| {
            Dns01Error::InvalidTsig(format!("tsigKeyName {key_name:?} is not a DNS name: {e}"))
        })?;
        name.set_fqdn(true);
        let text: Vec<u8> = secret_b64
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let secret = base64::engine::general_purpose::STANDARD
            .decode(&text)
            .map_err(|e| {
                Dns01Error::InvalidTsig(format!(
                    "the TSIG secret must be base64-encoded (as for nsupdate -y): {e}"
                ))
            })?;
        Ok(Self {
            name,
            algorithm,
            secret,
        })
    }

    /// The key name (fully qualified).
    pub fn name(&self) -> &Name {
        &self.name
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

/// Seconds since the epoch, as TSIG's 48-bit time.
pub fn tsig_time(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        & 0xFFFF_FFFF_FFFF
}

/// The TSIG variables covered by a MAC (RFC 8945 §4.3.3).
fn variables(tsig: &TSIG, key_name: &Name) -> Result<Vec<u8>, Dns01Error> {
    let mut buf = Vec::with_capacity(64);
    let mut enc = BinEncoder::new(&mut buf);
    tsig.emit_tsig_for_mac(&mut enc, key_name)
        .map_err(|e| Dns01Error::UpdateFailed(format!("encoding TSIG: {e}")))?;
    Ok(buf)
}

/// Signs `message` in place (its TSIG record is set); returns the request MAC, which
/// the response's MAC covers.
pub fn sign(message: &mut Message, key: &TsigKey, now: SystemTime) -> Result<Vec<u8>, Dns01Error> {
    message.signature = None;
    let unsigned = message
        .to_vec()
        .map_err(|e| Dns01Error::UpdateFailed(format!("encoding the update: {e}")))?;
    let stub = TSIG::new(
        key.algorithm.to_wire(),
        tsig_time(now),
        FUDGE,
        Vec::new(),
        message.metadata.id,
        None,
        Vec::new(),
    );
    let mut tbs = unsigned;
    tbs.extend_from_slice(&variables(&stub, &key.name)?);
    let mac = key.algorithm.mac(&key.secret, &tbs);
    message.signature = Some(Box::new(make_tsig_record(
        key.name.clone(),
        stub.set_mac(mac.clone()),
    )));
    Ok(mac)
}

fn read_u16(buf: &[u8], pos: usize) -> Option<u16> {
    let b = buf.get(pos..pos.checked_add(2)?)?;
    Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
}

/// Skips a (possibly compressed) name at `pos`; the offset after it.
fn skip_name(buf: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let len = *buf.get(pos)?;
        match len & 0xC0 {
            0x00 if len == 0 => return pos.checked_add(1),
            0x00 => pos = pos.checked_add(1 + usize::from(len))?,
            0xC0 => return pos.checked_add(2).filter(|&p| p <= buf.len()),
            _ => return None,
        }
    }
}

/// The offset of the last record of a message (where its TSIG record must be).
fn last_record_offset(buf: &[u8]) -> Option<usize> {
    let qd = read_u16(buf, 4)?;
    let total =
        u32::from(read_u16(buf, 6)?) + u32::from(read_u16(buf, 8)?) + u32::from(read_u16(buf, 10)?);
    let before_last = total.checked_sub(1)?;
    let mut pos = 12usize;
    for _ in 0..qd {
        pos = skip_name(buf, pos)?.checked_add(4)?;
    }
    for _ in 0..before_last {
        pos = skip_name(buf, pos)?;
        let rdlen = read_u16(buf, pos.checked_add(8)?)?;
        pos = pos.checked_add(10 + usize::from(rdlen))?;
    }
    (pos < buf.len()).then_some(pos)
}

/// Verifies the TSIG of a signed response (`raw` as received, `record` its parsed TSIG)
/// against the request's MAC. The error reads as miekg/dns's (`dns: bad signature`).
pub fn verify_response(
    raw: &[u8],
    record: &Record<TSIG>,
    key: &TsigKey,
    request_mac: &[u8],
) -> Result<(), Dns01Error> {
    let tsig = &record.data;
    let bad = || Dns01Error::UpdateFailed("dns: bad signature".into());
    if record.name.to_lowercase() != key.name.to_lowercase() {
        return Err(bad());
    }
    let start = last_record_offset(raw).ok_or_else(bad)?;
    let header = raw.get(..12).ok_or_else(bad)?;
    let arcount = read_u16(raw, 10)
        .and_then(|c| c.checked_sub(1))
        .ok_or_else(bad)?;
    let request_mac_len = u16::try_from(request_mac.len()).map_err(|_| bad())?;
    let mut tbs = Vec::with_capacity(raw.len() + 128);
    tbs.extend_from_slice(&request_mac_len.to_be_bytes());
    tbs.extend_from_slice(request_mac);
    tbs.extend_from_slice(&tsig.oid.to_be_bytes());
    tbs.extend_from_slice(header.get(2..10).ok_or_else(bad)?);
    tbs.extend_from_slice(&arcount.to_be_bytes());
    tbs.extend_from_slice(raw.get(12..start).ok_or_else(bad)?);
    tbs.extend_from_slice(&variables(tsig, &record.name)?);
    let expected = key.algorithm.mac(&key.secret, &tbs);
    let ok = expected.len() == tsig.mac.len()
        && expected
            .iter()
            .zip(&tsig.mac)
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0;
    if ok { Ok(()) } else { Err(bad()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_parse_as_cert_manager() {
        assert_eq!(Algorithm::from_field(None).unwrap(), Algorithm::HmacMd5);
        assert_eq!(Algorithm::from_field(Some("")).unwrap(), Algorithm::HmacMd5);
        assert_eq!(
            Algorithm::from_field(Some("hmacsha256")).unwrap(),
            Algorithm::HmacSha256
        );
        assert_eq!(
            Algorithm::from_field(Some("HMACSHA1")).unwrap(),
            Algorithm::HmacSha1
        );
        assert_eq!(
            Algorithm::from_field(Some("HMACSHA512")).unwrap(),
            Algorithm::HmacSha512
        );
        assert_eq!(
            Algorithm::from_field(Some("HMACSHA384"))
                .unwrap_err()
                .to_string(),
            "algorithm 'HMACSHA384' is not supported"
        );
    }

    #[test]
    fn hmac_md5_matches_rfc2104() {
        let mac = Algorithm::HmacMd5.mac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            mac,
            [
                0x75, 0x0c, 0x78, 0x3e, 0x6a, 0xb0, 0xb5, 0x03, 0xea, 0xa8, 0x6e, 0x31, 0x0a, 0x5d,
                0xb7, 0x38
            ]
        );
        assert_eq!(Algorithm::HmacSha1.mac(b"k", b"d").len(), 20);
        assert_eq!(Algorithm::HmacSha256.mac(b"k", b"d").len(), 32);
        assert_eq!(Algorithm::HmacSha512.mac(b"k", b"d").len(), 64);
    }

    #[test]
    fn keys_need_base64_secrets() {
        let k = TsigKey::new("acme-key", Algorithm::HmacSha256, b" c2VjcmV0\n").unwrap();
        assert_eq!(k.secret, b"secret");
        assert_eq!(k.name().to_ascii(), "acme-key.");
        assert!(!format!("{k:?}").contains("secret\""));
        let err = TsigKey::new("acme-key", Algorithm::HmacSha256, b"not base64!").unwrap_err();
        assert!(err.to_string().contains("base64"), "{err}");
    }

    #[test]
    fn garbage_never_panics() {
        assert_eq!(skip_name(&[0], 0), Some(1));
        assert_eq!(skip_name(&[0xC0], 0), None);
        assert_eq!(skip_name(&[5, b'a'], 0), None);
        assert_eq!(last_record_offset(&[0; 12]), None);
        assert_eq!(last_record_offset(&[0xff; 40]), None);
        assert_eq!(last_record_offset(&[]), None);
    }
}
