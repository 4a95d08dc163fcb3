//! certlab-harness: the lab.
//!
//! A [`Lab`] starts every certlab component in one process, on ephemeral loopback
//! ports, with one shared virtual clock, and tears them down together. `cargo xtask up`
//! runs one until Ctrl-C; the scenario runner starts one per run.

pub mod chain;
pub mod e2e;
pub mod endpoints;
pub mod lab;
pub mod matrix;
pub mod scenario;
pub mod snapshot;
pub mod solver_runtime;

pub use endpoints::Endpoints;
pub use lab::{
    LAB_ACME_DNS01, LAB_ACME_HTTP01, LAB_CA, LAB_DOMAIN, LAB_SELFSIGNED, LAB_TSIG_KEY,
    LAB_TSIG_SECRET, Lab, LabBuilder, LabError, RESOURCE_NAMESPACE,
};
