//! The `rfc2136` DNS-01 provider: adds and removes the challenge TXT record with an
//! RFC 2136 UPDATE, TSIG-signed when a key is configured (cert-manager's
//! `pkg/issuer/acme/dns/rfc2136`).

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::rdata::tsig::{TSIG, TsigError};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use tracing::{debug, info};

use super::Rfc2136;
use super::error::{Dns01Error, rcode_name};
use super::exchange::{Transport, exchange, random_id};
use super::lookup::parse_name;
use super::nameserver::{parse_nameserver, resolve};
use super::tsig::{Algorithm, TsigKey, sign, verify_response};

/// The TTL of the TXT record, as cert-manager sets it.
pub const TXT_TTL: u32 = 60;

/// How long an UPDATE exchange may take.
pub const UPDATE_TIMEOUT: Duration = Duration::from_secs(5);

/// Add or remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Add the TXT value (other values of the name stay).
    Insert,
    /// Delete exactly this TXT value (other values of the name stay).
    Remove,
}

/// A provider validated from the issuer's fields.
#[derive(Debug)]
pub struct Provider {
    nameserver: String,
    key: Option<TsigKey>,
    transport: Transport,
}

impl Provider {
    /// Validates the fields as cert-manager's `NewDNSProviderCredentials` does: the
    /// nameserver, the algorithm (checked even without a key), and TSIG only when both
    /// the key name and the secret are non-empty.
    pub fn new(p: &Rfc2136) -> Result<Self, Dns01Error> {
        let hp = parse_nameserver(&p.nameserver)?;
        let algorithm = Algorithm::from_field(p.tsig_algorithm.as_deref())?;
        let key_name = p.tsig_key_name.as_deref().unwrap_or_default();
        let secret = p.tsig_secret.as_deref().unwrap_or_default();
        let key = if !key_name.trim().is_empty() && !secret.is_empty() {
            Some(TsigKey::new(key_name, algorithm, secret)?)
        } else {
            None
        };
        Ok(Self {
            nameserver: hp.to_string(),
            key,
            transport: if p.tcp {
                Transport::Tcp
            } else {
                Transport::Udp
            },
        })
    }

    /// Sends the UPDATE that adds or removes `value` at `fqdn` in `zone`.
    pub async fn change(
        &self,
        action: Action,
        fqdn: &str,
        zone: &str,
        value: &str,
        now: SystemTime,
    ) -> Result<(), Dns01Error> {
        let hp = parse_nameserver(&self.nameserver)?;
        let server: SocketAddr = resolve(&hp).await?;
        let fqdn_name = parse_name(fqdn)?;
        let zone_name = parse_name(zone)?;
        let id = random_id();
        let mut msg = update_message(id, action, &fqdn_name, &zone_name, value);
        let request_mac = match &self.key {
            Some(key) => Some(sign(&mut msg, key, now)?),
            None => None,
        };
        let bytes = msg
            .to_vec()
            .map_err(|e| Dns01Error::UpdateFailed(format!("encoding the update: {e}")))?;
        debug!(%server, ?action, fqdn, zone, signed = self.key.is_some(), "sending RFC 2136 update");
        let response = exchange(&bytes, id, server, self.transport, UPDATE_TIMEOUT)
            .await
            .map_err(|e| Dns01Error::UpdateFailed(e.to_string()))?;
        let reply = &response.message;
        let reply_tsig = response_tsig(reply);
        let tsig_error = reply_tsig.as_ref().and_then(|s| s.data.error);
        let rcode = reply.metadata.response_code;
        if rcode != ResponseCode::NoError {
            let rcode_text = rcode_name(u16::from(rcode));
            let tsig_text = tsig_error.map(|e| rcode_name(u16::from(e)));
            let detail = explain(&rcode_text, tsig_error, self.key.as_ref(), fqdn, zone);
            return Err(Dns01Error::UpdateRejected {
                rcode: rcode_text,
                tsig_error: tsig_text,
                detail,
            });
        }
        if let (Some(key), Some(mac), Some(sig)) = (&self.key, &request_mac, reply_tsig.as_ref()) {
            verify_response(&response.raw, sig, key, mac)?;
        }
        info!(%server, ?action, fqdn, zone, "RFC 2136 update applied");
        Ok(())
    }
}

/// The TSIG record of a response: hickory parses it as the message's signature when
/// built with DNSSEC support, as the last additional record otherwise.
fn response_tsig(reply: &Message) -> Option<Record<TSIG>> {
    if let Some(sig) = &reply.signature {
        return Some((**sig).clone());
    }
    let last = reply.additionals.last()?;
    match &last.data {
        RData::TSIG(t) => Some(Record::from_rdata(last.name.clone(), last.ttl, t.clone())),
        _ => None,
    }
}

/// Splits a TXT value into character-strings of at most 255 bytes.
fn txt_rdata(value: &str) -> TXT {
    let chunks: Vec<&[u8]> = value.as_bytes().chunks(255).collect();
    if chunks.is_empty() {
        TXT::from_bytes(vec![&[][..]])
    } else {
        TXT::from_bytes(chunks)
    }
}

/// The UPDATE message: zone section `zone SOA`, update section one TXT RR (class IN,
/// TTL 60 to add; class NONE, TTL 0 to delete exactly that RR, RFC 2136 §2.5.4).
fn update_message(id: u16, action: Action, fqdn: &Name, zone: &Name, value: &str) -> Message {
    let mut msg = Message::new(id, MessageType::Query, OpCode::Update);
    let mut zq = Query::query(zone.clone(), RecordType::SOA);
    zq.set_query_class(DNSClass::IN);
    msg.add_query(zq);
    let mut rr = Record::from_rdata(fqdn.clone(), TXT_TTL, RData::TXT(txt_rdata(value)));
    if action == Action::Remove {
        rr.dns_class = DNSClass::NONE;
        rr.ttl = 0;
    } else {
        rr.dns_class = DNSClass::IN;
    }
    msg.add_authority(rr);
    msg
}

/// What an error rcode most likely means.
fn explain(
    rcode: &str,
    tsig_error: Option<TsigError>,
    key: Option<&TsigKey>,
    fqdn: &str,
    zone: &str,
) -> String {
    let key_text = key.map_or_else(String::new, |k| {
        format!("{} ({})", k.name().to_ascii(), k.algorithm().wire_name())
    });
    match tsig_error {
        Some(TsigError::BadSig) => format!(
            "TSIG error BADSIG: the nameserver could not verify the signature of key {key_text}; check the TSIG secret and tsigAlgorithm"
        ),
        Some(TsigError::BadKey) => format!(
            "TSIG error BADKEY: the nameserver does not know key {key_text}; check tsigKeyName and tsigAlgorithm"
        ),
        Some(TsigError::BadTime) => "TSIG error BADTIME: the clocks of the controller and the nameserver differ by more than the allowed fudge".to_string(),
        Some(TsigError::BadTrunc) => "TSIG error BADTRUNC: the nameserver refused the MAC length".to_string(),
        Some(TsigError::Unknown(code)) => format!("TSIG error {}", rcode_name(code)),
        None => match rcode {
            "REFUSED" if key.is_none() => "the nameserver refused an unsigned update; configure tsigKeyName and tsigSecretSecretRef".to_string(),
            "REFUSED" => format!("the nameserver refused the update; is key {key_text} allowed to update zone {zone}?"),
            "NOTAUTH" => format!("the nameserver is not authoritative for zone {zone}, or the update is not authorized"),
            "NOTZONE" => format!("{fqdn} is not in zone {zone}"),
            "SERVFAIL" => "the nameserver failed to apply the update".to_string(),
            "NOTIMP" => "the nameserver does not support dynamic updates".to_string(),
            "FORMERR" => "the nameserver could not parse the update".to_string(),
            _ => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(ns: &str, alg: Option<&str>) -> Rfc2136 {
        Rfc2136 {
            nameserver: ns.into(),
            tsig_key_name: Some("k".into()),
            tsig_algorithm: alg.map(Into::into),
            tsig_secret: Some(b"c2VjcmV0".to_vec()),
            tcp: false,
        }
    }

    #[test]
    fn provider_validation() {
        assert!(
            Provider::new(&rfc("127.0.0.1:53", None))
                .unwrap()
                .key
                .is_some()
        );
        assert_eq!(
            Provider::new(&rfc("", None)).unwrap_err().to_string(),
            "RFC2136 nameserver missing"
        );
        assert_eq!(
            Provider::new(&rfc("127.0.0.1", Some("md5")))
                .unwrap_err()
                .to_string(),
            "algorithm 'md5' is not supported"
        );
        let mut unsigned = rfc("127.0.0.1", None);
        unsigned.tsig_secret = Some(Vec::new());
        assert!(Provider::new(&unsigned).unwrap().key.is_none());
    }

    #[test]
    fn update_messages_add_and_delete_one_value() {
        let fqdn = parse_name("_acme-challenge.www.example.com.").unwrap();
        let zone = parse_name("example.com.").unwrap();
        let add = update_message(1, Action::Insert, &fqdn, &zone, "v");
        let rr = &add.authorities[0];
        assert_eq!((rr.dns_class, rr.ttl), (DNSClass::IN, 60));
        let del = update_message(1, Action::Remove, &fqdn, &zone, "v");
        let rr = &del.authorities[0];
        assert_eq!((rr.dns_class, rr.ttl), (DNSClass::NONE, 0));
        assert_eq!(del.queries[0].query_type(), RecordType::SOA);
        let long = "x".repeat(600);
        let RData::TXT(txt) =
            &update_message(1, Action::Insert, &fqdn, &zone, &long).authorities[0].data
        else {
            panic!("not TXT")
        };
        assert_eq!(txt.txt_data.len(), 3);
    }
}
