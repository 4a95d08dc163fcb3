//! Bad-input cases: accounts, orders, authorizations, finalize, certificates, ARI and keyChange.

use crate::common::csr;
use crate::common::jose::{TestKey, b64, sign_raw};
use crate::fixture::{Case, Fx, Req, fx_case, post};
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
