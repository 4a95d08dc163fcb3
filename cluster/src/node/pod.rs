//! One pod on the node, from binding to the end of its containers: the work the
//! scheduler and the kubelet do for it.

use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::events::{self, EventType, Reporter};
use super::runtime::{ContainerExit, ContainerPort, ContainerRuntime, ContainerStart, Runtimes};
use super::status::{ContainerState, ContainerView, Phase, PodView};
use super::{NODE_NAME, env};
use crate::meta::ObjectExt;
use crate::objects::{Objects, PatchKind, Subresource, WriteOptions};

/// The first restart back-off; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest restart back-off.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How long a stopping container gets to exit before the node moves on.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// What a pod worker shares with its container supervisors.
struct Shared {
    objects: Arc<Objects>,
    namespace: String,
    name: String,
    uid: String,
    view: Mutex<PodView>,
}

impl Shared {
    /// Changes the view and writes the resulting status (under one lock, so writes
    /// land in the order the changes happened).
    fn update(&self, change: impl FnOnce(&mut PodView)) {
        let mut view = self.view.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut view);
        let now = self.objects.clock().now();
        view.refresh_conditions(now);
        write_status(
            &self.objects,
            &self.namespace,
            &self.name,
            &self.uid,
            view.render(),
        );
    }
}

fn options() -> WriteOptions {
    WriteOptions {
        field_manager: "kubelet".into(),
        ..WriteOptions::default()
    }
}

/// Merges `status` into the pod's status, if the pod is still the same one.
fn write_status(objects: &Objects, namespace: &str, name: &str, uid: &str, status: Value) {
    let Some(rt) = objects.registry().get("", "v1", "pods") else {
        return;
    };
    let patch = json!({"metadata": {"uid": uid}, "status": status});
    let bytes = serde_json::to_vec(&patch).unwrap_or_default();
    if let Err(e) = objects.patch(
        &rt,
        namespace,
        name,
        PatchKind::Merge,
        &bytes,
        Subresource::Status,
        &options(),
    ) {
        tracing::debug!(%namespace, pod = %name, error = %e, "writing the pod status failed");
    }
}

/// Binds the pod to the node as the scheduler does. Returns false when the pod is gone.
fn bind(objects: &Objects, pod: &Value) -> bool {
    if pod.str_at("spec.nodeName").is_some_and(|n| !n.is_empty()) {
        return true;
    }
    let Some(rt) = objects.registry().get("", "v1", "pods") else {
        return false;
    };
    let namespace = pod.namespace().unwrap_or("");
    let name = pod.name().unwrap_or("");
    let patch = json!({"metadata": {"uid": pod.uid()}, "spec": {"nodeName": NODE_NAME}});
    let bytes = serde_json::to_vec(&patch).unwrap_or_default();
    let opts = WriteOptions {
        field_manager: "default-scheduler".into(),
        ..WriteOptions::default()
    };
    match objects.patch(
        &rt,
        namespace,
        name,
        PatchKind::Merge,
        &bytes,
        Subresource::Main,
        &opts,
    ) {
        Ok(_) => {
            events::record(
                objects,
                pod,
                None,
                Reporter::Scheduler,
                EventType::Normal,
                "Scheduled",
                &format!("Successfully assigned {namespace}/{name} to {NODE_NAME}"),
            );
            true
        }
        Err(e) => {
            tracing::debug!(%namespace, pod = %name, error = %e, "binding the pod failed");
            false
        }
    }
}

/// The images of a pod's init containers and containers, in spec order.
pub(super) fn images(pod: &Value) -> Vec<String> {
    list(pod, "initContainers")
        .iter()
        .chain(containers(pod).iter())
        .map(|c| c.str_at("image").unwrap_or("").to_string())
        .collect()
}

fn containers(pod: &Value) -> Vec<Value> {
    list(pod, "containers")
}

fn list(pod: &Value, field: &str) -> Vec<Value> {
    pod.get("spec")
        .and_then(|s| s.get(field))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Which container of the pod view a supervisor drives.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// `spec.containers[i]`.
    Main(usize),
    /// `spec.initContainers[i]`.
    Init(usize),
}

impl Slot {
    fn of(self, view: &mut PodView) -> Option<&mut ContainerView> {
        match self {
            Slot::Main(i) => view.containers.get_mut(i),
            Slot::Init(i) => view.init_containers.get_mut(i),
        }
    }
}

fn declared_ports(container: &Value) -> Vec<ContainerPort> {
    container
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let port = u16::try_from(p.get("containerPort")?.as_u64()?).ok()?;
            Some(ContainerPort {
                name: p.str_at("name").map(str::to_string),
                container_port: port,
                protocol: p.str_at("protocol").unwrap_or("TCP").to_string(),
            })
        })
        .collect()
}

fn container_id() -> String {
    let bytes: [u8; 32] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("certlab://{hex}")
}

/// Runs one pod until `stop` is cancelled or its containers are done for good.
pub(super) async fn run(
    objects: Arc<Objects>,
    runtimes: Arc<Runtimes>,
    pod: Arc<Value>,
    ip: Ipv4Addr,
    stop: CancellationToken,
) {
    if !bind(&objects, &pod) {
        return;
    }
    let namespace = pod.namespace().unwrap_or("").to_string();
    let name = pod.name().unwrap_or("").to_string();
    type Plan = Vec<(Value, Option<Arc<dyn ContainerRuntime>>)>;
    let plan_of = |field: &str| -> Plan {
        list(&pod, field)
            .into_iter()
            .map(|c| {
                let runtime = runtimes.for_image(c.str_at("image").unwrap_or("")).cloned();
                (c, runtime)
            })
            .collect()
    };
    let init_plan = plan_of("initContainers");
    let plan = plan_of("containers");
    let unknown: Vec<String> = init_plan
        .iter()
        .chain(plan.iter())
        .filter(|(_, r)| r.is_none())
        .map(|(c, _)| c.str_at("image").unwrap_or("").to_string())
        .collect();
    let can_run = runtimes.describe();
    let first_reason = if init_plan.is_empty() {
        "ContainerCreating"
    } else {
        "PodInitializing"
    };
    let views_of = |plan: &Plan, init: bool| -> Vec<ContainerView> {
        plan.iter()
            .map(|(c, r)| {
                let cname = c.str_at("name").unwrap_or("");
                let image = c.str_at("image").unwrap_or("");
                let mut view = match r {
                    Some(_) => ContainerView::waiting(cname, image, true, first_reason, None),
                    None => ContainerView::waiting(
                        cname,
                        image,
                        false,
                        "ErrImagePull",
                        Some(unknown_image_message(image, &can_run)),
                    ),
                };
                view.init = init;
                view
            })
            .collect()
    };
    let now = objects.clock().now();
    let qos = pod
        .str_at("status.qosClass")
        .unwrap_or("BestEffort")
        .to_string();
    let mut view = PodView::new(ip, now, views_of(&plan, false), &qos);
    view.init_containers = views_of(&init_plan, true);
    let shared = Arc::new(Shared {
        objects: objects.clone(),
        namespace: namespace.clone(),
        name: name.clone(),
        uid: pod.uid().unwrap_or("").to_string(),
        view: Mutex::new(view),
    });
    shared.update(|_| {});
    if !unknown.is_empty() {
        // Never pretend: the pod stays Pending until its spec changes.
        for (c, r) in init_plan.iter().chain(plan.iter()) {
            if r.is_none() {
                let image = c.str_at("image").unwrap_or("");
                events::record(
                    &objects,
                    &pod,
                    c.str_at("name"),
                    Reporter::Kubelet,
                    EventType::Warning,
                    "Failed",
                    &format!(
                        "Failed to pull image \"{image}\": {}",
                        unknown_image_message(image, &can_run)
                    ),
                );
            }
        }
        tracing::info!(%namespace, pod = %name, images = ?unknown, "pod stays Pending: no container runtime runs its images");
        return;
    }
    let pod_policy = pod
        .str_at("spec.restartPolicy")
        .unwrap_or("Always")
        .to_string();
    let mut tasks = tokio::task::JoinSet::new();
    // Init containers one after the other; sidecars (restartPolicy: Always) keep
    // running beside the rest.
    for (index, (container, runtime)) in init_plan.into_iter().enumerate() {
        let Some(runtime) = runtime else { continue };
        let slot = Slot::Init(index);
        if container.str_at("restartPolicy") == Some("Always") {
            tasks.spawn(supervise(
                shared.clone(),
                pod.clone(),
                slot,
                "Always".into(),
                container,
                runtime,
                ip,
                stop.clone(),
            ));
            continue;
        }
        // An init container is retried until it succeeds, unless the pod never restarts.
        let policy = if pod_policy == "Never" {
            "Never"
        } else {
            "OnFailure"
        };
        supervise(
            shared.clone(),
            pod.clone(),
            slot,
            policy.into(),
            container,
            runtime,
            ip,
            stop.clone(),
        )
        .await;
        if stop.is_cancelled() {
            return;
        }
        let completed = {
            let mut view = shared.view.lock().unwrap_or_else(|e| e.into_inner());
            slot.of(&mut view).is_some_and(|c| c.completed())
        };
        if !completed {
            shared.update(|view| view.phase = Phase::Failed);
            return;
        }
    }
    if !shared
        .view
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .init_containers
        .is_empty()
    {
        shared.update(|view| {
            for c in &mut view.containers {
                c.state = ContainerState::Waiting {
                    reason: "ContainerCreating".into(),
                    message: None,
                };
            }
        });
    }
    for (index, (container, runtime)) in plan.into_iter().enumerate() {
        let Some(runtime) = runtime else { continue };
        tasks.spawn(supervise(
            shared.clone(),
            pod.clone(),
            Slot::Main(index),
            pod_policy.clone(),
            container,
            runtime,
            ip,
            stop.clone(),
        ));
    }
    while tasks.join_next().await.is_some() {}
    if stop.is_cancelled() {
        return;
    }
    // Every container ended for good: the pod is done.
    shared.update(|view| {
        let failed = view.containers.iter().any(
            |c| matches!(c.state, ContainerState::Terminated { exit_code, .. } if exit_code != 0),
        );
        view.phase = if failed {
            Phase::Failed
        } else {
            Phase::Succeeded
        };
    });
}

/// The message of a container whose image no runtime runs.
fn unknown_image_message(image: &str, can_run: &str) -> String {
    format!(
        "image \"{image}\" cannot run on the emulated node {NODE_NAME}: it runs only the images of its registered container runtimes ({can_run})"
    )
}

/// Whether a container that ended with `exit` restarts under `policy`.
fn restarts(policy: &str, exit: &ContainerExit) -> bool {
    match policy {
        "Never" => false,
        "OnFailure" => exit.code != 0,
        _ => true,
    }
}

/// Runs one container, restarting it per the pod's `restartPolicy`, until the pod
/// stops or the container is done for good.
#[allow(clippy::too_many_arguments)]
async fn supervise(
    shared: Arc<Shared>,
    pod: Arc<Value>,
    slot: Slot,
    policy: String,
    container: Value,
    runtime: Arc<dyn ContainerRuntime>,
    ip: Ipv4Addr,
    stop: CancellationToken,
) {
    let objects = shared.objects.clone();
    let cname = container.str_at("name").unwrap_or("").to_string();
    let image = container.str_at("image").unwrap_or("").to_string();
    let ip_text = ip.to_string();
    let env = env::container_env(&objects, &pod, &container, &ip_text);
    let start = ContainerStart {
        namespace: shared.namespace.clone(),
        pod_name: shared.name.clone(),
        pod_uid: shared.uid.clone(),
        container: cname.clone(),
        image: image.clone(),
        command: env::expanded_list(&container, "command", &env),
        args: env::expanded_list(&container, "args", &env),
        env,
        ports: declared_ports(&container),
        pod_ip: ip,
        stop: CancellationToken::new(),
    };
    let record = |kind: EventType, reason: &str, message: &str| {
        events::record(
            &objects,
            &pod,
            Some(&cname),
            Reporter::Kubelet,
            kind,
            reason,
            message,
        );
    };
    record(
        EventType::Normal,
        "Pulled",
        &format!("Container image \"{image}\" already present on machine"),
    );
    let mut backoff = FIRST_BACKOFF;
    loop {
        let token = stop.child_token();
        let this_start = ContainerStart {
            stop: token.clone(),
            ..start.clone()
        };
        let id = container_id();
        record(
            EventType::Normal,
            "Created",
            &format!("Created container: {cname}"),
        );
        let mut started_at = objects.clock().now();
        let started = tokio::select! {
            r = runtime.start(this_start) => r,
            () = stop.cancelled() => {
                token.cancel();
                return;
            }
        };
        let (exit, never_started) = match started {
            Ok(running) => {
                started_at = objects.clock().now();
                shared.update(|view| {
                    if let Some(c) = slot.of(view) {
                        c.state = ContainerState::Running { started_at };
                        c.container_id = Some(id.clone());
                    }
                    if matches!(slot, Slot::Main(_)) && view.containers.iter().all(|c| {
                        !matches!(c.state, ContainerState::Waiting { ref reason, .. } if reason == "ContainerCreating")
                    }) {
                        view.phase = Phase::Running;
                    }
                });
                record(
                    EventType::Normal,
                    "Started",
                    &format!("Started container {cname}"),
                );
                let mut exit = running.wait();
                tokio::select! {
                    e = &mut exit => (e, false),
                    () = stop.cancelled() => {
                        record(EventType::Normal, "Killing", &format!("Stopping container {cname}"));
                        token.cancel();
                        if tokio::time::timeout(STOP_GRACE, exit).await.is_err() {
                            tracing::warn!(namespace = %shared.namespace, pod = %shared.name, container = %cname, "container did not stop in time");
                        }
                        return;
                    }
                }
            }
            Err(message) => {
                record(EventType::Warning, "Failed", &format!("Error: {message}"));
                (
                    ContainerExit {
                        code: 128,
                        message: Some(message),
                    },
                    true,
                )
            }
        };
        token.cancel();
        let finished_at = objects.clock().now();
        let reason = if never_started {
            "StartError"
        } else {
            exit.reason()
        };
        let terminated = ContainerState::Terminated {
            exit_code: exit.code,
            reason: reason.to_string(),
            message: exit.message.clone(),
            started_at,
            finished_at,
            container_id: id.clone(),
        };
        tracing::info!(namespace = %shared.namespace, pod = %shared.name, container = %cname, code = exit.code, "container exited");
        if !restarts(&policy, &exit) {
            shared.update(|view| {
                if let Some(c) = slot.of(view) {
                    c.state = terminated;
                }
            });
            return;
        }
        let wait = backoff;
        backoff = (backoff * 2).min(MAX_BACKOFF);
        shared.update(|view| {
            if let Some(c) = slot.of(view) {
                c.last_state = Some(terminated);
                c.state = ContainerState::Waiting {
                    reason: "CrashLoopBackOff".into(),
                    message: Some(format!(
                        "back-off {}ms restarting failed container={cname} pod={}_{}({})",
                        wait.as_millis(),
                        shared.name,
                        shared.namespace,
                        shared.uid
                    )),
                };
            }
        });
        record(
            EventType::Warning,
            "BackOff",
            &format!(
                "Back-off restarting failed container {cname} in pod {}_{}({})",
                shared.name, shared.namespace, shared.uid
            ),
        );
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = stop.cancelled() => return,
        }
        shared.update(|view| {
            if let Some(c) = slot.of(view) {
                c.restart_count = c.restart_count.saturating_add(1);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_policies() {
        let ok = ContainerExit::success();
        let bad = ContainerExit::failed(1, "boom");
        assert!(restarts("Always", &ok) && restarts("Always", &bad));
        assert!(!restarts("OnFailure", &ok) && restarts("OnFailure", &bad));
        assert!(!restarts("Never", &ok) && !restarts("Never", &bad));
    }

    #[test]
    fn ports_are_read_leniently() {
        let c = json!({"ports": [{"containerPort": 8089, "name": "http"}, {"containerPort": 70000}, {"name": "x"}]});
        let ports = declared_ports(&c);
        assert_eq!(ports.len(), 1);
        assert_eq!(ports[0].container_port, 8089);
        assert_eq!(ports[0].name.as_deref(), Some("http"));
        assert_eq!(ports[0].protocol, "TCP");
    }
}
