//! Bad-input cases: transport, encoding, algorithms and JWS headers.

use crate::common::jose::{TestKey, b64, sign_raw};
use crate::fixture::{Case, Fx, JOSE, Req, post, raw_body};
use serde_json::json;

pub async fn cases(fx: &Fx) -> Vec<Case> {
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

    v
}
