//! Fuzzes JWS parsing: `parse_jws` must turn any byte string into a JWS or an ACME
//! problem, and never panic; a parsed JWS must survive verification attempts too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mock_acme::key::PublicKey;
use mock_acme::wfe::jws::parse_jws;

fuzz_target!(|data: &[u8]| {
    if let Ok(jws) = parse_jws(data) {
        let _ = jws.json_payload();
        if let Ok(key) = jws.embedded_key() {
            let _ = jws.verify(&key);
        }
        if let Some(jwk) = &jws.header.jwk {
            let _ = PublicKey::from_jwk(jwk).map(|k| k.thumbprint());
        }
    }
});
