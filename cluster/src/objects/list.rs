//! List: selectors, pagination with continue tokens, and resource-version semantics.

use std::sync::Arc;

use base64::Engine;
use serde_json::{Value, json};

use super::Objects;
use crate::meta::ObjectExt;
use crate::meta::selector::{FieldSelector, LabelSelector};
use crate::registry::ResourceType;
use crate::status::StatusError;
use crate::store::ObjectKey;

/// A list request.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// `labelSelector`.
    pub label_selector: Option<String>,
    /// `fieldSelector`.
    pub field_selector: Option<String>,
    /// `limit`.
    pub limit: Option<usize>,
    /// `continue`.
    pub continue_token: Option<String>,
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch`.
    pub resource_version_match: Option<String>,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct ListPage {
    /// The items, served form (shared with the store when no conversion is needed).
    pub items: Vec<Arc<Value>>,
    /// The resource version the list is consistent with.
    pub resource_version: u64,
    /// The token for the next page.
    pub continue_token: Option<String>,
    /// How many more items match, when known.
    pub remaining: Option<usize>,
}

/// Compiled selectors for one resource type.
pub struct Filter {
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    /// Parses and checks the selectors of a request against `rt`.
    pub fn new(
        rt: &ResourceType,
        label_selector: Option<&str>,
        field_selector: Option<&str>,
    ) -> Result<Self, StatusError> {
        let labels = LabelSelector::parse(label_selector.unwrap_or(""))
            .map_err(|e| StatusError::bad_request(e.0))?;
        let fields = FieldSelector::parse(field_selector.unwrap_or(""))
            .map_err(|e| StatusError::bad_request(e.0))?;
        for r in fields.requirements() {
            if rt.strategy.field_label(&Value::Null, &r.field).is_none() {
                return Err(StatusError::bad_request(format!(
                    "field label not supported: {}",
                    r.field
                )));
            }
        }
        Ok(Self { labels, fields })
    }

    /// Whether a stored object matches.
    pub fn matches(&self, rt: &ResourceType, stored: &Value) -> bool {
        self.labels
            .matches(&|k| stored.label(k).map(str::to_string))
            && self.fields.matches(&|f| rt.strategy.field_label(stored, f))
    }

    /// Whether the filter selects everything.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    /// The name pinned by `metadata.name=`, if any.
    pub fn exact_name(&self) -> Option<&str> {
        self.fields.exact("metadata.name")
    }
}

fn encode_continue(rv: u64, key: &ObjectKey) -> String {
    let token = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{}/{}\u{0}", key.namespace, key.name)});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token.to_string())
}

fn decode_continue(token: &str) -> Result<(u64, ObjectKey), StatusError> {
    let bad = |why: &str| StatusError::bad_request(format!("continue key is not valid: {why}"));
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| bad("illegal base64 data"))?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| bad("not a continue token"))?;
    if v.get("v").and_then(Value::as_str) != Some("meta.k8s.io/v1") {
        return Err(bad("server does not recognize this encoded key version"));
    }
    let rv = v
        .get("rv")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("incorrect encoded start resourceVersion (version meta.k8s.io/v1)"))?;
    let start = v
        .get("start")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("missing start key"))?;
    let start = start.strip_suffix('\u{0}').unwrap_or(start);
    let (ns, name) = start
        .split_once('/')
        .ok_or_else(|| bad("malformed start key"))?;
    Ok((rv, ObjectKey::new(ns, name)))
}

/// Parses a `resourceVersion` parameter.
pub fn parse_rv(s: &str) -> Result<u64, StatusError> {
    s.parse::<u64>()
        .map_err(|_| StatusError::bad_request(format!("resourceVersion: Invalid value: {s:?}: strconv.ParseUint: parsing {s:?}: invalid syntax")))
}

impl Objects {
    /// Lists objects of `rt` (in `namespace`, or all namespaces).
    pub fn list(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        query: &ListQuery,
    ) -> Result<ListPage, StatusError> {
        let filter = Filter::new(
            rt,
            query.label_selector.as_deref(),
            query.field_selector.as_deref(),
        )?;
        let namespace = if rt.namespaced { namespace } else { None };
        let (after, list_rv) = match query.continue_token.as_deref().filter(|t| !t.is_empty()) {
            Some(token) => {
                let (rv, key) = decode_continue(token)?;
                (Some(key), Some(rv))
            }
            None => (None, None),
        };
        if let Some(rv) = query.resource_version.as_deref().filter(|s| !s.is_empty()) {
            let requested = parse_rv(rv)?;
            let current = self.store.current_rv();
            match query.resource_version_match.as_deref() {
                Some("Exact") if requested != current && requested != 0 => {
                    return Err(StatusError::expired(format!(
                        "too old resource version: {requested} ({current})"
                    )));
                }
                Some("Exact" | "NotOlderThan") | None => {
                    if requested > current {
                        return Err(StatusError::timeout(
                            format!("Too large resource version: {requested}, current: {current}"),
                            1,
                        )
                        .with_cause(
                            "ResourceVersionTooLarge",
                            "Too large resource version",
                            "",
                        ));
                    }
                }
                Some(other) => {
                    return Err(StatusError::bad_request(format!(
                        "resourceVersionMatch: Unsupported value: {other:?}: supported values: \"Exact\", \"NotOlderThan\""
                    )));
                }
            }
        }
        // A single name: no need to walk the whole table.
        let (candidates, store_rv) = match filter.exact_name() {
            Some(name) if after.is_none() => {
                let rv = self.store.current_rv();
                let found: Vec<_> = match namespace {
                    Some(ns) => self
                        .store
                        .get(&rt.storage, &ObjectKey::new(ns, name))
                        .into_iter()
                        .collect(),
                    None if !rt.namespaced => self
                        .store
                        .get(&rt.storage, &ObjectKey::new("", name))
                        .into_iter()
                        .collect(),
                    None => self.store.list(&rt.storage, None, None).0,
                };
                (found, rv)
            }
            _ => self.store.list(&rt.storage, namespace, after.as_ref()),
        };
        let list_rv = list_rv.unwrap_or(store_rv);
        let limit = query.limit.filter(|l| *l > 0);
        let mut items = Vec::new();
        let mut last_key = None;
        let mut matched_beyond = 0usize;
        for obj in candidates {
            if !filter.matches(rt, &obj) {
                continue;
            }
            if let Some(limit) = limit
                && items.len() >= limit
            {
                matched_beyond += 1;
                continue;
            }
            last_key = Some(ObjectKey::new(
                obj.namespace().unwrap_or(""),
                obj.name().unwrap_or(""),
            ));
            items.push(if rt.strategy.converts() {
                Arc::new(rt.strategy.to_served(&obj))
            } else {
                obj
            });
        }
        let (continue_token, remaining) = if matched_beyond > 0 {
            let token = last_key.map(|k| encode_continue(list_rv, &k));
            (token, Some(matched_beyond))
        } else {
            (None, None)
        };
        Ok(ListPage {
            items,
            resource_version: list_rv,
            continue_token,
            remaining,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip() {
        let token = encode_continue(42, &ObjectKey::new("ns", "web"));
        assert_eq!(
            decode_continue(&token).unwrap(),
            (42, ObjectKey::new("ns", "web"))
        );
        assert!(decode_continue("!!!").is_err());
        assert!(
            decode_continue(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("{}"))
                .is_err()
        );
    }
}
