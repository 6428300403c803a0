//! The Events panel (simulation mode, a tab of the drawer): every event the timeline lists, with
//! its number, virtual time, where and what, filtered by protocol and by object. The current
//! event is marked; choosing one moves the world to that moment (and its packet to the
//! inspector). The rows are the sim's [`svclab_sim::timeline::Event`]s as they print.

use leptos::html::Div;
use leptos::prelude::*;
use svclab_sim::cluster::BOOT_AGE;
use svclab_sim::timeline::{Event, Filter, ProtocolFilter};
use wasm_bindgen::JsCast;

use crate::state::shared;
use crate::trace_view::seconds;
use crate::ui::later::next_frame;
use crate::ui::rows::Rows;

/// Rows drawn at most: a window around the current event (the list itself may be far longer),
/// thirty on each side, more than the drawer shows. A jump to a listed event draws the window
/// again: with 120 rows that took 51 ms to the next frame at event 10,000, with 60 36 ms
/// (`scripts/browser.py stepback --events 10000`).
const WINDOW: usize = 60;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    number: usize,
    time: String,
    at: String,
    what: String,
    failure: bool,
}

fn row(e: &Event) -> Row {
    Row {
        number: e.number,
        time: seconds(e.time.saturating_sub(BOOT_AGE)),
        at: e.at.to_string(),
        what: e.summary(),
        failure: e.is_failure(),
    }
}

/// The filtered rows to draw, a window of them around the current event, and how many match.
fn rows(events: &[Event], filter: &Filter, cursor: usize) -> (Vec<Row>, usize) {
    let shown: Vec<&Event> = events.iter().filter(|e| filter.matches(e)).collect();
    let at = shown.partition_point(|e| e.number <= cursor);
    let start = at
        .saturating_sub(WINDOW / 2)
        .min(shown.len().saturating_sub(WINDOW));
    let rows = shown
        .iter()
        .skip(start)
        .take(WINDOW)
        .map(|e| row(e))
        .collect();
    (rows, shown.len())
}

#[component]
pub fn Events() -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    let (filter, set_filter) = signal(Filter::default());
    let cursor = Memo::new(move |_| sim.timeline(|t| t.cursor()).unwrap_or(0));
    let listed = Memo::new(move |_| {
        let f = filter.get();
        sim.timeline(|t| rows(t.events(), &f, t.cursor()))
            .unwrap_or_default()
    });
    let total = Memo::new(move |_| sim.timeline(|t| t.events().len()).unwrap_or(0));
    let scroller = NodeRef::<Div>::new();
    // Sync with the DOM: mark the current event and the ones ahead of it, and keep the current
    // one in view. Done here for every row at once rather than by a closure per row on
    // `cursor`: rows subscribed to it made each seek notify (and each window shift
    // unsubscribe, an O(n) removal each) hundreds of them.
    Effect::new(move |_| {
        let cursor = cursor.get();
        listed.track();
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        mark_rows(&el, cursor);
        next_frame(move || {
            let Ok(Some(row)) = el.query_selector("tr[aria-current='true']") else {
                return;
            };
            let Ok(row) = row.dyn_into::<web_sys::HtmlElement>() else {
                return;
            };
            // Offsets are from the scroller (positioned in styles/layout.css), below its
            // sticky header row.
            let (top, height) = (row.offset_top(), row.offset_height());
            let head = height;
            let (scroll, view) = (el.scroll_top(), el.client_height());
            if top - head < scroll {
                el.set_scroll_top((top - head).max(0));
            } else if top + height > scroll + view {
                el.set_scroll_top(top + height - view);
            }
        });
    });
    let set_protocol = move |ev| {
        let p = ProtocolFilter::parse(&event_target_value(&ev));
        set_filter.update(|f| f.protocol = p);
    };
    let set_object = move |ev| {
        let text = event_target_value(&ev);
        set_filter.update(|f| f.object = text);
    };
    let count = move || {
        let (shown, all) = (listed.get().1, total.get());
        if shown == all {
            format!("{all} events")
        } else {
            format!("{shown} of {all} events")
        }
    };

    view! {
        <section class="panel events-panel" aria-label="Events">
            <div class="panel-head">
                <h2>"Events"</h2>
                <span class="panel-note">{count}</span>
                <label class="inline">
                    <span>"protocol"</span>
                    <select aria-label="Filter by protocol" on:change=set_protocol>
                        <option value="">"all"</option>
                        {ProtocolFilter::ALL
                            .into_iter()
                            .map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="inline">
                    <span>"object"</span>
                    <input
                        type="text"
                        aria-label="Filter by object"
                        placeholder="pod, node, Service, IP"
                        on:input=set_object
                    />
                </label>
            </div>
            <div class="events-scroll" node_ref=scroller>
                <table class="events">
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">"time"</th>
                            <th scope="col">"where"</th>
                            <th scope="col">"what"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <Rows each=move || listed.get().0 key=|r| r.number let(r)>
                            {
                                let n = r.number;
                                view! {
                                    <tr
                                        class:failure=r.failure
                                        data-n=n
                                        on:click=move |_| sh.seek(n)
                                    >
                                        <td>
                                            <button class="link" aria-label=format!("Event {n}")>
                                                {n}
                                            </button>
                                        </td>
                                        <td>{r.time}</td>
                                        <td>{r.at}</td>
                                        <td>{r.what}</td>
                                    </tr>
                                }
                            }
                        </Rows>
                    </tbody>
                </table>
                <Show when=move || total.get() == 0>
                    <p class="empty">
                        "Nothing has happened yet: send a request, or Step to the next event."
                    </p>
                </Show>
            </div>
        </section>
    }
}

/// The current event in one line, for presenter mode: `Event 9 · t=4.6s · kube-proxy on
/// kind-worker3 · request (SYN): DNAT 10.107.199.115:80 → 10.244.1.2:80`.
#[component]
pub fn CurrentEvent() -> impl IntoView {
    let sim = shared().sim;
    let line = Memo::new(move |_| {
        sim.timeline(|t| {
            t.current().map(|e| {
                let r = row(e);
                format!("Event {} · t={} · {} · {}", r.number, r.time, r.at, r.what)
            })
        })
        .flatten()
    });
    view! {
        <p class="latest-request current-event" role="status" aria-label="Current event">
            {move || line.get().unwrap_or_else(|| "Step to the first event.".into())}
        </p>
    }
}

/// Each drawn row's marks for the current event `cursor`: `aria-current` on it, the class
/// `ahead` on the events after it. Only what changed is written.
fn mark_rows(scroller: &web_sys::HtmlDivElement, cursor: usize) {
    let Ok(Some(body)) = scroller.query_selector("tbody") else {
        return;
    };
    let mut next = body.first_element_child();
    while let Some(row) = next {
        next = row.next_element_sibling();
        let Some(n) = row
            .get_attribute("data-n")
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        let current = if n == cursor { "true" } else { "false" };
        if row.get_attribute("aria-current").as_deref() != Some(current) {
            let _ = row.set_attribute("aria-current", current);
        }
        let _ = row.class_list().toggle_with_force("ahead", cursor < n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svclab_sim::action::Action;
    use svclab_sim::timeline::{What, Where};

    fn events(n: usize) -> Vec<Event> {
        (1..=n)
            .map(|number| Event {
                number,
                time: BOOT_AGE + number as u64 * 100,
                at: Where::Learner,
                what: What::Action(Action::BreakCoreDns {
                    broken: number % 2 == 0,
                }),
            })
            .collect()
    }

    #[test]
    fn the_window_of_rows_keeps_the_current_event_in_it() {
        let all = events(1_000);
        let numbers = |cursor| {
            let (rows, count) = rows(&all, &Filter::default(), cursor);
            assert_eq!(count, 1_000);
            (
                rows.first().map(|r| r.number),
                rows.last().map(|r| r.number),
            )
        };
        assert_eq!(numbers(0), (Some(1), Some(WINDOW)));
        // Half the window before the current event (500 is the 500th), half after it.
        assert_eq!(numbers(500), (Some(471), Some(530)));
        assert_eq!(numbers(1_000), (Some(941), Some(1_000)));
        let (few, _) = rows(&all[..10], &Filter::default(), 3);
        assert_eq!(few.len(), 10);
        assert_eq!(few[2].time, "0.3s");
        assert_eq!(few[2].what, "restore CoreDNS");
        assert_eq!(few[2].at, "you");
    }

    #[test]
    fn filtered_rows_say_how_many_match() {
        let all = events(20);
        let filter = Filter {
            protocol: None,
            object: "break".into(),
        };
        let (rows, count) = rows(&all, &filter, 20);
        assert_eq!(count, 10);
        assert!(rows.iter().all(|r| r.number % 2 == 0));
    }
}
