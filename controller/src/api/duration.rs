//! Go `time.Duration` strings, as cert-manager's API carries them (`metav1.Duration`).
//!
//! Fields such as `spec.duration` hold strings like `2160h`, `90m` or `1h30m`. They are
//! kept verbatim in [`GoDuration`] so that an object read and written back is unchanged;
//! [`parse_go_duration`] reads them with the grammar and error messages of Go's
//! `time.ParseDuration`, and [`format_go_duration`] prints a duration the way Go's
//! `time.Duration.String()` does (`2160h0m0s`, `1.5s`, `300ms`).

use std::borrow::Cow;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Nanoseconds per unit.
const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

/// The largest magnitude a Go duration can have, as an unsigned value (`1 << 63`).
const MAX_MAGNITUDE: u64 = 1 << 63;

/// Why a duration string was rejected; the text is Go's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not a duration at all (`time: invalid duration "soon"`).
    #[error("time: invalid duration {0:?}")]
    Invalid(String),
    /// A number without a unit (`time: missing unit in duration "90"`).
    #[error("time: missing unit in duration {0:?}")]
    MissingUnit(String),
    /// A unit Go does not know (`time: unknown unit "d" in duration "3d"`).
    #[error("time: unknown unit {unit:?} in duration {input:?}")]
    UnknownUnit {
        /// The unit as written.
        unit: String,
        /// The whole input.
        input: String,
    },
    /// The value does not fit a negative duration where a positive one is needed.
    #[error("duration {0:?} is negative")]
    Negative(String),
}

/// Parses a duration with Go's `time.ParseDuration` grammar: an optional sign, then one
/// or more decimal numbers, each with an optional fraction and a unit (`ns`, `us`, `µs`,
/// `μs`, `ms`, `s`, `m`, `h`); `"0"` alone is allowed. Returns nanoseconds.
pub fn parse_go_duration(input: &str) -> Result<i64, DurationError> {
    let invalid = || DurationError::Invalid(input.to_string());
    let mut s = input;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        let first = s.as_bytes().first().copied().unwrap_or(0);
        if !(first == b'.' || first.is_ascii_digit()) {
            return Err(invalid());
        }
        // [0-9]*
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, rest) = s.split_at(int_len);
        let mut whole: u64 = 0;
        for d in int_part.bytes() {
            whole = whole
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(d - b'0')))
                .filter(|v| *v <= MAX_MAGNITUDE)
                .ok_or_else(invalid)?;
        }
        s = rest;
        // (\.[0-9]*)?
        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut has_fraction_digits = false;
        if let Some(rest) = s.strip_prefix('.') {
            let frac_len = rest.bytes().take_while(u8::is_ascii_digit).count();
            let (frac_part, rest) = rest.split_at(frac_len);
            has_fraction_digits = frac_len > 0;
            let mut overflowed = false;
            for d in frac_part.bytes() {
                if overflowed {
                    continue;
                }
                match fraction
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(d - b'0')))
                    .filter(|v| *v <= MAX_MAGNITUDE)
                {
                    Some(v) => {
                        fraction = v;
                        scale *= 10.0;
                    }
                    None => overflowed = true,
                }
            }
            s = rest;
        }
        if int_len == 0 && !has_fraction_digits {
            return Err(invalid());
        }
        // unit: everything up to the next digit or '.'
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        if unit_len == 0 {
            return Err(DurationError::MissingUnit(input.to_string()));
        }
        let (unit, rest) = s.split_at(unit_len);
        s = rest;
        let unit_nanos = match unit {
            "ns" => NANOSECOND,
            "us" | "\u{b5}s" | "\u{3bc}s" => MICROSECOND,
            "ms" => MILLISECOND,
            "s" => SECOND,
            "m" => MINUTE,
            "h" => HOUR,
            other => {
                return Err(DurationError::UnknownUnit {
                    unit: other.to_string(),
                    input: input.to_string(),
                });
            }
        };
        if whole > MAX_MAGNITUDE / unit_nanos {
            return Err(invalid());
        }
        let mut value = whole * unit_nanos;
        if fraction > 0 {
            // Go computes this part in floating point as well.
            #[allow(clippy::cast_precision_loss)]
            let extra = (fraction as f64) * (unit_nanos as f64 / scale);
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let extra = extra as u64;
            value = value
                .checked_add(extra)
                .filter(|v| *v <= MAX_MAGNITUDE)
                .ok_or_else(invalid)?;
        }
        total = total
            .checked_add(value)
            .filter(|v| *v <= MAX_MAGNITUDE)
            .ok_or_else(invalid)?;
    }
    if negative {
        // -(1 << 63) is representable.
        return Ok(0i64.wrapping_sub_unsigned(total));
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// Formats nanoseconds as Go's `time.Duration.String()` does: `2160h0m0s`, `1h30m0s`,
/// `5m0s`, `1.5s`, `300ms`, `1µs`, `0s`.
pub fn format_go_duration(nanos: i64) -> String {
    let negative = nanos < 0;
    let u = nanos.unsigned_abs();
    let mut out = String::new();
    if u < SECOND {
        let (unit, precision) = match u {
            0 => return "0s".to_string(),
            u if u < MICROSECOND => ("ns", 0),
            u if u < MILLISECOND => ("\u{b5}s", 3),
            _ => ("ms", 6),
        };
        let (int, frac) = split_fraction(u, precision);
        out.push_str(&int.to_string());
        out.push_str(&frac);
        out.push_str(unit);
    } else {
        let (secs, frac) = split_fraction(u, 9);
        let hours = secs / 3600;
        let minutes = (secs / 60) % 60;
        let seconds = secs % 60;
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if hours > 0 || minutes > 0 {
            out.push_str(&format!("{minutes}m"));
        }
        out.push_str(&format!("{seconds}{frac}s"));
    }
    if negative {
        out.insert(0, '-');
    }
    out
}

/// Splits `v` into `v / 10^precision` and the fraction as `.ddd` without trailing zeros
/// (empty when the fraction is zero).
fn split_fraction(v: u64, precision: u32) -> (u64, String) {
    let divisor = 10u64.pow(precision);
    let int = v / divisor;
    let frac = v % divisor;
    if frac == 0 {
        return (int, String::new());
    }
    let digits = format!("{frac:0width$}", width = precision as usize);
    (int, format!(".{}", digits.trim_end_matches('0')))
}

/// The syntax of [`parse_go_duration`] as a schema pattern. The API server's
/// `format: duration` alone would also take forms Go rejects, such as `3 days`.
pub const GO_DURATION_PATTERN: &str =
    r"^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$";

/// A duration field as written in a manifest (`"2160h"`), kept verbatim so objects
/// round-trip unchanged. In the CRD it is a `string` with `format: duration` (which CEL
/// rules see as a `duration`) and Go's duration syntax as its `pattern`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GoDuration(pub String);

impl GoDuration {
    /// Wraps a duration string as written.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The duration printed as Go prints a `time.Duration` (`from_nanos(90 * 60 * 10^9)`
    /// is `1h30m0s`).
    pub fn from_nanos(nanos: i64) -> Self {
        Self(format_go_duration(nanos))
    }

    /// A non-negative [`std::time::Duration`] printed as Go prints it. Durations beyond
    /// Go's range (about 292 years) are clamped to it.
    pub fn from_std(d: std::time::Duration) -> Self {
        Self::from_nanos(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    }

    /// The string as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value in nanoseconds, parsed as Go's `time.ParseDuration` does.
    pub fn nanos(&self) -> Result<i64, DurationError> {
        parse_go_duration(&self.0)
    }

    /// The value as a [`std::time::Duration`]; negative values are an error.
    pub fn to_std(&self) -> Result<std::time::Duration, DurationError> {
        let nanos = self.nanos()?;
        let nanos = u64::try_from(nanos).map_err(|_| DurationError::Negative(self.0.clone()))?;
        Ok(std::time::Duration::from_nanos(nanos))
    }
}

impl fmt::Debug for GoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GoDuration({:?})", self.0)
    }
}

impl fmt::Display for GoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for GoDuration {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl JsonSchema for GoDuration {
    fn schema_name() -> Cow<'static, str> {
        "GoDuration".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "duration", "pattern": GO_DURATION_PATTERN})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go() {
        let h = 3_600_000_000_000i64;
        let m = 60_000_000_000i64;
        for (input, want) in [
            ("2160h", 2160 * h),
            ("90m", 90 * m),
            ("1h30m", h + 30 * m),
            ("1.5h", h + 30 * m),
            ("+5m", 5 * m),
            ("-1h", -h),
            ("0", 0),
            ("-0", 0),
            ("300ms", 300_000_000),
            ("1us", 1_000),
            ("1µs", 1_000),
            ("1μs", 1_000),
            ("7ns", 7),
            (".5s", 500_000_000),
            ("1.s", 1_000_000_000),
            ("2562047h47m16.854775807s", i64::MAX),
            ("-2562047h47m16.854775808s", i64::MIN),
        ] {
            assert_eq!(parse_go_duration(input), Ok(want), "{input}");
        }
    }

    #[test]
    fn rejects_like_go() {
        for (input, want) in [
            ("", r#"time: invalid duration """#),
            ("soon", r#"time: invalid duration "soon""#),
            ("1", r#"time: missing unit in duration "1""#),
            ("3d", r#"time: unknown unit "d" in duration "3d""#),
            ("1h 30m", r#"time: unknown unit "h " in duration "1h 30m""#),
            (".h", r#"time: invalid duration ".h""#),
            ("-", r#"time: invalid duration "-""#),
            (
                "2562047h47m16.854775808s",
                r#"time: invalid duration "2562047h47m16.854775808s""#,
            ),
            (
                "99999999999999999999h",
                r#"time: invalid duration "99999999999999999999h""#,
            ),
        ] {
            assert_eq!(
                parse_go_duration(input).map_err(|e| e.to_string()),
                Err(want.to_string()),
                "{input}"
            );
        }
    }

    #[test]
    fn formats_like_go() {
        let s = 1_000_000_000i64;
        for (nanos, want) in [
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1µs"),
            (2_200_000, "2.2ms"),
            (300_000_000, "300ms"),
            (s, "1s"),
            (3 * s / 2, "1.5s"),
            (61 * s, "1m1s"),
            (300 * s, "5m0s"),
            (3600 * s, "1h0m0s"),
            (5400 * s, "1h30m0s"),
            (2160 * 3600 * s, "2160h0m0s"),
            (-3600 * s, "-1h0m0s"),
            (i64::MAX, "2562047h47m16.854775807s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ] {
            assert_eq!(format_go_duration(nanos), want, "{nanos}");
        }
    }

    #[test]
    fn the_schema_pattern_agrees_with_the_parser() {
        let re = regex::Regex::new(GO_DURATION_PATTERN).unwrap();
        for input in [
            "2160h", "90m", "1h30m", "1.5h", "+5m", "-1h", "0", "-0", "300ms", "1us", "1µs", "1μs",
            "7ns", ".5s", "1.s", "", "soon", "1", "3d", "3 days", "1h 30m", ".h", "-", "h", "1hm",
            "0s", "00", "1e3h",
        ] {
            assert_eq!(
                re.is_match(input),
                parse_go_duration(input).is_ok(),
                "{input:?}"
            );
        }
    }

    #[test]
    fn keeps_the_original_text() {
        let d: GoDuration = serde_json::from_str(r#""90m""#).unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), r#""90m""#);
        assert_eq!(d.to_std().unwrap(), std::time::Duration::from_secs(5400));
        assert_eq!(
            GoDuration::from_std(d.to_std().unwrap()).as_str(),
            "1h30m0s"
        );
        assert!(GoDuration::new("-1h").to_std().is_err());
    }
}
