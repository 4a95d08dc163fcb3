//! core/v1 Pod.

use k8s_openapi::api::core::v1::Pod;
use serde_json::{Map, Value, json};

use super::{default_field, typed};
use crate::field::{FieldError, FieldPath};
use crate::meta::ObjectExt;
use crate::meta::names::dns1123_label;
use crate::registry::columns::{Column, age_cell, meta_field_label, name_cell};
use crate::registry::{Ctx, Decoded, Strategy};
use crate::status::StatusError;

const RESTART_POLICIES: &[&str] = &["Always", "OnFailure", "Never"];
const CONTAINER_LISTS: &[&str] = &["initContainers", "containers"];

pub(crate) struct PodStrategy;

fn default_container(c: &mut Map<String, Value>) {
    default_field(c, "terminationMessagePath", json!("/dev/termination-log"));
    default_field(c, "terminationMessagePolicy", json!("File"));
    default_field(c, "resources", json!({}));
    if c.get("imagePullPolicy").is_none_or(Value::is_null) {
        let image = c.get("image").and_then(Value::as_str).unwrap_or("");
        // The tag follows the last ':' after the last '/'; no tag or :latest pulls always.
        let last = image.rsplit('/').next().unwrap_or(image);
        let tag = last
            .split('@')
            .next()
            .unwrap_or(last)
            .rsplit_once(':')
            .map(|(_, t)| t);
        let policy = match tag {
            None | Some("latest") if !image.contains('@') => "Always",
            _ => "IfNotPresent",
        };
        c.insert("imagePullPolicy".into(), json!(policy));
    }
    if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            default_field(p, "protocol", json!("TCP"));
        }
    }
}

impl Strategy for PodStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<Pod>(obj, "Pod", "v1")
    }

    fn apply_defaults(&self, obj: &mut Value) {
        let Some(spec) = super::object_at(obj, "spec") else {
            return;
        };
        default_field(spec, "restartPolicy", json!("Always"));
        default_field(spec, "dnsPolicy", json!("ClusterFirst"));
        default_field(spec, "terminationGracePeriodSeconds", json!(30));
        default_field(spec, "schedulerName", json!("default-scheduler"));
        default_field(spec, "securityContext", json!({}));
        default_field(spec, "serviceAccountName", json!("default"));
        default_field(spec, "enableServiceLinks", json!(true));
        default_field(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
        default_field(spec, "priority", json!(0));
        for list in CONTAINER_LISTS {
            if let Some(containers) = spec.get_mut(*list).and_then(Value::as_array_mut) {
                for c in containers.iter_mut().filter_map(Value::as_object_mut) {
                    default_container(c);
                }
            }
        }
    }

    fn prepare_create(&self, obj: &mut Value, _ctx: &Ctx) {
        if let Some(map) = obj.as_object_mut() {
            map.insert(
                "status".into(),
                json!({"phase": "Pending", "qosClass": "BestEffort"}),
            );
        }
    }

    fn prepare_update(&self, new: &mut Value, old: &Value, _ctx: &Ctx) {
        if let (Some(map), Some(status)) = (new.as_object_mut(), old.get("status")) {
            map.insert("status".into(), status.clone());
        }
    }

    fn validate(&self, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let path = FieldPath::new("spec");
        let empty = Map::new();
        let spec = obj.get("spec").and_then(Value::as_object).unwrap_or(&empty);
        if spec
            .get("containers")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
        {
            errs.push(FieldError::required(path.child("containers"), ""));
        }
        let mut names = Vec::new();
        for list in CONTAINER_LISTS {
            for (i, c) in spec
                .get(*list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let p = path.child(list).index(i);
                let name = c.str_at("name").unwrap_or("");
                if name.is_empty() {
                    errs.push(FieldError::required(p.child("name"), ""));
                } else {
                    for msg in dns1123_label(name) {
                        errs.push(FieldError::invalid(p.child("name"), Value::from(name), msg));
                    }
                    if names.contains(&name) {
                        errs.push(FieldError::duplicate(p.child("name"), Value::from(name)));
                    }
                    names.push(name);
                }
                if c.str_at("image").is_none_or(str::is_empty) {
                    errs.push(FieldError::required(p.child("image"), ""));
                }
            }
        }
        if let Some(policy) = spec.get("restartPolicy").and_then(Value::as_str)
            && !RESTART_POLICIES.contains(&policy)
        {
            errs.push(FieldError::not_supported(
                path.child("restartPolicy"),
                Value::from(policy),
                RESTART_POLICIES,
            ));
        }
        if let Some(old) = old {
            // Only images (and a few scheduling fields) may change on a running pod.
            let strip = |spec: &Value| {
                let mut s = spec.clone();
                for list in CONTAINER_LISTS {
                    if let Some(cs) = s.get_mut(*list).and_then(Value::as_array_mut) {
                        for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                            c.remove("image");
                        }
                    }
                }
                if let Some(m) = s.as_object_mut() {
                    for f in [
                        "activeDeadlineSeconds",
                        "tolerations",
                        "terminationGracePeriodSeconds",
                        "nodeName",
                    ] {
                        m.remove(f);
                    }
                }
                s
            };
            let new_spec = obj.get("spec").map(strip);
            let old_spec = old.get("spec").map(strip);
            if new_spec != old_spec {
                errs.push(FieldError::forbidden(
                    "spec",
                    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
                ));
            }
        }
        errs
    }

    fn has_status(&self) -> bool {
        true
    }

    /// A pod running on the emulated node is deleted gracefully: it stays, marked,
    /// until the node has stopped its containers and removes it. Unbound pods and
    /// pods that have finished go at once, as in Kubernetes.
    fn begin_deletion(&self, obj: &mut Value) -> bool {
        obj.str_at("spec.nodeName") == Some(crate::node::NODE_NAME)
            && !matches!(obj.str_at("status.phase"), Some("Succeeded" | "Failed"))
    }

    fn returns_deleted_object(&self) -> bool {
        true
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::name_column(),
            Column::new(
                "Ready",
                "string",
                "The aggregate readiness state of this pod for accepting traffic.",
            ),
            Column::new(
                "Status",
                "string",
                "The aggregate status of the containers in this pod.",
            ),
            Column::new(
                "Restarts",
                "string",
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
            ),
            Column::age_column(),
            Column::new("IP", "string", "The IP address assigned to the pod").wide(),
            Column::new(
                "Node",
                "string",
                "The name of the node the pod is assigned to",
            )
            .wide(),
            Column::new(
                "Nominated Node",
                "string",
                "The name of the node where the pod is nominated to run",
            )
            .wide(),
            Column::new(
                "Readiness Gates",
                "string",
                "The readiness gates of the pod",
            )
            .wide(),
        ]
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        let total = obj
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let statuses = obj
            .pointer("/status/containerStatuses")
            .and_then(Value::as_array);
        let ready = statuses.map_or(0, |s| {
            s.iter()
                .filter(|c| c.get("ready") == Some(&Value::Bool(true)))
                .count()
        });
        let restarts: i64 = statuses.map_or(0, |s| {
            s.iter()
                .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
                .sum()
        });
        let mut status = obj.str_at("status.reason").unwrap_or("").to_string();
        if status.is_empty() {
            status = obj.str_at("status.phase").unwrap_or("Pending").to_string();
            // A waiting container's reason (ContainerCreating, ErrImagePull…) wins.
            if let Some(waiting) = statuses
                .into_iter()
                .flatten()
                .find_map(|c| c.pointer("/state/waiting/reason").and_then(Value::as_str))
            {
                status = waiting.to_string();
            }
        }
        if obj.is_deleting() {
            status = "Terminating".to_string();
        }
        let ip = obj.str_at("status.podIP").unwrap_or("<none>");
        let node = obj.str_at("spec.nodeName").unwrap_or("<none>");
        vec![
            name_cell(obj),
            Value::from(format!("{ready}/{total}")),
            Value::from(status),
            Value::from(restarts.to_string()),
            age_cell(obj, ctx),
            Value::from(ip),
            Value::from(node),
            Value::from("<none>"),
            Value::from("<none>"),
        ]
    }

    fn field_label(&self, obj: &Value, label: &str) -> Option<String> {
        match label {
            "spec.nodeName"
            | "spec.restartPolicy"
            | "spec.schedulerName"
            | "spec.serviceAccountName"
            | "status.phase"
            | "status.podIP"
            | "status.nominatedNodeName" => Some(obj.str_at(label).unwrap_or("").to_string()),
            "spec.hostNetwork" => Some(
                obj.pointer("/spec/hostNetwork")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                    .to_string(),
            ),
            _ => meta_field_label(obj, label),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn defaults_and_row() {
        let mut pod = PodStrategy
            .decode(json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "solver:1.0", "ports": [{"containerPort": 8089}]}, {"name": "b", "image": "busybox"}]}}))
            .unwrap()
            .object;
        PodStrategy.apply_defaults(&mut pod);
        PodStrategy.prepare_create(
            &mut pod,
            &Ctx {
                now: SystemTime::now(),
            },
        );
        assert_eq!(
            pod["spec"]["containers"][0]["imagePullPolicy"],
            "IfNotPresent"
        );
        assert_eq!(pod["spec"]["containers"][1]["imagePullPolicy"], "Always");
        assert_eq!(pod["spec"]["containers"][0]["ports"][0]["protocol"], "TCP");
        assert!(PodStrategy.validate(&pod, None).is_empty());
        let row = PodStrategy.row(
            &pod,
            &Ctx {
                now: SystemTime::now(),
            },
        );
        assert_eq!(row[1], "0/2");
        assert_eq!(row[2], "Pending");
    }

    #[test]
    fn updates_are_restricted() {
        let old = json!({"spec": {"containers": [{"name": "a", "image": "x"}]}});
        let ok = json!({"spec": {"containers": [{"name": "a", "image": "y"}]}});
        let bad = json!({"spec": {"containers": [{"name": "b", "image": "y"}]}});
        assert!(PodStrategy.validate(&ok, Some(&old)).is_empty());
        assert_eq!(PodStrategy.validate(&bad, Some(&old)).len(), 1);
    }
}
