//! kube-proxy's iptables `syncProxyRules`, rule for rule (pkg/proxy/iptables/proxier.go).

use crate::map::{SortedMap, SortedSet};
use std::net::{Ipv4Addr, SocketAddrV4};

use super::endpoints::{self, Categorized, Endpoint};
use super::{Cidr, CtState, Match, RecentMode, Rule, TableBuilder, Tables, Target};
use crate::kube_proxy::{DropCause, NodeInfo, ServicePortInfo};
use crate::model::Protocol;
use crate::names::{endpoint_chain_hash, service_chain_hash, service_port_name};

/// kube-proxy's masquerade mark (`--masquerade-bit 14`).
pub(crate) const MASQ_MARK: u32 = 0x4000;
/// kube-proxy's nfacct counters (`pkg/proxy/metrics/metrics.go`): invalid packets dropped in
/// KUBE-FORWARD, and NodePort packets accepted on a localhost address.
const CT_STATE_INVALID_DROPPED: &str = "ct_state_invalid_dropped_pkts";
const LOCALHOST_NODEPORT_ACCEPTED: &str = "localhost_nps_accepted_pkts";
/// Above this many endpoints kube-proxy drops the per-endpoint comments ("large cluster mode").
const LARGE_CLUSTER_ENDPOINTS: usize = 1000;

pub(crate) const NAT_BUILTINS: &[&str] = &["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"];
pub(crate) const FILTER_BUILTINS: &[&str] = &["INPUT", "FORWARD", "OUTPUT"];

const KUBE_SERVICES: &str = "KUBE-SERVICES";
const KUBE_NODEPORTS: &str = "KUBE-NODEPORTS";
const KUBE_POSTROUTING: &str = "KUBE-POSTROUTING";
const KUBE_MARK_MASQ: &str = "KUBE-MARK-MASQ";
const KUBE_EXTERNAL_SERVICES: &str = "KUBE-EXTERNAL-SERVICES";
const KUBE_FORWARD: &str = "KUBE-FORWARD";
const KUBE_PROXY_FIREWALL: &str = "KUBE-PROXY-FIREWALL";
const KUBE_FIREWALL: &str = "KUBE-FIREWALL";
pub(crate) const KUBE_PROXY_CANARY: &str = "KUBE-PROXY-CANARY";

/// Why a `-j DROP` in `chain` drops a packet: each of the drop rules lives in a chain of its own
/// kind.
pub(crate) fn drop_cause(chain: &str) -> DropCause {
    match chain {
        KUBE_PROXY_FIREWALL => DropCause::SourceRange,
        KUBE_SERVICES | KUBE_EXTERNAL_SERVICES => DropCause::NoLocalEndpoints,
        _ => DropCause::Node,
    }
}

/// kube-proxy's local traffic detector for `--cluster-cidr` (`None` when it cannot parse it, in
/// which case kube-proxy writes no `! -s <cidr>` and no "pod traffic" rules).
pub(crate) fn cluster_cidr(node: &NodeInfo) -> Option<Cidr> {
    if node.cluster_cidr.contains('/') {
        Cidr::parse(&node.cluster_cidr)
    } else {
        None
    }
}

fn loopback() -> Cidr {
    Cidr::new(Ipv4Addr::new(127, 0, 0, 0), 8)
}

/// `KUBE-POSTROUTING` and `KUBE-MARK-MASQ`, the same in both proxy modes.
pub(crate) fn masquerade_rules(nat: &mut TableBuilder) {
    nat.push(
        KUBE_POSTROUTING,
        Rule::new()
            .m(Match::Mark {
                value: MASQ_MARK,
                mask: MASQ_MARK,
                invert: true,
            })
            .j(Target::Return),
    );
    nat.push(
        KUBE_POSTROUTING,
        Rule::new().j(Target::Mark {
            value: MASQ_MARK,
            mask: 0,
        }),
    );
    nat.push(
        KUBE_POSTROUTING,
        Rule::new()
            .comment("kubernetes service traffic requiring SNAT")
            .j(Target::Masquerade { random_fully: true }),
    );
    nat.push(
        KUBE_MARK_MASQ,
        Rule::new().j(Target::Mark {
            value: MASQ_MARK,
            mask: MASQ_MARK,
        }),
    );
}

/// The kubelet's (and kube-proxy's copy of the) anti-martian rule in filter `KUBE-FIREWALL`.
pub(crate) fn kube_firewall(filter: &mut TableBuilder) {
    filter.push(
        KUBE_FIREWALL,
        Rule::new()
            .comment("block incoming localnet connections")
            .dst(loopback())
            .src(loopback(), true)
            .m(Match::Conntrack {
                states: CtState::RELATED
                    .union(CtState::ESTABLISHED)
                    .union(CtState::DNAT),
                invert: true,
            })
            .j(Target::Drop),
    );
}

/// The iptables rules a node has when kube-proxy writes none (nftables mode): the kubelet's
/// `KUBE-FIREWALL` and the built-in chains.
pub(crate) fn kubelet_only(node: &NodeInfo) -> Tables {
    let nat = TableBuilder::new("nat", NAT_BUILTINS);
    let mut filter = TableBuilder::new("filter", FILTER_BUILTINS);
    filter.push("INPUT", Rule::new().jump_to(KUBE_FIREWALL));
    filter.push("OUTPUT", Rule::new().jump_to(KUBE_FIREWALL));
    kube_firewall(&mut filter);
    Tables::from_parts(
        node,
        SortedSet::new(),
        nat.finish(),
        filter.finish(),
        SortedMap::new(),
    )
}

/// `-m conntrack --ctstate NEW -m comment --comment "..." -j chain`, a jump from a built-in chain.
fn new_jump(comment: &str, chain: &str) -> Rule {
    Rule::new()
        .m(Match::Conntrack {
            states: CtState::NEW,
            invert: false,
        })
        .comment(comment)
        .jump_to(chain)
}

/// The kube-proxy service-port identity and chain names.
struct Names {
    spn: String,
    cluster_chain: String,
    local_chain: String,
    external_chain: String,
    firewall_chain: String,
}

impl Names {
    fn new(svc: &ServicePortInfo) -> Names {
        let spn = service_port_name(
            &svc.service.namespace,
            &svc.service.name,
            svc.port_name.as_deref(),
        );
        let hash = service_chain_hash(&spn, svc.protocol);
        Names {
            cluster_chain: format!("KUBE-SVC-{hash}"),
            local_chain: format!("KUBE-SVL-{hash}"),
            external_chain: format!("KUBE-EXT-{hash}"),
            firewall_chain: format!("KUBE-FW-{hash}"),
            spn,
        }
    }

    fn endpoint_chain(&self, svc: &ServicePortInfo, ep: &Endpoint<'_>) -> String {
        format!(
            "KUBE-SEP-{}",
            endpoint_chain_hash(&self.spn, svc.protocol, &ep.key)
        )
    }
}

/// Service ports with a cluster IP, sorted by `(namespace/name:port, protocol)`, one per key.
pub(crate) fn proxied(services: &[ServicePortInfo]) -> Vec<&ServicePortInfo> {
    let mut keyed: Vec<(String, Protocol, &ServicePortInfo)> = services
        .iter()
        .filter(|s| s.cluster_ip.is_some())
        .map(|s| {
            let spn = service_port_name(
                &s.service.namespace,
                &s.service.name,
                s.port_name.as_deref(),
            );
            (spn, s.protocol, s)
        })
        .collect();
    crate::sort::sort_by(&mut keyed, |a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    keyed.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    keyed.into_iter().map(|(_, _, s)| s).collect()
}

/// Valid `loadBalancerSourceRanges` (kube-proxy ignores the ones it cannot parse).
pub(crate) fn source_ranges(svc: &ServicePortInfo) -> Vec<Cidr> {
    svc.load_balancer_source_ranges
        .iter()
        .filter(|r| r.contains('/'))
        .filter_map(|r| Cidr::parse(r))
        .collect()
}

pub(super) fn build(node: &NodeInfo, services: &[ServicePortInfo]) -> Tables {
    let mut nat = TableBuilder::new("nat", NAT_BUILTINS);
    let mut filter = TableBuilder::new("filter", FILTER_BUILTINS);
    let cidr = cluster_cidr(node);

    // Jumps from the built-in chains. kube-proxy prepends each one, so they end up in reverse
    // order; the kubelet's KUBE-FIREWALL jumps were there first and stay last.
    nat.push(
        "PREROUTING",
        Rule::new()
            .comment("kubernetes service portals")
            .jump_to(KUBE_SERVICES),
    );
    nat.push(
        "OUTPUT",
        Rule::new()
            .comment("kubernetes service portals")
            .jump_to(KUBE_SERVICES),
    );
    nat.push(
        "POSTROUTING",
        Rule::new()
            .comment("kubernetes postrouting rules")
            .jump_to(KUBE_POSTROUTING),
    );
    let lb_firewall = "kubernetes load balancer firewall";
    let external = "kubernetes externally-visible service portals";
    let portals = "kubernetes service portals";
    filter.push("INPUT", new_jump(lb_firewall, KUBE_PROXY_FIREWALL));
    filter.push(
        "INPUT",
        Rule::new()
            .comment("kubernetes health check service ports")
            .jump_to(KUBE_NODEPORTS),
    );
    filter.push("INPUT", new_jump(external, KUBE_EXTERNAL_SERVICES));
    filter.push("INPUT", Rule::new().jump_to(KUBE_FIREWALL));
    filter.push("FORWARD", new_jump(lb_firewall, KUBE_PROXY_FIREWALL));
    filter.push(
        "FORWARD",
        Rule::new()
            .comment("kubernetes forwarding rules")
            .jump_to(KUBE_FORWARD),
    );
    filter.push("FORWARD", new_jump(portals, KUBE_SERVICES));
    filter.push("FORWARD", new_jump(external, KUBE_EXTERNAL_SERVICES));
    filter.push("OUTPUT", new_jump(lb_firewall, KUBE_PROXY_FIREWALL));
    filter.push("OUTPUT", new_jump(portals, KUBE_SERVICES));
    filter.push("OUTPUT", Rule::new().jump_to(KUBE_FIREWALL));

    for chain in [
        KUBE_SERVICES,
        KUBE_EXTERNAL_SERVICES,
        KUBE_FORWARD,
        KUBE_NODEPORTS,
        KUBE_PROXY_FIREWALL,
        KUBE_FIREWALL,
        KUBE_PROXY_CANARY,
    ] {
        filter.declare(chain);
    }
    for chain in [
        KUBE_SERVICES,
        KUBE_NODEPORTS,
        KUBE_POSTROUTING,
        KUBE_MARK_MASQ,
        KUBE_PROXY_CANARY,
    ] {
        nat.declare(chain);
    }

    masquerade_rules(&mut nat);
    kube_firewall(&mut filter);

    let ports = proxied(services);
    let total_endpoints: usize = ports.iter().map(|s| s.endpoints.len()).sum();
    let large_cluster = total_endpoints > LARGE_CLUSTER_ENDPOINTS;
    for svc in ports {
        service_rules(&mut nat, &mut filter, node, cidr, svc, large_cluster);
    }

    nat.push(
        KUBE_SERVICES,
        Rule::new()
            .comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain")
            .m(Match::AddrType {
                dir: super::Dir::Dst,
                invert: false,
            })
            .jump_to(KUBE_NODEPORTS),
    );

    filter.push(
        KUBE_FORWARD,
        Rule::new()
            .m(Match::Conntrack {
                states: CtState::INVALID,
                invert: false,
            })
            .m(Match::Nfacct(CT_STATE_INVALID_DROPPED))
            .j(Target::Drop),
    );
    filter.push(
        KUBE_FORWARD,
        Rule::new()
            .comment("kubernetes forwarding rules")
            .m(Match::Mark {
                value: MASQ_MARK,
                mask: MASQ_MARK,
                invert: false,
            })
            .j(Target::Accept),
    );
    filter.push(
        KUBE_FORWARD,
        Rule::new()
            .comment("kubernetes forwarding conntrack rule")
            .m(Match::Conntrack {
                states: CtState::RELATED.union(CtState::ESTABLISHED),
                invert: false,
            })
            .j(Target::Accept),
    );

    Tables::from_parts(
        node,
        SortedSet::new(),
        nat.finish(),
        filter.finish(),
        SortedMap::new(),
    )
}

/// Everything one Service port contributes, in the order kube-proxy writes it.
fn service_rules(
    nat: &mut TableBuilder,
    filter: &mut TableBuilder,
    node: &NodeInfo,
    cidr: Option<Cidr>,
    svc: &ServicePortInfo,
    large_cluster: bool,
) {
    let Some(cluster_ip) = svc.cluster_ip else {
        return;
    };
    let names = Names::new(svc);
    let spn = names.spn.as_str();
    let proto = svc.protocol;
    let eps: Categorized<'_> = endpoints::categorize(svc, &node.name);
    let has_endpoints = eps.has_any;

    let uses_cluster_chain = !eps.cluster.is_empty() && endpoints::uses_cluster_endpoints(svc);
    let uses_local_chain = !eps.local.is_empty() && endpoints::uses_local_endpoints(svc);

    let (internal_chain, has_internal) = if endpoints::internal_policy_local(svc) {
        (&names.local_chain, has_endpoints && !eps.local.is_empty())
    } else {
        (&names.cluster_chain, has_endpoints)
    };
    let external_local = endpoints::external_policy_local(svc);
    let (external_policy_chain, has_external) = if external_local {
        (&names.local_chain, has_endpoints && !eps.local.is_empty())
    } else {
        (&names.cluster_chain, has_endpoints)
    };
    let uses_external_chain = has_endpoints && endpoints::externally_accessible(svc);

    let ranges = source_ranges(svc);
    let lb_ip = svc.load_balancer_ip;
    let uses_fw_chain = has_endpoints && lb_ip.is_some() && !ranges.is_empty();
    let lb_chain = if uses_fw_chain {
        &names.firewall_chain
    } else {
        &names.external_chain
    };

    let (internal_filter, external_filter) = if !has_endpoints {
        let c = format!("{spn} has no endpoints");
        (Some((Target::Reject, c.clone())), Some((Target::Reject, c)))
    } else {
        let c = format!("{spn} has no local endpoints");
        (
            (!has_internal).then(|| (Target::Drop, c.clone())),
            (!has_external).then_some((Target::Drop, c)),
        )
    };

    // Capture the cluster IP.
    let cluster_dst = Cidr::host(cluster_ip);
    let cluster_comment = format!("{spn} cluster IP");
    if has_internal {
        nat.push(
            KUBE_SERVICES,
            Rule::new()
                .comment(cluster_comment.as_str())
                .port(proto, Some(svc.port))
                .dst(cluster_dst)
                .jump_to(internal_chain),
        );
    } else if let Some((target, comment)) = &internal_filter {
        filter.push(
            KUBE_SERVICES,
            Rule::new()
                .comment(comment.as_str())
                .port(proto, Some(svc.port))
                .dst(cluster_dst)
                .j(target.clone()),
        );
    }

    // Capture external IPs.
    for ip in &svc.external_ips {
        let dst = Cidr::host(*ip);
        if has_endpoints {
            nat.push(
                KUBE_SERVICES,
                Rule::new()
                    .comment(format!("{spn} external IP"))
                    .port(proto, Some(svc.port))
                    .dst(dst)
                    .jump_to(&names.external_chain),
            );
        }
        if let Some((target, comment)) = &external_filter {
            filter.push(
                KUBE_EXTERNAL_SERVICES,
                Rule::new()
                    .comment(comment.as_str())
                    .port(proto, Some(svc.port))
                    .dst(dst)
                    .j(target.clone()),
            );
        }
    }

    // Capture load-balancer ingress.
    if let Some(lb) = lb_ip {
        let lb_dst = Cidr::host(lb);
        if has_endpoints {
            nat.push(
                KUBE_SERVICES,
                Rule::new()
                    .comment(format!("{spn} loadbalancer IP"))
                    .port(proto, Some(svc.port))
                    .dst(lb_dst)
                    .jump_to(lb_chain),
            );
        }
        if uses_fw_chain {
            filter.push(
                KUBE_PROXY_FIREWALL,
                Rule::new()
                    .comment(format!(
                        "{spn} traffic not accepted by {}",
                        names.firewall_chain
                    ))
                    .port(proto, Some(svc.port))
                    .dst(lb_dst)
                    .j(Target::Drop),
            );
        }
        if let Some((target, comment)) = &external_filter {
            filter.push(
                KUBE_EXTERNAL_SERVICES,
                Rule::new()
                    .comment(comment.as_str())
                    .port(proto, Some(svc.port))
                    .dst(lb_dst)
                    .j(target.clone()),
            );
        }
    }

    // Capture node ports.
    if let Some(node_port) = svc.node_port.filter(|p| *p != 0) {
        if has_endpoints {
            // `--iptables-localhost-nodeports` (on by default): a NodePort on 127.0.0.0/8,
            // counted by its nfacct object, before the rule for every other local address.
            nat.push(
                KUBE_NODEPORTS,
                Rule::new()
                    .comment(spn)
                    .port(proto, Some(node_port))
                    .dst(loopback())
                    .m(Match::Nfacct(LOCALHOST_NODEPORT_ACCEPTED))
                    .jump_to(&names.external_chain),
            );
            nat.push(
                KUBE_NODEPORTS,
                Rule::new()
                    .comment(spn)
                    .port(proto, Some(node_port))
                    .jump_to(&names.external_chain),
            );
        }
        if let Some((target, comment)) = &external_filter {
            filter.push(
                KUBE_EXTERNAL_SERVICES,
                Rule::new()
                    .comment(comment.as_str())
                    .m(Match::AddrType {
                        dir: super::Dir::Dst,
                        invert: false,
                    })
                    .port(proto, Some(node_port))
                    .j(target.clone()),
            );
        }
    }

    // Capture the health check node port: accepted whether or not this node has endpoints.
    if let Some(hc) = svc.health_check_node_port.filter(|p| *p != 0) {
        filter.push(
            KUBE_NODEPORTS,
            Rule::new()
                .comment(format!("{spn} health check node port"))
                .port(Protocol::Tcp, Some(hc))
                .j(Target::Accept),
        );
    }

    // Internal traffic: masquerade what comes from outside the pod network.
    if has_internal {
        if let Some(cidr) = cidr {
            nat.push(
                internal_chain,
                Rule::new()
                    .comment(cluster_comment.as_str())
                    .port(proto, Some(svc.port))
                    .dst(cluster_dst)
                    .src(cidr, true)
                    .jump_to(KUBE_MARK_MASQ),
            );
        }
    }

    // External traffic.
    if uses_external_chain {
        let ext = &names.external_chain;
        nat.declare(ext);
        if !external_local {
            nat.push(
                ext,
                Rule::new()
                    .comment(format!(
                        "masquerade traffic for {spn} external destinations"
                    ))
                    .jump_to(KUBE_MARK_MASQ),
            );
        } else {
            if let Some(cidr) = cidr {
                nat.push(
                    ext,
                    Rule::new()
                        .comment(format!("pod traffic for {spn} external destinations"))
                        .src(cidr, false)
                        .jump_to(&names.cluster_chain),
                );
            }
            nat.push(
                ext,
                Rule::new()
                    .comment(format!(
                        "masquerade LOCAL traffic for {spn} external destinations"
                    ))
                    .m(Match::AddrType {
                        dir: super::Dir::Src,
                        invert: false,
                    })
                    .jump_to(KUBE_MARK_MASQ),
            );
            nat.push(
                ext,
                Rule::new()
                    .comment(format!(
                        "route LOCAL traffic for {spn} external destinations"
                    ))
                    .m(Match::AddrType {
                        dir: super::Dir::Src,
                        invert: false,
                    })
                    .jump_to(&names.cluster_chain),
            );
        }
        if has_external {
            nat.push(ext, Rule::new().jump_to(external_policy_chain));
        }
    }

    // The LoadBalancer source-range firewall.
    if let (true, Some(lb)) = (uses_fw_chain, lb_ip) {
        let fw = &names.firewall_chain;
        nat.declare(fw);
        let lb_comment = format!("{spn} loadbalancer IP");
        let mut allow_from_node = false;
        for range in &ranges {
            nat.push(
                fw,
                Rule::new()
                    .comment(lb_comment.as_str())
                    .src(*range, false)
                    .jump_to(&names.external_chain),
            );
            allow_from_node |= range.contains(node.ip);
        }
        if allow_from_node {
            nat.push(
                fw,
                Rule::new()
                    .comment(lb_comment.as_str())
                    .src(Cidr::host(lb), false)
                    .jump_to(&names.external_chain),
            );
        }
        nat.push(
            fw,
            Rule::new().comment(format!(
                "other traffic to {spn} will be dropped by KUBE-PROXY-FIREWALL"
            )),
        );
    }

    // The KUBE-SEP- chain names, hashed once per endpoint.
    let mut seps: SortedMap<&str, String> = SortedMap::new();
    for ep in &eps.reachable {
        seps.insert(ep.key.as_str(), names.endpoint_chain(svc, ep));
    }
    if uses_cluster_chain {
        nat.declare(&names.cluster_chain);
        endpoint_jumps(
            nat,
            &names,
            svc,
            &names.cluster_chain,
            &eps.cluster,
            &seps,
            large_cluster,
        );
    }
    if uses_local_chain {
        nat.declare(&names.local_chain);
        endpoint_jumps(
            nat,
            &names,
            svc,
            &names.local_chain,
            &eps.local,
            &seps,
            large_cluster,
        );
    }

    // One KUBE-SEP- chain per reachable endpoint: hairpin masquerade, then DNAT.
    for ep in &eps.reachable {
        let sep = &seps[ep.key.as_str()];
        let mut masq = Rule::new();
        let mut dnat = Rule::new();
        if !large_cluster {
            masq = masq.comment(spn);
            dnat = dnat.comment(spn);
        }
        nat.push(
            sep,
            masq.src(Cidr::host(ep.info.ip), false)
                .jump_to(KUBE_MARK_MASQ),
        );
        if svc.affinity_timeout.is_some() {
            dnat = dnat.m(Match::Recent {
                name: sep.clone(),
                mode: RecentMode::Set,
            });
        }
        nat.push(
            sep,
            dnat.port(proto, None)
                .j(Target::Dnat(SocketAddrV4::new(ep.info.ip, ep.info.port))),
        );
    }
}

/// `writeServiceToEndpointRules`: affinity checks first, then one statistic rule per endpoint.
fn endpoint_jumps(
    nat: &mut TableBuilder,
    names: &Names,
    svc: &ServicePortInfo,
    chain: &str,
    eps: &[Endpoint<'_>],
    seps: &SortedMap<&str, String>,
    large_cluster: bool,
) {
    let sep_of = |ep: &Endpoint<'_>| {
        seps.get(ep.key.as_str())
            .cloned()
            .unwrap_or_else(|| names.endpoint_chain(svc, ep))
    };
    let comment = |ep: &Endpoint<'_>, rule: Rule| {
        if large_cluster {
            rule
        } else {
            rule.comment(format!("{} -> {}", names.spn, ep.key))
        }
    };
    if let Some(seconds) = svc.affinity_timeout {
        for ep in eps {
            let sep = sep_of(ep);
            nat.push(
                chain,
                comment(ep, Rule::new())
                    .m(Match::Recent {
                        name: sep.clone(),
                        mode: RecentMode::Rcheck {
                            seconds,
                            reap: true,
                        },
                    })
                    .jump_to(&sep),
            );
        }
    }
    let n = eps.len();
    for (i, ep) in eps.iter().enumerate() {
        let sep = sep_of(ep);
        let mut rule = comment(ep, Rule::new());
        if i + 1 < n {
            rule = rule.m(Match::one_in(n - i));
        }
        nat.push(chain, rule.jump_to(&sep));
    }
}
