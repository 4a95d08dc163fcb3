//! ACME end to end in the lab: the controller, the embedded cluster's node and ingress
//! edge, mock-dns and mock-acme, all in this process. Nothing is short-circuited: the
//! HTTP-01 solver pods really serve on their pod IPs, the edge really routes to them and
//! mock-acme really fetches the key authorization; DNS-01 records really go through
//! TSIG-signed RFC 2136 updates.

use std::time::Duration;

use certlab_controller::api::certificate::Certificate;
use certlab_controller::api::challenge::Challenge;
use certlab_controller::api::conditions::get_condition;
use certlab_controller::api::meta::ConditionStatus;
use certlab_controller::pki;
use certlab_harness::{LAB_ACME_DNS01, LAB_ACME_HTTP01, LAB_DOMAIN, Lab};
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::ResourceExt;
use kube::api::{Api, ListParams, PostParams};
use serde_json::json;

async fn create<K>(api: &Api<K>, value: serde_json::Value) -> K
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let obj: K = serde_json::from_value(value).unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap()
}

async fn eventually<F, Fut>(timeout: Duration, what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if f().await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn is_ready(cert: &Certificate) -> bool {
    cert.status
        .as_ref()
        .and_then(|s| get_condition(s.conditions(), "Ready"))
        .is_some_and(|c| c.status == ConditionStatus::True)
}

async fn certificate(
    lab: &Lab,
    ns: &str,
    name: &str,
    issuer: serde_json::Value,
    dns: &[String],
) -> Api<Certificate> {
    let api: Api<Certificate> = Api::namespaced(lab.client(), ns);
    create(
        &api,
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
               "metadata": {"name": name, "namespace": ns},
               "spec": {"secretName": format!("{name}-tls"), "dnsNames": dns, "issuerRef": issuer}}),
    )
    .await;
    api
}

async fn wait_ready(api: &Api<Certificate>, name: &str) -> Certificate {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let cert = api.get(name).await.unwrap();
        if is_ready(&cert) {
            return cert;
        }
        if tokio::time::Instant::now() > deadline {
            let ns = api.namespace().unwrap_or("default").to_string();
            let challenges: Api<Challenge> = Api::namespaced(kube::Client::from(api.clone()), &ns);
            for c in challenges.list(&ListParams::default()).await.unwrap().items {
                eprintln!(
                    "challenge {} {}: {:?}",
                    c.name_any(),
                    c.spec.dns_name,
                    c.status
                );
            }
            let orders: Api<certlab_controller::api::order::Order> =
                Api::namespaced(kube::Client::from(api.clone()), &ns);
            for o in orders.list(&ListParams::default()).await.unwrap().items {
                eprintln!(
                    "order {}: {:?} {:?}",
                    o.name_any(),
                    o.status.as_ref().and_then(|s| s.state),
                    o.status.as_ref().and_then(|s| s.reason.clone())
                );
            }
            panic!("{name} not Ready: {:#?}", cert.status);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn chain(lab: &Lab, ns: &str, secret: &str) -> Vec<pki::Certificate> {
    let secrets: Api<Secret> = Api::namespaced(lab.client(), ns);
    let data = secrets.get(secret).await.unwrap().data.unwrap();
    pki::Certificate::parse_chain_pem(&data["tls.crt"].0).unwrap()
}

/// The chain verifies, certificate by certificate, up to one of mock-acme's roots.
fn verifies_to_a_root(lab: &Lab, chain: &[pki::Certificate]) {
    let acme = lab.acme().unwrap();
    for pair in chain.windows(2) {
        pair[0]
            .check_signature_from(&pair[1])
            .expect("each certificate signed by the next");
    }
    let top = chain.last().unwrap();
    let roots: Vec<pki::Certificate> = (0..acme.num_roots())
        .filter_map(|n| acme.root_pem(n))
        .map(|pem| pki::Certificate::from_pem(pem.as_bytes()).unwrap())
        .collect();
    assert!(
        roots.iter().any(|r| top.check_signature_from(r).is_ok()),
        "the chain does not lead to a mock-acme root"
    );
}

fn cluster_issuer(name: &str) -> serde_json::Value {
    json!({"name": name, "kind": "ClusterIssuer", "group": "cert-manager.io"})
}

#[tokio::test]
async fn http01_certificate_is_issued_through_solver_pods_and_the_edge() {
    let lab = Lab::builder().start().await.unwrap();
    let name = format!("web.{LAB_DOMAIN}");
    let certs = certificate(
        &lab,
        "default",
        "web",
        cluster_issuer(LAB_ACME_HTTP01),
        std::slice::from_ref(&name),
    )
    .await;

    // While issuing, the solver pod runs on a loopback pod IP with cert-manager's labels.
    let pods: Api<Pod> = Api::namespaced(lab.client(), "default");
    eventually(Duration::from_secs(20), "a running solver pod", || {
        let pods = pods.clone();
        async move {
            pods.list(&ListParams::default().labels("acme.cert-manager.io/http01-solver=true"))
                .await
                .unwrap()
                .items
                .iter()
                .any(|p| {
                    let st = p.status.clone().unwrap_or_default();
                    st.phase.as_deref() == Some("Running")
                        && st
                            .pod_ip
                            .as_deref()
                            .is_some_and(|ip| ip.starts_with("127."))
                        && p.name_any().starts_with("cm-acme-http-solver-")
                })
        }
    })
    .await;
    let cert = wait_ready(&certs, "web").await;
    assert_eq!(cert.status.unwrap().revision, Some(1));
    let chain = chain(&lab, "default", "web-tls").await;
    assert_eq!(chain[0].summary().dns_names, vec![name]);
    verifies_to_a_root(&lab, &chain);
    // The solver's Pod, Service and Ingress go with the Challenge.
    eventually(Duration::from_secs(20), "solver pods cleaned up", || {
        let pods = pods.clone();
        async move {
            pods.list(&ListParams::default())
                .await
                .unwrap()
                .items
                .is_empty()
        }
    })
    .await;
    lab.shutdown().await;
}

#[tokio::test]
async fn dns01_wildcard_and_apex() {
    let lab = Lab::builder().start().await.unwrap();
    let apex = format!("shop.{LAB_DOMAIN}");
    let wildcard = format!("*.shop.{LAB_DOMAIN}");
    let certs = certificate(
        &lab,
        "default",
        "shop",
        cluster_issuer(LAB_ACME_DNS01),
        &[apex.clone(), wildcard.clone()],
    )
    .await;
    wait_ready(&certs, "shop").await;
    let chain = chain(&lab, "default", "shop-tls").await;
    let mut names = chain[0].summary().dns_names;
    names.sort();
    assert_eq!(names, vec![wildcard, apex]);
    verifies_to_a_root(&lab, &chain);
    // The TXT records were cleaned up after validation.
    let dns = lab.dns().unwrap().handle();
    eventually(Duration::from_secs(10), "TXT records removed", || {
        let dns = dns.clone();
        async move {
            !dns.records()
                .records
                .iter()
                .any(|r| r.rtype == "TXT" && r.name.starts_with("_acme-challenge."))
        }
    })
    .await;
    lab.shutdown().await;
}

#[tokio::test]
async fn an_issuer_with_two_solvers_chosen_by_selector() {
    let lab = Lab::builder().start().await.unwrap();
    let c = lab.client();
    let acme = lab.acme().unwrap();
    let e = lab.endpoints().clone();
    let ns = "default";
    // A namespaced Issuer: HTTP-01 for one exact name, DNS-01 for the zone.
    let http_name = format!("www.team.{LAB_DOMAIN}");
    let dns_name = format!("api.team.{LAB_DOMAIN}");
    let issuers: Api<certlab_controller::api::issuer::Issuer> = Api::namespaced(c.clone(), ns);
    let secrets: Api<Secret> = Api::namespaced(c.clone(), ns);
    let tsig = Api::<Secret>::namespaced(c.clone(), certlab_harness::RESOURCE_NAMESPACE)
        .get(certlab_harness::LAB_TSIG_SECRET)
        .await
        .unwrap();
    create(
        &secrets,
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tsig"},
               "data": {"secret": tsig.data.unwrap()["secret"]}}),
    )
    .await;
    use base64::Engine;
    create(
        &issuers,
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Issuer",
               "metadata": {"name": "team", "namespace": ns},
               "spec": {"acme": {
                   "server": acme.directory_url(),
                   "caBundle": base64::engine::general_purpose::STANDARD.encode(acme.tls_ca_pem()),
                   "privateKeySecretRef": {"name": "team-account"},
                   "solvers": [
                       {"selector": {"dnsZones": [format!("team.{LAB_DOMAIN}")]},
                        "dns01": {"rfc2136": {"nameserver": e.dns, "tsigKeyName": certlab_harness::LAB_TSIG_KEY,
                            "tsigAlgorithm": "HMACSHA256", "tsigSecretSecretRef": {"name": "tsig", "key": "secret"}}}},
                       {"selector": {"dnsNames": [http_name]}, "http01": {"ingress": {}}},
                   ]}}}),
    )
    .await;
    let certs = certificate(
        &lab,
        ns,
        "team",
        json!({"name": "team", "kind": "Issuer"}),
        &[http_name.clone(), dns_name.clone()],
    )
    .await;
    // Each name's Challenge uses the solver its selector picks.
    let challenges: Api<Challenge> = Api::namespaced(c.clone(), ns);
    let (h, d) = (http_name.clone(), dns_name.clone());
    eventually(
        Duration::from_secs(20),
        "two challenges, one of each type",
        || {
            let challenges = challenges.clone();
            let (h, d) = (h.clone(), d.clone());
            async move {
                let items = challenges.list(&ListParams::default()).await.unwrap().items;
                let type_of = |n: &str| {
                    items
                        .iter()
                        .find(|c| c.spec.dns_name == n)
                        .map(|c| serde_json::to_value(c.spec.type_).unwrap())
                };
                type_of(&h) == Some(json!("HTTP-01")) && type_of(&d) == Some(json!("DNS-01"))
            }
        },
    )
    .await;
    wait_ready(&certs, "team").await;
    let chain = chain(&lab, ns, "team-tls").await;
    verifies_to_a_root(&lab, &chain);
    lab.shutdown().await;
}

#[tokio::test]
async fn servfail_keeps_a_dns01_challenge_pending_until_cleared() {
    let lab = Lab::builder().start().await.unwrap();
    let name = format!("flaky.{LAB_DOMAIN}");
    let dns = lab.dns().unwrap().handle();
    dns.set_fault(
        &format!("_acme-challenge.{name}"),
        mock_dns::Fault::ServFail,
    )
    .unwrap();
    let certs = certificate(
        &lab,
        "default",
        "flaky",
        cluster_issuer(LAB_ACME_DNS01),
        std::slice::from_ref(&name),
    )
    .await;
    let challenges: Api<Challenge> = Api::namespaced(lab.client(), "default");
    eventually(
        Duration::from_secs(20),
        "the challenge waits for propagation",
        || {
            let challenges = challenges.clone();
            async move {
                let items = challenges.list(&ListParams::default()).await.unwrap().items;
                items
                    .iter()
                    .any(|c| {
                        // cert-manager's words: the zone lookup of the record's name
                        // expected NOERROR or NXDOMAIN but got SERVFAIL.
                        c.status.as_ref().is_some_and(|s| {
                            s.state == Some(certlab_controller::api::acme::State::Pending)
                                && s.reason.as_deref().is_some_and(|r| {
                                    r.contains("rcode was expected to be 'NOERROR' or 'NXDOMAIN', but got 'SERVFAIL'")
                                })
                        })
                    })
            }
        },
    )
    .await;
    assert!(!is_ready(&certs.get("flaky").await.unwrap()));
    dns.clear_fault(&format!("_acme-challenge.{name}")).unwrap();
    wait_ready(&certs, "flaky").await;
    lab.shutdown().await;
}

#[tokio::test]
async fn a_blocked_domain_fails_then_backs_off() {
    let lab = Lab::builder()
        .acme_config(mock_acme::Config {
            domain_blocklist: vec![format!("blocked.{LAB_DOMAIN}")],
            ..mock_acme::Config::quiet()
        })
        .start()
        .await
        .unwrap();
    let name = format!("blocked.{LAB_DOMAIN}");
    let certs = certificate(
        &lab,
        "default",
        "nope",
        cluster_issuer(LAB_ACME_HTTP01),
        &[name],
    )
    .await;
    eventually(
        Duration::from_secs(20),
        "issuance failed and backs off",
        || {
            let certs = certs.clone();
            async move {
                let c = certs.get("nope").await.unwrap();
                let st = c.status.unwrap_or_default();
                st.failed_issuance_attempts == Some(1)
                    && st.last_failure_time.is_some()
                    && get_condition(st.conditions(), "Issuing").is_some_and(|i| {
                        i.status == ConditionStatus::False && i.reason.as_deref() == Some("Failed")
                    })
            }
        },
    )
    .await;
    lab.shutdown().await;
}

#[tokio::test]
async fn ingress_shim_gets_an_ingress_its_certificate_over_http01() {
    use k8s_openapi::api::networking::v1::Ingress;
    let lab = Lab::builder().start().await.unwrap();
    let host = format!("shop-front.{LAB_DOMAIN}");
    let ingresses: Api<Ingress> = Api::namespaced(lab.client(), "default");
    create(
        &ingresses,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "front", "namespace": "default",
                            "annotations": {"cert-manager.io/cluster-issuer": LAB_ACME_HTTP01}},
               "spec": {"tls": [{"hosts": [host], "secretName": "front-tls"}],
                        "rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix",
                            "backend": {"service": {"name": "front", "port": {"number": 80}}}}]}}]}}),
    )
    .await;
    let certs: Api<Certificate> = Api::namespaced(lab.client(), "default");
    eventually(
        Duration::from_secs(20),
        "the shim creates the Certificate",
        || {
            let certs = certs.clone();
            async move { certs.get_opt("front-tls").await.unwrap().is_some() }
        },
    )
    .await;
    let cert = wait_ready(&certs, "front-tls").await;
    assert_eq!(cert.spec.dns_names.clone().unwrap_or_default(), vec![host]);
    assert_eq!(
        cert.owner_references().first().map(|o| o.name.as_str()),
        Some("front")
    );
    verifies_to_a_root(&lab, &chain(&lab, "default", "front-tls").await);
    // Removing the tls entry deletes the Certificate.
    let mut ing = ingresses.get("front").await.unwrap();
    if let Some(spec) = ing.spec.as_mut() {
        spec.tls = None;
    }
    ingresses
        .replace("front", &PostParams::default(), &ing)
        .await
        .unwrap();
    eventually(
        Duration::from_secs(20),
        "the shim deletes the Certificate",
        || {
            let certs = certs.clone();
            async move { certs.get_opt("front-tls").await.unwrap().is_none() }
        },
    )
    .await;
    lab.shutdown().await;
}
