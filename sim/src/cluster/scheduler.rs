//! kube-scheduler: puts each pending pod on a feasible node, or records why none fits.

use crate::map::SortedMap;
use crate::model::*;

use super::events::EventIndex;
use super::Cluster;

/// The taint kubeadm puts on a control-plane node, `key:NoSchedule` with no value.
pub(super) const CONTROL_PLANE_TAINT: &str = "node-role.kubernetes.io/control-plane";

impl Cluster {
    /// kube-scheduler: each pending pod goes to a feasible node, spreading pods of one owner
    /// across nodes first, then balancing the node's pod count; ties go by the seeded RNG.
    pub(super) fn schedule_pods(&mut self) {
        self.admit_bound_pods();
        let pending: Vec<ObjectKey> = self
            .pods
            .values()
            .filter(|p| p.spec.node_name.is_none() && !p.is_terminating())
            .map(|p| p.key())
            .collect();
        if pending.is_empty() {
            return;
        }
        // Pods per node, and per owner and node for spreading one owner's pods (counts by the
        // node's place in `self.nodes`).
        let place = |name: &str| self.nodes.iter().position(|n| n.meta.name == name);
        let mut per_node = vec![0usize; self.nodes.len()];
        let mut per_owner: SortedMap<(String, String), Vec<usize>> = SortedMap::new();
        for p in self.pods.values() {
            let Some(i) = p.spec.node_name.as_deref().and_then(place) else {
                continue;
            };
            per_node[i] += 1;
            if let Some(o) = &p.owner {
                per_owner
                    .entry((p.meta.namespace.clone(), o.clone()))
                    .or_insert_with(|| vec![0; per_node.len()])[i] += 1;
            }
        }
        // Which pods already have a FailedScheduling event (the index of their latest one), read
        // from the events once, when the first pod does not fit; events are only ever dropped
        // from the front, `dropped` of them during this pass.
        let mut failed: Option<(EventIndex, usize)> = None;
        let mut dropped = 0usize;
        for key in pending {
            let Some(pod) = self.pods.get(&key) else {
                continue;
            };
            let tolerated = pod
                .spec
                .tolerations
                .iter()
                .any(|t| t.tolerates(CONTROL_PLANE_TAINT, "", "NoSchedule"));
            let owner = pod.owner.clone().map(|o| (key.namespace.clone(), o));
            let spread = owner.as_ref().and_then(|o| per_owner.get(o));
            let mut best: Vec<(usize, usize, usize)> = Vec::new();
            let (mut tainted, mut full, mut unmatched) = (0, 0, 0);
            for (i, n) in self.nodes.iter().enumerate() {
                if n.control_plane
                    && !tolerated
                    && !pod
                        .spec
                        .node_selector
                        .contains_key("node-role.kubernetes.io/control-plane")
                {
                    tainted += 1;
                    continue;
                }
                if !selector_matches(&pod.spec.node_selector, &n.meta.labels) {
                    unmatched += 1;
                    continue;
                }
                let all = per_node[i];
                if all >= self.config.max_pods_per_node {
                    full += 1;
                    continue;
                }
                let same = spread.map_or(0, |counts| counts[i]);
                best.push((same, all, i));
            }
            let Some(min) = best.iter().map(|(s, a, _)| (*s, *a)).min() else {
                let mut reasons = Vec::new();
                if tainted > 0 {
                    reasons.push(format!("{tainted} node(s) had untolerated taint {{node-role.kubernetes.io/control-plane: }}"));
                }
                if unmatched > 0 {
                    reasons.push(format!(
                        "{unmatched} node(s) didn't match Pod's node affinity/selector"
                    ));
                }
                if full > 0 {
                    reasons.push(format!("{full} Too many pods"));
                }
                let message = format!(
                    "0/{} nodes are available: {}. preemption: 0/{} nodes are available: {} Preemption is not helpful for scheduling.",
                    self.nodes.len(),
                    reasons.join(", "),
                    self.nodes.len(),
                    self.nodes.len()
                );
                let object = format!("pod/{}", key.name);
                let events = &self.events;
                let (seen, base) = failed.get_or_insert_with(|| {
                    let mut seen = EventIndex::new();
                    for (i, e) in events
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| e.reason == "FailedScheduling")
                    {
                        seen.entry(e.namespace.clone())
                            .or_default()
                            .insert(e.object.clone(), i);
                    }
                    (seen, dropped)
                });
                let already = seen
                    .get(&key.namespace)
                    .and_then(|m| m.get(&object))
                    .is_some_and(|&i| i >= dropped - *base);
                if !already {
                    dropped += self.event(
                        &key.namespace,
                        object,
                        true,
                        "FailedScheduling",
                        message,
                        "default-scheduler",
                    );
                }
                continue;
            };
            let ties: Vec<usize> = best
                .iter()
                .filter(|(s, a, _)| (*s, *a) == min)
                .map(|(_, _, i)| *i)
                .collect();
            let i = ties[self.rng.below(ties.len() as u64) as usize];
            per_node[i] += 1;
            if let Some(o) = owner {
                let nodes = per_node.len();
                per_owner.entry(o).or_insert_with(|| vec![0; nodes])[i] += 1;
            }
            let node = self.nodes[i].meta.name.clone();
            dropped += self.bind(&key, &node);
        }
    }

    /// Pods written with `spec.nodeName` never reach the scheduler (it only takes pods whose
    /// nodeName is empty): the kubelet of that node runs them, with no `Scheduled` event. One
    /// naming a node that does not exist has no kubelet to run it and stays Pending.
    fn admit_bound_pods(&mut self) {
        let bound: Vec<(ObjectKey, String)> = self
            .pods
            .values()
            .filter(|p| {
                p.status.host_ip.is_none()
                    && p.status.container == ContainerState::Unscheduled
                    && !p.is_terminating()
            })
            .filter_map(|p| Some((p.key(), p.spec.node_name.clone()?)))
            .filter(|(_, node)| self.node(node).is_some())
            .collect();
        for (key, node) in bound {
            self.run_on(&key, &node);
        }
    }

    /// Put a pod on a node; returns how many old events its events pushed out.
    fn bind(&mut self, key: &ObjectKey, node: &str) -> usize {
        let Some(pod) = self.pods.get_mut(key) else {
            return 0;
        };
        pod.spec.node_name = Some(node.to_string());
        let dropped = self.event(
            &key.namespace,
            format!("pod/{}", key.name),
            false,
            "Scheduled",
            format!(
                "Successfully assigned {}/{} to {node}",
                key.namespace, key.name
            ),
            "default-scheduler",
        );
        dropped + self.run_on(key, node)
    }

    /// The node's kubelet takes the pod: its host IP, then the sandbox and the container.
    fn run_on(&mut self, key: &ObjectKey, node: &str) -> usize {
        let host_ip = self.node(node).map(|n| n.internal_ip);
        let Some(pod) = self.pods.get_mut(key) else {
            return 0;
        };
        pod.status.host_ip = host_ip;
        pod.status.container = ContainerState::Creating;
        let uid = pod.meta.uid.clone();
        let (image, policy) = pod
            .spec
            .containers
            .first()
            .map(|c| (c.image.clone(), c.image_pull_policy))
            .unwrap_or_default();
        self.start_pod(key, node, uid, image, policy)
    }
}
