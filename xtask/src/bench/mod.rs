//! `cargo xtask bench <name> [args]`: benchmarks that compare certlab components with
//! their upstream peers, side by side in one run.

pub mod acme;

/// Runs the benchmark `name`.
pub fn run(name: &str, args: &[String]) -> anyhow::Result<()> {
    match name {
        "acme" => acme::run(args),
        other => anyhow::bail!("unknown benchmark {other:?}; known: acme"),
    }
}
