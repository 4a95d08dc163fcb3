//! What Pebble lacks: rate limits, fault injection, reset, the virtual clock, the CRL,
//! plus the RFC 8555 details around nonces, pagination and deactivation.

mod common;

use std::time::Duration;

use common::jose::{RawClient, TestKey};
use common::{always_valid, start};
use mock_acme::{Config, MockAcme};
use serde_json::json;

fn order_body(name: &str) -> serde_json::Value {
    json!({"identifiers": [{"type": "dns", "value": name}]})
}

#[tokio::test]
async fn nonces_directory_and_index_links() {
    let lab = start(always_valid()).await;
    let https = lab.https();
    let rc = RawClient::new(https.clone(), &lab.acme.directory_url()).await;
    let head = https
        .request("HEAD", &rc.url("newNonce"), &[], vec![])
        .await;
    assert_eq!(head.status, 200);
    assert!(head.header("replay-nonce").is_some());
    assert_eq!(head.header("cache-control").as_deref(), Some("no-store"));
    let get = https.get(&rc.url("newNonce")).await;
    assert_eq!(get.status, 204);
    assert!(get.header("replay-nonce").is_some());
    assert_ne!(head.header("replay-nonce"), get.header("replay-nonce"));
    let meta = &rc.dir["meta"];
    assert_eq!(
        meta["termsOfService"],
        "data:text/plain,Do%20what%20thou%20wilt"
    );
    assert_eq!(meta["externalAccountRequired"], false);
    assert_eq!(meta["caaIdentities"][0], "pebble.letsencrypt.org");
    assert!(meta["profiles"]["default"].is_string());
    assert!(
        rc.dir["renewalInfo"]
            .as_str()
            .unwrap()
            .ends_with("/draft-ietf-acme-ari-03/renewalInfo")
    );
    let key = TestKey::ed25519();
    let kid = rc.account(&key).await;
    let r = rc.post(&key, Some(&kid), &kid, None).await;
    assert_eq!(r.status, 200);
    assert!(r.links().iter().any(|l| l.ends_with("/dir>;rel=\"index\"")));
    assert_eq!(r.json()["key"]["kty"], "OKP", "EdDSA account keys work");
}

#[tokio::test]
async fn orders_list_paginates_and_deactivation_sticks() {
    let cfg = Config {
        orders_per_page: 2,
        ..always_valid()
    };
    let lab = start(cfg).await;
    let rc = RawClient::new(lab.https(), &lab.acme.directory_url()).await;
    let key = TestKey::rs256();
    let kid = rc.account(&key).await;
    let mut authz = String::new();
    for i in 0..3 {
        let r = rc
            .post(
                &key,
                Some(&kid),
                &rc.url("newOrder"),
                Some(&order_body(&format!("o{i}.test"))),
            )
            .await;
        assert_eq!(r.status, 201);
        authz = r.json()["authorizations"][0].as_str().unwrap().to_string();
    }
    let acct = rc.post(&key, Some(&kid), &kid, None).await.json();
    let list_url = acct["orders"].as_str().unwrap().to_string();
    let page1 = rc.post(&key, Some(&kid), &list_url, None).await;
    assert_eq!(page1.json()["orders"].as_array().unwrap().len(), 2);
    let next = page1
        .links()
        .into_iter()
        .find(|l| l.contains("rel=\"next\""))
        .expect("next link");
    let next_url = next
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_string();
    let page2 = rc.post(&key, Some(&kid), &next_url, None).await;
    assert_eq!(page2.json()["orders"].as_array().unwrap().len(), 1);
    assert!(page2.links().iter().all(|l| !l.contains("rel=\"next\"")));

    let r = rc
        .post(
            &key,
            Some(&kid),
            &authz,
            Some(&json!({"status": "deactivated"})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "deactivated");
    let r = rc
        .post(
            &key,
            Some(&kid),
            &kid,
            Some(&json!({"status": "deactivated"})),
        )
        .await;
    assert_eq!(r.json()["status"], "deactivated");
    let r = rc
        .post(
            &key,
            Some(&kid),
            &rc.url("newOrder"),
            Some(&order_body("after.test")),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.problem_type(), "urn:ietf:params:acme:error:unauthorized");
}

#[tokio::test]
async fn rate_limits_answer_rate_limited_and_slide_with_the_clock() {
    let clock = certlab_clock::VirtualClock::frozen(std::time::SystemTime::now());
    let acme = MockAcme::builder()
        .config(always_valid())
        .virtual_clock(clock)
        .start()
        .await
        .unwrap();
    let lab = common::lab_for(acme);
    let mgmt = lab.acme.management_url().unwrap();
    let https = lab.https();
    let r = https
        .request(
            "POST",
            &format!("{mgmt}/rate-limits"),
            &[],
            br#"{"ordersPerAccount": {"count": 2, "windowSecs": 3600}}"#.to_vec(),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let rc = RawClient::new(https.clone(), &lab.acme.directory_url()).await;
    let key = TestKey::es256();
    let kid = rc.account(&key).await;
    for i in 0..2 {
        let r = rc
            .post(
                &key,
                Some(&kid),
                &rc.url("newOrder"),
                Some(&order_body(&format!("rl{i}.test"))),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let r = rc
        .post(
            &key,
            Some(&kid),
            &rc.url("newOrder"),
            Some(&order_body("rl3.test")),
        )
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(r.problem_type(), "urn:ietf:params:acme:error:rateLimited");
    assert_eq!(r.header("retry-after").as_deref(), Some("3600"));
    lab.acme.advance_clock(Duration::from_secs(3601)).unwrap();
    let r = rc
        .post(
            &key,
            Some(&kid),
            &rc.url("newOrder"),
            Some(&order_body("rl3.test")),
        )
        .await;
    assert_eq!(r.status, 201, "the window slid with the virtual clock");

    // Certificates per registered domain, set through the library API.
    lab.acme
        .rate_limits()
        .set(mock_acme::ratelimit::RateLimitConfig {
            orders_per_account: None,
            certificates_per_domain: Some(mock_acme::ratelimit::Limit {
                count: 1,
                window_secs: 86400,
            }),
        });
    let raw_issue = async |name: &str| {
        let r = rc
            .post(
                &key,
                Some(&kid),
                &rc.url("newOrder"),
                Some(&order_body(name)),
            )
            .await;
        if r.status != 201 {
            return r;
        }
        let order_url = r.header("location").unwrap();
        let authz = r.json()["authorizations"][0].as_str().unwrap().to_string();
        let a = rc.post(&key, Some(&kid), &authz, None).await.json();
        rc.post(
            &key,
            Some(&kid),
            a["challenges"][0]["url"].as_str().unwrap(),
            Some(&json!({})),
        )
        .await;
        let mut o = serde_json::Value::Null;
        for _ in 0..100 {
            o = rc.post(&key, Some(&kid), &order_url, None).await.json();
            if o["status"] == "ready" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (der, _) = common::csr(&[name], &rcgen::PKCS_ECDSA_P256_SHA256);
        rc.post(
            &key,
            Some(&kid),
            o["finalize"].as_str().unwrap(),
            Some(&json!({"csr": common::jose::b64(&der)})),
        )
        .await
    };
    assert_eq!(raw_issue("a.example.com").await.status, 200);
    let r = raw_issue("b.example.com").await;
    assert_eq!(r.status, 429, "{:?}", r.json());
    assert_eq!(r.problem_type(), "urn:ietf:params:acme:error:rateLimited");
    assert_eq!(
        raw_issue("a.example.org").await.status,
        200,
        "another registered domain"
    );
}

#[tokio::test]
async fn faults_inject_errors_latency_and_bad_nonces() {
    let lab = start(always_valid()).await;
    let mgmt = lab.acme.management_url().unwrap();
    let https = lab.https();
    let rc = RawClient::new(https.clone(), &lab.acme.directory_url()).await;
    let key = TestKey::es256();
    let kid = rc.account(&key).await;

    let r = https
        .request(
            "POST",
            &format!("{mgmt}/faults"),
            &[],
            br#"{"endpoint": "newOrder", "errorRate": 1.0, "status": 503, "retryAfter": 7}"#
                .to_vec(),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let r = rc
        .post(
            &key,
            Some(&kid),
            &rc.url("newOrder"),
            Some(&order_body("f.test")),
        )
        .await;
    assert_eq!(r.status, 503);
    assert_eq!(
        r.problem_type(),
        "urn:ietf:params:acme:error:serverInternal"
    );
    assert_eq!(r.header("retry-after").as_deref(), Some("7"));
    assert!(r.header("replay-nonce").is_some());
    // Other endpoints are untouched.
    assert_eq!(rc.post(&key, Some(&kid), &kid, None).await.status, 200);

    let r = https
        .request(
            "POST",
            &format!("{mgmt}/faults"),
            &[],
            br#"[{"endpoint": "*", "latencyMs": 300, "badNonceRate": 1.0}]"#.to_vec(),
        )
        .await;
    assert_eq!(r.status, 200);
    let started = std::time::Instant::now();
    let r = rc
        .post(
            &key,
            Some(&kid),
            &rc.url("newOrder"),
            Some(&order_body("f.test")),
        )
        .await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.problem_type(), "urn:ietf:params:acme:error:badNonce");
    let bad = https
        .request(
            "POST",
            &format!("{mgmt}/faults"),
            &[],
            br#"{"errorRate": 3}"#.to_vec(),
        )
        .await;
    assert_eq!(bad.status, 400);

    let r = https
        .request("DELETE", &format!("{mgmt}/faults"), &[], vec![])
        .await;
    assert_eq!(r.status, 200);
    let r = rc
        .post(
            &key,
            Some(&kid),
            &rc.url("newOrder"),
            Some(&order_body("f.test")),
        )
        .await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn reset_forgets_accounts() {
    let lab = start(always_valid()).await;
    let rc = RawClient::new(lab.https(), &lab.acme.directory_url()).await;
    let key = TestKey::es256();
    let kid = rc.account(&key).await;
    let mgmt = lab.acme.management_url().unwrap();
    let r = lab
        .https()
        .request("POST", &format!("{mgmt}/reset"), &[], vec![])
        .await;
    assert_eq!(r.status, 200);
    let r = rc.post(&key, Some(&kid), &kid, None).await;
    assert_eq!(
        r.problem_type(),
        "urn:ietf:params:acme:error:accountDoesNotExist"
    );
    // The CA survives a reset.
    let endpoints = lab
        .acme
        .lab_endpoints(&lab.dir.path().join("acme-ca.pem"))
        .unwrap();
    assert_eq!(endpoints["acme_directory"], lab.acme.directory_url());
    assert_eq!(
        std::fs::read_to_string(endpoints["acme_tls_ca"].as_str().unwrap()).unwrap(),
        lab.acme.tls_ca_pem()
    );
    assert!(lab.acme.root_pem(0).is_some());
    let r = lab.https().get(&format!("{mgmt}/roots/0")).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn crl_is_signed_by_the_issuer_and_dated_by_the_clock() {
    let t0 = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    let clock = certlab_clock::VirtualClock::frozen(t0);
    let acme = MockAcme::builder()
        .config(always_valid())
        .virtual_clock(clock)
        .start()
        .await
        .unwrap();
    let lab = common::lab_for(acme);
    let r = lab.https().get(&lab.acme.crl_url()).await;
    assert_eq!(r.status, 200);
    let (_, crl) = x509_parser::parse_x509_crl(&r.body).unwrap();
    assert_eq!(crl.last_update().timestamp(), 2_000_000_000);
    assert_eq!(crl.iter_revoked_certificates().count(), 0);
    let inter = common::chain_ders(&lab.acme.intermediate_pem(0).unwrap()).remove(0);
    let (_, inter) = x509_parser::parse_x509_certificate(&inter).unwrap();
    assert_eq!(crl.issuer(), inter.subject());
}

#[tokio::test]
async fn requested_not_before_and_not_after_are_honoured() {
    let lab = start(always_valid()).await;
    let rc = RawClient::new(lab.https(), &lab.acme.directory_url()).await;
    let key = TestKey::es256();
    let kid = rc.account(&key).await;
    let r = rc
        .post(
            &key,
            Some(&kid),
            &rc.url("newOrder"),
            Some(&json!({
                "identifiers": [{"type": "dns", "value": "dates.test"}],
                "notBefore": "2031-01-01T00:00:00Z",
                "notAfter": "2031-01-08T00:00:00Z",
            })),
        )
        .await;
    assert_eq!(r.status, 201);
    let order_url = r.header("location").unwrap();
    assert_eq!(r.json()["notBefore"], "2031-01-01T00:00:00Z");
    let authz = r.json()["authorizations"][0].as_str().unwrap().to_string();
    let a = rc.post(&key, Some(&kid), &authz, None).await.json();
    rc.post(
        &key,
        Some(&kid),
        a["challenges"][0]["url"].as_str().unwrap(),
        Some(&json!({})),
    )
    .await;
    let mut o = serde_json::Value::Null;
    for _ in 0..100 {
        o = rc.post(&key, Some(&kid), &order_url, None).await.json();
        if o["status"] == "ready" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (der, _) = common::csr(&["dates.test"], &rcgen::PKCS_ED25519);
    let r = rc
        .post(
            &key,
            Some(&kid),
            o["finalize"].as_str().unwrap(),
            Some(&json!({"csr": common::jose::b64(&der)})),
        )
        .await;
    assert_eq!(r.status, 200);
    let o = rc.post(&key, Some(&kid), &order_url, None).await.json();
    let pem = rc
        .post(&key, Some(&kid), o["certificate"].as_str().unwrap(), None)
        .await;
    let leaf = common::chain_ders(std::str::from_utf8(&pem.body).unwrap()).remove(0);
    let (_, c) = x509_parser::parse_x509_certificate(&leaf).unwrap();
    assert_eq!(c.validity().not_before.timestamp(), 1_924_992_000);
    assert_eq!(
        c.validity().not_after.timestamp(),
        1_924_992_000 + 7 * 86400
    );
}

#[tokio::test]
async fn strict_mode_refuses_lenient_requests() {
    let lab = start(Config {
        strict: true,
        ..always_valid()
    })
    .await;
    let rc = RawClient::new(lab.https(), &lab.acme.directory_url()).await;
    let key = TestKey::es256();
    let kid = rc.account(&key).await;
    let mut body = order_body("strict.test");
    body["resource"] = json!("new-order");
    let r = rc
        .post(&key, Some(&kid), &rc.url("newOrder"), Some(&body))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["detail"].as_str().unwrap().contains("resource"));
    let r = rc
        .post(
            &key,
            Some(&kid),
            &rc.url("newOrder"),
            Some(&order_body("strict.test")),
        )
        .await;
    assert_eq!(r.status, 201);
    let authz = r.json()["authorizations"][0].as_str().unwrap().to_string();
    let a = rc.post(&key, Some(&kid), &authz, None).await.json();
    let chal = a["challenges"][0]["url"].as_str().unwrap().to_string();
    let r = rc
        .post(&key, Some(&kid), &chal, Some(&json!({"extra": 1})))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.problem_type(), "urn:ietf:params:acme:error:malformed");
    let r = rc.post(&key, Some(&kid), &chal, Some(&json!({}))).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn authorization_reuse_and_nonce_rejection_follow_pebble_knobs() {
    let lab = start(Config {
        authz_reuse_percent: 100,
        ..always_valid()
    })
    .await;
    let rc = RawClient::new(lab.https(), &lab.acme.directory_url()).await;
    let key = TestKey::es256();
    let kid = rc.account(&key).await;
    let r = rc
        .post(
            &key,
            Some(&kid),
            &rc.url("newOrder"),
            Some(&order_body("reuse.test")),
        )
        .await;
    let authz = r.json()["authorizations"][0].as_str().unwrap().to_string();
    let a = rc.post(&key, Some(&kid), &authz, None).await.json();
    rc.post(
        &key,
        Some(&kid),
        a["challenges"][0]["url"].as_str().unwrap(),
        Some(&json!({})),
    )
    .await;
    for _ in 0..100 {
        if rc.post(&key, Some(&kid), &authz, None).await.json()["status"] == "valid" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let r = rc
        .post(
            &key,
            Some(&kid),
            &rc.url("newOrder"),
            Some(&order_body("reuse.test")),
        )
        .await;
    assert_eq!(
        r.json()["authorizations"][0],
        authz.as_str(),
        "valid authorization reused"
    );
    assert_eq!(r.json()["status"], "ready");

    let lab = start(Config {
        nonce_reject_percent: 100,
        ..always_valid()
    })
    .await;
    let rc = RawClient::new(lab.https(), &lab.acme.directory_url()).await;
    let key = TestKey::es256();
    let r = rc
        .post(
            &key,
            None,
            &rc.url("newAccount"),
            Some(&json!({"termsOfServiceAgreed": true})),
        )
        .await;
    assert_eq!(r.problem_type(), "urn:ietf:params:acme:error:badNonce");
}
