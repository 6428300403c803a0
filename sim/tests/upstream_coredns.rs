//! CoreDNS's answers as its kubernetes plugin's own tests expect them (`upstream/coredns.txt`):
//! upstream's Services and endpoints become svclab's (one world per test file), each question
//! goes to svclab's zone, and the rcode, answer and additional records are compared (TTLs
//! aside, sorted).

#[path = "upstream/suite.rs"]
mod suite;

use std::net::Ipv4Addr;

use svclab_sim::dns::{QType, Zone};
use svclab_sim::map::SortedMap;
use svclab_sim::model::{
    ClusterIp, Endpoint, EndpointPort, EndpointSlice, IntOrString, ObjectKey, ObjectMeta, Protocol,
    Service, ServicePort, ServiceSpec, ServiceType,
};

use suite::{data, Suite};

fn ip(s: &str) -> Ipv4Addr {
    s.parse()
        .unwrap_or_else(|_| panic!("coredns.txt: {s} is no IPv4 address"))
}

/// `http:80/TCP` as a name, a number and a protocol.
fn port(spec: &str) -> (Option<String>, i64, Protocol) {
    let (name, rest) = spec.split_once(':').unwrap_or(("", spec));
    let (number, proto) = rest.split_once('/').unwrap_or((rest, "TCP"));
    (
        (!name.is_empty()).then(|| name.to_string()),
        number.parse().unwrap_or(0),
        Protocol::parse(proto).unwrap_or(Protocol::Tcp),
    )
}

fn key(s: &str) -> ObjectKey {
    let (ns, name) = s.split_once('/').unwrap_or(("default", s));
    ObjectKey::new(ns, name)
}

fn qtype(s: &str) -> QType {
    match s {
        "A" => QType::A,
        "AAAA" => QType::Aaaa,
        "CNAME" => QType::Cname,
        "PTR" => QType::Ptr,
        "SRV" => QType::Srv,
        other => panic!("coredns.txt: question type {other} is not one svclab asks"),
    }
}

/// A record's text without its TTL (`name. 5 IN A 1.2.3.4` as `name. IN A 1.2.3.4`).
fn without_ttl(record: &str) -> String {
    let w: Vec<&str> = record.split_whitespace().collect();
    let mut out = vec![w.first().copied().unwrap_or_default()];
    out.extend(w.iter().skip(2));
    out.join(" ")
}

fn records(field: &str) -> Vec<String> {
    let mut out: Vec<String> = field
        .split(" ; ")
        .filter(|r| !r.trim().is_empty())
        .map(without_ttl)
        .collect();
    out.sort();
    out
}

/// One world of `coredns.txt` (a `=== ` section): its objects, then its questions.
fn world(text: &str, suite: &mut Suite) {
    let mut namespaces: Vec<String> = Vec::new();
    let mut services: SortedMap<ObjectKey, Service> = SortedMap::new();
    let mut slices: SortedMap<ObjectKey, EndpointSlice> = SortedMap::new();
    let mut cases: Vec<Vec<&str>> = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w[0] {
            "namespaces" => namespaces.extend(w[1..].iter().map(|s| s.to_string())),
            "svc" => {
                let k = key(w[1]);
                let cluster_ip = match w[2] {
                    "None" => ClusterIp::Headless,
                    a => ClusterIp::Ip(ip(a)),
                };
                let ports = w[3..]
                    .iter()
                    .map(|p| {
                        let (name, number, protocol) = port(p);
                        ServicePort {
                            name,
                            protocol,
                            port: number,
                            target_port: IntOrString::Int(number),
                            node_port: None,
                        }
                    })
                    .collect();
                let svc = Service {
                    meta: ObjectMeta::new(&k.namespace, &k.name),
                    spec: ServiceSpec {
                        ports,
                        cluster_ip,
                        ..Default::default()
                    },
                    ..Default::default()
                };
                services.insert(k, svc);
            }
            "ext" => {
                let k = key(w[1]);
                let svc = Service {
                    meta: ObjectMeta::new(&k.namespace, &k.name),
                    spec: ServiceSpec {
                        type_: ServiceType::ExternalName,
                        external_name: Some(w[2].to_string()),
                        cluster_ip: ClusterIp::NoIp,
                        ..Default::default()
                    },
                    ..Default::default()
                };
                services.insert(k, svc);
            }
            "eps" => {
                let k = key(w[1]);
                let ports = if w[2] == "-" {
                    Vec::new()
                } else {
                    let (name, number, protocol) = port(w[2]);
                    vec![EndpointPort {
                        name,
                        port: number,
                        protocol,
                    }]
                };
                let endpoints = w[3..]
                    .iter()
                    .enumerate()
                    .map(|(i, a)| Endpoint {
                        ip: ip(a),
                        pod: format!("{}-{i}", k.name),
                        node: "kind-worker".into(),
                        hostname: None,
                        ready: true,
                        serving: true,
                        terminating: false,
                    })
                    .collect();
                let name = format!("{}-slice1", k.name);
                slices.insert(
                    ObjectKey::new(&k.namespace, &name),
                    EndpointSlice {
                        meta: ObjectMeta::new(&k.namespace, &name),
                        service: k.name.clone(),
                        ports,
                        endpoints,
                    },
                );
            }
            "case" | "skip" => cases.push(line.split('\t').collect()),
            other => panic!("coredns.txt: unknown line kind {other}"),
        }
    }
    let zone = Zone::new(&namespaces, &services, &slices);
    for c in cases {
        let name = format!("{} {}", c[1], c[2]);
        if c[0] == "skip" {
            suite.skip(&name, c.get(3).copied().unwrap_or_default());
            continue;
        }
        let answer = zone.query(c[1], qtype(c[2]));
        let (want_answer, want_extra) = (
            records(c.get(4).copied().unwrap_or_default()),
            records(c.get(5).copied().unwrap_or_default()),
        );
        let got_answer = records(
            &answer
                .answers
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(" ; "),
        );
        let got_extra = records(
            &answer
                .additional
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(" ; "),
        );
        let ok =
            answer.rcode.as_str() == c[3] && got_answer == want_answer && got_extra == want_extra;
        suite.case(&name, ok, || {
            format!(
                "{} answer {got_answer:?} additional {got_extra:?}",
                answer.rcode.as_str()
            )
        });
    }
}

#[test]
fn coredns_answers_as_its_own_tests_expect() {
    let text = data("coredns.txt");
    let mut suite = Suite::new("CoreDNS");
    for section in text.split("\n=== ").skip(1) {
        world(
            section.split_once('\n').map_or("", |(_, body)| body),
            &mut suite,
        );
    }
    suite.finish(32);
}
