//! `scenarios/schema.json` is a valid draft 2020-12 schema, every example validates
//! against it and loads with the loader, and the schema knows every operation.

use std::path::PathBuf;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn schema() -> Value {
    let text = std::fs::read_to_string(root().join("scenarios/schema.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn validator() -> jsonschema::Validator {
    let schema = schema();
    jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("not a valid schema: {e}"));
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{e}"))
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap()
}

#[test]
fn every_example_validates_and_loads() {
    let validator = validator();
    let dir = root().join("scenarios/examples");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&yaml(&text))
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        certlab_harness::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        count += 1;
    }
    assert!(count >= 5, "only {count} examples");
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = validator();
    for bad in [
        "name: x\nsteps:\n  - try:\n      - assert: {resourc: {}}\n",
        "name: x\nsteps:\n  - try:\n      - aply: {file: a.yaml}\n",
        "name: x\nsteps:\n  - try:\n      - sleep: {duration: 10}\n",
        "name: x\nsteps:\n  - try:\n      - apply: {file: a.yaml, resource: {apiVersion: v1, kind: A}}\n",
        "name: Bad\nsteps:\n  - try:\n      - sleep: {duration: 1s}\n",
        "name: x\nissuers: [vault]\nsteps:\n  - try:\n      - sleep: {duration: 1s}\n",
        "name: x\nsteps:\n  - try: []\n",
        "name: x\nsteps:\n  - try:\n      - wait: {ref: {apiVersion: v1, kind: A, name: a}, for: {gone: {}}}\n",
    ] {
        assert!(!validator.is_valid(&yaml(bad)), "schema accepted {bad}");
        assert!(
            certlab_harness::scenario::load_str(bad, "bad.yaml").is_err(),
            "loader accepted {bad}"
        );
    }
}

#[test]
fn the_schema_knows_every_operation() {
    let schema = schema();
    let variants = schema["$defs"]["operation"]["oneOf"].as_array().unwrap();
    let names: Vec<&str> = variants
        .iter()
        .filter_map(|v| v["required"][0].as_str())
        .collect();
    for op in [
        "apply",
        "create",
        "patch",
        "delete",
        "assert",
        "error",
        "wait",
        "advanceClock",
        "fault",
        "snapshot",
        "kubectl",
        "script",
        "sleep",
    ] {
        assert!(names.contains(&op), "{op} is missing from the schema");
        // And the loader knows it too: an unknown-field error lists the op's fields.
        let text = format!("name: x\nsteps:\n  - try:\n      - {op}: {{zzz: 1}}\n");
        let err = certlab_harness::scenario::load_str(&text, "x.yaml").unwrap_err();
        assert!(!err.to_string().contains("unknown variant"), "{op}: {err}");
    }
}
