//! Why a request failed: one [`Diagnosis`] per failed [`Trace`], naming the cause, the object to
//! change (and the manifest field, where one decides it) and what to change, with the evidence a
//! learner would gather with kubectl (the selector against the pods' labels, the search list
//! tried, the policy that isolates the pod).
//!
//! The diagnosis reads the trace's typed hop details (the NetworkPolicy decision, the DNS lookup)
//! and the cluster as it is now: the same checks the troubleshooting table of a Services lesson
//! walks through (`kubectl get endpoints`, labels against the selector, `kubectl describe pod`,
//! CoreDNS, `kubectl get netpol`).
//! - `dns`: names that did not resolve, and resolvers that got no answer;
//! - `service`: connections refused or dropped between kube-proxy and the backend pod;
//! - `nearest`: the closest names and label sets, for "did you mean".

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::Cluster;
use crate::model::{Labels, ObjectKey, Protocol};
use crate::netpol;
use crate::resource::Kind;
use crate::time::Time;
use crate::trace::{Client, HopVerdict, Outcome, Trace};

mod dns;
mod nearest;
mod service;

pub use nearest::edit_distance;

/// What to do about a failed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    pub cause: Cause,
    /// The object to change, when one is to blame.
    pub culprit: Option<Culprit>,
    /// One line: what went wrong.
    pub summary: String,
    /// One sentence: what to change.
    pub fix: String,
    /// What shows it, as (label, value) rows: `selector` / `app=backnd`,
    /// `pod backend-7bc85fd6c5-9nqtx` / `app=backend`, `tried` / `backend.default.svc.cluster.local`.
    pub evidence: Vec<(String, String)>,
}

/// An object to change, and the manifest field that decides the failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Culprit {
    pub kind: Kind,
    pub key: ObjectKey,
    /// The field's path in the object's manifest (`spec.selector`, `spec.ports[0].targetPort`).
    pub field: Option<String>,
}

/// Why a request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The Service's selector matches no pod, so it has no endpoints: kube-proxy rejects.
    SelectorMatchesNoPod {
        service: ObjectKey,
        selector: Labels,
        /// The pods whose labels come closest, one per distinct label set.
        nearest: Vec<(ObjectKey, Labels)>,
    },
    /// The connection reached a pod, but nothing listens on the port: a TCP reset.
    TargetPortNotListening {
        service: Option<ObjectKey>,
        pod: ObjectKey,
        port: u16,
        protocol: Protocol,
        /// The ports the pod's containers declare.
        declared: Vec<i64>,
    },
    /// Pods match the selector but none is ready: the Service has no ready endpoints.
    PodsNotReady {
        service: ObjectKey,
        pods: Vec<NotReady>,
    },
    /// CoreDNS's Deployment has no replicas: kube-dns has no endpoints.
    CoreDnsScaledToZero,
    /// CoreDNS runs but does not answer (its readiness probe fails).
    CoreDnsBroken,
    /// No Service of that name where the resolver looked.
    Nxdomain {
        question: String,
        /// Each name the resolver asked for, in order.
        tried: Vec<String>,
        /// The Service the learner most likely meant.
        nearest: Option<ObjectKey>,
        /// `nearest` has exactly the name asked, in another namespace.
        wrong_namespace: bool,
    },
    /// A NetworkPolicy isolates one end and none of its rules allows the connection.
    NetworkPolicyDenied {
        /// The isolated pod.
        pod: ObjectKey,
        direction: netpol::Direction,
        policies: Vec<ObjectKey>,
        /// The other end, as the policy sees it (an IP or `pod ns/name`).
        peer: String,
    },
    /// `externalTrafficPolicy: Local` and the node that got the packet runs no ready endpoint.
    NoLocalEndpoint {
        service: ObjectKey,
        node: String,
        /// The nodes that do run one.
        nodes_with_endpoints: Vec<String>,
    },
    /// The pod the connection was sent to went away while the packet was on the wire (its name,
    /// when the trace knows it).
    PodGone {
        pod: Option<ObjectKey>,
        ip: Ipv4Addr,
    },
    /// Nothing in the cluster has the address asked.
    NoSuchAddress { address: SocketAddrV4 },
    /// A UDP datagram reached a pod whose server read it and sent nothing back (CoreDNS drops
    /// what is no DNS message); UDP has no handshake or reset to tell the client.
    DatagramUnanswered { pod: ObjectKey, port: u16 },
    /// The address is a Service's cluster IP, but the Service has no such port (nftables mode
    /// rejects it; iptables mode lets it go unanswered).
    NoSuchPort { service: ObjectKey, port: u16 },
    /// A name asked from outside the cluster, where there is no cluster DNS.
    NameFromOutside { name: String },
    /// The request could not start (its client pod is missing, a malformed URL).
    Invalid { message: String },
    /// A failure none of the above explains: the last hop's sentence.
    Other { explanation: String },
}

impl Cause {
    /// A stable name for the kind of cause (for tests and class names).
    pub fn as_str(&self) -> &'static str {
        match self {
            Cause::SelectorMatchesNoPod { .. } => "selector-matches-no-pod",
            Cause::TargetPortNotListening { .. } => "target-port-not-listening",
            Cause::PodsNotReady { .. } => "pods-not-ready",
            Cause::CoreDnsScaledToZero => "coredns-scaled-to-zero",
            Cause::CoreDnsBroken => "coredns-broken",
            Cause::Nxdomain { .. } => "nxdomain",
            Cause::NetworkPolicyDenied { .. } => "network-policy-denied",
            Cause::NoLocalEndpoint { .. } => "no-local-endpoint",
            Cause::PodGone { .. } => "pod-gone",
            Cause::NoSuchAddress { .. } => "no-such-address",
            Cause::NoSuchPort { .. } => "no-such-port",
            Cause::DatagramUnanswered { .. } => "datagram-unanswered",
            Cause::NameFromOutside { .. } => "name-from-outside",
            Cause::Invalid { .. } => "invalid",
            Cause::Other { .. } => "other",
        }
    }
}

/// A pod that is not ready, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotReady {
    pub pod: ObjectKey,
    pub reason: NotReadyReason,
    /// Since when (the first `Unhealthy` event, or the pod's creation).
    pub since: Time,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotReadyReason {
    /// Its readiness probe fails: the container's probe and the kubelet's event message.
    ReadinessProbeFailing {
        container: String,
        /// `periodSeconds` of the container's `readinessProbe`; `None` without one (svclab's
        /// stand-in probe).
        period_seconds: Option<i64>,
        message: String,
    },
    /// The container is not running yet: `ContainerCreating`, `ImagePullBackOff`, `Pending`...
    Waiting(&'static str),
    Terminating,
}

/// Why `trace` failed, from its hops and the cluster as it is now; `None` when it succeeded
/// (or is still on its way with nothing failed yet).
pub fn diagnose(cluster: &Cluster, trace: &Trace) -> Option<Diagnosis> {
    if trace.outcome.is_success() {
        return None;
    }
    if let Some(d) = policy_denied(trace) {
        return Some(d);
    }
    match &trace.outcome {
        Outcome::Invalid { message } => Some(Diagnosis {
            cause: Cause::Invalid {
                message: message.clone(),
            },
            culprit: match &trace.request.client {
                Client::Pod(key) if cluster.pods().get(key).is_none() => Some(Culprit {
                    kind: Kind::Pod,
                    key: key.clone(),
                    field: None,
                }),
                _ => None,
            },
            summary: "the request could not start".into(),
            fix: "Check the command: the client pod must exist and be running, and the address must be a valid URL or host:port.".into(),
            evidence: vec![("client says".into(), message.clone())],
        }),
        Outcome::Nxdomain { name } => Some(dns::nxdomain(cluster, trace, name)),
        Outcome::DnsTimeout => Some(dns::no_answer(cluster, trace)),
        Outcome::ConnectionRefused | Outcome::Timeout | Outcome::HostUnreachable => {
            Some(service::connection(cluster, trace))
        }
        Outcome::Datagram { pod, .. } => Some(service::unanswered(cluster, trace, pod)),
        Outcome::Http { .. } | Outcome::Resolved { .. } => None,
    }
}

/// A NetworkPolicy dropped a packet of the trace.
fn policy_denied(trace: &Trace) -> Option<Diagnosis> {
    let hop = trace.hops.iter().find(|h| {
        h.verdict == HopVerdict::Dropped && h.detail.policy.as_ref().is_some_and(|p| !p.allowed())
    })?;
    let decision = hop.detail.policy.as_ref()?;
    let (direction, policies) = match (&decision.egress, &decision.ingress) {
        (netpol::Verdict::Denied { isolated_by }, _) => (netpol::Direction::Egress, isolated_by),
        (_, netpol::Verdict::Denied { isolated_by }) => (netpol::Direction::Ingress, isolated_by),
        _ => return None,
    };
    let client = match &trace.request.client {
        Client::Pod(key) => Some(key.clone()),
        _ => None,
    };
    let dest = match &hop.to {
        crate::trace::Place::Pod(key) => Some(key.clone()),
        _ => None,
    };
    let (pod, peer) = match direction {
        netpol::Direction::Egress => (client, dest.map(|k| format!("pod {k}"))),
        netpol::Direction::Ingress => (
            dest,
            Some(match &trace.request.client {
                Client::Pod(key) => format!("pod {key}"),
                _ => hop.packet.src.ip().to_string(),
            }),
        ),
    };
    let pod = pod?;
    let peer = peer.unwrap_or_else(|| hop.packet.src.ip().to_string());
    let first = policies.first()?.clone();
    let names: Vec<String> = policies.iter().map(ObjectKey::to_string).collect();
    let list = match direction {
        netpol::Direction::Ingress => "spec.ingress",
        netpol::Direction::Egress => "spec.egress",
    };
    let port = format!("{} {}", hop.packet.protocol.as_str(), hop.packet.dst.port());
    Some(Diagnosis {
        summary: format!(
            "NetworkPolicy {} isolates pod {} for {direction} and no rule allows {peer}",
            names.join(", "),
            pod.name
        ),
        fix: format!(
            "Add a rule to {list} of NetworkPolicy {first} that allows {peer} on {port} (a {} entry matching its labels, and the port), or delete the policy.",
            match direction {
                netpol::Direction::Ingress => "from",
                netpol::Direction::Egress => "to",
            }
        ),
        evidence: vec![
            ("isolated pod".into(), format!("{pod} ({direction})")),
            ("policies".into(), names.join(", ")),
            ("denied".into(), format!("{peer} on {port}")),
        ],
        culprit: Some(Culprit {
            kind: Kind::NetworkPolicy,
            key: first,
            field: Some(list.into()),
        }),
        cause: Cause::NetworkPolicyDenied {
            pod,
            direction,
            policies: policies.clone(),
            peer,
        },
    })
}

/// `app=backend,tier=web`.
pub fn labels_text(labels: &Labels) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if pairs.is_empty() {
        "<none>".into()
    } else {
        pairs.join(",")
    }
}
