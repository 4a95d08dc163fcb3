//! The built-in kinds: core/v1, events.k8s.io/v1, networking.k8s.io/v1,
//! coordination.k8s.io/v1, apiextensions.k8s.io/v1, and the review APIs.
//!
//! Each kind is decoded through its k8s-openapi type (which type-checks it and drops
//! unknown fields), then defaulted and validated by hand for the rules that matter to
//! clients of the lab.

mod config;
mod crd;
mod event;
mod lease;
mod namespace;
mod networking;
mod pod;
mod review;
mod secret;
mod service;

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{ALL_VERBS, Decoded, ResourceType, Strategy};
use crate::shape::Shape;
use crate::status::{GroupResource, StatusError};

pub use crd::CrdStrategy;
pub use review::ReviewKind;

/// Every built-in resource type.
pub fn all() -> Vec<ResourceType> {
    let service = Arc::new(service::ServiceStrategy::default());
    vec![
        stored(
            "",
            "v1",
            "Namespace",
            "namespaces",
            &["ns"],
            &[],
            false,
            Arc::new(namespace::NamespaceStrategy),
        ),
        stored(
            "",
            "v1",
            "Secret",
            "secrets",
            &[],
            &[],
            true,
            Arc::new(secret::SecretStrategy),
        ),
        stored(
            "",
            "v1",
            "ConfigMap",
            "configmaps",
            &["cm"],
            &[],
            true,
            Arc::new(config::ConfigMapStrategy),
        ),
        stored(
            "",
            "v1",
            "Service",
            "services",
            &["svc"],
            &["all"],
            true,
            service,
        ),
        stored(
            "",
            "v1",
            "Endpoints",
            "endpoints",
            &["ep"],
            &[],
            true,
            Arc::new(config::EndpointsStrategy),
        ),
        stored(
            "",
            "v1",
            "Pod",
            "pods",
            &["po"],
            &["all"],
            true,
            Arc::new(pod::PodStrategy),
        ),
        stored(
            "",
            "v1",
            "ServiceAccount",
            "serviceaccounts",
            &["sa"],
            &[],
            true,
            Arc::new(config::ServiceAccountStrategy),
        ),
        stored(
            "",
            "v1",
            "Event",
            "events",
            &["ev"],
            &[],
            true,
            Arc::new(event::CoreEventStrategy),
        ),
        ResourceType {
            storage: GroupResource::new("", "events"),
            ..stored(
                "events.k8s.io",
                "v1",
                "Event",
                "events",
                &["ev"],
                &[],
                true,
                Arc::new(event::EventsV1Strategy),
            )
        },
        stored(
            "networking.k8s.io",
            "v1",
            "Ingress",
            "ingresses",
            &["ing"],
            &[],
            true,
            Arc::new(networking::IngressStrategy),
        ),
        stored(
            "networking.k8s.io",
            "v1",
            "IngressClass",
            "ingressclasses",
            &[],
            &[],
            false,
            Arc::new(networking::IngressClassStrategy),
        ),
        stored(
            "coordination.k8s.io",
            "v1",
            "Lease",
            "leases",
            &[],
            &[],
            true,
            Arc::new(lease::LeaseStrategy),
        ),
        stored(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            &["crd", "crds"],
            &["api-extensions"],
            false,
            Arc::new(crd::CrdStrategy),
        ),
        review::resource(ReviewKind::SelfSubjectAccessReview),
        review::resource(ReviewKind::SelfSubjectRulesReview),
        review::resource(ReviewKind::SelfSubjectReview),
    ]
}

#[allow(clippy::too_many_arguments)]
fn stored(
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
    short_names: &[&str],
    categories: &[&str],
    namespaced: bool,
    strategy: Arc<dyn Strategy>,
) -> ResourceType {
    ResourceType {
        group: group.to_string(),
        version: version.to_string(),
        kind: kind.to_string(),
        list_kind: format!("{kind}List"),
        plural: plural.to_string(),
        singular: kind.to_lowercase(),
        short_names: short_names.iter().map(|s| s.to_string()).collect(),
        categories: categories.iter().map(|s| s.to_string()).collect(),
        namespaced,
        storage: GroupResource::new(group, plural),
        verbs: ALL_VERBS,
        custom: false,
        shape: Arc::new(crate::fieldmanager::rooted_shape(
            &crate::builtin_shapes::shape_for(group, version, kind).unwrap_or(Shape::Deduced),
        )),
        strategy,
    }
}

/// Decodes `obj` through the k8s-openapi type `K`: type errors become the API
/// server's 400, unknown fields are dropped and reported.
pub(crate) fn typed<K: DeserializeOwned + Serialize>(
    obj: Value,
    kind: &str,
    version: &str,
) -> Result<Decoded, StatusError> {
    let decoded: K = serde_json::from_value(obj.clone()).map_err(|e| {
        StatusError::bad_request(format!(
            "{kind} in version {version:?} cannot be handled as a {kind}: {e}"
        ))
    })?;
    let object =
        serde_json::to_value(&decoded).map_err(|e| StatusError::internal(e.to_string()))?;
    let mut unknown_fields = Vec::new();
    collect_unknown(&obj, &object, &mut String::new(), &mut unknown_fields);
    let unknown_fields = unknown_fields
        .into_iter()
        .map(|f| format!("unknown field {f:?}"))
        .collect();
    Ok(Decoded {
        object,
        unknown_fields,
    })
}

/// Paths present in `input` but absent from `output` (nulls don't count).
pub(crate) fn collect_unknown(
    input: &Value,
    output: &Value,
    path: &mut String,
    out: &mut Vec<String>,
) {
    match (input, output) {
        (Value::Object(i), Value::Object(o)) => {
            for (k, v) in i {
                if v.is_null() {
                    continue;
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                match o.get(k) {
                    None => out.push(path.clone()),
                    Some(ov) => collect_unknown(v, ov, path, out),
                }
                path.truncate(len);
            }
        }
        (Value::Array(i), Value::Array(o)) if i.len() == o.len() => {
            for (n, (iv, ov)) in i.iter().zip(o).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{n}]"));
                collect_unknown(iv, ov, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Sets `obj[key]` to `value` if it is missing or null.
pub(crate) fn default_field(obj: &mut serde_json::Map<String, Value>, key: &str, value: Value) {
    match obj.get(key) {
        Some(v) if !v.is_null() => {}
        _ => {
            obj.insert(key.to_string(), value);
        }
    }
}

/// `obj[key]` as an object, created if missing.
pub(crate) fn object_at<'a>(
    obj: &'a mut Value,
    key: &str,
) -> Option<&'a mut serde_json::Map<String, Value>> {
    let map = obj.as_object_mut()?;
    let entry = map
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Default::default()));
    if !entry.is_object() {
        *entry = Value::Object(Default::default());
    }
    entry.as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use serde_json::json;

    #[test]
    fn typed_decoding_prunes_and_reports() {
        let d = typed::<ConfigMap>(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "bogus": 1}, "data": {"k": "v"}, "extra": {"x": 1}, "nothing": null}),
            "ConfigMap",
            "v1",
        )
        .unwrap();
        assert_eq!(
            d.unknown_fields,
            vec![
                r#"unknown field "metadata.bogus""#,
                r#"unknown field "extra""#
            ]
        );
        assert!(d.object.get("extra").is_none());
        assert_eq!(d.object["data"]["k"], "v");
        let e = typed::<ConfigMap>(json!({"data": {"k": 1}}), "ConfigMap", "v1").unwrap_err();
        assert_eq!(e.code, 400);
        assert!(
            e.message
                .starts_with("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: "),
            "{}",
            e.message
        );
    }
}
