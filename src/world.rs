//! The one copy of the simulated world and the signals the views read it through.
//!
//! The world lives in a `StoredValue` (never cloned per frame): in realtime mode a [`Cluster`]
//! the frame loop advances, in simulation mode a [`Timeline`] that owns the cluster and moves it
//! only by Step, Back and Play. Every change goes through [`Sim`]: it mutates the world, then
//! bumps `version` (anything a view could show changed) and sets `now` (the virtual clock, which
//! moves every frame while running). Views read the cluster with [`Sim::read`], which subscribes
//! them to `version`; the packet layer also reads `now`.

use leptos::prelude::*;
use svclab_sim::action::{Action, SteadyTraffic};
use svclab_sim::cluster::{ActError, Applied, Cluster, Config, Outcome};
use svclab_sim::manifest::ManifestError;
use svclab_sim::time::Time;
use svclab_sim::timeline::Timeline;
use svclab_sim::trace::Request;

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
    /// Steady traffic's interval (virtual ms), when the learner has it on. In realtime mode the
    /// cluster sends it ([`Action::SetTraffic`], kept in step by [`Sim::sync_traffic`]); in
    /// simulation mode the timeline does.
    traffic: RwSignal<Option<Time>>,
    /// What steady traffic sends: the request builder's request (the seed's at first).
    request: StoredValue<Request>,
    /// Simulation mode is on. (Split once here: `RwSignal::read_only` makes a new signal in
    /// the arena at every call, which a caller outside any owner, such as the frame loop,
    /// never gives back.)
    simulation: ReadSignal<bool>,
    set_simulation: WriteSignal<bool>,
    /// In simulation mode, Play is on.
    playing: ReadSignal<bool>,
    set_playing: WriteSignal<bool>,
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
        let (simulation, set_simulation) = signal(false);
        let (playing, set_playing) = signal(false);
        Sim {
            cluster: StoredValue::new(World::Realtime(Box::new(cluster))),
            version,
            set_version,
            now,
            set_now,
            traffic: RwSignal::new(None),
            request: StoredValue::new(seed::request()),
            simulation,
            set_simulation,
            playing,
            set_playing,
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
        self.traffic.set(None);
        self.set_playing.set(false);
        let _ = self
            .cluster
            .try_update_value(|w| *w = World::Simulation(Box::new(timeline)));
        self.set_simulation.set(true);
        self.changed();
    }

    /// Put another world in place of this one (a lesson started or reset, a share link opened),
    /// in the same mode, with steady traffic going on in the new world if it is on; returns the
    /// old one.
    pub fn replace(&self, mut cluster: Cluster) -> Option<Cluster> {
        self.set_playing.set(false);
        let world = if self.simulation.get_untracked() {
            World::Simulation(Box::new(self.timeline_of(cluster)))
        } else {
            self.sync_traffic(&mut cluster);
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

    /// Steady traffic as the learner has set it: the builder's request every interval.
    fn wanted_traffic(&self) -> Option<SteadyTraffic> {
        self.traffic.get_untracked().map(|interval| SteadyTraffic {
            interval,
            request: self.request.get_value(),
        })
    }

    /// A realtime world's steady traffic made what the learner has set (one logged action when
    /// it differs; the same request at the same interval keeps its pace).
    fn sync_traffic(&self, c: &mut Cluster) {
        let wanted = self.wanted_traffic();
        if c.traffic() != wanted.as_ref() {
            let _ = c.act(Action::SetTraffic { traffic: wanted });
        }
    }

    /// A timeline over `cluster`, which it steps itself: the cluster's own steady traffic off,
    /// the timeline's on if the learner has it on.
    fn timeline_of(&self, mut cluster: Cluster) -> Timeline {
        if cluster.traffic().is_some() {
            let _ = cluster.act(Action::SetTraffic { traffic: None });
        }
        let mut t = Timeline::new(cluster);
        t.set_traffic(self.wanted_traffic().map(|w| (w.interval, w.request)));
        t
    }

    /// Steady traffic's interval while it is on (the toolbar's toggle follows it: opening a
    /// share link turns it off).
    pub fn traffic(&self) -> Option<Time> {
        self.traffic.get()
    }

    /// Start steady traffic (one request every `interval` virtual ms, the first now) or stop it.
    pub fn set_traffic(&self, interval: Option<Time>) {
        self.traffic.set(interval);
        self.cluster.update_value(|w| match w {
            World::Realtime(c) => self.sync_traffic(c),
            World::Simulation(t) => {
                t.set_traffic(self.wanted_traffic().map(|w| (w.interval, w.request)))
            }
        });
        self.changed();
    }

    /// The request steady traffic sends from now on.
    pub fn set_request(&self, request: Request) {
        self.request.set_value(request.clone());
        self.cluster.update_value(|w| match w {
            World::Realtime(c) => {
                if c.traffic().is_some() {
                    self.sync_traffic(c);
                }
            }
            World::Simulation(t) => t.set_traffic_request(request),
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
        let after = self
            .cluster
            .try_update_value(|w| {
                let World::Realtime(c) = w else {
                    return (before, now);
                };
                // The cluster sends steady traffic's requests as its clock passes them.
                c.advance(ms);
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
        self.simulation
    }

    /// Play is on (simulation mode).
    pub fn playing(&self) -> ReadSignal<bool> {
        self.playing
    }

    /// Play or pause (simulation mode).
    pub fn set_playing(&self, on: bool) {
        self.set_playing.set(on && self.simulation.get_untracked());
    }

    /// Switch between realtime and simulation mode. Simulation mode takes the world as it is
    /// (its first event is the next thing to happen); realtime mode goes on from the current
    /// event, forgetting any ahead of it.
    pub fn set_simulation(&self, on: bool) {
        if self.simulation.get_untracked() == on {
            return;
        }
        self.cluster.update_value(|w| {
            // A stand-in for the moment the world changes hands.
            let placeholder = World::Realtime(Box::new(Cluster::new(Config::default())));
            *w = match std::mem::replace(w, placeholder) {
                World::Realtime(c) => World::Simulation(Box::new(self.timeline_of(*c))),
                World::Simulation(t) => {
                    let mut c = t.into_world();
                    self.sync_traffic(&mut c);
                    World::Realtime(Box::new(c))
                }
            };
        });
        self.set_playing.set(false);
        self.set_simulation.set(on);
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
