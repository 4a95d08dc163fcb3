//! The apimachinery types whose JSON form is not their protobuf structure: `Time`,
//! `MicroTime`, `Duration`, `Quantity`, `IntOrString`, `RawExtension` and `FieldsV1`, plus
//! the way Go writes a protobuf string into JSON.

use serde_json::Value;

use super::ProtobufError;
use super::wire::{Reader, WireValue, malformed};

/// Seconds from the Unix epoch to 0001-01-01T00:00:00Z, Go's zero `time.Time`.
const GO_ZERO_TIME_UNIX: i64 = -62_135_596_800;

/// A protobuf string as Go's `encoding/json` writes it: each byte that is not part of valid
/// UTF-8 becomes U+FFFD.
pub(crate) fn go_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
    out
}

/// The `seconds` and `nanos` of a `Timestamp` message (later occurrences win).
fn timestamp(buf: &[u8]) -> Result<(i64, i32), ProtobufError> {
    let mut seconds = 0i64;
    let mut nanos = 0i32;
    let mut reader = Reader::new(buf);
    while let Some((tag, value)) = reader.next_field()? {
        match (tag, value) {
            // Go reads int64/int32 varints by truncation, as `as` does.
            (1, WireValue::Varint(v)) => seconds = v as i64,
            (2, WireValue::Varint(v)) => nanos = v as i32,
            (1 | 2, other) => {
                return Err(malformed(format!(
                    "wrong wire type {} for a Timestamp field",
                    other.wire_type()
                )));
            }
            _ => {}
        }
    }
    Ok((seconds, nanos))
}

/// `metav1.Time`: empty is the zero time (`null`); protobuf nanoseconds are dropped, as the
/// API server does; otherwise RFC 3339 in UTC with second precision.
pub(crate) fn time(buf: &[u8]) -> Result<Value, ProtobufError> {
    if buf.is_empty() {
        return Ok(Value::Null);
    }
    let (seconds, _) = timestamp(buf)?;
    if seconds == GO_ZERO_TIME_UNIX {
        return Ok(Value::Null);
    }
    format_time(seconds, 0, false).map(Value::String)
}

/// `metav1.MicroTime`: as [`time`] but keeping microseconds (nanoseconds are truncated).
pub(crate) fn micro_time(buf: &[u8]) -> Result<Value, ProtobufError> {
    if buf.is_empty() {
        return Ok(Value::Null);
    }
    let (seconds, nanos) = timestamp(buf)?;
    // Go: time.Unix(seconds, Duration(nanos).Truncate(time.Microsecond)), which normalises
    // nanoseconds outside [0, 1e9) into the seconds.
    let truncated = i128::from(nanos) - i128::from(nanos) % 1000;
    let total = i128::from(seconds) * 1_000_000_000 + truncated;
    let seconds = i64::try_from(total.div_euclid(1_000_000_000))
        .map_err(|_| malformed("timestamp out of range"))?;
    let nanos = i32::try_from(total.rem_euclid(1_000_000_000))
        .map_err(|_| malformed("timestamp out of range"))?;
    if seconds == GO_ZERO_TIME_UNIX && nanos == 0 {
        return Ok(Value::Null);
    }
    format_time(seconds, nanos, true).map(Value::String)
}

/// RFC 3339 in UTC (`2006-01-02T15:04:05Z`, or `…05.000000Z` with `micros`), for years
/// 0000–9999; other years have no RFC 3339 form and are refused.
fn format_time(seconds: i64, nanos: i32, micros: bool) -> Result<String, ProtobufError> {
    let ts = jiff::Timestamp::new(seconds, nanos)
        .map_err(|_| malformed(format!("timestamp {seconds}s is out of range")))?;
    let civil = ts.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    if !(0..=9999).contains(&civil.year()) {
        return Err(malformed(format!("timestamp {seconds}s is out of range")));
    }
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        civil.year(),
        civil.month(),
        civil.day(),
        civil.hour(),
        civil.minute(),
        civil.second()
    );
    if micros {
        out.push_str(&format!(".{:06}", civil.subsec_nanosecond() / 1000));
    }
    out.push('Z');
    Ok(out)
}

/// `metav1.Duration` (`optional int64 duration = 1`, nanoseconds) as Go's
/// `time.Duration.String()` writes it.
pub(crate) fn duration(buf: &[u8]) -> Result<Value, ProtobufError> {
    let mut nanos = 0i64;
    let mut reader = Reader::new(buf);
    while let Some((tag, value)) = reader.next_field()? {
        match (tag, value) {
            (1, WireValue::Varint(v)) => nanos = v as i64,
            (1, other) => {
                return Err(malformed(format!(
                    "wrong wire type {} for Duration.duration",
                    other.wire_type()
                )));
            }
            _ => {}
        }
    }
    Ok(Value::String(go_duration(nanos)))
}

/// Go's `time.Duration.String()`: `0s`, `1.5µs`, `2ms`, `1m30s`, `1h0m0.5s`, `-3s`.
pub(crate) fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_string();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let mut u = nanos.unsigned_abs();
    if u < 1_000_000_000 {
        let (prec, unit) = match u {
            0..1_000 => return format!("{sign}{u}ns"),
            1_000..1_000_000 => (3, "µs"),
            _ => (6, "ms"),
        };
        let frac = fraction(&mut u, prec);
        return format!("{sign}{u}{frac}{unit}");
    }
    let frac = fraction(&mut u, 9);
    let seconds = u % 60;
    u /= 60;
    let mut out = String::from(sign);
    if u > 0 {
        let minutes = u % 60;
        let hours = u / 60;
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&format!("{seconds}{frac}s"));
    out
}

/// Splits off the last `prec` decimal digits of `v` as Go's `fmtFrac` does: returns them as
/// `.ddd` without trailing zeros (empty when they are all zero) and leaves the rest in `v`.
fn fraction(v: &mut u64, prec: u32) -> String {
    let divisor = 10u64.pow(prec);
    let digits = *v % divisor;
    *v /= divisor;
    if digits == 0 {
        return String::new();
    }
    let text = format!("{digits:0width$}", width = prec as usize);
    format!(".{}", text.trim_end_matches('0'))
}

/// `intstr.IntOrString`: `type` 0 is the `intVal` number, 1 the `strVal` string.
pub(crate) fn int_or_string(buf: &[u8]) -> Result<Value, ProtobufError> {
    let mut kind = 0i64;
    let mut int_val = 0i32;
    let mut str_val: &[u8] = &[];
    let mut reader = Reader::new(buf);
    while let Some((tag, value)) = reader.next_field()? {
        match (tag, value) {
            (1, WireValue::Varint(v)) => kind = v as i64,
            (2, WireValue::Varint(v)) => int_val = v as i32,
            (3, WireValue::Bytes(b)) => str_val = b,
            (1..=3, other) => {
                return Err(malformed(format!(
                    "wrong wire type {} for an IntOrString field",
                    other.wire_type()
                )));
            }
            _ => {}
        }
    }
    match kind {
        0 => Ok(Value::from(int_val)),
        1 => Ok(Value::String(go_string(str_val))),
        other => Err(malformed(format!("impossible IntOrString type {other}"))),
    }
}

/// `resource.Quantity` (`optional string string = 1`): the string, checked against the
/// quantity grammar (the API server refuses a body with a malformed quantity). An empty
/// message is the zero quantity, `"0"`.
pub(crate) fn quantity(buf: &[u8]) -> Result<Value, ProtobufError> {
    let mut text: Option<&[u8]> = None;
    let mut reader = Reader::new(buf);
    while let Some((tag, value)) = reader.next_field()? {
        match (tag, value) {
            (1, WireValue::Bytes(b)) => text = Some(b),
            (1, other) => {
                return Err(malformed(format!(
                    "wrong wire type {} for Quantity.string",
                    other.wire_type()
                )));
            }
            _ => {}
        }
    }
    let Some(bytes) = text else {
        return Ok(Value::String("0".to_string()));
    };
    let text = std::str::from_utf8(bytes)
        .ok()
        .filter(|s| is_quantity(s))
        .ok_or_else(|| {
            malformed(format!(
                "quantities must match the regular expression \
                 '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got {:?})",
                go_string(bytes)
            ))
        })?;
    Ok(Value::String(text.to_string()))
}

/// Whether `s` parses as a `resource.Quantity`: an optional sign, digits with an optional
/// fraction, and a suffix that is binary-SI (`Ki`…`Ei`), decimal-SI (`n u m "" k M G T P E`)
/// or a decimal exponent (`e3`, `E-2`).
pub(crate) fn is_quantity(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    let rest = s.strip_prefix(['+', '-']).unwrap_or(s);
    let number_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (_, mut rest) = rest.split_at(number_end);
    if let Some(after_point) = rest.strip_prefix('.') {
        let end = after_point
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after_point.len());
        rest = after_point.split_at(end).1;
    }
    let suffix = rest;
    let letters_end = suffix
        .find(|c: char| !"eEinumkKMGTP".contains(c))
        .unwrap_or(suffix.len());
    let (_, tail) = suffix.split_at(letters_end);
    let digits = tail.strip_prefix(['+', '-']).unwrap_or(tail);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match suffix {
        "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => true,
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => true,
        _ => match suffix.strip_prefix(['e', 'E']) {
            Some(exponent) => exponent.parse::<i64>().is_ok(),
            None => false,
        },
    }
}

/// The `raw` bytes (field 1) of a `RawExtension` or `FieldsV1`, embedded as JSON: absent or
/// empty is `null`; anything that is not JSON is refused.
pub(crate) fn embedded_json(buf: &[u8], what: &str) -> Result<Value, ProtobufError> {
    let mut raw: &[u8] = &[];
    let mut reader = Reader::new(buf);
    while let Some((tag, value)) = reader.next_field()? {
        match (tag, value) {
            (1, WireValue::Bytes(b)) => raw = b,
            (1, other) => {
                return Err(malformed(format!(
                    "wrong wire type {} for {what}.raw",
                    other.wire_type()
                )));
            }
            _ => {}
        }
    }
    if raw.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(raw).map_err(|e| malformed(format!("{what} is not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
        out
    }

    fn ts(seconds: i64, nanos: i32) -> Vec<u8> {
        let mut out = vec![0x08];
        out.extend(varint(seconds as u64));
        out.push(0x10);
        out.extend(varint(nanos as i64 as u64));
        out
    }

    #[test]
    fn times_format_as_the_api_server_writes_them() {
        assert_eq!(time(&[]).unwrap(), Value::Null);
        assert_eq!(time(&ts(GO_ZERO_TIME_UNIX, 0)).unwrap(), Value::Null);
        assert_eq!(time(&ts(0, 0)).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(
            time(&ts(1_764_409_500, 999_999_999)).unwrap(),
            "2025-11-29T09:45:00Z",
            "Time drops nanoseconds"
        );
        assert_eq!(
            micro_time(&ts(1_764_409_500, 123_456_789)).unwrap(),
            "2025-11-29T09:45:00.123456Z"
        );
        assert_eq!(
            micro_time(&ts(1, -1_500)).unwrap(),
            "1970-01-01T00:00:00.999999Z",
            "negative nanoseconds are normalised after truncation"
        );
        assert_eq!(micro_time(&ts(GO_ZERO_TIME_UNIX, 0)).unwrap(), Value::Null);
        assert!(time(&ts(i64::MAX, 0)).is_err());
        assert!(
            time(&ts(GO_ZERO_TIME_UNIX - 86_400 * 800, 0)).is_err(),
            "year -1"
        );
        assert_eq!(
            time(&ts(GO_ZERO_TIME_UNIX - 86_400 * 366, 0)).unwrap(),
            "0000-01-01T00:00:00Z"
        );
        assert!(micro_time(&ts(i64::MIN, i32::MIN)).is_err());
    }

    #[test]
    fn durations_format_as_go_does() {
        let cases = [
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1µs"),
            (2_200_000, "2.2ms"),
            (3_300_000_000, "3.3s"),
            (60_000_000_000, "1m0s"),
            (90_000_000_000, "1m30s"),
            (3_600_000_000_000, "1h0m0s"),
            (3_661_500_000_000, "1h1m1.5s"),
            (-5_000_000_000, "-5s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
            (i64::MAX, "2562047h47m16.854775807s"),
        ];
        for (nanos, text) in cases {
            assert_eq!(go_duration(nanos), text, "{nanos}");
        }
    }

    #[test]
    fn int_or_string_follows_its_type() {
        assert_eq!(int_or_string(&[]).unwrap(), 0);
        assert_eq!(int_or_string(&[0x10, 0x50]).unwrap(), 80);
        assert_eq!(
            int_or_string(&[0x08, 0x01, 0x1a, 0x02, b'h', b'i']).unwrap(),
            "hi"
        );
        assert!(int_or_string(&[0x08, 0x02]).is_err());
    }

    #[test]
    fn quantities_are_checked() {
        for good in [
            "0", "1", "100m", "1.5Gi", "+2k", "-1", "1e3", "1E-2", "5.", ".5", "1E", "0.0",
        ] {
            assert!(is_quantity(good), "{good}");
        }
        for bad in [
            "", "abc", "1K", "1e", "1Gib", "1.2.3", "1 ", "1e3x", "--1", "1i",
        ] {
            assert!(!is_quantity(bad), "{bad}");
        }
        assert_eq!(quantity(&[]).unwrap(), "0");
        assert_eq!(quantity(&[0x0a, 0x02, b'1', b'M']).unwrap(), "1M");
        assert!(quantity(&[0x0a, 0x00]).is_err());
    }

    #[test]
    fn strings_replace_invalid_utf8_byte_by_byte() {
        assert_eq!(go_string(b"ok"), "ok");
        assert_eq!(go_string(&[b'a', 0xe2, 0x82, b'b']), "a\u{fffd}\u{fffd}b");
    }

    #[test]
    fn embedded_json_must_be_json() {
        assert_eq!(embedded_json(&[], "FieldsV1").unwrap(), Value::Null);
        assert_eq!(
            embedded_json(&[0x0a, 0x02, b'{', b'}'], "FieldsV1").unwrap(),
            serde_json::json!({})
        );
        assert!(embedded_json(&[0x0a, 0x01, b'{'], "FieldsV1").is_err());
    }
}
