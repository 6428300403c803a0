//! The world as routing reads it: a read-only [`World`] of the objects a packet's path depends
//! on, lent by the cluster for one request, and the queries on it that routing and kube-proxy
//! share (a node, a Service's slices, the pod behind an IP, the Service ports kube-proxy programs).

use std::net::Ipv4Addr;

use crate::kube_proxy::{EndpointInfo, NodeInfo, ProxyMode, ServicePortInfo};
use crate::map::SortedMap;
use crate::model::{
    ClusterIp, EndpointSlice, Namespace, NetworkPolicy, Node, ObjectKey, Pod, Service,
    TrafficPolicy,
};
use crate::time::Time;

/// The objects routing reads, borrowed from the cluster as they are now.
#[derive(Clone, Copy, Debug)]
pub struct World<'a> {
    /// The virtual clock, in ms since the cluster was created.
    pub now: Time,
    /// How long a packet takes per hop on the virtual clock.
    pub hop_ms: Time,
    /// The control plane first, then the workers.
    pub nodes: &'a [Node],
    pub namespaces: &'a SortedMap<String, Namespace>,
    pub pods: &'a SortedMap<ObjectKey, Pod>,
    pub services: &'a SortedMap<ObjectKey, Service>,
    pub endpoint_slices: &'a SortedMap<ObjectKey, EndpointSlice>,
    pub network_policies: &'a SortedMap<ObjectKey, NetworkPolicy>,
    /// kube-proxy's mode on every node.
    pub proxy_mode: ProxyMode,
    /// CoreDNS is broken: its pods run but fail their readiness probe and answer nothing.
    pub coredns_broken: bool,
}

impl<'a> World<'a> {
    /// The node named `name`.
    pub fn node(&self, name: &str) -> Option<&'a Node> {
        self.nodes.iter().find(|n| n.meta.name == name)
    }

    /// The slices of one Service.
    pub fn service_slices(&self, service: &ObjectKey) -> Vec<&'a EndpointSlice> {
        self.endpoint_slices
            .values()
            .filter(|s| s.meta.namespace == service.namespace && s.service == service.name)
            .collect()
    }

    /// The pod (not host-network) that has `ip`.
    pub fn pod_by_ip(&self, ip: Ipv4Addr) -> Option<&'a Pod> {
        self.pods
            .values()
            .find(|p| p.status.pod_ip == Some(ip) && !p.spec.host_network)
    }

    /// What kube-proxy gives each node: one entry per Service port with a cluster IP.
    pub fn service_port_infos(&self) -> Vec<ServicePortInfo> {
        let mut out = Vec::new();
        for svc in self.services.values() {
            let cluster_ip = match svc.spec.cluster_ip {
                ClusterIp::Ip(ip) => ip,
                _ => continue,
            };
            let slices = self.service_slices(&svc.key());
            for port in &svc.spec.ports {
                let mut endpoints = Vec::new();
                for slice in &slices {
                    let Some(ep_port) = slice
                        .ports
                        .iter()
                        .find(|p| p.name == port.name && p.protocol == port.protocol)
                    else {
                        continue;
                    };
                    for e in &slice.endpoints {
                        endpoints.push(EndpointInfo {
                            ip: e.ip,
                            port: ep_port.port.clamp(0, 65535) as u16,
                            node: e.node.clone(),
                            ready: e.ready,
                            serving: e.serving,
                            terminating: e.terminating,
                        });
                    }
                }
                out.push(ServicePortInfo {
                    service: svc.key(),
                    port_name: port.name.clone(),
                    protocol: port.protocol,
                    cluster_ip: Some(cluster_ip),
                    port: port.port.clamp(0, 65535) as u16,
                    node_port: port.node_port.map(|p| p.clamp(0, 65535) as u16),
                    load_balancer_ip: svc.status.load_balancer_ip,
                    external_ips: svc.spec.external_ips.clone(),
                    health_check_node_port: svc
                        .spec
                        .health_check_node_port
                        .map(|p| p.clamp(0, 65535) as u16),
                    load_balancer_source_ranges: svc.spec.load_balancer_source_ranges.clone(),
                    external_local: svc.spec.external_traffic_policy == TrafficPolicy::Local,
                    internal_local: svc.spec.internal_traffic_policy == TrafficPolicy::Local,
                    affinity_timeout: svc
                        .spec
                        .session_affinity_timeout
                        .map(|t| t.clamp(0, 86400) as u32),
                    endpoints,
                });
            }
        }
        out
    }

    /// What kube-proxy knows of the node it runs on.
    pub fn node_info(&self, node: &str) -> Option<NodeInfo> {
        self.node(node).map(|n| NodeInfo {
            name: n.meta.name.clone(),
            ip: n.internal_ip,
            cluster_cidr: "10.244.0.0/16".into(),
        })
    }
}
