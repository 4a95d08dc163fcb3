//! `certlab-cluster serve`: the embedded Kubernetes API server as a process.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// An embedded, in-memory Kubernetes API server for kubectl and kube-rs.
#[derive(Debug, Parser)]
#[command(name = "certlab-cluster", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve HTTPS on a loopback address until SIGINT or SIGTERM.
    Serve {
        /// Where to write the kubeconfig (written once the server is ready).
        #[arg(long)]
        kubeconfig: PathBuf,
        /// The loopback address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "certlab_cluster=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { kubeconfig, listen } => {
            let cluster = certlab_cluster::Cluster::builder()
                .listen(listen)
                .kubeconfig_path(&kubeconfig)
                .start()
                .await
                .context("starting the cluster")?;
            let url = cluster
                .kubeconfig()
                .map(|k| k.server.clone())
                .unwrap_or_default();
            println!("{url}");
            eprintln!(
                "certlab-cluster: serving {url}; kubeconfig written to {}",
                kubeconfig.display()
            );
            shutdown_signal().await;
            cluster.shutdown();
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
