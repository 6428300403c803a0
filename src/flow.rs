//! Packets on the wire at one moment: the sim's traces (hops with start and end times on the
//! virtual clock) turned into sprites at positions of the [`Layout`]. Pure: `(traces, layout,
//! now) -> Flow`, recomputed every frame; the view only draws what comes out. What stays drawn
//! after the packet has passed (the trail, its rewrites, where it failed) is [`crate::path`].

use svclab_sim::map::SortedMap;

use svclab_sim::model::ObjectKey;
use svclab_sim::time::Time;
use svclab_sim::timeline::{Edge, Event, What};
use svclab_sim::trace::{Client, Hop, Outcome, PacketKind, Place, Trace};

use crate::layout::{Layout, Point};

/// A packet in motion along one hop.
#[derive(Clone, Debug, PartialEq)]
pub struct Sprite {
    pub trace: u64,
    pub hop: usize,
    pub kind: PacketKind,
    pub at: Point,
    pub from: Point,
    pub to: Point,
    /// Short text beside the packet: its kind and destination, `request → 10.96.23.157:80`.
    pub label: String,
    /// The whole sentence for screen readers and the tooltip.
    pub description: String,
}

/// One hop drawn still, for reduced motion: the path and its step number.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub trace: u64,
    pub hop: usize,
    /// 1-based, as the trace inspector numbers hops.
    pub number: usize,
    pub kind: PacketKind,
    pub from: Point,
    pub to: Point,
    /// The packet is on this hop now.
    pub current: bool,
    /// The packet has been past this hop.
    pub done: bool,
    pub description: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flow {
    pub sprites: Vec<Sprite>,
    pub steps: Vec<Step>,
}

impl Flow {
    pub fn is_empty(&self) -> bool {
        self.sprites.is_empty() && self.steps.is_empty()
    }
}

/// A packet kind as the learner reads it.
/// Simulation mode's current event, when it is a packet: where on the picture it happens (the
/// hop's start when the packet leaves, its end when it arrives), to be ringed.
#[derive(Clone, Debug, PartialEq)]
pub struct EventMark {
    pub number: usize,
    pub kind: PacketKind,
    pub at: Point,
    /// `Event 9: request arrives at kube-proxy on kind-worker3`.
    pub label: String,
}

/// The mark for `event`, if it is a packet of a trace the picture can place.
pub fn event_mark(traces: &[Trace], layout: &Layout, event: &Event) -> Option<EventMark> {
    let What::Packet {
        trace, hop, edge, ..
    } = &event.what
    else {
        return None;
    };
    let trace = traces.iter().find(|t| t.id == *trace)?;
    let hop = trace.hops.get(*hop)?;
    let (place, verb) = match edge {
        Edge::Leaves => (&hop.from, "leaves"),
        Edge::Arrives => (&hop.to, "arrives at"),
    };
    Some(EventMark {
        number: event.number,
        kind: hop.kind,
        at: layout.place(place, hop.node.as_deref())?,
        label: format!(
            "Event {}: {} {verb} {}",
            event.number,
            kind_label(hop.kind),
            place_label(place, &trace.request.client)
        ),
    })
}

pub fn kind_label(kind: PacketKind) -> &'static str {
    match kind {
        PacketKind::DnsQuery => "DNS query",
        PacketKind::DnsAnswer => "DNS answer",
        PacketKind::Request => "request",
        PacketKind::Reply => "reply",
    }
}

/// A place on the path of a request from `client`, as the learner reads it: a pod's name,
/// `kube-proxy on kind-worker`, or `node kind-worker` when the node itself sent the request
/// (`docker exec kind-worker curl ...`).
pub fn place_label(place: &Place, client: &Client) -> String {
    match place {
        Place::Pod(key) => key.name.clone(),
        Place::Node(node) if matches!(client, Client::Node(n) if n == node) => {
            format!("node {node}")
        }
        Place::Node(node) => format!("kube-proxy on {node}"),
        Place::External => "client outside the cluster".into(),
        Place::LoadBalancer(key) => format!("load balancer of {}", key.name),
    }
}

/// The packet as its label in the picture names it: `request → 10.96.23.157:80`.
pub fn packet_label(hop: &Hop) -> String {
    format!("{} → {}", kind_label(hop.kind), hop.packet.dst)
}

/// `DNS query from test to kube-proxy on kind-worker: 10.244.1.2:41000 → 10.96.0.10:53/UDP`.
pub fn hop_description(hop: &Hop, client: &Client) -> String {
    format!(
        "{} from {} to {}: {} → {}/{}",
        kind_label(hop.kind),
        place_label(&hop.from, client),
        place_label(&hop.to, client),
        hop.packet.src,
        hop.packet.dst,
        hop.packet.protocol.as_str()
    )
}

/// The packets of `traces` at virtual time `now`. With `still` (prefers-reduced-motion) nothing
/// moves: every hop of a request still in flight is drawn as a numbered step instead.
pub fn flow_at(traces: &[Trace], layout: &Layout, now: Time, still: bool) -> Flow {
    let mut flow = Flow::default();
    for trace in traces {
        let last_end = trace
            .hops
            .iter()
            .map(|h| h.end)
            .max()
            .unwrap_or(trace.start);
        if now < trace.start || now >= trace.finish.max(last_end) {
            continue;
        }
        for (i, hop) in trace.hops.iter().enumerate() {
            let (Some(from), Some(to)) = (
                layout.place(&hop.from, hop.node.as_deref()),
                layout.place(&hop.to, hop.node.as_deref()),
            ) else {
                continue;
            };
            let on_it = hop.start <= now && now < hop.end;
            if still {
                flow.steps.push(Step {
                    trace: trace.id,
                    hop: i,
                    number: i + 1,
                    kind: hop.kind,
                    from,
                    to,
                    current: on_it,
                    done: now >= hop.end,
                    description: hop_description(hop, &trace.request.client),
                });
            } else if on_it {
                let span = hop.end.saturating_sub(hop.start).max(1) as f64;
                let t = (now - hop.start) as f64 / span;
                flow.sprites.push(Sprite {
                    trace: trace.id,
                    hop: i,
                    kind: hop.kind,
                    at: from.lerp(to, t),
                    from,
                    to,
                    label: packet_label(hop),
                    description: hop_description(hop, &trace.request.client),
                });
            }
        }
    }
    flow
}

/// How the answered requests spread over the backends: HTTP answers per pod, among the traces
/// kept, counting only those the client has already received at `now`.
pub fn spread(traces: &[Trace], now: Time) -> SortedMap<ObjectKey, u32> {
    let mut counts = SortedMap::new();
    for t in traces.iter().filter(|t| t.finish <= now) {
        if let Outcome::Http { pod, .. } = &t.outcome {
            *counts.entry(pod.clone()).or_insert(0) += 1;
        }
    }
    counts
}

/// The spread as a list of at most `limit` rows: the pods with the most answers (ties by name),
/// and what the rest add up to, as (pods, answers).
pub fn top_spread(
    counts: SortedMap<ObjectKey, u32>,
    limit: usize,
) -> (Vec<(ObjectKey, u32)>, (usize, u32)) {
    let mut rows: Vec<(ObjectKey, u32)> = counts.into_iter().collect();
    svclab_sim::sort::sort_by(&mut rows, |(p, n), (q, m)| m.cmp(n).then_with(|| p.cmp(q)));
    let rest: Vec<(ObjectKey, u32)> = rows.split_off(limit.min(rows.len()));
    let rest_answers = rest.iter().map(|(_, n)| n).sum();
    (rows, (rest.len(), rest_answers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{NodeView, PodRole, PodState, PodView, Scene};
    use std::net::Ipv4Addr;
    use svclab_sim::model::Protocol;
    use svclab_sim::trace::{Client, HopVerdict, Packet, Request, Tool};

    #[test]
    fn the_spread_lists_the_busiest_pods_and_sums_the_rest() {
        let mut counts = SortedMap::new();
        for (name, n) in [("a", 1), ("b", 5), ("c", 2), ("d", 5), ("e", 1)] {
            counts.insert(ObjectKey::new("default", name), n);
        }
        let (rows, rest) = top_spread(counts.clone(), 3);
        let names: Vec<&str> = rows.iter().map(|(p, _)| p.name.as_str()).collect();
        assert_eq!(names, ["b", "d", "c"]);
        assert_eq!(rest, (2, 2));
        assert_eq!(top_spread(counts, 10).1, (0, 0));
    }

    fn scene() -> Scene {
        let pod = |name: &str, node: &str| {
            let key = ObjectKey::new("default", name);
            PodView {
                id: crate::scene::object_id(&key),
                key,
                node: Some(node.into()),
                ip: None,
                role: PodRole::Workload,
                state: PodState::Ready,
                status: "Running",
                ready: true,
                owner: None,
            }
        };
        Scene {
            nodes: ["w1", "w2"]
                .iter()
                .map(|n| NodeView {
                    name: n.to_string(),
                    ip: String::new(),
                    pod_cidr: String::new(),
                    control_plane: false,
                })
                .collect(),
            pods: vec![pod("test", "w1"), pod("backend-1", "w2")],
            ..Default::default()
        }
    }

    fn hop(start: Time, from: Place, to: Place, kind: PacketKind, verdict: HopVerdict) -> Hop {
        Hop {
            start,
            end: start + 300,
            from,
            to,
            node: Some("w1".into()),
            kind,
            packet: Packet::new(
                (Ipv4Addr::new(10, 244, 1, 2), 40000),
                (Ipv4Addr::new(10, 96, 0, 20), 80),
                Protocol::Tcp,
            ),
            translation: None,
            rules: Vec::new(),
            verdict,
            explanation: "because".into(),
            detail: Default::default(),
        }
    }

    fn trace(hops: Vec<Hop>, outcome: Outcome, finish: Time) -> Trace {
        Trace {
            id: 7,
            request: Request {
                payload: String::new(),
                client: Client::Pod(ObjectKey::new("default", "test")),
                tool: Tool::Wget,
                target: "http://backend-service".into(),
            },
            start: 1_000,
            hops,
            outcome,
            output: String::new(),
            finish,
        }
    }

    fn places() -> (Place, Place, Place) {
        (
            Place::Pod(ObjectKey::new("default", "test")),
            Place::Node("w1".into()),
            Place::Pod(ObjectKey::new("default", "backend-1")),
        )
    }

    #[test]
    fn the_current_event_rings_its_packet_where_it_leaves_or_arrives() {
        let (client, proxy, backend) = places();
        let t = trace(
            vec![
                hop(
                    1_000,
                    client.clone(),
                    proxy.clone(),
                    PacketKind::Request,
                    HopVerdict::Forwarded,
                ),
                hop(
                    1_300,
                    proxy.clone(),
                    backend,
                    PacketKind::Request,
                    HopVerdict::Delivered,
                ),
            ],
            Outcome::Http {
                pod: ObjectKey::new("default", "backend-1"),
                status: 200,
            },
            1_600,
        );
        let l = crate::layout::layout(&scene());
        let event = |number, hop, edge| Event {
            number,
            time: 1_000,
            at: svclab_sim::timeline::Where::KubeProxy("w1".into()),
            what: What::Packet {
                trace: 7,
                hop,
                edge,
                kind: PacketKind::Request,
                packet: t.hops[0].packet,
                translation: None,
                verdict: HopVerdict::Forwarded,
            },
        };
        let traces = std::slice::from_ref(&t);
        let arrives = event_mark(traces, &l, &event(4, 0, Edge::Arrives)).unwrap();
        assert_eq!(
            arrives.label,
            "Event 4: request arrives at kube-proxy on w1"
        );
        assert_eq!(Some(arrives.at), l.place(&proxy, Some("w1")));
        let leaves = event_mark(traces, &l, &event(3, 0, Edge::Leaves)).unwrap();
        assert_eq!(leaves.label, "Event 3: request leaves test");
        assert_eq!(Some(leaves.at), l.place(&client, Some("w1")));
        // A trace no longer kept, or a hop it does not have: nothing to ring.
        assert!(event_mark(&[], &l, &event(4, 0, Edge::Arrives)).is_none());
        assert!(event_mark(traces, &l, &event(9, 5, Edge::Arrives)).is_none());
    }

    #[test]
    fn a_packet_moves_along_its_hop_and_only_while_on_it() {
        let (client, proxy, backend) = places();
        let t = trace(
            vec![
                hop(
                    1_000,
                    client.clone(),
                    proxy.clone(),
                    PacketKind::Request,
                    HopVerdict::Forwarded,
                ),
                hop(
                    1_300,
                    proxy.clone(),
                    backend.clone(),
                    PacketKind::Request,
                    HopVerdict::Delivered,
                ),
            ],
            Outcome::Http {
                pod: ObjectKey::new("default", "backend-1"),
                status: 200,
            },
            1_600,
        );
        let l = crate::layout::layout(&scene());
        let start = l.place(&client, None).unwrap();
        let mid = l.place(&proxy, None).unwrap();
        let f = flow_at(std::slice::from_ref(&t), &l, 1_150, false);
        assert_eq!(f.sprites.len(), 1);
        assert_eq!(f.sprites[0].at, start.lerp(mid, 0.5));
        assert_eq!(f.sprites[0].label, "request → 10.96.0.20:80");
        assert!(f.sprites[0]
            .description
            .starts_with("request from test to kube-proxy on w1"));
        let f = flow_at(std::slice::from_ref(&t), &l, 1_300, false);
        assert_eq!(f.sprites.len(), 1);
        assert_eq!(f.sprites[0].hop, 1);
        assert_eq!(f.sprites[0].at, mid);
        assert!(flow_at(std::slice::from_ref(&t), &l, 999, false).is_empty());
        assert!(flow_at(std::slice::from_ref(&t), &l, 1_600, false)
            .sprites
            .is_empty());
        assert_eq!(spread(std::slice::from_ref(&t), 1_599).len(), 0);
        assert_eq!(
            spread(std::slice::from_ref(&t), 1_600)[&ObjectKey::new("default", "backend-1")],
            1
        );
    }

    #[test]
    fn every_hop_of_a_real_request_is_drawn_in_order() {
        use svclab_sim::action::Action;
        use svclab_sim::cluster::{Cluster, Config};
        let mut c = Cluster::new(Config::default());
        c.act(crate::seed::run_client()).unwrap();
        c.apply(crate::seed::SEED_MANIFEST, crate::seed::SEED_FILENAME)
            .unwrap();
        c.advance(10_000);
        c.act(Action::Send {
            request: crate::seed::request(),
        })
        .unwrap();
        let l = crate::layout::layout(&Scene::of(&c));
        let mut seen: Vec<String> = Vec::new();
        let start = c.now();
        while c.now() < start + 5_000 {
            for s in flow_at(c.traces(), &l, c.now(), false).sprites {
                if !seen.contains(&s.description) {
                    seen.push(s.description);
                }
            }
            c.advance(50);
        }
        let trace = c.traces().last().unwrap();
        let hops: Vec<String> = trace
            .hops
            .iter()
            .map(|h| hop_description(h, &trace.request.client))
            .collect();
        assert_eq!(seen, hops, "every hop drawn, in order");
        let route: Vec<String> = trace
            .hops
            .iter()
            .map(|h| place_label(&h.to, &trace.request.client))
            .collect();
        assert!(route[0].starts_with("kube-proxy on "), "{route:?}");
        assert!(route[1].starts_with("coredns-"), "{route:?}");
        assert!(route.iter().any(|r| r.starts_with("backend-")), "{route:?}");
        assert!(matches!(trace.outcome, Outcome::Http { status: 200, .. }));
        assert_eq!(spread(c.traces(), c.now()).values().sum::<u32>(), 1);
    }

    /// A request sent from a node names the node as the sender, not its kube-proxy.
    #[test]
    fn a_node_that_sends_is_named_as_the_node() {
        use svclab_sim::action::Action;
        use svclab_sim::cluster::{Cluster, Config};
        let mut c = Cluster::new(Config::default());
        c.apply(crate::seed::SEED_MANIFEST, crate::seed::SEED_FILENAME)
            .unwrap();
        c.advance(10_000);
        let ip = c
            .services()
            .values()
            .find(|s| s.meta.name == "backend-service")
            .and_then(|s| s.spec.cluster_ip.ip())
            .unwrap();
        let client = Client::Node("kind-worker".into());
        c.act(Action::Send {
            request: svclab_sim::trace::Request {
                payload: String::new(),
                client: client.clone(),
                tool: svclab_sim::trace::Tool::Curl,
                target: format!("http://{ip}"),
            },
        })
        .unwrap();
        c.advance(10_000);
        let trace = c.traces().last().unwrap();
        assert!(matches!(trace.outcome, Outcome::Http { status: 200, .. }));
        let first = &trace.hops[0];
        assert_eq!(place_label(&first.from, &client), "node kind-worker");
        let last = trace.hops.last().unwrap();
        assert_eq!(place_label(&last.to, &client), "node kind-worker");
        // Another node on the path is still its kube-proxy.
        assert_eq!(
            place_label(&Place::Node("kind-worker2".into()), &client),
            "kube-proxy on kind-worker2"
        );
    }

    #[test]
    fn reduced_motion_draws_numbered_steps_instead_of_moving() {
        let (client, proxy, backend) = places();
        let t = trace(
            vec![
                hop(
                    1_000,
                    client.clone(),
                    proxy.clone(),
                    PacketKind::Request,
                    HopVerdict::Forwarded,
                ),
                hop(
                    1_300,
                    proxy,
                    backend,
                    PacketKind::Request,
                    HopVerdict::Delivered,
                ),
            ],
            Outcome::Http {
                pod: ObjectKey::new("default", "backend-1"),
                status: 200,
            },
            1_600,
        );
        let l = crate::layout::layout(&scene());
        let f = flow_at(std::slice::from_ref(&t), &l, 1_400, true);
        assert!(f.sprites.is_empty());
        let steps: Vec<(usize, bool, bool)> = f
            .steps
            .iter()
            .map(|s| (s.number, s.current, s.done))
            .collect();
        assert_eq!(steps, [(1, false, true), (2, true, false)]);
    }
}
