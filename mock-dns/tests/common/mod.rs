//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use mock_dns::{MockDns, RunningDns, TsigKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const SHA256_SECRET: &str = "c2hhMjU2LXNlY3JldC1mb3ItdGVzdHMtb25seQ==";
pub const MD5_SECRET: &str = "bWQ1LXNlY3JldC1mb3ItdGVzdHM=";

/// Whether an external tool is installed; prints a loud skip message when not.
pub fn have_tool(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !found {
        eprintln!("!!!!!! SKIPPED: `{tool}` is not installed; install it to run this test !!!!!!");
    }
    found
}

/// A server with zone example.com, two TSIG keys and all responders on ephemeral ports.
pub async fn start() -> RunningDns {
    let lo: SocketAddr = "127.0.0.1:0".parse().unwrap();
    MockDns::builder()
        .zone("example.com")
        .tsig_key(TsigKey::parse(&format!("tsig-key:hmac-sha256:{SHA256_SECRET}")).unwrap())
        .tsig_key(TsigKey::parse(&format!("md5-key:hmac-md5:{MD5_SECRET}")).unwrap())
        .http01_addrs([lo])
        .https01_addrs([lo])
        .tlsalpn01_addrs([lo])
        .start()
        .await
        .expect("mock-dns starts")
}

/// Runs `dig` against `addr` and returns its stdout.
pub fn dig(addr: SocketAddr, args: &[&str]) -> String {
    let out = Command::new("dig")
        .arg(format!("@{}", addr.ip()))
        .arg("-p")
        .arg(addr.port().to_string())
        .args(["+time=2", "+tries=1"])
        .args(args)
        .output()
        .expect("dig runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `dig +short`.
pub fn dig_short(addr: SocketAddr, name: &str, rtype: &str) -> Vec<String> {
    dig(addr, &["+short", name, rtype])
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Feeds `script` to `nsupdate` with the given `-y` key; returns (success, stderr).
pub fn nsupdate(addr: SocketAddr, key: Option<&str>, script: &str) -> (bool, String) {
    let mut cmd = Command::new("nsupdate");
    if let Some(k) = key {
        cmd.arg("-y").arg(k);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nsupdate runs");
    let full = format!("server {} {}\n{script}\nsend\n", addr.ip(), addr.port());
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(full.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A minimal HTTP/1.1 client: returns (status, headers, body).
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    host: &str,
    body: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .expect("response in time")
        .unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    (status, head.to_owned(), body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n.min(rest.len())]);
        s = rest.get(n + 2..).unwrap_or("");
    }
    out
}

/// POST `body` to the management API.
pub async fn mgmt(dns: &RunningDns, path: &str, body: &str) -> (u16, String) {
    let addr = dns.management_addr().expect("management enabled");
    let (status, _, body) = http(addr, "POST", path, "localhost", body).await;
    (status, body)
}
