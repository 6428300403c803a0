//! The toolbar: the clock (realtime or simulation mode, pause, speed), requests (the builder,
//! steady traffic), and the faults and
//! modes a learner flips (CoreDNS broken, kube-proxy mode).

use leptos::prelude::*;
use svclab_sim::action::Action;
use svclab_sim::cluster::{ActError, Outcome, BOOT_AGE};
use svclab_sim::kube_proxy::ProxyMode;
use svclab_sim::time::Time;

use crate::clock::{Speed, DEFAULT_INTERVAL, MIN_INTERVAL};
use crate::state::shared;
use crate::trace_view::seconds;
use crate::ui::simulation::SimulationControls;

/// `children`: the request builder, placed before the steady-traffic controls.
#[component]
pub fn Toolbar(children: Children) -> impl IntoView {
    let sh = shared();
    let sim = sh.sim;
    let traffic_on = move || sim.traffic().is_some();
    let (interval, set_interval) = signal(DEFAULT_INTERVAL);
    let (message, set_message) = signal(String::new());

    let report = move |r: Option<Result<Outcome, ActError>>| match r {
        Some(Ok(done)) => set_message.set(done.to_string()),
        Some(Err(e)) => set_message.set(e.to_string()),
        None => {}
    };
    let toggle_traffic = move |_| {
        let on = untrack(traffic_on);
        sim.set_traffic((!on).then(|| interval.get_untracked()));
    };
    let set_every = move |ev| {
        let ms: Time = event_target_value(&ev)
            .trim()
            .parse()
            .unwrap_or(DEFAULT_INTERVAL)
            .max(MIN_INTERVAL);
        set_interval.set(ms);
        if untrack(traffic_on) {
            sim.set_traffic(Some(ms));
        }
    };
    let broken = move || sim.read(|c| c.coredns_broken());
    let toggle_dns = move |_| {
        let broken = !sim.peek(|c| c.coredns_broken());
        report(sim.act(Action::BreakCoreDns { broken }));
    };
    let mode = move || sim.read(|c| c.proxy_mode());
    let set_mode = move |ev| {
        let mode = ProxyMode::parse(&event_target_value(&ev)).unwrap_or_default();
        report(sim.act(Action::SetProxyMode { mode }));
    };
    let clock = move || format!("t = {}", seconds(sim.now().get().saturating_sub(BOOT_AGE)));

    view! {
        <div class="toolbar" role="toolbar" aria-label="Simulation controls">
            <div class="group" role="group" aria-label="Clock">
                <SimulationControls />
                <Show when=move || !sim.simulation().get()>
                    <button
                        class="pause"
                        aria-pressed=move || sh.paused.get().to_string()
                        on:click=move |_| sh.paused.update(|p| *p = !*p)
                    >
                        {move || if sh.paused.get() { "Resume" } else { "Pause" }}
                    </button>
                </Show>
                <label class="inline">
                    <span>"Speed"</span>
                    <select
                        aria-label="Speed"
                        on:change=move |ev| {
                            if let Some(s) = Speed::parse(&event_target_value(&ev)) {
                                sh.speed.set(s);
                            }
                        }
                    >
                        {Speed::ALL
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=move || sh.speed.get() == s>
                                        {s.as_str()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <output class="clock" aria-label="Virtual time">{clock}</output>
            </div>
            <div class="group" role="group" aria-label="Traffic">
                <button aria-pressed=move || traffic_on().to_string() on:click=toggle_traffic>
                    {move || if traffic_on() { "Stop steady traffic" } else { "Start steady traffic" }}
                </button>
                <label class="inline">
                    <span>"every"</span>
                    <input
                        type="number"
                        aria-label="Steady traffic interval (virtual ms)"
                        min=MIN_INTERVAL
                        step="100"
                        prop:value=move || interval.get().to_string()
                        on:change=set_every
                    />
                    <span>"ms"</span>
                </label>
            </div>
            <div class="group" role="group" aria-label="Faults and modes">
                <button class="danger" aria-pressed=move || broken().to_string() on:click=toggle_dns>
                    {move || if broken() { "Restore CoreDNS" } else { "Break CoreDNS" }}
                </button>
                <label class="inline">
                    <span>"kube-proxy"</span>
                    <select aria-label="kube-proxy mode" on:change=set_mode>
                        {ProxyMode::ALL
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <option value=m.as_str() selected=move || mode() == m>
                                        {mode_label(m)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
            {children()}
            <p class="toolbar-message" role="status">
                {message}
            </p>
        </div>
    }
}

/// Presenter mode, for a projector: the picture and the request's path fill the screen in large
/// type; the side columns and the terminal step aside. The key `f` does the same (src/app.rs).
#[component]
pub fn PresenterToggle(on: RwSignal<bool>) -> impl IntoView {
    view! {
        <button
            class="presenter-toggle"
            aria-pressed=move || on.get().to_string()
            aria-keyshortcuts="f"
            title="Presenter mode (f): the picture fills the screen; f or Escape to leave"
            on:click=move |_| on.update(|p| *p = !*p)
        >
            "Presenter mode"
        </button>
    }
}

/// The mode picker's words for a mode: IPVS is deprecated since Kubernetes 1.35.
fn mode_label(mode: ProxyMode) -> &'static str {
    match mode {
        ProxyMode::Iptables => "iptables",
        ProxyMode::Nftables => "nftables",
        ProxyMode::Ipvs => "IPVS (deprecated)",
    }
}
