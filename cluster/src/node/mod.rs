//! The emulated node `certlab-node`: what the scheduler, the kubelet and the
//! endpoints controller do for a real cluster, for pods whose images a registered
//! [`ContainerRuntime`] runs.
//!
//! - Every new pod (no `spec.nodeName`, or ours) is bound to the node, gets its own
//!   loopback pod IP ([`ipam`]) and, when every container's image is runnable, its
//!   containers are started through the runtimes and supervised (restarts per
//!   `restartPolicy`); its status follows (`Running`, `Ready`, container statuses)
//!   and the scheduler's and kubelet's events are recorded.
//! - A pod with an image no runtime runs stays `Pending` with its containers waiting
//!   in `ErrImagePull` and one Warning event; it is retried when its images change.
//! - A pod marked for deletion has its containers stopped, then is removed for good
//!   (the kubelet's confirmation); a pod removed directly has its containers stopped.
//!   Either way its IP is released.
//! - [`endpoints`] keeps an `Endpoints` object per selecting Service.
//!
//! One task follows the store's changes; each pod has a worker task of its own.

pub mod endpoints;
mod env;
pub mod events;
pub mod ipam;
mod pod;
pub mod runtime;
pub mod status;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use runtime::{
    ContainerExit, ContainerPort, ContainerRuntime, ContainerStart, RunningContainer, Runtimes,
};

use crate::meta::ObjectExt;
use crate::objects::Objects;
use crate::status::GroupResource;
use crate::store::{Change, EventType, Interest, ObjectKey, StoreError, rv_of};

/// The name of the one emulated node.
pub const NODE_NAME: &str = "certlab-node";
/// The node's address (`status.hostIP`).
pub const HOST_IP: &str = "127.0.0.1";
/// How often the node re-checks every pod and Service.
const RESYNC: Duration = Duration::from_secs(10);
/// How long the node waits for a pod's containers to stop before removing it anyway.
const TERMINATION_WAIT: Duration = Duration::from_secs(10);

fn pods() -> GroupResource {
    GroupResource::new("", "pods")
}

/// A pod the node has accepted.
struct Tracked {
    /// Its images when accepted (a blocked pod is retried when they change).
    images: Vec<String>,
    /// Its address; released when the pod is done with.
    ip: ipam::PodIp,
    /// Stops its containers.
    stop: CancellationToken,
    /// Its worker.
    task: JoinHandle<()>,
}

/// The node's state: the pods it runs, by uid.
struct Node {
    objects: Arc<Objects>,
    runtimes: Arc<Runtimes>,
    pods: HashMap<String, Tracked>,
}

/// Runs the node (and the endpoints controller) until `stop` is cancelled; then
/// stops every container.
pub async fn run(objects: Arc<Objects>, runtimes: Runtimes, stop: CancellationToken) {
    let mut node = Node {
        objects: objects.clone(),
        runtimes: Arc::new(runtimes),
        pods: HashMap::new(),
    };
    loop {
        let sub = objects
            .store()
            .subscribe_with_capacity(Interest::All, None, 1 << 20);
        let Ok(mut sub) = sub else {
            node.shutdown();
            return;
        };
        node.resync();
        let mut ticker = tokio::time::interval(RESYNC);
        ticker.tick().await;
        loop {
            tokio::select! {
                () = stop.cancelled() => {
                    node.shutdown();
                    return;
                }
                change = sub.live.recv() => match change {
                    Some(change) => node.react(&change),
                    // Cut off for falling behind: subscribe again and resync.
                    None => break,
                },
                _ = ticker.tick() => node.resync(),
            }
        }
    }
}

impl Node {
    fn react(&mut self, change: &Change) {
        let resource = &change.resource;
        if !resource.group.is_empty() {
            return;
        }
        match resource.resource.as_str() {
            "pods" => {
                match change.kind {
                    EventType::Deleted => {
                        if let Some(uid) = change.object.uid()
                            && let Some(tracked) = self.pods.remove(uid)
                        {
                            tokio::spawn(terminate(self.objects.clone(), tracked, None));
                        }
                    }
                    EventType::Added | EventType::Modified => self.pod_changed(&change.object),
                }
                endpoints::pod_changed(&self.objects, &change.object, change.old.as_deref());
            }
            "services" => match change.kind {
                EventType::Deleted => endpoints::service_deleted(&self.objects, &change.object),
                _ => endpoints::sync_service(&self.objects, &change.object),
            },
            "endpoints" if change.kind == EventType::Deleted => {
                endpoints::endpoints_deleted(&self.objects, &change.object);
            }
            _ => {}
        }
    }

    fn resync(&mut self) {
        let (items, _) = self.objects.store().list(&pods(), None, None);
        let live: std::collections::HashSet<String> = items
            .iter()
            .filter_map(|p| p.uid().map(str::to_string))
            .collect();
        let gone: Vec<String> = self
            .pods
            .keys()
            .filter(|uid| !live.contains(*uid))
            .cloned()
            .collect();
        for uid in gone {
            if let Some(tracked) = self.pods.remove(&uid) {
                tokio::spawn(terminate(self.objects.clone(), tracked, None));
            }
        }
        for pod in items {
            self.pod_changed(&pod);
        }
        endpoints::resync(&self.objects);
    }

    /// A pod was created or changed.
    fn pod_changed(&mut self, pod: &Arc<Value>) {
        let Some(uid) = pod.uid().map(str::to_string) else {
            return;
        };
        let node_name = pod.str_at("spec.nodeName").unwrap_or("");
        if !node_name.is_empty() && node_name != NODE_NAME {
            return;
        }
        if pod.is_deleting() {
            let tracked = self.pods.remove(&uid);
            if tracked.is_some() || node_name == NODE_NAME {
                let key = ObjectKey::new(pod.namespace().unwrap_or(""), pod.name().unwrap_or(""));
                tokio::spawn(terminate(self.objects.clone(), tracked, Some((key, uid))));
            }
            return;
        }
        let images = pod::images(pod);
        let terminal = matches!(pod.str_at("status.phase"), Some("Succeeded" | "Failed"));
        if let Some(tracked) = self.pods.get(&uid) {
            // A pod whose worker gave up (images no runtime runs) is retried when its
            // images change.
            if tracked.images == images || !tracked.task.is_finished() || terminal {
                return;
            }
            if let Some(old) = self.pods.remove(&uid) {
                self.start(pod, uid, images, old.ip);
            }
            return;
        }
        if terminal {
            return;
        }
        let probes: Vec<ipam::Probe> = pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|c| {
                c.get("ports")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|p| {
                let port = u16::try_from(p.get("containerPort")?.as_u64()?).ok()?;
                Some(match p.str_at("protocol") {
                    Some("UDP") => ipam::Probe::Udp(port),
                    _ => ipam::Probe::Tcp(port),
                })
            })
            .collect();
        let Some(ip) = ipam::allocate(&probes) else {
            tracing::warn!(
                namespace = pod.namespace().unwrap_or(""),
                pod = pod.name().unwrap_or(""),
                "no free pod IP; the pod waits"
            );
            return;
        };
        self.start(pod, uid, images, ip);
    }

    fn start(&mut self, pod: &Arc<Value>, uid: String, images: Vec<String>, ip: ipam::PodIp) {
        let stop = CancellationToken::new();
        let task = tokio::spawn(pod::run(
            self.objects.clone(),
            self.runtimes.clone(),
            pod.clone(),
            ip.addr(),
            stop.clone(),
        ));
        self.pods.insert(
            uid,
            Tracked {
                images,
                ip,
                stop,
                task,
            },
        );
    }

    /// Stops every container (the cluster is shutting down).
    fn shutdown(&mut self) {
        for (_, tracked) in self.pods.drain() {
            tracked.stop.cancel();
            drop(tracked.ip);
        }
    }
}

/// Stops a pod's containers, then (for a pod marked for deletion) removes it for
/// good, then releases its IP.
async fn terminate(
    objects: Arc<Objects>,
    tracked: impl Into<Option<Tracked>>,
    remove: Option<(ObjectKey, String)>,
) {
    let tracked: Option<Tracked> = tracked.into();
    let mut ip = None;
    if let Some(t) = tracked {
        t.stop.cancel();
        if tokio::time::timeout(TERMINATION_WAIT, t.task)
            .await
            .is_err()
        {
            tracing::warn!("a pod's containers did not stop in time; removing it anyway");
        }
        ip = Some(t.ip);
    }
    if let Some((key, uid)) = remove {
        finish_deletion(&objects, &key, &uid);
    }
    drop(ip);
}

/// Removes a pod marked for deletion whose finalizers are done (grace period 0).
fn finish_deletion(objects: &Objects, key: &ObjectKey, uid: &str) {
    for _ in 0..5 {
        let Some(current) = objects.store().get(&pods(), key) else {
            return;
        };
        if current.uid() != Some(uid) || !current.is_deleting() || !current.finalizers().is_empty()
        {
            // Finalizers still hold it: the last one's removal deletes it.
            return;
        }
        match objects.store().delete(&pods(), key, rv_of(&current)) {
            Ok(_) | Err(StoreError::NotFound) => return,
            Err(StoreError::Conflict) => continue,
            Err(e) => {
                tracing::warn!(namespace = %key.namespace, pod = %key.name, error = %e, "removing the pod failed");
                return;
            }
        }
    }
}
