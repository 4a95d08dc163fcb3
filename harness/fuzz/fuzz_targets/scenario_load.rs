//! Feeds arbitrary text to the scenario loader and the manifest parser: they must return
//! an error, never panic.
#![no_main]

use certlab_harness::scenario::load::{load_str, parse_documents};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = load_str(text, "fuzz.yaml");
        let _ = parse_documents(text, "fuzz.yaml");
    }
});
