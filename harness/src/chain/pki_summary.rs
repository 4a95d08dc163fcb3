//! Decoded summaries of PEM certificates, CSRs and private keys, and of Secret data
//! values. Summaries never contain key material: a private key becomes its algorithm,
//! size and encoding, whatever its form.

use std::time::{Duration, SystemTime};

use certlab_controller::pki::{self, EcCurve, KeyAlgorithm, Purpose};
use serde_json::{Map, Value, json};

use super::time::{format_go_duration, format_offset};

/// Turns PEM and DER blobs into summaries, with the capture's clock origin and roots.
pub(crate) struct Summarizer {
    roots: Vec<pki::Certificate>,
    verify: bool,
    start: SystemTime,
    jitter: Duration,
}

/// Secret data keys holding private keys in DER.
const DER_KEY_KEYS: &[&str] = &["key.der"];
/// Secret data keys holding keystores (opaque here: their passwords live elsewhere).
const KEYSTORE_KEYS: &[&str] = &[
    "keystore.p12",
    "truststore.p12",
    "keystore.jks",
    "truststore.jks",
];

impl Summarizer {
    pub(crate) fn new(trust_roots: &[String], start: SystemTime, jitter: Duration) -> Self {
        let roots = trust_roots
            .iter()
            .flat_map(|pem| pki::Certificate::parse_bundle_pem(pem.as_bytes()).unwrap_or_default())
            .collect();
        Self {
            roots,
            verify: !trust_roots.is_empty(),
            start,
            jitter,
        }
    }

    /// A summary of any PEM blob: certificates, a CSR, a private key; `None` when the
    /// bytes hold no PEM block.
    pub(crate) fn pem(&self, bytes: &[u8]) -> Option<Value> {
        let blocks = pki::decode_pem_blocks(bytes);
        let first = blocks.first()?;
        Some(match first.label.as_str() {
            "CERTIFICATE" => self.certificates(&blocks),
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => self.csr(&first.contents),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => {
                let mut out = Vec::new();
                for block in blocks.iter().filter(|b| b.label.ends_with("PRIVATE KEY")) {
                    out.push(key_block(&block.label, &block.contents));
                }
                let mut v = out.into_iter();
                match (v.next(), v.next()) {
                    (Some(one), None) => one,
                    (Some(one), Some(two)) => {
                        Value::Array([one, two].into_iter().chain(v).collect())
                    }
                    _ => json!({"pem": "PRIVATE KEY"}),
                }
            }
            other => json!({"pem": other, "bytes": bytes.len()}),
        })
    }

    /// A Secret data value, by key.
    pub(crate) fn secret_value(&self, key: &str, bytes: &[u8]) -> Value {
        if DER_KEY_KEYS.contains(&key) {
            return key_der(bytes);
        }
        if KEYSTORE_KEYS.contains(&key) {
            return Value::String(format!("<{} bytes keystore>", bytes.len()));
        }
        if let Some(summary) = self.pem(bytes) {
            // A PEM bundle with a key and certificates (tls-combined.pem): both.
            let blocks = pki::decode_pem_blocks(bytes);
            let has_key = blocks.iter().any(|b| b.label.ends_with("PRIVATE KEY"));
            let has_cert = blocks.iter().any(|b| b.label == "CERTIFICATE");
            if has_key && has_cert {
                let key = blocks
                    .iter()
                    .find(|b| b.label.ends_with("PRIVATE KEY"))
                    .map(|b| key_block(&b.label, &b.contents))
                    .unwrap_or(Value::Null);
                let certs: Vec<_> = blocks
                    .into_iter()
                    .filter(|b| b.label == "CERTIFICATE")
                    .collect();
                return json!({"privateKey": key, "certificates": self.certificates(&certs)});
            }
            return summary;
        }
        Value::String(format!("<{} bytes>", bytes.len()))
    }

    /// A PKCS#12 (`*.p12`) or JKS (`*.jks`) keystore opened with its password: its
    /// entries, keys as algorithm, size and encoding only.
    pub(crate) fn keystore(&self, key: &str, bytes: &[u8], password: &str) -> Value {
        let subject = |c: &pki::Certificate| json!(c.subject().go_string());
        if key.ends_with(".p12") {
            return match pki::read_pkcs12(bytes, password) {
                Ok(p12) => {
                    let keys: Vec<Value> = p12
                        .keys
                        .iter()
                        .map(|(alias, k)| {
                            let mut m = key_fields(k.algorithm(), k.bits(), k.curve());
                            m.insert("encoding".into(), json!("PKCS8"));
                            if let Some(a) = alias {
                                m.insert("alias".into(), json!(a));
                            }
                            Value::Object(m)
                        })
                        .collect();
                    let mut out = Map::new();
                    out.insert("format".into(), json!("PKCS12"));
                    if !keys.is_empty() {
                        out.insert("privateKeys".into(), Value::Array(keys));
                    }
                    if !p12.key_certificates.is_empty() {
                        out.insert(
                            "keyCertificates".into(),
                            Value::Array(p12.key_certificates.iter().map(subject).collect()),
                        );
                    }
                    if !p12.other_certificates.is_empty() {
                        out.insert(
                            "certificates".into(),
                            Value::Array(
                                p12.other_certificates
                                    .iter()
                                    .map(|(alias, trusted, c)| {
                                        json!({"alias": alias, "trusted": trusted, "subject": c.subject().go_string()})
                                    })
                                    .collect(),
                            ),
                        );
                    }
                    Value::Object(out)
                }
                Err(e) => json!({"format": "PKCS12", "bytes": bytes.len(), "error": e.to_string()}),
            };
        }
        match pki::read_jks(bytes, password) {
            Ok(entries) => {
                let entries: Vec<Value> = entries
                    .iter()
                    .map(|e| match e {
                        pki::JksEntry::PrivateKey {
                            alias, key, chain, ..
                        } => {
                            let mut m = key_fields(key.algorithm(), key.bits(), key.curve());
                            m.insert("encoding".into(), json!("PKCS8"));
                            json!({"alias": alias, "privateKey": Value::Object(m),
                                   "chain": chain.iter().map(subject).collect::<Vec<_>>()})
                        }
                        pki::JksEntry::TrustedCertificate {
                            alias, certificate, ..
                        } => {
                            json!({"alias": alias, "trustedCertificate": subject(certificate)})
                        }
                    })
                    .collect();
                json!({"format": "JKS", "entries": entries})
            }
            Err(e) => json!({"format": "JKS", "bytes": bytes.len(), "error": e.to_string()}),
        }
    }

    /// A certificate chain (leaf first) or bundle.
    fn certificates(&self, blocks: &[pki::PemBlock]) -> Value {
        let certs: Vec<pki::Certificate> = blocks
            .iter()
            .filter(|b| b.label == "CERTIFICATE")
            .filter_map(|b| pki::Certificate::from_der(&b.contents).ok())
            .collect();
        let Some((leaf, rest)) = certs.split_first() else {
            return json!({"error": "no parseable certificate"});
        };
        let mut out = self.certificate(leaf);
        out.insert("chainLength".into(), json!(certs.len()));
        if !rest.is_empty() {
            out.insert(
                "chain".into(),
                Value::Array(
                    rest.iter()
                        .map(|c| json!(c.subject().go_string()))
                        .collect(),
                ),
            );
        }
        if self.verify {
            match self.verifies_to(leaf, rest) {
                Some(root) => out.insert("verifiesTo".into(), json!(root)),
                None => out.insert("verifies".into(), json!(false)),
            };
        }
        Value::Object(out)
    }

    fn certificate(&self, cert: &pki::Certificate) -> Map<String, Value> {
        let s = cert.summary();
        let mut out = Map::new();
        out.insert("subject".into(), json!(s.subject_string));
        out.insert("issuer".into(), json!(s.issuer_string));
        let sans = sans_value(
            &s.dns_names,
            &s.ip_addresses,
            &s.uris,
            &s.email_addresses,
            &s.other_names,
        );
        if let Some(sans) = sans {
            out.insert("sans".into(), sans);
        }
        out.insert(
            "notBefore".into(),
            json!(format_offset(s.not_before, self.start, self.jitter)),
        );
        let validity = match s.not_after.duration_since(s.not_before) {
            Ok(d) => format_go_duration(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            Err(e) => {
                format_go_duration(-i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX))
            }
        };
        out.insert("validity".into(), json!(validity));
        out.insert("key".into(), public_key(cert.public_key()));
        if !s.key_usages.is_empty() {
            out.insert("keyUsages".into(), json!(s.key_usages));
        }
        if !s.ext_key_usages.is_empty() {
            out.insert("extKeyUsages".into(), json!(s.ext_key_usages));
        }
        out.insert("isCA".into(), json!(s.is_ca));
        out
    }

    /// The common name (or subject) of the trust root the chain verifies to.
    fn verifies_to(&self, leaf: &pki::Certificate, rest: &[pki::Certificate]) -> Option<String> {
        let name = |c: &pki::Certificate| {
            c.subject()
                .first_common_name()
                .map(str::to_string)
                .unwrap_or_else(|| c.subject().go_string())
        };
        // A root itself (ca.crt of a self-signed CA).
        if let Some(root) = self.roots.iter().find(|r| r.der() == leaf.der()) {
            return Some(name(root));
        }
        // Verify in the middle of the leaf's validity: the verdict is about the chain,
        // not about when the snapshot is taken.
        let at = match leaf.not_after().duration_since(leaf.not_before()) {
            Ok(d) => leaf.not_before() + d / 2,
            Err(_) => leaf.not_before(),
        };
        // Roots may travel in the chain: webpki wants intermediates only.
        let intermediates: Vec<pki::Certificate> = rest
            .iter()
            .filter(|c| !self.roots.iter().any(|r| r.der() == c.der()))
            .cloned()
            .collect();
        pki::verify_chain(leaf, &intermediates, &self.roots, at, Purpose::Any, None).ok()?;
        let top = intermediates.last().unwrap_or(leaf);
        self.roots
            .iter()
            .find(|r| top.check_signature_from(r).is_ok() && top.issuer_der() == r.subject_der())
            .map(name)
    }

    /// A CSR: subject, SANs, key, requested usages and isCA.
    fn csr(&self, der: &[u8]) -> Value {
        let Ok(csr) = pki::CertificateSigningRequest::from_der(der) else {
            return json!({"error": "unparseable certificate request"});
        };
        let mut out = Map::new();
        out.insert("subject".into(), json!(csr.subject().go_string()));
        let sans = csr.sans();
        let ips: Vec<String> = sans.ip_addresses.iter().map(pki::ip_to_string).collect();
        let others: Vec<pki::OtherName> = sans.utf8_other_names().unwrap_or_default();
        if let Some(v) = sans_value(
            &sans.dns_names,
            &ips,
            &sans.uris,
            &sans.email_addresses,
            &others,
        ) {
            out.insert("sans".into(), v);
        }
        out.insert("key".into(), public_key(csr.public_key()));
        let ext = csr.decoded_extensions();
        let ku = ext.usages.key_usage.names();
        if !ku.is_empty() {
            out.insert("keyUsages".into(), json!(ku));
        }
        let eku = ext.usages.ext_key_usage_names();
        if !eku.is_empty() {
            out.insert("extKeyUsages".into(), json!(eku));
        }
        out.insert(
            "isCA".into(),
            json!(ext.basic_constraints.as_ref().is_some_and(|b| b.is_ca)),
        );
        Value::Object(out)
    }
}

fn sans_value(
    dns: &[String],
    ips: &[String],
    uris: &[String],
    emails: &[String],
    others: &[pki::OtherName],
) -> Option<Value> {
    let mut m = Map::new();
    if !dns.is_empty() {
        m.insert("dns".into(), json!(dns));
    }
    if !ips.is_empty() {
        m.insert("ip".into(), json!(ips));
    }
    if !uris.is_empty() {
        m.insert("uri".into(), json!(uris));
    }
    if !emails.is_empty() {
        m.insert("email".into(), json!(emails));
    }
    if !others.is_empty() {
        m.insert(
            "otherNames".into(),
            Value::Array(
                others
                    .iter()
                    .map(|o| json!({"oid": o.oid, "utf8Value": o.utf8_value}))
                    .collect(),
            ),
        );
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

fn curve_name(c: EcCurve) -> &'static str {
    match c {
        EcCurve::P256 => "P-256",
        EcCurve::P384 => "P-384",
        EcCurve::P521 => "P-521",
    }
}

fn key_fields(algorithm: KeyAlgorithm, bits: u32, curve: Option<EcCurve>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("algorithm".into(), json!(algorithm.as_str()));
    m.insert("size".into(), json!(bits));
    if let Some(c) = curve {
        m.insert("curve".into(), json!(curve_name(c)));
    }
    m
}

fn public_key(k: &pki::PublicKey) -> Value {
    Value::Object(key_fields(k.algorithm(), k.bits(), k.curve()))
}

/// One PEM private key block: algorithm, size, encoding.
pub(crate) fn key_block(label: &str, der: &[u8]) -> Value {
    let (parsed, encoding) = match label {
        "RSA PRIVATE KEY" => (pki::PrivateKey::from_pkcs1_der(der), "PKCS1"),
        "EC PRIVATE KEY" => (pki::PrivateKey::from_sec1_der(der), "SEC1"),
        _ => (pki::PrivateKey::from_pkcs8_der(der), "PKCS8"),
    };
    key_summary(parsed.ok(), encoding, der.len())
}

/// A DER private key of unknown encoding (`key.der`): PKCS#8, then PKCS#1, then SEC1.
pub(crate) fn key_der(der: &[u8]) -> Value {
    if let Ok(k) = pki::PrivateKey::from_pkcs8_der(der) {
        return key_summary(Some(k), "PKCS8", der.len());
    }
    if let Ok(k) = pki::PrivateKey::from_pkcs1_der(der) {
        return key_summary(Some(k), "PKCS1", der.len());
    }
    if let Ok(k) = pki::PrivateKey::from_sec1_der(der) {
        return key_summary(Some(k), "SEC1", der.len());
    }
    json!({"error": "unparseable private key", "bytes": der.len()})
}

fn key_summary(key: Option<pki::PrivateKey>, encoding: &str, len: usize) -> Value {
    match key {
        Some(k) => {
            let mut m = key_fields(k.algorithm(), k.bits(), k.curve());
            m.insert("encoding".into(), json!(encoding));
            Value::Object(m)
        }
        None => json!({"error": "unparseable private key", "encoding": encoding, "bytes": len}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certlab_controller::pki::{KeyEncoding, PrivateKey};

    #[test]
    fn keys_become_algorithm_size_and_encoding_only() {
        let s = Summarizer::new(&[], SystemTime::UNIX_EPOCH, Duration::from_secs(10));
        let ec = PrivateKey::generate_ecdsa(EcCurve::P256).unwrap();
        let sec1 = ec.to_pem(KeyEncoding::Pkcs1).unwrap();
        let v = s.secret_value("tls.key", sec1.as_bytes());
        assert_eq!(
            v,
            json!({"algorithm": "ECDSA", "size": 256, "curve": "P-256", "encoding": "SEC1"})
        );
        let pkcs8 = ec.to_pem(KeyEncoding::Pkcs8).unwrap();
        assert_eq!(
            s.secret_value("tls.key", pkcs8.as_bytes())["encoding"],
            "PKCS8"
        );
        let rsa = PrivateKey::generate_rsa(2048).unwrap();
        let pkcs1 = rsa.to_pem(KeyEncoding::Pkcs1).unwrap();
        assert_eq!(
            s.secret_value("tls.key", pkcs1.as_bytes()),
            json!({"algorithm": "RSA", "size": 2048, "encoding": "PKCS1"})
        );
        let der = rsa.to_pkcs8_der().unwrap();
        assert_eq!(
            s.secret_value("key.der", &der),
            json!({"algorithm": "RSA", "size": 2048, "encoding": "PKCS8"})
        );
        let ed = PrivateKey::generate_ed25519().unwrap();
        assert_eq!(
            s.secret_value("tls.key", ed.to_pem(KeyEncoding::Pkcs8).unwrap().as_bytes())["algorithm"],
            "Ed25519"
        );
        // Garbage that looks like a key says so, without echoing it.
        let bogus =
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0IG1hdGVyaWFs\n-----END PRIVATE KEY-----\n";
        let v = s.secret_value("tls.key", bogus.as_bytes());
        let text = v.to_string();
        assert!(text.contains("unparseable private key"), "{text}");
        assert!(!text.contains("c2VjcmV0"), "{text}");
    }

    /// A self-signed CA (ECDSA P-384) and a leaf it signed (Ed25519) for web.lab.test.
    fn ca_and_leaf(now: SystemTime) -> (String, String) {
        use certlab_controller::pki::{
            CertificateRequestSpec, CertificateSpec, CsrOptions, IssuerUrls, SigningCa,
            generate_csr, sign_self_signed, sign_with_ca,
        };
        let ca_key = PrivateKey::generate_ecdsa(EcCurve::P384).unwrap();
        let ca_spec = CertificateSpec {
            common_name: "unit root".into(),
            is_ca: true,
            private_key: pki::PrivateKeySpec {
                algorithm: KeyAlgorithm::Ecdsa,
                size: Some(384),
                ..Default::default()
            },
            ..Default::default()
        };
        let csr = generate_csr(&ca_spec, &ca_key, &CsrOptions::default()).unwrap();
        let ca_req = CertificateRequestSpec {
            request: csr.into_bytes(),
            is_ca: true,
            duration: Some(Duration::from_secs(3600 * 24 * 365)),
            ..Default::default()
        };
        let ca = sign_self_signed(&ca_req, &ca_key, now, &IssuerUrls::default()).unwrap();
        let leaf_key = PrivateKey::generate_ed25519().unwrap();
        let leaf_spec = CertificateSpec {
            dns_names: vec!["web.lab.test".into()],
            ip_addresses: vec!["10.0.0.7".into()],
            private_key: pki::PrivateKeySpec {
                algorithm: KeyAlgorithm::Ed25519,
                ..Default::default()
            },
            ..Default::default()
        };
        let csr = generate_csr(&leaf_spec, &leaf_key, &CsrOptions::default()).unwrap();
        let leaf_req = CertificateRequestSpec {
            request: csr.into_bytes(),
            ..Default::default()
        };
        let ca_key_pem = ca_key.to_pem(KeyEncoding::Pkcs8).unwrap();
        let signing =
            SigningCa::from_secret_data(ca.certificate_pem.as_bytes(), ca_key_pem.as_bytes(), None)
                .unwrap();
        let leaf = sign_with_ca(&leaf_req, &signing, now, &IssuerUrls::default()).unwrap();
        (ca.certificate_pem, leaf.certificate_pem)
    }

    #[test]
    fn certificates_become_decoded_summaries_that_verify_to_a_root() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (ca, leaf) = ca_and_leaf(start + Duration::from_millis(1_500));
        let chain = format!("{leaf}{ca}");
        let s = Summarizer::new(std::slice::from_ref(&ca), start, Duration::from_secs(10));
        let v = s.secret_value("tls.crt", chain.as_bytes());
        assert_eq!(v["subject"], "");
        assert_eq!(v["issuer"], "CN=unit root");
        assert_eq!(
            v["sans"],
            json!({"dns": ["web.lab.test"], "ip": ["10.0.0.7"]})
        );
        assert_eq!(v["notBefore"], "T+0s");
        assert_eq!(v["validity"], "2160h0m0s");
        assert_eq!(v["key"], json!({"algorithm": "Ed25519", "size": 256}));
        assert_eq!(
            v["keyUsages"],
            json!(["digital signature", "key encipherment"])
        );
        assert_eq!(v["isCA"], false);
        assert_eq!(v["chainLength"], 2);
        assert_eq!(v["chain"], json!(["CN=unit root"]));
        assert_eq!(v["verifiesTo"], "unit root");
        let root = s.secret_value("ca.crt", ca.as_bytes());
        assert_eq!(root["isCA"], true);
        assert_eq!(
            root["key"],
            json!({"algorithm": "ECDSA", "size": 384, "curve": "P-384"})
        );
        assert_eq!(root["verifiesTo"], "unit root");
        assert_eq!(root["validity"], "8760h0m0s");
        // Against another root: verifies false. Without roots: no verdict at all.
        let (other, _) = ca_and_leaf(start);
        let s = Summarizer::new(&[other], start, Duration::from_secs(10));
        assert_eq!(
            s.secret_value("tls.crt", chain.as_bytes())["verifies"],
            false
        );
        let s = Summarizer::new(&[], start, Duration::from_secs(10));
        let v = s.secret_value("tls.crt", chain.as_bytes());
        assert!(v.get("verifies").is_none() && v.get("verifiesTo").is_none());
        // A CSR: subject, SANs, key.
        let csr = s.pem(
            certlab_controller::pki::generate_csr(
                &certlab_controller::pki::CertificateSpec {
                    common_name: "csr.lab.test".into(),
                    dns_names: vec!["csr.lab.test".into()],
                    private_key: pki::PrivateKeySpec {
                        algorithm: KeyAlgorithm::Ecdsa,
                        ..Default::default()
                    },
                    ..Default::default()
                },
                &PrivateKey::generate_ecdsa(EcCurve::P256).unwrap(),
                &certlab_controller::pki::CsrOptions::default(),
            )
            .unwrap()
            .as_bytes(),
        );
        let csr = csr.unwrap();
        assert_eq!(csr["subject"], "CN=csr.lab.test");
        assert_eq!(csr["sans"]["dns"], json!(["csr.lab.test"]));
        assert_eq!(csr["key"]["curve"], "P-256");
    }

    #[test]
    fn other_values_become_byte_counts() {
        let s = Summarizer::new(&[], SystemTime::UNIX_EPOCH, Duration::from_secs(10));
        assert_eq!(s.secret_value("password", b"hunter22"), json!("<8 bytes>"));
        assert_eq!(
            s.secret_value("keystore.p12", &[0u8; 100]),
            json!("<100 bytes keystore>")
        );
    }
}
