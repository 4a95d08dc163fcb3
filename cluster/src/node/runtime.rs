//! The container runtime plug-in: how the node runs a container.
//!
//! The cluster runs no images by itself. The program that embeds it (the lab) registers
//! one or more [`ContainerRuntime`]s with [`crate::ClusterBuilder::container_runtime`];
//! for each container the node asks them in order whether they [`run`] its image, and
//! the first that does starts it. A pod with any image no runtime runs stays `Pending`.
//!
//! [`run`]: ContainerRuntime::runs
//!
//! ```no_run
//! use std::sync::Arc;
//! use certlab_cluster::Cluster;
//! use certlab_cluster::node::{ContainerExit, ContainerRuntime, ContainerStart, RunningContainer};
//! use futures::future::BoxFuture;
//!
//! /// Runs `example/hello` images as a task serving on the pod IP.
//! struct Hello;
//!
//! impl ContainerRuntime for Hello {
//!     fn runs(&self, image: &str) -> bool {
//!         image.starts_with("example/hello")
//!     }
//!
//!     fn start(&self, start: ContainerStart) -> BoxFuture<'static, Result<RunningContainer, String>> {
//!         Box::pin(async move {
//!             let port: u16 = start.flag("listen-port").unwrap_or("8080").parse().map_err(|e| format!("{e}"))?;
//!             let listener = tokio::net::TcpListener::bind((start.pod_ip, port))
//!                 .await
//!                 .map_err(|e| e.to_string())?;
//!             Ok(RunningContainer::from_task(tokio::spawn(async move {
//!                 // … serve `listener` until the node stops the container:
//!                 start.stop.cancelled().await;
//!                 drop(listener);
//!                 ContainerExit::success()
//!             })))
//!         })
//!     }
//! }
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let cluster = Cluster::builder()
//!     .container_runtime(Arc::new(Hello))
//!     .ingress_edge("127.0.0.1:0".parse()?)
//!     .start()
//!     .await?;
//! println!("edge on {:?}", cluster.ingress_edge_addr());
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::net::Ipv4Addr;

use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

/// Runs containers for the node.
pub trait ContainerRuntime: Send + Sync + 'static {
    /// Whether this runtime can run `image` (e.g. an acmesolver image).
    fn runs(&self, image: &str) -> bool;

    /// The images this runtime runs, for the messages of pods it cannot run
    /// (e.g. `"quay.io/jetstack/cert-manager-acmesolver:*"`). Defaults to the
    /// runtime's type name.
    fn describe(&self) -> String {
        format!("images accepted by {}", std::any::type_name::<Self>())
    }

    /// Starts one container. Resolves once it is ready to serve (listening), or with
    /// a message when it failed to start. The container runs until `start.stop` is
    /// cancelled; [`RunningContainer`] reports when it exits, early or after the stop.
    fn start(&self, start: ContainerStart) -> BoxFuture<'static, Result<RunningContainer, String>>;
}

/// A declared container port (`spec.containers[].ports[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    /// `name`, if any.
    pub name: Option<String>,
    /// `containerPort`.
    pub container_port: u16,
    /// `protocol` (`TCP`, `UDP`, `SCTP`).
    pub protocol: String,
}

/// Everything a runtime needs to start one container of a pod.
#[derive(Debug, Clone)]
pub struct ContainerStart {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub pod_name: String,
    /// The pod's uid.
    pub pod_uid: String,
    /// The container's name.
    pub container: String,
    /// The image.
    pub image: String,
    /// `command`, with `$(VAR)` references expanded.
    pub command: Vec<String>,
    /// `args`, with `$(VAR)` references expanded.
    pub args: Vec<String>,
    /// The environment, in declaration order (plain values and the `valueFrom`
    /// sources the node resolves: field, ConfigMap and Secret references).
    pub env: Vec<(String, String)>,
    /// The declared ports.
    pub ports: Vec<ContainerPort>,
    /// The pod's IP (a loopback address): the container binds its ports here.
    pub pod_ip: Ipv4Addr,
    /// Cancelled when the container must stop.
    pub stop: CancellationToken,
}

impl ContainerStart {
    /// The value of `--<flag>=<value>` or `--<flag> <value>` in the args (for
    /// runtimes whose containers take flags, such as `--listen-port`).
    pub fn flag(&self, flag: &str) -> Option<&str> {
        let long = format!("--{flag}");
        let mut args = self.args.iter();
        while let Some(arg) = args.next() {
            if let Some(rest) = arg.strip_prefix(&long) {
                if let Some(value) = rest.strip_prefix('=') {
                    return Some(value);
                }
                if rest.is_empty() {
                    return args.next().map(String::as_str);
                }
            }
        }
        None
    }
}

/// How a container ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerExit {
    /// The exit code (0 for success).
    pub code: i32,
    /// A message (`state.terminated.message`), if any.
    pub message: Option<String>,
}

impl ContainerExit {
    /// A clean exit (code 0).
    pub fn success() -> Self {
        Self {
            code: 0,
            message: None,
        }
    }

    /// A failed exit with a message.
    pub fn failed(code: i32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: Some(message.into()),
        }
    }

    /// The terminated state's `reason`, as the kubelet reports it.
    pub fn reason(&self) -> &'static str {
        if self.code == 0 { "Completed" } else { "Error" }
    }
}

/// A started container: resolves to its exit.
pub struct RunningContainer {
    exit: BoxFuture<'static, ContainerExit>,
}

impl std::fmt::Debug for RunningContainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningContainer").finish_non_exhaustive()
    }
}

impl RunningContainer {
    /// A container whose exit is `exit`.
    pub fn new(exit: impl Future<Output = ContainerExit> + Send + 'static) -> Self {
        Self {
            exit: Box::pin(exit),
        }
    }

    /// A container run by a Tokio task: the task's output is its exit; a panicked or
    /// aborted task is a failed exit.
    pub fn from_task(task: tokio::task::JoinHandle<ContainerExit>) -> Self {
        Self::new(async move {
            match task.await {
                Ok(exit) => exit,
                Err(e) if e.is_panic() => ContainerExit::failed(2, "the container's task panicked"),
                Err(_) => ContainerExit::failed(137, "the container's task was aborted"),
            }
        })
    }

    /// Waits for the container to exit.
    pub fn wait(self) -> BoxFuture<'static, ContainerExit> {
        self.exit
    }
}

/// The registered runtimes, asked in order.
#[derive(Clone, Default)]
pub struct Runtimes {
    list: Vec<std::sync::Arc<dyn ContainerRuntime>>,
}

impl std::fmt::Debug for Runtimes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtimes")
            .field("count", &self.list.len())
            .finish()
    }
}

impl Runtimes {
    /// Adds a runtime (asked after the ones already added).
    pub fn push(&mut self, runtime: std::sync::Arc<dyn ContainerRuntime>) {
        self.list.push(runtime);
    }

    /// The first runtime that runs `image`.
    pub fn for_image(&self, image: &str) -> Option<&std::sync::Arc<dyn ContainerRuntime>> {
        self.list.iter().find(|r| r.runs(image))
    }

    /// What the node can run, for messages: each runtime's description, or a note
    /// that it runs nothing.
    pub fn describe(&self) -> String {
        if self.list.is_empty() {
            return "none: no container runtime is registered".to_string();
        }
        self.list
            .iter()
            .map(|r| r.describe())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(args: &[&str]) -> ContainerStart {
        ContainerStart {
            namespace: "ns".into(),
            pod_name: "p".into(),
            pod_uid: "u".into(),
            container: "c".into(),
            image: "i".into(),
            command: Vec::new(),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            ports: Vec::new(),
            pod_ip: Ipv4Addr::new(127, 1, 0, 1),
            stop: CancellationToken::new(),
        }
    }

    #[test]
    fn flags_in_both_forms() {
        let s = start(&["--listen-port=8089", "--domain", "a.lab", "--token"]);
        assert_eq!(s.flag("listen-port"), Some("8089"));
        assert_eq!(s.flag("domain"), Some("a.lab"));
        assert_eq!(s.flag("token"), None);
        assert_eq!(s.flag("listen"), None);
        assert_eq!(s.flag("key"), None);
    }

    #[tokio::test]
    async fn task_exits() {
        let ok = RunningContainer::from_task(tokio::spawn(async { ContainerExit::success() }));
        assert_eq!(ok.wait().await.reason(), "Completed");
        let task = tokio::spawn(std::future::pending::<ContainerExit>());
        task.abort();
        let aborted = RunningContainer::from_task(task);
        let exit = aborted.wait().await;
        assert_eq!((exit.code, exit.reason()), (137, "Error"));
    }
}
