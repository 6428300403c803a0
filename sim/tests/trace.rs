//! Requests end to end: every hop, every rewrite, and each way a request fails.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use svclab_sim::action::Action;
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::kube_proxy::ProxyMode;
use svclab_sim::model::ObjectKey;
use svclab_sim::time::SECOND;
use svclab_sim::trace::{Client, HopVerdict, Outcome, PacketKind, Place, Request, Tool, Trace};

fn world(manifest: &str) -> Cluster {
    let mut c = Cluster::new(Config::default());
    c.apply(manifest, SEED_FILENAME).expect("applies");
    c.act(Action::Run {
        namespace: "default".into(),
        name: "test".into(),
        image: "busybox".into(),
        command: vec!["sh".into()],
    })
    .unwrap();
    c.advance(10 * SECOND);
    c
}

fn send(c: &mut Cluster, client: &str, tool: Tool, target: &str) -> Trace {
    let (ns, name) = client.split_once('/').unwrap_or(("default", client));
    let id = c.send(Request {
        payload: String::new(),
        client: Client::Pod(ObjectKey::new(ns, name)),
        tool,
        target: target.into(),
    });
    c.trace(id).unwrap().clone()
}

fn service_ip(c: &Cluster, name: &str) -> Ipv4Addr {
    c.services()[&ObjectKey::new("default", name)]
        .spec
        .cluster_ip
        .ip()
        .unwrap()
}

/// `from -> to [kind verdict]` per hop, with pod names shortened to their Deployment.
fn path(t: &Trace) -> Vec<String> {
    let short = |p: &Place| match p {
        Place::Pod(k) => match k.name.split('-').next() {
            Some("coredns") => "coredns".to_string(),
            Some("backend") => "backend".to_string(),
            _ => k.name.clone(),
        },
        Place::Node(n) => n.split('-').next_back().unwrap_or(n).to_string(),
        Place::External => "outside".into(),
        Place::LoadBalancer(_) => "lb".into(),
    };
    t.hops
        .iter()
        .map(|h| {
            format!(
                "{} -> {} [{} {:?}]",
                short(&h.from),
                short(&h.to),
                h.kind.as_str(),
                h.verdict
            )
        })
        .collect()
}

#[test]
fn wget_by_name_resolves_through_coredns_then_reaches_a_backend() {
    let mut c = world(SEED_MANIFEST);
    let t = send(&mut c, "test", Tool::Wget, "http://backend-service");
    let node = c.pods()[&ObjectKey::new("default", "test")]
        .spec
        .node_name
        .clone()
        .unwrap();
    let node = node.split('-').next_back().unwrap().to_string();
    let dns = [
        format!("test -> {node} [dns-query Forwarded]"),
        format!("{node} -> coredns [dns-query Delivered]"),
        format!("coredns -> {node} [dns-answer Forwarded]"),
        format!("{node} -> test [dns-answer Delivered]"),
    ];
    let http = [
        format!("test -> {node} [request Forwarded]"),
        format!("{node} -> backend [request Delivered]"),
        format!("backend -> {node} [reply Forwarded]"),
        format!("{node} -> test [reply Delivered]"),
    ];
    let want: Vec<String> = dns.iter().chain(http.iter()).cloned().collect();
    assert_eq!(path(&t), want);
    assert!(matches!(t.outcome, Outcome::Http { status: 200, .. }));
    assert!(t.output.contains("<title>Welcome to nginx!</title>"));
    // The DNS query is rewritten from the kube-dns Service IP to a CoreDNS pod by KUBE-SVC rules.
    let q = &t.hops[0];
    let tr = q.translation.as_ref().unwrap();
    assert_eq!(tr.before.dst.to_string(), "10.96.0.10:53");
    assert_eq!(tr.after.dst.ip().octets()[..3], [10, 244, 0]);
    assert!(
        q.rules
            .iter()
            .any(|r| r.chain == "KUBE-SVC-TCOU7JCQXEZGVUNU"),
        "{:#?}",
        q.rules
    );
    // The request is rewritten from the ClusterIP to a backend pod, and the reply back again.
    let ip = service_ip(&c, "backend-service");
    let req = &t.hops[4];
    let tr = req.translation.as_ref().unwrap();
    assert_eq!(*tr.before.dst.ip(), ip);
    let backend = *tr.after.dst.ip();
    let Outcome::Http { pod, .. } = &t.outcome else {
        unreachable!()
    };
    assert_eq!(c.pods()[pod].status.pod_ip, Some(backend));
    assert!(req
        .rules
        .iter()
        .any(|r| r.chain.starts_with("KUBE-SEP-") && r.text.contains("DNAT")));
    let reply = &t.hops[6];
    let un = reply.translation.as_ref().unwrap();
    assert_eq!(
        *un.after.src.ip(),
        ip,
        "the reply seems to come from the ClusterIP"
    );
    // Times run forward hop by hop on the virtual clock.
    assert!(t.hops.windows(2).all(|w| w[0].end <= w[1].start));
    assert_eq!(t.finish, t.hops.last().unwrap().end);
}

#[test]
fn iptables_mode_spreads_requests_at_random_and_ipvs_round_robins() {
    let mut c = world(SEED_MANIFEST);
    let ip = service_ip(&c, "backend-service");
    let target = format!("http://{ip}");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..300 {
        let t = send(&mut c, "test", Tool::Wget, &target);
        let Outcome::Http { pod, .. } = t.outcome else {
            panic!("{:?}", t.outcome)
        };
        *counts.entry(pod.name).or_default() += 1;
    }
    assert_eq!(counts.len(), 3);
    assert!(
        counts.values().all(|n| (60..=140).contains(n)),
        "{counts:?}"
    );

    c.act(Action::SetProxyMode {
        mode: ProxyMode::Ipvs,
    })
    .unwrap();
    let order: Vec<String> = (0..6)
        .map(
            |_| match send(&mut c, "test", Tool::Wget, &target).outcome {
                Outcome::Http { pod, .. } => pod.name,
                other => panic!("{other:?}"),
            },
        )
        .collect();
    assert_eq!(order[0..3], order[3..6], "IPVS rr repeats the same cycle");
    let distinct: std::collections::BTreeSet<&String> = order[0..3].iter().collect();
    assert_eq!(distinct.len(), 3, "each backend once per cycle: {order:?}");
}

#[test]
fn client_ip_affinity_sticks_to_one_backend() {
    let affine = SEED_MANIFEST.replace(
        "  type: ClusterIP",
        "  type: ClusterIP\n  sessionAffinity: ClientIP",
    );
    let mut c = world(&affine);
    let target = format!("http://{}", service_ip(&c, "backend-service"));
    let backends: std::collections::BTreeSet<String> = (0..30)
        .map(
            |_| match send(&mut c, "test", Tool::Wget, &target).outcome {
                Outcome::Http { pod, .. } => pod.name,
                other => panic!("{other:?}"),
            },
        )
        .collect();
    assert_eq!(backends.len(), 1);
}

#[test]
fn an_unknown_name_is_nxdomain_after_walking_the_search_list() {
    let mut c = world(SEED_MANIFEST);
    let t = send(&mut c, "test", Tool::Wget, "http://backend-service.dev");
    assert_eq!(
        t.outcome,
        Outcome::Nxdomain {
            name: "backend-service.dev".into()
        }
    );
    assert_eq!(t.output, "wget: bad address 'backend-service.dev'");
    let queries = t
        .hops
        .iter()
        .filter(|h| h.kind == PacketKind::DnsQuery && h.verdict == HopVerdict::Delivered)
        .count();
    assert_eq!(queries, 4, "three search domains, then the name as given");
    assert!(t.hops.iter().all(|h| h.kind != PacketKind::Request));
}

#[test]
fn nslookup_prints_busybox_output_and_reaches_other_namespaces_by_qualified_name() {
    let mut c = world(SEED_MANIFEST);
    c.apply(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n",
        "ns.yaml",
    )
    .unwrap();
    c.act(Action::Run {
        namespace: "dev".into(),
        name: "probe".into(),
        image: "busybox".into(),
        command: vec![],
    })
    .unwrap();
    c.advance(5 * SECOND);
    let ip = service_ip(&c, "backend-service");
    let t = send(
        &mut c,
        "test",
        Tool::Nslookup,
        "backend-service.default.svc.cluster.local",
    );
    assert_eq!(
        t.output,
        format!("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tbackend-service.default.svc.cluster.local\nAddress: {ip}\n\n\n")
    );
    assert_eq!(
        t.outcome,
        Outcome::Resolved {
            name: "backend-service.default.svc.cluster.local".into(),
            addresses: vec![ip]
        }
    );
    // From dev the short name finds nothing; wget's resolver finds `backend-service.default`.
    let t = send(&mut c, "dev/probe", Tool::Nslookup, "backend-service");
    assert!(
        matches!(t.outcome, Outcome::Nxdomain { .. }),
        "{:?}",
        t.outcome
    );
    assert!(
        t.output
            .contains("** server can't find backend-service.dev.svc.cluster.local: NXDOMAIN"),
        "{}",
        t.output
    );
    let t = send(
        &mut c,
        "dev/probe",
        Tool::Wget,
        "http://backend-service.default",
    );
    assert!(matches!(t.outcome, Outcome::Http { .. }), "{:?}", t.outcome);
}

#[test]
fn with_no_coredns_ready_lookups_time_out() {
    let mut c = world(SEED_MANIFEST);
    c.act(Action::Scale {
        namespace: "kube-system".into(),
        deployment: "coredns".into(),
        replicas: 0,
    })
    .unwrap();
    c.advance(5 * SECOND);
    let t = send(&mut c, "test", Tool::Nslookup, "backend-service");
    assert_eq!(t.outcome, Outcome::DnsTimeout);
    assert_eq!(
        t.output,
        ";; connection timed out; no servers could be reached\n\n"
    );
    assert!(t.finish >= t.start + 5 * SECOND);
    let t = send(&mut c, "test", Tool::Wget, "http://backend-service");
    assert_eq!(t.outcome, Outcome::DnsTimeout);
    assert_eq!(t.output, "wget: bad address 'backend-service'");
}

#[test]
fn broken_coredns_also_times_out() {
    let mut c = world(SEED_MANIFEST);
    c.act(Action::BreakCoreDns { broken: true }).unwrap();
    let t = send(&mut c, "test", Tool::Nslookup, "backend-service");
    assert_eq!(t.outcome, Outcome::DnsTimeout);
    c.act(Action::BreakCoreDns { broken: false }).unwrap();
    c.advance(15 * SECOND);
    let t = send(&mut c, "test", Tool::Nslookup, "backend-service");
    assert!(
        matches!(t.outcome, Outcome::Resolved { .. }),
        "{:?}",
        t.outcome
    );
}

#[test]
fn a_service_without_endpoints_refuses_connections() {
    let mut c = world(SEED_MANIFEST);
    c.act(Action::Scale {
        namespace: "default".into(),
        deployment: "backend".into(),
        replicas: 0,
    })
    .unwrap();
    c.advance(40 * SECOND);
    let ip = service_ip(&c, "backend-service");
    let t = send(&mut c, "test", Tool::Wget, "http://backend-service");
    assert_eq!(t.outcome, Outcome::ConnectionRefused);
    assert_eq!(
        t.output,
        format!("wget: can't connect to remote host ({ip}): Connection refused")
    );
    let last = t.hops.last().unwrap();
    assert_eq!(last.verdict, HopVerdict::Refused);
    assert!(
        last.rules
            .iter()
            .any(|r| r.table == "filter" && r.text.contains("has no endpoints")),
        "{:#?}",
        last.rules
    );
}

#[test]
fn a_pod_not_listening_on_the_target_port_resets_the_connection() {
    let mut c = world(&SEED_MANIFEST.replace("targetPort: 80", "targetPort: 8080"));
    let t = send(&mut c, "test", Tool::Curl, "http://backend-service");
    assert_eq!(t.outcome, Outcome::ConnectionRefused);
    assert!(
        t.output
            .starts_with("curl: (7) Failed to connect to backend-service port 80 after "),
        "{}",
        t.output
    );
    let last = t.hops.last().unwrap();
    assert!(matches!(&last.to, Place::Pod(k) if k.name.starts_with("backend-")));
    assert!(last.explanation.contains("nothing listening on port 8080"));
}

#[test]
fn a_network_policy_drop_looks_like_a_timeout() {
    let deny = format!(
        "{SEED_MANIFEST}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-backend\nspec:\n  podSelector:\n    matchLabels:\n      app: backend\n  policyTypes: [Ingress]\n"
    );
    let mut c = world(&deny);
    let ip = service_ip(&c, "backend-service");
    let t = send(&mut c, "test", Tool::Wget, "http://backend-service");
    assert_eq!(t.outcome, Outcome::Timeout);
    assert_eq!(
        t.output,
        format!("wget: can't connect to remote host ({ip}): Connection timed out")
    );
    assert_eq!(t.finish, t.start + 127 * SECOND);
    let last = t.hops.last().unwrap();
    assert_eq!(last.verdict, HopVerdict::Dropped);
    assert!(
        last.explanation.contains("default/deny-backend"),
        "{}",
        last.explanation
    );
}

#[test]
fn node_ports_and_load_balancers_take_traffic_from_outside() {
    let np = SEED_MANIFEST.replace("  type: ClusterIP", "  type: LoadBalancer");
    let mut c = world(&np);
    let svc = &c.services()[&ObjectKey::new("default", "backend-service")];
    let node_port = svc.spec.ports[0].node_port.unwrap();
    let lb = svc.status.load_balancer_ip.unwrap();
    assert!((30000..=32767).contains(&node_port));
    assert_eq!(lb, Ipv4Addr::new(172, 18, 255, 200));
    let outside = |c: &mut Cluster, target: String| {
        let id = c.send(Request {
            payload: String::new(),
            client: Client::External,
            tool: Tool::Curl,
            target,
        });
        c.trace(id).unwrap().clone()
    };
    let t = outside(&mut c, format!("http://172.18.0.3:{node_port}"));
    assert!(matches!(t.outcome, Outcome::Http { .. }), "{:?}", t.outcome);
    let first = &t.hops[0];
    assert_eq!(first.from, Place::External);
    let tr = first.translation.as_ref().unwrap();
    assert_eq!(
        *tr.after.src.ip(),
        Ipv4Addr::new(172, 18, 0, 3),
        "masqueraded to the node IP"
    );
    assert!(first.rules.iter().any(|r| r.chain == "KUBE-NODEPORTS"));
    assert!(first.rules.iter().any(|r| r.chain.starts_with("KUBE-EXT-")));
    // The reply: conntrack undoes both rewrites, back to the laptop from the node port.
    let reply = t
        .hops
        .iter()
        .find_map(|h| h.translation.as_ref().filter(|t| t.kind.starts_with("un-")))
        .expect("the reply is translated back");
    assert_eq!(reply.kind.as_str(), "un-DNAT+un-SNAT");
    assert_eq!(reply.after.dst, tr.before.src, "back to the laptop");
    assert_eq!(reply.after.src, tr.before.dst, "from the node port");
    let why = &t
        .hops
        .iter()
        .find(|h| {
            h.translation
                .as_ref()
                .is_some_and(|t| t.kind.starts_with("un-"))
        })
        .unwrap()
        .explanation;
    assert!(
        why.contains(&format!(
            "to come from 172.18.0.3:{node_port} and to go back to "
        )),
        "{why}"
    );
    let t = outside(&mut c, format!("http://{lb}"));
    assert!(matches!(t.outcome, Outcome::Http { .. }), "{:?}", t.outcome);
    assert!(matches!(t.hops[0].to, Place::LoadBalancer(_)));
}

#[test]
fn a_local_traffic_policy_drops_on_nodes_without_an_endpoint() {
    let local = SEED_MANIFEST.replace("replicas: 3", "replicas: 1").replace(
        "  type: ClusterIP",
        "  type: NodePort\n  externalTrafficPolicy: Local",
    );
    let mut c = world(&local);
    let node_port = c.services()[&ObjectKey::new("default", "backend-service")]
        .spec
        .ports[0]
        .node_port
        .unwrap();
    let backend_node = c
        .pods()
        .values()
        .find(|p| p.meta.name.starts_with("backend-"))
        .unwrap()
        .spec
        .node_name
        .clone()
        .unwrap();
    let other = c
        .nodes()
        .iter()
        .find(|n| !n.control_plane && n.meta.name != backend_node)
        .unwrap()
        .internal_ip;
    let id = c.send(Request {
        payload: String::new(),
        client: Client::External,
        tool: Tool::Curl,
        target: format!("http://{other}:{node_port}"),
    });
    let t = c.trace(id).unwrap();
    assert_eq!(t.outcome, Outcome::Timeout);
    assert!(t
        .hops
        .last()
        .unwrap()
        .rules
        .iter()
        .any(|r| r.text.contains("DROP")));
}

#[test]
fn a_pod_killed_while_the_packet_is_on_its_way_leaves_the_client_unreachable() {
    // terminationGracePeriodSeconds: 0, so the killed nginx is gone at once (with the default
    // 30 s it would finish quitting only after a packet already on the wire had arrived).
    let mut c = world(
        &SEED_MANIFEST.replace("replicas: 3", "replicas: 1").replace(
            "      containers:",
            "      terminationGracePeriodSeconds: 0\n      containers:",
        ),
    );
    let ip = service_ip(&c, "backend-service");
    let t = send(&mut c, "test", Tool::Wget, "http://backend-service");
    let Outcome::Http { pod, .. } = t.outcome.clone() else {
        panic!("{:?}", t.outcome)
    };
    // The name is resolved first; kill the backend once the connection is on its way to it.
    let opened = t
        .hops
        .iter()
        .find(|h| h.kind == PacketKind::Request)
        .unwrap()
        .start;
    c.advance(opened - c.now() + 1);
    c.act(Action::DeletePod {
        namespace: "default".into(),
        pod: pod.name.clone(),
    })
    .unwrap();
    c.advance(2 * SECOND);
    let after = c.trace(t.id).unwrap();
    assert_eq!(after.outcome, Outcome::HostUnreachable);
    assert_eq!(
        after.output,
        format!("wget: can't connect to remote host ({ip}): No route to host")
    );
    assert_eq!(after.hops.last().unwrap().verdict, HopVerdict::Dropped);
}

#[test]
fn a_backend_killed_while_the_client_resolves_the_name_is_not_chosen() {
    // kube-proxy picks a backend when the connection opens, after the DNS answer: a pod
    // deleted (or gone unready) before then is no longer among the Service's endpoints.
    let mut c = world(SEED_MANIFEST);
    let t = send(&mut c, "test", Tool::Wget, "http://backend-service");
    let Outcome::Http { pod: planned, .. } = t.outcome.clone() else {
        panic!("{:?}", t.outcome)
    };
    let planned_ip = c.pods()[&planned].status.pod_ip.unwrap();
    let dns_hops = t
        .hops
        .iter()
        .take_while(|h| h.kind != PacketKind::Request)
        .count();
    c.advance(SECOND / 2);
    c.act(Action::DeletePod {
        namespace: "default".into(),
        pod: planned.name.clone(),
    })
    .unwrap();
    c.advance(3 * SECOND);
    let after = c.trace(t.id).unwrap().clone();
    let Outcome::Http {
        pod: chosen,
        status,
    } = &after.outcome
    else {
        panic!("{:?}", after.outcome)
    };
    assert_eq!(*status, 200);
    assert_ne!(*chosen, planned);
    assert_eq!(after.output, t.output, "the same page, from another nginx");
    // The lookup already under way is kept as it was; only the connection is decided anew.
    assert_eq!(after.hops[..dns_hops], t.hops[..dns_hops]);
    assert!(after.hops[dns_hops].start == t.hops[dns_hops].start);
    assert!(after
        .hops
        .iter()
        .all(|h| *h.packet.dst.ip() != planned_ip && *h.packet.src.ip() != planned_ip));
    assert!(
        c.flows().all(|f| *f.reply.src.ip() != planned_ip),
        "no conntrack entry for the connection that never opened"
    );
}

#[test]
fn the_same_seed_routes_the_same_way() {
    let run = || {
        let mut c = world(SEED_MANIFEST);
        (0..20)
            .map(|_| send(&mut c, "test", Tool::Wget, "http://backend-service"))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}
