//! kube-proxy's state on every node that outlives one packet: the rule tables each proxier last
//! wrote, the `recent` module's affinity lists, IPVS scheduler counters and conntrack's flows.
//!
//! The cluster owns one [`ProxyState`] and tells it when Services or endpoints change
//! ([`ProxyState::invalidate`]); routing syncs a node's proxier from it before a packet walks it.

use std::collections::VecDeque;
use std::fmt;
use std::net::Ipv4Addr;

use crate::kube_proxy::iptables::{RecentTable, Tables};
use crate::kube_proxy::ipvs::Ipvs;
use crate::kube_proxy::nftables::Ruleset;
use crate::kube_proxy::ServicePortInfo;
use crate::map::SortedMap;
use crate::model::{ObjectKey, Protocol};
use crate::time::Time;
use crate::trace::Packet;

/// Connections kept for `conntrack -L`.
const MAX_FLOWS: usize = 200;

/// One connection kube-proxy's node tracked, as `conntrack -L` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub node: String,
    pub protocol: Protocol,
    /// The packet as the client sent it.
    pub original: Packet,
    /// The reply direction after translation (source = the backend).
    pub reply: Packet,
    pub time: Time,
}

/// kube-proxy's per-node state that outlives one packet: the rule tables (rebuilt when Services or
/// endpoints change), the `recent` module's affinity table, IPVS scheduler counters, conntrack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyState {
    /// Bumped by [`ProxyState::invalidate`]; each table below remembers the one it was built at.
    pub(crate) generation: u64,
    pub(crate) ports: (u64, Vec<ServicePortInfo>),
    pub(crate) iptables: SortedMap<String, (u64, Tables)>,
    pub(crate) ipvs: SortedMap<String, (u64, Ipvs)>,
    pub(crate) nftables: SortedMap<String, (u64, Ruleset)>,
    /// In nftables mode, the iptables rules left on each node (the kubelet's only).
    pub(crate) kubelet_iptables: SortedMap<String, Tables>,
    pub(crate) affinity: SortedMap<String, RecentTable>,
    /// Oldest first; a ring, since every connection pushes one and drops the oldest.
    pub flows: VecDeque<Flow>,
    /// Which pod had an IP when routing last looked it up, so that the next packet to that IP
    /// need not scan every pod. Each answer is checked against the pod before it is used, so it
    /// is never stale: a pod IP belongs to one pod at a time (the kubelet takes it from its
    /// node's range and gives it back only when the pod is gone).
    pub(crate) pod_ips: Scratch<SortedMap<Ipv4Addr, ObjectKey>>,
}

/// Working memory kept beside the state but not part of it: it clones empty, compares equal
/// and prints as its type's name, so two worlds that differ only here are the same world.
#[derive(Default)]
pub(crate) struct Scratch<T>(pub(crate) T);

impl<T: Default> Clone for Scratch<T> {
    fn clone(&self) -> Self {
        Scratch::default()
    }
}

impl<T> PartialEq for Scratch<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Scratch<T> {}

impl<T> fmt::Debug for Scratch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scratch")
    }
}

impl ProxyState {
    /// The Services or endpoints changed: every node's proxier resyncs.
    pub fn invalidate(&mut self) {
        self.generation += 1;
    }

    /// Conntrack remembers a connection; the oldest are forgotten past [`MAX_FLOWS`].
    pub(crate) fn track(&mut self, flow: Flow) {
        let flows = &mut self.flows;
        flows.push_back(flow);
        if flows.len() > MAX_FLOWS {
            let extra = flows.len() - MAX_FLOWS;
            flows.drain(..extra);
        }
    }
}
