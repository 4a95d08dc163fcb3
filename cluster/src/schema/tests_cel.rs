//! `x-kubernetes-validations`.

use serde_json::{Value, json};

use super::tests::{compile, messages, object, with_spec};

fn spec_with_rules(props: Value, rules: Value) -> Value {
    with_spec(json!({"type": "object", "properties": props, "x-kubernetes-validations": rules}))
}

#[test]
fn failing_rules_report_like_the_api_server() {
    let s = compile(spec_with_rules(
        json!({"replicas": {"type": "integer", "x-kubernetes-validations": [{"rule": "self >= 0"}]},
               "max": {"type": "integer"},
               "mode": {"type": "string"}}),
        json!([
            {"rule": "!has(self.max) || self.replicas <= self.max", "messageExpression": "'replicas ' + string(self.replicas) + ' exceeds max ' + string(self.max)"},
            {"rule": "self.mode != 'forbidden'", "message": "mode may not be forbidden", "reason": "FieldValueForbidden", "fieldPath": ".mode"},
            {"rule": "has(self.mode)", "message": "mode is required", "reason": "FieldValueRequired", "fieldPath": ".mode"},
            {"rule": "self.replicas != 7", "reason": "FieldValueDuplicate"},
        ]),
    ));
    assert_eq!(
        messages(&s.validate(
            &object(json!({"replicas": 5, "max": 3, "mode": "forbidden"})),
            None
        )),
        [
            r#"spec: Invalid value: "object": replicas 5 exceeds max 3"#,
            "spec.mode: Forbidden: mode may not be forbidden",
        ]
    );
    assert_eq!(
        messages(&s.validate(&object(json!({"replicas": -1})), None)),
        [
            r#"spec: Invalid value: "object": no such key: mode evaluating rule: mode may not be forbidden"#,
            "spec.mode: Required value: mode is required",
            r#"spec.replicas: Invalid value: "integer": failed rule: self >= 0"#,
        ]
    );
    assert_eq!(
        messages(&s.validate(&object(json!({"replicas": 7, "mode": "a"})), None)),
        [r#"spec: Duplicate value: "object""#]
    );
    assert!(
        s.validate(&object(json!({"replicas": 2, "max": 3, "mode": "a"})), None)
            .is_empty()
    );
}

#[test]
fn rules_at_the_root_see_type_and_object_meta() {
    let s = compile(
        json!({"type": "object", "properties": {"spec": {"type": "object"}},
        "x-kubernetes-validations": [{"rule": "self.metadata.name.startsWith('w-') && self.kind == 'Widget'", "message": "bad name"}]}),
    );
    let mut obj = object(json!({}));
    assert_eq!(
        messages(&s.validate(&obj, None)),
        [r#"Invalid value: "object": bad name"#]
    );
    obj["metadata"]["name"] = json!("w-1");
    assert!(s.validate(&obj, None).is_empty());
}

#[test]
fn transition_rules_need_an_old_object() {
    let s = compile(spec_with_rules(
        json!({"secretName": {"type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "secretName is immutable"}]}}),
        json!([]),
    ));
    let v1 = object(json!({"secretName": "a"}));
    let v2 = object(json!({"secretName": "b"}));
    // create: the transition rule is skipped
    assert!(s.validate(&v2, None).is_empty());
    assert!(s.validate(&v1, Some(&v1)).is_empty());
    assert_eq!(
        messages(&s.validate(&v2, Some(&v1))),
        [r#"spec.secretName: Invalid value: "string": secretName is immutable"#]
    );
    // a field that did not exist before has no old value to compare with
    assert!(s.validate(&v2, Some(&object(json!({})))).is_empty());
}

#[test]
fn optional_old_self_runs_on_create() {
    let s = compile(spec_with_rules(
        json!({"n": {"type": "integer"}}),
        json!([{"rule": "oldSelf.hasValue() ? self.n >= oldSelf.value().n : self.n == 0", "optionalOldSelf": true, "message": "n must start at 0 and grow"}]),
    ));
    assert_eq!(
        messages(&s.validate(&object(json!({"n": 1})), None)),
        [r#"spec: Invalid value: "object": n must start at 0 and grow"#]
    );
    assert!(s.validate(&object(json!({"n": 0})), None).is_empty());
    assert!(
        s.validate(&object(json!({"n": 5})), Some(&object(json!({"n": 3}))))
            .is_empty()
    );
    assert_eq!(
        messages(&s.validate(&object(json!({"n": 2})), Some(&object(json!({"n": 3}))))).len(),
        1
    );
}

#[test]
fn map_list_items_correlate_by_key() {
    let s = compile(spec_with_rules(
        json!({"ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "port": {"type": "integer"}},
                "x-kubernetes-validations": [{"rule": "self.port == oldSelf.port", "message": "port is immutable"}]}}}),
        json!([]),
    ));
    let old =
        object(json!({"ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}]}));
    // reordered and one new item: the moved item correlates by key, the new one has no old value
    let reordered = object(
        json!({"ports": [{"name": "https", "port": 443}, {"name": "grpc", "port": 9000}, {"name": "http", "port": 80}]}),
    );
    assert!(s.validate(&reordered, Some(&old)).is_empty());
    let changed =
        object(json!({"ports": [{"name": "https", "port": 443}, {"name": "http", "port": 8080}]}));
    assert_eq!(
        messages(&s.validate(&changed, Some(&old))),
        [r#"spec.ports[1]: Invalid value: "object": port is immutable"#]
    );
}

#[test]
fn the_kubernetes_library_is_available() {
    let s = compile(spec_with_rules(
        json!({
            "dnsNames": {"type": "array", "items": {"type": "string"}},
            "size": {"type": "string"},
            "url": {"type": "string"},
            "ip": {"type": "string"},
            "renewBefore": {"type": "string", "format": "duration"},
            "notAfter": {"type": "string", "format": "date-time"},
            "x-y": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}}}),
        json!([
            {"rule": "self.dnsNames.all(n, n.matches('^[a-z0-9.-]+$'))", "message": "dns"},
            {"rule": "quantity(self.size).isGreaterThan(quantity('1Gi'))", "message": "size"},
            {"rule": "isURL(self.url) && url(self.url).getScheme() == 'https'", "message": "url"},
            {"rule": "isIP(self.ip) && ip(self.ip).family() == 4", "message": "ip"},
            {"rule": "self.renewBefore > duration('1h')", "message": "duration"},
            {"rule": "self.notAfter > timestamp('2020-01-01T00:00:00Z')", "message": "timestamp"},
            {"rule": "self.x__dash__y.lowerAscii() == 'abc'", "message": "escaping"},
            {"rule": "'app.kubernetes.io/name' in self.labels", "message": "map keys"},
        ]),
    ));
    let good = object(
        json!({"dnsNames": ["a.example.com"], "size": "2Gi", "url": "https://example.com/x", "ip": "10.0.0.1",
        "renewBefore": "2h", "notAfter": "2030-01-01T00:00:00Z", "x-y": "ABC", "labels": {"app.kubernetes.io/name": "x"}}),
    );
    assert_eq!(messages(&s.validate(&good, None)), Vec::<String>::new());
    let bad = object(
        json!({"dnsNames": ["A_B"], "size": "1Mi", "url": "http://example.com", "ip": "::1",
        "renewBefore": "30m", "notAfter": "2010-01-01T00:00:00Z", "x-y": "abd", "labels": {}}),
    );
    let got = messages(&s.validate(&bad, None));
    let expected: Vec<String> = [
        "dns",
        "size",
        "url",
        "ip",
        "duration",
        "timestamp",
        "escaping",
        "map keys",
    ]
    .iter()
    .map(|m| format!(r#"spec: Invalid value: "object": {m}"#))
    .collect();
    assert_eq!(got, expected);
}

#[test]
fn evaluation_errors_and_blocking_errors() {
    let s = compile(spec_with_rules(
        json!({"a": {"type": "string"}, "n": {"type": "integer"}}),
        json!([{"rule": "self.a == 'x'"}]),
    ));
    let got = messages(&s.validate(&object(json!({})), None));
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with(r#"spec: Invalid value: "object": "#),
        "{got:?}"
    );
    assert!(
        got[0].ends_with(" evaluating rule: self.a == 'x'"),
        "{got:?}"
    );
    // a type error stops CEL
    assert_eq!(
        messages(&s.validate(&object(json!({"n": "x"})), None)),
        [
            r#"spec.n: Invalid value: "string": spec.n in body must be of type integer: "string""#,
            "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
        ]
    );
}

/// A schema shaped like cert-manager's Certificate (written for this test).
fn certificate_schema() -> Value {
    json!({"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
        "spec": {"type": "object", "required": ["secretName", "issuerRef"], "properties": {
            "secretName": {"type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "secretName is immutable"}]},
            "commonName": {"type": "string", "maxLength": 64},
            "dnsNames": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "duration": {"type": "string"},
            "renewBefore": {"type": "string"},
            "renewBeforePercentage": {"type": "integer", "minimum": 1, "maximum": 99},
            "isCA": {"type": "boolean", "default": false},
            "privateKey": {"type": "object", "properties": {
                "algorithm": {"type": "string", "enum": ["RSA", "ECDSA", "Ed25519"], "default": "RSA"},
                "size": {"type": "integer"},
                "rotationPolicy": {"type": "string", "enum": ["Never", "Always"]}}},
            "issuerRef": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}, "kind": {"type": "string"}, "group": {"type": "string"}}}},
            "x-kubernetes-validations": [
                {"rule": "!(has(self.renewBefore) && has(self.renewBeforePercentage))", "message": "renewBefore and renewBeforePercentage are mutually exclusive"},
                {"rule": "has(self.commonName) || (has(self.dnsNames) && size(self.dnsNames) > 0)", "message": "at least one of commonName or dnsNames must be set"},
                {"rule": "!has(self.privateKey) || !has(self.privateKey.size) || self.privateKey.algorithm != 'Ed25519'", "message": "size may not be set for Ed25519 keys", "fieldPath": ".privateKey.size"}]},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}})
}

#[test]
fn certificate_like_schema() {
    let s = compile(certificate_schema());
    let mut cert = json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "web"},
        "spec": {"secretName": "web-tls", "dnsNames": ["example.com"], "duration": "2160h", "issuerRef": {"name": "ca"}, "unknown": 1}});
    assert_eq!(s.prune(&mut cert), [r#"unknown field "spec.unknown""#]);
    s.apply_defaults(&mut cert);
    assert_eq!(cert["spec"]["isCA"], json!(false));
    assert!(
        cert["spec"].get("privateKey").is_none(),
        "privateKey has no default itself"
    );
    assert!(s.validate(&cert, None).is_empty());

    let mut bad = cert.clone();
    bad["spec"]["renewBefore"] = json!("360h");
    bad["spec"]["renewBeforePercentage"] = json!(50);
    bad["spec"]["privateKey"] = json!({"algorithm": "Ed25519", "size": 256});
    assert_eq!(
        messages(&s.validate(&bad, None)),
        [
            r#"spec: Invalid value: "object": renewBefore and renewBeforePercentage are mutually exclusive"#,
            r#"spec.privateKey.size: Invalid value: "object": size may not be set for Ed25519 keys"#,
        ]
    );

    let mut wrong = cert.clone();
    wrong["spec"]["privateKey"] = json!({"algorithm": "DSA"});
    wrong["spec"]
        .as_object_mut()
        .map(|m| m.remove("secretName"));
    wrong["spec"]["dnsNames"] = json!(["a", "a"]);
    assert_eq!(
        messages(&s.validate(&wrong, None)),
        [
            r#"spec.privateKey.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519""#,
            "spec.secretName: Required value",
            r#"spec.dnsNames[1]: Duplicate value: "a""#,
            "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
        ]
    );

    let mut renamed = cert.clone();
    renamed["spec"]["secretName"] = json!("other");
    assert_eq!(
        messages(&s.validate(&renamed, Some(&cert))),
        [r#"spec.secretName: Invalid value: "string": secretName is immutable"#]
    );
}
