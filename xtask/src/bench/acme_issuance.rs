//! `cargo xtask bench acme` (second part): HTTP-01 Certificates through the whole lab;
//! see `harness/examples/bench_acme.rs`.

use std::process::Command;

use anyhow::{Context, Result, bail};

/// Builds the harness example in release mode and runs it: `runs` sequential
/// Certificates (p50 created → Ready) and `at_once` Certificates created together.
pub fn run(runs: usize, at_once: usize) -> Result<()> {
    let root = crate::workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    eprintln!("building the lab's issuance benchmark (release)…");
    let status = Command::new(&cargo)
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "certlab-harness",
            "--example",
            "bench_acme",
        ])
        .status()
        .context("building")?;
    if !status.success() {
        bail!("cargo build failed");
    }
    eprintln!("issuing {runs} HTTP-01 Certificates one after another, then {at_once} at once…");
    let status = Command::new(root.join("target/release/examples/bench_acme"))
        .arg(runs.to_string())
        .arg(at_once.to_string())
        .status()
        .context("running the benchmark")?;
    if !status.success() {
        bail!("the benchmark failed");
    }
    Ok(())
}
