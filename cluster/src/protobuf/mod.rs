//! Decoding Kubernetes protobuf request bodies (`Content-Type:
//! application/vnd.kubernetes.protobuf`) into the JSON the API server would hold for them.
//!
//! kubectl 1.32 and later send protobuf from their typed clients: `kubectl create secret`,
//! `create configmap`, `create namespace`, `create serviceaccount`, `create service`,
//! `create token`, `create ingress` (and the other `create` subcommands), `auth can-i`
//! (SelfSubjectAccessReview), `auth can-i --list` (SelfSubjectRulesReview), `auth whoami`
//! (SelfSubjectReview), `debug node/…` and `debug <pod> --copy-to` (Pod). `expose`, `run`,
//! `delete` and `drain` still send JSON. [`decode`] turns a protobuf body into the object's
//! JSON form, so the rest of the server keeps working on JSON only.
//!
//! # Format
//!
//! A body is the magic `k8s\0` followed by a `runtime.Unknown` message: `typeMeta` (1:
//! `apiVersion` 1, `kind` 2), `raw` (2: the typed message), `contentEncoding` (3) and
//! `contentType` (4). The typed message is decoded by one generic reader (`wire.rs`,
//! `render.rs`) driven by one static table per message type (`schema.rs`, `tables/`). Kubernetes names
//! every proto field after its JSON field, so a table entry is the field number, the JSON
//! name, the value type, and how Go's `encoding/json` writes the Go field (value or pointer,
//! `omitempty` or not, slice, map, inline). That last part is what makes the output equal
//! the API server's JSON: Go's protobuf encoder writes every non-pointer scalar even when
//! empty, and the JSON encoder then leaves out the `omitempty` ones, writes `null` for nil
//! pointers and slices without `omitempty`, and always writes structs (`"status":{}`,
//! `"creationTimestamp":null`). The apimachinery types with their own JSON form are special
//! cases (`special.rs`): `Time` (RFC 3339, seconds), `MicroTime` (microseconds), `Duration`
//! (Go's `1h0m0s`), `Quantity` (its string), `IntOrString`, `RawExtension` and `FieldsV1`
//! (embedded JSON), and `[]string` wrappers such as `ExtraValue`. Unknown fields are
//! skipped; kinds without a table give [`ProtobufError::UnsupportedKind`].
//!
//! Covered kinds: core/v1 Secret, ConfigMap, Namespace, ServiceAccount, Service, Endpoints,
//! Event, Pod; authorization.k8s.io/v1 SelfSubjectAccessReview, SelfSubjectRulesReview,
//! SubjectAccessReview, LocalSubjectAccessReview; authentication.k8s.io/v1
//! SelfSubjectReview, TokenRequest, TokenReview; networking.k8s.io/v1 Ingress; policy/v1
//! Eviction; events.k8s.io/v1 Event; and DeleteOptions under any group/version. The tables
//! follow the Kubernetes 1.36 types (k8s.io/api and apimachinery v0.36.3), written by hand
//! from `generated.proto` (field numbers, wire types) and `types.go` (JSON tags).
//!
//! Deviations from the API server, each deliberate:
//! - `metadata.creationTimestamp` is written as `null` when zero, as Kubernetes up to 1.33
//!   does (1.34 added `omitzero` and leaves it out).
//! - A `Quantity` is checked against the quantity grammar but kept as sent, not rewritten in
//!   canonical form (`1000m` stays `1000m`; Go clients always send the canonical form).
//! - Times outside years 0000–9999 are refused as malformed (they have no RFC 3339 form).
//! - Output is bounded: nesting deeper than 64 messages, and bodies that would expand to
//!   more than about one JSON value per input byte (plus 10 000), are refused as malformed.
//!   Real bodies need about half that; a flood of empty messages could otherwise expand a
//!   3 MiB body into more than a gigabyte of JSON values.
//!
//! # Test fixtures
//!
//! `testdata/` holds request bodies captured from the real kubectl binaries by
//! `testdata/capture.py`: it starts a stub API server on 127.0.0.1 (legacy discovery, the
//! few GETs kubectl makes, and a JSON echo of each write), points kubectl 1.31, 1.32 and
//! 1.33 at it with a kubeconfig whose server is `http://127.0.0.1:PORT`, runs each command,
//! and saves the body of its write request as `<case>.<version>.pb` (protobuf, 1.32 and
//! 1.33) or `<case>.<version>.json` (JSON, 1.31). The tests decode each `.pb` and compare it
//! with the `.json` that kubectl 1.31 sent for the same command, as values and byte for byte
//! (which checks Go's field order too). Cases whose bodies every version sends as JSON are
//! kept as a record that the server must keep taking JSON for them. To add a case, append it
//! to `CASES` in `capture.py`, run `python3 capture.py --only <case>` from `testdata/`, and
//! add the case name to the list in `tests.rs`.
//!
//! # Fuzzing
//!
//! `cluster/fuzz` has a `cargo fuzz` target, `protobuf_decode`. The toolchain is stable, so
//! run it with `RUSTC_BOOTSTRAP=1 cargo fuzz run protobuf_decode` from `cluster/`
//! (needs `cargo install cargo-fuzz`).

mod render;
mod schema;
mod special;
mod tables;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_encoded;
mod wire;

use serde_json::{Map, Value};

use wire::{Reader, WireValue, malformed};

/// The four bytes every Kubernetes protobuf body starts with.
pub const MAGIC: &[u8; 4] = b"k8s\0";

/// The media type of Kubernetes protobuf bodies.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtobufError {
    /// The body does not start with the `k8s\0` magic.
    #[error("the body is not a Kubernetes protobuf message (no k8s\\0 prefix)")]
    NotProtobuf,
    /// The envelope names a kind this decoder has no table for.
    #[error(
        "no kind \"{kind}\" is registered for version \"{api_version}\" in the protobuf decoder"
    )]
    UnsupportedKind {
        /// The envelope's `apiVersion`.
        api_version: String,
        /// The envelope's `kind`.
        kind: String,
    },
    /// The bytes are not a valid encoding of the message.
    #[error("malformed protobuf body: {0}")]
    Malformed(String),
}

/// Decodes a Kubernetes protobuf body (`k8s\0` magic + `runtime.Unknown` envelope + the
/// typed message) into the object's JSON form, exactly as the API server's JSON for that
/// object would be (field names, base64 for bytes, RFC 3339 for `Time`/`MicroTime`,
/// `Quantity` and `IntOrString` as their JSON forms, empty fields left out as Go's
/// `omitempty` leaves them out, `kind`/`apiVersion` from the envelope).
pub fn decode(body: &[u8]) -> Result<Value, ProtobufError> {
    let envelope = body.strip_prefix(MAGIC).ok_or(ProtobufError::NotProtobuf)?;
    let unknown = Unknown::parse(envelope)?;
    if !unknown.content_encoding.is_empty() {
        return Err(malformed(format!(
            "unsupported content encoding {:?}",
            unknown.content_encoding
        )));
    }
    let message = tables::lookup(&unknown.api_version, &unknown.kind).ok_or_else(|| {
        ProtobufError::UnsupportedKind {
            api_version: unknown.api_version.clone(),
            kind: unknown.kind.clone(),
        }
    })?;
    let mut decoder = render::Decoder::new(body.len());
    let fields = decoder.message(message, &[unknown.raw], 0)?;
    let mut object = Map::new();
    object.insert("kind".to_string(), Value::String(unknown.kind));
    object.insert("apiVersion".to_string(), Value::String(unknown.api_version));
    object.extend(fields);
    Ok(Value::Object(object))
}

/// The API server answers every undecodable body with 400 Bad Request (its handlers turn
/// decoding errors, unregistered kinds included, into `BadRequest`).
impl From<ProtobufError> for crate::status::StatusError {
    fn from(err: ProtobufError) -> Self {
        crate::status::StatusError::bad_request(err.to_string())
    }
}

/// Whether a body starts with the protobuf magic.
pub fn is_protobuf(body: &[u8]) -> bool {
    body.starts_with(MAGIC)
}

/// Every `(apiVersion, kind)` that [`decode`] accepts (`DeleteOptions` is accepted under
/// any apiVersion and listed once, as `meta.k8s.io/v1`).
pub fn supported_kinds() -> Vec<(&'static str, &'static str)> {
    tables::known_kinds().collect()
}

/// The `runtime.Unknown` envelope.
struct Unknown<'a> {
    api_version: String,
    kind: String,
    raw: &'a [u8],
    content_encoding: String,
}

impl<'a> Unknown<'a> {
    fn parse(buf: &'a [u8]) -> Result<Self, ProtobufError> {
        let mut unknown = Unknown {
            api_version: String::new(),
            kind: String::new(),
            raw: &[],
            content_encoding: String::new(),
        };
        let mut reader = Reader::new(buf);
        while let Some((tag, value)) = reader.next_field()? {
            match (tag, value) {
                (1, WireValue::Bytes(type_meta)) => unknown.type_meta(type_meta)?,
                (2, WireValue::Bytes(raw)) => unknown.raw = raw,
                (3, WireValue::Bytes(encoding)) => {
                    unknown.content_encoding = special::go_string(encoding);
                }
                (4, WireValue::Bytes(_)) => {}
                (1..=4, other) => {
                    return Err(malformed(format!(
                        "wrong wire type {} for field {tag} of the Unknown envelope",
                        other.wire_type()
                    )));
                }
                _ => {}
            }
        }
        if unknown.kind.is_empty() {
            return Err(malformed("the envelope has no kind"));
        }
        Ok(unknown)
    }

    /// Merges one occurrence of `TypeMeta` (`apiVersion` 1, `kind` 2).
    fn type_meta(&mut self, buf: &[u8]) -> Result<(), ProtobufError> {
        let mut reader = Reader::new(buf);
        while let Some((tag, value)) = reader.next_field()? {
            match (tag, value) {
                (1, WireValue::Bytes(b)) => self.api_version = special::go_string(b),
                (2, WireValue::Bytes(b)) => self.kind = special::go_string(b),
                (1 | 2, other) => {
                    return Err(malformed(format!(
                        "wrong wire type {} for field {tag} of TypeMeta",
                        other.wire_type()
                    )));
                }
                _ => {}
            }
        }
        Ok(())
    }
}
