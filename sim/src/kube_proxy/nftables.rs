//! kube-proxy's nftables mode: the `ip kube-proxy` table one node's proxier writes, as structured
//! chains, sets and verdict maps that print themselves the way `nft list table ip kube-proxy`
//! does (and the way kube-proxy's own tests dump them), and that a packet can walk.
//!
//! - [`Ruleset::build`] is the nftables proxier's `syncProxyRules`
//!   (kubernetes/kubernetes `pkg/proxy/nftables/proxier.go`): the base chains hooked into
//!   netfilter, `services` dispatching through the `service-ips` and `service-nodeports` verdict
//!   maps, one `service-`/`local-`/`external-`/`firewall-` chain per Service port, one `endpoint-`
//!   chain per endpoint, `numgen random mod N vmap { ... }` to spread connections, affinity sets,
//!   the masquerade chains, and the `no-endpoint-*` maps that reject or drop.
//! - [`Ruleset::list`] prints the table as `nft list table ip kube-proxy` (nftables 1.1);
//!   [`Ruleset::dump`] as `add ...` commands in the order kube-proxy's tests compare them
//!   (knftables' `Fake.Dump`, sorted as `pkg/proxy/nftables/helpers_test.go` sorts).
//! - [`Ruleset::walk`] sends the first packet of a connection through the base chains of each
//!   hook in priority order, evaluating each rule by its parts, looking keys up in the maps and
//!   drawing `numgen` from the caller's [`Rng`](crate::rng::Rng). Affinity sets live in the
//!   caller's [`RecentTable`](crate::kube_proxy::iptables::RecentTable), keyed by set name.

mod build;
mod rule;
mod walk;

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use crate::kube_proxy::{NodeInfo, ServicePortInfo};
use crate::map::SortedMap;
use crate::trace::SharedStr;

pub use rule::{Addr, Expr, Key, Stmt, Verdict as MapVerdict};
pub use walk::Walk;

/// The table kube-proxy owns, `ip kube-proxy`.
pub const TABLE: &str = "kube-proxy";
const TABLE_COMMENT: &str = "rules for kube-proxy";

/// A netfilter hook a base chain is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hook {
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
}

impl Hook {
    pub fn as_str(self) -> &'static str {
        match self {
            Hook::Prerouting => "prerouting",
            Hook::Input => "input",
            Hook::Forward => "forward",
            Hook::Output => "output",
            Hook::Postrouting => "postrouting",
        }
    }
}

/// What makes a chain a base chain: its type (`filter` or `nat`), hook and priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Base {
    pub kind: &'static str,
    pub hook: Hook,
    pub priority: i32,
}

impl Base {
    /// The priority as `nft list` names it: `dstnat - 10`, `srcnat`, `filter`.
    fn priority_name(&self) -> String {
        let (name, base) = match self.priority {
            p if (-200..-50).contains(&p) => ("dstnat", -100),
            p if (50..200).contains(&p) => ("srcnat", 100),
            _ => ("filter", 0),
        };
        match self.priority - base {
            0 => name.to_string(),
            d if d > 0 => format!("{name} + {d}"),
            d => format!("{name} - {}", -d),
        }
    }
}

/// One chain: its name, hook if it is a base chain, comment and rules in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    name: SharedStr,
    base: Option<Base>,
    comment: Option<&'static str>,
    rules: Vec<rule::Rule>,
}

impl Chain {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn base(&self) -> Option<Base> {
        self.base
    }

    pub fn rules(&self) -> &[rule::Rule] {
        &self.rules
    }
}

/// A set (`cluster-ips`, an affinity set) or a verdict map (`service-ips`), with its elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Set {
    name: String,
    /// `ipv4_addr`, `ipv4_addr . inet_proto . inet_service : verdict`, ...
    ty: &'static str,
    map: bool,
    /// `dynamic,timeout` with the timeout in seconds, for affinity sets.
    timeout: Option<u32>,
    comment: Option<&'static str>,
    elements: Vec<rule::Element>,
}

impl Set {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn elements(&self) -> &[rule::Element] {
        &self.elements
    }

    /// The element with `key` (elements are kept in key order).
    pub fn get(&self, key: &Key) -> Option<&rule::Element> {
        self.elements
            .binary_search_by(|e| e.key.cmp(key))
            .ok()
            .map(|i| &self.elements[i])
    }

    /// A verdict map, not a set.
    pub fn is_map(&self) -> bool {
        self.map
    }

    fn kind(&self) -> &'static str {
        if self.map {
            "map"
        } else {
            "set"
        }
    }
}

/// A node's `ip kube-proxy` table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ruleset {
    node: SharedStr,
    node_ip: Ipv4Addr,
    /// Sorted by name.
    chains: Vec<Chain>,
    index: SortedMap<String, usize>,
    /// The base chains by hook, then priority: the order a packet meets them.
    bases: Vec<(Hook, usize)>,
    /// Sets and maps, sorted by name.
    sets: Vec<Set>,
}

impl Ruleset {
    /// The table kube-proxy in nftables mode writes on `node` for these Service ports.
    pub fn build(node: &NodeInfo, services: &[ServicePortInfo], service_cidr: &str) -> Ruleset {
        build::build(node, services, service_cidr)
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    pub fn chains(&self) -> &[Chain] {
        &self.chains
    }

    pub fn chain(&self, name: &str) -> Option<&Chain> {
        self.index.get(name).map(|&i| &self.chains[i])
    }

    /// Sets and maps, sorted by name.
    pub fn sets(&self) -> &[Set] {
        &self.sets
    }

    pub fn set(&self, name: &str) -> Option<&Set> {
        self.sets
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.sets[i])
    }

    /// `nft list table ip kube-proxy`: sets and maps, then chains, each with what it holds.
    pub fn list(&self) -> String {
        let mut out = String::with_capacity(96 * (self.chains.len() + self.sets.len() + 8));
        let _ = writeln!(out, "table ip {TABLE} {{");
        let _ = writeln!(out, "\tcomment \"{TABLE_COMMENT}\"");
        for s in &self.sets {
            set_text(&mut out, s);
            out.push('\n');
        }
        for (i, c) in self.chains.iter().enumerate() {
            chain_text(&mut out, c);
            if i + 1 < self.chains.len() {
                out.push('\n');
            }
        }
        out.push_str("}\n");
        out
    }

    /// `nft list chain ip kube-proxy <chain>`; `None` when there is no such chain.
    pub fn list_chain(&self, name: &str) -> Option<String> {
        let c = self.chain(name)?;
        let mut out = format!("table ip {TABLE} {{\n");
        chain_text(&mut out, c);
        out.push_str("}\n");
        Some(out)
    }

    /// `nft list set|map ip kube-proxy <name>`; `None` when there is no such set (or map).
    pub fn list_set(&self, name: &str, map: bool) -> Option<String> {
        let s = self.set(name).filter(|s| s.map == map)?;
        let mut out = format!("table ip {TABLE} {{\n");
        set_text(&mut out, s);
        out.push_str("}\n");
        Some(out)
    }

    /// The table as `add` commands (knftables' `Fake.Dump`), sorted the way kube-proxy's tests
    /// compare transactions: the table, then chains, rules (in chain order), sets, maps and
    /// elements, each kind by object name.
    pub fn dump(&self) -> String {
        let mut out = format!("add table ip {TABLE} {{ comment \"{TABLE_COMMENT}\" ; }}\n");
        for c in &self.chains {
            let _ = write!(out, "add chain ip {TABLE} {}", c.name);
            if c.base.is_some() || c.comment.is_some() {
                out.push_str(" {");
                if let Some(b) = c.base {
                    let _ = write!(
                        out,
                        " type {} hook {} priority {} ;",
                        b.kind,
                        b.hook.as_str(),
                        b.priority
                    );
                }
                if let Some(comment) = c.comment {
                    let _ = write!(out, " comment \"{comment}\" ;");
                }
                out.push_str(" }");
            }
            out.push('\n');
        }
        for c in &self.chains {
            for r in &c.rules {
                let _ = writeln!(out, "add rule ip {TABLE} {} {}", c.name, r.dump_text());
            }
        }
        for map in [false, true] {
            for s in self.sets.iter().filter(|s| s.map == map) {
                let _ = write!(
                    out,
                    "add {} ip {TABLE} {} {{ type {} ;",
                    s.kind(),
                    s.name,
                    s.ty
                );
                if let Some(t) = s.timeout {
                    let _ = write!(out, " flags dynamic,timeout ; timeout {t}s ;");
                }
                if let Some(c) = s.comment {
                    let _ = write!(out, " comment \"{c}\" ;");
                }
                out.push_str(" }\n");
            }
        }
        let mut elements: Vec<String> = self
            .sets
            .iter()
            .flat_map(|s| {
                s.elements
                    .iter()
                    .map(|e| format!("add element ip {TABLE} {} {{ {} }}", s.name, e.dump_text()))
            })
            .collect();
        elements.sort();
        for l in elements {
            out.push_str(&l);
            out.push('\n');
        }
        out
    }
}

/// One set or map as `nft list` prints it inside its table.
fn set_text(out: &mut String, s: &Set) {
    let _ = writeln!(out, "\t{} {} {{", s.kind(), s.name);
    let _ = writeln!(out, "\t\ttype {}", s.ty);
    if let Some(t) = s.timeout {
        let _ = writeln!(out, "\t\tflags dynamic,timeout");
        let _ = writeln!(out, "\t\ttimeout {}", rule::duration(t));
    }
    if let Some(c) = s.comment {
        let _ = writeln!(out, "\t\tcomment \"{c}\"");
    }
    if !s.elements.is_empty() {
        let items: Vec<String> = s.elements.iter().map(|e| e.list_text()).collect();
        let _ = writeln!(out, "\t\telements = {{ {} }}", items.join(",\n\t\t\t     "));
    }
    out.push_str("\t}\n");
}

/// One chain as `nft list` prints it inside its table.
fn chain_text(out: &mut String, c: &Chain) {
    let _ = writeln!(out, "\tchain {} {{", c.name);
    if let Some(b) = c.base {
        let _ = writeln!(
            out,
            "\t\ttype {} hook {} priority {}; policy accept;",
            b.kind,
            b.hook.as_str(),
            b.priority_name()
        );
    }
    if let Some(comment) = c.comment {
        let _ = writeln!(out, "\t\tcomment \"{comment}\"");
    }
    for r in &c.rules {
        let _ = writeln!(out, "\t\t{}", r.list_text());
    }
    out.push_str("\t}\n");
}
