//! The connect step: a TCP connection through the sender's node (kube-proxy's DNAT, a NodePort
//! or LoadBalancer entry, conntrack) to the node of the backend.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::kube_proxy::state::Flow;
use crate::kube_proxy::{DropCause, RejectCause};
use crate::model::{ObjectKey, ServiceType};
use crate::text;
use crate::trace::{
    Conntrack, HopVerdict, MatchedRule, Packet, PacketKind, Place, SharedStr, Translation,
};

use super::proxy::Decision;
use super::{Delivery, Journey, Router, Sender};

impl Router<'_> {
    /// A TCP connection attempt and, when it succeeds, the request and reply legs.
    pub(super) fn connect(
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
            None => match self.world.nodes.iter().find(|n| n.internal_ip == dst_ip) {
                Some(n) => (n.meta.name.clone(), true, None),
                None => match self.lb_service(dst_ip) {
                    Some((svc, node)) => (node, true, Some(svc)),
                    // An external IP: the network routes it to a node (here the first worker),
                    // whose kube-proxy captures it.
                    None if self
                        .world
                        .services
                        .values()
                        .any(|s| s.spec.external_ips.contains(&dst_ip)) =>
                    {
                        let node = self
                            .world
                            .nodes
                            .iter()
                            .find(|n| !n.control_plane)
                            .or(self.world.nodes.first())
                            .map(|n| n.meta.name.clone())
                            .unwrap_or_default();
                        (node, true, None)
                    }
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
                .world
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
        let (decision, rules, balance) = self.proxy_decide(&node, packet, outside);
        let service = self.service_addressed(packet);
        let node_ip = self
            .world
            .node(&node)
            .map_or(Ipv4Addr::UNSPECIFIED, |n| n.internal_ip);
        match decision {
            Decision::Reject(cause) => {
                let port = packet.dst.port();
                let why = match cause {
                    RejectCause::InvalidPort => format!("{dst_ip} is a Service's cluster IP, but no port {port} of that Service: kube-proxy on {node} rejects the connection (ICMP port unreachable)"),
                    RejectCause::NoEndpoints => format!("{dst_ip}:{port} has no endpoints: kube-proxy on {node} rejects the connection (ICMP port unreachable)"),
                };
                j.hop(
                    from,
                    Place::Node(node.clone()),
                    Some(&node),
                    kind,
                    packet,
                    None,
                    rules,
                    HopVerdict::Refused,
                    why,
                );
                if let Some(d) = j.detail() {
                    d.balance = balance;
                    d.service = service;
                }
                Delivery::Refused
            }
            Decision::Drop(cause) => {
                let why = match cause {
                    DropCause::UnallocatedClusterIp => format!("no Service has the IP {dst_ip}: kube-proxy on {node} drops traffic to unallocated ClusterIPs"),
                    DropCause::SourceRange => format!("kube-proxy on {node} drops the packet: its source is outside the Service's loadBalancerSourceRanges"),
                    DropCause::NoLocalEndpoints => format!("kube-proxy on {node} drops the packet: the Service has no local endpoint on this node (traffic policy Local)"),
                    DropCause::Node => format!("{node}'s own firewall rules drop the packet"),
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
                if let Some(d) = j.detail() {
                    d.service = service;
                }
                Delivery::Dropped
            }
            Decision::Pass => {
                let Some(dest) = self.pod_key_by_ip(dst_ip) else {
                    let owner = self
                        .world
                        .services
                        .values()
                        .find(|s| s.spec.cluster_ip.ip() == Some(dst_ip));
                    let why = if let Some(svc) = owner {
                        format!(
                            "Service {} has no {} port {}: no kube-proxy rule matches, and nothing answers at its virtual IP",
                            svc.meta.name,
                            packet.protocol.as_str(),
                            packet.dst.port()
                        )
                    } else if crate::ipam::service_ip_allocator().contains(u32::from(dst_ip)) {
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
                    if let Some(d) = j.detail() {
                        d.service = service;
                    }
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
                if let Some(d) = j.detail() {
                    d.balance = balance;
                    d.conntrack = Some(Conntrack::new(packet, after));
                    d.service = service;
                }
                let Some(dest) = self.pod_key_by_ip(*to.ip()) else {
                    if !outside_pod_network(*to.ip())
                        || self.world.nodes.iter().any(|n| n.internal_ip == *to.ip())
                    {
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
                    }
                    // An endpoint written by hand outside the pod network (a database beside
                    // the cluster): the node routes the packet out, to a host svclab does not
                    // simulate.
                    j.hop(
                        Place::Node(node.clone()),
                        Place::External,
                        Some(&node),
                        kind,
                        after,
                        None,
                        Vec::new(),
                        HopVerdict::Dropped,
                        format!(
                            "{} is outside the cluster: {node} routes the packet out of the cluster, to a host svclab does not simulate, and no answer comes back",
                            to.ip()
                        ),
                    );
                    return Delivery::Dropped;
                };
                self.deliver(sender, &node, packet, after, dest, j)
            }
        }
    }

    pub(super) fn track(&mut self, node: &str, original: Packet, reply: Packet) {
        self.proxy.track(Flow {
            node: node.to_string(),
            protocol: original.protocol,
            original,
            reply,
            time: self.world.now,
        });
    }

    /// The Service `packet` is addressed to: by its cluster IP, its LoadBalancer IP or one of
    /// its external IPs, or by a node's IP and one of its NodePorts.
    pub(super) fn service_addressed(&self, packet: Packet) -> Option<Box<ObjectKey>> {
        let (ip, port) = (*packet.dst.ip(), i64::from(packet.dst.port()));
        let to_node = self.world.nodes.iter().any(|n| n.internal_ip == ip);
        self.world
            .services
            .values()
            .find(|s| {
                s.spec.cluster_ip.ip() == Some(ip)
                    || s.status.load_balancer_ip == Some(ip)
                    || s.spec.external_ips.contains(&ip)
                    || (to_node
                        && s.spec
                            .ports
                            .iter()
                            .any(|p| p.node_port == Some(port) && p.protocol == packet.protocol))
            })
            .map(|s| Box::new(s.key()))
    }

    /// The LoadBalancer Service owning `ip`, and the node its traffic enters (the node that
    /// announces the IP: with a Local policy, one that has an endpoint).
    fn lb_service(&self, ip: Ipv4Addr) -> Option<(ObjectKey, String)> {
        let svc = self.world.services.values().find(|s| {
            s.spec.type_ == ServiceType::LoadBalancer && s.status.load_balancer_ip == Some(ip)
        })?;
        let local_nodes: Vec<String> = self
            .world
            .service_slices(&svc.key())
            .iter()
            .flat_map(|s| s.endpoints.iter())
            .filter(|e| e.ready)
            .map(|e| e.node.clone())
            .collect();
        let workers: Vec<&str> = self
            .world
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
            .or_else(|| self.world.nodes.first().map(|n| n.meta.name.as_str()))?;
        Some((svc.key(), pick.to_string()))
    }
}

/// An address neither in the pod network (`10.244.0.0/16`) nor one of the Service CIDR's.
fn outside_pod_network(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    (a, b) != (10, 244) && !crate::ipam::service_ip_allocator().contains(u32::from(ip))
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

pub(super) fn conntrack_rule(node: &str, original: &Packet, after: &Packet) -> MatchedRule {
    MatchedRule {
        node: node.into(),
        table: SharedStr::from_static("conntrack"),
        chain: SharedStr::from_static("conntrack"),
        text: conntrack_text(original, after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;

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
