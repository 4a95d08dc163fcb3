#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

mod bench;
mod e2e;
mod up;

use std::path::PathBuf;

/// certlab's developer commands.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the lab and keep it running until Ctrl-C or SIGTERM.
    Up {
        /// Where the kubeconfig and endpoints.json go.
        #[arg(long, default_value_os_t = default_state_dir())]
        state_dir: PathBuf,
    },
    /// Run the scenario catalogue across the issuer matrix (`scenarios/`), checking the
    /// chain snapshots (`snapshots/`).
    E2e(e2e::E2eArgs),
    /// Run a benchmark: `cargo xtask bench dns|acme [options]`.
    Bench {
        /// Which benchmark (dns, acme).
        name: String,
        /// The benchmark's own options.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Up { state_dir } => up::run(state_dir),
        Command::Bench { name, args } => bench::run(&name, &args),
        Command::E2e(args) => e2e::run(args),
    }
}

/// The workspace root (xtask lives one level below it).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn default_state_dir() -> PathBuf {
    workspace_root().join("target").join("lab")
}
