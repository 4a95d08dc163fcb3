//! The ACME issuer: accounts, Orders and Challenges (cert-manager's `pkg/acme`,
//! `pkg/issuer/acme`, `pkg/controller/acme{orders,challenges}`), solver selection,
//! the HTTP-01 solver (presenter, self-check, the acmesolver server) and the DNS-01
//! glue.

pub mod account;
pub mod backoff;
pub mod challenges;
pub mod client;
pub mod dns01;
pub mod http;
pub mod http01;
pub mod names;
pub mod orders;
pub mod selection;
pub mod solver_server;
