//! Sending requests through the world: the client's resolver, CoreDNS behind the kube-dns Service,
//! kube-proxy's rules on the node, NetworkPolicy, and the backend pod, as a hop-by-hop [`Trace`].
//!
//! A request is routed when it is sent, with the seeded RNG, so the trace is plain data from the
//! start; hops carry virtual times. The world may change under it: if the chosen backend stops
//! serving while the client is still resolving the name, the connection is decided again when
//! it would open (`Cluster::reroute_unsent`); a pod that dies before a packet reaches it turns
//! the rest of the trace into the failure its client would see (`Cluster::pod_ip_gone`).
//!
//! This module holds [`Cluster::send`] and [`Cluster::trace`], the sender and the trace being
//! built; the steps, in the order a request takes them:
//! - `request`: the target parsed, then (after the lookup) the connection made, and what the
//!   client prints;
//! - `lookup`: the name resolved through CoreDNS (and busybox `nslookup`);
//! - `connect`: through the sender's node and kube-proxy's rules, with conntrack;
//! - `proxy`: each node's proxier synced and walked;
//! - `deliver`: NetworkPolicy, the backend pod, and the reply;
//! - `reroute`: requests in flight when endpoints change or a pod goes away.
//!
//! Routing reads [`crate::cluster`] and imports from it; the cluster imports nothing from here (it
//! calls `send`, `reroute_unsent` and `pod_ip_gone`, methods of its own type defined here).

use std::net::Ipv4Addr;

use crate::cluster::{Cluster, MAX_TRACES};
use crate::dns;
pub use crate::kube_proxy::state::{Flow, ProxyState};
use crate::model::ObjectKey;
use crate::time::{Time, SECOND};
use crate::trace::{
    Client, Hop, HopVerdict, MatchedRule, Outcome, Packet, PacketKind, Place, Request, SharedStr,
    Tool, Trace, Translation,
};

mod connect;
mod deliver;
mod lookup;
mod proxy;
mod request;
mod reroute;

use request::parse_target;

/// The learner's laptop on kind's Docker network, for NodePort and LoadBalancer requests.
pub const EXTERNAL_CLIENT_IP: Ipv4Addr = Ipv4Addr::new(172, 18, 0, 1);

/// CoreDNS's Service IP, every pod's nameserver.
pub const DNS_SERVICE_IP: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 10);

/// The kernel gives up on a SYN that is never answered after six retries (about 127 s).
pub const TCP_CONNECT_TIMEOUT: Time = 127 * SECOND;

/// A resolver waits this long for an answer before giving up on a server.
pub const DNS_TIMEOUT: Time = dns::NSLOOKUP_TIMEOUT_MS;

/// A request being built: the clock of its next hop and the hops so far.
struct Journey {
    t: Time,
    hop_ms: Time,
    hops: Vec<Hop>,
    /// The node names its hops carry, each spelled once.
    nodes: Vec<SharedStr>,
}

impl Journey {
    #[allow(clippy::too_many_arguments)]
    fn hop(
        &mut self,
        from: Place,
        to: Place,
        node: Option<&str>,
        kind: PacketKind,
        packet: Packet,
        translation: Option<Translation>,
        rules: Vec<MatchedRule>,
        verdict: HopVerdict,
        explanation: String,
    ) {
        let start = self.t;
        self.t += self.hop_ms;
        let node = node.map(
            |name| match self.nodes.iter().find(|n| n.as_str() == name) {
                Some(shared) => shared.clone(),
                None => {
                    let shared = SharedStr::from(name);
                    self.nodes.push(shared.clone());
                    shared
                }
            },
        );
        self.hops.push(Hop {
            start,
            end: self.t,
            from,
            to,
            node,
            kind,
            packet,
            translation,
            rules,
            verdict,
            explanation,
        });
    }
}

/// Where a connection attempt ended up.
enum Delivery {
    /// The reply is back at the client.
    Answered {
        backend: ObjectKey,
    },
    Refused,
    Dropped,
    /// Nothing at that address answers (no pod, no node).
    Unreachable,
}

/// Who is sending: a pod or the laptop outside.
struct Sender {
    place: Place,
    /// How explanations name it (`pod test`).
    name: String,
    ip: Ipv4Addr,
    /// The node whose stack the packet enters first; `None` for the outside client.
    node: Option<String>,
}

impl Sender {
    fn pod(&self) -> Option<&ObjectKey> {
        match &self.place {
            Place::Pod(key) => Some(key),
            _ => None,
        }
    }

    /// The pod's namespace (empty outside the cluster).
    fn namespace(&self) -> &str {
        self.pod().map_or("", |key| key.namespace.as_str())
    }
}

impl Cluster {
    /// Send a request now; returns its trace id. The trace is in [`Cluster::traces`] and may still
    /// change while its packets are on the wire (a pod dying under them).
    pub fn send(&mut self, request: Request) -> u64 {
        let id = self.new_trace_id();
        let trace = self.route(id, request);
        self.push_trace(trace);
        self.revision += 1;
        id
    }

    /// The connections the nodes' conntrack tables remember, oldest first (`conntrack -L`).
    pub fn flows(&self) -> impl Iterator<Item = &Flow> {
        self.proxy.flows.iter()
    }

    pub fn trace(&self, id: u64) -> Option<&Trace> {
        self.traces.iter().rev().find(|t| t.id == id)
    }

    pub(crate) fn push_trace(&mut self, trace: Trace) {
        self.traces.push(trace);
        // Forget the oldest in batches, so a steady stream of requests doesn't shift the list
        // on every send; their memory is freed one trace per later request, so that no single
        // request pays for freeing fifty (and the allocator sees frees as steady as its
        // allocations).
        if self.traces.len() > MAX_TRACES + MAX_TRACES / 4 {
            let extra = self.traces.len() - MAX_TRACES;
            self.proxy.evicted.0.extend(self.traces.drain(..extra));
        }
        drop(self.proxy.evicted.0.pop());
    }

    fn route(&mut self, id: u64, request: Request) -> Trace {
        let start = self.now();
        let mut journey = Journey {
            t: start,
            hop_ms: self.config().hop_ms.max(1),
            // Room for a lookup and a connection (hops are big: growing one at a time copies them
            // and makes the allocator work); trimmed to size below.
            hops: Vec::with_capacity(16),
            nodes: Vec::new(),
        };
        let (outcome, output) = match self.sender(&request.client) {
            Err(message) => (
                Outcome::Invalid {
                    message: message.clone(),
                },
                message,
            ),
            Ok(sender) => self.route_from(&sender, &request, &mut journey),
        };
        let finish = match outcome {
            Outcome::Timeout => journey.t.max(start + TCP_CONNECT_TIMEOUT),
            Outcome::DnsTimeout => journey.t.max(start + DNS_TIMEOUT),
            _ => journey.t,
        };
        journey.hops.shrink_to_fit();
        Trace {
            id,
            request,
            start,
            hops: journey.hops,
            outcome,
            output,
            finish,
        }
    }

    fn sender(&self, client: &Client) -> Result<Sender, String> {
        match client {
            Client::External => Ok(Sender {
                name: place_name(&Place::External),
                place: Place::External,
                ip: EXTERNAL_CLIENT_IP,
                node: None,
            }),
            Client::Pod(key) => {
                let pod = self.pods().get(key).ok_or_else(|| {
                    format!(
                        "Error from server (NotFound): pods \"{}\" not found",
                        key.name
                    )
                })?;
                let (Some(ip), Some(node)) = (pod.status.pod_ip, pod.spec.node_name.clone()) else {
                    return Err(format!(
                        "error: unable to upgrade connection: container not found (\"{}\")",
                        pod.spec.containers.first().map_or("", |c| c.name.as_str())
                    ));
                };
                if pod.is_terminating()
                    && pod.status.container != crate::model::ContainerState::Running
                {
                    return Err(format!("error: cannot exec into a container in a completed pod; current phase is {}", pod.status.phase.as_str()));
                }
                let place = Place::Pod(key.clone());
                Ok(Sender {
                    name: place_name(&place),
                    place,
                    ip,
                    node: Some(node),
                })
            }
        }
    }

    fn route_from(
        &mut self,
        sender: &Sender,
        request: &Request,
        j: &mut Journey,
    ) -> (Outcome, String) {
        if request.tool == Tool::Nslookup {
            return self.nslookup(sender, request.target.trim(), j);
        }
        let target = match parse_target(request.tool, &request.target) {
            Ok(t) => t,
            Err(message) => {
                return (
                    Outcome::Invalid {
                        message: message.clone(),
                    },
                    message,
                )
            }
        };
        let ip = match target.host.parse::<Ipv4Addr>() {
            Ok(ip) => ip,
            Err(_) => {
                if sender.pod().is_none() {
                    // The laptop has no cluster DNS: only IPs reach the cluster from outside.
                    let message = format!("curl: (6) Could not resolve host: {}", target.host);
                    return (
                        Outcome::Nxdomain {
                            name: target.host.clone(),
                        },
                        message,
                    );
                }
                match self.resolve(sender, &target.host, j) {
                    Ok(ip) => ip,
                    Err(outcome) => {
                        let message = match request.tool {
                            Tool::Curl => {
                                format!("curl: (6) Could not resolve host: {}", target.host)
                            }
                            _ => format!("wget: bad address '{}'", target.host),
                        };
                        return (outcome, message);
                    }
                }
            }
        };
        let started = self.now();
        self.request_phase(sender, request.tool, &target, ip, j, started)
    }
}

fn place_name(place: &Place) -> String {
    match place {
        Place::Pod(k) => format!("pod {}", k.name),
        Place::Node(n) => format!("node {n}"),
        Place::External => "the client outside the cluster".into(),
        Place::LoadBalancer(k) => format!("the load balancer of {k}"),
    }
}
