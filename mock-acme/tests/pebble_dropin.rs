//! Pebble drop-in: configs shaped like Pebble's own `test/config/*.json`, its flags
//! (`-flag` and `--flag`), its environment variables, and its management paths.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::Https;
use mock_acme::Config;
use mock_acme::ca::KeyAlgorithm;
use mock_acme::config::Cli;

/// Shaped like Pebble's `test/config/pebble-config.json`.
const PEBBLE_CONFIG: &str = r#"{
  "pebble": {
    "listenAddress": "0.0.0.0:14000",
    "managementListenAddress": "0.0.0.0:15000",
    "certificate": "test/certs/localhost/cert.pem",
    "privateKey": "test/certs/localhost/key.pem",
    "httpPort": 5002,
    "tlsPort": 5001,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false,
    "domainBlocklist": ["blocked-domain.example"],
    "retryAfter": { "authz": 3, "order": 5 },
    "keyAlgorithm": "ecdsa",
    "profiles": {
      "default": { "description": "The profile you know and love", "validityPeriod": 7776000 },
      "shortlived": { "description": "A short-lived cert profile, without actual enforcement", "validityPeriod": 518400 }
    }
  }
}"#;

/// Shaped like Pebble's `test/config/pebble-config-external-account-bindings.json`.
const PEBBLE_EAB_CONFIG: &str = r#"{
  "pebble": {
    "listenAddress": "0.0.0.0:14000",
    "managementListenAddress": "0.0.0.0:15000",
    "certificate": "test/certs/localhost/cert.pem",
    "privateKey": "test/certs/localhost/key.pem",
    "httpPort": 5002,
    "tlsPort": 5001,
    "ocspResponderURL": "",
    "retryAfter": { "authz": 3, "order": 5 },
    "externalAccountBindingRequired": true,
    "externalAccountMACKeys": {
      "kid-1": "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W",
      "kid-2": "b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH"
    },
    "certificateValidityPeriod": 157766400
  }
}"#;

#[test]
fn pebble_sample_config_loads() {
    let mut cfg = Config::pebble_binary_defaults();
    cfg.apply_pebble_json(PEBBLE_CONFIG, None).unwrap();
    // Pebble's sample says 0.0.0.0; mock-acme keeps to loopback on the same ports.
    assert_eq!(cfg.listen_address, "127.0.0.1:14000".parse().unwrap());
    assert_eq!(
        cfg.management_listen_address,
        Some("127.0.0.1:15000".parse().unwrap())
    );
    assert_eq!(cfg.key_algorithm, KeyAlgorithm::Ecdsa);
    assert_eq!(cfg.retry_after_authz, 3);
    assert_eq!(cfg.retry_after_order, 5);
    assert_eq!(
        cfg.domain_blocklist,
        vec!["blocked-domain.example".to_string()]
    );
    assert_eq!(cfg.profiles["shortlived"].validity_period, 518_400);
    assert_eq!(cfg.ocsp_responder_url, None);
    assert!(
        cfg.certificate
            .unwrap()
            .ends_with("test/certs/localhost/cert.pem")
    );
}

#[test]
fn pebble_eab_config_loads() {
    let mut cfg = Config::pebble_binary_defaults();
    cfg.apply_pebble_json(PEBBLE_EAB_CONFIG, None).unwrap();
    assert!(cfg.external_account_binding_required);
    assert_eq!(cfg.external_account_mac_keys.len(), 2);
    assert_eq!(cfg.external_account_mac_keys["kid-1"].len(), 48);
    // Pebble's code default when keyAlgorithm is absent.
    assert_eq!(cfg.key_algorithm, KeyAlgorithm::Rsa);
}

#[test]
fn keys_match_case_insensitively_like_go() {
    let mut cfg = Config::default();
    cfg.apply_pebble_json(
        r#"{"Pebble": {"HTTPPort": 8080, "TLSPORT": 8443, "CAAIdentities": ["ca.example"]}}"#,
        None,
    )
    .unwrap();
    assert_eq!(cfg.http_port, 8080);
    assert_eq!(cfg.tls_port, 8443);
    assert_eq!(cfg.caa_identities, vec!["ca.example".to_string()]);
}

#[test]
fn bad_configs_are_refused() {
    for bad in [
        r#"{"plan": {"actions": ["newAccount"]}, "directoryURL": "https://localhost:14000/dir"}"#,
        r#"{"pebble": {"keyAlgorithm": "dsa"}}"#,
        r#"{"pebble": {"httpPort": 70000}}"#,
        r#"{"pebble": {"externalAccountMACKeys": {"kid": "not base64!"}}}"#,
        r#"{"pebble": {"certificate": "c.pem"}}"#,
        r#"{"pebble": {"listenAddress": "nope"}}"#,
        "not json",
    ] {
        let mut cfg = Config::default();
        assert!(cfg.apply_pebble_json(bad, None).is_err(), "{bad}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn binary_runs_with_pebble_flags_config_and_env() {
    let dir = tempfile::tempdir().unwrap();
    // A certificate/privateKey pair like Pebble's test/certs/localhost.
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let leaf_cert = leaf
        .signed_by(&leaf_key, &rcgen::Issuer::from_params(&ca, &ca_key))
        .unwrap();
    let certs = dir.path().join("test/certs/localhost");
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::write(
        certs.join("cert.pem"),
        format!("{}{}", leaf_cert.pem(), ca_cert.pem()),
    )
    .unwrap();
    std::fs::write(certs.join("key.pem"), leaf_key.serialize_pem()).unwrap();
    let (acme_port, mgmt_port) = (free_port(), free_port());
    let config = PEBBLE_CONFIG
        .replace("0.0.0.0:14000", &format!("127.0.0.1:{acme_port}"))
        .replace("0.0.0.0:15000", &format!("127.0.0.1:{mgmt_port}"));
    let config_path = dir.path().join("pebble-config.json");
    std::fs::write(&config_path, config).unwrap();
    let ca_out = dir.path().join("tls-ca.pem");

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_mock-acme"))
        .arg("-config")
        .arg(&config_path)
        .args(["--dnsserver", "127.0.0.1:8053", "-strict"])
        .arg("--tls-ca-out")
        .arg(&ca_out)
        .env("PEBBLE_VA_NOSLEEP", "1")
        .env("PEBBLE_WFE_NONCEREJECT", "0")
        .env("PEBBLE_ALTERNATE_ROOTS", "1")
        .env("PEBBLE_CHAIN_LENGTH", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if ca_out.exists()
            && tokio::net::TcpStream::connect(("127.0.0.1", mgmt_port))
                .await
                .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The configured certificate is served; --tls-ca-out wrote the last cert of its chain.
    assert_eq!(std::fs::read_to_string(&ca_out).unwrap(), ca_cert.pem());
    let https = Https::new(&ca_cert.pem());
    let dir_doc = https
        .get(&format!("https://127.0.0.1:{acme_port}/dir"))
        .await;
    assert_eq!(dir_doc.status, 200);
    let meta = &dir_doc.json()["meta"];
    assert_eq!(
        meta["profiles"]["shortlived"],
        "A short-lived cert profile, without actual enforcement"
    );
    let mgmt = format!("https://127.0.0.1:{mgmt_port}");
    let r0 = https.get(&format!("{mgmt}/roots/0")).await;
    assert_eq!(r0.status, 200);
    assert!(
        r0.links()
            .iter()
            .any(|l| l.contains("/roots/1>;rel=\"alternate\""))
    );
    assert_eq!(https.get(&format!("{mgmt}/roots/1")).await.status, 200);
    assert_eq!(https.get(&format!("{mgmt}/roots/2")).await.status, 404);
    assert_eq!(
        https.get(&format!("{mgmt}/intermediates/0")).await.status,
        200
    );
    // ECDSA keys are served too (Pebble answers 404 for them).
    let key = https.get(&format!("{mgmt}/root-keys/0")).await;
    assert_eq!(key.status, 200);
    assert!(String::from_utf8_lossy(&key.body).contains("PRIVATE KEY"));
    assert_eq!(
        https
            .get(&format!("{mgmt}/intermediate-keys/0"))
            .await
            .status,
        200
    );
    assert_eq!(
        https
            .get(&format!("{mgmt}/cert-status-by-serial/abcdef"))
            .await
            .status,
        404
    );
    let _ = child.kill().await;
}

#[test]
fn flags_parse_in_go_and_gnu_forms() {
    let cli = Cli::parse(
        [
            "--config=/x.json",
            "-dnsserver",
            "10.0.0.1:53",
            "--strict=true",
        ]
        .map(String::from),
    )
    .unwrap();
    let cfg = cli
        .into_config(|k| (k == "PEBBLE_WFE_ORDERS_PER_PAGE").then(|| "5".to_string()))
        .map(|_| ())
        .unwrap_err();
    // /x.json does not exist: the error names the file.
    assert!(cfg.to_string().contains("/x.json"));
    let cli = Cli::parse(["-dnsserver", "127.0.0.1:53"].map(String::from)).unwrap();
    let cfg = cli
        .into_config(|k| (k == "PEBBLE_WFE_ORDERS_PER_PAGE").then(|| "5".to_string()))
        .unwrap();
    assert_eq!(cfg.orders_per_page, 5);
    assert_eq!(cfg.listen_address.port(), 14000);
    assert_eq!(cfg.management_listen_address.unwrap().port(), 15000);
    assert!(cfg.listen_address.ip().is_loopback());
    assert_eq!(cfg.dns_server, Some("127.0.0.1:53".parse().unwrap()));
}
