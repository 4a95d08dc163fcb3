//! Bad requests get the API server's `Status`, never a panic.

mod common;

use std::time::Duration;

use axum::body::Body;
use common::*;
use http::{Method, Request};
use http_body_util::BodyExt;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tower::ServiceExt;

async fn call(
    cluster: &certlab_cluster::Cluster,
    method: Method,
    path: &str,
    content_type: &str,
    body: impl Into<Body>,
) -> (u16, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .body(body.into())
        .unwrap();
    let resp = cluster.service().oneshot(req).await.unwrap();
    let code = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (code, v)
}

fn assert_status(v: &Value, code: u16, reason: &str) {
    assert_eq!(v["kind"], "Status", "{v}");
    assert_eq!(v["status"], "Failure", "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["reason"], reason, "{v}");
}

const CMS: &str = "/api/v1/namespaces/default/configmaps";

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let cluster = cluster().await;
    let (code, v) = call(
        &cluster,
        Method::POST,
        CMS,
        "application/json",
        "{\"metadata\": ",
    )
    .await;
    assert_eq!(code, 400);
    assert_status(&v, 400, "BadRequest");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("couldn't get version/kind; json parse error"),
        "{v}"
    );
    let (code, _) = call(&cluster, Method::POST, CMS, "application/json", "[1,2]").await;
    assert_eq!(code, 400);
    let (code, v) = call(
        &cluster,
        Method::POST,
        CMS,
        "application/json",
        r#"{"metadata":{"labels":{"a":1}}}"#,
    )
    .await;
    assert_eq!(code, 400, "{v}");
}

#[tokio::test]
async fn kind_and_version_must_match_the_path() {
    let cluster = cluster().await;
    let (code, v) = call(
        &cluster,
        Method::POST,
        CMS,
        "application/json",
        r#"{"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"a"}}"#,
    )
    .await;
    assert_eq!(code, 400);
    assert_eq!(
        v["message"],
        "the API version in the data (v2) does not match the expected API version (v1)"
    );
    let (code, v) = call(
        &cluster,
        Method::POST,
        CMS,
        "application/json",
        r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"}}"#,
    )
    .await;
    assert_eq!(code, 422);
    assert_status(&v, 422, "Invalid");
    assert_eq!(
        v["message"],
        "Secret \"a\" is invalid: kind: Invalid value: \"Secret\": must be ConfigMap"
    );
    let (code, v) = call(
        &cluster,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"other"}}"#,
    )
    .await;
    assert_eq!(code, 400);
    assert_eq!(
        v["message"],
        "the namespace of the provided object does not match the namespace sent on the request"
    );
}

#[tokio::test]
async fn unknown_groups_and_resources_are_not_found() {
    let cluster = cluster().await;
    for path in [
        "/apis/nonexistent.example.com/v1/widgets",
        "/apis/nonexistent.example.com/v1",
        "/api/v1/widgets",
        "/nonsense",
    ] {
        let (code, v) = call(&cluster, Method::GET, path, "application/json", "").await;
        assert_eq!(code, 404, "{path}");
        assert_status(&v, 404, "NotFound");
    }
    let (code, v) = call(
        &cluster,
        Method::GET,
        "/api/v1/namespaces/default/configmaps/missing",
        "",
        "",
    )
    .await;
    assert_eq!(code, 404);
    assert_eq!(v["message"], "configmaps \"missing\" not found");
    assert_eq!(
        v["details"],
        json!({"name": "missing", "kind": "configmaps"})
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let cluster = cluster().await;
    let big = format!(
        r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"big"}},"data":{{"x":"{}"}}}}"#,
        "a".repeat(4 * 1024 * 1024)
    );
    let (code, v) = call(&cluster, Method::POST, CMS, "application/json", big).await;
    assert_eq!(code, 413);
    assert_status(&v, 413, "RequestEntityTooLarge");
    assert_eq!(v["message"], "Request entity too large: limit is 3145728");
}

#[tokio::test]
async fn bad_names_and_labels_are_invalid_with_causes() {
    let cluster = cluster().await;
    let (code, v) = call(
        &cluster,
        Method::POST,
        CMS,
        "application/json",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name","labels":{"bad key":"ok","k":"bad value!"}}}"#,
    )
    .await;
    assert_eq!(code, 422);
    assert_status(&v, 422, "Invalid");
    let causes = v["details"]["causes"].as_array().unwrap();
    let fields: Vec<&str> = causes
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["metadata.name", "metadata.labels", "metadata.labels"]
    );
    assert!(causes.iter().all(|c| c["reason"] == "FieldValueInvalid"));
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("ConfigMap \"Bad_Name\" is invalid: ["),
        "{v}"
    );
}

#[tokio::test]
async fn wrong_methods_and_media_types() {
    let cluster = cluster().await;
    let (code, v) = call(&cluster, Method::POST, "/version", "application/json", "{}").await;
    assert_eq!(code, 405);
    assert_status(&v, 405, "MethodNotAllowed");
    let (code, _) = call(
        &cluster,
        Method::POST,
        CMS,
        "application/json",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p"}}"#,
    )
    .await;
    assert_eq!(code, 201);
    let (code, v) = call(
        &cluster,
        Method::PATCH,
        &format!("{CMS}/p"),
        "application/xml",
        "<x/>",
    )
    .await;
    assert_eq!(code, 415);
    assert_status(&v, 415, "UnsupportedMediaType");
    let (code, v) = call(
        &cluster,
        Method::PATCH,
        &format!("{CMS}/p"),
        "application/json-patch+json",
        r#"{"not":"an array"}"#,
    )
    .await;
    assert!(code == 400 || code == 422, "{code} {v}");
    let (code, v) = call(
        &cluster,
        Method::POST,
        CMS,
        "application/vnd.kubernetes.protobuf",
        vec![0u8, 1, 2],
    )
    .await;
    assert!(code == 400 || code == 415, "{code} {v}");
}

#[tokio::test]
async fn requests_without_the_token_are_unauthorized() {
    let (cluster, _dir, _path) = served_cluster().await;
    let kc = cluster.kubeconfig().unwrap().clone();
    let mut config = kube::Config::new(kc.server.parse().unwrap());
    config.root_cert = Some(vec![rustls_pem_to_der(&kc.ca_pem)]);
    config.auth_info.token = Some("wrong".to_string().into());
    let client = kube::Client::try_from(config).unwrap();
    let api: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::default_namespaced(client);
    let err = api.list(&Default::default()).await.unwrap_err();
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 401 && s.reason == "Unauthorized"),
        "{err:?}"
    );
}

fn rustls_pem_to_der(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

#[tokio::test]
async fn random_requests_never_panic() {
    let cluster = cluster().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let paths = [
        CMS,
        "/api/v1/namespaces/default/configmaps/x",
        "/api/v1/namespaces/default/secrets/x/status",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        "/api/v1/namespaces",
        "/apis/events.k8s.io/v1/namespaces/default/events",
        "/api/v1/namespaces/default/pods?watch=1&resourceVersion=abc",
        "/api/v1/namespaces/default/services?labelSelector=a%20in%20(",
        "/api/v1/namespaces/default/configmaps?fieldSelector=bogus=1",
    ];
    let types = [
        "application/json",
        "application/merge-patch+json",
        "application/json-patch+json",
        "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
        "application/yaml",
        "",
    ];
    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    let seeds = [
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}}),
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "as.b.c"}, "spec": {"group": "b.c", "scope": "Namespaced", "names": {"plural": "as", "kind": "A"}, "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object"}}}]}}),
        json!([{"op": "add", "path": "/metadata/labels", "value": {"a": "b"}}]),
    ];
    for _ in 0..600 {
        let method = methods[rng.random_range(0..methods.len())].clone();
        let path = paths[rng.random_range(0..paths.len())];
        let ct = types[rng.random_range(0..types.len())];
        let mut body = serde_json::to_vec(&seeds[rng.random_range(0..seeds.len())]).unwrap();
        for _ in 0..rng.random_range(0..6) {
            if body.is_empty() {
                break;
            }
            let i = rng.random_range(0..body.len());
            match rng.random_range(0..3) {
                0 => body[i] = rng.random(),
                1 => body.truncate(i),
                _ => body.insert(i, b"{[\"}]:,0\\"[rng.random_range(0..9)]),
            }
        }
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", ct)
            .body(Body::from(body))
            .unwrap();
        let resp = tokio::time::timeout(Duration::from_secs(5), cluster.service().oneshot(req))
            .await
            .expect("answered")
            .unwrap();
        if !resp.status().is_success() {
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            let v: Value = serde_json::from_slice(&bytes).expect("errors are Status JSON");
            assert_eq!(v["kind"], "Status");
        }
    }
}
