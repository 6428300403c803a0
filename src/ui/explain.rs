//! "Why did this fail?": the sim's diagnosis of the latest failed request (its cause in one line,
//! what to change, and the evidence), with a button that selects the object to change in the
//! picture and opens the manifest at its field's line. The view decides nothing: the diagnosis is
//! [`svclab_sim::diagnose::diagnose`]'s, the line [`svclab_sim::manifest::locate_object`]'s.

use leptos::prelude::*;
use svclab_sim::cluster::Cluster;
use svclab_sim::diagnose::{diagnose, Cause, Culprit, Diagnosis};
use svclab_sim::model::ObjectKey;
use svclab_sim::resource::Kind;

use crate::inspect::Selection;
use crate::state::shared;
use crate::ui::editor::reveal_line;

/// The latest finished request that failed.
fn latest_failed(cluster: &Cluster, now: u64) -> Option<u64> {
    cluster
        .traces()
        .iter()
        .rev()
        .find(|t| !t.in_flight(now) && !t.outcome.is_success())
        .map(|t| t.id)
}

/// What to select in the picture for the object to change: the object itself when the picture
/// draws it, else what stands for it (a Deployment's first pod, the pod a policy isolates).
fn selection(cluster: &Cluster, d: &Diagnosis, culprit: &Culprit) -> Option<Selection> {
    match culprit.kind {
        Kind::Service => Some(Selection::Service(culprit.key.clone())),
        Kind::Pod => Some(Selection::Pod(culprit.key.clone())),
        Kind::Deployment => {
            let owned = |p: &&svclab_sim::model::Pod| {
                p.meta.namespace == culprit.key.namespace
                    && p.owner.as_ref().is_some_and(|rs| {
                        cluster
                            .replica_sets()
                            .get(&ObjectKey::new(&p.meta.namespace, rs))
                            .is_some_and(|rs| rs.owner == culprit.key.name)
                    })
            };
            cluster
                .pods()
                .values()
                .find(owned)
                .map(|p| Selection::Pod(p.key()))
        }
        _ => match &d.cause {
            Cause::NetworkPolicyDenied { pod, .. } => Some(Selection::Pod(pod.clone())),
            _ => None,
        },
    }
}

/// The explanation of the latest failed request, or nothing while none failed.
#[component]
pub fn Explain() -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    let now = sim.now();
    let text = sh.text;
    let selected = sh.selected;
    // The newest finished failure; diagnosed once, with the cluster as it was when it ended.
    let failed = Memo::new(move |_| {
        let now = now.get();
        sim.read(|c| latest_failed(c, now))
    });
    let latest = Memo::new(move |_| {
        let id = failed.get()?;
        sim.peek(|c| {
            let trace = c.trace(id)?;
            Some((id, diagnose(c, trace)?))
        })
    });
    let show = move |culprit: Culprit| {
        let pick = sim.peek(|c| {
            latest.with_untracked(|l| l.as_ref().and_then(|(_, d)| selection(c, d, &culprit)))
        });
        if pick.is_some() {
            selected.set(pick);
        }
        let line = text.with_untracked(|t| {
            svclab_sim::manifest::locate_object(
                t,
                culprit.kind,
                &culprit.key.namespace,
                &culprit.key.name,
                culprit.field.as_deref().unwrap_or(""),
            )
        });
        if let Some(line) = line {
            reveal_line(line);
        }
    };
    view! {
        {move || {
            latest
                .get()
                .map(|(id, d)| {
                    let culprit = d.culprit.clone();
                    let object = culprit.as_ref().map(|c| {
                        let field = c.field.as_ref().map_or(String::new(), |f| format!(" · {f}"));
                        format!("{} {}{field}", c.kind.name(), c.key)
                    });
                    view! {
                        <section
                            class=format!("explain cause-{}", d.cause.as_str())
                            aria-label="Why did this fail?"
                            data-trace=id
                        >
                            <h3>"Why did this fail?"</h3>
                            <p class="explain-summary">{d.summary.clone()}</p>
                            <p class="explain-fix">{d.fix.clone()}</p>
                            <dl class="explain-evidence">
                                {d
                                    .evidence
                                    .iter()
                                    .map(|(k, v)| {
                                        view! {
                                            <dt>{k.clone()}</dt>
                                            <dd><code>{v.clone()}</code></dd>
                                        }
                                    })
                                    .collect_view()}
                            </dl>
                            {object.map(|o| view! { <p class="explain-object">"To change: " <code>{o}</code></p> })}
                            {culprit
                                .map(|c| {
                                    view! {
                                        <button class="show-in-manifest" on:click=move |_| show(c.clone())>
                                            "Show in manifest"
                                        </button>
                                    }
                                })}
                        </section>
                    }
                })
        }}
    }
}
