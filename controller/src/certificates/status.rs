//! Reading and writing a Certificate's status.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::ResourceExt;
use kube::api::{Api, PostParams};

use crate::api::certificate::{Certificate, CertificateCondition, CertificateStatus};
use crate::api::conditions::{ConditionUpdate, get_condition, remove_condition, set_condition};
use crate::api::constants::condition_types;
use crate::api::meta::ConditionStatus;
use crate::context::Context;
use crate::error::Result;

/// The status, defaulted.
pub fn status(cert: &Certificate) -> CertificateStatus {
    cert.status.clone().unwrap_or_default()
}

/// Whether `Issuing=True`.
pub fn is_issuing(cert: &Certificate) -> bool {
    cert.status
        .as_ref()
        .and_then(|s| get_condition(s.conditions(), condition_types::ISSUING))
        .is_some_and(|c| c.status == ConditionStatus::True)
}

/// The `Issuing` condition.
pub fn issuing_condition(cert: &Certificate) -> Option<CertificateCondition> {
    cert.status
        .as_ref()
        .and_then(|s| get_condition(s.conditions(), condition_types::ISSUING))
        .cloned()
}

/// Sets a condition on the in-memory Certificate; returns whether it changed.
pub fn set(
    cert: &mut Certificate,
    type_: &str,
    status: ConditionStatus,
    reason: &str,
    message: &str,
    now: Time,
) -> bool {
    let generation = cert.metadata.generation;
    let st = cert.status.get_or_insert_with(Default::default);
    set_condition(
        st.conditions_mut(),
        ConditionUpdate {
            type_,
            status,
            reason,
            message,
            observed_generation: generation,
        },
        now,
    )
}

/// Removes a condition on the in-memory Certificate.
pub fn remove(cert: &mut Certificate, type_: &str) -> bool {
    let st = cert.status.get_or_insert_with(Default::default);
    let removed = remove_condition(st.conditions_mut(), type_);
    if st.conditions.as_ref().is_some_and(Vec::is_empty) {
        st.conditions = None;
    }
    removed
}

/// Writes `cert`'s status (PUT /status with its resourceVersion) and replaces `cert`
/// with what the server stored.
pub async fn write(ctx: &Context, cert: &mut Certificate) -> Result<()> {
    let api: Api<Certificate> =
        Api::namespaced(ctx.client.clone(), &cert.namespace().unwrap_or_default());
    let stored = api
        .replace_status(&cert.name_any(), &PostParams::default(), &*cert)
        .await?;
    *cert = stored;
    Ok(())
}
