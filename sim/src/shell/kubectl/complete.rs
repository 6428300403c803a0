//! Tab completion of kubectl's command line, as kubectl's completion script offers it:
//! subcommands and their flags, flag values, resource types, object names and namespaces.

use crate::cluster::Cluster;

use super::{find_command, subcommand, Args, Command, COMMANDS, GLOBAL};
use crate::shell::builtin::matching;
use crate::shell::flags::{Flag, Values};
use crate::shell::get::{self, Kind};
use crate::shell::Terminal;

/// The resource types kubectl completes: every simulated type's plural.
fn types() -> impl Iterator<Item = String> {
    crate::resource::RESOURCES
        .iter()
        .filter(|r| r.simulated.is_some())
        .map(|r| r.plural.to_string())
}

const IMAGES: &[&str] = &["busybox", "curlimages/curl", "nginx", "nicolaka/netshoot"];

fn namespaces(cluster: &Cluster) -> Vec<String> {
    cluster.namespaces().keys().cloned().collect()
}

/// The namespace a kubectl line works in: its `-n` or the context's.
fn line_namespace(term: &Terminal, done: &[String]) -> String {
    let mut ns = term.namespace.clone();
    let mut it = done.iter();
    while let Some(w) = it.next() {
        if w == "-n" || w == "--namespace" {
            if let Some(v) = it.next() {
                ns = v.clone();
            }
        } else if let Some(v) = w.strip_prefix("--namespace=") {
            ns = v.to_string();
        }
    }
    ns
}

fn names_of(cluster: &Cluster, kind: Kind, ns: &str) -> Vec<String> {
    let scope = if kind.namespaced() { Some(ns) } else { None };
    get::list(cluster, kind, scope)
        .iter()
        .map(|i| i.name())
        .collect()
}

/// What a flag's value completes to.
fn values(term: &Terminal, cluster: &Cluster, values: Values, ns: &str) -> Vec<String> {
    match values {
        Values::Nothing => Vec::new(),
        Values::Namespaces => namespaces(cluster),
        Values::Formats(formats) => formats.iter().map(|f| f.to_string()).collect(),
        Values::File => vec![term.file_name().to_string()],
        Values::Labels => cluster
            .pods()
            .values()
            .filter(|p| p.meta.namespace == ns)
            .flat_map(|p| p.meta.labels.iter().map(|(k, v)| format!("{k}={v}")))
            .collect(),
        Values::Images => IMAGES.iter().map(|i| i.to_string()).collect(),
    }
}

/// The flags `kubectl COMMAND` takes: its own and the global ones.
fn flags_of(command: Option<&Command>) -> impl Iterator<Item = &'static Flag> {
    command.map_or(&[][..], |c| c.flags).iter().chain(GLOBAL)
}

/// What Tab offers after `kubectl`: subcommands, their flags and the flags' values, resource
/// types and object names, as kubectl's completion script would.
pub(crate) fn complete(
    term: &Terminal,
    cluster: &Cluster,
    _: &(),
    args: &[String],
    cur: &str,
) -> Vec<String> {
    let ns = line_namespace(term, args);
    // Skip flags (and their values) to find the subcommand and the positional arguments; the
    // last word may be a flag that wants a value.
    let mut command: Option<&'static Command> = None;
    let mut positional: Vec<&String> = Vec::new();
    // How many of the positional words name the command (`rollout status` is 2).
    let mut depth = 0;
    let mut words = args.iter().peekable();
    while let Some(w) = words.next() {
        if w == "--" {
            break;
        }
        if w.starts_with('-') {
            let Some(flag) = flags_of(command).find(|f| f.value && f.named(w)) else {
                continue;
            };
            if words.next().is_none() {
                return matching(values(term, cluster, flag.values, &ns), cur);
            }
            continue;
        }
        // The command path: `rollout status` takes its subcommand's flags and arguments.
        if positional.is_empty() {
            command = find_command(w);
            depth = 1;
        } else if positional.len() == depth {
            if let Some(sub) = command.and_then(|c| subcommand(c, w)) {
                command = Some(sub);
                depth += 1;
            }
        }
        positional.push(w);
    }
    if let Some((name, typed)) = cur.strip_prefix("--").and_then(|c| c.split_once('=')) {
        let Some(flag) = flags_of(command).find(|f| f.long == name) else {
            return Vec::new();
        };
        return matching(
            values(term, cluster, flag.values, &ns)
                .into_iter()
                .map(|v| format!("--{name}={v}")),
            &format!("--{name}={typed}"),
        );
    }
    let Some(command) = command else {
        if positional.is_empty() {
            if cur.starts_with('-') {
                return matching(["--namespace", "--help"].map(String::from), cur);
            }
            return matching(COMMANDS.iter().map(|c| c.name.to_string()), cur);
        }
        if cur.starts_with('-') {
            return matching(["--namespace".to_string()], cur);
        }
        return Vec::new();
    };
    if cur.starts_with('-') {
        return matching(
            command
                .flags
                .iter()
                .map(|f| format!("--{}", f.long))
                .chain(["--namespace".to_string()]),
            cur,
        );
    }
    let rest = &positional[depth.min(positional.len())..];
    if rest.is_empty() && !command.subcommands.is_empty() {
        return matching(
            command
                .subcommands
                .iter()
                .filter_map(|s| s.name.rsplit(' ').next())
                .map(str::to_string),
            cur,
        );
    }
    let types: Vec<String> = match command.args {
        Args::Types { all } => types().chain(all.then(|| "all".to_string())).collect(),
        Args::TypesOf(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    };
    match command.args {
        Args::Types { .. } | Args::TypesOf(_) => {
            if rest.is_empty() {
                if let Some((ty, _)) = cur.split_once('/') {
                    let Ok(kind) = get::parse_kind(ty) else {
                        return Vec::new();
                    };
                    return matching(
                        names_of(cluster, kind, &ns)
                            .into_iter()
                            .map(|n| format!("{ty}/{n}")),
                        cur,
                    );
                }
                return matching(types, cur);
            }
            let ty = rest[0].as_str();
            if ty.contains('/') {
                return Vec::new();
            }
            let Ok(kind) = get::parse_kind(ty.split(',').next().unwrap_or(ty)) else {
                return Vec::new();
            };
            let already: Vec<&str> = rest[1..].iter().map(|s| s.as_str()).collect();
            matching(
                names_of(cluster, kind, &ns)
                    .into_iter()
                    .filter(|n| !already.contains(&n.as_str())),
                cur,
            )
        }
        Args::Pods => {
            if !rest.is_empty() {
                return Vec::new();
            }
            let mut c = names_of(cluster, Kind::Pod, &ns);
            c.extend(
                names_of(cluster, Kind::Deployment, &ns)
                    .into_iter()
                    .map(|d| format!("deploy/{d}")),
            );
            matching(c, cur)
        }
        Args::Nodes => {
            if !rest.is_empty() {
                return Vec::new();
            }
            matching(
                cluster
                    .nodes()
                    .iter()
                    .map(|n| format!("node/{}", n.meta.name)),
                cur,
            )
        }
        Args::Deployments => matching(
            names_of(cluster, Kind::Deployment, &ns)
                .into_iter()
                .map(|d| format!("deployment/{d}")),
            cur,
        ),
        Args::Words(words) => {
            if rest.is_empty() {
                matching(words.iter().map(|w| w.to_string()), cur)
            } else {
                Vec::new()
            }
        }
        Args::File => matching([term.file_name().to_string()], cur),
        Args::Commands => matching(COMMANDS.iter().map(|c| c.name.to_string()), cur),
        Args::Nothing => Vec::new(),
    }
}
