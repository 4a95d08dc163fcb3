//! mock-dns: a pebble-challtestsrv-compatible test DNS server with RFC 2136 updates,
//! TSIG, fault injection and challenge responders, built on hickory-server.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mock_dns::StartError> {
//! let dns = mock_dns::MockDns::builder().zone("example.com").start().await?;
//! dns.handle().set_txt("_acme-challenge.example.com", "token").ok();
//! println!("DNS on {:?}, management on {:?}", dns.dns_addr(), dns.management_url());
//! dns.shutdown().await;
//! # Ok(()) }
//! ```

mod answer;
mod challenges;
mod error;
mod handler;
pub mod history;
mod management;
mod names;
mod server;
mod store;
mod transport;
pub mod tsig;
mod update;
mod zone;

pub use error::{RecordError, StartError, TsigKeyError};
pub use handler::DnsHandler;
pub use hickory_server::net::xfer::Protocol;
pub use history::EventKind;
pub use management::router as management_router;
pub use server::{Builder, MockDns, RunningDns};
pub use store::{CaaPolicy, DnsHandle, Fault, FaultEntry, RecordEntry, RecordsSnapshot, ZoneEntry};
pub use tsig::{Algorithm, TsigKey};
