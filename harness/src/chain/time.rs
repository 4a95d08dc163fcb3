//! Timestamps as offsets from the scenario's start on the virtual clock.
//!
//! Format: `T+<go duration>` (`T+0s`, `T+1m30s`, `T+2160h0m0s`), as Go's
//! `time.Duration.String()` prints durations, which cert-manager users read every day
//! (`spec.duration: 2160h0m0s`).
//!
//! Jitter: the lab's virtual clock flows with wall time unless frozen, so the same
//! scenario stamps its objects a few hundred milliseconds (on a loaded machine, a few
//! seconds) apart from one run to the next. An offset within `jitter` (default 10 s) of a
//! whole minute is therefore rounded to that minute; any other offset is rounded to the
//! nearest second. Work done in wall time (well under 10 s per step) disappears, and what
//! the virtual clock adds exactly (`advanceClock`, durations, renewal times) stays exact.
//!
//! Instants before the start (beyond the jitter) render as `<before start>`: they belong
//! to objects the scenario did not create (the lab's CA, its issuers and ACME accounts),
//! and how long before the start they were made depends on how many scenarios ran in
//! the lab first.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use regex::Regex;

/// Go's `Duration.String()` for whole seconds: `0s`, `45s`, `1m30s`, `2160h0m0s`, `-5s`.
pub fn format_go_duration(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{sign}{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{sign}{m}m{s}s")
    } else {
        format!("{sign}{s}s")
    }
}

/// Signed seconds from `start` to `t`, with the jitter rule applied.
pub(crate) fn offset_seconds(t: SystemTime, start: SystemTime, jitter: Duration) -> i64 {
    let nanos: i128 = match t.duration_since(start) {
        Ok(d) => i128::try_from(d.as_nanos()).unwrap_or(i128::MAX / 4),
        Err(e) => -i128::try_from(e.duration().as_nanos()).unwrap_or(i128::MAX / 4),
    };
    let minute: i128 = 60_000_000_000;
    let nearest_minute = round_div(nanos, minute).saturating_mul(minute);
    let jitter = i128::try_from(jitter.as_nanos()).unwrap_or(i128::MAX / 4);
    let rounded = if (nanos - nearest_minute).abs() <= jitter {
        nearest_minute
    } else {
        nanos
    };
    let secs = round_div(rounded, 1_000_000_000);
    i64::try_from(secs).unwrap_or(if secs < 0 { i64::MIN } else { i64::MAX })
}

fn round_div(n: i128, d: i128) -> i128 {
    let half = d / 2;
    if n >= 0 {
        (n + half) / d
    } else {
        -((-n + half) / d)
    }
}

/// What an instant before the start (beyond the jitter) renders as.
pub const BEFORE_START: &str = "<before start>";

/// `T+<go duration>` for `t`, or [`BEFORE_START`], see the module documentation.
pub fn format_offset(t: SystemTime, start: SystemTime, jitter: Duration) -> String {
    let secs = offset_seconds(t, start, jitter);
    if secs < 0 {
        BEFORE_START.to_string()
    } else {
        format!("T+{}", format_go_duration(secs))
    }
}

/// RFC 3339 timestamps (`2026-11-29T13:00:00Z`, with fraction or numeric offset) and
/// Go's default `time.Time` format (`2026-11-29 13:00:00.123 +0000 UTC`) inside text.
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})|\s\d{2}:\d{2}:\d{2}(?:\.\d+)?\s[+-]\d{4}\s[A-Z]{2,5}(?:\sm=[+-]\d+\.\d+)?)",
    )
    .unwrap_or_else(|_| unreachable!("a literal pattern"))
});

/// Parses one timestamp as [`TIMESTAMP`] matches it.
pub(crate) fn parse_timestamp(s: &str) -> Option<SystemTime> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(SystemTime::from(ts));
    }
    // Go's format: "2006-01-02 15:04:05.999999999 -0700 MST" (the zone name is ignored,
    // the numeric offset is authoritative).
    let mut parts = s.split_whitespace();
    let (date, time, zone) = (parts.next()?, parts.next()?, parts.next()?);
    let zone = if zone.len() == 5 {
        format!("{}:{}", zone.get(..3)?, zone.get(3..)?)
    } else {
        return None;
    };
    format!("{date}T{time}{zone}")
        .parse::<jiff::Timestamp>()
        .ok()
        .map(SystemTime::from)
}

/// Replaces every timestamp inside `s` with its offset.
pub(crate) fn replace_timestamps(s: &str, start: SystemTime, jitter: Duration) -> Option<String> {
    if !TIMESTAMP.is_match(s) {
        return None;
    }
    let replaced = TIMESTAMP.replace_all(s, |caps: &regex::Captures<'_>| {
        let m = caps.get(0).map(|m| m.as_str()).unwrap_or_default();
        match parse_timestamp(m) {
            Some(t) => format_offset(t, start, jitter),
            None => m.to_string(),
        }
    });
    Some(replaced.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: SystemTime, ms: i64) -> SystemTime {
        if ms >= 0 {
            start + Duration::from_millis(ms.unsigned_abs())
        } else {
            start - Duration::from_millis(ms.unsigned_abs())
        }
    }

    #[test]
    fn go_durations() {
        assert_eq!(format_go_duration(0), "0s");
        assert_eq!(format_go_duration(45), "45s");
        assert_eq!(format_go_duration(90), "1m30s");
        assert_eq!(format_go_duration(3600), "1h0m0s");
        assert_eq!(format_go_duration(2160 * 3600), "2160h0m0s");
        assert_eq!(format_go_duration(-5), "-5s");
    }

    #[test]
    fn offsets_absorb_jitter_near_whole_minutes() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let j = Duration::from_secs(10);
        assert_eq!(format_offset(at(start, 0), start, j), "T+0s");
        assert_eq!(format_offset(at(start, 400), start, j), "T+0s");
        assert_eq!(format_offset(at(start, 600), start, j), "T+0s");
        assert_eq!(format_offset(at(start, 9_900), start, j), "T+0s");
        assert_eq!(format_offset(at(start, -3_000), start, j), "T+0s");
        // Beyond the tolerance: to the nearest second.
        assert_eq!(format_offset(at(start, 10_600), start, j), "T+11s");
        assert_eq!(format_offset(at(start, 30_400), start, j), "T+30s");
        assert_eq!(format_offset(at(start, -30_000), start, j), BEFORE_START);
        // Virtual-time offsets plus a few seconds of wall time stay exact.
        let ninety_days = 2160 * 3_600_000;
        assert_eq!(
            format_offset(at(start, ninety_days + 2_700), start, j),
            "T+2160h0m0s"
        );
        assert_eq!(
            format_offset(at(start, 3_600_000 - 4_000), start, j),
            "T+1h0m0s"
        );
        assert_eq!(format_offset(at(start, 90_000), start, j), "T+1m30s");
        // A zero tolerance rounds every offset to the second.
        assert_eq!(format_offset(at(start, 600), start, Duration::ZERO), "T+1s");
    }

    #[test]
    fn timestamps_inside_text_are_replaced() {
        let start: SystemTime = "2026-11-29T13:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .into();
        let j = Duration::from_secs(10);
        assert_eq!(
            replace_timestamps("2026-11-29T13:00:00.345678Z", start, j).unwrap(),
            "T+0s"
        );
        assert_eq!(
            replace_timestamps("renewal at 2027-01-28T13:00:02Z, ok", start, j).unwrap(),
            "renewal at T+1440h0m0s, ok"
        );
        assert_eq!(
            replace_timestamps("at 2026-11-29 14:00:30.5 +0000 UTC", start, j).unwrap(),
            "at T+1h0m31s"
        );
        assert_eq!(replace_timestamps("no time here", start, j), None);
    }
}
