//! Cluster DNS: CoreDNS's `kubernetes` plugin as kubeadm configures it, and each pod's resolver.
//!
//! Everything here is a pure function of the cluster's Services, EndpointSlices and Namespaces;
//! the cluster turns each query into packets through the `kube-dns` Service and keeps the answers
//! as data ([`Query`], [`Resolution`], [`Nslookup`]).
//!
//! What is modelled, and where it comes from:
//! - `/etc/resolv.conf` is what the container runtime writes for a `ClusterFirst` pod (containerd
//!   and CRI-O write `search`, then `nameserver`, then `options`): [`resolv_conf`].
//! - [`Zone`] answers as CoreDNS 1.11's `kubernetes` plugin does with kubeadm's Corefile
//!   (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa
//!   ip6.arpa; ttl 30 }`, then `forward . /etc/resolv.conf`): ClusterIP → `A` of the cluster IP
//!   (even with no endpoints); headless → one `A` per ready endpoint, NXDOMAIN when none is ready;
//!   `<dashed-ip>.<svc>.<ns>.svc.cluster.local` per ready endpoint; ExternalName → `CNAME`; `SRV`
//!   for ports (`_<port>._<proto>.` for a named one); `<dashed-ip>.<ns>.pod.cluster.local`; `PTR`
//!   for cluster IPs and ready endpoint IPs. Answers from the zone are authoritative, TTL 30, and
//!   IPv4 only, so every `AAAA` question about an existing name is NODATA.
//! - **Names outside `cluster.local`.** CoreDNS forwards them to the node's resolver. svclab has no
//!   internet, and its upstream knows no names: by default ([`Upstream::NxDomain`]) it answers
//!   NXDOMAIN, exactly what a real cluster answers for a made-up name such as
//!   `backend-service.dev` (REFERENCE.md's example). A real cluster with internet access would
//!   resolve `google.com`; svclab cannot, and the UI must say so. [`Upstream::ServFail`] models a
//!   cluster whose nodes have no working upstream at all (CoreDNS's `forward` gives up: SERVFAIL).
//! - **ExternalName.** The zone returns the `CNAME`; CoreDNS then asks upstream for the target,
//!   which in svclab never resolves, so the answer is the `CNAME` alone (NOERROR) and busybox
//!   prints only its `canonical name = ...` line. A target inside `cluster.local` is followed as
//!   CoreDNS does (CNAME plus the target's records).
//! - [`candidates`] and [`resolve`] are the libc resolver that `curl`, `wget` and `ping` use
//!   (glibc/uClibc `res_search` with `ndots:5`): a name with fewer than 5 dots is tried under each
//!   search domain, then as given; a name with 5 or more dots as given first, then under each
//!   search domain; a name ending in a dot only as given. NXDOMAIN, NODATA and SERVFAIL move on to
//!   the next candidate; no answer at all (timeout) ends the walk. It asks one type per name
//!   (`A` unless told otherwise); a real `getaddrinfo` sends `A` and `AAAA` together.
//! - [`nslookup`] is busybox 1.36's `nslookup`, which does **not** use the libc resolver: it sends
//!   `A` and `AAAA` (or one `PTR` for an IP address) all at once, applies the search list only to a
//!   name with no dot at all (one query per search domain, never the bare name), and sends any
//!   dotted name exactly as typed. So `nslookup backend-service.default` fails (NXDOMAIN) where
//!   `curl backend-service.default` works: the well-known reason Kubernetes' docs suggest
//!   `busybox:1.28` for DNS debugging. Replies are printed as they arrive; svclab's CoreDNS answers
//!   in the order the queries were sent. busybox's immediate resend on SERVFAIL is not modelled.
//! - CoreDNS's `loadbalance` plugin shuffles `A` records on every answer; svclab keeps them in
//!   EndpointSlice order so that a run replays exactly.
//! - [`coredns_startup_log`] is what `kubectl logs` of a CoreDNS pod shows on a kubeadm cluster:
//!   kubeadm's Corefile has no `log` plugin, so queries are not logged. [`coredns_query_log`] is
//!   the `log` plugin's line for one query, for a cluster whose Corefile enables `log`.
//!
//! Names in this module's data are written without the root's trailing dot
//! (`backend-service.default.svc.cluster.local`), as busybox prints them; [`Record`]'s text form
//! (`backend-service.default.svc.cluster.local. 30 IN A 10.96.23.157`) adds it, as CoreDNS does.

use crate::map::{SortedMap, SortedSet};
use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use crate::model::{ClusterIp, EndpointSlice, Namespace, ObjectKey, Service, ServiceType};
use crate::text::{self, Ip};

/// The cluster's DNS domain.
pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// The `kube-dns` Service's cluster IP: every `ClusterFirst` pod's nameserver.
pub const NAMESERVER: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 10);
/// `options ndots:5`.
pub const NDOTS: usize = 5;
/// kubeadm's Corefile sets `ttl 30` in the `kubernetes` block.
pub const TTL: u32 = 30;
/// busybox `nslookup` gives up when no reply came within 5 s...
pub const NSLOOKUP_TIMEOUT_MS: u64 = 5_000;
/// ...sending its queries again after 2.5 s.
pub const NSLOOKUP_RETRY_MS: u64 = 2_500;
/// The CoreDNS version kubeadm 1.31 deploys.
pub const COREDNS_VERSION: &str = "1.11.3";

// ---------------------------------------------------------------------------------------------
// The pod's resolver configuration

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

// ---------------------------------------------------------------------------------------------
// Records and answers

/// A question type svclab answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QType {
    A,
    Aaaa,
    Cname,
    Ptr,
    Srv,
}

impl QType {
    pub fn as_str(self) -> &'static str {
        match self {
            QType::A => "A",
            QType::Aaaa => "AAAA",
            QType::Cname => "CNAME",
            QType::Ptr => "PTR",
            QType::Srv => "SRV",
        }
    }
}

impl fmt::Display for QType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A response code, as `dig` and CoreDNS's log print it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rcode {
    NoError,
    ServFail,
    NxDomain,
}

impl Rcode {
    pub fn as_str(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::ServFail => "SERVFAIL",
            Rcode::NxDomain => "NXDOMAIN",
        }
    }
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data of one resource record. Names are written without the trailing dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RData {
    A(Ipv4Addr),
    Cname(String),
    Ptr(String),
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: String,
    },
}

/// One resource record of an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub ttl: u32,
    pub data: RData,
}

impl Record {
    pub fn rtype(&self) -> QType {
        match self.data {
            RData::A(_) => QType::A,
            RData::Cname(_) => QType::Cname,
            RData::Ptr(_) => QType::Ptr,
            RData::Srv { .. } => QType::Srv,
        }
    }

    /// Bytes on the wire, names uncompressed (CoreDNS compresses only oversized answers).
    fn wire_len(&self) -> usize {
        let rdata = match &self.data {
            RData::A(_) => 4,
            RData::Cname(target) | RData::Ptr(target) => name_wire_len(target),
            RData::Srv { target, .. } => 6 + name_wire_len(target),
        };
        name_wire_len(&self.name) + 10 + rdata
    }

    /// Append what `Display` writes, without the formatter for the common `A` record.
    fn push_text(&self, out: &mut String) {
        match self.data {
            RData::A(ip) => {
                let (ttl, ip) = (text::num(self.ttl), text::ip(ip));
                for piece in [
                    self.name.as_str(),
                    ". ",
                    ttl.as_str(),
                    " IN A ",
                    ip.as_str(),
                ] {
                    out.push_str(piece);
                }
            }
            _ => {
                let _ = write!(out, "{self}");
            }
        }
    }
}

/// `backend-service.default.svc.cluster.local. 30 IN A 10.96.23.157`.
impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}. {} IN {} ", self.name, self.ttl, self.rtype())?;
        match &self.data {
            RData::A(ip) => write!(f, "{}", Ip(*ip)),
            RData::Cname(target) | RData::Ptr(target) => write!(f, "{target}."),
            RData::Srv {
                priority,
                weight,
                port,
                target,
            } => write!(f, "{priority} {weight} {port} {target}."),
        }
    }
}

/// Which part of CoreDNS produced an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnsweredBy {
    /// The `kubernetes` plugin, authoritative for `cluster.local` (and the reverse zones).
    Kubernetes,
    /// The `forward` plugin, passing on the upstream resolver's answer.
    Upstream,
}

/// What svclab's upstream resolver answers for every name outside the cluster's zones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Upstream {
    /// The upstream is reachable but knows no names (svclab's default; see the module docs).
    #[default]
    NxDomain,
    /// No working upstream: CoreDNS's `forward` fails and CoreDNS answers SERVFAIL.
    ServFail,
}

/// CoreDNS's reply to one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The question's name as sent, without the trailing dot.
    pub qname: String,
    pub qtype: QType,
    pub rcode: Rcode,
    pub answered_by: AnsweredBy,
    pub answers: Vec<Record>,
    /// Additional section (the addresses of SRV targets).
    pub additional: Vec<Record>,
    /// For the trace inspector: the records that answered, one per line, or why there are none.
    pub matched: String,
}

impl Answer {
    /// The `aa` flag: set on everything the `kubernetes` plugin answers.
    pub fn authoritative(&self) -> bool {
        self.answered_by == AnsweredBy::Kubernetes
    }

    /// NOERROR with no answer records.
    pub fn is_nodata(&self) -> bool {
        self.rcode == Rcode::NoError && self.answers.is_empty()
    }

    pub fn is_nxdomain(&self) -> bool {
        self.rcode == Rcode::NxDomain
    }

    /// The first IPv4 address in the answer section.
    pub fn first_address(&self) -> Option<Ipv4Addr> {
        self.addresses().first().copied()
    }

    /// The IPv4 addresses in the answer section, in order.
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        self.answers
            .iter()
            .filter_map(|r| match r.data {
                RData::A(ip) => Some(ip),
                _ => None,
            })
            .collect()
    }

    /// Does the answer section hold a record of the question's type?
    pub fn has_data(&self) -> bool {
        self.rcode == Rcode::NoError && self.answers.iter().any(|r| r.rtype() == self.qtype)
    }

    /// Size of the question as busybox and libc send it (no EDNS).
    pub fn request_size(&self) -> usize {
        12 + name_wire_len(&self.qname) + 4
    }

    /// Size of the reply: the question, the records, and for a negative answer from the zone the
    /// SOA of `cluster.local` in the authority section. svclab's upstream sends no authority.
    pub fn response_size(&self) -> usize {
        let records: usize = self
            .answers
            .iter()
            .chain(&self.additional)
            .map(Record::wire_len)
            .sum();
        let soa = if self.authoritative() && self.answers.is_empty() {
            // cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ...
            name_wire_len(CLUSTER_DOMAIN)
                + 10
                + name_wire_len(&format!("ns.dns.{CLUSTER_DOMAIN}"))
                + name_wire_len(&format!("hostmaster.{CLUSTER_DOMAIN}"))
                + 20
        } else {
            0
        };
        self.request_size() + records + soa
    }

    /// The header flags as CoreDNS's log prints them.
    pub fn flags(&self) -> &'static str {
        match (self.answered_by, self.rcode) {
            (AnsweredBy::Kubernetes, _) => "qr,aa,rd",
            (AnsweredBy::Upstream, Rcode::ServFail) => "qr,rd",
            (AnsweredBy::Upstream, _) => "qr,rd,ra",
        }
    }
}

fn name_wire_len(name: &str) -> usize {
    let name = name.trim_end_matches('.');
    if name.is_empty() {
        1
    } else {
        name.len() + 2
    }
}

// ---------------------------------------------------------------------------------------------
// The zone: CoreDNS's kubernetes plugin over the cluster's objects

/// What a lookup in the `kubernetes` plugin found for a name (CoreDNS's `msg.Service`).
#[derive(Clone, Debug)]
struct Item {
    /// The name SRV answers use as target: `<svc>.<ns>.svc.cluster.local` or
    /// `<dashed-ip>.<svc>.<ns>.svc.cluster.local`.
    domain: String,
    host: Host,
    /// -1 when the EndpointSlice declares no ports (CoreDNS's sentinel).
    port: i64,
}

#[derive(Clone, Debug)]
enum Host {
    Ip(Ipv4Addr),
    Name(String),
}

/// `Err` is NXDOMAIN with the reason; `Ok(vec![])` is NODATA.
type Items = Result<Vec<Item>, String>;

/// CoreDNS's view of the cluster: answers questions as the `kubernetes` plugin (and, for other
/// names, `forward` to svclab's upstream) would.
#[derive(Clone, Debug)]
pub struct Zone<'a> {
    services: &'a SortedMap<ObjectKey, Service>,
    slices: &'a SortedMap<ObjectKey, EndpointSlice>,
    namespaces: Namespaces<'a>,
    upstream: Upstream,
}

/// The namespaces that exist: collected by [`Zone::new`], or the cluster's own map.
#[derive(Clone, Debug)]
enum Namespaces<'a> {
    Listed(SortedSet<String>),
    Cluster(&'a SortedMap<String, Namespace>),
}

impl Namespaces<'_> {
    fn contains(&self, name: &str) -> bool {
        match self {
            Namespaces::Listed(names) => names.contains(name),
            Namespaces::Cluster(map) => map.contains_key(name),
        }
    }
}

impl<'a> Zone<'a> {
    /// The zone for a cluster with these namespaces, Services and EndpointSlices. CoreDNS answers
    /// NXDOMAIN for anything in a namespace that does not exist.
    pub fn new<N, S>(
        namespaces: N,
        services: &'a SortedMap<ObjectKey, Service>,
        slices: &'a SortedMap<ObjectKey, EndpointSlice>,
    ) -> Zone<'a>
    where
        N: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // Inserted one by one: `collect` into a set would sort (one more sort in the wasm).
        let mut listed = SortedSet::new();
        for n in namespaces {
            listed.insert(n.as_ref().to_string());
        }
        Zone {
            services,
            slices,
            namespaces: Namespaces::Listed(listed),
            upstream: Upstream::default(),
        }
    }

    /// [`Zone::new`] over a cluster's namespaces, without copying their names.
    pub(crate) fn of_cluster(
        namespaces: &'a SortedMap<String, Namespace>,
        services: &'a SortedMap<ObjectKey, Service>,
        slices: &'a SortedMap<ObjectKey, EndpointSlice>,
    ) -> Zone<'a> {
        Zone {
            services,
            slices,
            namespaces: Namespaces::Cluster(namespaces),
            upstream: Upstream::default(),
        }
    }

    pub fn with_upstream(mut self, upstream: Upstream) -> Zone<'a> {
        self.upstream = upstream;
        self
    }

    /// CoreDNS's answer to one question. `qname` may end with a dot; case does not matter.
    pub fn query(&self, qname: &str, qtype: QType) -> Answer {
        let shown = qname.strip_suffix('.').unwrap_or(qname).to_string();
        let lower;
        let name = if shown.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = shown.to_ascii_lowercase();
            &lower
        } else {
            &shown
        };
        if in_domain(name, CLUSTER_DOMAIN) {
            let result = self.answer_in_zone(&shown, name, qtype);
            return self.kubernetes_answer(shown, qtype, result);
        }
        if qtype == QType::Ptr {
            if let Some(ip) = parse_reverse(name) {
                let records = self.ptr_records(&shown, ip);
                if !records.is_empty() {
                    return self.kubernetes_answer(shown, qtype, Ok((records, Vec::new())));
                }
            }
        }
        // Outside cluster.local, and reverse names the plugin does not know (fallthrough).
        self.upstream_answer(shown, qtype)
    }

    fn kubernetes_answer(
        &self,
        qname: String,
        qtype: QType,
        result: Result<(Vec<Record>, Vec<Record>), String>,
    ) -> Answer {
        let (rcode, answers, additional, matched) = match result {
            Err(reason) => (Rcode::NxDomain, Vec::new(), Vec::new(), reason),
            Ok((answers, _)) if answers.is_empty() => (
                Rcode::NoError,
                Vec::new(),
                Vec::new(),
                format!("NODATA: {qname} exists but has no {qtype} record"),
            ),
            Ok((answers, additional)) => {
                // The records, one per line.
                let mut matched = String::new();
                for (i, record) in answers.iter().enumerate() {
                    if i > 0 {
                        matched.push('\n');
                    }
                    record.push_text(&mut matched);
                }
                (Rcode::NoError, answers, additional, matched)
            }
        };
        Answer {
            qname,
            qtype,
            rcode,
            answered_by: AnsweredBy::Kubernetes,
            answers,
            additional,
            matched,
        }
    }

    fn upstream_answer(&self, qname: String, qtype: QType) -> Answer {
        let (rcode, matched) = match self.upstream {
            Upstream::NxDomain => (
                Rcode::NxDomain,
                format!(
                    "NXDOMAIN: {qname} is outside {CLUSTER_DOMAIN}; CoreDNS forwards it upstream \
                     and svclab's upstream knows no internet names"
                ),
            ),
            Upstream::ServFail => (
                Rcode::ServFail,
                format!(
                    "SERVFAIL: {qname} is outside {CLUSTER_DOMAIN}; CoreDNS forwards it upstream \
                     and no upstream answers"
                ),
            ),
        };
        Answer {
            qname,
            qtype,
            rcode,
            answered_by: AnsweredBy::Upstream,
            answers: Vec::new(),
            additional: Vec::new(),
            matched,
        }
    }

    /// Answer and additional records, or the NXDOMAIN reason.
    fn answer_in_zone(
        &self,
        shown: &str,
        name: &str,
        qtype: QType,
    ) -> Result<(Vec<Record>, Vec<Record>), String> {
        match qtype {
            QType::A => self
                .addresses(shown, name, QType::A, 0)
                .map(|r| (r, Vec::new())),
            QType::Aaaa => self
                .addresses(shown, name, QType::Aaaa, 0)
                .map(|r| (r, Vec::new())),
            QType::Cname => {
                let items = self.lookup(name)?;
                let records = match items.first().map(|i| &i.host) {
                    Some(Host::Name(target)) => vec![record(shown, RData::Cname(target.clone()))],
                    _ => Vec::new(),
                };
                Ok((records, Vec::new()))
            }
            // A PTR question for a forward name: NXDOMAIN or NODATA, as for any other type.
            QType::Ptr => self.lookup(name).map(|_| (Vec::new(), Vec::new())),
            QType::Srv => self.srv(shown, name),
        }
    }

    /// `A` (or `AAAA`) records for `name`, following CNAMEs as CoreDNS's `plugin.A` does.
    fn addresses(
        &self,
        shown: &str,
        name: &str,
        qtype: QType,
        depth: usize,
    ) -> Result<Vec<Record>, String> {
        let items = self.lookup(name)?;
        let mut records = Vec::new();
        let mut seen = SortedSet::new();
        for item in items {
            match item.host {
                Host::Ip(ip) => {
                    if qtype == QType::A && seen.insert(ip) {
                        records.push(record(shown, RData::A(ip)));
                    }
                }
                Host::Name(target) => {
                    let target_lc = target.to_ascii_lowercase();
                    if target_lc == name || depth > 7 {
                        continue;
                    }
                    let cname = record(shown, RData::Cname(target.clone()));
                    if in_domain(&target_lc, CLUSTER_DOMAIN) {
                        if let Ok(next) = self.addresses(&target, &target_lc, qtype, depth + 1) {
                            if !next.is_empty() {
                                records.push(cname);
                                records.extend(next);
                            }
                        }
                    } else {
                        // CoreDNS asks upstream for the target; svclab's upstream has no records.
                        records.push(cname);
                    }
                }
            }
        }
        Ok(records)
    }

    fn srv(&self, shown: &str, name: &str) -> Result<(Vec<Record>, Vec<Record>), String> {
        let items = self.lookup(name)?;
        // Every item weighs 100; weights are shared within priority 0 (CoreDNS's plugin.SRV).
        let total = 100.0 * items.len() as f64;
        let weight = ((100.0 / total) * 100.0).floor().max(1.0) as u16;
        let mut records = Vec::new();
        let mut additional = Vec::new();
        let mut seen_srv = SortedSet::new();
        let mut seen_addr = SortedSet::new();
        for item in &items {
            if item.port == -1 {
                continue;
            }
            let port = u16::try_from(item.port).unwrap_or(0);
            match &item.host {
                Host::Name(target) => {
                    records.push(record(
                        shown,
                        RData::Srv {
                            priority: 0,
                            weight,
                            port,
                            target: target.clone(),
                        },
                    ));
                    let target_lc = target.to_ascii_lowercase();
                    if in_domain(&target_lc, CLUSTER_DOMAIN) {
                        if let Ok(extra) = self.addresses(target, &target_lc, QType::A, 1) {
                            additional.extend(extra);
                        }
                    }
                }
                Host::Ip(ip) => {
                    if seen_srv.insert((item.domain.clone(), port)) {
                        records.push(record(
                            shown,
                            RData::Srv {
                                priority: 0,
                                weight,
                                port,
                                target: item.domain.clone(),
                            },
                        ));
                    }
                    if seen_addr.insert((item.domain.clone(), *ip)) {
                        additional.push(record(&item.domain, RData::A(*ip)));
                    }
                }
            }
        }
        Ok((records, additional))
    }

    /// CoreDNS's `Records`: parse `name` (inside cluster.local) and find what it names.
    fn lookup(&self, name: &str) -> Items {
        let base = if name == CLUSTER_DOMAIN {
            ""
        } else {
            &name[..name.len() - CLUSTER_DOMAIN.len() - 1]
        };
        if base.is_empty() || base == "svc" || base == "pod" {
            return Ok(Vec::new());
        }
        let segs: Vec<&str> = base.split('.').collect();
        if segs.iter().any(|s| s.is_empty()) {
            return Err(format!("NXDOMAIN: {name} is not a valid name"));
        }
        let kind = segs[segs.len() - 1];
        if kind != "svc" && kind != "pod" {
            return Err(format!(
                "NXDOMAIN: {name} is neither a Service name \
                 (<service>.<namespace>.svc.{CLUSTER_DOMAIN}) nor a pod name"
            ));
        }
        let rest = &segs[..segs.len() - 1];
        let Some((&namespace, rest)) = rest.split_last() else {
            return Ok(Vec::new());
        };
        if !self.namespaces.contains(namespace) {
            return Err(format!("NXDOMAIN: namespace {namespace} does not exist"));
        }
        let Some((&service, labels)) = rest.split_last() else {
            // <ns>.svc.cluster.local exists but holds no records itself.
            return Ok(Vec::new());
        };
        if kind == "pod" {
            return pod_record(name, namespace, service);
        }
        let (endpoint, port, protocol) = match labels {
            [] => ("", "", ""),
            [endpoint] => (*endpoint, "", ""),
            [port, protocol] => (
                "",
                port.strip_prefix('_').unwrap_or(port),
                protocol.strip_prefix('_').unwrap_or(protocol),
            ),
            _ => return Err(format!("NXDOMAIN: {name} has too many labels")),
        };
        self.find_service(namespace, service, endpoint, port, protocol)
    }

    /// CoreDNS's `findServices` for one `(namespace, service)` and the optional endpoint, port
    /// name and protocol labels of the question.
    fn find_service(
        &self,
        namespace: &str,
        name: &str,
        endpoint: &str,
        port: &str,
        protocol: &str,
    ) -> Items {
        let key = ObjectKey::new(namespace, name);
        let Some(svc) = self.services.get(&key) else {
            return Err(format!(
                "NXDOMAIN: no Service {name} in namespace {namespace}"
            ));
        };
        let svc_domain = [name, ".", namespace, ".svc.", CLUSTER_DOMAIN].concat();

        if svc.spec.type_ == ServiceType::ExternalName {
            if !endpoint.is_empty() || !port.is_empty() || !protocol.is_empty() {
                return Err(format!(
                    "NXDOMAIN: ExternalName Service {key} has no endpoints or ports"
                ));
            }
            return match svc.spec.external_name.as_deref() {
                Some(target) if !target.is_empty() && target.parse::<Ipv4Addr>().is_err() => {
                    Ok(vec![Item {
                        domain: svc_domain,
                        host: Host::Name(target.trim_end_matches('.').to_string()),
                        port: 0,
                    }])
                }
                _ => Err(format!(
                    "NXDOMAIN: ExternalName Service {key} has no externalName host"
                )),
            };
        }

        if svc.is_headless() || !endpoint.is_empty() {
            let mut items = Vec::new();
            for slice in self
                .slices
                .values()
                .filter(|s| s.meta.namespace == namespace && s.service == name)
            {
                let ports: Vec<(i64, &str, &str)> = if slice.ports.is_empty() {
                    vec![(-1, "", "")]
                } else {
                    slice
                        .ports
                        .iter()
                        .map(|p| (p.port, p.name.as_deref().unwrap_or(""), p.protocol.as_str()))
                        .collect()
                };
                for ep in slice.endpoints.iter().filter(|e| e.ready) {
                    let host = dashed(ep.ip);
                    if !endpoint.is_empty() && !endpoint.eq_ignore_ascii_case(&host) {
                        continue;
                    }
                    for &(number, port_name, port_protocol) in &ports {
                        if port_matches(port, port_name, protocol, port_protocol) {
                            items.push(Item {
                                domain: format!("{host}.{svc_domain}"),
                                host: Host::Ip(ep.ip),
                                port: number,
                            });
                        }
                    }
                }
            }
            if items.is_empty() {
                return Err(if !endpoint.is_empty() {
                    format!("NXDOMAIN: Service {key} has no ready endpoint {endpoint}")
                } else if !port.is_empty() || !protocol.is_empty() {
                    format!(
                        "NXDOMAIN: headless Service {key} has no ready endpoint with port \
                         {port}/{protocol}"
                    )
                } else {
                    format!("NXDOMAIN: headless Service {key} has no ready endpoints")
                });
            }
            return Ok(items);
        }

        let mut any_port = false;
        let mut items = Vec::new();
        for p in &svc.spec.ports {
            if !port_matches(
                port,
                p.name.as_deref().unwrap_or(""),
                protocol,
                p.protocol.as_str(),
            ) {
                continue;
            }
            any_port = true;
            if let ClusterIp::Ip(ip) = svc.spec.cluster_ip {
                items.push(Item {
                    domain: svc_domain.clone(),
                    host: Host::Ip(ip),
                    port: p.port,
                });
            }
        }
        if !any_port {
            return Err(format!(
                "NXDOMAIN: Service {key} has no port named {port} with protocol {protocol}"
            ));
        }
        Ok(items)
    }

    /// PTR records for `ip`: the Service whose cluster IP it is, else every ready endpoint with it.
    fn ptr_records(&self, shown: &str, ip: Ipv4Addr) -> Vec<Record> {
        if let Some(svc) = self
            .services
            .values()
            .find(|s| s.spec.cluster_ip == ClusterIp::Ip(ip))
        {
            let target = format!(
                "{}.{}.svc.{CLUSTER_DOMAIN}",
                svc.meta.name, svc.meta.namespace
            );
            return vec![record(shown, RData::Ptr(target))];
        }
        let mut records = Vec::new();
        for slice in self.slices.values() {
            for ep in slice.endpoints.iter().filter(|e| e.ready && e.ip == ip) {
                let target = format!(
                    "{}.{}.{}.svc.{CLUSTER_DOMAIN}",
                    dashed(ep.ip),
                    slice.service,
                    slice.meta.namespace
                );
                records.push(record(shown, RData::Ptr(target)));
            }
        }
        records
    }
}

fn record(name: &str, data: RData) -> Record {
    Record {
        name: name.to_string(),
        ttl: TTL,
        data,
    }
}

fn in_domain(name: &str, domain: &str) -> bool {
    name == domain
        || (name.len() > domain.len()
            && name.ends_with(domain)
            && name.as_bytes()[name.len() - domain.len() - 1] == b'.')
}

fn dashed(ip: Ipv4Addr) -> String {
    ip.to_string().replace('.', "-")
}

/// CoreDNS's `matchPortAndProtocol`: an empty question label matches anything.
fn port_matches(want_port: &str, port: &str, want_protocol: &str, protocol: &str) -> bool {
    (want_port.is_empty() || want_port.eq_ignore_ascii_case(port))
        && (want_protocol.is_empty() || want_protocol.eq_ignore_ascii_case(protocol))
}

/// `pods insecure`: `10-244-1-5.<ns>.pod.cluster.local` answers `10.244.1.5` for any existing
/// namespace, whether or not such a pod exists.
fn pod_record(name: &str, namespace: &str, podname: &str) -> Items {
    let ip = if podname.matches('-').count() == 3 && !podname.contains("--") {
        podname.replace('-', ".").parse::<Ipv4Addr>().ok()
    } else {
        None
    };
    match ip {
        Some(ip) => Ok(vec![Item {
            domain: format!("{podname}.{namespace}.pod.{CLUSTER_DOMAIN}"),
            host: Host::Ip(ip),
            port: 0,
        }]),
        None => Err(format!(
            "NXDOMAIN: {name}: {podname} is not a dashed pod IP such as 10-244-1-5"
        )),
    }
}

/// `157.23.96.10.in-addr.arpa` → `10.96.23.157`.
fn parse_reverse(name: &str) -> Option<Ipv4Addr> {
    let labels = name.strip_suffix(".in-addr.arpa")?;
    let octets: Vec<u8> = labels
        .split('.')
        .map(|l| l.parse::<u8>().ok())
        .collect::<Option<Vec<u8>>>()?;
    match octets[..] {
        [d, c, b, a] => Some(Ipv4Addr::new(a, b, c, d)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The libc resolver's walk

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

// ---------------------------------------------------------------------------------------------
// busybox nslookup

/// One run of busybox 1.36 `nslookup NAME` in a pod: every question, in the order sent (and, in
/// svclab, answered).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nslookup {
    /// The name as typed.
    pub name: String,
    pub server: Ipv4Addr,
    pub queries: Vec<Query>,
}

impl Nslookup {
    /// No reply at all: `;; connection timed out; no servers could be reached`.
    pub fn timed_out(&self) -> bool {
        !self.queries.is_empty() && self.queries.iter().all(|q| q.answer.is_none())
    }

    /// Every IPv4 address printed, in order.
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        self.queries
            .iter()
            .filter_map(|q| q.answer.as_ref())
            .flat_map(Answer::addresses)
            .collect()
    }

    /// busybox's exit status: 1 when it timed out or any reply was an error (so `nslookup NAME`
    /// of a short name exits 1 even when it found the name, because of the other search domains).
    pub fn exit_code(&self) -> i32 {
        let failed = self.timed_out()
            || self
                .queries
                .iter()
                .filter_map(|q| q.answer.as_ref())
                .any(|a| a.rcode != Rcode::NoError);
        i32::from(failed)
    }
}

/// The questions busybox 1.36 `nslookup` sends for `name` typed in a pod of `namespace`, in order.
/// `qtype` is `-type=...`; without it: `PTR` for an IPv4 address, else `A` then `AAAA`. A name
/// without any dot is sent once per search domain (never bare); any other name exactly as typed.
pub fn nslookup_queries(name: &str, namespace: &str, qtype: Option<QType>) -> Vec<(String, QType)> {
    if name.is_empty() {
        return Vec::new();
    }
    let with_search = |qtype: QType| -> Vec<(String, QType)> {
        if qtype == QType::Ptr || name.contains('.') {
            vec![(name.to_string(), qtype)]
        } else {
            search_list(namespace)
                .into_iter()
                .map(|domain| (format!("{name}.{domain}"), qtype))
                .collect()
        }
    };
    match qtype {
        Some(qtype) => with_search(qtype),
        None => match name.parse::<Ipv4Addr>() {
            Ok(ip) => vec![(reverse_name(ip), QType::Ptr)],
            Err(_) => {
                let mut queries = with_search(QType::A);
                queries.extend(with_search(QType::Aaaa));
                queries
            }
        },
    }
}

/// busybox `nslookup name` from a pod in `namespace`, answered by `zone`.
pub fn nslookup(zone: &Zone<'_>, name: &str, namespace: &str, qtype: Option<QType>) -> Nslookup {
    nslookup_with(name, namespace, qtype, |qname, qtype| {
        Some(zone.query(qname, qtype))
    })
}

/// busybox `nslookup` with the delivery left to the caller (`None`: that question got no reply).
pub fn nslookup_with<F>(name: &str, namespace: &str, qtype: Option<QType>, mut send: F) -> Nslookup
where
    F: FnMut(&str, QType) -> Option<Answer>,
{
    let queries = nslookup_queries(name, namespace, qtype)
        .into_iter()
        .map(|(qname, qtype)| {
            let answer = send(&qname, qtype);
            Query {
                name: qname,
                qtype,
                answer,
            }
        })
        .collect();
    Nslookup {
        name: name.to_string(),
        server: NAMESERVER,
        queries,
    }
}

/// What busybox 1.36 `nslookup` prints, byte for byte: the server block once the first reply is
/// in, then each reply followed by an empty line (so an empty NODATA reply, such as every `AAAA`
/// in svclab, shows as a bare empty line), then `*** Can't find NAME: No answer` for questions
/// that got none. Nothing answered: the timeout line.
pub fn nslookup_output(run: &Nslookup) -> String {
    if run.queries.is_empty() {
        return String::new();
    }
    if run.timed_out() {
        return ";; connection timed out; no servers could be reached\n\n".to_string();
    }
    let mut out = format!("Server:\t\t{}\nAddress:\t{}:53\n\n", run.server, run.server);
    for q in &run.queries {
        let Some(answer) = &q.answer else { continue };
        if answer.rcode != Rcode::NoError {
            out.push_str(&format!(
                "** server can't find {}: {}\n",
                q.name,
                answer.rcode.as_str()
            ));
        } else {
            if !answer.authoritative() {
                out.push_str("Non-authoritative answer:\n");
            }
            for r in &answer.answers {
                out.push_str(&busybox_record(r));
            }
        }
        out.push('\n');
    }
    let mut unanswered = false;
    for q in run.queries.iter().filter(|q| q.answer.is_none()) {
        out.push_str(&format!("*** Can't find {}: No answer\n", q.name));
        unanswered = true;
    }
    if unanswered {
        out.push('\n');
    }
    out
}

/// One answer record as busybox's `parse_reply` prints it.
fn busybox_record(r: &Record) -> String {
    match &r.data {
        RData::A(ip) => format!("Name:\t{}\nAddress: {ip}\n", r.name),
        RData::Cname(target) => format!("{}\tcanonical name = {target}\n", r.name),
        RData::Ptr(target) => format!("{}\tname = {target}\n", r.name),
        RData::Srv {
            priority,
            weight,
            port,
            target,
        } => format!(
            "{}\tservice = {priority} {weight} {port} {target}\n",
            r.name
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// CoreDNS's own log

/// The reload plugin's hash of kubeadm's default Corefile, as every kubeadm cluster logs it.
pub const KUBEADM_COREFILE_SHA512: &str = "591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908";

/// What `kubectl logs` of a CoreDNS pod shows on a kubeadm cluster: the startup lines only, since
/// kubeadm's Corefile does not enable the `log` plugin.
pub fn coredns_startup_log() -> String {
    format!(
        ".:53\n[INFO] plugin/reload: Running configuration SHA512 = {KUBEADM_COREFILE_SHA512}\n\
         CoreDNS-{COREDNS_VERSION}\nlinux/amd64, go1.21.11, a6338e9\n"
    )
}

/// The `log` plugin's line (its default "common" format) for one UDP question, when the Corefile
/// enables `log`: `[INFO] 10.244.1.5:41234 - 12345 "A IN backend-service.default.svc.cluster.local.
/// udp 59 false 512" NOERROR qr,aa,rd 116 0.000123s`. Clients send no EDNS, hence `false 512`.
pub fn coredns_query_log(client: SocketAddrV4, id: u16, answer: &Answer, took: Duration) -> String {
    format!(
        "[INFO] {}:{} - {id} \"{} IN {}. udp {} false 512\" {} {} {} {}s",
        client.ip(),
        client.port(),
        answer.qtype,
        answer.qname,
        answer.request_size(),
        answer.rcode,
        answer.flags(),
        answer.response_size(),
        took.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_text_is_what_display_writes() {
        let records = [
            record(
                "web.default.svc.cluster.local",
                RData::A(Ipv4Addr::new(10, 96, 23, 157)),
            ),
            record(
                "x.default.svc.cluster.local",
                RData::Cname("example.com".into()),
            ),
            record(
                "157.23.96.10.in-addr.arpa",
                RData::Ptr("web.default.svc.cluster.local".into()),
            ),
            record(
                "_http._tcp.web.default.svc.cluster.local",
                RData::Srv {
                    priority: 0,
                    weight: 100,
                    port: 80,
                    target: "web.default.svc.cluster.local".into(),
                },
            ),
        ];
        for r in records {
            let mut text = String::new();
            r.push_text(&mut text);
            assert_eq!(text, r.to_string());
        }
    }
}
