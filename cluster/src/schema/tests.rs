//! Value validation, defaulting, pruning, shape and publishing.

use serde_json::{Value, json};

use super::*;
use crate::shape::{ListKind, ListShape, ObjectShape};

pub(super) fn crd_path() -> FieldPath {
    FieldPath::new("spec.versions[0].schema.openAPIV3Schema")
}

pub(super) fn compile(schema: Value) -> Structural {
    match Structural::compile(&schema, &crd_path()) {
        Ok(s) => s,
        Err(errs) => panic!("schema rejected: {}", crate::field::aggregate(&errs)),
    }
}

/// A root schema whose `spec` is `spec`.
pub(super) fn with_spec(spec: Value) -> Value {
    json!({"type": "object", "properties": {"spec": spec}})
}

/// An object whose `spec` is `spec`.
pub(super) fn object(spec: Value) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec})
}

pub(super) fn messages(errs: &[FieldError]) -> Vec<String> {
    errs.iter().map(ToString::to_string).collect()
}

/// (case, `spec` schema, `spec` value, expected errors exactly).
fn table() -> Vec<(&'static str, Value, Value, Vec<&'static str>)> {
    let obj = |props: Value| json!({"type": "object", "properties": props});
    vec![
        (
            "integer given a string",
            obj(json!({"replicas": {"type": "integer"}})),
            json!({"replicas": "three"}),
            vec![
                r#"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
            ],
        ),
        (
            "string given an integer",
            obj(json!({"name": {"type": "string"}})),
            json!({"name": 5}),
            vec![
                r#"spec.name: Invalid value: "integer": spec.name in body must be of type string: "integer""#,
            ],
        ),
        (
            "boolean given a string",
            obj(json!({"flag": {"type": "boolean"}})),
            json!({"flag": "yes"}),
            vec![
                r#"spec.flag: Invalid value: "string": spec.flag in body must be of type boolean: "string""#,
            ],
        ),
        (
            "object given an array",
            obj(json!({"o": {"type": "object"}})),
            json!({"o": [1]}),
            vec![
                r#"spec.o: Invalid value: "array": spec.o in body must be of type object: "array""#,
            ],
        ),
        (
            "array given an object",
            obj(json!({"l": {"type": "array", "items": {"type": "string"}}})),
            json!({"l": {"a": 1}}),
            vec![
                r#"spec.l: Invalid value: "object": spec.l in body must be of type array: "object""#,
            ],
        ),
        (
            "number accepts an integer",
            obj(json!({"ratio": {"type": "number"}})),
            json!({"ratio": 3}),
            vec![],
        ),
        (
            "integer accepts an integral float",
            obj(json!({"replicas": {"type": "integer"}})),
            json!({"replicas": 3.0}),
            vec![],
        ),
        (
            "integer given a fraction",
            obj(json!({"replicas": {"type": "integer"}})),
            json!({"replicas": 1.5}),
            vec![
                r#"spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number""#,
            ],
        ),
        (
            "null where not nullable",
            obj(json!({"name": {"type": "string"}})),
            json!({"name": null}),
            vec![
                r#"spec.name: Invalid value: "null": spec.name in body must be of type string: "null""#,
            ],
        ),
        (
            "null where nullable",
            obj(json!({"name": {"type": "string", "nullable": true}})),
            json!({"name": null}),
            vec![],
        ),
        (
            "required field missing",
            json!({"type": "object", "required": ["secretName"], "properties": {"secretName": {"type": "string"}}}),
            json!({}),
            vec!["spec.secretName: Required value"],
        ),
        (
            "enum of strings",
            obj(json!({"algorithm": {"type": "string", "enum": ["RSA", "ECDSA", "Ed25519"]}})),
            json!({"algorithm": "DSA"}),
            vec![
                r#"spec.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519""#,
            ],
        ),
        (
            "enum accepts a member",
            obj(json!({"algorithm": {"type": "string", "enum": ["RSA", "ECDSA"]}})),
            json!({"algorithm": "ECDSA"}),
            vec![],
        ),
        (
            "enum of integers",
            obj(json!({"size": {"type": "integer", "enum": [2048, 4096]}})),
            json!({"size": 1024}),
            vec![r#"spec.size: Unsupported value: 1024: supported values: "2048", "4096""#],
        ),
        (
            "enum and null",
            obj(json!({"mode": {"type": "string", "nullable": true, "enum": ["a"]}})),
            json!({"mode": null}),
            vec![r#"spec.mode: Unsupported value: null: supported values: "a""#],
        ),
        (
            "maxLength",
            obj(json!({"name": {"type": "string", "maxLength": 5}})),
            json!({"name": "abcdef"}),
            vec!["spec.name: Too long: may not be more than 5 bytes"],
        ),
        (
            "maxLength of one",
            obj(json!({"c": {"type": "string", "maxLength": 1}})),
            json!({"c": "ab"}),
            vec!["spec.c: Too long: may not be more than 1 byte"],
        ),
        (
            "maxLength counts characters",
            obj(json!({"name": {"type": "string", "maxLength": 3}})),
            json!({"name": "äöü"}),
            vec![],
        ),
        (
            "minLength",
            obj(json!({"name": {"type": "string", "minLength": 3}})),
            json!({"name": "ab"}),
            vec![
                r#"spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long"#,
            ],
        ),
        (
            "pattern",
            obj(json!({"name": {"type": "string", "pattern": "^[a-z]+$"}})),
            json!({"name": "ABC"}),
            vec![r#"spec.name: Invalid value: "ABC": spec.name in body should match '^[a-z]+$'"#],
        ),
        (
            "maxLength stops the other string checks",
            obj(json!({"name": {"type": "string", "maxLength": 2, "pattern": "^[a-z]+$"}})),
            json!({"name": "ABC"}),
            vec!["spec.name: Too long: may not be more than 2 bytes"],
        ),
        (
            "maximum",
            obj(json!({"replicas": {"type": "integer", "maximum": 10}})),
            json!({"replicas": 11}),
            vec![
                "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
            ],
        ),
        (
            "exclusiveMaximum",
            obj(json!({"replicas": {"type": "integer", "maximum": 10, "exclusiveMaximum": true}})),
            json!({"replicas": 10}),
            vec!["spec.replicas: Invalid value: 10: spec.replicas in body should be less than 10"],
        ),
        (
            "minimum",
            obj(json!({"replicas": {"type": "integer", "minimum": 0}})),
            json!({"replicas": -1}),
            vec![
                "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
            ],
        ),
        (
            "exclusiveMinimum",
            obj(json!({"replicas": {"type": "integer", "minimum": 0, "exclusiveMinimum": true}})),
            json!({"replicas": 0}),
            vec!["spec.replicas: Invalid value: 0: spec.replicas in body should be greater than 0"],
        ),
        (
            "maximum on a float",
            obj(json!({"ratio": {"type": "number", "maximum": 1.5}})),
            json!({"ratio": 2.5}),
            vec![
                "spec.ratio: Invalid value: 2.5: spec.ratio in body should be less than or equal to 1.5",
            ],
        ),
        (
            "minimum and maximum both reported",
            obj(json!({"n": {"type": "integer", "minimum": 5, "maximum": 3}})),
            json!({"n": 4}),
            vec![
                "spec.n: Invalid value: 4: spec.n in body should be greater than or equal to 5",
                "spec.n: Invalid value: 4: spec.n in body should be less than or equal to 3",
            ],
        ),
        (
            "multipleOf on an integer",
            obj(json!({"replicas": {"type": "integer", "multipleOf": 2}})),
            json!({"replicas": 7}),
            vec![
                "spec.replicas: Invalid value: 7: spec.replicas in body should be a multiple of 2",
            ],
        ),
        (
            "multipleOf on a float",
            obj(json!({"ratio": {"type": "number", "multipleOf": 0.5}})),
            json!({"ratio": 0.75}),
            vec!["spec.ratio: Invalid value: 0.75: spec.ratio in body should be a multiple of 0.5"],
        ),
        (
            "minItems",
            obj(json!({"list": {"type": "array", "minItems": 2, "items": {"type": "string"}}})),
            json!({"list": ["a"]}),
            vec!["spec.list: Invalid value: 1: spec.list in body should have at least 2 items"],
        ),
        (
            "maxItems",
            obj(json!({"list": {"type": "array", "maxItems": 2, "items": {"type": "string"}}})),
            json!({"list": ["a", "b", "c"]}),
            vec!["spec.list: Too many: 3: must have at most 2 items"],
        ),
        (
            "maxItems of one",
            obj(json!({"list": {"type": "array", "maxItems": 1, "items": {"type": "string"}}})),
            json!({"list": ["a", "b"]}),
            vec!["spec.list: Too many: 2: must have at most 1 item"],
        ),
        (
            "minProperties",
            obj(
                json!({"labels": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}}}),
            ),
            json!({"labels": {}}),
            vec![
                "spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties",
            ],
        ),
        (
            "maxProperties",
            obj(
                json!({"labels": {"type": "object", "maxProperties": 2, "additionalProperties": {"type": "string"}}}),
            ),
            json!({"labels": {"a": "1", "b": "2", "c": "3"}}),
            vec!["spec.labels: Too many: 3: must have at most 2 items"],
        ),
        (
            "additionalProperties values",
            obj(json!({"labels": {"type": "object", "additionalProperties": {"type": "string"}}})),
            json!({"labels": {"app": 5}}),
            vec![
                r#"spec.labels.app: Invalid value: "integer": spec.labels.app in body must be of type string: "integer""#,
            ],
        ),
        (
            "additionalProperties false",
            obj(json!({"closed": {"type": "object", "additionalProperties": false}})),
            json!({"closed": {"foo": "x"}}),
            vec![
                r#"spec.closed: Invalid value: "foo": spec.closed.foo in body is a forbidden property"#,
            ],
        ),
        (
            "array items",
            obj(json!({"ports": {"type": "array", "items": {"type": "integer"}}})),
            json!({"ports": [80, "http"]}),
            vec![
                r#"spec.ports[1]: Invalid value: "string": spec.ports[1] in body must be of type integer: "string""#,
            ],
        ),
        (
            "required inside list items",
            obj(
                json!({"items": {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}),
            ),
            json!({"items": [{}]}),
            vec!["spec.items[0].name: Required value"],
        ),
        (
            "deeply nested",
            obj(
                json!({"a": {"type": "object", "properties": {"b": {"type": "object", "properties": {"c": {"type": "integer"}}}}}}),
            ),
            json!({"a": {"b": {"c": false}}}),
            vec![
                r#"spec.a.b.c: Invalid value: "boolean": spec.a.b.c in body must be of type integer: "boolean""#,
            ],
        ),
        (
            "date-time format",
            obj(json!({"at": {"type": "string", "format": "date-time"}})),
            json!({"at": "yesterday"}),
            vec![
                r#"spec.at: Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday""#,
            ],
        ),
        (
            "date-time accepts RFC 3339",
            obj(json!({"at": {"type": "string", "format": "date-time"}})),
            json!({"at": "2024-05-06T07:08:09Z"}),
            vec![],
        ),
        (
            "unknown formats are ignored",
            obj(json!({"x": {"type": "string", "format": "made-up"}})),
            json!({"x": "anything"}),
            vec![],
        ),
        (
            "uuid format",
            obj(json!({"id": {"type": "string", "format": "uuid"}})),
            json!({"id": "not-a-uuid"}),
            vec![
                r#"spec.id: Invalid value: "not-a-uuid": spec.id in body must be of type uuid: "not-a-uuid""#,
            ],
        ),
        (
            "ipv4 format",
            obj(json!({"ip": {"type": "string", "format": "ipv4"}})),
            json!({"ip": "300.1.1.1"}),
            vec![
                r#"spec.ip: Invalid value: "300.1.1.1": spec.ip in body must be of type ipv4: "300.1.1.1""#,
            ],
        ),
        (
            "duration format",
            obj(json!({"d": {"type": "string", "format": "duration"}})),
            json!({"d": "forever"}),
            vec![
                r#"spec.d: Invalid value: "forever": spec.d in body must be of type duration: "forever""#,
            ],
        ),
        (
            "duration format accepts Go durations",
            obj(json!({"d": {"type": "string", "format": "duration"}})),
            json!({"d": "2160h30m"}),
            vec![],
        ),
        (
            "byte format",
            obj(json!({"b": {"type": "string", "format": "byte"}})),
            json!({"b": "%%%"}),
            vec![r#"spec.b: Invalid value: "%%%": spec.b in body must be of type byte: "%%%""#],
        ),
        (
            "int-or-string rejects booleans",
            obj(json!({"port": {"x-kubernetes-int-or-string": true}})),
            json!({"port": true}),
            vec![
                r#"spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean""#,
            ],
        ),
        (
            "int-or-string accepts both",
            obj(
                json!({"a": {"x-kubernetes-int-or-string": true}, "b": {"x-kubernetes-int-or-string": true}}),
            ),
            json!({"a": 80, "b": "http"}),
            vec![],
        ),
        (
            "int-or-string with the anyOf pattern",
            obj(
                json!({"port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]}}),
            ),
            json!({"port": 1.5}),
            vec![
                r#"spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number""#,
                r#"Invalid value: "": "spec.port" must validate at least one schema (anyOf)"#,
                r#"spec.port: Invalid value: "number": spec.port in body must be of type integer: "number""#,
            ],
        ),
        (
            "preserve-unknown-fields accepts anything",
            obj(
                json!({"config": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}),
            ),
            json!({"config": {"a": [1, {"b": null}]}}),
            vec![],
        ),
        (
            "anyOf with no match",
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}),
            json!({}),
            vec![
                r#"Invalid value: "": "spec" must validate at least one schema (anyOf)"#,
                "spec.a: Required value",
            ],
        ),
        (
            "anyOf with a match",
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}),
            json!({"b": "x"}),
            vec![],
        ),
        (
            "oneOf with two matches",
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "oneOf": [{"required": ["a"]}, {"required": ["b"]}]}),
            json!({"a": "x", "b": "y"}),
            vec![
                r#"Invalid value: "": "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives"#,
            ],
        ),
        (
            "oneOf with no match",
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "oneOf": [{"required": ["a"]}, {"required": ["b"]}]}),
            json!({}),
            vec![
                r#"Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid"#,
                "spec.a: Required value",
            ],
        ),
        (
            "allOf",
            obj(json!({"n": {"type": "integer", "allOf": [{"minimum": 1}, {"maximum": 5}]}})),
            json!({"n": 7}),
            vec![
                "spec.n: Invalid value: 7: spec.n in body should be less than or equal to 5",
                r#"Invalid value: "": "spec.n" must validate all the schemas (allOf)"#,
            ],
        ),
        (
            "not",
            obj(json!({"s": {"type": "string", "not": {"enum": ["forbidden"]}}})),
            json!({"s": "forbidden"}),
            vec![r#"Invalid value: "": "spec.s" must not validate the schema (not)"#],
        ),
        (
            "list-type set duplicates",
            obj(
                json!({"tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}}),
            ),
            json!({"tags": ["a", "b", "a", "a"]}),
            vec![r#"spec.tags[2]: Duplicate value: "a""#],
        ),
        (
            "atomic lists may repeat",
            obj(json!({"tags": {"type": "array", "items": {"type": "string"}}})),
            json!({"tags": ["a", "a"]}),
            vec![],
        ),
        (
            "list-type map duplicate keys",
            obj(
                json!({"ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}}}),
            ),
            json!({"ports": [{"name": "http", "port": 80}, {"name": "http", "port": 8080}]}),
            vec![r#"spec.ports[1]: Duplicate value: {"name":"http"}"#],
        ),
        (
            "list-type map with two keys",
            obj(
                json!({"ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"],
                "items": {"type": "object", "required": ["port", "protocol"], "properties": {"port": {"type": "integer"}, "protocol": {"type": "string"}}}}}),
            ),
            json!({"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}),
            vec![r#"spec.ports[2]: Duplicate value: {"port":53,"protocol":"UDP"}"#],
        ),
        (
            "list-type map items must be objects",
            obj(
                json!({"ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "required": ["name"], "properties": {"name": {"type": "string"}}}}}),
            ),
            json!({"ports": [{"name": "a"}, "b"]}),
            vec![
                r#"spec.ports[1]: Invalid value: "string": spec.ports[1] in body must be of type object: "string""#,
                r#"spec.ports[1]: Invalid value: "b": must be an object for an array of list-type map"#,
            ],
        ),
        (
            "embedded resource needs apiVersion and kind",
            obj(
                json!({"template": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true}}),
            ),
            json!({"template": {"metadata": {"name": "x"}}}),
            vec![
                "spec.template.apiVersion: Required value",
                "spec.template.kind: Required value",
            ],
        ),
        (
            "embedded resource kind and name",
            obj(
                json!({"template": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true}}),
            ),
            json!({"template": {"apiVersion": "v1", "kind": "Config Map", "metadata": {"name": "a/b"}}}),
            vec![
                r#"spec.template.kind: Invalid value: "Config Map": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"#,
                r#"spec.template.metadata.name: Invalid value: "a/b": may not contain '/'"#,
            ],
        ),
        (
            "several errors in schema order",
            json!({"type": "object", "required": ["secretName"], "properties": {
                "dnsNames": {"type": "array", "items": {"type": "string"}},
                "duration": {"type": "string"},
                "secretName": {"type": "string"}}}),
            json!({"dnsNames": "example.com", "duration": 90}),
            vec![
                r#"spec.dnsNames: Invalid value: "string": spec.dnsNames in body must be of type array: "string""#,
                r#"spec.duration: Invalid value: "integer": spec.duration in body must be of type string: "integer""#,
                "spec.secretName: Required value",
            ],
        ),
    ]
}

#[test]
fn value_validation_matches_the_api_server() {
    let cases = table();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (name, spec_schema, spec, expected) in cases {
        let s = compile(with_spec(spec_schema));
        let got = messages(&s.validate(&object(spec), None));
        if got != expected {
            failures.push(format!(
                "{name}:\n  got      {got:#?}\n  expected {expected:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn root_metadata_restrictions_apply() {
    let s = compile(json!({"type": "object", "properties": {
        "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 5}}}}}));
    let obj = json!({"apiVersion": "a/v1", "kind": "K", "metadata": {"name": "too-long-name"}});
    assert_eq!(
        messages(&s.validate(&obj, None)),
        ["metadata.name: Too long: may not be more than 5 bytes"]
    );
}

#[test]
fn error_kinds_are_the_api_servers() {
    let s = compile(with_spec(
        json!({"type": "object", "required": ["a"], "properties": {
        "a": {"type": "string"}, "b": {"type": "integer"}, "c": {"type": "string", "enum": ["x"]}}}),
    ));
    let errs = s.validate(&object(json!({"b": "x", "c": "y"})), None);
    let kinds: Vec<&str> = errs.iter().map(|e| e.kind.cause_type()).collect();
    assert_eq!(
        kinds,
        [
            "FieldValueTypeInvalid",
            "FieldValueNotSupported",
            "FieldValueRequired"
        ]
    );
}

#[test]
fn defaults_fill_absent_and_null_fields_recursively() {
    let s = compile(with_spec(json!({"type": "object", "properties": {
        "replicas": {"type": "integer", "default": 1},
        "mode": {"type": "string", "default": "auto"},
        "nullableMode": {"type": "string", "nullable": true, "default": "x"},
        "privateKey": {"type": "object", "default": {}, "properties": {
            "algorithm": {"type": "string", "default": "RSA"},
            "size": {"type": "integer", "default": 2048}}},
        "ports": {"type": "array", "items": {"type": "object", "properties": {
            "protocol": {"type": "string", "default": "TCP"}}}},
        "labels": {"type": "object", "additionalProperties": {"type": "object", "properties": {
            "weight": {"type": "integer", "default": 5}}}}}})));
    let mut obj = object(
        json!({"mode": null, "nullableMode": null, "ports": [{}, {"protocol": "UDP"}], "labels": {"a": {}}}),
    );
    s.apply_defaults(&mut obj);
    assert_eq!(
        obj["spec"],
        json!({"mode": "auto", "nullableMode": null, "ports": [{"protocol": "TCP"}, {"protocol": "UDP"}],
            "labels": {"a": {"weight": 5}}, "replicas": 1, "privateKey": {"algorithm": "RSA", "size": 2048}})
    );
    assert_eq!(obj["metadata"], json!({"name": "w"}));
    assert!(s.validate(&obj, None).is_empty());
}

#[test]
fn defaults_do_not_touch_root_metadata() {
    let s = compile(json!({"type": "object", "properties": {
        "spec": {"type": "object", "default": {}, "properties": {"x": {"type": "string", "default": "y"}}}}}));
    let mut obj = json!({"apiVersion": "a/v1", "kind": "K"});
    s.apply_defaults(&mut obj);
    assert_eq!(
        obj,
        json!({"apiVersion": "a/v1", "kind": "K", "spec": {"x": "y"}})
    );
}

#[test]
fn pruning_drops_unknown_fields_and_reports_them() {
    let s = compile(json!({"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "known": {"type": "string"},
            "list": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {
                "typed": {"type": "object", "properties": {"t": {"type": "string"}}}}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "template": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {
                "spec": {"type": "object", "properties": {"x": {"type": "string"}}}}}}},
        "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}}}));
    let mut obj = json!({
        "apiVersion": "a/v1", "kind": "K", "metadata": {"name": "n", "whatever": 1},
        "spec": {
            "known": "k", "foo": 1,
            "list": [{"a": "x", "b": "y"}],
            "free": {"anything": {"goes": true}, "typed": {"t": "t", "u": "u"}},
            "labels": {"any": "key"},
            "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "bogus": true}, "spec": {"x": "1", "y": "2"}, "extra": 1}},
        "status": {"ready": true, "phase": "Done"},
        "top": 1});
    let warnings = s.prune(&mut obj);
    assert_eq!(
        warnings,
        [
            r#"unknown field "spec.foo""#,
            r#"unknown field "spec.list[0].b""#,
            r#"unknown field "spec.free.typed.u""#,
            r#"unknown field "spec.template.metadata.bogus""#,
            r#"unknown field "spec.template.spec.y""#,
            r#"unknown field "spec.template.extra""#,
            r#"unknown field "status.phase""#,
            r#"unknown field "top""#,
        ]
    );
    assert_eq!(
        obj,
        json!({
            "apiVersion": "a/v1", "kind": "K", "metadata": {"name": "n", "whatever": 1},
            "spec": {
                "known": "k",
                "list": [{"a": "x"}],
                "free": {"anything": {"goes": true}, "typed": {"t": "t"}},
                "labels": {"any": "key"},
                "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": "1"}}},
            "status": {"ready": true}})
    );
}

#[test]
fn shape_follows_list_and_map_types() {
    let s = compile(
        json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
        "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
        "args": {"type": "array", "items": {"type": "string"}},
        "selector": {"type": "object", "x-kubernetes-map-type": "atomic", "properties": {"app": {"type": "string"}}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "port": {"x-kubernetes-int-or-string": true}}}}}),
    );
    let Shape::Object(root) = s.shape() else {
        panic!("root is not an object")
    };
    assert_eq!(root.fields.get("apiVersion"), Some(&Shape::Scalar));
    assert_eq!(root.fields.get("metadata"), Some(&Shape::Deduced));
    let Some(Shape::Object(spec)) = root.fields.get("spec") else {
        panic!("spec is not an object")
    };
    let list = |kind: ListKind, items: Shape| {
        Shape::List(ListShape {
            items: Box::new(items),
            kind,
            strategic: None,
        })
    };
    assert_eq!(spec.fields["tags"], list(ListKind::Set, Shape::Scalar));
    assert_eq!(spec.fields["args"], list(ListKind::Atomic, Shape::Scalar));
    assert_eq!(
        spec.fields["ports"],
        list(
            ListKind::Map {
                keys: vec!["name".into()]
            },
            Shape::object([("name", Shape::Scalar)])
        )
    );
    assert_eq!(
        spec.fields["selector"],
        Shape::Object(ObjectShape {
            fields: [("app".to_string(), Shape::Scalar)].into(),
            rest: None,
            atomic: true,
            retain_keys: false
        })
    );
    assert_eq!(spec.fields["labels"], Shape::map(Shape::Scalar));
    assert_eq!(spec.fields["raw"], Shape::Deduced);
    assert_eq!(spec.fields["port"], Shape::Scalar);
}

#[test]
fn openapi_schema_is_clean_and_complete() {
    let raw = json!({"type": "object", "properties": {"spec": {"type": "object", "description": "Spec.",
        "x-kubernetes-validations": [{"rule": "true"}], "nullable": null, "properties": {"a": {"type": "string"}}}}});
    let s = compile(raw);
    let out = s.openapi_schema();
    assert_eq!(
        out["properties"]["spec"]["x-kubernetes-validations"],
        json!([{"rule": "true"}])
    );
    assert!(out["properties"]["spec"].get("nullable").is_none());
    assert_eq!(out["properties"]["kind"]["type"], "string");
    assert_eq!(
        out["properties"]["metadata"]["allOf"][0]["$ref"],
        OBJECT_META_REF
    );
}

#[test]
fn malformed_objects_do_not_panic() {
    let s = compile(with_spec(json!({"type": "object", "properties": {
        "a": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["k"],
            "items": {"type": "object", "required": ["k"], "properties": {"k": {"type": "string"}}}},
        "n": {"type": "number", "multipleOf": 0.1, "maximum": 1e300}}})));
    for v in [
        json!(null),
        json!([]),
        json!("x"),
        json!(1),
        json!({"spec": [1]}),
        object(json!({"a": [null, 1, {"k": []}], "n": 1e308})),
    ] {
        let mut v = v;
        let _ = s.validate(&v, Some(&json!(42)));
        s.apply_defaults(&mut v);
        let _ = s.prune(&mut v);
    }
}
