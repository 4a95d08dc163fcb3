//! Leader election through a `coordination.k8s.io/v1` Lease, with client-go's
//! semantics: a candidate takes the lease when it is free or expired
//! (`renewTime + leaseDurationSeconds` in the past), renews it every retry period, and
//! steps down when it could not renew within the renew deadline.

use std::future::Future;
use std::time::Duration;

use certlab_clock::SharedClock;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::api::{Api, ObjectMeta, PostParams};

/// Leader-election settings (cert-manager's defaults).
#[derive(Debug, Clone)]
pub struct LeaderElection {
    /// Namespace of the Lease (`--leader-election-namespace`, default `kube-system`).
    pub namespace: String,
    /// Name of the Lease.
    pub name: String,
    /// This candidate's identity.
    pub identity: String,
    /// How long a lease is valid after its last renewal (60 s).
    pub lease_duration: Duration,
    /// How long the leader keeps trying to renew before stepping down (40 s).
    pub renew_deadline: Duration,
    /// How often candidates try to acquire, and the leader renews (15 s).
    pub retry_period: Duration,
}

impl LeaderElection {
    /// cert-manager's defaults for the lease `name` in `namespace`.
    pub fn new(namespace: &str, name: &str) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "certlab".to_string());
        Self {
            namespace: namespace.to_string(),
            name: name.to_string(),
            identity: format!("{host}_{}", uuid::Uuid::new_v4()),
            lease_duration: Duration::from_secs(60),
            renew_deadline: Duration::from_secs(40),
            retry_period: Duration::from_secs(15),
        }
    }
}

/// Why leadership ended.
#[derive(Debug, thiserror::Error)]
pub enum LeaderError {
    /// The lease could not be renewed within the renew deadline.
    #[error("lost the leader lease {0}: not renewed within the renew deadline")]
    Lost(String),
    /// The API refused the lease in a way retrying won't fix.
    #[error("leader election: {0}")]
    Api(#[from] kube::Error),
}

fn micro(clock: &SharedClock) -> MicroTime {
    let ts = jiff::Timestamp::try_from(clock.now()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    MicroTime(ts)
}

fn expired(lease: &Lease, clock: &SharedClock, default_duration: Duration) -> bool {
    let Some(spec) = &lease.spec else { return true };
    if spec.holder_identity.as_deref().unwrap_or("").is_empty() {
        return true;
    }
    let Some(renewed) = &spec.renew_time else {
        return true;
    };
    let duration = spec
        .lease_duration_seconds
        .map(|s| Duration::from_secs(u64::try_from(s).unwrap_or(0)))
        .unwrap_or(default_duration);
    let renewed = std::time::SystemTime::from(renewed.0);
    renewed + duration < clock.now()
}

/// Tries once to acquire or renew the lease. Ok(true) when we hold it afterwards.
pub async fn try_acquire_or_renew(
    api: &Api<Lease>,
    le: &LeaderElection,
    clock: &SharedClock,
) -> Result<bool, kube::Error> {
    let now = micro(clock);
    // The API counts in whole seconds.
    let seconds = i32::try_from(le.lease_duration.as_secs().max(1)).unwrap_or(i32::MAX);
    match api.get_opt(&le.name).await? {
        None => {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(le.name.clone()),
                    namespace: Some(le.namespace.clone()),
                    ..Default::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(le.identity.clone()),
                    lease_duration_seconds: Some(seconds),
                    acquire_time: Some(now.clone()),
                    renew_time: Some(now),
                    lease_transitions: Some(0),
                    ..Default::default()
                }),
            };
            match api.create(&PostParams::default(), &lease).await {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
                Err(e) => Err(e),
            }
        }
        Some(mut lease) => {
            let ours = lease
                .spec
                .as_ref()
                .and_then(|s| s.holder_identity.as_deref())
                == Some(le.identity.as_str());
            if !ours && !expired(&lease, clock, le.lease_duration) {
                return Ok(false);
            }
            let spec = lease.spec.get_or_insert_with(Default::default);
            if !ours {
                spec.holder_identity = Some(le.identity.clone());
                spec.acquire_time = Some(now.clone());
                spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0) + 1);
            }
            spec.lease_duration_seconds = Some(seconds);
            spec.renew_time = Some(now);
            // The resourceVersion from the get makes this a compare-and-swap.
            match api.replace(&le.name, &PostParams::default(), &lease).await {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
                Err(e) => Err(e),
            }
        }
    }
}

/// Waits until this candidate leads, then runs `work` while renewing the lease. Returns
/// when `work` finishes, or with [`LeaderError::Lost`] when renewal fails for longer than
/// the renew deadline (the work is dropped, i.e. cancelled).
pub async fn lead<F>(
    client: kube::Client,
    le: LeaderElection,
    clock: SharedClock,
    work: F,
) -> Result<F::Output, LeaderError>
where
    F: Future,
{
    let api: Api<Lease> = Api::namespaced(client, &le.namespace);
    loop {
        match try_acquire_or_renew(&api, &le, &clock).await {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, lease = %le.name, "acquiring the leader lease"),
        }
        tokio::time::sleep(le.retry_period).await;
    }
    tracing::info!(lease = %le.name, identity = %le.identity, "became leader");
    let renew = async {
        let mut last_renewal = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(le.retry_period).await;
            match try_acquire_or_renew(&api, &le, &clock).await {
                Ok(true) => last_renewal = tokio::time::Instant::now(),
                Ok(false) => return LeaderError::Lost(le.name.clone()),
                Err(e) => tracing::warn!(error = %e, "renewing the leader lease"),
            }
            if last_renewal.elapsed() > le.renew_deadline {
                return LeaderError::Lost(le.name.clone());
            }
        }
    };
    tokio::select! {
        out = work => Ok(out),
        lost = renew => Err(lost),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn fast(name: &str) -> LeaderElection {
        LeaderElection {
            lease_duration: Duration::from_secs(1),
            renew_deadline: Duration::from_millis(800),
            retry_period: Duration::from_millis(50),
            ..LeaderElection::new("kube-system", name)
        }
    }

    #[tokio::test]
    async fn one_leader_at_a_time_and_takeover_after_expiry() {
        let cluster = certlab_cluster::Cluster::builder().start().await.unwrap();
        let clock = certlab_clock::SystemClock::shared();
        let first_running = Arc::new(AtomicBool::new(false));
        let (stop_first, first_stopped) = tokio::sync::oneshot::channel::<()>();
        let f = first_running.clone();
        let first = tokio::spawn(lead(
            cluster.client(),
            fast("ctrl"),
            clock.clone(),
            async move {
                f.store(true, Ordering::SeqCst);
                let _ = first_stopped.await;
            },
        ));
        while !first_running.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let second_started = Arc::new(AtomicBool::new(false));
        let s = second_started.clone();
        let second = tokio::spawn(lead(
            cluster.client(),
            fast("ctrl"),
            clock.clone(),
            async move {
                s.store(true, Ordering::SeqCst);
            },
        ));
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(
            !second_started.load(Ordering::SeqCst),
            "the lease is held and renewed by the first"
        );
        // The first finishes and stops renewing; the second takes over once it expires.
        stop_first.send(()).unwrap();
        first.await.unwrap().unwrap();
        tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(second_started.load(Ordering::SeqCst));
        let lease: Lease = Api::namespaced(cluster.client(), "kube-system")
            .get("ctrl")
            .await
            .unwrap();
        assert_eq!(lease.spec.unwrap().lease_transitions, Some(1));
    }
}
