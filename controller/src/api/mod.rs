//! cert-manager's API, in Rust: the cert-manager.io/v1 kinds `Certificate`,
//! `CertificateRequest`, `Issuer` and `ClusterIssuer`, the acme.cert-manager.io/v1 kinds
//! `Order` and `Challenge`, their CRDs (with CEL rules standing in for cert-manager's
//! webhook), the names cert-manager uses on the wire, and pure helpers the controllers
//! share (issuer reference defaults, Go durations, conditions).
//!
//! Every JSON field name and enum value is cert-manager's; optional fields are `Option`
//! and skipped when unset, so an object read and written back is unchanged.
//!
//! Install the CRDs from [`crds`] (or [`crds_yaml`]), not from kube's
//! `CustomResourceExt::crd()` of the kinds: only the former carry cert-manager's shape
//! and the CEL rules. The rules are in `validation/`, one file per kind, each naming
//! the webhook check it replaces; the deliberate schema additions (`format: duration`
//! and a few bounds that keep the rules within a real API server's cost budget) are
//! listed in `tests/crd_shape.rs`.

pub mod acme;
pub mod certificate;
pub mod certificate_request;
pub mod challenge;
pub mod conditions;
pub mod constants;
mod crd;
pub mod duration;
pub mod issuer;
pub mod meta;
pub mod order;
mod schema_helpers;
mod schema_shape;
mod validation;

pub use certificate::{Certificate, CertificateSpec, CertificateStatus};
pub use certificate_request::{
    CertificateRequest, CertificateRequestSpec, CertificateRequestStatus,
};
pub use challenge::{Challenge, ChallengeSpec, ChallengeStatus};
pub use conditions::{Condition, ConditionUpdate, get_condition, remove_condition, set_condition};
pub use crd::{CrdError, crds, crds_yaml, try_crds, try_crds_yaml};
pub use duration::{DurationError, GoDuration, format_go_duration, parse_go_duration};
pub use issuer::{ClusterIssuer, Issuer, IssuerSpec, IssuerStatus};
pub use meta::{ConditionStatus, IssuerReference, LocalObjectReference, SecretKeySelector};
pub use order::{Order, OrderSpec, OrderStatus};
