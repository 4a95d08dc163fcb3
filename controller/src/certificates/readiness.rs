//! Readiness: `Ready` from the readiness policy chain, and `notBefore`, `notAfter`
//! and `renewalTime` from the certificate in the Secret (`readiness_controller.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::runtime::reflector::ObjectRef;
use kube::{Resource, ResourceExt};

use super::{request_name, status};
use crate::api::certificate::Certificate;
use crate::api::constants::{condition_types, messages, reasons};
use crate::api::meta::ConditionStatus;
use crate::context::{Context, components, from_time, to_time};
use crate::error::Result;
use crate::events::EventType;
use crate::pki;

pub(super) async fn run(
    ctx: &Context,
    cert: &mut Certificate,
    spec: &pki::CertificateSpec,
    secret: Option<&Secret>,
) -> Result<()> {
    let before = cert.status.clone();
    let st = status::status(cert);
    let namespace = cert.namespace().unwrap_or_default();
    let revision = st.revision.unwrap_or(0);
    let current_request = (revision > 0)
        .then(|| {
            ctx.requests
                .get(&ObjectRef::new(&request_name(&cert.name_any(), revision)).within(&namespace))
        })
        .flatten();
    let current_spec = current_request
        .as_ref()
        .and_then(|cr| crate::convert::request_spec(&cr.spec).ok());
    let empty = BTreeMap::new();
    let data = secret.and_then(|s| s.data.as_ref());
    let get = |k: &str| {
        data.and_then(|d| d.get(k))
            .map(|b| b.0.as_slice())
            .unwrap_or_default()
    };
    let input = pki::PolicyInput {
        certificate_name: &cert.name_any(),
        spec,
        status_renewal_time: st.renewal_time.as_ref().map(from_time),
        secret: secret.map(|s| pki::SecretInput {
            has_data: s.data.is_some(),
            tls_key: get("tls.key"),
            tls_crt: get("tls.crt"),
            annotations: s.metadata.annotations.as_ref().unwrap_or(&empty),
        }),
        current_request: current_spec.as_ref(),
        now: ctx.clock.now(),
    };
    let now = ctx.now_time();
    match pki::readiness_policy(&input) {
        Some(v) => {
            status::set(
                cert,
                condition_types::READY,
                ConditionStatus::False,
                v.reason,
                &v.message,
                now,
            );
        }
        None => {
            status::set(
                cert,
                condition_types::READY,
                ConditionStatus::True,
                reasons::READY,
                messages::CERTIFICATE_READY,
                now,
            );
        }
    }
    let parsed = pki::Certificate::from_pem(get("tls.crt")).ok();
    let st = cert.status.get_or_insert_with(Default::default);
    match &parsed {
        Some(c) => {
            st.not_before = Some(to_time(c.not_before()));
            st.not_after = Some(to_time(c.not_after()));
            st.renewal_time = pki::renewal_time(
                c.not_before(),
                c.not_after(),
                spec.renew_before,
                spec.renew_before_percentage,
                spec.renewal_policy,
            )
            .map(to_time);
        }
        None => {
            st.not_before = None;
            st.not_after = None;
            st.renewal_time = None;
        }
    }
    if cert.status != before {
        status::write(ctx, cert).await?;
    }
    Ok(())
}

/// A spec the controller cannot turn into a request (what CEL could not check).
pub(super) async fn invalid_spec(ctx: &Context, cert: &mut Certificate, why: &str) -> Result<()> {
    let message = format!("Certificate spec is invalid: {why}");
    let changed = status::set(
        cert,
        condition_types::READY,
        ConditionStatus::False,
        "InvalidSpec",
        &message,
        ctx.now_time(),
    );
    if changed {
        status::write(ctx, cert).await?;
        ctx.recorder(components::READINESS)
            .publish(
                &cert.object_ref(&()),
                EventType::Warning,
                "BadConfig",
                "Validate",
                &message,
            )
            .await;
    }
    Ok(())
}
