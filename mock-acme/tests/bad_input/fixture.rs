//! The bad-input fixture: accounts, orders, certificates, and request builders.

use std::time::Duration;

use crate::common;
use crate::common::jose::{RawClient, TestKey, b64, sign_raw};
use crate::common::{always_valid, csr, start};
use serde_json::{Value, json};

pub struct Req {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

pub struct Case {
    pub name: &'static str,
    pub kind: &'static str,
    pub status: u16,
    pub req: Req,
}

pub const JOSE: &str = "application/jose+json";

pub fn post(url: &str, body: Vec<u8>) -> Req {
    Req {
        method: "POST",
        url: url.to_string(),
        headers: vec![("content-type", JOSE.into())],
        body,
    }
}

pub struct Fx {
    pub rc: RawClient,
    pub a: TestKey,
    pub kid_a: String,
    pub b: TestKey,
    pub kid_b: String,
    pub kid_c: String,
    pub c: TestKey,
    pub ready_order: String,
    pub ready_finalize: String,
    pub pending_finalize: String,
    pub pending_authz: String,
    pub pending_chal: String,
    pub cert_url: String,
    pub cert_der: Vec<u8>,
    pub revoked_der: Vec<u8>,
    pub base: String,
}

impl Fx {
    pub fn nonce_header(&self) -> impl std::future::Future<Output = String> + '_ {
        self.rc.nonce()
    }
    pub async fn kid(&self, key: &TestKey, kid: &str, url: &str) -> Value {
        json!({"alg": key.alg(), "kid": kid, "nonce": self.nonce_header().await, "url": url})
    }
    pub async fn jwk(&self, key: &TestKey, url: &str) -> Value {
        json!({"alg": key.alg(), "jwk": key.jwk(), "nonce": self.nonce_header().await, "url": url})
    }
    /// A correctly signed kid request by account A.
    pub async fn signed_a(&self, url: &str, payload: Option<Value>) -> Vec<u8> {
        let h = self.kid(&self.a, &self.kid_a, url).await;
        let p = payload
            .map(|p| p.to_string().into_bytes())
            .unwrap_or_default();
        sign_raw(&self.a, &h, &p).to_string().into_bytes()
    }
    pub async fn signed_b(&self, url: &str, payload: Option<Value>) -> Vec<u8> {
        let h = self.kid(&self.b, &self.kid_b, url).await;
        let p = payload
            .map(|p| p.to_string().into_bytes())
            .unwrap_or_default();
        sign_raw(&self.b, &h, &p).to_string().into_bytes()
    }
    pub async fn new_account_body(&self, key: &TestKey, payload: Value) -> Vec<u8> {
        let url = self.rc.url("newAccount");
        let h = self.jwk(key, &url).await;
        sign_raw(key, &h, payload.to_string().as_bytes())
            .to_string()
            .into_bytes()
    }
    pub async fn new_order(&self, payload: Value) -> Req {
        let url = self.rc.url("newOrder");
        post(&url, self.signed_a(&url, Some(payload)).await)
    }
    pub async fn finalize(&self, csr_der: &[u8]) -> Req {
        post(
            &self.ready_finalize,
            self.signed_a(&self.ready_finalize, Some(json!({"csr": b64(csr_der)})))
                .await,
        )
    }
    pub async fn revoke(&self, key: &TestKey, kid: Option<&str>, payload: Value) -> Req {
        let url = self.rc.url("revokeCert");
        let h = match kid {
            Some(k) => self.kid(key, k, &url).await,
            None => self.jwk(key, &url).await,
        };
        post(
            &url,
            sign_raw(key, &h, payload.to_string().as_bytes())
                .to_string()
                .into_bytes(),
        )
    }
}

async fn wait_status(rc: &RawClient, key: &TestKey, kid: &str, url: &str, want: &str) -> Value {
    for _ in 0..200 {
        let o = rc.post(key, Some(kid), url, None).await.json();
        if o["status"] == want {
            return o;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{url} never became {want}");
}

async fn ready_order(rc: &RawClient, key: &TestKey, kid: &str, name: &str) -> (String, Value) {
    let r = rc
        .post(
            key,
            Some(kid),
            &rc.url("newOrder"),
            Some(&json!({"identifiers": [{"type": "dns", "value": name}]})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.json());
    let url = r.header("location").unwrap();
    let authz = r.json()["authorizations"][0].as_str().unwrap().to_string();
    let a = rc.post(key, Some(kid), &authz, None).await.json();
    let chal = a["challenges"][0]["url"].as_str().unwrap().to_string();
    rc.post(key, Some(kid), &chal, Some(&json!({}))).await;
    let o = wait_status(rc, key, kid, &url, "ready").await;
    (url, o)
}

async fn issue(rc: &RawClient, key: &TestKey, kid: &str, name: &str) -> (String, Vec<u8>) {
    let (url, o) = ready_order(rc, key, kid, name).await;
    let (der, _) = csr(&[name], &rcgen::PKCS_ECDSA_P256_SHA256);
    let r = rc
        .post(
            key,
            Some(kid),
            o["finalize"].as_str().unwrap(),
            Some(&json!({"csr": b64(&der)})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let o = wait_status(rc, key, kid, &url, "valid").await;
    let cert_url = o["certificate"].as_str().unwrap().to_string();
    let pem = rc.post(key, Some(kid), &cert_url, None).await;
    let der = common::chain_ders(std::str::from_utf8(&pem.body).unwrap()).remove(0);
    (cert_url, der)
}

pub async fn fixture() -> (common::Lab, Fx) {
    let mut cfg = always_valid();
    cfg.domain_blocklist = vec!["blocked.example".into()];
    cfg.external_account_mac_keys = std::collections::BTreeMap::from([(
        "kid-1".to_string(),
        b"0123456789abcdef0123456789abcdef".to_vec(),
    )]);
    let lab = start(cfg).await;
    let rc = RawClient::new(lab.https(), &lab.acme.directory_url()).await;
    let a = TestKey::es256();
    let kid_a = rc.account(&a).await;
    let b = TestKey::ed25519();
    let kid_b = rc.account(&b).await;
    let c = TestKey::rs256();
    let kid_c = rc.account(&c).await;
    let r = rc
        .post(
            &c,
            Some(&kid_c),
            &kid_c,
            Some(&json!({"status": "deactivated"})),
        )
        .await;
    assert_eq!(r.status, 200);
    let (ready_order_url, ready) = ready_order(&rc, &a, &kid_a, "ready.test").await;
    let pending = rc
        .post(
            &a,
            Some(&kid_a),
            &rc.url("newOrder"),
            Some(&json!({"identifiers": [{"type": "dns", "value": "pending.test"}]})),
        )
        .await
        .json();
    let pending_authz = pending["authorizations"][0].as_str().unwrap().to_string();
    let pa = rc.post(&a, Some(&kid_a), &pending_authz, None).await.json();
    let pending_chal = pa["challenges"][0]["url"].as_str().unwrap().to_string();
    let (cert_url, cert_der) = issue(&rc, &a, &kid_a, "cert.test").await;
    let (_, revoked_der) = issue(&rc, &a, &kid_a, "revoked.test").await;
    let r = rc
        .post(
            &a,
            Some(&kid_a),
            &rc.url("revokeCert"),
            Some(&json!({"certificate": b64(&revoked_der)})),
        )
        .await;
    assert_eq!(r.status, 200);
    let base = lab
        .acme
        .directory_url()
        .trim_end_matches("/dir")
        .to_string();
    let fx = Fx {
        rc,
        a,
        kid_a,
        b,
        kid_b,
        kid_c,
        c,
        ready_order: ready_order_url,
        ready_finalize: ready["finalize"].as_str().unwrap().to_string(),
        pending_finalize: pending["finalize"].as_str().unwrap().to_string(),
        pending_authz,
        pending_chal,
        cert_url,
        cert_der,
        revoked_der,
        base,
    };
    (lab, fx)
}

pub fn raw_body(protected: &str, payload: &str, signature: &str) -> Vec<u8> {
    json!({"protected": protected, "payload": payload, "signature": signature})
        .to_string()
        .into_bytes()
}

pub fn fx_case(kind: &'static str, status: u16, name: &'static str, req: Req) -> Case {
    Case {
        name,
        kind,
        status,
        req,
    }
}
