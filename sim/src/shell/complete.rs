//! Tab completion, as bash with kubectl's completion script would offer it: commands, kubectl
//! subcommands and flags, resource types, object names, namespaces, nodes, the editor's file, and
//! inside the cluster the tools and the Services to point them at.

use crate::cluster::Cluster;
use crate::kube_proxy::iptables::Tables;

use super::flags::{Flag, Values};
use super::get::{self, Kind};
use super::kubectl::{self, Args, Command, COMMANDS};
use super::{builtin, host, node, pod, words, Location, Terminal};

/// The resource types kubectl completes: every simulated type's plural.
fn types() -> impl Iterator<Item = String> {
    crate::resource::RESOURCES
        .iter()
        .filter(|r| r.simulated.is_some())
        .map(|r| r.plural.to_string())
}
const IMAGES: &[&str] = &["busybox", "curlimages/curl", "nginx", "nicolaka/netshoot"];

/// The word being typed: where it starts in the line (a byte offset, always on a char boundary),
/// the word with its quotes and backslashes removed, and the quote character it opened with, if
/// any (kept when the word is completed).
struct Current {
    start: usize,
    word: String,
    quote: Option<char>,
}

/// Find the word being typed: the text after the last blank or operator character that no quote
/// or backslash protects.
fn current(line: &str) -> Current {
    let mut start = 0;
    let mut word = String::new();
    let mut open: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match open {
            Some('\'') => {
                if c == '\'' {
                    open = None;
                } else {
                    word.push(c);
                }
            }
            Some(_) => match c {
                '"' => open = None,
                '\\' => match chars.peek() {
                    Some(&(_, n)) if matches!(n, '"' | '\\' | '$' | '`') => {
                        word.push(n);
                        chars.next();
                    }
                    _ => word.push('\\'),
                },
                _ => word.push(c),
            },
            None => match c {
                ' ' | '\t' | '\n' | '\r' | '|' | ';' | '&' | '<' | '>' => {
                    start = i + c.len_utf8();
                    word.clear();
                }
                '\'' | '"' => open = Some(c),
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                _ => word.push(c),
            },
        }
    }
    let quote = line[start..]
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"'));
    Current { start, word, quote }
}

/// Split a line for completion: the finished words and the word being typed (maybe empty).
fn split(line: &str) -> (Vec<String>, Current) {
    let cur = current(line);
    let before = &line[..cur.start];
    let ws: Vec<String> = match words::split(before, &Default::default()) {
        Ok(tokens) => tokens
            .into_iter()
            .filter_map(|t| match t {
                words::Token::Word(w) => Some(w),
                _ => None,
            })
            .collect(),
        Err(_) => before.split_whitespace().map(str::to_string).collect(),
    };
    (ws, cur)
}

fn matching(candidates: impl IntoIterator<Item = String>, prefix: &str) -> Vec<String> {
    let mut found: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.starts_with(prefix))
        .collect();
    crate::sort::sort(&mut found);
    found.dedup();
    found
}

pub(crate) fn complete(term: &Terminal, cluster: &Cluster, line: &str) -> Vec<String> {
    let (done, cur) = split(line);
    let cur = cur.word;
    match term.location() {
        Location::Host => host(term, cluster, &done, &cur),
        Location::Pod(p) => in_pod(cluster, &p.pod.namespace, &done, &cur),
        Location::Node(n) => on_node(cluster, &n.node, &done, &cur),
    }
}

pub(crate) fn complete_line(
    term: &Terminal,
    cluster: &Cluster,
    line: &str,
) -> (String, Vec<String>) {
    let candidates = complete(term, cluster, line);
    let (_, cur) = split(line);
    let base = &line[..cur.start];
    // A word typed with an opening quote keeps it: a finished word is closed, as bash does.
    let quote = cur.quote.map(String::from).unwrap_or_default();
    match candidates.len() {
        0 => (line.to_string(), Vec::new()),
        1 => {
            let c = &candidates[0];
            let end = if c.ends_with('/') || c.ends_with('=') {
                String::new()
            } else {
                format!("{quote} ")
            };
            (format!("{base}{quote}{c}{end}"), Vec::new())
        }
        _ => {
            let mut prefix = candidates[0].clone();
            for c in &candidates[1..] {
                while !c.starts_with(&prefix) {
                    prefix.pop();
                }
            }
            let extended = if prefix.len() > cur.word.len() {
                format!("{base}{quote}{prefix}")
            } else {
                line.to_string()
            };
            (extended, candidates)
        }
    }
}

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

fn host(term: &Terminal, cluster: &Cluster, done: &[String], cur: &str) -> Vec<String> {
    let Some(first) = done.first() else {
        return matching(builtin::names(host::BUILTINS), cur);
    };
    match first.as_str() {
        "kubectl" => kubectl(term, cluster, &done[1..], cur),
        "cat" | "ls" => matching([term.file_name().to_string()], cur),
        "docker" => match done.len() {
            1 => matching(["exec", "ps"].map(String::from), cur),
            _ if cur.starts_with('-') => matching(["-it".to_string()], cur),
            _ => {
                let mut c: Vec<String> = cluster
                    .nodes()
                    .iter()
                    .map(|n| n.meta.name.clone())
                    .collect();
                c.push("bash".into());
                matching(c, cur)
            }
        },
        _ => Vec::new(),
    }
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
    command
        .map_or(&[][..], |c| c.flags)
        .iter()
        .chain(kubectl::GLOBAL)
}

fn kubectl(term: &Terminal, cluster: &Cluster, args: &[String], cur: &str) -> Vec<String> {
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
            command = kubectl::find_command(w);
            depth = 1;
        } else if positional.len() == depth {
            if let Some(sub) = command.and_then(|c| kubectl::subcommand(c, w)) {
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

fn service_names(cluster: &Cluster, namespace: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in cluster.services().values() {
        let (name, ns) = (&s.meta.name, &s.meta.namespace);
        if ns == namespace {
            out.push(name.clone());
        }
        out.push(format!("{name}.{ns}"));
        out.push(format!("{name}.{ns}.svc.cluster.local"));
    }
    out
}

fn in_pod(cluster: &Cluster, namespace: &str, done: &[String], cur: &str) -> Vec<String> {
    let Some(first) = done.first() else {
        return matching(builtin::names(pod::BUILTINS), cur);
    };
    match first.as_str() {
        "nslookup" => matching(service_names(cluster, namespace), cur),
        "wget" | "curl" => {
            if cur.starts_with('-') {
                let flags: &[&str] = if first == "wget" {
                    &["-O", "-O-", "-q", "-qO-", "-T"]
                } else {
                    &["-m", "-s", "-v"]
                };
                return matching(flags.iter().map(|s| s.to_string()), cur);
            }
            let names = service_names(cluster, namespace);
            if cur.starts_with("http") {
                matching(names.into_iter().map(|n| format!("http://{n}")), cur)
            } else {
                matching(names, cur)
            }
        }
        "cat" => matching(
            ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"].map(String::from),
            cur,
        ),
        "ip" => matching(["addr", "route"].map(String::from), cur),
        _ => Vec::new(),
    }
}

fn on_node(cluster: &Cluster, node: &str, done: &[String], cur: &str) -> Vec<String> {
    let Some(first) = done.first() else {
        return matching(builtin::names(node::BUILTINS), cur);
    };
    match first.as_str() {
        "iptables-save" => matching(["-t", "nat", "filter"].map(String::from), cur),
        "iptables" => {
            if done.last().is_some_and(|w| w == "-t") {
                return matching(["filter", "nat"].map(String::from), cur);
            }
            if done.last().is_some_and(|w| w == "-L" || w == "-S") {
                let table = done
                    .windows(2)
                    .find(|w| w[0] == "-t")
                    .map_or("filter".to_string(), |w| w[1].clone());
                let Some(info) = cluster.node_info(node) else {
                    return Vec::new();
                };
                let tables = Tables::build(&info, &cluster.service_port_infos());
                let chains: Vec<String> = tables
                    .table(&table)
                    .map(|t| t.chains().iter().map(|c| c.name().to_string()).collect())
                    .unwrap_or_default();
                return matching(chains, cur);
            }
            matching(["-L", "-S", "-n", "-t"].map(String::from), cur)
        }
        "ipvsadm" => matching(["-Ln".to_string()], cur),
        "conntrack" => matching(["-L".to_string()], cur),
        "ip" => matching(["addr", "route"].map(String::from), cur),
        "curl" => matching(
            cluster.services().values().filter_map(|s| {
                s.spec
                    .cluster_ip
                    .ip()
                    .map(|ip| format!("{ip}:{}", s.spec.ports.first().map_or(80, |p| p.port)))
            }),
            cur,
        ),
        _ => Vec::new(),
    }
}
