//! `x-kubernetes-validations`: compiling CEL rules when a CRD is created, and
//! evaluating them with `self` (and `oldSelf` on updates) as the API server does.
//!
//! Programs are parsed with the `cel` crate re-exported by `kube-cel`, whose
//! Kubernetes function library is registered once per thread. Rules are checked
//! against the schema for undeclared identifiers and unknown fields, the part of
//! cel-go's type check that catches most mistakes in CRD rules.

use std::collections::HashMap;
use std::sync::Arc;

use kube_cel::KubeCelExt;
use kube_cel::cel::common::ast::{Expr, IdedExpr};
use kube_cel::cel::objects::{Key, Map as CelMap, OptionalValue};
use kube_cel::cel::{Context, Program, Value as Cel};
use serde_json::Value;

use super::format::{Format, parse_duration};
use super::node::{ListType, Node};
use super::parse::Collected;
use crate::field::{FieldError, FieldPath};

/// The `reason` a failing rule reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    Invalid,
    Forbidden,
    Required,
    Duplicate,
}

/// The reasons a rule may name, sorted as the API server lists them.
const SUPPORTED_REASONS: &[&str] = &[
    "FieldValueDuplicate",
    "FieldValueForbidden",
    "FieldValueInvalid",
    "FieldValueRequired",
];

/// Longest message a `messageExpression` may produce.
const MAX_MESSAGE_EXPRESSION_BYTES: usize = 5 * 1024;

/// One compiled rule.
pub(crate) struct CelRule {
    /// The rule as written.
    pub rule: String,
    /// `message`, trimmed.
    pub message: String,
    /// `messageExpression`, compiled.
    pub message_expression: Option<Program>,
    /// `reason`.
    pub reason: Reason,
    /// `fieldPath`, normalized (`spec.foo[bar]`).
    pub field_path: Option<String>,
    /// `optionalOldSelf: true`.
    pub optional_old_self: bool,
    /// Whether the rule mentions `oldSelf` (a transition rule).
    pub uses_old_self: bool,
    /// The program.
    pub program: Program,
}

impl std::fmt::Debug for CelRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CelRule")
            .field("rule", &self.rule)
            .field("message", &self.message)
            .field("reason", &self.reason)
            .field("field_path", &self.field_path)
            .field("uses_old_self", &self.uses_old_self)
            .finish()
    }
}

impl CelRule {
    /// `ruleErrorString`: the message if there is one, else the rule.
    fn error_string(&self) -> &str {
        if self.message.is_empty() {
            self.rule.trim()
        } else {
            &self.message
        }
    }

    /// `ruleMessageOrDefault`.
    fn message_or_default(&self) -> String {
        if self.message.is_empty() {
            format!("failed rule: {}", self.rule.trim())
        } else {
            self.message.clone()
        }
    }
}

/// Where rules are being compiled.
pub(crate) struct RuleContext<'a> {
    /// The path of the schema node.
    pub path: &'a FieldPath,
    /// The nearest ancestor that makes `oldSelf` unusable, if any.
    pub uncorrelatable: Option<&'a FieldPath>,
    /// Whether to report CEL errors (the schema is structural and error-free here).
    pub compile: bool,
    /// Whether `self` is a resource (the object's root or an embedded resource), with
    /// `apiVersion`, `kind` and `metadata`.
    pub resource_root: bool,
}

/// Compiles the `x-kubernetes-validations` of `node`, reporting problems into `out`.
pub(crate) fn compile_rules(
    raw: &Value,
    node: &Node,
    cx: &RuleContext<'_>,
    out: &mut Collected,
) -> Vec<CelRule> {
    let base = cx.path.child("x-kubernetes-validations");
    let Value::Array(rules) = raw else {
        out.schema.push(FieldError::invalid(
            &base,
            raw.clone(),
            "must be a list of validation rules",
        ));
        return Vec::new();
    };
    let schema_errors_before = out.schema.len();
    let mut compiled = Vec::new();
    let mut cel_errors = Vec::new();
    for (i, raw_rule) in rules.iter().enumerate() {
        let p = base.index(i);
        let text = |k: &str| {
            raw_rule
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let rule = text("rule");
        let message = text("message");
        let message_expression = text("messageExpression");
        let field_path = text("fieldPath");
        let reason = raw_rule.get("reason").and_then(Value::as_str);
        let optional_old_self = raw_rule.get("optionalOldSelf").and_then(Value::as_bool);

        let has_newline = |s: &str| s.contains('\n') || s.contains('\r');
        if rule.trim().is_empty() {
            out.schema.push(FieldError::required(
                p.child("rule"),
                "rule is not specified",
            ));
        } else if !message.is_empty() && message.trim().is_empty() {
            out.schema.push(FieldError::invalid(
                p.child("message"),
                Value::from(message.as_str()),
                "message must be non-empty if specified",
            ));
        } else if has_newline(message.trim()) {
            out.schema.push(FieldError::invalid(
                p.child("message"),
                Value::from(message.as_str()),
                "message must not contain line breaks",
            ));
        } else if has_newline(rule.trim()) && message.trim().is_empty() {
            out.schema.push(FieldError::required(
                p.child("message"),
                "message must be specified if rule contains line breaks",
            ));
        }
        if !message_expression.is_empty() && message_expression.trim().is_empty() {
            out.schema.push(FieldError::required(
                p.child("messageExpression"),
                "messageExpression must be non-empty if specified",
            ));
        }
        let reason = match reason {
            None | Some("FieldValueInvalid") => Reason::Invalid,
            Some("FieldValueForbidden") => Reason::Forbidden,
            Some("FieldValueRequired") => Reason::Required,
            Some("FieldValueDuplicate") => Reason::Duplicate,
            Some(other) => {
                out.schema.push(FieldError::not_supported(
                    p.child("reason"),
                    Value::from(other),
                    SUPPORTED_REASONS,
                ));
                Reason::Invalid
            }
        };
        let mut normalized_path = None;
        if !field_path.is_empty() {
            if field_path.trim().is_empty() {
                out.schema.push(FieldError::invalid(
                    p.child("fieldPath"),
                    Value::from(field_path.as_str()),
                    "fieldPath must be non-empty if specified",
                ));
            }
            if has_newline(&field_path) {
                out.schema.push(FieldError::invalid(
                    p.child("fieldPath"),
                    Value::from(field_path.as_str()),
                    "fieldPath must not contain line breaks",
                ));
            }
            match valid_field_path(&field_path, node) {
                Ok(normalized) => normalized_path = Some(normalized),
                Err(_) => out.schema.push(FieldError::invalid(
                    p.child("fieldPath"),
                    Value::from(field_path.as_str()),
                    "fieldPath must be a valid path",
                )),
            }
        }
        if rule.trim().is_empty() {
            continue;
        }

        let program = match Program::compile(&rule) {
            Ok(program) => program,
            Err(e) => {
                cel_errors.push(FieldError::invalid(
                    p.child("rule"),
                    raw_rule.clone(),
                    format!("compilation failed: {}", one_line(&e.to_string())),
                ));
                continue;
            }
        };
        if let Err(detail) = check_expression(program.expression(), node, cx.resource_root) {
            cel_errors.push(FieldError::invalid(
                p.child("rule"),
                raw_rule.clone(),
                format!("compilation failed: ERROR: <input>: {detail}"),
            ));
            continue;
        }
        let uses_old_self = mentions(program.expression(), "oldSelf");
        let message_program = if message_expression.trim().is_empty() {
            None
        } else {
            match Program::compile(&message_expression) {
                Ok(mp) => match check_expression(mp.expression(), node, cx.resource_root) {
                    Ok(()) => Some(mp),
                    Err(detail) => {
                        cel_errors.push(FieldError::invalid(
                            p.child("messageExpression"),
                            raw_rule.clone(),
                            format!(
                                "messageExpression compilation failed: ERROR: <input>: {detail}"
                            ),
                        ));
                        None
                    }
                },
                Err(e) => {
                    cel_errors.push(FieldError::invalid(
                        p.child("messageExpression"),
                        raw_rule.clone(),
                        format!(
                            "messageExpression compilation failed: {}",
                            one_line(&e.to_string())
                        ),
                    ));
                    None
                }
            }
        };
        if uses_old_self {
            if let Some(within) = cx.uncorrelatable {
                cel_errors.push(FieldError::invalid(
                    p.child("rule"),
                    Value::from(rule.as_str()),
                    format!("oldSelf cannot be used on the uncorrelatable portion of the schema within {within}"),
                ));
            }
        } else if let Some(opt) = optional_old_self {
            cel_errors.push(FieldError::invalid(
                p.child("optionalOldSelf"),
                Value::Bool(opt),
                "may not be set if oldSelf is not used in rule",
            ));
        }
        compiled.push(CelRule {
            rule,
            message: message.trim().to_string(),
            message_expression: message_program,
            reason,
            field_path: normalized_path,
            optional_old_self: optional_old_self.unwrap_or(false),
            uses_old_self,
            program,
        });
    }
    // CEL errors are reported only where the schema is otherwise sound, as the API
    // server does; elsewhere the schema errors already reject the CRD.
    if cx.compile && out.schema.len() == schema_errors_before {
        out.cel.extend(cel_errors);
    }
    compiled
}

fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

// ---------------------------------------------------------------------------
// Static checks

/// Identifiers that name types or function namespaces, not variables.
const GLOBAL_IDENTS: &[&str] = &[
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
    "dyn",
    "sets",
    "math",
    "strings",
    "base64",
    "optional",
    "cel",
    "lists",
    "regex",
    "url",
    "ip",
    "cidr",
    "quantity",
    "semver",
    "format",
    "google",
];

/// What the checker knows about an expression's value.
#[derive(Clone, Copy)]
enum Known<'a> {
    /// A value of this schema node; `true` when it is a resource root (so
    /// `apiVersion`, `kind` and `metadata` exist).
    Node(&'a Node, bool),
    /// Anything.
    Unknown,
}

fn check_expression(expr: &IdedExpr, node: &Node, resource_root: bool) -> Result<(), String> {
    let mut bound: Vec<String> = Vec::new();
    check(expr, node, resource_root, &mut bound).map(|_| ())
}

fn check<'a>(
    e: &IdedExpr,
    root: &'a Node,
    resource_root: bool,
    bound: &mut Vec<String>,
) -> Result<Known<'a>, String> {
    match &e.expr {
        Expr::Ident(name) => {
            if bound.iter().any(|b| b == name) {
                Ok(Known::Unknown)
            } else if name == "self" || name == "oldSelf" {
                Ok(Known::Node(root, resource_root))
            } else if GLOBAL_IDENTS.contains(&name.as_str()) {
                Ok(Known::Unknown)
            } else {
                Err(format!(
                    "undeclared reference to '{name}' (in container '')"
                ))
            }
        }
        Expr::Select(sel) => {
            let operand = check(&sel.operand, root, resource_root, bound)?;
            match operand {
                Known::Node(n, resource_root) => select(n, resource_root, &sel.field),
                Known::Unknown => Ok(Known::Unknown),
            }
        }
        Expr::Call(call) => {
            if call.func_name == "bind"
                && matches!(call.target.as_deref(), Some(IdedExpr { expr: Expr::Ident(ns), .. }) if ns == "cel")
                && call.args.len() == 3
            {
                let var = match &call.args[0].expr {
                    Expr::Ident(v) => v.clone(),
                    _ => {
                        return Err(
                            "cel.bind() variable name must be a simple identifier".to_string()
                        );
                    }
                };
                check(&call.args[1], root, resource_root, bound)?;
                bound.push(var);
                let r = check(&call.args[2], root, resource_root, bound);
                bound.pop();
                return r.map(|_| Known::Unknown);
            }
            if let Some(t) = &call.target {
                check(t, root, resource_root, bound)?;
            }
            let mut first = Known::Unknown;
            for (i, a) in call.args.iter().enumerate() {
                let k = check(a, root, resource_root, bound)?;
                if i == 0 {
                    first = k;
                }
            }
            if call.func_name == "_[_]"
                && let Known::Node(n, _) = first
            {
                if let Some(items) = &n.items {
                    return Ok(Known::Node(items, items.embedded));
                }
                if let Some(a) = n.additional_schema() {
                    return Ok(Known::Node(a, a.embedded));
                }
            }
            Ok(Known::Unknown)
        }
        Expr::Comprehension(c) => {
            check(&c.iter_range, root, resource_root, bound)?;
            check(&c.accu_init, root, resource_root, bound)?;
            let before = bound.len();
            bound.push(c.iter_var.clone());
            if let Some(v2) = &c.iter_var2 {
                bound.push(v2.clone());
            }
            bound.push(c.accu_var.clone());
            let r = check(&c.loop_cond, root, resource_root, bound)
                .and_then(|_| check(&c.loop_step, root, resource_root, bound))
                .and_then(|_| check(&c.result, root, resource_root, bound));
            bound.truncate(before);
            r.map(|_| Known::Unknown)
        }
        Expr::List(l) => {
            for el in &l.elements {
                check(el, root, resource_root, bound)?;
            }
            Ok(Known::Unknown)
        }
        Expr::Map(m) => {
            for entry in &m.entries {
                if let kube_cel::cel::common::ast::EntryExpr::MapEntry(me) = &entry.expr {
                    check(&me.key, root, resource_root, bound)?;
                    check(&me.value, root, resource_root, bound)?;
                }
            }
            Ok(Known::Unknown)
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let kube_cel::cel::common::ast::EntryExpr::StructField(f) = &entry.expr {
                    check(&f.value, root, resource_root, bound)?;
                }
            }
            Ok(Known::Unknown)
        }
        Expr::Literal(_) | Expr::Unspecified => Ok(Known::Unknown),
    }
}

fn select<'a>(n: &'a Node, resource_root: bool, field: &str) -> Result<Known<'a>, String> {
    let is_root = resource_root || n.embedded;
    if let Some(a) = n.additional_schema() {
        return Ok(Known::Node(a, a.embedded));
    }
    if n.preserve_unknown || n.int_or_string || n.ty.is_none() {
        return Ok(Known::Unknown);
    }
    if n.ty != Some(super::node::JsonType::Object) {
        return Ok(Known::Unknown);
    }
    for (name, prop) in &n.properties {
        if escape(name).as_deref() == Some(field) {
            return Ok(Known::Node(prop, prop.embedded));
        }
    }
    if is_root && matches!(field, "apiVersion" | "kind" | "metadata") {
        return Ok(Known::Unknown);
    }
    if matches!(n.additional, Some(super::node::Additional::Bool(true))) {
        return Ok(Known::Unknown);
    }
    Err(format!("undefined field '{field}'"))
}

fn mentions(e: &IdedExpr, var: &str) -> bool {
    match &e.expr {
        Expr::Ident(name) => name == var,
        Expr::Select(s) => mentions(&s.operand, var),
        Expr::Call(c) => {
            c.target.as_deref().is_some_and(|t| mentions(t, var))
                || c.args.iter().any(|a| mentions(a, var))
        }
        Expr::Comprehension(c) => [
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ]
        .iter()
        .any(|x| mentions(x, var)),
        Expr::List(l) => l.elements.iter().any(|x| mentions(x, var)),
        Expr::Map(m) => m.entries.iter().any(|entry| match &entry.expr {
            kube_cel::cel::common::ast::EntryExpr::MapEntry(me) => {
                mentions(&me.key, var) || mentions(&me.value, var)
            }
            kube_cel::cel::common::ast::EntryExpr::StructField(f) => mentions(&f.value, var),
        }),
        Expr::Struct(s) => s.entries.iter().any(|entry| match &entry.expr {
            kube_cel::cel::common::ast::EntryExpr::MapEntry(me) => {
                mentions(&me.key, var) || mentions(&me.value, var)
            }
            kube_cel::cel::common::ast::EntryExpr::StructField(f) => mentions(&f.value, var),
        }),
        Expr::Literal(_) | Expr::Unspecified => false,
    }
}

/// CEL reserved words that property names are escaped around.
const RESERVED: &[&str] = &[
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// The CEL name of a property (`__dash__` for `-`, …), or `None` when it has none.
pub(crate) fn escape(ident: &str) -> Option<String> {
    let first = ident.chars().next()?;
    if first.is_ascii_digit() {
        return None;
    }
    if RESERVED.contains(&ident) {
        return Some(format!("__{ident}__"));
    }
    let mut out = String::with_capacity(ident.len());
    let mut chars = ident.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '_' if chars.peek() == Some(&'_') => {
                chars.next();
                out.push_str("__underscores__");
            }
            '.' => out.push_str("__dot__"),
            '-' => out.push_str("__dash__"),
            '/' => out.push_str("__slash__"),
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// `ValidFieldPath`: checks a rule's `fieldPath` against the schema and returns it as
/// a field path (`.spec['a.b'].c` → `spec[a.b].c`).
pub(crate) fn valid_field_path(json_path: &str, node: &Node) -> Result<String, String> {
    let mut path = String::new();
    let mut current = node;
    let mut rest = json_path;
    let mut append = |name: &str, current: &mut &Node| -> Result<(), String> {
        let named = !current.properties.is_empty();
        if named {
            let Some(next) = current.properties.get(name) else {
                return Err("does not refer to a valid field".to_string());
            };
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(name);
            *current = next;
        } else if let Some(a) = current.additional_schema() {
            path.push('[');
            path.push_str(name);
            path.push(']');
            *current = a;
        } else {
            return Err("does not refer to a valid field".to_string());
        }
        Ok(())
    };
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[', ']']).unwrap_or(after.len());
            let name = &after[..end];
            if name.is_empty() {
                return Err("unexpected end of JSON path".to_string());
            }
            append(name, &mut current)?;
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let Some(quoted) = after.strip_prefix('\'') else {
                return Err("expected single quoted string".to_string());
            };
            let mut end = None;
            let mut escaped = false;
            for (i, c) in quoted.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '\'' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let end = end.ok_or("unexpected end of JSON path")?;
            let name = unescape_single_quoted(&quoted[..end])?;
            append(&name, &mut current)?;
            let after_quote = &quoted[end + 1..];
            rest = after_quote.strip_prefix(']').ok_or("expected ]")?;
        } else {
            return Err(format!("expected [ or . but got: {rest}"));
        }
    }
    Ok(path)
}

fn unescape_single_quoted(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next() {
            Some('a') => '\u{7}',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('v') => '\u{b}',
            Some('\'') => '\'',
            Some('\\') => '\\',
            Some(other) => return Err(format!("invalid escape char \\{other}")),
            None => return Err("invalid escape char \\".to_string()),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Evaluation

thread_local! {
    /// The CEL standard library plus the Kubernetes extensions, built once per thread.
    static BASE: Context<'static> = {
        let mut ctx = Context::default();
        ctx.register_all();
        ctx
    };
}

/// Evaluates every rule under `node` against `obj` (and `old` on updates).
pub(crate) fn validate(node: &Node, obj: &Value, old: Option<&Value>, errs: &mut Vec<FieldError>) {
    if !node.has_rules_below {
        return;
    }
    BASE.with(|base| walk(base, node, obj, old, &FieldPath::root(), true, errs));
}

fn walk(
    base: &Context<'static>,
    node: &Node,
    obj: &Value,
    old: Option<&Value>,
    path: &FieldPath,
    resource_root: bool,
    errs: &mut Vec<FieldError>,
) {
    if obj.is_null() || !node.has_rules_below {
        return;
    }
    let old = old.filter(|o| !o.is_null());
    if !node.rules.is_empty() {
        evaluate_rules(base, node, obj, old, path, resource_root, errs);
    }
    match obj {
        Value::Array(items) => {
            let Some(item_schema) = &node.items else {
                return;
            };
            if !item_schema.has_rules_below {
                return;
            }
            let old_by_key = correlate_map_list(node, old);
            for (i, item) in items.iter().enumerate() {
                let old_item = old_by_key
                    .as_ref()
                    .and_then(|m| map_list_key(node, item).and_then(|k| m.get(&k).copied()));
                walk(
                    base,
                    item_schema,
                    item,
                    old_item,
                    &path.index(i),
                    item_schema.embedded,
                    errs,
                );
            }
        }
        Value::Object(map) => {
            let old_map = old.and_then(Value::as_object);
            let correlatable = matches!(
                node.map_type.as_deref(),
                None | Some("granular") | Some("atomic")
            );
            let old_of = |k: &str| {
                if correlatable {
                    old_map.and_then(|m| m.get(k))
                } else {
                    None
                }
            };
            if let Some(additional) = node.additional_schema()
                && additional.has_rules_below
            {
                for (k, v) in map {
                    walk(
                        base,
                        additional,
                        v,
                        old_of(k),
                        &path.key(k),
                        additional.embedded,
                        errs,
                    );
                }
            }
            for (k, v) in map {
                if let Some(prop) = node.properties.get(k)
                    && prop.has_rules_below
                {
                    walk(
                        base,
                        prop,
                        v,
                        old_of(k),
                        &path.child(k),
                        prop.embedded,
                        errs,
                    );
                }
            }
        }
        _ => {}
    }
}

/// The key of a map-list item, as a comparable string.
fn map_list_key(node: &Node, item: &Value) -> Option<String> {
    let Some(ListType::Map(keys)) = &node.list_type else {
        return None;
    };
    let obj = item.as_object()?;
    let parts: Vec<String> = keys
        .iter()
        .map(|k| obj.get(k).map(Value::to_string).unwrap_or_default())
        .collect();
    Some(parts.join("\u{0}"))
}

/// Old items of a map list by key; `None` for lists that do not correlate.
fn correlate_map_list<'v>(
    node: &Node,
    old: Option<&'v Value>,
) -> Option<HashMap<String, &'v Value>> {
    let Some(ListType::Map(_)) = &node.list_type else {
        return None;
    };
    let old = old?.as_array()?;
    let mut m = HashMap::with_capacity(old.len());
    for item in old {
        if let Some(k) = map_list_key(node, item) {
            m.entry(k).or_insert(item);
        }
    }
    Some(m)
}

fn evaluate_rules(
    base: &Context<'static>,
    node: &Node,
    obj: &Value,
    old: Option<&Value>,
    path: &FieldPath,
    resource_root: bool,
    errs: &mut Vec<FieldError>,
) {
    let type_name = Value::from(node.type_name());
    let self_value = to_cel(obj, Some(node), resource_root);
    let old_value = old.map(|o| to_cel(o, Some(node), resource_root));
    for rule in &node.rules {
        if rule.uses_old_self && old_value.is_none() && !rule.optional_old_self {
            continue;
        }
        let mut ctx = base.new_inner_scope();
        ctx.add_variable_from_value("self", self_value.clone());
        let old_binding = match (&old_value, rule.optional_old_self) {
            (Some(o), false) => Some(o.clone()),
            (Some(o), true) => Some(Cel::Opaque(Arc::new(OptionalValue::of(o.clone())))),
            (None, true) => Some(Cel::Opaque(Arc::new(OptionalValue::none()))),
            (None, false) => None,
        };
        if let Some(o) = &old_binding {
            ctx.add_variable_from_value("oldSelf", o.clone());
        }
        let outcome = rule.program.execute(&ctx);
        match outcome {
            Ok(Cel::Bool(true)) => continue,
            Ok(Cel::Bool(false)) => {}
            Ok(other) => {
                errs.push(FieldError::invalid(
                    path,
                    type_name.clone(),
                    format!(
                        "rule evaluated to {:?} instead of a boolean evaluating rule: {}",
                        other.type_of().to_string(),
                        rule.error_string()
                    ),
                ));
                continue;
            }
            Err(e) => {
                let e = go_error_text(&e.to_string());
                let detail = if e.starts_with("no such overload") {
                    format!(
                        "'{e}': call arguments did not match a supported operator, function or macro signature for rule: {}",
                        rule.error_string()
                    )
                } else {
                    format!("{e} evaluating rule: {}", rule.error_string())
                };
                errs.push(FieldError::invalid(path, type_name.clone(), detail));
                continue;
            }
        }
        let current = match &rule.field_path {
            Some(fp) if !fp.is_empty() => path.child(fp),
            _ => path.clone(),
        };
        let detail = rule
            .message_expression
            .as_ref()
            .and_then(|mp| message_from_expression(mp, &ctx))
            .unwrap_or_else(|| rule.message_or_default());
        errs.push(match rule.reason {
            Reason::Invalid => FieldError::invalid(&current, type_name.clone(), detail),
            Reason::Forbidden => FieldError::forbidden(&current, detail),
            Reason::Required => FieldError::required(&current, detail),
            Reason::Duplicate => FieldError::duplicate(&current, type_name.clone()),
        });
    }
}

/// cel-go's wording of runtime errors (`no such key: x`).
fn go_error_text(e: &str) -> String {
    match e.strip_prefix("No such key") {
        Some(rest) => format!("no such key{rest}"),
        None => e.to_string(),
    }
}

fn message_from_expression(program: &Program, ctx: &Context<'_>) -> Option<String> {
    match program.execute(ctx) {
        Ok(Cel::String(s)) => {
            let trimmed = s.trim();
            (!trimmed.is_empty()
                && !trimmed.contains('\n')
                && trimmed.len() <= MAX_MESSAGE_EXPRESSION_BYTES)
                .then(|| trimmed.to_string())
        }
        Ok(other) => {
            tracing::debug!(?other, "messageExpression did not produce a string");
            None
        }
        Err(e) => {
            tracing::debug!(error = %e, "messageExpression evaluation failed");
            None
        }
    }
}

fn cel_map(entries: HashMap<Key, Cel>) -> Cel {
    Cel::Map(CelMap {
        map: Arc::new(entries),
    })
}

fn cel_str(s: &str) -> Cel {
    Cel::String(Arc::new(s.to_string()))
}

/// Converts a JSON value to CEL, guided by its schema: property names escaped, map
/// keys as they are, `date-time`/`duration`/`byte` strings typed, `number` fields
/// as doubles, and `apiVersion`/`kind`/`metadata.name`/`metadata.generateName` at
/// resource roots.
pub(crate) fn to_cel(v: &Value, node: Option<&Node>, resource_root: bool) -> Cel {
    match v {
        Value::Null => Cel::Null,
        Value::Bool(b) => Cel::Bool(*b),
        Value::Number(n) => {
            let is_number = node.is_some_and(|n| n.ty == Some(super::node::JsonType::Number));
            match n.as_i64() {
                Some(i) if !is_number => Cel::Int(i),
                _ => Cel::Float(n.as_f64().unwrap_or(f64::NAN)),
            }
        }
        Value::String(s) => string_to_cel(s, node),
        Value::Array(items) => {
            let item_schema = node.and_then(|n| n.items.as_deref());
            let embedded = item_schema.is_some_and(|i| i.embedded);
            Cel::List(Arc::new(
                items
                    .iter()
                    .map(|i| to_cel(i, item_schema, embedded))
                    .collect(),
            ))
        }
        Value::Object(map) => {
            let mut out = HashMap::with_capacity(map.len());
            if let Some(additional) = node.and_then(Node::additional_schema) {
                for (k, val) in map {
                    out.insert(
                        Key::String(Arc::new(k.clone())),
                        to_cel(val, Some(additional), additional.embedded),
                    );
                }
                return cel_map(out);
            }
            let meta_root = resource_root || node.is_some_and(|n| n.embedded);
            for (k, val) in map {
                if meta_root && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let child = node.and_then(|n| n.properties.get(k));
                if node.is_some_and(|n| {
                    child.is_none() && !n.preserve_unknown && !n.properties.is_empty()
                }) {
                    continue;
                }
                let Some(name) = escape(k) else { continue };
                out.insert(
                    Key::String(Arc::new(name)),
                    to_cel(val, child, child.is_some_and(|c| c.embedded)),
                );
            }
            if meta_root {
                for k in ["apiVersion", "kind"] {
                    if let Some(Value::String(s)) = map.get(k) {
                        out.insert(Key::String(Arc::new(k.to_string())), cel_str(s));
                    }
                }
                if let Some(Value::Object(meta)) = map.get("metadata") {
                    let mut m = HashMap::new();
                    for k in ["name", "generateName"] {
                        if let Some(Value::String(s)) = meta.get(k) {
                            m.insert(Key::String(Arc::new(k.to_string())), cel_str(s));
                        }
                    }
                    out.insert(Key::String(Arc::new("metadata".to_string())), cel_map(m));
                }
            }
            cel_map(out)
        }
    }
}

fn string_to_cel(s: &str, node: Option<&Node>) -> Cel {
    let format = node.filter(|n| !n.int_or_string).and_then(|n| n.format);
    match format {
        Some(Format::DateTime) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Cel::Timestamp(t),
            Err(_) => cel_str(s),
        },
        Some(Format::Duration) => match parse_duration(s).and_then(|ns| i64::try_from(ns).ok()) {
            Some(ns) => Cel::Duration(chrono::Duration::nanoseconds(ns)),
            None => cel_str(s),
        },
        Some(Format::Byte) => {
            use base64::Engine as _;
            match base64::engine::general_purpose::STANDARD.decode(s) {
                Ok(bytes) => Cel::Bytes(Arc::new(bytes)),
                Err(_) => cel_str(s),
            }
        }
        _ => cel_str(s),
    }
}
