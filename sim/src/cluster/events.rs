//! Kubernetes Events: recording them, counting a repeat on the first (`x12 over 4m`), and the
//! hash index that finds the first.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::map::SortedMap;
use crate::model::*;
use crate::time::{human_duration, Time, HOUR};

use super::Cluster;

/// Where the API server keeps events about cluster-scoped objects such as Nodes.
pub const NODE_EVENTS_NAMESPACE: &str = "default";

/// Events kept for `kubectl describe` and `get events` (up to a quarter more between trims).
const MAX_EVENTS: usize = 2_000;

/// A Kubernetes Event, as `kubectl describe` lists them. The same event again (same object,
/// type, reason, message and source) within the hour the API server keeps it is counted on the
/// first, as the kubelet's and controllers' event recorders do: `2m (x12 over 4m)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When it first happened (`firstTimestamp`; the event's name derives from it).
    pub time: Time,
    /// When it last happened (`lastTimestamp`).
    pub last: Time,
    /// How many times it happened.
    pub count: u32,
    pub namespace: String,
    /// `pod/backend-5d9c8b7f6-x2x9z`.
    pub object: String,
    /// The object's uid when the event happened: a namesake made later has events of its own.
    pub uid: String,
    pub warning: bool,
    pub reason: String,
    pub message: String,
    /// `default-scheduler`, `kubelet`, `replicaset-controller`, ...
    pub source: String,
}

impl Event {
    /// The Age column of `kubectl describe`'s events at `now`: `95s`, or for a repeated event
    /// `5s (x10 over 95s)` (since the last time, how many times, since the first).
    pub fn age(&self, now: Time) -> String {
        let first = human_duration(now.saturating_sub(self.time));
        if self.count > 1 {
            let last = human_duration(now.saturating_sub(self.last));
            format!("{last} (x{} over {first})", self.count)
        } else {
            first
        }
    }
}

/// Event positions by a hash that is already spread: no hashing again, and no OS randomness
/// (a `HashMap`'s default hasher seeds itself from it).
pub(super) type EventIndexByHash = HashMap<u64, usize, BuildHasherDefault<Prehashed>>;

#[derive(Clone, Default)]
pub(super) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    // The keys are `u64`s, hashed by `write_u64`; this only completes the trait.
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// What makes two events the same one: namespace, object (name and uid), reason and message
/// (the type and source go with the reason in every event svclab records), hashed (FNV-1a,
/// 64 bits).
fn event_hash(parts: [&str; 5]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Events by namespace and object: the index of the latest one.
pub(super) type EventIndex = SortedMap<String, SortedMap<String, usize>>;

impl Cluster {
    /// Record an event, or count it again on the same event; returns how many of the oldest
    /// events were dropped to make room.
    pub(super) fn event(
        &mut self,
        ns: &str,
        object: String,
        warning: bool,
        reason: &str,
        message: String,
        source: &str,
    ) -> usize {
        let uid = self.object_uid(ns, &object).unwrap_or_default().to_string();
        let hash = event_hash([ns, &object, &uid, reason, &message]);
        if let Some(e) = self
            .event_index
            .get(&hash)
            .and_then(|&i| self.events.get_mut(i))
        {
            // The API server forgets an event an hour after its last update; then it is new.
            // (A hash shared by two different events only costs a count: they stay apart.)
            let same = e.namespace == ns
                && e.object == object
                && e.uid == uid
                && e.reason == reason
                && e.message == message;
            if same && self.now.saturating_sub(e.last) < HOUR {
                e.last = self.now;
                e.count += 1;
                return 0;
            }
        }
        self.event_index.insert(hash, self.events.len());
        self.events.push(Event {
            time: self.now,
            last: self.now,
            count: 1,
            namespace: ns.to_string(),
            object,
            uid,
            warning,
            reason: reason.to_string(),
            message,
            source: source.to_string(),
        });
        // Forget the oldest in batches: dropping one from the front of thousands per event
        // would move them all each time.
        if self.events.len() > MAX_EVENTS + MAX_EVENTS / 4 {
            let extra = self.events.len() - MAX_EVENTS;
            self.events.drain(..extra);
            self.event_index.retain(|_, i| {
                *i = i.wrapping_sub(extra);
                *i < MAX_EVENTS
            });
            extra
        } else {
            0
        }
    }

    /// What kube-proxy on every node records when it starts in IPVS mode (kubernetes/kubernetes
    /// `cmd/kube-proxy/app/server_linux.go`, `createProxier`, since v1.35):
    /// `s.Recorder.Eventf(s.NodeRef, nil, v1.EventTypeWarning, "IPVSDeprecation",
    /// "StartKubeProxy", message)`. Its recorder is an events.k8s.io one with reporting
    /// controller `kube-proxy`; an event about a Node, which has no namespace, is stored in
    /// `default`.
    pub(super) fn ipvs_deprecation_events(&mut self) {
        let nodes: Vec<String> = self.nodes.iter().map(|n| n.meta.name.clone()).collect();
        for node in nodes {
            self.event(
                NODE_EVENTS_NAMESPACE,
                format!("node/{node}"),
                true,
                "IPVSDeprecation",
                crate::kube_proxy::IPVS_DEPRECATED.to_string(),
                "kube-proxy",
            );
        }
    }

    /// The uid of an event's object (`pod/NAME`, `replicaset/NAME`, ...), if it exists.
    fn object_uid(&self, ns: &str, object: &str) -> Option<&str> {
        let (kind, name) = object.split_once('/')?;
        let key = ObjectKey::new(ns, name);
        let meta = match kind {
            "pod" => &self.pods.get(&key)?.meta,
            "replicaset" => &self.replica_sets.get(&key)?.meta,
            "deployment" => &self.deployments.get(&key)?.meta,
            "service" => &self.services.get(&key)?.meta,
            "node" => &self.node(name)?.meta,
            _ => return None,
        };
        Some(&meta.uid)
    }
}
