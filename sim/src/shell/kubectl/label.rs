//! `kubectl label`: add, change, remove and list an object's labels.

use crate::action::Action;
use crate::cluster::Cluster;
use crate::model::*;
use crate::shell::flags::{boolean, val, Values};
use crate::shell::get::{self, Kind};
use crate::shell::{Line, Reply, Stream, Terminal};

use super::command::{Args, Command, Run};
use super::target::*;
use super::{namespace, parse};

pub(super) static LABEL: Command = Command {
    name: "label",
    help: &[
        "Update the labels on a resource.",
        "",
        "Usage:",
        "  kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]",
    ],
    flags: &[
        boolean("overwrite", None),
        boolean("list", None),
        boolean("all", None),
        val("selector", Some('l')).completes(Values::Labels),
        val("filename", Some('f')).completes(Values::File),
    ],
    args: Args::Types { all: false },
    run: Run::Handler(label),
    subcommands: &[],
};

pub(super) fn label(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&LABEL, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ns = namespace(term, &p);
    // Resources first, then label changes (`k=v`, `k-`).
    let is_change = |a: &str| a.contains('=') || (a.ends_with('-') && a.len() > 1);
    let resources: Vec<String> = p.args.iter().filter(|a| !is_change(a)).cloned().collect();
    let changes: Vec<&String> = p.args.iter().filter(|a| is_change(a)).collect();
    if resources.is_empty() {
        return Reply::error("error: one or more resources must be specified as <resource> <name> or <resource>/<name>");
    }
    let t = match targets(&resources, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let mut names = t.names.clone();
    if names.is_empty() {
        if p.on("all") || p.has("selector") {
            let sel = match selector(&p, "label") {
                Ok(s) => s,
                Err(r) => return r,
            };
            for kind in &t.kinds {
                for i in get::list(cluster, *kind, Some(&ns)) {
                    if sel.as_ref().is_none_or(|s| s.matches(&i.labels())) {
                        names.push((*kind, i.name()));
                    }
                }
            }
        } else {
            return Reply::error("error: resource(s) were provided, but no name was specified");
        }
    }
    if p.on("list") {
        let mut lines = Vec::new();
        for (kind, name) in &names {
            match get::find(cluster, *kind, &ns, name) {
                Some(i) => lines.extend(
                    i.labels()
                        .iter()
                        .map(|(k, v)| Line::out(format!("{k}={v}"))),
                ),
                None => lines.push(not_found(*kind, name)),
            }
        }
        return Reply::lines(lines);
    }
    if changes.is_empty() {
        return Reply::error("error: at least one label update is required");
    }
    let mut set: Vec<(String, String)> = Vec::new();
    let mut remove: Vec<String> = Vec::new();
    for c in &changes {
        if let Some((k, v)) = c.split_once('=') {
            if k.is_empty() || !crate::validate::is_qualified_name(k).is_empty() {
                return Reply::error(format!("error: invalid label spec: {c}"));
            }
            let problems = crate::validate::is_label_value(v);
            if !problems.is_empty() {
                return Reply::error(format!(
                    "error: invalid label value: \"{c}\": {}",
                    problems.join("; ")
                ));
            }
            set.push((k.to_string(), v.to_string()));
        } else if let Some(k) = c.strip_suffix('-') {
            remove.push(k.to_string());
        }
    }
    if set.iter().any(|(k, _)| remove.contains(k)) {
        return Reply::error("error: can not both modify and remove a label in the same command");
    }
    let overwrite = p.on("overwrite");
    let mut lines = Vec::new();
    let mut status = 0;
    for (kind, name) in names {
        if kind != Kind::Pod {
            lines.push(Line::note(format!(
                "labelling {} is not simulated; change the labels in the manifest and apply it",
                kind.resource()
            )));
            status = 1;
            continue;
        }
        let key = ObjectKey::new(&ns, &name);
        let Some(current) = cluster.pods().get(&key).map(|p| p.meta.labels.clone()) else {
            lines.push(not_found(Kind::Pod, &name));
            status = 1;
            continue;
        };
        if !overwrite {
            if let Some((k, _)) = set
                .iter()
                .find(|(k, v)| current.get(k).is_some_and(|cur| cur != v))
            {
                lines.push(Line::err(format!(
                    "error: '{k}' already has a value ({}), and --overwrite is false",
                    current[k]
                )));
                status = 1;
                continue;
            }
        }
        let mut changed = false;
        let mut removed_missing = Vec::new();
        for (k, v) in &set {
            if current.get(k) == Some(v) {
                continue;
            }
            // `Action::Label` has no overwrite flag: an overwrite is a removal, then a set.
            if current.contains_key(k) {
                let _ = cluster.act(Action::Label {
                    namespace: ns.clone(),
                    pod: name.clone(),
                    key: k.clone(),
                    value: None,
                });
            }
            match cluster.act(Action::Label {
                namespace: ns.clone(),
                pod: name.clone(),
                key: k.clone(),
                value: Some(v.clone()),
            }) {
                Ok(_) => changed = true,
                Err(e) => {
                    lines.extend(crate::shell::text_lines(&e.to_string(), Stream::Stderr));
                    status = 1;
                }
            }
        }
        for k in &remove {
            if !current.contains_key(k) {
                removed_missing.push(k.clone());
                continue;
            }
            if cluster
                .act(Action::Label {
                    namespace: ns.clone(),
                    pod: name.clone(),
                    key: k.clone(),
                    value: None,
                })
                .is_ok()
            {
                changed = true;
            }
        }
        for k in removed_missing {
            lines.push(Line::out(format!("label \"{k}\" not found.")));
        }
        let verb = if !changed {
            "not labeled"
        } else if set.is_empty() {
            "unlabeled"
        } else {
            "labeled"
        };
        lines.push(Line::out(format!("pod/{name} {verb}")));
    }
    Reply::fail(lines, status)
}
