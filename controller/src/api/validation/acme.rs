//! ACME rules: challenge solvers (`ValidateACMEIssuerChallengeSolverConfig` and
//! `ValidateACMEChallengeSolverDNS01`), and the immutability checks of the Order and
//! Challenge webhooks (`internal/apis/acme/validation`).

use serde_json::json;

use super::{
    DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_MESSAGE, Keyword, Rule, count_set, full_secret_ref,
    not_empty, set,
};
use crate::api::constants::limits::TSIG_ALGORITHMS;

/// The DNS-01 providers.
const DNS01_PROVIDERS: [&str; 9] = [
    "akamai",
    "cloudDNS",
    "cloudflare",
    "route53",
    "azureDNS",
    "digitalocean",
    "acmeDNS",
    "rfc2136",
    "webhook",
];

/// Rules for the solver schema at `at` (`spec.acme.solvers[]` of an issuer).
pub(super) fn solver_rules(at: &str) -> (Vec<Keyword>, Vec<Rule>) {
    let http01 = format!("{at}.http01");
    let ingress = format!("{at}.http01.ingress");
    let gateway = format!("{at}.http01.gatewayHTTPRoute");
    let dns01 = format!("{at}.dns01");
    let keywords = vec![
        // IngressClass names are DNS subdomains; the bound prices the pattern rule.
        Keyword::new(
            &format!("{ingress}.ingressClassName"),
            "maxLength",
            json!(253),
        ),
        // The supported algorithms are short; the bound prices the case folding.
        Keyword::new(
            &format!("{dns01}.rfc2136.tsigAlgorithm"),
            "maxLength",
            json!(32),
        ),
    ];
    let service_type = |at: &str| {
        Rule::new(
            at,
            "!has(self.serviceType) || self.serviceType in ['', 'ClusterIP', 'NodePort']",
            r#"must be empty, "ClusterIP" or "NodePort""#,
        )
        .field(".serviceType")
    };
    let mut rules = vec![
        Rule::new(at, "has(self.http01) || has(self.dns01)", "no solver type configured").required(),
        Rule::new(
            at,
            "!(has(self.http01) && has(self.dns01))",
            "may not specify more than one solver type in a single solver",
        )
        .forbidden(),
        Rule::new(
            &format!("{at}.waitInsteadOfSelfCheck"),
            "self >= duration('0s')",
            "waitInsteadOfSelfCheck must not be negative",
        ),
        Rule::new(
            &http01,
            "has(self.ingress) || has(self.gatewayHTTPRoute)",
            "no HTTP01 solver type configured",
        )
        .required(),
        Rule::new(
            &http01,
            "!(has(self.ingress) && has(self.gatewayHTTPRoute))",
            "only 1 HTTP01 solver type may be configured",
        )
        .required(),
        Rule::new(
            &ingress,
            format!(
                "(has(self.class) ? 1 : 0) + (has(self.ingressClassName) ? 1 : 0) + ({} ? 1 : 0) <= 1",
                set("name")
            ),
            "only one of 'ingressClassName', 'name' or 'class' should be specified",
        )
        .forbidden(),
        Rule::new(
            &ingress,
            format!("!has(self.ingressClassName) || self.ingressClassName.matches('{DNS1123_SUBDOMAIN}')"),
            format!("must be a valid IngressClass name: {DNS1123_SUBDOMAIN_MESSAGE}"),
        )
        .field(".ingressClassName"),
        service_type(&ingress),
        service_type(&gateway),
    ];
    rules.extend(dns01_rules(&dns01));
    (keywords, rules)
}

fn dns01_rules(at: &str) -> Vec<Rule> {
    let p = |provider: &str| format!("{at}.{provider}");
    let mut rules = vec![
        Rule::new(
            at,
            DNS01_PROVIDERS
                .iter()
                .map(|f| format!("has(self.{f})"))
                .collect::<Vec<_>>()
                .join(" || "),
            "no DNS01 provider configured",
        )
        .required(),
        Rule::new(
            at,
            format!("{} <= 1", count_set(&DNS01_PROVIDERS)),
            "may not specify more than one provider type",
        )
        .forbidden(),
        // Akamai
        not_empty(&p("akamai"), "serviceConsumerDomain"),
        // Google Cloud DNS
        not_empty(&p("cloudDNS"), "project"),
        // Cloudflare
        Rule::new(
            &p("cloudflare"),
            "!(has(self.apiKeySecretRef) && has(self.apiTokenSecretRef))",
            "apiKeySecretRef and apiTokenSecretRef cannot both be specified",
        )
        .forbidden(),
        Rule::new(
            &p("cloudflare"),
            "has(self.apiKeySecretRef) || has(self.apiTokenSecretRef)",
            "apiKeySecretRef or apiTokenSecretRef is required",
        )
        .required(),
        Rule::new(
            &p("cloudflare"),
            format!("!has(self.apiKeySecretRef) || {}", set("email")),
            "email is required when using apiKeySecretRef",
        )
        .field(".email")
        .required(),
        // Route 53 (the webhook reports this one as "Required")
        Rule::new(
            &p("route53"),
            format!("!({} && has(self.accessKeyIDSecretRef))", set("accessKeyID")),
            "accessKeyID and accessKeyIDSecretRef cannot both be specified",
        )
        .required(),
        // acme-dns
        not_empty(&p("acmeDNS"), "host"),
        // RFC 2136
        not_empty(&p("rfc2136"), "nameserver"),
        Rule::new(
            &p("rfc2136"),
            format!(
                "!{} || self.tsigAlgorithm.upperAscii() in [{}]",
                set("tsigAlgorithm"),
                TSIG_ALGORITHMS
                    .iter()
                    .map(|a| format!("'{a}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "supported values: {}",
                TSIG_ALGORITHMS
                    .iter()
                    .map(|a| format!("\"{a}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .field(".tsigAlgorithm"),
        Rule::new(
            &p("rfc2136"),
            format!(
                "!{} || (has(self.tsigSecretSecretRef) && size(self.tsigSecretSecretRef.name) > 0)",
                set("tsigKeyName")
            ),
            "secret name is required",
        )
        .field(".tsigSecretSecretRef.name")
        .required(),
        Rule::new(
            &p("rfc2136"),
            format!("!{} || (has(self.tsigSecretSecretRef) && {})", set("tsigKeyName"), set("tsigSecretSecretRef.key")),
            "secret key is required",
        )
        .field(".tsigSecretSecretRef.key")
        .required(),
        Rule::new(
            &p("rfc2136"),
            format!(
                "!(has(self.tsigSecretSecretRef) && size(self.tsigSecretSecretRef.name) > 0 && {}) || {}",
                set("tsigSecretSecretRef.key"),
                set("tsigKeyName")
            ),
            "must be specified",
        )
        .field(".tsigKeyName")
        .required(),
        // Webhook
        Rule::new(&p("webhook"), "size(self.solverName) > 0", "solver name must be specified")
            .field(".solverName")
            .required(),
    ];
    rules.extend(azure_rules(&p("azureDNS")));
    for secret_ref in [
        "akamai.accessTokenSecretRef",
        "akamai.clientSecretSecretRef",
        "akamai.clientTokenSecretRef",
        "azureDNS.clientSecretSecretRef",
        "cloudDNS.serviceAccountSecretRef",
        "cloudflare.apiKeySecretRef",
        "cloudflare.apiTokenSecretRef",
        "route53.accessKeyIDSecretRef",
        "acmeDNS.accountSecretRef",
        "digitalocean.tokenSecretRef",
    ] {
        rules.extend(full_secret_ref(&p(secret_ref)));
    }
    rules
}

fn azure_rules(at: &str) -> Vec<Rule> {
    // A service principal is configured when any of its three parts is.
    let sp = format!(
        "({} || {} || has(self.clientSecretSecretRef))",
        set("clientID"),
        set("tenantID")
    );
    let mi = format!("{at}.managedIdentity");
    vec![
        Rule::new(at, format!("!{sp} || {}", set("clientID")), "must be specified with a service principal")
            .field(".clientID")
            .required(),
        Rule::new(
            at,
            format!("!{sp} || has(self.clientSecretSecretRef)"),
            "must be specified with a service principal",
        )
        .field(".clientSecretSecretRef")
        .required(),
        Rule::new(at, format!("!{sp} || {}", set("tenantID")), "must be specified with a service principal")
            .field(".tenantID")
            .required(),
        Rule::new(
            at,
            format!("!{sp} || !has(self.managedIdentity)"),
            "managed identity cannot be used at the same time as clientID, clientSecretSecretRef or tenantID",
        )
        .field(".managedIdentity")
        .forbidden(),
        not_empty(at, "subscriptionID"),
        not_empty(at, "resourceGroupName"),
        Rule::new(
            &mi,
            format!("!({} && {})", set("clientID"), set("resourceID")),
            "managedIdentityClientID and managedIdentityResourceID cannot both be specified",
        )
        .forbidden(),
        Rule::new(
            &mi,
            format!("!({} && {})", set("tenantID"), set("resourceID")),
            "managedIdentityTenantID and managedIdentityResourceID cannot both be specified",
        )
        .forbidden(),
        Rule::new(
            &mi,
            format!("!{} || {}", set("tenantID"), set("clientID")),
            "managedIdentityClientID is required when using managedIdentityTenantID",
        )
        .required(),
    ]
}

/// Order: the request and what the ACME server returned never change once set.
pub(super) fn order_rules() -> (Vec<Keyword>, Vec<Rule>) {
    let immutable = "field is immutable once set";
    let mut rules = vec![Rule::new("spec.request", "self == oldSelf", immutable).forbidden()];
    // Each authorization's fields may be filled in once (the identifiers and challenges
    // arrive after the order is created), never changed.
    let once = |f: &str| format!("(!has(o.{f}) || (has(n.{f}) && n.{f} == o.{f}))");
    rules.push(
        Rule::new(
            "status",
            format!(
                "!has(oldSelf.authorizations) || size(oldSelf.authorizations) == 0 || (has(self.authorizations) && size(self.authorizations) == size(oldSelf.authorizations) && oldSelf.authorizations.all(o, self.authorizations.exists(n, n.url == o.url && {} && {} && {} && {})))",
                once("identifier"),
                once("wildcard"),
                once("initialState"),
                once("challenges"),
            ),
            immutable,
        )
        .field(".authorizations")
        .forbidden(),
    );
    for field in ["url", "finalizeURL", "certificate"] {
        rules.push(
            Rule::new(
                "status",
                format!(
                    "!has(oldSelf.{field}) || size(oldSelf.{field}) == 0 || (has(self.{field}) && self.{field} == oldSelf.{field})"
                ),
                immutable,
            )
            .field(&format!(".{field}"))
            .forbidden(),
        );
    }
    (Vec::new(), rules)
}

/// Challenge: the spec never changes.
pub(super) fn challenge_rules() -> (Vec<Keyword>, Vec<Rule>) {
    (
        Vec::new(),
        vec![
            Rule::new(
                "spec",
                "self == oldSelf",
                "challenge spec is immutable after creation",
            )
            .forbidden(),
        ],
    )
}
