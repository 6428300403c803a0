//! IPVS virtual servers, their real servers, and the schedulers that choose between them.

use std::net::SocketAddrV4;

use crate::model::Protocol;

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
    pub(super) fn key(&self) -> VirtualKey {
        (self.protocol, self.addr)
    }
}
