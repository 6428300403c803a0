//! What `ipvsadm -Ln` prints: virtual servers in ipvsadm's order, each with its real servers
//! and their connection counts.

use std::fmt::Write as _;

use super::kernel::Kernel;
use super::{Ipvs, RealServer, VirtualServer};
use crate::model::Protocol;

impl Ipvs {
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
}

impl VirtualServer {
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

impl Kernel {
    pub(super) fn real_server_line(&self, vs: &VirtualServer, rs: &RealServer) -> String {
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
