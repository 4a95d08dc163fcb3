//! The Challenges controller (`pkg/controller/acmechallenges`): for each Challenge the
//! [`scheduler`] marked `processing`, add the finalizer, then
//! present → self-check → accept (the ACME challenge POST) → wait for the
//! authorization → clean up, with cert-manager's reasons and events. On a final state
//! or deletion the solver's resources are cleaned up; on deletion the finalizer is
//! removed.

pub mod scheduler;
pub mod solver;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use kube::api::{Api, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};

use crate::acme::account::{AcmeAccount, AcmeError};
use crate::api::acme::{AcmeChallengeType, State};
use crate::api::challenge::{Challenge, ChallengeStatus};
use crate::api::constants::{events, finalizers};
use crate::context::{Context, components, from_time};
use crate::error::{Error, Result, is_not_found};
use crate::events::EventType;
use crate::requests::{GenericIssuer, get_issuer};

/// `status.reason` once the authorization is valid.
pub const REASON_AUTHORIZED: &str = "Successfully authorized domain";

/// `HTTP-01` / `DNS-01`.
pub fn type_name(t: AcmeChallengeType) -> &'static str {
    match t {
        AcmeChallengeType::Http01 => "HTTP-01",
        AcmeChallengeType::Dns01 => "DNS-01",
    }
}

/// A state from an ACME status string (authorization or challenge).
pub fn state_of(status: &str) -> State {
    match status {
        "valid" => State::Valid,
        "ready" => State::Ready,
        "pending" => State::Pending,
        "processing" => State::Processing,
        "invalid" => State::Invalid,
        // deactivated, expired, revoked: gone for good.
        _ => State::Expired,
    }
}

fn api(ctx: &Context, ch: &Challenge) -> Api<Challenge> {
    Api::namespaced(ctx.client.clone(), &ch.namespace().unwrap_or_default())
}

async fn event(
    ctx: &Context,
    ch: &Challenge,
    type_: EventType,
    reason: &str,
    action: &str,
    note: &str,
) {
    ctx.recorder(components::CHALLENGES)
        .publish(&ch.object_ref(&()), type_, reason, action, note)
        .await;
}

/// Reconciles one Challenge.
pub async fn reconcile(ch: Arc<Challenge>, ctx: Arc<Context>) -> Result<Action> {
    ctx.metrics.sync("challenges");
    if ch.metadata.deletion_timestamp.is_some() {
        return finalize(&ctx, &ch).await;
    }
    let old = ch.status.clone().unwrap_or_default();
    if old.processing != Some(true) {
        // Not scheduled yet.
        return Ok(Action::await_change());
    }
    let fins = ch.finalizers();
    if !fins.iter().any(|f| f == finalizers::ACME)
        || fins.iter().any(|f| f == finalizers::ACME_LEGACY)
    {
        let mut updated = (*ch).clone();
        let mut list: Vec<String> = fins
            .iter()
            .filter(|f| f.as_str() != finalizers::ACME_LEGACY && f.as_str() != finalizers::ACME)
            .cloned()
            .collect();
        list.push(finalizers::ACME.to_string());
        updated.metadata.finalizers = Some(list);
        updated.metadata.managed_fields = None;
        api(&ctx, &ch)
            .replace(&ch.name_any(), &PostParams::default(), &updated)
            .await?;
        return Ok(Action::await_change());
    }
    let mut st = old.clone();
    let result = sync(&ctx, &ch, &mut st).await;
    if st != old {
        // A PUT with the resourceVersion this reconcile started from: a status someone
        // else changed meanwhile (the scheduler, a test standing in for the CA) is not
        // overwritten; the conflict retries the reconcile on the fresh object.
        let mut updated = (*ch).clone();
        updated.status = Some(st);
        updated.metadata.managed_fields = None;
        api(&ctx, &ch)
            .replace_status(&ch.name_any(), &PostParams::default(), &updated)
            .await?;
    }
    result
}

/// The issuer of a challenge, or the reason it cannot be used.
async fn issuer_of(
    ctx: &Context,
    ch: &Challenge,
) -> Result<std::result::Result<GenericIssuer, String>> {
    let ns = ch.namespace().unwrap_or_default();
    Ok(match get_issuer(ctx, &ch.spec.issuer_ref, &ns).await? {
        Ok(i) if i.spec.acme.is_some() => Ok(i),
        Ok(i) => Err(format!("{} {:?} is not an ACME issuer", i.kind, i.name)),
        Err(msg) => Err(msg),
    })
}

async fn sync(ctx: &Context, ch: &Challenge, st: &mut ChallengeStatus) -> Result<Action> {
    let retry = ctx.config.dns01_check_retry_period;
    if st.state.is_some_and(State::is_final) {
        if st.presented == Some(true) {
            let issuer = issuer_of(ctx, ch).await.ok().and_then(|r| r.ok());
            if let Err(e) = solver::clean_up(ctx, issuer.as_ref(), ch).await {
                let msg = format!("Error cleaning up challenge: {e}");
                event(
                    ctx,
                    ch,
                    EventType::Warning,
                    events::CLEAN_UP_ERROR,
                    "CleanUp",
                    &msg,
                )
                .await;
                st.reason = Some(e.to_string());
                return Err(Error::Other(msg));
            }
        }
        st.presented = Some(false);
        st.processing = Some(false);
        return Ok(Action::await_change());
    }

    let issuer = match issuer_of(ctx, ch).await? {
        Ok(i) => i,
        Err(msg) => {
            st.reason = Some(msg);
            return Ok(Action::requeue(retry));
        }
    };
    let account = ctx.acme_accounts.get(ctx, &issuer).await;

    if st.state.is_none() {
        // Learn where the authorization stands (it may already be valid).
        match &account {
            Ok(acc) => match acc.authorization(&ch.spec.authorization_url).await {
                Ok((status, _)) => {
                    let state = state_of(&status);
                    st.state = Some(if state == State::Processing {
                        State::Pending
                    } else {
                        state
                    });
                    if state.is_final() {
                        return Ok(Action::await_change());
                    }
                }
                Err(e) if e.is_retryable() => {
                    tracing::debug!(error = %e, "challenge status sync failed; presenting anyway");
                }
                Err(e) => return Ok(handle_acme_error(st, &e, "Error syncing challenge status")),
            },
            Err(e) => tracing::debug!(error = %e, "no ACME account yet; presenting anyway"),
        }
    }

    if st.presented != Some(true) {
        if let Err(e) = solver::present(ctx, &issuer, ch).await {
            let msg = format!("Error presenting challenge: {e}");
            event(
                ctx,
                ch,
                EventType::Warning,
                events::PRESENT_ERROR,
                "Present",
                &msg,
            )
            .await;
            st.reason = Some(e.to_string());
            return Err(Error::Other(msg));
        }
        st.presented = Some(true);
        st.presented_at = Some(ctx.now_time());
        let msg = format!(
            "Presented challenge using {} challenge mechanism",
            type_name(ch.spec.type_)
        );
        event(
            ctx,
            ch,
            EventType::Normal,
            events::PRESENTED,
            "Present",
            &msg,
        )
        .await;
    }

    if st.state != Some(State::Processing) {
        if let Some(wait) = &ch.spec.solver.wait_instead_of_self_check {
            let wait: Duration = wait.to_std().unwrap_or_default();
            let since = st
                .presented_at
                .as_ref()
                .map(from_time)
                .unwrap_or_else(|| ctx.clock.now());
            let due = since + wait;
            let now: SystemTime = ctx.clock.now();
            if let Ok(left) = due.duration_since(now)
                && !left.is_zero()
            {
                st.reason = Some(format!(
                    "Waiting {}s instead of a self check before accepting the challenge",
                    left.as_secs()
                ));
                return Ok(Action::requeue(left));
            }
        } else {
            let why_not = match solver::check(ctx, ch).await {
                Ok(None) => None,
                Ok(Some(why)) => Some(why),
                Err(e) => Some(e.to_string()),
            };
            if let Some(why) = why_not {
                st.reason = Some(format!(
                    "Waiting for {} challenge propagation: {why}",
                    type_name(ch.spec.type_)
                ));
                return Ok(Action::requeue(retry));
            }
        }
        let account = match account {
            Ok(a) => a,
            Err(e) => {
                st.reason = Some(format!("Error accepting challenge: {e}"));
                return Err(Error::Other(format!("error getting the ACME account: {e}")));
            }
        };
        match account.accept_challenge(&ch.spec.url).await {
            Ok((status, detail)) => match state_of(&status) {
                State::Invalid => {
                    return Ok(authorization_failed(ctx, ch, st, detail).await);
                }
                _ => st.state = Some(State::Processing),
            },
            Err(e) => return Ok(handle_acme_error(st, &e, "Error accepting challenge")),
        }
        return wait_authorization(ctx, ch, st, &account).await;
    }
    let account =
        account.map_err(|e| Error::Other(format!("error getting the ACME account: {e}")))?;
    wait_authorization(ctx, ch, st, &account).await
}

/// After the challenge was accepted: poll the authorization until it is final.
async fn wait_authorization(
    ctx: &Context,
    ch: &Challenge,
    st: &mut ChallengeStatus,
    account: &AcmeAccount,
) -> Result<Action> {
    match account.authorization(&ch.spec.authorization_url).await {
        Ok((status, detail)) => match state_of(&status) {
            State::Valid => {
                st.state = Some(State::Valid);
                st.reason = Some(REASON_AUTHORIZED.to_string());
                let msg = format!(
                    "Domain {:?} verified with {:?} validation",
                    ch.spec.dns_name,
                    type_name(ch.spec.type_)
                );
                event(
                    ctx,
                    ch,
                    EventType::Normal,
                    events::DOMAIN_VERIFIED,
                    "Verify",
                    &msg,
                )
                .await;
                Ok(Action::await_change())
            }
            State::Invalid => Ok(authorization_failed(ctx, ch, st, detail).await),
            State::Pending | State::Processing | State::Ready => {
                st.state = Some(State::Processing);
                Ok(Action::requeue(ctx.config.acme_authorization_poll_interval))
            }
            other => {
                st.state = Some(other);
                st.reason = Some(format!("Authorization is {status}"));
                Ok(Action::await_change())
            }
        },
        Err(e) => Ok(handle_acme_error(st, &e, "Error waiting for authorization")),
    }
}

async fn authorization_failed(
    ctx: &Context,
    ch: &Challenge,
    st: &mut ChallengeStatus,
    detail: Option<String>,
) -> Action {
    let err = format!(
        "acme: authorization error for {}: {}",
        ch.spec.dns_name,
        detail.unwrap_or_default()
    );
    st.state = Some(State::Invalid);
    st.reason = Some(format!("Error accepting authorization: {err}"));
    let msg = format!("Accepting challenge authorization failed: {err}");
    event(ctx, ch, EventType::Warning, events::FAILED, "Accept", &msg).await;
    Action::await_change()
}

/// cert-manager's `handleError`: `malformed` means the authorization is gone
/// (expired); retryable errors (5xx, rateLimited, badNonce, transport) are retried with
/// the state kept; anything else is final (`errored`).
fn handle_acme_error(st: &mut ChallengeStatus, e: &AcmeError, what: &str) -> Action {
    st.reason = Some(format!("{what}: {e}"));
    match e {
        AcmeError::Problem(p) if p.type_.ends_with(":malformed") => {
            st.state = Some(State::Expired);
            Action::await_change()
        }
        e if e.is_retryable() => Action::requeue(Duration::from_secs(1)),
        _ => {
            st.state = Some(State::Errored);
            Action::await_change()
        }
    }
}

/// Deletion: clean up what may have been presented, then drop the finalizers.
async fn finalize(ctx: &Context, ch: &Challenge) -> Result<Action> {
    let fins = ch.finalizers();
    let ours = |f: &String| f == finalizers::ACME || f == finalizers::ACME_LEGACY;
    if !fins.iter().any(ours) {
        return Ok(Action::await_change());
    }
    // Clean up even when `presented` is not recorded: the deletion may have raced the
    // status write of a reconcile that did present (clean-up is idempotent).
    {
        let issuer = issuer_of(ctx, ch).await.ok().and_then(|r| r.ok());
        if let Err(e) = solver::clean_up(ctx, issuer.as_ref(), ch).await {
            let msg = format!("Error cleaning up challenge: {e}");
            event(
                ctx,
                ch,
                EventType::Warning,
                events::CLEAN_UP_ERROR,
                "CleanUp",
                &msg,
            )
            .await;
        }
    }
    let mut updated = ch.clone();
    updated.metadata.finalizers = Some(fins.iter().filter(|f| !ours(f)).cloned().collect());
    updated.metadata.managed_fields = None;
    match api(ctx, ch)
        .replace(&ch.name_any(), &PostParams::default(), &updated)
        .await
    {
        Ok(_) => Ok(Action::await_change()),
        Err(e) if is_not_found(&e) => Ok(Action::await_change()),
        Err(e) => Err(e.into()),
    }
}
