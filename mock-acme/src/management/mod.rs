//! The management interface: Pebble's endpoints (`/roots/N`, `/intermediates/N`,
//! `/root-keys/N`, `/intermediate-keys/N`, `/cert-status-by-serial/<hex>`,
//! `/set-renewal-info/`) plus mock-acme's (`/reset`, `/clock`, `/faults`,
//! `/rate-limits`, `/crl`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use http::{Method, Request, Response};
use serde_json::{Value, json};

use crate::ca::pem;
use crate::db::Db;
use crate::faults::FaultRule;
use crate::ratelimit::RateLimitConfig;
use crate::wfe::problem::Problem;
use crate::wfe::reply::Reply;
use crate::wfe::{Shared, cert, rfc3339};

/// Why the clock could not be moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The server runs on the system clock.
    #[error(
        "the server uses the system clock, which cannot be advanced; start it with a virtual clock"
    )]
    NotVirtual,
    /// A move backwards was requested.
    #[error("the clock only moves forward")]
    Backwards,
}

/// Forgets every account, order, authorization, challenge, certificate and nonce, and
/// restores the startup fault rules and rate limits. CA keys and roots are kept.
pub fn reset(st: &Shared) {
    *st.db() = Db::new();
    st.nonces.clear();
    st.limits.set(st.config.rate_limits.clone());
    st.limits.reset_counters();
    // Startup rules were validated when the server started.
    let _ = st.faults.set(st.config.faults.clone());
    tracing::info!("state reset");
}

/// Advances the virtual clock by `by`.
pub fn advance_clock(st: &Shared, by: Duration) -> Result<SystemTime, ClockError> {
    let clock = st.virtual_clock.as_ref().ok_or(ClockError::NotVirtual)?;
    clock.advance(by);
    Ok(clock.now_time())
}

trait NowTime {
    fn now_time(&self) -> SystemTime;
}

impl NowTime for certlab_clock::VirtualClock {
    fn now_time(&self) -> SystemTime {
        use certlab_clock::Clock;
        self.now()
    }
}

/// Overrides the ARI response for the certificate in `cert_pem`.
pub fn set_renewal_info(st: &Shared, cert_pem: &str, response: &str) -> Result<(), Problem> {
    let der = pem::decode_all(cert_pem, "CERTIFICATE")
        .into_iter()
        .next()
        .ok_or_else(|| Problem::malformed("Error decoding certificate PEM"))?;
    let (_, parsed) = x509_parser::parse_x509_certificate(&der)
        .map_err(|_| Problem::malformed("Error parsing certificate"))?;
    let serial_bytes = parsed.raw_serial();
    let first = serial_bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(serial_bytes.len());
    let serial = crate::ca::hex(serial_bytes.get(first..).unwrap_or_default());
    let mut db = st.db();
    let c = db
        .certs
        .get_mut(&serial)
        .ok_or_else(|| Problem::not_found(format!("no certificate with serial {serial}")))?;
    c.ari_override = Some(response.to_string());
    Ok(())
}

/// The store's key for a serial given in hex. Stored serials are the hex of their
/// minimal big-endian bytes ("0a1b…"); a query may come as Pebble's `%x` ("a1b…"),
/// in upper case, or with extra leading zeros.
fn serial_key(serial_hex: &str) -> String {
    let digits = serial_hex.trim_start_matches('0').to_ascii_lowercase();
    if digits.len() % 2 == 1 {
        format!("0{digits}")
    } else {
        digits
    }
}

/// Pebble's `/cert-status-by-serial` document.
pub fn cert_status(st: &Shared, serial_hex: &str) -> Option<Value> {
    let serial = serial_key(serial_hex);
    let db = st.db();
    let c = db.certs.get(&serial)?;
    let mut v = json!({
        "Status": if c.revoked.is_some() { "Revoked" } else { "Valid" },
        "Serial": c.serial,
        "Certificate": pem::encode("CERTIFICATE", &c.der),
    });
    if let (Some(r), Some(obj)) = (&c.revoked, v.as_object_mut()) {
        obj.insert("Reason".into(), json!(r.reason));
        obj.insert("RevokedAt".into(), json!(rfc3339(r.at)));
    }
    Some(v)
}

fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn indexed(path: &str, prefix: &str) -> Option<Option<usize>> {
    path.strip_prefix(prefix).map(|n| n.parse::<usize>().ok())
}

/// Handles one request on the management listener.
pub async fn handle(st: Arc<Shared>, req: Request<Body>) -> Response<Body> {
    let now = st.now();
    let base = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("https://{h}"))
        .unwrap_or_default();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let body = axum::body::to_bytes(req.into_body(), 1024 * 1024).await;
    let reply = match body {
        Err(_) => Err(Problem::malformed("request body too large").with_status(413)),
        Ok(body) => route(&st, &base, &method, &path, &body),
    };
    match reply {
        Ok(r) => r,
        Err(p) => Reply::problem(&p),
    }
    .into_response(now, 0)
}

fn pem_reply(pem: String) -> Reply {
    Reply::bytes(200, "application/pem-certificate-chain", pem.into_bytes())
}

fn alternates(mut r: Reply, base: &str, prefix: &str, n: usize, total: usize) -> Reply {
    for i in (0..total).filter(|i| *i != n) {
        r = r.with_link(&format!("{base}{prefix}{i}"), "alternate");
    }
    r
}

fn parse_json(body: &[u8]) -> Result<Value, Problem> {
    serde_json::from_slice(body)
        .map_err(|e| Problem::malformed(format!("Error unmarshaling request body: {e}")))
}

fn route(
    st: &Shared,
    base: &str,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Result<Reply, Problem> {
    let ca = &st.ca;
    let total = ca.num_chains();
    let get = *method == Method::GET || *method == Method::HEAD;
    let chain = |n: Option<usize>| {
        n.and_then(|n| ca.chain(n).map(|c| (n, c)))
            .ok_or_else(|| Problem::not_found("No such chain"))
    };
    if let Some(n) = indexed(path, "/roots/") {
        if !get {
            return Err(Problem::method_not_allowed());
        }
        let (n, c) = chain(n)?;
        return Ok(alternates(
            pem_reply(c.root.pem.clone()),
            base,
            "/roots/",
            n,
            total,
        ));
    }
    if let Some(n) = indexed(path, "/intermediates/") {
        if !get {
            return Err(Problem::method_not_allowed());
        }
        let (n, c) = chain(n)?;
        let pem = c
            .intermediates
            .first()
            .map(|i| i.pem.clone())
            .unwrap_or_default();
        return Ok(alternates(
            pem_reply(pem),
            base,
            "/intermediates/",
            n,
            total,
        ));
    }
    if let Some(n) = indexed(path, "/root-keys/") {
        if !get {
            return Err(Problem::method_not_allowed());
        }
        let (_, c) = chain(n)?;
        return Ok(Reply::bytes(
            200,
            "application/x-pem-file",
            c.root.key_pem.clone().into_bytes(),
        ));
    }
    if let Some(n) = indexed(path, "/intermediate-keys/") {
        if !get {
            return Err(Problem::method_not_allowed());
        }
        let (_, c) = chain(n)?;
        let pem = c
            .intermediates
            .first()
            .map(|i| i.key_pem.clone())
            .unwrap_or_default();
        return Ok(Reply::bytes(
            200,
            "application/x-pem-file",
            pem.into_bytes(),
        ));
    }
    if let Some(serial) = path.strip_prefix("/cert-status-by-serial/") {
        if !get {
            return Err(Problem::method_not_allowed());
        }
        if serial.is_empty() || !serial.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Problem::malformed("serial must be hexadecimal"));
        }
        return cert_status(st, serial)
            .map(|v| Reply::json(200, &v))
            .ok_or_else(|| Problem::not_found("no certificate with that serial"));
    }
    match (path, method.as_str()) {
        ("/set-renewal-info/" | "/set-renewal-info", "POST") => {
            let v = parse_json(body)?;
            let cert_pem = get_ci(&v, "Certificate")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let response = get_ci(&v, "ARIResponse")
                .and_then(Value::as_str)
                .unwrap_or_default();
            set_renewal_info(st, cert_pem, response)?;
            Ok(Reply::empty(200))
        }
        ("/reset", "POST") => {
            reset(st);
            Ok(Reply::json(200, &json!({"reset": true})))
        }
        ("/clock", "GET") => Ok(Reply::json(
            200,
            &json!({"now": rfc3339(st.now()), "virtual": st.virtual_clock.is_some()}),
        )),
        ("/clock", "POST") => {
            let v = parse_json(body)?;
            let by = if let Some(secs) = v.get("advanceSeconds").and_then(Value::as_f64) {
                if !(0.0..=1e10).contains(&secs) {
                    return Err(Problem::malformed(
                        "advanceSeconds must be between 0 and 1e10",
                    ));
                }
                Duration::from_secs_f64(secs)
            } else if let Some(to) = v.get("to").and_then(Value::as_str) {
                let to = crate::wfe::parse_rfc3339(to)
                    .ok_or_else(|| Problem::malformed("to must be an RFC 3339 time"))?;
                to.duration_since(st.now())
                    .map_err(|_| Problem::malformed(ClockError::Backwards.to_string()))?
            } else {
                return Err(Problem::malformed(
                    "expected {\"advanceSeconds\": N} or {\"to\": \"<RFC 3339>\"}",
                ));
            };
            let now = advance_clock(st, by)
                .map_err(|e| Problem::malformed(e.to_string()).with_status(409))?;
            Ok(Reply::json(
                200,
                &json!({"now": rfc3339(now), "virtual": true}),
            ))
        }
        ("/faults", "GET") => Ok(Reply::json(200, &json!(st.faults.list()))),
        ("/faults", "POST" | "PUT") => {
            let v = parse_json(body)?;
            let rules: Vec<FaultRule> = if v.is_array() {
                serde_json::from_value(v)
            } else {
                serde_json::from_value(v).map(|r| vec![r])
            }
            .map_err(|e| Problem::malformed(format!("invalid fault rule: {e}")))?;
            st.faults.set(rules).map_err(Problem::malformed)?;
            Ok(Reply::json(200, &json!(st.faults.list())))
        }
        ("/faults", "DELETE") => {
            st.faults.clear();
            Ok(Reply::json(200, &json!([])))
        }
        ("/rate-limits", "GET") => Ok(Reply::json(200, &json!(st.limits.config()))),
        ("/rate-limits", "POST" | "PUT") => {
            let cfg: RateLimitConfig = serde_json::from_slice(body)
                .map_err(|e| Problem::malformed(format!("invalid rate limits: {e}")))?;
            st.limits.set(cfg);
            Ok(Reply::json(200, &json!(st.limits.config())))
        }
        ("/rate-limits", "DELETE") => {
            st.limits.set(RateLimitConfig::default());
            st.limits.reset_counters();
            Ok(Reply::json(200, &json!(st.limits.config())))
        }
        ("/crl", "GET") => Ok(Reply::bytes(
            200,
            "application/pkix-crl",
            cert::crl_der(st)?,
        )),
        (
            "/set-renewal-info/" | "/set-renewal-info" | "/reset" | "/clock" | "/faults"
            | "/rate-limits" | "/crl",
            _,
        ) => Err(Problem::method_not_allowed()),
        _ => Err(Problem::not_found("Not found")),
    }
}

#[cfg(test)]
mod tests {
    use super::serial_key;

    #[test]
    fn serial_queries_map_to_the_stored_key() {
        assert_eq!(serial_key("0a1b"), "0a1b");
        assert_eq!(serial_key("a1b"), "0a1b");
        assert_eq!(serial_key("000A1B"), "0a1b");
        assert_eq!(serial_key("7f01"), "7f01");
    }
}
