//! Scale controls, one row per Deployment: −, a number, +. Scaling is `kubectl scale`; the
//! editor's `replicas:` follows so that the next Apply keeps the new count. With more than
//! [`SHOWN`] Deployments a filter finds one by name, and only the first [`SHOWN`] that match
//! have rows: 500 rows of buttons are slow to draw (about 200 ms of an Apply of 1,000 objects)
//! and no help to scroll through.

use leptos::prelude::*;
use svclab_sim::action::Action;
use svclab_sim::cluster::is_cluster_namespace;
use svclab_sim::model::ObjectKey;

use crate::editor_text::with_replicas;
use crate::state::shared;
use crate::ui::rows::{RowSignals, Rows};

/// Rows drawn at most; the others are found with the filter.
pub const SHOWN: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    key: ObjectKey,
    replicas: i64,
    ready: i64,
}

#[component]
pub fn Deployments() -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    let rows = Memo::new(move |_| {
        sim.read(|c| {
            c.all_deployment_counts()
                .into_iter()
                .filter(|(k, _)| !is_cluster_namespace(&k.namespace))
                .map(|(k, counts)| Row {
                    key: k.clone(),
                    replicas: counts.desired,
                    ready: counts.ready,
                })
                .collect::<Vec<_>>()
        })
    });
    let (filter, set_filter) = signal(String::new());
    // The Deployments whose name holds the filter's text: how many, and the first SHOWN.
    let matching = Memo::new(move |_| {
        // Names are lowercase (DNS-1123); ASCII lowercasing is enough and keeps Unicode's case
        // tables out of the wasm.
        let needle = filter.with(|f| f.trim().to_ascii_lowercase());
        rows.with(|r| {
            let found: Vec<&Row> = r
                .iter()
                .filter(|r| needle.is_empty() || r.key.name.contains(&needle))
                .collect();
            let keys: Vec<ObjectKey> = found.iter().take(SHOWN).map(|r| r.key.clone()).collect();
            (found.len(), keys)
        })
    });
    // Each row reads only its own signal (RowSignals): typing in the filter makes and drops
    // rows. The rows are in key order (the cluster's map), so a row's data is found by a
    // search, not a scan.
    let find = move |key: &ObjectKey| {
        rows.with_untracked(|r| {
            r.binary_search_by(|r| r.key.cmp(key))
                .ok()
                .map(|i| r[i].clone())
        })
    };
    let signals = RowSignals::new(find, move || rows.track());
    let keys = move || signals.list(matching.with(|m| m.1.clone()), find);
    // The filter stays while it holds text, so that it never hides rows unseen.
    let many = move || rows.with(Vec::len) > SHOWN || filter.with(|f| !f.is_empty());
    let (message, set_message) = signal(String::new());
    let scale = move |key: ObjectKey, replicas: i64| match sim.act(Action::Scale {
        namespace: key.namespace.clone(),
        deployment: key.name.clone(),
        replicas,
    }) {
        Some(Ok(done)) => {
            set_message.set(done.to_string());
            sh.text.update(|t| {
                if let Some(new) = with_replicas(t, &key, replicas) {
                    *t = new;
                }
            });
        }
        Some(Err(e)) => set_message.set(e.to_string()),
        None => {}
    };

    view! {
        <section class="panel deployments-panel" aria-labelledby="deployments-heading">
            <div class="panel-head">
                <h2 id="deployments-heading">"Deployments"</h2>
            </div>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="hint">"No Deployments of yours yet. Apply the manifest to create one."</p>
            </Show>
            <Show when=many>
                <label class="deployment-filter">
                    <span>"Find"</span>
                    <input
                        type="search"
                        aria-label="Filter Deployments"
                        placeholder="part of a name"
                        prop:value=move || filter.get()
                        on:input=move |ev| set_filter.set(event_target_value(&ev))
                    />
                </label>
                <p class="hint" role="status">
                    {move || {
                        let total = rows.with(Vec::len);
                        let (found, shown) = matching.with(|m| (m.0, m.1.len()));
                        if found == 0 {
                            format!("None of the {total} Deployments has that in its name.")
                        } else if found > shown {
                            format!("The first {shown} of {found} (of {total} Deployments): type part of a name to find one.")
                        } else {
                            format!("{found} of {total} Deployments.")
                        }
                    }}
                </p>
            </Show>
            <ul class="deployments">
                <Rows each=keys key=|(k, _)| k.clone() let((key, row))>
                    {
                        let row = Memo::new(move |_| row.get());
                        let replicas = move || row.with(|r| r.as_ref().map_or(0, |r| r.replicas));
                        let name = key.name.clone();
                        let (k1, k2, k3) = (key.clone(), key.clone(), key.clone());
                        view! {
                            <li class="deployment">
                                <span class="name">{name.clone()}</span>
                                <span class="ready" aria-label=move || format!("{} of {} ready", row.with(|r| r.as_ref().map_or(0, |r| r.ready)), replicas())>
                                    {move || format!("{}/{} ready", row.with(|r| r.as_ref().map_or(0, |r| r.ready)), replicas())}
                                </span>
                                <span class="scale">
                                    <button
                                        aria-label=format!("Scale {name} down")
                                        disabled=move || replicas() <= 0
                                        on:click=move |_| scale(k1.clone(), (replicas() - 1).max(0))
                                    >
                                        "−"
                                    </button>
                                    <input
                                        type="number"
                                        min="0"
                                        aria-label=format!("Replicas of {name}")
                                        prop:value=move || replicas().to_string()
                                        on:change=move |ev| {
                                            if let Ok(n) = event_target_value(&ev).trim().parse::<i64>() {
                                                scale(k2.clone(), n);
                                            }
                                        }
                                    />
                                    <button
                                        aria-label=format!("Scale {name} up")
                                        on:click=move |_| scale(k3.clone(), replicas() + 1)
                                    >
                                        "+"
                                    </button>
                                </span>
                            </li>
                        }
                    }
                </Rows>
            </ul>
            <p class="panel-message" role="status">{message}</p>
        </section>
    }
}
