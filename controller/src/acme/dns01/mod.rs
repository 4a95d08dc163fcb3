//! ACME DNS-01: the challenge record's name, the `rfc2136` provider (RFC 2136 UPDATE
//! with TSIG) and the propagation self-check, with cert-manager's semantics
//! (`pkg/issuer/acme/dns/{dns.go,rfc2136,util}`).
//!
//! The Challenges controller calls, in order: [`challenge_fqdn`], [`present`],
//! [`check`] until it returns `Ok(None)`, then [`clean_up`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), certlab_controller::acme::dns01::Dns01Error> {
//! use certlab_controller::acme::dns01::*;
//! let s = Dns01Settings { recursive_nameservers: vec!["127.0.0.1:8053".parse().unwrap()], recursive_only: true };
//! let p = Rfc2136 { nameserver: "127.0.0.1:8053".into(), tsig_key_name: Some("acme-key".into()),
//!     tsig_algorithm: Some("HMACSHA256".into()), tsig_secret: Some(b"c2VjcmV0".to_vec()), tcp: false };
//! let fqdn = challenge_fqdn("www.example.com", false, &s).await?;
//! present(&p, &fqdn, "key-authorization-digest", &s).await?;
//! while let Some(why) = check(&fqdn, "key-authorization-digest", &s).await? { println!("{why}"); }
//! clean_up(&p, &fqdn, "key-authorization-digest", &s).await?;
//! # Ok(()) }
//! ```

mod error;
mod exchange;
mod flags;
mod lookup;
mod nameserver;
mod rfc2136;
mod tsig;

use std::net::SocketAddr;
use std::time::SystemTime;

use tracing::debug;

pub use error::{Dns01Error, MAX_CNAME_HOPS};
pub use flags::Dns01Flags;
pub use lookup::QUERY_TIMEOUT;
pub use nameserver::{DEFAULT_PORT, HostPort, parse_nameserver, system_resolvers};
pub use rfc2136::{TXT_TTL, UPDATE_TIMEOUT};
pub use tsig::Algorithm as TsigAlgorithm;

/// The `rfc2136` solver of an issuer, with its TSIG secret already read.
#[derive(Clone, Default)]
pub struct Rfc2136 {
    /// `nameserver`: `host[:port]`, port 53 by default, IPv6 in brackets.
    pub nameserver: String,
    /// `tsigKeyName`.
    pub tsig_key_name: Option<String>,
    /// `tsigAlgorithm`: HMACMD5 (default), HMACSHA1, HMACSHA256, HMACSHA512,
    /// case-insensitive.
    pub tsig_algorithm: Option<String>,
    /// The value of `tsigSecretSecretRef`'s key, as stored in the Secret: the TSIG key
    /// **base64-encoded** (what BIND's `secret` and `nsupdate -y` take). TSIG is used
    /// when this and `tsig_key_name` are both non-empty.
    pub tsig_secret: Option<Vec<u8>>,
    /// `protocol: TCP` (UDP otherwise).
    pub tcp: bool,
}

impl Rfc2136 {
    /// The provider of an issuer's `rfc2136` solver; `tsig_secret` is the value of
    /// its `tsigSecretSecretRef` key, read by the caller.
    pub fn from_spec(
        spec: &crate::api::acme::AcmeIssuerDns01ProviderRfc2136,
        tsig_secret: Option<Vec<u8>>,
    ) -> Self {
        Self {
            nameserver: spec.nameserver.clone(),
            tsig_key_name: spec.tsig_key_name.clone(),
            tsig_algorithm: spec.tsig_algorithm.clone(),
            tsig_secret,
            tcp: spec.protocol == Some(crate::api::acme::Rfc2136UpdateProtocol::Tcp),
        }
    }
}

impl std::fmt::Debug for Rfc2136 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rfc2136")
            .field("nameserver", &self.nameserver)
            .field("tsig_key_name", &self.tsig_key_name)
            .field("tsig_algorithm", &self.tsig_algorithm)
            .field(
                "tsig_secret",
                &self.tsig_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("tcp", &self.tcp)
            .finish()
    }
}

/// The controller's DNS-01 flags.
#[derive(Debug, Clone, Default)]
pub struct Dns01Settings {
    /// `--dns01-recursive-nameservers`; empty means the system's (`/etc/resolv.conf`).
    pub recursive_nameservers: Vec<SocketAddr>,
    /// `--dns01-recursive-nameservers-only`: the self-check asks only the recursive
    /// nameservers instead of the zone's authoritative ones.
    pub recursive_only: bool,
}

impl Dns01Settings {
    /// Parses `--dns01-recursive-nameservers`: comma-separated `ip:port` (IPv6 as
    /// `[addr]:port`). DNS-over-HTTPS servers are not supported.
    pub fn parse_nameservers_flag(flag: &str) -> Result<Vec<SocketAddr>, Dns01Error> {
        flag.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|server| {
                server.parse::<SocketAddr>().map_err(|_| {
                    Dns01Error::InvalidNameserver(format!(
                        "invalid DNS server ({server}): must be in format <ip address>:<port>"
                    ))
                })
            })
            .collect()
    }

    /// The recursive nameservers to use: the configured ones, else the system's.
    pub fn nameservers(&self) -> Vec<SocketAddr> {
        if self.recursive_nameservers.is_empty() {
            system_resolvers().to_vec()
        } else {
            self.recursive_nameservers.clone()
        }
    }
}

/// `_acme-challenge.<domain>.`, following CNAMEs when `follow_cname` (cnameStrategy: Follow).
///
/// A leading `*.` and a trailing dot of `domain` are ignored. As cert-manager does, a
/// CNAME that a wildcard record (`*.<domain>`) appears to synthesize is not followed,
/// and a CNAME lookup answered with an error rcode other than NXDOMAIN is an error.
pub async fn challenge_fqdn(
    domain: &str,
    follow_cname: bool,
    s: &Dns01Settings,
) -> Result<String, Dns01Error> {
    let base = domain.trim().trim_start_matches("*.").trim_end_matches('.');
    let fqdn = lookup::parse_name(&format!("_acme-challenge.{base}."))?;
    if !follow_cname {
        return Ok(lookup::name_text(&fqdn));
    }
    let nameservers = s.nameservers();
    let Some(first) = lookup::cname_target(&fqdn, &nameservers, true).await? else {
        return Ok(lookup::name_text(&fqdn));
    };
    if lookup::is_wildcard_cname(base, &first, &nameservers).await {
        debug!(fqdn = %lookup::name_text(&fqdn), cname = %first, "not following a CNAME that a wildcard record appears to synthesize");
        return Ok(lookup::name_text(&fqdn));
    }
    let followed = lookup::follow_cnames_from(first, vec![fqdn], &nameservers, true).await?;
    Ok(lookup::name_text(&followed))
}

/// Adds the TXT record `value` at `fqdn` (TTL 60) with an RFC 2136 UPDATE to the
/// provider's nameserver, in the zone found by SOA lookup through the recursive
/// nameservers. Other values at `fqdn` stay.
pub async fn present(
    p: &Rfc2136,
    fqdn: &str,
    value: &str,
    s: &Dns01Settings,
) -> Result<(), Dns01Error> {
    present_at(p, fqdn, value, s, SystemTime::now()).await
}

/// [`present`] with the TSIG time taken from `now` (for a virtual clock).
pub async fn present_at(
    p: &Rfc2136,
    fqdn: &str,
    value: &str,
    s: &Dns01Settings,
    now: SystemTime,
) -> Result<(), Dns01Error> {
    change(rfc2136::Action::Insert, p, fqdn, value, s, now).await
}

/// Deletes exactly the TXT record `value` at `fqdn`; other values at `fqdn` stay.
pub async fn clean_up(
    p: &Rfc2136,
    fqdn: &str,
    value: &str,
    s: &Dns01Settings,
) -> Result<(), Dns01Error> {
    clean_up_at(p, fqdn, value, s, SystemTime::now()).await
}

/// [`clean_up`] with the TSIG time taken from `now` (for a virtual clock).
pub async fn clean_up_at(
    p: &Rfc2136,
    fqdn: &str,
    value: &str,
    s: &Dns01Settings,
    now: SystemTime,
) -> Result<(), Dns01Error> {
    change(rfc2136::Action::Remove, p, fqdn, value, s, now).await
}

async fn change(
    action: rfc2136::Action,
    p: &Rfc2136,
    fqdn: &str,
    value: &str,
    s: &Dns01Settings,
    now: SystemTime,
) -> Result<(), Dns01Error> {
    // Configuration errors first, before any network traffic.
    let provider = rfc2136::Provider::new(p)?;
    let name = lookup::parse_name(fqdn)?;
    let zone = lookup::find_zone(&name, &s.nameservers()).await?;
    provider
        .change(action, &lookup::name_text(&name), &zone, value, now)
        .await
}

/// Ok(None) when propagated, Ok(Some(why not, in cert-manager's words)) otherwise.
///
/// CNAMEs from `fqdn` are followed; then every authoritative nameserver of the zone
/// (its NS records, each resolved through the recursive nameservers or else the
/// system resolver, port 53) must serve the TXT `value`, or, with `recursive_only`,
/// every recursive nameserver.
pub async fn check(
    fqdn: &str,
    value: &str,
    s: &Dns01Settings,
) -> Result<Option<String>, Dns01Error> {
    check_on_port(fqdn, value, s, DEFAULT_PORT).await
}

/// [`check`], asking authoritative nameservers on `port` (53 in real life).
async fn check_on_port(
    fqdn: &str,
    value: &str,
    s: &Dns01Settings,
    port: u16,
) -> Result<Option<String>, Dns01Error> {
    let recursive = s.nameservers();
    let name = lookup::parse_name(fqdn)?;
    let target = lookup::follow_cnames(&name, &recursive, false).await?;
    let servers = if s.recursive_only {
        recursive
    } else {
        let hosts = lookup::authoritative_nameservers(&target, &recursive).await?;
        lookup::resolve_hosts(&hosts, &recursive, port).await?
    };
    debug!(fqdn = %lookup::name_text(&target), nameservers = ?servers, "checking DNS propagation");
    if lookup::all_have_txt(&target, value, &servers).await? {
        Ok(None)
    } else {
        Ok(Some(format!(
            "DNS record for {:?} not yet propagated",
            domain_of(fqdn)
        )))
    }
}

/// The challenge's domain from its record name (`_acme-challenge.example.com.` →
/// `example.com`), as cert-manager's message names it.
fn domain_of(fqdn: &str) -> &str {
    let trimmed = fqdn.trim_end_matches('.');
    trimmed.strip_prefix("_acme-challenge.").unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn challenge_names() {
        let s = Dns01Settings::default();
        assert_eq!(
            challenge_fqdn("example.com", false, &s).await.unwrap(),
            "_acme-challenge.example.com."
        );
        assert_eq!(
            challenge_fqdn("*.Example.com.", false, &s).await.unwrap(),
            "_acme-challenge.example.com."
        );
        assert!(challenge_fqdn("a..b", false, &s).await.is_err());
        assert_eq!(domain_of("_acme-challenge.example.com."), "example.com");
        assert_eq!(domain_of("other.example.com."), "other.example.com");
    }

    #[tokio::test]
    async fn authoritative_check_asks_the_zone_nameservers() {
        let dns = mock_dns::MockDns::builder()
            .zone("example.com")
            .start()
            .await
            .unwrap();
        let addr = dns.dns_addr().unwrap();
        let s = Dns01Settings {
            recursive_nameservers: vec![addr],
            recursive_only: false,
        };
        let fqdn = "_acme-challenge.www.example.com.";
        // The zone's NS is ns.example.com., which mock-dns resolves to 127.0.0.1; on
        // mock-dns's port it is mock-dns itself.
        let why = check_on_port(fqdn, "v", &s, addr.port()).await.unwrap();
        assert_eq!(
            why.as_deref(),
            Some("DNS record for \"www.example.com\" not yet propagated")
        );
        dns.handle().set_txt(fqdn, "v").unwrap();
        assert_eq!(
            check_on_port(fqdn, "v", &s, addr.port()).await.unwrap(),
            None
        );
        // Outside any zone there is no SOA to find the nameservers from.
        let err = check_on_port("_acme-challenge.elsewhere.test.", "v", &s, addr.port())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("Could not determine the zone for"), "{err}");
        dns.shutdown().await;
    }

    #[test]
    fn provider_from_the_issuer_spec() {
        let spec: crate::api::acme::AcmeIssuerDns01ProviderRfc2136 =
            serde_json::from_value(serde_json::json!({
                "nameserver": "10.0.0.1:53", "tsigKeyName": "k", "tsigAlgorithm": "HMACSHA256",
                "protocol": "TCP",
                "tsigSecretSecretRef": {"name": "tsig", "key": "secret"}}))
            .unwrap();
        let p = Rfc2136::from_spec(&spec, Some(b"c2VjcmV0".to_vec()));
        assert!(p.tcp);
        assert_eq!(p.tsig_key_name.as_deref(), Some("k"));
        assert_eq!(p.tsig_algorithm.as_deref(), Some("HMACSHA256"));
        assert_eq!(p.nameserver, "10.0.0.1:53");
    }

    #[test]
    fn recursive_nameservers_flag() {
        assert_eq!(
            Dns01Settings::parse_nameservers_flag("127.0.0.1:8053, [::1]:53").unwrap(),
            vec![
                "127.0.0.1:8053".parse::<SocketAddr>().unwrap(),
                "[::1]:53".parse().unwrap()
            ]
        );
        assert!(
            Dns01Settings::parse_nameservers_flag("")
                .unwrap()
                .is_empty()
        );
        let err = Dns01Settings::parse_nameservers_flag("8.8.8.8").unwrap_err();
        assert!(err.to_string().contains("<ip address>:<port>"), "{err}");
    }

    #[test]
    fn secrets_are_not_printed() {
        let p = Rfc2136 {
            tsig_secret: Some(b"top-secret".to_vec()),
            ..Default::default()
        };
        assert!(!format!("{p:?}").contains("top-secret"));
    }
}
