//! JSON values as structured-merge-diff orders, compares and prints them: numbers compare
//! numerically across integers and floats, and every pair of values has an order, so
//! values can key the items of sets and map lists.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::gofmt;

#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn of(n: &Number) -> Num {
        match n.as_i64() {
            Some(i) => Num::Int(i),
            // Go decodes integers past int64 as float64 too.
            None => Num::Float(n.as_f64().unwrap_or(0.0)),
        }
    }

    #[allow(clippy::cast_precision_loss)]
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

fn float_cmp(a: f64, b: f64) -> Ordering {
    if a < b {
        Ordering::Less
    } else if a > b {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn num_cmp(a: &Number, b: &Number) -> Ordering {
    match (Num::of(a), Num::of(b)) {
        (Num::Int(x), Num::Int(y)) => x.cmp(&y),
        (x, y) => float_cmp(x.as_f64(), y.as_f64()),
    }
}

/// Numbers first, then strings, booleans, lists, maps, and null last.
fn rank(v: &Value) -> u8 {
    match v {
        Value::Number(_) => 0,
        Value::String(_) => 1,
        Value::Bool(_) => 2,
        Value::Array(_) => 3,
        Value::Object(_) => 4,
        Value::Null => 5,
    }
}

/// The total order structured-merge-diff gives values (`value.Compare`).
pub(crate) fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => num_cmp(x, y),
        (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (l, r) in x.iter().zip(y) {
                let c = compare(l, r);
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => map_cmp(x, y),
        (Value::Null, Value::Null) => Ordering::Equal,
        _ => rank(a).cmp(&rank(b)),
    }
}

fn map_cmp(l: &Map<String, Value>, r: &Map<String, Value>) -> Ordering {
    if l.is_empty() && r.is_empty() {
        return Ordering::Equal;
    }
    let mut keys: Vec<&String> = l.keys().chain(r.keys()).collect();
    keys.sort();
    keys.dedup();
    for (i, key) in keys.into_iter().enumerate() {
        let c = if i == l.len() {
            Ordering::Less
        } else if i == r.len() {
            Ordering::Greater
        } else {
            match (l.get(key), r.get(key)) {
                (None, _) => Ordering::Greater,
                (_, None) => Ordering::Less,
                (Some(a), Some(b)) => compare(a, b),
            }
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

/// Deep equality as structured-merge-diff sees it (`value.Equals`): `1` equals `1.0`.
pub(crate) fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (Num::of(x), Num::of(y)) {
            (Num::Int(p), Num::Int(q)) => p == q,
            (p, q) => p.as_f64() == q.as_f64(),
        },
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(l, r)| equals(l, r))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| equals(v, w)))
        }
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

/// A value as field paths print it (`value.ToString`): strings quoted, numbers and
/// booleans bare.
pub(crate) fn to_path_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match Num::of(n) {
            Num::Int(i) => i.to_string(),
            Num::Float(f) => gofmt::float_v(f),
        },
        Value::String(s) => gofmt::quote(s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(to_path_string).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", to_path_string(v)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn order_and_equality() {
        assert_eq!(compare(&json!(1), &json!(1.0)), Ordering::Equal);
        assert!(equals(&json!(1), &json!(1.0)));
        assert_eq!(compare(&json!(2), &json!("a")), Ordering::Less);
        assert_eq!(compare(&json!("b"), &json!("a")), Ordering::Greater);
        assert_eq!(compare(&json!(null), &json!({})), Ordering::Greater);
        assert_eq!(
            compare(&json!({"a": 1}), &json!({"a": 1, "b": 2})),
            Ordering::Less
        );
        assert_eq!(
            compare(&json!({"b": 1}), &json!({"a": 1})),
            Ordering::Greater
        );
        assert!(!equals(&json!([1, 2]), &json!([2, 1])));
        assert!(equals(
            &json!({"a": [1, {"b": null}]}),
            &json!({"a": [1.0, {"b": null}]})
        ));
    }

    #[test]
    fn path_strings() {
        assert_eq!(to_path_string(&json!("nginx")), "\"nginx\"");
        assert_eq!(to_path_string(&json!(80)), "80");
        assert_eq!(to_path_string(&json!(1.5)), "1.5");
        assert_eq!(to_path_string(&json!(true)), "true");
    }
}
