//! Loader tests: shapes, `file:line:col: path: message` errors, garbage never panics.

use certlab_harness::scenario::model::{Operation, WaitFor};
use certlab_harness::scenario::{LoadError, load_str};

const GOOD: &str = r#"
name: ecdsa-key
description: an ECDSA certificate
features: [ECDSA]
issuers: [selfsigned, ca]
timeout: 60s
vars:
  domain: "ecdsa.$labDomain"
steps:
  - name: create
    try:
      - apply:
          resource:
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata: {name: ecdsa}
            spec:
              secretName: ecdsa-tls
              dnsNames: [$domain]
              issuerRef: $issuerRef
      - assert:
          resource: {apiVersion: cert-manager.io/v1, kind: Certificate, metadata: {name: ecdsa}}
          timeout: 30s
      - wait:
          ref: {apiVersion: cert-manager.io/v1, kind: Certificate, name: ecdsa}
          for: {condition: {type: Ready}}
      - advanceClock: {by: 61d}
      - kubectl: [get, certificates]
      - fault: {dns: {name: "x.$labDomain", fault: delay 1s}}
    catch:
      - kubectl: {args: [describe, certificates], check: {exitCode: 0}}
    finally:
      - sleep: {duration: 10ms}
"#;

fn err(text: &str) -> String {
    match load_str(text, "scenarios/x.yaml") {
        Ok(s) => panic!("expected an error, loaded {s:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_full_scenario_loads() {
    let s = load_str(GOOD, "good.yaml").unwrap();
    assert_eq!(s.name, "ecdsa-key");
    assert_eq!(s.features, vec!["ECDSA"]);
    assert!(s.applies_to("ca") && !s.applies_to("acme-http01"));
    assert_eq!(s.timeout.unwrap().get().as_secs(), 60);
    let step = &s.steps[0];
    assert_eq!(step.try_ops.len(), 6);
    assert_eq!(step.try_ops[0].pos.line, 12);
    assert!(matches!(step.try_ops[0].value, Operation::Apply(_)));
    match &step.try_ops[2].value {
        Operation::Wait(w) => match &w.wait_for {
            WaitFor::Condition(c) => {
                assert_eq!(c.condition_type, "Ready");
                assert_eq!(c.status, "True");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    match &step.try_ops[3].value {
        Operation::AdvanceClock(a) => assert_eq!(a.by.get().as_secs(), 61 * 86_400),
        other => panic!("{other:?}"),
    }
    assert_eq!(step.catch.len(), 1);
    assert_eq!(step.finally.len(), 1);
}

#[test]
fn an_unknown_field_names_file_line_column_and_path() {
    let text = "name: x\nsteps:\n  - try:\n      - apply: {file: a.yaml}\n      - assert:\n          resourc: {}\n";
    let e = err(text);
    assert!(
        e.starts_with("scenarios/x.yaml:6:11: steps[0].try[1].assert"),
        "{e}"
    );
    assert!(e.contains("unknown field \"resourc\""), "{e}");
    assert!(e.contains("expected one of file, resource, timeout"), "{e}");
}

#[test]
fn an_unknown_operation_is_listed_with_the_known_ones() {
    let e = err("name: x\nsteps:\n  - try:\n      - aply: {}\n");
    assert!(e.starts_with("scenarios/x.yaml:4:"), "{e}");
    assert!(e.contains("steps[0].try[0]"), "{e}");
    assert!(e.contains("unknown variant \"aply\""), "{e}");
    assert!(e.contains("expected one of apply, create"), "{e}");
}

#[test]
fn a_bad_duration_is_located() {
    let e = err("name: x\ntimeout: 10\nsteps:\n  - try:\n      - sleep: {duration: 1s}\n");
    assert!(e.starts_with("scenarios/x.yaml:2:"), "{e}");
    assert!(e.contains("timeout"), "{e}");
    assert!(e.contains("missing unit"), "{e}");
}

#[test]
fn an_unknown_binding_is_named_with_its_operation() {
    let e = err(
        "name: x\nsteps:\n  - try:\n      - sleep: {duration: 1s}\n      - kubectl: [get, $nope]\n",
    );
    assert!(
        e.starts_with("scenarios/x.yaml:5:9: steps[0].try[1].kubectl"),
        "{e}"
    );
    assert!(e.contains("unknown binding $nope"), "{e}");
}

#[test]
fn vars_may_use_builtins_and_earlier_vars_only() {
    assert!(
        load_str(
            "name: x\nvars: {a: $labDomain, b: \"x.$a\"}\nsteps:\n  - try:\n      - kubectl: [get, $b]\n",
            "x"
        )
        .is_ok()
    );
    let e =
        err("name: x\nvars: {b: \"x.$a\", a: y}\nsteps:\n  - try:\n      - kubectl: [get, $b]\n");
    assert!(
        e.contains("vars.b") && e.contains("unknown binding $a"),
        "{e}"
    );
}

#[test]
fn kubectl_takes_a_list_or_a_map_with_clear_errors() {
    let e = err("name: x\nsteps:\n  - try:\n      - kubectl: {argz: [a]}\n");
    assert!(
        e.contains(
            "steps[0].try[0].kubectl: unknown field \"argz\", expected one of args, check, timeout"
        ),
        "{e}"
    );
    let e = err("name: x\nname: y\nsteps: []\n");
    assert!(
        e.starts_with("scenarios/x.yaml:2:1: duplicate mapping key: name"),
        "{e}"
    );
    assert!(!e.contains("DuplicateKeyPolicy"), "{e}");
}

#[test]
fn exact_lists_are_not_bindings() {
    let s = load_str(
        "name: x\nsteps:\n  - try:\n      - assert:\n          resource:\n            apiVersion: v1\n            kind: A\n            spec: {names: {$exact: [a, $labDomain]}}\n",
        "x",
    );
    assert!(s.is_ok(), "{s:?}");
}

#[test]
fn yaml_1_2_booleans_only() {
    let s = load_str(
        "name: x\nsteps:\n  - try:\n      - apply: {resource: {metadata: {name: y}, data: {a: yes, b: on, c: true}}}\n",
        "x",
    )
    .unwrap();
    let Operation::Apply(a) = &s.steps[0].try_ops[0].value else {
        panic!()
    };
    let r = a.resource.as_ref().unwrap();
    assert_eq!(r["metadata"]["name"], "y");
    assert_eq!(r["data"]["a"], "yes");
    assert_eq!(r["data"]["b"], "on");
    assert_eq!(r["data"]["c"], true);
}

#[test]
fn semantic_errors_are_reported() {
    let cases = [
        (
            "name: Bad_Name\nsteps:\n  - try:\n      - sleep: {duration: 1s}\n",
            "not a DNS-1123 label",
        ),
        (
            "name: x\nissuers: [vault]\nsteps:\n  - try:\n      - sleep: {duration: 1s}\n",
            "unknown issuer \"vault\"",
        ),
        ("name: x\nsteps: []\n", "at least one step"),
        (
            "name: x\nsteps:\n  - try:\n      - apply: {}\n",
            "exactly one of resource or file",
        ),
        (
            "name: x\nsteps:\n  - try:\n      - delete: {}\n",
            "exactly one of ref, resource or file",
        ),
        (
            "name: x\nsteps:\n  - try:\n      - fault: {}\n",
            "at least one of acme",
        ),
        (
            "name: x\nsteps:\n  - try:\n      - fault: {dns: {name: a, fault: explode}}\n",
            "unknown dns fault",
        ),
        (
            "name: x\nsteps:\n  - try:\n      - fault: {acme: [{errorRate: 2}]}\n",
            "rates must be between",
        ),
        (
            "name: x\nsteps:\n  - try:\n      - patch: {ref: {apiVersion: v1, kind: ConfigMap, name: a}, type: json, patch: {a: 1}}\n",
            "json patch is a list",
        ),
        (
            "steps:\n  - try:\n      - sleep: {duration: 1s}\n",
            "missing field \"name\"",
        ),
    ];
    for (text, want) in cases {
        let e = err(text);
        assert!(e.contains(want), "{text}\n=> {e}");
        assert!(e.starts_with("scenarios/x.yaml"), "{e}");
    }
}

#[test]
fn files_are_resolved_and_parsed_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.yaml");
    std::fs::write(
        &scenario,
        "name: x\nsteps:\n  - try:\n      - apply: {file: objs.yaml}\n",
    )
    .unwrap();
    let e = certlab_harness::scenario::load(&scenario).unwrap_err();
    assert!(e.to_string().contains("objs.yaml"), "{e}");
    std::fs::write(dir.path().join("objs.yaml"), "a: [1\n").unwrap();
    let e = certlab_harness::scenario::load(&scenario).unwrap_err();
    assert!(e.to_string().contains("objs.yaml:"), "{e}");
    std::fs::write(
        dir.path().join("objs.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
    )
    .unwrap();
    let s = certlab_harness::scenario::load(&scenario).unwrap();
    assert_eq!(s.source.as_deref(), Some(scenario.as_path()));
    let docs =
        certlab_harness::scenario::load::load_documents(&dir.path().join("objs.yaml")).unwrap();
    assert_eq!(docs.len(), 2);
}

/// A deterministic garbage generator (xorshift), so the test needs no extra crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet: Vec<char> = "ab:-[]{}\n \t'\"&*!|>%@`#,?$0.1sdµ\u{0}".chars().collect();
    for i in 0..3000 {
        let text: String = if i % 2 == 0 {
            // Mutations of a valid scenario.
            let mut bytes: Vec<char> = GOOD.chars().collect();
            for _ in 0..(rng.next() % 8 + 1) {
                let at = (rng.next() as usize) % bytes.len();
                let c = alphabet[(rng.next() as usize) % alphabet.len()];
                match rng.next() % 3 {
                    0 => bytes[at] = c,
                    1 => bytes.insert(at, c),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            bytes.into_iter().collect()
        } else {
            let len = (rng.next() % 200) as usize;
            (0..len)
                .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
                .collect()
        };
        let result = std::panic::catch_unwind(|| load_str(&text, "fuzz.yaml"));
        let result = result.unwrap_or_else(|_| panic!("panicked on {text:?}"));
        if let Err(LoadError::Invalid { file, .. }) = &result {
            assert_eq!(file, "fuzz.yaml");
        }
        let _ = certlab_harness::scenario::load::parse_documents(&text, "fuzz.yaml");
    }
}
