//! The world: one kind-style cluster, its objects, its controllers and its virtual clock.
//!
//! `Cluster::new(config)` boots a cluster as `kind create cluster` leaves it (a control-plane node,
//! three workers, CoreDNS, kube-proxy). Learners change it with [`Cluster::apply`] and
//! [`Cluster::act`]; [`Cluster::advance`] moves the virtual clock and runs whatever the controllers
//! and kubelets had scheduled. Every accepted action is logged with its time, so
//! [`Cluster::replay`] rebuilds the same world from the same seed.

use crate::map::{SortedMap, SortedSet};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::Ipv4Addr;

use crate::action::Action;
use crate::ipam::{self, AllocError, PodIpRange, RangeAllocator};
use crate::kube_proxy::ProxyMode;
use crate::manifest::{self, FieldError, ManifestError};
use crate::model::*;
use crate::names;
use crate::registry;
use crate::rng::Rng;
use crate::time::{go_duration, human_duration, Time, HOUR, SECOND};
use crate::trace::Trace;
use crate::{endpoints, validate};

/// What a cluster is made of. Reuse the same config (seed included) to replay a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub seed: u64,
    /// Worker nodes besides the control plane (kind's `kind-worker`, `kind-worker2`, ...).
    pub workers: u8,
    /// How long a packet takes per hop on the virtual clock. Real hops take well under a
    /// millisecond; svclab slows them down so they can be watched.
    pub hop_ms: Time,
    /// LoadBalancer IPs handed out in order (MetalLB-style); empty leaves them `<pending>`.
    pub load_balancer_pool: Vec<Ipv4Addr>,
    /// The kubelet's `--max-pods`.
    pub max_pods_per_node: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            workers: 3,
            hop_ms: 300,
            load_balancer_pool: (200..=250)
                .map(|i| Ipv4Addr::new(172, 18, 255, i))
                .collect(),
            max_pods_per_node: 110,
        }
    }
}

/// Replicas svclab will run for one Deployment; more is refused with a clear error.
pub const MAX_REPLICAS: i64 = 1_000;
/// Objects one cluster holds at most (pods included).
pub const MAX_OBJECTS: usize = 5_000;
/// Traces kept for the view and the terminal.
pub(crate) const MAX_TRACES: usize = 200;
/// Events kept for `kubectl describe` and `get events` (up to a quarter more between trims).
const MAX_EVENTS: usize = 2_000;
/// How long the kubelet takes to pull nginx (72 MB) onto a node that does not have it; other
/// images take time in proportion to their size, at least [`MIN_PULL`].
const PULL: Time = 2_100;
const PULL_SIZE: u64 = 72_099_501;
const MIN_PULL: Time = 400;
/// From the kubelet finding the image on the node to the container running.
const START_WITH_IMAGE: Time = 600;
/// From a pod's scheduling to its sandbox (network namespace, IP) being up.
const SANDBOX: Time = 500;
/// How often the kubelet syncs a pod it could not start for want of its image.
const IMAGE_RETRY: Time = 10 * SECOND;
/// A pull of an image whose layers the node already has (`imagePullPolicy: Always`): the
/// registry is asked for the manifest, nothing is downloaded.
const QUICK_PULL: Time = 480;
/// From the kubelet asking a registry for an image it does not have to the failure.
const PULL_FAIL: Time = 900;
/// The kubelet's image pull back-off: 10 s after the first failed pull, doubling with each
/// failure, at most 5 min.
const PULL_BACK_OFF: Time = 10 * SECOND;
const MAX_PULL_BACK_OFF: Time = 300 * SECOND;
/// A readiness probe's period when the pod has none (the learner made it fail anyway).
const PROBE_PERIOD: Time = 10 * SECOND;
/// The cluster came up this long before the learner's first action.
pub const BOOT_AGE: Time = HOUR;

/// A Kubernetes Event, as `kubectl describe` lists them. The same event again (same object,
/// type, reason, message and source) within the hour the API server keeps it is counted on the
/// first, as the kubelet's and controllers' event recorders do: `2m (x12 over 4m)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When it first happened (`firstTimestamp`; the event's name derives from it).
    pub time: Time,
    /// When it last happened (`lastTimestamp`).
    pub last: Time,
    /// How many times it happened.
    pub count: u32,
    pub namespace: String,
    /// `pod/backend-5d9c8b7f6-x2x9z`.
    pub object: String,
    /// The object's uid when the event happened: a namesake made later has events of its own.
    pub uid: String,
    pub warning: bool,
    pub reason: String,
    pub message: String,
    /// `default-scheduler`, `kubelet`, `replicaset-controller`, ...
    pub source: String,
}

impl Event {
    /// The Age column of `kubectl describe`'s events at `now`: `95s`, or for a repeated event
    /// `5s (x10 over 95s)` (since the last time, how many times, since the first).
    pub fn age(&self, now: Time) -> String {
        let first = human_duration(now.saturating_sub(self.time));
        if self.count > 1 {
            let last = human_duration(now.saturating_sub(self.last));
            format!("{last} (x{} over {first})", self.count)
        } else {
            first
        }
    }
}

/// What the Deployment controller remembers of a rollout between syncs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Progress {
    /// The last progress (a ReplicaSet made or scaled, a pod of it ready): the condition's
    /// lastUpdateTime.
    last: Time,
    /// The rollout was seen complete since (`NewReplicaSetAvailable`): a Deployment that
    /// later runs short of pods (one killed, one failing its probe) has not stopped
    /// progressing; only a rollout under way can exceed its deadline.
    settled: bool,
    /// When this Deployment's one pending [`Timer::ProgressDeadline`] fires, if one is.
    check_at: Option<Time>,
}

/// A Deployment's rollout as its status and `Progressing` condition report it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rollout {
    /// The ReplicaSet of the current template (`backend-7bc85fd6c5`).
    pub new_replica_set: String,
    pub desired: i64,
    /// Pods of the current template's ReplicaSet.
    pub updated: i64,
    /// Pods of all its ReplicaSets (not terminating).
    pub total: i64,
    pub available: i64,
    pub last_progress: Time,
    /// Every pod is of the current template and available, and no old one is left.
    pub complete: bool,
    /// It was complete since its last change of template or scale: short of pods now (one
    /// killed, one failing its probe), it still counts as having progressed.
    pub settled: bool,
    /// Not complete, and no progress for `progressDeadlineSeconds`.
    pub timed_out: bool,
}

impl Rollout {
    /// The `Available` condition: at most maxUnavailable (25%, rounded down) pods short.
    pub fn minimum_available(&self) -> bool {
        self.available >= self.desired - self.desired / 4
    }

    /// The `Progressing` condition's status and reason.
    pub fn progressing(&self) -> (bool, &'static str) {
        if self.timed_out {
            (false, "ProgressDeadlineExceeded")
        } else if self.complete || self.settled {
            (true, "NewReplicaSetAvailable")
        } else {
            (true, "ReplicaSetUpdated")
        }
    }
}

/// An accepted action and the virtual time it happened at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedAction {
    pub time: Time,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    /// The kubelet has finished pulling the pod's image.
    ImagePulled {
        pod: ObjectKey,
        uid: String,
        image: String,
        /// Its size in bytes, as the registry gives it.
        size: u64,
        /// The pull itself, and the time since the kubelet asked for it (waiting for another
        /// pod's pull of the same image included), both in ms.
        pulling: Time,
        total: Time,
    },
    /// The pod's sandbox is up: it has its IP.
    SandboxReady { pod: ObjectKey, uid: String },
    /// The kubelet has the image and starts the container.
    ContainerStarted { pod: ObjectKey, uid: String },
    /// The readiness probe reports `ready`.
    Readiness {
        pod: ObjectKey,
        uid: String,
        ready: bool,
    },
    /// The container has exited after SIGTERM (or the grace period ran out); the pod goes away.
    ContainerExited { pod: ObjectKey, uid: String },
    /// The kubelet syncs a pod stuck in `ErrImageNeverPull` (has the image arrived?) or
    /// `InvalidImageName` (it says so again) once more.
    ImageRetry { pod: ObjectKey, uid: String },
    /// The registry has answered a pull of an image it does not have.
    PullFailed { pod: ObjectKey, uid: String },
    /// The kubelet syncs the pod after a failed pull and backs off.
    PullBackOff { pod: ObjectKey, uid: String },
    /// The back-off is over: the kubelet pulls the image again.
    PullAgain { pod: ObjectKey, uid: String },
    /// The kubelet's readiness probe of a pod that fails it comes round again.
    ProbeFailed { pod: ObjectKey, uid: String },
    /// A Deployment's progress deadline may have passed: the views look again (the firing
    /// bumps the revision), and the next deadline, if progress moved it, is watched.
    ProgressDeadline { deployment: ObjectKey },
}

/// The timers still to fire, earliest first; among timers due at the same instant, in the
/// order they were set (`seq`). A binary heap: scaling to a thousand pods sets thousands.
#[derive(Clone, Debug, Default)]
struct Timers(std::collections::BinaryHeap<std::cmp::Reverse<(Time, u64, Timer)>>);

impl Timers {
    fn push(&mut self, at: Time, seq: u64, timer: Timer) {
        self.0.push(std::cmp::Reverse((at, seq, timer)));
    }

    fn next_due(&self) -> Option<Time> {
        self.0.peek().map(|t| t.0 .0)
    }

    /// The next timer, if it is due at `at`.
    fn pop_due(&mut self, at: Time) -> Option<Timer> {
        if self.next_due() != Some(at) {
            return None;
        }
        self.0.pop().map(|t| t.0 .2)
    }

    fn in_order(&self) -> Vec<&(Time, u64, Timer)> {
        let mut all: Vec<&(Time, u64, Timer)> = self.0.iter().map(|t| &t.0).collect();
        crate::sort::sort_by(&mut all, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        all
    }
}

/// Two worlds are equal when the same timers are pending (the heap's layout aside).
impl PartialEq for Timers {
    fn eq(&self, other: &Timers) -> bool {
        self.0.len() == other.0.len() && self.in_order() == other.in_order()
    }
}

impl Eq for Timers {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    pub config: Config,
    /// The virtual clock, in ms since the cluster was created.
    pub now: Time,
    pub nodes: Vec<Node>,
    pub namespaces: SortedMap<String, Namespace>,
    pub deployments: SortedMap<ObjectKey, Deployment>,
    pub replica_sets: SortedMap<ObjectKey, ReplicaSet>,
    pub pods: SortedMap<ObjectKey, Pod>,
    pub services: SortedMap<ObjectKey, Service>,
    pub endpoint_slices: SortedMap<ObjectKey, EndpointSlice>,
    pub endpoints: SortedMap<ObjectKey, Endpoints>,
    pub network_policies: SortedMap<ObjectKey, NetworkPolicy>,
    pub proxy_mode: ProxyMode,
    /// CoreDNS is broken: its pods run but fail their readiness probe and answer nothing.
    pub coredns_broken: bool,
    /// In the order they first happened.
    pub events: Vec<Event>,
    pub log: Vec<LoggedAction>,
    /// Recent requests, oldest first.
    pub traces: Vec<Trace>,
    /// Bumped on every change a view could show.
    pub revision: u64,
    pub(crate) rng: Rng,
    service_ips: RangeAllocator,
    node_ports: RangeAllocator,
    pod_ips: SortedMap<String, PodIpRange>,
    slice_names: SortedMap<ObjectKey, Vec<String>>,
    timers: Timers,
    timer_seq: u64,
    /// (node, image) → when the image is on the node: a pull that has finished, or that ends then.
    images: SortedMap<(String, String), Time>,
    pub(crate) next_trace_id: u64,
    pub(crate) proxy: crate::routing::ProxyState,
    /// Each Deployment's pod-template-hash, by (uid, generation) of the template it was made from.
    template_hashes: SortedMap<ObjectKey, ((String, i64), String)>,
    /// Where in `events` each distinct event is, by [`event_hash`], to count repeats on it.
    event_index: EventIndexByHash,
    /// Each Deployment's `Progressing` condition as the controller keeps it.
    progress: SortedMap<ObjectKey, Progress>,
}

/// Event positions by a hash that is already spread: no hashing again, and no OS randomness
/// (a `HashMap`'s default hasher seeds itself from it).
type EventIndexByHash = HashMap<u64, usize, BuildHasherDefault<Prehashed>>;

#[derive(Clone, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    // The keys are `u64`s, hashed by `write_u64`; this only completes the trait.
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// What makes two events the same one: namespace, object (name and uid), reason and message
/// (the type and source go with the reason in every event svclab records), hashed (FNV-1a,
/// 64 bits).
fn event_hash(parts: [&str; 5]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Events by namespace and object: the index of the latest one.
type EventIndex = SortedMap<String, SortedMap<String, usize>>;

/// A ReplicaSet's live pods.
#[derive(Default)]
struct OwnedPods {
    active: Vec<ObjectKey>,
    available: i64,
}

/// Why an `apply` changed nothing: every document's errors.
pub type ApplyErrors = Vec<ManifestError>;

impl Cluster {
    /// A freshly created kind cluster, an hour old, with nothing of the learner's in it.
    pub fn new(config: Config) -> Cluster {
        let mut c = Cluster {
            rng: Rng::new(config.seed),
            config,
            now: 0,
            nodes: Vec::new(),
            namespaces: SortedMap::new(),
            deployments: SortedMap::new(),
            replica_sets: SortedMap::new(),
            pods: SortedMap::new(),
            services: SortedMap::new(),
            endpoint_slices: SortedMap::new(),
            endpoints: SortedMap::new(),
            network_policies: SortedMap::new(),
            proxy_mode: ProxyMode::Iptables,
            coredns_broken: false,
            events: Vec::new(),
            log: Vec::new(),
            traces: Vec::new(),
            revision: 0,
            service_ips: ipam::service_ip_allocator(),
            node_ports: ipam::node_port_allocator(),
            pod_ips: SortedMap::new(),
            slice_names: SortedMap::new(),
            timers: Timers::default(),
            timer_seq: 0,
            images: SortedMap::new(),
            event_index: EventIndexByHash::default(),
            progress: SortedMap::new(),
            next_trace_id: 1,
            proxy: Default::default(),
            template_hashes: SortedMap::new(),
        };
        c.boot();
        c
    }

    fn boot(&mut self) {
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            self.create_namespace(ns);
        }
        self.add_node("kind-control-plane", 0, true);
        // CoreDNS comes up before the workers join, so kind puts it on the control plane.
        let coredns = coredns_deployment();
        self.deployments.insert(key_of(&coredns.meta), coredns);
        self.reconcile();
        for i in 1..=self.config.workers {
            let name = if i == 1 {
                "kind-worker".to_string()
            } else {
                format!("kind-worker{i}")
            };
            self.add_node(&name, i, false);
        }
        let node_names: Vec<String> = self.nodes.iter().map(|n| n.meta.name.clone()).collect();
        for node in &node_names {
            self.create_host_pod(
                "kube-system",
                "kube-proxy",
                "kube-proxy",
                node,
                "registry.k8s.io/kube-proxy:v1.31.0",
            );
            self.create_host_pod(
                "kube-system",
                "kindnet",
                "kindnet-cni",
                node,
                "docker.io/kindest/kindnetd:v20240813",
            );
        }
        for (component, image) in [
            ("etcd", "registry.k8s.io/etcd:3.5.15-0"),
            ("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.31.0"),
            (
                "kube-controller-manager",
                "registry.k8s.io/kube-controller-manager:v1.31.0",
            ),
            ("kube-scheduler", "registry.k8s.io/kube-scheduler:v1.31.0"),
        ] {
            let mut pod = host_pod(
                "kube-system",
                &format!("{component}-kind-control-plane"),
                component,
                image,
            );
            pod.meta.labels.insert("component".into(), component.into());
            pod.meta
                .labels
                .insert("tier".into(), "control-plane".into());
            self.place_host_pod(pod, "kind-control-plane");
        }
        let api_ip = self.nodes[0].internal_ip;
        let mut kubernetes = Service {
            meta: ObjectMeta::new("default", "kubernetes"),
            ..Default::default()
        };
        kubernetes
            .meta
            .labels
            .insert("component".into(), "apiserver".into());
        kubernetes
            .meta
            .labels
            .insert("provider".into(), "kubernetes".into());
        kubernetes.spec.ports.push(ServicePort {
            name: Some("https".into()),
            protocol: Protocol::Tcp,
            port: 443,
            target_port: IntOrString::Int(6443),
            node_port: None,
        });
        kubernetes.spec.cluster_ip = ClusterIp::Ip(Ipv4Addr::new(10, 96, 0, 1));
        let _ = self
            .service_ips
            .allocate(u32::from(Ipv4Addr::new(10, 96, 0, 1)));
        self.services.insert(kubernetes.key(), kubernetes);
        // The API server's own endpoints are written by the API server, not from a selector.
        let mut slice_meta = ObjectMeta::new("default", "kubernetes");
        slice_meta
            .labels
            .insert("kubernetes.io/service-name".into(), "kubernetes".into());
        let port = EndpointPort {
            name: Some("https".into()),
            port: 6443,
            protocol: Protocol::Tcp,
        };
        self.endpoint_slices.insert(
            key_of(&slice_meta),
            EndpointSlice {
                meta: slice_meta,
                service: "kubernetes".into(),
                ports: vec![port.clone()],
                endpoints: vec![Endpoint {
                    ip: api_ip,
                    pod: String::new(),
                    node: "kind-control-plane".into(),
                    ready: true,
                    serving: true,
                    terminating: false,
                }],
            },
        );
        self.endpoints.insert(
            ObjectKey::new("default", "kubernetes"),
            Endpoints {
                meta: ObjectMeta::new("default", "kubernetes"),
                subsets: vec![EndpointSubset {
                    addresses: vec![(api_ip, String::new())],
                    not_ready_addresses: Vec::new(),
                    ports: vec![port],
                }],
            },
        );
        let dns = kube_dns_service();
        let _ = self
            .service_ips
            .allocate(u32::from(Ipv4Addr::new(10, 96, 0, 10)));
        self.services.insert(dns.key(), dns);
        // Everything of the boot is up and ready; the learner arrives an hour later.
        self.advance(BOOT_AGE);
        self.events.clear();
        self.event_index.clear();
    }

    fn add_node(&mut self, name: &str, index: u8, control_plane: bool) {
        let mut meta = ObjectMeta::new("", name);
        meta.labels
            .insert("kubernetes.io/hostname".into(), name.into());
        meta.labels
            .insert("kubernetes.io/os".into(), "linux".into());
        if control_plane {
            meta.labels.insert(
                "node-role.kubernetes.io/control-plane".into(),
                String::new(),
            );
        }
        meta.creation = self.now;
        self.nodes.push(Node {
            meta,
            internal_ip: Ipv4Addr::new(172, 18, 0, 2 + index),
            pod_cidr_index: index,
            control_plane,
            ready: true,
        });
        self.pod_ips
            .insert(name.to_string(), PodIpRange::new(index));
    }

    fn create_namespace(&mut self, name: &str) {
        let mut meta = ObjectMeta::new("", name);
        meta.labels
            .insert("kubernetes.io/metadata.name".into(), name.into());
        meta.creation = self.now;
        meta.uid = self.new_uid();
        self.namespaces.insert(name.to_string(), Namespace { meta });
    }

    /// A DaemonSet's pod on `node`: `app` names the pod, `container` its one container.
    fn create_host_pod(&mut self, ns: &str, app: &str, container: &str, node: &str, image: &str) {
        let name = format!("{app}-{}", names::random_suffix(&mut self.rng));
        let mut pod = host_pod(ns, &name, container, image);
        pod.meta.labels.insert("k8s-app".into(), app.into());
        self.place_host_pod(pod, node);
    }

    fn place_host_pod(&mut self, mut pod: Pod, node: &str) {
        pod.meta.creation = self.now;
        pod.meta.uid = self.new_uid();
        let ip = self.node(node).map(|n| n.internal_ip);
        pod.spec.node_name = Some(node.to_string());
        pod.status = PodStatus {
            phase: PodPhase::Running,
            container: ContainerState::Running,
            ready: true,
            pod_ip: ip,
            host_ip: ip,
            start_time: Some(self.now),
            ..PodStatus::default()
        };
        self.pods.insert(pod.key(), pod);
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.meta.name == name)
    }

    fn new_uid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        uid_text(a, b)
    }

    /// Record an event, or count it again on the same event; returns how many of the oldest
    /// events were dropped to make room.
    fn event(
        &mut self,
        ns: &str,
        object: String,
        warning: bool,
        reason: &str,
        message: String,
        source: &str,
    ) -> usize {
        let uid = self.object_uid(ns, &object).unwrap_or_default().to_string();
        let hash = event_hash([ns, &object, &uid, reason, &message]);
        if let Some(e) = self
            .event_index
            .get(&hash)
            .and_then(|&i| self.events.get_mut(i))
        {
            // The API server forgets an event an hour after its last update; then it is new.
            // (A hash shared by two different events only costs a count: they stay apart.)
            let same = e.namespace == ns
                && e.object == object
                && e.uid == uid
                && e.reason == reason
                && e.message == message;
            if same && self.now.saturating_sub(e.last) < HOUR {
                e.last = self.now;
                e.count += 1;
                return 0;
            }
        }
        self.event_index.insert(hash, self.events.len());
        self.events.push(Event {
            time: self.now,
            last: self.now,
            count: 1,
            namespace: ns.to_string(),
            object,
            uid,
            warning,
            reason: reason.to_string(),
            message,
            source: source.to_string(),
        });
        // Forget the oldest in batches: dropping one from the front of thousands per event
        // would move them all each time.
        if self.events.len() > MAX_EVENTS + MAX_EVENTS / 4 {
            let extra = self.events.len() - MAX_EVENTS;
            self.events.drain(..extra);
            self.event_index.retain(|_, i| {
                *i = i.wrapping_sub(extra);
                *i < MAX_EVENTS
            });
            extra
        } else {
            0
        }
    }

    /// The uid of an event's object (`pod/NAME`, `replicaset/NAME`, ...), if it exists.
    fn object_uid(&self, ns: &str, object: &str) -> Option<&str> {
        let (kind, name) = object.split_once('/')?;
        let key = ObjectKey::new(ns, name);
        let meta = match kind {
            "pod" => &self.pods.get(&key)?.meta,
            "replicaset" => &self.replica_sets.get(&key)?.meta,
            "deployment" => &self.deployments.get(&key)?.meta,
            "service" => &self.services.get(&key)?.meta,
            "node" => &self.node(name)?.meta,
            _ => return None,
        };
        Some(&meta.uid)
    }

    fn schedule_timer(&mut self, at: Time, timer: Timer) {
        self.timer_seq += 1;
        self.timers.push(at, self.timer_seq, timer);
    }

    /// When the next thing is due on its own (a container starting, a probe flipping), if anything.
    pub fn next_wake(&self) -> Option<Time> {
        self.timers.next_due()
    }

    fn object_count(&self) -> usize {
        self.namespaces.len()
            + self.deployments.len()
            + self.replica_sets.len()
            + self.pods.len()
            + self.services.len()
            + self.network_policies.len()
    }

    // -----------------------------------------------------------------------------------------
    // Time

    /// Move the virtual clock forward by `ms`, running every timer that falls due, in order.
    /// `advance(a); advance(b)` gives the same world as `advance(a + b)`.
    pub fn advance(&mut self, ms: Time) {
        let target = self.now.saturating_add(ms);
        while let Some(at) = self.timers.next_due() {
            if at > target {
                break;
            }
            // Everything due at the same instant happens together; then the controllers react.
            self.now = at;
            while let Some(timer) = self.timers.pop_due(at) {
                self.fire(timer);
            }
            self.reconcile();
            self.revision += 1;
        }
        if target != self.now {
            self.now = target;
        }
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::ImagePulled {
                pod,
                uid,
                image,
                size,
                pulling,
                total,
            } => {
                if self.pods.get(&pod).is_some_and(|p| p.meta.uid == uid) {
                    let (pulling, total) = (go_duration(pulling), go_duration(total));
                    self.event(
                        &pod.namespace,
                        format!("pod/{}", pod.name),
                        false,
                        "Pulled",
                        format!("Successfully pulled image \"{image}\" in {pulling} ({total} including waiting). Image size: {size} bytes."),
                        "kubelet",
                    );
                }
            }
            Timer::SandboxReady { pod, uid } => self.sandbox_ready(&pod, &uid),
            Timer::ContainerStarted { pod, uid } => self.container_started(&pod, &uid),
            Timer::Readiness { pod, uid, ready } => self.readiness(&pod, &uid, ready),
            Timer::ContainerExited { pod, uid } => self.container_exited(&pod, &uid),
            Timer::ImageRetry { pod, uid } => self.retry_image(&pod, &uid),
            Timer::PullFailed { pod, uid } => self.pull_failed(&pod, &uid),
            Timer::PullBackOff { pod, uid } => self.pull_back_off(&pod, &uid),
            Timer::PullAgain { pod, uid } => self.pull_again(&pod, &uid),
            Timer::ProbeFailed { pod, uid } => self.probe_failed(&pod, &uid),
            Timer::ProgressDeadline { deployment } => self.check_progress(&deployment),
        }
    }

    fn live_pod(&mut self, key: &ObjectKey, uid: &str) -> Option<&mut Pod> {
        self.pods.get_mut(key).filter(|p| p.meta.uid == uid)
    }

    fn sandbox_ready(&mut self, key: &ObjectKey, uid: &str) {
        let Some(pod) = self.pods.get(key).filter(|p| p.meta.uid == uid) else {
            return;
        };
        let Some(node) = pod.spec.node_name.clone() else {
            return;
        };
        if pod.status.pod_ip.is_some() || pod.is_terminating() {
            return;
        }
        let ip = self.new_pod_ip(&node, pod.spec.host_network);
        if let Some(pod) = self.pods.get_mut(key) {
            pod.status.pod_ip = ip;
        }
    }

    /// An IP for a pod on `node`: the node's own for a host-network pod, else the next free
    /// one of the node's pod range.
    fn new_pod_ip(&mut self, node: &str, host_network: bool) -> Option<Ipv4Addr> {
        if host_network {
            self.node(node).map(|n| n.internal_ip)
        } else {
            self.pod_ips.get_mut(node).and_then(|r| r.allocate())
        }
    }

    fn container_started(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let Some(node) = self
            .live_pod(key, uid)
            .and_then(|p| p.spec.node_name.clone())
        else {
            return;
        };
        let Some(pod) = self.pods.get(key) else {
            return;
        };
        // The sandbox gave the pod its IP; one that never had a sandbox gets it now.
        let ip = match pod.status.pod_ip {
            Some(ip) => Some(ip),
            None => {
                let host_network = pod.spec.host_network;
                self.new_pod_ip(&node, host_network)
            }
        };
        let Some(pod) = self.pods.get(key) else {
            return;
        };
        let first = pod.spec.containers.first();
        let container = first.map(|c| c.name.clone()).unwrap_or_default();
        let probe = first.and_then(|c| c.readiness_probe.clone());
        let failing = pod.faults.fail_readiness || (self.coredns_broken && is_coredns(pod));
        let Some(pod) = self.pods.get_mut(key) else {
            return;
        };
        pod.status.container = ContainerState::Running;
        pod.status.phase = PodPhase::Running;
        pod.status.pod_ip = ip;
        pod.status.start_time = Some(now);
        let object = format!("pod/{}", key.name);
        self.event(
            &key.namespace,
            object.clone(),
            false,
            "Created",
            format!("Created container {container}"),
            "kubelet",
        );
        self.event(
            &key.namespace,
            object,
            false,
            "Started",
            format!("Started container {container}"),
            "kubelet",
        );
        if failing {
            self.start_failing_probes(key);
        } else {
            let delay = probe.map_or(0, |p| p.initial_delay_seconds.max(0) as Time * SECOND);
            self.schedule_timer(
                now + delay,
                Timer::Readiness {
                    pod: key.clone(),
                    uid: uid.to_string(),
                    ready: true,
                },
            );
        }
    }

    fn readiness(&mut self, key: &ObjectKey, uid: &str, ready: bool) {
        let broken = self.coredns_broken;
        let Some(pod) = self.live_pod(key, uid) else {
            return;
        };
        if pod.status.container != ContainerState::Running {
            return;
        }
        let failing = pod.faults.fail_readiness || (broken && is_coredns(pod));
        if ready == pod.status.ready || (ready && failing) {
            return;
        }
        pod.status.ready = ready;
        // A pod of a Deployment becoming available is progress of its rollout.
        let owner = pod.owner.clone();
        let deployment = owner
            .and_then(|rs| self.replica_sets.get(&ObjectKey::new(&key.namespace, &rs)))
            .map(|rs| ObjectKey::new(&key.namespace, &rs.owner));
        if let Some(d) = deployment.filter(|_| ready) {
            self.note_progress(&d);
        }
    }

    /// The Deployment's rollout progressed now; its deadline runs from here.
    fn note_progress(&mut self, key: &ObjectKey) {
        if !self.deployments.contains_key(key) {
            return;
        }
        let check_at = self.progress.get(key).and_then(|p| p.check_at);
        self.progress.insert(
            key.clone(),
            Progress {
                last: self.now,
                settled: false,
                check_at,
            },
        );
        if check_at.is_none() {
            self.check_progress(key);
        }
    }

    /// One timer per Deployment watches its deadline: when it fires, it looks again at when
    /// the deadline now falls (progress since moved it) and waits for that, unless the
    /// rollout settled or the deadline has passed (the condition is read off the clock).
    fn check_progress(&mut self, key: &ObjectKey) {
        let now = self.now;
        let limit = self.deployments.get(key).and_then(deadline);
        let Some(p) = self.progress.get_mut(key) else {
            return;
        };
        p.check_at = None;
        let due = limit.map(|limit| p.last + limit).filter(|&due| due > now);
        if let Some(due) = due.filter(|_| !p.settled) {
            p.check_at = Some(due);
            self.schedule_timer(
                due,
                Timer::ProgressDeadline {
                    deployment: key.clone(),
                },
            );
        }
    }

    /// After the controllers settle: a rollout now complete stops its deadline (the condition
    /// becomes `NewReplicaSetAvailable`). `counts` are each ReplicaSet's pods, current.
    fn settle_rollouts(&mut self, counts: &SortedMap<ObjectKey, OwnedPods>) {
        let mut done = Vec::new();
        for (key, progress) in &self.progress {
            let Some(d) = self.deployments.get(key).filter(|_| !progress.settled) else {
                continue;
            };
            let Some((_, hash)) = self.template_hashes.get(key) else {
                continue;
            };
            let current = format!("{}-{hash}", key.name);
            let (mut updated, mut total, mut available) = (0, 0, 0);
            for rs in self.replica_sets.values() {
                if rs.meta.namespace != key.namespace || rs.owner != key.name {
                    continue;
                }
                let Some(c) = counts.get(&ObjectKey::new(&key.namespace, &rs.meta.name)) else {
                    continue;
                };
                let active = c.active.len() as i64;
                total += active;
                available += c.available;
                if rs.meta.name == current {
                    updated = active;
                }
            }
            let desired = d.spec.replicas;
            if updated == desired && total == desired && available == desired {
                done.push(key.clone());
            }
        }
        for key in done {
            if let Some(p) = self.progress.get_mut(&key) {
                p.settled = true;
            }
        }
    }

    /// The kubelet's readiness probes of a running pod start failing: an `Unhealthy` event at
    /// the next probe and at every one after while they fail, unless that is already under way.
    fn start_failing_probes(&mut self, key: &ObjectKey) {
        let now = self.now;
        let Some(pod) = self.pods.get_mut(key) else {
            return;
        };
        if pod.status.probes_failing || pod.status.container != ContainerState::Running {
            return;
        }
        pod.status.probes_failing = true;
        let next = now + readiness_delay(pod, false);
        let uid = pod.meta.uid.clone();
        self.schedule_timer(
            next,
            Timer::ProbeFailed {
                pod: key.clone(),
                uid,
            },
        );
    }

    fn probe_failed(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let broken = self.coredns_broken;
        let Some(pod) = self.live_pod(key, uid) else {
            return;
        };
        let failing = pod.faults.fail_readiness || (broken && is_coredns(pod));
        if !failing || pod.status.container != ContainerState::Running {
            pod.status.probes_failing = false;
            return;
        }
        let period = probe_period(pod);
        self.event(
            &key.namespace,
            format!("pod/{}", key.name),
            true,
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503".into(),
            "kubelet",
        );
        self.schedule_timer(
            now + period,
            Timer::ProbeFailed {
                pod: key.clone(),
                uid: uid.to_string(),
            },
        );
    }

    /// The registry has said the pod's image does not exist: `ErrImagePull`, and a second later
    /// the kubelet backs off.
    fn pull_failed(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let Some(pod) = self.live_pod(key, uid).filter(|p| !p.is_terminating()) else {
            return;
        };
        let image = first_image(pod);
        let error = registry::pull(&image).err().unwrap_or_default();
        pod.status.pull_failures += 1;
        let message = format!("Failed to pull image \"{image}\": {error}");
        self.image_error(
            key,
            ContainerState::ErrImagePull,
            error,
            (true, "Failed", message),
        );
        self.schedule_timer(
            now + SECOND,
            Timer::PullBackOff {
                pod: key.clone(),
                uid: uid.to_string(),
            },
        );
    }

    fn pull_back_off(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let Some(pod) = self.live_pod(key, uid).filter(|p| !p.is_terminating()) else {
            return;
        };
        if pod.status.container != ContainerState::ErrImagePull {
            return;
        }
        let image = first_image(pod);
        // The back-off counts from the failed pull, a second ago.
        let doublings = pod.status.pull_failures.saturating_sub(1).min(8);
        let back_off = (PULL_BACK_OFF << doublings).min(MAX_PULL_BACK_OFF);
        let message = format!("Back-off pulling image \"{image}\"");
        let event = (false, "BackOff", message.clone());
        self.image_error(key, ContainerState::ImagePullBackOff, message, event);
        self.schedule_timer(
            (now + back_off).saturating_sub(SECOND).max(now + SECOND),
            Timer::PullAgain {
                pod: key.clone(),
                uid: uid.to_string(),
            },
        );
    }

    /// The back-off is over; the pull fails again (the registry still lacks the image), and
    /// the pod stays in `ImagePullBackOff` until it does.
    fn pull_again(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let Some(pod) = self.live_pod(key, uid).filter(|p| !p.is_terminating()) else {
            return;
        };
        if pod.status.container != ContainerState::ImagePullBackOff {
            return;
        }
        let image = first_image(pod);
        self.event(
            &key.namespace,
            format!("pod/{}", key.name),
            false,
            "Pulling",
            format!("Pulling image \"{image}\""),
            "kubelet",
        );
        self.schedule_timer(
            now + PULL_FAIL,
            Timer::PullFailed {
                pod: key.clone(),
                uid: uid.to_string(),
            },
        );
    }

    /// A pod in `ErrImageNeverPull` starts once its node has the image (another pod pulled it);
    /// until then the kubelet looks again every [`IMAGE_RETRY`]. One in `InvalidImageName`
    /// never starts (a pod's image does not change); the kubelet says so at every sync.
    fn retry_image(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let Some(pod) = self.pods.get(key).filter(|p| p.meta.uid == uid) else {
            return;
        };
        if pod.is_terminating() {
            return;
        }
        let retry = Timer::ImageRetry {
            pod: key.clone(),
            uid: uid.to_string(),
        };
        let image = first_image(pod);
        match pod.status.container {
            ContainerState::ErrImageNeverPull => {}
            ContainerState::InvalidImageName => {
                self.invalid_image(key, &image);
                self.schedule_timer(now + IMAGE_RETRY, retry);
                return;
            }
            _ => return,
        }
        let node = pod.spec.node_name.clone().unwrap_or_default();
        let present = self
            .images
            .get(&(node, image.clone()))
            .is_some_and(|&at| at <= now);
        if !present {
            self.never_pull(key, &image);
            self.schedule_timer(now + IMAGE_RETRY, retry);
            return;
        }
        let Some(pod) = self.pods.get_mut(key) else {
            return;
        };
        pod.status.container = ContainerState::Creating;
        pod.status.waiting_message = None;
        self.image_present(key, &image);
        self.schedule_timer(
            now + START_WITH_IMAGE,
            Timer::ContainerStarted {
                pod: key.clone(),
                uid: uid.to_string(),
            },
        );
    }

    fn container_exited(&mut self, key: &ObjectKey, uid: &str) {
        let Some(pod) = self.live_pod(key, uid) else {
            return;
        };
        let node = pod.spec.node_name.clone();
        let ip = pod.status.pod_ip;
        let host_network = pod.spec.host_network;
        self.pods.remove(key);
        if let (Some(node), Some(ip), false) = (node, ip, host_network) {
            if let Some(range) = self.pod_ips.get_mut(&node) {
                range.release(ip);
            }
            self.pod_ip_gone(ip);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Controllers

    /// Run the controllers until nothing changes: Deployments, ReplicaSets, the scheduler, then
    /// the endpoint-slice controller.
    fn reconcile(&mut self) {
        for _ in 0..8 {
            let mut changed = false;
            let mut owned: SortedMap<ObjectKey, Vec<ObjectKey>> = SortedMap::new();
            for (k, rs) in &self.replica_sets {
                owned
                    .entry(ObjectKey::new(&k.namespace, &rs.owner))
                    .or_default()
                    .push(k.clone());
            }
            let deployments: Vec<ObjectKey> = self.deployments.keys().cloned().collect();
            for d in deployments {
                let sets = owned.remove(&d).unwrap_or_default();
                if self.sync_deployment(&d, sets) {
                    self.note_progress(&d);
                    changed = true;
                }
            }
            let counts = self.pods_by_owner();
            let sets: Vec<(ObjectKey, i64)> = self
                .replica_sets
                .iter()
                .map(|(k, rs)| (k.clone(), rs.replicas))
                .collect();
            for (rs, replicas) in sets {
                let active = counts.get(&rs).map_or(0, |c| c.active.len() as i64);
                if active != replicas {
                    let pods = counts
                        .get(&rs)
                        .map(|c| c.active.clone())
                        .unwrap_or_default();
                    self.sync_replica_set(&rs, pods);
                    changed = true;
                }
            }
            if !changed {
                self.settle_rollouts(&counts);
                break;
            }
        }
        self.schedule_pods();
        self.sync_endpoints();
    }

    /// Each ReplicaSet's live pods (not terminating) and how many of them are available.
    fn pods_by_owner(&self) -> SortedMap<ObjectKey, OwnedPods> {
        let mut out: SortedMap<ObjectKey, OwnedPods> = SortedMap::new();
        for p in self.pods.values() {
            let Some(owner) = &p.owner else { continue };
            if p.is_terminating() {
                continue;
            }
            let e = out
                .entry(ObjectKey::new(&p.meta.namespace, owner))
                .or_default();
            e.active.push(p.key());
            if p.status.ready {
                e.available += 1;
            }
        }
        out
    }

    /// The pod-template-hash of a Deployment's current template, cached per template generation.
    fn template_hash(&mut self, key: &ObjectKey) -> Option<String> {
        let d = self.deployments.get(key)?;
        if let Some(((uid, generation), hash)) = self.template_hashes.get(key) {
            if *uid == d.meta.uid && *generation == d.meta.generation {
                return Some(hash.clone());
            }
        }
        let stamp = (d.meta.uid.clone(), d.meta.generation);
        let hash = names::pod_template_hash_of(&d.spec.template);
        self.template_hashes
            .insert(key.clone(), (stamp, hash.clone()));
        Some(hash)
    }

    /// The Deployment controller: make a ReplicaSet for the current template and move replicas
    /// to it, all at once when nothing older runs, else as a rolling update. Reports a change.
    fn sync_deployment(&mut self, key: &ObjectKey, owned: Vec<ObjectKey>) -> bool {
        let Some(hash) = self.template_hash(key) else {
            return false;
        };
        let Some(d) = self.deployments.get(key) else {
            return false;
        };
        let desired = d.spec.replicas;
        let rs_key = ObjectKey::new(&key.namespace, &format!("{}-{hash}", key.name));
        let mut changed = false;
        // The current template's ReplicaSet holds the highest revision: a new one, or an old
        // one rolled back to, takes the next.
        let (top, current) = owned.iter().filter_map(|k| self.replica_sets.get(k)).fold(
            (0, None),
            |(top, current), rs| {
                let mine = (rs.meta.name == rs_key.name).then_some(rs.revision);
                (top.max(rs.revision), current.or(mine))
            },
        );
        if current.is_some_and(|r| r < top) {
            if let Some(rs) = self.replica_sets.get_mut(&rs_key) {
                rs.revision = top + 1;
                changed = true;
            }
        }
        if !self.replica_sets.contains_key(&rs_key) {
            let mut template = d.spec.template.clone();
            template
                .labels
                .insert("pod-template-hash".into(), hash.clone());
            let mut selector = d.spec.selector.clone();
            selector
                .match_labels
                .insert("pod-template-hash".into(), hash.clone());
            let mut meta = ObjectMeta::new(&key.namespace, &rs_key.name);
            meta.labels = template.labels.clone();
            meta.creation = self.now;
            meta.uid = self.new_uid();
            self.replica_sets.insert(
                rs_key.clone(),
                ReplicaSet {
                    meta,
                    owner: key.name.clone(),
                    replicas: 0,
                    selector,
                    template,
                    pod_template_hash: hash,
                    revision: top + 1,
                },
            );
            changed = true;
        }
        let old: Vec<ObjectKey> = owned.into_iter().filter(|k| *k != rs_key).collect();
        let old_total: i64 = old
            .iter()
            .filter_map(|k| self.replica_sets.get(k))
            .map(|rs| rs.replicas)
            .sum();
        let new_replicas = self.replica_sets.get(&rs_key).map_or(0, |rs| rs.replicas);
        if old_total == 0 {
            if new_replicas != desired {
                self.scale_replica_set(&rs_key, desired, &key.name);
                changed = true;
            }
            return changed;
        }
        // RollingUpdate with the defaults: maxSurge 25% (rounded up), maxUnavailable 25% (down).
        let max_surge = (desired + 3) / 4;
        let max_unavailable = if desired / 4 == 0 && max_surge == 0 {
            1
        } else {
            desired / 4
        };
        let total = old_total + new_replicas;
        if total < desired + max_surge && new_replicas < desired {
            let target = desired.min(new_replicas + desired + max_surge - total);
            self.scale_replica_set(&rs_key, target, &key.name);
            changed = true;
        }
        let mut all = old.clone();
        all.push(rs_key.clone());
        let available = self.available_pods(&all);
        let mut can_remove = available - (desired - max_unavailable);
        // Old pods that are not available can go at once; they serve nothing.
        for k in &old {
            let Some(rs) = self.replica_sets.get(k) else {
                continue;
            };
            let unavailable = rs.replicas - self.available_pods(std::slice::from_ref(k));
            let remove = if unavailable > 0 {
                unavailable
            } else {
                can_remove.max(0).min(rs.replicas)
            };
            if remove > 0 {
                if unavailable <= 0 {
                    can_remove -= remove;
                }
                let target = rs.replicas - remove;
                self.scale_replica_set(k, target, &key.name);
                changed = true;
            }
        }
        changed
    }

    fn available_pods(&self, sets: &[ObjectKey]) -> i64 {
        self.pods
            .values()
            .filter(|p| {
                p.status.ready
                    && !p.is_terminating()
                    && p.owner.as_ref().is_some_and(|o| {
                        sets.iter()
                            .any(|k| k.namespace == p.meta.namespace && &k.name == o)
                    })
            })
            .count() as i64
    }

    fn scale_replica_set(&mut self, key: &ObjectKey, replicas: i64, deployment: &str) {
        let Some(rs) = self.replica_sets.get_mut(key) else {
            return;
        };
        let from = rs.replicas;
        if from == replicas {
            return;
        }
        rs.replicas = replicas;
        let verb = if replicas > from { "up" } else { "down" };
        self.event(
            &key.namespace,
            format!("deployment/{deployment}"),
            false,
            "ScalingReplicaSet",
            format!(
                "Scaled {verb} replica set {} from {from} to {replicas}",
                key.name
            ),
            "deployment-controller",
        );
    }

    /// The ReplicaSet controller: create or delete pods until `replicas` are live.
    fn sync_replica_set(&mut self, key: &ObjectKey, active: Vec<ObjectKey>) {
        let Some(replicas) = self.replica_sets.get(key).map(|rs| rs.replicas) else {
            return;
        };
        let have = active.len() as i64;
        if have < replicas {
            for _ in have..replicas {
                if self.object_count() >= MAX_OBJECTS {
                    break;
                }
                self.create_replica_pod(key);
            }
        } else if have > replicas {
            // The ReplicaSet deletes the least useful pods first: unscheduled, not running,
            // not ready, then the youngest.
            let mut pods: Vec<&Pod> = active.iter().filter_map(|k| self.pods.get(k)).collect();
            crate::sort::sort_by_key(&mut pods, |p| {
                (
                    p.spec.node_name.is_some(),
                    p.status.container == ContainerState::Running,
                    p.status.ready,
                    std::cmp::Reverse(p.meta.creation),
                    p.meta.name.clone(),
                )
            });
            let victims: Vec<ObjectKey> = pods
                .iter()
                .take((have - replicas) as usize)
                .map(|p| p.key())
                .collect();
            for v in victims {
                self.event(
                    &key.namespace,
                    format!("replicaset/{}", key.name),
                    false,
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", v.name),
                    "replicaset-controller",
                );
                self.delete_pod(&v);
            }
        }
    }

    fn create_replica_pod(&mut self, rs_key: &ObjectKey) {
        // The ReplicaSet is read in place (the RNG and the pods are other fields).
        let Some(rs) = self.replica_sets.get(rs_key) else {
            return;
        };
        let ns = rs.meta.namespace.clone();
        let name = loop {
            let candidate = format!("{}-{}", rs.meta.name, names::random_suffix(&mut self.rng));
            if !self.pods.contains_key(&ObjectKey::new(&ns, &candidate)) {
                break candidate;
            }
        };
        let mut meta = ObjectMeta::new(&ns, &name);
        meta.labels = rs.template.labels.clone();
        meta.annotations = rs.template.annotations.clone();
        meta.creation = self.now;
        meta.uid = uid_text(self.rng.next_u64(), self.rng.next_u64());
        let pod = Pod {
            meta,
            spec: rs.template.spec.clone(),
            status: PodStatus::default(),
            owner: Some(rs.meta.name.clone()),
            faults: PodFaults::default(),
        };
        let object = format!("replicaset/{}", rs.meta.name);
        self.event(
            &ns,
            object,
            false,
            "SuccessfulCreate",
            format!("Created pod: {name}"),
            "replicaset-controller",
        );
        self.pods.insert(pod.key(), pod);
    }

    /// kube-scheduler: each pending pod goes to a feasible node, spreading pods of one owner
    /// across nodes first, then balancing the node's pod count; ties go by the seeded RNG.
    fn schedule_pods(&mut self) {
        let pending: Vec<ObjectKey> = self
            .pods
            .values()
            .filter(|p| p.spec.node_name.is_none() && !p.is_terminating())
            .map(|p| p.key())
            .collect();
        if pending.is_empty() {
            return;
        }
        // Pods per node, and per (node, owner) for spreading one owner's pods.
        let mut per_node: SortedMap<String, usize> = SortedMap::new();
        let mut per_owner: SortedMap<(String, String, String), usize> = SortedMap::new();
        for p in self.pods.values() {
            if let Some(n) = &p.spec.node_name {
                *per_node.entry(n.clone()).or_default() += 1;
                if let Some(o) = &p.owner {
                    *per_owner
                        .entry((n.clone(), p.meta.namespace.clone(), o.clone()))
                        .or_default() += 1;
                }
            }
        }
        // Which pods already have a FailedScheduling event (the index of their latest one), read
        // from the events once, when the first pod does not fit; events are only ever dropped
        // from the front, `dropped` of them during this pass.
        let mut failed: Option<(EventIndex, usize)> = None;
        let mut dropped = 0usize;
        for key in pending {
            let Some(pod) = self.pods.get(&key) else {
                continue;
            };
            let system = key.namespace == "kube-system";
            let owner = pod.owner.clone();
            let mut best: Vec<(usize, usize, String)> = Vec::new();
            let (mut tainted, mut full, mut unmatched) = (0, 0, 0);
            for n in &self.nodes {
                let name = &n.meta.name;
                if n.control_plane
                    && !system
                    && !pod
                        .spec
                        .node_selector
                        .contains_key("node-role.kubernetes.io/control-plane")
                {
                    tainted += 1;
                    continue;
                }
                if !selector_matches(&pod.spec.node_selector, &n.meta.labels) {
                    unmatched += 1;
                    continue;
                }
                let all = per_node.get(name).copied().unwrap_or(0);
                if all >= self.config.max_pods_per_node {
                    full += 1;
                    continue;
                }
                let same = owner.as_ref().map_or(0, |o| {
                    per_owner
                        .get(&(name.clone(), key.namespace.clone(), o.clone()))
                        .copied()
                        .unwrap_or(0)
                });
                best.push((same, all, name.clone()));
            }
            let Some(min) = best.iter().map(|(s, a, _)| (*s, *a)).min() else {
                let mut reasons = Vec::new();
                if tainted > 0 {
                    reasons.push(format!("{tainted} node(s) had untolerated taint {{node-role.kubernetes.io/control-plane: }}"));
                }
                if unmatched > 0 {
                    reasons.push(format!(
                        "{unmatched} node(s) didn't match Pod's node affinity/selector"
                    ));
                }
                if full > 0 {
                    reasons.push(format!("{full} Too many pods"));
                }
                let message = format!(
                    "0/{} nodes are available: {}. preemption: 0/{} nodes are available: {} Preemption is not helpful for scheduling.",
                    self.nodes.len(),
                    reasons.join(", "),
                    self.nodes.len(),
                    self.nodes.len()
                );
                let object = format!("pod/{}", key.name);
                let events = &self.events;
                let (seen, base) = failed.get_or_insert_with(|| {
                    let mut seen = EventIndex::new();
                    for (i, e) in events
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| e.reason == "FailedScheduling")
                    {
                        seen.entry(e.namespace.clone())
                            .or_default()
                            .insert(e.object.clone(), i);
                    }
                    (seen, dropped)
                });
                let already = seen
                    .get(&key.namespace)
                    .and_then(|m| m.get(&object))
                    .is_some_and(|&i| i >= dropped - *base);
                if !already {
                    dropped += self.event(
                        &key.namespace,
                        object,
                        true,
                        "FailedScheduling",
                        message,
                        "default-scheduler",
                    );
                }
                continue;
            };
            let ties: Vec<&String> = best
                .iter()
                .filter(|(s, a, _)| (*s, *a) == min)
                .map(|(_, _, n)| n)
                .collect();
            let node = ties[self.rng.below(ties.len() as u64) as usize].clone();
            *per_node.entry(node.clone()).or_default() += 1;
            if let Some(o) = owner {
                *per_owner
                    .entry((node.clone(), key.namespace.clone(), o))
                    .or_default() += 1;
            }
            dropped += self.bind(&key, &node);
        }
    }

    /// Put a pod on a node; returns how many old events its events pushed out.
    fn bind(&mut self, key: &ObjectKey, node: &str) -> usize {
        let host_ip = self.node(node).map(|n| n.internal_ip);
        let Some(pod) = self.pods.get_mut(key) else {
            return 0;
        };
        pod.spec.node_name = Some(node.to_string());
        pod.status.host_ip = host_ip;
        pod.status.container = ContainerState::Creating;

        let uid = pod.meta.uid.clone();
        let (image, policy) = pod
            .spec
            .containers
            .first()
            .map(|c| (c.image.clone(), c.image_pull_policy))
            .unwrap_or_default();
        let mut dropped = self.event(
            &key.namespace,
            format!("pod/{}", key.name),
            false,
            "Scheduled",
            format!(
                "Successfully assigned {}/{} to {node}",
                key.namespace, key.name
            ),
            "default-scheduler",
        );
        // The sandbox comes first: the pod has its IP (and is a not-ready endpoint of its
        // Services) while its image is still being pulled.
        self.schedule_timer(
            self.now + SANDBOX,
            Timer::SandboxReady {
                pod: key.clone(),
                uid: uid.clone(),
            },
        );
        let object = format!("pod/{}", key.name);
        // When the image is (or, while another pod's pull is under way, will be) on the node.
        let slot = (node.to_string(), image.clone());
        let on_node = self.images.get(&slot).copied();
        let present = on_node.is_some_and(|at| at <= self.now);
        let pull = match policy {
            _ if registry::check_reference(&image).is_err() => {
                dropped += self.invalid_image(key, &image);
                self.schedule_timer(
                    self.now + IMAGE_RETRY,
                    Timer::ImageRetry {
                        pod: key.clone(),
                        uid,
                    },
                );
                return dropped;
            }
            PullPolicy::Never if !present => {
                dropped += self.never_pull(key, &image);
                self.schedule_timer(
                    self.now + IMAGE_RETRY,
                    Timer::ImageRetry {
                        pod: key.clone(),
                        uid,
                    },
                );
                return dropped;
            }
            PullPolicy::IfNotPresent | PullPolicy::Never if present => {
                dropped += self.image_present(key, &image);
                START_WITH_IMAGE
            }
            _ => {
                dropped += self.event(
                    &key.namespace,
                    object,
                    false,
                    "Pulling",
                    format!("Pulling image \"{image}\""),
                    "kubelet",
                );
                let Ok(size) = registry::pull(&image) else {
                    self.schedule_timer(
                        self.now + PULL_FAIL,
                        Timer::PullFailed {
                            pod: key.clone(),
                            uid,
                        },
                    );
                    return dropped;
                };
                // The kubelet pulls one image at a time: a pull of the same image already under
                // way is waited for, and then this one finds every layer on the node.
                let (starts, pulling) = match on_node {
                    Some(at) => (at.max(self.now), QUICK_PULL),
                    None => (self.now, pull_time(size)),
                };
                let done = starts + pulling;
                if on_node.is_none() {
                    self.images.insert(slot, done);
                }
                self.schedule_timer(
                    done,
                    Timer::ImagePulled {
                        pod: key.clone(),
                        uid: uid.clone(),
                        image: image.clone(),
                        size,
                        pulling,
                        total: done - self.now,
                    },
                );
                done - self.now + 300
            }
        };
        self.schedule_timer(
            self.now + pull,
            Timer::ContainerStarted {
                pod: key.clone(),
                uid,
            },
        );
        dropped
    }

    /// The image is no reference the kubelet can parse: it says so at every sync; returns how
    /// many old events that pushed out.
    fn invalid_image(&mut self, key: &ObjectKey, image: &str) -> usize {
        let why = registry::check_reference(image).err().unwrap_or_default();
        let message = format!(
            "Failed to apply default image tag \"{image}\": couldn't parse image name \"{image}\": {why}"
        );
        let event = (true, "InspectFailed", message.clone());
        self.image_error(key, ContainerState::InvalidImageName, message, event)
    }

    /// `imagePullPolicy: Never` and the node lacks the image: the kubelet says so at every sync;
    /// returns how many old events that pushed out.
    fn never_pull(&mut self, key: &ObjectKey, image: &str) -> usize {
        let message =
            format!("Container image \"{image}\" is not present with pull policy of Never");
        let event = (true, "ErrImageNeverPull", message.clone());
        self.image_error(key, ContainerState::ErrImageNeverPull, message, event)
    }

    /// The kubelet cannot start the pod's container for want of its image: the container waits
    /// in `state` (with `waiting.message`), and the kubelet records `event` (warning, reason,
    /// message) and `Failed`: `Error: <state>`. Returns how many old events that pushed out.
    fn image_error(
        &mut self,
        key: &ObjectKey,
        state: ContainerState,
        waiting_message: String,
        (warning, reason, message): (bool, &str, String),
    ) -> usize {
        if let Some(pod) = self.pods.get_mut(key) {
            pod.status.container = state;
            pod.status.waiting_message = Some(waiting_message);
        }
        let object = format!("pod/{}", key.name);
        let error = format!("Error: {}", state.waiting_reason());
        let ns = &key.namespace;
        self.event(ns, object.clone(), warning, reason, message, "kubelet")
            + self.event(ns, object, true, "Failed", error, "kubelet")
    }

    /// The kubelet finds the pod's image on its node; returns how many old events that pushed out.
    fn image_present(&mut self, key: &ObjectKey, image: &str) -> usize {
        self.event(
            &key.namespace,
            format!("pod/{}", key.name),
            false,
            "Pulled",
            format!("Container image \"{image}\" already present on machine"),
            "kubelet",
        )
    }

    /// Mark a pod for deletion: it goes Terminating, leaves the Service's ready endpoints, and
    /// disappears when its container exits (at once for nginx-like images, after the grace
    /// period for a shell that ignores SIGTERM).
    fn delete_pod(&mut self, key: &ObjectKey) {
        let now = self.now;
        let Some(pod) = self.pods.get_mut(key) else {
            return;
        };
        if pod.is_terminating() {
            return;
        }
        pod.meta.deletion = Some(now);
        let uid = pod.meta.uid.clone();
        let grace = pod
            .spec
            .termination_grace_period_seconds
            .unwrap_or(30)
            .max(0) as Time
            * SECOND;
        let running = pod.status.container == ContainerState::Running;
        let exit = if !running {
            0
        } else if pod.spec.containers.iter().any(ignores_sigterm) {
            grace
        } else {
            grace.min(SECOND)
        };
        let container = pod
            .spec
            .containers
            .first()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        if running {
            self.event(
                &key.namespace,
                format!("pod/{}", key.name),
                false,
                "Killing",
                format!("Stopping container {container}"),
                "kubelet",
            );
        }
        self.schedule_timer(
            now + exit,
            Timer::ContainerExited {
                pod: key.clone(),
                uid,
            },
        );
    }

    fn sync_endpoints(&mut self) {
        let mut slices = SortedMap::new();
        let mut endpoints = SortedMap::new();
        // Selector-less Services keep what was written by hand (the API server's `kubernetes`).
        for (k, s) in &self.endpoint_slices {
            if let Some(svc) = self.services.get(&ObjectKey::new(&k.namespace, &s.service)) {
                if svc.spec.selector.is_none() {
                    slices.insert(k.clone(), s.clone());
                    if let Some(e) = self.endpoints.get(&svc.key()) {
                        endpoints.insert(svc.key(), e.clone());
                    }
                }
            }
        }
        let index = endpoints::PodIndex::new(&self.pods);
        for svc in self.services.values() {
            let key = svc.key();
            let mut slice_names = self.slice_names.remove(&key).unwrap_or_default();
            let rng = &mut self.rng;
            let made = endpoints::slices_for(svc, &index, &mut slice_names, || {
                format!("{}-{}", svc.meta.name, names::random_suffix(rng))
            });
            if !slice_names.is_empty() {
                self.slice_names.insert(key.clone(), slice_names);
            }
            for s in made {
                slices.insert(key_of(&s.meta), s);
            }
            if let Some(e) = endpoints::endpoints_for(svc, &index) {
                endpoints.insert(key, e);
            }
        }
        if slices != self.endpoint_slices || endpoints != self.endpoints {
            self.endpoint_slices = slices;
            self.endpoints = endpoints;
            self.proxy.invalidate();
            // kube-proxy picks a backend when a connection opens: requests still resolving a
            // name whose planned backend stopped serving pick again among the new endpoints.
            self.reroute_unsent();
        }
    }

    // -----------------------------------------------------------------------------------------
    // Apply

    /// `kubectl apply -f FILE`: all documents or nothing. `Ok` holds kubectl's lines
    /// (`deployment.apps/backend created`); `Err` every document's errors, and nothing changed.
    pub fn apply(&mut self, text: &str, filename: &str) -> Result<Vec<String>, ApplyErrors> {
        let docs = manifest::parse(text, filename)?;
        let mut next = self.clone();
        let mut lines = Vec::new();
        let mut errors = Vec::new();
        let mut locator: Option<manifest::Locator> = None;
        for doc in docs {
            match next.apply_object(doc.object, filename) {
                Ok(line) => lines.push(line),
                Err(mut e) => {
                    // Point each cause at its line in the learner's text.
                    e.document = doc.index;
                    (e.line, e.column) = (doc.line, 1);
                    for f in &mut e.fields {
                        // The learner wrote `spec.clusterIP`; the API server speaks of clusterIPs.
                        let written = match f.path.as_str() {
                            "spec.clusterIPs" | "spec.clusterIPs[0]" => "spec.clusterIP",
                            other => other,
                        };
                        let path = match doc.item {
                            Some(i) => format!("items[{i}].{written}"),
                            None => written.to_string(),
                        };
                        let locator = locator.get_or_insert_with(|| manifest::Locator::new(text));
                        (f.line, f.column) =
                            locator.locate(doc.index, &path).unwrap_or((doc.line, 1));
                    }
                    if let Some(f) = e.fields.first() {
                        (e.line, e.column) = (f.line, f.column);
                    }
                    errors.push(e);
                }
            }
        }
        if next.object_count() > MAX_OBJECTS {
            errors.push(simple_error(format!(
                "svclab: this cluster holds at most {MAX_OBJECTS} objects; the manifest would make {}",
                next.object_count()
            )));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        next.log.push(LoggedAction {
            time: next.now,
            action: Action::Apply {
                manifest: text.to_string(),
            },
        });
        next.reconcile();
        next.revision += 1;
        *self = next;
        Ok(lines)
    }

    fn apply_object(&mut self, object: Object, filename: &str) -> Result<String, ManifestError> {
        let ns = object.meta().namespace.clone();
        let name = object.meta().name.clone();
        if !matches!(object, Object::Namespace(_)) && !self.namespaces.contains_key(&ns) {
            return Err(simple_error(validate::namespace_not_found_message(
                filename, &ns,
            )));
        }
        let key = ObjectKey::new(&ns, &name);
        let now = self.now;
        match object {
            Object::Namespace(n) => {
                if self.namespaces.contains_key(&name) {
                    return Ok(format!("namespace/{name} unchanged"));
                }
                let labels = n.meta.labels;
                self.create_namespace(&name);
                if let Some(created) = self.namespaces.get_mut(&name) {
                    created.meta.labels.extend(labels);
                }
                Ok(format!("namespace/{name} created"))
            }
            Object::Deployment(mut d) => {
                if d.spec.replicas > MAX_REPLICAS {
                    return Err(simple_error(format!(
                        "svclab: spec.replicas is {}: this simulator runs at most {MAX_REPLICAS} replicas per Deployment",
                        d.spec.replicas
                    )));
                }
                match self.deployments.get_mut(&key) {
                    Some(old) => {
                        if old.spec.selector != d.spec.selector {
                            return Err(invalid(
                                "Deployment",
                                &name,
                                validate::selector_immutable(&d.spec.selector),
                            ));
                        }
                        if old.spec == d.spec && old.meta.labels == d.meta.labels {
                            return Ok(format!("deployment.apps/{name} unchanged"));
                        }
                        old.spec = d.spec;
                        old.meta.labels = d.meta.labels;
                        old.meta.generation += 1;
                        Ok(format!("deployment.apps/{name} configured"))
                    }
                    None => {
                        d.meta.creation = now;
                        d.meta.generation = 1;
                        d.meta.uid = self.new_uid();
                        self.deployments.insert(key, d);
                        Ok(format!("deployment.apps/{name} created"))
                    }
                }
            }
            Object::Service(s) => self.apply_service(s, &key),
            Object::Pod(mut p) => match self.pods.get_mut(&key) {
                Some(old) => {
                    if old.spec.containers != p.spec.containers {
                        return Err(invalid(
                            "Pod",
                            &name,
                            validate::forbidden(
                                "spec",
                                "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
                            ),
                        ));
                    }
                    if old.meta.labels == p.meta.labels {
                        return Ok(format!("pod/{name} unchanged"));
                    }
                    old.meta.labels = p.meta.labels;
                    Ok(format!("pod/{name} configured"))
                }
                None => {
                    p.meta.creation = now;
                    p.meta.uid = self.new_uid();
                    p.status = PodStatus::default();
                    self.pods.insert(key, p);
                    Ok(format!("pod/{name} created"))
                }
            },
            Object::NetworkPolicy(mut np) => {
                let verb = match self.network_policies.get(&key) {
                    Some(old) if old.spec == np.spec && old.meta.labels == np.meta.labels => {
                        "unchanged"
                    }
                    Some(_) => "configured",
                    None => "created",
                };
                if verb != "unchanged" {
                    np.meta.creation = self
                        .network_policies
                        .get(&key)
                        .map_or(now, |o| o.meta.creation);
                    self.network_policies.insert(key, np);
                    self.proxy.invalidate();
                }
                Ok(format!("networkpolicy.networking.k8s.io/{name} {verb}"))
            }
        }
    }

    fn apply_service(&mut self, mut s: Service, key: &ObjectKey) -> Result<String, ManifestError> {
        let name = key.name.clone();
        let old = self.services.get(key).cloned();
        // Cluster IP: kept across re-applies; a new one is allocated (or the one asked for).
        match (old.as_ref().map(|o| o.spec.cluster_ip), s.spec.cluster_ip) {
            (Some(prev), ClusterIp::NoIp) if s.spec.type_ != ServiceType::ExternalName => {
                s.spec.cluster_ip = prev
            }
            (Some(prev), asked) if prev != asked && s.spec.type_ != ServiceType::ExternalName => {
                let shown = asked.spec_value();
                return Err(invalid(
                    "Service",
                    &name,
                    validate::cluster_ip_immutable(&shown),
                ));
            }
            (Some(_), _) => {}
            (None, ClusterIp::Ip(ip)) => match self.service_ips.allocate(u32::from(ip)) {
                Ok(()) => {}
                Err(AllocError::AlreadyAllocated) => {
                    return Err(invalid(
                        "Service",
                        &name,
                        validate::cluster_ip_already_allocated(ip),
                    ))
                }
                Err(AllocError::OutOfRange) => {
                    return Err(invalid(
                        "Service",
                        &name,
                        validate::cluster_ip_out_of_range(&ip.to_string()),
                    ))
                }
            },
            (None, ClusterIp::NoIp) if s.spec.type_ != ServiceType::ExternalName => {
                let Some(ip) = self.service_ips.allocate_next(&mut self.rng) else {
                    return Err(simple_error(
                        "Internal error occurred: failed to allocate a serviceIP: range is full"
                            .into(),
                    ));
                };
                s.spec.cluster_ip = ClusterIp::Ip(Ipv4Addr::from(ip));
            }
            (None, _) => {}
        }
        if s.spec.type_ == ServiceType::ExternalName {
            s.spec.cluster_ip = ClusterIp::NoIp;
        }
        // NodePorts for NodePort and LoadBalancer Services, kept across re-applies.
        let wants_node_ports = matches!(
            s.spec.type_,
            ServiceType::NodePort | ServiceType::LoadBalancer
        );
        let previous_ports: Vec<i64> = old
            .iter()
            .flat_map(|o| o.spec.ports.iter().filter_map(|p| p.node_port))
            .collect();
        let mut taken: Vec<i64> = Vec::new();
        for (i, port) in s.spec.ports.iter_mut().enumerate() {
            if !wants_node_ports {
                port.node_port = None;
                continue;
            }
            let kept = old.as_ref().and_then(|o| {
                o.spec
                    .ports
                    .iter()
                    .find(|p| p.port == port.port && p.protocol == port.protocol)
                    .and_then(|p| p.node_port)
            });
            match port.node_port.or(kept) {
                Some(np) if previous_ports.contains(&np) && !taken.contains(&np) => {
                    port.node_port = Some(np);
                    taken.push(np);
                }
                Some(np) => match self.node_ports.allocate(np as u32) {
                    Ok(()) => {
                        port.node_port = Some(np);
                        taken.push(np);
                    }
                    Err(AllocError::AlreadyAllocated) => {
                        return Err(invalid(
                            "Service",
                            &name,
                            validate::node_port_already_allocated(i, np),
                        ))
                    }
                    Err(AllocError::OutOfRange) => {
                        return Err(invalid(
                            "Service",
                            &name,
                            validate::node_port_out_of_range(i, np),
                        ))
                    }
                },
                None => {
                    let Some(np) = self.node_ports.allocate_next(&mut self.rng) else {
                        return Err(simple_error(
                            "Internal error occurred: failed to allocate a nodePort: range is full"
                                .into(),
                        ));
                    };
                    port.node_port = Some(np as i64);
                    taken.push(np as i64);
                }
            }
        }
        for np in previous_ports {
            if !taken.contains(&np) {
                self.node_ports.release(np as u32);
            }
        }
        // LoadBalancer ingress from the pool, kept while the Service stays a LoadBalancer.
        s.status.load_balancer_ip = if s.spec.type_ == ServiceType::LoadBalancer {
            old.as_ref()
                .and_then(|o| o.status.load_balancer_ip)
                .or_else(|| self.free_lb_ip(s.spec.load_balancer_ip))
        } else {
            None
        };
        let verb = match &old {
            Some(o) if o.spec == s.spec && o.meta.labels == s.meta.labels => "unchanged",
            Some(_) => "configured",
            None => "created",
        };
        s.meta.creation = old.as_ref().map_or(self.now, |o| o.meta.creation);
        s.meta.uid = match &old {
            Some(o) => o.meta.uid.clone(),
            None => self.new_uid(),
        };
        self.services.insert(key.clone(), s);
        self.proxy.invalidate();
        Ok(format!("service/{name} {verb}"))
    }

    fn free_lb_ip(&self, wanted: Option<Ipv4Addr>) -> Option<Ipv4Addr> {
        let used: Vec<Ipv4Addr> = self
            .services
            .values()
            .filter_map(|s| s.status.load_balancer_ip)
            .collect();
        match wanted {
            Some(ip) => {
                (self.config.load_balancer_pool.contains(&ip) && !used.contains(&ip)).then_some(ip)
            }
            None => self
                .config
                .load_balancer_pool
                .iter()
                .copied()
                .find(|ip| !used.contains(ip)),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Actions

    /// Do what a learner asked. `Ok` holds what kubectl would print; `Err` kubectl's error text,
    /// and then nothing changed.
    pub fn act(&mut self, action: Action) -> Result<Vec<String>, String> {
        let logged = action.clone();
        let result = match action {
            Action::Apply { manifest } => {
                return self.apply(&manifest, "STDIN").map_err(|errors| {
                    errors
                        .iter()
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }
            Action::Send { request } => {
                let id = self.send(request);
                Ok(vec![format!("trace {id}")])
            }
            other => self.act_inner(other),
        };
        if result.is_ok() && !matches!(logged, Action::Send { .. }) {
            self.log.push(LoggedAction {
                time: self.now,
                action: logged,
            });
            self.reconcile();
            self.revision += 1;
        } else if result.is_ok() {
            self.log.push(LoggedAction {
                time: self.now,
                action: logged,
            });
        }
        result
    }

    fn act_inner(&mut self, action: Action) -> Result<Vec<String>, String> {
        match action {
            Action::Apply { .. } | Action::Send { .. } => Ok(Vec::new()),
            Action::Scale {
                namespace,
                deployment,
                replicas,
            } => {
                if replicas < 0 {
                    return Err(format!("error: The Deployment \"{deployment}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"));
                }
                if replicas > MAX_REPLICAS {
                    return Err(format!("svclab: --replicas={replicas}: this simulator runs at most {MAX_REPLICAS} replicas per Deployment"));
                }
                let d = self
                    .deployments
                    .get_mut(&ObjectKey::new(&namespace, &deployment))
                    .ok_or_else(|| format!("Error from server (NotFound): deployments.apps \"{deployment}\" not found"))?;
                d.spec.replicas = replicas;
                Ok(vec![format!("deployment.apps/{deployment} scaled")])
            }
            Action::SetImage {
                namespace,
                deployment,
                images,
            } => {
                let d = self
                    .deployments
                    .get_mut(&ObjectKey::new(&namespace, &deployment))
                    .ok_or_else(|| format!("Error from server (NotFound): deployments.apps \"{deployment}\" not found"))?;
                let mut template = d.spec.template.clone();
                let containers = &mut template.spec.containers;
                for (container, image) in &images {
                    if container != "*" && !containers.iter().any(|c| &c.name == container) {
                        return Err(format!(
                            "error: unable to find container named \"{container}\""
                        ));
                    }
                    for (i, c) in containers.iter_mut().enumerate() {
                        if container != "*" && &c.name != container {
                            continue;
                        }
                        if image.is_empty() {
                            return Err(format!("error: The Deployment \"{deployment}\" is invalid: spec.template.spec.containers[{i}].image: Required value"));
                        }
                        // imagePullPolicy stays as stored (defaulted when the template was
                        // created), as a real patch of the image leaves it.
                        c.image.clone_from(image);
                    }
                }
                // One patch: nothing to patch, nothing printed (kubectl skips an empty patch).
                if template == d.spec.template {
                    return Ok(Vec::new());
                }
                d.spec.template = template;
                d.meta.generation += 1;
                Ok(vec![format!("deployment.apps/{deployment} image updated")])
            }
            Action::RolloutUndo {
                namespace,
                deployment,
                to_revision,
            } => {
                let key = ObjectKey::new(&namespace, &deployment);
                if !self.deployments.contains_key(&key) {
                    return Err(format!(
                        "Error from server (NotFound): deployments.apps \"{deployment}\" not found"
                    ));
                }
                let revisions = self.revisions(&key);
                let target = match to_revision.filter(|&r| r != 0) {
                    None if revisions.len() < 2 => {
                        return Err(format!(
                            "error: no rollout history found for deployment \"{deployment}\""
                        ));
                    }
                    None => revisions[revisions.len() - 2],
                    Some(r) => *revisions
                        .iter()
                        .find(|rs| rs.revision == r)
                        .ok_or_else(|| {
                            format!("error: unable to find specified revision {r} in history")
                        })?,
                };
                let revision = target.revision;
                let mut template = target.template.clone();
                template.labels.remove("pod-template-hash");
                let Some(d) = self.deployments.get_mut(&key) else {
                    return Ok(Vec::new());
                };
                if d.spec.template == template {
                    return Ok(vec![format!("deployment.apps/{deployment} skipped rollback (current template already matches revision {revision})")]);
                }
                d.spec.template = template;
                d.meta.generation += 1;
                Ok(vec![format!("deployment.apps/{deployment} rolled back")])
            }
            Action::DeletePod { namespace, pod } => {
                let key = ObjectKey::new(&namespace, &pod);
                if !self.pods.contains_key(&key) {
                    return Err(format!(
                        "Error from server (NotFound): pods \"{pod}\" not found"
                    ));
                }
                self.delete_pod(&key);
                Ok(vec![format!("pod \"{pod}\" deleted")])
            }
            Action::Delete {
                kind,
                namespace,
                name,
            } => self.delete_object(kind.singular(), &namespace, &name),
            Action::FailReadiness {
                namespace,
                pod,
                fail,
            } => {
                let key = ObjectKey::new(&namespace, &pod);
                let p = self.pods.get_mut(&key).ok_or_else(|| {
                    format!("Error from server (NotFound): pods \"{pod}\" not found")
                })?;
                p.faults.fail_readiness = fail;
                let uid = p.meta.uid.clone();
                let delay = readiness_delay(p, fail);
                if fail {
                    self.start_failing_probes(&key);
                }
                self.schedule_timer(
                    self.now + delay,
                    Timer::Readiness {
                        pod: key,
                        uid,
                        ready: !fail,
                    },
                );
                Ok(vec![format!(
                    "pod/{pod}: readiness probe now {}",
                    if fail { "fails" } else { "passes" }
                )])
            }
            Action::Label {
                namespace,
                pod,
                key,
                value,
            } => {
                let p = self
                    .pods
                    .get_mut(&ObjectKey::new(&namespace, &pod))
                    .ok_or_else(|| {
                        format!("Error from server (NotFound): pods \"{pod}\" not found")
                    })?;
                match value {
                    Some(v) => {
                        if p.meta.labels.get(&key) == Some(&v) {
                            return Ok(vec![format!("pod/{pod} not labeled")]);
                        }
                        if p.meta.labels.contains_key(&key) {
                            return Err(format!(
                                "error: '{key}' already has a value ({}), and --overwrite is false",
                                p.meta.labels[&key]
                            ));
                        }
                        p.meta.labels.insert(key, v);
                    }
                    None => {
                        if p.meta.labels.remove(&key).is_none() {
                            return Ok(vec![format!(
                                "label \"{key}\" not found.\npod/{pod} unlabeled"
                            )]);
                        }
                    }
                }
                Ok(vec![format!("pod/{pod} labeled")])
            }
            Action::BreakCoreDns { broken } => {
                self.coredns_broken = broken;
                let coredns: Vec<(ObjectKey, String)> = self
                    .pods
                    .values()
                    .filter(|p| is_coredns(p))
                    .map(|p| (p.key(), p.meta.uid.clone()))
                    .collect();
                for (key, uid) in coredns {
                    if broken {
                        self.start_failing_probes(&key);
                    }
                    let delay = self
                        .pods
                        .get(&key)
                        .map_or(SECOND, |p| readiness_delay(p, broken));
                    self.schedule_timer(
                        self.now + delay,
                        Timer::Readiness {
                            pod: key,
                            uid,
                            ready: !broken,
                        },
                    );
                }
                Ok(vec![if broken {
                    "CoreDNS broken: its pods keep running but fail their readiness probe and answer no queries".into()
                } else {
                    "CoreDNS mended".into()
                }])
            }
            Action::SetProxyMode { mode } => {
                self.proxy_mode = mode;
                self.proxy.invalidate();
                Ok(vec![format!("kube-proxy mode: {}", mode.as_str())])
            }
            Action::Run {
                namespace,
                name,
                image,
                command,
            } => {
                if !self.namespaces.contains_key(&namespace) {
                    return Err(format!(
                        "Error from server (NotFound): namespaces \"{namespace}\" not found"
                    ));
                }
                let key = ObjectKey::new(&namespace, &name);
                if self.pods.contains_key(&key) {
                    return Err(format!(
                        "Error from server (AlreadyExists): pods \"{name}\" already exists"
                    ));
                }
                let mut meta = ObjectMeta::new(&namespace, &name);
                meta.labels.insert("run".into(), name.clone());
                meta.creation = self.now;
                meta.uid = self.new_uid();
                let pod = Pod {
                    meta,
                    spec: PodSpec {
                        containers: vec![Container {
                            name: name.clone(),
                            image_pull_policy: PullPolicy::default_for(&image),
                            image,
                            command: Vec::new(),
                            args: command,
                            ports: Vec::new(),
                            readiness_probe: None,
                        }],
                        restart_policy: Some("Never".into()),
                        ..Default::default()
                    },
                    status: PodStatus::default(),
                    owner: None,
                    faults: PodFaults::default(),
                };
                self.pods.insert(key, pod);
                Ok(vec![format!("pod/{name} created")])
            }
        }
    }

    fn delete_object(&mut self, kind: &str, ns: &str, name: &str) -> Result<Vec<String>, String> {
        let key = ObjectKey::new(ns, name);
        let not_found = |resource: &str| {
            format!("Error from server (NotFound): {resource} \"{name}\" not found")
        };
        match kind {
            "deployment" => {
                self.deployments
                    .remove(&key)
                    .ok_or_else(|| not_found("deployments.apps"))?;
                self.progress.remove(&key);
                let sets: Vec<ObjectKey> = self
                    .replica_sets
                    .iter()
                    .filter(|(k, rs)| k.namespace == ns && rs.owner == name)
                    .map(|(k, _)| k.clone())
                    .collect();
                for rs in sets {
                    self.replica_sets.remove(&rs);
                    let pods: Vec<ObjectKey> = self
                        .pods
                        .values()
                        .filter(|p| p.meta.namespace == ns && p.owner.as_deref() == Some(&rs.name))
                        .map(|p| p.key())
                        .collect();
                    for p in pods {
                        self.delete_pod(&p);
                    }
                }
                Ok(vec![format!("deployment.apps \"{name}\" deleted")])
            }
            "service" => {
                let svc = self
                    .services
                    .remove(&key)
                    .ok_or_else(|| not_found("services"))?;
                if let Some(ip) = svc.spec.cluster_ip.ip() {
                    self.service_ips.release(u32::from(ip));
                }
                for p in &svc.spec.ports {
                    if let Some(np) = p.node_port {
                        self.node_ports.release(np as u32);
                    }
                }
                self.slice_names.remove(&key);
                self.proxy.invalidate();
                Ok(vec![format!("service \"{name}\" deleted")])
            }
            "pod" => {
                if !self.pods.contains_key(&key) {
                    return Err(not_found("pods"));
                }
                self.delete_pod(&key);
                Ok(vec![format!("pod \"{name}\" deleted")])
            }
            "networkpolicy" => {
                self.network_policies
                    .remove(&key)
                    .ok_or_else(|| not_found("networkpolicies.networking.k8s.io"))?;
                self.proxy.invalidate();
                Ok(vec![format!(
                    "networkpolicy.networking.k8s.io \"{name}\" deleted"
                )])
            }
            "namespace" => {
                if matches!(
                    name,
                    "default" | "kube-system" | "kube-public" | "kube-node-lease"
                ) {
                    return Err(format!("Error from server (Forbidden): namespaces \"{name}\" is forbidden: this namespace may not be deleted"));
                }
                self.namespaces.remove(name).ok_or_else(|| {
                    format!("Error from server (NotFound): namespaces \"{name}\" not found")
                })?;
                self.deployments.retain(|k, _| k.namespace != name);
                self.replica_sets.retain(|k, _| k.namespace != name);
                let services: Vec<ObjectKey> = self
                    .services
                    .keys()
                    .filter(|k| k.namespace == name)
                    .cloned()
                    .collect();
                for s in services {
                    let _ = self.delete_object("service", name, &s.name);
                }
                self.network_policies.retain(|k, _| k.namespace != name);
                let pods: Vec<ObjectKey> = self
                    .pods
                    .keys()
                    .filter(|k| k.namespace == name)
                    .cloned()
                    .collect();
                for p in pods {
                    self.delete_pod(&p);
                }
                Ok(vec![format!("namespace \"{name}\" deleted")])
            }
            other => Err(format!(
                "error: the server doesn't have a resource type \"{other}\""
            )),
        }
    }

    /// Rebuild a world from its config and action log: same seed, same actions, same world.
    pub fn replay(config: Config, log: &[LoggedAction]) -> Cluster {
        let mut c = Cluster::new(config);
        for entry in log {
            if entry.time > c.now {
                c.advance(entry.time - c.now);
            }
            let _ = c.act(entry.action.clone());
        }
        c
    }

    // -----------------------------------------------------------------------------------------
    // Queries the views and the terminal share

    /// The pods a Service's selector picks (whether or not they are ready).
    pub fn service_pods(&self, service: &Service) -> Vec<&Pod> {
        let Some(selector) = &service.spec.selector else {
            return Vec::new();
        };
        self.pods
            .values()
            .filter(|p| {
                p.meta.namespace == service.meta.namespace
                    && selector_matches(selector, &p.meta.labels)
            })
            .collect()
    }

    /// The slices of one Service.
    pub fn service_slices(&self, service: &ObjectKey) -> Vec<&EndpointSlice> {
        self.endpoint_slices
            .values()
            .filter(|s| s.meta.namespace == service.namespace && s.service == service.name)
            .collect()
    }

    pub fn pod_by_ip(&self, ip: Ipv4Addr) -> Option<&Pod> {
        self.pods
            .values()
            .find(|p| p.status.pod_ip == Some(ip) && !p.spec.host_network)
    }

    /// Where the Deployment's rollout stands: its pods counted as the controller counts them,
    /// when it last progressed, and whether it is done or has run past its deadline.
    pub fn rollout(&self, key: &ObjectKey) -> Option<Rollout> {
        let d = self.deployments.get(key)?;
        let desired = d.spec.replicas;
        // The current template's hash, from the controller's cache when it is fresh.
        let hash = match self.template_hashes.get(key) {
            Some(((uid, generation), hash))
                if *uid == d.meta.uid && *generation == d.meta.generation =>
            {
                hash.clone()
            }
            _ => names::pod_template_hash_of(&d.spec.template),
        };
        let current = format!("{}-{hash}", key.name);
        let owned: SortedSet<&str> = self
            .replica_sets
            .values()
            .filter(|rs| rs.meta.namespace == key.namespace && rs.owner == key.name)
            .map(|rs| rs.meta.name.as_str())
            .collect();
        let (mut total, mut updated, mut available) = (0, 0, 0);
        for p in self.pods.values() {
            if p.meta.namespace != key.namespace || p.is_terminating() {
                continue;
            }
            let Some(owner) = p.owner.as_deref().filter(|o| owned.contains(*o)) else {
                continue;
            };
            total += 1;
            updated += i64::from(owner == current);
            available += i64::from(p.status.ready);
        }
        let complete = updated == desired && available == desired && total == desired;
        let progress = self.progress.get(key).copied().unwrap_or(Progress {
            last: d.meta.creation,
            settled: false,
            check_at: None,
        });
        let timed_out = !complete
            && !progress.settled
            && deadline(d).is_some_and(|limit| self.now >= progress.last + limit);
        Some(Rollout {
            new_replica_set: current,
            desired,
            updated,
            total,
            available,
            last_progress: progress.last,
            complete,
            settled: progress.settled,
            timed_out,
        })
    }

    /// The Deployment's ReplicaSets, by revision (oldest first).
    pub fn revisions(&self, key: &ObjectKey) -> Vec<&ReplicaSet> {
        let mut sets: Vec<&ReplicaSet> = self
            .replica_sets
            .values()
            .filter(|rs| rs.meta.namespace == key.namespace && rs.owner == key.name)
            .collect();
        crate::sort::sort_by_key(&mut sets, |rs| rs.revision);
        sets
    }

    /// The Deployment's `deployment.kubernetes.io/revision`: its newest ReplicaSet's.
    pub fn deployment_revision(&self, key: &ObjectKey) -> i64 {
        self.revisions(key).last().map_or(0, |rs| rs.revision)
    }

    /// `READY` of a Deployment (`2/3`), `UP-TO-DATE` and `AVAILABLE`: (ready, desired,
    /// up to date, available).
    pub fn deployment_status(&self, key: &ObjectKey) -> (i64, i64, i64, i64) {
        self.rollout(key).map_or((0, 0, 0, 0), |r| {
            (r.available, r.desired, r.updated, r.available)
        })
    }
}

/// `{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}` of parts of `a` and `b` (a version-4 UUID), written
/// without the formatter: every object the cluster creates gets one.
fn uid_text(a: u64, b: u64) -> String {
    let mut uid = *b"00000000-0000-4000-0000-000000000000";
    for (value, at, digits) in [
        (a >> 32, 0, 8),
        ((a >> 16) & 0xffff, 9, 4),
        (a & 0x0fff, 15, 3),
        (0x8000 | (b >> 48) & 0x3fff, 19, 4),
        (b & 0xffff_ffff_ffff, 24, 12),
    ] {
        for i in 0..digits {
            let nibble = (value >> (4 * (digits - 1 - i))) & 0xf;
            uid[at + i] = b"0123456789abcdef"[nibble as usize];
        }
    }
    String::from_utf8_lossy(&uid).into_owned()
}

fn key_of(meta: &ObjectMeta) -> ObjectKey {
    ObjectKey::new(&meta.namespace, &meta.name)
}

fn is_coredns(p: &Pod) -> bool {
    p.meta.namespace == "kube-system"
        && p.meta.labels.get("k8s-app").map(String::as_str) == Some("kube-dns")
}

/// A shell (busybox `sh`, `sleep`) as PID 1 ignores SIGTERM and is killed after the grace period.
fn ignores_sigterm(c: &Container) -> bool {
    let image = c.image_name();
    matches!(
        image,
        "busybox" | "alpine" | "ubuntu" | "debian" | "curl" | "netshoot"
    ) || c
        .command
        .iter()
        .chain(c.args.iter())
        .any(|a| a.contains("sleep"))
}

/// How long the Deployment's rollout may go without progress; `None`: for ever (the API's
/// "no deadline", the largest int32).
fn deadline(d: &Deployment) -> Option<Time> {
    let seconds = d.spec.progress_deadline_seconds;
    (seconds != i64::from(i32::MAX)).then(|| seconds.max(0) as Time * SECOND)
}

/// A first pull of an image of `size` bytes onto a node: nginx's [`PULL`], scaled.
fn pull_time(size: u64) -> Time {
    (PULL * size / PULL_SIZE).clamp(MIN_PULL, 60 * SECOND)
}

/// The image of the pod's (first) container.
fn first_image(p: &Pod) -> String {
    p.spec
        .containers
        .first()
        .map(|c| c.image.clone())
        .unwrap_or_default()
}

/// How often the kubelet probes the pod's readiness.
fn probe_period(p: &Pod) -> Time {
    p.spec
        .containers
        .first()
        .and_then(|c| c.readiness_probe.as_ref())
        .map_or(PROBE_PERIOD, |probe| {
            probe.period_seconds.clamp(1, 3600) as Time * SECOND
        })
}

/// How long until the kubelet notices a readiness change: `failureThreshold × period` (3 × 10 s by
/// default) to fail, one period to pass. Pods without a readinessProbe get svclab's stand-in
/// probe (period 1 s, threshold 1) so they can be broken on purpose.
fn readiness_delay(p: &Pod, fail: bool) -> Time {
    match p
        .spec
        .containers
        .first()
        .and_then(|c| c.readiness_probe.as_ref())
    {
        Some(probe) => {
            let period = probe.period_seconds.clamp(1, 3600) as Time * SECOND;
            if fail {
                3 * period
            } else {
                period
            }
        }
        None => SECOND,
    }
}

fn simple_error(message: String) -> ManifestError {
    ManifestError {
        document: 0,
        line: 1,
        column: 1,
        message,
        fields: Vec::new(),
    }
}

fn invalid(kind: &str, name: &str, field: FieldError) -> ManifestError {
    ManifestError {
        document: 0,
        line: 1,
        column: 1,
        message: validate::invalid_message(kind, name, std::slice::from_ref(&field)),
        fields: vec![field],
    }
}

fn host_pod(ns: &str, name: &str, container: &str, image: &str) -> Pod {
    Pod {
        meta: ObjectMeta::new(ns, name),
        spec: PodSpec {
            containers: vec![Container {
                name: container.to_string(),
                image: image.to_string(),
                ..Default::default()
            }],
            host_network: true,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn coredns_deployment() -> Deployment {
    let labels: Labels = [("k8s-app".to_string(), "kube-dns".to_string())].into();
    let mut meta = ObjectMeta::new("kube-system", "coredns");
    meta.labels = labels.clone();
    meta.generation = 1;
    Deployment {
        meta,
        spec: DeploymentSpec {
            replicas: 2,
            progress_deadline_seconds: DEFAULT_PROGRESS_DEADLINE,
            selector: LabelSelector::from_labels(labels.clone()),
            template: PodTemplateSpec {
                labels,
                annotations: Labels::new(),
                spec: PodSpec {
                    containers: vec![Container {
                        name: "coredns".into(),
                        image: "registry.k8s.io/coredns/coredns:v1.11.3".into(),
                        image_pull_policy: PullPolicy::IfNotPresent,
                        command: Vec::new(),
                        args: vec!["-conf".into(), "/etc/coredns/Corefile".into()],
                        ports: vec![
                            ContainerPort {
                                name: Some("dns".into()),
                                container_port: 53,
                                protocol: Protocol::Udp,
                            },
                            ContainerPort {
                                name: Some("dns-tcp".into()),
                                container_port: 53,
                                protocol: Protocol::Tcp,
                            },
                            ContainerPort {
                                name: Some("metrics".into()),
                                container_port: 9153,
                                protocol: Protocol::Tcp,
                            },
                        ],
                        readiness_probe: Some(Probe {
                            initial_delay_seconds: 0,
                            period_seconds: 10,
                        }),
                    }],
                    termination_grace_period_seconds: Some(30),
                    ..Default::default()
                },
            },
        },
    }
}

fn kube_dns_service() -> Service {
    let mut meta = ObjectMeta::new("kube-system", "kube-dns");
    for (k, v) in [
        ("k8s-app", "kube-dns"),
        ("kubernetes.io/cluster-service", "true"),
        ("kubernetes.io/name", "CoreDNS"),
    ] {
        meta.labels.insert(k.into(), v.into());
    }
    let port = |name: &str, port, protocol| ServicePort {
        name: Some(name.into()),
        protocol,
        port,
        target_port: IntOrString::Int(port),
        node_port: None,
    };
    Service {
        meta,
        spec: ServiceSpec {
            selector: Some([("k8s-app".to_string(), "kube-dns".to_string())].into()),
            ports: vec![
                port("dns", 53, Protocol::Udp),
                port("dns-tcp", 53, Protocol::Tcp),
                port("metrics", 9153, Protocol::Tcp),
            ],
            cluster_ip: ClusterIp::Ip(Ipv4Addr::new(10, 96, 0, 10)),
            ..Default::default()
        },
        status: ServiceStatus::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_text_is_the_formatted_uuid() {
        let mut rng = Rng::new(9);
        for _ in 0..1000 {
            let (a, b) = (rng.next_u64(), rng.next_u64());
            let formatted = format!(
                "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0x0fff,
                0x8000 | (b >> 48) & 0x3fff,
                b & 0xffff_ffff_ffff
            );
            assert_eq!(uid_text(a, b), formatted);
        }
        assert_eq!(uid_text(0, 0), "00000000-0000-4000-8000-000000000000");
        assert_eq!(
            uid_text(u64::MAX, u64::MAX),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
    }
}
