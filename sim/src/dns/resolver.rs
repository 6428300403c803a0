//! The pod's resolver: its `/etc/resolv.conf`, the search path, and the libc walk over it.

use std::net::Ipv4Addr;

use super::{Answer, QType, RData, Rcode, Record, Zone, CLUSTER_DOMAIN, NAMESERVER, NDOTS};

/// The search list of a `ClusterFirst` pod in `namespace`.
pub fn search_list(namespace: &str) -> Vec<String> {
    search_domains(namespace).map(|parts| parts.concat()).into()
}

/// The search list's domains in pieces, to be joined without the formatter.
fn search_domains(namespace: &str) -> [[&str; 3]; 3] {
    [
        [namespace, ".svc.", CLUSTER_DOMAIN],
        ["svc.", CLUSTER_DOMAIN, ""],
        [CLUSTER_DOMAIN, "", ""],
    ]
}

/// `/etc/resolv.conf` of a `ClusterFirst` pod in `namespace`, as the container runtime writes it.
pub fn resolv_conf(namespace: &str) -> String {
    format!(
        "search {}\nnameserver {NAMESERVER}\noptions ndots:{NDOTS}\n",
        search_list(namespace).join(" ")
    )
}

/// The names the libc resolver tries, in order, for `name` typed in a pod of `namespace`
/// (glibc/uClibc `res_search`, `ndots:5`). Empty for a name the resolver rejects (``, `.`, `a..`).
pub fn candidates(name: &str, namespace: &str) -> Vec<String> {
    candidate_names(name, namespace).collect()
}

/// [`candidates`], each spelled out only when the resolver gets to it.
fn candidate_names<'a>(name: &'a str, namespace: &'a str) -> impl Iterator<Item = String> + 'a {
    // (the name as given before the search list, the search list, the name as given after it)
    let (before, search, after) = match name.strip_suffix('.') {
        Some(absolute) if absolute.is_empty() || absolute.ends_with('.') => (None, false, None),
        Some(absolute) => (Some(absolute), false, None),
        None if name.is_empty() => (None, false, None),
        None if name.matches('.').count() >= NDOTS => (Some(name), true, None),
        None => (None, true, Some(name)),
    };
    let searched = search
        .then(|| search_domains(namespace))
        .into_iter()
        .flatten()
        .map(move |[a, b, c]| [name, ".", a, b, c].concat());
    before
        .into_iter()
        .map(str::to_string)
        .chain(searched)
        .chain(after.into_iter().map(str::to_string))
}

/// `157.23.96.10.in-addr.arpa` for `10.96.23.157`.
pub fn reverse_name(ip: Ipv4Addr) -> String {
    let [a, b, c, d] = ip.octets();
    format!("{d}.{c}.{b}.{a}.in-addr.arpa")
}

/// One question sent to the nameserver, and its reply (`None`: no reply came; the client timed
/// out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub name: String,
    pub qtype: QType,
    pub answer: Option<Answer>,
}

/// How a resolver walk ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupResult {
    /// `name` is the candidate that answered; `records` its answer section (CNAMEs included).
    Found { name: String, records: Vec<Record> },
    /// Every candidate was NXDOMAIN.
    NxDomain,
    /// Some candidate exists but has no record of the type asked (and none had one).
    NoData,
    /// Some candidate got SERVFAIL (and none had a record).
    ServFail,
    /// The nameserver did not answer.
    TimedOut,
}

/// The libc resolver's walk for one name: every question it sent, in order, and the result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The name as typed.
    pub name: String,
    pub namespace: String,
    pub qtype: QType,
    pub queries: Vec<Query>,
    pub result: LookupResult,
}

impl Resolution {
    /// The resolved IPv4 addresses (empty unless found).
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        match &self.result {
            LookupResult::Found { records, .. } => records
                .iter()
                .filter_map(|r| match r.data {
                    RData::A(ip) => Some(ip),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The `matched` text of the reply that decided the walk (the last one received).
    pub fn matched(&self) -> Option<&str> {
        self.queries
            .iter()
            .rev()
            .find_map(|q| q.answer.as_ref())
            .map(|a| a.matched.as_str())
    }
}

/// The libc resolver's walk over [`candidates`], asking `zone` each question.
pub fn resolve(zone: &Zone<'_>, name: &str, client_namespace: &str, qtype: QType) -> Resolution {
    resolve_with(name, client_namespace, qtype, |qname, qtype| {
        Some(zone.query(qname, qtype))
    })
}

/// The same walk with the delivery left to the caller: `send` returns CoreDNS's reply, or `None`
/// when the question got no reply (CoreDNS down, a NetworkPolicy dropping DNS). The walk stops
/// at the first unanswered question, as the resolver gives up on a dead nameserver.
pub fn resolve_with<F>(name: &str, client_namespace: &str, qtype: QType, mut send: F) -> Resolution
where
    F: FnMut(&str, QType) -> Option<Answer>,
{
    let mut queries = Vec::new();
    let mut nodata = false;
    let mut servfail = false;
    let mut result = None;
    for candidate in candidate_names(name, client_namespace) {
        let answer = send(&candidate, qtype);
        let outcome = match &answer {
            None => Some(LookupResult::TimedOut),
            Some(a) if a.has_data() => Some(LookupResult::Found {
                name: candidate.clone(),
                records: a.answers.clone(),
            }),
            Some(a) => {
                match a.rcode {
                    Rcode::NoError => nodata = true,
                    Rcode::ServFail => servfail = true,
                    Rcode::NxDomain => {}
                }
                None
            }
        };
        queries.push(Query {
            name: candidate,
            qtype,
            answer,
        });
        if outcome.is_some() {
            result = outcome;
            break;
        }
    }
    let result = result.unwrap_or(if nodata {
        LookupResult::NoData
    } else if servfail {
        LookupResult::ServFail
    } else {
        LookupResult::NxDomain
    });
    Resolution {
        name: name.to_string(),
        namespace: client_namespace.to_string(),
        qtype,
        queries,
        result,
    }
}
