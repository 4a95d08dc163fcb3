//! The CRDs' CEL rules on the embedded API server, standing in for cert-manager's
//! validating webhook: a table of objects, each accepted or rejected with the exact
//! `Status` message, and the update rules (CertificateRequest approval, immutable
//! specs) through the main resource and the status subresource.

mod common;

use common::{cluster_with_crds, create, merge, replace, replace_status, yaml};
use serde_json::{Value, json};

/// How the API server ends the list when schema errors kept the CEL rules from running.
macro_rules! skipped {
    () => {
        ", Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]"
    };
}

/// A valid Certificate named `name`, changed by the merge patch `patch` (YAML).
fn cert(name: &str, patch: &str) -> Value {
    let mut m = yaml(&format!(
        "apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {name}
  namespace: default
spec:
  secretName: {name}-tls
  issuerRef:
    name: ca-issuer
  dnsNames: [example.com]
"
    ));
    if !patch.trim().is_empty() {
        merge(&mut m, &json!({"spec": yaml(patch)}));
    }
    m
}

/// An Issuer (or ClusterIssuer) named `name` with `spec` (YAML).
fn issuer(kind: &str, name: &str, spec: &str) -> Value {
    let mut m = json!({
        "apiVersion": "cert-manager.io/v1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": yaml(spec),
    });
    if kind == "Issuer" {
        m["metadata"]["namespace"] = json!("default");
    }
    m
}

/// An ACME Issuer named `name` whose single solver is `solver` (YAML).
fn acme_solver(name: &str, solver: &str) -> Value {
    let mut m = issuer(
        "Issuer",
        name,
        "acme:
  server: https://acme.example/dir
  privateKeySecretRef: {name: acme-key}
",
    );
    m["spec"]["acme"]["solvers"] = json!([yaml(solver)]);
    m
}

/// One table row: a manifest and `None` (accepted) or the detail of the rejection.
struct Case {
    manifest: Value,
    rejected: Option<String>,
}

fn ok(manifest: Value) -> Case {
    Case {
        manifest,
        rejected: None,
    }
}

fn bad(manifest: Value, detail: impl Into<String>) -> Case {
    Case {
        manifest,
        rejected: Some(detail.into()),
    }
}

/// The schema's message for a duration that is not Go's syntax.
fn not_a_go_duration(path: &str, value: &str) -> String {
    format!(
        "{path}: Invalid value: {value:?}: {path} in body should match '{}'",
        certlab_controller::api::duration::GO_DURATION_PATTERN
    )
}

fn certificate_cases() -> Vec<Case> {
    vec![
        ok(cert("c-basic", "")),
        ok(cert(
            "c-full",
            "secretName: full-tls
duration: 2160h
renewBefore: 360h
subject:
  organizations: [jetstack]
isCA: false
privateKey:
  algorithm: RSA
  encoding: PKCS1
  size: 2048
  rotationPolicy: Always
usages: [server auth, client auth]
dnsNames: [example.com, www.example.com]
uris: [spiffe://cluster.local/ns/sandbox/sa/example]
ipAddresses: [192.168.0.5]
emailAddresses: [john.doe@cert-manager.io]
issuerRef:
  name: ca-issuer
  kind: Issuer
  group: cert-manager.io
",
        )),
        bad(
            cert("c-short", "duration: 30m"),
            r#"spec.duration: Invalid value: "string": certificate duration must be greater than 1h0m0s"#,
        ),
        ok(cert("c-1h", "{duration: 1h, renewBefore: 5m}")),
        bad(
            cert("c-nodur", "duration: soon"),
            format!(
                "[{}, {}{}",
                not_a_go_duration("spec.duration", "soon"),
                r#"spec.duration: Invalid value: "soon": spec.duration in body must be of type duration: "soon""#,
                skipped!()
            ),
        ),
        // The API server's duration format also takes this; Go (and so cert-manager) does not.
        bad(
            cert("c-days", "duration: 3 days"),
            // (a pattern mismatch does not keep the CEL rules from running; 72h passes them)
            not_a_go_duration("spec.duration", "3 days"),
        ),
        bad(
            cert("c-rb-min", "renewBefore: 1m"),
            r#"spec.renewBefore: Invalid value: "string": certificate renewBefore must be greater than 5m0s"#,
        ),
        bad(
            cert("c-rb-long", "{duration: 2h, renewBefore: 3h}"),
            r#"spec.renewBefore: Invalid value: "object": certificate duration must be greater than renewBefore"#,
        ),
        bad(
            cert("c-rb-default", "renewBefore: 2160h"),
            r#"spec.renewBefore: Invalid value: "object": certificate duration must be greater than renewBefore"#,
        ),
        ok(cert("c-rb-go", "{duration: 1h30m, renewBefore: 0.5h}")),
        bad(
            cert("c-rb-both", "{renewBefore: 1h, renewBeforePercentage: 10}"),
            r#"[spec.renewBefore: Invalid value: "object": renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set, spec.renewBeforePercentage: Invalid value: "object": renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set]"#,
        ),
        ok(cert("c-pct", "renewBeforePercentage: 25")),
        bad(
            cert("c-pct-100", "renewBeforePercentage: 100"),
            r#"spec.renewBeforePercentage: Invalid value: "object": certificate renewBeforePercentage must result in a renewBefore greater than 5m0s"#,
        ),
        bad(
            cert("c-pct-0", "renewBeforePercentage: 0"),
            r#"spec.renewBeforePercentage: Invalid value: "object": certificate renewBeforePercentage must result in a renewBefore less than duration"#,
        ),
        // 1h × 8% = 4m48s
        bad(
            cert("c-pct-short", "{duration: 1h, renewBeforePercentage: 92}"),
            r#"spec.renewBeforePercentage: Invalid value: "object": certificate renewBeforePercentage must result in a renewBefore greater than 5m0s"#,
        ),
        ok(cert(
            "c-pct-edge",
            "{duration: 1h, renewBeforePercentage: 91}",
        )),
        ok(cert(
            "c-pct-century",
            "{duration: 876000h, renewBeforePercentage: 99}",
        )),
        bad(
            cert(
                "c-lit-cn",
                "{literalSubject: 'CN=foo,O=bar', commonName: foo}",
            ),
            r#"spec.commonName: Invalid value: "object": When providing a `LiteralSubject` no `commonName` may be provided."#,
        ),
        bad(
            cert(
                "c-lit-subj",
                "{literalSubject: 'CN=foo', subject: {organizations: [bar]}}",
            ),
            r#"spec.subject: Invalid value: "object": When providing a `LiteralSubject` no `Subject` properties may be provided."#,
        ),
        ok(cert(
            "c-lit",
            "{literalSubject: 'CN=foo,O=bar,DC=example', dnsNames: null}",
        )),
        bad(
            cert(
                "c-lit-nocn",
                "{literalSubject: 'O=bar,C=GB', dnsNames: null}",
            ),
            r#"spec: Invalid value: "object": at least one of commonName (from the commonName field or from a literalSubject), dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs must be set"#,
        ),
        bad(
            cert("c-nonames", "dnsNames: []"),
            r#"spec: Invalid value: "object": at least one of commonName (from the commonName field or from a literalSubject), dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs must be set"#,
        ),
        ok(cert(
            "c-cn-only",
            "{commonName: my-ca, dnsNames: null, isCA: true}",
        )),
        bad(
            cert("c-cn-long", &format!("commonName: {}", "a".repeat(65))),
            concat!(
                "[spec.commonName: Too long: may not be more than 64 bytes",
                skipped!()
            ),
        ),
        bad(
            cert("c-rsa-1024", "privateKey: {algorithm: RSA, size: 1024}"),
            r#"spec.privateKey.size: Invalid value: "object": must be between 2048 and 8192 for rsa keyAlgorithm"#,
        ),
        ok(cert("c-rsa-3072", "privateKey: {size: 3072}")),
        bad(
            cert("c-ec-257", "privateKey: {algorithm: ECDSA, size: 257}"),
            r#"spec.privateKey.size: Invalid value: "object": supported values: "256", "384", "521""#,
        ),
        ok(cert(
            "c-ec-384",
            "privateKey: {algorithm: ECDSA, size: 384, encoding: PKCS8}",
        )),
        ok(cert("c-ed25519", "privateKey: {algorithm: Ed25519}")),
        bad(
            cert("c-dsa", "privateKey: {algorithm: DSA}"),
            concat!(
                r#"[spec.privateKey.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519""#,
                skipped!()
            ),
        ),
        bad(
            cert("c-sig", "signatureAlgorithm: ECDSAWithSHA256"),
            r#"spec.signatureAlgorithm: Invalid value: "object": for key algorithm RSA the allowed signature algorithms are [SHA256WithRSA SHA384WithRSA SHA512WithRSA]"#,
        ),
        ok(cert(
            "c-sig-ec",
            "{signatureAlgorithm: ECDSAWithSHA384, privateKey: {algorithm: ECDSA}}",
        )),
        bad(
            cert("c-noissuer", "issuerRef: {name: ''}"),
            "spec.issuerRef.name: Required value: must be specified",
        ),
        bad(
            cert(
                "c-kind-nogroup",
                "issuerRef: {name: pca, kind: AWSPCAClusterIssuer}",
            ),
            r#"spec.issuerRef.kind: Invalid value: "object": must be one of Issuer or ClusterIssuer (did you forget to set spec.issuerRef.group?)"#,
        ),
        bad(
            cert(
                "c-kind-cm",
                "issuerRef: {name: x, kind: Foo, group: cert-manager.io}",
            ),
            r#"spec.issuerRef.kind: Invalid value: "object": must be one of Issuer or ClusterIssuer"#,
        ),
        ok(cert(
            "c-external",
            "issuerRef: {name: pca, kind: AWSPCAClusterIssuer, group: awspca.cert-manager.io}",
        )),
        bad(
            cert("c-secret-name", "secretName: Web_TLS"),
            r#"spec.secretName: Invalid value: "string": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#,
        ),
        bad(
            cert("c-rhl", "revisionHistoryLimit: 0"),
            r#"spec.revisionHistoryLimit: Invalid value: "integer": must not be less than 1"#,
        ),
        bad(
            cert(
                "c-nc-noca",
                "nameConstraints: {permitted: {dnsDomains: [example.com]}}",
            ),
            r#"spec.nameConstraints: Invalid value: "object": isCA should be true when nameConstraints is set"#,
        ),
        bad(
            cert(
                "c-nc-empty",
                "{isCA: true, nameConstraints: {critical: true}}",
            ),
            r#"spec.nameConstraints: Invalid value: "object": either permitted or excluded must be set"#,
        ),
        ok(cert(
            "c-nc",
            "{isCA: true, nameConstraints: {critical: true, excluded: {ipRanges: [10.0.0.0/8]}}}",
        )),
        bad(
            cert("c-p12-nopw", "keystores: {pkcs12: {create: true}}"),
            "spec.keystores.pkcs12: Forbidden: must set exactly one of passwordSecretRef and password must for PKCS#12 keystores",
        ),
        bad(
            cert(
                "c-jks-both",
                "keystores: {jks: {create: true, password: x, passwordSecretRef: {name: pw, key: pw}}}",
            ),
            "spec.keystores.jks: Forbidden: exactly one of passwordSecretRef and password must be provided for JKS keystores; cannot set both",
        ),
        bad(
            cert(
                "c-jks-empty",
                "keystores: {jks: {create: true, password: ''}}",
            ),
            "spec.keystores.jks.password: Forbidden: literal password cannot be empty if set on JKS keystores",
        ),
        ok(cert(
            "c-keystores",
            "keystores: {jks: {create: true, passwordSecretRef: {name: pw, key: pw}}, pkcs12: {create: true, profile: Modern2023, password: changeit}}",
        )),
        bad(
            cert(
                "c-aof-dup",
                "additionalOutputFormats: [{type: DER}, {type: DER}]",
            ),
            r#"spec.additionalOutputFormats: Invalid value: "array": each output format type may be listed only once"#,
        ),
        ok(cert(
            "c-aof",
            "additionalOutputFormats: [{type: DER}, {type: CombinedPEM}]",
        )),
        bad(
            cert(
                "c-tmpl",
                "secretTemplate: {annotations: {cert-manager.io/foo: bar}}",
            ),
            r#"spec.secretTemplate.annotations: Invalid value: "object": cert-manager.io/* annotations are not allowed"#,
        ),
        ok(cert(
            "c-tmpl-ok",
            "secretTemplate: {annotations: {cert-manager.io/allow-direct-injection: 'true', team: a}, labels: {app: web}}",
        )),
        bad(
            cert(
                "c-renewal",
                "renewal: {policy: Disabled, windows: [{cron: '0 2 * * *', windowDuration: 2h}]}",
            ),
            "spec.renewal.windows: Forbidden: windows cannot be set when `renewal.policy` is set to Disabled",
        ),
        ok(cert(
            "c-renewal-ok",
            "renewal: {policy: RenewBefore, windows: [{cron: '0 2 * * 1-5', windowDuration: 2h30m, timezone: Europe/London}]}",
        )),
        bad(
            cert(
                "c-othername",
                "otherNames: [{oid: '1.3.6.1.4.1.311.20.2.3'}]",
            ),
            "spec.otherNames[0].utf8Value: Required value: must be set to a valid non-empty UTF8 string",
        ),
        bad(
            cert("c-usage", "usages: [server auth, foo]"),
            concat!(
                r#"[spec.usages[1]: Unsupported value: "foo": supported values: "signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc""#,
                skipped!()
            ),
        ),
    ]
}

fn issuer_cases() -> Vec<Case> {
    vec![
        ok(issuer("Issuer", "i-selfsigned", "selfSigned: {}")),
        ok(issuer("Issuer", "i-ca", "ca: {secretName: ca-key-pair}")),
        bad(
            issuer("Issuer", "i-empty", "{}"),
            "spec: Required value: at least one issuer must be configured",
        ),
        bad(
            issuer("Issuer", "i-two", "{ca: {secretName: ca}, selfSigned: {}}"),
            "spec: Forbidden: may not specify more than one issuer type",
        ),
        bad(
            issuer(
                "ClusterIssuer",
                "ci-two",
                "{ca: {secretName: ca}, selfSigned: {}}",
            ),
            "spec: Forbidden: may not specify more than one issuer type",
        ),
        bad(
            issuer("Issuer", "i-ca-empty", "ca: {secretName: ''}"),
            "spec.ca.secretName: Required value: must be specified",
        ),
        ok(issuer(
            "ClusterIssuer",
            "ci-acme",
            "acme:
  server: https://acme-staging-v02.api.letsencrypt.org/directory
  email: user@example.com
  profile: tlsserver
  privateKeySecretRef: {name: letsencrypt-staging}
  solvers:
  - http01:
      ingress:
        ingressClassName: nginx
  - selector:
      dnsZones: [example.com]
    dns01:
      rfc2136:
        nameserver: 10.0.0.16:53
        tsigKeyName: example-com-secret
        tsigAlgorithm: hmacsha512
        tsigSecretSecretRef: {name: tsig-secret, key: tsig-secret-key}
",
        )),
        bad(
            issuer(
                "Issuer",
                "i-acme-tls",
                "acme: {server: https://acme.example/dir, privateKeySecretRef: {name: k}, skipTLSVerify: true, caBundle: Zm9v}",
            ),
            r#"[spec.acme.caBundle: Invalid value: "object": caBundle and skipTLSVerify are mutually exclusive and cannot both be set, spec.acme.skipTLSVerify: Invalid value: "object": caBundle and skipTLSVerify are mutually exclusive and cannot both be set]"#,
        ),
        bad(
            acme_solver(
                "i-sol-both",
                "{http01: {ingress: {}}, dns01: {webhook: {groupName: g, solverName: s}}}",
            ),
            "spec.acme.solvers[0]: Forbidden: may not specify more than one solver type in a single solver",
        ),
        bad(
            acme_solver("i-sol-none", "selector: {dnsNames: [a.example]}"),
            "spec.acme.solvers[0]: Required value: no solver type configured",
        ),
        bad(
            acme_solver(
                "i-dns-two",
                "dns01: {cloudflare: {apiTokenSecretRef: {name: cf, key: token}}, route53: {region: eu-west-1}}",
            ),
            "spec.acme.solvers[0].dns01: Forbidden: may not specify more than one provider type",
        ),
        bad(
            acme_solver("i-dns-none", "dns01: {cnameStrategy: Follow}"),
            "spec.acme.solvers[0].dns01: Required value: no DNS01 provider configured",
        ),
        bad(
            acme_solver(
                "i-class",
                "http01: {ingress: {class: nginx, ingressClassName: nginx}}",
            ),
            "spec.acme.solvers[0].http01.ingress: Forbidden: only one of 'ingressClassName', 'name' or 'class' should be specified",
        ),
        bad(
            acme_solver("i-http-none", "http01: {}"),
            "spec.acme.solvers[0].http01: Required value: no HTTP01 solver type configured",
        ),
        bad(
            acme_solver("i-svc", "http01: {ingress: {serviceType: LoadBalancer}}"),
            r#"spec.acme.solvers[0].http01.ingress.serviceType: Invalid value: "object": must be empty, "ClusterIP" or "NodePort""#,
        ),
        ok(acme_solver(
            "i-gateway",
            "http01: {gatewayHTTPRoute: {serviceType: ClusterIP, parentRefs: [{name: gw, namespace: gateways, sectionName: http}]}}",
        )),
        bad(
            acme_solver(
                "i-tsig-alg",
                "dns01: {rfc2136: {nameserver: '[2001:db8::1]:53', tsigKeyName: k, tsigAlgorithm: HMACSHA3, tsigSecretSecretRef: {name: s, key: k}}}",
            ),
            r#"spec.acme.solvers[0].dns01.rfc2136.tsigAlgorithm: Invalid value: "object": supported values: "HMACMD5", "HMACSHA1", "HMACSHA256", "HMACSHA512""#,
        ),
        bad(
            acme_solver(
                "i-tsig-key",
                "dns01: {rfc2136: {nameserver: 10.0.0.16, tsigKeyName: k}}",
            ),
            "[spec.acme.solvers[0].dns01.rfc2136.tsigSecretSecretRef.name: Required value: secret name is required, spec.acme.solvers[0].dns01.rfc2136.tsigSecretSecretRef.key: Required value: secret key is required]",
        ),
        bad(
            acme_solver(
                "i-cf-key",
                "dns01: {cloudflare: {apiKeySecretRef: {name: cf, key: key}}}",
            ),
            "spec.acme.solvers[0].dns01.cloudflare.email: Required value: email is required when using apiKeySecretRef",
        ),
        bad(
            acme_solver(
                "i-do-key",
                "dns01: {digitalocean: {tokenSecretRef: {name: do}}}",
            ),
            "spec.acme.solvers[0].dns01.digitalocean.tokenSecretRef.key: Required value: secret key is required",
        ),
        bad(
            acme_solver(
                "i-wait",
                "{waitInsteadOfSelfCheck: -1s, http01: {ingress: {}}}",
            ),
            r#"spec.acme.solvers[0].waitInsteadOfSelfCheck: Invalid value: "string": waitInsteadOfSelfCheck must not be negative"#,
        ),
        bad(
            issuer(
                "Issuer",
                "i-venafi",
                "venafi: {zone: z, tpp: {url: https://tpp.example/vedsdk, credentialsRef: {name: c}}, cloud: {apiTokenSecretRef: {name: t, key: k}}}",
            ),
            r#"spec.venafi: Invalid value: "object": exactly one of tpp, cloud, or ngts must be configured"#,
        ),
        bad(
            issuer(
                "Issuer",
                "i-vault-auth",
                "vault: {server: https://vault:8200, path: pki/sign/example, auth: {}}",
            ),
            "spec.vault.auth: Required value: please supply one of: appRole, kubernetes, tokenSecretRef, clientCertificate, aws",
        ),
        bad(
            issuer(
                "Issuer",
                "i-vault-path",
                "vault: {server: https://vault:8200, path: pki/../sys, auth: {tokenSecretRef: {name: t, key: token}}}",
            ),
            r#"spec.vault.path: Invalid value: "object": must not contain '..' path segments"#,
        ),
        ok(issuer(
            "Issuer",
            "i-vault",
            "vault: {server: https://vault:8200, path: pki_int/sign/example-dot-com, auth: {kubernetes: {role: cert-manager, mountPath: /v1/auth/kubernetes, serviceAccountRef: {name: issuer}}}}",
        )),
    ]
}

#[tokio::test]
async fn crds_accept_and_reject_like_the_webhook() {
    let (_cluster, client) = cluster_with_crds().await;
    let mut failures = Vec::new();
    let cases: Vec<Case> = certificate_cases()
        .into_iter()
        .chain(issuer_cases())
        .collect();
    assert!(cases.len() >= 30);
    for case in &cases {
        let kind = case.manifest["kind"].as_str().unwrap_or_default();
        let name = case.manifest["metadata"]["name"]
            .as_str()
            .unwrap_or_default();
        let group = case.manifest["apiVersion"]
            .as_str()
            .and_then(|v| v.split_once('/'))
            .map(|(g, _)| g)
            .unwrap_or_default();
        let got = create(&client, &case.manifest).await.map(|_| ());
        let want = case
            .rejected
            .as_ref()
            .map(|detail| format!("{kind}.{group} {name:?} is invalid: {detail}"));
        match (&got, &want) {
            (Ok(()), None) => {}
            (Err(g), Some(w)) if g == w => {}
            _ => failures.push(format!("{name}:\n  want {want:?}\n  got  {got:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

const CSR: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==";

fn condition(type_: &str, status: &str, reason: &str) -> Value {
    json!({"type": type_, "status": status, "reason": reason, "message": "by test",
           "lastTransitionTime": "2026-01-01T00:00:00Z"})
}

#[tokio::test]
async fn certificate_request_approval_rules() {
    let (_cluster, client) = cluster_with_crds().await;
    let manifest = json!({
        "apiVersion": "cert-manager.io/v1",
        "kind": "CertificateRequest",
        "metadata": {"name": "web-1", "namespace": "default"},
        "spec": {"request": CSR, "issuerRef": {"name": "ca-issuer"}, "usages": ["digital signature"]},
    });
    let prefix = r#"CertificateRequest.cert-manager.io "web-1" is invalid: "#;
    let mut cr = create(&client, &manifest)
        .await
        .expect("a valid request is accepted");

    // Approved may only be True.
    cr.data["status"] = json!({"conditions": [condition("Approved", "False", "no")]});
    assert_eq!(
        replace_status(&client, &cr).await.unwrap_err(),
        format!(
            r#"{prefix}status.conditions: Invalid value: "array": "Approved" condition may only be set to True"#
        )
    );
    cr.data["status"] = json!({"conditions": [condition("Denied", "Unknown", "no")]});
    assert_eq!(
        replace_status(&client, &cr).await.unwrap_err(),
        format!(
            r#"{prefix}status.conditions: Invalid value: "array": "Denied" condition may only be set to True"#
        )
    );

    // Approve; then it can neither change nor be joined by Denied nor be removed.
    cr.data["status"] = json!({"conditions": [condition("Approved", "True", "cert-manager.io")]});
    let mut approved = replace_status(&client, &cr)
        .await
        .expect("approval accepted");

    approved.data["status"]["conditions"]
        .as_array_mut()
        .unwrap()
        .push(condition("Ready", "False", "Pending"));
    let mut pending = replace_status(&client, &approved)
        .await
        .expect("other conditions may be added");

    let mut changed = pending.clone();
    changed.data["status"]["conditions"][0]["reason"] = json!("SomeoneElse");
    assert_eq!(
        replace_status(&client, &changed).await.unwrap_err(),
        format!(
            "{prefix}status.conditions: Forbidden: 'Approved' condition may not be modified once set"
        )
    );

    let mut removed = pending.clone();
    removed.data["status"] = json!({});
    assert_eq!(
        replace_status(&client, &removed).await.unwrap_err(),
        format!(
            "{prefix}status.conditions: Forbidden: 'Approved' condition may not be modified once set"
        )
    );

    let mut both = pending.clone();
    both.data["status"]["conditions"]
        .as_array_mut()
        .unwrap()
        .push(condition("Denied", "True", "no"));
    assert_eq!(
        replace_status(&client, &both).await.unwrap_err(),
        format!(
            "{prefix}status.conditions: Forbidden: both 'Denied' and 'Approved' conditions cannot coexist"
        )
    );

    // The spec is immutable.
    pending.data["spec"]["isCA"] = json!(true);
    assert_eq!(
        replace(&client, &pending).await.unwrap_err(),
        format!("{prefix}spec: Forbidden: cannot change spec after creation")
    );
}

#[tokio::test]
async fn certificate_request_needs_a_request_and_issuer() {
    let (_cluster, client) = cluster_with_crds().await;
    let mut manifest = json!({
        "apiVersion": "cert-manager.io/v1",
        "kind": "CertificateRequest",
        "metadata": {"name": "empty", "namespace": "default"},
        "spec": {"request": "", "issuerRef": {"name": "ca"}},
    });
    assert_eq!(
        create(&client, &manifest).await.unwrap_err(),
        concat!(
            r#"CertificateRequest.cert-manager.io "empty" is invalid: [spec.request: Invalid value: "": spec.request in body must be of type byte: """#,
            skipped!()
        )
    );
    manifest["spec"] = json!({"request": CSR, "issuerRef": {"name": "", "kind": "Foo"}});
    assert_eq!(
        create(&client, &manifest).await.unwrap_err(),
        r#"CertificateRequest.cert-manager.io "empty" is invalid: [spec.issuerRef.name: Required value: must be specified, spec.issuerRef.kind: Invalid value: "object": must be one of Issuer or ClusterIssuer (did you forget to set spec.issuerRef.group?)]"#
    );
}

#[tokio::test]
async fn order_and_challenge_immutability() {
    let (_cluster, client) = cluster_with_crds().await;
    let order = json!({
        "apiVersion": "acme.cert-manager.io/v1",
        "kind": "Order",
        "metadata": {"name": "web-1-1234", "namespace": "default"},
        "spec": {"request": CSR, "issuerRef": {"name": "le", "kind": "ClusterIssuer"}, "dnsNames": ["example.com"]},
    });
    let mut o = create(&client, &order).await.expect("order accepted");
    o.data["status"] = json!({"url": "https://acme.example/order/1", "state": "pending"});
    let mut o = replace_status(&client, &o).await.expect("url set once");
    o.data["status"]["url"] = json!("https://acme.example/order/2");
    assert_eq!(
        replace_status(&client, &o).await.unwrap_err(),
        r#"Order.acme.cert-manager.io "web-1-1234" is invalid: status.url: Forbidden: field is immutable once set"#
    );
    o.data["status"]["url"] = json!("https://acme.example/order/1");
    o.data["status"]["state"] = json!("ready");
    let mut o = replace_status(&client, &o).await.expect("state may change");
    // Authorizations: recorded by URL first, their details filled in once, then fixed.
    o.data["status"]["authorizations"] = json!([{"url": "https://acme.example/authz/1"}]);
    let mut o = replace_status(&client, &o)
        .await
        .expect("authorizations set once");
    o.data["status"]["authorizations"][0]["identifier"] = json!("example.com");
    o.data["status"]["authorizations"][0]["initialState"] = json!("pending");
    let mut o = replace_status(&client, &o)
        .await
        .expect("an authorization's details may be filled in");
    o.data["status"]["authorizations"][0]["identifier"] = json!("other.example.com");
    assert_eq!(
        replace_status(&client, &o).await.unwrap_err(),
        r#"Order.acme.cert-manager.io "web-1-1234" is invalid: status.authorizations: Forbidden: field is immutable once set"#
    );
    o.data["status"]["authorizations"] = json!([
        {"url": "https://acme.example/authz/1", "identifier": "example.com", "initialState": "pending"},
        {"url": "https://acme.example/authz/2"},
    ]);
    assert!(
        replace_status(&client, &o).await.is_err(),
        "no authorization may be added"
    );
    o.data["status"]["authorizations"] = json!([
        {"url": "https://acme.example/authz/1", "identifier": "example.com", "initialState": "pending"},
    ]);
    o.data["spec"]["request"] = json!("Zm9v");
    assert_eq!(
        replace(&client, &o).await.unwrap_err(),
        r#"Order.acme.cert-manager.io "web-1-1234" is invalid: spec.request: Forbidden: field is immutable once set"#
    );

    let challenge = json!({
        "apiVersion": "acme.cert-manager.io/v1",
        "kind": "Challenge",
        "metadata": {"name": "web-1-1234-5678", "namespace": "default"},
        "spec": {
            "url": "https://acme.example/chall/1", "authorizationURL": "https://acme.example/authz/1",
            "dnsName": "example.com", "wildcard": false, "type": "HTTP-01", "token": "tok", "key": "tok.thumb",
            "solver": {"http01": {"ingress": {"ingressClassName": "nginx"}}},
            "issuerRef": {"name": "le", "kind": "ClusterIssuer", "group": "cert-manager.io"},
        },
    });
    let mut c = create(&client, &challenge)
        .await
        .expect("challenge accepted");
    c.data["status"] = json!({"processing": true, "presented": false, "state": "pending"});
    let mut c = replace_status(&client, &c)
        .await
        .expect("status may change");
    c.data["spec"]["key"] = json!("other");
    assert_eq!(
        replace(&client, &c).await.unwrap_err(),
        r#"Challenge.acme.cert-manager.io "web-1-1234-5678" is invalid: spec: Forbidden: challenge spec is immutable after creation"#
    );
}
