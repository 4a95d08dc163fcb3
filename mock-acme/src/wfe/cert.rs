//! Certificate download, revocation, ARI (RFC 9773) and the CRL.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::ca::{RevokedEntry, hex};
use crate::db::{Account, CertRecord, Db, Identifier, Revocation, Status};
use crate::wfe::problem::{Problem, ProblemType};
use crate::wfe::reply::Reply;
use crate::wfe::{Authed, Ctx, Signer, rfc3339};

/// Retry-After of renewalInfo responses (6 hours, as Pebble).
pub const ARI_RETRY_AFTER: u64 = 6 * 3600;
const DAY: Duration = Duration::from_secs(86_400);

fn strip_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(first..).unwrap_or_default()
}

/// Parses an ARI CertID `base64url(AKI).base64url(serial)` into (AKI, serial hex).
pub fn parse_cert_id(s: &str) -> Result<(Vec<u8>, String), Problem> {
    let (aki, serial) = s
        .split_once('.')
        .ok_or_else(|| Problem::malformed("Parsing ARI CertID failed: missing '.'"))?;
    let aki = URL_SAFE_NO_PAD.decode(aki).map_err(|_| {
        Problem::malformed(
            "Authority Key Identifier was not base64url-encoded or contained padding",
        )
    })?;
    let serial = URL_SAFE_NO_PAD.decode(serial).map_err(|_| {
        Problem::malformed("serial number was not base64url-encoded or contained padding")
    })?;
    if aki.is_empty() || strip_zeros(&serial).is_empty() {
        return Err(Problem::malformed(
            "Parsing ARI CertID failed: empty component",
        ));
    }
    Ok((aki, hex(strip_zeros(&serial))))
}

/// The ARI CertID of a stored certificate.
pub fn cert_id(aki: &[u8], serial: &[u8]) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(aki),
        URL_SAFE_NO_PAD.encode(serial)
    )
}

/// Checks an order's `replaces`; returns the replaced serial.
pub fn check_replaces(
    ctx: &Ctx<'_>,
    account: &Account,
    replaces: &str,
    identifiers: &[Identifier],
) -> Result<String, Problem> {
    let (aki, serial) = parse_cert_id(replaces)?;
    if aki != ctx.st.ca.issuer_key_id() {
        return Err(Problem::malformed(
            "replaces: no known issuer matches the provided Authority Key Identifier",
        ));
    }
    let mut db = ctx.st.db();
    let cert = db.certs.get(&serial).cloned().ok_or_else(|| {
        Problem::malformed(format!("replaces: no certificate with serial {serial}"))
    })?;
    if cert.account != account.id {
        return Err(Problem::unauthorized(
            "requester account did not request the certificate being replaced by this order",
        ));
    }
    claim_replacement(&mut db, ctx, &serial)?;
    if !cert.identifiers.iter().any(|i| identifiers.contains(i)) {
        return Err(Problem::malformed(
            "at least one identifier in the new order and the replaced certificate must match",
        ));
    }
    Ok(serial)
}

/// Fails with alreadyReplaced when a live order already replaces `serial`.
pub fn claim_replacement(db: &mut Db, ctx: &Ctx<'_>, serial: &str) -> Result<(), Problem> {
    let Some(by) = db.certs.get(serial).and_then(|c| c.replaced_by.clone()) else {
        return Ok(());
    };
    if db
        .refresh_order(&by, ctx.now)
        .is_some_and(|s| s != Status::Invalid)
    {
        return Err(Problem::new(
            ProblemType::AlreadyReplaced,
            format!("certificate {serial} has already been marked as replaced by order {by}"),
        ));
    }
    Ok(())
}

/// `POST /certZ/<serial>[/alternate/N]` (POST-as-GET).
pub fn certificate(
    ctx: &Ctx<'_>,
    auth: Authed,
    serial: &str,
    alt: Option<&str>,
) -> Result<Reply, Problem> {
    auth.require_post_as_get()?;
    auth.account()?;
    let cert = ctx
        .st
        .db()
        .certs
        .get(serial)
        .cloned()
        .ok_or_else(|| Problem::not_found("Certificate not found"))?;
    let chains = ctx.st.ca.num_chains();
    let n = match alt {
        None => 0,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n < chains => n,
            _ => return Err(Problem::not_found(format!("Unknown alternate chain {s:?}"))),
        },
    };
    let pem = ctx
        .st
        .ca
        .chain_pem(n, &cert.der)
        .ok_or_else(|| Problem::internal("missing chain"))?;
    let mut reply = Reply::bytes(200, "application/pem-certificate-chain", pem.into_bytes());
    for i in (0..chains).filter(|i| *i != n) {
        let url = if i == 0 {
            ctx.url_for(&format!("/certZ/{serial}"))
        } else {
            ctx.url_for(&format!("/certZ/{serial}/alternate/{i}"))
        };
        reply = reply.with_link(&url, "alternate");
    }
    Ok(reply.with_link(&ctx.url_for(&format!("/issuer/{n}")), "up"))
}

/// `GET /issuer/<n>`: the issuing intermediate of chain n.
pub fn issuer(ctx: &Ctx<'_>, n: &str) -> Result<Reply, Problem> {
    let chain = n
        .parse::<usize>()
        .ok()
        .and_then(|n| ctx.st.ca.chain(n))
        .ok_or_else(|| Problem::not_found("No such issuer"))?;
    let pem = chain
        .intermediates
        .first()
        .map(|i| i.pem.clone())
        .unwrap_or_default();
    Ok(Reply::bytes(
        200,
        "application/pem-certificate-chain",
        pem.into_bytes(),
    ))
}

fn holds_authorizations(db: &mut Db, account: &str, idents: &[Identifier], ctx: &Ctx<'_>) -> bool {
    idents.iter().all(|ident| {
        let bare = Identifier {
            kind: ident.kind.clone(),
            value: ident.value.trim_start_matches("*.").to_string(),
        };
        let ids = db.authz_ids_for(account, &bare);
        ids.iter()
            .any(|id| db.refresh_authz(id, ctx.now) == Some(Status::Valid))
    })
}

/// `POST /revoke-cert`.
pub fn revoke(ctx: &Ctx<'_>, auth: Authed) -> Result<Reply, Problem> {
    let payload = auth.jws.json_payload()?;
    let der = payload
        .get("certificate")
        .and_then(Value::as_str)
        .ok_or_else(|| Problem::malformed("revocation request has no \"certificate\""))
        .and_then(|s| {
            URL_SAFE_NO_PAD
                .decode(s)
                .map_err(|_| Problem::malformed("Error decoding Base64url-encoded DER"))
        })?;
    let reason = match payload.get("reason") {
        None | Some(Value::Null) => 0u8,
        Some(v) => match v.as_u64() {
            Some(r) if r <= 10 && r != 7 => r as u8,
            _ => {
                return Err(Problem::new(
                    ProblemType::BadRevocationReason,
                    format!("Invalid revocation reason: {v}"),
                ));
            }
        },
    };
    let (_, parsed) = x509_parser::parse_x509_certificate(&der)
        .map_err(|_| Problem::malformed("Unable to parse the certificate to revoke"))?;
    let serial = hex(strip_zeros(parsed.raw_serial()));
    let mut db = ctx.st.db();
    let cert: CertRecord = db
        .certs
        .get(&serial)
        .filter(|c| c.der == der)
        .cloned()
        .ok_or_else(|| Problem::not_found("Certificate not found"))?;
    if cert.revoked.is_some() {
        return Err(Problem::new(
            ProblemType::AlreadyRevoked,
            "Certificate has already been revoked.",
        ));
    }
    match &auth.signer {
        Signer::Key(k) => {
            if *k != cert.key {
                return Err(Problem::unauthorized(
                    "JWK embedded in the revocation request does not match the certificate's key",
                ));
            }
        }
        Signer::Account(a) => {
            if a.id != cert.account && !holds_authorizations(&mut db, &a.id, &cert.identifiers, ctx)
            {
                return Err(Problem::unauthorized(
                    "The requesting account neither issued the certificate nor holds valid \
                     authorizations for all of its identifiers",
                ));
            }
        }
    }
    if let Some(c) = db.certs.get_mut(&serial) {
        c.revoked = Some(Revocation {
            reason,
            at: ctx.now,
        });
    }
    drop(db);
    tracing::info!(serial = %serial, reason, "revoked certificate");
    Ok(Reply::empty(200))
}

/// The suggested renewal window of a certificate (Pebble's: centred two thirds into the
/// lifetime, one day either side, clipped to the validity; in the past once revoked).
pub fn renewal_window(
    cert: &CertRecord,
    now: std::time::SystemTime,
) -> (std::time::SystemTime, std::time::SystemTime) {
    if cert.revoked.is_some() {
        return (now - 2 * DAY, now - DAY);
    }
    let validity = (cert.not_after + Duration::from_secs(1))
        .duration_since(cert.not_before)
        .unwrap_or_default();
    let ideal = cert.not_after - validity / 3;
    let mut start = ideal - DAY;
    let mut end = ideal + DAY;
    if end > cert.not_after {
        end = cert.not_after;
    }
    if start < cert.not_before {
        start = cert.not_before;
    }
    if start >= end {
        start = end - Duration::from_secs(1);
    }
    (start, end)
}

/// `GET /draft-ietf-acme-ari-03/renewalInfo/<certid>`.
pub fn renewal_info(ctx: &Ctx<'_>, id: &str) -> Result<Reply, Problem> {
    if id.is_empty() {
        return Err(Problem::not_found("Must specify a request path"));
    }
    let (aki, serial) = parse_cert_id(id)?;
    if aki != ctx.st.ca.issuer_key_id() {
        return Err(Problem::not_found(
            "no known issuer matches the Authority Key Identifier",
        ));
    }
    let cert = ctx
        .st
        .db()
        .certs
        .get(&serial)
        .cloned()
        .ok_or_else(|| Problem::not_found("failed to retrieve existing certificate serial"))?;
    if let Some(raw) = &cert.ari_override {
        return Ok(Reply::bytes(
            200,
            "application/json; charset=utf-8",
            raw.clone().into_bytes(),
        )
        .with_retry_after(ARI_RETRY_AFTER));
    }
    let (start, end) = renewal_window(&cert, ctx.now);
    Ok(Reply::json(
        200,
        &json!({"suggestedWindow": {"start": rfc3339(start), "end": rfc3339(end)}}),
    )
    .with_retry_after(ARI_RETRY_AFTER))
}

/// The current CRL (DER).
pub fn crl_der(st: &crate::wfe::Shared) -> Result<Vec<u8>, Problem> {
    let now = st.now();
    let (entries, number) = {
        let mut db = st.db();
        db.crl_number = db.crl_number.saturating_add(1);
        let entries: Vec<RevokedEntry> = db
            .certs
            .values()
            .filter_map(|c| {
                c.revoked.as_ref().map(|r| RevokedEntry {
                    serial: c.serial_bytes.clone(),
                    at: r.at,
                    reason: r.reason,
                })
            })
            .collect();
        (entries, db.crl_number)
    };
    st.ca
        .crl(&entries, number, now, DAY)
        .map_err(|e| Problem::internal(format!("CRL generation failed: {e}")))
}

/// `GET /crl`.
pub fn crl(ctx: &Ctx<'_>) -> Result<Reply, Problem> {
    Ok(Reply::bytes(200, "application/pkix-crl", crl_der(ctx.st)?))
}
