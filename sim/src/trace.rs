//! Requests and their hop-by-hop traces: plain data that the app animates and the terminal prints.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::ops::Deref;
use std::sync::Arc;

use crate::model::{ObjectKey, Protocol};
use crate::time::Time;

/// Who sends a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Client {
    /// A pod in the cluster (the seed's busybox `test` pod, say).
    Pod(ObjectKey),
    /// A host outside the cluster on the nodes' network (the learner's laptop), for NodePort and
    /// LoadBalancer requests.
    External,
    /// A node's own network namespace (`docker exec kind-worker curl ...`): its packets pass
    /// kube-proxy's rules on that node, and its resolver is the node's, not the cluster's DNS.
    Node(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Curl,
    Wget,
    Nslookup,
}

/// One request: `curl http://backend-service`, `nslookup backend-service.dev`, `curl 172.18.0.3:30080`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub client: Client,
    pub tool: Tool,
    /// What the learner typed after the tool's name: a URL, `host:port`, or a name to look up.
    pub target: String,
}

impl Request {
    /// What a learner types in svclab's terminal (a kind cluster's host) to send this request:
    /// `kubectl exec test -- wget -qO- http://backend-service`, `kubectl exec -n dev probe --
    /// nslookup backend-service.default`, `curl 172.18.0.3:30080` from outside,
    /// `docker exec kind-worker curl 10.96.23.157` on a node. The target is quoted for the
    /// shell when it holds anything but URL characters.
    pub fn command_line(&self) -> String {
        let program = match self.tool {
            Tool::Curl => "curl ",
            Tool::Wget => "wget -qO- ",
            Tool::Nslookup => "nslookup ",
        };
        let command = [program, &shell_quote(&self.target)].concat();
        match &self.client {
            Client::Pod(key) if key.namespace == "default" => {
                ["kubectl exec ", &key.name, " -- ", &command].concat()
            }
            Client::Pod(key) => [
                "kubectl exec -n ",
                &key.namespace,
                " ",
                &key.name,
                " -- ",
                &command,
            ]
            .concat(),
            Client::External => command,
            Client::Node(node) => ["docker exec ", node, " ", &command].concat(),
        }
    }
}

/// `word` as one shell word: as it is when it holds only characters no shell treats specially,
/// else in single quotes (a `'` inside written `'\''`).
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~:/@%+=,".contains(c));
    if plain {
        word.to_string()
    } else {
        ["'", &word.replace('\'', "'\\''"), "'"].concat()
    }
}

/// Where a packet is: the ends of a hop.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    Pod(ObjectKey),
    /// A node's network stack, where kube-proxy's rules (iptables or IPVS) act.
    Node(String),
    /// The client outside the cluster.
    External,
    /// A LoadBalancer's external IP, in front of the nodes.
    LoadBalancer(ObjectKey),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PacketKind {
    DnsQuery,
    DnsAnswer,
    Request,
    Reply,
}

impl PacketKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PacketKind::DnsQuery => "dns-query",
            PacketKind::DnsAnswer => "dns-answer",
            PacketKind::Request => "request",
            PacketKind::Reply => "reply",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet {
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
    pub protocol: Protocol,
}

impl Packet {
    pub fn new(src: (Ipv4Addr, u16), dst: (Ipv4Addr, u16), protocol: Protocol) -> Self {
        Packet {
            src: SocketAddrV4::new(src.0, src.1),
            dst: SocketAddrV4::new(dst.0, dst.1),
            protocol,
        }
    }
}

/// A rule that a packet matched on its way, for the inspector and the rule panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchedRule {
    pub node: SharedStr,
    /// `nat`, `filter`, `ipvs`, `conntrack`, `dns`, `netpol`.
    pub table: SharedStr,
    pub chain: SharedStr,
    /// The rule as `iptables-save` (or `ipvsadm -Ln`) prints it.
    pub text: String,
}

/// A name shared by the rule tables and every trace that quotes them (a node, a table, a chain):
/// cloning it copies no text. It reads as a `str` (`Deref`, `as_str`), prints and compares like
/// one (also with `&str` and `String`), and is made with `.into()` from either.
#[derive(Clone)]
pub struct SharedStr(Shared);

#[derive(Clone)]
enum Shared {
    Static(&'static str),
    Counted(Arc<str>),
}

impl SharedStr {
    /// A literal, without allocating.
    pub const fn from_static(s: &'static str) -> SharedStr {
        SharedStr(Shared::Static(s))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Shared::Static(s) => s,
            Shared::Counted(s) => s,
        }
    }
}

impl Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Default for SharedStr {
    fn default() -> Self {
        SharedStr::from_static("")
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        SharedStr(Shared::Counted(Arc::from(s)))
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        SharedStr(Shared::Counted(Arc::from(s)))
    }
}

impl From<&String> for SharedStr {
    fn from(s: &String) -> Self {
        SharedStr::from(s.as_str())
    }
}

impl From<SharedStr> for String {
    fn from(s: SharedStr) -> Self {
        s.as_str().to_string()
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedStr {}

impl PartialOrd for SharedStr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedStr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for SharedStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

macro_rules! eq_with_str {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for SharedStr {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == &other[..]
            }
        }

        impl PartialEq<SharedStr> for $other {
            fn eq(&self, other: &SharedStr) -> bool {
                &self[..] == other.as_str()
            }
        }
    )*};
}

eq_with_str!(str, &str, String);

/// An address rewrite at one hop: the packet before and after, and the rule that did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Translation {
    /// `DNAT`, `SNAT` (masquerade), or `un-DNAT` (conntrack reversing a DNAT on the reply).
    pub kind: SharedStr,
    pub before: Packet,
    pub after: Packet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HopVerdict {
    /// Passed on to the next hop.
    Forwarded,
    /// Arrived at its destination process.
    Delivered,
    /// Silently dropped (NetworkPolicy, Local traffic policy, a dead pod's IP): the client times out.
    Dropped,
    /// Refused (iptables REJECT, or nothing listening): the client sees "connection refused".
    Refused,
}

/// One leg of a packet's journey, from `from` to `to`, on the virtual clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    pub start: Time,
    pub end: Time,
    pub from: Place,
    pub to: Place,
    /// The node whose network stack handles the packet at `to` (or the pod's node).
    pub node: Option<SharedStr>,
    pub kind: PacketKind,
    /// The packet as it travels this leg.
    pub packet: Packet,
    /// The rewrite done at `to`, if any.
    pub translation: Option<Translation>,
    /// The rules or records that decided what happened at `to`.
    pub rules: Vec<MatchedRule>,
    pub verdict: HopVerdict,
    /// One sentence for the learner.
    pub explanation: String,
}

/// How a request ended, as the client sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP answer from a backend pod.
    Http {
        pod: ObjectKey,
        status: u16,
    },
    /// A DNS answer (nslookup).
    Resolved {
        name: String,
        addresses: Vec<Ipv4Addr>,
    },
    Nxdomain {
        name: String,
    },
    DnsTimeout,
    ConnectionRefused,
    /// No answer at all: a NetworkPolicy or a Local traffic policy dropped it.
    Timeout,
    /// The destination pod vanished while the packet was on its way.
    HostUnreachable,
    /// The request could not even start (bad URL, unknown client pod).
    Invalid {
        message: String,
    },
}

impl Outcome {
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Http { .. } | Outcome::Resolved { .. })
    }
}

/// A request's whole story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    pub id: u64,
    pub request: Request,
    pub start: Time,
    pub hops: Vec<Hop>,
    pub outcome: Outcome,
    /// What the client program prints, exactly as on a real cluster.
    pub output: String,
    /// When the client prints `output`: the reply's arrival, or when it gives up waiting.
    pub finish: Time,
}

impl Trace {
    /// Is the client still waiting at `now`?
    pub fn in_flight(&self, now: Time) -> bool {
        now < self.finish
    }

    /// The hops a packet is on at `now`, for the animation.
    pub fn hops_at(&self, now: Time) -> impl Iterator<Item = &Hop> {
        self.hops
            .iter()
            .filter(move |h| h.start <= now && now < h.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_str_reads_compares_and_prints_like_a_str() {
        let counted = SharedStr::from("KUBE-SERVICES");
        let literal = SharedStr::from_static("KUBE-SERVICES");
        assert_eq!(counted, literal);
        assert_eq!(counted, "KUBE-SERVICES");
        assert_eq!("KUBE-SERVICES", counted);
        assert_eq!(counted, String::from("KUBE-SERVICES"));
        assert!(counted.starts_with("KUBE-"));
        assert_eq!(
            format!("{counted}|{counted:?}"),
            "KUBE-SERVICES|\"KUBE-SERVICES\""
        );
        assert_eq!(format!("{:>4}", SharedStr::from("ab")), "  ab");
        let (a, b) = (SharedStr::from("a"), SharedStr::from_static("b"));
        assert!(a < b);
        assert_eq!(String::from(counted.clone()), "KUBE-SERVICES");
        assert_eq!(SharedStr::default(), "");
    }
}
