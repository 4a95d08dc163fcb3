//! Chain snapshots with insta, one file per scenario and issuer in the top-level
//! `snapshots/` folder: `snapshots/<scenario>@<issuer>.snap` (and
//! `<scenario>@<issuer>-<name>.snap` for further named snapshots in one scenario).
//!
//! insta decides what happens on a mismatch: locally it writes `<file>.snap.new` for
//! `cargo insta review` (or `cargo xtask e2e --review`); with `CI=true` nothing is
//! written and a missing or different snapshot fails. After a full run, snapshots no
//! scenario produced are stale: [`stale`] lists them, and CI fails on them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Whether this is a CI run, as insta decides it (`CI` set and not empty, `0` or
/// `false`): snapshots are then never written and stale ones fail the run.
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The name of the thread a check runs on: a panic hook may stay quiet for it (insta
/// has printed its own report by then).
pub const CHECK_THREAD: &str = "snapshot-check";

/// Where snapshots live and which ones a run has checked.
#[derive(Debug)]
pub struct Snapshots {
    dir: PathBuf,
    seen: Mutex<BTreeSet<String>>,
}

/// The file stem of a snapshot.
pub fn snapshot_name(scenario: &str, issuer: &str, name: Option<&str>) -> String {
    match name.filter(|n| !n.is_empty()) {
        Some(n) => format!("{scenario}@{issuer}-{n}"),
        None => format!("{scenario}@{issuer}"),
    }
}

impl Snapshots {
    /// Snapshots in `dir` (created if missing).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            seen: Mutex::new(BTreeSet::new()),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Checks `content` against snapshot `name`, described by `input` (the scenario
    /// file, shown by `cargo insta review`). `Err` carries insta's report (the diff).
    pub fn check(&self, name: &str, input: &Path, content: &str) -> Result<(), String> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(name.to_string());
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&self.dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(input);
        settings.set_omit_expression(true);
        let name = name.to_string();
        let content = content.to_string();
        // insta reports a mismatch by panicking; run it on its own thread so the panic
        // becomes this scenario's failure and nothing else's.
        let outcome = std::thread::Builder::new()
            .name(CHECK_THREAD.to_string())
            .spawn(move || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    settings.bind(|| insta::assert_snapshot!(name, content));
                }))
            })
            .map_err(|e| format!("starting the snapshot check: {e}"))?
            .join();
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(panic)) | Err(panic) => Err(panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "snapshot assertion failed".to_string())),
        }
    }

    /// The names checked so far.
    pub fn seen(&self) -> BTreeSet<String> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Snapshot files no check of this run used (only meaningful after a full run).
    pub fn stale(&self) -> Vec<PathBuf> {
        let seen = self.seen();
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "snap"))
            .filter(|p| {
                p.file_stem()
                    .and_then(|s| s.to_str())
                    .is_none_or(|s| !seen.contains(s))
            })
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_stale_files() {
        assert_eq!(snapshot_name("ecdsa", "ca", None), "ecdsa@ca");
        assert_eq!(
            snapshot_name("ecdsa", "ca", Some("after-renewal")),
            "ecdsa@ca-after-renewal"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old@ca.snap"), "x").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let s = Snapshots::new(dir.path());
        assert_eq!(s.stale(), vec![dir.path().join("old@ca.snap")]);
    }
}
