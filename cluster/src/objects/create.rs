//! Create, and the request-body checks shared with update.

use serde_json::Value;

use super::options::{FieldValidation, WriteOptions};
use super::{Objects, Written, system};
use crate::meta::ObjectExt;
use crate::meta::names::generate_name;
use crate::meta::validate::{check_meta_types, validate_create};
use crate::registry::ResourceType;
use crate::registry::builtin::ReviewKind;
use crate::status::{GroupResource, StatusError};
use crate::store::StoreError;

/// A short rendering of a body for error messages.
fn snippet(body: &Value) -> String {
    let mut s = body.to_string();
    if s.len() > 200 {
        let mut cut = 200;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

impl Objects {
    /// Checks a request body against the resource it was sent to and decodes it:
    /// apiVersion and kind, metadata types, namespace, unknown fields.
    pub(super) fn admit_body(
        &self,
        rt: &ResourceType,
        namespace: &str,
        body: Value,
        opts: &WriteOptions,
        warnings: &mut Vec<String>,
    ) -> Result<Value, StatusError> {
        let Value::Object(mut map) = body else {
            return Err(StatusError::bad_request(format!(
                "couldn't get version/kind; json parse error: cannot unmarshal {} into an object",
                json_type(&body)
            )));
        };
        let api_version = rt.api_version();
        match map.get("apiVersion").and_then(Value::as_str) {
            Some(v) if !v.is_empty() && v != api_version => {
                return Err(StatusError::bad_request(format!(
                    "the API version in the data ({v}) does not match the expected API version ({api_version})"
                )));
            }
            Some(v) if !v.is_empty() => {}
            _ => {
                map.insert("apiVersion".into(), Value::from(api_version.as_str()));
            }
        }
        match map.get("kind").and_then(Value::as_str) {
            Some(k) if !k.is_empty() && k != rt.kind => {
                let name = map
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                return Err(StatusError::invalid(
                    &rt.group,
                    k,
                    &name,
                    &[crate::field::FieldError::invalid(
                        "kind",
                        Value::from(k),
                        format!("must be {}", rt.kind),
                    )],
                ));
            }
            Some(k) if !k.is_empty() => {}
            _ if rt.custom => {
                return Err(StatusError::bad_request(format!(
                    "Object 'Kind' is missing in '{}'",
                    snippet(&Value::Object(map))
                )));
            }
            _ => {
                map.insert("kind".into(), Value::from(rt.kind.as_str()));
            }
        }
        let mut obj = Value::Object(map);
        check_meta_types(&obj).map_err(StatusError::bad_request)?;
        if rt.namespaced {
            match obj.namespace() {
                None | Some("") => obj.set_meta("namespace", Value::from(namespace)),
                Some(ns) if ns != namespace => {
                    return Err(StatusError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                _ => {}
            }
        } else if obj.namespace().is_some() {
            obj.remove_meta("namespace");
        }
        system::normalize_meta(&mut obj);
        let decoded = rt.strategy.decode(obj)?;
        if !decoded.unknown_fields.is_empty() {
            let messages = decoded.unknown_fields;
            match opts.field_validation {
                FieldValidation::Strict => {
                    return Err(StatusError::bad_request(format!(
                        "strict decoding error: {}",
                        messages.join(", ")
                    )));
                }
                FieldValidation::Warn => warnings.extend(messages),
                FieldValidation::Ignore => {}
            }
        }
        Ok(decoded.object)
    }

    /// Fails unless `namespace` exists and is not terminating.
    pub(super) fn check_namespace(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
    ) -> Result<(), StatusError> {
        if !rt.namespaced {
            return Ok(());
        }
        let namespaces = GroupResource::new("", "namespaces");
        let ns = self
            .store
            .get(&namespaces, &crate::store::ObjectKey::new("", namespace))
            .ok_or_else(|| StatusError::not_found(&namespaces, namespace))?;
        if ns.is_deleting() {
            return Err(StatusError::forbidden(
                &rt.group_resource(),
                name,
                &format!("unable to create new content in namespace {namespace} because it is being terminated"),
            )
            .with_cause(
                "NamespaceTerminating",
                format!("namespace {namespace} is being terminated"),
                "metadata.namespace",
            ));
        }
        Ok(())
    }

    /// Creates an object from a request body.
    pub fn create(
        &self,
        rt: &ResourceType,
        namespace: &str,
        body: Value,
        opts: &WriteOptions,
    ) -> Result<Written, StatusError> {
        let mut warnings = Vec::new();
        let mut obj = self.admit_body(rt, namespace, body, opts, &mut warnings)?;
        if let Some(review) = ReviewKind::of(rt) {
            return Ok(Written {
                object: review.answer(obj),
                created: true,
                warnings,
            });
        }
        if !rt.is_stored() {
            return Err(StatusError::method_not_supported(
                &rt.group_resource(),
                "create",
            ));
        }
        rt.strategy.apply_defaults(&mut obj);
        self.create_decoded(rt, obj, opts, warnings, true)
    }

    /// Creates an already decoded and defaulted object (also the create path of
    /// server-side apply).
    pub(super) fn create_decoded(
        &self,
        rt: &ResourceType,
        mut obj: Value,
        opts: &WriteOptions,
        warnings: Vec<String>,
        track: bool,
    ) -> Result<Written, StatusError> {
        let ctx = self.ctx();
        if obj.name().is_none_or(str::is_empty)
            && let Some(prefix) = obj
                .meta_str("generateName")
                .filter(|p| !p.is_empty())
                .map(str::to_string)
        {
            obj.set_meta("name", Value::String(generate_name(&prefix)));
        }
        system::stamp_create(&mut obj, &ctx, rt.strategy.tracks_generation());
        rt.strategy.prepare_create(&mut obj, &ctx);
        let name = obj.name().unwrap_or("").to_string();
        let namespace = obj.namespace().unwrap_or("").to_string();
        let mut errs = validate_create(&obj, rt.strategy.name_rule(), rt.namespaced);
        errs.extend(rt.strategy.validate(&obj, None));
        if !errs.is_empty() {
            return Err(StatusError::invalid(&rt.group, &rt.kind, &name, &errs));
        }
        self.check_namespace(rt, &namespace, &name)?;
        if track {
            self.track_create(rt, &mut obj, opts)?;
        }
        let stored_form = rt.strategy.to_storage(obj);
        if opts.dry_run {
            return Ok(Written {
                object: rt.strategy.to_served(&stored_form),
                created: true,
                warnings,
            });
        }
        let key = Objects::key(rt, &namespace, &name);
        let stored = self
            .store
            .create(&rt.storage, key, stored_form)
            .map_err(|e| match e {
                StoreError::AlreadyExists => {
                    StatusError::already_exists(&rt.group_resource(), &name)
                }
                other => StatusError::internal(other.to_string()),
            })?;
        self.after_commit(rt, &stored);
        Ok(Written {
            object: rt.strategy.to_served(&stored),
            created: true,
            warnings,
        })
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
