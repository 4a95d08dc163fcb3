//! PEM framing with cert-manager's size limits.
//!
//! Decoding follows Go's `encoding/pem`: a block starts with `-----BEGIN TYPE-----` at
//! the start of the input or of a line, ends with the matching `-----END TYPE-----`,
//! may carry `Key: value` headers, and anything between blocks is skipped. cert-manager
//! refuses to decode inputs above fixed sizes (`internal/pem/decode.go`) so that a
//! hostile Secret cannot make the controller parse megabytes; the same limits apply here.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::{PkiError, Result};

/// Largest CA certificate PEM cert-manager expects.
const MAX_CA_CERTIFICATE_PEM_SIZE: usize = 6500;
/// Largest leaf certificate (or CSR) PEM.
pub const MAX_LEAF_CERTIFICATE_PEM_SIZE: usize = 30_000 + MAX_CA_CERTIFICATE_PEM_SIZE;
/// Largest private key PEM (an RSA 8192 key is about 6.5 kB).
pub const MAX_PRIVATE_KEY_PEM_SIZE: usize = 13_000;
/// Largest certificate chain PEM: a leaf and nine CA certificates.
pub const MAX_CERTIFICATE_CHAIN_SIZE: usize =
    9 * MAX_CA_CERTIFICATE_PEM_SIZE + MAX_LEAF_CERTIFICATE_PEM_SIZE;
/// Largest trust bundle PEM: 150 CA certificates of about 2.2 kB.
pub const MAX_BUNDLE_SIZE: usize = 150 * 2200;

/// One decoded PEM block.
#[derive(Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The label after `BEGIN`, e.g. `CERTIFICATE`.
    pub label: String,
    /// The decoded payload.
    pub contents: Vec<u8>,
}

impl std::fmt::Debug for PemBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Blocks may hold private keys: never print their contents.
        f.debug_struct("PemBlock")
            .field("label", &self.label)
            .field("len", &self.contents.len())
            .finish()
    }
}

/// Encodes one PEM block with 64-character lines, as Go's `pem.Encode` does.
pub fn encode(label: &str, contents: &[u8]) -> String {
    let b64 = STANDARD.encode(contents);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// Decodes the first PEM block of `data`, refusing inputs larger than `max_size`
/// bytes. Returns the block and the input after it, or `Ok(None)` when no further
/// block exists.
pub fn decode_limited(data: &[u8], max_size: usize) -> Result<Option<(PemBlock, &[u8])>> {
    if data.len() > max_size {
        return Err(PkiError::Pem(format!(
            "provided PEM data was larger than the maximum {max_size}B"
        )));
    }
    Ok(decode(data))
}

/// Decodes every block of `data` (no size limit; callers check sizes first).
pub fn decode_all(mut data: &[u8]) -> Vec<PemBlock> {
    let mut blocks = Vec::new();
    while let Some((block, rest)) = decode(data) {
        blocks.push(block);
        data = rest;
    }
    blocks
}

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// Decodes the first well-formed PEM block, skipping malformed ones as Go does.
pub fn decode(data: &[u8]) -> Option<(PemBlock, &[u8])> {
    let mut rest = data;
    loop {
        // Find BEGIN at the start of the input or of a line.
        let start = if rest.starts_with(BEGIN) {
            0
        } else {
            find(rest, b"\n-----BEGIN ")? + 1
        };
        let after_begin = &rest[start + BEGIN.len()..];
        match decode_block(after_begin) {
            Some(found) => return Some(found),
            None => rest = after_begin,
        }
    }
}

/// Parses a block whose `-----BEGIN ` has been consumed.
fn decode_block(data: &[u8]) -> Option<(PemBlock, &[u8])> {
    let (type_line, rest) = split_line(data);
    let type_line = trim_right(type_line);
    let label = type_line.strip_suffix(DASHES)?;
    let label = std::str::from_utf8(label).ok()?;

    // Find the END line for this label.
    let mut end_marker = Vec::with_capacity(END.len() + label.len() + DASHES.len());
    end_marker.extend_from_slice(END);
    end_marker.extend_from_slice(label.as_bytes());
    end_marker.extend_from_slice(DASHES);
    let end_index = if rest.starts_with(&end_marker) {
        0
    } else {
        let mut nl_marker = Vec::with_capacity(end_marker.len() + 1);
        nl_marker.push(b'\n');
        nl_marker.extend_from_slice(&end_marker);
        find(rest, &nl_marker)? + 1
    };
    let body = &rest[..end_index];
    let after_end = &rest[end_index + end_marker.len()..];
    // The END line must be followed by end of input or a line break (spaces allowed).
    let (end_tail, remaining) = split_line(after_end);
    if !trim_right(end_tail).is_empty() {
        return None;
    }

    // Skip RFC 1421 headers: leading "Key: value" lines, ended by a blank line.
    let mut body_lines: Vec<&[u8]> = body.split(|b| *b == b'\n').collect();
    if body_lines.first().is_some_and(|l| l.contains(&b':')) {
        let blank = body_lines.iter().position(|l| trim_right(l).is_empty());
        match blank {
            Some(i) => {
                body_lines.drain(..=i);
            }
            None => {
                body_lines.retain(|l| !l.contains(&b':'));
            }
        }
    }
    let mut b64 = Vec::with_capacity(body.len());
    for line in body_lines {
        b64.extend(line.iter().filter(|b| !b.is_ascii_whitespace()));
    }
    let contents = STANDARD.decode(&b64).ok()?;
    Some((
        PemBlock {
            label: label.to_string(),
            contents,
        },
        remaining,
    ))
}

fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

fn trim_right(mut s: &[u8]) -> &[u8] {
    while let Some((last, init)) = s.split_last() {
        if matches!(last, b' ' | b'\t' | b'\r') {
            s = init;
        } else {
            break;
        }
    }
    s
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_junk_and_headers() {
        let a = encode("CERTIFICATE", &[1, 2, 3]);
        let b = encode("PRIVATE KEY", &[9; 100]);
        let input = format!(
            "junk before\n{a}between\r\n-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nAQID\n-----END X-----\n{b}"
        );
        let blocks = decode_all(input.as_bytes());
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(blocks[0].contents, vec![1, 2, 3]);
        assert_eq!(blocks[1].label, "X");
        assert_eq!(blocks[1].contents, vec![1, 2, 3]);
        assert_eq!(blocks[2].contents, vec![9; 100]);
    }

    #[test]
    fn lines_are_64_wide() {
        let pem = encode("CERTIFICATE", &[0u8; 100]);
        for line in pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(line.len() <= 64);
        }
    }

    #[test]
    fn malformed_blocks_are_skipped_and_limits_enforced() {
        assert!(decode(b"-----BEGIN A-----\n!!!\n-----END A-----\n").is_none());
        assert!(decode(b"-----BEGIN A-----\nAQID\n-----END B-----\n").is_none());
        assert!(decode(b"nothing here").is_none());
        let big = vec![b'a'; 20];
        let err = decode_limited(&big, 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "provided PEM data was larger than the maximum 10B"
        );
    }
}
