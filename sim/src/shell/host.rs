//! The learner's own machine (`$ `): bash with kubectl, docker and kind pointed at the one kind
//! cluster svclab runs. [`BUILTINS`] is what it runs by name.

use crate::cluster::Cluster;
use crate::map::SortedMap;

use super::builtin::{self, listed, unlisted, Builtin, Call};
use super::{kubectl, node, request, text_lines, Line, Reply, Stream, Terminal};

/// What bash on the learner's machine runs.
pub(crate) static BUILTINS: &[Builtin<()>] = &[
    listed::<()>("kubectl", |term, cluster, _, call| {
        kubectl::run(term, cluster, call.args)
    })
    .args(kubectl::complete),
    listed("clear", builtin::clear),
    listed("help", |_, _, _, _| Reply::lines(kubectl::svclab_help())),
    listed("history", history),
    listed("echo", builtin::echo),
    listed("ls", ls).args(file),
    listed("cat", cat).args(file),
    unlisted("pwd", |_, _, _, _| Reply::out("/home/learner")),
    unlisted("cd", builtin::nothing),
    unlisted("true", builtin::nothing),
    unlisted(":", builtin::nothing),
    unlisted("false", builtin::fail),
    unlisted("whoami", |_, _, _, _| Reply::out("learner")),
    unlisted("hostname", |_, _, _, _| Reply::out("laptop")),
    listed("exit", exit),
    unlisted("logout", exit),
    listed("curl", request),
    unlisted("wget", request),
    listed::<()>("docker", |term, cluster, _, call| {
        node::docker(term, cluster, call.args)
    })
    .flags(&["-it"])
    .args(|_, cluster, _, args, _| {
        if args.is_empty() {
            return ["exec", "ps"].map(String::from).to_vec();
        }
        let mut nodes: Vec<String> = cluster
            .nodes()
            .iter()
            .map(|n| n.meta.name.clone())
            .collect();
        nodes.push("bash".into());
        nodes
    }),
    listed("kind", |_, cluster, _, call| kind(cluster, call.args)),
    unlisted("sudo", sudo),
    unlisted("k", |_, _, _, _| {
        Reply::fail(
            vec![
                Line::err("bash: k: command not found"),
                Line::note("no `k` alias is set up here; type `kubectl`"),
            ],
            127,
        )
    }),
    unlisted("nslookup", in_cluster_only),
    unlisted("dig", in_cluster_only),
    unlisted("ping", in_cluster_only),
    unlisted("ip", in_cluster_only),
    unlisted("iptables", in_cluster_only),
    unlisted("iptables-save", in_cluster_only),
    unlisted("ipvsadm", in_cluster_only),
    unlisted("conntrack", in_cluster_only),
];

/// Run one simple command on the learner's machine.
pub(crate) fn exec(term: &mut Terminal, cluster: &mut Cluster, words: &[String]) -> Reply {
    let Some(call) = Call::new(words, false) else {
        return Reply::default();
    };
    builtin::run(BUILTINS, term, cluster, &(), &call, |call| {
        Reply::fail(
            vec![Line::err(format!(
                "bash: {}: command not found",
                call.typed
            ))],
            127,
        )
    })
}

fn history(term: &mut Terminal, _: &mut Cluster, _: &(), _: &Call) -> Reply {
    Reply::lines(
        term.history()
            .iter()
            .enumerate()
            .map(|(i, h)| Line::out(format!("{:>5}  {h}", i + 1)))
            .collect(),
    )
}

fn ls(term: &mut Terminal, _: &mut Cluster, _: &(), call: &Call) -> Reply {
    let file_name = term.file_name();
    if call.args.iter().all(|a| a.starts_with('-')) {
        return Reply::out(file_name);
    }
    let mut lines = Vec::new();
    let mut status = 0;
    for a in call.args.iter().filter(|a| !a.starts_with('-')) {
        if a == file_name || a == "." {
            lines.push(Line::out(file_name));
        } else {
            lines.push(Line::err(format!(
                "ls: cannot access '{a}': No such file or directory"
            )));
            status = 2;
        }
    }
    Reply::fail(lines, status)
}

fn cat(term: &mut Terminal, _: &mut Cluster, _: &(), call: &Call) -> Reply {
    let (file_name, file_text) = term.file();
    let mut lines = Vec::new();
    let mut status = 0;
    for a in call.args {
        if a == file_name {
            lines.extend(text_lines(file_text, Stream::Stdout));
        } else {
            lines.push(Line::err(format!("cat: {a}: No such file or directory")));
            status = 1;
        }
    }
    Reply::fail(lines, status)
}

fn exit(_: &mut Terminal, _: &mut Cluster, _: &(), _: &Call) -> Reply {
    Reply::note("this is your own machine's shell; there is nothing to exit to")
}

fn request(term: &mut Terminal, cluster: &mut Cluster, _: &(), call: &Call) -> Reply {
    request::host_request(term, cluster, call.name, call.args)
}

fn sudo(term: &mut Terminal, cluster: &mut Cluster, _: &(), call: &Call) -> Reply {
    if call.args.is_empty() {
        Reply::error("usage: sudo -h | -K | -k | -V")
    } else {
        exec(term, cluster, call.args)
    }
}

fn in_cluster_only(_: &mut Terminal, _: &mut Cluster, _: &(), call: &Call) -> Reply {
    Reply::fail(
        vec![Line::note(format!(
            "`{}` on your own machine would not see the cluster's network; run it in a pod (`kubectl run -it test --image=busybox --restart=Never -- sh`) or on a node (`kubectl debug node/kind-worker -it --image=busybox`)",
            call.name
        ))],
        1,
    )
}

/// The learner's shell environment.
pub(crate) fn env() -> SortedMap<String, String> {
    let mut env = SortedMap::new();
    env.insert("HOME".into(), "/home/learner".into());
    env.insert("USER".into(), "learner".into());
    env.insert("SHELL".into(), "/bin/bash".into());
    env.insert("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into());
    env.insert("PWD".into(), "/home/learner".into());
    env
}

/// `kind get clusters`, `kind get nodes`, `kind version`.
fn kind(cluster: &Cluster, args: &[String]) -> Reply {
    match (args.first().map(String::as_str), args.get(1).map(String::as_str)) {
        (Some("get"), Some("clusters")) => Reply::out("kind"),
        (Some("get"), Some("nodes")) => Reply::lines(
            cluster
                .nodes()
                .iter()
                .map(|n| Line::out(n.meta.name.clone()))
                .collect(),
        ),
        (Some("version"), _) => Reply::out(format!(
            "kind {} {} linux/amd64",
            crate::version::KIND,
            crate::version::KIND_GO
        )),
        _ => Reply::note("only `kind get clusters`, `kind get nodes` and `kind version` are simulated; the cluster itself is already up"),
    }
}

/// The one file there is: the editor's.
fn file(term: &Terminal, _: &Cluster, _: &(), _: &[String], _: &str) -> Vec<String> {
    vec![term.file_name().to_string()]
}
