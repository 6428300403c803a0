//! The lesson format and the built-in track: every lesson loads and starts unsolved; its
//! intended fix, done as a learner would (manifests applied, actions, requests sent), solves it;
//! the wrong fixes a learner tries first leave it unsolved. And share links and result codes.

use svclab_sim::action::{Action, SteadyTraffic};
use svclab_sim::cluster::{Cluster, Config, LoggedAction};
use svclab_sim::kube_proxy::ProxyMode;
use svclab_sim::lesson::{self, Lesson, Started};
use svclab_sim::model::ObjectKey;
use svclab_sim::share::{self, Link, Position, ShareError};
use svclab_sim::time::{HOUR, SECOND};
use svclab_sim::timeline::Timeline;
use svclab_sim::trace::{Client, Request, Tool};

fn builtin(id: &str) -> Lesson {
    lesson::BUILTIN
        .iter()
        .map(|(_, text)| lesson::load(text).unwrap())
        .find(|l| l.id == id)
        .unwrap()
}

fn start(id: &str) -> (Lesson, Started) {
    let lesson = builtin(id);
    let started = lesson.start(Config::default()).unwrap();
    (lesson, started)
}

fn solved(lesson: &Lesson, s: &Started) -> Vec<bool> {
    lesson
        .evaluate(&s.cluster, s.since)
        .iter()
        .map(|v| v.solved)
        .collect()
}

/// Send a request and let the clock run until it has finished.
fn send(c: &mut Cluster, client: Client, tool: Tool, target: &str) {
    c.act(Action::Send {
        request: Request {
            payload: String::new(),
            client,
            tool,
            target: target.into(),
        },
    })
    .unwrap();
    for _ in 0..600 {
        if c.traces().iter().all(|t| !t.in_flight(c.now())) {
            return;
        }
        c.advance(SECOND);
    }
    panic!("a request was still in flight after ten minutes");
}

fn test_pod() -> Client {
    Client::Pod(ObjectKey::new("default", "test"))
}

fn wget(c: &mut Cluster, url: &str) {
    send(c, test_pod(), Tool::Wget, url);
}

fn nslookup(c: &mut Cluster, name: &str) {
    send(c, test_pod(), Tool::Nslookup, name);
}

/// Apply the lesson's manifests with `from` replaced by `to`, and let the world settle.
fn apply_edited(c: &mut Cluster, lesson: &Lesson, from: &str, to: &str) {
    assert!(
        lesson.manifests.contains(from),
        "{from:?} not in the manifests"
    );
    let text = lesson.manifests.replace(from, to);
    c.apply(&text, "lesson.yaml").unwrap();
    c.advance(30 * SECOND);
}

fn node_port_url(c: &Cluster, service: &str) -> String {
    let svc = c
        .services()
        .get(&ObjectKey::new("default", service))
        .unwrap();
    let port = svc.spec.ports[0].node_port.unwrap();
    format!("{}:{port}", c.nodes()[1].internal_ip)
}

#[test]
fn every_builtin_lesson_loads_and_starts_with_its_tasks_unsolved() {
    assert_eq!(lesson::BUILTIN.len(), 10);
    let mut ids = Vec::new();
    for (file, text) in lesson::BUILTIN {
        let lesson = lesson::load(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!lesson.tasks.is_empty() && !lesson.title.is_empty());
        assert!(lesson.tasks.iter().all(|t| !t.hints.is_empty()), "{file}");
        let started = lesson.start(Config::default()).unwrap();
        assert!(
            solved(&lesson, &started).iter().all(|s| !s),
            "{file} starts solved"
        );
        ids.push(lesson.id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10, "lesson ids are unique");
}

#[test]
fn first_service_is_solved_by_a_request_the_endpoints_and_a_lookup() {
    let (lesson, mut s) = start("first-service");
    wget(&mut s.cluster, "http://backend-service");
    nslookup(&mut s.cluster, "backend-service.default.svc.cluster.local");
    assert_eq!(solved(&lesson, &s), [true, false, true]);
    let scale = |c: &mut Cluster, replicas| {
        c.act(Action::Scale {
            namespace: "default".into(),
            deployment: "backend".into(),
            replicas,
        })
        .unwrap();
        c.advance(30 * SECOND);
    };
    scale(&mut s.cluster, 5);
    assert_eq!(solved(&lesson, &s), [true, true, true]);
    scale(&mut s.cluster, 4);
    assert_eq!(solved(&lesson, &s), [true, false, true]);
}

#[test]
fn ports_is_solved_by_the_target_port_the_container_listens_on() {
    let (lesson, mut s) = start("ports");
    wget(&mut s.cluster, "http://web-service");
    let v = &lesson.evaluate(&s.cluster, s.since)[0];
    assert!(!v.solved);
    assert!(v.detail.contains("connection refused"), "{}", v.detail);
    // Changing the Service's port is the wrong fix.
    let mut wrong = s.clone();
    apply_edited(&mut wrong.cluster, &lesson, "- port: 80", "- port: 5678");
    wget(&mut wrong.cluster, "http://web-service:5678");
    assert_eq!(solved(&lesson, &wrong), [false]);
    apply_edited(
        &mut s.cluster,
        &lesson,
        "targetPort: 80",
        "targetPort: 5678",
    );
    wget(&mut s.cluster, "http://web-service");
    assert_eq!(solved(&lesson, &s), [true]);
}

#[test]
fn from_outside_needs_the_type_and_a_request_from_outside() {
    let (lesson, mut s) = start("from-outside");
    apply_edited(&mut s.cluster, &lesson, "type: ClusterIP", "type: NodePort");
    // From inside the cluster does not count.
    wget(&mut s.cluster, "http://backend-service");
    assert_eq!(solved(&lesson, &s), [false, false]);
    let url = node_port_url(&s.cluster, "backend-service");
    send(&mut s.cluster, Client::External, Tool::Curl, &url);
    assert_eq!(solved(&lesson, &s), [true, false]);
    apply_edited(
        &mut s.cluster,
        &lesson,
        "type: ClusterIP",
        "type: LoadBalancer",
    );
    let lb = s
        .cluster
        .services()
        .get(&ObjectKey::new("default", "backend-service"))
        .unwrap()
        .status
        .load_balancer_ip
        .unwrap();
    send(
        &mut s.cluster,
        Client::External,
        Tool::Curl,
        &lb.to_string(),
    );
    assert_eq!(solved(&lesson, &s), [false, true]);
}

#[test]
fn dns_across_namespaces_needs_the_namespace_in_the_name() {
    let (lesson, mut s) = start("dns-across-namespaces");
    nslookup(&mut s.cluster, "db");
    wget(&mut s.cluster, "http://db");
    assert_eq!(solved(&lesson, &s), [false, false]);
    // busybox's nslookup tries the search list only for names without a dot.
    nslookup(&mut s.cluster, "db.shop");
    assert_eq!(solved(&lesson, &s), [false, false]);
    nslookup(&mut s.cluster, "db.shop.svc.cluster.local");
    assert_eq!(solved(&lesson, &s), [true, false]);
    // wget's resolver (musl) does: db.shop.svc.cluster.local is the second name it tries.
    wget(&mut s.cluster, "http://db.shop");
    assert_eq!(solved(&lesson, &s), [true, true]);
}

#[test]
fn headless_and_externalname_check_the_services_written() {
    let (lesson, mut s) = start("headless-and-externalname");
    let headless = "\
apiVersion: v1
kind: Service
metadata:
  name: backend-headless
spec:
  clusterIP: None
  selector:
    app: backend
  ports:
    - port: 80
";
    let docs = "\
apiVersion: v1
kind: Service
metadata:
  name: docs
spec:
  type: ExternalName
  externalName: kubernetes.io
";
    s.cluster.apply(headless, "h.yaml").unwrap();
    s.cluster.advance(5 * SECOND);
    assert_eq!(solved(&lesson, &s), [false, false], "not looked up yet");
    nslookup(&mut s.cluster, "backend-headless");
    assert_eq!(solved(&lesson, &s), [true, false]);
    s.cluster.apply(docs, "d.yaml").unwrap();
    assert_eq!(solved(&lesson, &s), [true, true]);
}

#[test]
fn no_endpoints_is_solved_by_the_selector_not_by_another_label() {
    let (lesson, mut s) = start("no-endpoints");
    wget(&mut s.cluster, "http://backend-service");
    assert_eq!(solved(&lesson, &s), [false]);
    // Selecting other pods is the wrong fix: the endpoints stay empty.
    let mut wrong = s.clone();
    apply_edited(&mut wrong.cluster, &lesson, "app: backnd", "app: frontend");
    wget(&mut wrong.cluster, "http://backend-service");
    assert_eq!(solved(&lesson, &wrong), [false]);
    apply_edited(&mut s.cluster, &lesson, "app: backnd", "app: backend");
    assert_eq!(solved(&lesson, &s), [false], "no request since the fix");
    wget(&mut s.cluster, "http://backend-service");
    assert_eq!(solved(&lesson, &s), [true]);
}

#[test]
fn dns_down_is_solved_by_mending_coredns_not_by_the_cluster_ip() {
    let (lesson, mut s) = start("dns-down");
    let ip = match s
        .cluster
        .services()
        .get(&ObjectKey::new("default", "backend-service"))
        .unwrap()
        .spec
        .cluster_ip
    {
        svclab_sim::model::ClusterIp::Ip(ip) => ip,
        _ => unreachable!(),
    };
    // The ClusterIP works without DNS, but the name still does not resolve.
    wget(&mut s.cluster, &format!("http://{ip}"));
    nslookup(&mut s.cluster, "backend-service");
    assert_eq!(solved(&lesson, &s), [false]);
    s.cluster
        .act(Action::BreakCoreDns { broken: false })
        .unwrap();
    s.cluster.advance(30 * SECOND);
    nslookup(&mut s.cluster, "backend-service");
    wget(&mut s.cluster, "http://backend-service");
    assert_eq!(solved(&lesson, &s), [true]);
}

#[test]
fn not_ready_is_solved_by_replacing_the_broken_pods_not_by_scaling_up() {
    let (lesson, mut s) = start("not-ready");
    wget(&mut s.cluster, "http://backend-service");
    assert_eq!(solved(&lesson, &s), [false]);
    let mut wrong = s.clone();
    wrong
        .cluster
        .act(Action::Scale {
            namespace: "default".into(),
            deployment: "backend".into(),
            replicas: 4,
        })
        .unwrap();
    wrong.cluster.advance(30 * SECOND);
    wget(&mut wrong.cluster, "http://backend-service");
    assert_eq!(solved(&lesson, &wrong), [false]);
    let failing: Vec<String> = s
        .cluster
        .pods()
        .values()
        .filter(|p| p.faults.fail_readiness)
        .map(|p| p.meta.name.clone())
        .collect();
    assert_eq!(failing.len(), 2);
    for pod in failing {
        s.cluster
            .act(Action::DeletePod {
                namespace: "default".into(),
                pod,
            })
            .unwrap();
    }
    s.cluster.advance(60 * SECOND);
    wget(&mut s.cluster, "http://backend-service");
    assert_eq!(solved(&lesson, &s), [true]);
}

#[test]
fn network_policy_is_solved_by_a_rule_that_admits_test() {
    let (lesson, mut s) = start("network-policy");
    wget(&mut s.cluster, "http://api-service");
    let v = &lesson.evaluate(&s.cluster, s.since)[0];
    assert!(
        !v.solved && v.detail.contains("dropped by a NetworkPolicy"),
        "{}",
        v.detail
    );
    // Admitting the wrong label keeps test out.
    let mut wrong = s.clone();
    apply_edited(&mut wrong.cluster, &lesson, "role: frontend", "app: test");
    wget(&mut wrong.cluster, "http://api-service");
    assert_eq!(solved(&lesson, &wrong), [false]);
    apply_edited(&mut s.cluster, &lesson, "role: frontend", "run: test");
    wget(&mut s.cluster, "http://api-service");
    assert_eq!(solved(&lesson, &s), [true]);
}

#[test]
fn spreading_needs_ipvs_round_robin_then_affinity_pins_one_pod() {
    let (lesson, mut s) = start("spreading-and-affinity");
    for _ in 0..10 {
        wget(&mut s.cluster, "http://backend-service");
    }
    assert_eq!(solved(&lesson, &s), [false, false], "iptables mode");
    s.cluster
        .act(Action::SetProxyMode {
            mode: ProxyMode::Ipvs,
        })
        .unwrap();
    for _ in 0..10 {
        wget(&mut s.cluster, "http://backend-service");
    }
    assert_eq!(solved(&lesson, &s), [true, false]);
    apply_edited(
        &mut s.cluster,
        &lesson,
        "  selector:\n    app: backend\n  ports:",
        "  sessionAffinity: ClientIP\n  selector:\n    app: backend\n  ports:",
    );
    for _ in 0..10 {
        wget(&mut s.cluster, "http://backend-service");
    }
    assert_eq!(solved(&lesson, &s), [false, true]);
}

#[test]
fn a_broken_lesson_file_is_reported_at_its_line() {
    let base = lesson::BUILTIN[0].1;
    // An unknown check, never a silent pass.
    let text = base.replace("requestSucceeds: {from: test", "requestWorks: {from: test");
    let e = lesson::load(&text).unwrap_err();
    let line = text
        .lines()
        .position(|l| l.contains("requestWorks"))
        .unwrap()
        + 1;
    assert_eq!(e.line, line, "{e}");
    assert!(e.message.contains("unknown field `requestWorks`"), "{e}");
    assert!(e.message.contains("requestSucceeds"), "{e}");
    // An unknown field.
    let text = base.replace("story:", "storry:");
    let e = lesson::load(&text).unwrap_err();
    assert!(e.message.contains("unknown field `storry`"), "{e}");
    assert_eq!(
        e.line,
        text.lines().position(|l| l.starts_with("storry")).unwrap() + 1
    );
    // Broken YAML.
    let e = lesson::load("id: x\ntitle: [unclosed\n").unwrap_err();
    assert!(e.line >= 2, "{e}");
    // A manifest the API server refuses, at its line in the lesson file.
    let text = base.replace("replicas: 3", "replicas: three");
    let e = lesson::load(&text).unwrap_err();
    let line = text.lines().position(|l| l.contains("three")).unwrap() + 1;
    assert_eq!(e.line, line, "{e}");
    assert!(e.message.starts_with("manifests: "), "{e}");
    // A check that cannot be judged.
    let text = base.replace(
        "readyEndpoints: {service: backend-service, count: 5}",
        "serviceType: {service: backend-service, type: Nodeport}",
    );
    let e = lesson::load(&text).unwrap_err();
    assert!(e.message.contains("unknown type \"Nodeport\""), "{e}");
    assert_eq!(
        e.line,
        text.lines().position(|l| l.contains("Nodeport")).unwrap()
    );
    assert!(lesson::load("").is_err());
    assert!(lesson::load("id: Bad Id\ntitle: t\nstory: s\ntasks: []\n").is_err());
}

/// What an author sees for each kind of mistake: the field path, the problem, and the line it
/// is on (1-based), as serde's readers word them, where a reader of the file would look.
#[test]
fn each_mistake_in_a_lesson_file_names_its_field_and_line() {
    let base = lesson::BUILTIN[0].1;
    let dns = lesson::BUILTIN[6].1;
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let check = |text: String, needle: &str, message: &str| {
        let e = lesson::load(&text).unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (line_of(&text, needle), message),
            "{text}"
        );
    };
    check(
        base.replace(
            "title: Your first Service",
            "title: Your first Service\ntitle: again",
        ),
        "id: first-service",
        "duplicate field `title`",
    );
    check(
        base.replace(
            "  - goal: Scale backend",
            "  - goal: x\n    goal: Scale backend",
        ),
        "goal: x",
        "tasks[1]: duplicate field `goal`",
    );
    check(
        base.replace("count: 5", "count: five"),
        "count: five",
        "tasks[1].check.readyEndpoints.count: invalid type: string \"five\", expected a count (0, 1, 2, ...)",
    );
    check(
        base.replace("count: 5", "count: -1"),
        "count: -1",
        "tasks[1].check.readyEndpoints.count: invalid type: integer `-1`, expected a count (0, 1, 2, ...)",
    );
    check(
        base.replace(
            "{from: test, service: backend-service}",
            "{from: test, service: backend-service, extra: 1}",
        ),
        "extra: 1",
        "tasks[2].check.resolves: unknown field `extra`, expected `from` or `service`",
    );
    check(
        base.replace("{from: test, service: backend-service}", "{from: test}"),
        "resolves: {from: test}",
        "tasks[2].check.resolves: missing field `service`",
    );
    // A check's arguments left empty are missing, not a missing check.
    check(
        base.replace(
            "resolves: {from: test, service: backend-service}",
            "resolves:",
        ),
        "      resolves:",
        "tasks[2].check.resolves: missing field `from`",
    );
    // Two kinds in one check: at the check.
    let text = base.replace(
        "    check:\n      resolves: {from: test, service: backend-service}",
        "    check: # two\n      resolves: {from: test, service: x}\n      headless: {service: x}",
    );
    check(
        text,
        "check: # two",
        "tasks[2].check: a check names exactly one kind; put several under allOf",
    );
    check(
        base.replace(
            "    check:\n      resolves: {from: test, service: backend-service}\n",
            "",
        ),
        "- goal: Look the Service up",
        "tasks[2]: missing field `check`",
    );
    check(
        base.replace("title: Your first Service", "title: [a]"),
        "title: [a]",
        "title: invalid type: sequence, expected a string",
    );
    check(
        dns.replace("breakCoreDns: {}", "breakDns: {}"),
        "breakDns",
        "setup[0]: unknown field `breakDns`, expected one of `breakCoreDns`, `failReadiness`, `killPod`, `proxyMode`",
    );
    check(
        dns.replace("breakCoreDns: {}", "breakCoreDns: {a: 1}"),
        "breakCoreDns: {a: 1}",
        "setup[0].breakCoreDns: unknown field `a`, there are no fields",
    );
    check(
        format!("{base}---\nid: other\n"),
        "id: other",
        "a second YAML document starts here; this file holds one",
    );
    check(
        "- a\n- b\n".into(),
        "- a",
        "invalid type: sequence, expected a map",
    );
    // `breakCoreDns:` with nothing after it is the step without arguments, as `{}` is.
    let lesson = lesson::load(&dns.replace("breakCoreDns: {}", "breakCoreDns:")).unwrap();
    assert_eq!(lesson.setup, [lesson::Setup::BreakCoreDns]);
    // Scalars are text where text is asked for; optional lists may be left empty.
    let lesson = lesson::load(&base.replace("title: Your first Service", "title: 2024")).unwrap();
    assert_eq!(lesson.title, "2024");
    let lesson = lesson::load(&dns.replace("setup:\n  - breakCoreDns: {}", "setup:")).unwrap();
    assert!(lesson.setup.is_empty());
}

fn worked_world() -> Cluster {
    let (_, mut s) = start("first-service");
    wget(&mut s.cluster, "http://backend-service");
    let victim = s
        .cluster
        .pods()
        .values()
        .find(|p| p.meta.name.starts_with("backend-"))
        .unwrap()
        .meta
        .name
        .clone();
    s.cluster
        .act(Action::DeletePod {
            namespace: "default".into(),
            pod: victim,
        })
        .unwrap();
    s.cluster.advance(20 * SECOND);
    wget(&mut s.cluster, "http://backend-service");
    s.cluster
}

/// Every pod's name and IP, to compare a world with its replay.
fn pods(c: &Cluster) -> Vec<(String, Option<std::net::Ipv4Addr>)> {
    c.pods()
        .values()
        .map(|p| (p.meta.name.clone(), p.status.pod_ip))
        .collect()
}

#[test]
fn a_share_link_brings_back_the_same_pods_ips_and_traces() {
    let world = worked_world();
    let link = Link::of(&world, "# my edits\n", Some(("first-service", 3_630_000)));
    assert_eq!(link.simulation, None);
    let text = link.encode();
    assert!(text.starts_with("svclab1."));
    assert!(
        text.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c)),
        "fits in a URL fragment as is"
    );
    let opened = Link::decode(&format!("#{text}")).unwrap();
    assert_eq!(opened, link);
    let replayed = opened.world();
    assert_eq!(replayed.now(), world.now());
    assert_eq!(pods(&replayed), pods(&world));
    assert_eq!(replayed.traces(), world.traces());
}

/// nc's datagram travels in the link: the replay sends the same text and gets the same trace.
#[test]
fn a_share_link_keeps_an_nc_datagram() {
    let mut world = worked_world();
    world
        .act(Action::Send {
            request: Request {
                payload: "hostname\n".into(),
                client: Client::Pod(ObjectKey::new("default", "test")),
                tool: Tool::NcUdp,
                target: "kube-dns.kube-system 53".into(),
            },
        })
        .expect("sent");
    world.advance(5_000);
    let link = Link::of(&world, "", None);
    let opened = Link::decode(&link.encode()).unwrap();
    assert_eq!(opened, link);
    let replayed = opened.world();
    assert!(
        replayed.traces() == world.traces(),
        "the replay's traces differ"
    );
    let last = replayed.traces().last().unwrap();
    assert_eq!(last.request.payload, "hostname\n");
}

/// A link made in simulation mode puts the learner back at the same event, with the same
/// numbers for every event before and after it: the instructor's "everyone look at event 7".
#[test]
fn a_simulation_mode_link_brings_back_the_timeline_at_its_event() {
    let world = worked_world();
    let mut t = Timeline::new(world);
    let request = Request {
        payload: String::new(),
        client: Client::Pod(ObjectKey::new("default", "test")),
        tool: Tool::Wget,
        target: "http://backend-service".into(),
    };
    t.set_traffic(Some((700, request)));
    for _ in 0..40 {
        assert!(t.step());
    }
    // The learner acts in simulation mode: a pod is killed, and more happens.
    let victim = t
        .world()
        .pods()
        .values()
        .find(|p| p.meta.name.starts_with("backend-"))
        .unwrap()
        .meta
        .name
        .clone();
    t.act(Action::DeletePod {
        namespace: "default".into(),
        pod: victim,
    })
    .unwrap();
    for _ in 0..30 {
        assert!(t.step());
    }
    // Back a few events: the link keeps those ahead too.
    for _ in 0..9 {
        assert!(t.back());
    }
    assert!(t.cursor() > 60 && t.events().len() >= t.cursor() + 9);
    let link = Link::at(&t, "kind: Service\n", None);
    let opened = Link::decode(&link.encode()).unwrap();
    assert_eq!(opened, link);
    let mut again = opened.timeline().expect("a simulation-mode link");
    assert_eq!(again.cursor(), t.cursor());
    assert_eq!(again.current(), t.current());
    assert_eq!(
        again.events(),
        t.events(),
        "the same events, numbered the same"
    );
    assert_eq!(again.world().now(), t.world().now());
    assert_eq!(pods(again.world()), pods(t.world()));
    assert_eq!(again.world().traces(), t.world().traces());
    // Stepping on from there is the original's future.
    for _ in 0..9 {
        assert!(t.step());
        assert!(again.step());
        assert_eq!(again.current(), t.current());
    }
    // A realtime link has no timeline.
    assert!(Link::of(t.world(), "", None).timeline().is_none());
    // A made-up position (past every event, the clock far ahead) opens at the last event.
    let mut odd = link.clone();
    odd.now = 1_000_000_000_000_000;
    odd.simulation = Some(Position {
        logged: u64::MAX,
        since: 0,
        event: u64::MAX,
    });
    let odd = odd.timeline().unwrap();
    assert_eq!(odd.cursor(), odd.events().len());
}

#[test]
fn a_cut_short_changed_or_foreign_link_is_refused() {
    let text = Link::of(&worked_world(), "kind: Service\n", None).encode();
    for cut in [1, 5, text.len() / 2, text.len() - "svclab1.".len() - 1] {
        assert_eq!(
            Link::decode(&text[..text.len() - cut]),
            Err(ShareError::Damaged),
            "cut {cut}"
        );
    }
    // Every single-character change is caught.
    let body = text.len() - "svclab1.".len();
    for i in (0..body).step_by(body / 40 + 1) {
        let mut bytes = text.clone().into_bytes();
        let at = "svclab1.".len() + i;
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(bytes).unwrap();
        assert_eq!(Link::decode(&changed), Err(ShareError::Damaged), "at {i}");
    }
    assert_eq!(
        Link::decode("https://example.com"),
        Err(ShareError::NotALink)
    );
    assert_eq!(Link::decode(""), Err(ShareError::NotALink));
    assert_eq!(Link::decode("svclab1.%%%"), Err(ShareError::Damaged));
    assert!(matches!(
        Link::decode("svclab9.AAAA"),
        Err(ShareError::Version(_))
    ));
    assert!(ShareError::Damaged
        .to_string()
        .contains("cut short or changed"));
}

#[test]
fn a_link_whose_replay_would_not_end_is_refused_not_opened() {
    // Written with a correct checksum, as a tamperer who recomputes it would: opening any of
    // these would replay for hours or forever, so the page would hang.
    let made = Link::of(&worked_world(), "", None);
    let traffic = |time, interval| LoggedAction {
        time,
        action: Action::SetTraffic {
            traffic: Some(SteadyTraffic {
                interval,
                request: Request {
                    client: Client::Pod(ObjectKey::new("default", "test")),
                    tool: Tool::Wget,
                    target: "http://backend-service".into(),
                    payload: String::new(),
                },
            }),
        },
    };
    let far = Link {
        now: u64::MAX,
        ..made.clone()
    };
    let far_simulation = Link {
        simulation: Some(Position {
            logged: 0,
            since: u64::MAX - 1,
            event: 0,
        }),
        ..made.clone()
    };
    let mut busy = made.clone();
    busy.log.push(traffic(made.now, 100));
    busy.now = made.now + share::MAX_CLOCK / 2;
    for link in [far, far_simulation, busy.clone()] {
        assert_eq!(Link::decode(&link.encode()), Err(ShareError::TooLarge));
    }
    assert!(ShareError::TooLarge
        .to_string()
        .contains("a week of virtual time"));
    // The same traffic for a workshop's hour opens, as does a week with none.
    busy.now = made.now + HOUR;
    let opened = Link::decode(&busy.encode()).unwrap().world();
    assert!(opened.traces().len() > 100);
    let idle = Link {
        now: share::MAX_CLOCK,
        ..made.clone()
    };
    assert_eq!(
        Link::decode(&idle.encode()).unwrap().world().now(),
        share::MAX_CLOCK
    );
    // An interval no toolbar offers is kept within an hour, so the clock never overflows.
    busy.log.push(traffic(made.now + HOUR / 2, u64::MAX));
    let world = Link::decode(&busy.encode()).unwrap().world();
    assert_eq!(world.now(), made.now + HOUR);
    let last = world.traces().last().unwrap().id;
    let mut later = world.clone();
    // The second traffic began at half past; its next request is an hour after.
    later.advance(HOUR / 2 - 1);
    assert_eq!(
        later.traces().last().unwrap().id,
        last,
        "no request before the hour is up"
    );
    later.advance(1);
    assert_eq!(later.traces().last().unwrap().id, last + 1, "one an hour");
}

#[test]
fn a_result_code_says_what_was_solved_and_catches_a_changed_flag() {
    let world = worked_world();
    let code = lesson::result_code("first-service", &[true, false, true], &world);
    let read = lesson::verify_result_code(&code).unwrap();
    assert_eq!(read.lesson, "first-service");
    assert_eq!(read.solved, [true, false, true]);
    let forged = code.replacen(".101.", ".111.", 1);
    assert!(lesson::verify_result_code(&forged).is_err());
    assert!(lesson::verify_result_code("hello").is_err());
    assert_eq!(
        code,
        lesson::result_code("first-service", &[true, false, true], &world),
        "the same run gives the same code"
    );
}

#[test]
fn a_lesson_file_travels_in_a_link_and_a_damaged_one_is_refused() {
    let file = include_str!("../../tests/fixtures/custom-lesson.yaml");
    let link = svclab_sim::share::lesson_link(file);
    assert!(link.starts_with("lesson1."), "{link}");
    assert!(
        link.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'),
        "URL-safe: {link}"
    );
    let back = svclab_sim::share::lesson_from_link(&format!("#{link}")).unwrap();
    assert_eq!(back, file);
    assert!(svclab_sim::lesson::load(&back).is_ok());
    // Cut short, or one character changed: refused, never a different lesson.
    for cut in [1, 5, link.len() / 2] {
        assert_eq!(
            svclab_sim::share::lesson_from_link(&link[..link.len() - cut]),
            Err(ShareError::Damaged)
        );
    }
    let mut changed: Vec<char> = link.chars().collect();
    let i = changed.len() - 3;
    changed[i] = if changed[i] == 'A' { 'B' } else { 'A' };
    let changed: String = changed.into_iter().collect();
    assert_eq!(
        svclab_sim::share::lesson_from_link(&changed),
        Err(ShareError::Damaged)
    );
    assert_eq!(
        svclab_sim::share::lesson_from_link("svclab1.AAAA"),
        Err(ShareError::NotALink)
    );
    assert!(matches!(
        svclab_sim::share::lesson_from_link("lesson7.AAAA"),
        Err(ShareError::Version(_))
    ));
}

#[test]
fn a_share_link_carries_a_lesson_file_of_the_learners_own() {
    let file = include_str!("../../tests/fixtures/custom-lesson.yaml");
    let mut link = Link::of(&worked_world(), "", Some(("scale-to-two", 0)));
    link.lesson_file = Some(file.to_string());
    let opened = Link::decode(&link.encode()).unwrap();
    assert_eq!(opened.lesson_file.as_deref(), Some(file));
    assert_eq!(opened, link);
}
