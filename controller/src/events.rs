//! Kubernetes Events (events.k8s.io/v1), stamped with the controller's clock.
//!
//! kube-runtime's `Recorder` reads the system time; in the lab the virtual clock must
//! stamp events too, or `kubectl get events` would show them days away from the objects
//! they are about. Semantics follow client-go's event recorder: the first occurrence
//! creates an Event named `<object>.<nanos in hex>`; repeats of the same event within
//! six minutes update its `series` (count, lastObservedTime) instead.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use certlab_clock::SharedClock;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::{Event, EventSeries};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::api::{Api, ObjectMeta, Patch, PatchParams, PostParams};
use tokio::sync::Mutex;

/// How long a repeat counts as the same series.
const SERIES_WINDOW: Duration = Duration::from_secs(6 * 60);

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Something expected happened.
    Normal,
    /// Something went wrong.
    Warning,
}

impl EventType {
    fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    uid: String,
    namespace: String,
    name: String,
    type_: &'static str,
    reason: String,
    action: String,
    note: String,
}

#[derive(Debug, Clone)]
struct Seen {
    event_name: String,
    event_namespace: String,
    count: i32,
    last: SystemTime,
}

/// Publishes events for one reporting controller.
pub struct Recorder {
    client: kube::Client,
    controller: String,
    instance: String,
    clock: SharedClock,
    seen: Mutex<HashMap<Key, Seen>>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("controller", &self.controller)
            .finish_non_exhaustive()
    }
}

fn micro(t: SystemTime) -> MicroTime {
    MicroTime(jiff::Timestamp::try_from(t).unwrap_or(jiff::Timestamp::UNIX_EPOCH))
}

impl Recorder {
    /// A recorder reporting as `controller` (`reportingController`, shown as FROM in
    /// `kubectl describe`) from `instance`.
    pub fn new(client: kube::Client, controller: &str, instance: &str, clock: SharedClock) -> Self {
        Self {
            client,
            controller: controller.to_string(),
            instance: instance.to_string(),
            clock,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The reporting controller name.
    pub fn controller(&self) -> &str {
        &self.controller
    }

    /// Publishes an event about `regarding`. Failures are logged, not returned: an event
    /// that cannot be written must never fail a reconcile.
    pub async fn publish(
        &self,
        regarding: &ObjectReference,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
    ) {
        if let Err(e) = self
            .try_publish(regarding, type_, reason, action, note)
            .await
        {
            tracing::warn!(error = %e, %reason, "publishing an event failed");
        }
    }

    async fn try_publish(
        &self,
        regarding: &ObjectReference,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
    ) -> Result<(), kube::Error> {
        let now = self.clock.now();
        // Events about cluster-scoped objects live in `default`, as client-go puts them.
        let namespace = regarding
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".to_string());
        let key = Key {
            uid: regarding.uid.clone().unwrap_or_default(),
            namespace: namespace.clone(),
            name: regarding.name.clone().unwrap_or_default(),
            type_: type_.as_str(),
            reason: reason.to_string(),
            action: action.to_string(),
            note: note.to_string(),
        };
        let mut seen = self.seen.lock().await;
        seen.retain(|_, s| now.duration_since(s.last).unwrap_or_default() < SERIES_WINDOW);
        let api: Api<Event> = Api::namespaced(self.client.clone(), &namespace);
        if let Some(s) = seen.get_mut(&key) {
            s.count += 1;
            s.last = now;
            let patch = serde_json::json!({"series": EventSeries { count: s.count, last_observed_time: micro(now) }});
            let api: Api<Event> = Api::namespaced(self.client.clone(), &s.event_namespace);
            match api
                .patch(&s.event_name, &PatchParams::default(), &Patch::Merge(patch))
                .await
            {
                Ok(_) => return Ok(()),
                // The event was deleted (TTL, namespace deletion): start a new one.
                Err(kube::Error::Api(e)) if e.code == 404 => {
                    seen.remove(&key);
                }
                Err(e) => return Err(e),
            }
        }
        let nanos = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let event_name = format!(
            "{}.{nanos:x}",
            regarding.name.as_deref().unwrap_or("object")
        );
        let event = Event {
            metadata: ObjectMeta {
                name: Some(event_name.clone()),
                namespace: Some(namespace.clone()),
                ..Default::default()
            },
            event_time: Some(micro(now)),
            action: Some(action.to_string()),
            reason: Some(reason.to_string()),
            note: Some(truncate(note, 1024)),
            type_: Some(type_.as_str().to_string()),
            regarding: Some(regarding.clone()),
            reporting_controller: Some(self.controller.clone()),
            reporting_instance: Some(self.instance.clone()),
            ..Default::default()
        };
        api.create(&PostParams::default(), &event).await?;
        seen.insert(
            key,
            Seen {
                event_name,
                event_namespace: namespace,
                count: 1,
                last: now,
            },
        );
        Ok(())
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s[..cut].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::Resource;

    #[tokio::test]
    async fn events_are_created_then_counted_in_a_series() {
        let cluster = certlab_cluster::Cluster::builder().start().await.unwrap();
        let clock = certlab_clock::VirtualClock::flowing(
            SystemTime::now() + Duration::from_secs(86_400 * 61),
        );
        let recorder = Recorder::new(
            cluster.client(),
            "cert-manager-certificates-trigger",
            "test",
            clock.shared(),
        );
        let cms: Api<ConfigMap> = Api::default_namespaced(cluster.client());
        let mut cm = ConfigMap::default();
        cm.metadata.name = Some("subject".into());
        let cm = cms.create(&PostParams::default(), &cm).await.unwrap();
        let reference = cm.object_ref(&());
        for _ in 0..3 {
            recorder
                .publish(
                    &reference,
                    EventType::Normal,
                    "Issuing",
                    "Issuing",
                    "Issuing certificate as Secret does not exist",
                )
                .await;
        }
        recorder
            .publish(
                &reference,
                EventType::Warning,
                "Failed",
                "Issuing",
                "something else",
            )
            .await;
        let events: Api<Event> = Api::default_namespaced(cluster.client());
        let list = events.list(&Default::default()).await.unwrap();
        assert_eq!(list.items.len(), 2);
        let issuing = list
            .items
            .iter()
            .find(|e| e.reason.as_deref() == Some("Issuing"))
            .unwrap();
        assert_eq!(issuing.series.as_ref().unwrap().count, 3);
        assert_eq!(
            issuing.reporting_controller.as_deref(),
            Some("cert-manager-certificates-trigger")
        );
        let stamped = SystemTime::from(issuing.event_time.as_ref().unwrap().0);
        assert!(
            stamped > SystemTime::now() + Duration::from_secs(86_400 * 60),
            "stamped with the virtual clock"
        );
        // kubectl describe reads the core/v1 view, filtered by the object's uid.
        let core: Api<k8s_openapi::api::core::v1::Event> =
            Api::default_namespaced(cluster.client());
        let uid = cm.metadata.uid.unwrap();
        let selected = core
            .list(&kube::api::ListParams::default().fields(&format!(
                "involvedObject.uid={uid},involvedObject.name=subject"
            )))
            .await
            .unwrap();
        assert_eq!(selected.items.len(), 2);
    }
}
