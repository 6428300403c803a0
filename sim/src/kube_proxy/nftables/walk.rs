//! Sending the first packet of a connection through a node's `ip kube-proxy` table, hook by hook:
//! each hook's base chains in priority order, every rule evaluated by its parts, jumps and gotos,
//! verdict-map lookups, `numgen` draws and affinity sets.

use std::net::{Ipv4Addr, SocketAddrV4};

use super::rule::{Addr, Expr, Key, Rule, Stmt, Verdict as MapVerdict};
use super::{build, Hook, Ruleset, TABLE};
use crate::kube_proxy::iptables::RecentTable;
use crate::kube_proxy::{DropCause, Origin, RejectCause, Verdict};
use crate::model::Protocol;
use crate::rng::Rng;
use crate::time::Time;
use crate::trace::{MatchedRule, NumgenDraw, Packet, SharedStr};

/// The result of [`Ruleset::walk`]: every rule (and map element) the packet matched, in order,
/// the `numgen` draw that chose the endpoint, what became of the packet and the packet as it
/// leaves the node's stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    pub rules: Vec<MatchedRule>,
    pub draw: Option<NumgenDraw>,
    /// The packet went through a Service chain (a DNAT was decided by kube-proxy's rules).
    pub balanced: bool,
    pub verdict: Verdict,
    pub packet: Packet,
}

/// Where one hook's traversal ended.
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

struct Ctx<'r> {
    rng: &'r mut Rng,
    affinity: &'r mut RecentTable,
    now: Time,
    rules: Vec<MatchedRule>,
    draw: Option<NumgenDraw>,
    balanced: bool,
}

/// Most chains one hook may enter (kube-proxy's chains are at most four deep).
const MAX_DEPTH: usize = 32;

impl Ruleset {
    /// Send the first packet of a new connection through this node's table.
    ///
    /// [`Origin::Pod`] and [`Origin::External`] meet the `prerouting` hook, then `input` (when
    /// the destination is the node itself) or `forward`, then `postrouting`; [`Origin::Node`]
    /// meets `output`, then `postrouting`. Within a hook, base chains run in priority order.
    pub fn walk(
        &self,
        packet: Packet,
        origin: Origin,
        rng: &mut Rng,
        affinity: &mut RecentTable,
        now: Time,
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
            affinity,
            now,
            rules: Vec::with_capacity(10),
            draw: None,
            balanced: false,
        };
        let hooks: &[Hook] = match origin {
            Origin::Pod | Origin::External => &[Hook::Prerouting],
            Origin::Node => &[Hook::Output],
        };
        let mut flow = Flow::Accept;
        for &hook in hooks {
            flow = self.hook(hook, &mut st, &mut ctx);
        }
        if flow == Flow::Accept && origin != Origin::Node {
            let local = *st.dst.ip() == self.node_ip || st.dst.ip().is_loopback();
            let next = if local { Hook::Input } else { Hook::Forward };
            flow = self.hook(next, &mut st, &mut ctx);
            if flow == Flow::Accept && local {
                // Delivered to a local socket: no postrouting.
                return self.finish(flow, st, ctx);
            }
        }
        if flow == Flow::Accept {
            flow = self.hook(Hook::Postrouting, &mut st, &mut ctx);
        }
        self.finish(flow, st, ctx)
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
        let mut packet = Packet {
            src: st.src,
            dst: st.dst,
            protocol: st.protocol,
        };
        if st.masquerade {
            packet.src = SocketAddrV4::new(self.node_ip, st.src.port());
        }
        Walk {
            rules: ctx.rules,
            draw: ctx.draw,
            balanced: ctx.balanced,
            verdict,
            packet,
        }
    }

    /// Every base chain on `hook`, lowest priority first, until one drops or rejects.
    fn hook(&self, hook: Hook, st: &mut State, ctx: &mut Ctx<'_>) -> Flow {
        for &(_, i) in self.bases.iter().filter(|(h, _)| *h == hook) {
            match self.run(i, st, ctx, 0) {
                Step::Drop(cause) => return Flow::Drop(cause),
                Step::Reject(cause) => return Flow::Reject(cause),
                // `accept`, a NAT statement or the end of the base chain: on to the next one.
                Step::Accept | Step::Continue | Step::Return | Step::Goto(_) => {}
            }
        }
        Flow::Accept
    }

    /// Run chain `index`; `Continue` means it ran to its end or returned.
    fn run(&self, index: usize, st: &mut State, ctx: &mut Ctx<'_>, depth: usize) -> Step {
        if depth > MAX_DEPTH {
            return Step::Continue;
        }
        let chain = &self.chains[index];
        for rule in &chain.rules {
            if !self.matches(rule, st, ctx) {
                continue;
            }
            let vmap = match &rule.stmt {
                Stmt::VmapAddrPort(map) => {
                    Some((map, Key::AddrPort(*st.dst.ip(), st.protocol, st.dst.port())))
                }
                Stmt::VmapPort(map) => Some((map, Key::Port(st.protocol, st.dst.port()))),
                _ => None,
            };
            let step = match vmap {
                Some((map, key)) => {
                    // A verdict map without an element for the packet does nothing: not worth
                    // showing. With one, the rule and the element are what matched.
                    let Some(element) = self.set(map).and_then(|s| s.get(&key)) else {
                        continue;
                    };
                    ctx.rules.push(self.matched(&chain.name, rule.list_text()));
                    ctx.rules
                        .push(self.matched(&format!("@{map}"), element.list_text()));
                    match &element.verdict {
                        Some(MapVerdict::Goto(to)) => Step::Goto(to.clone()),
                        // Only the `no-endpoint-*` maps hold `drop` elements: a Service
                        // whose traffic policy is `Local` with no endpoint on this node.
                        Some(MapVerdict::Drop) => Step::Drop(DropCause::NoLocalEndpoints),
                        None => Step::Continue,
                    }
                }
                None => {
                    ctx.rules.push(self.matched(&chain.name, rule.list_text()));
                    self.apply(&chain.name, rule, st, ctx, depth)
                }
            };
            match step {
                Step::Continue => {}
                Step::Goto(to) => {
                    return match self.index.get(to.as_str()) {
                        Some(&i) => self.run(i, st, ctx, depth + 1),
                        None => Step::Continue,
                    }
                }
                Step::Return => return Step::Continue,
                other => return other,
            }
        }
        Step::Continue
    }

    fn matched(&self, chain: &str, text: String) -> MatchedRule {
        MatchedRule {
            node: self.node.clone(),
            table: SharedStr::from_static(TABLE),
            chain: chain.into(),
            text,
        }
    }

    fn matches(&self, rule: &Rule, st: &State, ctx: &mut Ctx<'_>) -> bool {
        rule.matches.iter().all(|m| match m {
            // The walker follows a connection's first packet.
            Expr::CtStateNew => true,
            Expr::CtStatusDnat => st.dnat,
            Expr::Daddr(a) => self.addr(a, *st.dst.ip(), ctx),
            Expr::Saddr(a) => self.addr(a, *st.src.ip(), ctx),
            Expr::Dport(p, port) => st.protocol == *p && st.dst.port() == *port,
            Expr::L4proto(p) => st.protocol == *p,
            Expr::FibSaddrLocal => *st.src.ip() == self.node_ip || st.src.ip().is_loopback(),
            Expr::MarkSet(m) => st.mark & m != 0,
            Expr::Hairpin(set) => {
                st.src.ip() == st.dst.ip()
                    && self.has(set, &Key::Hairpin(*st.dst.ip(), st.protocol, st.dst.port()))
            }
        })
    }

    fn has(&self, set: &str, key: &Key) -> bool {
        self.set(set).is_some_and(|s| s.get(key).is_some())
    }

    fn addr(&self, a: &Addr, ip: Ipv4Addr, ctx: &mut Ctx<'_>) -> bool {
        match a {
            Addr::Is(c) => c.contains(ip),
            Addr::Not(c) => !c.contains(ip),
            Addr::Anon(items, negated) => items.iter().any(|c| c.contains(ip)) != *negated,
            Addr::InSet(name) => match self.set(name) {
                Some(s) if s.timeout.is_some() => {
                    let seconds = s.timeout.unwrap_or(0);
                    ctx.affinity.rcheck(name, ip, ctx.now, seconds, true)
                }
                Some(s) => s.get(&Key::Addr(ip)).is_some(),
                None => false,
            },
        }
    }

    fn apply(
        &self,
        chain: &str,
        rule: &Rule,
        st: &mut State,
        ctx: &mut Ctx<'_>,
        depth: usize,
    ) -> Step {
        match &rule.stmt {
            Stmt::Jump(to) => match self.index.get(to.as_str()) {
                Some(&i) => match self.run(i, st, ctx, depth + 1) {
                    Step::Continue => Step::Continue,
                    other => other,
                },
                None => Step::Continue,
            },
            Stmt::Goto(to) => Step::Goto(to.clone()),
            Stmt::Return => Step::Return,
            Stmt::Drop => Step::Drop(build::drop_cause(chain)),
            Stmt::Reject => Step::Reject(build::reject_cause(chain)),
            // Looked up in `run`, which records the element with the rule.
            Stmt::VmapAddrPort(_) | Stmt::VmapPort(_) => Step::Continue,
            Stmt::Numgen(targets) => {
                let (random, value) = draw(ctx.rng, targets.len());
                let Some(target) = targets.get(value as usize) else {
                    return Step::Continue;
                };
                ctx.balanced = true;
                ctx.draw = Some(NumgenDraw {
                    chain: chain.into(),
                    modulus: targets.len() as u32,
                    random,
                    value,
                    chosen: format!("goto {target}"),
                });
                Step::Goto(target.clone())
            }
            Stmt::Dnat(to) => {
                ctx.balanced = true;
                st.dst = *to;
                st.dnat = true;
                Step::Accept
            }
            Stmt::DnatNumgen(to) => {
                let (random, value) = draw(ctx.rng, to.len());
                let Some(&dst) = to.get(value as usize) else {
                    return Step::Continue;
                };
                ctx.balanced = true;
                ctx.draw = Some(NumgenDraw {
                    chain: chain.into(),
                    modulus: to.len() as u32,
                    random,
                    value,
                    chosen: format!("{} . {}", dst.ip(), dst.port()),
                });
                st.dst = dst;
                st.dnat = true;
                Step::Accept
            }
            Stmt::MarkOr(m) => {
                st.mark |= m;
                Step::Continue
            }
            Stmt::XorMasquerade(m) => {
                st.mark ^= m;
                st.masquerade = true;
                Step::Accept
            }
            Stmt::Masquerade => {
                st.masquerade = true;
                Step::Accept
            }
            Stmt::UpdateSaddr(set) => {
                ctx.affinity.set(set, *st.src.ip(), ctx.now);
                Step::Continue
            }
        }
    }
}

/// `numgen random mod n`: the kernel draws a 32-bit random number and scales it,
/// `reciprocal_scale(get_random_u32(), n)`.
fn draw(rng: &mut Rng, n: usize) -> (u32, u32) {
    let random = (rng.next_u64() >> 32) as u32;
    let value = ((u64::from(random) * n as u64) >> 32) as u32;
    (random, value)
}

/// How a statement leaves the chain it is in.
enum Step {
    /// Go on with the next rule.
    Continue,
    Goto(String),
    Return,
    /// A NAT statement or `accept`: this base chain is done, the next one runs.
    Accept,
    Drop(DropCause),
    Reject(RejectCause),
}
