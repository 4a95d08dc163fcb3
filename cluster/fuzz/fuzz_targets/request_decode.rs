//! Fuzzes the request-to-object decoding path: any body, under any of the content types
//! the server accepts, sent as a create, update or patch through the in-process API
//! service. The server must answer every one (a `Status` for errors) and never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct World {
    runtime: tokio::runtime::Runtime,
    cluster: certlab_cluster::Cluster,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let cluster = runtime.block_on(certlab_cluster::Cluster::builder().start()).expect("cluster");
        World { runtime, cluster }
    })
}

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
    "application/merge-patch+json",
    "application/json-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

const TARGETS: &[(&str, &str)] = &[
    ("POST", "/api/v1/namespaces/default/configmaps"),
    ("POST", "/api/v1/namespaces/default/secrets"),
    ("POST", "/api/v1/namespaces/default/pods"),
    ("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"),
    ("PUT", "/api/v1/namespaces/default/configmaps/fuzz"),
    ("PATCH", "/api/v1/namespaces/default/configmaps/fuzz"),
    ("PATCH", "/api/v1/namespaces/default/services/fuzz?fieldManager=fuzz"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let (method, path) = TARGETS[usize::from(selector / 8) % TARGETS.len()];
    let w = world();
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .body(axum::body::Body::from(body.to_vec()))
        .expect("request");
    let resp = w.runtime.block_on(w.cluster.service().oneshot(req)).expect("infallible");
    assert!(resp.status().as_u16() >= 200 && resp.status().as_u16() < 600);
});
