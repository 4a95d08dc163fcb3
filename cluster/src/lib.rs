//! certlab-cluster: an embedded, in-memory Kubernetes API server.
//!
//! See `ARCHITECTURE.md` at the workspace root for the map of this crate.

pub mod api;
pub mod builtin_shapes;
pub mod cluster;
pub mod controllers;
pub mod edge;
pub mod field;
pub mod fieldmanager;
pub mod jsonpath;
pub mod meta;
pub mod node;
pub mod objects;
pub mod patch;
pub mod protobuf;
pub mod registry;
pub mod schema;
pub mod shape;
pub mod status;
pub mod store;
pub mod time;
pub mod transport;

pub use cluster::{Cluster, ClusterBuilder, ClusterError};
pub use edge::EdgeConfig;
pub use node::{ContainerExit, ContainerPort, ContainerRuntime, ContainerStart, RunningContainer};
