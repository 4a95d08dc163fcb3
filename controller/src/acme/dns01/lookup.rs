//! DNS lookups with cert-manager's semantics (`pkg/issuer/acme/dns/util/wait.go`):
//! queries with UDP→TCP fallback over a list of nameservers, the zone of a name
//! (`FindZoneByFqdn`), CNAME chains, authoritative nameservers and the TXT propagation
//! check.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use tracing::debug;

use super::error::{Dns01Error, MAX_CNAME_HOPS, go_slice, rcode_name};
use super::exchange::{ExchangeError, Transport, exchange, random_id};
use super::nameserver::{HostPort, resolve};

/// How long one query to one nameserver may take (per transport).
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(5);

/// Parses a domain name; the result is fully qualified.
pub fn parse_name(name: &str) -> Result<Name, Dns01Error> {
    let mut n = Name::from_ascii(name).map_err(|e| Dns01Error::InvalidName {
        name: name.to_string(),
        reason: e.to_string(),
    })?;
    n.set_fqdn(true);
    Ok(n)
}

/// A name as cert-manager prints it: lower-case ASCII with the trailing dot.
pub fn name_text(name: &Name) -> String {
    let mut n = name.to_lowercase();
    n.set_fqdn(true);
    n.to_ascii()
}

/// Queries `nameservers` in turn until one answers (cert-manager's `DNSQuery`): UDP
/// first, TCP when the UDP answer is truncated or times out. The answer is returned
/// whatever its rcode; the error is the last server's.
pub async fn query(
    name: &Name,
    rtype: RecordType,
    nameservers: &[SocketAddr],
    recursive: bool,
) -> Result<Message, Dns01Error> {
    let id = random_id();
    let mut msg = Message::new(id, MessageType::Query, OpCode::Query);
    msg.add_query(Query::query(name.clone(), rtype));
    msg.metadata.recursion_desired = recursive;
    let mut edns = Edns::new();
    edns.set_max_payload(4096);
    msg.set_edns(edns);
    let bytes = msg
        .to_vec()
        .map_err(|e| Dns01Error::Query(format!("dns: cannot encode query for {name}: {e}")))?;

    let mut last = Dns01Error::NoNameservers;
    for &ns in nameservers {
        let udp = exchange(&bytes, id, ns, Transport::Udp, QUERY_TIMEOUT).await;
        let result = match udp {
            Ok(r) if !r.message.metadata.truncation => Ok(r),
            Ok(_) | Err(ExchangeError::Timeout(_)) => {
                debug!(%ns, %name, "UDP dns lookup failed or truncated, retrying with TCP");
                exchange(&bytes, id, ns, Transport::Tcp, QUERY_TIMEOUT).await
            }
            Err(e) => Err(e),
        };
        match result {
            Ok(r) => return Ok(r.message),
            Err(e) => last = Dns01Error::Query(e.to_string()),
        }
    }
    Err(last)
}

/// The zone apex of `fqdn` (cert-manager's `FindZoneByFqdn`): climbs the labels asking
/// for SOA records; NXDOMAIN (or a CNAME) means "climb higher", any other error rcode
/// stops. Returns the zone as `example.com.`.
pub async fn find_zone(fqdn: &Name, nameservers: &[SocketAddr]) -> Result<String, Dns01Error> {
    let shown = go_slice(nameservers);
    let mut domain = fqdn.clone();
    while domain.num_labels() > 0 {
        let answer = query(&domain, RecordType::SOA, nameservers, true).await?;
        let rcode = answer.metadata.response_code;
        let next = domain.base_name();
        if rcode == ResponseCode::NXDomain {
            domain = next;
            continue;
        }
        if rcode != ResponseCode::NoError {
            return Err(Dns01Error::SoaRcode {
                domain: name_text(&domain),
                nameservers: shown,
                rcode: rcode_name(u16::from(rcode)),
            });
        }
        if answer
            .answers
            .iter()
            .any(|r| matches!(r.data, RData::CNAME(_)))
        {
            domain = next;
            continue;
        }
        if let Some(soa) = answer
            .answers
            .iter()
            .find(|r| matches!(r.data, RData::SOA(_)))
        {
            return Ok(name_text(&soa.name));
        }
        domain = next;
    }
    Err(Dns01Error::ZoneNotFound {
        fqdn: name_text(fqdn),
        nameservers: shown,
    })
}

/// The target of the CNAME owned by `name`, if any. NXDOMAIN means none; other error
/// rcodes mean "unknown": an error when `strict` (cert-manager #8095: never put the
/// record under the wrong name), "no CNAME" otherwise (the propagation check's
/// tolerance).
pub async fn cname_target(
    name: &Name,
    nameservers: &[SocketAddr],
    strict: bool,
) -> Result<Option<Name>, Dns01Error> {
    let answer = query(name, RecordType::CNAME, nameservers, true).await?;
    let rcode = answer.metadata.response_code;
    if rcode == ResponseCode::NXDomain {
        return Ok(None);
    }
    if rcode != ResponseCode::NoError {
        if strict {
            return Err(Dns01Error::CnameRcode {
                fqdn: name_text(name),
                nameservers: go_slice(nameservers),
                rcode: rcode_name(u16::from(rcode)),
            });
        }
        return Ok(None);
    }
    let lower = name.to_lowercase();
    Ok(answer.answers.iter().find_map(|r| match &r.data {
        RData::CNAME(c) if r.name.to_lowercase() == lower => {
            let mut t = c.0.clone();
            t.set_fqdn(true);
            Some(t)
        }
        _ => None,
    }))
}

/// Follows the CNAME chain from `fqdn` (cert-manager's `followCNAMEs`): the last name
/// that is not a CNAME. Loops are errors.
pub async fn follow_cnames(
    fqdn: &Name,
    nameservers: &[SocketAddr],
    strict: bool,
) -> Result<Name, Dns01Error> {
    follow_cnames_from(fqdn.clone(), Vec::new(), nameservers, strict).await
}

/// [`follow_cnames`] from `current`, with the names already visited in `chain`.
pub async fn follow_cnames_from(
    mut current: Name,
    mut chain: Vec<Name>,
    nameservers: &[SocketAddr],
    strict: bool,
) -> Result<Name, Dns01Error> {
    let start = chain.first().cloned().unwrap_or_else(|| current.clone());
    loop {
        let Some(target) = cname_target(&current, nameservers, strict).await? else {
            return Ok(current);
        };
        debug!(fqdn = %current, cname = %target, "updating FQDN");
        let target_lower = target.to_lowercase();
        if target_lower == current.to_lowercase()
            || chain.iter().any(|n| n.to_lowercase() == target_lower)
        {
            return Err(Dns01Error::CnameLoop {
                target: name_text(&target),
                fqdn: name_text(&current),
            });
        }
        if chain.len() >= MAX_CNAME_HOPS {
            return Err(Dns01Error::CnameChainTooLong(name_text(&start)));
        }
        chain.push(current);
        current = target;
    }
}

/// Whether `target`, the CNAME target of `_acme-challenge.<domain>`, looks synthesized
/// from a wildcard CNAME (cert-manager #5751): `*.<domain>` has the same target.
/// Failures of this extra probe count as "no".
pub async fn is_wildcard_cname(domain: &str, target: &Name, nameservers: &[SocketAddr]) -> bool {
    let Ok(wildcard) = parse_name(&format!("*.{domain}.")) else {
        return false;
    };
    match cname_target(&wildcard, nameservers, true).await {
        Ok(Some(t)) => t.to_lowercase() == target.to_lowercase(),
        Ok(None) => false,
        Err(e) => {
            debug!(error = %e, "wildcard CNAME probe failed; following the CNAME");
            false
        }
    }
}

/// The authoritative nameservers of the zone of `fqdn`, lower-cased host names
/// (cert-manager's `lookupNameservers`).
pub async fn authoritative_nameservers(
    fqdn: &Name,
    nameservers: &[SocketAddr],
) -> Result<Vec<String>, Dns01Error> {
    let zone = find_zone(fqdn, nameservers)
        .await
        .map_err(|e| Dns01Error::ZoneForNameservers {
            fqdn: name_text(fqdn),
            source: Box::new(e),
        })?;
    let zone_name = parse_name(&zone)?;
    let answer = query(&zone_name, RecordType::NS, nameservers, true).await?;
    let found: Vec<String> = answer
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::NS(ns) => Some(name_text(&ns.0)),
            _ => None,
        })
        .collect();
    if found.is_empty() {
        return Err(Dns01Error::NoAuthoritativeNameservers(name_text(fqdn)));
    }
    Ok(found)
}

/// Asks each of `nameservers` for the TXT records of `fqdn`; true when every one has
/// `value` (cert-manager's `checkAuthoritativeNss`). NXDOMAIN is "not yet"; other error
/// rcodes are errors.
pub async fn all_have_txt(
    fqdn: &Name,
    value: &str,
    nameservers: &[SocketAddr],
) -> Result<bool, Dns01Error> {
    for &ns in nameservers {
        let answer = query(fqdn, RecordType::TXT, &[ns], true).await?;
        let rcode = answer.metadata.response_code;
        if rcode != ResponseCode::NoError && rcode != ResponseCode::NXDomain {
            return Err(Dns01Error::NameserverRcode {
                ns: ns.to_string(),
                rcode: rcode_name(u16::from(rcode)),
                fqdn: name_text(fqdn),
            });
        }
        let found = answer.answers.iter().any(|r| match &r.data {
            RData::TXT(txt) => {
                let joined: Vec<u8> = txt
                    .txt_data
                    .iter()
                    .flat_map(|s| s.iter().copied())
                    .collect();
                joined == value.as_bytes()
            }
            _ => false,
        });
        if !found {
            debug!(%ns, fqdn = %fqdn, "TXT record not found yet");
            return Ok(false);
        }
    }
    Ok(true)
}

/// Resolves authoritative nameserver host names to socket addresses on `port` (53 for
/// real nameservers): an A (then AAAA) lookup through the recursive nameservers, else
/// the system resolver (what Go's dialer uses).
pub async fn resolve_hosts(
    hosts: &[String],
    recursive: &[SocketAddr],
    port: u16,
) -> Result<Vec<SocketAddr>, Dns01Error> {
    let mut out = Vec::with_capacity(hosts.len());
    for host in hosts {
        let mut found = None;
        if let Ok(name) = parse_name(host) {
            for rtype in [RecordType::A, RecordType::AAAA] {
                let Ok(answer) = query(&name, rtype, recursive, true).await else {
                    break;
                };
                found = answer.answers.iter().find_map(|r| match &r.data {
                    RData::A(a) => Some(std::net::IpAddr::V4(a.0)),
                    RData::AAAA(a) => Some(std::net::IpAddr::V6(a.0)),
                    _ => None,
                });
                if found.is_some() {
                    break;
                }
            }
        }
        let addr = match found {
            Some(ip) => SocketAddr::new(ip, port),
            None => {
                let hp = HostPort {
                    host: host.trim_end_matches('.').to_string(),
                    port,
                };
                resolve(&hp).await?
            }
        };
        out.push(addr);
    }
    Ok(out)
}
