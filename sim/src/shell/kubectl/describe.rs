//! `kubectl describe`: the objects the arguments name, in kubectl's describe text.

use crate::cluster::Cluster;
use crate::shell::flags::{boolean, val, Values};
use crate::shell::get::{self, Item, Kind};
use crate::shell::{describe, Line, Reply, Terminal};

use super::command::{Args, Command, Run};
use super::target::*;
use super::{namespace, parse};

pub(super) static DESCRIBE: Command = Command {
    name: "describe",
    help: &[
        "Show details of a specific resource or group of resources.",
        "",
        "Usage:",
        "  kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]",
    ],
    flags: &[
        boolean("all-namespaces", Some('A')),
        val("selector", Some('l')).completes(Values::Labels),
        boolean("show-events", None),
        val("filename", Some('f')).completes(Values::File),
    ],
    args: Args::Types { all: false },
    run: Run::Handler(describe_cmd),
    subcommands: &[],
};

pub(super) fn describe_cmd(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&DESCRIBE, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.args.is_empty() {
        return Reply::fail(
            vec![
                Line::err("error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources."),
                Line::err(""),
            ],
            1,
        );
    }
    let t = match targets(&p.args, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let sel = match selector(&p, "describe") {
        Ok(s) => s,
        Err(r) => return r,
    };
    let all_ns = p.on("all-namespaces");
    let ns = namespace(term, &p);
    let mut found: Vec<Item> = Vec::new();
    let mut errors = Vec::new();
    for kind in &t.kinds {
        let wanted: Vec<&String> = t
            .names
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, n)| n)
            .collect();
        let scope = if all_ns || !kind.namespaced() {
            None
        } else {
            Some(ns.as_str())
        };
        if wanted.is_empty() {
            let mut items = get::list(cluster, *kind, scope);
            if let Some(sel) = &sel {
                items.retain(|i| sel.matches(&i.labels()));
            }
            found.extend(items);
        } else {
            for name in wanted {
                match get::find(cluster, *kind, &ns, name) {
                    Some(i) => found.push(i),
                    None => {
                        // describe falls back to a name prefix: `describe pods backend`.
                        let prefixed: Vec<Item> = get::list(cluster, *kind, scope)
                            .into_iter()
                            .filter(|i| i.name().starts_with(name.as_str()))
                            .collect();
                        if prefixed.is_empty() {
                            errors.push(not_found(*kind, name));
                        } else {
                            found.extend(prefixed);
                        }
                    }
                }
            }
        }
    }
    let mut lines = Vec::new();
    for (i, item) in found.iter().enumerate() {
        if i > 0 {
            lines.push(Line::out(""));
            lines.push(Line::out(""));
        }
        lines.extend(describe::describe(cluster, item).into_iter().map(Line::out));
        if item.kind() == Kind::DaemonSet {
            lines.push(Line::note("the DaemonSet object is read off its pods (kind installs it); its pod template is not shown"));
        }
    }
    if found.is_empty() && errors.is_empty() {
        lines.push(no_resources(
            all_ns,
            &ns,
            t.kinds.iter().all(|k| !k.namespaced()),
        ));
    }
    let failed = !errors.is_empty();
    lines.extend(errors);
    Reply::fail(lines, i32::from(failed))
}
