//! The NameConstraints extension (`spec.nameConstraints`): permitted and excluded DNS
//! domains, IP ranges, email addresses and URI domains, encoded as cert-manager's
//! `MarshalNameConstraints` and parsed back.

use std::net::IpAddr;

use super::der::{self, Reader, tag};
use super::error::{PkiError, Result};

/// One side (permitted or excluded) of `spec.nameConstraints`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameConstraintItems {
    /// `dnsDomains`
    pub dns_domains: Vec<String>,
    /// `ipRanges` in CIDR notation, e.g. `10.0.0.0/8`.
    pub ip_ranges: Vec<String>,
    /// `emailAddresses`
    pub email_addresses: Vec<String>,
    /// `uriDomains`
    pub uri_domains: Vec<String>,
}

impl NameConstraintItems {
    fn is_empty(&self) -> bool {
        self.dns_domains.is_empty()
            && self.ip_ranges.is_empty()
            && self.email_addresses.is_empty()
            && self.uri_domains.is_empty()
    }
}

/// `spec.nameConstraints`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameConstraints {
    /// Whether the extension is marked critical.
    pub critical: bool,
    /// Permitted subtrees.
    pub permitted: Option<NameConstraintItems>,
    /// Excluded subtrees.
    pub excluded: Option<NameConstraintItems>,
}

impl NameConstraints {
    /// Whether no subtree is given at all (no extension is then written).
    pub fn is_empty(&self) -> bool {
        self.permitted.as_ref().is_none_or(|p| p.is_empty())
            && self.excluded.as_ref().is_none_or(|e| e.is_empty())
    }

    /// DER of the extension value; `None` when empty.
    pub(crate) fn to_extension_value(&self) -> Result<Option<Vec<u8>>> {
        if self.is_empty() {
            return Ok(None);
        }
        let permitted = match &self.permitted {
            Some(p) => subtrees(p)?,
            None => Vec::new(),
        };
        let excluded = match &self.excluded {
            Some(e) => subtrees(e)?,
            None => Vec::new(),
        };
        let mut body = Vec::new();
        if !permitted.is_empty() {
            body.extend(der::context(0, true, &permitted));
        }
        if !excluded.is_empty() {
            body.extend(der::context(1, true, &excluded));
        }
        Ok(Some(der::tlv(tag::SEQUENCE, &body)))
    }

    /// Parses an extension value (with its criticality) as Go's parser does.
    pub(crate) fn from_extension_value(value: &[u8], critical: bool) -> Result<NameConstraints> {
        let invalid = || PkiError::Der("x509: invalid NameConstraints extension".to_string());
        let seq = der::parse_single(value, tag::SEQUENCE).map_err(|_| invalid())?;
        let mut r = Reader::new(seq.content);
        let permitted = r.optional(0xa0).map_err(|_| invalid())?;
        let excluded = r.optional(0xa1).map_err(|_| invalid())?;
        r.finish().map_err(|_| invalid())?;
        let p_len = permitted.map_or(0, |p| p.content.len());
        let e_len = excluded.map_or(0, |e| e.content.len());
        if p_len == 0 && e_len == 0 {
            return Err(PkiError::Der(
                "x509: empty name constraints extension".to_string(),
            ));
        }
        Ok(NameConstraints {
            critical,
            permitted: match permitted {
                Some(p) => Some(parse_subtrees(p.content)?),
                None => None,
            },
            excluded: match excluded {
                Some(e) => Some(parse_subtrees(e.content)?),
                None => None,
            },
        })
    }
}

fn ia5(v: &str) -> Result<&[u8]> {
    if v.is_ascii() {
        Ok(v.as_bytes())
    } else {
        Err(PkiError::Template(format!(
            "x509: {v:?} cannot be encoded as an IA5String"
        )))
    }
}

fn subtrees(items: &NameConstraintItems) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for d in &items.dns_domains {
        out.extend(der::sequence(&[&der::context(2, false, ia5(d)?)]));
    }
    for cidr in &items.ip_ranges {
        let (ip, mask) = parse_cidr(cidr)?;
        out.extend(der::sequence(&[&der::context(
            7,
            false,
            &[ip, mask].concat(),
        )]));
    }
    for e in &items.email_addresses {
        out.extend(der::sequence(&[&der::context(1, false, ia5(e)?)]));
    }
    for u in &items.uri_domains {
        out.extend(der::sequence(&[&der::context(6, false, ia5(u)?)]));
    }
    Ok(out)
}

fn parse_subtrees(content: &[u8]) -> Result<NameConstraintItems> {
    let invalid = || PkiError::Der("x509: invalid NameConstraints extension".to_string());
    let mut r = Reader::new(content);
    let mut items = NameConstraintItems::default();
    while !r.is_empty() {
        let subtree = r.expect(tag::SEQUENCE).map_err(|_| invalid())?;
        let mut sr = Reader::new(subtree.content);
        let base = sr.read().map_err(|_| invalid())?;
        let text = || {
            if base.content.is_ascii() {
                Ok(String::from_utf8_lossy(base.content).into_owned())
            } else {
                Err(PkiError::Der(
                    "x509: invalid constraint value: not an IA5String".to_string(),
                ))
            }
        };
        match base.tag {
            0x82 => items.dns_domains.push(text()?),
            0x81 => items.email_addresses.push(text()?),
            0x86 => items.uri_domains.push(text()?),
            0x87 => items.ip_ranges.push(format_cidr(base.content)?),
            t => {
                return Err(PkiError::Der(format!(
                    "x509: unsupported NameConstraints tag: {t}"
                )));
            }
        }
    }
    Ok(items)
}

/// Parses CIDR notation as Go's `net.ParseCIDR`: returns the masked network address
/// and the mask, 4 bytes each for IPv4 and 16 for IPv6.
pub(crate) fn parse_cidr(cidr: &str) -> Result<(Vec<u8>, Vec<u8>)> {
    let invalid = || PkiError::Template(format!("invalid CIDR address: {cidr}"));
    let (addr, prefix) = cidr.split_once('/').ok_or_else(invalid)?;
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.len() > 3 {
        return Err(invalid());
    }
    let prefix: usize = prefix.parse().map_err(|_| invalid())?;
    let ip: IpAddr = addr.parse().map_err(|_| invalid())?;
    let bytes = match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    if prefix > bytes.len() * 8 {
        return Err(invalid());
    }
    let mut mask = vec![0u8; bytes.len()];
    for (i, m) in mask.iter_mut().enumerate() {
        let bits = prefix.saturating_sub(i * 8).min(8);
        *m = if bits == 0 { 0 } else { 0xffu8 << (8 - bits) };
    }
    let network: Vec<u8> = bytes.iter().zip(&mask).map(|(b, m)| b & m).collect();
    Ok((network, mask))
}

/// Formats an address-and-mask constraint back to CIDR notation.
fn format_cidr(value: &[u8]) -> Result<String> {
    let (ip, mask) = match value.len() {
        8 => value.split_at(4),
        32 => value.split_at(16),
        n => {
            return Err(PkiError::Der(format!(
                "x509: IP constraint contained value of length {n}"
            )));
        }
    };
    let mut prefix = 0u32;
    let mut seen_zero = false;
    for b in mask {
        if seen_zero {
            if *b != 0 {
                return Err(PkiError::Der(format!(
                    "x509: IP constraint contained invalid mask {}",
                    mask.iter().map(|x| format!("{x:02x}")).collect::<String>()
                )));
            }
            continue;
        }
        if *b == 0xff {
            prefix += 8;
        } else {
            let ones = b.leading_ones();
            if b.checked_shl(ones).unwrap_or(0) != 0 {
                return Err(PkiError::Der(
                    "x509: IP constraint contained invalid mask".to_string(),
                ));
            }
            prefix += ones;
            seen_zero = true;
        }
    }
    let addr: IpAddr = if ip.len() == 4 {
        let mut b = [0u8; 4];
        b.copy_from_slice(ip);
        IpAddr::from(b)
    } else {
        let mut b = [0u8; 16];
        b.copy_from_slice(ip);
        IpAddr::from(b)
    };
    Ok(format!("{addr}/{prefix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_round_trip() {
        let nc = NameConstraints {
            critical: true,
            permitted: Some(NameConstraintItems {
                dns_domains: vec!["example.com".into()],
                ip_ranges: vec!["10.1.2.3/16".into(), "2001:db8::/32".into()],
                email_addresses: vec!["example.com".into()],
                uri_domains: vec![".example.com".into()],
            }),
            excluded: Some(NameConstraintItems {
                dns_domains: vec!["bad.example.com".into()],
                ..Default::default()
            }),
        };
        let der = nc.to_extension_value().unwrap().unwrap();
        let back = NameConstraints::from_extension_value(&der, true).unwrap();
        let p = back.permitted.clone().unwrap();
        assert_eq!(p.ip_ranges, vec!["10.1.0.0/16", "2001:db8::/32"]);
        assert_eq!(p.dns_domains, vec!["example.com"]);
        assert_eq!(p.uri_domains, vec![".example.com"]);
        assert_eq!(back.excluded.unwrap().dns_domains, vec!["bad.example.com"]);
        assert!(back.critical);
    }

    #[test]
    fn empty_and_invalid_inputs() {
        assert_eq!(
            NameConstraints::default().to_extension_value().unwrap(),
            None
        );
        let nc = NameConstraints {
            permitted: Some(NameConstraintItems {
                ip_ranges: vec!["10.0.0.0/33".into()],
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            nc.to_extension_value().unwrap_err().to_string(),
            "invalid CIDR address: 10.0.0.0/33"
        );
        assert!(parse_cidr("10.0.0.0").is_err());
        assert!(parse_cidr("nope/8").is_err());
        assert!(NameConstraints::from_extension_value(&der::sequence(&[]), false).is_err());
    }
}
