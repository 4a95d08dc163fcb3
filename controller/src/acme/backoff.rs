//! Exponential backoff per object after transient ACME failures (5xx, `rateLimited`,
//! network), like the rate-limited work queue cert-manager's controllers retry through:
//! 1 s, 2 s, 4 s … capped at 5 minutes, reset by a success.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// First delay.
pub const BASE: Duration = Duration::from_secs(1);
/// Longest delay.
pub const MAX: Duration = Duration::from_secs(300);

/// Failure counts by object key.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: Mutex<HashMap<String, u32>>,
}

impl Backoff {
    /// Records a failure of `key`; returns how long to wait before the next try.
    pub fn failed(&self, key: &str) -> Duration {
        let n = self
            .failures
            .lock()
            .map(|mut m| {
                let n = m.entry(key.to_string()).or_insert(0);
                *n = n.saturating_add(1);
                *n
            })
            .unwrap_or(1);
        delay(n)
    }

    /// Forgets `key`'s failures.
    pub fn succeeded(&self, key: &str) {
        if let Ok(mut m) = self.failures.lock() {
            m.remove(key);
        }
    }

    /// Failures recorded for `key`.
    pub fn failures(&self, key: &str) -> u32 {
        self.failures
            .lock()
            .ok()
            .and_then(|m| m.get(key).copied())
            .unwrap_or(0)
    }
}

/// The delay after `n` consecutive failures.
pub fn delay(n: u32) -> Duration {
    let exp = n.saturating_sub(1).min(16);
    BASE.saturating_mul(1 << exp).min(MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_and_caps() {
        assert_eq!(delay(1), Duration::from_secs(1));
        assert_eq!(delay(2), Duration::from_secs(2));
        assert_eq!(delay(5), Duration::from_secs(16));
        assert_eq!(delay(40), MAX);
        let b = Backoff::default();
        assert_eq!(b.failed("a"), Duration::from_secs(1));
        assert_eq!(b.failed("a"), Duration::from_secs(2));
        assert_eq!(b.failures("a"), 2);
        b.succeeded("a");
        assert_eq!(b.failures("a"), 0);
    }
}
