//! Tests against real kubectl request bodies (see the module docs for how `testdata/` was
//! captured), plus hand-built bodies for what kubectl never sends, and robustness tests.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::{ProtobufError, decode};

/// The captured cases: each has `<case>.1.31.json` and `<case>.1.32.pb` / `<case>.1.33.pb`.
const CASES: &[&str] = &[
    "secret-generic",
    "secret-generic-labels",
    "secret-tls",
    "secret-docker-registry",
    "configmap",
    "configmap-empty",
    "namespace",
    "serviceaccount",
    "service-clusterip",
    "service-headless",
    "service-nodeport",
    "service-loadbalancer",
    "service-externalname",
    "auth-can-i",
    "auth-can-i-name",
    "auth-can-i-nonresource",
    "auth-can-i-all-namespaces",
    "auth-can-i-list",
    "auth-whoami",
    "create-token",
];

fn testdata(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/protobuf/testdata")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Decodes a captured protobuf body and compares it with kubectl 1.31's JSON body for the
/// same command: equal as JSON values, and byte for byte once written compactly (which also
/// checks Go's field order).
fn check_case(case: &str, version: &str) {
    let json_body = testdata(&format!("{case}.1.31.json"));
    let expected: Value = serde_json::from_slice(&json_body).unwrap();
    let body = testdata(&format!("{case}.{version}.pb"));
    let decoded = decode(&body).unwrap_or_else(|e| panic!("{case} {version}: {e}"));
    assert_eq!(decoded, expected, "{case} kubectl {version}");
    let written = serde_json::to_string(&decoded).unwrap();
    let sent = String::from_utf8(json_body).unwrap();
    assert_eq!(written, sent.trim_end(), "{case} kubectl {version}: field order");
}

#[test]
fn kubectl_1_32_bodies_decode_to_kubectl_1_31_json() {
    for case in CASES {
        check_case(case, "1.32");
    }
}

#[test]
fn kubectl_1_33_bodies_decode_to_kubectl_1_31_json() {
    for case in CASES {
        check_case(case, "1.33");
    }
}

#[test]
fn json_is_not_protobuf() {
    assert_eq!(decode(b"{\"kind\":\"Secret\"}"), Err(ProtobufError::NotProtobuf));
    assert_eq!(decode(b""), Err(ProtobufError::NotProtobuf));
    assert_eq!(decode(b"k8s"), Err(ProtobufError::NotProtobuf));
}
