//! Sending the first packet of a connection through a node's tables, hook by hook, the way the
//! kernel does: every rule is evaluated by its parts, in order, with jumps, returns and the
//! built-in chains' `ACCEPT` policy.

use crate::map::SortedMap;
use std::net::{Ipv4Addr, SocketAddrV4};

use super::{CtState, Dir, Match, RecentMode, Rule, SetEntries, Table, Tables, Target};
use crate::kube_proxy::{DropCause, Origin, RejectCause, Verdict};
use crate::model::Protocol;
use crate::rng::Rng;
use crate::time::{Time, SECOND};
use crate::trace::{Draw, MatchedRule, Packet, SharedStr};

/// The `-m recent` lists of one node (`/proc/net/xt_recent/<name>`): for each list, when each
/// source address was last recorded. This is where iptables keeps `sessionAffinity: ClientIP`.
/// The cluster keeps one per node and passes it to every [`Tables::walk`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecentTable {
    lists: SortedMap<String, SortedMap<Ipv4Addr, Time>>,
}

impl RecentTable {
    pub fn new() -> RecentTable {
        RecentTable::default()
    }

    /// When `ip` was last recorded in list `name`.
    pub fn last_seen(&self, name: &str, ip: Ipv4Addr) -> Option<Time> {
        self.lists.get(name).and_then(|l| l.get(&ip)).copied()
    }

    /// Every list and its entries, in name then address order.
    pub fn lists(&self) -> &SortedMap<String, SortedMap<Ipv4Addr, Time>> {
        &self.lists
    }

    /// Forget everything (the lists are kernel state: a node reboot empties them).
    pub fn clear(&mut self) {
        self.lists.clear();
    }

    pub(crate) fn set(&mut self, name: &str, ip: Ipv4Addr, now: Time) {
        match self.lists.get_mut(name) {
            Some(list) => {
                list.insert(ip, now);
            }
            None => {
                self.lists
                    .insert(name.to_string(), SortedMap::from([(ip, now)]));
            }
        }
    }

    /// `--rcheck --seconds S [--reap]`: seen within the last `seconds` (ever, when 0).
    pub(crate) fn rcheck(
        &mut self,
        name: &str,
        ip: Ipv4Addr,
        now: Time,
        seconds: u32,
        reap: bool,
    ) -> bool {
        let Some(list) = self.lists.get_mut(name) else {
            return false;
        };
        let window = Time::from(seconds) * SECOND;
        let fresh = |t: Time| seconds == 0 || now.saturating_sub(t) <= window;
        if reap && seconds != 0 {
            list.retain(|_, t| fresh(*t));
        }
        list.get(&ip).is_some_and(|t| fresh(*t))
    }
}

/// The result of [`Tables::walk`]: every rule the packet matched, in order, what became of it,
/// and the packet as it leaves the node's stack (after DNAT and masquerade).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    pub rules: Vec<MatchedRule>,
    /// Every `-m statistic --mode random` draw made on the way, in order.
    pub draws: Vec<Draw>,
    pub verdict: Verdict,
    pub packet: Packet,
}

/// What IPVS does with a packet that reached it (IPVS mode only).
pub(crate) enum Balance {
    /// No virtual server for this address: the packet is delivered locally.
    NotVirtual,
    /// A virtual server without real servers: IPVS answers ICMP port unreachable.
    NoRealServer(MatchedRule),
    /// Forwarded (masquerading) to a real server.
    Forward(SocketAddrV4, MatchedRule),
}

/// Where a hook traversal ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Accept,
    Drop(DropCause),
    Reject(RejectCause),
}

struct State {
    src: SocketAddrV4,
    dst: SocketAddrV4,
    protocol: Protocol,
    mark: u32,
    dnat: bool,
    masquerade: bool,
}

impl State {
    fn packet(&self) -> Packet {
        Packet {
            src: self.src,
            dst: self.dst,
            protocol: self.protocol,
        }
    }
}

struct Ctx<'r> {
    rng: &'r mut Rng,
    recent: &'r mut RecentTable,
    now: Time,
    rules: Vec<MatchedRule>,
    draws: Vec<Draw>,
    /// The chains to return to (chain, next rule), reused by every hook of one walk.
    stack: Vec<(usize, usize)>,
}

/// Most rules one walk may evaluate (a guard against loops; kube-proxy's chains have none).
const BUDGET: usize = 1_000_000;
const MAX_DEPTH: usize = 64;

impl Tables {
    /// Send the first packet of a new connection through this node's tables.
    ///
    /// `origin` picks the hooks: [`Origin::Pod`] and [`Origin::External`] enter at nat
    /// `PREROUTING`, then meet filter `FORWARD` (or `INPUT` when the destination is one of the
    /// node's addresses) and nat `POSTROUTING`; [`Origin::Node`] enters at nat `OUTPUT`, then
    /// filter `OUTPUT` and nat `POSTROUTING`. A Service without endpoints has no nat rules, so its
    /// packet reaches the filter table's `REJECT` as on a real kernel.
    ///
    /// `-m statistic --mode random` draws from `rng`; `-m recent` reads and updates `recent` at
    /// virtual time `now` (ms). Returns every matched rule (as `iptables-save` prints it), the
    /// verdict and the rewritten packet.
    pub fn walk(
        &self,
        packet: Packet,
        origin: Origin,
        rng: &mut Rng,
        recent: &mut RecentTable,
        now: Time,
    ) -> Walk {
        self.walk_with(packet, origin, rng, recent, now, None)
    }

    pub(crate) fn walk_with(
        &self,
        packet: Packet,
        origin: Origin,
        rng: &mut Rng,
        recent: &mut RecentTable,
        now: Time,
        mut ipvs: Option<&mut dyn FnMut(&Packet) -> Balance>,
    ) -> Walk {
        let mut st = State {
            src: packet.src,
            dst: packet.dst,
            protocol: packet.protocol,
            mark: 0,
            dnat: false,
            masquerade: false,
        };
        let mut ctx = Ctx {
            rng,
            recent,
            now,
            // Most walks match ten rules or fewer; ten fit in an allocation under 1 KiB, which
            // glibc's malloc serves without first consolidating its free lists.
            rules: Vec::with_capacity(10),
            draws: Vec::new(),
            stack: Vec::with_capacity(8),
        };

        let flow = match origin {
            Origin::Pod | Origin::External => {
                match self.hook(&self.nat, "PREROUTING", &mut st, &mut ctx) {
                    Flow::Accept => {}
                    other => return self.finish(other, st, ctx),
                }
                if self.is_local(*st.dst.ip()) {
                    match self.hook(&self.filter, "INPUT", &mut st, &mut ctx) {
                        Flow::Accept => {}
                        other => return self.finish(other, st, ctx),
                    }
                    match self.balance(&mut ipvs, &mut st, &mut ctx) {
                        Some(Flow::Accept) => {
                            self.hook(&self.nat, "POSTROUTING", &mut st, &mut ctx)
                        }
                        Some(other) => other,
                        // Delivered to a local socket: no POSTROUTING.
                        None => Flow::Accept,
                    }
                } else {
                    match self.hook(&self.filter, "FORWARD", &mut st, &mut ctx) {
                        Flow::Accept => self.hook(&self.nat, "POSTROUTING", &mut st, &mut ctx),
                        other => other,
                    }
                }
            }
            Origin::Node => {
                match self.hook(&self.nat, "OUTPUT", &mut st, &mut ctx) {
                    Flow::Accept => {}
                    other => return self.finish(other, st, ctx),
                }
                if self.is_local(*st.dst.ip()) {
                    match self.balance(&mut ipvs, &mut st, &mut ctx) {
                        Some(Flow::Accept) | None => {}
                        Some(other) => return self.finish(other, st, ctx),
                    }
                }
                match self.hook(&self.filter, "OUTPUT", &mut st, &mut ctx) {
                    Flow::Accept => self.hook(&self.nat, "POSTROUTING", &mut st, &mut ctx),
                    other => other,
                }
            }
        };
        self.finish(flow, st, ctx)
    }

    /// IPVS at `LOCAL_IN`/`LOCAL_OUT`: `None` when there is no IPVS or no virtual server.
    fn balance(
        &self,
        ipvs: &mut Option<&mut dyn FnMut(&Packet) -> Balance>,
        st: &mut State,
        ctx: &mut Ctx<'_>,
    ) -> Option<Flow> {
        let f = ipvs.as_mut()?;
        if st.dnat {
            return None;
        }
        match f(&st.packet()) {
            Balance::NotVirtual => None,
            Balance::NoRealServer(rule) => {
                ctx.rules.push(rule);
                Some(Flow::Reject(RejectCause::NoEndpoints))
            }
            Balance::Forward(to, rule) => {
                ctx.rules.push(rule);
                st.dst = to;
                st.dnat = true;
                Some(Flow::Accept)
            }
        }
    }

    fn finish(&self, flow: Flow, st: State, ctx: Ctx<'_>) -> Walk {
        let verdict = match flow {
            Flow::Drop(cause) => Verdict::Drop(cause),
            Flow::Reject(cause) => Verdict::Reject(cause),
            Flow::Accept if st.dnat => Verdict::Dnat {
                to: st.dst,
                masquerade: st.masquerade,
            },
            Flow::Accept => Verdict::Accept,
        };
        Walk {
            rules: ctx.rules,
            draws: ctx.draws,
            verdict,
            packet: st.packet(),
        }
    }

    /// `LOCAL` in the sense of `-m addrtype`: the node's IP, loopback, and kube-ipvs0's addresses.
    pub(crate) fn is_local(&self, ip: Ipv4Addr) -> bool {
        ip == self.node_ip || ip.is_loopback() || self.local.contains(&ip)
    }

    /// Traverse one built-in chain of `table` and the chains it jumps to.
    fn hook(&self, table: &Table, builtin: &str, st: &mut State, ctx: &mut Ctx<'_>) -> Flow {
        let Some(&start) = table.index.get(builtin) else {
            return Flow::Accept;
        };
        ctx.stack.clear();
        let mut chain = start;
        let mut next = 0;
        let mut budget = BUDGET;
        loop {
            let rules = &table.chains[chain].rules;
            let Some(rule) = rules.get(next) else {
                match ctx.stack.pop() {
                    Some((c, i)) => {
                        chain = c;
                        next = i;
                        continue;
                    }
                    // The end of a built-in chain: its policy, ACCEPT.
                    None => return Flow::Accept,
                }
            };
            next += 1;
            budget -= 1;
            if budget == 0 {
                return Flow::Accept;
            }
            let drawn = ctx.draws.len();
            let matched = self.matches(rule, st, ctx);
            if ctx.draws.len() > drawn {
                for d in &mut ctx.draws[drawn..] {
                    d.chain = table.chains[chain].name.clone();
                    d.target = rule.target.name().to_string();
                    d.taken = matched;
                }
            }
            if !matched {
                continue;
            }
            ctx.rules.push(MatchedRule {
                node: self.node.clone(),
                table: SharedStr::from_static(table.name),
                chain: table.chains[chain].name.clone(),
                text: rule.text.clone(),
            });
            match &rule.target {
                Target::None => {}
                Target::Jump(_) => {
                    if let Some(to) = rule.jump {
                        if ctx.stack.len() < MAX_DEPTH {
                            ctx.stack.push((chain, next));
                            chain = to;
                            next = 0;
                        }
                    }
                }
                Target::Return => match ctx.stack.pop() {
                    Some((c, i)) => {
                        chain = c;
                        next = i;
                    }
                    None => return Flow::Accept,
                },
                Target::Accept => return Flow::Accept,
                Target::Drop => {
                    return Flow::Drop(super::build::drop_cause(&table.chains[chain].name))
                }
                // kube-proxy's only REJECT rules are the `has no endpoints` ones.
                Target::Reject => return Flow::Reject(RejectCause::NoEndpoints),
                Target::Mark { value, mask } => st.mark = (st.mark & !mask) ^ value,
                Target::Masquerade { .. } => {
                    st.src = SocketAddrV4::new(self.node_ip, st.src.port());
                    st.masquerade = true;
                    return Flow::Accept;
                }
                Target::Dnat(to) => {
                    st.dst = *to;
                    st.dnat = true;
                    return Flow::Accept;
                }
            }
        }
    }

    fn matches(&self, rule: &Rule, st: &State, ctx: &mut Ctx<'_>) -> bool {
        if let Some(a) = rule.src {
            if !a.matches(*st.src.ip()) {
                return false;
            }
        }
        if let Some(a) = rule.dst {
            if !a.matches(*st.dst.ip()) {
                return false;
            }
        }
        if let Some(p) = rule.protocol {
            if p != st.protocol {
                return false;
            }
        }
        rule.matches.iter().all(|m| self.match_one(m, st, ctx))
    }

    fn match_one(&self, m: &Match, st: &State, ctx: &mut Ctx<'_>) -> bool {
        match m {
            Match::Comment(_) => true,
            Match::Port { protocol, dport } => {
                *protocol == st.protocol && dport.is_none_or(|p| p == st.dst.port())
            }
            Match::AddrType { dir, invert } => {
                let ip = match dir {
                    Dir::Src => *st.src.ip(),
                    Dir::Dst => *st.dst.ip(),
                };
                self.is_local(ip) != *invert
            }
            Match::Statistic { probability } => {
                // xt_statistic: (get_random_u32() & 0x7FFFFFFF) < probability
                let random = (ctx.rng.next_u64() >> 32) as u32 & 0x7FFF_FFFF;
                ctx.draws.push(Draw {
                    chain: SharedStr::default(),
                    target: String::new(),
                    probability: *probability,
                    random,
                    taken: false,
                });
                random < *probability
            }
            Match::Recent { name, mode } => match mode {
                RecentMode::Set => {
                    ctx.recent.set(name, *st.src.ip(), ctx.now);
                    true
                }
                RecentMode::Rcheck { seconds, reap } => {
                    ctx.recent
                        .rcheck(name, *st.src.ip(), ctx.now, *seconds, *reap)
                }
            },
            Match::Mark {
                value,
                mask,
                invert,
            } => ((st.mark & mask) == *value) != *invert,
            Match::Conntrack { states, invert } => {
                let mut current = CtState::NEW;
                if st.dnat {
                    current = current.union(CtState::DNAT);
                }
                states.intersects(current) != *invert
            }
            Match::Set { name, dirs } => self.set_contains(name, dirs, st),
            Match::Nfacct(_) => true,
        }
    }

    fn set_contains(&self, name: &str, dirs: &[Dir], st: &State) -> bool {
        let Some(set) = self.sets.get(name) else {
            return false;
        };
        let ip = |d: Option<&Dir>| match d {
            Some(Dir::Src) => *st.src.ip(),
            _ => *st.dst.ip(),
        };
        let port = |d: Option<&Dir>| match d {
            Some(Dir::Src) => st.src.port(),
            _ => st.dst.port(),
        };
        match set {
            SetEntries::Ip(s) => s.contains(&ip(dirs.first())),
            SetEntries::Port(s) => s.contains(&port(dirs.first())),
            SetEntries::IpPort(s) => {
                s.contains(&(ip(dirs.first()), st.protocol, port(dirs.get(1))))
            }
            SetEntries::IpPortIp(s) => s.contains(&(
                ip(dirs.first()),
                st.protocol,
                port(dirs.get(1)),
                ip(dirs.get(2)),
            )),
            SetEntries::IpPortNet(s) => {
                let (a, p, b) = (ip(dirs.first()), port(dirs.get(1)), ip(dirs.get(2)));
                s.iter().any(|(ia, pr, po, net)| {
                    *ia == a && *pr == st.protocol && *po == p && net.contains(b)
                })
            }
        }
    }
}
