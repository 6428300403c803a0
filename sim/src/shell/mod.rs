//! The terminal: a pure interpreter of what the learner types, against a [`Cluster`].
//!
//! A [`Terminal`] knows where the learner is ([`Location`]: the host's bash with `kubectl`, a
//! pod's shell after `kubectl run -it` / `kubectl exec -it`, a node after `kubectl debug node/...`
//! or `docker exec -it kind-worker bash`), the command history and the editor's file.
//! [`Terminal::run`] interprets one line and returns an [`Output`]: the lines to print now, the
//! prompt to show next, and, when the command waits on the virtual clock (a request's reply, a pod
//! starting, a pod terminating), a [`Wait`]. The app then advances the clock and calls
//! [`Terminal::poll`], which returns the rest of the output once the wait is over.
//!
//! Everything printed is what the real tools print (kubectl 1.31, bash, busybox 1.36, iptables,
//! ipvsadm, conntrack). Where svclab simplifies, a [`Stream::Note`] line starting with `svclab:`
//! says so. Nothing typed can panic or hang: every command finishes at once or waits on the
//! virtual clock, and every wait has an end.
//!
//! Layout: `words` splits a line like a shell and `pipe` runs the filters after a `|`;
//! `output` and `location` are the types a command returns and where it runs; `builtin` is the
//! shape of each shell's command table (`host` for the learner's machine, `pod` and `node` inside
//! the cluster). `kubectl` (its command table in `kubectl/command.rs`) answers kubectl with the
//! printers `get`, `describe`, `objects`, `logs`, reading resource types from
//! [`crate::resource`]; `flags` reads kubectl's flags, `complete` is Tab, `table` is Go's
//! tabwriter, `value` the YAML/JSON printers, `jsonpath` kubectl's templates, `clock` the made-up
//! wall clock, and `runtime` the container runtime's ids.

use std::collections::VecDeque;

use crate::map::SortedMap;

use crate::cluster::Cluster;
use crate::model::ObjectKey;
use crate::trace::Trace;

mod builtin;
mod complete;
mod describe;
mod fields;
mod flags;
mod get;
mod host;
mod jsonpath;
mod kubectl;
mod logs;
mod node;
mod objects;
mod pod;
mod request;
mod runtime;
mod table;
mod value;
mod words;

use words::{Pipeline, Simple};

mod location;
mod output;
mod pipe;

pub(crate) use location::{Attach, Ctx, Job, Render};
pub use location::{Flavor, Location, NodeShell, PodShell};
pub(crate) use output::{text_lines, Reply, Sh};
pub use output::{Line, Output, Stream, Wait};
pub(crate) use pipe::echo;
use pipe::pipe_filter;
pub use pod::client_tools;

/// For tests only (upstream's printer tests, `tests/upstream/printers.txt`): one object's
/// `kubectl get` table, header and row, printed from an object the test built, status and all,
/// as upstream's tests call `printPod` and the like on objects whose status they set by hand.
/// No cluster is involved; `now` only ages the object. Not part of svclab's interface.
#[doc(hidden)]
pub mod printed {
    use crate::cluster::DeploymentCounts;
    use crate::model::{Deployment, Pod, ReplicaSet};
    use crate::resource::Kind;
    use crate::time::Time;

    use super::{get, table};

    fn render(kind: Kind, row: Vec<String>, wide: bool) -> String {
        table::render(&get::headers(kind, wide), &[row]).join("\n")
    }

    /// `kubectl get pod` for `pod` as it is, its status included.
    pub fn pod(pod: &Pod, now: Time, wide: bool) -> String {
        render(Kind::Pod, get::pod_row(pod, now, wide), wide)
    }

    /// `kubectl get deployment` for `d`, its status being `counts`.
    pub fn deployment(d: &Deployment, counts: &DeploymentCounts, now: Time, wide: bool) -> String {
        render(
            Kind::Deployment,
            get::deployment_row(d, counts, now, wide),
            wide,
        )
    }

    /// `kubectl get replicaset` for `rs`, its status being `current` pods of which `ready` ready.
    pub fn replica_set(rs: &ReplicaSet, current: i64, ready: i64, now: Time, wide: bool) -> String {
        let row = get::replica_set_row(rs, current, ready, now, wide);
        render(Kind::ReplicaSet, row, wide)
    }
}

/// A command that continues on the virtual clock, and what follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Running {
    job: Job,
    /// Pipe stages after the waiting command (`| grep x`), applied to its stdout.
    filters: Vec<Simple>,
    redirects: Vec<String>,
    /// The rest of the line, run when this finishes (`a; b`, `a && b`).
    then: Option<&'static str>,
    rest: Vec<Pipeline>,
    /// `kubectl run -it --rm ... -- CMD`: delete the pod afterwards.
    rm_after: Option<ObjectKey>,
    /// Run by `kubectl exec` ([`Reply::remote`]).
    remote: bool,
    /// The filters of the command's own `sh -c` pipe ([`Sh::pipe`]).
    pipe: Vec<Simple>,
}

/// Lines typed while a command runs are kept and run afterwards, as a terminal's type-ahead.
const MAX_TYPEAHEAD: usize = 32;
/// History kept for the arrow keys and `history`.
const MAX_HISTORY: usize = 1_000;
/// Longest line svclab reads; the rest is ignored (a paste of a whole manifest, say).
const MAX_LINE: usize = 8_192;

/// The learner's terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terminal {
    location: Location,
    history: Vec<String>,
    file_name: String,
    file_text: String,
    running: Option<Running>,
    typeahead: VecDeque<String>,
    /// Files `wget` saved in each pod, with their content (a second `wget URL` finds
    /// `index.html` there).
    pub(crate) pod_files: SortedMap<ObjectKey, Vec<(String, String)>>,
    /// The namespace kubectl uses without `-n` (`kubectl config set-context --current --namespace`).
    pub(crate) namespace: String,
    /// `$?` of the last command.
    status: i32,
    /// Where the terminal was before each running `sh -c` list moved it into the list's shell
    /// (outermost first): the list's end goes back there, and Ctrl-C to the first.
    return_to: Vec<Location>,
    /// What the pipe feeds the command being started (`echo hostname | nc -u ...`): the text
    /// of the stage before it, taken by the one command that reads its stdin.
    pub(crate) stdin: Option<String>,
}

impl Terminal {
    /// A terminal on the host, with the editor's file `file_name` holding `file_text`
    /// (what `kubectl apply -f FILE` reads).
    pub fn new(file_name: &str, file_text: &str) -> Terminal {
        Terminal {
            location: Location::Host,
            history: Vec::new(),
            file_name: file_name.to_string(),
            file_text: file_text.to_string(),
            running: None,
            typeahead: VecDeque::new(),
            pod_files: SortedMap::new(),
            namespace: "default".to_string(),
            status: 0,
            return_to: Vec::new(),
            stdin: None,
        }
    }

    /// The editor's file changed (renamed or edited).
    pub fn set_file(&mut self, file_name: &str, file_text: &str) {
        self.file_name = file_name.to_string();
        self.file_text = file_text.to_string();
    }

    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Lines typed, oldest first (for the arrow keys).
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// What the terminal waits for, if a command is running.
    pub fn waiting(&self) -> Option<Wait> {
        self.running.as_ref().map(|r| match &r.job {
            Job::Trace { id, .. } => Wait::Trace { id: *id },
            Job::Attach { pod, deadline, .. } => Wait::PodRunning {
                pod: pod.clone(),
                deadline: *deadline,
            },
            Job::Gone { pod, .. } => Wait::PodGone { pod: pod.clone() },
            Job::Rollout { deployment, .. } => Wait::Rollout {
                deployment: deployment.clone(),
            },
        })
    }

    /// The prompt: `$ ` on the host, `/ # ` in busybox, `root@kind-worker:/# ` on a node; empty
    /// while a command runs.
    pub fn prompt(&self) -> String {
        if self.running.is_some() {
            return String::new();
        }
        match &self.location {
            Location::Host => "$ ".into(),
            Location::Pod(p) => pod::prompt(p),
            Location::Node(n) => format!("root@{}:/# ", n.node),
        }
    }

    /// Interpret one typed line. While a command is still running, the line is kept and run
    /// when it finishes (like a real terminal's type-ahead).
    pub fn run(&mut self, cluster: &mut Cluster, line: &str) -> Output {
        let line = truncate(line);
        if !line.trim().is_empty() {
            self.history.push(line.to_string());
            if self.history.len() > MAX_HISTORY {
                self.history.remove(0);
            }
        }
        if self.running.is_some() {
            if self.typeahead.len() < MAX_TYPEAHEAD {
                self.typeahead.push_back(line.to_string());
            }
            return self.output(Vec::new(), false);
        }
        let (lines, clear) = self.run_line(cluster, line);
        let mut out = self.output(lines, clear);
        if self.running.is_none() {
            self.return_to.clear();
            self.drain_typeahead(cluster, &mut out);
        }
        out
    }

    /// Call after the virtual clock moved: when the running command's wait is over, its output
    /// (and whatever ran after it). `None` while still waiting or when nothing runs.
    pub fn poll(&mut self, cluster: &mut Cluster) -> Option<Output> {
        let mut running = self.running.take()?;
        let mut lines = Vec::new();
        // A watch prints as it goes: a changed status now, while the command keeps running.
        if let Job::Rollout {
            deployment,
            last,
            deadline,
        } = &mut running.job
        {
            let timed_out = deadline.is_some_and(|at| cluster.now() >= at);
            if let Some(kubectl::RolloutLine::Waiting(line)) =
                kubectl::rollout_status(cluster, deployment).filter(|_| !timed_out)
            {
                let changed = line != *last;
                if changed {
                    lines.push(Line::out(line.clone()));
                    *last = line;
                }
                self.running = Some(running);
                return changed.then(|| self.output(lines, false));
            }
        }
        let finished = match &running.job {
            Job::Trace {
                id,
                render,
                ctx,
                deadline,
            } => match find_trace(cluster, *id) {
                Some(trace) if cluster.now() < trace.finish => match deadline {
                    Some((at, message)) if cluster.now() >= *at => {
                        Some(Reply::error(message.clone()))
                    }
                    _ => None,
                },
                Some(trace) => {
                    let trace = trace.clone();
                    Some(self.render_trace(&trace, render, ctx))
                }
                None => Some(Reply::fail(
                    vec![Line::note(format!(
                        "request {id} is no longer kept; its output is lost"
                    ))],
                    1,
                )),
            },
            Job::Attach {
                pod,
                deadline,
                then,
            } => match cluster.pods().get(pod).map(|p| p.status.container) {
                Some(crate::model::ContainerState::Running)
                    if !cluster.pods()[pod].is_terminating() =>
                {
                    Some(self.attach(cluster, then.clone()))
                }
                _ if cluster.now() >= *deadline => {
                    Some(Reply::error("error: timed out waiting for the condition"))
                }
                None => Some(Reply::error("error: timed out waiting for the condition")),
                _ => None,
            },
            Job::Gone { pod, uid } => {
                if cluster.pods().get(pod).is_some_and(|p| &p.meta.uid == uid) {
                    None
                } else {
                    Some(Reply::default())
                }
            }
            Job::Rollout {
                deployment,
                deadline,
                ..
            } => {
                let status = kubectl::rollout_status(cluster, deployment);
                let timed_out = deadline.is_some_and(|at| cluster.now() >= at);
                Some(match status {
                    Some(kubectl::RolloutLine::Waiting(_)) if timed_out => {
                        Reply::error("error: timed out waiting for the condition")
                    }
                    Some(line) => line.reply(),
                    // kubectl stops rather than watch a namesake created after.
                    None => Reply::error("error: object has been deleted"),
                })
            }
        };
        let Some(reply) = finished else {
            self.running = Some(running);
            return None;
        };
        let clear = reply.clear;
        self.finish(cluster, running, reply, &mut lines);
        let mut out = self.output(lines, clear);
        if self.running.is_none() {
            self.return_to.clear();
            self.drain_typeahead(cluster, &mut out);
        }
        Some(out)
    }

    /// Ctrl-C: abandon the running command (the cluster keeps whatever it already did), and
    /// forget the type-ahead. At a prompt it just prints `^C`.
    pub fn interrupt(&mut self, cluster: &mut Cluster) -> Output {
        let mut lines = vec![Line::out("^C")];
        // Inside `kubectl run -it --rm` (its command, or a list in it), the container's
        // process ends on the interrupt and kubectl deletes the pod.
        if let Some(pod) = self.running.take().and_then(|r| {
            r.rm_after.or_else(|| {
                r.rest
                    .iter()
                    .rev()
                    .find_map(|p| pod_to_delete(p.stages.first()?))
            })
        }) {
            lines.extend(pod::delete_run_pod(cluster, &pod));
        }
        if !self.return_to.is_empty() {
            self.location = self.return_to.swap_remove(0);
            self.return_to.clear();
        }
        self.typeahead.clear();
        self.status = 130;
        self.output(lines, false)
    }

    /// Tab completion for the word under the cursor at the end of `line`: commands, kubectl
    /// subcommands and flags, resource types, object names, pod names, nodes, namespaces and the
    /// editor's file. Returns the candidates for that last word (sorted, no duplicates).
    pub fn complete(&self, cluster: &Cluster, line: &str) -> Vec<String> {
        complete::complete(self, cluster, line)
    }

    /// Tab as a shell does it: the line with its last word extended to the candidates' longest
    /// common prefix (plus a space when exactly one candidate fits), and the candidates to list
    /// when more than one does.
    pub fn complete_line(&self, cluster: &Cluster, line: &str) -> (String, Vec<String>) {
        complete::complete_line(self, cluster, line)
    }

    // -----------------------------------------------------------------------------------------

    fn output(&self, lines: Vec<Line>, clear: bool) -> Output {
        Output {
            lines,
            clear,
            wait: self.waiting(),
            prompt: self.prompt(),
        }
    }

    fn drain_typeahead(&mut self, cluster: &mut Cluster, out: &mut Output) {
        while self.running.is_none() {
            let Some(line) = self.typeahead.pop_front() else {
                break;
            };
            let (lines, clear) = self.run_line(cluster, &line);
            if clear {
                out.lines.clear();
                out.clear = true;
            }
            out.lines.extend(lines);
        }
        out.wait = self.waiting();
        out.prompt = self.prompt();
    }

    /// Run a whole line: its pipelines in order, until one has to wait.
    fn run_line(&mut self, cluster: &mut Cluster, line: &str) -> (Vec<Line>, bool) {
        let mut lines = Vec::new();
        // The pod the terminal is in may have been deleted meanwhile.
        if let Location::Pod(p) = &self.location {
            let alive = cluster
                .pods()
                .get(&p.pod)
                .is_some_and(|pod| pod.status.container == crate::model::ContainerState::Running);
            if !alive {
                self.location = Location::Host;
                lines.push(Line::err("command terminated with exit code 137"));
                lines.push(Line::note("the pod is gone; you are back on your machine"));
                return (lines, false);
            }
        }
        let env = self.env(cluster);
        let tokens = match words::split(line, &env) {
            Ok(t) => t,
            Err(words::SplitError::Unterminated(q)) => {
                lines.push(Line::note(format!(
                    "unterminated {q} quote: a real shell would wait for the rest of the command; svclab reads one line at a time"
                )));
                self.status = 2;
                return (lines, false);
            }
        };
        let pipelines = match words::pipelines(tokens) {
            Ok(p) => p,
            Err(token) => {
                lines.push(Line::err(self.syntax_error(&token)));
                self.status = 2;
                return (lines, false);
            }
        };
        if let Some(word) = words::compound(&pipelines) {
            lines.push(compound_note(word));
            self.status = 2;
            return (lines, false);
        }
        let mut clear = false;
        self.run_pipelines(cluster, pipelines.into(), None, &mut lines, &mut clear);
        (lines, clear)
    }

    /// Run pipelines in order; `prev` is the operator joining the previous one to the first.
    fn run_pipelines(
        &mut self,
        cluster: &mut Cluster,
        mut pipelines: VecDeque<Pipeline>,
        mut prev: Option<&'static str>,
        lines: &mut Vec<Line>,
        clear: &mut bool,
    ) {
        while let Some(p) = pipelines.pop_front() {
            let skip = match prev {
                Some("&&") => self.status != 0,
                Some("||") => self.status == 0,
                _ => false,
            };
            prev = p.then;
            if skip {
                continue;
            }
            let mut stages = p.stages.into_iter();
            let Some(mut first) = stages.next() else {
                continue;
            };
            let mut filters: Vec<Simple> = stages.collect();
            words::live_status(&mut first, self.status);
            for f in &mut filters {
                words::live_status(f, self.status);
            }
            // `echo TEXT | nc ...`: the one pipe whose reader is a command, not a filter.
            if let Some(text) = piped_echo(&first, filters.first()) {
                first = filters.remove(0);
                self.stdin = Some(text);
            }
            // The end of a `sh -c` list: back where it started, kubectl exec reporting its
            // status.
            if ends_script(&first) {
                if let Some(back) = self.return_to.pop() {
                    self.location = back;
                }
                let remote = first.words.get(1).is_some_and(|w| w == "remote");
                lines.extend(exit_line(Vec::new(), self.status, remote));
                if let Some(pod) = pod_to_delete(&first) {
                    lines.extend(pod::delete_run_pod(cluster, &pod));
                }
                continue;
            }
            // `exit 3 | cat`: the exit runs in the pipe's own subshell and leaves only that;
            // this shell goes on, with the pipe's status (its last command's).
            if leaves_shell(&first.words) && !filters.is_empty() {
                let printed =
                    self.conclude(cluster, Reply::default(), &filters, &[], &first.redirects);
                lines.extend(printed);
                continue;
            }
            let ctx = self.ctx();
            let mut reply = self.exec(cluster, &ctx, &first.words);
            self.stdin = None;
            let Sh { pipe, script } = reply.take_sh();
            if !script.is_empty() {
                // `sh -c 'a; b'`: into the list's shell (a fresh one: `$?` is 0), its pipelines
                // next, then its end and the rest of the line.
                if !filters.is_empty() || !first.redirects.is_empty() {
                    // The line's filters would read each command's output apart (`| wc -l`
                    // counting per command): not run rather than run wrong.
                    lines.push(Line::note(PIPED_LIST));
                    self.status = 2;
                    continue;
                }
                self.enter_script(reply.goto);
                lines.extend(reply.lines);
                let mut script = script;
                if let Some(end) = script.last_mut() {
                    end.then = p.then;
                }
                for pipeline in script.into_iter().rev() {
                    pipelines.push_front(pipeline);
                }
                prev = None;
                continue;
            }
            if !self.return_to.is_empty() && reply.job.is_none() {
                // Inside a list: `exit` ends it with its status (a bad number too); a shell or a
                // kubectl exec -it started there gets no terminal to read and ends at once.
                if leaves_shell(&first.words) {
                    lines.append(&mut reply.lines);
                    self.status = reply.status;
                    while pipelines
                        .front()
                        .and_then(|p| p.stages.first())
                        .is_some_and(|stage| !ends_script(stage))
                    {
                        pipelines.pop_front();
                    }
                    prev = None;
                    continue;
                }
                reply.goto = None;
            }
            if reply.clear {
                lines.clear();
                *clear = true;
            }
            if let Some(job) = reply.job.clone() {
                // The command continues on the clock: print what it printed so far.
                lines.extend(reply.lines);
                if let Some(loc) = reply.goto {
                    self.location = *loc;
                }
                self.running = Some(Running {
                    job: *job,
                    filters,
                    redirects: first.redirects,
                    then: p.then,
                    rest: pipelines.into_iter().collect(),
                    pipe,
                    rm_after: reply.rm_after,
                    remote: reply.remote,
                });
                return;
            }
            if let Some(loc) = reply.goto.clone() {
                self.location = *loc;
                // `exit; hostname` at a pod's or node's prompt: the shell that read the line is
                // gone, and the rest of the line with it.
                if leaves_shell(&first.words) {
                    pipelines.clear();
                }
            }
            let printed = self.conclude(cluster, reply, &pipe, &filters, &first.redirects);
            lines.extend(printed);
        }
    }

    /// Into the shell a `sh -c` list runs in (`goto`, or where the terminal is), a fresh one
    /// (`$?` 0), remembering where to come back to at the list's end.
    fn enter_script(&mut self, goto: Option<Box<Location>>) {
        let was = match goto {
            Some(loc) => std::mem::replace(&mut self.location, *loc),
            None => self.location.clone(),
        };
        self.return_to.push(was);
        self.status = 0;
    }

    /// A running command's wait is over: print its output, clean up, run the rest of its line.
    fn finish(
        &mut self,
        cluster: &mut Cluster,
        running: Running,
        mut reply: Reply,
        lines: &mut Vec<Line>,
    ) {
        let Running {
            filters,
            redirects,
            then,
            rest,
            rm_after,
            remote,
            pipe,
            ..
        } = running;
        let Sh {
            pipe: inner,
            script,
        } = reply.take_sh();
        let pipe: Vec<Simple> = inner.into_iter().chain(pipe).collect();
        if !script.is_empty() {
            // Attached (`kubectl run -it -- sh -c 'a; b'`): into the pod's shell for the list,
            // then the rest of the line, as `run_pipelines` does for `kubectl exec`.
            lines.extend(reply.lines);
            if !filters.is_empty() || !redirects.is_empty() {
                lines.push(Line::note(PIPED_LIST));
                self.status = 2;
                if let Some(pod) = script
                    .last()
                    .and_then(|end| pod_to_delete(end.stages.first()?))
                {
                    lines.extend(pod::delete_run_pod(cluster, &pod));
                }
                let mut clear = false;
                self.run_pipelines(cluster, rest.into(), then, lines, &mut clear);
                return;
            }
            self.enter_script(reply.goto);
            let mut queue: VecDeque<Pipeline> = script.into();
            if let Some(end) = queue.back_mut() {
                end.then = then;
            }
            queue.extend(rest);
            let mut clear = false;
            self.run_pipelines(cluster, queue, None, lines, &mut clear);
            return;
        }
        if let Some(job) = reply.job.clone() {
            // Attached, and the command inside waits again (a request).
            lines.extend(reply.lines);
            if let Some(loc) = reply.goto {
                self.location = *loc;
            }
            self.running = Some(Running {
                job: *job,
                filters,
                redirects,
                then,
                rest,
                rm_after: reply.rm_after.or(rm_after),
                remote,
                pipe,
            });
            return;
        }
        if let Some(loc) = reply.goto.clone() {
            self.location = *loc;
        }
        let rm = reply.rm_after.take().or(rm_after);
        reply.remote |= remote;
        let printed = self.conclude(cluster, reply, &pipe, &filters, &redirects);
        lines.extend(printed);
        if let Some(pod) = rm {
            lines.extend(pod::delete_run_pod(cluster, &pod));
        }
        let mut clear = false;
        self.run_pipelines(cluster, rest.into(), then, lines, &mut clear);
    }

    /// What a finished command (`reply`) prints, and `$?` after it: its output through its own
    /// `sh -c` pipe (`pipe`; the pipe's status is its last command's: `grep` fails when it
    /// selects nothing, the other filters succeed), kubectl exec's line when that status is not
    /// 0 ([`Reply::remote`]), then the line's filters and redirections.
    fn conclude(
        &mut self,
        cluster: &Cluster,
        reply: Reply,
        pipe: &[Simple],
        filters: &[Simple],
        redirects: &[String],
    ) -> Vec<Line> {
        let (lines, status) = match pipe.last() {
            None => (reply.lines, reply.status),
            Some(last) => {
                let out = self.postprocess(cluster, reply.lines, pipe, &[]);
                let grep = matches!(
                    last.words.first().map(String::as_str),
                    Some("grep" | "egrep")
                );
                let selected = out.iter().any(|l| l.stream == Stream::Stdout);
                (out, i32::from(grep && !selected))
            }
        };
        self.status = status;
        self.postprocess(
            cluster,
            exit_line(lines, status, reply.remote),
            filters,
            redirects,
        )
    }

    /// Apply pipe filters (`| grep`, `| head`) and redirections (`2>&1`, `>/dev/null`).
    fn postprocess(
        &mut self,
        cluster: &Cluster,
        lines: Vec<Line>,
        filters: &[Simple],
        redirects: &[String],
    ) -> Vec<Line> {
        let _ = cluster;
        let mut lines = lines;
        let mut notes = Vec::new();
        for r in redirects {
            match r.as_str() {
                "2>&1" | ">&2" | "1>&2" => {}
                ">/dev/null" | "1>/dev/null" => lines.retain(|l| l.stream != Stream::Stdout),
                "2>/dev/null" => lines.retain(|l| l.stream != Stream::Stderr),
                "&>/dev/null" => lines.retain(|l| l.stream == Stream::Note),
                other => {
                    // In a pod, `> FILE` and `>> FILE` write the pod's files (`cat` reads them);
                    // elsewhere, and after a pipe, the output is shown.
                    let pod = match &self.location {
                        Location::Pod(p) if filters.is_empty() => Some(p.pod.clone()),
                        _ => None,
                    };
                    match (file_target(other), pod) {
                        (Some((name, append)), Some(pod)) => {
                            let both = redirects.iter().any(|r| r == "2>&1");
                            let written = |l: &Line| {
                                l.stream == Stream::Stdout || (both && l.stream == Stream::Stderr)
                            };
                            let body: String = lines
                                .iter()
                                .filter(|l| written(l))
                                .map(|l| format!("{}\n", l.text))
                                .collect();
                            lines.retain(|l| !written(l));
                            self.write_file(&pod, name, &body, append);
                        }
                        _ => notes.push(Line::note(format!(
                            "redirection `{other}` is not simulated; the output is shown instead"
                        ))),
                    }
                }
            }
        }
        let stderr_to_stdout = redirects.iter().any(|r| r == "2>&1");
        for f in filters {
            lines = pipe_filter(&self.ctx(), f, lines, stderr_to_stdout, &mut notes);
        }
        lines.extend(notes);
        lines
    }

    fn ctx(&self) -> Ctx {
        match &self.location {
            Location::Host => Ctx::Host,
            Location::Pod(p) => Ctx::Pod(p.clone()),
            Location::Node(n) => Ctx::Node(n.clone()),
        }
    }

    /// The environment `$VAR` expands from.
    fn env(&self, cluster: &Cluster) -> SortedMap<String, String> {
        let mut env = match &self.location {
            Location::Host => host::env(),
            Location::Pod(p) => pod::env(cluster, p),
            Location::Node(n) => node::env(&n.node),
        };
        // `$?` is read as each command starts (`false; echo $?`).
        env.insert("?".into(), words::STATUS_MARK.into());
        env
    }

    fn syntax_error(&self, token: &str) -> String {
        match &self.location {
            Location::Pod(p) if p.flavor == Flavor::Busybox => {
                format!("sh: syntax error: unexpected \"{token}\"")
            }
            Location::Pod(p) if p.flavor == Flavor::Dash => {
                format!("sh: {}: Syntax error: \"{token}\" unexpected", p.lines + 1)
            }
            _ => format!("bash: syntax error near unexpected token `{token}'"),
        }
    }

    /// Run one simple command where the terminal is (or in `ctx`).
    pub(crate) fn exec(&mut self, cluster: &mut Cluster, ctx: &Ctx, words: &[String]) -> Reply {
        if let Location::Pod(p) = &mut self.location {
            p.lines += 1;
        }
        if words.is_empty() {
            return Reply::default();
        }
        match ctx {
            Ctx::Host => host::exec(self, cluster, words),
            Ctx::Pod(p) => pod::exec(self, cluster, p, words),
            Ctx::Node(n) => node::exec(self, cluster, n, words),
        }
    }

    fn render_trace(&mut self, trace: &Trace, render: &Render, ctx: &Ctx) -> Reply {
        let status = if trace.outcome.is_success() { 0 } else { 1 };
        match render {
            Render::Plain => Reply::fail(request::trace_lines(trace, ctx), status),
            Render::WgetVerbose { url, to_file } => {
                let exists = match (to_file, ctx) {
                    (Some(f), Ctx::Pod(p)) => self.pod_has_file(&p.pod, f),
                    _ => false,
                };
                let lines = request::wget_verbose(trace, url, to_file.as_deref(), exists);
                if exists {
                    return Reply::fail(lines, 1);
                }
                if status == 0 {
                    if let (Some(f), Ctx::Pod(p)) = (to_file, ctx) {
                        self.save_file(&p.pod, f, &trace.output);
                    }
                }
                Reply::fail(lines, status)
            }
            Render::Nc {
                host,
                verbose,
                waits,
            } => Reply::fail(request::nc_lines(trace, host, *verbose, *waits), {
                // nc exits 0 once the network and stdin are closed, answered or not; only an
                // address it cannot resolve stops it first.
                match trace.outcome {
                    crate::trace::Outcome::Nxdomain { .. }
                    | crate::trace::Outcome::Invalid { .. }
                    | crate::trace::Outcome::DnsTimeout => 1,
                    _ => 0,
                }
            }),
            Render::WgetQuietFile { to_file } => {
                if status != 0 {
                    return Reply::fail(request::trace_lines(trace, ctx), status);
                }
                if let Ctx::Pod(p) = ctx {
                    if self.pod_has_file(&p.pod, to_file) {
                        return Reply::error(format!("wget: can't open '{to_file}': File exists"));
                    }
                    self.save_file(&p.pod, to_file, &trace.output);
                }
                Reply::default()
            }
        }
    }

    fn attach(&mut self, cluster: &mut Cluster, then: Attach) -> Reply {
        let mut lines = vec![Line::err(
            "If you don't see a command prompt, try pressing enter.",
        )];
        match then {
            Attach::Shell(shell) => Reply {
                lines,
                goto: Some(Box::new(Location::Pod(shell))),
                ..Default::default()
            },
            Attach::Command { shell, words, pipe } => {
                let rm = shell.rm.then(|| shell.pod.clone());
                let mut reply = self.exec(cluster, &Ctx::Pod(shell), &words);
                reply.add_pipe(pipe);
                lines.append(&mut reply.lines);
                reply.lines = lines;
                reply.rm_after = rm;
                reply
            }
            Attach::List { shell, list } => {
                // The list runs in a shell of its own, as under `kubectl exec`: its `exit` ends
                // the list, and the pod goes (`--rm`) at the list's end.
                let rm = shell.rm.then(|| shell.pod.clone());
                let mut inner = shell;
                inner.depth += 1;
                let mut reply = Script::run_then(list, Location::Pod(inner), false, rm.as_ref());
                reply.lines = lines;
                reply
            }
        }
    }

    pub(crate) fn file(&self) -> (&str, &str) {
        (&self.file_name, &self.file_text)
    }

    pub(crate) fn pod_has_file(&self, pod: &ObjectKey, path: &str) -> bool {
        self.pod_file(pod, path).is_some()
    }

    /// What the pod's file at `path` holds (`/tmp/page`, `./page` and `page` as written).
    pub(crate) fn pod_file(&self, pod: &ObjectKey, path: &str) -> Option<&str> {
        let name = file_name(path);
        self.pod_files
            .get(pod)?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, body)| body.as_str())
    }

    /// `> name` (or `>> name`, `append`): the pod's file `name` holds `body` (after what it
    /// held).
    fn write_file(&mut self, pod: &ObjectKey, path: &str, body: &str, append: bool) {
        let before = match append {
            true => self.pod_file(pod, path).unwrap_or_default().to_string(),
            false => String::new(),
        };
        self.save_file(pod, path, &format!("{before}{body}"));
    }

    fn save_file(&mut self, pod: &ObjectKey, path: &str, body: &str) {
        let name = file_name(path);
        let files = self.pod_files.entry(pod.clone()).or_default();
        files.retain(|(n, _)| n != name);
        files.push((name.to_string(), body.to_string()));
    }
}

/// A redirection of stdout to a file (`>FILE`, `1>FILE`, `>>FILE`, `1>>FILE`): the file's path,
/// and whether it appends.
fn file_target(redirect: &str) -> Option<(&str, bool)> {
    let r = redirect.strip_prefix('1').unwrap_or(redirect);
    let (file, append) = match r.strip_prefix(">>") {
        Some(file) => (file, true),
        None => (r.strip_prefix('>')?, false),
    };
    (!file_name(file).is_empty() && !file.starts_with('&')).then_some((file, append))
}

/// The name a pod's file is kept under: its path from the root (the shell starts in `/`), so
/// `/tmp/page`, `./page` and `page` name the files `tmp/page`, `page` and `page`.
fn file_name(path: &str) -> &str {
    path.trim_start_matches("./").trim_start_matches('/')
}

/// A command `kubectl exec` ran that failed: kubectl's own stderr line after the command's
/// output (`k8s.io/kubectl/pkg/cmd/exec`, from the remote command's exit status).
fn exit_line(mut lines: Vec<Line>, status: i32, remote: bool) -> Vec<Line> {
    if remote && status != 0 {
        lines.push(Line::err(format!(
            "command terminated with exit code {status}"
        )));
    }
    lines
}

fn truncate(line: &str) -> &str {
    if line.len() <= MAX_LINE {
        return line;
    }
    let mut end = MAX_LINE;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    &line[..end]
}

fn find_trace(cluster: &Cluster, id: u64) -> Option<&Trace> {
    cluster.trace(id)
}

/// What `sh -c SCRIPT` runs, its words split as a shell splits them (quotes kept together,
/// `$VAR` from `env`): one pipeline (its first command, and the filters after it, `| grep h1`,
/// run on its output as [`Reply::pipe`]) or a list (`;`, `&&`, `||`; run in the script's shell,
/// [`Script::run_in`]). A pipeline with a redirection (`2>&1`, `2>/dev/null`) runs as a list of
/// one, in the script's shell, which applies redirections as the prompt does. A loop, an
/// unterminated quote or a syntax error is refused with a note and status 2 (naming `open`, the
/// command that opens a shell, where it can help).
pub(crate) fn script_command(
    script: &str,
    env: &SortedMap<String, String>,
    open: &str,
) -> Result<Script, Reply> {
    let refused = |what: &str| {
        Reply::fail(
            vec![Line::note(format!(
                "`sh -c` runs one command here, not {what}: open the shell (`{open}`) and type the line at its prompt"
            ))],
            2,
        )
    };
    // `$?` in the script is read as each of its commands starts; a fresh shell's is 0.
    let mut env = env.clone();
    env.insert("?".into(), words::STATUS_MARK.into());
    let tokens = words::split(script, &env).map_err(|_| refused("an unterminated quote"))?;
    let pipelines = words::pipelines(tokens).map_err(|_| refused("that syntax"))?;
    if let Some(word) = words::compound(&pipelines) {
        return Err(Reply::fail(vec![compound_note(word)], 2));
    }
    match pipelines.as_slice() {
        [] => Ok(Script::Pipe(Vec::new(), Vec::new())),
        [one] if one.then.is_none() || one.then == Some(";") => {
            if one.stages.iter().any(|stage| !stage.redirects.is_empty()) {
                return Ok(Script::List(pipelines));
            }
            let mut stages = one.stages.iter().cloned().map(|mut stage| {
                words::live_status(&mut stage, 0);
                stage
            });
            let first = stages.next().unwrap_or_default();
            // `sh -c 'exit 3'` leaves the script's own shell, not the one it was typed in.
            if leaves_shell(&first.words) {
                return Ok(Script::List(pipelines));
            }
            Ok(Script::Pipe(first.words, stages.collect()))
        }
        _ => Ok(Script::List(pipelines)),
    }
}

/// Why a line with a loop or an `if` runs nothing (status 2, as a shell's syntax error), and
/// what does what the learner most likely wanted: a request sent many times.
fn compound_note(word: &str) -> Line {
    Line::note(format!(
        "`{word}` is not simulated: this shell runs commands one after another (`;`, `&&`, `||`) and through pipes, not loops or `if`; to run a command again press ↑ and Enter, and to send a request many times choose a count (× 10) beside Send request, or Start steady traffic"
    ))
}

/// Why a `sh -c` list (or a pipeline with a redirection, run as one) piped or redirected on the
/// line it was typed in is not run.
const PIPED_LIST: &str = "a `sh -c` list (`;`, `&&`, `||`) or redirection, piped or redirected on the line, is not simulated: put the pipe inside the script (`sh -c 'a | grep x'`), or run the commands one by one";

/// The word that ends a `sh -c` list in the terminal's queue ([`Script::run_in`]), then how its
/// status is reported and, after `kubectl run -it --rm`, the namespace and name of the pod to
/// delete. A learner would have to type a NUL inside quotes to write it; then it ends no list
/// and prints at most kubectl's exit line, or deletes the pod it names as `kubectl delete pod`
/// would.
const SCRIPT_END: &str = "\u{0}end of sh -c";

/// The pod a `sh -c` list's end deletes (`kubectl run -it --rm`), when `stage` is that end.
fn pod_to_delete(stage: &Simple) -> Option<ObjectKey> {
    if !ends_script(stage) {
        return None;
    }
    match stage.words.as_slice() {
        [_, _, namespace, name] => Some(ObjectKey::new(namespace, name)),
        _ => None,
    }
}

/// The end of a `sh -c` list in the queue ([`SCRIPT_END`]).
fn ends_script(stage: &Simple) -> bool {
    stage.words.first().map(String::as_str) == Some(SCRIPT_END)
}

/// `exit` or `logout`: the command leaves the shell it runs in.
fn leaves_shell(words: &[String]) -> bool {
    matches!(words.first().map(String::as_str), Some("exit" | "logout"))
}

/// What a `sh -c` script is ([`script_command`]).
pub(crate) enum Script {
    /// One pipeline: its first command's words and the filters after it.
    Pipe(Vec<String>, Vec<Simple>),
    /// A list (`a; b`, `a && b`): run in the script's own shell ([`Script::run_in`]).
    List(Vec<Pipeline>),
}

impl Script {
    /// A reply that moves the terminal into `shell` to run the list, then back (with the last
    /// command's status, which kubectl exec reports when it is not 0: `remote`).
    pub(crate) fn run_in(list: Vec<Pipeline>, shell: Location, remote: bool) -> Reply {
        Script::run_then(list, shell, remote, None)
    }

    /// [`Script::run_in`], then (`kubectl run -it --rm`) the pod `rm` deleted.
    pub(crate) fn run_then(
        list: Vec<Pipeline>,
        shell: Location,
        remote: bool,
        rm: Option<&ObjectKey>,
    ) -> Reply {
        let mut script = list;
        if let Some(last) = script.last_mut() {
            last.then = Some(";");
        }
        let how = if remote { "remote" } else { "local" };
        let mut words = vec![SCRIPT_END.to_string(), how.to_string()];
        if let Some(pod) = rm {
            words.extend([pod.namespace.clone(), pod.name.clone()]);
        }
        script.push(Pipeline {
            stages: vec![Simple {
                words,
                redirects: Vec::new(),
            }],
            then: None,
        });
        Reply {
            goto: Some(Box::new(shell)),
            sh: Some(Box::new(Sh {
                pipe: Vec::new(),
                script,
            })),
            ..Default::default()
        }
    }
}

/// `line` (as `sh -c` gets it) when it is `echo TEXT | READER...` with a reader that takes
/// stdin: the text and the reader's words.
pub(crate) fn echo_into(
    line: &str,
    env: &SortedMap<String, String>,
) -> Option<(String, Vec<String>)> {
    let tokens = words::split(line, env).ok()?;
    let pipelines = words::pipelines(tokens).ok()?;
    let [pipeline] = pipelines.as_slice() else {
        return None;
    };
    let [echo, reader] = pipeline.stages.as_slice() else {
        return None;
    };
    let text = piped_echo(echo, Some(reader))?;
    Some((text, reader.words.clone()))
}

/// The text `echo ARGS` writes into a pipe whose next stage is `nc`, which reads its stdin
/// (echo ends it with a newline unless `-n`).
fn piped_echo(first: &Simple, next: Option<&Simple>) -> Option<String> {
    let (cmd, args) = first.words.split_first()?;
    let reader = next?.words.first()?;
    if cmd != "echo" || reader.rsplit('/').next() != Some("nc") {
        return None;
    }
    let newline = !args
        .iter()
        .take_while(|a| matches!(a.as_str(), "-n" | "-e" | "-E" | "-ne" | "-en"))
        .any(|a| a.contains('n'));
    let mut text = pipe::echo(args);
    if newline {
        text.push('\n');
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::builtin::Builtin;
    use super::{host, node, pod};

    fn unique<S>(table: &[Builtin<S>]) -> bool {
        let mut names: Vec<&str> = table.iter().map(|b| b.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        names.len() == before
    }

    #[test]
    fn each_shell_names_a_command_once() {
        assert!(unique(host::BUILTINS));
        assert!(unique(pod::BUILTINS));
        assert!(unique(node::BUILTINS));
    }
}
