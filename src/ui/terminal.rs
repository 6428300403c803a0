//! The Terminal panel: the learner's shell (kubectl on the host, `kubectl exec` into the `test`
//! pod, `nslookup`, `wget`, `iptables-save` on a node...) with its scrolling output. The commands
//! are `svclab_sim::shell`'s; this panel only shows lines and feeds it keys and the clock.

use leptos::ev::KeyboardEvent;
use leptos::html::{Input, Pre};
use leptos::prelude::*;
use svclab_sim::shell::{Output, Stream, Terminal as Shell};

use crate::seed::SEED_FILENAME;
use crate::state::shared;
use crate::ui::later::next_frame;
use crate::ui::rows::Rows;

/// Lines of output kept on screen.
const KEPT: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq)]
struct ScreenLine {
    /// Increasing, so a line keeps its DOM node while older ones scroll away.
    id: u64,
    class: &'static str,
    text: String,
}

fn push(screen: &mut Vec<ScreenLine>, class: &'static str, text: String) {
    let id = screen.last().map_or(0, |l| l.id + 1);
    screen.push(ScreenLine { id, class, text });
}

fn class_of(stream: Stream) -> &'static str {
    match stream {
        Stream::Stdout => "out",
        Stream::Stderr => "err",
        Stream::Note => "note",
    }
}

#[component]
pub fn Terminal() -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    let shell = StoredValue::new(Shell::new(SEED_FILENAME, &sh.text.get_untracked()));
    let (screen, set_screen) = signal(Vec::<ScreenLine>::new());
    let (prompt, set_prompt) = signal(shell.with_value(Shell::prompt));
    let (waiting, set_waiting) = signal(false);
    let (cursor, set_cursor) = signal(None::<usize>);
    // The drawer closes to its heading, giving its height to the panels above; what runs
    // meanwhile still prints, to be read when it opens.
    let (open, set_open) = signal(true);
    // What to type is said until the terminal is first used; a cleared screen stays empty.
    let (used, set_used) = signal(false);
    let input = NodeRef::<Input>::new();
    let screen_el = NodeRef::<Pre>::new();

    let show = move |echo: Option<String>, out: Output| {
        if echo.is_some() || out.clear || !out.lines.is_empty() {
            set_used.set(true);
        }
        set_screen.update(|s| {
            if out.clear {
                s.clear();
            }
            if let Some(echo) = echo {
                push(s, "echo", echo);
            }
            for l in out.lines {
                push(s, class_of(l.stream), l.text);
            }
            if s.len() > KEPT {
                let extra = s.len() - KEPT;
                s.drain(..extra);
            }
        });
        set_waiting.set(out.wait.is_some());
        set_prompt.set(out.prompt);
    };

    // Sync with the DOM: keep the newest line in view (also on opening the drawer). Scrolling
    // needs a layout, so it waits for the next frame, where the browser lays the page out anyway.
    Effect::new(move |_| {
        screen.track();
        open.track();
        if let Some(pre) = screen_el.get_untracked() {
            next_frame(move || pre.set_scroll_top(pre.scroll_height()));
        }
    });
    // Sync with the clock: a command waiting on a reply (or a pod) finishes when its time comes.
    Effect::new(move |_| {
        sim.now().track();
        if waiting.get_untracked() {
            let polled = sim.update(|c| shell.try_update_value(|t| t.poll(c)).flatten());
            if let Some(out) = polled {
                show(None, out);
            }
        }
    });

    let submit = move || {
        let Some(el) = input.get_untracked() else {
            return;
        };
        let line = el.value();
        el.set_value("");
        set_cursor.set(None);
        let echo = format!("{}{line}", prompt.get_untracked());
        let text = sh.text.get_untracked();
        let out = sim.update(|c| {
            shell
                .try_update_value(|t| {
                    t.set_file(SEED_FILENAME, &text);
                    t.run(c, &line)
                })
                .unwrap_or_default()
        });
        show(Some(echo), out);
    };
    let recall = move |up: bool| {
        let Some(el) = input.get_untracked() else {
            return;
        };
        let next = shell.with_value(|t| {
            let h = t.history();
            if h.is_empty() {
                return None;
            }
            let at = match (cursor.get_untracked(), up) {
                (None, true) => Some(h.len() - 1),
                (None, false) => None,
                (Some(i), true) => Some(i.saturating_sub(1)),
                (Some(i), false) if i + 1 < h.len() => Some(i + 1),
                (Some(_), false) => None,
            };
            Some((at, at.map(|i| h[i].clone()).unwrap_or_default()))
        });
        if let Some((at, text)) = next {
            set_cursor.set(at);
            el.set_value(&text);
        }
    };
    // Tab completes when there is something to complete; otherwise it moves focus as usual,
    // so the prompt is never a keyboard trap.
    let complete = move |ev: &KeyboardEvent| {
        let Some(el) = input.get_untracked() else {
            return;
        };
        let line = el.value();
        if line.trim().is_empty() || ev.shift_key() {
            return;
        }
        let (completed, candidates) = sim.peek(|c| shell.with_value(|t| t.complete_line(c, &line)));
        if completed != line {
            ev.prevent_default();
            el.set_value(&completed);
        } else if candidates.len() > 1 {
            ev.prevent_default();
            let echo = format!("{}{line}", prompt.get_untracked());
            set_screen.update(|s| {
                push(s, "echo", echo);
                push(s, "out", candidates.join("  "));
            });
        }
    };
    let on_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            submit();
        }
        "ArrowUp" => {
            ev.prevent_default();
            recall(true);
        }
        "ArrowDown" => {
            ev.prevent_default();
            recall(false);
        }
        "Tab" => complete(&ev),
        "c" if ev.ctrl_key() => {
            ev.prevent_default();
            let out = sim.update(|c| {
                shell
                    .try_update_value(|t| t.interrupt(c))
                    .unwrap_or_default()
            });
            show(None, out);
        }
        "l" if ev.ctrl_key() => {
            ev.prevent_default();
            set_used.set(true);
            set_screen.set(Vec::new());
        }
        _ => {}
    };

    view! {
        <section class="panel terminal-panel" class:closed=move || !open.get() aria-label="Terminal">
            <div class="panel-head">
                <h2>"Terminal"</h2>
                <span class="panel-note">"kubectl, and the test pod's shell via kubectl exec"</span>
                <button
                    class="link drawer-toggle"
                    aria-expanded=move || open.get().to_string()
                    aria-controls="terminal-body"
                    on:click=move |_| set_open.update(|o| *o = !*o)
                >
                    {move || if open.get() { "Close terminal" } else { "Open terminal" }}
                </button>
            </div>
            <div class="terminal-body" id="terminal-body" hidden=move || !open.get()>
                <pre class="screen" node_ref=screen_el role="log" aria-label="Terminal output" tabindex="0">
                    // Until the first command: what to type, rather than an empty black box.
                    <Show when=move || !used.get()>
                        <span class="note welcome">
                            "Type a command at the $ below: kubectl get pods -o wide, kubectl get endpointslices, "
                            "kubectl exec test -- nslookup backend-service. Tab completes, ↑ recalls, Ctrl+C stops, Ctrl+L clears."
                        </span>
                    </Show>
                    <Rows each=move || screen.get() key=|l| l.id let(l)>
                        <span class=l.class>{l.text}"\n"</span>
                    </Rows>
                </pre>
                <div class="prompt">
                    <span class="ps1" aria-hidden="true">{prompt}</span>
                    <input
                        node_ref=input
                        type="text"
                        aria-label="Command"
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        placeholder=move || if waiting.get() { "running… (Ctrl+C to stop)" } else { "kubectl get pods -o wide" }
                        on:keydown=on_key
                    />
                </div>
            </div>
        </section>
    }
}
