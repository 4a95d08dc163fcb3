//! Table tests for the three patch types: input document, patch body, and the expected
//! document or exact error.

mod gojson_cases;
mod json_patch_cases;
mod kubectl_cases;
mod merge_patch_cases;
mod robustness;
mod strategic_cases;

use serde_json::Value;

use super::PatchError;

/// What a case expects.
pub(super) enum Want {
    /// The patched document (JSON text).
    Doc(&'static str),
    /// An error: HTTP status code and the error's text (its `Display`).
    Err(u16, &'static str),
}

/// One table row.
pub(super) struct Case {
    pub(super) name: &'static str,
    pub(super) doc: &'static str,
    pub(super) patch: &'static str,
    pub(super) want: Want,
}

pub(super) fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("bad test JSON {text}: {e}"))
}

/// Runs every case through `apply`, collecting all failures before failing.
pub(super) fn run(cases: &[Case], apply: impl Fn(&Value, &[u8]) -> Result<Value, PatchError>) {
    let mut failures = Vec::new();
    for case in cases {
        let got = apply(&json(case.doc), case.patch.as_bytes());
        if let Some(failure) = mismatch(&got, &case.want) {
            failures.push(format!("case {:?}: {failure}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn mismatch(got: &Result<Value, PatchError>, want: &Want) -> Option<String> {
    match (got, want) {
        (Ok(doc), Want::Doc(expected)) => {
            let expected = json(expected);
            (doc != &expected).then(|| format!("got {doc}\n  want {expected}"))
        }
        (Err(e), Want::Err(code, text)) => {
            let same = e.status_code() == *code && e.to_string() == *text;
            (!same).then(|| {
                format!(
                    "got error {} {:?}\n  want error {code} {text:?}",
                    e.status_code(),
                    e.to_string()
                )
            })
        }
        (Ok(doc), Want::Err(code, text)) => Some(format!("got {doc}, want error {code} {text:?}")),
        (Err(e), Want::Doc(expected)) => Some(format!(
            "got error {} {:?}, want {expected}",
            e.status_code(),
            e.to_string()
        )),
    }
}

/// Asserts the same order of keys and items, which `==` on values ignores for keys.
pub(super) fn assert_same_text(got: &Value, want: &str) {
    assert_eq!(got.to_string(), json(want).to_string());
}
