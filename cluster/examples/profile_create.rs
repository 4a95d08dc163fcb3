//! Profiles the create path in-process: `cargo run --release -p certlab-cluster --example profile_create`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use certlab_cluster::Cluster;
use certlab_cluster::objects::WriteOptions;
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let cluster = Cluster::builder().start().await.unwrap();
    let objects = cluster.objects().clone();
    let rt = objects.registry().get("", "v1", "configmaps").unwrap();
    let opts = WriteOptions {
        field_manager: "bench".into(),
        ..Default::default()
    };
    let t = Instant::now();
    for i in 0..n {
        let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("cm-{i}"), "namespace": "default"}, "data": {"payload": "x"}});
        objects.create(&rt, "default", body, &opts).unwrap();
    }
    let e = t.elapsed();
    println!(
        "objects.create: {:.1} µs/op ({:.0}/s)",
        e.as_secs_f64() * 1e6 / n as f64,
        n as f64 / e.as_secs_f64()
    );
    let api: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::default_namespaced(cluster.client());
    let t = Instant::now();
    for i in 0..n {
        let cm: k8s_openapi::api::core::v1::ConfigMap = serde_json::from_value(
            json!({"metadata": {"name": format!("k-{i}")}, "data": {"payload": "x"}}),
        )
        .unwrap();
        api.create(&Default::default(), &cm).await.unwrap();
    }
    let e = t.elapsed();
    println!(
        "kube in-process create: {:.1} µs/op ({:.0}/s)",
        e.as_secs_f64() * 1e6 / n as f64,
        n as f64 / e.as_secs_f64()
    );
}
