//! Chain capture against a real lab: a CA-issued Certificate, determinism across
//! namespaces, an HTTP-01 Certificate captured mid-flight, and an Ingress root.

use std::time::{Duration, SystemTime};

use certlab_clock::Clock;

use certlab_controller::api::certificate::Certificate;
use certlab_controller::api::challenge::Challenge;
use certlab_controller::api::conditions::get_condition;
use certlab_controller::api::meta::ConditionStatus;
use certlab_harness::chain::{CaptureOptions, Chain, RootRef, capture};
use certlab_harness::{LAB_ACME_HTTP01, LAB_CA, LAB_DOMAIN, Lab, RESOURCE_NAMESPACE};
use k8s_openapi::api::core::v1::{Namespace, Pod, Secret};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, ListParams, PostParams};
use serde_json::json;

async fn create<K>(api: &Api<K>, value: serde_json::Value) -> K
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let obj: K = serde_json::from_value(value).unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap()
}

async fn namespace(lab: &Lab, name: &str) {
    let api: Api<Namespace> = Api::all(lab.client());
    create(
        &api,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
    )
    .await;
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

/// Ready and settled: the issuing controller has also finished its status update
/// (readiness may report Ready a moment before the temporary key name is cleared).
fn is_ready(cert: &Certificate) -> bool {
    cert.status.as_ref().is_some_and(|s| {
        get_condition(s.conditions(), "Ready").is_some_and(|c| c.status == ConditionStatus::True)
            && get_condition(s.conditions(), "Issuing").is_none()
            && s.next_private_key_secret_name.is_none()
    })
}

async fn wait_ready(lab: &Lab, ns: &str, name: &str) {
    let api: Api<Certificate> = Api::namespaced(lab.client(), ns);
    let name = name.to_string();
    eventually(
        Duration::from_secs(30),
        &format!("{ns}/{name} Ready"),
        || {
            let api = api.clone();
            let name = name.clone();
            async move {
                api.get_opt(&name)
                    .await
                    .unwrap()
                    .as_ref()
                    .is_some_and(is_ready)
            }
        },
    )
    .await;
}

fn issuer_ref(name: &str) -> serde_json::Value {
    json!({"name": name, "kind": "ClusterIssuer", "group": "cert-manager.io"})
}

/// The lab CA's certificate, as trust root.
async fn lab_ca_root(lab: &Lab) -> String {
    let secrets: Api<Secret> = Api::namespaced(lab.client(), RESOURCE_NAMESPACE);
    let data = secrets.get(LAB_CA).await.unwrap().data.unwrap();
    String::from_utf8(data["tls.crt"].0.clone()).unwrap()
}

/// A CA-issued Certificate in `ns`, waited for, captured from `start`.
async fn ca_scenario(lab: &Lab, ns: &str, start: SystemTime) -> Chain {
    namespace(lab, ns).await;
    let certs: Api<Certificate> = Api::namespaced(lab.client(), ns);
    create(
        &certs,
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
               "metadata": {"name": "web", "namespace": ns},
               "spec": {"secretName": "web-tls", "dnsNames": [format!("web.{ns}.{LAB_DOMAIN}")],
                        "ipAddresses": ["10.0.0.7"], "uris": ["spiffe://lab.test/web"],
                        "privateKey": {"algorithm": "ECDSA", "size": 256},
                        "issuerRef": issuer_ref(LAB_CA)}}),
    )
    .await;
    wait_ready(lab, ns, "web").await;
    let opts = CaptureOptions::new(start).trust_roots([lab_ca_root(lab).await]);
    capture(&lab.client(), &RootRef::certificate(ns, "web"), &opts)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_ca_issued_certificate_is_captured_with_summaries_and_events() {
    let lab = Lab::builder().start().await.unwrap();
    let start = lab.clock().now();
    let chain = ca_scenario(&lab, "chain-ca", start).await;
    let yaml = chain.to_yaml();
    eprintln!("{yaml}");
    let tree = chain.tree();
    assert_eq!(tree["root"], "Certificate/web");
    let cert = &tree["certificate"];
    assert_eq!(cert["object"]["kind"], "Certificate");
    assert_eq!(cert["object"]["metadata"]["namespace"], "<namespace>");
    assert!(cert["object"]["metadata"].get("uid").is_none());
    assert!(cert["object"]["metadata"].get("resourceVersion").is_none());
    assert_eq!(cert["object"]["metadata"]["creationTimestamp"], "T+0s");
    assert_eq!(cert["object"]["status"]["notAfter"], "T+2160h0m0s");
    assert_eq!(cert["object"]["status"]["renewalTime"], "T+1440h0m0s");
    // The request, revision 1, with its CSR summarized.
    let cr = &cert["certificateRequests"][0]["object"];
    assert_eq!(cr["metadata"]["name"], "web-1");
    assert_eq!(
        cr["spec"]["request"]["sans"]["dns"][0],
        format!("web.<namespace>.{LAB_DOMAIN}")
    );
    assert_eq!(cr["spec"]["request"]["key"]["algorithm"], "ECDSA");
    assert_eq!(cr["status"]["certificate"]["verifiesTo"], "certlab lab CA");
    // The Secret: decoded certificate, key summary only.
    let data = &cert["secret"]["object"]["data"];
    let crt = &data["tls.crt"];
    assert_eq!(crt["subject"], "");
    assert_eq!(crt["issuer"], "CN=certlab lab CA");
    assert_eq!(
        crt["sans"]["dns"],
        json!([format!("web.<namespace>.{LAB_DOMAIN}")])
    );
    assert_eq!(crt["sans"]["ip"], json!(["10.0.0.7"]));
    assert_eq!(crt["sans"]["uri"], json!(["spiffe://lab.test/web"]));
    assert_eq!(crt["validity"], "2160h0m0s");
    assert_eq!(crt["notBefore"], "T+0s");
    assert_eq!(
        crt["key"],
        json!({"algorithm": "ECDSA", "size": 256, "curve": "P-256"})
    );
    assert_eq!(crt["isCA"], false);
    assert_eq!(crt["verifiesTo"], "certlab lab CA");
    assert_eq!(data["ca.crt"]["isCA"], true);
    assert_eq!(data["ca.crt"]["verifiesTo"], "certlab lab CA");
    assert_eq!(
        data["tls.key"],
        json!({"algorithm": "ECDSA", "size": 256, "curve": "P-256", "encoding": "SEC1"})
    );
    // No key material anywhere.
    let secrets: Api<Secret> = Api::namespaced(lab.client(), "chain-ca");
    let key_pem = String::from_utf8(
        secrets.get("web-tls").await.unwrap().data.unwrap()["tls.key"]
            .0
            .clone(),
    )
    .unwrap();
    for line in key_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
    {
        assert!(!yaml.contains(line), "key material in the snapshot");
        assert!(!yaml.contains(&line[..16]), "key material in the snapshot");
    }
    assert!(!yaml.contains("BEGIN"), "PEM left in the snapshot");
    // The events, in order.
    let events = cert["events"].as_array().expect("certificate events");
    let reasons: Vec<&str> = events
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.first(), Some(&"Issuing"), "{reasons:?}");
    assert_eq!(reasons.last(), Some(&"Issuing"), "{reasons:?}");
    assert!(reasons.contains(&"Requested"), "{reasons:?}");
    assert!(events.iter().all(|e| e["object"] == "Certificate/web"));
    assert!(events.iter().all(|e| e["at"] == "T+0s"));
    let cr_events = cert["certificateRequests"][0]["events"]
        .as_array()
        .expect("request events");
    assert!(
        cr_events.iter().any(|e| e["reason"] == "CertificateIssued"),
        "{cr_events:?}"
    );
    lab.shutdown().await;
}

#[tokio::test]
async fn the_same_scenario_in_two_namespaces_renders_byte_identical_yaml() {
    let lab = Lab::builder().start().await.unwrap();
    let start_a = lab.clock().now();
    let a = ca_scenario(&lab, "chain-det-a", start_a).await;
    let start_b = lab.clock().now();
    let b = ca_scenario(&lab, "chain-det-b", start_b).await;
    assert_eq!(a.to_yaml(), b.to_yaml());
    // And a second capture of the first namespace later on renders the same too.
    let opts = CaptureOptions::new(start_a).trust_roots([lab_ca_root(&lab).await]);
    let again = capture(
        &lab.client(),
        &RootRef::certificate("chain-det-a", "web"),
        &opts,
    )
    .await
    .unwrap();
    assert_eq!(a.to_yaml(), again.to_yaml());
    lab.shutdown().await;
}

#[tokio::test]
async fn an_http01_certificate_captured_mid_flight_shows_order_challenge_and_solver() {
    let lab = Lab::builder().start().await.unwrap();
    let acme = lab.acme().unwrap();
    // Hold the challenge: every request to the challenge endpoint waits.
    acme.faults()
        .set(vec![mock_acme::faults::FaultRule {
            endpoint: "challenge".into(),
            latency_ms: 60_000,
            ..Default::default()
        }])
        .unwrap();
    let ns = "chain-http01";
    namespace(&lab, ns).await;
    let start = lab.clock().now();
    let certs: Api<Certificate> = Api::namespaced(lab.client(), ns);
    create(
        &certs,
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
               "metadata": {"name": "shop", "namespace": ns},
               "spec": {"secretName": "shop-tls", "dnsNames": [format!("shop.{LAB_DOMAIN}")],
                        "issuerRef": issuer_ref(LAB_ACME_HTTP01)}}),
    )
    .await;
    let pods: Api<Pod> = Api::namespaced(lab.client(), ns);
    let challenges: Api<Challenge> = Api::namespaced(lab.client(), ns);
    eventually(
        Duration::from_secs(30),
        "a running solver pod and a challenge",
        || {
            let pods = pods.clone();
            let challenges = challenges.clone();
            async move {
                let running = pods
                    .list(&ListParams::default().labels("acme.cert-manager.io/http01-solver=true"))
                    .await
                    .unwrap()
                    .items
                    .iter()
                    .any(|p| p.status.as_ref().and_then(|s| s.pod_ip.as_ref()).is_some());
                // The status write may wait for the (held) accept: the Challenge existing
                // is enough.
                let challenged = !challenges
                    .list(&ListParams::default())
                    .await
                    .unwrap()
                    .items
                    .is_empty();
                running && challenged
            }
        },
    )
    .await;
    let mut roots = Vec::new();
    for n in 0..acme.num_roots() {
        roots.extend(acme.root_pem(n));
    }
    let opts = CaptureOptions::new(start).trust_roots(roots);
    let chain = capture(&lab.client(), &RootRef::certificate(ns, "shop"), &opts)
        .await
        .unwrap();
    let yaml = chain.to_yaml();
    eprintln!("{yaml}");
    let cr = &chain.tree()["certificate"]["certificateRequests"][0];
    assert_eq!(cr["object"]["metadata"]["name"], "shop-1");
    let order = &cr["orders"][0];
    let order_name = order["object"]["metadata"]["name"].as_str().unwrap();
    assert_eq!(order_name, "shop-1-<1>", "{yaml}");
    let challenge = &order["challenges"][0];
    let challenge_name = challenge["object"]["metadata"]["name"].as_str().unwrap();
    assert!(
        challenge_name.starts_with("shop-1-<1>-<") && challenge_name.ends_with('>'),
        "{challenge_name}"
    );
    assert_eq!(challenge["object"]["spec"]["token"], "<token-1>");
    assert_eq!(
        challenge["object"]["spec"]["key"],
        "<token-1>.<thumbprint-1>"
    );
    let url = challenge["object"]["spec"]["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://127.0.0.1:<port-") && url.contains("/<id-"),
        "{url}"
    );
    let solver = &challenge["solver"];
    let pod = &solver["pods"][0]["object"];
    assert!(
        pod["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("cm-acme-http-solver-<"),
        "{yaml}"
    );
    let pod_reasons: Vec<&str> = solver["pods"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(pod_reasons, ["Scheduled", "Pulled", "Created", "Started"]);
    assert!(
        pod["status"]["podIP"].as_str().unwrap().starts_with("<ip-"),
        "{yaml}"
    );
    assert!(
        solver["services"][0]["object"]["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("cm-acme-http-solver-<")
    );
    assert!(
        solver["ingresses"][0]["object"]["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("cm-acme-http-solver-<")
    );
    // Nothing random is left: no raw token, no raw generated names, no ports.
    let raw_token = chain.raw()["certificate"]["certificateRequests"][0]["orders"][0]["challenges"]
        [0]["object"]["spec"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!yaml.contains(&raw_token));
    let edge_port = lab.endpoints().http01_port.to_string();
    assert!(
        !yaml.contains(&format!(":{edge_port}")),
        "edge port left in:\n{yaml}"
    );
    acme.faults().clear();
    lab.shutdown().await;
}

#[tokio::test]
async fn an_ingress_root_captures_the_certificates_ingress_shim_made() {
    let lab = Lab::builder().start().await.unwrap();
    let ns = "chain-shim";
    namespace(&lab, ns).await;
    let start = lab.clock().now();
    let host = format!("front.{LAB_DOMAIN}");
    let ingresses: Api<Ingress> = Api::namespaced(lab.client(), ns);
    create(
        &ingresses,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "front", "namespace": ns,
                            "annotations": {"cert-manager.io/cluster-issuer": LAB_CA}},
               "spec": {"tls": [{"hosts": [host], "secretName": "front-tls"}],
                        "rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix",
                            "backend": {"service": {"name": "front", "port": {"number": 80}}}}]}}]}}),
    )
    .await;
    let certs: Api<Certificate> = Api::namespaced(lab.client(), ns);
    eventually(Duration::from_secs(20), "the shim's Certificate", || {
        let certs = certs.clone();
        async move { certs.get_opt("front-tls").await.unwrap().is_some() }
    })
    .await;
    wait_ready(&lab, ns, "front-tls").await;
    let opts = CaptureOptions::new(start).trust_roots([lab_ca_root(&lab).await]);
    let chain = capture(&lab.client(), &RootRef::ingress(ns, "front"), &opts)
        .await
        .unwrap();
    let yaml = chain.to_yaml();
    eprintln!("{yaml}");
    let tree = chain.tree();
    assert_eq!(tree["root"], "Ingress/front");
    assert_eq!(tree["ingress"]["object"]["kind"], "Ingress");
    let cert = &tree["certificates"][0];
    assert_eq!(cert["object"]["metadata"]["name"], "front-tls");
    assert_eq!(
        cert["object"]["metadata"]["ownerReferences"][0]["kind"],
        "Ingress"
    );
    assert!(
        cert["object"]["metadata"]["ownerReferences"][0]
            .get("uid")
            .is_none()
    );
    assert_eq!(
        cert["certificateRequests"][0]["object"]["metadata"]["name"],
        "front-tls-1"
    );
    assert_eq!(
        cert["secret"]["object"]["data"]["tls.crt"]["sans"]["dns"],
        json!([host])
    );
    assert_eq!(
        cert["secret"]["object"]["data"]["tls.crt"]["verifiesTo"],
        "certlab lab CA"
    );
    lab.shutdown().await;
}

#[tokio::test]
async fn a_cluster_issuer_root_shows_its_account_secret_and_a_missing_root_fails() {
    let lab = Lab::builder().start().await.unwrap();
    let opts = CaptureOptions::new(lab.clock().now());
    let chain = capture(
        &lab.client(),
        &RootRef::cluster_issuer(LAB_ACME_HTTP01),
        &opts,
    )
    .await
    .unwrap();
    let yaml = chain.to_yaml();
    eprintln!("{yaml}");
    let tree = chain.tree();
    assert_eq!(tree["issuer"]["object"]["kind"], "ClusterIssuer");
    let uri = tree["issuer"]["object"]["status"]["acme"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.starts_with("https://127.0.0.1:<port-") && uri.contains("/<id-"),
        "{uri}"
    );
    let secret = &tree["secrets"][0]["object"];
    assert_eq!(
        secret["metadata"]["name"],
        format!("{LAB_ACME_HTTP01}-account")
    );
    assert_eq!(secret["data"]["tls.key"]["algorithm"], "ECDSA");
    let err = capture(
        &lab.client(),
        &RootRef::certificate("default", "nope"),
        &opts,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
    lab.shutdown().await;
}

/// An HTTP-01 Certificate issued to Ready in a fresh lab, captured with mock-acme's
/// roots as trust roots.
async fn acme_scenario() -> (String, String) {
    let lab = Lab::builder().start().await.unwrap();
    let ns = "chain-acme";
    namespace(&lab, ns).await;
    let start = lab.clock().now();
    let certs: Api<Certificate> = Api::namespaced(lab.client(), ns);
    create(
        &certs,
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
               "metadata": {"name": "api", "namespace": ns},
               "spec": {"secretName": "api-tls", "dnsNames": [format!("api.{LAB_DOMAIN}")],
                        "privateKey": {"algorithm": "ECDSA", "encoding": "PKCS8"},
                        "issuerRef": issuer_ref(LAB_ACME_HTTP01)}}),
    )
    .await;
    wait_ready(&lab, ns, "api").await;
    let acme = lab.acme().unwrap();
    let roots: Vec<String> = (0..acme.num_roots())
        .filter_map(|n| acme.root_pem(n))
        .collect();
    let opts = CaptureOptions::new(start).trust_roots(roots);
    let chain = capture(&lab.client(), &RootRef::certificate(ns, "api"), &opts)
        .await
        .unwrap();
    let raw = chain.raw().to_string();
    let yaml = chain.to_yaml();
    lab.shutdown().await;
    (yaml, raw)
}

#[tokio::test]
async fn two_labs_issuing_over_http01_at_once_render_byte_identical_yaml() {
    let ((a, raw_a), (b, raw_b)) = tokio::join!(acme_scenario(), acme_scenario());
    assert_ne!(raw_a, raw_b, "the raw captures differ (ports, IDs, keys)");
    if a != b {
        for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
            if x != y {
                panic!("line {i} differs:\n{x}\n{y}\n\nfirst:\n{a}");
            }
        }
        panic!("lengths differ:\n{a}\n---\n{b}");
    }
    let tls = a.split("tls.crt:").nth(1).unwrap_or_default();
    assert!(tls.contains("verifiesTo: mock-acme Root CA <ca-"), "{a}");
    assert!(a.contains("encoding: PKCS8"), "{a}");
}

#[tokio::test]
async fn keystores_and_additional_outputs_are_summarized_without_key_material() {
    let lab = Lab::builder().start().await.unwrap();
    let ns = "chain-outputs";
    namespace(&lab, ns).await;
    let start = lab.clock().now();
    let secrets: Api<Secret> = Api::namespaced(lab.client(), ns);
    create(
        &secrets,
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "ks-password"},
               "stringData": {"password": "p12-secret-pw"}}),
    )
    .await;
    let certs: Api<Certificate> = Api::namespaced(lab.client(), ns);
    create(
        &certs,
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
               "metadata": {"name": "java", "namespace": ns},
               "spec": {"secretName": "java-tls", "dnsNames": [format!("java.{LAB_DOMAIN}")],
                        "privateKey": {"algorithm": "RSA", "size": 2048},
                        "additionalOutputFormats": [{"type": "DER"}, {"type": "CombinedPEM"}],
                        "keystores": {
                            "pkcs12": {"create": true, "profile": "Modern2023",
                                       "passwordSecretRef": {"name": "ks-password", "key": "password"}},
                            "jks": {"create": true, "password": "changeit"}},
                        "issuerRef": issuer_ref(LAB_CA)}}),
    )
    .await;
    wait_ready(&lab, ns, "java").await;
    let opts = CaptureOptions::new(start).trust_roots([lab_ca_root(&lab).await]);
    let chain = capture(&lab.client(), &RootRef::certificate(ns, "java"), &opts)
        .await
        .unwrap();
    let yaml = chain.to_yaml();
    eprintln!("{yaml}");
    let data = &chain.tree()["certificate"]["secret"]["object"]["data"];
    let rsa = json!({"algorithm": "RSA", "size": 2048, "encoding": "PKCS8"});
    // key.der is tls.key's DER, in its encoding (PKCS1 by default); keystores hold PKCS#8.
    assert_eq!(
        data["key.der"],
        json!({"algorithm": "RSA", "size": 2048, "encoding": "PKCS1"})
    );
    assert_eq!(data["tls-combined.pem"]["privateKey"]["algorithm"], "RSA");
    assert_eq!(
        data["tls-combined.pem"]["certificates"]["verifiesTo"],
        "certlab lab CA"
    );
    assert_eq!(data["keystore.p12"]["format"], "PKCS12");
    assert_eq!(data["keystore.p12"]["privateKeys"][0]["algorithm"], "RSA");
    assert_eq!(data["keystore.jks"]["format"], "JKS");
    assert_eq!(data["keystore.jks"]["entries"][0]["privateKey"], rsa);
    assert_eq!(
        data["truststore.jks"]["entries"][0]["trustedCertificate"],
        "CN=certlab lab CA"
    );
    // No password from a Secret and no key material in the snapshot (the JKS password
    // is a literal of the Certificate's spec, shown as written).
    assert!(!yaml.contains("p12-secret-pw"));
    assert!(!yaml.contains("keystorePasswords"));
    let raw = secrets.get("java-tls").await.unwrap().data.unwrap();
    use base64::Engine as _;
    let der_b64 = base64::engine::general_purpose::STANDARD.encode(&raw["key.der"].0);
    assert!(!yaml.contains(&der_b64[10..40]));
    lab.shutdown().await;
}
