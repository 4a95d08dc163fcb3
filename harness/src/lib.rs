//! certlab-harness: the lab.
//!
//! A [`Lab`] starts every certlab component in one process, on ephemeral loopback
//! ports, with one shared virtual clock, and tears them down together. `cargo xtask up`
//! runs one until Ctrl-C; the scenario runner starts one per run.

pub mod endpoints;
pub mod lab;

pub use endpoints::Endpoints;
pub use lab::{Lab, LabBuilder, LabError};
