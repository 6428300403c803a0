//! CoreDNS's `kubernetes` plugin over the cluster's Services, EndpointSlices and Namespaces.

use std::net::Ipv4Addr;

use super::record::record;
use super::{Answer, AnsweredBy, QType, RData, Rcode, Record, Upstream, CLUSTER_DOMAIN};
use crate::map::{SortedMap, SortedSet};
use crate::model::{ClusterIp, EndpointSlice, Namespace, ObjectKey, Service, ServiceType};

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
                    // CoreDNS's `endpointHostname`: the endpoint's hostname, else its dashed IP.
                    let host = ep.hostname.clone().unwrap_or_else(|| dashed(ep.ip));
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
                let host = ep.hostname.clone().unwrap_or_else(|| dashed(ep.ip));
                let target = format!(
                    "{host}.{}.{}.svc.{CLUSTER_DOMAIN}",
                    slice.service, slice.meta.namespace
                );
                records.push(record(shown, RData::Ptr(target)));
            }
        }
        records
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
