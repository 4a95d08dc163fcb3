//! Reading and writing status conditions the way cert-manager's `apiutil` does.
//!
//! Certificates, CertificateRequests and issuers each have their own condition struct
//! (CertificateRequest conditions carry no `observedGeneration`); [`Condition`] lets one
//! set of helpers serve them all. Time is passed in, never read here.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::meta::ConditionStatus;

/// A status condition.
pub trait Condition: Clone {
    /// A condition of `type_` with everything else empty.
    fn new(type_: &str, status: ConditionStatus) -> Self;
    /// The condition type (`Ready`, `Issuing`, …).
    fn type_(&self) -> &str;
    /// The status.
    fn status(&self) -> ConditionStatus;
    /// When the status last changed.
    fn last_transition_time(&self) -> Option<&Time>;
    /// Sets when the status last changed.
    fn set_last_transition_time(&mut self, time: Option<Time>);
    /// The machine-readable reason.
    fn reason(&self) -> Option<&str>;
    /// Sets the reason.
    fn set_reason(&mut self, reason: Option<String>);
    /// The human-readable message.
    fn message(&self) -> Option<&str>;
    /// Sets the message.
    fn set_message(&mut self, message: Option<String>);
    /// Sets `observedGeneration` where the condition has one (a no-op otherwise).
    fn set_observed_generation(&mut self, generation: Option<i64>);
}

/// The condition of `type_`, if present.
pub fn get_condition<'a, C: Condition>(conditions: &'a [C], type_: &str) -> Option<&'a C> {
    conditions.iter().find(|c| c.type_() == type_)
}

/// Whether the condition of `type_` is present with `status`.
pub fn has_condition<C: Condition>(conditions: &[C], type_: &str, status: ConditionStatus) -> bool {
    get_condition(conditions, type_).is_some_and(|c| c.status() == status)
}

/// Whether the condition of `type_` is `True`.
pub fn is_condition_true<C: Condition>(conditions: &[C], type_: &str) -> bool {
    has_condition(conditions, type_, ConditionStatus::True)
}

/// Removes the condition of `type_`; returns whether one was removed.
pub fn remove_condition<C: Condition>(conditions: &mut Vec<C>, type_: &str) -> bool {
    let before = conditions.len();
    conditions.retain(|c| c.type_() != type_);
    conditions.len() != before
}

/// What to set with [`set_condition`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionUpdate<'a> {
    /// The condition type.
    pub type_: &'a str,
    /// The new status.
    pub status: ConditionStatus,
    /// The reason.
    pub reason: &'a str,
    /// The message.
    pub message: &'a str,
    /// `metadata.generation` of the object the condition describes.
    pub observed_generation: Option<i64>,
}

/// Sets a condition as cert-manager's `Set…Condition` helpers do: the condition is
/// replaced in place (or appended); `lastTransitionTime` is `now` unless the status is
/// unchanged, in which case the previous time is kept; `observedGeneration` is set
/// where the kind has it. Returns whether anything changed.
pub fn set_condition<C: Condition + PartialEq>(
    conditions: &mut Vec<C>,
    update: ConditionUpdate<'_>,
    now: Time,
) -> bool {
    let mut new = C::new(update.type_, update.status);
    new.set_reason(Some(update.reason.to_string()).filter(|s| !s.is_empty()));
    new.set_message(Some(update.message.to_string()).filter(|s| !s.is_empty()));
    new.set_observed_generation(update.observed_generation);
    new.set_last_transition_time(Some(now));
    match conditions.iter_mut().find(|c| c.type_() == update.type_) {
        Some(existing) => {
            if existing.status() == update.status {
                new.set_last_transition_time(existing.last_transition_time().cloned());
            }
            if *existing == new {
                return false;
            }
            *existing = new;
        }
        None => conditions.push(new),
    }
    true
}

/// Implements [`Condition`] for a condition struct with the usual fields.
macro_rules! impl_condition {
    ($ty:ty, observed_generation) => {
        impl_condition!(@impl $ty, |c: &mut $ty, g: Option<i64>| c.observed_generation = g);
    };
    ($ty:ty) => {
        impl_condition!(@impl $ty, |_c: &mut $ty, _g: Option<i64>| ());
    };
    (@impl $ty:ty, $set_gen:expr) => {
        impl $crate::api::conditions::Condition for $ty {
            fn new(type_: &str, status: $crate::api::meta::ConditionStatus) -> Self {
                Self {
                    type_: type_.to_string(),
                    status,
                    ..Default::default()
                }
            }
            fn type_(&self) -> &str {
                &self.type_
            }
            fn status(&self) -> $crate::api::meta::ConditionStatus {
                self.status
            }
            fn last_transition_time(
                &self,
            ) -> Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time> {
                self.last_transition_time.as_ref()
            }
            fn set_last_transition_time(
                &mut self,
                time: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>,
            ) {
                self.last_transition_time = time;
            }
            fn reason(&self) -> Option<&str> {
                self.reason.as_deref()
            }
            fn set_reason(&mut self, reason: Option<String>) {
                self.reason = reason;
            }
            fn message(&self) -> Option<&str> {
                self.message.as_deref()
            }
            fn set_message(&mut self, message: Option<String>) {
                self.message = message;
            }
            fn set_observed_generation(&mut self, generation: Option<i64>) {
                let set: fn(&mut $ty, Option<i64>) = $set_gen;
                set(self, generation);
            }
        }
    };
}
pub(crate) use impl_condition;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::certificate::CertificateCondition;
    use crate::api::certificate_request::CertificateRequestCondition;
    use k8s_openapi::jiff::Timestamp;

    fn at(secs: i64) -> Time {
        Time(Timestamp::from_second(secs).unwrap())
    }

    fn ready(status: ConditionStatus, reason: &str, generation: i64) -> ConditionUpdate<'_> {
        ConditionUpdate {
            type_: "Ready",
            status,
            reason,
            message: "msg",
            observed_generation: Some(generation),
        }
    }

    #[test]
    fn keeps_the_transition_time_while_the_status_holds() {
        let mut conds: Vec<CertificateCondition> = Vec::new();
        assert!(set_condition(
            &mut conds,
            ready(ConditionStatus::False, "DoesNotExist", 1),
            at(100)
        ));
        assert_eq!(conds.len(), 1);
        assert_eq!(conds[0].last_transition_time, Some(at(100)));
        assert_eq!(conds[0].observed_generation, Some(1));

        // same status, new reason and generation: time kept
        assert!(set_condition(
            &mut conds,
            ready(ConditionStatus::False, "MissingData", 2),
            at(200)
        ));
        assert_eq!(conds[0].last_transition_time, Some(at(100)));
        assert_eq!(conds[0].reason.as_deref(), Some("MissingData"));
        assert_eq!(conds[0].observed_generation, Some(2));

        // nothing changes: reported as no change
        assert!(!set_condition(
            &mut conds,
            ready(ConditionStatus::False, "MissingData", 2),
            at(300)
        ));

        // transition: time moves
        assert!(set_condition(
            &mut conds,
            ready(ConditionStatus::True, "Ready", 2),
            at(400)
        ));
        assert_eq!(conds[0].last_transition_time, Some(at(400)));
        assert!(is_condition_true(&conds, "Ready"));
        assert!(!is_condition_true(&conds, "Issuing"));

        // another type is appended, and can be removed
        set_condition(
            &mut conds,
            ConditionUpdate {
                type_: "Issuing",
                status: ConditionStatus::True,
                reason: "Renewing",
                message: "",
                observed_generation: Some(2),
            },
            at(500),
        );
        assert_eq!(conds.len(), 2);
        assert_eq!(conds[1].message, None);
        assert!(remove_condition(&mut conds, "Issuing"));
        assert!(!remove_condition(&mut conds, "Issuing"));
        assert_eq!(
            get_condition(&conds, "Ready").map(|c| c.status),
            Some(ConditionStatus::True)
        );
    }

    #[test]
    fn certificate_request_conditions_have_no_generation() {
        let mut conds: Vec<CertificateRequestCondition> = Vec::new();
        set_condition(
            &mut conds,
            ConditionUpdate {
                type_: "Approved",
                status: ConditionStatus::True,
                reason: "cert-manager.io",
                message: "Certificate request has been approved by cert-manager.io",
                observed_generation: Some(3),
            },
            at(1),
        );
        let json = serde_json::to_value(&conds).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{
                "type": "Approved",
                "status": "True",
                "lastTransitionTime": "1970-01-01T00:00:01Z",
                "reason": "cert-manager.io",
                "message": "Certificate request has been approved by cert-manager.io"
            }])
        );
    }
}
