//! Generated runs: random manifests and actions, checked for panics, for the invariants a learner
//! relies on, and for replaying exactly from the action log.

use svclab_sim::action::Action;
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::examples::SEED_MANIFEST;
use svclab_sim::kube_proxy::ProxyMode;
use svclab_sim::model::{ContainerState, ObjectKey};
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

fn any_pod(c: &Cluster, rng: &mut Rng) -> Option<ObjectKey> {
    let pods: Vec<&ObjectKey> = c.pods().keys().collect();
    (!pods.is_empty()).then(|| pods[rng.below(pods.len() as u64) as usize].clone())
}

fn action(c: &Cluster, rng: &mut Rng) -> Action {
    let pod = any_pod(c, rng).unwrap_or_else(|| ObjectKey::new("default", "nope"));
    match rng.below(14) {
        0 | 1 => Action::Apply {
            manifest: manifest(rng),
        },
        2 => Action::Scale {
            namespace: "default".into(),
            deployment: if rng.below(5) == 0 {
                "coredns".into()
            } else {
                "backend".into()
            },
            replicas: rng.below(8) as i64 - 1,
        },
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
            mode: if rng.below(2) == 0 {
                ProxyMode::Ipvs
            } else {
                ProxyMode::Iptables
            },
        },
        8 => Action::Delete {
            kind: [
                Kind::Deployment,
                Kind::Service,
                Kind::Pod,
                Kind::NetworkPolicy,
                Kind::Namespace,
                Kind::Endpoints,
            ][rng.below(6) as usize],
            namespace: "default".into(),
            name: ["backend", "backend-service", "web", "deny", "dev", "test"]
                [rng.below(6) as usize]
                .into(),
        },
        9 => Action::Run {
            namespace: if rng.below(3) == 0 {
                "dev".into()
            } else {
                "default".into()
            },
            name: format!("client{}", rng.below(3)),
            image: ["busybox", "curlimages/curl", "nginx"][rng.below(3) as usize].into(),
            command: vec!["sh".into()],
        },
        10 => Action::SetImage {
            namespace: "default".into(),
            deployment: "backend".into(),
            images: (0..1 + rng.below(2))
                .map(|_| {
                    (
                        ["api", "*", "web"][rng.below(3) as usize].to_string(),
                        ["nginx:1.27", "nginx:1.99", "Nginx", "", "busybox"][rng.below(5) as usize]
                            .to_string(),
                    )
                })
                .collect(),
        },
        11 => Action::RolloutUndo {
            namespace: "default".into(),
            deployment: "backend".into(),
            to_revision: [None, Some(1), Some(2), Some(7)][rng.below(4) as usize],
        },
        _ => Action::Send {
            request: Request {
                client: if rng.below(4) == 0 {
                    Client::External
                } else {
                    Client::Pod(pod)
                },
                tool: [Tool::Curl, Tool::Wget, Tool::Nslookup][rng.below(3) as usize],
                target: TARGETS[rng.below(TARGETS.len() as u64) as usize].into(),
            },
        },
    }
}

/// What must hold after every step, whatever the learner did.
fn check(c: &Cluster) {
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
            if e.ready {
                assert!(pod.status.container == ContainerState::Running || pod.status.ready);
            }
        }
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
        assert!(t
            .hops
            .iter()
            .all(|h| h.start <= h.end && h.end <= t.finish.max(h.end)));
    }
}

#[test]
fn generated_runs_never_panic_keep_their_invariants_and_replay_exactly() {
    for seed in 0..24u64 {
        let mut rng = Rng::new(seed);
        let config = Config {
            seed,
            ..Config::default()
        };
        let mut c = Cluster::new(config.clone());
        c.apply(SEED_MANIFEST, "backend.yaml").unwrap();
        for _ in 0..120 {
            let a = action(&c, &mut rng);
            let _ = c.act(a);
            c.advance(rng.below(4_000));
            check(&c);
        }
        let mut replayed = Cluster::replay(config, c.log());
        replayed.advance(c.now() - replayed.now());
        assert!(
            replayed == c,
            "seed {seed}: the log replays to the same world"
        );
    }
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
