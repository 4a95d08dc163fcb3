//! Resource requests: verb dispatch, option parsing, and response shaping.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use serde_json::{Map, Value, json};

use super::body::{decode_json, decode_object, read};
use super::negotiate::{IncludeObject, Output, negotiate};
use super::path::ResourcePath;
use super::query::Query;
use super::{ApiServer, json_response, json_response_typed, table, watch};
use crate::fieldmanager::manager_from_user_agent;
use crate::objects::{
    DeleteOptions, Deleted, FieldValidation, Filter, ListQuery, Objects, PatchKind, Propagation,
    Subresource, WriteOptions, Written, accepted_patch_types,
};
use crate::registry::{Ctx, ResourceType};
use crate::status::{StatusError, success_status};

/// The default watch timeout when the client sets none (the API server picks 30–60 min).
const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);

pub(super) async fn handle<B>(
    server: &ApiServer,
    rp: ResourcePath,
    req: Request<B>,
) -> Result<Response<Body>, StatusError>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let objects = server.objects.clone();
    let rt = objects
        .registry()
        .get(&rp.group, &rp.version, &rp.resource)
        .ok_or_else(StatusError::path_not_found)?;
    // A namespaced path to a cluster-scoped resource (or the reverse for a named
    // object) names nothing.
    if rp.namespace.is_some() && !rt.namespaced {
        return Err(StatusError::path_not_found());
    }
    let subresource = match rp.subresource.as_deref() {
        None => Subresource::Main,
        Some("status") if rt.strategy.has_status() => Subresource::Status,
        Some("finalize") if rt.group.is_empty() && rt.plural == "namespaces" => Subresource::Main,
        Some(_) => return Err(StatusError::path_not_found()),
    };
    let query = Query::parse(req.uri().query());
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    let method = parts.method;
    let namespace = rp.namespace.clone().unwrap_or_default();
    let name = rp.name.clone();
    let watching = rp.watch_prefix || query.flag("watch")?;

    match (method, name) {
        (Method::GET | Method::HEAD, None) if watching => {
            watch_request(server, objects, rt, rp.namespace, &query, &headers)
        }
        (Method::GET | Method::HEAD, None) => {
            list(&objects, &rt, rp.namespace.as_deref(), &query, &headers)
        }
        (Method::GET | Method::HEAD, Some(name)) => {
            if rt.namespaced && rp.namespace.is_none() {
                return Err(StatusError::path_not_found());
            }
            require_stored(&rt, "get")?;
            let obj = objects.get(&rt, &namespace, &name)?;
            respond_object(&objects, &rt, StatusCode::OK, obj, &headers, Vec::new())
        }
        (Method::POST, None) => {
            if rt.namespaced && rp.namespace.is_none() {
                return Err(StatusError::method_not_allowed());
            }
            let bytes = read(body).await?;
            let obj = decode_object(&bytes, content_type(&headers))?;
            let opts = write_options(&query, &headers, false)?;
            let w = objects.create(&rt, &namespace, obj, &opts)?;
            respond_written(&objects, &rt, w, &headers, true)
        }
        (Method::PUT, Some(name)) => {
            if rt.namespaced && rp.namespace.is_none() {
                return Err(StatusError::path_not_found());
            }
            require_stored(&rt, "update")?;
            let bytes = read(body).await?;
            let obj = decode_object(&bytes, content_type(&headers))?;
            let opts = write_options(&query, &headers, false)?;
            if rp.subresource.as_deref() == Some("finalize") {
                let w = finalize_namespace(&objects, &rt, &name, obj, &opts)?;
                return respond_written(&objects, &rt, w, &headers, true);
            }
            let w = objects.update(&rt, &namespace, &name, obj, subresource, &opts)?;
            respond_written(&objects, &rt, w, &headers, true)
        }
        (Method::PATCH, Some(name)) => {
            if rt.namespaced && rp.namespace.is_none() {
                return Err(StatusError::path_not_found());
            }
            require_stored(&rt, "patch")?;
            let kind = content_type(&headers)
                .and_then(PatchKind::from_content_type)
                .ok_or_else(|| StatusError::unsupported_media_type(&accepted_patch_types(&rt)))?;
            let bytes = read(body).await?;
            let opts = write_options(&query, &headers, kind == PatchKind::Apply)?;
            let w = objects.patch(&rt, &namespace, &name, kind, &bytes, subresource, &opts)?;
            respond_written(&objects, &rt, w, &headers, true)
        }
        (Method::DELETE, Some(name)) => {
            if rt.namespaced && rp.namespace.is_none() {
                return Err(StatusError::path_not_found());
            }
            require_stored(&rt, "delete")?;
            let bytes = read(body).await?;
            let opts = delete_options(&query, &bytes)?;
            match objects.delete(&rt, &namespace, &name, &opts)? {
                Deleted::Pending(obj) => {
                    respond_object(&objects, &rt, StatusCode::OK, obj, &headers, Vec::new())
                }
                Deleted::Gone(obj) if rt.strategy.returns_deleted_object() => {
                    respond_object(&objects, &rt, StatusCode::OK, obj, &headers, Vec::new())
                }
                Deleted::Gone(obj) => {
                    let uid = obj.pointer("/metadata/uid").and_then(Value::as_str);
                    Ok(json_response(
                        StatusCode::OK,
                        &success_status(&rt.group_resource(), &name, uid),
                    ))
                }
            }
        }
        (Method::DELETE, None) => {
            require_stored(&rt, "deletecollection")?;
            let bytes = read(body).await?;
            let opts = delete_options(&query, &bytes)?;
            let list_query = list_query(&query)?;
            let deleted =
                objects.delete_collection(&rt, rp.namespace.as_deref(), &list_query, &opts)?;
            let rv = objects.store().current_rv();
            Ok(json_response(
                StatusCode::OK,
                &json!({"kind": rt.list_kind, "apiVersion": rt.api_version(), "metadata": {"resourceVersion": rv.to_string()}, "items": deleted}),
            ))
        }
        _ => Err(StatusError::method_not_allowed()),
    }
}

fn require_stored(rt: &ResourceType, verb: &str) -> Result<(), StatusError> {
    if rt.verbs.contains(&verb) {
        Ok(())
    } else {
        Err(StatusError::method_not_supported(
            &rt.group_resource(),
            verb,
        ))
    }
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

fn accept(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())
}

fn write_options(
    query: &Query,
    headers: &HeaderMap,
    apply: bool,
) -> Result<WriteOptions, StatusError> {
    let field_validation = match query.get("fieldValidation") {
        None => FieldValidation::Warn,
        Some(v) => FieldValidation::parse(v).ok_or_else(|| {
            StatusError::bad_request(format!(
                "fieldValidation: Unsupported value: {v:?}: supported values: \"Ignore\", \"Strict\", \"Warn\""
            ))
        })?,
    };
    let field_manager = match query.get("fieldManager") {
        Some(m) => {
            let errs = crate::fieldmanager::validate_field_manager(m, apply);
            if !errs.is_empty() {
                return Err(StatusError::invalid(
                    "meta.k8s.io",
                    "PatchOptions",
                    "",
                    &errs,
                ));
            }
            m.to_string()
        }
        None if apply => String::new(),
        None => {
            let ua = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            manager_from_user_agent(ua)
        }
    };
    let force = query.flag("force")?;
    if force && !apply {
        return Err(StatusError::invalid(
            "meta.k8s.io",
            "PatchOptions",
            "",
            &[crate::field::FieldError::forbidden(
                "force",
                "may not be specified for non-apply patch",
            )],
        ));
    }
    Ok(WriteOptions {
        dry_run: query.dry_run()?,
        field_manager,
        field_validation,
        force,
    })
}

fn delete_options(query: &Query, body: &[u8]) -> Result<DeleteOptions, StatusError> {
    let mut opts = DeleteOptions {
        dry_run: query.dry_run()?,
        ..DeleteOptions::default()
    };
    if let Some(p) = query.get("propagationPolicy") {
        opts.propagation = Some(Propagation::parse(p).ok_or_else(|| bad_propagation(p))?);
    }
    if let Some(orphan) = query.get("orphanDependents") {
        opts.propagation = Some(if orphan == "true" {
            Propagation::Orphan
        } else {
            Propagation::Background
        });
    }
    if !body.iter().all(u8::is_ascii_whitespace) {
        let v = decode_json(body)?;
        if let Some(p) = v.get("propagationPolicy").and_then(Value::as_str) {
            opts.propagation = Some(Propagation::parse(p).ok_or_else(|| bad_propagation(p))?);
        }
        if let Some(orphan) = v.get("orphanDependents").and_then(Value::as_bool) {
            opts.propagation = Some(if orphan {
                Propagation::Orphan
            } else {
                Propagation::Background
            });
        }
        if let Some(pre) = v.get("preconditions") {
            opts.precondition_uid = pre.get("uid").and_then(Value::as_str).map(str::to_string);
            opts.precondition_rv = pre
                .get("resourceVersion")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        if let Some(dry) = v.get("dryRun").and_then(Value::as_array) {
            opts.dry_run |= dry.iter().any(|d| d == "All");
        }
    }
    Ok(opts)
}

fn bad_propagation(p: &str) -> StatusError {
    StatusError::invalid(
        "meta.k8s.io",
        "DeleteOptions",
        "",
        &[crate::field::FieldError::not_supported(
            "propagationPolicy",
            Value::from(p),
            &["Foreground", "Background", "Orphan", "nil"],
        )],
    )
}

fn list_query(query: &Query) -> Result<ListQuery, StatusError> {
    Ok(ListQuery {
        label_selector: query.get("labelSelector").map(str::to_string),
        field_selector: query.get("fieldSelector").map(str::to_string),
        limit: query.number("limit")?.map(|l| l as usize),
        continue_token: query.get("continue").map(str::to_string),
        resource_version: query.get("resourceVersion").map(str::to_string),
        resource_version_match: query.get("resourceVersionMatch").map(str::to_string),
    })
}

fn include_object(headers: &HeaderMap, query: &Query) -> Result<IncludeObject, StatusError> {
    let _ = headers;
    match query.get("includeObject") {
        None | Some("") | Some("Metadata") => Ok(IncludeObject::Metadata),
        Some("None") => Ok(IncludeObject::None),
        Some("Object") => Ok(IncludeObject::Object),
        Some(other) => Err(StatusError::bad_request(format!(
            "includeObject: Unsupported value: {other:?}: supported values: \"None\", \"Metadata\", \"Object\""
        ))),
    }
}

fn list(
    objects: &Objects,
    rt: &ResourceType,
    namespace: Option<&str>,
    query: &Query,
    headers: &HeaderMap,
) -> Result<Response<Body>, StatusError> {
    require_stored(rt, "list")?;
    let output = negotiate(accept(headers))?;
    let page = objects.list(rt, namespace, &list_query(query)?)?;
    let mut meta = Map::new();
    meta.insert(
        "resourceVersion".into(),
        Value::from(page.resource_version.to_string()),
    );
    if let Some(token) = &page.continue_token {
        meta.insert("continue".into(), Value::from(token.as_str()));
    }
    if let Some(remaining) = page.remaining {
        meta.insert("remainingItemCount".into(), Value::from(remaining));
    }
    let body = match output {
        Output::Json => {
            // Serialized straight from the shared stored objects: no deep copy.
            #[derive(serde::Serialize)]
            struct List<'a> {
                kind: &'a str,
                #[serde(rename = "apiVersion")]
                api_version: String,
                metadata: Map<String, Value>,
                items: Vec<&'a Value>,
            }
            let list = List {
                kind: &rt.list_kind,
                api_version: rt.api_version(),
                metadata: meta,
                items: page.items.iter().map(|o| &**o).collect(),
            };
            return Ok(json_response_typed(
                StatusCode::OK,
                &list,
                &output.content_type(),
            ));
        }
        Output::Metadata { version } => {
            let items: Vec<Value> = page
                .items
                .iter()
                .map(|o| table::partial_metadata(o, version))
                .collect();
            json!({"kind": "PartialObjectMetadataList", "apiVersion": format!("meta.k8s.io/{version}"), "metadata": meta, "items": items})
        }
        Output::Table { version } => {
            let ctx = Ctx {
                now: objects.clock().now(),
            };
            let stored: Vec<Value> = page
                .items
                .into_iter()
                .map(|o| rt.strategy.to_storage(Arc::unwrap_or_clone(o)))
                .collect();
            let include = include_object(headers, query)?;
            table::table(
                rt,
                &stored,
                &ctx,
                include,
                version,
                true,
                Value::Object(meta),
            )
        }
    };
    Ok(json_response_typed(
        StatusCode::OK,
        &body,
        &output.content_type(),
    ))
}

fn respond_object(
    objects: &Objects,
    rt: &ResourceType,
    status: StatusCode,
    obj: Value,
    headers: &HeaderMap,
    warnings: Vec<String>,
) -> Result<Response<Body>, StatusError> {
    let output = negotiate(accept(headers))?;
    let body = match output {
        Output::Json => obj,
        Output::Metadata { version } => table::partial_metadata(&obj, version),
        Output::Table { version } => {
            let ctx = Ctx {
                now: objects.clock().now(),
            };
            let rv = obj
                .pointer("/metadata/resourceVersion")
                .cloned()
                .unwrap_or(Value::Null);
            let stored = rt.strategy.to_storage(obj);
            table::table(
                rt,
                &[stored],
                &ctx,
                IncludeObject::Metadata,
                version,
                true,
                json!({"resourceVersion": rv}),
            )
        }
    };
    let mut resp = json_response_typed(status, &body, &output.content_type());
    for w in warnings {
        // RFC 7234 warning: code 299, agent "-", quoted text.
        let text = format!("299 - {}", Value::from(w));
        if let Ok(v) = HeaderValue::from_str(&text) {
            resp.headers_mut().append(header::WARNING, v);
        }
    }
    Ok(resp)
}

fn respond_written(
    objects: &Objects,
    rt: &ResourceType,
    w: Written,
    headers: &HeaderMap,
    _stored: bool,
) -> Result<Response<Body>, StatusError> {
    let status = if w.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    respond_object(objects, rt, status, w.object, headers, w.warnings)
}

fn finalize_namespace(
    objects: &Objects,
    rt: &ResourceType,
    name: &str,
    body: Value,
    opts: &WriteOptions,
) -> Result<Written, StatusError> {
    let finalizers = body
        .pointer("/spec/finalizers")
        .cloned()
        .unwrap_or_else(|| json!([]));
    objects.set_namespace_finalizers(rt, name, finalizers, opts)
}

fn watch_request(
    server: &ApiServer,
    objects: Arc<Objects>,
    rt: Arc<ResourceType>,
    namespace: Option<String>,
    query: &Query,
    headers: &HeaderMap,
) -> Result<Response<Body>, StatusError> {
    require_stored(&rt, "watch")?;
    let output = negotiate(accept(headers))?;
    let filter = Filter::new(&rt, query.get("labelSelector"), query.get("fieldSelector"))?;
    let send_initial_events = query.flag("sendInitialEvents")?;
    let bookmarks = query.flag("allowWatchBookmarks")?;
    if send_initial_events {
        let mut errs = Vec::new();
        if query.get("resourceVersionMatch") != Some("NotOlderThan") {
            errs.push(crate::field::FieldError::forbidden(
                "resourceVersionMatch",
                "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            ));
        }
        if !bookmarks {
            errs.push(crate::field::FieldError::forbidden(
                "allowWatchBookmarks",
                "sendInitialEvents requires setting allowWatchBookmarks to true",
            ));
        }
        if !errs.is_empty() {
            return Err(StatusError::invalid(
                "meta.k8s.io",
                "ListOptions",
                "",
                &errs,
            ));
        }
    }
    let resource_version = match query.get("resourceVersion").filter(|s| !s.is_empty()) {
        None => None,
        Some(rv) => Some(crate::objects::parse_rv(rv)?),
    };
    let timeout = match query.number("timeoutSeconds")? {
        Some(0) | None => DEFAULT_WATCH_TIMEOUT,
        Some(s) => Duration::from_secs(s),
    };
    let namespace = if rt.namespaced { namespace } else { None };
    watch::start(
        objects,
        watch::WatchRequest {
            rt,
            namespace,
            filter,
            resource_version,
            send_initial_events,
            bookmarks,
            timeout,
            bookmark_interval: server.config.bookmark_interval,
            output,
            include: include_object(headers, query)?,
        },
    )
}
