//! Name syntax, worded as `k8s.io/apimachinery/pkg/util/validation` words it.

use std::sync::LazyLock;

use regex::Regex;

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str =
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";

/// The longest DNS-1123 label.
pub const DNS1123_LABEL_MAX: usize = 63;
/// The longest DNS-1123 subdomain.
pub const DNS1123_SUBDOMAIN_MAX: usize = 253;

static DNS1123_LABEL: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1123_LABEL_FMT));
static DNS1123_SUBDOMAIN: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1123_SUBDOMAIN_FMT));
static DNS1035_LABEL: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1035_LABEL_FMT));

fn anchored(fmt: &str) -> Regex {
    // The patterns are constants, checked by the tests below.
    Regex::new(&format!("^{fmt}$"))
        .unwrap_or_else(|e| unreachable!("bad built-in regex {fmt}: {e}"))
}

fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let mut s = format!("{msg} (e.g. ");
    for (i, example) in examples.iter().enumerate() {
        if i > 0 {
            s.push_str(",  or ");
        }
        s.push('\'');
        s.push_str(example);
        s.push('\'');
    }
    s.push_str(&format!(", regex used for validation is '{fmt}')"));
    s
}

fn max_len_error(max: usize) -> String {
    format!("must be no more than {max} characters")
}

/// `IsDNS1123Label`: problems with `value`, empty when it is valid.
pub fn dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX {
        errs.push(max_len_error(DNS1123_LABEL_MAX));
    }
    if !DNS1123_LABEL.is_match(value) {
        errs.push(regex_error(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            DNS1123_LABEL_FMT,
            &["my-name", "123-abc"],
        ));
    }
    errs
}

/// `IsDNS1123Subdomain`: problems with `value`, empty when it is valid.
pub fn dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX));
    }
    if !DNS1123_SUBDOMAIN.is_match(value) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsDNS1035Label`: problems with `value`, empty when it is valid.
pub fn dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX {
        errs.push(max_len_error(DNS1123_LABEL_MAX));
    }
    if !DNS1035_LABEL.is_match(value) {
        errs.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// `IsValidPathSegmentName`: a name must be usable as one URL path segment.
pub fn path_segment(value: &str) -> Vec<String> {
    if value == "." || value == ".." {
        return vec![format!("may not be '{value}'")];
    }
    let mut errs = Vec::new();
    for bad in ["/", "%"] {
        if value.contains(bad) {
            errs.push(format!("may not contain '{bad}'"));
        }
    }
    errs
}

/// How names of a kind are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// DNS-1123 subdomain (most kinds, custom resources).
    Subdomain,
    /// DNS-1123 label (namespaces).
    Label,
    /// DNS-1035 label (services).
    Dns1035,
    /// Any valid path segment (events, leases and a few others).
    PathSegment,
}

impl NameRule {
    /// Problems with `name`, empty when it is valid.
    pub fn check(self, name: &str) -> Vec<String> {
        match self {
            NameRule::Subdomain => dns1123_subdomain(name),
            NameRule::Label => dns1123_label(name),
            NameRule::Dns1035 => dns1035_label(name),
            NameRule::PathSegment => path_segment(name),
        }
    }

    /// Problems with a `generateName` prefix: the API server checks the prefix with a
    /// trailing dash removed, since a random suffix follows it.
    pub fn check_prefix(self, prefix: &str) -> Vec<String> {
        let trimmed = prefix.strip_suffix('-').unwrap_or(prefix);
        if trimmed.is_empty() {
            return Vec::new();
        }
        match self {
            // The generated suffix is appended, so only the prefix characters matter.
            NameRule::PathSegment => path_segment(trimmed),
            rule => rule.check(trimmed),
        }
    }
}

/// The characters of a generated name suffix (`k8s.io/apimachinery/pkg/util/rand`): no
/// vowels, no confusable digits.
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
/// The longest prefix kept from `generateName`, so the result stays a DNS label.
pub const MAX_GENERATED_PREFIX: usize = 58;

/// `generateName` plus five random characters, as the API server names objects.
pub fn generate_name(prefix: &str) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let cut = floor_char_boundary(prefix, MAX_GENERATED_PREFIX);
    let mut name = String::with_capacity(cut + 5);
    name.push_str(&prefix[..cut]);
    for _ in 0..5 {
        let i = rng.random_range(0..SUFFIX_ALPHABET.len());
        name.push(char::from(SUFFIX_ALPHABET[i]));
    }
    name
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains() {
        assert!(dns1123_subdomain("example.com").is_empty());
        assert!(dns1123_subdomain("a").is_empty());
        assert!(dns1123_subdomain("web-tls-1").is_empty());
        let errs = dns1123_subdomain("Foo_bar");
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0],
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        );
        assert_eq!(dns1123_subdomain(&"a".repeat(254)).len(), 1);
        assert!(!dns1123_subdomain("-a").is_empty());
        assert!(!dns1123_subdomain("").is_empty());
    }

    #[test]
    fn labels() {
        assert!(dns1123_label("kube-system").is_empty());
        assert!(!dns1123_label("a.b").is_empty());
        assert_eq!(
            dns1123_label(&"a".repeat(64))[0],
            "must be no more than 63 characters"
        );
        assert!(dns1035_label("svc-1").is_empty());
        assert!(!dns1035_label("1svc").is_empty());
        assert_eq!(
            dns1123_label("A")[0],
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        );
    }

    #[test]
    fn path_segments() {
        assert!(path_segment("web.tls-1.16a2b").is_empty());
        assert_eq!(path_segment(".."), vec!["may not be '..'"]);
        assert_eq!(
            path_segment("a/b%"),
            vec!["may not contain '/'", "may not contain '%'"]
        );
    }

    #[test]
    fn generated_names() {
        let name = generate_name("cm-acme-http-solver-");
        assert_eq!(name.len(), "cm-acme-http-solver-".len() + 5);
        assert!(name.starts_with("cm-acme-http-solver-"));
        assert!(dns1123_subdomain(&name).is_empty());
        let long = generate_name(&"x".repeat(100));
        assert_eq!(long.len(), 63);
        assert!(NameRule::Subdomain.check_prefix("web-").is_empty());
        assert!(!NameRule::Subdomain.check_prefix("Web-").is_empty());
    }
}
