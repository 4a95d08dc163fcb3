//! No input may panic: every parser is fed random bytes and bit-flipped versions of
//! valid inputs, and must answer with an error or a value.

use std::time::SystemTime;

use super::*;

/// xorshift64*: deterministic, dependency-free pseudo-randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    match rng.below(4) {
        0 => {
            for _ in 0..=rng.below(4) {
                let i = rng.below(out.len());
                if let Some(b) = out.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
        }
        1 => out.truncate(rng.below(out.len())),
        2 => {
            let i = rng.below(out.len());
            if let Some(b) = out.get_mut(i) {
                *b = rng.next() as u8;
            }
        }
        _ => {
            let i = rng.below(out.len());
            let n = rng.below(8);
            let extra = rng.bytes(n);
            out.splice(i..i, extra);
        }
    }
    out
}

fn exercise_der(data: &[u8]) {
    let _ = Certificate::from_der(data);
    let _ = CertificateSigningRequest::from_der(data);
    let _ = PrivateKey::from_pkcs8_der(data);
    let _ = PrivateKey::from_sec1_der(data);
    let _ = PrivateKey::from_pkcs1_der(data);
    let _ = PublicKey::from_spki_der(data);
    let _ = DistinguishedName::from_der(data);
    let _ = read_jks(data, "changeit");
    let _ = read_pkcs12(data, "changeit");
}

#[test]
fn parsers_survive_random_and_mutated_input() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let spec = spec_with_every_san(KeyAlgorithm::Ecdsa, None);
    let key = PrivateKey::generate(&spec.private_key).unwrap();
    let request = request_for(&spec, &key);
    let csr = CertificateSigningRequest::from_pem(&request.request).unwrap();
    let issued =
        sign_self_signed(&request, &key, SystemTime::now(), &IssuerUrls::default()).unwrap();
    let key_pem = key.to_pem(KeyEncoding::Pkcs1).unwrap();
    let ca = issued.ca_pem.clone().unwrap();
    let jks = jks_keystore(
        "changeit",
        "a",
        key_pem.as_bytes(),
        issued.certificate_pem.as_bytes(),
        ca.as_bytes(),
        SystemTime::now(),
    )
    .unwrap();
    let p12 = pkcs12_keystore(
        Pkcs12Profile::Modern2023,
        "changeit",
        key_pem.as_bytes(),
        issued.certificate_pem.as_bytes(),
        b"",
    )
    .unwrap();
    let seeds: Vec<Vec<u8>> = vec![
        csr.der().to_vec(),
        issued.certificate.der().to_vec(),
        key.to_pkcs8_der().unwrap(),
        jks,
        p12,
        issued.certificate.subject_der().to_vec(),
    ];
    for _ in 0..300 {
        let n = rng.below(200);
        exercise_der(&rng.bytes(n));
    }
    for seed in &seeds {
        for _ in 0..150 {
            exercise_der(&mutate(&mut rng, seed));
        }
    }
    // PEM and text inputs.
    let texts = [
        issued.certificate_pem.clone(),
        key_pem.clone(),
        String::from_utf8(request.request.clone()).unwrap(),
        "CN=a\\,b+O=c,OU=#0402abcd,1.2.3=x".to_string(),
    ];
    for t in &texts {
        for _ in 0..200 {
            let m = mutate(&mut rng, t.as_bytes());
            let _ = Certificate::parse_chain_pem(&m);
            let _ = PrivateKey::from_pem(&m);
            let _ = CertificateSigningRequest::from_pem(&m);
            let _ = decode_pem_blocks(&m);
            if let Ok(s) = std::str::from_utf8(&m) {
                let _ = DistinguishedName::from_literal_subject(s).map(|d| d.to_der());
            }
            let r = CertificateRequestSpec {
                request: m.clone(),
                ..request.clone()
            };
            let _ = sign_self_signed(&r, &key, SystemTime::now(), &IssuerUrls::default());
            let _ = request_matches_spec(&r, &spec);
        }
    }
}
