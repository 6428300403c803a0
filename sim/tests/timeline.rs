//! Simulation mode: the event list, Step, Back and seeking, from manifests and actions.

use svclab_sim::action::Action;
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::model::ObjectKey;
use svclab_sim::time::SECOND;
use svclab_sim::timeline::{Edge, Event, Filter, ProtocolFilter, Timeline, What, Where};
use svclab_sim::trace::{Client, HopVerdict, PacketKind, Request, Tool};

fn wget(target: &str) -> Request {
    Request {
        payload: String::new(),
        client: Client::Pod(ObjectKey::new("default", "test")),
        tool: Tool::Wget,
        target: target.into(),
    }
}

/// The seed applied, the busybox `test` pod running, everything settled.
fn seeded() -> Cluster {
    let mut c = Cluster::new(Config::default());
    c.apply(SEED_MANIFEST, SEED_FILENAME)
        .expect("the seed applies");
    c.act(Action::Run {
        namespace: "default".into(),
        name: "test".into(),
        image: "busybox".into(),
        command: vec!["sh".into()],
    })
    .expect("test runs");
    c.advance(10 * SECOND);
    c
}

/// Simulation mode from the settled seed, one request sent.
fn one_request() -> Timeline {
    let mut t = Timeline::new(seeded());
    t.act(Action::Send {
        request: wget("http://backend-service"),
    })
    .expect("sent");
    t
}

fn steps(t: &mut Timeline, n: usize) {
    for _ in 0..n {
        assert!(t.step(), "nothing left to step at event {}", t.cursor());
    }
}

/// Step until nothing is left to happen.
fn run_out(t: &mut Timeline) {
    for _ in 0..10_000 {
        if !t.step() {
            return;
        }
    }
    panic!("still stepping after 10,000 events");
}

fn summaries(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| format!("{} {} | {} | {}", e.number, e.time, e.at, e.summary()))
        .collect()
}

#[test]
fn a_request_lists_its_packets_hop_by_hop_with_the_dnat_at_kube_proxy() {
    let mut t = one_request();
    // The action itself is event 1, and current.
    assert_eq!(t.cursor(), 1);
    let first = t.current().expect("an event");
    assert_eq!(first.at, Where::Learner);
    assert!(matches!(first.what, What::Action(Action::Send { .. })));
    while t
        .world()
        .traces()
        .last()
        .is_some_and(|tr| tr.in_flight(t.world().now()))
    {
        assert!(t.step());
    }
    let trace = t.world().traces().last().expect("a trace").clone();
    let packets: Vec<&Event> = t
        .events()
        .iter()
        .filter(|e| e.hop().is_some_and(|(id, _)| id == trace.id))
        .collect();
    // Every hop arrives once, in hop order, in time order; the first packet leaves the client.
    let arrivals: Vec<usize> = packets
        .iter()
        .filter_map(|e| match e.what {
            What::Packet {
                hop,
                edge: Edge::Arrives,
                ..
            } => Some(hop),
            _ => None,
        })
        .collect();
    assert_eq!(arrivals, (0..trace.hops.len()).collect::<Vec<_>>());
    assert!(packets
        .windows(2)
        .all(|w| w[0].time <= w[1].time && w[0].hop().map(|h| h.1) <= w[1].hop().map(|h| h.1)));
    assert_eq!(packets[0].at, Where::Pod(ObjectKey::new("default", "test")));
    assert!(matches!(
        packets[0].what,
        What::Packet {
            edge: Edge::Leaves,
            kind: PacketKind::DnsQuery,
            ..
        }
    ));
    // kube-proxy rewrites the Service's ClusterIP:port to a backend pod's IP:port.
    let service_ip = t.world().services()[&ObjectKey::new("default", "backend-service")]
        .spec
        .cluster_ip
        .ip()
        .expect("a ClusterIP");
    let dnat = packets
        .iter()
        .find(|e| {
            matches!(&e.what, What::Packet { kind: PacketKind::Request, translation: Some(tr), .. }
                if tr.kind == "DNAT")
        })
        .expect("a DNAT of the request");
    assert!(matches!(dnat.at, Where::KubeProxy(_)), "{:?}", dnat.at);
    let summary = dnat.summary();
    assert!(
        summary.starts_with(&format!("request (SYN): DNAT {service_ip}:80 → 10.244.")),
        "{summary}"
    );
    // The DNS query is answered by CoreDNS, and the request ends delivered at the client.
    assert!(packets.iter().any(|e| matches!(e.at, Where::CoreDns(_))
        && matches!(
            e.what,
            What::Packet {
                kind: PacketKind::DnsQuery,
                edge: Edge::Arrives,
                ..
            }
        )));
    let last = packets.last().expect("packets");
    assert_eq!(last.at, Where::Pod(ObjectKey::new("default", "test")));
    assert!(matches!(
        last.what,
        What::Packet {
            kind: PacketKind::Reply,
            verdict: HopVerdict::Delivered,
            ..
        }
    ));
}

#[test]
fn event_numbers_are_the_same_in_every_run_of_a_scenario() {
    let run = || {
        let mut t = one_request();
        steps(&mut t, 12);
        t.act(Action::Scale {
            namespace: "default".into(),
            deployment: "backend".into(),
            replicas: 1,
        })
        .expect("scaled");
        t.act(Action::Send {
            request: wget("http://backend-service"),
        })
        .expect("sent");
        run_out(&mut t);
        t.events().to_vec()
    };
    let (a, b) = (run(), run());
    assert_eq!(summaries(&a), summaries(&b));
    assert_eq!(a, b);
    assert!(a.iter().enumerate().all(|(i, e)| e.number == i + 1));
}

#[test]
fn a_scenario_replayed_from_its_log_numbers_its_events_alike_and_ends_in_the_same_world() {
    let mut c = seeded();
    c.act(Action::Send {
        request: wget("http://backend-service"),
    })
    .expect("sent");
    c.advance(3 * SECOND);
    c.act(Action::Scale {
        namespace: "default".into(),
        deployment: "backend".into(),
        replicas: 0,
    })
    .expect("scaled");
    let config = c.config().clone();
    let log = c.log().to_vec();
    let a = Timeline::replay(config.clone(), &log);
    let b = Timeline::replay(config.clone(), &log);
    assert_eq!(a.events(), b.events());
    assert_eq!(a.world(), &Cluster::replay(config, &log));
    // From the fresh cluster on: the seed's Deployment, its pods started by the kubelets.
    let text = summaries(a.events()).join("\n");
    for reason in [
        "Scheduled",
        "Pulled",
        "Started",
        "ScalingReplicaSet",
        "endpoint",
    ] {
        assert!(text.contains(reason), "no {reason} in\n{text}");
    }
}

#[test]
fn back_then_step_returns_the_identical_world() {
    let mut t = one_request();
    t.set_traffic(Some((700, wget("http://backend-service.default"))));
    for n in 1..=40 {
        steps(&mut t, 1);
        let world = t.world().clone();
        let cursor = t.cursor();
        assert!(t.back());
        assert_eq!(t.cursor(), cursor - 1);
        assert!(t.world().now() <= world.now());
        steps(&mut t, 1);
        assert_eq!(t.cursor(), cursor, "after step {n}");
        assert!(
            t.world() == &world,
            "Back then Step changed the world at event {cursor}"
        );
    }
}

#[test]
fn seeking_to_an_event_gives_the_world_of_stepping_to_it() {
    let mut stepped = one_request();
    let mut far = one_request();
    stepped.set_traffic(Some((900, wget("http://backend-service"))));
    far.set_traffic(Some((900, wget("http://backend-service"))));
    steps(&mut far, 40);
    for n in [1, 2, 7, 15, 30] {
        while stepped.cursor() < n {
            steps(&mut stepped, 1);
        }
        far.seek(n);
        assert_eq!(far.cursor(), n);
        assert_eq!(far.current(), stepped.current());
        assert!(far.world() == stepped.world(), "worlds differ at event {n}");
    }
    // Back to the start, and forward again to the end, through the same events.
    let events = far.events().to_vec();
    far.seek(0);
    assert!(far.current().is_none());
    far.seek(40);
    assert_eq!(far.events(), &events[..]);
}

#[test]
fn going_back_and_acting_forgets_what_was_ahead() {
    let mut t = one_request();
    steps(&mut t, 10);
    t.seek(3);
    let time = t.world().now();
    t.act(Action::Scale {
        namespace: "default".into(),
        deployment: "backend".into(),
        replicas: 0,
    })
    .expect("scaled");
    assert!(t.events()[..3].iter().all(|e| e.time <= time));
    let current = t.current().expect("the action").clone();
    assert!(matches!(current.what, What::Action(Action::Scale { .. })));
    assert_eq!(current.time, time);
    assert_eq!(t.events().last().map(|e| e.time), Some(time));
    // Scaling to zero: the kubelet kills the pods and their endpoints go.
    run_out(&mut t);
    let text = summaries(t.events()).join("\n");
    assert!(text.contains("Killing"), "{text}");
    assert!(text.contains("removed from backend-service"), "{text}");
}

#[test]
fn steady_traffic_steps_and_goes_back_the_same_way() {
    let mut t = Timeline::new(seeded());
    t.set_traffic(Some((500, wget("http://backend-service"))));
    steps(&mut t, 60);
    let events = t.events().to_vec();
    let world = t.world().clone();
    let sends = events
        .iter()
        .filter(|e| matches!(e.what, What::Action(Action::Send { .. })))
        .count();
    assert!(sends >= 3, "{sends} requests in 60 events");
    t.seek(20);
    steps(&mut t, 40);
    assert_eq!(t.events(), &events[..]);
    assert!(t.world() == &world);
}

/// The request builder changes what steady traffic sends, at the same pace.
#[test]
fn steady_traffic_sends_the_new_request_once_it_changes() {
    let mut t = Timeline::new(seeded());
    t.set_traffic(Some((500, wget("http://backend-service"))));
    steps(&mut t, 10);
    let sent = |t: &Timeline| -> Vec<(u64, String)> {
        t.events()
            .iter()
            .filter_map(|e| match &e.what {
                What::Action(Action::Send { request }) => Some((e.time, request.target.clone())),
                _ => None,
            })
            .collect()
    };
    let before = sent(&t);
    t.set_traffic_request(wget("http://backend-service.default"));
    steps(&mut t, 60);
    let after = sent(&t);
    assert_eq!(after[..before.len()], before[..]);
    let new = &after[before.len()..];
    assert!(new.len() >= 2, "{after:?}");
    assert!(new
        .iter()
        .all(|(_, target)| target == "http://backend-service.default"));
    // Every 500 ms, as before.
    assert!(
        after.windows(2).all(|w| w[1].0 - w[0].0 == 500),
        "{after:?}"
    );
}

#[test]
fn playing_runs_the_clock_through_the_events_due() {
    let mut t = one_request();
    let start = t.world().now();
    t.advance_to(start + 2 * SECOND);
    assert_eq!(t.world().now(), start + 2 * SECOND);
    assert_eq!(t.cursor(), t.events().len());
    assert!(t.events().iter().all(|e| e.time <= start + 2 * SECOND));
    // Back from between events, then play over the same stretch: the same events.
    let events = t.events().to_vec();
    t.seek(2);
    t.advance_to(start + 2 * SECOND);
    assert_eq!(t.events(), &events[..]);
}

#[test]
fn the_list_filters_by_protocol_and_by_object() {
    let mut t = one_request();
    run_out(&mut t);
    let dns = Filter {
        protocol: Some(ProtocolFilter::Dns),
        object: String::new(),
    };
    let shown: Vec<&Event> = t.events().iter().filter(|e| dns.matches(e)).collect();
    assert!(!shown.is_empty());
    assert!(shown.iter().all(|e| matches!(
        e.what,
        What::Packet {
            kind: PacketKind::DnsQuery | PacketKind::DnsAnswer,
            ..
        }
    )));
    let tcp = Filter {
        protocol: Some(ProtocolFilter::Tcp),
        object: String::new(),
    };
    assert!(t
        .events()
        .iter()
        .filter(|e| tcp.matches(e))
        .all(|e| matches!(
            e.what,
            What::Packet {
                kind: PacketKind::Request | PacketKind::Reply,
                ..
            }
        )));
    let coredns = Filter {
        protocol: None,
        object: "CoreDNS".into(),
    };
    let shown: Vec<&Event> = t.events().iter().filter(|e| coredns.matches(e)).collect();
    assert!(!shown.is_empty());
    assert!(shown.iter().all(
        |e| matches!(e.at, Where::CoreDns(_)) || e.summary().to_lowercase().contains("coredns")
    ));
}

/// Not a check: how long Step and Back take after 10,000 events of steady traffic.
#[test]
#[ignore = "a benchmark: prints figures"]
fn bench_step_and_back_at_ten_thousand_events() {
    let mut t = Timeline::new(seeded());
    t.set_traffic(Some((200, wget("http://backend-service"))));
    let start = std::time::Instant::now();
    while t.cursor() < 10_000 {
        assert!(t.step());
    }
    println!("10,000 steps: {:?}", start.elapsed());
    let clock = std::time::Instant::now();
    for _ in 0..20 {
        t.back();
    }
    println!("Back at event 10,000: {:?} each", clock.elapsed() / 20);
    let clock = std::time::Instant::now();
    for _ in 0..20 {
        t.step();
    }
    println!("Step (redo) there: {:?} each", clock.elapsed() / 20);
}

/// A request a node sends itself (`docker exec kind-worker curl ...`) leaves from the node, not
/// from its kube-proxy.
#[test]
fn a_node_sending_a_request_is_listed_as_the_node() {
    let c = seeded();
    let ip = c.services()[&ObjectKey::new("default", "backend-service")]
        .spec
        .cluster_ip
        .ip()
        .unwrap();
    let mut t = Timeline::new(c);
    t.act(Action::Send {
        request: Request {
            payload: String::new(),
            client: Client::Node("kind-worker".into()),
            tool: Tool::Curl,
            target: format!("http://{ip}"),
        },
    })
    .unwrap();
    while t.step() {}
    let packets: Vec<&Event> = t
        .events()
        .iter()
        .filter(|e| matches!(e.what, What::Packet { .. }))
        .collect();
    assert_eq!(packets[0].at, Where::Node("kind-worker".into()));
    assert_eq!(packets[0].at.to_string(), "node kind-worker");
    assert_eq!(
        packets.last().unwrap().at,
        Where::Node("kind-worker".into())
    );
    assert!(packets
        .iter()
        .all(|e| !matches!(&e.at, Where::KubeProxy(n) if n == "kind-worker")));
}
