//! core/v1 ConfigMap, Endpoints and ServiceAccount.

use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, ServiceAccount};
use regex::Regex;
use serde_json::{Map, Value};

use super::typed;
use crate::field::{FieldError, FieldPath};
use crate::meta::ObjectExt;
use crate::registry::columns::{Column, age_cell, name_cell};
use crate::registry::{Ctx, Decoded, Strategy};
use crate::status::StatusError;

/// The largest Secret or ConfigMap payload.
pub const MAX_DATA_SIZE: usize = 1024 * 1024;

static CONFIG_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("^[-._a-zA-Z0-9]+$").unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

/// `IsConfigMapKey`.
pub fn config_key(key: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if key.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !CONFIG_KEY.is_match(key) {
        errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".to_string());
    }
    if key == "." {
        errs.push("must not be '.'".to_string());
    } else if key == ".." {
        errs.push("must not be '..'".to_string());
    } else if key.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    errs
}

/// Validates the keys of a data map.
pub fn validate_keys<'a>(
    keys: impl Iterator<Item = &'a String>,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    for key in keys {
        for msg in config_key(key) {
            errs.push(FieldError::invalid(
                path.key(key),
                Value::from(key.as_str()),
                msg,
            ));
        }
    }
}

pub(crate) struct ConfigMapStrategy;

impl Strategy for ConfigMapStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<ConfigMap>(obj, "ConfigMap", "v1")
    }

    fn validate(&self, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let data = obj.get("data").and_then(Value::as_object);
        let binary = obj.get("binaryData").and_then(Value::as_object);
        let mut total = 0usize;
        if let Some(data) = data {
            validate_keys(data.keys(), &FieldPath::new("data"), &mut errs);
            total += data
                .iter()
                .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
                .sum::<usize>();
        }
        if let Some(binary) = binary {
            validate_keys(binary.keys(), &FieldPath::new("binaryData"), &mut errs);
            for key in binary.keys() {
                if data.is_some_and(|d| d.contains_key(key)) {
                    errs.push(FieldError::invalid(
                        FieldPath::new("data").key(key),
                        Value::from(key.as_str()),
                        "duplicate of key present in binaryData",
                    ));
                }
            }
            total += binary
                .iter()
                .map(|(k, v)| k.len() + v.as_str().map_or(0, |s| s.len() / 4 * 3))
                .sum::<usize>();
        }
        if total > MAX_DATA_SIZE {
            errs.push(FieldError::too_long(
                "",
                format!("may not be more than {MAX_DATA_SIZE} bytes"),
            ));
        }
        if let Some(old) = old
            && old.get("immutable").and_then(Value::as_bool) == Some(true)
        {
            if obj.get("data") != old.get("data") {
                errs.push(FieldError::forbidden(
                    "data",
                    "field is immutable when `immutable` is set",
                ));
            }
            if obj.get("binaryData") != old.get("binaryData") {
                errs.push(FieldError::forbidden(
                    "binaryData",
                    "field is immutable when `immutable` is set",
                ));
            }
        }
        errs
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::name_column(),
            Column::new("Data", "string", "The number of entries in the configmap"),
            Column::age_column(),
        ]
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        let n = obj
            .get("data")
            .and_then(Value::as_object)
            .map_or(0, Map::len)
            + obj
                .get("binaryData")
                .and_then(Value::as_object)
                .map_or(0, Map::len);
        vec![name_cell(obj), Value::from(n), age_cell(obj, ctx)]
    }
}

pub(crate) struct EndpointsStrategy;

impl Strategy for EndpointsStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<Endpoints>(obj, "Endpoints", "v1")
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::name_column(),
            Column::new("Endpoints", "string", "Endpoints of the resource"),
            Column::age_column(),
        ]
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        vec![
            name_cell(obj),
            Value::from(format_endpoints(obj)),
            age_cell(obj, ctx),
        ]
    }
}

/// `ip:port,ip:port + N more...`, as the Endpoints printer shows them.
fn format_endpoints(obj: &Value) -> String {
    const MAX: usize = 3;
    let mut all = Vec::new();
    for subset in obj
        .get("subsets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let ports: Vec<String> = subset
            .get("ports")
            .and_then(Value::as_array)
            .map(|p| {
                p.iter()
                    .filter_map(|p| p.get("port").map(ToString::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for addr in subset
            .get("addresses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let ip = addr.str_at("ip").unwrap_or("");
            if ports.is_empty() {
                all.push(ip.to_string());
            } else {
                all.extend(ports.iter().map(|p| format!("{ip}:{p}")));
            }
        }
    }
    if all.is_empty() {
        return "<none>".to_string();
    }
    let more = all.len().saturating_sub(MAX);
    let mut s = all.into_iter().take(MAX).collect::<Vec<_>>().join(",");
    if more > 0 {
        s.push_str(&format!(" + {more} more..."));
    }
    s
}

pub(crate) struct ServiceAccountStrategy;

impl Strategy for ServiceAccountStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<ServiceAccount>(obj, "ServiceAccount", "v1")
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::name_column(),
            Column::new(
                "Secrets",
                "string",
                "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
            ),
            Column::age_column(),
        ]
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        let n = obj
            .get("secrets")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        vec![name_cell(obj), Value::from(n), age_cell(obj, ctx)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_checked() {
        assert!(config_key("tls.crt").is_empty());
        assert!(config_key("ca.crt").is_empty());
        assert_eq!(config_key("..x"), vec!["must not start with '..'"]);
        assert_eq!(config_key("a b").len(), 1);
        let errs = ConfigMapStrategy.validate(
            &json!({"data": {"a b": "x", "k": "v"}, "binaryData": {"k": "AA=="}}),
            None,
        );
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].starts_with("data[a b]: Invalid value: \"a b\": a valid config key"));
        assert_eq!(
            msgs[1],
            "data[k]: Invalid value: \"k\": duplicate of key present in binaryData"
        );
    }

    #[test]
    fn endpoints_print_like_kubectl() {
        let ep = json!({"subsets": [{"addresses": [{"ip": "127.1.0.1"}, {"ip": "127.1.0.2"}], "ports": [{"port": 8089}, {"port": 80}]}]});
        assert_eq!(
            format_endpoints(&ep),
            "127.1.0.1:8089,127.1.0.1:80,127.1.0.2:8089 + 1 more..."
        );
        assert_eq!(format_endpoints(&json!({})), "<none>");
    }
}
