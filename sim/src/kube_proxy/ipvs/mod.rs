//! kube-proxy's IPVS mode: one virtual server per Service address (cluster IP, LoadBalancer IP,
//! node IP for a NodePort) with the Service's endpoints as real servers, the scheduler state the
//! kernel keeps, `ipvsadm -Ln` output, the addresses bound to `kube-ipvs0`, and the iptables rules
//! IPVS mode still writes (ipset matches for masquerading).
//!
//! [`Ipvs`] is both the configuration kube-proxy programs and the kernel state that survives
//! kube-proxy's syncs (round-robin position, connection counts, persistence templates). The
//! cluster keeps one per node: [`Ipvs::build`] once, [`Ipvs::sync`] when Services or endpoints
//! change, [`Ipvs::route`] or [`Ipvs::walk`] per new connection. Nothing here is random: the
//! schedulers are deterministic, as in the kernel.
//!
//! Files: `virtual_server` (virtual and real servers, schedulers), `kernel` (connections,
//! persistence and the scheduler's choice), `ipvsadm` (`ipvsadm -Ln`), `ipset` (the ipsets and
//! iptables rules of IPVS mode).

mod ipset;
mod ipvsadm;
mod kernel;
mod virtual_server;

pub use virtual_server::{RealServer, Scheduler, VirtualKey, VirtualServer};

use crate::map::{SortedMap, SortedSet};
use std::net::{Ipv4Addr, SocketAddrV4};

use crate::kube_proxy::iptables::build as helpers;
use crate::kube_proxy::iptables::endpoints::{self, Endpoint};
use crate::kube_proxy::iptables::walk::Balance;
use crate::kube_proxy::iptables::{RecentTable, Tables, Walk};
use crate::kube_proxy::{NodeInfo, Origin, ServicePortInfo};
use crate::model::Protocol;
use crate::names::service_port_name;
use crate::rng::Rng;
use crate::time::Time;
use crate::trace::{MatchedRule, Packet};
use ipset::ipvs_tables;
use kernel::Kernel;

/// What IPVS did with a packet for one of its virtual servers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpvsRoute {
    pub virtual_server: SocketAddrV4,
    /// The chosen real server; `None` when the virtual server has none (IPVS then answers ICMP
    /// port unreachable: "connection refused").
    pub real_server: Option<SocketAddrV4>,
    /// `table: "ipvs"`, `chain`: the virtual server's `ipvsadm -Ln` line, `text`: the chosen real
    /// server's line (counts included), or the service line when there is none.
    pub rule: MatchedRule,
}

/// One node's IPVS: configuration plus kernel state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipvs {
    node: NodeInfo,
    scheduler: Scheduler,
    bound: SortedSet<Ipv4Addr>,
    tables: Tables,
    kernel: Kernel,
}

impl Ipvs {
    /// What kube-proxy in IPVS mode programs on `node` for these Service ports, with fresh kernel
    /// state. Ports without a cluster IP get nothing.
    pub fn build(node: &NodeInfo, services: &[ServicePortInfo], scheduler: Scheduler) -> Ipvs {
        let mut ipvs = Ipvs {
            node: node.clone(),
            scheduler,
            bound: SortedSet::new(),
            tables: Tables::build(node, &[]),
            kernel: Kernel::default(),
        };
        ipvs.sync(node, services);
        ipvs
    }

    /// Re-sync after Services or endpoints changed, as kube-proxy does: virtual servers and real
    /// servers are added and removed, while connections, round-robin positions and persistence of
    /// what remains are kept. New real servers go to the head of the kernel's list.
    pub fn sync(&mut self, node: &NodeInfo, services: &[ServicePortInfo]) {
        self.node = node.clone();
        let mut wanted: SortedMap<VirtualKey, VirtualServer> = SortedMap::new();
        let mut bound = SortedSet::new();
        let ports = helpers::proxied(services);
        for svc in &ports {
            let Some(cluster_ip) = svc.cluster_ip else {
                continue;
            };
            let spn = service_port_name(
                &svc.service.namespace,
                &svc.service.name,
                svc.port_name.as_deref(),
            );
            let eps = endpoints::categorize(svc, &node.name);
            let pick = |only_local: bool| -> Vec<&Endpoint<'_>> {
                if only_local && !eps.local.is_empty() {
                    eps.local.iter().collect()
                } else {
                    eps.cluster.iter().collect()
                }
            };
            let mut add = |addr: SocketAddrV4, only_local: bool| {
                let key = (svc.protocol, addr);
                if wanted.contains_key(&key) {
                    return;
                }
                let mut reals: Vec<&Endpoint<'_>> = pick(only_local);
                crate::sort::sort_by(&mut reals, |a, b| a.key.cmp(&b.key));
                wanted.insert(
                    key,
                    VirtualServer {
                        protocol: svc.protocol,
                        addr,
                        scheduler: self.scheduler,
                        persistent: svc.affinity_timeout,
                        service: spn.clone(),
                        real_servers: reals
                            .iter()
                            .map(|e| RealServer {
                                addr: SocketAddrV4::new(e.info.ip, e.info.port),
                                weight: 1,
                            })
                            .collect(),
                    },
                );
            };
            add(
                SocketAddrV4::new(cluster_ip, svc.port),
                endpoints::internal_policy_local(svc),
            );
            bound.insert(cluster_ip);
            let external_local = endpoints::external_policy_local(svc);
            for ip in &svc.external_ips {
                add(SocketAddrV4::new(*ip, svc.port), external_local);
                if *ip != node.ip {
                    bound.insert(*ip);
                }
            }
            if let Some(lb) = svc.load_balancer_ip {
                add(SocketAddrV4::new(lb, svc.port), external_local);
                if lb != node.ip {
                    bound.insert(lb);
                }
            }
            if let Some(np) = svc.node_port.filter(|p| *p != 0) {
                add(SocketAddrV4::new(node.ip, np), external_local);
            }
        }

        // Keep the kernel's list order for surviving real servers; new ones are added in sorted
        // order, each at the head.
        for (key, vs) in wanted.iter_mut() {
            let sorted = std::mem::take(&mut vs.real_servers);
            let old = self
                .kernel
                .services
                .get(key)
                .map(|o| o.real_servers.as_slice())
                .unwrap_or(&[]);
            let mut list: Vec<RealServer> = old
                .iter()
                .filter(|o| sorted.iter().any(|n| n.addr == o.addr))
                .cloned()
                .collect();
            for rs in sorted {
                if !list.iter().any(|o| o.addr == rs.addr) {
                    list.insert(0, rs);
                }
            }
            vs.real_servers = list;
        }

        self.kernel.replace_services(&node.name, wanted);
        self.tables = ipvs_tables(node, &ports, &bound);
        self.bound = bound;
    }

    /// The scheduler every virtual server uses.
    pub fn scheduler(&self) -> Scheduler {
        self.scheduler
    }

    /// The iptables rules kube-proxy still writes in IPVS mode (ipset matches, masquerading).
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The addresses bound to the dummy interface `kube-ipvs0` (cluster IPs and LoadBalancer
    /// IPs), in numeric order, for `ip addr show kube-ipvs0`.
    pub fn kube_ipvs0_addresses(&self) -> Vec<Ipv4Addr> {
        self.bound.iter().copied().collect()
    }

    /// Drop connection entries and persistence templates whose time is up at `now` (ms).
    pub fn expire(&mut self, now: Time) {
        self.kernel.expire(now);
    }

    /// The client closed its connection to `virtual_server`: a TCP entry turns inactive
    /// (TIME_WAIT, two minutes).
    pub fn close(
        &mut self,
        client: SocketAddrV4,
        virtual_server: SocketAddrV4,
        protocol: Protocol,
        now: Time,
    ) {
        self.kernel.close(client, virtual_server, protocol, now);
    }

    /// IPVS for the first packet of a new connection at virtual time `now` (ms): `None` when no
    /// virtual server has the packet's destination; otherwise the scheduler's (or the
    /// persistence template's) choice, recorded as a new connection.
    pub fn route(&mut self, packet: &Packet, now: Time) -> Option<IpvsRoute> {
        self.kernel.route(packet, now)
    }

    /// The whole path of a new connection's first packet on this node in IPVS mode: nat
    /// `PREROUTING`/`OUTPUT` (ipset-based masquerade marks), filter `INPUT`, IPVS, nat
    /// `POSTROUTING`. IPVS rules appear in the result with table `ipvs`.
    pub fn walk(&mut self, packet: Packet, origin: Origin, now: Time) -> Walk {
        let Ipvs { tables, kernel, .. } = self;
        let mut rng = Rng::new(0);
        let mut recent = RecentTable::new();
        let mut balance = |p: &Packet| match kernel.route(p, now) {
            None => Balance::NotVirtual,
            Some(IpvsRoute {
                real_server: None,
                rule,
                ..
            }) => Balance::NoRealServer(rule),
            Some(IpvsRoute {
                real_server: Some(rs),
                rule,
                ..
            }) => Balance::Forward(rs, rule),
        };
        tables.walk_with(
            packet,
            origin,
            &mut rng,
            &mut recent,
            now,
            Some(&mut balance),
        )
    }
}
