//! Interop with Debian's `lego` (4.9.1): run over http-01, tls-alpn-01 and dns-01 (an
//! exec hook, and RFC 2136 with TSIG against mock-dns), then renew and revoke. Each test
//! skips loudly when `lego` is missing.

mod common;

use std::path::Path;
use std::time::Duration;

use common::dns::{TestDns, which};
use common::{Lab, verify_chain};
use mock_acme::{Config, MockAcme};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn have_lego(test: &str) -> bool {
    if which("lego").is_none() {
        eprintln!("\n*** SKIPPING {test}: `lego` is not installed (apt-get install lego) ***\n");
        return false;
    }
    true
}

async fn lego(lab: &Lab, path: &Path, args: &[&str], env: &[(&str, String)]) -> String {
    let mut cmd = tokio::process::Command::new("lego");
    cmd.env("LEGO_CA_CERTIFICATES", &lab.ca_path)
        .args([
            "--server",
            &lab.acme.directory_url(),
            "--accept-tos",
            "--email",
            "lego@example.com",
        ])
        .arg("--path")
        .arg(path)
        .args(args)
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(Duration::from_secs(120), cmd.output())
        .await
        .expect("lego finished in time")
        .expect("lego ran");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "lego {args:?} failed:\n{log}");
    log
}

fn issued(lab: &Lab, path: &Path, domain: &str) -> String {
    let pem = std::fs::read_to_string(path.join("certificates").join(format!("{domain}.crt")))
        .expect("lego wrote the certificate");
    verify_chain(&pem, &lab.acme.root_pem(0).unwrap(), domain, lab.acme.now());
    pem
}

fn serial_of(pem: &str) -> String {
    let der = common::chain_ders(pem).remove(0);
    let (_, c) = x509_parser::parse_x509_certificate(&der).unwrap();
    c.raw_serial_as_string().replace(':', "")
}

async fn lab_with(dns: &TestDns, cfg: Config) -> Lab {
    let acme = MockAcme::builder()
        .config(cfg)
        .dns_server(dns.addr)
        .start()
        .await
        .unwrap();
    common::lab_for(acme)
}

#[tokio::test]
async fn lego_http01_run_renew_and_revoke() {
    if !have_lego("lego_http01_run_renew_and_revoke") {
        return;
    }
    let Some(dns) = TestDns::start("lego_http01_run_renew_and_revoke").await else {
        return;
    };
    let port = free_port();
    let lab = lab_with(
        &dns,
        Config {
            http_port: port,
            ..Config::quiet()
        },
    )
    .await;
    let path = lab.dir.path().join("lego");
    let domain = "lego-http.example.test";
    let http = ["--domains", domain, "--http", "--http.port"];
    let listen = format!("127.0.0.1:{port}");
    let mut args: Vec<&str> = http.to_vec();
    args.extend([listen.as_str(), "run"]);
    lego(&lab, &path, &args, &[]).await;
    let first = issued(&lab, &path, domain);

    let mut args: Vec<&str> = http.to_vec();
    args.extend([
        listen.as_str(),
        "renew",
        "--days",
        "365",
        "--no-random-sleep",
    ]);
    lego(&lab, &path, &args, &[]).await;
    let second = issued(&lab, &path, domain);
    assert_ne!(
        serial_of(&first),
        serial_of(&second),
        "renew issued a new certificate"
    );

    lego(
        &lab,
        &path,
        &["--domains", domain, "revoke", "--reason", "4"],
        &[],
    )
    .await;
    let status = lab
        .acme
        .cert_status(&serial_of(&second))
        .expect("known serial");
    assert_eq!(status["Status"], "Revoked");
    assert_eq!(status["Reason"], 4);
}

#[tokio::test]
async fn lego_tls_alpn01() {
    if !have_lego("lego_tls_alpn01") {
        return;
    }
    let Some(dns) = TestDns::start("lego_tls_alpn01").await else {
        return;
    };
    let port = free_port();
    let lab = lab_with(
        &dns,
        Config {
            tls_port: port,
            ..Config::quiet()
        },
    )
    .await;
    let path = lab.dir.path().join("lego");
    let domain = "lego-tls.example.test";
    let listen = format!("127.0.0.1:{port}");
    lego(
        &lab,
        &path,
        &["--domains", domain, "--tls", "--tls.port", &listen, "run"],
        &[],
    )
    .await;
    issued(&lab, &path, domain);
}

#[tokio::test]
async fn lego_dns01_through_the_test_dns_server() {
    if !have_lego("lego_dns01_through_the_test_dns_server") {
        return;
    }
    let Some(dns) = TestDns::start("lego_dns01_through_the_test_dns_server").await else {
        return;
    };
    let lab = lab_with(&dns, Config::quiet()).await;
    let path = lab.dir.path().join("lego");
    // lego's `exec` provider calls this script with `present|cleanup FQDN VALUE`; it
    // drives the test DNS server's management API (set-txt / clear-txt).
    let script = lab.dir.path().join("dns-hook.sh");
    std::fs::write(&script, dns.exec_hook_script()).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let domain = "lego-dns.example.test";
    let resolver = dns.addr.to_string();
    lego(
        &lab,
        &path,
        &[
            "--domains",
            domain,
            "--domains",
            &format!("*.{domain}"),
            "--dns",
            "exec",
            "--dns.disable-cp",
            "--dns.resolvers",
            &resolver,
            "run",
        ],
        &[
            ("EXEC_PATH", script.display().to_string()),
            ("EXEC_POLLING_INTERVAL", "1".into()),
            ("EXEC_SEQUENCE_INTERVAL", "1".into()),
            ("EXEC_PROPAGATION_TIMEOUT", "30".into()),
        ],
    )
    .await;
    issued(&lab, &path, domain);
}

#[tokio::test]
async fn lego_dns01_rfc2136_with_tsig() {
    if !have_lego("lego_dns01_rfc2136_with_tsig") {
        return;
    }
    let secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==";
    let dns =
        TestDns::start_with_zone("rfc2136.test", &format!("acme-key:hmac-sha256:{secret}")).await;
    let lab = lab_with(&dns, Config::quiet()).await;
    let path = lab.dir.path().join("lego");
    let domain = "www.rfc2136.test";
    let resolver = dns.addr.to_string();
    lego(
        &lab,
        &path,
        &[
            "--domains",
            domain,
            "--dns",
            "rfc2136",
            "--dns.disable-cp",
            "--dns.resolvers",
            &resolver,
            "run",
        ],
        &[
            ("RFC2136_NAMESERVER", resolver.clone()),
            ("RFC2136_TSIG_KEY", "acme-key.".into()),
            ("RFC2136_TSIG_SECRET", secret.into()),
            ("RFC2136_TSIG_ALGORITHM", "hmac-sha256.".into()),
            ("RFC2136_POLLING_INTERVAL", "1".into()),
            ("RFC2136_PROPAGATION_TIMEOUT", "30".into()),
        ],
    )
    .await;
    issued(&lab, &path, domain);
}
