//! The manifest editor: a textarea with a line-number gutter that scrolls with it, Apply (button
//! or Ctrl/Cmd+Enter), and kubectl's errors beside their lines and listed below, each a link to
//! its line. The text is kept in localStorage.

use leptos::ev::KeyboardEvent;
use leptos::html::Textarea;
use leptos::prelude::*;
use svclab_sim::cluster::Applied;
use svclab_sim::manifest::ManifestError;

use crate::editor_text::{
    gutter_window, line_count, line_marks, line_span_utf16, other_field_lines,
};
use crate::seed::{SEED_FILENAME, SEED_MANIFEST};
use crate::state::shared;

/// Where the manifest is kept between visits.
pub const STORAGE_KEY: &str = "svclab.manifest";
/// The editor's line height in CSS pixels (styles/main.css uses the same).
pub const LINE_PX: f64 = 20.0;

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The text to start with: the one saved last time, or the lesson's seed.
pub fn initial_text(persist: bool) -> String {
    persist
        .then(|| storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()))
        .flatten()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| SEED_MANIFEST.to_string())
}

/// What fits beside a line: the fields' paths (the full text is listed under the editor).
fn short_notes(notes: &[String]) -> String {
    notes
        .iter()
        .map(|n| n.split(": ").next().unwrap_or(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Select `line` in the editor's textarea and scroll it to a third of the height; the new
/// scroll offset.
fn show_line(ta: &web_sys::HtmlTextAreaElement, line: usize) -> f64 {
    let (start, end) = line_span_utf16(&ta.value(), line);
    let _ = ta.focus();
    let _ = ta.set_selection_range(start, end);
    let top = ((line.max(1) - 1) as f64 * LINE_PX - f64::from(ta.client_height()) / 3.0).max(0.0);
    ta.set_scroll_top(top as i32);
    f64::from(ta.scroll_top())
}

/// Open the manifest editor at `line` (1-based) from another panel: the caret selects the line
/// and the editor scrolls to it (its gutter follows on the scroll event).
pub fn reveal_line(line: usize) {
    use wasm_bindgen::JsCast;
    let Some(ta) = document()
        .query_selector("textarea[aria-label='Manifest']")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    else {
        return;
    };
    show_line(&ta, line);
}

#[component]
pub fn Editor(persist: bool) -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    let text = sh.text;
    let (errors, set_errors) = signal(Vec::<ManifestError>::new());
    let (applied, set_applied) = signal(Vec::<Applied>::new());
    let (scroll, set_scroll) = signal(0.0f64);
    let textarea = NodeRef::<Textarea>::new();

    if persist {
        // Sync with the outside world: save every edit.
        Effect::new(move |_| {
            let t = text.get();
            if let Some(s) = storage() {
                let _ = s.set_item(STORAGE_KEY, &t);
            }
        });
    }

    let apply = move || {
        let t = text.get_untracked();
        match sim.apply(&t, SEED_FILENAME) {
            Ok(objects) => {
                set_errors.set(Vec::new());
                set_applied.set(objects);
            }
            Err(e) => {
                set_applied.set(Vec::new());
                set_errors.set(e);
            }
        }
    };
    let jump = move |line: usize| {
        let Some(ta) = textarea.get_untracked() else {
            return;
        };
        set_scroll.set(show_line(&ta, line));
    };
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            apply();
        }
    };
    let lines = Memo::new(move |_| text.with(|t| line_count(t)));
    let marks = Memo::new(move |_| errors.with(|e| line_marks(e)));
    let offset = move || format!("translateY({}px)", -scroll.get());
    // The gutter draws only the lines around the visible ones; its window moves in steps.
    let window = Memo::new(move |_| gutter_window(scroll.get(), LINE_PX, lines.get()));
    let gutter_offset = move || {
        let start = *window.get().start() - 1;
        format!("translateY({}px)", start as f64 * LINE_PX - scroll.get())
    };

    view! {
        <section class="panel editor-panel" aria-labelledby="manifest-heading">
            <div class="panel-head">
                <h2 id="manifest-heading">"Manifest"</h2>
                <span class="panel-note filename">{SEED_FILENAME}</span>
                <button
                    class="primary apply"
                    aria-keyshortcuts="Control+Enter Meta+Enter"
                    title="kubectl apply -f backend.yaml (Ctrl+Enter)"
                    on:click=move |_| apply()
                >
                    "Apply"
                </button>
            </div>
            <div class="editor" class:has-errors=move || !errors.with(Vec::is_empty)>
                <div class="gutter" aria-hidden="true">
                    <div class="gutter-lines" style:transform=gutter_offset>
                        {move || {
                            marks
                                .with(|m| {
                                    window
                                        .get()
                                        .map(|n| {
                                            let bad = m.iter().any(|m| m.line == n);
                                            view! {
                                                <div class="ln" class:error=bad>
                                                    {n}
                                                </div>
                                            }
                                        })
                                        .collect_view()
                                })
                        }}
                    </div>
                </div>
                <textarea
                    node_ref=textarea
                    aria-label="Manifest"
                    aria-describedby="manifest-errors"
                    spellcheck="false"
                    autocapitalize="off"
                    autocomplete="off"
                    wrap="off"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:scroll=move |_| {
                        if let Some(ta) = textarea.get_untracked() {
                            set_scroll.set(f64::from(ta.scroll_top()));
                        }
                    }
                    on:keydown=on_key
                    on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                    on:drop=move |ev: leptos::ev::DragEvent| {
                        // A dropped .yaml file (one's own, or `kubectl get -o yaml` from a real
                        // cluster) replaces the editor's text; Apply applies it.
                        let file = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0));
                        if let Some(file) = file {
                            ev.prevent_default();
                            crate::ui::lessons::read_file(file, move |t| text.set(t));
                        }
                    }
                ></textarea>
                <div class="line-notes" aria-hidden="true">
                    <div style:transform=offset>
                        {move || {
                            marks
                                .with(|m| {
                                    m.iter()
                                        .map(|mark| {
                                            let top = format!("{}px", (mark.line - 1) as f64 * LINE_PX);
                                            view! {
                                                <div class="line-note" style:top=top>
                                                    {format!("⚠ {}", short_notes(&mark.notes))}
                                                </div>
                                            }
                                        })
                                        .collect_view()
                                })
                        }}
                    </div>
                </div>
            </div>
            <div id="manifest-errors" class="apply-errors" role="alert">
                <Show when=move || !errors.with(Vec::is_empty)>
                    <p class="errors-title">"kubectl apply failed; nothing in the cluster changed:"</p>
                    <ul class="errors">
                        {move || {
                            errors
                                .get()
                                .into_iter()
                                .map(|e| {
                                    let line = e.line;
                                    let fields = other_field_lines(&e)
                                        .into_iter()
                                        .map(|f| {
                                            let l = f.line;
                                            view! {
                                                <button class="link" on:click=move |_| jump(l)>
                                                    {format!("{} (line {l})", f.path)}
                                                </button>
                                            }
                                        })
                                        .collect_view();
                                    view! {
                                        <li>
                                            <button
                                                class="error-jump"
                                                aria-label=format!("Go to line {line}")
                                                on:click=move |_| jump(line)
                                            >
                                                {format!("line {line}")}
                                            </button>
                                            <pre class="error-text">{e.message.clone()}</pre>
                                            <div class="field-links">{fields}</div>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ul>
                </Show>
            </div>
            <Show when=move || !applied.with(Vec::is_empty)>
                <pre class="apply-output" role="status">
                    {move || {
                        applied.with(|a| {
                            a.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
                        })
                    }}
                </pre>
            </Show>
        </section>
    }
}
