//! Web front end.
pub mod jws;
pub mod nonce;
pub mod problem;
