//! The Certificate's output Secret: data, cert-manager's annotations and labels,
//! `secretTemplate`, additional output formats and keystores, written by server-side
//! apply with force, as cert-manager's issuing controller writes it.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ObjectMeta, Patch, PatchParams};
use kube::{Resource, ResourceExt};

use crate::api::certificate::{Certificate, CertificateOutputFormatType, Pkcs12Profile};
use crate::api::constants::{annotations, labels, secret_keys};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::events::EventType;
use crate::pki;

/// The field manager the output Secret is written with.
pub const FIELD_MANAGER: &str = "cert-manager-certificates-issuing";

/// What an issuance puts into the Secret.
pub struct SecretData {
    /// `tls.key`, encoded as the spec asks.
    pub private_key: Vec<u8>,
    /// `tls.crt`.
    pub certificate: Vec<u8>,
    /// `ca.crt`, when the issuer returned one.
    pub ca: Option<Vec<u8>>,
    /// The issuer reference of the request that was signed.
    pub issuer_name: String,
    /// Its kind.
    pub issuer_kind: String,
    /// Its group.
    pub issuer_group: String,
}

impl std::fmt::Debug for SecretData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretData")
            .field("issuer_name", &self.issuer_name)
            .finish_non_exhaustive()
    }
}

async fn password(
    ctx: &Context,
    namespace: &str,
    sel: Option<&crate::api::meta::SecretKeySelector>,
    literal: Option<&str>,
) -> Result<Option<String>> {
    if let Some(p) = literal {
        return Ok(Some(p.to_string()));
    }
    let Some(sel) = sel else { return Ok(None) };
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), namespace);
    let Some(secret) = secrets.get_opt(&sel.name).await? else {
        return Ok(None);
    };
    let key = sel.key_or(secret_keys::KEYSTORE_PASSWORD);
    Ok(secret
        .data
        .as_ref()
        .and_then(|d| d.get(key))
        .map(|v| String::from_utf8_lossy(&v.0).into_owned()))
}

fn pkcs12_profile(p: Option<Pkcs12Profile>) -> pki::Pkcs12Profile {
    match p {
        Some(Pkcs12Profile::LegacyDES) => pki::Pkcs12Profile::LegacyDes,
        Some(Pkcs12Profile::Modern2023) => pki::Pkcs12Profile::Modern2023,
        Some(Pkcs12Profile::Modern2026) => pki::Pkcs12Profile::Modern2026,
        _ => pki::Pkcs12Profile::LegacyRc2,
    }
}

/// The labels and annotations cert-manager puts on a certificate Secret.
pub fn managed_metadata(
    cert: &Certificate,
    data: &SecretData,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut annotations_out = BTreeMap::new();
    if let Ok(parsed) = pki::Certificate::from_pem(&data.certificate) {
        annotations_out.extend(pki::certificate_annotations(&parsed));
    }
    annotations_out.insert(annotations::CERTIFICATE_NAME.to_string(), cert.name_any());
    annotations_out.insert(
        annotations::ISSUER_NAME.to_string(),
        data.issuer_name.clone(),
    );
    annotations_out.insert(
        annotations::ISSUER_KIND.to_string(),
        data.issuer_kind.clone(),
    );
    annotations_out.insert(
        annotations::ISSUER_GROUP.to_string(),
        data.issuer_group.clone(),
    );
    let mut labels_out = BTreeMap::new();
    labels_out.insert(labels::FAO.to_string(), "true".to_string());
    if let Some(t) = &cert.spec.secret_template {
        for (k, v) in t.labels.clone().unwrap_or_default() {
            labels_out.entry(k).or_insert(v);
        }
        for (k, v) in t.annotations.clone().unwrap_or_default() {
            annotations_out.entry(k).or_insert(v);
        }
    }
    (labels_out, annotations_out)
}

/// Builds the desired Secret. `existing` is the live Secret: its type is kept, and
/// keystores are kept when `reuse_keystores` (they are re-encrypted with fresh salts
/// on every build, so they are only rebuilt on issuance or when missing).
pub async fn desired_secret(
    ctx: &Context,
    cert: &Certificate,
    data: &SecretData,
    existing: Option<&Secret>,
    reuse_keystores: bool,
) -> Result<Secret> {
    let namespace = cert.namespace().unwrap_or_default();
    let (labels_out, annotations_out) = managed_metadata(cert, data);
    let mut out: BTreeMap<String, ByteString> = BTreeMap::new();
    out.insert(
        secret_keys::TLS_CERT.into(),
        ByteString(data.certificate.clone()),
    );
    out.insert(
        secret_keys::TLS_KEY.into(),
        ByteString(data.private_key.clone()),
    );
    let ca = data.ca.clone().filter(|c| !c.is_empty());
    if let Some(ca) = &ca {
        out.insert(secret_keys::CA_CERT.into(), ByteString(ca.clone()));
    }
    for f in cert
        .spec
        .additional_output_formats
        .clone()
        .unwrap_or_default()
    {
        match f.type_ {
            CertificateOutputFormatType::Der => {
                out.insert(
                    secret_keys::KEY_DER.into(),
                    ByteString(pki::der_output(&data.private_key)?),
                );
            }
            CertificateOutputFormatType::CombinedPEM => {
                out.insert(
                    secret_keys::TLS_COMBINED_PEM.into(),
                    ByteString(pki::combined_pem_output(
                        &data.private_key,
                        &data.certificate,
                    )),
                );
            }
        }
    }
    let existing_data = existing.and_then(|s| s.data.clone()).unwrap_or_default();
    let ca_bytes = ca.clone().unwrap_or_default();
    if let Some(ks) = &cert.spec.keystores {
        if let Some(p12) = ks.pkcs12.as_ref().filter(|k| k.create) {
            let kept = reuse_keystores
                .then(|| existing_data.get(secret_keys::PKCS12_KEYSTORE))
                .flatten();
            match (
                kept,
                password(
                    ctx,
                    &namespace,
                    p12.password_secret_ref.as_ref(),
                    p12.password.as_deref(),
                )
                .await?,
            ) {
                (Some(k), _) => {
                    out.insert(secret_keys::PKCS12_KEYSTORE.into(), k.clone());
                    if let Some(t) = existing_data.get(secret_keys::PKCS12_TRUSTSTORE) {
                        out.insert(secret_keys::PKCS12_TRUSTSTORE.into(), t.clone());
                    }
                }
                (None, Some(pw)) => {
                    let profile = pkcs12_profile(p12.profile);
                    out.insert(
                        secret_keys::PKCS12_KEYSTORE.into(),
                        ByteString(pki::pkcs12_keystore(
                            profile,
                            &pw,
                            &data.private_key,
                            &data.certificate,
                            &ca_bytes,
                        )?),
                    );
                    if !ca_bytes.is_empty() {
                        out.insert(
                            secret_keys::PKCS12_TRUSTSTORE.into(),
                            ByteString(pki::pkcs12_truststore(profile, &pw, &ca_bytes)?),
                        );
                    }
                }
                (None, None) => {
                    ctx.recorder(crate::context::components::ISSUING)
                        .publish(
                            &cert.object_ref(&()),
                            EventType::Warning,
                            "KeystorePasswordSecretNotFound",
                            "Issuing",
                            "Failed to find the PKCS12 keystore password Secret",
                        )
                        .await;
                }
            }
        }
        if let Some(jks) = ks.jks.as_ref().filter(|k| k.create) {
            let kept = reuse_keystores
                .then(|| existing_data.get(secret_keys::JKS_KEYSTORE))
                .flatten();
            match (
                kept,
                password(
                    ctx,
                    &namespace,
                    jks.password_secret_ref.as_ref(),
                    jks.password.as_deref(),
                )
                .await?,
            ) {
                (Some(k), _) => {
                    out.insert(secret_keys::JKS_KEYSTORE.into(), k.clone());
                    if let Some(t) = existing_data.get(secret_keys::JKS_TRUSTSTORE) {
                        out.insert(secret_keys::JKS_TRUSTSTORE.into(), t.clone());
                    }
                }
                (None, Some(pw)) => {
                    let now = ctx.clock.now();
                    let alias = jks
                        .alias
                        .clone()
                        .unwrap_or_else(|| pki::JKS_DEFAULT_ALIAS.to_string());
                    out.insert(
                        secret_keys::JKS_KEYSTORE.into(),
                        ByteString(pki::jks_keystore(
                            &pw,
                            &alias,
                            &data.private_key,
                            &data.certificate,
                            &ca_bytes,
                            now,
                        )?),
                    );
                    if !ca_bytes.is_empty() {
                        out.insert(
                            secret_keys::JKS_TRUSTSTORE.into(),
                            ByteString(pki::jks_truststore(&pw, &ca_bytes, now)?),
                        );
                    }
                }
                (None, None) => {
                    ctx.recorder(crate::context::components::ISSUING)
                        .publish(
                            &cert.object_ref(&()),
                            EventType::Warning,
                            "KeystorePasswordSecretNotFound",
                            "Issuing",
                            "Failed to find the JKS keystore password Secret",
                        )
                        .await;
                }
            }
        }
    }
    let type_ = existing
        .and_then(|s| s.type_.clone())
        .unwrap_or_else(|| "kubernetes.io/tls".to_string());
    let owner_references = ctx
        .config
        .certificate_owner_ref
        .then(|| cert.controller_owner_ref(&()).map(|o| vec![o]))
        .flatten();
    Ok(Secret {
        metadata: ObjectMeta {
            name: Some(cert.spec.secret_name.clone()),
            namespace: Some(namespace),
            labels: Some(labels_out),
            annotations: Some(annotations_out),
            owner_references,
            ..Default::default()
        },
        type_: Some(type_),
        data: Some(out),
        ..Default::default()
    })
}

/// Server-side applies the Secret (force: cert-manager owns these fields).
pub async fn apply(ctx: &Context, secret: &Secret) -> Result<Secret> {
    let namespace = secret.metadata.namespace.clone().unwrap_or_default();
    let name = secret.metadata.name.clone().unwrap_or_default();
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), &namespace);
    let mut body = serde_json::to_value(secret)?;
    if let Some(map) = body.as_object_mut() {
        map.insert("apiVersion".into(), "v1".into());
        map.insert("kind".into(), "Secret".into());
    }
    api.patch(
        &name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(body),
    )
    .await
    .map_err(Error::from)
}

/// Whether the live Secret already carries everything `desired` sets (so no write is
/// needed).
pub fn up_to_date(live: &Secret, desired: &Secret) -> bool {
    let sub = |want: &Option<BTreeMap<String, String>>, have: &Option<BTreeMap<String, String>>| {
        want.iter()
            .flatten()
            .all(|(k, v)| have.as_ref().and_then(|h| h.get(k)) == Some(v))
    };
    let data_ok = desired
        .data
        .iter()
        .flatten()
        .all(|(k, v)| live.data.as_ref().and_then(|d| d.get(k)) == Some(v));
    data_ok
        && sub(&desired.metadata.labels, &live.metadata.labels)
        && sub(&desired.metadata.annotations, &live.metadata.annotations)
        && desired
            .metadata
            .owner_references
            .as_ref()
            .is_none_or(|refs| {
                refs.iter().all(|r| {
                    live.metadata
                        .owner_references
                        .iter()
                        .flatten()
                        .any(|l| l.uid == r.uid)
                })
            })
}
