//! The ipsets and iptables rules kube-proxy writes in IPVS mode (`writeIptablesRules`).

use crate::map::{SortedMap, SortedSet};
use std::net::Ipv4Addr;

use crate::kube_proxy::iptables::build as helpers;
use crate::kube_proxy::iptables::endpoints;
use crate::kube_proxy::iptables::{
    Cidr, CtState, Dir, Match, Rule, SetEntries, TableBuilder, Tables, Target,
};
use crate::kube_proxy::{NodeInfo, ServicePortInfo};
use crate::model::Protocol;

// ipsets kube-proxy's IPVS proxier keeps, with their comments.
const LOOP_BACK: (&str, &str) = (
    "KUBE-LOOP-BACK",
    "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose",
);
const CLUSTER_IP: (&str, &str) = (
    "KUBE-CLUSTER-IP",
    "Kubernetes service cluster ip + port for masquerade purpose",
);
const LOAD_BALANCER: (&str, &str) = ("KUBE-LOAD-BALANCER", "Kubernetes service lb portal");
const LOAD_BALANCER_LOCAL: (&str, &str) = (
    "KUBE-LOAD-BALANCER-LOCAL",
    "Kubernetes service load balancer ip + port with externalTrafficPolicy=local",
);
const LOAD_BALANCER_FW: (&str, &str) = (
    "KUBE-LOAD-BALANCER-FW",
    "Kubernetes service load balancer ip + port for load balancer with sourceRange",
);
const LOAD_BALANCER_SOURCE_IP: (&str, &str) = (
    "KUBE-LOAD-BALANCER-SOURCE-IP",
    "Kubernetes service load balancer ip + port + source IP for packet filter purpose",
);
const LOAD_BALANCER_SOURCE_CIDR: (&str, &str) = (
    "KUBE-LOAD-BALANCER-SOURCE-CIDR",
    "Kubernetes service load balancer ip + port + source cidr for packet filter purpose",
);
const NODE_PORT_TCP: (&str, &str) = (
    "KUBE-NODE-PORT-TCP",
    "Kubernetes nodeport TCP port for masquerade purpose",
);
const NODE_PORT_LOCAL_TCP: (&str, &str) = (
    "KUBE-NODE-PORT-LOCAL-TCP",
    "Kubernetes nodeport TCP port with externalTrafficPolicy=local",
);
const NODE_PORT_UDP: (&str, &str) = (
    "KUBE-NODE-PORT-UDP",
    "Kubernetes nodeport UDP port for masquerade purpose",
);
const NODE_PORT_LOCAL_UDP: (&str, &str) = (
    "KUBE-NODE-PORT-LOCAL-UDP",
    "Kubernetes nodeport UDP port with externalTrafficPolicy=local",
);
const NODE_PORT_SCTP: (&str, &str) = (
    "KUBE-NODE-PORT-SCTP-HASH",
    "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'",
);
const NODE_PORT_LOCAL_SCTP: (&str, &str) = (
    "KUBE-NODE-PORT-LOCAL-SCTP-HASH",
    "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'",
);
const HEALTH_CHECK_NODE_PORT: (&str, &str) = (
    "KUBE-HEALTH-CHECK-NODE-PORT",
    "Kubernetes health check node port",
);
const IPVS_IPS: &str = "KUBE-IPVS-IPS";
const EXTERNAL_IP: &str = "KUBE-EXTERNAL-IP";

/// One row of kube-proxy's `ipsetWithIptablesChain`: the set (name, comment), whether the rule goes
/// to the nat table, the chain it goes to, its target, the set's match directions and `-p`.
type Chained<'a> = (
    &'a (&'a str, &'a str),
    bool,
    &'a str,
    &'a str,
    &'a [Dir],
    Option<Protocol>,
);

/// The ipsets and the nat/filter rules of kube-proxy's IPVS `writeIptablesRules`.
pub(super) fn ipvs_tables(
    node: &NodeInfo,
    ports: &[&ServicePortInfo],
    bound: &SortedSet<Ipv4Addr>,
) -> Tables {
    let mut sets: SortedMap<String, SetEntries> = SortedMap::new();
    for (name, _) in [
        CLUSTER_IP,
        LOAD_BALANCER,
        LOAD_BALANCER_LOCAL,
        LOAD_BALANCER_FW,
        NODE_PORT_SCTP,
        NODE_PORT_LOCAL_SCTP,
    ] {
        sets.insert(name.to_string(), SetEntries::IpPort(SortedSet::new()));
    }
    for (name, _) in [LOOP_BACK, LOAD_BALANCER_SOURCE_IP] {
        sets.insert(name.to_string(), SetEntries::IpPortIp(SortedSet::new()));
    }
    sets.insert(
        LOAD_BALANCER_SOURCE_CIDR.0.to_string(),
        SetEntries::IpPortNet(SortedSet::new()),
    );
    for (name, _) in [
        NODE_PORT_TCP,
        NODE_PORT_LOCAL_TCP,
        NODE_PORT_UDP,
        NODE_PORT_LOCAL_UDP,
        HEALTH_CHECK_NODE_PORT,
    ] {
        sets.insert(name.to_string(), SetEntries::Port(SortedSet::new()));
    }
    sets.insert(IPVS_IPS.to_string(), SetEntries::Ip(bound.clone()));
    sets.insert(
        EXTERNAL_IP.to_string(),
        SetEntries::IpPort(SortedSet::new()),
    );

    fn add_ip_port(
        sets: &mut SortedMap<String, SetEntries>,
        name: &str,
        e: (Ipv4Addr, Protocol, u16),
    ) {
        if let Some(SetEntries::IpPort(s)) = sets.get_mut(name) {
            s.insert(e);
        }
    }
    fn add_port(sets: &mut SortedMap<String, SetEntries>, name: &str, port: u16) {
        if let Some(SetEntries::Port(s)) = sets.get_mut(name) {
            s.insert(port);
        }
    }

    for svc in ports {
        let Some(cluster_ip) = svc.cluster_ip else {
            continue;
        };
        let proto = svc.protocol;
        for e in &svc.endpoints {
            if e.node == node.name && e.port != 0 {
                if let Some(SetEntries::IpPortIp(s)) = sets.get_mut(LOOP_BACK.0) {
                    s.insert((e.ip, proto, e.port, e.ip));
                }
            }
        }
        add_ip_port(&mut sets, CLUSTER_IP.0, (cluster_ip, proto, svc.port));
        let external_local = endpoints::external_policy_local(svc);
        for ip in &svc.external_ips {
            add_ip_port(&mut sets, EXTERNAL_IP, (*ip, proto, svc.port));
        }
        if let Some(hc) = svc.health_check_node_port.filter(|p| *p != 0) {
            add_port(&mut sets, HEALTH_CHECK_NODE_PORT.0, hc);
        }
        if let Some(lb) = svc.load_balancer_ip {
            add_ip_port(&mut sets, LOAD_BALANCER.0, (lb, proto, svc.port));
            if external_local {
                add_ip_port(&mut sets, LOAD_BALANCER_LOCAL.0, (lb, proto, svc.port));
            }
            let ranges = helpers::source_ranges(svc);
            if !ranges.is_empty() {
                add_ip_port(&mut sets, LOAD_BALANCER_FW.0, (lb, proto, svc.port));
                let mut allow_from_node = false;
                for r in &ranges {
                    if let Some(SetEntries::IpPortNet(s)) =
                        sets.get_mut(LOAD_BALANCER_SOURCE_CIDR.0)
                    {
                        s.insert((lb, proto, svc.port, *r));
                    }
                    allow_from_node |= r.contains(node.ip);
                }
                if allow_from_node {
                    if let Some(SetEntries::IpPortIp(s)) = sets.get_mut(LOAD_BALANCER_SOURCE_IP.0) {
                        s.insert((lb, proto, svc.port, lb));
                    }
                }
            }
        }
        if let Some(np) = svc.node_port.filter(|p| *p != 0) {
            match proto {
                Protocol::Tcp => {
                    add_port(&mut sets, NODE_PORT_TCP.0, np);
                    if external_local {
                        add_port(&mut sets, NODE_PORT_LOCAL_TCP.0, np);
                    }
                }
                Protocol::Udp => {
                    add_port(&mut sets, NODE_PORT_UDP.0, np);
                    if external_local {
                        add_port(&mut sets, NODE_PORT_LOCAL_UDP.0, np);
                    }
                }
                Protocol::Sctp => {
                    add_ip_port(&mut sets, NODE_PORT_SCTP.0, (node.ip, proto, np));
                    if external_local {
                        add_ip_port(&mut sets, NODE_PORT_LOCAL_SCTP.0, (node.ip, proto, np));
                    }
                }
            }
        }
    }

    let mut nat = TableBuilder::new("nat", helpers::NAT_BUILTINS);
    let mut filter = TableBuilder::new("filter", helpers::FILTER_BUILTINS);
    nat.push(
        "PREROUTING",
        Rule::new()
            .comment("kubernetes service portals")
            .jump_to("KUBE-SERVICES"),
    );
    nat.push(
        "OUTPUT",
        Rule::new()
            .comment("kubernetes service portals")
            .jump_to("KUBE-SERVICES"),
    );
    nat.push(
        "POSTROUTING",
        Rule::new()
            .comment("kubernetes postrouting rules")
            .jump_to("KUBE-POSTROUTING"),
    );
    // Each jump is prepended, so they end up in reverse order; the kubelet's KUBE-FIREWALL stays last.
    filter.push(
        "INPUT",
        Rule::new()
            .comment("kubernetes ipvs access filter")
            .jump_to("KUBE-IPVS-FILTER"),
    );
    filter.push(
        "INPUT",
        Rule::new()
            .comment("kube-proxy firewall rules")
            .jump_to("KUBE-PROXY-FIREWALL"),
    );
    filter.push(
        "INPUT",
        Rule::new()
            .comment("kubernetes health check rules")
            .jump_to("KUBE-NODE-PORT"),
    );
    filter.push("INPUT", Rule::new().jump_to("KUBE-FIREWALL"));
    filter.push(
        "FORWARD",
        Rule::new()
            .comment("kube-proxy firewall rules")
            .jump_to("KUBE-PROXY-FIREWALL"),
    );
    filter.push(
        "FORWARD",
        Rule::new()
            .comment("kubernetes forwarding rules")
            .jump_to("KUBE-FORWARD"),
    );
    filter.push("OUTPUT", Rule::new().jump_to("KUBE-FIREWALL"));
    for c in [
        "KUBE-SERVICES",
        "KUBE-POSTROUTING",
        "KUBE-NODE-PORT",
        "KUBE-LOAD-BALANCER",
        "KUBE-MARK-MASQ",
    ] {
        nat.declare(c);
    }
    for c in [
        "KUBE-FORWARD",
        "KUBE-NODE-PORT",
        "KUBE-PROXY-FIREWALL",
        "KUBE-SOURCE-RANGES-FIREWALL",
        "KUBE-IPVS-FILTER",
        "KUBE-FIREWALL",
    ] {
        filter.declare(c);
    }
    helpers::kube_firewall(&mut filter);

    let set_match = |name: &str, dirs: &[Dir]| Match::Set {
        name: name.to_string(),
        dirs: dirs.to_vec(),
    };
    let dst = [Dir::Dst];
    let dst_dst = [Dir::Dst, Dir::Dst];
    let dst_dst_src = [Dir::Dst, Dir::Dst, Dir::Src];
    let non_empty = |name: &str| sets.get(name).is_some_and(|s| !s.is_empty());

    nat.push(
        "KUBE-SERVICES",
        Rule::new()
            .src(Cidr::new(Ipv4Addr::new(127, 0, 0, 0), 8), false)
            .j(Target::Return),
    );
    // ipsetWithIptablesChain, in kube-proxy's order.
    let chained: [Chained<'_>; 12] = [
        (
            &LOOP_BACK,
            true,
            "KUBE-POSTROUTING",
            "MASQUERADE",
            &dst_dst_src,
            None,
        ),
        (
            &LOAD_BALANCER,
            true,
            "KUBE-SERVICES",
            "KUBE-LOAD-BALANCER",
            &dst_dst,
            None,
        ),
        (
            &LOAD_BALANCER_LOCAL,
            true,
            "KUBE-LOAD-BALANCER",
            "RETURN",
            &dst_dst,
            None,
        ),
        (
            &NODE_PORT_LOCAL_TCP,
            true,
            "KUBE-NODE-PORT",
            "RETURN",
            &dst,
            Some(Protocol::Tcp),
        ),
        (
            &NODE_PORT_TCP,
            true,
            "KUBE-NODE-PORT",
            "KUBE-MARK-MASQ",
            &dst,
            Some(Protocol::Tcp),
        ),
        (
            &NODE_PORT_LOCAL_UDP,
            true,
            "KUBE-NODE-PORT",
            "RETURN",
            &dst,
            Some(Protocol::Udp),
        ),
        (
            &NODE_PORT_UDP,
            true,
            "KUBE-NODE-PORT",
            "KUBE-MARK-MASQ",
            &dst,
            Some(Protocol::Udp),
        ),
        (
            &NODE_PORT_LOCAL_SCTP,
            true,
            "KUBE-NODE-PORT",
            "RETURN",
            &dst_dst,
            Some(Protocol::Sctp),
        ),
        (
            &NODE_PORT_SCTP,
            true,
            "KUBE-NODE-PORT",
            "KUBE-MARK-MASQ",
            &dst_dst,
            Some(Protocol::Sctp),
        ),
        (
            &LOAD_BALANCER_FW,
            false,
            "KUBE-PROXY-FIREWALL",
            "KUBE-SOURCE-RANGES-FIREWALL",
            &dst_dst,
            None,
        ),
        (
            &LOAD_BALANCER_SOURCE_CIDR,
            false,
            "KUBE-SOURCE-RANGES-FIREWALL",
            "RETURN",
            &dst_dst_src,
            None,
        ),
        (
            &LOAD_BALANCER_SOURCE_IP,
            false,
            "KUBE-SOURCE-RANGES-FIREWALL",
            "RETURN",
            &dst_dst_src,
            None,
        ),
    ];
    for ((name, comment), in_nat, from, to, dirs, proto) in chained {
        if !non_empty(name) {
            continue;
        }
        let mut rule = Rule::new();
        if let Some(p) = proto {
            rule = rule.proto(p);
        }
        rule = rule
            .comment(*comment)
            .m(set_match(name, dirs))
            .j(named_target(to));
        if in_nat {
            nat.push(from, rule);
        } else {
            filter.push(from, rule);
        }
    }
    if non_empty(CLUSTER_IP.0) {
        let rule = Rule::new().comment(CLUSTER_IP.1);
        match helpers::cluster_cidr(node) {
            Some(cidr) => nat.push(
                "KUBE-SERVICES",
                rule.m(set_match(CLUSTER_IP.0, &dst_dst))
                    .src(cidr, true)
                    .jump_to("KUBE-MARK-MASQ"),
            ),
            None => nat.push(
                "KUBE-SERVICES",
                rule.m(set_match(CLUSTER_IP.0, &[Dir::Src, Dir::Dst]))
                    .jump_to("KUBE-MARK-MASQ"),
            ),
        }
    }
    nat.push(
        "KUBE-SERVICES",
        Rule::new()
            .m(Match::AddrType {
                dir: Dir::Dst,
                invert: false,
            })
            .jump_to("KUBE-NODE-PORT"),
    );
    nat.push("KUBE-LOAD-BALANCER", Rule::new().jump_to("KUBE-MARK-MASQ"));
    filter.push("KUBE-SOURCE-RANGES-FIREWALL", Rule::new().j(Target::Drop));
    for name in [CLUSTER_IP.0, LOAD_BALANCER.0] {
        if non_empty(name) {
            nat.push(
                "KUBE-SERVICES",
                Rule::new().m(set_match(name, &dst_dst)).j(Target::Accept),
            );
        }
    }
    filter.push(
        "KUBE-FORWARD",
        Rule::new()
            .comment("kubernetes forwarding rules")
            .m(Match::Mark {
                value: helpers::MASQ_MARK,
                mask: helpers::MASQ_MARK,
                invert: false,
            })
            .j(Target::Accept),
    );
    filter.push(
        "KUBE-FORWARD",
        Rule::new()
            .comment("kubernetes forwarding conntrack rule")
            .m(Match::Conntrack {
                states: CtState::RELATED.union(CtState::ESTABLISHED),
                invert: false,
            })
            .j(Target::Accept),
    );
    filter.push(
        "KUBE-NODE-PORT",
        Rule::new()
            .comment(HEALTH_CHECK_NODE_PORT.1)
            .m(set_match(HEALTH_CHECK_NODE_PORT.0, &dst))
            .j(Target::Accept),
    );
    for (name, dirs) in [
        (LOAD_BALANCER.0, &dst_dst[..]),
        (CLUSTER_IP.0, &dst_dst[..]),
        (EXTERNAL_IP, &dst_dst[..]),
        (HEALTH_CHECK_NODE_PORT.0, &dst[..]),
    ] {
        filter.push(
            "KUBE-IPVS-FILTER",
            Rule::new().m(set_match(name, dirs)).j(Target::Return),
        );
    }
    filter.push(
        "KUBE-IPVS-FILTER",
        Rule::new()
            .m(Match::Conntrack {
                states: CtState::NEW,
                invert: false,
            })
            .m(set_match(IPVS_IPS, &dst))
            .j(Target::Reject),
    );
    helpers::masquerade_rules(&mut nat);

    Tables::from_parts(node, bound.clone(), nat.finish(), filter.finish(), sets)
}

fn named_target(name: &str) -> Target {
    match name {
        "RETURN" => Target::Return,
        "ACCEPT" => Target::Accept,
        "MASQUERADE" => Target::Masquerade {
            random_fully: false,
        },
        chain => Target::Jump(chain.to_string()),
    }
}
