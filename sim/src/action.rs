//! Everything a learner can do to the world. Each action is logged with the virtual time it happened
//! at, so a run can be replayed (and shared) from its seed, its manifests and this log.

use crate::kube_proxy::ProxyMode;
use crate::resource::Kind;
use crate::time::Time;
use crate::trace::Request;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `kubectl apply -f` of a multi-document manifest.
    Apply { manifest: String },
    /// `kubectl apply -f` in the terminal: each object on its own, as kubectl applies them.
    ApplyEach { manifest: String },
    /// `kubectl delete` of one object of a kind whose resource type allows it
    /// ([`crate::resource::ResourceType::delete`]: Deployment, Service, Pod, NetworkPolicy,
    /// Namespace).
    Delete {
        kind: Kind,
        namespace: String,
        name: String,
    },
    /// `kubectl scale deploy/NAME --replicas=N`.
    Scale {
        namespace: String,
        deployment: String,
        replicas: i64,
    },
    /// `kubectl set image deploy/NAME CONTAINER=IMAGE...`: one new pod template, so one
    /// rollout. Container `*` is every container.
    SetImage {
        namespace: String,
        deployment: String,
        /// (container, image) pairs.
        images: Vec<(String, String)>,
    },
    /// `kubectl rollout undo deploy/NAME [--to-revision=N]`: the template of revision N (the
    /// one before the current when `None`) becomes the Deployment's again.
    RolloutUndo {
        namespace: String,
        deployment: String,
        to_revision: Option<i64>,
    },
    /// Kill a pod: `kubectl delete pod NAME`.
    DeletePod { namespace: String, pod: String },
    /// Make a pod's readiness probe fail (`true`) or pass again (`false`).
    FailReadiness {
        namespace: String,
        pod: String,
        fail: bool,
    },
    /// `kubectl label pod NAME key=value` (`Some`) or `key-` (`None`).
    Label {
        namespace: String,
        pod: String,
        key: String,
        value: Option<String>,
    },
    /// Break CoreDNS (its pods stop answering while staying Running) or mend it.
    BreakCoreDns { broken: bool },
    /// Switch every node's kube-proxy between iptables and IPVS.
    SetProxyMode { mode: ProxyMode },
    /// `kubectl run NAME --image=IMAGE --restart=Never -- COMMAND...`: a bare pod, labelled
    /// `run=NAME` (the seed's busybox `test` client).
    Run {
        namespace: String,
        name: String,
        image: String,
        command: Vec<String>,
    },
    /// Send one request (curl, nslookup, an outside client).
    Send { request: Request },
    /// Steady traffic: `request` every `interval` virtual ms, the first now (`None` stops it).
    /// The cluster sends each one itself as its clock passes, so an hour of traffic is one
    /// logged action and a replay sends the same requests at the same instants.
    SetTraffic { traffic: Option<SteadyTraffic> },
}

/// What steady traffic sends, and how often.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SteadyTraffic {
    /// Virtual ms between two requests; at least [`MIN_TRAFFIC_INTERVAL`], at most
    /// [`MAX_TRAFFIC_INTERVAL`].
    pub interval: Time,
    pub request: Request,
}

/// The shortest interval steady traffic keeps.
pub const MIN_TRAFFIC_INTERVAL: Time = 100;
/// The longest: an hour (the toolbar offers a few seconds at most; a link may say anything).
pub const MAX_TRAFFIC_INTERVAL: Time = crate::time::HOUR;
