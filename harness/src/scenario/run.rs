//! The runner: one scenario, one issuer, one fresh namespace.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use certlab_clock::VirtualClock;
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use rand::Rng;
use serde::{Serialize, Serializer};
use tokio::time::Instant;

use super::bindings::{Bindings, IssuerBinding};
use super::model::{Located, ObjectRefSpec, Operation, Scenario, TimeoutOverrides};
use super::ops::{self, Ctx};
use super::resources::KindCache;

/// Why `advanceClock` is skipped without a virtual clock.
pub const NO_VIRTUAL_TIME: &str = "virtual time is not available on this cluster";
/// Why `fault` is skipped without fault hooks.
pub const NO_FAULTS: &str = "fault injection is not available on this cluster";

/// Label put on every scenario namespace (value: the scenario's name).
pub const SCENARIO_LABEL: &str = "certlab.io/scenario";
/// Label put on every scenario namespace (value: the issuer key).
pub const ISSUER_LABEL: &str = "certlab.io/issuer";

/// Receives `snapshot` operations (the chain capture lives elsewhere).
pub trait SnapshotSink: Send + Sync {
    /// Snapshots the chain rooted at `root` (namespace filled in for namespaced kinds)
    /// under `name`. An `Err` fails the operation with that message.
    fn snapshot<'a>(
        &'a self,
        root: &'a ObjectRefSpec,
        name: &'a str,
    ) -> BoxFuture<'a, Result<(), String>>;

    /// Called once when a scenario fails, before its namespace is deleted, so the chain
    /// and events can be captured. The default does nothing.
    fn on_failure<'a>(
        &'a self,
        _namespace: &'a str,
        _status: &'a ScenarioStatus,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// A sink that accepts and forgets every snapshot.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoSnapshots;

impl SnapshotSink for NoSnapshots {
    fn snapshot<'a>(
        &'a self,
        _: &'a ObjectRefSpec,
        _: &'a str,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }
}

/// A sink that records the calls (for tests).
#[derive(Debug, Default)]
pub struct RecordedSnapshots {
    calls: Mutex<Vec<(ObjectRefSpec, String)>>,
    failures: Mutex<Vec<String>>,
}

impl RecordedSnapshots {
    /// The `(root, name)` of every snapshot so far.
    pub fn calls(&self) -> Vec<(ObjectRefSpec, String)> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The namespaces `on_failure` was called for.
    pub fn failures(&self) -> Vec<String> {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl SnapshotSink for RecordedSnapshots {
    fn snapshot<'a>(
        &'a self,
        root: &'a ObjectRefSpec,
        name: &'a str,
    ) -> BoxFuture<'a, Result<(), String>> {
        self.calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((root.clone(), name.to_string()));
        Box::pin(async { Ok(()) })
    }

    fn on_failure<'a>(&'a self, namespace: &'a str, _: &'a ScenarioStatus) -> BoxFuture<'a, ()> {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(namespace.to_string());
        Box::pin(async {})
    }
}

/// Switches mock-acme and mock-dns faults (implemented by [`crate::Lab`]).
pub trait FaultHooks: Send + Sync {
    /// Replaces mock-acme's fault rules.
    fn set_acme_faults(&self, rules: Vec<mock_acme::faults::FaultRule>) -> Result<(), String>;
    /// Removes every mock-acme fault rule.
    fn clear_acme_faults(&self) -> Result<(), String>;
    /// Sets a mock-dns fault on a name.
    fn set_dns_fault(&self, name: &str, fault: mock_dns::Fault) -> Result<(), String>;
    /// Clears the mock-dns fault on a name.
    fn clear_dns_fault(&self, name: &str) -> Result<(), String>;
}

impl FaultHooks for crate::Lab {
    fn set_acme_faults(&self, rules: Vec<mock_acme::faults::FaultRule>) -> Result<(), String> {
        self.acme()
            .ok_or("this lab runs no mock-acme")?
            .faults()
            .set(rules)
    }

    fn clear_acme_faults(&self) -> Result<(), String> {
        self.acme()
            .ok_or("this lab runs no mock-acme")?
            .faults()
            .clear();
        Ok(())
    }

    fn set_dns_fault(&self, name: &str, fault: mock_dns::Fault) -> Result<(), String> {
        self.dns()
            .ok_or("this lab runs no mock-dns")?
            .handle()
            .set_fault(name, fault)
            .map_err(|e| e.to_string())
    }

    fn clear_dns_fault(&self, name: &str) -> Result<(), String> {
        self.dns()
            .ok_or("this lab runs no mock-dns")?
            .handle()
            .clear_fault(name)
            .map_err(|e| e.to_string())
    }
}

/// Default timeouts per kind of operation (Chainsaw's defaults where it has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Timeouts {
    /// `apply`, `create`, `patch`, `snapshot`: 5 s.
    pub apply: Duration,
    /// `assert`, `wait`: 30 s.
    pub assert: Duration,
    /// `error`: 30 s.
    pub error: Duration,
    /// `delete` (with its wait): 15 s.
    pub delete: Duration,
    /// `kubectl`, `script`: 10 s.
    pub exec: Duration,
    /// Namespace clean-up: 30 s.
    pub cleanup: Duration,
    /// The whole scenario, unless it sets `timeout`: 120 s.
    pub scenario: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            apply: Duration::from_secs(5),
            assert: Duration::from_secs(30),
            error: Duration::from_secs(30),
            delete: Duration::from_secs(15),
            exec: Duration::from_secs(10),
            cleanup: Duration::from_secs(30),
            scenario: Duration::from_secs(120),
        }
    }
}

impl Timeouts {
    fn with_overrides(mut self, o: Option<&TimeoutOverrides>) -> Self {
        if let Some(o) = o {
            let set = |slot: &mut Duration, v: Option<super::GoDuration>| {
                if let Some(v) = v {
                    *slot = v.get();
                }
            };
            set(&mut self.apply, o.apply);
            set(&mut self.assert, o.assert);
            set(&mut self.error, o.error);
            set(&mut self.delete, o.delete);
            set(&mut self.exec, o.exec);
            set(&mut self.cleanup, o.cleanup);
        }
        self
    }

    /// The default timeout of an operation kind.
    pub fn for_op(&self, op: &Operation) -> Duration {
        match op {
            Operation::Apply(_)
            | Operation::Create(_)
            | Operation::Patch(_)
            | Operation::Snapshot(_)
            | Operation::Fault(_)
            | Operation::AdvanceClock(_) => self.apply,
            Operation::Assert(_) | Operation::Wait(_) => self.assert,
            Operation::Error(_) => self.error,
            Operation::Delete(_) => self.delete,
            Operation::Kubectl(_) | Operation::Script(_) => self.exec,
            // A sleep is as long as it says.
            Operation::Sleep(s) => s.duration.get().saturating_add(Duration::from_secs(1)),
        }
    }
}

/// Where and how a scenario runs.
#[derive(Clone)]
pub struct RunEnv {
    /// The cluster.
    pub client: kube::Client,
    /// The issuer the scenario is bound to (`$issuerRef`, `$issuerName`, ...).
    pub issuer: IssuerBinding,
    /// `$labDomain`.
    pub lab_domain: String,
    /// `KUBECONFIG` for `kubectl` and `script`.
    pub kubeconfig: PathBuf,
    /// The virtual clock; `None` skips scenarios that use `advanceClock`.
    pub clock: Option<VirtualClock>,
    /// Fault hooks; `None` skips scenarios that use `fault`.
    pub faults: Option<Arc<dyn FaultHooks>>,
    /// Receives `snapshot` operations and failures.
    pub snapshot: Arc<dyn SnapshotSink>,
    /// Default timeouts.
    pub timeouts: Timeouts,
    /// Keep the namespace afterwards.
    pub keep: bool,
    /// Relative `file:` paths and commands resolve here (default: the scenario's dir).
    pub base_dir: Option<PathBuf>,
    /// The kubectl executable (default `kubectl` on `PATH`).
    pub kubectl: PathBuf,
    /// Discovery cache, shared by clones.
    pub kinds: Arc<KindCache>,
}

impl std::fmt::Debug for RunEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunEnv")
            .field("issuer", &self.issuer)
            .field("lab_domain", &self.lab_domain)
            .field("kubeconfig", &self.kubeconfig)
            .field("virtual_clock", &self.clock.is_some())
            .field("faults", &self.faults.is_some())
            .field("timeouts", &self.timeouts)
            .field("keep", &self.keep)
            .finish_non_exhaustive()
    }
}

/// The lab's issuer for a matrix key (`selfsigned`, `ca`, `acme-http01`, `acme-dns01`).
pub fn lab_issuer(key: &str) -> Option<IssuerBinding> {
    crate::matrix::issuer(key).map(|i| IssuerBinding::new(i.key, i.cluster_issuer, "ClusterIssuer"))
}

impl RunEnv {
    /// An environment for any cluster: no virtual clock, no faults, no snapshots.
    pub fn new(
        client: kube::Client,
        issuer: IssuerBinding,
        lab_domain: impl Into<String>,
        kubeconfig: impl Into<PathBuf>,
    ) -> Self {
        Self {
            client,
            issuer,
            lab_domain: lab_domain.into(),
            kubeconfig: kubeconfig.into(),
            clock: None,
            faults: None,
            snapshot: Arc::new(NoSnapshots),
            timeouts: Timeouts::default(),
            keep: false,
            base_dir: None,
            kubectl: PathBuf::from("kubectl"),
            kinds: Arc::new(KindCache::default()),
        }
    }

    /// An environment for a [`crate::Lab`]: its client, clock, faults, kubeconfig and
    /// domain.
    pub fn for_lab(lab: &Arc<crate::Lab>, issuer: IssuerBinding) -> Self {
        let mut env = Self::new(
            lab.client(),
            issuer,
            lab.endpoints().lab_domain.clone(),
            lab.endpoints().kubeconfig.clone(),
        );
        env.clock = Some(lab.clock().clone());
        env.faults = Some(lab.clone() as Arc<dyn FaultHooks>);
        env
    }

    /// The same environment bound to another issuer.
    pub fn with_issuer(&self, issuer: IssuerBinding) -> Self {
        let mut env = self.clone();
        env.issuer = issuer;
        env
    }
}

fn secs<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum ScenarioStatus {
    /// Every operation passed.
    Passed,
    /// The first failure.
    Failed {
        /// The step's name.
        step: String,
        /// The operation: `try[1].assert (line 12)`.
        op: String,
        /// What went wrong.
        message: String,
        /// A readable diff, when there is one.
        diff: Option<String>,
    },
    /// Not run, with the reason.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// How an operation ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum OpStatus {
    /// It passed.
    Passed,
    /// It failed.
    Failed {
        /// What went wrong.
        message: String,
        /// A readable diff, when there is one.
        diff: Option<String>,
    },
    /// Not run, with the reason.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// Which list of a step an operation is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Section {
    /// `try`.
    Try,
    /// `catch`.
    Catch,
    /// `finally`.
    Finally,
}

impl Section {
    fn as_str(self) -> &'static str {
        match self {
            Self::Try => "try",
            Self::Catch => "catch",
            Self::Finally => "finally",
        }
    }
}

/// One operation's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpOutcome {
    /// `apply`, `assert`, ...
    pub kind: String,
    /// `try`, `catch` or `finally`.
    pub section: Section,
    /// Index in its section.
    pub index: usize,
    /// Line in the scenario file.
    pub line: u64,
    /// How long it took.
    #[serde(serialize_with = "secs")]
    pub duration: Duration,
    /// How it ended.
    #[serde(flatten)]
    pub status: OpStatus,
}

/// One step's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepOutcome {
    /// The step's name.
    pub name: String,
    /// Its operations, in the order they ran.
    pub ops: Vec<OpOutcome>,
}

/// One scenario run's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioOutcome {
    /// The scenario's name.
    pub name: String,
    /// The issuer key.
    pub issuer: String,
    /// The namespace it ran in (empty when skipped).
    pub namespace: String,
    /// How it ended.
    #[serde(flatten)]
    pub status: ScenarioStatus,
    /// Wall time.
    #[serde(serialize_with = "secs")]
    pub duration: Duration,
    /// Per step.
    pub steps: Vec<StepOutcome>,
}

impl ScenarioOutcome {
    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.status == ScenarioStatus::Passed
    }
}

/// A fresh namespace name: `<scenario>-<5 random>`, a DNS-1123 label of at most 63.
pub fn namespace_name(scenario: &str) -> String {
    let mut rng = rand::rng();
    let suffix: String = (0..5)
        .map(|_| {
            let n = rng.random_range(0..36u8);
            char::from(if n < 10 { b'0' + n } else { b'a' + n - 10 })
        })
        .collect();
    let mut base: String = scenario
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() { c } else { '-' }
        })
        .take(57)
        .collect();
    while base.ends_with('-') {
        base.pop();
    }
    while base.starts_with('-') {
        base.remove(0);
    }
    if base.is_empty() {
        base.push_str("scenario");
    }
    format!("{base}-{suffix}")
}

fn uses(scenario: &Scenario, pred: impl Fn(&Operation) -> bool) -> bool {
    scenario.steps.iter().any(|s| {
        s.try_ops
            .iter()
            .chain(&s.catch)
            .chain(&s.finally)
            .any(|o| pred(&o.value))
    })
}

/// Runs a scenario against `env` in a fresh namespace. Never panics on scenario content;
/// every problem ends up in the outcome.
pub async fn run(scenario: &Scenario, env: &RunEnv) -> ScenarioOutcome {
    let started = Instant::now();
    let mut outcome = ScenarioOutcome {
        name: scenario.name.clone(),
        issuer: env.issuer.key.clone(),
        namespace: String::new(),
        status: ScenarioStatus::Passed,
        duration: Duration::ZERO,
        steps: Vec::new(),
    };
    let skip = if !scenario.applies_to(&env.issuer.key) {
        Some(format!("not for issuer {}", env.issuer.key))
    } else if env.clock.is_none() && uses(scenario, |o| matches!(o, Operation::AdvanceClock(_))) {
        Some(NO_VIRTUAL_TIME.to_string())
    } else if env.faults.is_none() && uses(scenario, |o| matches!(o, Operation::Fault(_))) {
        Some(NO_FAULTS.to_string())
    } else {
        None
    };
    if let Some(reason) = skip {
        outcome.status = ScenarioStatus::Skipped { reason };
        return outcome;
    }
    let namespace = namespace_name(&scenario.name);
    outcome.namespace = namespace.clone();
    let timeouts = env.timeouts.with_overrides(scenario.timeouts.as_ref());
    let scenario_deadline = started
        + scenario
            .timeout
            .map_or(timeouts.scenario, super::GoDuration::get);

    let bindings = match Bindings::builtin(&namespace, &env.lab_domain, &env.issuer, &scenario.name)
        .with_vars(&scenario.vars)
    {
        Ok(b) => b,
        Err(e) => {
            outcome.status = failed("vars", "vars", e.to_string(), None);
            outcome.duration = started.elapsed();
            return outcome;
        }
    };

    if let Err(e) = create_namespace(env, &namespace, scenario).await {
        outcome.status = failed("setup", "namespace", e, None);
        outcome.duration = started.elapsed();
        return outcome;
    }

    let ctx = Ctx {
        env,
        bindings: &bindings,
        namespace: &namespace,
        base_dir: env.base_dir.clone().or_else(|| scenario.dir()),
    };
    for (si, step) in scenario.steps.iter().enumerate() {
        let step_name = step
            .name
            .clone()
            .unwrap_or_else(|| format!("step-{}", si + 1));
        let mut step_out = StepOutcome {
            name: step_name.clone(),
            ops: Vec::new(),
        };
        let mut failure = None;
        for (i, op) in step.try_ops.iter().enumerate() {
            let out = run_op(op, Section::Try, i, &ctx, &timeouts, scenario_deadline).await;
            let status = out.status.clone();
            step_out.ops.push(out);
            if let OpStatus::Failed { message, diff } = status {
                failure = Some(failed(
                    &step_name,
                    &format!("try[{i}].{} (line {})", op.value.kind(), op.pos.line),
                    message,
                    diff,
                ));
                break;
            }
        }
        if failure.is_some() {
            for (i, op) in step.catch.iter().enumerate() {
                let out = run_op(op, Section::Catch, i, &ctx, &timeouts, far_deadline()).await;
                step_out.ops.push(out);
            }
        }
        for (i, op) in step.finally.iter().enumerate() {
            let out = run_op(op, Section::Finally, i, &ctx, &timeouts, far_deadline()).await;
            if failure.is_none()
                && let OpStatus::Failed { message, diff } = &out.status
            {
                failure = Some(failed(
                    &step_name,
                    &format!("finally[{i}].{} (line {})", op.value.kind(), op.pos.line),
                    message.clone(),
                    diff.clone(),
                ));
            }
            step_out.ops.push(out);
        }
        outcome.steps.push(step_out);
        if let Some(f) = failure {
            outcome.status = f;
            break;
        }
    }

    if !outcome.passed() {
        env.snapshot.on_failure(&namespace, &outcome.status).await;
    }
    if !env.keep {
        delete_namespace(env, &namespace, timeouts.cleanup).await;
    }
    outcome.duration = started.elapsed();
    outcome
}

/// `catch` and `finally` are bounded by their own timeouts only.
fn far_deadline() -> Instant {
    Instant::now() + Duration::from_secs(86_400 * 365)
}

fn failed(step: &str, op: &str, message: String, diff: Option<String>) -> ScenarioStatus {
    ScenarioStatus::Failed {
        step: step.to_string(),
        op: op.to_string(),
        message,
        diff,
    }
}

async fn run_op(
    op: &Located<Operation>,
    section: Section,
    index: usize,
    ctx: &Ctx<'_>,
    timeouts: &Timeouts,
    scenario_deadline: Instant,
) -> OpOutcome {
    let started = Instant::now();
    let own = op
        .value
        .timeout()
        .map_or_else(|| timeouts.for_op(&op.value), super::GoDuration::get);
    let left = scenario_deadline.saturating_duration_since(started);
    let status = if left.is_zero() {
        OpStatus::Failed {
            message: "the scenario's timeout ran out".into(),
            diff: None,
        }
    } else {
        tracing::debug!(
            namespace = ctx.namespace,
            op = op.value.kind(),
            section = section.as_str(),
            index,
            line = op.pos.line,
            "scenario operation"
        );
        let status = ops::execute(&op.value, ctx, own.min(left)).await;
        match status {
            OpStatus::Failed { message, diff }
                if own > left && message.starts_with("timed out") =>
            {
                OpStatus::Failed {
                    message: format!("{message} (the scenario's timeout ran out)"),
                    diff,
                }
            }
            other => other,
        }
    };
    OpOutcome {
        kind: op.value.kind().to_string(),
        section,
        index,
        line: op.pos.line,
        duration: started.elapsed(),
        status,
    }
}

async fn create_namespace(env: &RunEnv, name: &str, scenario: &Scenario) -> Result<(), String> {
    let api: Api<Namespace> = Api::all(env.client.clone());
    let labels = [
        (SCENARIO_LABEL.to_string(), scenario.name.clone()),
        (ISSUER_LABEL.to_string(), env.issuer.key.clone()),
    ]
    .into_iter()
    .collect();
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    let deadline = Instant::now() + env.timeouts.apply;
    loop {
        match api.create(&PostParams::default(), &ns).await {
            Ok(_) => return Ok(()),
            Err(e) if super::resources::is_transient(&e) && Instant::now() < deadline => {
                tokio::time::sleep(ops::POLL_INTERVAL).await;
            }
            Err(e) => {
                return Err(format!(
                    "creating namespace {name}: {}",
                    super::resources::kube_error(&e)
                ));
            }
        }
    }
}

async fn delete_namespace(env: &RunEnv, name: &str, timeout: Duration) {
    let api: Api<Namespace> = Api::all(env.client.clone());
    match tokio::time::timeout(timeout, api.delete(name, &DeleteParams::default())).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::warn!(namespace = name, error = %e, "deleting the scenario namespace")
        }
        Err(_) => tracing::warn!(
            namespace = name,
            "deleting the scenario namespace timed out"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_names_are_dns_labels() {
        for scenario in ["ecdsa-key", "A_B", &"x".repeat(80), "--", "-a-"] {
            let ns = namespace_name(scenario);
            assert!(super::super::load::is_dns_label(&ns), "{scenario} -> {ns}");
            assert!(ns.len() <= 63);
        }
        assert!(namespace_name("ecdsa-key").starts_with("ecdsa-key-"));
        assert_ne!(namespace_name("a"), namespace_name("a"));
    }

    #[test]
    fn lab_issuers_are_known() {
        for key in super::super::model::KNOWN_ISSUERS {
            assert_eq!(lab_issuer(key).map(|i| i.key), Some((*key).to_string()));
        }
        assert!(lab_issuer("vault").is_none());
    }
}
