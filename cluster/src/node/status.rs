//! A pod's status as the kubelet reports it: phase, conditions, IPs and container
//! statuses, rendered from the node's own view of its containers.

use std::net::Ipv4Addr;
use std::time::SystemTime;

use serde_json::{Map, Value, json};

use crate::time::rfc3339;

/// The state of one container (`containerStatuses[].state`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerState {
    /// Not running yet (or between restarts).
    Waiting {
        /// `ContainerCreating`, `ErrImagePull`, `CrashLoopBackOff`, …
        reason: String,
        /// A message, if any.
        message: Option<String>,
    },
    /// Running since `started_at`.
    Running {
        /// When it started.
        started_at: SystemTime,
    },
    /// Ended.
    Terminated {
        /// The exit code.
        exit_code: i32,
        /// `Completed`, `Error`, `StartError`.
        reason: String,
        /// A message, if any.
        message: Option<String>,
        /// When it started (the stop time when it never started).
        started_at: SystemTime,
        /// When it ended.
        finished_at: SystemTime,
        /// The container's id.
        container_id: String,
    },
}

impl ContainerState {
    fn render(&self) -> Value {
        match self {
            ContainerState::Waiting { reason, message } => {
                let mut w = Map::new();
                w.insert("reason".into(), json!(reason));
                if let Some(m) = message {
                    w.insert("message".into(), json!(m));
                }
                json!({"waiting": w})
            }
            ContainerState::Running { started_at } => {
                json!({"running": {"startedAt": rfc3339(*started_at)}})
            }
            ContainerState::Terminated {
                exit_code,
                reason,
                message,
                started_at,
                finished_at,
                container_id,
            } => {
                let mut t = Map::new();
                t.insert("exitCode".into(), json!(exit_code));
                t.insert("reason".into(), json!(reason));
                if let Some(m) = message {
                    t.insert("message".into(), json!(m));
                }
                t.insert("startedAt".into(), json!(rfc3339(*started_at)));
                t.insert("finishedAt".into(), json!(rfc3339(*finished_at)));
                t.insert("containerID".into(), json!(container_id));
                json!({"terminated": t})
            }
        }
    }
}

/// The node's view of one container.
#[derive(Debug, Clone)]
pub struct ContainerView {
    /// The container's name.
    pub name: String,
    /// Its image.
    pub image: String,
    /// Whether the image runs on this node (`imageID` is only known then).
    pub runnable: bool,
    /// Its current state.
    pub state: ContainerState,
    /// Its previous state (after a restart).
    pub last_state: Option<ContainerState>,
    /// How often it was restarted.
    pub restart_count: u32,
    /// The id of the current (or last) run, `certlab://<hex>`.
    pub container_id: Option<String>,
    /// Whether it is an init container (ready once it completed).
    pub init: bool,
}

impl ContainerView {
    /// A container that has not started yet.
    pub fn waiting(
        name: &str,
        image: &str,
        runnable: bool,
        reason: &str,
        message: Option<String>,
    ) -> Self {
        Self {
            name: name.to_string(),
            image: image.to_string(),
            runnable,
            state: ContainerState::Waiting {
                reason: reason.to_string(),
                message,
            },
            last_state: None,
            restart_count: 0,
            container_id: None,
            init: false,
        }
    }

    /// Whether it counts as ready: running, or (an init container) completed.
    pub fn is_ready(&self) -> bool {
        self.is_running() || self.completed()
    }

    /// Whether it is an init container that ended successfully.
    pub fn completed(&self) -> bool {
        self.init && matches!(self.state, ContainerState::Terminated { exit_code: 0, .. })
    }

    /// Whether it is running (and so ready: the node runs no readiness probes; a
    /// runtime resolves its start once the container listens).
    pub fn is_running(&self) -> bool {
        matches!(self.state, ContainerState::Running { .. })
    }

    fn render(&self) -> Value {
        let mut c = Map::new();
        c.insert("name".into(), json!(self.name));
        c.insert("image".into(), json!(self.image));
        c.insert(
            "imageID".into(),
            json!(if self.runnable {
                format!("certlab://{}", self.image)
            } else {
                String::new()
            }),
        );
        if let Some(id) = &self.container_id {
            c.insert("containerID".into(), json!(id));
        }
        c.insert("state".into(), self.state.render());
        c.insert(
            "lastState".into(),
            self.last_state
                .as_ref()
                .map_or_else(|| json!({}), ContainerState::render),
        );
        c.insert("ready".into(), json!(self.is_ready()));
        c.insert("restartCount".into(), json!(self.restart_count));
        c.insert("started".into(), json!(self.is_running()));
        Value::Object(c)
    }
}

/// A pod phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Accepted, not all containers started.
    Pending,
    /// Bound, all containers created, at least one running or restarting.
    Running,
    /// All containers ended successfully and won't restart.
    Succeeded,
    /// All containers ended, at least one in failure, and won't restart.
    Failed,
}

impl Phase {
    /// The `status.phase` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Running => "Running",
            Phase::Succeeded => "Succeeded",
            Phase::Failed => "Failed",
        }
    }
}

/// One pod condition with the time its status last changed.
#[derive(Debug, Clone)]
struct Condition {
    kind: &'static str,
    status: bool,
    reason: Option<&'static str>,
    since: SystemTime,
}

/// The node's view of a pod, rendered into `status`.
#[derive(Debug, Clone)]
pub struct PodView {
    /// The phase.
    pub phase: Phase,
    /// The pod IP.
    pub ip: Ipv4Addr,
    /// When the node accepted the pod.
    pub start_time: SystemTime,
    /// The containers, in spec order.
    pub containers: Vec<ContainerView>,
    /// The init containers, in spec order.
    pub init_containers: Vec<ContainerView>,
    /// The QoS class (kept as the API server set it).
    pub qos_class: String,
    conditions: Vec<Condition>,
}

impl PodView {
    /// A pod just accepted at `now`.
    pub fn new(
        ip: Ipv4Addr,
        now: SystemTime,
        containers: Vec<ContainerView>,
        qos_class: &str,
    ) -> Self {
        let mut view = Self {
            phase: Phase::Pending,
            ip,
            start_time: now,
            containers,
            init_containers: Vec::new(),
            qos_class: qos_class.to_string(),
            conditions: Vec::new(),
        };
        view.refresh_conditions(now);
        view
    }

    /// Recomputes the conditions after a change at `now`, keeping the transition
    /// time of those whose status stayed the same.
    pub fn refresh_conditions(&mut self, now: SystemTime) {
        let all_running =
            !self.containers.is_empty() && self.containers.iter().all(ContainerView::is_running);
        let terminal = matches!(self.phase, Phase::Succeeded | Phase::Failed);
        let initialized = self.initialized();
        let ready = all_running && initialized && !terminal;
        let not_ready = if terminal {
            "PodCompleted"
        } else {
            "ContainersNotReady"
        };
        let wanted: [(&'static str, bool, Option<&'static str>); 5] = [
            ("PodReadyToStartContainers", !terminal, None),
            (
                "Initialized",
                initialized,
                (!initialized).then_some("ContainersNotInitialized"),
            ),
            ("Ready", ready, (!ready).then_some(not_ready)),
            ("ContainersReady", ready, (!ready).then_some(not_ready)),
            ("PodScheduled", true, None),
        ];
        let mut next = Vec::with_capacity(wanted.len());
        for (kind, status, reason) in wanted {
            let since = self
                .conditions
                .iter()
                .find(|c| c.kind == kind && c.status == status)
                .map_or(now, |c| c.since);
            next.push(Condition {
                kind,
                status,
                reason,
                since,
            });
        }
        self.conditions = next;
    }

    /// Whether every init container has completed (or, for a sidecar, runs).
    pub fn initialized(&self) -> bool {
        self.init_containers.iter().all(ContainerView::is_ready)
    }

    /// Whether every container is running.
    pub fn ready(&self) -> bool {
        self.conditions
            .iter()
            .any(|c| c.kind == "Ready" && c.status)
    }

    /// The `status` object.
    pub fn render(&self) -> Value {
        let conditions: Vec<Value> = self
            .conditions
            .iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("type".into(), json!(c.kind));
                m.insert(
                    "status".into(),
                    json!(if c.status { "True" } else { "False" }),
                );
                m.insert("lastProbeTime".into(), Value::Null);
                m.insert("lastTransitionTime".into(), json!(rfc3339(c.since)));
                if let Some(r) = c.reason {
                    m.insert("reason".into(), json!(r));
                    let (list, text) = if r == "ContainersNotInitialized" {
                        (&self.init_containers, "containers with incomplete status")
                    } else {
                        (&self.containers, "containers with unready status")
                    };
                    let waiting: Vec<&str> = list
                        .iter()
                        .filter(|x| !x.is_ready())
                        .map(|x| x.name.as_str())
                        .collect();
                    if r != "PodCompleted" && !waiting.is_empty() {
                        m.insert(
                            "message".into(),
                            json!(format!("{text}: [{}]", waiting.join(" "))),
                        );
                    }
                }
                Value::Object(m)
            })
            .collect();
        let ip = self.ip.to_string();
        let mut status = json!({
            "phase": self.phase.as_str(),
            "conditions": conditions,
            "hostIP": super::HOST_IP,
            "hostIPs": [{"ip": super::HOST_IP}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": rfc3339(self.start_time),
            "containerStatuses": self.containers.iter().map(ContainerView::render).collect::<Vec<_>>(),
            "qosClass": self.qos_class,
        });
        if !self.init_containers.is_empty()
            && let Some(map) = status.as_object_mut()
        {
            map.insert(
                "initContainerStatuses".into(),
                self.init_containers
                    .iter()
                    .map(ContainerView::render)
                    .collect(),
            );
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn ready_follows_containers_and_keeps_transition_times() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let c = ContainerView::waiting("c", "img", true, "ContainerCreating", None);
        let mut pod = PodView::new(Ipv4Addr::new(127, 1, 0, 2), t0, vec![c], "BestEffort");
        assert!(!pod.ready());
        let s = pod.render();
        assert_eq!(s["phase"], "Pending");
        assert_eq!(s["podIP"], "127.1.0.2");
        assert_eq!(
            s["containerStatuses"][0]["state"]["waiting"]["reason"],
            "ContainerCreating"
        );
        let t1 = t0 + Duration::from_secs(5);
        pod.containers[0].state = ContainerState::Running { started_at: t1 };
        pod.phase = Phase::Running;
        pod.refresh_conditions(t1);
        assert!(pod.ready());
        let s = pod.render();
        let cond = |t: &str| {
            s["conditions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["type"] == t)
                .cloned()
                .unwrap()
        };
        assert_eq!(cond("Ready")["status"], "True");
        assert_eq!(cond("Ready")["lastTransitionTime"], rfc3339(t1));
        assert_eq!(cond("PodScheduled")["lastTransitionTime"], rfc3339(t0));
        assert_eq!(s["containerStatuses"][0]["ready"], true);
        assert_eq!(s["containerStatuses"][0]["started"], true);
    }
}
