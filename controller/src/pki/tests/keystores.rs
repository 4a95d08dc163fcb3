//! Output formats and keystores, written then read back (and read by openssl and
//! keytool when they are installed).

use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::signing::openssl;
use super::*;

/// A leaf issued by an intermediate issued by a root: tls.key, tls.crt (leaf +
/// intermediate) and ca.crt (root), as the issuing controller has them.
struct SecretData {
    tls_key: String,
    tls_crt: String,
    ca_crt: String,
    leaf: Certificate,
    root: Certificate,
}

fn secret_data(algorithm: KeyAlgorithm, encoding: KeyEncoding) -> SecretData {
    let t = SystemTime::now();
    let (root, root_key) = self_signed_ca("Keystore Root", KeyAlgorithm::Ecdsa, t);
    let root_ca = SigningCa::new(vec![root.certificate.clone()], root_key).unwrap();
    let inter_spec = CertificateSpec {
        common_name: "Keystore Intermediate".into(),
        is_ca: true,
        private_key: PrivateKeySpec {
            algorithm: KeyAlgorithm::Ecdsa,
            ..Default::default()
        },
        ..Default::default()
    };
    let inter_key = PrivateKey::generate(&inter_spec.private_key).unwrap();
    let inter = sign_with_ca(
        &request_for(&inter_spec, &inter_key),
        &root_ca,
        t,
        &IssuerUrls::default(),
    )
    .unwrap();
    let inter_ca = SigningCa::from_secret_data(
        inter.certificate_pem.as_bytes(),
        inter_key.to_pem(KeyEncoding::Pkcs8).unwrap().as_bytes(),
        inter.ca_pem.as_deref().map(str::as_bytes),
    )
    .unwrap();
    let mut spec = spec_with_every_san(algorithm, None);
    spec.private_key.encoding = encoding;
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let issued = sign_with_ca(
        &request_for(&spec, &key),
        &inter_ca,
        t,
        &IssuerUrls::default(),
    )
    .unwrap();
    SecretData {
        tls_key: key.to_pem(encoding).unwrap(),
        tls_crt: issued.certificate_pem,
        ca_crt: issued.ca_pem.unwrap(),
        leaf: issued.certificate,
        root: root.certificate,
    }
}

const PASSWORD: &str = "changeit";

#[test]
fn pkcs12_keystores_round_trip_for_every_profile() {
    for algorithm in [
        KeyAlgorithm::Rsa,
        KeyAlgorithm::Ecdsa,
        KeyAlgorithm::Ed25519,
    ] {
        let d = secret_data(algorithm, KeyEncoding::Pkcs1);
        for profile in [
            Pkcs12Profile::LegacyRc2,
            Pkcs12Profile::LegacyDes,
            Pkcs12Profile::Modern2023,
        ] {
            let p12 = pkcs12_keystore(
                profile,
                PASSWORD,
                d.tls_key.as_bytes(),
                d.tls_crt.as_bytes(),
                d.ca_crt.as_bytes(),
            )
            .unwrap();
            let back = read_pkcs12(&p12, PASSWORD).unwrap();
            assert_eq!(back.keys.len(), 1);
            assert_eq!(back.keys[0].0.as_deref(), Some(PKCS12_KEY_ALIAS));
            assert_eq!(back.keys[0].1.public_key(), d.leaf.public_key());
            assert_eq!(back.key_certificates, vec![d.leaf.clone()]);
            // The intermediate and the root follow the leaf.
            let others: Vec<&Certificate> =
                back.other_certificates.iter().map(|(_, _, c)| c).collect();
            assert_eq!(others.len(), 2, "{profile}");
            assert!(others.contains(&&d.root));
            assert!(read_pkcs12(&p12, "wrong password").is_err());

            let trust = pkcs12_truststore(profile, PASSWORD, d.ca_crt.as_bytes()).unwrap();
            let back = read_pkcs12(&trust, PASSWORD).unwrap();
            assert!(back.keys.is_empty());
            assert_eq!(back.other_certificates.len(), 1);
            let (name, trusted, cert) = &back.other_certificates[0];
            assert_eq!(cert, &d.root);
            assert!(
                *trusted,
                "truststore entries carry Java's trusted attribute"
            );
            assert_eq!(name.as_deref(), Some("CN=Keystore Root"));

            openssl_reads_pkcs12(&p12, profile, algorithm);
        }
    }
    assert!(
        pkcs12_truststore(
            Pkcs12Profile::Modern2026,
            PASSWORD,
            secret_data(KeyAlgorithm::Ecdsa, KeyEncoding::Pkcs1)
                .ca_crt
                .as_bytes()
        )
        .is_err(),
        "Modern2026 (PBMAC1) is reported as unsupported"
    );
    assert_eq!(
        "".parse::<Pkcs12Profile>().unwrap(),
        Pkcs12Profile::LegacyRc2
    );
    assert_eq!(
        "Modern2023".parse::<Pkcs12Profile>().unwrap(),
        Pkcs12Profile::Modern2023
    );
}

fn openssl_reads_pkcs12(p12: &[u8], profile: Pkcs12Profile, algorithm: KeyAlgorithm) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keystore.p12");
    std::fs::write(&path, p12).unwrap();
    let pass = format!("pass:{PASSWORD}");
    let mut args = vec![
        "pkcs12",
        "-in",
        path.to_str().unwrap(),
        "-passin",
        pass.as_str(),
        "-nodes",
    ];
    if profile == Pkcs12Profile::LegacyRc2 {
        // OpenSSL 3 needs its legacy provider for RC2.
        args.push("-legacy");
    }
    if let Some(out) = openssl(&args, b"") {
        assert_eq!(
            out.matches("BEGIN CERTIFICATE").count(),
            3,
            "{profile} {algorithm}: {out}"
        );
        assert!(out.contains("PRIVATE KEY"), "{profile} {algorithm}");
    }
}

#[test]
fn jks_keystores_round_trip() {
    let created = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
    for algorithm in [
        KeyAlgorithm::Rsa,
        KeyAlgorithm::Ecdsa,
        KeyAlgorithm::Ed25519,
    ] {
        let d = secret_data(algorithm, KeyEncoding::Pkcs8);
        let jks = jks_keystore(
            PASSWORD,
            "MyAlias",
            d.tls_key.as_bytes(),
            d.tls_crt.as_bytes(),
            d.ca_crt.as_bytes(),
            created,
        )
        .unwrap();
        let entries = read_jks(&jks, PASSWORD).unwrap();
        let aliases: Vec<&str> = entries.iter().map(JksEntry::alias).collect();
        assert_eq!(aliases, vec!["myalias", "ca"]);
        match &entries[0] {
            JksEntry::PrivateKey {
                created: c,
                key,
                chain,
                ..
            } => {
                assert_eq!(*c, created);
                assert_eq!(key.public_key(), d.leaf.public_key());
                assert_eq!(chain.len(), 2);
                assert_eq!(chain[0], d.leaf);
            }
            other => panic!("unexpected {other:?}"),
        }
        match &entries[1] {
            JksEntry::TrustedCertificate { certificate, .. } => assert_eq!(**certificate, d.root),
            other => panic!("unexpected {other:?}"),
        }
        assert!(read_jks(&jks, "wrong password").is_err());
        let mut tampered = jks.clone();
        tampered[30] ^= 1;
        assert!(read_jks(&tampered, PASSWORD).is_err());

        let trust = jks_truststore(PASSWORD, d.ca_crt.as_bytes(), created).unwrap();
        let entries = read_jks(&trust, PASSWORD).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].alias(), "ca");

        keytool_lists(&jks, &["myalias", "ca"], "PrivateKeyEntry");
        keytool_lists(&trust, &["ca"], "trustedCertEntry");
    }
}

fn keytool_lists(store: &[u8], aliases: &[&str], entry_kind: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.jks");
    std::fs::write(&path, store).unwrap();
    let out = Command::new("keytool")
        .args(["-list", "-v", "-storetype", "JKS", "-keystore"])
        .arg(&path)
        .args(["-storepass", PASSWORD])
        .output();
    let out = match out {
        Ok(o) => o,
        Err(_) => {
            eprintln!("SKIPPED: keytool is not installed; JKS cross-check not run");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "keytool failed: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for a in aliases {
        assert!(text.contains(&format!("Alias name: {a}")), "{text}");
    }
    assert!(text.contains(entry_kind), "{text}");
}

#[test]
fn additional_output_formats_and_annotations() {
    let d = secret_data(KeyAlgorithm::Rsa, KeyEncoding::Pkcs1);
    // key.der is the DER of tls.key's block: PKCS#1 here.
    let der_key = der_output(d.tls_key.as_bytes()).unwrap();
    let back = PrivateKey::from_pem(encode_pem("RSA PRIVATE KEY", &der_key).as_bytes()).unwrap();
    assert_eq!(back.public_key(), d.leaf.public_key());
    let combined = combined_pem_output(d.tls_key.as_bytes(), d.tls_crt.as_bytes());
    assert_eq!(
        combined,
        format!("{}\n{}", d.tls_key, d.tls_crt).into_bytes()
    );
    assert_eq!(decode_pem_blocks(&combined).len(), 3);

    let a = certificate_annotations(&d.leaf);
    let get = |k: &str| a.get(&format!("cert-manager.io/{k}")).cloned();
    assert_eq!(get("common-name").as_deref(), Some("web.example.com"));
    assert_eq!(
        get("alt-names").as_deref(),
        Some("web.example.com,*.web.example.com")
    );
    assert_eq!(get("ip-sans").as_deref(), Some("127.0.0.1,::1"));
    assert_eq!(
        get("uri-sans").as_deref(),
        Some("spiffe://cluster.local/ns/default/sa/web")
    );
    assert_eq!(get("email-sans").as_deref(), Some("ops@example.com"));
    assert_eq!(get("subject-organizations").as_deref(), Some("Example Org"));
    assert_eq!(get("subject-countries"), None);
    assert_eq!(a.len(), 6);

    // The root has no SANs: the always-present annotations are empty strings.
    let a = certificate_annotations(&d.root);
    assert_eq!(
        a.get("cert-manager.io/alt-names").map(String::as_str),
        Some("")
    );
    assert_eq!(
        a.get("cert-manager.io/ip-sans").map(String::as_str),
        Some("")
    );
    assert!(!a.contains_key("cert-manager.io/email-sans"));
}
