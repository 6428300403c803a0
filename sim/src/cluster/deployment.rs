//! The Deployment controller: a ReplicaSet per pod template, rolling updates, and each
//! rollout's progress and deadline as its status and `Progressing` condition report them.

use crate::map::{SortedMap, SortedSet};
use crate::model::*;
use crate::names;
use crate::time::{Time, SECOND};

use super::replica_set::OwnedPods;
use super::timers::Timer;
use super::Cluster;

/// A Deployment's pods as `kubectl get deployments` counts them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeploymentCounts {
    /// Pods ready (the `READY` column's numerator); a ready pod is available at once, so this
    /// equals `available`.
    pub ready: i64,
    /// `spec.replicas` (the `READY` column's denominator).
    pub desired: i64,
    /// Pods of the current template (`UP-TO-DATE`).
    pub up_to_date: i64,
    /// Pods available (`AVAILABLE`).
    pub available: i64,
}

/// What the Deployment controller remembers of a rollout between syncs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Progress {
    /// The last progress (a ReplicaSet made or scaled, a pod of it ready): the condition's
    /// lastUpdateTime.
    last: Time,
    /// The rollout was seen complete since (`NewReplicaSetAvailable`): a Deployment that
    /// later runs short of pods (one killed, one failing its probe) has not stopped
    /// progressing; only a rollout under way can exceed its deadline.
    settled: bool,
    /// When this Deployment's one pending [`Timer::ProgressDeadline`] fires, if one is.
    check_at: Option<Time>,
}

/// A Deployment's rollout as its status and `Progressing` condition report it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rollout {
    /// The ReplicaSet of the current template (`backend-7bc85fd6c5`).
    pub new_replica_set: String,
    pub desired: i64,
    /// Pods of the current template's ReplicaSet.
    pub updated: i64,
    /// Pods of all its ReplicaSets (not terminating).
    pub total: i64,
    pub available: i64,
    pub last_progress: Time,
    /// Every pod is of the current template and available, and no old one is left.
    pub complete: bool,
    /// It was complete since its last change of template or scale: short of pods now (one
    /// killed, one failing its probe), it still counts as having progressed.
    pub settled: bool,
    /// Not complete, and no progress for `progressDeadlineSeconds`.
    pub timed_out: bool,
}

impl Rollout {
    /// The `Available` condition: at most maxUnavailable (25%, rounded down) pods short.
    pub fn minimum_available(&self) -> bool {
        self.available >= self.desired - self.desired / 4
    }

    /// The `Progressing` condition's status and reason.
    pub fn progressing(&self) -> (bool, &'static str) {
        if self.timed_out {
            (false, "ProgressDeadlineExceeded")
        } else if self.complete || self.settled {
            (true, "NewReplicaSetAvailable")
        } else {
            (true, "ReplicaSetUpdated")
        }
    }
}

impl Cluster {
    /// The pod-template-hash of a Deployment's current template, cached per template generation.
    fn template_hash(&mut self, key: &ObjectKey) -> Option<String> {
        let d = self.deployments.get(key)?;
        if let Some(((uid, generation), hash)) = self.template_hashes.get(key) {
            if *uid == d.meta.uid && *generation == d.meta.generation {
                return Some(hash.clone());
            }
        }
        let stamp = (d.meta.uid.clone(), d.meta.generation);
        let hash = names::pod_template_hash_of(&d.spec.template);
        self.template_hashes
            .insert(key.clone(), (stamp, hash.clone()));
        Some(hash)
    }

    /// The Deployment controller: make a ReplicaSet for the current template and move replicas
    /// to it, all at once when nothing older runs, else as a rolling update. Reports a change.
    pub(super) fn sync_deployment(&mut self, key: &ObjectKey, owned: Vec<ObjectKey>) -> bool {
        let Some(hash) = self.template_hash(key) else {
            return false;
        };
        let Some(d) = self.deployments.get(key) else {
            return false;
        };
        let desired = d.spec.replicas;
        let rs_key = ObjectKey::new(&key.namespace, &format!("{}-{hash}", key.name));
        let mut changed = false;
        // The current template's ReplicaSet holds the highest revision: a new one, or an old
        // one rolled back to, takes the next.
        let (top, current) = owned.iter().filter_map(|k| self.replica_sets.get(k)).fold(
            (0, None),
            |(top, current), rs| {
                let mine = (rs.meta.name == rs_key.name).then_some(rs.revision);
                (top.max(rs.revision), current.or(mine))
            },
        );
        if current.is_some_and(|r| r < top) {
            if let Some(rs) = self.replica_sets.get_mut(&rs_key) {
                rs.revision = top + 1;
                changed = true;
            }
        }
        if !self.replica_sets.contains_key(&rs_key) {
            let mut template = d.spec.template.clone();
            template
                .labels
                .insert("pod-template-hash".into(), hash.clone());
            let mut selector = d.spec.selector.clone();
            selector
                .match_labels
                .insert("pod-template-hash".into(), hash.clone());
            let mut meta = ObjectMeta::new(&key.namespace, &rs_key.name);
            meta.labels = template.labels.clone();
            meta.creation = self.now;
            meta.uid = self.new_uid();
            self.replica_sets.insert(
                rs_key.clone(),
                ReplicaSet {
                    meta,
                    owner: key.name.clone(),
                    replicas: 0,
                    selector,
                    template,
                    pod_template_hash: hash,
                    revision: top + 1,
                },
            );
            changed = true;
        }
        let old: Vec<ObjectKey> = owned.into_iter().filter(|k| *k != rs_key).collect();
        let old_total: i64 = old
            .iter()
            .filter_map(|k| self.replica_sets.get(k))
            .map(|rs| rs.replicas)
            .sum();
        let new_replicas = self.replica_sets.get(&rs_key).map_or(0, |rs| rs.replicas);
        if old_total == 0 {
            if new_replicas != desired {
                self.scale_replica_set(&rs_key, desired, &key.name);
                changed = true;
            }
            return changed;
        }
        // RollingUpdate with the defaults: maxSurge 25% (rounded up), maxUnavailable 25% (down).
        let max_surge = (desired + 3) / 4;
        let max_unavailable = if desired / 4 == 0 && max_surge == 0 {
            1
        } else {
            desired / 4
        };
        let total = old_total + new_replicas;
        if total < desired + max_surge && new_replicas < desired {
            let target = desired.min(new_replicas + desired + max_surge - total);
            self.scale_replica_set(&rs_key, target, &key.name);
            changed = true;
        }
        let mut all = old.clone();
        all.push(rs_key.clone());
        let available = self.available_pods(&all);
        let mut can_remove = available - (desired - max_unavailable);
        // Old pods that are not available can go at once; they serve nothing.
        for k in &old {
            let Some(rs) = self.replica_sets.get(k) else {
                continue;
            };
            let unavailable = rs.replicas - self.available_pods(std::slice::from_ref(k));
            let remove = if unavailable > 0 {
                unavailable
            } else {
                can_remove.max(0).min(rs.replicas)
            };
            if remove > 0 {
                if unavailable <= 0 {
                    can_remove -= remove;
                }
                let target = rs.replicas - remove;
                self.scale_replica_set(k, target, &key.name);
                changed = true;
            }
        }
        changed
    }

    fn available_pods(&self, sets: &[ObjectKey]) -> i64 {
        self.pods
            .values()
            .filter(|p| {
                p.status.ready
                    && !p.is_terminating()
                    && p.owner.as_ref().is_some_and(|o| {
                        sets.iter()
                            .any(|k| k.namespace == p.meta.namespace && &k.name == o)
                    })
            })
            .count() as i64
    }

    fn scale_replica_set(&mut self, key: &ObjectKey, replicas: i64, deployment: &str) {
        let Some(rs) = self.replica_sets.get_mut(key) else {
            return;
        };
        let from = rs.replicas;
        if from == replicas {
            return;
        }
        rs.replicas = replicas;
        let verb = if replicas > from { "up" } else { "down" };
        self.event(
            &key.namespace,
            format!("deployment/{deployment}"),
            false,
            "ScalingReplicaSet",
            format!(
                "Scaled {verb} replica set {} from {from} to {replicas}",
                key.name
            ),
            "deployment-controller",
        );
    }

    /// The Deployment's rollout progressed now; its deadline runs from here.
    pub(super) fn note_progress(&mut self, key: &ObjectKey) {
        if !self.deployments.contains_key(key) {
            return;
        }
        let check_at = self.progress.get(key).and_then(|p| p.check_at);
        self.progress.insert(
            key.clone(),
            Progress {
                last: self.now,
                settled: false,
                check_at,
            },
        );
        if check_at.is_none() {
            self.check_progress(key);
        }
    }

    /// One timer per Deployment watches its deadline: when it fires, it looks again at when
    /// the deadline now falls (progress since moved it) and waits for that, unless the
    /// rollout settled or the deadline has passed (the condition is read off the clock).
    pub(super) fn check_progress(&mut self, key: &ObjectKey) {
        let now = self.now;
        let limit = self.deployments.get(key).and_then(deadline);
        let Some(p) = self.progress.get_mut(key) else {
            return;
        };
        p.check_at = None;
        let due = limit.map(|limit| p.last + limit).filter(|&due| due > now);
        if let Some(due) = due.filter(|_| !p.settled) {
            p.check_at = Some(due);
            self.schedule_timer(
                due,
                Timer::ProgressDeadline {
                    deployment: key.clone(),
                },
            );
        }
    }

    /// After the controllers settle: a rollout now complete stops its deadline (the condition
    /// becomes `NewReplicaSetAvailable`). `counts` are each ReplicaSet's pods, current.
    pub(super) fn settle_rollouts(&mut self, counts: &SortedMap<ObjectKey, OwnedPods>) {
        let mut done = Vec::new();
        // The ReplicaSets by owner, so that each Deployment finds its own by a search (a scan
        // of all of them for each was a tenth of an Apply of 500 Deployments).
        let mut sets: Vec<&ReplicaSet> = self.replica_sets.values().collect();
        crate::sort::sort_by(&mut sets, |a, b| {
            (&a.meta.namespace, &a.owner).cmp(&(&b.meta.namespace, &b.owner))
        });
        for (key, progress) in &self.progress {
            let Some(d) = self.deployments.get(key).filter(|_| !progress.settled) else {
                continue;
            };
            let Some((_, hash)) = self.template_hashes.get(key) else {
                continue;
            };
            let current = format!("{}-{hash}", key.name);
            let (mut updated, mut total, mut available) = (0, 0, 0);
            let owner = (&key.namespace, &key.name);
            let first = sets.partition_point(|rs| (&rs.meta.namespace, &rs.owner) < owner);
            for rs in &sets[first..] {
                if (&rs.meta.namespace, &rs.owner) != owner {
                    break;
                }
                let Some(c) = counts.get(&ObjectKey::new(&key.namespace, &rs.meta.name)) else {
                    continue;
                };
                let active = c.active.len() as i64;
                total += active;
                available += c.available;
                if rs.meta.name == current {
                    updated = active;
                }
            }
            let desired = d.spec.replicas;
            if updated == desired && total == desired && available == desired {
                done.push(key.clone());
            }
        }
        for key in done {
            if let Some(p) = self.progress.get_mut(&key) {
                p.settled = true;
            }
        }
    }

    /// Where the Deployment's rollout stands: its pods counted as the controller counts them,
    /// when it last progressed, and whether it is done or has run past its deadline.
    pub fn rollout(&self, key: &ObjectKey) -> Option<Rollout> {
        let d = self.deployments.get(key)?;
        let desired = d.spec.replicas;
        let current = self.current_replica_set(key, d);
        let owned: SortedSet<&str> = self
            .replica_sets
            .values()
            .filter(|rs| rs.meta.namespace == key.namespace && rs.owner == key.name)
            .map(|rs| rs.meta.name.as_str())
            .collect();
        let (mut total, mut updated, mut available) = (0, 0, 0);
        for p in self.pods.values() {
            if p.meta.namespace != key.namespace || p.is_terminating() {
                continue;
            }
            let Some(owner) = p.owner.as_deref().filter(|o| owned.contains(*o)) else {
                continue;
            };
            total += 1;
            updated += i64::from(owner == current);
            available += i64::from(p.status.ready);
        }
        let complete = updated == desired && available == desired && total == desired;
        let progress = self.progress.get(key).copied().unwrap_or(Progress {
            last: d.meta.creation,
            settled: false,
            check_at: None,
        });
        let timed_out = !complete
            && !progress.settled
            && deadline(d).is_some_and(|limit| self.now >= progress.last + limit);
        Some(Rollout {
            new_replica_set: current,
            desired,
            updated,
            total,
            available,
            last_progress: progress.last,
            complete,
            settled: progress.settled,
            timed_out,
        })
    }

    /// The counts `kubectl get deployments` shows: `READY` (`2/3`), `UP-TO-DATE`, `AVAILABLE`.
    /// All zero for a Deployment that does not exist.
    pub fn deployment_counts(&self, key: &ObjectKey) -> DeploymentCounts {
        self.rollout(key)
            .map_or(DeploymentCounts::default(), |r| DeploymentCounts {
                ready: r.available,
                desired: r.desired,
                up_to_date: r.updated,
                available: r.available,
            })
    }

    /// [`Cluster::deployment_counts`] of every Deployment, in key order, from one pass over the
    /// pods: counting each Deployment on its own passes over every pod and ReplicaSet each
    /// time (500 Deployments took 20 ms in the browser).
    pub fn all_deployment_counts(&self) -> Vec<(&ObjectKey, DeploymentCounts)> {
        let mut out: Vec<(&ObjectKey, DeploymentCounts)> = self
            .deployments
            .iter()
            .map(|(k, d)| {
                let counts = DeploymentCounts {
                    desired: d.spec.replicas,
                    ..DeploymentCounts::default()
                };
                (k, counts)
            })
            .collect();
        let current: Vec<String> = self
            .deployments
            .iter()
            .map(|(k, d)| self.current_replica_set(k, d))
            .collect();
        for p in self.pods.values().filter(|p| !p.is_terminating()) {
            // A pod counts for the Deployment that owns its ReplicaSet, as in `rollout`.
            let Some(owner) = p.owner.as_deref() else {
                continue;
            };
            let Some(rs) = self
                .replica_sets
                .get(&ObjectKey::new(&p.meta.namespace, owner))
            else {
                continue;
            };
            let deployment = (p.meta.namespace.as_str(), rs.owner.as_str());
            let Ok(i) = out.binary_search_by(|(k, _)| {
                (k.namespace.as_str(), k.name.as_str()).cmp(&deployment)
            }) else {
                continue;
            };
            let counts = &mut out[i].1;
            counts.up_to_date += i64::from(owner == current[i]);
            counts.available += i64::from(p.status.ready);
            counts.ready = counts.available;
        }
        out
    }

    /// The name of the ReplicaSet of the Deployment's current template, its hash from the
    /// controller's cache when that is fresh.
    fn current_replica_set(&self, key: &ObjectKey, d: &Deployment) -> String {
        let hash = match self.template_hashes.get(key) {
            Some(((uid, generation), hash))
                if *uid == d.meta.uid && *generation == d.meta.generation =>
            {
                hash.clone()
            }
            _ => names::pod_template_hash_of(&d.spec.template),
        };
        format!("{}-{hash}", key.name)
    }
}

/// How long the Deployment's rollout may go without progress; `None`: for ever (the API's
/// "no deadline", the largest int32).
fn deadline(d: &Deployment) -> Option<Time> {
    let seconds = d.spec.progress_deadline_seconds;
    (seconds != i64::from(i32::MAX)).then(|| seconds.max(0) as Time * SECOND)
}
