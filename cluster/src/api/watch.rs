//! Watch: a chunked stream of newline-delimited JSON events.
//!
//! A watch starts from the current state (synthetic `ADDED` events, then an optional
//! `k8s.io/initial-events-end` bookmark for `sendInitialEvents`) or resumes after a
//! resource version (replaying the store's history, or one `ERROR` event with 410
//! `Expired` when that history is gone). Objects entering or leaving the selectors on
//! a change are reported as `ADDED` / `DELETED`, as the API server's watch cache does.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http::{Response, StatusCode, header};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::negotiate::{IncludeObject, Output};
use super::table;
use crate::objects::{Filter, Objects};
use crate::registry::{Ctx, ResourceType};
use crate::status::StatusError;
use crate::store::{Change, EventType, Interest, StoreError, Subscription};

/// The annotation of the bookmark that ends a watch's initial events.
pub const INITIAL_EVENTS_END: &str = "k8s.io/initial-events-end";

/// A parsed watch request.
pub struct WatchRequest {
    /// The resource watched.
    pub rt: Arc<ResourceType>,
    /// Only this namespace.
    pub namespace: Option<String>,
    /// Label and field selectors.
    pub filter: Filter,
    /// `resourceVersion`.
    pub resource_version: Option<u64>,
    /// `sendInitialEvents=true`.
    pub send_initial_events: bool,
    /// `allowWatchBookmarks=true`.
    pub bookmarks: bool,
    /// When the server ends the watch.
    pub timeout: Duration,
    /// How often a bookmark is sent.
    pub bookmark_interval: Duration,
    /// Response format.
    pub output: Output,
    /// What Table rows carry.
    pub include: IncludeObject,
}

struct Encoder {
    rt: Arc<ResourceType>,
    output: Output,
    include: IncludeObject,
    headers_sent: bool,
}

impl Encoder {
    fn event(&mut self, kind: &str, stored: &Value, ctx: &Ctx) -> Bytes {
        let object = match self.output {
            Output::Json => self.rt.strategy.to_served(stored),
            Output::Metadata { version } => table::partial_metadata(stored, version),
            Output::Table { version } => {
                let rv = stored
                    .pointer("/metadata/resourceVersion")
                    .cloned()
                    .unwrap_or(Value::Null);
                let t = table::table(
                    &self.rt,
                    std::slice::from_ref(stored),
                    ctx,
                    self.include,
                    version,
                    !self.headers_sent,
                    json!({"resourceVersion": rv}),
                );
                self.headers_sent = true;
                t
            }
        };
        line(json!({"type": kind, "object": object}))
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end && let Some(m) = meta.as_object_mut() {
            m.insert("annotations".into(), json!({INITIAL_EVENTS_END: "true"}));
        }
        line(
            json!({"type": "BOOKMARK", "object": {"kind": self.rt.kind, "apiVersion": self.rt.api_version(), "metadata": meta}}),
        )
    }
}

fn line(v: Value) -> Bytes {
    let mut bytes = serde_json::to_vec(&v).unwrap_or_default();
    bytes.push(b'\n');
    Bytes::from(bytes)
}

/// The `ERROR` event of a watch that cannot continue.
fn error_event(e: &StatusError) -> Bytes {
    line(json!({"type": "ERROR", "object": e.to_status()}))
}

/// Which event, if any, a change means for a watcher with `filter`.
fn classify(rt: &ResourceType, filter: &Filter, change: &Change) -> Option<&'static str> {
    let now = filter.matches(rt, &change.object);
    let before = change.old.as_ref().is_some_and(|o| filter.matches(rt, o));
    match change.kind {
        EventType::Added => now.then_some("ADDED"),
        EventType::Deleted => before.then_some("DELETED"),
        EventType::Modified => match (before, now) {
            (true, true) => Some("MODIFIED"),
            (false, true) => Some("ADDED"),
            (true, false) => Some("DELETED"),
            (false, false) => None,
        },
    }
}

/// Starts a watch; the response streams until the timeout or the client leaves.
pub fn start(objects: Arc<Objects>, req: WatchRequest) -> Result<Response<Body>, StatusError> {
    let store = objects.store().clone();
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let mut encoder = Encoder {
        rt: req.rt.clone(),
        output: req.output,
        include: req.include,
        headers_sent: false,
    };
    let ctx = Ctx {
        now: objects.clock().now(),
    };
    let namespace = req.namespace.as_deref();
    // Set up the subscription synchronously, so the watch is registered before the
    // response headers are sent: a client that writes right after its watch opens
    // will see the change.
    let mut initial = Vec::new();
    let sub: Result<Subscription, StoreError> = match req.resource_version {
        Some(rv) if rv > 0 && !req.send_initial_events => store.subscribe(
            Interest::Resource {
                resource: req.rt.storage.clone(),
                namespace: req.namespace.clone(),
            },
            Some(rv),
        ),
        _ => {
            let (snapshot, sub) = store.subscribe_with_snapshot(&req.rt.storage, namespace);
            for obj in snapshot.iter().filter(|o| req.filter.matches(&req.rt, o)) {
                initial.push(encoder.event("ADDED", obj, &ctx));
            }
            if req.send_initial_events {
                initial.push(encoder.bookmark(sub.start_rv, true));
            }
            Ok(sub)
        }
    };
    let mut sub = match sub {
        Ok(sub) => sub,
        Err(StoreError::Expired { requested, oldest }) => {
            let e =
                StatusError::expired(format!("too old resource version: {requested} ({oldest})"));
            return Ok(stream_response(
                req.output,
                futures::stream::iter([Ok::<_, std::convert::Infallible>(error_event(&e))]),
            ));
        }
        Err(e) => return Err(StatusError::internal(e.to_string())),
    };
    let rt = req.rt.clone();
    let filter = req.filter;
    let bookmarks = req.bookmarks;
    let bookmark_interval = req.bookmark_interval;
    let deadline = tokio::time::Instant::now() + req.timeout;
    tokio::spawn(async move {
        for bytes in initial {
            if tx.send(bytes).await.is_err() {
                return;
            }
        }
        let backlog = std::mem::take(&mut sub.backlog);
        let mut last_rv = sub.start_rv;
        for change in backlog {
            last_rv = change.rv;
            let ctx = Ctx {
                now: objects.clock().now(),
            };
            if let Some(kind) = classify(&rt, &filter, &change)
                && tx
                    .send(encoder.event(kind, &change.object, &ctx))
                    .await
                    .is_err()
            {
                return;
            }
        }
        let mut ticker = tokio::time::interval_at(
            tokio::time::Instant::now() + bookmark_interval,
            bookmark_interval,
        );
        loop {
            tokio::select! {
                change = sub.live.recv() => {
                    let Some(change) = change else { return };
                    last_rv = last_rv.max(change.rv);
                    let ctx = Ctx { now: objects.clock().now() };
                    if let Some(kind) = classify(&rt, &filter, &change)
                        && tx.send(encoder.event(kind, &change.object, &ctx)).await.is_err()
                    {
                        return;
                    }
                }
                _ = ticker.tick(), if bookmarks => {
                    // Everything up to the store's current version is already queued
                    // for us; drain it first so the bookmark never runs ahead.
                    let current = objects.store().current_rv();
                    while let Ok(change) = sub.live.try_recv() {
                        last_rv = last_rv.max(change.rv);
                        let ctx = Ctx { now: objects.clock().now() };
                        if let Some(kind) = classify(&rt, &filter, &change)
                            && tx.send(encoder.event(kind, &change.object, &ctx)).await.is_err()
                        {
                            return;
                        }
                    }
                    last_rv = last_rv.max(current);
                    if tx.send(encoder.bookmark(last_rv, false)).await.is_err() {
                        return;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => return,
                _ = tx.closed() => return,
            }
        }
    });
    let body = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
    });
    Ok(stream_response(req.output, body))
}

fn stream_response<S>(output: Output, stream: S) -> Response<Body>
where
    S: futures::Stream<Item = Result<Bytes, std::convert::Infallible>> + Send + 'static,
{
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = StatusCode::OK;
    let ct = match output {
        Output::Json => "application/json".to_string(),
        other => other.content_type(),
    };
    if let Ok(v) = header::HeaderValue::from_str(&ct) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache, private"),
    );
    resp
}
