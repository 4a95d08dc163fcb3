//! Typed access to objects held as JSON.

use serde_json::{Map, Value};

/// Accessors for the parts of an object the server itself reads and writes.
pub trait ObjectExt {
    /// `metadata`, if it is an object.
    fn metadata(&self) -> Option<&Map<String, Value>>;
    /// `metadata`, created as an empty object if missing or not an object.
    fn metadata_mut(&mut self) -> &mut Map<String, Value>;
    /// A string field of `metadata`.
    fn meta_str(&self, field: &str) -> Option<&str> {
        self.metadata()?.get(field)?.as_str()
    }
    /// `metadata.name`.
    fn name(&self) -> Option<&str> {
        self.meta_str("name")
    }
    /// `metadata.namespace`.
    fn namespace(&self) -> Option<&str> {
        self.meta_str("namespace")
    }
    /// `metadata.uid`.
    fn uid(&self) -> Option<&str> {
        self.meta_str("uid")
    }
    /// `metadata.resourceVersion`.
    fn resource_version(&self) -> Option<&str> {
        self.meta_str("resourceVersion")
    }
    /// `metadata.deletionTimestamp` is set.
    fn is_deleting(&self) -> bool {
        self.metadata()
            .is_some_and(|m| m.get("deletionTimestamp").is_some_and(|v| !v.is_null()))
    }
    /// `metadata.finalizers`, as strings.
    fn finalizers(&self) -> Vec<&str> {
        self.metadata()
            .and_then(|m| m.get("finalizers"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
    /// A label's value.
    fn label(&self, key: &str) -> Option<&str> {
        self.metadata()?
            .get("labels")?
            .as_object()?
            .get(key)?
            .as_str()
    }
    /// A string at a dotted path (`spec.type`, `involvedObject.name`).
    fn str_at(&self, dotted: &str) -> Option<&str>;
    /// Sets `metadata.<field>` to `value`.
    fn set_meta(&mut self, field: &str, value: Value) {
        self.metadata_mut().insert(field.to_string(), value);
    }
    /// Removes `metadata.<field>`.
    fn remove_meta(&mut self, field: &str) -> Option<Value> {
        self.metadata_mut().remove(field)
    }
}

impl ObjectExt for Value {
    fn metadata(&self) -> Option<&Map<String, Value>> {
        self.get("metadata")?.as_object()
    }

    fn metadata_mut(&mut self) -> &mut Map<String, Value> {
        if !self.is_object() {
            *self = Value::Object(Map::new());
        }
        let Value::Object(obj) = self else {
            unreachable!("just made an object")
        };
        let meta = obj
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if !meta.is_object() {
            *meta = Value::Object(Map::new());
        }
        match meta {
            Value::Object(m) => m,
            _ => unreachable!("just made an object"),
        }
    }

    fn str_at(&self, dotted: &str) -> Option<&str> {
        let mut cur = self;
        for part in dotted.split('.') {
            cur = cur.get(part)?;
        }
        cur.as_str()
    }
}

/// Reads a value at a dotted path for field selectors, rendering scalars as the API
/// server's field sets do (strings as they are, numbers and booleans as text).
pub fn field_value(obj: &Value, dotted: &str) -> Option<String> {
    let mut cur = obj;
    for part in dotted.split('.') {
        cur = cur.get(part)?;
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accessors() {
        let mut obj = json!({"metadata": {"name": "a", "labels": {"x": "y"}, "finalizers": ["f1", "f2"]}, "spec": {"type": "T", "n": 3}});
        assert_eq!(obj.name(), Some("a"));
        assert_eq!(obj.label("x"), Some("y"));
        assert_eq!(obj.finalizers(), vec!["f1", "f2"]);
        assert!(!obj.is_deleting());
        assert_eq!(obj.str_at("spec.type"), Some("T"));
        assert_eq!(field_value(&obj, "spec.n").as_deref(), Some("3"));
        obj.set_meta("deletionTimestamp", json!("2024-01-01T00:00:00Z"));
        assert!(obj.is_deleting());
        let mut bare = json!(5);
        bare.set_meta("name", json!("b"));
        assert_eq!(bare.name(), Some("b"));
    }
}
