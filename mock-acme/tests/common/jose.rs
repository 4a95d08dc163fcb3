//! A raw ACME client for malformed-request tests: signs arbitrary JWS with ES256,
//! EdDSA or RS256 keys.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{Https, Resp};

pub fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

pub enum TestKey {
    Es256(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rs256(aws_lc_rs::rsa::KeyPair),
}

impl TestKey {
    pub fn es256() -> TestKey {
        TestKey::Es256(EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap())
    }
    /// PKCS#8 DER of the private key (ES256 and EdDSA keys).
    pub fn pkcs8(&self) -> Vec<u8> {
        match self {
            TestKey::Es256(k) => k.to_pkcs8v1().unwrap().as_ref().to_vec(),
            TestKey::Ed25519(k) => k.to_pkcs8().unwrap().as_ref().to_vec(),
            TestKey::Rs256(_) => panic!("not needed"),
        }
    }
    pub fn ed25519() -> TestKey {
        TestKey::Ed25519(Ed25519KeyPair::generate().unwrap())
    }
    pub fn rs256() -> TestKey {
        TestKey::Rs256(aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap())
    }
    pub fn alg(&self) -> &'static str {
        match self {
            TestKey::Es256(_) => "ES256",
            TestKey::Ed25519(_) => "EdDSA",
            TestKey::Rs256(_) => "RS256",
        }
    }
    pub fn jwk(&self) -> Value {
        match self {
            TestKey::Es256(k) => {
                let p = k.public_key().as_ref();
                json!({"kty": "EC", "crv": "P-256", "x": b64(&p[1..33]), "y": b64(&p[33..65])})
            }
            TestKey::Ed25519(k) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(k.public_key().as_ref())})
            }
            TestKey::Rs256(k) => {
                use aws_lc_rs::rsa::PublicKeyComponents;
                let c: PublicKeyComponents<Vec<u8>> = k.public_key().into();
                json!({"kty": "RSA", "n": b64(&c.n), "e": b64(&c.e)})
            }
        }
    }
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match self {
            TestKey::Es256(k) => k.sign(&rng, msg).unwrap().as_ref().to_vec(),
            TestKey::Ed25519(k) => k.sign(msg).as_ref().to_vec(),
            TestKey::Rs256(k) => {
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, msg, &mut sig)
                    .unwrap();
                sig
            }
        }
    }
    /// SPKI DER of the public key (for CSR-key tests).
    pub fn thumbprint(&self) -> String {
        let jwk = self.jwk();
        let canonical = match self {
            TestKey::Es256(_) => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                jwk["x"].as_str().unwrap(),
                jwk["y"].as_str().unwrap()
            ),
            TestKey::Ed25519(_) => format!(
                r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
                jwk["x"].as_str().unwrap()
            ),
            TestKey::Rs256(_) => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                jwk["e"].as_str().unwrap(),
                jwk["n"].as_str().unwrap()
            ),
        };
        b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()).as_ref())
    }
}

/// Signs a flattened JWS with an arbitrary protected header.
pub fn sign_raw(key: &TestKey, protected: &Value, payload: &[u8]) -> Value {
    let p = b64(protected.to_string().as_bytes());
    let pl = b64(payload);
    let sig = key.sign(format!("{p}.{pl}").as_bytes());
    json!({"protected": p, "payload": pl, "signature": b64(&sig)})
}

/// A raw ACME client.
pub struct RawClient {
    pub http: Https,
    pub dir: Value,
}

impl RawClient {
    pub async fn new(http: Https, directory: &str) -> RawClient {
        let dir = http.get(directory).await.json();
        RawClient { http, dir }
    }

    pub fn url(&self, name: &str) -> String {
        self.dir[name].as_str().unwrap().to_string()
    }

    pub async fn nonce(&self) -> String {
        let r = self
            .http
            .request("HEAD", &self.url("newNonce"), &[], vec![])
            .await;
        r.header("replay-nonce").expect("nonce")
    }

    pub async fn post_body(&self, url: &str, body: Vec<u8>) -> Resp {
        self.http
            .request(
                "POST",
                url,
                &[("content-type", "application/jose+json")],
                body,
            )
            .await
    }

    /// Signs and posts; `kid` None embeds the JWK. `payload` None is POST-as-GET.
    pub async fn post(
        &self,
        key: &TestKey,
        kid: Option<&str>,
        url: &str,
        payload: Option<&Value>,
    ) -> Resp {
        let nonce = self.nonce().await;
        let mut protected = json!({"alg": key.alg(), "nonce": nonce, "url": url});
        match kid {
            Some(k) => protected["kid"] = json!(k),
            None => protected["jwk"] = key.jwk(),
        }
        let payload = payload
            .map(|p| p.to_string().into_bytes())
            .unwrap_or_default();
        let body = sign_raw(key, &protected, &payload);
        self.post_body(url, body.to_string().into_bytes()).await
    }

    /// Creates an account, returning its URL.
    pub async fn account(&self, key: &TestKey) -> String {
        let r = self
            .post(
                key,
                None,
                &self.url("newAccount"),
                Some(&json!({"termsOfServiceAgreed": true})),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.json());
        r.header("location").unwrap()
    }
}
