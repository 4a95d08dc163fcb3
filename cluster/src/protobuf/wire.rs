//! The protocol-buffers wire format: varints, field keys, length-delimited payloads, and
//! skipping. Every read is bounds-checked; nothing here can panic on any input.

use super::ProtobufError;

/// The largest field number protobuf allows (2^29 - 1).
const MAX_FIELD_NUMBER: u64 = (1 << 29) - 1;

/// One field value as it appears on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireValue<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1 (little-endian).
    Fixed64(u64),
    /// Wire type 2: a string, bytes, an embedded message or a packed repeated scalar.
    Bytes(&'a [u8]),
    /// Wire type 5 (little-endian).
    Fixed32(u32),
    /// Wire type 3: a group (deprecated, never produced by Kubernetes); already skipped.
    Group,
}

impl WireValue<'_> {
    /// The wire type number, for error messages.
    pub(crate) fn wire_type(&self) -> u8 {
        match self {
            Self::Varint(_) => 0,
            Self::Fixed64(_) => 1,
            Self::Bytes(_) => 2,
            Self::Group => 3,
            Self::Fixed32(_) => 5,
        }
    }
}

/// Reads the fields of one message, in order.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over the encoded fields of one message.
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Reads a base-128 varint (at most ten bytes, as Go's decoder allows).
    pub(crate) fn varint(&mut self) -> Result<u64, ProtobufError> {
        let mut value: u64 = 0;
        for shift in (0..70).step_by(7) {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(malformed("unexpected end of data in a varint"));
            };
            self.pos += 1;
            // As Go's decoder: the tenth byte's high bits are dropped, an eleventh is an error.
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(malformed("varint overflows 64 bits"))
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], ProtobufError> {
        let end = self
            .pos
            .checked_add(len)
            .ok_or_else(|| malformed("invalid length"))?;
        let slice = self
            .buf
            .get(self.pos..end)
            .ok_or_else(|| malformed("unexpected end of data"))?;
        self.pos = end;
        Ok(slice)
    }

    fn key(&mut self) -> Result<(u32, u8), ProtobufError> {
        let key = self.varint()?;
        let number = key >> 3;
        if number == 0 || number > MAX_FIELD_NUMBER {
            return Err(malformed(format!("illegal field number {number}")));
        }
        let number = u32::try_from(number).map_err(|_| malformed("illegal field number"))?;
        let wire = u8::try_from(key & 7).map_err(|_| malformed("illegal wire type"))?;
        Ok((number, wire))
    }

    fn value(&mut self, number: u32, wire: u8) -> Result<WireValue<'a>, ProtobufError> {
        match wire {
            0 => Ok(WireValue::Varint(self.varint()?)),
            1 => {
                let bytes = self.take(8)?;
                let array: [u8; 8] = bytes.try_into().map_err(|_| malformed("short fixed64"))?;
                Ok(WireValue::Fixed64(u64::from_le_bytes(array)))
            }
            2 => {
                let len = self.varint()?;
                let len = usize::try_from(len).map_err(|_| malformed("invalid length"))?;
                Ok(WireValue::Bytes(self.take(len)?))
            }
            3 => {
                self.skip_group(number)?;
                Ok(WireValue::Group)
            }
            5 => {
                let bytes = self.take(4)?;
                let array: [u8; 4] = bytes.try_into().map_err(|_| malformed("short fixed32"))?;
                Ok(WireValue::Fixed32(u32::from_le_bytes(array)))
            }
            4 => Err(malformed(format!(
                "unexpected end-group for field {number}"
            ))),
            other => Err(malformed(format!(
                "illegal wire type {other} for field {number}"
            ))),
        }
    }

    /// Skips a group's fields up to its matching end-group key (iteratively, no recursion).
    fn skip_group(&mut self, number: u32) -> Result<(), ProtobufError> {
        let mut open = vec![number];
        while let Some(&innermost) = open.last() {
            let (n, wire) = self.key()?;
            match wire {
                3 => open.push(n),
                4 if n == innermost => {
                    open.pop();
                }
                4 => return Err(malformed(format!("mismatched end-group for field {n}"))),
                _ => {
                    self.value(n, wire)?;
                }
            }
        }
        Ok(())
    }

    /// The next field (number and value), or `None` at the end of the message.
    pub(crate) fn next_field(&mut self) -> Result<Option<(u32, WireValue<'a>)>, ProtobufError> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let (number, wire) = self.key()?;
        let value = self.value(number, wire)?;
        Ok(Some((number, value)))
    }

    /// True when every byte has been read.
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }
}

/// Shorthand for a [`ProtobufError::Malformed`].
pub(crate) fn malformed(message: impl Into<String>) -> ProtobufError {
    ProtobufError::Malformed(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(buf: &[u8]) -> Result<Vec<(u32, WireValue<'_>)>, ProtobufError> {
        let mut reader = Reader::new(buf);
        let mut out = Vec::new();
        while let Some(field) = reader.next_field()? {
            out.push(field);
        }
        Ok(out)
    }

    #[test]
    fn reads_every_wire_type() {
        let buf = [
            0x08, 0x96, 0x01, // 1: varint 150
            0x11, 1, 0, 0, 0, 0, 0, 0, 0, // 2: fixed64 1
            0x1a, 0x02, b'h', b'i', // 3: bytes "hi"
            0x25, 2, 0, 0, 0, // 4: fixed32 2
            0x2b, 0x08, 0x01, 0x2c, // 5: group containing 1: varint 1
        ];
        assert_eq!(
            fields(&buf).unwrap(),
            vec![
                (1, WireValue::Varint(150)),
                (2, WireValue::Fixed64(1)),
                (3, WireValue::Bytes(b"hi")),
                (4, WireValue::Fixed32(2)),
                (5, WireValue::Group),
            ]
        );
    }

    #[test]
    fn ten_byte_varints_are_the_limit() {
        let max = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        assert_eq!(
            fields(&max).unwrap(),
            vec![(1, WireValue::Varint(u64::MAX))]
        );
        let wide = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7e,
        ];
        assert_eq!(
            fields(&wide).unwrap(),
            vec![(1, WireValue::Varint(u64::MAX >> 1))]
        );
        let too_long = [
            0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
        ];
        assert!(fields(&too_long).is_err());
    }

    #[test]
    fn rejects_bad_keys_lengths_and_groups() {
        assert!(fields(&[0x00]).is_err(), "field number 0");
        assert!(fields(&[0x0e]).is_err(), "wire type 6");
        assert!(fields(&[0x0c]).is_err(), "stray end-group");
        assert!(fields(&[0x0a, 0x05, b'a']).is_err(), "length past the end");
        assert!(
            fields(&[
                0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
            ])
            .is_err(),
            "length near u64::MAX"
        );
        assert!(
            fields(&[0x0b, 0x14]).is_err(),
            "group closed by another field's end-group"
        );
        assert!(fields(&[0x0b, 0x08]).is_err(), "unterminated group");
        assert!(fields(&[0x09, 1, 2]).is_err(), "short fixed64");
    }
}
