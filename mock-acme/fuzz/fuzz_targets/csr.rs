//! Fuzzes CSR parsing and signature verification: `parse_csr` must accept or reject any
//! byte string without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mock_acme::ca::csr::parse_csr;

fuzz_target!(|data: &[u8]| {
    if let Ok(csr) = parse_csr(data) {
        let _ = csr.key.thumbprint();
    }
});
