//! mock-acme: a Pebble-compatible RFC 8555 ACME server that goes beyond Pebble.
pub mod ca;
pub mod config;
pub mod db;
pub mod faults;
pub mod key;
pub mod management;
pub mod ratelimit;
pub mod server;
pub mod va;
pub mod wfe;

pub use config::Config;
pub use server::{MockAcme, MockAcmeBuilder, RunningAcme, StartError};
