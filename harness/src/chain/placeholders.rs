//! Numbered placeholders for values that differ from run to run: generated names, IPs,
//! ports, ACME IDs, tokens, thumbprints and hashes.
//!
//! A candidate is a literal (e.g. `cm-acme-http-solver-x7k2p`) whose varying part (the
//! token, `x7k2p`) is replaced by a placeholder, keeping the rest
//! (`cm-acme-http-solver-<1>`). Placeholders are numbered per category by first
//! appearance in a walk of the tree in rendering order (map keys sorted, sequences in
//! order; within one string, left to right), so the numbering depends only on what the
//! snapshot shows. The same token gets the same number everywhere it appears, in
//! fields, labels, URLs and event messages alike.
//!
//! Categories and their rendering: generated names `<N>`, IPs `<ip-N>`, ports
//! `<port-N>`, ACME object IDs `<id-N>`, challenge tokens `<token-N>`, account key
//! thumbprints `<thumbprint-N>`, DNS-01 digests `<keyauth-N>`, hashes `<hash-N>`,
//! mock-acme CA name suffixes `<ca-N>`.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// What kind of varying value a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Category {
    /// A generated object name suffix.
    Name,
    /// An IP address.
    Ip,
    /// A port.
    Port,
    /// An ACME object ID in a URL.
    Id,
    /// An ACME challenge token.
    Token,
    /// An ACME account key thumbprint.
    Thumbprint,
    /// A DNS-01 key authorization digest.
    KeyAuth,
    /// A hash of something random.
    Hash,
    /// The random part of a mock-acme CA name.
    Ca,
}

impl Category {
    fn render(self, n: usize) -> String {
        let word = match self {
            Category::Name => return format!("<{n}>"),
            Category::Ip => "ip",
            Category::Port => "port",
            Category::Id => "id",
            Category::Token => "token",
            Category::Thumbprint => "thumbprint",
            Category::KeyAuth => "keyauth",
            Category::Hash => "hash",
            Category::Ca => "ca",
        };
        format!("<{word}-{n}>")
    }
}

#[derive(Debug, Clone)]
struct Candidate {
    literal: String,
    /// Byte offset of the token inside the literal.
    token_at: usize,
    token_len: usize,
    category: Category,
    /// Only whole strings equal to the literal are replaced.
    exact: bool,
}

impl Candidate {
    fn token(&self) -> &str {
        self.literal
            .get(self.token_at..self.token_at.saturating_add(self.token_len))
            .unwrap_or_default()
    }

    fn replacement(&self, placeholder: &str) -> String {
        let before = self.literal.get(..self.token_at).unwrap_or_default();
        let after = self
            .literal
            .get(self.token_at.saturating_add(self.token_len)..)
            .unwrap_or_default();
        format!("{before}{placeholder}{after}")
    }
}

/// The registry of candidates and, once [`Placeholders::number`] ran, their numbers.
#[derive(Debug, Default)]
pub(crate) struct Placeholders {
    candidates: Vec<Candidate>,
    literals: HashSet<String>,
    numbers: HashMap<(Category, String), usize>,
    counters: HashMap<Category, usize>,
}

static URL_PORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z][A-Za-z0-9+.\-]*://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})\b")
        .unwrap_or_else(|_| unreachable!("a literal pattern"))
});
static HOST_PORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost):(\d{1,5})\b")
        .unwrap_or_else(|_| unreachable!("a literal pattern"))
});
static LOOPBACK_IP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b127\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")
        .unwrap_or_else(|_| unreachable!("a literal pattern"))
});
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"https?://[^\s"'<>]+"#).unwrap_or_else(|_| unreachable!("a literal pattern"))
});
static MOCK_ACME_CA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"mock-acme [A-Za-z ]*?CA ([0-9a-f]{6})\b")
        .unwrap_or_else(|_| unreachable!("a literal pattern"))
});

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Occurrences of `lit` in `s` not glued to a letter or digit on either side.
fn find_bounded<'a>(s: &'a str, lit: &'a str) -> impl Iterator<Item = usize> + 'a {
    let bytes = s.as_bytes();
    s.match_indices(lit).filter_map(move |(at, _)| {
        let end = at.saturating_add(lit.len());
        let before_ok = at == 0 || bytes.get(at - 1).is_none_or(|b| !is_word_byte(*b));
        let after_ok = bytes.get(end).is_none_or(|b| !is_word_byte(*b));
        (before_ok && after_ok).then_some(at)
    })
}

/// Whether a URL path segment looks like a random ID rather than a word.
fn looks_random(seg: &str) -> bool {
    seg.len() >= 10
        && seg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && seg
            .bytes()
            .any(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

impl Placeholders {
    /// Registers `literal`, whose bytes `token_at..token_at + token_len` vary. The first
    /// registration of a literal wins.
    pub(crate) fn add(
        &mut self,
        literal: &str,
        token_at: usize,
        token_len: usize,
        category: Category,
    ) {
        self.push(literal, token_at, token_len, category, false);
    }

    /// Registers a whole value (`literal` entirely varies).
    pub(crate) fn add_whole(&mut self, literal: &str, category: Category) {
        self.push(literal, 0, literal.len(), category, false);
    }

    /// Registers a value replaced only where a whole string equals it (numbers turned
    /// into strings, short values that could occur inside unrelated text).
    pub(crate) fn add_exact(&mut self, literal: &str, category: Category) {
        self.push(literal, 0, literal.len(), category, true);
    }

    /// Registers a name made of a fixed `prefix` and a generated suffix.
    pub(crate) fn add_name(&mut self, name: &str, prefix: &str) {
        if name.len() > prefix.len() && name.starts_with(prefix) {
            self.add(
                name,
                prefix.len(),
                name.len() - prefix.len(),
                Category::Name,
            );
        }
    }

    fn push(&mut self, literal: &str, at: usize, len: usize, category: Category, exact: bool) {
        let in_bounds = at.checked_add(len).is_some_and(|end| {
            end <= literal.len() && literal.is_char_boundary(at) && literal.is_char_boundary(end)
        });
        if literal.is_empty()
            || len == 0
            || !in_bounds
            || !self.literals.insert(literal.to_string())
        {
            return;
        }
        self.candidates.push(Candidate {
            literal: literal.to_string(),
            token_at: at,
            token_len: len,
            category,
            exact,
        });
    }

    /// Registers what the text patterns find in `s`: ports in URLs and `host:port`
    /// pairs, loopback IPs other than 127.0.0.1, random-looking URL path segments and
    /// mock-acme CA name suffixes.
    pub(crate) fn discover_text(&mut self, s: &str) {
        for caps in URL_PORT.captures_iter(s).chain(HOST_PORT.captures_iter(s)) {
            if let (Some(host), Some(port)) = (caps.get(1), caps.get(2)) {
                let literal = format!("{}:{}", host.as_str(), port.as_str());
                self.add(
                    &literal,
                    host.as_str().len() + 1,
                    port.as_str().len(),
                    Category::Port,
                );
            }
        }
        for m in LOOPBACK_IP.find_iter(s) {
            if m.as_str() != "127.0.0.1" {
                self.add_whole(m.as_str(), Category::Ip);
            }
        }
        for m in URL.find_iter(s) {
            let url = m.as_str();
            let path = url
                .find("://")
                .and_then(|i| url.get(i + 3..))
                .and_then(|rest| rest.find('/').and_then(|j| rest.get(j..)))
                .unwrap_or_default();
            for seg in path.split(['/', '?', '&', '=', '#']) {
                if looks_random(seg) {
                    self.add_whole(seg, Category::Id);
                }
            }
        }
        for caps in MOCK_ACME_CA.captures_iter(s) {
            if let Some(hex) = caps.get(1) {
                self.add_whole(hex.as_str(), Category::Ca);
            }
        }
    }

    /// Registers every `<prefix><digits>` found in the strings of `tree` as a generated
    /// name: the children named after a parent that are gone already (a Challenge
    /// deleted after issuance, still named in its Order's events).
    pub(crate) fn discover_numbered_children(&mut self, tree: &Value, prefix: &str) {
        let mut found: Vec<String> = Vec::new();
        walk_strings(tree, &mut |s| {
            for at in s.match_indices(prefix).map(|(i, _)| i) {
                let bytes = s.as_bytes();
                if at > 0 && bytes.get(at - 1).is_some_and(|b| is_word_byte(*b)) {
                    continue;
                }
                let digits_from = at.saturating_add(prefix.len());
                let digits = bytes
                    .get(digits_from..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let end = digits_from.saturating_add(digits);
                let glued = bytes.get(end).is_some_and(|b| b.is_ascii_alphabetic());
                if digits > 0 && !glued {
                    found.push(s.get(at..end).unwrap_or_default().to_string());
                }
            }
        });
        for name in found {
            self.add_name(&name, prefix);
        }
    }

    /// Runs [`Placeholders::discover_text`] on every string of `tree`.
    pub(crate) fn discover_tree(&mut self, tree: &Value) {
        walk_strings(tree, &mut |s| self.discover_text(s));
    }

    /// Numbers the candidates by first appearance in `tree` (rendering order).
    pub(crate) fn number(&mut self, tree: &Value) {
        let mut order: Vec<(Category, String)> = Vec::new();
        walk_strings(tree, &mut |s| {
            let mut hits: Vec<(usize, usize)> = Vec::new();
            for (i, c) in self.candidates.iter().enumerate() {
                if c.exact {
                    if s == c.literal {
                        hits.push((c.token_at, i));
                    }
                } else {
                    for at in find_bounded(s, &c.literal) {
                        hits.push((at.saturating_add(c.token_at), i));
                    }
                }
            }
            hits.sort();
            for (_, i) in hits {
                if let Some(c) = self.candidates.get(i) {
                    order.push((c.category, c.token().to_string()));
                }
            }
        });
        for key in order {
            if !self.numbers.contains_key(&key) {
                let n = self.counters.entry(key.0).or_insert(0);
                *n += 1;
                self.numbers.insert(key, *n);
            }
        }
    }

    /// Replaces every numbered candidate in every string of `tree`, longest literal
    /// first (so `web-1-123-456` is handled before `web-1-123`).
    pub(crate) fn apply(&self, tree: &mut Value) {
        let mut order: Vec<&Candidate> = self.candidates.iter().collect();
        order.sort_by_key(|c| std::cmp::Reverse(c.literal.len()));
        let replacements: Vec<(&Candidate, String)> = order
            .into_iter()
            .filter_map(|c| {
                let n = self.numbers.get(&(c.category, c.token().to_string()))?;
                Some((c, c.replacement(&c.category.render(*n))))
            })
            .collect();
        walk_strings_mut(tree, &mut |s: &mut String| {
            for (c, replacement) in &replacements {
                if c.exact {
                    if *s == c.literal {
                        *s = replacement.clone();
                    }
                    continue;
                }
                if !s.contains(c.literal.as_str()) {
                    continue;
                }
                let hits: Vec<usize> = find_bounded(s, &c.literal).collect();
                if hits.is_empty() {
                    continue;
                }
                let mut out = String::with_capacity(s.len());
                let mut last = 0;
                for at in hits {
                    out.push_str(s.get(last..at).unwrap_or_default());
                    out.push_str(replacement);
                    last = at.saturating_add(c.literal.len());
                }
                out.push_str(s.get(last..).unwrap_or_default());
                *s = out;
            }
        });
    }
}

/// Visits every string value (not map keys) in rendering order: map keys sorted.
pub(crate) fn walk_strings(v: &Value, f: &mut dyn FnMut(&str)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().for_each(|x| walk_strings(x, f)),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                if let Some(x) = m.get(k) {
                    walk_strings(x, f);
                }
            }
        }
        _ => {}
    }
}

/// Visits every string value mutably (any order: replacements are order-independent).
pub(crate) fn walk_strings_mut(v: &mut Value, f: &mut dyn FnMut(&mut String)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| walk_strings_mut(x, f)),
        Value::Object(m) => m.values_mut().for_each(|x| walk_strings_mut(x, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(p: &mut Placeholders, mut v: Value) -> Value {
        p.discover_tree(&v);
        p.number(&v);
        p.apply(&mut v);
        v
    }

    #[test]
    fn names_are_numbered_by_first_appearance_and_consistent() {
        let mut p = Placeholders::default();
        p.add_name("cm-acme-http-solver-x7k2p", "cm-acme-http-solver-");
        p.add_name("cm-acme-http-solver-b4zzq", "cm-acme-http-solver-");
        p.add_name("web-1-3456", "web-1-");
        p.add_name("web-1-3456-7890", "web-1-3456-");
        let v = json!({
            "b": ["pod cm-acme-http-solver-x7k2p ready", "cm-acme-http-solver-b4zzq"],
            "a": {"challenge": "web-1-3456-7890", "order": "web-1-3456"},
            "c": "cm-acme-http-solver-x7k2pz stays",
        });
        let out = run(&mut p, v);
        assert_eq!(
            out,
            json!({
                "a": {"challenge": "web-1-<1>-<2>", "order": "web-1-<1>"},
                "b": ["pod cm-acme-http-solver-<3> ready", "cm-acme-http-solver-<4>"],
                "c": "cm-acme-http-solver-x7k2pz stays",
            })
        );
    }

    #[test]
    fn ports_ips_ids_and_ca_names_from_text() {
        let mut p = Placeholders::default();
        let v = json!({
            "a": "https://127.0.0.1:41234/my-order/Zm9vYmFyYmF6cXV4",
            "b": "http://web.lab.test:35111/.well-known/acme-challenge/tok",
            "c": "127.0.0.1:41234 and 127.1.0.4:8089 and 127.1.0.40",
            "d": "CN=mock-acme Intermediate CA 1a2b3c",
            "e": "https://127.0.0.1:41234/directory",
        });
        let out = run(&mut p, v);
        assert_eq!(
            out,
            json!({
                "a": "https://127.0.0.1:<port-1>/my-order/<id-1>",
                "b": "http://web.lab.test:<port-2>/.well-known/acme-challenge/tok",
                "c": "127.0.0.1:<port-1> and <ip-1>:<port-3> and <ip-2>",
                "d": "CN=mock-acme Intermediate CA <ca-1>",
                "e": "https://127.0.0.1:<port-1>/directory",
            })
        );
    }

    #[test]
    fn exact_candidates_replace_whole_strings_only() {
        let mut p = Placeholders::default();
        p.add_exact("30123", Category::Port);
        let out = run(&mut p, json!({"nodePort": "30123", "msg": "x 30123 y"}));
        assert_eq!(out, json!({"msg": "x 30123 y", "nodePort": "<port-1>"}));
    }
}
