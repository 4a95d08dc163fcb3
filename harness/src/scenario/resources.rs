//! Kubernetes access for the runner: kinds resolved through discovery (cached), objects
//! as `DynamicObject`, namespaces injected into namespaced objects.

use std::collections::HashMap;
use std::sync::Mutex;

use kube::api::{Api, DynamicObject, ListParams};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiResource, Scope};
use serde_json::Value;

use super::model::ObjectRefSpec;

/// A resolved kind.
#[derive(Debug, Clone)]
pub struct Kind {
    /// The resource.
    pub resource: ApiResource,
    /// Namespaced (`true`) or cluster-scoped.
    pub namespaced: bool,
}

/// Discovery results shared by every scenario run on one client.
#[derive(Default)]
pub struct KindCache {
    kinds: Mutex<HashMap<(String, String), Kind>>,
}

impl std::fmt::Debug for KindCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KindCache").finish_non_exhaustive()
    }
}

impl KindCache {
    /// Resolves `apiVersion` + `kind` through discovery.
    pub async fn resolve(
        &self,
        client: &kube::Client,
        api_version: &str,
        kind: &str,
    ) -> Result<Kind, String> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(k) = self
            .kinds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(k.clone());
        }
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (resource, caps) = kube::discovery::pinned_kind(client, &gvk)
            .await
            .map_err(|e| format!("unknown kind {kind} in {api_version}: {e}"))?;
        let resolved = Kind {
            resource,
            namespaced: matches!(caps.scope, Scope::Namespaced),
        };
        self.kinds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, resolved.clone());
        Ok(resolved)
    }
}

/// The identity of an object document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocId {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`, if given.
    pub name: Option<String>,
    /// `metadata.namespace`, if given.
    pub namespace: Option<String>,
}

fn str_at<'a>(doc: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut at = doc;
    for p in path {
        at = at.get(p)?;
    }
    at.as_str()
}

/// Reads a document's identity.
pub fn doc_id(doc: &Value) -> Result<DocId, String> {
    let api_version = str_at(doc, &["apiVersion"])
        .ok_or("the object has no apiVersion")?
        .to_string();
    let kind = str_at(doc, &["kind"])
        .ok_or("the object has no kind")?
        .to_string();
    Ok(DocId {
        api_version,
        kind,
        name: str_at(doc, &["metadata", "name"]).map(str::to_string),
        namespace: str_at(doc, &["metadata", "namespace"]).map(str::to_string),
    })
}

/// Sets `metadata.namespace` when the kind is namespaced and none is given.
pub fn inject_namespace(doc: &mut Value, kind: &Kind, namespace: &str) {
    if !kind.namespaced {
        return;
    }
    let Some(obj) = doc.as_object_mut() else {
        return;
    };
    let meta = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    if let Some(meta) = meta.as_object_mut()
        && !meta.contains_key("namespace")
    {
        meta.insert("namespace".into(), Value::from(namespace));
    }
}

/// The API for a kind in a namespace (ignored for cluster-scoped kinds).
pub fn api(client: &kube::Client, kind: &Kind, namespace: Option<&str>) -> Api<DynamicObject> {
    match (kind.namespaced, namespace) {
        (true, Some(ns)) => Api::namespaced_with(client.clone(), ns, &kind.resource),
        (true, None) => Api::default_namespaced_with(client.clone(), &kind.resource),
        (false, _) => Api::all_with(client.clone(), &kind.resource),
    }
}

/// An object as JSON.
pub fn to_json(obj: &DynamicObject) -> Value {
    serde_json::to_value(obj).unwrap_or(Value::Null)
}

/// The error text of a kube call, with the API server's message first.
pub fn kube_error(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(status) => {
            if status.reason.is_empty() {
                format!("{} (HTTP {})", status.message, status.code)
            } else {
                format!(
                    "{} ({}, HTTP {})",
                    status.message, status.reason, status.code
                )
            }
        }
        other => other.to_string(),
    }
}

/// Whether a kube error is worth retrying (transport trouble, 5xx, 409, 429).
pub fn is_transient(e: &kube::Error) -> bool {
    match e {
        kube::Error::Api(status) => status.code >= 500 || status.code == 409 || status.code == 429,
        _ => true,
    }
}

/// Fetches one object; `Ok(None)` when it does not exist.
pub async fn get(
    client: &kube::Client,
    kind: &Kind,
    namespace: Option<&str>,
    name: &str,
) -> Result<Option<Value>, String> {
    api(client, kind, namespace)
        .get_opt(name)
        .await
        .map(|o| o.as_ref().map(to_json))
        .map_err(|e| kube_error(&e))
}

/// Lists objects of a kind (by labels when given).
pub async fn list(
    client: &kube::Client,
    kind: &Kind,
    namespace: Option<&str>,
    labels: Option<&serde_json::Map<String, Value>>,
) -> Result<Vec<Value>, String> {
    let mut params = ListParams::default();
    if let Some(labels) = labels.filter(|l| !l.is_empty()) {
        let selector = labels
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    v.as_str().map_or_else(|| v.to_string(), str::to_string)
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        params = params.labels(&selector);
    }
    api(client, kind, namespace)
        .list(&params)
        .await
        .map(|l| l.items.iter().map(to_json).collect())
        .map_err(|e| kube_error(&e))
}

/// A ref with the namespace defaulted for namespaced kinds.
pub fn full_ref(r: &ObjectRefSpec, kind: &Kind, namespace: &str) -> ObjectRefSpec {
    let mut out = r.clone();
    if kind.namespaced {
        if out.namespace.is_none() {
            out.namespace = Some(namespace.to_string());
        }
    } else {
        out.namespace = None;
    }
    out
}
