//! Custom resources: the resource types a CRD serves, and their strategy.

use std::sync::Arc;

use serde_json::Value;

use super::columns::{Column, age_of, meta_field_label, name_cell};
use super::{ALL_VERBS, Ctx, Decoded, ResourceType, Strategy};
use crate::field::{FieldError, FieldPath};
use crate::jsonpath::JsonPath;
use crate::meta::ObjectExt;
use crate::meta::validate::check_meta_types;
use crate::schema::Structural;
use crate::shape::Shape;
use crate::status::{GroupResource, StatusError};

/// One `additionalPrinterColumns` entry.
#[derive(Debug, Clone)]
pub struct PrinterColumn {
    /// The column.
    pub column: Column,
    /// Where its value is read.
    pub path: JsonPath,
}

/// The rules for one served version of a CRD.
pub struct CustomStrategy {
    /// `group/version` served.
    pub api_version: String,
    /// `group/version` stored.
    pub storage_api_version: String,
    /// Kind.
    pub kind: String,
    /// Whether `/status` is a subresource.
    pub status_subresource: bool,
    /// Printer columns (an Age column when the CRD declares none).
    pub columns: Vec<PrinterColumn>,
    /// `selectableFields`, as field-selector labels (`spec.issuerRef.name`) and paths.
    pub selectable: Vec<(String, JsonPath)>,
    /// The compiled schema of this version.
    pub schema: Option<Arc<Structural>>,
}

impl Strategy for CustomStrategy {
    fn decode(&self, mut obj: Value) -> Result<Decoded, StatusError> {
        if !obj.is_object() {
            return Err(StatusError::bad_request(
                "Object 'Kind' is missing in the request body",
            ));
        }
        check_meta_types(&obj).map_err(StatusError::bad_request)?;
        let unknown_fields = match &self.schema {
            Some(schema) => schema.prune(&mut obj),
            None => Vec::new(),
        };
        Ok(Decoded {
            object: obj,
            unknown_fields,
        })
    }

    fn apply_defaults(&self, obj: &mut Value) {
        if let Some(schema) = &self.schema {
            schema.apply_defaults(obj);
        }
    }

    fn prepare_create(&self, obj: &mut Value, _ctx: &Ctx) {
        if self.status_subresource
            && let Some(map) = obj.as_object_mut()
        {
            map.remove("status");
        }
    }

    fn prepare_update(&self, new: &mut Value, old: &Value, _ctx: &Ctx) {
        if self.status_subresource
            && let Some(map) = new.as_object_mut()
        {
            match old.get("status") {
                Some(status) => {
                    map.insert("status".into(), status.clone());
                }
                None => {
                    map.remove("status");
                }
            }
        }
    }

    fn validate(&self, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
        match &self.schema {
            Some(schema) => schema.validate(obj, old),
            None => Vec::new(),
        }
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    fn has_status(&self) -> bool {
        self.status_subresource
    }

    fn allow_unconditional_update(&self) -> bool {
        false
    }

    fn supports_strategic_merge(&self) -> bool {
        false
    }

    fn columns(&self) -> Vec<Column> {
        let mut cols = vec![Column::name_column()];
        cols.extend(self.columns.iter().map(|c| c.column.clone()));
        cols
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        let mut cells = vec![name_cell(obj)];
        for c in &self.columns {
            let cell = match c.path.first(obj) {
                None | Some(Value::Null) => Value::Null,
                Some(v) => match c.column.type_.as_str() {
                    // As the API server's CRD table convertor: dates print as ages (on
                    // the cluster clock, so virtual time shows sensible ages too).
                    "date" => age_of(v.as_str(), ctx),
                    "integer" | "number" | "boolean" => v.clone(),
                    _ => match v {
                        Value::String(_) => v.clone(),
                        other => Value::from(other.to_string()),
                    },
                },
            };
            cells.push(cell);
        }
        cells
    }

    fn field_label(&self, obj: &Value, label: &str) -> Option<String> {
        if let Some((_, path)) = self.selectable.iter().find(|(name, _)| name == label) {
            return Some(
                path.first(obj)
                    .map(crate::jsonpath::render)
                    .unwrap_or_default(),
            );
        }
        meta_field_label(obj, label)
    }

    fn openapi_schema(&self) -> Option<Value> {
        self.schema.as_ref().map(|s| s.openapi_schema())
    }

    fn to_storage(&self, mut obj: Value) -> Value {
        if let Some(map) = obj.as_object_mut() {
            map.insert(
                "apiVersion".into(),
                Value::from(self.storage_api_version.as_str()),
            );
        }
        obj
    }

    fn to_served(&self, obj: &Value) -> Value {
        let mut obj = obj.clone();
        if let Some(map) = obj.as_object_mut() {
            map.insert("apiVersion".into(), Value::from(self.api_version.as_str()));
        }
        obj
    }

    fn converts(&self) -> bool {
        self.api_version != self.storage_api_version
    }
}

/// The resource types a CRD object serves (one per served version, preferred first),
/// or nothing when it is not established.
pub fn types_for(crd: &Value) -> Vec<ResourceType> {
    let Some(spec) = crd.get("spec") else {
        return Vec::new();
    };
    let group = spec.str_at("group").unwrap_or("").to_string();
    let names = spec.get("names").cloned().unwrap_or(Value::Null);
    let plural = names.str_at("plural").unwrap_or("").to_string();
    let kind = names.str_at("kind").unwrap_or("").to_string();
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let storage_version = versions
        .iter()
        .find(|v| v.get("storage") == Some(&Value::Bool(true)))
        .and_then(|v| v.str_at("name"))
        .unwrap_or("")
        .to_string();
    let mut served: Vec<&Value> = versions
        .iter()
        .filter(|v| v.get("served") == Some(&Value::Bool(true)))
        .collect();
    served.sort_by(|a, b| {
        super::version_priority(b.str_at("name").unwrap_or(""))
            .cmp(&super::version_priority(a.str_at("name").unwrap_or("")))
    });
    served
        .into_iter()
        .map(|v| {
            let version = v.str_at("name").unwrap_or("").to_string();
            let mut columns: Vec<PrinterColumn> = v
                .get("additionalPrinterColumns")
                .and_then(Value::as_array)
                .map(|cols| {
                    cols.iter()
                        .filter_map(|c| {
                            let path = JsonPath::parse(c.str_at("jsonPath")?).ok()?;
                            let mut column = Column::new(
                                c.str_at("name")?,
                                c.str_at("type").unwrap_or("string"),
                                c.str_at("description").unwrap_or(""),
                            );
                            column.format = c.str_at("format").unwrap_or("").to_string();
                            column.priority =
                                c.get("priority").and_then(Value::as_i64).unwrap_or(0) as i32;
                            Some(PrinterColumn { column, path })
                        })
                        .collect()
                })
                .unwrap_or_default();
            if columns.is_empty() {
                columns.push(PrinterColumn {
                    column: Column::new("Age", "date", ""),
                    path: JsonPath::parse(".metadata.creationTimestamp")
                        .unwrap_or_else(|_| unreachable!("constant path")),
                });
            }
            let selectable = v
                .get("selectableFields")
                .and_then(Value::as_array)
                .map(|f| {
                    f.iter()
                        .filter_map(|s| {
                            let jp = s.str_at("jsonPath")?;
                            Some((
                                jp.trim_start_matches('.').to_string(),
                                JsonPath::parse(jp).ok()?,
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let schema = v
                .pointer("/schema/openAPIV3Schema")
                .and_then(|s| Structural::compile(s, &FieldPath::new("openAPIV3Schema")).ok())
                .map(Arc::new);
            let shape = Arc::new(crate::fieldmanager::rooted_shape(
                &schema.as_ref().map_or(Shape::Deduced, |s| s.shape()),
            ));
            let strategy = CustomStrategy {
                api_version: format!("{group}/{version}"),
                storage_api_version: format!("{group}/{storage_version}"),
                kind: kind.clone(),
                status_subresource: v
                    .pointer("/subresources/status")
                    .is_some_and(|s| !s.is_null()),
                columns,
                selectable,
                schema,
            };
            ResourceType {
                group: group.clone(),
                version,
                kind: kind.clone(),
                list_kind: names
                    .str_at("listKind")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{kind}List")),
                plural: plural.clone(),
                singular: names
                    .str_at("singular")
                    .map(str::to_string)
                    .unwrap_or_else(|| kind.to_lowercase()),
                short_names: strings(names.get("shortNames")),
                categories: strings(names.get("categories")),
                namespaced: spec.str_at("scope") == Some("Namespaced"),
                storage: GroupResource::new(&group, &plural),
                verbs: ALL_VERBS,
                custom: true,
                shape,
                strategy: Arc::new(strategy),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::SystemTime;

    #[test]
    fn served_versions_become_types() {
        let crd = json!({"spec": {"group": "cert-manager.io", "scope": "Namespaced",
            "names": {"plural": "certificates", "kind": "Certificate", "listKind": "CertificateList", "singular": "certificate", "shortNames": ["cert", "certs"], "categories": ["cert-manager"]},
            "versions": [
                {"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                 "additionalPrinterColumns": [
                    {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
                    {"name": "Secret", "type": "string", "jsonPath": ".spec.secretName"},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
                 "selectableFields": [{"jsonPath": ".spec.issuerRef.name"}]},
                {"name": "v1alpha2", "served": true, "storage": false},
                {"name": "v1alpha1", "served": false, "storage": false}]}});
        let types = types_for(&crd);
        assert_eq!(types.len(), 2);
        assert_eq!(types[0].version, "v1");
        assert_eq!(types[0].short_names, ["cert", "certs"]);
        assert!(types[0].strategy.has_status());
        assert!(!types[1].strategy.has_status());
        let cert = json!({"apiVersion": "cert-manager.io/v1", "metadata": {"name": "web", "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"secretName": "web-tls", "issuerRef": {"name": "ca"}}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        let row = types[0].strategy.row(
            &cert,
            &Ctx {
                now: SystemTime::now(),
            },
        );
        assert_eq!(&row[..3], &[json!("web"), json!("True"), json!("web-tls")]);
        assert!(
            row[3].as_str().unwrap().ends_with('d'),
            "an age: {}",
            row[3]
        );
        assert_eq!(
            types[0]
                .strategy
                .field_label(&cert, "spec.issuerRef.name")
                .as_deref(),
            Some("ca")
        );
        assert_eq!(
            types[1].strategy.to_served(&cert)["apiVersion"],
            "cert-manager.io/v1alpha2"
        );
        assert_eq!(
            types[1].strategy.columns().len(),
            2,
            "NAME and the default AGE"
        );
    }
}
