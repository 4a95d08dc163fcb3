//! The walk from a root object along ownerReferences and cert-manager's fields.
//!
//! Each kind is listed once per namespace and filtered in memory, so a capture costs a
//! handful of requests however long the chain. The capture is a point in time: objects
//! created or deleted while the lists run may or may not appear, and short-lived objects
//! (Challenges, solver Pods/Services/Ingresses, the temporary private-key Secret) appear
//! only while they exist.

use std::collections::HashMap;

use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde_json::{Map, Value, json};

use super::{CaptureOptions, Chain, ChainError, KEYSTORE_PASSWORDS, RootRef};

/// The label cert-manager puts on HTTP-01 solver Pods, Services and Ingresses.
const SOLVER_LABEL: &str = "acme.cert-manager.io/http01-solver=true";
/// The label on temporary private-key Secrets.
const NEXT_KEY_LABEL: &str = "cert-manager.io/next-private-key=true";
/// Where client-go (and the controller) put Events about cluster-scoped objects.
const CLUSTER_EVENTS_NAMESPACE: &str = "default";

fn ar(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: group.to_string(),
        version: version.to_string(),
        api_version: if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        },
        kind: kind.to_string(),
        plural: plural.to_string(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Kind {
    Certificate,
    CertificateRequest,
    Order,
    Challenge,
    Issuer,
    ClusterIssuer,
    Secret,
    Pod,
    Service,
    Ingress,
    Event,
}

impl Kind {
    fn resource(self) -> ApiResource {
        match self {
            Kind::Certificate => ar("cert-manager.io", "v1", "Certificate", "certificates"),
            Kind::CertificateRequest => ar(
                "cert-manager.io",
                "v1",
                "CertificateRequest",
                "certificaterequests",
            ),
            Kind::Order => ar("acme.cert-manager.io", "v1", "Order", "orders"),
            Kind::Challenge => ar("acme.cert-manager.io", "v1", "Challenge", "challenges"),
            Kind::Issuer => ar("cert-manager.io", "v1", "Issuer", "issuers"),
            Kind::ClusterIssuer => ar("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers"),
            Kind::Secret => ar("", "v1", "Secret", "secrets"),
            Kind::Pod => ar("", "v1", "Pod", "pods"),
            Kind::Service => ar("", "v1", "Service", "services"),
            Kind::Ingress => ar("networking.k8s.io", "v1", "Ingress", "ingresses"),
            Kind::Event => ar("", "v1", "Event", "events"),
        }
    }

    fn label_selector(self) -> Option<&'static str> {
        match self {
            Kind::Pod | Kind::Service | Kind::Ingress => Some(SOLVER_LABEL),
            _ => None,
        }
    }
}

/// Lists per (kind, namespace), fetched once.
struct Walker<'a> {
    client: &'a kube::Client,
    opts: &'a CaptureOptions,
    lists: HashMap<(Kind, String), Vec<Value>>,
}

fn to_value(obj: DynamicObject, r: &ApiResource) -> Result<Value, ChainError> {
    let mut v = serde_json::to_value(&obj).map_err(|source| ChainError::Encode {
        what: format!("a {}", r.kind),
        source,
    })?;
    // List items may come without their type.
    if let Some(m) = v.as_object_mut() {
        m.insert("apiVersion".into(), json!(r.api_version));
        m.insert("kind".into(), json!(r.kind));
    }
    Ok(v)
}

fn uid(v: &Value) -> Option<&str> {
    v.pointer("/metadata/uid").and_then(Value::as_str)
}

fn name(v: &Value) -> &str {
    v.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn str_at<'v>(v: &'v Value, pointer: &str) -> Option<&'v str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn owned_by(child: &Value, owner: &Value) -> bool {
    let Some(owner_uid) = uid(owner) else {
        return false;
    };
    child
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("uid").and_then(Value::as_str) == Some(owner_uid))
        })
}

/// Sort key for short-lived, generated-name objects: creation, then name.
fn created_then_name(v: &Value) -> (String, String) {
    (
        str_at(v, "/metadata/creationTimestamp")
            .unwrap_or_default()
            .to_string(),
        name(v).to_string(),
    )
}

impl<'a> Walker<'a> {
    async fn list(&mut self, kind: Kind, namespace: Option<&str>) -> Result<&[Value], ChainError> {
        let key = (kind, namespace.unwrap_or_default().to_string());
        if !self.lists.contains_key(&key) {
            let r = kind.resource();
            let api: Api<DynamicObject> = match namespace {
                Some(ns) => Api::namespaced_with(self.client.clone(), ns, &r),
                None => Api::all_with(self.client.clone(), &r),
            };
            let mut lp = ListParams::default();
            if let Some(sel) = kind.label_selector() {
                lp = lp.labels(sel);
            }
            let items = match api.list(&lp).await {
                Ok(list) => list.items,
                // A kind the server does not serve (no CRDs yet) has no objects.
                Err(kube::Error::Api(e)) if e.code == 404 => Vec::new(),
                Err(source) => {
                    return Err(ChainError::Api {
                        what: format!("{} in {}", r.plural, key.1),
                        source,
                    });
                }
            };
            let values = items
                .into_iter()
                .map(|o| to_value(o, &r))
                .collect::<Result<Vec<_>, _>>()?;
            self.lists.insert(key.clone(), values);
        }
        Ok(self.lists.get(&key).map(Vec::as_slice).unwrap_or_default())
    }

    async fn get(
        &mut self,
        kind: Kind,
        namespace: Option<&str>,
        obj_name: &str,
    ) -> Result<Option<Value>, ChainError> {
        let r = kind.resource();
        let api: Api<DynamicObject> = match namespace {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, &r),
            None => Api::all_with(self.client.clone(), &r),
        };
        match api.get_opt(obj_name).await {
            Ok(Some(o)) => Ok(Some(to_value(o, &r)?)),
            Ok(None) => Ok(None),
            Err(source) => Err(ChainError::Api {
                what: format!("{} {obj_name}", r.kind),
                source,
            }),
        }
    }

    /// The node of one object: `{object, events}`.
    async fn node(&mut self, obj: Value) -> Result<Map<String, Value>, ChainError> {
        let mut node = Map::new();
        if self.opts.events {
            let ns = str_at(&obj, "/metadata/namespace")
                .unwrap_or(CLUSTER_EVENTS_NAMESPACE)
                .to_string();
            let opts = self.opts;
            let events: Vec<Value> = self
                .list(Kind::Event, Some(&ns))
                .await?
                .iter()
                .filter(|e| about(e, &obj))
                .filter(|e| {
                    let reason = e.get("reason").and_then(Value::as_str).unwrap_or_default();
                    !opts.skip_event_reasons.iter().any(|r| r == reason)
                })
                .cloned()
                .collect();
            if !events.is_empty() {
                node.insert("events".into(), Value::Array(events));
            }
        }
        node.insert("object".into(), obj);
        Ok(node)
    }

    async fn nodes(&mut self, objs: Vec<Value>) -> Result<Vec<Value>, ChainError> {
        let mut out = Vec::with_capacity(objs.len());
        for o in objs {
            out.push(Value::Object(self.node(o).await?));
        }
        Ok(out)
    }

    async fn owned(
        &mut self,
        kind: Kind,
        ns: &str,
        owner: &Value,
    ) -> Result<Vec<Value>, ChainError> {
        Ok(self
            .list(kind, Some(ns))
            .await?
            .iter()
            .filter(|c| owned_by(c, owner))
            .cloned()
            .collect())
    }

    async fn certificate(&mut self, cert: Value) -> Result<Value, ChainError> {
        let ns = str_at(&cert, "/metadata/namespace")
            .unwrap_or_default()
            .to_string();
        let mut node = self.node(cert.clone()).await?;
        if let Some(secret_name) = str_at(&cert, "/spec/secretName")
            && let Some(secret) = self.get(Kind::Secret, Some(&ns), secret_name).await?
        {
            let mut secret_node = self.node(secret).await?;
            let passwords = self.keystore_passwords(&cert, &ns).await?;
            if !passwords.is_empty() {
                secret_node.insert(KEYSTORE_PASSWORDS.into(), Value::Object(passwords));
            }
            node.insert("secret".into(), Value::Object(secret_node));
        }
        // The temporary private-key Secrets: by status, and by label and owner.
        let mut next: Vec<Value> = Vec::new();
        if let Some(next_name) = str_at(&cert, "/status/nextPrivateKeySecretName")
            && let Some(secret) = self.get(Kind::Secret, Some(&ns), next_name).await?
        {
            next.push(secret);
        }
        let r = Kind::Secret.resource();
        let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), &ns, &r);
        let labelled = api
            .list(&ListParams::default().labels(NEXT_KEY_LABEL))
            .await
            .map_err(|source| ChainError::Api {
                what: format!("temporary private-key Secrets in {ns}"),
                source,
            })?;
        for s in labelled.items {
            let v = to_value(s, &r)?;
            if owned_by(&v, &cert) && !next.iter().any(|n| name(n) == name(&v)) {
                next.push(v);
            }
        }
        next.sort_by_key(created_then_name);
        if !next.is_empty() {
            let nodes = self.nodes(next).await?;
            node.insert("nextPrivateKeySecrets".into(), Value::Array(nodes));
        }
        let mut requests = self.owned(Kind::CertificateRequest, &ns, &cert).await?;
        requests.sort_by_key(|r| {
            let revision = str_at(
                r,
                "/metadata/annotations/cert-manager.io~1certificate-revision",
            )
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(u64::MAX);
            (revision, name(r).to_string())
        });
        let mut request_nodes = Vec::new();
        for cr in requests {
            request_nodes.push(self.request(cr, &ns).await?);
        }
        if !request_nodes.is_empty() {
            node.insert("certificateRequests".into(), Value::Array(request_nodes));
        }
        Ok(Value::Object(node))
    }

    /// The keystore passwords of `spec.keystores` (literal or from their Secret), so
    /// normalization can open the keystores and summarize their entries.
    async fn keystore_passwords(
        &mut self,
        cert: &Value,
        ns: &str,
    ) -> Result<Map<String, Value>, ChainError> {
        let mut out = Map::new();
        for format in ["pkcs12", "jks"] {
            let Some(ks) = cert.pointer(&format!("/spec/keystores/{format}")) else {
                continue;
            };
            if let Some(pw) = ks.get("password").and_then(Value::as_str) {
                out.insert(format.into(), json!(pw));
                continue;
            }
            let (Some(secret), Some(key)) = (
                str_at(ks, "/passwordSecretRef/name"),
                str_at(ks, "/passwordSecretRef/key"),
            ) else {
                continue;
            };
            let Some(secret) = self.get(Kind::Secret, Some(ns), secret).await? else {
                continue;
            };
            let decoded = secret
                .pointer(&format!(
                    "/data/{}",
                    key.replace('~', "~0").replace('/', "~1")
                ))
                .and_then(Value::as_str)
                .and_then(|b64| {
                    use base64::Engine as _;
                    base64::engine::general_purpose::STANDARD.decode(b64).ok()
                })
                .and_then(|b| String::from_utf8(b).ok());
            if let Some(pw) = decoded {
                out.insert(format.into(), json!(pw));
            }
        }
        Ok(out)
    }

    async fn request(&mut self, cr: Value, ns: &str) -> Result<Value, ChainError> {
        let mut node = self.node(cr.clone()).await?;
        let mut orders = self.owned(Kind::Order, ns, &cr).await?;
        orders.sort_by_key(created_then_name);
        let mut order_nodes = Vec::new();
        for order in orders {
            let mut onode = self.node(order.clone()).await?;
            let mut challenges = self.owned(Kind::Challenge, ns, &order).await?;
            challenges.sort_by_key(|c| {
                (
                    str_at(c, "/spec/dnsName").unwrap_or_default().to_string(),
                    str_at(c, "/spec/type").unwrap_or_default().to_string(),
                    c.pointer("/spec/wildcard")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    name(c).to_string(),
                )
            });
            let mut challenge_nodes = Vec::new();
            for ch in challenges {
                challenge_nodes.push(self.challenge(ch, ns).await?);
            }
            if !challenge_nodes.is_empty() {
                onode.insert("challenges".into(), Value::Array(challenge_nodes));
            }
            order_nodes.push(Value::Object(onode));
        }
        if !order_nodes.is_empty() {
            node.insert("orders".into(), Value::Array(order_nodes));
        }
        Ok(Value::Object(node))
    }

    async fn challenge(&mut self, ch: Value, ns: &str) -> Result<Value, ChainError> {
        let mut node = self.node(ch.clone()).await?;
        let mut solver = Map::new();
        for (key, kind) in [
            ("pods", Kind::Pod),
            ("services", Kind::Service),
            ("ingresses", Kind::Ingress),
        ] {
            let mut objs = self.owned(kind, ns, &ch).await?;
            objs.sort_by_key(created_then_name);
            if !objs.is_empty() {
                solver.insert(key.into(), Value::Array(self.nodes(objs).await?));
            }
        }
        if !solver.is_empty() {
            node.insert("solver".into(), Value::Object(solver));
        }
        Ok(Value::Object(node))
    }

    async fn issuer(
        &mut self,
        issuer: Value,
        secrets_ns: &str,
    ) -> Result<Map<String, Value>, ChainError> {
        let mut out = Map::new();
        // The Secrets the issuer reads: its ACME account key, its CA key pair, …
        let mut secret_names: Vec<String> = [
            "/spec/acme/privateKeySecretRef/name",
            "/spec/ca/secretName",
            "/spec/acme/externalAccountBinding/keySecretRef/name",
        ]
        .iter()
        .filter_map(|p| str_at(&issuer, p).map(str::to_string))
        .collect();
        secret_names.dedup();
        out.insert("issuer".into(), Value::Object(self.node(issuer).await?));
        let mut secret_nodes = Vec::new();
        for n in secret_names {
            if let Some(s) = self.get(Kind::Secret, Some(secrets_ns), &n).await? {
                secret_nodes.push(Value::Object(self.node(s).await?));
            }
        }
        if !secret_nodes.is_empty() {
            out.insert("secrets".into(), Value::Array(secret_nodes));
        }
        Ok(out)
    }
}

/// Whether core/v1 Event `e` is about `obj` (by uid, else by kind and name).
fn about(e: &Value, obj: &Value) -> bool {
    let involved = |k: &str| {
        e.pointer(&format!("/involvedObject/{k}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    match (uid(obj), involved("uid")) {
        (Some(u), i) if !i.is_empty() => u == i,
        _ => {
            involved("kind") == str_at(obj, "/kind").unwrap_or_default()
                && involved("name") == name(obj)
        }
    }
}

/// Captures the chain rooted at `root`, normalized with `opts`.
///
/// The capture is a point in time (see the [module documentation](crate::chain)).
/// Fails when the root does not exist or the API server refuses a read; children that
/// vanish during the walk are left out.
pub async fn capture(
    client: &kube::Client,
    root: &RootRef,
    opts: &CaptureOptions,
) -> Result<Chain, ChainError> {
    let mut w = Walker {
        client,
        opts,
        lists: HashMap::new(),
    };
    let mut tree = Map::new();
    tree.insert(
        "root".into(),
        json!(format!("{}/{}", root.kind(), root.name())),
    );
    let not_found = || ChainError::RootNotFound(root.to_string());
    match root {
        RootRef::Certificate { namespace, name } => {
            let cert = w
                .get(Kind::Certificate, Some(namespace), name)
                .await?
                .ok_or_else(not_found)?;
            tree.insert("certificate".into(), w.certificate(cert).await?);
        }
        RootRef::Ingress { namespace, name } => {
            let ingress = w
                .get(Kind::Ingress, Some(namespace), name)
                .await?
                .ok_or_else(not_found)?;
            let mut certs: Vec<Value> = {
                let r = Kind::Certificate;
                w.list(r, Some(namespace))
                    .await?
                    .iter()
                    .filter(|c| owned_by(c, &ingress))
                    .cloned()
                    .collect()
            };
            certs.sort_by_key(|c| self::name(c).to_string());
            tree.insert("ingress".into(), Value::Object(w.node(ingress).await?));
            let mut nodes = Vec::new();
            for c in certs {
                nodes.push(w.certificate(c).await?);
            }
            tree.insert("certificates".into(), Value::Array(nodes));
        }
        RootRef::Issuer { namespace, name } => {
            let issuer = w
                .get(Kind::Issuer, Some(namespace), name)
                .await?
                .ok_or_else(not_found)?;
            tree.extend(w.issuer(issuer, namespace).await?);
        }
        RootRef::ClusterIssuer { name } => {
            let issuer = w
                .get(Kind::ClusterIssuer, None, name)
                .await?
                .ok_or_else(not_found)?;
            let ns = opts.cluster_resource_namespace.clone();
            tree.extend(w.issuer(issuer, &ns).await?);
        }
    }
    Ok(Chain::from_raw(root.clone(), Value::Object(tree), opts))
}
