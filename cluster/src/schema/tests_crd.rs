//! Schemas the API server rejects when a CRD is created.

use serde_json::{Value, json};

use super::tests::{crd_path, with_spec};
use super::*;

fn rejected(schema: Value) -> Vec<String> {
    match Structural::compile(&schema, &crd_path()) {
        Ok(_) => Vec::new(),
        Err(errs) => errs.iter().map(ToString::to_string).collect(),
    }
}

const P: &str = "spec.versions[0].schema.openAPIV3Schema";

fn expect(schema: Value, expected: &[&str]) {
    let got = rejected(schema);
    let expected: Vec<String> = expected.iter().map(|e| e.replace("$P", P)).collect();
    assert_eq!(got, expected);
}

#[test]
fn types_are_required_on_the_spine() {
    expect(
        json!({"properties": {"spec": {"type": "object"}}}),
        &["$P.type: Required value: must not be empty at the root"],
    );
    expect(
        with_spec(json!({"properties": {"a": {"type": "string"}}})),
        &[
            "$P.properties[spec].type: Required value: must not be empty for specified object fields",
        ],
    );
    expect(
        with_spec(json!({"type": "array", "items": {}})),
        &[
            "$P.properties[spec].items.type: Required value: must not be empty for specified array items",
        ],
    );
    expect(
        with_spec(json!({"type": "array"})),
        &["$P.properties[spec].items: Required value: must be specified"],
    );
    expect(
        with_spec(json!({"type": "strin"})),
        &[
            r#"$P.properties[spec].type: Unsupported value: "strin": supported values: "array", "boolean", "integer", "number", "object", "string""#,
        ],
    );
    expect(
        json!({"type": "string"}),
        &[r#"$P.type: Invalid value: "string": must be object at the root"#],
    );
}

#[test]
fn keyword_rules() {
    expect(
        with_spec(
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}}),
        ),
        &[
            "$P.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive",
        ],
    );
    expect(
        json!({"type": "object", "additionalProperties": {"type": "string"}}),
        &["$P.additionalProperties: Forbidden: must not be used at the root"],
    );
    expect(
        with_spec(json!({"type": "array", "uniqueItems": true, "items": {"type": "string"}})),
        &[
            "$P.properties[spec].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
        ],
    );
    expect(
        json!({"type": "object", "nullable": true}),
        &["$P.nullable: Forbidden: nullable cannot be true at the root"],
    );
    expect(
        with_spec(json!({"type": "object", "x-kubernetes-preserve-unknown-fields": false})),
        &[
            "$P.properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined",
        ],
    );
    expect(
        with_spec(json!({"type": "object", "$ref": "#/definitions/x"})),
        &["$P.properties[spec].$ref: Forbidden: $ref is not supported"],
    );
    expect(
        with_spec(json!({"type": "string", "pattern": "(unclosed"})),
        &[
            r#"$P.properties[spec].pattern: Invalid value: "(unclosed": must be a valid regular expression, but isn't: regex parse error: (unclosed ^ error: unclosed group"#,
        ],
    );
    expect(
        with_spec(
            json!({"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true, "additionalProperties": true}),
        ),
        &[
            "$P.properties[spec].additionalProperties: Forbidden: must not be used if x-kubernetes-embedded-resource is set",
        ],
    );
    expect(
        with_spec(json!({"type": "string", "x-kubernetes-embedded-resource": true})),
        &[
            r#"$P.properties[spec].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"#,
            r#"$P.properties[spec].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true"#,
        ],
    );
}

#[test]
fn value_validations_must_be_structural() {
    expect(
        with_spec(
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "anyOf": [{"type": "object", "required": ["a"]}]}),
        ),
        &["$P.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural"],
    );
    expect(
        with_spec(
            json!({"type": "object", "properties": {"a": {"type": "string"}},
            "oneOf": [{"x-kubernetes-validations": [{"rule": "true"}]}]}),
        ),
        &[
            "$P.properties[spec].oneOf[0].x-kubernetes-validations: Forbidden: must be empty to be structural",
        ],
    );
    expect(
        json!({"type": "object", "properties": {"spec": {"type": "object"}},
            "allOf": [{"properties": {"missing": {"maxLength": 3}}}]}),
        &[
            "$P.properties[missing]: Required value: because it is defined in $P.allOf[0].properties[missing]",
        ],
    );
    expect(
        with_spec(
            json!({"type": "object", "properties": {"a": {"type": "string"}},
            "not": {"properties": {"metadata": {"required": ["x"]}}}}),
        ),
        &[
            "$P.properties[spec].not.properties[metadata]: Forbidden: must not be specified in a nested context",
        ],
    );
}

#[test]
fn metadata_may_only_restrict_name_and_generate_name() {
    expect(
        json!({"type": "object", "properties": {"metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 10}}}}}),
        &[],
    );
    expect(
        json!({"type": "object", "properties": {"metadata": {"type": "object", "properties": {"labels": {"type": "object"}}}}}),
        &[
            "$P.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
        ],
    );
    expect(
        json!({"type": "object", "properties": {"metadata": {"type": "object", "default": {}}}}),
        &["$P.properties[metadata].default: Forbidden: must not be set in top-level metadata"],
    );
    expect(
        json!({"type": "object", "properties": {"kind": {"type": "integer"}}}),
        &[r#"$P.properties[kind].type: Invalid value: "integer": must be string"#],
    );
}

#[test]
fn list_and_map_types() {
    let ports = |items: Value, extra: Value| {
        let mut list = json!({"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], "items": items});
        if let (Value::Object(l), Value::Object(e)) = (&mut list, extra) {
            l.extend(e);
        }
        with_spec(json!({"type": "object", "properties": {"ports": list}}))
    };
    expect(
        ports(
            json!({"type": "object", "properties": {"name": {"type": "string"}}}),
            json!({}),
        ),
        &[
            "$P.properties[spec].properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
        ],
    );
    expect(
        ports(
            json!({"type": "object", "properties": {"name": {"type": "string", "default": "x"}}}),
            json!({}),
        ),
        &[],
    );
    expect(
        ports(
            json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "object"}}}),
            json!({}),
        ),
        &[
            r#"$P.properties[spec].properties[ports].items.properties[name].type: Invalid value: "object": must be a scalar type if parent array's x-kubernetes-list-type is map"#,
        ],
    );
    expect(
        ports(
            json!({"type": "object", "properties": {"other": {"type": "string"}}}),
            json!({}),
        ),
        &[
            r#"$P.properties[spec].properties[ports].x-kubernetes-list-map-keys: Invalid value: ["name"]: entries must all be names of item properties"#,
        ],
    );
    expect(
        ports(json!({"type": "string"}), json!({})),
        &[
            r#"$P.properties[spec].properties[ports].items.type: Invalid value: "string": must be object if parent array's x-kubernetes-list-type is map"#,
        ],
    );
    expect(
        with_spec(
            json!({"type": "object", "properties": {"l": {"type": "array", "x-kubernetes-list-type": "map", "items": {"type": "object"}}}}),
        ),
        &[
            "$P.properties[spec].properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map",
        ],
    );
    expect(
        with_spec(
            json!({"type": "object", "properties": {"l": {"type": "array", "x-kubernetes-list-type": "list", "items": {"type": "string"}}}}),
        ),
        &[
            r#"$P.properties[spec].properties[l].x-kubernetes-list-type: Unsupported value: "list": supported values: "atomic", "set", "map""#,
        ],
    );
    expect(
        with_spec(
            json!({"type": "object", "properties": {"s": {"type": "string", "x-kubernetes-list-type": "set"}}}),
        ),
        &[
            r#"$P.properties[spec].properties[s].type: Invalid value: "string": must be array if x-kubernetes-list-type is specified"#,
        ],
    );
    expect(
        with_spec(
            json!({"type": "object", "properties": {"m": {"type": "object", "x-kubernetes-map-type": "merge"}}}),
        ),
        &[
            r#"$P.properties[spec].properties[m].x-kubernetes-map-type: Unsupported value: "merge": supported values: "atomic", "granular""#,
        ],
    );
    expect(
        with_spec(
            json!({"type": "object", "properties": {"s": {"type": "array", "x-kubernetes-list-type": "set",
            "items": {"type": "object", "properties": {"a": {"type": "string"}}}}}}),
        ),
        &[
            "$P.properties[spec].properties[s].items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set",
        ],
    );
}

#[test]
fn defaults_must_validate_and_be_pruned() {
    expect(
        with_spec(
            json!({"type": "object", "properties": {"replicas": {"type": "integer", "default": "one"}}}),
        ),
        &[
            r#"$P.properties[spec].properties[replicas].default: Invalid value: "string":  in body must be of type integer: "string""#,
        ],
    );
    expect(
        with_spec(
            json!({"type": "object", "properties": {"key": {"type": "object", "default": {"size": 1, "bogus": true},
            "properties": {"size": {"type": "integer", "maximum": 0}}}}}),
        ),
        &[
            r#"$P.properties[spec].properties[key].default: Invalid value: {"size":1,"bogus":true}: must not have unknown fields"#,
            "$P.properties[spec].properties[key].default.size: Invalid value: 1: size in body should be less than or equal to 0",
        ],
    );
}

#[test]
fn cel_rules_must_compile() {
    let rule = |r: Value| {
        with_spec(
            json!({"type": "object", "properties": {"a": {"type": "string"},
        "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf"}]}}},
        "x-kubernetes-validations": [r]}),
        )
    };
    let got = rejected(rule(json!({"rule": "self.a =="})));
    assert_eq!(got.len(), 2, "{got:?}");
    // children are checked before their parent, as the API server does
    assert_eq!(
        got[0],
        format!(
            r#"{P}.properties[spec].properties[tags].items.x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within {P}.properties[spec].properties[tags]"#
        )
    );
    assert!(got[1].starts_with(&format!(
        r#"{P}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: {{"rule":"self.a =="}}: compilation failed: ERROR: <input>:1:10: Syntax error: "#
    )), "{got:?}");
    let got = rejected(with_spec(
        json!({"type": "object", "properties": {"a": {"type": "string"}},
        "x-kubernetes-validations": [{"rule": "self.b == 'x'"}, {"rule": "size(nope) > 0"}, {"rule": "self.a == 'x'", "optionalOldSelf": true},
            {"rule": "true", "reason": "FieldValueBogus"}, {"rule": "", "message": "m"}, {"rule": "self.a == 'x'", "fieldPath": ".c"}]}),
    ));
    assert_eq!(
        got,
        [
            format!(
                r#"{P}.properties[spec].x-kubernetes-validations[3].reason: Unsupported value: "FieldValueBogus": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired""#
            ),
            format!(
                "{P}.properties[spec].x-kubernetes-validations[4].rule: Required value: rule is not specified"
            ),
            format!(
                r#"{P}.properties[spec].x-kubernetes-validations[5].fieldPath: Invalid value: ".c": fieldPath must be a valid path"#
            ),
        ]
    );
    let got = rejected(with_spec(
        json!({"type": "object", "properties": {"a": {"type": "string"}},
        "x-kubernetes-validations": [{"rule": "self.b == 'x'"}, {"rule": "size(nope) > 0"}, {"rule": "self.a == 'x'", "optionalOldSelf": true}]}),
    ));
    assert_eq!(
        got,
        [
            format!(
                r#"{P}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: {{"rule":"self.b == 'x'"}}: compilation failed: ERROR: <input>: undefined field 'b'"#
            ),
            format!(
                r#"{P}.properties[spec].x-kubernetes-validations[1].rule: Invalid value: {{"rule":"size(nope) > 0"}}: compilation failed: ERROR: <input>: undeclared reference to 'nope' (in container '')"#
            ),
            format!(
                "{P}.properties[spec].x-kubernetes-validations[2].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule"
            ),
        ]
    );
}

#[test]
fn a_realistic_schema_compiles() {
    let schema = json!({"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
        "spec": {"type": "object", "properties": {
            "template": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true},
            "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}, "x-kubernetes-map-type": "granular"},
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}},
            "x-kubernetes-validations": [{"rule": "!has(self.tags) || self.tags.all(t, t.size() < 10)"}]},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}});
    expect(schema, &[]);
}
