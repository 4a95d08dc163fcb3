//! Events as an ordered timeline per object.
//!
//! Each core/v1 Event becomes `{at, type, reason, from, object, message}`: `at` is the event's time (its `eventTime`,
//! else `firstTimestamp`, else its creation), `from` the reporting component (`source.
//! component`, else `reportingComponent`), `object` the involved object as `Kind/name`.
//! Entries are ordered by their full-precision time, then by reason and message, so the
//! timeline reads in causal order even when several events fall in the same second;
//! identical entries are merged. How many times an event was recorded is left out: a
//! controller may record one again when a status write conflicts and is retried, which
//! depends on timing, and a snapshot must not.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::time::parse_timestamp;

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().filter(|s| !s.is_empty())
}

fn count(e: &Value) -> i64 {
    e.pointer("/series/count")
        .and_then(Value::as_i64)
        .or_else(|| e.get("count").and_then(Value::as_i64))
        .unwrap_or(1)
        .max(1)
}

struct Entry {
    time: Option<SystemTime>,
    at: String,
    type_: String,
    reason: String,
    from: String,
    object: String,
    message: String,
    count: i64,
}

/// The event's time at full precision. Event sources stamp different precisions
/// (`firstTimestamp` has whole seconds, `eventTime` microseconds), which would order a
/// kubelet's events before a scheduler's of the same second; but Event names are
/// `<object>.<UnixNano in hex>` (client-go's convention, kept by the lab's recorders),
/// so the name's suffix, when it agrees with the stamped time to within two seconds,
/// gives the nanosecond.
fn precise_time(e: &Value, stamped: Option<SystemTime>) -> Option<SystemTime> {
    let stamped = stamped?;
    let from_name = str_at(e, &["metadata", "name"])
        .and_then(|n| n.rsplit_once('.'))
        .and_then(|(_, hex)| u64::from_str_radix(hex, 16).ok())
        .map(|nanos| SystemTime::UNIX_EPOCH + Duration::from_nanos(nanos));
    match from_name {
        Some(t)
            if t.duration_since(stamped)
                .or_else(|e| Ok::<_, ()>(e.duration()))
                .is_ok_and(|d| d < Duration::from_secs(2)) =>
        {
            Some(t)
        }
        _ => Some(stamped),
    }
}

/// The timeline of `events` (raw core/v1 Events as JSON).
pub(crate) fn timeline(events: &[Value]) -> Value {
    let mut entries: Vec<Entry> = Vec::new();
    for e in events {
        let at = str_at(e, &["eventTime"])
            .or_else(|| str_at(e, &["firstTimestamp"]))
            .or_else(|| str_at(e, &["metadata", "creationTimestamp"]))
            .unwrap_or_default()
            .to_string();
        let entry = Entry {
            time: precise_time(e, parse_timestamp(&at)),
            at,
            type_: str_at(e, &["type"]).unwrap_or("Normal").to_string(),
            reason: str_at(e, &["reason"]).unwrap_or_default().to_string(),
            from: str_at(e, &["source", "component"])
                .or_else(|| str_at(e, &["reportingComponent"]))
                .or_else(|| str_at(e, &["reportingController"]))
                .unwrap_or_default()
                .to_string(),
            object: format!(
                "{}/{}",
                str_at(e, &["involvedObject", "kind"]).unwrap_or_default(),
                str_at(e, &["involvedObject", "name"]).unwrap_or_default()
            ),
            message: str_at(e, &["message"])
                .or_else(|| str_at(e, &["note"]))
                .unwrap_or_default()
                .to_string(),
            count: count(e),
        };
        let same = entries.iter_mut().find(|x| {
            x.type_ == entry.type_
                && x.reason == entry.reason
                && x.from == entry.from
                && x.object == entry.object
                && x.message == entry.message
        });
        match same {
            Some(x) => {
                x.count = x.count.saturating_add(entry.count);
                if entry.time < x.time {
                    x.time = entry.time;
                    x.at = entry.at;
                }
            }
            None => entries.push(entry),
        }
    }
    entries.sort_by(|a, b| {
        (a.time, &a.reason, &a.message, &a.object).cmp(&(b.time, &b.reason, &b.message, &b.object))
    });
    Value::Array(
        entries
            .into_iter()
            .map(|e| {
                json!({
                    "at": e.at,
                    "type": e.type_,
                    "reason": e.reason,
                    "from": e.from,
                    "object": e.object,
                    "message": e.message,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: &str, reason: &str, msg: &str, count: i64) -> Value {
        json!({"involvedObject": {"kind": "Certificate", "name": "web"}, "reason": reason,
               "message": msg, "type": "Normal", "source": {"component": "cert-manager-certificates-trigger"},
               "eventTime": t, "count": count})
    }

    #[test]
    fn ordered_by_time_then_reason_and_merged() {
        let events = [
            ev("2026-11-29T13:00:00.300000Z", "Issuing", "done", 1),
            ev(
                "2026-11-29T13:00:00.100000Z",
                "Issuing",
                "Issuing certificate",
                1,
            ),
            ev("2026-11-29T13:00:00.200000Z", "Requested", "Created", 1),
            ev("2026-11-29T13:00:00.200000Z", "Generated", "Stored", 2),
            ev("2026-11-29T13:00:00.250000Z", "Generated", "Stored", 1),
        ];
        let t = timeline(&events);
        let reasons: Vec<&str> = t
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["reason"].as_str().unwrap())
            .collect();
        assert_eq!(reasons, ["Issuing", "Generated", "Requested", "Issuing"]);
        // Repeats are merged, and how many there were is not shown.
        assert_eq!(t.as_array().unwrap().len(), 4);
        assert_eq!(t[1].get("count"), None);
        assert_eq!(t[0]["object"], "Certificate/web");
        assert_eq!(t[0]["from"], "cert-manager-certificates-trigger");
    }
}
