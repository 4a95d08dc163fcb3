//! Host names as the management API and the library API take them.
//!
//! challtestsrv stores names exactly as given and compares them byte for byte with the
//! question; mock-dns lowercases them and makes them fully qualified, so
//! `Web.Example.org` and `web.example.org.` name the same host. Everything that matches
//! on challtestsrv still matches here.

use hickory_server::proto::rr::{LowerName, Name};

use crate::error::RecordError;

/// Parses a host name given by a user (with or without the trailing dot) into the
/// fully qualified name used as a record owner.
pub fn parse_host(host: &str) -> Result<Name, RecordError> {
    let trimmed = host.trim();
    if trimmed.is_empty() {
        return Err(RecordError::EmptyHost);
    }
    let mut name = Name::from_ascii(trimmed)
        .or_else(|_| Name::from_utf8(trimmed))
        .map_err(|e| RecordError::InvalidName {
            name: host.to_owned(),
            reason: e.to_string(),
        })?;
    name.set_fqdn(true);
    Ok(name)
}

/// The lookup key for a host name.
pub fn host_key(host: &str) -> Result<LowerName, RecordError> {
    parse_host(host).map(|n| LowerName::new(&n))
}

/// The key under which request history is kept: lowercase, no trailing dot.
pub fn history_key(name: &str) -> String {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    trimmed.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_and_dot_insensitive() {
        assert_eq!(
            host_key("Web.Example.org").unwrap(),
            host_key("web.example.org.").unwrap()
        );
        assert!(parse_host("").is_err());
        assert!(parse_host("   ").is_err());
        assert_eq!(history_key("Foo.Example.COM."), "foo.example.com");
        assert_eq!(history_key("foo"), "foo");
    }

    #[test]
    fn underscore_labels_parse() {
        let n = parse_host("_acme-challenge.example.com").unwrap();
        assert_eq!(n.to_ascii(), "_acme-challenge.example.com.");
    }
}
