//! Tests against real kubectl request bodies (see the module docs for how `testdata/` was
//! captured), plus hand-built bodies for what kubectl never sends, and robustness tests.

use std::path::PathBuf;

use serde_json::Value;

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
    "ingress",
    "debug-node",
    "debug-copy",
];

/// Cases whose object name kubectl makes up (`node-debugger-<node>-<5 random>`): the name is
/// checked for its prefix, then set to the same value on both sides.
const RANDOM_NAMES: &[(&str, &str)] = &[("debug-node", "node-debugger-n1-")];

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
    let mut sent = String::from_utf8(testdata(&format!("{case}.1.31.json"))).unwrap();
    let body = testdata(&format!("{case}.{version}.pb"));
    let mut decoded = decode(&body).unwrap_or_else(|e| panic!("{case} {version}: {e}"));
    if let Some((_, prefix)) = RANDOM_NAMES.iter().find(|(c, _)| *c == case) {
        let expected: Value = serde_json::from_str(&sent).unwrap();
        for name in [&decoded["metadata"]["name"], &expected["metadata"]["name"]] {
            let name = name.as_str().unwrap_or_default();
            assert!(
                name.starts_with(prefix) && name.len() == prefix.len() + 5,
                "{case}: {name}"
            );
        }
        let fixed = format!("{prefix}xxxxx");
        let sent_name = expected["metadata"]["name"].as_str().unwrap_or_default();
        sent = sent.replace(&format!("\"{sent_name}\""), &format!("\"{fixed}\""));
        decoded["metadata"]["name"] = Value::String(fixed);
    }
    let expected: Value = serde_json::from_str(&sent).unwrap();
    assert_eq!(decoded, expected, "{case} kubectl {version}");
    let written = serde_json::to_string(&decoded).unwrap();
    assert_eq!(
        written,
        go_escape(sent.trim_end()),
        "{case} kubectl {version}: field order"
    );
}

/// Go's `encoding/json` escapes `<`, `>` and `&`; serde_json does not. Undo Go's escapes so
/// the texts compare (the fixtures have no other escapes that differ).
fn go_escape(text: &str) -> String {
    text.replace("\\u003c", "<")
        .replace("\\u003e", ">")
        .replace("\\u0026", "&")
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

/// Commands whose bodies every kubectl version sends as JSON (captured to record the fact):
/// the server must keep accepting JSON for them.
const JSON_ONLY: &[&str] = &[
    "expose-pod",
    "expose-service-udp",
    "run-pod",
    "delete-secret",
];

#[test]
fn some_kubectl_commands_still_send_json() {
    for case in JSON_ONLY {
        let bodies = ["1.31", "1.32", "1.33"].map(|v| testdata(&format!("{case}.{v}.json")));
        for body in &bodies {
            assert_eq!(decode(body), Err(ProtobufError::NotProtobuf), "{case}");
            let _: Value = serde_json::from_slice(body).unwrap();
        }
        assert_eq!(
            bodies[0], bodies[2],
            "{case}: kubectl 1.31 and 1.33 send the same JSON"
        );
    }
}

#[test]
fn errors_become_bad_requests() {
    let status = crate::status::StatusError::from(ProtobufError::UnsupportedKind {
        api_version: "apps/v1".to_string(),
        kind: "Deployment".to_string(),
    });
    assert_eq!(status.code, 400);
    assert!(
        status
            .message
            .contains("no kind \"Deployment\" is registered for version \"apps/v1\"")
    );
}

#[test]
fn json_is_not_protobuf() {
    assert_eq!(
        decode(b"{\"kind\":\"Secret\"}"),
        Err(ProtobufError::NotProtobuf)
    );
    assert_eq!(decode(b""), Err(ProtobufError::NotProtobuf));
    assert_eq!(decode(b"k8s"), Err(ProtobufError::NotProtobuf));
}
