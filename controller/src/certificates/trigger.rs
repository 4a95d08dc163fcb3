//! Trigger: decides that a Certificate must be (re-)issued and sets `Issuing=True`
//! with the first violated policy's reason (`trigger_controller.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::runtime::reflector::ObjectRef;
use kube::{Resource, ResourceExt};

use super::status::{self, status as status_of};
use super::{Wake, request_name};
use crate::api::certificate::Certificate;
use crate::api::constants::{annotations, condition_types, events};
use crate::api::meta::ConditionStatus;
use crate::context::{Context, components, from_time};
use crate::error::Result;
use crate::events::EventType;
use crate::index::namespaced_key;
use crate::pki;

/// cert-manager's duplicate-secretName rule: among Certificates in the namespace with
/// this Secret name, the owner is the one the Secret's `certificate-name` annotation
/// names, else the oldest (then the first by name). Returns whether `cert` owns it.
fn owns_secret(ctx: &Context, cert: &Certificate, secret: Option<&Secret>) -> bool {
    let namespace = cert.namespace().unwrap_or_default();
    let mut duplicates: Vec<(Option<jiff::Timestamp>, String)> = ctx
        .indexes
        .certificates_by_secret
        .get(&namespaced_key(&namespace, &cert.spec.secret_name))
        .iter()
        .filter_map(|r| ctx.certificates.get(r))
        .filter(|c| c.spec.secret_name == cert.spec.secret_name)
        .map(|c| {
            (
                c.metadata.creation_timestamp.as_ref().map(|t| t.0),
                c.name_any(),
            )
        })
        .collect();
    if duplicates.len() <= 1 {
        return true;
    }
    duplicates.sort();
    let names: Vec<&str> = duplicates.iter().map(|(_, n)| n.as_str()).collect();
    let mut owner = names[0];
    if let Some(annotated) = secret
        .and_then(|s| s.metadata.annotations.as_ref())
        .and_then(|a| a.get(annotations::CERTIFICATE_NAME))
        && names.contains(&annotated.as_str())
    {
        owner = annotated;
    }
    owner == cert.name_any()
}

pub(super) async fn run(
    ctx: &Context,
    cert: &mut Certificate,
    spec: &pki::CertificateSpec,
    wake: &mut Wake,
) -> Result<()> {
    let namespace = cert.namespace().unwrap_or_default();
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), &namespace);
    let secret = secrets.get_opt(&cert.spec.secret_name).await?;
    if !owns_secret(ctx, cert, secret.as_ref()) {
        tracing::debug!(certificate = %cert.name_any(), "another Certificate owns spec.secretName; not triggering");
        wake.at(ctx.clock.now() + std::time::Duration::from_secs(180));
        return Ok(());
    }
    let st = status_of(cert);
    let revision = st.revision.unwrap_or(0);
    let lookup = |rev: i64| {
        ctx.requests
            .get(&ObjectRef::new(&request_name(&cert.name_any(), rev)).within(&namespace))
            .filter(|cr| {
                cr.owner_references()
                    .iter()
                    .any(|o| Some(&o.uid) == cert.metadata.uid.as_ref())
            })
    };
    let current_request = if revision > 0 { lookup(revision) } else { None };
    let next_request = lookup(revision + 1);

    // Back off after failures, unless the spec changed since the failed request.
    let now = ctx.clock.now();
    let spec_changed = next_request.as_ref().is_some_and(|cr| {
        crate::convert::request_spec(&cr.spec)
            .ok()
            .and_then(|r| pki::request_matches_spec(&r, spec).ok())
            .is_some_and(|violations| !violations.is_empty())
    });
    if !spec_changed
        && let Some(remaining) = pki::backoff_remaining(
            now,
            st.last_failure_time.as_ref().map(from_time),
            st.failed_issuance_attempts,
            ctx.config.minimum_backoff,
            ctx.config.maximum_backoff,
        )
    {
        tracing::info!(
            certificate = %cert.name_any(),
            "Backing off from issuance due to previously failed issuance(s). Issuance will next be attempted in {remaining:?}"
        );
        wake.at(now + remaining);
        return Ok(());
    }

    let empty = BTreeMap::new();
    let data = secret.as_ref().and_then(|s| s.data.as_ref());
    let get = |k: &str| {
        data.and_then(|d| d.get(k))
            .map(|b| b.0.as_slice())
            .unwrap_or_default()
    };
    let secret_input = secret.as_ref().map(|s| pki::SecretInput {
        has_data: s.data.is_some(),
        tls_key: get("tls.key"),
        tls_crt: get("tls.crt"),
        annotations: s.metadata.annotations.as_ref().unwrap_or(&empty),
    });
    let current_spec = current_request
        .as_ref()
        .and_then(|cr| crate::convert::request_spec(&cr.spec).ok());
    let input = pki::PolicyInput {
        certificate_name: &cert.name_any(),
        spec,
        status_renewal_time: st.renewal_time.as_ref().map(from_time),
        secret: secret_input,
        current_request: current_spec.as_ref(),
        now,
    };
    let Some(violation) = pki::trigger_policy(&input) else {
        return Ok(());
    };
    tracing::info!(certificate = %cert.name_any(), reason = violation.reason, "Certificate must be re-issued");
    status::set(
        cert,
        condition_types::ISSUING,
        ConditionStatus::True,
        violation.reason,
        &violation.message,
        ctx.now_time(),
    );
    status::write(ctx, cert).await?;
    ctx.recorder(components::TRIGGER)
        .publish(
            &cert.object_ref(&()),
            EventType::Normal,
            events::ISSUING,
            "Issuing",
            &violation.message,
        )
        .await;
    Ok(())
}
