//! Label and annotation syntax, worded as `k8s.io/apimachinery/pkg/util/validation`.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use crate::field::{FieldError, FieldPath};

use super::names::dns1123_subdomain;

const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
/// The longest name part of a qualified name, and the longest label value.
pub const QUALIFIED_NAME_MAX: usize = 63;
/// The total size allowed for all annotations of one object.
pub const TOTAL_ANNOTATION_SIZE: usize = 256 * 1024;

static QUALIFIED_NAME: LazyLock<Regex> = LazyLock::new(|| anchored(QUALIFIED_NAME_FMT));
static LABEL_VALUE: LazyLock<Regex> = LazyLock::new(|| anchored(LABEL_VALUE_FMT));

fn anchored(fmt: &str) -> Regex {
    Regex::new(&format!("^{fmt}$"))
        .unwrap_or_else(|e| unreachable!("bad built-in regex {fmt}: {e}"))
}

fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let examples: Vec<String> = examples.iter().map(|e| format!("'{e}'")).collect();
    format!(
        "{msg} (e.g. {}, regex used for validation is '{fmt}')",
        examples.join(",  or ")
    )
}

/// `IsQualifiedName`: problems with a label or annotation key.
pub fn qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(
                    dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, &["MyName", "my.name", "123-abc"])
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > QUALIFIED_NAME_MAX {
        errs.push(format!(
            "name part must be no more than {QUALIFIED_NAME_MAX} characters"
        ));
    }
    if !QUALIFIED_NAME.is_match(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_MSG,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// `IsValidLabelValue`: problems with a label value.
pub fn label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > QUALIFIED_NAME_MAX {
        errs.push(format!(
            "must be no more than {QUALIFIED_NAME_MAX} characters"
        ));
    }
    if !LABEL_VALUE.is_match(value) {
        errs.push(regex_error(
            LABEL_VALUE_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// Validates `metadata.labels` (already known to be a map of strings).
pub fn validate_labels(labels: &Map<String, Value>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    for (key, value) in labels {
        for msg in qualified_name(key) {
            errs.push(FieldError::invalid(path, Value::String(key.clone()), msg));
        }
        let value = value.as_str().unwrap_or_default();
        for msg in label_value(value) {
            errs.push(FieldError::invalid(
                path,
                Value::String(value.to_string()),
                msg,
            ));
        }
    }
}

/// Validates `metadata.annotations` (already known to be a map of strings).
pub fn validate_annotations(
    annotations: &Map<String, Value>,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let mut total = 0usize;
    for (key, value) in annotations {
        for msg in qualified_name(&key.to_lowercase()) {
            errs.push(FieldError::invalid(path, Value::String(key.clone()), msg));
        }
        total = total
            .saturating_add(key.len())
            .saturating_add(value.as_str().map_or(0, str::len));
    }
    if total > TOTAL_ANNOTATION_SIZE {
        errs.push(FieldError::too_long(
            path,
            format!("may not be more than {TOTAL_ANNOTATION_SIZE} bytes"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys() {
        assert!(qualified_name("app").is_empty());
        assert!(qualified_name("cert-manager.io/certificate-name").is_empty());
        assert!(qualified_name("acme.cert-manager.io/http01-solver").is_empty());
        assert_eq!(qualified_name("/a"), vec!["prefix part must be non-empty"]);
        assert_eq!(qualified_name("a/b/c").len(), 1);
        assert_eq!(
            qualified_name("Example.com/a")[0]
                .split(' ')
                .take(3)
                .collect::<Vec<_>>(),
            ["prefix", "part", "a"]
        );
        assert!(!qualified_name("-a").is_empty());
        assert_eq!(
            qualified_name(&"a".repeat(64)),
            vec!["name part must be no more than 63 characters"]
        );
    }

    #[test]
    fn values() {
        assert!(label_value("").is_empty());
        assert!(label_value("v1.2_3-x").is_empty());
        assert_eq!(label_value("bad value").len(), 1);
        assert_eq!(label_value(&"a".repeat(64)).len(), 1);
    }

    #[test]
    fn label_errors_name_the_field() {
        let labels = json!({"ok": "yes", "bad key": "v", "k": "bad value!"});
        let mut errs = Vec::new();
        validate_labels(
            labels.as_object().unwrap(),
            &FieldPath::new("metadata").child("labels"),
            &mut errs,
        );
        assert_eq!(errs.len(), 2);
        assert!(
            errs[0].to_string().starts_with(
                "metadata.labels: Invalid value: \"bad key\": name part must consist of"
            )
        );
        assert!(
            errs[1].to_string().starts_with(
                "metadata.labels: Invalid value: \"bad value!\": a valid label must be"
            )
        );
    }

    #[test]
    fn annotation_size_is_limited() {
        let mut map = Map::new();
        map.insert(
            "big".into(),
            Value::String("x".repeat(TOTAL_ANNOTATION_SIZE)),
        );
        let mut errs = Vec::new();
        validate_annotations(
            &map,
            &FieldPath::new("metadata").child("annotations"),
            &mut errs,
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].to_string(),
            "metadata.annotations: Too long: may not be more than 262144 bytes"
        );
    }
}
