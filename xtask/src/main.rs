use clap::{Parser, Subcommand};

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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Up => anyhow::bail!("the lab is not wired yet"),
    }
}
