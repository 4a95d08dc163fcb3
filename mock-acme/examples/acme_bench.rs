//! The client side of `cargo xtask bench acme`, built in release so that the client is
//! not the bottleneck. The logic lives in `xtask/src/bench/acme.rs`; `cargo xtask bench
//! acme` builds and runs this example (xtask itself pulls in the whole lab, which is slow
//! to build in release).

#[path = "../../xtask/src/bench/acme.rs"]
mod acme;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    acme::run(&args)
}
