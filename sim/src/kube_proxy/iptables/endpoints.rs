//! Which endpoints a proxier sends to: kube-proxy's `CategorizeEndpoints` (without topology
//! hints), shared by the iptables and IPVS proxiers.

use crate::kube_proxy::{EndpointInfo, ServicePortInfo};

/// One endpoint with its `IP:port` text, the key kube-proxy sorts, hashes and comments with.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint<'a> {
    pub key: String,
    pub info: &'a EndpointInfo,
}

/// The endpoints of one Service port as the proxier on `node` sees them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Categorized<'a> {
    /// For `Cluster` traffic policy: ready endpoints, else serving-and-terminating ones.
    pub cluster: Vec<Endpoint<'a>>,
    /// For `Local` traffic policy: this node's ready endpoints, else its serving-and-terminating ones.
    pub local: Vec<Endpoint<'a>>,
    /// Every endpoint some policy of this port can reach from this node (each gets a `KUBE-SEP-`).
    pub reachable: Vec<Endpoint<'a>>,
    /// Whether the Service has any usable endpoint anywhere in the cluster.
    pub has_any: bool,
}

/// A NodePort, a LoadBalancer IP or external IPs: reachable from outside
/// (`ExternallyAccessible` in kube-proxy's `pkg/proxy/serviceport.go`).
pub(crate) fn externally_accessible(svc: &ServicePortInfo) -> bool {
    svc.node_port.is_some_and(|p| p != 0)
        || svc.load_balancer_ip.is_some()
        || !svc.external_ips.is_empty()
}

/// `externalTrafficPolicy: Local` only counts for Services reachable from outside.
pub(crate) fn external_policy_local(svc: &ServicePortInfo) -> bool {
    svc.external_local && externally_accessible(svc)
}

pub(crate) fn internal_policy_local(svc: &ServicePortInfo) -> bool {
    svc.internal_local
}

/// Cluster endpoints are needed for `Cluster` internal policy, and for any externally reachable
/// Service (even with `Local` external policy, to short-circuit traffic from inside the cluster).
pub(crate) fn uses_cluster_endpoints(svc: &ServicePortInfo) -> bool {
    !internal_policy_local(svc) || externally_accessible(svc)
}

pub(crate) fn uses_local_endpoints(svc: &ServicePortInfo) -> bool {
    internal_policy_local(svc) || external_policy_local(svc)
}

/// The Service port's endpoints sorted by their `IP:port` text (so `10.244.1.10` comes before
/// `10.244.1.9`), duplicates and port 0 left out.
pub(crate) fn sorted(svc: &ServicePortInfo) -> Vec<Endpoint<'_>> {
    let mut out: Vec<Endpoint<'_>> = svc
        .endpoints
        .iter()
        .filter(|e| e.port != 0)
        .map(|info| Endpoint {
            key: format!("{}:{}", info.ip, info.port),
            info,
        })
        .collect();
    crate::sort::sort_by(&mut out, |a, b| a.key.cmp(&b.key));
    out.dedup_by(|a, b| a.key == b.key);
    out
}

fn serving_terminating(e: &EndpointInfo) -> bool {
    e.serving && e.terminating
}

/// Sort the endpoints of `svc` into the sets kube-proxy's proxier on `node` uses.
pub(crate) fn categorize<'a>(svc: &'a ServicePortInfo, node: &str) -> Categorized<'a> {
    let all = sorted(svc);
    let mut out = Categorized::default();

    if uses_cluster_endpoints(svc) {
        out.cluster = all.iter().filter(|e| e.info.ready).cloned().collect();
        if out.cluster.is_empty() {
            out.cluster = all
                .iter()
                .filter(|e| serving_terminating(e.info))
                .cloned()
                .collect();
        }
        out.has_any = !out.cluster.is_empty();
    }

    if !uses_local_endpoints(svc) {
        out.reachable = out.cluster.clone();
        return out;
    }

    let is_local = |e: &Endpoint<'_>| e.info.node == node;
    let mut local_ready = false;
    let mut local_serving_terminating = false;
    for e in &all {
        if e.info.ready {
            out.has_any = true;
            local_ready |= is_local(e);
        } else if serving_terminating(e.info) {
            out.has_any = true;
            local_serving_terminating |= is_local(e);
        }
    }
    if local_ready {
        out.local = all
            .iter()
            .filter(|e| is_local(e) && e.info.ready)
            .cloned()
            .collect();
    } else if local_serving_terminating {
        out.local = all
            .iter()
            .filter(|e| is_local(e) && serving_terminating(e.info))
            .cloned()
            .collect();
    }

    if !uses_cluster_endpoints(svc) {
        out.reachable = out.local.clone();
        return out;
    }
    let mut reachable = out.cluster.clone();
    for e in &out.local {
        if !reachable.iter().any(|r| r.key == e.key) {
            reachable.push(e.clone());
        }
    }
    crate::sort::sort_by(&mut reachable, |a, b| a.key.cmp(&b.key));
    out.reachable = reachable;
    out
}
