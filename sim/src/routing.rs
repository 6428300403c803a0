//! Sending requests through the world: the resolver, CoreDNS, kube-proxy's rules, NetworkPolicy
//! and the backend pod, as a hop-by-hop [`Trace`].

use std::net::Ipv4Addr;

use crate::cluster::{Cluster, MAX_TRACES};
use crate::trace::{Outcome, Request, Trace};

/// kube-proxy's per-node state that outlives one packet: cached rule tables, the `recent`
/// module's affinity table, IPVS scheduler counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyState {
    generation: u64,
}

impl ProxyState {
    /// The Services or endpoints changed: every node's proxier resyncs.
    pub fn invalidate(&mut self) {
        self.generation += 1;
    }
}

impl Cluster {
    /// Send a request now; returns its trace id. The trace is in [`Cluster::traces`] and may still
    /// change while its packets are on the wire (a pod dying under them).
    pub fn send(&mut self, request: Request) -> u64 {
        let id = self.next_trace_id;
        self.next_trace_id += 1;
        let trace = Trace {
            id,
            request,
            start: self.now,
            hops: Vec::new(),
            outcome: Outcome::Invalid {
                message: "not routed yet".into(),
            },
            output: String::new(),
        };
        self.push_trace(trace);
        id
    }

    pub(crate) fn push_trace(&mut self, trace: Trace) {
        self.traces.push(trace);
        if self.traces.len() > MAX_TRACES {
            let extra = self.traces.len() - MAX_TRACES;
            self.traces.drain(..extra);
        }
    }

    /// A pod's IP is gone: packets still on their way to it are lost.
    pub(crate) fn pod_ip_gone(&mut self, _ip: Ipv4Addr) {}

    /// Called after the clock moved.
    pub(crate) fn settle_traces(&mut self) {}
}
