//! Let's Encrypt-style rate limits over sliding windows of clock time.
//!
//! - orders per account per window (checked at newOrder);
//! - certificates per registered domain per window (checked at newOrder, counted at
//!   issuance). The registered domain is the last two labels of a name (no Public
//!   Suffix List); an IP address counts as its own domain.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::db::Identifier;
use crate::wfe::problem::{Problem, ProblemType};

/// One limit: at most `count` events per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Limit {
    /// Events allowed per window.
    pub count: u32,
    /// Window length in seconds.
    pub window_secs: u64,
}

/// The configured limits (absent = unlimited).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimitConfig {
    /// New orders per account.
    #[serde(default)]
    pub orders_per_account: Option<Limit>,
    /// Certificates per registered domain.
    #[serde(default)]
    pub certificates_per_domain: Option<Limit>,
}

#[derive(Debug, Default)]
struct State {
    config: RateLimitConfig,
    orders: HashMap<String, VecDeque<SystemTime>>,
    certs: HashMap<String, VecDeque<SystemTime>>,
}

/// The limiter.
#[derive(Debug, Default)]
pub struct RateLimiter {
    state: Mutex<State>,
}

/// The registered domain of an identifier (last two labels; IPs are their own).
pub fn registered_domain(id: &Identifier) -> String {
    if id.kind == "ip" {
        return id.value.clone();
    }
    let name = id.value.trim_start_matches("*.").trim_end_matches('.');
    let labels: Vec<&str> = name.rsplitn(3, '.').collect();
    match labels.as_slice() {
        [tld, sld, ..] => format!("{sld}.{tld}"),
        _ => name.to_string(),
    }
}

fn prune(q: &mut VecDeque<SystemTime>, window: Duration, now: SystemTime) {
    while let Some(front) = q.front() {
        if now.duration_since(*front).unwrap_or_default() >= window {
            q.pop_front();
        } else {
            break;
        }
    }
}

fn check(
    q: Option<&mut VecDeque<SystemTime>>,
    limit: Limit,
    now: SystemTime,
    what: &str,
) -> Result<(), Problem> {
    let Some(q) = q else { return Ok(()) };
    let window = Duration::from_secs(limit.window_secs);
    prune(q, window, now);
    if q.len() >= limit.count as usize {
        let oldest = q.front().copied().unwrap_or(now);
        let wait = (oldest + window)
            .duration_since(now)
            .unwrap_or_default()
            .as_secs()
            .max(1);
        return Err(Problem::new(
            ProblemType::RateLimited,
            format!(
                "too many {what}: {} per {} seconds; retry after {wait} seconds",
                limit.count, limit.window_secs
            ),
        )
        .with_retry_after(wait));
    }
    Ok(())
}

impl RateLimiter {
    /// A limiter with `config`.
    pub fn new(config: RateLimitConfig) -> Self {
        Self {
            state: Mutex::new(State {
                config,
                ..State::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the limits (counters are kept).
    pub fn set(&self, config: RateLimitConfig) {
        self.lock().config = config;
    }

    /// The limits.
    pub fn config(&self) -> RateLimitConfig {
        self.lock().config.clone()
    }

    /// Forgets every counter.
    pub fn reset_counters(&self) {
        let mut s = self.lock();
        s.orders.clear();
        s.certs.clear();
    }

    /// Checks and counts a new order.
    pub fn new_order(
        &self,
        account: &str,
        identifiers: &[Identifier],
        now: SystemTime,
    ) -> Result<(), Problem> {
        let mut s = self.lock();
        let config = s.config.clone();
        if let Some(limit) = config.certificates_per_domain {
            for id in identifiers {
                let domain = registered_domain(id);
                check(
                    s.certs.get_mut(&domain),
                    limit,
                    now,
                    &format!("certificates already issued for {domain:?}"),
                )?;
            }
        }
        if let Some(limit) = config.orders_per_account {
            let q = s.orders.entry(account.to_string()).or_default();
            check(Some(q), limit, now, "new orders")?;
            q.push_back(now);
        }
        Ok(())
    }

    /// Counts an issued certificate.
    pub fn issued(&self, identifiers: &[Identifier], now: SystemTime) {
        let mut s = self.lock();
        if s.config.certificates_per_domain.is_none() {
            return;
        }
        let mut domains: Vec<String> = identifiers.iter().map(registered_domain).collect();
        domains.sort();
        domains.dedup();
        for d in domains {
            s.certs.entry(d).or_default().push_back(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_domains() {
        assert_eq!(
            registered_domain(&Identifier::dns("a.b.example.com")),
            "example.com"
        );
        assert_eq!(
            registered_domain(&Identifier::dns("*.example.com")),
            "example.com"
        );
        assert_eq!(
            registered_domain(&Identifier::dns("localhost")),
            "localhost"
        );
        assert_eq!(registered_domain(&Identifier::ip("127.0.0.1")), "127.0.0.1");
    }

    #[test]
    fn orders_per_account_window_slides() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let rl = RateLimiter::new(RateLimitConfig {
            orders_per_account: Some(Limit {
                count: 2,
                window_secs: 60,
            }),
            certificates_per_domain: None,
        });
        let ids = [Identifier::dns("a.test")];
        rl.new_order("acct", &ids, t0).unwrap();
        rl.new_order("acct", &ids, t0 + Duration::from_secs(10))
            .unwrap();
        let err = rl
            .new_order("acct", &ids, t0 + Duration::from_secs(20))
            .unwrap_err();
        assert_eq!(err.kind, ProblemType::RateLimited);
        assert_eq!(err.status, 429);
        assert_eq!(err.retry_after, Some(40));
        rl.new_order("other", &ids, t0).unwrap();
        rl.new_order("acct", &ids, t0 + Duration::from_secs(61))
            .unwrap();
    }
}
