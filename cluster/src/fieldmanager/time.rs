//! `metav1.Time` as managedFields carry it: RFC 3339 read with any offset and fraction,
//! written in UTC to the second (`2024-05-01T12:00:00Z`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Seconds since the Unix epoch of an RFC 3339 timestamp, fractions dropped.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let date = s.get(0..10)?;
    let sep = s.get(10..11)?;
    let clock = s.get(11..19)?;
    let mut rest = s.get(19..)?;
    if sep != "T" || date.get(4..5) != Some("-") || date.get(7..8) != Some("-") {
        return None;
    }
    if clock.get(2..3) != Some(":") || clock.get(5..6) != Some(":") {
        return None;
    }
    let (y, mo, d) = (
        digits(date.get(0..4)?)?,
        digits(date.get(5..7)?)?,
        digits(date.get(8..10)?)?,
    );
    let (h, mi, se) = (
        digits(clock.get(0..2)?)?,
        digits(clock.get(3..5)?)?,
        digits(clock.get(6..8)?)?,
    );
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59
    {
        return None;
    }
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = frac.get(n..)?;
    }
    let offset = match rest {
        "Z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4) != Some(":") {
                return None;
            }
            let (oh, om) = (digits(rest.get(1..3)?)?, digits(rest.get(4..6)?)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset)
}

/// An epoch second as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn format_unix(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// `s` rewritten as the API server writes times, or `None` if it is not RFC 3339.
pub(crate) fn normalize(s: &str) -> Option<String> {
    parse_rfc3339(s).map(format_unix)
}

/// A clock reading in the form managedFields carry (`2024-05-01T12:00:00Z`).
pub fn format_time(t: SystemTime) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX / 2),
    };
    format_unix(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            normalize("2024-02-29T23:59:59.123+01:00").as_deref(),
            Some("2024-02-29T22:59:59Z")
        );
        assert_eq!(
            normalize("2023-12-31T23:30:00-01:00").as_deref(),
            Some("2024-01-01T00:30:00Z")
        );
        assert_eq!(parse_rfc3339("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2023-01-01 00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2023-01-01T00:00:00"), None);
        assert_eq!(parse_rfc3339("é"), None);
        assert_eq!(
            format_time(UNIX_EPOCH + std::time::Duration::from_secs(86_400 * 365)),
            "1971-01-01T00:00:00Z"
        );
    }
}
