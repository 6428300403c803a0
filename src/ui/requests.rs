//! Recent requests: how the answers spread over the backends, and each request's hops (time,
//! from → to, the packet before and after translation, the rules that matched, why); a hop's
//! head opens it in the Inspector.

use leptos::prelude::*;

use crate::flow::{spread, top_spread};
use crate::state::{shared, HopRef};
use crate::trace_view::{hop_rows, summarize, HopRow};
use crate::ui::explain::Explain;

/// Requests listed, newest first.
pub const LISTED: usize = 8;
/// Backends drawn as bars under "Answers per backend"; the others are summed in one line.
pub const SPREAD_ROWS: usize = 10;

#[component]
pub fn Requests() -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    let now = sim.now();
    // At most SPREAD_ROWS bars (the busiest pods): at hundreds of pods the rest are summed up in
    // one line, and the list stays cheap to redraw while traffic flows.
    let counts = Memo::new(move |_| {
        let now = now.get();
        sim.read(|c| {
            let counts = spread(c.traces(), now);
            let total: u32 = counts.values().sum();
            let (rows, rest) = top_spread(counts, SPREAD_ROWS);
            (rows, rest, total, c.traces().len())
        })
    });
    let ids = Memo::new(move |_| {
        sim.read(|c| {
            c.traces()
                .iter()
                .rev()
                .take(LISTED)
                .map(|t| t.id)
                .collect::<Vec<_>>()
        })
    });

    view! {
        <section class="panel requests-panel" aria-labelledby="requests-heading">
            <div class="panel-head">
                <h2 id="requests-heading">"Requests"</h2>
            </div>
            <h3>"Answers per backend"</h3>
            {move || {
                let (rows, (more_pods, more_answers), total, kept) = counts.get();
                if rows.is_empty() {
                    view! { <p class="hint">"No answers yet. Press Send request, or start steady traffic."</p> }.into_any()
                } else {
                    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
                    view! {
                        <ul class="spread" aria-label="Answers per backend">
                            {rows
                                .into_iter()
                                .map(|(pod, n)| {
                                    let width = format!("{}%", 100 * n / max);
                                    view! {
                                        <li>
                                            <span class="pod-name">{pod.name.clone()}</span>
                                            <span class="bar" aria-hidden="true">
                                                <span style:width=width></span>
                                            </span>
                                            <span class="count">{n}</span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        {(more_pods > 0).then(|| view! {
                            <p class="hint more">
                                {format!("and {more_pods} more pod{}: {more_answers} answer{}", if more_pods == 1 { "" } else { "s" }, if more_answers == 1 { "" } else { "s" })}
                            </p>
                        })}
                        <p class="hint">{format!("{total} answered, of the last {kept} requests kept.")}</p>
                    }
                        .into_any()
                }
            }}
            <Explain />
            <h3>"Recent requests"</h3>
            <ol class="traces">
                <For each=move || ids.get() key=|id| *id let(id)>
                    <TraceItem id=id />
                </For>
            </ol>
        </section>
    }
}

#[component]
fn TraceItem(id: u64) -> impl IntoView {
    let sh = shared();
    let (sim, inspected) = (sh.sim, sh.inspected);
    let now = sim.now();
    let summary = Memo::new(move |_| {
        let now = now.get();
        sim.read(|c| {
            c.traces()
                .iter()
                .find(|t| t.id == id)
                .map(|t| summarize(t, now))
        })
    });
    let hops = Memo::new(move |_| {
        sim.read(|c| {
            c.traces()
                .iter()
                .find(|t| t.id == id)
                .map(hop_rows)
                .unwrap_or_default()
        })
    });
    let class = move || {
        summary.with(|s| match s {
            Some(s) if !s.done => "trace in-flight",
            Some(s) if s.ok => "trace ok",
            _ => "trace failed",
        })
    };
    view! {
        <li class=class>
            <details>
                <summary>
                    <code
                        class="command"
                        title=move || summary.with(|s| s.as_ref().map(|s| s.line.clone()))
                    >
                        {move || summary.with(|s| s.as_ref().map(|s| s.command.clone()))}
                    </code>
                    <span class="sent">{move || summary.with(|s| s.as_ref().map(|s| s.sent.clone()))}</span>
                    <span class="outcome">{move || summary.with(|s| s.as_ref().map(|s| s.outcome.clone()))}</span>
                </summary>
                <Show when=move || summary.with(|s| s.as_ref().is_some_and(|s| !s.output.is_empty()))>
                    <pre class="client-output">{move || summary.with(|s| s.as_ref().map(|s| s.output.clone()))}</pre>
                </Show>
                <ol class="hops">
                    {move || hops.get().into_iter().map(|h| hop_item(h, id, inspected)).collect_view()}
                </ol>
            </details>
        </li>
    }
}

/// A hop of an expanded request; its head is a button that opens it in the Inspector.
fn hop_item(h: HopRow, trace: u64, inspected: RwSignal<Option<HopRef>>) -> impl IntoView {
    let at = HopRef {
        trace,
        hop: h.number.saturating_sub(1),
    };
    let name = format!("Inspect hop {}: {} {} → {}", h.number, h.kind, h.from, h.to);
    let rules = (!h.rules.is_empty()).then(|| {
        view! {
            <ul class="rules">
                {h.rules.into_iter().map(|r| view! { <li><code>{r}</code></li> }).collect_view()}
            </ul>
        }
    });
    view! {
        <li
            class=format!("hop {} {}", h.kind_class, h.verdict)
            class:inspected=move || inspected.get() == Some(at)
        >
            <button
                class="hop-head"
                aria-label=name
                aria-pressed=move || (inspected.get() == Some(at)).to_string()
                on:click=move |_| inspected.set(Some(at))
            >
                <span class="time">{h.time}</span>
                <span class="kind">{h.kind}</span>
                <span class="route">{format!("{} → {}", h.from, h.to)}</span>
                <span class="verdict">{h.verdict}</span>
            </button>
            <p class="packet"><code>{h.packet}</code></p>
            {h.translation.map(|t| view! { <p class="translation"><code>{t}</code></p> })}
            {rules}
            <p class="explanation">{h.explanation}</p>
        </li>
    }
}

/// The newest request in one line, `test$ wget … · HTTP 200 from backend-…`, for presenter
/// mode, where the Requests panel is hidden and the room reads the outcome under the picture.
#[component]
pub fn LatestRequest() -> impl IntoView {
    let sim = shared().sim;
    let now = sim.now();
    let latest = Memo::new(move |_| {
        let now = now.get();
        sim.read(|c| c.traces().last().map(|t| summarize(t, now)))
    });
    view! {
        <p class="latest-request" role="status" aria-label="Latest request">
            {move || {
                latest
                    .with(|s| match s {
                        None => {
                            view! { <span class="hint">"Press Send request to watch one travel."</span> }
                                .into_any()
                        }
                        Some(s) => {
                            let class = if !s.done {
                                "outcome in-flight"
                            } else if s.ok {
                                "outcome ok"
                            } else {
                                "outcome failed"
                            };
                            view! {
                                <code class="command">{s.command.clone()}</code>
                                <span class=class>{s.outcome.clone()}</span>
                            }
                                .into_any()
                        }
                    })
            }}
        </p>
    }
}
