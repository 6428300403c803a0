//! Recent requests: how the answers spread over the backends, and each request's hops (time,
//! from → to, the packet before and after translation, the rules that matched, why); a hop's
//! head opens it in the Inspector.

use leptos::prelude::*;
use svclab_sim::cluster::Cluster;
use svclab_sim::time::Time;

use crate::flow::{spread, top_spread};
use crate::state::{shared, HopRef};
use crate::trace_view::{hop_rows, summarize, HopRow, TraceSummary};
use crate::ui::explain::Explain;
use crate::ui::rows::Rows;
use crate::ui::words::words;

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
    let spread_slots = Memo::new(move |peak: Option<&usize>| {
        counts.with(|c| c.0.len()).max(peak.copied().unwrap_or(0))
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
    // Each listed request's row reads only its own signal, which lives as long as the row:
    // one effect here brings them up to date. (A row reading the clock or the world itself
    // would leave a subscription behind on them when dropped, one per request: reactive_graph
    // 0.2 keeps a disposed subscriber in its source's list, and the clock changes every frame.)
    let inspected = sh.inspected;
    let rows: StoredValue<Vec<(u64, ArcRwSignal<Row>)>> = StoredValue::new(Vec::new());
    let listed = move || {
        let ids = ids.get();
        let now = now.get_untracked();
        let inspected = inspected.get_untracked();
        rows.update_value(|rows| {
            let kept: Vec<(u64, ArcRwSignal<Row>)> = ids
                .iter()
                .map(|&id| {
                    let old = rows.iter().find(|(r, _)| *r == id).map(|(_, s)| s.clone());
                    let signal = old.unwrap_or_else(|| {
                        ArcRwSignal::new(sim.peek(|c| row(c, id, now, inspected)))
                    });
                    (id, signal)
                })
                .collect();
            *rows = kept;
        });
        rows.get_value()
    };
    Effect::new(move |_| {
        let now = now.get();
        let inspected = inspected.get();
        sim.read(|c| {
            rows.with_value(|rows| {
                for (id, signal) in rows {
                    // A request that has finished shows the same until the clock goes back
                    // before its end: only which of its hops is inspected may change.
                    let finished = c.trace(*id).is_some_and(|t| now >= t.finish);
                    let settled =
                        signal.with_untracked(|r| r.summary.as_ref().is_some_and(|s| s.done));
                    if finished && settled {
                        let open = open_hop(inspected, *id);
                        if signal.with_untracked(|r| r.inspected != open) {
                            signal.update(|r| r.inspected = open);
                        }
                        continue;
                    }
                    let new = row(c, *id, now, inspected);
                    if signal.with_untracked(|old| *old != new) {
                        signal.set(new);
                    }
                }
            })
        });
    });

    view! {
        <section class="panel requests-panel" aria-labelledby="requests-heading">
            <div class="panel-head">
                <h2 id="requests-heading">"Requests"</h2>
            </div>
            <h3>"Answers per backend"</h3>
            // The bars are a pool of rows that only grows (to SPREAD_ROWS at most): a request
            // that changes the counts sets texts and widths instead of making the list again.
            <Show when=move || counts.with(|c| c.0.is_empty())>
                <p class="hint">"No answers yet. Press Send request, or start steady traffic."</p>
            </Show>
            <ul class="spread" aria-label="Answers per backend" hidden=move || counts.with(|c| c.0.is_empty())>
                <For each=move || 0..spread_slots.get() key=|i| *i let(i)>
                    <SpreadRow index=i counts=counts />
                </For>
            </ul>
            <p class="hint more" hidden=move || counts.with(|c| c.1 .0 == 0)>
                {move || {
                    counts.with(|c| {
                        let (more_pods, more_answers) = c.1;
                        format!(
                            "and {more_pods} more pod{}: {more_answers} answer{}",
                            if more_pods == 1 { "" } else { "s" },
                            if more_answers == 1 { "" } else { "s" }
                        )
                    })
                }}
            </p>
            <p class="hint" hidden=move || counts.with(|c| c.0.is_empty())>
                {move || counts.with(|c| format!("{} answered, of the last {} requests kept.", c.2, c.3))}
            </p>
            <Explain />
            <h3>"Recent requests"</h3>
            <ol class="traces">
                <Rows each=listed key=|(id, _)| *id let((id, row))>
                    <TraceItem id=id row=row />
                </Rows>
            </ol>
        </section>
    }
}

/// The answers per backend, as (pod, answers) rows, what the rest add up to as (pods, answers),
/// the answers in all and the requests kept.
type Counts = (
    Vec<(svclab_sim::model::ObjectKey, u32)>,
    (usize, u32),
    u32,
    usize,
);

/// Row `index` of the answers-per-backend list: a bar as long as its share of the busiest
/// pod's answers, hidden while there is no such row.
#[component]
fn SpreadRow(index: usize, counts: Memo<Counts>) -> impl IntoView {
    let row = Memo::new(move |_| {
        counts.with(|c| {
            let max = c.0.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
            c.0.get(index)
                .map(|(pod, n)| (pod.name.clone(), *n, format!("{}%", 100 * n / max)))
        })
    });
    view! {
        <li hidden=move || row.with(Option::is_none)>
            // A narrow column cuts the name before its last part, which tells the pods of one
            // ReplicaSet apart: `backend-7bc8…-wvgd9`, not `backend-7bc85fd…` four times.
            <span class="pod-name" title=move || row.with(|r| r.as_ref().map(|r| r.0.clone()))>
                <span class="head">{move || row.with(|r| r.as_ref().map(|r| name_parts(&r.0).0.to_string()))}</span>
                <span class="tail">{move || row.with(|r| r.as_ref().map(|r| name_parts(&r.0).1.to_string()))}</span>
            </span>
            <span class="bar" aria-hidden="true">
                <span style:width=move || row.with(|r| r.as_ref().map(|r| r.2.clone()))></span>
            </span>
            <span class="count">{move || row.with(|r| r.as_ref().map(|r| r.1))}</span>
        </li>
    }
}

/// A pod's name as the part that may be cut and the last part (after its last dash), which
/// may not: `("backend-7bc85fd6c5-", "wvgd9")`.
fn name_parts(name: &str) -> (&str, &str) {
    match name.rfind('-') {
        Some(i) if i + 1 < name.len() => name.split_at(i + 1),
        _ => (name, ""),
    }
}

/// What a listed request's row shows.
#[derive(Clone, Debug, Default, PartialEq)]
struct Row {
    summary: Option<TraceSummary>,
    hops: Vec<HopRow>,
    /// The hop of this request open in the Inspector.
    inspected: Option<usize>,
}

/// Request `id`'s row at `now`.
fn row(c: &Cluster, id: u64, now: Time, inspected: Option<HopRef>) -> Row {
    let Some(trace) = c.trace(id) else {
        return Row::default();
    };
    Row {
        summary: Some(summarize(trace, now)),
        hops: hop_rows(trace),
        inspected: open_hop(inspected, id),
    }
}

/// The hop of request `id` open in the Inspector, if one is.
fn open_hop(inspected: Option<HopRef>, id: u64) -> Option<usize> {
    inspected.filter(|h| h.trace == id).map(|h| h.hop)
}

#[component]
fn TraceItem(id: u64, row: ArcRwSignal<Row>) -> impl IntoView {
    let inspected = shared().inspected;
    let summary = {
        let row = row.clone();
        Memo::new(move |_| row.with(|r| r.summary.clone()))
    };
    let hops = {
        let row = row.clone();
        Memo::new(move |_| row.with(|r| r.hops.clone()))
    };
    let open_hop = Memo::new(move |_| row.with(|r| r.inspected));
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
                        class="command words"
                        title=move || summary.with(|s| s.as_ref().map(|s| s.line.clone()))
                    >
                        {move || summary.with(|s| s.as_ref().map(|s| words(&s.command)))}
                    </code>
                    <span class="sent">{move || summary.with(|s| s.as_ref().map(|s| s.sent.clone()))}</span>
                    <span class="outcome words">{move || summary.with(|s| s.as_ref().map(|s| words(&s.outcome)))}</span>
                </summary>
                <Show when=move || summary.with(|s| s.as_ref().is_some_and(|s| !s.output.is_empty()))>
                    <pre class="client-output">{move || summary.with(|s| s.as_ref().map(|s| s.output.clone()))}</pre>
                </Show>
                <ol class="hops">
                    {move || hops.get().into_iter().map(|h| hop_item(h, id, inspected, open_hop)).collect_view()}
                </ol>
            </details>
        </li>
    }
}

/// A hop of an expanded request; its head is a button that opens it in the Inspector.
fn hop_item(
    h: HopRow,
    trace: u64,
    inspected: RwSignal<Option<HopRef>>,
    open_hop: Memo<Option<usize>>,
) -> impl IntoView {
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
            class:inspected=move || open_hop.get() == Some(at.hop)
        >
            <button
                class="hop-head"
                aria-label=name
                aria-pressed=move || (open_hop.get() == Some(at.hop)).to_string()
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
                                "outcome words in-flight"
                            } else if s.ok {
                                "outcome words ok"
                            } else {
                                "outcome words failed"
                            };
                            view! {
                                <code class="command words">{words(&s.command)}</code>
                                <span class=class>{words(&s.outcome)}</span>
                            }
                                .into_any()
                        }
                    })
            }}
        </p>
    }
}
