//! One nftables rule as structured data: the matches kube-proxy writes, in order, and the
//! statement that ends the rule. The same value prints itself as kube-proxy writes it (the text
//! of a knftables `Rule`) and as `nft list` shows it back, and is evaluated by the walker.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddrV4};

use crate::kube_proxy::iptables::Cidr;
use crate::model::Protocol;

/// An address test: `ip daddr 10.96.0.1`, `ip saddr != 10.244.0.0/16`, `ip daddr @cluster-ips`,
/// `ip saddr != { 203.0.113.0/25, 10.0.0.7 }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addr {
    Is(Cidr),
    Not(Cidr),
    InSet(String),
    /// An anonymous set; `true` negates it.
    Anon(Vec<Cidr>, bool),
}

/// One match of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// `ct state new`
    CtStateNew,
    Daddr(Addr),
    Saddr(Addr),
    /// `tcp dport 80`
    Dport(Protocol, u16),
    /// `meta l4proto tcp`
    L4proto(Protocol),
    /// `fib saddr type local`
    FibSaddrLocal,
    /// `mark and 0x4000 != 0`
    MarkSet(u32),
    /// `ct status dnat`
    CtStatusDnat,
    /// `ip saddr . ip daddr . meta l4proto . th dport @set` (hairpin connections)
    Hairpin(String),
}

/// What a verdict map element (or a `numgen` map) sends a packet to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Goto(String),
    Drop,
}

/// The statement that ends a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    Jump(String),
    Goto(String),
    Return,
    Drop,
    Reject,
    /// `ip daddr . meta l4proto . th dport vmap @map`
    VmapAddrPort(String),
    /// `meta l4proto . th dport vmap @map`
    VmapPort(String),
    /// `numgen random mod N vmap { 0 : goto a , 1 : goto b }`
    Numgen(Vec<String>),
    /// `dnat to 10.244.1.5:80`
    Dnat(SocketAddrV4),
    /// `dnat ip addr . port to numgen random mod N map { 0 : 10.244.1.5 . 80 , ... }`
    DnatNumgen(Vec<SocketAddrV4>),
    /// `mark set mark or 0x4000`
    MarkOr(u32),
    /// `mark set mark xor 0x4000 masquerade fully-random`
    XorMasquerade(u32),
    /// `masquerade fully-random`
    Masquerade,
    /// `update @set { ip saddr }`
    UpdateSaddr(String),
}

/// One rule: matches, a statement, an optional comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub matches: Vec<Expr>,
    pub stmt: Stmt,
    pub comment: Option<String>,
}

impl Rule {
    pub fn new(stmt: Stmt) -> Rule {
        Rule {
            matches: Vec::new(),
            stmt,
            comment: None,
        }
    }

    pub fn m(mut self, e: Expr) -> Rule {
        self.matches.push(e);
        self
    }

    pub fn comment(mut self, c: impl Into<String>) -> Rule {
        self.comment = Some(c.into());
        self
    }

    /// The chain this rule jumps or goes to, if any.
    pub fn target(&self) -> Option<&str> {
        match &self.stmt {
            Stmt::Jump(c) | Stmt::Goto(c) => Some(c),
            _ => None,
        }
    }

    /// As kube-proxy writes it and its tests dump it: `ip daddr 10.96.0.1 tcp dport 80 ip saddr
    /// != 10.244.0.0/16 jump mark-for-masquerade`, then ` comment "..."`.
    pub fn dump_text(&self) -> String {
        let mut out = self.body(false);
        if let Some(c) = &self.comment {
            let _ = write!(out, " comment \"{c}\"");
        }
        out
    }

    /// As `nft list` prints it back (marks in hex with all their digits, anonymous sets
    /// comma-separated, `meta mark`).
    pub fn list_text(&self) -> String {
        let mut out = self.body(true);
        if let Some(c) = &self.comment {
            let _ = write!(out, " comment \"{c}\"");
        }
        out
    }

    fn body(&self, listed: bool) -> String {
        let mut parts: Vec<String> = self.matches.iter().map(|m| expr(m, listed)).collect();
        parts.push(stmt(&self.stmt, listed));
        parts.join(" ")
    }
}

fn cidr(c: &Cidr) -> String {
    if c.prefix() == 32 {
        c.addr().to_string()
    } else {
        c.to_string()
    }
}

fn addr(dir: &str, a: &Addr, listed: bool) -> String {
    match a {
        Addr::Is(c) => format!("ip {dir} {}", cidr(c)),
        Addr::Not(c) => format!("ip {dir} != {}", cidr(c)),
        Addr::InSet(s) => format!("ip {dir} @{s}"),
        Addr::Anon(items, negated) => {
            let not = if *negated { "!= " } else { "" };
            let sep = if listed { ", " } else { " , " };
            let items: Vec<String> = items.iter().map(cidr).collect();
            format!("ip {dir} {not}{{ {} }}", items.join(sep))
        }
    }
}

fn expr(e: &Expr, listed: bool) -> String {
    match e {
        Expr::CtStateNew => "ct state new".into(),
        Expr::Daddr(a) => addr("daddr", a, listed),
        Expr::Saddr(a) => addr("saddr", a, listed),
        Expr::Dport(p, port) => format!("{} dport {port}", p.lower()),
        Expr::L4proto(p) => format!("meta l4proto {}", p.lower()),
        Expr::FibSaddrLocal => "fib saddr type local".into(),
        Expr::MarkSet(m) if listed => format!("meta mark & 0x{m:08x} != 0x00000000"),
        Expr::MarkSet(m) => format!("mark and 0x{m:x} != 0"),
        Expr::CtStatusDnat => "ct status dnat".into(),
        Expr::Hairpin(set) => format!("ip saddr . ip daddr . meta l4proto . th dport @{set}"),
    }
}

fn stmt(s: &Stmt, listed: bool) -> String {
    match s {
        Stmt::Jump(c) => format!("jump {c}"),
        Stmt::Goto(c) => format!("goto {c}"),
        Stmt::Return => "return".into(),
        Stmt::Drop => "drop".into(),
        Stmt::Reject => "reject".into(),
        Stmt::VmapAddrPort(m) => format!("ip daddr . meta l4proto . th dport vmap @{m}"),
        Stmt::VmapPort(m) => format!("meta l4proto . th dport vmap @{m}"),
        Stmt::Numgen(targets) => {
            let sep = if listed { ", " } else { " , " };
            let items: Vec<String> = targets
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{i} : goto {t}"))
                .collect();
            format!(
                "numgen random mod {} vmap {{ {} }}",
                targets.len(),
                items.join(sep)
            )
        }
        Stmt::Dnat(to) => format!("dnat to {to}"),
        Stmt::DnatNumgen(to) => {
            let sep = if listed { ", " } else { " , " };
            let items: Vec<String> = to
                .iter()
                .enumerate()
                .map(|(i, a)| format!("{i} : {} . {}", a.ip(), a.port()))
                .collect();
            let how = if listed { "ip" } else { "ip addr . port" };
            format!(
                "dnat {how} to numgen random mod {} map {{ {} }}",
                to.len(),
                items.join(sep)
            )
        }
        Stmt::MarkOr(m) if listed => format!("meta mark set meta mark | 0x{m:08x}"),
        Stmt::MarkOr(m) => format!("mark set mark or 0x{m:x}"),
        Stmt::XorMasquerade(m) if listed => {
            format!("meta mark set meta mark ^ 0x{m:08x} masquerade fully-random")
        }
        Stmt::XorMasquerade(m) => format!("mark set mark xor 0x{m:x} masquerade fully-random"),
        Stmt::Masquerade => "masquerade fully-random".into(),
        Stmt::UpdateSaddr(set) => format!("update @{set} {{ ip saddr }}"),
    }
}

/// A set or map key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Addr(Ipv4Addr),
    AddrPort(Ipv4Addr, Protocol, u16),
    Port(Protocol, u16),
    /// `10.244.1.5 . 10.244.1.5 . tcp . 80` (hairpin connections)
    Hairpin(Ipv4Addr, Protocol, u16),
}

impl Key {
    fn text(&self) -> String {
        match self {
            Key::Addr(ip) => ip.to_string(),
            Key::AddrPort(ip, p, port) => format!("{ip} . {} . {port}", p.lower()),
            Key::Port(p, port) => format!("{} . {port}", p.lower()),
            Key::Hairpin(ip, p, port) => format!("{ip} . {ip} . {} . {port}", p.lower()),
        }
    }
}

/// One element of a set (a key) or of a verdict map (a key and its verdict).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    pub key: Key,
    pub comment: Option<String>,
    pub verdict: Option<Verdict>,
}

impl Element {
    fn verdict_text(&self) -> Option<String> {
        self.verdict.as_ref().map(|v| match v {
            Verdict::Goto(c) => format!("goto {c}"),
            Verdict::Drop => "drop".into(),
        })
    }

    /// Inside `add element ip kube-proxy MAP { ... }`: `10.96.0.1 . tcp . 443 comment "..." :
    /// goto service-...`.
    pub fn dump_text(&self) -> String {
        let mut out = self.key.text();
        if let Some(c) = &self.comment {
            let _ = write!(out, " comment \"{c}\"");
        }
        if let Some(v) = self.verdict_text() {
            let _ = write!(out, " : {v}");
        }
        out
    }

    /// As `nft list` prints it inside `elements = { ... }`.
    pub fn list_text(&self) -> String {
        self.dump_text()
    }
}

/// A timeout as `nft list` prints it: `3h`, `10m30s`, `10s`.
pub(crate) fn duration(seconds: u32) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3_600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    let mut out = String::new();
    for (n, unit) in [(d, "d"), (h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            let _ = write!(out, "{n}{unit}");
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_print_as_written_and_as_listed() {
        let r = Rule::new(Stmt::XorMasquerade(0x4000)).m(Expr::MarkSet(0x4000));
        assert_eq!(
            r.dump_text(),
            "mark and 0x4000 != 0 mark set mark xor 0x4000 masquerade fully-random"
        );
        assert_eq!(
            r.list_text(),
            "meta mark & 0x00004000 != 0x00000000 meta mark set meta mark ^ 0x00004000 masquerade fully-random"
        );
        let r = Rule::new(Stmt::MarkOr(0x4000));
        assert_eq!(r.dump_text(), "mark set mark or 0x4000");
        assert_eq!(r.list_text(), "meta mark set meta mark | 0x00004000");
    }

    #[test]
    fn numgen_lists_every_endpoint_in_order() {
        let r = Rule::new(Stmt::Numgen(vec!["a".into(), "b".into()]));
        assert_eq!(
            r.dump_text(),
            "numgen random mod 2 vmap { 0 : goto a , 1 : goto b }"
        );
        assert_eq!(
            r.list_text(),
            "numgen random mod 2 vmap { 0 : goto a, 1 : goto b }"
        );
    }

    #[test]
    fn timeouts_print_in_units() {
        assert_eq!(duration(10_800), "3h");
        assert_eq!(duration(630), "10m30s");
        assert_eq!(duration(0), "0s");
    }
}
