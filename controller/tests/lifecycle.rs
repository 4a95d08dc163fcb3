//! Certificate behaviour on the embedded cluster: key types and SANs, re-issuance,
//! renewal on the virtual clock, failures and backoff, and outputs.

mod lab;

use std::time::{Duration, Instant};

use certlab_controller::api::certificate::Certificate;
use certlab_controller::api::certificate_request::CertificateRequest;
use certlab_controller::config::Config;
use certlab_controller::pki;
use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use lab::*;
use serde_json::json;

fn status(cert: &Certificate) -> certlab_controller::api::certificate::CertificateStatus {
    cert.status.clone().unwrap_or_default()
}

async fn revision(c: &kube::Client, name: &str) -> i64 {
    let api: Api<Certificate> = Api::default_namespaced(c.clone());
    status(&api.get(name).await.unwrap()).revision.unwrap_or(0)
}

async fn wait_revision(c: &kube::Client, name: &str, rev: i64, timeout: Duration) {
    let c2 = c.clone();
    let n = name.to_string();
    eventually(timeout, &format!("{name} at revision {rev}"), move || {
        let c = c2.clone();
        let n = n.clone();
        async move { revision(&c, &n).await >= rev }
    })
    .await;
}

fn verify(data: &std::collections::BTreeMap<String, Vec<u8>>, now: std::time::SystemTime) {
    pki::verify_pem_chain(
        &data["tls.crt"],
        &data["ca.crt"],
        now,
        pki::Purpose::Any,
        None,
    )
    .expect("chain verifies to the CA");
}

#[tokio::test]
async fn every_key_type_and_san_kind() {
    let lab = lab().await;
    let c = &lab.client;
    ca_issuers(c).await;
    let cases = [
        ("rsa2048", json!({"algorithm": "RSA", "size": 2048})),
        (
            "rsa4096",
            json!({"algorithm": "RSA", "size": 4096, "encoding": "PKCS8"}),
        ),
        ("ecdsa256", json!({"algorithm": "ECDSA", "size": 256})),
        ("ecdsa384", json!({"algorithm": "ECDSA", "size": 384})),
        (
            "ecdsa521",
            json!({"algorithm": "ECDSA", "size": 521, "encoding": "PKCS8"}),
        ),
        (
            "ed25519",
            json!({"algorithm": "Ed25519", "encoding": "PKCS8"}),
        ),
    ];
    for (name, key) in &cases {
        certificate(
            c,
            name,
            json!({
                "commonName": format!("{name}.lab.test"),
                "dnsNames": [format!("{name}.lab.test")],
                "ipAddresses": ["10.0.0.7", "::1"],
                "uris": ["spiffe://lab.test/ns/default/sa/web"],
                "emailAddresses": ["ops@lab.test"],
                "otherNames": [{"oid": "1.3.6.1.4.1.311.20.2.3", "utf8Value": "upn@lab.test"}],
                "privateKey": key,
            }),
        )
        .await;
    }
    for (name, key) in &cases {
        wait_ready(c, "default", name, Duration::from_secs(60)).await;
        let data = secret_data(c, &format!("{name}-tls")).await;
        verify(&data, certlab_clock::Clock::now(&lab.clock));
        let parsed = pki::Certificate::from_pem(&data["tls.crt"]).unwrap();
        let s = parsed.summary();
        assert_eq!(s.dns_names, vec![format!("{name}.lab.test")], "{name}");
        assert_eq!(s.ip_addresses.len(), 2, "{name}");
        assert_eq!(
            s.uris,
            vec!["spiffe://lab.test/ns/default/sa/web".to_string()],
            "{name}"
        );
        assert_eq!(
            s.email_addresses,
            vec!["ops@lab.test".to_string()],
            "{name}"
        );
        assert_eq!(s.other_names.len(), 1, "{name}");
        let k = pki::PrivateKey::from_pem(&data["tls.key"]).unwrap();
        let algorithm = key["algorithm"].as_str().unwrap();
        assert_eq!(
            format!("{:?}", k.algorithm()).to_lowercase(),
            algorithm.to_lowercase(),
            "{name}"
        );
        let pem = String::from_utf8_lossy(&data["tls.key"]).to_string();
        if key.get("encoding").and_then(|e| e.as_str()) == Some("PKCS8") {
            assert!(
                pem.starts_with("-----BEGIN PRIVATE KEY-----"),
                "{name}: {}",
                &pem[..30]
            );
        } else if algorithm == "RSA" {
            assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{name}");
        } else {
            assert!(pem.starts_with("-----BEGIN EC PRIVATE KEY-----"), "{name}");
        }
    }
}

#[tokio::test]
async fn deleted_and_tampered_secrets_are_reissued() {
    let lab = lab().await;
    let c = &lab.client;
    ca_issuers(c).await;
    certificate(c, "web", json!({"dnsNames": ["web.lab.test"]})).await;
    wait_ready(c, "default", "web", Duration::from_secs(30)).await;
    let secrets: Api<Secret> = Api::default_namespaced(c.clone());
    secrets
        .delete("web-tls", &DeleteParams::default())
        .await
        .unwrap();
    wait_revision(c, "web", 2, Duration::from_secs(30)).await;
    let events: Api<k8s_openapi::api::events::v1::Event> = Api::default_namespaced(c.clone());
    let reasons: Vec<String> = events
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| {
            e.note
                .as_deref()
                .is_some_and(|n| n.contains("Secret does not exist"))
        })
        .map(|e| e.note.unwrap())
        .collect();
    assert!(!reasons.is_empty(), "the trigger said why");
    wait_ready(c, "default", "web", Duration::from_secs(30)).await;
    // Replace the certificate with garbage: re-issued as InvalidCertificate.
    secrets
        .patch(
            "web-tls",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"tls.crt": "bm90IGEgY2VydA=="}})),
        )
        .await
        .unwrap();
    wait_revision(c, "web", 3, Duration::from_secs(30)).await;
    wait_ready(c, "default", "web", Duration::from_secs(30)).await;
}

#[tokio::test]
async fn spec_changes_make_new_revisions_and_never_rotation_keeps_the_key() {
    let lab = lab().await;
    let c = &lab.client;
    ca_issuers(c).await;
    certificate(c, "keep", json!({"dnsNames": ["a.lab.test"], "privateKey": {"rotationPolicy": "Never", "algorithm": "ECDSA"}})).await;
    certificate(
        c,
        "rotate",
        json!({"dnsNames": ["a.lab.test"], "privateKey": {"algorithm": "ECDSA"}}),
    )
    .await;
    wait_ready(c, "default", "keep", Duration::from_secs(30)).await;
    wait_ready(c, "default", "rotate", Duration::from_secs(30)).await;
    let keep_key = secret_data(c, "keep-tls").await["tls.key"].clone();
    let rotate_key = secret_data(c, "rotate-tls").await["tls.key"].clone();
    let certs: Api<Certificate> = Api::default_namespaced(c.clone());
    for name in ["keep", "rotate"] {
        certs
            .patch(
                name,
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"dnsNames": ["a.lab.test", "b.lab.test"]}})),
            )
            .await
            .unwrap();
    }
    wait_revision(c, "keep", 2, Duration::from_secs(30)).await;
    wait_revision(c, "rotate", 2, Duration::from_secs(30)).await;
    let keep = secret_data(c, "keep-tls").await;
    let rotate = secret_data(c, "rotate-tls").await;
    assert_eq!(
        keep["tls.key"], keep_key,
        "rotationPolicy: Never keeps the key"
    );
    assert_ne!(
        rotate["tls.key"], rotate_key,
        "rotationPolicy: Always makes a new one"
    );
    let names = pki::Certificate::from_pem(&keep["tls.crt"])
        .unwrap()
        .summary()
        .dns_names;
    assert_eq!(names, ["a.lab.test", "b.lab.test"]);
    // revisionHistoryLimit (1 when unset): only the latest request is kept.
    let crs: Api<CertificateRequest> = Api::default_namespaced(c.clone());
    let crs2 = crs.clone();
    eventually(
        Duration::from_secs(10),
        "old requests cleaned up",
        move || {
            let crs = crs2.clone();
            async move {
                let names: Vec<String> = crs
                    .list(&ListParams::default())
                    .await
                    .unwrap()
                    .items
                    .iter()
                    .map(|r| r.name_any())
                    .collect();
                names.contains(&"keep-2".to_string()) && !names.contains(&"keep-1".to_string())
            }
        },
    )
    .await;
}

#[tokio::test]
async fn renewal_on_the_virtual_clock() {
    let lab = lab().await;
    let c = &lab.client;
    ca_issuers(c).await;
    certificate(c, "ninety", json!({"dnsNames": ["renew.lab.test"]})).await;
    let cert = wait_ready(c, "default", "ninety", Duration::from_secs(30)).await;
    let st = status(&cert);
    let not_before = certlab_controller::context::from_time(st.not_before.as_ref().unwrap());
    let not_after = certlab_controller::context::from_time(st.not_after.as_ref().unwrap());
    assert_eq!(
        not_after.duration_since(not_before).unwrap(),
        Duration::from_secs(90 * 86400)
    );
    let renewal = certlab_controller::context::from_time(st.renewal_time.as_ref().unwrap());
    assert_eq!(
        renewal.duration_since(not_before).unwrap(),
        Duration::from_secs(60 * 86400),
        "renews at 2/3"
    );
    assert_eq!(revision(c, "ninety").await, 1);

    // 61 virtual days pass at once; the renewal follows within seconds of wall time
    // (no timing assertion: CI machines are noisy).
    let started = Instant::now();
    lab.clock.advance(Duration::from_secs(61 * 86400));
    wait_revision(c, "ninety", 2, Duration::from_secs(20)).await;
    eprintln!("renewed in {:?} of wall time", started.elapsed());
    let cert = wait_ready(c, "default", "ninety", Duration::from_secs(10)).await;
    let new_not_before =
        certlab_controller::context::from_time(status(&cert).not_before.as_ref().unwrap());
    assert!(
        new_not_before >= not_before + Duration::from_secs(61 * 86400),
        "the new certificate starts on the virtual clock"
    );
}

#[tokio::test]
async fn manual_renew_like_cmctl() {
    let lab = lab().await;
    let c = &lab.client;
    ca_issuers(c).await;
    certificate(c, "manual", json!({"dnsNames": ["manual.lab.test"]})).await;
    wait_ready(c, "default", "manual", Duration::from_secs(30)).await;
    // cmctl renew: Issuing=True, reason ManuallyTriggered. Like cmctl, retry when the
    // controller wrote the status in between (409 Conflict).
    let certs: Api<Certificate> = Api::default_namespaced(c.clone());
    for attempt in 0.. {
        let mut cert = certs.get("manual").await.unwrap();
        let st = cert.status.get_or_insert_with(Default::default);
        st.conditions_mut()
            .push(certlab_controller::api::certificate::CertificateCondition {
                type_: "Issuing".into(),
                status: certlab_controller::api::meta::ConditionStatus::True,
                reason: Some("ManuallyTriggered".into()),
                message: Some("Certificate re-issuance manually triggered".into()),
                last_transition_time: Some(certlab_controller::context::to_time(
                    certlab_clock::Clock::now(&lab.clock),
                )),
                observed_generation: cert.metadata.generation,
            });
        match certs
            .replace_status("manual", &PostParams::default(), &cert)
            .await
        {
            Ok(_) => break,
            Err(kube::Error::Api(s)) if s.code == 409 && attempt < 20 => continue,
            Err(e) => panic!("renew: {e}"),
        }
    }
    wait_revision(c, "manual", 2, Duration::from_secs(30)).await;
}

#[tokio::test]
async fn denied_requests_fail_and_back_off() {
    let lab = lab_with(Config {
        approve_requests: false,
        ..Config::default()
    })
    .await;
    let c = &lab.client;
    certlab_controller::api::issuer::ClusterIssuer::new("x", Default::default());
    create(
        &Api::<certlab_controller::api::issuer::ClusterIssuer>::all(c.clone()),
        json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "selfsigned"}, "spec": {"selfSigned": {}}}),
    )
    .await;
    create(&Api::<Certificate>::default_namespaced(c.clone()), json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "denied"}, "spec": {"secretName": "denied-tls", "dnsNames": ["d.lab.test"],
        "issuerRef": {"name": "selfsigned", "kind": "ClusterIssuer"}}})).await;
    let crs: Api<CertificateRequest> = Api::default_namespaced(c.clone());
    let crs2 = crs.clone();
    eventually(Duration::from_secs(10), "request created", move || {
        let crs = crs2.clone();
        async move { crs.get_opt("denied-1").await.unwrap().is_some() }
    })
    .await;
    // An external approver denies it.
    let mut cr = crs.get("denied-1").await.unwrap();
    cr.status
        .get_or_insert_with(Default::default)
        .conditions_mut()
        .push(
            certlab_controller::api::certificate_request::CertificateRequestCondition {
                type_: "Denied".into(),
                status: certlab_controller::api::meta::ConditionStatus::True,
                reason: Some("Nope".into()),
                message: Some("denied by the test".into()),
                last_transition_time: Some(certlab_controller::context::to_time(
                    certlab_clock::Clock::now(&lab.clock),
                )),
            },
        );
    crs.replace_status("denied-1", &PostParams::default(), &cr)
        .await
        .unwrap();
    let certs: Api<Certificate> = Api::default_namespaced(c.clone());
    let certs2 = certs.clone();
    eventually(Duration::from_secs(10), "Issuing=False with the request's reason", move || {
        let certs = certs2.clone();
        async move {
            let st = status(&certs.get("denied").await.unwrap());
            st.failed_issuance_attempts == Some(1)
                && st.last_failure_time.is_some()
                && st.conditions().iter().any(|c| {
                    c.type_ == "Issuing"
                        && c.status == certlab_controller::api::meta::ConditionStatus::False
                        && c.reason.as_deref() == Some("Nope")
                        && c.message.as_deref() == Some("The certificate request has failed to complete and will be retried: denied by the test")
                })
        }
    })
    .await;
    let cr = crs.get("denied-1").await.unwrap();
    let ready = cr
        .status
        .unwrap()
        .conditions
        .unwrap()
        .into_iter()
        .find(|c| c.type_ == "Ready")
        .unwrap();
    assert_eq!(ready.reason.as_deref(), Some("Denied"));
    // Backing off: nothing new for the first hour...
    lab.clock.advance(Duration::from_secs(30 * 60));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !status(&certs.get("denied").await.unwrap())
            .conditions()
            .iter()
            .any(|c| c.type_ == "Issuing"
                && c.status == certlab_controller::api::meta::ConditionStatus::True)
    );
    // ...then a new attempt once 1h has passed.
    lab.clock.advance(Duration::from_secs(31 * 60));
    let certs2 = certs.clone();
    eventually(
        Duration::from_secs(10),
        "issuing again after the backoff",
        move || {
            let certs = certs2.clone();
            async move {
                status(&certs.get("denied").await.unwrap())
                    .conditions()
                    .iter()
                    .any(|c| {
                        c.type_ == "Issuing"
                            && c.status == certlab_controller::api::meta::ConditionStatus::True
                    })
            }
        },
    )
    .await;
}

#[tokio::test]
async fn an_issuer_that_is_not_ready_keeps_requests_pending() {
    let lab = lab().await;
    let c = &lab.client;
    create(
        &Api::<certlab_controller::api::issuer::ClusterIssuer>::all(c.clone()),
        json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "broken-ca"}, "spec": {"ca": {"secretName": "missing"}}}),
    )
    .await;
    create(&Api::<Certificate>::default_namespaced(c.clone()), json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "waiting"}, "spec": {"secretName": "waiting-tls", "dnsNames": ["w.lab.test"],
        "issuerRef": {"name": "broken-ca", "kind": "ClusterIssuer"}}})).await;
    let crs: Api<CertificateRequest> = Api::default_namespaced(c.clone());
    let crs2 = crs.clone();
    eventually(
        Duration::from_secs(10),
        "request pending on the issuer",
        move || {
            let crs = crs2.clone();
            async move {
                crs.get_opt("waiting-1")
                    .await
                    .unwrap()
                    .and_then(|cr| cr.status)
                    .is_some_and(|s| {
                        s.conditions().iter().any(|c| {
                            c.type_ == "Ready"
                                && c.reason.as_deref() == Some("Pending")
                                && c.message.as_deref()
                                    == Some(
                                        "Referenced issuer does not have a Ready status condition",
                                    )
                        })
                    })
            }
        },
    )
    .await;
    let issuers: Api<certlab_controller::api::issuer::ClusterIssuer> = Api::all(c.clone());
    let cond = issuers
        .get("broken-ca")
        .await
        .unwrap()
        .status
        .unwrap()
        .conditions
        .unwrap()
        .remove(0);
    assert_eq!(cond.reason.as_deref(), Some("ErrGetKeyPair"));
    assert!(
        cond.message
            .unwrap()
            .starts_with("Error getting keypair for CA issuer: ")
    );
}

#[tokio::test]
async fn secret_template_output_formats_and_keystores() {
    let lab = lab().await;
    let c = &lab.client;
    ca_issuers(c).await;
    let pw: Secret = serde_json::from_value(
        json!({"metadata": {"name": "keystore-pw"}, "stringData": {"password": "changeit"}}),
    )
    .unwrap();
    Api::<Secret>::default_namespaced(c.clone())
        .create(&PostParams::default(), &pw)
        .await
        .unwrap();
    certificate(c, "outputs", json!({
        "dnsNames": ["out.lab.test"],
        "secretTemplate": {"labels": {"team": "web"}, "annotations": {"example.com/owner": "ops"}},
        "additionalOutputFormats": [{"type": "DER"}, {"type": "CombinedPEM"}],
        "keystores": {
            "pkcs12": {"create": true, "passwordSecretRef": {"name": "keystore-pw", "key": "password"}, "profile": "Modern2023"},
            "jks": {"create": true, "passwordSecretRef": {"name": "keystore-pw", "key": "password"}}
        }
    }))
    .await;
    wait_ready(c, "default", "outputs", Duration::from_secs(30)).await;
    let secrets: Api<Secret> = Api::default_namespaced(c.clone());
    let s = secrets.get("outputs-tls").await.unwrap();
    assert_eq!(s.metadata.labels.as_ref().unwrap()["team"], "web");
    assert_eq!(
        s.metadata.annotations.as_ref().unwrap()["example.com/owner"],
        "ops"
    );
    let data = secret_data(c, "outputs-tls").await;
    for key in [
        "key.der",
        "tls-combined.pem",
        "keystore.p12",
        "truststore.p12",
        "keystore.jks",
        "truststore.jks",
    ] {
        assert!(data.contains_key(key), "{key} written");
    }
    let contents = pki::read_pkcs12(&data["keystore.p12"], "changeit")
        .expect("PKCS#12 parses with the password");
    assert!(format!("{contents:?}").len() > 10);
    assert!(pki::read_jks(&data["keystore.jks"], "changeit").is_ok());
    let combined = String::from_utf8_lossy(&data["tls-combined.pem"]).to_string();
    assert!(combined.contains("PRIVATE KEY-----") && combined.contains("BEGIN CERTIFICATE"));
    // secretTemplate changes reach the Secret without re-issuing.
    let certs: Api<Certificate> = Api::default_namespaced(c.clone());
    certs
        .patch(
            "outputs",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"secretTemplate": {"labels": {"team": "platform"}}}})),
        )
        .await
        .unwrap();
    let s2 = secrets.clone();
    eventually(
        Duration::from_secs(10),
        "template label updated",
        move || {
            let s = s2.clone();
            async move {
                s.get("outputs-tls")
                    .await
                    .unwrap()
                    .metadata
                    .labels
                    .unwrap()
                    .get("team")
                    .map(String::as_str)
                    == Some("platform")
            }
        },
    )
    .await;
    assert_eq!(
        revision(c, "outputs").await,
        1,
        "no re-issuance for metadata"
    );
}

#[tokio::test]
async fn duplicate_secret_names_issue_once() {
    let lab = lab().await;
    let c = &lab.client;
    ca_issuers(c).await;
    certificate(
        c,
        "first",
        json!({"secretName": "shared-tls", "dnsNames": ["one.lab.test"]}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    certificate(
        c,
        "second",
        json!({"secretName": "shared-tls", "dnsNames": ["two.lab.test"]}),
    )
    .await;
    wait_ready(c, "default", "first", Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(revision(c, "first").await, 1);
    assert_eq!(
        revision(c, "second").await,
        0,
        "the younger Certificate does not fight over the Secret"
    );
    let crs: Api<CertificateRequest> = Api::default_namespaced(c.clone());
    assert!(crs.get_opt("second-1").await.unwrap().is_none());
    let data = secret_data(c, "shared-tls").await;
    let names = pki::Certificate::from_pem(&data["tls.crt"])
        .unwrap()
        .summary()
        .dns_names;
    assert_eq!(names, ["one.lab.test"]);
}
