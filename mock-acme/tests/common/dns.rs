//! The test DNS server: the workspace's mock-dns, in-process. Only this file knows which
//! DNS server the tests use (it was Debian's pebble-challtestsrv before mock-dns landed).

use std::net::SocketAddr;

/// A running test DNS server.
pub struct TestDns {
    dns: Option<mock_dns::RunningDns>,
    /// Where DNS queries go (UDP and TCP).
    pub addr: SocketAddr,
    mgmt: SocketAddr,
}

impl TestDns {
    /// Starts the server. (Kept fallible for tests written when an external tool was
    /// needed; mock-dns is always there.)
    pub async fn start(_test: &str) -> Option<TestDns> {
        Some(Self::from_builder(mock_dns::MockDns::builder()).await)
    }

    /// Starts a server authoritative for `zone`, accepting RFC 2136 updates signed with
    /// `tsig` (`NAME:ALGORITHM:BASE64SECRET`).
    pub async fn start_with_zone(zone: &str, tsig: &str) -> TestDns {
        let key = mock_dns::TsigKey::parse(tsig).expect("TSIG key");
        Self::from_builder(mock_dns::MockDns::builder().zone(zone).tsig_key(key)).await
    }

    async fn from_builder(builder: mock_dns::Builder) -> TestDns {
        let dns = builder.start().await.expect("mock-dns starts");
        let addr = dns.dns_addr().expect("DNS address");
        let mgmt = dns.management_addr().expect("management address");
        TestDns {
            dns: Some(dns),
            addr,
            mgmt,
        }
    }

    fn handle(&self) -> mock_dns::DnsHandle {
        self.dns.as_ref().expect("running").handle()
    }

    pub async fn set_txt(&self, host: &str, value: &str) {
        self.handle().set_txt(host, value).expect("set-txt");
    }

    pub async fn clear_txt(&self, host: &str) {
        self.handle().clear_txt(host).expect("clear-txt");
    }

    pub async fn add_caa(&self, host: &str, tag: &str, value: &str) {
        let policy = mock_dns::CaaPolicy {
            tag: tag.to_string(),
            value: value.to_string(),
        };
        self.handle().add_caa(host, &[policy]).expect("add-caa");
    }

    pub async fn add_a(&self, host: &str, addr: &str) {
        self.handle()
            .add_a(host, &[addr.parse().expect("IPv4")])
            .expect("add-a");
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        if let Some(dns) = self.dns.take() {
            dns.shutdown_token().cancel();
        }
    }
}

/// The path of an executable on PATH.
pub fn which(bin: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(bin))
            .find(|c| c.is_file())
    })
}

impl TestDns {
    /// A shell script for lego's `exec` DNS provider that sets and clears TXT records
    /// through the management API (bash `/dev/tcp`, no curl needed).
    pub fn exec_hook_script(&self) -> String {
        let port = self.mgmt.port();
        format!(
            r#"#!/usr/bin/env bash
set -euo pipefail
action="$1"; fqdn="$2"; value="${{3:-}}"
case "$action" in
  present) path=/set-txt; body="{{\"host\":\"$fqdn\",\"value\":\"$value\"}}" ;;
  cleanup) path=/clear-txt; body="{{\"host\":\"$fqdn\"}}" ;;
  *) exit 0 ;;
esac
exec 3<>/dev/tcp/127.0.0.1/{port}
printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "$path" "${{#body}}" "$body" >&3
head -n1 <&3 | grep -q ' 200 '
"#
        )
    }
}
