//! ingress-shim on the embedded cluster: Certificates from annotated Ingresses, through
//! the controller's own wiring (`run.rs`) with the shim's flags set per test.

mod lab;

use std::time::Duration;

use certlab_controller::api::certificate::{Certificate, KeyUsage, PrivateKeyAlgorithm};
use certlab_controller::config::Config;
use certlab_controller::shim::ShimConfig;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::api::networking::v1::Ingress;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use lab::*;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

/// A lab whose controller runs ingress-shim with `config` (as `run.rs` wires it).
async fn shim_lab(config: ShimConfig) -> Lab {
    lab_with(Config {
        shim: config,
        ..Config::default()
    })
    .await
}

async fn ingress(c: &kube::Client, value: serde_json::Value) -> Ingress {
    let mut value = value;
    value["apiVersion"] = json!("networking.k8s.io/v1");
    value["kind"] = json!("Ingress");
    value["metadata"]["namespace"] = json!("default");
    value["spec"]["defaultBackend"] = json!({"service": {"name": "web", "port": {"number": 80}}});
    create(&Api::<Ingress>::default_namespaced(c.clone()), value).await
}

fn tls(entries: &[(&str, &[&str])]) -> serde_json::Value {
    json!(
        entries
            .iter()
            .map(|(secret, hosts)| json!({"secretName": secret, "hosts": hosts}))
            .collect::<Vec<_>>()
    )
}

fn certs(c: &kube::Client) -> Api<Certificate> {
    Api::default_namespaced(c.clone())
}

async fn wait_cert(c: &kube::Client, name: &str) -> Certificate {
    let api = certs(c);
    let n = name.to_string();
    eventually(WAIT, &format!("Certificate {name}"), || {
        let api = api.clone();
        let n = n.clone();
        async move { api.get_opt(&n).await.unwrap().is_some() }
    })
    .await;
    api.get(name).await.unwrap()
}

async fn wait_gone(c: &kube::Client, name: &str) {
    let api = certs(c);
    let n = name.to_string();
    eventually(WAIT, &format!("Certificate {name} deleted"), || {
        let api = api.clone();
        let n = n.clone();
        async move { api.get_opt(&n).await.unwrap().is_none() }
    })
    .await;
}

/// Events on the Ingress `name`, as `reason: note`.
async fn events_of(c: &kube::Client, name: &str) -> Vec<String> {
    let events: Api<Event> = Api::default_namespaced(c.clone());
    events
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| {
            e.regarding.as_ref().is_some_and(|r| {
                r.kind.as_deref() == Some("Ingress") && r.name.as_deref() == Some(name)
            })
        })
        .inspect(|e| {
            assert_eq!(
                e.reporting_controller.as_deref(),
                Some("cert-manager-ingress-shim")
            )
        })
        .map(|e| {
            format!(
                "{}: {}",
                e.reason.unwrap_or_default(),
                e.note.unwrap_or_default()
            )
        })
        .collect()
}

async fn wait_event(c: &kube::Client, ingress: &str, expected: &str) {
    let c2 = c.clone();
    let name = ingress.to_string();
    let want = expected.to_string();
    eventually(
        WAIT,
        &format!("event {expected:?} on {ingress}"),
        move || {
            let c = c2.clone();
            let name = name.clone();
            let want = want.clone();
            async move { events_of(&c, &name).await.iter().any(|e| e == &want) }
        },
    )
    .await;
}

#[tokio::test]
async fn issuer_annotation_maps_every_field() {
    let lab = shim_lab(ShimConfig::default()).await;
    let c = &lab.client;
    let ing = ingress(
        c,
        json!({
            "metadata": {"name": "web",
                "labels": {"app": "web", "applyset.kubernetes.io/part-of": "set"},
                "annotations": {
                    "cert-manager.io/issuer": "ca",
                    "cert-manager.io/common-name": "web.example.com",
                    "cert-manager.io/duration": "2160h",
                    "cert-manager.io/renew-before": "360h",
                    "cert-manager.io/usages": "server auth,client auth",
                    "cert-manager.io/revision-history-limit": "3",
                    "cert-manager.io/private-key-algorithm": "ECDSA",
                    "cert-manager.io/private-key-size": "384",
                    "cert-manager.io/private-key-encoding": "PKCS8",
                    "cert-manager.io/private-key-rotation-policy": "Always",
                    "cert-manager.io/email-sans": "ops@example.com",
                    "cert-manager.io/subject-organizations": "Example Org",
                    "acme.cert-manager.io/http01-edit-in-place": "true",
                    "acme.cert-manager.io/http01-ingress-class": "nginx"
                }},
            "spec": {"tls": tls(&[("web-tls", &["web.example.com", "www.example.com"]), ("api-tls", &["api.example.com", "10.1.2.3"])])}
        }),
    )
    .await;

    let web = wait_cert(c, "web-tls").await;
    let api = wait_cert(c, "api-tls").await;
    let s = &web.spec;
    assert_eq!(s.secret_name, "web-tls");
    assert_eq!(
        s.dns_names.as_deref(),
        Some(&["web.example.com".to_string(), "www.example.com".to_string()][..])
    );
    assert_eq!(s.issuer_ref.name, "ca");
    assert_eq!(s.issuer_ref.kind.as_deref(), Some("Issuer"));
    assert_eq!(s.issuer_ref.group.as_deref(), Some("cert-manager.io"));
    assert_eq!(s.common_name.as_deref(), Some("web.example.com"));
    assert_eq!(
        s.duration.as_ref().unwrap().to_std().unwrap(),
        Duration::from_secs(2160 * 3600)
    );
    assert_eq!(
        s.renew_before.as_ref().unwrap().to_std().unwrap(),
        Duration::from_secs(360 * 3600)
    );
    assert_eq!(
        s.usages,
        Some(vec![KeyUsage::ServerAuth, KeyUsage::ClientAuth])
    );
    assert_eq!(s.revision_history_limit, Some(3));
    let key = s.private_key.as_ref().unwrap();
    assert_eq!(key.algorithm, Some(PrivateKeyAlgorithm::Ecdsa));
    assert_eq!(key.size, Some(384));
    assert_eq!(s.email_addresses, Some(vec!["ops@example.com".to_string()]));
    assert_eq!(
        s.subject.as_ref().unwrap().organizations,
        Some(vec!["Example Org".to_string()])
    );
    assert_eq!(api.spec.ip_addresses, Some(vec!["10.1.2.3".to_string()]));
    assert_eq!(
        api.spec.dns_names,
        Some(vec!["api.example.com".to_string()])
    );

    // Labels copied (not the applyset one); ACME overrides; controller ownerRef.
    let labels = web.labels();
    assert_eq!(labels.get("app").map(String::as_str), Some("web"));
    assert!(!labels.contains_key("applyset.kubernetes.io/part-of"));
    let ann = web.annotations();
    assert_eq!(
        ann["acme.cert-manager.io/http01-override-ingress-name"],
        "web"
    );
    assert_eq!(ann["cert-manager.io/issue-temporary-certificate"], "true");
    assert_eq!(
        ann["acme.cert-manager.io/http01-override-ingress-class"],
        "nginx"
    );
    let owner = &web.owner_references()[0];
    assert_eq!(owner.kind, "Ingress");
    assert_eq!(owner.api_version, "networking.k8s.io/v1");
    assert_eq!(owner.name, "web");
    assert_eq!(Some(owner.uid.clone()), ing.metadata.uid);
    assert_eq!(owner.controller, Some(true));

    wait_event(
        c,
        "web",
        "CreateCertificate: Successfully created Certificate \"web-tls\"",
    )
    .await;
    wait_event(
        c,
        "web",
        "CreateCertificate: Successfully created Certificate \"api-tls\"",
    )
    .await;
    // Nothing to update afterwards: no update loop with the Certificates controller.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let events = events_of(c, "web").await;
    assert!(
        events.iter().all(|e| !e.starts_with("UpdateCertificate")),
        "{events:?}"
    );
    assert_eq!(
        certs(c).get("web-tls").await.unwrap().metadata.generation,
        Some(1)
    );
}

#[tokio::test]
async fn cluster_issuer_and_tls_acme_forms() {
    let lab = shim_lab(ShimConfig {
        default_issuer_name: "letsencrypt".into(),
        default_issuer_kind: "ClusterIssuer".into(),
        ..ShimConfig::default()
    })
    .await;
    let c = &lab.client;
    ingress(
        c,
        json!({"metadata": {"name": "a", "annotations": {"cert-manager.io/cluster-issuer": "ca"}},
            "spec": {"tls": tls(&[("a-tls", &["a.example.com"])])}}),
    )
    .await;
    ingress(
        c,
        json!({"metadata": {"name": "b", "annotations": {"kubernetes.io/tls-acme": "true"}},
            "spec": {"tls": tls(&[("b-tls", &["b.example.com"])])}}),
    )
    .await;
    ingress(
        c,
        json!({"metadata": {"name": "c", "annotations": {
                "cert-manager.io/issuer": "vault", "cert-manager.io/issuer-kind": "VaultIssuer",
                "cert-manager.io/issuer-group": "example.io"}},
            "spec": {"tls": tls(&[("c-tls", &["c.example.com"])])}}),
    )
    .await;
    ingress(
        c,
        json!({"metadata": {"name": "plain", "annotations": {"kubernetes.io/tls-acme": "false"}},
            "spec": {"tls": tls(&[("plain-tls", &["plain.example.com"])])}}),
    )
    .await;

    let a = wait_cert(c, "a-tls").await;
    assert_eq!(
        (
            a.spec.issuer_ref.name.as_str(),
            a.spec.issuer_ref.kind.as_deref()
        ),
        ("ca", Some("ClusterIssuer"))
    );
    let b = wait_cert(c, "b-tls").await;
    assert_eq!(
        (
            b.spec.issuer_ref.name.as_str(),
            b.spec.issuer_ref.kind.as_deref(),
            b.spec.issuer_ref.group.as_deref()
        ),
        (
            "letsencrypt",
            Some("ClusterIssuer"),
            Some("cert-manager.io")
        )
    );
    let cc = wait_cert(c, "c-tls").await;
    assert_eq!(
        (
            cc.spec.issuer_ref.kind.as_deref(),
            cc.spec.issuer_ref.group.as_deref()
        ),
        (Some("VaultIssuer"), Some("example.io"))
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(certs(c).get_opt("plain-tls").await.unwrap().is_none());
}

#[tokio::test]
async fn bad_annotations_are_warning_events_and_no_certificate() {
    // No default issuer: tls-acme alone cannot work.
    let lab = shim_lab(ShimConfig::default()).await;
    let c = &lab.client;
    ingress(
        c,
        json!({"metadata": {"name": "both", "annotations": {
                "cert-manager.io/issuer": "a", "cert-manager.io/cluster-issuer": "b"}},
            "spec": {"tls": tls(&[("both-tls", &["x.example.com"])])}}),
    )
    .await;
    ingress(
        c,
        json!({"metadata": {"name": "acme", "annotations": {"kubernetes.io/tls-acme": "true"}},
            "spec": {"tls": tls(&[("acme-tls", &["x.example.com"])])}}),
    )
    .await;
    ingress(
        c,
        json!({"metadata": {"name": "dur", "annotations": {
                "cert-manager.io/issuer": "a", "cert-manager.io/duration": "90d"}},
            "spec": {"tls": tls(&[("dur-tls", &["x.example.com"])])}}),
    )
    .await;
    ingress(
        c,
        json!({"metadata": {"name": "dup", "annotations": {"cert-manager.io/issuer": "a"}},
            "spec": {"tls": tls(&[("same", &["x.example.com"]), ("same", &["y.example.com"])])}}),
    )
    .await;
    ingress(
        c,
        json!({"metadata": {"name": "nohosts", "annotations": {"cert-manager.io/issuer": "a"}},
            "spec": {"tls": [{"secretName": "nohosts-tls"}]}}),
    )
    .await;

    wait_event(c, "both", "BadConfig: Could not determine issuer for ingress due to bad annotations: both \"cert-manager.io/issuer\" and \"cert-manager.io/cluster-issuer\" may not be set").await;
    wait_event(c, "acme", "BadConfig: Could not determine issuer for ingress due to bad annotations: failed to determine issuer name to be used for ingress resource").await;
    wait_event(c, "dur", "BadConfig: invalid ingress annotation \"cert-manager.io/duration\": time: unknown unit \"d\" in duration \"90d\"").await;
    wait_event(c, "dup", "BadConfig: spec.tls[0].secretName: Invalid value: \"same\": this secret name must only appear in a single TLS entry but is also used in spec.tls[1].secretName").await;
    wait_event(
        c,
        "nohosts",
        "BadConfig: Skipped a TLS block: spec.tls[0].hosts: Required value",
    )
    .await;
    let list = certs(c).list(&ListParams::default()).await.unwrap();
    assert!(
        list.items.is_empty(),
        "{:?}",
        list.items.iter().map(|c| c.name_any()).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn ingress_changes_update_and_delete_certificates() {
    let lab = shim_lab(ShimConfig::default()).await;
    let c = &lab.client;
    ingress(
        c,
        json!({"metadata": {"name": "web", "annotations": {"cert-manager.io/issuer": "ca"}},
            "spec": {"tls": tls(&[("one-tls", &["one.example.com"]), ("two-tls", &["two.example.com"])])}}),
    )
    .await;
    wait_cert(c, "one-tls").await;
    wait_cert(c, "two-tls").await;

    let ingresses: Api<Ingress> = Api::default_namespaced(c.clone());
    ingresses
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({
                "metadata": {"annotations": {"cert-manager.io/common-name": "one.example.com"}},
                "spec": {"tls": tls(&[("one-tls", &["one.example.com", "uno.example.com"])])}})),
        )
        .await
        .unwrap();
    wait_gone(c, "two-tls").await;
    let api = certs(c);
    eventually(WAIT, "one-tls updated", || {
        let api = api.clone();
        async move {
            let one = api.get("one-tls").await.unwrap();
            one.spec.dns_names.as_ref().map(Vec::len) == Some(2)
                && one.spec.common_name.as_deref() == Some("one.example.com")
        }
    })
    .await;
    wait_event(
        c,
        "web",
        "DeleteCertificate: Successfully deleted unrequired Certificate \"two-tls\"",
    )
    .await;
    wait_event(
        c,
        "web",
        "UpdateCertificate: Successfully updated Certificate \"one-tls\"",
    )
    .await;
}

#[tokio::test]
async fn unowned_same_name_certificate_is_untouched() {
    let lab = shim_lab(ShimConfig::default()).await;
    let c = &lab.client;
    let mine = create(
        &certs(c),
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": "shared-tls", "namespace": "default"},
            "spec": {"secretName": "shared-tls", "dnsNames": ["mine.example.com"],
                "issuerRef": {"name": "other", "kind": "ClusterIssuer"}}}),
    )
    .await;
    ingress(
        c,
        json!({"metadata": {"name": "web", "annotations": {"cert-manager.io/issuer": "ca"}},
            "spec": {"tls": tls(&[("shared-tls", &["web.example.com"]), ("own-tls", &["web.example.com"])])}}),
    )
    .await;
    wait_cert(c, "own-tls").await;
    wait_event(
        c,
        "web",
        "BadConfig: Refusing to update Certificate \"shared-tls\": it already exists and has no owner",
    )
    .await;
    let after = certs(c).get("shared-tls").await.unwrap();
    assert_eq!(after.spec, mine.spec);
    assert!(after.owner_references().is_empty());

    // Removing its tls entry does not delete a Certificate the Ingress does not own.
    let ingresses: Api<Ingress> = Api::default_namespaced(c.clone());
    ingresses
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"tls": tls(&[("own-tls", &["web.example.com"])])}})),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(certs(c).get_opt("shared-tls").await.unwrap().is_some());
}

#[tokio::test]
async fn ingress_deletion_garbage_collects_its_certificates() {
    let lab = shim_lab(ShimConfig::default()).await;
    let c = &lab.client;
    ingress(
        c,
        json!({"metadata": {"name": "web", "annotations": {"cert-manager.io/issuer": "ca"}},
            "spec": {"tls": tls(&[("gc-tls", &["gc.example.com"])])}}),
    )
    .await;
    wait_cert(c, "gc-tls").await;
    let ingresses: Api<Ingress> = Api::default_namespaced(c.clone());
    ingresses
        .delete("web", &DeleteParams::default())
        .await
        .unwrap();
    wait_gone(c, "gc-tls").await;
}
