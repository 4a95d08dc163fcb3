//! Reproduces an open controller bug (found by the scenario engine's tests): on one lab,
//! rounds of 4 concurrent Certificates that are issued, re-issued (a DNS name added) and
//! then deleted make the controller stop reconciling after two or three rounds — no more
//! reconciles, no log lines, new Certificates never get a status. Without the re-issue
//! step it does not happen, nor does namespace deletion matter (`NO_NS_DELETE=1`).
//! `cargo xtask e2e` is not affected (each run has its own lab). No reconcile hangs
//! when it happens (the 60 s reconcile bound in `controller/src/run.rs` never fires, even
//! at 5 s): the controllers stop being *triggered*, which points at the watch streams.
//! A lead: the controller's Certificate cache printed after each round still holds
//! Certificates that were deleted (it should hold only `kube-system/lab-ca`).
//!
//! Run: `RUST_LOG=certlab_controller=debug cargo run -p certlab-harness --example delete_stall`

use certlab_controller::api::certificate::Certificate;
use certlab_harness::Lab;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, PostParams};
use std::time::{Duration, Instant};

fn cert(name: &str, ns: &str) -> Certificate {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"secretName": format!("{name}-tls"), "dnsNames": [format!("{name}.lab.test")],
                 "issuerRef": {"name": "lab-ca", "kind": "ClusterIssuer"}}}))
    .unwrap()
}

async fn ready(api: &Api<Certificate>, name: &str) -> bool {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(15) {
        if let Ok(c) = api.get(name).await
            && c.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| {
                    cs.iter().any(|c| {
                        c.type_ == "Ready"
                            && c.status == certlab_controller::api::meta::ConditionStatus::True
                    })
                })
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let lab = Lab::builder().start().await.unwrap();
    let c = lab.client();
    let nsapi: Api<Namespace> = Api::all(c.clone());
    for round in 0..4 {
        let mut handles = Vec::new();
        for i in 0..4 {
            let c = c.clone();
            let nsapi = nsapi.clone();
            handles.push(tokio::spawn(async move {
                let ns = format!("r{round}-{i}");
                nsapi.create(&PostParams::default(), &serde_json::from_value(serde_json::json!({"metadata": {"name": ns}})).unwrap()).await.unwrap();
                let api: Api<Certificate> = Api::namespaced(c.clone(), &ns);
                api.create(&PostParams::default(), &cert("web", &ns)).await.unwrap();
                let mut ok = ready(&api, "web").await;
                let patch = serde_json::json!({"spec": {"dnsNames": [format!("web.lab.test"), format!("www.web.lab.test")]}});
                api.patch("web", &kube::api::PatchParams::default(), &kube::api::Patch::Merge(&patch)).await.unwrap();
                let t = Instant::now();
                loop {
                    let c = api.get("web").await.unwrap();
                    if c.status.as_ref().and_then(|s| s.revision) == Some(2) { break; }
                    if t.elapsed() > Duration::from_secs(15) { ok = false; break; }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                api.delete("web", &DeleteParams::background()).await.unwrap();
                let t = Instant::now();
                while api.get_opt("web").await.unwrap().is_some() && t.elapsed() < Duration::from_secs(10) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                if std::env::var_os("NO_NS_DELETE").is_none() { nsapi.delete(&ns, &DeleteParams::default()).await.unwrap(); }
                ok
            }));
        }
        let mut all = true;
        for h in handles {
            all &= h.await.unwrap();
        }
        println!("round {round}: {}", if all { "ok" } else { "STALLED" });
        let ctx = &lab.controller().context;
        let mut names: Vec<String> = ctx
            .certificates
            .state()
            .iter()
            .map(|c| {
                format!(
                    "{}/{}",
                    c.metadata.namespace.clone().unwrap_or_default(),
                    c.metadata.name.clone().unwrap_or_default()
                )
            })
            .collect();
        names.sort();
        println!("  cached: {names:?}");
        println!(
            "  controller caches: {} Certificates, {} CertificateRequests",
            ctx.certificates.state().len(),
            ctx.requests.state().len()
        );
    }
}
