//! Interop with the real BIND tools: dig and nsupdate.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_gets_a_aaaa_txt_cname_and_caa_answers() {
    if !have_tool("dig") {
        return;
    }
    let dns = start().await;
    let addr = dns.dns_addr().unwrap();
    let h = dns.handle();
    h.add_a("web.test.", &["10.1.2.3".parse().unwrap()])
        .unwrap();
    h.add_aaaa("web.test.", &["2001:db8::7".parse().unwrap()])
        .unwrap();
    h.set_txt("_acme-challenge.web.test.", "token-1").unwrap();
    h.set_txt("_acme-challenge.web.test.", "token-2").unwrap();
    h.set_cname("alias.test.", "web.test.").unwrap();
    h.add_caa(
        "web.test.",
        &[mock_dns::CaaPolicy {
            tag: "issue".into(),
            value: "letsencrypt.org".into(),
        }],
    )
    .unwrap();

    let a = tokio::task::spawn_blocking(move || {
        (
            dig_short(addr, "web.test", "A"),
            dig_short(addr, "web.test", "AAAA"),
            dig_short(addr, "_acme-challenge.web.test", "TXT"),
            dig_short(addr, "alias.test", "A"),
            dig_short(addr, "web.test", "CAA"),
            dig_short(addr, "unknown.test", "A"),
            dig(addr, &["+tcp", "+short", "web.test", "A"]),
        )
    })
    .await
    .unwrap();
    assert_eq!(a.0, ["10.1.2.3"]);
    assert_eq!(a.1, ["2001:db8::7"]);
    assert_eq!(a.2, ["\"token-1\"", "\"token-2\""]);
    assert_eq!(a.3, ["web.test.", "10.1.2.3"]);
    assert_eq!(a.4, ["0 issue \"letsencrypt.org\""]);
    assert_eq!(a.5, ["127.0.0.1"], "default IPv4 for unknown names");
    assert_eq!(a.6.trim(), "10.1.2.3", "TCP answers too");
    dns.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_sees_zone_soa_ns_and_nxdomain() {
    if !have_tool("dig") {
        return;
    }
    let dns = start().await;
    let addr = dns.dns_addr().unwrap();
    let out = tokio::task::spawn_blocking(move || {
        (
            dig_short(addr, "example.com", "SOA"),
            dig_short(addr, "example.com", "NS"),
            dig(addr, &["nothere.example.com", "A"]),
        )
    })
    .await
    .unwrap();
    assert!(
        out.0[0].starts_with("ns.example.com. hostmaster.example.com. 1 "),
        "{:?}",
        out.0
    );
    assert_eq!(out.1, ["ns.example.com."]);
    assert!(out.2.contains("status: NXDOMAIN"), "{}", out.2);
    assert!(out.2.contains("flags: qr aa"), "{}", out.2);
    dns.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nsupdate_with_tsig_adds_and_deletes_txt_and_dig_sees_each_change() {
    if !have_tool("nsupdate") || !have_tool("dig") {
        return;
    }
    let dns = start().await;
    let addr = dns.dns_addr().unwrap();
    let name = "_acme-challenge.www.example.com";
    for key in [
        format!("hmac-sha256:tsig-key:{SHA256_SECRET}"),
        format!("hmac-md5:md5-key:{MD5_SECRET}"),
    ] {
        let k = key.clone();
        let (ok, err) = tokio::task::spawn_blocking(move || {
            nsupdate(
                addr,
                Some(&k),
                &format!("zone example.com\nupdate add {name} 60 TXT \"challenge-value\""),
            )
        })
        .await
        .unwrap();
        assert!(ok, "nsupdate add with {key} failed: {err}");
        let seen = tokio::task::spawn_blocking(move || dig_short(addr, name, "TXT"))
            .await
            .unwrap();
        assert_eq!(seen, ["\"challenge-value\""], "after add with {key}");

        let k = key.clone();
        let (ok, err) = tokio::task::spawn_blocking(move || {
            nsupdate(
                addr,
                Some(&k),
                &format!("zone example.com\nupdate delete {name} TXT \"challenge-value\""),
            )
        })
        .await
        .unwrap();
        assert!(ok, "nsupdate delete with {key} failed: {err}");
        let out = tokio::task::spawn_blocking(move || dig(addr, &[name, "TXT"]))
            .await
            .unwrap();
        assert!(
            out.contains("status: NXDOMAIN"),
            "after delete with {key}: {out}"
        );
    }
    // Two updates bumped the serial twice per key.
    let serial = dns.handle().records().zones[0].serial;
    assert_eq!(serial, 5);
    dns.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_with_a_wrong_key_unknown_key_or_no_key_are_refused() {
    if !have_tool("nsupdate") {
        return;
    }
    let dns = start().await;
    let addr = dns.dns_addr().unwrap();
    let script = "zone example.com\nupdate add evil.example.com 60 TXT \"x\"";
    let cases = [
        (
            Some("hmac-sha256:tsig-key:d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA=="),
            "BADSIG",
        ),
        (
            Some("hmac-sha256:no-such-key:d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA=="),
            "BADKEY",
        ),
        (None, "REFUSED"),
    ];
    for (key, expected) in cases {
        let k = key.map(str::to_owned);
        let (ok, err) = tokio::task::spawn_blocking(move || nsupdate(addr, k.as_deref(), script))
            .await
            .unwrap();
        assert!(!ok, "update with {key:?} must fail");
        assert!(
            err.contains(expected),
            "{key:?}: expected {expected} in {err}"
        );
    }
    assert!(
        dns.handle().records().records.is_empty(),
        "nothing was added"
    );
    dns.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nsupdate_prerequisites_are_honoured() {
    if !have_tool("nsupdate") {
        return;
    }
    let dns = start().await;
    let addr = dns.dns_addr().unwrap();
    let key = format!("hmac-sha256:tsig-key:{SHA256_SECRET}");
    let script = "zone example.com\nprereq nxdomain once.example.com\nupdate add once.example.com 60 A 192.0.2.1";
    let k = key.clone();
    let first = tokio::task::spawn_blocking(move || nsupdate(addr, Some(&k), script))
        .await
        .unwrap();
    assert!(first.0, "{}", first.1);
    let second = tokio::task::spawn_blocking(move || nsupdate(addr, Some(&key), script))
        .await
        .unwrap();
    assert!(!second.0);
    assert!(second.1.contains("YXDOMAIN"), "{}", second.1);
    let recs = dns.handle().records().records;
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].value, "192.0.2.1");
    dns.shutdown().await;
}
