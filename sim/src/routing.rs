//! Sending requests through the world: the client's resolver, CoreDNS behind the kube-dns Service,
//! kube-proxy's rules on the node, NetworkPolicy, and the backend pod, as a hop-by-hop [`Trace`].
//!
//! A request is routed when it is sent, with the seeded RNG, so the trace is plain data from the
//! start; hops carry virtual times. The world may change under it: if the chosen backend stops
//! serving while the client is still resolving the name, the connection is decided again when
//! it would open (`Cluster::reroute_unsent`); a pod that dies before a packet reaches it turns
//! the rest of the trace into the failure its client would see (`Cluster::pod_ip_gone`).

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::{Cluster, MAX_TRACES};
use crate::kube_proxy::iptables::{RecentTable, Tables};
use crate::kube_proxy::ipvs::{Ipvs, Scheduler};
pub use crate::kube_proxy::state::{Flow, ProxyState};
use crate::kube_proxy::{EndpointInfo, NodeInfo, Origin, ProxyMode, ServicePortInfo, Verdict};
use crate::model::{ClusterIp, ObjectKey, Protocol, ServiceType};
use crate::text;
use crate::time::{Time, SECOND};
use crate::trace::{
    Client, Hop, HopVerdict, MatchedRule, Outcome, Packet, PacketKind, Place, Request, SharedStr,
    Tool, Trace, Translation,
};
use crate::{dns, netpol};

/// The learner's laptop on kind's Docker network, for NodePort and LoadBalancer requests.
pub const EXTERNAL_CLIENT_IP: Ipv4Addr = Ipv4Addr::new(172, 18, 0, 1);
/// CoreDNS's Service IP, every pod's nameserver.
pub const DNS_SERVICE_IP: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 10);
/// The kernel gives up on a SYN that is never answered after six retries (about 127 s).
pub const TCP_CONNECT_TIMEOUT: Time = 127 * SECOND;
/// A resolver waits this long for an answer before giving up on a server.
pub const DNS_TIMEOUT: Time = dns::NSLOOKUP_TIMEOUT_MS;
/// What kube-proxy on one node did with a packet.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Decision {
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

/// The parsed target of a request.
struct Target {
    host: String,
    port: u16,
}

fn parse_target(tool: Tool, target: &str) -> Result<Target, String> {
    let t = target.trim();
    let (scheme_port, rest) = if let Some(r) = t.strip_prefix("http://") {
        (80, r)
    } else if let Some(r) = t.strip_prefix("https://") {
        (443, r)
    } else if t.contains("://") {
        let scheme = t.split("://").next().unwrap_or("");
        return Err(match tool {
            Tool::Curl => format!("curl: (1) Protocol \"{scheme}\" not supported"),
            _ => format!("wget: not an http or ftp url: {t}"),
        });
    } else {
        (80, t)
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => match p.parse::<u16>() {
            Ok(p) if p > 0 => (h, p),
            _ => {
                return Err(match tool {
                    Tool::Curl => "curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535".to_string(),
                    _ => format!("wget: bad port spec '{p}'"),
                })
            }
        },
        None => (authority, scheme_port),
    };
    if host.is_empty() || host.len() > 253 {
        return Err(match tool {
            Tool::Curl => "curl: (3) URL rejected: No host part in the URL".to_string(),
            _ => format!("wget: bad address '{host}'"),
        });
    }
    Ok(Target {
        host: host.to_string(),
        port,
    })
}

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
        let id = self.next_trace_id;
        self.next_trace_id += 1;
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
        let start = self.now;
        let mut journey = Journey {
            t: start,
            hop_ms: self.config.hop_ms.max(1),
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
                let pod = self.pods.get(key).ok_or_else(|| {
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
        let started = self.now;
        self.request_phase(sender, request.tool, &target, ip, j, started)
    }

    /// The connection to `ip` (the name already resolved) and its answer, from `j.t`; `started`
    /// is when the client ran the command.
    fn request_phase(
        &mut self,
        sender: &Sender,
        tool: Tool,
        target: &Target,
        ip: Ipv4Addr,
        j: &mut Journey,
        started: Time,
    ) -> (Outcome, String) {
        let sport = self.ephemeral_port();
        let packet = Packet::new((sender.ip, sport), (ip, target.port), Protocol::Tcp);
        let delivery = self.connect(sender, packet, PacketKind::Request, j);
        let elapsed = j.t.saturating_sub(started);
        match delivery {
            Delivery::Answered { backend } => {
                let body = self.http_body(&backend);
                (Outcome::Http { pod: backend, status: 200 }, body)
            }
            Delivery::Refused => (
                Outcome::ConnectionRefused,
                match tool {
                    Tool::Curl => format!(
                        "curl: (7) Failed to connect to {} port {} after {} ms: Couldn't connect to server",
                        target.host, target.port, elapsed.max(1)
                    ),
                    _ => format!("wget: can't connect to remote host ({ip}): Connection refused"),
                },
            ),
            Delivery::Dropped => (
                Outcome::Timeout,
                match tool {
                    Tool::Curl => format!(
                        "curl: (28) Failed to connect to {} port {} after {} ms: Couldn't connect to server",
                        target.host,
                        target.port,
                        TCP_CONNECT_TIMEOUT
                    ),
                    _ => format!("wget: can't connect to remote host ({ip}): Connection timed out"),
                },
            ),
            Delivery::Unreachable => (
                Outcome::HostUnreachable,
                match tool {
                    Tool::Curl => format!(
                        "curl: (7) Failed to connect to {} port {} after {} ms: Could not connect to server",
                        target.host, target.port, elapsed.max(1)
                    ),
                    _ => format!("wget: can't connect to remote host ({ip}): No route to host"),
                },
            ),
        }
    }

    fn ephemeral_port(&mut self) -> u16 {
        32768 + self.rng.below(60999 - 32768 + 1) as u16
    }

    /// What the backend's container answers on `GET /`.
    fn http_body(&self, backend: &ObjectKey) -> String {
        let Some(pod) = self.pods.get(backend) else {
            return String::new();
        };
        let image = pod.spec.containers.first().map_or("", |c| c.image_name());
        match image {
            "nginx" => NGINX_WELCOME.to_string(),
            "http-echo" => {
                let text = pod
                    .spec
                    .containers
                    .first()
                    .and_then(|c| c.args.iter().find_map(|a| a.strip_prefix("-text=")))
                    .unwrap_or("hello-world");
                format!("{text}\n")
            }
            _ => format!(
                "Hostname: {}\nIP: 127.0.0.1\nIP: {}\n",
                pod.meta.name,
                pod.status.pod_ip.map_or(String::new(), |ip| ip.to_string())
            ),
        }
    }

    // -----------------------------------------------------------------------------------------
    // DNS

    /// CoreDNS's answer to one question, from the Services and EndpointSlices as they are now.
    fn zone_answer(&self, qname: &str, qtype: dns::QType) -> dns::Answer {
        dns::Zone::of_cluster(&self.namespaces, &self.services, &self.endpoint_slices)
            .query(qname, qtype)
    }

    /// Resolve a name from a pod as its C library does, walking the search list one query at a
    /// time; each query travels to CoreDNS through the kube-dns Service and back.
    fn resolve(
        &mut self,
        sender: &Sender,
        name: &str,
        j: &mut Journey,
    ) -> Result<Ipv4Addr, Outcome> {
        let resolution = dns::resolve_with(name, sender.namespace(), dns::QType::A, |q, t| {
            let answer = self.zone_answer(q, t);
            self.dns_round_trip(sender, answer, j)
        });
        match resolution.result {
            dns::LookupResult::Found { records, .. } => records
                .iter()
                .find_map(|r| match r.data {
                    dns::RData::A(ip) => Some(ip),
                    _ => None,
                })
                .ok_or(Outcome::Nxdomain {
                    name: name.to_string(),
                }),
            dns::LookupResult::TimedOut => Err(Outcome::DnsTimeout),
            _ => Err(Outcome::Nxdomain {
                name: name.to_string(),
            }),
        }
    }

    /// busybox `nslookup`: every query (each search domain, A and AAAA) is sent at once and the
    /// answers are printed as they come.
    fn nslookup(&mut self, sender: &Sender, name: &str, j: &mut Journey) -> (Outcome, String) {
        if sender.pod().is_none() {
            return (
                Outcome::DnsTimeout,
                ";; connection timed out; no servers could be reached\n\n".into(),
            );
        }
        if name.is_empty() {
            let message = "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n".to_string();
            return (
                Outcome::Invalid {
                    message: message.clone(),
                },
                message,
            );
        }
        let t0 = j.t;
        let mut last = t0;
        let run = dns::nslookup_with(name, sender.namespace(), None, |q, t| {
            let answer = self.zone_answer(q, t);
            j.t = t0;
            let answer = self.dns_round_trip(sender, answer, j);
            last = last.max(j.t);
            answer
        });
        j.t = last;
        let output = dns::nslookup_output(&run);
        let outcome = if run.timed_out() {
            Outcome::DnsTimeout
        } else if run.addresses().is_empty() {
            Outcome::Nxdomain {
                name: name.to_string(),
            }
        } else {
            let found = run
                .queries
                .iter()
                .find(|q| {
                    q.answer
                        .as_ref()
                        .is_some_and(|a| a.first_address().is_some())
                })
                .map_or(name.to_string(), |q| q.name.clone());
            Outcome::Resolved {
                name: found,
                addresses: run.addresses(),
            }
        };
        (outcome, output)
    }

    /// One query and its answer; `None` when no CoreDNS answers (the client times out).
    fn dns_round_trip(
        &mut self,
        sender: &Sender,
        answer: dns::Answer,
        j: &mut Journey,
    ) -> Option<dns::Answer> {
        let qname = answer.qname.as_str();
        let qtype = answer.qtype;
        let sport = self.ephemeral_port();
        let query = Packet::new((sender.ip, sport), (DNS_SERVICE_IP, 53), Protocol::Udp);
        let node = sender.node.clone().unwrap_or_default();
        let (decision, rules) = self.proxy_decide(&node, query, false);
        // `pod test asks 10.96.0.10 for NAME (A)`, then what became of the query.
        let dns_ip = text::ip(DNS_SERVICE_IP);
        let asks = [
            sender.name.as_str(),
            " asks ",
            dns_ip.as_str(),
            " for ",
            qname,
            " (",
            qtype.as_str(),
            "); ",
        ];
        let Decision::Dnat { to, .. } = decision else {
            let (verdict, why) = if decision == Decision::Reject {
                (HopVerdict::Refused, "kube-dns has no ready endpoints: kube-proxy rejects the query and the resolver waits in vain for an answer")
            } else {
                (
                    HopVerdict::Dropped,
                    "no CoreDNS pod can be reached: the query is lost",
                )
            };
            j.hop(
                sender.place.clone(),
                Place::Node(node.clone()),
                Some(&node),
                PacketKind::DnsQuery,
                query,
                None,
                rules,
                verdict,
                text::join(&[&asks, &[why]]),
            );
            return None;
        };
        let after = Packet { dst: to, ..query };
        j.hop(
            sender.place.clone(),
            Place::Node(node.clone()),
            Some(&node),
            PacketKind::DnsQuery,
            query,
            Some(Translation {
                kind: SharedStr::from_static("DNAT"),
                before: query,
                after,
            }),
            rules,
            HopVerdict::Forwarded,
            text::join(&[
                &asks,
                &[
                    "kube-proxy on ",
                    &node,
                    " rewrites the kube-dns Service IP to CoreDNS pod ",
                    text::ip(*to.ip()).as_str(),
                ],
            ]),
        );
        let Some(coredns) = self.pod_key_by_ip(*to.ip()) else {
            j.hop(
                Place::Node(node.clone()),
                Place::Node(node.clone()),
                Some(&node),
                PacketKind::DnsQuery,
                after,
                None,
                Vec::new(),
                HopVerdict::Dropped,
                format!("nothing answers at {}: the query is lost", to.ip()),
            );
            return None;
        };
        let coredns_node = self
            .pods
            .get(&coredns)
            .and_then(|p| p.spec.node_name.clone());
        if let Some((rules, why)) = self.policy_block(sender, &coredns, 53, Protocol::Udp) {
            j.hop(
                Place::Node(node.clone()),
                Place::Pod(coredns.clone()),
                coredns_node.as_deref(),
                PacketKind::DnsQuery,
                after,
                None,
                rules,
                HopVerdict::Dropped,
                why,
            );
            return None;
        }
        if self.coredns_broken {
            j.hop(
                Place::Node(node.clone()),
                Place::Pod(coredns.clone()),
                coredns_node.as_deref(),
                PacketKind::DnsQuery,
                after,
                None,
                Vec::new(),
                HopVerdict::Dropped,
                format!("CoreDNS pod {} is broken and never answers", coredns.name),
            );
            return None;
        }
        j.hop(
            Place::Node(node.clone()),
            Place::Pod(coredns.clone()),
            coredns_node.as_deref(),
            PacketKind::DnsQuery,
            after,
            None,
            vec![MatchedRule {
                node: coredns_node.clone().unwrap_or_default().into(),
                table: SharedStr::from_static("dns"),
                chain: SharedStr::from_static("kubernetes cluster.local"),
                text: answer.matched.clone(),
            }],
            HopVerdict::Delivered,
            [
                "CoreDNS pod ",
                &coredns.name,
                " answers ",
                answer.rcode.as_str(),
                ": ",
                &answer.matched,
            ]
            .concat(),
        );
        let reply = Packet {
            src: to,
            dst: query.src,
            protocol: Protocol::Udp,
        };
        let unnat = Packet {
            src: query.dst,
            ..reply
        };
        j.hop(
            Place::Pod(coredns.clone()),
            Place::Node(node.clone()),
            Some(&node),
            PacketKind::DnsAnswer,
            reply,
            Some(Translation {
                kind: SharedStr::from_static("un-DNAT"),
                before: reply,
                after: unnat,
            }),
            vec![conntrack_rule(&node, &query, &after)],
            HopVerdict::Forwarded,
            [
                "conntrack on ",
                &node,
                " restores the source to ",
                text::ip(DNS_SERVICE_IP).as_str(),
                ":53, so the answer seems to come from the address that was asked",
            ]
            .concat(),
        );
        j.hop(
            Place::Node(node.clone()),
            sender.place.clone(),
            Some(&node),
            PacketKind::DnsAnswer,
            unnat,
            None,
            Vec::new(),
            HopVerdict::Delivered,
            ["the answer reaches ", &sender.name].concat(),
        );
        Some(answer)
    }

    // -----------------------------------------------------------------------------------------
    // TCP

    /// A TCP connection attempt and, when it succeeds, the request and reply legs.
    fn connect(
        &mut self,
        sender: &Sender,
        packet: Packet,
        kind: PacketKind,
        j: &mut Journey,
    ) -> Delivery {
        let dst_ip = *packet.dst.ip();
        // Which node's stack handles the packet first: the sender's own, or the node the
        // outside client addressed (directly or through a LoadBalancer IP).
        let (entry_node, from_outside, lb) = match &sender.node {
            Some(n) => (n.clone(), false, None),
            None => match self.nodes.iter().find(|n| n.internal_ip == dst_ip) {
                Some(n) => (n.meta.name.clone(), true, None),
                None => match self.lb_service(dst_ip) {
                    Some((svc, node)) => (node, true, Some(svc)),
                    None => {
                        j.hop(
                            sender.place.clone(),
                            Place::External,
                            None,
                            kind,
                            packet,
                            None,
                            Vec::new(),
                            HopVerdict::Dropped,
                            format!("nothing on the nodes' network has the address {dst_ip}"),
                        );
                        return Delivery::Dropped;
                    }
                },
            },
        };
        let mut from = sender.place.clone();
        if let Some(svc) = &lb {
            j.hop(
                from.clone(),
                Place::LoadBalancer(svc.clone()),
                None,
                kind,
                packet,
                None,
                Vec::new(),
                HopVerdict::Forwarded,
                format!("the load balancer for {svc} receives the connection on {dst_ip}"),
            );
            from = Place::LoadBalancer(svc.clone());
        }
        // A pod talking to another node's IP: its own node passes the packet on, then that node's
        // kube-proxy sees a packet for a local address (NodePort).
        let mut node = entry_node;
        let mut outside = from_outside;
        if !outside {
            if let Some(target) = self
                .nodes
                .iter()
                .find(|n| n.internal_ip == dst_ip && n.meta.name != node)
            {
                let target = target.meta.name.clone();
                j.hop(
                    from.clone(),
                    Place::Node(node.clone()),
                    Some(&node),
                    kind,
                    packet,
                    None,
                    Vec::new(),
                    HopVerdict::Forwarded,
                    format!("{dst_ip} is node {target}: the packet is routed there"),
                );
                from = Place::Node(node.clone());
                node = target;
                outside = true;
            }
        }
        let (decision, rules) = self.proxy_decide(&node, packet, outside);
        let node_ip = self
            .node(&node)
            .map_or(Ipv4Addr::UNSPECIFIED, |n| n.internal_ip);
        match decision {
            Decision::Reject => {
                j.hop(from, Place::Node(node.clone()), Some(&node), kind, packet, None, rules, HopVerdict::Refused, format!("{dst_ip}:{} has no endpoints: kube-proxy on {node} rejects the connection (ICMP port unreachable)", packet.dst.port()));
                Delivery::Refused
            }
            Decision::Drop => {
                j.hop(from, Place::Node(node.clone()), Some(&node), kind, packet, None, rules, HopVerdict::Dropped, format!("kube-proxy on {node} drops the packet: the Service has no local endpoint on this node (traffic policy Local)"));
                Delivery::Dropped
            }
            Decision::Pass => {
                let Some(dest) = self.pod_key_by_ip(dst_ip) else {
                    let why = if crate::ipam::service_ip_allocator().contains(u32::from(dst_ip)) {
                        format!(
                            "no Service has the IP {dst_ip}: no rule matches and nothing answers"
                        )
                    } else {
                        format!("nothing in the cluster has the address {dst_ip}")
                    };
                    j.hop(
                        from,
                        Place::Node(node.clone()),
                        Some(&node),
                        kind,
                        packet,
                        None,
                        rules,
                        HopVerdict::Dropped,
                        why,
                    );
                    return Delivery::Dropped;
                };
                j.hop(
                    from,
                    Place::Node(node.clone()),
                    Some(&node),
                    kind,
                    packet,
                    None,
                    rules,
                    HopVerdict::Forwarded,
                    format!("no kube-proxy rule matches {dst_ip}: a pod IP is routed as it is"),
                );
                self.deliver(sender, &node, packet, packet, dest, j)
            }
            Decision::Dnat { to, masquerade } => {
                let mut after = Packet { dst: to, ..packet };
                if masquerade {
                    let port = self.ephemeral_port();
                    after.src = SocketAddrV4::new(node_ip, port);
                }
                let what = if masquerade {
                    ["kube-proxy on ", &node, " rewrites the destination to ", text::sock(to).as_str(), " and, because the traffic came from outside the pod network or loops back, masquerades the source as the node's IP ", text::ip(node_ip).as_str()].concat()
                } else {
                    [
                        "kube-proxy on ",
                        &node,
                        " rewrites the destination ",
                        text::sock(packet.dst).as_str(),
                        " to the endpoint ",
                        text::sock(to).as_str(),
                    ]
                    .concat()
                };
                j.hop(
                    from,
                    Place::Node(node.clone()),
                    Some(&node),
                    kind,
                    packet,
                    Some(Translation {
                        kind: SharedStr::from_static(if masquerade { "DNAT+SNAT" } else { "DNAT" }),
                        before: packet,
                        after,
                    }),
                    rules,
                    HopVerdict::Forwarded,
                    what,
                );
                let Some(dest) = self.pod_key_by_ip(*to.ip()) else {
                    j.hop(
                        Place::Node(node.clone()),
                        Place::Node(node.clone()),
                        Some(&node),
                        kind,
                        after,
                        None,
                        Vec::new(),
                        HopVerdict::Dropped,
                        format!("no pod has the IP {} any more: the packet is lost", to.ip()),
                    );
                    return Delivery::Unreachable;
                };
                self.deliver(sender, &node, packet, after, dest, j)
            }
        }
    }

    /// The last leg to the backend pod, NetworkPolicy, the listening check, and the reply.
    fn deliver(
        &mut self,
        sender: &Sender,
        node: &str,
        original: Packet,
        after: Packet,
        dest: ObjectKey,
        j: &mut Journey,
    ) -> Delivery {
        let (dest_node, listening) = match self.pods.get(&dest) {
            Some(p) => (
                p.spec.node_name.clone(),
                p.status.container == crate::model::ContainerState::Running
                    && p.listens_on(after.dst.port() as i64, after.protocol),
            ),
            None => (None, false),
        };
        let crossing = match &dest_node {
            Some(n) if n != node => [" (across the pod network to ", n, ")"].concat(),
            _ => String::new(),
        };
        if let Some((rules, why)) =
            self.policy_block(sender, &dest, after.dst.port(), after.protocol)
        {
            j.hop(
                Place::Node(node.to_string()),
                Place::Pod(dest.clone()),
                dest_node.as_deref(),
                PacketKind::Request,
                after,
                None,
                rules,
                HopVerdict::Dropped,
                why,
            );
            return Delivery::Dropped;
        }
        if !listening {
            j.hop(
                Place::Node(node.to_string()),
                Place::Pod(dest.clone()),
                dest_node.as_deref(),
                PacketKind::Request,
                after,
                None,
                Vec::new(),
                HopVerdict::Refused,
                format!(
                    "pod {} has nothing listening on port {}: it answers with a TCP reset",
                    dest.name,
                    after.dst.port()
                ),
            );
            return Delivery::Refused;
        }
        j.hop(
            Place::Node(node.to_string()),
            Place::Pod(dest.clone()),
            dest_node.as_deref(),
            PacketKind::Request,
            after,
            None,
            Vec::new(),
            HopVerdict::Delivered,
            [
                "the request reaches pod ",
                &dest.name,
                " at ",
                text::sock(after.dst).as_str(),
                &crossing,
            ]
            .concat(),
        );
        let reply = Packet {
            src: after.dst,
            dst: after.src,
            protocol: after.protocol,
        };
        let restored = Packet {
            src: original.dst,
            dst: original.src,
            protocol: original.protocol,
        };
        let translated = reply != restored;
        j.hop(
            Place::Pod(dest.clone()),
            Place::Node(node.to_string()),
            Some(node),
            PacketKind::Reply,
            reply,
            translated.then(|| Translation {
                kind: SharedStr::from_static("un-DNAT"),
                before: reply,
                after: restored,
            }),
            if translated {
                vec![conntrack_rule(node, &original, &after)]
            } else {
                Vec::new()
            },
            HopVerdict::Forwarded,
            if translated {
                [
                    "the reply goes back through ",
                    node,
                    ", where conntrack rewrites it to come from ",
                    text::sock(original.dst).as_str(),
                ]
                .concat()
            } else {
                ["the reply goes back through ", node].concat()
            },
        );
        j.hop(
            Place::Node(node.to_string()),
            sender.place.clone(),
            Some(node),
            PacketKind::Reply,
            restored,
            None,
            Vec::new(),
            HopVerdict::Delivered,
            ["the reply reaches ", &sender.name].concat(),
        );
        self.track(node, original, reply);
        Delivery::Answered { backend: dest }
    }

    fn track(&mut self, node: &str, original: Packet, reply: Packet) {
        self.proxy.track(Flow {
            node: node.to_string(),
            protocol: original.protocol,
            original,
            reply,
            time: self.now,
        });
    }

    /// The LoadBalancer Service owning `ip`, and the node its traffic enters (the node that
    /// announces the IP: with a Local policy, one that has an endpoint).
    fn lb_service(&self, ip: Ipv4Addr) -> Option<(ObjectKey, String)> {
        let svc = self.services.values().find(|s| {
            s.spec.type_ == ServiceType::LoadBalancer && s.status.load_balancer_ip == Some(ip)
        })?;
        let local_nodes: Vec<String> = self
            .service_slices(&svc.key())
            .iter()
            .flat_map(|s| s.endpoints.iter())
            .filter(|e| e.ready)
            .map(|e| e.node.clone())
            .collect();
        let workers: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| !n.control_plane)
            .map(|n| n.meta.name.as_str())
            .filter(|n| {
                svc.spec.external_traffic_policy == crate::model::TrafficPolicy::Cluster
                    || local_nodes.iter().any(|l| l == n)
            })
            .collect();
        let pick = workers
            .first()
            .copied()
            .or_else(|| self.nodes.first().map(|n| n.meta.name.as_str()))?;
        Some((svc.key(), pick.to_string()))
    }

    // -----------------------------------------------------------------------------------------
    // NetworkPolicy

    /// `Some((rules, explanation))` when a NetworkPolicy drops a connection from the sender to `dest`.
    fn policy_block(
        &self,
        sender: &Sender,
        dest: &ObjectKey,
        port: u16,
        protocol: Protocol,
    ) -> Option<(Vec<MatchedRule>, String)> {
        if self.network_policies.is_empty() {
            return None;
        }
        let dest_pod = self.pods.get(dest)?;
        let from = match sender.pod().and_then(|k| self.pods.get(k)) {
            Some(p) => netpol::Party::Pod(p),
            None => netpol::Party::Outside(sender.ip),
        };
        let conn = netpol::Connection {
            from,
            to: netpol::Party::Pod(dest_pod),
            port: port as i64,
            protocol,
        };
        let decision = netpol::evaluate(
            self.network_policies.values(),
            self.namespaces.values(),
            &conn,
        );
        if decision.allowed() {
            return None;
        }
        let why = netpol::explain(&conn, &decision);
        let node = dest_pod.spec.node_name.clone().unwrap_or_default();
        Some((
            vec![MatchedRule {
                node: node.into(),
                table: SharedStr::from_static("netpol"),
                chain: SharedStr::from_static("NetworkPolicy"),
                text: why.clone(),
            }],
            why,
        ))
    }

    // -----------------------------------------------------------------------------------------
    // kube-proxy

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
        match self.proxy_mode {
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
        match self.proxy_mode {
            ProxyMode::Iptables => self.proxy.iptables.get(node).map(|(_, t)| t),
            ProxyMode::Ipvs => self.proxy.ipvs.get(node).map(|(_, i)| i.tables()),
        }
    }

    /// A node's IPVS table; `None` in iptables mode.
    pub fn ipvs(&mut self, node: &str) -> Option<&Ipvs> {
        if self.proxy_mode != ProxyMode::Ipvs {
            return None;
        }
        self.sync_proxier(node)?;
        self.proxy.ipvs.get(node).map(|(_, i)| i)
    }

    /// What kube-proxy on `node` does with the first packet of a connection.
    fn proxy_decide(
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
        let now = self.now;
        let walk = match self.proxy_mode {
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
    fn pod_key_by_ip(&mut self, ip: Ipv4Addr) -> Option<ObjectKey> {
        if let Some(key) = self.proxy.pod_ips.0.get(&ip) {
            let still = self
                .pods
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

    /// Requests whose connection has not been opened yet (the client is still resolving the
    /// name) and whose backend has since stopped serving (deleted, gone not ready) open it
    /// again from the same moment with the Service's endpoints as they are now, as kube-proxy
    /// only picks a backend when the connection's first packet passes through it.
    /// Called when the endpoints change, the only way a backend stops being kube-proxy's to pick.
    pub(crate) fn reroute_unsent(&mut self) {
        let now = self.now;
        let stale: Vec<usize> = (0..self.traces.len())
            .filter(|&i| {
                let t = &self.traces[i];
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
                        .pods
                        .get(pod)
                        .is_some_and(|p| p.status.ready && !p.is_terminating())
            })
            .collect();
        for i in stale {
            self.reroute(i);
        }
    }

    fn reroute(&mut self, i: usize) {
        let trace = &self.traces[i];
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
        let (Ok(sender), Ok(target)) = (
            self.sender(&request.client),
            parse_target(request.tool, &request.target),
        ) else {
            return;
        };
        // The connection that will not happen leaves no conntrack entry behind.
        self.proxy.flows.retain(|f| f.original != sent);
        let mut hops = std::mem::take(&mut self.traces[i].hops);
        hops.truncate(first);
        let mut j = Journey {
            t: opened,
            hop_ms: self.config.hop_ms.max(1),
            hops,
            nodes: Vec::new(),
        };
        let (outcome, output) = self.request_phase(
            &sender,
            request.tool,
            &target,
            *sent.dst.ip(),
            &mut j,
            started,
        );
        let finish = match outcome {
            Outcome::Timeout => j.t.max(started + TCP_CONNECT_TIMEOUT),
            _ => j.t,
        };
        let trace = &mut self.traces[i];
        trace.hops = j.hops;
        trace.outcome = outcome;
        trace.output = output;
        trace.finish = finish;
    }

    /// A pod's IP is gone: packets still on their way to it are lost.
    pub(crate) fn pod_ip_gone(&mut self, ip: Ipv4Addr) {
        let now = self.now;
        for trace in &mut self.traces {
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
            hop.explanation = format!("the pod at {ip} is gone before the packet arrives: nobody answers for that address");
            let end = hop.end;
            trace.outcome = Outcome::HostUnreachable;
            let shown = trace
                .hops
                .iter()
                .find(|h| h.kind == PacketKind::Request)
                .map_or(ip, |h| *h.packet.dst.ip());
            trace.output = match (trace.request.tool, parse_target(trace.request.tool, &trace.request.target)) {
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
}

fn place_name(place: &Place) -> String {
    match place {
        Place::Pod(k) => format!("pod {}", k.name),
        Place::Node(n) => format!("node {n}"),
        Place::External => "the client outside the cluster".into(),
        Place::LoadBalancer(k) => format!("the load balancer of {k}"),
    }
}

/// `tcp src=... dst=... sport=... dport=...`, then the reply direction, as `conntrack -L` shows a
/// connection: spelled into one buffer (every connection has one or two of these).
fn conntrack_text(original: &Packet, after: &Packet) -> String {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(original.protocol.lower().as_bytes());
    for (label, value) in [
        (" src=", text::ip(*original.src.ip())),
        (" dst=", text::ip(*original.dst.ip())),
        (" sport=", text::num(original.src.port())),
        (" dport=", text::num(original.dst.port())),
        (" src=", text::ip(*after.dst.ip())),
        (" dst=", text::ip(*after.src.ip())),
        (" sport=", text::num(after.dst.port())),
        (" dport=", text::num(after.src.port())),
    ] {
        out.extend_from_slice(label.as_bytes());
        out.extend_from_slice(value.as_bytes());
    }
    String::from_utf8(out).unwrap_or_default()
}

fn conntrack_rule(node: &str, original: &Packet, after: &Packet) -> MatchedRule {
    MatchedRule {
        node: node.into(),
        table: SharedStr::from_static("conntrack"),
        chain: SharedStr::from_static("conntrack"),
        text: conntrack_text(original, after),
    }
}

const NGINX_WELCOME: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conntrack_text_is_the_formatted_line() {
        let original = Packet::new(
            (Ipv4Addr::new(10, 244, 1, 7), 40123),
            (Ipv4Addr::new(10, 96, 0, 10), 53),
            Protocol::Udp,
        );
        let after = Packet::new(
            (Ipv4Addr::new(172, 18, 0, 3), 0),
            (Ipv4Addr::new(10, 244, 0, 255), 65535),
            Protocol::Udp,
        );
        assert_eq!(
            conntrack_text(&original, &after),
            format!(
                "{} src={} dst={} sport={} dport={} src={} dst={} sport={} dport={}",
                original.protocol.lower(),
                original.src.ip(),
                original.dst.ip(),
                original.src.port(),
                original.dst.port(),
                after.dst.ip(),
                after.src.ip(),
                after.dst.port(),
                after.src.port()
            )
        );
    }
}
