//! The one copy of the simulated world and the signals the views read it through.
//!
//! The [`Cluster`] lives in a `StoredValue` (never cloned per frame). Every change goes through
//! [`Sim`]: it mutates the cluster, then bumps `version` (anything a view could show changed) and
//! sets `now` (the virtual clock, which moves every frame). Views read the cluster with
//! [`Sim::read`], which subscribes them to `version`; the packet layer also reads `now`.

use leptos::prelude::*;
use svclab_sim::action::Action;
use svclab_sim::cluster::{ActError, Applied, Cluster, Config, Outcome};
use svclab_sim::manifest::ManifestError;
use svclab_sim::time::Time;

use crate::clock::{plan, Tick, Traffic};
use crate::seed;

#[derive(Clone, Copy)]
pub struct Sim {
    cluster: StoredValue<Cluster>,
    version: ReadSignal<u64>,
    set_version: WriteSignal<u64>,
    now: ReadSignal<Time>,
    set_now: WriteSignal<Time>,
    /// Steady traffic, when on. Read and written only by the clock, hence not a signal.
    traffic: StoredValue<Option<Traffic>>,
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
            cluster: StoredValue::new(cluster),
            version,
            set_version,
            now,
            set_now,
            traffic: StoredValue::new(None),
        }
    }

    /// Read the cluster, subscribing the caller to its changes.
    pub fn read<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.version.track();
        self.cluster.with_value(f)
    }

    /// Read the cluster without subscribing (event handlers).
    pub fn peek<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.cluster.with_value(f)
    }

    /// The virtual clock, in ms (changes every frame while running).
    pub fn now(&self) -> ReadSignal<Time> {
        self.now
    }

    /// A learner's action: what it did, or why nothing changed (each prints as kubectl's text).
    /// `None` once the world is gone (the app is closing).
    pub fn act(&self, action: Action) -> Option<Result<Outcome, ActError>> {
        let result = self.cluster.try_update_value(|c| c.act(action));
        self.changed();
        result
    }

    /// Any other change (the terminal's commands): run `f` on the cluster, then tell the views
    /// if anything they show changed.
    pub fn update<R: Default>(&self, f: impl FnOnce(&mut Cluster) -> R) -> R {
        let Some(before) = self.cluster.try_with_value(world_stamp) else {
            return R::default();
        };
        let (result, after) = self
            .cluster
            .try_update_value(|c| (f(c), world_stamp(c)))
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
            .try_update_value(|c| c.apply(text, filename))
            .unwrap_or_else(|| Ok(Vec::new()));
        if result.is_ok() {
            self.changed();
        }
        result
    }

    /// Put another world in place of this one (a lesson started or reset, a share link opened),
    /// with steady traffic stopped; returns the old one.
    pub fn replace(&self, cluster: Cluster) -> Option<Cluster> {
        self.traffic.set_value(None);
        let old = self
            .cluster
            .try_update_value(|c| std::mem::replace(c, cluster));
        self.changed();
        old
    }

    /// Start steady traffic (one request every `interval` virtual ms, the first now) or stop it.
    pub fn set_traffic(&self, interval: Option<Time>) {
        let now = self.cluster.with_value(|c| c.now());
        self.traffic
            .set_value(interval.map(|i| Traffic::starting(now, i)));
    }

    /// Move the virtual clock by `ms`, sending the steady-traffic requests that fall due.
    pub fn step(&self, ms: Time) {
        let Some((before, now)) = self.cluster.try_with_value(|c| (world_stamp(c), c.now())) else {
            return;
        };
        let mut traffic = self.traffic.get_value();
        let ticks = plan(now, ms, traffic.as_mut());
        self.traffic.set_value(traffic);
        let after = self
            .cluster
            .try_update_value(|c| {
                for tick in ticks {
                    match tick {
                        Tick::Advance(ms) => c.advance(ms),
                        Tick::Send => {
                            let _ = c.act(Action::Send {
                                request: seed::request(),
                            });
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

    fn changed(&self) {
        self.set_version.try_update(|v| *v += 1);
        if let Some(now) = self.cluster.try_with_value(|c| c.now()) {
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
