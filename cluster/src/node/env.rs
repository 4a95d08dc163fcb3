//! A container's environment and the `$(VAR)` expansion of its command and args, as
//! the kubelet does them.

use std::collections::HashMap;

use base64::Engine;
use serde_json::Value;

use crate::meta::ObjectExt;
use crate::objects::Objects;
use crate::status::GroupResource;
use crate::store::ObjectKey;

/// Expands `$(NAME)` references from `vars`: `$$` is a literal `$`, references to
/// unknown names and unterminated ones are kept as written.
pub fn expand(input: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('(') {
            match inner.find(')') {
                Some(end) => {
                    let name = &inner[..end];
                    match vars.get(name) {
                        Some(value) => out.push_str(value),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &inner[end + 1..];
                }
                None => {
                    out.push_str("$(");
                    rest = inner;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// What `valueFrom.fieldRef` may read.
fn field_ref(pod: &Value, path: &str, pod_ip: &str) -> Option<String> {
    let value = match path {
        "metadata.name"
        | "metadata.namespace"
        | "metadata.uid"
        | "spec.nodeName"
        | "spec.serviceAccountName"
        | "status.hostIP" => pod.str_at(path)?.to_string(),
        "status.podIP" => pod_ip.to_string(),
        "status.podIPs" => pod_ip.to_string(),
        "status.hostIPs" => "127.0.0.1".to_string(),
        _ => {
            // metadata.labels['key'] / metadata.annotations['key']
            let (map, key) = path
                .strip_prefix("metadata.labels['")
                .map(|k| ("labels", k))
                .or_else(|| {
                    path.strip_prefix("metadata.annotations['")
                        .map(|k| ("annotations", k))
                })?;
            let key = key.strip_suffix("']")?;
            pod.metadata()?.get(map)?.get(key)?.as_str()?.to_string()
        }
    };
    Some(value)
}

/// One key of a ConfigMap or Secret in `namespace`.
fn key_of(
    objects: &Objects,
    namespace: &str,
    secret: bool,
    name: &str,
    key: &str,
) -> Option<String> {
    let resource = GroupResource::new("", if secret { "secrets" } else { "configmaps" });
    let obj = objects
        .store()
        .get(&resource, &ObjectKey::new(namespace, name))?;
    if secret {
        let encoded = obj.get("data")?.get(key)?.as_str()?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()?;
        String::from_utf8(bytes).ok()
    } else {
        obj.get("data")?.get(key)?.as_str().map(str::to_string)
    }
}

/// Every key of a ConfigMap or Secret, for `envFrom`.
fn all_keys(objects: &Objects, namespace: &str, secret: bool, name: &str) -> Vec<(String, String)> {
    let resource = GroupResource::new("", if secret { "secrets" } else { "configmaps" });
    let Some(obj) = objects
        .store()
        .get(&resource, &ObjectKey::new(namespace, name))
    else {
        return Vec::new();
    };
    let Some(data) = obj.get("data").and_then(Value::as_object) else {
        return Vec::new();
    };
    data.keys()
        .filter_map(|k| key_of(objects, namespace, secret, name, k).map(|v| (k.clone(), v)))
        .collect()
}

/// The environment of `container` in `pod`: `envFrom` sources first, then `env` in
/// order, each value expanded against the variables before it. Sources that don't
/// resolve are left out (logged at debug level).
pub fn container_env(
    objects: &Objects,
    pod: &Value,
    container: &Value,
    pod_ip: &str,
) -> Vec<(String, String)> {
    let namespace = pod.namespace().unwrap_or("");
    let mut env: Vec<(String, String)> = Vec::new();
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut set = |env: &mut Vec<(String, String)>, name: String, value: String| {
        vars.insert(name.clone(), value.clone());
        match env.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => env.push((name, value)),
        }
    };
    for source in container
        .get("envFrom")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let prefix = source.str_at("prefix").unwrap_or("");
        let (secret, name) = match (
            source.str_at("configMapRef.name"),
            source.str_at("secretRef.name"),
        ) {
            (Some(n), _) => (false, n),
            (None, Some(n)) => (true, n),
            (None, None) => continue,
        };
        for (k, v) in all_keys(objects, namespace, secret, name) {
            set(&mut env, format!("{prefix}{k}"), v);
        }
    }
    for var in container
        .get("env")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = var.str_at("name") else {
            continue;
        };
        let value = if let Some(v) = var.get("value").and_then(Value::as_str) {
            let known: HashMap<String, String> =
                env.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            Some(expand(v, &known))
        } else if let Some(from) = var.get("valueFrom") {
            if let Some(path) = from.str_at("fieldRef.fieldPath") {
                field_ref(pod, path, pod_ip)
            } else if let (Some(n), Some(k)) = (
                from.str_at("configMapKeyRef.name"),
                from.str_at("configMapKeyRef.key"),
            ) {
                key_of(objects, namespace, false, n, k)
            } else if let (Some(n), Some(k)) = (
                from.str_at("secretKeyRef.name"),
                from.str_at("secretKeyRef.key"),
            ) {
                key_of(objects, namespace, true, n, k)
            } else {
                None
            }
        } else {
            Some(String::new())
        };
        match value {
            Some(v) => set(&mut env, name.to_string(), v),
            None => tracing::debug!(
                pod = pod.name().unwrap_or(""),
                %namespace,
                variable = name,
                "environment variable source not resolved; left out"
            ),
        }
    }
    env
}

/// `command` or `args` of a container, expanded against its environment.
pub fn expanded_list(container: &Value, field: &str, env: &[(String, String)]) -> Vec<String> {
    let vars: HashMap<String, String> = env.iter().cloned().collect();
    container
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|s| expand(s, &vars))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn expansion_follows_the_kubelet() {
        let v = vars(&[("PORT", "8089"), ("HOST", "a.lab")]);
        assert_eq!(expand("--listen-port=$(PORT)", &v), "--listen-port=8089");
        assert_eq!(expand("$(HOST):$(PORT)", &v), "a.lab:8089");
        assert_eq!(expand("$$(PORT)", &v), "$(PORT)");
        assert_eq!(expand("$(MISSING)", &v), "$(MISSING)");
        assert_eq!(expand("cost $5 $(", &v), "cost $5 $(");
        assert_eq!(expand("trailing $", &v), "trailing $");
        assert_eq!(expand("", &v), "");
        assert_eq!(expand("ünï$(PORT)çødé", &v), "ünï8089çødé");
    }

    #[test]
    fn field_refs() {
        let pod = serde_json::json!({"metadata": {"name": "p", "namespace": "n", "uid": "u", "labels": {"app": "web"}}, "spec": {"nodeName": "certlab-node"}});
        assert_eq!(
            field_ref(&pod, "metadata.name", "127.1.0.2").as_deref(),
            Some("p")
        );
        assert_eq!(
            field_ref(&pod, "status.podIP", "127.1.0.2").as_deref(),
            Some("127.1.0.2")
        );
        assert_eq!(
            field_ref(&pod, "metadata.labels['app']", "").as_deref(),
            Some("web")
        );
        assert_eq!(
            field_ref(&pod, "spec.nodeName", "").as_deref(),
            Some("certlab-node")
        );
        assert_eq!(field_ref(&pod, "status.bogus", ""), None);
    }
}
