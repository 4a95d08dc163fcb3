//! Fuzzes the protobuf request-body decoder: any input must give `Ok` or an error, never a
//! panic, and a decoded object must be a JSON object carrying its envelope's kind.

#![no_main]

use certlab_cluster::protobuf::{ProtobufError, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Raw input, and the same bytes behind the magic so most runs reach the envelope.
    let _ = decode(data);
    let mut body = b"k8s\0".to_vec();
    body.extend_from_slice(data);
    match decode(&body) {
        Ok(value) => {
            let object = value.as_object().expect("decoded bodies are objects");
            assert!(
                object
                    .get("kind")
                    .and_then(|k| k.as_str())
                    .is_some_and(|k| !k.is_empty())
            );
        }
        Err(ProtobufError::NotProtobuf) => panic!("the magic is there"),
        Err(_) => {}
    }
});
