//! Table columns (`kubectl get`), and the field-selector labels every kind supports.

use serde_json::{Value, json};

use crate::meta::ObjectExt;
use crate::time::{human_age, parse};

use super::Ctx;

/// One `columnDefinitions` entry of a `meta.k8s.io/v1` Table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header (printed upper-cased by kubectl).
    pub name: String,
    /// OpenAPI type: `string`, `integer`, `number`, `boolean` or `date`.
    pub type_: String,
    /// OpenAPI format (`name` for the name column).
    pub format: String,
    /// Description.
    pub description: String,
    /// 0 = always shown; higher = only with `-o wide`.
    pub priority: i32,
}

impl Column {
    /// A column.
    pub fn new(name: &str, type_: &str, description: &str) -> Self {
        Self {
            name: name.to_string(),
            type_: type_.to_string(),
            format: String::new(),
            description: description.to_string(),
            priority: 0,
        }
    }

    /// Shown only with `-o wide`.
    pub fn wide(mut self) -> Self {
        self.priority = 1;
        self
    }

    /// The `Name` column.
    pub fn name_column() -> Self {
        Self {
            format: "name".into(),
            ..Self::new(
                "Name",
                "string",
                "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
            )
        }
    }

    /// The `Age` column of built-in kinds (a server-rendered duration).
    pub fn age_column() -> Self {
        Self::new(
            "Age",
            "string",
            "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        )
    }

    /// As a `columnDefinitions` entry.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "type": self.type_,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        })
    }
}

/// The columns of a kind with no printer of its own: NAME, AGE.
pub fn default_columns() -> Vec<Column> {
    vec![Column::name_column(), Column::age_column()]
}

/// The cells of [`default_columns`].
pub fn default_row(obj: &Value, ctx: &Ctx) -> Vec<Value> {
    vec![name_cell(obj), age_cell(obj, ctx)]
}

/// The NAME cell.
pub fn name_cell(obj: &Value) -> Value {
    Value::from(obj.name().unwrap_or(""))
}

/// The AGE cell of built-in kinds: the age of `metadata.creationTimestamp` on the
/// cluster clock, or `<unknown>`.
pub fn age_cell(obj: &Value, ctx: &Ctx) -> Value {
    age_of(obj.meta_str("creationTimestamp"), ctx)
}

/// A timestamp as an age on the cluster clock, or `<unknown>`.
pub fn age_of(ts: Option<&str>, ctx: &Ctx) -> Value {
    match ts.and_then(parse) {
        Some(t) => Value::from(human_age(t, ctx.now)),
        None => Value::from("<unknown>"),
    }
}

/// `metadata.name` and `metadata.namespace`, which every kind supports.
pub fn meta_field_label(obj: &Value, label: &str) -> Option<String> {
    match label {
        "metadata.name" => Some(obj.name().unwrap_or("").to_string()),
        "metadata.namespace" => Some(obj.namespace().unwrap_or("").to_string()),
        _ => None,
    }
}
