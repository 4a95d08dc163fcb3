//! The Ingress annotations that shape a Certificate (cert-manager's
//! `translateAnnotations` and `setIssuerSpecificConfig`), with upstream's validation and
//! error texts (`invalid ingress annotation "<key>": <why>`).

use std::collections::BTreeMap;

use crate::api::certificate::{
    CertificatePrivateKey, CertificateSecretTemplate, CertificateSpec, KeyUsage,
    PrivateKeyAlgorithm, PrivateKeyEncoding, RotationPolicy, X509Subject,
};
use crate::api::constants::annotations as keys;
use crate::api::duration::{GoDuration, parse_go_duration};

/// The longest common name X.509 allows (`ub-common-name`).
const MAX_COMMON_NAME: usize = 64;

fn invalid(key: &str, why: impl std::fmt::Display) -> String {
    format!("invalid ingress annotation {key:?}: {why}")
}

/// Go's `strconv.ParseInt(s, 10, bits)` error text.
fn parse_int(s: &str, min: i64, max: i64) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(v) if (min..=max).contains(&v) => Ok(v),
        Ok(_) => Err(format!(
            "strconv.ParseInt: parsing {s:?}: value out of range"
        )),
        Err(e)
            if matches!(
                e.kind(),
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
            ) =>
        {
            Err(format!(
                "strconv.ParseInt: parsing {s:?}: value out of range"
            ))
        }
        Err(_) => Err(format!("strconv.ParseInt: parsing {s:?}: invalid syntax")),
    }
}

/// Splits one CSV record (cert-manager's `SplitWithEscapeCSV`): fields separated by
/// commas; a field may be double-quoted, with `""` for a quote inside.
pub fn split_csv(input: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = input.chars().peekable();
    let mut column = 0usize;
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            column += 1;
            loop {
                match chars.next() {
                    None => {
                        return Err(format!(
                            "parse error on line 1, column {column}: extraneous or missing \" in quoted-field"
                        ));
                    }
                    Some('"') => {
                        column += 1;
                        match chars.peek() {
                            Some('"') => {
                                chars.next();
                                column += 1;
                                field.push('"');
                            }
                            Some(',') | None => break,
                            Some(_) => {
                                return Err(format!(
                                    "parse error on line 1, column {column}: extraneous or missing \" in quoted-field"
                                ));
                            }
                        }
                    }
                    Some(c) => {
                        column += 1;
                        field.push(c);
                    }
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                chars.next();
                column += 1;
                if c == '"' {
                    return Err(format!(
                        "parse error on line 1, column {column}: bare \" in non-quoted-field"
                    ));
                }
                field.push(c);
            }
        }
        fields.push(field);
        match chars.next() {
            Some(',') => column += 1,
            _ => return Ok(fields),
        }
    }
}

fn duration(
    annotations: &BTreeMap<String, String>,
    key: &str,
) -> Result<Option<GoDuration>, String> {
    match annotations.get(key) {
        None => Ok(None),
        Some(v) => {
            let nanos = parse_go_duration(v).map_err(|e| invalid(key, e))?;
            Ok(Some(GoDuration::from_nanos(nanos)))
        }
    }
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn private_key(spec: &mut CertificateSpec) -> &mut CertificatePrivateKey {
    spec.private_key.get_or_insert_with(Default::default)
}

/// Applies the `cert-manager.io/*` field annotations to `spec`.
pub fn translate(
    spec: &mut CertificateSpec,
    annotations: &BTreeMap<String, String>,
) -> Result<(), String> {
    if let Some(cn) = annotations.get(keys::COMMON_NAME) {
        if cn.len() > MAX_COMMON_NAME {
            return Err(invalid(
                keys::COMMON_NAME,
                format!(
                    "common name must be at most {MAX_COMMON_NAME} bytes long, got {}",
                    cn.len()
                ),
            ));
        }
        spec.common_name = Some(cn.clone());
    }
    if let Some(v) = annotations.get(keys::ALT_NAMES) {
        spec.dns_names.get_or_insert_with(Vec::new).extend(list(v));
    }
    if let Some(v) = annotations.get(keys::IP_SANS) {
        let ips = list(v);
        if let Some(bad) = ips
            .iter()
            .find(|ip| ip.parse::<std::net::IpAddr>().is_err())
        {
            return Err(invalid(
                keys::IP_SANS,
                format!("invalid IP address {bad:?}"),
            ));
        }
        spec.ip_addresses.get_or_insert_with(Vec::new).extend(ips);
    }
    if let Some(v) = annotations.get(keys::URI_SANS) {
        spec.uris.get_or_insert_with(Vec::new).extend(list(v));
    }
    if let Some(v) = annotations.get(keys::EMAIL_SANS) {
        spec.email_addresses = Some(list(v));
    }

    let mut subject = X509Subject::default();
    let csv_fields: [(&str, &mut Option<Vec<String>>); 7] = [
        (keys::SUBJECT_ORGANIZATIONS, &mut subject.organizations),
        (
            keys::SUBJECT_ORGANIZATIONAL_UNITS,
            &mut subject.organizational_units,
        ),
        (keys::SUBJECT_COUNTRIES, &mut subject.countries),
        (keys::SUBJECT_PROVINCES, &mut subject.provinces),
        (keys::SUBJECT_LOCALITIES, &mut subject.localities),
        (
            keys::SUBJECT_STREET_ADDRESSES,
            &mut subject.street_addresses,
        ),
        (keys::SUBJECT_POSTAL_CODES, &mut subject.postal_codes),
    ];
    for (key, slot) in csv_fields {
        if let Some(v) = annotations.get(key) {
            *slot = Some(split_csv(v).map_err(|e| invalid(key, e))?);
        }
    }
    if let Some(v) = annotations.get(keys::SUBJECT_SERIAL_NUMBER) {
        subject.serial_number = Some(v.clone());
    }
    if subject != X509Subject::default() {
        spec.subject = Some(subject);
    }

    if let Some(d) = duration(annotations, keys::DURATION)? {
        spec.duration = Some(d);
    }
    if let Some(d) = duration(annotations, keys::RENEW_BEFORE)? {
        spec.renew_before = Some(d);
    }
    if let Some(v) = annotations.get(keys::RENEW_BEFORE_PERCENTAGE) {
        let pct = parse_int(v, i64::from(i32::MIN), i64::from(i32::MAX))
            .map_err(|e| invalid(keys::RENEW_BEFORE_PERCENTAGE, e))?;
        spec.renew_before_percentage = i32::try_from(pct).ok();
    }
    if let Some(v) = annotations.get(keys::USAGES) {
        let mut usages = Vec::new();
        for name in v.split(',') {
            let trimmed = name.trim_matches(' ');
            let usage = KeyUsage::ALL
                .into_iter()
                .find(|u| u.as_str() == trimmed)
                .ok_or_else(|| invalid(keys::USAGES, format!("invalid key usage name {name:?}")))?;
            usages.push(usage);
        }
        spec.usages = Some(usages);
    }
    if let Some(v) = annotations.get(keys::REVISION_HISTORY_LIMIT) {
        let limit = parse_int(v, i64::from(i32::MIN), i64::from(i32::MAX))
            .map_err(|e| invalid(keys::REVISION_HISTORY_LIMIT, e))?;
        if limit < 1 {
            return Err(invalid(
                keys::REVISION_HISTORY_LIMIT,
                format!("revision history limit must be a positive number {v:?}"),
            ));
        }
        spec.revision_history_limit = i32::try_from(limit).ok();
    }
    if let Some(v) = annotations.get(keys::PRIVATE_KEY_ALGORITHM) {
        let algorithm = match v.as_str() {
            "RSA" => PrivateKeyAlgorithm::Rsa,
            "ECDSA" => PrivateKeyAlgorithm::Ecdsa,
            "Ed25519" => PrivateKeyAlgorithm::Ed25519,
            _ => {
                return Err(invalid(
                    keys::PRIVATE_KEY_ALGORITHM,
                    format!("invalid private key algorithm {v:?}"),
                ));
            }
        };
        private_key(spec).algorithm = Some(algorithm);
    }
    if let Some(v) = annotations.get(keys::PRIVATE_KEY_ENCODING) {
        let encoding = match v.as_str() {
            "PKCS1" => PrivateKeyEncoding::Pkcs1,
            "PKCS8" => PrivateKeyEncoding::Pkcs8,
            _ => {
                return Err(invalid(
                    keys::PRIVATE_KEY_ENCODING,
                    format!("invalid private key encoding {v:?}"),
                ));
            }
        };
        private_key(spec).encoding = Some(encoding);
    }
    if let Some(v) = annotations.get(keys::PRIVATE_KEY_SIZE) {
        let size = v.parse::<i64>().map_err(|_| {
            invalid(
                keys::PRIVATE_KEY_SIZE,
                format!("strconv.Atoi: parsing {v:?}: invalid syntax"),
            )
        })?;
        let algorithm = spec
            .private_key
            .as_ref()
            .and_then(|k| k.algorithm)
            .unwrap_or(PrivateKeyAlgorithm::Rsa);
        match algorithm {
            PrivateKeyAlgorithm::Rsa if !(2048..=8192).contains(&size) => {
                return Err(invalid(
                    keys::PRIVATE_KEY_SIZE,
                    format!("invalid private key size for RSA algorithm {v:?}"),
                ));
            }
            PrivateKeyAlgorithm::Ecdsa if ![256, 384, 521].contains(&size) => {
                return Err(invalid(
                    keys::PRIVATE_KEY_SIZE,
                    format!("invalid private key size for ECDSA algorithm {v:?}"),
                ));
            }
            _ => {}
        }
        private_key(spec).size = Some(size);
    }
    if let Some(v) = annotations.get(keys::PRIVATE_KEY_ROTATION_POLICY) {
        let policy = match v.as_str() {
            "Never" => RotationPolicy::Never,
            "Always" => RotationPolicy::Always,
            _ => {
                return Err(invalid(
                    keys::PRIVATE_KEY_ROTATION_POLICY,
                    format!("invalid private key rotation policy {v:?}"),
                ));
            }
        };
        private_key(spec).rotation_policy = Some(policy);
    }
    if let Some(v) = annotations.get(keys::SECRET_TEMPLATE) {
        spec.secret_template = secret_template(v)?;
    }
    Ok(())
}

/// Parses `cert-manager.io/secret-template`: JSON with only `annotations` and `labels`,
/// no `cert-manager.io/` annotation.
fn secret_template(json: &str) -> Result<Option<CertificateSecretTemplate>, String> {
    let key = keys::SECRET_TEMPLATE;
    let parse_err = |e: String| invalid(key, format!("error parsing secret template JSON: {e}"));
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| parse_err(e.to_string()))?;
    if let Some(obj) = value.as_object()
        && let Some(unknown) = obj.keys().find(|k| *k != "annotations" && *k != "labels")
    {
        return Err(parse_err(format!("json: unknown field {unknown:?}")));
    }
    let template: CertificateSecretTemplate =
        serde_json::from_value(value).map_err(|e| parse_err(e.to_string()))?;
    if let Some(bad) = template
        .annotations
        .iter()
        .flatten()
        .map(|(k, _)| k)
        .find(|k| k.starts_with("cert-manager.io/"))
    {
        return Err(invalid(
            key,
            format!("secretTemplate must not have cert-manager.io/ annotations: {bad:?}"),
        ));
    }
    let has_any = template.annotations.as_ref().is_some_and(|a| !a.is_empty())
        || template.labels.as_ref().is_some_and(|l| !l.is_empty());
    Ok(has_any.then_some(template))
}

/// The ACME annotations of the Ingress, as the Certificate annotations the orders
/// controller reads (`setIssuerSpecificConfig`).
pub fn acme_overrides(
    ingress_name: &str,
    ingress_annotations: &BTreeMap<String, String>,
    out: &mut BTreeMap<String, String>,
) {
    if ingress_annotations
        .get(keys::ACME_HTTP01_EDIT_IN_PLACE)
        .is_some_and(|v| v == "true")
    {
        out.insert(
            keys::ACME_HTTP01_OVERRIDE_INGRESS_NAME.to_string(),
            ingress_name.to_string(),
        );
        out.insert(
            keys::ISSUE_TEMPORARY_CERTIFICATE.to_string(),
            "true".to_string(),
        );
    }
    if let Some(v) = ingress_annotations
        .get(keys::ACME_HTTP01_INGRESS_CLASS)
        .filter(|v| !v.is_empty())
    {
        out.insert(
            keys::ACME_HTTP01_OVERRIDE_INGRESS_CLASS.to_string(),
            v.clone(),
        );
    }
    if let Some(v) = ingress_annotations
        .get(keys::ACME_HTTP01_INGRESS_CLASS_NAME)
        .filter(|v| !v.is_empty())
    {
        out.insert(
            keys::ACME_HTTP01_OVERRIDE_INGRESS_CLASS_NAME.to_string(),
            v.clone(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn spec() -> CertificateSpec {
        CertificateSpec::default()
    }

    fn err(pairs: &[(&str, &str)]) -> String {
        translate(&mut spec(), &ann(pairs)).unwrap_err()
    }

    #[test]
    fn every_field_annotation_maps() {
        let mut s = spec();
        translate(
            &mut s,
            &ann(&[
                (keys::COMMON_NAME, "www.example.com"),
                (keys::DURATION, "168h"),
                (keys::RENEW_BEFORE, "24h"),
                (keys::RENEW_BEFORE_PERCENTAGE, "50"),
                (keys::USAGES, "server auth, signing"),
                (keys::REVISION_HISTORY_LIMIT, "7"),
                (keys::EMAIL_SANS, "a@example.com,b@example.com"),
                (keys::ALT_NAMES, "alt.example.com"),
                (keys::IP_SANS, "10.0.0.1"),
                (keys::URI_SANS, "spiffe://example.com/a"),
                (keys::SUBJECT_ORGANIZATIONS, "Org"),
                (keys::SUBJECT_ORGANIZATIONAL_UNITS, "Unit"),
                (keys::SUBJECT_COUNTRIES, "FR"),
                (keys::SUBJECT_PROVINCES, "Province"),
                (keys::SUBJECT_LOCALITIES, "City"),
                (
                    keys::SUBJECT_STREET_ADDRESSES,
                    r#""1725 Slough Avenue, Suite 200","1800 Slough Avenue""#,
                ),
                (keys::SUBJECT_POSTAL_CODES, "ABC123"),
                (keys::SUBJECT_SERIAL_NUMBER, "123456"),
                (keys::PRIVATE_KEY_ALGORITHM, "ECDSA"),
                (keys::PRIVATE_KEY_ENCODING, "PKCS8"),
                (keys::PRIVATE_KEY_SIZE, "384"),
                (keys::PRIVATE_KEY_ROTATION_POLICY, "Never"),
                (keys::SECRET_TEMPLATE, r#"{"labels":{"a":"b"}}"#),
            ]),
        )
        .unwrap();
        assert_eq!(s.common_name.as_deref(), Some("www.example.com"));
        assert_eq!(s.duration.as_ref().map(|d| d.as_str()), Some("168h0m0s"));
        assert_eq!(s.renew_before.as_ref().map(|d| d.as_str()), Some("24h0m0s"));
        assert_eq!(s.renew_before_percentage, Some(50));
        assert_eq!(
            s.usages,
            Some(vec![KeyUsage::ServerAuth, KeyUsage::Signing])
        );
        assert_eq!(s.revision_history_limit, Some(7));
        assert_eq!(s.email_addresses.as_ref().map(Vec::len), Some(2));
        assert_eq!(s.dns_names, Some(vec!["alt.example.com".to_string()]));
        assert_eq!(s.ip_addresses, Some(vec!["10.0.0.1".to_string()]));
        assert_eq!(s.uris, Some(vec!["spiffe://example.com/a".to_string()]));
        let subj = s.subject.unwrap();
        assert_eq!(
            subj.street_addresses,
            Some(vec![
                "1725 Slough Avenue, Suite 200".to_string(),
                "1800 Slough Avenue".to_string()
            ])
        );
        assert_eq!(subj.serial_number.as_deref(), Some("123456"));
        let key = s.private_key.unwrap();
        assert_eq!(key.algorithm, Some(PrivateKeyAlgorithm::Ecdsa));
        assert_eq!(key.encoding, Some(PrivateKeyEncoding::Pkcs8));
        assert_eq!(key.size, Some(384));
        assert_eq!(key.rotation_policy, Some(RotationPolicy::Never));
        assert!(s.secret_template.is_some());
    }

    #[test]
    fn bad_annotations_have_upstream_errors() {
        assert_eq!(
            err(&[(keys::DURATION, "soon")]),
            "invalid ingress annotation \"cert-manager.io/duration\": time: invalid duration \"soon\""
        );
        assert!(err(&[(keys::RENEW_BEFORE, "x")]).contains("renew-before"));
        assert_eq!(
            err(&[(keys::RENEW_BEFORE_PERCENTAGE, "x")]),
            "invalid ingress annotation \"cert-manager.io/renew-before-percentage\": strconv.ParseInt: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            err(&[(keys::USAGES, "server auth,,signing")]),
            "invalid ingress annotation \"cert-manager.io/usages\": invalid key usage name \"\""
        );
        assert_eq!(
            err(&[(keys::REVISION_HISTORY_LIMIT, "0")]),
            "invalid ingress annotation \"cert-manager.io/revision-history-limit\": revision history limit must be a positive number \"0\""
        );
        assert!(
            err(&[(keys::PRIVATE_KEY_ALGORITHM, "DSA")])
                .contains("invalid private key algorithm \"DSA\"")
        );
        assert!(
            err(&[(keys::PRIVATE_KEY_ENCODING, "DER")]).contains("invalid private key encoding")
        );
        assert!(
            err(&[(keys::PRIVATE_KEY_SIZE, "0")])
                .contains("invalid private key size for RSA algorithm \"0\"")
        );
        assert!(
            err(&[
                (keys::PRIVATE_KEY_ALGORITHM, "ECDSA"),
                (keys::PRIVATE_KEY_SIZE, "128")
            ])
            .contains("for ECDSA algorithm")
        );
        assert!(err(&[(keys::PRIVATE_KEY_SIZE, "big")]).contains("strconv.Atoi"));
        assert!(
            err(&[(keys::PRIVATE_KEY_ROTATION_POLICY, "Sometimes")]).contains("rotation policy")
        );
        assert!(err(&[(keys::SUBJECT_STREET_ADDRESSES, "invalid csv\",")]).contains("bare \""));
        assert!(err(&[(keys::COMMON_NAME, &"a".repeat(65))]).contains("at most 64"));
        assert!(err(&[(keys::IP_SANS, "not-an-ip")]).contains("invalid IP address"));
        assert!(
            err(&[(keys::SECRET_TEMPLATE, "{")]).contains("error parsing secret template JSON")
        );
        assert!(
            err(&[(keys::SECRET_TEMPLATE, r#"{"data":{}}"#)]).contains("unknown field \"data\"")
        );
        assert!(
            err(&[(
                keys::SECRET_TEMPLATE,
                r#"{"annotations":{"cert-manager.io/x":"y"}}"#
            )])
            .contains("must not have cert-manager.io/ annotations")
        );
        // Ed25519 ignores the size.
        translate(
            &mut spec(),
            &ann(&[
                (keys::PRIVATE_KEY_ALGORITHM, "Ed25519"),
                (keys::PRIVATE_KEY_SIZE, "1"),
            ]),
        )
        .unwrap();
    }

    #[test]
    fn csv_splitting() {
        assert_eq!(split_csv("a,b").unwrap(), ["a", "b"]);
        assert_eq!(split_csv("").unwrap(), [""]);
        assert_eq!(split_csv(r#""a,b","c""d""#).unwrap(), ["a,b", "c\"d"]);
        assert!(split_csv(r#""open"#).is_err());
        assert!(split_csv(r#""a"b"#).is_err());
        assert!(split_csv(r#"a"b"#).is_err());
    }

    #[test]
    fn acme_annotations_become_overrides() {
        let mut out = BTreeMap::new();
        acme_overrides(
            "web",
            &ann(&[
                (keys::ACME_HTTP01_EDIT_IN_PLACE, "true"),
                (keys::ACME_HTTP01_INGRESS_CLASS, "nginx"),
                (keys::ACME_HTTP01_INGRESS_CLASS_NAME, "nginx-cls"),
            ]),
            &mut out,
        );
        assert_eq!(out[keys::ACME_HTTP01_OVERRIDE_INGRESS_NAME], "web");
        assert_eq!(out[keys::ISSUE_TEMPORARY_CERTIFICATE], "true");
        assert_eq!(out[keys::ACME_HTTP01_OVERRIDE_INGRESS_CLASS], "nginx");
        assert_eq!(
            out[keys::ACME_HTTP01_OVERRIDE_INGRESS_CLASS_NAME],
            "nginx-cls"
        );
        let mut none = BTreeMap::new();
        acme_overrides(
            "web",
            &ann(&[(keys::ACME_HTTP01_EDIT_IN_PLACE, "yes")]),
            &mut none,
        );
        assert!(none.is_empty());
    }
}
