//! Shared helpers for the cluster's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use certlab_cluster::Cluster;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::{Client, CustomResource, CustomResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The test CRD: namespaced, with a status subresource and a printer column.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "lab.certlab.dev",
    version = "v1",
    kind = "Gadget",
    namespaced,
    status = "GadgetStatus",
    shortname = "gd",
    printcolumn = r#"{"name":"Size","type":"integer","jsonPath":".spec.size"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#
)]
pub struct GadgetSpec {
    pub size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// Gadget status.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct GadgetStatus {
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub conditions: Vec<GadgetCondition>,
}

/// A condition.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct GadgetCondition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
}

/// An in-process cluster.
pub async fn cluster() -> Cluster {
    Cluster::builder().start().await.expect("cluster starts")
}

/// A cluster listening on HTTPS, with its kubeconfig in a temp dir.
pub async fn served_cluster() -> (Cluster, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kubeconfig");
    let cluster = Cluster::builder()
        .kubeconfig_path(&path)
        .start()
        .await
        .expect("cluster starts");
    (cluster, dir, path)
}

/// A kube client from a kubeconfig file (over HTTPS).
pub async fn client_from_kubeconfig(path: &std::path::Path) -> Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(path).expect("kubeconfig parses");
    let config = kube::Config::from_custom_kubeconfig(
        kubeconfig,
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .expect("kubeconfig loads");
    Client::try_from(config).expect("client builds")
}

/// Installs the Gadget CRD and waits for it to be established.
pub async fn install_gadgets(client: &Client) {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &Gadget::crd())
        .await
        .expect("CRD created");
    let established = await_condition(
        crds,
        "gadgets.lab.certlab.dev",
        conditions::is_crd_established(),
    );
    tokio::time::timeout(Duration::from_secs(5), established)
        .await
        .expect("CRD established in time")
        .expect("waiting works");
}

/// A Gadget.
pub fn gadget(name: &str, size: i64) -> Gadget {
    Gadget::new(name, GadgetSpec { size, color: None })
}

/// Runs `f` until it returns true, or fails after `timeout`.
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
