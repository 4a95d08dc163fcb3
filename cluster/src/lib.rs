//! certlab-cluster: an embedded, in-memory Kubernetes API server.
//!
//! See `ARCHITECTURE.md` at the workspace root for the map of this crate.

pub mod builtin_shapes;
pub mod field;
pub mod patch;
pub mod shape;
