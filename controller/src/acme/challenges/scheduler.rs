//! The challenge scheduler (`pkg/controller/acmechallenges/scheduler`): marks
//! Challenges `status.processing=true` so the controller works on them, at most
//! `--max-concurrent-challenges` at once, and never two with the same `dnsName` and
//! `type` (their records or routes would clash). The oldest candidates go first.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, Patch, PatchParams};
use kube::runtime::reflector::Store;
use kube::{Resource, ResourceExt};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::api::acme::AcmeChallengeType;
use crate::api::challenge::Challenge;
use crate::api::constants::events;
use crate::context::{Context, components};
use crate::events::EventType;

/// The event message when a Challenge is scheduled.
pub const STARTED_MESSAGE: &str = "Challenge scheduled for processing";

/// How often the scheduler looks without being woken (a safety net after failures).
const IDLE_TICK: Duration = Duration::from_secs(1);

fn is_processing(ch: &Challenge) -> bool {
    ch.status.as_ref().and_then(|s| s.processing) == Some(true)
}

fn is_final(ch: &Challenge) -> bool {
    ch.status
        .as_ref()
        .and_then(|s| s.state)
        .is_some_and(|s| s.is_final())
}

fn conflict_key(ch: &Challenge) -> (String, AcmeChallengeType) {
    (ch.spec.dns_name.to_ascii_lowercase(), ch.spec.type_)
}

/// Which Challenges to start now, oldest first.
///
/// `all` is every cached Challenge; `in_flight` holds the UIDs scheduled by an
/// earlier pass whose `processing=true` the cache may not show yet: they count as
/// processing.
pub fn schedule(
    all: &[Arc<Challenge>],
    max: usize,
    in_flight: &HashSet<String>,
) -> Vec<Arc<Challenge>> {
    let processing: Vec<&Arc<Challenge>> = all
        .iter()
        .filter(|c| is_processing(c) || c.uid().is_some_and(|u| in_flight.contains(&u)))
        .collect();
    let budget = max.saturating_sub(processing.len());
    if budget == 0 {
        return Vec::new();
    }
    let busy: HashSet<_> = processing.iter().map(|c| conflict_key(c)).collect();
    let mut candidates: Vec<&Arc<Challenge>> = all
        .iter()
        .filter(|c| {
            !is_processing(c)
                && !is_final(c)
                && c.metadata.deletion_timestamp.is_none()
                && !c.uid().is_some_and(|u| in_flight.contains(&u))
                && !busy.contains(&conflict_key(c))
        })
        .collect();
    candidates.sort_by(|a, b| {
        let ka = (
            a.metadata.creation_timestamp.as_ref().map(|t| t.0),
            a.namespace(),
            a.name_any(),
        );
        let kb = (
            b.metadata.creation_timestamp.as_ref().map(|t| t.0),
            b.namespace(),
            b.name_any(),
        );
        ka.cmp(&kb)
    });
    let mut taken = HashSet::new();
    let mut out = Vec::new();
    for c in candidates {
        if out.len() >= budget {
            break;
        }
        // Of several candidates for one name and type, only the oldest runs.
        if taken.insert(conflict_key(c)) {
            out.push(c.clone());
        }
    }
    out
}

/// Runs the scheduler until `stop`: a pass whenever `wake` fires (every Challenge
/// change) and at least once a second.
pub async fn run(
    ctx: Arc<Context>,
    store: Store<Challenge>,
    wake: Arc<Notify>,
    stop: CancellationToken,
) {
    // UIDs patched to processing whose change the cache may not show yet.
    let mut in_flight: HashSet<String> = HashSet::new();
    if store.wait_until_ready().await.is_err() {
        return;
    }
    loop {
        let all = store.state();
        // Forget what the cache now shows as processing or final, or no longer has.
        in_flight.retain(|uid| {
            all.iter().any(|c| {
                c.uid().as_deref() == Some(uid.as_str()) && !is_processing(c) && !is_final(c)
            })
        });
        for ch in schedule(&all, ctx.config.max_concurrent_challenges, &in_flight) {
            let Some(uid) = ch.uid() else { continue };
            let api: Api<Challenge> =
                Api::namespaced(ctx.client.clone(), &ch.namespace().unwrap_or_default());
            let patch = serde_json::json!({"status": {"processing": true}});
            match api
                .patch_status(
                    &ch.name_any(),
                    &PatchParams::default(),
                    &Patch::Merge(&patch),
                )
                .await
            {
                Ok(_) => {
                    in_flight.insert(uid);
                    ctx.recorder(components::CHALLENGES)
                        .publish(
                            &ch.object_ref(&()),
                            EventType::Normal,
                            events::STARTED,
                            "Schedule",
                            STARTED_MESSAGE,
                        )
                        .await;
                }
                Err(e) => {
                    tracing::debug!(error = %e, challenge = %ch.name_any(), "scheduling failed");
                }
            }
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(IDLE_TICK) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::acme::{AcmeChallengeSolver, State};
    use crate::api::challenge::{ChallengeSpec, ChallengeStatus};
    use crate::api::meta::IssuerReference;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn ch(
        name: &str,
        dns: &str,
        t: AcmeChallengeType,
        age: i64,
        processing: bool,
        state: Option<State>,
    ) -> Arc<Challenge> {
        let mut c = Challenge::new(
            name,
            ChallengeSpec {
                url: String::new(),
                authorization_url: String::new(),
                dns_name: dns.into(),
                wildcard: None,
                type_: t,
                token: String::new(),
                key: String::new(),
                solver: AcmeChallengeSolver::default(),
                issuer_ref: IssuerReference::issuer("i"),
            },
        );
        c.metadata.namespace = Some("ns".into());
        c.metadata.uid = Some(format!("uid-{name}"));
        c.metadata.creation_timestamp =
            Some(Time(jiff::Timestamp::from_second(1_000_000 - age).unwrap()));
        c.status = Some(ChallengeStatus {
            processing: Some(processing),
            state,
            ..Default::default()
        });
        Arc::new(c)
    }

    fn names(v: Vec<Arc<Challenge>>) -> Vec<String> {
        v.iter().map(|c| c.name_any()).collect()
    }

    const H: AcmeChallengeType = AcmeChallengeType::Http01;
    const D: AcmeChallengeType = AcmeChallengeType::Dns01;

    #[test]
    fn oldest_first_up_to_the_limit() {
        let all = vec![
            ch("b", "b.x", H, 1, false, None),
            ch("a", "a.x", H, 5, false, None),
            ch("c", "c.x", H, 3, false, None),
        ];
        assert_eq!(names(schedule(&all, 2, &HashSet::new())), ["a", "c"]);
    }

    #[test]
    fn processing_ones_use_the_budget() {
        let all = vec![
            ch("p", "p.x", H, 9, true, None),
            ch("a", "a.x", H, 5, false, None),
            ch("c", "c.x", H, 3, false, None),
        ];
        assert_eq!(names(schedule(&all, 2, &HashSet::new())), ["a"]);
        assert!(schedule(&all, 1, &HashSet::new()).is_empty());
        // A just-scheduled one counts even before the cache shows it.
        let in_flight = HashSet::from(["uid-a".to_string()]);
        assert!(schedule(&all, 2, &in_flight).is_empty());
        assert_eq!(names(schedule(&all, 3, &in_flight)), ["c"]);
    }

    #[test]
    fn never_two_for_one_name_and_type() {
        let all = vec![
            ch("old", "a.x", D, 5, false, None),
            ch("new", "a.x", D, 1, false, None),
            ch("http", "a.x", H, 1, false, None),
        ];
        assert_eq!(names(schedule(&all, 10, &HashSet::new())), ["old", "http"]);
        let running = vec![
            ch("run", "A.x", D, 9, true, None),
            ch("wait", "a.x", D, 1, false, None),
        ];
        assert!(schedule(&running, 10, &HashSet::new()).is_empty());
    }

    #[test]
    fn final_and_deleted_ones_are_skipped() {
        let mut gone = (*ch("gone", "g.x", H, 1, false, None)).clone();
        gone.metadata.deletion_timestamp = Some(Time(jiff::Timestamp::UNIX_EPOCH));
        let all = vec![
            ch("valid", "v.x", H, 5, false, Some(State::Valid)),
            Arc::new(gone),
            ch("pending", "p.x", H, 1, false, Some(State::Pending)),
        ];
        assert_eq!(names(schedule(&all, 10, &HashSet::new())), ["pending"]);
    }
}
