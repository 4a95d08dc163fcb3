//! Merge shapes of the built-in kinds the API server serves.
//!
//! Each table restates, by hand, the Go struct tags of `k8s.io/api` (and
//! `k8s.io/apimachinery`, `k8s.io/apiextensions-apiserver`) at v1.33:
//! `patchStrategy`/`patchMergeKey` (strategic merge patch) and `+listType`,
//! `+listMapKey`, `+mapType`, `+structType` (server-side apply). Every field of every
//! type is listed, so a shape also tells which fields exist; values with no schema
//! (`FieldsV1`, `JSON`) are [`Shape::Deduced`].
//!
//! Where the two merge mechanisms disagree the list carries both: container ports are
//! keyed by `containerPort` and `protocol` for server-side apply but merged on
//! `containerPort` alone by strategic merge patch; CRD status conditions are keyed by
//! `type` for apply but replaced whole by strategic merge patch.

mod core;
mod crd;
mod pod;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::shape::{ListKind, ListShape, ObjectShape, Shape, StrategicList};

/// The merge shape of a built-in kind's whole object, or `None` for kinds not served.
pub fn shape_for(group: &str, version: &str, kind: &str) -> Option<Shape> {
    let body = match (group, version, kind) {
        ("", "v1", "Namespace") => core::namespace(),
        ("", "v1", "Secret") => core::secret(),
        ("", "v1", "ConfigMap") => core::config_map(),
        ("", "v1", "Service") => core::service(),
        ("", "v1", "Endpoints") => core::endpoints(),
        ("", "v1", "Pod") => pod::pod(),
        ("", "v1", "ServiceAccount") => core::service_account(),
        ("", "v1", "Event") => core::event(),
        ("events.k8s.io", "v1", "Event") => core::events_v1_event(),
        ("networking.k8s.io", "v1", "Ingress") => core::ingress(),
        ("networking.k8s.io", "v1", "IngressClass") => core::ingress_class(),
        ("coordination.k8s.io", "v1", "Lease") => core::lease(),
        ("apiextensions.k8s.io", "v1", "CustomResourceDefinition") => {
            crd::custom_resource_definition()
        }
        _ => return None,
    };
    Some(top_level(body))
}

/// The shape of `metadata` (`ObjectMeta`), shared by every kind, custom resources
/// included: `labels` and `annotations` are granular maps, `finalizers` a set,
/// `ownerReferences` keyed by `uid`, `managedFields` atomic.
pub fn object_meta_shape() -> Shape {
    static CELL: OnceLock<Shape> = OnceLock::new();
    CELL.get_or_init(build_object_meta_shape).clone()
}

fn build_object_meta_shape() -> Shape {
    let owner_reference = atomic_st(
        "apiVersion kind name uid controller blockOwnerDeletion",
        vec![],
    );
    let managed_fields_entry = st(
        "manager operation apiVersion time fieldsType subresource",
        vec![("fieldsV1", Shape::Deduced)],
    );
    st(
        "name generateName namespace selfLink uid resourceVersion generation \
         creationTimestamp deletionTimestamp deletionGracePeriodSeconds",
        vec![
            ("labels", map_of(s())),
            ("annotations", map_of(s())),
            ("ownerReferences", keyed(owner_reference, &["uid"])),
            ("finalizers", Shape::set()),
            ("managedFields", atomic(managed_fields_entry)),
        ],
    )
}

/// Adds `apiVersion`, `kind` and `metadata` to the fields of a kind.
fn top_level(body: Shape) -> Shape {
    body.with_field("apiVersion", s())
        .with_field("kind", s())
        .with_field("metadata", object_meta_shape())
}

// ---- building blocks ------------------------------------------------------------

/// A scalar (or a value always replaced whole: quantities, times, int-or-strings).
fn s() -> Shape {
    Shape::Scalar
}

/// A struct whose scalar fields are named in `scalars` (whitespace separated), with
/// the non-scalar fields in `nested`.
fn st(scalars: &str, nested: Vec<(&str, Shape)>) -> Shape {
    let mut fields: BTreeMap<String, Shape> = scalars
        .split_whitespace()
        .map(|name| (name.to_string(), Shape::Scalar))
        .collect();
    fields.extend(
        nested
            .into_iter()
            .map(|(name, shape)| (name.to_string(), shape)),
    );
    Shape::Object(ObjectShape {
        fields,
        ..ObjectShape::default()
    })
}

/// A struct marked `+structType=atomic`.
fn atomic_st(scalars: &str, nested: Vec<(&str, Shape)>) -> Shape {
    match st(scalars, nested) {
        Shape::Object(o) => Shape::Object(ObjectShape { atomic: true, ..o }),
        other => other,
    }
}

/// A struct in a list with `patchStrategy: retainKeys`.
fn retain_keys(shape: Shape) -> Shape {
    match shape {
        Shape::Object(o) => Shape::Object(ObjectShape {
            retain_keys: true,
            ..o
        }),
        other => other,
    }
}

/// A granular map (`map[string]T`).
fn map_of(values: Shape) -> Shape {
    Shape::map(values)
}

/// A map marked `+mapType=atomic`.
fn atomic_map(values: Shape) -> Shape {
    match Shape::map(values) {
        Shape::Object(o) => Shape::Object(ObjectShape { atomic: true, ..o }),
        other => other,
    }
}

/// A list replaced whole by both mechanisms (`+listType=atomic`, no `patchStrategy`).
fn atomic(items: Shape) -> Shape {
    Shape::atomic_list(items)
}

/// An atomic list of scalars, the most common list in the API.
fn strings() -> Shape {
    atomic(s())
}

/// `+listType=map` with `+listMapKey`s, and `patchStrategy: merge` on the first key.
fn keyed(items: Shape, keys: &[&str]) -> Shape {
    Shape::keyed_list(items, keys)
}

/// `+listType=map` without a `patchStrategy`: keyed for apply, replaced by strategic
/// merge patch.
fn apply_keyed(items: Shape, keys: &[&str]) -> Shape {
    Shape::List(ListShape {
        items: Box::new(items),
        kind: ListKind::Map {
            keys: keys.iter().map(|k| k.to_string()).collect(),
        },
        strategic: None,
    })
}

/// `+listType=atomic` with `patchStrategy: merge` on `merge_key`: atomic for apply,
/// merged by strategic merge patch.
fn patch_merged(items: Shape, merge_key: &str) -> Shape {
    Shape::List(ListShape {
        items: Box::new(items),
        kind: ListKind::Atomic,
        strategic: Some(StrategicList {
            merge_key: Some(merge_key.to_string()),
        }),
    })
}

/// `metav1.LabelSelector` (atomic).
fn label_selector() -> Shape {
    atomic_st(
        "",
        vec![
            ("matchLabels", map_of(s())),
            (
                "matchExpressions",
                atomic(st("key operator", vec![("values", strings())])),
            ),
        ],
    )
}

/// `metav1.Condition`, as used in `status.conditions` lists keyed by `type`.
fn condition() -> Shape {
    st(
        "type status observedGeneration lastTransitionTime reason message",
        vec![],
    )
}

/// `corev1.ObjectReference` (atomic).
fn object_reference() -> Shape {
    atomic_st(
        "kind namespace name uid apiVersion resourceVersion fieldPath",
        vec![],
    )
}

/// `corev1.LocalObjectReference` (atomic).
fn local_object_reference() -> Shape {
    atomic_st("name", vec![])
}

/// `corev1.TypedLocalObjectReference` (atomic).
fn typed_local_object_reference() -> Shape {
    atomic_st("apiGroup kind name", vec![])
}
