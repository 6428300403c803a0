//! A lesson's starting actions: what is broken before the learner arrives.

use serde::Deserialize;

use crate::action::Action;
use crate::cluster::Cluster;
use crate::kube_proxy::ProxyMode;

/// One starting action. In a lesson file each is a map with one key naming it
/// (`breakCoreDns: {}`, `failReadiness: {deployment: backend, pods: 1}`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "SetupFile")]
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

/// A starting action as a lesson file writes it: a map whose one key names it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetupFile {
    break_core_dns: Option<Empty>,
    fail_readiness: Option<FailArgs>,
    kill_pod: Option<KillArgs>,
    proxy_mode: Option<ModeArgs>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FailArgs {
    deployment: String,
    #[serde(default = "one")]
    pods: usize,
    #[serde(default = "default_namespace")]
    namespace: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KillArgs {
    deployment: String,
    #[serde(default = "default_namespace")]
    namespace: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeArgs {
    mode: String,
}

impl TryFrom<SetupFile> for Setup {
    type Error = String;

    fn try_from(f: SetupFile) -> Result<Setup, String> {
        let mut steps = Vec::new();
        if f.break_core_dns.is_some() {
            steps.push(Setup::BreakCoreDns);
        }
        if let Some(a) = f.fail_readiness {
            steps.push(Setup::FailReadiness {
                deployment: a.deployment,
                pods: a.pods,
                namespace: a.namespace,
            });
        }
        if let Some(a) = f.kill_pod {
            steps.push(Setup::KillPod {
                deployment: a.deployment,
                namespace: a.namespace,
            });
        }
        if let Some(a) = f.proxy_mode {
            steps.push(Setup::ProxyMode { mode: a.mode });
        }
        match steps.len() {
            1 => Ok(steps.remove(0)),
            0 => Err(
                "a setup step needs one of breakCoreDns, failReadiness, killPod, proxyMode".into(),
            ),
            _ => Err("a setup step names exactly one action; write one step per action".into()),
        }
    }
}

fn one() -> usize {
    1
}

fn default_namespace() -> String {
    "default".into()
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
