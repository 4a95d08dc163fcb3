//! Structural schemas for custom resources: what the API server does with a CRD
//! version's `openAPIV3Schema`.
//!
//! [`Structural::compile`] checks a schema as the API server does when a CRD is
//! created or updated (structural rules, list and map types, defaults, CEL rules) and
//! compiles it once. The compiled schema then serves every request for the resource:
//!
//! 1. [`Structural::prune`] drops unknown fields (reporting them for
//!    `fieldValidation=Warn|Strict`),
//! 2. [`Structural::apply_defaults`] fills in `default`s,
//! 3. [`Structural::validate`] checks the object: OpenAPI value validation, embedded
//!    resources, list-set and list-map uniqueness, then `x-kubernetes-validations`.
//!
//! [`Structural::shape`] gives server-side apply its merge shape and
//! [`Structural::openapi_schema`] the document `/openapi/v3` publishes.

mod cel;
mod defaults;
mod embedded;
mod format;
mod gofmt;
mod listtype;
mod node;
mod openapi;
mod parse;
mod prune;
mod publish;
mod shape_of;
mod structural;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_cel;
#[cfg(test)]
mod tests_crd;

use serde_json::Value;

use crate::field::{FieldError, FieldErrorKind, FieldPath};
use crate::shape::Shape;
use node::Node;

pub use publish::OBJECT_META_REF;

/// The message the API server adds instead of running CEL rules on an object that
/// already failed basic validation.
const CEL_SKIPPED: &str = "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

/// The compiled structural schema of one CRD version, CEL programs included.
///
/// Cheap to share (`Arc<Structural>`): compiled once, it is only read afterwards.
#[derive(Debug)]
pub struct Structural {
    root: Node,
    raw: Value,
}

impl Structural {
    /// Compiles `openAPIV3Schema` (JSONSchemaProps as JSON).
    ///
    /// Errors carry field paths under `path` (the caller passes e.g.
    /// `spec.versions[0].schema.openAPIV3Schema`) and match what the API server
    /// reports when it rejects a CRD: non-structural schemas, unsupported keywords,
    /// bad list and map types, defaults that are not pruned or do not validate, CEL
    /// rules that do not compile.
    pub fn compile(schema: &Value, path: &FieldPath) -> Result<Structural, Vec<FieldError>> {
        let mut errors = Vec::new();
        if schema.get("nullable") == Some(&Value::Bool(true)) {
            errors.push(FieldError::forbidden(
                path.child("nullable"),
                "nullable cannot be true at the root",
            ));
        }
        let structural_errors = structural::validate_structural(schema, path);
        let structural_ok = structural_errors.is_empty();
        let mut collected = parse::Collected::default();
        let root = parse::parse_root(schema, path, structural_ok, &mut collected);
        errors.extend(structural_errors);
        if structural_ok {
            let default_errors = defaults::validate_defaults(&root, path);
            if !default_errors.is_empty() {
                // With invalid defaults the API server does not get as far as CEL.
                collected.cel.clear();
                errors.extend(default_errors);
            }
        }
        errors.extend(collected.schema);
        errors.extend(collected.cel);
        if errors.is_empty() {
            Ok(Structural {
                root,
                raw: schema.clone(),
            })
        } else {
            Err(errors)
        }
    }

    /// Validates a whole object (apiVersion, kind, metadata, spec, status, …) after
    /// defaulting and pruning. `old` is the stored object on an update: it binds
    /// `oldSelf` for transition rules, which are skipped on create.
    ///
    /// The root `metadata` is checked only as far as the schema restricts it; the
    /// rest of `ObjectMeta` validation is the server's.
    pub fn validate(&self, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
        let mut errs = openapi::validate(&self.root, obj, &FieldPath::root());
        if let Value::Object(map) = obj {
            embedded::validate(&self.root, map, &FieldPath::root(), &mut errs);
            listtype::validate(&self.root, map, &FieldPath::root(), &mut errs);
        }
        if self.root.has_rules_below {
            let blocking = errs.iter().any(|e| {
                matches!(
                    e.kind,
                    FieldErrorKind::NotSupported
                        | FieldErrorKind::Required
                        | FieldErrorKind::TooLong
                        | FieldErrorKind::TooMany
                        | FieldErrorKind::TypeInvalid
                )
            });
            if blocking {
                errs.push(FieldError::invalid("", Value::Null, CEL_SKIPPED));
            } else {
                cel::validate(&self.root, obj, old, &mut errs);
            }
        }
        errs
    }

    /// Applies `default`s, as the API server does on create and update and when
    /// reading from storage. `apiVersion`, `kind` and `metadata` at the root are left
    /// alone.
    pub fn apply_defaults(&self, obj: &mut Value) {
        defaults::apply(&self.root, obj, true);
    }

    /// Drops fields the schema does not know (everywhere but under
    /// `x-kubernetes-preserve-unknown-fields`; `apiVersion`, `kind` and `metadata` of
    /// the object and of embedded resources are kept) and returns the warnings
    /// `fieldValidation=Warn|Strict` reports for them: `unknown field "spec.foo"`.
    pub fn prune(&self, obj: &mut Value) -> Vec<String> {
        let mut paths = Vec::new();
        let mut scratch = String::new();
        prune::prune(Some(&self.root), obj, true, &mut scratch, &mut paths);
        paths
            .into_iter()
            .map(|p| format!("unknown field {}", gofmt::quote(&p)))
            .collect()
    }

    /// The merge shape for server-side apply. `metadata` is [`Shape::Deduced`]: the
    /// server knows `ObjectMeta`'s shape better than a CRD schema does.
    pub fn shape(&self) -> Shape {
        shape_of::shape(&self.root, true)
    }

    /// The schema as an OpenAPI v3 schema object for `/openapi/v3` (what `kubectl
    /// explain` reads): a clean copy with the `x-kubernetes-*` extensions kept and the
    /// standard `apiVersion`, `kind` and `metadata` (a reference to
    /// [`OBJECT_META_REF`]) properties added.
    pub fn openapi_schema(&self) -> Value {
        publish::openapi_schema(&self.raw)
    }

    /// Whether the schema has `x-kubernetes-validations` anywhere.
    pub fn has_cel_rules(&self) -> bool {
        self.root.has_rules_below
    }
}

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn structural_is_shareable() {
        assert_send_sync::<super::Structural>();
    }
}
