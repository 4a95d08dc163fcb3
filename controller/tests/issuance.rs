//! Issuance through the SelfSigned and CA issuers on the embedded cluster.

mod lab;

use std::time::Duration;

use certlab_controller::api::certificate::Certificate;
use certlab_controller::api::certificate_request::CertificateRequest;
use certlab_controller::api::issuer::{ClusterIssuer, Issuer};
use certlab_controller::pki;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use lab::*;
use serde_json::json;

#[tokio::test]
async fn selfsigned_then_ca_chain_issues_and_verifies() {
    let lab = lab().await;
    let c = &lab.client;
    create(
        &Api::<ClusterIssuer>::all(c.clone()),
        json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "selfsigned"}, "spec": {"selfSigned": {}}}),
    )
    .await;
    create(&Api::<Certificate>::namespaced(c.clone(), "kube-system"), json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "root-ca", "namespace": "kube-system"},
        "spec": {"isCA": true, "commonName": "certlab root", "secretName": "root-ca",
            "privateKey": {"algorithm": "ECDSA", "size": 256},
            "issuerRef": {"name": "selfsigned", "kind": "ClusterIssuer", "group": "cert-manager.io"}}})).await;
    let root = wait_ready(c, "kube-system", "root-ca", Duration::from_secs(20)).await;
    assert_eq!(root.status.as_ref().unwrap().revision, Some(1));

    create(
        &Api::<ClusterIssuer>::all(c.clone()),
        json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "ca"}, "spec": {"ca": {"secretName": "root-ca"}}}),
    )
    .await;
    create(&Api::<Certificate>::namespaced(c.clone(), "default"), json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"secretName": "web-tls", "dnsNames": ["web.lab.test", "www.lab.test"], "ipAddresses": ["127.0.0.1"],
            "issuerRef": {"name": "ca", "kind": "ClusterIssuer"}}})).await;
    let web = wait_ready(c, "default", "web", Duration::from_secs(20)).await;
    let status = web.status.unwrap();
    assert!(status.not_after.is_some() && status.renewal_time.is_some());
    assert!(
        status
            .conditions
            .unwrap()
            .iter()
            .all(|c| c.type_ != "Issuing"),
        "Issuing removed after success"
    );

    let secrets: Api<Secret> = Api::default_namespaced(c.clone());
    let secret = secrets.get("web-tls").await.unwrap();
    assert_eq!(secret.type_.as_deref(), Some("kubernetes.io/tls"));
    let data = secret.data.unwrap();
    let crt = &data["tls.crt"].0;
    let ca = &data["ca.crt"].0;
    assert!(!data["tls.key"].0.is_empty());
    let ann = secret.metadata.annotations.unwrap();
    assert_eq!(ann["cert-manager.io/certificate-name"], "web");
    assert_eq!(ann["cert-manager.io/issuer-name"], "ca");
    assert_eq!(ann["cert-manager.io/issuer-kind"], "ClusterIssuer");
    assert_eq!(
        ann["cert-manager.io/alt-names"],
        "web.lab.test,www.lab.test"
    );
    assert_eq!(
        secret.metadata.labels.unwrap()["controller.cert-manager.io/fao"],
        "true"
    );
    pki::verify_pem_chain(
        crt,
        ca,
        certlab_clock::Clock::now(&lab.clock),
        pki::Purpose::ServerAuth,
        Some("web.lab.test"),
    )
    .expect("the chain verifies to the root");

    // The request is named <cert>-<revision>, approved and issued.
    let crs: Api<CertificateRequest> = Api::default_namespaced(c.clone());
    let cr = crs.get("web-1").await.unwrap();
    let conds = cr.status.unwrap().conditions.unwrap();
    assert!(
        conds
            .iter()
            .any(|c| c.type_ == "Approved" && c.reason.as_deref() == Some("cert-manager.io"))
    );
    assert!(
        conds
            .iter()
            .any(|c| c.type_ == "Ready" && c.reason.as_deref() == Some("Issued"))
    );
    let issuer: Api<ClusterIssuer> = Api::all(c.clone());
    let ca_issuer = issuer.get("ca").await.unwrap();
    let ready = ca_issuer.status.unwrap().conditions.unwrap();
    assert_eq!(ready[0].reason.as_deref(), Some("KeyPairVerified"));
    let _ = Api::<Issuer>::default_namespaced(c.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
}
