//! The shape of apiextensions.k8s.io/v1 CustomResourceDefinition.
//!
//! `JSONSchemaProps` is recursive; a shape is a finite tree, so the schema is spelled
//! out [`SCHEMA_DEPTH`] levels deep through `properties`, `items` and
//! `additionalProperties` (and one level through the other sub-schemas), and deduced
//! below that. Deduced merges the same way for every field of a schema except
//! `x-kubernetes-validations`, which is then replaced rather than merged by `rule`.

use super::{apply_keyed, atomic, keyed, map_of, st, strings};
use crate::shape::Shape;

/// How many levels of nested schemas are spelled out.
const SCHEMA_DEPTH: usize = 3;

/// apiextensions.k8s.io/v1 CustomResourceDefinition. Note that `spec.versions` is
/// `+listType=atomic` in v1 (it has no merge key), and `status.conditions` is keyed
/// by `type` for apply only.
pub(super) fn custom_resource_definition() -> Shape {
    let names = || {
        st(
            "plural singular kind listKind",
            vec![("shortNames", strings()), ("categories", strings())],
        )
    };
    let column = st("name type format description priority jsonPath", vec![]);
    let subresources = st(
        "",
        vec![
            ("status", st("", vec![])),
            (
                "scale",
                st(
                    "specReplicasPath statusReplicasPath labelSelectorPath",
                    vec![],
                ),
            ),
        ],
    );
    let version = st(
        "name served storage deprecated deprecationWarning",
        vec![
            (
                "schema",
                st(
                    "",
                    vec![("openAPIV3Schema", json_schema_props(SCHEMA_DEPTH))],
                ),
            ),
            ("subresources", subresources),
            ("additionalPrinterColumns", atomic(column)),
            ("selectableFields", atomic(st("jsonPath", vec![]))),
        ],
    );
    let client_config = st(
        "url caBundle",
        vec![("service", st("namespace name path port", vec![]))],
    );
    let conversion = st(
        "strategy",
        vec![(
            "webhook",
            st(
                "",
                vec![
                    ("clientConfig", client_config),
                    ("conversionReviewVersions", strings()),
                ],
            ),
        )],
    );
    let spec = st(
        "group scope preserveUnknownFields",
        vec![
            ("names", names()),
            ("versions", atomic(version)),
            ("conversion", conversion),
        ],
    );
    let condition = st("type status lastTransitionTime reason message", vec![]);
    let status = st(
        "",
        vec![
            ("conditions", apply_keyed(condition, &["type"])),
            ("acceptedNames", names()),
            ("storedVersions", strings()),
        ],
    );
    st("", vec![("spec", spec), ("status", status)])
}

/// apiextensions.k8s.io/v1 `JSONSchemaProps`, spelled out `depth` levels deep.
fn json_schema_props(depth: usize) -> Shape {
    // The recursive fields: spelled out while depth lasts, deduced after.
    let deeper = || {
        if depth == 0 {
            Shape::Deduced
        } else {
            json_schema_props(depth - 1)
        }
    };
    // Sub-schemas that are rare in practice go one level only.
    let shallow = || {
        if depth == SCHEMA_DEPTH {
            json_schema_props(0)
        } else {
            Shape::Deduced
        }
    };
    let validation_rule = st(
        "rule message messageExpression reason fieldPath optionalOldSelf",
        vec![],
    );
    st(
        "id $schema $ref description type format title maximum exclusiveMaximum minimum \
         exclusiveMinimum maxLength minLength pattern maxItems minItems uniqueItems multipleOf \
         maxProperties minProperties nullable x-kubernetes-preserve-unknown-fields \
         x-kubernetes-embedded-resource x-kubernetes-int-or-string x-kubernetes-list-type \
         x-kubernetes-map-type",
        vec![
            // `JSON` values have no schema of their own.
            ("default", Shape::Deduced),
            ("example", Shape::Deduced),
            ("enum", atomic(Shape::Deduced)),
            ("required", strings()),
            // An object, or (never in a structural schema) an array of schemas.
            ("items", deeper()),
            ("allOf", atomic(shallow())),
            ("oneOf", atomic(shallow())),
            ("anyOf", atomic(shallow())),
            ("not", shallow()),
            ("properties", map_of(deeper())),
            // A schema, or a bool.
            ("additionalProperties", deeper()),
            ("patternProperties", map_of(shallow())),
            // Each value is a schema or a list of property names.
            ("dependencies", map_of(Shape::Deduced)),
            ("additionalItems", shallow()),
            ("definitions", map_of(shallow())),
            ("externalDocs", st("description url", vec![])),
            ("x-kubernetes-list-map-keys", strings()),
            (
                "x-kubernetes-validations",
                keyed(validation_rule, &["rule"]),
            ),
        ],
    )
}
