//! Lessons: YAML files in `lessons/` that set up a world (manifests, then starting actions such as
//! breaking CoreDNS) and give the learner tasks, each judged by a typed [`Check`] against the
//! world and its traffic. The built-in track ships with the app; an instructor loads their own
//! file, and a broken file is reported at its line.

mod check;
mod result;
mod setup;

use crate::action::Action;
use crate::cluster::{Cluster, Config};
use crate::manifest::{self, FileError, FileValue};
use crate::time::{Time, SECOND};

pub use check::{Check, Verdict};
pub use result::{result_code, verify_result_code, ResultCode};
pub use setup::Setup;

/// A lesson as its file writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// Lowercase letters, digits and dashes: `first-service`.
    pub id: String,
    pub title: String,
    /// A few sentences setting the scene.
    pub story: String,
    /// The manifests applied at the start, as one multi-document YAML text (the editor's text).
    /// Optional.
    pub manifests: String,
    /// Starting actions, done after the manifests' pods are up. Optional.
    pub setup: Vec<Setup>,
    pub tasks: Vec<Task>,
}

/// One thing to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// The goal, in words.
    pub goal: String,
    /// Revealed one at a time. Optional.
    pub hints: Vec<String>,
    pub check: Check,
}

impl Lesson {
    fn read(value: &FileValue) -> Result<Lesson, FileError> {
        let f = value.fields(&["id", "title", "story", "manifests", "setup", "tasks"])?;
        Ok(Lesson {
            id: f.text("id")?,
            title: f.text("title")?,
            story: f.text("story")?,
            manifests: f.get("manifests").map_or(Ok(String::new()), |v| v.text())?,
            setup: f
                .get("setup")
                .map_or(Ok(Vec::new()), |v| v.list(Setup::read))?,
            tasks: f.required("tasks")?.list(Task::read)?,
        })
    }
}

impl Task {
    fn read(value: &FileValue) -> Result<Task, FileError> {
        let f = value.fields(&["goal", "hints", "check"])?;
        Ok(Task {
            goal: f.text("goal")?,
            hints: f
                .get("hints")
                .map_or(Ok(Vec::new()), |v| v.list(|hint| hint.text()))?,
            check: Check::read(&f.required("check")?)?,
        })
    }
}

macro_rules! builtin {
    ($file:literal) => {
        ($file, include_str!(concat!("../../../lessons/", $file)))
    };
}

/// The built-in track, in order: (file name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    builtin!("01-first-service.yaml"),
    builtin!("02-ports.yaml"),
    builtin!("03-from-outside.yaml"),
    builtin!("04-dns-across-namespaces.yaml"),
    builtin!("05-headless-and-externalname.yaml"),
    builtin!("06-no-endpoints.yaml"),
    builtin!("07-dns-down.yaml"),
    builtin!("08-not-ready.yaml"),
    builtin!("09-network-policy.yaml"),
    builtin!("10-spreading-and-affinity.yaml"),
];

/// How long the world runs after the manifests are applied, so that pods are up before the
/// starting actions; and after them, so that their effects (a failing probe) have shown.
pub const SETTLE: Time = 30 * SECOND;

/// The busybox client every lesson starts with, as the seed does:
/// `kubectl run test --image=busybox --restart=Never -- sh`.
pub fn test_client() -> Action {
    Action::Run {
        namespace: "default".into(),
        name: "test".into(),
        image: "busybox".into(),
        command: vec!["sh".into()],
    }
}

/// Read a lesson file. Every problem comes with its line: YAML syntax, an unknown field or
/// check, a check that cannot be judged, manifests the API server would refuse.
pub fn load(text: &str) -> Result<Lesson, FileError> {
    let lesson = Lesson::read(&manifest::File::read(text)?.root())?;
    let at = |path: &str, message: String| {
        let (line, column) = manifest::locate(text, 0, path).unwrap_or((0, 0));
        FileError {
            line,
            column,
            message,
        }
    };
    let id_ok = !lesson.id.is_empty()
        && lesson
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !id_ok {
        return Err(at(
            "id",
            format!(
                "id {:?}: use lowercase letters, digits and dashes",
                lesson.id
            ),
        ));
    }
    if lesson.tasks.is_empty() {
        return Err(at("tasks", "a lesson needs at least one task".into()));
    }
    for (i, task) in lesson.tasks.iter().enumerate() {
        if let Some(problem) = task.check.problem() {
            return Err(at(&format!("tasks[{i}].check"), problem));
        }
    }
    for (i, step) in lesson.setup.iter().enumerate() {
        if let Some(problem) = step.problem() {
            return Err(at(&format!("setup[{i}]"), problem));
        }
    }
    if !lesson.manifests.trim().is_empty() {
        if let Err(errors) = manifest::parse(&lesson.manifests, "lesson.yaml") {
            // A block scalar's text starts on the line after its key.
            let first = manifest::locate(text, 0, "manifests").map_or(0, |(line, _)| line);
            let e = &errors[0];
            return Err(FileError {
                line: first + e.line,
                column: e.column,
                message: format!("manifests: {}", e.message),
            });
        }
    }
    Ok(lesson)
}

/// A started lesson: its world and the virtual time the learner took over (requests before it do
/// not count towards any check).
#[derive(Clone, Debug)]
pub struct Started {
    pub cluster: Cluster,
    pub since: Time,
}

impl Lesson {
    /// Build the lesson's world: the `test` client, the manifests, time for the pods to start, the
    /// starting actions, and time for them to show. Every step is a logged action, so the world
    /// replays from `config` and its log.
    pub fn start(&self, config: Config) -> Result<Started, String> {
        let mut cluster = Cluster::new(config);
        cluster.act(test_client()).map_err(|e| e.to_string())?;
        if !self.manifests.trim().is_empty() {
            cluster
                .apply(&self.manifests, "lesson.yaml")
                .map_err(|errors| {
                    errors
                        .iter()
                        .map(|e| e.message.as_str())
                        .collect::<Vec<_>>()
                        .join("\n")
                })?;
        }
        cluster.advance(SETTLE);
        if !self.setup.is_empty() {
            for step in &self.setup {
                step.run(&mut cluster)?;
            }
            cluster.advance(SETTLE);
        }
        let since = cluster.now();
        Ok(Started { cluster, since })
    }

    /// Each task's verdict against `cluster`, counting requests from `since` on.
    pub fn evaluate(&self, cluster: &Cluster, since: Time) -> Vec<Verdict> {
        self.tasks
            .iter()
            .map(|t| t.check.evaluate(cluster, since))
            .collect()
    }
}

/// The built-in lesson with this id.
pub fn builtin(id: &str) -> Option<Lesson> {
    BUILTIN
        .iter()
        .filter_map(|(_, text)| load(text).ok())
        .find(|l| l.id == id)
}
