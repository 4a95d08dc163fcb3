//! `cargo xtask bench cluster`: the embedded API server's figures (see
//! `cluster/examples/bench.rs`), built and run in release mode.

use std::process::Command;

use anyhow::{Context, Result, bail};

/// Builds the server and the benchmark in release mode, then runs it.
pub fn run(args: &[String]) -> Result<()> {
    if let Some(a) = args.first() {
        bail!("unknown option {a:?} (cargo xtask bench cluster takes none)");
    }
    let root = crate::workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(&cargo)
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "-p",
            "certlab-cluster",
            "--bin",
            "certlab-cluster",
            "--example",
            "bench",
        ])
        .status()
        .context("building the benchmark")?;
    if !status.success() {
        bail!("cargo build failed");
    }
    let binary = root.join("target/release/certlab-cluster");
    println!("cargo xtask bench cluster — {}", chrono_free_date());
    let status = Command::new(root.join("target/release/examples/bench"))
        .arg(&binary)
        .status()
        .context("running the benchmark")?;
    if !status.success() {
        bail!("the benchmark failed");
    }
    Ok(())
}

fn chrono_free_date() -> String {
    Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d %H:%M UTC")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
