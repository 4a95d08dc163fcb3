//! How Challenges fail and recover: a SERVFAIL during the HTTP-01 self-check, and a
//! solver the CA cannot reach.

mod lab;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use certlab_controller::api::challenge::Challenge;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::events::v1::Event;
use kube::api::{Api, ListParams};
use lab::*;
use serde_json::json;

/// (state, reason) pairs seen.
type Reasons = Arc<Mutex<Vec<(Option<String>, String)>>>;

/// Remembers every Challenge reason seen (Challenges are deleted with their Order).
fn record_reasons(c: kube::Client) -> Reasons {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let out = seen.clone();
    tokio::spawn(async move {
        let api: Api<Challenge> = Api::namespaced(c, "default");
        loop {
            if let Ok(list) = api.list(&ListParams::default()).await {
                for ch in list.items {
                    let st = ch.status.unwrap_or_default();
                    if let Some(reason) = st.reason {
                        let state = st.state.map(|s| format!("{s:?}"));
                        let mut seen = seen.lock().unwrap();
                        if !seen.contains(&(state.clone(), reason.clone())) {
                            seen.push((state, reason));
                        }
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    out
}

#[tokio::test]
async fn a_servfail_keeps_the_challenge_waiting_until_it_clears() {
    let acme = acme_lab().await;
    let c = acme.lab.client.clone();
    acme_cluster_issuer(&acme, "acme", json!([{"http01": {"ingress": {}}}])).await;
    let dns = acme.dns.handle();
    dns.set_servfail("sf.test").unwrap();
    let reasons = record_reasons(c.clone());
    certificate(
        &c,
        "sf",
        json!({"dnsNames": ["sf.test"], "issuerRef": {"name": "acme", "kind": "ClusterIssuer"}}),
    )
    .await;
    let want = "Waiting for HTTP-01 challenge propagation: failed to perform self check GET request 'http://sf.test:";
    eventually(
        Duration::from_secs(20),
        "self-check failing on SERVFAIL",
        || {
            let reasons = reasons.clone();
            async move {
                reasons.lock().unwrap().iter().any(|(state, r)| {
                    r.starts_with(want)
                        && r.contains("lookup sf.test")
                        && state.as_deref() != Some("Invalid")
                })
            }
        },
    )
    .await;
    // Still waiting a while later: nothing was asked of the CA.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let challenges: Api<Challenge> = Api::namespaced(c.clone(), "default");
    let ch = challenges
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .remove(0);
    let st = ch.status.unwrap();
    assert!(st.reason.unwrap().starts_with(want));
    assert_eq!(st.presented, Some(true));
    assert!(st.state.is_none_or(|s| !s.is_final()));

    dns.clear_servfail("sf.test").unwrap();
    wait_ready(&c, "default", "sf", Duration::from_secs(30)).await;
}

#[tokio::test]
async fn a_solver_the_ca_cannot_reach_fails_the_challenge() {
    let acme = acme_lab().await;
    let c = acme.lab.client.clone();
    // No self-check (so the CA is asked at once), and nobody serves unserved.test.
    acme_cluster_issuer(
        &acme,
        "acme",
        json!([{"http01": {"ingress": {}}, "waitInsteadOfSelfCheck": "0s"}]),
    )
    .await;
    let reasons = record_reasons(c.clone());
    certificate(
        &c,
        "bad",
        json!({"dnsNames": ["bad.unserved.test"], "issuerRef": {"name": "acme", "kind": "ClusterIssuer"}}),
    )
    .await;
    let want = "Error accepting authorization: acme: authorization error for bad.unserved.test: ";
    eventually(Duration::from_secs(30), "challenge invalid", || {
        let reasons = reasons.clone();
        async move {
            reasons
                .lock()
                .unwrap()
                .iter()
                .any(|(state, r)| state.as_deref() == Some("Invalid") && r.starts_with(want))
        }
    })
    .await;
    let events: Api<Event> = Api::namespaced(c.clone(), "default");
    eventually(Duration::from_secs(10), "Failed event", || {
        let events = events.clone();
        async move {
            events.list(&ListParams::default()).await.unwrap().items.iter().any(|e| {
                e.reason.as_deref() == Some("Failed")
                    && e.note.as_deref().is_some_and(|n| {
                        n.starts_with("Accepting challenge authorization failed: acme: authorization error for bad.unserved.test: ")
                    })
            })
        }
    })
    .await;
    // The failed Challenge's solver is cleaned up.
    let pods: Api<Pod> = Api::namespaced(c.clone(), "default");
    eventually(Duration::from_secs(10), "solver pod removed", || {
        let pods = pods.clone();
        async move {
            pods.list(&ListParams::default().labels("acme.cert-manager.io/http01-solver=true"))
                .await
                .unwrap()
                .items
                .is_empty()
        }
    })
    .await;
}
