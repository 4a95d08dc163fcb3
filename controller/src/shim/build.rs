//! The Certificates an Ingress asks for (cert-manager's `buildCertificates`): one per
//! `spec.tls[]` entry, named after its `secretName`, and when an existing one needs an
//! update (`certNeedsUpdate`).

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use k8s_openapi::api::networking::v1::{Ingress, IngressTLS};
use kube::Resource;
use kube::api::ObjectMeta;

use super::annotations::{acme_overrides, translate};
use crate::api::certificate::{
    Certificate, CertificatePrivateKey, CertificateSpec, KeyUsage, PrivateKeyAlgorithm,
};
use crate::api::constants::labels::APPLYSET_PART_OF;
use crate::api::meta::IssuerReference;

/// What the Ingress asks for.
#[derive(Debug, Default)]
pub struct Desired {
    /// The Certificates, in `spec.tls` order.
    pub certificates: Vec<Certificate>,
    /// Why TLS entries were skipped (`Skipped a TLS block: …`), one message each.
    pub skipped: Vec<String>,
}

fn tls_entries(ingress: &Ingress) -> &[IngressTLS] {
    ingress
        .spec
        .as_ref()
        .and_then(|s| s.tls.as_deref())
        .unwrap_or_default()
}

/// Go's `field.ErrorList.ToAggregate().Error()`: one error alone, several in brackets.
fn aggregate(errs: &[String]) -> Option<String> {
    match errs {
        [] => None,
        [one] => Some(one.clone()),
        many => Some(format!("[{}]", many.join(", "))),
    }
}

/// Two TLS entries may not share a `secretName` (one Certificate per entry).
pub fn duplicate_secret_names(ingress: &Ingress) -> Option<String> {
    let mut order: Vec<&str> = Vec::new();
    let mut paths: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, tls) in tls_entries(ingress).iter().enumerate() {
        let name = tls.secret_name.as_deref().unwrap_or_default();
        let seen = paths.entry(name).or_default();
        if seen.is_empty() {
            order.push(name);
        }
        seen.push(i);
    }
    let errs: Vec<String> = order
        .iter()
        .filter_map(|name| match paths.get(name).map(Vec::as_slice) {
            Some([first, second, ..]) => Some(format!(
                "spec.tls[{first}].secretName: Invalid value: {name:?}: this secret name must only appear in a single TLS entry but is also used in spec.tls[{second}].secretName"
            )),
            _ => None,
        })
        .collect();
    aggregate(&errs)
}

/// Whether `secret_name` is the `secretName` of one of the Ingress's TLS entries.
pub fn secret_name_used(ingress: &Ingress, secret_name: &str) -> bool {
    tls_entries(ingress)
        .iter()
        .any(|t| t.secret_name.as_deref() == Some(secret_name))
}

/// Keeps the first of equal values (IPs compared as addresses).
fn dedupe(values: &mut Option<Vec<String>>, key: impl Fn(&str) -> String) {
    if let Some(v) = values {
        let mut seen = HashSet::new();
        v.retain(|x| seen.insert(key(x)));
    }
}

/// The Certificates the Ingress asks for, or the annotation error.
pub fn desired(
    ingress: &Ingress,
    issuer: &IssuerReference,
    extra_annotations: &BTreeMap<String, String>,
) -> Result<Desired, String> {
    let mut out = Desired::default();
    let name = ingress.metadata.name.clone().unwrap_or_default();
    let namespace = ingress.metadata.namespace.clone();
    let ingress_annotations = ingress.metadata.annotations.clone().unwrap_or_default();
    let mut labels = ingress.metadata.labels.clone().unwrap_or_default();
    labels.remove(APPLYSET_PART_OF);
    let owner = ingress.controller_owner_ref(&());

    for (i, tls) in tls_entries(ingress).iter().enumerate() {
        let hosts = tls.hosts.clone().unwrap_or_default();
        let secret_name = tls.secret_name.clone().unwrap_or_default();
        let mut errs = Vec::new();
        if hosts.is_empty() {
            errs.push(format!("spec.tls[{i}].hosts: Required value"));
        }
        if secret_name.is_empty() {
            errs.push(format!("spec.tls[{i}].secretName: Required value"));
        }
        if let Some(e) = aggregate(&errs) {
            out.skipped.push(format!("Skipped a TLS block: {e}"));
            continue;
        }
        let (ips, dns): (Vec<String>, Vec<String>) =
            hosts.into_iter().partition(|h| h.parse::<IpAddr>().is_ok());

        let mut annotations = extra_annotations.clone();
        acme_overrides(&name, &ingress_annotations, &mut annotations);

        let mut spec = CertificateSpec {
            dns_names: Some(dns).filter(|d| !d.is_empty()),
            ip_addresses: Some(ips).filter(|d| !d.is_empty()),
            secret_name: secret_name.clone(),
            issuer_ref: issuer.clone(),
            usages: Some(KeyUsage::defaults().to_vec()),
            ..CertificateSpec::default()
        };
        translate(&mut spec, &ingress_annotations)?;
        dedupe(&mut spec.dns_names, str::to_string);
        dedupe(&mut spec.ip_addresses, |ip| {
            ip.parse::<IpAddr>()
                .map_or_else(|_| ip.to_string(), |a| a.to_string())
        });

        out.certificates.push(Certificate {
            metadata: ObjectMeta {
                name: Some(secret_name),
                namespace: namespace.clone(),
                labels: Some(labels.clone()).filter(|l| !l.is_empty()),
                annotations: Some(annotations).filter(|a| !a.is_empty()),
                owner_references: owner.clone().map(|o| vec![o]),
                ..ObjectMeta::default()
            },
            spec,
            status: None,
        });
    }
    Ok(out)
}

/// The key settings compared for updates (an Ed25519 key's size is ignored).
fn key_fields(
    k: Option<&CertificatePrivateKey>,
) -> (Option<PrivateKeyAlgorithm>, String, String, Option<i64>) {
    let algorithm = k.and_then(|k| k.algorithm);
    let encoding = k
        .and_then(|k| k.encoding)
        .map(|e| format!("{e:?}"))
        .unwrap_or_default();
    let rotation = k
        .and_then(|k| k.rotation_policy)
        .map(|r| format!("{r:?}"))
        .unwrap_or_default();
    let size = if algorithm == Some(PrivateKeyAlgorithm::Ed25519) {
        None
    } else {
        k.and_then(|k| k.size).filter(|s| *s != 0)
    };
    (algorithm, encoding, rotation, size)
}

/// Whether `existing` differs from `desired` in anything the shim manages: labels,
/// the annotations it sets, and the spec fields it fills.
pub fn needs_update(existing: &Certificate, desired: &Certificate) -> bool {
    let labels = |c: &Certificate| c.metadata.labels.clone().unwrap_or_default();
    if labels(existing) != labels(desired) {
        return true;
    }
    let have = existing.metadata.annotations.clone().unwrap_or_default();
    if desired
        .metadata
        .annotations
        .iter()
        .flatten()
        .any(|(k, v)| have.get(k) != Some(v))
    {
        return true;
    }
    let (a, b) = (&existing.spec, &desired.spec);
    let list = |v: &Option<Vec<String>>| v.clone().unwrap_or_default();
    a.common_name != b.common_name
        || list(&a.dns_names) != list(&b.dns_names)
        || list(&a.ip_addresses) != list(&b.ip_addresses)
        || list(&a.uris) != list(&b.uris)
        || list(&a.email_addresses) != list(&b.email_addresses)
        || a.secret_name != b.secret_name
        || a.issuer_ref.name != b.issuer_ref.name
        || a.issuer_ref.kind != b.issuer_ref.kind
        || a.issuer_ref.group != b.issuer_ref.group
        || a.revision_history_limit != b.revision_history_limit
        || key_fields(a.private_key.as_ref()) != key_fields(b.private_key.as_ref())
        || a.duration.as_ref().and_then(|d| d.nanos().ok())
            != b.duration.as_ref().and_then(|d| d.nanos().ok())
        || a.renew_before.as_ref().and_then(|d| d.nanos().ok())
            != b.renew_before.as_ref().and_then(|d| d.nanos().ok())
        || a.renew_before_percentage != b.renew_before_percentage
        || a.usages != b.usages
        || a.subject != b.subject
        || a.secret_template != b.secret_template
}

/// `existing` with the shim's fields from `desired` (the update cert-manager sends
/// without server-side apply): spec and labels replaced, annotations merged.
pub fn merged(existing: &Certificate, desired: &Certificate) -> Certificate {
    let mut out = existing.clone();
    out.spec = desired.spec.clone();
    out.metadata.labels = desired.metadata.labels.clone();
    if let Some(want) = desired
        .metadata
        .annotations
        .as_ref()
        .filter(|a| !a.is_empty())
    {
        let mut merged = out.metadata.annotations.clone().unwrap_or_default();
        merged.extend(want.iter().map(|(k, v)| (k.clone(), v.clone())));
        out.metadata.annotations = Some(merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ingress(v: serde_json::Value) -> Ingress {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn one_certificate_per_tls_entry() {
        let ing = ingress(json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u1",
                "labels": {"app": "web", "applyset.kubernetes.io/part-of": "x"},
                "annotations": {"acme.cert-manager.io/http01-edit-in-place": "true"}},
            "spec": {"tls": [
                {"hosts": ["a.example.com", "10.0.0.1", "a.example.com"], "secretName": "a-tls"},
                {"hosts": [], "secretName": "empty"},
                {"hosts": ["b.example.com"], "secretName": "b-tls"}
            ]}
        }));
        let issuer = IssuerReference::issuer("ca");
        let d = desired(&ing, &issuer, &BTreeMap::new()).unwrap();
        assert_eq!(d.certificates.len(), 2);
        assert_eq!(
            d.skipped,
            ["Skipped a TLS block: spec.tls[1].hosts: Required value"]
        );
        let a = &d.certificates[0];
        assert_eq!(a.metadata.name.as_deref(), Some("a-tls"));
        assert_eq!(a.spec.dns_names, Some(vec!["a.example.com".to_string()]));
        assert_eq!(a.spec.ip_addresses, Some(vec!["10.0.0.1".to_string()]));
        assert_eq!(a.metadata.labels.as_ref().unwrap().len(), 1);
        let owner = &a.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!(
            (owner.kind.as_str(), owner.uid.as_str(), owner.controller),
            ("Ingress", "u1", Some(true))
        );
        assert_eq!(
            a.metadata.annotations.as_ref().unwrap()["acme.cert-manager.io/http01-override-ingress-name"],
            "web"
        );
        assert!(!needs_update(a, a));
        let mut changed = a.clone();
        changed.spec.dns_names = Some(vec!["other".into()]);
        assert!(needs_update(&changed, a));
        assert_eq!(merged(&changed, a).spec, a.spec);
    }

    #[test]
    fn duplicate_secret_names_are_reported() {
        let ing = ingress(json!({
            "metadata": {"name": "web"},
            "spec": {"tls": [
                {"hosts": ["a"], "secretName": "x"},
                {"hosts": ["b"], "secretName": "x"}
            ]}
        }));
        assert_eq!(
            duplicate_secret_names(&ing).unwrap(),
            "spec.tls[0].secretName: Invalid value: \"x\": this secret name must only appear in a single TLS entry but is also used in spec.tls[1].secretName"
        );
    }
}
