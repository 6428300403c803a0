//! The world's controllers, as a learner sees them through apply, scale, kill and readiness.

use std::net::Ipv4Addr;

use svclab_sim::action::Action;
use svclab_sim::cluster::{Applied, Cluster, Config};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::model::{ClusterIp, ObjectKey, Pod, PullPolicy};
use svclab_sim::time::SECOND;

/// The lines kubectl prints for an apply.
fn text(applied: &[Applied]) -> Vec<String> {
    applied.iter().map(ToString::to_string).collect()
}

fn seeded() -> Cluster {
    let mut c = Cluster::new(Config::default());
    c.apply(SEED_MANIFEST, SEED_FILENAME)
        .expect("the seed applies");
    c.advance(10 * SECOND);
    c
}

fn backend_pods(c: &Cluster) -> Vec<&Pod> {
    c.pods()
        .values()
        .filter(|p| p.meta.labels.get("app").map(String::as_str) == Some("backend"))
        .collect()
}

fn ready_endpoints(c: &Cluster, service: &str) -> Vec<Ipv4Addr> {
    let mut ips: Vec<Ipv4Addr> = c
        .service_slices(&ObjectKey::new("default", service))
        .iter()
        .flat_map(|s| s.endpoints.iter())
        .filter(|e| e.ready)
        .map(|e| e.ip)
        .collect();
    ips.sort();
    ips
}

#[test]
fn a_fresh_cluster_is_a_kind_cluster() {
    let c = Cluster::new(Config::default());
    let nodes: Vec<(&str, String)> = c
        .nodes()
        .iter()
        .map(|n| (n.meta.name.as_str(), n.pod_cidr()))
        .collect();
    assert_eq!(
        nodes,
        [
            ("kind-control-plane", "10.244.0.0/24".to_string()),
            ("kind-worker", "10.244.1.0/24".to_string()),
            ("kind-worker2", "10.244.2.0/24".to_string()),
            ("kind-worker3", "10.244.3.0/24".to_string()),
        ]
    );
    let dns = &c.services()[&ObjectKey::new("kube-system", "kube-dns")];
    assert_eq!(dns.spec.cluster_ip.ip(), Some(Ipv4Addr::new(10, 96, 0, 10)));
    let api = &c.services()[&ObjectKey::new("default", "kubernetes")];
    assert_eq!(api.spec.cluster_ip.ip(), Some(Ipv4Addr::new(10, 96, 0, 1)));
    let coredns: Vec<&Pod> = c
        .pods()
        .values()
        .filter(|p| p.meta.name.starts_with("coredns-"))
        .collect();
    assert_eq!(coredns.len(), 2);
    assert!(coredns.iter().all(|p| p.status.ready));
    assert_eq!(ready_endpoints_ns(&c, "kube-system", "kube-dns").len(), 2);
    let proxies = c
        .pods()
        .values()
        .filter(|p| p.meta.name.starts_with("kube-proxy-"))
        .count();
    assert_eq!(proxies, 4, "kube-proxy runs on every node");

    // kube-system's pods name their containers as kind's do (what `kubectl logs -c` takes).
    let mut containers: Vec<(String, &str)> = c
        .pods()
        .values()
        .filter(|p| p.meta.namespace == "kube-system")
        .map(|p| {
            // Pod names less their generated suffixes (and node name).
            let app = p.meta.name.rsplit_once('-').map_or("", |(a, _)| a);
            let app = app.trim_end_matches("-kind-control");
            let app = if app.starts_with("coredns-") {
                "coredns"
            } else {
                app
            };
            (app.to_string(), p.spec.containers[0].name.as_str())
        })
        .collect();
    containers.sort();
    containers.dedup();
    assert_eq!(
        containers,
        [
            ("coredns".to_string(), "coredns"),
            ("etcd".to_string(), "etcd"),
            ("kindnet".to_string(), "kindnet-cni"),
            ("kube-apiserver".to_string(), "kube-apiserver"),
            (
                "kube-controller-manager".to_string(),
                "kube-controller-manager"
            ),
            ("kube-proxy".to_string(), "kube-proxy"),
            ("kube-scheduler".to_string(), "kube-scheduler"),
        ]
    );
}

fn ready_endpoints_ns(c: &Cluster, ns: &str, service: &str) -> Vec<Ipv4Addr> {
    c.service_slices(&ObjectKey::new(ns, service))
        .iter()
        .flat_map(|s| s.endpoints.iter())
        .filter(|e| e.ready)
        .map(|e| e.ip)
        .collect()
}

#[test]
fn the_seed_gives_three_ready_backends_behind_the_service() {
    let mut c = Cluster::new(Config::default());
    let lines = text(&c.apply(SEED_MANIFEST, SEED_FILENAME).unwrap());
    assert_eq!(
        lines,
        [
            "deployment.apps/backend created",
            "service/backend-service created"
        ]
    );
    // Created, but nothing is running yet.
    assert_eq!(backend_pods(&c).len(), 3);
    assert!(backend_pods(&c).iter().all(|p| !p.status.ready));
    assert!(ready_endpoints(&c, "backend-service").is_empty());
    c.advance(10 * SECOND);
    let pods = backend_pods(&c);
    assert_eq!(pods.len(), 3);
    for p in &pods {
        assert_eq!(p.status_reason(), "Running");
        let rs = p.owner.as_deref().unwrap();
        let hash = rs.strip_prefix("backend-").unwrap();
        assert!(hash.chars().all(|ch| "456789bcdf".contains(ch)), "{rs}");
        let suffix = p.meta.name.strip_prefix(&format!("{rs}-")).unwrap();
        assert_eq!(suffix.len(), 5);
        let ip = p.status.pod_ip.unwrap();
        assert_eq!(ip.octets()[..2], [10, 244]);
    }
    // The scheduler spreads one Deployment's pods over the three workers.
    let mut nodes: Vec<&str> = pods
        .iter()
        .map(|p| p.spec.node_name.as_deref().unwrap())
        .collect();
    nodes.sort();
    assert_eq!(nodes, ["kind-worker", "kind-worker2", "kind-worker3"]);
    let mut ips: Vec<Ipv4Addr> = pods.iter().map(|p| p.status.pod_ip.unwrap()).collect();
    ips.sort();
    assert_eq!(ready_endpoints(&c, "backend-service"), ips);
    let svc = &c.services()[&ObjectKey::new("default", "backend-service")];
    let ip = svc.spec.cluster_ip.ip().unwrap();
    assert!(
        ip.octets()[0] == 10 && (96..112).contains(&ip.octets()[1]),
        "{ip}"
    );
}

#[test]
fn apply_is_all_or_nothing() {
    let mut c = seeded();
    let before = c.clone();
    let bad = format!(
        "{SEED_MANIFEST}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: 1tenant\nspec:\n  ports:\n    - port: 70000\n"
    );
    let errors = c.apply(&bad, SEED_FILENAME).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].document, 2);
    assert!(
        errors[0]
            .message
            .starts_with("The Service \"1tenant\" is invalid"),
        "{}",
        errors[0].message
    );
    assert_eq!(c, before, "a rejected apply changes nothing");
}

#[test]
fn reapplying_keeps_the_cluster_ip_and_reports_unchanged() {
    let mut c = seeded();
    let ip = c.services()[&ObjectKey::new("default", "backend-service")]
        .spec
        .cluster_ip;
    let lines = text(&c.apply(SEED_MANIFEST, SEED_FILENAME).unwrap());
    assert_eq!(
        lines,
        [
            "deployment.apps/backend unchanged",
            "service/backend-service unchanged"
        ]
    );
    let changed = SEED_MANIFEST.replace("targetPort: 80", "targetPort: 8080");
    let lines = text(&c.apply(&changed, SEED_FILENAME).unwrap());
    assert_eq!(lines[1], "service/backend-service configured");
    let svc = &c.services()[&ObjectKey::new("default", "backend-service")];
    assert_eq!(svc.spec.cluster_ip, ip);
    // Endpoints follow the new targetPort at once.
    let ports: Vec<i64> = c
        .service_slices(&svc.key())
        .iter()
        .flat_map(|s| s.ports.iter().map(|p| p.port))
        .collect();
    assert_eq!(ports, [8080]);
}

#[test]
fn a_service_turned_to_and_from_external_name_gives_back_and_gets_a_cluster_ip() {
    // kubernetes/kubernetes pkg/registry/core/service/storage/alloc.go, updateClusterIPs: an
    // update to ExternalName releases the cluster IP (case B); one from ExternalName allocates,
    // the IP asked for or the next free one (case A).
    let service = |name: &str, spec: &str| {
        format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n{spec}  ports:\n    - port: 80\n")
    };
    let cluster_ip = |c: &Cluster, name: &str| {
        c.services()[&ObjectKey::new("default", name)]
            .spec
            .cluster_ip
    };
    let mut c = Cluster::new(Config::default());
    c.apply(&service("a", "  clusterIP: 10.96.1.4\n"), "a.yaml")
        .unwrap();
    c.apply(
        &service("a", "  type: ExternalName\n  externalName: example.com\n"),
        "a.yaml",
    )
    .unwrap();
    assert_eq!(cluster_ip(&c, "a"), ClusterIp::NoIp);
    // 10.96.1.4 is free again.
    c.apply(&service("b", "  clusterIP: 10.96.1.4\n"), "b.yaml")
        .unwrap();
    // Back from ExternalName: the IP asked for, or the next free one.
    c.apply(&service("a", "  clusterIP: 10.96.1.5\n"), "a.yaml")
        .unwrap();
    assert_eq!(
        cluster_ip(&c, "a"),
        ClusterIp::Ip(Ipv4Addr::new(10, 96, 1, 5))
    );
    c.apply(
        &service("c", "  type: ExternalName\n  externalName: example.com\n"),
        "c.yaml",
    )
    .unwrap();
    c.apply(&service("c", ""), "c.yaml").unwrap();
    assert!(matches!(cluster_ip(&c, "c"), ClusterIp::Ip(_)));
}

#[test]
fn a_changed_template_rolls_the_deployment() {
    let mut c = seeded();
    let old: Vec<String> = backend_pods(&c)
        .iter()
        .map(|p| p.meta.name.clone())
        .collect();
    let old_rs = backend_pods(&c)[0].owner.clone().unwrap();
    let rolled = SEED_MANIFEST.replace("image: nginx", "image: nginx:1.27");
    let lines = text(&c.apply(&rolled, SEED_FILENAME).unwrap());
    assert_eq!(lines[0], "deployment.apps/backend configured");
    c.advance(60 * SECOND);
    let pods = backend_pods(&c);
    assert_eq!(pods.len(), 3);
    assert!(pods.iter().all(|p| !old.contains(&p.meta.name)));
    assert!(pods
        .iter()
        .all(|p| p.owner.as_deref() != Some(old_rs.as_str())));
    assert!(pods.iter().all(|p| p.status.ready));
    let old_set = &c.replica_sets()[&ObjectKey::new("default", &old_rs)];
    assert_eq!(
        old_set.replicas, 0,
        "the old ReplicaSet is kept, scaled to 0"
    );
    assert_eq!(ready_endpoints(&c, "backend-service").len(), 3);
}

#[test]
fn scaling_changes_pods_and_endpoints() {
    let mut c = seeded();
    let scale = |replicas| Action::Scale {
        namespace: "default".into(),
        deployment: "backend".into(),
        replicas,
    };
    assert_eq!(
        c.act(scale(5)).unwrap().lines(),
        ["deployment.apps/backend scaled"]
    );
    c.advance(10 * SECOND);
    assert_eq!(backend_pods(&c).len(), 5);
    assert_eq!(ready_endpoints(&c, "backend-service").len(), 5);
    c.act(scale(1)).unwrap();
    c.advance(10 * SECOND);
    assert_eq!(backend_pods(&c).len(), 1);
    assert_eq!(ready_endpoints(&c, "backend-service").len(), 1);
    assert!(c.act(scale(-1)).is_err());
    assert!(c
        .act(scale(1_000_000))
        .unwrap_err()
        .to_string()
        .contains("at most"));
    let missing = Action::Scale {
        namespace: "default".into(),
        deployment: "nope".into(),
        replicas: 2,
    };
    assert_eq!(
        c.act(missing).unwrap_err().to_string(),
        "Error from server (NotFound): deployments.apps \"nope\" not found"
    );
}

#[test]
fn a_killed_pod_terminates_and_is_replaced_with_a_new_name_and_ip() {
    let mut c = seeded();
    let victim = backend_pods(&c)[0].clone();
    let ip = victim.status.pod_ip.unwrap();
    c.act(Action::DeletePod {
        namespace: "default".into(),
        pod: victim.meta.name.clone(),
    })
    .unwrap();
    // At once: the victim is Terminating, out of the ready endpoints, and a replacement exists.
    let p = &c.pods()[&victim.key()];
    assert_eq!(p.status_reason(), "Terminating");
    assert!(!ready_endpoints(&c, "backend-service").contains(&ip));
    let slice_entry = c
        .service_slices(&ObjectKey::new("default", "backend-service"))
        .iter()
        .flat_map(|s| s.endpoints.clone())
        .find(|e| e.ip == ip)
        .unwrap();
    assert!(slice_entry.terminating && slice_entry.serving && !slice_entry.ready);
    assert_eq!(backend_pods(&c).len(), 4);
    c.advance(10 * SECOND);
    let pods = backend_pods(&c);
    assert_eq!(pods.len(), 3);
    assert!(pods.iter().all(|p| p.meta.name != victim.meta.name));
    assert!(pods.iter().all(|p| p.status.pod_ip != Some(ip)));
    assert_eq!(ready_endpoints(&c, "backend-service").len(), 3);
}

#[test]
fn readiness_moves_a_pod_between_addresses_and_not_ready_addresses() {
    let mut c = seeded();
    let pod = backend_pods(&c)[0].clone();
    let ip = pod.status.pod_ip.unwrap();
    c.act(Action::FailReadiness {
        namespace: "default".into(),
        pod: pod.meta.name.clone(),
        fail: true,
    })
    .unwrap();
    c.advance(2 * SECOND);
    let ep = &c.endpoints()[&ObjectKey::new("default", "backend-service")];
    let ready: Vec<Ipv4Addr> = ep
        .subsets
        .iter()
        .flat_map(|s| s.addresses.iter().map(|a| a.0))
        .collect();
    let not_ready: Vec<Ipv4Addr> = ep
        .subsets
        .iter()
        .flat_map(|s| s.not_ready_addresses.iter().map(|a| a.0))
        .collect();
    assert_eq!(ready.len(), 2);
    assert_eq!(not_ready, [ip]);
    c.act(Action::FailReadiness {
        namespace: "default".into(),
        pod: pod.meta.name.clone(),
        fail: false,
    })
    .unwrap();
    c.advance(2 * SECOND);
    assert_eq!(ready_endpoints(&c, "backend-service").len(), 3);
}

#[test]
fn publish_not_ready_addresses_keeps_unready_pods_in_addresses() {
    let mut c = seeded();
    let manifest = SEED_MANIFEST.replace(
        "  type: ClusterIP",
        "  type: ClusterIP\n  publishNotReadyAddresses: true",
    );
    c.apply(&manifest, SEED_FILENAME).unwrap();
    let pod = backend_pods(&c)[0].meta.name.clone();
    c.act(Action::FailReadiness {
        namespace: "default".into(),
        pod,
        fail: true,
    })
    .unwrap();
    c.advance(2 * SECOND);
    assert_eq!(ready_endpoints(&c, "backend-service").len(), 3);
}

#[test]
fn a_named_target_port_is_resolved_per_pod() {
    let mut c = Cluster::new(Config::default());
    let manifest = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          ports:
            - name: http
              containerPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: stray
  labels: {app: web}
spec:
  containers:
    - name: web
      image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: http
";
    c.apply(manifest, "web.yaml").unwrap();
    c.advance(10 * SECOND);
    let slices = c.service_slices(&ObjectKey::new("default", "web"));
    let endpoints: Vec<_> = slices.iter().flat_map(|s| s.endpoints.iter()).collect();
    assert_eq!(endpoints.len(), 2, "the stray pod has no port named http");
    assert!(endpoints.iter().all(|e| e.pod.starts_with("web-")));
    assert!(slices.iter().all(|s| s.ports[0].port == 8080));
}

#[test]
fn static_cluster_ips_and_node_ports_conflict_like_the_api_server() {
    let mut c = seeded();
    let taken = "apiVersion: v1\nkind: Service\nmetadata:\n  name: dns2\nspec:\n  clusterIP: 10.96.0.10\n  ports:\n    - port: 53\n";
    let e = c.apply(taken, "dns2.yaml").unwrap_err();
    assert_eq!(
        e[0].message,
        "The Service \"dns2\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is already allocated"
    );
    let np = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  type: NodePort\n  selector: {app: backend}\n  ports:\n    - port: 80\n      nodePort: 30080\n";
    c.apply(np, "a.yaml").unwrap();
    let e = c
        .apply(&np.replace("name: a", "name: b"), "b.yaml")
        .unwrap_err();
    assert_eq!(
        e[0].message,
        "The Service \"b\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"
    );
    // Re-applying the owner keeps its port.
    assert_eq!(
        text(&c.apply(np, "a.yaml").unwrap()),
        ["service/a unchanged"]
    );
}

#[test]
fn pods_that_fit_nowhere_stay_pending_with_the_schedulers_reason() {
    let mut c = Cluster::new(Config {
        max_pods_per_node: 4,
        ..Config::default()
    });
    c.apply(
        &SEED_MANIFEST.replace("replicas: 3", "replicas: 9"),
        SEED_FILENAME,
    )
    .unwrap();
    c.advance(10 * SECOND);
    let pending: Vec<&Pod> = backend_pods(&c)
        .into_iter()
        .filter(|p| p.status_reason() == "Pending")
        .collect();
    // Each worker already runs kube-proxy and kindnet: two free slots each.
    assert_eq!(pending.len(), 3);
    let event = c
        .events()
        .iter()
        .find(|e| e.reason == "FailedScheduling")
        .unwrap();
    assert!(event.message.starts_with("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Too many pods."), "{}", event.message);
}

#[test]
fn same_seed_same_actions_same_world_and_the_log_replays_it() {
    let run = |seed| {
        let mut c = Cluster::new(Config {
            seed,
            ..Config::default()
        });
        c.apply(SEED_MANIFEST, SEED_FILENAME).unwrap();
        c.advance(3 * SECOND);
        let victim = backend_pods(&c)[1].meta.name.clone();
        c.act(Action::DeletePod {
            namespace: "default".into(),
            pod: victim,
        })
        .unwrap();
        c.advance(700);
        c.act(Action::Scale {
            namespace: "default".into(),
            deployment: "backend".into(),
            replicas: 4,
        })
        .unwrap();
        c.advance(20 * SECOND);
        c
    };
    let a = run(7);
    let b = run(7);
    assert_eq!(a, b);
    let names = |c: &Cluster| c.pods().keys().map(|k| k.name.clone()).collect::<Vec<_>>();
    assert_ne!(names(&a), names(&run(8)), "another seed, other names");
    let mut replayed = Cluster::replay(a.config().clone(), a.log());
    replayed.advance(a.now() - replayed.now());
    assert_eq!(replayed, a);
}

#[test]
fn a_stateful_error_points_at_the_line_that_caused_it() {
    let mut c = seeded();
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: dns2\nspec:\n  ports:\n    - port: 53\n  clusterIP: 10.96.0.10\n";
    let e = c.apply(text, "dns2.yaml").unwrap_err();
    assert_eq!((e[0].line, e[0].fields[0].line), (8, 8));
    let ns = "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  namespace: nowhere\nspec:\n  ports:\n    - port: 80\n";
    let e = c.apply(ns, "x.yaml").unwrap_err();
    assert_eq!(
        e[0].message,
        "Error from server (NotFound): error when creating \"x.yaml\": namespaces \"nowhere\" not found"
    );
}

/// The kubelet's image events for one pod, in order, as `(reason, message)`.
fn image_events(c: &Cluster, pod: &str) -> Vec<(String, String)> {
    c.events()
        .iter()
        .filter(|e| e.object == format!("pod/{pod}") && e.source == "kubelet")
        .filter(|e| e.reason.contains("Pull"))
        .map(|e| (e.reason.clone(), e.message.clone()))
        .collect()
}

fn pod_names_on(c: &Cluster, node: &str) -> Vec<String> {
    let mut pods: Vec<&Pod> = backend_pods(c)
        .into_iter()
        .filter(|p| p.spec.node_name.as_deref() == Some(node))
        .collect();
    pods.sort_by_key(|p| p.meta.creation);
    pods.iter().map(|p| p.meta.name.clone()).collect()
}

#[test]
fn an_untagged_image_is_pulled_for_every_pod_and_a_second_pull_waits_for_the_first() {
    // `image: nginx` defaults to imagePullPolicy Always: every new pod pulls, quickly once the
    // node has the layers. Six replicas on three workers: two pods per node start together,
    // and the second waits for the first's pull (the kubelet pulls one image at a time).
    let mut c = Cluster::new(Config::default());
    c.apply(
        &SEED_MANIFEST.replace("replicas: 3", "replicas: 6"),
        SEED_FILENAME,
    )
    .unwrap();
    c.advance(10 * SECOND);
    let deployment = &c.deployments()[&ObjectKey::new("default", "backend")];
    let policy = deployment.spec.template.spec.containers[0].image_pull_policy;
    assert_eq!(policy, PullPolicy::Always);
    let on_worker = pod_names_on(&c, "kind-worker");
    assert_eq!(on_worker.len(), 2, "{on_worker:?}");
    let pulled = |msg: &str| ("Pulled".to_string(), msg.to_string());
    let pulling = ("Pulling".to_string(), "Pulling image \"nginx\"".to_string());
    assert_eq!(
        image_events(&c, &on_worker[0]),
        [pulling.clone(), pulled("Successfully pulled image \"nginx\" in 2.1s (2.1s including waiting). Image size: 72099501 bytes.")]
    );
    assert_eq!(
        image_events(&c, &on_worker[1]),
        [pulling.clone(), pulled("Successfully pulled image \"nginx\" in 480ms (2.58s including waiting). Image size: 72099501 bytes.")]
    );
    assert_eq!(ready_endpoints(&c, "backend-service").len(), 6);

    // A replacement pod pulls again (every node has the layers now): quick, no waiting.
    c.act(Action::DeletePod {
        namespace: "default".into(),
        pod: on_worker[0].clone(),
    })
    .unwrap();
    c.advance(10 * SECOND);
    let newest = backend_pods(&c)
        .into_iter()
        .max_by_key(|p| p.meta.creation)
        .unwrap();
    assert_eq!(
        image_events(&c, &newest.meta.name),
        [pulling, pulled("Successfully pulled image \"nginx\" in 480ms (480ms including waiting). Image size: 72099501 bytes.")]
    );
}

#[test]
fn a_tagged_image_is_pulled_once_per_node_and_never_means_never() {
    // `nginx:1.27` defaults to IfNotPresent: once a node has it, new pods there find it.
    let mut c = Cluster::new(Config::default());
    let tagged = SEED_MANIFEST.replace("image: nginx", "image: nginx:1.27");
    c.apply(&tagged, SEED_FILENAME).unwrap();
    c.advance(10 * SECOND);
    c.act(Action::Scale {
        namespace: "default".into(),
        deployment: "backend".into(),
        replicas: 6,
    })
    .unwrap();
    c.advance(10 * SECOND);
    let on_worker = pod_names_on(&c, "kind-worker");
    assert_eq!(on_worker.len(), 2, "{on_worker:?}");
    assert_eq!(
        image_events(&c, &on_worker[1]),
        [(
            "Pulled".to_string(),
            "Container image \"nginx:1.27\" already present on machine".to_string()
        )]
    );

    // imagePullPolicy: Never, and the nodes have never pulled busybox: the pods never start.
    let never = SEED_MANIFEST
        .replace("name: backend", "name: offline")
        .replace("app: backend", "app: offline")
        .replace(
            "image: nginx",
            "image: busybox:1.36\n          imagePullPolicy: Never",
        );
    c.apply(&never, "offline.yaml").unwrap();
    c.advance(30 * SECOND);
    let stuck: Vec<&Pod> = c
        .pods()
        .values()
        .filter(|p| p.meta.labels.get("app").map(String::as_str) == Some("offline"))
        .collect();
    assert_eq!(stuck.len(), 3);
    for p in &stuck {
        assert_eq!(p.status_reason(), "ErrImageNeverPull");
        assert!(!p.status.ready);
        let warning = c
            .events()
            .iter()
            .find(|e| e.object == format!("pod/{}", p.meta.name) && e.warning)
            .unwrap();
        assert_eq!(warning.reason, "ErrImageNeverPull");
        assert_eq!(
            warning.message,
            "Container image \"busybox:1.36\" is not present with pull policy of Never"
        );
    }
    assert_eq!(
        stuck[0].spec.containers[0].image_pull_policy,
        PullPolicy::Never,
        "an explicit policy is kept"
    );
    assert!(c
        .services()
        .contains_key(&ObjectKey::new("default", "offline-service")));
    assert!(ready_endpoints(&c, "offline-service").is_empty());

    // Once another pod has pulled the image onto their node, the kubelet's next look finds it.
    let puller = SEED_MANIFEST
        .split("---")
        .next()
        .unwrap()
        .replace("name: backend", "name: puller")
        .replace("app: backend", "app: puller")
        .replace("image: nginx", "image: busybox:1.36");
    c.apply(&puller, "puller.yaml").unwrap();
    c.advance(30 * SECOND);
    let with_image: Vec<String> = c
        .pods()
        .values()
        .filter(|p| p.meta.labels.get("app").map(String::as_str) == Some("puller"))
        .filter_map(|p| p.spec.node_name.clone())
        .collect();
    let offline: Vec<&Pod> = c
        .pods()
        .values()
        .filter(|p| p.meta.labels.get("app").map(String::as_str) == Some("offline"))
        .collect();
    assert!(offline
        .iter()
        .any(|p| with_image.contains(p.spec.node_name.as_ref().unwrap())));
    for p in offline {
        let node = p.spec.node_name.as_ref().unwrap();
        let expected = if with_image.contains(node) {
            "Running"
        } else {
            "ErrImageNeverPull"
        };
        assert_eq!(p.status_reason(), expected, "{} on {node}", p.meta.name);
    }
    assert!(!ready_endpoints(&c, "offline-service").is_empty());
}

#[test]
fn a_pod_has_its_ip_and_is_a_not_ready_endpoint_while_its_image_is_pulled() {
    // The sandbox (and its IP) comes before the image: for the couple of seconds of the pull,
    // kubectl shows the IP and the EndpointSlice lists the pod, not ready.
    let mut c = Cluster::new(Config::default());
    c.apply(SEED_MANIFEST, SEED_FILENAME).unwrap();
    assert!(backend_pods(&c).iter().all(|p| p.status.pod_ip.is_none()));
    c.advance(SECOND);
    let pods = backend_pods(&c);
    assert_eq!(pods.len(), 3);
    assert!(pods
        .iter()
        .all(|p| p.status_reason() == "ContainerCreating"));
    let ips: Vec<Ipv4Addr> = pods.iter().map(|p| p.status.pod_ip.unwrap()).collect();
    let listed: Vec<(Ipv4Addr, bool)> = c
        .service_slices(&ObjectKey::new("default", "backend-service"))
        .iter()
        .flat_map(|s| s.endpoints.iter())
        .map(|e| (e.ip, e.ready))
        .collect();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|(ip, ready)| ips.contains(ip) && !ready));
    c.advance(10 * SECOND);
    let running: Vec<Ipv4Addr> = backend_pods(&c)
        .iter()
        .map(|p| p.status.pod_ip.unwrap())
        .collect();
    assert_eq!(running, ips, "the container keeps the sandbox's IP");
    assert_eq!(ready_endpoints(&c, "backend-service").len(), 3);
}

/// Steady traffic is one logged action: the cluster sends each request itself at its instant,
/// so an hour of traffic costs the log nothing and a replay sends the same requests.
#[test]
fn steady_traffic_sends_at_its_instants_from_one_logged_action() {
    use svclab_sim::action::SteadyTraffic;
    use svclab_sim::trace::{Client, Request, Tool};
    let mut c = seeded();
    c.act(Action::Run {
        namespace: "default".into(),
        name: "test".into(),
        image: "busybox".into(),
        command: vec!["sleep".into(), "3600".into()],
    })
    .expect("test runs");
    c.advance(10 * SECOND);
    let request = |target: &str| Request {
        client: Client::Pod(ObjectKey::new("default", "test")),
        tool: Tool::Wget,
        target: target.into(),
        payload: String::new(),
    };
    let logged = c.log().len();
    let start = c.now();
    let on = |interval, target: &str| Action::SetTraffic {
        traffic: Some(SteadyTraffic {
            interval,
            request: request(target),
        }),
    };
    c.act(on(400, "http://backend-service")).expect("on");
    c.advance(1_000);
    let sent: Vec<u64> = c.traces().iter().map(|t| t.start - start).collect();
    assert_eq!(sent, [0, 400, 800], "the first at once, then every 400 ms");
    // Another request at the same pace keeps the pace; stopping stops it.
    c.act(on(400, "http://backend-service.default"))
        .expect("changed");
    c.advance(500);
    let last = c.traces().last().unwrap();
    assert_eq!(last.start - start, 1_200);
    assert_eq!(last.request.target, "http://backend-service.default");
    c.act(Action::SetTraffic { traffic: None }).expect("off");
    let count = c.traces().len();
    c.advance(10 * SECOND);
    assert_eq!(c.traces().len(), count);
    assert_eq!(
        c.log().len(),
        logged + 3,
        "three actions, however many requests"
    );
    // An interval below the minimum is held at it.
    c.act(on(1, "http://backend-service")).expect("on");
    assert_eq!(c.traffic().map(|t| t.interval), Some(100));
    c.advance(1_000);
    let mut replayed = Cluster::replay(c.config().clone(), c.log());
    replayed.advance(c.now() - replayed.now());
    let starts = |c: &Cluster| {
        c.traces()
            .iter()
            .map(|t| (t.id, t.start, t.outcome.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        starts(&replayed),
        starts(&c),
        "a replay sends the same requests"
    );
    assert!(
        replayed.traces() == c.traces(),
        "a replay sends the same requests"
    );
    assert_eq!(replayed.now(), c.now());
}

/// Ports of one number share a NodePort, as the API server's allocator gives it
/// (pkg/registry/core/service/storage/alloc.go, initNodePorts): DNS on TCP and UDP 53 takes
/// one NodePort, the one asked for on either port or one allocated.
#[test]
fn ports_of_one_number_share_a_node_port() {
    let mut c = seeded();
    let svc = |name: &str, udp_node_port: &str| {
        format!(
            "apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  type: NodePort
  selector: {{app: backend}}
  ports:
  - {{name: dns-tcp, port: 53, protocol: TCP}}
  - {{name: dns-udp, port: 53, protocol: UDP{udp_node_port}}}
  - {{name: web, port: 80, protocol: TCP}}
"
        )
    };
    c.apply(&svc("dns", ""), "dns.yaml").expect("applies");
    c.apply(&svc("asked", ", nodePort: 31053"), "asked.yaml")
        .expect("applies");
    let node_ports = |name: &str| -> Vec<i64> {
        c.services()[&ObjectKey::new("default", name)]
            .spec
            .ports
            .iter()
            .map(|p| p.node_port.expect("a NodePort"))
            .collect()
    };
    let dns = node_ports("dns");
    assert_eq!(dns[0], dns[1], "TCP and UDP 53 share one");
    assert_ne!(dns[0], dns[2]);
    assert_eq!(node_ports("asked")[..2], [31053, 31053]);
}
