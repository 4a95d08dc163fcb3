//! TSIG (RFC 8945): keys, MAC algorithms, request verification and response signing.
//!
//! hickory-proto provides the TSIG record types; the MACs are computed here so that
//! hmac-md5 (cert-manager's default `tsigAlgorithm`) and hmac-sha1/224 work too.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hickory_server::proto::rr::rdata::tsig::{TSIG, TsigAlgorithm, TsigError, make_tsig_record};
use hickory_server::proto::rr::{LowerName, Name, Record};
use hickory_server::proto::serialize::binary::BinEncoder;
use hmac::{Hmac, Mac};

use crate::error::TsigKeyError;

/// The fudge (allowed clock skew, seconds) put in signed responses.
pub const RESPONSE_FUDGE: u16 = 300;

/// A TSIG MAC algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC-MD5.SIG-ALG.REG.INT
    HmacMd5,
    /// hmac-sha1
    HmacSha1,
    /// hmac-sha224
    HmacSha224,
    /// hmac-sha256
    HmacSha256,
    /// hmac-sha384
    HmacSha384,
    /// hmac-sha512
    HmacSha512,
}

impl Algorithm {
    /// Parses an algorithm name: `hmac-sha256`, `HMAC-SHA256`, `hmac-md5`,
    /// `hmac-md5.sig-alg.reg.int.` and the like.
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.trim_end_matches('.').to_ascii_lowercase();
        Some(match lower.as_str() {
            "hmac-md5" | "hmac-md5.sig-alg.reg.int" => Self::HmacMd5,
            "hmac-sha1" => Self::HmacSha1,
            "hmac-sha224" => Self::HmacSha224,
            "hmac-sha256" => Self::HmacSha256,
            "hmac-sha384" => Self::HmacSha384,
            "hmac-sha512" => Self::HmacSha512,
            _ => return None,
        })
    }

    /// The algorithm of a received TSIG record, if supported.
    pub fn from_wire(alg: &TsigAlgorithm) -> Option<Self> {
        Self::from_name(&alg.to_name().to_ascii())
    }

    /// The algorithm as hickory names it on the wire.
    pub fn to_wire(self) -> TsigAlgorithm {
        match self {
            Self::HmacMd5 => TsigAlgorithm::Unknown(
                Name::from_ascii("hmac-md5.sig-alg.reg.int").unwrap_or_else(|_| Name::root()),
            ),
            Self::HmacSha1 => TsigAlgorithm::HmacSha1,
            Self::HmacSha224 => TsigAlgorithm::HmacSha224,
            Self::HmacSha256 => TsigAlgorithm::HmacSha256,
            Self::HmacSha384 => TsigAlgorithm::HmacSha384,
            Self::HmacSha512 => TsigAlgorithm::HmacSha512,
        }
    }

    /// Length of the full MAC in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::HmacMd5 => 16,
            Self::HmacSha1 => 20,
            Self::HmacSha224 => 28,
            Self::HmacSha256 => 32,
            Self::HmacSha384 => 48,
            Self::HmacSha512 => 64,
        }
    }

    /// HMAC of `data` under `key`.
    pub fn mac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            // HMAC accepts keys of any length, so this cannot fail.
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
            Self::HmacSha224 => run::<Hmac<sha2::Sha224>>(key, data),
            Self::HmacSha256 => run::<Hmac<sha2::Sha256>>(key, data),
            Self::HmacSha384 => run::<Hmac<sha2::Sha384>>(key, data),
            Self::HmacSha512 => run::<Hmac<sha2::Sha512>>(key, data),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::HmacMd5 => "hmac-md5",
            Self::HmacSha1 => "hmac-sha1",
            Self::HmacSha224 => "hmac-sha224",
            Self::HmacSha256 => "hmac-sha256",
            Self::HmacSha384 => "hmac-sha384",
            Self::HmacSha512 => "hmac-sha512",
        })
    }
}

/// A shared TSIG key.
#[derive(Clone, PartialEq, Eq)]
pub struct TsigKey {
    name: Name,
    algorithm: Algorithm,
    secret: Vec<u8>,
}

impl fmt::Debug for TsigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        f.debug_struct("TsigKey")
            .field("name", &self.name.to_ascii())
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl TsigKey {
    /// A key named `name` (a DNS name) with the raw `secret`.
    pub fn new(name: &str, algorithm: Algorithm, secret: Vec<u8>) -> Result<Self, TsigKeyError> {
        let mut n = Name::from_ascii(name).map_err(|_| TsigKeyError::Name(name.to_owned()))?;
        n.set_fqdn(true);
        Ok(Self {
            name: n,
            algorithm,
            secret,
        })
    }

    /// Parses `NAME:ALGORITHM:BASE64SECRET`, the `--tsig-key` form.
    pub fn parse(spec: &str) -> Result<Self, TsigKeyError> {
        let mut parts = spec.splitn(3, ':');
        let (Some(name), Some(alg), Some(secret)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(TsigKeyError::Format(redact(spec)));
        };
        if name.is_empty() {
            return Err(TsigKeyError::Format(redact(spec)));
        }
        let algorithm =
            Algorithm::from_name(alg).ok_or_else(|| TsigKeyError::Algorithm(alg.to_owned()))?;
        let secret = base64::engine::general_purpose::STANDARD
            .decode(secret.trim())
            .map_err(|_| TsigKeyError::Secret(name.to_owned()))?;
        Self::new(name, algorithm, secret)
    }

    /// The key name.
    pub fn name(&self) -> &Name {
        &self.name
    }

    /// The MAC algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

/// `name:alg:secret` with the secret replaced, for error messages.
fn redact(spec: &str) -> String {
    match spec.rsplit_once(':') {
        Some((head, _)) => format!("{head}:<secret>"),
        None => "<redacted>".to_owned(),
    }
}

/// Seconds since the epoch, as TSIG's 48-bit time.
pub fn tsig_time(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        & 0xFFFF_FFFF_FFFF
}

/// Why a signed request was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The message is malformed (e.g. a MAC longer than the algorithm's). FORMERR.
    FormErr,
    /// Unknown key name or algorithm. NOTAUTH + BADKEY, unsigned.
    BadKey,
    /// The MAC does not verify. NOTAUTH + BADSIG, unsigned.
    BadSig,
    /// The MAC verified but was truncated below policy. NOTAUTH + BADTRUNC, signed.
    BadTrunc(Box<Verified>),
    /// The MAC verified but the time is outside the fudge. NOTAUTH + BADTIME, signed.
    BadTime(Box<Verified>),
}

/// A request whose TSIG verified; what is needed to sign the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The key that signed it.
    pub key: TsigKey,
    /// The request's MAC (covered by the response MAC).
    pub request_mac: Vec<u8>,
    /// The request's Time Signed.
    pub request_time: u64,
    /// The algorithm exactly as the request named it, echoed in the response.
    pub wire_algorithm: TsigAlgorithm,
}

fn read_u16(buf: &[u8], pos: usize) -> Option<u16> {
    let b = buf.get(pos..pos.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// Skips a (possibly compressed) name starting at `pos`; returns the offset after it.
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

/// The offset of the last record of the additional section (where TSIG must be).
pub fn last_record_offset(buf: &[u8]) -> Option<usize> {
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

/// The TSIG variables covered by the MAC (RFC 8945 §4.3.3).
fn tsig_variables(tsig: &TSIG, key_name: &Name) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(64);
    let mut enc = BinEncoder::new(&mut buf);
    tsig.emit_tsig_for_mac(&mut enc, key_name).ok()?;
    Some(buf)
}

/// Verifies a request's TSIG record against `keys`.
///
/// `raw` is the request exactly as received; `record` is its parsed TSIG record.
pub fn verify(
    raw: &[u8],
    record: &Record<TSIG>,
    keys: &[TsigKey],
    now: SystemTime,
) -> Result<Verified, Rejection> {
    let tsig = &record.data;
    let algorithm = Algorithm::from_wire(&tsig.algorithm);
    let owner = LowerName::new(&record.name);
    let key = keys
        .iter()
        .find(|k| LowerName::new(&k.name) == owner && Some(k.algorithm) == algorithm)
        .ok_or(Rejection::BadKey)?;

    let full = key.algorithm.output_len();
    let mac_len = tsig.mac.len();
    if mac_len > full {
        return Err(Rejection::FormErr);
    }
    let min = (full / 2).max(10);
    if mac_len < min {
        // RFC 8945 §5.2.2.1: too short to be verified.
        return Err(Rejection::BadSig);
    }

    let start = last_record_offset(raw).ok_or(Rejection::FormErr)?;
    let header = raw.get(..12).ok_or(Rejection::FormErr)?;
    let arcount = read_u16(raw, 10)
        .and_then(|c| c.checked_sub(1))
        .ok_or(Rejection::FormErr)?;
    let mut tbs = Vec::with_capacity(raw.len() + 64);
    tbs.extend_from_slice(&tsig.oid.to_be_bytes());
    tbs.extend_from_slice(&header[2..10]);
    tbs.extend_from_slice(&arcount.to_be_bytes());
    tbs.extend_from_slice(raw.get(12..start).ok_or(Rejection::FormErr)?);
    tbs.extend_from_slice(&tsig_variables(tsig, &record.name).ok_or(Rejection::FormErr)?);

    let expected = key.algorithm.mac(&key.secret, &tbs);
    let prefix = expected.get(..mac_len).ok_or(Rejection::FormErr)?;
    if !constant_time_eq(prefix, &tsig.mac) {
        return Err(Rejection::BadSig);
    }
    let verified = Verified {
        key: key.clone(),
        request_mac: tsig.mac.clone(),
        request_time: tsig.time,
        wire_algorithm: tsig.algorithm.clone(),
    };
    if mac_len < full {
        // We only accept full-length MACs (local policy, RFC 8945 §5.2.2.1).
        return Err(Rejection::BadTrunc(Box::new(verified)));
    }
    let now = tsig_time(now);
    if now.abs_diff(tsig.time) > u64::from(tsig.fudge) {
        return Err(Rejection::BadTime(Box::new(verified)));
    }
    Ok(verified)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Signs a response: `unsigned` is the response encoded without its TSIG record.
///
/// `error` and `other` fill the TSIG error fields (BADTIME puts the server time in
/// `other`). Returns the TSIG record to append.
pub fn sign_response(
    verified: &Verified,
    unsigned: &[u8],
    id: u16,
    time: u64,
    error: Option<TsigError>,
    other: Vec<u8>,
) -> Option<Record<TSIG>> {
    let stub = TSIG::new(
        verified.wire_algorithm.clone(),
        time,
        RESPONSE_FUDGE,
        Vec::new(),
        id,
        error,
        other,
    );
    let request_mac_len = u16::try_from(verified.request_mac.len()).ok()?;
    let mut tbs = Vec::with_capacity(unsigned.len() + 128);
    tbs.extend_from_slice(&request_mac_len.to_be_bytes());
    tbs.extend_from_slice(&verified.request_mac);
    tbs.extend_from_slice(unsigned);
    tbs.extend_from_slice(&tsig_variables(&stub, &verified.key.name)?);
    let mac = verified.key.algorithm.mac(&verified.key.secret, &tbs);
    Some(make_tsig_record(
        verified.key.name.clone(),
        stub.set_mac(mac),
    ))
}

/// The TSIG record of an unsigned error response (BADKEY, BADSIG): empty MAC.
pub fn unsigned_error(record: &Record<TSIG>, id: u16, time: u64, error: TsigError) -> Record<TSIG> {
    let tsig = TSIG::new(
        record.data.algorithm.clone(),
        time,
        RESPONSE_FUDGE,
        Vec::new(),
        id,
        Some(error),
        Vec::new(),
    );
    make_tsig_record(record.name.clone(), tsig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_specs() {
        let k = TsigKey::parse("Key.Example:HMAC-SHA256:c2VjcmV0").unwrap();
        assert_eq!(k.name().to_ascii(), "Key.Example.");
        assert_eq!(k.algorithm(), Algorithm::HmacSha256);
        assert_eq!(k.secret, b"secret");
        assert!(matches!(
            TsigKey::parse("k:hmac-sha256"),
            Err(TsigKeyError::Format(_))
        ));
        assert!(matches!(
            TsigKey::parse("k:rot13:c2VjcmV0"),
            Err(TsigKeyError::Algorithm(_))
        ));
        assert!(matches!(
            TsigKey::parse("k:hmac-md5:!!"),
            Err(TsigKeyError::Secret(_))
        ));
        assert!(!format!("{k:?}").contains("secret\""));
    }

    #[test]
    fn hmac_md5_matches_rfc2104_vector() {
        // RFC 2104 test case 2.
        let mac = Algorithm::HmacMd5.mac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            mac,
            [
                0x75, 0x0c, 0x78, 0x3e, 0x6a, 0xb0, 0xb5, 0x03, 0xea, 0xa8, 0x6e, 0x31, 0x0a, 0x5d,
                0xb7, 0x38
            ]
        );
        assert_eq!(Algorithm::HmacSha512.mac(b"k", b"d").len(), 64);
    }

    #[test]
    fn skip_name_rejects_garbage() {
        assert_eq!(skip_name(&[0], 0), Some(1));
        assert_eq!(skip_name(&[0xC0, 0x0C], 0), Some(2));
        assert_eq!(skip_name(&[0xC0], 0), None);
        assert_eq!(skip_name(&[5, b'a'], 0), None);
        assert_eq!(skip_name(&[0x80], 0), None);
        assert_eq!(last_record_offset(&[0; 12]), None);
    }
}
