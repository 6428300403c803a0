//! Resource arguments: `TYPE NAME...`, `TYPE1,TYPE2`, `TYPE/NAME`, selectors, and the messages
//! kubectl prints when they name nothing.

use crate::model::*;
use crate::shell::flags::Parsed;
use crate::shell::get::{self, Kind, Unresolved};
use crate::shell::{Line, Reply};

/// What `TYPE NAME...`, `TYPE1,TYPE2` or `TYPE/NAME...` asked for.
pub(super) struct Targets {
    /// Requested kinds, in order, without duplicates.
    pub kinds: Vec<Kind>,
    /// `(kind, name)` pairs; empty means "every object of each kind".
    pub names: Vec<(Kind, String)>,
    /// `kubectl get all`.
    pub all: bool,
}

pub(super) fn resolve(typed: &str) -> Result<Kind, Reply> {
    get::parse_kind(typed).map_err(|e| match e {
        Unresolved::Unknown => Reply::error(format!(
            "error: the server doesn't have a resource type \"{}\"",
            typed.split('.').next().unwrap_or(typed)
        )),
        Unresolved::NotSimulated(plural) => Reply::fail(
            vec![Line::note(format!(
                "{plural} are served by a real cluster but not simulated here; svclab has pods, services, endpoints, endpointslices, deployments, replicasets, daemonsets, nodes, namespaces, networkpolicies and events"
            ))],
            1,
        ),
    })
}

pub(super) fn targets(args: &[String], allow_all: bool) -> Result<Targets, Reply> {
    let mut t = Targets {
        kinds: Vec::new(),
        names: Vec::new(),
        all: false,
    };
    let Some(first) = args.first() else {
        return Ok(t);
    };
    if first.contains('/') {
        for a in args {
            let Some((ty, name)) = a.split_once('/') else {
                return Err(Reply::error(
                    "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
                ));
            };
            let kind = resolve(ty)?;
            if name.is_empty() {
                return Err(Reply::error(
                    "error: arguments in resource/name form must have a single resource and name",
                ));
            }
            if !t.kinds.contains(&kind) {
                t.kinds.push(kind);
            }
            t.names.push((kind, name.to_string()));
        }
        return Ok(t);
    }
    for ty in first.split(',').filter(|s| !s.is_empty()) {
        if allow_all && ty == "all" {
            t.all = true;
            for k in crate::resource::all_category() {
                if !t.kinds.contains(&k) {
                    t.kinds.push(k);
                }
            }
            continue;
        }
        let kind = resolve(ty)?;
        if !t.kinds.contains(&kind) {
            t.kinds.push(kind);
        }
    }
    for name in &args[1..] {
        if name.contains('/') {
            return Err(Reply::error(
                "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
            ));
        }
        for k in &t.kinds {
            t.names.push((*k, name.clone()));
        }
    }
    Ok(t)
}

/// kubectl's answer to a command that needs objects and was given none.
pub(super) fn no_resources_given() -> Reply {
    Reply::fail(
        vec![
            Line::err("error: You must provide one or more resources by argument or filename."),
            Line::err("Example resource specifications include:"),
            Line::err("   '-f rsrc.yaml'"),
            Line::err("   '--filename=rsrc.json'"),
            Line::err("   '<resource> <name>'"),
            Line::err("   '<resource>'"),
        ],
        1,
    )
}

pub(super) fn not_found(kind: Kind, name: &str) -> Line {
    Line::err(format!(
        "Error from server (NotFound): {} \"{name}\" not found",
        kind.resource()
    ))
}

pub(super) fn no_resources(all_ns: bool, ns: &str, cluster_scoped: bool) -> Line {
    if all_ns || cluster_scoped {
        Line::err("No resources found")
    } else {
        Line::err(format!("No resources found in {ns} namespace."))
    }
}

pub(super) fn selector(p: &Parsed, sub: &str) -> Result<Option<LabelSelector>, Reply> {
    match p.get("selector") {
        None => Ok(None),
        Some(s) => get::parse_selector(s).map(Some).map_err(|m| {
            let _ = sub;
            Reply::error(format!("error: {m}"))
        }),
    }
}
