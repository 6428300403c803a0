//! Where the learner types and where a command runs: the host, a pod's shell, a node's; and
//! what a command waits for on the virtual clock.

use crate::model::ObjectKey;
use crate::time::Time;

/// Which shell runs in a pod, by image: the prompt and the "not found" message differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// busybox `ash` (busybox, alpine, curlimages/curl, netshoot): `sh: foo: not found`.
    Busybox,
    /// Debian's `dash` (nginx and most Debian-based images): `sh: 1: foo: not found`.
    Dash,
    /// `bash`: `bash: foo: command not found`.
    Bash,
}

/// A shell inside a pod's container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodShell {
    pub pod: ObjectKey,
    pub container: String,
    pub image: String,
    pub flavor: Flavor,
    /// Nested shells (`sh` typed inside `sh`): `exit` leaves one level.
    pub depth: u32,
    /// Lines typed, for dash's `sh: N: foo: not found`.
    pub lines: u32,
    /// Came from `kubectl run -it --rm`: leaving deletes the pod.
    pub rm: bool,
    /// Came from `kubectl run -it` (the shell is the container's main process).
    pub attached: bool,
}

/// A root shell on a node (its network namespace: kube-proxy's rules, conntrack, IPVS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeShell {
    pub node: String,
    pub depth: u32,
}

/// Where the learner is typing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The learner's machine: bash, with kubectl pointed at the kind cluster.
    Host,
    Pod(PodShell),
    Node(NodeShell),
}

/// Where one simple command runs (a `kubectl exec POD -- CMD` runs in the pod while the
/// terminal stays on the host).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ctx {
    Host,
    Pod(PodShell),
    Node(NodeShell),
}

/// Turns a finished trace into lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Render {
    /// The trace's `output`, as routing wrote it for the tool.
    Plain,
    /// busybox `wget` without `-q`: progress lines around the body (see `pod::wget_verbose`).
    WgetVerbose {
        url: String,
        to_file: Option<String>,
    },
    /// busybox `wget -q` saving to a file: nothing on success.
    WgetQuietFile { to_file: String },
    /// busybox `nc -u`: the answer as it came; with `-v` the "open" line first, with `-vv` the
    /// read error and the byte counts. `host` is as typed; `waits` when no `-w` was given (nc
    /// would wait for more until Ctrl-C).
    Nc {
        host: String,
        verbose: u8,
        waits: bool,
    },
}

/// What a running command waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Job {
    Trace {
        id: u64,
        render: Render,
        ctx: Ctx,
        /// The client gives up at this time with this message (`curl -m`, `wget -T`).
        deadline: Option<(Time, String)>,
    },
    Attach {
        pod: ObjectKey,
        deadline: Time,
        then: Attach,
    },
    Gone {
        pod: ObjectKey,
        uid: String,
    },
    /// `kubectl rollout status`: a line each time the status changes, until it is rolled out.
    Rollout {
        deployment: ObjectKey,
        /// The last line printed.
        last: String,
        /// `--timeout`: kubectl gives up then.
        deadline: Option<Time>,
    },
}

/// What `kubectl run -it` does once attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Attach {
    /// Enter the pod's shell.
    Shell(PodShell),
    /// Run one command in the pod, print its output (through `pipe`, the filters of a
    /// `sh -c` pipe), return (deleting the pod with `--rm`).
    Command {
        shell: PodShell,
        words: Vec<String>,
        pipe: Vec<super::words::Simple>,
    },
    /// Run a `sh -c` list in the pod's shell, as `kubectl exec` does, then return (deleting
    /// the pod with `--rm`).
    List {
        shell: PodShell,
        list: Vec<super::words::Pipeline>,
    },
}
