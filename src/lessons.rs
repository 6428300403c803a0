//! The lesson being worked on and the learner's progress, as plain data: which tasks are solved,
//! how many hints are shown, what solved each task, and the progress record kept between visits;
//! and [`LessonCtx`], the signals the lesson panels share.

use std::collections::BTreeMap;

use leptos::prelude::*;
use svclab_sim::cluster::Cluster;

use svclab_sim::action::Action;
use svclab_sim::lesson::{Lesson, Verdict};
use svclab_sim::time::Time;

/// What the lesson panels, the Share button and the page share.
#[derive(Clone, Copy)]
pub struct LessonCtx {
    pub active: RwSignal<Option<Active>>,
    pub progress: RwSignal<Progress>,
    /// The world, editor text and lesson before the last reset, for "Undo reset".
    pub undo: RwSignal<Option<Saved>>,
    /// A message for the learner: a share link refused, a lesson file that could not load.
    pub notice: RwSignal<Option<String>>,
    /// Keep progress and the scenario in localStorage (off when a test drives the app).
    pub persist: bool,
    /// The text of the lesson file loaded last (picker, drop or lesson link), for its link.
    pub file: RwSignal<Option<String>>,
}

/// A world with its editor text and lesson, as kept for an undo.
#[derive(Clone, Debug)]
pub struct Saved {
    /// What the undo takes back: "reset" or "start".
    pub what: &'static str,
    pub cluster: Cluster,
    pub text: String,
    pub active: Option<Active>,
}

/// A started lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Active {
    pub lesson: Lesson,
    /// Requests from this virtual time on count towards the checks.
    pub since: Time,
    /// Hints shown, per task.
    pub hints: Vec<usize>,
    /// The checks' last verdicts, per task.
    pub verdicts: Vec<Verdict>,
    /// What the learner did last before a task flipped to solved, per task.
    pub solved_by: Vec<Option<String>>,
}

impl Active {
    pub fn new(lesson: Lesson, since: Time) -> Active {
        let n = lesson.tasks.len();
        Active {
            lesson,
            since,
            hints: vec![0; n],
            verdicts: Vec::new(),
            solved_by: vec![None; n],
        }
    }

    pub fn solved(&self) -> Vec<bool> {
        let n = self.lesson.tasks.len();
        (0..n)
            .map(|i| self.verdicts.get(i).is_some_and(|v| v.solved))
            .collect()
    }

    /// Take new verdicts. A task that flips to solved records `last_action` as what solved it;
    /// one that flips back forgets it. Returns whether anything changed.
    pub fn judge(&mut self, verdicts: Vec<Verdict>, last_action: Option<&Action>) -> bool {
        if verdicts == self.verdicts {
            return false;
        }
        for (i, v) in verdicts.iter().enumerate() {
            let was = self.verdicts.get(i).is_some_and(|o| o.solved);
            if v.solved && !was {
                if let Some(slot) = self.solved_by.get_mut(i) {
                    *slot = Some(last_action.map_or_else(
                        || "solved".to_string(),
                        |a| format!("solved after {}", describe(a)),
                    ));
                }
            } else if !v.solved {
                if let Some(slot) = self.solved_by.get_mut(i) {
                    *slot = None;
                }
            }
        }
        self.verdicts = verdicts;
        true
    }

    /// Show one more hint of task `task`, if it has one.
    pub fn reveal(&mut self, task: usize) {
        let total = self.lesson.tasks.get(task).map_or(0, |t| t.hints.len());
        if let Some(shown) = self.hints.get_mut(task) {
            *shown = (*shown + 1).min(total);
        }
    }
}

/// A learner's action, in words: "you applied the manifest".
pub fn describe(action: &Action) -> String {
    match action {
        Action::Apply { .. } | Action::ApplyEach { .. } => "you applied the manifest".into(),
        Action::Delete { kind, name, .. } => {
            format!("you deleted {} {name}", kind.name())
        }
        Action::Scale {
            deployment,
            replicas,
            ..
        } => format!("you scaled {deployment} to {replicas}"),
        Action::SetImage { deployment, .. } => format!("you set a new image on {deployment}"),
        Action::RolloutUndo { deployment, .. } => format!("you rolled {deployment} back"),
        Action::DeletePod { pod, .. } => format!("you deleted pod {pod}"),
        Action::FailReadiness { pod, fail, .. } => {
            if *fail {
                format!("you broke {pod}'s readiness probe")
            } else {
                format!("you mended {pod}'s readiness probe")
            }
        }
        Action::Label {
            pod, key, value, ..
        } => match value {
            Some(v) => format!("you labelled {pod} {key}={v}"),
            None => format!("you removed label {key} from {pod}"),
        },
        Action::BreakCoreDns { broken } => {
            if *broken {
                "you broke CoreDNS".into()
            } else {
                "you mended CoreDNS".into()
            }
        }
        Action::SetProxyMode { mode } => format!("you switched kube-proxy to {}", mode.as_str()),
        Action::Run { name, .. } => format!("you started pod {name}"),
        Action::Send { request } => format!("you sent {}", request.target),
        Action::SetTraffic { traffic: Some(t) } => {
            format!("you started steady traffic to {}", t.request.target)
        }
        Action::SetTraffic { traffic: None } => "you stopped steady traffic".into(),
    }
}

/// A lesson's text split at its backticks: `(is_code, text)` pieces, for `code` to show as code.
/// An unclosed backtick is kept as text.
pub fn inline_code(text: &str) -> Vec<(bool, String)> {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return vec![(false, text.to_string())];
    }
    parts
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(i, p)| (i % 2 == 1, p.to_string()))
        .collect()
}

/// Where a lesson stands for the picker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    NotStarted,
    InProgress,
    Solved,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::NotStarted => "not started",
            Standing::InProgress => "in progress",
            Standing::Solved => "solved",
        }
    }
}

/// Every lesson touched, by id, with its tasks' solved flags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress(BTreeMap<String, Vec<bool>>);

impl Progress {
    pub fn standing(&self, id: &str) -> Standing {
        match self.0.get(id) {
            None => Standing::NotStarted,
            Some(flags) if !flags.is_empty() && flags.iter().all(|&s| s) => Standing::Solved,
            Some(_) => Standing::InProgress,
        }
    }

    /// Record a lesson's flags. A task once solved stays solved in the record, even if a later
    /// experiment breaks it again. Returns whether the record changed.
    pub fn record(&mut self, id: &str, solved: &[bool]) -> bool {
        let entry = self.0.entry(id.to_string()).or_default();
        let merged: Vec<bool> = (0..solved.len().max(entry.len()))
            .map(|i| {
                solved.get(i).copied().unwrap_or(false) || entry.get(i).copied().unwrap_or(false)
            })
            .collect();
        if *entry == merged {
            return false;
        }
        *entry = merged;
        true
    }

    /// `first-service=101;ports=0`: what localStorage keeps.
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(id, flags)| {
                let f: String = flags.iter().map(|&s| if s { '1' } else { '0' }).collect();
                format!("{id}={f}")
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Read what [`Progress::encode`] wrote; anything unreadable is skipped.
    pub fn decode(text: &str) -> Progress {
        Progress(
            text.split(';')
                .filter_map(|entry| {
                    let (id, flags) = entry.split_once('=')?;
                    let flags = flags
                        .chars()
                        .map(|c| match c {
                            '1' => Some(true),
                            '0' => Some(false),
                            _ => None,
                        })
                        .collect::<Option<Vec<bool>>>()?;
                    (!id.is_empty()).then(|| (id.to_string(), flags))
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svclab_sim::lesson;

    #[test]
    fn progress_round_trips_and_keeps_a_solved_task_solved() {
        let mut p = Progress::default();
        assert_eq!(p.standing("ports"), Standing::NotStarted);
        assert!(p.record("ports", &[false]));
        assert_eq!(p.standing("ports"), Standing::InProgress);
        assert!(p.record("first-service", &[true, false, true]));
        assert!(p.record("first-service", &[false, true, false]));
        assert_eq!(p.standing("first-service"), Standing::Solved);
        assert!(!p.record("first-service", &[false, false, false]));
        let text = p.encode();
        assert_eq!(text, "first-service=111;ports=0");
        assert_eq!(Progress::decode(&text), p);
        assert_eq!(Progress::decode("garbage;=1;x=2"), Progress::default());
    }

    #[test]
    fn backticks_mark_code() {
        assert_eq!(
            inline_code("run `kubectl get svc` now"),
            [
                (false, "run ".to_string()),
                (true, "kubectl get svc".to_string()),
                (false, " now".to_string())
            ]
        );
        assert_eq!(inline_code("a ` b"), [(false, "a ` b".to_string())]);
    }

    #[test]
    fn a_task_that_flips_to_solved_says_what_solved_it() {
        let lesson = lesson::builtin("ports").unwrap();
        let mut a = Active::new(lesson, 0);
        let no = Verdict {
            solved: false,
            detail: "refused".into(),
        };
        let yes = Verdict {
            solved: true,
            detail: "answered".into(),
        };
        assert!(a.judge(vec![no.clone()], None));
        assert!(!a.judge(vec![no.clone()], None));
        let apply = Action::Apply {
            manifest: String::new(),
        };
        assert!(a.judge(vec![yes], Some(&apply)));
        assert_eq!(a.solved(), [true]);
        assert_eq!(
            a.solved_by[0].as_deref(),
            Some("solved after you applied the manifest")
        );
        assert!(a.judge(vec![no], None));
        assert_eq!(a.solved_by[0], None);
        a.reveal(0);
        a.reveal(0);
        a.reveal(0);
        a.reveal(0);
        assert_eq!(a.hints[0], 3, "never more than the task has");
    }
}
