//! What kube-controller-manager does, done by the embedded cluster: garbage collection
//! and namespace deletion.

mod common;

use std::time::Duration;

use common::*;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use kube::{Resource, ResourceExt};
use serde_json::json;

fn owned_by(name: &str, owner: &ConfigMap, block: bool) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            owner_references: Some(vec![OwnerReference {
                api_version: "v1".into(),
                kind: "ConfigMap".into(),
                name: owner.name_any(),
                uid: owner.uid().unwrap(),
                block_owner_deletion: Some(block),
                controller: Some(true),
            }]),
            ..Default::default()
        },
        ..Default::default()
    }
}

async fn owner(api: &Api<ConfigMap>, name: &str) -> ConfigMap {
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    api.create(&PostParams::default(), &cm).await.unwrap()
}

#[tokio::test]
async fn background_deletion_removes_dependents() {
    let cluster = cluster().await;
    let cms: Api<ConfigMap> = Api::default_namespaced(cluster.client());
    let secrets: Api<Secret> = Api::default_namespaced(cluster.client());
    let parent = owner(&cms, "parent").await;
    secrets
        .create(&PostParams::default(), &owned_by("child-1", &parent, false))
        .await
        .unwrap();
    secrets
        .create(&PostParams::default(), &owned_by("child-2", &parent, false))
        .await
        .unwrap();
    cms.delete("parent", &DeleteParams::background())
        .await
        .unwrap();
    let s = secrets.clone();
    eventually(Duration::from_secs(5), "dependents collected", || {
        let s = s.clone();
        async move {
            s.get_opt("child-1").await.unwrap().is_none()
                && s.get_opt("child-2").await.unwrap().is_none()
        }
    })
    .await;
}

#[tokio::test]
async fn orphan_deletion_keeps_dependents_without_the_reference() {
    let cluster = cluster().await;
    let cms: Api<ConfigMap> = Api::default_namespaced(cluster.client());
    let secrets: Api<Secret> = Api::default_namespaced(cluster.client());
    let parent = owner(&cms, "parent").await;
    secrets
        .create(&PostParams::default(), &owned_by("kept", &parent, false))
        .await
        .unwrap();
    cms.delete("parent", &DeleteParams::orphan()).await.unwrap();
    let c = cms.clone();
    eventually(Duration::from_secs(5), "owner gone", || {
        let c = c.clone();
        async move { c.get_opt("parent").await.unwrap().is_none() }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let kept = secrets
        .get("kept")
        .await
        .expect("the dependent is orphaned, not deleted");
    assert!(
        kept.metadata
            .owner_references
            .unwrap_or_default()
            .is_empty()
    );
}

#[tokio::test]
async fn foreground_deletion_waits_for_blocking_dependents() {
    let cluster = cluster().await;
    let cms: Api<ConfigMap> = Api::default_namespaced(cluster.client());
    let secrets: Api<Secret> = Api::default_namespaced(cluster.client());
    let parent = owner(&cms, "parent").await;
    let mut child = owned_by("blocker", &parent, true);
    child.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    secrets
        .create(&PostParams::default(), &child)
        .await
        .unwrap();
    cms.delete("parent", &DeleteParams::foreground())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waiting = cms
        .get("parent")
        .await
        .expect("the owner waits for its blocking dependent");
    assert!(waiting.metadata.deletion_timestamp.is_some());
    assert!(
        waiting
            .finalizers()
            .contains(&"foregroundDeletion".to_string())
    );
    let blocker = secrets.get("blocker").await.unwrap();
    assert!(
        blocker.metadata.deletion_timestamp.is_some(),
        "the dependent is being deleted"
    );
    secrets
        .patch(
            "blocker",
            &Default::default(),
            &kube::api::Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .unwrap();
    let c = cms.clone();
    eventually(
        Duration::from_secs(5),
        "owner gone after its dependent",
        || {
            let c = c.clone();
            async move { c.get_opt("parent").await.unwrap().is_none() }
        },
    )
    .await;
}

#[tokio::test]
async fn dangling_owner_references_are_collected() {
    let cluster = cluster().await;
    let secrets: Api<Secret> = Api::default_namespaced(cluster.client());
    let ghost = ConfigMap {
        metadata: ObjectMeta {
            name: Some("ghost".into()),
            uid: Some("00000000-0000-0000-0000-000000000000".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    secrets
        .create(&PostParams::default(), &owned_by("orphan", &ghost, false))
        .await
        .unwrap();
    let s = secrets.clone();
    eventually(
        Duration::from_secs(5),
        "object with a missing owner collected",
        || {
            let s = s.clone();
            async move { s.get_opt("orphan").await.unwrap().is_none() }
        },
    )
    .await;
}

#[tokio::test]
async fn deleting_a_namespace_removes_its_contents() {
    let cluster = cluster().await;
    let client = cluster.client();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "doomed"}})).unwrap();
    namespaces
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "doomed");
    owner(&cms, "a").await;
    let mut held = ConfigMap::default();
    held.metadata.name = Some("held".into());
    held.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    cms.create(&PostParams::default(), &held).await.unwrap();
    install_gadgets(&client).await;
    Api::<Gadget>::namespaced(client.clone(), "doomed")
        .create(&PostParams::default(), &gadget("g", 1))
        .await
        .unwrap();

    namespaces
        .delete("doomed", &DeleteParams::default())
        .await
        .unwrap();
    let terminating = namespaces.get("doomed").await.unwrap();
    assert_eq!(
        terminating.status.unwrap().phase.as_deref(),
        Some("Terminating")
    );
    // New content is refused while terminating.
    let err = cms
        .create(&PostParams::default(), &{
            let mut c = ConfigMap::default();
            c.metadata.name = Some("late".into());
            c
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 403 && s.message.contains("because it is being terminated")),
        "{err:?}"
    );

    let c = cms.clone();
    eventually(
        Duration::from_secs(5),
        "contents deleted except the held one",
        || {
            let c = c.clone();
            let client = client.clone();
            async move {
                c.get_opt("a").await.unwrap().is_none()
                    && Api::<Gadget>::namespaced(client, "doomed")
                        .get_opt("g")
                        .await
                        .unwrap()
                        .is_none()
                    && c.get("held")
                        .await
                        .is_ok_and(|h| h.metadata.deletion_timestamp.is_some())
            }
        },
    )
    .await;
    assert!(
        namespaces.get_opt("doomed").await.unwrap().is_some(),
        "waits for the held object"
    );
    cms.patch(
        "held",
        &Default::default(),
        &kube::api::Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    let n = namespaces.clone();
    eventually(Duration::from_secs(5), "namespace gone", || {
        let n = n.clone();
        async move { n.get_opt("doomed").await.unwrap().is_none() }
    })
    .await;
    let _ = ConfigMap::kind(&());
}

#[tokio::test]
async fn new_namespaces_get_a_default_service_account() {
    let cluster = cluster().await;
    let client = cluster.client();
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "fresh"}})).unwrap();
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
    let sas: Api<k8s_openapi::api::core::v1::ServiceAccount> = Api::namespaced(client, "fresh");
    let s = sas.clone();
    eventually(Duration::from_secs(5), "default service account", || {
        let s = s.clone();
        async move { s.get_opt("default").await.unwrap().is_some() }
    })
    .await;
}
