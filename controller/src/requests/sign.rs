//! Signing with the SelfSigned and CA issuers
//! (`certificaterequests/selfsigned`, `certificaterequests/ca`).

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;

use super::{GenericIssuer, Reporter};
use crate::api::constants::annotations;
use crate::api::issuer::IssuerType;
use crate::context::Context;
use crate::error::Result;
use crate::pki;

fn secret_data(secret: &Secret, key: &str) -> Vec<u8> {
    secret
        .data
        .as_ref()
        .and_then(|d| d.get(key))
        .map(|b| b.0.clone())
        .unwrap_or_default()
}

pub(super) async fn sign(
    ctx: &Context,
    reporter: &mut Reporter<'_>,
    issuer: &GenericIssuer,
    kind: IssuerType,
) -> Result<()> {
    let namespace = reporter.cr.namespace().unwrap_or_default();
    let request = match crate::convert::request_spec(&reporter.cr.spec) {
        Ok(r) => r,
        Err(e) => {
            reporter
                .failed(
                    "ErrorGenerating",
                    format!("Error generating certificate template: {e}"),
                )
                .await;
            return Ok(());
        }
    };
    let now = ctx.clock.now();
    let issued = match kind {
        IssuerType::SelfSigned => {
            let Some(secret_name) = reporter
                .cr
                .annotations()
                .get(annotations::PRIVATE_KEY_SECRET_NAME)
                .filter(|s| !s.is_empty())
                .cloned()
            else {
                reporter
                    .failed(
                        "MissingAnnotation",
                        format!(
                            "Annotation {:?} missing or reference empty: secret name missing",
                            annotations::PRIVATE_KEY_SECRET_NAME
                        ),
                    )
                    .await;
                return Ok(());
            };
            let api: Api<Secret> = Api::namespaced(ctx.client.clone(), &namespace);
            let Some(secret) = api.get_opt(&secret_name).await? else {
                reporter
                    .pending(
                        "MissingSecret",
                        format!("Referenced secret {namespace}/{secret_name} not found: secrets {secret_name:?} not found"),
                    )
                    .await;
                return Ok(());
            };
            let key = match pki::PrivateKey::from_pem(&secret_data(&secret, "tls.key")) {
                Ok(k) => k,
                Err(e) => {
                    reporter
                        .pending(
                            "ErrorParsingKey",
                            format!(
                                "Failed to get key {secret_name:?} referenced in annotation {:?}: {e}",
                                annotations::PRIVATE_KEY_SECRET_NAME
                            ),
                        )
                        .await;
                    return Ok(());
                }
            };
            let urls = pki::IssuerUrls {
                crl_distribution_points: issuer
                    .spec
                    .self_signed
                    .as_ref()
                    .and_then(|s| s.crl_distribution_points.clone())
                    .unwrap_or_default(),
                ..Default::default()
            };
            match pki::sign_self_signed(&request, &key, now, &urls) {
                Ok(issued) => issued,
                Err(e @ pki::PkiError::Key(_)) => {
                    reporter
                        .failed(
                            "ErrorKeyMatch",
                            format!("Error generating certificate template: {e}"),
                        )
                        .await;
                    return Ok(());
                }
                Err(e @ pki::PkiError::Signing(_)) => {
                    reporter
                        .failed("ErrorSigning", format!("Error signing certificate: {e}"))
                        .await;
                    return Ok(());
                }
                Err(e) => {
                    reporter
                        .failed(
                            "ErrorGenerating",
                            format!("Error generating certificate template: {e}"),
                        )
                        .await;
                    return Ok(());
                }
            }
        }
        IssuerType::Ca => {
            let Some(ca) = issuer.spec.ca.as_ref() else {
                return Ok(());
            };
            let ns = &issuer.resource_namespace;
            let api: Api<Secret> = Api::namespaced(ctx.client.clone(), ns);
            let Some(secret) = api.get_opt(&ca.secret_name).await? else {
                reporter
                    .pending(
                        "SecretMissing",
                        format!(
                            "Referenced secret {ns}/{} not found: secrets {:?} not found",
                            ca.secret_name, ca.secret_name
                        ),
                    )
                    .await;
                return Ok(());
            };
            let ca_crt = secret_data(&secret, "ca.crt");
            let signing = match pki::SigningCa::from_secret_data(
                &secret_data(&secret, "tls.crt"),
                &secret_data(&secret, "tls.key"),
                Some(&ca_crt),
            ) {
                Ok(s) => s,
                Err(e) => {
                    reporter
                        .pending(
                            "SecretInvalidData",
                            format!(
                                "Failed to parse signing CA keypair from secret {ns}/{}: {e}",
                                ca.secret_name
                            ),
                        )
                        .await;
                    return Ok(());
                }
            };
            let urls = pki::IssuerUrls {
                crl_distribution_points: ca.crl_distribution_points.clone().unwrap_or_default(),
                ocsp_servers: ca.ocsp_servers.clone().unwrap_or_default(),
                issuing_certificate_urls: ca.issuing_certificate_urls.clone().unwrap_or_default(),
            };
            match pki::sign_with_ca(&request, &signing, now, &urls) {
                Ok(issued) => issued,
                Err(e @ pki::PkiError::Signing(_)) => {
                    reporter
                        .failed("SigningError", format!("Error signing certificate: {e}"))
                        .await;
                    return Ok(());
                }
                Err(e) => {
                    reporter
                        .failed(
                            "SigningError",
                            format!("Error generating certificate template: {e}"),
                        )
                        .await;
                    return Ok(());
                }
            }
        }
        _ => {
            reporter
                .pending(
                    "IssuerTypeNotSupported",
                    format!(
                        "certlab does not implement {} issuers of this type",
                        issuer.kind
                    ),
                )
                .await;
            return Ok(());
        }
    };
    let status = reporter.cr.status.get_or_insert_with(Default::default);
    status.certificate = Some(ByteString(issued.certificate_pem.into_bytes()));
    status.ca = issued.ca_pem.map(|c| ByteString(c.into_bytes()));
    reporter.ready().await;
    Ok(())
}
