//! SelfSigned and CA issuance, verified with rustls-webpki (and openssl when present).

use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;
use crate::pki::oids;

fn now() -> SystemTime {
    // Whole seconds, so notBefore compares exactly after DER truncation.
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn later(t: SystemTime) -> SystemTime {
    t + Duration::from_secs(60)
}

#[test]
fn self_signed_certificates_for_every_key_type_verify() {
    let t = now();
    for (alg, size) in key_types() {
        let spec = CertificateSpec {
            duration: Some(Duration::from_secs(3600)),
            ..spec_with_every_san(alg, size)
        };
        let key = PrivateKey::generate(&spec.private_key).unwrap();
        let issued =
            sign_self_signed(&request_for(&spec, &key), &key, t, &IssuerUrls::default()).unwrap();
        assert_eq!(
            issued.ca_pem.as_deref(),
            Some(issued.certificate_pem.as_str())
        );
        let cert = &issued.certificate;
        let s = cert.summary();
        assert_eq!(s.common_name, "web.example.com");
        assert_eq!(s.dns_names, spec.dns_names);
        assert_eq!(s.ip_addresses, vec!["127.0.0.1", "::1"]);
        assert_eq!(s.uris, spec.uris);
        assert_eq!(s.email_addresses, spec.email_addresses);
        assert_eq!(s.other_names, spec.other_names);
        assert_eq!(s.key_algorithm, alg);
        assert_eq!(s.key_usages, vec!["digital signature", "key encipherment"]);
        assert_eq!(s.ext_key_usages, vec!["server auth", "client auth"]);
        assert!(!s.is_ca);
        assert_eq!(s.not_before, t);
        assert_eq!(s.not_after, t + Duration::from_secs(3600));
        assert_eq!(cert.issuer_der(), cert.subject_der());
        assert!(cert.serial().len() <= 20);
        // Leaves carry critical BasicConstraints (cA false) and no key identifiers.
        let d = cert.decoded_extensions();
        assert_eq!(d.basic_constraints.map(|b| b.is_ca), Some(false));
        assert!(d.subject_key_id.is_none() && d.authority_key_id.is_none());
        // The signature algorithm follows the key.
        let expected = key.default_signature_algorithm().unwrap();
        assert_eq!(cert.signature_algorithm_oid(), &expected.oid());
        verify_chain(
            cert,
            &[],
            std::slice::from_ref(cert),
            later(t),
            Purpose::ServerAuth,
            Some("web.example.com"),
        )
        .unwrap_or_else(|e| panic!("{alg} {size:?}: {e}"));
        verify_chain(
            cert,
            &[],
            std::slice::from_ref(cert),
            later(t),
            Purpose::ClientAuth,
            Some("127.0.0.1"),
        )
        .unwrap();
    }
}

#[test]
fn ca_signed_leaves_for_every_key_type_verify() {
    let t = now();
    for ca_alg in [
        KeyAlgorithm::Ecdsa,
        KeyAlgorithm::Rsa,
        KeyAlgorithm::Ed25519,
    ] {
        let (ca, ca_key) = self_signed_ca("lab-ca", ca_alg, t);
        let signing = SigningCa::from_secret_data(
            ca.certificate_pem.as_bytes(),
            ca_key.to_pem(KeyEncoding::Pkcs1).unwrap().as_bytes(),
            ca.ca_pem.as_deref().map(str::as_bytes),
        )
        .unwrap();
        let ca_skid = ca
            .certificate
            .decoded_extensions()
            .subject_key_id
            .clone()
            .unwrap();
        assert_eq!(ca_skid.len(), 20);
        for (alg, size) in key_types() {
            let spec = spec_with_every_san(alg, size);
            let key = PrivateKey::generate(&spec.private_key).unwrap();
            let issued = sign_with_ca(
                &request_for(&spec, &key),
                &signing,
                t,
                &IssuerUrls::default(),
            )
            .unwrap();
            // The chain is the leaf alone (the root is self-signed); ca.crt is the root.
            assert_eq!(
                Certificate::parse_chain_pem(issued.certificate_pem.as_bytes())
                    .unwrap()
                    .len(),
                1
            );
            assert_eq!(issued.ca_pem.as_deref(), Some(ca.certificate_pem.as_str()));
            let cert = &issued.certificate;
            assert_eq!(cert.issuer_der(), ca.certificate.subject_der());
            assert_eq!(
                cert.decoded_extensions().authority_key_id.as_deref(),
                Some(ca_skid.as_slice())
            );
            assert_eq!(
                cert.not_after().duration_since(cert.not_before()).unwrap(),
                DEFAULT_CERT_DURATION
            );
            verify_chain(
                cert,
                &[],
                std::slice::from_ref(&ca.certificate),
                later(t),
                Purpose::ServerAuth,
                Some("web.example.com"),
            )
            .unwrap_or_else(|e| panic!("CA {ca_alg} leaf {alg} {size:?}: {e}"));
            verify_chain(
                cert,
                &[],
                std::slice::from_ref(&ca.certificate),
                later(t),
                Purpose::Any,
                Some("::1"),
            )
            .unwrap();
        }
    }
}

#[test]
fn ca_issued_by_self_signed_ca_then_leaf_by_it() {
    let t = now();
    let (root, root_key) = self_signed_ca("root", KeyAlgorithm::Ecdsa, t);
    let root_ca = SigningCa::from_secret_data(
        root.certificate_pem.as_bytes(),
        root_key.to_pem(KeyEncoding::Pkcs8).unwrap().as_bytes(),
        root.ca_pem.as_deref().map(str::as_bytes),
    )
    .unwrap();

    // The intermediate: an isCA Certificate issued by the root through the CA issuer.
    let inter_spec = CertificateSpec {
        common_name: "intermediate".into(),
        is_ca: true,
        private_key: PrivateKeySpec {
            algorithm: KeyAlgorithm::Rsa,
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
    assert!(inter.certificate.is_ca());
    assert!(
        inter
            .certificate
            .decoded_extensions()
            .usages
            .key_usage
            .contains(KeyUsageBits::CERT_SIGN)
    );
    assert_eq!(
        inter
            .certificate
            .decoded_extensions()
            .basic_constraints
            .unwrap()
            .max_path_len,
        None
    );
    assert_eq!(inter.ca_pem.as_deref(), Some(root.certificate_pem.as_str()));

    // The intermediate's Secret: tls.crt = its chain, ca.crt = the root.
    let inter_ca = SigningCa::from_secret_data(
        inter.certificate_pem.as_bytes(),
        inter_key.to_pem(KeyEncoding::Pkcs1).unwrap().as_bytes(),
        inter.ca_pem.as_deref().map(str::as_bytes),
    )
    .unwrap();
    let spec = spec_with_every_san(KeyAlgorithm::Ecdsa, None);
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let leaf = sign_with_ca(
        &request_for(&spec, &key),
        &inter_ca,
        t,
        &IssuerUrls::default(),
    )
    .unwrap();
    let chain = Certificate::parse_chain_pem(leaf.certificate_pem.as_bytes()).unwrap();
    assert_eq!(chain.len(), 2, "leaf then intermediate");
    assert_eq!(chain[0], leaf.certificate);
    assert_eq!(chain[1], inter.certificate);
    assert_eq!(leaf.ca_pem.as_deref(), Some(root.certificate_pem.as_str()));
    verify_pem_chain(
        leaf.certificate_pem.as_bytes(),
        root.certificate_pem.as_bytes(),
        later(t),
        Purpose::ServerAuth,
        Some("web.example.com"),
    )
    .unwrap();
    // Without the intermediate the leaf does not verify.
    let err = verify_chain(
        &chain[0],
        &[],
        std::slice::from_ref(&root.certificate),
        later(t),
        Purpose::ServerAuth,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    // Nor after it expired.
    assert!(
        verify_chain(
            &chain[0],
            &chain[1..],
            std::slice::from_ref(&root.certificate),
            t + DEFAULT_CERT_DURATION + Duration::from_secs(1),
            Purpose::ServerAuth,
            None
        )
        .is_err()
    );
    openssl_verify(
        &root.certificate_pem,
        &inter.certificate_pem,
        &chain[0].to_pem(),
    );
}

#[test]
fn name_constraints_reach_the_ca_and_are_enforced() {
    let t = now();
    let ca_spec = CertificateSpec {
        common_name: "constrained".into(),
        is_ca: true,
        name_constraints: Some(NameConstraints {
            critical: true,
            permitted: Some(NameConstraintItems {
                dns_domains: vec!["example.com".into()],
                ..Default::default()
            }),
            excluded: Some(NameConstraintItems {
                ip_ranges: vec!["10.0.0.0/8".into()],
                ..Default::default()
            }),
        }),
        private_key: PrivateKeySpec {
            algorithm: KeyAlgorithm::Ecdsa,
            ..Default::default()
        },
        ..Default::default()
    };
    let ca_key = PrivateKey::generate(&ca_spec.private_key).unwrap();
    let ca = sign_self_signed(
        &request_for(&ca_spec, &ca_key),
        &ca_key,
        t,
        &IssuerUrls::default(),
    )
    .unwrap();
    let nc = ca
        .certificate
        .decoded_extensions()
        .name_constraints
        .clone()
        .unwrap();
    assert!(nc.critical);
    assert_eq!(nc.excluded.unwrap().ip_ranges, vec!["10.0.0.0/8"]);
    let signing = SigningCa::new(vec![ca.certificate.clone()], ca_key).unwrap();

    let issue = |dns: &str| {
        let spec = CertificateSpec {
            dns_names: vec![dns.into()],
            private_key: PrivateKeySpec {
                algorithm: KeyAlgorithm::Ecdsa,
                ..Default::default()
            },
            ..Default::default()
        };
        let key = PrivateKey::generate(&spec.private_key).unwrap();
        sign_with_ca(
            &request_for(&spec, &key),
            &signing,
            t,
            &IssuerUrls::default(),
        )
        .unwrap()
        .certificate
    };
    let good = issue("api.example.com");
    verify_chain(
        &good,
        &[],
        std::slice::from_ref(&ca.certificate),
        later(t),
        Purpose::ServerAuth,
        Some("api.example.com"),
    )
    .unwrap();
    let bad = issue("api.example.org");
    let err = verify_chain(
        &bad,
        &[],
        std::slice::from_ref(&ca.certificate),
        later(t),
        Purpose::ServerAuth,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("NameConstraintViolation"), "{err}");
}

#[test]
fn requests_built_by_rcgen_with_foreign_extensions_are_signed() {
    let t = now();
    let (ca, ca_key) = self_signed_ca("rcgen-ca", KeyAlgorithm::Rsa, t);
    let signing = SigningCa::new(vec![ca.certificate.clone()], ca_key).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["rc.example.com".to_string()]).unwrap();
    params
        .custom_extensions
        .push(rcgen::CustomExtension::from_oid_content(
            &[1, 2, 3, 4, 5],
            vec![0x05, 0x00],
        ));
    let key = rcgen::KeyPair::generate().unwrap();
    let csr_pem = params.serialize_request(&key).unwrap().pem().unwrap();
    let request = CertificateRequestSpec {
        request: csr_pem.into_bytes(),
        ..Default::default()
    };
    let issued = sign_with_ca(&request, &signing, t, &IssuerUrls::default()).unwrap();
    let cert = &issued.certificate;
    assert_eq!(cert.summary().dns_names, vec!["rc.example.com"]);
    // Unknown requested extensions are not copied (as Go's template ignores them).
    assert!(
        cert.extensions()
            .iter()
            .all(|e| e.oid.arcs() != [1, 2, 3, 4, 5])
    );
    verify_chain(
        cert,
        &[],
        std::slice::from_ref(&ca.certificate),
        later(t),
        Purpose::ServerAuth,
        Some("rc.example.com"),
    )
    .unwrap();
}

#[test]
fn request_and_csr_must_agree_on_usages_and_is_ca() {
    let t = now();
    let ec = PrivateKeySpec {
        algorithm: KeyAlgorithm::Ecdsa,
        ..Default::default()
    };
    let key = PrivateKey::generate(&ec).unwrap();
    let spec = CertificateSpec {
        common_name: "u".into(),
        usages: vec![KeyUsage::ServerAuth],
        private_key: ec,
        ..Default::default()
    };
    let mut request = request_for(&spec, &key);
    request.usages = vec![KeyUsage::ClientAuth];
    let err = sign_self_signed(&request, &key, t, &IssuerUrls::default()).unwrap_err();
    assert_eq!(
        err,
        PkiError::Csr(
            "encoded CSR error: the ExtKeyUsages [ 'server auth' ] do not match the expected ExtKeyUsages [ 'client auth' ]"
                .into()
        )
    );
    request.usages = vec![KeyUsage::ServerAuth, KeyUsage::Signing];
    let err = sign_self_signed(&request, &key, t, &IssuerUrls::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "encoded CSR error: the KeyUsages [] do not match the expected KeyUsages [ 'digital signature' ]"
    );

    // BasicConstraints in the CSR must match isCA.
    let csr = generate_csr(
        &spec,
        &key,
        &CsrOptions {
            encode_basic_constraints: true,
            ..Default::default()
        },
    )
    .unwrap();
    let request = CertificateRequestSpec {
        request: csr.into_bytes(),
        is_ca: true,
        usages: vec![KeyUsage::ServerAuth],
        ..Default::default()
    };
    let err = sign_self_signed(&request, &key, t, &IssuerUrls::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "encoded CSR error: IsCA false does not match expected value true"
    );

    // A CSR without usage extensions takes the request's usages.
    let spec = CertificateSpec {
        encode_usages_in_request: Some(false),
        ..spec
    };
    let mut request = request_for(&spec, &key);
    request.usages = vec![KeyUsage::CodeSigning];
    let issued = sign_self_signed(&request, &key, t, &IssuerUrls::default()).unwrap();
    assert_eq!(
        issued.certificate.summary().ext_key_usages,
        vec!["code signing"]
    );
    assert!(issued.certificate.summary().key_usages.is_empty());
}

#[test]
fn wrong_keys_and_tampered_requests_are_rejected() {
    let t = now();
    let spec = spec_with_every_san(KeyAlgorithm::Ecdsa, None);
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let other = PrivateKey::generate(&spec.private_key).unwrap();
    let request = request_for(&spec, &key);
    assert_eq!(
        sign_self_signed(&request, &other, t, &IssuerUrls::default()).unwrap_err(),
        PkiError::Key("CSR not signed by referenced private key".into())
    );

    let (ca, _ca_key) = self_signed_ca("ca", KeyAlgorithm::Ecdsa, t);
    let mismatched = SigningCa::new(
        vec![ca.certificate.clone()],
        PrivateKey::generate(&spec.private_key).unwrap(),
    )
    .unwrap();
    let err = sign_with_ca(&request, &mismatched, t, &IssuerUrls::default()).unwrap_err();
    assert!(
        err.to_string().contains("doesn't match parent's PublicKey"),
        "{err}"
    );

    // Replace the CSR's public key with another one: the signature no longer verifies.
    let csr = CertificateSigningRequest::from_pem(&request.request).unwrap();
    let mut der_bytes = csr.der().to_vec();
    let old = key.public_key().subject_public_key();
    let new = other.public_key().subject_public_key();
    let pos = der_bytes
        .windows(old.len())
        .position(|w| w == old.as_slice())
        .unwrap();
    der_bytes[pos..pos + old.len()].copy_from_slice(&new);
    let tampered = CertificateRequestSpec {
        request: encode_pem("CERTIFICATE REQUEST", &der_bytes).into_bytes(),
        ..request.clone()
    };
    let err = sign_self_signed(&tampered, &other, t, &IssuerUrls::default()).unwrap_err();
    assert!(matches!(err, PkiError::Csr(_)), "{err:?}");
    assert!(
        sign_self_signed(
            &CertificateRequestSpec {
                request: b"not a csr".to_vec(),
                ..Default::default()
            },
            &key,
            t,
            &IssuerUrls::default()
        )
        .is_err()
    );
}

#[test]
fn issuer_urls_become_extensions() {
    let t = now();
    let (ca, ca_key) = self_signed_ca("urls", KeyAlgorithm::Ecdsa, t);
    let signing = SigningCa::new(vec![ca.certificate.clone()], ca_key).unwrap();
    let spec = spec_with_every_san(KeyAlgorithm::Ecdsa, None);
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let urls = IssuerUrls {
        crl_distribution_points: vec!["http://crl.example.com/ca.crl".into()],
        ocsp_servers: vec!["http://ocsp.example.com".into()],
        issuing_certificate_urls: vec!["http://ca.example.com/ca.crt".into()],
    };
    let issued = sign_with_ca(&request_for(&spec, &key), &signing, t, &urls).unwrap();
    let oids_present: Vec<Vec<u64>> = issued
        .certificate
        .extensions()
        .iter()
        .map(|e| e.oid.arcs().to_vec())
        .collect();
    assert!(oids_present.contains(&oids::EXT_CRL_DISTRIBUTION_POINTS.to_vec()));
    assert!(oids_present.contains(&oids::EXT_AUTHORITY_INFO_ACCESS.to_vec()));
    // SAN comes last, as Go appends the request's SAN extension after its own.
    assert_eq!(
        oids_present.last().unwrap(),
        &oids::EXT_SUBJECT_ALT_NAME.to_vec()
    );
    if let Some(text) = openssl(
        &["x509", "-noout", "-text"],
        issued.certificate_pem.as_bytes(),
    ) {
        assert!(text.contains("URI:http://crl.example.com/ca.crl"), "{text}");
        assert!(
            text.contains("OCSP - URI:http://ocsp.example.com"),
            "{text}"
        );
        assert!(
            text.contains("CA Issuers - URI:http://ca.example.com/ca.crt"),
            "{text}"
        );
        assert!(
            text.contains("othername: UPN:web@example.com") || text.contains("othername:"),
            "{text}"
        );
    }
}

#[test]
fn signing_ca_readiness_reasons() {
    let t = now();
    let (ca, ca_key) = self_signed_ca("ready", KeyAlgorithm::Ecdsa, t);
    let key_pem = ca_key.to_pem(KeyEncoding::Pkcs8).unwrap();
    assert_eq!(
        verify_signing_ca(ca.certificate_pem.as_bytes(), key_pem.as_bytes()),
        Ok(())
    );

    let spec = spec_with_every_san(KeyAlgorithm::Ecdsa, None);
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let leaf =
        sign_self_signed(&request_for(&spec, &key), &key, t, &IssuerUrls::default()).unwrap();
    let err = verify_signing_ca(leaf.certificate_pem.as_bytes(), key_pem.as_bytes()).unwrap_err();
    assert_eq!(err.reason(), "ErrInvalidKeyPair");
    assert_eq!(
        err.message(),
        "Error getting keypair for CA issuer: certificate is not a CA"
    );

    let err = verify_signing_ca(b"garbage", key_pem.as_bytes()).unwrap_err();
    assert_eq!(err.reason(), "ErrGetKeyPair");
    assert!(
        err.message()
            .starts_with("Error getting keypair for CA issuer: ")
    );
    let err = verify_signing_ca(ca.certificate_pem.as_bytes(), b"garbage").unwrap_err();
    assert_eq!(err.reason(), "ErrGetKeyPair");
}

#[test]
fn chains_are_assembled_from_any_order() {
    let t = now();
    let (root, root_key) = self_signed_ca("root", KeyAlgorithm::Ecdsa, t);
    let root_ca = SigningCa::new(vec![root.certificate.clone()], root_key).unwrap();
    let inter_spec = CertificateSpec {
        common_name: "inter".into(),
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
    let inter_ca = SigningCa::new(vec![inter.certificate.clone()], inter_key).unwrap();
    let spec = spec_with_every_san(KeyAlgorithm::Ecdsa, None);
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let leaf = sign_with_ca(
        &request_for(&spec, &key),
        &inter_ca,
        t,
        &IssuerUrls::default(),
    )
    .unwrap();
    // The intermediate's Secret held no ca.crt: the CA is the intermediate itself.
    assert_eq!(
        leaf.ca_pem.as_deref(),
        Some(inter.certificate.to_pem().as_str())
    );

    let shuffled = vec![
        root.certificate.clone(),
        leaf.certificate.clone(),
        inter.certificate.clone(),
        leaf.certificate.clone(),
    ];
    let bundle = build_single_chain(&shuffled).unwrap();
    assert_eq!(
        bundle.chain_pem,
        encode_certificates_pem(&[leaf.certificate.clone(), inter.certificate.clone()])
    );
    assert_eq!(bundle.ca_pem, Some(root.certificate.to_pem()));

    // Without the root, the intermediate is both in the chain and the CA.
    let bundle =
        build_single_chain(&[inter.certificate.clone(), leaf.certificate.clone()]).unwrap();
    assert_eq!(
        bundle.chain_pem,
        encode_certificates_pem(&[leaf.certificate.clone(), inter.certificate.clone()])
    );
    assert_eq!(bundle.ca_pem, Some(inter.certificate.to_pem()));

    // Two unrelated certificates do not form a chain.
    let (other_root, _) = self_signed_ca("other", KeyAlgorithm::Ecdsa, t);
    let err = build_single_chain(&[other_root.certificate.clone(), leaf.certificate.clone()])
        .unwrap_err();
    assert_eq!(err.to_string(), "certificate chain is malformed or broken");

    // A lone self-signed leaf (not a CA) has no CA; a lone root is its own CA.
    let self_leaf =
        sign_self_signed(&request_for(&spec, &key), &key, t, &IssuerUrls::default()).unwrap();
    assert_eq!(
        build_single_chain(std::slice::from_ref(&self_leaf.certificate))
            .unwrap()
            .ca_pem,
        None
    );
    let lone_root = build_single_chain(std::slice::from_ref(&root.certificate)).unwrap();
    assert_eq!(
        lone_root.ca_pem.as_deref(),
        Some(lone_root.chain_pem.as_str())
    );
}

#[test]
fn empty_subject_self_signed_is_flagged() {
    let spec = CertificateSpec {
        dns_names: vec!["no-subject.example".into()],
        private_key: PrivateKeySpec {
            algorithm: KeyAlgorithm::Ed25519,
            ..Default::default()
        },
        ..Default::default()
    };
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let request = request_for(&spec, &key);
    assert!(self_signed_issuer_is_empty(&request).unwrap());
    let issued = sign_self_signed(&request, &key, now(), &IssuerUrls::default()).unwrap();
    let san = issued
        .certificate
        .extensions()
        .iter()
        .find(|e| e.oid.arcs() == oids::EXT_SUBJECT_ALT_NAME)
        .unwrap();
    assert!(san.critical, "SANs are critical when the subject is empty");
}

/// Runs openssl with `input` on stdin; `None` (after a loud message) when openssl is
/// not installed.
pub(super) fn openssl(args: &[&str], input: &[u8]) -> Option<String> {
    use std::io::Write;
    let child = Command::new("openssl")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(_) => {
            eprintln!("SKIPPED: openssl is not installed; openssl cross-check not run");
            return None;
        }
    };
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn openssl_verify(root_pem: &str, inter_pem: &str, leaf_pem: &str) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.pem");
    let inter = dir.path().join("inter.pem");
    let leaf = dir.path().join("leaf.pem");
    std::fs::write(&root, root_pem).unwrap();
    std::fs::write(&inter, inter_pem).unwrap();
    std::fs::write(&leaf, leaf_pem).unwrap();
    let args = [
        "verify",
        "-CAfile",
        root.to_str().unwrap(),
        "-untrusted",
        inter.to_str().unwrap(),
        leaf.to_str().unwrap(),
    ];
    if let Some(out) = openssl(&args, b"") {
        assert!(out.contains(": OK"), "{out}");
    }
}

#[test]
fn temporary_certificates_use_the_secret_key_and_a_throwaway_ca() {
    let t = now();
    let spec = spec_with_every_san(KeyAlgorithm::Rsa, None);
    // The Secret's key may not even match the spec's algorithm.
    let key = PrivateKey::generate_ecdsa(EcCurve::P384).unwrap();
    let pem = temporary_certificate(&spec, key.to_pem(KeyEncoding::Pkcs1).unwrap().as_bytes(), t)
        .unwrap();
    let cert = Certificate::from_pem(pem.as_bytes()).unwrap();
    assert_eq!(cert.public_key(), key.public_key());
    assert_eq!(cert.issuer().go_string(), "CN=cert-manager.local");
    let s = cert.summary();
    assert_eq!(s.dns_names, spec.dns_names);
    assert!(
        s.other_names.is_empty(),
        "otherNames are not encoded in the temporary certificate"
    );
    assert_eq!(s.not_after, t + DEFAULT_CERT_DURATION);
    assert_eq!(
        Certificate::parse_chain_pem(pem.as_bytes()).unwrap().len(),
        1
    );
}
