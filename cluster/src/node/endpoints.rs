//! The endpoints controller: for every Service with a selector, an `Endpoints`
//! object of the same name lists the selected pods' IPs, Ready ones in `addresses`
//! and the others in `notReadyAddresses`, with the Service's ports resolved to each
//! pod's `targetPort` (a number, or a named container port). Pods that resolve the
//! ports differently land in different subsets. The object goes with its Service.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::meta::ObjectExt;
use crate::objects::{DeleteOptions, Objects, WriteOptions};
use crate::status::GroupResource;
use crate::store::ObjectKey;

/// The field manager of the writes.
const MANAGER: &str = "endpoint-controller";

fn gr(resource: &str) -> GroupResource {
    GroupResource::new("", resource)
}

fn selector(service: &Value) -> Option<&Map<String, Value>> {
    service
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .filter(|s| !s.is_empty())
}

fn selects(selector: &Map<String, Value>, pod: &Value) -> bool {
    selector
        .iter()
        .all(|(k, v)| v.as_str().is_some_and(|v| pod.label(k) == Some(v)))
}

fn pod_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| c.str_at("type") == Some("Ready") && c.str_at("status") == Some("True"))
}

/// The container port named `name` in `pod` (and its protocol).
fn named_port(pod: &Value, name: &str) -> Option<u64> {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|c| {
            c.get("ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .find(|p| p.str_at("name") == Some(name))
        .and_then(|p| p.get("containerPort")?.as_u64())
}

/// Endpoint addresses by IP.
type Addresses = BTreeMap<String, Value>;

/// A Service port resolved for one pod: (name, port, protocol).
type Resolved = (String, u64, String);

fn resolve_ports(service: &Value, pod: &Value) -> Vec<Resolved> {
    service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let target = p.get("targetPort").or_else(|| p.get("port"))?;
            let port = match target {
                Value::Number(n) => n.as_u64()?,
                Value::String(s) => match s.parse::<u64>() {
                    Ok(n) => n,
                    Err(_) => named_port(pod, s)?,
                },
                _ => return None,
            };
            Some((
                p.str_at("name").unwrap_or("").to_string(),
                port,
                p.str_at("protocol").unwrap_or("TCP").to_string(),
            ))
        })
        .collect()
}

/// The `subsets` a Service's Endpoints should have now.
pub fn desired_subsets(objects: &Objects, service: &Value) -> Vec<Value> {
    let Some(sel) = selector(service) else {
        return Vec::new();
    };
    let namespace = service.namespace().unwrap_or("");
    let publish_not_ready = service
        .pointer("/spec/publishNotReadyAddresses")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let (pods, _) = objects.store().list(&gr("pods"), Some(namespace), None);
    // resolved ports → (ready addresses, not-ready addresses), both by IP.
    let mut groups: BTreeMap<Vec<Resolved>, (Addresses, Addresses)> = BTreeMap::new();
    for pod in &pods {
        if !selects(sel, pod) || pod.is_deleting() {
            continue;
        }
        if matches!(pod.str_at("status.phase"), Some("Succeeded" | "Failed")) {
            continue;
        }
        let Some(ip) = pod.str_at("status.podIP").filter(|ip| !ip.is_empty()) else {
            continue;
        };
        let ports = resolve_ports(service, pod);
        let has_ports = service
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .is_some_and(|p| !p.is_empty());
        if has_ports && ports.is_empty() {
            continue;
        }
        let mut address = json!({
            "ip": ip,
            "targetRef": {
                "kind": "Pod",
                "namespace": namespace,
                "name": pod.name().unwrap_or(""),
                "uid": pod.uid().unwrap_or(""),
            },
        });
        if let Some(node) = pod.str_at("spec.nodeName").filter(|n| !n.is_empty())
            && let Some(map) = address.as_object_mut()
        {
            map.insert("nodeName".into(), json!(node));
        }
        let group = groups.entry(ports).or_default();
        if pod_ready(pod) || publish_not_ready {
            group.0.insert(ip.to_string(), address);
        } else {
            group.1.insert(ip.to_string(), address);
        }
    }
    groups
        .into_iter()
        .map(|(ports, (ready, not_ready))| {
            let mut subset = Map::new();
            if !ready.is_empty() {
                subset.insert(
                    "addresses".into(),
                    Value::Array(ready.into_values().collect()),
                );
            }
            if !not_ready.is_empty() {
                subset.insert(
                    "notReadyAddresses".into(),
                    Value::Array(not_ready.into_values().collect()),
                );
            }
            if !ports.is_empty() {
                let ports: Vec<Value> = ports
                    .into_iter()
                    .map(|(name, port, protocol)| {
                        let mut p = json!({"port": port, "protocol": protocol});
                        if !name.is_empty()
                            && let Some(m) = p.as_object_mut()
                        {
                            m.insert("name".into(), json!(name));
                        }
                        p
                    })
                    .collect();
                subset.insert("ports".into(), Value::Array(ports));
            }
            Value::Object(subset)
        })
        .collect()
}

/// Brings one Service's Endpoints up to date (no write when nothing changed).
pub fn sync_service(objects: &Objects, service: &Value) {
    if selector(service).is_none() || service.is_deleting() {
        return;
    }
    let Some(rt) = objects.registry().get("", "v1", "endpoints") else {
        return;
    };
    let namespace = service.namespace().unwrap_or("");
    let name = service.name().unwrap_or("");
    let subsets = desired_subsets(objects, service);
    let labels = service
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let opts = WriteOptions {
        field_manager: MANAGER.into(),
        ..WriteOptions::default()
    };
    let existing = objects
        .store()
        .get(&gr("endpoints"), &ObjectKey::new(namespace, name));
    let mut body = json!({
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
    });
    if !subsets.is_empty()
        && let Some(map) = body.as_object_mut()
    {
        map.insert("subsets".into(), Value::Array(subsets.clone()));
    }
    let result = match existing {
        None => objects.create(&rt, namespace, body, &opts).map(|_| ()),
        Some(current) => {
            let current_subsets = current
                .get("subsets")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let current_labels = current
                .pointer("/metadata/labels")
                .cloned()
                .unwrap_or_else(|| json!({}));
            if current_subsets == subsets && current_labels == labels {
                return;
            }
            // Keep what others put in metadata; replace labels and subsets.
            let mut next = (*current).clone();
            next.set_meta("labels", labels);
            if let Some(map) = next.as_object_mut() {
                if subsets.is_empty() {
                    map.remove("subsets");
                } else {
                    map.insert("subsets".into(), Value::Array(subsets));
                }
            }
            objects
                .update(
                    &rt,
                    namespace,
                    name,
                    next,
                    crate::objects::Subresource::Main,
                    &opts,
                )
                .map(|_| ())
        }
    };
    if let Err(e) = result
        && e.code != 404
        && e.code != 409
        && e.code != 403
    {
        tracing::warn!(%namespace, service = %name, error = %e, "writing Endpoints failed");
    }
}

/// A pod changed (or went): re-syncs the Services that select it now or selected it
/// before.
pub fn pod_changed(objects: &Objects, pod: &Value, old: Option<&Value>) {
    let namespace = pod.namespace().unwrap_or("");
    let (services, _) = objects.store().list(&gr("services"), Some(namespace), None);
    for service in services {
        let Some(sel) = selector(&service) else {
            continue;
        };
        if selects(sel, pod) || old.is_some_and(|o| selects(sel, o)) {
            sync_service(objects, &service);
        }
    }
}

/// A Service went: its Endpoints go too.
pub fn service_deleted(objects: &Objects, service: &Value) {
    let namespace = service.namespace().unwrap_or("");
    let name = service.name().unwrap_or("");
    let Some(rt) = objects.registry().get("", "v1", "endpoints") else {
        return;
    };
    if objects.get_stored(&rt, namespace, name).is_none() {
        return;
    }
    let opts = DeleteOptions {
        precondition_uid: None,
        ..DeleteOptions::default()
    };
    if let Err(e) = objects.delete(&rt, namespace, name, &opts)
        && e.code != 404
    {
        tracing::warn!(%namespace, service = %name, error = %e, "deleting Endpoints failed");
    }
}

/// Endpoints went while their Service still selects pods: they come back.
pub fn endpoints_deleted(objects: &Objects, endpoints: &Value) {
    let namespace = endpoints.namespace().unwrap_or("");
    let name = endpoints.name().unwrap_or("");
    if let Some(service) = objects
        .store()
        .get(&gr("services"), &ObjectKey::new(namespace, name))
    {
        sync_service(objects, &service);
    }
}

/// Re-syncs every Service.
pub fn resync(objects: &Objects) {
    let (services, _) = objects.store().list(&gr("services"), None, None);
    for service in services {
        sync_service(objects, &service);
    }
}

/// The Ready endpoints (IP, port) of `service_port_name` in a Service's Endpoints.
pub fn ready_endpoints(
    objects: &Objects,
    namespace: &str,
    service: &str,
    service_port_name: &str,
) -> Vec<(String, u16)> {
    let Some(endpoints) = objects
        .store()
        .get(&gr("endpoints"), &ObjectKey::new(namespace, service))
    else {
        return Vec::new();
    };
    let endpoints: Arc<Value> = endpoints;
    let mut out = Vec::new();
    for subset in endpoints
        .get("subsets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let port = subset
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|p| p.str_at("name").unwrap_or("") == service_port_name)
            .and_then(|p| u16::try_from(p.get("port")?.as_u64()?).ok());
        let Some(port) = port else { continue };
        for address in subset
            .get("addresses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(ip) = address.str_at("ip") {
                out.push((ip.to_string(), port));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_ports_resolve_by_number_and_name() {
        let svc = json!({"spec": {"ports": [
            {"name": "http", "port": 80, "targetPort": "web"},
            {"name": "raw", "port": 81, "targetPort": 8081},
            {"name": "text", "port": 82, "targetPort": "8082"},
            {"name": "missing", "port": 83, "targetPort": "nope"},
        ]}});
        let pod =
            json!({"spec": {"containers": [{"ports": [{"name": "web", "containerPort": 8080}]}]}});
        let got = resolve_ports(&svc, &pod);
        assert_eq!(
            got,
            vec![
                ("http".to_string(), 8080, "TCP".to_string()),
                ("raw".to_string(), 8081, "TCP".to_string()),
                ("text".to_string(), 8082, "TCP".to_string()),
            ]
        );
    }

    #[test]
    fn selectors_need_every_label() {
        let sel = json!({"app": "a", "tier": "web"});
        let sel = sel.as_object().unwrap();
        assert!(selects(
            sel,
            &json!({"metadata": {"labels": {"app": "a", "tier": "web", "x": "y"}}})
        ));
        assert!(!selects(
            sel,
            &json!({"metadata": {"labels": {"app": "a"}}})
        ));
        assert!(!selects(sel, &json!({"metadata": {}})));
    }
}
