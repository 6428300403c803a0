//! kube-proxy as routing sees it: the Service ports it programs, each node's proxier synced from
//! [`crate::kube_proxy::state`], and what it does with the first packet of a connection.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::Cluster;
use crate::kube_proxy::iptables::{RecentTable, Tables};
use crate::kube_proxy::ipvs::{Ipvs, Scheduler};
use crate::kube_proxy::{EndpointInfo, NodeInfo, Origin, ProxyMode, ServicePortInfo, Verdict};
use crate::model::{ClusterIp, ObjectKey};
use crate::trace::{MatchedRule, Packet};

/// What kube-proxy on one node did with a packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Decision {
    /// Rewritten to a backend; `masquerade` also rewrites the source to the node's IP.
    Dnat {
        to: SocketAddrV4,
        masquerade: bool,
    },
    Reject,
    Drop,
    /// No rule for it: routed as it is.
    Pass,
}

impl Cluster {
    /// What kube-proxy gives each node: one entry per Service port with a cluster IP.
    pub fn service_port_infos(&self) -> Vec<ServicePortInfo> {
        let mut out = Vec::new();
        for svc in self.services().values() {
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
                    load_balancer_source_ranges: svc.spec.load_balancer_source_ranges.clone(),
                    external_local: svc.spec.external_traffic_policy
                        == crate::model::TrafficPolicy::Local,
                    internal_local: svc.spec.internal_traffic_policy
                        == crate::model::TrafficPolicy::Local,
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

    pub fn node_info(&self, node: &str) -> Option<NodeInfo> {
        self.node(node).map(|n| NodeInfo {
            name: n.meta.name.clone(),
            ip: n.internal_ip,
            cluster_cidr: "10.244.0.0/16".into(),
        })
    }

    /// Bring one node's proxier up to date with the Services and endpoints (kube-proxy's sync).
    fn sync_proxier(&mut self, node: &str) -> Option<()> {
        self.node(node)?;
        let generation = self.proxy.generation;
        if self.proxy.ports.0 != generation || generation == 0 {
            self.proxy.ports = (generation, self.service_port_infos());
        }
        let ports = &self.proxy.ports.1;
        match self.proxy_mode() {
            ProxyMode::Iptables => {
                if self
                    .proxy
                    .iptables
                    .get(node)
                    .is_none_or(|(g, _)| *g != generation)
                {
                    let info = self.node_info(node)?;
                    self.proxy
                        .iptables
                        .insert(node.to_string(), (generation, Tables::build(&info, ports)));
                }
            }
            ProxyMode::Ipvs => {
                let info = self.node_info(node)?;
                match self.proxy.ipvs.get_mut(node) {
                    Some((g, ipvs)) if *g != generation => {
                        ipvs.sync(&info, ports);
                        *g = generation;
                    }
                    Some(_) => {}
                    None => {
                        let ipvs = Ipvs::build(&info, ports, Scheduler::Rr);
                        self.proxy.ipvs.insert(node.to_string(), (generation, ipvs));
                    }
                }
            }
        }
        Some(())
    }

    /// A node's iptables rules as its kube-proxy wrote them (in IPVS mode, the few rules IPVS
    /// mode still writes).
    pub fn iptables(&mut self, node: &str) -> Option<&Tables> {
        self.sync_proxier(node)?;
        match self.proxy_mode() {
            ProxyMode::Iptables => self.proxy.iptables.get(node).map(|(_, t)| t),
            ProxyMode::Ipvs => self.proxy.ipvs.get(node).map(|(_, i)| i.tables()),
        }
    }

    /// A node's IPVS table; `None` in iptables mode.
    pub fn ipvs(&mut self, node: &str) -> Option<&Ipvs> {
        if self.proxy_mode() != ProxyMode::Ipvs {
            return None;
        }
        self.sync_proxier(node)?;
        self.proxy.ipvs.get(node).map(|(_, i)| i)
    }

    /// What kube-proxy on `node` does with the first packet of a connection.
    pub(super) fn proxy_decide(
        &mut self,
        node: &str,
        packet: Packet,
        from_outside: bool,
    ) -> (Decision, Vec<MatchedRule>) {
        if self.sync_proxier(node).is_none() {
            return (Decision::Pass, Vec::new());
        }
        let origin = if from_outside {
            Origin::External
        } else {
            Origin::Pod
        };
        let now = self.now();
        let walk = match self.proxy_mode() {
            ProxyMode::Iptables => {
                let Some((_, tables)) = self.proxy.iptables.get(node) else {
                    return (Decision::Pass, Vec::new());
                };
                if !self.proxy.affinity.contains_key(node) {
                    self.proxy
                        .affinity
                        .insert(node.to_string(), RecentTable::default());
                }
                let Some(recent) = self.proxy.affinity.get_mut(node) else {
                    return (Decision::Pass, Vec::new());
                };
                tables.walk(packet, origin, &mut self.rng, recent, now)
            }
            ProxyMode::Ipvs => {
                let Some((_, ipvs)) = self.proxy.ipvs.get_mut(node) else {
                    return (Decision::Pass, Vec::new());
                };
                ipvs.walk(packet, origin, now)
            }
        };
        let decision = match walk.verdict {
            Verdict::Dnat { to, masquerade } => Decision::Dnat { to, masquerade },
            Verdict::Reject => Decision::Reject,
            Verdict::Drop => Decision::Drop,
            Verdict::Accept => Decision::Pass,
        };
        (decision, walk.rules)
    }

    /// [`Cluster::pod_by_ip`]'s key, remembered per IP for the next packet.
    pub(super) fn pod_key_by_ip(&mut self, ip: Ipv4Addr) -> Option<ObjectKey> {
        if let Some(key) = self.proxy.pod_ips.0.get(&ip) {
            let still = self
                .pods()
                .get(key)
                .is_some_and(|p| p.status.pod_ip == Some(ip) && !p.spec.host_network);
            if still {
                return Some(key.clone());
            }
        }
        let key = self.pod_by_ip(ip).map(|p| p.key())?;
        self.proxy.pod_ips.0.insert(ip, key.clone());
        Some(key)
    }
}
