//! The JSONPath subset Kubernetes uses in `additionalPrinterColumns`, `selectableFields`
//! and `kubectl wait --for=jsonpath`: `.a.b`, `['a.b']`, `[0]`, `[-1]`, `[*]`, `..a`,
//! and filters `[?(@.type=="Ready")]` with `==`, `!=`, `<`, `>`, `<=`, `>=` or a bare
//! existence test.

use serde_json::Value;

/// A JSONPath that failed to parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSONPath {path:?}: {reason}")]
pub struct JsonPathError {
    /// The path.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    Wildcard,
    Descend(String),
    Filter(Filter),
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    path: Vec<String>,
    op: Option<(CmpOp, Value)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    steps: Vec<Step>,
}

impl JsonPath {
    /// Parses a path; surrounding `{…}` and a leading `$` are accepted.
    pub fn parse(input: &str) -> Result<Self, JsonPathError> {
        let err = |reason: &str| JsonPathError {
            path: input.to_string(),
            reason: reason.to_string(),
        };
        let mut s = input.trim();
        if let Some(inner) = s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            s = inner.trim();
        }
        s = s.strip_prefix('$').unwrap_or(s);
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut steps = Vec::new();
        while i < bytes.len() {
            match bytes[i] {
                b'.' if bytes.get(i + 1) == Some(&b'.') => {
                    i += 2;
                    let start = i;
                    while i < bytes.len() && bytes[i] != b'.' && bytes[i] != b'[' {
                        i += 1;
                    }
                    if start == i {
                        return Err(err("'..' must be followed by a field name"));
                    }
                    steps.push(Step::Descend(s[start..i].to_string()));
                }
                b'.' => {
                    i += 1;
                    let start = i;
                    while i < bytes.len() && bytes[i] != b'.' && bytes[i] != b'[' {
                        i += 1;
                    }
                    let name = &s[start..i];
                    if name == "*" {
                        steps.push(Step::Wildcard);
                    } else if !name.is_empty() {
                        steps.push(Step::Field(name.to_string()));
                    }
                }
                b'[' => {
                    let close = find_close(s, i).ok_or_else(|| err("unclosed '['"))?;
                    let inner = s[i + 1..close].trim();
                    i = close + 1;
                    if inner == "*" {
                        steps.push(Step::Wildcard);
                    } else if let Some(f) =
                        inner.strip_prefix("?(").and_then(|r| r.strip_suffix(')'))
                    {
                        steps.push(Step::Filter(
                            parse_filter(f).ok_or_else(|| err("bad filter"))?,
                        ));
                    } else if let Some(q) = unquote(inner) {
                        steps.push(Step::Field(q));
                    } else {
                        let n: i64 = inner.parse().map_err(|_| err("bad index"))?;
                        steps.push(Step::Index(n));
                    }
                }
                _ => {
                    // A bare leading field name (`status.phase`).
                    let start = i;
                    while i < bytes.len() && bytes[i] != b'.' && bytes[i] != b'[' {
                        i += 1;
                    }
                    steps.push(Step::Field(s[start..i].to_string()));
                }
            }
        }
        Ok(Self { steps })
    }

    /// Every value the path selects in `root`, in document order.
    pub fn find<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![root];
        for step in &self.steps {
            let mut next = Vec::new();
            for v in current {
                match step {
                    Step::Field(name) => {
                        if let Some(x) = v.get(name.as_str()) {
                            next.push(x);
                        }
                    }
                    Step::Index(n) => {
                        if let Some(a) = v.as_array() {
                            let idx = if *n < 0 { a.len() as i64 + n } else { *n };
                            if let Some(x) = usize::try_from(idx).ok().and_then(|i| a.get(i)) {
                                next.push(x);
                            }
                        }
                    }
                    Step::Wildcard => match v {
                        Value::Array(a) => next.extend(a.iter()),
                        Value::Object(m) => next.extend(m.values()),
                        _ => {}
                    },
                    Step::Descend(name) => descend(v, name, &mut next),
                    Step::Filter(f) => {
                        if let Some(a) = v.as_array() {
                            next.extend(a.iter().filter(|item| f.matches(item)));
                        }
                    }
                }
            }
            current = next;
        }
        current
    }

    /// The first value selected, if any.
    pub fn first<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        self.find(root).into_iter().next()
    }
}

fn descend<'a>(v: &'a Value, name: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(name) {
                out.push(x);
            }
            for child in m.values() {
                descend(child, name, out);
            }
        }
        Value::Array(a) => {
            for child in a {
                descend(child, name, out);
            }
        }
        _ => {}
    }
}

fn find_close(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (i, c) in s[open..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

fn unquote(s: &str) -> Option<String> {
    let s = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return Some(inner.to_string());
        }
    }
    None
}

fn parse_filter(f: &str) -> Option<Filter> {
    let f = f.trim();
    let ops = [
        ("==", CmpOp::Eq),
        ("!=", CmpOp::Ne),
        ("<=", CmpOp::Le),
        (">=", CmpOp::Ge),
        ("<", CmpOp::Lt),
        (">", CmpOp::Gt),
    ];
    let (lhs, op) = match ops
        .iter()
        .find_map(|(tok, op)| f.find(tok).map(|i| (i, *tok, *op)))
    {
        Some((i, tok, op)) => {
            let rhs = f[i + tok.len()..].trim();
            let value = unquote(rhs)
                .map(Value::String)
                .or_else(|| serde_json::from_str::<Value>(rhs).ok())?;
            (f[..i].trim(), Some((op, value)))
        }
        None => (f, None),
    };
    let path = lhs.strip_prefix('@')?;
    let path: Vec<String> = path
        .split('.')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    Some(Filter { path, op })
}

impl Filter {
    fn matches(&self, item: &Value) -> bool {
        let mut v = item;
        for p in &self.path {
            match v.get(p.as_str()) {
                Some(x) => v = x,
                None => return false,
            }
        }
        let Some((op, expected)) = &self.op else {
            return true;
        };
        match op {
            CmpOp::Eq => loose_eq(v, expected),
            CmpOp::Ne => !loose_eq(v, expected),
            _ => match (v.as_f64(), expected.as_f64()) {
                (Some(a), Some(b)) => match op {
                    CmpOp::Lt => a < b,
                    CmpOp::Gt => a > b,
                    CmpOp::Le => a <= b,
                    CmpOp::Ge => a >= b,
                    _ => false,
                },
                _ => false,
            },
        }
    }
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::String(y)) | (Value::String(y), Value::Bool(x)) => {
            x.to_string() == *y
        }
        _ => a == b,
    }
}

/// Renders a selected value as kubectl prints it: strings bare, others as JSON.
pub fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "x"}},
            "spec": {"dnsNames": ["a.test", "b.test"], "secretName": "web-tls"},
            "status": {"conditions": [
                {"type": "Issuing", "status": "False"},
                {"type": "Ready", "status": "True", "reason": "Ready", "observedGeneration": 2}]}})
    }

    fn first(path: &str) -> Option<Value> {
        JsonPath::parse(path).unwrap().first(&doc()).cloned()
    }

    #[test]
    fn printer_column_paths() {
        assert_eq!(first(".spec.secretName"), Some(json!("web-tls")));
        assert_eq!(
            first(r#".status.conditions[?(@.type=="Ready")].status"#),
            Some(json!("True"))
        );
        assert_eq!(
            first(".status.conditions[?(@.type=='Ready')].reason"),
            Some(json!("Ready"))
        );
        assert_eq!(first("{.spec.dnsNames[1]}"), Some(json!("b.test")));
        assert_eq!(first(".spec.dnsNames[-1]"), Some(json!("b.test")));
        assert_eq!(
            first("$.metadata.labels['app.kubernetes.io/name']"),
            Some(json!("x"))
        );
        assert_eq!(
            first(".status.conditions[?(@.observedGeneration>1)].type"),
            Some(json!("Ready"))
        );
        assert_eq!(first(".spec.missing"), None);
        assert_eq!(
            JsonPath::parse(".spec.dnsNames[*]")
                .unwrap()
                .find(&doc())
                .len(),
            2
        );
        assert_eq!(JsonPath::parse("..status").unwrap().find(&doc()).len(), 3);
        assert_eq!(first("status.conditions[0].type"), Some(json!("Issuing")));
    }

    #[test]
    fn bad_paths() {
        assert!(JsonPath::parse(".a[").is_err());
        assert!(JsonPath::parse(".a[x]").is_err());
        assert!(JsonPath::parse(".a[?(bad)]").is_err());
    }
}
