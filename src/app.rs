//! The page: boots the world, runs the clock, and lays out the panels.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use svclab_sim::time::Time;

use crate::clock::{frame_ms, Speed};
use crate::state::Shared;
use crate::ui::cluster_view::ClusterView;
use crate::ui::controls::Toolbar;
use crate::ui::deployments::Deployments;
use crate::ui::details::DetailsPanel;
use crate::ui::editor::Editor;
use crate::ui::requests::Requests;
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
    /// passed at 1×.
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
pub fn Lab(#[prop(optional)] driver: Option<Driver>) -> impl IntoView {
    let sim = Sim::boot();
    let manual = driver.is_some();
    if let Some(d) = &driver {
        *d.0.borrow_mut() = Some(sim);
    }
    let shared = Shared {
        sim,
        selected: RwSignal::new(None),
        paused: RwSignal::new(false),
        speed: RwSignal::new(Speed::One),
        text: RwSignal::new(crate::ui::editor::initial_text(!manual)),
        still: !manual && prefers_reduced_motion(),
    };
    provide_context(shared);
    if !manual {
        run_frames(shared);
    }

    view! {
        <div class="lab">
            <header class="topbar">
                <h1 class="brand">
                    "svclab" <span class="tagline">" · Kubernetes Services, simulated"</span>
                </h1>
                <Toolbar />
            </header>
            <main class="workspace">
                <div class="left">
                    <Editor persist=!manual />
                    <Deployments />
                    <Terminal />
                </div>
                <div class="right">
                    <ClusterView />
                    <div class="below">
                        <DetailsPanel />
                        <Requests />
                    </div>
                </div>
            </main>
        </div>
    }
}

fn prefers_reduced_motion() -> bool {
    window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Advance the world every animation frame by the real time elapsed × speed (unless paused).
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
    request_animation_frame(move || frame(shared, state));
}

struct FrameState {
    alive: Arc<AtomicBool>,
    last: Cell<Option<f64>>,
    carry: Cell<f64>,
}

fn frame(shared: Shared, state: Rc<FrameState>) {
    if !state.alive.load(Ordering::Relaxed) {
        return;
    }
    let now = window().performance().map_or(0.0, |p| p.now());
    let elapsed = state.last.replace(Some(now)).map_or(0.0, |last| now - last);
    let paused = shared.paused.try_get_untracked().unwrap_or(true);
    if !paused {
        let speed = shared.speed.try_get_untracked().unwrap_or_default();
        let mut carry = state.carry.get();
        let ms = frame_ms(elapsed, speed, &mut carry);
        state.carry.set(carry);
        if ms > 0 {
            shared.sim.step(ms);
        }
    }
    request_animation_frame(move || frame(shared, state));
}
