//! ingress-shim: Certificates for annotated Ingresses (networking.k8s.io/v1), as
//! cert-manager's `pkg/controller/certificate-shim` does for Ingress.
//!
//! An Ingress with `cert-manager.io/issuer`, `cert-manager.io/cluster-issuer` or an
//! auto-certificate annotation (`kubernetes.io/tls-acme: "true"`) gets one Certificate
//! per `spec.tls[]` entry, named after its `secretName` and controlled by the Ingress;
//! Certificates it controls whose `secretName` left `spec.tls` are deleted. Events
//! (`CreateCertificate`, `UpdateCertificate`, `DeleteCertificate`, `BadConfig`) go on
//! the Ingress from `cert-manager-ingress-shim`.
//!
//! Run it with a kube-runtime `Controller` over Ingresses that `.owns()` Certificates:
//! see [`reconcile`].

mod annotations;
mod build;
mod flags;
mod issuer;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use tracing::{debug, info};

use crate::api::certificate::Certificate;
use crate::context::{Context, components};
use crate::error::{Error, Result};
use crate::events::EventType;

pub use annotations::split_csv;
pub use build::{Desired, desired, needs_update};
pub use flags::ShimFlags;
pub use issuer::{issuer_for, wants_certificates};

/// Event reasons, as upstream.
pub mod reasons {
    /// Bad annotations or TLS entries.
    pub const BAD_CONFIG: &str = "BadConfig";
    /// A Certificate was created.
    pub const CREATE_CERTIFICATE: &str = "CreateCertificate";
    /// A Certificate was updated.
    pub const UPDATE_CERTIFICATE: &str = "UpdateCertificate";
    /// A Certificate was deleted.
    pub const DELETE_CERTIFICATE: &str = "DeleteCertificate";
}

/// The field manager of the shim's writes.
pub const FIELD_MANAGER: &str = "cert-manager-ingress-shim";

/// The ingress-shim flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShimConfig {
    /// `--auto-certificate-annotations` (default `kubernetes.io/tls-acme`): annotations
    /// that, set to a true value, ask for Certificates from the default issuer.
    pub auto_certificate_annotations: Vec<String>,
    /// `--default-issuer-name` (default empty: `kubernetes.io/tls-acme` alone then gets
    /// a `BadConfig` event).
    pub default_issuer_name: String,
    /// `--default-issuer-kind` (default `Issuer`).
    pub default_issuer_kind: String,
    /// `--default-issuer-group` (default `cert-manager.io`).
    pub default_issuer_group: String,
    /// `--extra-certificate-annotations`: Ingress annotations copied onto its
    /// Certificates (default none).
    pub extra_certificate_annotations: Vec<String>,
}

impl Default for ShimConfig {
    fn default() -> Self {
        Self {
            auto_certificate_annotations: vec![
                crate::api::constants::annotations::TLS_ACME.to_string(),
            ],
            default_issuer_name: String::new(),
            default_issuer_kind: crate::api::constants::ISSUER_KIND.to_string(),
            default_issuer_group: crate::api::constants::CERT_MANAGER_GROUP.to_string(),
            extra_certificate_annotations: Vec::new(),
        }
    }
}

/// What [`reconcile`] runs with: the shared [`Context`] and the shim's flags.
#[derive(Debug, Clone)]
pub struct ShimContext {
    /// The controller's shared context.
    pub ctx: Arc<Context>,
    /// The ingress-shim flags.
    pub config: ShimConfig,
}

/// The ingress-shim's Controller: Ingresses, and the Certificates they control
/// (`.owns`), so a changed or deleted Certificate is put back.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use futures::StreamExt;
/// # use certlab_controller::shim::{self, ShimConfig, ShimContext};
/// # async fn demo(client: kube::Client, ctx: Arc<certlab_controller::context::Context>) {
/// let wcfg = kube::runtime::watcher::Config::default().any_semantic();
/// shim::controller(client, wcfg)
///     .run(shim::reconcile, shim::error_policy, Arc::new(ShimContext { ctx, config: ShimConfig::default() }))
///     .for_each(|_| async {})
///     .await;
/// # }
/// ```
pub fn controller(
    client: kube::Client,
    wcfg: kube::runtime::watcher::Config,
) -> kube::runtime::Controller<Ingress> {
    kube::runtime::Controller::new(Api::<Ingress>::all(client.clone()), wcfg.clone())
        .owns(Api::<Certificate>::all(client), wcfg)
}

/// Reconciles one Ingress (for `Controller::run`).
pub async fn reconcile(ingress: Arc<Ingress>, ctx: Arc<ShimContext>) -> Result<Action> {
    reconcile_with(&ingress, &ctx.ctx, &ctx.config).await
}

/// The retry policy of [`reconcile`]: count the error, retry in a second.
pub fn error_policy(_ingress: Arc<Ingress>, error: &Error, ctx: Arc<ShimContext>) -> Action {
    ctx.ctx.metrics.sync_error("ingress-shim");
    debug!(%error, "ingress-shim reconcile failed; retrying");
    Action::requeue(Duration::from_secs(1))
}

fn deleted_in_foreground(ingress: &Ingress) -> bool {
    ingress.metadata.deletion_timestamp.is_some()
        || ingress
            .finalizers()
            .iter()
            .any(|f| f == "foregroundDeletion")
}

fn controller_uid(cert: &Certificate) -> Option<&str> {
    cert.metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .map(|o| o.uid.as_str())
}

/// Reconciles one Ingress with explicit settings.
pub async fn reconcile_with(ingress: &Ingress, ctx: &Context, cfg: &ShimConfig) -> Result<Action> {
    let empty = BTreeMap::new();
    let ingress_annotations = ingress.metadata.annotations.as_ref().unwrap_or(&empty);
    if !wants_certificates(ingress_annotations, cfg) {
        debug!(ingress = %ingress.name_any(), "no cert-manager.io/issuer, cert-manager.io/cluster-issuer or auto-certificate annotation; not syncing");
        return Ok(Action::await_change());
    }
    if deleted_in_foreground(ingress) {
        debug!(ingress = %ingress.name_any(), "being deleted; not syncing");
        return Ok(Action::await_change());
    }
    let rec = ctx.recorder(components::INGRESS_SHIM);
    let oref = ingress.object_ref(&());
    let warn = |note: String| {
        let oref = oref.clone();
        async move {
            rec.publish(
                &oref,
                EventType::Warning,
                reasons::BAD_CONFIG,
                "Sync",
                &note,
            )
            .await;
        }
    };

    let issuer = match issuer_for(ingress_annotations, cfg) {
        Ok(i) => i,
        Err(e) => {
            warn(format!(
                "Could not determine issuer for ingress due to bad annotations: {e}"
            ))
            .await;
            return Ok(Action::await_change());
        }
    };
    if let Some(e) = build::duplicate_secret_names(ingress) {
        warn(e).await;
        return Ok(Action::await_change());
    }
    let extra: BTreeMap<String, String> = cfg
        .extra_certificate_annotations
        .iter()
        .filter_map(|k| ingress_annotations.get(k).map(|v| (k.clone(), v.clone())))
        .collect();
    let wanted = match desired(ingress, &issuer, &extra) {
        Ok(d) => d,
        Err(e) => {
            warn(e).await;
            return Ok(Action::await_change());
        }
    };
    for note in wanted.skipped {
        warn(note).await;
    }

    let namespace = ingress.namespace().unwrap_or_default();
    let api: Api<Certificate> = Api::namespaced(ctx.client.clone(), &namespace);
    let uid = ingress.metadata.uid.clone().unwrap_or_default();
    let publish = |reason: &'static str, note: String| {
        let oref = oref.clone();
        async move {
            rec.publish(&oref, EventType::Normal, reason, "Sync", &note)
                .await;
        }
    };

    for cert in &wanted.certificates {
        let name = cert.name_any();
        match api.get_opt(&name).await? {
            None => {
                let pp = PostParams {
                    field_manager: Some(FIELD_MANAGER.to_string()),
                    ..PostParams::default()
                };
                api.create(&pp, cert).await?;
                info!(%namespace, certificate = %name, "created Certificate for Ingress");
                publish(
                    reasons::CREATE_CERTIFICATE,
                    format!("Successfully created Certificate {name:?}"),
                )
                .await;
            }
            Some(existing) => {
                match controller_uid(&existing) {
                    Some(owner) if owner == uid => {}
                    Some(_) => {
                        warn(format!(
                            "Refusing to update Certificate {name:?}: it is controlled by another object, not by this Ingress"
                        ))
                        .await;
                        continue;
                    }
                    None => {
                        warn(format!(
                            "Refusing to update Certificate {name:?}: it already exists and has no owner"
                        ))
                        .await;
                        continue;
                    }
                }
                if !needs_update(&existing, cert) {
                    continue;
                }
                let pp = PostParams {
                    field_manager: Some(FIELD_MANAGER.to_string()),
                    ..PostParams::default()
                };
                api.replace(&name, &pp, &build::merged(&existing, cert))
                    .await?;
                info!(%namespace, certificate = %name, "updated Certificate for Ingress");
                publish(
                    reasons::UPDATE_CERTIFICATE,
                    format!("Successfully updated Certificate {name:?}"),
                )
                .await;
            }
        }
    }

    for cert in api.list(&ListParams::default()).await? {
        if controller_uid(&cert) != Some(uid.as_str())
            || build::secret_name_used(ingress, &cert.spec.secret_name)
        {
            continue;
        }
        let name = cert.name_any();
        match api.delete(&name, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(e) if crate::error::is_not_found(&e) => continue,
            Err(e) => return Err(e.into()),
        }
        info!(%namespace, certificate = %name, "deleted unrequired Certificate");
        publish(
            reasons::DELETE_CERTIFICATE,
            format!("Successfully deleted unrequired Certificate {name:?}"),
        )
        .await;
    }
    Ok(Action::await_change())
}
