//! `cargo xtask e2e`: every scenario of `scenarios/` across the issuer matrix, each run in
//! its own lab (so virtual time and faults never leak between runs), several at once;
//! chain snapshots checked with insta; a summary table, JUnit XML and JSON reports.

pub mod report;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use futures::future::BoxFuture;
use kube::api::Api;

use crate::chain::{CaptureOptions, RootRef, capture};
use crate::lab::Lab;
use crate::matrix::{self, MatrixIssuer};
use crate::scenario::{
    IssuerBinding, ObjectRefSpec, RunEnv, Scenario, ScenarioOutcome, ScenarioStatus, SnapshotSink,
    load_dir, run,
};
use crate::snapshot::{Snapshots, snapshot_name};

/// What to run.
#[derive(Debug, Clone)]
pub struct E2eOptions {
    /// The scenarios folder.
    pub scenarios: PathBuf,
    /// The snapshots folder.
    pub snapshots: PathBuf,
    /// Only scenarios whose `name@issuer` matches.
    pub filter: Option<regex::Regex>,
    /// Only scenarios exercising one of these features (empty: all).
    pub features: Vec<String>,
    /// Runs at once.
    pub parallel: usize,
    /// Stop starting runs after the first failure.
    pub fail_fast: bool,
    /// Keep namespaces (and print the lab's kubeconfig) after runs.
    pub keep: bool,
}

/// One scenario × issuer.
#[derive(Debug, Clone)]
pub struct Job {
    /// The scenario.
    pub scenario: Arc<Scenario>,
    /// The issuer.
    pub issuer: &'static MatrixIssuer,
}

impl Job {
    /// `name@issuer`.
    pub fn id(&self) -> String {
        format!("{}@{}", self.scenario.name, self.issuer.key)
    }
}

/// Everything a run produced.
#[derive(Debug)]
pub struct E2eResult {
    /// One outcome per job, in matrix order.
    pub outcomes: Vec<ScenarioOutcome>,
    /// Snapshot files no run used (only computed for unfiltered runs).
    pub stale: Vec<PathBuf>,
    /// Wall time.
    pub duration: Duration,
}

impl E2eResult {
    /// Whether everything passed (skips are fine; stale snapshots fail under CI).
    pub fn success(&self, ci: bool) -> bool {
        self.outcomes
            .iter()
            .all(|o| !matches!(o.status, ScenarioStatus::Failed { .. }))
            && (!ci || self.stale.is_empty())
    }
}

/// The jobs for `scenarios`: each scenario on each issuer it names (all by default);
/// issuers lacking a needed feature produce skipped outcomes instead.
pub fn plan(scenarios: &[Scenario], opts: &E2eOptions) -> (Vec<Job>, Vec<ScenarioOutcome>) {
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    for s in scenarios {
        if !opts.features.is_empty() && !s.features.iter().any(|f| opts.features.contains(f)) {
            continue;
        }
        let shared = Arc::new(s.clone());
        for issuer in matrix::ISSUERS.iter() {
            if let Some(only) = &s.issuers
                && !only.iter().any(|k| k == issuer.key)
            {
                continue;
            }
            let job = Job {
                scenario: shared.clone(),
                issuer,
            };
            if let Some(f) = &opts.filter
                && !f.is_match(&job.id())
            {
                continue;
            }
            match matrix::skip_reason(issuer, &s.features) {
                Some(reason) => skipped.push(ScenarioOutcome {
                    name: s.name.clone(),
                    issuer: issuer.key.to_string(),
                    namespace: String::new(),
                    status: ScenarioStatus::Skipped { reason },
                    duration: Duration::ZERO,
                    steps: Vec::new(),
                }),
                None => jobs.push(job),
            }
        }
    }
    (jobs, skipped)
}

/// Captures the chain and checks it against its snapshot.
struct ChainSnapshots {
    client: kube::Client,
    start: SystemTime,
    trust_roots: Vec<String>,
    snapshots: Arc<Snapshots>,
    scenario: String,
    issuer: String,
    input: PathBuf,
}

impl ChainSnapshots {
    /// A Certificate is snapshotted once it has settled: Ready, not issuing, no
    /// temporary key pending (cert-manager clears them a moment after Ready), and no
    /// Challenge left in the namespace.
    async fn settle(&self, root: &ObjectRefSpec) {
        use certlab_controller::api::certificate::Certificate;
        use certlab_controller::api::conditions::get_condition;
        use certlab_controller::api::meta::ConditionStatus;
        let ns = root.namespace.clone().unwrap_or_default();
        let api: Api<Certificate> = Api::namespaced(self.client.clone(), &ns);
        let deadline = Instant::now() + Duration::from_secs(30);
        let settled = |c: &Certificate| {
            let st = c.status.clone().unwrap_or_default();
            let ready = get_condition(st.conditions(), "Ready")
                .is_some_and(|c| c.status == ConditionStatus::True);
            let issuing = get_condition(st.conditions(), "Issuing")
                .is_some_and(|c| c.status == ConditionStatus::True);
            ready && !issuing && st.next_private_key_secret_name.is_none()
        };
        while Instant::now() < deadline {
            let done = match root.kind.as_str() {
                "Certificate" => api
                    .get_opt(&root.name)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|c| settled(&c)),
                // An Ingress: every Certificate ingress-shim made for it.
                "Ingress" => api.list(&Default::default()).await.is_ok_and(|l| {
                    l.items
                        .iter()
                        .filter(|c| {
                            c.metadata
                                .owner_references
                                .iter()
                                .flatten()
                                .any(|o| o.kind == "Ingress" && o.name == root.name)
                        })
                        .all(settled)
                }),
                _ => return,
            };
            if done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // An ACME Order deletes its Challenges once valid; wait for that too, so the
        // snapshot never depends on how quickly the garbage went.
        let challenges: Api<certlab_controller::api::challenge::Challenge> =
            Api::namespaced(self.client.clone(), &ns);
        while Instant::now() < deadline {
            match challenges.list(&Default::default()).await {
                Ok(l) if !l.items.is_empty() => {}
                _ => return,
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl SnapshotSink for ChainSnapshots {
    fn snapshot<'a>(
        &'a self,
        root: &'a ObjectRefSpec,
        name: &'a str,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            self.settle(root).await;
            let ns = root.namespace.clone().unwrap_or_default();
            let root_ref =
                RootRef::from_kind(&root.kind, &ns, &root.name).map_err(|e| e.to_string())?;
            let opts = CaptureOptions::new(self.start).trust_roots(self.trust_roots.clone());
            let chain = capture(&self.client, &root_ref, &opts)
                .await
                .map_err(|e| e.to_string())?;
            let file = snapshot_name(&self.scenario, &self.issuer, Some(name));
            let snapshots = self.snapshots.clone();
            let input = self.input.clone();
            let yaml = chain.to_yaml();
            tokio::task::spawn_blocking(move || snapshots.check(&file, &input, &yaml))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|report| format!("snapshot {name:?} differs:\n{report}"))
        })
    }
}

/// Runs one job in a fresh lab.
pub async fn run_job(job: &Job, snapshots: Arc<Snapshots>, keep: bool) -> ScenarioOutcome {
    let failed = |message: String| ScenarioOutcome {
        name: job.scenario.name.clone(),
        issuer: job.issuer.key.to_string(),
        namespace: String::new(),
        status: ScenarioStatus::Failed {
            step: "lab".into(),
            op: "start".into(),
            message,
            diff: None,
        },
        duration: Duration::ZERO,
        steps: Vec::new(),
    };
    let lab = match Lab::builder().start().await {
        Ok(l) => Arc::new(l),
        Err(e) => return failed(e.to_string()),
    };
    let mut trust_roots: Vec<String> = Vec::new();
    if let Some(acme) = lab.acme() {
        trust_roots.extend((0..acme.num_roots()).filter_map(|n| acme.root_pem(n)));
    }
    if let Ok(ca) = lab_ca_pem(&lab).await {
        trust_roots.push(ca);
    }
    let input = job
        .scenario
        .source
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.yaml", job.scenario.name)));
    let mut env = RunEnv::for_lab(
        &lab,
        IssuerBinding::new(job.issuer.key, job.issuer.cluster_issuer, "ClusterIssuer"),
    );
    env.keep = keep;
    env.snapshot = Arc::new(ChainSnapshots {
        client: lab.client(),
        start: certlab_clock::Clock::now(lab.clock()),
        trust_roots,
        snapshots,
        scenario: job.scenario.name.clone(),
        issuer: job.issuer.key.to_string(),
        input,
    });
    let outcome = run(&job.scenario, &env).await;
    drop(env);
    if keep {
        eprintln!(
            "kept: {} in the lab at {} (stops when e2e exits)",
            outcome.namespace,
            lab.endpoints().kubeconfig.display()
        );
    }
    if let Ok(lab) = Arc::try_unwrap(lab) {
        lab.shutdown().await;
    }
    outcome
}

async fn lab_ca_pem(lab: &Lab) -> Result<String, kube::Error> {
    use k8s_openapi::api::core::v1::Secret;
    let api: Api<Secret> = Api::namespaced(lab.client(), crate::lab::RESOURCE_NAMESPACE);
    let s = api.get(crate::lab::LAB_CA).await?;
    Ok(s.data
        .and_then(|d| {
            d.get("tls.crt")
                .map(|b| String::from_utf8_lossy(&b.0).into_owned())
        })
        .unwrap_or_default())
}

/// Loads, plans and runs; `progress` hears about every finished job.
pub async fn run_all(
    opts: &E2eOptions,
    progress: impl Fn(&ScenarioOutcome, usize, usize),
) -> Result<E2eResult, Vec<String>> {
    let started = Instant::now();
    let scenarios = load_dir(&opts.scenarios)
        .map_err(|errs| errs.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let (jobs, mut outcomes) = plan(&scenarios, opts);
    let snapshots = Arc::new(Snapshots::new(&opts.snapshots));
    let total = jobs.len() + outcomes.len();
    for o in &outcomes {
        progress(o, outcomes.len(), total);
    }
    let mut done = outcomes.len();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut stream = futures::stream::iter(jobs.iter().cloned().map(|job| {
        let snapshots = snapshots.clone();
        let stop = stop.clone();
        let keep = opts.keep;
        async move {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return ScenarioOutcome {
                    name: job.scenario.name.clone(),
                    issuer: job.issuer.key.to_string(),
                    namespace: String::new(),
                    status: ScenarioStatus::Skipped {
                        reason: "not run: --fail-fast after an earlier failure".into(),
                    },
                    duration: Duration::ZERO,
                    steps: Vec::new(),
                };
            }
            run_job(&job, snapshots, keep).await
        }
    }))
    .buffer_unordered(opts.parallel.max(1));
    while let Some(o) = stream.next().await {
        done += 1;
        if opts.fail_fast && matches!(o.status, ScenarioStatus::Failed { .. }) {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        progress(&o, done, total);
        outcomes.push(o);
    }
    let order = |o: &ScenarioOutcome| {
        (
            o.name.clone(),
            matrix::ISSUERS
                .iter()
                .position(|i| i.key == o.issuer)
                .unwrap_or(usize::MAX),
        )
    };
    outcomes.sort_by_key(order);
    let unfiltered = opts.filter.is_none() && opts.features.is_empty();
    let stale = if unfiltered {
        snapshots.stale()
    } else {
        Vec::new()
    };
    Ok(E2eResult {
        outcomes,
        stale,
        duration: started.elapsed(),
    })
}

/// The workspace's default folders, relative to `root`.
pub fn default_options(root: &Path) -> E2eOptions {
    E2eOptions {
        scenarios: root.join("scenarios"),
        snapshots: root.join("snapshots"),
        filter: None,
        features: Vec::new(),
        parallel: 4,
        fail_fast: false,
        keep: false,
    }
}
