//! The state the panels share besides the world: what is selected, the clock's controls, the
//! manifest being edited, and the packet hop being inspected. The app provides it as a Leptos
//! context; panels read it with [`shared`].

use leptos::prelude::*;

use crate::clock::Speed;
use crate::inspect::Selection;
use crate::world::Sim;

/// What every panel reads and writes. The scale controls rewrite the editor's `replicas:`, so the
/// manifest text lives here rather than in the editor.
#[derive(Clone, Copy)]
pub struct Shared {
    pub sim: Sim,
    pub selected: RwSignal<Option<Selection>>,
    pub paused: RwSignal<bool>,
    pub speed: RwSignal<Speed>,
    /// The manifest being edited.
    pub text: RwSignal<String>,
    /// prefers-reduced-motion: packets are drawn as numbered steps, not moving.
    pub still: bool,
    /// The packet hop the inspector shows (the current event's, in simulation mode).
    pub inspected: RwSignal<Option<HopRef>>,
}

impl Shared {
    /// Simulation mode's Step: the next event becomes current.
    pub fn step(&self) {
        self.sim.set_playing(false);
        self.sim.on_timeline(|t| t.step());
        self.inspect_current();
    }

    /// Simulation mode's Back: the event before becomes current.
    pub fn back(&self) {
        self.sim.set_playing(false);
        self.sim.on_timeline(|t| t.back());
        self.inspect_current();
    }

    /// Make event `n` current (simulation mode), the world as it was right after it.
    pub fn seek(&self, n: usize) {
        self.sim.set_playing(false);
        self.sim.on_timeline(|t| t.seek(n));
        self.inspect_current();
    }

    /// Play or pause (simulation mode).
    pub fn toggle_play(&self) {
        let on = !self.sim.playing().get_untracked();
        self.sim.set_playing(on);
        if !on {
            self.inspect_current();
        }
    }

    /// The current event's packet hop, if it is one, goes to the inspector.
    fn inspect_current(&self) {
        let hop = self
            .sim
            .peek_timeline(|t| t.current().and_then(|e| e.hop()))
            .flatten();
        if let Some((trace, hop)) = hop {
            self.inspected.set(Some(HopRef { trace, hop }));
        }
    }
}

/// One hop of one request: the request's trace id and the hop's index in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HopRef {
    pub trace: u64,
    pub hop: usize,
}

/// The [`Shared`] state of the enclosing app.
pub fn shared() -> Shared {
    expect_context::<Shared>()
}
