//! The kubelet: a pod's sandbox and IP, its container starting and exiting, readiness probes,
//! and deleting a pod (Terminating, then gone when its container exits). Image pulls are in
//! [`super::images`].

use std::net::Ipv4Addr;

use crate::model::*;
use crate::registry::{self, ImageProfile};
use crate::time::{Time, SECOND};

use super::images::{pull_time, IMAGE_RETRY, PULL_FAIL, QUICK_PULL, START_WITH_IMAGE};
use super::timers::Timer;
use super::Cluster;

/// From a pod's scheduling to its sandbox (network namespace, IP) being up.
const SANDBOX: Time = 500;

/// A readiness probe's period when the pod has none (the learner made it fail anyway).
const PROBE_PERIOD: Time = 10 * SECOND;

impl Cluster {
    /// The kubelet takes a pod just bound to its node: the sandbox first, then the image
    /// (present, pulled, or failing), then the container. Returns how many old events its
    /// events pushed out.
    pub(super) fn start_pod(
        &mut self,
        key: &ObjectKey,
        node: &str,
        uid: String,
        image: String,
        policy: PullPolicy,
    ) -> usize {
        let mut dropped = 0;
        // The sandbox comes first: the pod has its IP (and is a not-ready endpoint of its
        // Services) while its image is still being pulled.
        self.schedule_timer(
            self.now + SANDBOX,
            Timer::SandboxReady {
                pod: key.clone(),
                uid: uid.clone(),
            },
        );
        let object = format!("pod/{}", key.name);
        // When the image is (or, while another pod's pull is under way, will be) on the node.
        let slot = (node.to_string(), image.clone());
        let on_node = self.images.get(&slot).copied();
        let present = on_node.is_some_and(|at| at <= self.now);
        let pull = match policy {
            _ if registry::check_reference(&image).is_err() => {
                dropped += self.invalid_image(key, &image);
                self.schedule_timer(
                    self.now + IMAGE_RETRY,
                    Timer::ImageRetry {
                        pod: key.clone(),
                        uid,
                    },
                );
                return dropped;
            }
            PullPolicy::Never if !present => {
                dropped += self.never_pull(key, &image);
                self.schedule_timer(
                    self.now + IMAGE_RETRY,
                    Timer::ImageRetry {
                        pod: key.clone(),
                        uid,
                    },
                );
                return dropped;
            }
            PullPolicy::IfNotPresent | PullPolicy::Never if present => {
                dropped += self.image_present(key, &image);
                START_WITH_IMAGE
            }
            _ => {
                dropped += self.event(
                    &key.namespace,
                    object,
                    false,
                    "Pulling",
                    format!("Pulling image \"{image}\""),
                    "kubelet",
                );
                let Ok(size) = registry::pull(&image) else {
                    self.schedule_timer(
                        self.now + PULL_FAIL,
                        Timer::PullFailed {
                            pod: key.clone(),
                            uid,
                        },
                    );
                    return dropped;
                };
                // The kubelet pulls one image at a time: a pull of the same image already under
                // way is waited for, and then this one finds every layer on the node.
                let (starts, pulling) = match on_node {
                    Some(at) => (at.max(self.now), QUICK_PULL),
                    None => (self.now, pull_time(size)),
                };
                let done = starts + pulling;
                if on_node.is_none() {
                    self.images.insert(slot, done);
                }
                self.schedule_timer(
                    done,
                    Timer::ImagePulled {
                        pod: key.clone(),
                        uid: uid.clone(),
                        image: image.clone(),
                        size,
                        pulling,
                        total: done - self.now,
                    },
                );
                done - self.now + 300
            }
        };
        self.schedule_timer(
            self.now + pull,
            Timer::ContainerStarted {
                pod: key.clone(),
                uid,
            },
        );
        dropped
    }

    pub(super) fn sandbox_ready(&mut self, key: &ObjectKey, uid: &str) {
        let Some(pod) = self.pods.get(key).filter(|p| p.meta.uid == uid) else {
            return;
        };
        let Some(node) = pod.spec.node_name.clone() else {
            return;
        };
        if pod.status.pod_ip.is_some() || pod.is_terminating() {
            return;
        }
        let ip = self.new_pod_ip(&node, pod.spec.host_network);
        if let Some(pod) = self.pods.get_mut(key) {
            pod.status.pod_ip = ip;
        }
    }

    /// An IP for a pod on `node`: the node's own for a host-network pod, else the next free
    /// one of the node's pod range.
    fn new_pod_ip(&mut self, node: &str, host_network: bool) -> Option<Ipv4Addr> {
        if host_network {
            self.node(node).map(|n| n.internal_ip)
        } else {
            self.pod_ips.get_mut(node).and_then(|r| r.allocate())
        }
    }

    pub(super) fn container_started(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let Some(node) = self
            .live_pod(key, uid)
            .and_then(|p| p.spec.node_name.clone())
        else {
            return;
        };
        let Some(pod) = self.pods.get(key) else {
            return;
        };
        // The sandbox gave the pod its IP; one that never had a sandbox gets it now.
        let ip = match pod.status.pod_ip {
            Some(ip) => Some(ip),
            None => {
                let host_network = pod.spec.host_network;
                self.new_pod_ip(&node, host_network)
            }
        };
        let Some(pod) = self.pods.get(key) else {
            return;
        };
        let first = pod.spec.containers.first();
        let container = first.map(|c| c.name.clone()).unwrap_or_default();
        let probe = first.and_then(|c| c.readiness_probe.clone());
        let failing = pod.faults.fail_readiness || (self.coredns_broken && is_coredns(pod));
        let Some(pod) = self.pods.get_mut(key) else {
            return;
        };
        pod.status.container = ContainerState::Running;
        pod.status.phase = PodPhase::Running;
        pod.status.pod_ip = ip;
        pod.status.start_time = Some(now);
        let object = format!("pod/{}", key.name);
        self.event(
            &key.namespace,
            object.clone(),
            false,
            "Created",
            format!("Created container {container}"),
            "kubelet",
        );
        self.event(
            &key.namespace,
            object,
            false,
            "Started",
            format!("Started container {container}"),
            "kubelet",
        );
        if failing {
            self.start_failing_probes(key);
        } else {
            let delay = probe.map_or(0, |p| p.initial_delay_seconds.max(0) as Time * SECOND);
            self.schedule_timer(
                now + delay,
                Timer::Readiness {
                    pod: key.clone(),
                    uid: uid.to_string(),
                    ready: true,
                },
            );
        }
    }

    pub(super) fn readiness(&mut self, key: &ObjectKey, uid: &str, ready: bool) {
        let broken = self.coredns_broken;
        let Some(pod) = self.live_pod(key, uid) else {
            return;
        };
        if pod.status.container != ContainerState::Running {
            return;
        }
        let failing = pod.faults.fail_readiness || (broken && is_coredns(pod));
        if ready == pod.status.ready || (ready && failing) {
            return;
        }
        pod.status.ready = ready;
        // A pod of a Deployment becoming available is progress of its rollout.
        let owner = pod.owner.clone();
        let deployment = owner
            .and_then(|rs| self.replica_sets.get(&ObjectKey::new(&key.namespace, &rs)))
            .map(|rs| ObjectKey::new(&key.namespace, &rs.owner));
        if let Some(d) = deployment.filter(|_| ready) {
            self.note_progress(&d);
        }
    }

    /// The kubelet's readiness probes of a running pod start failing: an `Unhealthy` event at
    /// the next probe and at every one after while they fail, unless that is already under way.
    pub(super) fn start_failing_probes(&mut self, key: &ObjectKey) {
        let now = self.now;
        let Some(pod) = self.pods.get_mut(key) else {
            return;
        };
        if pod.status.probes_failing || pod.status.container != ContainerState::Running {
            return;
        }
        pod.status.probes_failing = true;
        let next = now + readiness_delay(pod, false);
        let uid = pod.meta.uid.clone();
        self.schedule_timer(
            next,
            Timer::ProbeFailed {
                pod: key.clone(),
                uid,
            },
        );
    }

    pub(super) fn probe_failed(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let broken = self.coredns_broken;
        let Some(pod) = self.live_pod(key, uid) else {
            return;
        };
        let failing = pod.faults.fail_readiness || (broken && is_coredns(pod));
        if !failing || pod.status.container != ContainerState::Running {
            pod.status.probes_failing = false;
            return;
        }
        let period = probe_period(pod);
        self.event(
            &key.namespace,
            format!("pod/{}", key.name),
            true,
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503".into(),
            "kubelet",
        );
        self.schedule_timer(
            now + period,
            Timer::ProbeFailed {
                pod: key.clone(),
                uid: uid.to_string(),
            },
        );
    }

    pub(super) fn container_exited(&mut self, key: &ObjectKey, uid: &str) {
        let Some(pod) = self.live_pod(key, uid) else {
            return;
        };
        let node = pod.spec.node_name.clone();
        let ip = pod.status.pod_ip;
        let host_network = pod.spec.host_network;
        self.pods.remove(key);
        if let (Some(node), Some(ip), false) = (node, ip, host_network) {
            if let Some(range) = self.pod_ips.get_mut(&node) {
                range.release(ip);
            }
            self.pod_ip_gone(ip);
        }
    }

    /// Mark a pod for deletion: it goes Terminating, leaves the Service's ready endpoints, and
    /// disappears when its container exits (at once for nginx-like images, after the grace
    /// period for a shell that ignores SIGTERM).
    pub(super) fn delete_pod(&mut self, key: &ObjectKey) {
        let now = self.now;
        let Some(pod) = self.pods.get_mut(key) else {
            return;
        };
        if pod.is_terminating() {
            return;
        }
        pod.meta.deletion = Some(now);
        let uid = pod.meta.uid.clone();
        let grace = pod
            .spec
            .termination_grace_period_seconds
            .unwrap_or(30)
            .max(0) as Time
            * SECOND;
        let running = pod.status.container == ContainerState::Running;
        let exit = if !running {
            0
        } else if pod.spec.containers.iter().any(ignores_sigterm) {
            grace
        } else {
            grace.min(SECOND)
        };
        let container = pod
            .spec
            .containers
            .first()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        if running {
            self.event(
                &key.namespace,
                format!("pod/{}", key.name),
                false,
                "Killing",
                format!("Stopping container {container}"),
                "kubelet",
            );
        }
        self.schedule_timer(
            now + exit,
            Timer::ContainerExited {
                pod: key.clone(),
                uid,
            },
        );
    }
}

pub(super) fn is_coredns(p: &Pod) -> bool {
    p.meta.namespace == "kube-system"
        && p.meta.labels.get("k8s-app").map(String::as_str) == Some("kube-dns")
}

/// A shell (busybox `sh`, `sleep`) as PID 1 ignores SIGTERM and is killed after the grace period.
fn ignores_sigterm(c: &Container) -> bool {
    ImageProfile::of(&c.image).shell_entrypoint
        || c.command
            .iter()
            .chain(c.args.iter())
            .any(|a| a.contains("sleep"))
}

/// How often the kubelet probes the pod's readiness.
fn probe_period(p: &Pod) -> Time {
    p.spec
        .containers
        .first()
        .and_then(|c| c.readiness_probe.as_ref())
        .map_or(PROBE_PERIOD, |probe| {
            probe.period_seconds.clamp(1, 3600) as Time * SECOND
        })
}

/// How long until the kubelet notices a readiness change: `failureThreshold × period` (3 × 10 s by
/// default) to fail, one period to pass. Pods without a readinessProbe get svclab's stand-in
/// probe (period 1 s, threshold 1) so they can be broken on purpose.
pub(super) fn readiness_delay(p: &Pod, fail: bool) -> Time {
    match p
        .spec
        .containers
        .first()
        .and_then(|c| c.readiness_probe.as_ref())
    {
        Some(probe) => {
            let period = probe.period_seconds.clamp(1, 3600) as Time * SECOND;
            if fail {
                3 * period
            } else {
                period
            }
        }
        None => SECOND,
    }
}
