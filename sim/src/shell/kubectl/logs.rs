//! `kubectl logs`: a pod's (or a Deployment's or a selector's pods') log lines.

use crate::cluster::Cluster;
use crate::model::*;
use crate::shell::flags::{boolean, val, Values};
use crate::shell::get::{self, Kind};
use crate::shell::{logs, Line, Reply, Terminal};

use super::command::{Args, Command, Run};
use super::{namespace, parse, usage_error};

pub(super) static LOGS: Command = Command {
    name: "logs",
    help: &[
        "Print the logs for a container in a pod or specified resource.",
        "",
        "Usage:",
        "  kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]",
    ],
    flags: &[
        val("selector", Some('l')).completes(Values::Labels),
        boolean("follow", Some('f')),
        val("tail", None),
        val("container", Some('c')),
        boolean("all-containers", None),
        boolean("prefix", None),
        boolean("timestamps", None),
        boolean("previous", Some('p')),
        val("since", None),
        val("max-log-requests", None),
    ],
    args: Args::Pods,
    run: Run::Handler(logs_cmd),
    subcommands: &[],
};

pub(super) fn logs_cmd(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&LOGS, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ns = namespace(term, &p);
    let mut pods: Vec<&Pod> = Vec::new();
    let mut notes = Vec::new();
    if let Some(s) = p.get("selector") {
        if !p.args.is_empty() {
            return usage_error("logs", "only a selector (-l) or a POD name is allowed");
        }
        let sel = match get::parse_selector(s) {
            Ok(s) => s,
            Err(m) => return Reply::error(format!("error: {m}")),
        };
        pods = cluster
            .pods()
            .values()
            .filter(|p| p.meta.namespace == ns && sel.matches(&p.meta.labels))
            .collect();
        if pods.is_empty() {
            let mut lines = vec![Line::err(format!("No resources found in {ns} namespace."))];
            if s.contains("coredns") {
                lines.push(Line::note("CoreDNS's pods are labelled k8s-app=kube-dns: try `kubectl logs -n kube-system -l k8s-app=kube-dns`"));
            }
            return Reply::lines(lines);
        }
    } else {
        let Some(target) = p.args.first() else {
            return usage_error(
                "logs",
                "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command",
            );
        };
        let name = match target.split_once('/') {
            Some((ty, n)) => match get::parse_kind(ty) {
                Ok(Kind::Pod) => n.to_string(),
                Ok(Kind::Deployment) => {
                    match cluster
                        .pods()
                        .values()
                        .filter(|x| x.meta.namespace == ns)
                        .find(|x| {
                            x.owner.as_ref().is_some_and(|rs| {
                                cluster.replica_sets().get(&ObjectKey::new(&ns, rs)).is_some_and(|r| r.owner == n)
                            })
                        }) {
                        Some(x) => {
                            let count = cluster
                                .pods()
                                .values()
                                .filter(|y| y.meta.namespace == ns && y.owner == x.owner)
                                .count();
                            if count > 1 {
                                notes.push(Line::err(format!("Found {count} pods, using pod/{}", x.meta.name)));
                            }
                            x.meta.name.clone()
                        }
                        None => return Reply::error(format!("error: error from server (NotFound): deployments.apps \"{n}\" not found in namespace \"{ns}\"")),
                    }
                }
                _ => return Reply::error(format!("error: cannot get the logs from {ty}")),
            },
            None => target.clone(),
        };
        match cluster.pods().get(&ObjectKey::new(&ns, &name)) {
            Some(pod) => pods.push(pod),
            None => {
                return Reply::error(format!(
                    "error: error from server (NotFound): pods \"{name}\" not found in namespace \"{ns}\""
                ))
            }
        }
    }
    let prefix = p.on("prefix");
    let tail: Option<usize> = p
        .get("tail")
        .and_then(|t| t.parse::<i64>().ok())
        .and_then(|t| usize::try_from(t).ok());
    let tail = tail.or(if p.has("selector") { Some(10) } else { None });
    let mut lines = notes;
    for pod in pods {
        let container = pod
            .spec
            .containers
            .first()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        if pod.status.container != ContainerState::Running
            && pod.status.container != ContainerState::Terminated
        {
            lines.push(Line::err(format!(
                "Error from server (BadRequest): container \"{container}\" in pod \"{}\" is waiting to start: {}",
                pod.meta.name,
                match pod.status.container {
                    ContainerState::ErrImagePull => "image can't be pulled",
                    ContainerState::ImagePullBackOff => "trying and failing to pull image",
                    waiting => waiting.waiting_reason(),
                }
            )));
            continue;
        }
        let mut out = logs::pod_logs(cluster, pod);
        if let Some(n) = tail {
            out = out.split_off(out.len().saturating_sub(n));
        }
        for l in out {
            if prefix {
                lines.push(Line::out(format!(
                    "[pod/{}/{container}] {l}",
                    pod.meta.name
                )));
            } else {
                lines.push(Line::out(l));
            }
        }
    }
    if p.on("follow") {
        lines.push(Line::note(
            "--follow is not simulated: these are the logs so far",
        ));
    }
    Reply::lines(lines)
}
