//! Go `encoding/json` and `fmt` compatibility.
//!
//! The API server's patch errors embed two things Go produces: the syntax errors of
//! its JSON scanner (`invalid character 'x' looking for beginning of value`) and
//! values printed with `%v`/`%s` (`map[name:a value:b]`). This module reproduces both
//! so that error texts match the real server, and parses documents with a depth
//! bound so that no input can exhaust the stack.

mod fmt;
mod scanner;

use serde_json::Value;

#[cfg(test)]
pub(crate) use self::fmt::go_float;
pub(crate) use self::fmt::{go_quote, go_s, go_type, go_v, go_v_map};
pub(crate) use self::scanner::check_syntax;

/// The deepest nesting of arrays and objects accepted in a patch document or
/// produced in a patched object. Go allows 10000; serde_json stops at 127, and so do
/// we, so that every document we accept can be parsed again.
pub(crate) const MAX_DEPTH: usize = 127;

/// A JSON value's kind, as Go's `json: cannot unmarshal <kind> into …` names it.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The text of Go's `*json.UnmarshalTypeError` for a value of the wrong kind.
pub(crate) fn unmarshal_type_error(v: &Value, go_type: &str) -> String {
    format!(
        "json: cannot unmarshal {} into Go value of type {go_type}",
        json_kind(v)
    )
}

/// Parses a request body the way Go's `json.Unmarshal` validates it: syntax errors are
/// worded like Go's scanner, invalid UTF-8 inside strings is replaced rather than
/// rejected, and nesting is bounded by [`MAX_DEPTH`].
pub(crate) fn parse(data: &[u8]) -> Result<Value, String> {
    check_syntax(data)?;
    let text = String::from_utf8_lossy(data);
    // The scanner accepted the text, so serde_json only fails on what Go decodes
    // differently (lone surrogate escapes, numbers beyond f64).
    serde_json::from_str(&text).map_err(|e| format!("json: {e}"))
}

/// The number of nested arrays/objects in `v` (a scalar is 0), computed without
/// recursion so that it is safe on any value.
pub(crate) fn depth(v: &Value) -> usize {
    let mut max = 0;
    let mut stack: Vec<(&Value, usize)> = vec![(v, 0)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(a) => {
                let d = d.saturating_add(1);
                max = max.max(d);
                stack.extend(a.iter().map(|x| (x, d)));
            }
            Value::Object(o) => {
                let d = d.saturating_add(1);
                max = max.max(d);
                stack.extend(o.values().map(|x| (x, d)));
            }
            _ => {}
        }
    }
    max
}
