//! Field paths: the steps from an object's root to one of its fields, list items or set
//! values, with the order, printed form (`.spec.containers[name="nginx"].image`) and
//! FieldsV1 key form (`f:`, `k:`, `v:`, `i:`) of structured-merge-diff.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

use super::{gofmt, value};

/// One step of a field path.
#[derive(Clone, Debug)]
pub enum PathElement {
    /// A field of an object (`f:<name>`, printed `.name`).
    Field(String),
    /// The item of a map list whose key fields have these values, sorted by field name
    /// (`k:{"name":"nginx"}`, printed `[name="nginx"]`).
    Key(Vec<(String, Value)>),
    /// The item of a set with this value (`v:"a"`, printed `[="a"]`).
    Value(Value),
    /// A list index (`i:0`, printed `[0]`). Never produced by this server, accepted when
    /// decoding FieldsV1.
    Index(i64),
}

impl PathElement {
    /// A field step.
    pub fn field(name: impl Into<String>) -> Self {
        PathElement::Field(name.into())
    }

    /// A map-list item step; the key fields are sorted by name.
    pub fn key<I, K>(fields: I) -> Self
    where
        I: IntoIterator<Item = (K, Value)>,
        K: Into<String>,
    {
        let mut fields: Vec<(String, Value)> =
            fields.into_iter().map(|(k, v)| (k.into(), v)).collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        PathElement::Key(fields)
    }

    fn rank(&self) -> u8 {
        match self {
            PathElement::Field(_) => 0,
            PathElement::Key(_) => 1,
            PathElement::Value(_) => 2,
            PathElement::Index(_) => 3,
        }
    }

    /// The FieldsV1 object key for this step.
    pub fn to_fields_v1_key(&self) -> String {
        match self {
            PathElement::Field(name) => format!("f:{name}"),
            PathElement::Key(fields) => {
                let mut out = String::from("k:{");
                for (i, (name, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    gofmt::json_string_into(name, &mut out);
                    out.push(':');
                    out.push_str(&gofmt::json(v));
                }
                out.push('}');
                out
            }
            PathElement::Value(v) => format!("v:{}", gofmt::json(v)),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    /// Parses a FieldsV1 object key. `Ok(None)` for a key of an unknown kind, which
    /// decoders skip (a newer server may write kinds this one does not know).
    pub fn from_fields_v1_key(key: &str) -> Result<Option<PathElement>, String> {
        let bytes = key.as_bytes();
        if bytes.len() < 2 {
            return Err("key must be 2 characters long:".into());
        }
        if bytes.get(1) != Some(&b':') {
            return Err(format!("missing colon: {key}"));
        }
        let rest = key.get(2..).unwrap_or("");
        match bytes.first() {
            Some(b'f') => Ok(Some(PathElement::Field(rest.to_string()))),
            Some(b'v') => {
                let v: Value =
                    serde_json::from_str(rest).map_err(|e| format!("parsing {key:?}: {e}"))?;
                Ok(Some(PathElement::Value(v)))
            }
            Some(b'k') => {
                let v: Value =
                    serde_json::from_str(rest).map_err(|e| format!("parsing {key:?}: {e}"))?;
                match v {
                    Value::Object(map) => Ok(Some(PathElement::key(map))),
                    _ => Err(format!("parsing {key:?}: expected a JSON object")),
                }
            }
            Some(b'i') => rest
                .parse::<i64>()
                .map(|i| Some(PathElement::Index(i)))
                .map_err(|e| format!("strconv.Atoi: parsing {}: {e}", gofmt::quote(rest))),
            _ => Ok(None),
        }
    }
}

impl Ord for PathElement {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PathElement::Field(a), PathElement::Field(b)) => a.as_bytes().cmp(b.as_bytes()),
            (PathElement::Key(a), PathElement::Key(b)) => {
                for ((an, av), (bn, bv)) in a.iter().zip(b) {
                    let c = an
                        .as_bytes()
                        .cmp(bn.as_bytes())
                        .then_with(|| value::compare(av, bv));
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (PathElement::Value(a), PathElement::Value(b)) => value::compare(a, b),
            (PathElement::Index(a), PathElement::Index(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for PathElement {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PathElement {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PathElement {}

impl fmt::Display for PathElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(n, v)| format!("{n}={}", value::to_path_string(v)))
                    .collect();
                write!(f, "[{}]", parts.join(","))
            }
            PathElement::Value(v) => write!(f, "[={}]", value::to_path_string(v)),
            PathElement::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A field path, printed the way conflicts print it (`.spec.containers[name="nginx"].image`).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path(pub Vec<PathElement>);

impl Path {
    /// A path of field names.
    pub fn fields(names: &[&str]) -> Path {
        Path(names.iter().map(|n| PathElement::field(*n)).collect())
    }

    /// The steps.
    pub fn elements(&self) -> &[PathElement] {
        &self.0
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for pe in &self.0 {
            write!(f, "{pe}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_round_trip_and_print() {
        let pe = PathElement::key([("protocol", json!("TCP")), ("containerPort", json!(80))]);
        assert_eq!(
            pe.to_fields_v1_key(),
            r#"k:{"containerPort":80,"protocol":"TCP"}"#
        );
        assert_eq!(pe.to_string(), r#"[containerPort=80,protocol="TCP"]"#);
        assert_eq!(
            PathElement::from_fields_v1_key(&pe.to_fields_v1_key()),
            Ok(Some(pe))
        );
        assert_eq!(PathElement::Value(json!("a")).to_string(), r#"[="a"]"#);
        assert_eq!(PathElement::from_fields_v1_key("x:y"), Ok(None));
        assert!(PathElement::from_fields_v1_key("f").is_err());
        assert!(PathElement::from_fields_v1_key("fx").is_err());
        assert!(PathElement::from_fields_v1_key("i:z").is_err());
        assert!(PathElement::from_fields_v1_key("k:[1]").is_err());
        assert!(PathElement::from_fields_v1_key("v:1 2").is_err());
    }

    #[test]
    fn order_is_fields_keys_values_indexes() {
        let mut v = [
            PathElement::Index(0),
            PathElement::Value(json!("a")),
            PathElement::key([("name", json!("x"))]),
            PathElement::field("b"),
            PathElement::field("a"),
        ];
        v.sort();
        let printed: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(printed, [".a", ".b", "[name=\"x\"]", "[=\"a\"]", "[0]"]);
    }
}
