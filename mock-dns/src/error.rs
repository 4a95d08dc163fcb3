//! Error types of the library.

use std::net::SocketAddr;

/// A record or setting that the store refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    /// The host name was empty.
    #[error("host parameter must not be empty")]
    EmptyHost,
    /// The host name is not a valid DNS name.
    #[error("invalid host name {name:?}: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// An address did not parse as an IP address of the right family.
    #[error("invalid {family} address {value:?}")]
    InvalidAddress {
        /// `IPv4` or `IPv6`.
        family: &'static str,
        /// The value as given.
        value: String,
    },
    /// A TXT value too long to fit in any DNS message.
    #[error("TXT value of {len} bytes is longer than the {max} bytes a DNS message can carry")]
    TxtTooLong {
        /// Length of the value in bytes.
        len: usize,
        /// The largest accepted length.
        max: usize,
    },
    /// A CAA tag that is not 1–255 ASCII letters and digits.
    #[error("invalid CAA tag {0:?}: must be 1-255 ASCII letters or digits")]
    InvalidCaaTag(String),
    /// A CAA value too long to fit in a record.
    #[error("CAA value of {0} bytes is too long")]
    CaaValueTooLong(usize),
    /// A fault description that makes no sense.
    #[error("invalid fault: {0}")]
    InvalidFault(String),
}

/// A TSIG key given as `NAME:ALGORITHM:BASE64SECRET` that could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TsigKeyError {
    /// Not three colon-separated parts.
    #[error("TSIG key must be NAME:ALGORITHM:BASE64SECRET, got {0:?}")]
    Format(String),
    /// The key name is not a DNS name.
    #[error("invalid TSIG key name {0:?}")]
    Name(String),
    /// The algorithm is not supported.
    #[error(
        "unsupported TSIG algorithm {0:?} (use hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512)"
    )]
    Algorithm(String),
    /// The secret is not valid base64.
    #[error("TSIG secret for key {0:?} is not valid base64")]
    Secret(String),
}

/// The server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A listener could not bind.
    #[error("cannot bind {what} on {addr}: {source}")]
    Bind {
        /// Which listener.
        what: &'static str,
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// A zone name is not a valid DNS name.
    #[error("invalid zone {0:?}")]
    Zone(String),
    /// Only loopback addresses are served.
    #[error("refusing to listen on {addr} for {what}: mock-dns serves loopback addresses only")]
    NotLoopback {
        /// Which listener.
        what: &'static str,
        /// The address.
        addr: SocketAddr,
    },
    /// The TLS setup for HTTPS-01 or TLS-ALPN-01 failed.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}
