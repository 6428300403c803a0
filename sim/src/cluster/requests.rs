//! The cluster's side of routing: it lends [`crate::routing`] a read-only [`World`] of its objects
//! with kube-proxy's state and the RNG, keeps the traces routing returns (and the ones it decides
//! again or cuts short), and reads kube-proxy's tables and conntrack's flows for the terminal.

use std::net::Ipv4Addr;

use crate::kube_proxy::iptables::{NodeTables, Tables};
use crate::kube_proxy::ipvs::Ipvs;
use crate::kube_proxy::{NodeInfo, ServicePortInfo};
use crate::routing::{self, Flow, Router, World};
use crate::trace::{Request, Trace};

use super::{Cluster, MAX_TRACES};

/// The cluster's objects as a [`World`], each field borrowed on its own so that the cluster's
/// other fields stay free.
macro_rules! world {
    ($c:expr) => {
        World {
            now: $c.now,
            hop_ms: $c.config.hop_ms,
            nodes: &$c.nodes,
            namespaces: &$c.namespaces,
            pods: &$c.pods,
            services: &$c.services,
            endpoint_slices: &$c.endpoint_slices,
            network_policies: &$c.network_policies,
            proxy_mode: $c.proxy_mode,
            coredns_broken: $c.coredns_broken,
        }
    };
}

impl Cluster {
    /// Send a request now; returns its trace id. The trace is in [`Cluster::traces`] and may still
    /// change while its packets are on the wire (a pod dying under them).
    pub fn send(&mut self, request: Request) -> u64 {
        let id = self.new_trace_id();
        let trace = self.router().route(id, request);
        self.push_trace(trace);
        self.revision += 1;
        id
    }

    /// The trace with this id, while it is among the recent ones.
    pub fn trace(&self, id: u64) -> Option<&Trace> {
        self.traces.iter().rev().find(|t| t.id == id)
    }

    /// The connections the nodes' conntrack tables remember, oldest first (`conntrack -L`).
    pub fn flows(&self) -> impl Iterator<Item = &Flow> {
        self.proxy.flows.iter()
    }

    /// What kube-proxy gives each node: one entry per Service port with a cluster IP.
    pub fn service_port_infos(&self) -> Vec<ServicePortInfo> {
        self.world().service_port_infos()
    }

    /// What kube-proxy knows of the node it runs on.
    pub fn node_info(&self, node: &str) -> Option<NodeInfo> {
        self.world().node_info(node)
    }

    /// A node's iptables rules as its kube-proxy wrote them (in IPVS mode, the few rules IPVS
    /// mode still writes).
    pub fn iptables(&mut self, node: &str) -> Option<&Tables> {
        self.router().iptables(node)
    }

    /// Every iptables table on a node, as its `iptables-save` prints them: kube-proxy's rules
    /// and the kubelet's and kindnetd's chains beside them.
    pub fn node_iptables(&mut self, node: &str) -> Option<NodeTables> {
        let info = self.node_info(node)?;
        let mode = self.proxy_mode();
        self.iptables(node)
            .map(|proxy| NodeTables::new(proxy, &info, mode))
    }

    /// A node's IPVS table; `None` unless kube-proxy runs in IPVS mode.
    pub fn ipvs(&mut self, node: &str) -> Option<&Ipvs> {
        self.router().ipvs(node)
    }

    /// A node's `ip kube-proxy` nftables table; `None` unless kube-proxy runs in nftables mode.
    pub fn nftables(&mut self, node: &str) -> Option<&crate::kube_proxy::nftables::Ruleset> {
        self.router().nftables(node)
    }

    /// The endpoints changed: requests whose connection is not open yet and whose backend
    /// stopped serving pick again (see [`Router::reroute_unsent`]).
    pub(super) fn reroute_unsent(&mut self) {
        let (mut router, traces) = self.router_and_traces();
        router.reroute_unsent(traces);
    }

    /// A pod's IP is gone: packets still on their way to it are lost.
    pub(super) fn pod_ip_gone(&mut self, ip: Ipv4Addr) {
        routing::pod_ip_gone(&mut self.traces, ip, self.now);
    }

    /// The world as routing reads it.
    pub(super) fn world(&self) -> World<'_> {
        world!(self)
    }

    fn router(&mut self) -> Router<'_> {
        self.router_and_traces().0
    }

    fn router_and_traces(&mut self) -> (Router<'_>, &mut Vec<Trace>) {
        let router = Router {
            world: world!(self),
            proxy: &mut self.proxy,
            rng: &mut self.rng,
        };
        (router, &mut self.traces)
    }

    fn push_trace(&mut self, trace: Trace) {
        self.traces.push(trace);
        // Forget the oldest in batches, so a steady stream of requests doesn't shift the list
        // on every send; their memory is freed one trace per later request, so that no single
        // request pays for freeing fifty (and the allocator sees frees as steady as its
        // allocations).
        if self.traces.len() > MAX_TRACES + MAX_TRACES / 4 {
            let extra = self.traces.len() - MAX_TRACES;
            self.evicted.0.extend(self.traces.drain(..extra));
        }
        drop(self.evicted.0.pop());
    }
}
