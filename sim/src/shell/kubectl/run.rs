//! Commands that start a process in a container: `run`, `exec`, `debug`.

use crate::action::Action;
use crate::cluster::Cluster;
use crate::model::*;
use crate::registry::{ImageProfile, Shell};
use crate::shell::flags::{boolean, val, Values, FORMATS};
use crate::shell::get::{self, Kind};
use crate::shell::{pod, Attach, Job, Line, Location, PodShell, Reply, Stream, Terminal};
use crate::time::SECOND;

use super::command::{Args, Command, Run};
use super::{namespace, parse, usage_error};

pub(super) static RUN: Command = Command {
    name: "run",
    help: &[
        "Create and run a particular image in a pod.",
        "",
        "Usage:",
        "  kubectl run NAME --image=image [--env=\"key=value\"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...] [options]",
    ],
    flags: &[
        val("image", None).completes(Values::Images),
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
        val("output", Some('o')).completes(Values::Formats(FORMATS)),
        boolean("quiet", Some('q')),
        val("pod-running-timeout", None),
        val("overrides", None),
        boolean("expose", None),
    ],
    args: Args::Nothing,
    run: Run::Handler(run_pod),
    subcommands: &[],
};

pub(super) static EXEC: Command = Command {
    name: "exec",
    help: &[
        "Execute a command in a container.",
        "",
        "Usage:",
        "  kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]",
    ],
    flags: &[
        boolean("stdin", Some('i')),
        boolean("tty", Some('t')),
        val("container", Some('c')),
        boolean("quiet", Some('q')),
        val("filename", Some('f')).completes(Values::File),
        val("pod-running-timeout", None),
    ],
    args: Args::Pods,
    run: Run::Handler(exec),
    subcommands: &[],
};

pub(super) static DEBUG: Command = Command {
    name: "debug",
    help: &[
        "Create debugging sessions for troubleshooting workloads and nodes.",
        "",
        "Usage:",
        "  kubectl debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ] [options]",
    ],
    flags: &[
        boolean("stdin", Some('i')),
        boolean("tty", Some('t')),
        val("image", None).completes(Values::Images),
        val("profile", None),
        val("container", Some('c')),
        boolean("quiet", Some('q')),
        boolean("attach", None),
        val("target", None),
        val("copy-to", None),
    ],
    args: Args::Nodes,
    run: Run::Handler(debug),
    subcommands: &[],
};

/// Images whose containers have a shell (distroless ones do not).
pub(super) fn has_shell(image: &str) -> bool {
    ImageProfile::of(image).shell != Shell::None
}

pub(super) fn is_shell(cmd: &str) -> bool {
    matches!(
        cmd,
        "sh" | "/bin/sh" | "ash" | "/bin/ash" | "bash" | "/bin/bash" | "zsh" | "/bin/zsh"
    )
}

pub(super) fn run_pod(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&RUN, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
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
    // `-- sh -c SCRIPT`: the shell and its script.
    let script = match full_command.as_slice() {
        [sh, c, script, ..] if is_shell(sh) && c == "-c" => Some((sh.as_str(), script.as_str())),
        _ => None,
    };
    // An attached `sh -c` script that is refused (a loop, an unterminated quote) is refused
    // before the pod is made (it would be left behind).
    if let (true, Some((sh, script))) = (attach, script) {
        let open = format!("kubectl run -it {name} --image={image} -- {sh}");
        if let Err(refused) = crate::shell::script_command(script, &Default::default(), &open) {
            return refused;
        }
    }
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
            let mut lines = crate::shell::text_lines(&e.to_string(), Stream::Stderr);
            lines.extend(notes);
            return Reply::fail(lines, 1);
        }
    };
    if !attach {
        let mut lines: Vec<Line> = out.lines().into_iter().map(Line::out).collect();
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
        Some(_) => {
            if let Some((sh, script)) = script {
                // Split again with the pod's environment (`$HOSTNAME`); refused ones were
                // refused above.
                match crate::shell::script_command(
                    script,
                    &pod::env(cluster, &shell),
                    &format!("kubectl exec -it {name} -- {sh}"),
                ) {
                    Ok(crate::shell::Script::Pipe(words, pipe)) => {
                        Attach::Command { shell, words, pipe }
                    }
                    Ok(crate::shell::Script::List(list)) => Attach::List { shell, list },
                    Err(refused) => return refused,
                }
            } else {
                Attach::Command {
                    shell,
                    words: full_command.clone(),
                    pipe: Vec::new(),
                }
            }
        }
    };
    let mut r = Reply::lines(notes);
    r.job = Some(Box::new(Job::Attach {
        pod: key,
        deadline: cluster.now() + 60 * SECOND,
        then,
    }));
    r
}

pub(super) fn exec(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&EXEC, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
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
                    .pods()
                    .values()
                    .filter(|p| p.meta.namespace == ns && !p.is_terminating())
                    .filter(|p| {
                        p.owner.as_ref().is_some_and(|rs| {
                            cluster
                                .replica_sets()
                                .get(&ObjectKey::new(&ns, rs))
                                .is_some_and(|r| r.owner == name)
                        })
                    })
                    .map(|p| p.meta.name.clone())
                    .next();
                match picked {
                    Some(p) => p,
                    None if cluster.deployments().contains_key(&ObjectKey::new(&ns, name)) => {
                        return Reply::error(format!("error: cannot attach to *v1.Deployment: selector for *v1.Deployment {name} has no pods"))
                    }
                    None => return Reply::error(format!("Error from server (NotFound): deployments.apps \"{name}\" not found")),
                }
            }
            Ok(Kind::Service) => {
                let Some(svc) = cluster.services().get(&ObjectKey::new(&ns, name)) else {
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
    let Some(pod) = cluster.pods().get(&key) else {
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
            crate::shell::runtime::container_id(&pod.meta.uid, &container.name).trim_start_matches("containerd://"),
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
    let (words, pipe) = if command.len() >= 3 && is_shell(&command[0]) && command[1] == "-c" {
        // `sh -c 'echo TEXT | nc ...'`: the pod's shell runs the pipe.
        if crate::shell::echo_into(&command[2], &Default::default()).is_some() {
            return remote(term.exec(cluster, &crate::shell::Ctx::Pod(shell), &command));
        }
        match crate::shell::script_command(
            &command[2],
            &pod::env(cluster, &shell),
            &format!("kubectl exec -it {} -- {}", shell.pod.name, command[0]),
        ) {
            Ok(crate::shell::Script::Pipe(words, pipe)) => (words, pipe),
            Ok(crate::shell::Script::List(list)) => {
                return crate::shell::Script::run_in(list, Location::Pod(shell), true)
            }
            Err(refused) => return refused,
        }
    } else {
        (command, Vec::new())
    };
    let mut reply = term.exec(cluster, &crate::shell::Ctx::Pod(shell), &words);
    reply.add_pipe(pipe);
    remote(reply)
}

/// What a command run in the container answered, marked as run by `kubectl exec`.
fn remote(reply: Reply) -> Reply {
    Reply {
        remote: true,
        ..reply
    }
}

pub(super) fn debug(_term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&DEBUG, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
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
    let seed = format!("{node}/{}", cluster.now());
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
        goto: Some(Box::new(Location::Node(crate::shell::NodeShell {
            node: node.to_string(),
            depth: 0,
        }))),
        ..Default::default()
    }
}
