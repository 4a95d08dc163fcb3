//! The Challenges controller, the HTTP-01 solver and the scheduler against the embedded
//! cluster, mock-acme and mock-dns; then HTTP-01 issuance end to end.
//!
//! Names under `unserved.test` get solver resources but nobody runs their Pod (the
//! self-check keeps failing), which keeps a Challenge mid-flight.

mod lab;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use certlab_controller::api::challenge::Challenge;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::api::networking::v1::Ingress;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams};
use lab::*;
use serde_json::json;

const SOLVER_LABELS: &str = "acme.cert-manager.io/http01-solver=true";
const T: Duration = Duration::from_secs(20);

/// Hand-made Challenges name made-up URLs, which the ACME server would answer with
/// `malformed` (and the Challenge would expire at once, as in cert-manager): make its
/// authorization and challenge endpoints answer 503 instead, so they stay in flight.
fn acme_unavailable_for_challenges(acme: &AcmeLab) {
    let rules: Vec<mock_acme::faults::FaultRule> = ["authz", "challenge"]
        .iter()
        .map(|e| {
            serde_json::from_value(json!({"endpoint": e, "errorRate": 1.0, "status": 503})).unwrap()
        })
        .collect();
    acme.acme.faults().set(rules).unwrap();
}

/// A Challenge as an Order would create it, for `dns_name` with `solver`.
async fn challenge(
    acme: &AcmeLab,
    name: &str,
    dns_name: &str,
    solver: serde_json::Value,
) -> Challenge {
    let dir = acme.acme.directory_url();
    let base = dir.trim_end_matches("/dir");
    let token = format!("tok-{name}");
    create(
        &Api::<Challenge>::namespaced(acme.lab.client.clone(), "default"),
        json!({"apiVersion": "acme.cert-manager.io/v1", "kind": "Challenge",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"url": format!("{base}/chalZ/{name}"), "authorizationURL": format!("{base}/authZ/{name}"),
                "dnsName": dns_name, "type": "HTTP-01", "token": token, "key": format!("{token}.thumbprint"),
                "solver": solver, "issuerRef": {"name": "acme", "kind": "ClusterIssuer", "group": "cert-manager.io"}}}),
    )
    .await
}

fn http01(ingress: serde_json::Value) -> serde_json::Value {
    json!({"http01": {"ingress": ingress}})
}

async fn solver_objects<K>(c: &kube::Client) -> Vec<K>
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    Api::<K>::namespaced(c.clone(), "default")
        .list(&ListParams::default().labels(SOLVER_LABELS))
        .await
        .unwrap()
        .items
}

async fn get_challenge(c: &kube::Client, name: &str) -> Option<Challenge> {
    Api::<Challenge>::namespaced(c.clone(), "default")
        .get_opt(name)
        .await
        .unwrap()
}

fn adler32(data: &[u8]) -> u32 {
    certlab_controller::acme::names::adler32(data)
}

#[tokio::test]
async fn the_presenter_creates_pod_service_and_ingress_and_the_finalizer_removes_them() {
    let acme = acme_lab().await;
    let c = acme.lab.client.clone();
    acme_cluster_issuer(&acme, "acme", json!([http01(json!({}))])).await;
    acme_unavailable_for_challenges(&acme);
    let ch = challenge(
        &acme,
        "mid-flight",
        "web.unserved.test",
        http01(json!({"ingressClassName": "lab",
            "podTemplate": {"metadata": {"labels": {"team": "a"}}, "spec": {"nodeSelector": {"zone": "z1"}}},
            "ingressTemplate": {"metadata": {"annotations": {"note": "x"}}}})),
    )
    .await;
    let uid = ch.uid().unwrap();

    eventually(T, "solver Pod, Service and Ingress", || {
        let c = c.clone();
        async move {
            !solver_objects::<Pod>(&c).await.is_empty()
                && !solver_objects::<Service>(&c).await.is_empty()
                && !solver_objects::<Ingress>(&c).await.is_empty()
        }
    })
    .await;
    let domain_hash = adler32(b"web.unserved.test").to_string();
    let token_hash = adler32(b"tok-mid-flight").to_string();
    let pods = solver_objects::<Pod>(&c).await;
    assert_eq!(pods.len(), 1);
    let pod = &pods[0];
    assert!(pod.name_any().starts_with("cm-acme-http-solver-"));
    let labels = pod.labels();
    assert_eq!(labels["acme.cert-manager.io/http-domain"], domain_hash);
    assert_eq!(labels["acme.cert-manager.io/http-token"], token_hash);
    assert_eq!(labels["team"], "a", "podTemplate labels are merged");
    assert_eq!(pod.annotations()["sidecar.istio.io/inject"], "false");
    let owner = &pod.owner_references()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.uid.as_str(), owner.controller),
        ("Challenge", uid.as_str(), Some(true))
    );
    let spec = pod.spec.as_ref().unwrap();
    assert_eq!(spec.node_selector.as_ref().unwrap()["zone"], "z1");
    let container = &spec.containers[0];
    assert_eq!(container.name, "acmesolver");
    assert_eq!(
        container.image.as_deref(),
        Some("quay.io/jetstack/cert-manager-acmesolver:v1.21.1")
    );
    assert_eq!(
        container.args.as_deref().unwrap(),
        [
            "--listen-port=8089",
            "--domain=web.unserved.test",
            "--token=tok-mid-flight",
            "--key=tok-mid-flight.thumbprint"
        ]
    );

    let services = solver_objects::<Service>(&c).await;
    assert_eq!(services.len(), 1);
    let svc = services[0].spec.as_ref().unwrap();
    assert_eq!(svc.type_.as_deref(), Some("NodePort"));
    assert_eq!(svc.ports.as_ref().unwrap()[0].port, 8089);
    assert_eq!(
        svc.selector.as_ref().unwrap()["acme.cert-manager.io/http-token"],
        token_hash
    );

    let ingresses = solver_objects::<Ingress>(&c).await;
    assert_eq!(ingresses.len(), 1);
    let ing = &ingresses[0];
    assert_eq!(
        ing.annotations()["note"],
        "x",
        "ingressTemplate annotations are merged"
    );
    let ispec = ing.spec.as_ref().unwrap();
    assert_eq!(ispec.ingress_class_name.as_deref(), Some("lab"));
    let rule = &ispec.rules.as_ref().unwrap()[0];
    assert_eq!(rule.host.as_deref(), Some("web.unserved.test"));
    let path = &rule.http.as_ref().unwrap().paths[0];
    assert_eq!(
        path.path.as_deref(),
        Some("/.well-known/acme-challenge/tok-mid-flight")
    );
    assert_eq!(path.path_type, "Exact");
    assert_eq!(
        path.backend.service.as_ref().unwrap().name,
        services[0].name_any()
    );

    // Presented, waiting for the self-check, with the finalizer.
    eventually(T, "presented and waiting for propagation", || {
        let c = c.clone();
        async move {
            let ch = get_challenge(&c, "mid-flight").await.unwrap();
            let st = ch.status.clone().unwrap_or_default();
            st.presented == Some(true)
                && st.processing == Some(true)
                && st.reason.as_deref().is_some_and(|r| {
                    r.starts_with("Waiting for HTTP-01 challenge propagation: failed to perform self check GET request 'http://web.unserved.test:")
                })
                && ch.finalizers().iter().any(|f| f == "acme.cert-manager.io/finalizer")
        }
    })
    .await;
    let events: Api<Event> = Api::namespaced(c.clone(), "default");
    let presented = events
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|e| {
            e.reason.as_deref() == Some("Presented")
                && e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some("mid-flight")
        });
    assert_eq!(
        presented.and_then(|e| e.note).as_deref(),
        Some("Presented challenge using HTTP-01 challenge mechanism")
    );

    // A second look never duplicates anything.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(solver_objects::<Pod>(&c).await.len(), 1);
    assert_eq!(solver_objects::<Ingress>(&c).await.len(), 1);

    // Deleting mid-flight: the finalizer cleans up, then lets the Challenge go.
    Api::<Challenge>::namespaced(c.clone(), "default")
        .delete("mid-flight", &DeleteParams::default())
        .await
        .unwrap();
    eventually(T, "challenge and solver resources gone", || {
        let c = c.clone();
        async move {
            get_challenge(&c, "mid-flight").await.is_none()
                && solver_objects::<Pod>(&c).await.is_empty()
                && solver_objects::<Service>(&c).await.is_empty()
                && solver_objects::<Ingress>(&c).await.is_empty()
        }
    })
    .await;
}

#[tokio::test]
async fn the_self_check_passes_against_the_running_solver() {
    let acme = acme_lab().await;
    let c = acme.lab.client.clone();
    acme_cluster_issuer(&acme, "acme", json!([http01(json!({}))])).await;
    acme_unavailable_for_challenges(&acme);
    challenge(&acme, "served", "served.test", http01(json!({}))).await;
    // The solver Pod is run by the test's node stand-in; once it answers, the
    // controller moves on to accepting the (made-up) challenge URL.
    eventually(T, "self-check passed", || {
        let c = c.clone();
        async move {
            let st = get_challenge(&c, "served")
                .await
                .unwrap()
                .status
                .unwrap_or_default();
            st.reason
                .as_deref()
                .is_some_and(|r| !r.starts_with("Waiting for HTTP-01"))
                && st.presented.is_some()
        }
    })
    .await;
    assert_eq!(acme.served.lock().unwrap().as_slice(), ["served.test"]);
}

#[tokio::test]
async fn the_scheduler_limits_concurrency_and_never_runs_one_name_twice() {
    let acme = acme_lab_with(|c| certlab_controller::config::Config {
        max_concurrent_challenges: 2,
        ..c
    })
    .await;
    let c = acme.lab.client.clone();
    acme_cluster_issuer(&acme, "acme", json!([http01(json!({}))])).await;
    acme_unavailable_for_challenges(&acme);
    for (name, dns) in [
        ("ch-1-a", "a.unserved.test"),
        ("ch-2-a", "a.unserved.test"),
        ("ch-3-b", "b.unserved.test"),
        ("ch-4-c", "c.unserved.test"),
    ] {
        challenge(&acme, name, dns, http01(json!({}))).await;
    }
    let processing = |c: kube::Client| async move {
        Api::<Challenge>::namespaced(c, "default")
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|ch| ch.status.as_ref().and_then(|s| s.processing) == Some(true))
            .map(|ch| ch.name_any())
            .collect::<BTreeSet<_>>()
    };
    eventually(T, "two scheduled", || {
        let c = c.clone();
        async move { processing(c).await.len() == 2 }
    })
    .await;
    // Stable: the limit holds and the second a.unserved.test waits for the first.
    for _ in 0..10 {
        assert_eq!(
            processing(c.clone()).await,
            BTreeSet::from(["ch-1-a".into(), "ch-3-b".into()])
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Api::<Challenge>::namespaced(c.clone(), "default")
        .delete("ch-1-a", &DeleteParams::default())
        .await
        .unwrap();
    eventually(T, "the waiting one takes the freed slot", || {
        let c = c.clone();
        async move {
            processing(c).await == BTreeSet::from(["ch-2-a".to_string(), "ch-3-b".to_string()])
        }
    })
    .await;
}

#[tokio::test]
async fn edit_in_place_adds_the_path_to_the_named_ingress_and_removes_it() {
    let acme = acme_lab().await;
    let c = acme.lab.client.clone();
    acme_cluster_issuer(&acme, "acme", json!([http01(json!({}))])).await;
    let ingresses: Api<Ingress> = Api::namespaced(c.clone(), "default");
    let original: Ingress = create(
        &ingresses,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"rules": [{"host": "edit.unserved.test", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "app", "port": {"number": 80}}}}]}}]}}),
    )
    .await;
    challenge(
        &acme,
        "edit",
        "edit.unserved.test",
        http01(json!({"name": "web"})),
    )
    .await;
    eventually(T, "path added to web", || {
        let ingresses = ingresses.clone();
        async move {
            let ing = ingresses.get("web").await.unwrap();
            let paths = &ing.spec.unwrap().rules.unwrap()[0]
                .http
                .clone()
                .unwrap()
                .paths;
            paths.len() == 2
                && paths[0].path.as_deref() == Some("/.well-known/acme-challenge/tok-edit")
                && paths[0].path_type == "Exact"
                && paths[0]
                    .backend
                    .service
                    .as_ref()
                    .is_some_and(|s| s.name.starts_with("cm-acme-http-solver-"))
        }
    })
    .await;
    assert!(
        solver_objects::<Ingress>(&c).await.is_empty(),
        "no Ingress of its own"
    );
    Api::<Challenge>::namespaced(c.clone(), "default")
        .delete("edit", &DeleteParams::default())
        .await
        .unwrap();
    eventually(T, "path removed again", || {
        let ingresses = ingresses.clone();
        let want = original.spec.clone();
        async move { ingresses.get("web").await.unwrap().spec == want }
    })
    .await;
}

/// Host → (class annotation, ingressClassName) of the solver Ingresses seen.
type SeenIngresses =
    std::sync::Arc<std::sync::Mutex<BTreeMap<String, (Option<String>, Option<String>)>>>;

/// Records every solver Ingress seen.
fn watch_solver_ingresses(c: kube::Client) -> SeenIngresses {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(BTreeMap::new()));
    let out = seen.clone();
    tokio::spawn(async move {
        loop {
            for ing in solver_objects::<Ingress>(&c).await {
                let class = ing
                    .annotations()
                    .get("kubernetes.io/ingress.class")
                    .cloned();
                let spec = ing.spec.clone().unwrap_or_default();
                for rule in spec.rules.unwrap_or_default() {
                    if let Some(host) = rule.host {
                        seen.lock()
                            .unwrap()
                            .insert(host, (class.clone(), spec.ingress_class_name.clone()));
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    out
}

#[tokio::test]
async fn an_http01_certificate_becomes_ready_end_to_end() {
    let acme = acme_lab().await;
    let c = acme.lab.client.clone();
    acme_cluster_issuer(&acme, "acme", json!([http01(json!({}))])).await;
    certificate(
        &c,
        "web",
        json!({"dnsNames": ["web.e2e.test"], "issuerRef": {"name": "acme", "kind": "ClusterIssuer"}}),
    )
    .await;
    wait_ready(&c, "default", "web", Duration::from_secs(60)).await;
    let data = secret_data(&c, "web-tls").await;
    let pem = String::from_utf8(data["tls.crt"].clone()).unwrap();
    assert!(
        pem.matches("BEGIN CERTIFICATE").count() >= 2,
        "leaf and chain"
    );
    assert_eq!(acme.served.lock().unwrap().as_slice(), ["web.e2e.test"]);
    // The Order is done, so its Challenges and their solver resources are gone.
    eventually(T, "solver resources cleaned up", || {
        let c = c.clone();
        async move {
            solver_objects::<Pod>(&c).await.is_empty()
                && solver_objects::<Service>(&c).await.is_empty()
                && solver_objects::<Ingress>(&c).await.is_empty()
        }
    })
    .await;
}

#[tokio::test]
async fn a_multi_san_certificate_is_solved_by_two_solvers_chosen_by_selector() {
    let acme = acme_lab().await;
    let c = acme.lab.client.clone();
    acme_cluster_issuer(
        &acme,
        "acme",
        json!([
            {"http01": {"ingress": {"class": "default"}}},
            {"selector": {"dnsNames": ["one.multi.test"]}, "http01": {"ingress": {"class": "one"}}},
            {"selector": {"dnsZones": ["two.test"]}, "http01": {"ingress": {"ingressClassName": "two"}}},
        ]),
    )
    .await;
    let seen = watch_solver_ingresses(c.clone());
    certificate(
        &c,
        "multi",
        json!({"dnsNames": ["one.multi.test", "www.two.test", "other.test"],
            "issuerRef": {"name": "acme", "kind": "ClusterIssuer"}}),
    )
    .await;
    wait_ready(&c, "default", "multi", Duration::from_secs(60)).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen["one.multi.test"], (Some("one".to_string()), None));
    assert_eq!(seen["www.two.test"], (None, Some("two".to_string())));
    assert_eq!(seen["other.test"], (Some("default".to_string()), None));
    let mut served = acme.served.lock().unwrap().clone();
    served.sort();
    assert_eq!(served, ["one.multi.test", "other.test", "www.two.test"]);
}
