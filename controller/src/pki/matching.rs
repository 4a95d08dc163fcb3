//! Does what was issued still match what is asked? cert-manager's `pkg/util/pki/match.go`:
//! `PrivateKeyMatchesSpec`, `RequestMatchesSpec` and `FuzzyX509AltNamesMatchSpec`,
//! returning the names of the Certificate fields that differ (`spec.dnsNames`, …),
//! plus the trigger-policy messages built from them.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::cert::Certificate;
use super::csr::CertificateSigningRequest;
use super::der::Civil;
use super::error::Result;
use super::key::{EcCurve, KeyAlgorithm, PrivateKey, PrivateKeySpec};
use super::sans::{OtherName, ip_key};
use super::spec::{CertificateRequestSpec, CertificateSpec, IssuerRef};
use super::subject::DistinguishedName;

/// `PrivateKeyMatchesSpec`: `spec.privateKey.algorithm` when the algorithm differs,
/// `spec.privateKey.size` when the RSA size or ECDSA curve differs.
pub fn private_key_matches_spec(key: &PrivateKey, spec: &PrivateKeySpec) -> Vec<&'static str> {
    if key.algorithm() != spec.algorithm {
        return vec!["spec.privateKey.algorithm"];
    }
    let size_differs = match spec.algorithm {
        KeyAlgorithm::Rsa => key.bits() != spec.effective_size(),
        KeyAlgorithm::Ecdsa => key.curve().map(EcCurve::bits) != Some(spec.effective_size()),
        KeyAlgorithm::Ed25519 => false,
    };
    if size_differs {
        vec!["spec.privateKey.size"]
    } else {
        Vec::new()
    }
}

fn equal_unsorted(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

/// Compares IP addresses as Go's `ipSlicesMatch`: spec strings that do not parse
/// count as a "nil" address.
fn ips_match(parsed: &[IpAddr], spec: &[String]) -> bool {
    let mut a: Vec<Option<[u8; 16]>> = parsed.iter().map(|ip| Some(ip_key(ip))).collect();
    let mut b: Vec<Option<[u8; 16]>> = spec
        .iter()
        .map(|s| s.parse::<IpAddr>().ok().map(|ip| ip_key(&ip)))
        .collect();
    a.sort();
    b.sort();
    a == b
}

/// `RequestMatchesSpec`: the Certificate fields whose values differ from the
/// CertificateRequest (`RequestChanged`). Fails when the request's CSR does not parse
/// or the literal subject is invalid.
pub fn request_matches_spec(
    request: &CertificateRequestSpec,
    spec: &CertificateSpec,
) -> Result<Vec<&'static str>> {
    let csr = CertificateSigningRequest::from_pem(&request.request)?;
    let mut v = Vec::new();
    let sans = csr.sans();
    if !ips_match(&sans.ip_addresses, &spec.ip_addresses) {
        v.push("spec.ipAddresses");
    }
    if !equal_unsorted(&sans.uris, &spec.uris) {
        v.push("spec.uris");
    }
    if !equal_unsorted(&sans.email_addresses, &spec.email_addresses) {
        v.push("spec.emailAddresses");
    }
    if !equal_unsorted(&sans.dns_names, &spec.dns_names) {
        v.push("spec.dnsNames");
    }
    if !spec.other_names.is_empty() {
        let matched = if csr.decoded_extensions().has_sans {
            let mut have: Vec<OtherName> = sans.utf8_other_names()?;
            let mut want = spec.other_names.clone();
            have.sort();
            want.sort();
            have == want
        } else {
            false
        };
        if !matched {
            v.push("spec.otherNames");
        }
    }
    if spec.literal_subject.is_empty() {
        let f = csr.subject().fields();
        let s = &spec.subject;
        if f.common_name != spec.common_name {
            v.push("spec.commonName");
        }
        if f.serial_number != s.serial_number {
            v.push("spec.subject.serialNumber");
        }
        let checks: [(&[String], &[String], &'static str); 7] = [
            (
                &f.organizations,
                &s.organizations,
                "spec.subject.organizations",
            ),
            (&f.countries, &s.countries, "spec.subject.countries"),
            (&f.localities, &s.localities, "spec.subject.localities"),
            (
                &f.organizational_units,
                &s.organizational_units,
                "spec.subject.organizationalUnits",
            ),
            (&f.postal_codes, &s.postal_codes, "spec.subject.postCodes"),
            (&f.provinces, &s.provinces, "spec.subject.provinces"),
            (
                &f.street_addresses,
                &s.street_addresses,
                "spec.subject.streetAddresses",
            ),
        ];
        for (have, want, name) in checks {
            if !equal_unsorted(have, want) {
                v.push(name);
            }
        }
    } else {
        let want = DistinguishedName::from_literal_subject(&spec.literal_subject)?.to_der()?;
        if csr.subject_der() != want.as_slice() {
            v.push("spec.literalSubject");
        }
    }
    if request.is_ca != spec.is_ca {
        v.push("spec.isCA");
    }
    let mut have_usages: Vec<&str> = request.usages.iter().map(|u| u.as_str()).collect();
    let mut want_usages: Vec<&str> = spec.usages.iter().map(|u| u.as_str()).collect();
    have_usages.sort_unstable();
    want_usages.sort_unstable();
    if have_usages != want_usages {
        v.push("spec.usages");
    }
    if let (Some(a), Some(b)) = (request.duration, spec.duration)
        && a != b
    {
        v.push("spec.duration");
    }
    if !request.issuer_ref.same_issuer(&spec.issuer_ref) {
        v.push("spec.issuerRef");
    }
    Ok(v)
}

/// `FuzzyX509AltNamesMatchSpec`: a loose comparison of an issued certificate with the
/// spec, used when the CertificateRequest is gone. The common name may move between
/// the CN and the DNS names freely.
pub fn certificate_matches_spec(cert: &Certificate, spec: &CertificateSpec) -> Vec<&'static str> {
    let summary = cert.summary();
    let mut v = Vec::new();
    let mut expected: BTreeSet<&str> = spec.dns_names.iter().map(String::as_str).collect();
    if !spec.common_name.is_empty() {
        expected.insert(&spec.common_name);
    }
    let mut all: BTreeSet<&str> = summary.dns_names.iter().map(String::as_str).collect();
    if !summary.common_name.is_empty() {
        all.insert(&summary.common_name);
    }
    if all != expected {
        if (!spec.common_name.is_empty() && !all.contains(spec.common_name.as_str()))
            || (!summary.common_name.is_empty() && !expected.contains(summary.common_name.as_str()))
        {
            v.push("spec.commonName");
        }
        if !spec.dns_names.iter().all(|d| all.contains(d.as_str()))
            || !summary
                .dns_names
                .iter()
                .all(|d| expected.contains(d.as_str()))
        {
            v.push("spec.dnsNames");
        }
    }
    if !ips_match(
        &cert.decoded_extensions().sans.ip_addresses,
        &spec.ip_addresses,
    ) {
        v.push("spec.ipAddresses");
    }
    if !equal_unsorted(&summary.uris, &spec.uris) {
        v.push("spec.uris");
    }
    if !equal_unsorted(&summary.email_addresses, &spec.email_addresses) {
        v.push("spec.emailAddresses");
    }
    v
}

/// Formats violations as Go's `%v` of a string slice: `[spec.dnsNames spec.isCA]`.
pub fn format_violations(violations: &[&str]) -> String {
    format!("[{}]", violations.join(" "))
}

/// Go's `%q` of a string: double-quoted with Go escapes.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if c.is_control() => {
                let n = u32::from(c);
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else {
                    out.push_str(&format!("\\u{n:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `time.Time.String()` of a UTC time at whole seconds:
/// `2006-01-02 15:04:05 +0000 UTC`.
pub fn go_time_string(t: std::time::SystemTime) -> String {
    let c = Civil::from_system_time(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} +0000 UTC",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// Go's `time.RFC1123` of a UTC time: `Mon, 02 Jan 2006 15:04:05 UTC`.
pub fn go_rfc1123(t: std::time::SystemTime) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let c = Civil::from_system_time(t);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} UTC",
        DAYS.get(c.weekday as usize).copied().unwrap_or("???"),
        c.day,
        MONTHS
            .get(c.month.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("???"),
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

/// Trigger-policy messages cert-manager builds from these comparisons.
pub mod messages {
    use super::{IssuerRef, format_violations, go_quote};

    /// `SecretMismatch` for a private key that no longer fits `spec.privateKey`.
    pub fn private_key_mismatch(violations: &[&str]) -> String {
        format!(
            "Existing private key is not up to date for spec: {}",
            format_violations(violations)
        )
    }

    /// `SecretMismatch` from the fuzzy certificate comparison (no request left).
    pub fn secret_mismatch(violations: &[&str]) -> String {
        format!(
            "Issuing certificate as Existing issued Secret is not up to date for spec: {}",
            format_violations(violations)
        )
    }

    /// `RequestChanged`.
    pub fn request_changed(violations: &[&str]) -> String {
        format!(
            "Fields on existing CertificateRequest resource not up to date: {}",
            format_violations(violations)
        )
    }

    /// `IncorrectCertificate`: the Secret names another Certificate.
    pub fn incorrect_certificate(secret_certificate_name: &str) -> String {
        format!(
            "Secret was issued for {}. If this message is not transient, you might have two conflicting Certificates pointing to the same secret.",
            go_quote(secret_certificate_name)
        )
    }

    /// `IncorrectIssuer`: the Secret was issued by another issuer (from its
    /// `cert-manager.io/issuer-{name,kind,group}` annotations).
    pub fn incorrect_issuer(previous: &IssuerRef) -> String {
        format!(
            "Issuing certificate as Secret was previously issued by {}",
            go_quote(&previous.display_with_defaults())
        )
    }

    /// `Renewing`: the message for a renewal scheduled at `renewal_time`
    /// (`status.renewalTime`, printed as Go prints a UTC time; `<nil>` when unset).
    pub fn renewing(renewal_time: Option<std::time::SystemTime>) -> String {
        let when = renewal_time.map_or_else(|| "<nil>".to_string(), super::go_time_string);
        format!("Renewing certificate as renewal was scheduled at {when}")
    }

    /// `Expired` (readiness): "Certificate expired on <RFC 1123 notAfter>".
    pub fn expired(not_after: std::time::SystemTime) -> String {
        format!("Certificate expired on {}", super::go_rfc1123(not_after))
    }

    /// `InvalidKeyPair`: the Secret's key does not match its certificate.
    pub const KEY_PAIR_MISMATCH: &str =
        "Issuing certificate as Secret contains a private key that does not match the certificate";

    /// `SecretMismatch`: the Secret's key does not match the current request.
    pub const KEY_REQUEST_MISMATCH: &str =
        "Secret contains a private key that does not match the current CertificateRequest";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_formatting_follow_go() {
        assert_eq!(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(
            format_violations(&["spec.dnsNames", "spec.isCA"]),
            "[spec.dnsNames spec.isCA]"
        );
        assert_eq!(format_violations(&[]), "[]");
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_136_214_245); // 2006-01-02 15:04:05
        assert_eq!(go_rfc1123(t), "Mon, 02 Jan 2006 15:04:05 UTC");
        assert_eq!(
            messages::renewing(Some(t)),
            "Renewing certificate as renewal was scheduled at 2006-01-02 15:04:05 +0000 UTC"
        );
        assert_eq!(
            messages::renewing(None),
            "Renewing certificate as renewal was scheduled at <nil>"
        );
        assert_eq!(
            messages::expired(t),
            "Certificate expired on Mon, 02 Jan 2006 15:04:05 UTC"
        );
        assert_eq!(
            messages::incorrect_issuer(&IssuerRef {
                name: "ca".into(),
                ..Default::default()
            }),
            "Issuing certificate as Secret was previously issued by \"Issuer.cert-manager.io/ca\""
        );
    }
}
