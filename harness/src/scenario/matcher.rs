//! The subset matcher behind `assert` and `error`: does `expected` ⊆ `actual`?
//!
//! - **Maps**: every expected key must be in the actual map and match; extra actual keys
//!   are ignored. An expected `null` matches an absent key or a `null`.
//! - **Scalars**: equal. Numbers compare by value (`1` = `1.0`). A string and a number or
//!   boolean compare by text (`"1"` = `1`, `"true"` = `true`), because YAML typing of
//!   hand-written expectations rarely matches what the API server stores.
//! - **Lists**, friendlier than Chainsaw/KUTTL's positional arrays:
//!   - when every expected element is a map with a `type` key (conditions), or else with
//!     a `name` key (containers, ports, volumes), elements are matched by that key,
//!     whatever their order, and every expected key must be present;
//!   - otherwise every expected element must match a *distinct* actual element, in any
//!     order (an assignment found by backtracking);
//!   - extra actual elements are ignored;
//!   - `{$exact: [...]}` in place of a list forces the same length and position-by-position
//!     matching.
//!
//! A mismatch comes back as a [`Mismatch`]: the path (`status.conditions[type=Ready].status`),
//! the expected and actual values, and for list elements the closest candidate.

use std::fmt;

use serde_json::Value;

/// The key that forces positional list matching.
pub const EXACT_KEY: &str = "$exact";

/// Why `expected` is not a subset of `actual`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Where, e.g. `status.conditions[type=Ready].status` (empty for the root).
    pub path: String,
    /// What was expected there.
    pub expected: Value,
    /// What was there (`None`: nothing).
    pub actual: Option<Value>,
    /// A short explanation.
    pub reason: String,
    /// For an unmatched list element: the actual element that came closest.
    pub closest: Option<Value>,
}

fn compact(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 300 {
        let cut: String = text.chars().take(300).collect();
        format!("{cut}…")
    } else {
        text
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        writeln!(f, "{path}: {}", self.reason)?;
        writeln!(f, "  expected: {}", compact(&self.expected))?;
        match &self.actual {
            Some(a) => writeln!(f, "  actual:   {}", compact(a))?,
            None => writeln!(f, "  actual:   (absent)")?,
        }
        if let Some(c) = &self.closest {
            writeln!(f, "  closest:  {}", compact(c))?;
        }
        Ok(())
    }
}

fn join_key(path: &str, key: &str) -> String {
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), simple) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// Checks `expected` ⊆ `actual` (see the module documentation).
pub fn matches(expected: &Value, actual: &Value) -> Result<(), Box<Mismatch>> {
    match_at("", expected, actual)
}

/// Text form of a scalar, for lenient comparison.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Scalar equality with the documented leniency.
pub fn scalar_eq(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
        (Value::String(_), Value::Number(_) | Value::Bool(_))
        | (Value::Number(_) | Value::Bool(_), Value::String(_)) => {
            match (scalar_text(expected), scalar_text(actual)) {
                (Some(a), Some(b)) => {
                    a == b
                        || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
                }
                _ => false,
            }
        }
        _ => expected == actual,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}

fn mismatch(
    path: &str,
    expected: &Value,
    actual: Option<&Value>,
    reason: impl Into<String>,
) -> Box<Mismatch> {
    Box::new(Mismatch {
        path: path.to_string(),
        expected: expected.clone(),
        actual: actual.cloned(),
        reason: reason.into(),
        closest: None,
    })
}

fn match_at(path: &str, expected: &Value, actual: &Value) -> Result<(), Box<Mismatch>> {
    match expected {
        Value::Object(map) if map.len() == 1 && map.contains_key(EXACT_KEY) => {
            let items = map.get(EXACT_KEY).unwrap_or(&Value::Null);
            match_exact(path, items, actual)
        }
        Value::Object(exp) => {
            let Value::Object(act) = actual else {
                return Err(mismatch(
                    path,
                    expected,
                    Some(actual),
                    format!("expected a map, got a {}", type_name(actual)),
                ));
            };
            for (key, e) in exp {
                let p = join_key(path, key);
                match act.get(key) {
                    Some(a) => match_at(&p, e, a)?,
                    None if e.is_null() => {}
                    None => return Err(mismatch(&p, e, None, "missing")),
                }
            }
            Ok(())
        }
        Value::Array(exp) => {
            let Value::Array(act) = actual else {
                return Err(mismatch(
                    path,
                    expected,
                    Some(actual),
                    format!("expected a list, got a {}", type_name(actual)),
                ));
            };
            match_list(path, exp, act)
        }
        Value::Null => {
            if actual.is_null() {
                Ok(())
            } else {
                Err(mismatch(path, expected, Some(actual), "expected null"))
            }
        }
        _ => {
            if scalar_eq(expected, actual) {
                Ok(())
            } else {
                Err(mismatch(path, expected, Some(actual), "values differ"))
            }
        }
    }
}

fn match_exact(path: &str, items: &Value, actual: &Value) -> Result<(), Box<Mismatch>> {
    let Value::Array(exp) = items else {
        return Err(mismatch(path, items, Some(actual), "$exact takes a list"));
    };
    let Value::Array(act) = actual else {
        return Err(mismatch(
            path,
            items,
            Some(actual),
            format!("expected a list, got a {}", type_name(actual)),
        ));
    };
    if exp.len() != act.len() {
        return Err(mismatch(
            path,
            items,
            Some(actual),
            format!("expected exactly {} elements, got {}", exp.len(), act.len()),
        ));
    }
    for (i, (e, a)) in exp.iter().zip(act).enumerate() {
        match_at(&format!("{path}[{i}]"), e, a)?;
    }
    Ok(())
}

/// The key lists of maps are matched by, if every expected element has it.
fn list_key(exp: &[Value]) -> Option<&'static str> {
    if exp.is_empty() {
        return None;
    }
    ["type", "name"].into_iter().find(|k| {
        exp.iter().all(|e| {
            e.as_object()
                .and_then(|m| m.get(*k))
                .is_some_and(|v| scalar_text(v).is_some())
        })
    })
}

fn match_list(path: &str, exp: &[Value], act: &[Value]) -> Result<(), Box<Mismatch>> {
    if let Some(key) = list_key(exp) {
        return match_keyed(path, key, exp, act);
    }
    // Which actual elements each expected element matches.
    let candidates: Vec<Vec<usize>> = exp
        .iter()
        .map(|e| {
            act.iter()
                .enumerate()
                .filter(|(_, a)| match_at("", e, a).is_ok())
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    if let Some(i) = candidates.iter().position(Vec::is_empty) {
        let e = &exp[i];
        return Err(unmatched(path, i, e, act, "no element matches"));
    }
    let mut used = vec![false; act.len()];
    if assign(&candidates, 0, &mut used) {
        return Ok(());
    }
    Err(Box::new(Mismatch {
        path: path.to_string(),
        expected: Value::Array(exp.to_vec()),
        actual: Some(Value::Array(act.to_vec())),
        reason: format!(
            "the {} expected elements cannot each match a different actual element",
            exp.len()
        ),
        closest: None,
    }))
}

/// Backtracking assignment of distinct actual elements (lists are small).
fn assign(candidates: &[Vec<usize>], at: usize, used: &mut [bool]) -> bool {
    let Some(options) = candidates.get(at) else {
        return true;
    };
    for &i in options {
        if used.get(i).copied().unwrap_or(true) {
            continue;
        }
        used[i] = true;
        if assign(candidates, at + 1, used) {
            return true;
        }
        used[i] = false;
    }
    false
}

/// How much of `expected` `actual` satisfies: matching leaves.
fn score(expected: &Value, actual: &Value) -> usize {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .map(|(k, v)| a.get(k).map_or(0, |av| score(v, av)))
            .sum(),
        (Value::Array(e), Value::Array(a)) => e
            .iter()
            .map(|ev| a.iter().map(|av| score(ev, av)).max().unwrap_or(0))
            .sum(),
        (e, a) => usize::from(scalar_eq(e, a)),
    }
}

fn unmatched(
    path: &str,
    index: usize,
    expected: &Value,
    act: &[Value],
    reason: &str,
) -> Box<Mismatch> {
    let closest = act
        .iter()
        .map(|a| (score(expected, a), a))
        .filter(|(s, _)| *s > 0)
        .max_by_key(|(s, _)| *s)
        .map(|(_, a)| a.clone());
    // The closest candidate's own mismatch is the most useful detail.
    let detail = closest
        .as_ref()
        .and_then(|c| match_at("", expected, c).err())
        .map(|m| {
            let at = if m.path.is_empty() {
                String::new()
            } else {
                format!(" at {}", m.path)
            };
            format!(
                "; closest differs{at}: expected {}, actual {}",
                compact(&m.expected),
                m.actual.as_ref().map_or("(absent)".to_string(), compact)
            )
        })
        .unwrap_or_default();
    Box::new(Mismatch {
        path: format!("{path}[{index}]"),
        expected: expected.clone(),
        actual: None,
        reason: format!("{reason}{detail}"),
        closest,
    })
}

fn match_keyed(path: &str, key: &str, exp: &[Value], act: &[Value]) -> Result<(), Box<Mismatch>> {
    for (i, e) in exp.iter().enumerate() {
        let want = e.get(key).unwrap_or(&Value::Null);
        let label = scalar_text(want).unwrap_or_default();
        let item_path = format!("{path}[{key}={label}]");
        let same_key: Vec<&Value> = act
            .iter()
            .filter(|a| a.get(key).is_some_and(|v| scalar_eq(want, v)))
            .collect();
        if same_key.is_empty() {
            let mut m = unmatched(path, i, e, act, &format!("no element with {key}={label}"));
            m.path = item_path;
            return Err(m);
        }
        let mut first_err = None;
        for a in same_key {
            match match_at(&item_path, e, a) {
                Ok(()) => {
                    first_err = None;
                    break;
                }
                Err(m) => {
                    first_err.get_or_insert(m);
                }
            }
        }
        if let Some(m) = first_err {
            return Err(m);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cert() -> Value {
        json!({
            "metadata": {"name": "c", "labels": {"app": "x", "team": "y"}},
            "spec": {"dnsNames": ["a.lab.test", "b.lab.test"], "duration": "2160h0m0s"},
            "status": {
                "revision": 1,
                "conditions": [
                    {"type": "Issuing", "status": "False"},
                    {"type": "Ready", "status": "False", "reason": "Pending"},
                ],
            }
        })
    }

    #[test]
    fn maps_are_subsets() {
        assert!(matches(&json!({"metadata": {"labels": {"app": "x"}}}), &cert()).is_ok());
        let m = matches(&json!({"metadata": {"labels": {"app": "z"}}}), &cert()).unwrap_err();
        assert_eq!(m.path, "metadata.labels.app");
        assert_eq!(m.expected, json!("z"));
        assert_eq!(m.actual, Some(json!("x")));
        let m = matches(&json!({"spec": {"secretName": "s"}}), &cert()).unwrap_err();
        assert_eq!(m.path, "spec.secretName");
        assert_eq!(m.reason, "missing");
        assert!(m.to_string().contains("actual:   (absent)"), "{m}");
    }

    #[test]
    fn null_means_absent() {
        assert!(matches(&json!({"spec": {"secretName": null}}), &cert()).is_ok());
        assert!(matches(&json!({"spec": {"duration": null}}), &cert()).is_err());
    }

    #[test]
    fn scalars_are_lenient_across_yaml_types() {
        assert!(matches(&json!({"status": {"revision": "1"}}), &cert()).is_ok());
        assert!(matches(&json!({"status": {"revision": 1.0}}), &cert()).is_ok());
        assert!(scalar_eq(&json!(true), &json!("true")));
        assert!(!scalar_eq(&json!(true), &json!("yes")));
        assert!(!scalar_eq(&json!("1"), &json!(2)));
        assert!(!scalar_eq(&json!(null), &json!("null")));
        let m = matches(&json!({"status": {"revision": 2}}), &cert()).unwrap_err();
        assert_eq!(m.path, "status.revision");
    }

    #[test]
    fn conditions_match_by_type_in_any_order() {
        let ok = json!({"status": {"conditions": [{"type": "Ready", "status": "False"}]}});
        assert!(matches(&ok, &cert()).is_ok());
        let bad = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        let m = matches(&bad, &cert()).unwrap_err();
        assert_eq!(m.path, "status.conditions[type=Ready].status");
        assert_eq!(m.expected, json!("True"));
        assert_eq!(m.actual, Some(json!("False")));
        let missing = json!({"status": {"conditions": [{"type": "Denied"}]}});
        let m = matches(&missing, &cert()).unwrap_err();
        assert_eq!(m.path, "status.conditions[type=Denied]");
        assert!(
            m.reason.starts_with("no element with type=Denied"),
            "{}",
            m.reason
        );
    }

    #[test]
    fn elements_match_by_name() {
        let pod = json!({"spec": {"containers": [
            {"name": "a", "image": "x:1", "ports": [{"containerPort": 80}]},
            {"name": "b", "image": "y:1"},
        ]}});
        assert!(
            matches(
                &json!({"spec": {"containers": [{"name": "b"}, {"name": "a", "image": "x:1"}]}}),
                &pod
            )
            .is_ok()
        );
        let m = matches(
            &json!({"spec": {"containers": [{"name": "b", "image": "y:2"}]}}),
            &pod,
        )
        .unwrap_err();
        assert_eq!(m.path, "spec.containers[name=b].image");
    }

    #[test]
    fn scalar_lists_match_in_any_order_with_distinct_elements() {
        assert!(
            matches(
                &json!({"spec": {"dnsNames": ["b.lab.test", "a.lab.test"]}}),
                &cert()
            )
            .is_ok()
        );
        assert!(matches(&json!({"spec": {"dnsNames": ["b.lab.test"]}}), &cert()).is_ok());
        // The same element cannot satisfy two expectations.
        let m = matches(
            &json!({"spec": {"dnsNames": ["a.lab.test", "a.lab.test"]}}),
            &cert(),
        )
        .unwrap_err();
        assert_eq!(m.path, "spec.dnsNames");
        assert!(
            m.reason.contains("different actual element"),
            "{}",
            m.reason
        );
        let m = matches(&json!({"spec": {"dnsNames": ["c.lab.test"]}}), &cert()).unwrap_err();
        assert_eq!(m.path, "spec.dnsNames[0]");
    }

    #[test]
    fn backtracking_finds_an_assignment_greedy_would_miss() {
        // Expected[0] matches both actual elements, expected[1] only the first.
        let actual = json!([{"a": 1, "b": 2}, {"a": 1}]);
        let expected = json!([{"a": 1}, {"b": 2}]);
        assert!(matches(&expected, &actual).is_ok());
    }

    #[test]
    fn unmatched_elements_show_the_closest_candidate() {
        let actual = json!({"items": [{"x": 1, "y": 2, "z": 3}, {"x": 9}]});
        let m = matches(&json!({"items": [{"x": 1, "y": 2, "z": 4}]}), &actual).unwrap_err();
        assert_eq!(m.path, "items[0]");
        assert_eq!(m.closest, Some(json!({"x": 1, "y": 2, "z": 3})));
        assert!(
            m.reason
                .contains("closest differs at z: expected 4, actual 3"),
            "{}",
            m.reason
        );
        assert!(m.to_string().contains("closest:"), "{m}");
    }

    #[test]
    fn exact_lists_are_positional_and_same_length() {
        let exact = json!({"spec": {"dnsNames": {"$exact": ["a.lab.test", "b.lab.test"]}}});
        assert!(matches(&exact, &cert()).is_ok());
        let swapped = json!({"spec": {"dnsNames": {"$exact": ["b.lab.test", "a.lab.test"]}}});
        let m = matches(&swapped, &cert()).unwrap_err();
        assert_eq!(m.path, "spec.dnsNames[0]");
        let short = json!({"spec": {"dnsNames": {"$exact": ["a.lab.test"]}}});
        let m = matches(&short, &cert()).unwrap_err();
        assert!(
            m.reason.contains("exactly 1 elements, got 2"),
            "{}",
            m.reason
        );
    }

    #[test]
    fn type_mismatches_are_explained() {
        let m = matches(&json!({"spec": {"dnsNames": {"a": 1}}}), &cert()).unwrap_err();
        assert_eq!(m.reason, "expected a map, got a list");
        let m = matches(&json!({"spec": [1]}), &cert()).unwrap_err();
        assert_eq!(m.reason, "expected a list, got a map");
    }

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        let actual = json!({"metadata": {"annotations": {"cert-manager.io/issuer-name": "a"}}});
        let m = matches(
            &json!({"metadata": {"annotations": {"cert-manager.io/issuer-name": "b"}}}),
            &actual,
        )
        .unwrap_err();
        assert_eq!(
            m.path,
            "metadata.annotations[\"cert-manager.io/issuer-name\"]"
        );
    }
}
