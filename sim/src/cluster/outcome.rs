//! What a learner's action did, typed: [`Applied`] per object of an apply, [`Outcome`] per
//! [`crate::action::Action`], and [`ActError`] when the cluster refused it. Each one's `Display`
//! is the text kubectl prints for it; the terminal prints that, the app shows what it likes.

use std::fmt;

use crate::kube_proxy::ProxyMode;
use crate::resource::Kind;
use crate::time::Time;
use crate::validate::FieldError;

use super::{ApplyErrors, MAX_REPLICAS};

/// What an apply did to one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Created,
    Configured,
    Unchanged,
}

impl Change {
    /// kubectl's verb: `created`, `configured`, `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Configured => "configured",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One object of an apply and what became of it: `deployment.apps/backend created`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub kind: Kind,
    pub name: String,
    pub change: Change,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} {}",
            self.kind.prefix(),
            self.name,
            self.change.as_str()
        )
    }
}

/// What [`super::Cluster::act`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `kubectl apply`: each object in manifest order.
    Applied(Vec<Applied>),
    Scaled {
        deployment: String,
    },
    /// `kubectl set image`; `changed` is false when every image was already set (kubectl
    /// prints nothing for the empty patch).
    ImageSet {
        deployment: String,
        changed: bool,
    },
    RolledBack {
        deployment: String,
    },
    /// `rollout undo` to the template the Deployment already has.
    RollbackSkipped {
        deployment: String,
        revision: i64,
    },
    Deleted {
        kind: Kind,
        name: String,
    },
    /// A pod's readiness probe now fails (`fail`) or passes.
    Readiness {
        pod: String,
        fail: bool,
    },
    /// A label set.
    Labeled {
        pod: String,
    },
    /// A label removed.
    Unlabeled {
        pod: String,
    },
    /// The label already had that value.
    NotLabeled {
        pod: String,
    },
    /// The label to remove was not there.
    LabelNotFound {
        pod: String,
        key: String,
    },
    CoreDns {
        broken: bool,
    },
    ProxyMode(ProxyMode),
    /// `kubectl run`: a bare pod.
    PodCreated {
        pod: String,
    },
    /// A request went out; its trace has this id.
    Sent {
        trace: u64,
    },
    /// Steady traffic every `interval` virtual ms from now, or (`None`) stopped.
    Traffic {
        interval: Option<Time>,
    },
}

impl Outcome {
    /// The lines kubectl prints (none for an empty `set image`).
    pub fn lines(&self) -> Vec<String> {
        match self {
            Outcome::Applied(objects) => objects.iter().map(ToString::to_string).collect(),
            Outcome::ImageSet { changed: false, .. } => Vec::new(),
            other => vec![other.line()],
        }
    }

    fn line(&self) -> String {
        match self {
            Outcome::Applied(_) => self.lines().join("\n"),
            Outcome::Scaled { deployment } => format!("deployment.apps/{deployment} scaled"),
            Outcome::ImageSet { deployment, .. } => {
                format!("deployment.apps/{deployment} image updated")
            }
            Outcome::RolledBack { deployment } => {
                format!("deployment.apps/{deployment} rolled back")
            }
            Outcome::RollbackSkipped {
                deployment,
                revision,
            } => format!("deployment.apps/{deployment} skipped rollback (current template already matches revision {revision})"),
            Outcome::Deleted { kind, name } => format!("{} \"{name}\" deleted", kind.prefix()),
            Outcome::Readiness { pod, fail } => format!(
                "pod/{pod}: readiness probe now {}",
                if *fail { "fails" } else { "passes" }
            ),
            Outcome::Labeled { pod } => format!("pod/{pod} labeled"),
            Outcome::Unlabeled { pod } => format!("pod/{pod} unlabeled"),
            Outcome::NotLabeled { pod } => format!("pod/{pod} not labeled"),
            Outcome::LabelNotFound { pod, key } => {
                format!("label \"{key}\" not found.\npod/{pod} unlabeled")
            }
            Outcome::CoreDns { broken: true } => "CoreDNS broken: its pods keep running but fail their readiness probe and answer no queries".into(),
            Outcome::CoreDns { broken: false } => "CoreDNS mended".into(),
            Outcome::ProxyMode(mode) => format!("kube-proxy mode: {}", mode.as_str()),
            Outcome::PodCreated { pod } => format!("pod/{pod} created"),
            Outcome::Sent { trace } => format!("trace {trace}"),
            Outcome::Traffic {
                interval: Some(ms),
            } => format!("steady traffic: a request every {ms} ms"),
            Outcome::Traffic { interval: None } => "steady traffic stopped".into(),
        }
    }
}

/// The lines joined by newlines.
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

/// Why [`super::Cluster::act`] changed nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActError {
    NotFound {
        kind: Kind,
        name: String,
    },
    AlreadyExists {
        kind: Kind,
        name: String,
    },
    /// The API server's validation refused the object.
    Invalid {
        kind: Kind,
        name: String,
        causes: Vec<FieldError>,
    },
    /// The namespace is one the API server keeps.
    Forbidden {
        kind: Kind,
        name: String,
    },
    /// svclab's own cap on replicas per Deployment ([`MAX_REPLICAS`]).
    TooManyReplicas {
        replicas: i64,
    },
    /// The kind is not one `kubectl delete` removes here.
    NoResourceType {
        kind: Kind,
    },
    /// `set image` names a container the template does not have.
    NoContainer {
        container: String,
    },
    /// `label` would change a label without `--overwrite`.
    LabelExists {
        key: String,
        value: String,
    },
    /// `rollout undo` with no earlier revision.
    NoHistory {
        deployment: String,
    },
    /// `rollout undo --to-revision` of a revision that is not there.
    NoRevision {
        revision: i64,
    },
    /// An apply's documents were refused.
    Manifest(ApplyErrors),
}

impl fmt::Display for ActError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActError::NotFound { kind, name } => write!(
                f,
                "Error from server (NotFound): {} \"{name}\" not found",
                kind.resource()
            ),
            ActError::AlreadyExists { kind, name } => write!(
                f,
                "Error from server (AlreadyExists): {} \"{name}\" already exists",
                kind.resource()
            ),
            ActError::Invalid { kind, name, causes } => {
                write!(f, "error: The {} \"{name}\" is invalid", kind.name())?;
                match causes.as_slice() {
                    [] => Ok(()),
                    [one] => write!(f, ": {}", one.cause()),
                    many => {
                        f.write_str(": ")?;
                        many.iter()
                            .try_for_each(|c| write!(f, "\n* {}", c.cause()))
                    }
                }
            }
            ActError::Forbidden { kind, name } => write!(
                f,
                "Error from server (Forbidden): {} \"{name}\" is forbidden: this namespace may not be deleted",
                kind.resource()
            ),
            ActError::TooManyReplicas { replicas } => write!(
                f,
                "svclab: --replicas={replicas}: this simulator runs at most {MAX_REPLICAS} replicas per Deployment"
            ),
            ActError::NoResourceType { kind } => write!(
                f,
                "error: the server doesn't have a resource type \"{}\"",
                kind.singular()
            ),
            ActError::NoContainer { container } => {
                write!(f, "error: unable to find container named \"{container}\"")
            }
            ActError::LabelExists { key, value } => write!(
                f,
                "error: '{key}' already has a value ({value}), and --overwrite is false"
            ),
            ActError::NoHistory { deployment } => write!(
                f,
                "error: no rollout history found for deployment \"{deployment}\""
            ),
            ActError::NoRevision { revision } => write!(
                f,
                "error: unable to find specified revision {revision} in history"
            ),
            ActError::Manifest(errors) => {
                let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                f.write_str(&messages.join("\n"))
            }
        }
    }
}

impl std::error::Error for ActError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::ManifestError;

    fn applied(kind: Kind, name: &str, change: Change) -> String {
        Applied {
            kind,
            name: name.into(),
            change,
        }
        .to_string()
    }

    #[test]
    fn applied_objects_print_kubectls_prefix_and_verb() {
        let rows = [
            (
                applied(Kind::Deployment, "backend", Change::Created),
                "deployment.apps/backend created",
            ),
            (
                applied(Kind::Service, "web", Change::Configured),
                "service/web configured",
            ),
            (
                applied(Kind::Namespace, "shop", Change::Unchanged),
                "namespace/shop unchanged",
            ),
            (applied(Kind::Pod, "x", Change::Created), "pod/x created"),
            (
                applied(Kind::NetworkPolicy, "deny", Change::Unchanged),
                "networkpolicy.networking.k8s.io/deny unchanged",
            ),
        ];
        for (got, want) in rows {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn outcomes_print_what_kubectl_printed() {
        let d = || "backend".to_string();
        let p = || "x".to_string();
        let rows: Vec<(Outcome, &[&str])> = vec![
            (
                Outcome::Applied(vec![
                    Applied {
                        kind: Kind::Deployment,
                        name: d(),
                        change: Change::Created,
                    },
                    Applied {
                        kind: Kind::Service,
                        name: "backend-service".into(),
                        change: Change::Unchanged,
                    },
                ]),
                &[
                    "deployment.apps/backend created",
                    "service/backend-service unchanged",
                ],
            ),
            (
                Outcome::Scaled { deployment: d() },
                &["deployment.apps/backend scaled"],
            ),
            (
                Outcome::ImageSet {
                    deployment: d(),
                    changed: true,
                },
                &["deployment.apps/backend image updated"],
            ),
            (
                Outcome::ImageSet {
                    deployment: d(),
                    changed: false,
                },
                &[],
            ),
            (
                Outcome::RolledBack { deployment: d() },
                &["deployment.apps/backend rolled back"],
            ),
            (
                Outcome::RollbackSkipped {
                    deployment: d(),
                    revision: 2,
                },
                &["deployment.apps/backend skipped rollback (current template already matches revision 2)"],
            ),
            (
                Outcome::Deleted {
                    kind: Kind::Deployment,
                    name: d(),
                },
                &["deployment.apps \"backend\" deleted"],
            ),
            (
                Outcome::Deleted {
                    kind: Kind::Service,
                    name: "web".into(),
                },
                &["service \"web\" deleted"],
            ),
            (
                Outcome::Deleted {
                    kind: Kind::Pod,
                    name: p(),
                },
                &["pod \"x\" deleted"],
            ),
            (
                Outcome::Deleted {
                    kind: Kind::NetworkPolicy,
                    name: "deny".into(),
                },
                &["networkpolicy.networking.k8s.io \"deny\" deleted"],
            ),
            (
                Outcome::Deleted {
                    kind: Kind::Namespace,
                    name: "shop".into(),
                },
                &["namespace \"shop\" deleted"],
            ),
            (
                Outcome::Readiness {
                    pod: p(),
                    fail: true,
                },
                &["pod/x: readiness probe now fails"],
            ),
            (
                Outcome::Readiness {
                    pod: p(),
                    fail: false,
                },
                &["pod/x: readiness probe now passes"],
            ),
            (Outcome::Labeled { pod: p() }, &["pod/x labeled"]),
            (Outcome::Unlabeled { pod: p() }, &["pod/x unlabeled"]),
            (Outcome::NotLabeled { pod: p() }, &["pod/x not labeled"]),
            (
                Outcome::LabelNotFound {
                    pod: p(),
                    key: "app".into(),
                },
                &["label \"app\" not found.\npod/x unlabeled"],
            ),
            (
                Outcome::CoreDns { broken: true },
                &["CoreDNS broken: its pods keep running but fail their readiness probe and answer no queries"],
            ),
            (Outcome::CoreDns { broken: false }, &["CoreDNS mended"]),
            (
                Outcome::ProxyMode(ProxyMode::Ipvs),
                &["kube-proxy mode: ipvs"],
            ),
            (
                Outcome::ProxyMode(ProxyMode::Iptables),
                &["kube-proxy mode: iptables"],
            ),
            (
                Outcome::ProxyMode(ProxyMode::Nftables),
                &["kube-proxy mode: nftables"],
            ),
            (Outcome::PodCreated { pod: p() }, &["pod/x created"]),
            (Outcome::Sent { trace: 7 }, &["trace 7"]),
        ];
        for (outcome, want) in rows {
            assert_eq!(outcome.lines(), want, "{outcome:?}");
            assert_eq!(outcome.to_string(), want.join("\n"), "{outcome:?}");
        }
    }

    #[test]
    fn errors_print_what_kubectl_printed() {
        let manifest_error = |message: &str| ManifestError {
            document: 0,
            line: 1,
            column: 1,
            message: message.into(),
            fields: Vec::new(),
        };
        let rows = [
            (
                ActError::NotFound {
                    kind: Kind::Deployment,
                    name: "nope".into(),
                },
                "Error from server (NotFound): deployments.apps \"nope\" not found",
            ),
            (
                ActError::NotFound {
                    kind: Kind::Pod,
                    name: "x".into(),
                },
                "Error from server (NotFound): pods \"x\" not found",
            ),
            (
                ActError::NotFound {
                    kind: Kind::Service,
                    name: "web".into(),
                },
                "Error from server (NotFound): services \"web\" not found",
            ),
            (
                ActError::NotFound {
                    kind: Kind::NetworkPolicy,
                    name: "deny".into(),
                },
                "Error from server (NotFound): networkpolicies.networking.k8s.io \"deny\" not found",
            ),
            (
                ActError::NotFound {
                    kind: Kind::Namespace,
                    name: "shop".into(),
                },
                "Error from server (NotFound): namespaces \"shop\" not found",
            ),
            (
                ActError::AlreadyExists {
                    kind: Kind::Pod,
                    name: "test".into(),
                },
                "Error from server (AlreadyExists): pods \"test\" already exists",
            ),
            (
                ActError::Invalid {
                    kind: Kind::Deployment,
                    name: "backend".into(),
                    causes: vec![FieldError::new(
                        "spec.replicas",
                        "Invalid value: -1: must be greater than or equal to 0",
                    )],
                },
                "error: The Deployment \"backend\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            ),
            (
                ActError::Invalid {
                    kind: Kind::Deployment,
                    name: "backend".into(),
                    causes: vec![FieldError::new(
                        "spec.template.spec.containers[1].image",
                        "Required value",
                    )],
                },
                "error: The Deployment \"backend\" is invalid: spec.template.spec.containers[1].image: Required value",
            ),
            (
                ActError::Forbidden {
                    kind: Kind::Namespace,
                    name: "default".into(),
                },
                "Error from server (Forbidden): namespaces \"default\" is forbidden: this namespace may not be deleted",
            ),
            (
                ActError::TooManyReplicas { replicas: 5000 },
                "svclab: --replicas=5000: this simulator runs at most 1000 replicas per Deployment",
            ),
            (
                ActError::NoResourceType {
                    kind: Kind::ReplicaSet,
                },
                "error: the server doesn't have a resource type \"replicaset\"",
            ),
            (
                ActError::NoContainer {
                    container: "app".into(),
                },
                "error: unable to find container named \"app\"",
            ),
            (
                ActError::LabelExists {
                    key: "app".into(),
                    value: "web".into(),
                },
                "error: 'app' already has a value (web), and --overwrite is false",
            ),
            (
                ActError::NoHistory {
                    deployment: "backend".into(),
                },
                "error: no rollout history found for deployment \"backend\"",
            ),
            (
                ActError::NoRevision { revision: 9 },
                "error: unable to find specified revision 9 in history",
            ),
            (
                ActError::Manifest(vec![manifest_error("first"), manifest_error("second")]),
                "first\nsecond",
            ),
        ];
        for (error, want) in rows {
            assert_eq!(error.to_string(), want, "{error:?}");
        }
    }
}
