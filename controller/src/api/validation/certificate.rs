//! Certificate rules: what cert-manager's webhook checks in `ValidateCertificateSpec`
//! (`internal/apis/certmanager/validation/certificate.go`).

use serde_json::json;

use super::{DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_MESSAGE, Keyword, Rule, set};

/// `spec.duration`, or its default of 90 days.
const DURATION: &str = "(has(self.duration) ? self.duration : duration('2160h'))";

/// A `literalSubject` holding a non-empty common name (`CN=…`, `commonName=…` or the
/// OID, in any case).
const LITERAL_SUBJECT_HAS_CN: &str = r"self.literalSubject.matches('(?i)(^|[,+])\\s*(cn|commonname|2\\.5\\.4\\.3)\\s*=\\s*[^,+\\s]')";

pub(super) fn rules() -> (Vec<Keyword>, Vec<Rule>) {
    let keywords = vec![
        // The webhook's 64-byte limit on the common name, and the Secret name's limit
        // as a DNS subdomain (which also bounds the cost of the pattern rule).
        Keyword::new("spec.commonName", "maxLength", json!(64)),
        Keyword::new("spec.secretName", "maxLength", json!(253)),
    ];
    let mut rules = vec![
        Rule::new("spec.secretName", "size(self) > 0", "must be specified").required(),
        Rule::new(
            "spec.secretName",
            format!("size(self) == 0 || self.matches('{DNS1123_SUBDOMAIN}')"),
            DNS1123_SUBDOMAIN_MESSAGE,
        ),
    ];
    rules.extend(issuer_ref_rules("spec.issuerRef"));
    rules.extend(lifetime_rules());
    rules.extend(subject_rules());
    rules.extend(private_key_rules());
    rules.extend(output_rules());
    rules.extend([
        Rule::new("spec.revisionHistoryLimit", "self >= 1", "must not be less than 1"),
        Rule::new(
            "spec",
            "!has(self.nameConstraints) || (has(self.isCA) && self.isCA)",
            "isCA should be true when nameConstraints is set",
        )
        .field(".nameConstraints"),
        Rule::new(
            "spec.nameConstraints",
            "has(self.permitted) || has(self.excluded)",
            "either permitted or excluded must be set",
        ),
        Rule::new(
            "spec.renewal",
            "has(self.policy)",
            r#"must be one of "Disabled" or "RenewBefore""#,
        )
        .field(".policy")
        .required(),
        Rule::new(
            "spec.renewal",
            "!has(self.policy) || self.policy != 'Disabled' || !has(self.windows) || size(self.windows) == 0",
            "windows cannot be set when `renewal.policy` is set to Disabled",
        )
        .field(".windows")
        .forbidden(),
    ]);
    (keywords, rules)
}

/// `issuerRef` of a Certificate or CertificateRequest.
pub(super) fn issuer_ref_rules(at: &str) -> Vec<Rule> {
    let known_kind = "!has(self.kind) || self.kind in ['', 'Issuer', 'ClusterIssuer']";
    vec![
        Rule::new(at, "size(self.name) > 0", "must be specified")
            .field(".name")
            .required(),
        // An empty group means cert-manager.io; a kind of another group's issuer there
        // usually means the group was forgotten.
        Rule::new(
            at,
            format!("{} || {known_kind}", set("group")),
            "must be one of Issuer or ClusterIssuer (did you forget to set spec.issuerRef.group?)",
        )
        .field(".kind"),
        Rule::new(
            at,
            format!("!has(self.group) || self.group != 'cert-manager.io' || {known_kind}"),
            "must be one of Issuer or ClusterIssuer",
        )
        .field(".kind"),
    ]
}

/// `duration`, `renewBefore` and `renewBeforePercentage`.
fn lifetime_rules() -> Vec<Rule> {
    let both = "!(has(self.renewBefore) && has(self.renewBeforePercentage))";
    let both_message =
        "renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set";
    // renewBefore = duration × (100 − pct) / 100 must be at least 5m, computed in
    // seconds. Durations of 500000h and more leave at least 5000h for any pct < 100
    // (and keep getSeconds() within 32 bits and the product within 64).
    let pct_min = format!(
        "!has(self.renewBeforePercentage) || (self.renewBeforePercentage < 100 && {DURATION} > duration('0s') && ({DURATION} >= duration('500000h') || {DURATION}.getSeconds() * (100 - self.renewBeforePercentage) >= 30000))"
    );
    vec![
        Rule::new(
            "spec.duration",
            "self >= duration('1h')",
            "certificate duration must be greater than 1h0m0s",
        ),
        Rule::new(
            "spec.renewBefore",
            "self >= duration('5m')",
            "certificate renewBefore must be greater than 5m0s",
        ),
        Rule::new(
            "spec",
            format!("!has(self.renewBefore) || self.renewBefore < {DURATION}"),
            "certificate duration must be greater than renewBefore",
        )
        .field(".renewBefore"),
        Rule::new("spec", both, both_message).field(".renewBefore"),
        Rule::new("spec", both, both_message).field(".renewBeforePercentage"),
        Rule::new(
            "spec",
            pct_min,
            "certificate renewBeforePercentage must result in a renewBefore greater than 5m0s",
        )
        .field(".renewBeforePercentage"),
        Rule::new(
            "spec",
            "!has(self.renewBeforePercentage) || self.renewBeforePercentage > 0",
            "certificate renewBeforePercentage must result in a renewBefore less than duration",
        )
        .field(".renewBeforePercentage"),
    ]
}

/// `literalSubject`, `subject`, `commonName` and the SANs.
fn subject_rules() -> Vec<Rule> {
    let literal = set("literalSubject");
    let subject_set = [
        "organizations",
        "countries",
        "organizationalUnits",
        "localities",
        "provinces",
        "streetAddresses",
        "postalCodes",
        "serialNumber",
    ]
    .iter()
    .map(|f| set(&format!("subject.{f}")))
    .collect::<Vec<_>>()
    .join(" || ");
    let identity = [
        set("commonName"),
        format!("(has(self.literalSubject) && {LITERAL_SUBJECT_HAS_CN})"),
        set("dnsNames"),
        set("emailAddresses"),
        set("ipAddresses"),
        set("otherNames"),
        set("uris"),
    ]
    .join(" || ");
    vec![
        Rule::new(
            "spec",
            format!("!{literal} || !{}", set("commonName")),
            "When providing a `LiteralSubject` no `commonName` may be provided.",
        )
        .field(".commonName"),
        Rule::new(
            "spec",
            format!("!{literal} || !has(self.subject) || !({subject_set})"),
            "When providing a `LiteralSubject` no `Subject` properties may be provided.",
        )
        .field(".subject"),
        Rule::new(
            "spec",
            identity,
            "at least one of commonName (from the commonName field or from a literalSubject), dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs must be set",
        ),
        Rule::new("spec.otherNames[]", set("oid"), "must be specified")
            .field(".oid")
            .required(),
        Rule::new(
            "spec.otherNames[]",
            set("utf8Value"),
            "must be set to a valid non-empty UTF8 string",
        )
        .field(".utf8Value")
        .required(),
    ]
}

/// Key size by algorithm, and the signature algorithm that suits the key.
fn private_key_rules() -> Vec<Rule> {
    let no_size = "!has(self.size) || self.size <= 0";
    let mut rules = vec![
        Rule::new(
            "spec.privateKey",
            format!(
                "{no_size} || (has(self.algorithm) && self.algorithm != 'RSA') || (self.size >= 2048 && self.size <= 8192)"
            ),
            "must be between 2048 and 8192 for rsa keyAlgorithm",
        )
        .field(".size"),
        Rule::new(
            "spec.privateKey",
            format!(
                "{no_size} || !has(self.algorithm) || self.algorithm != 'ECDSA' || self.size in [256, 384, 521]"
            ),
            r#"supported values: "256", "384", "521""#,
        )
        .field(".size"),
    ];
    let algorithm = "(has(self.privateKey) && has(self.privateKey.algorithm) ? self.privateKey.algorithm : 'RSA')";
    for (key, signatures) in [
        (
            "RSA",
            ["SHA256WithRSA", "SHA384WithRSA", "SHA512WithRSA"].as_slice(),
        ),
        (
            "ECDSA",
            ["ECDSAWithSHA256", "ECDSAWithSHA384", "ECDSAWithSHA512"].as_slice(),
        ),
        ("Ed25519", ["PureEd25519"].as_slice()),
    ] {
        let list = signatures
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ");
        rules.push(
            Rule::new(
                "spec",
                format!(
                    "!has(self.signatureAlgorithm) || {algorithm} != '{key}' || self.signatureAlgorithm in [{list}]"
                ),
                format!(
                    "for key algorithm {key} the allowed signature algorithms are [{}]",
                    signatures.join(" ")
                ),
            )
            .field(".signatureAlgorithm"),
        );
    }
    rules
}

/// The Secret's template, keystores and extra output formats.
fn output_rules() -> Vec<Rule> {
    let mut rules = vec![
        Rule::new(
            "spec.secretTemplate.annotations",
            "self.all(k, !k.startsWith('cert-manager.io/') || k == 'cert-manager.io/allow-direct-injection')",
            "cert-manager.io/* annotations are not allowed",
        ),
        // Two formats exist, so more than two entries always repeat one.
        Rule::new(
            "spec.additionalOutputFormats",
            "size(self) <= 1 || (size(self) == 2 && self[0].type != self[1].type)",
            "each output format type may be listed only once",
        ),
    ];
    for (field, name) in [("jks", "JKS"), ("pkcs12", "PKCS#12")] {
        let at = format!("spec.keystores.{field}");
        let secret_ref = "(has(self.passwordSecretRef) && size(self.passwordSecretRef.name) > 0)";
        rules.extend([
            Rule::new(
                &at,
                format!("!(has(self.password) && {secret_ref})"),
                format!(
                    "exactly one of passwordSecretRef and password must be provided for {name} keystores; cannot set both"
                ),
            )
            .forbidden(),
            Rule::new(
                &at,
                format!("has(self.password) || {secret_ref}"),
                format!("must set exactly one of passwordSecretRef and password must for {name} keystores"),
            )
            .forbidden(),
            Rule::new(
                &at,
                "!has(self.password) || size(self.password) > 0",
                format!("literal password cannot be empty if set on {name} keystores"),
            )
            .field(".password")
            .forbidden(),
        ]);
    }
    rules
}
