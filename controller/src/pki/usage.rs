//! Key usages: the 23 values of a Certificate's `spec.usages`, their mapping onto the
//! X.509 KeyUsage bits and ExtendedKeyUsage OIDs (`pkg/api/util/usages.go`,
//! `pkg/util/pki/keyusage.go`), and the DER encodings of both extensions.

use std::fmt;
use std::str::FromStr;

use super::der::{self, Oid, Reader, tag};
use super::error::{PkiError, Result};
use super::oids;

/// One value of `spec.usages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyUsage {
    /// `signing` (KeyUsage digitalSignature)
    Signing,
    /// `digital signature`
    DigitalSignature,
    /// `content commitment`
    ContentCommitment,
    /// `key encipherment`
    KeyEncipherment,
    /// `key agreement`
    KeyAgreement,
    /// `data encipherment`
    DataEncipherment,
    /// `cert sign`
    CertSign,
    /// `crl sign`
    CrlSign,
    /// `encipher only`
    EncipherOnly,
    /// `decipher only`
    DecipherOnly,
    /// `any` (anyExtendedKeyUsage)
    Any,
    /// `server auth`
    ServerAuth,
    /// `client auth`
    ClientAuth,
    /// `code signing`
    CodeSigning,
    /// `email protection`
    EmailProtection,
    /// `s/mime` (the emailProtection EKU)
    Smime,
    /// `ipsec end system`
    IpsecEndSystem,
    /// `ipsec tunnel`
    IpsecTunnel,
    /// `ipsec user`
    IpsecUser,
    /// `timestamping`
    Timestamping,
    /// `ocsp signing`
    OcspSigning,
    /// `microsoft sgc`
    MicrosoftSgc,
    /// `netscape sgc`
    NetscapeSgc,
}

impl KeyUsage {
    /// Every usage, in the order of cert-manager's API constants.
    pub const ALL: [KeyUsage; 23] = [
        KeyUsage::Signing,
        KeyUsage::DigitalSignature,
        KeyUsage::ContentCommitment,
        KeyUsage::KeyEncipherment,
        KeyUsage::KeyAgreement,
        KeyUsage::DataEncipherment,
        KeyUsage::CertSign,
        KeyUsage::CrlSign,
        KeyUsage::EncipherOnly,
        KeyUsage::DecipherOnly,
        KeyUsage::Any,
        KeyUsage::ServerAuth,
        KeyUsage::ClientAuth,
        KeyUsage::CodeSigning,
        KeyUsage::EmailProtection,
        KeyUsage::Smime,
        KeyUsage::IpsecEndSystem,
        KeyUsage::IpsecTunnel,
        KeyUsage::IpsecUser,
        KeyUsage::Timestamping,
        KeyUsage::OcspSigning,
        KeyUsage::MicrosoftSgc,
        KeyUsage::NetscapeSgc,
    ];

    /// The API spelling, e.g. `digital signature`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyUsage::Signing => "signing",
            KeyUsage::DigitalSignature => "digital signature",
            KeyUsage::ContentCommitment => "content commitment",
            KeyUsage::KeyEncipherment => "key encipherment",
            KeyUsage::KeyAgreement => "key agreement",
            KeyUsage::DataEncipherment => "data encipherment",
            KeyUsage::CertSign => "cert sign",
            KeyUsage::CrlSign => "crl sign",
            KeyUsage::EncipherOnly => "encipher only",
            KeyUsage::DecipherOnly => "decipher only",
            KeyUsage::Any => "any",
            KeyUsage::ServerAuth => "server auth",
            KeyUsage::ClientAuth => "client auth",
            KeyUsage::CodeSigning => "code signing",
            KeyUsage::EmailProtection => "email protection",
            KeyUsage::Smime => "s/mime",
            KeyUsage::IpsecEndSystem => "ipsec end system",
            KeyUsage::IpsecTunnel => "ipsec tunnel",
            KeyUsage::IpsecUser => "ipsec user",
            KeyUsage::Timestamping => "timestamping",
            KeyUsage::OcspSigning => "ocsp signing",
            KeyUsage::MicrosoftSgc => "microsoft sgc",
            KeyUsage::NetscapeSgc => "netscape sgc",
        }
    }

    /// The KeyUsage bit this usage sets, if it is a KeyUsage.
    pub fn key_usage_bit(self) -> Option<KeyUsageBits> {
        Some(match self {
            KeyUsage::Signing | KeyUsage::DigitalSignature => KeyUsageBits::DIGITAL_SIGNATURE,
            KeyUsage::ContentCommitment => KeyUsageBits::CONTENT_COMMITMENT,
            KeyUsage::KeyEncipherment => KeyUsageBits::KEY_ENCIPHERMENT,
            KeyUsage::KeyAgreement => KeyUsageBits::KEY_AGREEMENT,
            KeyUsage::DataEncipherment => KeyUsageBits::DATA_ENCIPHERMENT,
            KeyUsage::CertSign => KeyUsageBits::CERT_SIGN,
            KeyUsage::CrlSign => KeyUsageBits::CRL_SIGN,
            KeyUsage::EncipherOnly => KeyUsageBits::ENCIPHER_ONLY,
            KeyUsage::DecipherOnly => KeyUsageBits::DECIPHER_ONLY,
            _ => return None,
        })
    }

    /// The ExtendedKeyUsage this usage adds, if it is an EKU.
    pub fn ext_key_usage(self) -> Option<ExtKeyUsage> {
        Some(match self {
            KeyUsage::Any => ExtKeyUsage::Any,
            KeyUsage::ServerAuth => ExtKeyUsage::ServerAuth,
            KeyUsage::ClientAuth => ExtKeyUsage::ClientAuth,
            KeyUsage::CodeSigning => ExtKeyUsage::CodeSigning,
            KeyUsage::EmailProtection | KeyUsage::Smime => ExtKeyUsage::EmailProtection,
            KeyUsage::IpsecEndSystem => ExtKeyUsage::IpsecEndSystem,
            KeyUsage::IpsecTunnel => ExtKeyUsage::IpsecTunnel,
            KeyUsage::IpsecUser => ExtKeyUsage::IpsecUser,
            KeyUsage::Timestamping => ExtKeyUsage::TimeStamping,
            KeyUsage::OcspSigning => ExtKeyUsage::OcspSigning,
            KeyUsage::MicrosoftSgc => ExtKeyUsage::MicrosoftServerGatedCrypto,
            KeyUsage::NetscapeSgc => ExtKeyUsage::NetscapeServerGatedCrypto,
            _ => return None,
        })
    }

    /// cert-manager's default usages: `digital signature`, `key encipherment`.
    pub fn defaults() -> Vec<KeyUsage> {
        vec![KeyUsage::DigitalSignature, KeyUsage::KeyEncipherment]
    }

    /// Parses a list of API strings, failing with cert-manager's message
    /// ("unknown key usages: [foo bar]") when any is unknown.
    pub fn parse_list<S: AsRef<str>>(values: &[S]) -> Result<Vec<KeyUsage>> {
        let mut out = Vec::with_capacity(values.len());
        let mut unknown = Vec::new();
        for v in values {
            match v.as_ref().parse::<KeyUsage>() {
                Ok(u) => out.push(u),
                Err(_) => unknown.push(v.as_ref().to_string()),
            }
        }
        if unknown.is_empty() {
            Ok(out)
        } else {
            Err(PkiError::Template(format!(
                "unknown key usages: [{}]",
                unknown.join(" ")
            )))
        }
    }
}

impl fmt::Display for KeyUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyUsage {
    type Err = PkiError;

    fn from_str(s: &str) -> Result<KeyUsage> {
        KeyUsage::ALL
            .into_iter()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| PkiError::Template(format!("unknown key usages: [{s}]")))
    }
}

/// The X.509 KeyUsage bit set, numbered as Go's `x509.KeyUsage` (bit 0 is
/// digitalSignature, bit 8 decipherOnly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KeyUsageBits(pub u16);

impl KeyUsageBits {
    /// digitalSignature
    pub const DIGITAL_SIGNATURE: KeyUsageBits = KeyUsageBits(1 << 0);
    /// contentCommitment (nonRepudiation)
    pub const CONTENT_COMMITMENT: KeyUsageBits = KeyUsageBits(1 << 1);
    /// keyEncipherment
    pub const KEY_ENCIPHERMENT: KeyUsageBits = KeyUsageBits(1 << 2);
    /// dataEncipherment
    pub const DATA_ENCIPHERMENT: KeyUsageBits = KeyUsageBits(1 << 3);
    /// keyAgreement
    pub const KEY_AGREEMENT: KeyUsageBits = KeyUsageBits(1 << 4);
    /// keyCertSign
    pub const CERT_SIGN: KeyUsageBits = KeyUsageBits(1 << 5);
    /// cRLSign
    pub const CRL_SIGN: KeyUsageBits = KeyUsageBits(1 << 6);
    /// encipherOnly
    pub const ENCIPHER_ONLY: KeyUsageBits = KeyUsageBits(1 << 7);
    /// decipherOnly
    pub const DECIPHER_ONLY: KeyUsageBits = KeyUsageBits(1 << 8);

    /// Whether no bit is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: KeyUsageBits) -> bool {
        self.0 & other.0 == other.0
    }

    /// The API names of the set bits, in bit order (`digital signature` for bit 0).
    pub fn names(self) -> Vec<&'static str> {
        (0..9)
            .filter(|i| self.0 & (1 << i) != 0)
            .map(|i| match i {
                0 => "digital signature",
                1 => "content commitment",
                2 => "key encipherment",
                3 => "data encipherment",
                4 => "key agreement",
                5 => "cert sign",
                6 => "crl sign",
                7 => "encipher only",
                _ => "decipher only",
            })
            .collect()
    }

    /// DER of the KeyUsage extension value: a BIT STRING of one or two bytes with
    /// trailing zero bits declared unused (Go's `MarshalKeyUsage`).
    pub(crate) fn to_extension_value(self) -> Vec<u8> {
        let a0 = (self.0 & 0xff) as u8;
        let a1 = ((self.0 >> 8) & 0xff) as u8;
        let bytes: Vec<u8> = if a1 != 0 {
            vec![a0.reverse_bits(), a1.reverse_bits()]
        } else {
            vec![a0.reverse_bits()]
        };
        let used_bits = bit_length(&bytes);
        let unused = (bytes.len() * 8 - used_bits) as u8;
        if used_bits == 0 {
            return der::bit_string(&[], 0);
        }
        der::bit_string(&bytes, unused)
    }

    /// Parses a KeyUsage extension value (the first nine bits count).
    pub(crate) fn from_extension_value(value: &[u8]) -> Result<KeyUsageBits> {
        let el = der::parse_single(value, tag::BIT_STRING)
            .map_err(|_| PkiError::Der("x509: invalid key usage".to_string()))?;
        let (unused, bits) = el
            .content
            .split_first()
            .ok_or_else(|| PkiError::Der("x509: invalid key usage".to_string()))?;
        if *unused > 7 {
            return Err(PkiError::Der("x509: invalid key usage".to_string()));
        }
        let total_bits = (bits.len() * 8)
            .checked_sub(usize::from(*unused))
            .ok_or_else(|| PkiError::Der("x509: invalid key usage".to_string()))?;
        let mut out = 0u16;
        for i in 0..9usize {
            if i >= total_bits {
                break;
            }
            let byte = bits[i / 8];
            if byte & (0x80 >> (i % 8)) != 0 {
                out |= 1 << i;
            }
        }
        Ok(KeyUsageBits(out))
    }
}

impl std::ops::BitOr for KeyUsageBits {
    type Output = KeyUsageBits;

    fn bitor(self, rhs: KeyUsageBits) -> KeyUsageBits {
        KeyUsageBits(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for KeyUsageBits {
    fn bitor_assign(&mut self, rhs: KeyUsageBits) {
        self.0 |= rhs.0;
    }
}

/// Number of bits up to and including the last set bit, in ASN.1 bit order.
fn bit_length(bytes: &[u8]) -> usize {
    for (i, b) in bytes.iter().enumerate().rev() {
        if *b != 0 {
            return i * 8 + 8 - b.trailing_zeros() as usize;
        }
    }
    0
}

/// An extended key usage Go's x509 package knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExtKeyUsage {
    /// anyExtendedKeyUsage
    Any,
    /// id-kp-serverAuth
    ServerAuth,
    /// id-kp-clientAuth
    ClientAuth,
    /// id-kp-codeSigning
    CodeSigning,
    /// id-kp-emailProtection
    EmailProtection,
    /// id-kp-ipsecEndSystem
    IpsecEndSystem,
    /// id-kp-ipsecTunnel
    IpsecTunnel,
    /// id-kp-ipsecUser
    IpsecUser,
    /// id-kp-timeStamping
    TimeStamping,
    /// id-kp-OCSPSigning
    OcspSigning,
    /// Microsoft Server Gated Crypto
    MicrosoftServerGatedCrypto,
    /// Netscape Server Gated Crypto
    NetscapeServerGatedCrypto,
    /// Microsoft commercial code signing
    MicrosoftCommercialCodeSigning,
    /// Microsoft kernel code signing
    MicrosoftKernelCodeSigning,
}

impl ExtKeyUsage {
    const ALL: [ExtKeyUsage; 14] = [
        ExtKeyUsage::Any,
        ExtKeyUsage::ServerAuth,
        ExtKeyUsage::ClientAuth,
        ExtKeyUsage::CodeSigning,
        ExtKeyUsage::EmailProtection,
        ExtKeyUsage::IpsecEndSystem,
        ExtKeyUsage::IpsecTunnel,
        ExtKeyUsage::IpsecUser,
        ExtKeyUsage::TimeStamping,
        ExtKeyUsage::OcspSigning,
        ExtKeyUsage::MicrosoftServerGatedCrypto,
        ExtKeyUsage::NetscapeServerGatedCrypto,
        ExtKeyUsage::MicrosoftCommercialCodeSigning,
        ExtKeyUsage::MicrosoftKernelCodeSigning,
    ];

    pub(crate) fn oid_arcs(self) -> &'static [u64] {
        match self {
            ExtKeyUsage::Any => oids::EKU_ANY,
            ExtKeyUsage::ServerAuth => oids::EKU_SERVER_AUTH,
            ExtKeyUsage::ClientAuth => oids::EKU_CLIENT_AUTH,
            ExtKeyUsage::CodeSigning => oids::EKU_CODE_SIGNING,
            ExtKeyUsage::EmailProtection => oids::EKU_EMAIL_PROTECTION,
            ExtKeyUsage::IpsecEndSystem => oids::EKU_IPSEC_END_SYSTEM,
            ExtKeyUsage::IpsecTunnel => oids::EKU_IPSEC_TUNNEL,
            ExtKeyUsage::IpsecUser => oids::EKU_IPSEC_USER,
            ExtKeyUsage::TimeStamping => oids::EKU_TIME_STAMPING,
            ExtKeyUsage::OcspSigning => oids::EKU_OCSP_SIGNING,
            ExtKeyUsage::MicrosoftServerGatedCrypto => oids::EKU_MICROSOFT_SGC,
            ExtKeyUsage::NetscapeServerGatedCrypto => oids::EKU_NETSCAPE_SGC,
            ExtKeyUsage::MicrosoftCommercialCodeSigning => {
                oids::EKU_MICROSOFT_COMMERCIAL_CODE_SIGNING
            }
            ExtKeyUsage::MicrosoftKernelCodeSigning => oids::EKU_MICROSOFT_KERNEL_CODE_SIGNING,
        }
    }

    /// The OID.
    pub fn oid(self) -> Oid {
        Oid::from_arcs(self.oid_arcs())
    }

    /// The known usage with this OID.
    pub fn from_oid(oid: &Oid) -> Option<ExtKeyUsage> {
        ExtKeyUsage::ALL
            .into_iter()
            .find(|u| u.oid_arcs() == oid.arcs())
    }

    /// The API name cert-manager prints for this EKU (`email protection` for
    /// emailProtection; `unknown` for the two Microsoft code-signing EKUs, which have
    /// no API name).
    pub fn name(self) -> &'static str {
        match self {
            ExtKeyUsage::Any => "any",
            ExtKeyUsage::ServerAuth => "server auth",
            ExtKeyUsage::ClientAuth => "client auth",
            ExtKeyUsage::CodeSigning => "code signing",
            ExtKeyUsage::EmailProtection => "email protection",
            ExtKeyUsage::IpsecEndSystem => "ipsec end system",
            ExtKeyUsage::IpsecTunnel => "ipsec tunnel",
            ExtKeyUsage::IpsecUser => "ipsec user",
            ExtKeyUsage::TimeStamping => "timestamping",
            ExtKeyUsage::OcspSigning => "ocsp signing",
            ExtKeyUsage::MicrosoftServerGatedCrypto => "microsoft sgc",
            ExtKeyUsage::NetscapeServerGatedCrypto => "netscape sgc",
            ExtKeyUsage::MicrosoftCommercialCodeSigning
            | ExtKeyUsage::MicrosoftKernelCodeSigning => "unknown",
        }
    }
}

/// KeyUsage bits plus extended key usages, as a certificate or request carries them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Usages {
    /// The KeyUsage extension bits (empty: no extension).
    pub key_usage: KeyUsageBits,
    /// Known extended key usages, in order.
    pub ext_key_usage: Vec<ExtKeyUsage>,
    /// Extended key usages Go does not know, in order.
    pub unknown_ext_key_usage: Vec<Oid>,
}

impl Usages {
    /// cert-manager's `KeyUsagesForCertificateOrCertificateRequest`: `cert sign` is
    /// added for CAs, an empty list means the default usages, and each usage maps to
    /// a KeyUsage bit or an EKU (duplicates kept, in order).
    pub fn for_request(usages: &[KeyUsage], is_ca: bool) -> Usages {
        let mut out = Usages::default();
        if is_ca {
            out.key_usage |= KeyUsageBits::CERT_SIGN;
        }
        let defaults;
        let usages = if usages.is_empty() {
            defaults = KeyUsage::defaults();
            defaults.as_slice()
        } else {
            usages
        };
        for u in usages {
            if let Some(bit) = u.key_usage_bit() {
                out.key_usage |= bit;
            } else if let Some(eku) = u.ext_key_usage() {
                out.ext_key_usage.push(eku);
            }
        }
        out
    }

    /// The names of the extended key usages, as cert-manager prints them.
    pub fn ext_key_usage_names(&self) -> Vec<&'static str> {
        self.ext_key_usage.iter().map(|u| u.name()).collect()
    }

    /// DER of the ExtendedKeyUsage extension value (known EKUs first, then unknown
    /// ones), or `None` when there is no EKU at all.
    pub(crate) fn ext_key_usage_extension_value(&self) -> Result<Option<Vec<u8>>> {
        if self.ext_key_usage.is_empty() && self.unknown_ext_key_usage.is_empty() {
            return Ok(None);
        }
        let mut parts = Vec::new();
        for u in &self.ext_key_usage {
            parts.push(u.oid().to_der()?);
        }
        for oid in &self.unknown_ext_key_usage {
            parts.push(oid.to_der()?);
        }
        Ok(Some(der::sequence_of(&parts)))
    }

    /// Parses an ExtendedKeyUsage extension value into known and unknown EKUs.
    pub(crate) fn parse_ext_key_usage(value: &[u8]) -> Result<(Vec<ExtKeyUsage>, Vec<Oid>)> {
        let seq = der::parse_single(value, tag::SEQUENCE)?;
        let mut r = Reader::new(seq.content);
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        while !r.is_empty() {
            let oid = der::read_oid(&mut r)?;
            match ExtKeyUsage::from_oid(&oid) {
                Some(u) => known.push(u),
                None => unknown.push(oid),
            }
        }
        Ok((known, unknown))
    }
}

/// Formats usage names as cert-manager's `printKeyUsage`: `[ 'a', 'b' ]`, or `[]`.
pub(crate) fn print_key_usage(names: &[&str]) -> String {
    if names.is_empty() {
        return "[]".to_string();
    }
    let inner: Vec<String> = names.iter().map(|n| format!(" '{n}'")).collect();
    format!("[{} ]", inner.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_23_usages_map_to_ku_or_eku() {
        assert_eq!(KeyUsage::ALL.len(), 23);
        for u in KeyUsage::ALL {
            assert_eq!(u.as_str().parse::<KeyUsage>().unwrap(), u);
            assert!(
                u.key_usage_bit().is_some() ^ u.ext_key_usage().is_some(),
                "{u} must be exactly one of KU or EKU"
            );
        }
    }

    #[test]
    fn unknown_usages_are_listed() {
        let err = KeyUsage::parse_list(&["server auth", "foo", "bar"]).unwrap_err();
        assert_eq!(err.to_string(), "unknown key usages: [foo bar]");
    }

    #[test]
    fn request_usages_follow_cert_manager() {
        let u = Usages::for_request(&[], false);
        assert_eq!(
            u.key_usage,
            KeyUsageBits::DIGITAL_SIGNATURE | KeyUsageBits::KEY_ENCIPHERMENT
        );
        assert!(u.ext_key_usage.is_empty());

        let u = Usages::for_request(
            &[KeyUsage::ServerAuth, KeyUsage::Signing, KeyUsage::Smime],
            true,
        );
        assert_eq!(
            u.key_usage,
            KeyUsageBits::DIGITAL_SIGNATURE | KeyUsageBits::CERT_SIGN
        );
        assert_eq!(
            u.ext_key_usage,
            vec![ExtKeyUsage::ServerAuth, ExtKeyUsage::EmailProtection]
        );
    }

    #[test]
    fn key_usage_der_matches_go() {
        // digitalSignature | keyEncipherment = 0xa0 with 5 unused bits.
        let v =
            (KeyUsageBits::DIGITAL_SIGNATURE | KeyUsageBits::KEY_ENCIPHERMENT).to_extension_value();
        assert_eq!(v, vec![0x03, 0x02, 0x05, 0xa0]);
        // certSign only: 0x04 with 2 unused bits.
        assert_eq!(
            KeyUsageBits::CERT_SIGN.to_extension_value(),
            vec![0x03, 0x02, 0x02, 0x04]
        );
        // decipherOnly needs a second byte: 0x00 0x80, 7 unused bits.
        assert_eq!(
            KeyUsageBits::DECIPHER_ONLY.to_extension_value(),
            vec![0x03, 0x03, 0x07, 0x00, 0x80]
        );
        for bits in [0x1u16, 0x25, 0x1ff, 0x100, 0x60] {
            let v = KeyUsageBits(bits).to_extension_value();
            assert_eq!(
                KeyUsageBits::from_extension_value(&v).unwrap(),
                KeyUsageBits(bits)
            );
        }
    }

    #[test]
    fn names_and_printing() {
        let bits = KeyUsageBits::DIGITAL_SIGNATURE | KeyUsageBits::KEY_ENCIPHERMENT;
        assert_eq!(
            print_key_usage(&bits.names()),
            "[ 'digital signature', 'key encipherment' ]"
        );
        assert_eq!(print_key_usage(&[]), "[]");
    }

    #[test]
    fn eku_round_trip_keeps_unknown_oids() {
        let u = Usages {
            key_usage: KeyUsageBits::default(),
            ext_key_usage: vec![ExtKeyUsage::ClientAuth, ExtKeyUsage::ServerAuth],
            unknown_ext_key_usage: vec![Oid::parse("1.2.3.4").unwrap()],
        };
        let v = u.ext_key_usage_extension_value().unwrap().unwrap();
        let (known, unknown) = Usages::parse_ext_key_usage(&v).unwrap();
        assert_eq!(known, u.ext_key_usage);
        assert_eq!(unknown, u.unknown_ext_key_usage);
    }
}
