//! kube-proxy as routing sees it: each node's proxier synced from [`crate::kube_proxy::state`]
//! with the Service ports the [`super::World`] gives it, and what it does with the first packet
//! of a connection.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::kube_proxy::iptables::{RecentTable, Tables};
use crate::kube_proxy::ipvs::{Ipvs, Scheduler};
use crate::kube_proxy::nftables::Ruleset;
use crate::kube_proxy::state::ProxyState;
use crate::kube_proxy::{DropCause, Origin, ProxyMode, RejectCause, Verdict};
use crate::model::ObjectKey;
use crate::trace::{Balance, MatchedRule, Packet};

use super::Router;

/// What kube-proxy on one node did with a packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Decision {
    /// Rewritten to a backend; `masquerade` also rewrites the source to the node's IP.
    Dnat { to: SocketAddrV4, masquerade: bool },
    /// Refused by a reject rule: the client sees "connection refused".
    Reject(RejectCause),
    /// Dropped by a drop rule: the client times out.
    Drop(DropCause),
    /// No rule for it: routed as it is.
    Pass,
}

fn decision(verdict: Verdict) -> Decision {
    match verdict {
        Verdict::Dnat { to, masquerade } => Decision::Dnat { to, masquerade },
        Verdict::Reject(cause) => Decision::Reject(cause),
        Verdict::Drop(cause) => Decision::Drop(cause),
        Verdict::Accept => Decision::Pass,
    }
}

impl<'a> Router<'a> {
    /// Bring one node's proxier up to date with the Services and endpoints (kube-proxy's sync).
    fn sync_proxier(&mut self, node: &str) -> Option<()> {
        self.world.node(node)?;
        let generation = self.proxy.generation;
        if self.proxy.ports.0 != generation || generation == 0 {
            self.proxy.ports = (generation, self.world.service_port_infos());
        }
        let ports = &self.proxy.ports.1;
        match self.world.proxy_mode {
            ProxyMode::Iptables => {
                if self
                    .proxy
                    .iptables
                    .get(node)
                    .is_none_or(|(g, _)| *g != generation)
                {
                    let info = self.world.node_info(node)?;
                    self.proxy
                        .iptables
                        .insert(node.to_string(), (generation, Tables::build(&info, ports)));
                }
            }
            ProxyMode::Nftables => {
                if self
                    .proxy
                    .nftables
                    .get(node)
                    .is_none_or(|(g, _)| *g != generation)
                {
                    let info = self.world.node_info(node)?;
                    let rules = Ruleset::build(&info, ports, crate::ipam::SERVICE_CIDR);
                    self.proxy
                        .nftables
                        .insert(node.to_string(), (generation, rules));
                }
                if !self.proxy.kubelet_iptables.contains_key(node) {
                    let info = self.world.node_info(node)?;
                    self.proxy.kubelet_iptables.insert(
                        node.to_string(),
                        crate::kube_proxy::iptables::build::kubelet_only(&info),
                    );
                }
            }
            ProxyMode::Ipvs => {
                let info = self.world.node_info(node)?;
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
    /// mode still writes; in nftables mode, none: only the kubelet's).
    pub fn iptables(mut self, node: &str) -> Option<&'a Tables> {
        self.sync_proxier(node)?;
        let proxy: &'a ProxyState = self.proxy;
        match self.world.proxy_mode {
            ProxyMode::Iptables => proxy.iptables.get(node).map(|(_, t)| t),
            ProxyMode::Nftables => proxy.kubelet_iptables.get(node),
            ProxyMode::Ipvs => proxy.ipvs.get(node).map(|(_, i)| i.tables()),
        }
    }

    /// A node's `ip kube-proxy` nftables table; `None` unless kube-proxy runs in nftables mode.
    pub fn nftables(mut self, node: &str) -> Option<&'a Ruleset> {
        if self.world.proxy_mode != ProxyMode::Nftables {
            return None;
        }
        self.sync_proxier(node)?;
        let proxy: &'a ProxyState = self.proxy;
        proxy.nftables.get(node).map(|(_, r)| r)
    }

    /// A node's IPVS table; `None` in iptables mode.
    pub fn ipvs(mut self, node: &str) -> Option<&'a Ipvs> {
        if self.world.proxy_mode != ProxyMode::Ipvs {
            return None;
        }
        self.sync_proxier(node)?;
        let proxy: &'a ProxyState = self.proxy;
        proxy.ipvs.get(node).map(|(_, i)| i)
    }

    /// What kube-proxy on `node` does with the first packet of a connection, the rules it
    /// matched, and how it chose the endpoint (when it chose one, or found none in IPVS).
    pub(super) fn proxy_decide(
        &mut self,
        node: &str,
        packet: Packet,
        from_outside: bool,
    ) -> (Decision, Vec<MatchedRule>, Option<Balance>) {
        if self.sync_proxier(node).is_none() {
            return (Decision::Pass, Vec::new(), None);
        }
        let origin = if from_outside {
            Origin::External
        } else {
            Origin::Pod
        };
        let now = self.world.now;
        let walk = match self.world.proxy_mode {
            ProxyMode::Iptables => {
                let Some((_, tables)) = self.proxy.iptables.get(node) else {
                    return (Decision::Pass, Vec::new(), None);
                };
                if !self.proxy.affinity.contains_key(node) {
                    self.proxy
                        .affinity
                        .insert(node.to_string(), RecentTable::default());
                }
                let Some(recent) = self.proxy.affinity.get_mut(node) else {
                    return (Decision::Pass, Vec::new(), None);
                };
                tables.walk(packet, origin, self.rng, recent, now)
            }
            ProxyMode::Nftables => {
                let Some((_, rules)) = self.proxy.nftables.get(node) else {
                    return (Decision::Pass, Vec::new(), None);
                };
                if !self.proxy.affinity.contains_key(node) {
                    self.proxy
                        .affinity
                        .insert(node.to_string(), RecentTable::default());
                }
                let Some(sets) = self.proxy.affinity.get_mut(node) else {
                    return (Decision::Pass, Vec::new(), None);
                };
                let walk = rules.walk(packet, origin, self.rng, sets, now);
                let decision = decision(walk.verdict);
                let balance = walk.balanced.then_some(Balance::Numgen { draw: walk.draw });
                return (decision, walk.rules, balance);
            }
            ProxyMode::Ipvs => {
                let Some((_, ipvs)) = self.proxy.ipvs.get_mut(node) else {
                    return (Decision::Pass, Vec::new(), None);
                };
                ipvs.walk(packet, origin, now)
            }
        };
        let decision = decision(walk.verdict);
        let balance = match self.world.proxy_mode {
            ProxyMode::Iptables | ProxyMode::Nftables => matches!(decision, Decision::Dnat { .. })
                .then(|| Balance::Random { draws: walk.draws }),
            ProxyMode::Ipvs => {
                walk.rules
                    .iter()
                    .any(|r| r.table == "ipvs")
                    .then(|| Balance::Ipvs {
                        virtual_server: packet.dst,
                        scheduler: self
                            .proxy
                            .ipvs
                            .get(node)
                            .map_or(Scheduler::Rr, |(_, i)| i.scheduler())
                            .as_str(),
                        real_server: match decision {
                            Decision::Dnat { to, .. } => Some(to),
                            _ => None,
                        },
                    })
            }
        };
        (decision, walk.rules, balance)
    }

    /// [`World::pod_by_ip`](super::World::pod_by_ip)'s key, remembered per IP for the next packet.
    pub(super) fn pod_key_by_ip(&mut self, ip: Ipv4Addr) -> Option<ObjectKey> {
        if let Some(key) = self.proxy.pod_ips.0.get(&ip) {
            let still = self
                .world
                .pods
                .get(key)
                .is_some_and(|p| p.status.pod_ip == Some(ip) && !p.spec.host_network);
            if still {
                return Some(key.clone());
            }
        }
        let key = self.world.pod_by_ip(ip).map(|p| p.key())?;
        self.proxy.pod_ips.0.insert(ip, key.clone());
        Some(key)
    }
}
