//! The `mock-acme` binary: a drop-in for Pebble.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Context;
use mock_acme::MockAcme;
use mock_acme::config::{Cli, USAGE};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "mock_acme=info".into()),
        )
        .init();
    let cli = Cli::parse(std::env::args().skip(1)).map_err(|e| anyhow::anyhow!("{e}\n{USAGE}"))?;
    if cli.help {
        println!("{USAGE}");
        return Ok(());
    }
    if cli.version {
        println!("mock-acme {}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    let config = cli.into_config(|k| std::env::var(k).ok())?;
    let server = MockAcme::builder()
        .config(config)
        .start()
        .await
        .context("starting mock-acme")?;
    if let Some(path) = &cli.tls_ca_out {
        server
            .write_tls_ca(path)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    println!("Listening on: {}", server.acme_addr());
    println!("ACME directory available at: {}", server.directory_url());
    if let Some(m) = server.management_url() {
        println!("Management interface available at: {m}");
    }
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
        _ = term.recv() => {}
    }
    server.shutdown().await;
    Ok(())
}
