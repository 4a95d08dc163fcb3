//! The embedded cluster with the CRDs installed and the controller running.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use certlab_clock::VirtualClock;
use certlab_cluster::Cluster;
use certlab_controller::api::certificate::Certificate;
use certlab_controller::api::conditions::get_condition;
use certlab_controller::config::Config;
use certlab_controller::metrics::Metrics;
use certlab_controller::run::{Runner, start};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, PostParams};
use kube::runtime::wait::{await_condition, conditions};

pub struct Lab {
    pub cluster: Cluster,
    pub client: kube::Client,
    pub clock: VirtualClock,
    pub runner: Runner,
    _task: tokio::task::JoinHandle<()>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.runner.shutdown();
    }
}

pub async fn lab() -> Lab {
    lab_with(Config::default()).await
}

pub async fn lab_with(config: Config) -> Lab {
    let clock = VirtualClock::flowing(SystemTime::now());
    let cluster = Cluster::builder()
        .clock(clock.shared())
        .start()
        .await
        .unwrap();
    let client = cluster.client();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in certlab_controller::api::crds() {
        let name = crd.metadata.name.clone().unwrap();
        crds.create(&PostParams::default(), &crd).await.unwrap();
        tokio::time::timeout(
            Duration::from_secs(5),
            await_condition(crds.clone(), &name, conditions::is_crd_established()),
        )
        .await
        .unwrap()
        .unwrap();
    }
    let (runner, task) = start(
        client.clone(),
        clock.shared(),
        config,
        Arc::new(Metrics::new()),
    );
    Lab {
        cluster,
        client,
        clock,
        runner,
        _task: task,
    }
}

/// Creates an object from JSON through `api`.
pub async fn create<K>(api: &Api<K>, value: serde_json::Value) -> K
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let obj: K = serde_json::from_value(value).unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap()
}

/// Waits until the Certificate is Ready=True (or fails with its status).
pub async fn wait_ready(
    client: &kube::Client,
    ns: &str,
    name: &str,
    timeout: Duration,
) -> Certificate {
    let api: Api<Certificate> = Api::namespaced(client.clone(), ns);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let cert = api.get(name).await.unwrap();
        let ready = cert
            .status
            .as_ref()
            .and_then(|s| get_condition(s.conditions(), "Ready"))
            .is_some_and(|c| c.status == certlab_controller::api::meta::ConditionStatus::True);
        if ready {
            return cert;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("{ns}/{name} not Ready in {timeout:?}: {:#?}", cert.status);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn eventually<F, Fut>(timeout: Duration, what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if f().await {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A ClusterIssuer `selfsigned`, and a CA ClusterIssuer `ca` backed by a CA it issued.
pub async fn ca_issuers(c: &kube::Client) {
    use certlab_controller::api::issuer::ClusterIssuer;
    create(
        &Api::<ClusterIssuer>::all(c.clone()),
        serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "selfsigned"}, "spec": {"selfSigned": {}}}),
    )
    .await;
    create(&Api::<Certificate>::namespaced(c.clone(), "kube-system"), serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "root-ca", "namespace": "kube-system"},
        "spec": {"isCA": true, "commonName": "test root", "secretName": "root-ca", "privateKey": {"algorithm": "ECDSA"},
            "issuerRef": {"name": "selfsigned", "kind": "ClusterIssuer"}}})).await;
    wait_ready(c, "kube-system", "root-ca", Duration::from_secs(30)).await;
    create(
        &Api::<ClusterIssuer>::all(c.clone()),
        serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "ca"}, "spec": {"ca": {"secretName": "root-ca"}}}),
    )
    .await;
    let issuers: Api<ClusterIssuer> = Api::all(c.clone());
    eventually(Duration::from_secs(10), "ca issuer ready", || {
        let issuers = issuers.clone();
        async move {
            issuers
                .get("ca")
                .await
                .unwrap()
                .status
                .is_some_and(|s| s.is_ready())
        }
    })
    .await;
}

/// A Certificate in `default` issued by the `ca` ClusterIssuer, with extra spec fields.
pub async fn certificate(c: &kube::Client, name: &str, spec: serde_json::Value) -> Certificate {
    let mut full = serde_json::json!({"secretName": format!("{name}-tls"), "issuerRef": {"name": "ca", "kind": "ClusterIssuer"}});
    if let (Some(f), Some(extra)) = (full.as_object_mut(), spec.as_object()) {
        for (k, v) in extra {
            f.insert(k.clone(), v.clone());
        }
    }
    create(
        &Api::<Certificate>::namespaced(c.clone(), "default"),
        serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": name, "namespace": "default"}, "spec": full}),
    )
    .await
}

/// The Secret's data.
pub async fn secret_data(
    c: &kube::Client,
    name: &str,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::default_namespaced(c.clone());
    secrets
        .get(name)
        .await
        .unwrap()
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect()
}
