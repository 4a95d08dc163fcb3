//! newOrder, order retrieval and finalize.

use std::collections::BTreeSet;
use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

use crate::ca::csr::parse_csr;
use crate::ca::{IssueRequest, hex};
use crate::db::{Authz, CertRecord, Challenge, Db, Identifier, Order, Status, new_id};
use crate::wfe::problem::{Problem, ProblemType, Subproblem};
use crate::wfe::reply::Reply;
use crate::wfe::{Authed, Ctx, cert, parse_rfc3339, rfc3339};

/// Longest DNS identifier accepted.
pub const MAX_DNS_LENGTH: usize = 253;

/// Checks and normalises one identifier.
pub fn validate_identifier(id: &Identifier, blocklist: &[String]) -> Result<Identifier, Problem> {
    match id.kind.as_str() {
        "ip" => {
            let ip: IpAddr = id.value.parse().map_err(|_| {
                Problem::malformed(format!(
                    "Order included malformed IP type identifier value: {:?}",
                    id.value
                ))
            })?;
            Ok(Identifier::ip(ip.to_string()))
        }
        "dns" => {
            let v = id.value.to_ascii_lowercase();
            if v.is_empty() {
                return Err(Problem::malformed(
                    "Order included DNS identifier with empty value",
                ));
            }
            if let Some(c) = v
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '*')))
            {
                return Err(Problem::malformed(format!(
                    "Order included DNS identifier with a value containing an illegal character: {c:?}"
                )));
            }
            if v.len() > MAX_DNS_LENGTH {
                return Err(Problem::malformed(format!(
                    "Order included DNS identifier that was longer than {MAX_DNS_LENGTH} characters"
                )));
            }
            if v.parse::<IpAddr>().is_ok() {
                return Err(Problem::malformed(format!(
                    "Order included a DNS identifier with an IP address value: {v:?}"
                )));
            }
            if v.ends_with('.') || v.starts_with('.') || v.contains("..") {
                return Err(Problem::malformed(format!(
                    "Order included a DNS identifier with an empty label: {v:?}"
                )));
            }
            match v.matches('*').count() {
                0 => {}
                1 if v.starts_with("*.") => {}
                1 => {
                    return Err(Problem::malformed(format!(
                        "Order included DNS type identifier with illegal wildcard value: wildcard isn't leftmost prefix {v:?}"
                    )));
                }
                _ => {
                    return Err(Problem::malformed(format!(
                        "Order included DNS type identifier with illegal wildcard value: too many wildcards {v:?}"
                    )));
                }
            }
            let bare = v.trim_start_matches("*.");
            if blocklist.iter().any(|b| {
                let b = b.to_ascii_lowercase();
                bare == b || bare.ends_with(&format!(".{b}"))
            }) {
                return Err(Problem::new(
                    ProblemType::RejectedIdentifier,
                    format!(
                        "Order included an identifier for which issuance is forbidden by policy: {v:?}"
                    ),
                ));
            }
            Ok(Identifier::dns(v))
        }
        other => Err(Problem::new(
            ProblemType::UnsupportedIdentifier,
            format!(
                "Order included unsupported type identifier: type {other:?}, value {:?}",
                id.value
            ),
        )),
    }
}

/// Validates every identifier, reporting each failure as a subproblem.
pub fn validate_identifiers(
    ids: &[Identifier],
    blocklist: &[String],
) -> Result<Vec<Identifier>, Problem> {
    if ids.is_empty() {
        return Err(Problem::malformed("Order did not specify any identifiers"));
    }
    let mut ok = Vec::new();
    let mut subs: Vec<(Problem, Identifier)> = Vec::new();
    for id in ids {
        match validate_identifier(id, blocklist) {
            Ok(v) => {
                if !ok.contains(&v) {
                    ok.push(v);
                }
            }
            Err(p) => subs.push((p, id.clone())),
        }
    }
    if subs.is_empty() {
        return Ok(ok);
    }
    let kind = subs[0].0.kind;
    let same = subs.iter().all(|(p, _)| p.kind == kind);
    let detail = if subs.len() == 1 {
        subs[0].0.detail.clone()
    } else {
        format!("{} identifiers were refused; see subproblems", subs.len())
    };
    let top = if same { kind } else { ProblemType::Malformed };
    Err(Problem::new(top, detail).with_subproblems(
        subs.into_iter()
            .map(|(p, id)| Subproblem {
                kind: p.kind.urn(),
                detail: p.detail,
                identifier: id,
            })
            .collect(),
    ))
}

fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// Challenge types offered for an identifier.
pub fn challenge_types(id: &Identifier, wildcard: bool) -> &'static [&'static str] {
    if id.kind == "ip" {
        &["http-01", "tls-alpn-01"]
    } else if wildcard {
        &["dns-01"]
    } else {
        &["http-01", "dns-01", "tls-alpn-01"]
    }
}

fn find_reusable(
    db: &mut Db,
    account: &str,
    id: &Identifier,
    wildcard: bool,
    ctx: &Ctx<'_>,
) -> Option<String> {
    let pct = ctx.st.config.authz_reuse_percent;
    if pct == 0 || rand::rng().random_range(0..100u8) >= pct {
        return None;
    }
    let candidates: Vec<String> = db
        .authz_ids_for(account, id)
        .into_iter()
        .filter(|a| db.authzs.get(a).is_some_and(|a| a.wildcard == wildcard))
        .collect();
    candidates
        .into_iter()
        .find(|a| db.refresh_authz(a, ctx.now) == Some(Status::Valid))
}

fn create_authz(db: &mut Db, ctx: &Ctx<'_>, account: &str, ident: &Identifier) -> String {
    let wildcard = ident.value.starts_with("*.");
    let bare = Identifier {
        kind: ident.kind.clone(),
        value: ident.value.trim_start_matches("*.").to_string(),
    };
    if let Some(id) = find_reusable(db, account, &bare, wildcard, ctx) {
        return id;
    }
    let authz_id = new_id();
    let mut challenges = Vec::new();
    for kind in challenge_types(&bare, wildcard) {
        let ch = Challenge {
            id: new_id(),
            authz: authz_id.clone(),
            kind: (*kind).to_string(),
            token: new_token(),
            status: Status::Pending,
            validated: None,
            error: None,
        };
        challenges.push(ch.id.clone());
        db.challenges.insert(ch.id.clone(), ch);
    }
    db.insert_authz(Authz {
        id: authz_id.clone(),
        account: account.to_string(),
        identifier: bare,
        wildcard,
        status: Status::Pending,
        expires: ctx.now + ctx.st.config.pending_authz_lifetime,
        challenges,
    });
    authz_id
}

/// The JSON of an order; `as_processing` shows a just-finalized order as processing.
pub fn order_json(ctx: &Ctx<'_>, o: &Order, as_processing: bool) -> Value {
    let mut identifiers = o.identifiers.clone();
    identifiers.shuffle(&mut rand::rng());
    let status = if as_processing {
        Status::Processing
    } else {
        o.status
    };
    let mut v = json!({
        "status": status.as_str(),
        "expires": rfc3339(o.expires),
        "identifiers": identifiers,
        "authorizations": o.authzs.iter().map(|a| ctx.url_for(&format!("/authZ/{a}"))).collect::<Vec<_>>(),
        "finalize": ctx.url_for(&format!("/finalize-order/{}", o.id)),
        "profile": o.profile,
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(nb) = o.not_before {
            obj.insert("notBefore".into(), json!(rfc3339(nb)));
        }
        if let Some(na) = o.not_after {
            obj.insert("notAfter".into(), json!(rfc3339(na)));
        }
        if let Some(e) = &o.error {
            obj.insert("error".into(), e.to_json());
        }
        if let Some(r) = &o.replaces {
            obj.insert("replaces".into(), json!(r));
        }
        if !as_processing && let Some(serial) = &o.certificate {
            obj.insert(
                "certificate".into(),
                json!(ctx.url_for(&format!("/certZ/{serial}"))),
            );
        }
    }
    v
}

fn parse_time_member(
    payload: &Value,
    name: &str,
) -> Result<Option<std::time::SystemTime>, Problem> {
    match payload.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_rfc3339(s)
            .map(Some)
            .ok_or_else(|| Problem::malformed(format!("{name} is not an RFC 3339 time: {s:?}"))),
        Some(_) => Err(Problem::malformed(format!("{name} must be a string"))),
    }
}

/// Chooses the profile of an order.
pub fn choose_profile(ctx: &Ctx<'_>, requested: Option<&str>) -> Result<String, Problem> {
    let profiles = ctx.st.ca.profiles();
    match requested {
        Some(name) => {
            if profiles.contains_key(name) {
                Ok(name.to_string())
            } else {
                Err(Problem::new(
                    ProblemType::InvalidProfile,
                    format!("Order includes unrecognized profile name {name:?}"),
                ))
            }
        }
        None => {
            let cfg = ctx
                .st
                .config
                .default_profile
                .as_ref()
                .filter(|p| profiles.contains_key(*p));
            Ok(cfg
                .cloned()
                .or_else(|| {
                    profiles
                        .contains_key("default")
                        .then(|| "default".to_string())
                })
                .or_else(|| profiles.keys().next().cloned())
                .unwrap_or_else(|| "default".into()))
        }
    }
}

/// `POST /order-plz`.
pub fn new_order(ctx: &Ctx<'_>, auth: Authed) -> Result<Reply, Problem> {
    let account = auth.account()?.clone();
    let payload = auth.jws.json_payload()?;
    let raw_ids = match payload.get("identifiers") {
        Some(v @ Value::Array(_)) => serde_json::from_value::<Vec<Identifier>>(v.clone())
            .map_err(|e| Problem::malformed(format!("Error unmarshaling identifiers: {e}")))?,
        Some(_) => return Err(Problem::malformed("identifiers must be a list")),
        None => return Err(Problem::malformed("Order did not specify any identifiers")),
    };
    let identifiers = validate_identifiers(&raw_ids, &ctx.st.config.domain_blocklist)?;
    let not_before = parse_time_member(&payload, "notBefore")?;
    let not_after = parse_time_member(&payload, "notAfter")?;
    if let (Some(nb), Some(na)) = (not_before, not_after)
        && na <= nb
    {
        return Err(Problem::malformed("notAfter must be after notBefore"));
    }
    let profile = match payload.get("profile") {
        None | Some(Value::Null) => choose_profile(ctx, None)?,
        Some(Value::String(s)) => choose_profile(ctx, Some(s))?,
        Some(_) => return Err(Problem::malformed("profile must be a string")),
    };
    let replaces = match payload.get("replaces") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(Problem::malformed("replaces must be a string")),
    };
    let replaces_serial = match &replaces {
        Some(r) => Some(cert::check_replaces(ctx, &account, r, &identifiers)?),
        None => None,
    };
    ctx.st
        .limits
        .new_order(&account.id, &identifiers, ctx.now)?;
    let mut db = ctx.st.db();
    if let Some(serial) = &replaces_serial {
        // Re-check under the lock: another order may have claimed it meanwhile.
        cert::claim_replacement(&mut db, ctx, serial)?;
    }
    let mut authzs = Vec::new();
    for ident in &identifiers {
        let a = create_authz(&mut db, ctx, &account.id, ident);
        if !authzs.contains(&a) {
            authzs.push(a);
        }
    }
    let order = Order {
        id: new_id(),
        account: account.id.clone(),
        status: Status::Pending,
        expires: ctx.now + ctx.st.config.order_lifetime,
        identifiers,
        not_before,
        not_after,
        profile,
        authzs,
        error: None,
        certificate: None,
        replaces,
        replaces_serial: replaces_serial.clone(),
    };
    if let Some(serial) = &replaces_serial
        && let Some(c) = db.certs.get_mut(serial)
    {
        c.replaced_by = Some(order.id.clone());
    }
    db.orders.insert(order.id.clone(), order.clone());
    db.account_orders
        .entry(account.id.clone())
        .or_default()
        .push(order.id.clone());
    db.refresh_order(&order.id, ctx.now);
    let order = db.orders.get(&order.id).cloned().unwrap_or(order);
    drop(db);
    Ok(Reply::json(201, &order_json(ctx, &order, false))
        .with_location(ctx.url_for(&format!("/my-order/{}", order.id))))
}

fn owned_order(ctx: &Ctx<'_>, account: &str, id: &str) -> Result<Order, Problem> {
    let mut db = ctx.st.db();
    db.refresh_order(id, ctx.now);
    let o = db
        .orders
        .get(id)
        .cloned()
        .ok_or_else(|| Problem::not_found(format!("No order for ID {id:?}")))?;
    if o.account != account {
        return Err(Problem::unauthorized(
            "Account that authenticated the request does not own the specified order",
        ));
    }
    Ok(o)
}

/// `POST /my-order/<id>` (POST-as-GET).
pub fn order(ctx: &Ctx<'_>, auth: Authed, id: &str) -> Result<Reply, Problem> {
    auth.require_post_as_get()?;
    let account = auth.account()?;
    let o = owned_order(ctx, &account.id, id)?;
    let mut reply = Reply::json(200, &order_json(ctx, &o, false));
    if o.status == Status::Processing {
        reply = reply.with_retry_after(ctx.st.config.retry_after_order);
    }
    Ok(reply)
}

/// The names a CSR requests (its SANs). A common name, if present, must be one of them.
fn csr_names(
    csr: &crate::ca::csr::ParsedCsr,
) -> Result<(BTreeSet<String>, BTreeSet<IpAddr>), Problem> {
    let dns: BTreeSet<String> = csr.dns_names.iter().cloned().collect();
    let ips: BTreeSet<IpAddr> = csr.ips.iter().copied().collect();
    if let Some(cn) = &csr.common_name {
        let listed = match cn.parse::<IpAddr>() {
            Ok(ip) => ips.contains(&ip),
            Err(_) => dns.contains(cn),
        };
        if !listed {
            return Err(Problem::bad_csr(format!(
                "CSR common name {cn:?} is not one of its subject alternative names"
            )));
        }
    }
    Ok((dns, ips))
}

/// `POST /finalize-order/<id>`.
pub fn finalize(ctx: &Ctx<'_>, auth: Authed, id: &str) -> Result<Reply, Problem> {
    let account = auth.account()?.clone();
    let o = owned_order(ctx, &account.id, id)?;
    if o.status != Status::Ready {
        return Err(Problem::new(
            ProblemType::OrderNotReady,
            format!("Order's status ({:?}) was not ready", o.status.as_str()),
        ));
    }
    let payload = auth.jws.json_payload()?;
    let csr_b64 = payload
        .get("csr")
        .and_then(Value::as_str)
        .ok_or_else(|| Problem::malformed("finalize request has no \"csr\""))?;
    let der = URL_SAFE_NO_PAD
        .decode(csr_b64.trim_end_matches('='))
        .map_err(|_| Problem::malformed("Error decoding Base64url-encoded CSR"))?;
    let csr = parse_csr(&der).map_err(|e| Problem::bad_csr(e.to_string()))?;
    let (dns, ips) = csr_names(&csr)?;
    let want_dns: BTreeSet<String> = o
        .identifiers
        .iter()
        .filter(|i| i.kind == "dns")
        .map(|i| i.value.clone())
        .collect();
    let want_ips: BTreeSet<IpAddr> = o
        .identifiers
        .iter()
        .filter(|i| i.kind == "ip")
        .filter_map(|i| i.value.parse().ok())
        .collect();
    if dns != want_dns || ips != want_ips {
        return Err(Problem::bad_csr(format!(
            "CSR names {:?} {:?} do not match the order's identifiers {:?} {:?}",
            dns, ips, want_dns, want_ips
        )));
    }
    if ctx
        .st
        .db()
        .accounts_by_key
        .contains_key(&csr.key.thumbprint())
    {
        return Err(Problem::bad_csr(
            "CSR contains a public key for a known account",
        ));
    }
    let issued = ctx
        .st
        .ca
        .issue(&IssueRequest {
            dns_names: csr
                .dns_names
                .iter()
                .cloned()
                .chain(
                    csr.common_name
                        .iter()
                        .filter(|cn| cn.parse::<IpAddr>().is_err() && !csr.dns_names.contains(cn))
                        .cloned(),
                )
                .collect(),
            ips: ips.iter().copied().collect(),
            spki_der: csr.spki_der.clone(),
            not_before: o.not_before,
            not_after: o.not_after,
            profile: o.profile.clone(),
            must_staple: csr.must_staple,
            now: ctx.now,
        })
        .map_err(|e| Problem::internal(format!("issuance failed: {e}")))?;
    let serial = hex(&issued.serial);
    let mut db = ctx.st.db();
    // The order may have changed while issuing.
    if db.orders.get(id).map(|o| o.status) != Some(Status::Ready) {
        return Err(Problem::new(
            ProblemType::OrderNotReady,
            "Order is no longer ready",
        ));
    }
    db.certs.insert(
        serial.clone(),
        CertRecord {
            serial: serial.clone(),
            serial_bytes: issued.serial.clone(),
            der: issued.der,
            account: account.id.clone(),
            order: id.to_string(),
            identifiers: o.identifiers.clone(),
            key: csr.key.clone(),
            not_before: issued.not_before,
            not_after: issued.not_after,
            revoked: None,
            ari_override: None,
            replaced_by: None,
        },
    );
    let order = db
        .orders
        .get_mut(id)
        .ok_or_else(|| Problem::internal("order vanished"))?;
    order.status = Status::Valid;
    order.certificate = Some(serial.clone());
    let order = order.clone();
    drop(db);
    ctx.st.limits.issued(&order.identifiers, ctx.now);
    tracing::info!(order = %id, serial = %serial, "issued certificate");
    Ok(Reply::json(200, &order_json(ctx, &order, true))
        .with_location(ctx.url_for(&format!("/my-order/{id}")))
        .with_retry_after(ctx.st.config.retry_after_order))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_validation() {
        let bl = vec!["blocked.example".to_string()];
        assert_eq!(
            validate_identifier(&Identifier::dns("A.Example.COM"), &bl).unwrap(),
            Identifier::dns("a.example.com")
        );
        assert!(validate_identifier(&Identifier::dns("*.a.com"), &bl).is_ok());
        for bad in [
            "a.*.com", "*.*.com", "a..com", "a.com.", "", "a_b.com", "1.2.3.4",
        ] {
            assert_eq!(
                validate_identifier(&Identifier::dns(bad), &bl)
                    .unwrap_err()
                    .kind,
                ProblemType::Malformed,
                "{bad}"
            );
        }
        assert_eq!(
            validate_identifier(&Identifier::dns("x.blocked.example"), &bl)
                .unwrap_err()
                .kind,
            ProblemType::RejectedIdentifier
        );
        let err = validate_identifiers(
            &[
                Identifier::dns("blocked.example"),
                Identifier::dns("ok.test"),
                Identifier::dns("a.blocked.example"),
            ],
            &bl,
        )
        .unwrap_err();
        assert_eq!(err.kind, ProblemType::RejectedIdentifier);
        assert_eq!(err.subproblems.len(), 2);
        assert_eq!(
            validate_identifier(
                &Identifier {
                    kind: "email".into(),
                    value: "x".into()
                },
                &bl
            )
            .unwrap_err()
            .kind,
            ProblemType::UnsupportedIdentifier
        );
    }
}
