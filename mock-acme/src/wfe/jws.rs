//! Parsing of flattened JSON JWS request bodies (RFC 8555 section 6.2, RFC 7515 7.2.2).
//!
//! [`parse_jws`] is the public, panic-free entry point that the fuzz target and the
//! garbage tests exercise. Signature verification happens once the key is known
//! ([`Jws::verify`]).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::key::{KeyError, PublicKey};
use crate::wfe::problem::{Problem, ProblemType};

/// JWS algorithms accepted for account keys.
pub const SUPPORTED_ALGS: &[&str] = &["RS256", "ES256", "ES384", "ES512", "EdDSA"];

/// The protected header members ACME uses.
#[derive(Debug, Clone, PartialEq)]
pub struct JwsHeader {
    /// `alg`.
    pub alg: String,
    /// `jwk`, the embedded key (newAccount, revocation by certificate key, key change).
    pub jwk: Option<Value>,
    /// `kid`, the account URL.
    pub kid: Option<String>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `url`.
    pub url: Option<String>,
}

/// A parsed, not yet verified, flattened JWS.
#[derive(Debug, Clone, PartialEq)]
pub struct Jws {
    /// The decoded protected header.
    pub header: JwsHeader,
    /// The decoded payload (empty for POST-as-GET).
    pub payload: Vec<u8>,
    /// The raw `protected` member.
    pub protected_b64: String,
    /// The raw `payload` member.
    pub payload_b64: String,
    signature: Vec<u8>,
}

fn b64(field: &str, s: &str) -> Result<Vec<u8>, Problem> {
    URL_SAFE_NO_PAD.decode(s).map_err(|_| {
        Problem::malformed(format!("Parse error reading JWS: {field} is not base64url"))
    })
}

/// Parses a flattened JSON JWS. Never panics; every error is an ACME problem.
pub fn parse_jws(body: &[u8]) -> Result<Jws, Problem> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Problem::malformed(format!("Parse error reading JWS: {e}")))?;
    let obj = value
        .as_object()
        .ok_or_else(|| Problem::malformed("Parse error reading JWS: not a JSON object"))?;
    if obj.contains_key("signatures") {
        return Err(Problem::malformed(
            "JWS must use the flattened JSON serialization, not the general one",
        ));
    }
    if obj.contains_key("header") {
        return Err(Problem::malformed(
            "JWS must not have an unprotected header",
        ));
    }
    let member = |name: &str| -> Result<&str, Problem> {
        match obj.get(name) {
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(_) => Err(Problem::malformed(format!(
                "Parse error reading JWS: {name} is not a string"
            ))),
            None => Err(Problem::malformed(format!(
                "Parse error reading JWS: missing {name}"
            ))),
        }
    };
    let protected_b64 = member("protected")?.to_owned();
    let payload_b64 = member("payload")?.to_owned();
    let signature_b64 = member("signature")?;
    if protected_b64.is_empty() {
        return Err(Problem::malformed(
            "POST JWS not signed: empty protected header",
        ));
    }
    let protected = b64("protected", &protected_b64)?;
    let payload = b64("payload", &payload_b64)?;
    let signature = b64("signature", signature_b64)?;
    let header: Value = serde_json::from_slice(&protected).map_err(|e| {
        Problem::malformed(format!("Parse error reading JWS protected header: {e}"))
    })?;
    let header = header
        .as_object()
        .ok_or_else(|| Problem::malformed("JWS protected header is not a JSON object"))?;
    let opt_str = |name: &str| -> Result<Option<String>, Problem> {
        match header.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Problem::malformed(format!(
                "JWS header parameter '{name}' is not a string"
            ))),
        }
    };
    let alg = opt_str("alg")?
        .ok_or_else(|| Problem::new(ProblemType::BadSignatureAlgorithm, "JWS has no 'alg'"))?;
    if !SUPPORTED_ALGS.contains(&alg.as_str()) {
        return Err(Problem::new(
            ProblemType::BadSignatureAlgorithm,
            format!(
                "JWS signature algorithm {alg:?} is not supported; use one of {SUPPORTED_ALGS:?}"
            ),
        ));
    }
    if signature.is_empty() {
        return Err(Problem::malformed("POST JWS not signed"));
    }
    if header.contains_key("b64") {
        return Err(Problem::malformed(
            "JWS 'b64' header parameter is not allowed",
        ));
    }
    let jwk = header.get("jwk").cloned();
    let kid = opt_str("kid")?;
    if jwk.is_some() && kid.is_some() {
        return Err(Problem::malformed(
            "jwk and kid header fields are mutually exclusive",
        ));
    }
    Ok(Jws {
        header: JwsHeader {
            alg,
            jwk,
            kid,
            nonce: opt_str("nonce")?,
            url: opt_str("url")?,
        },
        payload,
        protected_b64,
        payload_b64,
        signature,
    })
}

impl Jws {
    /// The embedded `jwk` as a key, or a problem if it is absent or unusable.
    pub fn embedded_key(&self) -> Result<PublicKey, Problem> {
        let jwk = self
            .header
            .jwk
            .as_ref()
            .ok_or_else(|| Problem::malformed("No JWK in JWS header"))?;
        key_from_jwk(jwk)
    }

    /// Whether the payload is empty (POST-as-GET).
    pub fn is_post_as_get(&self) -> bool {
        self.payload_b64.is_empty()
    }

    /// Verifies the signature with `key`.
    pub fn verify(&self, key: &PublicKey) -> Result<(), Problem> {
        if !key.matches_jws_alg(&self.header.alg) {
            return Err(Problem::new(
                ProblemType::BadSignatureAlgorithm,
                format!(
                    "JWS algorithm {:?} does not match the key type",
                    self.header.alg
                ),
            ));
        }
        let mut input = Vec::with_capacity(self.protected_b64.len() + 1 + self.payload_b64.len());
        input.extend_from_slice(self.protected_b64.as_bytes());
        input.push(b'.');
        input.extend_from_slice(self.payload_b64.as_bytes());
        if key.verify_jws(&self.header.alg, &input, &self.signature) {
            Ok(())
        } else {
            Err(Problem::malformed("JWS verification error: bad signature"))
        }
    }

    /// The payload parsed as JSON (an empty payload is an error).
    pub fn json_payload(&self) -> Result<Value, Problem> {
        serde_json::from_slice(&self.payload)
            .map_err(|e| Problem::malformed(format!("Error unmarshaling body JSON: {e}")))
    }
}

/// Turns a JWK into a key, mapping failures to ACME problems.
pub fn key_from_jwk(jwk: &Value) -> Result<PublicKey, Problem> {
    PublicKey::from_jwk(jwk).map_err(|e| match e {
        KeyError::Weak(d) | KeyError::Unsupported(d) => Problem::new(ProblemType::BadPublicKey, d),
        KeyError::InvalidJwk(d) => Problem::malformed(format!("Invalid JWK in JWS header: {d}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics() {
        let inputs: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"null".to_vec(),
            b"[]".to_vec(),
            b"{}".to_vec(),
            b"{\"protected\":1,\"payload\":\"\",\"signature\":\"\"}".to_vec(),
            b"{\"protected\":\"!!\",\"payload\":\"\",\"signature\":\"AA\"}".to_vec(),
            b"{\"protected\":\"e30\",\"payload\":\"\",\"signature\":\"AA\"}".to_vec(),
            b"{\"protected\":\"bnVsbA\",\"payload\":\"\",\"signature\":\"AA\"}".to_vec(),
            vec![0xff; 64],
            "{\"protected\":\"\u{00e9}\",\"payload\":\"\",\"signature\":\"AA\"}"
                .as_bytes()
                .to_vec(),
        ];
        for input in inputs {
            assert!(parse_jws(&input).is_err());
        }
        let mut seed: u64 = 0x1234_5678;
        for len in 0..300usize {
            let mut buf = Vec::with_capacity(len);
            for _ in 0..len {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                buf.push((seed >> 33) as u8);
            }
            let _ = parse_jws(&buf);
        }
    }

    #[test]
    fn alg_none_is_bad_signature_algorithm() {
        let prot = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","nonce":"x","url":"u"}"#);
        let body = format!(r#"{{"protected":"{prot}","payload":"","signature":"AA"}}"#);
        let err = parse_jws(body.as_bytes()).unwrap_err();
        assert_eq!(err.kind, ProblemType::BadSignatureAlgorithm);
    }
}
