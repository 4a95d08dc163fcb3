//! Legacy discovery: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/<g>`,
//! `/apis/<g>/<v>`. kubectl and client-go fall back to these when the answer is plain
//! `application/json` rather than aggregated discovery.

use serde_json::{Value, json};

use crate::registry::Registry;
use crate::status::StatusError;

/// The Kubernetes version the server reports (matching the k8s-openapi API level).
pub const KUBE_MINOR: &str = "33";

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": KUBE_MINOR,
        "emulationMajor": "1",
        "emulationMinor": KUBE_MINOR,
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "32",
        "gitVersion": format!("v1.{KUBE_MINOR}.0+certlab-{}", env!("CARGO_PKG_VERSION")),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "n/a (certlab-cluster, Rust)",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, go_arch()),
    })
}

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// `/api`.
pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn group_json(group: &str, versions: &[String]) -> Value {
    let gv: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    let preferred = gv.first().cloned().unwrap_or(Value::Null);
    json!({"name": group, "versions": gv, "preferredVersion": preferred})
}

/// `/apis`.
pub fn groups(registry: &Registry) -> Value {
    let groups: Vec<Value> = registry
        .groups()
        .iter()
        .map(|(g, v)| group_json(g, v))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/<group>`.
pub fn group(registry: &Registry, name: &str) -> Result<Value, StatusError> {
    let (g, versions) = registry
        .groups()
        .into_iter()
        .find(|(g, _)| g == name)
        .ok_or_else(StatusError::path_not_found)?;
    let mut v = group_json(&g, &versions);
    if let Some(map) = v.as_object_mut() {
        map.insert("kind".into(), Value::from("APIGroup"));
        map.insert("apiVersion".into(), Value::from("v1"));
    }
    Ok(v)
}

/// `/api/v1` and `/apis/<group>/<version>`.
pub fn resources(registry: &Registry, group: &str, version: &str) -> Result<Value, StatusError> {
    if !registry.serves(group, version) {
        return Err(StatusError::path_not_found());
    }
    let mut out = Vec::new();
    for rt in registry.resources(group, version) {
        let mut entry = json!({
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": rt.verbs,
        });
        if let Some(map) = entry.as_object_mut() {
            if !rt.short_names.is_empty() {
                map.insert("shortNames".into(), json!(rt.short_names));
            }
            if !rt.categories.is_empty() {
                map.insert("categories".into(), json!(rt.categories));
            }
        }
        out.push(entry);
        if rt.strategy.has_status() {
            out.push(json!({"name": format!("{}/status", rt.plural), "singularName": "", "namespaced": rt.namespaced,
                "kind": rt.kind, "verbs": ["get", "patch", "update"]}));
        }
        if rt.group.is_empty() && rt.plural == "namespaces" {
            out.push(
                json!({"name": "namespaces/finalize", "singularName": "", "namespaced": false,
                "kind": "Namespace", "verbs": ["update"]}),
            );
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Ok(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": out}),
    )
}
