//! The HTTP front end: routing, content negotiation, request decoding, and turning
//! results into responses. It holds no object semantics of its own; those are in
//! `crate::objects`.

mod body;
mod discovery;
mod negotiate;
mod openapi;
mod path;
mod query;
mod resources;
mod table;
mod watch;

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use futures::future::BoxFuture;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use serde_json::Value;

use crate::objects::Objects;
use crate::status::StatusError;

pub use body::MAX_BODY_BYTES;
pub use path::{ResourcePath, Route};

/// Tunables of the front end.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// The address reported in `/api` (`serverAddressByClientCIDRs`).
    pub server_address: String,
    /// How often watches that allow bookmarks get one.
    pub bookmark_interval: std::time::Duration,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            server_address: "127.0.0.1:6443".to_string(),
            bookmark_interval: std::time::Duration::from_secs(60),
        }
    }
}

/// The API server's request handling, shared by the in-process service and the
/// network listener.
pub struct ApiServer {
    objects: Arc<Objects>,
    config: ApiConfig,
    server_address: std::sync::RwLock<String>,
    openapi: openapi::Cache,
}

impl std::fmt::Debug for ApiServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiServer").finish_non_exhaustive()
    }
}

impl ApiServer {
    /// A front end over `objects`.
    pub fn new(objects: Arc<Objects>, config: ApiConfig) -> Self {
        Self {
            server_address: std::sync::RwLock::new(config.server_address.clone()),
            objects,
            config,
            openapi: openapi::Cache::default(),
        }
    }

    /// Sets the address reported by `/api` (once the listener has bound).
    pub fn set_server_address(&self, addr: &str) {
        if let Ok(mut a) = self.server_address.write() {
            *a = addr.to_string();
        }
    }

    /// The object layer.
    pub fn objects(&self) -> &Arc<Objects> {
        &self.objects
    }

    /// Handles one request. Never fails: every error is a `Status` response.
    pub async fn handle<B>(self: Arc<Self>, req: Request<B>) -> Response<Body>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let result = self.route(req).await;
        let response = match result {
            Ok(resp) => resp,
            Err(e) => status_response(&e),
        };
        tracing::debug!(%method, %path, status = response.status().as_u16(), "request");
        response
    }

    async fn route<B>(&self, req: Request<B>) -> Result<Response<Body>, StatusError>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let route = path::parse(req.uri().path());
        let registry = self.objects.registry();
        let is_get = matches!(*req.method(), Method::GET | Method::HEAD);
        match route {
            Route::Resource(rp) => resources::handle(self, rp, req).await,
            _ if !is_get => Err(StatusError::method_not_allowed()),
            Route::Version => Ok(json_response(StatusCode::OK, &discovery::version())),
            Route::Health => Ok(text_response(StatusCode::OK, "ok")),
            Route::CoreVersions => Ok(json_response(
                StatusCode::OK,
                &discovery::core_versions(
                    &self
                        .server_address
                        .read()
                        .map(|a| a.clone())
                        .unwrap_or_default(),
                ),
            )),
            Route::Groups => Ok(json_response(StatusCode::OK, &discovery::groups(registry))),
            Route::Group(g) => Ok(json_response(
                StatusCode::OK,
                &discovery::group(registry, &g)?,
            )),
            Route::GroupVersion(g, v) => Ok(json_response(
                StatusCode::OK,
                &discovery::resources(registry, &g, &v)?,
            )),
            Route::OpenApiV2 => Err(StatusError::path_not_found()),
            Route::OpenApiV3Index => {
                Ok(json_response(StatusCode::OK, &self.openapi.index(registry)))
            }
            Route::OpenApiV3(g, v) => Ok(json_response(
                StatusCode::OK,
                &self.openapi.group_version(registry, &g, &v)?,
            )),
            Route::NotFound => Err(StatusError::path_not_found()),
        }
    }
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    json_response_typed(status, body, "application/json")
}

pub(crate) fn json_response_typed<T: serde::Serialize + ?Sized>(
    status: StatusCode,
    body: &T,
    content_type: &str,
) -> Response<Body> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    resp
}

fn text_response(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// A `Status` response for an error.
pub fn status_response(e: &StatusError) -> Response<Body> {
    let code = StatusCode::from_u16(e.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = json_response(code, &e.to_status());
    if let Some(after) = e.details.retry_after
        && let Ok(v) = HeaderValue::from_str(&after.to_string())
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// The API server as a `tower::Service`, for `kube::Client::new` in-process and for
/// the network listener.
#[derive(Clone, Debug)]
pub struct ApiService {
    server: Arc<ApiServer>,
}

impl ApiService {
    /// A service over `server`.
    pub fn new(server: Arc<ApiServer>) -> Self {
        Self { server }
    }

    /// The server behind the service.
    pub fn server(&self) -> &Arc<ApiServer> {
        &self.server
    }
}

impl<B> tower::Service<Request<B>> for ApiService
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let server = self.server.clone();
        Box::pin(async move { Ok(server.handle(req).await) })
    }
}
