//! The scenario catalogue as part of `cargo test`: every scenario of `scenarios/` on
//! every issuer of the matrix, chain snapshots compared with `snapshots/`. Under
//! `CI=true` a missing, changed or stale snapshot fails (insta writes nothing there);
//! locally, changed snapshots are written as `.snap.new` for `cargo insta review`.
//! `cargo xtask e2e` is the same run with a progress display and reports.

use std::path::PathBuf;

use certlab_harness::e2e::{default_options, report, run_all};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_scenario_catalogue_passes_on_every_issuer() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf();
    let mut opts = default_options(&root);
    opts.parallel = 3;
    let result = run_all(&opts, |o, done, total| {
        eprintln!("[{done}/{total}] {}@{} {:?}", o.name, o.issuer, o.status);
    })
    .await
    .unwrap_or_else(|errors| panic!("scenarios do not load:\n{}", errors.join("\n")));
    let ci = certlab_harness::snapshot::is_ci();
    eprintln!("{}", report::summary(&result.outcomes, result.duration));
    assert!(
        result.outcomes.len() >= 40,
        "the catalogue shrank: {} runs",
        result.outcomes.len()
    );
    assert!(
        result.success(ci),
        "{}\nstale snapshots: {:?}",
        report::failures(&result.outcomes),
        result.stale
    );
}
