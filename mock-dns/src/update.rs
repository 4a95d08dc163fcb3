//! RFC 2136 dynamic updates for the configured zones.
//!
//! Authentication (TSIG) is checked before this runs; here the zone, the
//! prerequisites (§2.4, §3.2) and the update section (§2.5, §3.4) are processed. Updates
//! are all-or-nothing: nothing changes unless every check passes.

use std::collections::HashMap;

use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::{DNSClass, LowerName, RData, Record, RecordType};
use hickory_server::zone_handler::MessageRequest;

use crate::store::State;
use crate::zone::Zone;

/// Types that may not appear as data in an update.
fn is_meta(t: RecordType) -> bool {
    matches!(
        t,
        RecordType::ANY
            | RecordType::AXFR
            | RecordType::IXFR
            | RecordType::OPT
            | RecordType::TSIG
            | RecordType::SIG
    ) || u16::from(t) >= 128 && u16::from(t) <= 255
}

fn is_empty_rdata(r: &Record) -> bool {
    matches!(r.data, RData::Update0(_))
}

/// Whether `key` has any records (the apex always has SOA and NS).
fn name_in_use(state: &State, zone: &Zone, key: &LowerName) -> bool {
    key == zone.key() || !state.records_of(key).is_empty()
}

/// The existing RRset of `rtype` at `key`, including the apex SOA and NS.
fn rrset(state: &State, zone: &Zone, key: &LowerName, rtype: RecordType) -> Vec<RData> {
    let mut out: Vec<RData> = state
        .records_of(key)
        .iter()
        .filter(|r| r.record_type() == rtype)
        .map(|r| r.data.clone())
        .collect();
    if key == zone.key() {
        match rtype {
            RecordType::SOA => out.push(zone.soa().data),
            RecordType::NS => out.push(zone.ns().data),
            _ => {}
        }
    }
    out
}

fn check_prerequisites(
    state: &State,
    zone: &Zone,
    zone_class: DNSClass,
    prereqs: &[Record],
) -> Result<(), ResponseCode> {
    let mut value_sets: HashMap<(LowerName, RecordType), Vec<RData>> = HashMap::new();
    for rr in prereqs {
        if rr.ttl != 0 {
            return Err(ResponseCode::FormErr);
        }
        let key = LowerName::new(&rr.name);
        if !zone.contains(&key) {
            return Err(ResponseCode::NotZone);
        }
        let rtype = rr.record_type();
        match rr.dns_class {
            DNSClass::ANY => {
                if !is_empty_rdata(rr) {
                    return Err(ResponseCode::FormErr);
                }
                if rtype == RecordType::ANY {
                    if !name_in_use(state, zone, &key) {
                        return Err(ResponseCode::NXDomain);
                    }
                } else if rrset(state, zone, &key, rtype).is_empty() {
                    return Err(ResponseCode::NXRRSet);
                }
            }
            DNSClass::NONE => {
                if !is_empty_rdata(rr) {
                    return Err(ResponseCode::FormErr);
                }
                if rtype == RecordType::ANY {
                    if name_in_use(state, zone, &key) {
                        return Err(ResponseCode::YXDomain);
                    }
                } else if !rrset(state, zone, &key, rtype).is_empty() {
                    return Err(ResponseCode::YXRRSet);
                }
            }
            c if c == zone_class => {
                if is_empty_rdata(rr) || rtype == RecordType::ANY {
                    return Err(ResponseCode::FormErr);
                }
                let set = value_sets.entry((key, rtype)).or_default();
                if !set.contains(&rr.data) {
                    set.push(rr.data.clone());
                }
            }
            _ => return Err(ResponseCode::FormErr),
        }
    }
    for ((key, rtype), expected) in value_sets {
        let existing = rrset(state, zone, &key, rtype);
        let same =
            existing.len() == expected.len() && expected.iter().all(|e| existing.contains(e));
        if !same {
            return Err(ResponseCode::NXRRSet);
        }
    }
    Ok(())
}

fn prescan(zone: &Zone, zone_class: DNSClass, updates: &[Record]) -> Result<(), ResponseCode> {
    for rr in updates {
        let key = LowerName::new(&rr.name);
        if !zone.contains(&key) {
            return Err(ResponseCode::NotZone);
        }
        let rtype = rr.record_type();
        match rr.dns_class {
            c if c == zone_class => {
                if is_meta(rtype) || is_empty_rdata(rr) {
                    return Err(ResponseCode::FormErr);
                }
            }
            DNSClass::ANY => {
                if rr.ttl != 0
                    || !is_empty_rdata(rr)
                    || (is_meta(rtype) && rtype != RecordType::ANY)
                {
                    return Err(ResponseCode::FormErr);
                }
            }
            DNSClass::NONE => {
                if rr.ttl != 0 || is_meta(rtype) || is_empty_rdata(rr) {
                    return Err(ResponseCode::FormErr);
                }
            }
            _ => return Err(ResponseCode::FormErr),
        }
    }
    Ok(())
}

/// Applies the update section; returns whether anything changed.
fn apply(state: &mut State, zone: &Zone, zone_class: DNSClass, updates: &[Record]) -> bool {
    let mut changed = false;
    for rr in updates {
        let key = LowerName::new(&rr.name);
        let rtype = rr.record_type();
        let at_apex = key == *zone.key();
        match rr.dns_class {
            c if c == zone_class => {
                // The SOA is managed by mock-dns (its serial counts the updates).
                if rtype == RecordType::SOA {
                    continue;
                }
                let has_cname = state.cname_of(&key).is_some();
                if rtype == RecordType::CNAME {
                    let others = state
                        .records_of(&key)
                        .iter()
                        .any(|r| r.record_type() != RecordType::CNAME);
                    if others || at_apex {
                        continue;
                    }
                    state.remove_type(&key, RecordType::CNAME);
                } else if has_cname {
                    continue;
                }
                let mut record = rr.clone();
                record.dns_class = DNSClass::IN;
                let existing = state
                    .records
                    .get_mut(&key)
                    .and_then(|l| l.iter_mut().find(|r| r.data == record.data));
                match existing {
                    Some(r) => {
                        if r.ttl != record.ttl {
                            r.ttl = record.ttl;
                            changed = true;
                        }
                    }
                    None => {
                        state.add_record(record);
                        changed = true;
                    }
                }
            }
            DNSClass::ANY => {
                let before = state.records_of(&key).len();
                if rtype == RecordType::ANY {
                    if at_apex {
                        state.remove_records(&key, |r| {
                            !matches!(r.record_type(), RecordType::SOA | RecordType::NS)
                        });
                    } else {
                        state.records.remove(&key);
                    }
                } else if !(at_apex && matches!(rtype, RecordType::SOA | RecordType::NS)) {
                    state.remove_type(&key, rtype);
                }
                changed |= state.records_of(&key).len() != before;
            }
            DNSClass::NONE => {
                if at_apex && rtype == RecordType::SOA {
                    continue;
                }
                let before = state.records_of(&key).len();
                state.remove_records(&key, |r| r.data == rr.data);
                changed |= state.records_of(&key).len() != before;
            }
            _ => {}
        }
    }
    changed
}

/// Processes an UPDATE message against the store.
pub fn process(state: &mut State, request: &MessageRequest) -> ResponseCode {
    let zones = request.queries.queries();
    let [zone_q] = zones else {
        return ResponseCode::FormErr;
    };
    if zone_q.query_type() != RecordType::SOA {
        return ResponseCode::FormErr;
    }
    let zone_class = zone_q.query_class();
    if zone_class != DNSClass::IN {
        return ResponseCode::NotAuth;
    }
    let Some(zi) = state.zones.iter().position(|z| z.key() == zone_q.name()) else {
        return ResponseCode::NotAuth;
    };
    let zone = state.zones[zi].clone();
    if let Err(code) = check_prerequisites(state, &zone, zone_class, &request.answers) {
        return code;
    }
    if let Err(code) = prescan(&zone, zone_class, &request.authorities) {
        return code;
    }
    if apply(state, &zone, zone_class, &request.authorities)
        && let Some(z) = state.zones.get_mut(zi)
    {
        z.bump_serial();
    }
    ResponseCode::NoError
}
