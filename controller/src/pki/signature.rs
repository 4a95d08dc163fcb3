//! Signature algorithms: the values of a Certificate's `spec.signatureAlgorithm` and
//! the choice cert-manager makes from a key when none is requested.

use std::fmt;
use std::str::FromStr;

use super::der::{self, Oid};
use super::error::{PkiError, Result};
use super::key::{EcCurve, KeyAlgorithm};
use super::oids;
use super::public_key::oid_der;

/// A signature algorithm cert-manager can request (`spec.signatureAlgorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// `SHA256WithRSA`
    Sha256WithRsa,
    /// `SHA384WithRSA`
    Sha384WithRsa,
    /// `SHA512WithRSA`
    Sha512WithRsa,
    /// `ECDSAWithSHA256`
    EcdsaWithSha256,
    /// `ECDSAWithSHA384`
    EcdsaWithSha384,
    /// `ECDSAWithSHA512`
    EcdsaWithSha512,
    /// `PureEd25519`
    PureEd25519,
}

impl SignatureAlgorithm {
    /// Every value, in the order of cert-manager's enum.
    pub const ALL: [SignatureAlgorithm; 7] = [
        SignatureAlgorithm::Sha256WithRsa,
        SignatureAlgorithm::Sha384WithRsa,
        SignatureAlgorithm::Sha512WithRsa,
        SignatureAlgorithm::EcdsaWithSha256,
        SignatureAlgorithm::EcdsaWithSha384,
        SignatureAlgorithm::EcdsaWithSha512,
        SignatureAlgorithm::PureEd25519,
    ];

    /// The API spelling, e.g. `SHA256WithRSA`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureAlgorithm::Sha256WithRsa => "SHA256WithRSA",
            SignatureAlgorithm::Sha384WithRsa => "SHA384WithRSA",
            SignatureAlgorithm::Sha512WithRsa => "SHA512WithRSA",
            SignatureAlgorithm::EcdsaWithSha256 => "ECDSAWithSHA256",
            SignatureAlgorithm::EcdsaWithSha384 => "ECDSAWithSHA384",
            SignatureAlgorithm::EcdsaWithSha512 => "ECDSAWithSHA512",
            SignatureAlgorithm::PureEd25519 => "PureEd25519",
        }
    }

    /// The key algorithm this signature algorithm works with.
    pub fn key_algorithm(self) -> KeyAlgorithm {
        match self {
            SignatureAlgorithm::Sha256WithRsa
            | SignatureAlgorithm::Sha384WithRsa
            | SignatureAlgorithm::Sha512WithRsa => KeyAlgorithm::Rsa,
            SignatureAlgorithm::EcdsaWithSha256
            | SignatureAlgorithm::EcdsaWithSha384
            | SignatureAlgorithm::EcdsaWithSha512 => KeyAlgorithm::Ecdsa,
            SignatureAlgorithm::PureEd25519 => KeyAlgorithm::Ed25519,
        }
    }

    pub(crate) fn oid_arcs(self) -> &'static [u64] {
        match self {
            SignatureAlgorithm::Sha256WithRsa => oids::SHA256_WITH_RSA,
            SignatureAlgorithm::Sha384WithRsa => oids::SHA384_WITH_RSA,
            SignatureAlgorithm::Sha512WithRsa => oids::SHA512_WITH_RSA,
            SignatureAlgorithm::EcdsaWithSha256 => oids::ECDSA_WITH_SHA256,
            SignatureAlgorithm::EcdsaWithSha384 => oids::ECDSA_WITH_SHA384,
            SignatureAlgorithm::EcdsaWithSha512 => oids::ECDSA_WITH_SHA512,
            SignatureAlgorithm::PureEd25519 => oids::ED25519,
        }
    }

    /// The OID of this algorithm.
    pub fn oid(self) -> Oid {
        Oid::from_arcs(self.oid_arcs())
    }

    /// The DER AlgorithmIdentifier: RSA algorithms carry NULL parameters, ECDSA and
    /// Ed25519 carry none (RFC 4055, RFC 5758, RFC 8410).
    pub(crate) fn algorithm_identifier(self) -> Vec<u8> {
        match self.key_algorithm() {
            KeyAlgorithm::Rsa => der::sequence(&[&oid_der(self.oid_arcs()), &der::null()]),
            _ => der::sequence(&[&oid_der(self.oid_arcs())]),
        }
    }

    /// The algorithm cert-manager signs with for a signing key of the given algorithm
    /// and size (`signatureAlgorithmFromPublicKey`): RSA ≥ 4096 bits → SHA-512,
    /// ≥ 3072 → SHA-384, ≥ 2048 → SHA-256; ECDSA by curve; Ed25519 pure.
    pub fn for_key(algorithm: KeyAlgorithm, bits: u32) -> Result<SignatureAlgorithm> {
        Ok(match algorithm {
            KeyAlgorithm::Rsa => match bits {
                b if b >= 4096 => SignatureAlgorithm::Sha512WithRsa,
                b if b >= 3072 => SignatureAlgorithm::Sha384WithRsa,
                b if b >= 2048 => SignatureAlgorithm::Sha256WithRsa,
                b => {
                    return Err(PkiError::Signing(format!(
                        "invalid size {b} for RSA key on signing certificate"
                    )));
                }
            },
            KeyAlgorithm::Ecdsa => match EcCurve::from_bits(bits) {
                Some(EcCurve::P256) => SignatureAlgorithm::EcdsaWithSha256,
                Some(EcCurve::P384) => SignatureAlgorithm::EcdsaWithSha384,
                Some(EcCurve::P521) => SignatureAlgorithm::EcdsaWithSha512,
                None => {
                    return Err(PkiError::Signing(
                        "unknown / unsupported curve attached to ECDSA signing certificate"
                            .to_string(),
                    ));
                }
            },
            KeyAlgorithm::Ed25519 => SignatureAlgorithm::PureEd25519,
        })
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignatureAlgorithm {
    type Err = PkiError;

    fn from_str(s: &str) -> Result<SignatureAlgorithm> {
        SignatureAlgorithm::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| PkiError::Template(format!("unsupported signature algorithm: {s}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in SignatureAlgorithm::ALL {
            assert_eq!(a.as_str().parse::<SignatureAlgorithm>().unwrap(), a);
        }
        assert!("MD5WithRSA".parse::<SignatureAlgorithm>().is_err());
    }

    #[test]
    fn defaults_follow_key_size() {
        use KeyAlgorithm::*;
        use SignatureAlgorithm::*;
        let table = [
            (Rsa, 2048, Sha256WithRsa),
            (Rsa, 3072, Sha384WithRsa),
            (Rsa, 4096, Sha512WithRsa),
            (Rsa, 8192, Sha512WithRsa),
            (Ecdsa, 256, EcdsaWithSha256),
            (Ecdsa, 384, EcdsaWithSha384),
            (Ecdsa, 521, EcdsaWithSha512),
            (Ed25519, 256, PureEd25519),
        ];
        for (alg, bits, want) in table {
            assert_eq!(SignatureAlgorithm::for_key(alg, bits).unwrap(), want);
        }
        assert!(SignatureAlgorithm::for_key(Rsa, 1024).is_err());
        assert!(SignatureAlgorithm::for_key(Ecdsa, 224).is_err());
    }
}
