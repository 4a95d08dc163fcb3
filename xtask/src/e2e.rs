//! `cargo xtask e2e`: the scenario catalogue across the issuer matrix, with snapshots.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use certlab_harness::e2e::{E2eOptions, default_options, report, run_all};
use certlab_harness::scenario::ScenarioStatus;

/// The command line of `cargo xtask e2e`.
#[derive(Debug, clap::Args)]
pub struct E2eArgs {
    /// Where to run: the embedded cluster (default). `kubeconfig`, `kind` and `k3s`
    /// are not available yet.
    #[arg(long, default_value = "embedded")]
    cluster: String,
    /// The kubeconfig of `--cluster kubeconfig`.
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// Only runs whose `scenario@issuer` matches this regular expression.
    #[arg(long)]
    filter: Option<String>,
    /// Only scenarios exercising one of these features (comma-separated).
    #[arg(long, value_delimiter = ',')]
    features: Vec<String>,
    /// Runs at once (each in its own lab).
    #[arg(long, default_value_t = 4)]
    parallel: usize,
    /// Write a JUnit XML report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Start no new run after the first failure.
    #[arg(long)]
    fail_fast: bool,
    /// Keep each run's namespace (the lab still stops when e2e exits).
    #[arg(long)]
    keep: bool,
    /// Write changed snapshots as `.snap.new` and open `cargo insta review`.
    #[arg(long)]
    review: bool,
    /// The scenarios folder.
    #[arg(long)]
    scenarios: Option<PathBuf>,
}

pub fn run(args: E2eArgs) -> Result<()> {
    if args.cluster != "embedded" {
        bail!(
            "--cluster {}: only the embedded cluster is available so far (kubeconfig, kind and k3s backends are not built yet)",
            args.cluster
        );
    }
    if args.kubeconfig.is_some() {
        bail!("--kubeconfig goes with --cluster kubeconfig, which is not built yet");
    }
    let root = crate::workspace_root();
    let mut opts: E2eOptions = default_options(&root);
    if let Some(dir) = args.scenarios {
        opts.scenarios = dir;
    }
    opts.filter = args
        .filter
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .context("--filter is not a regular expression")?;
    opts.features = args.features;
    opts.parallel = args.parallel.max(1);
    opts.fail_fast = args.fail_fast;
    opts.keep = args.keep;
    let ci = certlab_harness::snapshot::is_ci();
    if args.review {
        // SAFETY: still single-threaded here; the runtime and its threads start below.
        unsafe { std::env::set_var("INSTA_UPDATE", "new") };
    }
    // insta reports a snapshot mismatch by panicking on a check thread, after printing
    // its own diff; keep the default hook (and its backtrace) for every other panic.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() != Some(certlab_harness::snapshot::CHECK_THREAD) {
            default_hook(info);
        }
    }));
    let tty = std::io::stderr().is_terminal();
    let bar = tty.then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(run_all(&opts, |o, done, total| {
        let word = match &o.status {
            ScenarioStatus::Passed => "ok",
            ScenarioStatus::Failed { .. } => "FAILED",
            ScenarioStatus::Skipped { .. } => "skipped",
        };
        let line = format!(
            "{}@{} {word} ({:.2}s)",
            o.name,
            o.issuer,
            o.duration.as_secs_f64()
        );
        match &bar {
            Some(b) => {
                b.set_length(total as u64);
                b.set_position(done as u64);
                b.set_message(line);
            }
            None => eprintln!("[{done}/{total}] {line}"),
        }
    }));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let result = match result {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            bail!("{} scenario file(s) do not load", errors.len());
        }
    };
    let failures = report::failures(&result.outcomes);
    if !failures.is_empty() {
        eprintln!("{failures}");
    }
    println!("{}", report::summary(&result.outcomes, result.duration));
    if let Some(path) = &args.report {
        std::fs::write(path, report::junit(&result.outcomes))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.json {
        std::fs::write(path, report::json(&result.outcomes))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    for s in &result.stale {
        eprintln!(
            "stale snapshot (no scenario produces it): {}{}",
            s.display(),
            if ci {
                ""
            } else {
                " — delete it, or run with CI=true to fail on it"
            }
        );
    }
    if args.review {
        let status = std::process::Command::new("cargo")
            .args(["insta", "review", "--workspace-root"])
            .arg(&root)
            .status();
        if status.is_err() {
            eprintln!(
                "cargo-insta is not installed (cargo install cargo-insta); pending snapshots are the *.snap.new files in {}",
                opts.snapshots.display()
            );
        }
    }
    if !result.success(ci) {
        bail!("e2e failed");
    }
    Ok(())
}
