//! `kubectl` (v1.31) against the simulated cluster: the subcommands a Service lesson uses, with
//! kubectl's flags, messages and errors. [`command::COMMANDS`] describes each subcommand once;
//! each file below holds the functions of one group of them.

mod apply;
mod command;
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

use command::Run;

pub(crate) use command::{find as find_command, Args, Command, COMMANDS};
pub(crate) use help::{command_help, svclab_help};
pub(crate) use rollout::{rollout_status, RolloutLine};

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
    match command::find(sub) {
        Some(Command {
            run: Run::Handler(handler),
            ..
        }) => handler(term, cluster, &rest),
        Some(Command {
            run: Run::NotSimulated(hint),
            ..
        }) => Reply::note(format!(
            "`kubectl {sub}` is not simulated; see `kubectl help` for what svclab supports{hint}"
        )),
        None => unknown_command(sub),
    }
}

/// cobra's error for a command it does not have, with the commands it might have meant.
fn unknown_command(typed: &str) -> Reply {
    let mut lines = vec![Line::err(format!(
        "error: unknown command \"{typed}\" for \"kubectl\""
    ))];
    let suggestions: Vec<&str> = COMMANDS
        .iter()
        .map(|c| c.name)
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
