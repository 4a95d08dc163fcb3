//! Loading scenario files and manifest files, with `file:line:column: path: message`
//! errors.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::bindings::{self, BUILTINS, BindingError};
use super::model::{
    ApplyOp, CheckOp, DeleteOp, KNOWN_ISSUERS, Located, ObjectRefSpec, Operation, Scenario,
    SourcePos,
};

/// Why a scenario (or one of its manifest files) could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{file}: {message}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        message: String,
    },
    /// The file is not a valid scenario.
    #[error("{}", display_invalid(.file, .pos, .path, .message))]
    Invalid {
        /// The file.
        file: String,
        /// Where (0:0 when unknown).
        pos: SourcePos,
        /// The field path, e.g. `steps[0].try[1].assert`.
        path: String,
        /// What is wrong.
        message: String,
    },
}

fn display_invalid(file: &str, pos: &SourcePos, path: &str, message: &str) -> String {
    let mut out = String::from(file);
    if pos.line > 0 {
        out.push_str(&format!(":{}:{}", pos.line, pos.column));
    }
    out.push_str(": ");
    if !path.is_empty() {
        out.push_str(path);
        out.push_str(": ");
    }
    out.push_str(message);
    out
}

impl LoadError {
    fn invalid(
        file: &str,
        pos: SourcePos,
        path: impl Into<String>,
        message: impl fmt::Display,
    ) -> Self {
        Self::Invalid {
            file: file.into(),
            pos,
            path: path.into(),
            message: message.to_string(),
        }
    }
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! { with_snippet: false, strict_booleans: true }
}

/// The text of a serde-saphyr error, without the location it carries separately.
fn yaml_message(err: &serde_saphyr::Error) -> String {
    let text = yaml_message_raw(err);
    // Advice meant for the library's users, not for scenario authors.
    match text.find(", set DuplicateKeyPolicy") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

fn yaml_message_raw(err: &serde_saphyr::Error) -> String {
    match err {
        serde_saphyr::Error::Message { msg, .. } => msg.clone(),
        other => {
            let text = other.to_string();
            // Drop a trailing " at line X column Y" that the location already says.
            match text.rfind(" at line ") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
    }
}

fn yaml_pos(err: &serde_saphyr::Error) -> SourcePos {
    err.location()
        .map(|l| SourcePos {
            line: l.line(),
            column: l.column(),
        })
        .unwrap_or_default()
}

/// Turns serde's `` `x` `` quoting into `"x"`.
fn requote(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        out.push(if c == '`' { '"' } else { c });
    }
    out
}

/// Loads and checks one scenario file.
pub fn load(path: &Path) -> Result<Scenario, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let mut scenario = parse(&text, &file)?;
    scenario.source = Some(path.to_path_buf());
    validate(&scenario, &text, &file)?;
    Ok(scenario)
}

/// Loads every `*.yaml` / `*.yml` scenario directly in `dir` (sorted by file name),
/// skipping files whose first line is `# not-a-scenario`. Names must be unique.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>, Vec<LoadError>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            return Err(vec![LoadError::Read {
                file: dir.display().to_string(),
                message: e.to_string(),
            }]);
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let first_line = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| t.lines().next().map(str::to_string))
            .unwrap_or_default();
        if first_line.trim() == "# not-a-scenario" {
            continue;
        }
        match load(&path) {
            Ok(s) => {
                if let Some(prev) = out.iter().find(|p: &&Scenario| p.name == s.name) {
                    errors.push(LoadError::invalid(
                        &path.display().to_string(),
                        SourcePos::default(),
                        "name",
                        format!(
                            "duplicate scenario name {:?} (also in {})",
                            s.name,
                            prev.source
                                .as_ref()
                                .map(|p| p.display().to_string())
                                .unwrap_or_default()
                        ),
                    ));
                } else {
                    out.push(s);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Parses and checks scenario text; `file` names it in errors. Relative `file:`
/// references are not checked (there is no directory); [`load`] checks them.
pub fn load_str(text: &str, file: &str) -> Result<Scenario, LoadError> {
    let scenario = parse(text, file)?;
    validate(&scenario, text, file)?;
    Ok(scenario)
}

fn parse(text: &str, file: &str) -> Result<Scenario, LoadError> {
    let mut path = String::new();
    let result = serde_saphyr::with_deserializer_from_str_with_options(text, options(), |de| {
        serde_path_to_error::deserialize::<_, Scenario>(de).map_err(|e| {
            path = e.path().to_string();
            e.into_inner()
        })
    });
    result.map_err(|err| {
        let message = requote(&yaml_message(&err));
        LoadError::invalid(file, yaml_pos(&err), clean_path(&path, &message), message)
    })
}

/// serde_path_to_error's path without the `.value` segments of [`Located`] and without
/// the unknown field itself (the message names it).
fn clean_path(path: &str, message: &str) -> String {
    let mut segments: Vec<&str> = path
        .split('.')
        .filter(|s| !s.is_empty() && *s != "value" && *s != "?")
        .collect();
    if message.starts_with("unknown field")
        && let Some(last) = segments.last()
        && message.contains(&format!("\"{last}\""))
    {
        segments.pop();
    }
    // `try[1]` style indices are glued to their key by serde_path_to_error already.
    segments.join(".")
}

/// The line of a top-level key (`name:`), for errors about top-level fields.
fn top_level_pos(text: &str, key: &str) -> SourcePos {
    let prefix = format!("{key}:");
    text.lines()
        .position(|l| l.starts_with(&prefix))
        .map(|i| SourcePos {
            line: u64::try_from(i).unwrap_or(0).saturating_add(1),
            column: 1,
        })
        .unwrap_or_default()
}

/// Whether a name is a DNS-1123 label (lower-case alphanumerics and `-`).
pub fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn validate(s: &Scenario, text: &str, file: &str) -> Result<(), LoadError> {
    if !is_dns_label(&s.name) {
        return Err(LoadError::invalid(
            file,
            top_level_pos(text, "name"),
            "name",
            format!(
                "{:?} is not a DNS-1123 label (lower-case letters, digits and '-', at most 63)",
                s.name
            ),
        ));
    }
    if let Some(issuers) = &s.issuers {
        for (i, issuer) in issuers.iter().enumerate() {
            if !KNOWN_ISSUERS.contains(&issuer.as_str()) {
                return Err(LoadError::invalid(
                    file,
                    top_level_pos(text, "issuers"),
                    format!("issuers[{i}]"),
                    format!(
                        "unknown issuer {issuer:?}, expected one of {}",
                        KNOWN_ISSUERS.join(", ")
                    ),
                ));
            }
        }
    }
    if s.steps.is_empty() {
        return Err(LoadError::invalid(
            file,
            top_level_pos(text, "steps"),
            "steps",
            "a scenario needs at least one step",
        ));
    }
    // Variables may use the built-ins and earlier variables.
    let mut known: Vec<String> = BUILTINS.iter().map(|b| (*b).to_string()).collect();
    for (name, value) in &s.vars {
        if BUILTINS.contains(&name.as_str()) {
            return Err(LoadError::invalid(
                file,
                top_level_pos(text, "vars"),
                format!("vars.{name}"),
                format!("${name} is a built-in binding and cannot be redefined"),
            ));
        }
        check_refs(value, &known).map_err(|e| {
            LoadError::invalid(file, top_level_pos(text, "vars"), format!("vars.{name}"), e)
        })?;
        known.push(name.clone());
    }
    let dir = s.dir();
    for (si, step) in s.steps.iter().enumerate() {
        if step.try_ops.is_empty() {
            return Err(LoadError::invalid(
                file,
                SourcePos::default(),
                format!("steps[{si}].try"),
                "a step needs at least one operation in try",
            ));
        }
        for (section, ops) in [
            ("try", &step.try_ops),
            ("catch", &step.catch),
            ("finally", &step.finally),
        ] {
            for (oi, op) in ops.iter().enumerate() {
                let path = format!("steps[{si}].{section}[{oi}].{}", op.value.kind());
                validate_op(op, &known, dir.as_deref())
                    .map_err(|m| LoadError::invalid(file, op.pos, path, m))?;
            }
        }
    }
    Ok(())
}

fn check_refs(value: &Value, known: &[String]) -> Result<(), String> {
    let mut names = Vec::new();
    bindings::references_in(value, &mut names).map_err(|e| e.to_string())?;
    for name in names {
        if !known.contains(&name) {
            return Err(BindingError::Unknown {
                name,
                known: known
                    .iter()
                    .map(|k| format!("${k}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
            .to_string());
        }
    }
    Ok(())
}

fn ref_value(r: &ObjectRefSpec) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// Every string of an operation that bindings apply to.
pub(crate) fn op_strings(op: &Operation) -> Vec<Value> {
    match op {
        Operation::Apply(ApplyOp {
            file,
            resource,
            expect_error,
            ..
        })
        | Operation::Create(ApplyOp {
            file,
            resource,
            expect_error,
            ..
        }) => {
            let mut v = vec![resource.clone().unwrap_or(Value::Null)];
            v.extend(file.iter().map(|f| Value::from(f.as_str())));
            v.extend(expect_error.iter().map(|f| Value::from(f.as_str())));
            v
        }
        Operation::Assert(CheckOp { file, resource, .. })
        | Operation::Error(CheckOp { file, resource, .. }) => {
            let mut v = vec![resource.clone().unwrap_or(Value::Null)];
            v.extend(file.iter().map(|f| Value::from(f.as_str())));
            v
        }
        Operation::Patch(p) => vec![ref_value(&p.target), p.patch.clone()],
        Operation::Delete(DeleteOp {
            target,
            resource,
            file,
            ..
        }) => {
            let mut v = vec![resource.clone().unwrap_or(Value::Null)];
            v.extend(target.iter().map(ref_value));
            v.extend(file.iter().map(|f| Value::from(f.as_str())));
            v
        }
        Operation::Wait(w) => {
            let mut v = vec![ref_value(&w.target)];
            match &w.wait_for {
                super::model::WaitFor::Condition(c) => {
                    v.push(Value::from(c.condition_type.as_str()));
                    v.push(Value::from(c.status.as_str()));
                }
                super::model::WaitFor::JsonPath(j) => {
                    v.push(Value::from(j.path.as_str()));
                    v.extend(j.value.clone());
                }
                super::model::WaitFor::Deletion(_) => {}
            }
            v
        }
        Operation::Fault(f) => {
            let mut v = Vec::new();
            if let Some(d) = &f.dns {
                v.push(Value::from(d.name.as_str()));
            }
            v.extend(f.dns_clear.iter().map(|n| Value::from(n.as_str())));
            v
        }
        Operation::Snapshot(s) => {
            let mut v = vec![ref_value(&s.target)];
            v.extend(s.name.iter().map(|n| Value::from(n.as_str())));
            v
        }
        Operation::Kubectl(k) => k.args().iter().map(|a| Value::from(a.as_str())).collect(),
        Operation::Script(s) => vec![Value::Object(s.env.clone())],
        Operation::AdvanceClock(_) | Operation::Sleep(_) => Vec::new(),
    }
}

fn one_source(
    file: &Option<String>,
    resource: &Option<Value>,
    with_ref: bool,
    has_ref: bool,
) -> Result<(), String> {
    let extra = has_ref;
    let count = usize::from(file.is_some()) + usize::from(resource.is_some()) + usize::from(extra);
    if count != 1 {
        return Err(if with_ref {
            "give exactly one of ref, resource or file".into()
        } else {
            "give exactly one of resource or file".into()
        });
    }
    if let Some(Value::Object(_)) | None = resource {
        Ok(())
    } else {
        Err("resource must be a map (one Kubernetes object)".into())
    }
}

fn check_file(file: &Option<String>, dir: Option<&Path>) -> Result<(), String> {
    let (Some(file), Some(dir)) = (file, dir) else {
        return Ok(());
    };
    if file.contains('$') {
        return Ok(()); // resolved at run time
    }
    let path = dir.join(file);
    load_documents(&path).map(|_| ()).map_err(|e| e.to_string())
}

fn validate_op(
    op: &Located<Operation>,
    known: &[String],
    dir: Option<&Path>,
) -> Result<(), String> {
    for value in op_strings(&op.value) {
        check_refs(&value, known)?;
    }
    match &op.value {
        Operation::Apply(a) | Operation::Create(a) => {
            one_source(&a.file, &a.resource, false, false)?;
            check_file(&a.file, dir)?;
        }
        Operation::Assert(c) | Operation::Error(c) => {
            one_source(&c.file, &c.resource, false, false)?;
            check_file(&c.file, dir)?;
        }
        Operation::Delete(d) => {
            one_source(&d.file, &d.resource, true, d.target.is_some())?;
            check_file(&d.file, dir)?;
        }
        Operation::Patch(p) => {
            let ok = match p.patch_type {
                super::model::PatchType::Merge => p.patch.is_object(),
                super::model::PatchType::Json => p.patch.is_array(),
            };
            if !ok {
                return Err("a merge patch is a map; a json patch is a list of operations".into());
            }
        }
        Operation::Fault(f) => {
            if f.acme.is_none() && !f.acme_clear && f.dns.is_none() && f.dns_clear.is_none() {
                return Err("give at least one of acme, acmeClear, dns or dnsClear".into());
            }
            if let Some(rules) = &f.acme {
                for r in rules {
                    r.validate()?;
                }
            }
            if let Some(d) = &f.dns {
                parse_dns_fault(&d.fault)?;
            }
        }
        Operation::Kubectl(k) => {
            if k.args().is_empty() {
                return Err("kubectl needs at least one argument".into());
            }
        }
        Operation::Wait(_)
        | Operation::AdvanceClock(_)
        | Operation::Snapshot(_)
        | Operation::Script(_)
        | Operation::Sleep(_) => {}
    }
    Ok(())
}

/// Parses a mock-dns fault: `servfail`, `drop` or `delay <duration>`.
pub fn parse_dns_fault(text: &str) -> Result<mock_dns::Fault, String> {
    let t = text.trim();
    match t.to_ascii_lowercase().as_str() {
        "servfail" => Ok(mock_dns::Fault::ServFail),
        "drop" => Ok(mock_dns::Fault::Drop),
        _ => match t.split_once(char::is_whitespace) {
            Some((kind, d)) if kind.eq_ignore_ascii_case("delay") => {
                super::duration::parse_duration(d).map(mock_dns::Fault::Delay)
            }
            _ => Err(format!(
                "unknown dns fault {text:?}, expected servfail, drop or \"delay <duration>\""
            )),
        },
    }
}

/// Reads a manifest file: every non-empty YAML document, each a map.
pub fn load_documents(path: &Path) -> Result<Vec<Value>, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    parse_documents(&text, &file)
}

/// Parses manifest text (see [`load_documents`]).
pub fn parse_documents(text: &str, file: &str) -> Result<Vec<Value>, LoadError> {
    let docs: Vec<Located<Value>> =
        serde_saphyr::from_str_multiple_with_options::<Located<Value>, Vec<_>>(text, options())
            .map_err(|e| LoadError::invalid(file, yaml_pos(&e), "", yaml_message(&e)))?;
    let mut out = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        match doc.value {
            Value::Null => {}
            Value::Object(_) => out.push(doc.value),
            _ => {
                return Err(LoadError::invalid(
                    file,
                    doc.pos,
                    format!("document {i}"),
                    "a manifest document must be a map (one Kubernetes object)",
                ));
            }
        }
    }
    Ok(out)
}
