//! Request history, as challtestsrv's `*-request-history` endpoints report it.
//!
//! Events are kept per host (lowercase, no trailing dot) and per kind. To keep memory
//! bounded under load, each host keeps at most `per_host_limit` events of each kind
//! (the oldest are dropped) and at most [`MAX_HOSTS`] hosts are tracked.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;

use crate::names::history_key;

/// The most hosts whose history is kept; events for further hosts are not recorded.
pub const MAX_HOSTS: usize = 100_000;

/// The default number of events of one kind kept per host.
pub const DEFAULT_PER_HOST_LIMIT: usize = 1_000;

/// The kinds of request history challtestsrv distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// HTTP-01 (and HTTPS-01) requests.
    Http,
    /// DNS questions.
    Dns,
    /// TLS-ALPN-01 handshakes.
    TlsAlpn,
}

impl EventKind {
    /// Parses the `type` field of `clear-request-history`.
    pub fn from_api_name(name: &str) -> Option<Self> {
        match name {
            "http" => Some(Self::Http),
            "dns" => Some(Self::Dns),
            "tlsalpn" => Some(Self::TlsAlpn),
            _ => None,
        }
    }
}

/// One DNS question received, serialized like miekg/dns's `Question`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsQuestion {
    /// The name as asked, with its trailing dot and case.
    #[serde(rename = "Name")]
    pub name: String,
    /// The query type code.
    #[serde(rename = "Qtype")]
    pub qtype: u16,
    /// The query class code.
    #[serde(rename = "Qclass")]
    pub qclass: u16,
}

/// A DNS request event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsEvent {
    /// The question.
    #[serde(rename = "Question")]
    pub question: DnsQuestion,
}

/// An HTTP-01 request event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpEvent {
    /// The request target (path and query).
    #[serde(rename = "URL")]
    pub url: String,
    /// The Host header, with any port.
    #[serde(rename = "Host")]
    pub host: String,
    /// Whether the request came over HTTPS.
    #[serde(rename = "HTTPS")]
    pub https: bool,
    /// The SNI server name for HTTPS requests, else empty.
    #[serde(rename = "ServerName")]
    pub server_name: String,
}

/// A TLS-ALPN-01 handshake event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsAlpnEvent {
    /// The SNI server name.
    #[serde(rename = "ServerName")]
    pub server_name: String,
    /// The ALPN protocols the client offered.
    #[serde(rename = "SupportedProtos")]
    pub supported_protos: Vec<String>,
}

#[derive(Debug, Default)]
struct HostHistory {
    dns: VecDeque<DnsEvent>,
    http: VecDeque<HttpEvent>,
    tlsalpn: VecDeque<TlsAlpnEvent>,
}

impl HostHistory {
    fn is_empty(&self) -> bool {
        self.dns.is_empty() && self.http.is_empty() && self.tlsalpn.is_empty()
    }
}

/// The request history of all hosts.
#[derive(Debug)]
pub struct History {
    hosts: Mutex<HashMap<String, HostHistory>>,
    per_host_limit: usize,
}

fn push_bounded<T>(queue: &mut VecDeque<T>, event: T, limit: usize) {
    if limit == 0 {
        return;
    }
    while queue.len() >= limit {
        queue.pop_front();
    }
    queue.push_back(event);
}

impl History {
    /// An empty history keeping up to `per_host_limit` events per host and kind.
    pub fn new(per_host_limit: usize) -> Self {
        Self {
            hosts: Mutex::new(HashMap::new()),
            per_host_limit,
        }
    }

    fn with_host(&self, key: String, f: impl FnOnce(&mut HostHistory, usize)) {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        let limit = self.per_host_limit;
        if let Some(h) = hosts.get_mut(&key) {
            f(h, limit);
        } else if hosts.len() < MAX_HOSTS {
            f(hosts.entry(key).or_default(), limit);
        }
    }

    /// Records a DNS question.
    pub fn record_dns(&self, event: DnsEvent) {
        let key = history_key(&event.question.name);
        self.with_host(key, |h, limit| push_bounded(&mut h.dns, event, limit));
    }

    /// Records an HTTP request; the key is the Host header without its port.
    pub fn record_http(&self, event: HttpEvent) {
        let key = history_key(strip_port(&event.host));
        self.with_host(key, |h, limit| push_bounded(&mut h.http, event, limit));
    }

    /// Records a TLS-ALPN-01 handshake, keyed by SNI.
    pub fn record_tlsalpn(&self, event: TlsAlpnEvent) {
        let key = history_key(&event.server_name);
        self.with_host(key, |h, limit| push_bounded(&mut h.tlsalpn, event, limit));
    }

    fn read<T: Clone>(&self, host: &str, pick: impl Fn(&HostHistory) -> &VecDeque<T>) -> Vec<T> {
        let hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .get(&history_key(host))
            .map(|h| pick(h).iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The DNS questions received for `host`.
    pub fn dns(&self, host: &str) -> Vec<DnsEvent> {
        self.read(host, |h| &h.dns)
    }

    /// The HTTP requests received for `host`.
    pub fn http(&self, host: &str) -> Vec<HttpEvent> {
        self.read(host, |h| &h.http)
    }

    /// The TLS-ALPN-01 handshakes received for `host`.
    pub fn tlsalpn(&self, host: &str) -> Vec<TlsAlpnEvent> {
        self.read(host, |h| &h.tlsalpn)
    }

    /// Forgets the events of one kind for `host`.
    pub fn clear(&self, host: &str, kind: EventKind) {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        let key = history_key(host);
        if let Some(h) = hosts.get_mut(&key) {
            match kind {
                EventKind::Dns => h.dns.clear(),
                EventKind::Http => h.http.clear(),
                EventKind::TlsAlpn => h.tlsalpn.clear(),
            }
            if h.is_empty() {
                hosts.remove(&key);
            }
        }
    }

    /// Forgets everything.
    pub fn clear_all(&self) {
        self.hosts.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// `host:port` → `host`; `[v6]:port` → `v6`; anything else unchanged.
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dns(name: &str) -> DnsEvent {
        DnsEvent {
            question: DnsQuestion {
                name: name.into(),
                qtype: 1,
                qclass: 1,
            },
        }
    }

    #[test]
    fn bounded_per_host_and_cleared_by_kind() {
        let h = History::new(2);
        for _ in 0..5 {
            h.record_dns(dns("A.example."));
        }
        assert_eq!(h.dns("a.example").len(), 2);
        h.record_http(HttpEvent {
            url: "/x".into(),
            host: "a.example:5002".into(),
            https: false,
            server_name: String::new(),
        });
        assert_eq!(h.http("a.example").len(), 1);
        h.clear("a.example", EventKind::Dns);
        assert!(h.dns("a.example").is_empty());
        assert_eq!(h.http("a.example").len(), 1);
    }

    #[test]
    fn ports_are_stripped() {
        assert_eq!(strip_port("a.b:80"), "a.b");
        assert_eq!(strip_port("[::1]:80"), "::1");
        assert_eq!(strip_port("a.b"), "a.b");
        assert_eq!(strip_port("::1"), "::1");
    }
}
