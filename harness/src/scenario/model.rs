//! The scenario format: what a scenario YAML file deserializes into.
//!
//! Unknown fields are errors everywhere except inside Kubernetes objects (`resource`,
//! `patch`), which are free-form.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::duration::GoDuration;

/// The issuer keys a scenario may name in `issuers:` (the lab's issuer matrix).
pub const KNOWN_ISSUERS: &[&str] = &["selfsigned", "ca", "acme-http01", "acme-dns01"];

/// A position in a scenario file (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SourcePos {
    /// Line, from 1 (0 when unknown).
    pub line: u64,
    /// Column, from 1 (0 when unknown).
    pub column: u64,
}

impl fmt::Display for SourcePos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it starts in the file.
    pub pos: SourcePos,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Self {
            pos: SourcePos {
                line: spanned.referenced.line(),
                column: spanned.referenced.column(),
            },
            value: spanned.value,
        })
    }
}

/// One scenario file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// Unique name (DNS-1123 friendly; it prefixes the scenario's namespace).
    pub name: String,
    /// What the scenario checks, for humans.
    #[serde(default)]
    pub description: String,
    /// The features it exercises (cert-manager FeatureSet-like names, e.g. `ECDSA`).
    #[serde(default)]
    pub features: Vec<String>,
    /// The issuers it applies to; `None` means every issuer.
    #[serde(default)]
    pub issuers: Option<Vec<String>>,
    /// Bound on the whole scenario.
    #[serde(default)]
    pub timeout: Option<GoDuration>,
    /// Per-operation default timeouts for this scenario.
    #[serde(default)]
    pub timeouts: Option<TimeoutOverrides>,
    /// Scenario variables (`$name` in strings); values may use the built-in bindings and
    /// earlier variables.
    #[serde(default)]
    pub vars: Map<String, Value>,
    /// The steps, run in order.
    pub steps: Vec<Step>,
    /// Where the scenario was loaded from (set by the loader).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

impl Scenario {
    /// Whether this scenario applies to the issuer `key` (e.g. `ca`).
    pub fn applies_to(&self, issuer_key: &str) -> bool {
        self.issuers
            .as_ref()
            .is_none_or(|list| list.iter().any(|i| i == issuer_key))
    }

    /// The directory relative `file:` paths are resolved against.
    pub fn dir(&self) -> Option<PathBuf> {
        self.source
            .as_ref()
            .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
    }
}

/// Per-operation-kind default timeouts (each optional).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeoutOverrides {
    /// `apply`, `create`, `patch`.
    #[serde(default)]
    pub apply: Option<GoDuration>,
    /// `assert`, `wait`.
    #[serde(default)]
    pub assert: Option<GoDuration>,
    /// `error`.
    #[serde(default)]
    pub error: Option<GoDuration>,
    /// `delete` (including waiting for the object to go).
    #[serde(default)]
    pub delete: Option<GoDuration>,
    /// `kubectl`, `script`.
    #[serde(default)]
    pub exec: Option<GoDuration>,
    /// Namespace clean-up after the scenario.
    #[serde(default)]
    pub cleanup: Option<GoDuration>,
}

/// One step: `try` operations in order; on the first failure, `catch`, then `finally`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// The step's name (defaults to `step-<n>`).
    #[serde(default)]
    pub name: Option<String>,
    /// The operations.
    #[serde(rename = "try")]
    pub try_ops: Vec<Located<Operation>>,
    /// Run only when a `try` operation failed.
    #[serde(default)]
    pub catch: Vec<Located<Operation>>,
    /// Always run.
    #[serde(default)]
    pub finally: Vec<Located<Operation>>,
}

/// One operation (a map with exactly one key naming it).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Operation {
    /// Create, or JSON-merge-patch when the object exists.
    Apply(ApplyOp),
    /// Create; fails when the object exists.
    Create(ApplyOp),
    /// Patch an existing object.
    Patch(PatchOp),
    /// Delete objects.
    Delete(DeleteOp),
    /// Poll until objects match (subset match).
    Assert(CheckOp),
    /// Poll until objects are absent or do not match.
    Error(CheckOp),
    /// Wait for a condition, a JSON path value or deletion.
    Wait(WaitOp),
    /// Advance the lab's virtual clock.
    AdvanceClock(AdvanceClockOp),
    /// Switch mock-acme or mock-dns faults on and off.
    Fault(FaultOp),
    /// Snapshot the resource chain rooted at an object.
    Snapshot(SnapshotOp),
    /// Run kubectl.
    Kubectl(KubectlOp),
    /// Run a shell script.
    Script(ScriptOp),
    /// Sleep (real time).
    Sleep(SleepOp),
}

impl Operation {
    /// The operation's name as written in YAML (`apply`, `advanceClock`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Apply(_) => "apply",
            Self::Create(_) => "create",
            Self::Patch(_) => "patch",
            Self::Delete(_) => "delete",
            Self::Assert(_) => "assert",
            Self::Error(_) => "error",
            Self::Wait(_) => "wait",
            Self::AdvanceClock(_) => "advanceClock",
            Self::Fault(_) => "fault",
            Self::Snapshot(_) => "snapshot",
            Self::Kubectl(_) => "kubectl",
            Self::Script(_) => "script",
            Self::Sleep(_) => "sleep",
        }
    }

    /// The operation's own `timeout`, if written.
    pub fn timeout(&self) -> Option<GoDuration> {
        match self {
            Self::Apply(o) | Self::Create(o) => o.timeout,
            Self::Patch(o) => o.timeout,
            Self::Delete(o) => o.timeout,
            Self::Assert(o) | Self::Error(o) => o.timeout,
            Self::Wait(o) => o.timeout,
            Self::AdvanceClock(_) | Self::Fault(_) => None,
            Self::Snapshot(o) => o.timeout,
            Self::Kubectl(KubectlOp::Args(_)) => None,
            Self::Kubectl(KubectlOp::Full(o)) => o.timeout,
            Self::Script(o) => o.timeout,
            Self::Sleep(_) => None,
        }
    }
}

/// Objects from a file (multi-document) or inline.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplyOp {
    /// A YAML file, relative to the scenario's directory; may hold several documents.
    #[serde(default)]
    pub file: Option<String>,
    /// An inline object.
    #[serde(default)]
    pub resource: Option<Value>,
    /// The operation must fail with an error containing this text.
    #[serde(default)]
    pub expect_error: Option<String>,
    /// Operation timeout.
    #[serde(default)]
    pub timeout: Option<GoDuration>,
}

/// Which object: `apiVersion`, `kind`, `name` and optionally `namespace` (default: the
/// scenario's namespace for namespaced kinds).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectRefSpec {
    /// e.g. `cert-manager.io/v1`.
    pub api_version: String,
    /// e.g. `Certificate`.
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// The namespace; `None` for the scenario's namespace (or for cluster-scoped kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl fmt::Display for ObjectRefSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(
                f,
                "{} {}/{} ({})",
                self.kind, ns, self.name, self.api_version
            ),
            None => write!(f, "{} {} ({})", self.kind, self.name, self.api_version),
        }
    }
}

/// The patch flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PatchType {
    /// RFC 7386 JSON merge patch.
    #[default]
    Merge,
    /// RFC 6902 JSON patch (a list of operations).
    Json,
}

/// `patch: {ref, type, status, patch}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchOp {
    /// The object.
    #[serde(rename = "ref")]
    pub target: ObjectRefSpec,
    /// `merge` (default) or `json`.
    #[serde(default, rename = "type")]
    pub patch_type: PatchType,
    /// Patch the status subresource.
    #[serde(default)]
    pub status: bool,
    /// The patch document.
    pub patch: Value,
    /// Operation timeout.
    #[serde(default)]
    pub timeout: Option<GoDuration>,
}

/// Deletion propagation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Propagation {
    /// Dependents first.
    Foreground,
    /// Dependents afterwards, by the garbage collector.
    Background,
    /// Dependents are left.
    Orphan,
}

/// `delete: {ref | resource | file, propagation, wait}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteOp {
    /// The object.
    #[serde(default, rename = "ref")]
    pub target: Option<ObjectRefSpec>,
    /// An inline object (only its identity is used).
    #[serde(default)]
    pub resource: Option<Value>,
    /// A file of objects.
    #[serde(default)]
    pub file: Option<String>,
    /// Propagation policy (the API server's default when absent).
    #[serde(default)]
    pub propagation: Option<Propagation>,
    /// Wait until the objects are gone (default true).
    #[serde(default = "yes")]
    pub wait: bool,
    /// Operation timeout.
    #[serde(default)]
    pub timeout: Option<GoDuration>,
}

fn yes() -> bool {
    true
}

/// `assert` / `error`: expected objects from a file or inline.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckOp {
    /// A file of expected (partial) objects.
    #[serde(default)]
    pub file: Option<String>,
    /// An inline expected (partial) object.
    #[serde(default)]
    pub resource: Option<Value>,
    /// Operation timeout.
    #[serde(default)]
    pub timeout: Option<GoDuration>,
}

/// `wait: {ref, for}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WaitOp {
    /// The object.
    #[serde(rename = "ref")]
    pub target: ObjectRefSpec,
    /// What to wait for.
    #[serde(rename = "for")]
    pub wait_for: WaitFor,
    /// Operation timeout.
    #[serde(default)]
    pub timeout: Option<GoDuration>,
}

/// What a `wait` waits for.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum WaitFor {
    /// `status.conditions[type=<type>].status == <status>`.
    Condition(ConditionSpec),
    /// The value at a JSON path equals `value` (or the path exists, when no value).
    JsonPath(JsonPathSpec),
    /// The object is gone.
    Deletion(Empty),
}

/// `{type, status}` (status defaults to `"True"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConditionSpec {
    /// Condition type, e.g. `Ready`.
    #[serde(rename = "type")]
    pub condition_type: String,
    /// Expected status (default `"True"`).
    #[serde(default = "true_string")]
    pub status: String,
    /// Optional expected reason.
    #[serde(default)]
    pub reason: Option<String>,
}

fn true_string() -> String {
    "True".into()
}

/// `{path, value}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JsonPathSpec {
    /// A kubectl-style path: `{.status.revision}`, `.status.conditions[type=Ready].status`,
    /// `.spec.dnsNames[0]`.
    pub path: String,
    /// Expected value (compared as the matcher compares scalars); absent = path exists.
    #[serde(default)]
    pub value: Option<Value>,
}

/// An empty map (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// `advanceClock: {by}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdvanceClockOp {
    /// How far.
    pub by: GoDuration,
}

/// `fault: {acme | acmeClear | dns | dnsClear}` (any combination; applied in that order).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultOp {
    /// Replace mock-acme's fault rules.
    #[serde(default)]
    pub acme: Option<Vec<mock_acme::faults::FaultRule>>,
    /// Remove every mock-acme fault rule.
    #[serde(default)]
    pub acme_clear: bool,
    /// Set a mock-dns fault on a name.
    #[serde(default)]
    pub dns: Option<DnsFaultSpec>,
    /// Clear the mock-dns fault on a name.
    #[serde(default)]
    pub dns_clear: Option<String>,
}

/// `{name, fault}`: `servfail`, `drop` or `delay <duration>`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DnsFaultSpec {
    /// The DNS name.
    pub name: String,
    /// `servfail`, `drop` or `delay 1s`.
    pub fault: String,
}

/// `snapshot: {ref, name}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotOp {
    /// The chain's root.
    #[serde(rename = "ref")]
    pub target: ObjectRefSpec,
    /// Snapshot name (default: the root's kind and name, lower-cased).
    #[serde(default)]
    pub name: Option<String>,
    /// Operation timeout.
    #[serde(default)]
    pub timeout: Option<GoDuration>,
}

/// `kubectl: [args]` or `kubectl: {args, check, timeout}`.
#[derive(Debug, Clone, PartialEq)]
pub enum KubectlOp {
    /// Just the arguments.
    Args(Vec<String>),
    /// Arguments with checks.
    Full(KubectlFull),
}

impl<'de> Deserialize<'de> for KubectlOp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = KubectlOp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of kubectl arguments or a map {args, check, timeout}")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<KubectlOp, A::Error> {
                Vec::<String>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(KubectlOp::Args)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<KubectlOp, A::Error> {
                KubectlFull::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(KubectlOp::Full)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl KubectlOp {
    /// The arguments.
    pub fn args(&self) -> &[String] {
        match self {
            Self::Args(a) => a,
            Self::Full(f) => &f.args,
        }
    }

    /// The checks (default: exit code 0).
    pub fn check(&self) -> Option<&ExecCheck> {
        match self {
            Self::Args(_) => None,
            Self::Full(f) => f.check.as_ref(),
        }
    }
}

/// `{args, check, timeout}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KubectlFull {
    /// kubectl's arguments (`-n $namespace` is added unless a namespace flag is given).
    pub args: Vec<String>,
    /// What to check.
    #[serde(default)]
    pub check: Option<ExecCheck>,
    /// Operation timeout.
    #[serde(default)]
    pub timeout: Option<GoDuration>,
}

/// `script: {content, shell, env, check}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScriptOp {
    /// The script.
    pub content: String,
    /// The shell (default `sh`), run as `<shell> -c <content>`.
    #[serde(default)]
    pub shell: Option<String>,
    /// Extra environment variables.
    #[serde(default)]
    pub env: Map<String, Value>,
    /// What to check.
    #[serde(default)]
    pub check: Option<ExecCheck>,
    /// Operation timeout.
    #[serde(default)]
    pub timeout: Option<GoDuration>,
}

/// Checks on a command's result. Without any, the exit code must be 0.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecCheck {
    /// Expected exit code (default 0).
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// Standard output must contain this.
    #[serde(default)]
    pub stdout_contains: Option<String>,
    /// Standard error must contain this.
    #[serde(default)]
    pub stderr_contains: Option<String>,
}

/// `sleep: {duration}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SleepOp {
    /// How long (real time).
    pub duration: GoDuration,
}
