//! The scenario engine against a real lab: the examples in `scenarios/examples/`, an
//! expected CEL rejection, `error`, a failing assert's diff, catch/finally ordering,
//! renewal by the virtual clock, faults, kubectl.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use certlab_harness::Lab;
use certlab_harness::scenario::{
    FaultHooks, OpStatus, RecordedSnapshots, RunEnv, Scenario, ScenarioOutcome, ScenarioStatus,
    Section, lab_issuer, load, load_str, run,
};

/// Forwards to the lab and records what it was asked, checking the fault took effect.
struct RecordingFaults {
    lab: Arc<Lab>,
    calls: Mutex<Vec<String>>,
}

impl FaultHooks for RecordingFaults {
    fn set_acme_faults(&self, rules: Vec<mock_acme::faults::FaultRule>) -> Result<(), String> {
        self.lab.set_acme_faults(rules.clone())?;
        let live = self.lab.acme().expect("mock-acme").faults().list();
        assert_eq!(live, rules);
        self.record(format!("acme {}", rules.len()));
        Ok(())
    }
    fn clear_acme_faults(&self) -> Result<(), String> {
        self.record("acme clear".into());
        self.lab.clear_acme_faults()
    }
    fn set_dns_fault(&self, name: &str, fault: mock_dns::Fault) -> Result<(), String> {
        self.lab.set_dns_fault(name, fault)?;
        let live = self.lab.dns().expect("mock-dns").handle().records().faults;
        assert!(
            live.iter()
                .any(|f| f.host.trim_end_matches('.') == name && f.fault == "servfail"),
            "{live:?}"
        );
        self.record(format!("dns {name} {fault:?}"));
        Ok(())
    }
    fn clear_dns_fault(&self, name: &str) -> Result<(), String> {
        self.record(format!("dns clear {name}"));
        self.lab.clear_dns_fault(name)
    }
}

impl RecordingFaults {
    fn record(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/examples")
}

fn example(name: &str) -> Scenario {
    load(&examples().join(format!("{name}.yaml"))).unwrap_or_else(|e| panic!("{e}"))
}

fn env(lab: &Arc<Lab>, issuer: &str) -> RunEnv {
    RunEnv::for_lab(lab, lab_issuer(issuer).expect("a lab issuer"))
}

fn assert_passed(outcome: &ScenarioOutcome) {
    assert!(
        outcome.passed(),
        "{} ({}) did not pass: {:#?}",
        outcome.name,
        outcome.issuer,
        outcome
    );
}

fn kubectl_installed() -> bool {
    std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

async fn shutdown(lab: Arc<Lab>) {
    if let Ok(lab) = Arc::try_unwrap(lab) {
        lab.shutdown().await;
    }
}

/// Runs the lifecycle example for one issuer in a lab of its own (with the CEL example
/// alongside). One lab per issuer: deleting a Certificate while the controller still
/// works on others can stall the controller for good (see the report), so a lifecycle
/// run's final delete must not overlap another run's issuance.
async fn lifecycle_for(issuer: &str) {
    let lab = Arc::new(Lab::builder().start().await.expect("lab starts"));
    let snapshots = Arc::new(RecordedSnapshots::default());
    let mut env = env(&lab, issuer);
    env.snapshot = snapshots.clone();
    env.keep = true;
    let (lifecycle, cel) = (example("certificate-lifecycle"), example("cel-rejection"));
    let (a, c) = tokio::join!(run(&lifecycle, &env), run(&cel, &env));
    assert_passed(&a);
    assert_passed(&c);
    assert_eq!(a.issuer, issuer);
    // A fresh namespace per run, named after the scenario.
    assert!(
        a.namespace.starts_with("certificate-lifecycle-"),
        "{}",
        a.namespace
    );
    assert_ne!(a.namespace, c.namespace);
    // Steps and operations are reported in order.
    let names: Vec<&str> = a.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["issue", "reissue", "delete"]);
    let kinds: Vec<&str> = a.steps[0].ops.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds, ["apply", "assert", "assert", "snapshot"]);
    // The snapshot sink saw the root with the namespace filled in.
    let calls = snapshots.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let (root, name) = &calls[0];
    assert_eq!(root.namespace.as_deref(), Some(a.namespace.as_str()));
    assert_eq!(root.kind, "Certificate");
    assert_eq!(root.name, "web");
    assert_eq!(name, "certificate-web");
    // Kept namespaces stay.
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(lab.client());
    for outcome in [&a, &c] {
        let kept = namespaces.get_opt(&outcome.namespace).await.unwrap();
        assert!(
            kept.is_some_and(|n| n.metadata.deletion_timestamp.is_none()),
            "{} was not kept",
            outcome.namespace
        );
    }
    shutdown(lab).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lifecycle_example_passes_with_the_ca_issuer() {
    lifecycle_for("ca").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lifecycle_example_passes_with_the_selfsigned_issuer() {
    lifecycle_for("selfsigned").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lifecycle_example_passes_with_acme_http01() {
    lifecycle_for("acme-http01").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lifecycle_example_passes_with_acme_dns01() {
    lifecycle_for("acme-dns01").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_operations_and_faults_run_side_by_side() {
    let lab = Arc::new(Lab::builder().start().await.expect("lab starts"));
    let mut ca = env(&lab, "ca");
    ca.keep = true;
    let recording = Arc::new(RecordingFaults {
        lab: lab.clone(),
        calls: Mutex::new(Vec::new()),
    });
    let mut ca_recorded = ca.clone();
    ca_recorded.faults = Some(recording.clone());
    let (faults, operations) = (example("dns-fault"), example("operations"));
    let (d, e) = tokio::join!(run(&faults, &ca_recorded), run(&operations, &ca));
    assert_passed(&d);
    assert_passed(&e);
    let kinds: Vec<&str> = e.steps[0].ops.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "create", "create", "apply", "assert", "patch", "assert", "error", "wait", "delete",
            "wait", "error"
        ]
    );
    // The faults reached mock-dns and mock-acme with bindings substituted, in order.
    assert_eq!(
        *recording.calls.lock().unwrap(),
        [
            "dns dns-fault.lab.test ServFail",
            "acme 1",
            "acme clear",
            "dns clear dns-fault.lab.test"
        ]
    );
    // The faults were switched off again by `finally`.
    let dns = lab.dns().expect("mock-dns").handle().records();
    assert!(dns.faults.is_empty(), "{:?}", dns.faults);
    assert!(lab.acme().expect("mock-acme").faults().list().is_empty());
    shutdown(lab).await;
}

const FAILING: &str = r#"
name: failing-assert
steps:
  - name: issue
    try:
      - apply:
          resource:
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata: {name: diff}
            spec:
              secretName: diff-tls
              dnsNames: ["diff.$labDomain"]
              issuerRef: $issuerRef
      - assert:
          resource:
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata: {name: diff}
            spec:
              secretName: other-tls
          timeout: 500ms
      - sleep: {duration: 1ms}
    catch:
      - script: {content: "printf 'catch\n' >> \"$LOG\"", env: {LOG: "@LOG@"}}
    finally:
      - script: {content: "printf 'finally\n' >> \"$LOG\"", env: {LOG: "@LOG@"}}
  - name: never
    try:
      - script: {content: "printf 'never\n' >> \"$LOG\"", env: {LOG: "@LOG@"}}
"#;

const ORDERING: &str = r#"
name: catch-finally
steps:
  - name: first
    try:
      - script: {content: "printf 'try\n' >> \"$LOG\"", env: {LOG: "@LOG@"}}
    finally:
      - script: {content: "printf 'finally-1\n' >> \"$LOG\"", env: {LOG: "@LOG@"}}
  - name: second
    try:
      - script:
          content: "printf 'failing\n' >> \"$LOG\"; echo boom >&2; exit 3"
          env: {LOG: "@LOG@"}
      - script: {content: "printf 'skipped\n' >> \"$LOG\"", env: {LOG: "@LOG@"}}
    catch:
      - script: {content: "printf 'catch-a\n' >> \"$LOG\"", env: {LOG: "@LOG@"}}
      - script: {content: "printf 'catch-b\n' >> \"$LOG\"", env: {LOG: "@LOG@"}}
    finally:
      - script: {content: "printf 'finally-2\n' >> \"$LOG\"", env: {LOG: "@LOG@"}}
"#;

const STILL_MATCHES: &str = r#"
name: still-matches
steps:
  - try:
      - create:
          resource: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {k: v}}
      - error:
          resource: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {k: v}}
          timeout: 300ms
"#;

const SLOW: &str = r#"
name: slow
timeout: 400ms
steps:
  - try:
      - create:
          resource: {apiVersion: v1, kind: ConfigMap, metadata: {name: z}}
      - wait:
          ref: {apiVersion: v1, kind: ConfigMap, name: z}
          for: {jsonPath: {path: .data.never, value: x}}
    finally:
      - script: {content: "true"}
"#;

const NO_ERROR: &str = r#"
name: no-error
steps:
  - try:
      - apply:
          resource: {apiVersion: v1, kind: ConfigMap, metadata: {name: y}}
          expectError: forbidden
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_give_a_diff_and_run_catch_then_finally() {
    let dir = tempfile::tempdir().unwrap();
    let log_a = dir.path().join("a.log");
    let log_b = dir.path().join("b.log");
    let failing = load_str(
        &FAILING.replace("@LOG@", &log_a.display().to_string()),
        "failing.yaml",
    )
    .unwrap();
    let ordering = load_str(
        &ORDERING.replace("@LOG@", &log_b.display().to_string()),
        "ordering.yaml",
    )
    .unwrap();
    let lab = Arc::new(Lab::builder().start().await.expect("lab starts"));
    let snapshots = Arc::new(RecordedSnapshots::default());
    let mut ca = env(&lab, "ca");
    ca.snapshot = snapshots.clone();
    let still_matches = load_str(STILL_MATCHES, "still.yaml").unwrap();
    let no_error = load_str(NO_ERROR, "noerror.yaml").unwrap();
    let slow = load_str(SLOW, "slow.yaml").unwrap();
    let (a, b, c, d, e) = tokio::join!(
        run(&failing, &ca),
        run(&ordering, &ca),
        run(&still_matches, &ca),
        run(&no_error, &ca),
        run(&slow, &ca)
    );
    // Namespaces are deleted afterwards (keep is false by default).
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(lab.client());
    for outcome in [&a, &b, &c, &d, &e] {
        let gone = namespaces.get_opt(&outcome.namespace).await.unwrap();
        assert!(
            gone.is_none_or(|n| n.metadata.deletion_timestamp.is_some()),
            "{} was not deleted",
            outcome.namespace
        );
    }
    // The scenario's timeout cuts a long wait short; finally still runs.
    let ScenarioStatus::Failed { message, .. } = &e.status else {
        panic!("{e:#?}");
    };
    assert!(
        message.contains("the scenario's timeout ran out"),
        "{message}"
    );
    assert!(
        e.duration < std::time::Duration::from_secs(5),
        "{:?}",
        e.duration
    );
    assert_eq!(
        e.steps[0].ops.last().map(|o| o.section),
        Some(Section::Finally)
    );
    // `error` fails while the object exists and matches.
    let ScenarioStatus::Failed { op, message, .. } = &c.status else {
        panic!("{c:#?}");
    };
    assert_eq!(op, "try[1].error (line 7)");
    assert!(message.contains("exists and matches"), "{message}");
    assert!(message.starts_with("timed out after 300ms"), "{message}");
    // An expected error that does not come fails the apply.
    let ScenarioStatus::Failed { message, .. } = &d.status else {
        panic!("{d:#?}");
    };
    assert!(
        message.contains("expected an error containing \"forbidden\", but it succeeded"),
        "{message}"
    );

    // The failing assert: which step and op, and a diff naming the field.
    let ScenarioStatus::Failed {
        step,
        op,
        message,
        diff,
    } = &a.status
    else {
        panic!("expected a failure: {a:#?}");
    };
    assert_eq!(step, "issue");
    assert_eq!(op, "try[1].assert (line 15)");
    assert!(message.contains("spec.secretName"), "{message}");
    let diff = diff.as_deref().expect("a diff");
    assert!(
        diff.contains(&format!("Certificate {}/diff", a.namespace)),
        "{diff}"
    );
    assert!(diff.contains("spec.secretName: values differ"), "{diff}");
    assert!(diff.contains("expected: \"other-tls\""), "{diff}");
    assert!(diff.contains("actual:   \"diff-tls\""), "{diff}");
    assert_eq!(std::fs::read_to_string(&log_a).unwrap(), "catch\nfinally\n");
    assert_eq!(a.steps.len(), 1, "the second step must not run");
    let sections: Vec<(Section, &str)> = a.steps[0]
        .ops
        .iter()
        .map(|o| (o.section, o.kind.as_str()))
        .collect();
    assert_eq!(
        sections,
        [
            (Section::Try, "apply"),
            (Section::Try, "assert"),
            (Section::Catch, "script"),
            (Section::Finally, "script")
        ]
    );
    // The sink heard about both failures before the namespaces went.
    let mut failed = snapshots.failures();
    failed.sort();
    let mut want = vec![
        a.namespace.clone(),
        b.namespace.clone(),
        c.namespace.clone(),
        d.namespace.clone(),
        e.namespace.clone(),
    ];
    want.sort();
    assert_eq!(failed, want);

    // Ordering: finally always, catch only on failure, in order; the rest of try skipped.
    assert_eq!(
        std::fs::read_to_string(&log_b).unwrap(),
        "try\nfinally-1\nfailing\ncatch-a\ncatch-b\nfinally-2\n"
    );
    let ScenarioStatus::Failed { step, op, diff, .. } = &b.status else {
        panic!("expected a failure: {b:#?}");
    };
    assert_eq!(step, "second");
    assert!(op.starts_with("try[0].script"), "{op}");
    let diff = diff.as_deref().unwrap_or_default();
    assert!(
        diff.contains("exit code: 3") && diff.contains("boom"),
        "{diff}"
    );
    assert!(matches!(b.steps[1].ops[0].status, OpStatus::Failed { .. }));
    shutdown(lab).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advancing_the_clock_renews_a_certificate() {
    let lab = Arc::new(Lab::builder().start().await.expect("lab starts"));
    let scenario = example("renewal-by-clock");
    let outcome = run(&scenario, &env(&lab, "ca")).await;
    assert_passed(&outcome);
    let advance = &outcome.steps[1].ops[0];
    assert_eq!(advance.kind, "advanceClock");
    assert_eq!(advance.status, OpStatus::Passed);
    shutdown(lab).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_and_scripts_run_in_the_scenario_namespace() {
    if !kubectl_installed() {
        eprintln!("SKIPPED: kubectl is not installed; the scenario kubectl op was not tested");
        return;
    }
    let lab = Arc::new(Lab::builder().start().await.expect("lab starts"));
    let scenario = example("kubectl");
    let outcome = run(&scenario, &env(&lab, "ca")).await;
    assert_passed(&outcome);
    // A check that cannot hold fails with the command's output.
    let bad = load_str(
        "name: kubectl-bad\nsteps:\n  - try:\n      - kubectl:\n          args: [get, certificates]\n          check: {stdoutContains: no-such-certificate}\n",
        "bad.yaml",
    )
    .unwrap();
    let outcome = run(&bad, &env(&lab, "ca")).await;
    let ScenarioStatus::Failed { message, .. } = &outcome.status else {
        panic!("{outcome:#?}");
    };
    assert!(
        message.contains("stdout does not contain \"no-such-certificate\""),
        "{message}"
    );
    shutdown(lab).await;
}

#[tokio::test]
async fn scenarios_needing_virtual_time_or_faults_are_skipped_elsewhere() {
    // A client that is never used: skipping happens before any request.
    let config = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();
    let env = RunEnv::new(
        client,
        lab_issuer("ca").unwrap(),
        "lab.test",
        "/nonexistent",
    );
    let outcome = run(&example("renewal-by-clock"), &env).await;
    assert_eq!(
        outcome.status,
        ScenarioStatus::Skipped {
            reason: "virtual time is not available on this cluster".into()
        }
    );
    let outcome = run(&example("dns-fault"), &env).await;
    assert!(
        matches!(outcome.status, ScenarioStatus::Skipped { .. }),
        "{outcome:?}"
    );
    let outcome = run(
        &example("renewal-by-clock"),
        &env.with_issuer(lab_issuer("acme-http01").unwrap()),
    )
    .await;
    assert_eq!(
        outcome.status,
        ScenarioStatus::Skipped {
            reason: "not for issuer acme-http01".into()
        }
    );
}

#[test]
fn every_example_loads() {
    let all = certlab_harness::scenario::load_dir(&examples())
        .unwrap_or_else(|errors| panic!("{errors:#?}"));
    assert!(all.len() >= 5, "{}", all.len());
}
