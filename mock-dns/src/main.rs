//! `mock-dns`: a drop-in for pebble-challtestsrv with zones, RFC 2136 and TSIG.
//!
//! Flags take Go's `-flag value`, `-flag=value` or `--flag value` forms.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use anyhow::{Context, Result, bail};
use clap::Parser;
use mock_dns::{MockDns, TsigKey};
use tracing_subscriber::EnvFilter;

/// A pebble-challtestsrv-compatible test DNS server with RFC 2136 updates.
#[derive(Debug, Parser)]
#[command(name = "mock-dns", version)]
struct Cli {
    /// Comma separated bind addresses/ports for DNS-01 challenges and fake DNS data
    /// (UDP and TCP). Set empty to disable. A bare `:PORT` binds 127.0.0.1.
    #[arg(long = "dns01", default_value = "127.0.0.1:8053")]
    dns01: String,
    /// Bind address/port for the management HTTP interface. Set empty to disable.
    #[arg(long = "management", default_value = "127.0.0.1:8055")]
    management: String,
    /// Comma separated bind addresses/ports for HTTP-01 challenges. Set empty to disable.
    #[arg(long = "http01", default_value = "127.0.0.1:5002")]
    http01: String,
    /// Comma separated bind addresses/ports for HTTPS HTTP-01 challenges. Set empty to
    /// disable.
    #[arg(long = "https01", default_value = "127.0.0.1:5003")]
    https01: String,
    /// Comma separated bind addresses/ports for TLS-ALPN-01 challenges. Set empty to
    /// disable.
    #[arg(long = "tlsalpn01", default_value = "127.0.0.1:5001")]
    tlsalpn01: String,
    /// Default IPv4 address for DNS responses to A queries. Set empty to disable.
    #[arg(long = "defaultIPv4", default_value = "127.0.0.1")]
    default_ipv4: String,
    /// Default IPv6 address for DNS responses to AAAA queries. Set empty to disable.
    #[arg(long = "defaultIPv6", default_value = "::1")]
    default_ipv6: String,
    /// An authoritative zone: NXDOMAIN for unknown names, SOA/NS, RFC 2136 updates.
    /// Repeatable.
    #[arg(long = "zone")]
    zones: Vec<String>,

    /// An open authoritative zone: like --zone, but every name under it exists and
    /// resolves to the default addresses (repeatable).
    #[arg(long = "open-zone")]
    open_zones: Vec<String>,
    /// A TSIG key for updates, NAME:ALGORITHM:BASE64SECRET (algorithms hmac-md5,
    /// hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512). Repeatable.
    #[arg(long = "tsig-key")]
    tsig_keys: Vec<String>,
    /// Accept RFC 2136 updates without TSIG.
    #[arg(long = "allow-unsigned-updates")]
    allow_unsigned_updates: bool,
    /// Events of each kind kept per host in the request history.
    #[arg(long = "history-limit", default_value_t = 1000)]
    history_limit: usize,
    /// Log filter (tracing EnvFilter syntax); RUST_LOG overrides it.
    #[arg(long = "log", default_value = "info")]
    log: String,
}

/// Turns Go-style `-flag` into `--flag` so clap understands it.
fn go_style_args(args: impl IntoIterator<Item = String>) -> Vec<String> {
    args.into_iter()
        .enumerate()
        .map(|(i, a)| {
            let single_dash_long =
                a.starts_with('-') && !a.starts_with("--") && a.len() > 2 && i > 0;
            if single_dash_long { format!("-{a}") } else { a }
        })
        .collect()
}

async fn parse_addrs(what: &str, list: &str) -> Result<Vec<SocketAddr>> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let spec = if item.starts_with(':') {
            format!("127.0.0.1{item}")
        } else {
            item.to_owned()
        };
        let addr = match spec.parse::<SocketAddr>() {
            Ok(a) => a,
            Err(_) => tokio::net::lookup_host(&spec)
                .await
                .with_context(|| format!("invalid {what} address {item:?}"))?
                .next()
                .with_context(|| format!("{what} address {item:?} resolves to nothing"))?,
        };
        out.push(addr);
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse_from(go_style_args(std::env::args()));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&cli.log));
    tracing_subscriber::fmt().with_env_filter(filter).init();

    let dns = parse_addrs("dns01", &cli.dns01).await?;
    let management = parse_addrs("management", &cli.management).await?;
    if management.len() > 1 {
        bail!("-management takes one address");
    }
    let http01 = parse_addrs("http01", &cli.http01).await?;
    let https01 = parse_addrs("https01", &cli.https01).await?;
    let tlsalpn01 = parse_addrs("tlsalpn01", &cli.tlsalpn01).await?;
    if dns.is_empty() && http01.is_empty() && https01.is_empty() && tlsalpn01.is_empty() {
        bail!("at least one of -dns01, -http01, -https01 or -tlsalpn01 must be set");
    }
    let default_ipv4 = match cli.default_ipv4.trim() {
        "" => None,
        s => Some(
            s.parse::<Ipv4Addr>()
                .context("-defaultIPv4 is not an IPv4 address")?,
        ),
    };
    let default_ipv6 = match cli.default_ipv6.trim() {
        "" => None,
        s => Some(
            s.parse::<Ipv6Addr>()
                .context("-defaultIPv6 is not an IPv6 address")?,
        ),
    };

    let mut builder = MockDns::builder()
        .dns_addrs(dns)
        .management_addr(management.first().copied())
        .http01_addrs(http01)
        .https01_addrs(https01)
        .tlsalpn01_addrs(tlsalpn01)
        .default_ipv4(default_ipv4)
        .default_ipv6(default_ipv6)
        .history_limit(cli.history_limit)
        .allow_unsigned_updates(cli.allow_unsigned_updates);
    for z in &cli.open_zones {
        builder = builder.open_zone(z.clone());
    }
    for z in &cli.zones {
        builder = builder.zone(z.clone());
    }
    for k in &cli.tsig_keys {
        builder = builder.tsig_key(TsigKey::parse(k)?);
    }
    let running = builder.start().await?;
    for a in running.dns_udp_addrs() {
        println!("dns {a}");
    }
    if let Some(url) = running.management_url() {
        println!("management {url}");
    }
    for a in running.http01_addrs() {
        println!("http01 {a}");
    }
    for a in running.https01_addrs() {
        println!("https01 {a}");
    }
    for a in running.tlsalpn01_addrs() {
        println!("tlsalpn01 {a}");
    }

    wait_for_signal().await?;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}

async fn wait_for_signal() -> Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_flags_become_long_flags() {
        let args = go_style_args(
            [
                "mock-dns",
                "-dns01",
                ":0",
                "-defaultIPv4=",
                "--zone",
                "x",
                "-h",
            ]
            .map(String::from),
        );
        assert_eq!(
            args,
            [
                "mock-dns",
                "--dns01",
                ":0",
                "--defaultIPv4=",
                "--zone",
                "x",
                "-h"
            ]
        );
        let cli = Cli::parse_from(go_style_args(
            ["mock-dns", "-dns01", "", "-defaultIPv4="].map(String::from),
        ));
        assert_eq!(cli.dns01, "");
        assert_eq!(cli.default_ipv4, "");
    }
}
