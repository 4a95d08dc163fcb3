//! X.509 extensions shared by CSRs and certificates: raw extensions and the
//! interpretation of those cert-manager cares about (SAN, KeyUsage, ExtendedKeyUsage,
//! BasicConstraints, NameConstraints, key identifiers).

use super::der::{self, Oid, Reader, tag};
use super::error::{PkiError, Result};
use super::name_constraints::NameConstraints;
use super::oids;
use super::sans::SubjectAltNames;
use super::usage::{KeyUsageBits, Usages};

/// One extension as found in a certificate or requested in a CSR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The extension OID.
    pub oid: Oid,
    /// The critical flag.
    pub critical: bool,
    /// The DER extension value (the content of the OCTET STRING).
    pub value: Vec<u8>,
}

impl Extension {
    pub(crate) fn new(arcs: &[u64], critical: bool, value: Vec<u8>) -> Extension {
        Extension {
            oid: Oid::from_arcs(arcs),
            critical,
            value,
        }
    }

    /// DER `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue }`.
    pub(crate) fn to_der(&self) -> Result<Vec<u8>> {
        let mut parts = vec![self.oid.to_der()?];
        if self.critical {
            parts.push(der::boolean(true));
        }
        parts.push(der::octet_string(&self.value));
        Ok(der::sequence_of(&parts))
    }

    /// Parses a DER `SEQUENCE OF Extension`.
    #[cfg(test)]
    pub(crate) fn parse_list(seq_content: &[u8]) -> Result<Vec<Extension>> {
        let mut r = Reader::new(seq_content);
        let mut out = Vec::new();
        while !r.is_empty() {
            let ext = r.expect(tag::SEQUENCE)?;
            let mut er = Reader::new(ext.content);
            let oid = der::read_oid(&mut er)?;
            let critical = match er.optional(tag::BOOLEAN)? {
                Some(b) => b.content.first().is_some_and(|v| *v != 0),
                None => false,
            };
            let value = er.expect(tag::OCTET_STRING)?.content.to_vec();
            er.finish()?;
            out.push(Extension {
                oid,
                critical,
                value,
            });
        }
        Ok(out)
    }
}

/// BasicConstraints as parsed from an extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicConstraints {
    /// The cA flag.
    pub is_ca: bool,
    /// pathLenConstraint, when present.
    pub max_path_len: Option<u32>,
}

impl BasicConstraints {
    /// DER of the extension value; `max_path_len: None` omits the constraint.
    pub(crate) fn to_extension_value(self) -> Vec<u8> {
        let mut parts = Vec::new();
        if self.is_ca {
            parts.push(der::boolean(true));
        }
        if let Some(n) = self.max_path_len {
            parts.push(der::small_integer(u64::from(n)));
        }
        der::sequence_of(&parts)
    }

    pub(crate) fn from_extension_value(value: &[u8]) -> Result<BasicConstraints> {
        let invalid = || PkiError::Der("x509: invalid basic constraints".to_string());
        let seq = der::parse_single(value, tag::SEQUENCE).map_err(|_| invalid())?;
        let mut r = Reader::new(seq.content);
        let is_ca = match r.optional(tag::BOOLEAN).map_err(|_| invalid())? {
            Some(b) => b.content.first().is_some_and(|v| *v != 0),
            None => false,
        };
        let max_path_len = match r.optional(tag::INTEGER).map_err(|_| invalid())? {
            Some(i) => {
                if i.content.len() > 4 || i.content.first().is_some_and(|b| b & 0x80 != 0) {
                    return Err(invalid());
                }
                Some(
                    i.content
                        .iter()
                        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b)),
                )
            }
            None => None,
        };
        r.finish().map_err(|_| invalid())?;
        Ok(BasicConstraints {
            is_ca,
            max_path_len,
        })
    }
}

/// The extensions cert-manager interprets, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecodedExtensions {
    /// The SANs (empty when there is no SAN extension).
    pub sans: SubjectAltNames,
    /// Whether a SAN extension is present.
    pub has_sans: bool,
    /// KeyUsage bits, ExtendedKeyUsages.
    pub usages: Usages,
    /// Whether a KeyUsage extension is present.
    pub has_key_usage: bool,
    /// Whether an ExtendedKeyUsage extension is present.
    pub has_ext_key_usage: bool,
    /// BasicConstraints, when present.
    pub basic_constraints: Option<BasicConstraints>,
    /// NameConstraints, when present.
    pub name_constraints: Option<NameConstraints>,
    /// SubjectKeyIdentifier, when present.
    pub subject_key_id: Option<Vec<u8>>,
    /// AuthorityKeyIdentifier keyIdentifier, when present.
    pub authority_key_id: Option<Vec<u8>>,
}

impl DecodedExtensions {
    /// Decodes the known extensions of a list; malformed known extensions are errors
    /// (as in Go's parser), unknown extensions are ignored.
    pub(crate) fn decode(exts: &[Extension]) -> Result<DecodedExtensions> {
        let mut d = DecodedExtensions::default();
        for e in exts {
            match e.oid.arcs() {
                a if a == oids::EXT_SUBJECT_ALT_NAME => {
                    d.sans = SubjectAltNames::from_extension_value(&e.value)?;
                    d.has_sans = true;
                }
                a if a == oids::EXT_KEY_USAGE => {
                    d.usages.key_usage = KeyUsageBits::from_extension_value(&e.value)?;
                    d.has_key_usage = true;
                }
                a if a == oids::EXT_EXTENDED_KEY_USAGE => {
                    let (known, unknown) = Usages::parse_ext_key_usage(&e.value)?;
                    d.usages.ext_key_usage = known;
                    d.usages.unknown_ext_key_usage = unknown;
                    d.has_ext_key_usage = true;
                }
                a if a == oids::EXT_BASIC_CONSTRAINTS => {
                    d.basic_constraints = Some(BasicConstraints::from_extension_value(&e.value)?);
                }
                a if a == oids::EXT_NAME_CONSTRAINTS => {
                    d.name_constraints =
                        Some(NameConstraints::from_extension_value(&e.value, e.critical)?);
                }
                a if a == oids::EXT_SUBJECT_KEY_ID => {
                    let os = der::parse_single(&e.value, tag::OCTET_STRING)?;
                    d.subject_key_id = Some(os.content.to_vec());
                }
                a if a == oids::EXT_AUTHORITY_KEY_ID => {
                    let seq = der::parse_single(&e.value, tag::SEQUENCE)?;
                    let mut r = Reader::new(seq.content);
                    if let Some(k) = r.optional(0x80)? {
                        d.authority_key_id = Some(k.content.to_vec());
                    }
                }
                _ => {}
            }
        }
        Ok(d)
    }
}

/// Finds an extension by OID.
pub(crate) fn find<'a>(exts: &'a [Extension], arcs: &[u64]) -> Option<&'a Extension> {
    exts.iter().find(|e| e.oid.arcs() == arcs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_constraints_encodings() {
        let leaf = BasicConstraints {
            is_ca: false,
            max_path_len: None,
        };
        assert_eq!(leaf.to_extension_value(), vec![0x30, 0x00]);
        let ca = BasicConstraints {
            is_ca: true,
            max_path_len: Some(0),
        };
        let v = ca.to_extension_value();
        assert_eq!(v, vec![0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x00]);
        assert_eq!(BasicConstraints::from_extension_value(&v).unwrap(), ca);
    }

    #[test]
    fn extension_list_round_trip() {
        let exts = vec![
            Extension::new(oids::EXT_BASIC_CONSTRAINTS, true, vec![0x30, 0x00]),
            Extension::new(&[1, 2, 3], false, vec![0x05, 0x00]),
        ];
        let der: Vec<u8> = exts.iter().flat_map(|e| e.to_der().unwrap()).collect();
        assert_eq!(Extension::parse_list(&der).unwrap(), exts);
        let d = DecodedExtensions::decode(&exts).unwrap();
        assert_eq!(
            d.basic_constraints,
            Some(BasicConstraints {
                is_ca: false,
                max_path_len: None
            })
        );
    }
}
