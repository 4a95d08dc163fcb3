//! DNS-01 against mock-dns in-process: the rfc2136 provider (UPDATE + TSIG, each
//! algorithm, UDP and TCP), the propagation check, CNAME following, and cross-checks
//! with the real `dig` and `nsupdate` when installed.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use certlab_controller::acme::dns01::{
    self, Dns01Error, Dns01Settings, Rfc2136, challenge_fqdn, check, clean_up, present,
};
use mock_dns::{Fault, MockDns, RunningDns, TsigKey};
use tokio::io::AsyncWriteExt;

/// base64 of "a-tsig-secret-for-certlab-tests!"
const SECRET_B64: &str = "YS10c2lnLXNlY3JldC1mb3ItY2VydGxhYi10ZXN0cyE=";
const KEY: &str = "acme-key";
const FQDN: &str = "_acme-challenge.www.example.com.";

async fn start(alg: &str) -> RunningDns {
    let key = TsigKey::parse(&format!("{KEY}:{alg}:{SECRET_B64}")).unwrap();
    MockDns::builder()
        .zone("example.com")
        .tsig_key(key)
        .start()
        .await
        .unwrap()
}

fn addr(dns: &RunningDns) -> SocketAddr {
    dns.dns_addr().unwrap()
}

fn settings(dns: &RunningDns) -> Dns01Settings {
    Dns01Settings {
        recursive_nameservers: vec![addr(dns)],
        recursive_only: true,
    }
}

fn provider(dns: &RunningDns, alg: Option<&str>) -> Rfc2136 {
    Rfc2136 {
        nameserver: addr(dns).to_string(),
        tsig_key_name: Some(KEY.into()),
        tsig_algorithm: alg.map(Into::into),
        tsig_secret: Some(SECRET_B64.as_bytes().to_vec()),
        tcp: false,
    }
}

fn tool(name: &str) -> bool {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !found {
        eprintln!("!!! SKIPPING the {name} cross-check: `{name}` is not installed !!!");
    }
    found
}

/// TXT values of `name` as `dig +short` prints them (quotes removed), or None when dig
/// is missing.
async fn dig_txt(server: SocketAddr, name: &str) -> Option<Vec<String>> {
    if !tool("dig") {
        return None;
    }
    let out = tokio::process::Command::new("dig")
        .args([
            &format!("@{}", server.ip()),
            "-p",
            &server.port().to_string(),
            "+short",
            "+time=2",
            "+tries=1",
            name,
            "TXT",
        ])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "dig failed: {out:?}");
    let mut values: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().trim_matches('"').to_string())
        .filter(|l| !l.is_empty())
        .collect();
    values.sort();
    Some(values)
}

#[tokio::test]
async fn present_is_visible_then_check_then_clean_up() {
    let dns = start("hmac-sha256").await;
    let s = settings(&dns);
    let p = provider(&dns, Some("HMACSHA256"));
    let fqdn = challenge_fqdn("www.example.com", false, &s).await.unwrap();
    assert_eq!(fqdn, FQDN);

    let why = check(&fqdn, "token-1", &s).await.unwrap();
    assert_eq!(
        why.as_deref(),
        Some("DNS record for \"www.example.com\" not yet propagated")
    );

    present(&p, &fqdn, "token-1", &s).await.unwrap();
    if let Some(values) = dig_txt(addr(&dns), FQDN).await {
        assert_eq!(values, vec!["token-1".to_string()]);
    }
    assert_eq!(check(&fqdn, "token-1", &s).await.unwrap(), None);
    assert!(check(&fqdn, "other", &s).await.unwrap().is_some());

    clean_up(&p, &fqdn, "token-1", &s).await.unwrap();
    assert!(check(&fqdn, "token-1", &s).await.unwrap().is_some());
    if let Some(values) = dig_txt(addr(&dns), FQDN).await {
        assert!(values.is_empty(), "{values:?}");
    }
    dns.shutdown().await;
}

#[tokio::test]
async fn every_tsig_algorithm_signs_updates() {
    for (server_alg, field) in [
        ("hmac-md5", None),
        ("hmac-md5", Some("HMACMD5")),
        ("hmac-sha1", Some("HMACSHA1")),
        ("hmac-sha256", Some("hmacsha256")),
        ("hmac-sha512", Some("HMACSHA512")),
    ] {
        let dns = start(server_alg).await;
        let s = settings(&dns);
        let p = provider(&dns, field);
        present(&p, FQDN, "v", &s)
            .await
            .unwrap_or_else(|e| panic!("{server_alg}/{field:?}: {e}"));
        assert_eq!(check(FQDN, "v", &s).await.unwrap(), None, "{server_alg}");
        clean_up(&p, FQDN, "v", &s).await.unwrap();
        assert!(check(FQDN, "v", &s).await.unwrap().is_some());
        dns.shutdown().await;
    }
}

#[tokio::test]
async fn wrong_secret_is_a_clear_badsig() {
    let dns = start("hmac-sha256").await;
    let s = settings(&dns);
    let mut p = provider(&dns, Some("HMACSHA256"));
    p.tsig_secret = Some(b"d3Jvbmctc2VjcmV0".to_vec());
    let err = present(&p, FQDN, "v", &s).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("DNS update failed. Server replied: NOTAUTH"),
        "{text}"
    );
    assert!(text.contains("BADSIG"), "{text}");
    assert!(
        matches!(&err, Dns01Error::UpdateRejected { tsig_error: Some(t), .. } if t == "BADSIG"),
        "{err:?}"
    );
    dns.shutdown().await;
}

#[tokio::test]
async fn unknown_key_unsigned_update_and_bad_time_are_explained() {
    let dns = start("hmac-sha256").await;
    let s = settings(&dns);

    // The right secret but the wrong algorithm: the server knows no such key.
    let p = provider(&dns, Some("HMACSHA512"));
    let err = present(&p, FQDN, "v", &s).await.unwrap_err().to_string();
    assert!(err.contains("NOTAUTH") && err.contains("BADKEY"), "{err}");

    let mut unsigned = provider(&dns, None);
    unsigned.tsig_key_name = None;
    let err = present(&unsigned, FQDN, "v", &s)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("DNS update failed. Server replied: REFUSED"),
        "{err}"
    );
    assert!(err.contains("tsigKeyName"), "{err}");

    let p = provider(&dns, Some("HMACSHA256"));
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let err = dns01::present_at(&p, FQDN, "v", &s, an_hour_ago)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("BADTIME"), "{err}");
    assert!(check(FQDN, "v", &s).await.unwrap().is_some());
    dns.shutdown().await;
}

#[tokio::test]
async fn configuration_errors_come_before_traffic() {
    let s = Dns01Settings {
        recursive_nameservers: vec!["127.0.0.1:9".parse().unwrap()],
        recursive_only: true,
    };
    let mut p = Rfc2136 {
        nameserver: "2001:db8::1".into(),
        ..Default::default()
    };
    let err = present(&p, FQDN, "v", &s).await.unwrap_err().to_string();
    assert!(err.contains("too many colons"), "{err}");
    p.nameserver = "127.0.0.1".into();
    p.tsig_algorithm = Some("HMACSHA384".into());
    assert_eq!(
        present(&p, FQDN, "v", &s).await.unwrap_err().to_string(),
        "algorithm 'HMACSHA384' is not supported"
    );
}

#[tokio::test]
async fn updates_over_tcp() {
    let dns = start("hmac-sha256").await;
    let s = settings(&dns);
    // A TCP-only front: if the provider used UDP, nobody would answer.
    let front = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let front_addr = front.local_addr().unwrap();
    let backend = dns.dns_tcp_addrs()[0];
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = front.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    let _ = outbound.shutdown().await;
                }
            });
        }
    });
    let mut p = provider(&dns, Some("HMACSHA256"));
    p.nameserver = front_addr.to_string();
    p.tcp = true;
    present(&p, FQDN, "over-tcp", &s).await.unwrap();
    assert_eq!(check(FQDN, "over-tcp", &s).await.unwrap(), None);
    clean_up(&p, FQDN, "over-tcp", &s).await.unwrap();
    assert!(check(FQDN, "over-tcp", &s).await.unwrap().is_some());

    // Without `tcp`, the same front is unreachable over UDP.
    p.tcp = false;
    let err = present(&p, FQDN, "x", &s).await.unwrap_err().to_string();
    assert!(err.starts_with("DNS update failed: "), "{err}");
    dns.shutdown().await;
}

#[tokio::test]
async fn two_values_for_one_name_coexist() {
    let dns = start("hmac-sha256").await;
    let s = settings(&dns);
    let p = provider(&dns, Some("HMACSHA256"));
    present(&p, FQDN, "apex-value", &s).await.unwrap();
    present(&p, FQDN, "wildcard-value", &s).await.unwrap();
    assert_eq!(check(FQDN, "apex-value", &s).await.unwrap(), None);
    assert_eq!(check(FQDN, "wildcard-value", &s).await.unwrap(), None);
    if let Some(values) = dig_txt(addr(&dns), FQDN).await {
        assert_eq!(values, vec!["apex-value", "wildcard-value"]);
    }
    clean_up(&p, FQDN, "apex-value", &s).await.unwrap();
    assert!(check(FQDN, "apex-value", &s).await.unwrap().is_some());
    assert_eq!(check(FQDN, "wildcard-value", &s).await.unwrap(), None);
    dns.shutdown().await;
}

#[tokio::test]
async fn cname_strategy_follow() {
    let dns = start("hmac-sha256").await;
    let s = settings(&dns);
    let p = provider(&dns, Some("HMACSHA256"));
    dns.handle()
        .set_cname(
            "_acme-challenge.www.example.com",
            "www.acme-delegation.example.com",
        )
        .unwrap();

    assert_eq!(
        challenge_fqdn("www.example.com", false, &s).await.unwrap(),
        FQDN
    );
    let target = challenge_fqdn("www.example.com", true, &s).await.unwrap();
    assert_eq!(target, "www.acme-delegation.example.com.");

    present(&p, &target, "via-cname", &s).await.unwrap();
    // The check of the original name follows the CNAME too.
    assert_eq!(check(FQDN, "via-cname", &s).await.unwrap(), None);
    clean_up(&p, &target, "via-cname", &s).await.unwrap();
    assert!(check(FQDN, "via-cname", &s).await.unwrap().is_some());

    // A CNAME that a wildcard record appears to synthesize is not followed (#5751).
    dns.handle()
        .set_cname("*.www.example.com", "www.acme-delegation.example.com")
        .unwrap();
    assert_eq!(
        challenge_fqdn("www.example.com", true, &s).await.unwrap(),
        FQDN
    );
    dns.handle().clear_cname("*.www.example.com").unwrap();

    // An unknown answer is an error, not "no CNAME" (#8095).
    dns.handle().set_fault(FQDN, Fault::ServFail).unwrap();
    let err = challenge_fqdn("www.example.com", true, &s)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("When querying the CNAME record for '_acme-challenge.www.example.com.'")
            && err.ends_with("but got 'SERVFAIL'"),
        "{err}"
    );
    dns.handle().clear_fault(FQDN).unwrap();

    // A loop is an error, in cert-manager's words.
    dns.handle()
        .set_cname(
            "www.acme-delegation.example.com",
            "_acme-challenge.www.example.com",
        )
        .unwrap();
    let err = challenge_fqdn("www.example.com", true, &s)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("Found recursive CNAME record to"), "{err}");
    dns.shutdown().await;
}

#[tokio::test]
async fn nameserver_errors_are_reported() {
    let dns = start("hmac-sha256").await;
    let s = settings(&dns);
    let p = provider(&dns, Some("HMACSHA256"));
    present(&p, FQDN, "v", &s).await.unwrap();
    dns.handle().set_fault(FQDN, Fault::ServFail).unwrap();
    let err = check(FQDN, "v", &s).await.unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "NS {} returned SERVFAIL for _acme-challenge.www.example.com.",
            addr(&dns)
        )
    );
    dns.handle().clear_fault(FQDN).unwrap();
    assert_eq!(check(FQDN, "v", &s).await.unwrap(), None);

    // No zone above the name: the SOA walk fails with upstream's message.
    let err = present(&p, "_acme-challenge.elsewhere.test.", "v", &s)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("rcode was expected to be 'NOERROR' or 'NXDOMAIN'")
            || err.starts_with("Could not find the SOA record"),
        "{err}"
    );
    dns.shutdown().await;
}

#[tokio::test]
async fn nsupdate_and_dig_agree_with_the_provider() {
    if !tool("nsupdate") {
        return;
    }
    let dns = start("hmac-md5").await;
    let s = settings(&dns);
    let p = provider(&dns, None);
    let server = addr(&dns);

    // nsupdate adds one value (HMAC-MD5, as cert-manager's default).
    let script = format!(
        "server {} {}\nzone example.com\nupdate add {FQDN} 60 TXT \"from-nsupdate\"\nsend\n",
        server.ip(),
        server.port()
    );
    let mut child = tokio::process::Command::new("nsupdate")
        .args(["-y", &format!("hmac-md5:{KEY}:{SECRET_B64}")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .await
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "nsupdate failed: {out:?}");

    // The provider adds another; both are served; the check sees nsupdate's.
    present(&p, FQDN, "from-certlab", &s).await.unwrap();
    assert_eq!(check(FQDN, "from-nsupdate", &s).await.unwrap(), None);
    if let Some(values) = dig_txt(server, FQDN).await {
        assert_eq!(values, vec!["from-certlab", "from-nsupdate"]);
    }
    // The provider's delete removes exactly nsupdate's value, as `update delete … TXT "v"`.
    clean_up(&p, FQDN, "from-nsupdate", &s).await.unwrap();
    if let Some(values) = dig_txt(server, FQDN).await {
        assert_eq!(values, vec!["from-certlab"]);
    }
    dns.shutdown().await;
}
