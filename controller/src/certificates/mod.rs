//! The Certificates controller: cert-manager's six Certificate sub-controllers
//! (trigger, key manager, request manager, issuing, readiness, revision manager) as the
//! phases of one level-based reconcile, each following its cert-manager counterpart's
//! rules, names, reasons and events.

mod issuing;
mod keys;
mod readiness;
mod requests;
mod revisions;
pub mod secret;
pub mod status;
mod trigger;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;
use kube::runtime::controller::Action;

use crate::api::certificate::Certificate;
use crate::api::certificate_request::CertificateRequest;
use crate::context::Context;
use crate::error::Result;

/// The CertificateRequest name for a Certificate revision (`StableCertificateRequestName`):
/// `<cert>-<revision>`, with names over 233 characters shortened to 168 characters
/// plus a SHA-256 of the full name.
pub fn request_name(certificate: &str, revision: i64) -> String {
    const MAX: usize = 233;
    if certificate.len() <= MAX {
        return format!("{certificate}-{revision}");
    }
    use aws_lc_rs::digest;
    let hash = digest::digest(&digest::SHA256, certificate.as_bytes());
    let hex: String = hash.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let mut cut = MAX - (hex.len() + 1);
    while !certificate.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}-{hex}-{revision}", &certificate[..cut])
}

/// The CertificateRequests owned by `cert` (from the shared cache).
pub fn owned_requests(ctx: &Context, cert: &Certificate) -> Vec<Arc<CertificateRequest>> {
    let uid = cert.uid().unwrap_or_default();
    let namespace = cert.namespace().unwrap_or_default();
    ctx.indexes
        .requests_by_owner
        .get(&uid)
        .iter()
        .filter_map(|r| ctx.requests.get(r))
        .filter(|cr| cr.namespace().as_deref() == Some(namespace.as_str()))
        .collect()
}

/// When to look again, at the latest.
struct Wake(Option<SystemTime>);

impl Wake {
    fn at(&mut self, t: SystemTime) {
        self.0 = Some(self.0.map_or(t, |w| w.min(t)));
    }
}

/// Reconciles one Certificate through every phase.
pub async fn reconcile(cert: Arc<Certificate>, ctx: Arc<Context>) -> Result<Action> {
    ctx.metrics.sync("certificates");
    if cert.metadata.deletion_timestamp.is_some() {
        ctx.metrics.forget_certificate(&cert);
        return Ok(Action::await_change());
    }
    let mut cert = (*cert).clone();
    let namespace = cert.namespace().unwrap_or_default();
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), &namespace);
    let mut wake = Wake(None);

    let spec = match crate::convert::certificate_spec(&cert.spec) {
        Ok(spec) => spec,
        Err(e) => {
            readiness::invalid_spec(&ctx, &mut cert, &e.0).await?;
            return Ok(Action::await_change());
        }
    };

    if !status::is_issuing(&cert) {
        trigger::run(&ctx, &mut cert, &spec, &mut wake).await?;
    }
    if status::is_issuing(&cert) {
        keys::run(&ctx, &mut cert, &spec).await?;
        requests::run(&ctx, &mut cert, &spec).await?;
        issuing::run(&ctx, &mut cert, &spec).await?;
    } else {
        keys::clean_up(&ctx, &mut cert).await?;
        issuing::ensure_secret_data(&ctx, &mut cert).await?;
    }
    let secret = secrets.get_opt(&cert.spec.secret_name).await?;
    readiness::run(&ctx, &mut cert, &spec, secret.as_ref()).await?;
    revisions::run(&ctx, &cert).await?;
    ctx.metrics.observe_certificate(&cert);

    if !status::is_issuing(&cert)
        && let Some(t) = cert.status.as_ref().and_then(|s| s.renewal_time.as_ref())
    {
        wake.at(crate::context::from_time(t));
    }
    Ok(match wake.0 {
        Some(t) => Action::requeue(
            t.duration_since(ctx.clock.now())
                .unwrap_or(Duration::ZERO)
                .max(Duration::from_millis(10)),
        ),
        // A periodic re-check, as cert-manager's informers resync.
        None => Action::requeue(Duration::from_secs(10 * 3600)),
    })
}
