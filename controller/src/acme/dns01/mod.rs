//! Interim stub of the DNS-01 interface (the other engineer's real module replaces it
//! at the merge): every call answers [`Dns01Error::Unavailable`].

/// An RFC 2136 provider, as the solver configures it.
#[derive(Debug, Clone)]
pub struct Rfc2136 {
    /// `host:port` of the primary.
    pub nameserver: String,
    /// TSIG key name.
    pub tsig_key_name: Option<String>,
    /// TSIG algorithm (HMACMD5 default).
    pub tsig_algorithm: Option<String>,
    /// TSIG secret (decoded).
    pub tsig_secret: Option<Vec<u8>>,
    /// Send updates over TCP.
    pub tcp: bool,
}

/// Where DNS-01 looks records up.
#[derive(Debug, Clone, Default)]
pub struct Dns01Settings {
    /// `--dns01-recursive-nameservers`.
    pub recursive_nameservers: Vec<std::net::SocketAddr>,
    /// `--dns01-recursive-nameservers-only`.
    pub recursive_only: bool,
}

/// A DNS-01 failure.
#[derive(Debug, thiserror::Error)]
pub enum Dns01Error {
    /// DNS-01 is not available.
    #[error("DNS-01 is unavailable")]
    Unavailable,
}

/// `_acme-challenge.<domain>.`, following CNAMEs when `follow_cname`.
pub async fn challenge_fqdn(
    _domain: &str,
    _follow_cname: bool,
    _s: &Dns01Settings,
) -> Result<String, Dns01Error> {
    Err(Dns01Error::Unavailable)
}

/// Adds the TXT record.
pub async fn present(
    _p: &Rfc2136,
    _fqdn: &str,
    _value: &str,
    _s: &Dns01Settings,
) -> Result<(), Dns01Error> {
    Err(Dns01Error::Unavailable)
}

/// Removes the TXT record.
pub async fn clean_up(
    _p: &Rfc2136,
    _fqdn: &str,
    _value: &str,
    _s: &Dns01Settings,
) -> Result<(), Dns01Error> {
    Err(Dns01Error::Unavailable)
}

/// Ok(None) when propagated, Ok(Some(why not)) otherwise.
pub async fn check(
    _fqdn: &str,
    _value: &str,
    _s: &Dns01Settings,
) -> Result<Option<String>, Dns01Error> {
    Err(Dns01Error::Unavailable)
}
