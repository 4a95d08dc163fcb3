//! Renewal maths (`pkg/util/pki/renewaltime.go`) and the issuance failure back-off
//! (`certificates/trigger`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `spec.renewal.policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RenewalPolicy {
    /// `RenewBefore`: renew at the computed renewal time (the default).
    #[default]
    RenewBefore,
    /// `Disabled`: never renew.
    Disabled,
}

/// How long before expiry to renew: `renew_before` when it is positive and shorter
/// than the lifetime; else `lifetime × pct / 100` when 0 < pct < 100; else a third of
/// the lifetime.
pub fn renew_before(
    lifetime: Duration,
    renew_before: Option<Duration>,
    renew_before_percentage: Option<i32>,
) -> Duration {
    if let Some(rb) = renew_before
        && !rb.is_zero()
        && rb < lifetime
    {
        return rb;
    }
    if let Some(pct) = renew_before_percentage
        && pct > 0
        && pct < 100
    {
        // As cert-manager, in floating point to avoid overflow, truncated to ns.
        let nanos = lifetime.as_nanos() as f64 * f64::from(pct) / 100.0;
        return Duration::from_nanos(nanos as u64);
    }
    lifetime / 3
}

/// When a certificate valid from `not_before` to `not_after` should be renewed:
/// `not_after − renew_before`, truncated to the second (the precision of
/// `status.renewalTime`). `None` when the renewal policy is `Disabled`. The lifetime
/// comes from the issued certificate, not from `spec.duration`.
pub fn renewal_time(
    not_before: SystemTime,
    not_after: SystemTime,
    renew_before_duration: Option<Duration>,
    renew_before_percentage: Option<i32>,
    policy: RenewalPolicy,
) -> Option<SystemTime> {
    if policy == RenewalPolicy::Disabled {
        return None;
    }
    let lifetime = not_after.duration_since(not_before).unwrap_or_default();
    let before = renew_before(lifetime, renew_before_duration, renew_before_percentage);
    let at = not_after.checked_sub(before).unwrap_or(not_before);
    Some(truncate_to_second(at))
}

/// Floors a time to the whole second, as Go's `Time.Truncate(time.Second)`.
pub fn truncate_to_second(t: SystemTime) -> SystemTime {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => UNIX_EPOCH + Duration::from_secs(d.as_secs()),
        Err(e) => {
            let d = e.duration();
            let mut secs = d.as_secs();
            if d.subsec_nanos() > 0 {
                secs = secs.saturating_add(1);
            }
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(secs))
                .unwrap_or(UNIX_EPOCH)
        }
    }
}

/// The default initial back-off (`--certificate-request-minimum-backoff-duration`).
pub const DEFAULT_MIN_BACKOFF: Duration = Duration::from_secs(3600);
/// The default maximum back-off (`--certificate-request-maximum-backoff-duration`).
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(32 * 3600);

/// The back-off after `failed_issuance_attempts` failures:
/// `initial × 2^(n−1)`, capped at `max`, never below `initial`; `initial` when the
/// count is unknown or not positive.
pub fn failure_backoff(
    failed_issuance_attempts: Option<i64>,
    initial: Duration,
    max: Duration,
) -> Duration {
    let delay = match failed_issuance_attempts {
        Some(n) if n > 0 => {
            let exp = n - 1;
            let computed = if exp < 32 {
                initial.checked_mul(1u32 << exp)
            } else {
                None
            };
            match computed {
                Some(d) if d <= max => d,
                _ => max,
            }
        }
        _ => initial,
    };
    delay.max(initial)
}

/// How much longer the trigger must wait before re-issuing after a failure at
/// `last_failure_time` (`shouldBackoffReissuingOnFailure`); `None` when it need not
/// wait. cert-manager skips the back-off entirely when the Certificate no longer
/// matches its next CertificateRequest; callers check that first.
pub fn backoff_remaining(
    now: SystemTime,
    last_failure_time: Option<SystemTime>,
    failed_issuance_attempts: Option<i64>,
    initial: Duration,
    max: Duration,
) -> Option<Duration> {
    let last = last_failure_time?;
    if initial.is_zero() {
        return None;
    }
    let delay = failure_backoff(failed_issuance_attempts, initial, max);
    let since = now.duration_since(last).unwrap_or_default();
    if since >= delay {
        None
    } else {
        Some(delay - since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = 3600;
    const D: u64 = 24 * H;

    fn t(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn renewal_time_table() {
        let nb = 1_700_000_000;
        // (lifetime, renewBefore, percentage, expected seconds before notAfter)
        let table: &[(u64, Option<u64>, Option<i32>, u64)] = &[
            (90 * D, None, None, 30 * D),         // a third by default
            (90 * D, Some(10 * D), None, 10 * D), // renewBefore
            (90 * D, Some(90 * D), None, 30 * D), // renewBefore ≥ lifetime ignored
            (90 * D, Some(100 * D), None, 30 * D),
            (90 * D, Some(0), None, 30 * D),           // zero ignored
            (90 * D, None, Some(25), 22 * D + 12 * H), // percentage
            (90 * D, None, Some(0), 30 * D),           // out of range ignored
            (90 * D, None, Some(100), 30 * D),
            (90 * D, Some(5 * D), Some(50), 5 * D), // renewBefore wins
            (90 * D, Some(100 * D), Some(50), 45 * D), // invalid renewBefore → percentage
            (H, None, None, 1200),
        ];
        for &(lifetime, rb, pct, before) in table {
            let got = renewal_time(
                t(nb),
                t(nb + lifetime),
                rb.map(Duration::from_secs),
                pct,
                RenewalPolicy::RenewBefore,
            )
            .unwrap();
            assert_eq!(got, t(nb + lifetime - before), "{lifetime} {rb:?} {pct:?}");
        }
    }

    #[test]
    fn renewal_time_is_truncated_and_can_be_disabled() {
        // A 100 s lifetime renews 33.33 s before expiry: 66.67 s in, truncated to 66.
        let got = renewal_time(t(1000), t(1100), None, None, RenewalPolicy::RenewBefore).unwrap();
        assert_eq!(got, t(1066));
        assert_eq!(
            renewal_time(t(0), t(100), None, None, RenewalPolicy::Disabled),
            None
        );
        assert_eq!(
            truncate_to_second(UNIX_EPOCH - Duration::from_millis(1500)),
            UNIX_EPOCH - Duration::from_secs(2)
        );
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let table: &[(Option<i64>, u64)] = &[
            (None, 1),
            (Some(0), 1),
            (Some(-3), 1),
            (Some(1), 1),
            (Some(2), 2),
            (Some(3), 4),
            (Some(6), 32),
            (Some(7), 32),
            (Some(100), 32),
            (Some(i64::MAX), 32),
        ];
        for &(n, hours) in table {
            assert_eq!(
                failure_backoff(n, DEFAULT_MIN_BACKOFF, DEFAULT_MAX_BACKOFF),
                Duration::from_secs(hours * H),
                "{n:?}"
            );
        }
    }

    #[test]
    fn backoff_remaining_counts_from_last_failure() {
        let last = t(10 * H);
        let rem = backoff_remaining(
            t(10 * H + 600),
            Some(last),
            Some(2),
            DEFAULT_MIN_BACKOFF,
            DEFAULT_MAX_BACKOFF,
        );
        assert_eq!(rem, Some(Duration::from_secs(2 * H - 600)));
        assert_eq!(
            backoff_remaining(
                t(12 * H),
                Some(last),
                Some(2),
                DEFAULT_MIN_BACKOFF,
                DEFAULT_MAX_BACKOFF
            ),
            None
        );
        assert_eq!(
            backoff_remaining(
                t(12 * H),
                None,
                Some(2),
                DEFAULT_MIN_BACKOFF,
                DEFAULT_MAX_BACKOFF
            ),
            None
        );
        assert_eq!(
            backoff_remaining(
                t(12 * H),
                Some(last),
                Some(2),
                Duration::ZERO,
                DEFAULT_MAX_BACKOFF
            ),
            None
        );
    }
}
