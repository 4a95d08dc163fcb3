//! The ACME issuer: accounts, Orders and Challenges (cert-manager's `pkg/acme`,
//! `pkg/issuer/acme`, `pkg/controller/acme{orders,challenges}`).

pub mod account;
pub mod backoff;
pub mod client;
pub mod dns01;
pub mod http;
pub mod names;
pub mod orders;
pub mod selection;
