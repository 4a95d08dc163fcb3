//! `cargo xtask bench acme` (issuance part): HTTP-01 Certificates through the whole lab
//! in one process — controller, embedded cluster with its node and ingress edge,
//! mock-dns and mock-acme — on the `lab-acme-http01` ClusterIssuer.
//!
//! Figures: one Certificate created → Ready, p50 (and p90, max) over N sequential runs;
//! M Certificates created at once → all Ready.
//!
//! Usage: bench_acme [sequential-runs] [at-once]   (defaults 20 and 100)

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use certlab_controller::api::certificate::Certificate;
use certlab_controller::api::conditions::get_condition;
use certlab_controller::api::meta::ConditionStatus;
use certlab_harness::{LAB_ACME_HTTP01, LAB_DOMAIN, Lab};
use kube::api::{Api, ListParams, PostParams};
use serde_json::json;

fn is_ready(c: &Certificate) -> bool {
    c.status
        .as_ref()
        .and_then(|s| get_condition(s.conditions(), "Ready"))
        .is_some_and(|c| c.status == ConditionStatus::True)
}

fn certificate(name: &str) -> Certificate {
    serde_json::from_value(json!({
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"secretName": format!("{name}-tls"), "dnsNames": [format!("{name}.{LAB_DOMAIN}")],
                 "privateKey": {"algorithm": "ECDSA", "size": 256},
                 "issuerRef": {"name": LAB_ACME_HTTP01, "kind": "ClusterIssuer"}}
    }))
    .expect("a Certificate")
}

async fn wait_all_ready(api: &Api<Certificate>, prefix: &str, n: usize, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        let ready = api
            .list(&ListParams::default())
            .await
            .map(|l| {
                l.items
                    .iter()
                    .filter(|c| {
                        c.metadata
                            .name
                            .as_deref()
                            .is_some_and(|m| m.starts_with(prefix))
                    })
                    .filter(|c| is_ready(c))
                    .count()
            })
            .unwrap_or(0);
        if ready >= n {
            return true;
        }
        if Instant::now() > deadline {
            eprintln!("only {ready}/{n} Ready after {timeout:?}");
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let runs = args.first().copied().unwrap_or(20);
    let at_once = args.get(1).copied().unwrap_or(100);

    let started = Instant::now();
    let lab = Lab::builder().start().await?;
    let lab_start = started.elapsed();
    let api: Api<Certificate> = Api::namespaced(lab.client(), "default");

    // Warm-up: the first issuance pays for account caches and connection set-up.
    api.create(&PostParams::default(), &certificate("warmup"))
        .await?;
    if !wait_all_ready(&api, "warmup", 1, Duration::from_secs(60)).await {
        anyhow::bail!("the warm-up certificate never became Ready");
    }

    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let name = format!("seq-{i}");
        let t = Instant::now();
        api.create(&PostParams::default(), &certificate(&name))
            .await?;
        if !wait_all_ready(&api, &name, 1, Duration::from_secs(60)).await {
            anyhow::bail!("{name} never became Ready");
        }
        times.push(t.elapsed());
    }
    times.sort();

    let t = Instant::now();
    for i in 0..at_once {
        api.create(&PostParams::default(), &certificate(&format!("many-{i}")))
            .await?;
    }
    let created = t.elapsed();
    // BENCH_TRACE=1 prints the pipeline's shape every 500 ms while the burst runs.
    let tracer = std::env::var_os("BENCH_TRACE").map(|_| {
        let client = lab.client();
        tokio::spawn(async move {
            use certlab_controller::api::challenge::Challenge;
            use certlab_controller::api::order::Order;
            use k8s_openapi::api::core::v1::Pod;
            let t = Instant::now();
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let lp = ListParams::default();
                let certs: Api<Certificate> = Api::namespaced(client.clone(), "default");
                let orders: Api<Order> = Api::namespaced(client.clone(), "default");
                let chs: Api<Challenge> = Api::namespaced(client.clone(), "default");
                let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
                let ready = certs.list(&lp).await.map(|l| l.items.iter().filter(|c| is_ready(c)).count()).unwrap_or(0);
                let o = orders.list(&lp).await.map(|l| l.items).unwrap_or_default();
                let state = |s: &str| o.iter().filter(|o| o.status.as_ref().and_then(|st| st.state).map(|x| format!("{x:?}").to_lowercase()) == Some(s.to_string())).count();
                let c = chs.list(&lp).await.map(|l| l.items).unwrap_or_default();
                let presented = c.iter().filter(|c| c.status.as_ref().and_then(|s| s.presented) == Some(true)).count();
                let processing = c.iter().filter(|c| c.status.as_ref().and_then(|s| s.processing) == Some(true)).count();
                let running = pods.list(&lp).await.map(|l| l.items.iter().filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")).count()).unwrap_or(0);
                eprintln!(
                    "{:>5.1}s ready {ready:>3} | orders {} pending {} ready {} valid {} | challenges {} processing {processing} presented {presented} | solver pods running {running}",
                    t.elapsed().as_secs_f64(), o.len(), state("pending"), state("ready"), state("valid"), c.len()
                );
            }
        })
    });
    let all_ready = wait_all_ready(&api, "many-", at_once, Duration::from_secs(300)).await;
    let burst = t.elapsed();
    if let Some(t) = tracer {
        t.abort();
    }

    println!(
        "lab start (cluster, node, edge, mock-dns, mock-acme, controller, 4 issuers): {lab_start:.2?}"
    );
    println!(
        "one HTTP-01 Certificate created -> Ready, {runs} sequential runs: p50 {:.1?}, p90 {:.1?}, max {:.1?}",
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        times.last().copied().unwrap_or_default()
    );
    println!(
        "{at_once} HTTP-01 Certificates created at once (creates took {created:.2?}) -> all Ready: {burst:.2?}{}",
        if all_ready { "" } else { " (NOT all Ready)" }
    );
    lab.shutdown().await;
    if !all_ready {
        anyhow::bail!("not every Certificate became Ready");
    }
    Ok(())
}
