//! Sending requests through the world: the client's resolver, CoreDNS behind the kube-dns Service,
//! kube-proxy's rules on the node, NetworkPolicy, and the backend pod, as a hop-by-hop [`Trace`].
//!
//! A request is routed when it is sent, with the seeded RNG, so the trace is plain data from the
//! start; hops carry virtual times. The world may change under it: if the chosen backend stops
//! serving while the client is still resolving the name, the connection is decided again when
//! it would open ([`Router::reroute_unsent`]); a pod that dies before a packet reaches it turns
//! the rest of the trace into the failure its client would see ([`pod_ip_gone`]).
//!
//! This module holds the [`Router`], routing's hold on the world for a request, the sender and
//! the trace being built; [`World`] (in `world`) is the read-only view of the objects it reads.
//! The steps, in the order a request takes them:
//! - `request`: the target parsed, then (after the lookup) the connection made, and what the
//!   client prints;
//! - `lookup`: the name resolved through CoreDNS (and busybox `nslookup`);
//! - `connect`: through the sender's node and kube-proxy's rules, with conntrack;
//! - `proxy`: each node's proxier synced and walked;
//! - `deliver`: NetworkPolicy, the backend pod, and the reply;
//! - `reroute`: requests in flight when endpoints change or a pod goes away.
//!
//! The dependency is one-way: routing knows nothing of the cluster. The cluster lends a
//! [`Router`] its objects (as a [`World`]), kube-proxy's [`ProxyState`] and its RNG, and keeps
//! the [`Trace`]s routing returns or changes.

use std::net::Ipv4Addr;

use crate::dns;
pub use crate::kube_proxy::state::{Flow, ProxyState};
use crate::model::ObjectKey;
use crate::rng::Rng;
use crate::time::{Time, SECOND};
use crate::trace::{
    Client, DnsLookup, DnsReply, Hop, HopDetail, HopVerdict, MatchedRule, Outcome, Packet,
    PacketKind, Place, Request, SharedStr, Tool, Trace, Translation,
};

mod connect;
mod deliver;
mod lookup;
mod proxy;
mod request;
mod reroute;
mod world;

use request::{parse_nc_target, parse_target};
pub use reroute::pod_ip_gone;
pub use world::World;

/// The learner's laptop on kind's Docker network, for NodePort and LoadBalancer requests.
pub const EXTERNAL_CLIENT_IP: Ipv4Addr = Ipv4Addr::new(172, 18, 0, 1);

/// CoreDNS's Service IP, every pod's nameserver.
pub const DNS_SERVICE_IP: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 10);

/// The kernel gives up on a SYN that is never answered after six retries (about 127 s).
pub const TCP_CONNECT_TIMEOUT: Time = 127 * SECOND;

/// busybox `nc -w1` with its stdin at an end stops after two `-w` periods without an answer
/// (`readwrite`'s `netretry`).
pub const NC_SILENCE: Time = 2 * SECOND;

/// A resolver waits this long for an answer before giving up on a server.
pub const DNS_TIMEOUT: Time = dns::NSLOOKUP_TIMEOUT_MS;

/// A request being built: the clock of its next hop and the hops so far.
struct Journey {
    t: Time,
    hop_ms: Time,
    hops: Vec<Hop>,
    /// The node names its hops carry, each spelled once.
    nodes: Vec<SharedStr>,
    /// The name lookup under way, copied onto each of its hops.
    lookup: Option<DnsLookup>,
    /// A UDP request's datagram, for the server that gets it; the server's answer, once one
    /// has come back.
    datagram: Option<String>,
    answer: Option<String>,
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
        let dns = match kind {
            PacketKind::DnsQuery | PacketKind::DnsAnswer => self.lookup.clone(),
            PacketKind::Request | PacketKind::Reply => None,
        };
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
            detail: HopDetail {
                dns,
                ..HopDetail::default()
            },
        });
    }

    /// The typed details of the hop just added.
    fn detail(&mut self) -> Option<&mut HopDetail> {
        self.hops.last_mut().map(|h| &mut h.detail)
    }

    /// The answer to the lookup's latest question, shown on the hops from now on.
    fn answered(&mut self, reply: DnsReply) {
        if let Some(attempt) = self.lookup.as_mut().and_then(|l| l.attempts.last_mut()) {
            attempt.answer = reply;
        }
    }
}

/// Where a connection attempt ended up.
enum Delivery {
    /// The reply is back at the client.
    Answered {
        backend: ObjectKey,
    },
    /// A UDP datagram reached `backend`, whose server sent nothing back.
    Unanswered {
        backend: ObjectKey,
    },
    Refused,
    Dropped,
    /// Nothing at that address answers (no pod, no node).
    Unreachable,
}

/// Who is sending: a pod, a node, or the laptop outside.
struct Sender {
    place: Place,
    /// How explanations name it (`pod test`).
    name: String,
    ip: Ipv4Addr,
    /// The node whose stack the packet enters first (a pod's, or the sending node itself);
    /// `None` for the outside client.
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

/// Routing's hold on the world for one request (or one batch of re-decided ones): the objects it
/// reads, and the state a packet changes on its way, kube-proxy's ([`ProxyState`]) and the seeded
/// RNG's. The cluster lends it both and keeps what it returns.
pub struct Router<'a> {
    pub world: World<'a>,
    pub proxy: &'a mut ProxyState,
    pub rng: &'a mut Rng,
}

impl Router<'_> {
    /// Route a request sent now, as trace `id`: every hop until it ends, and what the client
    /// prints.
    pub fn route(&mut self, id: u64, request: Request) -> Trace {
        let start = self.world.now;
        let mut journey = Journey {
            t: start,
            hop_ms: self.world.hop_ms.max(1),
            // Room for a lookup and a connection (hops are big: growing one at a time copies them
            // and makes the allocator work); trimmed to size below.
            hops: Vec::with_capacity(16),
            nodes: Vec::new(),
            lookup: None,
            datagram: None,
            answer: None,
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
        let finish = finish_time(request.tool, &outcome, start, journey.t);
        // The kept list is a fresh allocation of its own size and the room above is freed
        // whole: shrinking it in place kept each trace (the world keeps 200) inside the 6 kB
        // block it was built in, with the freed rest beside it, and over an hour of steady
        // traffic those fragments made the wasm memory grow by a tenth.
        let hops: Vec<Hop> = journey.hops.drain(..).collect();
        Trace {
            id,
            request,
            start,
            hops,
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
            Client::Node(name) => {
                let node = self.world.node(name).ok_or_else(|| {
                    format!("Error response from daemon: No such container: {name}")
                })?;
                let place = Place::Node(name.clone());
                Ok(Sender {
                    name: place_name(&place),
                    place,
                    ip: node.internal_ip,
                    node: Some(name.clone()),
                })
            }
            Client::Pod(key) => {
                let pod = self.world.pods.get(key).ok_or_else(|| {
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
        let parsed = match request.tool {
            Tool::NcUdp => parse_nc_target(&request.target),
            tool => parse_target(tool, &request.target),
        };
        let target = match parsed {
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
                    // The laptop and the nodes (whose resolver is Docker's) have no cluster DNS:
                    // only IPs reach the Services from there.
                    let message = match request.tool {
                        Tool::Curl => format!("curl: (6) Could not resolve host: {}", target.host),
                        Tool::NcUdp => format!("nc: bad address '{}'", target.host),
                        _ => format!("wget: bad address '{}'", target.host),
                    };
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
                            Tool::NcUdp => format!("nc: bad address '{}'", target.host),
                            _ => format!("wget: bad address '{}'", target.host),
                        };
                        return (outcome, message);
                    }
                }
            }
        };
        if request.tool == Tool::NcUdp {
            return self.datagram_phase(sender, &target, ip, &request.payload, j);
        }
        let started = self.world.now;
        self.request_phase(sender, request.tool, &target, ip, j, started)
    }
}

/// When a client started at `start` prints its result, its last packet having arrived at
/// `last`: at once, or when it gives up waiting.
fn finish_time(tool: Tool, outcome: &Outcome, start: Time, last: Time) -> Time {
    let waited = match outcome {
        // nc -w1 gives up two seconds after the last datagram (two select timeouts).
        Outcome::Timeout
        | Outcome::Datagram {
            answered: false, ..
        } if tool == Tool::NcUdp => NC_SILENCE,
        Outcome::Timeout => TCP_CONNECT_TIMEOUT,
        Outcome::DnsTimeout => DNS_TIMEOUT,
        _ => 0,
    };
    last.max(start + waited)
}

fn place_name(place: &Place) -> String {
    match place {
        Place::Pod(k) => format!("pod {}", k.name),
        Place::Node(n) => format!("node {n}"),
        Place::External => "the client outside the cluster".into(),
        Place::LoadBalancer(k) => format!("the load balancer of {k}"),
    }
}
