//! The side panel: the selected object's [`Details`] (facts, labels, endpoints, events) and, for
//! a pod, the buttons that kill it or make its readiness probe fail.

use leptos::prelude::*;
use svclab_sim::action::Action;
use svclab_sim::model::ObjectKey;

use crate::inspect::{describe, Details, PodControls, Selection};
use crate::state::shared;

#[component]
pub fn DetailsPanel() -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    let second = Memo::new(move |_| sim.now().get() / 1000);
    let details = Memo::new(move |_| {
        // `get`, not `track`: tracking a memo does not bring it up to date, so the ages
        // (`12s`) would stay as they were when the selection last changed.
        let _ = second.get();
        sh.selected
            .get()
            .and_then(|s| sim.read(|c| describe(c, &s)))
    });
    let (message, set_message) = signal(String::new());
    let act = move |a: Action| match sim.act(a) {
        Some(Ok(done)) => set_message.set(done.to_string()),
        Some(Err(e)) => set_message.set(e.to_string()),
        None => {}
    };

    let head = Memo::new(move |_| details.with(|d| d.as_ref().map(|d| (d.kind, d.title.clone()))));
    let controls = Memo::new(move |_| details.with(|d| d.as_ref().and_then(|d| d.pod.clone())));
    let controlled = Memo::new(move |_| controls.with(|p| p.as_ref().map(|p| p.key.clone())));

    view! {
        <section class="panel details-panel" aria-labelledby="details-heading">
            <div class="panel-head">
                <h2 id="details-heading">"Details"</h2>
                <Show when=move || sh.selected.with(Option::is_some)>
                    <button class="link" on:click=move |_| sh.selected.set(None)>
                        "Clear"
                    </button>
                </Show>
            </div>
            {move || match head.get() {
                None => {
                    let gone = sh.selected.with(Option::is_some);
                    view! {
                        <p class="hint">
                            {if gone {
                                "That object is gone from the cluster."
                            } else {
                                "Select a pod, Service, node or kube-proxy in the picture (click, or Tab to it and press Enter)."
                            }}
                        </p>
                    }
                        .into_any()
                }
                Some((kind, title)) => {
                    view! {
                        <p class="kind">{kind}</p>
                        <h3 class="title">{title}</h3>
                    }
                        .into_any()
                }
            }}
            {move || controlled.get().map(|key| pod_controls(key, controls, act, message))}
            {move || details.get().map(render)}
        </section>
    }
}

/// Kill and readiness buttons of one pod; kept in the DOM while the same pod stays selected so
/// that keyboard focus survives a click.
fn pod_controls(
    key: ObjectKey,
    state: Memo<Option<PodControls>>,
    act: impl Fn(Action) + Copy + Send + Sync + 'static,
    message: ReadSignal<String>,
) -> impl IntoView {
    let failing = move || state.with(|p| p.as_ref().is_some_and(|p| p.failing));
    let terminating = move || state.with(|p| p.as_ref().is_none_or(|p| p.terminating));
    let (k1, k2) = (key.clone(), key);
    view! {
        <div class="pod-actions">
            <button
                class="danger"
                disabled=terminating
                on:click=move |_| act(Action::DeletePod {
                    namespace: k1.namespace.clone(),
                    pod: k1.name.clone(),
                })
            >
                "Kill pod"
            </button>
            <button
                aria-pressed=move || failing().to_string()
                disabled=terminating
                on:click=move |_| act(Action::FailReadiness {
                    namespace: k2.namespace.clone(),
                    pod: k2.name.clone(),
                    fail: !failing(),
                })
            >
                {move || if failing() { "Make readiness pass" } else { "Make readiness fail" }}
            </button>
            <span class="hint">"(or press Delete on a focused pod)"</span>
        </div>
        <p class="panel-message" role="status">{message}</p>
    }
}

fn render(d: Details) -> impl IntoView {
    let facts = d
        .facts
        .iter()
        .map(|(k, v)| {
            view! {
                <dt>{k.clone()}</dt>
                <dd>{v.clone()}</dd>
            }
        })
        .collect_view();
    let labels = (!d.labels.is_empty()).then(|| {
        view! {
            <h3>"Labels"</h3>
            <ul class="labels">
                {d.labels.iter().map(|l| view! { <li><code>{l.clone()}</code></li> }).collect_view()}
            </ul>
        }
    });
    let endpoints = (d.kind == "Service").then(|| {
        let rows = d
            .endpoints
            .iter()
            .map(|e| {
                let class = if e.ready { "ready" } else { "not-ready" };
                view! {
                    <tr class=class>
                        <td><code>{e.address.clone()}</code></td>
                        <td>{e.pod.clone()}</td>
                        <td>{e.node.clone()}</td>
                        <td>{e.condition}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h3>"Endpoints"</h3>
            {if d.endpoints.is_empty() {
                view! { <p class="hint">"<none>: no pod matches the selector (or none has an IP yet)."</p> }.into_any()
            } else {
                view! {
                    <table class="endpoints">
                        <thead><tr><th>"Address"</th><th>"Pod"</th><th>"Node"</th><th>"Condition"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                    .into_any()
            }}
        }
    });
    let list = (!d.list.is_empty()).then(|| {
        view! {
            <h3>{d.list_title}</h3>
            <ul class="plain">{d.list.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}</ul>
        }
    });
    // A group's pods, each a button that selects it (the picture then draws it on its own).
    let pods = (!d.pods.is_empty()).then(|| {
        let sh = shared();
        view! {
            <h3>"Pods"</h3>
            <ul class="plain pods">
                {d
                    .pods
                    .iter()
                    .map(|(key, line)| {
                        let key = key.clone();
                        view! {
                            <li>
                                <button class="link" on:click=move |_| sh.selected.set(Some(Selection::Pod(key.clone())))>
                                    {line.clone()}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    });
    let events = (d.kind != "kube-proxy" && d.kind != "Pods").then(|| {
        let rows = d
            .events
            .iter()
            .map(|e| {
                // The message gets a row of its own: pull errors run to a paragraph.
                view! {
                    <tr class="event" class:warning=e.type_ == "Warning">
                        <td>{e.type_}</td>
                        <td>{e.reason.clone()}</td>
                        <td>{e.age.clone()}</td>
                        <td>{e.source.clone()}</td>
                    </tr>
                    <tr class="message">
                        <td colspan="4">{e.message.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h3>"Events"</h3>
            {if d.events.is_empty() {
                view! { <p class="hint">"<none>"</p> }.into_any()
            } else {
                view! {
                    <table class="events">
                        <thead><tr><th>"Type"</th><th>"Reason"</th><th>"Age"</th><th>"From"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                    .into_any()
            }}
        }
    });
    view! {
        <div class="details">
            <dl class="facts">{facts}</dl>
            {labels}
            {endpoints}
            {list}
            {pods}
            {events}
        </div>
    }
}
