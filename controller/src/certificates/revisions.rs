//! Revision manager: for Ready Certificates, deletes the oldest CertificateRequests
//! beyond `revisionHistoryLimit` (1 when unset) (`revisionmanager_controller.go`).

use kube::ResourceExt;
use kube::api::{Api, DeleteParams};

use super::owned_requests;
use crate::api::certificate::Certificate;
use crate::api::certificate_request::CertificateRequest;
use crate::api::conditions::is_condition_true;
use crate::api::constants::{annotations, condition_types};
use crate::context::Context;
use crate::error::{Result, is_not_found};

pub(super) async fn run(ctx: &Context, cert: &Certificate) -> Result<()> {
    let Some(st) = cert.status.as_ref() else {
        return Ok(());
    };
    if !is_condition_true(st.conditions(), condition_types::READY) {
        return Ok(());
    }
    let limit = usize::try_from(cert.spec.revision_history_limit_or_default().max(1)).unwrap_or(1);
    let mut with_revision: Vec<(i64, String)> = owned_requests(ctx, cert)
        .iter()
        .filter_map(|cr| {
            let rev = cr
                .annotations()
                .get(annotations::CERTIFICATE_REVISION)?
                .parse()
                .ok()?;
            Some((rev, cr.name_any()))
        })
        .collect();
    if with_revision.len() <= limit {
        return Ok(());
    }
    with_revision.sort();
    let excess = with_revision.len() - limit;
    let api: Api<CertificateRequest> =
        Api::namespaced(ctx.client.clone(), &cert.namespace().unwrap_or_default());
    for (_, name) in with_revision.into_iter().take(excess) {
        match api.delete(&name, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
