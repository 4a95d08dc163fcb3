//! The bad-input table: malformed requests, each with the exact problem type and HTTP
//! status it must produce. The server must answer every one (no panic, no hang).

mod common;

use std::time::Duration;

use common::jose::{RawClient, TestKey, b64, sign_raw};
use common::{Resp, always_valid, csr, start};
use serde_json::{Value, json};

struct Req {
    method: &'static str,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

struct Case {
    name: &'static str,
    kind: &'static str,
    status: u16,
    req: Req,
}

const JOSE: &str = "application/jose+json";

fn post(url: &str, body: Vec<u8>) -> Req {
    Req {
        method: "POST",
        url: url.to_string(),
        headers: vec![("content-type", JOSE.into())],
        body,
    }
}

struct Fx {
    rc: RawClient,
    a: TestKey,
    kid_a: String,
    b: TestKey,
    kid_b: String,
    kid_c: String,
    c: TestKey,
    ready_order: String,
    ready_finalize: String,
    pending_finalize: String,
    pending_authz: String,
    pending_chal: String,
    cert_url: String,
    cert_der: Vec<u8>,
    revoked_der: Vec<u8>,
    base: String,
}

impl Fx {
    fn nonce_header(&self) -> impl std::future::Future<Output = String> + '_ {
        self.rc.nonce()
    }
    async fn kid(&self, key: &TestKey, kid: &str, url: &str) -> Value {
        json!({"alg": key.alg(), "kid": kid, "nonce": self.nonce_header().await, "url": url})
    }
    async fn jwk(&self, key: &TestKey, url: &str) -> Value {
        json!({"alg": key.alg(), "jwk": key.jwk(), "nonce": self.nonce_header().await, "url": url})
    }
    /// A correctly signed kid request by account A.
    async fn signed_a(&self, url: &str, payload: Option<Value>) -> Vec<u8> {
        let h = self.kid(&self.a, &self.kid_a, url).await;
        let p = payload
            .map(|p| p.to_string().into_bytes())
            .unwrap_or_default();
        sign_raw(&self.a, &h, &p).to_string().into_bytes()
    }
    async fn signed_b(&self, url: &str, payload: Option<Value>) -> Vec<u8> {
        let h = self.kid(&self.b, &self.kid_b, url).await;
        let p = payload
            .map(|p| p.to_string().into_bytes())
            .unwrap_or_default();
        sign_raw(&self.b, &h, &p).to_string().into_bytes()
    }
    async fn new_account_body(&self, key: &TestKey, payload: Value) -> Vec<u8> {
        let url = self.rc.url("newAccount");
        let h = self.jwk(key, &url).await;
        sign_raw(key, &h, payload.to_string().as_bytes())
            .to_string()
            .into_bytes()
    }
    async fn new_order(&self, payload: Value) -> Req {
        let url = self.rc.url("newOrder");
        post(&url, self.signed_a(&url, Some(payload)).await)
    }
    async fn finalize(&self, csr_der: &[u8]) -> Req {
        post(
            &self.ready_finalize,
            self.signed_a(&self.ready_finalize, Some(json!({"csr": b64(csr_der)})))
                .await,
        )
    }
    async fn revoke(&self, key: &TestKey, kid: Option<&str>, payload: Value) -> Req {
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

async fn fixture() -> (common::Lab, Fx) {
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

fn raw_body(protected: &str, payload: &str, signature: &str) -> Vec<u8> {
    json!({"protected": protected, "payload": payload, "signature": signature})
        .to_string()
        .into_bytes()
}

async fn cases(fx: &Fx) -> Vec<Case> {
    let mut v: Vec<Case> = Vec::new();
    let new_order = fx.rc.url("newOrder");
    let new_account = fx.rc.url("newAccount");
    let good = |k: &'static str, s: u16, name: &'static str, req: Req| Case {
        name,
        kind: k,
        status: s,
        req,
    };

    // --- transport ---
    let body = fx
        .signed_a(
            &new_order,
            Some(json!({"identifiers": [{"type":"dns","value":"a.test"}]})),
        )
        .await;
    v.push(good(
        "malformed",
        415,
        "wrong content type",
        Req {
            method: "POST",
            url: new_order.clone(),
            headers: vec![("content-type", "application/json".into())],
            body: body.clone(),
        },
    ));
    v.push(good(
        "malformed",
        415,
        "missing content type",
        Req {
            method: "POST",
            url: new_order.clone(),
            headers: vec![],
            body,
        },
    ));
    v.push(good(
        "malformed",
        413,
        "oversized body",
        post(&new_order, vec![b'{'; 70 * 1024]),
    ));
    v.push(good(
        "malformed",
        405,
        "GET on newOrder",
        Req {
            method: "GET",
            url: new_order.clone(),
            headers: vec![],
            body: vec![],
        },
    ));
    v.push(good(
        "malformed",
        405,
        "PUT on the directory",
        Req {
            method: "PUT",
            url: format!("{}/dir", fx.base),
            headers: vec![],
            body: vec![],
        },
    ));
    v.push(good(
        "malformed",
        404,
        "unknown path",
        post(&format!("{}/no-such-thing", fx.base), b"{}".to_vec()),
    ));
    v.push(good(
        "malformed",
        404,
        "account path without id",
        post(&format!("{}/my-account/", fx.base), b"{}".to_vec()),
    ));
    let body = fx
        .signed_a(
            &new_order,
            Some(json!({"identifiers": [{"type":"dns","value":"a.test"}]})),
        )
        .await;
    v.push(good(
        "malformed",
        400,
        "missing user agent",
        Req {
            method: "POST",
            url: new_order.clone(),
            headers: vec![("content-type", JOSE.into()), ("user-agent", "".into())],
            body,
        },
    ));
    v.push(good(
        "malformed",
        400,
        "empty body",
        post(&new_order, vec![]),
    ));
    let body = fx
        .signed_a(
            &new_order,
            Some(json!({"identifiers": [{"type":"dns","value":"a.test"}]})),
        )
        .await;
    v.push(good(
        "malformed",
        400,
        "Replay-Nonce request header",
        Req {
            method: "POST",
            url: new_order.clone(),
            headers: vec![("content-type", JOSE.into()), ("replay-nonce", "x".into())],
            body,
        },
    ));

    // --- encoding ---
    v.push(good(
        "malformed",
        400,
        "body is not JSON",
        post(&new_order, b"not json".to_vec()),
    ));
    v.push(good(
        "malformed",
        400,
        "body is a JSON array",
        post(&new_order, b"[1,2]".to_vec()),
    ));
    v.push(good(
        "malformed",
        400,
        "protected is not base64url",
        post(&new_order, raw_body("!!!", "", "AAAA")),
    ));
    let prot = b64(fx
        .kid(&fx.a, &fx.kid_a, &new_order)
        .await
        .to_string()
        .as_bytes());
    v.push(good(
        "malformed",
        400,
        "payload is not base64url",
        post(&new_order, raw_body(&prot, "%%%", "AAAA")),
    ));
    v.push(good(
        "malformed",
        400,
        "signature is not base64url",
        post(&new_order, raw_body(&prot, "", "a+b/")),
    ));
    v.push(good(
        "malformed",
        400,
        "padded protected header",
        post(&new_order, raw_body(&format!("{prot}="), "", "AAAA")),
    ));
    v.push(good(
        "malformed",
        400,
        "protected is not JSON",
        post(&new_order, raw_body(&b64(b"hello"), "", "AAAA")),
    ));
    v.push(good(
        "malformed",
        400,
        "protected is a JSON array",
        post(&new_order, raw_body(&b64(b"[]"), "", "AAAA")),
    ));
    v.push(good(
        "malformed",
        400,
        "missing signature member",
        post(
            &new_order,
            json!({"protected": prot, "payload": ""})
                .to_string()
                .into_bytes(),
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "protected member is a number",
        post(
            &new_order,
            json!({"protected": 5, "payload": "", "signature": "AAAA"})
                .to_string()
                .into_bytes(),
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "general JSON serialization",
        post(
            &new_order,
            json!({"payload": "", "signatures": [{"protected": prot, "signature": "AAAA"}]})
                .to_string()
                .into_bytes(),
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "unprotected header",
        post(
            &new_order,
            json!({"protected": prot, "header": {"kid": "x"}, "payload": "", "signature": "AAAA"})
                .to_string()
                .into_bytes(),
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "empty signature",
        post(&new_order, raw_body(&prot, "", "")),
    ));

    // --- algorithm ---
    for (name, alg) in [
        ("alg none", json!("none")),
        ("HS256 outer JWS", json!("HS256")),
        ("alg PS256", json!("PS256")),
        ("alg RS1", json!("RS1")),
    ] {
        let mut h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
        h["alg"] = alg;
        v.push(good(
            "badSignatureAlgorithm",
            400,
            name,
            post(
                &new_order,
                sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
            ),
        ));
    }
    let mut h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
    h.as_object_mut().unwrap().remove("alg");
    v.push(good(
        "badSignatureAlgorithm",
        400,
        "missing alg",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let mut h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
    h["alg"] = json!("ES384");
    v.push(good(
        "badSignatureAlgorithm",
        400,
        "ES384 with a P-256 key",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let mut h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
    h["alg"] = json!(256);
    v.push(good(
        "malformed",
        400,
        "alg is a number",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));

    // --- header ---
    let mut h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
    h["jwk"] = fx.a.jwk();
    v.push(good(
        "malformed",
        400,
        "jwk and kid together",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let mut h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
    h.as_object_mut().unwrap().remove("kid");
    v.push(good(
        "malformed",
        400,
        "neither jwk nor kid",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let h = fx.jwk(&fx.a, &new_order).await;
    v.push(good(
        "malformed",
        400,
        "jwk where kid is required",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let h = fx.kid(&fx.a, &fx.kid_a, &new_account).await;
    v.push(good(
        "malformed",
        400,
        "kid on newAccount",
        post(
            &new_account,
            sign_raw(&fx.a, &h, br#"{"termsOfServiceAgreed":true}"#)
                .to_string()
                .into_bytes(),
        ),
    ));
    let mut h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
    h.as_object_mut().unwrap().remove("nonce");
    v.push(good(
        "badNonce",
        400,
        "missing nonce",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let used = fx.rc.nonce().await;
    let mut h = fx.kid(&fx.a, &fx.kid_a, &fx.ready_order).await;
    h["nonce"] = json!(used.clone());
    let ok = fx
        .rc
        .post_body(
            &fx.ready_order,
            sign_raw(&fx.a, &h, b"").to_string().into_bytes(),
        )
        .await;
    assert_eq!(ok.status, 200, "nonce setup: {:?}", ok.json());
    v.push(good(
        "badNonce",
        400,
        "reused nonce",
        post(
            &fx.ready_order,
            sign_raw(&fx.a, &h, b"").to_string().into_bytes(),
        ),
    ));
    let mut h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
    h["nonce"] = json!("bm90LWEtbm9uY2U");
    v.push(good(
        "badNonce",
        400,
        "made-up nonce",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let mut h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
    h["nonce"] = json!(7);
    v.push(good(
        "malformed",
        400,
        "nonce is a number",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let mut h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
    h.as_object_mut().unwrap().remove("url");
    v.push(good(
        "malformed",
        400,
        "missing url",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let h = fx.kid(&fx.a, &fx.kid_a, &new_account).await;
    v.push(good(
        "malformed",
        400,
        "url of another endpoint",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let h = fx
        .kid(
            &fx.a,
            &fx.kid_a,
            &new_order.replace("127.0.0.1", "localhost"),
        )
        .await;
    v.push(good(
        "malformed",
        400,
        "url with another host",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let h = fx
        .kid(&fx.a, "https://elsewhere.example/acct/1", &new_order)
        .await;
    v.push(good(
        "malformed",
        400,
        "kid with a foreign prefix",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let h = fx
        .kid(&fx.a, &format!("{}/my-account/nope", fx.base), &new_order)
        .await;
    v.push(good(
        "accountDoesNotExist",
        400,
        "unknown account",
        post(
            &new_order,
            sign_raw(&fx.a, &h, b"{}").to_string().into_bytes(),
        ),
    ));
    let h = fx.kid(&fx.a, &fx.kid_a, &new_order).await;
    v.push(good(
        "malformed",
        400,
        "signed by another key",
        post(
            &new_order,
            sign_raw(&TestKey::es256(), &h, b"{}")
                .to_string()
                .into_bytes(),
        ),
    ));
    let h = fx.kid(&fx.b, &fx.kid_b, &new_order).await;
    let mut jws = sign_raw(&fx.b, &h, b"{}");
    jws["signature"] = json!(b64(&[1u8; 10]));
    v.push(good(
        "malformed",
        400,
        "truncated EdDSA signature",
        post(&new_order, jws.to_string().into_bytes()),
    ));
    for (name, kind, jwk) in [
        (
            "EC jwk without y",
            "malformed",
            json!({"kty": "EC", "crv": "P-256", "x": b64(&[1u8; 32])}),
        ),
        (
            "oct jwk",
            "badPublicKey",
            json!({"kty": "oct", "k": "AAAA"}),
        ),
        (
            "RSA 1024-bit jwk",
            "badPublicKey",
            json!({"kty": "RSA", "n": b64(&[0xc1u8; 128]), "e": "AQAB"}),
        ),
        (
            "EC point of the wrong length",
            "malformed",
            json!({"kty": "EC", "crv": "P-256", "x": b64(&[1u8; 31]), "y": b64(&[1u8; 32])}),
        ),
        (
            "X25519 jwk",
            "badPublicKey",
            json!({"kty": "OKP", "crv": "X25519", "x": b64(&[1u8; 32])}),
        ),
    ] {
        let mut h = fx.jwk(&fx.a, &new_account).await;
        h["jwk"] = jwk;
        v.push(good(
            kind,
            400,
            name,
            post(
                &new_account,
                sign_raw(&fx.a, &h, br#"{"termsOfServiceAgreed":true}"#)
                    .to_string()
                    .into_bytes(),
            ),
        ));
    }

    // --- newAccount ---
    let k = TestKey::es256();
    v.push(good(
        "userActionRequired",
        403,
        "terms not agreed",
        post(
            &new_account,
            fx.new_account_body(&k, json!({"termsOfServiceAgreed": false}))
                .await,
        ),
    ));
    v.push(good(
        "unsupportedContact",
        400,
        "tel: contact",
        post(
            &new_account,
            fx.new_account_body(
                &k,
                json!({"termsOfServiceAgreed": true, "contact": ["tel:+1555"]}),
            )
            .await,
        ),
    ));
    v.push(good(
        "invalidContact",
        400,
        "empty mailto",
        post(
            &new_account,
            fx.new_account_body(
                &k,
                json!({"termsOfServiceAgreed": true, "contact": ["mailto:"]}),
            )
            .await,
        ),
    ));
    v.push(good(
        "invalidContact",
        400,
        "mailto without @",
        post(
            &new_account,
            fx.new_account_body(
                &k,
                json!({"termsOfServiceAgreed": true, "contact": ["mailto:nobody"]}),
            )
            .await,
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "contact is a string",
        post(
            &new_account,
            fx.new_account_body(
                &k,
                json!({"termsOfServiceAgreed": true, "contact": "mailto:a@b.c"}),
            )
            .await,
        ),
    ));
    v.push(good("malformed", 400, "three contacts", post(&new_account, fx.new_account_body(&k, json!({"termsOfServiceAgreed": true, "contact": ["mailto:a@b.c", "mailto:b@b.c", "mailto:c@b.c"]})).await)));
    v.push(good(
        "accountDoesNotExist",
        400,
        "onlyReturnExisting for a new key",
        post(
            &new_account,
            fx.new_account_body(&k, json!({"onlyReturnExisting": true}))
                .await,
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "termsOfServiceAgreed is a string",
        post(
            &new_account,
            fx.new_account_body(&k, json!({"termsOfServiceAgreed": "yes"}))
                .await,
        ),
    ));
    let h = fx.jwk(&k, &new_account).await;
    v.push(good(
        "malformed",
        400,
        "POST-as-GET to newAccount",
        post(&new_account, sign_raw(&k, &h, b"").to_string().into_bytes()),
    ));
    let eab = |alg: &str, kid: &str| {
        let p = b64(json!({"alg": alg, "kid": kid, "url": new_account})
            .to_string()
            .as_bytes());
        let pl = b64(k.jwk().to_string().as_bytes());
        json!({"protected": p, "payload": pl, "signature": b64(&[0u8; 32])})
    };
    v.push(good("unauthorized", 403, "EAB with an unknown kid", post(&new_account, fx.new_account_body(&k, json!({"termsOfServiceAgreed": true, "externalAccountBinding": eab("HS256", "kid-9")})).await)));
    v.push(good("unauthorized", 403, "EAB with a bad MAC", post(&new_account, fx.new_account_body(&k, json!({"termsOfServiceAgreed": true, "externalAccountBinding": eab("HS256", "kid-1")})).await)));
    v.push(good("badSignatureAlgorithm", 400, "EAB signed with RS256", post(&new_account, fx.new_account_body(&k, json!({"termsOfServiceAgreed": true, "externalAccountBinding": eab("RS256", "kid-1")})).await)));
    v.push(good(
        "unauthorized",
        403,
        "deactivated account re-registering",
        post(
            &new_account,
            fx.new_account_body(&fx.c, json!({"termsOfServiceAgreed": true}))
                .await,
        ),
    ));

    // --- account ---
    let h = fx.kid(&fx.c, &fx.kid_c, &new_order).await;
    v.push(good(
        "unauthorized",
        403,
        "deactivated account orders",
        post(
            &new_order,
            sign_raw(
                &fx.c,
                &h,
                br#"{"identifiers":[{"type":"dns","value":"x.test"}]}"#,
            )
            .to_string()
            .into_bytes(),
        ),
    ));
    v.push(good(
        "unauthorized",
        403,
        "update of another account",
        post(
            &fx.kid_b,
            fx.signed_a(&fx.kid_b, Some(json!({"contact": []}))).await,
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "bogus account status",
        post(
            &fx.kid_a,
            fx.signed_a(&fx.kid_a, Some(json!({"status": "bogus"})))
                .await,
        ),
    ));
    let page1 = format!(
        "{}/list-orderz/{}/page/1",
        fx.base,
        fx.kid_a.rsplit('/').next().unwrap()
    );
    v.push(good(
        "malformed",
        404,
        "orders page 1",
        post(&page1, fx.signed_a(&page1, None).await),
    ));
    let other_list = format!(
        "{}/list-orderz/{}",
        fx.base,
        fx.kid_b.rsplit('/').next().unwrap()
    );
    v.push(good(
        "malformed",
        404,
        "another account's orders",
        post(&other_list, fx.signed_a(&other_list, None).await),
    ));

    // --- newOrder ---
    v.push(fx_case(
        "malformed",
        400,
        "no identifiers",
        fx.new_order(json!({"identifiers": []})).await,
    ));
    v.push(fx_case(
        "malformed",
        400,
        "identifiers missing",
        fx.new_order(json!({})).await,
    ));
    v.push(fx_case(
        "unsupportedIdentifier",
        400,
        "email identifier",
        fx.new_order(json!({"identifiers": [{"type": "email", "value": "a@b.c"}]}))
            .await,
    ));
    v.push(fx_case(
        "malformed",
        400,
        "empty label",
        fx.new_order(json!({"identifiers": [{"type": "dns", "value": "a..test"}]}))
            .await,
    ));
    v.push(fx_case(
        "malformed",
        400,
        "wildcard not leftmost",
        fx.new_order(json!({"identifiers": [{"type": "dns", "value": "a.*.test"}]}))
            .await,
    ));
    v.push(fx_case(
        "malformed",
        400,
        "illegal character",
        fx.new_order(json!({"identifiers": [{"type": "dns", "value": "a_b.test"}]}))
            .await,
    ));
    v.push(fx_case(
        "malformed",
        400,
        "IP as a dns identifier",
        fx.new_order(json!({"identifiers": [{"type": "dns", "value": "10.0.0.1"}]}))
            .await,
    ));
    v.push(fx_case(
        "malformed",
        400,
        "bad IP identifier",
        fx.new_order(json!({"identifiers": [{"type": "ip", "value": "300.1.1.1"}]}))
            .await,
    ));
    v.push(fx_case("rejectedIdentifier", 400, "blocked domain", fx.new_order(json!({"identifiers": [{"type": "dns", "value": "www.blocked.example"}, {"type": "dns", "value": "ok.test"}]})).await));
    v.push(fx_case(
        "malformed",
        400,
        "notBefore not RFC 3339",
        fx.new_order(
            json!({"identifiers": [{"type": "dns", "value": "a.test"}], "notBefore": "yesterday"}),
        )
        .await,
    ));
    v.push(fx_case("malformed", 400, "notAfter before notBefore", fx.new_order(json!({"identifiers": [{"type": "dns", "value": "a.test"}], "notBefore": "2030-01-02T00:00:00Z", "notAfter": "2030-01-01T00:00:00Z"})).await));
    v.push(fx_case(
        "invalidProfile",
        400,
        "unknown profile",
        fx.new_order(
            json!({"identifiers": [{"type": "dns", "value": "a.test"}], "profile": "nope"}),
        )
        .await,
    ));
    v.push(fx_case(
        "malformed",
        400,
        "replaces is not a CertID",
        fx.new_order(
            json!({"identifiers": [{"type": "dns", "value": "a.test"}], "replaces": "garbage"}),
        )
        .await,
    ));
    v.push(fx_case(
        "malformed",
        400,
        "identifiers is an object",
        fx.new_order(json!({"identifiers": {"type": "dns"}})).await,
    ));

    // --- orders, authorizations, challenges ---
    v.push(good(
        "unauthorized",
        403,
        "order of another account",
        post(&fx.ready_order, fx.signed_b(&fx.ready_order, None).await),
    ));
    let unknown_order = format!("{}/my-order/nope", fx.base);
    v.push(good(
        "malformed",
        404,
        "unknown order",
        post(&unknown_order, fx.signed_a(&unknown_order, None).await),
    ));
    v.push(good(
        "malformed",
        400,
        "order fetch with a payload",
        post(
            &fx.ready_order,
            fx.signed_a(&fx.ready_order, Some(json!({}))).await,
        ),
    ));
    let unknown_chal = format!("{}/chalZ/nope", fx.base);
    v.push(good(
        "malformed",
        404,
        "unknown challenge",
        post(
            &unknown_chal,
            fx.signed_a(&unknown_chal, Some(json!({}))).await,
        ),
    ));
    v.push(good(
        "unauthorized",
        403,
        "challenge of another account",
        post(
            &fx.pending_chal,
            fx.signed_b(&fx.pending_chal, Some(json!({}))).await,
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "challenge with keyAuthorization",
        post(
            &fx.pending_chal,
            fx.signed_a(&fx.pending_chal, Some(json!({"keyAuthorization": "x"})))
                .await,
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "challenge payload is an array",
        post(
            &fx.pending_chal,
            fx.signed_a(&fx.pending_chal, Some(json!([]))).await,
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "authz set to valid",
        post(
            &fx.pending_authz,
            fx.signed_a(&fx.pending_authz, Some(json!({"status": "valid"})))
                .await,
        ),
    ));
    v.push(good(
        "unauthorized",
        403,
        "authz of another account",
        post(
            &fx.pending_authz,
            fx.signed_b(&fx.pending_authz, None).await,
        ),
    ));

    // --- finalize ---
    let (der, _) = csr(&["pending.test"], &rcgen::PKCS_ECDSA_P256_SHA256);
    v.push(good(
        "orderNotReady",
        403,
        "finalize a pending order",
        post(
            &fx.pending_finalize,
            fx.signed_a(&fx.pending_finalize, Some(json!({"csr": b64(&der)})))
                .await,
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "finalize without csr",
        post(
            &fx.ready_finalize,
            fx.signed_a(&fx.ready_finalize, Some(json!({}))).await,
        ),
    ));
    v.push(good(
        "malformed",
        400,
        "CSR not base64url",
        post(
            &fx.ready_finalize,
            fx.signed_a(&fx.ready_finalize, Some(json!({"csr": "***"})))
                .await,
        ),
    ));
    v.push(fx_case(
        "badCSR",
        400,
        "CSR is garbage DER",
        fx.finalize(b"\x30\x03\x02\x01\x00").await,
    ));
    let (der, _) = csr(&["other.test"], &rcgen::PKCS_ECDSA_P256_SHA256);
    v.push(fx_case(
        "badCSR",
        400,
        "CSR names do not match",
        fx.finalize(&der).await,
    ));
    let (der, _) = csr(&["ready.test", "extra.test"], &rcgen::PKCS_ED25519);
    v.push(fx_case(
        "badCSR",
        400,
        "CSR has an extra name",
        fx.finalize(&der).await,
    ));
    let (mut der, _) = csr(&["ready.test"], &rcgen::PKCS_ECDSA_P256_SHA256);
    let n = der.len();
    der[n - 5] ^= 0xff;
    v.push(fx_case(
        "badCSR",
        400,
        "CSR with a bad signature",
        fx.finalize(&der).await,
    ));
    let kp = rcgen::KeyPair::try_from(fx.a.pkcs8().as_slice()).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["ready.test".to_string()]).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    let der = params.serialize_request(&kp).unwrap().der().to_vec();
    v.push(fx_case(
        "badCSR",
        400,
        "account key reused as CSR key",
        fx.finalize(&der).await,
    ));
    let mut params = rcgen::CertificateParams::new(vec!["ready.test".to_string()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "not-listed.test");
    let kp = rcgen::KeyPair::generate().unwrap();
    let der = params.serialize_request(&kp).unwrap().der().to_vec();
    v.push(fx_case(
        "badCSR",
        400,
        "CSR common name not among its SANs",
        fx.finalize(&der).await,
    ));

    // --- certificates and revocation ---
    v.push(fx_case(
        "badRevocationReason",
        400,
        "revocation reason 7",
        fx.revoke(
            &fx.a,
            Some(&fx.kid_a),
            json!({"certificate": b64(&fx.cert_der), "reason": 7}),
        )
        .await,
    ));
    v.push(fx_case(
        "badRevocationReason",
        400,
        "revocation reason 11",
        fx.revoke(
            &fx.a,
            Some(&fx.kid_a),
            json!({"certificate": b64(&fx.cert_der), "reason": 11}),
        )
        .await,
    ));
    v.push(fx_case(
        "malformed",
        400,
        "revoke garbage certificate",
        fx.revoke(&fx.a, Some(&fx.kid_a), json!({"certificate": b64(b"nope")}))
            .await,
    ));
    let foreign = rcgen::generate_simple_self_signed(vec!["cert.test".to_string()]).unwrap();
    v.push(fx_case(
        "malformed",
        404,
        "revoke a certificate we never issued",
        fx.revoke(
            &fx.a,
            Some(&fx.kid_a),
            json!({"certificate": b64(foreign.cert.der())}),
        )
        .await,
    ));
    v.push(fx_case(
        "unauthorized",
        403,
        "revoke by a stranger",
        fx.revoke(
            &fx.b,
            Some(&fx.kid_b),
            json!({"certificate": b64(&fx.cert_der)}),
        )
        .await,
    ));
    v.push(fx_case(
        "unauthorized",
        403,
        "revoke with the wrong jwk",
        fx.revoke(
            &TestKey::es256(),
            None,
            json!({"certificate": b64(&fx.cert_der)}),
        )
        .await,
    ));
    v.push(fx_case(
        "alreadyRevoked",
        400,
        "revoke twice",
        fx.revoke(
            &fx.a,
            Some(&fx.kid_a),
            json!({"certificate": b64(&fx.revoked_der)}),
        )
        .await,
    ));
    let unknown_cert = format!("{}/certZ/00ff", fx.base);
    v.push(good(
        "malformed",
        404,
        "unknown certificate",
        post(&unknown_cert, fx.signed_a(&unknown_cert, None).await),
    ));
    let alt = format!("{}/alternate/9", fx.cert_url);
    v.push(good(
        "malformed",
        404,
        "alternate chain out of range",
        post(&alt, fx.signed_a(&alt, None).await),
    ));
    v.push(good(
        "malformed",
        400,
        "certificate fetch with a payload",
        post(
            &fx.cert_url,
            fx.signed_a(&fx.cert_url, Some(json!({}))).await,
        ),
    ));

    // --- ARI ---
    let ari = fx.rc.url("renewalInfo");
    v.push(good(
        "malformed",
        400,
        "renewalInfo garbage",
        Req {
            method: "GET",
            url: format!("{ari}/garbage"),
            headers: vec![],
            body: vec![],
        },
    ));
    v.push(good(
        "malformed",
        404,
        "renewalInfo unknown issuer",
        Req {
            method: "GET",
            url: format!("{ari}/AAAA.AAAB"),
            headers: vec![],
            body: vec![],
        },
    ));
    v.push(good(
        "serverInternal",
        500,
        "POST to renewalInfo",
        post(&format!("{ari}/AAAA.AAAB"), b"{}".to_vec()),
    ));

    // --- keyChange ---
    let kc = fx.rc.url("keyChange");
    v.push(good(
        "malformed",
        400,
        "keyChange inner is not a JWS",
        post(&kc, fx.signed_a(&kc, Some(json!({"hello": "world"}))).await),
    ));
    let inner_same = sign_raw(
        &fx.a,
        &json!({"alg": fx.a.alg(), "jwk": fx.a.jwk(), "url": kc}),
        json!({"account": fx.kid_a, "oldKey": fx.a.jwk()})
            .to_string()
            .as_bytes(),
    );
    v.push(good(
        "malformed",
        400,
        "keyChange to the same key",
        post(&kc, fx.signed_a(&kc, Some(inner_same)).await),
    ));
    let nk = TestKey::es256();
    let inner_wrong = sign_raw(
        &nk,
        &json!({"alg": nk.alg(), "jwk": nk.jwk(), "url": kc}),
        json!({"account": fx.kid_b, "oldKey": fx.a.jwk()})
            .to_string()
            .as_bytes(),
    );
    v.push(good(
        "malformed",
        400,
        "keyChange naming another account",
        post(&kc, fx.signed_a(&kc, Some(inner_wrong)).await),
    ));
    let inner_taken = sign_raw(
        &fx.b,
        &json!({"alg": fx.b.alg(), "jwk": fx.b.jwk(), "url": kc}),
        json!({"account": fx.kid_a, "oldKey": fx.a.jwk()})
            .to_string()
            .as_bytes(),
    );
    v.push(good(
        "malformed",
        409,
        "keyChange to a key in use",
        post(&kc, fx.signed_a(&kc, Some(inner_taken)).await),
    ));
    v
}

fn fx_case(kind: &'static str, status: u16, name: &'static str, req: Req) -> Case {
    Case {
        name,
        kind,
        status,
        req,
    }
}

#[tokio::test]
async fn malformed_requests_get_exact_problems() {
    let (lab, fx) = fixture().await;
    let cases = cases(&fx).await;
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let headers: Vec<(&str, &str)> = c
            .req
            .headers
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let r: Resp = tokio::time::timeout(
            Duration::from_secs(10),
            fx.rc
                .http
                .request(c.req.method, &c.req.url, &headers, c.req.body.clone()),
        )
        .await
        .unwrap_or_else(|_| panic!("{}: no answer", c.name));
        let want = format!("urn:ietf:params:acme:error:{}", c.kind);
        let ok = r.status == c.status
            && r.problem_type() == want
            && r.header("content-type")
                .is_some_and(|t| t.starts_with("application/problem+json"))
            && r.json()["status"] == c.status;
        if !ok {
            failures.push(format!(
                "{}: want {} {}, got {} {:?}",
                c.name,
                c.status,
                c.kind,
                r.status,
                r.json()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // The server is still healthy afterwards.
    let d = lab.https().get(&lab.acme.directory_url()).await;
    assert_eq!(d.status, 200);
    eprintln!(
        "{} malformed requests answered with the exact problem",
        cases.len()
    );
}

#[tokio::test]
async fn blocked_identifiers_come_with_subproblems() {
    let (_lab, fx) = fixture().await;
    let r = fx
        .rc
        .post(&fx.a, Some(&fx.kid_a), &fx.rc.url("newOrder"), Some(&json!({"identifiers": [
            {"type": "dns", "value": "a.blocked.example"}, {"type": "dns", "value": "b.blocked.example"}, {"type": "dns", "value": "fine.test"}]})))
        .await;
    assert_eq!(r.status, 400);
    let p = r.json();
    assert_eq!(p["type"], "urn:ietf:params:acme:error:rejectedIdentifier");
    let subs = p["subproblems"].as_array().unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0]["identifier"]["value"], "a.blocked.example");
    assert!(
        r.header("replay-nonce").is_some(),
        "errors carry a fresh nonce"
    );
    assert!(r.links().iter().any(|l| l.ends_with("rel=\"index\"")));
}
