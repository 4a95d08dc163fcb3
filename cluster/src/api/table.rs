//! `meta.k8s.io` Tables and PartialObjectMetadata.

use serde_json::{Map, Value, json};

use super::negotiate::IncludeObject;
use crate::registry::{Ctx, ResourceType};

/// `PartialObjectMetadata` of a served object.
pub fn partial_metadata(obj: &Value, version: &str) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": obj.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

/// One row for a stored object (rendered from the stored form, carrying the served
/// form as its object).
pub fn row(
    rt: &ResourceType,
    stored: &Value,
    ctx: &Ctx,
    include: IncludeObject,
    version: &str,
) -> Value {
    let mut row = Map::new();
    row.insert("cells".into(), Value::Array(rt.strategy.row(stored, ctx)));
    match include {
        IncludeObject::None => {}
        IncludeObject::Metadata => {
            row.insert("object".into(), partial_metadata(stored, version));
        }
        IncludeObject::Object => {
            row.insert("object".into(), rt.strategy.to_served(stored));
        }
    }
    Value::Object(row)
}

/// A Table of stored objects.
#[allow(clippy::too_many_arguments)]
pub fn table(
    rt: &ResourceType,
    stored: &[Value],
    ctx: &Ctx,
    include: IncludeObject,
    version: &str,
    headers: bool,
    list_meta: Value,
) -> Value {
    let mut t = Map::new();
    t.insert("kind".into(), Value::from("Table"));
    t.insert(
        "apiVersion".into(),
        Value::from(format!("meta.k8s.io/{version}")),
    );
    t.insert("metadata".into(), list_meta);
    if headers {
        let columns: Vec<Value> = rt.strategy.columns().iter().map(|c| c.to_json()).collect();
        t.insert("columnDefinitions".into(), Value::Array(columns));
    } else {
        t.insert("columnDefinitions".into(), Value::Null);
    }
    let rows: Vec<Value> = stored
        .iter()
        .map(|o| row(rt, o, ctx, include, version))
        .collect();
    t.insert("rows".into(), Value::Array(rows));
    Value::Object(t)
}
