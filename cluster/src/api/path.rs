//! Request paths, resolved as the API server's `RequestInfoFactory` does.

/// What a request path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/version`.
    Version,
    /// `/healthz`, `/livez`, `/readyz` (and their sub-paths).
    Health,
    /// `/api`.
    CoreVersions,
    /// `/apis`.
    Groups,
    /// `/apis/<group>`.
    Group(String),
    /// `/api/v1` or `/apis/<group>/<version>`.
    GroupVersion(String, String),
    /// `/openapi/v2`.
    OpenApiV2,
    /// `/openapi/v3`.
    OpenApiV3Index,
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/<group>/<version>`.
    OpenApiV3(String, String),
    /// A resource path.
    Resource(ResourcePath),
    /// Anything else.
    NotFound,
}

/// A path under a group version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourcePath {
    /// Group ("" for core).
    pub group: String,
    /// Version.
    pub version: String,
    /// The namespace segment, if the path has one.
    pub namespace: Option<String>,
    /// The resource (plural).
    pub resource: String,
    /// The object name.
    pub name: Option<String>,
    /// The subresource.
    pub subresource: Option<String>,
    /// The legacy `/watch/` prefix was used.
    pub watch_prefix: bool,
}

/// Subresources of namespaces that are not namespaced resources
/// (`/api/v1/namespaces/<name>/status`).
const NAMESPACE_SUBRESOURCES: &[&str] = &["status", "finalize"];

/// Resolves a request path (without the query string).
pub fn parse(path: &str) -> Route {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    match s.as_slice() {
        ["version"] => Route::Version,
        ["healthz" | "livez" | "readyz", ..] => Route::Health,
        ["api"] => Route::CoreVersions,
        ["apis"] => Route::Groups,
        ["apis", group] => Route::Group(group.to_string()),
        ["openapi", "v2"] => Route::OpenApiV2,
        ["openapi", "v3"] => Route::OpenApiV3Index,
        ["openapi", "v3", "api", version] => Route::OpenApiV3(String::new(), version.to_string()),
        ["openapi", "v3", "apis", group, version] => {
            Route::OpenApiV3(group.to_string(), version.to_string())
        }
        ["api", version] => Route::GroupVersion(String::new(), version.to_string()),
        ["apis", group, version] => Route::GroupVersion(group.to_string(), version.to_string()),
        ["api", version, rest @ ..] => resource("", version, rest),
        ["apis", group, version, rest @ ..] => resource(group, version, rest),
        _ => Route::NotFound,
    }
}

fn resource(group: &str, version: &str, rest: &[&str]) -> Route {
    let mut rest = rest;
    let mut out = ResourcePath {
        group: group.to_string(),
        version: version.to_string(),
        ..ResourcePath::default()
    };
    if rest.first() == Some(&"watch") {
        out.watch_prefix = true;
        rest = &rest[1..];
    }
    // /namespaces/<ns>/<resource>/... unless the third segment is a namespace
    // subresource: then it is the namespace object itself.
    if rest.first() == Some(&"namespaces") && rest.len() > 1 {
        let ns = rest[1];
        if rest.len() > 2 && !NAMESPACE_SUBRESOURCES.contains(&rest[2]) {
            out.namespace = Some(ns.to_string());
            rest = &rest[2..];
        }
    }
    match rest {
        [resource] => out.resource = resource.to_string(),
        [resource, name] => {
            out.resource = resource.to_string();
            out.name = Some(name.to_string());
        }
        [resource, name, sub] => {
            out.resource = resource.to_string();
            out.name = Some(name.to_string());
            out.subresource = Some(sub.to_string());
        }
        _ => return Route::NotFound,
    }
    Route::Resource(out)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|c| hex(*c)),
                bytes.get(i + 2).and_then(|c| hex(*c)),
            )
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> ResourcePath {
        match parse(path) {
            Route::Resource(r) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn resource_paths() {
        let r = res("/api/v1/namespaces/default/secrets/web-tls");
        assert_eq!(
            (
                r.namespace.as_deref(),
                r.resource.as_str(),
                r.name.as_deref()
            ),
            (Some("default"), "secrets", Some("web-tls"))
        );
        let r = res("/apis/cert-manager.io/v1/namespaces/d/certificates/web/status");
        assert_eq!(
            (r.group.as_str(), r.subresource.as_deref()),
            ("cert-manager.io", Some("status"))
        );
        let r = res("/api/v1/namespaces/d");
        assert_eq!(
            (r.namespace, r.resource.as_str(), r.name.as_deref()),
            (None, "namespaces", Some("d"))
        );
        let r = res("/api/v1/namespaces/d/finalize");
        assert_eq!(
            (
                r.resource.as_str(),
                r.name.as_deref(),
                r.subresource.as_deref()
            ),
            ("namespaces", Some("d"), Some("finalize"))
        );
        let r = res("/api/v1/namespaces");
        assert_eq!((r.resource.as_str(), r.name), ("namespaces", None));
        let r = res("/apis/cert-manager.io/v1/certificates");
        assert_eq!((r.namespace, r.resource.as_str()), (None, "certificates"));
        let r = res("/api/v1/watch/namespaces/d/pods");
        assert!(r.watch_prefix);
        assert_eq!(r.namespace.as_deref(), Some("d"));
        assert_eq!(
            res("/api/v1/namespaces/d/configmaps/a%20b").name.as_deref(),
            Some("a b")
        );
    }

    #[test]
    fn other_paths() {
        assert_eq!(parse("/version"), Route::Version);
        assert_eq!(
            parse("/apis/networking.k8s.io"),
            Route::Group("networking.k8s.io".into())
        );
        assert_eq!(
            parse("/api/v1"),
            Route::GroupVersion(String::new(), "v1".into())
        );
        assert_eq!(
            parse("/openapi/v3/apis/cert-manager.io/v1"),
            Route::OpenApiV3("cert-manager.io".into(), "v1".into())
        );
        assert_eq!(parse("/api/v1/a/b/c/d"), Route::NotFound);
        assert_eq!(parse("/foo"), Route::NotFound);
        assert_eq!(parse("/readyz/ping"), Route::Health);
    }
}
