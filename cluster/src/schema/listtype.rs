//! `x-kubernetes-list-type: set|map` uniqueness (`ValidateListSetsAndMaps`).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::node::{ListType, Node};
use crate::field::{FieldError, FieldPath};

/// Reports duplicate set items and duplicate map-list keys under `node`.
pub(crate) fn validate(
    node: &Node,
    obj: &Map<String, Value>,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    if let Some(additional) = node.additional_schema() {
        for (k, v) in obj {
            walk(additional, v, &path.key(k), errs);
        }
    }
    for (k, v) in obj {
        if let Some(prop) = node.properties.get(k) {
            walk(prop, v, &path.child(k), errs);
        }
    }
}

fn walk(node: &Node, value: &Value, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match value {
        Value::Array(items) => {
            match &node.list_type {
                Some(ListType::Set) => {
                    for i in duplicates(items.iter().map(|v| v.to_string())) {
                        if let Some(item) = items.get(i) {
                            errs.push(FieldError::duplicate(path.index(i), item.clone()));
                        }
                    }
                }
                Some(ListType::Map(keys)) => map_list(keys, items, path, errs),
                _ => {}
            }
            if let Some(item_schema) = &node.items {
                for (i, item) in items.iter().enumerate() {
                    walk(item_schema, item, &path.index(i), errs);
                }
            }
        }
        Value::Object(map) => validate(node, map, path, errs),
        _ => {}
    }
}

/// Indices of the second occurrence of each repeated value.
fn duplicates(values: impl Iterator<Item = String>) -> Vec<usize> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, v) in values.enumerate() {
        let count = seen.entry(v).or_insert(0);
        *count += 1;
        if *count == 2 {
            out.push(i);
        }
    }
    out
}

fn map_list(keys: &[String], items: &[Value], path: &FieldPath, errs: &mut Vec<FieldError>) {
    for (i, item) in items.iter().enumerate() {
        if !item.is_null() && !item.is_object() {
            errs.push(FieldError::invalid(
                path.index(i),
                item.clone(),
                "must be an object for an array of list-type map",
            ));
            return;
        }
    }
    if items.len() <= 1 {
        return;
    }
    let key_of = |item: &Value| -> Map<String, Value> {
        let mut key = Map::new();
        if let Value::Object(o) = item {
            for k in keys {
                if let Some(v) = o.get(k) {
                    key.insert(k.clone(), v.clone());
                }
            }
        }
        key
    };
    let item_keys: Vec<Map<String, Value>> = items.iter().map(key_of).collect();
    for i in duplicates(
        item_keys
            .iter()
            .map(|k| Value::Object(k.clone()).to_string()),
    ) {
        if let Some(key) = item_keys.get(i) {
            errs.push(FieldError::duplicate(
                path.index(i),
                Value::Object(key.clone()),
            ));
        }
    }
}
