//! Requests in flight when the world changes: a connection not yet opened whose backend
//! stopped serving is decided again, and packets on their way to a pod that is gone are lost.

use std::net::Ipv4Addr;

use crate::time::{Time, SECOND};
use crate::trace::{HopVerdict, Outcome, PacketKind, Tool, Trace};

use super::request::{parse_nc_target, parse_target};
use super::{finish_time, Journey, Router};

impl Router<'_> {
    /// Requests whose connection has not been opened yet (the client is still resolving the
    /// name) and whose backend has since stopped serving (deleted, gone not ready) open it
    /// again from the same moment with the Service's endpoints as they are now, as kube-proxy
    /// only picks a backend when the connection's first packet passes through it.
    /// Called when the endpoints change, the only way a backend stops being kube-proxy's to pick;
    /// `traces` are the cluster's recent requests, changed in place.
    pub fn reroute_unsent(&mut self, traces: &mut [Trace]) {
        let now = self.world.now;
        let stale: Vec<usize> = (0..traces.len())
            .filter(|&i| {
                let t = &traces[i];
                let Outcome::Http { pod, .. } = &t.outcome else {
                    return false;
                };
                let unsent = t
                    .hops
                    .iter()
                    .find(|h| h.kind == PacketKind::Request)
                    .is_some_and(|h| h.start > now);
                unsent
                    && !self
                        .world
                        .pods
                        .get(pod)
                        .is_some_and(|p| p.status.ready && !p.is_terminating())
            })
            .collect();
        for i in stale {
            self.reroute(&mut traces[i]);
        }
    }

    fn reroute(&mut self, trace: &mut Trace) {
        let Some(first) = trace
            .hops
            .iter()
            .position(|h| h.kind == PacketKind::Request)
        else {
            return;
        };
        let opened = trace.hops[first].start;
        let sent = trace.hops[first].packet;
        let (request, started) = (trace.request.clone(), trace.start);
        let parsed = match request.tool {
            Tool::NcUdp => parse_nc_target(&request.target),
            tool => parse_target(tool, &request.target),
        };
        let (Ok(sender), Ok(target)) = (self.sender(&request.client), parsed) else {
            return;
        };
        // The connection that will not happen leaves no conntrack entry behind.
        self.proxy.flows.retain(|f| f.original != sent);
        let mut hops = std::mem::take(&mut trace.hops);
        hops.truncate(first);
        let mut j = Journey {
            t: opened,
            hop_ms: self.world.hop_ms.max(1),
            hops,
            nodes: Vec::new(),
            lookup: None,
            datagram: None,
            answer: None,
        };
        let (outcome, output) = if request.tool == Tool::NcUdp {
            self.datagram_phase(&sender, &target, *sent.dst.ip(), &request.payload, &mut j)
        } else {
            self.request_phase(
                &sender,
                request.tool,
                &target,
                *sent.dst.ip(),
                &mut j,
                started,
            )
        };
        let finish = finish_time(request.tool, &outcome, started, j.t);
        trace.hops = j.hops;
        trace.outcome = outcome;
        trace.output = output;
        trace.finish = finish;
    }
}

/// A pod's IP is gone at `now`: packets of `traces` still on their way to it are lost.
pub fn pod_ip_gone(traces: &mut [Trace], ip: Ipv4Addr, now: Time) {
    for trace in traces {
        let Some(i) = trace.hops.iter().position(|h| {
            h.end > now
                && h.kind == PacketKind::Request
                && *h.packet.dst.ip() == ip
                && h.verdict == HopVerdict::Delivered
        }) else {
            continue;
        };
        trace.hops.truncate(i + 1);
        let hop = &mut trace.hops[i];
        hop.verdict = HopVerdict::Dropped;
        hop.explanation = format!(
            "the pod at {ip} is gone before the packet arrives: nobody answers for that address"
        );
        let end = hop.end;
        trace.outcome = Outcome::HostUnreachable;
        let shown = trace
            .hops
            .iter()
            .find(|h| h.kind == PacketKind::Request)
            .map_or(ip, |h| *h.packet.dst.ip());
        trace.output = match (trace.request.tool, parse_target(trace.request.tool, &trace.request.target)) {
            // An ICMP host unreachable ends nc's read without a word.
            (Tool::NcUdp, _) => String::new(),
            (Tool::Curl, Ok(t)) => format!(
                "curl: (7) Failed to connect to {} port {} after {} ms: Could not connect to server",
                t.host,
                t.port,
                end.saturating_sub(trace.start)
            ),
            _ => format!("wget: can't connect to remote host ({shown}): No route to host"),
        };
        trace.finish = end + 3 * SECOND;
    }
}
