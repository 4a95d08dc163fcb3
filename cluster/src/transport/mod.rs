//! Getting requests in: the in-process `tower::Service` needs nothing more; the
//! network listener adds TLS with a generated CA, bearer-token authentication and a
//! kubeconfig for clients.

pub mod kubeconfig;
pub mod listener;
pub mod tls;

pub use kubeconfig::Kubeconfig;
pub use listener::{Listener, ListenerError};
pub use tls::ServingCerts;
