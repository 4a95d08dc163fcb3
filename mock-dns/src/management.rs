//! The management API: challtestsrv's endpoints (same paths, JSON bodies, status codes)
//! plus mock-dns's own `set-fault`, `clear-fault`, `GET /records` and `POST /reset`.
//!
//! Bodies are parsed like Go's `encoding/json` into challtestsrv's request structs:
//! field names match case-insensitively, unknown fields are ignored, `null` leaves a
//! field empty, and a wrong type is a 400 with an explanation.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::error::RecordError;
use crate::history::EventKind;
use crate::store::{CaaPolicy, DnsHandle, Fault};

/// The longest delay a `delay` fault may ask for.
const MAX_DELAY_MS: u64 = 600_000;

/// An error answer: 400 with an optional text body, like Go's `http.Error`.
#[derive(Debug)]
struct ApiError(Option<String>);

impl ApiError {
    fn msg(m: impl Into<String>) -> Self {
        Self(Some(m.into()))
    }

    /// A bare 400 with no body (challtestsrv's answer to missing fields).
    fn bare() -> Self {
        Self(None)
    }
}

impl From<RecordError> for ApiError {
    fn from(e: RecordError) -> Self {
        Self::msg(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            None => StatusCode::BAD_REQUEST.into_response(),
            Some(m) => text(StatusCode::BAD_REQUEST, format!("{m}\n")),
        }
    }
}

fn text(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut().insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

type ApiResult = Result<Response, ApiError>;

fn ok() -> ApiResult {
    Ok(StatusCode::OK.into_response())
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A request body parsed the way challtestsrv's Go handlers parse it.
struct Body(Map<String, Value>);

impl Body {
    fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.is_empty() {
            return Err(ApiError::msg("Expected JSON POST body, was empty"));
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            if e.is_eof() {
                ApiError::msg("unexpected end of JSON input")
            } else {
                ApiError::msg(format!("invalid JSON: {e}"))
            }
        })?;
        match value {
            Value::Object(m) => Ok(Self(m)),
            Value::Null => Ok(Self(Map::new())),
            other => Err(ApiError::msg(format!(
                "json: cannot unmarshal {} into Go value of type struct",
                json_kind(&other)
            ))),
        }
    }

    /// A field, matching its name exactly first, then case-insensitively (like Go).
    fn field(&self, name: &str) -> Option<&Value> {
        self.0.get(name).or_else(|| {
            self.0
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    }

    fn string(&self, name: &str) -> Result<String, ApiError> {
        match self.field(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(type_error(other, name, "string")),
        }
    }

    fn strings(&self, name: &str) -> Result<Vec<String>, ApiError> {
        match self.field(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Null => Ok(String::new()),
                    other => Err(type_error(other, name, "string")),
                })
                .collect(),
            Some(other) => Err(type_error(other, name, "[]string")),
        }
    }

    fn policies(&self, name: &str) -> Result<Vec<CaaPolicy>, ApiError> {
        match self.field(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    let obj = match v {
                        Value::Object(m) => Body(m.clone()),
                        Value::Null => Body(Map::new()),
                        other => return Err(type_error(other, name, "CAAPolicy")),
                    };
                    Ok(CaaPolicy {
                        tag: obj.string("tag")?,
                        value: obj.string("value")?,
                    })
                })
                .collect(),
            Some(other) => Err(type_error(other, name, "[]CAAPolicy")),
        }
    }

    fn u64(&self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.field(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| ApiError::msg(format!("{name} must be a non-negative integer"))),
            Some(other) => Err(type_error(other, name, "uint64")),
        }
    }
}

fn type_error(v: &Value, field: &str, go_type: &str) -> ApiError {
    let mut chars = field.chars();
    let field = chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default();
    ApiError::msg(format!(
        "json: cannot unmarshal {} into Go struct field .{field} of type {go_type}",
        json_kind(v)
    ))
}

/// Pretty JSON with challtestsrv's three-space indent.
fn json_response<T: Serialize>(value: &T) -> Response {
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"   ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    if value.serialize(&mut ser).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut r = (StatusCode::OK, buf).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

type Api = State<DnsHandle>;

fn required(v: &str) -> Result<&str, ApiError> {
    if v.is_empty() {
        Err(ApiError::bare())
    } else {
        Ok(v)
    }
}

async fn set_default_ipv4(State(h): Api, body: Bytes) -> ApiResult {
    let ip = Body::parse(&body)?.string("ip")?;
    let addr = if ip.is_empty() {
        None
    } else {
        Some(
            ip.parse::<Ipv4Addr>()
                .map_err(|_| RecordError::InvalidAddress {
                    family: "IPv4",
                    value: ip.clone(),
                })?,
        )
    };
    h.set_default_ipv4(addr);
    info!(ip, "set default IPv4 address for A queries");
    ok()
}

async fn set_default_ipv6(State(h): Api, body: Bytes) -> ApiResult {
    let ip = Body::parse(&body)?.string("ip")?;
    let addr = if ip.is_empty() {
        None
    } else {
        Some(
            ip.parse::<Ipv6Addr>()
                .map_err(|_| RecordError::InvalidAddress {
                    family: "IPv6",
                    value: ip.clone(),
                })?,
        )
    };
    h.set_default_ipv6(addr);
    info!(ip, "set default IPv6 address for AAAA queries");
    ok()
}

async fn set_txt(State(h): Api, body: Bytes) -> ApiResult {
    let b = Body::parse(&body)?;
    let (host, value) = (b.string("host")?, b.string("value")?);
    if host.is_empty() || value.is_empty() {
        return Err(ApiError::bare());
    }
    h.set_txt(&host, &value)?;
    info!(host, value, "added TXT record");
    ok()
}

/// Handlers that take only `{host}` and act on it.
async fn host_only(body: &[u8], f: impl FnOnce(&str) -> Result<(), RecordError>) -> ApiResult {
    let host = Body::parse(body)?.string("host")?;
    f(required(&host)?)?;
    ok()
}

async fn clear_txt(State(h): Api, body: Bytes) -> ApiResult {
    host_only(&body, |host| h.clear_txt(host)).await
}

fn parse_addrs<T: std::str::FromStr>(
    addrs: &[String],
    family: &'static str,
) -> Result<Vec<T>, ApiError> {
    addrs
        .iter()
        .map(|a| {
            a.trim().parse::<T>().map_err(|_| {
                ApiError::from(RecordError::InvalidAddress {
                    family,
                    value: a.clone(),
                })
            })
        })
        .collect()
}

async fn add_a(State(h): Api, body: Bytes) -> ApiResult {
    let b = Body::parse(&body)?;
    let (host, addrs) = (b.string("host")?, b.strings("addresses")?);
    if addrs.is_empty() || host.is_empty() {
        return Err(ApiError::bare());
    }
    // IPv4-mapped IPv6 forms are accepted like Go's To4().
    let parsed: Vec<Ipv4Addr> = parse_addrs::<IpAddr>(&addrs, "IPv4")?
        .into_iter()
        .map(|ip| match ip {
            IpAddr::V4(v4) => Ok(v4),
            IpAddr::V6(v6) => v6.to_ipv4_mapped().ok_or_else(|| {
                ApiError::from(RecordError::InvalidAddress {
                    family: "IPv4",
                    value: v6.to_string(),
                })
            }),
        })
        .collect::<Result<_, _>>()?;
    h.add_a(&host, &parsed)?;
    info!(host, ?addrs, "added A records");
    ok()
}

async fn clear_a(State(h): Api, body: Bytes) -> ApiResult {
    host_only(&body, |host| h.clear_a(host)).await
}

async fn add_aaaa(State(h): Api, body: Bytes) -> ApiResult {
    let b = Body::parse(&body)?;
    let (host, addrs) = (b.string("host")?, b.strings("addresses")?);
    if addrs.is_empty() || host.is_empty() {
        return Err(ApiError::bare());
    }
    let parsed: Vec<Ipv6Addr> = parse_addrs(&addrs, "IPv6")?;
    h.add_aaaa(&host, &parsed)?;
    info!(host, ?addrs, "added AAAA records");
    ok()
}

async fn clear_aaaa(State(h): Api, body: Bytes) -> ApiResult {
    host_only(&body, |host| h.clear_aaaa(host)).await
}

async fn add_caa(State(h): Api, body: Bytes) -> ApiResult {
    let b = Body::parse(&body)?;
    let (host, policies) = (b.string("host")?, b.policies("policies")?);
    if host.is_empty() || policies.is_empty() {
        return Err(ApiError::bare());
    }
    h.add_caa(&host, &policies)?;
    info!(host, "added CAA records");
    ok()
}

async fn clear_caa(State(h): Api, body: Bytes) -> ApiResult {
    host_only(&body, |host| h.clear_caa(host)).await
}

async fn set_cname(State(h): Api, body: Bytes) -> ApiResult {
    let b = Body::parse(&body)?;
    let (host, target) = (b.string("host")?, b.string("target")?);
    if host.is_empty() || target.is_empty() {
        return Err(ApiError::bare());
    }
    h.set_cname(&host, &target)?;
    info!(host, target, "set CNAME");
    ok()
}

async fn clear_cname(State(h): Api, body: Bytes) -> ApiResult {
    host_only(&body, |host| h.clear_cname(host)).await
}

async fn set_servfail(State(h): Api, body: Bytes) -> ApiResult {
    host_only(&body, |host| h.set_servfail(host)).await
}

async fn clear_servfail(State(h): Api, body: Bytes) -> ApiResult {
    host_only(&body, |host| h.clear_servfail(host)).await
}

async fn set_fault(State(h): Api, body: Bytes) -> ApiResult {
    let b = Body::parse(&body)?;
    let host = b.string("host")?;
    let kind = b.string("fault")?;
    let host = required(&host)?;
    let fault = match kind.to_ascii_lowercase().as_str() {
        "servfail" => Fault::ServFail,
        "drop" | "timeout" => Fault::Drop,
        "delay" => {
            let ms = b
                .u64("delayMs")?
                .ok_or_else(|| ApiError::msg("delay faults need delayMs"))?;
            if ms > MAX_DELAY_MS {
                return Err(ApiError::msg(format!(
                    "delayMs must be at most {MAX_DELAY_MS}"
                )));
            }
            Fault::Delay(Duration::from_millis(ms))
        }
        "" => return Err(ApiError::msg("fault must be one of servfail, delay, drop")),
        other => {
            return Err(ApiError::from(RecordError::InvalidFault(format!(
                "unknown fault {other:?}; use servfail, delay or drop"
            ))));
        }
    };
    h.set_fault(host, fault)?;
    info!(host, ?fault, "set fault");
    ok()
}

async fn clear_fault(State(h): Api, body: Bytes) -> ApiResult {
    host_only(&body, |host| h.clear_fault(host)).await
}

async fn add_http01(State(h): Api, body: Bytes) -> ApiResult {
    let b = Body::parse(&body)?;
    let (token, content) = (b.string("token")?, b.string("content")?);
    if token.is_empty() || content.is_empty() {
        return Err(ApiError::bare());
    }
    h.add_http01(&token, &content);
    info!(token, "added HTTP-01 challenge");
    ok()
}

async fn del_http01(State(h): Api, body: Bytes) -> ApiResult {
    let token = Body::parse(&body)?.string("token")?;
    h.del_http01(required(&token)?);
    ok()
}

async fn add_redirect(State(h): Api, body: Bytes) -> ApiResult {
    let b = Body::parse(&body)?;
    let (path, target) = (b.string("path")?, b.string("targetURL")?);
    if path.is_empty() || target.is_empty() {
        return Err(ApiError::bare());
    }
    h.add_redirect(&path, &target);
    ok()
}

async fn del_redirect(State(h): Api, body: Bytes) -> ApiResult {
    let path = Body::parse(&body)?.string("path")?;
    h.del_redirect(required(&path)?);
    ok()
}

async fn add_tlsalpn01(State(h): Api, body: Bytes) -> ApiResult {
    let b = Body::parse(&body)?;
    let (host, content) = (b.string("host")?, b.string("content")?);
    if host.is_empty() || content.is_empty() {
        return Err(ApiError::bare());
    }
    h.add_tlsalpn01(&host, &content);
    ok()
}

async fn del_tlsalpn01(State(h): Api, body: Bytes) -> ApiResult {
    let host = Body::parse(&body)?.string("host")?;
    h.del_tlsalpn01(required(&host)?);
    ok()
}

fn history_host(body: &[u8]) -> Result<String, ApiError> {
    let host = Body::parse(body)?.string("host")?;
    if host.is_empty() {
        return Err(ApiError::msg(
            "host parameter of POST body must not be empty",
        ));
    }
    Ok(host)
}

async fn http_history(State(h): Api, body: Bytes) -> ApiResult {
    Ok(json_response(&h.http_history(&history_host(&body)?)))
}

async fn dns_history(State(h): Api, body: Bytes) -> ApiResult {
    Ok(json_response(&h.dns_history(&history_host(&body)?)))
}

async fn tlsalpn_history(State(h): Api, body: Bytes) -> ApiResult {
    Ok(json_response(&h.tlsalpn_history(&history_host(&body)?)))
}

async fn clear_history(State(h): Api, body: Bytes) -> ApiResult {
    let b = Body::parse(&body)?;
    let (host, kind) = (b.string("host")?, b.string("type")?);
    if host.is_empty() {
        return Err(ApiError::msg("host parameter must not be empty"));
    }
    let kind = EventKind::from_api_name(&kind)
        .ok_or_else(|| ApiError::msg(format!("{kind:?} event type unknown")))?;
    h.clear_history(&host, kind);
    ok()
}

async fn records(State(h): Api) -> Response {
    json_response(&h.records())
}

async fn reset(State(h): Api) -> Response {
    h.reset();
    info!("reset to the start state");
    StatusCode::OK.into_response()
}

async fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "404 page not found\n".to_owned())
}

/// The management API router.
pub fn router(handle: DnsHandle) -> Router {
    Router::new()
        .route("/set-default-ipv4", any(set_default_ipv4))
        .route("/set-default-ipv6", any(set_default_ipv6))
        .route("/set-txt", any(set_txt))
        .route("/clear-txt", any(clear_txt))
        .route("/add-a", any(add_a))
        .route("/clear-a", any(clear_a))
        .route("/add-aaaa", any(add_aaaa))
        .route("/clear-aaaa", any(clear_aaaa))
        .route("/add-caa", any(add_caa))
        .route("/clear-caa", any(clear_caa))
        .route("/set-cname", any(set_cname))
        .route("/clear-cname", any(clear_cname))
        .route("/set-servfail", any(set_servfail))
        .route("/clear-servfail", any(clear_servfail))
        .route("/set-fault", any(set_fault))
        .route("/clear-fault", any(clear_fault))
        .route("/add-http01", any(add_http01))
        .route("/del-http01", any(del_http01))
        .route("/add-redirect", any(add_redirect))
        .route("/del-redirect", any(del_redirect))
        .route("/add-tlsalpn01", any(add_tlsalpn01))
        .route("/del-tlsalpn01", any(del_tlsalpn01))
        .route("/http-request-history", any(http_history))
        .route("/dns-request-history", any(dns_history))
        .route("/tlsalpn01-request-history", any(tlsalpn_history))
        .route("/clear-request-history", any(clear_history))
        .route("/records", get(records))
        .route("/reset", post(reset))
        .fallback(not_found)
        .with_state(handle)
}

/// Serves the management API on `listener` until `shutdown` is cancelled.
pub async fn serve(listener: TcpListener, handle: DnsHandle, shutdown: CancellationToken) {
    let app = router(handle);
    if let Err(error) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
    {
        warn!(%error, "management API stopped");
    }
}
