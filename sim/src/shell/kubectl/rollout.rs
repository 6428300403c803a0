//! Commands that change a Deployment's pods: `scale`, `set image`, `rollout status|history|undo`.

use crate::action::Action;
use crate::cluster::Cluster;
use crate::model::*;
use crate::shell::flags::{boolean, val, Parsed, Values, FORMATS};
use crate::shell::get::Kind;
use crate::shell::table;
use crate::shell::{describe, Job, Line, Reply, Stream, Terminal};

use super::command::{Args, Command, Run};
use super::target::*;
use super::{command_help, flag_error, namespace, parse};

pub(super) static SCALE: Command = Command {
    name: "scale",
    help: &[
        "Set a new size for a deployment.",
        "",
        "Usage:",
        "  kubectl scale [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME) [options]",
    ],
    flags: &[
        val("replicas", None),
        val("current-replicas", None),
        val("filename", Some('f')).completes(Values::File),
        val("selector", Some('l')).completes(Values::Labels),
        boolean("all", None),
        val("timeout", None),
    ],
    args: Args::TypesOf(&["deployments"]),
    run: Run::Handler(scale),
    subcommands: &[],
};

pub(super) static ROLLOUT: Command = Command {
    name: "rollout",
    help: &[
        "Manage the rollout of one or many resources.",
        "",
        "Usage:",
        "  kubectl rollout status (TYPE NAME | TYPE/NAME) [flags] [options]",
        "  kubectl rollout history (TYPE NAME | TYPE/NAME) [flags] [options]",
        "  kubectl rollout undo (TYPE NAME | TYPE/NAME) [flags] [options]",
    ],
    flags: &[],
    args: Args::Nothing,
    run: Run::Handler(rollout),
    subcommands: &[&ROLLOUT_HISTORY, &ROLLOUT_STATUS, &ROLLOUT_UNDO],
};

static ROLLOUT_STATUS: Command = Command {
    name: "rollout status",
    help: &[
        "Show the status of the rollout.",
        "",
        "Usage:",
        "  kubectl rollout status (TYPE NAME | TYPE/NAME) [flags] [options]",
    ],
    flags: &[
        boolean("watch", Some('w')),
        val("timeout", None),
        val("revision", None),
    ],
    args: Args::Deployments,
    run: Run::Handler(rollout_status_command),
    subcommands: &[],
};

static ROLLOUT_HISTORY: Command = Command {
    name: "rollout history",
    help: &[
        "View previous rollout revisions and configurations.",
        "",
        "Usage:",
        "  kubectl rollout history (TYPE NAME | TYPE/NAME) [flags] [options]",
    ],
    flags: &[val("revision", None)],
    args: Args::Deployments,
    run: Run::Handler(rollout_history),
    subcommands: &[],
};

static ROLLOUT_UNDO: Command = Command {
    name: "rollout undo",
    help: &[
        "Roll back to a previous rollout.",
        "",
        "Usage:",
        "  kubectl rollout undo (TYPE NAME | TYPE/NAME) [flags] [options]",
    ],
    flags: &[val("to-revision", None)],
    args: Args::Deployments,
    run: Run::Handler(rollout_undo),
    subcommands: &[],
};

pub(super) static SET: Command = Command {
    name: "set",
    help: &[
        "Update existing container image(s) of resources.",
        "",
        "Usage:",
        "  kubectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N [options]",
    ],
    flags: &[],
    args: Args::Nothing,
    run: Run::Handler(set),
    subcommands: &[&SET_IMAGE],
};

pub(super) static SET_IMAGE: Command = Command {
    name: "set image",
    help: &[
        "Update existing container image(s) of resources.",
        "",
        "Usage:",
        "  kubectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N [options]",
    ],
    flags: &[
        boolean("all", None),
        val("filename", Some('f')).completes(Values::File),
        val("selector", Some('l')).completes(Values::Labels),
        boolean("local", None),
        val("output", Some('o')).completes(Values::Formats(FORMATS)),
        val("dry-run", None),
    ],
    args: Args::Nothing,
    run: Run::Handler(set_image),
    subcommands: &[],
};

pub(super) fn scale(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&SCALE, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
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
        return no_resources_given();
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

/// `kubectl rollout` without a subcommand svclab simulates.
pub(super) fn rollout(_term: &mut Terminal, _cluster: &mut Cluster, args: &[String]) -> Reply {
    match parse(&ROLLOUT, args) {
        Ok(_) => Reply::note(
            "svclab simulates `kubectl rollout status`, `history` and `undo` of Deployments",
        ),
        Err(r) => r,
    }
}

/// What a `rollout` subcommand works on: its flags, the namespace and the Deployment.
struct Rollout {
    p: Parsed,
    ns: String,
    key: ObjectKey,
    kind: Kind,
    name: String,
}

impl Rollout {
    fn parse(
        term: &Terminal,
        cluster: &Cluster,
        command: &Command,
        args: &[String],
    ) -> Result<Self, Reply> {
        let p = parse(command, args)?;
        let ns = namespace(term, &p);
        let t = targets(&p.args, false)?;
        let Some((kind, name)) = t.names.first().cloned() else {
            return Err(Reply::error("error: required resource not specified"));
        };
        if kind != Kind::Deployment {
            return Err(Reply::note("svclab simulates rollouts of Deployments only"));
        }
        let key = ObjectKey::new(&ns, &name);
        if !cluster.deployments().contains_key(&key) {
            return Err(Reply::fail(vec![not_found(kind, &name)], 1));
        }
        Ok(Rollout {
            p,
            ns,
            key,
            kind,
            name,
        })
    }

    fn revision(&self, command: &Command, flag: &str) -> Result<Option<i64>, Reply> {
        match self.p.get(flag) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                flag_error(
                    command.name,
                    &format!("invalid argument \"{v}\" for \"--{flag}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"),
                )
            }),
        }
    }
}

fn rollout_history(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let r = match Rollout::parse(term, cluster, &ROLLOUT_HISTORY, args) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    let Rollout { key, name, .. } = &r;
    let revision = match r.revision(&ROLLOUT_HISTORY, "revision") {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    let revisions = cluster.revisions(key);
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

fn rollout_undo(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let r = match Rollout::parse(term, cluster, &ROLLOUT_UNDO, args) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    let to_revision = match r.revision(&ROLLOUT_UNDO, "to-revision") {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    let Rollout { ns, name, .. } = r;
    match cluster.act(Action::RolloutUndo {
        namespace: ns,
        deployment: name,
        to_revision,
    }) {
        Ok(out) => Reply::lines(out.lines().into_iter().map(Line::out).collect()),
        Err(e) => Reply::fail(crate::shell::text_lines(&e.to_string(), Stream::Stderr), 1),
    }
}

fn rollout_status_command(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let r = match Rollout::parse(term, cluster, &ROLLOUT_STATUS, args) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    let Rollout {
        p, key, kind, name, ..
    } = r;
    let watch = !matches!(p.get("watch"), Some("false"));
    let timeout = match p
        .get("timeout")
        .map(|t| (t, crate::time::parse_go_duration(t)))
    {
        None => 0,
        Some((_, Some(ms))) => ms,
        Some((t, None)) => {
            return flag_error(
                ROLLOUT_STATUS.name,
                &format!(
                "invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\""
            ),
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
                deadline: (timeout > 0).then(|| cluster.now() + timeout),
            })),
            ..Default::default()
        },
        Some(line) => line.reply(),
    }
}

/// `kubectl set` without `image`, the one `set` subcommand svclab simulates.
pub(super) fn set(_term: &mut Terminal, _cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&SET, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match p.args.first() {
        None => Reply::lines(command_help("set")),
        Some(other) => Reply::note(format!(
            "`kubectl set {other}` is not simulated; svclab simulates `kubectl set image`"
        )),
    }
}

pub(super) fn set_image(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&SET_IMAGE, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
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
pub(super) fn act_on_deployments(
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
            Ok(out) => lines.extend(out.lines().into_iter().map(Line::out)),
            Err(e) => {
                status = 1;
                lines.extend(crate::shell::text_lines(&e.to_string(), Stream::Stderr));
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
