//! Realistic manifests of every kind deserialize into the Rust types and serialize back
//! to the same JSON; stored in the embedded cluster and read back through the typed
//! APIs, their spec and status come back unchanged (nothing pruned, nothing added).

mod common;

use certlab_controller::api::{
    Certificate, CertificateRequest, Challenge, ClusterIssuer, Issuer, Order,
};
use common::{cluster_with_crds, create, replace_status};
use kube::api::{Api, DynamicObject};
use kube::core::NamespaceResourceScope;
use kube::{Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const MANIFESTS: &[(&str, &str)] = &[
    (
        "certificate-docs.yaml",
        include_str!("data/manifests/certificate-docs.yaml"),
    ),
    (
        "certificate-everything.yaml",
        include_str!("data/manifests/certificate-everything.yaml"),
    ),
    (
        "issuer-ca.yaml",
        include_str!("data/manifests/issuer-ca.yaml"),
    ),
    (
        "clusterissuer-acme.yaml",
        include_str!("data/manifests/clusterissuer-acme.yaml"),
    ),
    (
        "clusterissuer-dns-providers.yaml",
        include_str!("data/manifests/clusterissuer-dns-providers.yaml"),
    ),
    (
        "issuers-vault-venafi.yaml",
        include_str!("data/manifests/issuers-vault-venafi.yaml"),
    ),
    (
        "acme-objects.yaml",
        include_str!("data/manifests/acme-objects.yaml"),
    ),
];

fn documents() -> Vec<(String, Value)> {
    let mut docs = Vec::new();
    for (file, text) in MANIFESTS {
        let values: Vec<Value> = serde_saphyr::from_multiple(text).expect("manifest parses");
        for (i, v) in values.into_iter().enumerate() {
            docs.push((format!("{file}#{i}"), v));
        }
    }
    docs
}

/// `doc` through `T` and back.
fn through<T: Serialize + DeserializeOwned>(doc: &Value) -> Value {
    let typed: T = serde_json::from_value(doc.clone()).expect("deserializes into the type");
    serde_json::to_value(&typed).expect("serializes")
}

fn through_type(doc: &Value) -> Value {
    match doc["kind"].as_str().unwrap_or_default() {
        "Certificate" => through::<Certificate>(doc),
        "CertificateRequest" => through::<CertificateRequest>(doc),
        "Issuer" => through::<Issuer>(doc),
        "ClusterIssuer" => through::<ClusterIssuer>(doc),
        "Order" => through::<Order>(doc),
        "Challenge" => through::<Challenge>(doc),
        other => panic!("unexpected kind {other}"),
    }
}

#[test]
fn manifests_round_trip_through_the_types() {
    let docs = documents();
    assert_eq!(docs.len(), 13);
    for (name, doc) in &docs {
        assert_eq!(&through_type(doc), doc, "{name} changed in a round trip");
    }
}

#[test]
fn typed_fields_read_as_cert_manager_means_them() {
    let docs = documents();
    let cert: Certificate = serde_json::from_value(docs[0].1.clone()).unwrap();
    assert_eq!(cert.spec.secret_name, "example-com-tls");
    assert_eq!(
        cert.spec
            .duration
            .as_ref()
            .unwrap()
            .to_std()
            .unwrap()
            .as_secs(),
        2160 * 3600
    );
    assert_eq!(cert.spec.issuer_ref.kind_or_default(), "Issuer");
    assert_eq!(cert.spec.dns_names(), ["example.com", "www.example.com"]);
    assert_eq!(cert.spec.revision_history_limit_or_default(), 1);
    assert_eq!(
        cert.spec.rotation_policy(),
        certlab_controller::api::certificate::RotationPolicy::Always
    );
    assert_eq!(
        cert.spec.usages_or_default(),
        [
            certlab_controller::api::certificate::KeyUsage::ServerAuth,
            certlab_controller::api::certificate::KeyUsage::ClientAuth
        ]
    );

    let everything: Certificate = serde_json::from_value(docs[1].1.clone()).unwrap();
    let status = everything.status.unwrap();
    assert!(certlab_controller::api::conditions::is_condition_true(
        status.conditions(),
        "Ready"
    ));
    assert_eq!(status.revision, Some(2));

    let acme: ClusterIssuer = serde_json::from_value(docs[3].1.clone()).unwrap();
    assert_eq!(
        acme.spec.issuer_type(),
        Some(certlab_controller::api::issuer::IssuerType::Acme)
    );
    let solvers = acme.spec.acme.unwrap().solvers.unwrap();
    let rfc2136 = solvers[0].dns01.as_ref().unwrap().rfc2136.as_ref().unwrap();
    assert_eq!(
        rfc2136.tsig_secret_secret_ref.as_ref().unwrap().key_or("x"),
        "tsig-secret-key"
    );
    assert_eq!(
        solvers[1]
            .wait_instead_of_self_check
            .as_ref()
            .unwrap()
            .to_std()
            .unwrap()
            .as_secs(),
        30
    );
    assert!(acme.status.unwrap().is_ready());

    let cr: CertificateRequest = serde_json::from_value(docs[10].1.clone()).unwrap();
    assert!(
        cr.spec
            .request
            .0
            .starts_with(b"-----BEGIN CERTIFICATE REQUEST-----")
    );
    let cr_status = cr.status.unwrap();
    assert!(cr_status.is_approved());
    assert!(!cr_status.is_denied());
}

async fn read_back<K>(client: &Client, namespace: Option<&str>, name: &str) -> Value
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + Serialize
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace.unwrap_or("default"));
    serde_json::to_value(api.get(name).await.expect("typed get")).expect("serializes")
}

async fn read_back_cluster_issuer(client: &Client, name: &str) -> Value {
    let api: Api<ClusterIssuer> = Api::all(client.clone());
    serde_json::to_value(api.get(name).await.expect("typed get")).expect("serializes")
}

#[tokio::test]
async fn manifests_round_trip_through_the_cluster() {
    let (_cluster, client) = cluster_with_crds().await;
    for (name, doc) in documents() {
        let created = create(&client, &doc)
            .await
            .unwrap_or_else(|e| panic!("{name} accepted: {e}"));
        if let Some(status) = doc.get("status") {
            let mut with_status: DynamicObject = created;
            with_status.data["status"] = status.clone();
            replace_status(&client, &with_status)
                .await
                .unwrap_or_else(|e| panic!("{name} status accepted: {e}"));
        }
        let ns = doc["metadata"]["namespace"].as_str();
        let obj_name = doc["metadata"]["name"].as_str().unwrap();
        let back = match doc["kind"].as_str().unwrap() {
            "Certificate" => read_back::<Certificate>(&client, ns, obj_name).await,
            "CertificateRequest" => read_back::<CertificateRequest>(&client, ns, obj_name).await,
            "Issuer" => read_back::<Issuer>(&client, ns, obj_name).await,
            "ClusterIssuer" => read_back_cluster_issuer(&client, obj_name).await,
            "Order" => read_back::<Order>(&client, ns, obj_name).await,
            "Challenge" => read_back::<Challenge>(&client, ns, obj_name).await,
            other => panic!("unexpected kind {other}"),
        };
        assert_eq!(
            back["spec"], doc["spec"],
            "{name}: spec changed in the cluster"
        );
        assert_eq!(
            back.get("status"),
            doc.get("status"),
            "{name}: status changed in the cluster"
        );
        assert_eq!(back["apiVersion"], doc["apiVersion"]);
        assert_eq!(back["kind"], doc["kind"]);
    }
}
