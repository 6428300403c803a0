//! NetworkPolicies: the pod selector, rules, peers and policy types.

use crate::model::{IpBlock, NetworkPolicy, NetworkPolicySpec, PolicyPeer, PolicyPort, PolicyRule};
use crate::netpol::Direction;
use crate::validate::{self, BadValue, PeerField};

use super::*;

impl Conv {
    pub(in crate::manifest) fn network_policy(&mut self, root: &Map) -> NetworkPolicy {
        let meta = self.meta(root, true);
        let spec = get_map(root, "spec").unwrap_or(&EMPTY);
        let pod_selector = self.selector(
            get_map(spec, "podSelector").unwrap_or(&EMPTY),
            "spec.podSelector",
            Slot::PodSelector,
        );
        let ingress = self.rules(spec, Direction::Ingress);
        let egress = self.rules(spec, Direction::Egress);
        let types = strings(get_seq(spec, "policyTypes"));
        let (policy_ingress, policy_egress) = if get(spec, "policyTypes").is_none() {
            (true, !egress.is_empty())
        } else {
            if types.len() > 2 {
                self.cause(
                    Slot::PolicyTypes,
                    validate::invalid(
                        "spec.policyTypes",
                        BadValue::Go(validate_go_slice("[]networking.PolicyType", &types)),
                        "may not specify more than two policyTypes",
                    ),
                );
            } else {
                for (i, t) in types.iter().enumerate() {
                    if t != "Ingress" && t != "Egress" {
                        self.cause(
                            Slot::PolicyTypes,
                            validate::not_supported(
                                &format!("spec.policyTypes[{i}]"),
                                BadValue::str(t),
                                &["Ingress", "Egress"],
                            ),
                        );
                    }
                }
            }
            (
                types.iter().any(|t| t == "Ingress"),
                types.iter().any(|t| t == "Egress"),
            )
        };
        NetworkPolicy {
            meta,
            spec: NetworkPolicySpec {
                pod_selector,
                ingress,
                egress,
                policy_ingress,
                policy_egress,
            },
        }
    }

    /// `spec.ingress` (peers in `from`) or `spec.egress` (peers in `to`).
    fn rules(&mut self, spec: &Map, direction: Direction) -> Vec<PolicyRule> {
        let dir = direction.as_str();
        let peers_field = match direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        let mut rules = Vec::new();
        for (i, r) in get_seq(spec, dir).iter().enumerate() {
            let r = as_map(r);
            let rp = format!("spec.{dir}[{i}]");
            let mut ports = Vec::new();
            for (j, p) in get_seq(r, "ports").iter().enumerate() {
                let p = as_map(p);
                let pp = format!("{rp}.ports[{j}]");
                let protocol = self.protocol(
                    p,
                    &format!("{pp}.protocol"),
                    Slot::PolicyPort {
                        direction,
                        rule: i,
                        port: j,
                    },
                );
                ports.push(PolicyPort {
                    protocol,
                    port: get(p, "port").and_then(int_or_string),
                    end_port: get_int(p, "endPort"),
                });
            }
            let mut peers = Vec::new();
            for (j, peer) in get_seq(r, peers_field).iter().enumerate() {
                let peer = as_map(peer);
                let pp = format!("{rp}.{peers_field}[{j}]");
                let slot = |field| Slot::PolicyPeer {
                    direction,
                    rule: i,
                    peer: j,
                    field,
                };
                let pod = get_map(peer, "podSelector").map(|s| {
                    self.selector(
                        s,
                        &format!("{pp}.podSelector"),
                        slot(PeerField::PodSelector),
                    )
                });
                let ns = get_map(peer, "namespaceSelector").map(|s| {
                    self.selector(
                        s,
                        &format!("{pp}.namespaceSelector"),
                        slot(PeerField::NamespaceSelector),
                    )
                });
                let block = get_map(peer, "ipBlock");
                match (pod.is_some() || ns.is_some(), block) {
                    (false, None) => {
                        self.cause(
                            slot(PeerField::Peer),
                            validate::required(&pp, "must specify a peer"),
                        );
                    }
                    (true, Some(_)) => {
                        self.cause(
                            Slot::PolicyRule { direction, rule: i },
                            validate::forbidden(
                                &pp,
                                "may not specify both ipBlock and another peer",
                            ),
                        );
                    }
                    (true, None) => peers.push(PolicyPeer::Selectors {
                        pod_selector: pod,
                        namespace_selector: ns,
                    }),
                    (false, Some(b)) => peers.push(PolicyPeer::IpBlock(IpBlock {
                        cidr: get_str(b, "cidr").unwrap_or("").to_string(),
                        except: strings(get_seq(b, "except")),
                    })),
                }
            }
            rules.push(PolicyRule { peers, ports });
        }
        rules
    }
}

fn validate_go_slice(ty: &str, items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    format!("{ty}{{{}}}", parts.join(", "))
}
