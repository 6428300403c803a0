//! Reading what happened from the world: the learner's actions (the cluster's log), Kubernetes
//! Events, ready endpoints added to or removed from EndpointSlices, and each trace's hops as a
//! packet leaving and arriving. [`Seen`] remembers how far each source has been read, so that
//! reading again after the clock moves yields only what is new, in a fixed order.

use std::net::Ipv4Addr;

use crate::cluster::Cluster;
use crate::map::SortedMap;
use crate::model::ObjectKey;
use crate::time::Time;
use crate::trace::{Client, Place, Trace};

use super::event::{Edge, Event, What, Where};

/// How far each source has been read. Part of a snapshot: restoring a world restores this too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Seen {
    /// Log entries read.
    log: usize,
    /// The newest Kubernetes Event's first time read, and how many first happened then.
    kube: (Time, usize),
    /// Per trace id, the packet edges read (see [`edges`]).
    hops: SortedMap<u64, usize>,
    /// Ready endpoints per Service, sorted, at the last read.
    endpoints: Vec<(ObjectKey, Ipv4Addr)>,
    /// The cluster's revision at the last read: endpoints change only with it.
    revision: u64,
}

/// A packet's edges along a trace, in hop order: (time, hop, edge). A hop's packet leaves when
/// the request starts or when it is a new packet (a different kind, or after a pause); it
/// arrives at the hop's end.
pub(super) fn edges(t: &Trace) -> Vec<(Time, usize, Edge)> {
    let mut out = Vec::with_capacity(t.hops.len() + 4);
    for (i, h) in t.hops.iter().enumerate() {
        let fresh = match i.checked_sub(1).and_then(|p| t.hops.get(p)) {
            None => true,
            Some(p) => p.kind != h.kind || p.end != h.start || p.to != h.from,
        };
        if fresh {
            out.push((h.start, i, Edge::Leaves));
        }
        out.push((h.end, i, Edge::Arrives));
    }
    out
}

impl Seen {
    /// Everything in `c` up to its clock counts as read.
    pub(super) fn all_of(c: &Cluster) -> Seen {
        let mut seen = Seen::default();
        let _ = seen.read(c);
        seen
    }

    /// When the next packet edge not read yet is due.
    pub(super) fn next_edge(&self, c: &Cluster) -> Option<Time> {
        c.traces()
            .iter()
            .filter_map(|t| {
                let read = self.hops.get(&t.id).copied().unwrap_or(0);
                if read > t.hops.len() * 2 {
                    return None;
                }
                edges(t).get(read).map(|e| e.0)
            })
            .min()
    }

    /// What happened since the last read, up to the clock: actions first,
    /// then Kubernetes Events, endpoint changes, and packets by trace and hop.
    pub(super) fn read(&mut self, c: &Cluster) -> Vec<(Time, Where, What)> {
        let now = c.now();
        let mut out = Vec::new();
        // The learner's actions.
        for a in c.log().iter().skip(self.log) {
            out.push((a.time, Where::Learner, What::Action(a.action.clone())));
        }
        self.log = c.log().len();
        // Kubernetes Events: in the order they first happened; the newest instant read may
        // have gained more since.
        let (last, at_last) = self.kube;
        let mut read_at_last = 0;
        for e in c.events() {
            if e.time < last {
                continue;
            }
            if e.time == last && read_at_last < at_last {
                read_at_last += 1;
                continue;
            }
            out.push((e.time, kube_where(c, e), kube_what(e)));
        }
        if let Some(newest) = c.events().last().map(|e| e.time) {
            let count = c
                .events()
                .iter()
                .rev()
                .take_while(|e| e.time == newest)
                .count();
            self.kube = (newest, count);
        }
        // Ready endpoints, when anything changed.
        if c.revision() != self.revision {
            self.revision = c.revision();
            let mut now_ready: Vec<(ObjectKey, Ipv4Addr)> = c
                .endpoint_slices()
                .values()
                .flat_map(|s| {
                    let service = ObjectKey::new(&s.meta.namespace, &s.service);
                    s.endpoints
                        .iter()
                        .filter(|e| e.ready)
                        .map(move |e| (service.clone(), e.ip))
                })
                .collect();
            crate::sort::sort(&mut now_ready);
            now_ready.dedup();
            let before = std::mem::take(&mut self.endpoints);
            for gone in before
                .iter()
                .filter(|e| now_ready.binary_search(e).is_err())
            {
                out.push((now, endpoint_where(), endpoint_what(gone, false)));
            }
            for new in now_ready
                .iter()
                .filter(|e| before.binary_search(e).is_err())
            {
                out.push((now, endpoint_where(), endpoint_what(new, true)));
            }
            self.endpoints = now_ready;
        }
        // Packets: every edge up to the clock not read yet. A finished trace read to its end
        // is skipped without looking at its hops.
        let oldest = c.traces().first().map_or(0, |t| t.id);
        self.hops.retain(|id, _| *id >= oldest);
        for t in c.traces() {
            let read = self.hops.get(&t.id).copied().unwrap_or(0);
            if read > t.hops.len() * 2 {
                continue;
            }
            let edges = edges(t);
            let mut upto = read;
            for &(time, i, edge) in edges.iter().skip(read) {
                if time > now {
                    break;
                }
                if let Some(h) = t.hops.get(i) {
                    let at = match edge {
                        Edge::Leaves => place_where(c, &h.from, &t.request.client),
                        Edge::Arrives => place_where(c, &h.to, &t.request.client),
                    };
                    out.push((
                        time,
                        at,
                        What::Packet {
                            trace: t.id,
                            hop: i,
                            edge,
                            kind: h.kind,
                            packet: h.packet,
                            translation: match edge {
                                Edge::Leaves => None,
                                Edge::Arrives => h.translation.clone(),
                            },
                            verdict: h.verdict,
                        },
                    ));
                }
                upto += 1;
            }
            // Every edge read: mark it past the end, so the trace is skipped next time.
            if upto == edges.len() && t.finish <= now {
                upto = t.hops.len() * 2 + 1;
            }
            if upto != read {
                self.hops.insert(t.id, upto);
            }
        }
        // One order for everything read at once: by time, sources in the order above.
        crate::sort::sort_by(&mut out, |a, b| a.0.cmp(&b.0));
        out
    }
}

/// Number what was read, after the events already listed.
pub(super) fn number(read: Vec<(Time, Where, What)>, first: usize) -> Vec<Event> {
    read.into_iter()
        .enumerate()
        .map(|(i, (time, at, what))| Event {
            number: first + i,
            time,
            at,
            what,
        })
        .collect()
}

/// Where on a request from `client` a packet is: a node is its kube-proxy, unless the node
/// itself sent the request.
fn place_where(c: &Cluster, place: &Place, client: &Client) -> Where {
    match place {
        Place::Pod(k) => {
            let coredns = c.pods().get(k).is_some_and(|p| {
                p.meta.labels.get("k8s-app").map(String::as_str) == Some("kube-dns")
            });
            if coredns {
                Where::CoreDns(k.clone())
            } else {
                Where::Pod(k.clone())
            }
        }
        Place::Node(n) if matches!(client, Client::Node(sender) if sender == n) => {
            Where::Node(n.clone())
        }
        Place::Node(n) => Where::KubeProxy(n.clone()),
        Place::External => Where::Outside,
        Place::LoadBalancer(k) => Where::LoadBalancer(k.clone()),
    }
}

fn kube_where(c: &Cluster, e: &crate::cluster::Event) -> Where {
    if e.source == "kubelet" {
        let node = e
            .object
            .strip_prefix("pod/")
            .and_then(|name| c.pods().get(&ObjectKey::new(&e.namespace, name)))
            .and_then(|p| p.spec.node_name.clone());
        if let Some(node) = node {
            return Where::Kubelet(node);
        }
    }
    Where::ControlPlane(e.source.clone())
}

fn kube_what(e: &crate::cluster::Event) -> What {
    What::Kube {
        object: e.object.clone(),
        reason: e.reason.clone(),
        message: e.message.clone(),
        warning: e.warning,
    }
}

fn endpoint_where() -> Where {
    Where::ControlPlane("endpointslice-controller".into())
}

fn endpoint_what(e: &(ObjectKey, Ipv4Addr), added: bool) -> What {
    What::Endpoint {
        service: e.0.clone(),
        ip: e.1,
        added,
    }
}
