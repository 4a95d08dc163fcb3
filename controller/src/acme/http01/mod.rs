//! The HTTP-01 solver (`pkg/issuer/acme/http`): a Pod running the acmesolver, a
//! Service in front of it and an Ingress routing
//! `http://<dnsName>/.well-known/acme-challenge/<token>` to it — or, with the solver's
//! `ingress.name`, a path added to an existing Ingress. Every resource carries the
//! labels of [`solver_labels`] and (except an edited Ingress) a controller ownerRef
//! to the Challenge; they are found again by those labels, never duplicated, and
//! deleted on clean-up.

pub mod check;
pub mod ingress;
pub mod pod;
pub mod service;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{Api, DeleteParams, ListParams};
use kube::{Resource, ResourceExt};

use crate::acme::names::adler32;
use crate::api::acme::AcmeChallengeSolverHttp01Ingress;
use crate::api::challenge::Challenge;
use crate::api::constants::labels;
use crate::context::Context;

/// `generateName` of every solver resource.
pub const GENERATE_NAME: &str = "cm-acme-http-solver-";

/// Why presenting or cleaning up failed.
#[derive(Debug, thiserror::Error)]
pub enum Http01Error {
    /// The API server refused a request.
    #[error("{0}")]
    Kube(#[from] kube::Error),
    /// The solver configuration cannot be used.
    #[error("{0}")]
    Config(String),
}

/// The labels of a challenge's solver resources: `http-domain` and `http-token`
/// (Adler-32, decimal) and `http01-solver=true`.
pub fn solver_labels(ch: &Challenge) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            labels::ACME_HTTP_DOMAIN.to_string(),
            adler32(ch.spec.dns_name.as_bytes()).to_string(),
        ),
        (
            labels::ACME_HTTP_TOKEN.to_string(),
            adler32(ch.spec.token.as_bytes()).to_string(),
        ),
        (labels::ACME_HTTP01_SOLVER.to_string(), "true".to_string()),
    ])
}

/// `k=v,k=v` of [`solver_labels`].
pub fn label_selector(ch: &Challenge) -> String {
    solver_labels(ch)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The controller ownerRef to the Challenge.
pub fn owner_ref(ch: &Challenge) -> OwnerReference {
    ch.controller_owner_ref(&())
        .unwrap_or_else(|| OwnerReference {
            api_version: Challenge::api_version(&()).into_owned(),
            kind: Challenge::kind(&()).into_owned(),
            name: ch.name_any(),
            uid: ch.uid().unwrap_or_default(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        })
}

/// The solver's `http01.ingress`, or an error naming what is unsupported.
pub fn ingress_config(ch: &Challenge) -> Result<&AcmeChallengeSolverHttp01Ingress, Http01Error> {
    let http01 = ch
        .spec
        .solver
        .http01
        .as_ref()
        .ok_or_else(|| Http01Error::Config("challenge's solver has no http01 config".into()))?;
    if let Some(ing) = http01.ingress.as_ref() {
        return Ok(ing);
    }
    if http01.gateway_http_route.is_some() {
        return Err(Http01Error::Config(
            "the gatewayHTTPRoute HTTP-01 solver is not supported by certlab".into(),
        ));
    }
    Err(Http01Error::Config(
        "no HTTP-01 solver configured (ingress or gatewayHTTPRoute)".into(),
    ))
}

/// The objects of kind `K` in the challenge's namespace that carry its labels and are
/// controlled by it (a fresh list from the API server, so a reconcile never misses one
/// it created a moment ago).
pub(crate) async fn owned<K>(ctx: &Context, ch: &Challenge) -> Result<Vec<K>, kube::Error>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(ctx.client.clone(), &ch.namespace().unwrap_or_default());
    let uid = ch.uid().unwrap_or_default();
    let list = api
        .list(&ListParams::default().labels(&label_selector(ch)))
        .await?;
    Ok(list
        .items
        .into_iter()
        .filter(|o| {
            o.meta()
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.controller == Some(true) && r.uid == uid)
        })
        .collect())
}

/// Deletes every owned `K` of the challenge.
pub(crate) async fn delete_owned<K>(ctx: &Context, ch: &Challenge) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(ctx.client.clone(), &ch.namespace().unwrap_or_default());
    for obj in owned::<K>(ctx, ch).await? {
        match api
            .delete(&obj.name_any(), &DeleteParams::background())
            .await
        {
            Ok(_) => {}
            Err(e) if crate::error::is_not_found(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Ensures the Pod, Service and Ingress (or the edited Ingress's path) exist.
pub async fn present(ctx: &Context, ch: &Challenge) -> Result<(), Http01Error> {
    let cfg = ingress_config(ch)?;
    pod::ensure(ctx, ch, cfg).await?;
    let service = service::ensure(ctx, ch, cfg).await?;
    ingress::ensure(ctx, ch, cfg, &service).await?;
    Ok(())
}

/// Removes what [`present`] made: the edited Ingress's path, then the owned Ingresses,
/// Services and Pods.
pub async fn clean_up(ctx: &Context, ch: &Challenge) -> Result<(), Http01Error> {
    if let Ok(cfg) = ingress_config(ch) {
        ingress::clean_up(ctx, ch, cfg).await?;
    }
    delete_owned::<k8s_openapi::api::networking::v1::Ingress>(ctx, ch).await?;
    delete_owned::<k8s_openapi::api::core::v1::Service>(ctx, ch).await?;
    delete_owned::<k8s_openapi::api::core::v1::Pod>(ctx, ch).await?;
    Ok(())
}
