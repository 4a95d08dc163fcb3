//! A minimal DER writer and reader, enough for the structures this room builds by hand
//! (CSRs, TBSCertificates, extensions, PKCS#8 wrappers, JKS key protection).
//!
//! Only single-byte tags (tag numbers below 31) and definite lengths are supported,
//! which covers every structure of X.509, PKCS#8 and PKCS#10. The reader never panics:
//! every length is checked against the remaining input.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::error::{PkiError, Result};

/// Universal tag numbers and class bits used here.
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const UTF8_STRING: u8 = 0x0c;
    pub const PRINTABLE_STRING: u8 = 0x13;
    pub const T61_STRING: u8 = 0x14;
    pub const IA5_STRING: u8 = 0x16;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const BMP_STRING: u8 = 0x1e;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    /// Context-specific class bit.
    pub const CONTEXT: u8 = 0x80;
    /// Constructed bit.
    pub const CONSTRUCTED: u8 = 0x20;
}

// ---------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------

/// Encodes a DER length.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = &bytes[skip..];
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
}

/// A complete TLV with the given identifier octet and content.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    push_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already encoded elements.
pub(crate) fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// A SEQUENCE of already encoded elements (owned variant).
pub(crate) fn sequence_of(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// A SET OF already encoded elements, sorted as DER requires.
pub(crate) fn set_of(mut parts: Vec<Vec<u8>>) -> Vec<u8> {
    parts.sort();
    tlv(tag::SET, &parts.concat())
}

/// A context-specific element `[n]`, constructed or primitive.
pub(crate) fn context(number: u8, constructed: bool, content: &[u8]) -> Vec<u8> {
    let mut id = tag::CONTEXT | (number & 0x1f);
    if constructed {
        id |= tag::CONSTRUCTED;
    }
    tlv(id, content)
}

/// An INTEGER from unsigned big-endian magnitude bytes (leading zeros are stripped,
/// a zero byte is added when the top bit is set).
pub(crate) fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let significant = &magnitude[skip..];
    let mut content = Vec::with_capacity(significant.len() + 1);
    match significant.first() {
        None => content.push(0),
        Some(first) if first & 0x80 != 0 => {
            content.push(0);
            content.extend_from_slice(significant);
        }
        Some(_) => content.extend_from_slice(significant),
    }
    tlv(tag::INTEGER, &content)
}

/// An INTEGER from a small non-negative value.
pub(crate) fn small_integer(value: u64) -> Vec<u8> {
    unsigned_integer(&value.to_be_bytes())
}

/// BOOLEAN TRUE/FALSE.
pub(crate) fn boolean(value: bool) -> Vec<u8> {
    tlv(tag::BOOLEAN, &[if value { 0xff } else { 0x00 }])
}

/// NULL.
pub(crate) fn null() -> Vec<u8> {
    vec![tag::NULL, 0]
}

/// OCTET STRING.
pub(crate) fn octet_string(content: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, content)
}

/// BIT STRING with the given number of unused trailing bits.
pub(crate) fn bit_string(content: &[u8], unused_bits: u8) -> Vec<u8> {
    let mut body = Vec::with_capacity(content.len() + 1);
    body.push(unused_bits);
    body.extend_from_slice(content);
    tlv(tag::BIT_STRING, &body)
}

/// UTCTime for years 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5), at
/// whole-second precision (sub-second parts are truncated as Go's encoder does).
pub(crate) fn time(t: SystemTime) -> Vec<u8> {
    let civil = Civil::from_system_time(t);
    if (1950..2050).contains(&civil.year) {
        let s = format!(
            "{:02}{:02}{:02}{:02}{:02}{:02}Z",
            civil.year.rem_euclid(100),
            civil.month,
            civil.day,
            civil.hour,
            civil.minute,
            civil.second
        );
        tlv(tag::UTC_TIME, s.as_bytes())
    } else {
        let s = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}Z",
            civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second
        );
        tlv(tag::GENERALIZED_TIME, s.as_bytes())
    }
}

// ---------------------------------------------------------------------------------
// Civil time (UTC), used for encoding validity periods and Go-style time strings.
// ---------------------------------------------------------------------------------

/// A UTC calendar date and time of day, at whole-second precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Day of the week, 0 = Sunday.
    pub weekday: u32,
}

impl Civil {
    /// Splits a `SystemTime` into calendar fields, flooring to the second.
    pub fn from_system_time(t: SystemTime) -> Civil {
        let secs: i64 = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2),
            Err(e) => {
                let d = e.duration();
                let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2);
                if d.subsec_nanos() > 0 {
                    -whole - 1
                } else {
                    -whole
                }
            }
        };
        Civil::from_unix_seconds(secs)
    }

    /// Calendar fields of a Unix timestamp (seconds).
    pub fn from_unix_seconds(secs: i64) -> Civil {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = if m <= 2 { y + 1 } else { y };
        Civil {
            year,
            month: m as u32,
            day: d as u32,
            hour: (rem / 3600) as u32,
            minute: ((rem % 3600) / 60) as u32,
            second: (rem % 60) as u32,
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    /// Unix seconds of a calendar date and time (no range checks beyond arithmetic).
    #[cfg(test)]
    pub fn to_unix_seconds(year: i64, month: u32, day: u32, h: u32, m: u32, s: u32) -> i64 {
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = if month > 2 { month - 3 } else { month + 9 } as i64;
        let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86_400 + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s)
    }
}

/// A `SystemTime` from Unix seconds, saturating at the representable range.
pub(crate) fn system_time_from_unix(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH
            .checked_add(Duration::from_secs(secs.unsigned_abs()))
            .unwrap_or(UNIX_EPOCH)
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_secs(secs.unsigned_abs()))
            .unwrap_or(UNIX_EPOCH)
    }
}

// ---------------------------------------------------------------------------------
// Object identifiers
// ---------------------------------------------------------------------------------

/// An ASN.1 OBJECT IDENTIFIER as its arcs.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid(Vec<u64>);

impl Oid {
    /// An OID from its arcs (not validated; use [`Oid::parse`] for user input).
    pub fn from_arcs(arcs: &[u64]) -> Oid {
        Oid(arcs.to_vec())
    }

    /// The arcs.
    pub fn arcs(&self) -> &[u64] {
        &self.0
    }

    /// Parses a dotted-decimal OID ("1.3.6.1.4.1.311.20.2.3"). Like cert-manager it
    /// rejects empty strings and non-numeric arcs, and like Go's ASN.1 encoder it
    /// rejects OIDs that cannot be encoded (fewer than two arcs, first arc above 2,
    /// second arc of 40 or more under arcs 0 and 1).
    pub fn parse(s: &str) -> Result<Oid> {
        let oid = Oid::parse_unchecked(s)?;
        oid.check_encodable()?;
        Ok(oid)
    }

    /// Parses dotted decimal arcs without checking that the OID can be encoded (as
    /// cert-manager's `ParseObjectIdentifier`; encoding fails later).
    pub fn parse_unchecked(s: &str) -> Result<Oid> {
        if s.is_empty() {
            return Err(PkiError::Template(
                "zero length OBJECT IDENTIFIER".to_string(),
            ));
        }
        let mut arcs = Vec::new();
        for part in s.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(PkiError::Template(format!(
                    "strconv.Atoi: parsing {part:?}: invalid syntax"
                )));
            }
            let value: u64 = part.parse().map_err(|_| {
                PkiError::Template(format!(
                    "strconv.Atoi: parsing {part:?}: value out of range"
                ))
            })?;
            arcs.push(value);
        }
        Ok(Oid(arcs))
    }

    fn check_encodable(&self) -> Result<()> {
        let bad = match self.0.as_slice() {
            [first, second, ..] => *first > 2 || (*first < 2 && *second >= 40),
            _ => true,
        };
        if bad {
            return Err(PkiError::Template(format!(
                "asn1: structure error: invalid object identifier {self}"
            )));
        }
        Ok(())
    }

    /// The DER content octets (without tag and length). Fails only for OIDs that
    /// cannot be encoded.
    pub(crate) fn content(&self) -> Result<Vec<u8>> {
        self.check_encodable()?;
        let mut out = Vec::new();
        let (first, second) = match self.0.as_slice() {
            [a, b, ..] => (*a, *b),
            _ => return Err(PkiError::Template("invalid object identifier".to_string())),
        };
        let head = first
            .checked_mul(40)
            .and_then(|v| v.checked_add(second))
            .ok_or_else(|| PkiError::Template("object identifier arc too large".to_string()))?;
        push_base128(&mut out, head);
        for arc in self.0.iter().skip(2) {
            push_base128(&mut out, *arc);
        }
        Ok(out)
    }

    /// The complete DER encoding (tag, length, content).
    pub(crate) fn to_der(&self) -> Result<Vec<u8>> {
        Ok(tlv(tag::OID, &self.content()?))
    }

    /// Decodes OID content octets.
    pub(crate) fn from_content(content: &[u8]) -> Result<Oid> {
        let mut values = Vec::new();
        let mut acc: u64 = 0;
        let mut in_progress = false;
        for b in content {
            if !in_progress && *b == 0x80 {
                return Err(PkiError::Der("non-minimal OID arc".to_string()));
            }
            acc = acc
                .checked_mul(128)
                .and_then(|v| v.checked_add(u64::from(b & 0x7f)))
                .ok_or_else(|| PkiError::Der("OID arc overflows".to_string()))?;
            if b & 0x80 == 0 {
                values.push(acc);
                acc = 0;
                in_progress = false;
            } else {
                in_progress = true;
            }
        }
        if in_progress || values.is_empty() {
            return Err(PkiError::Der("truncated OID".to_string()));
        }
        let head = values[0];
        let (first, second) = if head < 40 {
            (0, head)
        } else if head < 80 {
            (1, head - 40)
        } else {
            (2, head - 80)
        };
        let mut arcs = vec![first, second];
        arcs.extend_from_slice(&values[1..]);
        Ok(Oid(arcs))
    }
}

fn push_base128(out: &mut Vec<u8>, mut value: u64) {
    let mut tmp = [0u8; 10];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            break;
        }
    }
    let last = tmp.len() - 1;
    for (idx, b) in tmp.iter().enumerate().skip(i) {
        out.push(if idx == last { *b } else { *b | 0x80 });
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arc) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{arc}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

// ---------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------

/// One decoded TLV.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Element<'a> {
    /// The identifier octet.
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
    /// The whole encoding, tag and length included.
    pub raw: &'a [u8],
}

/// Sequential reader over concatenated DER elements.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Peeks at the next identifier octet.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads any element.
    pub fn read(&mut self) -> Result<Element<'a>> {
        let data = self.data;
        let (&tag, rest) = data
            .split_first()
            .ok_or_else(|| PkiError::Der("unexpected end of DER input".to_string()))?;
        if tag & 0x1f == 0x1f {
            return Err(PkiError::Der(
                "multi-byte DER tags are not supported".to_string(),
            ));
        }
        let (&first_len, rest) = rest
            .split_first()
            .ok_or_else(|| PkiError::Der("truncated DER length".to_string()))?;
        let (len, rest) = if first_len < 0x80 {
            (usize::from(first_len), rest)
        } else {
            let n = usize::from(first_len & 0x7f);
            if n == 0 || n > 4 {
                return Err(PkiError::Der("unsupported DER length form".to_string()));
            }
            let bytes = rest
                .get(..n)
                .ok_or_else(|| PkiError::Der("truncated DER length".to_string()))?;
            let mut len = 0usize;
            for b in bytes {
                len = (len << 8) | usize::from(*b);
            }
            if len < 0x80 || bytes.first() == Some(&0) {
                return Err(PkiError::Der("non-minimal DER length".to_string()));
            }
            (len, &rest[n..])
        };
        let content = rest
            .get(..len)
            .ok_or_else(|| PkiError::Der("DER element longer than its input".to_string()))?;
        let header_len = data.len() - rest.len();
        let total = header_len + len;
        let raw = &data[..total];
        self.data = &data[total..];
        Ok(Element { tag, content, raw })
    }

    /// Reads an element and checks its identifier octet.
    pub fn expect(&mut self, expected: u8) -> Result<Element<'a>> {
        let el = self.read()?;
        if el.tag != expected {
            return Err(PkiError::Der(format!(
                "unexpected DER tag 0x{:02x}, expected 0x{expected:02x}",
                el.tag
            )));
        }
        Ok(el)
    }

    /// Reads an optional element with the given identifier octet.
    pub fn optional(&mut self, expected: u8) -> Result<Option<Element<'a>>> {
        if self.peek_tag() == Some(expected) {
            Ok(Some(self.read()?))
        } else {
            Ok(None)
        }
    }

    /// Fails unless all input was consumed.
    pub fn finish(&self) -> Result<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(PkiError::Der("trailing data after DER element".to_string()))
        }
    }
}

/// Parses exactly one element spanning the whole input.
pub(crate) fn parse_single(data: &[u8], expected: u8) -> Result<Element<'_>> {
    let mut r = Reader::new(data);
    let el = r.expect(expected)?;
    r.finish()?;
    Ok(el)
}

/// Reads an OID element.
pub(crate) fn read_oid(r: &mut Reader<'_>) -> Result<Oid> {
    Oid::from_content(r.expect(tag::OID)?.content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_round_trip() {
        for s in [
            "1.2.840.113549.1.1.11",
            "2.5.29.17",
            "1.3.6.1.4.1.311.20.2.3",
            "2.999.1",
        ] {
            let oid = Oid::parse(s).unwrap();
            let der = oid.to_der().unwrap();
            let back = read_oid(&mut Reader::new(&der)).unwrap();
            assert_eq!(back.to_string(), s);
        }
        assert_eq!(
            Oid::parse("2.5.29.17").unwrap().to_der().unwrap(),
            vec![0x06, 0x03, 0x55, 0x1d, 0x11]
        );
    }

    #[test]
    fn oid_rejects_bad_input() {
        for s in ["", "1", "a.b", "1..2", "3.1", "1.40", "1.2.-3", "+1.2"] {
            assert!(Oid::parse(s).is_err(), "{s} should be rejected");
        }
    }

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(unsigned_integer(&[0, 0, 1]), vec![2, 1, 1]);
        assert_eq!(unsigned_integer(&[0x80]), vec![2, 2, 0, 0x80]);
        assert_eq!(unsigned_integer(&[]), vec![2, 1, 0]);
        assert_eq!(small_integer(2), vec![2, 1, 2]);
    }

    #[test]
    fn long_lengths_round_trip() {
        let content = vec![7u8; 300];
        let enc = octet_string(&content);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let el = parse_single(&enc, tag::OCTET_STRING).unwrap();
        assert_eq!(el.content, content.as_slice());
    }

    #[test]
    fn reader_rejects_truncation_without_panicking() {
        for bad in [
            &[0x30u8][..],
            &[0x30, 0x05, 0x01],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x1f, 0],
        ] {
            assert!(Reader::new(bad).read().is_err());
        }
    }

    #[test]
    fn civil_time_round_trips() {
        for secs in [0i64, 951_782_400, 1_700_000_000, 4_102_444_800, -1, -86_401] {
            let c = Civil::from_unix_seconds(secs);
            assert_eq!(
                Civil::to_unix_seconds(c.year, c.month, c.day, c.hour, c.minute, c.second),
                secs
            );
        }
        let c = Civil::from_unix_seconds(951_782_400); // 2000-02-29
        assert_eq!((c.year, c.month, c.day, c.weekday), (2000, 2, 29, 2));
    }

    #[test]
    fn times_switch_to_generalized_after_2049() {
        let t = system_time_from_unix(Civil::to_unix_seconds(2050, 1, 1, 0, 0, 0));
        assert_eq!(time(t)[0], tag::GENERALIZED_TIME);
        let t = system_time_from_unix(Civil::to_unix_seconds(2049, 12, 31, 23, 59, 59));
        assert_eq!(time(t), tlv(tag::UTC_TIME, b"491231235959Z"));
    }
}
