//! Mismatch detection: keys against `spec.privateKey`, requests against the spec
//! (`RequestChanged`), issued certificates against the spec (`SecretMismatch`).

use std::time::{Duration, SystemTime};

use super::*;

#[test]
fn private_key_mismatch_table() {
    let rsa2048 = PrivateKey::generate_rsa(2048).unwrap();
    let p256 = PrivateKey::generate_ecdsa(EcCurve::P256).unwrap();
    let p384 = PrivateKey::generate_ecdsa(EcCurve::P384).unwrap();
    let ed = PrivateKey::generate_ed25519().unwrap();
    let spec = |algorithm, size| PrivateKeySpec {
        algorithm,
        size,
        ..Default::default()
    };
    let table: Vec<(&PrivateKey, PrivateKeySpec, Vec<&str>)> = vec![
        (&rsa2048, spec(KeyAlgorithm::Rsa, None), vec![]),
        (&rsa2048, spec(KeyAlgorithm::Rsa, Some(2048)), vec![]),
        (
            &rsa2048,
            spec(KeyAlgorithm::Rsa, Some(4096)),
            vec!["spec.privateKey.size"],
        ),
        (
            &rsa2048,
            spec(KeyAlgorithm::Ecdsa, None),
            vec!["spec.privateKey.algorithm"],
        ),
        (&p256, spec(KeyAlgorithm::Ecdsa, None), vec![]),
        (
            &p256,
            spec(KeyAlgorithm::Ecdsa, Some(384)),
            vec!["spec.privateKey.size"],
        ),
        (&p384, spec(KeyAlgorithm::Ecdsa, Some(384)), vec![]),
        (
            &p384,
            spec(KeyAlgorithm::Rsa, None),
            vec!["spec.privateKey.algorithm"],
        ),
        (&ed, spec(KeyAlgorithm::Ed25519, Some(999)), vec![]),
        (
            &ed,
            spec(KeyAlgorithm::Ecdsa, None),
            vec!["spec.privateKey.algorithm"],
        ),
    ];
    for (key, s, want) in table {
        assert_eq!(private_key_matches_spec(key, &s), want, "{key:?} {s:?}");
    }
    assert_eq!(
        messages::private_key_mismatch(&private_key_matches_spec(
            &rsa2048,
            &spec(KeyAlgorithm::Ecdsa, None)
        )),
        "Existing private key is not up to date for spec: [spec.privateKey.algorithm]"
    );
}

fn base_spec() -> CertificateSpec {
    CertificateSpec {
        duration: Some(Duration::from_secs(90 * 24 * 3600)),
        issuer_ref: IssuerRef {
            name: "lab-ca".into(),
            kind: "ClusterIssuer".into(),
            group: "cert-manager.io".into(),
        },
        subject: Subject {
            organizations: vec!["A".into(), "B".into()],
            postal_codes: vec!["12345".into()],
            serial_number: "7".into(),
            ..Default::default()
        },
        ..spec_with_every_san(KeyAlgorithm::Ecdsa, None)
    }
}

#[test]
fn request_changes_are_named() {
    let spec = base_spec();
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let request = request_for(&spec, &key);
    assert_eq!(
        request_matches_spec(&request, &spec).unwrap(),
        Vec::<&str>::new()
    );

    let changed = |f: &dyn Fn(&mut CertificateSpec)| {
        let mut s = base_spec();
        f(&mut s);
        request_matches_spec(&request, &s).unwrap()
    };
    assert_eq!(
        changed(&|s| s.dns_names.push("new.example.com".into())),
        vec!["spec.dnsNames"]
    );
    assert_eq!(
        changed(&|s| s.dns_names.reverse()),
        Vec::<&str>::new(),
        "order does not matter"
    );
    assert_eq!(
        changed(&|s| s.common_name = "other".into()),
        vec!["spec.commonName"]
    );
    assert_eq!(
        changed(&|s| s.ip_addresses = vec!["127.0.0.2".into(), "::1".into()]),
        vec!["spec.ipAddresses"]
    );
    assert_eq!(
        changed(&|s| s.ip_addresses = vec!["::ffff:127.0.0.1".into(), "::1".into()]),
        Vec::<&str>::new(),
        "an IPv4-mapped address equals its IPv4 form"
    );
    assert_eq!(changed(&|s| s.uris.clear()), vec!["spec.uris"]);
    assert_eq!(
        changed(&|s| s.email_addresses.push("x@example.com".into())),
        vec!["spec.emailAddresses"]
    );
    assert_eq!(
        changed(&|s| s.other_names[0].utf8_value = "changed@example.com".into()),
        vec!["spec.otherNames"]
    );
    assert_eq!(
        changed(&|s| {
            s.subject.organizations.pop();
        }),
        vec!["spec.subject.organizations"]
    );
    assert_eq!(
        changed(&|s| s.subject.postal_codes.clear()),
        vec!["spec.subject.postCodes"]
    );
    assert_eq!(
        changed(&|s| s.subject.serial_number.clear()),
        vec!["spec.subject.serialNumber"]
    );
    assert_eq!(changed(&|s| s.is_ca = true), vec!["spec.isCA"]);
    assert_eq!(changed(&|s| s.usages.reverse()), Vec::<&str>::new());
    assert_eq!(
        changed(&|s| s.usages.push(KeyUsage::CodeSigning)),
        vec!["spec.usages"]
    );
    assert_eq!(
        changed(&|s| s.duration = Some(Duration::from_secs(3600))),
        vec!["spec.duration"]
    );
    assert_eq!(
        changed(&|s| s.duration = None),
        Vec::<&str>::new(),
        "an unset duration is not compared"
    );
    assert_eq!(
        changed(&|s| s.issuer_ref.name = "other-ca".into()),
        vec!["spec.issuerRef"]
    );
    assert_eq!(
        changed(&|s| s.issuer_ref.kind = "Issuer".into()),
        vec!["spec.issuerRef"]
    );
    assert_eq!(
        changed(&|s| s.issuer_ref.group = String::new()),
        Vec::<&str>::new(),
        "default group"
    );
    assert_eq!(
        changed(&|s| {
            s.dns_names.clear();
            s.is_ca = true;
        }),
        vec!["spec.dnsNames", "spec.isCA"]
    );
    let v = changed(&|s| s.dns_names.clear());
    assert_eq!(
        messages::request_changed(&v),
        "Fields on existing CertificateRequest resource not up to date: [spec.dnsNames]"
    );
}

#[test]
fn literal_subject_requests_compare_the_encoded_subject() {
    let spec = CertificateSpec {
        literal_subject: "CN=lit.example,O=Lit,C=US".into(),
        private_key: PrivateKeySpec {
            algorithm: KeyAlgorithm::Ed25519,
            ..Default::default()
        },
        ..Default::default()
    };
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let request = request_for(&spec, &key);
    assert!(request_matches_spec(&request, &spec).unwrap().is_empty());
    let other = CertificateSpec {
        literal_subject: "CN=lit.example,O=Other,C=US".into(),
        ..spec.clone()
    };
    assert_eq!(
        request_matches_spec(&request, &other).unwrap(),
        vec!["spec.literalSubject"]
    );
    let invalid = CertificateSpec {
        literal_subject: "CN".into(),
        ..spec
    };
    assert!(request_matches_spec(&request, &invalid).is_err());
    let garbage = CertificateRequestSpec {
        request: b"garbage".to_vec(),
        ..request
    };
    assert!(request_matches_spec(&garbage, &other).is_err());
}

#[test]
fn issued_certificates_are_compared_loosely() {
    let spec = base_spec();
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let issued = sign_self_signed(
        &request_for(&spec, &key),
        &key,
        SystemTime::now(),
        &IssuerUrls::default(),
    )
    .unwrap();
    let cert = &issued.certificate;
    assert!(certificate_matches_spec(cert, &spec).is_empty());
    assert_eq!(
        cert.public_key(),
        key.public_key(),
        "the key matches the certificate"
    );

    // The common name may move into the DNS names.
    let moved = CertificateSpec {
        common_name: String::new(),
        dns_names: vec!["web.example.com".into(), "*.web.example.com".into()],
        ..spec.clone()
    };
    assert!(certificate_matches_spec(cert, &moved).is_empty());
    let changed = CertificateSpec {
        dns_names: vec!["web.example.com".into(), "api.example.com".into()],
        ..spec.clone()
    };
    let v = certificate_matches_spec(cert, &changed);
    assert_eq!(v, vec!["spec.dnsNames"]);
    assert_eq!(
        messages::secret_mismatch(&v),
        "Issuing certificate as Existing issued Secret is not up to date for spec: [spec.dnsNames]"
    );
    let renamed = CertificateSpec {
        common_name: "renamed.example.com".into(),
        ..spec.clone()
    };
    assert_eq!(
        certificate_matches_spec(cert, &renamed),
        vec!["spec.commonName"]
    );
    let ips = CertificateSpec {
        ip_addresses: vec!["10.9.9.9".into()],
        ..spec.clone()
    };
    assert_eq!(
        certificate_matches_spec(cert, &ips),
        vec!["spec.ipAddresses"]
    );
    // The subject is not part of the loose comparison.
    let subject = CertificateSpec {
        subject: Subject::default(),
        ..spec
    };
    assert!(certificate_matches_spec(cert, &subject).is_empty());
}

#[test]
fn renewal_follows_the_issued_lifetime() {
    let spec = CertificateSpec {
        duration: Some(Duration::from_secs(90 * 24 * 3600)),
        ..base_spec()
    };
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let now = SystemTime::now();
    let issued =
        sign_self_signed(&request_for(&spec, &key), &key, now, &IssuerUrls::default()).unwrap();
    let cert = &issued.certificate;
    let rt = renewal_time(
        cert.not_before(),
        cert.not_after(),
        None,
        None,
        RenewalPolicy::RenewBefore,
    )
    .unwrap();
    // Two thirds of 90 days: day 60.
    assert_eq!(rt, cert.not_before() + Duration::from_secs(60 * 24 * 3600));
    assert_eq!(lifetime(cert), Duration::from_secs(90 * 24 * 3600));
    let rt = renewal_time(
        cert.not_before(),
        cert.not_after(),
        Some(Duration::from_secs(24 * 3600)),
        None,
        RenewalPolicy::RenewBefore,
    )
    .unwrap();
    assert_eq!(rt, cert.not_after() - Duration::from_secs(24 * 3600));
}
