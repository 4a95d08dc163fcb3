//! The solver Pod (`pkg/issuer/acme/http/pod.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, Pod, PodSecurityContext, PodSpec, ResourceRequirements,
    SeccompProfile, SecurityContext,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};

use super::{GENERATE_NAME, Http01Error, owned, owner_ref, solver_labels};
use crate::acme::solver_server::LISTEN_PORT;
use crate::api::acme::AcmeChallengeSolverHttp01Ingress;
use crate::api::challenge::Challenge;
use crate::context::Context;

/// The container's name.
pub const CONTAINER_NAME: &str = "acmesolver";

fn quantities(cpu: &str, memory: &str) -> BTreeMap<String, Quantity> {
    BTreeMap::from([
        ("cpu".to_string(), Quantity(cpu.to_string())),
        ("memory".to_string(), Quantity(memory.to_string())),
    ])
}

/// The Pod for a challenge: cert-manager's defaults, then `podTemplate` merged in.
pub fn build(ch: &Challenge, cfg: &AcmeChallengeSolverHttp01Ingress, image: &str) -> Pod {
    let mut pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(GENERATE_NAME.to_string()),
            namespace: ch.namespace(),
            labels: Some(solver_labels(ch)),
            annotations: Some(BTreeMap::from([(
                "sidecar.istio.io/inject".to_string(),
                "false".to_string(),
            )])),
            owner_references: Some(vec![owner_ref(ch)]),
            ..Default::default()
        },
        spec: Some(PodSpec {
            node_selector: Some(BTreeMap::from([(
                "kubernetes.io/os".to_string(),
                "linux".to_string(),
            )])),
            restart_policy: Some("OnFailure".to_string()),
            security_context: Some(PodSecurityContext {
                run_as_non_root: Some(true),
                seccomp_profile: Some(SeccompProfile {
                    type_: "RuntimeDefault".to_string(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            containers: vec![Container {
                name: CONTAINER_NAME.to_string(),
                image: Some(image.to_string()),
                image_pull_policy: Some("IfNotPresent".to_string()),
                args: Some(vec![
                    format!("--listen-port={LISTEN_PORT}"),
                    format!("--domain={}", ch.spec.dns_name),
                    format!("--token={}", ch.spec.token),
                    format!("--key={}", ch.spec.key),
                ]),
                resources: Some(ResourceRequirements {
                    requests: Some(quantities("10m", "64Mi")),
                    limits: Some(quantities("100m", "64Mi")),
                    ..Default::default()
                }),
                ports: Some(vec![ContainerPort {
                    name: Some("http".to_string()),
                    container_port: i32::from(LISTEN_PORT),
                    ..Default::default()
                }]),
                security_context: Some(SecurityContext {
                    allow_privilege_escalation: Some(false),
                    read_only_root_filesystem: Some(true),
                    capabilities: Some(Capabilities {
                        drop: Some(vec!["ALL".to_string()]),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        }),
        status: None,
    };
    merge_template(&mut pod, cfg);
    pod
}

/// `podTemplate`: labels and annotations added, node selector entries added,
/// tolerations and image pull secrets appended, the rest replaced when set.
fn merge_template(pod: &mut Pod, cfg: &AcmeChallengeSolverHttp01Ingress) {
    let Some(tpl) = cfg.pod_template.as_ref() else {
        return;
    };
    if let Some(meta) = &tpl.metadata {
        if let Some(l) = &meta.labels {
            pod.metadata
                .labels
                .get_or_insert_with(Default::default)
                .extend(l.clone());
        }
        if let Some(a) = &meta.annotations {
            pod.metadata
                .annotations
                .get_or_insert_with(Default::default)
                .extend(a.clone());
        }
    }
    let (Some(t), Some(spec)) = (&tpl.spec, pod.spec.as_mut()) else {
        return;
    };
    if let Some(ns) = &t.node_selector {
        spec.node_selector
            .get_or_insert_with(Default::default)
            .extend(ns.clone());
    }
    if let Some(tol) = &t.tolerations {
        spec.tolerations
            .get_or_insert_with(Default::default)
            .extend(tol.iter().cloned());
    }
    if t.affinity.is_some() {
        spec.affinity = t.affinity.clone();
    }
    if let Some(p) = t.priority_class_name.as_ref().filter(|p| !p.is_empty()) {
        spec.priority_class_name = Some(p.clone());
    }
    if let Some(sa) = t.service_account_name.as_ref().filter(|s| !s.is_empty()) {
        spec.service_account_name = Some(sa.clone());
    }
    if let Some(secrets) = &t.image_pull_secrets {
        spec.image_pull_secrets
            .get_or_insert_with(Default::default)
            .extend(secrets.iter().cloned());
    }
    if let Some(sc) = &t.security_context {
        spec.security_context = Some(PodSecurityContext {
            se_linux_options: sc.se_linux_options.clone(),
            run_as_user: sc.run_as_user,
            run_as_group: sc.run_as_group,
            run_as_non_root: sc.run_as_non_root,
            supplemental_groups: sc.supplemental_groups.clone(),
            fs_group: sc.fs_group,
            sysctls: sc.sysctls.clone(),
            fs_group_change_policy: sc.fs_group_change_policy.clone(),
            seccomp_profile: sc.seccomp_profile.clone(),
            ..Default::default()
        });
    }
    if let Some(r) = &t.resources
        && let Some(c) = spec.containers.first_mut()
    {
        c.resources = Some(ResourceRequirements {
            limits: r.limits.clone(),
            requests: r.requests.clone(),
            ..Default::default()
        });
    }
}

/// The challenge's Pod, created when missing. Several (a race) are all deleted and
/// the reconcile retried, as cert-manager does.
pub async fn ensure(
    ctx: &Context,
    ch: &Challenge,
    cfg: &AcmeChallengeSolverHttp01Ingress,
) -> Result<Pod, Http01Error> {
    let mut existing = owned::<Pod>(ctx, ch).await?;
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &ch.namespace().unwrap_or_default());
    match existing.len() {
        1 => Ok(existing.remove(0)),
        0 => Ok(api
            .create(
                &PostParams::default(),
                &build(ch, cfg, &ctx.config.acme_http01_solver_image),
            )
            .await?),
        _ => {
            for p in &existing {
                let _ = api.delete(&p.name_any(), &DeleteParams::background()).await;
            }
            Err(Http01Error::Config(format!(
                "multiple challenge solver pods found for challenge {:?}; cleaning up existing pods",
                ch.name_any()
            )))
        }
    }
}
