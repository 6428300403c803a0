//! The page: boots the world, runs the clock, and lays out the panels.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use svclab_sim::time::Time;
use wasm_bindgen::JsCast;

use crate::clock::{frame_ms, Speed};
use crate::state::Shared;
use crate::ui::builder::RequestBuilder;
use crate::ui::cluster_view::ClusterView;
use crate::ui::controls::{PresenterToggle, Toolbar};
use crate::ui::deployments::Deployments;
use crate::ui::details::DetailsPanel;
use crate::ui::editor::Editor;
use crate::ui::events::{CurrentEvent, Events};
use crate::ui::inspector::Inspector;
use crate::ui::later::next_frame;
use crate::ui::lessons::{lesson_context, LessonPanel, LessonsButton};
use crate::ui::requests::{LatestRequest, Requests};
use crate::ui::share::{self, Opening, ShareButton};
use crate::ui::terminal::Terminal;
use crate::world::Sim;

/// A handle for tests: drives the virtual clock by hand instead of by animation frames.
/// An app given a driver neither runs its frame loop nor touches localStorage.
#[derive(Clone, Default)]
pub struct Driver(Rc<RefCell<Option<Sim>>>);

impl Driver {
    pub fn new() -> Driver {
        Driver::default()
    }

    /// Advance the virtual clock by `ms` (steady traffic included), as if that much time had
    /// passed at 1×. In simulation mode the clock moves only while Play is on.
    pub fn advance(&self, ms: Time) {
        if let Some(sim) = *self.0.borrow() {
            sim.step(ms);
        }
    }

    /// The virtual clock.
    pub fn now(&self) -> Time {
        self.0.borrow().map_or(0, |sim| sim.now().get_untracked())
    }
}

/// The app as the page mounts it.
#[component]
pub fn App() -> impl IntoView {
    view! { <Lab /> }
}

/// The app, optionally driven by a test [`Driver`].
#[component]
pub fn Lab(
    #[prop(optional)] driver: Option<Driver>,
    /// A share link's text to open, as if it were in the URL (tests open links this way).
    #[prop(optional, into)]
    link: Option<String>,
    /// Keep what the learner does in localStorage and start from what is kept there, as the
    /// page always does; a test driving the app sets it to reload.
    #[prop(optional)]
    persist: bool,
) -> impl IntoView {
    let manual = driver.is_some();
    let persist = persist || !manual;
    // A share link given or in the URL, else the scenario kept from the last visit.
    let opening = match (link, persist) {
        (Some(text), _) => share::open_text(&text),
        (None, false) => Opening::default(),
        (None, true) => share::opening(),
    };
    let sim = match &opening.link {
        // In simulation mode at its event, when it was made there.
        Some(link) if link.simulation.is_some() => {
            let sim = Sim::with(svclab_sim::cluster::Cluster::new(Default::default()));
            sim.open(link);
            sim
        }
        Some(link) => Sim::with(link.world()),
        None => Sim::boot(),
    };
    if let Some(d) = &driver {
        *d.0.borrow_mut() = Some(sim);
    }
    let text = match &opening.link {
        Some(link) => link.manifests.clone(),
        None => crate::ui::editor::initial_text(persist),
    };
    let shared = Shared {
        sim,
        selected: RwSignal::new(None),
        inspected: RwSignal::new(None),
        paused: RwSignal::new(false),
        speed: RwSignal::new(Speed::One),
        text: RwSignal::new(text),
        still: !manual && prefers_reduced_motion(),
    };
    provide_context(shared);
    let lessons = lesson_context(persist, opening.link.as_ref().and_then(share::lesson_of));
    // A link's own lesson file goes on with the lesson (a link shared from here carries it too).
    if let Some(file) = opening.link.as_ref().and_then(|l| l.lesson_file.clone()) {
        lessons.file.set(Some(file));
    }
    lessons.notice.set(opening.refused);
    provide_context(lessons);
    // A lesson link: its lesson starts at once, or its error shows and nothing changes.
    if let Some(file) = &opening.lesson_file {
        if let Err(e) = crate::ui::lessons::start_file(shared, lessons, file) {
            lessons.notice.set(Some(e));
        }
    }
    if persist {
        share::keep_scenario();
    }
    if !manual {
        run_frames(shared);
    }

    let presenter = RwSignal::new(false);
    keys(shared, presenter);
    let simulation = sim.simulation();
    // In simulation mode the drawer has two tabs, the terminal and the event list (first shown).
    let events_tab = RwSignal::new(true);
    let tab = move |events: bool, name: &'static str| {
        view! {
            <button
                role="tab"
                class="drawer-tab"
                aria-selected=move || (events_tab.get() == events).to_string()
                on:click=move |_| events_tab.set(events)
            >
                {name}
            </button>
        }
    };

    // One grid fills the window (styles/layout.css): the picture is the stage, the manifest and
    // scale controls sit left, what is selected and the requests right, the terminal in a drawer
    // below. Each scrolls inside itself, so the page never grows with use. The stage comes first
    // so that a phone, which stacks them, shows the picture first.
    view! {
        <div class="lab" class:presenter=move || presenter.get()>
            <header class="topbar">
                <h1 class="brand">
                    "svclab" <span class="tagline">" · Kubernetes Services, simulated"</span>
                </h1>
                <LessonsButton />
                <ShareButton />
                <Toolbar>
                    <PresenterToggle on=presenter />
                    <RequestBuilder persist=persist />
                </Toolbar>
            </header>
            <Show when=move || lessons.notice.with(Option::is_some)>
                <p class="notice" role="alert">
                    {move || lessons.notice.get().unwrap_or_default()}
                    <button class="link" on:click=move |_| lessons.notice.set(None)>"Dismiss"</button>
                </p>
            </Show>
            <main class="workspace">
                <div class="stage">
                    <ClusterView />
                    <Show when=move || presenter.get()>
                        <Show when=move || simulation.get() fallback=|| view! { <LatestRequest /> }>
                            <CurrentEvent />
                        </Show>
                    </Show>
                </div>
                <div class="tools">
                    <LessonPanel />
                    <Editor persist=persist />
                    <Deployments />
                </div>
                <div class="side">
                    <Inspector />
                    <DetailsPanel />
                    <Requests />
                </div>
                <div class="drawer" class:events-tab=move || simulation.get() && events_tab.get()>
                    <Show when=move || simulation.get()>
                        <div class="drawer-tabs" role="tablist" aria-label="Drawer">
                            {tab(false, "Terminal")}
                            {tab(true, "Events")}
                        </div>
                    </Show>
                    <Terminal />
                    <Show when=move || simulation.get()>
                        <Events />
                    </Show>
                </div>
            </main>
        </div>
    }
}

/// The keyboard, unless the key is meant for a text field (the manifest, the terminal, the
/// traffic interval) or carries a modifier (Ctrl+F finds, Ctrl+P prints): `f` toggles presenter
/// mode and Escape leaves it; in simulation mode space steps (unless a control has the focus,
/// which space presses), the left arrow goes back and `p` plays and pauses.
fn keys(shared: Shared, presenter: RwSignal<bool>) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.default_prevented() || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el.closest("[contenteditable]").ok().flatten().is_some()
            });
        if typing {
            return;
        }
        let simulation = shared.sim.simulation().get_untracked();
        let on_control = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY")
                    || el
                        .closest("[role=button],[role=tab],[role=row]")
                        .ok()
                        .flatten()
                        .is_some()
            });
        match ev.key().as_str() {
            "f" | "F" => presenter.update(|on| *on = !*on),
            " " if simulation && !on_control => shared.step(),
            "ArrowLeft" if simulation => shared.back(),
            "p" | "P" if simulation => shared.toggle_play(),
            "Escape" if presenter.get_untracked() => presenter.set(false),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

fn prefers_reduced_motion() -> bool {
    window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Advance the world every animation frame by the real time elapsed × speed (unless paused).
///
/// Each frame asks for the next through [`next_frame`], which leaves nothing behind once run.
/// leptos's `request_animation_frame` keeps 8 bytes a call until a JS garbage collection with
/// weak references frees it, which this build never does: with the 12 bytes a frame the old
/// `Sim::simulation` left, that was the 26 kB a simulated minute issue 18's soak measured.
fn run_frames(shared: Shared) {
    let alive = Arc::new(AtomicBool::new(true));
    {
        let alive = alive.clone();
        on_cleanup(move || alive.store(false, Ordering::Relaxed));
    }
    let state = Rc::new(FrameState {
        alive,
        last: Cell::new(None),
        carry: Cell::new(0.0),
    });
    next_frame(move || tick(shared, state));
}

/// One frame, then the next, until the app is gone.
fn tick(shared: Shared, state: Rc<FrameState>) {
    if frame(shared, &state) {
        next_frame(move || tick(shared, state));
    }
}

struct FrameState {
    alive: Arc<AtomicBool>,
    last: Cell<Option<f64>>,
    carry: Cell<f64>,
}

/// One frame: the clock moved on by the time since the last. Returns whether to go on.
fn frame(shared: Shared, state: &FrameState) -> bool {
    if !state.alive.load(Ordering::Relaxed) {
        return false;
    }
    let now = window().performance().map_or(0.0, |p| p.now());
    let elapsed = state.last.replace(Some(now)).map_or(0.0, |last| now - last);
    // Realtime runs unless paused; simulation mode only while playing (the sim checks that).
    let simulation = shared.sim.simulation().try_get_untracked().unwrap_or(false);
    let paused = !simulation && shared.paused.try_get_untracked().unwrap_or(true);
    if !paused {
        let speed = shared.speed.try_get_untracked().unwrap_or_default();
        let mut carry = state.carry.get();
        let ms = frame_ms(elapsed, speed, &mut carry);
        state.carry.set(carry);
        if ms > 0 {
            shared.sim.step(ms);
        }
    }
    true
}
