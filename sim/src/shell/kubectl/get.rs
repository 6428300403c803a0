//! `kubectl get` and `kubectl events`: tables, `-o yaml|json|name|jsonpath`, `--sort-by`, `--watch`.

use crate::cluster::Cluster;
use crate::shell::fields::{self, FieldSelector};
use crate::shell::flags::{boolean, val, Flag, Parsed, Values, FORMATS};
use crate::shell::get::{self, Item, Kind};
use crate::shell::{jsonpath, table, value};
use crate::shell::{objects, Line, Reply, Terminal};

use super::command::{Args, Command, Run};
use super::target::*;
use super::{namespace, parse};

pub(super) static GET: Command = Command {
    name: "get",
    help: &[
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
    flags: GET_FLAGS,
    args: Args::Types { all: true },
    run: Run::Handler(get),
    subcommands: &[],
};

pub(super) static EVENTS: Command = Command {
    name: "events",
    help: &[
        "Display events.",
        "",
        "Usage:",
        "  kubectl events [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] [--types=Normal,Warning] [options]",
    ],
    flags: &[
        boolean("all-namespaces", Some('A')),
        val("output", Some('o')).completes(Values::Formats(FORMATS)),
        boolean("watch", Some('w')),
        boolean("no-headers", None),
        val("for", None),
        val("types", None),
        val("chunk-size", None),
    ],
    args: Args::Nothing,
    run: Run::Handler(events),
    subcommands: &[],
};

/// `kubectl get`'s flags.
const GET_FLAGS: &[Flag] = &[
    boolean("all-namespaces", Some('A')),
    val("output", Some('o')).completes(Values::Formats(FORMATS)),
    val("selector", Some('l')).completes(Values::Labels),
    boolean("watch", Some('w')),
    boolean("watch-only", None),
    boolean("show-labels", None),
    boolean("no-headers", None),
    boolean("ignore-not-found", None),
    val("sort-by", None),
    val("field-selector", None),
    val("label-columns", Some('L')),
    val("chunk-size", None),
    val("filename", Some('f')).completes(Values::File),
    val("for", None),
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Table,
    Wide,
    Yaml,
    Json,
    Name,
    /// `-o jsonpath=TEMPLATE`.
    JsonPath,
}

pub(super) fn output_format(p: &Parsed) -> Result<Format, Reply> {
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
pub(super) fn sort_items(cluster: &Cluster, items: &mut [Item], by: &jsonpath::Template) {
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

/// `kubectl events`: `kubectl get events`, its flags checked as `kubectl events`'s.
/// `kubectl events`: `kubectl get events`, keeping only the `--types` given (Normal, Warning).
pub(super) fn events(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let mut p = match parse(&EVENTS, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let types: Option<Vec<String>> = p.get("types").map(|t| {
        t.split(',')
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect()
    });
    if let Some(types) = &types {
        if types.iter().any(|t| t != "normal" && t != "warning") {
            return Reply::error("error: valid --types are Normal or Warning");
        }
    }
    p.args.insert(0, "events".to_string());
    list(term, cluster, p, types.as_deref())
}

pub(super) fn get(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    match parse(&GET, args) {
        Ok(p) => list(term, cluster, p, None),
        Err(r) => r,
    }
}

/// `kubectl get` with parsed flags; `types` (lower case) keeps only events of those types.
fn list(term: &mut Terminal, cluster: &mut Cluster, p: Parsed, types: Option<&[String]>) -> Reply {
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
    for f in ["label-columns", "filename", "for"] {
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
    let field_sel = p.get("field-selector").filter(|f| !f.is_empty());
    let label_text = p.get("selector").unwrap_or("").to_string();
    // kubectl passes `-l` to the API server as it is; the server's parse error comes back
    // wrapped like any list error with selectors (kubernetes/kubernetes#52971).
    let sel = match p.get("selector").map(get::parse_selector) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(m)) => {
            let kind = t.kinds.first().copied().unwrap_or(Kind::Pod);
            return Reply::error(fields::list_error(
                kind,
                &label_text,
                field_sel.unwrap_or_default(),
                &m,
            ));
        }
    };
    let fields = match field_sel.map(FieldSelector::parse) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(m)) => {
            let kind = t.kinds.first().copied().unwrap_or(Kind::Pod);
            let text = field_sel.unwrap_or_default();
            return Reply::error(fields::list_error(kind, &label_text, text, &m));
        }
    };
    if let Some(f) = &fields {
        for kind in &t.kinds {
            if let Some(bad) = f.unsupported(*kind) {
                return Reply::error(fields::list_error(
                    *kind,
                    &label_text,
                    &f.text,
                    &format!("field label not supported: {bad}"),
                ));
            }
        }
    }
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
            if let Some(f) = &fields {
                items.retain(|i| f.matches(i));
            }
            if let Some(types) = types {
                items.retain(|i| match i {
                    Item::Event(e) => {
                        let ty = if e.warning { "warning" } else { "normal" };
                        types.iter().any(|t| t == ty)
                    }
                    _ => true,
                });
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
