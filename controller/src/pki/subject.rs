//! Distinguished names: the `spec.subject` fields, `spec.literalSubject` (an RFC 4514
//! string parsed as cert-manager parses it with go-ldap's `ParseDN`), DER encoding as
//! Go's `encoding/asn1` does it, parsing back, and Go's `pkix.Name.String()` form.

use super::der::{self, Oid, Reader, tag};
use super::error::{PkiError, Result};
use super::oids;

/// The `spec.subject` fields of a Certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subject {
    /// `organizations` (O)
    pub organizations: Vec<String>,
    /// `countries` (C)
    pub countries: Vec<String>,
    /// `organizationalUnits` (OU)
    pub organizational_units: Vec<String>,
    /// `localities` (L)
    pub localities: Vec<String>,
    /// `provinces` (ST)
    pub provinces: Vec<String>,
    /// `streetAddresses` (STREET)
    pub street_addresses: Vec<String>,
    /// `postalCodes` (POSTALCODE)
    pub postal_codes: Vec<String>,
    /// `serialNumber` (SERIALNUMBER); empty means absent.
    pub serial_number: String,
}

/// One attribute of a relative distinguished name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAttribute {
    /// The attribute type.
    pub oid: Oid,
    /// The value, when it is a string type (Printable, UTF8, IA5, T61, BMP, …).
    pub value: Option<String>,
    /// The complete DER of the value (tag included).
    pub raw_value: Vec<u8>,
}

impl NameAttribute {
    /// A string-valued attribute, encoded as Go does (PrintableString when every
    /// character allows it, UTF8String otherwise).
    pub fn new(oid: Oid, value: &str) -> NameAttribute {
        NameAttribute {
            oid,
            raw_value: encode_go_string(value),
            value: Some(value.to_string()),
        }
    }
}

/// A distinguished name: a sequence of RDNs, each a set of attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DistinguishedName {
    /// The RDNs, in DER order (most significant first).
    pub rdns: Vec<Vec<NameAttribute>>,
}

/// Parsed name fields, as Go's `pkix.Name.FillFromRDNSequence` fills them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameFields {
    /// Last CN value.
    pub common_name: String,
    /// Last SERIALNUMBER value.
    pub serial_number: String,
    /// C values in order.
    pub countries: Vec<String>,
    /// O values in order.
    pub organizations: Vec<String>,
    /// OU values in order.
    pub organizational_units: Vec<String>,
    /// L values in order.
    pub localities: Vec<String>,
    /// ST values in order.
    pub provinces: Vec<String>,
    /// STREET values in order.
    pub street_addresses: Vec<String>,
    /// POSTALCODE values in order.
    pub postal_codes: Vec<String>,
}

impl DistinguishedName {
    /// The RDN sequence Go's `pkix.Name.ToRDNSequence` builds from the subject fields
    /// and a common name: C, ST, L, STREET, POSTALCODE, O, OU, CN, SERIALNUMBER, each
    /// list as one (multi-valued) RDN.
    pub fn from_subject(subject: &Subject, common_name: &str) -> DistinguishedName {
        let mut rdns = Vec::new();
        let mut push = |values: &[String], arcs: &[u64]| {
            if !values.is_empty() {
                rdns.push(
                    values
                        .iter()
                        .map(|v| NameAttribute::new(Oid::from_arcs(arcs), v))
                        .collect(),
                );
            }
        };
        push(&subject.countries, oids::COUNTRY);
        push(&subject.provinces, oids::PROVINCE);
        push(&subject.localities, oids::LOCALITY);
        push(&subject.street_addresses, oids::STREET_ADDRESS);
        push(&subject.postal_codes, oids::POSTAL_CODE);
        push(&subject.organizations, oids::ORGANIZATION);
        push(&subject.organizational_units, oids::ORGANIZATIONAL_UNIT);
        if !common_name.is_empty() {
            push(&[common_name.to_string()], oids::COMMON_NAME);
        }
        if !subject.serial_number.is_empty() {
            push(
                std::slice::from_ref(&subject.serial_number),
                oids::SERIAL_NUMBER,
            );
        }
        DistinguishedName { rdns }
    }

    /// Parses a `literalSubject` exactly as cert-manager's
    /// `UnmarshalSubjectStringToRDNSequence`: go-ldap's RFC 4514 `ParseDN`, RDNs
    /// reversed into DER order, attribute types `C O OU CN SERIALNUMBER L ST STREET DC
    /// UID` (case-sensitive) or dotted OIDs.
    pub fn from_literal_subject(literal: &str) -> Result<DistinguishedName> {
        let parsed = parse_ldap_dn(literal)?;
        let mut rdns = Vec::with_capacity(parsed.len());
        for rdn in parsed.into_iter().rev() {
            let mut attrs = Vec::with_capacity(rdn.len());
            for (ty, value) in rdn {
                let oid = match attribute_type_oid(&ty) {
                    Some(arcs) => Oid::from_arcs(arcs),
                    None => Oid::parse_unchecked(&ty).map_err(|_| {
                        PkiError::Template(format!(
                            "asn1: structure error: invalid object identifier (unknown attribute type {ty:?} in literalSubject)"
                        ))
                    })?,
                };
                let value = String::from_utf8(value)
                    .map_err(|_| PkiError::Template("asn1: string not valid UTF-8".to_string()))?;
                attrs.push(NameAttribute::new(oid, &value));
            }
            rdns.push(attrs);
        }
        Ok(DistinguishedName { rdns })
    }

    /// DER encoding: each RDN a SET (sorted, as DER and Go require) of
    /// `SEQUENCE { type, value }`.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let mut rdns = Vec::with_capacity(self.rdns.len());
        for rdn in &self.rdns {
            let mut atvs = Vec::with_capacity(rdn.len());
            for a in rdn {
                atvs.push(der::sequence(&[&a.oid.to_der()?, &a.raw_value]));
            }
            rdns.push(der::set_of(atvs));
        }
        Ok(der::sequence_of(&rdns))
    }

    /// Parses a DER Name.
    pub fn from_der(name: &[u8]) -> Result<DistinguishedName> {
        let seq = der::parse_single(name, tag::SEQUENCE)?;
        let mut r = Reader::new(seq.content);
        let mut rdns = Vec::new();
        while !r.is_empty() {
            let set = r.expect(tag::SET)?;
            let mut sr = Reader::new(set.content);
            let mut attrs = Vec::new();
            while !sr.is_empty() {
                let atv = sr.expect(tag::SEQUENCE)?;
                let mut ar = Reader::new(atv.content);
                let oid = der::read_oid(&mut ar)?;
                let value = ar.read()?;
                ar.finish()?;
                attrs.push(NameAttribute {
                    oid,
                    value: decode_string_value(value.tag, value.content),
                    raw_value: value.raw.to_vec(),
                });
            }
            rdns.push(attrs);
        }
        Ok(DistinguishedName { rdns })
    }

    /// Whether the name has no attribute at all.
    pub fn is_empty(&self) -> bool {
        self.rdns.iter().all(|r| r.is_empty())
    }

    /// The first CN in DER order (cert-manager's `ExtractCommonNameFromRDNSequence`).
    pub fn first_common_name(&self) -> Option<&str> {
        self.rdns
            .iter()
            .flatten()
            .find(|a| a.oid.arcs() == oids::COMMON_NAME)
            .and_then(|a| a.value.as_deref())
    }

    /// The fields Go's `pkix.Name` fills from this name.
    pub fn fields(&self) -> NameFields {
        let mut f = NameFields::default();
        for a in self.rdns.iter().flatten() {
            let Some(v) = a.value.clone() else { continue };
            match a.oid.arcs() {
                x if x == oids::COUNTRY => f.countries.push(v),
                x if x == oids::ORGANIZATION => f.organizations.push(v),
                x if x == oids::ORGANIZATIONAL_UNIT => f.organizational_units.push(v),
                x if x == oids::COMMON_NAME => f.common_name = v,
                x if x == oids::SERIAL_NUMBER => f.serial_number = v,
                x if x == oids::LOCALITY => f.localities.push(v),
                x if x == oids::PROVINCE => f.provinces.push(v),
                x if x == oids::STREET_ADDRESS => f.street_addresses.push(v),
                x if x == oids::POSTAL_CODE => f.postal_codes.push(v),
                _ => {}
            }
        }
        f
    }

    /// Go's `pkix.Name.String()` of the parsed name: non-standard attributes, then the
    /// standard fields in Go's canonical order, printed last RDN first
    /// (e.g. `CN=example.com,O=Example`).
    pub fn go_string(&self) -> String {
        let mut rdns: Vec<Vec<NameAttribute>> = Vec::new();
        for a in self.rdns.iter().flatten() {
            let standard = matches!(
                a.oid.arcs(),
                [2, 5, 4, 3 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 17]
            );
            if !standard {
                rdns.push(vec![a.clone()]);
            }
        }
        let f = self.fields();
        let subject = Subject {
            organizations: f.organizations,
            countries: f.countries,
            organizational_units: f.organizational_units,
            localities: f.localities,
            provinces: f.provinces,
            street_addresses: f.street_addresses,
            postal_codes: f.postal_codes,
            serial_number: f.serial_number,
        };
        rdns.extend(DistinguishedName::from_subject(&subject, &f.common_name).rdns);
        rdn_sequence_string(&rdns)
    }
}

/// Go's `RDNSequence.String()`.
fn rdn_sequence_string(rdns: &[Vec<NameAttribute>]) -> String {
    let mut s = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            s.push(',');
        }
        for (j, a) in rdn.iter().enumerate() {
            if j > 0 {
                s.push('+');
            }
            let name = go_attribute_name(&a.oid);
            let (name, value) = match (name, &a.value) {
                (Some(n), Some(v)) => (n.to_string(), v.clone()),
                (None, _) => {
                    s.push_str(&format!("{}=#{}", a.oid, hex(&a.raw_value)));
                    continue;
                }
                (Some(n), None) => (n.to_string(), String::new()),
            };
            s.push_str(&name);
            s.push('=');
            let count = value.chars().count();
            for (k, c) in value.chars().enumerate() {
                let escape = match c {
                    ',' | '+' | '"' | '\\' | '<' | '>' | ';' => true,
                    ' ' => k == 0 || k + 1 == count,
                    '#' => k == 0,
                    _ => false,
                };
                if escape {
                    s.push('\\');
                }
                s.push(c);
            }
        }
    }
    s
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn go_attribute_name(oid: &Oid) -> Option<&'static str> {
    Some(match oid.arcs() {
        x if x == oids::COUNTRY => "C",
        x if x == oids::ORGANIZATION => "O",
        x if x == oids::ORGANIZATIONAL_UNIT => "OU",
        x if x == oids::COMMON_NAME => "CN",
        x if x == oids::SERIAL_NUMBER => "SERIALNUMBER",
        x if x == oids::LOCALITY => "L",
        x if x == oids::PROVINCE => "ST",
        x if x == oids::STREET_ADDRESS => "STREET",
        x if x == oids::POSTAL_CODE => "POSTALCODE",
        _ => return None,
    })
}

/// cert-manager's `attributeTypeNames` for literal subjects (case-sensitive).
fn attribute_type_oid(name: &str) -> Option<&'static [u64]> {
    Some(match name {
        "C" => oids::COUNTRY,
        "O" => oids::ORGANIZATION,
        "OU" => oids::ORGANIZATIONAL_UNIT,
        "CN" => oids::COMMON_NAME,
        "SERIALNUMBER" => oids::SERIAL_NUMBER,
        "L" => oids::LOCALITY,
        "ST" => oids::PROVINCE,
        "STREET" => oids::STREET_ADDRESS,
        "DC" => oids::DOMAIN_COMPONENT,
        "UID" => oids::USER_ID,
        _ => return None,
    })
}

/// Go's `encoding/asn1` choice for a string: PrintableString when every character is
/// in the PrintableString set (no `*` or `&`), UTF8String otherwise.
pub(crate) fn encode_go_string(value: &str) -> Vec<u8> {
    let printable = value.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?' | b' '
            )
    });
    let t = if printable {
        tag::PRINTABLE_STRING
    } else {
        tag::UTF8_STRING
    };
    der::tlv(t, value.as_bytes())
}

/// Decodes the string types Go's ASN.1 parser turns into Go strings.
fn decode_string_value(t: u8, content: &[u8]) -> Option<String> {
    match t {
        tag::PRINTABLE_STRING | tag::IA5_STRING | tag::UTF8_STRING | 0x12 /* NumericString */ => {
            String::from_utf8(content.to_vec()).ok()
        }
        tag::T61_STRING => Some(content.iter().map(|b| char::from(*b)).collect()),
        tag::BMP_STRING => {
            if !content.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = content
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------
// RFC 4514 parsing with go-ldap v3.4.14 semantics.
// ---------------------------------------------------------------------------------

type LdapRdn = Vec<(String, Vec<u8>)>;

/// go-ldap's `ParseDN`: RDNs in string order, each a list of (type, value bytes).
fn parse_ldap_dn(s: &str) -> Result<Vec<LdapRdn>> {
    let err = |m: &str| PkiError::Template(m.to_string());
    let mut dn: Vec<LdapRdn> = Vec::new();
    if s.trim().is_empty() {
        return Ok(dn);
    }
    let bytes = s.as_bytes();
    let mut rdn: LdapRdn = Vec::new();
    let mut attr_type = String::new();
    let mut escaping = false;
    let mut start = 0usize;
    for (i, &c) in bytes.iter().enumerate() {
        if escaping {
            escaping = false;
            continue;
        }
        match c {
            b'\\' => escaping = true,
            b'=' if attr_type.is_empty() => {
                let raw = s.get(start..i).ok_or_else(|| err("invalid DN"))?;
                let decoded = decode_ldap_string(raw)?;
                attr_type =
                    String::from_utf8(decoded).map_err(|_| err("invalid attribute type in DN"))?;
                start = i + 1;
            }
            b',' | b'+' | b';' => {
                if attr_type.is_empty() {
                    return Err(err("incomplete type, value pair"));
                }
                let raw = s.get(start..i).ok_or_else(|| err("invalid DN"))?;
                let value = decode_ldap_value(raw)?;
                rdn.push((std::mem::take(&mut attr_type), value));
                start = i + 1;
                if c != b'+' {
                    dn.push(std::mem::take(&mut rdn));
                }
            }
            _ => {}
        }
    }
    if attr_type.is_empty() {
        return Err(err("DN ended with incomplete type, value pair"));
    }
    let raw = s.get(start..).ok_or_else(|| err("invalid DN"))?;
    let value = decode_ldap_value(raw)?;
    rdn.push((attr_type, value));
    dn.push(rdn);
    Ok(dn)
}

/// An attribute value: `#` followed by the hex of one BER element, or a string.
fn decode_ldap_value(raw: &str) -> Result<Vec<u8>> {
    match raw.strip_prefix('#') {
        Some(hex) => decode_ber_hex(hex),
        None => decode_ldap_string(raw),
    }
}

fn decode_ber_hex(hex_str: &str) -> Result<Vec<u8>> {
    let err = |m: String| PkiError::Template(format!("failed to decode BER encoding: {m}"));
    let b = hex_str.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err(err("encoding/hex: odd length hex string".to_string()));
    }
    let mut bytes = Vec::with_capacity(b.len() / 2);
    for pair in b.chunks_exact(2) {
        let hi = hex_val(pair[0]).ok_or_else(|| err(invalid_hex_byte(pair[0])))?;
        let lo = hex_val(pair[1]).ok_or_else(|| err(invalid_hex_byte(pair[1])))?;
        bytes.push(hi << 4 | lo);
    }
    // One BER element: tag, definite length, content; nothing after it.
    let (&_tag, rest) = bytes
        .split_first()
        .ok_or_else(|| err("unexpected EOF".to_string()))?;
    let (&first, rest) = rest
        .split_first()
        .ok_or_else(|| err("unexpected EOF".to_string()))?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return Err(err("unsupported length".to_string()));
        }
        let lb = rest
            .get(..n)
            .ok_or_else(|| err("unexpected EOF".to_string()))?;
        (
            lb.iter()
                .fold(0usize, |acc, x| (acc << 8) | usize::from(*x)),
            &rest[n..],
        )
    };
    let content = rest
        .get(..len)
        .ok_or_else(|| err("unexpected EOF".to_string()))?;
    if rest.len() != len {
        return Err(err("trailing bytes after value".to_string()));
    }
    Ok(content.to_vec())
}

fn invalid_hex_byte(b: u8) -> String {
    format!(
        "encoding/hex: invalid byte: U+{:04X} {:?}",
        b,
        char::from(b)
    )
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// go-ldap's `stripLeadingAndTrailingSpaces`: trims spaces, keeping a trailing space
/// that is escaped by an odd number of backslashes.
fn strip_spaces(input: &str) -> String {
    let trimmed = input.trim_matches(' ');
    let mut out = trimmed.to_string();
    if !trimmed.is_empty() && input.ends_with(' ') {
        let backslashes = trimmed.bytes().rev().take_while(|b| *b == b'\\').count();
        if backslashes % 2 == 1 {
            out.push(' ');
        }
    }
    out
}

/// go-ldap's `decodeString`: unescapes `\X` specials and `\XX` hex pairs, and rejects
/// unescaped `" ; < >` and NUL.
fn decode_ldap_string(raw: &str) -> Result<Vec<u8>> {
    let err = |m: String| PkiError::Template(m);
    let stripped = strip_spaces(raw);
    let chars: Vec<char> = stripped.chars().collect();
    let mut out: Vec<u8> = Vec::with_capacity(stripped.len());
    let mut i = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' {
            match c {
                '"' | ';' | '<' | '>' => {
                    return Err(err(format!("got unescaped character: '{c}'")));
                }
                '\0' => return Err(err("got unescaped NULL character".to_string())),
                _ => {}
            }
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            i += 1;
            continue;
        }
        let Some(&next) = chars.get(i + 1) else {
            return Err(err(format!(
                "got corrupted escaped character: '{stripped}'"
            )));
        };
        if matches!(
            next,
            ' ' | '"' | '#' | '+' | ',' | ';' | '<' | '=' | '>' | '\\'
        ) {
            out.push(next as u8);
            i += 2;
            continue;
        }
        let Some(&second) = chars.get(i + 2) else {
            return Err(err(format!(
                "failed to decode escaped character: encoding/hex: invalid byte: {next}"
            )));
        };
        let (Some(hi), Some(lo)) = (
            u8::try_from(next).ok().and_then(hex_val),
            u8::try_from(second).ok().and_then(hex_val),
        ) else {
            let bad = if u8::try_from(next).ok().and_then(hex_val).is_none() {
                next
            } else {
                second
            };
            return Err(err(format!(
                "failed to decode escaped character: encoding/hex: invalid byte: U+{:04X} {bad:?}",
                u32::from(bad)
            )));
        };
        out.push(hi << 4 | lo);
        i += 3;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(arcs: &[u64], v: &str) -> (Vec<u64>, String) {
        (arcs.to_vec(), v.to_string())
    }

    fn flat(dn: &DistinguishedName) -> Vec<Vec<(Vec<u64>, String)>> {
        dn.rdns
            .iter()
            .map(|r| {
                r.iter()
                    .map(|x| (x.oid.arcs().to_vec(), x.value.clone().unwrap_or_default()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn literal_subject_is_reversed_and_multi_valued() {
        let dn = DistinguishedName::from_literal_subject(
            "SERIALNUMBER=42, L=some-locality, ST=some-state-or-province, STREET=some-street, CN=foo-long.com, OU=FooLong, OU=Barq, OU=Baz, OU=Dept., O=Corp., C=US+123.544.555= A Test Value ",
        )
        .unwrap();
        assert_eq!(
            flat(&dn),
            vec![
                vec![a(oids::COUNTRY, "US"), a(&[123, 544, 555], "A Test Value")],
                vec![a(oids::ORGANIZATION, "Corp.")],
                vec![a(oids::ORGANIZATIONAL_UNIT, "Dept.")],
                vec![a(oids::ORGANIZATIONAL_UNIT, "Baz")],
                vec![a(oids::ORGANIZATIONAL_UNIT, "Barq")],
                vec![a(oids::ORGANIZATIONAL_UNIT, "FooLong")],
                vec![a(oids::COMMON_NAME, "foo-long.com")],
                vec![a(oids::STREET_ADDRESS, "some-street")],
                vec![a(oids::PROVINCE, "some-state-or-province")],
                vec![a(oids::LOCALITY, "some-locality")],
                vec![a(oids::SERIAL_NUMBER, "42")],
            ]
        );
    }

    #[test]
    fn literal_subject_keeps_order_and_prints_back() {
        let s = "CN=foo-long.com,OU=FooLong,OU=Barq,OU=Baz,OU=Dept.,O=Corp.,C=US";
        let dn = DistinguishedName::from_literal_subject(s).unwrap();
        assert_eq!(dn.rdns.len(), 7);
        assert_eq!(dn.rdns[0][0].oid.arcs(), oids::COUNTRY);
        assert_eq!(rdn_sequence_string(&dn.rdns), s);
        assert_eq!(dn.first_common_name(), Some("foo-long.com"));
    }

    #[test]
    fn hex_der_values_must_be_complete() {
        let err = DistinguishedName::from_literal_subject(
            "DF=#6666666666665006838820013100000746939546349182108463491821809FBFFFFFFFFF",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("failed to decode BER encoding: unexpected EOF"),
            "{err}"
        );
        let dn = DistinguishedName::from_literal_subject("1.3.6.1.4.1.1466.0=#04024869").unwrap();
        assert_eq!(dn.rdns[0][0].value.as_deref(), Some("Hi"));
    }

    #[test]
    fn unencodable_oids_parse_but_do_not_encode() {
        let dn = DistinguishedName::from_literal_subject("123.544.555=x").unwrap();
        let err = dn.to_der().unwrap_err();
        assert!(
            err.to_string().contains("invalid object identifier"),
            "{err}"
        );
    }

    #[test]
    fn escapes_round_trip_like_go() {
        let dn = DistinguishedName::from_literal_subject(
            r"CN=foo-lon❤️\\g.com\ \ \ \ +OU=Foo===Long+OU=Ba  rq+OU=Baz+C=fo\\00o-long.com,O=C\; orp.+C=US",
        )
        .unwrap();
        let f = flat(&dn);
        assert_eq!(
            f[0],
            vec![a(oids::ORGANIZATION, "C; orp."), a(oids::COUNTRY, "US")]
        );
        assert_eq!(
            f[1],
            vec![
                a(oids::COMMON_NAME, "foo-lon❤️\\g.com    "),
                a(oids::ORGANIZATIONAL_UNIT, "Foo===Long"),
                a(oids::ORGANIZATIONAL_UNIT, "Ba  rq"),
                a(oids::ORGANIZATIONAL_UNIT, "Baz"),
                a(oids::COUNTRY, "fo\\00o-long.com"),
            ]
        );
        let back = DistinguishedName::from_literal_subject(&rdn_sequence_string(&dn.rdns)).unwrap();
        assert_eq!(flat(&back), f);
    }

    #[test]
    fn literal_subject_errors() {
        for bad in [
            "CN=a,foo",
            "CN",
            "cn=lowercase-is-unknown",
            "CN=a\"b",
            "CN=a;b=c<d",
            "CN=trailing\\",
            "CN=\\zz",
            "=x",
        ] {
            assert!(
                DistinguishedName::from_literal_subject(bad).is_err(),
                "{bad}"
            );
        }
        assert!(
            DistinguishedName::from_literal_subject("   ")
                .unwrap()
                .is_empty()
        );
        // Hex escapes decode to bytes, and invalid UTF-8 cannot be encoded.
        let dn = DistinguishedName::from_literal_subject(r"CN=\41\42").unwrap();
        assert_eq!(dn.first_common_name(), Some("AB"));
        assert!(DistinguishedName::from_literal_subject(r"CN=\ff").is_err());
    }

    #[test]
    fn subject_fields_follow_go_order_and_encoding() {
        let subject = Subject {
            organizations: vec!["Org A".into(), "Org*B".into()],
            countries: vec!["GB".into()],
            serial_number: "1234".into(),
            ..Default::default()
        };
        let dn = DistinguishedName::from_subject(&subject, "example.com");
        let der = dn.to_der().unwrap();
        let back = DistinguishedName::from_der(&der).unwrap();
        let f = back.fields();
        assert_eq!(f.common_name, "example.com");
        assert_eq!(f.countries, vec!["GB"]);
        assert_eq!(f.serial_number, "1234");
        // Both organizations share one RDN; the SET is sorted by DER.
        assert_eq!(back.rdns.len(), 4);
        assert_eq!(back.rdns[1].len(), 2);
        let mut vals: Vec<_> = f.organizations.clone();
        vals.sort();
        assert_eq!(vals, vec!["Org A", "Org*B"]);
        // '*' is not printable for Go's encoder: UTF8String.
        let starred = back.rdns[1]
            .iter()
            .find(|x| x.value.as_deref() == Some("Org*B"))
            .unwrap();
        assert_eq!(starred.raw_value[0], tag::UTF8_STRING);
        let plain = back.rdns[1]
            .iter()
            .find(|x| x.value.as_deref() == Some("Org A"))
            .unwrap();
        assert_eq!(plain.raw_value[0], tag::PRINTABLE_STRING);
        // The DER SET order (UTF8String sorts before PrintableString) is what Go parses back.
        assert_eq!(
            back.go_string(),
            "SERIALNUMBER=1234,CN=example.com,O=Org*B+O=Org A,C=GB"
        );
    }
}
