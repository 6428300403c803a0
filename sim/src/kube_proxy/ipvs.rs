//! kube-proxy's IPVS mode: one virtual server per Service address (cluster IP, LoadBalancer IP,
//! node IP for a NodePort) with the Service's endpoints as real servers, the scheduler state the
//! kernel keeps, `ipvsadm -Ln` output, the addresses bound to `kube-ipvs0`, and the iptables rules
//! IPVS mode still writes (ipset matches for masquerading).
//!
//! [`Ipvs`] is both the configuration kube-proxy programs and the kernel state that survives
//! kube-proxy's syncs (round-robin position, connection counts, persistence templates). The
//! cluster keeps one per node: [`Ipvs::build`] once, [`Ipvs::sync`] when Services or endpoints
//! change, [`Ipvs::route`] or [`Ipvs::walk`] per new connection. Nothing here is random: the
//! schedulers are deterministic, as in the kernel.

use crate::map::{SortedMap, SortedSet};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddrV4};

use crate::kube_proxy::iptables::build as helpers;
use crate::kube_proxy::iptables::endpoints::{self, Endpoint};
use crate::kube_proxy::iptables::walk::Balance;
use crate::kube_proxy::iptables::{
    Cidr, CtState, Dir, Match, RecentTable, Rule, SetEntries, TableBuilder, Tables, Target, Walk,
};
use crate::kube_proxy::{NodeInfo, Origin, ServicePortInfo};
use crate::model::Protocol;
use crate::names::service_port_name;
use crate::rng::Rng;
use crate::time::{Time, SECOND};
use crate::trace::{MatchedRule, Packet, SharedStr};

/// IPVS scheduling algorithms (`--ipvs-scheduler`). kube-proxy gives every real server weight 1,
/// so the weighted variants behave like their plain ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scheduler {
    /// Round robin, kube-proxy's default.
    #[default]
    Rr,
    Wrr,
    /// Least connections.
    Lc,
    Wlc,
    /// Shortest expected delay.
    Sed,
    /// Never queue.
    Nq,
    /// Destination hashing.
    Dh,
    /// Source hashing.
    Sh,
}

impl Scheduler {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheduler::Rr => "rr",
            Scheduler::Wrr => "wrr",
            Scheduler::Lc => "lc",
            Scheduler::Wlc => "wlc",
            Scheduler::Sed => "sed",
            Scheduler::Nq => "nq",
            Scheduler::Dh => "dh",
            Scheduler::Sh => "sh",
        }
    }

    pub fn parse(s: &str) -> Option<Scheduler> {
        Some(match s {
            "rr" => Scheduler::Rr,
            "wrr" => Scheduler::Wrr,
            "lc" => Scheduler::Lc,
            "wlc" => Scheduler::Wlc,
            "sed" => Scheduler::Sed,
            "nq" => Scheduler::Nq,
            "dh" => Scheduler::Dh,
            "sh" => Scheduler::Sh,
            _ => return None,
        })
    }
}

/// How long IPVS keeps connection entries (the kernel's defaults; kube-proxy leaves them).
const TCP_ESTABLISHED_TIMEOUT: Time = 900 * SECOND;
const TCP_TIME_WAIT_TIMEOUT: Time = 120 * SECOND;
const UDP_TIMEOUT: Time = 300 * SECOND;

/// A virtual service: protocol and address.
pub type VirtualKey = (Protocol, SocketAddrV4);

/// One real server (destination) of a virtual server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RealServer {
    pub addr: SocketAddrV4,
    pub weight: u32,
}

/// One IPVS virtual server, with its real servers in the kernel's list order (newest first: the
/// kernel adds destinations at the head of the list, and kube-proxy adds them sorted by `IP:port`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualServer {
    pub protocol: Protocol,
    pub addr: SocketAddrV4,
    pub scheduler: Scheduler,
    /// `persistent <seconds>`: `sessionAffinity: ClientIP`.
    pub persistent: Option<u32>,
    /// The Service port it stands for, `namespace/name:port`.
    pub service: String,
    pub real_servers: Vec<RealServer>,
}

impl VirtualServer {
    fn key(&self) -> VirtualKey {
        (self.protocol, self.addr)
    }

    /// The service line of `ipvsadm -Ln`: `TCP  10.96.23.157:80 rr persistent 10800`.
    pub fn line(&self) -> String {
        let mut out = format!(
            "{}  {} {}",
            protocol_name(self.protocol),
            self.addr,
            self.scheduler.as_str()
        );
        if let Some(t) = self.persistent {
            let _ = write!(out, " persistent {t}");
        }
        out
    }
}

fn protocol_name(p: Protocol) -> &'static str {
    p.as_str()
}

fn protocol_number(p: Protocol) -> u8 {
    match p {
        Protocol::Tcp => 6,
        Protocol::Udp => 17,
        Protocol::Sctp => 132,
    }
}

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

/// What IPVS did with a packet for one of its virtual servers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpvsRoute {
    pub virtual_server: SocketAddrV4,
    /// The chosen real server; `None` when the virtual server has none (IPVS then answers ICMP
    /// port unreachable: "connection refused").
    pub real_server: Option<SocketAddrV4>,
    /// `table: "ipvs"`, `chain`: the virtual server's `ipvsadm -Ln` line, `text`: the chosen real
    /// server's line (counts included), or the service line when there is none.
    pub rule: MatchedRule,
}

/// One node's IPVS: configuration plus kernel state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipvs {
    node: NodeInfo,
    scheduler: Scheduler,
    bound: SortedSet<Ipv4Addr>,
    tables: Tables,
    kernel: Kernel,
}

/// The virtual servers and what the kernel remembers about them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Kernel {
    node: String,
    services: SortedMap<VirtualKey, VirtualServer>,
    rr_last: SortedMap<VirtualKey, SocketAddrV4>,
    conns: Vec<Conn>,
    /// (ActiveConn, InActConn) per virtual and real server, kept in step with `conns`.
    counts: SortedMap<(VirtualKey, SocketAddrV4), (u32, u32)>,
    templates: SortedMap<(VirtualKey, Ipv4Addr), Template>,
    now: Time,
}

impl Ipvs {
    /// What kube-proxy in IPVS mode programs on `node` for these Service ports, with fresh kernel
    /// state. Ports without a cluster IP get nothing.
    pub fn build(node: &NodeInfo, services: &[ServicePortInfo], scheduler: Scheduler) -> Ipvs {
        let mut ipvs = Ipvs {
            node: node.clone(),
            scheduler,
            bound: SortedSet::new(),
            tables: Tables::build(node, &[]),
            kernel: Kernel::default(),
        };
        ipvs.sync(node, services);
        ipvs
    }

    /// Re-sync after Services or endpoints changed, as kube-proxy does: virtual servers and real
    /// servers are added and removed, while connections, round-robin positions and persistence of
    /// what remains are kept. New real servers go to the head of the kernel's list.
    pub fn sync(&mut self, node: &NodeInfo, services: &[ServicePortInfo]) {
        self.node = node.clone();
        let mut wanted: SortedMap<VirtualKey, VirtualServer> = SortedMap::new();
        let mut bound = SortedSet::new();
        let ports = helpers::proxied(services);
        for svc in &ports {
            let Some(cluster_ip) = svc.cluster_ip else {
                continue;
            };
            let spn = service_port_name(
                &svc.service.namespace,
                &svc.service.name,
                svc.port_name.as_deref(),
            );
            let eps = endpoints::categorize(svc, &node.name);
            let pick = |only_local: bool| -> Vec<&Endpoint<'_>> {
                if only_local && !eps.local.is_empty() {
                    eps.local.iter().collect()
                } else {
                    eps.cluster.iter().collect()
                }
            };
            let mut add = |addr: SocketAddrV4, only_local: bool| {
                let key = (svc.protocol, addr);
                if wanted.contains_key(&key) {
                    return;
                }
                let mut reals: Vec<&Endpoint<'_>> = pick(only_local);
                crate::sort::sort_by(&mut reals, |a, b| a.key.cmp(&b.key));
                wanted.insert(
                    key,
                    VirtualServer {
                        protocol: svc.protocol,
                        addr,
                        scheduler: self.scheduler,
                        persistent: svc.affinity_timeout,
                        service: spn.clone(),
                        real_servers: reals
                            .iter()
                            .map(|e| RealServer {
                                addr: SocketAddrV4::new(e.info.ip, e.info.port),
                                weight: 1,
                            })
                            .collect(),
                    },
                );
            };
            add(
                SocketAddrV4::new(cluster_ip, svc.port),
                endpoints::internal_policy_local(svc),
            );
            bound.insert(cluster_ip);
            let external_local = endpoints::external_policy_local(svc);
            if let Some(lb) = svc.load_balancer_ip {
                add(SocketAddrV4::new(lb, svc.port), external_local);
                if lb != node.ip {
                    bound.insert(lb);
                }
            }
            if let Some(np) = svc.node_port.filter(|p| *p != 0) {
                add(SocketAddrV4::new(node.ip, np), external_local);
            }
        }

        // Keep the kernel's list order for surviving real servers; new ones are added in sorted
        // order, each at the head.
        for (key, vs) in wanted.iter_mut() {
            let sorted = std::mem::take(&mut vs.real_servers);
            let old = self
                .kernel
                .services
                .get(key)
                .map(|o| o.real_servers.as_slice())
                .unwrap_or(&[]);
            let mut list: Vec<RealServer> = old
                .iter()
                .filter(|o| sorted.iter().any(|n| n.addr == o.addr))
                .cloned()
                .collect();
            for rs in sorted {
                if !list.iter().any(|o| o.addr == rs.addr) {
                    list.insert(0, rs);
                }
            }
            vs.real_servers = list;
        }

        let k = &mut self.kernel;
        k.node = node.name.clone();
        k.conns.retain(|c| {
            wanted
                .get(&c.vs)
                .is_some_and(|vs| vs.real_servers.iter().any(|r| r.addr == c.rs))
        });
        k.recount();
        k.templates.retain(|(vs, _), _| wanted.contains_key(vs));
        k.rr_last.retain(|vs, _| wanted.contains_key(vs));
        k.services = wanted;
        self.tables = ipvs_tables(node, &ports, &bound);
        self.bound = bound;
    }

    /// The scheduler every virtual server uses.
    pub fn scheduler(&self) -> Scheduler {
        self.scheduler
    }

    /// The iptables rules kube-proxy still writes in IPVS mode (ipset matches, masquerading).
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The addresses bound to the dummy interface `kube-ipvs0` (cluster IPs and LoadBalancer
    /// IPs), in numeric order, for `ip addr show kube-ipvs0`.
    pub fn kube_ipvs0_addresses(&self) -> Vec<Ipv4Addr> {
        self.bound.iter().copied().collect()
    }

    /// The virtual servers in `ipvsadm -Ln` order.
    pub fn virtual_servers(&self) -> Vec<&VirtualServer> {
        let services = &self.kernel.services;
        let base = rotation_base(services.keys().map(|(_, a)| u32::from(*a.ip())));
        let mut out: Vec<&VirtualServer> = services.values().collect();
        crate::sort::sort_by_key(&mut out, |vs| {
            (
                protocol_number(vs.protocol),
                u32::from(*vs.addr.ip()).wrapping_sub(base),
                vs.addr.port(),
            )
        });
        out
    }

    /// `ipvsadm -Ln`: services sorted as ipvsadm sorts them (protocol, then address, then port),
    /// real servers by address, with the connection counts as of the last [`Ipvs::route`],
    /// [`Ipvs::close`] or [`Ipvs::expire`]. Trailing blanks of the padded columns are trimmed.
    pub fn list(&self) -> String {
        let mut out = String::from(
            "IP Virtual Server version 1.2.1 (size=4096)\n\
             Prot LocalAddress:Port Scheduler Flags\n  \
             -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
        );
        for vs in self.virtual_servers() {
            out.push_str(&vs.line());
            out.push('\n');
            let base = rotation_base(vs.real_servers.iter().map(|r| u32::from(*r.addr.ip())));
            let mut reals: Vec<&RealServer> = vs.real_servers.iter().collect();
            crate::sort::sort_by_key(&mut reals, |r| {
                (u32::from(*r.addr.ip()).wrapping_sub(base), r.addr.port())
            });
            for rs in reals {
                out.push_str(&self.kernel.real_server_line(vs, rs));
                out.push('\n');
            }
        }
        out
    }

    /// Drop connection entries and persistence templates whose time is up at `now` (ms).
    pub fn expire(&mut self, now: Time) {
        self.kernel.expire(now);
    }

    /// The client closed its connection to `virtual_server`: a TCP entry turns inactive
    /// (TIME_WAIT, two minutes).
    pub fn close(
        &mut self,
        client: SocketAddrV4,
        virtual_server: SocketAddrV4,
        protocol: Protocol,
        now: Time,
    ) {
        self.kernel.close(client, virtual_server, protocol, now);
    }

    /// IPVS for the first packet of a new connection at virtual time `now` (ms): `None` when no
    /// virtual server has the packet's destination; otherwise the scheduler's (or the
    /// persistence template's) choice, recorded as a new connection.
    pub fn route(&mut self, packet: &Packet, now: Time) -> Option<IpvsRoute> {
        self.kernel.route(packet, now)
    }

    /// The whole path of a new connection's first packet on this node in IPVS mode: nat
    /// `PREROUTING`/`OUTPUT` (ipset-based masquerade marks), filter `INPUT`, IPVS, nat
    /// `POSTROUTING`. IPVS rules appear in the result with table `ipvs`.
    pub fn walk(&mut self, packet: Packet, origin: Origin, now: Time) -> Walk {
        let Ipvs { tables, kernel, .. } = self;
        let mut rng = Rng::new(0);
        let mut recent = RecentTable::new();
        let mut balance = |p: &Packet| match kernel.route(p, now) {
            None => Balance::NotVirtual,
            Some(IpvsRoute {
                real_server: None,
                rule,
                ..
            }) => Balance::NoRealServer(rule),
            Some(IpvsRoute {
                real_server: Some(rs),
                rule,
                ..
            }) => Balance::Forward(rs, rule),
        };
        tables.walk_with(
            packet,
            origin,
            &mut rng,
            &mut recent,
            now,
            Some(&mut balance),
        )
    }
}

impl Kernel {
    fn counts(&self, vs: VirtualKey, rs: SocketAddrV4) -> (u32, u32) {
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

    fn real_server_line(&self, vs: &VirtualServer, rs: &RealServer) -> String {
        let (active, inactive) = self.counts(vs.key(), rs.addr);
        let line = format!(
            "  -> {:<28} {:<7} {:<6} {:<10} {:<10}",
            rs.addr.to_string(),
            "Masq",
            rs.weight,
            active,
            inactive
        );
        line.trim_end().to_string()
    }

    /// Drop connection entries and persistence templates whose time is up at `now` (ms).
    fn expire(&mut self, now: Time) {
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
    fn close(
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
    fn route(&mut self, packet: &Packet, now: Time) -> Option<IpvsRoute> {
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

/// ipvsadm compares addresses as `(int)(ntohl(a) - ntohl(b))`, a wrapping difference. For
/// addresses that fit in half the address space that is a consistent order: ascending, starting
/// after the widest gap (so on kind, node IPs `172.18.x.x` sort before cluster IPs `10.96.x.x`).
/// Sorting by `addr - base` reproduces it.
fn rotation_base(addrs: impl Iterator<Item = u32>) -> u32 {
    let mut v: Vec<u32> = addrs.collect();
    crate::sort::sort(&mut v);
    v.dedup();
    let (Some(&first), Some(&last)) = (v.first(), v.last()) else {
        return 0;
    };
    let mut base = first;
    let mut widest = u64::from(first) + (1u64 << 32) - u64::from(last);
    for w in v.windows(2) {
        let gap = u64::from(w[1] - w[0]);
        if gap > widest {
            widest = gap;
            base = w[1];
        }
    }
    base
}

// ipsets kube-proxy's IPVS proxier keeps, with their comments.
const LOOP_BACK: (&str, &str) = (
    "KUBE-LOOP-BACK",
    "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose",
);
const CLUSTER_IP: (&str, &str) = (
    "KUBE-CLUSTER-IP",
    "Kubernetes service cluster ip + port for masquerade purpose",
);
const LOAD_BALANCER: (&str, &str) = ("KUBE-LOAD-BALANCER", "Kubernetes service lb portal");
const LOAD_BALANCER_LOCAL: (&str, &str) = (
    "KUBE-LOAD-BALANCER-LOCAL",
    "Kubernetes service load balancer ip + port with externalTrafficPolicy=local",
);
const LOAD_BALANCER_FW: (&str, &str) = (
    "KUBE-LOAD-BALANCER-FW",
    "Kubernetes service load balancer ip + port for load balancer with sourceRange",
);
const LOAD_BALANCER_SOURCE_IP: (&str, &str) = (
    "KUBE-LOAD-BALANCER-SOURCE-IP",
    "Kubernetes service load balancer ip + port + source IP for packet filter purpose",
);
const LOAD_BALANCER_SOURCE_CIDR: (&str, &str) = (
    "KUBE-LOAD-BALANCER-SOURCE-CIDR",
    "Kubernetes service load balancer ip + port + source cidr for packet filter purpose",
);
const NODE_PORT_TCP: (&str, &str) = (
    "KUBE-NODE-PORT-TCP",
    "Kubernetes nodeport TCP port for masquerade purpose",
);
const NODE_PORT_LOCAL_TCP: (&str, &str) = (
    "KUBE-NODE-PORT-LOCAL-TCP",
    "Kubernetes nodeport TCP port with externalTrafficPolicy=local",
);
const NODE_PORT_UDP: (&str, &str) = (
    "KUBE-NODE-PORT-UDP",
    "Kubernetes nodeport UDP port for masquerade purpose",
);
const NODE_PORT_LOCAL_UDP: (&str, &str) = (
    "KUBE-NODE-PORT-LOCAL-UDP",
    "Kubernetes nodeport UDP port with externalTrafficPolicy=local",
);
const NODE_PORT_SCTP: (&str, &str) = (
    "KUBE-NODE-PORT-SCTP-HASH",
    "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'",
);
const NODE_PORT_LOCAL_SCTP: (&str, &str) = (
    "KUBE-NODE-PORT-LOCAL-SCTP-HASH",
    "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'",
);
const HEALTH_CHECK_NODE_PORT: (&str, &str) = (
    "KUBE-HEALTH-CHECK-NODE-PORT",
    "Kubernetes health check node port",
);
const IPVS_IPS: &str = "KUBE-IPVS-IPS";
const EXTERNAL_IP: &str = "KUBE-EXTERNAL-IP";

/// One row of kube-proxy's `ipsetWithIptablesChain`: the set (name, comment), whether the rule goes
/// to the nat table, the chain it goes to, its target, the set's match directions and `-p`.
type Chained<'a> = (
    &'a (&'a str, &'a str),
    bool,
    &'a str,
    &'a str,
    &'a [Dir],
    Option<Protocol>,
);

/// The ipsets and the nat/filter rules of kube-proxy's IPVS `writeIptablesRules`.
fn ipvs_tables(node: &NodeInfo, ports: &[&ServicePortInfo], bound: &SortedSet<Ipv4Addr>) -> Tables {
    let mut sets: SortedMap<String, SetEntries> = SortedMap::new();
    for (name, _) in [
        CLUSTER_IP,
        LOAD_BALANCER,
        LOAD_BALANCER_LOCAL,
        LOAD_BALANCER_FW,
        NODE_PORT_SCTP,
        NODE_PORT_LOCAL_SCTP,
    ] {
        sets.insert(name.to_string(), SetEntries::IpPort(SortedSet::new()));
    }
    for (name, _) in [LOOP_BACK, LOAD_BALANCER_SOURCE_IP] {
        sets.insert(name.to_string(), SetEntries::IpPortIp(SortedSet::new()));
    }
    sets.insert(
        LOAD_BALANCER_SOURCE_CIDR.0.to_string(),
        SetEntries::IpPortNet(SortedSet::new()),
    );
    for (name, _) in [
        NODE_PORT_TCP,
        NODE_PORT_LOCAL_TCP,
        NODE_PORT_UDP,
        NODE_PORT_LOCAL_UDP,
        HEALTH_CHECK_NODE_PORT,
    ] {
        sets.insert(name.to_string(), SetEntries::Port(SortedSet::new()));
    }
    sets.insert(IPVS_IPS.to_string(), SetEntries::Ip(bound.clone()));
    // Service externalIPs are not modelled; the set exists, empty.
    sets.insert(
        EXTERNAL_IP.to_string(),
        SetEntries::IpPort(SortedSet::new()),
    );

    fn add_ip_port(
        sets: &mut SortedMap<String, SetEntries>,
        name: &str,
        e: (Ipv4Addr, Protocol, u16),
    ) {
        if let Some(SetEntries::IpPort(s)) = sets.get_mut(name) {
            s.insert(e);
        }
    }
    fn add_port(sets: &mut SortedMap<String, SetEntries>, name: &str, port: u16) {
        if let Some(SetEntries::Port(s)) = sets.get_mut(name) {
            s.insert(port);
        }
    }

    for svc in ports {
        let Some(cluster_ip) = svc.cluster_ip else {
            continue;
        };
        let proto = svc.protocol;
        for e in &svc.endpoints {
            if e.node == node.name && e.port != 0 {
                if let Some(SetEntries::IpPortIp(s)) = sets.get_mut(LOOP_BACK.0) {
                    s.insert((e.ip, proto, e.port, e.ip));
                }
            }
        }
        add_ip_port(&mut sets, CLUSTER_IP.0, (cluster_ip, proto, svc.port));
        let external_local = endpoints::external_policy_local(svc);
        if let Some(lb) = svc.load_balancer_ip {
            add_ip_port(&mut sets, LOAD_BALANCER.0, (lb, proto, svc.port));
            if external_local {
                add_ip_port(&mut sets, LOAD_BALANCER_LOCAL.0, (lb, proto, svc.port));
            }
            let ranges = helpers::source_ranges(svc);
            if !ranges.is_empty() {
                add_ip_port(&mut sets, LOAD_BALANCER_FW.0, (lb, proto, svc.port));
                let mut allow_from_node = false;
                for r in &ranges {
                    if let Some(SetEntries::IpPortNet(s)) =
                        sets.get_mut(LOAD_BALANCER_SOURCE_CIDR.0)
                    {
                        s.insert((lb, proto, svc.port, *r));
                    }
                    allow_from_node |= r.contains(node.ip);
                }
                if allow_from_node {
                    if let Some(SetEntries::IpPortIp(s)) = sets.get_mut(LOAD_BALANCER_SOURCE_IP.0) {
                        s.insert((lb, proto, svc.port, lb));
                    }
                }
            }
        }
        if let Some(np) = svc.node_port.filter(|p| *p != 0) {
            match proto {
                Protocol::Tcp => {
                    add_port(&mut sets, NODE_PORT_TCP.0, np);
                    if external_local {
                        add_port(&mut sets, NODE_PORT_LOCAL_TCP.0, np);
                    }
                }
                Protocol::Udp => {
                    add_port(&mut sets, NODE_PORT_UDP.0, np);
                    if external_local {
                        add_port(&mut sets, NODE_PORT_LOCAL_UDP.0, np);
                    }
                }
                Protocol::Sctp => {
                    add_ip_port(&mut sets, NODE_PORT_SCTP.0, (node.ip, proto, np));
                    if external_local {
                        add_ip_port(&mut sets, NODE_PORT_LOCAL_SCTP.0, (node.ip, proto, np));
                    }
                }
            }
        }
    }

    let mut nat = TableBuilder::new("nat", helpers::NAT_BUILTINS);
    let mut filter = TableBuilder::new("filter", helpers::FILTER_BUILTINS);
    nat.push(
        "PREROUTING",
        Rule::new()
            .comment("kubernetes service portals")
            .jump_to("KUBE-SERVICES"),
    );
    nat.push(
        "OUTPUT",
        Rule::new()
            .comment("kubernetes service portals")
            .jump_to("KUBE-SERVICES"),
    );
    nat.push(
        "POSTROUTING",
        Rule::new()
            .comment("kubernetes postrouting rules")
            .jump_to("KUBE-POSTROUTING"),
    );
    // Each jump is prepended, so they end up in reverse order; the kubelet's KUBE-FIREWALL stays last.
    filter.push(
        "INPUT",
        Rule::new()
            .comment("kubernetes ipvs access filter")
            .jump_to("KUBE-IPVS-FILTER"),
    );
    filter.push(
        "INPUT",
        Rule::new()
            .comment("kube-proxy firewall rules")
            .jump_to("KUBE-PROXY-FIREWALL"),
    );
    filter.push(
        "INPUT",
        Rule::new()
            .comment("kubernetes health check rules")
            .jump_to("KUBE-NODE-PORT"),
    );
    filter.push("INPUT", Rule::new().jump_to("KUBE-FIREWALL"));
    filter.push(
        "FORWARD",
        Rule::new()
            .comment("kube-proxy firewall rules")
            .jump_to("KUBE-PROXY-FIREWALL"),
    );
    filter.push(
        "FORWARD",
        Rule::new()
            .comment("kubernetes forwarding rules")
            .jump_to("KUBE-FORWARD"),
    );
    filter.push("OUTPUT", Rule::new().jump_to("KUBE-FIREWALL"));
    for c in [
        "KUBE-SERVICES",
        "KUBE-POSTROUTING",
        "KUBE-NODE-PORT",
        "KUBE-LOAD-BALANCER",
        "KUBE-MARK-MASQ",
    ] {
        nat.declare(c);
    }
    for c in [
        "KUBE-FORWARD",
        "KUBE-NODE-PORT",
        "KUBE-PROXY-FIREWALL",
        "KUBE-SOURCE-RANGES-FIREWALL",
        "KUBE-IPVS-FILTER",
        "KUBE-FIREWALL",
    ] {
        filter.declare(c);
    }
    helpers::kube_firewall(&mut filter);

    let set_match = |name: &str, dirs: &[Dir]| Match::Set {
        name: name.to_string(),
        dirs: dirs.to_vec(),
    };
    let dst = [Dir::Dst];
    let dst_dst = [Dir::Dst, Dir::Dst];
    let dst_dst_src = [Dir::Dst, Dir::Dst, Dir::Src];
    let non_empty = |name: &str| sets.get(name).is_some_and(|s| !s.is_empty());

    nat.push(
        "KUBE-SERVICES",
        Rule::new()
            .src(Cidr::new(Ipv4Addr::new(127, 0, 0, 0), 8), false)
            .j(Target::Return),
    );
    // ipsetWithIptablesChain, in kube-proxy's order.
    let chained: [Chained<'_>; 12] = [
        (
            &LOOP_BACK,
            true,
            "KUBE-POSTROUTING",
            "MASQUERADE",
            &dst_dst_src,
            None,
        ),
        (
            &LOAD_BALANCER,
            true,
            "KUBE-SERVICES",
            "KUBE-LOAD-BALANCER",
            &dst_dst,
            None,
        ),
        (
            &LOAD_BALANCER_LOCAL,
            true,
            "KUBE-LOAD-BALANCER",
            "RETURN",
            &dst_dst,
            None,
        ),
        (
            &NODE_PORT_LOCAL_TCP,
            true,
            "KUBE-NODE-PORT",
            "RETURN",
            &dst,
            Some(Protocol::Tcp),
        ),
        (
            &NODE_PORT_TCP,
            true,
            "KUBE-NODE-PORT",
            "KUBE-MARK-MASQ",
            &dst,
            Some(Protocol::Tcp),
        ),
        (
            &NODE_PORT_LOCAL_UDP,
            true,
            "KUBE-NODE-PORT",
            "RETURN",
            &dst,
            Some(Protocol::Udp),
        ),
        (
            &NODE_PORT_UDP,
            true,
            "KUBE-NODE-PORT",
            "KUBE-MARK-MASQ",
            &dst,
            Some(Protocol::Udp),
        ),
        (
            &NODE_PORT_LOCAL_SCTP,
            true,
            "KUBE-NODE-PORT",
            "RETURN",
            &dst_dst,
            Some(Protocol::Sctp),
        ),
        (
            &NODE_PORT_SCTP,
            true,
            "KUBE-NODE-PORT",
            "KUBE-MARK-MASQ",
            &dst_dst,
            Some(Protocol::Sctp),
        ),
        (
            &LOAD_BALANCER_FW,
            false,
            "KUBE-PROXY-FIREWALL",
            "KUBE-SOURCE-RANGES-FIREWALL",
            &dst_dst,
            None,
        ),
        (
            &LOAD_BALANCER_SOURCE_CIDR,
            false,
            "KUBE-SOURCE-RANGES-FIREWALL",
            "RETURN",
            &dst_dst_src,
            None,
        ),
        (
            &LOAD_BALANCER_SOURCE_IP,
            false,
            "KUBE-SOURCE-RANGES-FIREWALL",
            "RETURN",
            &dst_dst_src,
            None,
        ),
    ];
    for ((name, comment), in_nat, from, to, dirs, proto) in chained {
        if !non_empty(name) {
            continue;
        }
        let mut rule = Rule::new();
        if let Some(p) = proto {
            rule = rule.proto(p);
        }
        rule = rule
            .comment(*comment)
            .m(set_match(name, dirs))
            .j(named_target(to));
        if in_nat {
            nat.push(from, rule);
        } else {
            filter.push(from, rule);
        }
    }
    if non_empty(CLUSTER_IP.0) {
        let rule = Rule::new().comment(CLUSTER_IP.1);
        match helpers::cluster_cidr(node) {
            Some(cidr) => nat.push(
                "KUBE-SERVICES",
                rule.m(set_match(CLUSTER_IP.0, &dst_dst))
                    .src(cidr, true)
                    .jump_to("KUBE-MARK-MASQ"),
            ),
            None => nat.push(
                "KUBE-SERVICES",
                rule.m(set_match(CLUSTER_IP.0, &[Dir::Src, Dir::Dst]))
                    .jump_to("KUBE-MARK-MASQ"),
            ),
        }
    }
    nat.push(
        "KUBE-SERVICES",
        Rule::new()
            .m(Match::AddrType {
                dir: Dir::Dst,
                invert: false,
            })
            .jump_to("KUBE-NODE-PORT"),
    );
    nat.push("KUBE-LOAD-BALANCER", Rule::new().jump_to("KUBE-MARK-MASQ"));
    filter.push("KUBE-SOURCE-RANGES-FIREWALL", Rule::new().j(Target::Drop));
    for name in [CLUSTER_IP.0, LOAD_BALANCER.0] {
        if non_empty(name) {
            nat.push(
                "KUBE-SERVICES",
                Rule::new().m(set_match(name, &dst_dst)).j(Target::Accept),
            );
        }
    }
    filter.push(
        "KUBE-FORWARD",
        Rule::new()
            .comment("kubernetes forwarding rules")
            .m(Match::Mark {
                value: helpers::MASQ_MARK,
                mask: helpers::MASQ_MARK,
                invert: false,
            })
            .j(Target::Accept),
    );
    filter.push(
        "KUBE-FORWARD",
        Rule::new()
            .comment("kubernetes forwarding conntrack rule")
            .m(Match::Conntrack {
                states: CtState::RELATED.union(CtState::ESTABLISHED),
                invert: false,
            })
            .j(Target::Accept),
    );
    filter.push(
        "KUBE-NODE-PORT",
        Rule::new()
            .comment(HEALTH_CHECK_NODE_PORT.1)
            .m(set_match(HEALTH_CHECK_NODE_PORT.0, &dst))
            .j(Target::Accept),
    );
    for (name, dirs) in [
        (LOAD_BALANCER.0, &dst_dst[..]),
        (CLUSTER_IP.0, &dst_dst[..]),
        (EXTERNAL_IP, &dst_dst[..]),
        (HEALTH_CHECK_NODE_PORT.0, &dst[..]),
    ] {
        filter.push(
            "KUBE-IPVS-FILTER",
            Rule::new().m(set_match(name, dirs)).j(Target::Return),
        );
    }
    filter.push(
        "KUBE-IPVS-FILTER",
        Rule::new()
            .m(Match::Conntrack {
                states: CtState::NEW,
                invert: false,
            })
            .m(set_match(IPVS_IPS, &dst))
            .j(Target::Reject),
    );
    helpers::masquerade_rules(&mut nat);

    Tables::from_parts(node, bound.clone(), nat.finish(), filter.finish(), sets)
}

fn named_target(name: &str) -> Target {
    match name {
        "RETURN" => Target::Return,
        "ACCEPT" => Target::Accept,
        "MASQUERADE" => Target::Masquerade {
            random_fully: false,
        },
        chain => Target::Jump(chain.to_string()),
    }
}
