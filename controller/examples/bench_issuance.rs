//! `cargo xtask bench controller`: N Certificates (ECDSA P-256, CA issuer) created at
//! once against `certlab-cluster serve`, with `certlab-controller` as its own process;
//! wall time until all are Ready and the controller's peak RSS.
//!
//! Usage: bench <certlab-cluster> <certlab-controller> <count>...

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use certlab_controller::api::certificate::Certificate;
use certlab_controller::api::issuer::ClusterIssuer;
use futures::StreamExt;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::ResourceExt;
use kube::api::{Api, PostParams};
use kube::runtime::WatchStreamExt;
use serde_json::json;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// User + system CPU seconds a process has used so far.
fn cpu_seconds(pid: u32) -> f64 {
    let ticks = 100.0; // USER_HZ on Linux
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // Fields 14 and 15 of stat (utime, stime); `rest` starts at field 3.
            Some(
                (fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?)
                    / ticks,
            )
        })
        .unwrap_or(0.0)
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

async fn client(kubeconfig: &Path) -> kube::Client {
    let kc = kube::config::Kubeconfig::read_from(kubeconfig).expect("kubeconfig");
    let config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await
            .expect("config");
    kube::Client::try_from(config).expect("client")
}

fn is_ready(c: &Certificate) -> bool {
    c.status.as_ref().is_some_and(|s| {
        s.conditions().iter().any(|c| {
            c.type_ == "Ready" && c.status == certlab_controller::api::meta::ConditionStatus::True
        })
    })
}

/// Resolves once `count` Certificates in `api` have been seen Ready, watching (not
/// polling, which would load the API server with lists of every Certificate).
async fn all_ready(api: Api<Certificate>, count: usize) {
    let mut ready = std::collections::HashSet::new();
    let mut events = std::pin::pin!(
        kube::runtime::watcher(api, kube::runtime::watcher::Config::default())
            .default_backoff()
            .applied_objects()
    );
    while let Some(event) = events.next().await {
        if let Ok(cert) = event
            && is_ready(&cert)
        {
            ready.insert(cert.name_any());
            if ready.len() >= count {
                return;
            }
        }
    }
}

struct Figures {
    took: Duration,
    controller_rss: f64,
    controller_cpu: f64,
    cluster_cpu: f64,
}

async fn run(cluster_bin: &Path, controller_bin: &Path, count: usize) -> Figures {
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig");
    let mut cluster = Command::new(cluster_bin)
        .args(["serve", "--kubeconfig"])
        .arg(&kc)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("certlab-cluster");
    let mut line = [0u8; 1];
    let mut out = cluster.stdout.take().expect("stdout");
    while std::io::Read::read(&mut out, &mut line)
        .map(|n| n == 1 && line[0] != b'\n')
        .unwrap_or(false)
    {}
    let cluster_pid = cluster.id();
    let _cluster = Killed(cluster);
    let c = client(&kc).await;
    let crds: Api<CustomResourceDefinition> = Api::all(c.clone());
    for crd in certlab_controller::api::crds() {
        crds.create(&PostParams::default(), &crd)
            .await
            .expect("CRD");
    }
    let controller = Command::new(controller_bin)
        .args(["--kubeconfig"])
        .arg(&kc)
        .args(["--metrics-addr", "", "--concurrent-workers", "32"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("certlab-controller");
    let pid = controller.id();
    let _controller = Killed(controller);
    let issuers: Api<ClusterIssuer> = Api::all(c.clone());
    let issuer = |v: serde_json::Value| serde_json::from_value::<ClusterIssuer>(v).expect("issuer");
    issuers
        .create(&PostParams::default(), &issuer(json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "selfsigned"}, "spec": {"selfSigned": {}}})))
        .await
        .expect("selfsigned");
    let system: Api<Certificate> = Api::namespaced(c.clone(), "kube-system");
    let ca: Certificate = serde_json::from_value(json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "bench-ca", "namespace": "kube-system"},
        "spec": {"isCA": true, "commonName": "bench CA", "secretName": "bench-ca", "privateKey": {"algorithm": "ECDSA"},
            "issuerRef": {"name": "selfsigned", "kind": "ClusterIssuer"}}}))
    .expect("ca");
    system
        .create(&PostParams::default(), &ca)
        .await
        .expect("ca cert");
    issuers
        .create(&PostParams::default(), &issuer(json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "ca"}, "spec": {"ca": {"secretName": "bench-ca"}}})))
        .await
        .expect("ca issuer");
    loop {
        if issuers
            .get("ca")
            .await
            .ok()
            .and_then(|i| i.status)
            .is_some_and(|s| s.is_ready())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let api: Api<Certificate> = Api::default_namespaced(c.clone());
    let (controller_cpu0, cluster_cpu0) = (cpu_seconds(pid), cpu_seconds(cluster_pid));
    let start = Instant::now();
    let done = tokio::spawn(all_ready(api.clone(), count));
    futures::stream::iter(0..count)
        .map(|i| {
            let api = api.clone();
            async move {
                let cert: Certificate = serde_json::from_value(json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                    "metadata": {"name": format!("bench-{i}")},
                    "spec": {"secretName": format!("bench-{i}-tls"), "dnsNames": [format!("bench-{i}.lab.test")],
                        "privateKey": {"algorithm": "ECDSA", "size": 256},
                        "issuerRef": {"name": "ca", "kind": "ClusterIssuer"}}}))
                .expect("cert");
                api.create(&PostParams::default(), &cert).await.expect("create");
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    if tokio::time::timeout(Duration::from_secs(600), done)
        .await
        .is_err()
    {
        eprintln!("not all {count} Certificates were Ready after 600 s");
    }
    Figures {
        took: start.elapsed(),
        controller_rss: peak_rss_mib(pid),
        controller_cpu: cpu_seconds(pid) - controller_cpu0,
        cluster_cpu: cpu_seconds(cluster_pid) - cluster_cpu0,
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cluster = PathBuf::from(&args[1]);
    let controller = PathBuf::from(&args[2]);
    let counts: Vec<usize> = args[3..].iter().filter_map(|a| a.parse().ok()).collect();
    println!(
        "| Certificates (ECDSA P-256, CA issuer) created at once | all Ready after | controller peak RSS | controller CPU | API server CPU |"
    );
    println!("|---|---|---|---|---|");
    for count in counts {
        let f = run(&cluster, &controller, count).await;
        println!(
            "| {count} | {:.2} s | {:.1} MiB | {:.1} s | {:.1} s |",
            f.took.as_secs_f64(),
            f.controller_rss,
            f.controller_cpu,
            f.cluster_cpu
        );
    }
}
