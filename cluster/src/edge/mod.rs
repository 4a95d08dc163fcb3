//! The ingress edge: an HTTP/1.1 listener on loopback that routes requests by the
//! cluster's networking.k8s.io/v1 Ingresses (host and path, [`route`]) through the
//! backend Service's port and its Endpoints to a Ready pod, and proxies them there
//! ([`proxy`]). It also reports itself in each served Ingress's
//! `status.loadBalancer` ([`status`]).
//!
//! Routes are read from the store on every request, so changes apply at once.
//! Answers of its own: 404 when no rule matches, 503 when the backend has no Ready
//! endpoint (or is unusable), 502 when the pod fails; each with a one-line
//! plain-text body.

pub mod proxy;
pub mod route;
pub mod status;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::meta::ObjectExt;
use crate::node::endpoints::ready_endpoints;
use crate::objects::Objects;
use crate::status::GroupResource;
use crate::store::ObjectKey;
use proxy::EdgeBody;
use route::{Backend, PortRef};

/// The annotation that names an Ingress's class (before `spec.ingressClassName`).
pub const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// The annotation that marks an IngressClass as the default.
pub const DEFAULT_CLASS_ANNOTATION: &str = "ingressclass.kubernetes.io/is-default-class";

/// Which Ingresses the edge serves.
///
/// By default every Ingress, of any class or none, so manifests written for
/// ingress-nginx or others work unchanged. With `classes` set, only Ingresses whose
/// class (`spec.ingressClassName`, else the `kubernetes.io/ingress.class`
/// annotation) is one of them; an Ingress without a class is then served when
/// `serve_classless` is set, or when an IngressClass marked default
/// (`ingressclass.kubernetes.io/is-default-class: "true"`) is one of `classes`.
#[derive(Debug, Clone, Default)]
pub struct EdgeConfig {
    /// The classes served; empty serves every Ingress.
    pub classes: Vec<String>,
    /// With `classes` set, also serve Ingresses without a class.
    pub serve_classless: bool,
}

impl EdgeConfig {
    /// The class an Ingress names, if any.
    pub fn class_of(ingress: &Value) -> Option<&str> {
        ingress
            .str_at("spec.ingressClassName")
            .or_else(|| {
                ingress
                    .metadata()?
                    .get("annotations")?
                    .get(CLASS_ANNOTATION)?
                    .as_str()
            })
            .filter(|c| !c.is_empty())
    }

    /// Whether the edge serves `ingress`.
    pub fn serves(&self, objects: &Objects, ingress: &Value) -> bool {
        if self.classes.is_empty() {
            return true;
        }
        match Self::class_of(ingress) {
            Some(class) => self.classes.iter().any(|c| c == class),
            None => self.serve_classless || self.default_class_is_ours(objects),
        }
    }

    fn default_class_is_ours(&self, objects: &Objects) -> bool {
        let resource = GroupResource::new("networking.k8s.io", "ingressclasses");
        self.classes.iter().any(|class| {
            objects
                .store()
                .get(&resource, &ObjectKey::new("", class))
                .is_some_and(|ic| {
                    ic.metadata()
                        .and_then(|m| m.get("annotations"))
                        .and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION))
                        .and_then(Value::as_str)
                        == Some("true")
                })
        })
    }
}

/// Why the edge could not start.
#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    /// Only loopback addresses are served.
    #[error(
        "refusing to serve the ingress edge on {0}: certlab-cluster serves loopback addresses only"
    )]
    NotLoopback(SocketAddr),
    /// Binding failed.
    #[error("binding the ingress edge to {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A running ingress edge. Stops when dropped or when its cancellation token fires.
#[derive(Debug)]
pub struct IngressEdge {
    addr: SocketAddr,
    stop: CancellationToken,
}

impl IngressEdge {
    /// Binds `addr` (loopback only; port 0 picks one) and serves until `stop`.
    pub async fn start(
        objects: Arc<Objects>,
        config: EdgeConfig,
        addr: SocketAddr,
        stop: CancellationToken,
    ) -> Result<Self, EdgeError> {
        if !addr.ip().is_loopback() {
            return Err(EdgeError::NotLoopback(addr));
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| EdgeError::Bind { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| EdgeError::Bind { addr, source })?;
        let config = Arc::new(config);
        let edge = Arc::new(Edge {
            objects: objects.clone(),
            config: config.clone(),
            next: AtomicUsize::new(0),
        });
        tokio::spawn(status::run(objects, config, stop.child_token()));
        tokio::spawn(accept(listener, edge, stop.clone()));
        tracing::info!(addr = %bound, "ingress edge serving");
        Ok(Self { addr: bound, stop })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving.
    pub fn stop(&self) {
        self.stop.cancel();
    }
}

impl Drop for IngressEdge {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn accept(listener: TcpListener, edge: Arc<Edge>, stop: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => return,
            a = listener.accept() => a,
        };
        let (stream, client) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::debug!(error = %e, "ingress edge accept failed");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let edge = edge.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let edge = edge.clone();
                async move { Ok::<_, Infallible>(edge.handle(req, client).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(std::time::Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(%client, error = %e, "ingress edge connection ended with an error");
                    }
                }
                () = stop.cancelled() => {}
            }
        });
    }
}

/// The edge's shared state.
struct Edge {
    objects: Arc<Objects>,
    config: Arc<EdgeConfig>,
    /// Round-robin position over endpoints.
    next: AtomicUsize,
}

fn plain(code: StatusCode, text: String) -> Response<EdgeBody> {
    let mut response = Response::new(
        Full::new(Bytes::from(text + "\n"))
            .map_err(|never| match never {})
            .boxed(),
    );
    *response.status_mut() = code;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

impl Edge {
    async fn handle(&self, request: Request<Incoming>, client: SocketAddr) -> Response<EdgeBody> {
        let host_header = request
            .uri()
            .authority()
            .map(|a| a.as_str().to_string())
            .or_else(|| {
                request
                    .headers()
                    .get(http::header::HOST)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let host = route::normalize_host(&host_header);
        let path = request.uri().path().to_string();
        let upstream = match self.upstream(&host, &path) {
            Ok(u) => u,
            Err((code, text)) => return plain(code, text),
        };
        match proxy::forward(request, upstream, client, &host_header).await {
            Ok(response) => response,
            Err(e) => {
                tracing::debug!(%host, %path, error = %e, "ingress edge upstream failed");
                plain(StatusCode::BAD_GATEWAY, format!("502 Bad Gateway: {e}"))
            }
        }
    }

    /// The pod address for a request, or the edge's own answer.
    fn upstream(&self, host: &str, path: &str) -> Result<SocketAddr, (StatusCode, String)> {
        let resource = GroupResource::new("networking.k8s.io", "ingresses");
        let (all, _) = self.objects.store().list(&resource, None, None);
        let served: Vec<Arc<Value>> = all
            .into_iter()
            .filter(|i| !i.is_deleting() && self.config.serves(&self.objects, i))
            .collect();
        let Some(found) = route::route(&served, host, path) else {
            return Err((
                StatusCode::NOT_FOUND,
                format!(
                    "404 Not Found: no Ingress rule matches host \"{host}\" and path \"{path}\""
                ),
            ));
        };
        let unavailable = |why: String| {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("503 Service Unavailable: {why} (Ingress {})", found.ingress),
            )
        };
        let (namespace, service, port) = match &found.backend {
            Backend::Service {
                namespace,
                name,
                port,
            } => (namespace, name, port),
            Backend::Unsupported(why) => return Err(unavailable(why.clone())),
        };
        let Some(svc) = self.objects.store().get(
            &GroupResource::new("", "services"),
            &ObjectKey::new(namespace, service),
        ) else {
            return Err(unavailable(format!(
                "service {namespace}/{service} not found"
            )));
        };
        let port_name = svc
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|p| match port {
                PortRef::Number(n) => p.get("port").and_then(Value::as_u64) == Some(u64::from(*n)),
                PortRef::Name(n) => p.str_at("name") == Some(n.as_str()),
            })
            .map(|p| p.str_at("name").unwrap_or("").to_string());
        let Some(port_name) = port_name else {
            let shown = match port {
                PortRef::Number(n) => n.to_string(),
                PortRef::Name(n) => n.clone(),
            };
            return Err(unavailable(format!(
                "service {namespace}/{service} has no port {shown}"
            )));
        };
        let endpoints = ready_endpoints(&self.objects, namespace, service, &port_name);
        if endpoints.is_empty() {
            return Err(unavailable(format!(
                "no ready endpoint for service {namespace}/{service}"
            )));
        }
        let index = self.next.fetch_add(1, Ordering::Relaxed) % endpoints.len();
        let Some((ip, port)) = endpoints.get(index) else {
            return Err(unavailable("endpoints changed".into()));
        };
        match ip.parse::<std::net::IpAddr>() {
            Ok(ip) => Ok(SocketAddr::new(ip, *port)),
            Err(_) => Err(unavailable(format!("bad endpoint address {ip}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use crate::store::{Store, StoreLimits};
    use serde_json::json;

    fn objects() -> Objects {
        Objects::new(
            Arc::new(Store::new(StoreLimits::default())),
            Arc::new(Registry::with_builtins()),
            certlab_clock::SystemClock::shared(),
        )
    }

    #[test]
    fn classes_select_ingresses() {
        let objects = objects();
        let named = json!({"spec": {"ingressClassName": "nginx"}});
        let annotated =
            json!({"metadata": {"annotations": {CLASS_ANNOTATION: "certlab"}}, "spec": {}});
        let classless = json!({"spec": {}});
        let all = EdgeConfig::default();
        assert!(
            all.serves(&objects, &named)
                && all.serves(&objects, &annotated)
                && all.serves(&objects, &classless)
        );
        let ours = EdgeConfig {
            classes: vec!["certlab".into()],
            serve_classless: false,
        };
        assert!(!ours.serves(&objects, &named));
        assert!(ours.serves(&objects, &annotated));
        assert!(!ours.serves(&objects, &classless));
        let lenient = EdgeConfig {
            serve_classless: true,
            ..ours.clone()
        };
        assert!(lenient.serves(&objects, &classless));
        // A default IngressClass of ours takes class-less Ingresses.
        let rt = objects
            .registry()
            .get("networking.k8s.io", "v1", "ingressclasses")
            .expect("registered");
        let class = json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": "certlab", "annotations": {DEFAULT_CLASS_ANNOTATION: "true"}},
            "spec": {"controller": "certlab.io/ingress-edge"}});
        objects
            .create(&rt, "", class, &crate::objects::WriteOptions::default())
            .expect("created");
        assert!(ours.serves(&objects, &classless));
    }
}
