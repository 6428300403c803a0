//! The commands a shell knows by name. Each shell (the learner's machine in `host`, a pod's
//! shell in `pod`, a node's in `node`) has one table of [`Builtin`]s: dispatch, and Tab
//! completion of the command's name, its options and its arguments, all read it.

use crate::cluster::Cluster;

use super::{Reply, Terminal};

/// One command as a shell runs it: the word typed, its base name and the arguments.
pub(crate) struct Call<'a> {
    /// As typed (`/sbin/ip`).
    pub typed: &'a str,
    /// Without a directory (`ip`): the name the table matched.
    pub name: &'a str,
    pub args: &'a [String],
}

impl<'a> Call<'a> {
    /// `words` as typed: the first is the command, run by its base name when `by_base`
    /// (`/sbin/ip` is `ip` inside the cluster; bash on the host looks names up as typed).
    pub fn new(words: &'a [String], by_base: bool) -> Option<Call<'a>> {
        let (typed, args) = words.split_first()?;
        let name = if by_base {
            typed.rsplit('/').next().unwrap_or(typed)
        } else {
            typed
        };
        Some(Call { typed, name, args })
    }
}

/// What Tab offers for a command's arguments: `args` are the words typed after the command's
/// name, `cur` the word being typed. Candidates need not start with `cur`; the caller filters.
pub(crate) type Complete<S> = fn(&Terminal, &Cluster, &S, &[String], &str) -> Vec<String>;

/// One command of a shell whose state is `S` (`()` on the host, the pod or node shell inside
/// the cluster).
pub(crate) struct Builtin<S: 'static> {
    pub name: &'static str,
    /// Tab offers it as a first word.
    pub complete: bool,
    pub run: fn(&mut Terminal, &mut Cluster, &S, &Call) -> Reply,
    /// The options Tab offers for a word that starts with `-`.
    pub flags: &'static [&'static str],
    /// What Tab offers for any other word.
    pub args: Complete<S>,
}

impl<S> Builtin<S> {
    /// The same command, offering these options.
    pub const fn flags(self, flags: &'static [&'static str]) -> Builtin<S> {
        Builtin { flags, ..self }
    }

    /// The same command, completing its arguments with `args`.
    pub const fn args(self, args: Complete<S>) -> Builtin<S> {
        Builtin { args, ..self }
    }
}

/// No arguments to offer.
fn no_args<S>(_: &Terminal, _: &Cluster, _: &S, _: &[String], _: &str) -> Vec<String> {
    Vec::new()
}

/// A command Tab offers.
pub(crate) const fn listed<S>(
    name: &'static str,
    run: fn(&mut Terminal, &mut Cluster, &S, &Call) -> Reply,
) -> Builtin<S> {
    Builtin {
        name,
        complete: true,
        run,
        flags: &[],
        args: no_args,
    }
}

/// A command that runs when typed but that Tab does not offer.
pub(crate) const fn unlisted<S>(
    name: &'static str,
    run: fn(&mut Terminal, &mut Cluster, &S, &Call) -> Reply,
) -> Builtin<S> {
    Builtin {
        complete: false,
        ..listed(name, run)
    }
}

/// Run `call` with `table`'s command of that name, or `not_found`'s reply.
pub(crate) fn run<S>(
    table: &[Builtin<S>],
    term: &mut Terminal,
    cluster: &mut Cluster,
    shell: &S,
    call: &Call,
    not_found: impl FnOnce(&Call) -> Reply,
) -> Reply {
    match table.iter().find(|b| b.name == call.name) {
        Some(b) => (b.run)(term, cluster, shell, call),
        None => not_found(call),
    }
}

/// What Tab offers in a line of `table`'s shell whose finished words are `done` and whose word
/// being typed is `cur`: command names as the first word, then the command's options or its
/// arguments. Candidates need not start with `cur`; the caller filters.
pub(crate) fn candidates<S>(
    table: &[Builtin<S>],
    term: &Terminal,
    cluster: &Cluster,
    shell: &S,
    done: &[String],
    cur: &str,
) -> Vec<String> {
    let Some((first, args)) = done.split_first() else {
        return table
            .iter()
            .filter(|b| b.complete)
            .map(|b| b.name.to_string())
            .collect();
    };
    let Some(b) = table.iter().find(|b| b.name == first) else {
        return Vec::new();
    };
    if cur.starts_with('-') && !b.flags.is_empty() {
        b.flags.iter().map(|f| f.to_string()).collect()
    } else {
        (b.args)(term, cluster, shell, args, cur)
    }
}

/// The candidates that start with `prefix`, sorted, each once.
pub(crate) fn matching(candidates: impl IntoIterator<Item = String>, prefix: &str) -> Vec<String> {
    let mut found: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.starts_with(prefix))
        .collect();
    crate::sort::sort(&mut found);
    found.dedup();
    found
}

/// `true`, `cd` and the like: nothing to print, success.
pub(crate) fn nothing<S>(_: &mut Terminal, _: &mut Cluster, _: &S, _: &Call) -> Reply {
    Reply::default()
}

/// `false`.
pub(crate) fn fail<S>(_: &mut Terminal, _: &mut Cluster, _: &S, _: &Call) -> Reply {
    Reply::fail(Vec::new(), 1)
}

/// `clear`.
pub(crate) fn clear<S>(_: &mut Terminal, _: &mut Cluster, _: &S, _: &Call) -> Reply {
    Reply {
        clear: true,
        ..Default::default()
    }
}

/// `echo`.
pub(crate) fn echo<S>(_: &mut Terminal, _: &mut Cluster, _: &S, call: &Call) -> Reply {
    Reply::out(super::echo(call.args))
}
