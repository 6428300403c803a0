//! A request's whole path, kept on the picture: the hops it has travelled as a trail, a label
//! where the packet was rewritten (the DNS answer at CoreDNS, DNAT at kube-proxy, the reply's
//! un-DNAT, SNAT), and, if it failed, a mark with a short reason where it died. Pure:
//! `(traces, layout, now) -> Trail`; everything here comes from the sim's [`Trace`] (hops,
//! packets, [`Translation`]s, verdicts, outcome), and the view only draws it.
//!
//! Labels are placed greedily: each tries spots around the place it names and takes the first
//! that stays inside the picture and covers no label placed before it, no node's title and (if
//! it can) no box of the picture. Text width is estimated from the character count, which is
//! close for the monospace font the labels use (styles/main.css `.path-label`).

use svclab_sim::model::Protocol;
use svclab_sim::time::Time;
use svclab_sim::trace::{Balance, Hop, HopVerdict, Outcome, PacketKind, Place, Trace, Translation};

use crate::layout::{Layout, Point, Rect, NODE_HEADER_H};

/// The labels' font size in the picture's units, and a monospace glyph's width per unit of it.
pub const LABEL_PX: f64 = 12.0;
const GLYPH_EM: f64 = 0.6;
/// A label box's height and its text's inner padding.
pub const LABEL_H: f64 = 20.0;
const LABEL_PAD: f64 = 6.0;
/// Room at the right end of the failure's label for its dismiss button.
pub const DISMISS_W: f64 = 20.0;
/// The radius of the failure's ✕ mark (src/ui/cluster_view/packets.rs).
pub const MARK_R: f64 = 12.0;
/// How far apart two hops that share a segment (there and back) are drawn.
const LANE: f64 = 3.5;

/// What a label says changed, which also colours it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A DNS question and its answer, at CoreDNS.
    Dns,
    /// The destination rewritten (a Service IP to an endpoint).
    Dnat,
    /// The source rewritten (masquerade).
    Snat,
    /// conntrack reversing a DNAT on the reply (its source).
    UnDnat,
    /// conntrack reversing a SNAT on the reply (its destination).
    UnSnat,
    /// How kube-proxy chose the endpoint: its chains, map elements and draw.
    Rule,
    /// Where the packet died.
    Failure,
    /// The packet in flight: its kind and where it is addressed.
    Packet(PacketKind),
}

impl Change {
    /// CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Dns => "dns",
            Change::Dnat => "dnat",
            Change::Snat => "snat",
            Change::UnDnat => "un-dnat",
            Change::UnSnat => "un-snat",
            Change::Rule => "rule",
            Change::Failure => "failure",
            Change::Packet(kind) => kind.as_str(),
        }
    }
}

/// One travelled (or current) hop of the trail.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub hop: usize,
    pub kind: PacketKind,
    pub from: Point,
    pub to: Point,
    /// The packet has been past it; otherwise it is on it now.
    pub done: bool,
}

/// Text written where something changed, in a box placed clear of the rest.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub hop: usize,
    pub change: Change,
    pub text: String,
    /// The place it is about (a leader line joins it to the box).
    pub anchor: Point,
    /// The box, in picture units; the text starts at `text_at`.
    pub rect: Rect,
    pub text_at: Point,
}

impl Label {
    /// Where the leader line from the anchor meets the box: the box's point nearest to it.
    pub fn leader_end(&self) -> Point {
        Point::new(
            self.anchor.x.clamp(self.rect.x, self.rect.right()),
            self.anchor.y.clamp(self.rect.y, self.rect.bottom()),
        )
    }
}

/// Where and why the request failed.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub at: Point,
    /// Short: `no endpoints`, `refused: nothing on :8080`, `NXDOMAIN`, `timed out`.
    pub reason: String,
    /// The hop's (or outcome's) whole sentence, for the tooltip and screen readers.
    pub detail: String,
    /// The reason's box (with room for the dismiss button at its right end).
    pub label: Label,
}

/// The path of the latest request begun by `now`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trail {
    pub trace: u64,
    pub segments: Vec<Segment>,
    pub labels: Vec<Label>,
    pub failure: Option<Failure>,
}

/// The estimated width of `text` at the labels' font size.
pub fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * LABEL_PX * GLYPH_EM
}

/// The latest request that has started by `now`: the one the picture draws.
pub fn latest(traces: &[Trace], now: Time) -> Option<&Trace> {
    traces.iter().rev().find(|t| t.start <= now)
}

/// The trail of the latest request that has started by `now` (the next request replaces it).
pub fn trail_at(traces: &[Trace], layout: &Layout, now: Time) -> Option<Trail> {
    let trace = latest(traces, now)?;
    let mut trail = Trail {
        trace: trace.id,
        ..Default::default()
    };
    let mut placer = Placer::new(layout);
    // The failure first: it gets the best spot.
    let failure = failure_of(trace, layout, now);
    if let Some((hop, at, reason, detail)) = failure {
        let width = text_width(&reason) + 2.0 * LABEL_PAD + DISMISS_W;
        // Clear of the ✕ drawn on the spot (radius 12).
        let rect = placer.place_beside(at, width, MARK_R + 4.0);
        trail.failure = Some(Failure {
            at,
            label: Label {
                hop,
                change: Change::Failure,
                text: reason.clone(),
                anchor: at,
                rect,
                text_at: text_origin(rect),
            },
            reason,
            detail,
        });
    }
    let mut moving = None;
    for (i, hop) in trace.hops.iter().enumerate() {
        if hop.start > now {
            break;
        }
        let (Some(from), Some(to)) = (
            layout.place(&hop.from, hop.node.as_deref()),
            layout.place(&hop.to, hop.node.as_deref()),
        ) else {
            continue;
        };
        let (from, to) = lane(from, to, hop.kind);
        let done = now >= hop.end;
        trail.segments.push(Segment {
            hop: i,
            kind: hop.kind,
            from,
            to,
            done,
        });
        if !done {
            moving = Some((i, hop, from.lerp(to, hop_progress(hop, now))));
            continue;
        }
        let Some(anchor) = anchor_of(layout, hop) else {
            continue;
        };
        for (change, text) in changes(hop) {
            let rect = placer.place(anchor, text_width(&text) + 2.0 * LABEL_PAD);
            trail.labels.push(Label {
                hop: i,
                change,
                text,
                anchor,
                rect,
                text_at: text_origin(rect),
            });
        }
    }
    // The packet on its way, labelled last so that the kept labels do not move for it.
    if let Some((i, hop, at)) = moving {
        let text = crate::flow::packet_label(hop);
        let rect = placer.place(at, text_width(&text) + 2.0 * LABEL_PAD);
        trail.labels.push(Label {
            hop: i,
            change: Change::Packet(hop.kind),
            text,
            anchor: at,
            rect,
            text_at: text_origin(rect),
        });
    }
    Some(trail)
}

/// The pods `trace` goes through (ids, sorted): the picture draws the latest request's on their
/// own even where their node's pods are grouped.
pub fn pods_on_path(trace: &Trace) -> Vec<String> {
    let mut ids: Vec<String> = trace
        .hops
        .iter()
        .flat_map(|h| [&h.from, &h.to])
        .filter_map(|p| match p {
            Place::Pod(key) => Some(crate::scene::object_id(key)),
            _ => None,
        })
        .collect();
    svclab_sim::sort::sort(&mut ids);
    ids.dedup();
    ids
}

/// The ids of the Services `trace` was sent to, as kube-proxy's hops name them (by cluster IP,
/// NodePort, LoadBalancer or external IP), in the scene.
pub fn path_services(trace: &Trace, scene: &crate::scene::Scene) -> Vec<String> {
    let addressed: Vec<String> = trace
        .hops
        .iter()
        .filter_map(|h| h.detail.service.as_deref())
        .map(crate::scene::object_id)
        .collect();
    scene
        .services
        .iter()
        .filter(|s| addressed.contains(&s.id))
        .map(|s| s.id.clone())
        .collect()
}

/// How far along its hop the packet is at `now`, 0 to 1.
fn hop_progress(hop: &Hop, now: Time) -> f64 {
    let span = hop.end.saturating_sub(hop.start).max(1) as f64;
    now.saturating_sub(hop.start) as f64 / span
}

/// Where a label about the end of `hop` points: kube-proxy's gate, or the top edge of a pod's
/// box (its centre would put the mark over the pod's name).
fn anchor_of(layout: &Layout, hop: &Hop) -> Option<Point> {
    match &hop.to {
        Place::Pod(key) => layout
            .pod(&crate::scene::object_id(key))
            .map(|r| r.top_mid())
            .or_else(|| layout.place(&hop.to, hop.node.as_deref())),
        place => layout.place(place, hop.node.as_deref()),
    }
}

fn text_origin(rect: Rect) -> Point {
    Point::new(rect.x + LABEL_PAD, rect.y + LABEL_H / 2.0 + LABEL_PX * 0.35)
}

/// A hop's ends moved sideways by its direction, so there and back do not draw over each other.
fn lane(from: Point, to: Point, kind: PacketKind) -> (Point, Point) {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1e-6 {
        return (from, to);
    }
    let side = match kind {
        PacketKind::DnsQuery | PacketKind::Request => LANE,
        PacketKind::DnsAnswer | PacketKind::Reply => -LANE,
    };
    // Perpendicular to the direction of travel, normalised so that both directions of one
    // segment shift the same way for the same side sign: there and back end up apart.
    let (nx, ny) = if (dx, dy) > (0.0, 0.0) {
        (-dy / len, dx / len)
    } else {
        (dy / len, -dx / len)
    };
    let shift = |p: Point| Point::new(p.x + nx * side, p.y + ny * side);
    (shift(from), shift(to))
}

/// What this hop's arrival changed, as labels: the DNS answer CoreDNS gave, the address
/// rewrites done at its end.
pub fn changes(hop: &Hop) -> Vec<(Change, String)> {
    let mut out = Vec::new();
    if hop.kind == PacketKind::DnsQuery && hop.verdict == HopVerdict::Delivered {
        if let Some(text) = dns_answer(hop) {
            out.push((Change::Dns, text));
        }
    }
    if let Some(t) = &hop.translation {
        out.extend(rewrites(t));
        if hop.kind == PacketKind::Request {
            out.extend(choice(hop).map(|text| (Change::Rule, text)));
        }
    }
    out
}

/// How kube-proxy chose the endpoint, in the words of its rules: the chains and map elements
/// the request went through and the draw that picked the endpoint.
/// `@service-ips → service-ULMVA6XW-default/backend-service/tcp/ · numgen mod 3 = 1` (nftables),
/// `KUBE-SVC-ULMVA6XW3MQIHNLA → KUBE-SEP-4XTD6GDHLHC2XIMP` (iptables),
/// `IPVS 10.96.214.40:80 rr → 10.244.1.2:80`.
pub fn choice(hop: &Hop) -> Option<String> {
    let balance = hop.detail.balance.as_ref()?;
    let mut chains: Vec<&str> = Vec::new();
    let mut path = |prefixes: &[&str]| {
        for r in &hop.rules {
            let chain = r.chain.as_str();
            if prefixes.iter().any(|p| chain.starts_with(p)) && chains.last() != Some(&chain) {
                chains.push(chain);
            }
        }
        chains.join(" → ")
    };
    let text = match balance {
        Balance::Numgen { draw } => {
            let path = path(&["@service-", "service-", "external-", "endpoint-"]);
            match draw {
                Some(d) => format!("{path} · numgen mod {} = {}", d.modulus, d.value),
                None => format!("{path} · affinity"),
            }
        }
        Balance::Random { draws } => {
            let path = path(&["KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-SEP-"]);
            if draws.is_empty() {
                format!("{path} · affinity")
            } else {
                path
            }
        }
        Balance::Ipvs {
            virtual_server,
            scheduler,
            real_server,
        } => format!(
            "IPVS {virtual_server} {scheduler} → {}",
            real_server.map_or("no real server".to_string(), |r| r.to_string())
        ),
    };
    (!text.starts_with(" ·")).then_some(text)
}

/// `DNAT 10.107.199.115:80 → 10.244.1.2:80`, `SNAT 10.244.3.2:51455 → 172.18.0.3:40001`,
/// `un-DNAT 10.244.1.2:80 → 10.107.199.115:80`: each address the translation changed.
pub fn rewrites(t: &Translation) -> Vec<(Change, String)> {
    let mut out = Vec::new();
    // On a reply conntrack undoes the request's translations: the destination back to the
    // client (un-SNAT), the source back to the address the client asked for (un-DNAT).
    let reply = t.kind.starts_with("un-");
    if t.before.dst != t.after.dst {
        let (change, word) = if reply {
            (Change::UnSnat, "un-SNAT")
        } else {
            (Change::Dnat, "DNAT")
        };
        out.push((change, format!("{word} {} → {}", t.before.dst, t.after.dst)));
    }
    if t.before.src != t.after.src {
        let (change, word) = if reply {
            (Change::UnDnat, "un-DNAT")
        } else {
            (Change::Snat, "SNAT")
        };
        out.push((change, format!("{word} {} → {}", t.before.src, t.after.src)));
    }
    out
}

/// `DNS backend-service.default.svc.cluster.local → 10.107.199.115`: from the records CoreDNS
/// answered with (the hop's `dns` rule, one record a line as a zone file writes it).
fn dns_answer(hop: &Hop) -> Option<String> {
    let records = hop.rules.iter().find(|r| r.table == "dns")?;
    let mut name = None;
    let mut addresses = Vec::new();
    for line in records.text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if let [owner, _ttl, "IN", "A" | "AAAA", address, ..] = fields.as_slice() {
            name.get_or_insert_with(|| owner.trim_end_matches('.').to_string());
            addresses.push(*address);
        }
    }
    Some(format!("DNS {} → {}", name?, addresses.join(", ")))
}

/// The failed hop (or, for NXDOMAIN, the hop to CoreDNS), where it ends, the short reason and
/// the whole sentence; `None` while the request is still on its way or if it succeeded.
fn failure_of(trace: &Trace, layout: &Layout, now: Time) -> Option<(usize, Point, String, String)> {
    if trace.outcome.is_success() {
        return None;
    }
    let at_end = |i: usize, hop: &Hop| anchor_of(layout, hop).map(|p| (i, p));
    let failed = trace
        .hops
        .iter()
        .enumerate()
        .find(|(_, h)| matches!(h.verdict, HopVerdict::Dropped | HopVerdict::Refused));
    if let Some((i, hop)) = failed {
        if now < hop.end {
            return None;
        }
        let (i, at) = at_end(i, hop)?;
        return Some((
            i,
            at,
            hop_reason(hop, &trace.outcome),
            hop.explanation.clone(),
        ));
    }
    if now < trace.finish {
        return None;
    }
    // Nothing dropped or refused a packet: the answer itself was the failure (NXDOMAIN), shown
    // where it was given, else at the last place the packet reached.
    let (i, hop) = trace
        .hops
        .iter()
        .enumerate()
        .rev()
        .find(|(_, h)| h.kind == PacketKind::DnsQuery && h.verdict == HopVerdict::Delivered)
        .or_else(|| trace.hops.iter().enumerate().next_back())?;
    let (i, at) = at_end(i, hop)?;
    Some((
        i,
        at,
        outcome_reason(&trace.outcome),
        hop.explanation.clone(),
    ))
}

/// The short reason for a dropped or refused hop.
pub fn hop_reason(hop: &Hop, outcome: &Outcome) -> String {
    match (hop.verdict, &hop.to) {
        // kube-proxy refuses only when the Service has no ready endpoint (iptables REJECT).
        (HopVerdict::Refused, Place::Node(_)) => "no endpoints".into(),
        // A pod's kernel answers TCP with a reset, UDP with ICMP port unreachable.
        (HopVerdict::Refused, _) if hop.packet.protocol == Protocol::Udp => {
            format!("unreachable: nothing on UDP :{}", hop.packet.dst.port())
        }
        (HopVerdict::Refused, _) => format!("refused: nothing on :{}", hop.packet.dst.port()),
        _ => match hop.detail.policy.as_ref().filter(|p| !p.allowed()) {
            Some(decision) => {
                // The policies isolating the end that denied it, without their namespace.
                let names: Vec<&str> = [&decision.egress, &decision.ingress]
                    .into_iter()
                    .find(|v| !v.allows())
                    .map_or(&[][..], |v| v.isolated_by())
                    .iter()
                    .map(|k| k.name.as_str())
                    .collect();
                if names.is_empty() {
                    "dropped by NetworkPolicy".into()
                } else {
                    format!("dropped by NetworkPolicy {}", names.join(", "))
                }
            }
            // A datagram nobody answers is not a timeout: nc just stops waiting.
            None if hop.packet.protocol == Protocol::Udp && *outcome == Outcome::Timeout => {
                "no answer".into()
            }
            None => outcome_reason(outcome),
        },
    }
}

/// The short reason for a failed outcome.
pub fn outcome_reason(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Nxdomain { .. } => "NXDOMAIN".into(),
        Outcome::DnsTimeout => "DNS timed out".into(),
        Outcome::ConnectionRefused => "refused".into(),
        Outcome::Timeout => "timed out".into(),
        Outcome::HostUnreachable => "host unreachable".into(),
        Outcome::Invalid { .. } => "invalid request".into(),
        Outcome::Datagram {
            answered: false, ..
        } => "no answer".into(),
        Outcome::Http { .. } | Outcome::Resolved { .. } | Outcome::Datagram { .. } => {
            "answered".into()
        }
    }
}

/// Greedy label placement inside the picture.
struct Placer {
    bounds: Rect,
    /// Never covered: node titles.
    titles: Vec<Rect>,
    /// Avoided when there is room: every box of the picture.
    boxes: Vec<Rect>,
    placed: Vec<Rect>,
}

impl Placer {
    fn new(layout: &Layout) -> Placer {
        let titles = layout
            .nodes
            .iter()
            .map(|n| Rect::new(n.rect.x, n.rect.y, n.rect.w, NODE_HEADER_H))
            .collect();
        let boxes = layout
            .nodes
            .iter()
            .map(|n| n.proxy)
            .chain(layout.pods.values().copied())
            .chain(layout.services.values().copied())
            .collect();
        Placer {
            bounds: Rect::new(2.0, 2.0, layout.width - 4.0, layout.height - 4.0),
            titles,
            boxes,
            placed: Vec::new(),
        }
    }

    /// Spots near `anchor`, nearest first: beside it to the right, to the left, centred, a row
    /// below or above at a time; each pushed inside the picture. Worked out as they are tried,
    /// not gathered: a list of the 135 spots, grown to 8 kB for every label of every frame, was
    /// the allocation that most often found no room in a fragmented heap and grew the memory.
    fn candidates(&self, anchor: Point, w: f64, gap: f64) -> impl Iterator<Item = Rect> + '_ {
        let step = LABEL_H + 4.0;
        // Rows 0 to 4 below first, where a node's kube-proxy has the gap above its pods (room
        // for the four rewrites of a request) and a label above would reach across the node's
        // title; then above and further below in turn.
        let rows = (0..=4_i32).chain((1..=20).flat_map(|k| [-k, 4 + k]));
        rows.flat_map(move |row| {
            let y = anchor.y - LABEL_H / 2.0 + f64::from(row) * step;
            [anchor.x + gap, anchor.x - w - gap, anchor.x - w / 2.0]
                .map(|x| self.inside(Rect::new(x, y, w, LABEL_H)))
        })
    }

    fn inside(&self, r: Rect) -> Rect {
        let b = self.bounds;
        let w = r.w.min(b.w);
        let x = r.x.clamp(b.x, b.right() - w);
        let y = r.y.clamp(b.y, (b.bottom() - r.h).max(b.y));
        Rect::new(x, y, w, r.h)
    }

    fn place(&mut self, anchor: Point, w: f64) -> Rect {
        self.place_beside(anchor, w, 10.0)
    }

    /// [`Placer::place`], beside spots at least `gap` from the anchor.
    fn place_beside(&mut self, anchor: Point, w: f64, gap: f64) -> Rect {
        let clear = |r: &Rect, others: &[&Vec<Rect>]| {
            others.iter().all(|set| set.iter().all(|o| !o.overlaps(r)))
        };
        let spots = || self.candidates(anchor, w, gap);
        let chosen = spots()
            .find(|r| clear(r, &[&self.placed, &self.titles, &self.boxes]))
            .or_else(|| spots().find(|r| clear(r, &[&self.placed, &self.titles])))
            .or_else(|| spots().find(|r| clear(r, &[&self.placed])))
            // Nowhere clear: the first spot, beside the anchor to the right.
            .unwrap_or_else(|| {
                self.inside(Rect::new(
                    anchor.x + gap,
                    anchor.y - LABEL_H / 2.0,
                    w,
                    LABEL_H,
                ))
            });
        self.placed.push(chosen);
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::Scene;
    use svclab_sim::action::Action;
    use svclab_sim::cluster::{Cluster, Config};

    fn seeded() -> Cluster {
        let mut c = Cluster::new(Config::default());
        c.act(crate::seed::run_client()).unwrap();
        c.apply(crate::seed::SEED_MANIFEST, crate::seed::SEED_FILENAME)
            .unwrap();
        c.advance(10_000);
        c
    }

    fn send(c: &mut Cluster) {
        c.act(Action::Send {
            request: crate::seed::request(),
        })
        .unwrap();
        c.advance(10_000);
    }

    fn all_boxes(t: &Trail) -> Vec<Rect> {
        t.labels
            .iter()
            .chain(t.failure.as_ref().map(|f| &f.label))
            .map(|l| l.rect)
            .collect()
    }

    fn assert_placed_well(t: &Trail, l: &Layout) {
        let boxes = all_boxes(t);
        let picture = Rect::new(0.0, 0.0, l.width, l.height);
        for (i, a) in boxes.iter().enumerate() {
            assert!(picture.contains(a), "{a:?} leaves the picture");
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} covers {b:?}");
            }
            for n in &l.nodes {
                let title = Rect::new(n.rect.x, n.rect.y, n.rect.w, NODE_HEADER_H);
                assert!(!a.overlaps(&title), "{a:?} covers {}'s title", n.name);
            }
        }
    }

    #[test]
    fn a_request_leaves_its_path_with_every_rewrite_written_where_it_happened() {
        let mut c = seeded();
        send(&mut c);
        let l = crate::layout::layout(&Scene::of(&c));
        let trace = c.traces().last().unwrap();
        let t = trail_at(c.traces(), &l, c.now()).unwrap();
        assert_eq!(t.trace, trace.id);
        assert_eq!(t.segments.len(), trace.hops.len());
        assert!(t.segments.iter().all(|s| s.done));
        assert!(t.failure.is_none());
        let texts: Vec<&str> = t.labels.iter().map(|l| l.text.as_str()).collect();
        let service = c
            .services()
            .values()
            .find(|s| s.meta.name == "backend-service")
            .unwrap();
        let ip = service.spec.cluster_ip.column();
        let svclab_sim::trace::Outcome::Http { pod, .. } = &trace.outcome else {
            panic!("{:?}", trace.outcome)
        };
        let pod_ip = c.pods().get(pod).unwrap().status.pod_ip.unwrap();
        assert!(
            texts.contains(
                &format!("DNS backend-service.default.svc.cluster.local → {ip}").as_str()
            ),
            "{texts:#?}"
        );
        assert!(
            texts.contains(&format!("DNAT {ip}:80 → {pod_ip}:80").as_str()),
            "{texts:#?}"
        );
        assert!(
            texts.contains(&format!("un-DNAT {pod_ip}:80 → {ip}:80").as_str()),
            "{texts:#?}"
        );
        // The DNS answer is written at CoreDNS, the DNAT at the client's kube-proxy.
        let dns = t.labels.iter().find(|l| l.change == Change::Dns).unwrap();
        let coredns = &trace.hops[dns.hop].to;
        assert!(matches!(coredns, Place::Pod(k) if k.name.starts_with("coredns-")));
        assert_placed_well(&t, &l);
    }

    #[test]
    fn the_trail_grows_hop_by_hop_and_the_next_request_replaces_it() {
        let mut c = seeded();
        c.act(Action::Send {
            request: crate::seed::request(),
        })
        .unwrap();
        let l = crate::layout::layout(&Scene::of(&c));
        let first = c.traces().last().unwrap().clone();
        let mid = first.hops[2].start + 1;
        let t = trail_at(c.traces(), &l, mid).unwrap();
        assert_eq!(t.segments.len(), 3);
        assert_eq!(
            t.segments.iter().map(|s| s.done).collect::<Vec<_>>(),
            [true, true, false]
        );
        let moving = t.labels.last().unwrap();
        assert_eq!(moving.change, Change::Packet(PacketKind::DnsAnswer));
        assert!(
            moving.text.starts_with("DNS answer → 10.244."),
            "{}",
            moving.text
        );
        assert_placed_well(&t, &l);
        c.advance(10_000);
        send(&mut c);
        let t = trail_at(c.traces(), &l, c.now()).unwrap();
        assert_eq!(t.trace, c.traces().last().unwrap().id);
        assert_ne!(t.trace, first.id);
    }

    #[test]
    fn a_service_without_endpoints_fails_with_a_mark_at_kube_proxy() {
        let mut c = seeded();
        c.act(Action::Scale {
            namespace: "default".into(),
            deployment: "backend".into(),
            replicas: 0,
        })
        .unwrap();
        c.advance(60_000);
        send(&mut c);
        let l = crate::layout::layout(&Scene::of(&c));
        let t = trail_at(c.traces(), &l, c.now()).unwrap();
        let f = t.failure.as_ref().expect("a failure mark");
        assert_eq!(f.reason, "no endpoints");
        assert!(f.detail.contains("has no endpoints"), "{}", f.detail);
        let node = l
            .nodes
            .iter()
            .find(|n| n.gate() == f.at)
            .expect("at a kube-proxy");
        assert!(!node.name.is_empty());
        assert_placed_well(&t, &l);
    }

    #[test]
    fn short_reasons_name_what_stopped_the_packet() {
        use std::net::Ipv4Addr;
        use svclab_sim::model::{ObjectKey, Protocol};
        use svclab_sim::trace::{MatchedRule, Packet};
        let hop = |to: Place, verdict, rules: Vec<MatchedRule>| Hop {
            start: 0,
            end: 1,
            from: Place::Node("w1".into()),
            to,
            node: None,
            kind: PacketKind::Request,
            packet: Packet::new(
                (Ipv4Addr::new(10, 244, 1, 2), 40000),
                (Ipv4Addr::new(10, 244, 2, 3), 8080),
                Protocol::Tcp,
            ),
            translation: None,
            rules,
            verdict,
            explanation: String::new(),
            detail: Default::default(),
        };
        let pod = Place::Pod(ObjectKey::new("default", "backend-1"));
        let netpol = MatchedRule {
            node: "w1".into(),
            table: "netpol".into(),
            chain: "NetworkPolicy".into(),
            text: "dropped: pod default/backend-1 is isolated for ingress by NetworkPolicy default/deny-all and no rule allows pod default/test".into(),
        };
        let rows = [
            (
                hop(Place::Node("w1".into()), HopVerdict::Refused, vec![]),
                Outcome::ConnectionRefused,
                "no endpoints",
            ),
            (
                hop(pod.clone(), HopVerdict::Refused, vec![]),
                Outcome::ConnectionRefused,
                "refused: nothing on :8080",
            ),
            (
                {
                    let mut h = hop(pod.clone(), HopVerdict::Refused, vec![]);
                    h.packet.protocol = Protocol::Udp;
                    h
                },
                Outcome::ConnectionRefused,
                "unreachable: nothing on UDP :8080",
            ),
            (
                {
                    let mut h = hop(Place::Node("w1".into()), HopVerdict::Dropped, vec![]);
                    h.packet.protocol = Protocol::Udp;
                    h
                },
                Outcome::Timeout,
                "no answer",
            ),
            (
                {
                    let mut h = hop(pod.clone(), HopVerdict::Dropped, vec![netpol]);
                    h.detail.policy = Some(svclab_sim::netpol::Decision {
                        egress: svclab_sim::netpol::Verdict::NotIsolated,
                        ingress: svclab_sim::netpol::Verdict::Denied {
                            isolated_by: vec![ObjectKey::new("default", "deny-all")],
                        },
                    });
                    h
                },
                Outcome::Timeout,
                "dropped by NetworkPolicy deny-all",
            ),
            (
                hop(pod.clone(), HopVerdict::Dropped, vec![]),
                Outcome::Timeout,
                "timed out",
            ),
            (
                hop(pod, HopVerdict::Dropped, vec![]),
                Outcome::HostUnreachable,
                "host unreachable",
            ),
        ];
        for (hop, outcome, want) in rows {
            assert_eq!(hop_reason(&hop, &outcome), want);
        }
        assert_eq!(
            outcome_reason(&Outcome::Nxdomain { name: "x".into() }),
            "NXDOMAIN"
        );
    }

    #[test]
    fn an_unknown_name_fails_with_nxdomain_at_coredns() {
        let mut c = seeded();
        c.act(Action::Send {
            request: svclab_sim::trace::Request {
                target: "http://no-such-service".into(),
                ..crate::seed::request()
            },
        })
        .unwrap();
        c.advance(10_000);
        let l = crate::layout::layout(&Scene::of(&c));
        let t = trail_at(c.traces(), &l, c.now()).unwrap();
        let f = t.failure.as_ref().expect("a failure mark");
        assert_eq!(f.reason, "NXDOMAIN");
        let trace = c.traces().last().unwrap();
        assert!(
            matches!(&trace.hops[f.label.hop].to, Place::Pod(k) if k.name.starts_with("coredns-"))
        );
    }

    #[test]
    fn real_failures_are_marked_at_the_pod_with_their_reason() {
        let mut c = Cluster::new(Config::default());
        c.act(crate::seed::run_client()).unwrap();
        let wrong_port = crate::seed::SEED_MANIFEST.replace("targetPort: 80", "targetPort: 8080");
        assert_ne!(wrong_port, crate::seed::SEED_MANIFEST);
        c.apply(&wrong_port, crate::seed::SEED_FILENAME).unwrap();
        c.advance(10_000);
        send(&mut c);
        let l = crate::layout::layout(&Scene::of(&c));
        let t = trail_at(c.traces(), &l, c.now()).unwrap();
        let f = t.failure.as_ref().expect("a failure mark");
        assert_eq!(f.reason, "refused: nothing on :8080");
        let trace = c.traces().last().unwrap();
        let Place::Pod(pod) = &trace.hops[f.label.hop].to else {
            panic!("{:?}", trace.hops[f.label.hop].to)
        };
        assert_eq!(
            f.at,
            l.pod(&crate::scene::object_id(pod)).unwrap().top_mid()
        );

        c.apply(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\nspec:\n  podSelector: {}\n  policyTypes:\n  - Ingress\n",
            "deny.yaml",
        )
        .unwrap();
        c.apply(crate::seed::SEED_MANIFEST, crate::seed::SEED_FILENAME)
            .unwrap();
        c.advance(10_000);
        send(&mut c);
        c.advance(30_000);
        let t = trail_at(c.traces(), &l, c.now()).unwrap();
        let f = t.failure.as_ref().expect("a failure mark");
        assert!(
            f.reason.starts_with("dropped by NetworkPolicy deny-all"),
            "{}",
            f.reason
        );
    }

    #[test]
    fn a_masquerading_dnat_writes_both_rewrites_and_un_dnat_the_reply_source() {
        use std::net::Ipv4Addr;
        use svclab_sim::model::Protocol;
        use svclab_sim::trace::Packet;
        let before = Packet::new(
            (Ipv4Addr::new(172, 18, 0, 1), 50000),
            (Ipv4Addr::new(172, 18, 0, 3), 30080),
            Protocol::Tcp,
        );
        let after = Packet::new(
            (Ipv4Addr::new(172, 18, 0, 3), 40001),
            (Ipv4Addr::new(10, 244, 1, 2), 80),
            Protocol::Tcp,
        );
        let t = Translation {
            kind: "DNAT+SNAT".into(),
            before,
            after,
        };
        assert_eq!(
            rewrites(&t),
            [
                (
                    Change::Dnat,
                    "DNAT 172.18.0.3:30080 → 10.244.1.2:80".to_string()
                ),
                (
                    Change::Snat,
                    "SNAT 172.18.0.1:50000 → 172.18.0.3:40001".to_string()
                ),
            ]
        );
        let reply = Translation {
            kind: "un-DNAT".into(),
            before: Packet::new(
                (Ipv4Addr::new(10, 244, 1, 2), 80),
                (Ipv4Addr::new(10, 244, 3, 2), 41000),
                Protocol::Tcp,
            ),
            after: Packet::new(
                (Ipv4Addr::new(10, 96, 0, 20), 80),
                (Ipv4Addr::new(10, 244, 3, 2), 41000),
                Protocol::Tcp,
            ),
        };
        assert_eq!(
            rewrites(&reply),
            [(
                Change::UnDnat,
                "un-DNAT 10.244.1.2:80 → 10.96.0.20:80".to_string()
            )]
        );
        // The reply to the masqueraded request: back to the outside client, from the node port.
        let masqueraded = Translation {
            kind: "un-DNAT+un-SNAT".into(),
            before: Packet {
                src: after.dst,
                dst: after.src,
                protocol: Protocol::Tcp,
            },
            after: Packet {
                src: before.dst,
                dst: before.src,
                protocol: Protocol::Tcp,
            },
        };
        assert_eq!(
            rewrites(&masqueraded),
            [
                (
                    Change::UnSnat,
                    "un-SNAT 172.18.0.3:40001 → 172.18.0.1:50000".to_string()
                ),
                (
                    Change::UnDnat,
                    "un-DNAT 10.244.1.2:80 → 172.18.0.3:30080".to_string()
                ),
            ]
        );
    }

    /// A Service is on a request's path however the request addressed it: by name (through
    /// CoreDNS's kube-dns), by its NodePort on a node's IP, by its LoadBalancer IP.
    #[test]
    fn the_services_on_a_path_are_those_kube_proxy_matched_by_any_address() {
        use svclab_sim::trace::{Client, Request, Tool};
        let mut c = seeded();
        let extra = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web-nodeport\nspec:\n  type: NodePort\n  selector:\n    app: backend\n  ports:\n    - port: 80\n      nodePort: 30080\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-lb\nspec:\n  type: LoadBalancer\n  selector:\n    app: backend\n  ports:\n    - port: 80\n";
        c.apply(extra, "extra.yaml").unwrap();
        c.advance(10_000);
        let worker = c
            .nodes()
            .iter()
            .find(|n| n.meta.name == "kind-worker")
            .unwrap();
        let lb = c
            .services()
            .values()
            .find(|s| s.meta.name == "web-lb")
            .and_then(|s| s.status.load_balancer_ip)
            .expect("the LoadBalancer has an IP");
        let cases = [
            (
                crate::seed::request(),
                vec!["default/backend-service", "kube-system/kube-dns"],
            ),
            (
                Request {
                    client: Client::External,
                    tool: Tool::Curl,
                    target: format!("http://{}:30080", worker.internal_ip),
                    payload: String::new(),
                },
                vec!["default/web-nodeport"],
            ),
            (
                Request {
                    client: Client::External,
                    tool: Tool::Curl,
                    target: format!("http://{lb}"),
                    payload: String::new(),
                },
                vec!["default/web-lb"],
            ),
        ];
        for (request, want) in cases {
            c.act(Action::Send { request }).unwrap();
            c.advance(10_000);
            let trace = c.traces().last().unwrap();
            assert_eq!(
                path_services(trace, &Scene::of(&c)),
                want,
                "{:?}",
                trace.request
            );
        }
    }

    /// Beside the DNAT, the picture names how kube-proxy chose the endpoint, in each mode's own
    /// words: the chains (and in nftables the map) the request went through, or IPVS's servers.
    #[test]
    fn the_request_is_labelled_with_kube_proxys_chains_in_each_mode() {
        use svclab_sim::kube_proxy::ProxyMode;
        for mode in ProxyMode::ALL {
            let mut c = seeded();
            c.act(Action::SetProxyMode { mode }).unwrap();
            c.advance(10_000);
            send(&mut c);
            let trace = c.traces().last().unwrap();
            let hop = trace
                .hops
                .iter()
                .find(|h| h.kind == PacketKind::Request && h.translation.is_some())
                .expect("kube-proxy rewrites the request");
            let to = hop.translation.as_ref().unwrap().after.dst;
            let labels = changes(hop);
            let rule: Vec<&String> = labels
                .iter()
                .filter(|(c, _)| *c == Change::Rule)
                .map(|(_, t)| t)
                .collect();
            assert_eq!(rule.len(), 1, "{mode:?}: {labels:?}");
            let rule = rule[0];
            // Every chain the label names is one the request's rules went through.
            let named: Vec<&str> = match mode {
                ProxyMode::Ipvs => {
                    assert!(
                        rule.starts_with("IPVS ") && rule.ends_with(&format!(" rr → {to}")),
                        "{rule}"
                    );
                    continue;
                }
                ProxyMode::Nftables => {
                    let (path, draw) = rule.split_once(" · ").expect("a draw");
                    assert!(draw.starts_with("numgen mod 3 = "), "{rule}");
                    assert!(path.starts_with("@service-ips → service-"), "{rule}");
                    path.split(" → ").collect()
                }
                ProxyMode::Iptables => {
                    assert!(rule.starts_with("KUBE-SVC-"), "{rule}");
                    assert!(rule.contains(" → KUBE-SEP-"), "{rule}");
                    rule.split(" → ").collect()
                }
            };
            for chain in named {
                assert!(
                    hop.rules.iter().any(|r| r.chain.as_str() == chain),
                    "{mode:?}: {chain}"
                );
            }
        }
    }

    #[test]
    fn labels_stay_inside_and_apart_even_when_crowded() {
        let mut c = seeded();
        send(&mut c);
        let l = crate::layout::layout(&Scene::of(&c));
        let mut placer = Placer::new(&l);
        let corner = Point::new(l.width - 1.0, l.height - 1.0);
        let boxes: Vec<Rect> = (0..12).map(|_| placer.place(corner, 300.0)).collect();
        let picture = Rect::new(0.0, 0.0, l.width, l.height);
        for (i, a) in boxes.iter().enumerate() {
            assert!(picture.contains(a), "{a:?}");
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} {b:?}");
            }
        }
    }
}
