//! Which issuer an Ingress asks for (cert-manager's `hasShimAnnotation` and
//! `issuerForIngressLike`).

use std::collections::BTreeMap;

use super::ShimConfig;
use crate::api::constants::{CLUSTER_ISSUER_KIND, ISSUER_KIND, annotations as keys};
use crate::api::meta::IssuerReference;

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Whether the Ingress asks for Certificates: `cert-manager.io/issuer` or
/// `cert-manager.io/cluster-issuer` present, or an auto-certificate annotation
/// (`kubernetes.io/tls-acme`) that parses as true.
pub fn wants_certificates(annotations: &BTreeMap<String, String>, cfg: &ShimConfig) -> bool {
    annotations.contains_key(keys::ISSUER)
        || annotations.contains_key(keys::CLUSTER_ISSUER)
        || cfg
            .auto_certificate_annotations
            .iter()
            .any(|a| annotations.get(a).and_then(|v| parse_bool(v)) == Some(true))
}

/// The issuer reference, or every conflict found, joined as upstream joins them.
pub fn issuer_for(
    annotations: &BTreeMap<String, String>,
    cfg: &ShimConfig,
) -> Result<IssuerReference, String> {
    let mut name = cfg.default_issuer_name.clone();
    let mut kind = cfg.default_issuer_kind.clone();
    let mut group = cfg.default_issuer_group.clone();
    let issuer = annotations.get(keys::ISSUER);
    let cluster_issuer = annotations.get(keys::CLUSTER_ISSUER);
    let kind_ann = annotations.get(keys::ISSUER_KIND);
    let group_ann = annotations.get(keys::ISSUER_GROUP);
    if let Some(n) = issuer {
        name = n.clone();
        kind = ISSUER_KIND.to_string();
    }
    if let Some(n) = cluster_issuer {
        name = n.clone();
        kind = CLUSTER_ISSUER_KIND.to_string();
    }
    if let Some(k) = kind_ann {
        kind = k.clone();
    }
    if let Some(g) = group_ann {
        group = g.clone();
    }
    let mut errs = Vec::new();
    if name.is_empty() {
        errs.push("failed to determine issuer name to be used for ingress resource".to_string());
    }
    let both = |a: &str, b: &str| format!("both {a:?} and {b:?} may not be set");
    if issuer.is_some() && cluster_issuer.is_some() {
        errs.push(both(keys::ISSUER, keys::CLUSTER_ISSUER));
    }
    if cluster_issuer.is_some() && group_ann.is_some() {
        errs.push(both(keys::CLUSTER_ISSUER, keys::ISSUER_GROUP));
    }
    if cluster_issuer.is_some() && kind_ann.is_some() {
        errs.push(both(keys::CLUSTER_ISSUER, keys::ISSUER_KIND));
    }
    if !errs.is_empty() {
        return Err(errs.join(", "));
    }
    Ok(IssuerReference {
        name,
        kind: Some(kind).filter(|k| !k.is_empty()),
        group: Some(group).filter(|g| !g.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn issuer_annotations() {
        let cfg = ShimConfig::default();
        let r = issuer_for(&ann(&[(keys::ISSUER, "ca")]), &cfg).unwrap();
        assert_eq!(
            (r.name.as_str(), r.kind.as_deref(), r.group.as_deref()),
            ("ca", Some("Issuer"), Some("cert-manager.io"))
        );
        let r = issuer_for(&ann(&[(keys::CLUSTER_ISSUER, "ca")]), &cfg).unwrap();
        assert_eq!(r.kind.as_deref(), Some("ClusterIssuer"));
        let r = issuer_for(
            &ann(&[
                (keys::ISSUER, "x"),
                (keys::ISSUER_KIND, "AWSPCAIssuer"),
                (keys::ISSUER_GROUP, "awspca.cert-manager.io"),
            ]),
            &cfg,
        )
        .unwrap();
        assert_eq!(
            (r.kind.as_deref(), r.group.as_deref()),
            (Some("AWSPCAIssuer"), Some("awspca.cert-manager.io"))
        );
        assert_eq!(
            issuer_for(
                &ann(&[
                    (keys::ISSUER, "a"),
                    (keys::CLUSTER_ISSUER, "b"),
                    (keys::ISSUER_KIND, "K")
                ]),
                &cfg
            )
            .unwrap_err(),
            "both \"cert-manager.io/issuer\" and \"cert-manager.io/cluster-issuer\" may not be set, both \"cert-manager.io/cluster-issuer\" and \"cert-manager.io/issuer-kind\" may not be set"
        );
        assert_eq!(
            issuer_for(&ann(&[(keys::TLS_ACME, "true")]), &cfg).unwrap_err(),
            "failed to determine issuer name to be used for ingress resource"
        );
        let with_default = ShimConfig {
            default_issuer_name: "letsencrypt".into(),
            default_issuer_kind: "ClusterIssuer".into(),
            ..ShimConfig::default()
        };
        let r = issuer_for(&ann(&[(keys::TLS_ACME, "true")]), &with_default).unwrap();
        assert_eq!(
            (r.name.as_str(), r.kind.as_deref()),
            ("letsencrypt", Some("ClusterIssuer"))
        );
    }

    #[test]
    fn trigger_annotations() {
        let cfg = ShimConfig::default();
        assert!(wants_certificates(&ann(&[(keys::ISSUER, "")]), &cfg));
        assert!(wants_certificates(
            &ann(&[(keys::CLUSTER_ISSUER, "x")]),
            &cfg
        ));
        assert!(wants_certificates(&ann(&[(keys::TLS_ACME, "True")]), &cfg));
        assert!(!wants_certificates(&ann(&[(keys::TLS_ACME, "yes")]), &cfg));
        assert!(!wants_certificates(
            &ann(&[(keys::TLS_ACME, "false")]),
            &cfg
        ));
        assert!(!wants_certificates(&ann(&[]), &cfg));
    }
}
