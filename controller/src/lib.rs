//! certlab-controller: cert-manager's controller, in Rust.
//!
//! See `ARCHITECTURE.md` at the workspace root for the map of this crate.

pub mod api;
pub mod events;
pub mod leader;
pub mod pki;
