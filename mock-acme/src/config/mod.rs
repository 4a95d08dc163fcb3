//! Configuration: Pebble's JSON config file, Pebble's environment variables, the
//! command line, and mock-acme's own additions.
//!
//! Pebble reads its config with Go's `encoding/json`, which matches keys
//! case-insensitively; so does [`Config::from_pebble_json`].

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::ca::{KeyAlgorithm, Profile};
use crate::faults::FaultRule;
use crate::ratelimit::RateLimitConfig;

/// Pebble's default ACME port.
pub const DEFAULT_ACME_PORT: u16 = 14000;
/// Pebble's default management port.
pub const DEFAULT_MANAGEMENT_PORT: u16 = 15000;

/// Errors loading configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("reading config file {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The config file is not valid.
    #[error("invalid config: {0}")]
    Invalid(String),
    /// A command-line problem.
    #[error("{0}")]
    Usage(String),
}

/// Everything that shapes a mock-acme server.
#[derive(Debug, Clone)]
pub struct Config {
    /// ACME listener (port 0 = ephemeral).
    pub listen_address: SocketAddr,
    /// Management listener; `None` disables it.
    pub management_listen_address: Option<SocketAddr>,
    /// TLS certificate (PEM) for both listeners; generated when absent.
    pub certificate: Option<PathBuf>,
    /// TLS private key (PEM) for both listeners.
    pub private_key: Option<PathBuf>,
    /// Port http-01 validation connects to.
    pub http_port: u16,
    /// Port tls-alpn-01 validation connects to.
    pub tls_port: u16,
    /// OCSP responder URL put in leaves.
    pub ocsp_responder_url: Option<String>,
    /// Whether newAccount requires EAB.
    pub external_account_binding_required: bool,
    /// EAB MAC keys by key ID (decoded bytes).
    pub external_account_mac_keys: BTreeMap<String, Vec<u8>>,
    /// `caaIdentities` (directory meta, and the CAA issuer domains accepted).
    pub caa_identities: Vec<String>,
    /// Domains (and their subdomains) refused with rejectedIdentifier.
    pub domain_blocklist: Vec<String>,
    /// CA key algorithm.
    pub key_algorithm: KeyAlgorithm,
    /// Profiles (empty = one `default` profile).
    pub profiles: BTreeMap<String, Profile>,
    /// The profile used when an order names none; `None` picks `default` if it exists,
    /// else the first by name (Pebble picks one at random).
    pub default_profile: Option<String>,
    /// Retry-After seconds on pending authorizations with a processing challenge.
    pub retry_after_authz: u64,
    /// Retry-After seconds on processing orders.
    pub retry_after_order: u64,
    /// `-strict`.
    pub strict: bool,
    /// `-dnsserver`: where validation lookups go (system resolver when `None`).
    pub dns_server: Option<SocketAddr>,
    /// Sleep randomly before each validation attempt (`PEBBLE_VA_NOSLEEP` turns it off).
    pub va_sleep: bool,
    /// Upper bound (exclusive) of that sleep, seconds (`PEBBLE_VA_SLEEPTIME`).
    pub va_sleep_max_secs: u64,
    /// Every challenge passes (`PEBBLE_VA_ALWAYS_VALID`).
    pub va_always_valid: bool,
    /// Concurrent validation attempts per challenge, all of which must pass.
    pub validation_attempts: usize,
    /// Timeout of one validation attempt.
    pub validation_timeout: Duration,
    /// Check CAA records against `caa_identities`.
    pub caa_checking: bool,
    /// Percentage of valid nonces rejected (`PEBBLE_WFE_NONCEREJECT`).
    pub nonce_reject_percent: u8,
    /// Percentage of valid authorizations reused (`PEBBLE_AUTHZREUSE`).
    pub authz_reuse_percent: u8,
    /// Orders per page of the orders list (`PEBBLE_WFE_ORDERS_PER_PAGE`).
    pub orders_per_page: usize,
    /// Intermediates per chain (`PEBBLE_CHAIN_LENGTH`).
    pub chain_length: usize,
    /// Alternate chains (`PEBBLE_ALTERNATE_ROOTS`).
    pub alternate_roots: usize,
    /// Lifetime of an order.
    pub order_lifetime: Duration,
    /// Lifetime of a pending authorization.
    pub pending_authz_lifetime: Duration,
    /// Lifetime of a valid authorization.
    pub valid_authz_lifetime: Duration,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Rate limits in force at start.
    pub rate_limits: RateLimitConfig,
    /// Fault rules in force at start.
    pub faults: Vec<FaultRule>,
}

impl Default for Config {
    /// Pebble's defaults, but on ephemeral 127.0.0.1 ports, with an ECDSA CA.
    fn default() -> Self {
        let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
        Self {
            listen_address: SocketAddr::new(localhost, 0),
            management_listen_address: Some(SocketAddr::new(localhost, 0)),
            certificate: None,
            private_key: None,
            http_port: 5002,
            tls_port: 5001,
            ocsp_responder_url: None,
            external_account_binding_required: false,
            external_account_mac_keys: BTreeMap::new(),
            caa_identities: vec!["pebble.letsencrypt.org".into()],
            domain_blocklist: Vec::new(),
            key_algorithm: KeyAlgorithm::Ecdsa,
            profiles: BTreeMap::new(),
            default_profile: None,
            retry_after_authz: 0,
            retry_after_order: 0,
            strict: false,
            dns_server: None,
            va_sleep: true,
            va_sleep_max_secs: 5,
            va_always_valid: false,
            validation_attempts: 3,
            validation_timeout: Duration::from_secs(15),
            caa_checking: true,
            nonce_reject_percent: 5,
            authz_reuse_percent: 50,
            orders_per_page: 3,
            chain_length: 1,
            alternate_roots: 0,
            order_lifetime: Duration::from_secs(24 * 3600),
            pending_authz_lifetime: Duration::from_secs(3600),
            valid_authz_lifetime: Duration::from_secs(3600),
            max_body_bytes: 64 * 1024,
            rate_limits: RateLimitConfig::default(),
            faults: Vec::new(),
        }
    }
}

fn get_ci<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn as_string(v: &Value, key: &str) -> Result<String, ConfigError> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| ConfigError::Invalid(format!("{key} must be a string")))
}

fn as_u64(v: &Value, key: &str) -> Result<u64, ConfigError> {
    v.as_u64()
        .ok_or_else(|| ConfigError::Invalid(format!("{key} must be a non-negative integer")))
}

fn as_bool(v: &Value, key: &str) -> Result<bool, ConfigError> {
    v.as_bool()
        .ok_or_else(|| ConfigError::Invalid(format!("{key} must be a boolean")))
}

fn as_strings(v: &Value, key: &str) -> Result<Vec<String>, ConfigError> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => a.iter().map(|x| as_string(x, key)).collect(),
        _ => Err(ConfigError::Invalid(format!(
            "{key} must be a list of strings"
        ))),
    }
}

/// Parses a Go-style listen address (`:14000`, `0.0.0.0:14000`, `[::1]:14000`,
/// `localhost:14000`). mock-acme serves loopback only: an empty or unspecified host
/// (Pebble's sample configs say `0.0.0.0`) means the loopback address of its family,
/// and any other non-loopback address is refused.
pub fn parse_listen_address(s: &str) -> Result<SocketAddr, ConfigError> {
    let bad = || ConfigError::Invalid(format!("invalid listen address {s:?}"));
    let (host, port) = s.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip = match host {
        "" | "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
        h => h.parse().map_err(|_| bad())?,
    };
    let ip = match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip if ip.is_loopback() => ip,
        _ => {
            return Err(ConfigError::Invalid(format!(
                "listen address {s:?}: mock-acme listens on loopback addresses only"
            )));
        }
    };
    Ok(SocketAddr::new(ip, port))
}

impl Config {
    /// Pebble's defaults for the binary: ports 14000 / 15000 on 127.0.0.1 and an RSA CA
    /// (Pebble's code default when `keyAlgorithm` is absent).
    pub fn pebble_binary_defaults() -> Self {
        let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
        Self {
            listen_address: SocketAddr::new(localhost, DEFAULT_ACME_PORT),
            management_listen_address: Some(SocketAddr::new(localhost, DEFAULT_MANAGEMENT_PORT)),
            key_algorithm: KeyAlgorithm::Rsa,
            ..Self::default()
        }
    }

    /// Defaults for tests and the lab: ephemeral ports, no validation sleep, no random
    /// nonce rejection, no authorization reuse.
    pub fn quiet() -> Self {
        Self {
            va_sleep: false,
            nonce_reject_percent: 0,
            authz_reuse_percent: 0,
            ..Self::default()
        }
    }

    /// Applies a Pebble JSON config (`{"pebble": {...}}`) on top of `self`.
    /// Relative `certificate`/`privateKey` paths are resolved against `base_dir`.
    pub fn apply_pebble_json(
        &mut self,
        text: &str,
        base_dir: Option<&std::path::Path>,
    ) -> Result<(), ConfigError> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let root = root
            .as_object()
            .ok_or_else(|| ConfigError::Invalid("config must be a JSON object".into()))?;
        let Some(p) = get_ci(root, "pebble") else {
            return Err(ConfigError::Invalid(
                "config has no top-level \"pebble\" key".into(),
            ));
        };
        let p = p
            .as_object()
            .ok_or_else(|| ConfigError::Invalid("\"pebble\" must be an object".into()))?;
        // Pebble's code default; the sample config sets ecdsa.
        self.key_algorithm = KeyAlgorithm::Rsa;
        let resolve = |s: String| -> PathBuf {
            let path = PathBuf::from(s);
            match base_dir {
                Some(dir) if path.is_relative() && !path.exists() => dir.join(path),
                _ => path,
            }
        };
        for (key, v) in p {
            match key.to_ascii_lowercase().as_str() {
                "listenaddress" => {
                    self.listen_address = parse_listen_address(&as_string(v, key)?)?;
                }
                "managementlistenaddress" => {
                    let s = as_string(v, key)?;
                    self.management_listen_address = if s.is_empty() {
                        None
                    } else {
                        Some(parse_listen_address(&s)?)
                    };
                }
                "certificate" => {
                    let s = as_string(v, key)?;
                    self.certificate = (!s.is_empty()).then(|| resolve(s));
                }
                "privatekey" => {
                    let s = as_string(v, key)?;
                    self.private_key = (!s.is_empty()).then(|| resolve(s));
                }
                "httpport" => self.http_port = port(v, key)?,
                "tlsport" => self.tls_port = port(v, key)?,
                "ocspresponderurl" => {
                    let s = as_string(v, key)?;
                    self.ocsp_responder_url = (!s.is_empty()).then_some(s);
                }
                "externalaccountbindingrequired" => {
                    self.external_account_binding_required = as_bool(v, key)?;
                }
                "externalaccountmackeys" => {
                    let obj = v.as_object().ok_or_else(|| {
                        ConfigError::Invalid("externalAccountMACKeys must be an object".into())
                    })?;
                    for (kid, mac) in obj {
                        let mac = as_string(mac, kid)?;
                        if kid.is_empty() || mac.is_empty() {
                            return Err(ConfigError::Invalid(
                                "EAB key ID and key must not be empty".into(),
                            ));
                        }
                        let bytes = URL_SAFE_NO_PAD.decode(&mac).map_err(|_| {
                            ConfigError::Invalid(format!(
                                "EAB key {kid:?} is not unpadded base64url"
                            ))
                        })?;
                        self.external_account_mac_keys.insert(kid.clone(), bytes);
                    }
                }
                "caaidentities" => self.caa_identities = as_strings(v, key)?,
                "domainblocklist" => self.domain_blocklist = as_strings(v, key)?,
                "keyalgorithm" => {
                    let s = as_string(v, key)?;
                    self.key_algorithm = if s.is_empty() {
                        KeyAlgorithm::Rsa
                    } else {
                        KeyAlgorithm::parse(&s).ok_or_else(|| {
                            ConfigError::Invalid(format!(
                                "keyAlgorithm {s:?} is not one of \"rsa\", \"ecdsa\""
                            ))
                        })?
                    };
                }
                "profiles" => {
                    let obj = match v {
                        Value::Null => continue,
                        Value::Object(o) => o,
                        _ => return Err(ConfigError::Invalid("profiles must be an object".into())),
                    };
                    self.profiles.clear();
                    for (name, prof) in obj {
                        let prof = prof.as_object().ok_or_else(|| {
                            ConfigError::Invalid(format!("profile {name:?} must be an object"))
                        })?;
                        let mut profile = Profile {
                            description: String::new(),
                            validity_period: 0,
                            promote_common_name: false,
                        };
                        for (k, v) in prof {
                            match k.to_ascii_lowercase().as_str() {
                                "description" => profile.description = as_string(v, k)?,
                                "validityperiod" => profile.validity_period = as_u64(v, k)?,
                                "promotecommonname" => profile.promote_common_name = as_bool(v, k)?,
                                _ => {}
                            }
                        }
                        self.profiles.insert(name.clone(), profile);
                    }
                }
                "retryafter" => {
                    if let Some(obj) = v.as_object() {
                        if let Some(a) = get_ci(obj, "authz") {
                            self.retry_after_authz = as_u64(a, "retryAfter.authz")?;
                        }
                        if let Some(o) = get_ci(obj, "order") {
                            self.retry_after_order = as_u64(o, "retryAfter.order")?;
                        }
                    }
                }
                // Deprecated in Pebble and ignored there too; accepted for compatibility.
                "certificatevalidityperiod" => {
                    as_u64(v, key)?;
                }
                // mock-acme additions.
                "caachecking" => self.caa_checking = as_bool(v, key)?,
                "defaultprofile" => {
                    let s = as_string(v, key)?;
                    self.default_profile = (!s.is_empty()).then_some(s);
                }
                "validationattempts" => {
                    self.validation_attempts = (as_u64(v, key)? as usize).clamp(1, 32);
                }
                "ratelimits" => {
                    self.rate_limits = serde_json::from_value(v.clone())
                        .map_err(|e| ConfigError::Invalid(format!("rateLimits: {e}")))?;
                }
                "faults" => {
                    self.faults = serde_json::from_value(v.clone())
                        .map_err(|e| ConfigError::Invalid(format!("faults: {e}")))?;
                    for f in &self.faults {
                        f.validate().map_err(ConfigError::Invalid)?;
                    }
                }
                _ => {
                    tracing::warn!(key = %key, "ignoring unknown config key");
                }
            }
        }
        if self.certificate.is_some() != self.private_key.is_some() {
            return Err(ConfigError::Invalid(
                "certificate and privateKey must be given together".into(),
            ));
        }
        Ok(())
    }

    /// Applies Pebble's environment variables, read through `get`.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        let truthy = |v: &str| matches!(v, "1" | "true" | "True" | "TRUE");
        if let Some(v) = get("PEBBLE_VA_NOSLEEP") {
            self.va_sleep = !truthy(&v);
        }
        if let Some(v) = get("PEBBLE_VA_ALWAYS_VALID") {
            self.va_always_valid = truthy(&v);
        }
        if let Some(n) = get("PEBBLE_VA_SLEEPTIME").and_then(|v| v.parse::<u64>().ok()) {
            self.va_sleep_max_secs = n;
        }
        if let Some(n) = get("PEBBLE_WFE_NONCEREJECT").and_then(|v| v.parse::<u8>().ok()) {
            self.nonce_reject_percent = n.min(100);
        }
        if let Some(n) = get("PEBBLE_AUTHZREUSE").and_then(|v| v.parse::<u8>().ok()) {
            self.authz_reuse_percent = n.min(100);
        }
        if let Some(n) = get("PEBBLE_WFE_ORDERS_PER_PAGE").and_then(|v| v.parse::<usize>().ok())
            && n > 0
        {
            self.orders_per_page = n;
        }
        if let Some(n) = get("PEBBLE_CHAIN_LENGTH").and_then(|v| v.parse::<usize>().ok()) {
            self.chain_length = n.clamp(1, 16);
        }
        if let Some(n) = get("PEBBLE_ALTERNATE_ROOTS").and_then(|v| v.parse::<usize>().ok()) {
            self.alternate_roots = n.min(16);
        }
    }
}

fn port(v: &Value, key: &str) -> Result<u16, ConfigError> {
    u16::try_from(as_u64(v, key)?)
        .map_err(|_| ConfigError::Invalid(format!("{key} is not a port number")))
}

/// The command line, Pebble's flags plus mock-acme's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cli {
    /// `-config`.
    pub config: Option<PathBuf>,
    /// `-strict`.
    pub strict: bool,
    /// `-dnsserver`.
    pub dns_server: Option<String>,
    /// `-version`.
    pub version: bool,
    /// `-tls-ca-out`: write the PEM of the CA that signed the HTTPS certificate.
    pub tls_ca_out: Option<PathBuf>,
    /// `-help`.
    pub help: bool,
}

/// Usage text.
pub const USAGE: &str = "\
Usage: mock-acme [flags]
  -config PATH       Pebble JSON config file (top-level key \"pebble\")
  -dnsserver ADDR    DNS server (host:port) for validation lookups
  -strict            reject legacy and lenient requests (Pebble's -strict)
  -tls-ca-out PATH   write the PEM of the CA that signed the HTTPS certificate
  -version           print the version and exit
Flags may be written -flag, --flag, -flag=value or --flag value.";

impl Cli {
    /// Parses arguments (without the program name) in Go `flag` style.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Self, ConfigError> {
        let mut cli = Cli::default();
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let stripped = arg
                .strip_prefix("--")
                .or_else(|| arg.strip_prefix('-'))
                .ok_or_else(|| ConfigError::Usage(format!("unexpected argument {arg:?}")))?;
            let (name, inline) = match stripped.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (stripped, None),
            };
            let mut value = |name: &str| -> Result<String, ConfigError> {
                match &inline {
                    Some(v) => Ok(v.clone()),
                    None => it.next().ok_or_else(|| {
                        ConfigError::Usage(format!("flag needs an argument: -{name}"))
                    }),
                }
            };
            let boolean = |v: &Option<String>| -> Result<bool, ConfigError> {
                match v.as_deref() {
                    None | Some("true" | "1" | "t" | "T" | "TRUE" | "True") => Ok(true),
                    Some("false" | "0" | "f" | "F" | "FALSE" | "False") => Ok(false),
                    Some(other) => Err(ConfigError::Usage(format!(
                        "invalid boolean value {other:?}"
                    ))),
                }
            };
            match name {
                "config" => cli.config = Some(PathBuf::from(value(name)?)),
                "dnsserver" => cli.dns_server = Some(value(name)?),
                "tls-ca-out" => cli.tls_ca_out = Some(PathBuf::from(value(name)?)),
                "strict" => cli.strict = boolean(&inline)?,
                "version" => cli.version = boolean(&inline)?,
                "h" | "help" => cli.help = true,
                other => {
                    return Err(ConfigError::Usage(format!(
                        "flag provided but not defined: -{other}"
                    )));
                }
            }
        }
        Ok(cli)
    }

    /// Builds the binary's config: Pebble defaults, the config file, the environment
    /// (through `env`) and the flags.
    pub fn into_config(&self, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut cfg = Config::pebble_binary_defaults();
        if let Some(path) = &self.config {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            cfg.apply_pebble_json(&text, path.parent())?;
        }
        cfg.apply_env(env);
        cfg.strict = self.strict;
        if let Some(dns) = &self.dns_server {
            cfg.dns_server = Some(parse_dns_server(dns)?);
        }
        Ok(cfg)
    }
}

/// Parses `-dnsserver` (`host:port`, `[v6]:port`, or a bare IP meaning port 53).
pub fn parse_dns_server(s: &str) -> Result<SocketAddr, ConfigError> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    parse_listen_address(s)
        .map_err(|_| ConfigError::Usage(format!("invalid -dnsserver {s:?}: want host:port")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_in_both_forms() {
        let cli = Cli::parse(
            [
                "-config",
                "a.json",
                "--dnsserver=127.0.0.1:8053",
                "-strict",
                "--tls-ca-out",
                "x",
            ]
            .map(String::from),
        )
        .unwrap();
        assert_eq!(cli.config, Some(PathBuf::from("a.json")));
        assert_eq!(cli.dns_server.as_deref(), Some("127.0.0.1:8053"));
        assert!(cli.strict);
        assert_eq!(cli.tls_ca_out, Some(PathBuf::from("x")));
        assert!(Cli::parse(["-nope".to_string()]).is_err());
        assert!(!Cli::parse(["-strict=false".to_string()]).unwrap().strict);
    }

    #[test]
    fn env_overrides() {
        let mut cfg = Config::default();
        cfg.apply_env(|k| match k {
            "PEBBLE_VA_NOSLEEP" => Some("1".into()),
            "PEBBLE_VA_ALWAYS_VALID" => Some("true".into()),
            "PEBBLE_WFE_NONCEREJECT" => Some("0".into()),
            "PEBBLE_AUTHZREUSE" => Some("100".into()),
            "PEBBLE_WFE_ORDERS_PER_PAGE" => Some("7".into()),
            "PEBBLE_CHAIN_LENGTH" => Some("3".into()),
            "PEBBLE_ALTERNATE_ROOTS" => Some("2".into()),
            "PEBBLE_VA_SLEEPTIME" => Some("9".into()),
            _ => None,
        });
        assert!(!cfg.va_sleep);
        assert!(cfg.va_always_valid);
        assert_eq!(cfg.nonce_reject_percent, 0);
        assert_eq!(cfg.authz_reuse_percent, 100);
        assert_eq!(cfg.orders_per_page, 7);
        assert_eq!(cfg.chain_length, 3);
        assert_eq!(cfg.alternate_roots, 2);
        assert_eq!(cfg.va_sleep_max_secs, 9);
    }

    #[test]
    fn listen_addresses() {
        assert_eq!(
            parse_listen_address(":14000").unwrap(),
            "127.0.0.1:14000".parse().unwrap()
        );
        // Pebble's sample configs listen on every interface; mock-acme keeps to loopback.
        assert_eq!(
            parse_listen_address("0.0.0.0:15000").unwrap(),
            "127.0.0.1:15000".parse().unwrap()
        );
        assert_eq!(
            parse_listen_address("[::]:15000").unwrap(),
            "[::1]:15000".parse().unwrap()
        );
        let err = parse_listen_address("192.0.2.1:14000").unwrap_err();
        assert!(err.to_string().contains("loopback"), "{err}");
        assert!(parse_listen_address("nope").is_err());
        assert_eq!(parse_dns_server("127.0.0.1").unwrap().port(), 53);
    }
}
