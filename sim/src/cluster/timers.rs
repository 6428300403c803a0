//! The timer queue: what the kubelets and controllers have scheduled on the virtual clock, and
//! what each timer does when it fires.

use crate::model::*;
use crate::time::{go_duration, Time};

use super::Cluster;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Timer {
    /// The kubelet has finished pulling the pod's image.
    ImagePulled {
        pod: ObjectKey,
        uid: String,
        image: String,
        /// Its size in bytes, as the registry gives it.
        size: u64,
        /// The pull itself, and the time since the kubelet asked for it (waiting for another
        /// pod's pull of the same image included), both in ms.
        pulling: Time,
        total: Time,
    },
    /// The pod's sandbox is up: it has its IP.
    SandboxReady { pod: ObjectKey, uid: String },
    /// The kubelet has the image and starts the container.
    ContainerStarted { pod: ObjectKey, uid: String },
    /// The readiness probe reports `ready`.
    Readiness {
        pod: ObjectKey,
        uid: String,
        ready: bool,
    },
    /// The container has exited after SIGTERM (or the grace period ran out); the pod goes away.
    ContainerExited { pod: ObjectKey, uid: String },
    /// The kubelet syncs a pod stuck in `ErrImageNeverPull` (has the image arrived?) or
    /// `InvalidImageName` (it says so again) once more.
    ImageRetry { pod: ObjectKey, uid: String },
    /// The registry has answered a pull of an image it does not have.
    PullFailed { pod: ObjectKey, uid: String },
    /// The kubelet syncs the pod after a failed pull and backs off.
    PullBackOff { pod: ObjectKey, uid: String },
    /// The back-off is over: the kubelet pulls the image again.
    PullAgain { pod: ObjectKey, uid: String },
    /// The kubelet's readiness probe of a pod that fails it comes round again.
    ProbeFailed { pod: ObjectKey, uid: String },
    /// A Deployment's progress deadline may have passed: the views look again (the firing
    /// bumps the revision), and the next deadline, if progress moved it, is watched.
    ProgressDeadline { deployment: ObjectKey },
}

/// The timers still to fire, earliest first; among timers due at the same instant, in the
/// order they were set (`seq`). A binary heap: scaling to a thousand pods sets thousands.
#[derive(Clone, Debug, Default)]
pub(super) struct Timers(std::collections::BinaryHeap<std::cmp::Reverse<(Time, u64, Timer)>>);

impl Timers {
    fn push(&mut self, at: Time, seq: u64, timer: Timer) {
        self.0.push(std::cmp::Reverse((at, seq, timer)));
    }

    pub(super) fn next_due(&self) -> Option<Time> {
        self.0.peek().map(|t| t.0 .0)
    }

    /// The next timer, if it is due at `at`.
    pub(super) fn pop_due(&mut self, at: Time) -> Option<Timer> {
        if self.next_due() != Some(at) {
            return None;
        }
        self.0.pop().map(|t| t.0 .2)
    }

    fn in_order(&self) -> Vec<&(Time, u64, Timer)> {
        let mut all: Vec<&(Time, u64, Timer)> = self.0.iter().map(|t| &t.0).collect();
        crate::sort::sort_by(&mut all, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        all
    }
}

/// Two worlds are equal when the same timers are pending (the heap's layout aside).
impl PartialEq for Timers {
    fn eq(&self, other: &Timers) -> bool {
        self.0.len() == other.0.len() && self.in_order() == other.in_order()
    }
}

impl Eq for Timers {}

impl Cluster {
    pub(super) fn schedule_timer(&mut self, at: Time, timer: Timer) {
        self.timer_seq += 1;
        self.timers.push(at, self.timer_seq, timer);
    }

    /// When the next thing is due on its own (a container starting, a probe flipping), if anything.
    pub fn next_wake(&self) -> Option<Time> {
        self.timers.next_due()
    }

    pub(super) fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::ImagePulled {
                pod,
                uid,
                image,
                size,
                pulling,
                total,
            } => {
                if self.pods.get(&pod).is_some_and(|p| p.meta.uid == uid) {
                    let (pulling, total) = (go_duration(pulling), go_duration(total));
                    self.event(
                        &pod.namespace,
                        format!("pod/{}", pod.name),
                        false,
                        "Pulled",
                        format!("Successfully pulled image \"{image}\" in {pulling} ({total} including waiting). Image size: {size} bytes."),
                        "kubelet",
                    );
                }
            }
            Timer::SandboxReady { pod, uid } => self.sandbox_ready(&pod, &uid),
            Timer::ContainerStarted { pod, uid } => self.container_started(&pod, &uid),
            Timer::Readiness { pod, uid, ready } => self.readiness(&pod, &uid, ready),
            Timer::ContainerExited { pod, uid } => self.container_exited(&pod, &uid),
            Timer::ImageRetry { pod, uid } => self.retry_image(&pod, &uid),
            Timer::PullFailed { pod, uid } => self.pull_failed(&pod, &uid),
            Timer::PullBackOff { pod, uid } => self.pull_back_off(&pod, &uid),
            Timer::PullAgain { pod, uid } => self.pull_again(&pod, &uid),
            Timer::ProbeFailed { pod, uid } => self.probe_failed(&pod, &uid),
            Timer::ProgressDeadline { deployment } => self.check_progress(&deployment),
        }
    }
}
