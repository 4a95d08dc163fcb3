//! A small kubectl-style JSON path for `wait: {for: {jsonPath}}`.
//!
//! Accepted forms: `{.status.revision}`, `.status.revision`, `status.revision`; list
//! indices `[0]`; filters `[type=Ready]` or `[?(@.type=="Ready")]`; quoted keys
//! `['cert-manager.io/issuer-name']`.

use serde_json::Value;

use super::matcher::scalar_eq;

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
    /// The first list element whose `key` equals `value`.
    Filter {
        /// The element key.
        key: String,
        /// Its value.
        value: String,
    },
}

/// Parses a path.
pub fn parse(path: &str) -> Result<Vec<Segment>, String> {
    let mut p = path.trim();
    if let Some(inner) = p.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        p = inner.trim();
    }
    let p = p.strip_prefix('.').unwrap_or(p);
    let mut out = Vec::new();
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut key = String::new();
    let bad = |why: &str| format!("invalid JSON path {path:?}: {why}");
    while let Some(&c) = chars.get(i) {
        match c {
            '.' => {
                if !key.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut key)));
                }
                i += 1;
            }
            '[' => {
                if !key.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut key)));
                }
                let rest: String = chars.get(i + 1..).unwrap_or_default().iter().collect();
                let Some(end) = find_close(&rest) else {
                    return Err(bad("unclosed ["));
                };
                let inner = rest.get(..end).unwrap_or_default();
                out.push(bracket(inner).map_err(|w| bad(&w))?);
                i += 1 + inner.chars().count() + 1;
            }
            _ => {
                key.push(c);
                i += 1;
            }
        }
    }
    if !key.is_empty() {
        out.push(Segment::Key(key));
    }
    Ok(out)
}

/// Index of the `]` closing a bracket, skipping quoted text.
fn find_close(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ']') => return Some(i),
            _ => {}
        }
    }
    None
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

fn bracket(inner: &str) -> Result<Segment, String> {
    let inner = inner.trim();
    if let Ok(n) = inner.parse::<usize>() {
        return Ok(Segment::Index(n));
    }
    if let Some(expr) = inner.strip_prefix("?(").and_then(|s| s.strip_suffix(')')) {
        let expr = expr.trim();
        let Some((lhs, rhs)) = expr.split_once("==") else {
            return Err(format!(
                "unsupported filter {expr:?} (use @.key==\"value\")"
            ));
        };
        let Some(key) = lhs.trim().strip_prefix("@.") else {
            return Err(format!(
                "unsupported filter {expr:?} (use @.key==\"value\")"
            ));
        };
        return Ok(Segment::Filter {
            key: key.trim().to_string(),
            value: unquote(rhs).to_string(),
        });
    }
    if inner.starts_with('\'') || inner.starts_with('"') {
        return Ok(Segment::Key(unquote(inner).to_string()));
    }
    if let Some((k, v)) = inner.split_once('=') {
        return Ok(Segment::Filter {
            key: k.trim().to_string(),
            value: unquote(v).to_string(),
        });
    }
    Err(format!("unsupported bracket [{inner}]"))
}

/// The value at `path` in `value`, if any.
pub fn get<'a>(value: &'a Value, path: &[Segment]) -> Option<&'a Value> {
    let mut at = value;
    for seg in path {
        at = match seg {
            Segment::Key(k) => at.as_object()?.get(k)?,
            Segment::Index(i) => at.as_array()?.get(*i)?,
            Segment::Filter { key, value } => at.as_array()?.iter().find(|e| {
                e.get(key)
                    .is_some_and(|v| scalar_eq(&Value::from(value.as_str()), v))
            })?,
        };
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_parse_and_resolve() {
        let obj = json!({
            "metadata": {"annotations": {"cert-manager.io/issuer-name": "lab-ca"}},
            "status": {"revision": 2, "conditions": [{"type": "Issuing"}, {"type": "Ready", "status": "True"}]},
            "spec": {"dnsNames": ["a", "b"]},
        });
        for (path, want) in [
            ("{.status.revision}", json!(2)),
            (".status.conditions[type=Ready].status", json!("True")),
            (
                "status.conditions[?(@.type==\"Ready\")].status",
                json!("True"),
            ),
            (".spec.dnsNames[1]", json!("b")),
            (
                ".metadata.annotations['cert-manager.io/issuer-name']",
                json!("lab-ca"),
            ),
        ] {
            let segs = parse(path).unwrap();
            assert_eq!(get(&obj, &segs), Some(&want), "{path}");
        }
        assert_eq!(get(&obj, &parse(".status.nope").unwrap()), None);
        assert!(parse(".a[").is_err());
        assert!(parse(".a[?(x)]").is_err());
    }
}
