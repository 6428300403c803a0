//! Where things go in the cluster picture: a pure function from a [`Scene`] to rectangles and
//! points in the SVG's user space (a fixed width; the height grows with the busiest node).
//!
//! ```text
//!  ┌ Services ─────────────────────────────────────────────┐
//!  │ [kube-dns]          [backend-service]                 │   one band, wrapping
//!  └───────────────────────────────────────────────────────┘
//!  ┌ node ──────┐ ┌ node ──────┐ ┌ node ──────┐ ┌ node ──────┐
//!  │ name, IP   │ │            │ │            │ │            │   up to four nodes a row
//!  │(kube-proxy)│ │(kube-proxy)│ │(kube-proxy)│ │(kube-proxy)│
//!  │ [pod]      │ │ [pod]      │ │ [pod]      │ │ [pod]      │
//!  └────────────┘ └────────────┘ └────────────┘ └────────────┘
//!  ┌ Pending (not scheduled) ──────────────────────────────┐    only when some pod waits
//! ```

pub mod viewport;

use svclab_sim::map::SortedMap;

use svclab_sim::model::ObjectKey;
use svclab_sim::trace::Place;

use std::collections::BTreeSet;

use crate::scene::{object_id, NodeView, PodRole, PodView, Scene, ServiceView};

/// The SVG's width in user units; the view scales it to the space it has.
pub const WIDTH: f64 = 900.0;
pub const MARGIN: f64 = 12.0;
pub const SERVICE_H: f64 = 64.0;
const SERVICE_MAX_W: f64 = 240.0;
const SERVICE_MIN_W: f64 = 180.0;
const SERVICE_GAP: f64 = 20.0;
/// Room between the Services and the nodes for the endpoint lines to fan out.
const LINK_SPACE: f64 = 64.0;
const NODE_COLUMNS: usize = 4;
const NODE_GAP: f64 = 14.0;
pub const NODE_HEADER_H: f64 = 42.0;
pub const PROXY_H: f64 = 28.0;
const PAD: f64 = 8.0;
/// A node with more pods than this draws its workload pods grouped by owner, one box per group
/// (the pods in `keep`, CoreDNS and the client stay drawn one by one); when there are still more
/// boxes than this (many owners of a pod or two each), the last is one box of the node's other
/// pods.
pub const MAX_POD_ROWS: usize = 4;
/// Rows of the Pending region, grouped and summed up the same way: when hundreds of pods wait
/// (more than the nodes' 110 each hold), four rows of them made the picture tall and its type
/// small at the fitted size.
pub const MAX_PENDING_ROWS: usize = 2;
/// Rows of Services drawn: more Services than fit are summed up in the band's last box (the
/// ones in `keep` and the cluster's own stay drawn).
pub const MAX_SERVICE_ROWS: usize = 3;
/// Between a node's kube-proxy and its first pod: the hop from a pod to its own kube-proxy (the
/// first and last hop of every request) is long enough to see, and the four rewrites of a
/// request fit there, one a row, below the kube-proxy that made them (the DNS query's DNAT and
/// its reply's un-DNAT, the request's DNAT and its reply's un-DNAT; crate::path places labels in
/// rows 24 apart).
pub const GATE_GAP: f64 = 98.0;
/// How far into the kube-proxy badge packets pass it (its text is centred, so this is clear).
const GATE_INSET: f64 = 16.0;
pub const POD_H: f64 = 50.0;
const POD_GAP: f64 = 8.0;
const ROW_GAP: f64 = 16.0;
const PENDING_HEADER_H: f64 = 28.0;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    /// The point a fraction `t` (0..=1) of the way from `self` to `to`.
    pub fn lerp(self, to: Point, t: f64) -> Point {
        let t = t.clamp(0.0, 1.0);
        Point::new(self.x + (to.x - self.x) * t, self.y + (to.y - self.y) * t)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }

    pub fn center(&self) -> Point {
        Point::new(self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    pub fn top_mid(&self) -> Point {
        Point::new(self.x + self.w / 2.0, self.y)
    }

    pub fn bottom_mid(&self) -> Point {
        Point::new(self.x + self.w / 2.0, self.y + self.h)
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.right() <= self.right()
            && other.bottom() <= self.bottom()
    }

    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }
}

/// One box standing for several pods of one owner on one node (or waiting for one).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupBox {
    /// `node|namespace/owner`, unique in the picture.
    pub id: String,
    /// `None`: pods waiting to be scheduled.
    pub node: Option<String>,
    /// The Deployment (or ReplicaSet) they belong to; `None`: bare pods, or pods of several
    /// owners (`owners` > 1).
    pub owner: Option<String>,
    /// How many owners its pods have: 1, or more for the box of a node's other pods.
    pub owners: usize,
    pub rect: Rect,
    /// Pod ids, in drawing order.
    pub pods: Vec<String>,
    pub ready: usize,
}

impl GroupBox {
    pub fn name(&self) -> &str {
        match &self.owner {
            _ if self.mixed() => "other pods",
            Some(o) => o,
            None => "pods",
        }
    }

    /// Whether it holds the pods of several owners (a node's other pods).
    pub fn mixed(&self) -> bool {
        self.owners > 1
    }

    /// The first line of its box: `backend ×97`.
    pub fn title(&self) -> String {
        format!("{} ×{}", self.name(), self.pods.len())
    }

    /// The second line: `95 ready · 2 not ready`, or `97 ready`.
    pub fn readiness(&self) -> String {
        let not_ready = self.pods.len() - self.ready;
        if not_ready == 0 {
            format!("{} ready", self.ready)
        } else {
            format!("{} ready · {not_ready} not ready", self.ready)
        }
    }

    /// What a screen reader says: `97 pods of backend on kind-worker, 95 ready, 2 not ready`.
    pub fn aria_label(&self) -> String {
        let of = match &self.owner {
            _ if self.mixed() => format!("pods of {} owners", self.owners),
            Some(o) => format!("pods of {o}"),
            None => "bare pods".into(),
        };
        let place = match &self.node {
            Some(n) => format!("on {n}"),
            None => "waiting for a node".into(),
        };
        format!(
            "{} {of} {place}, {}",
            self.pods.len(),
            self.readiness().replace(" · ", ", ")
        )
    }
}

/// What takes one row of a node: a pod, or a group of pods (of one owner, or a node's others).
enum Slot<'a> {
    Pod(&'a PodView),
    Group(Vec<&'a PodView>),
    /// The row a crowded node keeps free for a kept pod while it has none, so that the picture
    /// does not change as requests go to other nodes.
    Free,
}

/// The rows of `pods` (one node's, in drawing order): each pod its own while they are no more
/// than `max`; else CoreDNS and the client first, then the other pods grouped by owner (a group
/// of one is drawn as its pod), then the pods in `keep` on their own, below the groups so that
/// the groups stay put as the kept pods change. If that is still more than `max` rows, the
/// groups after the first few are one group of the node's other pods.
fn slots<'a>(pods: &[&'a PodView], keep: &BTreeSet<String>, max: usize) -> Vec<Slot<'a>> {
    if pods.len() <= max {
        return pods.iter().map(|p| Slot::Pod(p)).collect();
    }
    let mut first = Vec::new();
    let mut kept = Vec::new();
    let mut groups: Vec<Vec<&PodView>> = Vec::new();
    for &p in pods {
        if p.role != PodRole::Workload {
            first.push(Slot::Pod(p));
            continue;
        }
        if keep.contains(&p.id) {
            kept.push(Slot::Pod(p));
            continue;
        }
        let same = |g: &&mut Vec<&PodView>| {
            g.first()
                .is_some_and(|q| q.owner == p.owner && q.key.namespace == p.key.namespace)
        };
        match groups.iter_mut().find(same) {
            Some(g) => g.push(p),
            None => groups.push(vec![p]),
        }
    }
    // Room for one kept pod even while there is none (its row is kept free), so that the groups
    // do not change as requests go to other nodes.
    let room = max.saturating_sub(first.len() + kept.len().max(1)).max(1);
    if groups.len() > room {
        let others: Vec<&PodView> = groups.drain(room - 1..).flatten().collect();
        groups.push(others);
    }
    first.extend(groups.into_iter().map(|g| match g.as_slice() {
        [one] => Slot::Pod(one),
        _ => Slot::Group(g),
    }));
    if kept.is_empty() {
        kept.push(Slot::Free);
    }
    first.extend(kept);
    first
}

/// The Services drawn when `room` boxes fit, in the scene's order, and how many are not: all of
/// them if they fit; else room for one box fewer (the last says how many more), taken by the
/// Services in `keep` first, then the cluster's own (kube-dns), then the others in order.
fn shown_services<'a>(
    services: &'a [ServiceView],
    keep: &BTreeSet<String>,
    room: usize,
) -> (Vec<&'a ServiceView>, usize) {
    if services.len() <= room {
        return (services.iter().collect(), 0);
    }
    let room = room.saturating_sub(1);
    let kept = |s: &ServiceView| keep.contains(&s.id);
    let cluster = |s: &ServiceView| svclab_sim::cluster::is_cluster_namespace(&s.key.namespace);
    let mut chosen = vec![false; services.len()];
    let mut taken = 0;
    let rank: [&dyn Fn(&ServiceView) -> bool; 3] = [&kept, &cluster, &|_| true];
    for first in rank {
        for (i, s) in services.iter().enumerate() {
            if taken == room {
                break;
            }
            if !chosen[i] && first(s) {
                chosen[i] = true;
                taken += 1;
            }
        }
    }
    let shown: Vec<&ServiceView> = services
        .iter()
        .zip(chosen)
        .filter_map(|(s, chosen)| chosen.then_some(s))
        .collect();
    let more = services.len() - shown.len();
    (shown, more)
}

/// A node's region and the parts inside it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    pub name: String,
    pub rect: Rect,
    /// The kube-proxy badge: where packets meet the node's iptables or IPVS rules.
    pub proxy: Rect,
}

impl NodeBox {
    /// Where packets pass through kube-proxy: the badge's left end, clear of its centred text.
    pub fn gate(&self) -> Point {
        Point::new(self.proxy.x + GATE_INSET, self.proxy.center().y)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// The band holding the Services.
    pub services_band: Rect,
    pub nodes: Vec<NodeBox>,
    /// Pod id (`namespace/name`) → its box, for the pods drawn one by one.
    pub pods: SortedMap<String, Rect>,
    /// The boxes standing for several pods of one owner on one node, in drawing order.
    pub groups: Vec<GroupBox>,
    /// Pod id → the index in `groups` of the box that holds it.
    pub grouped: SortedMap<String, usize>,
    /// Service id → its box, for the Services drawn.
    pub services: SortedMap<String, Rect>,
    /// The band's last box when not every Service is drawn, and how many it stands for.
    pub more_services: Option<(Rect, usize)>,
    /// The region for pods no node has taken yet, if any.
    pub pending: Option<Rect>,
    /// Where a client outside the cluster stands.
    pub outside: Point,
}

impl Layout {
    pub fn node(&self, name: &str) -> Option<&NodeBox> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// The box a pod is drawn in: its own, or its group's.
    pub fn pod(&self, id: &str) -> Option<Rect> {
        self.pods
            .get(id)
            .copied()
            .or_else(|| self.group_of(id).map(|g| g.rect))
    }

    /// The group box holding pod `id`, if it is drawn in one.
    pub fn group_of(&self, id: &str) -> Option<&GroupBox> {
        self.grouped.get(id).and_then(|&i| self.groups.get(i))
    }

    pub fn group(&self, id: &str) -> Option<&GroupBox> {
        self.groups.iter().find(|g| g.id == id)
    }

    fn put(&mut self, slot: Slot, node: Option<&str>, rect: Rect) {
        match slot {
            Slot::Free => {}
            Slot::Pod(p) => {
                self.pods.insert(p.id.clone(), rect);
            }
            Slot::Group(pods) => {
                let Some(first) = pods.first() else {
                    return;
                };
                let index = self.groups.len();
                for p in &pods {
                    self.grouped.insert(p.id.clone(), index);
                }
                // (Sorted vectors, not B-trees, throughout the app: far less wasm.)
                let mut owners: Vec<(&str, Option<&str>)> = pods
                    .iter()
                    .map(|p| (p.key.namespace.as_str(), p.owner.as_deref()))
                    .collect();
                svclab_sim::sort::sort(&mut owners);
                owners.dedup();
                let node_name = node.unwrap_or("");
                // `*` is in no owner's name: the id of a node's other pods cannot clash.
                let id = match owners.len() {
                    1 => format!(
                        "{node_name}|{}/{}",
                        first.key.namespace,
                        first.owner.as_deref().unwrap_or("")
                    ),
                    _ => format!("{node_name}|*"),
                };
                self.groups.push(GroupBox {
                    id,
                    node: node.map(str::to_string),
                    owner: (owners.len() == 1).then(|| first.owner.clone()).flatten(),
                    owners: owners.len(),
                    rect,
                    ready: pods.iter().filter(|p| p.ready).count(),
                    pods: pods.iter().map(|p| p.id.clone()).collect(),
                });
            }
        }
    }

    pub fn service(&self, id: &str) -> Option<Rect> {
        self.services.get(id).copied()
    }

    /// Where a packet is when it is at `place`. A pod that is gone (killed while the packet was
    /// on its way) is looked for on `node`, the node the hop names.
    pub fn place(&self, place: &Place, node: Option<&str>) -> Option<Point> {
        match place {
            Place::Pod(key) => self
                .pod(&object_id(key))
                .map(|r| r.center())
                .or_else(|| node.and_then(|n| self.node(n)).map(|n| n.rect.center())),
            Place::Node(name) => self.node(name).map(NodeBox::gate),
            Place::External => Some(self.outside),
            Place::LoadBalancer(key) => Some(
                self.service(&object_id(key))
                    .map_or(self.outside, |r| r.top_mid()),
            ),
        }
    }

    /// The endpoint line from a Service to one of its pods (or the pod's group): a cubic
    /// Bézier, as an SVG path.
    pub fn link_path(&self, service: &str, pod: &str) -> Option<String> {
        let from = self.service(service)?.bottom_mid();
        let to = self.pod(pod)?.top_mid();
        let bend = ((to.y - from.y) / 2.0).max(30.0);
        Some(format!(
            "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            from.x,
            from.y,
            from.x,
            from.y + bend,
            to.x,
            to.y - bend,
            to.x,
            to.y
        ))
    }
}

/// Lay out a scene, every pod of a crowded node grouped. Deterministic: the same scene gives the
/// same picture.
pub fn layout(scene: &Scene) -> Layout {
    layout_keeping(scene, &BTreeSet::new())
}

/// Lay out a scene, drawing the pods in `keep` (ids: the current request's, the selected one)
/// as pods of their own even on a crowded node.
pub fn layout_keeping(scene: &Scene, keep: &BTreeSet<String>) -> Layout {
    let inner = WIDTH - 2.0 * MARGIN;
    let mut out = Layout {
        width: WIDTH,
        ..Default::default()
    };

    // Services: one band, as many per row as fit at their minimum width, centred; at most
    // MAX_SERVICE_ROWS rows, the last box standing for the Services not drawn.
    let per_row = (((inner + SERVICE_GAP) / (SERVICE_MIN_W + SERVICE_GAP)).floor() as usize).max(1);
    let (shown, more) = shown_services(&scene.services, keep, per_row * MAX_SERVICE_ROWS);
    let boxes: Vec<Option<&ServiceView>> = shown
        .into_iter()
        .map(Some)
        .chain((more > 0).then_some(None))
        .collect();
    let rows = boxes.len().div_ceil(per_row).max(1);
    let band_h = rows as f64 * (SERVICE_H + PAD) + PAD;
    out.services_band = Rect::new(MARGIN, MARGIN, inner, band_h);
    for (row, chunk) in boxes.chunks(per_row).enumerate() {
        let k = chunk.len() as f64;
        let w = ((inner - (k - 1.0) * SERVICE_GAP - 2.0 * PAD) / k).min(SERVICE_MAX_W);
        let total = k * w + (k - 1.0) * SERVICE_GAP;
        let x0 = MARGIN + (inner - total) / 2.0;
        let y = MARGIN + PAD + row as f64 * (SERVICE_H + PAD);
        for (i, s) in chunk.iter().enumerate() {
            let rect = Rect::new(x0 + i as f64 * (w + SERVICE_GAP), y, w, SERVICE_H);
            match s {
                Some(s) => {
                    out.services.insert(s.id.clone(), rect);
                }
                None => out.more_services = Some((rect, more)),
            }
        }
    }
    out.outside = Point::new(MARGIN + PAD, MARGIN + band_h / 2.0);

    // Nodes: rows of up to four; every node in a row as tall as the busiest one.
    let mut y = MARGIN + band_h + LINK_SPACE;
    let cols = scene.nodes.len().clamp(1, NODE_COLUMNS);
    let node_w = (inner - (cols as f64 - 1.0) * NODE_GAP) / cols as f64;
    // The client's node first: its hops (to its own kube-proxy, where the Service is rewritten)
    // start every request, and a phone shows the picture's left end first.
    let mut nodes: Vec<&NodeView> = scene.nodes.iter().collect();
    let client_node = scene
        .pods
        .iter()
        .find(|p| p.role == PodRole::Client)
        .and_then(|p| p.node.as_deref());
    if let Some(i) = nodes
        .iter()
        .position(|n| Some(n.name.as_str()) == client_node)
    {
        let client = nodes.remove(i);
        nodes.insert(0, client);
    }
    for chunk in nodes.chunks(NODE_COLUMNS) {
        let slotted: Vec<Vec<Slot>> = chunk
            .iter()
            .map(|n| {
                let pods: Vec<&PodView> = scene.pods_on(Some(&n.name)).collect();
                slots(&pods, keep, MAX_POD_ROWS)
            })
            .collect();
        let busiest = slotted.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let node_h = NODE_HEADER_H + PROXY_H + GATE_GAP + busiest as f64 * (POD_H + POD_GAP) + PAD;
        for (i, (node, slots)) in chunk.iter().zip(slotted).enumerate() {
            let x = MARGIN + i as f64 * (node_w + NODE_GAP);
            let rect = Rect::new(x, y, node_w, node_h);
            let proxy = Rect::new(x + PAD, y + NODE_HEADER_H, node_w - 2.0 * PAD, PROXY_H);
            let mut pod_y = proxy.bottom() + GATE_GAP;
            for slot in slots {
                let r = Rect::new(x + PAD, pod_y, node_w - 2.0 * PAD, POD_H);
                out.put(slot, Some(&node.name), r);
                pod_y += POD_H + POD_GAP;
            }
            out.nodes.push(NodeBox {
                name: node.name.clone(),
                rect,
                proxy,
            });
        }
        y += node_h + ROW_GAP;
    }

    // Pods that no node has taken (or whose node is not in the scene).
    let known = |n: &Option<String>| {
        n.as_ref()
            .is_some_and(|n| scene.nodes.iter().any(|v| &v.name == n))
    };
    let waiting: Vec<&PodView> = scene.pods.iter().filter(|p| !known(&p.node)).collect();
    if !waiting.is_empty() {
        let pod_w = node_w - 2.0 * PAD;
        let per_row = (((inner - PAD) / (pod_w + PAD)).floor() as usize).max(1);
        let mut waiting = slots(&waiting, keep, MAX_PENDING_ROWS * per_row);
        waiting.retain(|s| !matches!(s, Slot::Free));
        let rows = waiting.len().div_ceil(per_row);
        let h = PENDING_HEADER_H + rows as f64 * (POD_H + POD_GAP) + PAD;
        let region = Rect::new(MARGIN, y, inner, h);
        for (i, slot) in waiting.into_iter().enumerate() {
            let (row, col) = (i / per_row, i % per_row);
            let rect = Rect::new(
                MARGIN + PAD + col as f64 * (pod_w + PAD),
                y + PENDING_HEADER_H + row as f64 * (POD_H + POD_GAP),
                pod_w,
                POD_H,
            );
            out.put(slot, None, rect);
        }
        out.pending = Some(region);
        y += h + ROW_GAP;
    }

    out.height = y - ROW_GAP + MARGIN;
    out
}

/// The `textLength` (in picture units) for a text of `chars` characters at `px` that must fit
/// `room`: set, squeezing the glyphs a little, only when the text would overflow; never when
/// there is no room at all (a box being removed has none), since SVG rejects a negative length.
pub fn squeeze(chars: usize, room: f64, px: f64) -> Option<f64> {
    // An average glyph of a proportional sans-serif is a little under 0.6 em.
    (room > 0.0 && chars as f64 * px * 0.58 > room).then_some(room)
}

/// The id of a pod key, for callers holding a key.
pub fn pod_id(key: &ObjectKey) -> String {
    object_id(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{NodeView, PodRole, PodState, PodView, ServiceView};

    fn node(name: &str) -> NodeView {
        NodeView {
            name: name.into(),
            ip: "172.18.0.2".into(),
            pod_cidr: "10.244.0.0/24".into(),
            control_plane: false,
        }
    }

    fn pod(name: &str, node: Option<&str>) -> PodView {
        let key = ObjectKey::new("default", name);
        PodView {
            id: object_id(&key),
            key,
            node: node.map(Into::into),
            ip: None,
            role: PodRole::Workload,
            state: PodState::Ready,
            status: "Running",
            ready: true,
            owner: None,
        }
    }

    fn service(name: &str) -> ServiceView {
        let key = ObjectKey::new("default", name);
        ServiceView {
            id: object_id(&key),
            key,
            type_: "ClusterIP",
            cluster_ip: "10.96.0.20".into(),
            ports: "80/TCP".into(),
            ready_endpoints: 1,
        }
    }

    fn scene(nodes: &[&str], pods: &[(&str, Option<&str>)], services: &[&str]) -> Scene {
        Scene {
            nodes: nodes.iter().map(|n| node(n)).collect(),
            pods: pods.iter().map(|(p, n)| pod(p, *n)).collect(),
            services: services.iter().map(|s| service(s)).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn pods_sit_inside_their_node_below_its_kube_proxy_without_overlapping() {
        let s = scene(
            &["cp", "w1", "w2", "w3"],
            &[
                ("a", Some("w1")),
                ("b", Some("w1")),
                ("c", Some("w2")),
                ("d", Some("cp")),
            ],
            &["backend-service", "kube-dns"],
        );
        let l = layout(&s);
        for p in &s.pods {
            let node = l.node(p.node.as_deref().unwrap()).unwrap();
            let r = l.pod(&p.id).unwrap();
            assert!(node.rect.contains(&r), "{} outside its node", p.id);
            assert!(r.y >= node.proxy.bottom(), "{} above kube-proxy", p.id);
            assert!(node.rect.contains(&node.proxy));
        }
        let rects: Vec<Rect> = l.pods.values().copied().collect();
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!a.overlaps(b));
            }
        }
        for w in l.nodes.windows(2) {
            assert!(!w[0].rect.overlaps(&w[1].rect));
            assert_eq!(w[0].rect.h, w[1].rect.h, "nodes of a row share a height");
        }
        assert!(l
            .nodes
            .iter()
            .all(|n| n.rect.right() <= WIDTH - MARGIN + 1e-9));
        assert!(l.pending.is_none());
    }

    #[test]
    fn services_sit_in_the_band_above_the_nodes() {
        let s = scene(&["cp", "w1"], &[], &["a", "b", "c", "d", "e", "f", "g"]);
        let l = layout(&s);
        let first_node = l.nodes[0].rect.y;
        for r in l.services.values() {
            assert!(l.services_band.contains(r));
            assert!(r.bottom() < first_node);
            assert!(r.w >= SERVICE_MIN_W - 1e-9 && r.w <= SERVICE_MAX_W);
        }
        let rects: Vec<Rect> = l.services.values().copied().collect();
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!a.overlaps(b));
            }
        }
    }

    #[test]
    fn the_picture_grows_with_the_busiest_node_and_holds_waiting_pods_below() {
        let small = layout(&scene(&["w1", "w2"], &[("a", Some("w1"))], &[]));
        let pods: Vec<(String, Option<&str>)> = (0..MAX_POD_ROWS)
            .map(|i| (format!("p{i}"), Some("w2")))
            .collect();
        let refs: Vec<(&str, Option<&str>)> = pods.iter().map(|(p, n)| (p.as_str(), *n)).collect();
        let big = layout(&scene(&["w1", "w2"], &refs, &[]));
        assert!(big.height > small.height);

        let l = layout(&scene(
            &["w1"],
            &[("a", Some("w1")), ("waiting", None)],
            &[],
        ));
        let pending = l.pending.unwrap();
        assert!(pending.contains(&l.pod("default/waiting").unwrap()));
        assert!(pending.y > l.nodes[0].rect.bottom());
        assert!(l.height >= pending.bottom());
    }

    #[test]
    fn places_resolve_to_pods_kube_proxies_and_a_gone_pods_node() {
        let s = scene(&["w1", "w2"], &[("a", Some("w1"))], &["svc"]);
        let l = layout(&s);
        let a = l
            .place(&Place::Pod(ObjectKey::new("default", "a")), Some("w1"))
            .unwrap();
        assert_eq!(a, l.pod("default/a").unwrap().center());
        let proxy = l.place(&Place::Node("w2".into()), None).unwrap();
        let badge = l.node("w2").unwrap().proxy;
        assert_eq!(proxy, l.node("w2").unwrap().gate());
        assert!(proxy.x < badge.center().x - 60.0 && proxy.y == badge.center().y);
        let gone = l
            .place(&Place::Pod(ObjectKey::new("default", "gone")), Some("w2"))
            .unwrap();
        assert_eq!(gone, l.node("w2").unwrap().rect.center());
        assert_eq!(
            l.place(&Place::Pod(ObjectKey::new("default", "gone")), None),
            None
        );
        assert_eq!(l.place(&Place::External, None), Some(l.outside));
        let path = l.link_path("default/svc", "default/a").unwrap();
        assert!(path.starts_with('M') && path.contains(" C"));
    }

    fn crowded(n: usize) -> Scene {
        let mut s = scene(&["w1", "w2"], &[], &["svc"]);
        for i in 0..n {
            let mut p = pod(&format!("backend-{i:03}"), Some("w1"));
            p.owner = Some("backend".into());
            p.ready = i % 10 != 0;
            s.pods.push(p);
        }
        let mut client = pod("test", Some("w1"));
        client.role = PodRole::Client;
        s.pods.insert(0, client);
        s
    }

    #[test]
    fn a_crowded_node_groups_its_pods_by_owner_and_keeps_the_ones_asked_for() {
        let s = crowded(97);
        let keep: BTreeSet<String> = ["default/backend-042".to_string()].into();
        let l = layout_keeping(&s, &keep);
        assert_eq!(l.groups.len(), 1);
        let g = &l.groups[0];
        assert_eq!(g.title(), "backend ×96");
        assert_eq!(g.readiness(), "86 ready · 10 not ready");
        assert_eq!(
            g.aria_label(),
            "96 pods of backend on w1, 86 ready, 10 not ready"
        );
        // The kept pod and the client have boxes of their own; a grouped pod is where its group is.
        assert_eq!(l.pods.len(), 2);
        assert!(l.pods.contains_key("default/backend-042") && l.pods.contains_key("default/test"));
        assert_eq!(l.pod("default/backend-001"), Some(g.rect));
        let node = l.node("w1").unwrap();
        assert!(node.rect.contains(&g.rect));
        // Three rows, not ninety-eight: the picture stays about as tall as the seed's.
        assert!(l.height < layout(&crowded(3)).height + 1.0, "{}", l.height);
        assert!(l.link_path("default/svc", "default/backend-007").is_some());
        // Few pods: each its own box.
        assert!(layout(&crowded(3)).groups.is_empty());
    }

    #[test]
    fn a_node_with_pods_of_many_owners_draws_the_rest_as_one_box_of_its_other_pods() {
        // 500 Deployments of one pod each, as a class pastes them: grouping by owner alone
        // would leave one box per pod.
        let mut s = scene(&["w1"], &[], &["svc"]);
        for i in 0..500 {
            let mut p = pod(&format!("app{i:03}-7d4f-x{i:03}"), Some("w1"));
            p.owner = Some(format!("app{i:03}"));
            p.ready = i % 5 != 0;
            s.pods.push(p);
        }
        let kept = "default/app250-7d4f-x250".to_string();
        let l = layout_keeping(&s, &[kept.clone()].into());
        let node = l.node("w1").unwrap();
        let boxes: Vec<Rect> = l
            .pods
            .values()
            .chain(l.groups.iter().map(|g| &g.rect))
            .copied()
            .collect();
        assert!(boxes.len() <= MAX_POD_ROWS, "{} boxes", boxes.len());
        assert!(boxes.iter().all(|r| node.rect.contains(r)));
        // Every pod is somewhere, the kept one on its own.
        assert!(s.pods.iter().all(|p| l.pod(&p.id).is_some()));
        assert!(l.pods.contains_key(&kept));
        let others = l
            .groups
            .iter()
            .find(|g| g.mixed())
            .expect("a box of the other pods");
        assert_eq!(others.id, "w1|*");
        assert_eq!(others.title(), format!("other pods ×{}", others.pods.len()));
        assert!(
            others.aria_label().starts_with(&format!(
                "{} pods of {} owners on w1, ",
                others.pods.len(),
                others.owners
            )),
            "{}",
            others.aria_label()
        );
        let drawn: usize = l.pods.len() + l.groups.iter().map(|g| g.pods.len()).sum::<usize>();
        assert_eq!(drawn, 500);
        // As tall as a node of a few pods, not of five hundred.
        assert!(l.height < layout(&crowded(3)).height + 1.0, "{}", l.height);
        // Without the kept pod the same boxes are drawn (it joins the other pods), so the
        // picture does not shift as requests go to other nodes.
        let plain = layout(&s);
        let ids = |l: &Layout| l.groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&plain), ids(&l));
        let mut own: Vec<&String> = l.pods.keys().collect();
        own.retain(|id| **id != kept);
        assert_eq!(plain.pods.keys().collect::<Vec<_>>(), own);
        assert_eq!(plain.height, l.height);
    }

    #[test]
    fn hundreds_of_waiting_pods_take_two_rows_of_the_pending_region() {
        // More pods than the nodes hold, of many owners: the Pending region stays two rows tall
        // and every waiting pod is in one of its boxes.
        let mut s = scene(&["w1", "w2"], &[("a", Some("w1"))], &[]);
        for i in 0..300 {
            let mut p = pod(&format!("app{i:03}-7d4f-x{i:03}"), None);
            p.owner = Some(format!("app{i:03}"));
            s.pods.push(p);
        }
        let kept = "default/app150-7d4f-x150".to_string();
        let l = layout_keeping(&s, &[kept.clone()].into());
        let pending = l.pending.unwrap();
        let inside: Vec<Rect> = l
            .pods
            .values()
            .chain(l.groups.iter().map(|g| &g.rect))
            .filter(|r| pending.contains(r))
            .copied()
            .collect();
        let rows = {
            let mut ys: Vec<i64> = inside.iter().map(|r| r.y as i64).collect();
            svclab_sim::sort::sort(&mut ys);
            ys.dedup();
            ys.len()
        };
        assert_eq!(rows, MAX_PENDING_ROWS, "{inside:?}");
        assert!(s.pods.iter().all(|p| l.pod(&p.id).is_some()));
        assert!(l.pods.contains_key(&kept));
        assert!(pending.contains(&l.pod(&kept).unwrap()));
        // The region two rows tall, not seventy-five.
        let two_rows = PENDING_HEADER_H + MAX_PENDING_ROWS as f64 * (POD_H + POD_GAP) + PAD;
        assert!(pending.h <= two_rows + 0.5, "{} > {two_rows}", pending.h);
    }

    #[test]
    fn more_services_than_three_rows_are_summed_in_the_bands_last_box() {
        let mut names: Vec<String> = (0..500).map(|i| format!("svc{i:03}")).collect();
        names.push("zz-on-path".into());
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut s = scene(&["w1"], &[], &names);
        let mut dns = service("kube-dns");
        dns.key = ObjectKey::new("kube-system", "kube-dns");
        dns.id = object_id(&dns.key);
        s.services.push(dns);
        let l = layout_keeping(&s, &["default/zz-on-path".to_string()].into());
        let (more_rect, more) = l.more_services.expect("a box for the Services not drawn");
        assert_eq!(l.services.len() + more, 502);
        let boxes = l.services.len() + 1;
        assert!(boxes <= 4 * MAX_SERVICE_ROWS, "{boxes} boxes");
        // The one on the request's path and the cluster's DNS stay drawn.
        assert!(l.services.contains_key("default/zz-on-path"));
        assert!(l.services.contains_key("kube-system/kube-dns"));
        assert!(l.services_band.contains(&more_rect));
        assert!(l.services.values().all(|r| !r.overlaps(&more_rect)));
        assert!(l.services_band.h <= MAX_SERVICE_ROWS as f64 * (SERVICE_H + PAD) + PAD);
        // Few Services: all drawn, no summary.
        assert_eq!(
            layout(&scene(&["w1"], &[], &["a", "b"])).more_services,
            None
        );
    }

    #[test]
    fn squeeze_only_when_needed_and_never_negative() {
        assert_eq!(squeeze(5, 200.0, 13.5), None);
        assert_eq!(squeeze(40, 200.0, 13.5), Some(200.0));
        assert_eq!(squeeze(40, -30.0, 13.5), None);
        assert_eq!(squeeze(40, 0.0, 13.5), None);
    }

    #[test]
    fn lerp_clamps() {
        let a = Point::new(0.0, 0.0);
        let b = Point::new(10.0, 20.0);
        assert_eq!(a.lerp(b, 0.5), Point::new(5.0, 10.0));
        assert_eq!(a.lerp(b, 2.0), b);
    }
}
