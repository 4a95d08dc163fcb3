//! Checks that an applied configuration can be merged: maps where the shape has maps,
//! lists where it has lists, and list items that can be identified, once each.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use super::{ListRel, MAX_DEPTH, item_element};
use crate::fieldmanager::path::PathElement;
use crate::shape::{ListKind, Shape};

/// One problem at one field path, printed as structured-merge-diff prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValidationError {
    /// The path in conflict notation (`.spec.containers[name="a"].env`).
    pub(crate) path: String,
    /// What is wrong.
    pub(crate) message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// All the problems of `value` against `shape`.
pub(crate) fn validate(value: &Value, shape: &Shape) -> Vec<ValidationError> {
    let mut errs = Vec::new();
    walk(value, shape, &mut String::new(), &mut errs, 0);
    errs
}

fn err(path: &str, message: String, errs: &mut Vec<ValidationError>) {
    errs.push(ValidationError {
        path: path.to_string(),
        message,
    });
}

fn walk(
    value: &Value,
    shape: &Shape,
    path: &mut String,
    errs: &mut Vec<ValidationError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match (shape, value) {
        (_, Value::Null) | (Shape::Scalar, _) => {}
        (Shape::Object(o), Value::Object(map)) => {
            for (k, v) in map {
                let child = o
                    .fields
                    .get(k)
                    .or(o.rest.as_deref())
                    .unwrap_or(&super::DEDUCED);
                let len = path.len();
                path.push('.');
                path.push_str(k);
                walk(v, child, path, errs, depth + 1);
                path.truncate(len);
            }
        }
        (Shape::Object(_), other) => err(path, format!("expected map, got {other}"), errs),
        (Shape::List(l), Value::Array(items)) => {
            let rel = match &l.kind {
                ListKind::Atomic => ListRel::Atomic,
                ListKind::Set => ListRel::Set,
                ListKind::Map { keys } if keys.is_empty() => ListRel::Set,
                ListKind::Map { keys } => ListRel::Keys(keys),
            };
            let mut seen: BTreeSet<PathElement> = BTreeSet::new();
            for (i, item) in items.iter().enumerate() {
                let step = if matches!(rel, ListRel::Atomic) {
                    format!("[{i}]")
                } else {
                    match item_element(rel, item) {
                        Ok(pe) => {
                            let printed = pe.to_string();
                            if !seen.insert(pe) {
                                err(path, format!("duplicate entries for key {printed}"), errs);
                            }
                            printed
                        }
                        Err(e) => {
                            // The rest of the list cannot be told apart either.
                            err(path, format!("element {i}: {e}"), errs);
                            return;
                        }
                    }
                };
                let len = path.len();
                path.push_str(&step);
                walk(item, &l.items, path, errs, depth + 1);
                path.truncate(len);
            }
        }
        (Shape::List(_), other) => err(path, format!("expected list, got {other}"), errs),
        (Shape::Deduced, Value::Object(map)) => {
            for (k, v) in map {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                walk(v, &Shape::Deduced, path, errs, depth + 1);
                path.truncate(len);
            }
        }
        (Shape::Deduced, _) => {}
    }
}
