//! mock-acme: a Pebble-compatible RFC 8555 ACME server that goes beyond Pebble.
pub mod ca;
pub mod db;
pub mod key;
pub mod wfe;
