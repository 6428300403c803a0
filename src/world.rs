//! The one copy of the simulated world and the signals the views read it through.
//!
//! The world lives in a `StoredValue` (never cloned per frame): in realtime mode a [`Cluster`]
//! the frame loop advances, in simulation mode a [`Timeline`] that owns the cluster and moves it
//! only by Step, Back and Play. Every change goes through [`Sim`]: it mutates the world, then
//! bumps `version` (anything a view could show changed) and sets `now` (the virtual clock, which
//! moves every frame while running). Views read the cluster with [`Sim::read`], which subscribes
//! them to `version`; the packet layer also reads `now`.

use leptos::prelude::*;
use svclab_sim::action::Action;
use svclab_sim::cluster::{ActError, Applied, Cluster, Config, Outcome};
use svclab_sim::manifest::ManifestError;
use svclab_sim::time::Time;
use svclab_sim::timeline::Timeline;
use svclab_sim::trace::Request;

use crate::clock::{plan, Tick, Traffic};
use crate::seed;

/// The world in one mode or the other.
enum World {
    Realtime(Box<Cluster>),
    Simulation(Box<Timeline>),
}

impl World {
    fn cluster(&self) -> &Cluster {
        match self {
            World::Realtime(c) => c,
            World::Simulation(t) => t.world(),
        }
    }

    /// Change the cluster; in simulation mode the timeline records the actions `f` takes.
    fn update<R>(&mut self, f: impl FnOnce(&mut Cluster) -> R) -> R {
        match self {
            World::Realtime(c) => f(c),
            World::Simulation(t) => t.update(f),
        }
    }
}

#[derive(Clone, Copy)]
pub struct Sim {
    cluster: StoredValue<World>,
    version: ReadSignal<u64>,
    set_version: WriteSignal<u64>,
    now: ReadSignal<Time>,
    set_now: WriteSignal<Time>,
    /// Steady traffic, when on. Read and written only by the clock, hence not a signal.
    traffic: StoredValue<Option<Traffic>>,
    /// What steady traffic sends: the request builder's request (the seed's at first).
    request: StoredValue<Request>,
    /// Simulation mode is on.
    simulation: RwSignal<bool>,
    /// In simulation mode, Play is on.
    playing: RwSignal<bool>,
}

impl Sim {
    /// A fresh cluster with the lesson's busybox `test` client started.
    pub fn boot() -> Sim {
        let mut cluster = Cluster::new(Config::default());
        let _ = cluster.act(seed::run_client());
        Sim::with(cluster)
    }

    /// A given world: a lesson's, or one a share link replays.
    pub fn with(cluster: Cluster) -> Sim {
        let (now, set_now) = signal(cluster.now());
        let (version, set_version) = signal(0);
        Sim {
            cluster: StoredValue::new(World::Realtime(Box::new(cluster))),
            version,
            set_version,
            now,
            set_now,
            traffic: StoredValue::new(None),
            request: StoredValue::new(seed::request()),
            simulation: RwSignal::new(false),
            playing: RwSignal::new(false),
        }
    }

    /// Read the cluster, subscribing the caller to its changes.
    pub fn read<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.version.track();
        self.cluster.with_value(|w| f(w.cluster()))
    }

    /// Read the cluster without subscribing (event handlers).
    pub fn peek<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.cluster.with_value(|w| f(w.cluster()))
    }

    /// The virtual clock, in ms (changes every frame while running).
    pub fn now(&self) -> ReadSignal<Time> {
        self.now
    }

    /// A learner's action: what it did, or why nothing changed (each prints as kubectl's text).
    /// `None` once the world is gone (the app is closing).
    pub fn act(&self, action: Action) -> Option<Result<Outcome, ActError>> {
        let result = self
            .cluster
            .try_update_value(|w| w.update(|c| c.act(action)));
        self.changed();
        result
    }

    /// Any other change (the terminal's commands): run `f` on the cluster, then tell the views
    /// if anything they show changed.
    pub fn update<R: Default>(&self, f: impl FnOnce(&mut Cluster) -> R) -> R {
        let Some(before) = self.cluster.try_with_value(|w| world_stamp(w.cluster())) else {
            return R::default();
        };
        let (result, after) = self
            .cluster
            .try_update_value(|w| {
                let result = w.update(f);
                (result, world_stamp(w.cluster()))
            })
            .unwrap_or_default();
        if after != before {
            self.changed();
        }
        result
    }

    /// `kubectl apply -f <filename>`: all documents or nothing.
    pub fn apply(&self, text: &str, filename: &str) -> Result<Vec<Applied>, Vec<ManifestError>> {
        let result = self
            .cluster
            .try_update_value(|w| w.update(|c| c.apply(text, filename)))
            .unwrap_or_else(|| Ok(Vec::new()));
        if result.is_ok() {
            self.changed();
        }
        result
    }

    /// A share link's world: in simulation mode at its event if it was made there, else running.
    pub fn open(&self, link: &svclab_sim::share::Link) {
        let Some(timeline) = link.timeline() else {
            self.replace(link.world());
            self.set_simulation(false);
            return;
        };
        self.traffic.set_value(None);
        self.playing.set(false);
        let _ = self
            .cluster
            .try_update_value(|w| *w = World::Simulation(Box::new(timeline)));
        self.simulation.set(true);
        self.changed();
    }

    /// Put another world in place of this one (a lesson started or reset, a share link opened),
    /// in the same mode, with steady traffic going on from the new world's clock; returns the
    /// old one.
    pub fn replace(&self, cluster: Cluster) -> Option<Cluster> {
        let now = cluster.now();
        self.traffic
            .update_value(|t| *t = t.map(|t| Traffic::starting(now, t.interval)));
        self.playing.set(false);
        let world = if self.simulation.get_untracked() {
            World::Simulation(Box::new(Timeline::new(cluster)))
        } else {
            World::Realtime(Box::new(cluster))
        };
        let old = self
            .cluster
            .try_update_value(|w| std::mem::replace(w, world));
        self.changed();
        old.map(|w| match w {
            World::Realtime(c) => *c,
            World::Simulation(t) => t.into_world(),
        })
    }

    /// Start steady traffic (one request every `interval` virtual ms, the first now) or stop it.
    pub fn set_traffic(&self, interval: Option<Time>) {
        let now = self.peek(|c| c.now());
        self.traffic
            .set_value(interval.map(|i| Traffic::starting(now, i)));
        self.cluster.update_value(|w| {
            if let World::Simulation(t) = w {
                t.set_traffic(interval.map(|i| (i, self.request.get_value())));
            }
        });
    }

    /// The request steady traffic sends from now on.
    pub fn set_request(&self, request: Request) {
        self.request.set_value(request.clone());
        self.cluster.update_value(|w| {
            if let World::Simulation(t) = w {
                t.set_traffic_request(request);
            }
        });
    }

    /// Move the virtual clock by `ms`, sending the steady-traffic requests that fall due. In
    /// simulation mode the clock moves only while playing, through the timeline.
    pub fn step(&self, ms: Time) {
        if self.simulation.get_untracked() {
            if self.playing.get_untracked() {
                self.play(ms);
            }
            return;
        }
        let Some((before, now)) = self
            .cluster
            .try_with_value(|w| (world_stamp(w.cluster()), w.cluster().now()))
        else {
            return;
        };
        let mut traffic = self.traffic.get_value();
        let ticks = plan(now, ms, traffic.as_mut());
        self.traffic.set_value(traffic);
        // Cloned only on a frame that sends.
        let request = ticks
            .iter()
            .any(|t| matches!(t, Tick::Send))
            .then(|| self.request.get_value());
        let after = self
            .cluster
            .try_update_value(|w| {
                let World::Realtime(c) = w else {
                    return (before, now);
                };
                for tick in ticks {
                    match tick {
                        Tick::Advance(ms) => c.advance(ms),
                        Tick::Send => {
                            if let Some(request) = &request {
                                let _ = c.act(Action::Send {
                                    request: request.clone(),
                                });
                            }
                        }
                    }
                }
                (world_stamp(c), c.now())
            })
            .unwrap_or((before, now));
        if after.0 != before {
            self.set_version.try_update(|v| *v += 1);
        }
        if after.1 != now {
            self.set_now.try_set(after.1);
        }
    }

    /// Play in simulation mode: the clock on by `ms` through the events due. Views hear of it
    /// only when something they show changed, as in realtime.
    fn play(&self, ms: Time) {
        let stamp = |t: &Timeline| (world_stamp(t.world()), t.cursor(), t.events().len());
        let Some(before) = self.peek_timeline(stamp) else {
            return;
        };
        let after = self
            .cluster
            .try_update_value(|w| match w {
                World::Simulation(t) => {
                    let to = t.world().now().saturating_add(ms);
                    t.advance_to(to);
                    Some((stamp(t), t.world().now()))
                }
                World::Realtime(_) => None,
            })
            .flatten();
        if let Some((after, now)) = after {
            if after != before {
                self.set_version.try_update(|v| *v += 1);
            }
            if self.now.try_get_untracked() != Some(now) {
                self.set_now.try_set(now);
            }
        }
    }

    /// Simulation mode is on.
    pub fn simulation(&self) -> ReadSignal<bool> {
        self.simulation.read_only()
    }

    /// Play is on (simulation mode).
    pub fn playing(&self) -> ReadSignal<bool> {
        self.playing.read_only()
    }

    /// Play or pause (simulation mode).
    pub fn set_playing(&self, on: bool) {
        self.playing.set(on && self.simulation.get_untracked());
    }

    /// Switch between realtime and simulation mode. Simulation mode takes the world as it is
    /// (its first event is the next thing to happen); realtime mode goes on from the current
    /// event, forgetting any ahead of it.
    pub fn set_simulation(&self, on: bool) {
        if self.simulation.get_untracked() == on {
            return;
        }
        let traffic = self.traffic.get_value();
        self.cluster.update_value(|w| {
            // A stand-in for the moment the world changes hands.
            let placeholder = World::Realtime(Box::new(Cluster::new(Config::default())));
            *w = match std::mem::replace(w, placeholder) {
                World::Realtime(c) => {
                    let mut t = Timeline::new(*c);
                    t.set_traffic(traffic.map(|tr| (tr.interval, self.request.get_value())));
                    World::Simulation(Box::new(t))
                }
                World::Simulation(t) => World::Realtime(Box::new(t.into_world())),
            };
        });
        if !on {
            let now = self.peek(|c| c.now());
            self.traffic
                .update_value(|t| *t = t.map(|t| Traffic::starting(now, t.interval)));
        }
        self.playing.set(false);
        self.simulation.set(on);
        self.changed();
    }

    /// Read the timeline (simulation mode), subscribing the caller to its changes.
    pub fn timeline<R>(&self, f: impl FnOnce(&Timeline) -> R) -> Option<R> {
        self.version.track();
        self.cluster.with_value(|w| match w {
            World::Simulation(t) => Some(f(t)),
            World::Realtime(_) => None,
        })
    }

    /// Read the timeline without subscribing (event handlers).
    pub fn peek_timeline<R>(&self, f: impl FnOnce(&Timeline) -> R) -> Option<R> {
        self.cluster
            .try_with_value(|w| match w {
                World::Simulation(t) => Some(f(t)),
                World::Realtime(_) => None,
            })
            .flatten()
    }

    /// Read what the cluster builds on first read (a node's iptables or IPVS tables), in either
    /// mode, without counting as a change: in simulation mode nothing is recorded and no event
    /// ahead is forgotten.
    pub fn read_tables<R: Default>(&self, f: impl FnOnce(&mut Cluster) -> R) -> R {
        self.cluster
            .try_update_value(|w| match w {
                World::Realtime(c) => f(c),
                World::Simulation(t) => t.read_tables(f),
            })
            .unwrap_or_default()
    }

    /// Change the timeline (simulation mode): Step, Back, seek, play.
    pub fn on_timeline<R>(&self, f: impl FnOnce(&mut Timeline) -> R) -> Option<R> {
        let result = self
            .cluster
            .try_update_value(|w| match w {
                World::Simulation(t) => Some(f(t)),
                World::Realtime(_) => None,
            })
            .flatten();
        if result.is_some() {
            self.changed();
        }
        result
    }

    fn changed(&self) {
        self.set_version.try_update(|v| *v += 1);
        if let Some(now) = self.cluster.try_with_value(|w| w.cluster().now()) {
            if self.now.try_get_untracked() != Some(now) {
                self.set_now.try_set(now);
            }
        }
    }
}

/// What tells a view something changed: the cluster's revision and the newest trace.
fn world_stamp(c: &Cluster) -> (u64, Option<u64>, usize) {
    (
        c.revision(),
        c.traces().last().map(|t| t.id),
        c.traces().len(),
    )
}
