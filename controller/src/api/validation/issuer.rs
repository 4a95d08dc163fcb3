//! Issuer and ClusterIssuer rules: `ValidateIssuerConfig` of cert-manager's webhook
//! (`internal/apis/certmanager/validation/issuer.go`) for every issuer type.

use serde_json::json;

use super::acme::solver_rules;
use super::{Keyword, Rule, count_set, full_secret_ref, not_empty, set};

/// Most solvers an ACME issuer may list. The bound lets the API server price the
/// per-solver rules; real issuers have a handful.
pub(super) const MAX_SOLVERS: u32 = 1000;

/// A path with a literal `..` segment.
const DOT_DOT_SEGMENT: &str = r"(^|/)\\.\\.(/|$)";

pub(super) fn rules() -> (Vec<Keyword>, Vec<Rule>) {
    let mut keywords = vec![Keyword::new(
        "spec.acme.solvers",
        "maxItems",
        json!(MAX_SOLVERS),
    )];
    let types = ["acme", "ca", "selfSigned", "vault", "venafi"];
    let mut rules = vec![
        Rule::new(
            "spec",
            types
                .iter()
                .map(|t| format!("has(self.{t})"))
                .collect::<Vec<_>>()
                .join(" || "),
            "at least one issuer must be configured",
        )
        .required(),
        Rule::new(
            "spec",
            format!("{} <= 1", count_set(&types)),
            "may not specify more than one issuer type",
        )
        .forbidden(),
    ];
    rules.extend(acme_rules());
    rules.extend(ca_rules());
    rules.extend(vault_rules());
    rules.extend(venafi_rules());
    let (solver_keywords, solver) = solver_rules("spec.acme.solvers[]");
    keywords.extend(solver_keywords);
    rules.extend(solver);
    (keywords, rules)
}

fn acme_rules() -> Vec<Rule> {
    let exclusive = format!(
        "!({} && has(self.skipTLSVerify) && self.skipTLSVerify)",
        set("caBundle")
    );
    let message = "caBundle and skipTLSVerify are mutually exclusive and cannot both be set";
    let mut rules = vec![
        Rule::new("spec.acme", exclusive.clone(), message).field(".caBundle"),
        Rule::new("spec.acme", exclusive, message).field(".skipTLSVerify"),
        Rule::new(
            "spec.acme",
            "size(self.privateKeySecretRef.name) > 0",
            "private key secret name is a required field",
        )
        .field(".privateKeySecretRef.name")
        .required(),
        Rule::new(
            "spec.acme",
            "size(self.server) > 0",
            "acme server URL is a required field",
        )
        .field(".server")
        .required(),
        Rule::new(
            "spec.acme.externalAccountBinding",
            "size(self.keyID) > 0",
            "the keyID field is required when using externalAccountBinding",
        )
        .field(".keyID")
        .required(),
    ];
    rules.extend(full_secret_ref(
        "spec.acme.externalAccountBinding.keySecretRef",
    ));
    rules
}

fn ca_rules() -> Vec<Rule> {
    vec![
        not_empty("spec.ca", "secretName"),
        Rule::new(
            "spec.ca.ocspServers[]",
            "size(self) > 0",
            "must be a valid URL, e.g., http://ocsp.int-x3.letsencrypt.org",
        ),
        Rule::new(
            "spec.ca.issuingCertificateURLs[]",
            "size(self) > 0",
            "must be a valid URL",
        ),
    ]
}

fn no_dot_dot(at: &str, field: &str) -> Rule {
    Rule::new(
        at,
        format!("!has(self.{field}) || !self.{field}.matches('{DOT_DOT_SEGMENT}')"),
        "must not contain '..' path segments",
    )
    .field(&format!(".{field}"))
}

fn vault_rules() -> Vec<Rule> {
    let bundle = format!("!({} && has(self.caBundleSecretRef))", set("caBundle"));
    let auth = "spec.vault.auth";
    let mut rules = vec![
        not_empty("spec.vault", "server"),
        not_empty("spec.vault", "path"),
        no_dot_dot("spec.vault", "path"),
        Rule::new(
            "spec.vault",
            bundle.clone(),
            "specified caBundle and caBundleSecretRef cannot be used together",
        )
        .field(".caBundle"),
        Rule::new(
            "spec.vault",
            bundle,
            "specified caBundleSecretRef and caBundle cannot be used together",
        )
        .field(".caBundleSecretRef"),
        Rule::new(
            "spec.vault",
            "!has(self.clientCertSecretRef) || has(self.clientKeySecretRef)",
            "clientKeySecretRef must be provided when defining the clientCertSecretRef",
        )
        .field(".clientKeySecretRef"),
        Rule::new(
            "spec.vault",
            "!has(self.clientKeySecretRef) || has(self.clientCertSecretRef)",
            "clientCertSecretRef must be provided when defining the clientKeySecretRef",
        )
        .field(".clientCertSecretRef"),
        Rule::new(
            auth,
            [
                "tokenSecretRef",
                "appRole",
                "clientCertificate",
                "kubernetes",
                "aws",
            ]
            .iter()
            .map(|m| format!("has(self.{m})"))
            .collect::<Vec<_>>()
            .join(" || "),
            "please supply one of: appRole, kubernetes, tokenSecretRef, clientCertificate, aws",
        )
        .required(),
        not_empty("spec.vault.auth.appRole", "roleId"),
        Rule::new(
            "spec.vault.auth.appRole",
            "size(self.secretRef.name) > 0",
            "must be specified",
        )
        .field(".secretRef.name")
        .required(),
        no_dot_dot("spec.vault.auth.appRole", "path"),
        no_dot_dot("spec.vault.auth.clientCertificate", "mountPath"),
        not_empty("spec.vault.auth.kubernetes", "role"),
        no_dot_dot("spec.vault.auth.kubernetes", "mountPath"),
    ];
    let kube_secret = "(has(self.secretRef) && size(self.secretRef.name) > 0)";
    rules.extend([
        Rule::new(
            "spec.vault.auth.kubernetes",
            format!("{kube_secret} || has(self.serviceAccountRef)"),
            "please supply one of: secretRef, serviceAccountRef",
        )
        .required(),
        Rule::new(
            "spec.vault.auth.kubernetes",
            format!("!({kube_secret} && has(self.serviceAccountRef))"),
            "please supply one of: secretRef, serviceAccountRef",
        )
        .forbidden(),
        not_empty("spec.vault.auth.kubernetes.serviceAccountRef", "name"),
        no_dot_dot("spec.vault.auth.aws", "mountPath"),
        not_empty("spec.vault.auth.aws.serviceAccountRef", "name"),
        Rule::new(
            "spec.vault.auth.aws",
            format!("!has(self.serviceAccountRef) || {}", set("iamRoleArn")),
            "iamRoleArn is required when using serviceAccountRef for IRSA",
        )
        .field(".iamRoleArn")
        .required(),
    ]);
    rules
}

fn venafi_rules() -> Vec<Rule> {
    vec![
        not_empty("spec.venafi", "zone"),
        // cert-manager's own CRD carries this rule, with this message.
        Rule::new(
            "spec.venafi",
            format!("{} == 1", count_set(&["tpp", "cloud", "ngts"])),
            "exactly one of tpp, cloud, or ngts must be configured",
        ),
        not_empty("spec.venafi.tpp", "url"),
        Rule::new(
            "spec.venafi.tpp",
            format!("!({} && has(self.caBundleSecretRef))", set("caBundle")),
            "may not specify more than one of caBundle/caBundleSecretRef as TPP CA Bundle",
        )
        .forbidden(),
        not_empty("spec.venafi.ngts", "tsgID"),
        Rule::new(
            "spec.venafi.ngts",
            "size(self.credentialsRef.name) > 0",
            "must be specified",
        )
        .field(".credentialsRef.name")
        .required(),
    ]
}
