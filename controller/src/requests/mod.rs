//! The CertificateRequest controllers: the approver, and the SelfSigned and CA
//! issuers' signing (`pkg/controller/certificaterequests`). ACME requests are handed
//! to Orders by the ACME issuer's controller.

pub mod acme;
mod sign;

use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};

use crate::api::certificate_request::CertificateRequest;
use crate::api::conditions::{ConditionUpdate, get_condition, is_condition_true, set_condition};
use crate::api::constants::{condition_types, events, messages, reasons};
use crate::api::issuer::{ClusterIssuer, Issuer, IssuerSpec, IssuerStatus};
use crate::api::meta::ConditionStatus;
use crate::context::{Context, components};
use crate::error::{Result, is_not_found};
use crate::events::EventType;

/// The message of a CertificateRequest's `Ready=True`.
pub const READY_MESSAGE: &str = "Certificate fetched from issuer successfully";

/// An Issuer or ClusterIssuer, as the request controllers need it.
#[derive(Debug, Clone)]
pub struct GenericIssuer {
    /// `Issuer` or `ClusterIssuer`.
    pub kind: &'static str,
    /// Name.
    pub name: String,
    /// Where its Secrets are read.
    pub resource_namespace: String,
    /// Spec.
    pub spec: IssuerSpec,
    /// Status.
    pub status: Option<IssuerStatus>,
}

impl GenericIssuer {
    /// Whether `Ready=True`.
    pub fn is_ready(&self) -> bool {
        self.status.as_ref().is_some_and(IssuerStatus::is_ready)
    }
}

/// Looks up the issuer a request (or Certificate) names. `Ok(None)` when it does not
/// exist; the error text is the API server's NotFound message.
pub async fn get_issuer(
    ctx: &Context,
    issuer_ref: &crate::api::meta::IssuerReference,
    namespace: &str,
) -> Result<std::result::Result<GenericIssuer, String>> {
    if issuer_ref.is_cluster_issuer() {
        let api: Api<ClusterIssuer> = Api::all(ctx.client.clone());
        match api.get(&issuer_ref.name).await {
            Ok(i) => Ok(Ok(GenericIssuer {
                kind: "ClusterIssuer",
                name: issuer_ref.name.clone(),
                resource_namespace: ctx.config.cluster_resource_namespace.clone(),
                spec: i.spec,
                status: i.status,
            })),
            Err(e) if is_not_found(&e) => Ok(Err(format!(
                "clusterissuers.cert-manager.io {:?} not found",
                issuer_ref.name
            ))),
            Err(e) => Err(e.into()),
        }
    } else {
        let api: Api<Issuer> = Api::namespaced(ctx.client.clone(), namespace);
        match api.get(&issuer_ref.name).await {
            Ok(i) => Ok(Ok(GenericIssuer {
                kind: "Issuer",
                name: issuer_ref.name.clone(),
                resource_namespace: namespace.to_string(),
                spec: i.spec,
                status: i.status,
            })),
            Err(e) if is_not_found(&e) => Ok(Err(format!(
                "issuers.cert-manager.io {:?} not found",
                issuer_ref.name
            ))),
            Err(e) => Err(e.into()),
        }
    }
}

/// A change to a request's status, as cert-manager's reporter makes them.
pub(crate) struct Reporter<'a> {
    ctx: &'a Context,
    cr: &'a mut CertificateRequest,
    component: &'static str,
}

impl<'a> Reporter<'a> {
    pub(crate) fn new(
        ctx: &'a Context,
        cr: &'a mut CertificateRequest,
        component: &'static str,
    ) -> Self {
        Self { ctx, cr, component }
    }

    fn ready_reason(&self) -> Option<String> {
        self.cr
            .status
            .as_ref()
            .and_then(|s| get_condition(s.conditions(), condition_types::READY))
            .and_then(|c| c.reason.clone())
    }

    fn set_ready(&mut self, status: ConditionStatus, reason: &str, message: &str) {
        let now = self.ctx.now_time();
        let st = self.cr.status.get_or_insert_with(Default::default);
        set_condition(
            st.conditions_mut(),
            ConditionUpdate {
                type_: condition_types::READY,
                status,
                reason,
                message,
                observed_generation: None,
            },
            now,
        );
    }

    /// `Ready=False Pending`; an event only when it wasn't pending already.
    pub(crate) async fn pending(&mut self, reason: &str, message: String) {
        if self.ready_reason().as_deref() != Some(reasons::PENDING) {
            self.ctx
                .recorder(self.component)
                .publish(
                    &self.cr.object_ref(&()),
                    EventType::Normal,
                    reason,
                    "Sign",
                    &message,
                )
                .await;
        }
        self.set_ready(ConditionStatus::False, reasons::PENDING, &message);
    }

    /// `Ready=False Failed`, with `failureTime`; always an event.
    pub(crate) async fn failed(&mut self, reason: &str, message: String) {
        let now = self.ctx.now_time();
        let st = self.cr.status.get_or_insert_with(Default::default);
        if st.failure_time.is_none() {
            st.failure_time = Some(now);
        }
        self.ctx
            .recorder(self.component)
            .publish(
                &self.cr.object_ref(&()),
                EventType::Warning,
                reason,
                "Sign",
                &message,
            )
            .await;
        self.set_ready(ConditionStatus::False, reasons::FAILED, &message);
    }

    /// `Ready=True Issued`.
    pub(crate) async fn ready(&mut self) {
        self.ctx
            .recorder(self.component)
            .publish(
                &self.cr.object_ref(&()),
                EventType::Normal,
                events::CERTIFICATE_ISSUED,
                "Sign",
                READY_MESSAGE,
            )
            .await;
        self.set_ready(ConditionStatus::True, reasons::ISSUED, READY_MESSAGE);
    }
}

async fn write_status(ctx: &Context, cr: &CertificateRequest) -> Result<()> {
    let api: Api<CertificateRequest> =
        Api::namespaced(ctx.client.clone(), &cr.namespace().unwrap_or_default());
    api.replace_status(&cr.name_any(), &PostParams::default(), cr)
        .await?;
    Ok(())
}

fn terminal(cr: &CertificateRequest) -> bool {
    let Some(st) = cr.status.as_ref() else {
        return false;
    };
    get_condition(st.conditions(), condition_types::READY).is_some_and(|c| {
        matches!(
            c.reason.as_deref(),
            Some(reasons::FAILED) | Some(reasons::ISSUED)
        )
    })
}

/// Reconciles one CertificateRequest.
pub async fn reconcile(cr: Arc<CertificateRequest>, ctx: Arc<Context>) -> Result<Action> {
    ctx.metrics.sync("certificaterequests");
    if cr.metadata.deletion_timestamp.is_some() || !cr.spec.issuer_ref.is_cert_manager_group() {
        return Ok(Action::await_change());
    }
    let original = (*cr).clone();
    let mut cr = original.clone();
    let st = cr.status.clone().unwrap_or_default();

    // The approver.
    if ctx.config.approve_requests && !st.is_approved() && !st.is_denied() && !terminal(&cr) {
        let now = ctx.now_time();
        let status = cr.status.get_or_insert_with(Default::default);
        set_condition(
            status.conditions_mut(),
            ConditionUpdate {
                type_: condition_types::APPROVED,
                status: ConditionStatus::True,
                reason: reasons::APPROVED_BY_CERT_MANAGER,
                message: messages::APPROVED_BY_CERT_MANAGER,
                observed_generation: None,
            },
            now,
        );
        write_status(&ctx, &cr).await?;
        ctx.recorder(components::APPROVER)
            .publish(
                &cr.object_ref(&()),
                EventType::Normal,
                reasons::APPROVED_BY_CERT_MANAGER,
                "Approve",
                messages::APPROVED_BY_CERT_MANAGER,
            )
            .await;
        // The write triggers another reconcile, which signs.
        return Ok(Action::await_change());
    }

    let st = cr.status.clone().unwrap_or_default();
    if st.is_denied() {
        if !terminal_reason(&cr, reasons::DENIED) {
            let now = ctx.now_time();
            let status = cr.status.get_or_insert_with(Default::default);
            if status.failure_time.is_none() {
                status.failure_time = Some(now.clone());
            }
            set_condition(
                status.conditions_mut(),
                ConditionUpdate {
                    type_: condition_types::READY,
                    status: ConditionStatus::False,
                    reason: reasons::DENIED,
                    message: "The CertificateRequest was denied by an approval controller",
                    observed_generation: None,
                },
                now,
            );
            write_status(&ctx, &cr).await?;
        }
        return Ok(Action::await_change());
    }
    if is_condition_true(st.conditions(), condition_types::INVALID_REQUEST) || terminal(&cr) {
        return Ok(Action::await_change());
    }
    if !st.is_approved() {
        ctx.recorder(components::ISSUER_SELFSIGNED)
            .publish(
                &cr.object_ref(&()),
                EventType::Normal,
                events::WAITING_FOR_APPROVAL,
                "Sign",
                messages::WAITING_FOR_APPROVAL,
            )
            .await;
        return Ok(Action::await_change());
    }
    let namespace = cr.namespace().unwrap_or_default();
    let issuer = get_issuer(&ctx, &cr.spec.issuer_ref, &namespace).await?;
    let component = match &issuer {
        Ok(i) if i.spec.ca.is_some() => components::ISSUER_CA,
        Ok(i) if i.spec.acme.is_some() => components::ISSUER_ACME,
        _ => components::ISSUER_SELFSIGNED,
    };
    let mut reporter = Reporter::new(&ctx, &mut cr, component);
    let mut requeue = None;
    match issuer {
        Err(not_found) => {
            let kind = if original.spec.issuer_ref.is_cluster_issuer() {
                "ClusterIssuer"
            } else {
                "Issuer"
            };
            reporter
                .pending(
                    events::ISSUER_NOT_FOUND,
                    format!("Referenced {kind:?} not found: {not_found}"),
                )
                .await;
            requeue = Some(Duration::from_secs(30));
        }
        Ok(issuer) => match issuer.spec.issuer_type() {
            None => {
                reporter
                    .pending(
                        events::ISSUER_TYPE_MISSING,
                        "Missing issuer type".to_string(),
                    )
                    .await
            }
            Some(crate::api::issuer::IssuerType::Acme) if !issuer.is_ready() => {
                reporter
                    .pending(
                        events::ISSUER_NOT_READY,
                        "Referenced issuer does not have a Ready status condition".to_string(),
                    )
                    .await;
                requeue = Some(Duration::from_secs(30));
            }
            Some(crate::api::issuer::IssuerType::Acme)
                if st.certificate.as_ref().is_some_and(|c| !c.0.is_empty()) => {}
            Some(crate::api::issuer::IssuerType::Acme) => {
                acme::sign(&ctx, &mut reporter, &issuer).await?
            }
            Some(_) if !issuer.is_ready() => {
                reporter
                    .pending(
                        events::ISSUER_NOT_READY,
                        "Referenced issuer does not have a Ready status condition".to_string(),
                    )
                    .await;
                requeue = Some(Duration::from_secs(30));
            }
            Some(_) if st.certificate.as_ref().is_some_and(|c| !c.0.is_empty()) => {}
            Some(t) => sign::sign(&ctx, &mut reporter, &issuer, t).await?,
        },
    }
    if cr.status != original.status {
        write_status(&ctx, &cr).await?;
    }
    Ok(match requeue {
        Some(d) => Action::requeue(d),
        None => Action::await_change(),
    })
}

fn terminal_reason(cr: &CertificateRequest, reason: &str) -> bool {
    cr.status
        .as_ref()
        .and_then(|s| get_condition(s.conditions(), condition_types::READY))
        .is_some_and(|c| c.reason.as_deref() == Some(reason))
}
