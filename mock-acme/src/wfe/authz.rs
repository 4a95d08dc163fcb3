//! Authorizations and challenges.

use std::sync::Arc;

use rand::seq::SliceRandom;
use serde_json::{Value, json};

use crate::db::{Authz, Challenge, Status};
use crate::va::ValidationRequest;
use crate::wfe::problem::Problem;
use crate::wfe::reply::Reply;
use crate::wfe::{Authed, Ctx, Shared, rfc3339};

/// The JSON of a challenge.
pub fn challenge_json(ctx: &Ctx<'_>, c: &Challenge) -> Value {
    let mut v = json!({
        "type": c.kind,
        "url": ctx.url_for(&format!("/chalZ/{}", c.id)),
        "token": c.token,
        "status": c.status.as_str(),
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(t) = c.validated {
            obj.insert("validated".into(), json!(rfc3339(t)));
        }
        if let Some(e) = &c.error {
            obj.insert("error".into(), e.to_embedded_json());
        }
    }
    v
}

/// The JSON of an authorization.
pub fn authz_json(ctx: &Ctx<'_>, a: &Authz, challenges: &[Challenge]) -> Value {
    let mut chals: Vec<Value> = challenges.iter().map(|c| challenge_json(ctx, c)).collect();
    chals.shuffle(&mut rand::rng());
    let mut v = json!({
        "status": a.status.as_str(),
        "identifier": a.identifier,
        "challenges": chals,
        "expires": rfc3339(a.expires),
    });
    if a.wildcard
        && let Some(obj) = v.as_object_mut()
    {
        obj.insert("wildcard".into(), json!(true));
    }
    v
}

fn load_authz(ctx: &Ctx<'_>, account: &str, id: &str) -> Result<(Authz, Vec<Challenge>), Problem> {
    let mut db = ctx.st.db();
    db.refresh_authz(id, ctx.now);
    let a = db
        .authzs
        .get(id)
        .cloned()
        .ok_or_else(|| Problem::not_found(format!("No authorization for ID {id:?}")))?;
    if a.account != account {
        return Err(Problem::unauthorized(
            "Account authorizing the request is not the owner of the authorization",
        ));
    }
    let chals = a
        .challenges
        .iter()
        .filter_map(|c| db.challenges.get(c).cloned())
        .collect();
    Ok((a, chals))
}

/// `POST /authZ/<id>`: POST-as-GET or deactivation.
pub fn authz(ctx: &Ctx<'_>, auth: Authed, id: &str) -> Result<Reply, Problem> {
    let account = auth.account()?.clone();
    let (mut a, chals) = load_authz(ctx, &account.id, id)?;
    if !auth.jws.is_post_as_get() {
        let payload = auth.jws.json_payload()?;
        match payload.get("status").and_then(Value::as_str) {
            Some("deactivated") => {}
            _ => {
                return Err(Problem::malformed(
                    "Only {\"status\": \"deactivated\"} may be posted to an authorization",
                ));
            }
        }
        if !matches!(a.status, Status::Pending | Status::Valid) {
            return Err(Problem::malformed(format!(
                "Cannot deactivate an authorization with status {:?}",
                a.status.as_str()
            )));
        }
        let mut db = ctx.st.db();
        if let Some(stored) = db.authzs.get_mut(id) {
            stored.status = Status::Deactivated;
            a = stored.clone();
        }
    }
    let mut reply = Reply::json(200, &authz_json(ctx, &a, &chals));
    if a.status == Status::Pending && chals.iter().any(|c| c.status == Status::Processing) {
        reply = reply.with_retry_after(ctx.st.config.retry_after_authz);
    }
    Ok(reply)
}

/// `POST /chalZ/<id>`: POST-as-GET, or `{}` to start validation.
pub fn challenge(ctx: &Ctx<'_>, auth: Authed, id: &str) -> Result<Reply, Problem> {
    let account = auth.account()?.clone();
    let ch = ctx
        .st
        .db()
        .challenges
        .get(id)
        .cloned()
        .ok_or_else(|| Problem::not_found(format!("No challenge for ID {id:?}")))?;
    let (a, _) = load_authz(ctx, &account.id, &ch.authz)?;
    let up = ctx.url_for(&format!("/authZ/{}", a.id));
    if auth.jws.is_post_as_get() {
        return Ok(Reply::json(200, &challenge_json(ctx, &ch)).with_link(&up, "up"));
    }
    if ctx.st.config.strict && auth.jws.payload != b"{}" {
        return Err(Problem::malformed(
            "challenge initiation POST JWS body was not \"{}\"",
        ));
    }
    let payload = auth.jws.json_payload()?;
    let obj = payload
        .as_object()
        .ok_or_else(|| Problem::malformed("challenge response must be a JSON object"))?;
    if obj.contains_key("keyAuthorization") {
        return Err(Problem::malformed(
            "challenge response must not contain keyAuthorization (RFC 8555 section 7.5.1)",
        ));
    }
    if a.status != Status::Pending {
        return Err(Problem::malformed(format!(
            "Cannot update challenge for authorization with status {:?}",
            a.status.as_str()
        )));
    }
    if ch.status != Status::Pending {
        // Already processing or finished: report it as it stands.
        return Ok(Reply::json(200, &challenge_json(ctx, &ch)).with_link(&up, "up"));
    }
    let updated = {
        let mut db = ctx.st.db();
        let c = db
            .challenges
            .get_mut(id)
            .ok_or_else(|| Problem::not_found("challenge vanished"))?;
        c.status = Status::Processing;
        c.clone()
    };
    let req = ValidationRequest {
        identifier: a.identifier.clone(),
        wildcard: a.wildcard,
        kind: ch.kind.clone(),
        token: ch.token.clone(),
        key_authorization: format!("{}.{}", ch.token, account.key.thumbprint()),
    };
    spawn_validation(ctx.st.clone(), id.to_string(), a.id.clone(), req);
    Ok(Reply::json(200, &challenge_json(ctx, &updated)).with_link(&up, "up"))
}

fn spawn_validation(st: Arc<Shared>, challenge: String, authz: String, req: ValidationRequest) {
    tokio::spawn(async move {
        let result = st.va.validate(&req).await;
        let now = st.now();
        let mut db = st.db();
        let valid_for = st.config.valid_authz_lifetime;
        if let Some(c) = db.challenges.get_mut(&challenge) {
            match &result {
                Ok(()) => {
                    c.status = Status::Valid;
                    c.validated = Some(now);
                }
                Err(p) => {
                    c.status = Status::Invalid;
                    c.error = Some(p.clone());
                }
            }
        }
        if let Some(a) = db.authzs.get_mut(&authz)
            && a.status == Status::Pending
        {
            match &result {
                Ok(()) => {
                    a.status = Status::Valid;
                    a.expires = now + valid_for;
                }
                Err(_) => a.status = Status::Invalid,
            }
        }
        match result {
            Ok(()) => tracing::info!(authz = %authz, kind = %req.kind, "challenge valid"),
            Err(p) => {
                tracing::info!(authz = %authz, kind = %req.kind, problem = %p, "challenge invalid")
            }
        }
    });
}
