//! The solver Service (`pkg/issuer/acme/http/service.go`): NodePort by default, port
//! 8089 to the Pod's 8089, selecting the Pod by the solver labels.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};

use super::{GENERATE_NAME, Http01Error, owned, owner_ref, solver_labels};
use crate::acme::solver_server::LISTEN_PORT;
use crate::api::acme::AcmeChallengeSolverHttp01Ingress;
use crate::api::challenge::Challenge;
use crate::context::Context;

/// The Service for a challenge.
pub fn build(ch: &Challenge, cfg: &AcmeChallengeSolverHttp01Ingress) -> Service {
    let labels = solver_labels(ch);
    Service {
        metadata: ObjectMeta {
            generate_name: Some(GENERATE_NAME.to_string()),
            namespace: ch.namespace(),
            labels: Some(labels.clone()),
            annotations: Some(BTreeMap::from([(
                format!("auth.istio.io/{LISTEN_PORT}"),
                "NONE".to_string(),
            )])),
            owner_references: Some(vec![owner_ref(ch)]),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            type_: Some(
                cfg.service_type
                    .clone()
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| "NodePort".to_string()),
            ),
            ports: Some(vec![ServicePort {
                name: Some("http".to_string()),
                port: i32::from(LISTEN_PORT),
                target_port: Some(IntOrString::Int(i32::from(LISTEN_PORT))),
                ..Default::default()
            }]),
            selector: Some(labels),
            ..Default::default()
        }),
        status: None,
    }
}

/// The challenge's Service, created when missing (duplicates are deleted and the
/// reconcile retried).
pub async fn ensure(
    ctx: &Context,
    ch: &Challenge,
    cfg: &AcmeChallengeSolverHttp01Ingress,
) -> Result<Service, Http01Error> {
    let mut existing = owned::<Service>(ctx, ch).await?;
    let api: Api<Service> =
        Api::namespaced(ctx.client.clone(), &ch.namespace().unwrap_or_default());
    match existing.len() {
        1 => Ok(existing.remove(0)),
        0 => Ok(api.create(&PostParams::default(), &build(ch, cfg)).await?),
        _ => {
            for s in &existing {
                let _ = api.delete(&s.name_any(), &DeleteParams::background()).await;
            }
            Err(Http01Error::Config(format!(
                "multiple challenge solver services found for challenge {:?}; cleaning up existing services",
                ch.name_any()
            )))
        }
    }
}
