//! The generated CRDs against the shape of cert-manager's `deploy/crds`: names, scope,
//! printer columns, selectable fields, subresources and every schema node's type,
//! format, enum, default, bounds, required list and list/map type.
//!
//! `data/cert-manager-crds.outline` lists those facts for cert-manager's six CRDs
//! (commit 2d0d7f7), one line per fact, descriptions and CEL rules left out. The
//! keywords certlab adds on purpose are listed in [`ADDITIONS`].

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::Value;

const KEYS: &[&str] = &[
    "type",
    "format",
    "enum",
    "default",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "nullable",
    "required",
    "anyOf",
    "oneOf",
    "allOf",
];

fn compact(v: &Value) -> String {
    // sorted keys, no spaces: serde_json's Map keeps insertion order, so sort first
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<_> = m.keys().cloned().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sort(&m[&k])))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            // Go prints integral floats (minimum, maximum) without a fraction.
            Value::Number(n) if n.is_f64() => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Value::from(f as i64),
                _ => v.clone(),
            },
            other => other.clone(),
        }
    }
    serde_json::to_string(&sort(v)).unwrap()
}

fn walk(s: &Value, path: &str, out: &mut Vec<String>) {
    let attrs: Vec<String> = KEYS
        .iter()
        .filter_map(|k| s.get(*k).map(|v| format!("{k}={}", compact(v))))
        .collect();
    let shown = if path.is_empty() { "." } else { path };
    out.push(
        format!("{shown} {}", attrs.join(" "))
            .trim_end()
            .to_string(),
    );
    if let Some(Value::Object(props)) = s.get("properties") {
        let mut names: Vec<_> = props.keys().collect();
        names.sort();
        for name in names {
            walk(&props[name], &format!("{path}.{name}"), out);
        }
    }
    if let Some(items) = s.get("items") {
        walk(items, &format!("{path}[]"), out);
    }
    if let Some(add @ Value::Object(_)) = s.get("additionalProperties") {
        walk(add, &format!("{path}{{}}"), out);
    }
}

pub fn outline(crds: &[CustomResourceDefinition]) -> Vec<String> {
    let mut out = Vec::new();
    for crd in crds {
        let v = serde_json::to_value(crd).unwrap();
        let spec = &v["spec"];
        let n = &spec["names"];
        out.push(format!("crd {}", v["metadata"]["name"].as_str().unwrap()));
        out.push(format!(
            "names group={} kind={} listKind={} plural={} singular={} shortNames={} categories={} scope={}",
            spec["group"].as_str().unwrap(),
            n["kind"].as_str().unwrap(),
            n["listKind"].as_str().unwrap_or("None"),
            n["plural"].as_str().unwrap(),
            n["singular"].as_str().unwrap_or("None"),
            compact(n.get("shortNames").unwrap_or(&Value::Array(vec![]))),
            compact(n.get("categories").unwrap_or(&Value::Array(vec![]))),
            spec["scope"].as_str().unwrap(),
        ));
        for ver in spec["versions"].as_array().unwrap() {
            out.push(format!(
                "version {} served={} storage={} subresources={}",
                ver["name"].as_str().unwrap(),
                ver["served"],
                ver["storage"],
                compact(ver.get("subresources").unwrap_or(&serde_json::json!({})))
            ));
            for c in ver["additionalPrinterColumns"]
                .as_array()
                .into_iter()
                .flatten()
            {
                out.push(format!(
                    "column name={} type={} jsonPath={} priority={}",
                    c["name"].as_str().unwrap(),
                    c["type"].as_str().unwrap(),
                    c["jsonPath"].as_str().unwrap(),
                    c.get("priority").and_then(Value::as_i64).unwrap_or(0)
                ));
            }
            for f in ver["selectableFields"].as_array().into_iter().flatten() {
                out.push(format!("selectable {}", f["jsonPath"].as_str().unwrap()));
            }
            walk(&ver["schema"]["openAPIV3Schema"], "", &mut out);
        }
    }
    out
}

/// Keywords certlab adds to cert-manager's schemas, as `(crd, path, keywords)`:
/// `format: duration` and Go's duration syntax as `pattern` on durations (so CEL sees
/// them as durations and Go's syntax still holds), and bounds that let a real API server
/// price the CEL rules or that restate a webhook limit.
const ADDITIONS: &[(&str, &str, &[&str])] = &[
    (CERTS, ".spec.duration", DURATION),
    (CERTS, ".spec.renewBefore", DURATION),
    (CERTS, ".spec.commonName", &["maxLength"]),
    (CERTS, ".spec.secretName", &["maxLength"]),
    (REQUESTS, ".spec.duration", DURATION),
    (REQUESTS, ".status.conditions", &["maxItems"]),
    (ISSUERS, ".spec.acme.solvers", &["maxItems"]),
    (
        ISSUERS,
        ".spec.acme.solvers[].waitInsteadOfSelfCheck",
        DURATION,
    ),
    (
        ISSUERS,
        ".spec.acme.solvers[].http01.ingress.ingressClassName",
        &["maxLength"],
    ),
    (
        ISSUERS,
        ".spec.acme.solvers[].dns01.rfc2136.tsigAlgorithm",
        &["maxLength"],
    ),
    (CLUSTER_ISSUERS, ".spec.acme.solvers", &["maxItems"]),
    (
        CLUSTER_ISSUERS,
        ".spec.acme.solvers[].waitInsteadOfSelfCheck",
        DURATION,
    ),
    (
        CLUSTER_ISSUERS,
        ".spec.acme.solvers[].http01.ingress.ingressClassName",
        &["maxLength"],
    ),
    (
        CLUSTER_ISSUERS,
        ".spec.acme.solvers[].dns01.rfc2136.tsigAlgorithm",
        &["maxLength"],
    ),
    ("orders.acme.cert-manager.io", ".spec.duration", DURATION),
    (
        "challenges.acme.cert-manager.io",
        ".spec.solver.waitInsteadOfSelfCheck",
        DURATION,
    ),
];
const CERTS: &str = "certificates.cert-manager.io";
const REQUESTS: &str = "certificaterequests.cert-manager.io";
const ISSUERS: &str = "issuers.cert-manager.io";
const CLUSTER_ISSUERS: &str = "clusterissuers.cert-manager.io";
const DURATION: &[&str] = &["format", "pattern"];

/// Our outline with the [`ADDITIONS`] taken out.
fn without_additions(lines: Vec<String>) -> (Vec<String>, usize) {
    let mut crd = String::new();
    let mut removed = 0;
    let out = lines
        .into_iter()
        .map(|line| {
            if let Some(name) = line.strip_prefix("crd ") {
                crd = name.to_string();
                return line;
            }
            let Some((path, attrs)) = line.split_once(' ') else {
                return line;
            };
            let kept: Vec<&str> = attrs
                .split(' ')
                .filter(|attr| {
                    let key = attr.split('=').next().unwrap_or("");
                    let added = ADDITIONS
                        .iter()
                        .any(|(c, p, keys)| *c == crd && *p == path && keys.contains(&key));
                    removed += usize::from(added);
                    !added
                })
                .collect();
            format!("{path} {}", kept.join(" "))
        })
        .collect();
    (out, removed)
}

#[test]
fn crds_have_cert_manager_shape() {
    let crds = certlab_controller::api::try_crds().unwrap();
    assert_eq!(crds.len(), 6);
    let (ours, removed) = without_additions(outline(&crds));
    let listed: usize = ADDITIONS.iter().map(|(_, _, keys)| keys.len()).sum();
    assert_eq!(removed, listed, "every listed addition is present");
    let expected: Vec<String> = include_str!("data/cert-manager-crds.outline")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let missing: Vec<_> = expected.iter().filter(|l| !ours.contains(l)).collect();
    let extra: Vec<_> = ours.iter().filter(|l| !expected.contains(l)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "differences from cert-manager's CRDs:\nmissing: {missing:#?}\nextra: {extra:#?}"
    );
    assert_eq!(ours, expected, "same facts, same order");
}
