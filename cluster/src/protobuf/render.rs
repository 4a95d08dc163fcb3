//! The table-driven decoder: reads one message's fields with [`Reader`] and writes the JSON
//! that Go's `encoding/json` would write for the decoded Go struct.
//!
//! Protobuf merge rules are kept: a scalar field seen twice keeps its last value, a message
//! field seen twice is the merge of both (decoding the concatenated occurrences is the
//! merge), repeated fields append, and map entries overwrite by key. `Time` and `MicroTime`
//! are the exception: their Go decoder replaces the value, so their last occurrence wins.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::ProtobufError;
use super::schema::{Field, Message, Shape, Ty};
use super::special;
use super::wire::{Reader, WireValue, malformed};

/// How deeply messages may nest (Kubernetes objects nest about fifteen levels at most).
pub(crate) const MAX_DEPTH: usize = 64;

/// Decodes messages into JSON, within a budget of output values so that a small body full
/// of empty messages cannot expand into an enormous document.
pub(crate) struct Decoder {
    budget: usize,
}

impl Decoder {
    /// A decoder for a body of `input_len` bytes. It may produce one JSON value per input
    /// byte (plus a margin): Go's encoder writes every non-pointer field, at least two bytes
    /// each, so a real object needs about half that, while a body of empty messages whose
    /// zero values have many fields would otherwise expand many times over.
    pub(crate) fn new(input_len: usize) -> Self {
        Self {
            budget: input_len.saturating_add(10_000),
        }
    }

    /// Writes one field into an object, within the budget.
    fn put(
        &mut self,
        out: &mut Map<String, Value>,
        name: &str,
        value: Value,
    ) -> Result<(), ProtobufError> {
        self.charge()?;
        out.insert(name.to_string(), value);
        Ok(())
    }

    /// Counts one output value against the budget.
    fn charge(&mut self) -> Result<(), ProtobufError> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or_else(|| malformed("the object expands to too many JSON values"))?;
        Ok(())
    }

    /// Decodes one message given as the occurrences to merge, into its JSON fields.
    pub(crate) fn message(
        &mut self,
        message: &'static Message,
        chunks: &[&[u8]],
        depth: usize,
    ) -> Result<Map<String, Value>, ProtobufError> {
        if depth > MAX_DEPTH {
            return Err(malformed("objects nest too deeply"));
        }
        let mut seen: Vec<Vec<WireValue<'_>>> = vec![Vec::new(); message.fields.len()];
        for chunk in chunks {
            let mut reader = Reader::new(chunk);
            while let Some((tag, value)) = reader.next_field()? {
                let Some(index) = message.fields.iter().position(|f| f.tag == tag) else {
                    continue; // unknown field: skipped, for forward compatibility
                };
                if let Some(slot) = seen.get_mut(index) {
                    slot.push(value);
                }
            }
        }
        let mut out = Map::new();
        for (field, values) in message.fields.iter().zip(&seen) {
            self.field(message, field, values, depth, &mut out)?;
        }
        Ok(out)
    }

    fn field(
        &mut self,
        message: &'static Message,
        field: &Field,
        values: &[WireValue<'_>],
        depth: usize,
        out: &mut Map<String, Value>,
    ) -> Result<(), ProtobufError> {
        let name = field.json;
        let wrong = |value: &WireValue<'_>| {
            malformed(format!(
                "wrong wire type {} for field {}.{} ({})",
                value.wire_type(),
                message.name,
                if name.is_empty() { "<inline>" } else { name },
                field.tag
            ))
        };
        match field.shape {
            Shape::Inline => {
                let Ty::Msg(inner) = field.ty else {
                    return Err(malformed(format!(
                        "{}: inline field is not a message",
                        message.name
                    )));
                };
                let chunks = byte_values(values, wrong)?;
                let inline = self.message(inner, &chunks, depth + 1)?;
                out.extend(inline);
            }
            Shape::One { omit } => {
                let value = if is_scalar(field.ty) {
                    match values.last() {
                        Some(last) => {
                            check_scalars(field.ty, values, wrong)?;
                            self.scalar(field.ty, last, wrong)?
                        }
                        None => zero_scalar(field.ty),
                    }
                } else {
                    self.composite(field.ty, values, depth, wrong)?
                };
                if !(omit && is_omitted(field.ty, &value)) {
                    self.put(out, name, value)?;
                }
            }
            Shape::Ptr { omit } => {
                if values.is_empty() {
                    if !omit {
                        self.put(out, name, Value::Null)?;
                    }
                    return Ok(());
                }
                let value = if is_scalar(field.ty) {
                    check_scalars(field.ty, values, wrong)?;
                    match values.last() {
                        Some(last) => self.scalar(field.ty, last, wrong)?,
                        None => Value::Null,
                    }
                } else {
                    self.composite(field.ty, values, depth, wrong)?
                };
                self.put(out, name, value)?;
            }
            Shape::List { omit } => {
                let items = self.list(field.ty, values, depth, wrong)?;
                if items.is_empty() {
                    if !omit {
                        self.put(out, name, Value::Null)?;
                    }
                } else {
                    self.put(out, name, Value::Array(items))?;
                }
            }
            Shape::Map { omit } => {
                let mut entries = BTreeMap::new();
                for value in values {
                    let WireValue::Bytes(entry) = value else {
                        return Err(wrong(value));
                    };
                    let (key, item) = self.map_entry(field.ty, entry, depth, wrong)?;
                    entries.insert(key, item);
                }
                if entries.is_empty() {
                    if !omit {
                        self.put(out, name, Value::Null)?;
                    }
                } else {
                    self.put(out, name, Value::Object(entries.into_iter().collect()))?;
                }
            }
        }
        Ok(())
    }

    /// One scalar occurrence (`string`, `[]byte`, `bool`, `int32`, `int64`).
    fn scalar(
        &mut self,
        ty: Ty,
        value: &WireValue<'_>,
        wrong: impl Fn(&WireValue<'_>) -> ProtobufError,
    ) -> Result<Value, ProtobufError> {
        Ok(match (ty, value) {
            (Ty::Str, WireValue::Bytes(b)) => Value::String(special::go_string(b)),
            (Ty::Bytes, WireValue::Bytes(b)) => {
                Value::String(base64::engine::general_purpose::STANDARD.encode(b))
            }
            (Ty::Bool, WireValue::Varint(v)) => Value::Bool(*v != 0),
            // Go reads int32/int64 varints by truncation, as `as` does.
            (Ty::I32, WireValue::Varint(v)) => Value::from(*v as i32),
            (Ty::I64, WireValue::Varint(v)) => Value::from(*v as i64),
            _ => return Err(wrong(value)),
        })
    }

    /// A message-like value (a nested message or an apimachinery type) from all its
    /// occurrences; no occurrence is the Go zero value.
    fn composite(
        &mut self,
        ty: Ty,
        values: &[WireValue<'_>],
        depth: usize,
        wrong: impl Fn(&WireValue<'_>) -> ProtobufError,
    ) -> Result<Value, ProtobufError> {
        let chunks = byte_values(values, wrong)?;
        match ty {
            Ty::Msg(inner) => Ok(Value::Object(self.message(inner, &chunks, depth + 1)?)),
            // Go's decoders for these replace the whole value, so the last occurrence wins.
            Ty::Time => special::time(chunks.last().copied().unwrap_or_default()),
            Ty::MicroTime => special::micro_time(chunks.last().copied().unwrap_or_default()),
            _ => {
                let joined: Vec<u8> = chunks.concat();
                match ty {
                    Ty::Duration => special::duration(&joined),
                    Ty::Quantity => special::quantity(&joined),
                    Ty::IntOrString => special::int_or_string(&joined),
                    Ty::RawExtension => special::embedded_json(&joined, "RawExtension"),
                    Ty::FieldsV1 => special::embedded_json(&joined, "FieldsV1"),
                    Ty::StringList => self.string_list(&joined),
                    Ty::Str
                    | Ty::Bytes
                    | Ty::Bool
                    | Ty::I32
                    | Ty::I64
                    | Ty::Msg(_)
                    | Ty::Time
                    | Ty::MicroTime => Err(malformed("internal: scalar type decoded as a message")),
                }
            }
        }
    }

    /// A `[]string` wrapped in a message (`repeated string items = 1`): a JSON array, or
    /// `null` when empty (a nil Go slice).
    fn string_list(&mut self, buf: &[u8]) -> Result<Value, ProtobufError> {
        let mut items = Vec::new();
        let mut reader = Reader::new(buf);
        while let Some((tag, value)) = reader.next_field()? {
            match (tag, value) {
                (1, WireValue::Bytes(b)) => {
                    self.charge()?;
                    items.push(Value::String(special::go_string(b)));
                }
                (1, other) => {
                    return Err(malformed(format!(
                        "wrong wire type {} for a string list item",
                        other.wire_type()
                    )));
                }
                _ => {}
            }
        }
        Ok(if items.is_empty() {
            Value::Null
        } else {
            Value::Array(items)
        })
    }

    /// The elements of a repeated field; numeric and boolean elements may be packed.
    fn list(
        &mut self,
        ty: Ty,
        values: &[WireValue<'_>],
        depth: usize,
        wrong: impl Fn(&WireValue<'_>) -> ProtobufError + Copy,
    ) -> Result<Vec<Value>, ProtobufError> {
        let mut items = Vec::new();
        for value in values {
            match (ty, value) {
                (Ty::Bool | Ty::I32 | Ty::I64, WireValue::Bytes(packed)) => {
                    let mut reader = Reader::new(packed);
                    while !reader.at_end() {
                        let element = WireValue::Varint(reader.varint()?);
                        self.charge()?;
                        items.push(self.scalar(ty, &element, wrong)?);
                    }
                }
                (Ty::Str | Ty::Bytes | Ty::Bool | Ty::I32 | Ty::I64, _) => {
                    self.charge()?;
                    items.push(self.scalar(ty, value, wrong)?);
                }
                _ => {
                    self.charge()?;
                    items.push(self.composite(ty, std::slice::from_ref(value), depth, wrong)?);
                }
            }
        }
        Ok(items)
    }

    /// One map entry (`1: key string, 2: value`); a missing value is the Go zero value
    /// (an empty string for bytes values).
    fn map_entry(
        &mut self,
        ty: Ty,
        entry: &[u8],
        depth: usize,
        wrong: impl Fn(&WireValue<'_>) -> ProtobufError + Copy,
    ) -> Result<(String, Value), ProtobufError> {
        let mut key: &[u8] = &[];
        let mut value: Option<WireValue<'_>> = None;
        let mut reader = Reader::new(entry);
        while let Some((tag, v)) = reader.next_field()? {
            match (tag, v) {
                (1, WireValue::Bytes(b)) => key = b,
                (1, other) => return Err(wrong(&other)),
                (2, v) => value = Some(v),
                _ => {}
            }
        }
        self.charge()?;
        let item = match value {
            Some(v) if is_scalar(ty) => self.scalar(ty, &v, wrong)?,
            Some(v) => self.composite(ty, &[v], depth, wrong)?,
            // Go's generated decoder starts a bytes map value as `[]byte{}`, not nil.
            None if matches!(ty, Ty::Bytes) => Value::String(String::new()),
            None if is_scalar(ty) => zero_scalar(ty),
            None => self.composite(ty, &[], depth, wrong)?,
        };
        Ok((special::go_string(key), item))
    }
}

/// Whether a type is a plain protobuf scalar (last occurrence wins) rather than a message.
fn is_scalar(ty: Ty) -> bool {
    matches!(ty, Ty::Str | Ty::Bytes | Ty::Bool | Ty::I32 | Ty::I64)
}

/// Checks every occurrence of a scalar field has the right wire type, as Go's decoder does.
fn check_scalars(
    ty: Ty,
    values: &[WireValue<'_>],
    wrong: impl Fn(&WireValue<'_>) -> ProtobufError,
) -> Result<(), ProtobufError> {
    for value in values {
        let ok = match ty {
            Ty::Str | Ty::Bytes => matches!(value, WireValue::Bytes(_)),
            _ => matches!(value, WireValue::Varint(_)),
        };
        if !ok {
            return Err(wrong(value));
        }
    }
    Ok(())
}

/// The payloads of a length-delimited field's occurrences.
fn byte_values<'a>(
    values: &[WireValue<'a>],
    wrong: impl Fn(&WireValue<'_>) -> ProtobufError,
) -> Result<Vec<&'a [u8]>, ProtobufError> {
    values
        .iter()
        .map(|value| match value {
            WireValue::Bytes(b) => Ok(*b),
            other => Err(wrong(other)),
        })
        .collect()
}

/// The JSON of a Go zero scalar (a nil `[]byte` is `null`).
fn zero_scalar(ty: Ty) -> Value {
    match ty {
        Ty::Str => Value::String(String::new()),
        Ty::Bool => Value::Bool(false),
        Ty::I32 | Ty::I64 => Value::from(0),
        _ => Value::Null,
    }
}

/// What `omitempty` leaves out: `""`, `false`, `0`, and nil or empty byte slices and
/// string lists. Struct types (`Time`, `IntOrString`, nested messages, …) are never left out,
/// even when zero, as Go's `encoding/json` does.
fn is_omitted(ty: Ty, value: &Value) -> bool {
    if !(is_scalar(ty) || matches!(ty, Ty::StringList)) {
        return false;
    }
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_i64() == Some(0),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protobuf::schema::{L, LO, M, P, PN, V, VO, f};

    /// A message using every field type and shape, as a table for a kind could.
    static SAMPLE: Message = Message {
        name: "Sample",
        fields: &[
            f(1, "timeout", Ty::Duration, V),
            f(2, "interval", Ty::Duration, P),
            f(3, "object", Ty::RawExtension, VO),
            f(4, "data", Ty::Bytes, V),
            f(5, "maybe", Ty::Str, PN),
            f(6, "names", Ty::Str, L),
            f(7, "counts", Ty::I32, LO),
            f(8, "extra", Ty::StringList, M),
            f(9, "verbs", Ty::StringList, V),
            f(10, "flag", Ty::Bool, VO),
            f(11, "big", Ty::I64, VO),
        ],
    };

    fn decode(buf: &[u8]) -> Result<Value, ProtobufError> {
        Decoder::new(buf.len())
            .message(&SAMPLE, &[buf], 0)
            .map(Value::Object)
    }

    #[test]
    fn zero_values_follow_go_encoding_json() {
        assert_eq!(
            decode(&[]).unwrap(),
            json!({
                "timeout": "0s", "object": null, "data": null, "maybe": null,
                "names": null, "extra": null, "verbs": null
            })
        );
    }

    #[test]
    fn every_type_decodes() {
        let buf = [
            &[0x0a, 0x03, 0x08, 0xe8, 0x07][..], // timeout: 1000ns
            &[0x12, 0x06, 0x08, 0x80, 0xca, 0xb5, 0xee, 0x01][..], // interval: 500ms
            &[0x1a, 0x09, 0x0a, 0x07][..],
            b"{\"a\":1}",                                    // object
            &[0x22, 0x00][..],                               // data: present, empty
            &[0x2a, 0x00][..],                               // maybe: present, empty
            &[0x3a, 0x03, 0x01, 0xff, 0x01][..],             // counts: packed 1, 255
            &[0x38, 0x7f][..],                               // counts: unpacked 127
            &[0x42, 0x05, 0x0a, 0x01, b'k', 0x12, 0x00][..], // extra: k -> nil list
            &[0x4a, 0x03, 0x0a, 0x01, b'g'][..],             // verbs: ["g"]
            &[0x50, 0x02][..],                               // flag: true
            &[
                0x58, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ][..], // big: -1
        ]
        .concat();
        assert_eq!(
            decode(&buf).unwrap(),
            json!({
                "timeout": "1µs",
                "interval": "500ms",
                "object": {"a": 1},
                "data": "",
                "maybe": "",
                "names": null,
                "counts": [1, 255, 127],
                "extra": {"k": null},
                "verbs": ["g"],
                "flag": true,
                "big": -1
            })
        );
    }

    #[test]
    fn raw_extensions_must_hold_json() {
        assert!(decode(&[0x1a, 0x03, 0x0a, 0x01, b'{']).is_err());
        assert!(
            decode(&[0x1a, 0x02, 0x08, 0x01]).is_err(),
            "raw as a varint"
        );
    }
}
