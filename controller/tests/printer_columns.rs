//! `kubectl get`-style output of the CRDs: the server-side Table built from the printer
//! columns, through the in-process service and through the real kubectl.

mod common;

use std::process::Command;

use certlab_cluster::Cluster;
use common::{create, install_crds, replace_status, yaml};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

async fn table(cluster: &Cluster, path: &str) -> Value {
    let req = http::Request::builder()
        .uri(path)
        .header("accept", TABLE)
        .body(String::new())
        .expect("request builds");
    let resp = cluster.service().oneshot(req).await.expect("infallible");
    assert_eq!(resp.status(), 200, "GET {path}");
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&body).expect("JSON")
}

fn columns(table: &Value) -> Vec<(String, i64)> {
    table["columnDefinitions"]
        .as_array()
        .expect("columnDefinitions")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["priority"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

async fn ready_certificate(cluster: &Cluster) {
    let client = cluster.client();
    let cert = yaml(include_str!("data/manifests/certificate-docs.yaml"));
    let mut created = create(&client, &cert).await.expect("certificate accepted");
    created.data["status"] = json!({
        "conditions": [{
            "type": "Ready", "status": "True", "reason": "Ready",
            "message": "Certificate is up to date and has not expired",
            "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 1
        }],
        "notAfter": "2026-04-01T00:00:00Z"
    });
    replace_status(&client, &created)
        .await
        .expect("status accepted");
}

#[tokio::test]
async fn tables_show_cert_manager_columns() {
    let cluster = Cluster::builder().start().await.expect("cluster starts");
    install_crds(&cluster.client()).await;
    ready_certificate(&cluster).await;

    let certs = table(
        &cluster,
        "/apis/cert-manager.io/v1/namespaces/default/certificates",
    )
    .await;
    assert_eq!(certs["kind"], "Table");
    assert_eq!(
        columns(&certs),
        [
            ("Name".to_string(), 0),
            ("Ready".to_string(), 0),
            ("Secret".to_string(), 0),
            ("Issuer".to_string(), 1),
            ("Status".to_string(), 1),
            ("Expiration".to_string(), 1),
            ("Age".to_string(), 0),
        ]
    );
    let cells = &certs["rows"][0]["cells"];
    assert_eq!(cells[0], "example-com");
    assert_eq!(cells[1], "True");
    assert_eq!(cells[2], "example-com-tls");
    assert_eq!(cells[3], "ca-issuer");
    assert_eq!(cells[4], "Certificate is up to date and has not expired");
    assert_eq!(cells[5], "2026-04-01T00:00:00Z");
    assert!(
        cells[6].as_str().is_some_and(|age| age.ends_with('s')),
        "age: {}",
        cells[6]
    );

    let issuers = table(&cluster, "/apis/cert-manager.io/v1/clusterissuers").await;
    assert_eq!(
        columns(&issuers),
        [
            ("Name".to_string(), 0),
            ("Ready".to_string(), 0),
            ("Status".to_string(), 1),
            ("Age".to_string(), 0)
        ]
    );
    let requests = table(&cluster, "/apis/cert-manager.io/v1/certificaterequests").await;
    assert_eq!(
        columns(&requests)
            .into_iter()
            .map(|(n, p)| format!("{n}/{p}"))
            .collect::<Vec<_>>(),
        [
            "Name/0",
            "Approved/0",
            "Denied/0",
            "Ready/0",
            "Issuer/0",
            "Requester/0",
            "Status/1",
            "Age/0"
        ]
    );
    let orders = table(&cluster, "/apis/acme.cert-manager.io/v1/orders").await;
    assert_eq!(
        columns(&orders)
            .into_iter()
            .map(|(n, p)| format!("{n}/{p}"))
            .collect::<Vec<_>>(),
        ["Name/0", "State/0", "Issuer/1", "Reason/1", "Age/0"]
    );
    let challenges = table(&cluster, "/apis/acme.cert-manager.io/v1/challenges").await;
    assert_eq!(
        columns(&challenges)
            .into_iter()
            .map(|(n, p)| format!("{n}/{p}"))
            .collect::<Vec<_>>(),
        ["Name/0", "State/0", "Domain/0", "Reason/1", "Age/0"]
    );
}

/// kubectl, or `None` with a loud message when it is not installed.
fn kubectl() -> Option<&'static str> {
    match Command::new("kubectl")
        .args(["version", "--client"])
        .output()
    {
        Ok(_) => Some("kubectl"),
        Err(_) => {
            eprintln!("SKIPPED: kubectl is not installed; kubectl_get_shows_columns did not run");
            None
        }
    }
}

async fn run_kubectl(
    kubeconfig: &std::path::Path,
    cache: &std::path::Path,
    args: &[&str],
) -> String {
    let mut cmd = Command::new("kubectl");
    cmd.arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache)
        .args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("kubectl runs"))
        .await
        .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "kubectl {args:?} failed:\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn header(output: &str) -> Vec<&str> {
    output
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect()
}

#[tokio::test]
async fn kubectl_get_shows_columns() {
    let Some(_) = kubectl() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("kubeconfig");
    let cache = dir.path().join("cache");
    let _cluster = Cluster::builder()
        .kubeconfig_path(&kubeconfig)
        .start()
        .await
        .expect("cluster starts");

    // `certlab-controller crds | kubectl apply -f -`
    let crds = dir.path().join("crds.yaml");
    std::fs::write(&crds, certlab_controller::api::crds_yaml()).expect("write");
    let crds = crds.to_string_lossy().into_owned();
    let applied = run_kubectl(&kubeconfig, &cache, &["apply", "-f", &crds]).await;
    assert_eq!(
        applied.lines().collect::<Vec<_>>(),
        [
            "customresourcedefinition.apiextensions.k8s.io/certificates.cert-manager.io created",
            "customresourcedefinition.apiextensions.k8s.io/certificaterequests.cert-manager.io created",
            "customresourcedefinition.apiextensions.k8s.io/issuers.cert-manager.io created",
            "customresourcedefinition.apiextensions.k8s.io/clusterissuers.cert-manager.io created",
            "customresourcedefinition.apiextensions.k8s.io/orders.acme.cert-manager.io created",
            "customresourcedefinition.apiextensions.k8s.io/challenges.acme.cert-manager.io created",
        ]
    );
    run_kubectl(
        &kubeconfig,
        &cache,
        &[
            "wait",
            "--for",
            "condition=established",
            "--timeout",
            "10s",
            "crd",
            "--all",
        ],
    )
    .await;

    // A manifest written as cert-manager's documentation writes one, applied as is.
    let manifest = dir.path().join("certificate.yaml");
    std::fs::write(
        &manifest,
        include_str!("data/manifests/certificate-docs.yaml"),
    )
    .expect("write");
    let manifest = manifest.to_string_lossy().into_owned();
    let applied = run_kubectl(&kubeconfig, &cache, &["apply", "-f", &manifest]).await;
    assert_eq!(
        applied.trim(),
        "certificate.cert-manager.io/example-com created"
    );

    let get = run_kubectl(&kubeconfig, &cache, &["get", "certificate"]).await;
    assert_eq!(header(&get), ["NAME", "READY", "SECRET", "AGE"]);
    let row: Vec<&str> = get
        .lines()
        .nth(1)
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        row[..2],
        ["example-com", "example-com-tls"],
        "no Ready condition yet: {get}"
    );

    let wide = run_kubectl(&kubeconfig, &cache, &["get", "cert", "-o", "wide"]).await;
    assert_eq!(
        header(&wide),
        [
            "NAME",
            "READY",
            "SECRET",
            "ISSUER",
            "STATUS",
            "EXPIRATION",
            "AGE"
        ]
    );
    let by_category = run_kubectl(&kubeconfig, &cache, &["get", "cert-manager"]).await;
    assert!(
        by_category.contains("certificate.cert-manager.io/example-com"),
        "kubectl get cert-manager lists the Certificate: {by_category}"
    );
    let selected = run_kubectl(
        &kubeconfig,
        &cache,
        &[
            "get",
            "certs",
            "--field-selector",
            "spec.issuerRef.name=ca-issuer",
            "-o",
            "name",
        ],
    )
    .await;
    assert_eq!(selected.trim(), "certificate.cert-manager.io/example-com");
}
