//! apiextensions.k8s.io/v1 CustomResourceDefinition: decoding, defaults and the
//! validation the API server applies before a CRD is accepted. What a CRD *serves*
//! is built in `registry::custom`; its status is kept by `controllers::crd`.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::{Map, Value, json};

use super::{default_field, typed};
use crate::field::{FieldError, FieldPath};
use crate::meta::ObjectExt;
use crate::meta::names::{dns1035_label, dns1123_label, dns1123_subdomain};
use crate::registry::columns::{Column, name_cell};
use crate::registry::{Ctx, Decoded, Strategy};
use crate::status::StatusError;

const SCOPES: &[&str] = &["Cluster", "Namespaced"];
const COLUMN_TYPES: &[&str] = &["integer", "number", "string", "boolean", "date"];
/// The finalizer that holds a CRD until its custom resources are gone.
pub const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

/// The CRD kind's rules.
pub struct CrdStrategy;

impl Strategy for CrdStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<CustomResourceDefinition>(
            obj,
            "CustomResourceDefinition",
            "apiextensions.k8s.io/v1",
        )
    }

    fn apply_defaults(&self, obj: &mut Value) {
        let Some(spec) = super::object_at(obj, "spec") else {
            return;
        };
        if let Some(names) = spec.get_mut("names").and_then(Value::as_object_mut) {
            let kind = names
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if !kind.is_empty() {
                default_field(names, "listKind", json!(format!("{kind}List")));
                default_field(names, "singular", json!(kind.to_lowercase()));
            }
        }
        default_field(spec, "conversion", json!({"strategy": "None"}));
    }

    fn prepare_create(&self, obj: &mut Value, _ctx: &Ctx) {
        if let Some(map) = obj.as_object_mut() {
            map.insert("status".into(), json!({}));
        }
        let meta = obj.metadata_mut();
        let finalizers = meta.entry("finalizers").or_insert_with(|| json!([]));
        if let Some(list) = finalizers.as_array_mut()
            && !list.iter().any(|f| f == CLEANUP_FINALIZER)
        {
            list.push(Value::from(CLEANUP_FINALIZER));
        }
    }

    fn prepare_update(&self, new: &mut Value, old: &Value, _ctx: &Ctx) {
        if let (Some(map), Some(status)) = (new.as_object_mut(), old.get("status")) {
            map.insert("status".into(), status.clone());
        }
    }

    fn validate(&self, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
        validate_crd(obj, old)
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    fn has_status(&self) -> bool {
        true
    }

    fn columns(&self) -> Vec<Column> {
        vec![Column::name_column(), Column::new("Created At", "date", "")]
    }

    fn row(&self, obj: &Value, _ctx: &Ctx) -> Vec<Value> {
        vec![
            name_cell(obj),
            Value::from(obj.meta_str("creationTimestamp").unwrap_or("")),
        ]
    }
}

fn validate_crd(obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let empty = Map::new();
    let spec = obj.get("spec").and_then(Value::as_object).unwrap_or(&empty);
    let path = FieldPath::new("spec");
    let group = spec.get("group").and_then(Value::as_str).unwrap_or("");
    let names = spec
        .get("names")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let npath = path.child("names");
    let plural = names.get("plural").and_then(Value::as_str).unwrap_or("");
    let name = obj.name().unwrap_or("");

    if name != format!("{plural}.{group}") {
        errs.push(FieldError::invalid(
            "metadata.name",
            Value::from(name),
            "must be spec.names.plural+\".\"+spec.group",
        ));
    }
    if group.is_empty() {
        errs.push(FieldError::required(path.child("group"), ""));
    } else {
        for msg in dns1123_subdomain(group) {
            errs.push(FieldError::invalid(
                path.child("group"),
                Value::from(group),
                msg,
            ));
        }
        if !group.contains('.') {
            errs.push(FieldError::invalid(
                path.child("group"),
                Value::from(group),
                "should be a domain with at least one dot",
            ));
        }
    }
    match spec.get("scope").and_then(Value::as_str) {
        None | Some("") => errs.push(FieldError::required(path.child("scope"), "")),
        Some(s) if !SCOPES.contains(&s) => errs.push(FieldError::not_supported(
            path.child("scope"),
            Value::from(s),
            SCOPES,
        )),
        _ => {}
    }
    for field in ["plural", "singular"] {
        let v = names.get(field).and_then(Value::as_str).unwrap_or("");
        if v.is_empty() {
            if field == "plural" {
                errs.push(FieldError::required(npath.child(field), ""));
            }
        } else {
            for msg in dns1035_label(v) {
                errs.push(FieldError::invalid(npath.child(field), Value::from(v), msg));
            }
        }
    }
    for (i, short) in names
        .get("shortNames")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let s = short.as_str().unwrap_or("");
        for msg in dns1035_label(s) {
            errs.push(FieldError::invalid(
                npath.child("shortNames").index(i),
                Value::from(s),
                msg,
            ));
        }
    }
    for field in ["kind", "listKind"] {
        let v = names.get(field).and_then(Value::as_str).unwrap_or("");
        if v.is_empty() {
            errs.push(FieldError::required(npath.child(field), ""));
        } else if dns1035_label(&v.to_lowercase())
            .into_iter()
            .next()
            .is_some()
        {
            errs.push(FieldError::invalid(
                npath.child(field),
                Value::from(v),
                "may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?",
            ));
        }
    }
    if let (Some(kind), Some(list_kind)) = (names.get("kind"), names.get("listKind"))
        && kind == list_kind
    {
        errs.push(FieldError::invalid(
            npath.child("listKind"),
            list_kind.clone(),
            "kind and listKind may not be the same",
        ));
    }
    for (i, c) in names
        .get("categories")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let s = c.as_str().unwrap_or("");
        for msg in dns1123_label(s) {
            errs.push(FieldError::invalid(
                npath.child("categories").index(i),
                Value::from(s),
                msg,
            ));
        }
    }

    validate_versions(spec, &path, &mut errs);

    if let Some(strategy) = spec
        .get("conversion")
        .and_then(|c| c.get("strategy"))
        .and_then(Value::as_str)
        && strategy != "None"
    {
        errs.push(FieldError::not_supported(
            path.child("conversion").child("strategy"),
            Value::from(strategy),
            &["None"],
        ));
    }

    if let Some(old) = old {
        let old_spec = old.get("spec");
        for (field, p) in [
            ("group", path.child("group")),
            ("scope", path.child("scope")),
        ] {
            let before = old_spec.and_then(|s| s.get(field));
            let after = spec.get(field);
            if before != after {
                errs.push(FieldError::invalid(
                    p,
                    after.cloned().unwrap_or(Value::Null),
                    "field is immutable",
                ));
            }
        }
        let old_plural = old_spec.and_then(|s| s.pointer("/names/plural"));
        if old_plural != names.get("plural") {
            errs.push(FieldError::invalid(
                npath.child("plural"),
                names.get("plural").cloned().unwrap_or(Value::Null),
                "field is immutable",
            ));
        }
    }
    errs
}

fn validate_versions(spec: &Map<String, Value>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let vpath = path.child("versions");
    let versions = spec.get("versions").and_then(Value::as_array);
    let Some(versions) = versions.filter(|v| !v.is_empty()) else {
        errs.push(FieldError::invalid(
            vpath,
            Value::Null,
            "must have exactly one version marked as storage version",
        ));
        return;
    };
    let storage = versions
        .iter()
        .filter(|v| v.get("storage") == Some(&Value::Bool(true)))
        .count();
    if storage != 1 {
        errs.push(FieldError::invalid(
            vpath.clone(),
            Value::Array(versions.clone()),
            "must have exactly one version marked as storage version",
        ));
    }
    if !versions
        .iter()
        .any(|v| v.get("served") == Some(&Value::Bool(true)))
    {
        errs.push(FieldError::invalid(
            vpath.clone(),
            Value::Array(versions.clone()),
            "must have at least one served version",
        ));
    }
    let mut seen = Vec::new();
    for (i, version) in versions.iter().enumerate() {
        let p = vpath.index(i);
        let name = version.str_at("name").unwrap_or("");
        if name.is_empty() {
            errs.push(FieldError::required(p.child("name"), ""));
        } else {
            for msg in dns1035_label(name) {
                errs.push(FieldError::invalid(p.child("name"), Value::from(name), msg));
            }
            if seen.contains(&name) {
                errs.push(FieldError::invalid(
                    vpath.clone(),
                    Value::from(name),
                    "must contain unique version names",
                ));
            }
            seen.push(name);
        }
        match version
            .pointer("/schema/openAPIV3Schema")
            .filter(|s| !s.is_null())
        {
            None => errs.push(FieldError::required(
                p.child("schema").child("openAPIV3Schema"),
                "schemas are required",
            )),
            Some(schema) => {
                if let Err(schema_errs) = crate::schema::Structural::compile(
                    schema,
                    &p.child("schema").child("openAPIV3Schema"),
                ) {
                    errs.extend(schema_errs);
                }
            }
        }
        for (j, column) in version
            .get("additionalPrinterColumns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let cp = p.child("additionalPrinterColumns").index(j);
            for field in ["name", "jsonPath"] {
                if column.str_at(field).is_none_or(str::is_empty) {
                    errs.push(FieldError::required(cp.child(field), ""));
                }
            }
            match column.str_at("type") {
                None | Some("") => errs.push(FieldError::required(cp.child("type"), "")),
                Some(t) if !COLUMN_TYPES.contains(&t) => errs.push(FieldError::not_supported(
                    cp.child("type"),
                    Value::from(t),
                    COLUMN_TYPES,
                )),
                _ => {}
            }
            if let Some(jp) = column.str_at("jsonPath")
                && !jp.is_empty()
                && crate::jsonpath::JsonPath::parse(jp).is_err()
            {
                errs.push(FieldError::invalid(
                    cp.child("jsonPath"),
                    Value::from(jp),
                    "must be a simple json path",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd() -> Value {
        json!({"metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget", "listKind": "WidgetList", "singular": "widget"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object"}}}]}})
    }

    #[test]
    fn a_good_crd_passes() {
        assert!(
            validate_crd(&crd(), None).is_empty(),
            "{:?}",
            validate_crd(&crd(), None)
        );
    }

    #[test]
    fn common_mistakes_are_reported() {
        let mut bad = crd();
        bad["metadata"]["name"] = json!("widget.example.com");
        bad["spec"]["group"] = json!("example");
        bad["spec"]["versions"][0]["storage"] = json!(false);
        bad["spec"]["versions"][0]["additionalPrinterColumns"] =
            json!([{"name": "X", "type": "float", "jsonPath": ".spec.x"}]);
        let msgs: Vec<String> = validate_crd(&bad, None)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(msgs.contains(&"metadata.name: Invalid value: \"widget.example.com\": must be spec.names.plural+\".\"+spec.group".to_string()), "{msgs:?}");
        assert!(
            msgs.contains(
                &"spec.group: Invalid value: \"example\": should be a domain with at least one dot"
                    .to_string()
            ),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.ends_with("must have exactly one version marked as storage version")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with(
                "spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: \"float\""
            )),
            "{msgs:?}"
        );
    }
}
