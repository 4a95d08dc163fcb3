//! core/v1 Service, with cluster IP and node port allocation.

use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU32, Ordering};

use k8s_openapi::api::core::v1::Service;
use serde_json::{Map, Value, json};

use super::{default_field, typed};
use crate::field::{FieldError, FieldPath};
use crate::meta::ObjectExt;
use crate::meta::names::NameRule;
use crate::registry::columns::{Column, age_cell, name_cell};
use crate::registry::{Ctx, Decoded, Strategy};
use crate::status::StatusError;

const TYPES: &[&str] = &["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
const PROTOCOLS: &[&str] = &["TCP", "UDP", "SCTP"];
/// The service CIDR's base, 10.96.0.0/12 as in kubeadm and kind.
const SERVICE_BASE: u32 = u32::from_be_bytes([10, 96, 0, 0]);

pub(crate) struct ServiceStrategy {
    next_ip: AtomicU32,
    next_node_port: AtomicU32,
}

impl Default for ServiceStrategy {
    fn default() -> Self {
        Self {
            // .1 is the `kubernetes` service; start allocating from .10.
            next_ip: AtomicU32::new(10),
            next_node_port: AtomicU32::new(30000),
        }
    }
}

impl ServiceStrategy {
    fn allocate_ip(&self) -> String {
        let offset = self.next_ip.fetch_add(1, Ordering::Relaxed) % (1 << 20);
        Ipv4Addr::from(SERVICE_BASE + offset).to_string()
    }

    fn allocate_node_port(&self) -> u32 {
        30000 + (self.next_node_port.fetch_add(1, Ordering::Relaxed) - 30000) % 2768
    }
}

impl Strategy for ServiceStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<Service>(obj, "Service", "v1")
    }

    fn name_rule(&self) -> NameRule {
        NameRule::Dns1035
    }

    fn apply_defaults(&self, obj: &mut Value) {
        let Some(spec) = super::object_at(obj, "spec") else {
            return;
        };
        default_field(spec, "type", json!("ClusterIP"));
        default_field(spec, "sessionAffinity", json!("None"));
        let svc_type = spec
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if svc_type != "ExternalName" {
            default_field(spec, "internalTrafficPolicy", json!("Cluster"));
        }
        if svc_type == "NodePort" || svc_type == "LoadBalancer" {
            default_field(spec, "externalTrafficPolicy", json!("Cluster"));
        }
        if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
            for port in ports.iter_mut().filter_map(Value::as_object_mut) {
                default_field(port, "protocol", json!("TCP"));
                if let Some(p) = port.get("port").cloned() {
                    default_field(port, "targetPort", p);
                }
            }
        }
    }

    fn prepare_create(&self, obj: &mut Value, _ctx: &Ctx) {
        let ip = self.allocate_ip();
        let Some(spec) = super::object_at(obj, "spec") else {
            return;
        };
        let svc_type = spec
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP")
            .to_string();
        if svc_type != "ExternalName" {
            let headless = spec.get("clusterIP").and_then(Value::as_str) == Some("None");
            if headless {
                spec.insert("clusterIPs".into(), json!(["None"]));
            } else if spec
                .get("clusterIP")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                spec.insert("clusterIP".into(), json!(ip));
                spec.insert("clusterIPs".into(), json!([ip]));
            }
            default_field(spec, "ipFamilies", json!(["IPv4"]));
            default_field(spec, "ipFamilyPolicy", json!("SingleStack"));
        }
        if svc_type == "NodePort" || svc_type == "LoadBalancer" {
            let ports: Vec<u32> = (0..spec
                .get("ports")
                .and_then(Value::as_array)
                .map_or(0, Vec::len))
                .map(|_| self.allocate_node_port())
                .collect();
            if let Some(list) = spec.get_mut("ports").and_then(Value::as_array_mut) {
                for (port, node_port) in list.iter_mut().filter_map(Value::as_object_mut).zip(ports)
                {
                    default_field(port, "nodePort", json!(node_port));
                }
            }
        }
        if let Some(map) = obj.as_object_mut() {
            map.insert("status".into(), json!({"loadBalancer": {}}));
        }
    }

    fn prepare_update(&self, new: &mut Value, old: &Value, _ctx: &Ctx) {
        let old_spec = old.get("spec").cloned().unwrap_or(Value::Null);
        if let Some(status) = old.get("status").cloned()
            && let Some(map) = new.as_object_mut()
        {
            map.insert("status".into(), status);
        }
        let Some(spec) = super::object_at(new, "spec") else {
            return;
        };
        for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
            if spec.get(field).is_none_or(|v| v.is_null() || v == "")
                && let Some(v) = old_spec.get(field)
            {
                spec.insert(field.to_string(), v.clone());
            }
        }
        // Node ports: kept across updates (matched by port and protocol), allocated
        // for new ports of a NodePort/LoadBalancer Service, dropped for other types.
        let svc_type = spec
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP")
            .to_string();
        let wants_node_ports = svc_type == "NodePort" || svc_type == "LoadBalancer";
        let old_ports: Vec<Value> = old_spec
            .get("ports")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Some(list) = spec.get_mut("ports").and_then(Value::as_array_mut) {
            for port in list.iter_mut().filter_map(Value::as_object_mut) {
                if !wants_node_ports {
                    port.remove("nodePort");
                    continue;
                }
                if port.get("nodePort").is_some_and(|v| !v.is_null() && v != 0) {
                    continue;
                }
                let kept = old_ports
                    .iter()
                    .find(|o| {
                        o.get("port") == port.get("port")
                            && o.get("protocol") == port.get("protocol")
                    })
                    .and_then(|o| o.get("nodePort"))
                    .filter(|v| !v.is_null())
                    .cloned();
                let node_port = kept.unwrap_or_else(|| json!(self.allocate_node_port()));
                port.insert("nodePort".into(), node_port);
            }
        }
    }

    fn validate(&self, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let empty = Map::new();
        let spec = obj.get("spec").and_then(Value::as_object).unwrap_or(&empty);
        let path = FieldPath::new("spec");
        let svc_type = spec
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP");
        if !TYPES.contains(&svc_type) {
            errs.push(FieldError::not_supported(
                path.child("type"),
                Value::from(svc_type),
                TYPES,
            ));
        }
        let ports = spec.get("ports").and_then(Value::as_array);
        if svc_type == "ExternalName" {
            if spec
                .get("externalName")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                errs.push(FieldError::required(path.child("externalName"), ""));
            }
        } else if ports.is_none_or(Vec::is_empty)
            && spec.get("clusterIP").and_then(Value::as_str) != Some("None")
        {
            errs.push(FieldError::required(path.child("ports"), ""));
        }
        for (i, port) in ports.into_iter().flatten().enumerate() {
            let p = path.child("ports").index(i);
            match port.get("port").and_then(Value::as_i64) {
                Some(n) if (1..=65535).contains(&n) => {}
                Some(n) => errs.push(FieldError::invalid(
                    p.child("port"),
                    Value::from(n),
                    "must be between 1 and 65535, inclusive",
                )),
                None => errs.push(FieldError::required(p.child("port"), "")),
            }
            if let Some(proto) = port.get("protocol").and_then(Value::as_str)
                && !PROTOCOLS.contains(&proto)
            {
                errs.push(FieldError::not_supported(
                    p.child("protocol"),
                    Value::from(proto),
                    PROTOCOLS,
                ));
            }
            if ports.is_some_and(|all| all.len() > 1)
                && port
                    .get("name")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            {
                errs.push(FieldError::required(p.child("name"), ""));
            }
        }
        if let Some(old) = old {
            let old_ip = old.str_at("spec.clusterIP").unwrap_or("");
            let new_ip = spec.get("clusterIP").and_then(Value::as_str).unwrap_or("");
            if !old_ip.is_empty() && old_ip != new_ip && svc_type != "ExternalName" {
                errs.push(FieldError::invalid(
                    path.child("clusterIP"),
                    Value::from(new_ip),
                    "field is immutable",
                ));
            }
        }
        errs
    }

    fn has_status(&self) -> bool {
        true
    }

    fn returns_deleted_object(&self) -> bool {
        true
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::name_column(),
            Column::new("Type", "string", "The type of service."),
            Column::new("Cluster-IP", "string", "The cluster IP of the service."),
            Column::new("External-IP", "string", "The external IP of the service."),
            Column::new("Port(s)", "string", "The ports of the service."),
            Column::age_column(),
            Column::new("Selector", "string", "The label selector of the service.").wide(),
        ]
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        let svc_type = obj.str_at("spec.type").unwrap_or("ClusterIP");
        let cluster_ip = obj.str_at("spec.clusterIP").unwrap_or("<none>");
        let external = match svc_type {
            "ExternalName" => obj
                .str_at("spec.externalName")
                .unwrap_or("<none>")
                .to_string(),
            "LoadBalancer" => {
                let ips: Vec<String> = obj
                    .pointer("/status/loadBalancer/ingress")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|i| {
                                i.str_at("ip")
                                    .or_else(|| i.str_at("hostname"))
                                    .map(str::to_string)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if ips.is_empty() {
                    "<pending>".to_string()
                } else {
                    ips.join(",")
                }
            }
            _ => "<none>".to_string(),
        };
        let ports: Vec<String> = obj
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|p| {
                        let port = p.get("port").map(ToString::to_string).unwrap_or_default();
                        let proto = p.str_at("protocol").unwrap_or("TCP");
                        match p.get("nodePort").and_then(Value::as_i64) {
                            Some(np) => format!("{port}:{np}/{proto}"),
                            None => format!("{port}/{proto}"),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let ports = if ports.is_empty() {
            "<none>".to_string()
        } else {
            ports.join(",")
        };
        let selector: Vec<String> = obj
            .pointer("/spec/selector")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                    .collect()
            })
            .unwrap_or_default();
        let selector = if selector.is_empty() {
            "<none>".to_string()
        } else {
            selector.join(",")
        };
        vec![
            name_cell(obj),
            Value::from(svc_type),
            Value::from(cluster_ip),
            Value::from(external),
            Value::from(ports),
            age_cell(obj, ctx),
            Value::from(selector),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn defaults_and_allocation() {
        let s = ServiceStrategy::default();
        let mut svc = s
            .decode(json!({"metadata": {"name": "web"}, "spec": {"type": "NodePort", "ports": [{"port": 80}], "selector": {"app": "web"}}}))
            .unwrap()
            .object;
        s.apply_defaults(&mut svc);
        s.prepare_create(
            &mut svc,
            &Ctx {
                now: SystemTime::now(),
            },
        );
        assert_eq!(svc["spec"]["ports"][0]["protocol"], "TCP");
        assert_eq!(svc["spec"]["ports"][0]["targetPort"], 80);
        assert_eq!(svc["spec"]["ports"][0]["nodePort"], 30000);
        assert_eq!(svc["spec"]["clusterIP"], "10.96.0.10");
        assert!(s.validate(&svc, None).is_empty());
        let row = s.row(
            &svc,
            &Ctx {
                now: SystemTime::now(),
            },
        );
        assert_eq!(row[4], "80:30000/TCP");
        assert_eq!(row[6], "app=web");
    }

    #[test]
    fn node_ports_follow_the_type_on_update() {
        let s = ServiceStrategy::default();
        let ctx = Ctx {
            now: SystemTime::now(),
        };
        let old = json!({"spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10", "ports": [{"port": 80, "protocol": "TCP"}]}});
        let mut new =
            json!({"spec": {"type": "NodePort", "ports": [{"port": 80, "protocol": "TCP"}]}});
        s.prepare_update(&mut new, &old, &ctx);
        let allocated = new["spec"]["ports"][0]["nodePort"].as_u64().unwrap();
        assert!((30000..=32767).contains(&allocated));
        let mut again =
            json!({"spec": {"type": "NodePort", "ports": [{"port": 80, "protocol": "TCP"}]}});
        s.prepare_update(&mut again, &new, &ctx);
        assert_eq!(
            again["spec"]["ports"][0]["nodePort"].as_u64(),
            Some(allocated)
        );
        let mut back = json!({"spec": {"type": "ClusterIP", "ports": [{"port": 80, "protocol": "TCP", "nodePort": allocated}]}});
        s.prepare_update(&mut back, &again, &ctx);
        assert!(back["spec"]["ports"][0].get("nodePort").is_none());
    }

    #[test]
    fn validation() {
        let errs = ServiceStrategy::default().validate(
            &json!({"spec": {"type": "Bogus", "ports": [{"port": 0}]}}),
            None,
        );
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            vec![
                "spec.type: Unsupported value: \"Bogus\": supported values: \"ClusterIP\", \"NodePort\", \"LoadBalancer\", \"ExternalName\"",
                "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            ]
        );
    }
}
