//! The real kubectl against the embedded cluster over HTTPS.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::*;

struct Kubectl {
    kubeconfig: PathBuf,
    cache: tempfile::TempDir,
}

impl Kubectl {
    /// None (with a loud message) when kubectl is not installed.
    fn new(kubeconfig: &Path) -> Option<Self> {
        if Command::new("kubectl")
            .arg("version")
            .arg("--client")
            .output()
            .is_err()
        {
            eprintln!(
                "SKIPPED: kubectl is not installed; the kubectl acceptance tests did not run"
            );
            return None;
        }
        Some(Self {
            kubeconfig: kubeconfig.to_path_buf(),
            cache: tempfile::tempdir().expect("tempdir"),
        })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("kubectl");
        c.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.cache.path())
            .args(args);
        c
    }

    async fn run(&self, args: &[&str]) -> Output {
        let mut c = self.command(args);
        tokio::task::spawn_blocking(move || c.output().expect("kubectl runs"))
            .await
            .expect("join")
    }

    async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "kubectl {args:?} failed:\nstdout: {stdout}\nstderr: {stderr}"
        );
        stdout
    }

    async fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(!out.status.success(), "kubectl {args:?} should have failed");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    async fn apply_stdin(&self, args: &[&str], yaml: &str) -> Output {
        let mut c = self.command(args);
        let yaml = yaml.to_string();
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut child = c
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(yaml.as_bytes())
                .expect("write");
            child.wait_with_output().expect("wait")
        })
        .await
        .expect("join")
    }
}

const CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wg]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        description: A Widget is a thing of a size.
        properties:
          spec:
            type: object
            description: What the widget should be.
            required: [size]
            properties:
              size: {type: integer, minimum: 1, description: How big.}
          status:
            type: object
            properties:
              conditions:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [type]
                items:
                  type: object
                  required: [type, status]
                  properties:
                    type: {type: string}
                    status: {type: string}
"#;

const WIDGETS: &str = r#"
apiVersion: example.com/v1
kind: Widget
metadata: {name: small, labels: {tier: a}}
spec: {size: 1}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: large, labels: {tier: b}}
spec: {size: 9}
"#;

async fn setup() -> Option<(certlab_cluster::Cluster, tempfile::TempDir, Kubectl)> {
    let (cluster, dir, kubeconfig) = served_cluster().await;
    let kubectl = Kubectl::new(&kubeconfig)?;
    let out = kubectl.apply_stdin(&["apply", "-f", "-"], CRD).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kubectl.apply_stdin(&["apply", "-f", "-"], WIDGETS).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some((cluster, dir, kubectl))
}

#[tokio::test]
async fn apply_get_columns_yaml_and_selectors() {
    let Some((_cluster, _dir, k)) = setup().await else {
        return;
    };
    let table = k.ok(&["get", "widgets"]).await;
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "READY", "SIZE", "AGE"]);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("large") && l.contains(" 9 ")),
        "{table}"
    );
    let yaml = k.ok(&["get", "wg", "small", "-o", "yaml"]).await;
    assert!(
        yaml.contains("kind: Widget")
            && yaml.contains("size: 1")
            && yaml.contains("resourceVersion:"),
        "{yaml}"
    );
    let selected = k
        .ok(&["get", "widgets", "-l", "tier=b", "-o", "name"])
        .await;
    assert_eq!(selected.trim(), "widget.example.com/large");
    let set_based = k
        .ok(&["get", "widgets", "-l", "tier in (a,c)", "-o", "name"])
        .await;
    assert_eq!(set_based.trim(), "widget.example.com/small");
    // Re-applying is a no-op.
    let out = k.apply_stdin(&["apply", "-f", "-"], WIDGETS).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("unchanged"));
    let secrets = k.ok(&["get", "secrets", "-A"]).await;
    assert!(
        secrets.is_empty(),
        "no secrets yet (kubectl says so on stderr): {secrets}"
    );
    let ns = k.ok(&["get", "ns"]).await;
    assert!(
        ns.starts_with("NAME") && ns.contains("STATUS") && ns.contains("kube-system"),
        "{ns}"
    );
}

#[tokio::test]
async fn get_watch_streams_changes() {
    let Some((_cluster, _dir, k)) = setup().await else {
        return;
    };
    let mut watch = k.command(&["get", "widgets", "-w", "--output-watch-events"]);
    let child = watch
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    tokio::time::sleep(Duration::from_millis(700)).await;
    k.ok(&[
        "patch",
        "widget",
        "small",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"size":3}}"#,
    ])
    .await;
    k.ok(&["delete", "widget", "large"]).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let pid = child.id();
    let _ = Command::new("kill").arg(pid.to_string()).status();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().expect("wait"))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("ADDED") && l.contains("small")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("MODIFIED") && l.contains("small") && l.contains(" 3 ")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("DELETED") && l.contains("large")),
        "{text}"
    );
}

#[tokio::test]
async fn wait_for_condition_and_delete() {
    let Some((_cluster, _dir, k)) = setup().await else {
        return;
    };
    let waiter = k.command(&[
        "wait",
        "--for=condition=Ready",
        "widget/small",
        "--timeout=10s",
    ]);
    let waiting = tokio::task::spawn_blocking(move || {
        let mut w = waiter;
        w.output().expect("kubectl wait")
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    k.ok(&[
        "patch",
        "widget",
        "small",
        "--subresource",
        "status",
        "--type",
        "merge",
        "-p",
        r#"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
    ])
    .await;
    let out = waiting.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("condition met"));

    let gone = k.command(&["wait", "--for=delete", "widget/large", "--timeout=10s"]);
    let waiting = tokio::task::spawn_blocking(move || {
        let mut w = gone;
        w.output().expect("kubectl wait")
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    k.ok(&["delete", "widget", "large", "--wait=false"]).await;
    let out = waiting.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn server_side_apply_and_patch_types() {
    let Some((_cluster, _dir, k)) = setup().await else {
        return;
    };
    let ssa = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ssa}\nspec: {size: 4}\n";
    let out = k
        .apply_stdin(&["apply", "--server-side", "-f", "-"], ssa)
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("serverside-applied"));
    let conflict =
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ssa}\nspec: {size: 5}\n";
    let out = k
        .apply_stdin(
            &[
                "apply",
                "--server-side",
                "--field-manager",
                "other",
                "-f",
                "-",
            ],
            conflict,
        )
        .await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("conflict") && err.contains(".spec.size"),
        "{err}"
    );
    let out = k
        .apply_stdin(
            &[
                "apply",
                "--server-side",
                "--field-manager",
                "other",
                "--force-conflicts",
                "-f",
                "-",
            ],
            conflict,
        )
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let size = k
        .ok(&["get", "widget", "ssa", "-o", "jsonpath={.spec.size}"])
        .await;
    assert_eq!(size, "5");

    k.ok(&[
        "patch",
        "widget",
        "ssa",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"size":6}}"#,
    ])
    .await;
    k.ok(&[
        "patch",
        "widget",
        "ssa",
        "--type",
        "json",
        "-p",
        r#"[{"op":"replace","path":"/spec/size","value":7}]"#,
    ])
    .await;
    assert_eq!(
        k.ok(&["get", "widget", "ssa", "-o", "jsonpath={.spec.size}"])
            .await,
        "7"
    );
    // Strategic merge patch is for built-in kinds only, as on a real server.
    let err = k
        .fails(&[
            "patch",
            "widget",
            "ssa",
            "--type",
            "strategic",
            "-p",
            r#"{"spec":{"size":8}}"#,
        ])
        .await;
    assert!(
        err.contains("strategic merge patch")
            || err.contains("UnsupportedMediaType")
            || err.contains("unknown format"),
        "{err}"
    );

    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: '1'}\n";
    let out = k.apply_stdin(&["apply", "-f", "-"], cm).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    k.ok(&[
        "patch",
        "configmap",
        "cfg",
        "--type",
        "strategic",
        "-p",
        r#"{"data":{"b":"2"}}"#,
    ])
    .await;
    assert_eq!(
        k.ok(&["get", "cm", "cfg", "-o", "jsonpath={.data.a}{.data.b}"])
            .await,
        "12"
    );
    // Invalid values come back as the server's 422.
    let err = k
        .fails(&[
            "patch",
            "widget",
            "ssa",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"size":0}}"#,
        ])
        .await;
    assert!(
        err.contains("spec.size") && err.contains("greater than or equal to 1"),
        "{err}"
    );
}

#[tokio::test]
async fn finalizers_hold_deletion_until_removed() {
    let Some((_cluster, _dir, k)) = setup().await else {
        return;
    };
    k.ok(&[
        "patch",
        "widget",
        "small",
        "--type",
        "merge",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/hold"]}}"#,
    ])
    .await;
    k.ok(&["delete", "widget", "small", "--wait=false"]).await;
    let ts = k
        .ok(&[
            "get",
            "widget",
            "small",
            "-o",
            "jsonpath={.metadata.deletionTimestamp}",
        ])
        .await;
    assert!(!ts.is_empty(), "terminating");
    k.ok(&[
        "patch",
        "widget",
        "small",
        "--type",
        "json",
        "-p",
        r#"[{"op":"remove","path":"/metadata/finalizers"}]"#,
    ])
    .await;
    let err = k.fails(&["get", "widget", "small"]).await;
    assert!(
        err.contains("NotFound") || err.contains("not found"),
        "{err}"
    );
}

#[tokio::test]
async fn describe_lists_events_and_explain_reads_the_schema() {
    let Some((cluster, _dir, k)) = setup().await else {
        return;
    };
    let uid = k
        .ok(&["get", "widget", "small", "-o", "jsonpath={.metadata.uid}"])
        .await;
    // An event the way kube-runtime's Recorder writes it (events.k8s.io/v1).
    let client = cluster.client();
    let events: kube::Api<k8s_openapi::api::events::v1::Event> =
        kube::Api::default_namespaced(client);
    let event: k8s_openapi::api::events::v1::Event = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "small.1", "namespace": "default"},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "regarding": {"apiVersion": "example.com/v1", "kind": "Widget", "name": "small", "namespace": "default", "uid": uid},
        "reason": "Resized", "note": "The widget was resized", "type": "Normal", "action": "Resize",
        "reportingController": "example.com/widget-controller", "reportingInstance": "test"
    }))
    .unwrap();
    events.create(&Default::default(), &event).await.unwrap();
    let described = k.ok(&["describe", "widget", "small"]).await;
    assert!(
        described.contains("Resized") && described.contains("The widget was resized"),
        "{described}"
    );
    let all = k.ok(&["get", "events"]).await;
    assert!(
        all.contains("widget/small") && all.contains("Resized"),
        "{all}"
    );

    let explained = k.ok(&["explain", "widgets.spec"]).await;
    assert!(
        explained.contains("KIND:") && explained.contains("Widget"),
        "{explained}"
    );
    assert!(
        explained.contains("size") && explained.contains("How big."),
        "{explained}"
    );
}
