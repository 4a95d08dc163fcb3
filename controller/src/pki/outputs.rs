//! What the issuing controller writes into a Certificate's Secret besides `tls.crt`,
//! `tls.key` and `ca.crt`: the certificate-detail annotations
//! (`AnnotationsForCertificate`) and the additional output formats `key.der` and
//! `tls-combined.pem` (`internal/controller/certificates/secrets.go`).

use std::collections::BTreeMap;

use super::cert::Certificate;
use super::error::{PkiError, Result};
use super::pem;

/// Secret key of the DER additional output format.
pub const DER_KEY: &str = "key.der";
/// Secret key of the CombinedPEM additional output format.
pub const COMBINED_PEM_KEY: &str = "tls-combined.pem";

/// `key.der`: the DER payload of the first PEM block of `tls.key`, i.e. the key in the
/// encoding `spec.privateKey.encoding` chose (PKCS#1/SEC1 by default, PKCS#8 with
/// `PKCS8`).
pub fn der_output(tls_key: &[u8]) -> Result<Vec<u8>> {
    let (block, _) = pem::decode_limited(tls_key, pem::MAX_PRIVATE_KEY_PEM_SIZE)?
        .ok_or_else(|| PkiError::Pem("no PEM data was found in given input".to_string()))?;
    Ok(block.contents)
}

/// `tls-combined.pem`: the private key, a newline, then the certificate chain.
pub fn combined_pem_output(tls_key: &[u8], tls_crt: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tls_key.len() + tls_crt.len() + 1);
    out.extend_from_slice(tls_key);
    out.push(b'\n');
    out.extend_from_slice(tls_crt);
    out
}

/// The `cert-manager.io/*` annotations describing the issued certificate:
/// `common-name`, `alt-names`, `ip-sans` and `uri-sans` always (possibly empty);
/// `email-sans`, `subject-serialnumber` and the other `subject-*` only when non-empty.
/// Lists are single CSV lines, as Go's `encoding/csv` writes them.
pub fn certificate_annotations(cert: &Certificate) -> BTreeMap<String, String> {
    let s = cert.summary();
    let f = &s.subject;
    let mut a = BTreeMap::new();
    // The common name and serial number are plain strings, not CSV.
    put_plain(&mut a, true, "common-name", &f.common_name);
    put_plain(&mut a, false, "subject-serialnumber", &f.serial_number);
    let mut put = |keep_empty: bool, key: &str, values: &[String]| {
        if values.is_empty() && !keep_empty {
            return;
        }
        a.insert(format!("cert-manager.io/{key}"), join_csv(values));
    };
    put(false, "subject-organizations", &f.organizations);
    put(
        false,
        "subject-organizationalunits",
        &f.organizational_units,
    );
    put(false, "subject-countries", &f.countries);
    put(false, "subject-provinces", &f.provinces);
    put(false, "subject-localities", &f.localities);
    put(false, "subject-postalcodes", &f.postal_codes);
    put(false, "subject-streetaddresses", &f.street_addresses);
    put(false, "email-sans", &s.email_addresses);
    put(true, "alt-names", &s.dns_names);
    put(true, "ip-sans", &s.ip_addresses);
    put(true, "uri-sans", &s.uris);
    a
}

fn put_plain(a: &mut BTreeMap<String, String>, keep_empty: bool, key: &str, value: &str) {
    if value.is_empty() && !keep_empty {
        return;
    }
    a.insert(format!("cert-manager.io/{key}"), value.to_string());
}

/// One CSV record as Go's `csv.Writer` writes it (comma separated, fields quoted when
/// they contain a comma, quote, CR or LF or start with a space), without the trailing
/// newline.
pub fn join_csv(values: &[String]) -> String {
    values
        .iter()
        .map(|v| {
            let needs_quotes = !v.is_empty()
                && (v == r"\."
                    || v.contains([',', '"', '\r', '\n'])
                    || v.chars().next().is_some_and(char::is_whitespace));
            if needs_quotes {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_matches_go() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            join_csv(&v(&["a.example", "b.example"])),
            "a.example,b.example"
        );
        assert_eq!(
            join_csv(&v(&["10 Downing Street, Westminster", "Manchester"])),
            "\"10 Downing Street, Westminster\",Manchester"
        );
        assert_eq!(join_csv(&v(&["say \"hi\""])), "\"say \"\"hi\"\"\"");
        assert_eq!(join_csv(&v(&[" lead"])), "\" lead\"");
        assert_eq!(join_csv(&v(&[""])), "");
        assert_eq!(join_csv(&[]), "");
    }

    #[test]
    fn combined_pem_is_key_newline_chain() {
        assert_eq!(
            combined_pem_output(b"KEY\n", b"CERT\n"),
            b"KEY\n\nCERT\n".to_vec()
        );
        assert!(der_output(b"nothing").is_err());
    }
}
