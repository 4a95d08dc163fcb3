//! Hand-written schemas for fields whose Rust type does not say what the CRD must:
//! byte strings, untyped integers, resource quantities and free-form JSON.

use schemars::{Schema, SchemaGenerator, json_schema};

/// `[]byte` in Go: a base64 string.
pub(crate) fn bytes(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "format": "byte"})
}

/// Go `int`: an integer without a declared width.
pub(crate) fn integer(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "integer"})
}

/// A renewal window duration: Go duration units `h`, `m` and `s` only.
pub(crate) fn window_duration(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": r"^([0-9]+(\.[0-9]+)?(s|m|h))+$"})
}

/// The syntax of a Kubernetes resource quantity.
pub(crate) const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// A `ResourceList`: resource names to quantities (integers or strings).
pub(crate) fn resource_list(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": {
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "pattern": QUANTITY_PATTERN,
            "x-kubernetes-int-or-string": true
        }
    })
}

/// Arbitrary JSON kept as is (`apiextensions.JSON`).
pub(crate) fn any_json(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"x-kubernetes-preserve-unknown-fields": true})
}
