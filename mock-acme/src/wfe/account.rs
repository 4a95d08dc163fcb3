//! Directory, accounts (newAccount, update, deactivate, orders list) and keyChange.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::db::{Account, AccountStatus, Status, new_id};
use crate::key::PublicKey;
use crate::wfe::jws::{key_from_jwk, parse_jws};
use crate::wfe::problem::{Problem, ProblemType};
use crate::wfe::reply::Reply;
use crate::wfe::{Authed, Ctx, RENEWAL_INFO_PATH, Signer, TERMS_OF_SERVICE, profile_descriptions};

/// Most contacts an account may have (Pebble's limit).
pub const MAX_CONTACTS: usize = 2;

/// `GET /dir`.
pub fn directory(ctx: &Ctx<'_>) -> Reply {
    let cfg = &ctx.st.config;
    Reply::json(
        200,
        &json!({
            "keyChange": ctx.url_for("/rollover-account-key"),
            "meta": {
                "caaIdentities": cfg.caa_identities,
                "externalAccountRequired": cfg.external_account_binding_required,
                "profiles": profile_descriptions(&ctx.st.ca),
                "termsOfService": TERMS_OF_SERVICE,
            },
            "newAccount": ctx.url_for("/sign-me-up"),
            "newNonce": ctx.url_for("/nonce-plz"),
            "newOrder": ctx.url_for("/order-plz"),
            "renewalInfo": ctx.url_for(RENEWAL_INFO_PATH),
            "revokeCert": ctx.url_for("/revoke-cert"),
        }),
    )
}

/// The JSON of an account.
pub fn account_json(ctx: &Ctx<'_>, a: &Account) -> Value {
    json!({
        "status": match a.status {
            AccountStatus::Valid => "valid",
            AccountStatus::Deactivated => "deactivated",
        },
        "contact": a.contact,
        "orders": ctx.url_for(&format!("/list-orderz/{}", a.id)),
        "key": a.key.to_jwk(),
    })
}

fn account_url(ctx: &Ctx<'_>, id: &str) -> String {
    ctx.url_for(&format!("/my-account/{id}"))
}

/// Validates `contact` URLs: `mailto:` only, at most [`MAX_CONTACTS`].
pub fn validate_contacts(contacts: &[String]) -> Result<(), Problem> {
    if contacts.len() > MAX_CONTACTS {
        return Err(Problem::malformed(format!(
            "too many contacts provided: {} > {MAX_CONTACTS}",
            contacts.len()
        )));
    }
    for c in contacts {
        let Some((scheme, addr)) = c.split_once(':') else {
            return Err(Problem::new(
                ProblemType::InvalidContact,
                format!("contact {c:?} is invalid"),
            ));
        };
        if !scheme.eq_ignore_ascii_case("mailto") {
            return Err(Problem::new(
                ProblemType::UnsupportedContact,
                format!("contact method {scheme:?} is not supported"),
            ));
        }
        if addr.is_empty() {
            return Err(Problem::new(
                ProblemType::InvalidContact,
                "empty contact email",
            ));
        }
        if !addr.is_ascii() {
            return Err(Problem::new(
                ProblemType::InvalidContact,
                format!("contact email {addr:?} contains non-ASCII characters"),
            ));
        }
        let valid = match addr.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !addr.contains([' ', '?', ',', '<', '>', '"'])
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
        if !valid {
            return Err(Problem::new(
                ProblemType::InvalidContact,
                format!("contact email {addr:?} is invalid"),
            ));
        }
    }
    Ok(())
}

fn contacts_from(v: Option<&Value>) -> Result<Option<Vec<String>>, Problem> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|c| {
                c.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Problem::malformed("contact entries must be strings"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(Problem::malformed("contact must be a list of strings")),
    }
}

fn bool_member(v: &Value, name: &str) -> Result<bool, Problem> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(Problem::malformed(format!("{name} must be a boolean"))),
    }
}

/// Verifies an externalAccountBinding (RFC 8555 section 7.3.4); returns the key ID.
pub fn verify_eab(ctx: &Ctx<'_>, eab: &Value, account_key: &PublicKey) -> Result<String, Problem> {
    let obj = eab
        .as_object()
        .ok_or_else(|| Problem::malformed("externalAccountBinding must be a JWS object"))?;
    let member = |name: &str| {
        obj.get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| Problem::malformed(format!("externalAccountBinding is missing {name}")))
    };
    let (prot_b64, payload_b64, sig_b64) = (
        member("protected")?,
        member("payload")?,
        member("signature")?,
    );
    let decode = |s: &str| {
        URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| Problem::malformed("externalAccountBinding is not base64url"))
    };
    let header: Value = serde_json::from_slice(&decode(prot_b64)?)
        .map_err(|_| Problem::malformed("externalAccountBinding header is not JSON"))?;
    let alg = match header.get("alg").and_then(Value::as_str) {
        Some("HS256") => hmac::HMAC_SHA256,
        Some("HS384") => hmac::HMAC_SHA384,
        Some("HS512") => hmac::HMAC_SHA512,
        other => {
            return Err(Problem::new(
                ProblemType::BadSignatureAlgorithm,
                format!("externalAccountBinding alg {other:?} is not one of HS256, HS384, HS512"),
            ));
        }
    };
    if header.get("nonce").is_some() {
        return Err(Problem::malformed(
            "externalAccountBinding must not contain a nonce",
        ));
    }
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| Problem::malformed("externalAccountBinding has no kid"))?;
    if header.get("url").and_then(Value::as_str) != Some(ctx.url.as_str()) {
        return Err(Problem::malformed(
            "externalAccountBinding url must equal the outer JWS url",
        ));
    }
    let mac_key = ctx
        .st
        .config
        .external_account_mac_keys
        .get(kid)
        .ok_or_else(|| {
            Problem::unauthorized(format!(
                "the field 'kid' references a key that is not known to the ACME server: {kid:?}"
            ))
        })?;
    let signing_input = format!("{prot_b64}.{payload_b64}");
    let key = hmac::Key::new(alg, mac_key);
    hmac::verify(&key, signing_input.as_bytes(), &decode(sig_b64)?)
        .map_err(|_| Problem::unauthorized("externalAccountBinding signature does not verify"))?;
    let inner: Value = serde_json::from_slice(&decode(payload_b64)?)
        .map_err(|_| Problem::malformed("externalAccountBinding payload is not a JWK"))?;
    let inner_key = key_from_jwk(&inner)?;
    if inner_key != *account_key {
        return Err(Problem::new(
            ProblemType::BadPublicKey,
            "externalAccountBinding key does not match the account key",
        ));
    }
    Ok(kid.to_string())
}

/// `POST /sign-me-up`.
pub fn new_account(ctx: &Ctx<'_>, auth: Authed) -> Result<Reply, Problem> {
    let Signer::Key(key) = &auth.signer else {
        return Err(Problem::malformed("No JWK in JWS header"));
    };
    let payload = auth.jws.json_payload()?;
    if !payload.is_object() {
        return Err(Problem::malformed(
            "newAccount payload must be a JSON object",
        ));
    }
    let thumbprint = key.thumbprint();
    let existing = ctx.st.db().account_by_thumbprint(&thumbprint).cloned();
    if let Some(a) = existing {
        if a.status == AccountStatus::Deactivated {
            return Err(Problem::unauthorized("Account has been deactivated"));
        }
        return Ok(Reply::json(200, &account_json(ctx, &a)).with_location(account_url(ctx, &a.id)));
    }
    if bool_member(&payload, "onlyReturnExisting")? {
        return Err(Problem::new(
            ProblemType::AccountDoesNotExist,
            "unable to find existing account for only-return-existing request",
        ));
    }
    if !bool_member(&payload, "termsOfServiceAgreed")? {
        let mut p = Problem::new(
            ProblemType::UserActionRequired,
            "Provided account did not agree to the terms of service",
        );
        p.links
            .push(format!("<{TERMS_OF_SERVICE}>;rel=\"terms-of-service\""));
        return Err(p);
    }
    let contact = contacts_from(payload.get("contact"))?.unwrap_or_default();
    validate_contacts(&contact)?;
    let eab_kid = match payload.get("externalAccountBinding") {
        Some(eab) if !eab.is_null() => Some(verify_eab(ctx, eab, key)?),
        _ if ctx.st.config.external_account_binding_required => {
            return Err(Problem::new(
                ProblemType::ExternalAccountRequired,
                "newAccount request must include a value for the 'externalAccountBinding' field",
            ));
        }
        _ => None,
    };
    let mut db = ctx.st.db();
    if let Some(a) = db.account_by_thumbprint(&thumbprint) {
        let a = a.clone();
        return Ok(Reply::json(200, &account_json(ctx, &a)).with_location(account_url(ctx, &a.id)));
    }
    let account = Account {
        id: new_id(),
        key: key.clone(),
        contact,
        status: AccountStatus::Valid,
        eab_kid,
        created_at: ctx.now,
    };
    db.accounts_by_key.insert(thumbprint, account.id.clone());
    db.accounts.insert(account.id.clone(), account.clone());
    drop(db);
    tracing::info!(account = %account.id, "created account");
    Ok(Reply::json(201, &account_json(ctx, &account)).with_location(account_url(ctx, &account.id)))
}

/// `POST /my-account/<id>`: fetch, update contacts, or deactivate.
pub fn account(ctx: &Ctx<'_>, auth: Authed, id: &str) -> Result<Reply, Problem> {
    let signer = auth.account()?;
    if signer.id != id {
        return Err(Problem::unauthorized(
            "Request signing key did not match account key",
        ));
    }
    if auth.jws.is_post_as_get() {
        return Ok(Reply::json(200, &account_json(ctx, signer)));
    }
    let payload = auth.jws.json_payload()?;
    if !payload.is_object() {
        return Err(Problem::malformed("account update must be a JSON object"));
    }
    let contact = contacts_from(payload.get("contact"))?;
    if let Some(c) = &contact {
        validate_contacts(c)?;
    }
    let deactivate = match payload.get("status") {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) if s == "deactivated" => true,
        Some(Value::String(s)) if s == "valid" => false,
        Some(other) => {
            return Err(Problem::malformed(format!(
                "Invalid account status: {other}; only \"deactivated\" may be requested"
            )));
        }
    };
    let mut db = ctx.st.db();
    let a = db
        .accounts
        .get_mut(id)
        .ok_or_else(|| Problem::new(ProblemType::AccountDoesNotExist, "Account not found"))?;
    if let Some(c) = contact {
        a.contact = c;
    }
    if deactivate {
        a.status = AccountStatus::Deactivated;
    }
    let a = a.clone();
    if deactivate {
        // RFC 8555 7.3.6: pending authorizations of a deactivated account are deactivated.
        for authz in db.authzs.values_mut() {
            if authz.account == a.id && matches!(authz.status, Status::Pending | Status::Valid) {
                authz.status = Status::Deactivated;
            }
        }
    }
    drop(db);
    Ok(Reply::json(200, &account_json(ctx, &a)))
}

/// `POST /list-orderz/<id>[/page/N]`.
pub fn orders(ctx: &Ctx<'_>, auth: Authed, id: &str, page: Option<&str>) -> Result<Reply, Problem> {
    auth.require_post_as_get()?;
    let signer = auth.account()?;
    if signer.id != id {
        return Err(Problem::not_found("Wrong account ID"));
    }
    let page = match page {
        None => 0usize,
        Some(p) => match p.parse::<usize>() {
            Ok(n) if n >= 2 => n - 1,
            _ => return Err(Problem::not_found("Invalid page number")),
        },
    };
    let per_page = ctx.st.config.orders_per_page.max(1);
    let mut db = ctx.st.db();
    let ids = db.account_orders.get(id).cloned().unwrap_or_default();
    let mut visible = Vec::new();
    for oid in ids {
        if db.refresh_order(&oid, ctx.now) != Some(Status::Invalid) {
            visible.push(oid);
        }
    }
    drop(db);
    let start = page.saturating_mul(per_page).min(visible.len());
    let end = start.saturating_add(per_page).min(visible.len());
    let urls: Vec<String> = visible[start..end]
        .iter()
        .map(|o| ctx.url_for(&format!("/my-order/{o}")))
        .collect();
    let mut reply = Reply::json(200, &json!({ "orders": urls }));
    if end < visible.len() {
        let next = ctx.url_for(&format!("/list-orderz/{id}/page/{}", page + 2));
        reply = reply.with_link(&next, "next");
    }
    Ok(reply)
}

/// `POST /rollover-account-key` (RFC 8555 section 7.3.5).
pub fn key_change(ctx: &Ctx<'_>, auth: Authed) -> Result<Reply, Problem> {
    let account = auth.account()?.clone();
    let inner = parse_jws(&auth.jws.payload)
        .map_err(|p| Problem::malformed(format!("Key roll-over inner JWS: {}", p.detail)))?;
    if inner.header.kid.is_some() {
        return Err(Problem::malformed(
            "Key roll-over inner JWS must not use kid",
        ));
    }
    let new_key = inner.embedded_key()?;
    inner.verify(&new_key)?;
    match inner.header.url.as_deref() {
        None => {
            return Err(Problem::malformed(
                "Inner JWS header parameter 'url' required.",
            ));
        }
        Some(u) if u != ctx.url => {
            return Err(Problem::malformed(
                "JWS header parameter 'url' differs for inner and outer JWS.",
            ));
        }
        Some(_) => {}
    }
    let body = inner
        .json_payload()
        .map_err(|_| Problem::malformed("Error unmarshaling key roll-over inner JWS body"))?;
    let account_url = account_url(ctx, &account.id);
    match body.get("account").and_then(Value::as_str) {
        Some(a) if a == account_url => {}
        Some(a) => {
            return Err(Problem::malformed(format!(
                "Key roll-over inner JWS body contains wrong account ID (provided account value: {a:?})"
            )));
        }
        None => return Err(Problem::malformed("No key ID (account) in inner JWS body")),
    }
    let old = body
        .get("oldKey")
        .ok_or_else(|| Problem::malformed("Key roll-over inner JWS body has no oldKey"))?;
    let old = PublicKey::from_jwk(old).map_err(|_| {
        Problem::malformed("Key roll-over inner JWS body JSON contains wrong old key")
    })?;
    if old != account.key {
        return Err(Problem::malformed(
            "Key roll-over inner JWS body JSON contains wrong old key",
        ));
    }
    if new_key == account.key {
        return Err(Problem::malformed("New and old key are identical"));
    }
    let new_thumb = new_key.thumbprint();
    let mut db = ctx.st.db();
    if let Some(other) = db.accounts_by_key.get(&new_thumb) {
        let mut p = Problem::malformed("New key is already in use for a different account")
            .with_status(409);
        p.location = Some(ctx.url_for(&format!("/my-account/{other}")));
        return Err(p);
    }
    let old_thumb = account.key.thumbprint();
    db.accounts_by_key.remove(&old_thumb);
    db.accounts_by_key.insert(new_thumb, account.id.clone());
    let a = db
        .accounts
        .get_mut(&account.id)
        .ok_or_else(|| Problem::new(ProblemType::AccountDoesNotExist, "Account not found"))?;
    a.key = new_key;
    let a = a.clone();
    drop(db);
    Ok(Reply::json(200, &account_json(ctx, &a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts() {
        assert!(validate_contacts(&["mailto:a@example.com".into()]).is_ok());
        let kind = |c: &str| validate_contacts(&[c.to_string()]).unwrap_err().kind;
        assert_eq!(kind("tel:+123"), ProblemType::UnsupportedContact);
        assert_eq!(kind("mailto:"), ProblemType::InvalidContact);
        assert_eq!(kind("mailto:nope"), ProblemType::InvalidContact);
        assert_eq!(
            kind("mailto:a@b.com?subject=x"),
            ProblemType::InvalidContact
        );
        assert_eq!(kind("nocolon"), ProblemType::InvalidContact);
        assert!(
            validate_contacts(&[
                "mailto:a@b.c".into(),
                "mailto:b@b.c".into(),
                "mailto:c@b.c".into()
            ])
            .is_err()
        );
    }
}
