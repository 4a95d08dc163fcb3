//! The validation authority: http-01, dns-01 and tls-alpn-01, with CAA checking.
//!
//! As in Pebble, each challenge is checked by several concurrent attempts (3 by default)
//! which must all pass; each attempt first sleeps a random time unless
//! `PEBBLE_VA_NOSLEEP` is set, and `PEBBLE_VA_ALWAYS_VALID` skips the checks.

pub mod caa;
pub mod dns;
pub mod http01;
pub mod tls;
pub mod tlsalpn01;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;

use crate::db::Identifier;
use crate::va::dns::DnsClient;
use crate::wfe::problem::Problem;

/// Settings the VA needs.
#[derive(Debug, Clone)]
pub struct VaConfig {
    /// http-01 port.
    pub http_port: u16,
    /// tls-alpn-01 port.
    pub tls_port: u16,
    /// Random sleep upper bound before each attempt (`None` = no sleep).
    pub sleep_max: Option<Duration>,
    /// Skip every check.
    pub always_valid: bool,
    /// Concurrent attempts that must all pass.
    pub attempts: usize,
    /// Timeout of one attempt.
    pub timeout: Duration,
    /// Check CAA.
    pub caa_checking: bool,
    /// Accepted CAA issuer domains.
    pub caa_identities: Vec<String>,
}

/// One challenge to validate.
#[derive(Debug, Clone)]
pub struct ValidationRequest {
    /// The identifier (wildcard prefix removed).
    pub identifier: Identifier,
    /// Whether the authorization is for a wildcard.
    pub wildcard: bool,
    /// `http-01`, `dns-01` or `tls-alpn-01`.
    pub kind: String,
    /// The challenge token.
    pub token: String,
    /// `token.thumbprint`.
    pub key_authorization: String,
}

/// The validation authority.
#[derive(Debug, Clone)]
pub struct Va {
    config: VaConfig,
    dns: DnsClient,
}

/// SHA-256 of a key authorization, base64url (the dns-01 TXT value).
pub fn dns01_value(key_authorization: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(
        &digest::SHA256,
        key_authorization.as_bytes(),
    ))
}

impl Va {
    /// A VA using `dns` for lookups.
    pub fn new(config: VaConfig, dns: DnsClient) -> Self {
        Self { config, dns }
    }

    /// Validates a challenge: every attempt must pass, then CAA.
    pub async fn validate(&self, req: &ValidationRequest) -> Result<(), Problem> {
        if self.config.always_valid {
            return Ok(());
        }
        let attempts = self.config.attempts.max(1);
        let results = futures::future::join_all((0..attempts).map(|_| self.attempt(req))).await;
        for r in results {
            r?;
        }
        if self.config.caa_checking && req.identifier.kind == "dns" {
            caa::check(
                &self.dns,
                &req.identifier.value,
                req.wildcard,
                &self.config.caa_identities,
            )
            .await?;
        }
        Ok(())
    }

    async fn attempt(&self, req: &ValidationRequest) -> Result<(), Problem> {
        if let Some(max) = self.config.sleep_max
            && !max.is_zero()
        {
            let ms = rand::rng().random_range(0..max.as_millis().max(1) as u64);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        match req.kind.as_str() {
            "http-01" => self.http01(req).await,
            "dns-01" => self.dns01(req).await,
            "tls-alpn-01" => self.tlsalpn01(req).await,
            other => Err(Problem::malformed(format!(
                "unsupported challenge type {other:?}"
            ))),
        }
    }

    async fn address(&self, host: &str) -> Result<IpAddr, Problem> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(ip);
        }
        let ips = self.dns.lookup_ips(host).await?;
        ips.into_iter()
            .next()
            .ok_or_else(|| Problem::unauthorized(format!("no addresses for {host}")))
    }

    async fn http01(&self, req: &ValidationRequest) -> Result<(), Problem> {
        let host = &req.identifier.value;
        let ip = self.address(host).await?;
        let dns = self.dns.clone();
        let resolve = async move |name: &str| -> Result<IpAddr, Problem> {
            dns.lookup_ips(name)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| Problem::unauthorized(format!("no addresses for {name}")))
        };
        let body = http01::fetch(
            host,
            ip,
            self.config.http_port,
            &req.token,
            resolve,
            self.config.timeout,
        )
        .await?;
        let body = body.trim_end();
        if body != req.key_authorization {
            return Err(Problem::unauthorized(format!(
                "The key authorization file from the server did not match this challenge. \
                 Expected {:?} (got {:?})",
                req.key_authorization, body
            )));
        }
        Ok(())
    }

    async fn dns01(&self, req: &ValidationRequest) -> Result<(), Problem> {
        let name = format!("_acme-challenge.{}", req.identifier.value);
        let expected = dns01_value(&req.key_authorization);
        let values = tokio::time::timeout(self.config.timeout, self.dns.txt(&name))
            .await
            .map_err(|_| Problem::unauthorized(format!("Timeout looking up TXT for {name}")))??;
        if values.is_empty() {
            return Err(Problem::unauthorized(format!(
                "No TXT records found for DNS challenge at {name}"
            )));
        }
        if values.iter().any(|v| v.trim() == expected) {
            Ok(())
        } else {
            Err(Problem::unauthorized(format!(
                "Correct value not found for DNS challenge at {name}"
            )))
        }
    }

    async fn tlsalpn01(&self, req: &ValidationRequest) -> Result<(), Problem> {
        let host = &req.identifier.value;
        let ip = self.address(host).await?;
        let expected = digest::digest(&digest::SHA256, req.key_authorization.as_bytes());
        tlsalpn01::validate(
            host,
            SocketAddr::new(ip, self.config.tls_port),
            expected.as_ref(),
            self.config.timeout,
        )
        .await
    }
}
