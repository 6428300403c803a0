//! What the terminal prints: lines on a stream, a command's [`Reply`], and the [`Output`] of a
//! line or a poll, with what it waits for.

use crate::model::ObjectKey;
use crate::time::Time;

use super::{Job, Location};

/// Which stream a line was written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
    /// svclab's own remark (a simplification, a hint). Its text starts with `svclab:`.
    Note,
}

/// One line of terminal output, without its newline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub stream: Stream,
    pub text: String,
}

impl Line {
    pub fn out(text: impl Into<String>) -> Line {
        Line {
            stream: Stream::Stdout,
            text: text.into(),
        }
    }

    pub fn err(text: impl Into<String>) -> Line {
        Line {
            stream: Stream::Stderr,
            text: text.into(),
        }
    }

    /// A svclab remark; `text` is prefixed with `svclab: `.
    pub fn note(text: impl AsRef<str>) -> Line {
        Line {
            stream: Stream::Note,
            text: format!("svclab: {}", text.as_ref()),
        }
    }
}

/// What the terminal is waiting for on the virtual clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wait {
    /// A request's reply: the trace's output is printed once `cluster.now >= trace.finish`.
    Trace { id: u64 },
    /// `kubectl run -it` / `kubectl debug`: the pod must be Running before kubectl attaches
    /// (kubectl gives up after `deadline`, its one-minute `--pod-running-timeout`).
    PodRunning { pod: ObjectKey, deadline: Time },
    /// `kubectl delete pod`: kubectl waits until the pod is gone (its grace period).
    PodGone { pod: ObjectKey },
    /// `kubectl rollout status`: kubectl watches the Deployment until it is rolled out.
    Rollout { deployment: ObjectKey },
}

/// The result of one line (or of one [`Terminal::poll`](super::Terminal::poll)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Print these now, in order.
    pub lines: Vec<Line>,
    /// `clear` was typed: wipe the screen before printing `lines`.
    pub clear: bool,
    /// The command is still running: the rest of its output comes from [`Terminal::poll`](super::Terminal::poll).
    pub wait: Option<Wait>,
    /// The prompt for the next line; empty while waiting.
    pub prompt: String,
}

impl Output {
    /// Everything printed, one `\n`-terminated line each (notes included).
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&l.text);
            s.push('\n');
        }
        s
    }
}

/// The result of one simple command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reply {
    pub lines: Vec<Line>,
    pub status: i32,
    pub clear: bool,
    pub job: Option<Box<Job>>,
    /// Move the terminal: into a pod, onto a node, back to the host.
    pub goto: Option<Box<Location>>,
    /// For `kubectl run -it --rm -- CMD`.
    pub rm_after: Option<ObjectKey>,
    /// Run in a container by `kubectl exec`: when it fails, kubectl says so after its output.
    pub remote: bool,
    /// What a `sh -c` left to run ([`Sh`]); boxed, as few replies have it.
    pub sh: Option<Box<Sh>>,
}

/// What a `sh -c` script leaves to the terminal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sh {
    /// The filters of the command's own pipe (`sh -c 'wget ... | grep h1'`), applied to its
    /// output before those of the line it was typed in.
    pub pipe: Vec<super::words::Simple>,
    /// A list (`sh -c 'a; b'`): pipelines to run next where [`Reply::goto`] moves the
    /// terminal, the last of them the `exit` back.
    pub script: Vec<super::words::Pipeline>,
}

impl Reply {
    /// Runs its output through `filters` after those it already has.
    pub fn add_pipe(&mut self, filters: Vec<super::words::Simple>) {
        if !filters.is_empty() {
            self.sh
                .get_or_insert_with(Box::default)
                .pipe
                .extend(filters);
        }
    }

    /// Takes what its `sh -c` left to run ([`Sh`]; empty when none).
    pub fn take_sh(&mut self) -> Sh {
        self.sh.take().map(|sh| *sh).unwrap_or_default()
    }

    pub fn lines(lines: Vec<Line>) -> Reply {
        Reply {
            lines,
            ..Default::default()
        }
    }

    pub fn out(text: impl Into<String>) -> Reply {
        Reply::lines(vec![Line::out(text)])
    }

    /// Stdout, one [`Line`] per line of `text` (a trailing newline adds nothing).
    pub fn text(text: &str) -> Reply {
        Reply::lines(text_lines(text, Stream::Stdout))
    }

    pub fn fail(lines: Vec<Line>, status: i32) -> Reply {
        Reply {
            lines,
            status,
            ..Default::default()
        }
    }

    pub fn error(text: impl Into<String>) -> Reply {
        Reply::fail(vec![Line::err(text)], 1)
    }

    pub fn note(text: impl AsRef<str>) -> Reply {
        Reply::lines(vec![Line::note(text)])
    }
}

/// Split `text` into lines of one stream; a final newline ends the last line, it does not start
/// an empty one.
pub(crate) fn text_lines(text: &str, stream: Stream) -> Vec<Line> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    body.split('\n')
        .map(|l| Line {
            stream,
            text: l.to_string(),
        })
        .collect()
}
