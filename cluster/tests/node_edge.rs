//! The emulated node (pods that really run through a container runtime, Endpoints)
//! and the ingress edge, end to end through kube-rs, raw HTTP and kubectl.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use certlab_cluster::Cluster;
use certlab_cluster::node::{ContainerExit, ContainerRuntime, ContainerStart, RunningContainer};
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::{Endpoints, Event, Namespace, Pod, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The image the test runtime runs.
const IMAGE: &str = "example.test/echo:1.0";

/// A runtime whose containers are HTTP servers on `<podIP>:<--listen-port>`
/// answering every request with `<name> <path> <args>`.
#[derive(Default)]
struct EchoRuntime {
    started: AtomicUsize,
}

impl ContainerRuntime for EchoRuntime {
    fn runs(&self, image: &str) -> bool {
        image.starts_with("example.test/echo")
    }

    fn describe(&self) -> String {
        "example.test/echo:*".into()
    }

    fn start(&self, start: ContainerStart) -> BoxFuture<'static, Result<RunningContainer, String>> {
        self.started.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            let port: u16 = start
                .flag("listen-port")
                .ok_or("no --listen-port")?
                .parse()
                .map_err(|e| format!("bad --listen-port: {e}"))?;
            if start.flag("exit").is_some() {
                return Ok(RunningContainer::new(async {
                    ContainerExit::failed(3, "asked to exit")
                }));
            }
            let listener = TcpListener::bind((start.pod_ip, port))
                .await
                .map_err(|e| format!("bind {}:{port}: {e}", start.pod_ip))?;
            let label = format!("{} {}", start.pod_name, start.args.join(" "));
            let stop = start.stop.clone();
            Ok(RunningContainer::from_task(tokio::spawn(async move {
                loop {
                    tokio::select! {
                        () = stop.cancelled() => return ContainerExit::success(),
                        accepted = listener.accept() => {
                            let Ok((conn, _)) = accepted else { continue };
                            tokio::spawn(answer(conn, label.clone()));
                        }
                    }
                }
            })))
        })
    }
}

/// Answers one HTTP/1.1 request with `<label> <path> xff=<X-Forwarded-For>`.
async fn answer(mut conn: TcpStream, label: String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
    let xff = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("x-forwarded-for")
                .then(|| v.trim().to_string())
        })
        .unwrap_or_default();
    let body = format!("{label} {path} xff={xff}");
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = conn.write_all(response.as_bytes()).await;
}

async fn lab() -> (Cluster, Arc<EchoRuntime>) {
    let runtime = Arc::new(EchoRuntime::default());
    let cluster = Cluster::builder()
        .container_runtime(runtime.clone())
        // EDGE .ingress_edge(SocketAddr::from(([127, 0, 0, 1], 0)))
        .start()
        .await
        .expect("cluster starts");
    (cluster, runtime)
}

async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn echo_pod(name: &str, app: &str, port: u16, image: &str) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"app": app}},
        "spec": {"containers": [{
            "name": "echo",
            "image": image,
            "args": [format!("--listen-port={port}"), format!("--app={app}")],
            "ports": [{"name": "http", "containerPort": port}],
        }]},
    }))
    .expect("pod")
}

async fn create_ns(client: &Client, ns: &str) {
    let api: Api<Namespace> = Api::all(client.clone());
    api.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": ns}})).expect("ns"),
    )
    .await
    .expect("namespace created");
}

async fn running_ip(pods: &Api<Pod>, name: &str) -> Ipv4Addr {
    eventually(&format!("pod {name} Running and Ready"), || async {
        let pod = pods.get(name).await.ok()?;
        let status = pod.status?;
        let ready = status
            .conditions
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        (status.phase.as_deref() == Some("Running") && ready)
            .then(|| status.pod_ip?.parse().ok())
            .flatten()
    })
    .await
}

/// GET over a fresh connection; the raw response text, or the connect error.
async fn http_get(addr: SocketAddr, host: &str, path: &str) -> std::io::Result<String> {
    let mut conn = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    conn.write_all(request.as_bytes()).await?;
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut out))
        .await
        .map_err(|_| std::io::Error::other("timed out"))??;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn status_code(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

async fn events_for(client: &Client, ns: &str, pod: &str) -> Vec<Event> {
    let api: Api<Event> = Api::namespaced(client.clone(), ns);
    api.list(&ListParams::default())
        .await
        .expect("events")
        .items
        .into_iter()
        .filter(|e| e.involved_object.name.as_deref() == Some(pod))
        .collect()
}

#[tokio::test]
async fn runnable_pod_runs_with_a_loopback_ip_and_serves() {
    let (cluster, _rt) = lab().await;
    let client = cluster.client();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    pods.create(&PostParams::default(), &echo_pod("web", "web", 8089, IMAGE))
        .await
        .expect("created");
    let ip = running_ip(&pods, "web").await;
    let o = ip.octets();
    assert_eq!(o[0], 127, "{ip}");
    assert_ne!(ip, Ipv4Addr::LOCALHOST);
    let pod = pods.get("web").await.expect("pod");
    let spec = pod.spec.expect("spec");
    assert_eq!(spec.node_name.as_deref(), Some("certlab-node"));
    let status = pod.status.expect("status");
    assert_eq!(status.host_ip.as_deref(), Some("127.0.0.1"));
    assert!(status.start_time.is_some());
    assert_eq!(status.pod_ips.expect("podIPs")[0].ip, ip.to_string());
    let cs = &status.container_statuses.expect("statuses")[0];
    assert!(cs.ready && cs.started == Some(true));
    assert!(
        cs.container_id
            .as_deref()
            .is_some_and(|id| id.starts_with("certlab://"))
    );
    assert!(cs.state.as_ref().and_then(|s| s.running.as_ref()).is_some());
    for kind in ["Initialized", "ContainersReady", "PodScheduled"] {
        assert!(
            status
                .conditions
                .as_ref()
                .expect("conditions")
                .iter()
                .any(|c| c.type_ == kind && c.status == "True"),
            "{kind}"
        );
    }
    let reasons = eventually("the scheduler's and kubelet's events", || async {
        let events = events_for(&client, "default", "web").await;
        let reasons: Vec<(String, String)> = events
            .iter()
            .map(|e| {
                (
                    e.reason.clone().unwrap_or_default(),
                    e.source
                        .as_ref()
                        .and_then(|s| s.component.clone())
                        .unwrap_or_default(),
                )
            })
            .collect();
        (reasons.len() >= 4).then_some(reasons)
    })
    .await;
    for (reason, component) in [
        ("Scheduled", "default-scheduler"),
        ("Pulled", "kubelet"),
        ("Created", "kubelet"),
        ("Started", "kubelet"),
    ] {
        assert!(
            reasons.iter().any(|(r, c)| r == reason && c == component),
            "{reason} from {component} in {reasons:?}"
        );
    }
    let response = http_get(SocketAddr::from((ip, 8089)), "x", "/x")
        .await
        .expect("reaches the pod");
    assert_eq!(status_code(&response), 200, "{response}");
    assert!(
        body(&response).starts_with("web --listen-port=8089 --app=web /x"),
        "{response}"
    );
}

#[tokio::test]
async fn unknown_image_stays_pending_with_a_warning() {
    let (cluster, rt) = lab().await;
    let client = cluster.client();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    pods.create(
        &PostParams::default(),
        &echo_pod("nginx", "nginx", 80, "nginx:1.27"),
    )
    .await
    .expect("created");
    let waiting = eventually("the ErrImagePull state", || async {
        let pod = pods.get("nginx").await.ok()?;
        let status = pod.status?;
        let cs = status.container_statuses?.into_iter().next()?;
        let waiting = cs.state?.waiting?;
        Some((status.phase, waiting))
    })
    .await;
    assert_eq!(waiting.0.as_deref(), Some("Pending"));
    assert_eq!(waiting.1.reason.as_deref(), Some("ErrImagePull"));
    let message = waiting.1.message.unwrap_or_default();
    assert!(
        message.contains("nginx:1.27") && message.contains("example.test/echo:*"),
        "{message}"
    );
    let warning = eventually("the Failed warning", || async {
        events_for(&client, "default", "nginx")
            .await
            .into_iter()
            .find(|e| e.reason.as_deref() == Some("Failed"))
    })
    .await;
    assert_eq!(warning.type_.as_deref(), Some("Warning"));
    assert_eq!(
        warning.source.and_then(|s| s.component).as_deref(),
        Some("kubelet")
    );
    // Not an error loop: one warning, no start, still Pending later.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let failed = events_for(&client, "default", "nginx")
        .await
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some("Failed"))
        .count();
    assert_eq!(failed, 1);
    assert_eq!(rt.started.load(Ordering::SeqCst), 0);
    let pod = pods.get("nginx").await.expect("pod");
    assert_eq!(pod.status.and_then(|s| s.phase).as_deref(), Some("Pending"));
    // Deleting it works (the node confirms) .
    pods.delete("nginx", &DeleteParams::default())
        .await
        .expect("delete");
    eventually("the pod gone", || async {
        pods.get_opt("nginx").await.ok()?.is_none().then_some(())
    })
    .await;
}

#[tokio::test]
async fn deleting_a_pod_stops_its_server_and_frees_its_ip() {
    let (cluster, _rt) = lab().await;
    let client = cluster.client();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    pods.create(
        &PostParams::default(),
        &echo_pod("gone", "gone", 8090, IMAGE),
    )
    .await
    .expect("created");
    let ip = running_ip(&pods, "gone").await;
    let addr = SocketAddr::from((ip, 8090));
    assert!(http_get(addr, "x", "/").await.is_ok());
    pods.delete("gone", &DeleteParams::default())
        .await
        .expect("delete");
    eventually("the pod gone", || async {
        pods.get_opt("gone").await.ok()?.is_none().then_some(())
    })
    .await;
    let refused = TcpStream::connect(addr).await;
    assert!(refused.is_err(), "the server stopped before the pod went");
    // The address is free again: the port can be bound there.
    eventually("the address free", || async {
        std::net::TcpListener::bind(addr).ok().map(|_| ())
    })
    .await;
}
