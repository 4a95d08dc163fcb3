//! Matching a request to an Ingress backend, per networking.k8s.io/v1:
//!
//! - `host`: exact, or `*.suffix` matching exactly one more leading label; a rule
//!   without a host matches every host. Exact hosts win over wildcards, wildcards
//!   over rules without a host.
//! - `path`: `Exact` (the whole path, case-sensitive), `Prefix` (element-wise on
//!   `/`-separated elements, a trailing `/` ignored), `ImplementationSpecific` (as
//!   `Prefix`). Within the best host kind the longest path wins, `Exact` before
//!   `Prefix` on a tie, then the first Ingress in (namespace, name) order.
//! - No rule matches: the `defaultBackend` of the first served Ingress that has one.

use std::sync::Arc;

use serde_json::Value;

use crate::meta::ObjectExt;

/// How a backend names its Service port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    /// `port.number`.
    Number(u16),
    /// `port.name`.
    Name(String),
}

/// An Ingress backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// `service`: a Service in the Ingress's namespace.
    Service {
        /// The namespace (the Ingress's).
        namespace: String,
        /// `service.name`.
        name: String,
        /// `service.port`.
        port: PortRef,
    },
    /// `resource` backends, or a backend naming nothing usable.
    Unsupported(String),
}

/// What a request matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `namespace/name` of the Ingress.
    pub ingress: String,
    /// Where to send the request.
    pub backend: Backend,
}

/// The host of a request, from its `Host` header or authority: lower case, without
/// the port and a trailing dot.
pub fn normalize_host(raw: &str) -> String {
    let raw = raw.trim();
    let host = if let Some(rest) = raw.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        match raw.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => raw,
        }
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// How well a rule's host matches: 2 exact, 1 wildcard, 0 no host; `None` no match.
pub fn host_match(rule_host: Option<&str>, host: &str) -> Option<u8> {
    let Some(rule) = rule_host.filter(|h| !h.is_empty()) else {
        return Some(0);
    };
    let rule = rule.to_ascii_lowercase();
    if let Some(suffix) = rule.strip_prefix("*.") {
        let (first, rest) = host.split_once('.')?;
        return (!first.is_empty() && rest == suffix).then_some(1);
    }
    (rule == host).then_some(2)
}

fn elements(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|e| !e.is_empty())
}

/// How well a rule's path matches `path`: `Some((length, exact))`.
pub fn path_match(path_type: &str, rule_path: &str, path: &str) -> Option<(usize, bool)> {
    let rule_path = if rule_path.is_empty() { "/" } else { rule_path };
    if path_type == "Exact" {
        return (rule_path == path).then_some((rule_path.len(), true));
    }
    let mut request = elements(path);
    let mut length = 0;
    for element in elements(rule_path) {
        if request.next() != Some(element) {
            return None;
        }
        length += element.len() + 1;
    }
    Some((length.max(1), false))
}

fn backend(namespace: &str, backend: &Value) -> Backend {
    if let Some(service) = backend.get("service") {
        let name = service.str_at("name").unwrap_or("").to_string();
        let port = service.get("port");
        let port = match (
            port.and_then(|p| p.get("number")).and_then(Value::as_u64),
            port.and_then(|p| p.str_at("name")),
        ) {
            (Some(n), _) => u16::try_from(n).ok().map(PortRef::Number),
            (None, Some(n)) => Some(PortRef::Name(n.to_string())),
            (None, None) => None,
        };
        return match port {
            Some(port) if !name.is_empty() => Backend::Service {
                namespace: namespace.to_string(),
                name,
                port,
            },
            _ => Backend::Unsupported("a service backend without a name or port".into()),
        };
    }
    if backend.get("resource").is_some() {
        return Backend::Unsupported("resource backends are not supported".into());
    }
    Backend::Unsupported("an empty backend".into())
}

fn ingress_id(ingress: &Value) -> String {
    format!(
        "{}/{}",
        ingress.namespace().unwrap_or(""),
        ingress.name().unwrap_or("")
    )
}

/// The route for `host` (normalized) and `path` (without the query) among the
/// served `ingresses` (in the order ties are broken).
pub fn route(ingresses: &[Arc<Value>], host: &str, path: &str) -> Option<Route> {
    // (host kind, path length, exact) of the best match so far.
    let mut best: Option<((u8, usize, bool), Route)> = None;
    for ingress in ingresses {
        let namespace = ingress.namespace().unwrap_or("");
        for rule in ingress
            .pointer("/spec/rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(kind) = host_match(rule.str_at("host"), host) else {
                continue;
            };
            for p in rule
                .pointer("/http/paths")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let path_type = p.str_at("pathType").unwrap_or("ImplementationSpecific");
                let Some((length, exact)) =
                    path_match(path_type, p.str_at("path").unwrap_or("/"), path)
                else {
                    continue;
                };
                let rank = (kind, length, exact);
                if best.as_ref().is_none_or(|(b, _)| rank > *b) {
                    let Some(b) = p.get("backend") else { continue };
                    best = Some((
                        rank,
                        Route {
                            ingress: ingress_id(ingress),
                            backend: backend(namespace, b),
                        },
                    ));
                }
            }
        }
    }
    if let Some((_, route)) = best {
        return Some(route);
    }
    ingresses.iter().find_map(|ingress| {
        let b = ingress.pointer("/spec/defaultBackend")?;
        Some(Route {
            ingress: ingress_id(ingress),
            backend: backend(ingress.namespace().unwrap_or(""), b),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hosts() {
        assert_eq!(normalize_host("Example.COM:8080"), "example.com");
        assert_eq!(normalize_host("a.lab."), "a.lab");
        assert_eq!(normalize_host("[::1]:80"), "::1");
        assert_eq!(normalize_host("weird:port"), "weird:port");
        assert_eq!(host_match(Some("foo.bar.com"), "foo.bar.com"), Some(2));
        assert_eq!(host_match(Some("*.bar.com"), "foo.bar.com"), Some(1));
        assert_eq!(host_match(Some("*.bar.com"), "baz.foo.bar.com"), None);
        assert_eq!(host_match(Some("*.bar.com"), "bar.com"), None);
        assert_eq!(host_match(Some("*.bar.com"), ".bar.com"), None);
        assert_eq!(host_match(None, "anything"), Some(0));
        assert_eq!(host_match(Some("a.com"), "b.com"), None);
    }

    #[test]
    fn paths_follow_the_spec_table() {
        let m = |t: &str, rule: &str, path: &str| path_match(t, rule, path).is_some();
        assert!(m("Prefix", "/", "/anything"));
        assert!(m("Exact", "/foo", "/foo"));
        assert!(!m("Exact", "/foo", "/bar"));
        assert!(!m("Exact", "/foo", "/foo/"));
        assert!(!m("Exact", "/foo/", "/foo"));
        assert!(m("Prefix", "/foo", "/foo"));
        assert!(m("Prefix", "/foo", "/foo/"));
        assert!(m("Prefix", "/foo/", "/foo"));
        assert!(m("Prefix", "/aaa/bbb", "/aaa/bbb"));
        assert!(!m("Prefix", "/aaa/bb", "/aaa/bbb"));
        assert!(m("Prefix", "/aaa/bbb/", "/aaa/bbb"));
        assert!(m("Prefix", "/aaa/bbb", "/aaa/bbb/ccc"));
        assert!(!m("Prefix", "/aaa/bbb", "/aaa/bbbxyz"));
        assert!(m("ImplementationSpecific", "/aaa", "/aaa/ccc"));
    }

    fn ing(ns: &str, name: &str, spec: Value) -> Arc<Value> {
        Arc::new(json!({"metadata": {"namespace": ns, "name": name}, "spec": spec}))
    }

    fn svc(name: &str) -> Value {
        json!({"service": {"name": name, "port": {"number": 80}}})
    }

    fn target(r: Option<Route>) -> String {
        match r.map(|r| r.backend) {
            Some(Backend::Service { name, .. }) => name,
            Some(Backend::Unsupported(why)) => format!("unsupported: {why}"),
            None => "none".into(),
        }
    }

    #[test]
    fn precedence() {
        let list = vec![
            ing(
                "a",
                "one",
                json!({"rules": [
                    {"host": "x.lab", "http": {"paths": [
                        {"path": "/", "pathType": "Prefix", "backend": svc("root")},
                        {"path": "/api", "pathType": "Prefix", "backend": svc("api")},
                        {"path": "/api", "pathType": "Exact", "backend": svc("api-exact")},
                    ]}},
                    {"host": "*.lab", "http": {"paths": [
                        {"path": "/", "pathType": "Prefix", "backend": svc("wild")},
                    ]}},
                    {"http": {"paths": [
                        {"path": "/", "pathType": "Prefix", "backend": svc("any")},
                    ]}},
                ]}),
            ),
            ing(
                "b",
                "two",
                json!({"defaultBackend": svc("default"), "rules": [
                    {"host": "y.other", "http": {"paths": [
                        {"path": "/only", "pathType": "Exact", "backend": {"resource": {"kind": "Bucket", "name": "b"}}},
                    ]}},
                ]}),
            ),
        ];
        assert_eq!(target(route(&list, "x.lab", "/")), "root");
        assert_eq!(target(route(&list, "x.lab", "/api/v1")), "api");
        assert_eq!(target(route(&list, "x.lab", "/api")), "api-exact");
        assert_eq!(target(route(&list, "z.lab", "/api")), "wild");
        assert_eq!(target(route(&list, "elsewhere", "/")), "any");
        assert_eq!(
            target(route(&list, "y.other", "/only")),
            "unsupported: resource backends are not supported"
        );
        let no_catch_all = vec![list[1].clone()];
        assert_eq!(target(route(&no_catch_all, "q", "/")), "default");
        assert_eq!(target(route(&[], "q", "/")), "none");
    }
}
