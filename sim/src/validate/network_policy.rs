//! NetworkPolicies: selectors, rules, ports, peers and IP blocks.

use std::net::IpAddr;

use crate::model::{IntOrString, NetworkPolicy, PolicyPeer, PolicyPort};
use crate::netpol::Direction;

use super::*;

pub(super) fn validate_network_policy(c: &mut Check, np: &NetworkPolicy) {
    validate_meta(c, &np.meta, NameRule::Dns1123Subdomain, true);
    let spec = &np.spec;
    c.slot(Slot::PodSelector);
    c.extend(validate_label_selector(
        &spec.pod_selector,
        "spec.podSelector",
    ));
    for (direction, peers_name, rules) in [
        (Direction::Ingress, "from", &spec.ingress),
        (Direction::Egress, "to", &spec.egress),
    ] {
        for (i, rule) in rules.iter().enumerate() {
            let rp = format!("spec.{}[{i}]", direction.as_str());
            for (j, port) in rule.ports.iter().enumerate() {
                let pp = format!("{rp}.ports[{j}]");
                c.slot(Slot::PolicyPort {
                    direction,
                    rule: i,
                    port: j,
                });
                c.extend(validate_policy_port(port, &pp));
            }
            for (j, peer) in rule.peers.iter().enumerate() {
                let pp = format!("{rp}.{peers_name}[{j}]");
                let slot = |field| Slot::PolicyPeer {
                    direction,
                    rule: i,
                    peer: j,
                    field,
                };
                c.slot(slot(PeerField::Peer));
                match peer {
                    PolicyPeer::Selectors {
                        pod_selector,
                        namespace_selector,
                    } => {
                        if let Some(s) = pod_selector {
                            c.slot(slot(PeerField::PodSelector));
                            c.extend(validate_label_selector(s, &format!("{pp}.podSelector")));
                        }
                        if let Some(s) = namespace_selector {
                            c.slot(slot(PeerField::NamespaceSelector));
                            c.extend(validate_label_selector(
                                s,
                                &format!("{pp}.namespaceSelector"),
                            ));
                        }
                    }
                    PolicyPeer::IpBlock(b) => c.extend(validate_ip_block(
                        &b.cidr,
                        &b.except,
                        &format!("{pp}.ipBlock"),
                    )),
                }
            }
            c.slot(Slot::PolicyRule { direction, rule: i });
        }
    }
    c.slot(Slot::PolicyTypes);
}

/// `ValidateNetworkPolicyPort` (protocol causes come from the manifest).
fn validate_policy_port(port: &PolicyPort, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match &port.port {
        Some(IntOrString::Int(n)) => {
            for m in is_port_num(*n) {
                errs.push(invalid(&format!("{path}.port"), BadValue::Int(*n), &m));
            }
            if let Some(end) = port.end_port {
                if end < *n {
                    errs.push(invalid(
                        &format!("{path}.endPort"),
                        BadValue::Int(*n),
                        "must be greater than or equal to `port`",
                    ));
                }
                for m in is_port_num(end) {
                    errs.push(invalid(&format!("{path}.endPort"), BadValue::Int(end), &m));
                }
            }
        }
        Some(IntOrString::Str(s)) => {
            if let Some(end) = port.end_port {
                errs.push(invalid(
                    &format!("{path}.endPort"),
                    BadValue::Int(end),
                    "may not be specified when `port` is non-numeric",
                ));
            }
            for m in is_port_name(s) {
                errs.push(invalid(&format!("{path}.port"), BadValue::str(s), &m));
            }
        }
        None => {
            if let Some(end) = port.end_port {
                errs.push(invalid(
                    &format!("{path}.endPort"),
                    BadValue::Int(end),
                    "may not be specified when `port` is not specified",
                ));
            }
        }
    }
    errs
}

/// `ValidateIPBlock`.
fn validate_ip_block(cidr: &str, except: &[String], path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if cidr.is_empty() {
        errs.push(required(&format!("{path}.cidr"), ""));
        return errs;
    }
    let Some((base, len)) = parse_cidr(cidr) else {
        errs.push(invalid_cidr(&format!("{path}.cidr"), cidr));
        return errs;
    };
    for (i, ex) in except.iter().enumerate() {
        let ep = format!("{path}.except[{i}]");
        let Some((ex_ip, ex_len)) = parse_cidr(ex) else {
            errs.push(invalid_cidr(&ep, ex));
            continue;
        };
        let inside = match (base, ex_ip) {
            (IpAddr::V4(b), IpAddr::V4(e)) => {
                let mask = v4_mask(len);
                u32::from(e) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(b), IpAddr::V6(e)) => {
                let mask = if len == 0 {
                    0u128
                } else {
                    u128::MAX << (128 - len.min(128))
                };
                u128::from(e) & mask == u128::from(b) & mask
            }
            _ => false,
        };
        if !inside || len >= ex_len {
            errs.push(invalid(
                &ep,
                BadValue::str(ex),
                "must be a strict subset of `cidr`",
            ));
        }
    }
    errs
}
