//! What a kubectl command is: its name, help text, flags, what its arguments complete to and the
//! function that runs it. The table of them, [`super::COMMANDS`], is assembled in the parent
//! module from the statics each command's file defines.

use crate::cluster::Cluster;
use crate::shell::flags::Flag;
use crate::shell::{Reply, Terminal};

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
    /// `deployment/NAME`.
    Deployments,
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

/// A command kubectl has and svclab does not simulate; `hint` is appended to the note.
pub(super) const fn not_simulated(name: &'static str, hint: &'static str) -> Command {
    Command {
        name,
        help: &[],
        flags: &[],
        args: Args::Nothing,
        run: Run::NotSimulated(hint),
        subcommands: &[],
    }
}
