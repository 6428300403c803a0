//! The commands a shell knows by name. Each shell (the learner's machine in `host`, a pod's
//! shell in `pod`, a node's in `node`) has one table of [`Builtin`]s: dispatch and Tab
//! completion of the first word both read it.

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

/// One command of a shell whose state is `S` (`()` on the host, the pod or node shell inside
/// the cluster).
pub(crate) struct Builtin<S: 'static> {
    pub name: &'static str,
    /// Tab offers it as a first word.
    pub complete: bool,
    pub run: fn(&mut Terminal, &mut Cluster, &S, &Call) -> Reply,
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
    }
}

/// A command that runs when typed but that Tab does not offer.
pub(crate) const fn unlisted<S>(
    name: &'static str,
    run: fn(&mut Terminal, &mut Cluster, &S, &Call) -> Reply,
) -> Builtin<S> {
    Builtin {
        name,
        complete: false,
        run,
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

/// The names Tab offers as a first word.
pub(crate) fn names<S>(table: &[Builtin<S>]) -> impl Iterator<Item = String> + '_ {
    table
        .iter()
        .filter(|b| b.complete)
        .map(|b| b.name.to_string())
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
