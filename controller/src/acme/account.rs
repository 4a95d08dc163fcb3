//! ACME accounts: the issuer setup that generates or reads the account key, registers
//! it (with contact and External Account Binding) and records `status.acme`, and the
//! registry of registered clients the Orders and Challenges controllers use
//! (cert-manager's `pkg/issuer/acme/setup.go` and `pkg/acme/accounts`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ObjectMeta, PostParams};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

use super::client::{AcmeClient, ExternalAccountBinding, Problem, fetch_directory};
use super::http::{TlsOptions, client as http_client};
use crate::api::acme::{AcmeIssuer, AcmeIssuerStatus};
use crate::api::meta::ConditionStatus;
use crate::context::Context;
use crate::error::is_not_found;
use crate::requests::GenericIssuer;

/// What can go wrong talking to an ACME server.
#[derive(Debug, thiserror::Error)]
pub enum AcmeError {
    /// No registered account yet (the issuer is not Ready).
    #[error("ACME client for issuer not initialised/available")]
    Unavailable,
    /// An RFC 8555 problem document from the server.
    #[error("{0}")]
    Problem(Problem),
    /// The server could not be reached or answered nonsense.
    #[error("{0}")]
    Transport(String),
    /// The issuer's configuration cannot work.
    #[error("{0}")]
    Config(String),
    /// The Kubernetes API failed.
    #[error("{0}")]
    Kube(#[from] kube::Error),
}

impl AcmeError {
    /// 5xx, `rateLimited`, `badNonce`, transport failures: worth retrying with backoff.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Problem(p) => {
                p.status.is_none_or(|s| s >= 500 || s == 429)
                    || p.type_.ends_with(":rateLimited")
                    || p.type_.ends_with(":badNonce")
            }
            Self::Transport(_) | Self::Unavailable | Self::Kube(_) => true,
            Self::Config(_) => false,
        }
    }

    /// A 4xx answer other than the retryable ones: the request itself is wrong.
    pub fn is_client_error(&self) -> bool {
        matches!(self, Self::Problem(p) if p.status.is_some_and(|s| (400..500).contains(&s)))
            && !self.is_retryable()
    }
}

/// One registered account.
#[derive(Debug)]
pub struct AcmeAccount {
    client: AcmeClient,
    /// The issuer's ACME settings it was built from.
    pub spec: AcmeIssuer,
}

impl AcmeAccount {
    /// The signed-request client.
    pub fn client(&self) -> &AcmeClient {
        &self.client
    }

    /// RFC 8555 §7.5.1: responds to the challenge; returns its status and error detail.
    pub async fn accept_challenge(
        &self,
        challenge_url: &str,
    ) -> Result<(String, Option<String>), AcmeError> {
        let c = self.client.accept(challenge_url).await?;
        Ok((c.status, c.error.map(|e| e.to_string())))
    }

    /// The authorization's status and, when invalid, its failed challenge's detail.
    pub async fn authorization(
        &self,
        authz_url: &str,
    ) -> Result<(String, Option<String>), AcmeError> {
        let a = self.client.authorization(authz_url).await?;
        let detail = a.failure_detail();
        Ok((a.status, detail))
    }

    /// The key authorization for a token (`token.thumbprint`).
    pub fn key_authorization(&self, token: &str) -> String {
        format!("{token}.{}", self.client.thumbprint())
    }
}

/// What identifies a registered client: if any of it changes, setup runs again.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Fingerprint {
    server: String,
    tls: TlsOptions,
    key_hash: String,
    account_url: String,
}

/// Registered clients, one per issuer (`Issuer/<ns>/<name>` or `ClusterIssuer/<name>`).
#[derive(Default)]
pub struct Accounts {
    clients: Mutex<HashMap<String, (Fingerprint, Arc<AcmeAccount>)>>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts").finish_non_exhaustive()
    }
}

fn issuer_key(kind: &str, namespace: &str, name: &str) -> String {
    if kind == "ClusterIssuer" {
        format!("{kind}/{name}")
    } else {
        format!("{kind}/{namespace}/{name}")
    }
}

impl Accounts {
    /// The account of an issuer with `spec.acme`. The issuer's setup registers it; a
    /// controller restart rebuilds it from the key Secret and `status.acme.uri`.
    pub async fn get(
        &self,
        ctx: &Context,
        issuer: &GenericIssuer,
    ) -> Result<Arc<AcmeAccount>, AcmeError> {
        let spec = issuer.spec.acme.as_ref().ok_or(AcmeError::Unavailable)?;
        let uri = issuer
            .status
            .as_ref()
            .and_then(|s| s.acme.as_ref())
            .and_then(|a| a.uri.clone())
            .filter(|u| !u.is_empty())
            .ok_or(AcmeError::Unavailable)?;
        let key = issuer_key(issuer.kind, &issuer.resource_namespace, &issuer.name);
        if let Some((fp, account)) = self.clients.lock().ok().and_then(|m| m.get(&key).cloned())
            && fp.server == spec.server
            && fp.account_url == uri
            && fp.tls == tls_options(spec)
        {
            return Ok(account);
        }
        let pkcs8 = match read_account_key(ctx, &issuer.resource_namespace, spec).await? {
            KeyRead::Found(k) => k,
            _ => return Err(AcmeError::Unavailable),
        };
        let account = build(spec, &pkcs8, uri.clone()).await?;
        self.insert(
            &key,
            Fingerprint {
                server: spec.server.clone(),
                tls: tls_options(spec),
                key_hash: key_hash(&pkcs8),
                account_url: uri,
            },
            account.clone(),
        );
        Ok(account)
    }

    fn insert(&self, key: &str, fp: Fingerprint, account: Arc<AcmeAccount>) {
        if let Ok(mut m) = self.clients.lock() {
            m.insert(key.to_string(), (fp, account));
        }
    }

    fn cached(&self, key: &str, fp: &Fingerprint) -> bool {
        self.clients
            .lock()
            .ok()
            .and_then(|m| m.get(key).map(|(f, _)| f == fp))
            .unwrap_or(false)
    }

    /// Forgets an issuer's client (it was deleted or its setup failed).
    pub fn remove(&self, kind: &str, namespace: &str, name: &str) {
        if let Ok(mut m) = self.clients.lock() {
            m.remove(&issuer_key(kind, namespace, name));
        }
    }
}

fn tls_options(spec: &AcmeIssuer) -> TlsOptions {
    TlsOptions {
        ca_bundle: spec.ca_bundle.as_ref().map(|b| b.0.clone()),
        skip_tls_verify: spec.skip_tls_verify.unwrap_or(false),
    }
}

async fn build(
    spec: &AcmeIssuer,
    pkcs8: &[u8],
    kid: String,
) -> Result<Arc<AcmeAccount>, AcmeError> {
    let http = http_client(&tls_options(spec))?;
    let directory = fetch_directory(&http, &spec.server).await?;
    let client = AcmeClient::new(http, pkcs8, kid, directory)?;
    Ok(Arc::new(AcmeAccount {
        client,
        spec: spec.clone(),
    }))
}

/// cert-manager's `lastPrivateKeyHash`: base64 of SHA-256 over the key's DER.
fn key_hash(pkcs8: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, pkcs8))
}

/// The Secret key the account key lives under.
fn key_entry(spec: &AcmeIssuer) -> &str {
    spec.private_key_secret_ref
        .key
        .as_deref()
        .filter(|k| !k.is_empty())
        .unwrap_or("tls.key")
}

enum KeyRead {
    Found(Vec<u8>),
    SecretMissing(String),
    Invalid(String),
    NotP256(String),
}

/// Reads the account key as PKCS#8 DER. PKCS#8 and SEC1 ("EC PRIVATE KEY") P-256
/// keys are accepted; RSA keys are refused (see [`setup`]).
async fn read_account_key(
    ctx: &Context,
    namespace: &str,
    spec: &AcmeIssuer,
) -> Result<KeyRead, AcmeError> {
    let name = &spec.private_key_secret_ref.name;
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), namespace);
    let secret = match api.get(name).await {
        Ok(s) => s,
        Err(e) if is_not_found(&e) => {
            return Ok(KeyRead::SecretMissing(format!(
                "secrets {name:?} not found"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let entry = key_entry(spec);
    let Some(data) = secret.data.as_ref().and_then(|d| d.get(entry)) else {
        return Ok(KeyRead::Invalid(format!(
            "no data for {entry:?} in secret '{namespace}/{name}'"
        )));
    };
    Ok(parse_account_key(&data.0, name))
}

fn parse_account_key(pem: &[u8], secret: &str) -> KeyRead {
    let der = match PrivateKeyDer::from_pem_slice(pem) {
        Ok(d) => d,
        Err(e) => return KeyRead::Invalid(format!("error decoding private key PEM block: {e}")),
    };
    let der_bytes = der.secret_der().to_vec();
    if matches!(der, PrivateKeyDer::Pkcs1(_))
        || aws_lc_rs::rsa::KeyPair::from_pkcs8(&der_bytes).is_ok()
    {
        return KeyRead::NotP256(format!(
            "ACME private key in {secret:?} is an RSA key; certlab signs ACME requests with \
             ECDSA P-256 account keys only (delete the Secret to have one generated)"
        ));
    }
    match EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_FIXED_SIGNING, &der_bytes)
        .map_err(|e| e.to_string())
        .and_then(|k| k.to_pkcs8v1().map_err(|e| e.to_string()))
    {
        Ok(pkcs8) => KeyRead::Found(pkcs8.as_ref().to_vec()),
        Err(_) => KeyRead::NotP256(format!(
            "ACME private key in {secret:?} is not an ECDSA P-256 key"
        )),
    }
}

fn generate_key() -> Result<Vec<u8>, AcmeError> {
    let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
        .map_err(|_| AcmeError::Config("could not generate an account key".to_string()))?;
    Ok(doc.as_ref().to_vec())
}

fn pem_of(pkcs8: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(pkcs8);
    let mut out = String::from("-----BEGIN PRIVATE KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END PRIVATE KEY-----\n");
    out.into_bytes()
}

/// The messages and reasons of `pkg/issuer/acme/setup.go`.
pub mod setup_text {
    /// Reason: registration failed.
    pub const ERR_REGISTER: &str = "ErrRegisterACMEAccount";
    /// Reason: verification failed.
    pub const ERR_VERIFY: &str = "ErrVerifyACMEAccount";
    /// Reason: the email could not be updated.
    pub const ERR_UPDATE: &str = "ErrUpdateACMEAccount";
    /// Reason: the server URL is wrong.
    pub const INVALID_URL: &str = "InvalidURL";
    /// Reason: an ACME v1 URL.
    pub const INVALID_CONFIG: &str = "InvalidConfig";
    /// Message prefix: registration failed.
    pub const REGISTRATION_FAILED: &str = "Failed to register ACME account: ";
    /// Message prefix: verification failed.
    pub const VERIFICATION_FAILED: &str = "Failed to verify ACME account: ";
    /// Message prefix: update failed.
    pub const UPDATE_FAILED: &str = "Failed to update ACME account:";
    /// Ready message.
    pub const REGISTERED: &str = "The ACME account was registered with the ACME server";
    /// Key missing while generation is disabled.
    pub const NO_SECRET_GENERATION_DISABLED: &str = "the ACME issuer config has 'disableAccountKeyGeneration' set to true, but the secret was not found: ";
    /// Invalid key.
    pub const INVALID_PRIVATE_KEY: &str = "Account private key is invalid: ";
}

/// The result of an ACME issuer's setup.
#[derive(Debug)]
pub struct AcmeSetup {
    /// `Ready`.
    pub status: ConditionStatus,
    /// Reason.
    pub reason: String,
    /// Message.
    pub message: String,
    /// Whether to retry with backoff (transient failure).
    pub retry: bool,
    /// A Warning event to record (reason, message).
    pub warning: Option<(String, String)>,
    /// The new `status.acme`.
    pub acme_status: Option<AcmeIssuerStatus>,
}

impl AcmeSetup {
    fn not_ready(reason: &str, message: String, retry: bool) -> Self {
        Self {
            status: ConditionStatus::False,
            reason: reason.to_string(),
            message,
            retry,
            warning: None,
            acme_status: None,
        }
    }

    fn warn(mut self) -> Self {
        self.warning = Some((self.reason.clone(), self.message.clone()));
        self
    }
}

/// An ACME v1 URL and the v2 URL that replaced it.
const V1_TO_V2: [(&str, &str); 4] = [
    (
        "https://acme-v01.api.letsencrypt.org/directory",
        "https://acme-v02.api.letsencrypt.org/directory",
    ),
    (
        "https://acme-staging.api.letsencrypt.org/directory",
        "https://acme-staging-v02.api.letsencrypt.org/directory",
    ),
    (
        "https://acme-v01.api.letsencrypt.org/directory/",
        "https://acme-v02.api.letsencrypt.org/directory",
    ),
    (
        "https://acme-staging.api.letsencrypt.org/directory/",
        "https://acme-staging-v02.api.letsencrypt.org/directory",
    ),
];

fn host_of(url: &str) -> Option<String> {
    url.parse::<http::Uri>()
        .ok()
        .and_then(|u| u.authority().map(|a| a.to_string()))
}

/// Sets up an ACME issuer: key, registration, email, and the cached client.
pub async fn setup(
    ctx: &Context,
    kind: &'static str,
    name: &str,
    namespace: &str,
    spec: &AcmeIssuer,
    status: Option<&AcmeIssuerStatus>,
    ready: bool,
) -> Result<AcmeSetup, AcmeError> {
    use setup_text::*;
    if let Some((_, v2)) = V1_TO_V2.iter().find(|(v1, _)| *v1 == spec.server) {
        return Ok(AcmeSetup::not_ready(
            INVALID_CONFIG,
            format!(
                "Your ACME server URL is set to a v1 endpoint ({}). You should update the spec.acme.server field to {v2:?}",
                spec.server
            ),
            false,
        ));
    }
    let mut acme_status = status.cloned().unwrap_or_default();
    let secret_name = &spec.private_key_secret_ref.name;
    let disabled = spec.disable_account_key_generation.unwrap_or(false);
    let pkcs8 = match read_account_key(ctx, namespace, spec).await? {
        KeyRead::Found(k) => k,
        KeyRead::SecretMissing(why) if disabled => {
            return Ok(AcmeSetup::not_ready(
                ERR_VERIFY,
                format!("{VERIFICATION_FAILED}{NO_SECRET_GENERATION_DISABLED}{why}"),
                true,
            ));
        }
        KeyRead::SecretMissing(_) => {
            let pkcs8 = generate_key()?;
            let entry = key_entry(spec).to_string();
            let secret = Secret {
                metadata: ObjectMeta {
                    name: Some(secret_name.clone()),
                    namespace: Some(namespace.to_string()),
                    ..Default::default()
                },
                data: Some([(entry, ByteString(pem_of(&pkcs8)))].into()),
                ..Default::default()
            };
            let api: Api<Secret> = Api::namespaced(ctx.client.clone(), namespace);
            if let Err(e) = api.create(&PostParams::default(), &secret).await {
                return Ok(AcmeSetup::not_ready(
                    ERR_REGISTER,
                    format!("{REGISTRATION_FAILED}{e}"),
                    true,
                ));
            }
            tracing::info!(issuer = name, secret = %secret_name, "generated an ACME account key");
            acme_status.uri = None;
            pkcs8
        }
        KeyRead::Invalid(why) => {
            return Ok(AcmeSetup::not_ready(
                ERR_VERIFY,
                format!("{INVALID_PRIVATE_KEY}{why}"),
                false,
            ));
        }
        KeyRead::NotP256(why) => return Ok(AcmeSetup::not_ready(ERR_VERIFY, why, false)),
    };
    let tls = tls_options(spec);
    let hash = key_hash(&pkcs8);
    let Some(server_host) = host_of(&spec.server) else {
        return Ok(AcmeSetup::not_ready(
            INVALID_URL,
            format!(
                "Failed to parse existing ACME server URI {:?}: not an absolute URL",
                spec.server
            ),
            false,
        )
        .warn());
    };
    let account_url = acme_status.uri.clone().unwrap_or_default();
    let key = issuer_key(kind, namespace, name);
    let fp = Fingerprint {
        server: spec.server.clone(),
        tls: tls.clone(),
        key_hash: hash.clone(),
        account_url: account_url.clone(),
    };
    // cert-manager skips re-verification when the cached registration still matches.
    let same_host = host_of(&account_url).as_deref() == Some(server_host.as_str());
    if ready
        && !account_url.is_empty()
        && same_host
        && acme_status.last_registered_email.as_deref().unwrap_or("")
            == spec.email.as_deref().unwrap_or("")
        && acme_status.last_private_key_hash.as_deref() == Some(hash.as_str())
    {
        if !self_cached(ctx, &key, &fp) {
            match build(spec, &pkcs8, account_url.clone()).await {
                Ok(account) => ctx.acme_accounts.insert(&key, fp, account),
                Err(e) => {
                    return Ok(AcmeSetup::not_ready(
                        ERR_VERIFY,
                        format!("{VERIFICATION_FAILED}{e}"),
                        e.is_retryable(),
                    ));
                }
            }
        }
        return Ok(AcmeSetup {
            status: ConditionStatus::True,
            reason: crate::api::constants::reasons::ACME_ACCOUNT_REGISTERED.to_string(),
            message: REGISTERED.to_string(),
            retry: false,
            warning: None,
            acme_status: Some(acme_status),
        });
    }
    ctx.acme_accounts.remove(kind, namespace, name);

    let eab = match &spec.external_account_binding {
        None => None,
        Some(eab) => match read_eab_key(ctx, namespace, eab).await? {
            Ok(key) => Some(ExternalAccountBinding {
                key_id: eab.key_id.clone(),
                key,
                algorithm: eab
                    .key_algorithm
                    .map(|a| format!("{a:?}"))
                    .unwrap_or_default(),
            }),
            Err(why) => {
                return Ok(AcmeSetup::not_ready(
                    ERR_REGISTER,
                    format!("{REGISTRATION_FAILED}{why}"),
                    false,
                )
                .warn());
            }
        },
    };

    let http = http_client(&tls)?;
    let directory = match fetch_directory(&http, &spec.server).await {
        Ok(d) => d,
        Err(e) => {
            return Ok(AcmeSetup::not_ready(
                ERR_REGISTER,
                format!("{REGISTRATION_FAILED}{e}"),
                e.is_retryable() || !e.is_client_error(),
            ));
        }
    };
    let mut client = AcmeClient::new(http, &pkcs8, String::new(), directory)?;
    let email = spec.email.clone().unwrap_or_default();
    let contact: Vec<String> = if email.is_empty() {
        Vec::new()
    } else {
        vec![format!("mailto:{}", email.to_lowercase())]
    };
    let (url, account) = match client.register(&contact, eab.as_ref()).await {
        Ok(r) => r,
        Err(e) => {
            let retry = !e.is_client_error();
            return Ok(AcmeSetup::not_ready(
                ERR_REGISTER,
                format!("{REGISTRATION_FAILED}{e}"),
                retry,
            ));
        }
    };
    // cert-manager's ensureEmailUpToDate.
    let registered = account
        .contact
        .first()
        .map(|c| c.replacen("mailto:", "", 1))
        .unwrap_or_default();
    if registered != email
        && let Err(e) = client.update_contact(&contact).await
    {
        let retry = !e.is_client_error();
        return Ok(AcmeSetup::not_ready(ERR_UPDATE, format!("{UPDATE_FAILED}{e}"), retry).warn());
    }
    acme_status.uri = Some(url.clone());
    acme_status.last_registered_email = Some(email);
    acme_status.last_private_key_hash = Some(hash.clone());
    ctx.acme_accounts.insert(
        &key,
        Fingerprint {
            server: spec.server.clone(),
            tls,
            key_hash: hash,
            account_url: url,
        },
        Arc::new(AcmeAccount {
            client,
            spec: spec.clone(),
        }),
    );
    Ok(AcmeSetup {
        status: ConditionStatus::True,
        reason: crate::api::constants::reasons::ACME_ACCOUNT_REGISTERED.to_string(),
        message: REGISTERED.to_string(),
        retry: false,
        warning: None,
        acme_status: Some(acme_status),
    })
}

fn self_cached(ctx: &Context, key: &str, fp: &Fingerprint) -> bool {
    ctx.acme_accounts.cached(key, fp)
}

/// The EAB MAC key: base64url (unpadded, as cert-manager reads it) in the Secret.
async fn read_eab_key(
    ctx: &Context,
    namespace: &str,
    eab: &crate::api::acme::AcmeExternalAccountBinding,
) -> Result<Result<Vec<u8>, String>, AcmeError> {
    let sel = &eab.key_secret_ref;
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), namespace);
    let secret = match api.get(&sel.name).await {
        Ok(s) => s,
        Err(e) if is_not_found(&e) => {
            return Ok(Err(format!("secrets {:?} not found", sel.name)));
        }
        Err(e) => {
            return Ok(Err(format!(
                "failed to get External Account Binding key from secret: {e}"
            )));
        }
    };
    let entry = sel.key.as_deref().unwrap_or_default();
    let Some(data) = secret.data.as_ref().and_then(|d| d.get(entry)) else {
        return Ok(Err(format!(
            "failed to find external account binding key data in Secret {:?} at index {entry:?}",
            sel.name
        )));
    };
    let text = String::from_utf8_lossy(&data.0);
    let text = text.trim().trim_end_matches('=');
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| {
            format!(
                "failed to decode external account binding key data in Secret {:?} at index {entry:?}: {e}",
                sel.name
            )
        }))
}

/// The PKCS#8 of a PEM key, for tests.
#[doc(hidden)]
pub fn pkcs8_of_pem(pem: &[u8]) -> Option<Vec<u8>> {
    match parse_account_key(pem, "") {
        KeyRead::Found(k) => Some(k),
        _ => None,
    }
}

/// A PEM PKCS#8 key, for tests.
#[doc(hidden)]
pub fn new_key_pem() -> Option<Vec<u8>> {
    generate_key().ok().map(|k| pem_of(&k))
}
