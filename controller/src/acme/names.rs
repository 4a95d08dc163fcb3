//! The names and label values cert-manager derives from hashes: Order and Challenge
//! names (`pkg/api/util.ComputeName`: FNV-1 32-bit over Go's JSON encoding of a spec)
//! and the HTTP-01 solver labels (Adler-32 of the domain and token).

/// The longest prefix `ComputeName` keeps: 52 characters, a hyphen and at most ten
/// decimal digits make a name of at most 63 characters.
pub const NAME_PREFIX_MAX: usize = 52;

/// FNV-1 (not FNV-1a), 32 bits, as Go's `hash/fnv.New32`.
pub fn fnv1_32(data: &[u8]) -> u32 {
    const OFFSET: u32 = 0x811c_9dc5;
    const PRIME: u32 = 0x0100_0193;
    data.iter()
        .fold(OFFSET, |h, b| h.wrapping_mul(PRIME) ^ u32::from(*b))
}

/// Adler-32, as Go's `hash/adler32.Checksum`.
pub fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the largest n for which the sums cannot overflow before the modulo.
    for chunk in data.chunks(5552) {
        for byte in chunk {
            a += u32::from(*byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Shortens `name` to fewer than `max` characters so that it ends with an ASCII letter
/// or digit, as cert-manager's `DNSSafeShortenToNCharacters`: names shorter than `max`
/// are kept; longer ones are cut at `max` and then after their last alphanumeric
/// character.
pub fn dns_safe_shorten(name: &str, max: usize) -> &str {
    if name.len() < max {
        return name;
    }
    let bytes = name.as_bytes();
    let head = bytes.get(..max).unwrap_or(bytes);
    match head.iter().rposition(u8::is_ascii_alphanumeric) {
        // An ASCII byte is always a character boundary.
        Some(i) => name.get(..=i).unwrap_or(""),
        None => "",
    }
}

/// `<prefix shortened to 52>-<FNV-1 32 of go_json, decimal>`: cert-manager's
/// `ComputeName(prefix, obj)` given the Go JSON encoding of `obj`.
pub fn compute_name(prefix: &str, go_json: &str) -> String {
    format!(
        "{}-{}",
        dns_safe_shorten(prefix, NAME_PREFIX_MAX),
        fnv1_32(go_json.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1_matches_the_reference_vectors() {
        assert_eq!(fnv1_32(b""), 0x811c_9dc5);
        assert_eq!(fnv1_32(b"a"), 0x050c_5d7e);
        assert_eq!(fnv1_32(b"foobar"), 0x31f0_b262);
    }

    #[test]
    fn adler32_matches_the_reference_vectors() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        // Long input exercises the deferred modulo.
        let long = vec![0xffu8; 100_000];
        let mut a: u64 = 1;
        let mut b: u64 = 0;
        for x in &long {
            a = (a + u64::from(*x)) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(u64::from(adler32(&long)), (b << 16) | a);
    }

    // cert-manager's own `TestComputeName` cases: a Certificate named like its common
    // name, hashing `{"commonName":…,"secretName":"","issuerRef":{"name":""}}`.
    fn certificate_spec_json(cn: &str) -> String {
        format!(r#"{{"commonName":"{cn}","secretName":"","issuerRef":{{"name":""}}}}"#)
    }

    #[test]
    fn compute_name_matches_cert_manager() {
        let cases = [
            ("unit.test.jetstack.io", "unit.test.jetstack.io-1683025094"),
            (
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab.jetstack.io",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-108802726",
            ),
            (
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.jetstack.io",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-225297437",
            ),
            (
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.jetstack.io",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1448584771",
            ),
        ];
        for (name, want) in cases {
            assert_eq!(
                compute_name(name, &certificate_spec_json(name)),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn shortening_never_ends_in_punctuation() {
        assert_eq!(dns_safe_shorten("abc", 52), "abc");
        assert_eq!(dns_safe_shorten("ab.-cd", 4), "ab");
        assert_eq!(dns_safe_shorten("..--", 3), "");
        assert_eq!(dns_safe_shorten("anything", 0), "");
        // Multi-byte input never splits a character.
        assert_eq!(dns_safe_shorten("aé日本", 4), "a");
    }
}
