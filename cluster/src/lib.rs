//! certlab-cluster: an embedded, in-memory Kubernetes API server.
//!
//! See `ARCHITECTURE.md` at the workspace root for the map of this crate.

pub mod field;
pub mod fieldmanager;
pub mod shape;
