//! Generated runs: random manifests and actions, checked for panics, for the invariants a learner
//! relies on, and for replaying exactly from the action log. A failing run is shrunk to a short
//! list of actions before it is reported.
//!
//! The budget comes from the environment; the defaults are the short form CI runs:
//! - `SVCLAB_FUZZ_RUNS` (24): how many seeds to run;
//! - `SVCLAB_FUZZ_ACTIONS` (120): actions per run;
//! - `SVCLAB_FUZZ_SEED` (0): the first seed;
//! - `SVCLAB_FUZZ_SECONDS`: when set, run seed after seed until this much wall time has passed
//!   (each run is still decided by its seed alone).
//!
//! The long form, ten minutes:
//! `SVCLAB_FUZZ_SECONDS=600 cargo test --release -p svclab-sim --test fuzz generated -- --nocapture`
//! prints how many runs, actions (per kind, with how many succeeded) and traces it checked.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{self, AssertUnwindSafe};

use svclab_sim::action::{Action, SteadyTraffic};
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::examples::SEED_MANIFEST;
use svclab_sim::kube_proxy::ProxyMode;
use svclab_sim::model::{ClusterIp, ContainerState, ObjectKey, TrafficPolicy};
use svclab_sim::resource::Kind;
use svclab_sim::rng::Rng;
use svclab_sim::trace::{Client, PacketKind, Request, Tool};

const EXTRA: &[&str] = &[
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  selector: {app: backend}\n  ports:\n    - port: 8080\n      targetPort: 80\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local\n  selector: {app: backend}\n  ports:\n    - port: 80\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: headless\nspec:\n  clusterIP: None\n  selector: {app: backend}\n  ports:\n    - name: http\n      port: 80\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\nspec:\n  type: ExternalName\n  externalName: example.com\n",
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\nspec:\n  podSelector: {matchLabels: {app: backend}}\n  policyTypes: [Ingress]\n",
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-egress\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: sticky\nspec:\n  sessionAffinity: ClientIP\n  selector: {app: backend}\n  ports:\n    - port: 80\n      targetPort: http\n",
];

/// What `nc -u` is pointed at: CoreDNS through kube-dns, a TCP-only Service port, a pod IP, junk.
const NC_TARGETS: &[&str] = &[
    "kube-dns.kube-system 53",
    "10.96.0.10 53",
    "backend-service 80",
    "10.244.1.2 8081",
    "no-such-name 53",
    "backend-service x",
    "",
];

const TARGETS: &[&str] = &[
    "http://backend-service",
    "backend-service.default",
    "http://backend-service.dev",
    "http://web:8080",
    "http://headless",
    "http://ext",
    "http://sticky",
    "http://10.96.0.1:443",
    "http://10.244.1.2",
    "http://172.18.0.3:30080",
    "http://172.18.255.200",
    "ftp://x",
    "http://:99999",
    "",
];

/// A manifest from the pool, sometimes damaged.
fn manifest(rng: &mut Rng) -> String {
    let mut text = match rng.below(3) {
        // The seed with any replica count and, sometimes, another image (one that does not
        // exist and one that is no image reference among them) or pull policy.
        0 => SEED_MANIFEST
            .replace("replicas: 3", &format!("replicas: {}", rng.below(7)))
            .replace(
                "image: nginx",
                [
                    "image: nginx",
                    "image: nginx:1.27",
                    "image: nginx\n          imagePullPolicy: IfNotPresent",
                    "image: nginx:1.27\n          imagePullPolicy: Always",
                    "image: nginx\n          imagePullPolicy: Never",
                    "image: nginx:1.99",
                    "image: Nginx",
                ][rng.below(7) as usize],
            ),
        1 => EXTRA[rng.below(EXTRA.len() as u64) as usize].to_string(),
        _ => format!(
            "{SEED_MANIFEST}---\n{}",
            EXTRA[rng.below(EXTRA.len() as u64) as usize]
        ),
    };
    if rng.below(4) == 0 {
        let mut bytes = text.into_bytes();
        for _ in 0..1 + rng.below(4) {
            if bytes.is_empty() {
                break;
            }
            let i = rng.below(bytes.len() as u64) as usize;
            match rng.below(3) {
                0 => {
                    bytes.remove(i);
                }
                1 => bytes.insert(i, b" :-\n{[#&*"[rng.below(9) as usize]),
                _ => {
                    let j = rng.below(bytes.len() as u64) as usize;
                    bytes.swap(i, j);
                }
            }
        }
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    text
}

/// One of `items`, chosen by `rng`; `None` when there is none.
fn pick<T: Clone>(rng: &mut Rng, items: &[T]) -> Option<T> {
    (!items.is_empty()).then(|| items[rng.below(items.len() as u64) as usize].clone())
}

/// A pod that exists (most of the time) or one that does not.
fn some_pod(c: &Cluster, rng: &mut Rng) -> ObjectKey {
    let pods: Vec<ObjectKey> = c.pods().keys().cloned().collect();
    match pick(rng, &pods) {
        Some(p) if rng.below(10) != 0 => p,
        _ => ObjectKey::new("default", "nope"),
    }
}

/// A Deployment the learner made (most of the time), CoreDNS's, or one that does not exist.
fn some_deployment(c: &Cluster, rng: &mut Rng) -> ObjectKey {
    let ours: Vec<ObjectKey> = c
        .deployments()
        .keys()
        .filter(|k| k.namespace != "kube-system")
        .cloned()
        .collect();
    match rng.below(10) {
        0 => ObjectKey::new("kube-system", "coredns"),
        1 => ObjectKey::new("default", "backend"),
        _ => pick(rng, &ours).unwrap_or_else(|| ObjectKey::new("default", "backend")),
    }
}

/// Something to delete: an object that exists, outside `kube-system`, four times in five.
fn delete_target(c: &Cluster, rng: &mut Rng) -> (Kind, ObjectKey) {
    let mut existing: Vec<(Kind, ObjectKey)> = Vec::new();
    let ours = |k: &&ObjectKey| k.namespace != "kube-system";
    existing.extend(
        c.deployments()
            .keys()
            .filter(ours)
            .map(|k| (Kind::Deployment, k.clone())),
    );
    existing.extend(
        c.services()
            .keys()
            .filter(ours)
            .filter(|k| k.name != "kubernetes")
            .map(|k| (Kind::Service, k.clone())),
    );
    existing.extend(c.pods().keys().filter(ours).map(|k| (Kind::Pod, k.clone())));
    existing.extend(
        c.network_policies()
            .keys()
            .map(|k| (Kind::NetworkPolicy, k.clone())),
    );
    existing.extend(
        c.namespaces()
            .keys()
            .filter(|n| !n.starts_with("kube-") && *n != "default")
            .map(|n| (Kind::Namespace, ObjectKey::new("", n))),
    );
    match pick(rng, &existing) {
        Some(found) if rng.below(5) != 0 => found,
        _ => (
            [
                Kind::Deployment,
                Kind::Service,
                Kind::Pod,
                Kind::NetworkPolicy,
                Kind::Namespace,
                Kind::Endpoints,
            ][rng.below(6) as usize],
            ObjectKey::new(
                "default",
                ["backend", "backend-service", "web", "deny", "dev", "test"][rng.below(6) as usize],
            ),
        ),
    }
}

fn action(c: &Cluster, rng: &mut Rng) -> Action {
    let pod = some_pod(c, rng);
    match rng.below(14) {
        0 | 1 => Action::Apply {
            manifest: manifest(rng),
        },
        2 => {
            let d = some_deployment(c, rng);
            Action::Scale {
                namespace: d.namespace,
                deployment: d.name,
                replicas: rng.below(12) as i64 - 1,
            }
        }
        3 => Action::DeletePod {
            namespace: pod.namespace,
            pod: pod.name,
        },
        4 => Action::FailReadiness {
            namespace: pod.namespace,
            pod: pod.name,
            fail: rng.below(2) == 0,
        },
        5 => Action::Label {
            namespace: pod.namespace,
            pod: pod.name,
            key: "app".into(),
            value: (rng.below(2) == 0).then(|| "backend".to_string()),
        },
        6 => Action::BreakCoreDns {
            broken: rng.below(3) == 0,
        },
        7 => Action::SetProxyMode {
            mode: ProxyMode::ALL[rng.below(3) as usize],
        },
        8 => {
            let (kind, key) = delete_target(c, rng);
            Action::Delete {
                kind,
                namespace: key.namespace,
                name: key.name,
            }
        }
        9 => Action::Run {
            namespace: if rng.below(6) == 0 && c.namespaces().contains_key("dev") {
                "dev".into()
            } else {
                "default".into()
            },
            name: format!("client{}", rng.below(1000)),
            image: ["busybox", "curlimages/curl", "nginx"][rng.below(3) as usize].into(),
            command: vec!["sh".into()],
        },
        10 | 11 => {
            let d = some_deployment(c, rng);
            let revisions: Vec<i64> = c.revisions(&d).iter().map(|rs| rs.revision).collect();
            // An undo needs a rollout to undo: with one revision, roll out first.
            if rng.below(2) == 0 || revisions.len() < 2 {
                let containers: Vec<String> = c.deployments().get(&d).map_or(Vec::new(), |dep| {
                    dep.spec
                        .template
                        .spec
                        .containers
                        .iter()
                        .map(|c| c.name.clone())
                        .collect()
                });
                Action::SetImage {
                    namespace: d.namespace,
                    deployment: d.name,
                    images: (0..1 + rng.below(2))
                        .map(|_| {
                            let container = match rng.below(8) {
                                0 => "*".to_string(),
                                1 => "web".to_string(),
                                _ => pick(rng, &containers).unwrap_or_else(|| "*".into()),
                            };
                            let image = [
                                "nginx:1.27",
                                "nginx:1.26",
                                "nginx:1.25",
                                "httpd",
                                "nginx:1.99",
                                "Nginx",
                                "",
                            ][rng.below(7) as usize];
                            (container, image.to_string())
                        })
                        .collect(),
                }
            } else {
                Action::RolloutUndo {
                    namespace: d.namespace,
                    deployment: d.name,
                    to_revision: match rng.below(6) {
                        0 | 1 => pick(rng, &revisions),
                        2 => Some(revisions.last().copied().unwrap_or(0) + 5),
                        _ => None,
                    },
                }
            }
        }
        _ => {
            let client = if rng.below(4) == 0 {
                Client::External
            } else {
                Client::Pod(pod)
            };
            let tool = [Tool::Curl, Tool::Wget, Tool::Nslookup, Tool::NcUdp][rng.below(4) as usize];
            let (target, payload) = if tool == Tool::NcUdp {
                (
                    NC_TARGETS[rng.below(NC_TARGETS.len() as u64) as usize],
                    ["hostname\n", "clientip\n", "echo hi\n", "x"][rng.below(4) as usize],
                )
            } else {
                (TARGETS[rng.below(TARGETS.len() as u64) as usize], "")
            };
            let request = Request {
                payload: payload.into(),
                client,
                tool,
                target: target.into(),
            };
            match rng.below(8) {
                0 => Action::SetTraffic {
                    traffic: Some(SteadyTraffic {
                        interval: [1_000, 2_500, 5_000][rng.below(3) as usize],
                        request,
                    }),
                },
                1 => Action::SetTraffic { traffic: None },
                _ => Action::Send { request },
            }
        }
    }
}

/// The name of an action's kind, for the tally.
fn kind_of(a: &Action) -> &'static str {
    match a {
        Action::Apply { .. } => "Apply",
        Action::ApplyEach { .. } => "ApplyEach",
        Action::Delete { .. } => "Delete",
        Action::Scale { .. } => "Scale",
        Action::SetImage { .. } => "SetImage",
        Action::RolloutUndo { .. } => "RolloutUndo",
        Action::DeletePod { .. } => "DeletePod",
        Action::FailReadiness { .. } => "FailReadiness",
        Action::Label { .. } => "Label",
        Action::BreakCoreDns { .. } => "BreakCoreDns",
        Action::SetProxyMode { .. } => "SetProxyMode",
        Action::Run { .. } => "Run",
        Action::Send { .. } => "Send",
        Action::SetTraffic { .. } => "SetTraffic",
    }
}

/// The `IP:port`s kube-proxy must send a Service port's traffic to, read from its EndpointSlices
/// alone: the ready endpoints, or when none is ready the serving ones that are terminating
/// (kube-proxy's `CategorizeEndpoints`).
fn expected_backends(c: &Cluster, key: &ObjectKey, port: usize) -> BTreeSet<String> {
    let svc = &c.services()[key];
    let sp = &svc.spec.ports[port];
    let mut ready = BTreeSet::new();
    let mut fallback = BTreeSet::new();
    for slice in c.service_slices(key) {
        let Some(p) = slice
            .ports
            .iter()
            .find(|p| p.name == sp.name && p.protocol == sp.protocol)
        else {
            continue;
        };
        if p.port <= 0 || p.port > 65535 {
            continue;
        }
        for e in &slice.endpoints {
            let addr = format!("{}:{}", e.ip, p.port);
            if e.ready {
                ready.insert(addr);
            } else if e.serving && e.terminating {
                fallback.insert(addr);
            }
        }
    }
    if ready.is_empty() {
        fallback
    } else {
        ready
    }
}

/// The DNAT destinations a `KUBE-SVC-` chain in an `iptables-save` dump of the nat table leads to.
fn chain_backends(nat: &str, chain: &str) -> BTreeSet<String> {
    let prefix = format!("-A {chain} ");
    nat.lines()
        .filter(|l| l.starts_with(&prefix))
        .filter_map(|l| l.split(" -j ").nth(1))
        .filter(|target| target.starts_with("KUBE-SEP-"))
        .flat_map(|sep| {
            let sep_prefix = format!("-A {sep} ");
            nat.lines()
                .filter(move |l| l.starts_with(&sep_prefix))
                .filter_map(|l| l.split("--to-destination ").nth(1))
                .map(|d| d.split(' ').next().unwrap_or(d).to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The endpoints an nftables Service chain DNATs to: the addresses of its `numgen ... map`, or,
/// with session affinity, those of the endpoint chains its `numgen ... vmap` goes to.
fn nft_chain_backends(dump: &str, chain: &str) -> BTreeSet<String> {
    let rules = |chain: &str| -> Vec<String> {
        let prefix = format!("add rule ip kube-proxy {chain} ");
        dump.lines()
            .filter_map(|l| l.strip_prefix(&prefix).map(String::from))
            .collect()
    };
    let mut out = BTreeSet::new();
    for rule in rules(chain) {
        let Some(body) = rule
            .split_once(" { ")
            .map(|(_, b)| b.trim_end_matches(" }"))
        else {
            continue;
        };
        for item in body.split(" , ") {
            let value = item.split_once(" : ").map_or("", |(_, v)| v);
            if let Some(endpoint) = value.strip_prefix("goto ") {
                for r in rules(endpoint) {
                    if let Some(to) = r.split("dnat to ").nth(1) {
                        out.insert(to.to_string());
                    }
                }
            } else if let Some((ip, port)) = value.split_once(" . ") {
                out.insert(format!("{ip}:{port}"));
            }
        }
    }
    out
}

/// Every Service port's rules on the nodes `which` picks agree with its EndpointSlices: in iptables mode the
/// cluster IP's `KUBE-SVC-` chain reaches exactly the expected endpoints (and the filter table
/// rejects the port when there is none); in IPVS mode the virtual server's real servers (weight
/// above 0) are exactly those endpoints.
fn check_rules(c: &mut Cluster, which: impl Fn(usize) -> bool) {
    let mut ports = Vec::new();
    for (key, svc) in c.services() {
        let ClusterIp::Ip(ip) = svc.spec.cluster_ip else {
            continue;
        };
        // `internalTrafficPolicy: Local` sends to each node's own endpoints: not generated here.
        if svc.spec.internal_traffic_policy == TrafficPolicy::Local {
            continue;
        }
        for (i, p) in svc.spec.ports.iter().enumerate() {
            if p.port <= 0 || p.port > 65535 {
                continue;
            }
            let proto = p.protocol.as_str().to_lowercase();
            ports.push((key.clone(), ip, p.port, proto, expected_backends(c, key, i)));
        }
    }
    let nodes: Vec<String> = c
        .nodes()
        .iter()
        .enumerate()
        .filter(|(i, _)| which(*i))
        .map(|(_, n)| n.meta.name.clone())
        .collect();
    for node in &nodes {
        match c.proxy_mode() {
            ProxyMode::Iptables => {
                let t = c.iptables(node).expect("every node has iptables rules");
                let nat = t.save("nat").unwrap_or_default();
                let filter = t.save("filter").unwrap_or_default();
                for (key, ip, port, proto, expected) in &ports {
                    let portal = format!("-A KUBE-SERVICES -d {ip}/32 -p {proto} ");
                    let dport = format!("--dport {port} ");
                    let svc_chain = nat
                        .lines()
                        .filter(|l| l.starts_with(&portal) && l.contains(&dport))
                        .find(|l| l.contains(" cluster IP\""))
                        .and_then(|l| l.split(" -j ").nth(1));
                    let rejected = filter.lines().any(|l| {
                        l.starts_with(&portal) && l.contains(&dport) && l.contains(" -j REJECT")
                    });
                    let got = svc_chain
                        .map(|chain| chain_backends(&nat, chain))
                        .unwrap_or_default();
                    assert_eq!(
                        &got, expected,
                        "{node}: the rules for {key:?} port {port} follow its EndpointSlices"
                    );
                    assert_eq!(
                        rejected,
                        expected.is_empty(),
                        "{node}: {key:?} port {port} is rejected exactly when it has no endpoint"
                    );
                }
            }
            ProxyMode::Nftables => {
                let dump = c
                    .nftables(node)
                    .expect("nftables mode has an nftables table")
                    .dump();
                for (key, ip, port, proto, expected) in &ports {
                    let element = format!("{ip} . {proto} . {port}");
                    let chain = dump
                        .lines()
                        .filter_map(|l| l.strip_prefix("add element ip kube-proxy service-ips { "))
                        .find_map(|l| l.strip_prefix(&format!("{element} : goto ")))
                        .map(|c| c.trim_end_matches(" }"));
                    let rejected = dump.lines().any(|l| {
                        l.starts_with(&format!(
                            "add element ip kube-proxy no-endpoint-services {{ {element} "
                        )) && l.ends_with(": goto reject-chain }")
                    });
                    let got = chain
                        .map(|chain| nft_chain_backends(&dump, chain))
                        .unwrap_or_default();
                    assert_eq!(
                        &got, expected,
                        "{node}: the nftables rules for {key:?} port {port} follow its EndpointSlices"
                    );
                    assert_eq!(
                        rejected,
                        expected.is_empty(),
                        "{node}: {key:?} port {port} is rejected exactly when it has no endpoint"
                    );
                }
            }
            ProxyMode::Ipvs => {
                let list = c.ipvs(node).expect("IPVS mode has an IPVS table").list();
                for (key, ip, port, proto, expected) in &ports {
                    let header = format!("{}  {ip}:{port} ", proto.to_uppercase());
                    let mut lines = list.lines().skip_while(|l| !l.starts_with(&header));
                    assert!(
                        lines.next().is_some(),
                        "{node}: {key:?} port {port} has a virtual server"
                    );
                    let got: BTreeSet<String> = lines
                        .take_while(|l| l.starts_with("  -> "))
                        .filter_map(|l| {
                            let cols: Vec<&str> = l.split_whitespace().collect();
                            (cols.get(3) != Some(&"0")).then(|| cols[1].to_string())
                        })
                        .collect();
                    assert_eq!(
                        &got, expected,
                        "{node}: the real servers of {key:?} port {port} follow its EndpointSlices"
                    );
                }
            }
        }
    }
}

/// What must hold after every step, whatever the learner did. The proxier rules are checked on
/// one node per step, in turn (`step` counts the steps), and on every node at the end of a run.
fn check(c: &Cluster, step: usize) {
    for slice in c.endpoint_slices().values() {
        // Slices of a Service without a selector are not the controller's to update (a
        // selector removed later leaves the last ones as they were, as in Kubernetes).
        let service = c
            .services()
            .get(&ObjectKey::new(&slice.meta.namespace, &slice.service));
        if service.is_none_or(|s| s.spec.selector.is_none()) {
            continue;
        }
        for e in &slice.endpoints {
            let pod = &c.pods()[&ObjectKey::new(&slice.meta.namespace, &e.pod)];
            assert_eq!(
                pod.status.pod_ip,
                Some(e.ip),
                "endpoint {} follows its pod",
                e.pod
            );
            assert_eq!(e.terminating, pod.is_terminating());
            assert_eq!(e.serving, pod.status.ready);
            if service.is_some_and(|s| !s.spec.publish_not_ready_addresses) {
                assert!(
                    !(e.ready && pod.is_terminating()),
                    "endpoint {}: a terminating pod is never ready",
                    e.pod
                );
            }
            if e.ready {
                assert!(pod.status.container == ContainerState::Running || pod.status.ready);
            }
        }
    }
    // The Deployments panel counts all at once; `kubectl get deployments` one by one.
    let all = c.all_deployment_counts();
    assert_eq!(all.len(), c.deployments().len());
    for (key, counts) in all {
        assert_eq!(counts, c.deployment_counts(key), "counts of {key}");
    }
    for p in c.pods().values() {
        if p.status.ready {
            assert_eq!(
                p.status.container,
                ContainerState::Running,
                "{} is ready only while running",
                p.meta.name
            );
        }
    }
    for t in c.traces() {
        assert!(t.finish >= t.start);
        // A connection opens only once its name is resolved (also after a re-route).
        let resolved = t
            .hops
            .iter()
            .filter(|h| matches!(h.kind, PacketKind::DnsQuery | PacketKind::DnsAnswer))
            .map(|h| h.end)
            .max();
        let opened = t
            .hops
            .iter()
            .filter(|h| h.kind == PacketKind::Request)
            .map(|h| h.start)
            .min();
        if let (Some(resolved), Some(opened)) = (resolved, opened) {
            assert!(
                opened >= resolved,
                "trace {}: connects before resolving",
                t.id
            );
        }
        // Every packet leaves after the client starts and arrives (or is lost) by the time
        // the client prints its answer.
        for h in &t.hops {
            assert!(
                t.start <= h.start && h.start <= h.end && h.end <= t.finish,
                "trace {}: hop {:?} {}..{} outside {}..{}",
                t.id,
                h.kind,
                h.start,
                h.end,
                t.start,
                t.finish
            );
        }
    }
    // On a copy: syncing a proxier to read its rules caches them in the world, which the
    // replayed world (never read) would not have.
    let nodes = c.nodes().len().max(1);
    check_rules(&mut c.clone(), |i| i == step % nodes);
}

/// One step of a run: an action, then the clock moved on.
#[derive(Clone, Debug)]
struct Step {
    action: Action,
    advance: u64,
}

/// Counts of what a budget of runs did.
#[derive(Default)]
struct Tally {
    runs: u64,
    actions: u64,
    /// Per action kind: (succeeded, refused).
    outcomes: BTreeMap<&'static str, (u64, u64)>,
    traces: u64,
}

fn world(seed: u64) -> (Config, Cluster) {
    let config = Config {
        seed,
        ..Config::default()
    };
    let mut c = Cluster::new(config.clone());
    c.apply(SEED_MANIFEST, "backend.yaml").unwrap();
    (config, c)
}

/// Take one step and check the world; returns whether the action succeeded.
fn step(c: &mut Cluster, s: &Step, n: usize, traces: &mut BTreeSet<u64>) -> bool {
    let ok = c.act(s.action.clone()).is_ok();
    c.advance(s.advance);
    check(c, n);
    traces.extend(c.traces().iter().map(|t| t.id));
    ok
}

fn check_replay(config: Config, c: &Cluster) {
    check_rules(&mut c.clone(), |_| true);
    let mut replayed = Cluster::replay(config, c.log());
    replayed.advance(c.now() - replayed.now());
    assert!(replayed == *c, "the log replays to the same world");
}

/// Replay a fixed list of steps from seed `seed`, checking as the generated run did.
fn replay_steps(seed: u64, steps: &[Step]) {
    let (config, mut c) = world(seed);
    let mut traces = BTreeSet::new();
    for (n, s) in steps.iter().enumerate() {
        step(&mut c, s, n, &mut traces);
    }
    check_replay(config, &c);
}

/// A shorter list of steps that still fails: chunks of steps are dropped, halving the chunk size
/// down to one, then each remaining clock advance is tried at zero.
fn shrink(seed: u64, mut steps: Vec<Step>) -> Vec<Step> {
    let fails = |steps: &[Step]| {
        panic::catch_unwind(AssertUnwindSafe(|| replay_steps(seed, steps))).is_err()
    };
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut chunk = steps.len().div_ceil(2);
    while chunk >= 1 {
        let mut i = 0;
        while i < steps.len() {
            let mut candidate = steps.clone();
            candidate.drain(i..(i + chunk).min(steps.len()));
            if fails(&candidate) {
                steps = candidate;
            } else {
                i += chunk;
            }
        }
        chunk /= 2;
    }
    for i in 0..steps.len() {
        if steps[i].advance != 0 {
            let mut candidate = steps.clone();
            candidate[i].advance = 0;
            if fails(&candidate) {
                steps = candidate;
            }
        }
    }
    panic::set_hook(hook);
    steps
}

/// One generated run of `actions` steps from `seed`, counted into `tally`. A failure is shrunk
/// and reported with the short list of steps that reproduces it.
fn run(seed: u64, actions: usize, tally: &mut Tally) {
    let mut steps: Vec<Step> = Vec::new();
    let mut outcomes: Vec<(&'static str, bool)> = Vec::new();
    let mut traces = BTreeSet::new();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let (config, mut c) = world(seed);
        let mut rng = Rng::new(seed);
        for n in 0..actions {
            let s = Step {
                action: action(&c, &mut rng),
                advance: rng.below(4_000),
            };
            steps.push(s.clone());
            let ok = step(&mut c, &s, n, &mut traces);
            outcomes.push((kind_of(&s.action), ok));
        }
        check_replay(config, &c);
    }));
    if let Err(cause) = result {
        let message = cause
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| cause.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        let small = shrink(seed, steps.clone());
        panic!(
            "seed {seed}: {message}\nafter {} steps; shrunk to these {} (Cluster seed {seed}, the seed manifest applied first):\n{small:#?}",
            steps.len(),
            small.len()
        );
    }
    tally.runs += 1;
    tally.actions += outcomes.len() as u64;
    tally.traces += traces.len() as u64;
    for (kind, ok) in outcomes {
        let e = tally.outcomes.entry(kind).or_default();
        if ok {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
}

fn env(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[test]
fn generated_runs_never_panic_keep_their_invariants_and_replay_exactly() {
    let first = env("SVCLAB_FUZZ_SEED").unwrap_or(0);
    let runs = env("SVCLAB_FUZZ_RUNS").unwrap_or(24);
    let actions = env("SVCLAB_FUZZ_ACTIONS").unwrap_or(120) as usize;
    let seconds = env("SVCLAB_FUZZ_SECONDS");
    // The wall clock only decides how many seeds a long run gets through; each run is decided by
    // its seed alone.
    let started = std::time::Instant::now();
    let mut tally = Tally::default();
    let mut seed = first;
    loop {
        let more = match seconds {
            Some(s) => started.elapsed().as_secs() < s,
            None => seed < first + runs,
        };
        if !more {
            break;
        }
        run(seed, actions, &mut tally);
        seed += 1;
    }
    println!(
        "generated runs: {} runs (seeds {first}..{seed}) of {actions} actions: {} actions, {} traces checked",
        tally.runs, tally.actions, tally.traces
    );
    for (kind, (ok, refused)) in &tally.outcomes {
        println!("  {kind:<14} {ok:>8} succeeded {refused:>8} refused");
    }
    // Each kind of action must do something often enough for its effects to be checked.
    for (kind, (ok, refused)) in &tally.outcomes {
        assert!(
            ok * 2 >= ok + refused,
            "{kind} succeeded {ok} times out of {}: the generator should aim better",
            ok + refused
        );
    }
    assert_eq!(
        tally.outcomes.len(),
        13,
        "every kind of action was generated"
    );
}

#[test]
fn a_huge_replica_count_or_object_count_is_refused_not_simulated() {
    let mut c = Cluster::new(Config::default());
    let e = c
        .apply(
            &SEED_MANIFEST.replace("replicas: 3", "replicas: 1000000"),
            "big.yaml",
        )
        .unwrap_err();
    assert!(
        e[0].message.contains("at most 1000 replicas"),
        "{}",
        e[0].message
    );
    assert!(!c
        .deployments()
        .contains_key(&ObjectKey::new("default", "backend")));
}
