//! The kernel's IPVS state: connection entries, persistence templates, round-robin positions,
//! and the scheduler's choice for each new connection.

use crate::map::SortedMap;
use std::net::{Ipv4Addr, SocketAddrV4};

use super::{IpvsRoute, RealServer, Scheduler, VirtualKey, VirtualServer};
use crate::model::Protocol;
use crate::time::{Time, SECOND};
use crate::trace::{MatchedRule, Packet, SharedStr};

/// How long IPVS keeps connection entries (the kernel's defaults; kube-proxy leaves them).
const TCP_ESTABLISHED_TIMEOUT: Time = 900 * SECOND;
const TCP_TIME_WAIT_TIMEOUT: Time = 120 * SECOND;
const UDP_TIMEOUT: Time = 300 * SECOND;

/// A connection entry (`ipvsadm -Lnc`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Conn {
    vs: VirtualKey,
    client: SocketAddrV4,
    rs: SocketAddrV4,
    active: bool,
    expires: Time,
}

/// A persistence template: this client goes to this real server until `expires`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Template {
    rs: SocketAddrV4,
    expires: Time,
}

/// The virtual servers and what the kernel remembers about them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(super) struct Kernel {
    node: String,
    pub(super) services: SortedMap<VirtualKey, VirtualServer>,
    rr_last: SortedMap<VirtualKey, SocketAddrV4>,
    conns: Vec<Conn>,
    /// (ActiveConn, InActConn) per virtual and real server, kept in step with `conns`.
    counts: SortedMap<(VirtualKey, SocketAddrV4), (u32, u32)>,
    templates: SortedMap<(VirtualKey, Ipv4Addr), Template>,
    now: Time,
}

impl Kernel {
    /// Take `wanted` as the virtual servers, keeping the connections, persistence templates and
    /// round-robin positions of what remains.
    pub(super) fn replace_services(
        &mut self,
        node: &str,
        wanted: SortedMap<VirtualKey, VirtualServer>,
    ) {
        self.node = node.to_string();
        self.conns.retain(|c| {
            wanted
                .get(&c.vs)
                .is_some_and(|vs| vs.real_servers.iter().any(|r| r.addr == c.rs))
        });
        self.recount();
        self.templates.retain(|(vs, _), _| wanted.contains_key(vs));
        self.rr_last.retain(|vs, _| wanted.contains_key(vs));
        self.services = wanted;
    }

    pub(super) fn counts(&self, vs: VirtualKey, rs: SocketAddrV4) -> (u32, u32) {
        self.counts.get(&(vs, rs)).copied().unwrap_or((0, 0))
    }

    fn recount(&mut self) {
        self.counts.clear();
        for c in &self.conns {
            let e = self.counts.entry((c.vs, c.rs)).or_default();
            if c.active {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }

    /// Drop connection entries and persistence templates whose time is up at `now` (ms).
    pub(super) fn expire(&mut self, now: Time) {
        self.now = self.now.max(now);
        let now = self.now;
        let before = self.conns.len();
        self.conns.retain(|c| c.expires > now);
        if self.conns.len() != before {
            self.recount();
        }
        self.templates.retain(|_, t| t.expires > now);
    }

    /// The client closed its connection to `virtual_server`: a TCP entry turns inactive
    /// (TIME_WAIT, two minutes).
    pub(super) fn close(
        &mut self,
        client: SocketAddrV4,
        virtual_server: SocketAddrV4,
        protocol: Protocol,
        now: Time,
    ) {
        self.expire(now);
        let now = self.now;
        if let Some(c) = self
            .conns
            .iter_mut()
            .find(|c| c.active && c.client == client && c.vs == (protocol, virtual_server))
        {
            c.active = false;
            c.expires = now.saturating_add(TCP_TIME_WAIT_TIMEOUT);
            let e = self.counts.entry((c.vs, c.rs)).or_default();
            e.0 = e.0.saturating_sub(1);
            e.1 += 1;
        }
    }

    /// IPVS for the first packet of a new connection at virtual time `now` (ms): `None` when no
    /// virtual server has the packet's destination; otherwise the scheduler's (or the
    /// persistence template's) choice, recorded as a new connection.
    pub(super) fn route(&mut self, packet: &Packet, now: Time) -> Option<IpvsRoute> {
        self.expire(now);
        let now = self.now;
        let key = (packet.protocol, packet.dst);
        let vs = self.services.get(&key)?;
        let client = *packet.src.ip();
        let chosen = self.choose(vs, client, *packet.dst.ip(), now);
        let vs_line = vs.line();
        let persistent = vs.persistent;
        let Some((rs, scheduled)) = chosen else {
            return Some(IpvsRoute {
                virtual_server: packet.dst,
                real_server: None,
                rule: self.matched(vs_line.clone(), vs_line),
            });
        };
        if let Some(timeout) = persistent {
            self.templates.insert(
                (key, client),
                Template {
                    rs,
                    expires: now.saturating_add(Time::from(timeout) * SECOND),
                },
            );
        }
        if scheduled {
            self.rr_last.insert(key, rs);
        }
        let (active, expires) = match packet.protocol {
            Protocol::Udp => (false, now.saturating_add(UDP_TIMEOUT)),
            _ => (true, now.saturating_add(TCP_ESTABLISHED_TIMEOUT)),
        };
        self.conns.push(Conn {
            vs: key,
            client: packet.src,
            rs,
            active,
            expires,
        });
        let e = self.counts.entry((key, rs)).or_default();
        if active {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
        let text = self
            .services
            .get(&key)
            .and_then(|vs| {
                let r = vs.real_servers.iter().find(|r| r.addr == rs)?;
                Some(self.real_server_line(vs, r))
            })
            .unwrap_or_default();
        Some(IpvsRoute {
            virtual_server: packet.dst,
            real_server: Some(rs),
            rule: self.matched(vs_line, text),
        })
    }

    fn matched(&self, chain: String, text: String) -> MatchedRule {
        MatchedRule {
            node: self.node.as_str().into(),
            table: SharedStr::from_static("ipvs"),
            chain: chain.into(),
            text,
        }
    }

    fn choose(
        &self,
        vs: &VirtualServer,
        client: Ipv4Addr,
        dst: Ipv4Addr,
        now: Time,
    ) -> Option<(SocketAddrV4, bool)> {
        let key = vs.key();
        let live: Vec<&RealServer> = vs.real_servers.iter().filter(|r| r.weight > 0).collect();
        if live.is_empty() {
            return None;
        }
        if vs.persistent.is_some() {
            if let Some(t) = self.templates.get(&(key, client)) {
                if t.expires > now && live.iter().any(|r| r.addr == t.rs) {
                    return Some((t.rs, false));
                }
            }
        }
        let overhead = |r: &RealServer| {
            let (a, i) = self.counts(key, r.addr);
            (u64::from(a), u64::from(i))
        };
        let least_by = |cost: &dyn Fn(&RealServer) -> u64| -> SocketAddrV4 {
            let mut best = live[0];
            let mut best_cost = cost(best);
            for r in &live[1..] {
                let c = cost(r);
                // c / r.weight < best_cost / best.weight, without division.
                if c * u64::from(best.weight) < best_cost * u64::from(r.weight) {
                    best = r;
                    best_cost = c;
                }
            }
            best.addr
        };
        let chosen = match vs.scheduler {
            Scheduler::Rr | Scheduler::Wrr => {
                let start = self
                    .rr_last
                    .get(&key)
                    .and_then(|last| live.iter().position(|r| r.addr == *last))
                    .map_or(0, |i| i + 1);
                live[start % live.len()].addr
            }
            Scheduler::Lc | Scheduler::Wlc => least_by(&|r| {
                let (a, i) = overhead(r);
                (a << 8) + i
            }),
            Scheduler::Sed => least_by(&|r| overhead(r).0 + 1),
            Scheduler::Nq => match live.iter().find(|r| overhead(r).0 == 0) {
                Some(idle) => idle.addr,
                None => least_by(&|r| overhead(r).0 + 1),
            },
            Scheduler::Dh => {
                let bucket = u32::from(dst).wrapping_mul(2_654_435_761) & 0xFF;
                live[bucket as usize % live.len()].addr
            }
            Scheduler::Sh => {
                let bucket = u32::from(client).wrapping_mul(0x61C8_8647) >> 24;
                live[bucket as usize % live.len()].addr
            }
        };
        Some((chosen, true))
    }
}
