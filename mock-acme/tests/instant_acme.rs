//! End-to-end flows with a real ACME client (instant-acme 0.8.5).

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::dns::TestDns;
use common::responders::{Http01, TlsAlpn01};
use common::{Lab, always_valid, csr, start, verify_chain};
use instant_acme::{
    Account, AuthorizationStatus, ChallengeType, ExternalAccountKey, Identifier, NewAccount,
    NewOrder, Order, OrderStatus, RetryPolicy, RevocationReason, RevocationRequest,
};
use mock_acme::Config;
use mock_acme::ca::Profile;

fn retry() -> RetryPolicy {
    RetryPolicy::new()
        .initial_delay(Duration::from_millis(20))
        .backoff(1.5)
        .timeout(Duration::from_secs(30))
}

/// Orders, answers every authorization with `kind` via `answer`, and waits for ready.
async fn order_ready(
    account: &Account,
    idents: &[Identifier],
    kind: ChallengeType,
    mut answer: impl AsyncFnMut(&str, &str, String, String),
) -> Order {
    let mut order = account
        .new_order(&NewOrder::new(idents))
        .await
        .expect("new order");
    {
        let mut authzs = order.authorizations();
        while let Some(a) = authzs.next().await {
            let mut a = a.expect("authz");
            if a.status == AuthorizationStatus::Valid {
                continue;
            }
            let mut ch = a.challenge(kind.clone()).expect("challenge offered");
            let ident = match ch.identifier().identifier {
                Identifier::Dns(d) => d.clone(),
                Identifier::Ip(ip) => ip.to_string(),
                other => panic!("unexpected {other:?}"),
            };
            let ka = ch.key_authorization();
            answer(
                &ident,
                &ch.token.clone(),
                ka.as_str().to_string(),
                ka.dns_value(),
            )
            .await;
            ch.set_ready().await.expect("set ready");
        }
    }
    let status = settle(&mut order).await;
    if status != OrderStatus::Ready {
        let mut errors = Vec::new();
        let mut authzs = order.authorizations();
        while let Some(Ok(a)) = authzs.next().await {
            errors.extend(a.challenges.iter().filter_map(|c| c.error.clone()));
        }
        panic!("order {status:?}; challenge errors: {errors:?}");
    }
    order
}

/// Refreshes an order until it leaves `pending`.
async fn settle(order: &mut Order) -> OrderStatus {
    for _ in 0..1500 {
        let s = order.refresh().await.expect("refresh").status;
        if s != OrderStatus::Pending {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("order still pending");
}

async fn finalize(order: &mut Order, names: &[&str]) -> String {
    let (der, _key) = csr(names, &rcgen::PKCS_ECDSA_P256_SHA256);
    order.finalize_csr(&der).await.expect("finalize");
    order.poll_certificate(&retry()).await.expect("certificate")
}

async fn issue_always_valid(lab: &Lab, account: &Account, names: &[&str]) -> (Order, String) {
    let idents: Vec<Identifier> = names
        .iter()
        .map(|n| Identifier::Dns(n.to_string()))
        .collect();
    let mut order = order_ready(
        account,
        &idents,
        ChallengeType::Http01,
        async |_, _, _, _| {},
    )
    .await;
    let pem = finalize(&mut order, names).await;
    let root = lab.acme.root_pem(0).unwrap();
    verify_chain(&pem, &root, names[0], lab.acme.now());
    (order, pem)
}

#[tokio::test]
async fn account_contacts_key_rollover_and_deactivation() {
    let lab = start(always_valid()).await;
    let (mut account, creds) = lab.account_with_creds().await;
    account
        .update_contacts(&["mailto:new@example.com"])
        .await
        .expect("update contacts");
    let old_id = account.id().to_string();
    let _new_creds = account.update_key().await.expect("key rollover");
    assert_eq!(account.id(), old_id, "rollover keeps the account URL");
    // The new key can order; the old credentials no longer authenticate.
    issue_always_valid(&lab, &account, &["rollover.test"]).await;
    let old = Account::builder_with_root(&lab.ca_path)
        .unwrap()
        .from_credentials(creds)
        .await
        .unwrap();
    let err = old
        .new_order(&NewOrder::new(&[Identifier::Dns("x.test".into())]))
        .await
        .map(|_| ())
        .expect_err("old key is no longer the account key");
    assert!(
        format!("{err:?}").contains("accountDoesNotExist")
            || format!("{err:?}").contains("malformed"),
        "{err:?}"
    );
    account.deactivate().await.expect("deactivate");
}

#[tokio::test]
async fn external_account_binding() {
    let mut cfg = always_valid();
    cfg.external_account_binding_required = true;
    let mac = b"0123456789abcdef0123456789abcdef".to_vec();
    cfg.external_account_mac_keys = BTreeMap::from([("kid-1".to_string(), mac.clone())]);
    let lab = start(cfg).await;
    let new = NewAccount {
        contact: &[],
        terms_of_service_agreed: true,
        only_return_existing: false,
    };
    let err = Account::builder_with_root(&lab.ca_path)
        .unwrap()
        .create(&new, lab.acme.directory_url(), None)
        .await
        .map(|_| ())
        .expect_err("EAB required");
    assert!(
        format!("{err:?}").contains("externalAccountRequired"),
        "{err:?}"
    );
    let bad = ExternalAccountKey::new("kid-1".into(), b"wrong key");
    let err = Account::builder_with_root(&lab.ca_path)
        .unwrap()
        .create(&new, lab.acme.directory_url(), Some(&bad))
        .await
        .map(|_| ())
        .expect_err("wrong MAC key");
    assert!(format!("{err:?}").contains("unauthorized"), "{err:?}");
    let good = ExternalAccountKey::new("kid-1".into(), &mac);
    let (account, _) = Account::builder_with_root(&lab.ca_path)
        .unwrap()
        .create(&new, lab.acme.directory_url(), Some(&good))
        .await
        .expect("EAB account");
    issue_always_valid(&lab, &account, &["eab.test"]).await;
}

#[tokio::test]
async fn http01_with_real_validation() {
    let Some(dns) = TestDns::start("http01_with_real_validation").await else {
        return;
    };
    let http = Http01::start().await;
    let cfg = Config {
        http_port: http.port,
        ..Config::quiet()
    };
    let acme = mock_acme::MockAcme::builder()
        .config(cfg)
        .dns_server(dns.addr)
        .start()
        .await
        .unwrap();
    let lab = common::lab_for(acme);
    let account = lab.account().await;
    let idents = [
        Identifier::Dns("web.example.test".into()),
        Identifier::Ip("127.0.0.1".parse().unwrap()),
    ];
    let mut order = order_ready(
        &account,
        &idents,
        ChallengeType::Http01,
        async |_, token, ka, _| {
            http.add(token, &ka);
        },
    )
    .await;
    let pem = finalize(&mut order, &["web.example.test", "127.0.0.1"]).await;
    verify_chain(
        &pem,
        &lab.acme.root_pem(0).unwrap(),
        "web.example.test",
        lab.acme.now(),
    );

    // A wrong key authorization fails the challenge and the order.
    let mut order = account
        .new_order(&NewOrder::new(&[Identifier::Dns(
            "wrong.example.test".into(),
        )]))
        .await
        .unwrap();
    let mut authzs = order.authorizations();
    let mut a = authzs.next().await.unwrap().unwrap();
    let mut ch = a.challenge(ChallengeType::Http01).unwrap();
    http.add(&ch.token.clone(), "not-the-key-authorization");
    ch.set_ready().await.unwrap();
    assert_eq!(settle(&mut order).await, OrderStatus::Invalid);
}

#[tokio::test]
async fn dns01_through_the_test_dns_server_and_wildcards() {
    let Some(dns) = TestDns::start("dns01_through_the_test_dns_server_and_wildcards").await else {
        return;
    };
    let acme = mock_acme::MockAcme::builder()
        .config(Config::quiet())
        .dns_server(dns.addr)
        .start()
        .await
        .unwrap();
    let lab = common::lab_for(acme);
    let account = lab.account().await;
    let idents = [
        Identifier::Dns("*.dns.example.test".into()),
        Identifier::Dns("dns.example.test".into()),
    ];
    let mut order = order_ready(
        &account,
        &idents,
        ChallengeType::Dns01,
        async |ident, _, _, value| {
            dns.set_txt(&format!("_acme-challenge.{ident}"), &value)
                .await;
        },
    )
    .await;
    let pem = finalize(&mut order, &["*.dns.example.test", "dns.example.test"]).await;
    verify_chain(
        &pem,
        &lab.acme.root_pem(0).unwrap(),
        "x.dns.example.test",
        lab.acme.now(),
    );
}

#[tokio::test]
async fn caa_forbids_other_issuers() {
    let Some(dns) = TestDns::start("caa_forbids_other_issuers").await else {
        return;
    };
    dns.add_caa("caa.example.test", "issue", "other-ca.example")
        .await;
    let acme = mock_acme::MockAcme::builder()
        .config(Config::quiet())
        .dns_server(dns.addr)
        .start()
        .await
        .unwrap();
    let lab = common::lab_for(acme);
    let account = lab.account().await;
    let mut order = account
        .new_order(&NewOrder::new(&[Identifier::Dns(
            "www.caa.example.test".into(),
        )]))
        .await
        .unwrap();
    let mut authzs = order.authorizations();
    let mut a = authzs.next().await.unwrap().unwrap();
    let mut ch = a.challenge(ChallengeType::Dns01).unwrap();
    dns.set_txt(
        "_acme-challenge.www.caa.example.test",
        &ch.key_authorization().dns_value(),
    )
    .await;
    ch.set_ready().await.unwrap();
    assert_eq!(settle(&mut order).await, OrderStatus::Invalid);
    let mut authzs = order.authorizations();
    let a = authzs.next().await.unwrap().unwrap();
    let err = a
        .challenges
        .iter()
        .find_map(|c| c.error.clone())
        .expect("challenge error");
    assert_eq!(
        err.r#type.as_deref(),
        Some("urn:ietf:params:acme:error:caa")
    );
}

#[tokio::test]
async fn tlsalpn01_with_real_validation() {
    let Some(dns) = TestDns::start("tlsalpn01_with_real_validation").await else {
        return;
    };
    let alpn = TlsAlpn01::start().await;
    let cfg = Config {
        tls_port: alpn.port,
        ..Config::quiet()
    };
    let acme = mock_acme::MockAcme::builder()
        .config(cfg)
        .dns_server(dns.addr)
        .start()
        .await
        .unwrap();
    let lab = common::lab_for(acme);
    let account = lab.account().await;
    let idents = [Identifier::Dns("alpn.example.test".into())];
    let mut order = order_ready(
        &account,
        &idents,
        ChallengeType::TlsAlpn01,
        async |ident, _, ka, _| {
            alpn.add(ident, &ka);
        },
    )
    .await;
    let pem = finalize(&mut order, &["alpn.example.test"]).await;
    verify_chain(
        &pem,
        &lab.acme.root_pem(0).unwrap(),
        "alpn.example.test",
        lab.acme.now(),
    );
}

#[tokio::test]
async fn ed25519_and_rsa_csrs_are_signed() {
    let lab = start(always_valid()).await;
    let account = lab.account().await;
    for alg in [&rcgen::PKCS_ED25519, &rcgen::PKCS_ECDSA_P384_SHA384] {
        let idents = [Identifier::Dns("keys.test".into())];
        let mut order = order_ready(
            &account,
            &idents,
            ChallengeType::Http01,
            async |_, _, _, _| {},
        )
        .await;
        let (der, _) = csr(&["keys.test"], alg);
        order.finalize_csr(&der).await.expect("finalize");
        let pem = order.poll_certificate(&retry()).await.unwrap();
        verify_chain(
            &pem,
            &lab.acme.root_pem(0).unwrap(),
            "keys.test",
            lab.acme.now(),
        );
    }
}

#[tokio::test]
async fn alternate_chains_are_linked() {
    let cfg = Config {
        alternate_roots: 2,
        chain_length: 2,
        ..always_valid()
    };
    let lab = start(cfg).await;
    let account = lab.account().await;
    let (mut order, pem) = issue_always_valid(&lab, &account, &["alt.test"]).await;
    assert_eq!(common::chain_ders(&pem).len(), 3, "leaf + 2 intermediates");
    let cert_url = order.state().certificate.clone().expect("certificate URL");
    // instant-acme has no alternate support: fetch the links with a raw client.
    let raw = common::jose::RawClient::new(lab.https(), &lab.acme.directory_url()).await;
    let key = common::jose::TestKey::es256();
    let kid = raw.account(&key).await;
    let r = raw.post(&key, Some(&kid), &cert_url, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/pem-certificate-chain")
    );
    let alts: Vec<String> = r
        .links()
        .into_iter()
        .filter(|l| l.contains("rel=\"alternate\""))
        .collect();
    assert_eq!(alts.len(), 2, "{alts:?}");
    assert!(r.links().iter().any(|l| l.contains("rel=\"up\"")));
    for (i, link) in alts.iter().enumerate() {
        let url = link.trim_start_matches('<').split('>').next().unwrap();
        let r = raw.post(&key, Some(&kid), url, None).await;
        assert_eq!(r.status, 200);
        let alt_pem = String::from_utf8(r.body.to_vec()).unwrap();
        verify_chain(
            &alt_pem,
            &lab.acme.root_pem(i + 1).unwrap(),
            "alt.test",
            lab.acme.now(),
        );
    }
}

fn leaf_der(pem: &str) -> rustls_pki_types::CertificateDer<'static> {
    rustls_pki_types::CertificateDer::from(common::chain_ders(pem).remove(0))
}

async fn crl_serials(lab: &Lab) -> Vec<String> {
    let r = lab.https().get(&lab.acme.crl_url()).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/pkix-crl")
    );
    let (_, crl) = x509_parser::parse_x509_crl(&r.body).expect("CRL parses");
    crl.iter_revoked_certificates()
        .map(|c| c.raw_serial_as_string().replace(':', ""))
        .collect()
}

#[tokio::test]
async fn revocation_by_issuer_by_key_and_by_authz_holder() {
    let lab = start(always_valid()).await;
    let account = lab.account().await;
    // 1. by the issuing account
    let (_, pem) = issue_always_valid(&lab, &account, &["rev1.test"]).await;
    let der = leaf_der(&pem);
    account
        .revoke(&RevocationRequest {
            certificate: &der,
            reason: Some(RevocationReason::KeyCompromise),
        })
        .await
        .expect("revoke by issuer");
    let serial = {
        let (_, c) = x509_parser::parse_x509_certificate(&der).unwrap();
        c.raw_serial_as_string().replace(':', "")
    };
    let status = lab.acme.cert_status(&serial).expect("status");
    assert_eq!(status["Status"], "Revoked");
    assert_eq!(status["Reason"], 1);
    assert!(crl_serials(&lab).await.contains(&serial));
    let again = account
        .revoke(&RevocationRequest {
            certificate: &der,
            reason: None,
        })
        .await
        .map(|_| ())
        .expect_err("already revoked");
    assert!(format!("{again:?}").contains("alreadyRevoked"), "{again:?}");

    // 2. by another account holding valid authorizations for every name
    let (_, pem) = issue_always_valid(&lab, &account, &["rev2.test"]).await;
    let der = leaf_der(&pem);
    let other = lab.account().await;
    let err = other
        .revoke(&RevocationRequest {
            certificate: &der,
            reason: None,
        })
        .await
        .map(|_| ())
        .expect_err("a stranger cannot revoke");
    assert!(format!("{err:?}").contains("unauthorized"), "{err:?}");
    issue_always_valid(&lab, &other, &["rev2.test"]).await; // gains the authorization
    other
        .revoke(&RevocationRequest {
            certificate: &der,
            reason: Some(RevocationReason::Superseded),
        })
        .await
        .expect("authz holder revokes");

    // 3. by the certificate key (raw JWS signed with the leaf key)
    let raw = common::jose::RawClient::new(lab.https(), &lab.acme.directory_url()).await;
    let kid_key = common::jose::TestKey::es256();
    let kid = raw.account(&kid_key).await;
    let mut order = raw
        .post(
            &kid_key,
            Some(&kid),
            &raw.url("newOrder"),
            Some(&serde_json::json!({"identifiers": [{"type": "dns", "value": "rev3.test"}]})),
        )
        .await;
    assert_eq!(order.status, 201);
    let authz = order.json()["authorizations"][0]
        .as_str()
        .unwrap()
        .to_string();
    let a = raw.post(&kid_key, Some(&kid), &authz, None).await.json();
    let chal = a["challenges"][0]["url"].as_str().unwrap().to_string();
    raw.post(&kid_key, Some(&kid), &chal, Some(&serde_json::json!({})))
        .await;
    let order_url = order.header("location").unwrap();
    for _ in 0..100 {
        order = raw.post(&kid_key, Some(&kid), &order_url, None).await;
        if order.json()["status"] == "ready" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let leaf_key = common::jose::TestKey::ed25519();
    let csr_der = ed25519_csr(&leaf_key, "rev3.test");
    let fin = order.json()["finalize"].as_str().unwrap().to_string();
    let r = raw
        .post(
            &kid_key,
            Some(&kid),
            &fin,
            Some(&serde_json::json!({"csr": common::jose::b64(&csr_der)})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(r.json()["status"], "processing");
    assert!(r.header("retry-after").is_some());
    let o = raw
        .post(&kid_key, Some(&kid), &order_url, None)
        .await
        .json();
    assert_eq!(o["status"], "valid");
    let cert = raw
        .post(
            &kid_key,
            Some(&kid),
            o["certificate"].as_str().unwrap(),
            None,
        )
        .await;
    let der = leaf_der(std::str::from_utf8(&cert.body).unwrap());
    let r = raw
        .post(
            &leaf_key,
            None,
            &raw.url("revokeCert"),
            Some(&serde_json::json!({"certificate": common::jose::b64(&der)})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(crl_serials(&lab).await.len(), 3);
}

/// A CSR signed by a raw Ed25519 test key.
fn ed25519_csr(key: &common::jose::TestKey, name: &str) -> Vec<u8> {
    let common::jose::TestKey::Ed25519(k) = key else {
        panic!("ed25519 only")
    };
    let pkcs8 = k.to_pkcs8().unwrap().as_ref().to_vec();
    let kp = rcgen::KeyPair::try_from(pkcs8.as_slice()).unwrap();
    let mut params = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.serialize_request(&kp).unwrap().der().to_vec()
}

#[tokio::test]
async fn profiles_and_renewal_info() {
    let mut cfg = always_valid();
    cfg.profiles = BTreeMap::from([
        (
            "classic".to_string(),
            Profile {
                description: "90 days with a CN".into(),
                validity_period: 90 * 86400,
                promote_common_name: true,
            },
        ),
        (
            "shortlived".to_string(),
            Profile {
                description: "six days".into(),
                validity_period: 6 * 86400,
                promote_common_name: false,
            },
        ),
    ]);
    cfg.default_profile = Some("classic".into());
    let lab = start(cfg).await;
    let account = lab.account().await;
    let mut names: Vec<&str> = account.profiles().map(|p| p.name).collect();
    names.sort();
    assert_eq!(names, vec!["classic", "shortlived"]);

    // No profile requested: the configured default, not a random one.
    let (_, pem) = issue_always_valid(&lab, &account, &["prof.test"]).await;
    let der = leaf_der(&pem);
    let (_, c) = x509_parser::parse_x509_certificate(&der).unwrap();
    assert_eq!(
        c.subject()
            .iter_common_name()
            .next()
            .unwrap()
            .as_str()
            .unwrap(),
        "prof.test"
    );

    // The short-lived profile.
    let idents = [Identifier::Dns("prof.test".into())];
    let ident = instant_acme::CertificateIdentifier::try_from(&der).unwrap();
    let mut order = account
        .new_order(
            &NewOrder::new(&idents)
                .profile("shortlived")
                .replaces(ident.clone()),
        )
        .await
        .expect("order with profile and replaces");
    {
        let mut authzs = order.authorizations();
        while let Some(a) = authzs.next().await {
            let mut a = a.unwrap();
            if a.status != AuthorizationStatus::Valid {
                a.challenge(ChallengeType::Http01)
                    .unwrap()
                    .set_ready()
                    .await
                    .unwrap();
            }
        }
    }
    assert_eq!(settle(&mut order).await, OrderStatus::Ready);
    let short = finalize(&mut order, &["prof.test"]).await;
    let short_der = leaf_der(&short);
    let (_, s) = x509_parser::parse_x509_certificate(&short_der).unwrap();
    let lifetime = s.validity().not_after.timestamp() - s.validity().not_before.timestamp();
    assert_eq!(lifetime, 6 * 86400 - 1);
    assert!(s.subject().iter_common_name().next().is_none());

    // A second replacement of the same certificate is refused.
    let err = account
        .new_order(&NewOrder::new(&idents).replaces(ident))
        .await
        .map(|_| ())
        .expect_err("already replaced");
    assert!(format!("{err:?}").contains("alreadyReplaced"), "{err:?}");

    // Unknown profile.
    let err = account
        .new_order(&NewOrder::new(&idents).profile("nope"))
        .await
        .map(|_| ())
        .expect_err("unknown profile");
    assert!(format!("{err:?}").contains("invalidProfile"), "{err:?}");

    // ARI: the window sits two thirds into the lifetime, one day either side.
    let id = instant_acme::CertificateIdentifier::try_from(&short_der).unwrap();
    let (info, _retry) = account.renewal_info(&id).await.expect("renewal info");
    let na = s.validity().not_after.timestamp();
    let ideal = na - (6 * 86400) / 3;
    assert_eq!(info.suggested_window.start.unix_timestamp(), ideal - 86400);
    assert_eq!(info.suggested_window.end.unix_timestamp(), ideal + 86400);

    // The management override replaces the body.
    let body =
        r#"{"suggestedWindow":{"start":"2020-01-01T00:00:00Z","end":"2020-01-02T00:00:00Z"}}"#;
    lab.acme.set_renewal_info(&short, body).unwrap();
    let (info, _) = account.renewal_info(&id).await.unwrap();
    assert_eq!(info.suggested_window.start.year(), 2020);
}

#[tokio::test]
async fn virtual_clock_drives_validity_expiry_and_ari() {
    let start_time = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000);
    let clock = certlab_clock::VirtualClock::frozen(start_time);
    let acme = mock_acme::MockAcme::builder()
        .config(always_valid())
        .virtual_clock(clock.clone())
        .start()
        .await
        .unwrap();
    let lab = common::lab_for(acme);
    let account = lab.account().await;
    let (_, pem) = issue_always_valid(&lab, &account, &["clock.test"]).await;
    let der = leaf_der(&pem);
    let (_, c) = x509_parser::parse_x509_certificate(&der).unwrap();
    assert_eq!(c.validity().not_before.timestamp(), 1_900_000_000);

    // A pending order expires after 24 hours of virtual time.
    let mut order = account
        .new_order(&NewOrder::new(&[Identifier::Dns("later.test".into())]))
        .await
        .unwrap();
    lab.acme
        .advance_clock(Duration::from_secs(25 * 3600))
        .unwrap();
    let state = order.refresh().await.unwrap();
    assert_eq!(state.status, OrderStatus::Invalid);

    // The management endpoint advances the same clock.
    let mgmt = lab.acme.management_url().unwrap();
    let r = lab
        .https()
        .request(
            "POST",
            &format!("{mgmt}/clock"),
            &[],
            br#"{"advanceSeconds": 5184000}"#.to_vec(),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(
        clock_now(&clock),
        start_time + Duration::from_secs(25 * 3600 + 5_184_000)
    );
    // 61 days in, the ARI window (centred at day 60) has started.
    let id = instant_acme::CertificateIdentifier::try_from(&der).unwrap();
    let (info, _) = account.renewal_info(&id).await.unwrap();
    let now = clock_now(&clock)
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(info.suggested_window.start.unix_timestamp() <= now);
}

fn clock_now(c: &certlab_clock::VirtualClock) -> std::time::SystemTime {
    use certlab_clock::Clock;
    c.now()
}

#[tokio::test]
async fn system_clock_refuses_advances() {
    let lab = start(always_valid()).await;
    assert!(lab.acme.advance_clock(Duration::from_secs(1)).is_err());
    let mgmt = lab.acme.management_url().unwrap();
    let r = lab
        .https()
        .request(
            "POST",
            &format!("{mgmt}/clock"),
            &[],
            br#"{"advanceSeconds": 1}"#.to_vec(),
        )
        .await;
    assert_eq!(r.status, 409);
}
