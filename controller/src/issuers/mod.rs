//! The Issuer and ClusterIssuer controllers: each issuer type's setup, reported as the
//! `Ready` condition (`pkg/controller/issuers`, `pkg/issuer/*/setup.go`).

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{ObjectReference, Secret};
use kube::api::{Api, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};

use crate::api::conditions::{ConditionUpdate, get_condition, set_condition};
use crate::api::constants::{condition_types, messages, reasons};
use crate::api::issuer::{ClusterIssuer, Issuer, IssuerSpec, IssuerStatus};
use crate::api::meta::ConditionStatus;
use crate::context::{Context, components};
use crate::error::Result;
use crate::events::EventType;
use crate::pki;

/// The outcome of an issuer's setup.
pub struct Setup {
    /// `Ready` status.
    pub status: ConditionStatus,
    /// Reason.
    pub reason: String,
    /// Message.
    pub message: String,
    /// An event to record (type, reason, message).
    pub event: Option<(EventType, String, String)>,
    /// When to check again.
    pub requeue: Option<Duration>,
}

/// Runs the ACME setup and records `status.acme`.
async fn setup_acme(
    ctx: &Context,
    kind: &'static str,
    name: &str,
    spec: &IssuerSpec,
    status: &mut Option<IssuerStatus>,
    resource_namespace: &str,
) -> Result<Option<Setup>> {
    let Some(acme) = &spec.acme else {
        return Ok(None);
    };
    let ready = status.as_ref().is_some_and(IssuerStatus::is_ready);
    let current = status.as_ref().and_then(|s| s.acme.clone());
    let out = match crate::acme::account::setup(
        ctx,
        kind,
        name,
        resource_namespace,
        acme,
        current.as_ref(),
        ready,
    )
    .await
    {
        Ok(out) => out,
        Err(e) => crate::acme::account::AcmeSetup {
            status: ConditionStatus::False,
            reason: crate::acme::account::setup_text::ERR_REGISTER.to_string(),
            message: format!(
                "{}{e}",
                crate::acme::account::setup_text::REGISTRATION_FAILED
            ),
            retry: e.is_retryable(),
            warning: None,
            acme_status: None,
        },
    };
    if let Some(acme_status) = out.acme_status {
        status.get_or_insert_with(Default::default).acme = Some(acme_status);
    }
    let event = match (&out.warning, out.status) {
        (Some((reason, message)), _) => Some((EventType::Warning, reason.clone(), message.clone())),
        (None, ConditionStatus::True) => {
            Some((EventType::Normal, out.reason.clone(), out.message.clone()))
        }
        (None, _) => Some((EventType::Warning, out.reason.clone(), out.message.clone())),
    };
    Ok(Some(Setup {
        status: out.status,
        reason: out.reason,
        message: out.message,
        event,
        requeue: out.retry.then_some(Duration::from_secs(10)),
    }))
}

/// Runs the setup of the issuer type `spec` configures. `None`: not ours to set up
/// (ACME, set up by [`setup_acme`]; Vault; Venafi).
pub async fn setup(
    ctx: &Context,
    spec: &IssuerSpec,
    resource_namespace: &str,
) -> Result<Option<Setup>> {
    if spec.self_signed.is_some() {
        return Ok(Some(Setup {
            status: ConditionStatus::True,
            reason: reasons::IS_READY.to_string(),
            message: String::new(),
            event: None,
            requeue: None,
        }));
    }
    if let Some(ca) = &spec.ca {
        let api: Api<Secret> = Api::namespaced(ctx.client.clone(), resource_namespace);
        let problem = match api.get_opt(&ca.secret_name).await? {
            None => Some(pki::SigningCaProblem::GetKeyPair(
                pki::PkiError::Certificate(format!("secrets {:?} not found", ca.secret_name)),
            )),
            Some(secret) => {
                let get = |k: &str| {
                    secret
                        .data
                        .as_ref()
                        .and_then(|d| d.get(k))
                        .map(|b| b.0.clone())
                        .unwrap_or_default()
                };
                pki::verify_signing_ca(&get("tls.crt"), &get("tls.key")).err()
            }
        };
        return Ok(Some(match problem {
            None => Setup {
                status: ConditionStatus::True,
                reason: reasons::KEY_PAIR_VERIFIED.to_string(),
                message: messages::SIGNING_CA_VERIFIED.to_string(),
                event: Some((
                    EventType::Normal,
                    reasons::KEY_PAIR_VERIFIED.to_string(),
                    messages::SIGNING_CA_VERIFIED.to_string(),
                )),
                requeue: None,
            },
            Some(p) => Setup {
                status: ConditionStatus::False,
                reason: p.reason().to_string(),
                message: p.message(),
                event: Some((EventType::Warning, p.reason().to_string(), p.message())),
                requeue: Some(Duration::from_secs(60)),
            },
        }));
    }
    Ok(None)
}

fn apply_setup(
    status: &mut IssuerStatus,
    generation: Option<i64>,
    s: &Setup,
    now: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
) -> bool {
    set_condition(
        status.conditions_mut(),
        ConditionUpdate {
            type_: condition_types::READY,
            status: s.status,
            reason: &s.reason,
            message: &s.message,
            observed_generation: generation,
        },
        now,
    )
}

fn ready_status(status: &Option<IssuerStatus>) -> ConditionStatus {
    status
        .as_ref()
        .and_then(|s| get_condition(s.conditions(), condition_types::READY))
        .map_or(ConditionStatus::Unknown, |c| c.status)
}

async fn record(
    ctx: &Context,
    component: &'static str,
    reference: &ObjectReference,
    s: &Setup,
    changed: bool,
) {
    if let (true, Some((type_, reason, message))) = (changed, &s.event) {
        ctx.recorder(component)
            .publish(reference, *type_, reason, "Setup", message)
            .await;
    }
}

/// Reconciles an Issuer.
pub async fn reconcile_issuer(issuer: Arc<Issuer>, ctx: Arc<Context>) -> Result<Action> {
    ctx.metrics.sync("issuers");
    let namespace = issuer.namespace().unwrap_or_default();
    let mut updated = (*issuer).clone();
    let s = match setup(&ctx, &issuer.spec, &namespace).await? {
        Some(s) => s,
        None => match setup_acme(
            &ctx,
            "Issuer",
            &issuer.name_any(),
            &issuer.spec,
            &mut updated.status,
            &namespace,
        )
        .await?
        {
            Some(s) => s,
            None => return Ok(Action::await_change()),
        },
    };
    let generation = updated.metadata.generation;
    let changed = apply_setup(
        updated.status.get_or_insert_with(Default::default),
        generation,
        &s,
        ctx.now_time(),
    );
    if updated.status != issuer.status {
        let api: Api<Issuer> = Api::namespaced(ctx.client.clone(), &namespace);
        api.replace_status(&updated.name_any(), &PostParams::default(), &updated)
            .await?;
    }
    record(
        &ctx,
        components::ISSUERS,
        &issuer.object_ref(&()),
        &s,
        changed,
    )
    .await;
    ctx.metrics.observe_issuer(
        Some(&namespace),
        &issuer.name_any(),
        ready_status(&updated.status),
    );
    Ok(s.requeue.map_or_else(Action::await_change, Action::requeue))
}

/// Reconciles a ClusterIssuer (Secrets come from the cluster resource namespace).
pub async fn reconcile_cluster_issuer(
    issuer: Arc<ClusterIssuer>,
    ctx: Arc<Context>,
) -> Result<Action> {
    ctx.metrics.sync("clusterissuers");
    let namespace = ctx.config.cluster_resource_namespace.clone();
    let mut updated = (*issuer).clone();
    let s = match setup(&ctx, &issuer.spec, &namespace).await? {
        Some(s) => s,
        None => match setup_acme(
            &ctx,
            "ClusterIssuer",
            &issuer.name_any(),
            &issuer.spec,
            &mut updated.status,
            &namespace,
        )
        .await?
        {
            Some(s) => s,
            None => return Ok(Action::await_change()),
        },
    };
    let generation = updated.metadata.generation;
    let changed = apply_setup(
        updated.status.get_or_insert_with(Default::default),
        generation,
        &s,
        ctx.now_time(),
    );
    if updated.status != issuer.status {
        let api: Api<ClusterIssuer> = Api::all(ctx.client.clone());
        api.replace_status(&updated.name_any(), &PostParams::default(), &updated)
            .await?;
    }
    record(
        &ctx,
        components::CLUSTER_ISSUERS,
        &issuer.object_ref(&()),
        &s,
        changed,
    )
    .await;
    ctx.metrics
        .observe_issuer(None, &issuer.name_any(), ready_status(&updated.status));
    Ok(s.requeue.map_or_else(Action::await_change, Action::requeue))
}
