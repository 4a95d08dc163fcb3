//! The test DNS server. Today this is Debian's `pebble-challtestsrv` driven through its
//! management API; when the sibling `mock-dns` crate lands, only this file changes.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A running test DNS server.
pub struct TestDns {
    child: tokio::process::Child,
    /// Where DNS queries go (UDP and TCP).
    pub addr: SocketAddr,
    mgmt: SocketAddr,
}

fn free_port() -> u16 {
    // Bind UDP and TCP on the same port to be sure both are free.
    for _ in 0..50 {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = tcp.local_addr().unwrap().port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port");
}

impl TestDns {
    /// Starts the server, or returns `None` (after a loud message) when the tool is missing.
    pub async fn start(test: &str) -> Option<TestDns> {
        let bin = "pebble-challtestsrv";
        if which(bin).is_none() {
            eprintln!(
                "\n*** SKIPPING {test}: `{bin}` is not installed (apt-get install pebble) ***\n"
            );
            return None;
        }
        for _ in 0..5 {
            let dns_port = free_port();
            let mgmt_port = free_port();
            let mut child = tokio::process::Command::new(bin)
                .args([
                    "-dns01",
                    &format!("127.0.0.1:{dns_port}"),
                    "-management",
                    &format!("127.0.0.1:{mgmt_port}"),
                    "-http01",
                    "",
                    "-https01",
                    "",
                    "-tlsalpn01",
                    "",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .expect("spawn challtestsrv");
            let mgmt: SocketAddr = ([127, 0, 0, 1], mgmt_port).into();
            for _ in 0..100 {
                if tokio::net::TcpStream::connect(mgmt).await.is_ok() {
                    return Some(TestDns {
                        child,
                        addr: ([127, 0, 0, 1], dns_port).into(),
                        mgmt,
                    });
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            let _ = child.kill().await;
        }
        panic!("pebble-challtestsrv did not start");
    }

    async fn post(&self, path: &str, body: serde_json::Value) {
        let body = body.to_string();
        let mut s = tokio::net::TcpStream::connect(self.mgmt)
            .await
            .expect("mgmt connect");
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.mgmt,
            body.len()
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        assert!(out.starts_with("HTTP/1.1 200"), "{path} failed: {out}");
    }

    fn fqdn(host: &str) -> String {
        if host.ends_with('.') {
            host.to_string()
        } else {
            format!("{host}.")
        }
    }

    pub async fn set_txt(&self, host: &str, value: &str) {
        self.post(
            "/set-txt",
            serde_json::json!({"host": Self::fqdn(host), "value": value}),
        )
        .await;
    }

    pub async fn clear_txt(&self, host: &str) {
        self.post("/clear-txt", serde_json::json!({"host": Self::fqdn(host)}))
            .await;
    }

    pub async fn add_caa(&self, host: &str, tag: &str, value: &str) {
        self.post(
            "/add-caa",
            serde_json::json!({"host": Self::fqdn(host), "policies": [{"tag": tag, "value": value}]}),
        )
        .await;
    }

    pub async fn add_a(&self, host: &str, addr: &str) {
        self.post(
            "/add-a",
            serde_json::json!({"host": Self::fqdn(host), "addresses": [addr]}),
        )
        .await;
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
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
