//! Manifests in: the learner's multi-document YAML becomes typed [`crate::model`] objects, and every
//! mistake becomes the text kubectl would print, with the line and column it is about.
//!
//! One `kubectl apply -f`, stage by stage, as svclab reproduces it, each stage in its own file:
//! 1. `documents`: split the text at lines starting with `---` (kubectl's `YAMLReader`); empty
//!    documents are skipped;
//! 2. `tree`: parse each document into a JSON-shaped `Node` tree; syntax errors are worded as
//!    go-yaml words them
//!    (`error converting YAML to JSON: yaml: line 7: mapping values are not allowed in this context`);
//!    `tree::plain` reads the common block-style subset quickly and leaves the rest to serde_yaml;
//! 3. `document`: check `apiVersion` and `kind` as kubectl does before it sends anything, and look
//!    them up in the resource table ([`crate::resource::manifest_kind`]): a kind svclab applies,
//!    or a `List` (flattened into its items);
//! 4. `schema`: decode strictly against the Go types (`schema::types`), as the API server does
//!    for `fieldValidation=Strict`: a wrong type is a `json: cannot unmarshal ...` error, unknown
//!    fields a `strict decoding error`. Fields that Kubernetes accepts and svclab does not simulate
//!    are accepted and dropped;
//! 5. `convert`: apply the API server's defaults while converting to a [`crate::model::Object`],
//!    keeping what the model cannot hold as [`crate::validate::Written`];
//! 6. back in `document`, run [`crate::validate`] (and the allocators' range checks) for the
//!    `... is invalid` errors.
//!
//! Every error is placed by `positions`, a small reader of the text's block-style YAML that finds
//! the line and column of a field path. `tree` and its two helpers (`plain`, `depth`) are the only
//! files that know the YAML library: `serde_yaml` deserializes straight into the `Node` tree
//! (`depth` walks libyaml's events first where brackets could nest too deep), and positions come
//! from the text itself, so the library can be swapped.
//!
//! Where svclab knowingly differs from a real `kubectl apply`: a syntax error in one document does
//! not stop the others from being checked (kubectl stops there); YAML 1.1 booleans (`yes`, `on`)
//! stay strings (go-yaml makes them booleans); a name that is missing is reported as the API
//! server's `metadata.name: Required value` (kubectl apply first fails client-side with "resource
//! name may not be empty"); kinds a real cluster serves but svclab does not simulate (ConfigMap,
//! Ingress, ...) get an svclab message, not kubectl's. A repeated key keeps its last value, as
//! kubectl does, silently.
//!
//! Nothing here panics on any input, nothing recurses without a bound (serde_yaml stops at 128
//! levels of nesting; the walks here follow the tree it built), nothing takes time quadratic in
//! the text (`tree::depth` stops flow collections nested past 128 before libyaml's scanner slows
//! on them; maps are sorted once, not built by insertion), and hostile inputs hit documented
//! caps.

use crate::map::SortedMap;
use std::fmt;

use crate::model::Object;

mod convert;
mod document;
mod documents;
mod positions;
mod schema;
mod tree;
mod typed;

use document::{read_document, DocCtx};
use documents::{split_documents, Chunk};
use positions::{parse_key, scalar_token_len, Lines, Mode, Seg};
use tree::{parse_node, Budget, Node};

pub use crate::validate::FieldError;
pub use typed::{File, FileError, FileFields, FileValue};

// ---------------------------------------------------------------------------------------------
// Caps

/// Manifests larger than this are refused before parsing.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Non-empty documents in one manifest.
pub const MAX_DOCUMENTS: usize = 1000;
/// Objects in one manifest (a `List` counts its items).
pub const MAX_OBJECTS: usize = 2000;
/// Values (scalars, lists, maps) in the whole manifest after anchors and aliases are expanded;
/// a 1 MiB manifest without aliases has fewer. Past it: go-yaml's "excessive aliasing".
pub const MAX_VALUES: usize = 600_000;
/// Bytes of strings after aliases are expanded.
pub const MAX_STRING_BYTES: usize = 4 * MAX_BYTES;
/// Nesting depth of lists and maps (serde_yaml's own recursion limit).
pub const MAX_DEPTH: usize = 128;
/// Causes located precisely per error; the rest point at the document's first line.
const MAX_LOCATED: usize = 200;
/// Lines read, per document, to locate fields (each position is a scan of the document's lines):
/// a document of a few hundred lines locates thousands of fields, one of 100,000 lines twenty;
/// past it, positions are the document's first line. Without it a `List` of 150,000 bad items
/// located each one, quadratic in the text: a megabyte would have taken an hour.
const MAX_LOCATE_LINES: usize = 2_000_000;
/// Characters a flow collection (`{...}`, `[...]`) is scanned for when locating a field.
const MAX_FLOW_SCAN: usize = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Public API

/// One object read from a manifest, defaulted as the API server would, and valid on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// 0-based number of the document among the manifest's non-empty documents.
    pub index: usize,
    /// 1-based line where the object starts (its first line, or its item in a `List`).
    pub line: usize,
    /// For an object from a `kind: List`, its position in `items`.
    pub item: Option<usize>,
    pub object: Object,
}

/// Everything wrong with one document (or one item of a `List`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    /// 0-based document number (as [`Document::index`]).
    pub document: usize,
    /// 1-based line and column (in characters) of the first offending key or value.
    pub line: usize,
    pub column: usize,
    /// The full text kubectl prints, possibly several lines.
    pub message: String,
    /// Each cause with its own position, so an editor can mark every bad line. For a decoding
    /// error this lists every wrongly typed value, though kubectl's message names only the first
    /// (Go's JSON decoder reports one); for errors about the whole document there is one entry
    /// with an empty path.
    pub fields: Vec<FieldError>,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Read every document of `text` (`filename` is what kubectl would name in its messages, e.g.
/// `backend.yaml` or `STDIN`). `Ok` means the API server would accept each object on its own;
/// `Err` holds the errors of every document, in order.
pub fn parse(text: &str, filename: &str) -> Result<Vec<Document>, Vec<ManifestError>> {
    let (docs, errors) = read_all(text, filename, false);
    if errors.is_empty() {
        Ok(docs)
    } else {
        Err(errors)
    }
}

/// Read `text` as kubectl's resource builder does with `ContinueOnError`: every document that
/// reads on its own, and the errors of the others. A YAML syntax error ends the stream there
/// (kubectl's `StreamVisitor` returns it; the documents after it are never read), as in
/// kubernetes/kubernetes `staging/src/k8s.io/cli-runtime/pkg/resource/visitor.go` (v1.31).
pub fn parse_each(text: &str, filename: &str) -> (Vec<Document>, Vec<ManifestError>) {
    read_all(text, filename, true)
}

fn read_all(
    text: &str,
    filename: &str,
    stop_at_syntax_error: bool,
) -> (Vec<Document>, Vec<ManifestError>) {
    if text.len() > MAX_BYTES {
        return (Vec::new(), vec![simple_error(
            0,
            1,
            1,
            format!(
                "error: svclab reads manifests of at most 1 MiB ({MAX_BYTES} bytes); this one has {} bytes",
                text.len()
            ),
        )]);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let chunks = split_documents(text);
    let budget = Budget::default();
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let mut objects = 0usize;
    for chunk in &chunks {
        if let Some((line, rest)) = &chunk.separator_error {
            errors.push(simple_error(
                chunk.index.unwrap_or(0),
                *line,
                4,
                format!("error: error parsing {filename}: invalid Yaml document separator: {rest}"),
            ));
        }
        let Some(index) = chunk.index else { continue };
        if index >= MAX_DOCUMENTS {
            errors.push(simple_error(
                index,
                chunk.first_line,
                1,
                format!(
                    "error: svclab reads at most {MAX_DOCUMENTS} documents in one manifest; this one has more"
                ),
            ));
            break;
        }
        let ctx = DocCtx::new(index, filename, chunk);
        match read_document(&ctx, &budget) {
            Ok(found) => {
                for (object, line, item) in found {
                    objects += 1;
                    docs.push(Document {
                        index,
                        line,
                        item,
                        object,
                    });
                }
            }
            Err(errs) => {
                let syntax = errs.iter().any(|e| {
                    e.message
                        .starts_with(&format!("error: error parsing {filename}:"))
                });
                errors.extend(errs);
                if stop_at_syntax_error && syntax {
                    break;
                }
            }
        }
        if objects > MAX_OBJECTS {
            errors.push(simple_error(
                index,
                chunk.first_line,
                1,
                format!(
                    "error: svclab applies at most {MAX_OBJECTS} objects at once; this manifest has more"
                ),
            ));
            break;
        }
    }
    (docs, errors)
}

/// Rewrite the `spec.replicas` value of the Deployment in document `document_index`, keeping the
/// rest of the text (formatting, comments, quoting of other values) as it is. When the Deployment
/// has no `replicas:`, one is inserted under `spec:` at the indentation of its fields. `None` when
/// that document is not a single Deployment or its `spec` is written in a form this cannot edit.
pub fn set_replicas(text: &str, document_index: usize, replicas: i64) -> Option<String> {
    if text.len() > MAX_BYTES {
        return None;
    }
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let chunks = split_documents(body);
    let chunk = chunks.iter().find(|c| c.index == Some(document_index))?;
    let root = parse_node(chunk.text, &Budget::default()).ok()?;
    let Node::Map(map) = &root else { return None };
    if !matches!(map.get("kind"), Some(Node::Str(k)) if k == "Deployment") {
        return None;
    }
    let lines = Lines::new(chunk.text, chunk.start_line);
    let base = chunk.offset;
    let value = replicas.to_string();
    if let Some(hit) = lines.find_path(&[Seg::Key("spec".into()), Seg::Key("replicas".into())]) {
        let Some((li, col)) = hit.value_inline else {
            // `replicas:` with no value (null): write the number after the colon.
            if hit.region.is_some() {
                return None;
            }
            let (li, col) = hit.key;
            let line = lines.lines.get(li)?;
            let (_, after) = parse_key(line.text.get(col..)?)?;
            let at = base + line.offset + col + after;
            let mut out = String::with_capacity(text.len() + 8);
            out.push_str(bom);
            out.push_str(body.get(..at)?);
            out.push(' ');
            out.push_str(&value);
            out.push_str(body.get(at..)?);
            return Some(out);
        };
        let line = lines.lines.get(li)?;
        let end = col + scalar_token_len(line.text.get(col..)?, hit.in_flow);
        let start = base + line.offset + col;
        let end = base + line.offset + end;
        let mut out = String::with_capacity(text.len() + 8);
        out.push_str(bom);
        out.push_str(body.get(..start)?);
        out.push_str(&value);
        out.push_str(body.get(end..)?);
        return Some(out);
    }
    let spec = lines.find_path(&[Seg::Key("spec".into())])?;
    if spec.value_inline.is_some() {
        // `spec: {...}` (without replicas) or `spec: null`: not something to edit line-wise.
        return None;
    }
    let (key_li, key_col) = spec.key;
    let spec_line = lines.lines.get(key_li)?;
    let indent = match &spec.region {
        Some(r) if !r.inline => r.col,
        _ => key_col + 2,
    };
    let line_end = base + spec_line.offset + spec_line.full_len;
    let newline = if spec_line.full.ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut out = String::with_capacity(text.len() + indent + 16);
    out.push_str(bom);
    out.push_str(body.get(..line_end)?);
    if !spec_line.full.ends_with('\n') {
        out.push_str(newline);
    }
    out.push_str(&" ".repeat(indent));
    out.push_str("replicas: ");
    out.push_str(&value);
    out.push_str(newline);
    out.push_str(body.get(line_end..)?);
    Some(out)
}

/// The 1-based line and column of `path` (`spec.ports[1].port`, or `items[2].spec...` inside a
/// `List`) in document `document_index` of `text`: the value when it sits on its key's line,
/// otherwise the key; the nearest written ancestor when the field is absent. For the cluster's
/// own causes (a NodePort already allocated).
pub fn locate(text: &str, document_index: usize, path: &str) -> Option<(usize, usize)> {
    Locator::new(text).locate(document_index, path)
}

/// The 1-based line of field `path` (`spec.selector`, `spec.ports[0].targetPort`) of the object
/// `kind` `namespace/name` in `text`: the value's line when it is written, else its nearest
/// written ancestor's; the object's first line for an empty `path`. The object is matched by its
/// document's `kind`, `metadata.name` and `metadata.namespace` (`default` when absent, as kubectl
/// applies it); `None` when no document of `text` holds it (objects inside a `kind: List` are not
/// looked for).
pub fn locate_object(
    text: &str,
    kind: crate::resource::Kind,
    namespace: &str,
    name: &str,
    path: &str,
) -> Option<usize> {
    if text.len() > MAX_BYTES {
        return None;
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let chunks = split_documents(body);
    let chunk = chunks.iter().find(|c| {
        c.index.is_some() && {
            let Ok(Node::Map(map)) = parse_node(c.text, &Budget::default()) else {
                return false;
            };
            let meta = match map.get("metadata") {
                Some(Node::Map(m)) => Some(m),
                _ => None,
            };
            let text_of = |node: Option<&Node>| match node {
                Some(Node::Str(s)) => Some(s.clone()),
                _ => None,
            };
            let doc_ns = text_of(meta.and_then(|m| m.get("namespace")))
                .unwrap_or_else(|| "default".to_string());
            text_of(map.get("kind")).as_deref() == Some(kind.name())
                && text_of(meta.and_then(|m| m.get("name"))).as_deref() == Some(name)
                && (!kind.namespaced() || doc_ns == namespace)
        }
    })?;
    if path.is_empty() {
        return Some(chunk.first_line);
    }
    let lines = Lines::new(chunk.text, chunk.start_line);
    Some(lines.locate(path, Mode::Value, chunk.first_line).0)
}

/// [`locate`] for many paths of one manifest: the text is split into documents once, and each
/// document's lines are read once.
pub(crate) struct Locator<'t> {
    chunks: Vec<Chunk<'t>>,
    lines: SortedMap<usize, Lines<'t>>,
}

impl<'t> Locator<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Locator {
            chunks: split_documents(text),
            lines: SortedMap::new(),
        }
    }

    pub(crate) fn locate(&mut self, document_index: usize, path: &str) -> Option<(usize, usize)> {
        self.locate_as(document_index, path, Mode::Value)
    }

    /// Where `path`'s key is written (an unknown field is marked at its name).
    pub(crate) fn locate_key(
        &mut self,
        document_index: usize,
        path: &str,
    ) -> Option<(usize, usize)> {
        self.locate_as(document_index, path, Mode::Key)
    }

    fn locate_as(
        &mut self,
        document_index: usize,
        path: &str,
        mode: Mode,
    ) -> Option<(usize, usize)> {
        // Non-empty documents are numbered in order, so document `i` is at or after chunk `i`.
        let chunk = self
            .chunks
            .iter()
            .skip(document_index)
            .find(|c| c.index == Some(document_index))?;
        let lines = self
            .lines
            .entry(document_index)
            .or_insert_with(|| Lines::new(chunk.text, chunk.start_line));
        Some(lines.locate(path, mode, chunk.first_line))
    }
}

fn simple_error(document: usize, line: usize, column: usize, message: String) -> ManifestError {
    ManifestError {
        document,
        line,
        column,
        fields: vec![FieldError {
            path: String::new(),
            detail: message.clone(),
            line,
            column,
        }],
        message,
    }
}
