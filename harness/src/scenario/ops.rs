//! Executing one operation.

use std::path::PathBuf;
use std::time::Duration;

use kube::api::{DeleteParams, Patch, PatchParams, PostParams, PropagationPolicy};
use serde_json::Value;
use tokio::time::Instant;

use super::bindings::Bindings;
use super::jsonpath;
use super::load::{load_documents, parse_dns_fault};
use super::matcher::{self, Mismatch, scalar_eq};
use super::model::{
    ApplyOp, CheckOp, DeleteOp, ExecCheck, ObjectRefSpec, Operation, PatchOp, PatchType,
    Propagation, ScriptOp, WaitFor, WaitOp,
};
use super::resources::{self, DocId, Kind};
use super::run::{OpStatus, RunEnv};

/// How often `assert`, `error`, `wait` and `delete` re-check.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Everything an operation needs.
pub(crate) struct Ctx<'a> {
    pub env: &'a RunEnv,
    pub bindings: &'a Bindings,
    pub namespace: &'a str,
    pub base_dir: Option<PathBuf>,
}

/// An operation failure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub message: String,
    pub diff: Option<String>,
}

impl Failure {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            diff: None,
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

impl From<super::bindings::BindingError> for Failure {
    fn from(e: super::bindings::BindingError) -> Self {
        Self::new(e.to_string())
    }
}

type OpResult = Result<OpStatus, Failure>;

/// Runs one operation within `timeout`.
pub(crate) async fn execute(op: &Operation, ctx: &Ctx<'_>, timeout: Duration) -> OpStatus {
    let deadline = Instant::now() + timeout;
    let result = match op {
        Operation::Apply(a) => apply(a, ctx, deadline, false).await,
        Operation::Create(a) => apply(a, ctx, deadline, true).await,
        Operation::Patch(p) => bounded(deadline, patch(p, ctx)).await,
        Operation::Delete(d) => delete(d, ctx, deadline).await,
        Operation::Assert(c) => check(c, ctx, deadline, true).await,
        Operation::Error(c) => check(c, ctx, deadline, false).await,
        Operation::Wait(w) => wait(w, ctx, deadline).await,
        Operation::AdvanceClock(a) => match &ctx.env.clock {
            Some(clock) => {
                clock.advance(a.by.get());
                Ok(OpStatus::Passed)
            }
            None => Ok(OpStatus::Skipped {
                reason: super::run::NO_VIRTUAL_TIME.into(),
            }),
        },
        Operation::Fault(f) => fault(f, ctx),
        Operation::Snapshot(s) => bounded(deadline, snapshot(s, ctx)).await,
        Operation::Kubectl(k) => {
            let mut args = k
                .args()
                .iter()
                .map(|a| ctx.bindings.substitute_str(a))
                .collect::<Result<Vec<_>, _>>();
            if let Ok(args) = &mut args
                && !has_namespace_flag(args)
            {
                args.push("--namespace".into());
                args.push(ctx.namespace.to_string());
            }
            match args {
                Ok(args) => {
                    let program = ctx.env.kubectl.clone();
                    exec(
                        ctx,
                        program.as_os_str(),
                        &args,
                        &Default::default(),
                        k.check(),
                        deadline,
                    )
                    .await
                }
                Err(e) => Err(e.into()),
            }
        }
        Operation::Script(s) => script(s, ctx, deadline).await,
        Operation::Sleep(s) => {
            tokio::time::sleep(s.duration.get()).await;
            Ok(OpStatus::Passed)
        }
    };
    match result {
        Ok(status) => status,
        Err(f) => OpStatus::Failed {
            message: match f.message.strip_prefix("timed out") {
                Some(rest) => format!(
                    "timed out after {}{rest}",
                    super::duration::format_duration(Duration::from_millis(
                        u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX)
                    ))
                ),
                None => f.message,
            },
            diff: f.diff,
        },
    }
}

async fn bounded<F: Future<Output = OpResult>>(deadline: Instant, f: F) -> OpResult {
    match tokio::time::timeout_at(deadline, f).await {
        Ok(r) => r,
        Err(_) => Err(Failure::new("timed out")),
    }
}

fn has_namespace_flag(args: &[String]) -> bool {
    args.iter().any(|a| {
        a == "-n"
            || a == "-A"
            || a == "--all-namespaces"
            || a == "--namespace"
            || a.starts_with("--namespace=")
            || (a.starts_with("-n") && a.len() > 2 && !a.starts_with("--"))
    })
}

/// The objects of an `apply`/`assert`/... operation, with bindings substituted.
fn documents(
    ctx: &Ctx<'_>,
    file: &Option<String>,
    resource: &Option<Value>,
) -> Result<Vec<Value>, Failure> {
    let raw = match (file, resource) {
        (_, Some(r)) => vec![r.clone()],
        (Some(f), None) => {
            let f = ctx.bindings.substitute_str(f)?;
            let path = match &ctx.base_dir {
                Some(dir) => dir.join(&f),
                None => PathBuf::from(&f),
            };
            load_documents(&path).map_err(|e| Failure::new(e.to_string()))?
        }
        (None, None) => return Err("no resource and no file".into()),
    };
    raw.iter()
        .map(|d| ctx.bindings.substitute(d).map_err(Failure::from))
        .collect()
}

/// Resolves a document's kind and injects the namespace.
async fn prepare(ctx: &Ctx<'_>, doc: &mut Value) -> Result<(DocId, Kind), Failure> {
    let id = resources::doc_id(doc)?;
    let kind = ctx
        .env
        .kinds
        .resolve(&ctx.env.client, &id.api_version, &id.kind)
        .await?;
    resources::inject_namespace(doc, &kind, ctx.namespace);
    let id = resources::doc_id(doc)?;
    Ok((id, kind))
}

fn describe(id: &DocId) -> String {
    let name = id.name.as_deref().unwrap_or("(any)");
    match &id.namespace {
        Some(ns) => format!("{} {ns}/{name}", id.kind),
        None => format!("{} {name}", id.kind),
    }
}

async fn apply_one(ctx: &Ctx<'_>, doc: &Value, create_only: bool) -> Result<(), (String, bool)> {
    let mut doc = doc.clone();
    let (id, kind) = prepare(ctx, &mut doc)
        .await
        .map_err(|f| (f.message, false))?;
    let api = resources::api(&ctx.env.client, &kind, id.namespace.as_deref());
    let object: kube::api::DynamicObject = serde_json::from_value(doc.clone())
        .map_err(|e| (format!("{}: {e}", describe(&id)), false))?;
    let fail = |e: kube::Error| {
        (
            format!("{}: {}", describe(&id), resources::kube_error(&e)),
            resources::is_transient(&e),
        )
    };
    let Some(name) = id.name.clone() else {
        // generateName: always a create.
        return api
            .create(&PostParams::default(), &object)
            .await
            .map(|_| ())
            .map_err(fail);
    };
    if create_only {
        return api
            .create(&PostParams::default(), &object)
            .await
            .map(|_| ())
            .map_err(fail);
    }
    match api.get_opt(&name).await.map_err(fail)? {
        None => api
            .create(&PostParams::default(), &object)
            .await
            .map(|_| ())
            .map_err(fail),
        Some(_) => api
            .patch(&name, &PatchParams::default(), &Patch::Merge(&doc))
            .await
            .map(|_| ())
            .map_err(fail),
    }
}

async fn apply(op: &ApplyOp, ctx: &Ctx<'_>, deadline: Instant, create_only: bool) -> OpResult {
    let docs = documents(ctx, &op.file, &op.resource)?;
    let expect = match &op.expect_error {
        Some(e) => Some(ctx.bindings.substitute_str(e)?),
        None => None,
    };
    for doc in &docs {
        let outcome = loop {
            let attempt = tokio::time::timeout_at(deadline, apply_one(ctx, doc, create_only)).await;
            match attempt {
                Err(_) => break Err("timed out".to_string()),
                Ok(Ok(())) => break Ok(()),
                Ok(Err((message, transient))) => {
                    if transient && expect.is_none() && Instant::now() + POLL_INTERVAL < deadline {
                        tokio::time::sleep(POLL_INTERVAL).await;
                        continue;
                    }
                    break Err(message);
                }
            }
        };
        match (&expect, outcome) {
            (None, Ok(())) => {}
            (None, Err(m)) => return Err(m.into()),
            (Some(want), Err(m)) if m.contains(want.as_str()) => {}
            (Some(want), Err(m)) => {
                return Err(Failure {
                    message: format!("the error did not contain {want:?}"),
                    diff: Some(format!(
                        "expected error containing: {want}\nactual error: {m}\n"
                    )),
                });
            }
            (Some(want), Ok(())) => {
                return Err(
                    format!("expected an error containing {want:?}, but it succeeded").into(),
                );
            }
        }
    }
    Ok(OpStatus::Passed)
}

async fn resolve_ref(ctx: &Ctx<'_>, r: &ObjectRefSpec) -> Result<(ObjectRefSpec, Kind), Failure> {
    let r = ObjectRefSpec {
        api_version: ctx.bindings.substitute_str(&r.api_version)?,
        kind: ctx.bindings.substitute_str(&r.kind)?,
        name: ctx.bindings.substitute_str(&r.name)?,
        namespace: match &r.namespace {
            Some(ns) => Some(ctx.bindings.substitute_str(ns)?),
            None => None,
        },
    };
    let kind = ctx
        .env
        .kinds
        .resolve(&ctx.env.client, &r.api_version, &r.kind)
        .await?;
    Ok((resources::full_ref(&r, &kind, ctx.namespace), kind))
}

async fn patch(op: &PatchOp, ctx: &Ctx<'_>) -> OpResult {
    let (r, kind) = resolve_ref(ctx, &op.target).await?;
    let body = ctx.bindings.substitute(&op.patch)?;
    let api = resources::api(&ctx.env.client, &kind, r.namespace.as_deref());
    let params = PatchParams::default();
    let result = match op.patch_type {
        PatchType::Merge => {
            let p = Patch::Merge(&body);
            if op.status {
                api.patch_status(&r.name, &params, &p).await
            } else {
                api.patch(&r.name, &params, &p).await
            }
        }
        PatchType::Json => {
            let ops: json_patch::Patch = serde_json::from_value(body)
                .map_err(|e| Failure::new(format!("invalid JSON patch: {e}")))?;
            let p: Patch<Value> = Patch::Json(ops);
            if op.status {
                api.patch_status(&r.name, &params, &p).await
            } else {
                api.patch(&r.name, &params, &p).await
            }
        }
    };
    result
        .map(|_| OpStatus::Passed)
        .map_err(|e| Failure::new(format!("{r}: {}", resources::kube_error(&e))))
}

async fn delete(op: &DeleteOp, ctx: &Ctx<'_>, deadline: Instant) -> OpResult {
    let mut targets: Vec<(ObjectRefSpec, Kind)> = Vec::new();
    if let Some(r) = &op.target {
        targets.push(resolve_ref(ctx, r).await?);
    } else {
        for mut doc in documents(ctx, &op.file, &op.resource)? {
            let (id, kind) = prepare(ctx, &mut doc).await?;
            let name = id.name.ok_or("delete needs metadata.name")?;
            targets.push((
                ObjectRefSpec {
                    api_version: id.api_version,
                    kind: id.kind,
                    name,
                    namespace: id.namespace,
                },
                kind,
            ));
        }
    }
    let params = DeleteParams {
        propagation_policy: op.propagation.map(|p| match p {
            Propagation::Foreground => PropagationPolicy::Foreground,
            Propagation::Background => PropagationPolicy::Background,
            Propagation::Orphan => PropagationPolicy::Orphan,
        }),
        ..DeleteParams::default()
    };
    for (r, kind) in &targets {
        let api = resources::api(&ctx.env.client, kind, r.namespace.as_deref());
        match tokio::time::timeout_at(deadline, api.delete(&r.name, &params)).await {
            Err(_) => return Err(format!("{r}: timed out deleting").into()),
            Ok(Ok(_)) => {}
            Ok(Err(kube::Error::Api(s))) if s.code == 404 => {
                return Err(format!("{r}: not found").into());
            }
            Ok(Err(e)) => return Err(format!("{r}: {}", resources::kube_error(&e)).into()),
        }
    }
    if op.wait {
        for (r, kind) in &targets {
            poll(deadline, || async {
                match resources::get(&ctx.env.client, kind, r.namespace.as_deref(), &r.name).await?
                {
                    None => Ok(()),
                    Some(_) => Err(Failure::new(format!("{r} still exists"))),
                }
            })
            .await?;
        }
    }
    Ok(OpStatus::Passed)
}

/// Re-runs `check` every [`POLL_INTERVAL`] until it passes or `deadline`; the last
/// failure is the answer.
async fn poll<F, Fut>(deadline: Instant, mut check: F) -> Result<(), Failure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    let mut last: Option<Failure> = None;
    let timed_out = |last: Option<Failure>| match last {
        Some(mut f) => {
            f.message = format!("timed out: {}", f.message);
            f
        }
        None => Failure::new("timed out waiting for the API server"),
    };
    loop {
        match tokio::time::timeout_at(deadline, check()).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(f)) => last = Some(f),
            // The deadline fell during a check: the previous answer is the news.
            Err(_) => return Err(timed_out(last)),
        }
        if Instant::now() + POLL_INTERVAL >= deadline {
            return Err(timed_out(last));
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

fn mismatch_failure(what: &str, m: &Mismatch) -> Failure {
    Failure {
        message: format!(
            "{what}: {} at {}",
            m.reason,
            if m.path.is_empty() { "(root)" } else { &m.path }
        ),
        diff: Some(format!("{what}\n{m}")),
    }
}

/// The expected part of a document: identity fields that list items may lack are dropped.
fn expected_body(doc: &Value) -> Value {
    let mut body = doc.clone();
    if let Some(obj) = body.as_object_mut() {
        obj.remove("apiVersion");
        obj.remove("kind");
    }
    body
}

/// Does the cluster hold an object matching `doc`? `Err` explains why not.
async fn find_match(ctx: &Ctx<'_>, id: &DocId, kind: &Kind, doc: &Value) -> Result<(), Failure> {
    let expected = expected_body(doc);
    let what = describe(id);
    match &id.name {
        Some(name) => {
            match resources::get(&ctx.env.client, kind, id.namespace.as_deref(), name).await? {
                None => Err(Failure {
                    message: format!("{what}: not found"),
                    diff: Some(format!("{what}\n(root): not found\n")),
                }),
                Some(actual) => {
                    matcher::matches(&expected, &actual).map_err(|m| mismatch_failure(&what, &m))
                }
            }
        }
        None => {
            let labels = doc
                .get("metadata")
                .and_then(|m| m.get("labels"))
                .and_then(Value::as_object);
            let items =
                resources::list(&ctx.env.client, kind, id.namespace.as_deref(), labels).await?;
            let mut best: Option<(usize, Box<Mismatch>)> = None;
            for item in &items {
                match matcher::matches(&expected, item) {
                    Ok(()) => return Ok(()),
                    Err(m) => {
                        let depth = m.path.matches(['.', '[']).count();
                        if best.as_ref().is_none_or(|(d, _)| depth > *d) {
                            best = Some((depth, m));
                        }
                    }
                }
            }
            match best {
                None => Err(Failure::new(format!("{what}: no {} found", id.kind))),
                Some((_, m)) => Err(mismatch_failure(
                    &format!("{what}: none of {} objects matches; closest", items.len()),
                    &m,
                )),
            }
        }
    }
}

async fn check(op: &CheckOp, ctx: &Ctx<'_>, deadline: Instant, want_match: bool) -> OpResult {
    let mut prepared = Vec::new();
    for mut doc in documents(ctx, &op.file, &op.resource)? {
        let (id, kind) = prepare(ctx, &mut doc).await?;
        prepared.push((id, kind, doc));
    }
    for (id, kind, doc) in &prepared {
        poll(deadline, || async {
            let found = find_match(ctx, id, kind, doc).await;
            match (want_match, found) {
                (true, r) => r,
                (false, Ok(())) => Err(Failure {
                    message: format!("{} exists and matches", describe(id)),
                    diff: Some(format!(
                        "{}: expected no matching object, found one matching\n  {}\n",
                        describe(id),
                        expected_body(doc)
                    )),
                }),
                (false, Err(_)) => Ok(()),
            }
        })
        .await?;
    }
    Ok(OpStatus::Passed)
}

fn condition_state<'a>(obj: &'a Value, ctype: &str) -> Option<&'a Value> {
    obj.get("status")?
        .get("conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(ctype))
}

async fn wait(op: &WaitOp, ctx: &Ctx<'_>, deadline: Instant) -> OpResult {
    let (r, kind) = resolve_ref(ctx, &op.target).await?;
    let client = &ctx.env.client;
    let ns = r.namespace.as_deref();
    match &op.wait_for {
        WaitFor::Deletion(_) => {
            poll(deadline, || async {
                match resources::get(client, &kind, ns, &r.name).await? {
                    None => Ok(()),
                    Some(_) => Err(Failure::new(format!("{r} still exists"))),
                }
            })
            .await?;
        }
        WaitFor::Condition(c) => {
            let ctype = ctx.bindings.substitute_str(&c.condition_type)?;
            let status = ctx.bindings.substitute_str(&c.status)?;
            poll(deadline, || async {
                let obj = resources::get(client, &kind, ns, &r.name)
                    .await?
                    .ok_or_else(|| Failure::new(format!("{r}: not found")))?;
                let cond = condition_state(&obj, &ctype);
                let actual_status = cond.and_then(|c| c.get("status")).and_then(Value::as_str);
                let reason_ok = c.reason.as_ref().is_none_or(|want| {
                    cond.and_then(|c| c.get("reason")).and_then(Value::as_str) == Some(want.as_str())
                });
                if actual_status == Some(status.as_str()) && reason_ok {
                    Ok(())
                } else {
                    Err(Failure {
                        message: format!(
                            "{r}: condition {ctype} is {}, want {status}",
                            actual_status.unwrap_or("absent")
                        ),
                        diff: Some(format!(
                            "{r}\nstatus.conditions[type={ctype}]:\n  expected: status={status}{}\n  actual:   {}\n",
                            c.reason.as_ref().map(|r| format!(" reason={r}")).unwrap_or_default(),
                            cond.map_or("(absent)".to_string(), Value::to_string)
                        )),
                    })
                }
            })
            .await?;
        }
        WaitFor::JsonPath(j) => {
            let path_text = ctx.bindings.substitute_str(&j.path)?;
            let segments = jsonpath::parse(&path_text)?;
            let want = match &j.value {
                Some(v) => Some(ctx.bindings.substitute(v)?),
                None => None,
            };
            poll(deadline, || async {
                let obj = resources::get(client, &kind, ns, &r.name)
                    .await?
                    .ok_or_else(|| Failure::new(format!("{r}: not found")))?;
                let actual = jsonpath::get(&obj, &segments);
                let ok = match (&want, actual) {
                    (_, None) => false,
                    (None, Some(_)) => true,
                    (Some(w @ (Value::Object(_) | Value::Array(_))), Some(a)) => {
                        matcher::matches(w, a).is_ok()
                    }
                    (Some(w), Some(a)) => scalar_eq(w, a),
                };
                if ok {
                    Ok(())
                } else {
                    let shown = actual.map_or("(absent)".to_string(), Value::to_string);
                    let wanted = want
                        .as_ref()
                        .map_or("(present)".to_string(), Value::to_string);
                    Err(Failure {
                        message: format!("{r}: {path_text} is {shown}, want {wanted}"),
                        diff: Some(format!(
                            "{r}\n{path_text}:\n  expected: {wanted}\n  actual:   {shown}\n"
                        )),
                    })
                }
            })
            .await?;
        }
    }
    Ok(OpStatus::Passed)
}

fn fault(op: &super::model::FaultOp, ctx: &Ctx<'_>) -> OpResult {
    let Some(hooks) = &ctx.env.faults else {
        return Ok(OpStatus::Skipped {
            reason: super::run::NO_FAULTS.into(),
        });
    };
    if let Some(rules) = &op.acme {
        hooks.set_acme_faults(rules.clone())?;
    }
    if op.acme_clear {
        hooks.clear_acme_faults()?;
    }
    if let Some(d) = &op.dns {
        let name = ctx.bindings.substitute_str(&d.name)?;
        let f = parse_dns_fault(&d.fault)?;
        hooks.set_dns_fault(&name, f)?;
    }
    if let Some(name) = &op.dns_clear {
        let name = ctx.bindings.substitute_str(name)?;
        hooks.clear_dns_fault(&name)?;
    }
    Ok(OpStatus::Passed)
}

async fn snapshot(op: &super::model::SnapshotOp, ctx: &Ctx<'_>) -> OpResult {
    let (r, _) = resolve_ref(ctx, &op.target).await?;
    let name = match &op.name {
        Some(n) => ctx.bindings.substitute_str(n)?,
        None => format!("{}-{}", r.kind.to_ascii_lowercase(), r.name),
    };
    ctx.env.snapshot.snapshot(&r, &name).await?;
    Ok(OpStatus::Passed)
}

async fn script(op: &ScriptOp, ctx: &Ctx<'_>, deadline: Instant) -> OpResult {
    let shell = op.shell.clone().unwrap_or_else(|| "sh".into());
    let mut env = std::collections::BTreeMap::new();
    for (k, v) in &op.env {
        let v = ctx.bindings.substitute(v)?;
        env.insert(
            k.clone(),
            v.as_str().map_or_else(|| v.to_string(), str::to_string),
        );
    }
    let args = vec!["-c".to_string(), op.content.clone()];
    exec(
        ctx,
        std::ffi::OsStr::new(&shell),
        &args,
        &env,
        op.check.as_ref(),
        deadline,
    )
    .await
}

/// Environment variables every command gets.
fn command_env(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    let mut out = vec![
        (
            "KUBECONFIG".to_string(),
            ctx.env.kubeconfig.display().to_string(),
        ),
        ("NAMESPACE".to_string(), ctx.namespace.to_string()),
    ];
    for (var, binding) in [
        ("LAB_DOMAIN", "labDomain"),
        ("ISSUER_NAME", "issuerName"),
        ("ISSUER_KIND", "issuerKind"),
        ("ISSUER_KEY", "issuerKey"),
        ("SCENARIO", "scenario"),
    ] {
        if let Some(Value::String(v)) = ctx.bindings.get(binding) {
            out.push((var.to_string(), v.clone()));
        }
    }
    out
}

async fn exec(
    ctx: &Ctx<'_>,
    program: &std::ffi::OsStr,
    args: &[String],
    extra_env: &std::collections::BTreeMap<String, String>,
    check: Option<&ExecCheck>,
    deadline: Instant,
) -> OpResult {
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .envs(command_env(ctx))
        .envs(extra_env)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(dir) = &ctx.base_dir {
        cmd.current_dir(dir);
    }
    let shown = format!("{} {}", program.to_string_lossy(), args.join(" "));
    let output = match tokio::time::timeout_at(deadline, cmd.output()).await {
        Err(_) => return Err(format!("{shown}: timed out").into()),
        Ok(Err(e)) => return Err(format!("{shown}: {e}").into()),
        Ok(Ok(o)) => o,
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().unwrap_or(-1);
    let default = ExecCheck::default();
    let check = check.unwrap_or(&default);
    let want_code = check.exit_code.unwrap_or(0);
    let mut problems = Vec::new();
    if code != want_code {
        problems.push(format!("exit code {code}, want {want_code}"));
    }
    if let Some(s) = &check.stdout_contains {
        let s = ctx.bindings.substitute_str(s)?;
        if !stdout.contains(&s) {
            problems.push(format!("stdout does not contain {s:?}"));
        }
    }
    if let Some(s) = &check.stderr_contains {
        let s = ctx.bindings.substitute_str(s)?;
        if !stderr.contains(&s) {
            problems.push(format!("stderr does not contain {s:?}"));
        }
    }
    if problems.is_empty() {
        Ok(OpStatus::Passed)
    } else {
        Err(Failure {
            message: format!("{shown}: {}", problems.join("; ")),
            diff: Some(format!(
                "$ {shown}\nexit code: {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n"
            )),
        })
    }
}
