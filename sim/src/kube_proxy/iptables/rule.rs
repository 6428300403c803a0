//! One iptables rule as structured data: the addresses and protocol iptables keeps in the rule's
//! header, the `-m` matches in order, and the target. The same value prints itself the way
//! `iptables-save` and `iptables -L -n` do (iptables 1.8.11) and is evaluated by the walker, so a
//! rule dump and a packet walk cannot disagree.

use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, SocketAddrV4};

use crate::model::Protocol;

/// An IPv4 network as `-s`/`-d` hold it: an address with its host bits cleared, and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    addr: Ipv4Addr,
    prefix: u8,
}

fn prefix_mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

impl Cidr {
    /// The network `addr/prefix` (host bits are cleared, prefixes above 32 are clamped).
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Cidr {
        let prefix = prefix.min(32);
        Cidr {
            addr: Ipv4Addr::from(u32::from(addr) & prefix_mask(prefix)),
            prefix,
        }
    }

    /// One address, `/32`.
    pub fn host(addr: Ipv4Addr) -> Cidr {
        Cidr { addr, prefix: 32 }
    }

    /// `10.244.0.0/16`, or a bare address (taken as `/32`). Surrounding spaces are ignored, as
    /// kube-proxy ignores them in `loadBalancerSourceRanges`.
    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        match s.split_once('/') {
            Some((addr, prefix)) => {
                let addr: Ipv4Addr = addr.parse().ok()?;
                if prefix.is_empty()
                    || prefix.len() > 2
                    || !prefix.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                let prefix: u8 = prefix.parse().ok()?;
                (prefix <= 32).then(|| Cidr::new(addr, prefix))
            }
            None => s.parse().ok().map(Cidr::host),
        }
    }

    pub fn addr(&self) -> Ipv4Addr {
        self.addr
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & prefix_mask(self.prefix) == u32::from(self.addr)
    }

    /// As `iptables -L -n` prints it: `0.0.0.0/0`, a bare address for `/32`, else `a.b.c.d/n`.
    fn list_form(&self) -> String {
        if self.prefix == 32 {
            self.addr.to_string()
        } else {
            format!("{}/{}", self.addr, self.prefix)
        }
    }
}

impl fmt::Display for Cidr {
    /// As `iptables-save` prints it: always with the prefix length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// `[!] -s` or `[!] -d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddrMatch {
    pub net: Cidr,
    pub invert: bool,
}

impl AddrMatch {
    pub(crate) fn matches(&self, ip: Ipv4Addr) -> bool {
        self.net.contains(ip) != self.invert
    }
}

/// Which address (or port) of the packet a match looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Src,
    Dst,
}

impl Dir {
    fn as_str(self) -> &'static str {
        match self {
            Dir::Src => "src",
            Dir::Dst => "dst",
        }
    }
}

/// Conntrack states, as `-m conntrack --ctstate` names them. The walker models the first packet of
/// a new connection, so `NEW` holds, and `DNAT` holds once a DNAT rule has rewritten the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CtState(u8);

impl CtState {
    pub const INVALID: CtState = CtState(1);
    pub const NEW: CtState = CtState(2);
    pub const RELATED: CtState = CtState(4);
    pub const ESTABLISHED: CtState = CtState(8);
    pub const DNAT: CtState = CtState(16);

    pub const fn union(self, other: CtState) -> CtState {
        CtState(self.0 | other.0)
    }

    pub fn contains(self, other: CtState) -> bool {
        self.0 & other.0 == other.0
    }

    pub(crate) fn intersects(self, other: CtState) -> bool {
        self.0 & other.0 != 0
    }

    fn names(self) -> String {
        let mut out = String::new();
        for (bit, name) in [
            (CtState::INVALID, "INVALID"),
            (CtState::NEW, "NEW"),
            (CtState::RELATED, "RELATED"),
            (CtState::ESTABLISHED, "ESTABLISHED"),
            (CtState::DNAT, "DNAT"),
        ] {
            if self.contains(bit) {
                if !out.is_empty() {
                    out.push(',');
                }
                out.push_str(name);
            }
        }
        out
    }
}

/// What a `-m recent` match does with the source address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecentMode {
    /// `--set`: remember the source now; always matches.
    Set,
    /// `--rcheck [--seconds N] [--reap]`: matches when the source was seen within the last `seconds`
    /// (any time, when `seconds` is 0). `reap` forgets entries older than that.
    Rcheck { seconds: u32, reap: bool },
}

/// One `-m` match, in the order the rule lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// `-m comment --comment "..."`: always matches.
    Comment(String),
    /// `-m tcp [--dport N]` (or `udp`, `sctp`).
    Port {
        protocol: Protocol,
        dport: Option<u16>,
    },
    /// `-m addrtype [!] --src-type LOCAL` or `--dst-type LOCAL`.
    AddrType { dir: Dir, invert: bool },
    /// `-m statistic --mode random --probability P`, with P kept as the kernel keeps it: a
    /// fraction of 2^31.
    Statistic { probability: u32 },
    /// `-m recent --name NAME ... --mask 255.255.255.255 --rsource`.
    Recent { name: String, mode: RecentMode },
    /// `-m mark [!] --mark VALUE/MASK`.
    Mark { value: u32, mask: u32, invert: bool },
    /// `-m conntrack [!] --ctstate STATES`.
    Conntrack { states: CtState, invert: bool },
    /// `-m set --match-set NAME dir[,dir...]` (IPVS mode's ipsets).
    Set { name: String, dirs: Vec<Dir> },
    /// `-m nfacct --nfacct-name NAME`: counts the packet in an nfacct object; always matches.
    Nfacct(&'static str),
}

impl Match {
    /// The statistic probability `1/n` as kube-proxy writes it (`%0.10f`) and iptables stores it
    /// (rounded to a fraction of 2^31).
    pub fn one_in(n: usize) -> Match {
        let n = n.max(1) as f64;
        let written: f64 = format!("{:.10}", 1.0 / n).parse().unwrap_or(1.0 / n);
        let probability = (written * 2_147_483_648.0)
            .round()
            .clamp(0.0, 2_147_483_648.0) as u32;
        Match::Statistic { probability }
    }

    fn save(&self, out: &mut String) {
        match self {
            Match::Comment(text) => {
                out.push_str(" -m comment --comment");
                save_string(out, text);
            }
            Match::Port { protocol, dport } => {
                let _ = write!(out, " -m {}", protocol.lower());
                if let Some(port) = dport {
                    let _ = write!(out, " --dport {port}");
                }
            }
            Match::AddrType { dir, invert } => {
                out.push_str(" -m addrtype");
                if *invert {
                    out.push_str(" !");
                }
                let _ = write!(out, " --{}-type LOCAL", dir.as_str());
            }
            Match::Statistic { probability } => {
                let _ = write!(
                    out,
                    " -m statistic --mode random --probability {:.11}",
                    probability_value(*probability)
                );
            }
            Match::Recent { name, mode } => {
                out.push_str(" -m recent");
                match mode {
                    RecentMode::Set => out.push_str(" --set"),
                    RecentMode::Rcheck { seconds, reap } => {
                        out.push_str(" --rcheck");
                        if *seconds != 0 {
                            let _ = write!(out, " --seconds {seconds}");
                        }
                        if *reap {
                            out.push_str(" --reap");
                        }
                    }
                }
                let _ = write!(out, " --name {name} --mask 255.255.255.255 --rsource");
            }
            Match::Mark {
                value,
                mask,
                invert,
            } => {
                out.push_str(" -m mark");
                if *invert {
                    out.push_str(" !");
                }
                out.push_str(" --mark");
                mark_mask(out, *value, *mask);
            }
            Match::Conntrack { states, invert } => {
                out.push_str(" -m conntrack");
                if *invert {
                    out.push_str(" !");
                }
                let _ = write!(out, " --ctstate {}", states.names());
            }
            Match::Set { name, dirs } => {
                let _ = write!(out, " -m set --match-set {name} {}", dirs_text(dirs));
            }
            Match::Nfacct(name) => {
                let _ = write!(out, " -m nfacct --nfacct-name {name}");
            }
        }
    }

    fn list(&self, out: &mut String) {
        match self {
            Match::Comment(text) => {
                let _ = write!(out, " /* {text} */");
            }
            Match::Port { protocol, dport } => {
                let _ = write!(out, " {}", protocol.lower());
                if let Some(port) = dport {
                    let _ = write!(out, " dpt:{port}");
                }
            }
            Match::AddrType { dir, invert } => {
                let _ = write!(
                    out,
                    " ADDRTYPE match {}-type {}LOCAL",
                    dir.as_str(),
                    if *invert { "!" } else { "" }
                );
            }
            Match::Statistic { probability } => {
                let _ = write!(
                    out,
                    " statistic mode random probability {:.11}",
                    probability_value(*probability)
                );
            }
            Match::Recent { name, mode } => {
                out.push_str(" recent:");
                match mode {
                    RecentMode::Set => out.push_str(" SET"),
                    RecentMode::Rcheck { seconds, reap } => {
                        out.push_str(" CHECK");
                        if *seconds != 0 {
                            let _ = write!(out, " seconds: {seconds}");
                        }
                        if *reap {
                            out.push_str(" reap");
                        }
                    }
                }
                let _ = write!(out, " name: {name} side: source mask: 255.255.255.255");
            }
            Match::Mark {
                value,
                mask,
                invert,
            } => {
                out.push_str(" mark match");
                if *invert {
                    out.push_str(" !");
                }
                mark_mask(out, *value, *mask);
            }
            Match::Conntrack { states, invert } => {
                if *invert {
                    out.push_str(" !");
                }
                let _ = write!(out, " ctstate {}", states.names());
            }
            Match::Set { name, dirs } => {
                let _ = write!(out, " match-set {name} {}", dirs_text(dirs));
            }
            Match::Nfacct(name) => {
                let _ = write!(out, " nfacct-name {name}");
            }
        }
    }
}

fn dirs_text(dirs: &[Dir]) -> String {
    dirs.iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn probability_value(p: u32) -> f64 {
    f64::from(p) / 2_147_483_648.0
}

fn mark_mask(out: &mut String, value: u32, mask: u32) {
    if mask == u32::MAX {
        let _ = write!(out, " 0x{value:x}");
    } else {
        let _ = write!(out, " 0x{value:x}/0x{mask:x}");
    }
}

/// `xtables_save_string`: bare when the text is only `[A-Za-z0-9_-]`, else double-quoted with
/// `"`, `\` and `'` escaped.
fn save_string(out: &mut String, text: &str) {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    out.push(' ');
    if plain {
        out.push_str(text);
        return;
    }
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// What a rule does when it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// No `-j`: the rule only counts packets (kube-proxy's last `KUBE-FW-*` rule).
    None,
    /// `-j CHAIN`: traverse another chain, then come back.
    Jump(String),
    Return,
    Accept,
    Drop,
    /// `-j REJECT --reject-with icmp-port-unreachable`.
    Reject,
    /// `-j MARK --set-xmark VALUE/MASK`: `mark = (mark & !MASK) ^ VALUE`.
    Mark {
        value: u32,
        mask: u32,
    },
    /// `-j MASQUERADE [--random-fully]`: source becomes the node's address.
    Masquerade {
        random_fully: bool,
    },
    /// `-j DNAT --to-destination IP:PORT`.
    Dnat(SocketAddrV4),
}

impl Target {
    /// The name in the `target` column of `iptables -L`.
    pub fn name(&self) -> &str {
        match self {
            Target::None => "",
            Target::Jump(chain) => chain,
            Target::Return => "RETURN",
            Target::Accept => "ACCEPT",
            Target::Drop => "DROP",
            Target::Reject => "REJECT",
            Target::Mark { .. } => "MARK",
            Target::Masquerade { .. } => "MASQUERADE",
            Target::Dnat(_) => "DNAT",
        }
    }

    fn save(&self, out: &mut String) {
        if let Target::None = self {
            return;
        }
        let _ = write!(out, " -j {}", self.name());
        match self {
            Target::Reject => out.push_str(" --reject-with icmp-port-unreachable"),
            Target::Mark { value, mask } => {
                let _ = write!(out, " --set-xmark 0x{value:x}/0x{mask:x}");
            }
            Target::Masquerade { random_fully: true } => out.push_str(" --random-fully"),
            Target::Dnat(to) => {
                let _ = write!(out, " --to-destination {to}");
            }
            _ => {}
        }
    }

    fn list(&self, out: &mut String) {
        match self {
            Target::Reject => out.push_str(" reject-with icmp-port-unreachable"),
            Target::Mark { value, mask } => {
                let _ = if *value == 0 {
                    write!(out, " MARK and 0x{:x}", !mask)
                } else if value == mask {
                    write!(out, " MARK or 0x{value:x}")
                } else if *mask == 0 {
                    write!(out, " MARK xor 0x{value:x}")
                } else if *mask == u32::MAX {
                    write!(out, " MARK set 0x{value:x}")
                } else {
                    write!(out, " MARK xset 0x{value:x}/0x{mask:x}")
                };
            }
            Target::Masquerade { random_fully: true } => out.push_str(" random-fully"),
            Target::Dnat(to) => {
                let _ = write!(out, " to:{to}");
            }
            _ => {}
        }
    }
}

/// One rule of one chain. Build it with the chained setters, then place it in a chain; the
/// chain computes its saved text once (see [`Rule::text`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub(crate) src: Option<AddrMatch>,
    pub(crate) dst: Option<AddrMatch>,
    pub(crate) protocol: Option<Protocol>,
    pub(crate) matches: Vec<Match>,
    pub(crate) target: Target,
    /// The `-A CHAIN ...` line, filled in when the rule is placed in its chain.
    pub(crate) text: String,
    /// Index of the jump target chain in its table, resolved when the table is finished.
    pub(crate) jump: Option<usize>,
}

impl Rule {
    pub(crate) fn new() -> Rule {
        Rule {
            src: None,
            dst: None,
            protocol: None,
            matches: Vec::new(),
            target: Target::None,
            text: String::new(),
            jump: None,
        }
    }

    pub(crate) fn src(mut self, net: Cidr, invert: bool) -> Rule {
        self.src = Some(AddrMatch { net, invert });
        self
    }

    pub(crate) fn dst(mut self, net: Cidr) -> Rule {
        self.dst = Some(AddrMatch { net, invert: false });
        self
    }

    pub(crate) fn proto(mut self, protocol: Protocol) -> Rule {
        self.protocol = Some(protocol);
        self
    }

    pub(crate) fn m(mut self, m: Match) -> Rule {
        self.matches.push(m);
        self
    }

    pub(crate) fn comment(self, text: impl Into<String>) -> Rule {
        self.m(Match::Comment(text.into()))
    }

    /// `-m PROTO -p PROTO [--dport N]`, as kube-proxy writes its port matches.
    pub(crate) fn port(self, protocol: Protocol, dport: Option<u16>) -> Rule {
        self.proto(protocol).m(Match::Port { protocol, dport })
    }

    pub(crate) fn j(mut self, target: Target) -> Rule {
        self.target = target;
        self
    }

    pub(crate) fn jump_to(self, chain: &str) -> Rule {
        self.j(Target::Jump(chain.to_string()))
    }

    /// `! -s ...` when inverted, `-s ...` otherwise.
    pub fn source(&self) -> Option<AddrMatch> {
        self.src
    }

    pub fn destination(&self) -> Option<AddrMatch> {
        self.dst
    }

    pub fn protocol(&self) -> Option<Protocol> {
        self.protocol
    }

    pub fn matches(&self) -> &[Match] {
        &self.matches
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The rule exactly as `iptables-save` prints it: `-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp ...`.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The comment of the rule's first `-m comment`, if any.
    pub fn comment_text(&self) -> Option<&str> {
        self.matches.iter().find_map(|m| match m {
            Match::Comment(text) => Some(text.as_str()),
            _ => None,
        })
    }

    /// The saved form, as iptables orders it: addresses, protocol, then the matches in their
    /// order, then the target.
    pub(crate) fn render_save(&self, chain: &str) -> String {
        let mut out = String::with_capacity(96);
        out.push_str("-A ");
        out.push_str(chain);
        for (letter, addr) in [('s', self.src), ('d', self.dst)] {
            if let Some(a) = addr {
                if a.net.prefix() == 0 && !a.invert && a.net.addr() == Ipv4Addr::UNSPECIFIED {
                    continue;
                }
                if a.invert {
                    out.push_str(" !");
                }
                let _ = write!(out, " -{letter} {}", a.net);
            }
        }
        if let Some(p) = self.protocol {
            let _ = write!(out, " -p {}", p.lower());
        }
        for m in &self.matches {
            m.save(&mut out);
        }
        self.target.save(&mut out);
        out
    }

    /// One row of `iptables -L -n` (iptables 1.8.11 prints the protocol number under `prot`).
    pub(crate) fn render_list(&self) -> String {
        let mut out = String::with_capacity(120);
        let proto = match self.protocol {
            None => 0,
            Some(Protocol::Tcp) => 6,
            Some(Protocol::Udp) => 17,
            Some(Protocol::Sctp) => 132,
        };
        let addr = |a: Option<AddrMatch>| match a {
            None => (' ', "0.0.0.0/0".to_string()),
            Some(a) => (if a.invert { '!' } else { ' ' }, a.net.list_form()),
        };
        let (src_inv, src) = addr(self.src);
        let (dst_inv, dst) = addr(self.dst);
        let _ = write!(
            out,
            "{:<9}  {:<4} -- {}{:<19} {}{:<19} ",
            self.target.name(),
            proto,
            src_inv,
            src,
            dst_inv,
            dst
        );
        for m in &self.matches {
            m.list(&mut out);
        }
        self.target.list(&mut out);
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parse_and_contains() {
        let c = Cidr::parse("10.244.1.7/16").unwrap();
        assert_eq!(c.to_string(), "10.244.0.0/16");
        assert!(c.contains(Ipv4Addr::new(10, 244, 9, 9)));
        assert!(!c.contains(Ipv4Addr::new(10, 245, 0, 1)));
        assert_eq!(Cidr::parse(" 1.2.3.4 ").unwrap().to_string(), "1.2.3.4/32");
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains(Ipv4Addr::new(8, 8, 8, 8)));
        for bad in [
            "",
            "10.0.0.0/33",
            "10.0.0/8",
            "x/1",
            "1.2.3.4/",
            "1.2.3.4/+1",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn comments_are_quoted_only_when_needed() {
        let mut s = String::new();
        save_string(&mut s, "plain-word_1");
        save_string(&mut s, "default/web a\"b");
        assert_eq!(s, " plain-word_1 \"default/web a\\\"b\"");
    }

    #[test]
    fn probabilities_round_like_the_kernel() {
        let text = |n| {
            let mut s = String::new();
            Match::one_in(n).save(&mut s);
            s
        };
        assert_eq!(
            text(3),
            " -m statistic --mode random --probability 0.33333333349"
        );
        assert_eq!(
            text(1),
            " -m statistic --mode random --probability 1.00000000000"
        );
        assert_eq!(text(0), text(1));
    }
}
