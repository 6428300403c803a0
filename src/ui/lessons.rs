//! Lessons: the "Lessons" button and its picker (the built-in track with each lesson's standing,
//! a lesson file of the instructor's own, a result code to check), and the lesson panel (the story,
//! each task's goal, its check's verdict, hints one at a time, reset with undo, the result code).

use leptos::prelude::*;
use svclab_sim::cluster::Config;
use svclab_sim::lesson::{self, Lesson};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::lessons::{inline_code, Active, LessonCtx, Progress, Saved, Standing};
use crate::state::{shared, Shared};

/// Where the progress record is kept between visits.
pub const PROGRESS_KEY: &str = "svclab.lessons";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The lesson context for the page: progress read back from localStorage when `persist`.
pub fn lesson_context(persist: bool, active: Option<Active>) -> LessonCtx {
    let progress = persist
        .then(|| storage().and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten()))
        .flatten()
        .map(|t| Progress::decode(&t))
        .unwrap_or_default();
    LessonCtx {
        active: RwSignal::new(active),
        progress: RwSignal::new(progress),
        undo: RwSignal::new(None),
        notice: RwSignal::new(None),
        persist,
        file: RwSignal::new(None),
    }
}

fn lessons() -> LessonCtx {
    expect_context::<LessonCtx>()
}

/// Start `lesson`: its world replaces the current one, its manifests fill the editor. The world
/// before is kept for "Undo reset".
fn start(sh: Shared, ctx: LessonCtx, lesson: Lesson, what: &'static str) -> Result<(), String> {
    let started = lesson.start(Config::default())?;
    let text = sh.text.get_untracked();
    let active = ctx.active.get_untracked();
    if let Some(cluster) = sh.sim.replace(started.cluster) {
        ctx.undo.set(Some(Saved {
            what,
            cluster,
            text,
            active,
        }));
    }
    sh.text.set(lesson.manifests.clone());
    ctx.progress.update(|p| {
        p.record(&lesson.id, &vec![false; lesson.tasks.len()]);
    });
    ctx.active.set(Some(Active::new(lesson, started.since)));
    Ok(())
}

/// Where the text of the last lesson file loaded is kept, so that a reload (or a share link
/// naming its lesson) finds a lesson of one's own again.
const LESSON_FILE_KEY: &str = "svclab.lesson-file";

/// The lesson file loaded last on this browser.
pub fn kept_lesson_file() -> Option<String> {
    storage().and_then(|s| s.get_item(LESSON_FILE_KEY).ok().flatten())
}

/// The message for a lesson file that does not load, at its line when it has one.
fn file_error(e: &svclab_sim::manifest::FileError) -> String {
    if e.line > 0 {
        format!(
            "The lesson file has an error at line {}: {}",
            e.line, e.message
        )
    } else {
        format!("The lesson file has an error: {}", e.message)
    }
}

/// Start the lesson a file's text holds (from the picker, a drop, or a lesson link); an error
/// at its line leaves the current lesson as it is. The text is kept, so a reload finds the
/// lesson again.
pub fn start_file(sh: Shared, ctx: LessonCtx, text: &str) -> Result<(), String> {
    let lesson = lesson::load(text).map_err(|e| file_error(&e))?;
    start(sh, ctx, lesson, "start")?;
    if ctx.persist {
        if let Some(s) = storage() {
            let _ = s.set_item(LESSON_FILE_KEY, text);
        }
    }
    ctx.file.set(Some(text.to_string()));
    Ok(())
}

fn undo(sh: Shared, ctx: LessonCtx) {
    let Some(saved) = ctx.undo.try_update(Option::take).flatten() else {
        return;
    };
    sh.sim.replace(saved.cluster);
    sh.text.set(saved.text);
    ctx.active.set(saved.active);
}

/// Judge the active lesson whenever the world changes, and keep the progress record.
fn judge_on_change() {
    let sh = shared();
    let ctx = lessons();
    // Checks read finished requests: re-judge when one finishes, not only when the world changes.
    let finished = Memo::new(move |_| {
        let now = sh.sim.now().get();
        sh.sim
            .peek(|c| c.traces().iter().filter(|t| !t.in_flight(now)).count())
    });
    Effect::new(move |_| {
        // Read, not only tracked: a memo computes (and finds its own sources) when read.
        let _ = finished.get();
        let Some((lesson, since)) = ctx
            .active
            .with(|a| a.as_ref().map(|a| (a.lesson.clone(), a.since)))
        else {
            return;
        };
        let (verdicts, last) = sh.sim.read(|c| {
            (
                lesson.evaluate(c, since),
                c.log()
                    .iter()
                    .rev()
                    .find(|l| {
                        !matches!(
                            l.action,
                            svclab_sim::action::Action::Send { .. }
                                | svclab_sim::action::Action::SetTraffic { .. }
                        )
                    })
                    .map(|l| l.action.clone()),
            )
        });
        let mut solved = None;
        ctx.active.update_untracked(|a| {
            if let Some(a) = a {
                if a.judge(verdicts, last.as_ref()) {
                    solved = Some(a.solved());
                }
            }
        });
        if let Some(flags) = solved {
            ctx.active.notify();
            let mut changed = false;
            ctx.progress
                .update(|p| changed = p.record(&lesson.id, &flags));
            if changed && ctx.persist {
                if let Some(s) = storage() {
                    let _ = s.set_item(PROGRESS_KEY, &ctx.progress.get_untracked().encode());
                }
            }
        }
    });
}

/// The top bar's "Lessons" button and the picker it opens.
#[component]
pub fn LessonsButton() -> impl IntoView {
    let ctx = lessons();
    let sh = shared();
    let open = RwSignal::new(false);
    let (file_error, set_file_error) = signal(None::<String>);
    let (code, set_code) = signal(String::new());
    judge_on_change();

    let choose = move |lesson: Lesson| match start(sh, ctx, lesson, "start") {
        Ok(()) => {
            set_file_error.set(None);
            open.set(false);
        }
        Err(e) => set_file_error.set(Some(e)),
    };
    let load_text = move |text: String| match start_file(sh, ctx, &text) {
        Ok(()) => {
            set_file_error.set(None);
            open.set(false);
        }
        Err(e) => set_file_error.set(Some(e)),
    };
    // The link that hands out the lesson file loaded last.
    let lesson_link = move || {
        ctx.file.with(|f| {
            f.as_ref().map(|text| {
                let location = window().location();
                format!(
                    "{}{}#{}",
                    location.origin().unwrap_or_default(),
                    location.pathname().unwrap_or_default(),
                    svclab_sim::share::lesson_link(text)
                )
            })
        })
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            read_file(file, load_text);
        }
        input.set_value("");
    };
    let verdict = move || {
        let c = code.get();
        if c.trim().is_empty() {
            return String::new();
        }
        match lesson::verify_result_code(&c) {
            Ok(r) => {
                let done = r.solved.iter().filter(|&&s| s).count();
                format!(
                    "Valid: lesson {}, {done} of {} tasks solved (run {}).",
                    r.lesson,
                    r.solved.len(),
                    r.run
                )
            }
            Err(e) => format!("Not valid: {e}."),
        }
    };

    let entries = move || {
        lesson::BUILTIN
            .iter()
            .filter_map(|(_, text)| lesson::load(text).ok())
            .map(|l| {
                let id = l.id.clone();
                let title = l.title.clone();
                let standing = Memo::new(move |_| ctx.progress.with(|p| p.standing(&id)));
                let label = format!("Start lesson {title}");
                view! {
                    <li class="lesson-entry">
                        <button class="link" aria-label=label on:click=move |_| choose(l.clone())>
                            {title.clone()}
                        </button>
                        <span
                            class="standing"
                            class:solved=move || standing.get() == Standing::Solved
                            class:progress=move || standing.get() == Standing::InProgress
                        >
                            {move || standing.get().as_str()}
                        </span>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <div class="lessons-menu">
            <button
                class="lessons-toggle"
                aria-expanded=move || open.get().to_string()
                aria-controls="lesson-picker"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Lessons"
            </button>
            <Show when=move || open.get()>
                <div id="lesson-picker" class="popover lesson-picker" role="dialog" aria-label="Lesson picker">
                    <h2>"Lessons"</h2>
                    <ol class="lesson-list">{entries}</ol>
                    <label class="file-pick">
                        "Load lesson file "
                        <input type="file" accept=".yaml,.yml,text/yaml" on:change=on_file />
                    </label>
                    <div
                        class="drop-zone"
                        on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                        on:drop=move |ev: leptos::ev::DragEvent| {
                            ev.prevent_default();
                            if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                                read_file(file, load_text);
                            }
                        }
                    >
                        "or drop a lesson file here"
                    </div>
                    <Show when=move || ctx.file.with(Option::is_some)>
                        <label class="lesson-link">
                            "Lesson link "
                            <input
                                type="text"
                                readonly
                                aria-label="Lesson link"
                                prop:value=move || lesson_link().unwrap_or_default()
                                on:focus=move |ev| {
                                    if let Some(input) = ev
                                        .target()
                                        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                                    {
                                        input.select();
                                    }
                                }
                            />
                        </label>
                    </Show>
                    <Show when=move || file_error.with(Option::is_some)>
                        <p class="error" role="alert">{move || file_error.get().unwrap_or_default()}</p>
                    </Show>
                    <label class="result-check">
                        "Check a result code "
                        <input
                            type="text"
                            spellcheck="false"
                            on:input=move |ev| set_code.set(event_target_value(&ev))
                        />
                    </label>
                    <output aria-label="Result code check">{verdict}</output>
                </div>
            </Show>
        </div>
    }
}

/// Read a file the learner picked or dropped, then hand its text to `done`.
pub(crate) fn read_file(file: web_sys::File, done: impl Fn(String) + 'static) {
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let r = reader.clone();
    let onload = Closure::<dyn FnMut()>::new(move || {
        if let Some(text) = r.result().ok().and_then(|v| v.as_string()) {
            done(text);
        }
    });
    reader.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    let _ = reader.read_as_text(&file);
}

/// Text with its backticked parts as `<code>`.
fn rich(text: &str) -> impl IntoView {
    inline_code(text)
        .into_iter()
        .map(|(code, t)| {
            if code {
                view! { <code>{t}</code> }.into_any()
            } else {
                t.into_any()
            }
        })
        .collect_view()
}

/// The active lesson: its story, its tasks with their checks' verdicts and hints.
#[component]
pub fn LessonPanel() -> impl IntoView {
    let ctx = lessons();
    let sh = shared();
    let (result, set_result) = signal(None::<String>);
    let title = move || {
        ctx.active.with(|a| {
            a.as_ref()
                .map(|a| a.lesson.title.clone())
                .unwrap_or_default()
        })
    };
    let story = move || {
        ctx.active.with(|a| {
            a.as_ref()
                .map(|a| a.lesson.story.clone())
                .unwrap_or_default()
        })
    };
    let reset = move |_| {
        if let Some(lesson) = ctx
            .active
            .with_untracked(|a| a.as_ref().map(|a| a.lesson.clone()))
        {
            let _ = start(sh, ctx, lesson, "reset");
            set_result.set(None);
        }
    };
    let close = move |_| ctx.active.set(None);
    let make_code = move |_| {
        let code = ctx.active.with_untracked(|a| {
            a.as_ref().map(|a| {
                sh.sim
                    .peek(|c| lesson::result_code(&a.lesson.id, &a.solved(), c))
            })
        });
        set_result.set(code);
    };
    let tasks = move || {
        ctx.active.with(|a| {
            let Some(a) = a else {
                return Vec::new();
            };
            a.lesson
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let verdict = a.verdicts.get(i).cloned();
                    let solved = verdict.as_ref().is_some_and(|v| v.solved);
                    let shown: Vec<String> = t.hints.iter().take(a.hints[i]).cloned().collect();
                    let more = a.hints[i] < t.hints.len();
                    let by = a.solved_by[i].clone();
                    let n = i + 1;
                    view! {
                        <li class="task" class:solved=solved aria-label=format!("Task {n}")>
                            <p class="goal">
                                <span class="mark" aria-hidden="true">{if solved { "✓" } else { "○" }}</span>
                                {rich(&t.goal)}
                            </p>
                            <p class="verdict" role="status">
                                {if solved {
                                    format!("Solved: {}", by.unwrap_or_else(|| "solved".into()))
                                } else {
                                    verdict.map(|v| format!("Not yet: {}", v.detail)).unwrap_or_default()
                                }}
                            </p>
                            <ul class="hints">
                                {shown.into_iter().map(|h| view! { <li>{rich(&h)}</li> }).collect_view()}
                            </ul>
                            <Show when=move || more>
                                <button
                                    class="link"
                                    aria-label=format!("Show a hint for task {n}")
                                    on:click=move |_| ctx.active.update(|a| {
                                        if let Some(a) = a {
                                            a.reveal(i);
                                        }
                                    })
                                >
                                    "Show a hint"
                                </button>
                            </Show>
                        </li>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || ctx.active.with(Option::is_some)>
            <section class="panel lesson-panel" aria-labelledby="lesson-heading">
                <div class="panel-head">
                    <h2 id="lesson-heading">{title}</h2>
                    <button on:click=reset title="Start this lesson over (Undo reset brings your work back)">
                        "Reset lesson"
                    </button>
                    <Show when=move || ctx.undo.with(Option::is_some)>
                        <button on:click=move |_| undo(sh, ctx)>
                            {move || format!("Undo {}", ctx.undo.with(|u| u.as_ref().map_or("", |s| s.what)))}
                        </button>
                    </Show>
                    <button class="link close" aria-label="Close lesson" on:click=close>"✕"</button>
                </div>
                <p class="story">{move || rich(&story())}</p>
                <ol class="tasks">{tasks}</ol>
                <div class="result">
                    <button on:click=make_code>"Result code"</button>
                    <Show when=move || result.with(Option::is_some)>
                        <input
                            type="text"
                            readonly
                            aria-label="Result code"
                            prop:value=move || result.get().unwrap_or_default()
                        />
                    </Show>
                </div>
            </section>
        </Show>
    }
}
