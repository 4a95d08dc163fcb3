//! `cargo xtask bench controller`: see `controller/examples/bench_issuance.rs`.

use std::process::Command;

use anyhow::{Context, Result, bail};

/// Builds in release mode and runs the benchmark for 1,000 and 10,000 Certificates
/// (or the counts given).
pub fn run(args: &[String]) -> Result<()> {
    let counts: Vec<String> = if args.is_empty() {
        vec!["1000".into(), "10000".into()]
    } else {
        args.to_vec()
    };
    for c in &counts {
        c.parse::<usize>()
            .with_context(|| format!("{c:?} is not a count"))?;
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
            "-p",
            "certlab-controller",
            "--bin",
            "certlab-controller",
            "--example",
            "bench_issuance",
        ])
        .status()
        .context("building")?;
    if !status.success() {
        bail!("cargo build failed");
    }
    let release = root.join("target/release");
    let status = Command::new(release.join("examples/bench_issuance"))
        .arg(release.join("certlab-cluster"))
        .arg(release.join("certlab-controller"))
        .args(&counts)
        .status()
        .context("running the benchmark")?;
    if !status.success() {
        bail!("the benchmark failed");
    }
    Ok(())
}
