//! Helpers shared by the controller's integration tests.
#![allow(dead_code)]

use std::time::Duration;

use certlab_cluster::Cluster;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::{Client, ResourceExt};
use serde_json::Value;

/// An embedded cluster with the cert-manager CRDs installed and established.
pub async fn cluster_with_crds() -> (Cluster, Client) {
    let cluster = Cluster::builder().start().await.expect("cluster starts");
    let client = cluster.client();
    install_crds(&client).await;
    (cluster, client)
}

/// Creates the six CRDs and waits until each is established.
pub async fn install_crds(client: &Client) {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in certlab_controller::api::try_crds().expect("CRDs build") {
        let name = crd.name_any();
        crds.create(&PostParams::default(), &crd)
            .await
            .unwrap_or_else(|e| panic!("CRD {name} accepted: {e}"));
        let established = await_condition(crds.clone(), &name, conditions::is_crd_established());
        tokio::time::timeout(Duration::from_secs(5), established)
            .await
            .unwrap_or_else(|_| panic!("CRD {name} established in time"))
            .expect("waiting works");
    }
}

/// Parses YAML into JSON.
pub fn yaml(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).expect("test YAML parses")
}

/// JSON merge patch (RFC 7386): `patch` applied to `target`; `null` removes.
pub fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// The API of the kind named by a manifest's `apiVersion` and `kind`.
pub fn api_for(client: &Client, manifest: &Value) -> Api<DynamicObject> {
    let api_version = manifest["apiVersion"].as_str().expect("apiVersion");
    let kind = manifest["kind"].as_str().expect("kind");
    let (group, version) = api_version.split_once('/').expect("group/version");
    let plural = format!("{}s", kind.to_lowercase());
    let ar =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), &plural);
    if kind == "ClusterIssuer" {
        Api::all_with(client.clone(), &ar)
    } else {
        Api::namespaced_with(client.clone(), "default", &ar)
    }
}

/// Creates a manifest; the API server's message on failure.
pub async fn create(client: &Client, manifest: &Value) -> Result<DynamicObject, String> {
    let obj: DynamicObject = serde_json::from_value(manifest.clone()).expect("a Kubernetes object");
    api_for(client, manifest)
        .create(&PostParams::default(), &obj)
        .await
        .map_err(message)
}

/// Replaces an object (main resource); the API server's message on failure.
pub async fn replace(client: &Client, obj: &DynamicObject) -> Result<DynamicObject, String> {
    let manifest = serde_json::to_value(obj).expect("serializes");
    api_for(client, &manifest)
        .replace(&obj.name_any(), &PostParams::default(), obj)
        .await
        .map_err(message)
}

/// Replaces an object's status; the API server's message on failure.
pub async fn replace_status(client: &Client, obj: &DynamicObject) -> Result<DynamicObject, String> {
    let manifest = serde_json::to_value(obj).expect("serializes");
    api_for(client, &manifest)
        .replace_status(&obj.name_any(), &PostParams::default(), obj)
        .await
        .map_err(message)
}

fn message(e: kube::Error) -> String {
    match e {
        kube::Error::Api(status) => status.message,
        other => format!("not an API error: {other}"),
    }
}
