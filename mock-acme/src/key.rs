//! Public keys as they appear in JWKs (account keys) and in X.509 SubjectPublicKeyInfo
//! (CSR and certificate keys), with signature verification and RFC 7638 thumbprints.

use aws_lc_rs::digest;
use aws_lc_rs::signature::{
    self, RsaPublicKeyComponents, UnparsedPublicKey, VerificationAlgorithm,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use x509_parser::oid_registry;
use x509_parser::public_key::PublicKey as X509PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits.
pub const MAX_RSA_BITS: usize = 8192;

/// An elliptic curve supported for ECDSA keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256.
    P256,
    /// NIST P-384.
    P384,
    /// NIST P-521.
    P521,
}

impl Curve {
    /// The JWK `crv` name.
    pub fn jwk_name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// Length in bytes of one coordinate.
    pub fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

/// Why a key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The JWK is not a JSON object with the members its `kty` requires.
    #[error("invalid JWK: {0}")]
    InvalidJwk(String),
    /// The key type or curve is not supported.
    #[error("unsupported key: {0}")]
    Unsupported(String),
    /// The key is too weak (e.g. a short RSA modulus).
    #[error("weak key: {0}")]
    Weak(String),
}

/// A public key: an account key, a CSR key or a certificate key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA, with big-endian modulus and exponent (no leading zeros).
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// ECDSA on a NIST curve.
    Ec {
        /// The curve.
        curve: Curve,
        /// X coordinate, fixed length.
        x: Vec<u8>,
        /// Y coordinate, fixed length.
        y: Vec<u8>,
    },
    /// Ed25519, the raw 32-byte key.
    Ed25519(Vec<u8>),
}

fn strip_zeros(b: &[u8]) -> Vec<u8> {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(first..).unwrap_or_default().to_vec()
}

fn b64_member(obj: &Map<String, Value>, name: &str) -> Result<Vec<u8>, KeyError> {
    let s = obj
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::InvalidJwk(format!("missing member {name:?}")))?;
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| KeyError::InvalidJwk(format!("member {name:?} is not base64url")))
}

impl PublicKey {
    /// Parses a JWK (RFC 7517) holding an RSA, EC (P-256/384/521) or OKP (Ed25519) key.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let obj = jwk
            .as_object()
            .ok_or_else(|| KeyError::InvalidJwk("not a JSON object".into()))?;
        let kty = obj
            .get("kty")
            .and_then(Value::as_str)
            .ok_or_else(|| KeyError::InvalidJwk("missing member \"kty\"".into()))?;
        match kty {
            "RSA" => {
                let n = strip_zeros(&b64_member(obj, "n")?);
                let e = strip_zeros(&b64_member(obj, "e")?);
                let key = PublicKey::Rsa { n, e };
                key.check_rsa_size()?;
                Ok(key)
            }
            "EC" => {
                let crv = obj
                    .get("crv")
                    .and_then(Value::as_str)
                    .ok_or_else(|| KeyError::InvalidJwk("missing member \"crv\"".into()))?;
                let curve = match crv {
                    "P-256" => Curve::P256,
                    "P-384" => Curve::P384,
                    "P-521" => Curve::P521,
                    other => return Err(KeyError::Unsupported(format!("EC curve {other:?}"))),
                };
                let x = b64_member(obj, "x")?;
                let y = b64_member(obj, "y")?;
                if x.len() != curve.coordinate_len() || y.len() != curve.coordinate_len() {
                    return Err(KeyError::InvalidJwk(
                        "EC coordinates have the wrong length".into(),
                    ));
                }
                Ok(PublicKey::Ec { curve, x, y })
            }
            "OKP" => {
                let crv = obj.get("crv").and_then(Value::as_str).unwrap_or_default();
                if crv != "Ed25519" {
                    return Err(KeyError::Unsupported(format!("OKP curve {crv:?}")));
                }
                let x = b64_member(obj, "x")?;
                if x.len() != 32 {
                    return Err(KeyError::InvalidJwk("Ed25519 key must be 32 bytes".into()));
                }
                Ok(PublicKey::Ed25519(x))
            }
            other => Err(KeyError::Unsupported(format!("key type {other:?}"))),
        }
    }

    fn check_rsa_size(&self) -> Result<(), KeyError> {
        if let PublicKey::Rsa { n, e } = self {
            let bits =
                (n.len() * 8).saturating_sub(n.first().map_or(8, |b| b.leading_zeros() as usize));
            if bits < MIN_RSA_BITS {
                return Err(KeyError::Weak(format!(
                    "RSA key of {bits} bits is too small"
                )));
            }
            if bits > MAX_RSA_BITS {
                return Err(KeyError::Unsupported(format!(
                    "RSA key of {bits} bits is too large"
                )));
            }
            if e.is_empty() {
                return Err(KeyError::InvalidJwk("RSA exponent is empty".into()));
            }
        }
        Ok(())
    }

    /// Parses an X.509 SubjectPublicKeyInfo (from a CSR or a certificate).
    pub fn from_spki(spki: &SubjectPublicKeyInfo<'_>) -> Result<Self, KeyError> {
        let alg = &spki.algorithm.algorithm;
        if *alg == oid_registry::OID_SIG_ED25519 {
            let raw = spki.subject_public_key.data.to_vec();
            if raw.len() != 32 {
                return Err(KeyError::InvalidJwk("Ed25519 key must be 32 bytes".into()));
            }
            return Ok(PublicKey::Ed25519(raw));
        }
        match spki.parsed() {
            Ok(X509PublicKey::RSA(rsa)) => {
                let key = PublicKey::Rsa {
                    n: strip_zeros(rsa.modulus),
                    e: strip_zeros(rsa.exponent),
                };
                key.check_rsa_size()?;
                Ok(key)
            }
            Ok(X509PublicKey::EC(point)) => {
                let curve_oid = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .ok_or_else(|| KeyError::Unsupported("EC key without a named curve".into()))?;
                let curve = if curve_oid == oid_registry::OID_EC_P256 {
                    Curve::P256
                } else if curve_oid == oid_registry::OID_NIST_EC_P384 {
                    Curve::P384
                } else if curve_oid == oid_registry::OID_NIST_EC_P521 {
                    Curve::P521
                } else {
                    return Err(KeyError::Unsupported(format!("EC curve {curve_oid}")));
                };
                let data = point.data();
                let len = curve.coordinate_len();
                if data.len() != 1 + 2 * len || data.first() != Some(&4) {
                    return Err(KeyError::Unsupported("EC point is not uncompressed".into()));
                }
                Ok(PublicKey::Ec {
                    curve,
                    x: data.get(1..1 + len).unwrap_or_default().to_vec(),
                    y: data.get(1 + len..).unwrap_or_default().to_vec(),
                })
            }
            Ok(_) => Err(KeyError::Unsupported(format!("public key algorithm {alg}"))),
            Err(e) => Err(KeyError::InvalidJwk(format!("unparsable public key: {e}"))),
        }
    }

    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        use x509_parser::prelude::FromDer;
        let (_, spki) = SubjectPublicKeyInfo::from_der(der)
            .map_err(|e| KeyError::InvalidJwk(format!("bad SubjectPublicKeyInfo: {e}")))?;
        Self::from_spki(&spki)
    }

    /// The key as a JWK with only its required members.
    pub fn to_jwk(&self) -> Value {
        match self {
            PublicKey::Rsa { n, e } => json!({
                "e": URL_SAFE_NO_PAD.encode(e),
                "kty": "RSA",
                "n": URL_SAFE_NO_PAD.encode(n),
            }),
            PublicKey::Ec { curve, x, y } => json!({
                "crv": curve.jwk_name(),
                "kty": "EC",
                "x": URL_SAFE_NO_PAD.encode(x),
                "y": URL_SAFE_NO_PAD.encode(y),
            }),
            PublicKey::Ed25519(x) => json!({
                "crv": "Ed25519",
                "kty": "OKP",
                "x": URL_SAFE_NO_PAD.encode(x),
            }),
        }
    }

    /// The RFC 7638 JWK thumbprint (SHA-256), base64url.
    pub fn thumbprint(&self) -> String {
        // Required members in lexicographic order, no whitespace.
        let canonical = match self {
            PublicKey::Rsa { n, e } => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                URL_SAFE_NO_PAD.encode(e),
                URL_SAFE_NO_PAD.encode(n)
            ),
            PublicKey::Ec { curve, x, y } => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                curve.jwk_name(),
                URL_SAFE_NO_PAD.encode(x),
                URL_SAFE_NO_PAD.encode(y)
            ),
            PublicKey::Ed25519(x) => format!(
                r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
                URL_SAFE_NO_PAD.encode(x)
            ),
        };
        URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
    }

    /// Whether this key can verify a JWS with algorithm `alg`.
    pub fn matches_jws_alg(&self, alg: &str) -> bool {
        matches!(
            (self, alg),
            (PublicKey::Rsa { .. }, "RS256")
                | (
                    PublicKey::Ec {
                        curve: Curve::P256,
                        ..
                    },
                    "ES256"
                )
                | (
                    PublicKey::Ec {
                        curve: Curve::P384,
                        ..
                    },
                    "ES384"
                )
                | (
                    PublicKey::Ec {
                        curve: Curve::P521,
                        ..
                    },
                    "ES512"
                )
                | (PublicKey::Ed25519(_), "EdDSA")
        )
    }

    /// Verifies a JWS signature (`alg` must match the key, see [`matches_jws_alg`]).
    ///
    /// [`matches_jws_alg`]: PublicKey::matches_jws_alg
    pub fn verify_jws(&self, alg: &str, message: &[u8], sig: &[u8]) -> bool {
        if !self.matches_jws_alg(alg) {
            return false;
        }
        match self {
            PublicKey::Rsa { n, e } => RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
                .is_ok(),
            PublicKey::Ec { curve, .. } => {
                let alg: &dyn VerificationAlgorithm = match curve {
                    Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
                    Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
                    Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
                };
                self.verify_with(alg, message, sig)
            }
            PublicKey::Ed25519(_) => self.verify_with(&signature::ED25519, message, sig),
        }
    }

    /// The raw key bytes as aws-lc-rs `UnparsedPublicKey` expects them (EC point or
    /// Ed25519 bytes; not meaningful for RSA).
    fn raw(&self) -> Vec<u8> {
        match self {
            PublicKey::Rsa { .. } => Vec::new(),
            PublicKey::Ec { x, y, .. } => {
                let mut v = Vec::with_capacity(1 + x.len() + y.len());
                v.push(4);
                v.extend_from_slice(x);
                v.extend_from_slice(y);
                v
            }
            PublicKey::Ed25519(x) => x.clone(),
        }
    }

    /// Verifies with an explicit aws-lc-rs algorithm (EC and Ed25519 keys).
    pub(crate) fn verify_with(
        &self,
        alg: &'static dyn VerificationAlgorithm,
        message: &[u8],
        sig: &[u8],
    ) -> bool {
        UnparsedPublicKey::new(alg, self.raw())
            .verify(message, sig)
            .is_ok()
    }

    /// Verifies an RSA PKCS#1 v1.5 signature with the given parameters.
    pub(crate) fn verify_rsa(
        &self,
        params: &'static signature::RsaParameters,
        message: &[u8],
        sig: &[u8],
    ) -> bool {
        match self {
            PublicKey::Rsa { n, e } => RsaPublicKeyComponents { n, e }
                .verify(params, message, sig)
                .is_ok(),
            _ => false,
        }
    }

    /// The curve, for EC keys.
    pub fn curve(&self) -> Option<Curve> {
        match self {
            PublicKey::Ec { curve, .. } => Some(*curve),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_thumbprint_example() {
        // The RSA example key from RFC 7638 section 3.1.
        let jwk = json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        let key = PublicKey::from_jwk(&jwk).unwrap();
        assert_eq!(
            key.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn garbage_jwks_are_errors() {
        for v in [
            json!(null),
            json!("x"),
            json!({}),
            json!({"kty":"EC","crv":"P-256","x":"AA","y":"AA"}),
            json!({"kty":"RSA","n":"AQAB","e":"AQAB"}),
            json!({"kty":"RSA","n":"","e":""}),
            json!({"kty":"RSA","n":"AAAA","e":"AQAB"}),
            json!({"kty":"OKP","crv":"X25519","x":"AA"}),
            json!({"kty":"oct","k":"AA"}),
            json!({"kty":"EC","crv":"P-256","x":"!!","y":"AA"}),
        ] {
            assert!(PublicKey::from_jwk(&v).is_err(), "{v}");
        }
    }
}
