//! The Orders controller (cert-manager's `pkg/controller/acmeorders`): creates the ACME
//! order once, records its authorizations, creates one Challenge per pending
//! authorization with the chosen solver, finalizes with the request's CSR and stores
//! the chain (the `preferredChain` one when it exists).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use k8s_openapi::ByteString;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};

use super::account::{AcmeAccount, AcmeError};
use super::client::{AcmeOrder, NewOrder};
use super::names::compute_name;
use crate::api::acme::{AcmeChallengeType, State};
use crate::api::challenge::{Challenge, ChallengeSpec};
use crate::api::constants::events;
use crate::api::order::{AcmeAuthorization, AcmeChallenge, Order, OrderStatus};
use crate::context::{Context, components};
use crate::error::{Error, Result, is_conflict, is_not_found};
use crate::events::EventType;
use crate::pki;
use crate::requests::acme::{go_issuer_ref, go_string};

/// How often an Order whose challenges are all done is re-checked while the ACME
/// order is still pending (cert-manager's `RequeuePeriod`).
pub const REQUEUE_PERIOD: Duration = Duration::from_secs(5);

/// Parses an ACME state name.
pub fn parse_state(s: &str) -> Option<State> {
    Some(match s {
        "valid" => State::Valid,
        "ready" => State::Ready,
        "pending" => State::Pending,
        "processing" => State::Processing,
        "invalid" => State::Invalid,
        "expired" => State::Expired,
        "errored" => State::Errored,
        _ => return None,
    })
}

struct Sync<'a> {
    ctx: &'a Context,
    order: &'a Order,
    status: OrderStatus,
    requeue: Option<Duration>,
    /// A transient ACME failure to retry with backoff.
    retry: Option<String>,
}

impl Sync<'_> {
    fn set_state(&mut self, state: State) {
        self.status.state = Some(state);
        if state.is_failure() {
            self.status.failure_time = Some(self.ctx.now_time());
        }
    }

    fn errored(&mut self, reason: String) {
        self.set_state(State::Errored);
        self.status.reason = Some(reason);
    }

    /// cert-manager: a 4xx answer marks the Order errored; anything else (5xx,
    /// `rateLimited`, `badNonce`, the network) is retried with backoff.
    fn fail_or_retry(&mut self, e: AcmeError, what: &str) -> Result<()> {
        if e.is_client_error() {
            self.errored(format!("{what}: {e}"));
        } else {
            self.retry = Some(format!("{what}: {e}"));
        }
        Ok(())
    }

    fn apply_acme_order(&mut self, o: &AcmeOrder) {
        if !o.finalize.is_empty() {
            self.status.finalize_url = Some(o.finalize.clone());
        }
        if let Some(s) = parse_state(&o.status) {
            self.set_state(s);
        }
        if o.status == "invalid"
            && let Some(e) = &o.error
        {
            self.status.reason = Some(e.to_string());
        }
        if self
            .status
            .authorizations
            .as_ref()
            .is_none_or(Vec::is_empty)
        {
            self.status.authorizations = Some(
                o.authorizations
                    .iter()
                    .map(|url| AcmeAuthorization {
                        url: url.clone(),
                        identifier: None,
                        wildcard: None,
                        initial_state: None,
                        challenges: None,
                    })
                    .collect(),
            );
        }
    }
}

/// Reconciles one Order.
pub async fn reconcile(order: Arc<Order>, ctx: Arc<Context>) -> Result<Action> {
    ctx.metrics.sync("orders");
    if order.metadata.deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let namespace = order.namespace().unwrap_or_default();
    let issuer = match crate::requests::get_issuer(&ctx, &order.spec.issuer_ref, &namespace).await?
    {
        Ok(i) => i,
        Err(not_found) => {
            tracing::debug!(order = %order.name_any(), %not_found, "issuer missing");
            return Ok(Action::requeue(Duration::from_secs(30)));
        }
    };
    let account = match ctx.acme_accounts.get(&ctx, &issuer).await {
        Ok(a) => a,
        Err(AcmeError::Unavailable) => return Ok(Action::requeue(Duration::from_secs(2))),
        Err(e) => return Err(Error::Other(e.to_string())),
    };
    let mut sync = Sync {
        ctx: &ctx,
        order: &order,
        status: order.status.clone().unwrap_or_default(),
        requeue: None,
        retry: None,
    };
    let result = step(&mut sync, &account, &issuer).await;
    let key = format!("{namespace}/{}", order.name_any());
    let requeue = match sync.retry.take() {
        Some(why) => {
            let delay = ctx.acme_backoff.failed(&key);
            tracing::info!(order = %key, %why, ?delay, "ACME request failed; retrying with backoff");
            Some(delay)
        }
        None => {
            ctx.acme_backoff.succeeded(&key);
            sync.requeue
        }
    };
    if order.status.as_ref() != Some(&sync.status) {
        let mut updated = (*order).clone();
        updated.status = Some(sync.status);
        let api: Api<Order> = Api::namespaced(ctx.client.clone(), &namespace);
        api.replace_status(&updated.name_any(), &PostParams::default(), &updated)
            .await?;
    }
    result?;
    Ok(requeue.map_or_else(Action::await_change, Action::requeue))
}

async fn step(
    s: &mut Sync<'_>,
    account: &AcmeAccount,
    issuer: &crate::requests::GenericIssuer,
) -> Result<()> {
    let state = s.status.state;
    if state.is_some_and(State::is_failure) {
        return Ok(());
    }
    if s.status.url.as_deref().unwrap_or_default().is_empty() {
        return create_order(s, account).await;
    }
    let url = s.status.url.clone().unwrap_or_default();
    if s.status
        .finalize_url
        .as_deref()
        .unwrap_or_default()
        .is_empty()
    {
        match account.client().order(&url).await {
            Ok(o) => s.apply_acme_order(&o),
            Err(e) => s.fail_or_retry(e, "Failed to retrieve Order resource")?,
        }
        return Ok(());
    }
    if s.status
        .authorizations
        .iter()
        .flatten()
        .any(|a| a.identifier.as_deref().unwrap_or_default().is_empty())
    {
        return fetch_authorizations(s, account).await;
    }
    let has_cert = s
        .status
        .certificate
        .as_ref()
        .is_some_and(|c| !c.0.is_empty());
    if state == Some(State::Valid) && !has_cert {
        return match account.client().order(&url).await {
            Ok(o) => {
                s.apply_acme_order(&o);
                store_certificate(s, account, issuer, &o).await
            }
            Err(e) => s.fail_or_retry(e, "Failed to retrieve Order resource"),
        };
    }
    if state == Some(State::Valid) {
        for ch in owned_challenges(s.ctx, s.order).await? {
            delete_challenge(s.ctx, &ch).await?;
        }
        return Ok(());
    }

    let required = match required_challenges(s.order, &s.status, issuer, account) {
        Ok(r) => r,
        Err(why) => {
            s.ctx
                .recorder(components::ORDERS)
                .publish(
                    &s.order.object_ref(&()),
                    EventType::Warning,
                    events::SOLVER,
                    "Solve",
                    &format!("Failed to determine a valid solver configuration for the set of domains on the Order: {why}"),
                )
                .await;
            return Ok(());
        }
    };
    let existing = owned_challenges(s.ctx, s.order).await?;
    let missing: Vec<&Challenge> = required
        .iter()
        .filter(|r| !existing.iter().any(|e| e.name_any() == r.name_any()))
        .collect();
    if !missing.is_empty() {
        let api: Api<Challenge> = Api::namespaced(
            s.ctx.client.clone(),
            &s.order.namespace().unwrap_or_default(),
        );
        for ch in missing {
            match api.create(&PostParams::default(), ch).await {
                Ok(_) => {
                    s.ctx
                        .recorder(components::ORDERS)
                        .publish(
                            &s.order.object_ref(&()),
                            EventType::Normal,
                            events::CREATED,
                            "Solve",
                            &format!(
                                "Created Challenge resource {:?} for domain {:?}",
                                ch.name_any(),
                                ch.spec.dns_name
                            ),
                        )
                        .await;
                }
                Err(e) if is_conflict(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        return Ok(());
    }
    let leftover: Vec<&Challenge> = existing
        .iter()
        .filter(|e| !required.iter().any(|r| r.name_any() == e.name_any()))
        .collect();
    if !leftover.is_empty() {
        for ch in leftover {
            delete_challenge(s.ctx, ch).await?;
        }
        return Ok(());
    }

    if state == Some(State::Ready) {
        return finalize(s, account, issuer).await;
    }
    let states: Vec<Option<State>> = existing
        .iter()
        .map(|c| c.status.as_ref().and_then(|st| st.state))
        .collect();
    let any_failed = states.iter().any(|st| st.is_some_and(State::is_failure));
    let all_final = states.iter().all(|st| st.is_some_and(State::is_final));
    if !any_failed && !all_final {
        return Ok(());
    }
    let acme_order = match account.client().order(&url).await {
        Ok(o) => o,
        Err(e) => return s.fail_or_retry(e, "Failed to retrieve Order resource"),
    };
    if !any_failed && all_final && acme_order.status == "pending" {
        s.set_state(State::Pending);
        s.requeue = Some(REQUEUE_PERIOD);
        return Ok(());
    }
    s.apply_acme_order(&acme_order);
    if s.status.state == Some(State::Ready) {
        // Finalize at once rather than on the next event.
        return finalize(s, account, issuer).await;
    }
    if s.status.state == Some(State::Processing) {
        s.requeue = Some(Duration::from_millis(200));
    }
    Ok(())
}

async fn create_order(s: &mut Sync<'_>, account: &AcmeAccount) -> Result<()> {
    let spec = &s.order.spec;
    let mut dns: Vec<String> = spec.dns_names.clone().unwrap_or_default();
    let mut ips: Vec<String> = spec.ip_addresses.clone().unwrap_or_default();
    if let Some(cn) = spec.common_name.as_deref().filter(|c| !c.is_empty()) {
        if cn.parse::<std::net::IpAddr>().is_ok() {
            ips.push(cn.to_string());
        } else {
            dns.push(cn.to_string());
        }
    }
    dns.sort();
    dns.dedup();
    ips.sort();
    ips.dedup();
    let not_after = match &spec.duration {
        Some(d) => match d.to_std() {
            Ok(d) => Some(rfc3339(s.ctx.clock.now() + d)),
            Err(_) => None,
        },
        None => None,
    };
    let request = NewOrder {
        dns_names: dns,
        ip_addresses: ips,
        not_after,
        profile: spec.profile.clone().filter(|p| !p.is_empty()),
        replaces: spec.replaces.clone().filter(|r| !r.is_empty()),
    };
    match account.client().new_order(&request).await {
        Ok((url, o)) => {
            // The URL is written with this status update before anything else can
            // fail, so one Order object never creates a second ACME order.
            s.status.url = Some(url);
            s.status.finalize_url = Some(o.finalize.clone()).filter(|f| !f.is_empty());
            s.status.authorizations = None;
            s.apply_acme_order(&o);
            Ok(())
        }
        Err(e) => s.fail_or_retry(e, "Failed to create Order"),
    }
}

fn rfc3339(t: std::time::SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .map(|ts| ts.round(jiff::Unit::Second).unwrap_or(ts).to_string())
        .unwrap_or_default()
}

async fn fetch_authorizations(s: &mut Sync<'_>, account: &AcmeAccount) -> Result<()> {
    let mut authzs = s.status.authorizations.clone().unwrap_or_default();
    for a in authzs.iter_mut() {
        if !a.identifier.as_deref().unwrap_or_default().is_empty() {
            continue;
        }
        let obj = match account.client().authorization(&a.url).await {
            Ok(o) => o,
            Err(e) => return s.fail_or_retry(e, "Failed to fetch authorization"),
        };
        a.initial_state = parse_state(&obj.status);
        a.identifier = Some(obj.identifier.value.clone());
        a.wildcard = Some(obj.wildcard);
        a.challenges = Some(
            obj.challenges
                .iter()
                .map(|c| AcmeChallenge {
                    url: c.url.clone(),
                    token: c.token.clone(),
                    type_: c.type_.clone(),
                })
                .collect(),
        );
    }
    s.status.authorizations = Some(authzs);
    Ok(())
}

/// Go's JSON of a partial ChallengeSpec (what cert-manager hashes for the name).
fn go_challenge_spec(spec: &ChallengeSpec) -> String {
    let solver = serde_json::to_string(&spec.solver).unwrap_or_default();
    let type_ = match spec.type_ {
        AcmeChallengeType::Http01 => "HTTP-01",
        AcmeChallengeType::Dns01 => "DNS-01",
    };
    format!(
        "{{\"url\":{},\"authorizationURL\":{},\"dnsName\":{},\"wildcard\":{},\"type\":{},\"token\":{},\"key\":\"\",\"solver\":{solver},\"issuerRef\":{}}}",
        go_string(&spec.url),
        go_string(&spec.authorization_url),
        go_string(&spec.dns_name),
        spec.wildcard.unwrap_or(false),
        go_string(type_),
        go_string(&spec.token),
        go_issuer_ref(&spec.issuer_ref),
    )
}

/// The Challenges the Order needs: one per authorization not already valid.
fn required_challenges(
    order: &Order,
    status: &OrderStatus,
    issuer: &crate::requests::GenericIssuer,
    account: &AcmeAccount,
) -> std::result::Result<Vec<Challenge>, String> {
    let solvers = issuer
        .spec
        .acme
        .as_ref()
        .and_then(|a| a.solvers.clone())
        .unwrap_or_default();
    let labels = order.metadata.labels.clone().unwrap_or_default();
    let annotations = order.metadata.annotations.clone().unwrap_or_default();
    let owner = order
        .controller_owner_ref(&())
        .ok_or_else(|| "the Order has no name or uid".to_string())?;
    let mut out = Vec::new();
    for a in status.authorizations.iter().flatten() {
        if a.initial_state == Some(State::Valid) {
            continue;
        }
        let identifier = a.identifier.clone().unwrap_or_default();
        let wildcard = a.wildcard.unwrap_or(false);
        let offered = a.challenges.clone().unwrap_or_default();
        let Some((mut solver, challenge)) =
            super::selection::pick(&identifier, wildcard, &offered, &solvers, &labels)
        else {
            return Err(
                "no configured challenge solvers can be used for this challenge".to_string(),
            );
        };
        let type_ = match challenge.type_.as_str() {
            "http-01" => AcmeChallengeType::Http01,
            "dns-01" => AcmeChallengeType::Dns01,
            other => return Err(format!("unsupported challenge type: {other}")),
        };
        apply_ingress_overrides(&annotations, &mut solver)?;
        let mut spec = ChallengeSpec {
            url: challenge.url.clone(),
            authorization_url: a.url.clone(),
            dns_name: identifier.clone(),
            wildcard: Some(wildcard),
            type_,
            token: challenge.token.clone(),
            key: String::new(),
            solver,
            issuer_ref: order.spec.issuer_ref.clone(),
        };
        let name = compute_name(&order.name_any(), &go_challenge_spec(&spec));
        let key_auth = account.key_authorization(&spec.token);
        spec.key = match type_ {
            AcmeChallengeType::Http01 => key_auth,
            AcmeChallengeType::Dns01 => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key_auth.as_bytes()),
            ),
        };
        out.push(Challenge {
            metadata: ObjectMeta {
                name: Some(name),
                namespace: order.namespace(),
                owner_references: Some(vec![OwnerReference {
                    block_owner_deletion: Some(true),
                    ..owner.clone()
                }]),
                ..Default::default()
            },
            spec,
            status: None,
        });
    }
    Ok(out)
}

/// cert-manager's `applyIngressParameterAnnotationOverrides`: ingress-shim's
/// `acme.cert-manager.io/http01-override-*` annotations (copied from the Certificate)
/// replace the chosen HTTP-01 ingress solver's name, class or ingressClassName.
fn apply_ingress_overrides(
    annotations: &std::collections::BTreeMap<String, String>,
    solver: &mut crate::api::acme::AcmeChallengeSolver,
) -> std::result::Result<(), String> {
    use crate::api::constants::annotations as a;
    let Some(ingress) = solver.http01.as_mut().and_then(|h| h.ingress.as_mut()) else {
        return Ok(());
    };
    let name = annotations.get(a::ACME_HTTP01_OVERRIDE_INGRESS_NAME);
    let class = annotations.get(a::ACME_HTTP01_OVERRIDE_INGRESS_CLASS);
    let class_name = annotations.get(a::ACME_HTTP01_OVERRIDE_INGRESS_CLASS_NAME);
    let n = [name, class, class_name]
        .iter()
        .filter(|x| x.is_some())
        .count();
    if n > 1 {
        return Err(
            "may not specify more than one of: name, class, ingressClassName override annotations"
                .to_string(),
        );
    }
    if n == 1 {
        ingress.class = class.cloned();
        ingress.ingress_class_name = class_name.cloned();
        ingress.name = name.cloned();
    }
    Ok(())
}

async fn owned_challenges(ctx: &Context, order: &Order) -> Result<Vec<Challenge>> {
    let api: Api<Challenge> =
        Api::namespaced(ctx.client.clone(), &order.namespace().unwrap_or_default());
    let uid = order.uid();
    Ok(api
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter(|c| {
            c.owner_references()
                .iter()
                .any(|o| o.controller == Some(true) && Some(&o.uid) == uid.as_ref())
        })
        .collect())
}

async fn delete_challenge(ctx: &Context, ch: &Challenge) -> Result<()> {
    let api: Api<Challenge> =
        Api::namespaced(ctx.client.clone(), &ch.namespace().unwrap_or_default());
    match api.delete(&ch.name_any(), &DeleteParams::default()).await {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

async fn finalize(
    s: &mut Sync<'_>,
    account: &AcmeAccount,
    issuer: &crate::requests::GenericIssuer,
) -> Result<()> {
    let finalize_url = s.status.finalize_url.clone().unwrap_or_default();
    let csr_der = match pki::CertificateSigningRequest::from_pem(&s.order.spec.request.0) {
        Ok(c) => c.der().to_vec(),
        Err(_) => s.order.spec.request.0.clone(),
    };
    match account.client().finalize(&finalize_url, &csr_der).await {
        Ok(o) => {
            s.apply_acme_order(&o);
            if o.status == "valid" {
                return store_certificate(s, account, issuer, &o).await;
            }
            if o.status == "processing" {
                s.requeue = Some(Duration::from_millis(200));
            }
            Ok(())
        }
        Err(AcmeError::Problem(p)) if p.status == Some(403) => {
            // Finalized already (e.g. a lost response): look at the order.
            let url = s.status.url.clone().unwrap_or_default();
            match account.client().order(&url).await {
                Ok(o) if o.status == "valid" => {
                    s.apply_acme_order(&o);
                    store_certificate(s, account, issuer, &o).await
                }
                Ok(_) => {
                    s.errored(format!("Failed to finalize Order: {p}"));
                    Ok(())
                }
                Err(e) => s.fail_or_retry(e, "Failed to retrieve Order resource"),
            }
        }
        Err(e) => s.fail_or_retry(e, "Failed to finalize Order"),
    }
}

/// The issuer CN of a chain's top-most certificate (cert-manager's preferredChain match).
fn top_issuer_cn(pem: &str) -> Option<String> {
    let chain = pki::Certificate::parse_chain_pem(pem.as_bytes()).ok()?;
    chain
        .last()
        .and_then(|c| c.issuer().first_common_name().map(str::to_string))
}

async fn store_certificate(
    s: &mut Sync<'_>,
    account: &AcmeAccount,
    issuer: &crate::requests::GenericIssuer,
    o: &AcmeOrder,
) -> Result<()> {
    let Some(cert_url) = o.certificate.clone() else {
        return Ok(());
    };
    let (default_chain, alternates) = match account.client().certificate(&cert_url).await {
        Ok(c) => c,
        Err(e) => return s.fail_or_retry(e, "Failed to retrieve signed certificate"),
    };
    let mut chosen = default_chain.clone();
    let preferred = issuer
        .spec
        .acme
        .as_ref()
        .and_then(|a| a.preferred_chain.clone())
        .filter(|p| !p.is_empty());
    if let Some(preferred) = preferred
        && top_issuer_cn(&default_chain).as_deref() != Some(preferred.as_str())
    {
        for alt in alternates {
            let pem = match account.client().certificate(&alt).await {
                Ok((pem, _)) => pem,
                Err(e) => return s.fail_or_retry(e, "error retrieving preferred chain"),
            };
            if top_issuer_cn(&pem).as_deref() == Some(preferred.as_str()) {
                chosen = pem;
                break;
            }
        }
    }
    if pki::Certificate::parse_chain_pem(chosen.as_bytes()).is_err() {
        s.errored("Invalid certificate retrieved from ACME server".to_string());
        return Ok(());
    }
    s.status.certificate = Some(ByteString(chosen.into_bytes()));
    s.ctx
        .recorder(components::ORDERS)
        .publish(
            &s.order.object_ref(&()),
            EventType::Normal,
            events::COMPLETE,
            "Complete",
            "Order completed successfully",
        )
        .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_as_cert_manager_names_them() {
        for (s, want) in [
            ("valid", State::Valid),
            ("ready", State::Ready),
            ("pending", State::Pending),
            ("processing", State::Processing),
            ("invalid", State::Invalid),
            ("expired", State::Expired),
            ("errored", State::Errored),
        ] {
            assert_eq!(parse_state(s), Some(want));
        }
        assert_eq!(parse_state("deactivated"), None);
    }
}
