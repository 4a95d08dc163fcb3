//! Normalization of a captured tree into its stable form.
//!
//! A tree is nested maps; a *node* is a map with an `object` (the Kubernetes object as
//! the API returned it), optional `events` (raw core/v1 Events about it) and child keys
//! (`certificateRequests`, `orders`, …). Normalization, in order:
//!
//! 1. placeholders are discovered from the raw objects' structure: generated names
//!    (`metadata.generateName`, the temporary private-key Secret `<cert>-xxxxx`, Orders
//!    `<request>-<digits>`, Challenges `<order>-<digits>`, also where only a message
//!    names them because they are gone), challenge tokens, key
//!    authorizations (token and account thumbprint), DNS-01 digests, Pod and Service IPs,
//!    NodePorts, solver token hashes and account key hashes;
//! 2. each object loses `metadata.uid`, `resourceVersion`, `managedFields`, `selfLink`,
//!    the `last-applied-configuration` annotation and its ownerReferences' `uid`s
//!    (`generation` stays); Secret `data` values and base64 or plain PEM strings anywhere
//!    become decoded summaries ([`crate::chain`] docs), an Order's authorizations and
//!    their challenges (which ACME servers shuffle) are sorted, and `events` become a
//!    timeline;
//! 3. RFC 3339 (and Go-format) timestamps anywhere, inside messages too, become offsets
//!    `T+<go duration>` from the start (see the jitter rule on
//!    [`crate::chain::CaptureOptions::jitter`]);
//! 4. text patterns add placeholders for ports, loopback IPs, ACME IDs in URLs and
//!    mock-acme CA names; placeholders are numbered by first appearance in rendering
//!    order and replaced everywhere;
//! 5. the capture's namespace becomes `<namespace>`, as a whole value and as a word
//!    inside longer strings (`ns/name`, `web.ns.lab.test`).

use base64::Engine as _;
use serde_json::{Map, Value};

use super::events::timeline;
use super::pki_summary::Summarizer;
use super::placeholders::{Category, Placeholders, walk_strings_mut};
use super::time::replace_timestamps;
use super::{CaptureOptions, KEYSTORE_PASSWORDS};

/// Base64 of `-----BEGIN` (PEM inside a `[]byte` field).
const B64_PEM_PREFIX: &str = "LS0tLS1CRUdJTi";

/// The normalized form of a raw tree; `namespace` is the capture's namespace.
pub fn normalize(raw: &Value, namespace: Option<&str>, opts: &CaptureOptions) -> Value {
    let mut tree = raw.clone();
    let mut ph = Placeholders::default();
    discover_structural(&tree, &mut ph);
    discover_temporary_key_names(&tree, &mut ph);
    // Orders are `<request>-<digits>`, Challenges `<order>-<digits>`; some may be gone.
    let mut objs = Vec::new();
    objects(&tree, &mut objs);
    for o in &objs {
        if matches!(s(o, "/kind"), Some("CertificateRequest" | "Order"))
            && let Some(name) = s(o, "/metadata/name")
        {
            ph.discover_numbered_children(&tree, &format!("{name}-"));
        }
    }
    let summarizer = Summarizer::new(&opts.trust_roots, opts.start, opts.jitter);
    transform(&mut tree, &summarizer);
    walk_strings_mut(&mut tree, &mut |s| {
        if let Some(r) = replace_timestamps(s, opts.start, opts.jitter) {
            *s = r;
        }
    });
    ph.discover_tree(&tree);
    ph.number(&tree);
    ph.apply(&mut tree);
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        replace_namespace(&mut tree, ns);
    }
    tree
}

fn s<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Every node's `object`, in any order.
fn objects(tree: &Value, out: &mut Vec<Value>) {
    match tree {
        Value::Object(m) => {
            if let Some(obj) = m.get("object").filter(|o| o.get("kind").is_some()) {
                out.push(obj.clone());
            }
            for (k, v) in m {
                if k != "object" && k != "events" {
                    objects(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| objects(v, out)),
        _ => {}
    }
}

fn is_generated_suffix(name: &str, prefix: &str, digits_only: bool) -> bool {
    name.strip_prefix(prefix).is_some_and(|rest| {
        !rest.is_empty()
            && if digits_only {
                rest.bytes().all(|b| b.is_ascii_digit())
            } else {
                rest.len() == 5
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            }
    })
}

/// Temporary private-key Secrets of earlier revisions are gone by the time of the
/// capture, but the key manager's events still name them: `Stored new private key in
/// temporary Secret resource "<cert>-<5 chars>"`.
fn discover_temporary_key_names(tree: &Value, ph: &mut Placeholders) {
    const MARK: &str = "temporary Secret resource \"";
    let mut names = Vec::new();
    walk_strings(tree, &mut |text: &str| {
        let mut rest = text;
        while let Some(i) = rest.find(MARK) {
            let after = &rest[i + MARK.len()..];
            let Some(end) = after.find('"') else { break };
            names.push(after[..end].to_string());
            rest = &after[end..];
        }
    });
    for name in names {
        if let Some((prefix, _)) = name.rsplit_once('-') {
            let prefix = format!("{prefix}-");
            if is_generated_suffix(&name, &prefix, false) {
                ph.add_name(&name, &prefix);
            }
        }
    }
}

fn walk_strings(v: &Value, f: &mut impl FnMut(&str)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().for_each(|x| walk_strings(x, f)),
        Value::Object(m) => m.values().for_each(|x| walk_strings(x, f)),
        _ => {}
    }
}

fn discover_structural(tree: &Value, ph: &mut Placeholders) {
    let mut objs = Vec::new();
    objects(tree, &mut objs);
    // Tokens first: an ID pattern must not claim a token.
    for o in &objs {
        let kind = s(o, "/kind").unwrap_or_default();
        if kind == "Challenge" {
            let token = s(o, "/spec/token");
            if let Some(t) = token {
                ph.add_whole(t, Category::Token);
            }
            if let Some(key) = s(o, "/spec/key") {
                match key.split_once('.') {
                    Some((tok, thumb)) if Some(tok) == token && !thumb.is_empty() => {
                        ph.add(key, tok.len() + 1, thumb.len(), Category::Thumbprint);
                    }
                    _ => ph.add_whole(key, Category::KeyAuth),
                }
            }
        }
        if kind == "Order"
            && let Some(authzs) = o
                .pointer("/status/authorizations")
                .and_then(Value::as_array)
        {
            for a in authzs {
                for c in a
                    .get("challenges")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(t) = s(c, "/token") {
                        ph.add_whole(t, Category::Token);
                    }
                }
            }
        }
    }
    for o in &objs {
        let kind = s(o, "/kind").unwrap_or_default();
        let name = s(o, "/metadata/name").unwrap_or_default();
        if let Some(prefix) = s(o, "/metadata/generateName") {
            ph.add_name(name, prefix);
        }
        let owner = s(o, "/metadata/ownerReferences/0/name");
        match kind {
            "Certificate" => {
                if let Some(next) = s(o, "/status/nextPrivateKeySecretName") {
                    let prefix = format!("{name}-");
                    if is_generated_suffix(next, &prefix, false) {
                        ph.add_name(next, &prefix);
                    }
                }
            }
            "CertificateRequest" => {
                let cert = s(o, "/metadata/annotations/cert-manager.io~1certificate-name");
                let key = s(
                    o,
                    "/metadata/annotations/cert-manager.io~1private-key-secret-name",
                );
                if let (Some(cert), Some(key)) = (cert, key) {
                    let prefix = format!("{cert}-");
                    if is_generated_suffix(key, &prefix, false) {
                        ph.add_name(key, &prefix);
                    }
                }
            }
            "Order" | "Challenge" => {
                if let Some(owner) = owner {
                    let prefix = format!("{owner}-");
                    if is_generated_suffix(name, &prefix, true) {
                        ph.add_name(name, &prefix);
                    }
                }
            }
            "Service" => {
                if let Some(ip) = s(o, "/spec/clusterIP") {
                    add_ip(ph, ip);
                }
                for ip in o
                    .pointer("/spec/clusterIPs")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(ip) = ip.as_str() {
                        add_ip(ph, ip);
                    }
                }
                for p in o
                    .pointer("/spec/ports")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(n) = p.get("nodePort").and_then(Value::as_i64) {
                        ph.add_exact(&n.to_string(), Category::Port);
                    }
                }
            }
            "Pod" => {
                for key in ["podIP", "hostIP"] {
                    if let Some(ip) = o.pointer(&format!("/status/{key}")).and_then(Value::as_str) {
                        add_ip(ph, ip);
                    }
                }
                for key in ["containerStatuses", "initContainerStatuses"] {
                    for st in o
                        .pointer(&format!("/status/{key}"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(id) = st.get("containerID").and_then(Value::as_str) {
                            match id.find("://") {
                                Some(i) => ph.add(id, i + 3, id.len() - i - 3, Category::Id),
                                None => ph.add_whole(id, Category::Id),
                            }
                        }
                    }
                }
                for key in ["podIPs", "hostIPs"] {
                    for ip in o
                        .pointer(&format!("/status/{key}"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(ip) = ip.get("ip").and_then(Value::as_str) {
                            add_ip(ph, ip);
                        }
                    }
                }
            }
            "Issuer" | "ClusterIssuer" => {
                if let Some(h) = s(o, "/status/acme/lastPrivateKeyHash") {
                    ph.add_whole(h, Category::Hash);
                }
            }
            _ => {}
        }
        // Hashes of the token (random) and of the domain (which may hold the namespace).
        for label in ["http-token", "http-domain"] {
            if let Some(h) = s(
                o,
                &format!("/metadata/labels/acme.cert-manager.io~1{label}"),
            ) {
                ph.add_whole(h, Category::Hash);
            }
        }
    }
}

fn add_ip(ph: &mut Placeholders, ip: &str) {
    if !ip.is_empty() && ip != "None" && ip != "127.0.0.1" && ip != "::1" {
        ph.add_whole(ip, Category::Ip);
    }
}

/// Step 2 over every node of the tree.
fn transform(tree: &mut Value, summarizer: &Summarizer) {
    match tree {
        Value::Object(m) => {
            if m.get("object").is_some_and(|o| o.get("kind").is_some()) {
                let passwords = m.remove(KEYSTORE_PASSWORDS).unwrap_or(Value::Null);
                if let Some(obj) = m.get_mut("object") {
                    normalize_object(obj, summarizer, &passwords);
                }
                if let Some(events) = m.get_mut("events") {
                    let list = events.as_array().cloned().unwrap_or_default();
                    *events = timeline(&list);
                }
            }
            for (k, v) in m.iter_mut() {
                if k != "object" && k != "events" {
                    transform(v, summarizer);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| transform(v, summarizer)),
        _ => {}
    }
}

fn normalize_object(obj: &mut Value, summarizer: &Summarizer, passwords: &Value) {
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in ["uid", "resourceVersion", "managedFields", "selfLink"] {
            meta.remove(k);
        }
        if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            ann.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
        if let Some(owners) = meta
            .get_mut("ownerReferences")
            .and_then(Value::as_array_mut)
        {
            for o in owners.iter_mut().filter_map(Value::as_object_mut) {
                o.remove("uid");
            }
        }
    }
    if kind == "Service"
        && let Some(ports) = obj.pointer_mut("/spec/ports").and_then(Value::as_array_mut)
    {
        for p in ports.iter_mut() {
            if let Some(n) = p.get("nodePort").and_then(Value::as_i64) {
                p["nodePort"] = Value::String(n.to_string());
            }
        }
    }
    if kind == "Order" {
        sort_authorizations(obj);
    }
    if kind == "Secret" {
        if let Some(data) = obj.get_mut("data").and_then(Value::as_object_mut) {
            summarize_secret_data(data, summarizer, passwords);
        }
        if let Some(data) = obj.get_mut("stringData").and_then(Value::as_object_mut) {
            for (k, v) in data.iter_mut() {
                let bytes = v.as_str().unwrap_or_default().as_bytes().to_vec();
                *v = summarizer.secret_value(k, &bytes);
            }
        }
        return;
    }
    summarize_pem_strings(obj, summarizer);
}

/// ACME servers list an authorization's challenges in random order (Pebble shuffles
/// them): challenges are sorted by type, authorizations by identifier and wildcard.
fn sort_authorizations(order: &mut Value) {
    let Some(authzs) = order
        .pointer_mut("/status/authorizations")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for a in authzs.iter_mut() {
        if let Some(chs) = a.get_mut("challenges").and_then(Value::as_array_mut) {
            chs.sort_by_key(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            });
        }
    }
    authzs.sort_by_key(|a| {
        (
            a.get("identifier")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            a.get("wildcard").and_then(Value::as_bool).unwrap_or(false),
        )
    });
}

fn summarize_secret_data(
    data: &mut Map<String, Value>,
    summarizer: &Summarizer,
    passwords: &Value,
) {
    let engine = base64::engine::general_purpose::STANDARD;
    for (k, v) in data.iter_mut() {
        let encoded = v.as_str().unwrap_or_default();
        let password = if k.ends_with(".p12") {
            passwords.get("pkcs12").and_then(Value::as_str)
        } else if k.ends_with(".jks") {
            passwords.get("jks").and_then(Value::as_str)
        } else {
            None
        };
        *v = match engine.decode(encoded) {
            Ok(bytes) => match password {
                Some(pw) => summarizer.keystore(k, &bytes, pw),
                None => summarizer.secret_value(k, &bytes),
            },
            Err(_) => Value::String(format!("<{} bytes, not base64>", encoded.len())),
        };
    }
}

/// Base64 PEM (`[]byte` fields such as `spec.request`, `status.certificate`,
/// `caBundle`) and plain PEM strings become summaries.
fn summarize_pem_strings(v: &mut Value, summarizer: &Summarizer) {
    match v {
        Value::String(text) => {
            let engine = base64::engine::general_purpose::STANDARD;
            let bytes = if text.starts_with(B64_PEM_PREFIX) {
                engine.decode(text.as_bytes()).ok()
            } else if text.starts_with("-----BEGIN") {
                Some(text.as_bytes().to_vec())
            } else {
                None
            };
            if let Some(summary) = bytes.and_then(|b| summarizer.pem(&b)) {
                *v = summary;
            }
        }
        Value::Array(a) => a
            .iter_mut()
            .for_each(|x| summarize_pem_strings(x, summarizer)),
        Value::Object(m) => m
            .values_mut()
            .for_each(|x| summarize_pem_strings(x, summarizer)),
        _ => {}
    }
}

/// Whole values equal to the namespace, and the namespace as a word of a longer string:
/// not glued to a letter, digit, `-` or `_` on either side (so `ns/name`,
/// `web.ns.lab.test`, `namespaces/ns` and `"ns"` are replaced, `ns-other` is not).
/// Scenario namespaces should therefore be distinctive (not `default`).
fn replace_namespace(tree: &mut Value, ns: &str) {
    let glued =
        |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
    walk_strings_mut(tree, &mut |s| {
        if !s.contains(ns) {
            return;
        }
        let bytes = s.as_bytes();
        let hits: Vec<usize> = s
            .match_indices(ns)
            .map(|(i, _)| i)
            .filter(|&i| {
                let before = if i == 0 { None } else { bytes.get(i - 1) };
                !glued(before) && !glued(bytes.get(i.saturating_add(ns.len())))
            })
            .collect();
        if hits.is_empty() {
            return;
        }
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for at in hits {
            out.push_str(s.get(last..at).unwrap_or_default());
            out.push_str("<namespace>");
            last = at.saturating_add(ns.len());
        }
        out.push_str(s.get(last..).unwrap_or_default());
        *s = out;
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::{Duration, SystemTime};

    fn opts() -> CaptureOptions {
        CaptureOptions::new(SystemTime::from(
            "2026-11-29T13:00:00Z".parse::<jiff::Timestamp>().unwrap(),
        ))
    }

    #[test]
    fn metadata_is_stripped_and_times_become_offsets() {
        let raw = json!({"certificate": {"object": {
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": "web", "namespace": "team-a1", "uid": "abc", "resourceVersion": "17",
                         "generation": 2, "creationTimestamp": "2026-11-29T13:00:00Z",
                         "managedFields": [{"manager": "x"}],
                         "ownerReferences": [{"kind": "Ingress", "name": "web", "uid": "u1", "controller": true}]},
            "status": {"notAfter": "2027-02-27T13:00:01Z",
                       "conditions": [{"type": "Ready", "lastTransitionTime": "2026-11-29T13:00:00.6Z",
                                       "message": "Certificate is up to date and has not expired"}]}
        }}});
        let v = normalize(&raw, Some("team-a1"), &opts());
        let o = &v["certificate"]["object"];
        assert_eq!(o["metadata"]["namespace"], "<namespace>");
        assert_eq!(o["metadata"]["generation"], 2);
        for gone in ["uid", "resourceVersion", "managedFields"] {
            assert!(o["metadata"].get(gone).is_none(), "{gone}");
        }
        assert!(o["metadata"]["ownerReferences"][0].get("uid").is_none());
        assert_eq!(o["metadata"]["creationTimestamp"], "T+0s");
        assert_eq!(o["status"]["notAfter"], "T+2160h0m0s");
        assert_eq!(o["status"]["conditions"][0]["lastTransitionTime"], "T+0s");
    }

    #[test]
    fn generated_names_tokens_and_ips_are_placeholders() {
        let raw = json!({"challenges": [{"object": {
            "kind": "Challenge",
            "metadata": {"name": "web-1-2893104", "namespace": "ns1",
                         "ownerReferences": [{"kind": "Order", "name": "web-1-2893104", "uid": "x"}]},
            "spec": {"token": "tok_ABCdef123", "key": "tok_ABCdef123.thumbXYZ789",
                     "url": "https://127.0.0.1:14000/chalZ/AbCdEf0123456789"}
            },
            "solver": {"pods": [{"object": {"kind": "Pod",
                "metadata": {"name": "cm-acme-http-solver-x7k2p", "generateName": "cm-acme-http-solver-",
                             "labels": {"acme.cert-manager.io/http-token": "1234567"}},
                "spec": {"containers": [{"args": ["--token=tok_ABCdef123", "--key=tok_ABCdef123.thumbXYZ789"]}]},
                "status": {"podIP": "127.1.0.3"}}}],
              "services": [{"object": {"kind": "Service",
                "metadata": {"name": "cm-acme-http-solver-b9z2w", "generateName": "cm-acme-http-solver-"},
                "spec": {"clusterIP": "10.96.0.12", "ports": [{"port": 8089, "nodePort": 31234}]}}}]}
        }]});
        let v = normalize(&raw, Some("ns1"), &opts());
        let y = super::super::yaml::to_yaml(&v);
        for secret in [
            "tok_ABCdef123",
            "thumbXYZ789",
            "x7k2p",
            "b9z2w",
            "127.1.0.3",
            "10.96.0.12",
            "31234",
            "14000",
            "AbCdEf0123456789",
            "1234567",
        ] {
            assert!(!y.contains(secret), "{secret} left in:\n{y}");
        }
        let ch = &v["challenges"][0]["object"];
        assert_eq!(ch["spec"]["key"], "<token-1>.<thumbprint-1>");
        assert_eq!(ch["spec"]["url"], "https://127.0.0.1:<port-1>/chalZ/<id-1>");
        // The owner name is the same, so the challenge name is not `<order>-<digits>`.
        assert_eq!(ch["metadata"]["name"], "web-1-2893104");
        let pod = &v["challenges"][0]["solver"]["pods"][0]["object"];
        assert_eq!(pod["metadata"]["name"], "cm-acme-http-solver-<1>");
        assert_eq!(pod["spec"]["containers"][0]["args"][0], "--token=<token-1>");
        assert_eq!(pod["status"]["podIP"], "<ip-1>");
        let svc = &v["challenges"][0]["solver"]["services"][0]["object"];
        assert_eq!(svc["metadata"]["name"], "cm-acme-http-solver-<2>");
        assert_eq!(svc["spec"]["ports"][0]["nodePort"], "<port-2>");
        assert_eq!(svc["spec"]["ports"][0]["port"], 8089);
        let _ = Duration::ZERO;
    }

    #[test]
    fn the_namespace_is_replaced_as_a_word() {
        let raw = json!({"x": {"object": {"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "team-a"},
            "data": {"a": "team-a/web", "b": "web.team-a.lab.test", "c": "team-a.lab.test",
                     "d": "team-ab/x", "e": "my-team-a", "f": "/api/v1/namespaces/team-a/pods"}}}});
        let v = normalize(&raw, Some("team-a"), &opts());
        assert_eq!(
            v["x"]["object"]["data"],
            json!({"a": "<namespace>/web", "b": "web.<namespace>.lab.test", "c": "<namespace>.lab.test",
                   "d": "team-ab/x", "e": "my-team-a", "f": "/api/v1/namespaces/<namespace>/pods"})
        );
        assert_eq!(v["x"]["object"]["metadata"]["namespace"], "<namespace>");
    }

    #[test]
    fn secret_data_is_summarized_without_key_material() {
        use certlab_controller::pki::{EcCurve, KeyEncoding, PrivateKey};
        let key = PrivateKey::generate_ecdsa(EcCurve::P384)
            .unwrap()
            .to_pem(KeyEncoding::Pkcs1)
            .unwrap();
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let raw = json!({"secret": {"object": {"kind": "Secret", "metadata": {"name": "s"},
            "data": {"tls.key": b64(key.as_bytes()), "other": b64(b"12345")}}}});
        let v = normalize(&raw, None, &opts());
        let data = &v["secret"]["object"]["data"];
        assert_eq!(data["tls.key"]["algorithm"], "ECDSA");
        assert_eq!(data["tls.key"]["size"], 384);
        assert_eq!(data["tls.key"]["encoding"], "SEC1");
        assert_eq!(data["other"], "<5 bytes>");
        let y = super::super::yaml::to_yaml(&v);
        let body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(!y.contains(&body[..20]));
    }
}
