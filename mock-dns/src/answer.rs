//! Answers to standard queries, from the store.
//!
//! Outside the configured zones, mock-dns answers like challtestsrv: A, AAAA, TXT, CNAME
//! and CAA only (anything else is NOTIMP), never NXDOMAIN, default addresses for names
//! without A/AAAA records, and challtestsrv's fake SOA in the authority section.
//!
//! Inside a zone it answers like an authoritative server: the AA flag, SOA and NS at the
//! apex, NXDOMAIN for names that do not exist, and the zone's SOA in the authority
//! section of negative answers.

use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::rdata::{A, AAAA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record, RecordType};

use crate::store::State;
use crate::zone::{Zone, challtestsrv_soa};

/// The longest CNAME chain followed.
const MAX_CNAME_CHAIN: usize = 8;

/// The answer to one question.
#[derive(Debug, Default)]
pub struct QueryAnswer {
    /// The response code for this question.
    pub rcode: ResponseCode,
    /// Whether the answer is authoritative (the name is in a configured zone).
    pub authoritative: bool,
    /// Answer section records.
    pub answers: Vec<Record>,
    /// Authority section records.
    pub authorities: Vec<Record>,
}

/// Whether challtestsrv answers this type.
fn challtestsrv_type(t: RecordType) -> bool {
    matches!(
        t,
        RecordType::A | RecordType::AAAA | RecordType::TXT | RecordType::CNAME | RecordType::CAA
    )
}

/// Records of `rtype` for `key`, renamed to `owner`. `ANY` returns all of them.
fn typed_records(state: &State, key: &LowerName, owner: &Name, rtype: RecordType) -> Vec<Record> {
    state
        .records_of(key)
        .iter()
        .filter(|r| rtype == RecordType::ANY || r.record_type() == rtype)
        .map(|r| {
            let mut r = r.clone();
            r.name = owner.clone();
            r
        })
        .collect()
}

/// The default A/AAAA answer for `owner` if it has no records of that type.
fn default_address(state: &State, owner: &Name, rtype: RecordType) -> Option<Record> {
    match rtype {
        RecordType::A => state
            .default_ipv4
            .map(|a: Ipv4Addr| Record::from_rdata(owner.clone(), 0, RData::A(A(a)))),
        RecordType::AAAA => state
            .default_ipv6
            .map(|a: Ipv6Addr| Record::from_rdata(owner.clone(), 0, RData::AAAA(AAAA(a)))),
        _ => None,
    }
}

/// Whether `name` exists in `zone`: the apex, the name server, any name with records,
/// or an empty non-terminal above one.
fn exists_in_zone(state: &State, zone: &Zone, name: &LowerName) -> bool {
    if name == zone.key() || *name == LowerName::new(&zone.ns_name()) {
        return true;
    }
    if state.records.contains_key(name) {
        return true;
    }
    state.records.keys().any(|k| name.zone_of(k))
}

/// Follows CNAMEs from `qname` (unless the question is for the CNAME itself), adding
/// them to `answers`. Returns the final owner name.
fn follow_cnames(
    state: &State,
    qname: &Name,
    qtype: RecordType,
    answers: &mut Vec<Record>,
) -> Name {
    let mut current = qname.clone();
    if qtype == RecordType::CNAME {
        return current;
    }
    for _ in 0..MAX_CNAME_CHAIN {
        let key = LowerName::new(&current);
        let Some(target) = state.cname_of(&key) else {
            break;
        };
        let target = target.clone();
        answers.extend(typed_records(state, &key, &current, RecordType::CNAME));
        if answers
            .iter()
            .any(|r| r.record_type() == RecordType::CNAME && r.name == target)
        {
            // A loop: stop here, the client sees the chain.
            return target;
        }
        current = target;
    }
    current
}

/// Answers one question.
pub fn answer(state: &State, qname: &Name, qtype: RecordType) -> QueryAnswer {
    let key = LowerName::new(qname);
    match state.zone_for(&key) {
        None => answer_challtestsrv(state, qname, qtype),
        Some(z) => answer_zone(state, &state.zones[z], qname, qtype),
    }
}

fn answer_challtestsrv(state: &State, qname: &Name, qtype: RecordType) -> QueryAnswer {
    let mut out = QueryAnswer {
        authorities: vec![challtestsrv_soa()],
        ..QueryAnswer::default()
    };
    // Like challtestsrv, a CNAME is added (and followed) before the type is checked.
    let owner = follow_cnames(state, qname, qtype, &mut out.answers);
    if !challtestsrv_type(qtype) {
        out.rcode = ResponseCode::NotImp;
        return out;
    }
    let key = LowerName::new(&owner);
    // A CNAME chain may lead into a zone: answer the rest from there.
    if owner != *qname
        && let Some(z) = state.zone_for(&key)
    {
        let rest = answer_zone(state, &state.zones[z], &owner, qtype);
        out.answers.extend(rest.answers);
        return out;
    }
    let found = typed_records(state, &key, &owner, qtype);
    if found.is_empty() {
        out.answers.extend(default_address(state, &owner, qtype));
    } else {
        out.answers.extend(found);
    }
    out
}

fn answer_zone(state: &State, zone: &Zone, qname: &Name, qtype: RecordType) -> QueryAnswer {
    let mut out = QueryAnswer {
        authoritative: true,
        ..QueryAnswer::default()
    };
    let owner = follow_cnames(state, qname, qtype, &mut out.answers);
    let key = LowerName::new(&owner);
    let zone = match state.zone_for(&key) {
        Some(z) => &state.zones[z],
        // The chain left our zones: answer the rest like challtestsrv.
        None if owner != *qname => {
            let rest = answer_challtestsrv(state, &owner, qtype);
            out.answers.extend(rest.answers);
            return out;
        }
        None => zone,
    };
    if !zone.is_open() && !exists_in_zone(state, zone, &key) {
        out.rcode = ResponseCode::NXDomain;
        out.authorities.push(zone.soa());
        return out;
    }
    let at_apex = key == *zone.key();
    let mut found = typed_records(state, &key, &owner, qtype);
    if at_apex {
        if matches!(qtype, RecordType::SOA | RecordType::ANY) {
            found.insert(0, zone.soa());
        }
        if matches!(qtype, RecordType::NS | RecordType::ANY) {
            found.push(zone.ns());
        }
    }
    if found.is_empty()
        && let Some(default) = default_address(state, &owner, qtype)
    {
        found.push(default);
    }
    if found.is_empty() {
        out.authorities.push(zone.soa());
    }
    out.answers.extend(found);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{InitialState, Store};
    use crate::{DnsHandle, Fault};
    use std::sync::Arc;

    fn handle(zones: &[&str]) -> DnsHandle {
        handle_with_open(zones, &[])
    }

    fn handle_with_open(zones: &[&str], open: &[&str]) -> DnsHandle {
        let names = |z: &[&str]| z.iter().map(|z| Name::from_ascii(z).unwrap()).collect();
        DnsHandle::new(Arc::new(Store::new(
            InitialState {
                default_ipv4: Some(Ipv4Addr::LOCALHOST),
                default_ipv6: Some(Ipv6Addr::LOCALHOST),
                zones: names(zones),
                open_zones: names(open),
            },
            10,
        )))
    }

    #[test]
    fn open_zones_answer_every_name_and_stay_authoritative() {
        let h = handle_with_open(&["lab.test"], &["lab.test"]);
        h.set_txt("_acme-challenge.www.lab.test", "tok").unwrap();
        let s = h.store.read();
        let a = answer(&s, &n("anything.at.all.lab.test."), RecordType::A);
        assert_eq!(a.rcode, ResponseCode::NoError);
        assert!(a.authoritative);
        assert_eq!(a.answers.len(), 1);
        assert_eq!(a.answers[0].record_type(), RecordType::A);
        // No TXT at a name that only exists through the zone being open: NODATA.
        let none = answer(&s, &n("_acme-challenge.other.lab.test."), RecordType::TXT);
        assert_eq!(none.rcode, ResponseCode::NoError);
        assert!(none.answers.is_empty());
        assert_eq!(none.authorities[0].record_type(), RecordType::SOA);
        let txt = answer(&s, &n("_acme-challenge.www.lab.test."), RecordType::TXT);
        assert_eq!(txt.answers.len(), 1);
        let soa = answer(&s, &n("lab.test."), RecordType::SOA);
        assert_eq!(soa.answers[0].record_type(), RecordType::SOA);
    }

    fn n(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    #[test]
    fn challtestsrv_semantics_outside_zones() {
        let h = handle(&[]);
        let s = h.store.read();
        let a = answer(&s, &n("Foo.Example."), RecordType::A);
        assert_eq!(a.rcode, ResponseCode::NoError);
        assert_eq!(a.answers.len(), 1);
        assert_eq!(a.answers[0].name, n("Foo.Example."));
        assert_eq!(a.authorities.len(), 1);
        let mx = answer(&s, &n("foo.example."), RecordType::MX);
        assert_eq!(mx.rcode, ResponseCode::NotImp);
        let txt = answer(&s, &n("foo.example."), RecordType::TXT);
        assert!(txt.answers.is_empty());
        assert_eq!(txt.rcode, ResponseCode::NoError);
    }

    #[test]
    fn cname_loops_terminate() {
        let h = handle(&[]);
        h.set_cname("a.example", "b.example").unwrap();
        h.set_cname("b.example", "a.example").unwrap();
        let s = h.store.read();
        let a = answer(&s, &n("a.example."), RecordType::A);
        assert!(a.answers.len() <= MAX_CNAME_CHAIN + 1);
    }

    #[test]
    fn zones_answer_nxdomain_soa_and_ns() {
        let h = handle(&["example.com"]);
        h.set_txt("_acme-challenge.www.example.com", "tok").unwrap();
        h.set_fault("x.example.com", Fault::Drop).unwrap();
        let s = h.store.read();
        let nx = answer(&s, &n("nope.example.com."), RecordType::A);
        assert_eq!(nx.rcode, ResponseCode::NXDomain);
        assert!(nx.authoritative);
        assert_eq!(nx.authorities[0].record_type(), RecordType::SOA);
        let soa = answer(&s, &n("example.com."), RecordType::SOA);
        assert_eq!(soa.answers[0].record_type(), RecordType::SOA);
        let ns = answer(&s, &n("example.com."), RecordType::NS);
        assert_eq!(ns.answers[0].record_type(), RecordType::NS);
        // Empty non-terminal: NODATA, not NXDOMAIN.
        let ent = answer(&s, &n("www.example.com."), RecordType::TXT);
        assert_eq!(ent.rcode, ResponseCode::NoError);
        assert!(ent.answers.is_empty());
        let txt = answer(&s, &n("_acme-challenge.www.example.com."), RecordType::TXT);
        assert_eq!(txt.answers.len(), 1);
        let ns_a = answer(&s, &n("ns.example.com."), RecordType::A);
        assert_eq!(ns_a.answers.len(), 1);
    }
}
