//! The six CustomResourceDefinitions, shaped like cert-manager's `deploy/crds` and
//! carrying CEL rules in place of cert-manager's validating webhook.
//!
//! kube's derive gives the names, printer columns, selectable fields, status
//! subresource and a schema from the Rust types; this module finishes each one:
//! `listKind`, the root properties and `required` list cert-manager declares, no
//! `nullable`, list and map types, and the rules in [`super::validation`].

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, JSONSchemaProps,
};
use kube::CustomResourceExt;
use serde_json::{Value, json};

use super::certificate::Certificate;
use super::certificate_request::CertificateRequest;
use super::challenge::Challenge;
use super::issuer::{ClusterIssuer, Issuer};
use super::order::Order;
use super::schema_shape::{default_atomic_lists, mark_atomic_selectors, node_mut, strip_nullable};
use super::validation::{self, Kind};

/// Why a CRD could not be finished. Only a change to the types can cause this; the
/// tests build every CRD.
#[derive(Debug, thiserror::Error)]
pub enum CrdError {
    /// A schema path named by a rule or adjustment does not exist.
    #[error("{kind}: no schema node at {path:?}")]
    MissingNode {
        /// The kind.
        kind: &'static str,
        /// The path.
        path: String,
    },
    /// The schema did not convert to or from JSON.
    #[error("{kind}: schema conversion: {source}")]
    Json {
        /// The kind.
        kind: &'static str,
        /// Why.
        source: serde_json::Error,
    },
    /// The CRD has no version or no schema.
    #[error("{0}: the derived CRD has no schema")]
    NoSchema(&'static str),
    /// YAML output failed.
    #[error("writing YAML: {0}")]
    Yaml(String),
}

/// The CRDs of cert-manager.io/v1 (Certificate, CertificateRequest, Issuer,
/// ClusterIssuer) and acme.cert-manager.io/v1 (Order, Challenge), in that order.
pub fn crds() -> Vec<CustomResourceDefinition> {
    match try_crds() {
        Ok(crds) => crds,
        Err(e) => {
            // Unreachable with the types as they are (see the tests); an incomplete set
            // is better than a panic in a library.
            tracing::error!(error = %e, "building the CRDs failed");
            Vec::new()
        }
    }
}

/// [`crds`], reporting what went wrong.
pub fn try_crds() -> Result<Vec<CustomResourceDefinition>, CrdError> {
    [
        (Kind::Certificate, Certificate::crd()),
        (Kind::CertificateRequest, CertificateRequest::crd()),
        (Kind::Issuer, Issuer::crd()),
        (Kind::ClusterIssuer, ClusterIssuer::crd()),
        (Kind::Order, Order::crd()),
        (Kind::Challenge, Challenge::crd()),
    ]
    .into_iter()
    .map(|(kind, crd)| finish(kind, crd))
    .collect()
}

/// The CRDs as one multi-document YAML stream, for `certlab-controller crds`
/// (`certlab-controller crds | kubectl apply -f -`).
pub fn crds_yaml() -> String {
    match try_crds_yaml() {
        Ok(yaml) => yaml,
        Err(e) => {
            tracing::error!(error = %e, "writing the CRDs as YAML failed");
            String::new()
        }
    }
}

/// [`crds_yaml`], reporting what went wrong.
pub fn try_crds_yaml() -> Result<String, CrdError> {
    let crds = try_crds()?;
    let mut out = String::from("---\n");
    out.push_str(
        &serde_saphyr::to_string_multiple(&crds).map_err(|e| CrdError::Yaml(e.to_string()))?,
    );
    Ok(out)
}

fn finish(
    kind: Kind,
    mut crd: CustomResourceDefinition,
) -> Result<CustomResourceDefinition, CrdError> {
    let name = kind.name();
    crd.spec.names.list_kind = Some(format!("{name}List"));
    let version = crd
        .spec
        .versions
        .first_mut()
        .ok_or(CrdError::NoSchema(name))?;
    let props = version
        .schema
        .as_mut()
        .and_then(|s| s.open_api_v3_schema.take())
        .ok_or(CrdError::NoSchema(name))?;
    let mut schema =
        serde_json::to_value(props).map_err(|source| CrdError::Json { kind: name, source })?;

    shape(kind, &mut schema)?;
    validation::apply(kind, &mut schema)
        .map_err(|path| CrdError::MissingNode { kind: name, path })?;

    let props: JSONSchemaProps =
        serde_json::from_value(schema).map_err(|source| CrdError::Json { kind: name, source })?;
    if let Some(s) = version.schema.as_mut() {
        s.open_api_v3_schema = Some(props);
    }
    Ok(crd)
}

/// Structural adjustments that make the derived schema match cert-manager's.
fn shape(kind: Kind, schema: &mut Value) -> Result<(), CrdError> {
    let name = kind.name();
    let missing = |path: &str| CrdError::MissingNode {
        kind: name,
        path: path.to_string(),
    };
    strip_nullable(schema);
    default_atomic_lists(schema);

    let root = schema.as_object_mut().ok_or_else(|| missing(""))?;
    // The derive describes the root with its own wording; cert-manager's root has the
    // kind's description, the standard properties and its own `required`.
    let props = root
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| missing("properties"))?;
    props.insert(
        "apiVersion".into(),
        json!({"type": "string", "description": "The versioned schema of this object: cert-manager.io/v1 or acme.cert-manager.io/v1."}),
    );
    props.insert(
        "kind".into(),
        json!({"type": "string", "description": "The kind of this object."}),
    );
    props.insert("metadata".into(), json!({"type": "object"}));
    match kind {
        Kind::Certificate | Kind::CertificateRequest => {
            root.remove("required");
        }
        Kind::Issuer | Kind::ClusterIssuer => {
            root.insert("required".into(), json!(["spec"]));
        }
        Kind::Order | Kind::Challenge => {
            root.insert("required".into(), json!(["metadata", "spec"]));
        }
    }

    // Conditions are a map keyed by type, so server-side apply merges them per type.
    if kind.has_conditions() {
        let conditions =
            node_mut(schema, "status.conditions").ok_or_else(|| missing("status.conditions"))?;
        if let Some(c) = conditions.as_object_mut() {
            c.insert("x-kubernetes-list-type".into(), "map".into());
            c.insert("x-kubernetes-list-map-keys".into(), json!(["type"]));
        }
    }

    // The HTTP-01 solver pod template embeds Kubernetes types.
    for solver in kind.solver_paths() {
        for http01 in ["ingress", "gatewayHTTPRoute"] {
            let path = format!("{solver}.http01.{http01}.podTemplate.spec");
            let spec = node_mut(schema, &path).ok_or_else(|| missing(&path))?;
            mark_atomic_selectors(spec);
            let pull = node_mut(spec, "imagePullSecrets").ok_or_else(|| missing(&path))?;
            if let Some(p) = pull.as_object_mut() {
                p.insert("x-kubernetes-list-type".into(), "map".into());
                p.insert("x-kubernetes-list-map-keys".into(), json!(["name"]));
            }
            let item = node_mut(spec, "imagePullSecrets[]").ok_or_else(|| missing(&path))?;
            if let Some(i) = item.as_object_mut() {
                i.insert("x-kubernetes-map-type".into(), "atomic".into());
                // `name` defaults to "" instead of being required.
                i.remove("required");
            }
            let name = node_mut(spec, "imagePullSecrets[].name").ok_or_else(|| missing(&path))?;
            if let Some(n) = name.as_object_mut() {
                n.insert("default".into(), "".into());
            }
            // kube's structural rewrite empties the quantity's anyOf branches.
            for list in ["resources.limits{}", "resources.requests{}"] {
                let q = node_mut(spec, list).ok_or_else(|| missing(&path))?;
                if let Some(q) = q.as_object_mut() {
                    q.insert(
                        "anyOf".into(),
                        json!([{"type": "integer"}, {"type": "string"}]),
                    );
                }
            }
        }
    }

    if kind == Kind::CertificateRequest {
        // `extra` is a map of lists without a declared list type.
        let extra = node_mut(schema, "spec.extra{}").ok_or_else(|| missing("spec.extra{}"))?;
        if let Some(e) = extra.as_object_mut() {
            e.remove("x-kubernetes-list-type");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_stream_holds_the_six_crds() {
        let text = try_crds_yaml().unwrap();
        assert_eq!(crds_yaml(), text);
        assert!(text.starts_with("---\napiVersion: apiextensions.k8s.io/v1\n"));
        let docs: Vec<CustomResourceDefinition> = serde_saphyr::from_multiple(&text).unwrap();
        assert_eq!(docs, try_crds().unwrap());
        let names: Vec<_> = docs
            .iter()
            .filter_map(|c| c.metadata.name.as_deref())
            .collect();
        assert_eq!(
            names,
            [
                "certificates.cert-manager.io",
                "certificaterequests.cert-manager.io",
                "issuers.cert-manager.io",
                "clusterissuers.cert-manager.io",
                "orders.acme.cert-manager.io",
                "challenges.acme.cert-manager.io",
            ]
        );
        assert_eq!(crds().len(), 6);
    }

    #[test]
    fn every_rule_lands_on_its_node() {
        for kind in [
            Kind::Certificate,
            Kind::CertificateRequest,
            Kind::Issuer,
            Kind::ClusterIssuer,
            Kind::Order,
            Kind::Challenge,
        ] {
            let (keywords, rules) = validation::rules_for(kind);
            let crd = try_crds()
                .unwrap()
                .into_iter()
                .find(|c| c.spec.names.kind == kind.name())
                .unwrap();
            let schema = serde_json::to_value(
                crd.spec.versions[0]
                    .schema
                    .as_ref()
                    .unwrap()
                    .open_api_v3_schema
                    .as_ref()
                    .unwrap(),
            )
            .unwrap();
            let count = |v: &Value| {
                let mut n = 0;
                let mut v = v.clone();
                super::super::schema_shape::walk_mut(&mut v, &mut |node| {
                    n += node
                        .get("x-kubernetes-validations")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                });
                n
            };
            assert_eq!(count(&schema), rules.len(), "{kind:?}");
            assert!(
                !rules.is_empty() || !keywords.is_empty(),
                "{kind:?} has rules"
            );
        }
    }
}
