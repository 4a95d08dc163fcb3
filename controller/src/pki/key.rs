//! Private keys: generation (RSA 2048–8192, ECDSA P-256/P-384/P-521, Ed25519),
//! PKCS#1 / SEC1 / PKCS#8 encodings, parsing, and signing, all on aws-lc-rs.
//!
//! [`PrivateKey`] never shows key material in `Debug` output and has no `Display`.

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::encoding::{AsDer, EcPrivateKeyRfc5915Der, Pkcs8V1Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair as _, RsaKeyPair,
};

use super::der::{self, Oid, Reader, tag};
use super::error::{PkiError, Result};
use super::oids;
use super::pem;
use super::public_key::PublicKey;
use super::signature::SignatureAlgorithm;

/// Default RSA key size (cert-manager's `MinRSAKeySize`).
pub const DEFAULT_RSA_KEY_SIZE: u32 = 2048;
/// Largest RSA key cert-manager generates.
pub const MAX_RSA_KEY_SIZE: u32 = 8192;

/// A private key algorithm (`spec.privateKey.algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyAlgorithm {
    /// `RSA`, the default when the field is empty.
    #[default]
    Rsa,
    /// `ECDSA`
    Ecdsa,
    /// `Ed25519`
    Ed25519,
}

impl KeyAlgorithm {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa => "RSA",
            KeyAlgorithm::Ecdsa => "ECDSA",
            KeyAlgorithm::Ed25519 => "Ed25519",
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyAlgorithm {
    type Err = PkiError;

    /// Parses the API spelling; the empty string means RSA, as in cert-manager.
    fn from_str(s: &str) -> Result<KeyAlgorithm> {
        match s {
            "" | "RSA" => Ok(KeyAlgorithm::Rsa),
            "ECDSA" => Ok(KeyAlgorithm::Ecdsa),
            "Ed25519" => Ok(KeyAlgorithm::Ed25519),
            other => Err(PkiError::Key(format!(
                "unsupported private key algorithm specified: {other}"
            ))),
        }
    }
}

/// A private key encoding (`spec.privateKey.encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyEncoding {
    /// `PKCS1`, the default: `RSA PRIVATE KEY` for RSA, SEC1 `EC PRIVATE KEY` for ECDSA,
    /// and PKCS#8 for Ed25519 (which has no PKCS#1 form).
    #[default]
    Pkcs1,
    /// `PKCS8`: `PRIVATE KEY` for every algorithm.
    Pkcs8,
}

impl KeyEncoding {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyEncoding::Pkcs1 => "PKCS1",
            KeyEncoding::Pkcs8 => "PKCS8",
        }
    }
}

impl FromStr for KeyEncoding {
    type Err = PkiError;

    /// Parses the API spelling; the empty string means PKCS1.
    fn from_str(s: &str) -> Result<KeyEncoding> {
        match s {
            "" | "PKCS1" => Ok(KeyEncoding::Pkcs1),
            "PKCS8" => Ok(KeyEncoding::Pkcs8),
            other => Err(PkiError::Key(format!(
                "error encoding private key: unknown key encoding: {other}"
            ))),
        }
    }
}

/// A NIST curve for ECDSA keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcCurve {
    /// secp256r1 / prime256v1
    P256,
    /// secp384r1
    P384,
    /// secp521r1
    P521,
}

impl EcCurve {
    /// The curve size as cert-manager's `privateKey.size` names it (256, 384, 521).
    pub fn bits(self) -> u32 {
        match self {
            EcCurve::P256 => 256,
            EcCurve::P384 => 384,
            EcCurve::P521 => 521,
        }
    }

    /// The curve for a `privateKey.size`.
    pub fn from_bits(bits: u32) -> Option<EcCurve> {
        match bits {
            256 => Some(EcCurve::P256),
            384 => Some(EcCurve::P384),
            521 => Some(EcCurve::P521),
            _ => None,
        }
    }

    pub(crate) fn field_bytes(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }

    pub(crate) fn oid_arcs(self) -> &'static [u64] {
        match self {
            EcCurve::P256 => oids::SECP256R1,
            EcCurve::P384 => oids::SECP384R1,
            EcCurve::P521 => oids::SECP521R1,
        }
    }

    pub(crate) fn from_oid(oid: &Oid) -> Option<EcCurve> {
        [EcCurve::P256, EcCurve::P384, EcCurve::P521]
            .into_iter()
            .find(|c| c.oid_arcs() == oid.arcs())
    }

    fn signing_algorithm(self) -> &'static EcdsaSigningAlgorithm {
        match self {
            EcCurve::P256 => &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            EcCurve::P384 => &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            EcCurve::P521 => &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
        }
    }

    fn natural_signature(self) -> SignatureAlgorithm {
        match self {
            EcCurve::P256 => SignatureAlgorithm::EcdsaWithSha256,
            EcCurve::P384 => SignatureAlgorithm::EcdsaWithSha384,
            EcCurve::P521 => SignatureAlgorithm::EcdsaWithSha512,
        }
    }
}

/// What a Certificate asks of its private key (`spec.privateKey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrivateKeySpec {
    /// The algorithm; RSA by default.
    pub algorithm: KeyAlgorithm,
    /// The size: RSA modulus bits (default 2048) or ECDSA curve size (default 256);
    /// ignored for Ed25519. `None` and `Some(0)` both mean the default.
    pub size: Option<u32>,
    /// The encoding of `tls.key`.
    pub encoding: KeyEncoding,
}

impl PrivateKeySpec {
    /// The size this spec asks for once defaults are applied (Ed25519: 256).
    pub fn effective_size(&self) -> u32 {
        let explicit = self.size.filter(|s| *s > 0);
        match self.algorithm {
            KeyAlgorithm::Rsa => explicit.unwrap_or(DEFAULT_RSA_KEY_SIZE),
            KeyAlgorithm::Ecdsa => explicit.unwrap_or(256),
            KeyAlgorithm::Ed25519 => 256,
        }
    }
}

enum Inner {
    Rsa(RsaKeyPair),
    Ecdsa(EcCurve, EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private key. Its `Debug` output shows only the algorithm and size.
pub struct PrivateKey {
    inner: Inner,
    public: PublicKey,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm())
            .field("bits", &self.bits())
            .field("material", &"<redacted>")
            .finish()
    }
}

fn key_err(context: &str) -> impl FnOnce(aws_lc_rs::error::KeyRejected) -> PkiError + '_ {
    move |e| PkiError::Key(format!("{context}: {e}"))
}

impl PrivateKey {
    fn from_inner(inner: Inner) -> Result<PrivateKey> {
        let spki = match &inner {
            Inner::Rsa(k) => k.public_key().as_der().map(|d| d.as_ref().to_vec()),
            Inner::Ecdsa(_, k) => k.public_key().as_der().map(|d| d.as_ref().to_vec()),
            Inner::Ed25519(k) => k.public_key().as_der().map(|d| d.as_ref().to_vec()),
        }
        .map_err(|_| PkiError::Key("failed to encode public key".to_string()))?;
        let public = PublicKey::from_spki_der(&spki)?;
        Ok(PrivateKey { inner, public })
    }

    /// Generates a key for a Certificate's `spec.privateKey`, as cert-manager's
    /// `GeneratePrivateKeyForCertificate`.
    pub fn generate(spec: &PrivateKeySpec) -> Result<PrivateKey> {
        match spec.algorithm {
            KeyAlgorithm::Rsa => PrivateKey::generate_rsa(spec.effective_size()),
            KeyAlgorithm::Ecdsa => {
                let size = spec.effective_size();
                let curve = EcCurve::from_bits(size).ok_or_else(|| {
                    PkiError::Key(format!("unsupported ecdsa key size specified: {size}"))
                })?;
                PrivateKey::generate_ecdsa(curve)
            }
            KeyAlgorithm::Ed25519 => PrivateKey::generate_ed25519(),
        }
    }

    /// Generates an RSA key of 2048, 3072, 4096 or 8192 bits.
    pub fn generate_rsa(bits: u32) -> Result<PrivateKey> {
        if bits < DEFAULT_RSA_KEY_SIZE {
            return Err(PkiError::Key(format!(
                "weak rsa key size specified: {bits}. minimum key size: {DEFAULT_RSA_KEY_SIZE}"
            )));
        }
        if bits > MAX_RSA_KEY_SIZE {
            return Err(PkiError::Key(format!(
                "rsa key size specified too big: {bits}. maximum key size: {MAX_RSA_KEY_SIZE}"
            )));
        }
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            8192 => KeySize::Rsa8192,
            other => {
                return Err(PkiError::Key(format!(
                    "unsupported rsa key size specified: {other}. supported sizes: 2048, 3072, 4096, 8192"
                )));
            }
        };
        let kp = RsaKeyPair::generate(size)
            .map_err(|_| PkiError::Key("failed to generate RSA key".to_string()))?;
        PrivateKey::from_inner(Inner::Rsa(kp))
    }

    /// Generates an ECDSA key on the given curve.
    pub fn generate_ecdsa(curve: EcCurve) -> Result<PrivateKey> {
        let kp = EcdsaKeyPair::generate(curve.signing_algorithm())
            .map_err(|_| PkiError::Key("failed to generate ECDSA key".to_string()))?;
        PrivateKey::from_inner(Inner::Ecdsa(curve, kp))
    }

    /// Generates an Ed25519 key.
    pub fn generate_ed25519() -> Result<PrivateKey> {
        let kp = Ed25519KeyPair::generate()
            .map_err(|_| PkiError::Key("failed to generate Ed25519 key".to_string()))?;
        PrivateKey::from_inner(Inner::Ed25519(kp))
    }

    /// Parses the first PEM block of `pem_bytes` as cert-manager's
    /// `DecodePrivateKeyBytes`: `PRIVATE KEY` (PKCS#8), `EC PRIVATE KEY` (SEC1) or
    /// `RSA PRIVATE KEY` (PKCS#1), at most 13 000 bytes of input.
    pub fn from_pem(pem_bytes: &[u8]) -> Result<PrivateKey> {
        let (block, _) = pem::decode_limited(pem_bytes, pem::MAX_PRIVATE_KEY_PEM_SIZE)
            .map_err(|e| PkiError::Key(format!("error decoding private key PEM block: {e}")))?
            .ok_or_else(|| {
                PkiError::Key(
                    "error decoding private key PEM block: no PEM data was found in given input"
                        .to_string(),
                )
            })?;
        match block.label.as_str() {
            "PRIVATE KEY" => PrivateKey::from_pkcs8_der(&block.contents)
                .map_err(|e| PkiError::Key(format!("error parsing pkcs#8 private key: {e}"))),
            "EC PRIVATE KEY" => PrivateKey::from_sec1_der(&block.contents)
                .map_err(|e| PkiError::Key(format!("error parsing ecdsa private key: {e}"))),
            "RSA PRIVATE KEY" => PrivateKey::from_pkcs1_der(&block.contents)
                .map_err(|e| PkiError::Key(format!("error parsing rsa private key: {e}"))),
            other => Err(PkiError::Key(format!("unknown private key type: {other}"))),
        }
    }

    /// Parses a DER PKCS#8 PrivateKeyInfo holding an RSA, ECDSA or Ed25519 key.
    pub fn from_pkcs8_der(der_bytes: &[u8]) -> Result<PrivateKey> {
        let info = Pkcs8Info::parse(der_bytes)?;
        match info.algorithm.arcs() {
            a if a == oids::RSA_ENCRYPTION => {
                let kp = RsaKeyPair::from_pkcs8(der_bytes).map_err(key_err("invalid RSA key"))?;
                PrivateKey::from_inner(Inner::Rsa(kp))
            }
            a if a == oids::EC_PUBLIC_KEY => {
                let curve = info
                    .curve
                    .as_ref()
                    .and_then(EcCurve::from_oid)
                    .ok_or_else(|| PkiError::Key("x509: unknown elliptic curve".to_string()))?;
                let kp = EcdsaKeyPair::from_pkcs8(curve.signing_algorithm(), der_bytes)
                    .map_err(key_err("invalid ECDSA key"))?;
                PrivateKey::from_inner(Inner::Ecdsa(curve, kp))
            }
            a if a == oids::ED25519 => {
                let kp = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der_bytes)
                    .map_err(key_err("invalid Ed25519 key"))?;
                PrivateKey::from_inner(Inner::Ed25519(kp))
            }
            _ => Err(PkiError::Key(format!(
                "x509: PKCS#8 wrapping contained private key with unknown algorithm: {}",
                info.algorithm
            ))),
        }
    }

    /// Parses a DER PKCS#1 RSAPrivateKey.
    pub fn from_pkcs1_der(der_bytes: &[u8]) -> Result<PrivateKey> {
        let kp = RsaKeyPair::from_der(der_bytes).map_err(key_err("invalid RSA key"))?;
        PrivateKey::from_inner(Inner::Rsa(kp))
    }

    /// Parses a DER SEC1 ECPrivateKey; the curve must be named in its parameters.
    pub fn from_sec1_der(der_bytes: &[u8]) -> Result<PrivateKey> {
        let curve = sec1_curve(der_bytes)?;
        let kp = EcdsaKeyPair::from_private_key_der(curve.signing_algorithm(), der_bytes)
            .map_err(key_err("invalid ECDSA key"))?;
        PrivateKey::from_inner(Inner::Ecdsa(curve, kp))
    }

    /// The key algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.public.algorithm()
    }

    /// The key size in bits (RSA modulus bits, ECDSA curve size, 256 for Ed25519).
    pub fn bits(&self) -> u32 {
        self.public.bits()
    }

    /// The curve of an ECDSA key.
    pub fn curve(&self) -> Option<EcCurve> {
        match &self.inner {
            Inner::Ecdsa(c, _) => Some(*c),
            _ => None,
        }
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// DER PKCS#8 (version 1, as Go's `MarshalPKCS8PrivateKey`).
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>> {
        let failed = |_| PkiError::Key("failed to encode private key as PKCS#8".to_string());
        Ok(match &self.inner {
            Inner::Rsa(k) => AsDer::<Pkcs8V1Der>::as_der(k)
                .map_err(failed)?
                .as_ref()
                .to_vec(),
            Inner::Ecdsa(_, k) => k.to_pkcs8v1().map_err(failed)?.as_ref().to_vec(),
            Inner::Ed25519(k) => k.to_pkcs8v1().map_err(failed)?.as_ref().to_vec(),
        })
    }

    /// Encodes the key as PEM the way cert-manager's `EncodePrivateKey` does:
    /// PKCS1 gives `RSA PRIVATE KEY` for RSA, `EC PRIVATE KEY` (SEC1) for ECDSA and
    /// `PRIVATE KEY` for Ed25519; PKCS8 gives `PRIVATE KEY` for all.
    pub fn to_pem(&self, encoding: KeyEncoding) -> Result<String> {
        let pkcs8 = self.to_pkcs8_der()?;
        match (encoding, &self.inner) {
            (KeyEncoding::Pkcs8, _) | (KeyEncoding::Pkcs1, Inner::Ed25519(_)) => {
                Ok(pem::encode("PRIVATE KEY", &pkcs8))
            }
            (KeyEncoding::Pkcs1, Inner::Rsa(_)) => {
                let info = Pkcs8Info::parse(&pkcs8)?;
                Ok(pem::encode("RSA PRIVATE KEY", info.private_key))
            }
            (KeyEncoding::Pkcs1, Inner::Ecdsa(_, k)) => {
                let sec1 = AsDer::<EcPrivateKeyRfc5915Der>::as_der(&k.private_key())
                    .map_err(|_| PkiError::Key("failed to encode EC private key".to_string()))?;
                Ok(pem::encode("EC PRIVATE KEY", sec1.as_ref()))
            }
        }
    }

    /// The signature algorithm cert-manager uses with this key when signing
    /// certificates.
    pub fn default_signature_algorithm(&self) -> Result<SignatureAlgorithm> {
        match &self.inner {
            Inner::Ecdsa(c, _) => Ok(c.natural_signature()),
            _ => SignatureAlgorithm::for_key(self.algorithm(), self.bits()),
        }
    }

    /// Signs `message` with `algorithm`, which must suit the key. ECDSA keys sign only
    /// with their curve's own hash (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512).
    pub fn sign(&self, algorithm: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        let mismatch = || {
            PkiError::Signing(format!(
                "x509: requested SignatureAlgorithm {algorithm} does not match private key type {}",
                self.algorithm()
            ))
        };
        match &self.inner {
            Inner::Rsa(k) => {
                let padding: &'static dyn signature::RsaEncoding = match algorithm {
                    SignatureAlgorithm::Sha256WithRsa => &signature::RSA_PKCS1_SHA256,
                    SignatureAlgorithm::Sha384WithRsa => &signature::RSA_PKCS1_SHA384,
                    SignatureAlgorithm::Sha512WithRsa => &signature::RSA_PKCS1_SHA512,
                    _ => return Err(mismatch()),
                };
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(padding, &SystemRandom::new(), message, &mut sig)
                    .map_err(|_| PkiError::Signing("RSA signing failed".to_string()))?;
                Ok(sig)
            }
            Inner::Ecdsa(curve, k) => {
                if algorithm.key_algorithm() != KeyAlgorithm::Ecdsa {
                    return Err(mismatch());
                }
                if algorithm != curve.natural_signature() {
                    return Err(PkiError::Signing(format!(
                        "signature algorithm {algorithm} is not supported with ECDSA P-{} keys; use {}",
                        curve.bits(),
                        curve.natural_signature()
                    )));
                }
                let sig = k
                    .sign(&SystemRandom::new(), message)
                    .map_err(|_| PkiError::Signing("ECDSA signing failed".to_string()))?;
                Ok(sig.as_ref().to_vec())
            }
            Inner::Ed25519(k) => {
                if algorithm != SignatureAlgorithm::PureEd25519 {
                    return Err(mismatch());
                }
                Ok(k.sign(message).as_ref().to_vec())
            }
        }
    }
}

/// The parts of a PKCS#8 PrivateKeyInfo this module needs.
struct Pkcs8Info<'a> {
    algorithm: Oid,
    curve: Option<Oid>,
    private_key: &'a [u8],
}

impl<'a> Pkcs8Info<'a> {
    fn parse(der_bytes: &'a [u8]) -> Result<Pkcs8Info<'a>> {
        let outer = der::parse_single(der_bytes, tag::SEQUENCE)?;
        let mut r = Reader::new(outer.content);
        r.expect(tag::INTEGER)?;
        let alg = r.expect(tag::SEQUENCE)?;
        let private_key = r.expect(tag::OCTET_STRING)?.content;
        let mut ar = Reader::new(alg.content);
        let algorithm = der::read_oid(&mut ar)?;
        let curve = match ar.optional(tag::OID)? {
            Some(el) => Some(Oid::from_content(el.content)?),
            None => None,
        };
        Ok(Pkcs8Info {
            algorithm,
            curve,
            private_key,
        })
    }
}

/// The named curve of a SEC1 ECPrivateKey (`[0]` parameters).
fn sec1_curve(der_bytes: &[u8]) -> Result<EcCurve> {
    let outer = der::parse_single(der_bytes, tag::SEQUENCE)?;
    let mut r = Reader::new(outer.content);
    r.expect(tag::INTEGER)?;
    r.expect(tag::OCTET_STRING)?;
    let params = r
        .optional(tag::CONTEXT | tag::CONSTRUCTED)?
        .ok_or_else(|| PkiError::Key("x509: EC private key without named curve".to_string()))?;
    let oid = der::read_oid(&mut Reader::new(params.content))?;
    EcCurve::from_oid(&oid).ok_or_else(|| PkiError::Key("x509: unknown elliptic curve".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_small_keys() -> Vec<PrivateKey> {
        vec![
            PrivateKey::generate_rsa(2048).unwrap(),
            PrivateKey::generate_ecdsa(EcCurve::P256).unwrap(),
            PrivateKey::generate_ecdsa(EcCurve::P384).unwrap(),
            PrivateKey::generate_ecdsa(EcCurve::P521).unwrap(),
            PrivateKey::generate_ed25519().unwrap(),
        ]
    }

    #[test]
    fn every_key_type_round_trips_through_every_encoding() {
        for key in all_small_keys() {
            for encoding in [KeyEncoding::Pkcs1, KeyEncoding::Pkcs8] {
                let pem = key.to_pem(encoding).unwrap();
                let label = pem.lines().next().unwrap().to_string();
                let expected = match (encoding, key.algorithm()) {
                    (KeyEncoding::Pkcs1, KeyAlgorithm::Rsa) => "-----BEGIN RSA PRIVATE KEY-----",
                    (KeyEncoding::Pkcs1, KeyAlgorithm::Ecdsa) => "-----BEGIN EC PRIVATE KEY-----",
                    _ => "-----BEGIN PRIVATE KEY-----",
                };
                assert_eq!(label, expected, "{key:?} {encoding:?}");
                let back = PrivateKey::from_pem(pem.as_bytes()).unwrap();
                assert_eq!(back.algorithm(), key.algorithm());
                assert_eq!(back.bits(), key.bits());
                assert_eq!(back.public_key(), key.public_key());
            }
        }
    }

    #[test]
    fn generation_follows_spec_defaults_and_limits() {
        let k = PrivateKey::generate(&PrivateKeySpec::default()).unwrap();
        assert_eq!((k.algorithm(), k.bits()), (KeyAlgorithm::Rsa, 2048));
        let k = PrivateKey::generate(&PrivateKeySpec {
            algorithm: KeyAlgorithm::Ecdsa,
            size: Some(0),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((k.algorithm(), k.bits()), (KeyAlgorithm::Ecdsa, 256));
        let k = PrivateKey::generate(&PrivateKeySpec {
            algorithm: KeyAlgorithm::Ed25519,
            size: Some(4096),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(k.algorithm(), KeyAlgorithm::Ed25519);
        for (alg, size) in [
            (KeyAlgorithm::Rsa, 1024),
            (KeyAlgorithm::Rsa, 16384),
            (KeyAlgorithm::Rsa, 2049),
            (KeyAlgorithm::Ecdsa, 224),
        ] {
            let spec = PrivateKeySpec {
                algorithm: alg,
                size: Some(size),
                ..Default::default()
            };
            assert!(PrivateKey::generate(&spec).is_err(), "{alg} {size}");
        }
    }

    #[test]
    fn rsa_4096_and_3072_generate() {
        for bits in [3072, 4096] {
            let k = PrivateKey::generate_rsa(bits).unwrap();
            assert_eq!(k.bits(), bits);
        }
    }

    #[test]
    fn debug_never_shows_key_material() {
        for key in all_small_keys() {
            let pkcs8 = key.to_pkcs8_der().unwrap();
            let debug = format!("{key:?} {key:#?}");
            assert!(debug.contains("<redacted>"));
            let pem = key.to_pem(KeyEncoding::Pkcs8).unwrap();
            let b64_line = pem.lines().nth(1).unwrap();
            assert!(!debug.contains(b64_line));
            assert!(!debug.contains(&format!("{:?}", &pkcs8[..8])));
        }
    }

    #[test]
    fn garbage_is_rejected_with_cert_manager_messages() {
        let err = PrivateKey::from_pem(b"not pem").unwrap_err();
        assert_eq!(
            err.to_string(),
            "error decoding private key PEM block: no PEM data was found in given input"
        );
        let err =
            PrivateKey::from_pem(pem::encode("DSA PRIVATE KEY", &[1]).as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "unknown private key type: DSA PRIVATE KEY");
        let err =
            PrivateKey::from_pem(pem::encode("PRIVATE KEY", &[0x30, 0]).as_bytes()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("error parsing pkcs#8 private key")
        );
        let big = vec![b'x'; 13_001];
        assert!(
            PrivateKey::from_pem(&big)
                .unwrap_err()
                .to_string()
                .contains("larger than the maximum")
        );
    }

    #[test]
    fn signing_rejects_mismatched_algorithms() {
        let ec = PrivateKey::generate_ecdsa(EcCurve::P256).unwrap();
        assert!(ec.sign(SignatureAlgorithm::Sha256WithRsa, b"x").is_err());
        assert!(ec.sign(SignatureAlgorithm::EcdsaWithSha384, b"x").is_err());
        assert!(ec.sign(SignatureAlgorithm::EcdsaWithSha256, b"x").is_ok());
        let ed = PrivateKey::generate_ed25519().unwrap();
        assert!(ed.sign(SignatureAlgorithm::EcdsaWithSha256, b"x").is_err());
    }
}

#[cfg(test)]
mod rsa_8192_tests {
    use super::*;

    #[test]
    fn rsa_8192_generates_encodes_and_signs() {
        let start = std::time::Instant::now();
        let key = PrivateKey::generate(&PrivateKeySpec {
            algorithm: KeyAlgorithm::Rsa,
            size: Some(8192),
            ..Default::default()
        })
        .unwrap();
        eprintln!("RSA 8192 generation took {:?}", start.elapsed());
        assert_eq!(key.bits(), 8192);
        assert_eq!(
            key.default_signature_algorithm().unwrap(),
            SignatureAlgorithm::Sha512WithRsa
        );
        let pem = key.to_pem(KeyEncoding::Pkcs1).unwrap();
        assert!(pem.len() < pem::MAX_PRIVATE_KEY_PEM_SIZE);
        let back = PrivateKey::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        let sig = key.sign(SignatureAlgorithm::Sha512WithRsa, b"msg").unwrap();
        assert_eq!(sig.len(), 1024);
    }
}
