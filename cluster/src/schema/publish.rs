//! The schema as published at `/openapi/v3` (what `kubectl explain` reads).

use serde_json::{Map, Value, json};

/// The `components.schemas` name of `ObjectMeta` that a resource's `metadata` refers to.
pub const OBJECT_META_REF: &str =
    "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

const API_VERSION_DESCRIPTION: &str = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
const KIND_DESCRIPTION: &str = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
const METADATA_DESCRIPTION: &str = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// A clean copy of `raw` (nulls dropped, extensions kept) with the standard
/// `apiVersion`, `kind` and `metadata` properties at the root.
pub(crate) fn openapi_schema(raw: &Value) -> Value {
    let mut out = clean(raw);
    if let Value::Object(root) = &mut out {
        let props = root
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(props) = props {
            props.insert(
                "apiVersion".to_string(),
                json!({"type": "string", "description": API_VERSION_DESCRIPTION}),
            );
            props.insert(
                "kind".to_string(),
                json!({"type": "string", "description": KIND_DESCRIPTION}),
            );
            props.insert(
                "metadata".to_string(),
                json!({"allOf": [{"$ref": OBJECT_META_REF}], "description": METADATA_DESCRIPTION}),
            );
        }
        root.entry("type").or_insert_with(|| Value::from("object"));
    }
    out
}

fn clean(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    // `default`, `enum` and `example` are data: copied as they are.
                    let v = if matches!(k.as_str(), "default" | "enum" | "example") {
                        v.clone()
                    } else {
                        clean(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(clean).collect()),
        other => other.clone(),
    }
}
