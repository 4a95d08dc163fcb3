//! mock-acme: a Pebble-compatible RFC 8555 ACME server that goes beyond Pebble.
pub mod ca;
pub mod config;
pub mod db;
pub mod faults;
pub mod key;
pub mod ratelimit;
pub mod va;
pub mod wfe;
