//! The clock's simulation controls: the "Simulation mode" switch and, in simulation mode, Back,
//! Step and Play (the toolbar's speed setting paces Play). Keyboard: space, left arrow and `p`
//! (src/app.rs).

use leptos::html::Button;
use leptos::prelude::*;

use crate::state::shared;
use crate::ui::later::next_frame;

#[component]
pub fn SimulationControls() -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    let simulation = sim.simulation();
    let playing = sim.playing();
    let step_button = NodeRef::<Button>::new();
    let at_start = move || sim.timeline(|t| t.cursor() == 0).unwrap_or(true);
    let switch = move |ev| {
        let on = event_target_checked(&ev);
        sim.set_simulation(on);
        if on {
            // Space then presses Step rather than the switch.
            next_frame(move || {
                if let Some(b) = step_button.get_untracked() {
                    let _ = b.focus();
                }
            });
        }
    };

    view! {
        <label class="inline sim-switch" title="Simulation mode: the clock moves only by Step, Back and Play">
            <input
                type="checkbox"
                aria-label="Simulation mode"
                prop:checked=move || simulation.get()
                on:change=switch
            />
            <span>"Simulation"</span>
        </label>
        <Show when=move || simulation.get()>
            <button
                aria-keyshortcuts="ArrowLeft"
                title="Back to the event before (←)"
                disabled=at_start
                on:click=move |_| sh.back()
            >
                "Back"
            </button>
            <button
                class="primary"
                node_ref=step_button
                aria-keyshortcuts="Space"
                title="Step to the next event (space)"
                on:click=move |_| sh.step()
            >
                "Step"
            </button>
            <button
                aria-pressed=move || playing.get().to_string()
                aria-keyshortcuts="p"
                title="Play the events at the chosen speed (p)"
                on:click=move |_| sh.toggle_play()
            >
                {move || if playing.get() { "Pause" } else { "Play" }}
            </button>
        </Show>
    }
}
