//! The nftables proxier's `setupNFTables` and `syncProxyRules`, rule for rule
//! (kubernetes/kubernetes `pkg/proxy/nftables/proxier.go` as of v1.36: no `mark-for-masquerade`
//! chain, a `hairpin-connections` set, Service chains that DNAT straight to
//! `numgen random mod N map { ... }` and endpoint chains only for ClientIP affinity).

use std::net::{Ipv4Addr, SocketAddrV4};

use super::rule::{Addr, Element, Expr, Key, Rule, Stmt, Verdict};
use super::{Base, Chain, Hook, Ruleset, Set};
use crate::kube_proxy::iptables::build::{cluster_cidr, proxied, source_ranges, MASQ_MARK};
use crate::kube_proxy::iptables::endpoints::{self, Endpoint};
use crate::kube_proxy::iptables::Cidr;
use crate::kube_proxy::{DropCause, NodeInfo, RejectCause, ServicePortInfo};
use crate::map::SortedMap;
use crate::names::{nft_chain_base, service_port_name};

const FILTER_PREROUTING: &str = "filter-prerouting-pre-dnat";
const FILTER_OUTPUT_PRE_DNAT: &str = "filter-output-pre-dnat";
const FILTER_INPUT: &str = "filter-input";
const FILTER_FORWARD: &str = "filter-forward";
const FILTER_OUTPUT: &str = "filter-output";
const NAT_PREROUTING: &str = "nat-prerouting";
const NAT_OUTPUT: &str = "nat-output";
const NAT_POSTROUTING: &str = "nat-postrouting";

const SERVICES: &str = "services";
const SERVICE_IPS: &str = "service-ips";
const SERVICE_NODEPORTS: &str = "service-nodeports";
const NODEPORT_IPS: &str = "nodeport-ips";
const CLUSTER_IPS: &str = "cluster-ips";
const SERVICE_ENDPOINTS_CHECK: &str = "service-endpoints-check";
const NODEPORT_ENDPOINTS_CHECK: &str = "nodeport-endpoints-check";
const NO_ENDPOINT_SERVICES: &str = "no-endpoint-services";
const NO_ENDPOINT_NODEPORTS: &str = "no-endpoint-nodeports";
const REJECT_CHAIN: &str = "reject-chain";
const CLUSTER_IPS_CHECK: &str = "cluster-ips-check";
const FIREWALL_IPS: &str = "firewall-ips";
const FIREWALL_CHECK: &str = "firewall-check";
const MASQUERADING: &str = "masquerading";
const HAIRPIN: &str = "hairpin-connections";

const ADDR_PORT_VERDICT: &str = "ipv4_addr . inet_proto . inet_service : verdict";
const PORT_VERDICT: &str = "inet_proto . inet_service : verdict";

/// `nftablesBaseChains`, in upstream's order.
const BASE_CHAINS: &[(&str, &str, Hook, i32)] = &[
    (FILTER_PREROUTING, "filter", Hook::Prerouting, -110),
    (FILTER_OUTPUT_PRE_DNAT, "filter", Hook::Output, -110),
    (FILTER_INPUT, "filter", Hook::Input, 0),
    (FILTER_FORWARD, "filter", Hook::Forward, 0),
    (FILTER_OUTPUT, "filter", Hook::Output, 0),
    (NAT_PREROUTING, "nat", Hook::Prerouting, -100),
    (NAT_OUTPUT, "nat", Hook::Output, -100),
    (NAT_POSTROUTING, "nat", Hook::Postrouting, 100),
];

/// `nftablesJumpChains`: (to, from, only for new connections).
const JUMP_CHAINS: &[(&str, &str, bool)] = &[
    (NODEPORT_ENDPOINTS_CHECK, FILTER_INPUT, true),
    (SERVICE_ENDPOINTS_CHECK, FILTER_INPUT, true),
    (SERVICE_ENDPOINTS_CHECK, FILTER_FORWARD, true),
    (SERVICE_ENDPOINTS_CHECK, FILTER_OUTPUT, true),
    (FIREWALL_CHECK, FILTER_PREROUTING, true),
    (FIREWALL_CHECK, FILTER_OUTPUT_PRE_DNAT, true),
    (SERVICES, NAT_OUTPUT, false),
    (SERVICES, NAT_PREROUTING, false),
    (MASQUERADING, NAT_POSTROUTING, false),
    (CLUSTER_IPS_CHECK, FILTER_FORWARD, true),
    (CLUSTER_IPS_CHECK, FILTER_OUTPUT, true),
];

/// Chains, sets and maps while the proxier writes them.
struct Builder {
    chains: SortedMap<String, Chain>,
    sets: SortedMap<String, Set>,
}

impl Builder {
    fn chain(&mut self, name: &str) -> &mut Chain {
        if !self.chains.contains_key(name) {
            self.chains.insert(
                name.to_string(),
                Chain {
                    name: name.into(),
                    base: None,
                    comment: None,
                    rules: Vec::new(),
                },
            );
        }
        self.chains
            .get_mut(name)
            .expect("the chain was inserted above")
    }

    fn rule(&mut self, chain: &str, rule: Rule) {
        self.chain(chain).rules.push(rule);
    }

    fn set(&mut self, name: &str, ty: &'static str, map: bool, comment: Option<&'static str>) {
        self.sets.insert(
            name.to_string(),
            Set {
                name: name.to_string(),
                ty,
                map,
                timeout: None,
                comment,
                elements: Vec::new(),
            },
        );
    }

    /// `ensureElem`: add an element unless one with the same key is there.
    fn element(&mut self, set: &str, key: Key, comment: Option<&str>, verdict: Option<Verdict>) {
        let Some(s) = self.sets.get_mut(set) else {
            return;
        };
        if s.elements.iter().any(|e| e.key == key) {
            return;
        }
        s.elements.push(Element {
            key,
            comment: comment.map(str::to_string),
            verdict,
        });
    }
}

fn goto(chain: &str) -> Option<Verdict> {
    Some(Verdict::Goto(chain.to_string()))
}

/// Why a `reject` in `chain` refuses a connection.
pub(super) fn reject_cause(chain: &str) -> RejectCause {
    match chain {
        CLUSTER_IPS_CHECK => RejectCause::InvalidPort,
        _ => RejectCause::NoEndpoints,
    }
}

/// Why a `drop` in `chain` drops a packet: `cluster-ips-check` drops what is sent to an
/// unallocated ClusterIP; the only other drop rules are in the `firewall-` chains.
pub(super) fn drop_cause(chain: &str) -> DropCause {
    match chain {
        CLUSTER_IPS_CHECK => DropCause::UnallocatedClusterIp,
        _ => DropCause::SourceRange,
    }
}

/// kube-proxy's names for one Service port's chains.
struct Names {
    /// `ns/name:port`, the comment on its no-endpoint elements.
    spn: String,
    /// `ns/name/tcp/port`, the un-hashed part of every chain name.
    base: String,
    cluster: String,
    local: String,
    external: String,
    firewall: String,
}

impl Names {
    fn new(svc: &ServicePortInfo) -> Names {
        let port = svc.port_name.as_deref().unwrap_or("");
        let base = format!(
            "{}/{}/{}/{port}",
            svc.service.namespace,
            svc.service.name,
            svc.protocol.lower()
        );
        let hashed = nft_chain_base(&base);
        Names {
            spn: service_port_name(
                &svc.service.namespace,
                &svc.service.name,
                svc.port_name.as_deref(),
            ),
            cluster: format!("service-{hashed}"),
            local: format!("local-{hashed}"),
            external: format!("external-{hashed}"),
            firewall: format!("firewall-{hashed}"),
            base,
        }
    }

    /// `endpoint-...` and `affinity-...` for one endpoint.
    fn endpoint(&self, ep: &Endpoint<'_>) -> (String, String) {
        let hashed = nft_chain_base(&format!("{}__{}/{}", self.base, ep.info.ip, ep.info.port));
        (format!("endpoint-{hashed}"), format!("affinity-{hashed}"))
    }
}

pub(super) fn build(node: &NodeInfo, services: &[ServicePortInfo], service_cidr: &str) -> Ruleset {
    let mut b = Builder {
        chains: SortedMap::new(),
        sets: SortedMap::new(),
    };
    let pods = cluster_cidr(node);
    setup(&mut b, node, pods, service_cidr);
    for svc in proxied(services) {
        service(&mut b, node, pods, svc);
    }
    let chains: Vec<Chain> = b.chains.into_iter().map(|(_, c)| c).collect();
    let mut index = SortedMap::new();
    for (i, c) in chains.iter().enumerate() {
        index.insert(c.name.to_string(), i);
    }
    let mut bases: Vec<(Hook, i32, usize)> = chains
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.base.map(|b| (b.hook, b.priority, i)))
        .collect();
    bases.sort();
    Ruleset {
        node: node.name.as_str().into(),
        node_ip: node.ip,
        chains,
        index,
        bases: bases.into_iter().map(|(h, _, i)| (h, i)).collect(),
        sets: b
            .sets
            .into_iter()
            .map(|(_, mut s)| {
                // nft lists a hash set in the kernel's order; svclab keeps keys in order.
                crate::sort::sort_by(&mut s.elements, |a, b| a.key.cmp(&b.key));
                s
            })
            .collect(),
    }
}

/// `setupNFTables`: the base chains, the jumps into kube-proxy's chains, and the fixed chains,
/// sets and maps.
fn setup(b: &mut Builder, node: &NodeInfo, pods: Option<Cidr>, service_cidr: &str) {
    for &(name, kind, hook, priority) in BASE_CHAINS {
        b.chain(name).base = Some(Base {
            kind,
            hook,
            priority,
        });
    }
    for &(to, from, new) in JUMP_CHAINS {
        b.chain(to);
        let mut rule = Rule::new(Stmt::Jump(to.to_string()));
        if new {
            rule = rule.m(Expr::CtStateNew);
        }
        b.rule(from, rule);
    }

    b.set(
        HAIRPIN,
        "ipv4_addr . ipv4_addr . inet_proto . inet_service",
        false,
        Some("service hairpin connections"),
    );
    b.rule(
        MASQUERADING,
        Rule::new(Stmt::XorMasquerade(MASQ_MARK)).m(Expr::MarkSet(MASQ_MARK)),
    );
    b.rule(
        MASQUERADING,
        Rule::new(Stmt::Masquerade)
            .m(Expr::CtStatusDnat)
            .m(Expr::Hairpin(HAIRPIN.into())),
    );

    b.set(CLUSTER_IPS, "ipv4_addr", false, Some("Active ClusterIPs"));
    b.rule(
        CLUSTER_IPS_CHECK,
        Rule::new(Stmt::Reject)
            .m(Expr::Daddr(Addr::InSet(CLUSTER_IPS.into())))
            .comment("Reject traffic to invalid ports of ClusterIPs"),
    );
    let service_cidrs: Vec<Cidr> = service_cidr.split(',').filter_map(Cidr::parse).collect();
    if !service_cidrs.is_empty() {
        b.rule(
            CLUSTER_IPS_CHECK,
            Rule::new(Stmt::Drop)
                .m(Expr::Daddr(Addr::Anon(service_cidrs, false)))
                .comment("Drop traffic to unallocated ClusterIPs"),
        );
    }

    // nodePortAddresses defaults to `primary` in nftables mode: the node's own IP.
    b.set(
        NODEPORT_IPS,
        "ipv4_addr",
        false,
        Some("IPs that accept NodePort traffic"),
    );
    b.element(NODEPORT_IPS, Key::Addr(node.ip), None, None);

    b.set(
        NO_ENDPOINT_SERVICES,
        ADDR_PORT_VERDICT,
        true,
        Some("vmap to drop or reject packets to services with no endpoints"),
    );
    b.set(
        NO_ENDPOINT_NODEPORTS,
        PORT_VERDICT,
        true,
        Some("vmap to drop or reject packets to service nodeports with no endpoints"),
    );
    b.chain(REJECT_CHAIN).comment =
        Some("helper for @no-endpoint-services / @no-endpoint-nodeports");
    b.rule(REJECT_CHAIN, Rule::new(Stmt::Reject));
    b.rule(
        SERVICE_ENDPOINTS_CHECK,
        Rule::new(Stmt::VmapAddrPort(NO_ENDPOINT_SERVICES.into())),
    );
    b.rule(
        NODEPORT_ENDPOINTS_CHECK,
        Rule::new(Stmt::VmapPort(NO_ENDPOINT_NODEPORTS.into()))
            .m(Expr::Daddr(Addr::InSet(NODEPORT_IPS.into()))),
    );

    b.set(
        FIREWALL_IPS,
        ADDR_PORT_VERDICT,
        true,
        Some("destinations that are subject to LoadBalancerSourceRanges"),
    );
    b.rule(
        FIREWALL_CHECK,
        Rule::new(Stmt::VmapAddrPort(FIREWALL_IPS.into())),
    );

    b.set(
        SERVICE_IPS,
        ADDR_PORT_VERDICT,
        true,
        Some("ClusterIP, ExternalIP and LoadBalancer IP traffic"),
    );
    b.set(
        SERVICE_NODEPORTS,
        PORT_VERDICT,
        true,
        Some("NodePort traffic"),
    );
    if let Some(pods) = pods {
        b.rule(
            SERVICES,
            Rule::new(Stmt::MarkOr(MASQ_MARK))
                .m(Expr::Daddr(Addr::InSet(CLUSTER_IPS.into())))
                .m(Expr::Saddr(Addr::Not(pods)))
                .comment("masquerade clusterIP traffic from outside cluster"),
        );
    }
    b.rule(SERVICES, Rule::new(Stmt::VmapAddrPort(SERVICE_IPS.into())));
    b.rule(
        SERVICES,
        Rule::new(Stmt::VmapPort(SERVICE_NODEPORTS.into()))
            .m(Expr::Daddr(Addr::InSet(NODEPORT_IPS.into()))),
    );
}

/// Everything one Service port contributes, in the order kube-proxy writes it.
fn service(b: &mut Builder, node: &NodeInfo, pods: Option<Cidr>, svc: &ServicePortInfo) {
    let Some(cluster_ip) = svc.cluster_ip else {
        return;
    };
    let names = Names::new(svc);
    let proto = svc.protocol;
    let port = svc.port;
    let eps = endpoints::categorize(svc, &node.name);
    let has_endpoints = eps.has_any;
    let affinity = svc.affinity_timeout;

    for ep in &eps.reachable {
        if affinity.is_some() {
            b.chain(&names.endpoint(ep).0);
        }
        if ep.info.node == node.name {
            b.element(
                HAIRPIN,
                Key::Hairpin(ep.info.ip, proto, ep.info.port),
                None,
                None,
            );
        }
    }

    let uses_cluster_chain = !eps.cluster.is_empty() && endpoints::uses_cluster_endpoints(svc);
    if uses_cluster_chain {
        b.chain(&names.cluster);
    }
    let uses_local_chain = !eps.local.is_empty() && endpoints::uses_local_endpoints(svc);
    if uses_local_chain {
        b.chain(&names.local);
    }
    let (internal_chain, has_internal) = if endpoints::internal_policy_local(svc) {
        (&names.local, has_endpoints && !eps.local.is_empty())
    } else {
        (&names.cluster, has_endpoints)
    };
    let external_local = endpoints::external_policy_local(svc);
    let (external_policy_chain, has_external) = if external_local {
        (&names.local, has_endpoints && !eps.local.is_empty())
    } else {
        (&names.cluster, has_endpoints)
    };
    let uses_external_chain = has_endpoints && endpoints::externally_accessible(svc);
    if uses_external_chain {
        b.chain(&names.external);
    }
    let (internal_filter, external_filter) = if !has_endpoints {
        (goto(REJECT_CHAIN), goto(REJECT_CHAIN))
    } else {
        (
            (!has_internal).then_some(Verdict::Drop),
            (!has_external).then_some(Verdict::Drop),
        )
    };
    let comment = Some(names.spn.as_str());
    let at = |ip: Ipv4Addr| Key::AddrPort(ip, proto, port);

    // Capture the cluster IP.
    b.element(CLUSTER_IPS, Key::Addr(cluster_ip), None, None);
    if has_internal {
        b.element(SERVICE_IPS, at(cluster_ip), None, goto(internal_chain));
    } else {
        b.element(
            NO_ENDPOINT_SERVICES,
            at(cluster_ip),
            comment,
            internal_filter,
        );
    }

    // Capture external IPs.
    for &ip in &svc.external_ips {
        if has_endpoints {
            b.element(SERVICE_IPS, at(ip), None, goto(&names.external));
        }
        if !has_external {
            b.element(
                NO_ENDPOINT_SERVICES,
                at(ip),
                comment,
                external_filter.clone(),
            );
        }
    }

    // Capture load-balancer ingress.
    let ranges = source_ranges(svc);
    let uses_fw_chain = svc.load_balancer_ip.is_some() && !ranges.is_empty();
    if uses_fw_chain {
        b.chain(&names.firewall);
    }
    if let Some(lb) = svc.load_balancer_ip {
        if has_endpoints {
            b.element(SERVICE_IPS, at(lb), None, goto(&names.external));
        }
        if uses_fw_chain {
            b.element(FIREWALL_IPS, at(lb), None, goto(&names.firewall));
        }
        if !has_external {
            b.element(
                NO_ENDPOINT_SERVICES,
                at(lb),
                comment,
                external_filter.clone(),
            );
        }
    }

    // Capture node ports.
    if let Some(node_port) = svc.node_port.filter(|p| *p != 0) {
        let key = Key::Port(proto, node_port);
        if has_endpoints {
            b.element(SERVICE_NODEPORTS, key.clone(), None, goto(&names.external));
        }
        if !has_external {
            b.element(NO_ENDPOINT_NODEPORTS, key, comment, external_filter);
        }
    }

    // External traffic.
    if uses_external_chain {
        let ext = names.external.as_str();
        if !external_local {
            b.rule(
                ext,
                Rule::new(Stmt::MarkOr(MASQ_MARK)).comment("masquerade"),
            );
        } else {
            if let Some(pods) = pods {
                b.rule(
                    ext,
                    Rule::new(Stmt::Goto(names.cluster.clone()))
                        .m(Expr::Saddr(Addr::Is(pods)))
                        .comment("short-circuit pod traffic"),
                );
            }
            b.rule(
                ext,
                Rule::new(Stmt::MarkOr(MASQ_MARK))
                    .m(Expr::FibSaddrLocal)
                    .comment("masquerade local traffic"),
            );
            b.rule(
                ext,
                Rule::new(Stmt::Goto(names.cluster.clone()))
                    .m(Expr::FibSaddrLocal)
                    .comment("short-circuit local traffic"),
            );
        }
        if has_external {
            b.rule(ext, Rule::new(Stmt::Goto(external_policy_chain.clone())));
        }
    }

    // The LoadBalancer source-range firewall.
    if let (true, Some(lb)) = (uses_fw_chain, svc.load_balancer_ip) {
        let mut allowed = ranges.clone();
        if ranges.iter().any(|r| r.contains(node.ip)) {
            allowed.push(Cidr::host(lb));
        }
        b.rule(
            &names.firewall,
            Rule::new(Stmt::Drop).m(Expr::Saddr(Addr::Anon(allowed, true))),
        );
    }

    // Affinity sets, one per reachable endpoint.
    if let Some(seconds) = affinity {
        for ep in &eps.reachable {
            let set = names.endpoint(ep).1;
            b.set(&set, "ipv4_addr", false, None);
            if let Some(s) = b.sets.get_mut(&set) {
                s.timeout = Some(seconds);
            }
        }
    }

    let policy_chains = [
        (uses_cluster_chain, &names.cluster, &eps.cluster),
        (uses_local_chain, &names.local, &eps.local),
    ];
    if affinity.is_none() {
        for (used, chain, eps) in policy_chains {
            if used {
                let to: Vec<SocketAddrV4> = eps
                    .iter()
                    .map(|e| SocketAddrV4::new(e.info.ip, e.info.port))
                    .collect();
                b.rule(
                    chain,
                    Rule::new(Stmt::DnatNumgen(to)).m(Expr::L4proto(proto)),
                );
            }
        }
        return;
    }
    for (used, chain, eps) in policy_chains {
        if !used {
            continue;
        }
        for ep in eps.iter() {
            let (endpoint, set) = names.endpoint(ep);
            b.rule(
                chain,
                Rule::new(Stmt::Goto(endpoint)).m(Expr::Saddr(Addr::InSet(set))),
            );
        }
        let targets = eps.iter().map(|ep| names.endpoint(ep).0).collect();
        b.rule(chain, Rule::new(Stmt::Numgen(targets)));
    }
    for ep in &eps.reachable {
        let (endpoint, set) = names.endpoint(ep);
        b.rule(&endpoint, Rule::new(Stmt::UpdateSaddr(set)));
        b.rule(
            &endpoint,
            Rule::new(Stmt::Dnat(SocketAddrV4::new(ep.info.ip, ep.info.port)))
                .m(Expr::L4proto(proto)),
        );
    }
}
