//! Cluster DNS: the pod's resolv.conf, the resolver's walk, CoreDNS's answers and busybox's output,
//! compared whole.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;
use svclab_sim::map::SortedMap;

use svclab_sim::dns::{
    self, candidates, coredns_query_log, coredns_startup_log, nslookup, nslookup_output,
    nslookup_with, resolv_conf, resolve, resolve_with, Answer, LookupResult, QType, Resolution,
    Upstream, Zone,
};
use svclab_sim::model::{
    ClusterIp, Endpoint, EndpointPort, EndpointSlice, IntOrString, ObjectKey, ObjectMeta, Protocol,
    Service, ServicePort, ServiceSpec, ServiceType,
};

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn port(name: Option<&str>, number: i64, protocol: Protocol) -> ServicePort {
    ServicePort {
        name: name.map(str::to_string),
        protocol,
        port: number,
        target_port: IntOrString::Int(number),
        node_port: None,
    }
}

fn service(ns: &str, name: &str, cluster_ip: ClusterIp, ports: Vec<ServicePort>) -> Service {
    Service {
        meta: ObjectMeta::new(ns, name),
        spec: ServiceSpec {
            ports,
            cluster_ip,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn external(ns: &str, name: &str, target: &str) -> Service {
    Service {
        meta: ObjectMeta::new(ns, name),
        spec: ServiceSpec {
            type_: ServiceType::ExternalName,
            external_name: Some(target.to_string()),
            cluster_ip: ClusterIp::NoIp,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn slice(
    ns: &str,
    name: &str,
    service: &str,
    ports: Vec<EndpointPort>,
    endpoints: &[(&str, bool)],
) -> EndpointSlice {
    EndpointSlice {
        meta: ObjectMeta::new(ns, name),
        service: service.to_string(),
        ports,
        endpoints: endpoints
            .iter()
            .enumerate()
            .map(|(i, (addr, ready))| Endpoint {
                ip: ip(addr),
                pod: format!("{service}-pod-{i}"),
                node: "kind-worker".to_string(),
                hostname: None,
                ready: *ready,
                serving: *ready,
                terminating: false,
            })
            .collect(),
    }
}

struct World {
    services: SortedMap<ObjectKey, Service>,
    slices: SortedMap<ObjectKey, EndpointSlice>,
}

const NAMESPACES: [&str; 5] = [
    "default",
    "dev",
    "kube-node-lease",
    "kube-public",
    "kube-system",
];

/// The seed's world: `backend-service` only in `default`, a headless `web` with 3 ready and 1
/// not-ready endpoints, a headless `db` with none ready, two ExternalName Services.
fn world() -> World {
    let http = || EndpointPort {
        name: Some("http".to_string()),
        port: 8080,
        protocol: Protocol::Tcp,
    };
    let services = [
        service(
            "default",
            "kubernetes",
            ClusterIp::Ip(ip("10.96.0.1")),
            vec![port(Some("https"), 443, Protocol::Tcp)],
        ),
        service(
            "kube-system",
            "kube-dns",
            ClusterIp::Ip(ip("10.96.0.10")),
            vec![
                port(Some("dns"), 53, Protocol::Udp),
                port(Some("dns-tcp"), 53, Protocol::Tcp),
                port(Some("metrics"), 9153, Protocol::Tcp),
            ],
        ),
        service(
            "default",
            "backend-service",
            ClusterIp::Ip(ip("10.96.23.157")),
            vec![port(Some("http"), 80, Protocol::Tcp)],
        ),
        service(
            "default",
            "web",
            ClusterIp::Headless,
            vec![port(Some("http"), 8080, Protocol::Tcp)],
        ),
        service(
            "default",
            "db",
            ClusterIp::Headless,
            vec![port(None, 5432, Protocol::Tcp)],
        ),
        external("default", "external-api", "api.example.com"),
        external(
            "default",
            "backend-alias",
            "backend-service.default.svc.cluster.local",
        ),
    ];
    let slices = [
        slice(
            "default",
            "backend-service-x7k2p",
            "backend-service",
            vec![http()],
            &[("10.244.1.5", true), ("10.244.2.6", true)],
        ),
        slice(
            "default",
            "web-m4q9z",
            "web",
            vec![http()],
            &[
                ("10.244.1.10", true),
                ("10.244.2.11", true),
                ("10.244.1.12", false),
                ("10.244.2.13", true),
            ],
        ),
        slice(
            "default",
            "db-h5t8w",
            "db",
            vec![EndpointPort {
                name: None,
                port: 5432,
                protocol: Protocol::Tcp,
            }],
            &[("10.244.1.20", false)],
        ),
    ];
    World {
        services: services.into_iter().map(|s| (s.key(), s)).collect(),
        slices: slices
            .into_iter()
            .map(|s| (ObjectKey::new(&s.meta.namespace, &s.meta.name), s))
            .collect(),
    }
}

fn zone(w: &World) -> Zone<'_> {
    Zone::new(NAMESPACES, &w.services, &w.slices)
}

/// An answer as one line of status and its records, one per line.
fn show(answer: &Answer) -> String {
    let mut out = format!(
        "{} {}{}",
        answer.rcode,
        answer.flags(),
        if answer.is_nodata() { " NODATA" } else { "" }
    );
    for r in &answer.answers {
        out.push_str(&format!("\n{r}"));
    }
    for r in &answer.additional {
        out.push_str(&format!("\n+ {r}"));
    }
    out
}

/// A resolver walk: each question sent with its reply, then the result.
fn show_walk(res: &Resolution) -> String {
    let mut out = String::new();
    for q in &res.queries {
        let reply = match &q.answer {
            None => "(no reply)".to_string(),
            Some(a) if a.is_nodata() => "NODATA".to_string(),
            Some(a) if a.rcode != dns::Rcode::NoError => a.rcode.to_string(),
            Some(a) => a
                .addresses()
                .iter()
                .map(Ipv4Addr::to_string)
                .collect::<Vec<_>>()
                .join(","),
        };
        out.push_str(&format!("{} {} -> {reply}\n", q.qtype, q.name));
    }
    out.push_str(&format!("= {:?}", res.result));
    out
}

#[test]
fn resolv_conf_of_a_cluster_first_pod() {
    let rows = [
        (
            "default",
            "search default.svc.cluster.local svc.cluster.local cluster.local\n\
             nameserver 10.96.0.10\n\
             options ndots:5\n",
        ),
        (
            "dev",
            "search dev.svc.cluster.local svc.cluster.local cluster.local\n\
             nameserver 10.96.0.10\n\
             options ndots:5\n",
        ),
    ];
    for (ns, want) in rows {
        assert_eq!(resolv_conf(ns), want, "namespace {ns}");
    }
}

#[test]
fn search_list_walk() {
    let rows: [(&str, &str, &[&str]); 7] = [
        (
            "backend-service",
            "default",
            &[
                "backend-service.default.svc.cluster.local",
                "backend-service.svc.cluster.local",
                "backend-service.cluster.local",
                "backend-service",
            ],
        ),
        (
            "backend-service.default",
            "dev",
            &[
                "backend-service.default.dev.svc.cluster.local",
                "backend-service.default.svc.cluster.local",
                "backend-service.default.cluster.local",
                "backend-service.default",
            ],
        ),
        (
            "backend-service.dev",
            "default",
            &[
                "backend-service.dev.default.svc.cluster.local",
                "backend-service.dev.svc.cluster.local",
                "backend-service.dev.cluster.local",
                "backend-service.dev",
            ],
        ),
        (
            // 4 dots: still fewer than ndots, so the search list comes first.
            "backend-service.default.svc.cluster.local",
            "default",
            &[
                "backend-service.default.svc.cluster.local.default.svc.cluster.local",
                "backend-service.default.svc.cluster.local.svc.cluster.local",
                "backend-service.default.svc.cluster.local.cluster.local",
                "backend-service.default.svc.cluster.local",
            ],
        ),
        (
            "backend-service.default.svc.cluster.local.",
            "default",
            &["backend-service.default.svc.cluster.local"],
        ),
        (
            "a.b.c.d.e.f",
            "dev",
            &[
                "a.b.c.d.e.f",
                "a.b.c.d.e.f.dev.svc.cluster.local",
                "a.b.c.d.e.f.svc.cluster.local",
                "a.b.c.d.e.f.cluster.local",
            ],
        ),
        ("", "default", &[]),
    ];
    for (name, ns, want) in rows {
        assert_eq!(candidates(name, ns), want, "{name} from {ns}");
    }
    assert!(candidates(".", "default").is_empty());
    assert!(candidates("a..", "default").is_empty());
}

#[test]
fn coredns_answers() {
    let w = world();
    let z = zone(&w);
    let rows: &[(&str, QType, &str)] = &[
        (
            "backend-service.default.svc.cluster.local",
            QType::A,
            "NOERROR qr,aa,rd\n\
             backend-service.default.svc.cluster.local. 30 IN A 10.96.23.157",
        ),
        (
            "Backend-Service.Default.svc.cluster.local.",
            QType::A,
            "NOERROR qr,aa,rd\n\
             Backend-Service.Default.svc.cluster.local. 30 IN A 10.96.23.157",
        ),
        (
            // A ClusterIP Service answers even with no endpoints at all (this one has no slice).
            "kubernetes.default.svc.cluster.local",
            QType::A,
            "NOERROR qr,aa,rd\nkubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1",
        ),
        (
            "backend-service.default.svc.cluster.local",
            QType::Aaaa,
            "NOERROR qr,aa,rd NODATA",
        ),
        (
            "backend-service.dev.svc.cluster.local",
            QType::A,
            "NXDOMAIN qr,aa,rd",
        ),
        (
            "backend-service.svc.cluster.local",
            QType::A,
            "NXDOMAIN qr,aa,rd",
        ),
        (
            "backend-service.cluster.local",
            QType::A,
            "NXDOMAIN qr,aa,rd",
        ),
        ("nosuch.svc.cluster.local", QType::A, "NXDOMAIN qr,aa,rd"),
        (
            "default.svc.cluster.local",
            QType::A,
            "NOERROR qr,aa,rd NODATA",
        ),
        ("svc.cluster.local", QType::A, "NOERROR qr,aa,rd NODATA"),
        ("cluster.local", QType::A, "NOERROR qr,aa,rd NODATA"),
        (
            "a.b.backend-service.default.svc.cluster.local",
            QType::A,
            "NXDOMAIN qr,aa,rd",
        ),
        // The ClusterIP Service's ready endpoints have names too.
        (
            "10-244-1-5.backend-service.default.svc.cluster.local",
            QType::A,
            "NOERROR qr,aa,rd\n\
             10-244-1-5.backend-service.default.svc.cluster.local. 30 IN A 10.244.1.5",
        ),
        (
            "10-244-1-5.default.pod.cluster.local",
            QType::A,
            "NOERROR qr,aa,rd\n10-244-1-5.default.pod.cluster.local. 30 IN A 10.244.1.5",
        ),
        (
            "10-244-1-5.nosuch.pod.cluster.local",
            QType::A,
            "NXDOMAIN qr,aa,rd",
        ),
        ("google.com", QType::A, "NXDOMAIN qr,rd,ra"),
        ("backend-service.dev", QType::A, "NXDOMAIN qr,rd,ra"),
        (
            "157.23.96.10.in-addr.arpa",
            QType::Ptr,
            "NOERROR qr,aa,rd\n\
             157.23.96.10.in-addr.arpa. 30 IN PTR backend-service.default.svc.cluster.local.",
        ),
        (
            "10.1.244.10.in-addr.arpa",
            QType::Ptr,
            "NOERROR qr,aa,rd\n\
             10.1.244.10.in-addr.arpa. 30 IN PTR 10-244-1-10.web.default.svc.cluster.local.",
        ),
        // Not a cluster IP, not a ready endpoint: falls through to the upstream.
        ("12.1.244.10.in-addr.arpa", QType::Ptr, "NXDOMAIN qr,rd,ra"),
    ];
    for (qname, qtype, want) in rows {
        assert_eq!(show(&z.query(qname, *qtype)), *want, "{qtype} {qname}");
    }
}

#[test]
fn matched_describes_the_deciding_record() {
    let w = world();
    let z = zone(&w);
    let rows = [
        (
            "backend-service.default.svc.cluster.local",
            "backend-service.default.svc.cluster.local. 30 IN A 10.96.23.157",
        ),
        (
            "backend-service.dev.svc.cluster.local",
            "NXDOMAIN: no Service backend-service in namespace dev",
        ),
        (
            "backend-service.svc.cluster.local",
            "NXDOMAIN: namespace backend-service does not exist",
        ),
        (
            "backend-service.cluster.local",
            "NXDOMAIN: backend-service.cluster.local is neither a Service name \
             (<service>.<namespace>.svc.cluster.local) nor a pod name",
        ),
        (
            "db.default.svc.cluster.local",
            "NXDOMAIN: headless Service default/db has no ready endpoints",
        ),
        (
            "google.com",
            "NXDOMAIN: google.com is outside cluster.local; CoreDNS forwards it upstream and \
             svclab's upstream knows no internet names",
        ),
    ];
    for (qname, want) in rows {
        assert_eq!(z.query(qname, QType::A).matched, want, "{qname}");
    }
    assert_eq!(
        z.query("backend-service.default.svc.cluster.local", QType::Aaaa)
            .matched,
        "NODATA: backend-service.default.svc.cluster.local exists but has no AAAA record"
    );
}

#[test]
fn resolver_walk_from_two_namespaces() {
    let w = world();
    let z = zone(&w);
    let rows = [
        (
            "backend-service",
            "default",
            "A backend-service.default.svc.cluster.local -> 10.96.23.157\n\
             = Found { name: \"backend-service.default.svc.cluster.local\", records: [Record { name: \"backend-service.default.svc.cluster.local\", ttl: 30, data: A(10.96.23.157) }] }",
        ),
        (
            "backend-service",
            "dev",
            "A backend-service.dev.svc.cluster.local -> NXDOMAIN\n\
             A backend-service.svc.cluster.local -> NXDOMAIN\n\
             A backend-service.cluster.local -> NXDOMAIN\n\
             A backend-service -> NXDOMAIN\n\
             = NxDomain",
        ),
        (
            "backend-service.default",
            "dev",
            "A backend-service.default.dev.svc.cluster.local -> NXDOMAIN\n\
             A backend-service.default.svc.cluster.local -> 10.96.23.157\n\
             = Found { name: \"backend-service.default.svc.cluster.local\", records: [Record { name: \"backend-service.default.svc.cluster.local\", ttl: 30, data: A(10.96.23.157) }] }",
        ),
        (
            "backend-service.dev",
            "default",
            "A backend-service.dev.default.svc.cluster.local -> NXDOMAIN\n\
             A backend-service.dev.svc.cluster.local -> NXDOMAIN\n\
             A backend-service.dev.cluster.local -> NXDOMAIN\n\
             A backend-service.dev -> NXDOMAIN\n\
             = NxDomain",
        ),
        (
            "kubernetes.default",
            "dev",
            "A kubernetes.default.dev.svc.cluster.local -> NXDOMAIN\n\
             A kubernetes.default.svc.cluster.local -> 10.96.0.1\n\
             = Found { name: \"kubernetes.default.svc.cluster.local\", records: [Record { name: \"kubernetes.default.svc.cluster.local\", ttl: 30, data: A(10.96.0.1) }] }",
        ),
        (
            // ExternalName: only a CNAME comes back, no address anywhere.
            "external-api",
            "default",
            "A external-api.default.svc.cluster.local -> \n\
             A external-api.svc.cluster.local -> NXDOMAIN\n\
             A external-api.cluster.local -> NXDOMAIN\n\
             A external-api -> NXDOMAIN\n\
             = NoData",
        ),
    ];
    for (name, ns, want) in rows {
        assert_eq!(
            show_walk(&resolve(&z, name, ns, QType::A)),
            want,
            "{name} from {ns}"
        );
    }
}

#[test]
fn resolver_gives_up_when_coredns_does_not_answer() {
    let res = resolve_with("backend-service", "default", QType::A, |_, _| None);
    assert_eq!(
        show_walk(&res),
        "A backend-service.default.svc.cluster.local -> (no reply)\n= TimedOut"
    );
    assert_eq!(res.result, LookupResult::TimedOut);
    assert_eq!(res.matched(), None);
}

#[test]
fn servfail_upstream() {
    let w = world();
    let z = zone(&w).with_upstream(Upstream::ServFail);
    assert_eq!(show(&z.query("google.com", QType::A)), "SERVFAIL qr,rd");
    let res = resolve(&z, "google.com", "default", QType::A);
    assert_eq!(
        show_walk(&res),
        "A google.com.default.svc.cluster.local -> NXDOMAIN\n\
         A google.com.svc.cluster.local -> NXDOMAIN\n\
         A google.com.cluster.local -> NXDOMAIN\n\
         A google.com -> SERVFAIL\n\
         = ServFail"
    );
}

#[test]
fn headless_service() {
    let w = world();
    let z = zone(&w);
    let rows: &[(&str, QType, &str)] = &[
        (
            "web.default.svc.cluster.local",
            QType::A,
            "NOERROR qr,aa,rd\n\
             web.default.svc.cluster.local. 30 IN A 10.244.1.10\n\
             web.default.svc.cluster.local. 30 IN A 10.244.2.11\n\
             web.default.svc.cluster.local. 30 IN A 10.244.2.13",
        ),
        (
            "10-244-2-11.web.default.svc.cluster.local",
            QType::A,
            "NOERROR qr,aa,rd\n10-244-2-11.web.default.svc.cluster.local. 30 IN A 10.244.2.11",
        ),
        // The not-ready endpoint has no name.
        ("10-244-1-12.web.default.svc.cluster.local", QType::A, "NXDOMAIN qr,aa,rd"),
        ("web.default.svc.cluster.local", QType::Aaaa, "NOERROR qr,aa,rd NODATA"),
        // None ready.
        ("db.default.svc.cluster.local", QType::A, "NXDOMAIN qr,aa,rd"),
        (
            "_http._tcp.web.default.svc.cluster.local",
            QType::Srv,
            "NOERROR qr,aa,rd\n\
             _http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 33 8080 10-244-1-10.web.default.svc.cluster.local.\n\
             _http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 33 8080 10-244-2-11.web.default.svc.cluster.local.\n\
             _http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 33 8080 10-244-2-13.web.default.svc.cluster.local.\n\
             + 10-244-1-10.web.default.svc.cluster.local. 30 IN A 10.244.1.10\n\
             + 10-244-2-11.web.default.svc.cluster.local. 30 IN A 10.244.2.11\n\
             + 10-244-2-13.web.default.svc.cluster.local. 30 IN A 10.244.2.13",
        ),
    ];
    for (qname, qtype, want) in rows {
        assert_eq!(show(&z.query(qname, *qtype)), *want, "{qtype} {qname}");
    }
    assert_eq!(
        z.query("web.default.svc.cluster.local", QType::A).matched,
        "web.default.svc.cluster.local. 30 IN A 10.244.1.10\n\
         web.default.svc.cluster.local. 30 IN A 10.244.2.11\n\
         web.default.svc.cluster.local. 30 IN A 10.244.2.13"
    );
}

#[test]
fn external_name_service() {
    let w = world();
    let z = zone(&w);
    let rows: &[(&str, QType, &str)] = &[
        (
            "external-api.default.svc.cluster.local",
            QType::A,
            "NOERROR qr,aa,rd\n\
             external-api.default.svc.cluster.local. 30 IN CNAME api.example.com.",
        ),
        (
            "external-api.default.svc.cluster.local",
            QType::Aaaa,
            "NOERROR qr,aa,rd\n\
             external-api.default.svc.cluster.local. 30 IN CNAME api.example.com.",
        ),
        (
            "external-api.default.svc.cluster.local",
            QType::Cname,
            "NOERROR qr,aa,rd\n\
             external-api.default.svc.cluster.local. 30 IN CNAME api.example.com.",
        ),
        (
            "_http._tcp.external-api.default.svc.cluster.local",
            QType::Srv,
            "NXDOMAIN qr,aa,rd",
        ),
        // A target inside the cluster is followed.
        (
            "backend-alias.default.svc.cluster.local",
            QType::A,
            "NOERROR qr,aa,rd\n\
             backend-alias.default.svc.cluster.local. 30 IN CNAME backend-service.default.svc.cluster.local.\n\
             backend-service.default.svc.cluster.local. 30 IN A 10.96.23.157",
        ),
        ("backend-alias.default.svc.cluster.local", QType::Aaaa, "NOERROR qr,aa,rd NODATA"),
    ];
    for (qname, qtype, want) in rows {
        assert_eq!(show(&z.query(qname, *qtype)), *want, "{qtype} {qname}");
    }
}

#[test]
fn srv_for_named_ports() {
    let w = world();
    let z = zone(&w);
    let rows: &[(&str, &str)] = &[
        (
            "_http._tcp.backend-service.default.svc.cluster.local",
            "NOERROR qr,aa,rd\n\
             _http._tcp.backend-service.default.svc.cluster.local. 30 IN SRV 0 100 80 backend-service.default.svc.cluster.local.\n\
             + backend-service.default.svc.cluster.local. 30 IN A 10.96.23.157",
        ),
        (
            "_dns._udp.kube-dns.kube-system.svc.cluster.local",
            "NOERROR qr,aa,rd\n\
             _dns._udp.kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.\n\
             + kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10",
        ),
        (
            // Every port, weight shared.
            "kube-dns.kube-system.svc.cluster.local",
            "NOERROR qr,aa,rd\n\
             kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 33 53 kube-dns.kube-system.svc.cluster.local.\n\
             kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 33 9153 kube-dns.kube-system.svc.cluster.local.\n\
             + kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10",
        ),
        ("_http._udp.backend-service.default.svc.cluster.local", "NXDOMAIN qr,aa,rd"),
        ("_grpc._tcp.backend-service.default.svc.cluster.local", "NXDOMAIN qr,aa,rd"),
    ];
    for (qname, want) in rows {
        assert_eq!(show(&z.query(qname, QType::Srv)), *want, "SRV {qname}");
    }
}

#[test]
fn busybox_nslookup_output() {
    let w = world();
    let z = zone(&w);
    let rows: &[(&str, &str, Option<QType>, &str, i32)] = &[
        (
            // The REFERENCE.md block, then the AAAA reply's empty line.
            "backend-service.default.svc.cluster.local",
            "default",
            None,
            "Server:\t\t10.96.0.10\n\
             Address:\t10.96.0.10:53\n\
             \n\
             Name:\tbackend-service.default.svc.cluster.local\n\
             Address: 10.96.23.157\n\
             \n\
             \n",
            0,
        ),
        (
            // A short name: one question per search domain, for A and for AAAA.
            "backend-service",
            "default",
            None,
            "Server:\t\t10.96.0.10\n\
             Address:\t10.96.0.10:53\n\
             \n\
             Name:\tbackend-service.default.svc.cluster.local\n\
             Address: 10.96.23.157\n\
             \n\
             ** server can't find backend-service.svc.cluster.local: NXDOMAIN\n\
             \n\
             ** server can't find backend-service.cluster.local: NXDOMAIN\n\
             \n\
             \n\
             ** server can't find backend-service.svc.cluster.local: NXDOMAIN\n\
             \n\
             ** server can't find backend-service.cluster.local: NXDOMAIN\n\
             \n",
            1,
        ),
        (
            "backend-service.dev",
            "default",
            None,
            "Server:\t\t10.96.0.10\n\
             Address:\t10.96.0.10:53\n\
             \n\
             ** server can't find backend-service.dev: NXDOMAIN\n\
             \n\
             ** server can't find backend-service.dev: NXDOMAIN\n\
             \n",
            1,
        ),
        (
            // busybox sends a dotted name as typed: no search list, unlike curl.
            "backend-service.default",
            "dev",
            None,
            "Server:\t\t10.96.0.10\n\
             Address:\t10.96.0.10:53\n\
             \n\
             ** server can't find backend-service.default: NXDOMAIN\n\
             \n\
             ** server can't find backend-service.default: NXDOMAIN\n\
             \n",
            1,
        ),
        (
            "web.default.svc.cluster.local",
            "default",
            None,
            "Server:\t\t10.96.0.10\n\
             Address:\t10.96.0.10:53\n\
             \n\
             Name:\tweb.default.svc.cluster.local\n\
             Address: 10.244.1.10\n\
             Name:\tweb.default.svc.cluster.local\n\
             Address: 10.244.2.11\n\
             Name:\tweb.default.svc.cluster.local\n\
             Address: 10.244.2.13\n\
             \n\
             \n",
            0,
        ),
        (
            "external-api.default.svc.cluster.local",
            "default",
            None,
            "Server:\t\t10.96.0.10\n\
             Address:\t10.96.0.10:53\n\
             \n\
             external-api.default.svc.cluster.local\tcanonical name = api.example.com\n\
             \n\
             external-api.default.svc.cluster.local\tcanonical name = api.example.com\n\
             \n",
            0,
        ),
        (
            "10.96.23.157",
            "default",
            None,
            "Server:\t\t10.96.0.10\n\
             Address:\t10.96.0.10:53\n\
             \n\
             157.23.96.10.in-addr.arpa\tname = backend-service.default.svc.cluster.local\n\
             \n",
            0,
        ),
        (
            "_http._tcp.backend-service.default.svc.cluster.local",
            "default",
            Some(QType::Srv),
            "Server:\t\t10.96.0.10\n\
             Address:\t10.96.0.10:53\n\
             \n\
             _http._tcp.backend-service.default.svc.cluster.local\tservice = 0 100 80 backend-service.default.svc.cluster.local\n\
             \n",
            0,
        ),
    ];
    for (name, ns, qtype, want, code) in rows {
        let run = nslookup(&z, name, ns, *qtype);
        assert_eq!(nslookup_output(&run), *want, "nslookup {name} from {ns}");
        assert_eq!(run.exit_code(), *code, "exit code of nslookup {name}");
    }
}

#[test]
fn busybox_nslookup_timeout_and_missing_replies() {
    let run = nslookup_with("backend-service", "default", None, |_, _| None);
    assert_eq!(run.queries.len(), 6);
    assert!(run.timed_out());
    assert_eq!(
        nslookup_output(&run),
        ";; connection timed out; no servers could be reached\n\n"
    );
    assert_eq!(run.exit_code(), 1);

    // Only the A question is answered.
    let w = world();
    let z = zone(&w);
    let run = nslookup_with(
        "backend-service.default.svc.cluster.local",
        "default",
        None,
        |q, t| (t == QType::A).then(|| z.query(q, t)),
    );
    assert_eq!(
        nslookup_output(&run),
        "Server:\t\t10.96.0.10\n\
         Address:\t10.96.0.10:53\n\
         \n\
         Name:\tbackend-service.default.svc.cluster.local\n\
         Address: 10.96.23.157\n\
         \n\
         *** Can't find backend-service.default.svc.cluster.local: No answer\n\
         \n"
    );
    assert_eq!(run.addresses(), vec![ip("10.96.23.157")]);
}

#[test]
fn busybox_nslookup_with_a_servfail_upstream() {
    let w = world();
    let z = zone(&w).with_upstream(Upstream::ServFail);
    let run = nslookup(&z, "google.com", "default", None);
    assert_eq!(
        nslookup_output(&run),
        "Server:\t\t10.96.0.10\n\
         Address:\t10.96.0.10:53\n\
         \n\
         ** server can't find google.com: SERVFAIL\n\
         \n\
         ** server can't find google.com: SERVFAIL\n\
         \n"
    );
}

#[test]
fn coredns_logs() {
    assert_eq!(
        coredns_startup_log(),
        ".:53\n\
         [INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908\n\
         CoreDNS-1.14.2\n\
         linux/amd64, go1.26.1, dd1df4f\n"
    );

    let w = world();
    let z = zone(&w);
    let client = SocketAddrV4::new(ip("10.244.1.5"), 41234);
    let took = Duration::from_micros(123);
    let rows = [
        (
            "backend-service.default.svc.cluster.local",
            QType::A,
            "[INFO] 10.244.1.5:41234 - 12345 \"A IN backend-service.default.svc.cluster.local. udp 59 false 512\" NOERROR qr,aa,rd 116 0.000123s",
        ),
        // Sizes as real CoreDNS logs them for the kubernetes Service.
        (
            "kubernetes.default.svc.cluster.local",
            QType::A,
            "[INFO] 10.244.1.5:41234 - 12345 \"A IN kubernetes.default.svc.cluster.local. udp 54 false 512\" NOERROR qr,aa,rd 106 0.000123s",
        ),
        (
            "kubernetes.default.svc.cluster.local",
            QType::Aaaa,
            "[INFO] 10.244.1.5:41234 - 12345 \"AAAA IN kubernetes.default.svc.cluster.local. udp 54 false 512\" NOERROR qr,aa,rd 147 0.000123s",
        ),
        (
            "kubernetes.svc.cluster.local",
            QType::A,
            "[INFO] 10.244.1.5:41234 - 12345 \"A IN kubernetes.svc.cluster.local. udp 46 false 512\" NXDOMAIN qr,aa,rd 139 0.000123s",
        ),
        (
            "google.com",
            QType::A,
            "[INFO] 10.244.1.5:41234 - 12345 \"A IN google.com. udp 28 false 512\" NXDOMAIN qr,rd,ra 28 0.000123s",
        ),
    ];
    for (qname, qtype, want) in rows {
        let answer = z.query(qname, qtype);
        assert_eq!(
            coredns_query_log(client, 12345, &answer, took),
            want,
            "{qtype} {qname}"
        );
    }
}
