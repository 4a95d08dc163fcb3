//! Events about pods, as the scheduler and the kubelet record them (core/v1 Events,
//! which `kubectl describe` and `kubectl get events` read).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::UNIX_EPOCH;

use serde_json::{Value, json};

use crate::meta::ObjectExt;
use crate::objects::{Objects, WriteOptions};
use crate::time::{rfc3339, rfc3339_micro};

/// Who records an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporter {
    /// `default-scheduler` (binding).
    Scheduler,
    /// `kubelet` on the node (containers).
    Kubelet,
}

impl Reporter {
    fn component(self) -> &'static str {
        match self {
            Reporter::Scheduler => "default-scheduler",
            Reporter::Kubelet => "kubelet",
        }
    }
}

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Normal.
    Normal,
    /// Warning.
    Warning,
}

/// Makes event names unique even when the clock stands still.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// Records one event about `pod`; `container` names the subobject
/// (`spec.containers{name}`). Failures are logged, never fatal.
pub fn record(
    objects: &Objects,
    pod: &Value,
    container: Option<&str>,
    reporter: Reporter,
    kind: EventType,
    reason: &str,
    message: &str,
) {
    let Some(rt) = objects.registry().get("", "v1", "events") else {
        return;
    };
    let namespace = pod.namespace().unwrap_or("default");
    let pod_name = pod.name().unwrap_or("");
    let now = objects.clock().now();
    let nanos = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let name = format!(
        "{pod_name}.{:x}",
        nanos.wrapping_add(SEQUENCE.fetch_add(1, Ordering::Relaxed))
    );
    let mut involved = json!({
        "kind": "Pod",
        "namespace": namespace,
        "name": pod_name,
        "uid": pod.uid().unwrap_or(""),
        "apiVersion": "v1",
        "resourceVersion": pod.resource_version().unwrap_or(""),
    });
    if let Some(c) = container
        && let Some(map) = involved.as_object_mut()
    {
        map.insert("fieldPath".into(), json!(format!("spec.containers{{{c}}}")));
    }
    let (host, instance) = match reporter {
        Reporter::Kubelet => (Some(super::NODE_NAME), super::NODE_NAME.to_string()),
        Reporter::Scheduler => (None, format!("default-scheduler-{}", super::NODE_NAME)),
    };
    let mut source = json!({"component": reporter.component()});
    if let (Some(h), Some(map)) = (host, source.as_object_mut()) {
        map.insert("host".into(), json!(h));
    }
    let mut event = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": namespace},
        "involvedObject": involved,
        "reason": reason,
        "message": message,
        "source": source,
        "firstTimestamp": rfc3339(now),
        "lastTimestamp": rfc3339(now),
        "count": 1,
        "type": match kind { EventType::Normal => "Normal", EventType::Warning => "Warning" },
        "reportingComponent": reporter.component(),
        "reportingInstance": instance,
    });
    if reporter == Reporter::Scheduler
        && let Some(map) = event.as_object_mut()
    {
        // The scheduler writes events.k8s.io/v1 Events: an eventTime and an action.
        map.insert("eventTime".into(), json!(rfc3339_micro(now)));
        map.insert("action".into(), json!("Binding"));
    }
    let opts = WriteOptions {
        field_manager: reporter.component().to_string(),
        ..WriteOptions::default()
    };
    if let Err(e) = objects.create(&rt, namespace, event, &opts) {
        tracing::debug!(%namespace, pod = pod_name, %reason, error = %e, "recording an event failed");
    }
}
