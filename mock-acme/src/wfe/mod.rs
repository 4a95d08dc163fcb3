//! The web front end: routing, JWS authentication, nonces and problem responses.
//!
//! Paths follow Pebble's (`/dir`, `/nonce-plz`, `/sign-me-up`, `/order-plz`, ...), so
//! scripts written against Pebble work unchanged.

pub mod account;
pub mod authz;
pub mod cert;
pub mod jws;
pub mod nonce;
pub mod order;
pub mod problem;
pub mod reply;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use axum::body::Body;
use http::{HeaderMap, Method, Request, Response};
use rand::Rng;

use crate::ca::Ca;
use crate::config::Config;
use crate::db::{Account, AccountStatus, Db};
use crate::faults::Faults;
use crate::key::PublicKey;
use crate::ratelimit::RateLimiter;
use crate::va::Va;
use crate::wfe::jws::{Jws, parse_jws};
use crate::wfe::nonce::NonceStore;
use crate::wfe::problem::{Problem, ProblemType};
use crate::wfe::reply::Reply;

/// Pebble's terms of service URL.
pub const TERMS_OF_SERVICE: &str = "data:text/plain,Do%20what%20thou%20wilt";
/// Path prefix of ARI.
pub const RENEWAL_INFO_PATH: &str = "/draft-ietf-acme-ari-03/renewalInfo";

/// Shared server state.
pub struct Shared {
    /// Configuration in force.
    pub config: Config,
    /// Protocol time.
    pub clock: certlab_clock::SharedClock,
    /// The same clock, when it can be advanced.
    pub virtual_clock: Option<certlab_clock::VirtualClock>,
    /// The store.
    pub db: Mutex<Db>,
    /// Nonces.
    pub nonces: NonceStore,
    /// The CA.
    pub ca: Ca,
    /// The VA.
    pub va: Va,
    /// Fault rules.
    pub faults: Faults,
    /// Rate limits.
    pub limits: RateLimiter,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl Shared {
    /// Locks the store.
    pub fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Protocol time.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }
}

/// A routed ACME endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/dir`
    Directory,
    /// `/nonce-plz`
    NewNonce,
    /// `/sign-me-up`
    NewAccount,
    /// `/my-account/<id>`
    Account(String),
    /// `/list-orderz/<id>[/page/N]`
    Orders(String, Option<String>),
    /// `/order-plz`
    NewOrder,
    /// `/my-order/<id>`
    Order(String),
    /// `/authZ/<id>`
    Authz(String),
    /// `/chalZ/<id>`
    Challenge(String),
    /// `/finalize-order/<id>`
    Finalize(String),
    /// `/certZ/<serial>[/alternate/N]`
    Certificate(String, Option<String>),
    /// `/revoke-cert`
    RevokeCert,
    /// `/rollover-account-key`
    KeyChange,
    /// `/draft-ietf-acme-ari-03/renewalInfo/<certid>`
    RenewalInfo(String),
    /// `/crl`
    Crl,
    /// `/issuer/<n>`: the issuing intermediate of chain n (the certificate's `up` link).
    Issuer(String),
    /// Anything else.
    NotFound,
}

impl Route {
    /// Parses a path.
    pub fn parse(path: &str) -> Route {
        let nonempty = |s: &str| (!s.is_empty() && !s.contains('/')).then(|| s.to_string());
        if path == "/dir" || path == "/directory" {
            return Route::Directory;
        }
        match path {
            "/nonce-plz" => return Route::NewNonce,
            "/sign-me-up" => return Route::NewAccount,
            "/order-plz" => return Route::NewOrder,
            "/revoke-cert" => return Route::RevokeCert,
            "/rollover-account-key" => return Route::KeyChange,
            "/crl" => return Route::Crl,
            _ => {}
        }
        type MakeRoute = fn(String) -> Route;
        let prefixed: [(&str, MakeRoute); 6] = [
            ("/my-account/", Route::Account),
            ("/my-order/", Route::Order),
            ("/authZ/", Route::Authz),
            ("/chalZ/", Route::Challenge),
            ("/finalize-order/", Route::Finalize),
            ("/issuer/", Route::Issuer),
        ];
        for (prefix, make) in prefixed {
            if let Some(rest) = path.strip_prefix(prefix) {
                return nonempty(rest).map(make).unwrap_or(Route::NotFound);
            }
        }
        if let Some(rest) = path.strip_prefix("/list-orderz/") {
            return match rest.split_once("/page/") {
                Some((id, page)) if !id.is_empty() => {
                    Route::Orders(id.to_string(), Some(page.to_string()))
                }
                Some(_) => Route::NotFound,
                None => nonempty(rest)
                    .map(|id| Route::Orders(id, None))
                    .unwrap_or(Route::NotFound),
            };
        }
        if let Some(rest) = path.strip_prefix("/certZ/") {
            return match rest.split_once("/alternate/") {
                Some((serial, n)) if !serial.is_empty() => {
                    Route::Certificate(serial.to_string(), Some(n.to_string()))
                }
                Some(_) => Route::NotFound,
                None => nonempty(rest)
                    .map(|s| Route::Certificate(s, None))
                    .unwrap_or(Route::NotFound),
            };
        }
        if let Some(rest) = path.strip_prefix(RENEWAL_INFO_PATH) {
            return Route::RenewalInfo(rest.trim_start_matches('/').to_string());
        }
        Route::NotFound
    }

    /// The name used by fault rules.
    pub fn endpoint_name(&self) -> &'static str {
        match self {
            Route::Directory => "directory",
            Route::NewNonce => "newNonce",
            Route::NewAccount => "newAccount",
            Route::Account(_) => "account",
            Route::Orders(..) => "orders",
            Route::NewOrder => "newOrder",
            Route::Order(_) => "order",
            Route::Authz(_) => "authz",
            Route::Challenge(_) => "challenge",
            Route::Finalize(_) => "finalize",
            Route::Certificate(..) => "certificate",
            Route::RevokeCert => "revokeCert",
            Route::KeyChange => "keyChange",
            Route::RenewalInfo(_) => "renewalInfo",
            Route::Crl => "crl",
            Route::Issuer(_) => "issuer",
            Route::NotFound => "notFound",
        }
    }
}

/// Per-request context.
pub struct Ctx<'a> {
    /// Shared state.
    pub st: &'a Arc<Shared>,
    /// `https://<host>`.
    pub base: String,
    /// The full request URL (what the JWS `url` must equal).
    pub url: String,
    /// Protocol time at the start of the request.
    pub now: SystemTime,
    /// Extra badNonce probability from faults.
    pub bad_nonce_rate: f64,
}

impl Ctx<'_> {
    /// An absolute URL on this server.
    pub fn url_for(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The account URL prefix.
    pub fn account_prefix(&self) -> String {
        self.url_for("/my-account/")
    }
}

/// How a request must be signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    /// `jwk` only (newAccount).
    Jwk,
    /// `kid` only.
    Kid,
    /// Either (revokeCert).
    Either,
}

/// Who signed a request.
#[derive(Debug, Clone)]
pub enum Signer {
    /// An embedded key (no account implied).
    Key(PublicKey),
    /// An existing, valid account.
    Account(Box<Account>),
}

/// An authenticated POST.
#[derive(Debug, Clone)]
pub struct Authed {
    /// The JWS.
    pub jws: Jws,
    /// The signer.
    pub signer: Signer,
}

impl Authed {
    /// The signing account, or `unauthorized`... for kid-only endpoints this is always set.
    pub fn account(&self) -> Result<&Account, Problem> {
        match &self.signer {
            Signer::Account(a) => Ok(a),
            Signer::Key(_) => Err(Problem::malformed("No Key ID in JWS header")),
        }
    }

    /// Rejects a non-empty payload.
    pub fn require_post_as_get(&self) -> Result<(), Problem> {
        if self.jws.is_post_as_get() {
            Ok(())
        } else {
            Err(Problem::malformed(
                "POST-as-GET requests must have an empty payload",
            ))
        }
    }
}

/// Checks the transport, parses and verifies the JWS, and redeems its nonce.
pub fn authenticate(
    ctx: &Ctx<'_>,
    headers: &HeaderMap,
    body: &[u8],
    mode: KeyMode,
) -> Result<Authed, Problem> {
    match headers.get(http::header::CONTENT_TYPE) {
        None => {
            return Err(Problem::malformed(
                "missing Content-Type header on POST. Content-Type must be \"application/jose+json\"",
            )
            .with_status(415));
        }
        Some(v) if v.as_bytes() != b"application/jose+json" => {
            return Err(Problem::malformed(
                "Invalid Content-Type header on POST. Content-Type must be \"application/jose+json\"",
            )
            .with_status(415));
        }
        Some(_) => {}
    }
    if headers.contains_key("replay-nonce") {
        return Err(Problem::malformed(
            "HTTP requests should NOT contain Replay-Nonce header. Use JWS nonce field",
        ));
    }
    if body.is_empty() {
        return Err(Problem::malformed("no body on POST"));
    }
    let jws = parse_jws(body)?;
    let signer = match (mode, &jws.header.jwk, &jws.header.kid) {
        (KeyMode::Jwk, None, _) => return Err(Problem::malformed("No JWK in JWS header")),
        (KeyMode::Kid, _, None) => return Err(Problem::malformed("No Key ID in JWS header")),
        (_, Some(_), _) => Signer::Key(jws.embedded_key()?),
        (_, None, Some(kid)) => {
            let prefix = ctx.account_prefix();
            let id = kid.strip_prefix(&prefix).ok_or_else(|| {
                Problem::malformed("Key ID (kid) in JWS header missing expected URL prefix")
            })?;
            let account = ctx.st.db().accounts.get(id).cloned().ok_or_else(|| {
                Problem::new(
                    ProblemType::AccountDoesNotExist,
                    format!("Account {kid:?} not found."),
                )
            })?;
            Signer::Account(Box::new(account))
        }
        (_, None, None) => {
            return Err(Problem::malformed(
                "Malformed JWS, no KeyID or embedded JWK",
            ));
        }
    };
    let key = match &signer {
        Signer::Key(k) => k,
        Signer::Account(a) => &a.key,
    };
    jws.verify(key)?;
    let url = jws
        .header
        .url
        .as_deref()
        .ok_or_else(|| Problem::malformed("JWS header parameter 'url' required."))?;
    let nonce = jws
        .header
        .nonce
        .as_deref()
        .ok_or_else(|| Problem::bad_nonce("JWS has no anti-replay nonce"))?;
    let reject_roll = rand::rng().random_range(0..100u8) < ctx.st.config.nonce_reject_percent;
    let fault_roll = ctx.bad_nonce_rate > 0.0 && rand::rng().random::<f64>() < ctx.bad_nonce_rate;
    if !ctx.st.nonces.redeem(nonce) || reject_roll || fault_roll {
        return Err(Problem::bad_nonce(format!(
            "JWS has an invalid anti-replay nonce: {nonce:?}"
        )));
    }
    if url != ctx.url {
        return Err(Problem::malformed(format!(
            "JWS header parameter 'url' incorrect. Expected {:?}, got {url:?}",
            ctx.url
        )));
    }
    if ctx.st.config.strict
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&jws.payload)
        && v.get("resource")
            .and_then(|r| r.as_str())
            .is_some_and(|r| !r.is_empty())
    {
        return Err(Problem::malformed(
            "JWS body included JSON with a deprecated ACME v1 \"resource\" field",
        ));
    }
    if let Signer::Account(a) = &signer
        && a.status == AccountStatus::Deactivated
    {
        return Err(Problem::unauthorized("Account has been deactivated"));
    }
    Ok(Authed { jws, signer })
}

/// Handles one request on the ACME listener.
pub async fn handle(st: Arc<Shared>, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".into());
    let base = format!("https://{host}");
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let route = Route::parse(parts.uri.path());
    let fault = st.faults.decide(route.endpoint_name());
    if !fault.latency.is_zero() {
        tokio::time::sleep(fault.latency).await;
    }
    let ctx = Ctx {
        st: &st,
        url: format!("{base}{path_and_query}"),
        base,
        now: st.now(),
        bad_nonce_rate: fault.bad_nonce_rate,
    };
    let wants_nonce = parts.method == Method::POST || route == Route::NewNonce;
    let result = match fault.error {
        Some(p) => Err(p),
        None => dispatch(&ctx, &parts.method, &parts.headers, route.clone(), body).await,
    };
    let mut reply = match result {
        Ok(r) => r,
        Err(p) => {
            if p.status >= 500 {
                tracing::warn!(problem = %p, "ACME request failed");
            } else {
                tracing::debug!(problem = %p, "ACME request refused");
            }
            Reply::problem(&p)
        }
    };
    if wants_nonce || reply.status.as_u16() >= 400 {
        reply.nonce = Some(st.nonces.issue());
    }
    reply.index = Some(ctx.url_for("/dir"));
    reply.into_response(ctx.now, st.config.retry_after_order)
}

async fn read_body(ctx: &Ctx<'_>, body: Body) -> Result<bytes::Bytes, Problem> {
    axum::body::to_bytes(body, ctx.st.config.max_body_bytes)
        .await
        .map_err(|_| {
            Problem::malformed(format!(
                "request body larger than {} bytes",
                ctx.st.config.max_body_bytes
            ))
            .with_status(413)
        })
}

async fn dispatch(
    ctx: &Ctx<'_>,
    method: &Method,
    headers: &HeaderMap,
    route: Route,
    body: Body,
) -> Result<Reply, Problem> {
    if route == Route::NotFound {
        return Err(Problem::not_found("Not found"));
    }
    let get_like = *method == Method::GET || *method == Method::HEAD;
    match (&route, get_like) {
        (Route::Directory, true) => return Ok(account::directory(ctx)),
        (Route::NewNonce, true) => {
            let status = if *method == Method::HEAD { 200 } else { 204 };
            return Ok(Reply::empty(status).no_store());
        }
        (Route::RenewalInfo(id), true) => return cert::renewal_info(ctx, id),
        (Route::Crl, true) => return cert::crl(ctx),
        (Route::Issuer(n), true) => return cert::issuer(ctx, n),
        (Route::RenewalInfo(_), false) if *method == Method::POST => {
            return Err(Problem::internal(
                "POSTing to RenewalInfo has not been implemented",
            ));
        }
        (Route::Crl | Route::Issuer(_) | Route::RenewalInfo(_), false) => {
            return Err(Problem::method_not_allowed());
        }
        _ => {}
    }
    if *method != Method::POST {
        return Err(Problem::method_not_allowed());
    }
    if headers
        .get(http::header::USER_AGENT)
        .is_none_or(|v| v.as_bytes().trim_ascii().is_empty())
    {
        return Err(Problem::malformed(
            "All requests MUST include a User-Agent header",
        ));
    }
    let body = read_body(ctx, body).await?;
    match route {
        Route::Directory => {
            authenticate(ctx, headers, &body, KeyMode::Kid)?.require_post_as_get()?;
            Ok(account::directory(ctx))
        }
        Route::NewNonce => {
            authenticate(ctx, headers, &body, KeyMode::Kid)?.require_post_as_get()?;
            Ok(Reply::empty(200).no_store())
        }
        Route::NewAccount => {
            account::new_account(ctx, authenticate(ctx, headers, &body, KeyMode::Jwk)?)
        }
        Route::Account(id) => {
            account::account(ctx, authenticate(ctx, headers, &body, KeyMode::Kid)?, &id)
        }
        Route::Orders(id, page) => account::orders(
            ctx,
            authenticate(ctx, headers, &body, KeyMode::Kid)?,
            &id,
            page.as_deref(),
        ),
        Route::KeyChange => {
            account::key_change(ctx, authenticate(ctx, headers, &body, KeyMode::Kid)?)
        }
        Route::NewOrder => order::new_order(ctx, authenticate(ctx, headers, &body, KeyMode::Kid)?),
        Route::Order(id) => {
            order::order(ctx, authenticate(ctx, headers, &body, KeyMode::Kid)?, &id)
        }
        Route::Finalize(id) => {
            order::finalize(ctx, authenticate(ctx, headers, &body, KeyMode::Kid)?, &id)
        }
        Route::Authz(id) => {
            authz::authz(ctx, authenticate(ctx, headers, &body, KeyMode::Kid)?, &id)
        }
        Route::Challenge(id) => {
            authz::challenge(ctx, authenticate(ctx, headers, &body, KeyMode::Kid)?, &id)
        }
        Route::Certificate(serial, alt) => cert::certificate(
            ctx,
            authenticate(ctx, headers, &body, KeyMode::Kid)?,
            &serial,
            alt.as_deref(),
        ),
        Route::RevokeCert => cert::revoke(ctx, authenticate(ctx, headers, &body, KeyMode::Either)?),
        Route::RenewalInfo(_) | Route::Crl | Route::Issuer(_) | Route::NotFound => {
            Err(Problem::method_not_allowed())
        }
    }
}

/// The directory's `meta.profiles`.
pub fn profile_descriptions(ca: &Ca) -> BTreeMap<String, String> {
    ca.profiles()
        .iter()
        .map(|(k, v)| (k.clone(), v.description.clone()))
        .collect()
}

/// RFC 3339 rendering of a time.
pub fn rfc3339(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .map(|ts| ts.to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// Parses an RFC 3339 time.
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    s.parse::<jiff::Timestamp>().ok().map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(Route::parse("/dir"), Route::Directory);
        assert_eq!(
            Route::parse("/my-account/abc"),
            Route::Account("abc".into())
        );
        assert_eq!(Route::parse("/my-account/"), Route::NotFound);
        assert_eq!(
            Route::parse("/list-orderz/a/page/2"),
            Route::Orders("a".into(), Some("2".into()))
        );
        assert_eq!(
            Route::parse("/certZ/ab/alternate/1"),
            Route::Certificate("ab".into(), Some("1".into()))
        );
        assert_eq!(
            Route::parse("/draft-ietf-acme-ari-03/renewalInfo/x.y"),
            Route::RenewalInfo("x.y".into())
        );
        assert_eq!(Route::parse("/nope"), Route::NotFound);
    }
}
