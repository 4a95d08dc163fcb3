//! `certlab-acmesolver`: cert-manager's HTTP-01 solver (`cmd/acmesolver`), with its
//! flags. Serves the key authorization for one domain and token until SIGINT/SIGTERM.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::Parser;
use tokio_util::sync::CancellationToken;

/// HTTP server used to solve ACME HTTP-01 challenges.
#[derive(Debug, Parser)]
#[command(name = "certlab-acmesolver", version)]
struct Cli {
    /// The port number to listen on for connections.
    #[arg(long, default_value_t = certlab_controller::acme::solver_server::LISTEN_PORT)]
    listen_port: u16,
    /// The domain name to verify.
    #[arg(long, default_value = "")]
    domain: String,
    /// The challenge token to verify against.
    #[arg(long, default_value = "")]
    token: String,
    /// The challenge key to respond with.
    #[arg(long, default_value = "")]
    key: String,
    /// The loopback address to listen on (certlab's servers bind loopback only).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    listen_address: IpAddr,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "certlab_controller=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let stop = CancellationToken::new();
    let on_signal = stop.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        on_signal.cancel();
    });
    #[cfg(unix)]
    {
        let on_term = stop.clone();
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::spawn(async move {
                term.recv().await;
                on_term.cancel();
            });
        }
    }
    certlab_controller::acme::solver_server::serve(
        SocketAddr::new(cli.listen_address, cli.listen_port),
        cli.domain,
        cli.token,
        cli.key,
        stop,
    )
    .await?;
    Ok(())
}
