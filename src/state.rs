//! The state the panels share besides the world: what is selected (an object, a hop), the
//! clock's controls, and the manifest being edited. The app provides it as a Leptos context; panels read it with [`shared`].

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
    /// The hop shown in the Inspector.
    pub inspected: RwSignal<Option<HopRef>>,
    pub paused: RwSignal<bool>,
    pub speed: RwSignal<Speed>,
    /// The manifest being edited.
    pub text: RwSignal<String>,
    /// prefers-reduced-motion: packets are drawn as numbered steps, not moving.
    pub still: bool,
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
