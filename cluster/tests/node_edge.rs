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
            if let Some(code) = start.flag("exit") {
                let code = code.parse().unwrap_or(3);
                return Ok(RunningContainer::new(async move {
                    if code == 0 {
                        ContainerExit::success()
                    } else {
                        ContainerExit::failed(code, "asked to exit")
                    }
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
        .ingress_edge(SocketAddr::from(([127, 0, 0, 1], 0)))
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

fn service(name: &str, app: &str, port: u16, target: serde_json::Value) -> Service {
    serde_json::from_value(json!({
        "metadata": {"name": name},
        "spec": {"type": "NodePort", "selector": {"app": app}, "ports": [{"name": "http", "port": port, "targetPort": target}]},
    }))
    .expect("service")
}

fn addresses(ep: &Endpoints) -> (Vec<String>, Vec<String>, Vec<i32>) {
    let mut ready = Vec::new();
    let mut not_ready = Vec::new();
    let mut ports = Vec::new();
    for s in ep.subsets.clone().unwrap_or_default() {
        ready.extend(s.addresses.unwrap_or_default().into_iter().map(|a| a.ip));
        not_ready.extend(
            s.not_ready_addresses
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.ip),
        );
        ports.extend(s.ports.unwrap_or_default().into_iter().map(|p| p.port));
    }
    (ready, not_ready, ports)
}

#[tokio::test]
async fn endpoints_follow_pod_readiness_and_deletion() {
    let (cluster, _rt) = lab().await;
    let client = cluster.client();
    let ns = "ep";
    create_ns(&client, ns).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    let endpoints: Api<Endpoints> = Api::namespaced(client.clone(), ns);
    let svc = services
        .create(
            &PostParams::default(),
            &service("web", "web", 80, json!("http")),
        )
        .await
        .expect("service");
    let node_port = svc
        .spec
        .and_then(|s| s.ports)
        .and_then(|p| p[0].node_port)
        .expect("nodePort");
    assert!((30000..=32767).contains(&node_port), "{node_port}");
    // The Endpoints exist at once, empty.
    eventually("empty Endpoints", || async {
        endpoints.get_opt("web").await.ok()?.map(|_| ())
    })
    .await;
    pods.create(&PostParams::default(), &echo_pod("a", "web", 8089, IMAGE))
        .await
        .expect("pod a");
    pods.create(&PostParams::default(), &echo_pod("b", "web", 8089, IMAGE))
        .await
        .expect("pod b");
    // A pod that never becomes ready is listed as not ready.
    pods.create(
        &PostParams::default(),
        &echo_pod("c", "web", 8089, "nginx:1.27"),
    )
    .await
    .expect("pod c");
    let ip_a = running_ip(&pods, "a").await.to_string();
    let ip_b = running_ip(&pods, "b").await.to_string();
    let ip_c = eventually("pod c's IP", || async {
        pods.get("c").await.ok()?.status?.pod_ip
    })
    .await;
    eventually("both ready, c not ready", || async {
        let ep = endpoints.get("web").await.ok()?;
        let (mut ready, not_ready, ports) = addresses(&ep);
        ready.sort();
        let mut want = vec![ip_a.clone(), ip_b.clone()];
        want.sort();
        (ready == want && not_ready == vec![ip_c.clone()] && ports.iter().all(|p| *p == 8089))
            .then_some(())
    })
    .await;
    pods.delete("a", &DeleteParams::default())
        .await
        .expect("delete a");
    eventually("a removed", || async {
        let ep = endpoints.get("web").await.ok()?;
        let (ready, _, _) = addresses(&ep);
        (ready == vec![ip_b.clone()]).then_some(())
    })
    .await;
    services
        .delete("web", &DeleteParams::default())
        .await
        .expect("delete service");
    eventually("Endpoints gone with the Service", || async {
        endpoints.get_opt("web").await.ok()?.is_none().then_some(())
    })
    .await;
}

fn ingress(name: &str, rules: serde_json::Value) -> Ingress {
    serde_json::from_value(json!({"metadata": {"name": name}, "spec": {"rules": rules}}))
        .expect("ingress")
}

#[tokio::test]
async fn the_edge_routes_by_host_and_path() {
    let (cluster, _rt) = lab().await;
    let client = cluster.client();
    let edge = cluster.ingress_edge_addr().expect("edge runs");
    let ns = "edge";
    create_ns(&client, ns).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    let ingresses: Api<Ingress> = Api::namespaced(client.clone(), ns);
    for app in ["one", "two"] {
        pods.create(&PostParams::default(), &echo_pod(app, app, 8089, IMAGE))
            .await
            .expect("pod");
        services
            .create(
                &PostParams::default(),
                &service(app, app, 8089, json!(8089)),
            )
            .await
            .expect("service");
    }
    services
        .create(
            &PostParams::default(),
            &service("nobody", "nobody", 80, json!(80)),
        )
        .await
        .expect("service without pods");
    let backend =
        |svc: &str, port: serde_json::Value| json!({"service": {"name": svc, "port": port}});
    ingresses
        .create(
            &PostParams::default(),
            &ingress(
                "routes",
                json!([
                    {"host": "one.lab.test", "http": {"paths": [
                        {"path": "/.well-known/acme-challenge/tok1", "pathType": "Exact", "backend": backend("one", json!({"number": 8089}))},
                        {"path": "/empty", "pathType": "Prefix", "backend": backend("nobody", json!({"number": 80}))},
                    ]}},
                    {"host": "*.two.lab.test", "http": {"paths": [
                        {"path": "/app", "pathType": "Prefix", "backend": backend("two", json!({"name": "http"}))},
                    ]}},
                ]),
            ),
        )
        .await
        .expect("ingress");
    running_ip(&pods, "one").await;
    running_ip(&pods, "two").await;

    let ok = eventually("the Exact route", || async {
        let r = http_get(
            edge,
            "one.lab.test:5002",
            "/.well-known/acme-challenge/tok1",
        )
        .await
        .ok()?;
        (status_code(&r) == 200).then_some(r)
    })
    .await;
    assert!(
        body(&ok).starts_with(
            "one --listen-port=8089 --app=one /.well-known/acme-challenge/tok1 xff=127.0.0.1"
        ),
        "{ok}"
    );
    let two = http_get(edge, "www.two.lab.test", "/app/page?q=1")
        .await
        .expect("edge answers");
    assert_eq!(status_code(&two), 200, "{two}");
    assert!(
        body(&two).starts_with("two --listen-port=8089 --app=two /app/page?q=1"),
        "{two}"
    );
    // Exact is exact; Prefix is element-wise; hosts must match.
    for (host, path) in [
        ("one.lab.test", "/.well-known/acme-challenge/tok1/"),
        ("one.lab.test", "/.well-known/acme-challenge/tok"),
        ("www.two.lab.test", "/application"),
        ("two.lab.test", "/app"),
        ("a.b.two.lab.test", "/app"),
        ("unknown.test", "/"),
    ] {
        let r = http_get(edge, host, path).await.expect("edge answers");
        assert_eq!(status_code(&r), 404, "{host}{path}: {r}");
        assert!(body(&r).contains(path), "{r}");
    }
    let empty = http_get(edge, "one.lab.test", "/empty/x")
        .await
        .expect("edge answers");
    assert_eq!(status_code(&empty), 503, "{empty}");
    // The served Ingress reports the edge.
    eventually("the Ingress status", || async {
        let ing = ingresses.get("routes").await.ok()?;
        let lb = ing.status?.load_balancer?.ingress?;
        (lb.len() == 1 && lb[0].ip.as_deref() == Some("127.0.0.1")).then_some(())
    })
    .await;
    // A pod that stops serving while still listed answers 502… and when it goes, 503.
    pods.delete("one", &DeleteParams::default())
        .await
        .expect("delete");
    let after = eventually("503 once the pod is gone", || async {
        let r = http_get(edge, "one.lab.test", "/.well-known/acme-challenge/tok1")
            .await
            .ok()?;
        (status_code(&r) == 503).then_some(r)
    })
    .await;
    assert!(body(&after).contains("no ready endpoint"), "{after}");
    // Route changes apply without restart.
    let mut routes = ingresses.get("routes").await.expect("ingress");
    if let Some(rules) = routes.spec.as_mut().and_then(|s| s.rules.as_mut()) {
        rules.remove(1);
    }
    ingresses
        .replace("routes", &PostParams::default(), &routes)
        .await
        .expect("replace");
    eventually("the wildcard route gone", || async {
        let r = http_get(edge, "www.two.lab.test", "/app").await.ok()?;
        (status_code(&r) == 404).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_edge_answers_502_when_the_pod_does_not() {
    let (cluster, _rt) = lab().await;
    let client = cluster.client();
    let edge = cluster.ingress_edge_addr().expect("edge runs");
    let services: Api<Service> = Api::namespaced(client.clone(), "default");
    let endpoints: Api<Endpoints> = Api::namespaced(client.clone(), "default");
    let ingresses: Api<Ingress> = Api::namespaced(client.clone(), "default");
    // A selector-less Service with hand-written Endpoints naming a closed port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    services
        .create(
            &PostParams::default(),
            &serde_json::from_value(
                json!({"metadata": {"name": "manual"}, "spec": {"ports": [{"port": 80}]}}),
            )
            .expect("svc"),
        )
        .await
        .expect("service");
    endpoints
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "manual"}, "subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"port": port}]}]}))
                .expect("ep"),
        )
        .await
        .expect("endpoints");
    ingresses
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "manual"}, "spec": {"defaultBackend": {"service": {"name": "manual", "port": {"number": 80}}}}}))
                .expect("ing"),
        )
        .await
        .expect("ingress");
    let r = http_get(edge, "anything", "/").await.expect("edge answers");
    assert_eq!(status_code(&r), 502, "{r}");
}

#[tokio::test]
async fn the_edge_survives_random_requests() {
    use rand::Rng;
    let (cluster, _rt) = lab().await;
    let edge = cluster.ingress_edge_addr().expect("edge runs");
    let ingresses: Api<Ingress> = Api::namespaced(cluster.client(), "default");
    ingresses
        .create(
            &PostParams::default(),
            &ingress("wild", json!([{"host": "*.x.test", "http": {"paths": [{"path": "/a", "pathType": "Prefix", "backend": {"service": {"name": "none", "port": {"name": "p"}}}}]}}])),
        )
        .await
        .expect("ingress");
    let mut rng = rand::rng();
    let alphabet: &[u8] = b"abc./:*%?#[]@!-_~ \t\\\"'\x7f\x01";
    for _ in 0..200 {
        let len = rng.random_range(0..40);
        let junk: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())])
            .collect();
        let junk = String::from_utf8_lossy(&junk).into_owned();
        let mut conn = TcpStream::connect(edge).await.expect("edge accepts");
        let request = match rng.random_range(0..3) {
            0 => format!("GET /{junk} HTTP/1.1\r\nHost: {junk}\r\nConnection: close\r\n\r\n"),
            1 => format!(
                "GET /a/{} HTTP/1.1\r\nHost: q.x.test\r\nConnection: close\r\n\r\n",
                junk.replace(' ', "")
            ),
            _ => format!("{junk}\r\n\r\n"),
        };
        let _ = conn.write_all(request.as_bytes()).await;
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), conn.read_to_end(&mut out)).await;
    }
    let r = http_get(edge, "q.x.test", "/a/b")
        .await
        .expect("edge still answers");
    assert_eq!(status_code(&r), 503, "{r}");
    let r = http_get(edge, "q.x.test", "/b")
        .await
        .expect("edge still answers");
    assert_eq!(status_code(&r), 404, "{r}");
}

#[tokio::test]
async fn the_edge_refuses_non_loopback_addresses() {
    let err = Cluster::builder()
        .ingress_edge(SocketAddr::from(([0, 0, 0, 0], 0)))
        .start()
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("loopback"), "{err}");
}

#[tokio::test]
async fn namespace_deletion_and_gc_stop_pods() {
    let (cluster, _rt) = lab().await;
    let client = cluster.client();
    create_ns(&client, "doomed").await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "doomed");
    pods.create(&PostParams::default(), &echo_pod("p", "p", 8091, IMAGE))
        .await
        .expect("pod");
    let ip = running_ip(&pods, "p").await;
    // An owned pod in default goes when its owner goes.
    let owners: Api<k8s_openapi::api::core::v1::ConfigMap> =
        Api::namespaced(client.clone(), "default");
    let owner = owners
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "owner"}})).expect("cm"),
        )
        .await
        .expect("owner");
    let mut owned = echo_pod("owned", "owned", 8092, IMAGE);
    owned.metadata.owner_references = Some(vec![
        k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: "owner".into(),
            uid: owner.metadata.uid.clone().expect("uid"),
            ..Default::default()
        },
    ]);
    let default_pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    default_pods
        .create(&PostParams::default(), &owned)
        .await
        .expect("owned pod");
    let owned_ip = running_ip(&default_pods, "owned").await;

    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .delete("doomed", &DeleteParams::default())
        .await
        .expect("delete ns");
    eventually("the namespace gone", || async {
        namespaces
            .get_opt("doomed")
            .await
            .ok()?
            .is_none()
            .then_some(())
    })
    .await;
    assert!(
        TcpStream::connect((ip, 8091)).await.is_err(),
        "the namespace's pod stopped"
    );

    owners
        .delete("owner", &DeleteParams::default())
        .await
        .expect("delete owner");
    eventually("the owned pod gone", || async {
        default_pods
            .get_opt("owned")
            .await
            .ok()?
            .is_none()
            .then_some(())
    })
    .await;
    assert!(
        TcpStream::connect((owned_ip, 8092)).await.is_err(),
        "the owned pod stopped"
    );
}

#[tokio::test]
async fn containers_restart_per_policy() {
    let (cluster, _rt) = lab().await;
    let pods: Api<Pod> = Api::namespaced(cluster.client(), "default");
    let mut never = echo_pod("never", "never", 8093, IMAGE);
    if let Some(spec) = never.spec.as_mut() {
        spec.restart_policy = Some("Never".into());
        spec.containers[0].args = Some(vec![
            "--listen-port=8093".into(),
            "--exit".into(),
            "now".into(),
        ]);
    }
    pods.create(&PostParams::default(), &never)
        .await
        .expect("pod");
    let exit = eventually("phase Failed", || async {
        let status = pods.get("never").await.ok()?.status?;
        (status.phase.as_deref() == Some("Failed")).then_some(status)
    })
    .await;
    let term = exit.container_statuses.expect("statuses")[0]
        .state
        .clone()
        .and_then(|s| s.terminated)
        .expect("terminated");
    assert_eq!(term.exit_code, 3);
    let mut always = never.clone();
    always.metadata.name = Some("always".into());
    if let Some(spec) = always.spec.as_mut() {
        spec.restart_policy = Some("Always".into());
    }
    pods.create(&PostParams::default(), &always)
        .await
        .expect("pod");
    eventually("a restart with CrashLoopBackOff", || async {
        let status = pods.get("always").await.ok()?.status?;
        let cs = status.container_statuses?.into_iter().next()?;
        (cs.restart_count >= 1
            && cs.last_state?.terminated.is_some()
            && status.phase.as_deref() == Some("Running"))
        .then_some(())
    })
    .await;
}

/// Runs kubectl; `None` (with a loud message) when it is not installed.
fn kubectl(
    kubeconfig: &std::path::Path,
    cache: &std::path::Path,
    args: &[&str],
) -> Option<std::process::Output> {
    match std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache)
        .args(args)
        .output()
    {
        Ok(out) => Some(out),
        Err(e) => {
            eprintln!(
                "SKIPPED: kubectl is not installed ({e}); the kubectl checks of the node did not run"
            );
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_shows_running_pods_and_endpoints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("kubeconfig");
    let cache = dir.path().join("cache");
    let cluster = Cluster::builder()
        .container_runtime(Arc::new(EchoRuntime::default()))
        .kubeconfig_path(&kubeconfig)
        .start()
        .await
        .expect("cluster starts");
    let client = cluster.client();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let services: Api<Service> = Api::namespaced(client.clone(), "default");
    pods.create(
        &PostParams::default(),
        &echo_pod("solver", "solver", 8089, IMAGE),
    )
    .await
    .expect("pod");
    services
        .create(
            &PostParams::default(),
            &service("solver", "solver", 8089, json!(8089)),
        )
        .await
        .expect("service");
    let ip = running_ip(&pods, "solver").await.to_string();
    eventually("Endpoints with the pod", || async {
        let ep: Endpoints = Api::namespaced(client.clone(), "default")
            .get("solver")
            .await
            .ok()?;
        addresses(&ep).0.contains(&ip).then_some(())
    })
    .await;
    let run = |args: Vec<&'static str>| {
        let (kubeconfig, cache) = (kubeconfig.clone(), cache.clone());
        tokio::task::spawn_blocking(move || kubectl(&kubeconfig, &cache, &args))
    };
    let Some(out) = run(vec!["get", "pods", "-o", "wide"]).await.expect("join") else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = text
        .lines()
        .find(|l| l.starts_with("solver"))
        .unwrap_or_else(|| panic!("{text}"));
    for want in ["1/1", "Running", ip.as_str(), "certlab-node"] {
        assert!(row.contains(want), "{want} in {row}");
    }
    let out = run(vec!["get", "endpoints", "solver"])
        .await
        .expect("join")
        .expect("kubectl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains(&format!("{ip}:8089")),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(vec!["describe", "pod", "solver"])
        .await
        .expect("join")
        .expect("kubectl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    for want in ["Scheduled", "Started", "default-scheduler", "kubelet"] {
        assert!(text.contains(want), "{want} in {text}");
    }
    // kubectl delete waits for the node to confirm.
    let out = run(vec!["delete", "pod", "solver", "--timeout=20s"])
        .await
        .expect("join")
        .expect("kubectl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(pods.get_opt("solver").await.expect("get").is_none());
    assert!(
        TcpStream::connect((ip.parse::<Ipv4Addr>().expect("ip"), 8089))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn init_containers_run_first_and_unknown_ones_block() {
    let (cluster, _rt) = lab().await;
    let pods: Api<Pod> = Api::namespaced(cluster.client(), "default");
    let with_init = |name: &str, image: &str| -> Pod {
        let mut pod = echo_pod(name, name, 8094, IMAGE);
        if let Some(spec) = pod.spec.as_mut() {
            spec.init_containers = Some(vec![
                serde_json::from_value(json!({
                    "name": "setup",
                    "image": image,
                    "args": ["--listen-port=1", "--exit=0"],
                }))
                .expect("init container"),
            ]);
        }
        pod
    };
    pods.create(&PostParams::default(), &with_init("init-ok", IMAGE))
        .await
        .expect("pod");
    running_ip(&pods, "init-ok").await;
    let status = pods
        .get("init-ok")
        .await
        .expect("pod")
        .status
        .expect("status");
    let init = &status.init_container_statuses.expect("init statuses")[0];
    let done = init
        .state
        .clone()
        .and_then(|s| s.terminated)
        .expect("terminated");
    assert_eq!(
        (done.exit_code, done.reason.as_deref()),
        (0, Some("Completed"))
    );
    assert!(init.ready);
    assert!(
        status
            .conditions
            .expect("conditions")
            .iter()
            .any(|c| c.type_ == "Initialized" && c.status == "True")
    );

    pods.create(
        &PostParams::default(),
        &with_init("init-blocked", "busybox:1.36"),
    )
    .await
    .expect("pod");
    let status = eventually("the init container waiting", || async {
        let status = pods.get("init-blocked").await.ok()?.status?;
        let waiting = status
            .init_container_statuses
            .clone()?
            .first()?
            .state
            .clone()?
            .waiting?;
        (waiting.reason.as_deref() == Some("ErrImagePull")).then_some(status)
    })
    .await;
    assert_eq!(status.phase.as_deref(), Some("Pending"));
    let main = status.container_statuses.expect("statuses")[0]
        .state
        .clone()
        .and_then(|s| s.waiting)
        .expect("waiting");
    assert_eq!(main.reason.as_deref(), Some("PodInitializing"));
}

#[tokio::test]
async fn a_blocked_pod_runs_once_its_image_is_runnable() {
    let (cluster, _rt) = lab().await;
    let pods: Api<Pod> = Api::namespaced(cluster.client(), "default");
    pods.create(
        &PostParams::default(),
        &echo_pod("later", "later", 8095, "nginx:1.27"),
    )
    .await
    .expect("pod");
    eventually("ErrImagePull", || async {
        let cs = pods.get("later").await.ok()?.status?.container_statuses?;
        let reason = cs.first()?.state.clone()?.waiting?.reason?;
        (reason == "ErrImagePull").then_some(())
    })
    .await;
    let patch = json!({"spec": {"containers": [{"name": "echo", "image": IMAGE}]}});
    pods.patch(
        "later",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Strategic(patch),
    )
    .await
    .expect("image changed");
    let ip = running_ip(&pods, "later").await;
    assert!(
        http_get(SocketAddr::from((ip, 8095)), "x", "/")
            .await
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_solver_like_pods_at_once() {
    let (cluster, _rt) = lab().await;
    let client = cluster.client();
    let edge = cluster.ingress_edge_addr().expect("edge runs");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let services: Api<Service> = Api::namespaced(client.clone(), "default");
    let ingresses: Api<Ingress> = Api::namespaced(client.clone(), "default");
    let started = std::time::Instant::now();
    let mut creates = Vec::new();
    for i in 0..100 {
        let (pods, services, ingresses) = (pods.clone(), services.clone(), ingresses.clone());
        creates.push(tokio::spawn(async move {
            let app = format!("s{i}");
            pods.create(&PostParams::default(), &echo_pod(&app, &app, 8089, IMAGE))
                .await
                .expect("pod");
            services
                .create(
                    &PostParams::default(),
                    &service(&app, &app, 8089, json!(8089)),
                )
                .await
                .expect("svc");
            let rules = json!([{"host": format!("d{i}.lab.test"), "http": {"paths": [
                {"path": format!("/.well-known/acme-challenge/t{i}"), "pathType": "Exact",
                 "backend": {"service": {"name": app, "port": {"number": 8089}}}},
            ]}}]);
            ingresses
                .create(&PostParams::default(), &ingress(&app, rules))
                .await
                .expect("ing");
        }));
    }
    for c in creates {
        c.await.expect("created");
    }
    for i in 0..100 {
        let path = format!("/.well-known/acme-challenge/t{i}");
        let host = format!("d{i}.lab.test");
        let r = eventually("the route", || async {
            let r = http_get(edge, &host, &path).await.ok()?;
            (status_code(&r) == 200).then_some(r)
        })
        .await;
        assert!(body(&r).starts_with(&format!("s{i} ")), "{r}");
    }
    let elapsed = started.elapsed();
    eprintln!("100 pods, services and ingresses serving through the edge in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(15), "{elapsed:?}");
}
