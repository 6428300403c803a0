//! The Inspector: the hop selected in the Requests panel or on the picture, taken apart: the
//! packet's source and destination before and after the hop's rewrite, the DNS question and
//! answer, the rules that matched, marked inside the node's `iptables-save` (or `ipvsadm -Ln`)
//! output as its shell prints it, and the hop's explanation. Shown while a hop is selected;
//! the data is [`crate::inspector_view`]'s.

use leptos::html::Pre;
use leptos::prelude::*;
use svclab_sim::kube_proxy::ProxyMode;
use wasm_bindgen::JsCast;

use crate::inspector_view::{
    inspect, mark_iptables, mark_ipvs, mark_nft, Chunk, Inspection, NFT_TABLE,
};
use crate::state::shared;

/// One node's dump, with the hop's rules marked.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Dump {
    /// `iptables-save on kind-worker`.
    title: String,
    chunks: Vec<Chunk>,
    /// Matched rules that the dump no longer holds (the rules were rewritten since).
    missing: usize,
}

fn dumps(sim: crate::world::Sim, view: &Inspection) -> Vec<Dump> {
    let Some(node) = view.node.clone() else {
        return Vec::new();
    };
    let marked = |chunks: &[Chunk]| -> usize {
        chunks
            .iter()
            .filter(|c| c.matched)
            .map(|c| c.text.lines().count())
            .sum()
    };
    // The node's tables are built on first read (hence a `&mut`), as its shell's are.
    sim.read_tables(|c| {
        let mut out = Vec::new();
        if view.ipvs && c.proxy_mode() == ProxyMode::Ipvs {
            if let Some(ipvs) = c.ipvs(&node) {
                let chunks = mark_ipvs(&ipvs.list(), &view.rules);
                let wanted = view.rules.iter().filter(|r| r.table == "ipvs").count() * 2;
                out.push(Dump {
                    title: format!("ipvsadm -Ln on {node}"),
                    missing: wanted.saturating_sub(marked(&chunks)),
                    chunks,
                });
            }
        }
        if view.nftables && c.proxy_mode() == ProxyMode::Nftables {
            if let Some(table) = c.nftables(&node) {
                let chunks = mark_nft(&table.list(), &view.rules);
                let wanted = view.rules.iter().filter(|r| r.table == NFT_TABLE).count();
                out.push(Dump {
                    title: format!("nft list table ip kube-proxy on {node}"),
                    missing: wanted.saturating_sub(marked(&chunks)),
                    chunks,
                });
            }
        }
        if view.iptables {
            if let Some(tables) = c.iptables(&node) {
                let chunks = mark_iptables(&tables.save_all(), &view.rules);
                let wanted = view
                    .rules
                    .iter()
                    .filter(|r| r.table == "nat" || r.table == "filter")
                    .count();
                out.push(Dump {
                    title: format!("iptables-save on {node}"),
                    missing: wanted.saturating_sub(marked(&chunks)),
                    chunks,
                });
            }
        }
        out
    })
}

#[component]
pub fn Inspector() -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    let inspected = sh.inspected;
    let view_data = Memo::new(move |_| {
        let at = inspected.get()?;
        sim.read(|c| {
            c.traces()
                .iter()
                .find(|t| t.id == at.trace)
                .map(|t| inspect(t, at.hop))
        })
    });
    let dumps = Memo::new(move |_| match view_data.get() {
        Some(Some(v)) => dumps(sim, &v),
        _ => Vec::new(),
    });
    let section = NodeRef::<leptos::html::Section>::new();
    // A newly selected hop: bring the Inspector (first in its column) into view.
    Effect::new(move |_| {
        if inspected.get().is_some() {
            if let Some(el) = section.get_untracked() {
                if let Ok(Some(column)) = el.closest(".side") {
                    column.set_scroll_top(0);
                }
            }
        }
    });

    view! {
        <Show when=move || inspected.get().is_some()>
            <section class="panel inspector-panel" aria-label="Inspector" node_ref=section>
                <div class="panel-head">
                    <h2>"Inspector"</h2>
                    <button class="close" on:click=move |_| inspected.set(None)>
                        "Close inspector"
                    </button>
                </div>
                {move || match view_data.get() {
                    None => view! { <p class="hint">"No hop selected."</p> }.into_any(),
                    Some(None) => {
                        view! { <p class="hint">"This request is no longer kept."</p> }.into_any()
                    }
                    Some(Some(v)) => hop_view(v).into_any(),
                }}
                // Here, not inside the hop's view: that is made again at every Step, and a
                // reactive closure made with it would stay subscribed to `dumps` after it is
                // gone (reactive_graph drops a subscriber from a memo's or signal's list only
                // when the subscriber runs again), about 50 bytes a Step.
                {move || dumps.get().into_iter().map(|d| view! { <DumpView dump=d /> }).collect_view()}
            </section>
        </Show>
    }
}

fn hop_view(v: Inspection) -> impl IntoView {
    let after_head = match &v.translation {
        Some(kind) => format!("After {kind}"),
        None => "After".to_string(),
    };
    let rows = v
        .addresses
        .into_iter()
        .map(|a| {
            view! {
                <tr class:changed=a.changed>
                    <th scope="row">{a.what}</th>
                    <td class="before"><code>{a.before}</code></td>
                    <td class="after"><code>{a.after}</code></td>
                </tr>
            }
        })
        .collect_view();
    let rewrites = (!v.rewrites.is_empty()).then(|| {
        view! {
            <ul class="rewrites" aria-label="Rewrites">
                {v.rewrites.into_iter().map(|r| view! { <li><code>{r}</code></li> }).collect_view()}
            </ul>
        }
    });
    let dns = v.dns.map(|d| {
        let answer = d.rcode.unwrap_or_else(|| "no answer".into());
        view! {
            <h3>"DNS"</h3>
            <dl class="dns">
                <dt>"Question"</dt>
                <dd><code>{d.question}</code></dd>
                <dt>"Answer"</dt>
                <dd>
                    <span class="rcode">{answer}</span>
                    {(!d.records.is_empty()).then(|| view! { <pre>{d.records.join("\n")}</pre> })}
                </dd>
            </dl>
        }
    });
    // Listed in the order matched; the dump below shows them in place.
    let rules = (!v.rules.is_empty()).then(|| {
        let summary = format!("Rules matched, in order ({})", v.rules.len());
        view! {
            <details class="matched">
            <summary>{summary}</summary>
            <ol class="matched-rules">
                {v
                    .rules
                    .into_iter()
                    .map(|r| {
                        // An nftables rule does not name its chain (or map) in its text.
                        let place = if r.table == NFT_TABLE {
                            format!("{} {}", r.table, r.chain)
                        } else {
                            r.table
                        };
                        view! {
                            <li>
                                <span class="table">{place}</span>
                                " "
                                <code>{r.text}</code>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            </details>
        }
    });
    let choice = v.choice.filter(|c| !c.is_empty()).map(|c| {
        view! {
            <h3>"Endpoint choice"</h3>
            <p class="choice">{c}</p>
        }
    });
    let conntrack = (!v.conntrack.is_empty()).then(|| {
        view! {
            <h3>"conntrack"</h3>
            <pre class="conntrack">{v.conntrack.join("\n")}</pre>
        }
    });
    let policy = (!v.policy.is_empty()).then(|| {
        view! {
            <h3>"NetworkPolicy"</h3>
            {v.policy.into_iter().map(|p| view! { <p class="policy">{p}</p> }).collect_view()}
        }
    });
    view! {
        <p class="inspect-heading">
            <strong>{v.heading}</strong>
            " · "
            <span class="time">{v.time}</span>
            " · "
            <span class=format!("verdict {}", v.verdict)>{v.verdict}</span>
        </p>
        <p class="route">{v.route}</p>
        <table class="addresses" aria-label="Addresses">
            <thead>
                <tr>
                    <th scope="col">{v.protocol}</th>
                    <th scope="col">"Before"</th>
                    <th scope="col">{after_head}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {rewrites}
        {dns}
        {rules}
        {choice}
        {conntrack}
        {policy}
        <p class="explanation">{v.explanation}</p>
    }
}

#[component]
fn DumpView(dump: Dump) -> impl IntoView {
    let pre = NodeRef::<Pre>::new();
    // Scroll the dump to the rewrite (a DNAT rule), or else to its first marked rule.
    Effect::new(move |_| {
        let Some(pre) = pre.get() else {
            return;
        };
        let marks = pre.get_elements_by_tag_name("mark");
        let all: Vec<web_sys::HtmlElement> = (0..marks.length())
            .filter_map(|i| marks.item(i))
            .filter_map(|m| m.dyn_into::<web_sys::HtmlElement>().ok())
            .collect();
        let dnat = all.iter().find(|m| {
            m.text_content().is_some_and(|t| {
                t.contains("-j DNAT") || t.contains("  -> ") || t.contains(" dnat ")
            })
        });
        if let Some(mark) = dnat.or(all.first()) {
            pre.set_scroll_top((mark.offset_top() - 24).max(0));
        }
    });
    let missing = (dump.missing > 0).then(|| {
        view! {
            <p class="hint">
                {format!(
                    "{} of the matched rules are no longer in the table: it was rewritten after this hop.",
                    dump.missing,
                )}
            </p>
        }
    });
    view! {
        <details class="dump" open=true>
            <summary>{dump.title}</summary>
            {missing}
            <pre class="dump-text" node_ref=pre>
                {dump
                    .chunks
                    .into_iter()
                    .map(|c| {
                        if c.matched {
                            view! { <mark>{c.text}</mark> }.into_any()
                        } else {
                            view! { <span>{c.text}</span> }.into_any()
                        }
                    })
                    .collect_view()}
            </pre>
        </details>
    }
}
