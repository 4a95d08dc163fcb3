//! CertificateRequest rules: `ValidateCertificateRequest` and
//! `ValidateUpdateCertificateRequest` of cert-manager's webhook
//! (`internal/apis/certmanager/validation/certificaterequest.go`).

use serde_json::json;

use super::certificate::issuer_ref_rules;
use super::{Keyword, Rule};

/// Most conditions a CertificateRequest may carry. cert-manager uses four types;
/// the bound lets the API server price the rules over the list.
const MAX_CONDITIONS: u32 = 64;

pub(super) fn rules() -> (Vec<Keyword>, Vec<Rule>) {
    let keywords = vec![Keyword::new(
        "status.conditions",
        "maxItems",
        json!(MAX_CONDITIONS),
    )];
    let mut rules = issuer_ref_rules("spec.issuerRef");
    rules.extend([Rule::new(
        "spec",
        "self == oldSelf",
        "cannot change spec after creation",
    )
    .forbidden()]);
    for condition in ["Approved", "Denied"] {
        rules.push(Rule::new(
            "status.conditions",
            format!("self.all(c, c.type != '{condition}' || c.status == 'True')"),
            format!("\"{condition}\" condition may only be set to True"),
        ));
    }
    rules.push(
        Rule::new(
            "status.conditions",
            "!(self.exists(c, c.type == 'Approved') && self.exists(c, c.type == 'Denied'))",
            "both 'Denied' and 'Approved' conditions cannot coexist",
        )
        .forbidden(),
    );
    // Once set, Approved and Denied stay exactly as they are. The rule sits at the
    // root so that removing the whole list or status is caught too.
    for condition in ["Approved", "Denied"] {
        let old = format!("oldSelf.status.conditions.filter(c, c.type == '{condition}')");
        let new = format!("self.status.conditions.filter(c, c.type == '{condition}')");
        rules.push(
            Rule::new(
                "",
                format!(
                    "!has(oldSelf.status) || !has(oldSelf.status.conditions) || size({old}) == 0 || (has(self.status) && has(self.status.conditions) && {new} == {old})"
                ),
                format!("'{condition}' condition may not be modified once set"),
            )
            .field(".status.conditions")
            .forbidden(),
        );
    }
    (keywords, rules)
}
