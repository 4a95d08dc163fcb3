//! The FieldsV1 wire form of a [`FieldSet`]: a JSON object with one key a step
//! (`f:name`, `k:{...}`, `v:...`, `i:n`), `{}` for a path that ends there, nested
//! objects for paths below, and `".": {}` where a step is both.

use serde_json::{Map, Value};

use super::path::PathElement;
use super::set::FieldSet;

/// Deepest FieldsV1 nesting accepted (JSON decoders stop far earlier).
const MAX_DEPTH: usize = 256;

/// A FieldsV1 document that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FieldsV1Error(pub String);

impl FieldSet {
    /// The FieldsV1 JSON form, keys in the order the API server writes them.
    pub fn to_fields_v1(&self) -> Value {
        Value::Object(emit(self, false))
    }

    /// Parses a FieldsV1 document. `null` is the empty set; keys of unknown kinds are
    /// skipped.
    pub fn from_fields_v1(v: &Value) -> Result<FieldSet, FieldsV1Error> {
        match v {
            Value::Null => Ok(FieldSet::new()),
            Value::Object(map) => Ok(read(map, 0)?.0.unwrap_or_default()),
            other => Err(FieldsV1Error(format!(
                "ReadMapCB: expect {{ or n, but found {}",
                super::gofmt::json_type_name(other)
            ))),
        }
    }
}

fn emit(set: &FieldSet, include_self: bool) -> Map<String, Value> {
    let mut out = Map::new();
    let (members, children) = (set.members(), set.children());
    if include_self && !(members.is_empty() && children.is_empty()) {
        out.insert(".".into(), Value::Object(Map::new()));
    }
    let (mut mi, mut ci) = (0, 0);
    loop {
        match (members.get(mi), children.get(ci)) {
            (None, None) => break,
            (Some(m), None) => {
                out.insert(m.to_fields_v1_key(), Value::Object(Map::new()));
                mi += 1;
            }
            (None, Some((pe, child))) => {
                out.insert(pe.to_fields_v1_key(), Value::Object(emit(child, false)));
                ci += 1;
            }
            (Some(m), Some((pe, child))) => match m.cmp(pe) {
                std::cmp::Ordering::Less => {
                    out.insert(m.to_fields_v1_key(), Value::Object(Map::new()));
                    mi += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.insert(pe.to_fields_v1_key(), Value::Object(emit(child, false)));
                    ci += 1;
                }
                std::cmp::Ordering::Equal => {
                    out.insert(pe.to_fields_v1_key(), Value::Object(emit(child, true)));
                    mi += 1;
                    ci += 1;
                }
            },
        }
    }
    out
}

/// Reads one node: the set below it (if any) and whether the node itself is a member
/// of its parent.
fn read(map: &Map<String, Value>, depth: usize) -> Result<(Option<FieldSet>, bool), FieldsV1Error> {
    if depth > MAX_DEPTH {
        return Err(FieldsV1Error(
            "managedFields parsing: nested too deeply".into(),
        ));
    }
    let mut members = Vec::new();
    let mut children = Vec::new();
    let mut is_member = false;
    for (key, v) in map {
        if key == "." {
            is_member = true;
            continue;
        }
        let pe = match PathElement::from_fields_v1_key(key) {
            Ok(Some(pe)) => pe,
            Ok(None) => continue,
            Err(e) => return Err(FieldsV1Error(format!("parsing key as path element: {e}"))),
        };
        let (grand, child_is_member) = match v {
            Value::Object(inner) => read(inner, depth + 1)?,
            Value::Null => (None, true),
            other => {
                return Err(FieldsV1Error(format!(
                    "ReadMapCB: expect {{ or n, but found {}",
                    super::gofmt::json_type_name(other)
                )));
            }
        };
        if child_is_member {
            members.push(pe.clone());
        }
        if let Some(g) = grand {
            children.push((pe, g));
        }
    }
    if members.is_empty() && children.is_empty() {
        return Ok((None, true));
    }
    Ok((Some(FieldSet::from_parts(members, children)), is_member))
}
