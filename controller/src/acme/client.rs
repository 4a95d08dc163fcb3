//! RFC 8555 requests signed with an account's key, for everything after registration:
//! orders, authorizations, challenges, finalization and certificate chains.
//!
//! These requests are certlab's own rather than instant-acme's: instant-acme 0.8.5
//! cannot register a key read from a Secret together with a contact and an External
//! Account Binding, send `notAfter`, download the `Link: rel="alternate"` chains
//! `preferredChain` needs, or address an authorization or challenge by URL across
//! reconciles — all of which cert-manager's behaviour needs. Signing is ES256 with
//! aws-lc-rs (the account keys certlab generates are ECDSA P-256).

use std::sync::Mutex;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, LINK, LOCATION};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::account::AcmeError;
use super::http::AcmeHttpClient;

/// The directory's endpoints this client uses.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    /// `newNonce`.
    pub new_nonce: String,
    /// `newAccount`.
    pub new_account: String,
    /// `newOrder`.
    pub new_order: String,
    /// `meta`.
    #[serde(default)]
    pub meta: Option<Value>,
}

/// An ACME order object (RFC 8555 §7.1.3).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcmeOrder {
    /// `pending`, `ready`, `processing`, `valid` or `invalid`.
    pub status: String,
    /// Authorization URLs.
    #[serde(default)]
    pub authorizations: Vec<String>,
    /// Where to finalize.
    #[serde(default)]
    pub finalize: String,
    /// The certificate, once valid.
    #[serde(default)]
    pub certificate: Option<String>,
    /// The error, once invalid.
    #[serde(default)]
    pub error: Option<Problem>,
}

/// An identifier.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Identifier {
    /// `dns` or `ip`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The name or address.
    pub value: String,
}

/// A challenge object (RFC 8555 §8).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AcmeChallengeObject {
    /// `http-01`, `dns-01`, `tls-alpn-01`, …
    #[serde(rename = "type")]
    pub type_: String,
    /// Its URL.
    pub url: String,
    /// The token.
    #[serde(default)]
    pub token: String,
    /// `pending`, `processing`, `valid` or `invalid`.
    pub status: String,
    /// Why it failed.
    #[serde(default)]
    pub error: Option<Problem>,
}

/// An authorization object (RFC 8555 §7.1.4).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AcmeAuthorizationObject {
    /// What it authorizes.
    pub identifier: Identifier,
    /// `pending`, `valid`, `invalid`, `deactivated`, `expired` or `revoked`.
    pub status: String,
    /// Whether for a wildcard name.
    #[serde(default)]
    pub wildcard: bool,
    /// Its challenges.
    #[serde(default)]
    pub challenges: Vec<AcmeChallengeObject>,
}

impl AcmeAuthorizationObject {
    /// The error detail of its failed challenge, if any.
    pub fn failure_detail(&self) -> Option<String> {
        self.challenges
            .iter()
            .find_map(|c| c.error.as_ref().map(Problem::to_string))
    }
}

/// An RFC 7807 problem document.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Problem {
    /// `urn:ietf:params:acme:error:…`.
    #[serde(rename = "type", default)]
    pub type_: String,
    /// The explanation.
    #[serde(default)]
    pub detail: String,
    /// The HTTP status.
    #[serde(default)]
    pub status: Option<u16>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // cert-manager's acme.Error prints "<status> <type>: <detail>".
        match self.status {
            Some(s) => write!(f, "{s} {}: {}", self.type_, self.detail),
            None => write!(f, "{}: {}", self.type_, self.detail),
        }
    }
}

/// An account object (RFC 8555 §7.1.2).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AccountObject {
    /// `valid`, `deactivated` or `revoked`.
    #[serde(default)]
    pub status: String,
    /// `mailto:` URLs.
    #[serde(default)]
    pub contact: Vec<String>,
}

/// An External Account Binding key (RFC 8555 §7.3.4).
#[derive(Clone)]
pub struct ExternalAccountBinding {
    /// The key identifier the CA issued.
    pub key_id: String,
    /// The raw MAC key.
    pub key: Vec<u8>,
    /// `HS256` (default), `HS384` or `HS512`.
    pub algorithm: String,
}

impl std::fmt::Debug for ExternalAccountBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalAccountBinding")
            .field("key_id", &self.key_id)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl ExternalAccountBinding {
    /// The inner JWS: the account JWK MACed with the EAB key.
    fn sign(&self, jwk: &Value, url: &str) -> Result<Value, AcmeError> {
        use aws_lc_rs::hmac;
        let alg = match self.algorithm.as_str() {
            "" | "HS256" => hmac::HMAC_SHA256,
            "HS384" => hmac::HMAC_SHA384,
            "HS512" => hmac::HMAC_SHA512,
            other => {
                return Err(AcmeError::Config(format!(
                    "unsupported External Account Binding key algorithm {other:?}"
                )));
            }
        };
        let name = if self.algorithm.is_empty() {
            "HS256"
        } else {
            &self.algorithm
        };
        let protected = URL_SAFE_NO_PAD
            .encode(json!({"alg": name, "kid": self.key_id, "url": url}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(jwk.to_string());
        let tag = hmac::sign(
            &hmac::Key::new(alg, &self.key),
            format!("{protected}.{payload}").as_bytes(),
        );
        Ok(json!({
            "protected": protected,
            "payload": payload,
            "signature": URL_SAFE_NO_PAD.encode(tag.as_ref()),
        }))
    }
}

/// What to order.
#[derive(Clone, Debug, Default)]
pub struct NewOrder {
    /// DNS names.
    pub dns_names: Vec<String>,
    /// IP addresses.
    pub ip_addresses: Vec<String>,
    /// RFC 3339 `notAfter`, when the duration feature is on.
    pub not_after: Option<String>,
    /// The profile (draft-ietf-acme-profiles).
    pub profile: Option<String>,
    /// ARI `replaces`.
    pub replaces: Option<String>,
}

/// A response.
pub struct Response {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl Response {
    fn json<T: for<'de> Deserialize<'de>>(&self, what: &str) -> Result<T, AcmeError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            AcmeError::Transport(format!("the ACME server sent an invalid {what}: {e}"))
        })
    }

    fn location(&self) -> Option<String> {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// The `Link` targets with `rel="<rel>"`.
    pub fn links(&self, rel: &str) -> Vec<String> {
        let want = format!("rel=\"{rel}\"");
        self.headers
            .get_all(LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter(|l| l.split(';').skip(1).any(|p| p.trim() == want))
            .filter_map(|l| {
                let target = l.split(';').next()?.trim();
                Some(target.strip_prefix('<')?.strip_suffix('>')?.to_string())
            })
            .collect()
    }
}

/// A client bound to one account.
pub struct AcmeClient {
    http: AcmeHttpClient,
    key: EcdsaKeyPair,
    rng: SystemRandom,
    kid: String,
    directory: Directory,
    nonces: Mutex<Vec<String>>,
    thumbprint: String,
}

impl std::fmt::Debug for AcmeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcmeClient")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// GETs and parses a directory.
pub async fn fetch_directory(http: &AcmeHttpClient, url: &str) -> Result<Directory, AcmeError> {
    let rsp = send(http, Method::GET, url, None).await?;
    if !rsp.status.is_success() {
        return Err(problem_of(&rsp));
    }
    rsp.json("directory")
}

async fn send(
    http: &AcmeHttpClient,
    method: Method,
    url: &str,
    body: Option<Vec<u8>>,
) -> Result<Response, AcmeError> {
    let mut req = Request::builder()
        .method(method)
        .uri(url)
        .header(http::header::USER_AGENT, "certlab-controller");
    if body.is_some() {
        req = req.header(CONTENT_TYPE, "application/jose+json");
    }
    let req = req
        .body(body.unwrap_or_default().into())
        .map_err(|e| AcmeError::Transport(format!("{url}: {e}")))?;
    let rsp = tokio::time::timeout(std::time::Duration::from_secs(30), http.request(req))
        .await
        .map_err(|_| AcmeError::Transport(format!("{url}: timed out")))?
        .map_err(|e| AcmeError::Transport(format!("{url}: {e}")))?;
    let (parts, body) = rsp.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| AcmeError::Transport(format!("{url}: {e}")))?
        .to_bytes();
    Ok(Response {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

fn problem_of(rsp: &Response) -> AcmeError {
    let mut p: Problem = serde_json::from_slice(&rsp.body).unwrap_or_default();
    if p.type_.is_empty() && p.detail.is_empty() {
        p.detail = String::from_utf8_lossy(&rsp.body)
            .chars()
            .take(200)
            .collect();
    }
    p.status = Some(rsp.status.as_u16());
    AcmeError::Problem(p)
}

impl AcmeClient {
    /// A client for account `kid` signing with `pkcs8` (ECDSA P-256). An empty `kid`
    /// signs with the JWK, for [`Self::register`].
    pub fn new(
        http: AcmeHttpClient,
        pkcs8: &[u8],
        kid: String,
        directory: Directory,
    ) -> Result<Self, AcmeError> {
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
            .map_err(|e| AcmeError::Config(format!("account key: {e}")))?;
        let thumbprint = thumbprint(key.public_key().as_ref())?;
        Ok(Self {
            http,
            key,
            rng: SystemRandom::new(),
            kid,
            directory,
            nonces: Mutex::new(Vec::new()),
            thumbprint,
        })
    }

    /// The account URL.
    pub fn account_url(&self) -> &str {
        &self.kid
    }

    /// RFC 7638 thumbprint of the account key.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// The directory.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    async fn nonce(&self) -> Result<String, AcmeError> {
        if let Some(n) = self.nonces.lock().ok().and_then(|mut v| v.pop()) {
            return Ok(n);
        }
        let rsp = send(&self.http, Method::HEAD, &self.directory.new_nonce, None).await?;
        replay_nonce(&rsp.headers)
            .ok_or_else(|| AcmeError::Transport("the ACME server sent no Replay-Nonce".to_string()))
    }

    fn keep_nonce(&self, headers: &HeaderMap) {
        if let (Some(n), Ok(mut v)) = (replay_nonce(headers), self.nonces.lock()) {
            v.push(n);
            if v.len() > 32 {
                v.remove(0);
            }
        }
    }

    /// The account key as a JWK (members in RFC 7638 order).
    pub fn jwk(&self) -> Value {
        let point = self.key.public_key().as_ref();
        let (x, y) = point
            .get(1..)
            .unwrap_or_default()
            .split_at(point.len().saturating_sub(1) / 2);
        json!({"crv": "P-256", "kty": "EC", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)})
    }

    fn jws(&self, url: &str, nonce: &str, payload: Option<&Value>) -> Result<Vec<u8>, AcmeError> {
        let protected = if self.kid.is_empty() {
            json!({"alg": "ES256", "jwk": self.jwk(), "nonce": nonce, "url": url})
        } else {
            json!({"alg": "ES256", "kid": self.kid, "nonce": nonce, "url": url})
        };
        let protected = URL_SAFE_NO_PAD.encode(protected.to_string());
        let payload = payload.map_or_else(String::new, |p| URL_SAFE_NO_PAD.encode(p.to_string()));
        let signing_input = format!("{protected}.{payload}");
        let sig = self
            .key
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| AcmeError::Config("could not sign with the account key".to_string()))?;
        Ok(json!({
            "protected": protected,
            "payload": payload,
            "signature": URL_SAFE_NO_PAD.encode(sig.as_ref()),
        })
        .to_string()
        .into_bytes())
    }

    /// A signed POST (`payload: None` is POST-as-GET). A `badNonce` is retried once
    /// with the nonce it came with; other problems are returned.
    pub async fn post(&self, url: &str, payload: Option<&Value>) -> Result<Response, AcmeError> {
        let mut attempt = 0;
        loop {
            let nonce = self.nonce().await?;
            let body = self.jws(url, &nonce, payload)?;
            let rsp = send(&self.http, Method::POST, url, Some(body)).await?;
            self.keep_nonce(&rsp.headers);
            if rsp.status.is_success() {
                return Ok(rsp);
            }
            let err = problem_of(&rsp);
            let bad_nonce = matches!(&err, AcmeError::Problem(p) if p.type_.ends_with(":badNonce"));
            if bad_nonce && attempt == 0 {
                attempt += 1;
                continue;
            }
            return Err(err);
        }
    }

    /// newAccount (RFC 8555 §7.3): registers the key, or finds the account it already
    /// has, agreeing to the terms. Returns the account URL and object; the client is
    /// bound to that account afterwards.
    pub async fn register(
        &mut self,
        contact: &[String],
        eab: Option<&ExternalAccountBinding>,
    ) -> Result<(String, AccountObject), AcmeError> {
        let url = self.directory.new_account.clone();
        let mut payload = json!({ "termsOfServiceAgreed": true });
        if let Some(obj) = payload.as_object_mut() {
            if !contact.is_empty() {
                obj.insert("contact".into(), json!(contact));
            }
            if let Some(eab) = eab {
                obj.insert(
                    "externalAccountBinding".into(),
                    eab.sign(&self.jwk(), &url)?,
                );
            }
        }
        self.kid.clear();
        let rsp = self.post(&url, Some(&payload)).await?;
        let account_url = rsp.location().ok_or_else(|| {
            AcmeError::Transport("newAccount response has no Location".to_string())
        })?;
        let account: AccountObject = rsp.json("account")?;
        self.kid = account_url.clone();
        Ok((account_url, account))
    }

    /// Replaces the account's contacts.
    pub async fn update_contact(&self, contact: &[String]) -> Result<AccountObject, AcmeError> {
        let url = self.kid.clone();
        self.post(&url, Some(&json!({ "contact": contact })))
            .await?
            .json("account")
    }

    /// newOrder: the order's URL and object.
    pub async fn new_order(&self, order: &NewOrder) -> Result<(String, AcmeOrder), AcmeError> {
        let identifiers: Vec<Value> = order
            .dns_names
            .iter()
            .map(|d| json!({"type": "dns", "value": d}))
            .chain(
                order
                    .ip_addresses
                    .iter()
                    .map(|ip| json!({"type": "ip", "value": ip})),
            )
            .collect();
        let mut payload = json!({ "identifiers": identifiers });
        if let Some(obj) = payload.as_object_mut() {
            if let Some(na) = &order.not_after {
                obj.insert("notAfter".into(), json!(na));
            }
            if let Some(p) = &order.profile {
                obj.insert("profile".into(), json!(p));
            }
            if let Some(r) = &order.replaces {
                obj.insert("replaces".into(), json!(r));
            }
        }
        let rsp = self
            .post(&self.directory.new_order.clone(), Some(&payload))
            .await?;
        let url = rsp
            .location()
            .ok_or_else(|| AcmeError::Transport("newOrder response has no Location".to_string()))?;
        Ok((url, rsp.json("order")?))
    }

    /// POST-as-GET an order.
    pub async fn order(&self, url: &str) -> Result<AcmeOrder, AcmeError> {
        self.post(url, None).await?.json("order")
    }

    /// POST-as-GET an authorization.
    pub async fn authorization(&self, url: &str) -> Result<AcmeAuthorizationObject, AcmeError> {
        self.post(url, None).await?.json("authorization")
    }

    /// Responds to a challenge (POST `{}`).
    pub async fn accept(&self, url: &str) -> Result<AcmeChallengeObject, AcmeError> {
        self.post(url, Some(&json!({}))).await?.json("challenge")
    }

    /// Finalizes with a DER CSR.
    pub async fn finalize(&self, url: &str, csr_der: &[u8]) -> Result<AcmeOrder, AcmeError> {
        let payload = json!({ "csr": URL_SAFE_NO_PAD.encode(csr_der) });
        self.post(url, Some(&payload)).await?.json("order")
    }

    /// The certificate chain at `url` (PEM) and the URLs of its alternates.
    pub async fn certificate(&self, url: &str) -> Result<(String, Vec<String>), AcmeError> {
        let rsp = self.post(url, None).await?;
        let pem = String::from_utf8(rsp.body.to_vec()).map_err(|_| {
            AcmeError::Transport("the certificate chain is not UTF-8 PEM".to_string())
        })?;
        Ok((pem, rsp.links("alternate")))
    }
}

fn replay_nonce(headers: &HeaderMap) -> Option<String> {
    headers
        .get("replay-nonce")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// RFC 7638 thumbprint of an uncompressed P-256 point (`04‖x‖y`).
fn thumbprint(point: &[u8]) -> Result<String, AcmeError> {
    let (x, y) = match point {
        [4, rest @ ..] if rest.len() == 64 => rest.split_at(32),
        _ => return Err(AcmeError::Config("account key is not P-256".to_string())),
    };
    // Members in lexicographic order, no whitespace.
    let jwk = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(x),
        URL_SAFE_NO_PAD.encode(y)
    );
    Ok(URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        jwk.as_bytes(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response_with_links(links: &[&str]) -> Response {
        let mut headers = HeaderMap::new();
        for l in links {
            headers.append(LINK, l.parse().unwrap());
        }
        Response {
            status: StatusCode::OK,
            headers,
            body: Bytes::new(),
        }
    }

    #[test]
    fn alternate_links_are_found_among_others() {
        let rsp = response_with_links(&[
            r#"<https://ca/dir>;rel="index""#,
            r#"<https://ca/cert/1/1>;rel="alternate", <https://ca/cert/1/2>; rel="alternate""#,
        ]);
        assert_eq!(
            rsp.links("alternate"),
            vec!["https://ca/cert/1/1", "https://ca/cert/1/2"]
        );
        assert_eq!(rsp.links("index"), vec!["https://ca/dir"]);
        assert!(rsp.links("up").is_empty());
    }

    #[test]
    fn problems_print_like_cert_manager() {
        let p = Problem {
            type_: "urn:ietf:params:acme:error:rejectedIdentifier".into(),
            detail: "blocked".into(),
            status: Some(400),
        };
        assert_eq!(
            p.to_string(),
            "400 urn:ietf:params:acme:error:rejectedIdentifier: blocked"
        );
    }
}
