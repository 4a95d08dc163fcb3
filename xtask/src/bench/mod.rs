//! `cargo xtask bench NAME`: benchmarks, one module per component.

pub mod acme;
pub mod acme_issuance;
pub mod cluster;
pub mod controller;
pub mod dns;

/// Runs the benchmark called `name` with its own arguments.
pub fn run(name: &str, args: &[String]) -> anyhow::Result<()> {
    match name {
        // `acme`: the protocol (mock-acme against Pebble), then issuance through the lab.
        // `acme --issuance-only` skips the first part.
        "acme" => {
            let issuance_only = args.iter().any(|a| a == "--issuance-only");
            let rest: Vec<String> = args
                .iter()
                .filter(|a| *a != "--issuance-only")
                .cloned()
                .collect();
            if !issuance_only {
                acme::run(&rest)?;
            }
            acme_issuance::run(20, 100)
        }
        "cluster" => cluster::run(args),
        "controller" => controller::run(args),
        "dns" => dns::run(args),
        other => {
            anyhow::bail!("unknown benchmark {other:?} (known: acme, cluster, controller, dns)")
        }
    }
}
