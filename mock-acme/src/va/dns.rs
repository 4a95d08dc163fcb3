//! DNS lookups for validation: addresses, TXT and CAA, against the configured server
//! (`-dnsserver host:port`) or the system resolver. Caching is off, so a record changed
//! between two attempts is seen at once.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{
    ConnectionConfig, LookupIpStrategy, NameServerConfig, ResolverConfig,
};
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::{Resolver, TokioResolver};

use crate::wfe::problem::{Problem, ProblemType};

/// A CAA property as found in DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaaProperty {
    /// The critical flag.
    pub critical: bool,
    /// The tag (`issue`, `issuewild`, `iodef`, ...), lowercased.
    pub tag: String,
    /// The raw value.
    pub value: String,
}

/// The validation resolver.
#[derive(Clone)]
pub struct DnsClient {
    resolver: TokioResolver,
}

impl std::fmt::Debug for DnsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DnsClient")
    }
}

/// Errors building the resolver.
#[derive(Debug, thiserror::Error)]
#[error("cannot build DNS resolver: {0}")]
pub struct ResolverError(String);

fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

fn is_empty_answer(e: &NetError) -> bool {
    e.is_no_records_found() || e.is_nx_domain()
}

impl DnsClient {
    /// A client querying `server` (UDP, then TCP), or the system resolver when `None`.
    pub fn new(server: Option<SocketAddr>) -> Result<Self, ResolverError> {
        let mut builder = match server {
            Some(addr) => {
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                let ns = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
                let cfg = ResolverConfig::from_parts(None, vec![], vec![ns]);
                Resolver::builder_with_config(cfg, TokioRuntimeProvider::default())
            }
            None => Resolver::builder_tokio().map_err(|e| ResolverError(e.to_string()))?,
        };
        let opts = builder.options_mut();
        opts.cache_size = 0;
        opts.positive_max_ttl = Some(Duration::ZERO);
        opts.negative_max_ttl = Some(Duration::ZERO);
        opts.ip_strategy = LookupIpStrategy::Ipv4thenIpv6;
        opts.timeout = Duration::from_secs(5);
        opts.attempts = 2;
        let resolver = builder.build().map_err(|e| ResolverError(e.to_string()))?;
        Ok(Self { resolver })
    }

    /// Addresses of `name` (IPv4 first).
    pub async fn lookup_ips(&self, name: &str) -> Result<Vec<IpAddr>, Problem> {
        let lookup = self.resolver.lookup_ip(fqdn(name)).await.map_err(|e| {
            Problem::new(
                ProblemType::Dns,
                format!("DNS problem: looking up A/AAAA for {name}: {e}"),
            )
        })?;
        let ips: Vec<IpAddr> = lookup.iter().collect();
        if ips.is_empty() {
            return Err(Problem::new(
                ProblemType::Dns,
                format!("DNS problem: no valid A or AAAA records for {name}"),
            ));
        }
        Ok(ips)
    }

    /// TXT strings at `name` (each record's strings concatenated).
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, Problem> {
        match self.resolver.lookup(fqdn(name), RecordType::TXT).await {
            Ok(lookup) => Ok(lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::TXT(txt) => Some(
                        txt.txt_data
                            .iter()
                            .map(|s| String::from_utf8_lossy(s).into_owned())
                            .collect::<String>(),
                    ),
                    _ => None,
                })
                .collect()),
            Err(e) if is_empty_answer(&e) => Ok(Vec::new()),
            Err(e) => Err(Problem::new(
                ProblemType::Dns,
                format!("DNS problem: looking up TXT for {name}: {e}"),
            )),
        }
    }

    /// CAA properties at exactly `name`.
    pub async fn caa(&self, name: &str) -> Result<Vec<CaaProperty>, Problem> {
        match self.resolver.lookup(fqdn(name), RecordType::CAA).await {
            Ok(lookup) => Ok(lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::CAA(caa) => Some(CaaProperty {
                        critical: caa.issuer_critical,
                        tag: caa.tag.to_ascii_lowercase(),
                        value: String::from_utf8_lossy(&caa.value).into_owned(),
                    }),
                    _ => None,
                })
                .collect()),
            Err(e) if is_empty_answer(&e) => Ok(Vec::new()),
            Err(e) => Err(Problem::new(
                ProblemType::Dns,
                format!("DNS problem: looking up CAA for {name}: {e}"),
            )),
        }
    }
}
