//! YAML files that are not Kubernetes objects (lesson files): read into the same [`Node`] tree as
//! manifests, then taken apart value by value by the file's own reader, each mistake reported at
//! its line with the field path serde would name (`tasks[1].check.readyEndpoints.count: ...`).
//! The rest of the crate never sees the YAML library.
//!
//! Written by hand rather than derived: with serde's derived `Deserialize` for the lesson types
//! the gzipped wasm was 12 kB larger than with this reader.

use std::fmt;

use crate::map::SortedMap;

use super::documents::split_documents;
use super::tree::{self, Budget, Node};
use super::{Locator, MAX_BYTES};

/// What is wrong with a typed YAML file, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// 1-based; 0 when the problem is the whole file.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

/// A YAML file of one document, read into a tree. Its values are taken from [`File::root`].
pub struct File<'t> {
    text: &'t str,
    root: Node,
}

impl<'t> File<'t> {
    /// Read `text`: at most 1 MiB, one document, no key written twice in a mapping.
    pub fn read(text: &'t str) -> Result<File<'t>, FileError> {
        if text.len() > MAX_BYTES {
            return Err(FileError {
                line: 0,
                column: 0,
                message: format!(
                    "svclab reads files of at most 1 MiB ({MAX_BYTES} bytes); this one has {} bytes",
                    text.len()
                ),
            });
        }
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let documents = split_documents(body);
        let mut written = documents.iter().filter(|c| c.index.is_some());
        let first = written.next();
        if let Some(second) = written.next() {
            return Err(FileError {
                line: second.first_line,
                column: 1,
                message: "a second YAML document starts here; this file holds one".into(),
            });
        }
        let Some(first) = first else {
            return Ok(File {
                text,
                root: Node::Null,
            });
        };
        match tree::parse_node(first.text, &Budget::unique_keys()) {
            Ok(root) => Ok(File { text, root }),
            Err(e) => {
                let (line, column) = e.location().map_or((0, 0), |(line, column)| {
                    super::positions::within(first.text, line, column)
                });
                Err(FileError {
                    line: line + first.start_line.saturating_sub(1),
                    column,
                    message: tree::file_error_message(&e),
                })
            }
        }
    }

    /// The document's top value.
    pub fn root(&self) -> FileValue<'_> {
        FileValue {
            file: self,
            node: &self.root,
            path: String::new(),
        }
    }

    /// The line and column of `path`: its value when on its key's line, else its key, else the
    /// nearest written ancestor.
    fn locate(&self, path: &str) -> (usize, usize) {
        Locator::new(self.text).locate(0, path).unwrap_or((1, 1))
    }

    /// The line and column of `path`'s key.
    fn locate_key(&self, path: &str) -> (usize, usize) {
        Locator::new(self.text)
            .locate_key(0, path)
            .unwrap_or((1, 1))
    }
}

/// One value of a [`File`], with its field path (`tasks[0].check`).
pub struct FileValue<'a> {
    file: &'a File<'a>,
    node: &'a Node,
    path: String,
}

impl<'a> FileValue<'a> {
    /// `message` about this value, at its line, after its path (`tasks[0]: message`).
    pub fn error(&self, message: impl fmt::Display) -> FileError {
        self.error_at(self.file.locate(&self.path), message)
    }

    fn error_at(&self, (line, column): (usize, usize), message: impl fmt::Display) -> FileError {
        let message = if self.path.is_empty() {
            message.to_string()
        } else {
            format!("{}: {message}", self.path)
        };
        FileError {
            line,
            column,
            message,
        }
    }

    fn invalid(&self, expected: &str) -> FileError {
        let found = match self.node {
            Node::Null => "null".to_string(),
            Node::Bool(b) => format!("boolean `{b}`"),
            Node::Int(i) => format!("integer `{i}`"),
            Node::Float(f) => format!("floating point `{}`", tree::go_float(*f)),
            Node::Str(s) => format!("string {s:?}"),
            Node::Seq(_) => "sequence".to_string(),
            Node::Map(_) => "map".to_string(),
        };
        self.error(format_args!("invalid type: {found}, expected {expected}"))
    }

    /// Nothing written (`key:` or `key: ~`).
    pub fn is_null(&self) -> bool {
        matches!(self.node, Node::Null)
    }

    /// A scalar as text (`title: 2024` is the text "2024"); null is the empty text.
    pub fn text(&self) -> Result<String, FileError> {
        match self.node {
            Node::Null => Ok(String::new()),
            Node::Str(s) => Ok(s.clone()),
            Node::Bool(b) => Ok(b.to_string()),
            Node::Int(i) => Ok(i.to_string()),
            Node::Float(f) => Ok(tree::go_float(*f)),
            Node::Seq(_) | Node::Map(_) => Err(self.invalid("a string")),
        }
    }

    /// A whole number, 0 or more, written as a number (`5`, not `"5"` or `5.0`).
    pub fn count(&self) -> Result<usize, FileError> {
        match self.node {
            Node::Int(i) => usize::try_from(*i).map_err(|_| self.invalid("a count (0, 1, 2, ...)")),
            _ => Err(self.invalid("a count (0, 1, 2, ...)")),
        }
    }

    /// A sequence, each item read by `read`; null is the empty sequence.
    pub fn list<T>(
        &self,
        mut read: impl FnMut(&FileValue<'a>) -> Result<T, FileError>,
    ) -> Result<Vec<T>, FileError> {
        match self.node {
            Node::Null => Ok(Vec::new()),
            Node::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, node)| {
                    read(&FileValue {
                        file: self.file,
                        node,
                        path: format!("{}[{i}]", self.path),
                    })
                })
                .collect(),
            _ => Err(self.invalid("a sequence")),
        }
    }

    /// A mapping whose keys are all among `known` (an unknown one is an error naming them);
    /// null is the empty mapping.
    pub fn fields(&self, known: &[&str]) -> Result<FileFields<'a>, FileError> {
        static EMPTY: SortedMap<String, Node> = SortedMap::new();
        let map = match self.node {
            Node::Null => &EMPTY,
            Node::Map(map) => map,
            _ => return Err(self.invalid("a map")),
        };
        let fields = FileFields {
            value: FileValue {
                file: self.file,
                node: self.node,
                path: self.path.clone(),
            },
            map,
        };
        // The unknown key written first, as a reader going down the file meets it.
        let unknown = map
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| (self.file.locate_key(&fields.child_path(k)), k))
            .min();
        if let Some((at, key)) = unknown {
            let expected = match known {
                [] => "there are no fields".to_string(),
                [one] => format!("expected `{one}`"),
                [a, b] => format!("expected `{a}` or `{b}`"),
                _ => {
                    let names: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                    format!("expected one of {}", names.join(", "))
                }
            };
            return Err(self.error_at(at, format_args!("unknown field `{key}`, {expected}")));
        }
        Ok(fields)
    }
}

/// A mapping's fields, each taken by its key.
pub struct FileFields<'a> {
    value: FileValue<'a>,
    map: &'a SortedMap<String, Node>,
}

impl<'a> FileFields<'a> {
    fn child_path(&self, key: &str) -> String {
        if self.value.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.value.path)
        }
    }

    /// The field `key` when written (also when written as null).
    pub fn get(&self, key: &str) -> Option<FileValue<'a>> {
        self.map.get(key).map(|node| FileValue {
            file: self.value.file,
            node,
            path: self.child_path(key),
        })
    }

    /// The field `key`, which must be written.
    pub fn required(&self, key: &str) -> Result<FileValue<'a>, FileError> {
        self.get(key)
            .ok_or_else(|| self.value.error(format_args!("missing field `{key}`")))
    }

    /// The field `key` as text ([`FileValue::text`]); it must be written.
    pub fn text(&self, key: &str) -> Result<String, FileError> {
        self.required(key)?.text()
    }

    /// The field `key` as a count ([`FileValue::count`]); it must be written.
    pub fn count(&self, key: &str) -> Result<usize, FileError> {
        self.required(key)?.count()
    }

    /// The one field of `names` written here, with its name (a check or a setup step is a
    /// mapping whose one key names it); `Err(n)` when `n` of them are written, none or several.
    pub fn one_of(&self, names: &[&'static str]) -> Result<(&'static str, FileValue<'a>), usize> {
        let mut written: Vec<(&'static str, FileValue<'a>)> = names
            .iter()
            .filter_map(|name| self.get(name).map(|v| (*name, v)))
            .collect();
        match written.len() {
            1 => Ok(written.remove(0)),
            n => Err(n),
        }
    }

    /// `message` about the mapping itself, at its line.
    pub fn error(&self, message: impl fmt::Display) -> FileError {
        self.value.error(message)
    }
}
