//! `kubectl describe networkpolicy`: its pod selector and rules in kubectl's words.

use std::fmt::Write as _;

use crate::clock::rfc3339;
use crate::model::*;
use crate::shell::get;

use super::W;

pub(super) fn network_policy(np: &NetworkPolicy) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", np.meta.name));
    w.line(0, &format!("Namespace:\t{}", np.meta.namespace));
    let created = rfc3339(np.meta.creation)
        .replace('T', " ")
        .replace('Z', " +0000 UTC");
    w.line(0, &format!("Created on:\t{created}"));
    w.labels("Labels", &np.meta.labels);
    w.annotations("Annotations", &np.meta.annotations);
    w.line(0, "Spec:");
    if np.spec.pod_selector.is_empty() {
        w.0.push_str("  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)\n");
    } else {
        let _ = writeln!(
            w.0,
            "  PodSelector:     {}",
            get::selector_string(&np.spec.pod_selector)
        );
    }
    let rules = |w: &mut W, rules: &[PolicyRule], peer_word: &str, none: &str, any_peer: &str| {
        let indent = "    ";
        if rules.is_empty() {
            w.line(0, &format!("{indent}{none}"));
            return;
        }
        for (i, r) in rules.iter().enumerate() {
            if r.ports.is_empty() {
                w.line(
                    0,
                    &format!("{indent}To Port: <any> (traffic allowed to all ports)"),
                );
            } else {
                for p in &r.ports {
                    let port = p.port.as_ref().map_or(String::new(), |x| x.to_string());
                    match p.end_port {
                        None => w.line(
                            0,
                            &format!("{indent}To Port: {port}/{}", p.protocol.as_str()),
                        ),
                        Some(end) => w.line(
                            0,
                            &format!(
                                "{indent}To Port Range: {port}-{end}/{}",
                                p.protocol.as_str()
                            ),
                        ),
                    }
                }
            }
            if r.peers.is_empty() {
                w.line(0, &format!("{indent}{any_peer}"));
            } else {
                for peer in &r.peers {
                    w.line(0, &format!("{indent}{peer_word}:"));
                    match peer {
                        PolicyPeer::Selectors {
                            pod_selector,
                            namespace_selector,
                        } => {
                            if let Some(ns) = namespace_selector {
                                w.line(
                                    1,
                                    &format!(
                                        "{indent}NamespaceSelector: {}",
                                        get::selector_or_none(ns)
                                    ),
                                );
                            }
                            if let Some(ps) = pod_selector {
                                w.line(
                                    1,
                                    &format!("{indent}PodSelector: {}", get::selector_or_none(ps)),
                                );
                            }
                        }
                        PolicyPeer::IpBlock(b) => {
                            w.line(1, &format!("{indent}IPBlock:"));
                            w.line(2, &format!("{indent}CIDR: {}", b.cidr));
                            w.line(2, &format!("{indent}Except: {}", b.except.join(", ")));
                        }
                    }
                }
            }
            if i + 1 != rules.len() {
                w.line(0, &format!("{indent}----------"));
            }
        }
    };
    if np.spec.policy_ingress {
        w.line(1, "Allowing ingress traffic:");
        rules(
            &mut w,
            &np.spec.ingress,
            "From",
            "<none> (Selected pods are isolated for ingress connectivity)",
            "From: <any> (traffic not restricted by source)",
        );
    } else {
        w.line(1, "Not affecting ingress traffic");
    }
    if np.spec.policy_egress {
        w.line(1, "Allowing egress traffic:");
        rules(
            &mut w,
            &np.spec.egress,
            "To",
            "<none> (Selected pods are isolated for egress connectivity)",
            "To: <any> (traffic not restricted by destination)",
        );
    } else {
        w.line(1, "Not affecting egress traffic");
    }
    let mut types = Vec::new();
    if np.spec.policy_ingress {
        types.push("Ingress");
    }
    if np.spec.policy_egress {
        types.push("Egress");
    }
    w.line(1, &format!("Policy Types: {}", types.join(", ")));
    w.render()
}
