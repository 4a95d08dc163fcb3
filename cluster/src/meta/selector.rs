//! Label selectors (`labelSelector=`) and field selectors (`fieldSelector=`), parsed
//! and matched as the API server does.

use std::collections::BTreeSet;
use std::fmt;

/// A selector that could not be parsed. The text is the API server's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(pub String);

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelRequirement {
    /// `key` — the label is present.
    Exists(String),
    /// `!key` — the label is absent.
    NotExists(String),
    /// `key=value`, `key==value`, `key in (a,b)`.
    In(String, BTreeSet<String>),
    /// `key!=value`, `key notin (a,b)`: absent labels match too.
    NotIn(String, BTreeSet<String>),
    /// `key>N`: present and an integer greater than N.
    GreaterThan(String, i64),
    /// `key<N`: present and an integer less than N.
    LessThan(String, i64),
}

impl LabelRequirement {
    fn matches(&self, get: &dyn Fn(&str) -> Option<String>) -> bool {
        match self {
            LabelRequirement::Exists(k) => get(k).is_some(),
            LabelRequirement::NotExists(k) => get(k).is_none(),
            LabelRequirement::In(k, vals) => get(k).is_some_and(|v| vals.contains(&v)),
            LabelRequirement::NotIn(k, vals) => get(k).is_none_or(|v| !vals.contains(&v)),
            LabelRequirement::GreaterThan(k, n) => get(k)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v > *n),
            LabelRequirement::LessThan(k, n) => get(k)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v < *n),
        }
    }
}

/// A parsed label selector: all requirements must hold. Empty matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    requirements: Vec<LabelRequirement>,
}

impl LabelSelector {
    /// Parses the query-string form (`app=web,tier in (a,b),!legacy`).
    pub fn parse(input: &str) -> Result<Self, SelectorError> {
        let mut lexer = Lexer::new(input);
        let mut requirements = Vec::new();
        if lexer.peek_is_end() {
            return Ok(Self { requirements });
        }
        loop {
            requirements.push(parse_requirement(&mut lexer)?);
            match lexer.next()? {
                Token::End => break,
                Token::Comma => continue,
                other => {
                    return Err(SelectorError(format!(
                        "unable to parse requirement: found '{other}', expected: ',' or 'end of string'"
                    )));
                }
            }
        }
        for r in &requirements {
            let key = match r {
                LabelRequirement::Exists(k)
                | LabelRequirement::NotExists(k)
                | LabelRequirement::In(k, _)
                | LabelRequirement::NotIn(k, _)
                | LabelRequirement::GreaterThan(k, _)
                | LabelRequirement::LessThan(k, _) => k,
            };
            if let Some(msg) = super::labels::qualified_name(key).into_iter().next() {
                return Err(SelectorError(format!(
                    "unable to parse requirement: key: Invalid value: {key:?}: {msg}"
                )));
            }
            if let LabelRequirement::In(_, vals) | LabelRequirement::NotIn(_, vals) = r {
                for v in vals {
                    if let Some(msg) = super::labels::label_value(v).into_iter().next() {
                        return Err(SelectorError(format!(
                            "unable to parse requirement: values[0][{key}]: Invalid value: {v:?}: {msg}"
                        )));
                    }
                }
            }
        }
        Ok(Self { requirements })
    }

    /// Whether labels (looked up through `get`) satisfy every requirement.
    pub fn matches(&self, get: &dyn Fn(&str) -> Option<String>) -> bool {
        self.requirements.iter().all(|r| r.matches(get))
    }

    /// Whether the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The requirements, in order.
    pub fn requirements(&self) -> &[LabelRequirement] {
        &self.requirements
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Identifier(String),
    Comma,
    Equals,
    DoubleEquals,
    NotEquals,
    Not,
    In,
    NotIn,
    Gt,
    Lt,
    Open,
    Close,
    End,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Identifier(s) => f.write_str(s),
            Token::Comma => f.write_str(","),
            Token::Equals => f.write_str("="),
            Token::DoubleEquals => f.write_str("=="),
            Token::NotEquals => f.write_str("!="),
            Token::Not => f.write_str("!"),
            Token::In => f.write_str("in"),
            Token::NotIn => f.write_str("notin"),
            Token::Gt => f.write_str(">"),
            Token::Lt => f.write_str("<"),
            Token::Open => f.write_str("("),
            Token::Close => f.write_str(")"),
            Token::End => f.write_str("end of string"),
        }
    }
}

struct Lexer<'a> {
    rest: &'a str,
    peeked: Option<Token>,
}

impl<'a> Lexer<'a> {
    fn new(input: &'a str) -> Self {
        Self {
            rest: input,
            peeked: None,
        }
    }

    fn peek_is_end(&mut self) -> bool {
        matches!(self.peek(), Ok(Token::End))
    }

    fn peek(&mut self) -> Result<&Token, SelectorError> {
        if self.peeked.is_none() {
            let t = self.lex()?;
            self.peeked = Some(t);
        }
        Ok(self.peeked.as_ref().unwrap_or(&Token::End))
    }

    fn next(&mut self) -> Result<Token, SelectorError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    fn lex(&mut self) -> Result<Token, SelectorError> {
        self.rest = self.rest.trim_start();
        let mut chars = self.rest.chars();
        let Some(c) = chars.next() else {
            return Ok(Token::End);
        };
        let two = self.rest.get(..2).unwrap_or("");
        let (token, len) = match (c, two) {
            (_, "==") => (Token::DoubleEquals, 2),
            (_, "!=") => (Token::NotEquals, 2),
            ('=', _) => (Token::Equals, 1),
            ('!', _) => (Token::Not, 1),
            (',', _) => (Token::Comma, 1),
            ('(', _) => (Token::Open, 1),
            (')', _) => (Token::Close, 1),
            ('>', _) => (Token::Gt, 1),
            ('<', _) => (Token::Lt, 1),
            _ => {
                let end = self
                    .rest
                    .find(|ch: char| ch.is_whitespace() || "=!,()<>".contains(ch))
                    .unwrap_or(self.rest.len());
                let word = &self.rest[..end];
                let token = match word {
                    "in" => Token::In,
                    "notin" => Token::NotIn,
                    _ => Token::Identifier(word.to_string()),
                };
                (token, end)
            }
        };
        self.rest = &self.rest[len..];
        Ok(token)
    }
}

fn parse_requirement(lexer: &mut Lexer<'_>) -> Result<LabelRequirement, SelectorError> {
    let first = lexer.next()?;
    let key = match first {
        Token::Not => match lexer.next()? {
            Token::Identifier(k) => return Ok(LabelRequirement::NotExists(k)),
            other => {
                return Err(SelectorError(format!(
                    "unable to parse requirement: found '{other}', expected: identifier"
                )));
            }
        },
        Token::Identifier(k) => k,
        other => {
            return Err(SelectorError(format!(
                "unable to parse requirement: found '{other}', expected: !, identifier, or 'end of string'"
            )));
        }
    };
    match lexer.peek()? {
        Token::Comma | Token::End => return Ok(LabelRequirement::Exists(key)),
        _ => {}
    }
    let op = lexer.next()?;
    match op {
        Token::Equals | Token::DoubleEquals | Token::NotEquals => {
            let value = match lexer.peek()? {
                Token::Identifier(_) => match lexer.next()? {
                    Token::Identifier(v) => v,
                    _ => String::new(),
                },
                // `key=` selects the empty value.
                Token::Comma | Token::End => String::new(),
                other => {
                    return Err(SelectorError(format!(
                        "unable to parse requirement: found '{other}', expected: identifier"
                    )));
                }
            };
            let set = BTreeSet::from([value]);
            Ok(if op == Token::NotEquals {
                LabelRequirement::NotIn(key, set)
            } else {
                LabelRequirement::In(key, set)
            })
        }
        Token::In | Token::NotIn => {
            let set = parse_values(lexer)?;
            Ok(if op == Token::In {
                LabelRequirement::In(key, set)
            } else {
                LabelRequirement::NotIn(key, set)
            })
        }
        Token::Gt | Token::Lt => {
            let value = match lexer.next()? {
                Token::Identifier(v) => v,
                other => {
                    return Err(SelectorError(format!(
                        "unable to parse requirement: found '{other}', expected: identifier"
                    )));
                }
            };
            let n: i64 = value.parse().map_err(|_| {
                SelectorError(format!(
                    "unable to parse requirement: values[0]: Invalid value: {value:?}: for 'Gt', 'Lt' operators, the value must be an integer"
                ))
            })?;
            Ok(if op == Token::Gt {
                LabelRequirement::GreaterThan(key, n)
            } else {
                LabelRequirement::LessThan(key, n)
            })
        }
        other => Err(SelectorError(format!(
            "unable to parse requirement: found '{other}', expected: in, notin, =, ==, !=, gt, lt"
        ))),
    }
}

fn parse_values(lexer: &mut Lexer<'_>) -> Result<BTreeSet<String>, SelectorError> {
    match lexer.next()? {
        Token::Open => {}
        other => {
            return Err(SelectorError(format!(
                "unable to parse requirement: found '{other}', expected: '('"
            )));
        }
    }
    let mut values = BTreeSet::new();
    let mut expect_value = true;
    loop {
        match lexer.next()? {
            Token::Identifier(v) if expect_value => {
                values.insert(v);
                expect_value = false;
            }
            Token::Comma if !expect_value => expect_value = true,
            // `in (a,)` and `in ()` select the empty value, as upstream does.
            Token::Comma => {
                values.insert(String::new());
            }
            Token::Close => {
                if expect_value {
                    values.insert(String::new());
                }
                return Ok(values);
            }
            other => {
                return Err(SelectorError(format!(
                    "unable to parse requirement: found '{other}', expected: ',', ')' or identifier"
                )));
            }
        }
    }
}

/// One term of a field selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    /// The field label, e.g. `metadata.name` or `involvedObject.uid`.
    pub field: String,
    /// The value compared with.
    pub value: String,
    /// `!=` rather than `=`/`==`.
    pub negated: bool,
}

/// A parsed field selector: all terms must hold. Empty matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelector {
    requirements: Vec<FieldRequirement>,
}

impl FieldSelector {
    /// Parses `a=b,c!=d` with `\` escapes for `,`, `=`, `!` and `\`.
    pub fn parse(input: &str) -> Result<Self, SelectorError> {
        let mut requirements = Vec::new();
        if input.trim().is_empty() {
            return Ok(Self { requirements });
        }
        for term in split_unescaped(input, ',') {
            let term = term.trim_start();
            let (field, value, negated) = if let Some(i) = find_unescaped(term, "!=") {
                (&term[..i], &term[i + 2..], true)
            } else if let Some(i) = find_unescaped(term, "==") {
                (&term[..i], &term[i + 2..], false)
            } else if let Some(i) = find_unescaped(term, "=") {
                (&term[..i], &term[i + 1..], false)
            } else {
                return Err(SelectorError(format!(
                    "invalid selector: '{input}'; can't understand '{term}'"
                )));
            };
            requirements.push(FieldRequirement {
                field: field.trim().to_string(),
                value: unescape(value),
                negated,
            });
        }
        Ok(Self { requirements })
    }

    /// The terms, in order.
    pub fn requirements(&self) -> &[FieldRequirement] {
        &self.requirements
    }

    /// Whether the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether the fields (looked up through `get`; missing fields read as "") satisfy
    /// every term.
    pub fn matches(&self, get: &dyn Fn(&str) -> Option<String>) -> bool {
        self.requirements.iter().all(|r| {
            let actual = get(&r.field).unwrap_or_default();
            (actual == r.value) != r.negated
        })
    }

    /// The value that `metadata.name=` pins, if any.
    pub fn exact(&self, field: &str) -> Option<&str> {
        self.requirements
            .iter()
            .find(|r| r.field == field && !r.negated)
            .map(|r| r.value.as_str())
    }
}

fn split_unescaped(input: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in input.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(&input[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&input[start..]);
    parts
}

fn find_unescaped(input: &str, needle: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in input.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
            continue;
        }
        if input[i..].starts_with(needle) {
            return Some(i);
        }
    }
    None
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            out.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn labels(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sel_matches(sel: &str, l: &HashMap<String, String>) -> bool {
        LabelSelector::parse(sel)
            .unwrap()
            .matches(&|k| l.get(k).cloned())
    }

    #[test]
    fn equality_and_sets() {
        let l = labels(&[("app", "web"), ("tier", "front"), ("n", "5")]);
        assert!(sel_matches("", &l));
        assert!(sel_matches("app=web", &l));
        assert!(sel_matches("app==web,tier", &l));
        assert!(!sel_matches("app!=web", &l));
        assert!(sel_matches("missing!=x", &l));
        assert!(sel_matches("tier in (front, back)", &l));
        assert!(!sel_matches("tier notin (front)", &l));
        assert!(sel_matches("missing notin (front)", &l));
        assert!(sel_matches("!missing", &l));
        assert!(!sel_matches("!app", &l));
        assert!(sel_matches("n>4,n<6", &l));
        assert!(!sel_matches("n>5", &l));
        assert!(sel_matches("acme.cert-manager.io/http01-solver!=true", &l));
    }

    #[test]
    fn parse_errors() {
        assert!(LabelSelector::parse("a=b=c").is_err());
        assert!(LabelSelector::parse("a in b").is_err());
        assert!(LabelSelector::parse("a in (b").is_err());
        assert!(LabelSelector::parse("=b").is_err());
        assert!(LabelSelector::parse("a>b").is_err());
        assert!(LabelSelector::parse("bad key!=x").is_err());
        let e = LabelSelector::parse("a=b=c").unwrap_err();
        assert_eq!(
            e.0,
            "unable to parse requirement: found '=', expected: ',' or 'end of string'"
        );
    }

    #[test]
    fn field_selectors() {
        let f = FieldSelector::parse("metadata.name=web,involvedObject.kind!=Pod").unwrap();
        assert_eq!(f.exact("metadata.name"), Some("web"));
        let get = |k: &str| match k {
            "metadata.name" => Some("web".to_string()),
            "involvedObject.kind" => Some("Certificate".to_string()),
            _ => None,
        };
        assert!(f.matches(&get));
        let f = FieldSelector::parse(r"metadata.name==a\,b").unwrap();
        assert_eq!(f.requirements()[0].value, "a,b");
        assert!(FieldSelector::parse("nonsense").is_err());
        assert!(FieldSelector::parse("").unwrap().is_empty());
        assert!(FieldSelector::parse("spec.x=").unwrap().matches(&|_| None));
    }
}
