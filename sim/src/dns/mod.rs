//! Cluster DNS: CoreDNS's `kubernetes` plugin as kubeadm configures it, and each pod's resolver.
//!
//! Everything here is a pure function of the cluster's Services, EndpointSlices and Namespaces;
//! the cluster turns each query into packets through the `kube-dns` Service and keeps the answers
//! as data ([`Query`], [`Resolution`], [`Nslookup`]).
//!
//! What is modelled, and where it comes from:
//! - `/etc/resolv.conf` is what the container runtime writes for a `ClusterFirst` pod (containerd
//!   and CRI-O write `search`, then `nameserver`, then `options`): [`resolv_conf`].
//! - [`Zone`] answers as CoreDNS 1.11's `kubernetes` plugin does with kubeadm's Corefile
//!   (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa
//!   ip6.arpa; ttl 30 }`, then `forward . /etc/resolv.conf`): ClusterIP → `A` of the cluster IP
//!   (even with no endpoints); headless → one `A` per ready endpoint, NXDOMAIN when none is ready;
//!   `<dashed-ip>.<svc>.<ns>.svc.cluster.local` per ready endpoint; ExternalName → `CNAME`; `SRV`
//!   for ports (`_<port>._<proto>.` for a named one); `<dashed-ip>.<ns>.pod.cluster.local`; `PTR`
//!   for cluster IPs and ready endpoint IPs. Answers from the zone are authoritative, TTL 30, and
//!   IPv4 only, so every `AAAA` question about an existing name is NODATA.
//! - **Names outside `cluster.local`.** CoreDNS forwards them to the node's resolver. svclab has no
//!   internet, and its upstream knows no names: by default ([`Upstream::NxDomain`]) it answers
//!   NXDOMAIN, exactly what a real cluster answers for a made-up name such as
//!   `backend-service.dev`. A real cluster with internet access would resolve `google.com`; in
//!   svclab that name is NXDOMAIN too. [`Upstream::ServFail`] models a cluster whose nodes have
//!   no working upstream at all (CoreDNS's `forward` gives up: SERVFAIL).
//! - **ExternalName.** The zone returns the `CNAME`; CoreDNS then asks upstream for the target,
//!   which in svclab never resolves, so the answer is the `CNAME` alone (NOERROR) and busybox
//!   prints only its `canonical name = ...` line. A target inside `cluster.local` is followed as
//!   CoreDNS does (CNAME plus the target's records).
//! - [`candidates`] and [`resolve`] are the libc resolver that `curl`, `wget` and `ping` use
//!   (glibc/uClibc `res_search` with `ndots:5`): a name with fewer than 5 dots is tried under each
//!   search domain, then as given; a name with 5 or more dots as given first, then under each
//!   search domain; a name ending in a dot only as given. NXDOMAIN, NODATA and SERVFAIL move on to
//!   the next candidate; no answer at all (timeout) ends the walk. It asks one type per name
//!   (`A` unless told otherwise); a real `getaddrinfo` sends `A` and `AAAA` together.
//! - [`nslookup`] is busybox 1.36's `nslookup`, which does **not** use the libc resolver: it sends
//!   `A` and `AAAA` (or one `PTR` for an IP address) all at once, applies the search list only to a
//!   name with no dot at all (one query per search domain, never the bare name), and sends any
//!   dotted name exactly as typed. So `nslookup backend-service.default` fails (NXDOMAIN) where
//!   `curl backend-service.default` works: the well-known reason Kubernetes' docs suggest
//!   `busybox:1.28` for DNS debugging. Replies are printed as they arrive; svclab's CoreDNS answers
//!   in the order the queries were sent. busybox's immediate resend on SERVFAIL is not modelled.
//! - CoreDNS's `loadbalance` plugin shuffles `A` records on every answer; svclab keeps them in
//!   EndpointSlice order so that a run replays exactly.
//! - [`coredns_startup_log`] is what `kubectl logs` of a CoreDNS pod shows on a kubeadm cluster:
//!   kubeadm's Corefile has no `log` plugin, so queries are not logged. [`coredns_query_log`] is
//!   the `log` plugin's line for one query, for a cluster whose Corefile enables `log`.
//!
//! Names in this module's data are written without the root's trailing dot
//! (`backend-service.default.svc.cluster.local`), as busybox prints them; [`Record`]'s text form
//! (`backend-service.default.svc.cluster.local. 30 IN A 10.96.23.157`) adds it, as CoreDNS does.
//!
//! Files: `record` (records and answers), `wire` (message sizes), `zone` (the `kubernetes`
//! plugin), `resolver` (`resolv.conf` and the libc walk), `nslookup` (busybox's), `log`
//! (CoreDNS's own log).

mod log;
mod nslookup;
mod record;
mod resolver;
mod wire;
mod zone;

pub use log::{coredns_query_log, coredns_startup_log, KUBEADM_COREFILE_SHA512};
pub use nslookup::{
    nslookup, nslookup_output, nslookup_queries, nslookup_queries_for, nslookup_target,
    nslookup_types_with, nslookup_with, parse_nslookup_target, parse_qtype, Nslookup,
};
pub use record::{Answer, AnsweredBy, QType, RData, Rcode, Record, Upstream};
pub use resolver::{
    candidates, resolv_conf, resolve, resolve_with, reverse_name, search_list, LookupResult, Query,
    Resolution,
};
pub use zone::Zone;

use std::net::Ipv4Addr;

/// The cluster's DNS domain.
pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// The `kube-dns` Service's cluster IP: every `ClusterFirst` pod's nameserver.
pub const NAMESERVER: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 10);
/// `options ndots:5`.
pub const NDOTS: usize = 5;
/// kubeadm's Corefile sets `ttl 30` in the `kubernetes` block.
pub const TTL: u32 = 30;
/// busybox `nslookup` gives up when no reply came within 5 s...
pub const NSLOOKUP_TIMEOUT_MS: u64 = 5_000;
/// ...sending its queries again after 2.5 s.
pub const NSLOOKUP_RETRY_MS: u64 = 2_500;
/// The CoreDNS version kubeadm deploys ([`crate::version`]).
pub const COREDNS_VERSION: &str = crate::version::COREDNS;
