//! `kubectl` (v1.31) against the simulated cluster: the subcommands a Service lesson uses, with
//! kubectl's flags, messages and errors.

use crate::action::Action;
use crate::cluster::Cluster;
use crate::model::*;
use crate::time::SECOND;

use super::flags::{self, boolean, val, Flag, Parsed};
use super::get::{self, Item, Kind, Unresolved};
use super::jsonpath;
use super::table;
use super::value;
use super::{
    describe, logs, objects, pod, Attach, Job, Line, Location, PodShell, Reply, Stream, Terminal,
};

/// kubectl's top-level commands (cobra lists and suggests them sorted).
pub(crate) const COMMANDS: &[&str] = &[
    "alpha",
    "annotate",
    "api-resources",
    "api-versions",
    "apply",
    "attach",
    "auth",
    "autoscale",
    "certificate",
    "cluster-info",
    "completion",
    "config",
    "cordon",
    "cp",
    "create",
    "debug",
    "delete",
    "describe",
    "diff",
    "drain",
    "edit",
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "kustomize",
    "label",
    "logs",
    "options",
    "patch",
    "plugin",
    "port-forward",
    "proxy",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
];

const GLOBAL: &[Flag] = &[
    val("namespace", Some('n')),
    val("context", None),
    val("kubeconfig", None),
    val("cluster", None),
    val("user", None),
    val("v", Some('v')),
    val("request-timeout", None),
    boolean("help", Some('h')),
];

fn with_global(extra: &[Flag]) -> Vec<Flag> {
    let mut v = GLOBAL.to_vec();
    v.extend_from_slice(extra);
    v
}

fn see_help(sub: &str) -> Line {
    if sub.is_empty() {
        Line::err("See 'kubectl --help' for usage.")
    } else {
        Line::err(format!("See 'kubectl {sub} --help' for usage."))
    }
}

/// A pflag error: `error: unknown flag: --foo` and where to look.
fn flag_error(sub: &str, message: &str) -> Reply {
    Reply::fail(
        vec![Line::err(format!("error: {message}")), see_help(sub)],
        1,
    )
}

/// `cmdutil.UsageErrorf`: the message and `See 'kubectl X -h' for help and examples`.
fn usage_error(sub: &str, message: &str) -> Reply {
    let mut lines = vec![Line::err(format!("error: {message}"))];
    lines.push(Line::err(format!(
        "See 'kubectl {sub} -h' for help and examples"
    )));
    Reply::fail(lines, 1)
}

fn parse(sub: &str, args: &[String], extra: &[Flag]) -> Result<Parsed, Reply> {
    flags::parse(args, &with_global(extra)).map_err(|m| flag_error(sub, &m))
}

fn namespace(term: &Terminal, p: &Parsed) -> String {
    p.get("namespace")
        .map_or_else(|| term.namespace.clone(), str::to_string)
}

/// Levenshtein distance, case-insensitive, as cobra's suggestions use.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `kubectl ARGS...`.
pub(crate) fn run(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    // Global flags may come before the subcommand: `kubectl -n dev get pods`.
    let mut i = 0;
    let mut globals: Vec<String> = Vec::new();
    while i < args.len() && args[i].starts_with('-') && args[i] != "-" {
        let a = &args[i];
        if a == "--" {
            break;
        }
        let takes_value = matches!(
            a.as_str(),
            "-n" | "--namespace"
                | "--context"
                | "--kubeconfig"
                | "--cluster"
                | "--user"
                | "-v"
                | "--request-timeout"
        );
        globals.push(a.clone());
        if takes_value {
            match args.get(i + 1) {
                Some(v) => globals.push(v.clone()),
                None => {
                    return flag_error("", &format!("flag needs an argument: {}", short_or_long(a)))
                }
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    let Some(sub) = args.get(i) else {
        if globals.iter().any(|g| g == "-h" || g == "--help") || globals.is_empty() {
            return Reply::lines(svclab_help());
        }
        if let Err(m) = flags::parse(&globals, GLOBAL) {
            return flag_error("", &m);
        }
        return Reply::lines(svclab_help());
    };
    if let Err(m) = flags::parse(&globals, GLOBAL) {
        return flag_error("", &m);
    }
    let mut rest: Vec<String> = args[i + 1..].to_vec();
    rest.extend(globals);
    let sub = sub.as_str();
    match sub {
        "get" => get(term, cluster, &rest),
        "describe" => describe_cmd(term, cluster, &rest),
        "apply" => apply(term, cluster, &rest),
        "create" => create(term, cluster, &rest),
        "delete" => delete(term, cluster, &rest),
        "scale" => scale(term, cluster, &rest),
        "label" => label(term, cluster, &rest),
        "run" => run_pod(term, cluster, &rest),
        "exec" => exec(term, cluster, &rest),
        "logs" => logs_cmd(term, cluster, &rest),
        "debug" => debug(term, cluster, &rest),
        "expose" => expose(term, cluster, &rest),
        "version" => version(&rest),
        "cluster-info" => cluster_info(&rest),
        "config" => config(term, cluster, &rest),
        "api-resources" => api_resources(&rest),
        "events" => {
            let mut a = vec!["events".to_string()];
            a.extend(rest);
            get(term, cluster, &a)
        }
        "rollout" => rollout(term, cluster, &rest),
        "set" => set(term, cluster, &rest),
        "top" => Reply::error("error: Metrics API not available"),
        "help" => {
            if rest.is_empty() {
                Reply::lines(svclab_help())
            } else {
                Reply::lines(command_help(&rest[0]))
            }
        }
        "explain" | "edit" | "patch" | "replace" | "diff" | "port-forward" | "proxy" | "cp"
        | "attach" | "auth" | "autoscale" | "certificate" | "cordon" | "uncordon" | "drain"
        | "taint" | "annotate" | "wait" | "kustomize" | "completion" | "alpha" | "plugin"
        | "options" | "api-versions" => Reply::note(format!(
            "`kubectl {sub}` is not simulated; see `kubectl help` for what svclab supports{}",
            if sub == "edit" || sub == "patch" || sub == "replace" {
                " (change the manifest in the editor and `kubectl apply -f` it)"
            } else {
                ""
            }
        )),
        other => {
            let mut lines = vec![Line::err(format!(
                "error: unknown command \"{other}\" for \"kubectl\""
            ))];
            let suggestions: Vec<&str> = COMMANDS
                .iter()
                .copied()
                .filter(|c| distance(other, c) <= 2 || c.starts_with(&other.to_lowercase()))
                .collect();
            if !suggestions.is_empty() && !other.is_empty() {
                lines.push(Line::err(""));
                lines.push(Line::err("Did you mean this?"));
                for s in suggestions {
                    lines.push(Line::err(format!("\t{s}")));
                }
            }
            Reply::fail(lines, 1)
        }
    }
}

fn short_or_long(a: &str) -> String {
    match a.strip_prefix("--") {
        Some(_) => a.to_string(),
        None => {
            let c = a.chars().nth(1).unwrap_or('?');
            format!("'{c}' in {a}")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Resource arguments

/// What `TYPE NAME...`, `TYPE1,TYPE2` or `TYPE/NAME...` asked for.
struct Targets {
    /// Requested kinds, in order, without duplicates.
    kinds: Vec<Kind>,
    /// `(kind, name)` pairs; empty means "every object of each kind".
    names: Vec<(Kind, String)>,
    /// `kubectl get all`.
    all: bool,
}

fn resolve(typed: &str) -> Result<Kind, Reply> {
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

fn targets(args: &[String], allow_all: bool) -> Result<Targets, Reply> {
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
            for k in [
                Kind::Pod,
                Kind::Service,
                Kind::DaemonSet,
                Kind::Deployment,
                Kind::ReplicaSet,
            ] {
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

fn not_found(kind: Kind, name: &str) -> Line {
    Line::err(format!(
        "Error from server (NotFound): {} \"{name}\" not found",
        kind.resource()
    ))
}

fn no_resources(all_ns: bool, ns: &str, cluster_scoped: bool) -> Line {
    if all_ns || cluster_scoped {
        Line::err("No resources found")
    } else {
        Line::err(format!("No resources found in {ns} namespace."))
    }
}

fn selector(p: &Parsed, sub: &str) -> Result<Option<LabelSelector>, Reply> {
    match p.get("selector") {
        None => Ok(None),
        Some(s) => get::parse_selector(s).map(Some).map_err(|m| {
            let _ = sub;
            Reply::error(format!("error: {m}"))
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// get

const GET_FLAGS: &[Flag] = &[
    boolean("all-namespaces", Some('A')),
    val("output", Some('o')),
    val("selector", Some('l')),
    boolean("watch", Some('w')),
    boolean("watch-only", None),
    boolean("show-labels", None),
    boolean("no-headers", None),
    boolean("ignore-not-found", None),
    val("sort-by", None),
    val("field-selector", None),
    val("label-columns", Some('L')),
    val("chunk-size", None),
    val("filename", Some('f')),
    val("for", None),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Wide,
    Yaml,
    Json,
    Name,
    /// `-o jsonpath=TEMPLATE`.
    JsonPath,
}

fn output_format(p: &Parsed) -> Result<Format, Reply> {
    match p.get("output") {
        None | Some("") => Ok(Format::Table),
        Some("wide") => Ok(Format::Wide),
        Some("yaml") => Ok(Format::Yaml),
        Some("json") => Ok(Format::Json),
        Some("name") => Ok(Format::Name),
        Some(o) if o.starts_with("jsonpath=") => Ok(Format::JsonPath),
        Some(o)
            if o.starts_with("jsonpath")
                || o.starts_with("custom-columns")
                || o.starts_with("go-template")
                || o.starts_with("template") =>
        {
            Err(Reply::fail(
                vec![Line::note(format!(
                    "-o {} is not simulated; use -o yaml, -o json, -o jsonpath=..., -o wide or -o name",
                    o.split('=').next().unwrap_or(o)
                ))],
                1,
            ))
        }
        Some(o) => Err(Reply::error(format!(
            "error: unable to match a printer suitable for the output format \"{o}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
        ))),
    }
}

/// `--sort-by`: order the items by what the template selects in each (numbers by value, text
/// in natural order, items without it first), keeping the list's order among equals.
fn sort_items(cluster: &Cluster, items: &mut [Item], by: &jsonpath::Template) {
    let keys: Vec<(u8, i64, String)> = items
        .iter()
        .map(|i| {
            let v = objects::to_value(cluster, i);
            match by.select(&v).first() {
                None => (0, 0, String::new()),
                Some(value::Value::Int(n)) => (1, *n, String::new()),
                Some(value::Value::Str(s)) => (2, 0, s.clone()),
                Some(other) => (3, 0, value::to_compact_json(other)),
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    crate::sort::sort_by(&mut order, |a, b| {
        let (x, y) = (&keys[*a], &keys[*b]);
        (x.0, x.1)
            .cmp(&(y.0, y.1))
            .then_with(|| jsonpath::natural_cmp(&x.2, &y.2))
    });
    let sorted: Vec<Item> = order.iter().map(|&i| items[i].clone()).collect();
    for (slot, item) in items.iter_mut().zip(sorted) {
        *slot = item;
    }
}

fn get(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse("get", args, GET_FLAGS) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("get"));
    }
    let format = match output_format(&p) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut notes = Vec::new();
    if p.on("watch") || p.on("watch-only") {
        notes.push(Line::note(
            "--watch is not simulated: this is the list as of now; watch the cluster view instead",
        ));
    }
    // `-o jsonpath=...` and `--sort-by=...` are JSONPath templates over the objects as
    // `-o json` shows them.
    let parse_template = |text: &str| {
        jsonpath::Template::parse(text)
            .map_err(|why| Reply::error(format!("error: error parsing jsonpath {text}, {why}")))
    };
    let jsonpath = match p.get("output").and_then(|o| o.strip_prefix("jsonpath=")) {
        Some(text) => match parse_template(text) {
            Ok(t) => Some(t),
            Err(r) => return r,
        },
        None => None,
    };
    let sort_by = match p.get("sort-by") {
        Some(text) => {
            // kubectl wraps a bare path in braces: `.metadata.name` is `{.metadata.name}`.
            let text = if text.starts_with('{') {
                text.to_string()
            } else {
                format!("{{{text}}}")
            };
            match parse_template(&text) {
                Ok(t) => Some(t),
                Err(r) => return r,
            }
        }
        None => None,
    };
    for f in ["field-selector", "label-columns", "filename", "for"] {
        if p.has(f) {
            notes.push(Line::note(format!(
                "--{f} is not simulated and was ignored"
            )));
        }
    }
    if p.args.is_empty() {
        return Reply::fail(
            vec![
                Line::err("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources."),
                Line::err(""),
                Line::err("error: Required resource not specified."),
                Line::err("Use \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods)."),
                Line::err("See 'kubectl get -h' for help and examples"),
            ],
            1,
        );
    }
    let t = match targets(&p.args, true) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let sel = match selector(&p, "get") {
        Ok(s) => s,
        Err(r) => return r,
    };
    let all_ns = p.on("all-namespaces");
    let ns = namespace(term, &p);
    let mut errors = Vec::new();
    let mut groups: Vec<(Kind, Vec<Item>)> = Vec::new();
    for kind in &t.kinds {
        let mut items = Vec::new();
        let wanted: Vec<&String> = t
            .names
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, n)| n)
            .collect();
        if wanted.is_empty() {
            let scope = if all_ns || !kind.namespaced() {
                None
            } else {
                Some(ns.as_str())
            };
            items = get::list(cluster, *kind, scope);
            if let Some(sel) = &sel {
                items.retain(|i| sel.matches(&i.labels()));
            }
        } else {
            for name in wanted {
                match get::find(cluster, *kind, &ns, name) {
                    Some(i) => items.push(i),
                    None if p.on("ignore-not-found") => {}
                    None => errors.push(not_found(*kind, name)),
                }
            }
        }
        groups.push((*kind, items));
    }
    if let Some(sort_by) = &sort_by {
        for (_, items) in &mut groups {
            sort_items(cluster, items, sort_by);
        }
    }
    let multi = t.kinds.len() > 1;
    let mut lines = Vec::new();
    let total: usize = groups.iter().map(|(_, i)| i.len()).sum();
    match format {
        Format::Yaml | Format::Json | Format::JsonPath => {
            let values: Vec<value::Value> = groups
                .iter()
                .flat_map(|(_, items)| items.iter().map(|i| objects::to_value(cluster, i)))
                .collect();
            let single = t.names.len() == 1 && !t.all && values.len() == 1;
            if total > 0 || errors.is_empty() {
                let v = if single {
                    values.into_iter().next().unwrap_or(value::Value::Null)
                } else {
                    objects::list_value(values)
                };
                let text = match (format, &jsonpath) {
                    // Nothing selected prints nothing (not an empty line).
                    (Format::JsonPath, Some(t)) => {
                        let (out, cut) = t.render(&v);
                        if cut {
                            notes.push(Line::note(format!(
                                "the output was cut at {} MiB",
                                jsonpath::MAX_OUTPUT >> 20
                            )));
                        }
                        let out = out.strip_suffix('\n').unwrap_or(&out);
                        if out.is_empty() {
                            Vec::new()
                        } else {
                            out.split('\n').map(str::to_string).collect()
                        }
                    }
                    (Format::Yaml, _) => value::to_yaml(&v),
                    _ => value::to_json(&v),
                };
                lines.extend(text.into_iter().map(Line::out));
            }
        }
        Format::Name => {
            for (kind, items) in &groups {
                for i in items {
                    lines.push(Line::out(format!("{}/{}", kind.prefix(), i.name())));
                }
            }
        }
        Format::Table | Format::Wide => {
            let wide = format == Format::Wide;
            let show_labels = p.on("show-labels");
            let no_headers = p.on("no-headers");
            let mut first = true;
            for (kind, items) in &groups {
                if items.is_empty() {
                    continue;
                }
                let with_ns = all_ns && kind.namespaced();
                let mut headers: Vec<&str> = Vec::new();
                if with_ns {
                    headers.push("NAMESPACE");
                }
                headers.extend(get::headers(*kind, wide));
                if show_labels {
                    headers.push("LABELS");
                }
                let rows: Vec<Vec<String>> = items
                    .iter()
                    .map(|i| {
                        let mut r = Vec::new();
                        if with_ns {
                            r.push(i.namespace());
                        }
                        let mut cells = get::row(cluster, i, wide);
                        if multi {
                            if let Some(first) = cells.first_mut() {
                                if *kind != Kind::Event {
                                    *first = format!("{}/{}", kind.prefix(), first);
                                }
                            }
                        }
                        r.extend(cells);
                        if show_labels {
                            r.push(get::format_labels(&i.labels()));
                        }
                        r
                    })
                    .collect();
                if !first {
                    lines.push(Line::out(""));
                }
                first = false;
                let rendered = table::render(&headers, &rows);
                let skip = usize::from(no_headers);
                lines.extend(rendered.into_iter().skip(skip).map(Line::out));
            }
        }
    }
    let cluster_scoped = t.kinds.iter().all(|k| !k.namespaced());
    let human = !matches!(format, Format::Yaml | Format::Json | Format::JsonPath);
    if total == 0 && errors.is_empty() && human {
        lines.push(no_resources(all_ns, &ns, cluster_scoped));
    }
    lines.extend(errors.clone());
    lines.extend(notes);
    if total == 0 && !errors.is_empty() {
        return Reply::fail(lines, 1);
    }
    Reply::fail(lines, i32::from(!errors.is_empty()))
}

// ---------------------------------------------------------------------------------------------
// describe

fn describe_cmd(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "describe",
        args,
        &[
            boolean("all-namespaces", Some('A')),
            val("selector", Some('l')),
            boolean("show-events", None),
            val("filename", Some('f')),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("describe"));
    }
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

// ---------------------------------------------------------------------------------------------
// apply, create, delete

fn read_files<'a>(
    term: &'a Terminal,
    p: &Parsed,
    sub: &str,
) -> Result<Vec<(&'a str, &'a str)>, Reply> {
    let files = p.all("filename");
    if files.is_empty() {
        return Err(Reply::error("error: must specify one of -f and -k"));
    }
    let (name, text) = term.file();
    let mut out = Vec::new();
    for f in files {
        if f == "-" {
            return Err(Reply::fail(
                vec![Line::note(format!(
                    "`kubectl {sub} -f -` reads stdin, which svclab does not simulate; save the manifest in the editor as {name} and use `-f {name}`"
                ))],
                1,
            ));
        }
        if f.starts_with("http://") || f.starts_with("https://") {
            return Err(Reply::fail(
                vec![Line::note(
                    "svclab has no internet; paste the manifest into the editor instead",
                )],
                1,
            ));
        }
        let trimmed = f.strip_prefix("./").unwrap_or(f);
        if trimmed != name && f != "." {
            return Err(Reply::error(format!(
                "error: the path \"{f}\" does not exist"
            )));
        }
        out.push((name, text));
    }
    Ok(out)
}

fn apply(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "apply",
        args,
        &[
            val("filename", Some('f')),
            val("kustomize", Some('k')),
            boolean("recursive", Some('R')),
            val("dry-run", None),
            boolean("server-side", None),
            boolean("force", None),
            val("output", Some('o')),
            boolean("prune", None),
            val("selector", Some('l')),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("apply"));
    }
    if !p.args.is_empty() {
        return usage_error("apply", &format!("Unexpected args: [{}]", p.args.join(" ")));
    }
    if p.has("kustomize") && !p.has("filename") {
        return Reply::note("kustomize (-k) is not simulated; use -f with the editor's file");
    }
    let files = match read_files(term, &p, "apply") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut lines = Vec::new();
    if let Some(ns) = p.get("namespace") {
        if ns != "default" {
            lines.push(Line::note(format!(
                "-n {ns} is not passed to apply in svclab: objects without metadata.namespace go to \"default\"; set metadata.namespace in the manifest"
            )));
        }
    }
    if p.has("dry-run") {
        return Reply::note("--dry-run is not simulated; nothing was applied");
    }
    let mut status = 0;
    for (name, text) in files {
        let text = text.to_string();
        let name = name.to_string();
        match cluster.apply(&text, &name) {
            Ok(out) => lines.extend(out.into_iter().map(Line::out)),
            Err(errors) => {
                status = 1;
                for e in errors {
                    lines.extend(super::text_lines(&e.message, Stream::Stderr));
                }
            }
        }
    }
    let mut r = Reply::lines(lines);
    r.status = status;
    r
}

/// One object from the editor's file: its kind for `Action::Delete`, namespace and name.
fn manifest_objects(text: &str, file: &str) -> Result<Vec<(Kind, String, String)>, Vec<String>> {
    let docs = crate::manifest::parse(text, file)
        .map_err(|errors| errors.into_iter().map(|e| e.message).collect::<Vec<_>>())?;
    Ok(docs
        .into_iter()
        .map(|d| {
            let obj = d.object;
            let kind = match &obj {
                Object::Namespace(_) => Kind::Namespace,
                Object::Deployment(_) => Kind::Deployment,
                Object::Service(_) => Kind::Service,
                Object::Pod(_) => Kind::Pod,
                Object::NetworkPolicy(_) => Kind::NetworkPolicy,
            };
            let meta = obj.meta();
            let ns = if meta.namespace.is_empty() && kind.namespaced() {
                "default".to_string()
            } else {
                meta.namespace.clone()
            };
            (kind, ns, meta.name.clone())
        })
        .collect())
}

fn create(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "create",
        args,
        &[
            val("filename", Some('f')),
            val("image", None),
            val("replicas", Some('r')),
            val("port", None),
            val("dry-run", None),
            val("output", Some('o')),
            boolean("save-config", None),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("create"));
    }
    let ns = namespace(term, &p);
    if p.has("filename") {
        let files = match read_files(term, &p, "create") {
            Ok(f) => f,
            Err(r) => return r,
        };
        let (name, text) = (files[0].0.to_string(), files[0].1.to_string());
        let objs = match manifest_objects(&text, &name) {
            Ok(o) => o,
            Err(errors) => {
                return Reply::fail(
                    errors
                        .iter()
                        .flat_map(|e| super::text_lines(e, Stream::Stderr))
                        .collect(),
                    1,
                )
            }
        };
        let mut lines = Vec::new();
        for (kind, ns, obj) in &objs {
            if get::find(cluster, *kind, ns, obj).is_some() {
                lines.push(Line::err(format!(
                    "Error from server (AlreadyExists): error when creating \"{name}\": {} \"{obj}\" already exists",
                    kind.resource()
                )));
            }
        }
        if !lines.is_empty() {
            return Reply::fail(lines, 1);
        }
        return match cluster.apply(&text, &name) {
            Ok(out) => Reply::lines(
                out.into_iter()
                    .map(|l| {
                        Line::out(
                            l.replace(" configured", " created")
                                .replace(" unchanged", " created"),
                        )
                    })
                    .collect(),
            ),
            Err(errors) => Reply::fail(
                errors
                    .iter()
                    .flat_map(|e| super::text_lines(&e.message, Stream::Stderr))
                    .collect(),
                1,
            ),
        };
    }
    let Some(what) = p.args.first() else {
        return Reply::fail(vec![Line::err("error: must specify one of -f and -k")], 1);
    };
    match what.as_str() {
        "namespace" | "ns" => {
            let Some(name) = p.args.get(1) else {
                return usage_error("create namespace", "exactly one NAME is required, got 0");
            };
            if cluster.namespaces.contains_key(name) {
                return Reply::error(format!("Error from server (AlreadyExists): namespaces \"{name}\" already exists"));
            }
            let manifest = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n");
            apply_generated(cluster, &manifest, "namespace", name)
        }
        "deployment" | "deploy" => {
            let Some(name) = p.args.get(1) else {
                return usage_error("create deployment", "exactly one NAME is required, got 0");
            };
            let Some(image) = p.get("image") else {
                return Reply::error("error: required flag(s) \"image\" not set");
            };
            let replicas = p.get("replicas").unwrap_or("1");
            let Ok(replicas) = replicas.parse::<i64>() else {
                return flag_error(
                    "create deployment",
                    &format!("invalid argument \"{replicas}\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"{replicas}\": invalid syntax"),
                );
            };
            if get::find(cluster, Kind::Deployment, &ns, name).is_some() {
                return Reply::error(format!("error: failed to create deployment: deployments.apps \"{name}\" already exists"));
            }
            let container = image.rsplit('/').next().unwrap_or(image).split([':', '@']).next().unwrap_or("app").to_string();
            let ports = match p.get("port") {
                Some(port) => format!("        ports:\n        - containerPort: {port}\n"),
                None => String::new(),
            };
            let manifest = format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:\n    app: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: {container}\n        image: {image}\n{ports}"
            );
            apply_generated(cluster, &manifest, "deployment.apps", name)
        }
        other => Reply::note(format!(
            "`kubectl create {other}` is not simulated; write the object in the editor and `kubectl apply -f` it"
        )),
    }
}

fn apply_generated(cluster: &mut Cluster, manifest: &str, prefix: &str, name: &str) -> Reply {
    match cluster.apply(manifest, "STDIN") {
        Ok(_) => Reply::out(format!("{prefix}/{name} created")),
        Err(errors) => Reply::fail(
            errors
                .iter()
                .flat_map(|e| super::text_lines(&e.message, Stream::Stderr))
                .collect(),
            1,
        ),
    }
}

fn delete(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "delete",
        args,
        &[
            val("filename", Some('f')),
            boolean("all", None),
            boolean("all-namespaces", Some('A')),
            val("selector", Some('l')),
            boolean("now", None),
            boolean("force", None),
            val("grace-period", None),
            boolean("wait", None),
            val("timeout", None),
            val("output", Some('o')),
            boolean("ignore-not-found", None),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("delete"));
    }
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
                        .flat_map(|e| super::text_lines(e, Stream::Stderr))
                        .collect(),
                    1,
                )
            }
        }
        from_file = Some(name);
    } else {
        if p.args.is_empty() {
            return Reply::fail(
                vec![
                    Line::err(
                        "error: You must provide one or more resources by argument or filename.",
                    ),
                    Line::err("Example resource specifications include:"),
                    Line::err("   '-f rsrc.yaml'"),
                    Line::err("   '--filename=rsrc.json'"),
                    Line::err("   '<resource> <name>'"),
                    Line::err("   '<resource>'"),
                ],
                1,
            );
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
                .pods
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
                lines.extend(out.into_iter().map(Line::out));
                if let Some(uid) = uid {
                    waiting.push((ObjectKey::new(&vns, &name), uid));
                }
            }
            Err(e) => {
                if p.on("ignore-not-found") && e.contains("(NotFound)") {
                    continue;
                }
                status = 1;
                let e = match &from_file {
                    Some(f) => e.replacen(
                        "(NotFound): ",
                        &format!("(NotFound): error when deleting \"{f}\": "),
                        1,
                    ),
                    None => e,
                };
                lines.extend(super::text_lines(&e, Stream::Stderr));
            }
        }
    }
    let wait = !matches!(p.get("wait"), Some("false"));
    // kubectl waits for the pods it deleted to be gone (their grace period).
    let pending: Vec<(ObjectKey, String)> = waiting
        .into_iter()
        .filter(|(k, uid)| cluster.pods.get(k).is_some_and(|p| &p.meta.uid == uid))
        .collect();
    let mut r = Reply::fail(lines, status);
    if wait {
        if let Some((pod, uid)) = pending.into_iter().next_back() {
            r.job = Some(Box::new(Job::Gone { pod, uid }));
        }
    }
    r
}

/// `kubectl run --rm`: the pod goes when the session ends.
pub(crate) fn delete_run_pod(cluster: &mut Cluster, pod: &ObjectKey) -> Vec<Line> {
    match cluster.act(Action::DeletePod {
        namespace: pod.namespace.clone(),
        pod: pod.name.clone(),
    }) {
        Ok(out) => out.into_iter().map(Line::out).collect(),
        Err(e) => super::text_lines(&e, Stream::Stderr),
    }
}

// ---------------------------------------------------------------------------------------------
// scale, label

fn scale(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "scale",
        args,
        &[
            val("replicas", None),
            val("current-replicas", None),
            val("filename", Some('f')),
            val("selector", Some('l')),
            boolean("all", None),
            val("timeout", None),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("scale"));
    }
    let Some(replicas) = p.get("replicas") else {
        return Reply::error("error: required flag(s) \"replicas\" not set");
    };
    let Ok(replicas) = replicas.parse::<i64>() else {
        return flag_error(
            "scale",
            &format!("invalid argument \"{replicas}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{replicas}\": invalid syntax"),
        );
    };
    if replicas < 0 {
        return Reply::error("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
    }
    if p.args.is_empty() {
        return Reply::fail(
            vec![
                Line::err("error: You must provide one or more resources by argument or filename."),
                Line::err("Example resource specifications include:"),
                Line::err("   '-f rsrc.yaml'"),
                Line::err("   '--filename=rsrc.json'"),
                Line::err("   '<resource> <name>'"),
                Line::err("   '<resource>'"),
            ],
            1,
        );
    }
    let t = match targets(&p.args, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if t.names.is_empty() {
        return Reply::error("error: resource(s) were provided, but no name was specified");
    }
    let ns = namespace(term, &p);
    act_on_deployments(
        cluster,
        t.names,
        |kind| {
            format!("scaling {kind} is not simulated; scale the Deployment (its controller owns the ReplicaSets)")
        },
        |deployment| Action::Scale {
            namespace: ns.clone(),
            deployment,
            replicas,
        },
    )
}

fn label(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "label",
        args,
        &[
            boolean("overwrite", None),
            boolean("list", None),
            boolean("all", None),
            val("selector", Some('l')),
            val("filename", Some('f')),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("label"));
    }
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
        let Some(current) = cluster.pods.get(&key).map(|p| p.meta.labels.clone()) else {
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
            // ADAPTER: `Action::Label` has no overwrite flag; an overwrite is a removal and a set.
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
                    lines.extend(super::text_lines(&e, Stream::Stderr));
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

// ---------------------------------------------------------------------------------------------
// run, exec, debug, logs

/// Images whose containers have no shell (distroless).
fn has_shell(image: &str) -> bool {
    let name = image
        .split('@')
        .next()
        .unwrap_or("")
        .rsplit('/')
        .next()
        .unwrap_or("");
    let name = name.split(':').next().unwrap_or("");
    !matches!(
        name,
        "coredns"
            | "kube-proxy"
            | "pause"
            | "http-echo"
            | "etcd"
            | "kube-apiserver"
            | "kube-scheduler"
            | "kube-controller-manager"
    )
}

fn is_shell(cmd: &str) -> bool {
    matches!(
        cmd,
        "sh" | "/bin/sh" | "ash" | "/bin/ash" | "bash" | "/bin/bash" | "zsh" | "/bin/zsh"
    )
}

fn run_pod(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "run",
        args,
        &[
            val("image", None),
            val("restart", None),
            boolean("stdin", Some('i')),
            boolean("tty", Some('t')),
            boolean("rm", None),
            val("labels", Some('l')),
            val("port", None),
            val("env", None),
            boolean("command", None),
            val("image-pull-policy", None),
            boolean("attach", None),
            val("dry-run", None),
            val("output", Some('o')),
            boolean("quiet", Some('q')),
            val("pod-running-timeout", None),
            val("overrides", None),
            boolean("expose", None),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("run"));
    }
    let before_dash = p.dash.unwrap_or(p.args.len());
    let Some(name) = p.args.first().filter(|_| before_dash > 0) else {
        return usage_error("run", "NAME is required for run");
    };
    let Some(image) = p.get("image") else {
        return Reply::error("error: required flag(s) \"image\" not set");
    };
    if image.is_empty() {
        return Reply::error("error: --image is required");
    }
    let stdin = p.on("stdin");
    let tty = p.on("tty");
    if tty && !stdin {
        return usage_error(
            "run",
            "-i/--stdin is required for containers with -t/--tty=true",
        );
    }
    let attach = stdin || p.on("attach");
    if p.on("rm") && !attach {
        return usage_error("run", "--rm should only be used for attached containers");
    }
    if let Some(r) = p.get("restart") {
        if !matches!(r, "Always" | "OnFailure" | "Never") {
            return usage_error("run", &format!("invalid restart policy: {r}"));
        }
    }
    let problems = crate::validate::is_dns1123_subdomain(name);
    if !problems.is_empty() {
        return Reply::error(format!(
            "The Pod \"{name}\" is invalid: metadata.name: Invalid value: \"{name}\": {}",
            problems.join(", ")
        ));
    }
    let mut notes = Vec::new();
    for f in ["labels", "port", "env", "overrides", "image-pull-policy"] {
        if p.has(f) {
            notes.push(Line::note(format!(
                "--{f} is not simulated and was ignored"
            )));
        }
    }
    if p.has("dry-run") {
        return Reply::note("--dry-run is not simulated; nothing was created");
    }
    let command: Vec<String> = p.args[before_dash.min(p.args.len())..].to_vec();
    let extra_before_dash = &p.args[1..before_dash.min(p.args.len())];
    let mut full_command: Vec<String> = extra_before_dash.to_vec();
    full_command.extend(command.iter().cloned());
    let ns = namespace(term, &p);
    let result = cluster.act(Action::Run {
        namespace: ns.clone(),
        name: name.clone(),
        image: image.to_string(),
        command: full_command.clone(),
    });
    let out = match result {
        Ok(out) => out,
        Err(e) => {
            let mut lines = super::text_lines(&e, Stream::Stderr);
            lines.extend(notes);
            return Reply::fail(lines, 1);
        }
    };
    if !attach {
        let mut lines: Vec<Line> = out.into_iter().map(Line::out).collect();
        lines.extend(notes);
        return Reply::lines(lines);
    }
    let key = ObjectKey::new(&ns, name);
    let flavor = pod::flavor(image, full_command.first().map(String::as_str));
    let shell = PodShell {
        pod: key.clone(),
        container: name.clone(),
        image: image.to_string(),
        flavor,
        depth: 0,
        lines: 0,
        rm: p.on("rm"),
        attached: true,
    };
    let then = match full_command.first() {
        None if has_shell(image) && pod::default_is_shell(image) => Attach::Shell(shell),
        Some(c) if is_shell(c) && full_command.len() == 1 => Attach::Shell(shell),
        None => {
            notes.push(Line::note(format!(
                "the image's own program runs in the foreground; svclab shows no output for it (try `-- sh`, or `kubectl logs {name}`)"
            )));
            let mut lines = notes;
            lines.insert(
                0,
                Line::err("If you don't see a command prompt, try pressing enter."),
            );
            return Reply::lines(lines);
        }
        Some(_) => Attach::Command {
            shell,
            words: if full_command.len() >= 3
                && is_shell(&full_command[0])
                && full_command[1] == "-c"
            {
                full_command[2]
                    .split_whitespace()
                    .map(str::to_string)
                    .collect()
            } else {
                full_command.clone()
            },
        },
    };
    let mut r = Reply::lines(notes);
    r.job = Some(Box::new(Job::Attach {
        pod: key,
        deadline: cluster.now + 60 * SECOND,
        then,
    }));
    r
}

fn exec(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "exec",
        args,
        &[
            boolean("stdin", Some('i')),
            boolean("tty", Some('t')),
            val("container", Some('c')),
            boolean("quiet", Some('q')),
            val("filename", Some('f')),
            val("pod-running-timeout", None),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("exec"));
    }
    let before_dash = p.dash.unwrap_or(p.args.len());
    if p.dash.is_none() && p.args.len() > 1 {
        return usage_error(
            "exec",
            "exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead",
        );
    }
    let Some(target) = p.args.first().filter(|_| before_dash > 0) else {
        return Reply::error("error: pod, type/name or --filename must be specified");
    };
    let command: Vec<String> = p.args[before_dash..].to_vec();
    if command.is_empty() {
        return Reply::error("error: you must specify at least one command for the container");
    }
    let ns = namespace(term, &p);
    // `deploy/NAME` and `svc/NAME` pick one of their pods, as kubectl does.
    let pod_name = match target.split_once('/') {
        None => target.clone(),
        Some((ty, name)) => match get::parse_kind(ty) {
            Ok(Kind::Pod) => name.to_string(),
            Ok(Kind::Deployment) => {
                let picked = cluster
                    .pods
                    .values()
                    .filter(|p| p.meta.namespace == ns && !p.is_terminating())
                    .filter(|p| {
                        p.owner.as_ref().is_some_and(|rs| {
                            cluster
                                .replica_sets
                                .get(&ObjectKey::new(&ns, rs))
                                .is_some_and(|r| r.owner == name)
                        })
                    })
                    .map(|p| p.meta.name.clone())
                    .next();
                match picked {
                    Some(p) => p,
                    None if cluster.deployments.contains_key(&ObjectKey::new(&ns, name)) => {
                        return Reply::error(format!("error: cannot attach to *v1.Deployment: selector for *v1.Deployment {name} has no pods"))
                    }
                    None => return Reply::error(format!("Error from server (NotFound): deployments.apps \"{name}\" not found")),
                }
            }
            Ok(Kind::Service) => {
                let Some(svc) = cluster.services.get(&ObjectKey::new(&ns, name)) else {
                    return Reply::error(format!(
                        "Error from server (NotFound): services \"{name}\" not found"
                    ));
                };
                match cluster.service_pods(svc).first() {
                    Some(p) => p.meta.name.clone(),
                    None => return Reply::error(format!("error: cannot attach to *v1.Service: invalid service '{name}': Service is defined without a selector")),
                }
            }
            Ok(other) => {
                return Reply::error(format!(
                    "error: cannot attach to *v1.{}: not implemented",
                    other.name()
                ))
            }
            Err(_) => {
                return Reply::error(format!(
                    "error: the server doesn't have a resource type \"{ty}\""
                ))
            }
        },
    };
    let key = ObjectKey::new(&ns, &pod_name);
    let Some(pod) = cluster.pods.get(&key) else {
        return Reply::error(format!(
            "Error from server (NotFound): pods \"{pod_name}\" not found"
        ));
    };
    let Some(container) = pod.spec.containers.first().cloned() else {
        return Reply::error(format!("error: pod {pod_name} has no containers"));
    };
    if let Some(c) = p.get("container") {
        if !pod.spec.containers.iter().any(|x| x.name == c) {
            return Reply::error(format!(
                "Error from server (BadRequest): container {c} is not valid for pod {pod_name}"
            ));
        }
    }
    if matches!(pod.status.phase, PodPhase::Succeeded | PodPhase::Failed) {
        return Reply::error(format!(
            "error: cannot exec into a container in a completed pod; current phase is {}",
            pod.status.phase.as_str()
        ));
    }
    if pod.status.container != ContainerState::Running {
        return Reply::error(format!(
            "error: unable to upgrade connection: container not found (\"{}\")",
            container.name
        ));
    }
    if !has_shell(&container.image) && is_shell(&command[0]) {
        return Reply::error(format!(
            "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": executable file not found in $PATH: unknown",
            super::describe::container_id(&pod.meta.uid, &container.name).trim_start_matches("containerd://"),
            command[0]
        ));
    }
    let shell = PodShell {
        pod: key,
        container: container.name.clone(),
        image: container.image.clone(),
        flavor: pod::flavor(&container.image, Some(&command[0])),
        depth: 0,
        lines: 0,
        rm: false,
        attached: false,
    };
    let interactive = p.on("stdin");
    if command.len() == 1 && is_shell(&command[0]) {
        if !interactive {
            // A shell without stdin reads nothing and exits at once.
            return Reply::default();
        }
        let mut r = Reply::default();
        if !p.on("tty") {
            r.lines.push(Line::note(
                "without -t there is no terminal: a real shell prints no prompt here",
            ));
        }
        r.goto = Some(Box::new(Location::Pod(shell)));
        return r;
    }
    let words = if command.len() >= 3 && is_shell(&command[0]) && command[1] == "-c" {
        command[2]
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    } else {
        command
    };
    term.exec(cluster, &super::Ctx::Pod(shell), &words)
}

fn debug(_term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "debug",
        args,
        &[
            boolean("stdin", Some('i')),
            boolean("tty", Some('t')),
            val("image", None),
            val("profile", None),
            val("container", Some('c')),
            boolean("quiet", Some('q')),
            boolean("attach", None),
            val("target", None),
            val("copy-to", None),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("debug"));
    }
    let Some(target) = p.args.first() else {
        return Reply::error("error: one of --image or --copy-to is required");
    };
    let Some(node) = target
        .strip_prefix("node/")
        .or_else(|| target.strip_prefix("nodes/"))
    else {
        return Reply::note("only `kubectl debug node/NAME -it --image=busybox` is simulated (ephemeral containers in pods are not)");
    };
    if cluster.node(node).is_none() {
        return Reply::error(format!(
            "Error from server (NotFound): nodes \"{node}\" not found"
        ));
    }
    let Some(image) = p.get("image") else {
        return Reply::error("error: --image is required for node debugging");
    };
    // A generated name in real kubectl; here it follows from the node and the virtual time
    // (not from the world's revision, which every internal timer moves).
    let seed = format!("{node}/{}", cluster.now);
    let suffix: String =
        crate::names::safe_encode(&crate::names::fnv32a(seed.as_bytes()).to_string())
            .chars()
            .chain("bcdfg".chars())
            .take(5)
            .collect();
    let mut lines = vec![Line::out(format!(
        "Creating debugging pod node-debugger-{node}-{suffix} with container debugger on node {node}."
    ))];
    if !p.on("stdin") {
        lines.push(Line::note(
            "no debugging pod is simulated; add -it to get a shell on the node",
        ));
        return Reply::lines(lines);
    }
    lines.push(Line::err(
        "If you don't see a command prompt, try pressing enter.",
    ));
    lines.push(Line::note(format!(
        "no debugging pod is simulated: you get a root shell in {node}'s network namespace, as after `chroot /host` in the {image} debug pod (that pod's own tools would not include iptables)"
    )));
    Reply {
        lines,
        goto: Some(Box::new(Location::Node(super::NodeShell {
            node: node.to_string(),
            depth: 0,
        }))),
        ..Default::default()
    }
}

fn logs_cmd(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "logs",
        args,
        &[
            val("selector", Some('l')),
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
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("logs"));
    }
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
            .pods
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
                        .pods
                        .values()
                        .filter(|x| x.meta.namespace == ns)
                        .find(|x| {
                            x.owner.as_ref().is_some_and(|rs| {
                                cluster.replica_sets.get(&ObjectKey::new(&ns, rs)).is_some_and(|r| r.owner == n)
                            })
                        }) {
                        Some(x) => {
                            let count = cluster
                                .pods
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
        match cluster.pods.get(&ObjectKey::new(&ns, &name)) {
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

// ---------------------------------------------------------------------------------------------
// expose, rollout

fn expose(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "expose",
        args,
        &[
            val("port", None),
            val("target-port", None),
            val("type", None),
            val("name", None),
            val("protocol", None),
            val("selector", None),
            val("node-port", None),
            val("dry-run", None),
            val("output", Some('o')),
            val("cluster-ip", None),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("expose"));
    }
    let t = match targets(&p.args, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Some((kind, name)) = t.names.first().cloned() else {
        return Reply::fail(
            vec![
                Line::err("error: You must provide one or more resources by argument or filename."),
                Line::err("Example resource specifications include:"),
                Line::err("   '-f rsrc.yaml'"),
                Line::err("   '--filename=rsrc.json'"),
                Line::err("   '<resource> <name>'"),
                Line::err("   '<resource>'"),
            ],
            1,
        );
    };
    let ns = namespace(term, &p);
    let (selector, ports): (Labels, Vec<i64>) = match get::find(cluster, kind, &ns, &name) {
        Some(Item::Deployment(d)) => (
            d.spec.selector.match_labels.clone(),
            d.spec
                .template
                .spec
                .containers
                .iter()
                .flat_map(|c| c.ports.iter().map(|p| p.container_port))
                .collect(),
        ),
        Some(Item::Pod(pd)) => (
            pd.meta.labels.clone(),
            pd.spec
                .containers
                .iter()
                .flat_map(|c| c.ports.iter().map(|p| p.container_port))
                .collect(),
        ),
        Some(Item::Service(s)) => (
            s.spec.selector.clone().unwrap_or_default(),
            s.spec.ports.iter().map(|p| p.port).collect(),
        ),
        Some(_) => return Reply::error(format!("error: cannot expose a {}", kind.name())),
        None => return Reply::fail(vec![not_found(kind, &name)], 1),
    };
    let port = match p
        .get("port")
        .map(str::to_string)
        .or_else(|| ports.first().map(i64::to_string))
    {
        Some(port) => port,
        None => return Reply::error("error: couldn't find port via --port flag or introspection"),
    };
    if selector.is_empty() {
        return Reply::error(format!("error: couldn't retrieve selectors via --selector flag or introspection: the {} has no labels", kind.name()));
    }
    let svc_name = p.get("name").unwrap_or(&name).to_string();
    if cluster
        .services
        .contains_key(&ObjectKey::new(&ns, &svc_name))
    {
        return Reply::error(format!(
            "Error from server (AlreadyExists): services \"{svc_name}\" already exists"
        ));
    }
    let ty = p.get("type").unwrap_or("ClusterIP");
    let mut manifest = format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {svc_name}\n  namespace: {ns}\nspec:\n  type: {ty}\n  selector:\n");
    for (k, v) in &selector {
        manifest.push_str(&format!("    {k}: \"{v}\"\n"));
    }
    manifest.push_str(&format!(
        "  ports:\n  - port: {port}\n    protocol: {}\n",
        p.get("protocol").unwrap_or("TCP")
    ));
    if let Some(tp) = p.get("target-port") {
        manifest.push_str(&format!("    targetPort: {tp}\n"));
    }
    if let Some(np) = p.get("node-port") {
        manifest.push_str(&format!("    nodePort: {np}\n"));
    }
    match cluster.apply(&manifest, "STDIN") {
        Ok(_) => Reply::out(format!("service/{svc_name} exposed")),
        Err(errors) => Reply::fail(
            errors
                .iter()
                .flat_map(|e| super::text_lines(&e.message, Stream::Stderr))
                .collect(),
            1,
        ),
    }
}

fn rollout(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "rollout",
        args,
        &[
            boolean("watch", Some('w')),
            val("timeout", None),
            val("revision", None),
            val("to-revision", None),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ns = namespace(term, &p);
    let sub = p.args.first().map(String::as_str);
    if !matches!(sub, Some("status" | "history" | "undo")) {
        return Reply::note(
            "svclab simulates `kubectl rollout status`, `history` and `undo` of Deployments",
        );
    }
    let t = match targets(&p.args[1..], false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Some((kind, name)) = t.names.first().cloned() else {
        return Reply::error("error: required resource not specified");
    };
    if kind != Kind::Deployment {
        return Reply::note("svclab simulates rollouts of Deployments only");
    }
    let key = ObjectKey::new(&ns, &name);
    if !cluster.deployments.contains_key(&key) {
        return Reply::fail(vec![not_found(kind, &name)], 1);
    }
    let revision = |flag: &str| -> Result<Option<i64>, Reply> {
        match p.get(flag) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                flag_error(
                    "rollout",
                    &format!("invalid argument \"{v}\" for \"--{flag}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"),
                )
            }),
        }
    };
    match sub {
        Some("history") => {
            let revision = match revision("revision") {
                Ok(r) => r,
                Err(reply) => return reply,
            };
            let revisions = cluster.revisions(&key);
            match revision.filter(|&r| r != 0) {
                Some(r) => match revisions.iter().find(|rs| rs.revision == r) {
                    Some(rs) => {
                        let mut lines = vec![Line::out(format!(
                            "deployment.apps/{name} with revision #{r}"
                        ))];
                        lines.extend(
                            describe::revision_template(&rs.template)
                                .into_iter()
                                .map(Line::out),
                        );
                        Reply::lines(lines)
                    }
                    None => Reply::error("error: unable to find the specified revision"),
                },
                None => {
                    // kubectl's history table is a describe-style tabwriter (padding 2).
                    let mut text = String::from("REVISION\tCHANGE-CAUSE\n");
                    for rs in &revisions {
                        text.push_str(&format!("{}\t<none>\n", rs.revision));
                    }
                    let mut lines = vec![Line::out(format!("deployment.apps/{name} "))];
                    lines.extend(table::DESCRIBE.format(&text).into_iter().map(Line::out));
                    lines.push(Line::out(""));
                    Reply::lines(lines)
                }
            }
        }
        Some("undo") => {
            let to_revision = match revision("to-revision") {
                Ok(r) => r,
                Err(reply) => return reply,
            };
            match cluster.act(Action::RolloutUndo {
                namespace: ns,
                deployment: name,
                to_revision,
            }) {
                Ok(out) => Reply::lines(out.into_iter().map(Line::out).collect()),
                Err(e) => Reply::fail(super::text_lines(&e, Stream::Stderr), 1),
            }
        }
        _ => {
            let watch = !matches!(p.get("watch"), Some("false"));
            let timeout = match p.get("timeout").map(|t| (t, crate::time::parse_go_duration(t))) {
                None => 0,
                Some((_, Some(ms))) => ms,
                Some((t, None)) => {
                    return flag_error(
                        "rollout",
                        &format!("invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\""),
                    )
                }
            };
            match rollout_status(cluster, &key) {
                None => Reply::fail(vec![not_found(kind, &name)], 1),
                Some(RolloutLine::Waiting(line)) if watch => Reply {
                    lines: vec![Line::out(line.clone())],
                    job: Some(Box::new(Job::Rollout {
                        deployment: key,
                        last: line,
                        // 0, kubectl's default, waits for ever.
                        deadline: (timeout > 0).then(|| cluster.now + timeout),
                    })),
                    ..Default::default()
                },
                Some(line) => line.reply(),
            }
        }
    }
}

/// `kubectl set image`: the one `set` subcommand svclab simulates.
fn set(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    match args.first().map(String::as_str) {
        Some("image") => set_image(term, cluster, &args[1..]),
        None | Some("-h" | "--help") => Reply::lines(command_help("set")),
        Some(other) => Reply::note(format!(
            "`kubectl set {other}` is not simulated; svclab simulates `kubectl set image`"
        )),
    }
}

fn set_image(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "set image",
        args,
        &[
            boolean("all", None),
            val("filename", Some('f')),
            val("selector", Some('l')),
            boolean("local", None),
            val("output", Some('o')),
            val("dry-run", None),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.on("help") {
        return Reply::lines(command_help("set image"));
    }
    let (pairs, resources): (Vec<&String>, Vec<&String>) =
        p.args.iter().partition(|a| a.contains('='));
    if pairs.is_empty() {
        return Reply::error("error: at least one image update is required");
    }
    let resources: Vec<String> = resources.into_iter().cloned().collect();
    if resources.is_empty() {
        return Reply::error("error: one or more resources must be specified as <resource> <name> or <resource>/<name>");
    }
    let t = match targets(&resources, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let images: Vec<(String, String)> = pairs
        .iter()
        .map(|pair| {
            let (container, image) = pair.split_once('=').unwrap_or((pair.as_str(), ""));
            (container.to_string(), image.to_string())
        })
        .collect();
    let ns = namespace(term, &p);
    act_on_deployments(
        cluster,
        t.names,
        |kind| format!("setting the image of {kind} is not simulated; set the Deployment's"),
        |deployment| Action::SetImage {
            namespace: ns.clone(),
            deployment,
            images: images.clone(),
        },
    )
}

/// Run `action` on each named Deployment (`kubectl scale`, `set image`): what each prints,
/// kubectl's errors on stderr, and `refused(resource)` for a kind svclab only acts on
/// through its Deployment.
fn act_on_deployments(
    cluster: &mut Cluster,
    names: Vec<(Kind, String)>,
    refused: impl Fn(&str) -> String,
    action: impl Fn(String) -> Action,
) -> Reply {
    let mut lines = Vec::new();
    let mut status = 0;
    for (kind, name) in names {
        if kind != Kind::Deployment {
            lines.push(Line::note(refused(&kind.resource())));
            status = 1;
            continue;
        }
        match cluster.act(action(name)) {
            Ok(out) => lines.extend(out.into_iter().map(Line::out)),
            Err(e) => {
                status = 1;
                lines.extend(super::text_lines(&e, Stream::Stderr));
            }
        }
    }
    Reply::fail(lines, status)
}

/// What `kubectl rollout status` says of a Deployment at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RolloutLine {
    /// Still rolling out: this line, and keep watching.
    Waiting(String),
    Done(String),
    /// The rollout ran past its progress deadline: this error, exit status 1.
    Failed(String),
}

impl RolloutLine {
    /// What the command prints when it stops here.
    pub(crate) fn reply(self) -> Reply {
        match self {
            RolloutLine::Waiting(l) | RolloutLine::Done(l) => Reply::out(l),
            RolloutLine::Failed(e) => Reply::error(e),
        }
    }
}

/// What `kubectl rollout status` says of a Deployment now; `None` when there is no such
/// Deployment. The checks and their order are kubectl's.
pub(crate) fn rollout_status(cluster: &Cluster, key: &ObjectKey) -> Option<RolloutLine> {
    let r = cluster.rollout(key)?;
    let name = &key.name;
    let waiting = |what: String| {
        RolloutLine::Waiting(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {what}..."
        ))
    };
    Some(if r.timed_out {
        RolloutLine::Failed(format!(
            "error: deployment \"{name}\" exceeded its progress deadline"
        ))
    } else if r.updated < r.desired {
        waiting(format!(
            "{} out of {} new replicas have been updated",
            r.updated, r.desired
        ))
    } else if r.total > r.updated {
        waiting(format!(
            "{} old replicas are pending termination",
            r.total - r.updated
        ))
    } else if r.available < r.updated {
        waiting(format!(
            "{} of {} updated replicas are available",
            r.available, r.updated
        ))
    } else {
        RolloutLine::Done(format!("deployment \"{name}\" successfully rolled out"))
    })
}

// ---------------------------------------------------------------------------------------------
// Information commands

fn version(args: &[String]) -> Reply {
    let p = match parse(
        "version",
        args,
        &[boolean("client", None), val("output", Some('o'))],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut lines = vec![
        Line::out("Client Version: v1.31.0"),
        Line::out("Kustomize Version: v5.4.2"),
    ];
    if !p.on("client") {
        lines.push(Line::out(format!("Server Version: {}", get::KUBE_VERSION)));
    }
    if p.has("output") {
        lines.push(Line::note("-o is not simulated for version"));
    }
    Reply::lines(lines)
}

/// The host port kind maps to the API server (random in real kind; fixed here).
const API_PORT: u16 = 40631;

fn cluster_info(args: &[String]) -> Reply {
    if args.first().map(String::as_str) == Some("dump") {
        return Reply::note("`kubectl cluster-info dump` is not simulated");
    }
    Reply::lines(vec![
        Line::out(format!("Kubernetes control plane is running at https://127.0.0.1:{API_PORT}")),
        Line::out(format!(
            "CoreDNS is running at https://127.0.0.1:{API_PORT}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy"
        )),
        Line::out(""),
        Line::out("To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'."),
    ])
}

fn config(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(
        "config",
        args,
        &[
            boolean("current", None),
            boolean("minify", None),
            boolean("raw", None),
            val("output", Some('o')),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match p.args.first().map(String::as_str) {
        Some("current-context") => Reply::out("kind-kind"),
        Some("get-contexts") => {
            let ns = if term.namespace == "default" { String::new() } else { term.namespace.clone() };
            Reply::lines(
                table::render(
                    &["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"],
                    &[vec!["*".into(), "kind-kind".into(), "kind-kind".into(), "kind-kind".into(), ns]],
                )
                .into_iter()
                .map(Line::out)
                .collect(),
            )
        }
        Some("use-context") => match p.args.get(1).map(String::as_str) {
            Some("kind-kind") => Reply::out("Switched to context \"kind-kind\"."),
            Some(other) => Reply::error(format!("error: no context exists with the name: \"{other}\"")),
            None => usage_error("config use-context", "Unexpected args: []"),
        },
        Some("set-context") => {
            let Some(ns) = p.get("namespace") else {
                return Reply::note("only `kubectl config set-context --current --namespace=NS` is simulated");
            };
            if !p.on("current") && p.args.get(1).map(String::as_str) != Some("kind-kind") {
                return Reply::note("only the kind-kind context exists here: use --current");
            }
            term.namespace = ns.to_string();
            let _ = cluster;
            Reply::out("Context \"kind-kind\" modified.")
        }
        Some("view") => Reply::lines(
            [
                "apiVersion: v1",
                "clusters:",
                "- cluster:",
                "    certificate-authority-data: DATA+OMITTED",
                &format!("    server: https://127.0.0.1:{API_PORT}"),
                "  name: kind-kind",
                "contexts:",
                "- context:",
                "    cluster: kind-kind",
                &if term.namespace == "default" {
                    "    user: kind-kind".to_string()
                } else {
                    format!("    namespace: {}\n    user: kind-kind", term.namespace)
                },
                "  name: kind-kind",
                "current-context: kind-kind",
                "kind: Config",
                "preferences: {}",
                "users:",
                "- name: kind-kind",
                "  user:",
                "    client-certificate-data: DATA+OMITTED",
                "    client-key-data: DATA+OMITTED",
            ]
            .iter()
            .flat_map(|l| l.split('\n').map(|x| Line::out(x.to_string())).collect::<Vec<_>>())
            .collect(),
        ),
        Some(other) => Reply::note(format!("`kubectl config {other}` is not simulated")),
        None => Reply::note("kubectl config: try `kubectl config current-context` or `kubectl config set-context --current --namespace=NS`"),
    }
}

fn api_resources(args: &[String]) -> Reply {
    let p = match parse(
        "api-resources",
        args,
        &[
            val("namespaced", None),
            val("output", Some('o')),
            val("api-group", None),
            boolean("no-headers", None),
            val("verbs", None),
            val("sort-by", None),
            boolean("cached", None),
        ],
    ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let rows: Vec<Vec<String>> = crate::resource::RESOURCES
        .iter()
        .filter(|r| r.simulated.is_some())
        .filter(|r| {
            p.get("namespaced")
                .is_none_or(|n| n == if r.namespaced { "true" } else { "false" })
        })
        .filter(|r| p.get("api-group").is_none_or(|g| g == r.group()))
        .map(|r| {
            vec![
                r.plural.to_string(),
                r.short_names.join(","),
                r.api_version().to_string(),
                r.namespaced.to_string(),
                r.kind.to_string(),
            ]
        })
        .collect();
    let mut lines: Vec<Line> = table::render(
        &["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"],
        &rows,
    )
    .into_iter()
    .skip(usize::from(p.on("no-headers")))
    .map(Line::out)
    .collect();
    lines.push(Line::note(
        "only the resources svclab simulates are listed; a real cluster serves about 60",
    ));
    Reply::lines(lines)
}

// ---------------------------------------------------------------------------------------------
// Help

/// `help` / `kubectl --help`: what svclab's terminal understands.
pub(crate) fn svclab_help() -> Vec<Line> {
    [
        "svclab: a simulated kind cluster. kubectl controls it:",
        "",
        "  kubectl apply -f FILE          apply the editor's manifest (also: kubectl delete -f FILE)",
        "  kubectl get TYPE [NAME]        svc, endpoints, endpointslices, pods, deploy, rs, ds, nodes, ns,",
        "                                 netpol, events, all; -n NS, -A, -l k=v, -o wide|yaml|json|name,",
        "                                 -o jsonpath='{.spec.clusterIP}', --sort-by=.metadata.name",
        "  kubectl describe TYPE NAME     svc, pod, endpoints, deploy, rs, node, ns, netpol",
        "  kubectl scale deploy/NAME --replicas=N",
        "  kubectl set image deploy/NAME CONTAINER=IMAGE, then: kubectl rollout status|history|undo",
        "  kubectl delete TYPE NAME       pod, svc, deploy, netpol, ns",
        "  kubectl label pod NAME k=v     (k- removes, --overwrite replaces)",
        "  kubectl run NAME -it --image=busybox --restart=Never -- sh",
        "  kubectl exec -it POD -- sh     or: kubectl exec POD -- wget -qO- http://SERVICE",
        "  kubectl logs POD               or: kubectl logs -n kube-system -l k8s-app=kube-proxy",
        "  kubectl debug node/kind-worker -it --image=busybox   (a root shell on a node)",
        "  kubectl expose deploy NAME --port=80, create deployment|namespace,",
        "  kubectl version, cluster-info, config current-context|set-context, api-resources",
        "",
        "In a pod: nslookup, wget, curl (curl images), cat /etc/resolv.conf, hostname, ip addr, env, exit",
        "On a node: iptables-save [-t nat], iptables -t nat -L CHAIN -n, ipvsadm -Ln, conntrack -L,",
        "           ip addr, ip route, curl, exit          (also: docker exec -it kind-worker bash)",
        "Also: clear, history, | grep, | head, | tail, | wc -l",
    ]
    .iter()
    .map(|l| Line::out(*l))
    .collect()
}

/// A short, honest usage text for one subcommand.
pub(crate) fn command_help(sub: &str) -> Vec<Line> {
    let text: &[&str] = match sub {
        "get" => &[
            "Display one or many resources.",
            "",
            "Usage:",
            "  kubectl get [(-o|--output=)json|yaml|name|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]",
            "",
            "Examples:",
            "  kubectl get svc",
            "  kubectl get endpoints backend-service -o yaml",
            "  kubectl get pods -o wide -l app=backend",
            "  kubectl get all -A",
        ],
        "describe" => &["Show details of a specific resource or group of resources.", "", "Usage:", "  kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]"],
        "apply" => &["Apply a configuration to a resource by file name.", "", "Usage:", "  kubectl apply (-f FILENAME | -k DIRECTORY) [options]"],
        "delete" => &["Delete resources by file names, resources and names, or by resources and label selector.", "", "Usage:", "  kubectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [options]"],
        "set" | "set image" => &["Update existing container image(s) of resources.", "", "Usage:", "  kubectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N [options]"],
        "rollout" => &["Manage the rollout of one or many resources.", "", "Usage:", "  kubectl rollout status (TYPE NAME | TYPE/NAME) [flags] [options]", "  kubectl rollout history (TYPE NAME | TYPE/NAME) [flags] [options]", "  kubectl rollout undo (TYPE NAME | TYPE/NAME) [flags] [options]"],
        "scale" => &["Set a new size for a deployment.", "", "Usage:", "  kubectl scale [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME) [options]"],
        "label" => &["Update the labels on a resource.", "", "Usage:", "  kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]"],
        "run" => &["Create and run a particular image in a pod.", "", "Usage:", "  kubectl run NAME --image=image [--env=\"key=value\"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...] [options]"],
        "exec" => &["Execute a command in a container.", "", "Usage:", "  kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]"],
        "logs" => &["Print the logs for a container in a pod or specified resource.", "", "Usage:", "  kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]"],
        "debug" => &["Create debugging sessions for troubleshooting workloads and nodes.", "", "Usage:", "  kubectl debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ] [options]"],
        "expose" => &["Expose a resource as a new Kubernetes service.", "", "Usage:", "  kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type] [options]"],
        "create" => &["Create a resource from a file or from stdin.", "", "Usage:", "  kubectl create -f FILENAME [options]"],
        _ => &["svclab: no help text for this command; see `kubectl help`."],
    };
    let mut lines: Vec<Line> = text.iter().map(|l| Line::out(*l)).collect();
    lines.push(Line::note(
        "short help: svclab shows the usage line, not kubectl's full help",
    ));
    lines
}
