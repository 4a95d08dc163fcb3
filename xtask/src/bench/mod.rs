//! `cargo xtask bench NAME`: benchmarks, one module per component.

pub mod acme;
pub mod cluster;
pub mod controller;
pub mod dns;

/// Runs the benchmark called `name` with its own arguments.
pub fn run(name: &str, args: &[String]) -> anyhow::Result<()> {
    match name {
        "acme" => acme::run(args),
        "cluster" => cluster::run(args),
        "controller" => controller::run(args),
        "dns" => dns::run(args),
        other => {
            anyhow::bail!("unknown benchmark {other:?} (known: acme, cluster, controller, dns)")
        }
    }
}
