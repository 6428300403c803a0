//! The cluster picture: nodes holding their pods, kube-proxy on each node, Services with lines to
//! their endpoints, the packets of recent requests, and the latest request's path with its
//! rewrites and failure written on it. Maps [`Scene`], [`Layout`], [`Flow`] and [`Trail`] to
//! SVG; decides nothing itself.

use std::sync::atomic::{AtomicBool, Ordering};

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use svclab_sim::action::Action;
use svclab_sim::cluster::is_cluster_namespace;
use svclab_sim::model::ObjectKey;

use std::collections::{BTreeMap, BTreeSet};

use crate::flow::{event_mark, flow_at, spread};
use crate::inspect::Selection;
use crate::layout::viewport::View;
use crate::layout::{layout_keeping, squeeze, Layout, Rect, NODE_HEADER_H};
use crate::path::{latest, path_services, pods_on_path, trail_at};
use crate::scene::{fit, object_id, PodRole, Scene};
use crate::state::{shared, Shared};
use crate::ui::later::{next_frame, next_task};
use crate::ui::rows::{RowSignals, Rows};

mod packets;
mod zoom;

/// The Performance API mark made once the first cluster picture has been painted.
pub const FIRST_CLUSTER_MARK: &str = "svclab-first-cluster";
/// Performance API mark made when the wasm starts running (`main`), before anything renders.
pub const START_MARK: &str = "svclab-start";
static MARKED: AtomicBool = AtomicBool::new(false);

fn key_of(id: &str) -> ObjectKey {
    let (ns, name) = id.split_once('/').unwrap_or(("", id));
    ObjectKey::new(ns, name)
}

/// The pod name's font size (styles/main.css `.pod-name`).
const POD_NAME_PX: f64 = 13.5;
/// `.pod-ip` and `.pod-state`'s font sizes: the IP is monospace (0.6 em a glyph).
const POD_IP_PX: f64 = 12.5;
const POD_STATE_PX: f64 = 12.5;

/// `textLength` for a label of `chars` characters that must fit `room` units ([`squeeze`]).
fn text_length(chars: usize, room: f64, px: f64) -> Option<String> {
    squeeze(chars, room, px).map(|l| format!("{l:.1}"))
}

/// Enter or Space selects, Escape clears the selection; `also` handles other keys.
fn on_object_key(
    shared: Shared,
    selection: Selection,
    also: impl Fn(&KeyboardEvent) + 'static,
) -> impl Fn(KeyboardEvent) + 'static {
    move |ev: KeyboardEvent| match ev.key().as_str() {
        "Enter" | " " => {
            ev.prevent_default();
            shared.selected.set(Some(selection.clone()));
        }
        "Escape" => shared.selected.set(None),
        _ => also(&ev),
    }
}

#[component]
pub fn ClusterView() -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    // The static layer: recomputed when the world's `version` changes, and each memo passes a
    // change on only if what it holds changed. Only the packet layer ([`packets`]) reads the
    // clock every frame.
    let scene = Memo::new(move |_| sim.read(Scene::of));
    // The latest request's id follows the clock every frame; what is on its path only when it
    // changes (or the world does).
    let latest_id = Memo::new(move |_| {
        let now = sim.now().get();
        sim.read(|c| latest(c.traces(), now).map(|t| t.id))
    });
    let on_path = Memo::new(move |_| {
        let id = latest_id.get();
        sim.read(|c| {
            id.and_then(|id| c.trace(id))
                .map(pods_on_path)
                .unwrap_or_default()
        })
    });
    let services_on_path = Memo::new(move |_| {
        let id = latest_id.get();
        scene.with(|s| {
            sim.read(|c| id.and_then(|id| c.trace(id)).map(|t| path_services(t, s)))
                .unwrap_or_default()
        })
    });
    // Drawn on their own even on a crowded node or a full Services band: the latest request's
    // pods and Services, and the selected one. (A pod and a Service of the same name share an
    // id here; keeping one keeps the other drawn, which does no harm.)
    let keep = Memo::new(move |_| {
        let mut keep: BTreeSet<String> = on_path.get().into_iter().collect();
        keep.extend(services_on_path.get());
        if let Some(Selection::Pod(key) | Selection::Service(key)) = sh.selected.get() {
            keep.insert(object_id(&key));
        }
        keep
    });
    let geo = Memo::new(move |_| scene.with(|s| keep.with(|k| layout_keeping(s, k))));
    let counts = Memo::new(move |_| {
        let now = sim.now().get();
        sim.read(|c| spread(c.traces(), now))
    });
    let links = Memo::new(move |_| scene.with(|s| geo.with(|g| link_lines(s, g))));
    let still = sh.still;
    let flow = Memo::new(move |_| {
        let now = sim.now().get();
        geo.with(|g| sim.read(|c| flow_at(c.traces(), g, now, still)))
    });
    // In simulation mode, the current event's packet, ringed where it is.
    let mark = Memo::new(move |_| {
        let event = sim.timeline(|t| t.current().cloned()).flatten()?;
        geo.with(|g| sim.read(|c| event_mark(c.traces(), g, &event)))
    });
    // The latest request's path; its failure mark stays until dismissed or the next request.
    let trail = Memo::new(move |_| {
        let now = sim.now().get();
        geo.with(|g| sim.read(|c| trail_at(c.traces(), g, now)))
    });
    let dismissed = RwSignal::new(None::<u64>);
    let view = RwSignal::new(None::<View>);

    // Once, when the first picture has been painted: the report script measures this. The
    // effect runs once the picture is in the DOM; the frame after that paints it, and a task
    // queued from that frame's animation callback runs once the paint is done.
    Effect::new(move |_| {
        if !MARKED.swap(true, Ordering::Relaxed) {
            next_frame(|| {
                next_task(|| {
                    if let Some(performance) = window().performance() {
                        let _ = performance.mark(FIRST_CLUSTER_MARK);
                    }
                })
            });
        }
    });

    let node_names =
        move || scene.with(|s| s.nodes.iter().map(|n| n.name.clone()).collect::<Vec<_>>());
    // Each pod drawn on its own reads only its own signal (RowSignals): at hundreds of pods the
    // pod a request reaches is drawn on its own and the last one goes back into its group, so a
    // shape is made and dropped per request (four subscriptions of 108 bytes each, when shapes
    // read the scene, the layout, the counts and the selection themselves).
    let pod_row = move |id: &String| PodRow {
        data: scene.with_untracked(|s| s.pod(id).cloned()),
        rect: geo.with_untracked(|g| g.pod(id)).unwrap_or_default(),
        count: counts.with_untracked(|c| c.get(&key_of(id)).copied().unwrap_or(0)),
        selected: sh
            .selected
            .with_untracked(|x| matches!(x, Some(Selection::Pod(k)) if object_id(k) == *id)),
    };
    let pod_rows = RowSignals::new(pod_row, move || {
        scene.track();
        geo.track();
        counts.track();
        sh.selected.track();
    });
    let pod_ids = move || pod_rows.list(geo.with(|g| g.pods.keys().cloned().collect()), pod_row);
    let group_ids = move || geo.with(|g| g.groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>());
    let service_ids = move || geo.with(|g| g.services.keys().cloned().collect::<Vec<_>>());
    let more_services = Memo::new(move |_| geo.with(|g| g.more_services));
    let empty = move || {
        sim.read(|c| {
            c.deployments()
                .keys()
                .all(|k| is_cluster_namespace(&k.namespace))
                && c.services().len() <= 2
        })
    };
    let size = Memo::new(move |_| geo.with(|g| (g.width, g.height)));
    let pending = Memo::new(move |_| geo.with(|g| g.pending));
    let svg = NodeRef::<leptos::svg::Svg>::new();
    let gestures = zoom::Gestures::new(view, size, svg);

    view! {
        <section class="panel cluster-panel" aria-labelledby="cluster-heading">
            <div class="panel-head">
                <h2 id="cluster-heading">"Cluster"</h2>
                <span class="panel-note">
                    {move || format!("kind · {} nodes · kube-proxy {}", scene.with(|s| s.nodes.len()), scene.with(|s| s.proxy_mode))}
                </span>
                <zoom::ZoomButtons gestures=gestures view=view />
            </div>
            <Show when=empty>
                <p class="hint">
                    "Press " <strong>"Apply"</strong>
                    " to create the backend Deployment and its Service, as "
                    <code>"kubectl apply -f backend.yaml"</code> " would."
                </p>
            </Show>
            <svg
                node_ref=svg
                class="cluster"
                class:zoomed=move || view.with(Option::is_some)
                role="group"
                aria-label="Cluster"
                aria-description="Wheel or pinch to zoom, drag to pan; with the picture focused, + and - zoom, arrows pan, 0 fits."
                tabindex="0"
                viewBox=move || {
                    view.get()
                        .unwrap_or_else(|| size.with(|&(w, h)| View::fit(w, h)))
                        .attr()
                }
                preserveAspectRatio="xMidYMid meet"
                on:wheel=move |ev| gestures.wheel(ev)
                on:pointerdown=move |ev| gestures.down(ev)
                on:pointermove=move |ev| gestures.moved(ev)
                on:pointerup=move |ev| gestures.up(ev)
                on:pointercancel=move |ev| gestures.up(ev)
                on:keydown=move |ev| gestures.key(ev)
            >
                <g class="services-band" aria-hidden="true">
                    <rect
                        x=move || geo.with(|g| g.services_band.x)
                        y=move || geo.with(|g| g.services_band.y)
                        width=move || geo.with(|g| g.services_band.w)
                        height=move || geo.with(|g| g.services_band.h)
                        rx="10"
                    />
                    <text
                        class="band-label"
                        x=move || geo.with(|g| g.services_band.x + 10.0)
                        y=move || geo.with(|g| g.services_band.y + 16.0)
                    >
                        "Services"
                    </text>
                </g>
                <Rows each=node_names key=|n| n.clone() let(name)>
                    <NodeShape name=name scene=scene geo=geo />
                </Rows>
                {move || pending_region(pending)}
                <g class="links" aria-hidden="true">
                    // Keyed by everything drawn: a link that did not change keeps its element.
                    <Rows each=move || links.get() key=|l| l.clone() let(l)>
                        <path class=l.class d=l.d />
                    </Rows>
                </g>
                // Under the pods: a hop shows between boxes, not over their text.
                <packets::TrailLayer trail=trail />
                <Rows each=pod_ids key=|(id, _)| id.clone() let((id, row))>
                    <PodShape id=id row=row />
                </Rows>
                <Rows each=group_ids key=|id| id.clone() let(id)>
                    <GroupShape id=id geo=geo />
                </Rows>
                <Rows each=service_ids key=|id| id.clone() let(id)>
                    <ServiceShape id=id scene=scene geo=geo />
                </Rows>
                {move || more_services.get().map(|(r, n)| more_services_box(r, n))}
                <packets::PacketLayer trail=trail flow=flow dismissed=dismissed />
                <packets::EventMarkLayer mark=mark />
            </svg>
            <Legend />
        </section>
    }
}

/// One drawn endpoint line: from a Service to a pod's box or to the box of its group.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct LinkLine {
    class: &'static str,
    d: String,
}

/// The endpoint lines, one per Service and box: a group's line is solid if any of its pods is
/// a ready endpoint.
fn link_lines(scene: &Scene, g: &Layout) -> Vec<LinkLine> {
    // (service, box) -> (ready, not ready, terminating) seen, and one pod of it for the path.
    let mut seen: BTreeMap<(&str, &str), ([bool; 3], &str)> = BTreeMap::new();
    for l in &scene.links {
        let target = g
            .group_of(&l.pod)
            .map_or(l.pod.as_str(), |group| group.id.as_str());
        let entry = seen
            .entry((l.service.as_str(), target))
            .or_insert(([false; 3], l.pod.as_str()));
        let i = if l.terminating {
            2
        } else if l.ready {
            0
        } else {
            1
        };
        entry.0[i] = true;
    }
    seen.into_iter()
        .filter_map(|((service, _), (kinds, pod))| {
            let class = match kinds {
                [true, ..] => "link ready",
                [false, true, _] => "link not-ready",
                _ => "link terminating",
            };
            Some(LinkLine {
                class,
                d: g.link_path(service, pod)?,
            })
        })
        .collect()
}

/// The Services band's last box when not all fit: how many more there are, and where to see
/// them.
fn more_services_box(r: Rect, n: usize) -> impl IntoView {
    let label = format!("{n} more Services, not drawn: kubectl get services lists them all");
    view! {
        <g class="service more" role="img" aria-label=label>
            <rect x=r.x y=r.y width=r.w height=r.h rx="8" />
            <text class="svc-name" x=r.center().x y=r.y + 27.0 text-anchor="middle">
                {format!("+{n} more Services")}
            </text>
            <text class="svc-ip" x=r.center().x y=r.y + 46.0 text-anchor="middle">
                "kubectl get svc"
            </text>
        </g>
    }
}

fn pending_region(pending: Memo<Option<Rect>>) -> impl IntoView {
    pending.get().map(|r| {
        view! {
            <g class="pending-region" aria-hidden="true">
                <rect x=r.x y=r.y width=r.w height=r.h rx="10" />
                <text class="band-label" x=r.x + 10.0 y=r.y + 18.0>
                    "Pending: not scheduled to a node yet"
                </text>
            </g>
        }
    })
}

#[component]
fn NodeShape(name: String, scene: Memo<Scene>, geo: Memo<Layout>) -> impl IntoView {
    let sh = shared();
    let rect = {
        let name = name.clone();
        Memo::new(move |_| {
            geo.with(|g| g.node(&name).map(|n| (n.rect, n.proxy)))
                .unwrap_or_default()
        })
    };
    let info = {
        let name = name.clone();
        Memo::new(move |_| scene.with(|s| s.nodes.iter().find(|n| n.name == name).cloned()))
    };
    let mode = move || scene.with(|s| s.proxy_mode);
    let node_sel = Selection::Node(name.clone());
    let proxy_sel = Selection::Proxy(name.clone());
    let node_selected = {
        let s = node_sel.clone();
        Memo::new(move |_| sh.selected.with(|x| x.as_ref() == Some(&s)))
    };
    let proxy_selected = {
        let s = proxy_sel.clone();
        Memo::new(move |_| sh.selected.with(|x| x.as_ref() == Some(&s)))
    };
    let node_label = move || {
        info.with(|n| {
            n.as_ref()
                .map(|n| {
                    let role = if n.control_plane {
                        "control-plane node"
                    } else {
                        "worker node"
                    };
                    format!(
                        "Node {} ({role}), IP {}, pod CIDR {}",
                        n.name, n.ip, n.pod_cidr
                    )
                })
                .unwrap_or_default()
        })
    };
    let proxy_label = {
        let name = name.clone();
        move || format!("kube-proxy on {name} ({} mode)", mode())
    };
    let control_plane = move || info.with(|n| n.as_ref().is_some_and(|n| n.control_plane));
    let (click_node, click_proxy) = (node_sel.clone(), proxy_sel.clone());
    view! {
        <g class="node" class:control-plane=control_plane>
            <rect
                class="node-box"
                x=move || rect.get().0.x
                y=move || rect.get().0.y
                width=move || rect.get().0.w
                height=move || rect.get().0.h
                rx="10"
            />
            <g
                class="node-head"
                class:selected=node_selected
                tabindex="0"
                role="button"
                aria-label=node_label
                aria-pressed=move || node_selected.get().to_string()
                on:click=move |_| sh.selected.set(Some(click_node.clone()))
                on:keydown=on_object_key(sh, node_sel, |_| {})
            >
                <rect
                    class="hit"
                    x=move || rect.get().0.x
                    y=move || rect.get().0.y
                    width=move || rect.get().0.w
                    height=NODE_HEADER_H
                    rx="10"
                />
                <text class="node-name" x=move || rect.get().0.x + 10.0 y=move || rect.get().0.y + 18.0>
                    {move || info.with(|n| n.as_ref().map(|n| fit(&n.name, 24)).unwrap_or_default())}
                </text>
                <text class="node-ip" x=move || rect.get().0.x + 10.0 y=move || rect.get().0.y + 34.0>
                    {move || info.with(|n| n.as_ref().map(|n| format!("{} · {}", n.ip, n.pod_cidr)).unwrap_or_default())}
                </text>
            </g>
            <g
                class="proxy"
                class:selected=proxy_selected
                tabindex="0"
                role="button"
                aria-label=proxy_label
                aria-pressed=move || proxy_selected.get().to_string()
                on:click=move |_| sh.selected.set(Some(click_proxy.clone()))
                on:keydown=on_object_key(sh, proxy_sel, |_| {})
            >
                <rect
                    x=move || rect.get().1.x
                    y=move || rect.get().1.y
                    width=move || rect.get().1.w
                    height=move || rect.get().1.h
                    rx="6"
                />
                <text
                    x=move || rect.get().1.center().x + 10.0
                    y=move || rect.get().1.y + 19.0
                    text-anchor="middle"
                >
                    {move || format!("kube-proxy · {}", mode())}
                </text>
            </g>
        </g>
    }
}

/// What a pod drawn on its own shows: the scene's pod, its box, its answers, whether selected.
#[derive(Clone, PartialEq)]
struct PodRow {
    data: Option<crate::scene::PodView>,
    rect: Rect,
    count: u32,
    selected: bool,
}

#[component]
fn PodShape(id: String, row: ArcRwSignal<PodRow>) -> impl IntoView {
    let sh = shared();
    let key = key_of(&id);
    let data = {
        let row = row.clone();
        Memo::new(move |_| row.with(|r| r.data.clone()))
    };
    let rect = {
        let row = row.clone();
        Memo::new(move |_| row.with(|r| r.rect))
    };
    let count = {
        let row = row.clone();
        Memo::new(move |_| row.with(|r| r.count))
    };
    let selected = Memo::new(move |_| row.with(|r| r.selected));
    let sel = Selection::Pod(key.clone());
    let class = move || {
        data.with(|d| match d {
            Some(d) => format!("pod {} {}", d.state.as_str(), d.role.as_str()),
            None => "pod".into(),
        })
    };
    let label = move || {
        let n = count.get();
        let answers = if n > 0 {
            format!(", answered {n} of the recent requests")
        } else {
            String::new()
        };
        data.with(|d| d.as_ref().map(|d| d.aria_label()).unwrap_or_default()) + &answers
    };
    let kill = {
        let key = key.clone();
        move |ev: &KeyboardEvent| {
            if ev.key() == "Delete" {
                ev.prevent_default();
                let _ = sh.sim.act(Action::DeletePod {
                    namespace: key.namespace.clone(),
                    pod: key.name.clone(),
                });
            }
        }
    };
    let click_sel = sel.clone();
    let r = move || rect.get();
    let has_ip = move || data.with(|d| d.as_ref().is_some_and(|d| d.ip.is_some()));
    let ip_len = move || {
        data.with(|d| {
            d.as_ref()
                .and_then(|d| d.ip.as_ref())
                .map_or(0, |ip| ip.chars().count())
        })
    };
    let state_len = move || data.with(|d| d.as_ref().map_or(0, |d| d.state_text().chars().count()));
    let name_len =
        move || data.with(|d| d.as_ref().map_or(0, |d| d.key.name.chars().count().min(30)));
    view! {
        <g
            class=class
            class:selected=selected
            tabindex="0"
            role="button"
            aria-label=label
            aria-pressed=move || selected.get().to_string()
            on:click=move |_| sh.selected.set(Some(click_sel.clone()))
            on:keydown=on_object_key(sh, sel, kill)
        >
            <rect class="pod-box" x=move || r().x y=move || r().y width=move || r().w height=move || r().h rx="7" />
            <circle class="pod-dot" cx=move || r().x + 12.0 cy=move || r().y + 16.0 r="5" />
            <text
                class="pod-name"
                x=move || r().x + 22.0
                y=move || r().y + 21.0
                textLength=move || text_length(name_len(), r().w - 30.0, POD_NAME_PX)
                lengthAdjust="spacingAndGlyphs"
            >
                {move || data.with(|d| d.as_ref().map(|d| fit(&d.key.name, 30)).unwrap_or_default())}
            </text>
            // Line two: the IP and the state; before the pod has an IP, its status alone
            // (`ContainerCreating`, `Pending`).
            <text class="pod-ip" x=move || r().x + 10.0 y=move || r().y + 41.0>
                {move || data.with(|d| d.as_ref().and_then(|d| d.ip.clone()).unwrap_or_default())}
            </text>
            <text
                class="pod-state"
                x=move || if has_ip() { r().right() - 10.0 } else { r().x + 10.0 }
                y=move || r().y + 41.0
                text-anchor=move || if has_ip() { "end" } else { "start" }
                // Beside an IP, a long state (`ContainerCreating` while the image is pulled)
                // is squeezed into the room the IP leaves rather than written over it.
                textLength=move || {
                    let ip_w = ip_len() as f64 * POD_IP_PX * 0.6;
                    let room = if has_ip() { r().w - 28.0 - ip_w } else { r().w - 20.0 };
                    text_length(state_len(), room, POD_STATE_PX)
                }
                lengthAdjust="spacingAndGlyphs"
            >
                {move || data.with(|d| d.as_ref().map(|d| d.state_text()).unwrap_or_default())}
            </text>
            <Show when=move || data.with(|d| d.as_ref().is_some_and(|d| d.role == PodRole::Client))>
                <text class="pod-role" x=move || r().right() - 10.0 y=move || r().y + 21.0 text-anchor="end">
                    "client"
                </text>
            </Show>
            <Show when=move || { count.get() > 0 }>
                <g class="pod-count" aria-hidden="true">
                    <rect x=move || r().right() - 40.0 y=move || r().y - 9.0 width="36" height="18" rx="9" />
                    <text x=move || r().right() - 22.0 y=move || r().y + 4.5 text-anchor="middle">
                        {move || count.get()}
                    </text>
                </g>
            </Show>
        </g>
    }
}

/// A box standing for many pods of one owner on a crowded node: `backend ×97`, `95 ready`.
/// Selecting it lists its pods in the details panel, where each can be selected (and is then
/// drawn on its own).
#[component]
fn GroupShape(id: String, geo: Memo<Layout>) -> impl IntoView {
    let sh = shared();
    let data = {
        let id = id.clone();
        Memo::new(move |_| geo.with(|g| g.group(&id).cloned()))
    };
    // A node's other pods (of several owners) select the node, whose details list its pods.
    let sel = Memo::new(move |_| {
        data.with(|d| {
            d.as_ref().and_then(|d| match (d.mixed(), &d.node) {
                (true, Some(node)) => Some(Selection::Node(node.clone())),
                (true, None) => None,
                (false, _) => Some(Selection::Group {
                    namespace: d
                        .pods
                        .first()
                        .map(|p| key_of(p).namespace)
                        .unwrap_or_default(),
                    owner: d.owner.clone(),
                    node: d.node.clone(),
                }),
            })
        })
    });
    let selected = Memo::new(move |_| {
        let mine = sel.get();
        sh.selected.with(|x| mine.is_some() && *x == mine)
    });
    let r = move || data.with(|d| d.as_ref().map(|d| d.rect).unwrap_or_default());
    let text = move |f: fn(&crate::layout::GroupBox) -> String| {
        move || data.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let select = move || {
        if let Some(s) = sel.get_untracked() {
            sh.selected.set(Some(s));
        }
    };
    view! {
        <g
            class="pod-group"
            class:not-ready=move || data.with(|d| d.as_ref().is_some_and(|d| d.ready < d.pods.len()))
            class:selected=selected
            tabindex="0"
            role="button"
            aria-label=text(|d| d.aria_label())
            aria-pressed=move || selected.get().to_string()
            on:click=move |_| select()
            on:keydown=move |ev: KeyboardEvent| match ev.key().as_str() {
                "Enter" | " " => {
                    ev.prevent_default();
                    select();
                }
                "Escape" => sh.selected.set(None),
                _ => {}
            }
        >
            // Two edges behind the box: a stack of pods.
            <rect class="stack" x=move || r().x + 6.0 y=move || r().y - 6.0 width=move || r().w - 6.0 height=move || r().h rx="7" />
            <rect class="stack" x=move || r().x + 3.0 y=move || r().y - 3.0 width=move || r().w - 3.0 height=move || r().h rx="7" />
            <rect class="pod-box" x=move || r().x y=move || r().y width=move || r().w height=move || r().h rx="7" />
            <text class="pod-name" x=move || r().x + 10.0 y=move || r().y + 21.0>
                {text(|d| d.title())}
            </text>
            <text class="pod-state" x=move || r().x + 10.0 y=move || r().y + 41.0>
                {text(|d| d.readiness())}
            </text>
        </g>
    }
}

#[component]
fn ServiceShape(id: String, scene: Memo<Scene>, geo: Memo<Layout>) -> impl IntoView {
    let sh = shared();
    let data = {
        let id = id.clone();
        Memo::new(move |_| scene.with(|s| s.service(&id).cloned()))
    };
    let rect = {
        let id = id.clone();
        Memo::new(move |_| geo.with(|g| g.service(&id)).unwrap_or_default())
    };
    let sel = Selection::Service(key_of(&id));
    let selected = {
        let s = sel.clone();
        Memo::new(move |_| sh.selected.with(|x| x.as_ref() == Some(&s)))
    };
    let click_sel = sel.clone();
    let r = move || -> Rect { rect.get() };
    let text = move |f: fn(&crate::scene::ServiceView) -> String| {
        move || data.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    view! {
        <g
            class="service"
            class:no-endpoints=move || data.with(|d| d.as_ref().is_some_and(|d| d.without_endpoints()))
            class:system=move || data.with(|d| d.as_ref().is_some_and(|d| d.key.namespace == "kube-system"))
            class:selected=selected
            tabindex="0"
            role="button"
            aria-label=text(|d| d.aria_label())
            aria-pressed=move || selected.get().to_string()
            on:click=move |_| sh.selected.set(Some(click_sel.clone()))
            on:keydown=on_object_key(sh, sel, |_| {})
        >
            <rect x=move || r().x y=move || r().y width=move || r().w height=move || r().h rx="8" />
            <text class="svc-name" x=move || r().center().x y=move || r().y + 21.0 text-anchor="middle">
                {text(|d| fit(&d.key.name, 24))}
            </text>
            <text class="svc-ip" x=move || r().center().x y=move || r().y + 40.0 text-anchor="middle">
                {text(|d| format!("{} {}", d.type_, d.cluster_ip))}
            </text>
            <text class="svc-ports" x=move || r().center().x y=move || r().y + 57.0 text-anchor="middle">
                {text(|d| d.ports_line())}
            </text>
        </g>
    }
}

#[component]
fn Legend() -> impl IntoView {
    view! {
        <ul class="legend" aria-label="Legend">
            <li><span class="swatch dns-query"></span>"DNS query"</li>
            <li><span class="swatch dns-answer"></span>"DNS answer"</li>
            <li><span class="swatch request"></span>"request"</li>
            <li><span class="swatch reply"></span>"reply"</li>
            <li><span class="line-swatch ready"></span>"ready endpoint"</li>
            <li><span class="line-swatch not-ready"></span>"not-ready endpoint"</li>
            <li><span class="mark-swatch">"✕"</span>"dropped / refused"</li>
        </ul>
    }
}
