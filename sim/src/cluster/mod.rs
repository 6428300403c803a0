//! The world: one kind-style cluster, its objects, its controllers and its virtual clock.
//!
//! `Cluster::new(config)` boots a cluster as `kind create cluster` leaves it (a control-plane node,
//! three workers, CoreDNS, kube-proxy). Learners change it with [`Cluster::apply`] and
//! [`Cluster::act`]; [`Cluster::advance`] moves the virtual clock and runs whatever the controllers
//! and kubelets had scheduled. Every accepted action is logged with its time, so
//! [`Cluster::replay`] rebuilds the same world from the same seed.
//!
//! This module holds the [`Cluster`] itself, its [`Config`], the clock and the control loop, and
//! the read queries the views and the terminal share. The rest, by concern:
//! - `store`: uids and the object count; `boot`: the cluster kind creates;
//! - `timers`: the timer queue and what each timer does; `events`: Events and their counting;
//! - the controllers: `deployment` (rollouts, progress deadline, [`Rollout`]), `replica_set`,
//!   `scheduler`, `kubelet` (sandbox, container, probes, deletion) with `images` (pulls and
//!   back-off), and `endpoint_slices`;
//! - `apply` (`kubectl apply`) and `act` (every other learner action, and replay);
//! - `requests`: the traces of sent requests, and kube-proxy's tables and flows as the terminal
//!   reads them.
//!
//! Requests are routed in [`crate::routing`], and the dependency is one-way: this module calls
//! routing, which names nothing from here. `requests` lends routing a read-only
//! [`crate::routing::World`] of the objects with kube-proxy's state (a
//! [`crate::kube_proxy::state::ProxyState`]) and the RNG, for `Action::Send`, when endpoints
//! change (requests not yet connected pick again) and when a pod stops (packets to it are lost),
//! and keeps the traces routing returns.

use std::net::Ipv4Addr;

use crate::action::{Action, SteadyTraffic};
use crate::ipam::{self, PodIpRange, RangeAllocator};
use crate::kube_proxy::state::{ProxyState, Scratch};
use crate::kube_proxy::ProxyMode;
use crate::manifest::ManifestError;
use crate::map::SortedMap;
use crate::model::*;
use crate::rng::Rng;
use crate::time::{Time, HOUR};
use crate::trace::Trace;

mod act;
mod apply;
mod boot;
mod deployment;
mod endpoint_slices;
mod events;
mod images;
mod kubelet;
mod outcome;
mod replica_set;
mod requests;
mod scheduler;
mod store;
mod timers;

pub use boot::{is_cluster_namespace, LOCAL_PATH_STORAGE};
use deployment::Progress;
pub use deployment::{DeploymentCounts, Rollout};
use events::EventIndexByHash;
pub use events::{Event, NODE_EVENTS_NAMESPACE};
pub use outcome::{ActError, Applied, Change, Outcome};
use timers::Timers;

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

/// The cluster came up this long before the learner's first action.
pub const BOOT_AGE: Time = HOUR;

/// An accepted action and the virtual time it happened at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedAction {
    pub time: Time,
    pub action: Action,
}

/// One world. Its objects and state are read through methods of the same names (`pods()`,
/// `services()`, `now()`, ...); only this module's controllers and actions change them. The rest
/// is the controllers' own bookkeeping (allocators, timers, caches).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    config: Config,
    /// The virtual clock, in ms since the cluster was created.
    now: Time,
    nodes: Vec<Node>,
    namespaces: SortedMap<String, Namespace>,
    deployments: SortedMap<ObjectKey, Deployment>,
    replica_sets: SortedMap<ObjectKey, ReplicaSet>,
    pods: SortedMap<ObjectKey, Pod>,
    services: SortedMap<ObjectKey, Service>,
    endpoint_slices: SortedMap<ObjectKey, EndpointSlice>,
    endpoints: SortedMap<ObjectKey, Endpoints>,
    /// EndpointSlices and Endpoints no controller of the cluster computes: written by hand (the
    /// endpoints of a Service without a selector) or by the API server (`kubernetes`).
    written_slices: SortedMap<ObjectKey, EndpointSlice>,
    written_endpoints: SortedMap<ObjectKey, Endpoints>,
    network_policies: SortedMap<ObjectKey, NetworkPolicy>,
    proxy_mode: ProxyMode,
    /// CoreDNS is broken: its pods run but fail their readiness probe and answer nothing.
    coredns_broken: bool,
    /// In the order they first happened.
    events: Vec<Event>,
    log: Vec<LoggedAction>,
    /// Recent requests, oldest first.
    traces: Vec<Trace>,
    /// Bumped on every change a view could show.
    revision: u64,
    rng: Rng,
    service_ips: RangeAllocator,
    node_ports: RangeAllocator,
    pod_ips: SortedMap<String, PodIpRange>,
    slice_names: SortedMap<ObjectKey, Vec<String>>,
    timers: Timers,
    timer_seq: u64,
    /// (node, image) → when the image is on the node: a pull that has finished, or that ends then.
    images: SortedMap<(String, String), Time>,
    /// The id [`Cluster::new_trace_id`] hands out next.
    next_trace_id: u64,
    proxy: ProxyState,
    /// Traces already forgotten, waiting to be freed one per later request.
    evicted: Scratch<Vec<Trace>>,
    /// Each Deployment's pod-template-hash, by (uid, generation) of the template it was made from.
    template_hashes: SortedMap<ObjectKey, ((String, i64), String)>,
    /// Where in `events` each distinct event is, by `events::event_hash`, to count repeats on it.
    event_index: EventIndexByHash,
    /// Each Deployment's `Progressing` condition as the controller keeps it.
    progress: SortedMap<ObjectKey, Progress>,
    /// Steady traffic, when on, and when it sends next.
    traffic: Option<(SteadyTraffic, Time)>,
}

/// Read access to the world. Only the cluster's own controllers and actions change it.
impl Cluster {
    /// The configuration the cluster was made with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The virtual clock, in ms since the cluster was created.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Steady traffic, when on ([`Action::SetTraffic`]).
    pub fn traffic(&self) -> Option<&SteadyTraffic> {
        self.traffic.as_ref().map(|(traffic, _)| traffic)
    }

    /// The nodes: the control plane first, then the workers.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The namespaces, by name.
    pub fn namespaces(&self) -> &SortedMap<String, Namespace> {
        &self.namespaces
    }

    /// The Deployments, by namespace and name.
    pub fn deployments(&self) -> &SortedMap<ObjectKey, Deployment> {
        &self.deployments
    }

    /// The ReplicaSets, by namespace and name.
    pub fn replica_sets(&self) -> &SortedMap<ObjectKey, ReplicaSet> {
        &self.replica_sets
    }

    /// The pods, by namespace and name.
    pub fn pods(&self) -> &SortedMap<ObjectKey, Pod> {
        &self.pods
    }

    /// The Services, by namespace and name.
    pub fn services(&self) -> &SortedMap<ObjectKey, Service> {
        &self.services
    }

    /// The EndpointSlices, by namespace and name.
    pub fn endpoint_slices(&self) -> &SortedMap<ObjectKey, EndpointSlice> {
        &self.endpoint_slices
    }

    /// The Endpoints objects (one per Service), by namespace and name.
    pub fn endpoints(&self) -> &SortedMap<ObjectKey, Endpoints> {
        &self.endpoints
    }

    /// The NetworkPolicies, by namespace and name.
    pub fn network_policies(&self) -> &SortedMap<ObjectKey, NetworkPolicy> {
        &self.network_policies
    }

    /// kube-proxy's mode on every node.
    pub fn proxy_mode(&self) -> ProxyMode {
        self.proxy_mode
    }

    /// CoreDNS is broken: its pods run but fail their readiness probe and answer nothing.
    pub fn coredns_broken(&self) -> bool {
        self.coredns_broken
    }

    /// The events, in the order they first happened.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Every accepted action with its time: what [`Cluster::replay`] replays.
    pub fn log(&self) -> &[LoggedAction] {
        &self.log
    }

    /// Recent requests, oldest first.
    pub fn traces(&self) -> &[Trace] {
        &self.traces
    }

    /// Bumped on every change a view could show.
    pub fn revision(&self) -> u64 {
        self.revision
    }
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
            written_slices: SortedMap::new(),
            written_endpoints: SortedMap::new(),
            network_policies: SortedMap::new(),
            proxy_mode: ProxyMode::Iptables,
            coredns_broken: false,
            events: Vec::new(),
            log: Vec::new(),
            traffic: None,
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
            evicted: Scratch::default(),
            template_hashes: SortedMap::new(),
        };
        c.boot();
        c
    }

    /// Move the virtual clock forward by `ms`, running every timer that falls due, in order.
    /// `advance(a); advance(b)` gives the same world as `advance(a + b)`.
    pub fn advance(&mut self, ms: Time) {
        let target = self.now.saturating_add(ms);
        // Steady traffic's requests go out at their own instants, after the timers due then.
        while let Some(next) = self.traffic.as_ref().map(|(_, next)| *next) {
            if next > target {
                break;
            }
            self.run_until(next);
            self.send_traffic();
        }
        self.run_until(target);
    }

    /// The clock on to `target`, firing the timers due on the way.
    fn run_until(&mut self, target: Time) {
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
        if target > self.now {
            self.now = target;
        }
    }

    /// Steady traffic's request, now, and the next one an interval later.
    fn send_traffic(&mut self) {
        let Some((traffic, next)) = &mut self.traffic else {
            return;
        };
        *next = next.saturating_add(traffic.interval);
        let request = traffic.request.clone();
        self.send(request);
    }

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
                // Taken in place: removing from the front of a sorted vector moves all the rest.
                let sets = owned.get_mut(&d).map(std::mem::take).unwrap_or_default();
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

    /// The node named `name`.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.world().node(name)
    }

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
        self.world().service_slices(service)
    }

    /// The pod (not host-network) that has `ip`.
    pub fn pod_by_ip(&self, ip: Ipv4Addr) -> Option<&Pod> {
        self.world().pod_by_ip(ip)
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
}
