//! The shape of the message tables: for each Kubernetes message, its fields in Go struct
//! order, each with its protobuf field number, JSON name, value type, and how Go's
//! `encoding/json` treats it (value or pointer, `omitempty` or not, slice, map, inline).
//!
//! Kubernetes' `generated.proto` files name every field after its JSON name, so one table
//! entry is all the decoder needs to know about a field.

/// One protobuf message type.
#[derive(Debug)]
pub(crate) struct Message {
    /// The Go type name, for error messages.
    pub name: &'static str,
    /// The fields, in Go struct (and so JSON output) order.
    pub fields: &'static [Field],
}

/// One field of a message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    /// The protobuf field number.
    pub tag: u32,
    /// The JSON name (ignored for [`Shape::Inline`]).
    pub json: &'static str,
    /// The element type (the value type for maps, whose keys are always strings).
    pub ty: Ty,
    /// How the Go field holds the value and how `encoding/json` writes it.
    pub shape: Shape,
}

/// The value types.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ty {
    /// `string` (and string-based Go types): a JSON string.
    Str,
    /// `[]byte`: base64 in JSON.
    Bytes,
    /// `bool`.
    Bool,
    /// `int32` (varint, two's complement for negatives).
    I32,
    /// `int64`.
    I64,
    /// A nested message.
    Msg(&'static Message),
    /// `metav1.Time`: RFC 3339 with seconds, `null` when zero.
    Time,
    /// `metav1.MicroTime`: RFC 3339 with microseconds, `null` when zero.
    MicroTime,
    /// `metav1.Duration`: Go's duration string (`1h0m0s`). No covered kind has one yet.
    #[cfg_attr(not(test), allow(dead_code))]
    Duration,
    /// `resource.Quantity`: its string form.
    Quantity,
    /// `intstr.IntOrString`: a number or a string.
    IntOrString,
    /// `runtime.RawExtension`: embedded JSON. No covered kind has one yet (ControllerRevision
    /// and the admission and DRA types do).
    #[cfg_attr(not(test), allow(dead_code))]
    RawExtension,
    /// `metav1.FieldsV1`: embedded JSON.
    FieldsV1,
    /// A `[]string` wrapped in a message with `repeated string items = 1`
    /// (`authentication/v1.ExtraValue`, `authorization/v1.ExtraValue`, `metav1.Verbs`):
    /// a JSON array of strings.
    StringList,
}

/// How a Go field holds its value, and so what `encoding/json` writes for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A plain value. With `omit`, zero scalars and empty byte slices are left out
    /// (`omitempty`); structs are always written, as Go does.
    One {
        /// The JSON tag has `omitempty`.
        omit: bool,
    },
    /// A pointer: written when present; when absent, left out (`omitempty`) or `null`.
    Ptr {
        /// The JSON tag has `omitempty`.
        omit: bool,
    },
    /// A slice: empty is left out (`omitempty`) or `null`.
    List {
        /// The JSON tag has `omitempty`.
        omit: bool,
    },
    /// A `map[string]T`, keys sorted as Go writes them: empty is left out or `null`.
    Map {
        /// The JSON tag has `omitempty`.
        omit: bool,
    },
    /// An embedded struct (`json:",inline"`): its fields are written into the parent.
    Inline,
}

/// A value field without `omitempty`.
pub(crate) const V: Shape = Shape::One { omit: false };
/// A value field with `omitempty`.
pub(crate) const VO: Shape = Shape::One { omit: true };
/// A pointer field with `omitempty`.
pub(crate) const P: Shape = Shape::Ptr { omit: true };
/// A pointer field without `omitempty` (absent is `null`).
pub(crate) const PN: Shape = Shape::Ptr { omit: false };
/// A slice without `omitempty` (empty is `null`).
pub(crate) const L: Shape = Shape::List { omit: false };
/// A slice with `omitempty`.
pub(crate) const LO: Shape = Shape::List { omit: true };
/// A map without `omitempty` (empty is `null`).
pub(crate) const M: Shape = Shape::Map { omit: false };
/// A map with `omitempty`.
pub(crate) const MO: Shape = Shape::Map { omit: true };
/// An embedded struct.
pub(crate) const INLINE: Shape = Shape::Inline;

/// Shorthand for a [`Ty::Msg`].
pub(crate) const fn msg(message: &'static Message) -> Ty {
    Ty::Msg(message)
}

/// Shorthand for a table entry.
pub(crate) const fn f(tag: u32, json: &'static str, ty: Ty, shape: Shape) -> Field {
    Field {
        tag,
        json,
        ty,
        shape,
    }
}
