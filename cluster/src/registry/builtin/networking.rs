//! networking.k8s.io/v1 Ingress and IngressClass.

use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use serde_json::{Map, Value, json};

use super::typed;
use crate::field::{FieldError, FieldPath};
use crate::meta::ObjectExt;
use crate::registry::columns::{Column, age_cell, name_cell};
use crate::registry::{Ctx, Decoded, Strategy};
use crate::status::StatusError;

const PATH_TYPES: &[&str] = &["Exact", "Prefix", "ImplementationSpecific"];

pub(crate) struct IngressStrategy;

fn validate_backend(backend: &Value, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match (backend.get("service"), backend.get("resource")) {
        (Some(svc), None) => {
            if svc.str_at("name").is_none_or(str::is_empty) {
                errs.push(FieldError::required(
                    path.child("service").child("name"),
                    "",
                ));
            }
            let port = svc.get("port");
            let has_number = port
                .and_then(|p| p.get("number"))
                .and_then(Value::as_i64)
                .is_some();
            let has_name = port
                .and_then(|p| p.str_at("name"))
                .is_some_and(|n| !n.is_empty());
            match (has_number, has_name) {
                (false, false) => errs.push(FieldError::required(
                    path.child("service").child("port"),
                    "port name or number is required",
                )),
                (true, true) => errs.push(FieldError::invalid(
                    path.child("service").child("port"),
                    port.cloned().unwrap_or(Value::Null),
                    "cannot set both port name & port number",
                )),
                _ => {}
            }
        }
        (None, Some(_)) => {}
        (Some(_), Some(_)) => errs.push(FieldError::invalid(
            path.clone(),
            backend.clone(),
            "cannot set both resource and service backends",
        )),
        (None, None) => errs.push(FieldError::invalid(
            path.clone(),
            backend.clone(),
            "resource or service backend is required",
        )),
    }
}

impl Strategy for IngressStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<Ingress>(obj, "Ingress", "v1")
    }

    fn prepare_create(&self, obj: &mut Value, _ctx: &Ctx) {
        if let Some(map) = obj.as_object_mut() {
            map.insert("status".into(), json!({"loadBalancer": {}}));
        }
    }

    fn prepare_update(&self, new: &mut Value, old: &Value, _ctx: &Ctx) {
        if let (Some(map), Some(status)) = (new.as_object_mut(), old.get("status")) {
            map.insert("status".into(), status.clone());
        }
    }

    fn validate(&self, obj: &Value, _old: Option<&Value>) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec_path = FieldPath::new("spec");
        let empty = Map::new();
        let spec = obj.get("spec").and_then(Value::as_object).unwrap_or(&empty);
        if let Some(backend) = spec.get("defaultBackend") {
            validate_backend(backend, &spec_path.child("defaultBackend"), &mut errs);
        }
        let rules = spec.get("rules").and_then(Value::as_array);
        if rules.is_none_or(Vec::is_empty) && spec.get("defaultBackend").is_none() {
            errs.push(FieldError::invalid(
                spec_path.clone(),
                Value::Object(spec.clone()),
                "either `defaultBackend` or `rules` must be specified",
            ));
        }
        for (i, rule) in rules.into_iter().flatten().enumerate() {
            let rpath = spec_path.child("rules").index(i);
            if let Some(host) = rule.str_at("host") {
                let bare = host.strip_prefix("*.").unwrap_or(host);
                for msg in crate::meta::names::dns1123_subdomain(bare) {
                    errs.push(FieldError::invalid(
                        rpath.child("host"),
                        Value::from(host),
                        msg,
                    ));
                }
            }
            for (j, p) in rule
                .pointer("/http/paths")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let ppath = rpath.child("http").child("paths").index(j);
                match p.str_at("pathType") {
                    None => errs.push(FieldError::required(
                        ppath.child("pathType"),
                        "pathType must be specified",
                    )),
                    Some(t) if !PATH_TYPES.contains(&t) => errs.push(FieldError::not_supported(
                        ppath.child("pathType"),
                        Value::from(t),
                        PATH_TYPES,
                    )),
                    Some(_) => {}
                }
                let path_value = p.str_at("path").unwrap_or("");
                if p.str_at("pathType") != Some("ImplementationSpecific")
                    && !path_value.starts_with('/')
                {
                    errs.push(FieldError::invalid(
                        ppath.child("path"),
                        Value::from(path_value),
                        "must be an absolute path",
                    ));
                }
                match p.get("backend") {
                    Some(b) => validate_backend(b, &ppath.child("backend"), &mut errs),
                    None => errs.push(FieldError::required(ppath.child("backend"), "")),
                }
            }
        }
        errs
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    fn has_status(&self) -> bool {
        true
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::name_column(),
            Column::new(
                "Class",
                "string",
                "The name of the IngressClass resource that should be used for ingress class configuration",
            ),
            Column::new(
                "Hosts",
                "string",
                "Hosts that incoming requests are matched against before the ingress rule",
            ),
            Column::new(
                "Address",
                "string",
                "Address is a list containing ingress points for the load-balancer",
            ),
            Column::new("Ports", "string", "Ports of TLS configurations that open"),
            Column::age_column(),
        ]
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        let class = obj
            .str_at("spec.ingressClassName")
            .or_else(|| {
                obj.metadata()
                    .and_then(|m| m.get("annotations"))
                    .and_then(|a| a.get("kubernetes.io/ingress.class"))
                    .and_then(Value::as_str)
            })
            .unwrap_or("<none>");
        let hosts: Vec<&str> = obj
            .pointer("/spec/rules")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(|r| r.str_at("host")).collect())
            .unwrap_or_default();
        let hosts = if hosts.is_empty() {
            "*".to_string()
        } else if hosts.len() > 4 {
            format!("{} + {} more...", hosts[..4].join(","), hosts.len() - 4)
        } else {
            hosts.join(",")
        };
        let address: Vec<&str> = obj
            .pointer("/status/loadBalancer/ingress")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|i| i.str_at("ip").or_else(|| i.str_at("hostname")))
                    .collect()
            })
            .unwrap_or_default();
        let tls = obj
            .pointer("/spec/tls")
            .and_then(Value::as_array)
            .is_some_and(|t| !t.is_empty());
        vec![
            name_cell(obj),
            Value::from(class),
            Value::from(hosts),
            Value::from(address.join(",")),
            Value::from(if tls { "80, 443" } else { "80" }),
            age_cell(obj, ctx),
        ]
    }
}

pub(crate) struct IngressClassStrategy;

impl Strategy for IngressClassStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<IngressClass>(obj, "IngressClass", "v1")
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::name_column(),
            Column::new(
                "Controller",
                "string",
                "Controller that is responsible for handling this class",
            ),
            Column::new(
                "Parameters",
                "string",
                "A reference to a resource with additional parameters",
            ),
            Column::age_column(),
        ]
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        let params = obj
            .pointer("/spec/parameters")
            .map(|p| {
                format!(
                    "{}/{}",
                    p.str_at("kind").unwrap_or(""),
                    p.str_at("name").unwrap_or("")
                )
            })
            .unwrap_or_else(|| "<none>".to_string());
        vec![
            name_cell(obj),
            Value::from(obj.str_at("spec.controller").unwrap_or("")),
            Value::from(params),
            age_cell(obj, ctx),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ingress_paths_need_types_and_backends() {
        let ing = json!({"spec": {"rules": [{"host": "a.lab.test", "http": {"paths": [
            {"path": "/.well-known/acme-challenge/tok", "pathType": "Exact", "backend": {"service": {"name": "s", "port": {"number": 8089}}}},
            {"path": "x", "backend": {"service": {"name": "s"}}}]}}]}});
        let msgs: Vec<String> = IngressStrategy
            .validate(&ing, None)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            msgs,
            vec![
                "spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified",
                "spec.rules[0].http.paths[1].path: Invalid value: \"x\": must be an absolute path",
                "spec.rules[0].http.paths[1].backend.service.port: Required value: port name or number is required",
            ]
        );
    }
}
