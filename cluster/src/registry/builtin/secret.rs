//! core/v1 Secret.

use base64::Engine;
use k8s_openapi::api::core::v1::Secret;
use serde_json::{Map, Value};

use super::config::{MAX_DATA_SIZE, validate_keys};
use super::typed;
use crate::field::{FieldError, FieldPath};
use crate::meta::ObjectExt;
use crate::registry::columns::{Column, age_cell, meta_field_label, name_cell};
use crate::registry::{Ctx, Decoded, Strategy};
use crate::status::StatusError;

pub(crate) struct SecretStrategy;

/// Keys a Secret of a given type must carry.
fn required_keys(secret_type: &str) -> &'static [&'static str] {
    match secret_type {
        "kubernetes.io/tls" => &["tls.crt", "tls.key"],
        "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
        "kubernetes.io/dockercfg" => &[".dockercfg"],
        "kubernetes.io/ssh-auth" => &["ssh-privatekey"],
        _ => &[],
    }
}

impl Strategy for SecretStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<Secret>(obj, "Secret", "v1")
    }

    fn apply_defaults(&self, obj: &mut Value) {
        let Some(map) = obj.as_object_mut() else {
            return;
        };
        // stringData is write-only: it is merged into data and never stored.
        if let Some(Value::Object(string_data)) = map.remove("stringData") {
            let data = map
                .entry("data")
                .or_insert_with(|| Value::Object(Map::new()));
            if !data.is_object() {
                *data = Value::Object(Map::new());
            }
            if let Some(data) = data.as_object_mut() {
                for (k, v) in string_data {
                    let text = v.as_str().unwrap_or_default();
                    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
                    data.insert(k, Value::String(encoded));
                }
            }
        }
        match map.get("type") {
            Some(Value::String(t)) if !t.is_empty() => {}
            _ => {
                map.insert("type".into(), Value::from("Opaque"));
            }
        }
    }

    fn validate(&self, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let data = obj.get("data").and_then(Value::as_object);
        let mut total = 0usize;
        if let Some(data) = data {
            validate_keys(data.keys(), &FieldPath::new("data"), &mut errs);
            for v in data.values() {
                // Stored base64; the limit is on decoded bytes.
                total = total.saturating_add(v.as_str().map_or(0, |s| s.len() / 4 * 3));
            }
        }
        if total > MAX_DATA_SIZE {
            errs.push(FieldError::too_long(
                "data",
                format!("may not be more than {MAX_DATA_SIZE} bytes"),
            ));
        }
        let secret_type = obj.get("type").and_then(Value::as_str).unwrap_or("Opaque");
        for key in required_keys(secret_type) {
            if !data.is_some_and(|d| d.contains_key(*key)) {
                errs.push(FieldError::required(FieldPath::new("data").key(key), ""));
            }
        }
        if let Some(old) = old {
            let old_type = old.get("type").and_then(Value::as_str).unwrap_or("Opaque");
            if old_type != secret_type {
                errs.push(FieldError::invalid(
                    "type",
                    Value::from(secret_type),
                    "field is immutable",
                ));
            }
            if old.get("immutable").and_then(Value::as_bool) == Some(true) {
                if obj.get("data") != old.get("data") {
                    errs.push(FieldError::forbidden(
                        "data",
                        "field is immutable when `immutable` is set",
                    ));
                }
                if obj.get("immutable").and_then(Value::as_bool) != Some(true) {
                    errs.push(FieldError::forbidden(
                        "immutable",
                        "field is immutable when `immutable` is set",
                    ));
                }
            }
        }
        errs
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::name_column(),
            Column::new("Type", "string", "The type of the secret"),
            Column::new("Data", "string", "The number of entries in the secret"),
            Column::age_column(),
        ]
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        let entries = obj
            .get("data")
            .and_then(Value::as_object)
            .map_or(0, Map::len);
        vec![
            name_cell(obj),
            Value::from(obj.str_at("type").unwrap_or("")),
            Value::from(entries),
            age_cell(obj, ctx),
        ]
    }

    fn field_label(&self, obj: &Value, label: &str) -> Option<String> {
        match label {
            "type" => Some(obj.str_at("type").unwrap_or("").to_string()),
            _ => meta_field_label(obj, label),
        }
    }
}
