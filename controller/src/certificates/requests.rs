//! Request manager: while `Issuing=True` and the next key exists, makes sure exactly
//! one CertificateRequest for the next revision exists, matches the spec and carries
//! the next key's public key (`requestmanager_controller.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use kube::{Resource, ResourceExt};

use super::{owned_requests, request_name, status};
use crate::api::certificate::Certificate;
use crate::api::certificate_request::{CertificateRequest, CertificateRequestSpec};
use crate::api::conditions::get_condition;
use crate::api::constants::{annotations, condition_types, events, reasons};
use crate::api::meta::ConditionStatus;
use crate::context::{Context, components, from_time};
use crate::error::{Result, is_conflict, is_not_found};
use crate::events::EventType;
use crate::pki;

/// Loads and decodes the next private key, if the key manager has produced it.
pub(super) async fn next_key(
    ctx: &Context,
    cert: &Certificate,
) -> Result<Option<(pki::PrivateKey, String)>> {
    let Some(name) = status::status(cert).next_private_key_secret_name else {
        return Ok(None);
    };
    let api: Api<Secret> =
        Api::namespaced(ctx.client.clone(), &cert.namespace().unwrap_or_default());
    let Some(secret) = api.get_opt(&name).await? else {
        return Ok(None);
    };
    let data = secret
        .data
        .as_ref()
        .and_then(|d| d.get("tls.key"))
        .map(|b| b.0.clone())
        .unwrap_or_default();
    if data.is_empty() {
        return Ok(None);
    }
    Ok(pki::PrivateKey::from_pem(&data).ok().map(|k| (k, name)))
}

fn revision_of(cr: &CertificateRequest) -> Option<i64> {
    cr.annotations()
        .get(annotations::CERTIFICATE_REVISION)?
        .parse()
        .ok()
}

async fn delete(ctx: &Context, cr: &CertificateRequest) -> Result<()> {
    let api: Api<CertificateRequest> =
        Api::namespaced(ctx.client.clone(), &cr.namespace().unwrap_or_default());
    match api.delete(&cr.name_any(), &DeleteParams::default()).await {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn run(
    ctx: &Context,
    cert: &mut Certificate,
    spec: &pki::CertificateSpec,
) -> Result<()> {
    let Some((key, key_secret)) = next_key(ctx, cert).await? else {
        return Ok(());
    };
    let next_revision = status::status(cert).revision.unwrap_or(0) + 1;
    let name = request_name(&cert.name_any(), next_revision);
    let namespace = cert.namespace().unwrap_or_default();
    let api: Api<CertificateRequest> = Api::namespaced(ctx.client.clone(), &namespace);
    let recorder = ctx.recorder(components::REQUEST_MANAGER);
    let issuing_since = status::issuing_condition(cert)
        .and_then(|c| c.last_transition_time)
        .map(|t| from_time(&t));

    // Stale requests: without a (valid) revision, or for the next revision but not
    // matching the spec or the key, or failed in an earlier attempt at this revision.
    let mut candidates = Vec::new();
    for cr in owned_requests(ctx, cert) {
        match revision_of(&cr) {
            None => delete(ctx, &cr).await?,
            Some(r) if r == next_revision => candidates.push(cr),
            Some(_) => {}
        }
    }
    // The cache may not have caught up with a request we created just now.
    if candidates.is_empty()
        && let Some(cr) = api.get_opt(&name).await?
    {
        candidates.push(std::sync::Arc::new(cr));
    }
    let mut keep = Vec::new();
    for cr in candidates {
        let matches = crate::convert::request_spec(&cr.spec)
            .ok()
            .and_then(|r| {
                let violations = pki::request_matches_spec(&r, spec).ok()?;
                let csr = pki::CertificateSigningRequest::from_pem(&r.request).ok()?;
                Some(violations.is_empty() && csr.public_key() == key.public_key())
            })
            .unwrap_or(false);
        if !matches {
            delete(ctx, &cr).await?;
            continue;
        }
        let ready = cr
            .status
            .as_ref()
            .and_then(|s| get_condition(s.conditions(), condition_types::READY))
            .cloned();
        let failed_before = ready.as_ref().is_some_and(|c| {
            c.status == ConditionStatus::False && c.reason.as_deref() == Some(reasons::FAILED)
        }) && cr
            .status
            .as_ref()
            .and_then(|s| s.failure_time.as_ref())
            .map(from_time)
            .zip(issuing_since)
            .is_some_and(|(failed, since)| failed < since);
        if failed_before {
            delete(ctx, &cr).await?;
            continue;
        }
        keep.push(cr);
    }
    if !keep.is_empty() {
        return Ok(());
    }

    let csr = match pki::generate_csr(spec, &key, &pki::CsrOptions::default()) {
        Ok(csr) => csr,
        Err(e) => {
            recorder
                .publish(
                    &cert.object_ref(&()),
                    EventType::Warning,
                    events::REQUEST_FAILED,
                    "Request",
                    &format!("Failed to generate CSR: {e} - will not retry"),
                )
                .await;
            return Ok(());
        }
    };
    let mut copied: BTreeMap<String, String> = cert
        .annotations()
        .iter()
        .filter(|(k, _)| {
            !ctx.config
                .excluded_annotation_prefixes
                .iter()
                .any(|p| k.starts_with(p.as_str()))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    copied.insert(
        annotations::CERTIFICATE_REVISION.to_string(),
        next_revision.to_string(),
    );
    copied.insert(annotations::PRIVATE_KEY_SECRET_NAME.to_string(), key_secret);
    copied.insert(annotations::CERTIFICATE_NAME.to_string(), cert.name_any());
    let cr = CertificateRequest {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(namespace.clone()),
            annotations: Some(copied),
            labels: cert.metadata.labels.clone(),
            owner_references: cert.controller_owner_ref(&()).map(|o| vec![o]),
            ..Default::default()
        },
        spec: CertificateRequestSpec {
            duration: cert.spec.duration.clone(),
            issuer_ref: cert.spec.issuer_ref.clone(),
            request: k8s_openapi::ByteString(csr.into_bytes()),
            is_ca: cert.spec.is_ca,
            usages: cert.spec.usages.clone(),
            username: None,
            uid: None,
            groups: None,
            extra: None,
        },
        status: None,
    };
    match api.create(&PostParams::default(), &cr).await {
        Ok(_) => {}
        Err(e) if is_conflict(&e) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    recorder
        .publish(
            &cert.object_ref(&()),
            EventType::Normal,
            events::REQUESTED,
            "Request",
            &format!("Created new CertificateRequest resource {name:?}"),
        )
        .await;
    Ok(())
}
