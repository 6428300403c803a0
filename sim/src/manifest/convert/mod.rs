//! Stage 5: a decoded tree converted to a [`crate::model`] object with the API server's defaults.
//! Values the model cannot hold (a Service `type: Foo`, a probe with two handlers) become causes
//! for [`crate::validate`], each filed at the [`Slot`] where the API server reports it, and the
//! optional fields whose presence matters are noted in [`Present`]. One file per group of kinds:
//! [`workload`] (Deployment, Pod), [`service`], [`network_policy`], [`endpoints`] (EndpointSlice,
//! Endpoints); what they share is here.

use crate::map::SortedMap;
use std::net::Ipv4Addr;

use crate::model::{
    IntOrString, LabelSelector, Labels, ObjectMeta, Protocol, SelectorOp, SelectorRequirement,
};
use crate::validate::{self, go_quote, go_string_slice, BadValue, FieldError, Present, Slot};

use super::tree::Node;

mod endpoints;
mod network_policy;
mod service;
mod workload;

type Map = SortedMap<String, Node>;

fn get<'a>(m: &'a Map, k: &str) -> Option<&'a Node> {
    m.get(k).filter(|n| **n != Node::Null)
}

fn get_str<'a>(m: &'a Map, k: &str) -> Option<&'a str> {
    match get(m, k) {
        Some(Node::Str(s)) => Some(s),
        _ => None,
    }
}

fn get_int(m: &Map, k: &str) -> Option<i64> {
    get(m, k).and_then(Node::as_int)
}

fn get_bool(m: &Map, k: &str) -> Option<bool> {
    match get(m, k) {
        Some(Node::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn get_map<'a>(m: &'a Map, k: &str) -> Option<&'a Map> {
    match get(m, k) {
        Some(Node::Map(m)) => Some(m),
        _ => None,
    }
}

fn get_seq<'a>(m: &'a Map, k: &str) -> &'a [Node] {
    match get(m, k) {
        Some(Node::Seq(s)) => s,
        _ => &[],
    }
}

static EMPTY: SortedMap<String, Node> = SortedMap::new();

/// A list element as a map (`null` elements decode to an empty struct).
fn as_map(n: &Node) -> &Map {
    match n {
        Node::Map(m) => m,
        _ => &EMPTY,
    }
}

fn strings(nodes: &[Node]) -> Vec<String> {
    nodes
        .iter()
        .map(|n| match n {
            Node::Str(s) => s.clone(),
            _ => String::new(),
        })
        .collect()
}

fn str_map(m: &Map, k: &str) -> Labels {
    match get(m, k) {
        Some(Node::Map(map)) => {
            let mut labels = Labels::new();
            for (k, v) in map {
                let v = match v {
                    Node::Str(s) => s.clone(),
                    _ => String::new(),
                };
                labels.insert(k.clone(), v);
            }
            labels
        }
        _ => Labels::new(),
    }
}

fn int_or_string(n: &Node) -> Option<IntOrString> {
    match n {
        Node::Str(s) => Some(IntOrString::Str(s.clone())),
        other => other.as_int().map(IntOrString::Int),
    }
}

/// The manifest reader's conversion state: which optional fields were written, and the causes
/// the model cannot hold, each at the [`Slot`] where the API server reports it.
#[derive(Default)]
pub(super) struct Conv {
    pub(super) present: Present,
    pub(super) causes: Vec<(Slot, FieldError)>,
}

impl Conv {
    fn cause(&mut self, slot: Slot, e: FieldError) {
        self.causes.push((slot, e));
    }

    fn has_cause(&self, slot: Slot) -> bool {
        self.causes.iter().any(|(s, _)| *s == slot)
    }

    pub(super) fn meta(&mut self, root: &Map, namespaced: bool) -> ObjectMeta {
        let m = get_map(root, "metadata").unwrap_or(&EMPTY);
        let namespace = if namespaced {
            get_str(m, "namespace")
                .filter(|s| !s.is_empty())
                .unwrap_or("default")
                .to_string()
        } else {
            String::new()
        };
        ObjectMeta {
            name: get_str(m, "name").unwrap_or("").to_string(),
            namespace,
            labels: str_map(m, "labels"),
            annotations: str_map(m, "annotations"),
            ..Default::default()
        }
    }

    fn selector(&mut self, m: &Map, path: &str, slot: Slot) -> LabelSelector {
        let mut sel = LabelSelector {
            match_labels: str_map(m, "matchLabels"),
            match_expressions: Vec::new(),
        };
        for (i, e) in get_seq(m, "matchExpressions").iter().enumerate() {
            let e = as_map(e);
            let op = get_str(e, "operator").unwrap_or("");
            let operator = match op {
                "In" => SelectorOp::In,
                "NotIn" => SelectorOp::NotIn,
                "Exists" => SelectorOp::Exists,
                "DoesNotExist" => SelectorOp::DoesNotExist,
                other => {
                    self.cause(
                        slot,
                        validate::invalid(
                            &format!("{path}.matchExpressions[{i}].operator"),
                            BadValue::str(other),
                            "not a valid selector operator",
                        ),
                    );
                    continue;
                }
            };
            sel.match_expressions.push(SelectorRequirement {
                key: get_str(e, "key").unwrap_or("").to_string(),
                operator,
                values: strings(get_seq(e, "values")),
            });
        }
        sel
    }

    /// A port's `protocol` at `path`, its cause filed at `slot`.
    fn protocol(&mut self, m: &Map, path: &str, slot: Slot) -> Protocol {
        match get_str(m, "protocol") {
            None | Some("") => Protocol::Tcp,
            Some(p) => match Protocol::parse(p) {
                Some(p) => p,
                None => {
                    self.cause(
                        slot,
                        validate::not_supported(path, BadValue::str(p), &["SCTP", "TCP", "UDP"]),
                    );
                    Protocol::Tcp
                }
            },
        }
    }
}
