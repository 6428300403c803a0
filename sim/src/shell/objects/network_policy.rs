//! A NetworkPolicy as the API server returns it.

use crate::model::*;
use crate::shell::get::Kind;
use crate::shell::value::Value;

use super::workload::selector_value;
use super::{head, meta_value, s};

pub(super) fn peer_value(p: &PolicyPeer) -> Value {
    match p {
        PolicyPeer::Selectors {
            pod_selector,
            namespace_selector,
        } => {
            let mut v = Value::map();
            if let Some(ps) = pod_selector {
                v = v.with("podSelector", selector_value(ps));
            }
            if let Some(ns) = namespace_selector {
                v = v.with("namespaceSelector", selector_value(ns));
            }
            v
        }
        PolicyPeer::IpBlock(b) => {
            let mut ib = Value::map().with("cidr", s(b.cidr.clone()));
            if !b.except.is_empty() {
                ib = ib.with(
                    "except",
                    Value::List(b.except.iter().map(|e| s(e.clone())).collect()),
                );
            }
            Value::map().with("ipBlock", ib)
        }
    }
}

pub(super) fn rule_value(r: &PolicyRule, peers_key: &str) -> Value {
    let mut v = Value::map();
    if !r.ports.is_empty() {
        v = v.with(
            "ports",
            Value::List(
                r.ports
                    .iter()
                    .map(|p| {
                        let mut pv = Value::map().with("protocol", s(p.protocol.as_str()));
                        if let Some(port) = &p.port {
                            pv = pv.with(
                                "port",
                                match port {
                                    IntOrString::Int(n) => Value::Int(*n),
                                    IntOrString::Str(t) => s(t.clone()),
                                },
                            );
                        }
                        if let Some(end) = p.end_port {
                            pv = pv.with("endPort", Value::Int(end));
                        }
                        pv
                    })
                    .collect(),
            ),
        );
    }
    if !r.peers.is_empty() {
        v = v.with(
            peers_key,
            Value::List(r.peers.iter().map(peer_value).collect()),
        );
    }
    v
}

pub(super) fn network_policy(np: &NetworkPolicy) -> Value {
    let mut spec = Value::map().with("podSelector", selector_value(&np.spec.pod_selector));
    if !np.spec.ingress.is_empty() {
        spec = spec.with(
            "ingress",
            Value::List(
                np.spec
                    .ingress
                    .iter()
                    .map(|r| rule_value(r, "from"))
                    .collect(),
            ),
        );
    }
    if !np.spec.egress.is_empty() {
        spec = spec.with(
            "egress",
            Value::List(np.spec.egress.iter().map(|r| rule_value(r, "to")).collect()),
        );
    }
    let mut types = Vec::new();
    if np.spec.policy_ingress {
        types.push(s("Ingress"));
    }
    if np.spec.policy_egress {
        types.push(s("Egress"));
    }
    spec = spec.with("policyTypes", Value::List(types));
    head(Kind::NetworkPolicy)
        .with("metadata", meta_value(&np.meta, None, None, true))
        .with("spec", spec)
}
