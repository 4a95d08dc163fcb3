//! A small, deterministic YAML renderer over `serde_json::Value`: block style, map keys
//! sorted bytewise, two-space indentation, sequences indented under their key, strings
//! plain when unambiguous and JSON-quoted (a valid YAML double-quoted scalar) otherwise.

use serde_json::Value;

/// Renders `value` as a YAML document (ending with a newline).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn sorted(m: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = m.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, level: usize) {
    for (k, v) in sorted(m) {
        indent(out, level);
        out.push_str(&string(k));
        out.push(':');
        write_value_after_key(out, v, level);
    }
}

fn write_value_after_key(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, level + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, level + 2);
        }
        Value::String(s) if s.contains('\n') && block_ok(s) => {
            write_block(out, s, level + 2);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, a: &[Value], level: usize) {
    for v in a {
        indent(out, level);
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                // The first entry goes on the dash line, the rest aligned under it.
                let mut first = true;
                for (k, val) in sorted(m) {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, level + 2);
                    }
                    out.push_str(&string(k));
                    out.push(':');
                    write_value_after_key(out, val, level + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, level + 2);
            }
            Value::String(s) if s.contains('\n') && block_ok(s) => {
                write_block(out, s, level + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

/// Whether a multi-line string can be a literal block scalar: no leading spaces on its
/// first line, no trailing whitespace-only ambiguity, no control characters.
fn block_ok(s: &str) -> bool {
    !s.starts_with(' ')
        && !s.starts_with('\n')
        && s.chars().all(|c| c == '\n' || !c.is_control())
        && !s.lines().any(|l| l.ends_with(' '))
}

fn write_block(out: &mut String, s: &str, level: usize) {
    out.push_str(if s.ends_with('\n') { " |\n" } else { " |-\n" });
    for line in s.lines() {
        if !line.is_empty() {
            indent(out, level);
            out.push_str(line);
        }
        out.push('\n');
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

/// A string as a YAML scalar: plain when it cannot be read as anything else.
pub(crate) fn string(s: &str) -> String {
    if plain_ok(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
    }
}

const RESERVED: &[&str] = &[
    "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
];

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphanumeric() || matches!(first, '<' | '.' | '/' | '_')) {
        return false;
    }
    if s.ends_with(' ') || s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if !s.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                ' ' | '_' | '.' | '/' | '<' | '>' | '+' | '=' | '-' | '@' | ',' | '(' | ')' | ':'
            )
    }) {
        return false;
    }
    if RESERVED.contains(&s.to_ascii_lowercase().as_str()) {
        return false;
    }
    // Anything YAML 1.1 or 1.2 could read as a number (including 1_000, 0x1f, 1e3, 1:20).
    let numeric_ish = s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '_' | ':' | '+' | '-' | 'e' | 'E'));
    if numeric_ish || s.starts_with("0x") || s.starts_with("0o") || s.parse::<f64>().is_ok() {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_and_nested_blocks_indented() {
        let v = json!({"b": {"z": 1, "x": [1, {"k": "v", "a": true}]}, "a": "x"});
        assert_eq!(
            to_yaml(&v),
            "a: x\nb:\n  x:\n    - 1\n    - a: true\n      k: v\n  z: 1\n"
        );
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "true", "No", "1.5", "10", "", " lead", "a: b", "x #c", "-x", "*a", "1e3", "12:30",
        ] {
            assert!(string(s).starts_with('"'), "{s:?} should be quoted");
        }
        for s in [
            "T+0s",
            "cm-acme-http-solver-<1>",
            "CN=web,O=lab",
            "digital signature",
            "<namespace>",
        ] {
            assert_eq!(string(s), s, "{s:?} should be plain");
        }
    }

    #[test]
    fn empty_collections_and_multiline_strings() {
        let v = json!({"e": {}, "l": [], "m": "one\ntwo\n"});
        assert_eq!(to_yaml(&v), "e: {}\nl: []\nm: |\n  one\n  two\n");
    }
}
