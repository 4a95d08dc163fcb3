//! A new user's first minutes, with the real kubectl against a running lab: apply a
//! Certificate written the way cert-manager's documentation writes one, wait for it,
//! look at it. Also the controller's metrics.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use certlab_harness::Lab;

const DOCS_CERTIFICATE: &str = r#"
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: example-com
  namespace: default
spec:
  # Secret names are always required.
  secretName: example-com-tls
  duration: 2160h # 90d
  renewBefore: 360h # 15d
  subject:
    organizations:
      - jetstack
  isCA: false
  privateKey:
    algorithm: RSA
    encoding: PKCS1
    size: 2048
  usages:
    - server auth
    - client auth
  dnsNames:
    - example.com
    - www.example.com
  uris:
    - spiffe://cluster.local/ns/sandbox/sa/example
  ipAddresses:
    - 192.168.0.5
  issuerRef:
    name: lab-ca
    kind: ClusterIssuer
    group: cert-manager.io
"#;

fn kubectl(
    kubeconfig: &std::path::Path,
    cache: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
) -> (bool, String, String) {
    let mut cmd = Command::new("kubectl");
    cmd.arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache)
        .args(args);
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::piped());
    let mut child = cmd.spawn().expect("kubectl runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docs_certificate_with_kubectl() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: kubectl is not installed; the kubectl tour did not run");
        return;
    }
    let lab = Lab::builder().start().await.expect("lab starts");
    let kc = lab.endpoints().kubeconfig.clone();
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path().to_path_buf();
    let run = move |args: Vec<&'static str>, stdin: Option<&'static str>| {
        let kc = kc.clone();
        let cache = cache.clone();
        tokio::task::spawn_blocking(move || kubectl(&kc, &cache, &args, stdin))
    };
    let (ok, _, err) = run(vec!["apply", "-f", "-"], Some(DOCS_CERTIFICATE))
        .await
        .unwrap();
    assert!(ok, "{err}");
    let (ok, out, err) = run(
        vec![
            "wait",
            "--for=condition=Ready",
            "certificate/example-com",
            "--timeout=30s",
        ],
        None,
    )
    .await
    .unwrap();
    assert!(ok && out.contains("condition met"), "{out}{err}");
    let (ok, out, _) = run(vec!["get", "certificate"], None).await.unwrap();
    assert!(ok);
    let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "READY", "SECRET", "AGE"]);
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()[..3]
            == ["example-com", "True", "example-com-tls"],
        "{out}"
    );
    let (ok, out, _) = run(
        vec!["get", "secret", "example-com-tls", "-o", "jsonpath={.data}"],
        None,
    )
    .await
    .unwrap();
    assert!(ok);
    for key in ["tls.crt", "tls.key", "ca.crt"] {
        assert!(out.contains(&format!("\"{key}\"")), "{key} in {out}");
    }
    let (ok, out, _) = run(vec!["describe", "certificate", "example-com"], None)
        .await
        .unwrap();
    assert!(ok);
    for line in [
        "cert-manager-certificates-trigger",
        "Issuing certificate as Secret does not exist",
        "The certificate has been successfully issued",
    ] {
        assert!(out.contains(line), "describe shows {line:?}: {out}");
    }
    let (ok, out, _) = run(vec!["get", "certificaterequests"], None).await.unwrap();
    assert!(ok && out.contains("example-com-1"), "{out}");

    // Metrics, as cert-manager names them.
    let metrics_url = lab.endpoints().metrics.clone();
    let body = tokio::task::spawn_blocking(move || {
        let addr = metrics_url
            .trim_start_matches("http://")
            .trim_end_matches("/metrics")
            .to_string();
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut buf = String::new();
        std::io::Read::read_to_string(&mut s, &mut buf).unwrap();
        buf
    })
    .await
    .unwrap();
    assert!(body.contains(r#"certmanager_certificate_ready_status{name="example-com",namespace="default",condition="True",issuer_name="lab-ca",issuer_kind="ClusterIssuer",issuer_group="cert-manager.io"} 1"#), "{body}");
    assert!(body.contains("certmanager_certificate_expiration_timestamp_seconds{"));
    assert!(body.contains("certmanager_controller_sync_call_count{controller=\"certificates\"}"));
    tokio::time::sleep(Duration::from_millis(10)).await;
    lab.shutdown().await;
}

const ACME_CERTIFICATE: &str = r#"
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: hello
  namespace: default
spec:
  secretName: hello-tls
  dnsNames:
    - hello.lab.test
  issuerRef:
    name: lab-acme-http01
    kind: ClusterIssuer
"#;

/// The ACME path as a new user tries it: apply a Certificate naming `lab-acme-http01`,
/// watch the Order and Challenge appear, and wait for Ready with a 10 s timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acme_certificate_with_kubectl() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: kubectl is not installed; the ACME kubectl tour did not run");
        return;
    }
    let lab = Lab::builder().start().await.expect("lab starts");
    // Slow the CA's answer to the challenge down a little, so that the Challenge is
    // certainly there while kubectl looks (issuance is otherwise over in milliseconds).
    lab.acme()
        .unwrap()
        .faults()
        .set(vec![mock_acme::faults::FaultRule {
            endpoint: "challenge".to_string(),
            latency_ms: 1500,
            ..Default::default()
        }])
        .unwrap();
    let kc = lab.endpoints().kubeconfig.clone();
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path().to_path_buf();
    let run = move |args: Vec<&'static str>, stdin: Option<&'static str>| {
        let kc = kc.clone();
        let cache = cache.clone();
        tokio::task::spawn_blocking(move || kubectl(&kc, &cache, &args, stdin))
    };
    let (ok, _, err) = run(vec!["apply", "-f", "-"], Some(ACME_CERTIFICATE))
        .await
        .unwrap();
    assert!(ok, "{err}");
    // During issuance: an Order and a Challenge, with their printer columns.
    let mut seen = String::new();
    for _ in 0..50 {
        let (ok, out, err) = run(vec!["get", "orders,challenges"], None).await.unwrap();
        assert!(ok, "{err}");
        if out.contains("order.acme.cert-manager.io/hello-1-")
            && out.contains("challenge.acme.cert-manager.io/hello-1-")
        {
            seen = out;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        seen.contains("STATE") && seen.contains("DOMAIN") && seen.contains("hello.lab.test"),
        "kubectl get orders,challenges never showed both during issuance: {seen}"
    );
    let (ok, out, err) = run(
        vec![
            "wait",
            "--for=condition=Ready",
            "certificate/hello",
            "--timeout=10s",
        ],
        None,
    )
    .await
    .unwrap();
    assert!(ok && out.contains("condition met"), "{out}{err}");
    let (ok, out, _) = run(vec!["get", "orders"], None).await.unwrap();
    assert!(ok && out.contains("valid"), "{out}");
    lab.shutdown().await;
}
