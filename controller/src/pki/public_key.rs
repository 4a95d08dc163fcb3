//! Public keys: parsing SubjectPublicKeyInfo, semantic equality (cert-manager's
//! `PublicKeysEqual`) and signature verification.

use std::fmt;

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};

use super::der::{self, Oid, Reader, tag};
use super::error::{PkiError, Result};
use super::key::{EcCurve, KeyAlgorithm};
use super::oids;

/// A public key of one of the algorithms cert-manager supports (RSA, ECDSA on
/// P-256/P-384/P-521, Ed25519).
///
/// Equality is semantic, as Go's `PublicKey.Equal`: two RSA keys are equal when their
/// modulus and exponent are, whatever the DER details of the SubjectPublicKeyInfo.
#[derive(Clone)]
pub struct PublicKey {
    material: Material,
}

#[derive(Clone, PartialEq, Eq)]
enum Material {
    /// Big-endian modulus and exponent without leading zero bytes.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// Uncompressed SEC1 point.
    Ecdsa {
        curve: EcCurve,
        point: Vec<u8>,
    },
    Ed25519(Vec<u8>),
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.material == other.material
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm())
            .field("bits", &self.bits())
            .finish()
    }
}

fn strip_leading_zeros(b: &[u8]) -> Vec<u8> {
    let skip = b.iter().take_while(|x| **x == 0).count();
    b[skip..].to_vec()
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(spki: &[u8]) -> Result<PublicKey> {
        let outer = der::parse_single(spki, tag::SEQUENCE)
            .map_err(|e| PkiError::Key(format!("x509: failed to parse public key: {e}")))?;
        let mut r = Reader::new(outer.content);
        let alg = r.expect(tag::SEQUENCE)?;
        let bits = r.expect(tag::BIT_STRING)?;
        r.finish()?;
        let mut ar = Reader::new(alg.content);
        let alg_oid = der::read_oid(&mut ar)?;
        let params = if ar.is_empty() {
            None
        } else {
            Some(ar.read()?)
        };
        ar.finish()?;
        let (unused, key_bytes) = bits
            .content
            .split_first()
            .ok_or_else(|| PkiError::Key("x509: empty public key bit string".to_string()))?;
        if *unused != 0 {
            return Err(PkiError::Key(
                "x509: public key bit string has unused bits".to_string(),
            ));
        }
        let material = match alg_oid.arcs() {
            a if a == oids::RSA_ENCRYPTION => {
                if let Some(p) = params
                    && p.tag != tag::NULL
                {
                    return Err(PkiError::Key(
                        "x509: RSA key missing NULL parameters".to_string(),
                    ));
                }
                let seq = der::parse_single(key_bytes, tag::SEQUENCE)
                    .map_err(|e| PkiError::Key(format!("x509: invalid RSA public key: {e}")))?;
                let mut kr = Reader::new(seq.content);
                let n = kr.expect(tag::INTEGER)?;
                let e = kr.expect(tag::INTEGER)?;
                kr.finish()?;
                if n.content.first().is_some_and(|b| b & 0x80 != 0)
                    || e.content.first().is_some_and(|b| b & 0x80 != 0)
                {
                    return Err(PkiError::Key(
                        "x509: RSA modulus or exponent is negative".to_string(),
                    ));
                }
                Material::Rsa {
                    n: strip_leading_zeros(n.content),
                    e: strip_leading_zeros(e.content),
                }
            }
            a if a == oids::EC_PUBLIC_KEY => {
                let p = params.ok_or_else(|| {
                    PkiError::Key("x509: ECDSA key missing curve parameters".to_string())
                })?;
                if p.tag != tag::OID {
                    return Err(PkiError::Key("x509: unknown elliptic curve".to_string()));
                }
                let curve = EcCurve::from_oid(&Oid::from_content(p.content)?)
                    .ok_or_else(|| PkiError::Key("x509: unknown elliptic curve".to_string()))?;
                if key_bytes.len() != 1 + 2 * curve.field_bytes() || key_bytes[0] != 4 {
                    return Err(PkiError::Key(
                        "x509: failed to unmarshal elliptic curve point".to_string(),
                    ));
                }
                Material::Ecdsa {
                    curve,
                    point: key_bytes.to_vec(),
                }
            }
            a if a == oids::ED25519 => {
                if params.is_some() {
                    return Err(PkiError::Key(
                        "x509: Ed25519 key encoded with illegal parameters".to_string(),
                    ));
                }
                if key_bytes.len() != 32 {
                    return Err(PkiError::Key(
                        "x509: wrong Ed25519 public key size".to_string(),
                    ));
                }
                Material::Ed25519(key_bytes.to_vec())
            }
            _ => {
                return Err(PkiError::Key(format!(
                    "x509: unsupported public key algorithm {alg_oid}"
                )));
            }
        };
        Ok(PublicKey { material })
    }

    /// The key algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.material {
            Material::Rsa { .. } => KeyAlgorithm::Rsa,
            Material::Ecdsa { .. } => KeyAlgorithm::Ecdsa,
            Material::Ed25519(_) => KeyAlgorithm::Ed25519,
        }
    }

    /// The key size in bits: RSA modulus length, the curve size for ECDSA, 256 for
    /// Ed25519.
    pub fn bits(&self) -> u32 {
        match &self.material {
            Material::Rsa { n, .. } => rsa_bit_len(n),
            Material::Ecdsa { curve, .. } => curve.bits(),
            Material::Ed25519(_) => 256,
        }
    }

    /// The curve of an ECDSA key.
    pub fn curve(&self) -> Option<EcCurve> {
        match &self.material {
            Material::Ecdsa { curve, .. } => Some(*curve),
            _ => None,
        }
    }

    /// The content of the subjectPublicKey BIT STRING (PKCS#1 RSAPublicKey, SEC1
    /// point or raw Ed25519 key): what key identifiers hash and what aws-lc verifies.
    pub fn subject_public_key(&self) -> Vec<u8> {
        match &self.material {
            Material::Rsa { n, e } => {
                der::sequence(&[&der::unsigned_integer(n), &der::unsigned_integer(e)])
            }
            Material::Ecdsa { point, .. } => point.clone(),
            Material::Ed25519(k) => k.clone(),
        }
    }

    /// The canonical DER SubjectPublicKeyInfo, encoded as Go's `MarshalPKIXPublicKey`.
    pub fn to_spki_der(&self) -> Vec<u8> {
        let alg = match &self.material {
            Material::Rsa { .. } => der::sequence(&[&oid_der(oids::RSA_ENCRYPTION), &der::null()]),
            Material::Ecdsa { curve, .. } => {
                der::sequence(&[&oid_der(oids::EC_PUBLIC_KEY), &oid_der(curve.oid_arcs())])
            }
            Material::Ed25519(_) => der::sequence(&[&oid_der(oids::ED25519)]),
        };
        der::sequence(&[&alg, &der::bit_string(&self.subject_public_key(), 0)])
    }

    /// Verifies `signature` over `message` with the signature algorithm named by
    /// `algorithm_oid` (SHA-1, SHA-256, SHA-384 and SHA-512 with RSA PKCS#1 v1.5 or
    /// ECDSA; Ed25519).
    pub(crate) fn verify(&self, algorithm_oid: &Oid, message: &[u8], sig: &[u8]) -> Result<()> {
        let alg = self.verification_algorithm(algorithm_oid)?;
        UnparsedPublicKey::new(alg, self.subject_public_key())
            .verify(message, sig)
            .map_err(|_| {
                PkiError::Signature(
                    match self.algorithm() {
                        KeyAlgorithm::Rsa => "crypto/rsa: verification error",
                        KeyAlgorithm::Ecdsa => "x509: ECDSA verification failure",
                        KeyAlgorithm::Ed25519 => "x509: Ed25519 verification failure",
                    }
                    .to_string(),
                )
            })
    }

    fn verification_algorithm(&self, oid: &Oid) -> Result<&'static dyn VerificationAlgorithm> {
        let a = oid.arcs();
        let mismatch = || {
            PkiError::Signature(format!(
                "x509: signature algorithm {oid} does not match a {} public key",
                self.algorithm()
            ))
        };
        Ok(match &self.material {
            Material::Rsa { .. } => {
                if a == oids::SHA256_WITH_RSA {
                    &signature::RSA_PKCS1_2048_8192_SHA256
                } else if a == oids::SHA384_WITH_RSA {
                    &signature::RSA_PKCS1_2048_8192_SHA384
                } else if a == oids::SHA512_WITH_RSA {
                    &signature::RSA_PKCS1_2048_8192_SHA512
                } else if a == oids::SHA1_WITH_RSA {
                    &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
                } else {
                    return Err(mismatch());
                }
            }
            Material::Ecdsa { curve, .. } => {
                use EcCurve::*;
                match (curve, a) {
                    (P256, a) if a == oids::ECDSA_WITH_SHA256 => &signature::ECDSA_P256_SHA256_ASN1,
                    (P256, a) if a == oids::ECDSA_WITH_SHA384 => &signature::ECDSA_P256_SHA384_ASN1,
                    (P256, a) if a == oids::ECDSA_WITH_SHA512 => &signature::ECDSA_P256_SHA512_ASN1,
                    (P256, a) if a == oids::ECDSA_WITH_SHA1 => &signature::ECDSA_P256_SHA1_ASN1,
                    (P384, a) if a == oids::ECDSA_WITH_SHA256 => &signature::ECDSA_P384_SHA256_ASN1,
                    (P384, a) if a == oids::ECDSA_WITH_SHA384 => &signature::ECDSA_P384_SHA384_ASN1,
                    (P384, a) if a == oids::ECDSA_WITH_SHA512 => &signature::ECDSA_P384_SHA512_ASN1,
                    (P521, a) if a == oids::ECDSA_WITH_SHA256 => &signature::ECDSA_P521_SHA256_ASN1,
                    (P521, a) if a == oids::ECDSA_WITH_SHA384 => &signature::ECDSA_P521_SHA384_ASN1,
                    (P521, a) if a == oids::ECDSA_WITH_SHA512 => &signature::ECDSA_P521_SHA512_ASN1,
                    (P521, a) if a == oids::ECDSA_WITH_SHA1 => &signature::ECDSA_P521_SHA1_ASN1,
                    _ => return Err(mismatch()),
                }
            }
            Material::Ed25519(_) => {
                if a == oids::ED25519 {
                    &signature::ED25519
                } else {
                    return Err(mismatch());
                }
            }
        })
    }
}

/// Bit length of a big-endian magnitude without leading zeros.
pub(crate) fn rsa_bit_len(n: &[u8]) -> u32 {
    match n.first() {
        None => 0,
        Some(first) => {
            let bytes = u32::try_from(n.len()).unwrap_or(u32::MAX / 8);
            bytes
                .saturating_mul(8)
                .saturating_sub(first.leading_zeros())
        }
    }
}

pub(crate) fn oid_der(arcs: &[u64]) -> Vec<u8> {
    // Constant OIDs of this crate are always encodable.
    Oid::from_arcs(arcs).to_der().unwrap_or_default()
}
