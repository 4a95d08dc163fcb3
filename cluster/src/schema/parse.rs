//! Compiling `openAPIV3Schema` into a [`Node`] tree, with the checks the API server
//! applies to each schema node of a CRD (`ValidateCustomResourceDefinitionOpenAPISchema`).

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::{Map, Value};

use super::cel::{self, RuleContext};
use super::format::{Format, effective_format};
use super::node::{Additional, JsonType, ListType, Node, Pattern};
use crate::field::{FieldError, FieldPath};

/// `openapiV3Types`, sorted as the API server lists them.
const OPENAPI_TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];

/// Errors collected while compiling, kept apart as the API server keeps them.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Schema errors (`OpenAPISchemaErrorList.SchemaErrors`).
    pub schema: Vec<FieldError>,
    /// CEL errors (`OpenAPISchemaErrorList.CELErrors`).
    pub cel: Vec<FieldError>,
}

/// The context a node is checked in (the API server's `specStandardValidator`).
#[derive(Debug, Clone)]
struct Scope {
    allow_defaults: bool,
    disallow_defaults_reason: String,
    inside_resource_meta: bool,
    /// The path of the nearest ancestor that makes `oldSelf` unusable.
    uncorrelatable: Option<FieldPath>,
    /// Whether CEL rules are compiled and reported (the schema is structural).
    cel: bool,
}

impl Scope {
    fn forbid_defaults(&self, reason: &str) -> Scope {
        Scope {
            allow_defaults: false,
            disallow_defaults_reason: reason.to_string(),
            ..self.clone()
        }
    }

    fn forbid_old_self(&self, path: &FieldPath) -> Scope {
        if self.uncorrelatable.is_some() {
            return self.clone();
        }
        Scope {
            uncorrelatable: Some(path.clone()),
            ..self.clone()
        }
    }
}

/// Compiles the root schema.
pub(crate) fn parse_root(
    raw: &Value,
    path: &FieldPath,
    cel_enabled: bool,
    out: &mut Collected,
) -> Node {
    let scope = Scope {
        allow_defaults: true,
        disallow_defaults_reason: String::new(),
        inside_resource_meta: false,
        uncorrelatable: None,
        cel: cel_enabled,
    };
    parse(raw, path, &scope, true, true, out)
}

fn parse(
    raw: &Value,
    path: &FieldPath,
    scope: &Scope,
    is_root: bool,
    spine: bool,
    out: &mut Collected,
) -> Node {
    let mut node = Node::default();
    let Value::Object(m) = raw else {
        out.schema.push(FieldError::invalid(
            path,
            raw.clone(),
            "must be a JSON schema object",
        ));
        return node;
    };
    let errors_before = out.schema.len();

    // `type`
    let mut type_name = String::new();
    if let Some(t) = m.get("type") {
        match t.as_str() {
            Some(s) => type_name = s.to_string(),
            None => out.schema.push(FieldError::invalid(
                path.child("type"),
                t.clone(),
                "must be a string",
            )),
        }
    }
    if !type_name.is_empty() {
        match JsonType::parse(&type_name) {
            Some(t) => node.ty = Some(t),
            None => {
                node.unknown_type = Some(type_name.clone());
                out.schema.push(FieldError::not_supported(
                    path.child("type"),
                    Value::from(type_name.as_str()),
                    OPENAPI_TYPES,
                ));
            }
        }
    }

    node.nullable = get_bool(m, "nullable", path, out);
    node.int_or_string = get_bool(m, "x-kubernetes-int-or-string", path, out);
    node.embedded = get_bool(m, "x-kubernetes-embedded-resource", path, out);
    match m.get("x-kubernetes-preserve-unknown-fields") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(true)) => node.preserve_unknown = true,
        Some(Value::Bool(false)) => out.schema.push(FieldError::invalid(
            path.child("x-kubernetes-preserve-unknown-fields"),
            Value::Bool(false),
            "must be true or undefined",
        )),
        Some(other) => out.schema.push(FieldError::invalid(
            path.child("x-kubernetes-preserve-unknown-fields"),
            other.clone(),
            "must be a boolean",
        )),
    }

    // `format`: kept only where the API server supports it for this type.
    if let Some(f) = get_str(m, "format", path, out) {
        let ty_for_format = if node.int_or_string {
            ""
        } else {
            type_name.as_str()
        };
        node.format_name = effective_format(ty_for_format, &f);
        node.format = node.format_name.as_deref().and_then(Format::lookup);
    }

    node.default = m.get("default").filter(|d| !d.is_null()).cloned();

    // Value validations.
    node.required = match m.get("required") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(other) => {
            out.schema.push(FieldError::invalid(
                path.child("required"),
                other.clone(),
                "must be a list of strings",
            ));
            Vec::new()
        }
    };
    node.enum_values = match m.get("enum") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(items.clone()),
        Some(other) => {
            out.schema.push(FieldError::invalid(
                path.child("enum"),
                other.clone(),
                "must be a list",
            ));
            None
        }
    };
    if let Some(p) = get_str(m, "pattern", path, out)
        && !p.is_empty()
    {
        let regex = match Regex::new(&p) {
            Ok(r) => Some(r),
            Err(e) => {
                out.schema.push(FieldError::invalid(
                    path.child("pattern"),
                    Value::from(p.as_str()),
                    format!(
                        "must be a valid regular expression, but isn't: {}",
                        first_line(&e.to_string())
                    ),
                ));
                None
            }
        };
        node.pattern = Some(Pattern { source: p, regex });
    }
    node.maximum = get_f64(m, "maximum", path, out);
    node.minimum = get_f64(m, "minimum", path, out);
    node.exclusive_maximum = get_bool(m, "exclusiveMaximum", path, out);
    node.exclusive_minimum = get_bool(m, "exclusiveMinimum", path, out);
    node.multiple_of = get_f64(m, "multipleOf", path, out);
    node.max_length = get_i64(m, "maxLength", path, out);
    node.min_length = get_i64(m, "minLength", path, out);
    node.max_items = get_i64(m, "maxItems", path, out);
    node.min_items = get_i64(m, "minItems", path, out);
    node.max_properties = get_i64(m, "maxProperties", path, out);
    node.min_properties = get_i64(m, "minProperties", path, out);
    node.unique_items = get_bool(m, "uniqueItems", path, out);

    check_standard(m, &type_name, node.embedded, path, scope, out);

    if node.unique_items {
        out.schema.push(FieldError::forbidden(
            path.child("uniqueItems"),
            "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
        ));
    }

    // `additionalProperties`
    let properties_raw = m.get("properties").and_then(Value::as_object);
    match m.get("additionalProperties") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => {
            if !*b && properties_raw.is_some_and(|p| !p.is_empty()) {
                out.schema.push(FieldError::forbidden(
                    path.child("additionalProperties"),
                    "additionalProperties and properties are mutual exclusive",
                ));
            }
            node.additional = Some(Additional::Bool(*b));
        }
        Some(schema @ Value::Object(_)) => {
            if properties_raw.is_some_and(|p| !p.is_empty()) {
                out.schema.push(FieldError::forbidden(
                    path.child("additionalProperties"),
                    "additionalProperties and properties are mutual exclusive",
                ));
            }
            let sub = if scope.inside_resource_meta {
                scope.forbid_defaults("inside additionalProperties applying to object metadata")
            } else {
                scope.clone()
            };
            let child = parse(
                schema,
                &path.child("additionalProperties"),
                &sub,
                false,
                spine,
                out,
            );
            node.additional = Some(Additional::Schema(Box::new(child)));
        }
        Some(other) => out.schema.push(FieldError::invalid(
            path.child("additionalProperties"),
            other.clone(),
            "must be a boolean or a schema",
        )),
    }

    // `properties`
    let map_type = get_str(m, "x-kubernetes-map-type", path, out);
    let map_correlatable = matches!(
        map_type.as_deref(),
        None | Some("granular") | Some("atomic")
    );
    if let Some(props) = m.get("properties") {
        match props {
            Value::Object(props) => {
                let mut parsed = BTreeMap::new();
                for (name, schema) in props {
                    let mut sub = scope.clone();
                    if !map_correlatable {
                        sub = sub.forbid_old_self(path);
                    }
                    if (is_root || node.embedded)
                        && matches!(name.as_str(), "metadata" | "kind" | "apiVersion")
                    {
                        sub.inside_resource_meta = true;
                        if is_root {
                            sub = sub.forbid_defaults(&format!("in top-level {name}"));
                        }
                    }
                    let child = parse(
                        schema,
                        &path.child("properties").key(name),
                        &sub,
                        false,
                        spine,
                        out,
                    );
                    parsed.insert(name.clone(), child);
                }
                node.properties = parsed;
            }
            Value::Null => {}
            other => out.schema.push(FieldError::invalid(
                path.child("properties"),
                other.clone(),
                "must be a map of schemas",
            )),
        }
    }

    // Value-validation branches: same scope, never on the structural spine.
    if let Some(not) = m.get("not").filter(|v| !v.is_null()) {
        node.not = Some(Box::new(parse(
            not,
            &path.child("not"),
            scope,
            false,
            false,
            out,
        )));
    }
    node.all_of = parse_list(m, "allOf", path, scope, out);
    node.one_of = parse_list(m, "oneOf", path, scope, out);
    node.any_of = parse_list(m, "anyOf", path, scope, out);

    // `items`
    let list_type = get_str(m, "x-kubernetes-list-type", path, out);
    match m.get("items") {
        None | Some(Value::Null) => {}
        Some(items @ Value::Object(_)) => {
            let sub = if list_type.as_deref() != Some("map") {
                scope.forbid_old_self(path)
            } else {
                scope.clone()
            };
            node.items = Some(Box::new(parse(
                items,
                &path.child("items"),
                &sub,
                false,
                spine,
                out,
            )));
        }
        Some(Value::Array(_)) => {} // reported by `check_standard`
        Some(other) => out.schema.push(FieldError::invalid(
            path.child("items"),
            other.clone(),
            "must be a schema",
        )),
    }

    // Map and list types.
    node.map_type = map_type.clone();
    if let Some(mt) = &map_type {
        if type_name != "object" {
            if type_name.is_empty() {
                out.schema.push(FieldError::required(
                    path.child("type"),
                    "must be object if x-kubernetes-map-type is specified",
                ));
            } else {
                out.schema.push(FieldError::invalid(
                    path.child("type"),
                    Value::from(type_name.as_str()),
                    "must be object if x-kubernetes-map-type is specified",
                ));
            }
        }
        if mt != "atomic" && mt != "granular" {
            out.schema.push(FieldError::not_supported(
                path.child("x-kubernetes-map-type"),
                Value::from(mt.as_str()),
                &["atomic", "granular"],
            ));
        }
        node.map_atomic = mt == "atomic";
    }
    let keys = get_string_list(m, "x-kubernetes-list-map-keys", path, out);
    check_list_type(m, &type_name, list_type.as_deref(), &keys, path, out);
    node.list_type = match list_type.as_deref() {
        Some("set") => Some(ListType::Set),
        Some("map") => Some(ListType::Map(keys)),
        Some("atomic") => Some(ListType::Atomic),
        _ => None,
    };

    // `x-kubernetes-validations`
    if let Some(rules) = m.get("x-kubernetes-validations").filter(|v| !v.is_null()) {
        let context = RuleContext {
            path,
            uncorrelatable: scope.uncorrelatable.as_ref(),
            compile: scope.cel && spine && out.schema.len() == errors_before,
            resource_root: is_root || node.embedded,
        };
        node.rules = cel::compile_rules(rules, &node, &context, out);
    }
    node.has_rules_below = !node.rules.is_empty()
        || node.properties.values().any(|p| p.has_rules_below)
        || node.items.as_ref().is_some_and(|i| i.has_rules_below)
        || node.additional_schema().is_some_and(|a| a.has_rules_below);
    node
}

fn parse_list(
    m: &Map<String, Value>,
    key: &str,
    path: &FieldPath,
    scope: &Scope,
    out: &mut Collected,
) -> Vec<Node> {
    match m.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, s)| parse(s, &path.child(key).index(i), scope, false, false, out))
            .collect(),
        Some(other) => {
            out.schema.push(FieldError::invalid(
                path.child(key),
                other.clone(),
                "must be a list of schemas",
            ));
            Vec::new()
        }
    }
}

/// `specStandardValidatorV3.validate`: keywords CRDs do not support.
fn check_standard(
    m: &Map<String, Value>,
    type_name: &str,
    embedded: bool,
    path: &FieldPath,
    scope: &Scope,
    out: &mut Collected,
) {
    if m.get("default").is_some_and(|d| !d.is_null()) && !scope.allow_defaults {
        let mut detail = "must not be set".to_string();
        if !scope.disallow_defaults_reason.is_empty() {
            detail.push(' ');
            detail.push_str(&scope.disallow_defaults_reason);
        }
        out.schema
            .push(FieldError::forbidden(path.child("default"), detail));
    }
    let present = |k: &str| {
        m.get(k)
            .is_some_and(|v| !v.is_null() && v != &Value::String(String::new()))
    };
    if present("id") {
        out.schema.push(FieldError::forbidden(
            path.child("id"),
            "id is not supported",
        ));
    }
    if present("additionalItems") {
        out.schema.push(FieldError::forbidden(
            path.child("additionalItems"),
            "additionalItems is not supported",
        ));
    }
    if m.get("patternProperties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
    {
        out.schema.push(FieldError::forbidden(
            path.child("patternProperties"),
            "patternProperties is not supported",
        ));
    }
    if m.get("definitions")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
    {
        out.schema.push(FieldError::forbidden(
            path.child("definitions"),
            "definitions is not supported",
        ));
    }
    if present("dependencies") {
        out.schema.push(FieldError::forbidden(
            path.child("dependencies"),
            "dependencies is not supported",
        ));
    }
    if present("$ref") {
        out.schema.push(FieldError::forbidden(
            path.child("$ref"),
            "$ref is not supported",
        ));
    }
    if type_name == "null" {
        out.schema.push(FieldError::forbidden(
            path.child("type"),
            "type cannot be set to null, use nullable as an alternative",
        ));
    }
    if matches!(m.get("items"), Some(Value::Array(a)) if !a.is_empty()) {
        out.schema.push(FieldError::forbidden(
            path.child("items"),
            "items must be a schema object and not an array",
        ));
    }
    if scope.inside_resource_meta && embedded {
        out.schema.push(FieldError::forbidden(
            path.child("x-kubernetes-embedded-resource"),
            "must not be used inside of resource meta",
        ));
    }
}

/// The `x-kubernetes-list-type` / `x-kubernetes-list-map-keys` rules.
fn check_list_type(
    m: &Map<String, Value>,
    type_name: &str,
    list_type: Option<&str>,
    keys: &[String],
    path: &FieldPath,
    out: &mut Collected,
) {
    let items = m.get("items").and_then(Value::as_object);
    let item_type = items
        .and_then(|i| i.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Some(lt) = list_type {
        if type_name != "array" {
            if type_name.is_empty() {
                out.schema.push(FieldError::required(
                    path.child("type"),
                    "must be array if x-kubernetes-list-type is specified",
                ));
            } else {
                out.schema.push(FieldError::invalid(
                    path.child("type"),
                    Value::from(type_name),
                    "must be array if x-kubernetes-list-type is specified",
                ));
            }
        } else if lt == "set"
            && let Some(items) = items
        {
            match item_type {
                "array" => {
                    if let Some(inner) = items.get("x-kubernetes-list-type").and_then(Value::as_str)
                        && inner != "atomic"
                    {
                        out.schema.push(FieldError::invalid(
                            path.child("items").child("x-kubernetes-list-type"),
                            Value::from(inner),
                            "must be atomic as item of a list with x-kubernetes-list-type=set",
                        ));
                    }
                }
                "object" => {
                    let inner = items.get("x-kubernetes-map-type").and_then(Value::as_str);
                    if inner != Some("atomic") {
                        out.schema.push(FieldError::invalid(
                            path.child("items").child("x-kubernetes-map-type"),
                            inner.map(Value::from).unwrap_or(Value::Null),
                            "must be atomic as item of a list with x-kubernetes-list-type=set",
                        ));
                    }
                }
                _ => {}
            }
        }
        if lt != "atomic" && lt != "set" && lt != "map" {
            out.schema.push(FieldError::not_supported(
                path.child("x-kubernetes-list-type"),
                Value::from(lt),
                &["atomic", "set", "map"],
            ));
        }
    }
    if !keys.is_empty() {
        match list_type {
            None => out.schema.push(FieldError::required(
                path.child("x-kubernetes-list-type"),
                "must be map if x-kubernetes-list-map-keys is non-empty",
            )),
            Some("map") => {}
            Some(other) => out.schema.push(FieldError::invalid(
                path.child("x-kubernetes-list-type"),
                Value::from(other),
                "must be map if x-kubernetes-list-map-keys is non-empty",
            )),
        }
    }
    let keys_value = || Value::Array(keys.iter().map(|k| Value::from(k.as_str())).collect());
    if list_type == Some("map") {
        if keys.is_empty() {
            out.schema.push(FieldError::required(
                path.child("x-kubernetes-list-map-keys"),
                "must not be empty if x-kubernetes-list-type is map",
            ));
        }
        match items {
            None => out.schema.push(FieldError::required(
                path.child("items"),
                "must have a schema if x-kubernetes-list-type is map",
            )),
            Some(_) if item_type != "object" => out.schema.push(FieldError::invalid(
                path.child("items").child("type"),
                Value::from(item_type),
                "must be object if parent array's x-kubernetes-list-type is map",
            )),
            Some(items) => {
                let props = items.get("properties").and_then(Value::as_object);
                let mut seen: Vec<&str> = Vec::new();
                for k in keys {
                    match props.and_then(|p| p.get(k)) {
                        Some(prop) => {
                            let t = prop.get("type").and_then(Value::as_str).unwrap_or("");
                            if t == "array" || t == "object" {
                                out.schema.push(FieldError::invalid(
                                    path.child("items").child("properties").key(k).child("type"),
                                    Value::from(item_type),
                                    "must be a scalar type if parent array's x-kubernetes-list-type is map",
                                ));
                            }
                        }
                        None => out.schema.push(FieldError::invalid(
                            path.child("x-kubernetes-list-map-keys"),
                            keys_value(),
                            "entries must all be names of item properties",
                        )),
                    }
                    if seen.contains(&k.as_str()) {
                        out.schema.push(FieldError::invalid(
                            path.child("x-kubernetes-list-map-keys"),
                            keys_value(),
                            "must not contain duplicate entries",
                        ));
                    }
                    seen.push(k);
                }
            }
        }
    }
    // Map and set items may not be nullable; map keys must be required or defaulted.
    if let (Some(lt @ ("set" | "map")), Some(items)) = (list_type, items) {
        if items.get("nullable").and_then(Value::as_bool) == Some(true) {
            out.schema.push(FieldError::forbidden(
                path.child("items").child("nullable"),
                format!("cannot be nullable when x-kubernetes-list-type is {lt}"),
            ));
        }
        if lt == "map" {
            let required: Vec<&str> = items
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let props = items.get("properties").and_then(Value::as_object);
            for k in keys {
                let Some(prop) = props.and_then(|p| p.get(k)) else {
                    continue;
                };
                let has_default = prop.get("default").is_some_and(|d| !d.is_null());
                if !required.contains(&k.as_str()) && !has_default {
                    out.schema.push(FieldError::required(
                        path.child("items").child("properties").key(k).child("default"),
                        "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
                    ));
                }
                if prop.get("nullable").and_then(Value::as_bool) == Some(true) {
                    out.schema.push(FieldError::forbidden(
                        path.child("items")
                            .child("properties")
                            .key(k)
                            .child("nullable"),
                        "this property is in x-kubernetes-list-map-keys, so it cannot be nullable",
                    ));
                }
            }
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn get_bool(m: &Map<String, Value>, key: &str, path: &FieldPath, out: &mut Collected) -> bool {
    match m.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            out.schema.push(FieldError::invalid(
                path.child(key),
                other.clone(),
                "must be a boolean",
            ));
            false
        }
    }
}

fn get_str(
    m: &Map<String, Value>,
    key: &str,
    path: &FieldPath,
    out: &mut Collected,
) -> Option<String> {
    match m.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            out.schema.push(FieldError::invalid(
                path.child(key),
                other.clone(),
                "must be a string",
            ));
            None
        }
    }
}

fn get_f64(
    m: &Map<String, Value>,
    key: &str,
    path: &FieldPath,
    out: &mut Collected,
) -> Option<f64> {
    match m.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(other) => {
            out.schema.push(FieldError::invalid(
                path.child(key),
                other.clone(),
                "must be a number",
            ));
            None
        }
    }
}

fn get_i64(
    m: &Map<String, Value>,
    key: &str,
    path: &FieldPath,
    out: &mut Collected,
) -> Option<i64> {
    match m.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(other) => {
            out.schema.push(FieldError::invalid(
                path.child(key),
                other.clone(),
                "must be an integer",
            ));
            None
        }
    }
}

fn get_string_list(
    m: &Map<String, Value>,
    key: &str,
    path: &FieldPath,
    out: &mut Collected,
) -> Vec<String> {
    match m.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(other) => {
            out.schema.push(FieldError::invalid(
                path.child(key),
                other.clone(),
                "must be a list of strings",
            ));
            Vec::new()
        }
    }
}
