//! Nameserver addresses: the `rfc2136.nameserver` field (`host[:port]`, validated as
//! cert-manager validates it) and the system's recursive resolvers (`/etc/resolv.conf`).

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;
use std::time::Duration;

use super::error::Dns01Error;

/// The port of a nameserver given without one.
pub const DEFAULT_PORT: u16 = 53;

/// The resolvers used when `/etc/resolv.conf` names none (cert-manager's fallback).
const FALLBACK_RESOLVERS: [&str; 2] = ["8.8.8.8:53", "8.8.4.4:53"];

/// How long resolving a nameserver's host name may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// A validated `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// Port.
    pub port: u16,
}

impl std::fmt::Display for HostPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Go's `net.SplitHostPort` failures, in Go's words.
#[derive(Debug, PartialEq, Eq)]
enum SplitError {
    MissingPort,
    Other(&'static str),
}

/// Go's `net.SplitHostPort`.
fn split_host_port(hostport: &str) -> Result<(&str, &str), SplitError> {
    let Some(colon) = hostport.rfind(':') else {
        return Err(SplitError::MissingPort);
    };
    let host;
    if let Some(rest) = hostport.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err(SplitError::Other("missing ']' in address"));
        };
        // `end` indexes `rest`; in `hostport` the bracket is at end + 1.
        let after = end + 2;
        if after == hostport.len() {
            return Err(SplitError::MissingPort);
        }
        if after != colon {
            return Err(if hostport.as_bytes().get(after) == Some(&b':') {
                SplitError::Other("too many colons in address")
            } else {
                SplitError::MissingPort
            });
        }
        host = &rest[..end];
        if rest[..end].contains('[') {
            return Err(SplitError::Other("unexpected '[' in address"));
        }
        if hostport[after..].contains(']') {
            return Err(SplitError::Other("unexpected ']' in address"));
        }
    } else {
        host = &hostport[..colon];
        if host.contains(':') {
            return Err(SplitError::Other("too many colons in address"));
        }
        if host.contains('[') {
            return Err(SplitError::Other("unexpected '[' in address"));
        }
        if host.contains(']') {
            return Err(SplitError::Other("unexpected ']' in address"));
        }
    }
    Ok((host, &hostport[colon + 1..]))
}

/// Validates the `rfc2136.nameserver` field as cert-manager's `ValidNameserver` does:
/// `host`, `host:`, `host:port`, `[v6]`, `[v6]:port`; the port defaults to 53.
pub fn parse_nameserver(nameserver: &str) -> Result<HostPort, Dns01Error> {
    let trimmed = nameserver.trim();
    if trimmed.is_empty() {
        return Err(Dns01Error::InvalidNameserver(
            "RFC2136 nameserver missing".into(),
        ));
    }
    let (host, port) = match split_host_port(trimmed) {
        Ok((h, p)) => (h.to_string(), p.to_string()),
        Err(SplitError::MissingPort) => (
            trimmed.trim_matches(|c| c == '[' || c == ']').to_string(),
            String::new(),
        ),
        Err(SplitError::Other(why)) => {
            return Err(Dns01Error::InvalidNameserver(format!(
                "RFC2136 nameserver is invalid: address {trimmed}: {why}"
            )));
        }
    };
    if host.is_empty() {
        return Err(Dns01Error::InvalidNameserver(format!(
            "RFC2136 nameserver has no host defined, {nameserver}"
        )));
    }
    if host.contains(':') && host.parse::<IpAddr>().is_err() {
        return Err(Dns01Error::InvalidNameserver(format!(
            "RFC2136 nameserver is invalid: {host:?} is not an IPv6 address (write IPv6 nameservers as [address]:port)"
        )));
    }
    let port = if port.is_empty() {
        DEFAULT_PORT
    } else {
        port.parse::<u16>().map_err(|_| {
            Dns01Error::InvalidNameserver(format!(
                "RFC2136 nameserver is invalid: port {port:?} of {trimmed:?} is not a number from 0 to 65535"
            ))
        })?
    };
    Ok(HostPort { host, port })
}

/// The socket address of a nameserver: its IP, or its host name resolved by the
/// system resolver (as Go's dialer does).
pub async fn resolve(hp: &HostPort) -> Result<SocketAddr, Dns01Error> {
    if let Ok(ip) = hp.host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, hp.port));
    }
    let host = hp.host.trim_end_matches('.').to_string();
    let lookup = tokio::net::lookup_host((host.clone(), hp.port));
    let resolved = tokio::time::timeout(RESOLVE_TIMEOUT, lookup)
        .await
        .map_err(|_| Dns01Error::Resolve {
            host: host.clone(),
            reason: format!("no answer within {RESOLVE_TIMEOUT:?}"),
        })?
        .map_err(|e| Dns01Error::Resolve {
            host: host.clone(),
            reason: e.to_string(),
        })?;
    let addrs: Vec<SocketAddr> = resolved.collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or(Dns01Error::Resolve {
            host,
            reason: "no addresses".into(),
        })
}

/// The `nameserver` lines of a resolv.conf, with port 53.
pub fn parse_resolv_conf(text: &str) -> Vec<SocketAddr> {
    text.lines()
        .filter_map(|line| {
            let line = line.split(['#', ';']).next().unwrap_or_default();
            let mut words = line.split_whitespace();
            if words.next() != Some("nameserver") {
                return None;
            }
            // Drop an IPv6 zone (`fe80::1%eth0`): std cannot parse it.
            let addr = words.next()?.split('%').next()?;
            let ip = addr.parse::<IpAddr>().ok()?;
            Some(SocketAddr::new(ip, DEFAULT_PORT))
        })
        .collect()
}

/// The system's recursive resolvers: `/etc/resolv.conf`, else Google's, read once.
pub fn system_resolvers() -> &'static [SocketAddr] {
    static SYSTEM: OnceLock<Vec<SocketAddr>> = OnceLock::new();
    SYSTEM.get_or_init(|| {
        let found = std::fs::read_to_string("/etc/resolv.conf")
            .map(|t| parse_resolv_conf(&t))
            .unwrap_or_default();
        if found.is_empty() {
            FALLBACK_RESOLVERS
                .iter()
                .filter_map(|s| s.parse().ok())
                .collect()
        } else {
            found
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        parse_nameserver(s).map(|h| h.to_string()).unwrap()
    }

    fn err(s: &str) -> String {
        parse_nameserver(s).unwrap_err().to_string()
    }

    #[test]
    fn nameservers_validate_as_upstream() {
        assert_eq!(ok("8.8.8.8"), "8.8.8.8:53");
        assert_eq!(ok("8.8.8.8:"), "8.8.8.8:53");
        assert_eq!(ok(" 8.8.8.8:5353 "), "8.8.8.8:5353");
        assert_eq!(ok("[2001:db8::1]"), "[2001:db8::1]:53");
        assert_eq!(ok("[2001:db8::1]:"), "[2001:db8::1]:53");
        assert_eq!(ok("[2001:db8::1]:5353"), "[2001:db8::1]:5353");
        assert_eq!(ok("nameserver.com"), "nameserver.com:53");
        assert_eq!(ok("nameserver.com:"), "nameserver.com:53");
        assert_eq!(ok("nameserver.com:53"), "nameserver.com:53");
        assert_eq!(err(""), "RFC2136 nameserver missing");
        assert_eq!(err("  "), "RFC2136 nameserver missing");
        assert_eq!(err(":53"), "RFC2136 nameserver has no host defined, :53");
        assert_eq!(
            err("2001:db8::1"),
            "RFC2136 nameserver is invalid: address 2001:db8::1: too many colons in address"
        );
        assert_eq!(
            err("[2001:db8::1"),
            "RFC2136 nameserver is invalid: address [2001:db8::1: missing ']' in address"
        );
        assert!(err("ns.example.com:http").contains("is not a number"));
        assert!(err("ns.example.com:70000").contains("is not a number"));
        assert!(err("[ns:x]:53").contains("is not an IPv6 address"));
    }

    #[test]
    fn split_host_port_never_panics() {
        for s in [
            "[",
            "]",
            "[]",
            "[]:",
            "[:]",
            "[]]:1",
            "[[::1]:53",
            "a]:1",
            "[a]b:1",
            ":",
            "::",
            "é:1",
            "[é]:1",
        ] {
            let _ = parse_nameserver(s);
        }
    }

    #[test]
    fn resolv_conf_nameservers() {
        let text = "# comment\nsearch example.com\nnameserver 10.0.0.1\nnameserver fe80::1%eth0 ; x\nnameserver bogus\noptions ndots:5\n";
        let got = parse_resolv_conf(text);
        assert_eq!(
            got,
            vec![
                "10.0.0.1:53".parse::<SocketAddr>().unwrap(),
                "[fe80::1]:53".parse().unwrap()
            ]
        );
        assert!(!system_resolvers().is_empty());
    }

    #[tokio::test]
    async fn resolves_ip_and_localhost() {
        let hp = parse_nameserver("127.0.0.1:5353").unwrap();
        assert_eq!(
            resolve(&hp).await.unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        let hp = parse_nameserver("localhost:5353").unwrap();
        assert!(resolve(&hp).await.unwrap().ip().is_loopback());
    }
}
