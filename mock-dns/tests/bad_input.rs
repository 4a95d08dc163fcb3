//! Bad input gets an error answer (or none) and never a panic.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use hickory_server::net::xfer::Protocol;
use mock_dns::{DnsHandler, MockDns};
use tokio::net::UdpSocket;

use common::*;

/// A deterministic xorshift generator, so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn query(name: &[&str], qtype: u16) -> Vec<u8> {
    let mut q = vec![0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for l in name {
        q.push(l.len() as u8);
        q.extend_from_slice(l.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&[0, 1]);
    q
}

fn rcode(resp: &[u8]) -> u8 {
    resp[3] & 0x0f
}

async fn handler() -> (mock_dns::RunningDns, DnsHandler) {
    let dns = start().await;
    let h = dns.dns_handler();
    (dns, h)
}

#[tokio::test]
async fn random_and_truncated_packets_never_panic() {
    let (dns, h) = handler().await;
    let src: SocketAddr = "127.0.0.1:5353".parse().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..3000 {
        let len = (rng.next() % 600) as usize;
        let mut pkt = rng.bytes(len);
        // Make many of them look like queries so parsing goes deeper.
        if pkt.len() > 3 && i % 2 == 0 {
            pkt[2] &= 0x7f;
        }
        let proto = if i % 3 == 0 {
            Protocol::Tcp
        } else {
            Protocol::Udp
        };
        let _ = h.handle_packet(&pkt, src, proto).await;
    }
    let good = query(&["a", "lab", "test"], 1);
    for cut in 0..good.len() {
        let resp = h.handle_packet(&good[..cut], src, Protocol::Udp).await;
        if cut < 12 {
            assert!(resp.is_none(), "no answer to a {cut}-byte packet");
        } else {
            let resp = resp.expect("an error answer to a truncated query");
            assert_eq!(rcode(&resp), 1, "FORMERR for a query cut at {cut}");
        }
    }
    let full = h.handle_packet(&good, src, Protocol::Udp).await.unwrap();
    assert_eq!(rcode(&full), 0);
    dns.shutdown().await;
}

#[tokio::test]
async fn compression_pointer_loops_get_formerr() {
    let (dns, h) = handler().await;
    let src: SocketAddr = "127.0.0.1:5353".parse().unwrap();
    // Question name is a pointer to itself (offset 12).
    let mut self_loop = vec![0x00, 0x01, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    self_loop.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]);
    // Two labels pointing at each other.
    let mut ping_pong = vec![0x00, 0x02, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    ping_pong.extend_from_slice(&[1, b'a', 0xc0, 16, 1, b'b', 0xc0, 12, 0, 1, 0, 1]);
    // A pointer past the end.
    let mut dangling = vec![0x00, 0x03, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    dangling.extend_from_slice(&[0xc0, 0xff, 0, 1, 0, 1]);
    // An answer record whose name loops, in an UPDATE.
    let mut update = vec![0x00, 0x04, 0x28, 0x00, 0, 1, 0, 1, 0, 0, 0, 0];
    update.extend_from_slice(&[
        7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm', 0, 0, 6, 0, 1,
    ]);
    update.extend_from_slice(&[0xc0, 29, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    for pkt in [self_loop, ping_pong, dangling, update] {
        let resp = h
            .handle_packet(&pkt, src, Protocol::Udp)
            .await
            .expect("an error answer");
        assert_eq!(rcode(&resp), 1, "FORMERR for {pkt:02x?}");
        assert_eq!(&resp[..2], &pkt[..2], "same id");
    }
    dns.shutdown().await;
}

#[tokio::test]
async fn server_keeps_answering_after_garbage_on_the_wire() {
    let dns = MockDns::builder().start().await.unwrap();
    let addr = dns.dns_addr().unwrap();
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut rng = Rng(42);
    for _ in 0..500 {
        let n = (rng.next() % 300) as usize;
        sock.send_to(&rng.bytes(n), addr).await.unwrap();
    }
    let q = query(&["still", "alive"], 1);
    let mut buf = [0u8; 1500];
    let mut answered = false;
    for _ in 0..20 {
        sock.send_to(&q, addr).await.unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
        while let Ok(Ok((n, _))) = tokio::time::timeout_at(deadline, sock.recv_from(&mut buf)).await
        {
            if n >= 12 && buf[..2] == q[..2] && rcode(&buf[..n]) == 0 {
                answered = true;
                break;
            }
        }
        if answered {
            break;
        }
    }
    assert!(answered, "the server still answers good queries");
    dns.shutdown().await;
}

#[tokio::test]
async fn oversized_txt_values_are_refused_or_truncated() {
    let dns = start().await;
    let (status, body) = mgmt(
        &dns,
        "/set-txt",
        &format!(
            r#"{{"host":"big.lab.test.","value":"{}"}}"#,
            "x".repeat(70_000)
        ),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("longer than"), "{body}");

    // Big but storable: UDP gets TC, TCP gets the whole value.
    let (status, _) = mgmt(
        &dns,
        "/set-txt",
        &format!(
            r#"{{"host":"big.lab.test.","value":"{}"}}"#,
            "y".repeat(4000)
        ),
    )
    .await;
    assert_eq!(status, 200);
    let h = dns.dns_handler();
    let src: SocketAddr = "127.0.0.1:5353".parse().unwrap();
    let q = query(&["big", "lab", "test"], 16);
    let udp = h.handle_packet(&q, src, Protocol::Udp).await.unwrap();
    assert!(udp.len() <= 512);
    assert_ne!(udp[2] & 0x02, 0, "TC set over UDP");
    let tcp = h.handle_packet(&q, src, Protocol::Tcp).await.unwrap();
    assert!(tcp.len() > 4000);
    assert_eq!(tcp[2] & 0x02, 0);
    dns.shutdown().await;
}

#[tokio::test]
async fn bad_json_gets_400() {
    let dns = start().await;
    for (path, body, expect) in [
        ("/set-txt", "", "Expected JSON POST body, was empty"),
        ("/set-txt", "{\"host\":", "unexpected end of JSON input"),
        ("/set-txt", "{nope}", "invalid JSON"),
        ("/set-txt", "[1,2]", "cannot unmarshal array"),
        (
            "/set-txt",
            r#"{"host":1,"value":"v"}"#,
            "Go struct field .Host of type string",
        ),
        (
            "/add-a",
            r#"{"host":"a.test","addresses":"1.2.3.4"}"#,
            "of type []string",
        ),
        (
            "/add-a",
            r#"{"host":"a.test","addresses":["not-an-ip"]}"#,
            "invalid IPv4 address",
        ),
        ("/set-default-ipv4", r#"{"ip":"::1"}"#, "invalid IPv4"),
        (
            "/add-caa",
            r#"{"host":"a.test","policies":[{"tag":"bad tag","value":"x"}]}"#,
            "invalid CAA tag",
        ),
        (
            "/set-fault",
            r#"{"host":"a.test","fault":"explode"}"#,
            "unknown fault",
        ),
        (
            "/set-fault",
            r#"{"host":"a.test","fault":"delay"}"#,
            "delayMs",
        ),
        (
            "/set-fault",
            r#"{"host":"a.test","fault":"delay","delayMs":-5}"#,
            "non-negative",
        ),
        (
            "/set-txt",
            r#"{"host":"bad..name","value":"v"}"#,
            "invalid host name",
        ),
        (
            "/clear-request-history",
            r#"{"host":"a.test","type":"smtp"}"#,
            "event type unknown",
        ),
        (
            "/dns-request-history",
            "{}",
            "host parameter of POST body must not be empty",
        ),
    ] {
        let (status, text) = mgmt(&dns, path, body).await;
        assert_eq!(status, 400, "{path} {body}: {text}");
        assert!(
            text.contains(expect),
            "{path} {body}: {text:?} lacks {expect:?}"
        );
    }
    // Missing fields: a bare 400 like challtestsrv.
    for (path, body) in [
        ("/set-txt", r#"{"host":"a.test"}"#),
        ("/add-a", r#"{"host":"a.test"}"#),
        ("/add-http01", "null"),
    ] {
        let (status, text) = mgmt(&dns, path, body).await;
        assert_eq!((status, text.as_str()), (400, ""), "{path} {body}");
    }
    let (status, _) = mgmt(&dns, "/no-such-endpoint", "{}").await;
    assert_eq!(status, 404);
    assert!(dns.handle().records().records.is_empty());
    dns.shutdown().await;
}
