//! Subject alternative names: DNS names, email addresses, IP addresses, URIs and
//! `otherName`s with UTF-8 values, encoded in cert-manager's order (`MarshalSANs`) and
//! parsed back.

use std::net::IpAddr;

use super::der::{self, Oid, Reader, tag};
use super::error::{PkiError, Result};

/// An `otherName` SAN with a UTF8String value (`spec.otherNames[]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OtherName {
    /// The type-id OID in dotted form, e.g. `1.3.6.1.4.1.311.20.2.3` (UPN).
    pub oid: String,
    /// The UTF-8 value.
    pub utf8_value: String,
}

/// A parsed `otherName` whose value may not be a UTF8String.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawOtherName {
    /// The type-id.
    pub oid: Oid,
    /// The UTF8String value, when the value is one.
    pub utf8_value: Option<String>,
}

/// The SANs of a request or certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubjectAltNames {
    /// dNSName entries.
    pub dns_names: Vec<String>,
    /// rfc822Name entries.
    pub email_addresses: Vec<String>,
    /// iPAddress entries.
    pub ip_addresses: Vec<IpAddr>,
    /// uniformResourceIdentifier entries.
    pub uris: Vec<String>,
    /// otherName entries.
    pub other_names: Vec<RawOtherName>,
}

impl SubjectAltNames {
    /// Whether there is no name at all.
    pub fn is_empty(&self) -> bool {
        self.dns_names.is_empty()
            && self.email_addresses.is_empty()
            && self.ip_addresses.is_empty()
            && self.uris.is_empty()
            && self.other_names.is_empty()
    }

    /// The other names whose values are UTF-8 strings; fails, as cert-manager's
    /// `matchOtherNames`, when one is not.
    pub fn utf8_other_names(&self) -> Result<Vec<OtherName>> {
        self.other_names
            .iter()
            .map(|o| {
                o.utf8_value
                    .clone()
                    .map(|v| OtherName {
                        oid: o.oid.to_string(),
                        utf8_value: v,
                    })
                    .ok_or_else(|| PkiError::Csr("otherName is not an utf8 value".to_string()))
            })
            .collect()
    }

    /// DER of the SubjectAltName extension value, in Go's order: DNS, email, IP, URI,
    /// then otherNames. IPv4 (and IPv4-mapped IPv6) addresses use four bytes.
    pub(crate) fn to_extension_value(&self) -> Result<Vec<u8>> {
        let mut parts = Vec::new();
        for v in &self.dns_names {
            parts.push(der::context(2, false, ia5(v)?));
        }
        for v in &self.email_addresses {
            parts.push(der::context(1, false, ia5(v)?));
        }
        for ip in &self.ip_addresses {
            parts.push(der::context(7, false, &ip_bytes(ip)));
        }
        for v in &self.uris {
            parts.push(der::context(6, false, ia5(v)?));
        }
        for o in &self.other_names {
            let value = o.utf8_value.as_deref().ok_or_else(|| {
                PkiError::Template("otherName value must be a UTF-8 string".to_string())
            })?;
            let inner = der::tlv(tag::UTF8_STRING, value.as_bytes());
            let body = [o.oid.to_der()?, der::context(0, true, &inner)].concat();
            parts.push(der::context(0, true, &body));
        }
        Ok(der::sequence_of(&parts))
    }

    /// Parses a SubjectAltName extension value, with Go's checks: DNS, email and URI
    /// names must be ASCII, IP addresses 4 or 16 bytes. Other GeneralName kinds are
    /// skipped.
    pub(crate) fn from_extension_value(value: &[u8]) -> Result<SubjectAltNames> {
        let seq = der::parse_single(value, tag::SEQUENCE)
            .map_err(|e| PkiError::Der(format!("x509: invalid subject alternative names: {e}")))?;
        let mut r = Reader::new(seq.content);
        let mut out = SubjectAltNames::default();
        while !r.is_empty() {
            let el = r.read()?;
            match el.tag {
                0xa0 => {
                    let mut or = Reader::new(el.content);
                    let oid = der::read_oid(&mut or)?;
                    let explicit = or.expect(0xa0)?;
                    or.finish()?;
                    let inner = der::parse_single(explicit.content, tag::UTF8_STRING).ok();
                    let utf8_value = inner.and_then(|i| String::from_utf8(i.content.to_vec()).ok());
                    out.other_names.push(RawOtherName { oid, utf8_value });
                }
                0x81 => out
                    .email_addresses
                    .push(ascii(el.content, "x509: SAN rfc822Name is malformed")?),
                0x82 => out
                    .dns_names
                    .push(ascii(el.content, "x509: SAN dNSName is malformed")?),
                0x86 => out.uris.push(ascii(
                    el.content,
                    "x509: SAN uniformResourceIdentifier is malformed",
                )?),
                0x87 => out.ip_addresses.push(match el.content.len() {
                    4 => {
                        let mut b = [0u8; 4];
                        b.copy_from_slice(el.content);
                        IpAddr::from(b)
                    }
                    16 => {
                        let mut b = [0u8; 16];
                        b.copy_from_slice(el.content);
                        IpAddr::from(b)
                    }
                    n => {
                        return Err(PkiError::Der(format!(
                            "x509: cannot parse IP address of length {n}"
                        )));
                    }
                }),
                _ => {}
            }
        }
        Ok(out)
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

fn ascii(b: &[u8], msg: &str) -> Result<String> {
    if b.is_ascii() {
        Ok(String::from_utf8_lossy(b).into_owned())
    } else {
        Err(PkiError::Der(msg.to_string()))
    }
}

/// Four bytes for IPv4 and IPv4-mapped IPv6 (Go's `To4`), sixteen otherwise.
pub(crate) fn ip_bytes(ip: &IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.octets().to_vec(),
            None => v6.octets().to_vec(),
        },
    }
}

/// Parses `spec.ipAddresses` values.
pub fn parse_ip_addresses<S: AsRef<str>>(values: &[S]) -> Result<Vec<IpAddr>> {
    values
        .iter()
        .map(|v| {
            v.as_ref().parse::<IpAddr>().map_err(|_| {
                PkiError::Template(format!("failed to parse IP address {:?}", v.as_ref()))
            })
        })
        .collect()
}

/// Go's `net.IP.String()` of an address: IPv4-mapped IPv6 addresses print as IPv4.
pub fn ip_to_string(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Canonical 16-byte form used to compare addresses (Go's `To16`).
pub(crate) fn ip_key(ip: &IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_san_kind_round_trips() {
        let sans = SubjectAltNames {
            dns_names: vec!["example.com".into(), "*.example.com".into()],
            email_addresses: vec!["a@example.com".into()],
            ip_addresses: parse_ip_addresses(&["10.0.0.1", "::1", "::ffff:192.168.0.1"]).unwrap(),
            uris: vec!["spiffe://cluster.local/ns/default/sa/web".into()],
            other_names: vec![RawOtherName {
                oid: Oid::parse("1.3.6.1.4.1.311.20.2.3").unwrap(),
                utf8_value: Some("upn@example.com".into()),
            }],
        };
        let der = sans.to_extension_value().unwrap();
        let back = SubjectAltNames::from_extension_value(&der).unwrap();
        assert_eq!(back.dns_names, sans.dns_names);
        assert_eq!(back.email_addresses, sans.email_addresses);
        assert_eq!(back.uris, sans.uris);
        assert_eq!(back.other_names, sans.other_names);
        // The IPv4-mapped address is encoded on four bytes.
        assert_eq!(
            back.ip_addresses
                .iter()
                .map(ip_to_string)
                .collect::<Vec<_>>(),
            vec!["10.0.0.1", "::1", "192.168.0.1"]
        );
        assert_eq!(
            back.utf8_other_names().unwrap(),
            vec![OtherName {
                oid: "1.3.6.1.4.1.311.20.2.3".into(),
                utf8_value: "upn@example.com".into()
            }]
        );
    }

    #[test]
    fn non_ascii_and_bad_ips_are_rejected() {
        let sans = SubjectAltNames {
            dns_names: vec!["exämple.com".into()],
            ..Default::default()
        };
        assert!(sans.to_extension_value().is_err());
        assert!(parse_ip_addresses(&["1.2.3"]).is_err());
        assert!(parse_ip_addresses(&["fe80::1%eth0"]).is_err());
        // A 5-byte IP address fails like Go's parser.
        let bad = der::sequence(&[&der::context(7, false, &[1, 2, 3, 4, 5])]);
        assert!(SubjectAltNames::from_extension_value(&bad).is_err());
    }
}
