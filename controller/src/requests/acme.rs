//! The ACME CertificateRequest issuer: one Order per request, named and built as
//! cert-manager's `certificaterequests/acme` builds it, and the request completed from
//! the Order's certificate.

use k8s_openapi::ByteString;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::api::{Api, DeleteParams, PostParams};
use kube::{Resource, ResourceExt};

use super::{GenericIssuer, Reporter};
use crate::acme::names::compute_name;
use crate::api::acme::State;
use crate::api::certificate_request::CertificateRequest;
use crate::api::meta::IssuerReference;
use crate::api::order::{Order, OrderSpec};
use crate::context::Context;
use crate::error::{Result, is_conflict, is_not_found};
use crate::pki;

/// Go's `json.Marshal` string: `<`, `>` and `&` escaped as Go does.
pub(crate) fn go_string(s: &str) -> String {
    serde_json::Value::String(s.to_string())
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn go_strings(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| go_string(s)).collect();
    format!("[{}]", items.join(","))
}

/// Go's JSON of a `cmmeta.IssuerReference`.
pub(crate) fn go_issuer_ref(r: &IssuerReference) -> String {
    let mut out = format!("{{\"name\":{}", go_string(&r.name));
    if let Some(k) = r.kind.as_deref().filter(|k| !k.is_empty()) {
        out.push_str(&format!(",\"kind\":{}", go_string(k)));
    }
    if let Some(g) = r.group.as_deref().filter(|g| !g.is_empty()) {
        out.push_str(&format!(",\"group\":{}", go_string(g)));
    }
    out.push('}');
    out
}

/// Go's JSON of an `OrderSpec` without its request (what cert-manager hashes).
fn go_order_spec(spec: &OrderSpec) -> String {
    let mut out = format!(
        "{{\"request\":null,\"issuerRef\":{}",
        go_issuer_ref(&spec.issuer_ref)
    );
    if let Some(cn) = spec.common_name.as_deref().filter(|c| !c.is_empty()) {
        out.push_str(&format!(",\"commonName\":{}", go_string(cn)));
    }
    if let Some(d) = spec.dns_names.as_ref().filter(|d| !d.is_empty()) {
        out.push_str(&format!(",\"dnsNames\":{}", go_strings(d)));
    }
    if let Some(ip) = spec.ip_addresses.as_ref().filter(|d| !d.is_empty()) {
        out.push_str(&format!(",\"ipAddresses\":{}", go_strings(ip)));
    }
    if let Some(d) = &spec.duration {
        // metav1.Duration marshals as Go's Duration.String().
        let s = d
            .nanos()
            .map(crate::api::duration::format_go_duration)
            .unwrap_or_else(|_| d.as_str().to_string());
        out.push_str(&format!(",\"duration\":{}", go_string(&s)));
    }
    if let Some(p) = spec.profile.as_deref().filter(|p| !p.is_empty()) {
        out.push_str(&format!(",\"profile\":{}", go_string(p)));
    }
    if let Some(r) = spec.replaces.as_deref().filter(|r| !r.is_empty()) {
        out.push_str(&format!(",\"replaces\":{}", go_string(r)));
    }
    out.push('}');
    out
}

/// The Order name for a request: `<cr>-<FNV-1 32 of the spec>`; from 52 characters on,
/// the request's name is hashed too.
pub fn order_name(cr_name: &str, spec: &OrderSpec) -> String {
    let spec_json = go_order_spec(spec);
    if cr_name.len() >= crate::acme::names::NAME_PREFIX_MAX {
        let obj = format!(
            "{{\"certificateRequestName\":{},\"spec\":{spec_json}}}",
            go_string(cr_name)
        );
        compute_name(cr_name, &obj)
    } else {
        compute_name(cr_name, &spec_json)
    }
}

/// The Order cert-manager would build for `cr`.
pub(crate) fn build_order(
    cr: &CertificateRequest,
    csr: &pki::CertificateSigningRequest,
    issuer: &GenericIssuer,
) -> Option<Order> {
    let acme = issuer.spec.acme.as_ref()?;
    let sans = csr.sans();
    let spec = OrderSpec {
        request: cr.spec.request.clone(),
        issuer_ref: cr.spec.issuer_ref.clone(),
        common_name: csr
            .subject()
            .first_common_name()
            .map(str::to_string)
            .filter(|c| !c.is_empty()),
        dns_names: Some(sans.dns_names.clone()).filter(|d| !d.is_empty()),
        ip_addresses: Some(
            sans.ip_addresses
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        )
        .filter(|d| !d.is_empty()),
        duration: if acme.enable_duration_feature.unwrap_or(false) {
            cr.spec.duration.clone()
        } else {
            None
        },
        profile: acme.profile.clone().filter(|p| !p.is_empty()),
        replaces: None,
    };
    let name = order_name(&cr.name_any(), &spec);
    let owner = cr.controller_owner_ref(&())?;
    let labels = cr.metadata.labels.clone();
    let annotations = cr.metadata.annotations.clone();
    Some(Order {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: cr.namespace(),
            labels,
            annotations,
            owner_references: Some(vec![OwnerReference {
                block_owner_deletion: Some(true),
                ..owner
            }]),
            ..Default::default()
        },
        spec,
        status: None,
    })
}

/// Signs `cr` through its ACME issuer's Order.
pub(super) async fn sign(
    ctx: &Context,
    reporter: &mut Reporter<'_>,
    issuer: &GenericIssuer,
) -> Result<()> {
    let namespace = reporter.cr.namespace().unwrap_or_default();
    let csr = match pki::CertificateSigningRequest::from_pem(&reporter.cr.spec.request.0) {
        Ok(c) => c,
        Err(e) => {
            reporter
                .failed(
                    "RequestParsingError",
                    format!("Failed to decode CSR in spec.request: {e}"),
                )
                .await;
            return Ok(());
        }
    };
    if let Some(cn) = csr.subject().first_common_name().filter(|c| !c.is_empty()) {
        let sans = csr.sans();
        let ips: Vec<String> = sans.ip_addresses.iter().map(ToString::to_string).collect();
        if !sans.dns_names.iter().any(|d| d == cn) && !ips.iter().any(|i| i == cn) {
            reporter
                .failed(
                    "InvalidOrder",
                    "The CSR PEM requests a commonName that is not present in the list of dnsNames or ipAddresses. If a commonName is set, ACME requires that the value is also present in the list of dnsNames or ipAddresses".to_string(),
                )
                .await;
            return Ok(());
        }
    }
    let Some(expected) = build_order(reporter.cr, &csr, issuer) else {
        reporter
            .failed("OrderBuildingError", "Failed to build order".to_string())
            .await;
        return Ok(());
    };
    let name = expected.name_any();
    let api: Api<Order> = Api::namespaced(ctx.client.clone(), &namespace);
    let order = match api.get_opt(&name).await? {
        Some(o) => o,
        None => {
            match api.create(&PostParams::default(), &expected).await {
                Ok(_) => {}
                Err(e) if is_conflict(&e) => {}
                Err(e) => {
                    reporter
                        .pending(
                            "OrderCreatingError",
                            format!("Failed create new order resource {namespace}/{name}"),
                        )
                        .await;
                    return Err(e.into());
                }
            }
            reporter
                .pending(
                    "OrderCreated",
                    format!("Created Order resource {namespace}/{name}"),
                )
                .await;
            return Ok(());
        }
    };
    let uid = reporter.cr.uid();
    let controlled = order
        .owner_references()
        .iter()
        .any(|o| o.controller == Some(true) && Some(&o.uid) == uid.as_ref());
    if !controlled {
        return Err(crate::error::Error::Other(
            "found Order resource not owned by this CertificateRequest, retrying".to_string(),
        ));
    }
    let status = order.status.clone().unwrap_or_default();
    let state = status.state;
    if let Some(s) = state.filter(|s| s.is_failure()) {
        reporter
            .failed(
                "OrderFailed",
                format!(
                    "Failed to wait for order resource {name:?} to become ready: order is in {:?} state: {}",
                    state_str(s),
                    status.reason.as_deref().unwrap_or_default()
                ),
            )
            .await;
        return Ok(());
    }
    if state != Some(State::Valid) {
        reporter
            .pending(
                "OrderPending",
                format!(
                    "Waiting on certificate issuance from order {namespace}/{name}: {:?}",
                    state.map(state_str).unwrap_or_default()
                ),
            )
            .await;
        return Ok(());
    }
    let Some(chain) = status.certificate.as_ref().filter(|c| !c.0.is_empty()) else {
        reporter
            .pending(
                "OrderPending",
                format!(
                    "Waiting for order-controller to add certificate data to Order {namespace}/{name}"
                ),
            )
            .await;
        return Ok(());
    };
    let leaf = match pki::Certificate::from_pem(&chain.0) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(order = %name, %e, "the Order's certificate does not decode; deleting the Order");
            delete_order(&api, &name).await?;
            return Ok(());
        }
    };
    if leaf.public_key() != csr.public_key() {
        tracing::warn!(order = %name, "the Order's certificate does not match the request's key; deleting the Order");
        delete_order(&api, &name).await?;
        return Ok(());
    }
    let st = reporter.cr.status.get_or_insert_with(Default::default);
    st.certificate = Some(ByteString(chain.0.clone()));
    reporter.ready().await;
    Ok(())
}

async fn delete_order(api: &Api<Order>, name: &str) -> Result<()> {
    match api.delete(name, &DeleteParams::default()).await {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The lower-case state name.
pub(crate) fn state_str(s: State) -> &'static str {
    match s {
        State::Valid => "valid",
        State::Ready => "ready",
        State::Pending => "pending",
        State::Processing => "processing",
        State::Invalid => "invalid",
        State::Expired => "expired",
        State::Errored => "errored",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_spec_json_is_go_shaped() {
        let spec = OrderSpec {
            request: ByteString(b"ignored".to_vec()),
            issuer_ref: IssuerReference {
                name: "le".into(),
                kind: Some("ClusterIssuer".into()),
                group: Some("cert-manager.io".into()),
            },
            common_name: Some("a.example.com".into()),
            dns_names: Some(vec!["a.example.com".into(), "b.example.com".into()]),
            ip_addresses: None,
            duration: None,
            profile: Some("shortlived".into()),
            replaces: None,
        };
        assert_eq!(
            go_order_spec(&spec),
            r#"{"request":null,"issuerRef":{"name":"le","kind":"ClusterIssuer","group":"cert-manager.io"},"commonName":"a.example.com","dnsNames":["a.example.com","b.example.com"],"profile":"shortlived"}"#
        );
        let name = order_name("web-1", &spec);
        assert!(name.starts_with("web-1-"), "{name}");
        assert!(name["web-1-".len()..].parse::<u32>().is_ok(), "{name}");
        // A long request name is hashed too and shortened to 52 characters.
        let long = "a".repeat(60);
        let n = order_name(&long, &spec);
        assert!(n.starts_with(&"a".repeat(52)) && n.len() <= 63, "{n}");
    }

    #[test]
    fn go_strings_escape_html_characters() {
        assert_eq!(go_string("a<b>&"), r#""a\u003cb\u003e\u0026""#);
    }
}
