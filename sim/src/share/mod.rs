//! Share links: the editor's manifests, the seed, the lesson, the action log, the virtual clock and
//! the simulation-mode position, packed into a URL fragment. Opening one replays the log from the
//! seed, so the same pod names, IPs and event numbers come back. A link that was cut short or
//! changed is refused with a clear message; nothing is half-read.

mod lz;
mod wire;

use std::fmt;

use sha2::{Digest, Sha256};

use crate::action::{Action, MAX_TRAFFIC_INTERVAL, MIN_TRAFFIC_INTERVAL};
use crate::cluster::{Cluster, Config, LoggedAction};
use crate::time::{Time, HOUR};
use crate::timeline::Timeline;
use wire::{base64url, from_base64url, Reader, Writer};

/// What a share link carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub seed: u64,
    /// The manifest editor's text (it may differ from what was applied).
    pub manifests: String,
    /// The lesson being worked on, by id, and the virtual time it started at (its checks count
    /// requests from then on).
    pub lesson: Option<(String, Time)>,
    /// Every accepted action, with its time.
    pub log: Vec<LoggedAction>,
    /// The virtual clock when the link was made.
    pub now: Time,
    /// Where simulation mode was, if it was on.
    pub simulation: Option<Position>,
    /// The lesson's file, when the lesson is not a built-in one: a fresh browser has no other
    /// way to find it.
    pub lesson_file: Option<String>,
}

/// Simulation mode in a link: where its timeline began and the current event. The link's log
/// holds every action of the scenario (those of events ahead of the current one too) and its
/// clock the latest time the timeline reached, so the events after the current one come back
/// as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// How many of the log's actions came before simulation mode began.
    pub logged: u64,
    /// The virtual time it began at.
    pub since: Time,
    /// The current event's number (0: before the first).
    pub event: u64,
}

/// Why a link could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// Not a svclab link at all (no `svclab1.` prefix).
    NotALink,
    /// Made by a newer svclab.
    Version(String),
    /// Characters that cannot be in a link, or a link that is cut short or was changed.
    Damaged,
    /// Decodes to more than svclab opens.
    TooLarge,
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::NotALink => f.write_str("this is not a svclab share link"),
            ShareError::Version(v) => write!(
                f,
                "this share link was made by a newer svclab (format {v}); open it there"
            ),
            ShareError::Damaged => f.write_str(
                "this share link is damaged: it was cut short or changed on the way (copy the whole link again)",
            ),
            ShareError::TooLarge => f.write_str(
                "this share link holds more than svclab opens (at most a week of virtual time, 20,000 actions and 250,000 requests)",
            ),
        }
    }
}

/// The format's name and version, first in every link.
const PREFIX: &str = "svclab1.";
/// First in a link that carries a lesson file ([`lesson_link`]).
pub const LESSON_PREFIX: &str = "lesson1.";
/// What a link may decode to at most.
const MAX_DECODED: usize = 8 * 1024 * 1024;
/// The latest virtual time a link may hold (its clock, an action's time, where simulation mode
/// or the lesson began): a week. Opening a link replays it, and a clock set near `u64::MAX`
/// would keep the page replaying forever.
pub const MAX_CLOCK: Time = 7 * 24 * HOUR;
/// The most actions a link's log may hold; a learner's session logs one per click or command.
pub const MAX_ACTIONS: usize = 20_000;
/// The most requests opening a link may send: those in its log and those its steady traffic
/// sends on the way (about seven hours of the fastest traffic; a few seconds to replay).
pub const MAX_REQUESTS: u64 = 250_000;
const CHECKSUM_BYTES: usize = 4;

/// Bytes compressed, checksummed and written in base64url.
fn pack(bytes: &[u8]) -> String {
    let mut packed = lz::compress(bytes);
    let sum = Sha256::digest(&packed);
    packed.extend_from_slice(&sum[..CHECKSUM_BYTES]);
    base64url(&packed)
}

/// [`pack`] undone: the bytes, or why not.
fn unpack(body: &str) -> Result<Vec<u8>, ShareError> {
    if body.len() > MAX_DECODED {
        return Err(ShareError::TooLarge);
    }
    let packed = from_base64url(body).ok_or(ShareError::Damaged)?;
    let split = packed
        .len()
        .checked_sub(CHECKSUM_BYTES)
        .ok_or(ShareError::Damaged)?;
    let (packed, sum) = packed.split_at(split);
    // The checksum covers the compressed bytes, so any changed character is caught, even one
    // that would decompress to the same text.
    if Sha256::digest(packed)[..CHECKSUM_BYTES] != *sum {
        return Err(ShareError::Damaged);
    }
    lz::decompress(packed, MAX_DECODED).ok_or(ShareError::Damaged)
}

/// A lesson file as a link's fragment (`lesson1.` and the packed text), so an instructor can hand
/// out a lesson of their own as a URL.
pub fn lesson_link(file: &str) -> String {
    format!("{LESSON_PREFIX}{}", pack(file.as_bytes()))
}

/// The lesson file a [`lesson_link`] carries (with or without a leading `#`).
pub fn lesson_from_link(text: &str) -> Result<String, ShareError> {
    let text = text.trim();
    let text = text.strip_prefix('#').unwrap_or(text);
    let body = text
        .strip_prefix(LESSON_PREFIX)
        .ok_or(match text.split_once('.') {
            Some((v, _)) if v.starts_with("lesson") => ShareError::Version(v.into()),
            _ => ShareError::NotALink,
        })?;
    String::from_utf8(unpack(body)?).map_err(|_| ShareError::Damaged)
}

/// A link's text around any bytes, with the right checksum: what a tamperer who recomputes the
/// checksum could make. For the fuzz test: [`Link::decode`] must refuse or read it whole.
#[doc(hidden)]
pub fn seal(bytes: &[u8]) -> String {
    format!("{PREFIX}{}", pack(bytes))
}

/// The bytes a link's text packs ([`seal`] undone), for the fuzz test to change them.
#[doc(hidden)]
pub fn body_bytes(text: &str) -> Result<Vec<u8>, ShareError> {
    unpack(text.strip_prefix(PREFIX).ok_or(ShareError::NotALink)?)
}

impl Link {
    /// The link's text, to put after `#` in the page's URL.
    pub fn encode(&self) -> String {
        let mut w = Writer::default();
        w.int(self.seed);
        w.str(&self.manifests);
        w.option(&self.lesson, |w, (id, since)| {
            w.str(id);
            w.int(*since);
        });
        w.int(self.now);
        w.option(&self.simulation, |w, p| {
            w.int(p.logged);
            w.int(p.since);
            w.int(p.event);
        });
        w.int(self.log.len() as u64);
        for entry in &self.log {
            w.action(entry);
        }
        // Last, so that links made before it was added still read.
        w.option(&self.lesson_file, |w, f| w.str(f));
        format!("{PREFIX}{}", pack(&w.0))
    }

    /// Read a link's text (with or without a leading `#`).
    pub fn decode(text: &str) -> Result<Link, ShareError> {
        let text = text.trim();
        let text = text.strip_prefix('#').unwrap_or(text);
        let Some(body) = text.strip_prefix(PREFIX) else {
            return match text.split_once('.') {
                Some((v, _)) if v.starts_with("svclab") => Err(ShareError::Version(v.into())),
                _ => Err(ShareError::NotALink),
            };
        };
        let link = read(&unpack(body)?).ok_or(ShareError::Damaged)?;
        if !link.within_limits() {
            return Err(ShareError::TooLarge);
        }
        Ok(link)
    }

    /// Whether opening the link is bounded work: its times, actions and requests within
    /// [`MAX_CLOCK`], [`MAX_ACTIONS`] and [`MAX_REQUESTS`].
    fn within_limits(&self) -> bool {
        let times = [self.now]
            .into_iter()
            .chain(self.lesson.as_ref().map(|(_, since)| *since))
            .chain(self.simulation.map(|p| p.since))
            .chain(self.log.iter().map(|e| e.time));
        if times.into_iter().any(|t| t > MAX_CLOCK) || self.log.len() > MAX_ACTIONS {
            return false;
        }
        // Steady traffic runs from each SetTraffic to the next, or to the end of the link, at its
        // interval as the cluster keeps it.
        let end = self.log.iter().map(|e| e.time).fold(self.now, Time::max);
        let mut requests = 0;
        let mut traffic: Option<(Time, Time)> = None;
        let count = |from: Time, to: Time, interval: Time| {
            to.saturating_sub(from) / interval.clamp(MIN_TRAFFIC_INTERVAL, MAX_TRAFFIC_INTERVAL) + 1
        };
        for entry in &self.log {
            match &entry.action {
                Action::Send { .. } => requests += 1,
                Action::SetTraffic { traffic: next } => {
                    if let Some((since, interval)) = traffic {
                        requests += count(since, entry.time, interval);
                    }
                    traffic = next.as_ref().map(|t| (entry.time, t.interval));
                }
                _ => {}
            }
        }
        if let Some((since, interval)) = traffic {
            requests += count(since, end, interval);
        }
        requests <= MAX_REQUESTS
    }

    /// A link for `cluster` as it is, with the editor's text and the lesson.
    pub fn of(cluster: &Cluster, manifests: &str, lesson: Option<(&str, Time)>) -> Link {
        Link {
            seed: cluster.config().seed,
            manifests: manifests.to_string(),
            lesson: lesson.map(|(id, since)| (id.to_string(), since)),
            log: cluster.log().to_vec(),
            now: cluster.now(),
            simulation: None,
            lesson_file: None,
        }
    }

    /// A link for simulation mode: the scenario `timeline` holds and its current event.
    pub fn at(timeline: &Timeline, manifests: &str, lesson: Option<(&str, Time)>) -> Link {
        let (logged, since) = timeline.start();
        Link {
            log: timeline.log(),
            now: timeline.reached(),
            simulation: Some(Position {
                logged: logged as u64,
                since,
                event: timeline.cursor() as u64,
            }),
            ..Link::of(timeline.world(), manifests, lesson)
        }
    }

    /// Simulation mode as the link left it: the timeline rebuilt from where it began, at the
    /// link's current event. `None` for a link made in realtime mode.
    pub fn timeline(&self) -> Option<Timeline> {
        let p = self.simulation?;
        let split = usize::try_from(p.logged)
            .unwrap_or(usize::MAX)
            .min(self.log.len());
        let (before, after) = self.log.split_at(split);
        let mut world = Cluster::replay(self.config(), before);
        if p.since > world.now() {
            world.advance(p.since - world.now());
        }
        let mut t = Timeline::rebuild(world, after, self.now);
        t.seek(usize::try_from(p.event).unwrap_or(usize::MAX));
        Some(t)
    }

    fn config(&self) -> Config {
        Config {
            seed: self.seed,
            ..Config::default()
        }
    }

    /// The world the link describes: its log replayed from its seed, and the clock run on to
    /// when the link was made.
    pub fn world(&self) -> Cluster {
        let mut cluster = Cluster::replay(self.config(), &self.log);
        if self.now > cluster.now() {
            cluster.advance(self.now - cluster.now());
        }
        cluster
    }
}

fn read(bytes: &[u8]) -> Option<Link> {
    let mut r = Reader::new(bytes);
    let seed = r.int()?;
    let manifests = r.str()?;
    let lesson = r.option(|r| Some((r.str()?, r.int()?)))?;
    let now = r.int()?;
    let simulation = r.option(|r| {
        Some(Position {
            logged: r.int()?,
            since: r.int()?,
            event: r.int()?,
        })
    })?;
    let n = r.count()?;
    let log = (0..n).map(|_| r.action()).collect::<Option<Vec<_>>>()?;
    let lesson_file = if r.done() {
        None
    } else {
        r.option(Reader::str)?
    };
    r.done().then_some(Link {
        seed,
        manifests,
        lesson,
        log,
        now,
        simulation,
        lesson_file,
    })
}
