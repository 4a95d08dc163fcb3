//! `certlab-controller`: the cert-manager-compatible controller as a process.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use certlab_clock::SystemClock;
use certlab_controller::config::Config;
use certlab_controller::leader::{LeaderElection, lead};
use certlab_controller::metrics::Metrics;
use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

/// A cert-manager-compatible controller: Certificates, CertificateRequests, Issuers,
/// ClusterIssuers (ACME Orders and Challenges as they land).
#[derive(Debug, Parser)]
#[command(name = "certlab-controller", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, or in-cluster).
    #[arg(long, global = true)]
    kubeconfig: Option<PathBuf>,
    /// Namespace of the Secrets ClusterIssuers refer to.
    #[arg(long, default_value = "kube-system")]
    cluster_resource_namespace: String,
    /// Where to serve Prometheus metrics (loopback only; empty disables).
    #[arg(long, default_value = "127.0.0.1:9402")]
    metrics_addr: String,
    /// Elect a leader through a Lease before running.
    #[arg(long, default_value_t = false)]
    leader_elect: bool,
    /// Namespace of the leader-election Lease.
    #[arg(long, default_value = "kube-system")]
    leader_election_namespace: String,
    /// Give the output Secret an ownerReference to its Certificate.
    #[arg(long, default_value_t = false)]
    enable_certificate_owner_ref: bool,
    /// How many objects each controller reconciles at once.
    #[arg(long, default_value_t = 16)]
    concurrent_workers: u16,
    #[command(flatten)]
    shim: certlab_controller::shim::ShimFlags,
    /// The maximum number of challenges that can be scheduled as 'processing' at once.
    #[arg(long, default_value_t = 60)]
    max_concurrent_challenges: usize,
    /// The docker image to use to solve ACME HTTP01 challenges.
    #[arg(long, default_value = certlab_controller::config::DEFAULT_ACME_HTTP01_SOLVER_IMAGE)]
    acme_http01_solver_image: String,
    /// A list of comma separated dns server endpoints used for ACME HTTP01 check
    /// requests (host:port, or an IP for port 53).
    #[arg(long, value_delimiter = ',', value_parser = parse_nameserver)]
    acme_http01_solver_nameservers: Vec<SocketAddr>,
    /// The port the HTTP-01 self-check connects to.
    #[arg(long, default_value_t = 80)]
    http01_self_check_port: u16,
    /// A list of comma separated dns server endpoints used for DNS01 check requests
    /// (host:port, or an IP for port 53).
    #[arg(long, value_delimiter = ',', value_parser = parse_nameserver)]
    dns01_recursive_nameservers: Vec<SocketAddr>,
    /// When true, cert-manager will only ever query the configured DNS resolvers to
    /// perform the ACME DNS01 self check.
    #[arg(long, default_value_t = false)]
    dns01_recursive_nameservers_only: bool,
    /// The duration the controller should wait between a propagation check (Go
    /// duration, e.g. 10s).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    dns01_check_retry_period: std::time::Duration,
    /// The wait after a DNS-01 record has propagated, before the CA is asked.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    dns01_propagation_wait: std::time::Duration,
}

fn parse_nameserver(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    s.parse::<SocketAddr>()
        .or_else(|_| {
            s.parse::<std::net::IpAddr>()
                .map(|ip| SocketAddr::new(ip, 53))
        })
        .map_err(|_| format!("{s:?} is not an IP:port (or an IP)"))
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    certlab_controller::api::duration::parse_go_duration(s)
        .map_err(|e| e.to_string())
        .and_then(|n| u64::try_from(n).map_err(|_| "negative duration".to_string()))
        .map(std::time::Duration::from_nanos)
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the CustomResourceDefinitions (multi-document YAML).
    Crds,
    /// Run the controllers (the default).
    Run,
}

async fn client(kubeconfig: Option<&PathBuf>) -> anyhow::Result<kube::Client> {
    let config = match kubeconfig {
        Some(path) => {
            let kc = kube::config::Kubeconfig::read_from(path)
                .with_context(|| format!("reading {}", path.display()))?;
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await?
        }
        None => kube::Config::infer().await?,
    };
    Ok(kube::Client::try_from(config)?)
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
    if let Some(Command::Crds) = cli.command {
        use std::io::Write;
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = std::io::stdout().write_all(certlab_controller::api::crds_yaml().as_bytes());
        return Ok(());
    }
    let client = client(cli.kubeconfig.as_ref()).await?;
    let clock = SystemClock::shared();
    let metrics = Arc::new(Metrics::new());
    let stop = CancellationToken::new();
    if !cli.metrics_addr.is_empty() {
        let addr: SocketAddr = cli.metrics_addr.parse().context("--metrics-addr")?;
        anyhow::ensure!(
            addr.ip().is_loopback(),
            "--metrics-addr must be a loopback address"
        );
        let bound = certlab_controller::run::serve_metrics(
            addr,
            metrics.clone(),
            clock.clone(),
            stop.clone(),
        )
        .await?;
        tracing::info!(%bound, "serving metrics");
    }
    let config = Config {
        cluster_resource_namespace: cli.cluster_resource_namespace,
        certificate_owner_ref: cli.enable_certificate_owner_ref,
        concurrency: cli.concurrent_workers,
        shim: cli.shim.into(),
        max_concurrent_challenges: cli.max_concurrent_challenges,
        acme_http01_solver_image: cli.acme_http01_solver_image,
        acme_http01_solver_nameservers: cli.acme_http01_solver_nameservers,
        http01_self_check_port: cli.http01_self_check_port,
        dns01_recursive_nameservers: cli.dns01_recursive_nameservers,
        dns01_recursive_nameservers_only: cli.dns01_recursive_nameservers_only,
        dns01_check_retry_period: cli.dns01_check_retry_period,
        dns01_propagation_wait: cli.dns01_propagation_wait,
        ..Config::default()
    };
    let run = async {
        let (runner, task) =
            certlab_controller::run::start(client.clone(), clock.clone(), config, metrics);
        tokio::select! {
            _ = shutdown_signal() => {
                tracing::info!("shutting down");
                runner.shutdown();
                let _ = task.await;
            }
        }
    };
    if cli.leader_elect {
        lead(
            client.clone(),
            LeaderElection::new(&cli.leader_election_namespace, "cert-manager-controller"),
            clock.clone(),
            run,
        )
        .await?;
    } else {
        run.await;
    }
    stop.cancel();
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
