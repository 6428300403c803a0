//! Simulation mode: time the learner controls. A [`Timeline`] owns the world and moves it from
//! one event to the next ([`Timeline::step`]), back to any earlier event ([`Timeline::seek`],
//! [`Timeline::back`]) or on at a pace the app sets ([`Timeline::advance_to`]), and lists every
//! event with a stable number ([`Event`]).
//!
//! What makes it reproducible: the world only changes by *moments*, each the clock reaching a
//! time and, for the learner's actions, that action ([`crate::action::Action`], the same values
//! the cluster logs). Replaying the moments from a copy of the world gives the same world
//! (`Cluster` is deterministic from its seed), so Back restores the nearest earlier snapshot
//! (one is kept every so many events) and replays from there: the same names, IPs and random
//! choices come back. Between events the clock may run on unrecorded ([`Timeline::advance_to`]),
//! since nothing happens there that a replay would not do again.
//!
//! Events are read from the world after each moment (`collect`): the learner's actions, the
//! Kubernetes Events, ready endpoints added or removed, and each trace's packets leaving and
//! arriving, hop by hop.

mod collect;
mod event;

pub use event::{kind_label, Edge, Event, Filter, ProtocolFilter, What, Where};

use crate::action::Action;
use crate::cluster::{Cluster, Config, LoggedAction};
use crate::time::Time;
use crate::trace::Request;

use collect::Seen;

/// Events between two snapshots at first; the spacing doubles whenever the snapshots would
/// exceed [`MAX_SNAPSHOTS`], so memory stays bounded and Back replays a bounded stretch.
const SNAPSHOT_EVERY: usize = 128;
const MAX_SNAPSHOTS: usize = 48;

/// Moments a single [`Timeline::step`] tries before giving up on finding an event (timers that
/// change nothing a list would show).
const MAX_QUIET_MOMENTS: usize = 10_000;

/// Steady traffic in simulation mode: `request` every `interval` virtual ms, the next at `next`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Traffic {
    pub interval: Time,
    pub next: Time,
    pub request: Request,
}

/// The clock reaching `time`, then the learner's `action` if any.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Moment {
    time: Time,
    action: Option<Action>,
    /// How many events had happened once this moment was over: `events[..end]`.
    end: usize,
}

/// The world at a moment, kept to replay from.
#[derive(Clone, Debug)]
struct Snapshot {
    moment: usize,
    world: Cluster,
    seen: Seen,
}

/// The world in simulation mode, with its events and the moments to replay them.
#[derive(Clone, Debug)]
pub struct Timeline {
    world: Cluster,
    seen: Seen,
    events: Vec<Event>,
    moments: Vec<Moment>,
    /// The moment the world is at.
    at: usize,
    /// The clock ran on past `moments[at]` without an event.
    drifted: bool,
    /// Events `1..=cursor` have happened; event `cursor` is the current one (none at 0).
    cursor: usize,
    snapshots: Vec<Snapshot>,
    every: usize,
    traffic: Option<Traffic>,
    /// How many actions the world had logged when the timeline took it over.
    logged: usize,
}

impl Timeline {
    /// Take over a world at its clock. What happened before is not listed; event 1 is the first
    /// thing that happens from here.
    pub fn new(world: Cluster) -> Timeline {
        let seen = Seen::all_of(&world);
        let world_logged = world.log().len();
        Timeline {
            snapshots: vec![Snapshot {
                moment: 0,
                world: world.clone(),
                seen: seen.clone(),
            }],
            moments: vec![Moment {
                time: world.now(),
                action: None,
                end: 0,
            }],
            world,
            seen,
            events: Vec::new(),
            at: 0,
            drifted: false,
            cursor: 0,
            every: SNAPSHOT_EVERY,
            traffic: None,
            logged: world_logged,
        }
    }

    /// A timeline rebuilt from what [`Timeline::log`] and [`Timeline::start`] gave: `world` as
    /// it was taken over, then every later action at its time, and the clock run on to `until`.
    /// Its moments are the original's (an action at the time the clock would have stopped for
    /// anyway shares that moment, as steady traffic's requests do), so its events have the
    /// original's numbers. The current event is the last.
    pub fn rebuild(world: Cluster, actions: &[LoggedAction], until: Time) -> Timeline {
        let mut t = Timeline::new(world);
        for entry in actions {
            while t.next_time().is_some_and(|next| next < entry.time) {
                if !t.step_live() {
                    break;
                }
            }
            t.live_moment(entry.time, Some(entry.action.clone()));
        }
        while t.next_time().is_some_and(|next| next <= until) {
            if !t.step_live() {
                break;
            }
        }
        let now = t.world.now();
        if until > now {
            t.world.advance(until - now);
            t.drifted = true;
        }
        t.cursor = t.events.len();
        t
    }

    /// Where the timeline began: how many actions the world had logged and its clock then.
    pub fn start(&self) -> (usize, Time) {
        (self.logged, self.moments[0].time)
    }

    /// Every action of the scenario, including those of events ahead of the current one after
    /// Back: the world's log when the timeline took it over, then each moment's action.
    pub fn log(&self) -> Vec<LoggedAction> {
        let mut log: Vec<LoggedAction> =
            self.world.log()[..self.logged.min(self.world.log().len())].to_vec();
        log.extend(self.moments.iter().filter_map(|m| {
            m.action.clone().map(|action| LoggedAction {
                time: m.time,
                action,
            })
        }));
        log
    }

    /// The latest time the timeline has reached (its live edge), wherever the current event is.
    pub fn reached(&self) -> Time {
        let last = self.moments.last().map_or(0, |m| m.time);
        if self.at + 1 == self.moments.len() {
            last.max(self.world.now())
        } else {
            last
        }
    }

    /// A scenario from its seed and action log (manifests included), moved event by event up to
    /// the last action: every event from the fresh cluster on gets its number, the same in every
    /// run.
    pub fn replay(config: Config, log: &[LoggedAction]) -> Timeline {
        let mut t = Timeline::new(Cluster::new(config));
        for entry in log {
            t.advance_to(entry.time);
            let _ = t.act(entry.action.clone());
        }
        t
    }

    /// The world at the current moment.
    pub fn world(&self) -> &Cluster {
        &self.world
    }

    /// Give the world back, at the current moment, for realtime mode.
    pub fn into_world(self) -> Cluster {
        self.world
    }

    /// Every event known: those up to the current one and, after going back, those still ahead.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The current event's number; 0 before the first.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The current event.
    pub fn current(&self) -> Option<&Event> {
        self.cursor.checked_sub(1).and_then(|i| self.events.get(i))
    }

    /// Steady traffic, if on.
    pub fn traffic(&self) -> Option<&Traffic> {
        self.traffic.as_ref()
    }

    /// Send `request` every `interval` virtual ms from now (`Some`), or stop (`None`).
    pub fn set_traffic(&mut self, traffic: Option<(Time, Request)>) {
        let now = self.world.now();
        self.traffic = traffic.map(|(interval, request)| Traffic {
            interval: interval.max(1),
            next: now,
            request,
        });
    }

    /// Steady traffic sends `request` from now on, keeping its pace.
    pub fn set_traffic_request(&mut self, request: Request) {
        if let Some(t) = &mut self.traffic {
            t.request = request;
        }
    }

    /// When the next event may happen at the live edge: a timer, a packet reaching the end of a
    /// hop, steady traffic.
    pub fn next_time(&self) -> Option<Time> {
        [
            self.world.next_wake(),
            self.seen.next_edge(&self.world),
            self.traffic.as_ref().map(|t| t.next.max(self.world.now())),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// A learner's action now. Going back and acting forgets the events that were ahead.
    pub fn act(
        &mut self,
        action: Action,
    ) -> Result<crate::cluster::Outcome, crate::cluster::ActError> {
        self.update(|c| c.act(action))
    }

    /// Anything else that may act on the world (the terminal's commands): every action it logs
    /// becomes a moment, replayed as that action.
    pub fn update<R>(&mut self, f: impl FnOnce(&mut Cluster) -> R) -> R {
        let logged = self.before_change();
        let result = f(&mut self.world);
        self.after_change(logged);
        result
    }

    /// Read the world through what it builds on first read (a node's rule tables): nothing is
    /// recorded and no event ahead is forgotten. `f` must not act on the world.
    pub fn read_tables<R>(&mut self, f: impl FnOnce(&mut Cluster) -> R) -> R {
        f(&mut self.world)
    }

    /// Before the learner changes the world: forget what was ahead; how long the log is.
    fn before_change(&mut self) -> usize {
        self.forget_ahead();
        self.world.log().len()
    }

    /// After: each action logged since `logged` is a moment, and its events are listed.
    fn after_change(&mut self, logged: usize) {
        let new: Vec<LoggedAction> = self.world.log().get(logged..).unwrap_or_default().to_vec();
        if new.is_empty() {
            return;
        }
        let before = self.events.len();
        for a in new {
            self.moments.push(Moment {
                time: a.time,
                action: Some(a.action),
                end: before,
            });
        }
        self.at = self.moments.len() - 1;
        self.drifted = false;
        self.collect();
        if self.events.len() > before {
            self.cursor = before + 1;
        }
    }

    /// Move to the next event: the next one already listed, or the next thing to happen.
    /// `false` when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        if self.cursor < self.events.len() {
            self.seek(self.cursor + 1);
            return true;
        }
        self.go_live();
        let before = self.events.len();
        for _ in 0..MAX_QUIET_MOMENTS {
            if !self.step_live() || self.events.len() > before {
                break;
            }
        }
        if self.events.len() > before {
            self.cursor = before + 1;
            true
        } else {
            false
        }
    }

    /// Back to the event before the current one. `false` before the first.
    pub fn back(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        self.seek(self.cursor - 1);
        true
    }

    /// Make event `n` the current one (0: before the first), with the world as it was right
    /// after it. Past the last event, the last.
    pub fn seek(&mut self, n: usize) {
        let n = n.min(self.events.len());
        let moment = if n == 0 {
            0
        } else {
            // The moment whose events include event n.
            self.moments.partition_point(|m| m.end < n)
        };
        self.restore(moment.min(self.moments.len() - 1));
        self.cursor = n;
    }

    /// Play: move the clock on to `t`, through every event due by then (listed ones first).
    pub fn advance_to(&mut self, t: Time) {
        while let Some(next) = self.events.get(self.cursor) {
            if next.time > t {
                break;
            }
            self.seek(self.cursor + 1);
        }
        if self.cursor == self.events.len() {
            self.go_live();
            while self.next_time().is_some_and(|next| next <= t) {
                if !self.step_live() {
                    break;
                }
            }
            self.cursor = self.events.len();
        }
        let now = self.world.now();
        if t > now {
            self.world.advance(t - now);
            self.drifted = true;
        }
    }

    /// One moment at the live edge: the clock reaches the next time something is due, and
    /// steady traffic sends if that is what is due.
    fn step_live(&mut self) -> bool {
        let Some(next) = self.next_time() else {
            return false;
        };
        let send = self
            .traffic
            .as_mut()
            .filter(|t| t.next.max(self.world.now()) <= next)
            .map(|t| {
                t.next = t.next.max(next).saturating_add(t.interval);
                Action::Send {
                    request: t.request.clone(),
                }
            });
        self.live_moment(next, send);
        true
    }

    /// Add a moment at the live edge: the clock to `time`, then `action`, and its events.
    fn live_moment(&mut self, time: Time, action: Option<Action>) {
        let moment = Moment {
            time,
            action,
            end: self.events.len(),
        };
        play(&mut self.world, &moment);
        self.moments.push(moment);
        self.at = self.moments.len() - 1;
        self.drifted = false;
        self.collect();
    }

    /// Read the events of the moment just played, and keep a snapshot when due.
    fn collect(&mut self) {
        let read = self.seen.read(&self.world);
        let first = self.events.len() + 1;
        self.events.extend(collect::number(read, first));
        if let Some(m) = self.moments.last_mut() {
            m.end = self.events.len();
        }
        let last = self
            .snapshots
            .last()
            .and_then(|s| self.moments.get(s.moment))
            .map_or(0, |m| m.end);
        if self.events.len() >= last + self.every {
            self.snapshots.push(Snapshot {
                moment: self.at,
                world: self.world.clone(),
                seen: self.seen.clone(),
            });
            if self.snapshots.len() > MAX_SNAPSHOTS {
                // Keep the first and every other one after it.
                let mut i = 0;
                self.snapshots.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                self.every *= 2;
            }
        }
    }

    /// Go to the last moment, ready to add more.
    fn go_live(&mut self) {
        let last = self.moments.len() - 1;
        if self.at != last {
            self.restore(last);
        }
        self.cursor = self.events.len();
    }

    /// Before acting: what was ahead of the current moment did not happen after all.
    fn forget_ahead(&mut self) {
        if self.at + 1 < self.moments.len() || self.cursor < self.events.len() {
            self.moments.truncate(self.at + 1);
            let end = self.moments[self.at].end;
            self.events.truncate(end);
            self.snapshots.retain(|s| s.moment <= self.at);
            self.cursor = self.events.len();
            let now = self.world.now();
            if let Some(t) = &mut self.traffic {
                t.next = t.next.clamp(now, now.saturating_add(t.interval));
            }
        }
    }

    /// Put the world at moment `m`: play on from the current world when `m` is ahead of it,
    /// otherwise from the nearest snapshot at or before `m`.
    fn restore(&mut self, m: usize) {
        let Some(target) = self.moments.get(m) else {
            return;
        };
        if m == self.at && !self.drifted {
            return;
        }
        let ahead = m > self.at && self.world.now() <= target.time;
        if !ahead {
            let i = self
                .snapshots
                .partition_point(|s| s.moment <= m)
                .saturating_sub(1);
            let Some(s) = self.snapshots.get(i) else {
                return;
            };
            self.world = s.world.clone();
            self.seen = s.seen.clone();
            self.at = s.moment;
        }
        for moment in self.moments.get(self.at + 1..=m).unwrap_or_default() {
            play(&mut self.world, moment);
            let _ = self.seen.read(&self.world);
        }
        self.at = m;
        self.drifted = false;
    }
}

/// Play one moment on a world: the clock to its time, then its action.
fn play(world: &mut Cluster, moment: &Moment) {
    let now = world.now();
    if moment.time > now {
        world.advance(moment.time - now);
    } else if moment.time == now && moment.action.is_none() {
        // Timers due right now.
        world.advance(0);
    }
    if let Some(action) = &moment.action {
        let _ = world.act(action.clone());
    }
}
