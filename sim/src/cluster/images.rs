//! The kubelet's images: pulls and their timing, pull failures and back-off, and the errors for
//! an image it cannot use (`InvalidImageName`, `ErrImageNeverPull`).

use crate::model::*;
use crate::registry;
use crate::time::{Time, SECOND};

use super::timers::Timer;
use super::Cluster;

/// How long the kubelet takes to pull nginx (72 MB) onto a node that does not have it; other
/// images take time in proportion to their size, at least [`MIN_PULL`].
const PULL: Time = 2_100;

const PULL_SIZE: u64 = 72_099_501;

const MIN_PULL: Time = 400;

/// From the kubelet finding the image on the node to the container running.
pub(super) const START_WITH_IMAGE: Time = 600;

/// How often the kubelet syncs a pod it could not start for want of its image.
pub(super) const IMAGE_RETRY: Time = 10 * SECOND;

/// A pull of an image whose layers the node already has (`imagePullPolicy: Always`): the
/// registry is asked for the manifest, nothing is downloaded.
pub(super) const QUICK_PULL: Time = 480;

/// From the kubelet asking a registry for an image it does not have to the failure.
pub(super) const PULL_FAIL: Time = 900;

/// The kubelet's image pull back-off: 10 s after the first failed pull, doubling with each
/// failure, at most 5 min.
const PULL_BACK_OFF: Time = 10 * SECOND;

const MAX_PULL_BACK_OFF: Time = 300 * SECOND;

impl Cluster {
    /// The registry has said the pod's image does not exist: `ErrImagePull`, and a second later
    /// the kubelet backs off.
    pub(super) fn pull_failed(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let Some(pod) = self.live_pod(key, uid).filter(|p| !p.is_terminating()) else {
            return;
        };
        let image = first_image(pod);
        let error = registry::pull(&image).err().unwrap_or_default();
        pod.status.pull_failures += 1;
        let message = format!("Failed to pull image \"{image}\": {error}");
        self.image_error(
            key,
            ContainerState::ErrImagePull,
            error,
            (true, "Failed", message),
        );
        self.schedule_timer(
            now + SECOND,
            Timer::PullBackOff {
                pod: key.clone(),
                uid: uid.to_string(),
            },
        );
    }

    pub(super) fn pull_back_off(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let Some(pod) = self.live_pod(key, uid).filter(|p| !p.is_terminating()) else {
            return;
        };
        if pod.status.container != ContainerState::ErrImagePull {
            return;
        }
        let image = first_image(pod);
        // The back-off counts from the failed pull, a second ago.
        let doublings = pod.status.pull_failures.saturating_sub(1).min(8);
        let back_off = (PULL_BACK_OFF << doublings).min(MAX_PULL_BACK_OFF);
        let message = format!("Back-off pulling image \"{image}\"");
        let event = (false, "BackOff", message.clone());
        self.image_error(key, ContainerState::ImagePullBackOff, message, event);
        self.schedule_timer(
            (now + back_off).saturating_sub(SECOND).max(now + SECOND),
            Timer::PullAgain {
                pod: key.clone(),
                uid: uid.to_string(),
            },
        );
    }

    /// The back-off is over; the pull fails again (the registry still lacks the image), and
    /// the pod stays in `ImagePullBackOff` until it does.
    pub(super) fn pull_again(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let Some(pod) = self.live_pod(key, uid).filter(|p| !p.is_terminating()) else {
            return;
        };
        if pod.status.container != ContainerState::ImagePullBackOff {
            return;
        }
        let image = first_image(pod);
        self.event(
            &key.namespace,
            format!("pod/{}", key.name),
            false,
            "Pulling",
            format!("Pulling image \"{image}\""),
            "kubelet",
        );
        self.schedule_timer(
            now + PULL_FAIL,
            Timer::PullFailed {
                pod: key.clone(),
                uid: uid.to_string(),
            },
        );
    }

    /// A pod in `ErrImageNeverPull` starts once its node has the image (another pod pulled it);
    /// until then the kubelet looks again every [`IMAGE_RETRY`]. One in `InvalidImageName`
    /// never starts (a pod's image does not change); the kubelet says so at every sync.
    pub(super) fn retry_image(&mut self, key: &ObjectKey, uid: &str) {
        let now = self.now;
        let Some(pod) = self.pods.get(key).filter(|p| p.meta.uid == uid) else {
            return;
        };
        if pod.is_terminating() {
            return;
        }
        let retry = Timer::ImageRetry {
            pod: key.clone(),
            uid: uid.to_string(),
        };
        let image = first_image(pod);
        match pod.status.container {
            ContainerState::ErrImageNeverPull => {}
            ContainerState::InvalidImageName => {
                self.invalid_image(key, &image);
                self.schedule_timer(now + IMAGE_RETRY, retry);
                return;
            }
            _ => return,
        }
        let node = pod.spec.node_name.clone().unwrap_or_default();
        let present = self
            .images
            .get(&(node, image.clone()))
            .is_some_and(|&at| at <= now);
        if !present {
            self.never_pull(key, &image);
            self.schedule_timer(now + IMAGE_RETRY, retry);
            return;
        }
        let Some(pod) = self.pods.get_mut(key) else {
            return;
        };
        pod.status.container = ContainerState::Creating;
        pod.status.waiting_message = None;
        self.image_present(key, &image);
        self.schedule_timer(
            now + START_WITH_IMAGE,
            Timer::ContainerStarted {
                pod: key.clone(),
                uid: uid.to_string(),
            },
        );
    }

    /// The image is no reference the kubelet can parse: it says so at every sync; returns how
    /// many old events that pushed out.
    pub(super) fn invalid_image(&mut self, key: &ObjectKey, image: &str) -> usize {
        let why = registry::check_reference(image).err().unwrap_or_default();
        let message = format!(
            "Failed to apply default image tag \"{image}\": couldn't parse image name \"{image}\": {why}"
        );
        let event = (true, "InspectFailed", message.clone());
        self.image_error(key, ContainerState::InvalidImageName, message, event)
    }

    /// `imagePullPolicy: Never` and the node lacks the image: the kubelet says so at every sync;
    /// returns how many old events that pushed out.
    pub(super) fn never_pull(&mut self, key: &ObjectKey, image: &str) -> usize {
        let message =
            format!("Container image \"{image}\" is not present with pull policy of Never");
        let event = (true, "ErrImageNeverPull", message.clone());
        self.image_error(key, ContainerState::ErrImageNeverPull, message, event)
    }

    /// The kubelet cannot start the pod's container for want of its image: the container waits
    /// in `state` (with `waiting.message`), and the kubelet records `event` (warning, reason,
    /// message) and `Failed`: `Error: <state>`. Returns how many old events that pushed out.
    fn image_error(
        &mut self,
        key: &ObjectKey,
        state: ContainerState,
        waiting_message: String,
        (warning, reason, message): (bool, &str, String),
    ) -> usize {
        if let Some(pod) = self.pods.get_mut(key) {
            pod.status.container = state;
            pod.status.waiting_message = Some(waiting_message);
        }
        let object = format!("pod/{}", key.name);
        let error = format!("Error: {}", state.waiting_reason());
        let ns = &key.namespace;
        self.event(ns, object.clone(), warning, reason, message, "kubelet")
            + self.event(ns, object, true, "Failed", error, "kubelet")
    }

    /// The kubelet finds the pod's image on its node; returns how many old events that pushed out.
    pub(super) fn image_present(&mut self, key: &ObjectKey, image: &str) -> usize {
        self.event(
            &key.namespace,
            format!("pod/{}", key.name),
            false,
            "Pulled",
            format!("Container image \"{image}\" already present on machine"),
            "kubelet",
        )
    }
}

/// A first pull of an image of `size` bytes onto a node: nginx's [`PULL`], scaled.
pub(super) fn pull_time(size: u64) -> Time {
    (PULL * size / PULL_SIZE).clamp(MIN_PULL, 60 * SECOND)
}

/// The image of the pod's (first) container.
fn first_image(p: &Pod) -> String {
    p.spec
        .containers
        .first()
        .map(|c| c.image.clone())
        .unwrap_or_default()
}
