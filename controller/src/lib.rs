//! certlab-controller: cert-manager's controller, in Rust.
//!
//! See `ARCHITECTURE.md` at the workspace root for the map of this crate.

pub mod acme;
pub mod api;
pub mod certificates;
pub mod config;
pub mod context;
pub mod convert;
pub mod error;
pub mod events;
pub mod index;
pub mod issuers;
pub mod leader;
pub mod metrics;
pub mod pki;
pub mod requests;
pub mod run;
pub mod shim;
