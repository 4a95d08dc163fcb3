//! Bindings: `$name` substitution in every string of a scenario's objects, refs and
//! commands.
//!
//! - `$name` or `${name}` is replaced by the binding's value; `$$` is a literal `$`.
//! - A string that is exactly one binding (`"$issuerRef"`) becomes the binding's value
//!   with its own type (a map for `$issuerRef`, a number for a numeric variable).
//! - A `$` not followed by a name (`"cost: $ 5"`) is left as it is.
//! - The matcher's `$exact` key is left alone.
//! - An unknown name is an error naming it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// The built-in binding names.
pub const BUILTINS: &[&str] = &[
    "namespace",
    "labDomain",
    "issuerName",
    "issuerKind",
    "issuerGroup",
    "issuerRef",
    "issuerKey",
    "scenario",
];

/// The issuer a scenario run is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuerBinding {
    /// The matrix key: `selfsigned`, `ca`, `acme-http01`, `acme-dns01`.
    pub key: String,
    /// The issuer object's name, e.g. `lab-ca`.
    pub name: String,
    /// `ClusterIssuer` or `Issuer`.
    pub kind: String,
    /// API group (`cert-manager.io`).
    pub group: String,
}

impl IssuerBinding {
    /// A cert-manager.io issuer.
    pub fn new(key: impl Into<String>, name: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            kind: kind.into(),
            group: "cert-manager.io".into(),
        }
    }
}

/// A binding problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    /// `$name` names nothing.
    #[error("unknown binding ${name} (known: {known})")]
    Unknown {
        /// The name.
        name: String,
        /// The names that exist.
        known: String,
    },
    /// A map or list binding used inside a longer string.
    #[error("binding ${name} is a {what} and cannot be part of a longer string")]
    NotAScalar {
        /// The name.
        name: String,
        /// `map` or `list`.
        what: &'static str,
    },
    /// `${` without `}`.
    #[error("unterminated ${{...}} in {text:?}")]
    Unterminated {
        /// The string.
        text: String,
    },
}

/// A set of bindings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bindings {
    values: BTreeMap<String, Value>,
}

/// One piece of a string with bindings.
enum Piece<'a> {
    Text(&'a str),
    Binding(&'a str),
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits `text` into literal text and binding names.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, BindingError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let (before, from_dollar) = rest.split_at(at);
        if !before.is_empty() {
            out.push(Piece::Text(before));
        }
        let after = &from_dollar[1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push(Piece::Text("$"));
            rest = tail;
        } else if let Some(braced) = after.strip_prefix('{') {
            let Some(end) = braced.find('}') else {
                return Err(BindingError::Unterminated { text: text.into() });
            };
            out.push(Piece::Binding(&braced[..end]));
            rest = &braced[end + 1..];
        } else if after.chars().next().is_some_and(is_name_start) {
            let len = after
                .char_indices()
                .find(|(_, c)| !is_name_char(*c))
                .map_or(after.len(), |(i, _)| i);
            out.push(Piece::Binding(&after[..len]));
            rest = &after[len..];
        } else {
            out.push(Piece::Text("$"));
            rest = after;
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

/// The binding names a string refers to (in order, with repeats).
pub fn references(text: &str) -> Result<Vec<String>, BindingError> {
    Ok(pieces(text)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Binding(name) => Some(name.to_string()),
            Piece::Text(_) => None,
        })
        .collect())
}

/// Every binding name referenced anywhere in `value` (strings and map keys).
pub fn references_in(value: &Value, out: &mut Vec<String>) -> Result<(), BindingError> {
    match value {
        Value::String(s) => out.extend(references(s)?),
        Value::Array(items) => {
            for item in items {
                references_in(item, out)?;
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                if k != crate::scenario::matcher::EXACT_KEY {
                    out.extend(references(k)?);
                }
                references_in(v, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

impl Bindings {
    /// The built-ins for one run.
    pub fn builtin(
        namespace: &str,
        lab_domain: &str,
        issuer: &IssuerBinding,
        scenario: &str,
    ) -> Self {
        let mut values = BTreeMap::new();
        values.insert("namespace".into(), Value::from(namespace));
        values.insert("labDomain".into(), Value::from(lab_domain));
        values.insert("issuerName".into(), Value::from(issuer.name.as_str()));
        values.insert("issuerKind".into(), Value::from(issuer.kind.as_str()));
        values.insert("issuerGroup".into(), Value::from(issuer.group.as_str()));
        values.insert("issuerKey".into(), Value::from(issuer.key.as_str()));
        values.insert(
            "issuerRef".into(),
            serde_json::json!({"name": issuer.name, "kind": issuer.kind, "group": issuer.group}),
        );
        values.insert("scenario".into(), Value::from(scenario));
        Self { values }
    }

    /// Placeholder built-ins, for checking names at load time.
    pub fn placeholder() -> Self {
        Self::builtin(
            "namespace",
            "lab.test",
            &IssuerBinding::new("ca", "issuer", "ClusterIssuer"),
            "scenario",
        )
    }

    /// Adds scenario variables in order; each may use the bindings before it.
    pub fn with_vars(mut self, vars: &Map<String, Value>) -> Result<Self, BindingError> {
        for (name, value) in vars {
            let value = self.substitute(value)?;
            self.values.insert(name.clone(), value);
        }
        Ok(self)
    }

    /// Sets one binding.
    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    /// One binding's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    fn lookup(&self, name: &str) -> Result<&Value, BindingError> {
        self.values.get(name).ok_or_else(|| BindingError::Unknown {
            name: name.into(),
            known: self
                .values
                .keys()
                .map(|k| format!("${k}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// Substitutes bindings in one string, which must come out a string.
    pub fn substitute_str(&self, text: &str) -> Result<String, BindingError> {
        let mut out = String::with_capacity(text.len());
        for piece in pieces(text)? {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Binding(name) => match self.lookup(name)? {
                    Value::String(s) => out.push_str(s),
                    Value::Null => {}
                    Value::Object(_) => {
                        return Err(BindingError::NotAScalar {
                            name: name.into(),
                            what: "map",
                        });
                    }
                    Value::Array(_) => {
                        return Err(BindingError::NotAScalar {
                            name: name.into(),
                            what: "list",
                        });
                    }
                    other => out.push_str(&other.to_string()),
                },
            }
        }
        Ok(out)
    }

    /// Substitutes bindings in a string value: a string that is exactly one binding takes
    /// the binding's value and type.
    fn substitute_string_value(&self, text: &str) -> Result<Value, BindingError> {
        let parts = pieces(text)?;
        if let [Piece::Binding(name)] = parts.as_slice() {
            return self.lookup(name).cloned();
        }
        self.substitute_str(text).map(Value::String)
    }

    /// Substitutes bindings in every string (and map key) of `value`.
    pub fn substitute(&self, value: &Value) -> Result<Value, BindingError> {
        Ok(match value {
            Value::String(s) => self.substitute_string_value(s)?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.substitute(i))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    let key = if k == crate::scenario::matcher::EXACT_KEY {
                        k.clone()
                    } else {
                        self.substitute_str(k)?
                    };
                    out.insert(key, self.substitute(v)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Bindings {
        Bindings::builtin(
            "ecdsa-x1y2z",
            "lab.test",
            &IssuerBinding::new("ca", "lab-ca", "ClusterIssuer"),
            "ecdsa",
        )
    }

    #[test]
    fn builtins_and_vars_substitute() {
        let mut vars = Map::new();
        vars.insert("domain".into(), json!("ecdsa.$labDomain"));
        vars.insert("wild".into(), json!("*.${domain}"));
        vars.insert("replicas".into(), json!(3));
        let b = sample().with_vars(&vars).unwrap();
        let doc = json!({
            "metadata": {"name": "$scenario-cert", "namespace": "$namespace"},
            "spec": {
                "dnsNames": ["$domain", "$wild"],
                "issuerRef": "$issuerRef",
                "count": "$replicas",
                "note": "costs $$5 and $ 6",
                "label-$scenario": "x",
            }
        });
        let out = b.substitute(&doc).unwrap();
        assert_eq!(
            out,
            json!({
                "metadata": {"name": "ecdsa-cert", "namespace": "ecdsa-x1y2z"},
                "spec": {
                    "dnsNames": ["ecdsa.lab.test", "*.ecdsa.lab.test"],
                    "issuerRef": {"name": "lab-ca", "kind": "ClusterIssuer", "group": "cert-manager.io"},
                    "count": 3,
                    "note": "costs $5 and $ 6",
                    "label-ecdsa": "x",
                }
            })
        );
    }

    #[test]
    fn unknown_bindings_are_named() {
        let err = sample().substitute(&json!({"a": ["$nope"]})).unwrap_err();
        assert!(matches!(&err, BindingError::Unknown { name, .. } if name == "nope"));
        assert!(
            err.to_string().starts_with("unknown binding $nope"),
            "{err}"
        );
        let err = sample().substitute_str("x-$issuerRef").unwrap_err();
        assert!(matches!(err, BindingError::NotAScalar { what: "map", .. }));
        assert!(sample().substitute_str("${namespace").is_err());
    }

    #[test]
    fn references_are_listed() {
        assert_eq!(
            references("a $b ${c}d $$e $").unwrap(),
            vec!["b".to_string(), "c".to_string()]
        );
    }
}
