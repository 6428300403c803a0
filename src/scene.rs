//! What the cluster view draws, as plain data: the world reduced to the nodes, pods, Services and
//! endpoint links a learner looks at. Built from a [`Cluster`] by [`Scene::of`]; no geometry here
//! (that is [`crate::layout`]) and nothing reactive (that is the view).

use std::collections::BTreeSet;

use svclab_sim::cluster::Cluster;
use svclab_sim::model::{ContainerState, ObjectKey, Pod, Service};
use svclab_sim::sort;

/// A pod's or a Service's id in the view: `namespace/name`, unique across the cluster.
pub fn object_id(key: &ObjectKey) -> String {
    format!("{}/{}", key.namespace, key.name)
}

/// What a pod is there for, which decides where it sits in its node and how it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PodRole {
    /// CoreDNS (`k8s-app=kube-dns` in `kube-system`).
    CoreDns,
    /// A bare pod started with `kubectl run` (label `run`): the busybox `test` client.
    Client,
    /// Anything else the learner runs (the backend's pods).
    Workload,
}

impl PodRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PodRole::CoreDns => "coredns",
            PodRole::Client => "client",
            PodRole::Workload => "workload",
        }
    }
}

/// A pod's state as the view colours it; the text is what `kubectl get pods` prints in STATUS,
/// plus readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PodState {
    Ready,
    /// Running but failing its readiness probe (or not yet probed).
    NotReady,
    /// Scheduled, sandbox and image being prepared.
    Creating,
    /// Not scheduled yet.
    Pending,
    /// Scheduled, but its image cannot be had: it does not exist (`ErrImagePull`,
    /// `ImagePullBackOff`), may not be pulled (`ErrImageNeverPull`) or is no image reference
    /// at all (`InvalidImageName`).
    ImageError,
    /// Deleted, waiting for its container to exit.
    Terminating,
}

impl PodState {
    pub fn of(pod: &Pod) -> PodState {
        if pod.is_terminating() {
            return PodState::Terminating;
        }
        match pod.status.container {
            ContainerState::Unscheduled => PodState::Pending,
            ContainerState::Creating => PodState::Creating,
            ContainerState::ErrImageNeverPull
            | ContainerState::ErrImagePull
            | ContainerState::ImagePullBackOff
            | ContainerState::InvalidImageName => PodState::ImageError,
            ContainerState::Running if pod.status.ready => PodState::Ready,
            ContainerState::Running | ContainerState::Terminated => PodState::NotReady,
        }
    }

    /// CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            PodState::Ready => "ready",
            PodState::NotReady => "not-ready",
            PodState::Creating => "creating",
            PodState::ImageError => "not-ready",
            PodState::Pending => "pending",
            PodState::Terminating => "terminating",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    pub name: String,
    pub ip: String,
    pub pod_cidr: String,
    pub control_plane: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodView {
    pub id: String,
    pub key: ObjectKey,
    /// `None` while unscheduled.
    pub node: Option<String>,
    pub ip: Option<String>,
    pub role: PodRole,
    pub state: PodState,
    /// kubectl's STATUS column: `Running`, `ContainerCreating`, `Terminating`, ...
    pub status: &'static str,
    pub ready: bool,
    /// What the picture groups it under when its node is crowded: its Deployment (through its
    /// ReplicaSet), its ReplicaSet if no Deployment owns that, `None` for a bare pod.
    pub owner: Option<String>,
}

impl PodView {
    /// The second line of a pod's box: `10.244.1.4 · Running · Ready`.
    pub fn summary(&self) -> String {
        let ip = self.ip.as_deref().unwrap_or("no IP");
        let ready = if self.ready { "Ready" } else { "not ready" };
        match self.state {
            PodState::Ready | PodState::NotReady => format!("{ip} · {} · {ready}", self.status),
            _ => format!("{ip} · {}", self.status),
        }
    }

    /// The readiness word on the pod's box: `Ready`, `Not ready`, `ContainerCreating`, ...
    pub fn state_text(&self) -> &'static str {
        match self.state {
            PodState::Ready => "Ready",
            PodState::NotReady => "Not ready",
            PodState::Creating => "ContainerCreating",
            PodState::ImageError => self.status,
            PodState::Pending => "Pending",
            PodState::Terminating => "Terminating",
        }
    }

    /// What a screen reader says for the pod's box.
    pub fn aria_label(&self) -> String {
        let node = self.node.as_deref().unwrap_or("no node yet");
        format!("Pod {} on {node}, {}", self.key.name, self.summary())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceView {
    pub id: String,
    pub key: ObjectKey,
    /// `ClusterIP`, `NodePort`, ...
    pub type_: &'static str,
    /// `10.96.23.157`, `None` (headless) or `<none>` (ExternalName), as kubectl prints CLUSTER-IP.
    pub cluster_ip: String,
    /// kubectl's PORT(S): `80/TCP`, `53/UDP,53/TCP,9153/TCP`.
    pub ports: String,
    /// Ready endpoints (not terminating) in its EndpointSlices.
    pub ready_endpoints: usize,
}

impl ServiceView {
    /// `Service backend-service (ClusterIP), cluster IP 10.96.23.157, ports 80/TCP, 3 endpoints`
    /// (ready ones; an ExternalName Service has none to count).
    pub fn aria_label(&self) -> String {
        let endpoints = if self.type_ == "ExternalName" {
            String::new()
        } else {
            format!(", {} endpoints", self.ready_endpoints)
        };
        format!(
            "Service {} ({}), cluster IP {}, ports {}{endpoints}",
            self.key.name, self.type_, self.cluster_ip, self.ports
        )
    }

    /// A Service that has nowhere to send traffic: no ready endpoint (an ExternalName Service
    /// never has endpoints, and needs none).
    pub fn without_endpoints(&self) -> bool {
        self.ready_endpoints == 0 && self.type_ != "ExternalName"
    }

    /// The third line of its box: its ports, or `0 endpoints · 80/TCP`.
    pub fn ports_line(&self) -> String {
        if self.without_endpoints() {
            fit(&format!("0 endpoints · {}", self.ports), 30)
        } else {
            fit(&self.ports, 30)
        }
    }
}

/// One endpoint of a Service, drawn as a line from the Service to its pod.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EndpointLink {
    pub service: String,
    pub pod: String,
    /// Solid when ready, dashed when not.
    pub ready: bool,
    pub terminating: bool,
}

/// Everything the cluster view shows, in drawing order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scene {
    pub nodes: Vec<NodeView>,
    /// Pods on the pod network (host-network pods such as kube-proxy are drawn as part of their
    /// node), ordered by node, then role, then name.
    pub pods: Vec<PodView>,
    pub services: Vec<ServiceView>,
    pub links: Vec<EndpointLink>,
    /// `iptables` or `ipvs`, shown on every node's kube-proxy.
    pub proxy_mode: &'static str,
    pub coredns_broken: bool,
}

impl Scene {
    pub fn of(cluster: &Cluster) -> Scene {
        let nodes = cluster
            .nodes()
            .iter()
            .map(|n| NodeView {
                name: n.meta.name.clone(),
                ip: n.internal_ip.to_string(),
                pod_cidr: n.pod_cidr(),
                control_plane: n.control_plane,
            })
            .collect::<Vec<_>>();
        let node_order = |name: &Option<String>| {
            name.as_ref()
                .and_then(|n| nodes.iter().position(|v| &v.name == n))
                .unwrap_or(usize::MAX)
        };
        let mut pods: Vec<PodView> = cluster
            .pods()
            .values()
            .filter(|p| !p.spec.host_network)
            .map(|p| PodView {
                id: object_id(&p.key()),
                key: p.key(),
                node: p.spec.node_name.clone(),
                ip: p.status.pod_ip.map(|ip| ip.to_string()),
                role: role_of(p),
                state: PodState::of(p),
                status: p.status_reason(),
                ready: p.status.ready,
                owner: owner_of(cluster, p),
            })
            .collect();
        sort::sort_by(&mut pods, |a, b| {
            (node_order(&a.node), a.role, &a.key).cmp(&(node_order(&b.node), b.role, &b.key))
        });
        let mut services: Vec<ServiceView> = cluster
            .services()
            .values()
            .filter(|s| shown_service(s))
            .map(|s| ServiceView {
                id: object_id(&s.key()),
                key: s.key(),
                type_: s.spec.type_.as_str(),
                cluster_ip: s.spec.cluster_ip.column(),
                ports: s.port_list(),
                ready_endpoints: 0,
            })
            .collect();
        let mut links = Vec::new();
        let drawn: BTreeSet<&str> = pods.iter().map(|p| p.id.as_str()).collect();
        for slice in cluster.endpoint_slices().values() {
            let service = ObjectKey::new(&slice.meta.namespace, &slice.service);
            let service_id = object_id(&service);
            if !services.iter().any(|s| s.id == service_id) {
                continue;
            }
            for e in slice.endpoints.iter().filter(|e| !e.pod.is_empty()) {
                let pod = object_id(&ObjectKey::new(&slice.meta.namespace, &e.pod));
                if drawn.contains(pod.as_str()) {
                    links.push(EndpointLink {
                        service: service_id.clone(),
                        pod,
                        ready: e.ready,
                        terminating: e.terminating,
                    });
                }
            }
        }
        sort::sort(&mut links);
        links.dedup();
        for s in &mut services {
            let first = links.partition_point(|l| l.service < s.id);
            s.ready_endpoints = links[first..]
                .iter()
                .take_while(|l| l.service == s.id)
                .filter(|l| l.ready && !l.terminating)
                .count();
        }
        Scene {
            nodes,
            pods,
            services,
            links,
            proxy_mode: cluster.proxy_mode().as_str(),
            coredns_broken: cluster.coredns_broken(),
        }
    }

    pub fn pod(&self, id: &str) -> Option<&PodView> {
        self.pods.iter().find(|p| p.id == id)
    }

    pub fn service(&self, id: &str) -> Option<&ServiceView> {
        self.services.iter().find(|s| s.id == id)
    }

    /// Pods of one node, in drawing order (`None`: the unscheduled ones).
    pub fn pods_on<'a>(&'a self, node: Option<&'a str>) -> impl Iterator<Item = &'a PodView> + 'a {
        self.pods.iter().filter(move |p| p.node.as_deref() == node)
    }
}

/// What the picture groups `p` under: its Deployment (through its ReplicaSet), else its
/// ReplicaSet, `None` for a bare pod.
pub fn owner_of(cluster: &Cluster, p: &Pod) -> Option<String> {
    let rs = p.owner.as_ref()?;
    let deployment = cluster
        .replica_sets()
        .get(&ObjectKey::new(&p.meta.namespace, rs))
        .map(|r| r.owner.as_str())
        .filter(|d| !d.is_empty());
    Some(deployment.unwrap_or(rs).to_string())
}

fn role_of(p: &Pod) -> PodRole {
    if p.meta.namespace == "kube-system"
        && p.meta.labels.get("k8s-app").map(String::as_str) == Some("kube-dns")
    {
        PodRole::CoreDns
    } else if p.meta.labels.contains_key("run") && p.owner.is_none() {
        PodRole::Client
    } else {
        PodRole::Workload
    }
}

/// The API server's own `default/kubernetes` Service (no selector, endpoints on the control
/// plane's host network) would only add a line to nowhere; every other Service is drawn.
fn shown_service(s: &Service) -> bool {
    !(s.meta.namespace == "default" && s.meta.name == "kubernetes")
}

/// `name` cut to `max` characters with an ellipsis, for text that must fit a box.
pub fn fit(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svclab_sim::cluster::Config;

    #[test]
    fn fresh_cluster_shows_nodes_coredns_and_kube_dns() {
        let cluster = Cluster::new(Config::default());
        let scene = Scene::of(&cluster);
        let nodes: Vec<&str> = scene.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(
            nodes,
            [
                "kind-control-plane",
                "kind-worker",
                "kind-worker2",
                "kind-worker3"
            ]
        );
        let coredns: Vec<&PodView> = scene
            .pods
            .iter()
            .filter(|p| p.role == PodRole::CoreDns)
            .collect();
        assert_eq!(coredns.len(), 2);
        assert!(coredns.iter().all(|p| p.state == PodState::Ready));
        // Host-network pods (kube-proxy, kindnet, the control plane) are part of their node;
        // beside CoreDNS only kind's storage provisioner has a pod of its own, on the control
        // plane, drawn as a workload.
        let others: Vec<&PodView> = scene
            .pods
            .iter()
            .filter(|p| !p.key.name.starts_with("coredns-"))
            .collect();
        assert_eq!(others.len(), 1);
        assert_eq!(others[0].key.namespace, "local-path-storage");
        assert_eq!(others[0].node.as_deref(), Some("kind-control-plane"));
        assert_eq!(others[0].role, PodRole::Workload);
        let services: Vec<&str> = scene.services.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(services, ["kube-system/kube-dns"]);
        assert_eq!(scene.services[0].ports, "53/UDP,53/TCP,9153/TCP");
        assert_eq!(scene.services[0].cluster_ip, "10.96.0.10");
        let dns_links = scene
            .links
            .iter()
            .filter(|l| l.service == "kube-system/kube-dns")
            .count();
        assert_eq!(dns_links, 2);
    }

    #[test]
    fn the_test_pod_is_the_client_and_creating_until_started() {
        let mut cluster = Cluster::new(Config::default());
        cluster.act(crate::seed::run_client()).unwrap();
        let scene = Scene::of(&cluster);
        let test = scene.pod("default/test").unwrap();
        assert_eq!(test.role, PodRole::Client);
        assert!(matches!(test.state, PodState::Creating | PodState::Pending));
        cluster.advance(10_000);
        let scene = Scene::of(&cluster);
        let test = scene.pod("default/test").unwrap();
        assert_eq!(test.status, "Running");
        assert!(test.ip.as_deref().unwrap().starts_with("10.244."));
        assert!(test.summary().contains("Running"));
    }

    #[test]
    fn a_service_scaled_to_zero_says_it_has_no_endpoints() {
        let mut cluster = Cluster::new(Config::default());
        cluster
            .apply(crate::seed::SEED_MANIFEST, crate::seed::SEED_FILENAME)
            .unwrap();
        cluster.advance(10_000);
        let id = "default/backend-service";
        let scene = Scene::of(&cluster);
        assert_eq!(scene.service(id).unwrap().ready_endpoints, 3);
        assert!(!scene.service(id).unwrap().without_endpoints());
        cluster
            .act(svclab_sim::action::Action::Scale {
                namespace: "default".into(),
                deployment: "backend".into(),
                replicas: 0,
            })
            .unwrap();
        cluster.advance(60_000);
        let scene = Scene::of(&cluster);
        let svc = scene.service(id).unwrap();
        assert!(svc.without_endpoints());
        assert_eq!(svc.ports_line(), "0 endpoints · 80/TCP");
        assert!(svc.aria_label().ends_with(", 0 endpoints"));
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("backend", 10), "backend");
        assert_eq!(fit("backend-service-long", 8), "backend…");
    }
}
