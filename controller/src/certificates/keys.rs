//! Key manager: while `Issuing=True`, keeps the next private key in a temporary Secret
//! (`generateName: <cert>-`, labelled `cert-manager.io/next-private-key=true`,
//! controller-owned by the Certificate) and names it in
//! `status.nextPrivateKeySecretName`; afterwards, deletes it
//! (`keymanager_controller.go`).

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use kube::{Resource, ResourceExt};

use super::status;
use crate::api::certificate::{Certificate, RotationPolicy};
use crate::api::constants::{events, labels};
use crate::context::{Context, components};
use crate::error::{Error, Result, is_not_found};
use crate::events::EventType;
use crate::pki;

/// Whether `secret` is a next-private-key Secret controlled by `cert`.
fn is_next_key_of(secret: &ObjectMeta, cert: &Certificate) -> bool {
    let uid = cert.uid().unwrap_or_default();
    secret
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::NEXT_PRIVATE_KEY))
        .is_some_and(|v| v == "true")
        && secret
            .owner_references
            .iter()
            .flatten()
            .any(|o| o.uid == uid && o.controller == Some(true))
}

/// The Certificate's next-private-key Secrets: found in the metadata cache (plus the
/// one the status names, which the cache may not have seen yet), then read by name.
async fn list_next_keys(ctx: &Context, cert: &Certificate) -> Result<Vec<Secret>> {
    let namespace = cert.namespace().unwrap_or_default();
    // Before the cache has synced, an empty answer would mean a needless new key.
    ctx.secrets
        .wait_until_ready()
        .await
        .map_err(|e| Error::Other(format!("secret cache: {e}")))?;
    let mut names: Vec<String> = ctx
        .indexes
        .next_keys_by_owner
        .get(&cert.uid().unwrap_or_default())
        .into_iter()
        .filter(|r| r.namespace.as_deref() == Some(namespace.as_str()))
        .map(|r| r.name)
        .collect();
    if let Some(named) = status::status(cert).next_private_key_secret_name
        && !names.contains(&named)
    {
        names.push(named);
    }
    names.sort();
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), &namespace);
    let mut secrets = Vec::with_capacity(names.len());
    for name in names {
        if let Some(secret) = api.get_opt(&name).await?
            && is_next_key_of(&secret.metadata, cert)
        {
            secrets.push(secret);
        }
    }
    Ok(secrets)
}

async fn delete_all(ctx: &Context, secrets: &[Secret], keep: Option<&str>) -> Result<()> {
    for s in secrets {
        if Some(s.name_any().as_str()) == keep {
            continue;
        }
        let api: Api<Secret> =
            Api::namespaced(ctx.client.clone(), &s.namespace().unwrap_or_default());
        match api.delete(&s.name_any(), &DeleteParams::default()).await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

async fn set_name(ctx: &Context, cert: &mut Certificate, name: Option<String>) -> Result<()> {
    if status::status(cert).next_private_key_secret_name == name {
        return Ok(());
    }
    cert.status
        .get_or_insert_with(Default::default)
        .next_private_key_secret_name = name;
    status::write(ctx, cert).await
}

async fn create_secret(ctx: &Context, cert: &Certificate, key: &pki::PrivateKey) -> Result<Secret> {
    let api: Api<Secret> =
        Api::namespaced(ctx.client.clone(), &cert.namespace().unwrap_or_default());
    let pem = key.to_pem(pki::KeyEncoding::Pkcs8)?;
    let secret = Secret {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", cert.name_any())),
            namespace: cert.namespace(),
            owner_references: cert.controller_owner_ref(&()).map(|o| vec![o]),
            labels: Some(BTreeMap::from([
                (labels::NEXT_PRIVATE_KEY.to_string(), "true".to_string()),
                (labels::FAO.to_string(), "true".to_string()),
            ])),
            ..Default::default()
        },
        data: Some(BTreeMap::from([(
            "tls.key".to_string(),
            ByteString(pem.into_bytes()),
        )])),
        ..Default::default()
    };
    Ok(api.create(&PostParams::default(), &secret).await?)
}

/// While issuing.
pub(super) async fn run(
    ctx: &Context,
    cert: &mut Certificate,
    spec: &pki::CertificateSpec,
) -> Result<()> {
    let secrets = list_next_keys(ctx, cert).await?;
    let recorder = ctx.recorder(components::KEY_MANAGER);
    let reference = cert.object_ref(&());
    if secrets.is_empty() {
        let rotation = cert
            .spec
            .private_key
            .as_ref()
            .and_then(|p| p.rotation_policy)
            .unwrap_or(RotationPolicy::Always);
        let key = match rotation {
            RotationPolicy::Never => {
                match reuse_existing_key(ctx, cert, spec).await? {
                    Reuse::Key(key, from) => {
                        let s = create_secret(ctx, cert, &key).await?;
                        recorder
                        .publish(&reference, EventType::Normal, events::REUSED, "Reuse", &format!("Reusing private key stored in existing Secret resource {from:?}"))
                        .await;
                        return set_name(ctx, cert, s.metadata.name).await;
                    }
                    Reuse::Blocked => return Ok(()),
                    Reuse::Generate => pki::PrivateKey::generate(&spec.private_key)?,
                }
            }
            RotationPolicy::Always => pki::PrivateKey::generate(&spec.private_key)?,
        };
        let s = create_secret(ctx, cert, &key).await?;
        let name = s.name_any();
        recorder
            .publish(
                &reference,
                EventType::Normal,
                events::GENERATED,
                "Generate",
                &format!("Stored new private key in temporary Secret resource {name:?}"),
            )
            .await;
        return set_name(ctx, cert, Some(name)).await;
    }
    if secrets.len() > 1 {
        let keep = status::status(cert).next_private_key_secret_name;
        return delete_all(ctx, &secrets, keep.as_deref()).await;
    }
    let secret = &secrets[0];
    let current = status::status(cert).next_private_key_secret_name;
    match current {
        None => return set_name(ctx, cert, Some(secret.name_any())).await,
        Some(n) if n != secret.name_any() => return delete_all(ctx, &secrets, None).await,
        Some(_) => {}
    }
    let data = secret
        .data
        .as_ref()
        .and_then(|d| d.get("tls.key"))
        .map(|b| b.0.clone())
        .unwrap_or_default();
    if data.is_empty() {
        return delete_all(ctx, &secrets, None).await;
    }
    let key = match pki::PrivateKey::from_pem(&data) {
        Ok(k) => k,
        Err(e) => {
            tracing::warn!(error = %e, "Deleting existing private key secret due to error decoding data");
            return delete_all(ctx, &secrets, None).await;
        }
    };
    let violations = pki::private_key_matches_spec(&key, &spec.private_key);
    if !violations.is_empty() {
        recorder
            .publish(
                &reference,
                EventType::Normal,
                events::DELETED,
                "Regenerate",
                &format!(
                    "Regenerating private key due to change in fields: [{}]",
                    violations.join(" ")
                ),
            )
            .await;
        return delete_all(ctx, &secrets, None).await;
    }
    Ok(())
}

enum Reuse {
    Key(pki::PrivateKey, String),
    Generate,
    Blocked,
}

/// `rotationPolicy: Never`: reuse the key in the output Secret when it fits the spec.
async fn reuse_existing_key(
    ctx: &Context,
    cert: &Certificate,
    spec: &pki::CertificateSpec,
) -> Result<Reuse> {
    let api: Api<Secret> =
        Api::namespaced(ctx.client.clone(), &cert.namespace().unwrap_or_default());
    let name = cert.spec.secret_name.clone();
    let Some(existing) = api.get_opt(&name).await? else {
        return Ok(Reuse::Generate);
    };
    let data = existing
        .data
        .as_ref()
        .and_then(|d| d.get("tls.key"))
        .map(|b| b.0.clone())
        .unwrap_or_default();
    if data.is_empty() {
        return Ok(Reuse::Generate);
    }
    let recorder = ctx.recorder(components::KEY_MANAGER);
    let key = match pki::PrivateKey::from_pem(&data) {
        Ok(k) => k,
        Err(_) => {
            recorder
                .publish(
                    &cert.object_ref(&()),
                    EventType::Warning,
                    events::DECODE_FAILED,
                    "Reuse",
                    &format!("Failed to decode private key stored in Secret {name:?} - generating new key"),
                )
                .await;
            return Ok(Reuse::Generate);
        }
    };
    let violations = pki::private_key_matches_spec(&key, &spec.private_key);
    if !violations.is_empty() {
        recorder
            .publish(
                &cert.object_ref(&()),
                EventType::Warning,
                events::CANNOT_REGENERATE_KEY,
                "Reuse",
                &format!(
                    "User intervention required: existing private key in Secret {name:?} does not match requirements on Certificate resource, mismatching fields: [{}], but cert-manager cannot create new private key as the Certificate's .spec.privateKey.rotationPolicy is unset or set to Never. To allow cert-manager to create a new private key you can set .spec.privateKey.rotationPolicy to 'Always' (this will result in the private key being regenerated every time a cert is renewed) ",
                    violations.join(" ")
                ),
            )
            .await;
        return Ok(Reuse::Blocked);
    }
    Ok(Reuse::Key(key, name))
}

/// When not issuing: the temporary Secrets go, and the status field with them.
pub(super) async fn clean_up(ctx: &Context, cert: &mut Certificate) -> Result<()> {
    if let Some(name) = status::status(cert).next_private_key_secret_name {
        let api: Api<Secret> =
            Api::namespaced(ctx.client.clone(), &cert.namespace().unwrap_or_default());
        match api.delete(&name, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(e.into()),
        }
        return set_name(ctx, cert, None).await;
    }
    Ok(())
}
