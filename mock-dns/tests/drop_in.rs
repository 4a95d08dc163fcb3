//! Drop-in for pebble-challtestsrv: the management calls Pebble's own test suite makes,
//! the HTTP-01/TLS-ALPN-01 responders, and side-by-side runs against the real binary.

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pebble_test_suite_management_calls_work_unchanged() {
    let dns = start().await;
    // chisel2.py: set-txt / clear-txt with a fully qualified host.
    let (s, _) = mgmt(
        &dns,
        "/set-txt",
        r#"{"host":"_acme-challenge.chisel.example.org.","value":"abc123"}"#,
    )
    .await;
    assert_eq!(s, 200);
    // add-a as the Go client suite sends it.
    let (s, _) = mgmt(
        &dns,
        "/add-a",
        r#"{"host":"chisel.example.org.","addresses":["10.77.77.77"]}"#,
    )
    .await;
    assert_eq!(s, 200);
    // add-http01 with token/content.
    let (s, _) = mgmt(
        &dns,
        "/add-http01",
        r#"{"token":"tok-1","content":"tok-1.thumbprint"}"#,
    )
    .await;
    assert_eq!(s, 200);

    let h = dns.dns_handler();
    let src: SocketAddr = "127.0.0.1:1".parse().unwrap();
    let answer = |name: &'static str, qtype: u16| {
        let h = h.clone();
        async move {
            let mut q = vec![0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
            for l in name.split('.') {
                q.push(l.len() as u8);
                q.extend_from_slice(l.as_bytes());
            }
            q.extend_from_slice(&[0, (qtype >> 8) as u8, qtype as u8, 0, 1]);
            h.handle_packet(&q, src, mock_dns::Protocol::Udp)
                .await
                .unwrap()
        }
    };
    let txt = answer("_acme-challenge.chisel.example.org", 16).await;
    assert_eq!(u16::from_be_bytes([txt[6], txt[7]]), 1, "one TXT answer");
    assert!(txt.windows(6).any(|w| w == b"abc123"));
    let a = answer("chisel.example.org", 1).await;
    assert!(a.ends_with(&[10, 77, 77, 77]) || a.windows(4).any(|w| w == [10, 77, 77, 77]));

    let http01 = dns.http01_addrs()[0];
    let (status, _, body) = http(
        http01,
        "GET",
        "/.well-known/acme-challenge/tok-1",
        "chisel.example.org",
        "",
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "tok-1.thumbprint"));
    let (status, _, body) = http(
        http01,
        "GET",
        "/.well-known/acme-challenge/other",
        "chisel.example.org",
        "",
    )
    .await;
    assert_eq!((status, body.as_str()), (200, ""));

    let (s, _) = mgmt(
        &dns,
        "/clear-txt",
        r#"{"host":"_acme-challenge.chisel.example.org."}"#,
    )
    .await;
    assert_eq!(s, 200);
    let txt = answer("_acme-challenge.chisel.example.org", 16).await;
    assert_eq!(u16::from_be_bytes([txt[6], txt[7]]), 0, "TXT cleared");

    let (_, history) = mgmt(
        &dns,
        "/http-request-history",
        r#"{"host":"chisel.example.org"}"#,
    )
    .await;
    let events: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(events.as_array().unwrap().len(), 2);
    assert_eq!(events[0]["URL"], "/.well-known/acme-challenge/tok-1");
    assert_eq!(events[0]["HTTPS"], false);
    dns.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_https_records_and_reset() {
    let dns = start().await;
    let (s, _) = mgmt(
        &dns,
        "/add-redirect",
        r#"{"path":"/r","targetURL":"https://example.org/x"}"#,
    )
    .await;
    assert_eq!(s, 200);
    let (status, head, _) = http(dns.http01_addrs()[0], "GET", "/r", "h.test", "").await;
    assert_eq!(status, 302);
    assert!(
        head.to_ascii_lowercase()
            .contains("location: https://example.org/x"),
        "{head}"
    );

    let (s, _) = mgmt(
        &dns,
        "/set-fault",
        r#"{"host":"slow.test","fault":"delay","delayMs":250}"#,
    )
    .await;
    assert_eq!(s, 200);
    let (s, body) = mgmt(
        &dns,
        "/add-tlsalpn01",
        r#"{"host":"alpn.test","content":"ka"}"#,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (status, _, records) =
        http(dns.management_addr().unwrap(), "GET", "/records", "x", "").await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&records).unwrap();
    assert_eq!(v["faults"][0]["host"], "slow.test.");
    assert_eq!(v["faults"][0]["delayMs"], 250);
    assert_eq!(v["redirects"]["/r"], "https://example.org/x");
    assert_eq!(v["tlsalpn01"]["alpn.test"], "ka");
    assert_eq!(v["zones"][0]["name"], "example.com.");

    let (s, _) = mgmt(&dns, "/reset", "").await;
    assert_eq!(s, 200);
    let snap = dns.handle().records();
    assert!(snap.faults.is_empty() && snap.redirects.is_empty() && snap.tlsalpn01.is_empty());
    dns.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_alpn_01_serves_the_challenge_certificate() {
    if !have_tool("openssl") {
        return;
    }
    let dns = start().await;
    dns.handle().add_tlsalpn01("alpn.test", "key-authz");
    let addr = dns.tlsalpn01_addrs()[0];
    let out = tokio::task::spawn_blocking(move || {
        let child = Command::new("openssl")
            .args([
                "s_client",
                "-connect",
                &addr.to_string(),
                "-servername",
                "alpn.test",
                "-alpn",
                "acme-tls/1",
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let cert = String::from_utf8_lossy(&child.stdout).into_owned();
        let mut x509 = Command::new("openssl")
            .args(["x509", "-noout", "-text"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            x509.stdin
                .take()
                .unwrap()
                .write_all(cert.as_bytes())
                .unwrap();
        }
        String::from_utf8_lossy(&x509.wait_with_output().unwrap().stdout).into_owned()
    })
    .await
    .unwrap();
    assert!(out.contains("DNS:alpn.test"), "{out}");
    assert!(out.contains("1.3.6.1.5.5.7.1.31: critical"), "{out}");
    let events = dns.handle().tlsalpn_history("alpn.test");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].supported_protos, ["acme-tls/1"]);
    dns.shutdown().await;
}

struct Challtestsrv {
    child: Child,
    dns: SocketAddr,
    management: SocketAddr,
}

impl Drop for Challtestsrv {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_addr() -> SocketAddr {
    loop {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = udp.local_addr().unwrap();
        if std::net::TcpListener::bind(addr).is_ok() {
            return addr;
        }
    }
}

async fn start_challtestsrv() -> Challtestsrv {
    let dns = free_addr();
    let management = free_addr();
    let child = Command::new("pebble-challtestsrv")
        .args([
            "-dns01",
            &dns.to_string(),
            "-management",
            &management.to_string(),
        ])
        .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pebble-challtestsrv starts");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(management).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Challtestsrv {
        child,
        dns,
        management,
    }
}

/// The same calls against both servers give the same status codes, DNS answers and
/// history bodies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_answers_as_the_real_pebble_challtestsrv() {
    if !have_tool("pebble-challtestsrv") || !have_tool("dig") {
        return;
    }
    let ours = start().await;
    let theirs = start_challtestsrv().await;
    let calls: &[(&str, &str)] = &[
        (
            "/set-txt",
            r#"{"host":"_acme-challenge.side.example.","value":"one"}"#,
        ),
        (
            "/set-txt",
            r#"{"host":"_acme-challenge.side.example.","value":"two"}"#,
        ),
        (
            "/add-a",
            r#"{"host":"side.example.","addresses":["10.0.0.1","10.0.0.2"]}"#,
        ),
        (
            "/add-aaaa",
            r#"{"host":"side.example.","addresses":["2001:db8::1"]}"#,
        ),
        (
            "/set-cname",
            r#"{"host":"alias.side.example.","target":"side.example."}"#,
        ),
        (
            "/add-caa",
            r#"{"host":"side.example.","policies":[{"tag":"issue","value":"ca.example"}]}"#,
        ),
        ("/set-servfail", r#"{"host":"broken.side.example."}"#),
        ("/set-txt", r#"{"host":"","value":"x"}"#),
        ("/set-txt", ""),
        ("/set-txt", "{\"host\":"),
        ("/add-a", r#"{"host":"side.example."}"#),
        (
            "/clear-request-history",
            r#"{"host":"side.example","type":"nope"}"#,
        ),
        ("/nonexistent", "{}"),
    ];
    for (path, body) in calls {
        let (a, _) = mgmt(&ours, path, body).await;
        let (b, _, _) = http(theirs.management, "POST", path, "localhost", body).await;
        assert_eq!(a, b, "status of {path} {body}");
    }
    let our_dns = ours.dns_addr().unwrap();
    let their_dns = theirs.dns;
    let queries = [
        ("_acme-challenge.side.example", "TXT"),
        ("side.example", "A"),
        ("side.example", "AAAA"),
        ("side.example", "CAA"),
        ("alias.side.example", "A"),
        ("alias.side.example", "CNAME"),
        ("unknown.side.example", "A"),
        ("unknown.side.example", "TXT"),
    ];
    let (a, b) = tokio::task::spawn_blocking(move || {
        let run = |addr| {
            queries
                .iter()
                .map(|(n, t)| {
                    let mut v = dig_short(addr, n, t);
                    v.sort();
                    v
                })
                .collect::<Vec<_>>()
        };
        let status = |addr| {
            ["broken.side.example", "side.example"]
                .iter()
                .map(|n| {
                    let out = dig(addr, &[n, "MX"]);
                    let out2 = dig(addr, &[n, "A"]);
                    let grab = |o: &str| {
                        o.split("status: ")
                            .nth(1)
                            .and_then(|s| s.split(',').next())
                            .unwrap_or("")
                            .to_owned()
                    };
                    (grab(&out), grab(&out2))
                })
                .collect::<Vec<_>>()
        };
        (
            (run(our_dns), status(our_dns)),
            (run(their_dns), status(their_dns)),
        )
    })
    .await
    .unwrap();
    assert_eq!(a.0, b.0, "answers differ (ours, theirs)");
    assert_eq!(a.1, b.1, "rcodes differ (ours, theirs)");

    let body = r#"{"host":"side.example"}"#;
    let (_, ours_hist) = mgmt(&ours, "/dns-request-history", body).await;
    let (_, _, theirs_hist) =
        http(theirs.management, "POST", "/dns-request-history", "x", body).await;
    let ours_v: serde_json::Value = serde_json::from_str(&ours_hist).unwrap();
    let theirs_v: serde_json::Value = serde_json::from_str(&theirs_hist).unwrap();
    assert_eq!(ours_v, theirs_v, "history bodies differ");
    assert!(!ours_v.as_array().unwrap().is_empty());
    ours.shutdown().await;
}
