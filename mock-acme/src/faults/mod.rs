//! Fault injection: per-endpoint error rates, added latency and badNonce rates.
//!
//! Rules are matched by endpoint name (the directory's names plus `directory`,
//! `account`, `orders`, `order`, `authz`, `challenge`, `finalize`, `certificate`, `crl`)
//! or `*` for every endpoint. The first matching rule applies.

use std::sync::RwLock;
use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::wfe::problem::{Problem, ProblemType};

/// One fault rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// Endpoint name or `*`.
    #[serde(default = "star")]
    pub endpoint: String,
    /// Fraction (0..=1) of requests answered with an error.
    #[serde(default)]
    pub error_rate: f64,
    /// HTTP status of injected errors (5xx; default 503).
    #[serde(default = "default_status")]
    pub status: u16,
    /// `Retry-After` seconds on injected errors (default 1).
    #[serde(default = "default_retry_after")]
    pub retry_after: u64,
    /// Latency added to every matching request, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// Fraction (0..=1) of valid nonces rejected with badNonce.
    #[serde(default)]
    pub bad_nonce_rate: f64,
}

fn star() -> String {
    "*".into()
}
fn default_status() -> u16 {
    503
}
fn default_retry_after() -> u64 {
    1
}

impl Default for FaultRule {
    fn default() -> Self {
        Self {
            endpoint: star(),
            error_rate: 0.0,
            status: default_status(),
            retry_after: default_retry_after(),
            latency_ms: 0,
            bad_nonce_rate: 0.0,
        }
    }
}

impl FaultRule {
    /// Checks ranges.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) || !(0.0..=1.0).contains(&self.bad_nonce_rate) {
            return Err("rates must be between 0 and 1".into());
        }
        if !(500..=599).contains(&self.status) {
            return Err("status must be a 5xx code".into());
        }
        if self.latency_ms > 600_000 {
            return Err("latencyMs must be at most 600000".into());
        }
        Ok(())
    }
}

/// What to do to one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultDecision {
    /// Delay before handling.
    pub latency: Duration,
    /// Answer with this error instead of handling.
    pub error: Option<Problem>,
    /// Probability of rejecting a valid nonce.
    pub bad_nonce_rate: f64,
}

/// The live fault rules.
#[derive(Debug, Default)]
pub struct Faults {
    rules: RwLock<Vec<FaultRule>>,
}

impl Faults {
    /// Fault-free.
    pub fn new(rules: Vec<FaultRule>) -> Self {
        Self {
            rules: RwLock::new(rules),
        }
    }

    /// Replaces every rule.
    pub fn set(&self, rules: Vec<FaultRule>) -> Result<(), String> {
        for r in &rules {
            r.validate()?;
        }
        *self.rules.write().unwrap_or_else(|e| e.into_inner()) = rules;
        Ok(())
    }

    /// The current rules.
    pub fn list(&self) -> Vec<FaultRule> {
        self.rules.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Decides the fate of one request to `endpoint`.
    pub fn decide(&self, endpoint: &str) -> FaultDecision {
        let rules = self.rules.read().unwrap_or_else(|e| e.into_inner());
        let Some(rule) = rules
            .iter()
            .find(|r| r.endpoint == "*" || r.endpoint == endpoint)
        else {
            return FaultDecision::default();
        };
        let mut rng = rand::rng();
        let error = (rule.error_rate > 0.0 && rng.random::<f64>() < rule.error_rate).then(|| {
            Problem::new(
                ProblemType::ServerInternal,
                format!("injected fault on {endpoint}"),
            )
            .with_status(rule.status)
            .with_retry_after(rule.retry_after)
        });
        FaultDecision {
            latency: Duration::from_millis(rule.latency_ms),
            error,
            bad_nonce_rate: rule.bad_nonce_rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_by_endpoint() {
        let f = Faults::default();
        assert_eq!(f.decide("newOrder"), FaultDecision::default());
        f.set(vec![FaultRule {
            endpoint: "newOrder".into(),
            error_rate: 1.0,
            ..FaultRule::default()
        }])
        .unwrap();
        let d = f.decide("newOrder");
        let err = d.error.unwrap();
        assert_eq!(err.status, 503);
        assert_eq!(err.retry_after, Some(1));
        assert!(f.decide("newAccount").error.is_none());
        assert!(
            f.set(vec![FaultRule {
                error_rate: 2.0,
                ..FaultRule::default()
            }])
            .is_err()
        );
    }
}
