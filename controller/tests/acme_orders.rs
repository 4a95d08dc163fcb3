//! The ACME issuer against mock-acme in-process: account setup (generated key, EAB,
//! caBundle), CertificateRequest → Order naming, the Orders controller's states,
//! `preferredChain`, `profile`, blocked names and server faults.
//!
//! mock-acme runs with `va_always_valid` here: what is under test is the account and
//! order flow, not the solvers (those are in `acme_challenges*.rs` and the lab's
//! end-to-end tests in `harness/tests/acme.rs`). These clusters run no solver images,
//! so the Challenges controller's self-check cannot pass; `accept_challenges` answers
//! the CA for it and records the outcome on the Challenge.

mod lab;

use std::time::Duration;

use certlab_controller::api::acme::State;
use certlab_controller::api::certificate_request::CertificateRequest;
use certlab_controller::api::challenge::Challenge;
use certlab_controller::api::issuer::ClusterIssuer;
use certlab_controller::api::order::Order;
use kube::ResourceExt;
use kube::api::{Api, ListParams, Patch, PatchParams};
use lab::{create, eventually, lab, wait_ready};
use mock_acme::{Config, MockAcme, RunningAcme};
use serde_json::json;

async fn acme(cfg: Config) -> RunningAcme {
    MockAcme::builder()
        .config(Config {
            va_always_valid: true,
            ..cfg
        })
        .start()
        .await
        .expect("mock-acme starts")
}

fn quiet() -> Config {
    Config::quiet()
}

/// Stands in for solving: answers every Challenge with the ACME server (which validates
/// anything in always-valid mode) and records the outcome on the Challenge.
fn accept_challenges(lab: &lab::Lab) -> tokio::task::JoinHandle<()> {
    let client = lab.client.clone();
    let ctx = lab.runner.context.clone();
    tokio::spawn(async move {
        let api: Api<Challenge> = Api::all(client.clone());
        loop {
            for ch in api.list(&ListParams::default()).await.unwrap().items {
                if ch.status.as_ref().and_then(|s| s.state).is_some() {
                    continue;
                }
                let ns = ch.namespace().unwrap_or_default();
                let Ok(Ok(issuer)) =
                    certlab_controller::requests::get_issuer(&ctx, &ch.spec.issuer_ref, &ns).await
                else {
                    continue;
                };
                let Ok(account) = ctx.acme_accounts.get(&ctx, &issuer).await else {
                    continue;
                };
                if account.accept_challenge(&ch.spec.url).await.is_err() {
                    continue;
                }
                let mut state = String::from("pending");
                for _ in 0..100 {
                    state = account
                        .authorization(&ch.spec.authorization_url)
                        .await
                        .unwrap()
                        .0;
                    if state != "pending" {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                let api_ns: Api<Challenge> = Api::namespaced(client.clone(), &ns);
                let _ = api_ns
                    .patch_status(
                        &ch.name_any(),
                        &PatchParams::default(),
                        &Patch::Merge(json!({"status": {"state": state, "presented": true, "processing": false}})),
                    )
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    })
}

async fn acme_cluster_issuer(
    c: &kube::Client,
    name: &str,
    acme: &RunningAcme,
    extra: serde_json::Value,
) {
    let mut spec = json!({
        "server": acme.directory_url(),
        "caBundle": base64(acme.tls_ca_pem().as_bytes()),
        "email": "ops@example.com",
        "privateKeySecretRef": {"name": format!("{name}-account")},
        "solvers": [{"http01": {"ingress": {}}}],
    });
    if let (Some(s), Some(e)) = (spec.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            s.insert(k.clone(), v.clone());
        }
    }
    create(
        &Api::<ClusterIssuer>::all(c.clone()),
        json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
               "metadata": {"name": name}, "spec": {"acme": spec}}),
    )
    .await;
}

fn base64(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

async fn issuer_status(c: &kube::Client, name: &str) -> serde_json::Value {
    let api: Api<ClusterIssuer> = Api::all(c.clone());
    serde_json::to_value(api.get(name).await.unwrap().status).unwrap()
}

async fn wait_issuer_ready(c: &kube::Client, name: &str) -> serde_json::Value {
    let api: Api<ClusterIssuer> = Api::all(c.clone());
    eventually(Duration::from_secs(20), "ACME issuer Ready", || {
        let api = api.clone();
        let name = name.to_string();
        async move {
            api.get(&name)
                .await
                .unwrap()
                .status
                .is_some_and(|s| s.is_ready())
        }
    })
    .await;
    issuer_status(c, name).await
}

async fn acme_certificate(c: &kube::Client, name: &str, issuer: &str, dns: &[&str]) {
    create(
        &Api::<certlab_controller::api::certificate::Certificate>::namespaced(c.clone(), "default"),
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
               "metadata": {"name": name, "namespace": "default"},
               "spec": {"secretName": format!("{name}-tls"), "dnsNames": dns,
                        "issuerRef": {"name": issuer, "kind": "ClusterIssuer"}}}),
    )
    .await;
}

fn chain_of(pem: &[u8]) -> Vec<certlab_controller::pki::Certificate> {
    certlab_controller::pki::Certificate::parse_chain_pem(pem).expect("a PEM chain")
}

#[tokio::test]
async fn account_is_registered_with_a_generated_key() {
    let acme = acme(quiet()).await;
    let lab = lab().await;
    let c = &lab.client;
    acme_cluster_issuer(c, "le", &acme, json!({})).await;
    let st = wait_issuer_ready(c, "le").await;
    let cond = &st["conditions"][0];
    assert_eq!(cond["reason"], "ACMEAccountRegistered");
    assert_eq!(
        cond["message"],
        "The ACME account was registered with the ACME server"
    );
    let uri = st["acme"]["uri"].as_str().unwrap();
    assert!(
        uri.starts_with(&format!("https://{}", acme.acme_addr())),
        "{uri}"
    );
    assert_eq!(st["acme"]["lastRegisteredEmail"], "ops@example.com");
    assert!(
        st["acme"]["lastPrivateKeyHash"]
            .as_str()
            .is_some_and(|h| h.len() == 44)
    );
    // The key was generated into the cluster resource namespace, as PKCS#8 P-256.
    let secrets: Api<k8s_openapi::api::core::v1::Secret> =
        Api::namespaced(c.clone(), "kube-system");
    let secret = secrets.get("le-account").await.unwrap();
    let pem = &secret.data.unwrap()["tls.key"].0;
    assert!(String::from_utf8_lossy(pem).starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(certlab_controller::acme::account::pkcs8_of_pem(pem).is_some());
}

#[tokio::test]
async fn key_generation_disabled_and_missing_secret_is_not_ready() {
    let acme = acme(quiet()).await;
    let lab = lab().await;
    let c = &lab.client;
    acme_cluster_issuer(
        c,
        "nokey",
        &acme,
        json!({"disableAccountKeyGeneration": true}),
    )
    .await;
    let api: Api<ClusterIssuer> = Api::all(c.clone());
    eventually(Duration::from_secs(20), "issuer condition", || {
        let api = api.clone();
        async move {
            api.get("nokey").await.unwrap().status.is_some_and(|s| {
                s.conditions().iter().any(|c| {
                    c.reason.as_deref() == Some("ErrVerifyACMEAccount")
                        && c.message.as_deref().is_some_and(|m| {
                            m.contains("'disableAccountKeyGeneration' set to true, but the secret was not found")
                        })
                })
            })
        }
    })
    .await;
}

#[tokio::test]
async fn external_account_binding_is_required_and_used() {
    use base64::Engine;
    let mac = b"0123456789abcdef0123456789abcdef".to_vec();
    let acme = acme(Config {
        external_account_binding_required: true,
        external_account_mac_keys: [("kid-1".to_string(), mac.clone())].into(),
        ..quiet()
    })
    .await;
    let lab = lab().await;
    let c = &lab.client;
    // Without EAB the CA refuses: not Ready, with the CA's problem in the message.
    acme_cluster_issuer(c, "no-eab", &acme, json!({})).await;
    let api: Api<ClusterIssuer> = Api::all(c.clone());
    eventually(Duration::from_secs(20), "registration refused", || {
        let api = api.clone();
        async move {
            api.get("no-eab").await.unwrap().status.is_some_and(|s| {
                s.conditions().iter().any(|c| {
                    c.reason.as_deref() == Some("ErrRegisterACMEAccount")
                        && c.message
                            .as_deref()
                            .is_some_and(|m| m.contains("externalAccountRequired"))
                })
            })
        }
    })
    .await;
    // With the key in a Secret, registration succeeds.
    let secrets: Api<k8s_openapi::api::core::v1::Secret> =
        Api::namespaced(c.clone(), "kube-system");
    create(
        &secrets,
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "eab"},
               "stringData": {"secret": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&mac)}}),
    )
    .await;
    acme_cluster_issuer(
        c,
        "with-eab",
        &acme,
        json!({"externalAccountBinding": {"keyID": "kid-1", "keySecretRef": {"name": "eab", "key": "secret"}}}),
    )
    .await;
    wait_issuer_ready(c, "with-eab").await;
    // And issues through it.
    let _acceptor = accept_challenges(&lab);
    acme_certificate(c, "bound", "with-eab", &["bound.example.test"]).await;
    wait_ready(c, "default", "bound", Duration::from_secs(30)).await;
}

#[tokio::test]
async fn certificate_is_issued_through_an_order_named_like_cert_manager() {
    let acme = acme(quiet()).await;
    let lab = lab().await;
    let _acceptor = accept_challenges(&lab);
    let c = &lab.client;
    acme_cluster_issuer(c, "le", &acme, json!({})).await;
    wait_issuer_ready(c, "le").await;
    acme_certificate(c, "web", "le", &["web.example.test", "www.example.test"]).await;
    wait_ready(c, "default", "web", Duration::from_secs(30)).await;

    let crs: Api<CertificateRequest> = Api::namespaced(c.clone(), "default");
    let cr = crs
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .remove(0);
    let orders: Api<Order> = Api::namespaced(c.clone(), "default");
    let order = orders
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .remove(0);
    let expected = certlab_controller::requests::acme::order_name(&cr.name_any(), &order.spec);
    assert_eq!(order.name_any(), expected);
    assert!(order.name_any().starts_with(&format!("{}-", cr.name_any())));
    let st = order.status.unwrap();
    assert_eq!(st.state, Some(State::Valid));
    assert_eq!(st.authorizations.as_ref().map(Vec::len), Some(2));
    assert!(st.url.unwrap().starts_with("https://"));

    // The Secret's chain goes up to one of mock-acme's intermediates.
    let tls = lab::secret_data(c, "web-tls").await;
    let chain = chain_of(&tls["tls.crt"]);
    assert!(chain.len() >= 2);
    let mut sans = chain[0].summary().dns_names;
    sans.sort();
    assert_eq!(sans, ["web.example.test", "www.example.test"]);
    chain[0]
        .check_signature_from(&chain[1])
        .expect("leaf signed by the intermediate");
    // Challenges are deleted once the Order is valid.
    let challenges: Api<Challenge> = Api::namespaced(c.clone(), "default");
    eventually(Duration::from_secs(10), "challenges cleaned up", || {
        let challenges = challenges.clone();
        async move {
            challenges
                .list(&ListParams::default())
                .await
                .unwrap()
                .items
                .is_empty()
        }
    })
    .await;
}

#[tokio::test]
async fn preferred_chain_selects_the_alternate_root() {
    let acme = acme(Config {
        alternate_roots: 1,
        ..quiet()
    })
    .await;
    // The alternate root's CN.
    let alt_root =
        certlab_controller::pki::Certificate::from_pem(acme.root_pem(1).unwrap().as_bytes())
            .unwrap();
    let alt_cn = alt_root.subject().first_common_name().unwrap().to_string();
    let lab = lab().await;
    let _acceptor = accept_challenges(&lab);
    let c = &lab.client;
    acme_cluster_issuer(c, "alt", &acme, json!({"preferredChain": alt_cn})).await;
    wait_issuer_ready(c, "alt").await;
    acme_certificate(c, "pref", "alt", &["pref.example.test"]).await;
    wait_ready(c, "default", "pref", Duration::from_secs(30)).await;
    let tls = lab::secret_data(c, "pref-tls").await;
    let chain = chain_of(&tls["tls.crt"]);
    let top = chain.last().unwrap();
    assert_eq!(top.issuer().first_common_name(), Some(alt_cn.as_str()));
}

#[tokio::test]
async fn profile_is_sent_and_honoured() {
    let day = 86_400;
    let profile = |validity_period, description: &str| mock_acme::ca::Profile {
        description: description.to_string(),
        validity_period,
        promote_common_name: false,
    };
    let acme = acme(Config {
        profiles: [
            ("classic".to_string(), profile(90 * day, "90 days")),
            ("shortlived".to_string(), profile(6 * day, "6 days")),
        ]
        .into(),
        default_profile: Some("classic".to_string()),
        ..quiet()
    })
    .await;
    let name = "shortlived".to_string();
    let lab = lab().await;
    let _acceptor = accept_challenges(&lab);
    let c = &lab.client;
    acme_cluster_issuer(c, "prof", &acme, json!({"profile": name})).await;
    wait_issuer_ready(c, "prof").await;
    acme_certificate(c, "short", "prof", &["short.example.test"]).await;
    wait_ready(c, "default", "short", Duration::from_secs(30)).await;
    let orders: Api<Order> = Api::namespaced(c.clone(), "default");
    let order = orders
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(order.spec.profile.as_deref(), Some(name.as_str()));
    let tls = lab::secret_data(c, "short-tls").await;
    let leaf = &chain_of(&tls["tls.crt"])[0];
    let validity = leaf.not_after().duration_since(leaf.not_before()).unwrap();
    // Validity is inclusive of the last second in X.509.
    assert!(
        validity.as_secs().abs_diff(6 * day) <= 1,
        "{validity:?} is not the shortlived profile's 6 days"
    );
}

#[tokio::test]
async fn a_blocked_name_fails_the_order_and_the_request() {
    let acme = acme(Config {
        domain_blocklist: vec!["blocked.example.test".to_string()],
        ..quiet()
    })
    .await;
    let lab = lab().await;
    let c = &lab.client;
    acme_cluster_issuer(c, "le", &acme, json!({})).await;
    wait_issuer_ready(c, "le").await;
    acme_certificate(c, "bad", "le", &["blocked.example.test"]).await;
    let orders: Api<Order> = Api::namespaced(c.clone(), "default");
    eventually(Duration::from_secs(20), "order errored", || {
        let orders = orders.clone();
        async move {
            orders.list(&ListParams::default()).await.unwrap().items.iter().any(|o| {
                o.status.as_ref().is_some_and(|s| {
                    s.state == Some(State::Errored)
                        && s.reason.as_deref().is_some_and(|r| {
                            r.starts_with("Failed to create Order: 400 urn:ietf:params:acme:error:rejectedIdentifier")
                        })
                        && s.failure_time.is_some()
                })
            })
        }
    })
    .await;
    let crs: Api<CertificateRequest> = Api::namespaced(c.clone(), "default");
    eventually(Duration::from_secs(20), "request failed", || {
        let crs = crs.clone();
        async move {
            crs.list(&ListParams::default())
                .await
                .unwrap()
                .items
                .iter()
                .any(|cr| {
                    cr.status.as_ref().is_some_and(|s| {
                        s.conditions().iter().any(|c| {
                            c.type_ == "Ready"
                                && c.reason.as_deref() == Some("Failed")
                                && c.message
                                    .as_deref()
                                    .is_some_and(|m| m.contains("order is in \"errored\" state"))
                        })
                    })
                })
        }
    })
    .await;
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_without_a_second_order() {
    use mock_acme::faults::FaultRule;
    use mock_acme::ratelimit::{Limit, RateLimitConfig};
    let acme = acme(quiet()).await;
    acme.rate_limits().set(RateLimitConfig {
        orders_per_account: Some(Limit {
            count: 0,
            window_secs: 3600,
        }),
        ..Default::default()
    });
    let lab = lab().await;
    let _acceptor = accept_challenges(&lab);
    let c = &lab.client;
    acme_cluster_issuer(c, "le", &acme, json!({})).await;
    wait_issuer_ready(c, "le").await;
    acme_certificate(c, "retry", "le", &["retry.example.test"]).await;

    // newOrder is rate limited: the Order waits, with backoff, and has no ACME order.
    let orders: Api<Order> = Api::namespaced(c.clone(), "default");
    let ctx = lab.runner.context.clone();
    let order_key = || {
        let orders = orders.clone();
        async move {
            orders
                .list(&ListParams::default())
                .await
                .unwrap()
                .items
                .first()
                .map(|o| format!("default/{}", o.name_any()))
        }
    };
    eventually(Duration::from_secs(20), "two rate-limited attempts", || {
        let ctx = ctx.clone();
        let key = order_key();
        async move {
            key.await
                .is_some_and(|k| ctx.acme_backoff.failures(&k) >= 2)
        }
    })
    .await;
    let order = orders
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .remove(0);
    assert!(order.status.as_ref().and_then(|s| s.url.as_ref()).is_none());
    assert_eq!(acme.order_count(), 0);

    // Lift the limit but fail every finalize with 503 for a while.
    acme.faults()
        .set(vec![FaultRule {
            endpoint: "finalize".to_string(),
            error_rate: 1.0,
            ..Default::default()
        }])
        .unwrap();
    acme.rate_limits().set(RateLimitConfig::default());
    let name = order.name_any();
    eventually(
        Duration::from_secs(30),
        "finalize refused at least once",
        || {
            let ctx = ctx.clone();
            let orders = orders.clone();
            let name = name.clone();
            async move {
                let o = orders.get(&name).await.unwrap();
                o.status.as_ref().and_then(|s| s.state) == Some(State::Ready)
                    && ctx.acme_backoff.failures(&format!("default/{name}")) >= 1
            }
        },
    )
    .await;
    acme.faults().clear();
    wait_ready(c, "default", "retry", Duration::from_secs(30)).await;
    assert_eq!(acme.order_count(), 1, "one ACME order for one Order object");
}
