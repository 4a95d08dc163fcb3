//! The solver Ingress (`pkg/issuer/acme/http/ingress.go`): one rule for the challenge's
//! host with the `Exact` path `/.well-known/acme-challenge/<token>` to the solver
//! Service; or, with `ingress.name`, that path added to (and later removed from) an
//! existing Ingress.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, ServiceBackendPort,
};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};

use super::{GENERATE_NAME, Http01Error, owned, owner_ref, solver_labels};
use crate::acme::solver_server::{CHALLENGE_PATH, LISTEN_PORT};
use crate::api::acme::AcmeChallengeSolverHttp01Ingress;
use crate::api::challenge::Challenge;
use crate::context::Context;
use crate::error::is_not_found;

/// The legacy class annotation (`class`).
pub const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// Lets every source reach the solver through ingress-nginx.
pub const WHITELIST_ANNOTATION: &str = "nginx.ingress.kubernetes.io/whitelist-source-range";

/// The challenge path.
pub fn challenge_path(token: &str) -> String {
    format!("{CHALLENGE_PATH}/{token}")
}

/// The path entry routing the challenge to `service`.
pub fn ingress_path(token: &str, service: &str) -> HTTPIngressPath {
    HTTPIngressPath {
        path: Some(challenge_path(token)),
        path_type: "Exact".to_string(),
        backend: IngressBackend {
            service: Some(IngressServiceBackend {
                name: service.to_string(),
                port: Some(ServiceBackendPort {
                    number: Some(i32::from(LISTEN_PORT)),
                    ..Default::default()
                }),
            }),
            ..Default::default()
        },
    }
}

/// The Ingress for a challenge (`class` and `ingressClassName` are exclusive).
pub fn build(
    ch: &Challenge,
    cfg: &AcmeChallengeSolverHttp01Ingress,
    service: &str,
) -> Result<Ingress, Http01Error> {
    let class = cfg.class.clone().filter(|c| !c.is_empty());
    let class_name = cfg.ingress_class_name.clone().filter(|c| !c.is_empty());
    if class.is_some() && class_name.is_some() {
        return Err(Http01Error::Config(
            "only one of 'ingressClassName' or 'class' should be specified".into(),
        ));
    }
    let mut labels = solver_labels(ch);
    let mut annotations = BTreeMap::from([(
        WHITELIST_ANNOTATION.to_string(),
        "0.0.0.0/0,::/0".to_string(),
    )]);
    if let Some(class) = class {
        annotations.insert(CLASS_ANNOTATION.to_string(), class);
    }
    if let Some(meta) = cfg
        .ingress_template
        .as_ref()
        .and_then(|t| t.metadata.as_ref())
    {
        if let Some(l) = &meta.labels {
            labels.extend(l.clone());
        }
        if let Some(a) = &meta.annotations {
            annotations.extend(a.clone());
        }
    }
    Ok(Ingress {
        metadata: ObjectMeta {
            generate_name: Some(GENERATE_NAME.to_string()),
            namespace: ch.namespace(),
            labels: Some(labels),
            annotations: Some(annotations),
            owner_references: Some(vec![owner_ref(ch)]),
            ..Default::default()
        },
        spec: Some(IngressSpec {
            ingress_class_name: class_name,
            rules: Some(vec![IngressRule {
                host: Some(ch.spec.dns_name.clone()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![ingress_path(&ch.spec.token, service)],
                }),
            }]),
            ..Default::default()
        }),
        status: None,
    })
}

/// The existing Ingress to edit, if the solver names one.
fn edit_in_place(cfg: &AcmeChallengeSolverHttp01Ingress) -> Option<&str> {
    cfg.name.as_deref().filter(|n| !n.is_empty())
}

/// Ensures the challenge is routed: the owned Ingress exists with the right rule, or
/// the named Ingress carries the path.
pub async fn ensure(
    ctx: &Context,
    ch: &Challenge,
    cfg: &AcmeChallengeSolverHttp01Ingress,
    service: &Service,
) -> Result<(), Http01Error> {
    let ns = ch.namespace().unwrap_or_default();
    let api: Api<Ingress> = Api::namespaced(ctx.client.clone(), &ns);
    let service = service.name_any();
    if let Some(name) = edit_in_place(cfg) {
        let mut ing = api.get(name).await?;
        if add_path(&mut ing, &ch.spec.dns_name, &ch.spec.token, &service) {
            api.replace(name, &PostParams::default(), &ing).await?;
        }
        return Ok(());
    }
    let existing = owned::<Ingress>(ctx, ch).await?;
    match existing.as_slice() {
        [] => {
            api.create(&PostParams::default(), &build(ch, cfg, &service)?)
                .await?;
        }
        [one] => {
            // Keep its routing pointed at the current Service.
            let mut ing = one.clone();
            if add_path(&mut ing, &ch.spec.dns_name, &ch.spec.token, &service) {
                api.replace(&one.name_any(), &PostParams::default(), &ing)
                    .await?;
            }
        }
        many => {
            for i in many {
                let _ = api.delete(&i.name_any(), &DeleteParams::background()).await;
            }
            return Err(Http01Error::Config(format!(
                "multiple challenge solver ingresses found for challenge {:?}; cleaning up existing ingresses",
                ch.name_any()
            )));
        }
    }
    Ok(())
}

/// Adds (or repoints) the challenge path under the rule for `host`, adding the rule
/// when missing. Whether anything changed.
pub fn add_path(ing: &mut Ingress, host: &str, token: &str, service: &str) -> bool {
    let want = ingress_path(token, service);
    let spec = ing.spec.get_or_insert_with(Default::default);
    let rules = spec.rules.get_or_insert_with(Vec::new);
    if let Some(rule) = rules.iter_mut().find(|r| r.host.as_deref() == Some(host)) {
        let http = rule
            .http
            .get_or_insert_with(|| HTTPIngressRuleValue { paths: Vec::new() });
        if let Some(p) = http.paths.iter_mut().find(|p| p.path == want.path) {
            if *p == want {
                return false;
            }
            *p = want;
            return true;
        }
        http.paths.insert(0, want);
        return true;
    }
    rules.push(IngressRule {
        host: Some(host.to_string()),
        http: Some(HTTPIngressRuleValue { paths: vec![want] }),
    });
    true
}

/// Removes the challenge path from the rule for `host` (and the rule when it is left
/// without paths). Whether anything changed.
pub fn remove_path(ing: &mut Ingress, host: &str, token: &str) -> bool {
    let path = challenge_path(token);
    let Some(rules) = ing.spec.as_mut().and_then(|s| s.rules.as_mut()) else {
        return false;
    };
    let mut changed = false;
    for rule in rules.iter_mut().filter(|r| r.host.as_deref() == Some(host)) {
        if let Some(http) = rule.http.as_mut() {
            let before = http.paths.len();
            http.paths
                .retain(|p| p.path.as_deref() != Some(path.as_str()));
            changed |= http.paths.len() != before;
        }
    }
    if changed {
        rules.retain(|r| {
            r.host.as_deref() != Some(host) || r.http.as_ref().is_none_or(|h| !h.paths.is_empty())
        });
    }
    changed
}

/// Removes the path from an edited Ingress (owned Ingresses are deleted by the caller).
pub async fn clean_up(
    ctx: &Context,
    ch: &Challenge,
    cfg: &AcmeChallengeSolverHttp01Ingress,
) -> Result<(), Http01Error> {
    let Some(name) = edit_in_place(cfg) else {
        return Ok(());
    };
    let api: Api<Ingress> =
        Api::namespaced(ctx.client.clone(), &ch.namespace().unwrap_or_default());
    let mut ing = match api.get(name).await {
        Ok(i) => i,
        Err(e) if is_not_found(&e) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    if remove_path(&mut ing, &ch.spec.dns_name, &ch.spec.token) {
        api.replace(name, &PostParams::default(), &ing).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ingress_with(host: &str, paths: &[&str]) -> Ingress {
        Ingress {
            spec: Some(IngressSpec {
                rules: Some(vec![IngressRule {
                    host: Some(host.into()),
                    http: Some(HTTPIngressRuleValue {
                        paths: paths
                            .iter()
                            .map(|p| {
                                let mut x = ingress_path("x", "app");
                                x.path = Some(p.to_string());
                                x.path_type = "Prefix".into();
                                x
                            })
                            .collect(),
                    }),
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn edit_in_place_adds_then_removes_only_its_path() {
        let mut ing = ingress_with("a.example", &["/"]);
        assert!(add_path(&mut ing, "a.example", "tok", "svc"));
        assert!(!add_path(&mut ing, "a.example", "tok", "svc"), "idempotent");
        let rules = ing.spec.as_ref().unwrap().rules.as_ref().unwrap();
        let paths = &rules[0].http.as_ref().unwrap().paths;
        assert_eq!(paths.len(), 2);
        assert_eq!(
            paths[0].path.as_deref(),
            Some("/.well-known/acme-challenge/tok")
        );
        assert_eq!(paths[0].path_type, "Exact");
        assert!(remove_path(&mut ing, "a.example", "tok"));
        assert_eq!(ing, ingress_with("a.example", &["/"]));
        assert!(!remove_path(&mut ing, "a.example", "tok"));
    }

    #[test]
    fn a_missing_host_gets_its_own_rule_which_clean_up_removes() {
        let mut ing = ingress_with("a.example", &["/"]);
        assert!(add_path(&mut ing, "b.example", "tok", "svc"));
        assert_eq!(ing.spec.as_ref().unwrap().rules.as_ref().unwrap().len(), 2);
        assert!(remove_path(&mut ing, "b.example", "tok"));
        assert_eq!(ing, ingress_with("a.example", &["/"]));
    }

    #[test]
    fn a_changed_service_repoints_the_path() {
        let mut ing = ingress_with("a.example", &[]);
        add_path(&mut ing, "a.example", "tok", "svc1");
        assert!(add_path(&mut ing, "a.example", "tok", "svc2"));
        let rules = ing.spec.as_ref().unwrap().rules.as_ref().unwrap();
        let paths = &rules[0].http.as_ref().unwrap().paths;
        assert_eq!(paths.len(), 1);
        assert_eq!(paths[0].backend.service.as_ref().unwrap().name, "svc2");
    }
}
