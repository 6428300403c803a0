//! The delivery step: the last leg to the backend pod (NetworkPolicy, whether anything listens)
//! and the reply back to the client.

use std::net::SocketAddrV4;

use crate::model::{ObjectKey, Protocol};
use crate::netpol;
use crate::registry::ImageProfile;
use crate::text;
use crate::trace::{
    Conntrack, HopVerdict, MatchedRule, Packet, PacketKind, Place, SharedStr, Translation,
};

use super::connect::conntrack_rule;
use super::{Delivery, Journey, Router, Sender};

impl Router<'_> {
    /// The last leg to the backend pod, NetworkPolicy, the listening check, and the reply.
    pub(super) fn deliver(
        &mut self,
        sender: &Sender,
        node: &str,
        original: Packet,
        after: Packet,
        dest: ObjectKey,
        j: &mut Journey,
    ) -> Delivery {
        let (dest_node, listening) = match self.world.pods.get(&dest) {
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
        let (policy, block) = self.policy_check(sender, &dest, after.dst.port(), after.protocol);
        if let Some((rules, why)) = block {
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
            if let Some(d) = j.detail() {
                d.policy = policy;
            }
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
                match after.protocol {
                    Protocol::Udp => format!(
                        "pod {} has nothing listening on UDP port {}: it answers with ICMP port unreachable",
                        dest.name,
                        after.dst.port()
                    ),
                    _ => format!(
                        "pod {} has nothing listening on port {}: it answers with a TCP reset",
                        dest.name,
                        after.dst.port()
                    ),
                },
            );
            if let Some(d) = j.detail() {
                d.policy = policy;
            }
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
        if let Some(d) = j.detail() {
            d.policy = policy;
        }
        if let Some(datagram) = j.datagram.take() {
            match self.datagram_answer(&dest, after.dst.port(), &datagram, after.src) {
                Some(answer) => j.answer = Some(answer),
                None => {
                    if let Some(hop) = j.hops.last_mut() {
                        hop.explanation
                            .push_str(": its server reads it and sends nothing back");
                    }
                    return Delivery::Unanswered { backend: dest };
                }
            }
        }
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
        // conntrack reverses, on the reply, what was done to the request: its DNAT by rewriting
        // the source, its SNAT (masquerade) by rewriting the destination.
        let kind = match (reply.src != restored.src, reply.dst != restored.dst) {
            (true, true) => "un-DNAT+un-SNAT",
            (false, true) => "un-SNAT",
            _ => "un-DNAT",
        };
        j.hop(
            Place::Pod(dest.clone()),
            Place::Node(node.to_string()),
            Some(node),
            PacketKind::Reply,
            reply,
            translated.then(|| Translation {
                kind: SharedStr::from_static(kind),
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
                let mut why = vec![
                    "the reply goes back through ",
                    node,
                    ", where conntrack rewrites it",
                ];
                let from = text::sock(original.dst);
                let to = text::sock(original.src);
                if reply.src != restored.src {
                    why.extend([" to come from ", from.as_str()]);
                }
                if reply.dst != restored.dst {
                    if reply.src != restored.src {
                        why.push(" and");
                    }
                    why.extend([" to go back to ", to.as_str()]);
                }
                why.concat()
            } else {
                ["the reply goes back through ", node].concat()
            },
        );
        if translated {
            if let Some(d) = j.detail() {
                d.conntrack = Some(Conntrack::new(original, after).used());
            }
        }
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

    /// What the server on UDP `port` of pod `dest` sends back for `datagram` from `client`
    /// (the source it sees); `None` when it stays silent.
    fn datagram_answer(
        &self,
        dest: &ObjectKey,
        port: u16,
        datagram: &str,
        client: SocketAddrV4,
    ) -> Option<String> {
        let pod = self.world.pods.get(dest)?;
        let c = pod.listener(i64::from(port), Protocol::Udp)?;
        ImageProfile::of(&c.image)
            .udp_reply
            .answer(datagram, &pod.meta.name, client)
    }

    /// The NetworkPolicy decision for a connection from the sender to `dest` (`None` when `dest`
    /// is no pod), and `Some((rules, explanation))` when it drops the connection.
    pub(super) fn policy_check(
        &self,
        sender: &Sender,
        dest: &ObjectKey,
        port: u16,
        protocol: Protocol,
    ) -> (Option<netpol::Decision>, Option<(Vec<MatchedRule>, String)>) {
        let Some(dest_pod) = self.world.pods.get(dest) else {
            return (None, None);
        };
        if self.world.network_policies.is_empty() {
            let open = netpol::Decision {
                egress: netpol::Verdict::NotIsolated,
                ingress: netpol::Verdict::NotIsolated,
            };
            return (Some(open), None);
        }
        let from = match sender.pod().and_then(|k| self.world.pods.get(k)) {
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
            self.world.network_policies.values(),
            self.world.namespaces.values(),
            &conn,
        );
        if decision.allowed() {
            return (Some(decision), None);
        }
        let why = netpol::explain(&conn, &decision);
        let node = dest_pod.spec.node_name.clone().unwrap_or_default();
        let rules = vec![MatchedRule {
            node: node.into(),
            table: SharedStr::from_static("netpol"),
            chain: SharedStr::from_static("NetworkPolicy"),
            text: why.clone(),
        }];
        (Some(decision), Some((rules, why)))
    }
}
