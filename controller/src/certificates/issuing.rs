//! Issuing: when the next revision's CertificateRequest is signed, writes the Secret,
//! bumps `status.revision` and removes `Issuing`; when it failed or was denied, sets
//! `Issuing=False` with its reason and counts the failure (`issuing_controller.go`).
//! When not issuing, keeps the Secret's metadata and extra outputs up to date without
//! re-issuing (`secret_manager.go`).

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::{Resource, ResourceExt};

use super::requests::next_key;
use super::secret::{self, SecretData};
use super::{request_name, status};
use crate::api::certificate::Certificate;
use crate::api::certificate_request::CertificateRequest;
use crate::api::conditions::get_condition;
use crate::api::constants::{condition_types, events, messages, reasons};
use crate::api::meta::ConditionStatus;
use crate::context::{Context, components, from_time};
use crate::error::Result;
use crate::events::EventType;
use crate::pki;

fn key_encoding(cert: &Certificate) -> pki::KeyEncoding {
    match cert.spec.private_key.as_ref().and_then(|p| p.encoding) {
        Some(crate::api::certificate::PrivateKeyEncoding::Pkcs8) => pki::KeyEncoding::Pkcs8,
        _ => pki::KeyEncoding::Pkcs1,
    }
}

pub(super) async fn run(
    ctx: &Context,
    cert: &mut Certificate,
    spec: &pki::CertificateSpec,
) -> Result<()> {
    let Some((key, _)) = next_key(ctx, cert).await? else {
        return Ok(());
    };
    if !pki::private_key_matches_spec(&key, &spec.private_key).is_empty() {
        return Ok(());
    }
    let next_revision = status::status(cert).revision.unwrap_or(0) + 1;
    let namespace = cert.namespace().unwrap_or_default();
    let api: Api<CertificateRequest> = Api::namespaced(ctx.client.clone(), &namespace);
    let Some(cr) = api
        .get_opt(&request_name(&cert.name_any(), next_revision))
        .await?
    else {
        return Ok(());
    };
    if !cr
        .owner_references()
        .iter()
        .any(|o| Some(&o.uid) == cert.metadata.uid.as_ref())
    {
        return Ok(());
    }
    let Ok(request) = crate::convert::request_spec(&cr.spec) else {
        return Ok(());
    };
    if !pki::request_matches_spec(&request, spec)
        .map(|v| v.is_empty())
        .unwrap_or(false)
    {
        return Ok(());
    }
    let Ok(csr) = pki::CertificateSigningRequest::from_pem(&request.request) else {
        return Ok(());
    };
    if csr.public_key() != key.public_key() {
        return Ok(());
    }
    let Some(issuing) = status::issuing_condition(cert) else {
        return Ok(());
    };
    let cr_status = cr.status.clone().unwrap_or_default();
    let ready = get_condition(cr_status.conditions(), condition_types::READY).cloned();
    // A failure from an earlier attempt at this revision is the request manager's to
    // clean up, not a new failure.
    if let (Some(failed), Some(since), Some(r)) = (
        cr_status.failure_time.as_ref().map(from_time),
        issuing.last_transition_time.as_ref().map(from_time),
        ready.as_ref(),
    ) && failed < since
        && r.reason.as_deref() == Some(reasons::FAILED)
    {
        return Ok(());
    }
    if let Some(denied) = get_condition(cr_status.conditions(), condition_types::DENIED)
        .filter(|c| c.status == ConditionStatus::True)
    {
        return fail(
            ctx,
            cert,
            denied.reason.as_deref().unwrap_or(reasons::DENIED),
            denied.message.as_deref().unwrap_or(""),
        )
        .await;
    }
    if let Some(invalid) = get_condition(cr_status.conditions(), condition_types::INVALID_REQUEST)
        .filter(|c| c.status == ConditionStatus::True)
    {
        return fail(
            ctx,
            cert,
            invalid.reason.as_deref().unwrap_or(""),
            invalid.message.as_deref().unwrap_or(""),
        )
        .await;
    }
    let Some(ready) = ready else { return Ok(()) };
    if ready.reason.as_deref() == Some(reasons::FAILED) {
        return fail(
            ctx,
            cert,
            reasons::FAILED,
            ready.message.as_deref().unwrap_or(""),
        )
        .await;
    }
    if ready.reason.as_deref() != Some(reasons::ISSUED) {
        return Ok(());
    }
    let chain = cr_status
        .certificate
        .clone()
        .map(|b| b.0)
        .unwrap_or_default();
    let leaf = match pki::Certificate::from_pem(&chain) {
        Ok(c) => c,
        Err(e) => {
            return fail(
                ctx,
                cert,
                "InvalidCertificate",
                &format!("Issuer returned an invalid certificate: failed to decode: {e}"),
            )
            .await;
        }
    };
    if leaf.public_key() != csr.public_key() {
        return fail(
            ctx,
            cert,
            "InvalidCertificate",
            "Issuer returned a certificate with a public key that does not match the CSR. This usually indicates a misconfigured issuer.",
        )
        .await;
    }
    if ctx.clock.now() > leaf.not_after() {
        let not_after = jiff::Timestamp::try_from(leaf.not_after())
            .map(|t| t.to_string())
            .unwrap_or_default();
        return fail(
            ctx,
            cert,
            "InvalidCertificate",
            &format!("Issuer returned an already expired certificate (notAfter: {not_after}). This usually indicates an expired CA certificate in the issuer."),
        )
        .await;
    }
    let issuer = cr.spec.issuer_ref.with_defaults();
    let data = SecretData {
        private_key: key.to_pem(key_encoding(cert))?.into_bytes(),
        certificate: chain,
        ca: cr_status.ca.clone().map(|b| b.0),
        issuer_name: issuer.name.clone(),
        issuer_kind: issuer.kind.clone().unwrap_or_default(),
        issuer_group: issuer.group.clone().unwrap_or_default(),
    };
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), &namespace);
    let existing = secrets.get_opt(&cert.spec.secret_name).await?;
    let desired = secret::desired_secret(ctx, cert, &data, existing.as_ref(), false).await?;
    secret::apply(ctx, &desired).await?;

    let st = cert.status.get_or_insert_with(Default::default);
    st.revision = Some(next_revision);
    st.failed_issuance_attempts = None;
    st.last_failure_time = None;
    status::remove(cert, condition_types::ISSUING);
    status::write(ctx, cert).await?;
    ctx.recorder(components::ISSUING)
        .publish(
            &cert.object_ref(&()),
            EventType::Normal,
            events::ISSUING,
            "Issuing",
            messages::CERTIFICATE_ISSUED,
        )
        .await;
    Ok(())
}

async fn fail(ctx: &Context, cert: &mut Certificate, reason: &str, cr_message: &str) -> Result<()> {
    let now = ctx.now_time();
    let st = cert.status.get_or_insert_with(Default::default);
    st.last_failure_time = Some(now.clone());
    st.failed_issuance_attempts = Some(st.failed_issuance_attempts.unwrap_or(0) + 1);
    let message = format!("{}{cr_message}", messages::REQUEST_FAILED_PREFIX);
    status::set(
        cert,
        condition_types::ISSUING,
        ConditionStatus::False,
        reason,
        &message,
        now,
    );
    status::write(ctx, cert).await?;
    ctx.recorder(components::ISSUING)
        .publish(
            &cert.object_ref(&()),
            EventType::Warning,
            reason,
            "Issuing",
            &message,
        )
        .await;
    Ok(())
}

/// Not issuing: repair the Secret's metadata and extra outputs from what it holds.
pub(super) async fn ensure_secret_data(ctx: &Context, cert: &mut Certificate) -> Result<()> {
    let namespace = cert.namespace().unwrap_or_default();
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), &namespace);
    let Some(existing) = secrets.get_opt(&cert.spec.secret_name).await? else {
        return Ok(());
    };
    let get = |k: &str| {
        existing
            .data
            .as_ref()
            .and_then(|d| d.get(k))
            .map(|b| b.0.clone())
            .unwrap_or_default()
    };
    let (key, crt) = (get("tls.key"), get("tls.crt"));
    if key.is_empty() || crt.is_empty() || pki::Certificate::from_pem(&crt).is_err() {
        return Ok(());
    }
    // Only Secrets this Certificate issued are repaired.
    if existing
        .annotations()
        .get(crate::api::constants::annotations::CERTIFICATE_NAME)
        != Some(&cert.name_any())
    {
        return Ok(());
    }
    let ann = existing.annotations();
    let data = SecretData {
        private_key: key,
        certificate: crt,
        ca: existing
            .data
            .as_ref()
            .and_then(|d| d.get("ca.crt"))
            .map(|b| b.0.clone()),
        issuer_name: ann
            .get(crate::api::constants::annotations::ISSUER_NAME)
            .cloned()
            .unwrap_or_default(),
        issuer_kind: ann
            .get(crate::api::constants::annotations::ISSUER_KIND)
            .cloned()
            .unwrap_or_default(),
        issuer_group: ann
            .get(crate::api::constants::annotations::ISSUER_GROUP)
            .cloned()
            .unwrap_or_default(),
    };
    let desired = secret::desired_secret(ctx, cert, &data, Some(&existing), true).await?;
    if !secret::up_to_date(&existing, &desired) {
        secret::apply(ctx, &desired).await?;
    }
    Ok(())
}
