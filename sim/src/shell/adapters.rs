//! Seams to other parts of svclab, kept in one place so they are easy to replace.
//!
//! - [`send`]: `Action::Send` (which logs the request for replay) returns its trace id only as
//!   text, so the id is read off the newest trace. **ADAPTER**: replace with an `act` variant or
//!   `Cluster::send_logged` returning the id, when one exists.
//! - The learner's machine (`$ `): its environment and the `kind` CLI, which only answer what a
//!   kind user would see for the one cluster svclab runs.

use crate::map::SortedMap;

use crate::action::Action;
use crate::cluster::Cluster;
use crate::trace::Request;

use super::{Line, Reply};

/// Send a request through the action log (so replays repeat it); returns its trace id.
pub(crate) fn send(cluster: &mut Cluster, request: Request) -> Result<u64, String> {
    let before = cluster.traces.last().map(|t| t.id);
    cluster.act(Action::Send { request })?;
    match cluster.traces.last().map(|t| t.id) {
        Some(id) if Some(id) != before => Ok(id),
        _ => Err("svclab: the request left no trace".to_string()),
    }
}

/// The learner's shell environment.
pub(crate) fn host_env() -> SortedMap<String, String> {
    let mut env = SortedMap::new();
    env.insert("HOME".into(), "/home/learner".into());
    env.insert("USER".into(), "learner".into());
    env.insert("SHELL".into(), "/bin/bash".into());
    env.insert("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into());
    env.insert("PWD".into(), "/home/learner".into());
    env
}

/// `kind get clusters`, `kind get nodes`.
pub(crate) fn kind(cluster: &Cluster, args: &[String]) -> Reply {
    match (args.first().map(String::as_str), args.get(1).map(String::as_str)) {
        (Some("get"), Some("clusters")) => Reply::out("kind"),
        (Some("get"), Some("nodes")) => Reply::lines(cluster.nodes.iter().map(|n| Line::out(n.meta.name.clone())).collect()),
        (Some("version"), _) => Reply::out("kind v0.24.0 go1.22.6 linux/amd64"),
        _ => Reply::note("only `kind get clusters`, `kind get nodes` and `kind version` are simulated; the cluster itself is already up"),
    }
}
