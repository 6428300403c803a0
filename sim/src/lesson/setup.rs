//! A lesson's starting actions: what is broken before the learner arrives.

use crate::action::Action;
use crate::cluster::Cluster;
use crate::kube_proxy::ProxyMode;
use crate::manifest::{FileError, FileFields, FileValue};

/// One starting action. In a lesson file each is a map with one key naming it
/// (`breakCoreDns: {}`, `failReadiness: {deployment: backend, pods: 1}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setup {
    /// CoreDNS's pods keep running but stop answering.
    BreakCoreDns,
    /// The readiness probe of the first `pods` pods (by name) of a Deployment starts failing.
    FailReadiness {
        deployment: String,
        pods: usize,
        namespace: String,
    },
    /// Kill the first pod (by name) of a Deployment; its ReplicaSet replaces it.
    KillPod {
        deployment: String,
        namespace: String,
    },
    /// kube-proxy's mode (`iptables`, `nftables` or `ipvs`).
    ProxyMode { mode: String },
}

/// The names a lesson file gives the starting actions, in the order messages list them.
const STEPS: &[&str] = &["breakCoreDns", "failReadiness", "killPod", "proxyMode"];

impl Setup {
    /// A starting action as a lesson file writes it: a map whose one key names it.
    pub(super) fn read(value: &FileValue) -> Result<Setup, FileError> {
        let f = value.fields(STEPS)?;
        let (name, args) = f.one_of(STEPS).map_err(|written| {
            f.error(if written == 0 {
                format!("a setup step needs one of {}", STEPS.join(", "))
            } else {
                "a setup step names exactly one action; write one step per action".to_string()
            })
        })?;
        // Each action with the fields it reads (an unknown one is refused, naming these).
        let namespace = |a: &FileFields| {
            a.get("namespace")
                .map_or(Ok("default".to_string()), |v| v.text())
        };
        Ok(match name {
            // `breakCoreDns: {}` or `breakCoreDns:`.
            "breakCoreDns" => {
                args.fields(&[])?;
                Setup::BreakCoreDns
            }
            "failReadiness" => {
                let a = args.fields(&["deployment", "pods", "namespace"])?;
                Setup::FailReadiness {
                    deployment: a.text("deployment")?,
                    pods: a.get("pods").map_or(Ok(1), |v| v.count())?,
                    namespace: namespace(&a)?,
                }
            }
            "killPod" => {
                let a = args.fields(&["deployment", "namespace"])?;
                Setup::KillPod {
                    deployment: a.text("deployment")?,
                    namespace: namespace(&a)?,
                }
            }
            _ => Setup::ProxyMode {
                mode: args.fields(&["mode"])?.text("mode")?,
            },
        })
    }
}

impl Setup {
    /// A problem a lesson's author must fix, found when the lesson is loaded.
    pub fn problem(&self) -> Option<String> {
        match self {
            Setup::ProxyMode { mode } if mode_named(mode).is_none() => Some(format!(
                "proxyMode: unknown mode {mode:?}; expected iptables, nftables or ipvs"
            )),
            _ => None,
        }
    }

    /// Do it to `cluster`, as the learner's own actions would (so it is logged and replays).
    pub fn run(&self, cluster: &mut Cluster) -> Result<(), String> {
        let actions = match self {
            Setup::BreakCoreDns => vec![Action::BreakCoreDns { broken: true }],
            Setup::FailReadiness {
                deployment,
                pods,
                namespace,
            } => pods_of(cluster, namespace, deployment)
                .into_iter()
                .take(*pods)
                .map(|pod| Action::FailReadiness {
                    namespace: namespace.clone(),
                    pod,
                    fail: true,
                })
                .collect(),
            Setup::KillPod {
                deployment,
                namespace,
            } => pods_of(cluster, namespace, deployment)
                .into_iter()
                .take(1)
                .map(|pod| Action::DeletePod {
                    namespace: namespace.clone(),
                    pod,
                })
                .collect(),
            Setup::ProxyMode { mode } => match mode_named(mode) {
                Some(mode) => vec![Action::SetProxyMode { mode }],
                None => return Err(self.problem().unwrap_or_default()),
            },
        };
        if actions.is_empty() {
            return Err(format!("{self:?}: the Deployment has no pods"));
        }
        for action in actions {
            cluster.act(action).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

fn mode_named(name: &str) -> Option<ProxyMode> {
    ProxyMode::parse(name)
}

/// The names of a Deployment's running pods, sorted.
fn pods_of(cluster: &Cluster, namespace: &str, deployment: &str) -> Vec<String> {
    let owners: Vec<&str> = cluster
        .replica_sets()
        .values()
        .filter(|rs| rs.meta.namespace == namespace && rs.owner == deployment)
        .map(|rs| rs.meta.name.as_str())
        .collect();
    cluster
        .pods()
        .values()
        .filter(|p| {
            p.meta.namespace == namespace
                && p.owner.as_deref().is_some_and(|o| owners.contains(&o))
                && p.meta.deletion.is_none()
        })
        .map(|p| p.meta.name.clone())
        .collect()
}
