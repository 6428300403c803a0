//! NetworkPolicy verdicts: may this connection pass?
//!
//! The semantics are the API's (`networking.k8s.io/v1`), which every conforming CNI enforces:
//! - A pod is open in a direction until some policy in its namespace selects it for that
//!   direction; then only what the union of those policies' rules allows passes. Ingress and
//!   egress are separate: a connection needs the source pod's egress **and** the destination pod's
//!   ingress to allow it.
//! - `policyTypes` left empty means `Ingress`, plus `Egress` when the policy has egress rules
//!   ([`policy_types`]); a parser that already applied this default gives the same answer.
//! - A rule with no peers allows every peer, one with no ports every port. In a peer,
//!   `podSelector` alone means pods of the policy's namespace, `namespaceSelector` alone every pod
//!   of the matching namespaces, both together pods matching both (AND); separate peers are OR.
//!   Namespaces always carry `kubernetes.io/metadata.name=<name>`.
//! - `ipBlock` (CIDR minus `except`) matches the peer's IP. The API does not restrict it to
//!   addresses outside the cluster, so svclab applies it to pod IPs as well (CNIs differ here; the
//!   documentation only advises using it for cluster-external addresses).
//! - A named port is looked up among the **destination** pod's container ports with the rule's
//!   protocol (for egress as for ingress); a destination outside the cluster has no named ports.
//!   `endPort` makes `port..=endPort` a range.
//! - `hostNetwork` pods are outside NetworkPolicy: never isolated, never matched by selectors
//!   (only by an `ipBlock` holding their node's IP).
//!
//! Policies are tried in `namespace/name` order, rules and peers in manifest order; the first
//! that allows the connection is reported. Nothing here panics on bad input: an unparsable CIDR
//! matches nothing.

use std::fmt;
use std::net::Ipv4Addr;

use crate::model::{
    IntOrString, IpBlock, LabelSelector, Labels, Namespace, NetworkPolicy, NetworkPolicySpec,
    ObjectKey, Pod, PolicyPeer, PolicyPort, PolicyRule, Protocol,
};

/// The label the API server puts on every Namespace.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// One end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party<'a> {
    Pod(&'a Pod),
    /// An address outside the pod network: a client on the nodes' network, the internet, a node.
    Outside(Ipv4Addr),
}

impl Party<'_> {
    pub fn ip(&self) -> Option<Ipv4Addr> {
        match self {
            Party::Pod(pod) => pod.status.pod_ip,
            Party::Outside(ip) => Some(*ip),
        }
    }

    /// How explanations name this end: its IP, or `pod ns/name` while it has none.
    pub fn describe(&self) -> String {
        match self.ip() {
            Some(ip) => ip.to_string(),
            None => match self {
                Party::Pod(pod) => format!("pod {}", pod.key()),
                Party::Outside(ip) => ip.to_string(),
            },
        }
    }
}

/// A connection attempt: `from` opens a connection to `to` on `port`/`protocol` (the
/// destination's port as the pod sees it, after any Service DNAT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connection<'a> {
    pub from: Party<'a>,
    pub to: Party<'a>,
    pub port: i64,
    pub protocol: Protocol,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rule that let a connection through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRef {
    pub policy: ObjectKey,
    pub direction: Direction,
    /// Index in the policy's `ingress` or `egress` list.
    pub rule: usize,
    /// Index in the rule's `from`/`to` list; `None` when the rule names no peers (all peers).
    pub peer: Option<usize>,
}

/// The decision for one direction at one end of the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No policy selects this end for this direction (or it is not a pod): everything passes.
    NotIsolated,
    /// Isolated by `isolated_by`, and `by` allows the connection.
    Allowed {
        by: RuleRef,
        isolated_by: Vec<ObjectKey>,
    },
    /// Isolated by `isolated_by`, and no rule of theirs allows the connection: dropped.
    Denied { isolated_by: Vec<ObjectKey> },
}

impl Verdict {
    pub fn allows(&self) -> bool {
        !matches!(self, Verdict::Denied { .. })
    }

    /// The policies that select this end for this direction.
    pub fn isolated_by(&self) -> &[ObjectKey] {
        match self {
            Verdict::NotIsolated => &[],
            Verdict::Allowed { isolated_by, .. } | Verdict::Denied { isolated_by } => isolated_by,
        }
    }
}

/// Both halves of the decision: the source's egress and the destination's ingress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub egress: Verdict,
    pub ingress: Verdict,
}

impl Decision {
    /// Does the connection pass? A dropped SYN looks like a timeout to the client.
    pub fn allowed(&self) -> bool {
        self.egress.allows() && self.ingress.allows()
    }
}

/// `(ingress, egress)`: the directions a policy isolates, with `policyTypes`' default applied.
pub fn policy_types(spec: &NetworkPolicySpec) -> (bool, bool) {
    if spec.policy_ingress || spec.policy_egress {
        (spec.policy_ingress, spec.policy_egress)
    } else {
        (true, !spec.egress.is_empty())
    }
}

/// Does `policy` select `pod` (same namespace, `podSelector` matches)? Direction aside.
pub fn selects(policy: &NetworkPolicy, pod: &Pod) -> bool {
    !pod.spec.host_network
        && policy.meta.namespace == pod.meta.namespace
        && policy.spec.pod_selector.matches(&pod.meta.labels)
}

/// A namespace's labels as selectors see them: its own plus `kubernetes.io/metadata.name`.
pub fn namespace_labels<'n>(
    name: &str,
    namespaces: impl IntoIterator<Item = &'n Namespace>,
) -> Labels {
    let mut labels = namespaces
        .into_iter()
        .find(|ns| ns.meta.name == name)
        .map(|ns| ns.meta.labels.clone())
        .unwrap_or_default();
    labels.insert(NAMESPACE_NAME_LABEL.to_string(), name.to_string());
    labels
}

/// Does `ip` fall in `block` (its CIDR, and none of its `except` CIDRs)?
pub fn ip_block_contains(block: &IpBlock, ip: Ipv4Addr) -> bool {
    cidr_contains(&block.cidr, ip) && !block.except.iter().any(|e| cidr_contains(e, ip))
}

fn cidr_contains(cidr: &str, ip: Ipv4Addr) -> bool {
    let Some((addr, len)) = cidr.split_once('/') else {
        return false;
    };
    let (Ok(addr), Ok(len)) = (addr.parse::<Ipv4Addr>(), len.parse::<u32>()) else {
        return false;
    };
    if len > 32 {
        return false;
    }
    let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
    u32::from(addr) & mask == u32::from(ip) & mask
}

/// The NetworkPolicy decision for `conn`, given every policy and namespace in the cluster.
pub fn evaluate<'p, 'n>(
    policies: impl IntoIterator<Item = &'p NetworkPolicy>,
    namespaces: impl IntoIterator<Item = &'n Namespace>,
    conn: &Connection<'_>,
) -> Decision {
    let mut sorted: Vec<&NetworkPolicy> = policies.into_iter().collect();
    crate::sort::sort_by(&mut sorted, |a, b| {
        (&a.meta.namespace, &a.meta.name).cmp(&(&b.meta.namespace, &b.meta.name))
    });
    let namespaces: Vec<&Namespace> = namespaces.into_iter().collect();
    let egress = verdict(
        Direction::Egress,
        conn.from,
        conn.to,
        conn,
        &sorted,
        &namespaces,
    );
    let ingress = verdict(
        Direction::Ingress,
        conn.to,
        conn.from,
        conn,
        &sorted,
        &namespaces,
    );
    Decision { egress, ingress }
}

/// The verdict of the policies selecting `subject` for `direction`; `peer` is the other end.
fn verdict(
    direction: Direction,
    subject: Party<'_>,
    peer: Party<'_>,
    conn: &Connection<'_>,
    policies: &[&NetworkPolicy],
    namespaces: &[&Namespace],
) -> Verdict {
    let Party::Pod(pod) = subject else {
        return Verdict::NotIsolated;
    };
    let isolating: Vec<&NetworkPolicy> = policies
        .iter()
        .copied()
        .filter(|p| {
            let (ingress, egress) = policy_types(&p.spec);
            let applies = match direction {
                Direction::Ingress => ingress,
                Direction::Egress => egress,
            };
            applies && selects(p, pod)
        })
        .collect();
    if isolating.is_empty() {
        return Verdict::NotIsolated;
    }
    let isolated_by: Vec<ObjectKey> = isolating
        .iter()
        .map(|p| ObjectKey::new(&p.meta.namespace, &p.meta.name))
        .collect();
    for policy in &isolating {
        let rules = match direction {
            Direction::Ingress => &policy.spec.ingress,
            Direction::Egress => &policy.spec.egress,
        };
        for (index, rule) in rules.iter().enumerate() {
            if let Some(peer_index) =
                rule_allows(rule, &policy.meta.namespace, peer, conn, namespaces)
            {
                return Verdict::Allowed {
                    by: RuleRef {
                        policy: ObjectKey::new(&policy.meta.namespace, &policy.meta.name),
                        direction,
                        rule: index,
                        peer: peer_index,
                    },
                    isolated_by,
                };
            }
        }
    }
    Verdict::Denied { isolated_by }
}

/// `Some(peer index)` when `rule` allows the connection with `peer` (`Some(None)`: the rule names
/// no peers), `None` when it does not.
fn rule_allows(
    rule: &PolicyRule,
    policy_namespace: &str,
    peer: Party<'_>,
    conn: &Connection<'_>,
    namespaces: &[&Namespace],
) -> Option<Option<usize>> {
    let port_ok = rule.ports.is_empty() || rule.ports.iter().any(|p| port_matches(p, conn));
    if !port_ok {
        return None;
    }
    if rule.peers.is_empty() {
        return Some(None);
    }
    rule.peers
        .iter()
        .position(|p| peer_matches(p, policy_namespace, peer, namespaces))
        .map(Some)
}

fn peer_matches(
    peer: &PolicyPeer,
    policy_namespace: &str,
    party: Party<'_>,
    namespaces: &[&Namespace],
) -> bool {
    match peer {
        PolicyPeer::IpBlock(block) => party.ip().is_some_and(|ip| ip_block_contains(block, ip)),
        PolicyPeer::Selectors {
            pod_selector,
            namespace_selector,
        } => {
            let Party::Pod(pod) = party else {
                return false;
            };
            if pod.spec.host_network {
                return false;
            }
            let pod_ok = |s: &LabelSelector| s.matches(&pod.meta.labels);
            let ns_ok = |s: &LabelSelector| {
                // The last namespace of that name, as a map keyed by name would keep.
                let own = namespaces
                    .iter()
                    .rev()
                    .find(|n| n.meta.name == pod.meta.namespace)
                    .copied();
                s.matches(&namespace_labels(&pod.meta.namespace, own))
            };
            match (pod_selector, namespace_selector) {
                (None, None) => false,
                (Some(ps), None) => pod.meta.namespace == policy_namespace && pod_ok(ps),
                (None, Some(ns)) => ns_ok(ns),
                (Some(ps), Some(ns)) => ns_ok(ns) && pod_ok(ps),
            }
        }
    }
}

fn port_matches(rule_port: &PolicyPort, conn: &Connection<'_>) -> bool {
    if rule_port.protocol != conn.protocol {
        return false;
    }
    match &rule_port.port {
        None => true,
        Some(IntOrString::Int(port)) => match rule_port.end_port {
            Some(end) => (*port..=end).contains(&conn.port),
            None => *port == conn.port,
        },
        Some(IntOrString::Str(name)) => match conn.to {
            Party::Pod(pod) => pod.find_port(name, rule_port.protocol) == Some(conn.port),
            Party::Outside(_) => false,
        },
    }
}

/// One sentence for the learner: `allowed by NetworkPolicy default/allow-frontend, ingress rule 0`,
/// `dropped: pod default/backend-x is isolated for ingress by NetworkPolicy default/deny-all and no
/// rule allows 10.244.1.5`.
pub fn explain(conn: &Connection<'_>, decision: &Decision) -> String {
    if let Verdict::Denied { isolated_by } = &decision.egress {
        return dropped(conn.from, Direction::Egress, isolated_by, conn.to);
    }
    if let Verdict::Denied { isolated_by } = &decision.ingress {
        return dropped(conn.to, Direction::Ingress, isolated_by, conn.from);
    }
    let allowed: Vec<String> = [&decision.egress, &decision.ingress]
        .into_iter()
        .filter_map(|v| match v {
            Verdict::Allowed { by, .. } => Some(format!(
                "NetworkPolicy {}, {} rule {}",
                by.policy, by.direction, by.rule
            )),
            _ => None,
        })
        .collect();
    if allowed.is_empty() {
        "allowed: no NetworkPolicy isolates either end".to_string()
    } else {
        format!("allowed by {}", allowed.join(" and "))
    }
}

fn dropped(
    subject: Party<'_>,
    direction: Direction,
    isolated_by: &[ObjectKey],
    peer: Party<'_>,
) -> String {
    let subject = match subject {
        Party::Pod(pod) => format!("pod {}", pod.key()),
        Party::Outside(ip) => ip.to_string(),
    };
    let noun = if isolated_by.len() == 1 {
        "NetworkPolicy"
    } else {
        "NetworkPolicies"
    };
    let names: Vec<String> = isolated_by.iter().map(ObjectKey::to_string).collect();
    format!(
        "dropped: {subject} is isolated for {direction} by {noun} {} and no rule allows {}",
        names.join(", "),
        peer.describe()
    )
}
