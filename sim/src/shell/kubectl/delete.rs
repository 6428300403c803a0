//! `kubectl delete`: objects by name, by selector or from the editor's file.

use crate::action::Action;
use crate::cluster::{ActError, Cluster};
use crate::model::*;
use crate::shell::flags::{boolean, val, Values, FORMATS};
use crate::shell::get::{self, Kind};
use crate::shell::{Job, Line, Reply, Stream, Terminal};

use super::apply::{manifest_objects, read_files};
use super::command::{Args, Command, Run};
use super::target::*;
use super::{namespace, parse};

pub(super) static DELETE: Command = Command {
    name: "delete",
    help: &[
        "Delete resources by file names, resources and names, or by resources and label selector.",
        "",
        "Usage:",
        "  kubectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [options]",
    ],
    flags: &[
        val("filename", Some('f')).completes(Values::File),
        boolean("all", None),
        boolean("all-namespaces", Some('A')),
        val("selector", Some('l')).completes(Values::Labels),
        boolean("now", None),
        boolean("force", None),
        val("grace-period", None),
        boolean("wait", None),
        val("timeout", None),
        val("output", Some('o')).completes(Values::Formats(FORMATS)),
        boolean("ignore-not-found", None),
    ],
    args: Args::Types { all: false },
    run: Run::Handler(delete),
    subcommands: &[],
};

pub(super) fn delete(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&DELETE, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ns = namespace(term, &p);
    let mut lines = Vec::new();
    if p.on("force") || p.has("grace-period") || p.on("now") {
        lines.push(Line::note(
            "--force/--grace-period/--now are not simulated: the pod gets its normal grace period",
        ));
    }
    // What to delete: (kind, namespace, name), in order.
    let mut victims: Vec<(Kind, String, String)> = Vec::new();
    let mut from_file: Option<String> = None;
    if p.has("filename") {
        let files = match read_files(term, &p, "delete") {
            Ok(f) => f,
            Err(r) => return r,
        };
        let (name, text) = (files[0].0.to_string(), files[0].1.to_string());
        match manifest_objects(&text, &name) {
            Ok(objs) => victims.extend(objs),
            Err(errors) => {
                return Reply::fail(
                    errors
                        .iter()
                        .flat_map(|e| crate::shell::text_lines(e, Stream::Stderr))
                        .collect(),
                    1,
                )
            }
        }
        from_file = Some(name);
    } else {
        if p.args.is_empty() {
            return no_resources_given();
        }
        let t = match targets(&p.args, false) {
            Ok(t) => t,
            Err(r) => return r,
        };
        let sel = match selector(&p, "delete") {
            Ok(s) => s,
            Err(r) => return r,
        };
        if t.names.is_empty() {
            if !p.on("all") && sel.is_none() {
                return Reply::error("error: resource(s) were provided, but no name was specified");
            }
            for kind in &t.kinds {
                let scope = if kind.namespaced() {
                    Some(ns.as_str())
                } else {
                    None
                };
                for i in get::list(cluster, *kind, scope) {
                    if sel.as_ref().is_none_or(|s| s.matches(&i.labels())) {
                        victims.push((*kind, i.namespace(), i.name()));
                    }
                }
            }
            if victims.is_empty() {
                lines.push(Line::out("No resources found"));
                return Reply::lines(lines);
            }
        } else {
            for (kind, name) in t.names {
                victims.push((
                    kind,
                    if kind.namespaced() {
                        ns.clone()
                    } else {
                        String::new()
                    },
                    name,
                ));
            }
        }
    }
    let mut status = 0;
    let mut waiting: Vec<(ObjectKey, String)> = Vec::new();
    for (kind, vns, name) in victims {
        if !kind.resource_type().delete {
            lines.push(Line::note(format!(
                "deleting {} is not simulated (their controller would recreate them at once)",
                kind.resource()
            )));
            status = 1;
            continue;
        }
        let uid = if kind == Kind::Pod {
            cluster
                .pods()
                .get(&ObjectKey::new(&vns, &name))
                .map(|p| p.meta.uid.clone())
        } else {
            None
        };
        let action = Action::Delete {
            kind,
            namespace: vns.clone(),
            name: name.clone(),
        };
        match cluster.act(action) {
            Ok(out) => {
                lines.extend(out.lines().into_iter().map(Line::out));
                if let Some(uid) = uid {
                    waiting.push((ObjectKey::new(&vns, &name), uid));
                }
            }
            Err(e) => {
                if p.on("ignore-not-found") && matches!(e, ActError::NotFound { .. }) {
                    continue;
                }
                status = 1;
                let e = match (&e, &from_file) {
                    (ActError::NotFound { kind, name }, Some(f)) => format!(
                        "Error from server (NotFound): error when deleting \"{f}\": {} \"{name}\" not found",
                        kind.resource()
                    ),
                    _ => e.to_string(),
                };
                lines.extend(crate::shell::text_lines(&e, Stream::Stderr));
            }
        }
    }
    let wait = !matches!(p.get("wait"), Some("false"));
    // kubectl waits for the pods it deleted to be gone (their grace period).
    let pending: Vec<(ObjectKey, String)> = waiting
        .into_iter()
        .filter(|(k, uid)| cluster.pods().get(k).is_some_and(|p| &p.meta.uid == uid))
        .collect();
    let mut r = Reply::fail(lines, status);
    if wait {
        if let Some((pod, uid)) = pending.into_iter().next_back() {
            r.job = Some(Box::new(Job::Gone { pod, uid }));
        }
    }
    r
}
