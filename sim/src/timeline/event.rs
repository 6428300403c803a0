//! One line of the event list: its number, its virtual time, where it happened and what, in
//! the words the picture and the inspector use (DNS query, DNS answer, request, reply, DNAT,
//! SNAT, dropped, refused); and the filter by protocol and object.

use std::fmt;
use std::net::Ipv4Addr;

use crate::action::Action;
use crate::model::{ObjectKey, Protocol};
use crate::time::Time;
use crate::trace::{Client, HopVerdict, Packet, PacketKind, Request, Translation};

/// Where an event happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Where {
    /// A pod (the client, a backend).
    Pod(ObjectKey),
    /// A CoreDNS pod.
    CoreDns(ObjectKey),
    /// A node's network stack, where kube-proxy's rules act.
    KubeProxy(String),
    /// A node that sent a request itself (`docker exec kind-worker curl ...`).
    Node(String),
    /// The kubelet on a node.
    Kubelet(String),
    /// The API server and its controllers (`default-scheduler`, `replicaset-controller`,
    /// `endpointslice-controller`, ...), by the source name Events carry.
    ControlPlane(String),
    /// The client outside the cluster.
    Outside,
    /// A LoadBalancer's external IP.
    LoadBalancer(ObjectKey),
    /// The learner (kubectl, the toolbar).
    Learner,
}

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Where::Pod(k) => write!(f, "pod {}", k.name),
            Where::CoreDns(k) => write!(f, "CoreDNS {}", k.name),
            Where::KubeProxy(node) => write!(f, "kube-proxy on {node}"),
            Where::Node(node) => write!(f, "node {node}"),
            Where::Kubelet(node) => write!(f, "kubelet on {node}"),
            Where::ControlPlane(source) => f.write_str(source),
            Where::Outside => f.write_str("client outside the cluster"),
            Where::LoadBalancer(k) => write!(f, "load balancer of {}", k.name),
            Where::Learner => f.write_str("you"),
        }
    }
}

/// A packet event's side of a hop: the packet leaving `from`, or arriving at `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Leaves,
    Arrives,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum What {
    /// A packet of trace `trace` leaves or arrives on hop `hop` (0-based, as in
    /// [`crate::trace::Trace::hops`]).
    Packet {
        trace: u64,
        hop: usize,
        edge: Edge,
        kind: PacketKind,
        packet: Packet,
        /// The rewrite done on arrival, if any.
        translation: Option<Translation>,
        verdict: HopVerdict,
    },
    /// A Kubernetes Event, as `kubectl get events` lists it.
    Kube {
        /// `pod/backend-5d9c8b7f6-x2x9z`.
        object: String,
        reason: String,
        message: String,
        warning: bool,
    },
    /// The endpoint-slice controller added a ready endpoint to a Service, or removed one.
    Endpoint {
        service: ObjectKey,
        ip: Ipv4Addr,
        added: bool,
    },
    /// A learner's action, from [`crate::cluster::Cluster::log`].
    Action(Action),
}

/// One event of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// 1-based and stable: the same scenario numbers its events the same.
    pub number: usize,
    pub time: Time,
    pub at: Where,
    pub what: What,
}

/// The protocols the list filters by. DNS is its own choice (its packets are UDP too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolFilter {
    Dns,
    Tcp,
    Udp,
}

impl ProtocolFilter {
    pub const ALL: [ProtocolFilter; 3] = [
        ProtocolFilter::Dns,
        ProtocolFilter::Tcp,
        ProtocolFilter::Udp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolFilter::Dns => "DNS",
            ProtocolFilter::Tcp => "TCP",
            ProtocolFilter::Udp => "UDP",
        }
    }

    pub fn parse(s: &str) -> Option<ProtocolFilter> {
        ProtocolFilter::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Which events the list shows: all of one protocol (packets only), those naming an object, or
/// both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub protocol: Option<ProtocolFilter>,
    /// Part of a name (pod, node, Service, IP), case-insensitive; empty shows all.
    pub object: String,
}

impl Filter {
    pub fn matches(&self, e: &Event) -> bool {
        if let Some(p) = self.protocol {
            let What::Packet { kind, packet, .. } = &e.what else {
                return false;
            };
            let ok = match p {
                ProtocolFilter::Dns => matches!(kind, PacketKind::DnsQuery | PacketKind::DnsAnswer),
                ProtocolFilter::Tcp => packet.protocol == Protocol::Tcp,
                ProtocolFilter::Udp => packet.protocol == Protocol::Udp,
            };
            if !ok {
                return false;
            }
        }
        let object = self.object.trim().to_lowercase();
        object.is_empty()
            || e.at.to_string().to_lowercase().contains(&object)
            || e.summary().to_lowercase().contains(&object)
    }
}

/// A packet kind as the picture labels it.
pub fn kind_label(kind: PacketKind, protocol: Protocol) -> &'static str {
    match (kind, protocol) {
        (PacketKind::DnsQuery, _) => "DNS query",
        (PacketKind::DnsAnswer, _) => "DNS answer",
        (PacketKind::Request, Protocol::Tcp) => "request (SYN)",
        (PacketKind::Request, _) => "request",
        (PacketKind::Reply, _) => "reply",
    }
}

impl Event {
    /// The trace and hop of a packet event.
    pub fn hop(&self) -> Option<(u64, usize)> {
        match self.what {
            What::Packet { trace, hop, .. } => Some((trace, hop)),
            _ => None,
        }
    }

    /// What happened, in one line: `request (SYN): DNAT 10.96.23.157:80 → 10.244.1.2:80`.
    pub fn summary(&self) -> String {
        match &self.what {
            What::Packet {
                edge,
                kind,
                packet,
                translation,
                verdict,
                ..
            } => {
                let kind = kind_label(*kind, packet.protocol);
                match (edge, translation, verdict) {
                    (Edge::Leaves, _, _) => format!("{kind} sent {} → {}", packet.src, packet.dst),
                    (Edge::Arrives, Some(t), _) => {
                        let (before, after) = if t.before.dst != t.after.dst {
                            (t.before.dst, t.after.dst)
                        } else {
                            (t.before.src, t.after.src)
                        };
                        let end = match verdict {
                            HopVerdict::Dropped => ", dropped",
                            HopVerdict::Refused => ", refused",
                            _ => "",
                        };
                        format!("{kind}: {} {before} → {after}{end}", t.kind)
                    }
                    (Edge::Arrives, None, HopVerdict::Delivered) => {
                        format!("{kind} delivered to {}", packet.dst)
                    }
                    (Edge::Arrives, None, HopVerdict::Forwarded) => {
                        format!("{kind} to {} passes", packet.dst)
                    }
                    (Edge::Arrives, None, HopVerdict::Dropped) => {
                        format!("{kind} to {} dropped", packet.dst)
                    }
                    (Edge::Arrives, None, HopVerdict::Refused) => {
                        format!("{kind} to {} refused", packet.dst)
                    }
                }
            }
            What::Kube {
                object,
                reason,
                message,
                ..
            } => format!("{reason} {object}: {message}"),
            What::Endpoint { service, ip, added } => {
                if *added {
                    format!("endpoint {ip} added to {}", service.name)
                } else {
                    format!("endpoint {ip} removed from {}", service.name)
                }
            }
            What::Action(a) => action_summary(a),
        }
    }

    /// A failure a learner should notice: a dropped or refused packet, a warning Event.
    pub fn is_failure(&self) -> bool {
        match &self.what {
            What::Packet { verdict, edge, .. } => {
                *edge == Edge::Arrives
                    && matches!(verdict, HopVerdict::Dropped | HopVerdict::Refused)
            }
            What::Kube { warning, .. } => *warning,
            _ => false,
        }
    }
}

/// A learner's action as the command that does it.
fn action_summary(a: &Action) -> String {
    match a {
        Action::Apply { .. } | Action::ApplyEach { .. } => "kubectl apply -f manifest".into(),
        Action::Delete {
            kind,
            namespace,
            name,
        } => format!("kubectl delete {} {name} -n {namespace}", kind.singular()),
        Action::Scale {
            namespace,
            deployment,
            replicas,
        } => format!("kubectl scale deployment {deployment} --replicas={replicas} -n {namespace}"),
        Action::SetImage {
            deployment, images, ..
        } => {
            let images: Vec<String> = images.iter().map(|(c, i)| format!("{c}={i}")).collect();
            format!(
                "kubectl set image deployment/{deployment} {}",
                images.join(" ")
            )
        }
        Action::RolloutUndo { deployment, .. } => {
            format!("kubectl rollout undo deployment/{deployment}")
        }
        Action::DeletePod { namespace, pod } => format!("kubectl delete pod {pod} -n {namespace}"),
        Action::FailReadiness { pod, fail, .. } => {
            if *fail {
                format!("make pod {pod} fail its readiness probe")
            } else {
                format!("let pod {pod} pass its readiness probe")
            }
        }
        Action::Label {
            pod, key, value, ..
        } => match value {
            Some(v) => format!("kubectl label pod {pod} {key}={v}"),
            None => format!("kubectl label pod {pod} {key}-"),
        },
        Action::BreakCoreDns { broken } => {
            if *broken {
                "break CoreDNS".into()
            } else {
                "restore CoreDNS".into()
            }
        }
        Action::SetProxyMode { mode } => format!("kube-proxy mode {mode:?}").to_lowercase(),
        Action::Run { name, image, .. } => {
            format!("kubectl run {name} --image={image} --restart=Never")
        }
        Action::Send { request } => request_text(request),
        Action::SetTraffic {
            traffic: Some(traffic),
        } => format!(
            "steady traffic every {} ms: {}",
            traffic.interval,
            request_text(&traffic.request)
        ),
        Action::SetTraffic { traffic: None } => "stop steady traffic".into(),
    }
}

/// A request as the event list names it: `wget -qO- http://web from pod test`.
fn request_text(request: &Request) -> String {
    let tool = request.tool.program();
    let from = match &request.client {
        Client::Pod(k) => format!("pod {}", k.name),
        Client::Node(n) => format!("node {n}"),
        Client::External => "outside the cluster".into(),
    };
    format!("{tool} {} from {from}", request.target)
}
