//! The issuer matrix: every scenario runs once per issuer it applies to, and an issuer
//! skips the scenarios that need a feature it lacks — cert-manager's conformance
//! `FeatureSet` idea (`test/e2e/suite/conformance/certificates`), with the reason shown.

use crate::lab::{LAB_ACME_DNS01, LAB_ACME_HTTP01, LAB_CA, LAB_SELFSIGNED};

/// Features a scenario may declare (cert-manager's feature names where they exist).
pub mod features {
    /// `duration` / `renewBefore` honoured exactly.
    pub const DURATION: &str = "Duration";
    /// Wildcard DNS names.
    pub const WILDCARDS: &str = "Wildcards";
    /// IP address SANs.
    pub const IP_ADDRESSES: &str = "IPAddresses";
    /// URI SANs.
    pub const URI_SANS: &str = "URISANs";
    /// Email SANs.
    pub const EMAIL_SANS: &str = "EmailSANs";
    /// A common name outside the DNS names.
    pub const COMMON_NAME: &str = "CommonName";
    /// Key usages beyond the defaults.
    pub const KEY_USAGES: &str = "KeyUsages";
    /// `ca.crt` in the output Secret.
    pub const SAVE_CA_TO_SECRET: &str = "SaveCAToSecret";
    /// `isCA: true`.
    pub const ISSUE_CA: &str = "IssueCA";
    /// `literalSubject`.
    pub const LITERAL_SUBJECT: &str = "LiteralSubject";
    /// `otherNames`.
    pub const OTHER_NAMES: &str = "OtherNames";
    /// Ed25519 keys.
    pub const ED25519: &str = "Ed25519";
    /// Virtual time (`advanceClock`).
    pub const VIRTUAL_TIME: &str = "VirtualTime";
}

/// One issuer of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixIssuer {
    /// The key scenarios name it by (`selfsigned`, `ca`, `acme-http01`, `acme-dns01`).
    pub key: &'static str,
    /// The lab's ClusterIssuer behind it.
    pub cluster_issuer: &'static str,
    /// Features it cannot provide.
    pub unsupported: &'static [&'static str],
}

use features::*;

/// ACME cannot choose validity, subjects, usages or non-DNS names (Let's Encrypt's
/// rules, which mock-acme follows like Pebble).
const ACME_UNSUPPORTED: [&str; 10] = [
    DURATION,
    URI_SANS,
    EMAIL_SANS,
    COMMON_NAME,
    KEY_USAGES,
    SAVE_CA_TO_SECRET,
    ISSUE_CA,
    LITERAL_SUBJECT,
    OTHER_NAMES,
    IP_ADDRESSES,
];

const HTTP01_UNSUPPORTED: [&str; 11] = [
    DURATION,
    URI_SANS,
    EMAIL_SANS,
    COMMON_NAME,
    KEY_USAGES,
    SAVE_CA_TO_SECRET,
    ISSUE_CA,
    LITERAL_SUBJECT,
    OTHER_NAMES,
    IP_ADDRESSES,
    // HTTP-01 cannot prove control of a wildcard (RFC 8555 §8.3, Let's Encrypt).
    WILDCARDS,
];

/// The matrix, in run order.
pub const ISSUERS: [MatrixIssuer; 4] = [
    MatrixIssuer {
        key: "selfsigned",
        cluster_issuer: LAB_SELFSIGNED,
        // A self-signed certificate is its own CA: there is no separate ca.crt.
        unsupported: &[SAVE_CA_TO_SECRET],
    },
    MatrixIssuer {
        key: "ca",
        cluster_issuer: LAB_CA,
        unsupported: &[],
    },
    MatrixIssuer {
        key: "acme-http01",
        cluster_issuer: LAB_ACME_HTTP01,
        unsupported: &HTTP01_UNSUPPORTED,
    },
    MatrixIssuer {
        key: "acme-dns01",
        cluster_issuer: LAB_ACME_DNS01,
        unsupported: &ACME_UNSUPPORTED,
    },
];

/// The issuer called `key`.
pub fn issuer(key: &str) -> Option<&'static MatrixIssuer> {
    ISSUERS.iter().find(|i| i.key == key)
}

/// Why `issuer` skips a scenario needing `needed`, if it does.
pub fn skip_reason(issuer: &MatrixIssuer, needed: &[String]) -> Option<String> {
    let missing: Vec<&str> = needed
        .iter()
        .map(String::as_str)
        .filter(|f| issuer.unsupported.contains(f))
        .collect();
    (!missing.is_empty()).then(|| format!("{} does not support {}", issuer.key, missing.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenario_loader_knows_exactly_these_issuers() {
        let keys: Vec<&str> = ISSUERS.iter().map(|i| i.key).collect();
        assert_eq!(keys, crate::scenario::model::KNOWN_ISSUERS);
    }

    #[test]
    fn unsupported_features_skip_with_a_reason() {
        let http = issuer("acme-http01").unwrap();
        assert_eq!(
            skip_reason(http, &["Wildcards".into(), "ECDSA".into()]).as_deref(),
            Some("acme-http01 does not support Wildcards")
        );
        assert_eq!(
            skip_reason(issuer("ca").unwrap(), &["Wildcards".into()]),
            None
        );
        let dns = issuer("acme-dns01").unwrap();
        assert_eq!(skip_reason(dns, &["Wildcards".into()]), None);
        assert!(issuer("vault").is_none());
    }
}
