//! The ReplicaSet controller: create or delete pods until each ReplicaSet has its replicas.

use crate::map::SortedMap;
use crate::model::*;
use crate::names;

use super::store::uid_text;
use super::{Cluster, MAX_OBJECTS};

/// A ReplicaSet's live pods.
#[derive(Default)]
pub(super) struct OwnedPods {
    pub(super) active: Vec<ObjectKey>,
    pub(super) available: i64,
}

impl Cluster {
    /// Each ReplicaSet's live pods (not terminating) and how many of them are available.
    pub(super) fn pods_by_owner(&self) -> SortedMap<ObjectKey, OwnedPods> {
        let mut out: SortedMap<ObjectKey, OwnedPods> = SortedMap::new();
        for p in self.pods.values() {
            let Some(owner) = &p.owner else { continue };
            if p.is_terminating() {
                continue;
            }
            let e = out
                .entry(ObjectKey::new(&p.meta.namespace, owner))
                .or_default();
            e.active.push(p.key());
            if p.status.ready {
                e.available += 1;
            }
        }
        out
    }

    /// The ReplicaSet controller: create or delete pods until `replicas` are live.
    pub(super) fn sync_replica_set(&mut self, key: &ObjectKey, active: Vec<ObjectKey>) {
        let Some(replicas) = self.replica_sets.get(key).map(|rs| rs.replicas) else {
            return;
        };
        let have = active.len() as i64;
        if have < replicas {
            for _ in have..replicas {
                if self.object_count() >= MAX_OBJECTS {
                    break;
                }
                self.create_replica_pod(key);
            }
        } else if have > replicas {
            // The ReplicaSet deletes the least useful pods first: unscheduled, not running,
            // not ready, then the youngest.
            let mut pods: Vec<&Pod> = active.iter().filter_map(|k| self.pods.get(k)).collect();
            crate::sort::sort_by_key(&mut pods, |p| {
                (
                    p.spec.node_name.is_some(),
                    p.status.container == ContainerState::Running,
                    p.status.ready,
                    std::cmp::Reverse(p.meta.creation),
                    p.meta.name.clone(),
                )
            });
            let victims: Vec<ObjectKey> = pods
                .iter()
                .take((have - replicas) as usize)
                .map(|p| p.key())
                .collect();
            for v in victims {
                self.event(
                    &key.namespace,
                    format!("replicaset/{}", key.name),
                    false,
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", v.name),
                    "replicaset-controller",
                );
                self.delete_pod(&v);
            }
        }
    }

    fn create_replica_pod(&mut self, rs_key: &ObjectKey) {
        // The ReplicaSet is read in place (the RNG and the pods are other fields).
        let Some(rs) = self.replica_sets.get(rs_key) else {
            return;
        };
        let ns = rs.meta.namespace.clone();
        let name = loop {
            let candidate = format!("{}-{}", rs.meta.name, names::random_suffix(&mut self.rng));
            if !self.pods.contains_key(&ObjectKey::new(&ns, &candidate)) {
                break candidate;
            }
        };
        let mut meta = ObjectMeta::new(&ns, &name);
        meta.labels = rs.template.labels.clone();
        meta.annotations = rs.template.annotations.clone();
        meta.creation = self.now;
        meta.uid = uid_text(self.rng.next_u64(), self.rng.next_u64());
        let pod = Pod {
            meta,
            spec: rs.template.spec.clone(),
            status: PodStatus::default(),
            owner: Some(rs.meta.name.clone()),
            faults: PodFaults::default(),
        };
        let object = format!("replicaset/{}", rs.meta.name);
        self.event(
            &ns,
            object,
            false,
            "SuccessfulCreate",
            format!("Created pod: {name}"),
            "replicaset-controller",
        );
        self.pods.insert(pod.key(), pod);
    }
}
