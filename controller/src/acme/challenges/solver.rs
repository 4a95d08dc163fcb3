//! The solvers behind a Challenge: HTTP-01 (`acme::http01`) and DNS-01 (the
//! `rfc2136` provider through `acme::dns01`), with one interface for the controller:
//! present, check, clean up.

use std::net::SocketAddr;

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;

use crate::acme::dns01::{self, Dns01Settings, Rfc2136};
use crate::acme::http01::{self, check::CheckSettings};
use crate::api::acme::{
    AcmeChallengeSolverDns01, AcmeChallengeType, CnameStrategy, Rfc2136UpdateProtocol,
};
use crate::api::challenge::Challenge;
use crate::context::Context;
use crate::requests::GenericIssuer;

/// Why a solver step failed.
#[derive(Debug, thiserror::Error)]
pub enum SolverError {
    /// HTTP-01.
    #[error("{0}")]
    Http01(#[from] http01::Http01Error),
    /// DNS-01.
    #[error("{0}")]
    Dns01(#[from] dns01::Dns01Error),
    /// The API server refused a request.
    #[error("{0}")]
    Kube(#[from] kube::Error),
    /// The configuration cannot be used.
    #[error("{0}")]
    Config(String),
}

/// The DNS-01 provider a solver names, as cert-manager's field names it.
fn provider_name(d: &AcmeChallengeSolverDns01) -> &'static str {
    if d.akamai.is_some() {
        "akamai"
    } else if d.cloud_dns.is_some() {
        "clouddns"
    } else if d.cloudflare.is_some() {
        "cloudflare"
    } else if d.route53.is_some() {
        "route53"
    } else if d.azure_dns.is_some() {
        "azuredns"
    } else if d.digitalocean.is_some() {
        "digitalocean"
    } else if d.acme_dns.is_some() {
        "acmedns"
    } else if d.webhook.is_some() {
        "webhook"
    } else if d.rfc2136.is_some() {
        "rfc2136"
    } else {
        "none"
    }
}

fn dns01_config(ch: &Challenge) -> Result<&AcmeChallengeSolverDns01, SolverError> {
    let d = ch
        .spec
        .solver
        .dns01
        .as_ref()
        .ok_or_else(|| SolverError::Config("challenge's solver has no dns01 config".into()))?;
    if d.rfc2136.is_none() {
        return Err(SolverError::Config(format!(
            "DNS-01 provider {} is not supported by certlab (only rfc2136 is)",
            provider_name(d)
        )));
    }
    Ok(d)
}

/// The resolvers DNS-01 uses: the solver's own `nameservers` (then those only), else
/// the controller's `--dns01-recursive-nameservers[-only]`.
fn dns01_settings(ctx: &Context, d: &AcmeChallengeSolverDns01) -> Dns01Settings {
    let own: Vec<SocketAddr> = d
        .nameservers
        .iter()
        .flatten()
        .filter_map(|n| {
            n.parse::<SocketAddr>().ok().or_else(|| {
                n.parse::<std::net::IpAddr>()
                    .ok()
                    .map(|ip| SocketAddr::new(ip, 53))
            })
        })
        .collect();
    if !own.is_empty() {
        return Dns01Settings {
            recursive_nameservers: own,
            recursive_only: true,
        };
    }
    Dns01Settings {
        recursive_nameservers: ctx.config.dns01_recursive_nameservers.clone(),
        recursive_only: ctx.config.dns01_recursive_nameservers_only,
    }
}

/// The `rfc2136` provider with its TSIG secret read from the issuer's namespace.
async fn rfc2136(
    ctx: &Context,
    issuer: &GenericIssuer,
    d: &AcmeChallengeSolverDns01,
) -> Result<Rfc2136, SolverError> {
    let Some(r) = d.rfc2136.as_ref() else {
        return Err(SolverError::Config("no rfc2136 config".into()));
    };
    let tsig_secret = match &r.tsig_secret_secret_ref {
        Some(sel) if !sel.name.is_empty() => {
            let api: Api<Secret> = Api::namespaced(ctx.client.clone(), &issuer.resource_namespace);
            let secret = api.get(&sel.name).await.map_err(|e| {
                SolverError::Config(format!("error getting rfc2136 service account: {e}"))
            })?;
            let key = sel.key.clone().unwrap_or_default();
            let value = secret
                .data
                .as_ref()
                .and_then(|d| d.get(&key))
                .map(|b| b.0.clone())
                .ok_or_else(|| {
                    SolverError::Config(format!(
                        "error getting rfc2136 secret key: key {key:?} not found in secret {:?}",
                        sel.name
                    ))
                })?;
            Some(value)
        }
        _ => None,
    };
    Ok(Rfc2136 {
        nameserver: r.nameserver.clone(),
        tsig_key_name: r.tsig_key_name.clone().filter(|s| !s.is_empty()),
        tsig_algorithm: r.tsig_algorithm.clone().filter(|s| !s.is_empty()),
        tsig_secret,
        tcp: matches!(r.protocol, Some(Rfc2136UpdateProtocol::Tcp)),
    })
}

async fn dns01_fqdn(
    ch: &Challenge,
    d: &AcmeChallengeSolverDns01,
    s: &Dns01Settings,
) -> Result<String, SolverError> {
    let follow = matches!(d.cname_strategy, Some(CnameStrategy::Follow));
    Ok(dns01::challenge_fqdn(&ch.spec.dns_name, follow, s).await?)
}

/// Presents the challenge.
pub async fn present(
    ctx: &Context,
    issuer: &GenericIssuer,
    ch: &Challenge,
) -> Result<(), SolverError> {
    match ch.spec.type_ {
        AcmeChallengeType::Http01 => Ok(http01::present(ctx, ch).await?),
        AcmeChallengeType::Dns01 => {
            let d = dns01_config(ch)?;
            let s = dns01_settings(ctx, d);
            let p = rfc2136(ctx, issuer, d).await?;
            let fqdn = dns01_fqdn(ch, d, &s).await?;
            // TSIG times come from the shared clock (mock-dns checks them against it).
            Ok(dns01::present_at(&p, &fqdn, &ch.spec.key, &s, ctx.clock.now()).await?)
        }
    }
}

/// Self-checks the challenge: `Ok(None)` when it is visible as the CA will see it,
/// `Ok(Some(why not))` otherwise.
pub async fn check(ctx: &Context, ch: &Challenge) -> Result<Option<String>, SolverError> {
    match ch.spec.type_ {
        AcmeChallengeType::Http01 => {
            let settings = CheckSettings {
                port: ctx.config.http01_self_check_port,
                nameservers: ctx.config.acme_http01_solver_nameservers.clone(),
            };
            let passes = ctx.config.http01_self_check_passes.max(1);
            for pass in 0..passes {
                if pass > 0 && !ctx.config.http01_self_check_interval.is_zero() {
                    ctx.clock.sleep(ctx.config.http01_self_check_interval).await;
                }
                if let Err(why) = http01::check::self_check(
                    &ch.spec.dns_name,
                    &ch.spec.token,
                    &ch.spec.key,
                    &settings,
                )
                .await
                {
                    return Ok(Some(why));
                }
            }
            Ok(None)
        }
        AcmeChallengeType::Dns01 => {
            let d = dns01_config(ch)?;
            let s = dns01_settings(ctx, d);
            let fqdn = dns01_fqdn(ch, d, &s).await?;
            let result = dns01::check(&fqdn, &ch.spec.key, &s).await?;
            if result.is_none() && !ctx.config.dns01_propagation_wait.is_zero() {
                ctx.clock.sleep(ctx.config.dns01_propagation_wait).await;
            }
            Ok(result)
        }
    }
}

/// Removes what `present` made.
pub async fn clean_up(
    ctx: &Context,
    issuer: Option<&GenericIssuer>,
    ch: &Challenge,
) -> Result<(), SolverError> {
    match ch.spec.type_ {
        AcmeChallengeType::Http01 => Ok(http01::clean_up(ctx, ch).await?),
        AcmeChallengeType::Dns01 => {
            let d = dns01_config(ch)?;
            let Some(issuer) = issuer else {
                return Err(SolverError::Config(format!(
                    "cannot clean up the DNS-01 record of {:?}: its issuer is gone",
                    ch.name_any()
                )));
            };
            let s = dns01_settings(ctx, d);
            let p = rfc2136(ctx, issuer, d).await?;
            let fqdn = dns01_fqdn(ch, d, &s).await?;
            Ok(dns01::clean_up_at(&p, &fqdn, &ch.spec.key, &s, ctx.clock.now()).await?)
        }
    }
}
