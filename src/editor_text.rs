//! The manifest editor's text arithmetic: line counts for the gutter, which lines carry errors,
//! and where a line starts for "jump to line" (in UTF-16 units, as a textarea counts).

use svclab_sim::map::SortedMap;

use svclab_sim::manifest::{self, ManifestError};
use svclab_sim::model::{Object, ObjectKey};

/// Lines in `text` as an editor numbers them (an empty text has one line; a trailing newline
/// opens a last, empty line).
pub fn line_count(text: &str) -> usize {
    text.split('\n').count()
}

/// Lines between two positions of the gutter's window: scrolling within a step redraws nothing.
const GUTTER_STEP: usize = 100;

/// The 1-based lines the gutter draws when the editor is scrolled `scroll_px` down: a window of
/// at most three steps from a step's start, which holds every line of any editor up to two steps
/// (`2 * GUTTER_STEP * line_px` pixels) tall. Drawing only these keeps a pasted 1 MB manifest
/// (70,000 lines) from making 70,000 elements.
pub fn gutter_window(
    scroll_px: f64,
    line_px: f64,
    lines: usize,
) -> std::ops::RangeInclusive<usize> {
    let first = (scroll_px.max(0.0) / line_px) as usize;
    let start = (first / GUTTER_STEP * GUTTER_STEP)
        .min(lines.saturating_sub(1) / GUTTER_STEP * GUTTER_STEP);
    start + 1..=lines.min(start + 3 * GUTTER_STEP)
}

/// The start and end (before the newline) of 1-based `line`, in UTF-16 code units, clamped to the
/// text.
pub fn line_span_utf16(text: &str, line: usize) -> (u32, u32) {
    let mut start = 0u32;
    for (i, l) in text.split('\n').enumerate() {
        let len = l.encode_utf16().count() as u32;
        if i + 1 >= line.max(1) {
            return (start, start + len);
        }
        start += len + 1;
    }
    let end = text.encode_utf16().count() as u32;
    (end, end)
}

/// One line's errors, for the gutter mark and the note beside the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineMark {
    pub line: usize,
    /// Short notes, one per field error on that line (`spec.ports[0].port: Invalid value: ...`),
    /// or the error's first line when it names no field.
    pub notes: Vec<String>,
}

/// The lines `errors` point at, in order, each with its notes.
pub fn line_marks(errors: &[ManifestError]) -> Vec<LineMark> {
    let mut lines: SortedMap<usize, Vec<String>> = SortedMap::new();
    for e in errors {
        if e.fields.is_empty() {
            let first = e.message.lines().next().unwrap_or_default().to_string();
            lines.entry(e.line.max(1)).or_default().push(first);
        } else {
            for f in &e.fields {
                let note = if f.path.is_empty() {
                    f.detail.clone()
                } else {
                    format!("{}: {}", f.path, f.detail)
                };
                lines.entry(f.line.max(1)).or_default().push(note);
            }
        }
    }
    lines
        .into_iter()
        .map(|(line, mut notes)| {
            notes.dedup();
            LineMark { line, notes }
        })
        .collect()
}

/// Where one field of an error points, for the clickable list under the editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLink {
    pub path: String,
    pub line: usize,
}

/// The field lines of an error that differ from its own line (worth a link of their own).
pub fn other_field_lines(error: &ManifestError) -> Vec<FieldLink> {
    let mut out: Vec<FieldLink> = error
        .fields
        .iter()
        .filter(|f| f.line != error.line && !f.path.is_empty())
        .map(|f| FieldLink {
            path: f.path.clone(),
            line: f.line,
        })
        .collect();
    out.dedup();
    out
}

/// `text` with the `replicas:` of Deployment `key` set to `replicas`, the rest (comments,
/// formatting, other documents) untouched; `None` when the text holds no such Deployment (or
/// does not parse).
pub fn with_replicas(text: &str, key: &ObjectKey, replicas: i64) -> Option<String> {
    let docs = manifest::parse(text, "").ok()?;
    let doc = docs.iter().find(|d| match &d.object {
        Object::Deployment(dep) => {
            let ns = if dep.meta.namespace.is_empty() {
                "default"
            } else {
                dep.meta.namespace.as_str()
            };
            dep.meta.name == key.name && ns == key.namespace
        }
        _ => false,
    })?;
    manifest::set_replicas(text, doc.index, replicas)
}

#[cfg(test)]
mod tests {
    use super::*;
    use svclab_sim::manifest::FieldError;

    #[test]
    fn the_gutter_draws_every_visible_line_and_no_more_than_a_window() {
        let lines = 70_000;
        // An editor 1,080 px tall, scrolled anywhere (and past the end, after a deletion).
        for scroll in (0..lines * 20 + 5_000).step_by(997) {
            let w = gutter_window(scroll as f64, 20.0, lines);
            let first = scroll / 20 + 1;
            let last = (first + 54).min(lines);
            if first <= lines {
                assert!(w.contains(&first) && w.contains(&last), "{scroll}: {w:?}");
            }
            assert!(
                w.end() - w.start() < 300 && !w.is_empty(),
                "{scroll}: {w:?}"
            );
        }
        assert_eq!(gutter_window(0.0, 20.0, 1), 1..=1);
        assert_eq!(gutter_window(0.0, 20.0, 40), 1..=40);
        // Scrolling within a step keeps the window, so nothing is redrawn.
        assert_eq!(
            gutter_window(0.0, 20.0, lines),
            gutter_window(1_980.0, 20.0, lines)
        );
    }

    #[test]
    fn lines_are_counted_as_an_editor_numbers_them() {
        assert_eq!(line_count(""), 1);
        assert_eq!(line_count("a"), 1);
        assert_eq!(line_count("a\n"), 2);
        assert_eq!(line_count("a\nb\nc"), 3);
    }

    #[test]
    fn a_line_span_counts_utf16_units() {
        let text = "ab\n✓é\n😀x\n";
        assert_eq!(line_span_utf16(text, 1), (0, 2));
        assert_eq!(line_span_utf16(text, 2), (3, 5));
        // The emoji is two UTF-16 units.
        assert_eq!(line_span_utf16(text, 3), (6, 9));
        assert_eq!(line_span_utf16(text, 4), (10, 10));
        assert_eq!(line_span_utf16(text, 99), (10, 10));
        assert_eq!(line_span_utf16(text, 0), (0, 2));
    }

    #[test]
    fn replicas_are_rewritten_in_place() {
        let seed = crate::seed::SEED_MANIFEST;
        let key = ObjectKey::new("default", "backend");
        let five = with_replicas(seed, &key, 5).unwrap();
        assert_eq!(five, seed.replace("  replicas: 3\n", "  replicas: 5\n"));
        let commented = seed.replace("  replicas: 3\n", "  replicas: 3 # three to start\n");
        let two = with_replicas(&commented, &key, 2).unwrap();
        assert!(two.contains("  replicas: 2 # three to start\n"), "{two}");
        assert_eq!(
            with_replicas(seed, &ObjectKey::new("default", "nope"), 5),
            None
        );
        assert_eq!(with_replicas("kind: [", &key, 5), None);
    }

    #[test]
    fn marks_gather_field_errors_by_line() {
        let field = |path: &str, line| FieldError {
            path: path.into(),
            detail: "Required value".into(),
            line,
            column: 3,
        };
        let errors = vec![
            ManifestError {
                document: 1,
                line: 27,
                column: 1,
                message: "The Service \"x\" is invalid: \n* spec.selector: Required value\n* spec.ports[0].name: Required value".into(),
                fields: vec![field("spec.selector", 30), field("spec.ports[0].name", 33)],
            },
            ManifestError {
                document: 0,
                line: 4,
                column: 1,
                message: "error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context\nmore".into(),
                fields: Vec::new(),
            },
        ];
        let marks = line_marks(&errors);
        let lines: Vec<usize> = marks.iter().map(|m| m.line).collect();
        assert_eq!(lines, [4, 30, 33]);
        assert_eq!(
            marks[0].notes,
            ["error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context"]
        );
        assert_eq!(marks[1].notes, ["spec.selector: Required value"]);
        assert_eq!(
            other_field_lines(&errors[0]),
            [
                FieldLink {
                    path: "spec.selector".into(),
                    line: 30
                },
                FieldLink {
                    path: "spec.ports[0].name".into(),
                    line: 33
                }
            ]
        );
    }
}
