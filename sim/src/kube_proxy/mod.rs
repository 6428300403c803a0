//! kube-proxy: what each node's proxier writes (iptables rules or IPVS virtual servers) from the
//! Services and EndpointSlices, and how a packet walks those rules.
//!
//! The cluster hands this module plain data ([`ServicePortInfo`]); it knows nothing of the world.

use std::net::Ipv4Addr;

use crate::model::{ObjectKey, Protocol};

pub mod iptables;
pub mod ipvs;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ProxyMode {
    #[default]
    Iptables,
    Ipvs,
}

impl ProxyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyMode::Iptables => "iptables",
            ProxyMode::Ipvs => "ipvs",
        }
    }
}

/// One endpoint of one Service port, as kube-proxy sees it in the EndpointSlices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointInfo {
    pub ip: Ipv4Addr,
    pub port: u16,
    /// The node the endpoint's pod runs on.
    pub node: String,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
}

/// One port of one Service, with everything kube-proxy programs for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePortInfo {
    pub service: ObjectKey,
    /// The Service port's name (`None` or empty for an unnamed port).
    pub port_name: Option<String>,
    pub protocol: Protocol,
    /// `None` for headless and ExternalName Services (kube-proxy skips them).
    pub cluster_ip: Option<Ipv4Addr>,
    pub port: u16,
    pub node_port: Option<u16>,
    pub load_balancer_ip: Option<Ipv4Addr>,
    pub load_balancer_source_ranges: Vec<String>,
    /// `externalTrafficPolicy: Local`.
    pub external_local: bool,
    /// `internalTrafficPolicy: Local`.
    pub internal_local: bool,
    /// `sessionAffinity: ClientIP` timeout in seconds.
    pub affinity_timeout: Option<u32>,
    /// Sorted as kube-proxy sorts them is the proxier's job, not the caller's.
    pub endpoints: Vec<EndpointInfo>,
}

/// The node a proxier runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    pub name: String,
    pub ip: Ipv4Addr,
    /// The cluster's pod CIDR, `10.244.0.0/16` (kube-proxy's `--cluster-cidr`).
    pub cluster_cidr: String,
}
