//! Booting the cluster as `kind create cluster` leaves it: nodes, namespaces, CoreDNS and the
//! kube-dns Service, the `kubernetes` Service, the host-network pods (kube-proxy, kindnet,
//! the control plane's static pods), and kind's storage provisioner.
//!
//! kind creates a cluster in steps (kubernetes-sigs/kind
//! `pkg/cluster/internal/create/create.go`, v0.32.0): `kubeadm init` on the control plane, the
//! CNI, the default storage (`installstorage`, which applies the node image's
//! `/kind/manifests/default-storage.yaml`), and only then `kubeadm join` of the workers.

use std::net::Ipv4Addr;

use crate::ipam::PodIpRange;
use crate::model::*;
use crate::names;
use crate::rng::Rng;
use crate::version::component_image;

use super::scheduler::CONTROL_PLANE_TAINT;
use super::store::key_of;
use super::{Cluster, BOOT_AGE};

impl Cluster {
    pub(super) fn boot(&mut self) {
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            self.create_namespace(ns);
        }
        self.add_node("kind-control-plane", 0, true);
        // CoreDNS comes up before the workers join, so kind puts it on the control plane.
        let coredns = coredns_deployment();
        self.deployments.insert(key_of(&coredns.meta), coredns);
        self.reconcile();
        // kind's storage is installed before the workers join too; its provisioner tolerates
        // the control plane's taint, so it lands there. Its objects draw their uids and names
        // from a generator of their own (derived from the seed), so the rest of the cluster's
        // names, addresses and ports are what the seed gives them whether or not it is booted.
        let main = std::mem::replace(&mut self.rng, Rng::new(self.config.seed ^ STORAGE_STREAM));
        self.create_namespace(LOCAL_PATH_STORAGE);
        let provisioner = local_path_provisioner_deployment();
        self.deployments
            .insert(key_of(&provisioner.meta), provisioner);
        self.reconcile();
        self.rng = main;
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
            // kubeadm's kube-proxy DaemonSet tolerates everything and runs on Linux nodes;
            // kind's kindnet DaemonSet tolerates every NoSchedule taint.
            let mut proxy = host_pod(
                "kube-system",
                "",
                "kube-proxy",
                &component_image("kube-proxy"),
            );
            proxy.spec.tolerations = vec![Toleration::exists("", "")];
            proxy.spec.service_account = Some("kube-proxy");
            proxy.spec.priority_class = Some("system-node-critical");
            proxy
                .spec
                .node_selector
                .insert("kubernetes.io/os".into(), "linux".into());
            self.create_daemon_pod(proxy, "kube-proxy", node);
            let mut kindnet = host_pod(
                "kube-system",
                "",
                "kindnet-cni",
                crate::version::KINDNETD_IMAGE,
            );
            kindnet.spec.tolerations = vec![Toleration::exists("", "NoSchedule")];
            kindnet.spec.service_account = Some("kindnet");
            self.create_daemon_pod(kindnet, "kindnet", node);
        }
        let etcd = format!("registry.k8s.io/etcd:{}", crate::version::ETCD);
        for (component, image) in [
            ("etcd", etcd),
            ("kube-apiserver", component_image("kube-apiserver")),
            (
                "kube-controller-manager",
                component_image("kube-controller-manager"),
            ),
            ("kube-scheduler", component_image("kube-scheduler")),
        ] {
            let mut pod = host_pod(
                "kube-system",
                &format!("{component}-kind-control-plane"),
                component,
                &image,
            );
            pod.meta.labels.insert("component".into(), component.into());
            pod.meta
                .labels
                .insert("tier".into(), "control-plane".into());
            // The kubelet gives every static pod this one (`:NoExecute op=Exists` in describe).
            pod.spec.tolerations = vec![Toleration::exists("", "NoExecute")];
            pod.spec.priority_class = Some("system-node-critical");
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
        self.written_slices.insert(
            key_of(&slice_meta),
            EndpointSlice {
                meta: slice_meta,
                service: "kubernetes".into(),
                ports: vec![port.clone()],
                endpoints: vec![Endpoint {
                    ip: api_ip,
                    pod: String::new(),
                    node: String::new(),
                    hostname: None,
                    ready: true,
                    serving: true,
                    terminating: false,
                }],
            },
        );
        // The API server's Endpoints carry the label that keeps the mirroring controller away
        // (kubernetes/kubernetes `pkg/controlplane/reconcilers/endpointsadapter.go`, v1.31:
        // `endpointslice.kubernetes.io/skip-mirror: "true"`); it writes its slice itself.
        let mut endpoints_meta = ObjectMeta::new("default", "kubernetes");
        endpoints_meta.labels.insert(
            "endpointslice.kubernetes.io/skip-mirror".into(),
            "true".into(),
        );
        self.written_endpoints.insert(
            ObjectKey::new("default", "kubernetes"),
            Endpoints {
                meta: endpoints_meta,
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
        // The node image ships the storage images (kind's `defaultStorageImages`).
        for image in [
            crate::version::LOCAL_PATH_PROVISIONER_IMAGE,
            crate::version::LOCAL_PATH_HELPER_IMAGE,
        ] {
            self.images.insert((name.to_string(), image.to_string()), 0);
        }
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

    pub(super) fn create_namespace(&mut self, name: &str) {
        let mut meta = ObjectMeta::new("", name);
        meta.labels
            .insert("kubernetes.io/metadata.name".into(), name.into());
        meta.creation = self.now;
        meta.uid = self.new_uid();
        self.namespaces.insert(name.to_string(), Namespace { meta });
    }

    /// A DaemonSet's pod on `node`: `app` names the pod, `container` its one container.
    /// One pod of the DaemonSet `app` on `node`, from `pod` (its template): named `app-xxxxx`,
    /// labelled `k8s-app=app`, with the tolerations the DaemonSet controller adds to each
    /// ([`daemon_pod_tolerations`]).
    fn create_daemon_pod(&mut self, mut pod: Pod, app: &str, node: &str) {
        pod.meta.name = format!("{app}-{}", names::random_suffix(&mut self.rng));
        pod.meta.labels.insert("k8s-app".into(), app.into());
        daemon_pod_tolerations(&mut pod.spec);
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
}

/// `AddOrUpdateDaemonPodTolerations` (kubernetes/kubernetes
/// `pkg/controller/daemon/util/daemonset_util.go`): a DaemonSet's pods tolerate the node
/// controller's not-ready and unreachable taints with no time limit, the node-condition taints,
/// and, on the host network, network-unavailable. Each is added as
/// `AddOrUpdateTolerationInPodSpec` adds it: in place of one with the same key, operator, value
/// and effect, or at the end.
fn daemon_pod_tolerations(spec: &mut PodSpec) {
    let mut added = vec![
        Toleration::exists("node.kubernetes.io/not-ready", "NoExecute"),
        Toleration::exists("node.kubernetes.io/unreachable", "NoExecute"),
        Toleration::exists("node.kubernetes.io/disk-pressure", "NoSchedule"),
        Toleration::exists("node.kubernetes.io/memory-pressure", "NoSchedule"),
        Toleration::exists("node.kubernetes.io/pid-pressure", "NoSchedule"),
        Toleration::exists("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec.host_network {
        added.push(Toleration::exists(
            "node.kubernetes.io/network-unavailable",
            "NoSchedule",
        ));
    }
    for t in added {
        let same = |o: &Toleration| {
            o.key == t.key && o.op() == t.op() && o.value == t.value && o.effect == t.effect
        };
        match spec.tolerations.iter_mut().find(|o| same(o)) {
            Some(o) => *o = t,
            None => spec.tolerations.push(t),
        }
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

/// A Deployment the cluster comes with: generation 1, `replicas` pods labelled `labels` (its
/// selector too), each made from `pod`.
fn system_deployment(meta: ObjectMeta, labels: Labels, replicas: i64, pod: PodSpec) -> Deployment {
    let mut meta = meta;
    meta.generation = 1;
    Deployment {
        meta,
        spec: DeploymentSpec {
            replicas,
            progress_deadline_seconds: DEFAULT_PROGRESS_DEADLINE,
            selector: LabelSelector::from_labels(labels.clone()),
            template: PodTemplateSpec {
                labels,
                annotations: Labels::new(),
                spec: pod,
            },
        },
    }
}

fn coredns_deployment() -> Deployment {
    let labels: Labels = [("k8s-app".to_string(), "kube-dns".to_string())].into();
    let mut meta = ObjectMeta::new("kube-system", "coredns");
    meta.labels = labels.clone();
    let pod = PodSpec {
        containers: vec![Container {
            name: "coredns".into(),
            image: crate::version::coredns_image(),
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
        // kubeadm's CoreDNS Deployment: it may run on the control plane, and on Linux.
        tolerations: vec![
            Toleration::exists("CriticalAddonsOnly", ""),
            Toleration {
                key: CONTROL_PLANE_TAINT.into(),
                effect: "NoSchedule".into(),
                ..Toleration::default()
            },
        ],
        node_selector: [("kubernetes.io/os".to_string(), "linux".to_string())].into(),
        service_account: Some("coredns"),
        priority_class: Some("system-cluster-critical"),
        ..Default::default()
    };
    system_deployment(meta, labels, 2, pod)
}

/// Mixed into the seed for the generator the storage provisioner's objects draw from.
const STORAGE_STREAM: u64 = 0x6c6f_6361_6c2d_7061;

/// The namespace of kind's storage provisioner.
pub const LOCAL_PATH_STORAGE: &str = "local-path-storage";

/// Whether the workloads of namespace `ns` come with the cluster rather than from the learner:
/// kubeadm's add-ons in `kube-system`, kind's provisioner in `local-path-storage`.
pub fn is_cluster_namespace(ns: &str) -> bool {
    ns == "kube-system" || ns == LOCAL_PATH_STORAGE
}

/// kind's `local-path-provisioner` Deployment as its default storage manifest writes it
/// (kubernetes-sigs/kind `pkg/build/nodeimage/const_storage.go`, v0.32.0). Its volume, the
/// environment and the service account are not modelled.
fn local_path_provisioner_deployment() -> Deployment {
    let labels: Labels = [("app".to_string(), "local-path-provisioner".to_string())].into();
    let meta = ObjectMeta::new(LOCAL_PATH_STORAGE, "local-path-provisioner");
    let helper = crate::version::LOCAL_PATH_HELPER_IMAGE;
    let toleration = |key: &str| Toleration {
        key: key.into(),
        operator: Some(TolerationOperator::Equal),
        value: String::new(),
        effect: "NoSchedule".into(),
        seconds: None,
    };
    let pod = PodSpec {
        containers: vec![Container {
            name: "local-path-provisioner".into(),
            image: crate::version::LOCAL_PATH_PROVISIONER_IMAGE.into(),
            image_pull_policy: PullPolicy::IfNotPresent,
            command: [
                "local-path-provisioner",
                "--debug",
                "start",
                "--helper-image",
                helper,
                "--config",
                "/etc/config/config.json",
            ]
            .map(String::from)
            .to_vec(),
            ..Default::default()
        }],
        node_selector: [("kubernetes.io/os".to_string(), "linux".to_string())].into(),
        tolerations: vec![
            toleration(CONTROL_PLANE_TAINT),
            toleration("node-role.kubernetes.io/master"),
        ],
        ..Default::default()
    };
    system_deployment(meta, labels, 1, pod)
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
