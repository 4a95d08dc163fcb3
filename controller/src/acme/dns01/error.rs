//! What can go wrong in DNS-01: configuration, transport, the server's answers.
//!
//! Messages follow cert-manager's wording where cert-manager has one (they end up in a
//! Challenge's `reason`), with a hint appended where upstream leaves users guessing.

/// A DNS-01 failure. Every variant is worth retrying except the configuration ones
/// ([`InvalidNameserver`](Self::InvalidNameserver),
/// [`UnsupportedAlgorithm`](Self::UnsupportedAlgorithm),
/// [`InvalidTsig`](Self::InvalidTsig), [`InvalidName`](Self::InvalidName)), which need a
/// change to the issuer or the Challenge.
#[derive(Debug, thiserror::Error)]
pub enum Dns01Error {
    /// DNS-01 cannot be used at all (the interim stub's only answer).
    #[error("DNS-01 is unavailable")]
    Unavailable,
    /// The `rfc2136.nameserver` field is not `host[:port]`.
    #[error("{0}")]
    InvalidNameserver(String),
    /// `tsigAlgorithm` is none of HMACMD5, HMACSHA1, HMACSHA256, HMACSHA512.
    #[error("algorithm '{0}' is not supported")]
    UnsupportedAlgorithm(String),
    /// The TSIG key name or secret cannot be used.
    #[error("{0}")]
    InvalidTsig(String),
    /// A domain name that is not a valid DNS name.
    #[error("invalid DNS name {name:?}: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The nameserver's host name could not be resolved to an address.
    #[error("could not resolve nameserver {host:?}: {reason}")]
    Resolve {
        /// The host name.
        host: String,
        /// Why not.
        reason: String,
    },
    /// No nameserver to ask.
    #[error("nameservers is required")]
    NoNameservers,
    /// A query could not be exchanged with a nameserver (timeout, refused, malformed
    /// answer); the text is Go's (`read udp …: i/o timeout`).
    #[error("{0}")]
    Query(String),
    /// An UPDATE could not be exchanged with the nameserver.
    #[error("DNS update failed: {0}")]
    UpdateFailed(String),
    /// The nameserver answered an UPDATE with an error.
    #[error("DNS update failed. Server replied: {rcode}{}", detail_suffix(.detail))]
    UpdateRejected {
        /// The response code (`REFUSED`, `NOTAUTH`, `NOTZONE`, …).
        rcode: String,
        /// The TSIG error of the response (`BADSIG`, `BADKEY`, `BADTIME`, …), if any.
        tsig_error: Option<String>,
        /// What it most likely means, for humans.
        detail: String,
    },
    /// No SOA record was found walking up from the name.
    #[error(
        "Could not find the SOA record in the DNS tree for the domain '{fqdn}' using nameservers {nameservers}"
    )]
    ZoneNotFound {
        /// The name whose zone was looked for.
        fqdn: String,
        /// The nameservers asked, as Go prints a slice (`[127.0.0.1:53]`).
        nameservers: String,
    },
    /// A SOA query got an answer other than NOERROR or NXDOMAIN.
    #[error(
        "When querying the SOA record for the domain '{domain}' using nameservers {nameservers}, rcode was expected to be 'NOERROR' or 'NXDOMAIN', but got '{rcode}'"
    )]
    SoaRcode {
        /// The name queried.
        domain: String,
        /// The nameservers asked.
        nameservers: String,
        /// The response code.
        rcode: String,
    },
    /// A CNAME query got an answer other than NOERROR or NXDOMAIN.
    #[error(
        "When querying the CNAME record for '{fqdn}' using nameservers {nameservers}, rcode was expected to be 'NOERROR' or 'NXDOMAIN', but got '{rcode}'"
    )]
    CnameRcode {
        /// The name queried.
        fqdn: String,
        /// The nameservers asked.
        nameservers: String,
        /// The response code.
        rcode: String,
    },
    /// The NS records of the zone could not be found.
    #[error("Could not determine authoritative nameservers for {0:?}")]
    NoAuthoritativeNameservers(String),
    /// The zone of a name could not be determined while looking for its nameservers.
    #[error("Could not determine the zone for {fqdn:?}: {source}")]
    ZoneForNameservers {
        /// The name.
        fqdn: String,
        /// Why.
        source: Box<Dns01Error>,
    },
    /// A nameserver answered the TXT query with an error.
    #[error("NS {ns} returned {rcode} for {fqdn}")]
    NameserverRcode {
        /// The nameserver (`host:port`).
        ns: String,
        /// The response code.
        rcode: String,
        /// The name queried.
        fqdn: String,
    },
    /// A CNAME chain loops.
    #[error("Found recursive CNAME record to {target:?} when looking up {fqdn:?}")]
    CnameLoop {
        /// The CNAME target seen before.
        target: String,
        /// The name whose CNAME points back.
        fqdn: String,
    },
    /// A CNAME chain is longer than anyone sane would configure.
    #[error("CNAME chain starting at {0:?} is longer than {MAX_CNAME_HOPS} records")]
    CnameChainTooLong(String),
}

/// How many CNAMEs are followed before giving up.
pub const MAX_CNAME_HOPS: usize = 16;

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

/// Go's `fmt` of a `[]string`: `[a b c]`.
pub(crate) fn go_slice<T: std::fmt::Display>(items: &[T]) -> String {
    let inner: Vec<String> = items.iter().map(ToString::to_string).collect();
    format!("[{}]", inner.join(" "))
}

/// The mnemonic of a response code as miekg/dns (and dig) print it.
pub(crate) fn rcode_name(code: u16) -> String {
    match code {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        6 => "YXDOMAIN".into(),
        7 => "YXRRSET".into(),
        8 => "NXRRSET".into(),
        9 => "NOTAUTH".into(),
        10 => "NOTZONE".into(),
        16 => "BADSIG".into(),
        17 => "BADKEY".into(),
        18 => "BADTIME".into(),
        19 => "BADMODE".into(),
        20 => "BADNAME".into(),
        21 => "BADALG".into(),
        22 => "BADTRUNC".into(),
        23 => "BADCOOKIE".into(),
        other => format!("RCODE{other}"),
    }
}
