//! OpenAPI v3: `/openapi/v3` lists one document per group version; each document has
//! the paths and schemas of its resources. kubectl uses them for `kubectl explain`, and
//! to learn that the server validates fields itself (`fieldValidation` on PATCH), in
//! which case it sends its objects for server-side validation instead of validating
//! them against OpenAPI v2 locally.
//!
//! Built-in kinds take their schemas from k8s-openapi's schemars implementations;
//! custom resources from their CRD's structural schema.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

use crate::registry::{Registry, ResourceType};
use crate::status::StatusError;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Built documents, keyed by `api/v1` or `apis/<g>/<v>`, for one registry generation.
struct Built {
    generation: u64,
    index: Value,
    docs: HashMap<String, Value>,
}

/// Cached OpenAPI documents, rebuilt when the registry changes.
#[derive(Default)]
pub struct Cache {
    built: Mutex<Option<Arc<Built>>>,
}

impl Cache {
    fn get(&self, registry: &Registry) -> Arc<Built> {
        let generation = registry.generation();
        let mut guard = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = guard.as_ref().filter(|b| b.generation == generation) {
            return b.clone();
        }
        let built = Arc::new(build(registry, generation));
        *guard = Some(built.clone());
        built
    }

    /// `/openapi/v3`.
    pub fn index(&self, registry: &Registry) -> Value {
        self.get(registry).index.clone()
    }

    /// `/openapi/v3/api/v1` or `/openapi/v3/apis/<group>/<version>`.
    pub fn group_version(
        &self,
        registry: &Registry,
        group: &str,
        version: &str,
    ) -> Result<Value, StatusError> {
        self.get(registry)
            .docs
            .get(&doc_key(group, version))
            .cloned()
            .ok_or_else(StatusError::path_not_found)
    }
}

fn doc_key(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// The schemas of every built-in kind (and everything they reference), and the
/// component name of each kind.
struct BuiltinSchemas {
    definitions: Map<String, Value>,
    names: BTreeMap<(String, String, String), String>,
}

fn builtin_schemas() -> &'static BuiltinSchemas {
    static SCHEMAS: OnceLock<BuiltinSchemas> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let mut generator = schemars::generate::SchemaSettings::openapi3().into_generator();
        let mut names = BTreeMap::new();
        macro_rules! kind {
            ($g:expr, $v:expr, $k:expr, $t:ty) => {{
                let _ = generator.subschema_for::<$t>();
                names.insert(($g.to_string(), $v.to_string(), $k.to_string()), <$t>::schema_name().into_owned());
            }};
        }
        use k8s_openapi::api;
        kind!("", "v1", "Namespace", api::core::v1::Namespace);
        kind!("", "v1", "Secret", api::core::v1::Secret);
        kind!("", "v1", "ConfigMap", api::core::v1::ConfigMap);
        kind!("", "v1", "Service", api::core::v1::Service);
        kind!("", "v1", "Endpoints", api::core::v1::Endpoints);
        kind!("", "v1", "Pod", api::core::v1::Pod);
        kind!("", "v1", "ServiceAccount", api::core::v1::ServiceAccount);
        kind!("", "v1", "Event", api::core::v1::Event);
        kind!("events.k8s.io", "v1", "Event", api::events::v1::Event);
        kind!("networking.k8s.io", "v1", "Ingress", api::networking::v1::Ingress);
        kind!("networking.k8s.io", "v1", "IngressClass", api::networking::v1::IngressClass);
        kind!("coordination.k8s.io", "v1", "Lease", api::coordination::v1::Lease);
        kind!(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition
        );
        kind!("authorization.k8s.io", "v1", "SelfSubjectAccessReview", api::authorization::v1::SelfSubjectAccessReview);
        kind!("authorization.k8s.io", "v1", "SelfSubjectRulesReview", api::authorization::v1::SelfSubjectRulesReview);
        kind!("authentication.k8s.io", "v1", "SelfSubjectReview", api::authentication::v1::SelfSubjectReview);
        let _ = generator.subschema_for::<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>();
        let definitions = generator.take_definitions(true);
        BuiltinSchemas { definitions, names }
    })
}

/// Every `$ref` target reachable from `roots`, with their schemas.
fn closure(
    definitions: &Map<String, Value>,
    roots: impl IntoIterator<Item = String>,
) -> Map<String, Value> {
    let mut out = Map::new();
    let mut todo: Vec<String> = roots.into_iter().collect();
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = definitions.get(&name) {
            collect_refs(schema, &mut todo);
            out.insert(name, schema.clone());
        }
    }
    out
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(SCHEMA_PREFIX))
            {
                out.push(r.to_string());
            }
            m.values().for_each(|x| collect_refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

fn gvk(rt: &ResourceType) -> Value {
    json!({"group": rt.group, "version": rt.version, "kind": rt.kind})
}

/// The component name of a custom resource's schema (`com.example.v1.Widget`).
fn custom_component(rt: &ResourceType) -> String {
    let reversed: Vec<&str> = rt.group.split('.').rev().collect();
    format!("{}.{}.{}", reversed.join("."), rt.version, rt.kind)
}

fn query_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "description": description, "schema": {"type": "string", "uniqueItems": true}})
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "description": description, "required": true, "schema": {"type": "string", "uniqueItems": true}})
}

fn operation(
    rt: &ResourceType,
    action: &str,
    verb_id: &str,
    reference: &str,
    params: Vec<Value>,
    body_types: &[&str],
) -> Value {
    let schema = json!({"$ref": format!("{SCHEMA_PREFIX}{reference}")});
    let content: Map<String, Value> = ["application/json", "application/yaml"]
        .iter()
        .map(|t| (t.to_string(), json!({"schema": schema.clone()})))
        .collect();
    let mut op = json!({
        "tags": [doc_key(&rt.group, &rt.version).replace(['/', '.'], "_")],
        "operationId": format!("{verb_id}{}", rt.kind),
        "parameters": params,
        "responses": {"200": {"description": "OK", "content": content}, "401": {"description": "Unauthorized"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": gvk(rt),
    });
    if !body_types.is_empty()
        && let Some(m) = op.as_object_mut()
    {
        let content: Map<String, Value> = body_types
            .iter()
            .map(|t| {
                let s = if t.contains("patch") {
                    json!({"type": "object"})
                } else {
                    schema.clone()
                };
                (t.to_string(), json!({"schema": s}))
            })
            .collect();
        m.insert(
            "requestBody".into(),
            json!({"content": content, "required": true}),
        );
    }
    op
}

fn write_params(patch: bool) -> Vec<Value> {
    let mut p = vec![
        query_param(
            "dryRun",
            "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed",
        ),
        query_param(
            "fieldManager",
            "fieldManager is a name associated with the actor or entity that is making these changes.",
        ),
        query_param(
            "fieldValidation",
            "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: - Ignore - Warn (default) - Strict",
        ),
    ];
    if patch {
        p.push(query_param("force", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people."));
    }
    p
}

fn paths_for(rt: &ResourceType, reference: &str, paths: &mut Map<String, Value>) {
    let base = if rt.group.is_empty() {
        format!("/api/{}", rt.version)
    } else {
        format!("/apis/{}/{}", rt.group, rt.version)
    };
    let mut scope = Vec::new();
    let collection = if rt.namespaced {
        scope.push(path_param(
            "namespace",
            "object name and auth scope, such as for teams and projects",
        ));
        format!("{base}/namespaces/{{namespace}}/{}", rt.plural)
    } else {
        format!("{base}/{}", rt.plural)
    };
    if !rt.is_stored() {
        let mut params = scope.clone();
        params.extend(write_params(false));
        paths.insert(collection, json!({"post": operation(rt, "post", "create", reference, params, &["application/json"])}));
        return;
    }
    let mut name_params = scope.clone();
    name_params.push(path_param("name", &format!("name of the {}", rt.kind)));
    let patch_types = [
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
    ];
    let patch_types: Vec<&str> = patch_types
        .into_iter()
        .filter(|t| {
            *t != "application/strategic-merge-patch+json" || rt.strategy.supports_strategic_merge()
        })
        .collect();
    let item = |action_suffix: &str| {
        let mut get = name_params.clone();
        get.push(query_param("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."));
        let mut put = name_params.clone();
        put.extend(write_params(false));
        let mut patch = name_params.clone();
        patch.extend(write_params(true));
        json!({
            "get": operation(rt, "get", &format!("read{action_suffix}"), reference, get, &[]),
            "put": operation(rt, "put", &format!("replace{action_suffix}"), reference, put, &["application/json"]),
            "patch": operation(rt, "patch", &format!("patch{action_suffix}"), reference, patch, &patch_types),
        })
    };
    let mut main = item("");
    if let Some(m) = main.as_object_mut() {
        let mut del = name_params.clone();
        del.push(query_param(
            "propagationPolicy",
            "Whether and how garbage collection will be performed.",
        ));
        del.push(query_param(
            "dryRun",
            "When present, indicates that modifications should not be persisted.",
        ));
        m.insert(
            "delete".into(),
            operation(
                rt,
                "delete",
                "delete",
                "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
                del,
                &[],
            ),
        );
    }
    paths.insert(format!("{collection}/{{name}}"), main);
    if rt.strategy.has_status() {
        paths.insert(format!("{collection}/{{name}}/status"), item("Status"));
    }
    let mut list = scope.clone();
    for q in [
        "labelSelector",
        "fieldSelector",
        "limit",
        "continue",
        "resourceVersion",
        "resourceVersionMatch",
        "watch",
        "allowWatchBookmarks",
        "sendInitialEvents",
        "timeoutSeconds",
    ] {
        list.push(query_param(q, q));
    }
    let mut create = scope.clone();
    create.extend(write_params(false));
    paths.insert(
        collection,
        json!({
            "get": operation(rt, "list", "list", reference, list, &[]),
            "post": operation(rt, "post", "create", reference, create, &["application/json"]),
        }),
    );
}

fn build(registry: &Registry, generation: u64) -> Built {
    let builtins = builtin_schemas();
    let mut by_gv: BTreeMap<String, Vec<Arc<ResourceType>>> = BTreeMap::new();
    for rt in registry.all() {
        by_gv
            .entry(doc_key(&rt.group, &rt.version))
            .or_default()
            .push(rt);
    }
    let mut docs = HashMap::new();
    let mut index = Map::new();
    for (key, types) in by_gv {
        let mut paths = Map::new();
        let mut own = Map::new();
        let mut roots = vec!["io.k8s.apimachinery.pkg.apis.meta.v1.Status".to_string()];
        for rt in &types {
            let reference = if rt.custom {
                let name = custom_component(rt);
                let mut schema = rt.strategy.openapi_schema().unwrap_or_else(
                    || json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
                );
                if let Some(m) = schema.as_object_mut() {
                    m.insert("x-kubernetes-group-version-kind".into(), json!([gvk(rt)]));
                }
                collect_refs(&schema, &mut roots);
                own.insert(name.clone(), schema);
                name
            } else {
                match builtins
                    .names
                    .get(&(rt.group.clone(), rt.version.clone(), rt.kind.clone()))
                {
                    Some(name) => {
                        roots.push(name.clone());
                        name.clone()
                    }
                    None => continue,
                }
            };
            paths_for(rt, &reference, &mut paths);
        }
        let mut schemas = closure(&builtins.definitions, roots);
        for rt in types.iter().filter(|rt| !rt.custom) {
            if let Some(name) =
                builtins
                    .names
                    .get(&(rt.group.clone(), rt.version.clone(), rt.kind.clone()))
                && let Some(Value::Object(s)) = schemas.get_mut(name)
            {
                s.insert("x-kubernetes-group-version-kind".into(), json!([gvk(rt)]));
            }
        }
        schemas.extend(own);
        let doc = json!({
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": super::discovery::version()["gitVersion"].clone()},
            "paths": paths,
            "components": {"schemas": schemas},
        });
        let hash = fnv_hex(&serde_json::to_vec(&doc).unwrap_or_default());
        index.insert(
            key.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash={hash}")}),
        );
        docs.insert(key, doc);
    }
    Built {
        generation,
        index: json!({"paths": index}),
        docs,
    }
}

fn fnv_hex(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016X}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_documents_have_schemas_and_field_validation() {
        let registry = Registry::with_builtins();
        let built = build(&registry, 0);
        let core = &built.docs["api/v1"];
        let schemas = core["components"]["schemas"].as_object().unwrap();
        assert!(schemas.contains_key("io.k8s.api.core.v1.Secret"));
        assert!(schemas.contains_key("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
        assert_eq!(
            schemas["io.k8s.api.core.v1.Secret"]["x-kubernetes-group-version-kind"][0]["kind"],
            "Secret"
        );
        let patch = &core["paths"]["/api/v1/namespaces/{namespace}/secrets/{name}"]["patch"];
        assert!(
            patch["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        assert_eq!(patch["x-kubernetes-group-version-kind"]["kind"], "Secret");
        assert!(
            built.index["paths"]["apis/networking.k8s.io/v1"]["serverRelativeURL"]
                .as_str()
                .unwrap()
                .starts_with("/openapi/v3/apis/networking.k8s.io/v1?hash=")
        );
    }
}
