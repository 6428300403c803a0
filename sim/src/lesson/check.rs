//! The checks a lesson's tasks are judged by: a small typed vocabulary, each evaluated against the
//! world and the requests sent since the lesson started.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use crate::cluster::Cluster;
use crate::kube_proxy::ProxyMode;
use crate::manifest::{FileError, FileValue};
use crate::model::{ClusterIp, ObjectKey, Service, ServiceType};
use crate::time::Time;
use crate::trace::{Client, HopVerdict, Outcome, Tool, Trace};

/// One check. In a lesson file each is a map with one key naming it
/// (`requestSucceeds: {from: test, to: backend-service}`); an unknown name is an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// The latest finished request (curl or wget) from `from` to the Service `to` got an answer.
    /// `from` is a pod (`test`, `namespace/name`) or `outside` (the learner's laptop); `to` is a
    /// Service (`name` in `from`'s namespace, or `name.namespace`), reached by any of its names or
    /// addresses.
    RequestSucceeds { from: String, to: String },
    /// The latest finished `nslookup` from `from` of a name of the Service `service` answered.
    Resolves { from: String, service: String },
    /// The Service has exactly `count` endpoints, all ready.
    ReadyEndpoints { service: String, count: usize },
    /// Of the last `last` finished requests from `from` to `to`, all answered, and they reached at
    /// least `at_least` and at most `at_most` different pods.
    Spread {
        from: String,
        to: String,
        last: usize,
        at_least: Option<usize>,
        at_most: Option<usize>,
    },
    /// At least one request was sent, and none of the last `last` was dropped by a NetworkPolicy.
    NoPolicyDrops { last: usize },
    /// The Service exists with this `type` (`ClusterIP`, `NodePort`, `LoadBalancer`,
    /// `ExternalName`).
    ServiceType { service: String, type_: String },
    /// The Service exists and is headless (`clusterIP: None`).
    Headless { service: String },
    /// kube-proxy runs in this mode (`iptables`, `nftables` or `ipvs`).
    ProxyMode { mode: String },
    /// Every check in the list holds.
    AllOf(Vec<Check>),
}

/// The names a lesson file gives the checks, in the order messages list them.
const CHECKS: &[&str] = &[
    "requestSucceeds",
    "resolves",
    "readyEndpoints",
    "spread",
    "noPolicyDrops",
    "serviceType",
    "headless",
    "proxyMode",
    "allOf",
];

impl Check {
    /// A check as a lesson file writes it: a map whose one key names the check. Unknown keys are
    /// refused with the list of known ones.
    pub(super) fn read(value: &FileValue) -> Result<Check, FileError> {
        let f = value.fields(CHECKS)?;
        let (name, args) = f.one_of(CHECKS).map_err(|written| {
            f.error(if written == 0 {
                format!("a check needs one of {}", CHECKS.join(", "))
            } else {
                "a check names exactly one kind; put several under allOf".to_string()
            })
        })?;
        // Each kind with the fields it reads (an unknown one is refused, naming these).
        Ok(match name {
            "allOf" => Check::AllOf(args.list(Check::read)?),
            "requestSucceeds" => {
                let a = args.fields(&["from", "to"])?;
                Check::RequestSucceeds {
                    from: a.text("from")?,
                    to: a.text("to")?,
                }
            }
            "resolves" => {
                let a = args.fields(&["from", "service"])?;
                Check::Resolves {
                    from: a.text("from")?,
                    service: a.text("service")?,
                }
            }
            "readyEndpoints" => {
                let a = args.fields(&["service", "count"])?;
                Check::ReadyEndpoints {
                    service: a.text("service")?,
                    count: a.count("count")?,
                }
            }
            "spread" => {
                let a = args.fields(&["from", "to", "last", "atLeast", "atMost"])?;
                // Left out or null: no bound.
                let bound = |key| {
                    a.get(key)
                        .filter(|v| !v.is_null())
                        .map(|v| v.count())
                        .transpose()
                };
                Check::Spread {
                    from: a.text("from")?,
                    to: a.text("to")?,
                    last: a.count("last")?,
                    at_least: bound("atLeast")?,
                    at_most: bound("atMost")?,
                }
            }
            "noPolicyDrops" => Check::NoPolicyDrops {
                last: args.fields(&["last"])?.count("last")?,
            },
            "serviceType" => {
                let a = args.fields(&["service", "type"])?;
                Check::ServiceType {
                    service: a.text("service")?,
                    type_: a.text("type")?,
                }
            }
            "headless" => Check::Headless {
                service: args.fields(&["service"])?.text("service")?,
            },
            _ => Check::ProxyMode {
                mode: args.fields(&["mode"])?.text("mode")?,
            },
        })
    }
}

/// A check's answer, with a sentence saying why, for the learner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub solved: bool,
    pub detail: String,
}

impl Verdict {
    fn yes(detail: String) -> Verdict {
        Verdict {
            solved: true,
            detail,
        }
    }

    fn no(detail: String) -> Verdict {
        Verdict {
            solved: false,
            detail,
        }
    }
}

impl Check {
    /// A problem with the check itself that a lesson file's author must fix (a type or mode
    /// that does not exist, a zero count), found when the lesson is loaded.
    pub fn problem(&self) -> Option<String> {
        match self {
            Check::ServiceType { type_, .. } if service_type(type_).is_none() => Some(format!(
                "serviceType: unknown type {type_:?}; expected ClusterIP, NodePort, LoadBalancer or ExternalName"
            )),
            Check::ProxyMode { mode } if proxy_mode(mode).is_none() => Some(format!(
                "proxyMode: unknown mode {mode:?}; expected iptables, nftables or ipvs"
            )),
            Check::Spread { last: 0, .. } => Some("spread: last must be at least 1".into()),
            Check::Spread {
                at_least: None,
                at_most: None,
                ..
            } => Some("spread: give atLeast, atMost or both".into()),
            Check::NoPolicyDrops { last: 0 } => {
                Some("noPolicyDrops: last must be at least 1".into())
            }
            Check::AllOf(checks) if checks.is_empty() => {
                Some("allOf: give at least one check".into())
            }
            Check::AllOf(checks) => checks.iter().find_map(Check::problem),
            _ => None,
        }
    }

    /// Judge the world, counting only requests sent at or after `since` (the lesson's start).
    pub fn evaluate(&self, cluster: &Cluster, since: Time) -> Verdict {
        match self {
            Check::RequestSucceeds { from, to } => {
                let (client, service) = match parties(cluster, from, to) {
                    Ok(p) => p,
                    Err(v) => return v,
                };
                let latest = requests(cluster, since, &client, service, false).next();
                match latest {
                    None => Verdict::no(format!(
                        "no request from {from} to {} has finished yet: send one",
                        service.meta.name
                    )),
                    Some(t) if t.outcome.is_success() => Verdict::yes(format!(
                        "the latest request from {from} to {} got an answer{}",
                        service.meta.name,
                        answered_by(&t.outcome)
                    )),
                    Some(t) => Verdict::no(format!(
                        "the latest request from {from} to {} failed: {}",
                        service.meta.name,
                        failure(&t.outcome)
                    )),
                }
            }
            Check::Resolves { from, service } => {
                let (client, service) = match parties(cluster, from, service) {
                    Ok(p) => p,
                    Err(v) => return v,
                };
                let latest = requests(cluster, since, &client, service, true).next();
                match latest {
                    None => Verdict::no(format!(
                        "no nslookup from {from} of {} has finished yet",
                        service.meta.name
                    )),
                    Some(t) if t.outcome.is_success() => Verdict::yes(format!(
                        "nslookup {} from {from} answered",
                        t.request.target
                    )),
                    Some(t) => Verdict::no(format!(
                        "nslookup {} from {from} failed: {}",
                        t.request.target,
                        failure(&t.outcome)
                    )),
                }
            }
            Check::ReadyEndpoints { service, count } => {
                let Some(svc) = find_service(cluster, service, "default") else {
                    return Verdict::no(format!("there is no Service {service}"));
                };
                let (ready, all) = endpoint_counts(cluster, svc);
                let detail = format!(
                    "{} has {ready} ready of {all} endpoint{} (wanted {count}, all ready)",
                    svc.meta.name,
                    plural(all)
                );
                if ready == *count && all == *count {
                    Verdict::yes(detail)
                } else {
                    Verdict::no(detail)
                }
            }
            Check::Spread {
                from,
                to,
                last,
                at_least,
                at_most,
            } => {
                let (client, service) = match parties(cluster, from, to) {
                    Ok(p) => p,
                    Err(v) => return v,
                };
                let recent: Vec<&Trace> = requests(cluster, since, &client, service, false)
                    .take(*last)
                    .collect();
                if recent.len() < *last {
                    return Verdict::no(format!(
                        "{} of the {last} requests from {from} to {} needed have finished",
                        recent.len(),
                        service.meta.name
                    ));
                }
                if let Some(t) = recent.iter().find(|t| !t.outcome.is_success()) {
                    return Verdict::no(format!(
                        "a recent request from {from} to {} failed: {}",
                        service.meta.name,
                        failure(&t.outcome)
                    ));
                }
                let pods: BTreeSet<&str> = recent
                    .iter()
                    .filter_map(|t| match &t.outcome {
                        Outcome::Http { pod, .. } => Some(pod.name.as_str()),
                        _ => None,
                    })
                    .collect();
                let n = pods.len();
                let detail = format!(
                    "the last {last} requests from {from} reached {n} different pod{}",
                    plural(n)
                );
                let enough = at_least.is_none_or(|k| n >= k);
                let few_enough = at_most.is_none_or(|k| n <= k);
                if enough && few_enough {
                    Verdict::yes(detail)
                } else {
                    Verdict::no(detail)
                }
            }
            Check::NoPolicyDrops { last } => {
                let recent: Vec<&Trace> = finished(cluster, since).take(*last).collect();
                if recent.is_empty() {
                    return Verdict::no("no request has finished yet: send one".into());
                }
                let dropped = recent.iter().filter(|t| dropped_by_policy(t)).count();
                if dropped == 0 {
                    Verdict::yes(format!(
                        "none of the last {} requests was dropped by a NetworkPolicy",
                        recent.len()
                    ))
                } else {
                    Verdict::no(format!(
                        "{dropped} of the last {} requests {} dropped by a NetworkPolicy",
                        recent.len(),
                        if dropped == 1 { "was" } else { "were" }
                    ))
                }
            }
            Check::ServiceType { service, type_ } => {
                let Some(svc) = find_service(cluster, service, "default") else {
                    return Verdict::no(format!("there is no Service {service}"));
                };
                let is = svc.spec.type_.as_str();
                if Some(svc.spec.type_) == service_type(type_) {
                    Verdict::yes(format!("{} is of type {is}", svc.meta.name))
                } else {
                    Verdict::no(format!("{} is of type {is}, not {type_}", svc.meta.name))
                }
            }
            Check::Headless { service } => match find_service(cluster, service, "default") {
                None => Verdict::no(format!("there is no Service {service}")),
                Some(svc) if svc.is_headless() => {
                    Verdict::yes(format!("{} is headless (clusterIP: None)", svc.meta.name))
                }
                Some(svc) => Verdict::no(format!(
                    "{} has a cluster IP; a headless Service has clusterIP: None",
                    svc.meta.name
                )),
            },
            Check::ProxyMode { mode } => {
                let now = cluster.proxy_mode();
                if Some(now) == proxy_mode(mode) {
                    Verdict::yes(format!("kube-proxy runs in {} mode", now.as_str()))
                } else {
                    Verdict::no(format!(
                        "kube-proxy runs in {} mode, not {mode}",
                        now.as_str()
                    ))
                }
            }
            Check::AllOf(checks) => {
                let verdicts: Vec<Verdict> =
                    checks.iter().map(|c| c.evaluate(cluster, since)).collect();
                let solved = verdicts.iter().all(|v| v.solved);
                let detail = verdicts
                    .into_iter()
                    .map(|v| v.detail)
                    .collect::<Vec<_>>()
                    .join("; ");
                Verdict { solved, detail }
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn service_type(name: &str) -> Option<ServiceType> {
    [
        ServiceType::ClusterIp,
        ServiceType::NodePort,
        ServiceType::LoadBalancer,
        ServiceType::ExternalName,
    ]
    .into_iter()
    .find(|t| t.as_str() == name)
}

fn proxy_mode(name: &str) -> Option<ProxyMode> {
    ProxyMode::parse(name)
}

/// Who sends: a pod, or the learner's laptop outside the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Sender {
    Pod(ObjectKey),
    Outside,
}

impl Sender {
    fn namespace(&self) -> &str {
        match self {
            Sender::Pod(key) => &key.namespace,
            Sender::Outside => "default",
        }
    }

    fn sent(&self, client: &Client) -> bool {
        match (self, client) {
            (Sender::Pod(key), Client::Pod(c)) => key == c,
            (Sender::Outside, Client::External) => true,
            _ => false,
        }
    }
}

fn sender(name: &str) -> Sender {
    if name == "outside" {
        return Sender::Outside;
    }
    match name.split_once('/') {
        Some((ns, pod)) => Sender::Pod(ObjectKey::new(ns, pod)),
        None => Sender::Pod(ObjectKey::new("default", name)),
    }
}

/// The Service named `name` (in `namespace`) or `name.namespace`.
fn find_service<'c>(cluster: &'c Cluster, name: &str, namespace: &str) -> Option<&'c Service> {
    let key = match name.split_once('.') {
        Some((name, ns)) => ObjectKey::new(ns, name),
        None => ObjectKey::new(namespace, name),
    };
    cluster.services().get(&key)
}

fn parties<'c>(
    cluster: &'c Cluster,
    from: &str,
    to: &str,
) -> Result<(Sender, &'c Service), Verdict> {
    let client = sender(from);
    let service = find_service(cluster, to, client.namespace())
        .ok_or_else(|| Verdict::no(format!("there is no Service {to}")))?;
    Ok((client, service))
}

/// (ready, all) endpoints of the Service's slices.
fn endpoint_counts(cluster: &Cluster, service: &Service) -> (usize, usize) {
    let slices = cluster.service_slices(&service.key());
    let all = slices.iter().flat_map(|s| s.endpoints.iter());
    (all.clone().filter(|e| e.ready).count(), all.count())
}

/// Finished requests sent at or after `since`, newest first.
fn finished(cluster: &Cluster, since: Time) -> impl Iterator<Item = &Trace> {
    let now = cluster.now();
    cluster
        .traces()
        .iter()
        .rev()
        .filter(move |t| t.start >= since && !t.in_flight(now))
}

/// Finished requests (`lookups`: nslookups; otherwise curl and wget) from `client` to any name or
/// address of `service`, newest first.
fn requests<'c>(
    cluster: &'c Cluster,
    since: Time,
    client: &'c Sender,
    service: &'c Service,
    lookups: bool,
) -> impl Iterator<Item = &'c Trace> + 'c {
    let nodes: Vec<Ipv4Addr> = cluster.nodes().iter().map(|n| n.internal_ip).collect();
    finished(cluster, since).filter(move |t| {
        client.sent(&t.request.client)
            && (t.request.tool == Tool::Nslookup) == lookups
            && names(&t.request.target, client.namespace(), service, &nodes)
    })
}

/// Does `target` (a URL, `host:port` or a name to look up) reach `service` from a client in
/// `namespace`: by its short name, `name.namespace`, the `.svc` names, its ClusterIP, its
/// LoadBalancer IP, or a node's IP at one of its NodePorts?
fn names(target: &str, namespace: &str, service: &Service, nodes: &[Ipv4Addr]) -> bool {
    let rest = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
        .unwrap_or(target);
    let authority = rest.split('/').next().unwrap_or(rest);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<i64>().ok()),
        None => (authority, None),
    };
    let host = host.trim_end_matches('.');
    let (name, ns) = (&service.meta.name, &service.meta.namespace);
    let by_name = (host == name && namespace == ns)
        || host == format!("{name}.{ns}")
        || host == format!("{name}.{ns}.svc")
        || host == format!("{name}.{ns}.svc.cluster.local");
    if by_name {
        return true;
    }
    let Ok(ip) = host.parse::<Ipv4Addr>() else {
        return false;
    };
    if service.spec.cluster_ip == ClusterIp::Ip(ip) || service.status.load_balancer_ip == Some(ip) {
        return true;
    }
    nodes.contains(&ip)
        && service
            .spec
            .ports
            .iter()
            .any(|p| p.node_port.is_some() && p.node_port == port)
}

fn dropped_by_policy(trace: &Trace) -> bool {
    trace
        .hops
        .iter()
        .any(|h| h.verdict == HopVerdict::Dropped && h.rules.iter().any(|r| r.table == "netpol"))
}

fn answered_by(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Http { pod, .. } | Outcome::Datagram { pod, .. } => {
            format!(" from {}", pod.name)
        }
        _ => String::new(),
    }
}

fn failure(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Http { status, .. } => format!("HTTP {status}"),
        Outcome::Resolved { .. } => "answered".into(),
        Outcome::Datagram { answered: true, .. } => "answered".into(),
        Outcome::Datagram { pod, .. } => format!("no answer from {}", pod.name),
        Outcome::Nxdomain { name } => format!("NXDOMAIN for {name}"),
        Outcome::DnsTimeout => "the DNS lookup timed out".into(),
        Outcome::ConnectionRefused => "connection refused".into(),
        Outcome::Timeout => "it timed out".into(),
        Outcome::HostUnreachable => "host unreachable".into(),
        Outcome::Invalid { message } => message.clone(),
    }
}
