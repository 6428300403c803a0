//! The picture's moving layer: the packets in flight ([`Flow`]) and the latest request's path
//! ([`Trail`]): its hops, its rewrite labels and its failure mark. The only part of the picture
//! that reads the clock every frame; each list is keyed, so a frame touches only the packets
//! that moved and the labels that came or went.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::flow::{EventMark, Flow, Step};
use crate::layout::Point;
use crate::path::{Failure, Label, Segment, Trail, DISMISS_W, LABEL_H, LABEL_PX, MARK_R};
use crate::state::{shared, HopRef};
use crate::ui::rows::Rows;

/// A key holding everything an item draws: an item whose key is unchanged is left alone, one
/// that changed is replaced.
fn points_key(points: &[Point]) -> String {
    points
        .iter()
        .map(|p| format!("{:.1},{:.1}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ")
}

fn segment_key(s: &Segment) -> String {
    format!(
        "{} {} {} {}",
        s.hop,
        s.kind.as_str(),
        s.done,
        points_key(&[s.from, s.to])
    )
}

fn label_key(l: &Label) -> String {
    format!(
        "{} {} {} {}",
        l.hop,
        l.change.as_str(),
        l.text,
        points_key(&[l.anchor, l.rect.center()])
    )
}

fn step_key(s: &Step) -> String {
    format!(
        "{} {} {} {} {}",
        s.trace,
        s.hop,
        s.current,
        s.done,
        points_key(&[s.from, s.to])
    )
}

/// The hops the latest request has travelled, drawn under the pods.
#[component]
pub fn TrailLayer(trail: Memo<Option<Trail>>) -> impl IntoView {
    let segments = Memo::new(move |_| {
        trail.with(|t| t.as_ref().map(|t| t.segments.clone()).unwrap_or_default())
    });
    view! {
        <g class="trail" aria-hidden="true">
            <Rows each=move || segments.get() key=segment_key let(s)>
                <line
                    class=format!("trail-hop {}{}", s.kind.as_str(), if s.done { " done" } else { "" })
                    x1=s.from.x
                    y1=s.from.y
                    x2=s.to.x
                    y2=s.to.y
                />
            </Rows>
        </g>
    }
}

/// The packets in flight (or, with reduced motion, numbered steps), the labels of what changed
/// where, and the failure mark until dismissed.
#[component]
pub fn PacketLayer(
    trail: Memo<Option<Trail>>,
    flow: Memo<Flow>,
    dismissed: RwSignal<Option<u64>>,
) -> impl IntoView {
    // The packets are drawn in a pool of slots that only grows, to the most packets in flight
    // at once: a slot is never dropped, so nothing is made per packet. (A component made per
    // packet would leave its subscription on `flow` behind when dropped: reactive_graph 0.2
    // keeps a disposed subscriber in its source's list, and `flow` changes every frame.)
    let slots = Memo::new(move |peak: Option<&usize>| {
        flow.with(|f| f.sprites.len())
            .max(peak.copied().unwrap_or(0))
    });
    let steps = Memo::new(move |_| flow.with(|f| f.steps.clone()));
    let kept = Memo::new(move |_| {
        trail.with(|t| {
            t.as_ref()
                .map(|t| {
                    t.labels
                        .iter()
                        .filter(|l| !matches!(l.change, crate::path::Change::Packet(_)))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let moving = Memo::new(move |_| {
        trail.with(|t| {
            t.as_ref().and_then(|t| {
                t.labels
                    .iter()
                    .find(|l| matches!(l.change, crate::path::Change::Packet(_)))
                    .cloned()
            })
        })
    });
    let failure = Memo::new(move |_| {
        trail.with(|t| {
            t.as_ref()
                .and_then(|t| t.failure.clone().map(|f| (t.trace, f)))
        })
    });
    let inspected = shared().inspected;
    view! {
        <g class="flow">
            <Rows each=move || steps.get() key=step_key let(s)>
                {paint_step(&s)}
            </Rows>
            <For each=move || 0..slots.get() key=|i| *i let(i)>
                <Sprite index=i flow=flow />
            </For>
        </g>
        <g class="path-labels">
            <Rows each=move || kept.get() key=label_key let(l)>
                <g
                    class=format!("path-label {}", l.change.as_str())
                    role="img"
                    aria-label=l.text.clone()
                    // A click on a label opens its hop in the Inspector.
                    on:click=move |_| {
                        if let Some(trace) = trail.with_untracked(|t| t.as_ref().map(|t| t.trace)) {
                            inspected.set(Some(HopRef { trace, hop: l.hop }));
                        }
                    }
                >
                    {paint_label(&l)}
                </g>
            </Rows>
            // Always there, empty between requests: made once, like the packets' slots.
            <MovingLabel label=moving />
            {move || failure.get().map(|(id, f)| paint_failure(id, f, dismissed))}
        </g>
    }
}

fn paint_step(s: &Step) -> impl IntoView {
    // Hops that share a segment (there and back, DNS then HTTP) put their numbers at different
    // points along it.
    let mid = s.from.lerp(s.to, [0.3, 0.5, 0.7][(s.number - 1) % 3]);
    let class = format!(
        "step {}{}{}",
        s.kind.as_str(),
        if s.current { " current" } else { "" },
        if s.done { " done" } else { "" }
    );
    let label = format!("Step {}: {}", s.number, s.description);
    view! {
        <g class=class role="img" aria-label=label>
            <line x1=s.from.x y1=s.from.y x2=s.to.x y2=s.to.y />
            <circle cx=mid.x cy=mid.y r="11" />
            <text x=mid.x y=mid.y + 4.5 text-anchor="middle">
                {s.number}
            </text>
        </g>
    }
}

/// A slot of the packet pool: the `index`th packet in flight, if there is one (else nothing is
/// shown). Made once; only what changed (position, hop) is set.
#[component]
fn Sprite(index: usize, flow: Memo<Flow>) -> impl IntoView {
    let sprite = Memo::new(move |_| flow.with(|f| f.sprites.get(index).cloned()));
    let at = Memo::new(move |_| sprite.with(|s| s.as_ref().map(|s| s.at).unwrap_or_default()));
    let hop = Memo::new(move |_| {
        sprite.with(|s| {
            s.as_ref()
                .map(|s| (s.kind, s.from, s.to, s.description.clone()))
        })
    });
    let part = move |f: fn(&(svclab_sim::trace::PacketKind, Point, Point, String)) -> String| {
        move || hop.with(|h| h.as_ref().map(f).unwrap_or_default())
    };
    // An empty slot is no packet: tests and scripts find packets by the `packet` class.
    let class = move || {
        hop.with(|h| match h {
            Some(h) => format!("packet {}", h.0.as_str()),
            None => "packet-slot".to_string(),
        })
    };
    view! {
        <g class=class role="img" aria-label=part(|h| h.3.clone()) aria-hidden=move || hop.with(Option::is_none).then_some("true")>
            <line
                class="hop-path"
                x1=part(|h| format!("{:.1}", h.1.x))
                y1=part(|h| format!("{:.1}", h.1.y))
                x2=part(|h| format!("{:.1}", h.2.x))
                y2=part(|h| format!("{:.1}", h.2.y))
            />
            <circle cx=move || at.get().x cy=move || at.get().y r="10" />
            <title>{part(|h| h.3.clone())}</title>
        </g>
    }
}

/// The label beside the packet of the latest request, moving with it.
#[component]
fn MovingLabel(label: Memo<Option<Label>>) -> impl IntoView {
    let l = move || {
        label.get().unwrap_or_else(|| Label {
            hop: 0,
            change: crate::path::Change::Dns,
            text: String::new(),
            anchor: Point::default(),
            rect: Default::default(),
            text_at: Point::default(),
        })
    };
    let text =
        Memo::new(move |_| label.with(|l| l.as_ref().map(|l| l.text.clone()).unwrap_or_default()));
    let class = Memo::new(move |_| {
        label.with(|l| {
            match l {
                Some(l) => format!("path-label {}", l.change.as_str()),
                // Between requests: nothing to show.
                None => "path-label-slot".to_string(),
            }
        })
    });
    view! {
        <g class=class role="img" aria-label=text aria-hidden=move || label.with(Option::is_none).then_some("true")>
            <line class="leader" x1=move || l().anchor.x y1=move || l().anchor.y x2=move || l().leader_end().x y2=move || l().leader_end().y />
            <circle class="anchor" cx=move || l().anchor.x cy=move || l().anchor.y r="3.5" />
            <rect class="label-box" x=move || l().rect.x y=move || l().rect.y width=move || l().rect.w height=move || l().rect.h rx="4" />
            <text
                class="label-text"
                x=move || l().text_at.x
                y=move || l().text_at.y
                font-size=LABEL_PX
                font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
            >
                {text}
            </text>
        </g>
    }
}

fn paint_label(l: &Label) -> impl IntoView {
    let end = l.leader_end();
    view! {
        <line class="leader" x1=l.anchor.x y1=l.anchor.y x2=end.x y2=end.y />
        <circle class="anchor" cx=l.anchor.x cy=l.anchor.y r="3.5" />
        <rect class="label-box" x=l.rect.x y=l.rect.y width=l.rect.w height=l.rect.h rx="4" />
        // Sized here as well as in the CSS: the boxes are measured for this font.
        <text
            class="label-text"
            x=l.text_at.x
            y=l.text_at.y
            font-size=LABEL_PX
            font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
        >
            {l.text.clone()}
        </text>
    }
}

/// Where the request failed and why, until dismissed (or the next request).
fn paint_failure(id: u64, f: Failure, dismissed: RwSignal<Option<u64>>) -> impl IntoView {
    let at = f.at;
    let r = f.label.rect;
    let label = format!("Failed here: {}. {}", f.reason, f.detail);
    let dismiss = move || dismissed.set(Some(id));
    view! {
        <Show when=move || dismissed.get() != Some(id)>
            <g class="path-label failure" role="group" aria-label=label.clone()>
                {paint_label(&f.label)}
                <circle class="x-mark" cx=at.x cy=at.y r=MARK_R />
                <text class="x" x=at.x y=at.y + 5.5 text-anchor="middle">
                    "✕"
                </text>
                <title>{f.detail.clone()}</title>
                <g
                    class="dismiss"
                    role="button"
                    tabindex="0"
                    aria-label="Dismiss failure"
                    on:click=move |_| dismiss()
                    on:keydown=move |ev: KeyboardEvent| {
                        if matches!(ev.key().as_str(), "Enter" | " " | "Escape") {
                            ev.prevent_default();
                            dismiss();
                        }
                    }
                >
                    <rect x=r.right() - DISMISS_W y=r.y width=DISMISS_W height=LABEL_H rx="4" />
                    <text x=r.right() - DISMISS_W / 2.0 y=r.y + 14.5 text-anchor="middle">
                        "×"
                    </text>
                </g>
            </g>
        </Show>
    }
}

/// Simulation mode's current event, a ring with its number where the packet is.
#[component]
pub fn EventMarkLayer(mark: Memo<Option<EventMark>>) -> impl IntoView {
    move || {
        mark.get().map(|m| {
            view! {
                <g class=format!("event-mark {}", m.kind.as_str()) role="img" aria-label=m.label>
                    <circle class="ring" cx=m.at.x cy=m.at.y r="17" />
                    <text x=m.at.x y=m.at.y - 22.0 text-anchor="middle">
                        {format!("Event {}", m.number)}
                    </text>
                </g>
            }
        })
    }
}
