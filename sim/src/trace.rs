//! Requests and their hop-by-hop traces: plain data that the app animates and the terminal prints.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::ops::Deref;
use std::sync::Arc;

use crate::dns::QType;
use crate::model::{ObjectKey, Protocol};
use crate::netpol;
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
    /// busybox `nc -u HOST PORT`: one UDP datagram (the request's `payload`, what `echo` piped
    /// into it) and whatever comes back.
    NcUdp,
}

impl Tool {
    /// How the tool is typed before its target: `curl`, `wget -qO-`, `nslookup`, `nc -u`.
    pub fn program(self) -> &'static str {
        match self {
            Tool::Curl => "curl",
            Tool::Wget => "wget -qO-",
            Tool::Nslookup => "nslookup",
            Tool::NcUdp => "nc -u",
        }
    }
}

/// One request: `curl http://backend-service`, `nslookup backend-service.dev`, `curl 172.18.0.3:30080`.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    pub client: Client,
    pub tool: Tool,
    /// What the learner typed after the tool's name: a URL, `host:port`, a name to look up, or
    /// nc's `HOST PORT`.
    pub target: String,
    /// What the client sends on its own (nc's datagram, read from its stdin); empty for the
    /// tools that build their request themselves.
    pub payload: String,
}

impl fmt::Debug for Request {
    /// As derived, leaving out an empty payload (so the golden traces of HTTP and DNS requests
    /// read as before the field existed).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Request");
        s.field("client", &self.client)
            .field("tool", &self.tool)
            .field("target", &self.target);
        if !self.payload.is_empty() {
            s.field("payload", &self.payload);
        }
        s.finish()
    }
}

impl Request {
    /// What a learner types in svclab's terminal (a kind cluster's host) to send this request:
    /// `kubectl exec test -- wget -qO- http://backend-service`, `kubectl exec -n dev probe --
    /// nslookup backend-service.default`, `curl 172.18.0.3:30080` from outside,
    /// `docker exec kind-worker curl 10.96.23.157` on a node. The target is quoted for the
    /// shell when it holds anything but URL characters.
    pub fn command_line(&self) -> String {
        let command = match self.tool {
            Tool::Curl | Tool::Wget | Tool::Nslookup => {
                [self.tool.program(), " ", &shell_quote(&self.target)].concat()
            }
            // nc reads the datagram from its stdin, so the pod's shell pipes it in; -w1 makes
            // nc give up a second after the last answer instead of waiting forever.
            Tool::NcUdp => {
                let mut words = self.target.split_whitespace().map(shell_quote);
                let host = words.next().unwrap_or_default();
                let port = words.next().unwrap_or_default();
                // echo ends its text with a newline, unless told not to with -n.
                let (echo, text) = match self.payload.strip_suffix('\n') {
                    Some(text) => ("echo ", text),
                    None => ("echo -n ", self.payload.as_str()),
                };
                let line = [echo, &shell_quote(text), " | nc -u -w1 ", &host, " ", &port].concat();
                ["sh -c ", &shell_quote(&line)].concat()
            }
        };
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
    /// `DNAT`, `DNAT+SNAT` (masquerade), or on the reply, conntrack reversing them: `un-DNAT`
    /// (the source), `un-SNAT` (the destination), `un-DNAT+un-SNAT`.
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
    /// The typed facts behind the sentence, for the inspector.
    pub detail: HopDetail,
}

/// What the inspector shows of a hop beyond its packet and rules, each filled where the decision
/// is made: by NetworkPolicy at a pod, by the resolver and CoreDNS, by kube-proxy, by conntrack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HopDetail {
    /// The NetworkPolicy decision for a connection arriving at a pod (a backend, a CoreDNS pod):
    /// the sender's egress and the pod's ingress, each [`netpol::Verdict::NotIsolated`] ("no
    /// policy selects this pod"), allowed by a named rule, or denied by the isolating policies.
    pub policy: Option<netpol::Decision>,
    /// The name lookup this hop belongs to, as it stands when the hop ends.
    pub dns: Option<DnsLookup>,
    /// How kube-proxy chose the endpoint, on the hop where it rewrote the destination.
    pub balance: Option<Balance>,
    /// The conntrack entry the hop created (the first packet's DNAT) or used (the reply's
    /// reverse translation).
    pub conntrack: Option<Conntrack>,
    /// On the hop where kube-proxy decides: the Service the packet was addressed to, by its
    /// cluster IP, a node's NodePort, its LoadBalancer IP or an external IP (the Service whose
    /// rules kube-proxy walked, as their comments name it). Boxed: every hop of the 200 traces a
    /// world keeps has the field, and only one or two of each trace's hops hold a Service.
    pub service: Option<Box<ObjectKey>>,
}

/// A client's name lookup: what it asked, and each question the resolver sent, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsLookup {
    /// The name as the learner typed it.
    pub question: String,
    /// The pod's search list (`/etc/resolv.conf`), in order.
    pub search: Vec<String>,
    /// Each question sent so far (a search-list candidate and its type) and its answer.
    pub attempts: Vec<DnsAttempt>,
}

impl DnsLookup {
    /// The attempt that found addresses, if any.
    pub fn answered(&self) -> Option<&DnsAttempt> {
        self.attempts
            .iter()
            .find(|a| matches!(a.answer, DnsReply::Addresses(_)))
    }
}

/// One question of a lookup and what came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsAttempt {
    pub name: String,
    pub qtype: QType,
    pub answer: DnsReply,
}

/// CoreDNS's answer to one question, as the resolver reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsReply {
    /// The question is on its way; no answer yet.
    Pending,
    /// Records of the type asked, after any CNAME.
    Addresses(Vec<Ipv4Addr>),
    /// A CNAME (ExternalName) or other records without an address of the type asked.
    Records,
    /// NOERROR without records of this type (the name exists).
    NoData,
    Nxdomain,
    ServFail,
    /// No answer ever comes (CoreDNS unreachable or broken): the resolver times out.
    NoReply,
}

impl DnsReply {
    pub fn as_str(&self) -> &'static str {
        match self {
            DnsReply::Pending => "pending",
            DnsReply::Addresses(_) => "NOERROR",
            DnsReply::Records => "NOERROR",
            DnsReply::NoData => "NOERROR (no records)",
            DnsReply::Nxdomain => "NXDOMAIN",
            DnsReply::ServFail => "SERVFAIL",
            DnsReply::NoReply => "no reply",
        }
    }
}

/// How kube-proxy picked a backend for a new connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Balance {
    /// iptables mode: every `-m statistic --mode random` rule the packet met, in order; the last
    /// one taken chose the endpoint (the last endpoint's rule has no probability and draws
    /// nothing). Empty when session affinity (`-m recent`) chose it.
    Random { draws: Vec<Draw> },
    /// IPVS mode: the virtual server, the scheduler and the real server it chose (`None`: the
    /// virtual server has no real server).
    Ipvs {
        virtual_server: SocketAddrV4,
        scheduler: &'static str,
        real_server: Option<SocketAddrV4>,
    },
    /// nftables mode: the `numgen random mod N` draw in the Service's chain that chose the
    /// endpoint; `None` when an affinity set (`ip saddr @affinity-...`) chose it.
    Numgen { draw: Option<NumgenDraw> },
}

/// One draw of `numgen random mod N`, as the kernel's `nft_ng_random` makes it:
/// `(random * N) >> 32` over a 32-bit random number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumgenDraw {
    /// The chain holding the rule (`service-...`, `local-...`).
    pub chain: SharedStr,
    pub modulus: u32,
    pub random: u32,
    /// `0..modulus`: the map element that matched.
    pub value: u32,
    /// What that element holds: `10.244.1.5 . 80`, or `goto endpoint-...`.
    pub chosen: String,
}

/// One draw of `-m statistic --mode random --probability P`, as `xt_statistic` makes it:
/// `(random & 0x7FFFFFFF) < P`, both kept as the kernel keeps them (parts of 2^31).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draw {
    /// The chain holding the rule (`KUBE-SVC-...`).
    pub chain: SharedStr,
    /// The chain the rule jumps to when taken (`KUBE-SEP-...`).
    pub target: String,
    pub probability: u32,
    pub random: u32,
    pub taken: bool,
}

impl Draw {
    /// The rule's probability, `0.33333` for the first of three endpoints.
    pub fn probability(&self) -> f64 {
        f64::from(self.probability) / 2_147_483_648.0
    }

    /// The random number drawn, in `[0, 1)`.
    pub fn random(&self) -> f64 {
        f64::from(self.random) / 2_147_483_648.0
    }
}

/// A conntrack entry: the original direction and the reply direction it expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conntrack {
    pub original: Packet,
    pub reply: Packet,
    /// Created by this hop (a new connection), or looked up (a reply rewritten by it).
    pub created: bool,
}

impl Conntrack {
    /// The entry a new connection creates: `original` as sent, `translated` as it leaves the
    /// node (after DNAT and any SNAT); replies are expected from the translated destination.
    pub fn new(original: Packet, translated: Packet) -> Conntrack {
        Conntrack {
            original,
            reply: Packet {
                src: translated.dst,
                dst: translated.src,
                protocol: translated.protocol,
            },
            created: true,
        }
    }

    /// The same entry, looked up by a packet of the connection.
    pub fn used(self) -> Conntrack {
        Conntrack {
            created: false,
            ..self
        }
    }

    /// The entry as `conntrack -L` prints its tuples:
    /// `tcp      6 src=A dst=B sport=P dport=Q src=C dst=D sport=R dport=S`
    /// (the timeout, state and flags that `conntrack -L` adds depend on when it is run).
    pub fn text(&self) -> String {
        let (name, number) = match self.original.protocol {
            Protocol::Tcp => ("tcp", 6),
            Protocol::Udp => ("udp", 17),
            Protocol::Sctp => ("sctp", 132),
        };
        format!(
            "{name:<8} {number} src={} dst={} sport={} dport={} src={} dst={} sport={} dport={}",
            self.original.src.ip(),
            self.original.dst.ip(),
            self.original.src.port(),
            self.original.dst.port(),
            self.reply.src.ip(),
            self.reply.dst.ip(),
            self.reply.src.port(),
            self.reply.dst.port(),
        )
    }
}

/// How a request ended, as the client sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP answer from a backend pod.
    Http {
        pod: ObjectKey,
        status: u16,
    },
    /// A UDP datagram delivered to a backend pod, and whether its server answered (CoreDNS
    /// drops a datagram that is no DNS message; UDP has no connection to refuse it with).
    Datagram {
        pod: ObjectKey,
        answered: bool,
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
        matches!(
            self,
            Outcome::Http { .. }
                | Outcome::Resolved { .. }
                | Outcome::Datagram { answered: true, .. }
        )
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
