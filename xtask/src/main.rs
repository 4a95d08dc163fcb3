use clap::{Parser, Subcommand};

mod bench;

/// certlab's developer commands.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the lab and keep it running until Ctrl-C.
    Up,
    /// Run a benchmark (`acme`, ...) and record its figures.
    Bench {
        /// Which benchmark.
        name: String,
        /// Arguments for the benchmark.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Up => anyhow::bail!("the lab is not wired yet"),
        Command::Bench { name, args } => bench::run(&name, &args),
    }
}
