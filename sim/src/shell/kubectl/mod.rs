//! `kubectl` (v1.31) against the simulated cluster: the subcommands a Service lesson uses, with
//! kubectl's flags, messages and errors. [`COMMANDS`] describes each subcommand once;
//! each file below holds the functions of one group of them.

mod apply;
mod command;
mod complete;
mod delete;
mod describe;
mod get;
mod help;
mod info;
mod label;
mod logs;
mod rollout;
mod run;
mod target;

use crate::cluster::Cluster;
use crate::shell::flags::{self, boolean, val, Flag, Parsed, Values};
use crate::shell::{Line, Reply, Terminal};

use command::{not_simulated, Handler, Run};

pub(crate) use command::{Args, Command};
pub(crate) use complete::complete;
pub(crate) use help::{command_help, svclab_help};
pub(crate) use rollout::{rollout_status, RolloutLine};

const CHANGE_IN_EDITOR: &str = " (change the manifest in the editor and `kubectl apply -f` it)";

// The commands kubectl has that svclab does not simulate.
static ALPHA: Command = not_simulated("alpha", "");
static ANNOTATE: Command = not_simulated("annotate", "");
static API_VERSIONS: Command = not_simulated("api-versions", "");
static ATTACH: Command = Command {
    args: Args::Pods,
    ..not_simulated("attach", "")
};
static AUTH: Command = not_simulated("auth", "");
static AUTOSCALE: Command = not_simulated("autoscale", "");
static CERTIFICATE: Command = not_simulated("certificate", "");
static COMPLETION: Command = not_simulated("completion", "");
static CORDON: Command = not_simulated("cordon", "");
static CP: Command = not_simulated("cp", "");
static DIFF: Command = not_simulated("diff", "");
static DRAIN: Command = not_simulated("drain", "");
static EDIT: Command = not_simulated("edit", CHANGE_IN_EDITOR);
static EXPLAIN: Command = not_simulated("explain", "");
static KUSTOMIZE: Command = not_simulated("kustomize", "");
static OPTIONS: Command = not_simulated("options", "");
static PATCH: Command = not_simulated("patch", CHANGE_IN_EDITOR);
static PLUGIN: Command = not_simulated("plugin", "");
static PORT_FORWARD: Command = not_simulated("port-forward", "");
static PROXY: Command = not_simulated("proxy", "");
static REPLACE: Command = not_simulated("replace", CHANGE_IN_EDITOR);
static TAINT: Command = not_simulated("taint", "");
static UNCORDON: Command = not_simulated("uncordon", "");
static WAIT: Command = not_simulated("wait", "");

/// kubectl's top-level commands, sorted (cobra lists and suggests them in this order).
pub(crate) static COMMANDS: &[&Command] = &[
    &ALPHA,
    &ANNOTATE,
    &info::API_RESOURCES,
    &API_VERSIONS,
    &apply::APPLY,
    &ATTACH,
    &AUTH,
    &AUTOSCALE,
    &CERTIFICATE,
    &info::CLUSTER_INFO,
    &COMPLETION,
    &info::CONFIG,
    &CORDON,
    &CP,
    &apply::CREATE,
    &run::DEBUG,
    &delete::DELETE,
    &describe::DESCRIBE,
    &DIFF,
    &DRAIN,
    &EDIT,
    &get::EVENTS,
    &run::EXEC,
    &EXPLAIN,
    &apply::EXPOSE,
    &get::GET,
    &help::HELP,
    &KUSTOMIZE,
    &label::LABEL,
    &logs::LOGS,
    &OPTIONS,
    &PATCH,
    &PLUGIN,
    &PORT_FORWARD,
    &PROXY,
    &REPLACE,
    &rollout::ROLLOUT,
    &run::RUN,
    &rollout::SCALE,
    &rollout::SET,
    &TAINT,
    &info::TOP,
    &UNCORDON,
    &info::VERSION,
    &WAIT,
];

/// The top-level command called `name` (`get`, `set`; never a subcommand).
pub(crate) fn find_command(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().copied().find(|c| c.name == name)
}

/// `parent`'s subcommand typed as `word` (`image` under `set`).
pub(crate) fn subcommand(parent: &Command, word: &str) -> Option<&'static Command> {
    parent.subcommands.iter().copied().find(|c| {
        c.name
            .strip_prefix(parent.name)
            .and_then(|s| s.strip_prefix(' '))
            == Some(word)
    })
}

/// The command a path of words names (`set`, `image`): the first word is a top-level command
/// and each next word that names a subcommand of the one before goes one level down.
pub(crate) fn find_path<'a>(mut words: impl Iterator<Item = &'a str>) -> Option<&'static Command> {
    let mut command = find_command(words.next()?)?;
    for w in words {
        match subcommand(command, w) {
            Some(sub) => command = sub,
            None => break,
        }
    }
    Some(command)
}

/// Flags every kubectl command takes.
pub(crate) const GLOBAL: &[Flag] = &[
    val("namespace", Some('n')).completes(Values::Namespaces),
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

/// Parse `args` against `command`'s flags and the global ones: a pflag error, or `--help`'s
/// text, is the `Err` reply.
fn parse(command: &Command, args: &[String]) -> Result<Parsed, Reply> {
    let p = flags::parse(args, &with_global(command.flags))
        .map_err(|m| flag_error(command.name, &m))?;
    if p.on("help") {
        return Err(Reply::lines(command_help(command.name)));
    }
    Ok(p)
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
        let takes_value = GLOBAL.iter().any(|f| f.value && f.named(a));
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
    match find_command(sub).map(|c| descend(c, &mut rest)) {
        Some(
            command @ Command {
                run: Run::Handler(handler),
                ..
            },
        ) => {
            let mut reply = handler(term, cluster, &rest);
            // The API server's warnings arrive with its answer, before kubectl prints it.
            let warnings = deprecation_warnings(command, &rest).map(|w| Line::err(warning(w)));
            reply.lines.splice(0..0, warnings);
            reply
        }
        Some(Command {
            run: Run::NotSimulated(hint),
            ..
        }) => Reply::note(format!(
            "`kubectl {sub}` is not simulated; see `kubectl help` for what svclab supports{hint}"
        )),
        None => unknown_command(sub),
    }
}

/// The API server's warning when a Service with `spec.externalIPs` is created or updated
/// (KEP-5707, Kubernetes 1.36).
pub(super) const EXTERNAL_IPS_DEPRECATED: &str = "spec.externalIPs is deprecated";

/// A warning from the API server as kubectl prints it.
pub(super) fn warning(text: &str) -> String {
    format!("Warning: {text}")
}

/// The deprecation warnings of the types `kubectl get|describe|delete|label|annotate|edit`
/// reads or writes with these words (`ep`, `endpoints/web`, `svc,ep`), once each.
fn deprecation_warnings(command: &Command, rest: &[String]) -> impl Iterator<Item = &'static str> {
    let mut warnings: Vec<&'static str> = Vec::new();
    let at = first_positional(command, rest);
    let touches = matches!(
        command.name,
        "get" | "describe" | "delete" | "label" | "annotate" | "edit"
    );
    if let (true, Some(word)) = (touches, rest.get(at)) {
        let words: &[String] = if word.contains('/') {
            &rest[at..]
        } else {
            &rest[at..=at]
        };
        for w in words {
            let typed = w.split('/').next().unwrap_or(w);
            for t in typed.split(',') {
                if let Some(d) = crate::resource::by_name(t).and_then(|r| r.deprecated) {
                    if !warnings.contains(&d) {
                        warnings.push(d);
                    }
                }
            }
        }
    }
    warnings.into_iter()
}

/// The subcommand of `command` that the first positional word of `rest` names, taken out of
/// `rest`, and so on down; `command` itself when there is none. Flags may come before the word
/// (`kubectl rollout -n dev status`); a value-taking flag's separate value is skipped.
fn descend(mut command: &'static Command, rest: &mut Vec<String>) -> &'static Command {
    while !command.subcommands.is_empty() {
        let at = first_positional(command, rest);
        let Some(sub) = rest.get(at).and_then(|w| subcommand(command, w)) else {
            break;
        };
        rest.remove(at);
        command = sub;
    }
    command
}

/// Where the first word of `args` that is neither a flag of `command` (or a global one) nor a
/// flag's separate value is; `args.len()` when there is none.
fn first_positional(command: &Command, args: &[String]) -> usize {
    let mut at = 0;
    while at < args.len() && args[at].starts_with('-') && args[at] != "--" {
        let a = &args[at];
        let takes_value = !a.contains('=')
            && GLOBAL
                .iter()
                .chain(command.flags)
                .any(|f| f.value && f.named(a));
        at += if takes_value { 2 } else { 1 };
    }
    at
}

/// `args` run as `sub` when their first positional word is one of `aliases` (`po` for
/// `top pod`): the handler to call and the words without the alias.
fn alias(
    parent: &Command,
    args: &[String],
    subs: &[(&[&str], &'static Command)],
) -> Option<(Handler, Vec<String>)> {
    let at = first_positional(parent, args);
    let word = args.get(at)?;
    let (_, sub) = subs
        .iter()
        .find(|(aliases, _)| aliases.contains(&word.as_str()))?;
    let Run::Handler(handler) = sub.run else {
        return None;
    };
    let mut rest = args.to_vec();
    rest.remove(at);
    Some((handler, rest))
}

/// cobra's error for a command it does not have, with the commands it might have meant.
fn unknown_command(typed: &str) -> Reply {
    let mut lines = vec![Line::err(format!(
        "error: unknown command \"{typed}\" for \"kubectl\""
    ))];
    // cobra never suggests its own help command.
    let suggestions: Vec<&str> = COMMANDS
        .iter()
        .map(|c| c.name)
        .filter(|c| *c != "help")
        .filter(|c| distance(typed, c) <= 2 || c.starts_with(&typed.to_lowercase()))
        .collect();
    if !suggestions.is_empty() && !typed.is_empty() {
        lines.push(Line::err(""));
        lines.push(Line::err("Did you mean this?"));
        for s in suggestions {
            lines.push(Line::err(format!("\t{s}")));
        }
    }
    Reply::fail(lines, 1)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Config;
    use crate::examples::{SEED_FILENAME, SEED_MANIFEST};

    fn seed() -> (Terminal, Cluster) {
        let mut cluster = Cluster::new(Config::default());
        cluster
            .apply(SEED_MANIFEST, SEED_FILENAME)
            .expect("the seed applies");
        (Terminal::new(SEED_FILENAME, SEED_MANIFEST), cluster)
    }

    /// Every command and subcommand the table holds.
    fn every_command() -> Vec<&'static Command> {
        COMMANDS
            .iter()
            .flat_map(|c| std::iter::once(*c).chain(c.subcommands.iter().copied()))
            .collect()
    }

    #[test]
    fn commands_are_sorted_and_found_by_name() {
        let names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        for c in every_command() {
            assert!(
                find_path(c.name.split(' ')).is_some_and(|f| std::ptr::eq(f, c)),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn every_simulated_command_has_help_completes_its_flags_and_rejects_unknown_ones() {
        let (mut term, mut cluster) = seed();
        for c in every_command() {
            let name = c.name;
            match c.run {
                Run::NotSimulated(_) => {
                    let out = term.run(&mut cluster, &format!("kubectl {name}")).text();
                    assert!(out.contains("is not simulated"), "kubectl {name}: {out}");
                    continue;
                }
                Run::Handler(_) => {}
            }
            let help = term
                .run(&mut cluster, &format!("kubectl {name} --help"))
                .text();
            assert!(!c.help.is_empty(), "kubectl {name} has no help");
            assert!(help.starts_with(c.help[0]), "kubectl {name} --help: {help}");
            let via_help = term
                .run(&mut cluster, &format!("kubectl help {name}"))
                .text();
            assert_eq!(via_help, help, "kubectl help {name}");
            for sub in c.subcommands {
                let word = sub.name.rsplit(' ').next().unwrap_or_default();
                let offered = term.complete(&cluster, &format!("kubectl {name} "));
                assert!(
                    offered.iter().any(|o| o == word),
                    "`kubectl {name} ` offers {offered:?}, not {word}"
                );
            }
            for flag in c.flags {
                let long = format!("--{}", flag.long);
                let typed = format!("kubectl {name} {}", &long[..3.min(long.len())]);
                let offered = term.complete(&cluster, &typed);
                assert!(
                    offered.contains(&long),
                    "`{typed}` offers {offered:?}, not {long}"
                );
            }
            assert_eq!(
                term.run(&mut cluster, &format!("kubectl {name} --bogus"))
                    .text(),
                format!("error: unknown flag: --bogus\nSee 'kubectl {name} --help' for usage.\n"),
            );
            assert_eq!(
                term.run(&mut cluster, &format!("kubectl {name} -z")).text(),
                format!(
                    "error: unknown shorthand flag: 'z' in -z\nSee 'kubectl {name} --help' for usage.\n"
                ),
            );
        }
    }
}
