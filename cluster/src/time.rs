//! Timestamps in the API's wire formats, and ages as `kubectl` prints them.

use std::time::{Duration, SystemTime};

use jiff::Timestamp;

/// `metav1.Time`: RFC 3339 with second precision (`2026-11-29T09:05:00Z`).
pub fn rfc3339(t: SystemTime) -> String {
    let ts = Timestamp::try_from(t).unwrap_or(Timestamp::UNIX_EPOCH);
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `metav1.MicroTime`: RFC 3339 with microseconds (`2026-11-29T09:05:00.123456Z`).
pub fn rfc3339_micro(t: SystemTime) -> String {
    let ts = Timestamp::try_from(t).unwrap_or(Timestamp::UNIX_EPOCH);
    ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Parses an RFC 3339 timestamp.
pub fn parse(s: &str) -> Option<SystemTime> {
    let ts: Timestamp = s.parse().ok()?;
    Some(SystemTime::from(ts))
}

/// The age of `then` at `now`, as `duration.HumanDuration` prints it (`45s`, `3m20s`,
/// `5h`, `12d`, `2y3d`).
pub fn human_age(then: SystemTime, now: SystemTime) -> String {
    match now.duration_since(then) {
        Ok(d) => human_duration(d),
        Err(e) if e.duration() < Duration::from_secs(2) => "0s".to_string(),
        Err(_) => "<invalid>".to_string(),
    }
}

/// `duration.HumanDuration`.
pub fn human_duration(d: Duration) -> String {
    let seconds = d.as_secs();
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let t = SystemTime::UNIX_EPOCH
            + Duration::from_secs(1_700_000_000)
            + Duration::from_micros(123_456);
        assert_eq!(rfc3339(t), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_micro(t), "2023-11-14T22:13:20.123456Z");
        assert_eq!(
            parse("2023-11-14T22:13:20Z"),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        assert_eq!(parse("nope"), None);
    }

    #[test]
    fn ages() {
        let h = |s: u64| human_duration(Duration::from_secs(s));
        assert_eq!(h(5), "5s");
        assert_eq!(h(119), "119s");
        assert_eq!(h(200), "3m20s");
        assert_eq!(h(600), "10m");
        assert_eq!(h(3 * 3600 + 60), "3h1m");
        assert_eq!(h(10 * 3600), "10h");
        assert_eq!(h(3 * 86400 + 3600), "3d1h");
        assert_eq!(h(61 * 86400), "61d");
        assert_eq!(h(3 * 365 * 86400 + 2 * 86400), "3y2d");
        let now = SystemTime::now();
        assert_eq!(human_age(now + Duration::from_secs(1), now), "0s");
        assert_eq!(human_age(now + Duration::from_secs(60), now), "<invalid>");
    }
}
