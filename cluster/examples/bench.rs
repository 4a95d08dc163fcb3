//! The embedded cluster's benchmark, run by `cargo xtask bench cluster` in release mode.
//!
//! Figures:
//! - cold start to ready, in-process (`Cluster::builder().start()`), median of 30;
//! - cold start to ready of `certlab-cluster serve` with TLS (spawn → URL printed, which
//!   happens after the kubeconfig is written), median of 10;
//! - creates/s through kube::Client over HTTPS loopback, 16 in flight;
//! - watch event latency p50/p99 at 1,000 events/s over HTTPS;
//! - memory per stored 2 KiB object (RSS growth / objects).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use certlab_cluster::Cluster;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ObjectMeta, PostParams};
use kube::runtime::{WatchStreamExt, watcher};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn client_for(kubeconfig: &std::path::Path) -> kube::Client {
    let kc = kube::config::Kubeconfig::read_from(kubeconfig).expect("kubeconfig");
    let config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await
            .expect("config");
    kube::Client::try_from(config).expect("client")
}

fn configmap(name: String, payload: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name),
            ..Default::default()
        },
        data: Some(BTreeMap::from([(
            "payload".to_string(),
            payload.to_string(),
        )])),
        ..Default::default()
    }
}

async fn cold_start_in_process() -> Duration {
    // Warm up once (first-use initialisation of crypto and regexes is not a cold start
    // of the cluster).
    drop(Cluster::builder().start().await.expect("start"));
    let mut samples = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let c = Cluster::builder().start().await.expect("start");
        samples.push(t.elapsed());
        drop(c);
    }
    samples.sort();
    percentile(&samples, 0.5)
}

fn cold_start_serve(binary: &PathBuf) -> Duration {
    let mut samples = Vec::new();
    for _ in 0..10 {
        let dir = tempfile::tempdir().expect("tempdir");
        let kc = dir.path().join("kubeconfig");
        let t = Instant::now();
        let mut child = Command::new(binary)
            .args(["serve", "--kubeconfig"])
            .arg(&kc)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn certlab-cluster");
        let mut out = child.stdout.take().expect("stdout");
        let mut byte = [0u8; 1];
        use std::io::Read;
        // The URL line is printed once the listener serves and the kubeconfig exists.
        loop {
            match out.read(&mut byte) {
                Ok(1) if byte[0] == b'\n' => break,
                Ok(1) => {}
                _ => break,
            }
        }
        samples.push(t.elapsed());
        assert!(kc.exists(), "kubeconfig written before the URL is printed");
        let _ = child.kill();
        let _ = child.wait();
    }
    samples.sort();
    percentile(&samples, 0.5)
}

async fn creates_per_second(total: usize) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig");
    let _cluster = Cluster::builder()
        .kubeconfig_path(&kc)
        .start()
        .await
        .expect("start");
    let client = client_for(&kc).await;
    let api: Api<ConfigMap> = Api::default_namespaced(client);
    // Warm the connections.
    futures::stream::iter(0..64)
        .map(|i| {
            let api = api.clone();
            async move {
                api.create(&PostParams::default(), &configmap(format!("warm-{i}"), "x"))
                    .await
                    .expect("create")
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    let t = Instant::now();
    futures::stream::iter(0..total)
        .map(|i| {
            let api = api.clone();
            async move {
                api.create(&PostParams::default(), &configmap(format!("cm-{i}"), "x"))
                    .await
                    .expect("create")
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    total as f64 / t.elapsed().as_secs_f64()
}

async fn watch_latency(rate: u32, seconds: u32) -> (Duration, Duration, usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig");
    let _cluster = Cluster::builder()
        .kubeconfig_path(&kc)
        .start()
        .await
        .expect("start");
    let writer = client_for(&kc).await;
    let reader = client_for(&kc).await;
    let sent: Arc<std::sync::Mutex<BTreeMap<String, Instant>>> = Arc::default();
    let latencies: Arc<std::sync::Mutex<Vec<Duration>>> = Arc::default();
    let watch_api: Api<ConfigMap> = Api::default_namespaced(reader);
    let (s, l) = (sent.clone(), latencies.clone());
    let watching = tokio::spawn(async move {
        let stream = watcher(watch_api, watcher::Config::default()).applied_objects();
        futures::pin_mut!(stream);
        while let Ok(Some(cm)) = stream.try_next().await {
            let now = Instant::now();
            if let Some(name) = cm.metadata.name
                && let Some(at) = s.lock().unwrap().remove(&name)
            {
                l.lock().unwrap().push(now - at);
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let api: Api<ConfigMap> = Api::default_namespaced(writer);
    let total = rate * seconds;
    let interval = Duration::from_secs(1) / rate;
    let start = Instant::now();
    let mut in_flight = futures::stream::FuturesUnordered::new();
    for i in 0..total {
        let due = start + interval * i;
        tokio::time::sleep_until(due.into()).await;
        let name = format!("w-{i}");
        let api = api.clone();
        let sent = sent.clone();
        in_flight.push(tokio::spawn(async move {
            sent.lock().unwrap().insert(name.clone(), Instant::now());
            api.create(&PostParams::default(), &configmap(name, "x"))
                .await
                .expect("create");
        }));
        while let std::task::Poll::Ready(Some(_)) = futures::poll!(in_flight.next()) {}
    }
    while in_flight.next().await.is_some() {}
    tokio::time::sleep(Duration::from_millis(500)).await;
    watching.abort();
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    (percentile(&l, 0.5), percentile(&l, 0.99), l.len())
}

async fn memory_per_object(count: usize) -> f64 {
    let cluster = Cluster::builder().start().await.expect("start");
    let api: Api<ConfigMap> = Api::default_namespaced(cluster.client());
    let payload = "p".repeat(2048 - 100);
    let before = rss_kib();
    futures::stream::iter(0..count)
        .map(|i| {
            let api = api.clone();
            let payload = payload.clone();
            async move {
                api.create(
                    &PostParams::default(),
                    &configmap(format!("mem-{i}"), &payload),
                )
                .await
                .expect("create")
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    // Let the allocator settle and the history hold what it holds.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = rss_kib();
    (after.saturating_sub(before) as f64 * 1024.0) / count as f64
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let binary = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .expect("usage: bench <path to certlab-cluster>");
    let start = cold_start_in_process().await;
    let serve = cold_start_serve(&binary);
    let creates = creates_per_second(20_000).await;
    let (p50, p99, n) = watch_latency(1000, 5).await;
    let per_object = memory_per_object(20_000).await;
    println!("| figure | goal | measured |");
    println!("|---|---|---|");
    println!(
        "| cold start to ready, in-process (median of 30) | ≤ 20 ms | {} |",
        ms(start)
    );
    println!(
        "| cold start to ready, `serve` with TLS (median of 10, spawn → URL printed) | ≤ 50 ms | {} |",
        ms(serve)
    );
    println!(
        "| creates/s via kube::Client over HTTPS loopback, 16 in flight (20,000 ConfigMaps) | ≥ 5,000/s | {creates:.0}/s |"
    );
    println!(
        "| watch event latency at 1,000 events/s for 5 s ({n} events): p50 / p99 | p99 ≤ 5 ms | {} / {} |",
        ms(p50),
        ms(p99)
    );
    println!(
        "| memory per stored 2 KiB ConfigMap (RSS growth over 20,000, history included) | report | {:.1} KiB |",
        per_object / 1024.0
    );
}
