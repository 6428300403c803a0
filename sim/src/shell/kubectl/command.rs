//! kubectl's commands, each described once: its name, help text, flags, what its arguments
//! complete to and the function that runs it. Dispatch, `kubectl help X`, `--help`, unknown-flag
//! errors, suggestions and completion all read [`COMMANDS`].

use crate::cluster::Cluster;
use crate::shell::flags::Flag;
use crate::shell::{Reply, Terminal};

use super::{apply, delete, describe, get, info, label, logs, rollout, run};

/// A command's function: the terminal, the cluster and the words after the command's name.
pub(crate) type Handler = fn(&mut Terminal, &mut Cluster, &[String]) -> Reply;

/// What a command does when run.
#[derive(Clone, Copy)]
pub(crate) enum Run {
    Handler(Handler),
    /// kubectl has it, svclab does not simulate it; the text is a hint appended to the note.
    NotSimulated(&'static str),
}

/// What a command's positional arguments complete to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Args {
    Nothing,
    /// A resource type (`all` too when `all`), then names of that type.
    Types {
        all: bool,
    },
    /// One of these resource types, then names of that type.
    TypesOf(&'static [&'static str]),
    /// A pod or `deploy/NAME`.
    Pods,
    /// `node/NAME`.
    Nodes,
    /// One of these words first.
    Words(&'static [&'static str]),
    /// `kubectl config`'s subcommands, then contexts.
    Config,
    /// `status`, then `deployment/NAME`.
    Rollout,
    /// The editor's file.
    File,
    /// A kubectl command.
    Commands,
}

/// One kubectl command.
pub(crate) struct Command {
    /// As typed after `kubectl` (`get`, `set image`).
    pub name: &'static str,
    /// `kubectl X --help`: the summary and usage lines.
    pub help: &'static [&'static str],
    /// The command's own flags; the global ones ([`super::GLOBAL`]) come with every command.
    pub flags: &'static [Flag],
    pub args: Args,
    pub run: Run,
    /// Commands reached through this one (`set image`).
    pub subcommands: &'static [&'static Command],
}

const fn not_simulated(name: &'static str, hint: &'static str) -> Command {
    Command {
        name,
        help: &[],
        flags: &[],
        args: Args::Nothing,
        run: Run::NotSimulated(hint),
        subcommands: &[],
    }
}

const CHANGE_IN_EDITOR: &str = " (change the manifest in the editor and `kubectl apply -f` it)";

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
    &super::help::HELP,
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

/// The command called `name` (`get`, or `set image` for a subcommand).
pub(crate) fn find(name: &str) -> Option<&'static Command> {
    let (first, sub) = match name.split_once(' ') {
        Some((first, sub)) => (first, Some(sub)),
        None => (name, None),
    };
    let command = COMMANDS.iter().copied().find(|c| c.name == first)?;
    match sub {
        None => Some(command),
        Some(sub) => command
            .subcommands
            .iter()
            .copied()
            .find(|c| c.name.strip_prefix(first).map(str::trim_start) == Some(sub)),
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
                find(c.name).is_some_and(|f| std::ptr::eq(f, c)),
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
            if !name.contains(' ') {
                let via_help = term
                    .run(&mut cluster, &format!("kubectl help {name}"))
                    .text();
                assert_eq!(via_help, help, "kubectl help {name}");
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
