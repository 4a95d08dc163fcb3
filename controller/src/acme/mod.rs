//! The ACME chain: accounts, Orders, Challenges, solver selection, the HTTP-01 solver
//! (presenter, self-check, the acmesolver server) and the DNS-01 glue.

pub mod account;
pub mod challenges;
pub mod dns01;
pub mod http01;
pub mod names;
pub mod selection;
pub mod solver_server;
