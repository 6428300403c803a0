//! Manifests in: the learner's multi-document YAML becomes typed [`crate::model`] objects, and every
//! mistake becomes the text kubectl would print, with the line and column it is about.
//!
//! One `kubectl apply -f`, step by step, as svclab reproduces it:
//! 1. split the text at lines starting with `---` (kubectl's `YAMLReader`); empty documents are
//!    skipped;
//! 2. parse each document; syntax errors are worded as go-yaml words them
//!    (`error converting YAML to JSON: yaml: line 7: mapping values are not allowed in this context`);
//! 3. check `apiVersion` and `kind` as kubectl does before it sends anything, and map them to a
//!    kind svclab simulates (a `v1 List` is flattened into its items);
//! 4. decode strictly, as the API server does for `fieldValidation=Strict`: a wrong type is a
//!    `json: cannot unmarshal ...` error, unknown fields a `strict decoding error`. Fields that
//!    Kubernetes accepts and svclab does not simulate are accepted and dropped;
//! 5. apply the API server's defaults while converting to a [`crate::model::Object`];
//! 6. run [`validate`] (and the allocators' range checks) for the `... is invalid` errors.
//!
//! This is the only module that knows the YAML library: `serde_yaml` deserializes straight into a
//! small tree of our own (`Node`, shaped like the JSON kubectl sends), and positions come from our
//! own reading of the text (`Lines`), so the library can be swapped.
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
//! levels of nesting; our walks follow the tree it built), and hostile inputs hit documented caps.

use crate::map::Entry;
use crate::map::{SortedMap, SortedSet};
use std::cell::{Cell, OnceCell};
use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr};

use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};

use crate::model::{
    ClusterIp, Container, ContainerPort, Deployment, DeploymentSpec, IntOrString, IpBlock,
    LabelSelector, Labels, Namespace, NetworkPolicy, NetworkPolicySpec, Object, ObjectMeta, Pod,
    PodSpec, PodTemplateSpec, PolicyPeer, PolicyPort, PolicyRule, Probe, Protocol, PullPolicy,
    SelectorOp, SelectorRequirement, Service, ServicePort, ServiceSpec, ServiceType, TrafficPolicy,
};
use crate::validate::{self, go_quote, go_string_slice, BadValue, Written};

mod plain;

pub use crate::validate::FieldError;

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
    if text.len() > MAX_BYTES {
        return Err(vec![simple_error(
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
        let ctx = DocCtx {
            index,
            filename,
            chunk,
            lines: OnceCell::new(),
        };
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
            Err(errs) => errors.extend(errs),
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
    if errors.is_empty() {
        Ok(docs)
    } else {
        Err(errors)
    }
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
        Some(lines.locate(path, Mode::Value, chunk.first_line))
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

// ---------------------------------------------------------------------------------------------
// Documents

/// One document of the manifest, as kubectl's `YAMLReader` cuts it (the `---` line excluded).
struct Chunk<'a> {
    /// `None` for documents with nothing but blank lines and comments.
    index: Option<usize>,
    text: &'a str,
    /// Byte offset of `text` in the manifest.
    offset: usize,
    /// 1-based line of the chunk's first line.
    start_line: usize,
    /// 1-based line of its first line with content.
    first_line: usize,
    /// A `--- something` separator line that kubectl refuses: (line, what follows `---`).
    separator_error: Option<(usize, String)>,
}

fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut next_index = 0usize;
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut pos = 0usize;
    let mut pending_error: Option<(usize, String)> = None;
    let mut push = |from: usize, to: usize, first: usize, err: Option<(usize, String)>| {
        let body = text.get(from..to).unwrap_or("");
        let first_content = body
            .split('\n')
            .enumerate()
            .find(|(_, l)| is_content_line(l))
            .map(|(i, _)| first + i);
        let index = first_content.map(|_| {
            let i = next_index;
            next_index += 1;
            i
        });
        Chunk {
            index,
            text: body,
            offset: from,
            start_line: first,
            first_line: first_content.unwrap_or(first),
            separator_error: err,
        }
    };
    for (line_no, line) in (1usize..).zip(text.split_inclusive('\n')) {
        if let Some(rest) = line.strip_prefix("---") {
            chunks.push(push(start, pos, start_line, pending_error.take()));
            // (`trim` also drops the line break.)
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                pending_error = Some((line_no, rest.to_string()));
            }
            start = pos + line.len();
            start_line = line_no + 1;
        }
        pos += line.len();
    }
    chunks.push(push(start, text.len(), start_line, pending_error.take()));
    chunks
}

fn is_content_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

// ---------------------------------------------------------------------------------------------
// The tree

/// A YAML value the way kubectl hands it to the API server: JSON-shaped, map keys as strings,
/// maps sorted by key (Go's `json.Marshal` order), a repeated key keeping its last value.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(SortedMap<String, Node>),
}

impl Node {
    /// What Go's `encoding/json` calls this value in a type error.
    fn json_kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "bool",
            Node::Int(_) | Node::Float(_) => "number",
            Node::Str(_) => "string",
            Node::Seq(_) => "array",
            Node::Map(_) => "object",
        }
    }

    /// As an integer when JSON would carry it as one (`80`, `80.0`).
    fn as_int(&self) -> Option<i64> {
        match self {
            Node::Int(i) => Some(*i),
            Node::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(*f as i64),
            _ => None,
        }
    }

    /// The JSON literal of a number, as Go would print it.
    fn number_literal(&self) -> String {
        match self {
            Node::Int(i) => i.to_string(),
            Node::Float(f) => go_float(*f),
            _ => String::new(),
        }
    }

    fn count(&self) -> usize {
        let mut n = 0usize;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            n += 1;
            match node {
                Node::Seq(items) => stack.extend(items.iter()),
                Node::Map(m) => stack.extend(m.values()),
                _ => {}
            }
        }
        n
    }
}

/// Go's `strconv.FormatFloat(f, 'g'-ish)` as `encoding/json` writes float64.
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((m, e)) if e.starts_with('-') => format!("{m}e{e}"),
            Some((m, e)) => format!("{m}e+{e}"),
            None => s,
        }
    } else {
        format!("{f}")
    }
}

const BUDGET_MARK: &str = "svclab: value budget exceeded";
const NONFINITE_MARK: &str = "svclab: non-finite number ";

/// Counts values and string bytes across the whole manifest, so aliases cannot blow it up.
#[derive(Default)]
struct Budget {
    values: Cell<usize>,
    bytes: Cell<usize>,
}

impl Budget {
    /// Take `values` and `bytes` only if both stay within the caps.
    fn take_if_within(&self, values: usize, bytes: usize) -> bool {
        let v = self.values.get().saturating_add(values);
        let b = self.bytes.get().saturating_add(bytes);
        if v <= MAX_VALUES && b <= MAX_STRING_BYTES {
            self.values.set(v);
            self.bytes.set(b);
            true
        } else {
            false
        }
    }

    fn take(&self, values: usize, bytes: usize) -> bool {
        let v = self.values.get().saturating_add(values);
        let b = self.bytes.get().saturating_add(bytes);
        self.values.set(v);
        self.bytes.set(b);
        v <= MAX_VALUES && b <= MAX_STRING_BYTES
    }
}

struct NodeSeed<'b> {
    budget: &'b Budget,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Node;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor {
            budget: self.budget,
        })
    }
}

struct NodeVisitor<'b> {
    budget: &'b Budget,
}

impl NodeVisitor<'_> {
    fn leaf<E: de::Error>(&self, node: Node, bytes: usize) -> Result<Node, E> {
        if self.budget.take(1, bytes) {
            Ok(node)
        } else {
            Err(E::custom(BUDGET_MARK))
        }
    }
}

fn key_string(key: Node) -> String {
    match key {
        Node::Null => "null".to_string(),
        Node::Bool(b) => b.to_string(),
        Node::Int(i) => i.to_string(),
        Node::Float(f) => go_float(f),
        Node::Str(s) => s,
        Node::Seq(_) | Node::Map(_) => "?".to_string(),
    }
}

impl<'de> Visitor<'de> for NodeVisitor<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        self.leaf(Node::Bool(v), 0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        self.leaf(Node::Int(v), 0)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        match i64::try_from(v) {
            Ok(i) => self.leaf(Node::Int(i), 0),
            Err(_) => self.leaf(Node::Float(v as f64), 0),
        }
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        match i64::try_from(v) {
            Ok(i) => self.leaf(Node::Int(i), 0),
            Err(_) => self.leaf(Node::Float(v as f64), 0),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        match i64::try_from(v) {
            Ok(i) => self.leaf(Node::Int(i), 0),
            Err(_) => self.leaf(Node::Float(v as f64), 0),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        if !v.is_finite() {
            let name = if v.is_nan() {
                "NaN"
            } else if v > 0.0 {
                "+Inf"
            } else {
                "-Inf"
            };
            return Err(E::custom(format!("{NONFINITE_MARK}{name}")));
        }
        self.leaf(Node::Float(v), 0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        self.leaf(Node::Str(v.to_string()), v.len())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        let n = v.len();
        self.leaf(Node::Str(v), n)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        self.leaf(Node::Str(String::from_utf8_lossy(v).into_owned()), v.len())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        self.leaf(Node::Null, 0)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        self.leaf(Node::Null, 0)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        NodeSeed {
            budget: self.budget,
        }
        .deserialize(d)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        NodeSeed {
            budget: self.budget,
        }
        .deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        if !self.budget.take(1, 0) {
            return Err(de::Error::custom(BUDGET_MARK));
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(NodeSeed {
            budget: self.budget,
        })? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        if !self.budget.take(1, 0) {
            return Err(de::Error::custom(BUDGET_MARK));
        }
        let mut out = SortedMap::new();
        let mut merges = Vec::new();
        while let Some(key) = map.next_key_seed(NodeSeed {
            budget: self.budget,
        })? {
            let key = key_string(key);
            let value = map.next_value_seed(NodeSeed {
                budget: self.budget,
            })?;
            if key == "<<" {
                merges.push(value);
            } else {
                out.insert(key, value);
            }
        }
        // YAML merge keys (go-yaml honours them): explicit keys win, then earlier merges.
        for merge in merges {
            let sources = match merge {
                Node::Seq(items) => items,
                other => vec![other],
            };
            for source in sources {
                if let Node::Map(m) = source {
                    for (k, v) in m {
                        if let Entry::Vacant(slot) = out.entry(k) {
                            if !self.budget.take(v.count(), slot.key().len()) {
                                return Err(de::Error::custom(BUDGET_MARK));
                            }
                            slot.insert(v);
                        }
                    }
                }
            }
        }
        Ok(Node::Map(out))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Node, A::Error> {
        // A value with a custom tag (`!foo bar`): keep the value, drop the tag.
        let (_tag, variant): (String, _) = data.variant()?;
        variant.newtype_variant_seed(NodeSeed {
            budget: self.budget,
        })
    }
}

/// Why a document could not be read as YAML.
enum YamlError {
    /// A libyaml scanner/parser error: go-yaml's wording and the absolute position.
    Syntax {
        message: String,
        line: usize,
        column: usize,
    },
    Limit {
        message: String,
        line: usize,
        column: usize,
    },
}

fn parse_node(text: &str, budget: &Budget) -> Result<Node, serde_yaml::Error> {
    // Most manifests are plain block YAML, which `plain` reads quickly into the same tree; it
    // leaves everything else (and every error) to serde_yaml.
    if let Some(read) = plain::read(text) {
        if budget.take_if_within(read.values, read.bytes) {
            return Ok(read.node);
        }
    }
    parse_node_yaml(text, budget)
}

fn parse_node_yaml(text: &str, budget: &Budget) -> Result<Node, serde_yaml::Error> {
    let mut docs = serde_yaml::Deserializer::from_str(text);
    match docs.next() {
        Some(doc) => NodeSeed { budget }.deserialize(doc),
        None => Ok(Node::Null),
    }
}

/// Classify a serde_yaml error and word it as kubectl (go-yaml) would.
fn yaml_error(err: &serde_yaml::Error, chunk: &Chunk, lines: &Lines) -> YamlError {
    let text = err.to_string();
    let loc = err.location();
    // 1-based, relative to the chunk.
    let (rel_line, col) = loc
        .as_ref()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    let abs_line = chunk.start_line + rel_line.saturating_sub(1);
    if text.contains(BUDGET_MARK) || text.starts_with("repetition limit exceeded") {
        let (line, column) = lines.first_alias().unwrap_or((chunk.first_line, 1));
        return YamlError::Syntax {
            message: "yaml: document contains excessive aliasing".to_string(),
            line,
            column,
        };
    }
    if let Some(pos) = text.find(NONFINITE_MARK) {
        let name = text[pos + NONFINITE_MARK.len()..]
            .split_whitespace()
            .next()
            .unwrap_or("NaN")
            .to_string();
        return YamlError::Syntax {
            message: format!("json: unsupported value: {name}"),
            line: abs_line,
            column: col,
        };
    }
    if text.starts_with("recursion limit exceeded") {
        return YamlError::Limit {
            message: format!(
                "yaml: line {rel_line}: nested more than {MAX_DEPTH} levels deep, which svclab does not read"
            ),
            line: abs_line,
            column: col,
        };
    }
    if text.starts_with("unknown anchor") {
        let name = lines.alias_name_at(abs_line, col).unwrap_or_default();
        return YamlError::Syntax {
            message: format!("yaml: unknown anchor '{name}' referenced"),
            line: abs_line,
            column: col,
        };
    }
    let problem = text
        .find(" at line ")
        .or_else(|| text.find(" at position "))
        .map(|i| &text[..i])
        .unwrap_or(&text)
        .to_string();
    let problem = problem
        .split(", while ")
        .next()
        .unwrap_or(&problem)
        .to_string();
    if is_reader_problem(&problem) {
        let (line, column) = lines.first_control_char().unwrap_or((abs_line, col));
        return YamlError::Syntax {
            message: format!("yaml: {problem}"),
            line,
            column,
        };
    }
    // go-yaml's `fail()`: the problem mark's 0-based line, plus one for scanner errors; else the
    // context mark's 0-based line; nothing when both are on the first line.
    let problem_line0 = rel_line.saturating_sub(1);
    let context_line0 = context_line(&text)
        .map(|l| l.saturating_sub(1))
        .unwrap_or(0);
    let go_line = if problem_line0 != 0 {
        if is_parser_problem(&problem) {
            problem_line0
        } else {
            problem_line0 + 1
        }
    } else {
        context_line0
    };
    let message = if go_line != 0 {
        format!("yaml: line {go_line}: {problem}")
    } else {
        format!("yaml: {problem}")
    };
    YamlError::Syntax {
        message,
        line: abs_line,
        column: col,
    }
}

/// The line of the context mark in a libyaml error text (`..., while parsing X at line L column C`).
fn context_line(text: &str) -> Option<usize> {
    let first = text.find(" at line ")?;
    let rest = &text[first + 1..];
    let second = rest.find(" at line ")?;
    let tail = &rest[second + " at line ".len()..];
    tail.split_whitespace().next()?.parse().ok()
}

fn is_parser_problem(problem: &str) -> bool {
    matches!(
        problem,
        "did not find expected <document start>"
            | "did not find expected node content"
            | "did not find expected '-' indicator"
            | "did not find expected key"
            | "did not find expected ',' or ']'"
            | "did not find expected ',' or '}'"
            | "found duplicate %YAML directive"
            | "found incompatible YAML document"
            | "found duplicate %TAG directive"
            | "found undefined tag handle"
    )
}

fn is_reader_problem(problem: &str) -> bool {
    problem.starts_with("control characters are not allowed")
        || problem.starts_with("invalid leading UTF-8 octet")
        || problem.starts_with("incomplete UTF-8 octet sequence")
        || problem.starts_with("invalid trailing UTF-8 octet")
        || problem.starts_with("invalid length of a UTF-8 sequence")
        || problem.starts_with("invalid Unicode character")
        || problem.starts_with("input is too long")
}

// ---------------------------------------------------------------------------------------------
// Positions: a small reader of block-style YAML

/// One line with content (blank lines and comment-only lines are left out).
struct Line<'a> {
    /// Absolute 1-based line number.
    no: usize,
    /// The line without its line break.
    text: &'a str,
    /// The line with its line break.
    full: &'a str,
    full_len: usize,
    /// Byte offset of the line in its chunk.
    offset: usize,
    /// Leading spaces.
    indent: usize,
}

/// A node's place: it starts at (`line`, `col`) (byte column) and continues over the following
/// lines indented more than `parent` (or, for a list written at its key's indentation, over the
/// `- ` lines at that indentation).
#[derive(Clone, Copy, Debug)]
struct Region {
    line: usize,
    col: usize,
    parent: isize,
    same_indent_seq: bool,
    /// The node starts on its key's line (after `key: ` or `- `).
    inline: bool,
}

/// What a path segment found.
struct Hit {
    /// The key (or the list item's content).
    key: (usize, usize),
    /// Where the value starts when it is on the key's line.
    value_inline: Option<(usize, usize)>,
    /// The value's region, to look further in.
    region: Option<Region>,
    /// Found inside a flow collection (`{...}`, `[...]`).
    in_flow: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Key,
    Value,
}

struct Lines<'a> {
    lines: Vec<Line<'a>>,
    chunk_text: &'a str,
    start_line: usize,
}

fn parse_path(path: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !cur.is_empty() {
                    segs.push(Seg::Key(std::mem::take(&mut cur)));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    segs.push(Seg::Key(std::mem::take(&mut cur)));
                }
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    inner.push(c);
                }
                match inner.parse::<usize>() {
                    Ok(i) => segs.push(Seg::Index(i)),
                    Err(_) => segs.push(Seg::Key(inner)),
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        segs.push(Seg::Key(cur));
    }
    segs
}

fn char_col(text: &str, byte_col: usize) -> usize {
    text.get(..byte_col.min(text.len()))
        .map(|s| s.chars().count())
        .unwrap_or(byte_col)
        + 1
}

/// Skip anchors (`&a`) and tags (`!t`) before a value; return the byte offset of the value.
fn skip_properties(s: &str, mut i: usize) -> usize {
    loop {
        let rest = s.get(i..).unwrap_or("");
        let trimmed = rest.trim_start_matches([' ', '\t']);
        i += rest.len() - trimmed.len();
        if trimmed.starts_with('&') || trimmed.starts_with('!') {
            let token = trimmed.find([' ', '\t']).unwrap_or(trimmed.len());
            i += token;
        } else {
            return i;
        }
    }
}

fn is_dash_at(s: &str, col: usize) -> bool {
    let rest = s.get(col..).unwrap_or("");
    rest == "-" || rest.starts_with("- ") || rest.starts_with("-\t")
}

/// Length of the scalar token at the start of `s` (to replace a value in place); inside a flow
/// collection a plain scalar also ends at `,`, `}` and `]`.
fn scalar_token_len(s: &str, in_flow: bool) -> usize {
    if let Some(body) = s.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                return i + 2;
            }
        }
        return s.len();
    }
    if let Some(body) = s.strip_prefix('\'') {
        let bytes = body.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                return i + 2;
            }
            i += 1;
        }
        return s.len();
    }
    let mut end = s.find(" #").or_else(|| s.find("\t#")).unwrap_or(s.len());
    if in_flow {
        end = end.min(s.find([',', '}', ']']).unwrap_or(s.len()));
    }
    s[..end].trim_end().len()
}

/// Parse a block mapping key at the start of `s`: (key, byte offset just after the `:`).
fn parse_key(s: &str) -> Option<(String, usize)> {
    if s.starts_with('-') && is_dash_at(s, 0) {
        return None;
    }
    if s.starts_with('#') || s.starts_with('[') || s.starts_with('{') {
        return None;
    }
    let (key, after) = if let Some(body) = s.strip_prefix('"') {
        let end = scalar_token_len(s, false);
        let key = body
            .get(..end.saturating_sub(2))
            .unwrap_or("")
            .replace("\\\"", "\"");
        (key, end)
    } else if let Some(body) = s.strip_prefix('\'') {
        let end = scalar_token_len(s, false);
        let key = body
            .get(..end.saturating_sub(2))
            .unwrap_or("")
            .replace("''", "'");
        (key, end)
    } else {
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut found = None;
        while i < bytes.len() {
            if bytes[i] == b':' {
                let next = bytes.get(i + 1);
                if next.is_none() || next == Some(&b' ') || next == Some(&b'\t') {
                    found = Some(i);
                    break;
                }
            }
            if bytes[i] == b'#' && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
                return None;
            }
            i += 1;
        }
        let colon = found?;
        return Some((s[..colon].trim_end().to_string(), colon + 1));
    };
    let rest = s.get(after..)?;
    let trimmed = rest.trim_start_matches([' ', '\t']);
    if trimmed.starts_with(':') {
        Some((key, after + (rest.len() - trimmed.len()) + 1))
    } else {
        None
    }
}

impl<'a> Lines<'a> {
    fn new(chunk_text: &'a str, start_line: usize) -> Self {
        let mut lines = Vec::new();
        let mut offset = 0usize;
        for (i, full) in chunk_text.split_inclusive('\n').enumerate() {
            let text = full.trim_end_matches(['\n', '\r']);
            if is_content_line(text) {
                let indent = text.len() - text.trim_start_matches(' ').len();
                lines.push(Line {
                    no: start_line + i,
                    text,
                    full,
                    full_len: full.len(),
                    offset,
                    indent,
                });
            }
            offset += full.len();
        }
        Lines {
            lines,
            chunk_text,
            start_line,
        }
    }

    fn pos(&self, (li, col): (usize, usize)) -> (usize, usize) {
        match self.lines.get(li) {
            Some(l) => (l.no, char_col(l.text, col)),
            None => (self.start_line, 1),
        }
    }

    fn root(&self) -> Option<Region> {
        let first = self.lines.first()?;
        Some(Region {
            line: 0,
            col: first.indent,
            parent: -1,
            same_indent_seq: false,
            inline: false,
        })
    }

    fn char_at(&self, li: usize, col: usize) -> Option<char> {
        self.lines.get(li)?.text.get(col..)?.chars().next()
    }

    /// Entry starts of a block collection: the region's first position and each following line
    /// at the same indentation, until the region ends.
    fn entries(&self, r: &Region) -> Vec<(usize, usize)> {
        let mut out = vec![(r.line, r.col)];
        let c = r.col;
        for (li, l) in self.lines.iter().enumerate().skip(r.line + 1) {
            let ind = l.indent as isize;
            if ind < r.parent
                || (ind == r.parent && !(r.same_indent_seq && is_dash_at(l.text, l.indent)))
            {
                break;
            }
            if l.indent == c {
                out.push((li, c));
            } else if l.indent < c {
                break;
            }
        }
        out
    }

    /// The value that follows a key (whose content starts at `after` on line `li`, owned by a
    /// collection at indentation `owner`).
    fn value_after(
        &self,
        li: usize,
        after: usize,
        owner: usize,
    ) -> (Option<(usize, usize)>, Option<Region>) {
        let text = self.lines.get(li).map(|l| l.text).unwrap_or("");
        let v = skip_properties(text, after);
        let rest = text.get(v..).unwrap_or("");
        if !rest.is_empty() && !rest.starts_with('#') {
            let region = Region {
                line: li,
                col: v,
                parent: owner as isize,
                same_indent_seq: false,
                inline: true,
            };
            return (Some((li, v)), Some(region));
        }
        let Some(next) = self.lines.get(li + 1) else {
            return (None, None);
        };
        if next.indent > owner {
            (
                None,
                Some(Region {
                    line: li + 1,
                    col: next.indent,
                    parent: owner as isize,
                    same_indent_seq: false,
                    inline: false,
                }),
            )
        } else if next.indent == owner && is_dash_at(next.text, next.indent) {
            (
                None,
                Some(Region {
                    line: li + 1,
                    col: owner,
                    parent: owner as isize,
                    same_indent_seq: true,
                    inline: false,
                }),
            )
        } else {
            (None, None)
        }
    }

    fn find(&self, r: &Region, seg: &Seg) -> Option<Hit> {
        match self.char_at(r.line, r.col) {
            Some('{') | Some('[') => return self.find_flow(r, seg),
            _ => {}
        }
        let entries = self.entries(r);
        match seg {
            Seg::Key(key) => {
                for (li, col) in entries {
                    let text = self.lines.get(li)?.text;
                    let s = text.get(col..)?;
                    if let Some((k, after)) = parse_key(s) {
                        if &k == key {
                            let (value_inline, region) = self.value_after(li, col + after, col);
                            return Some(Hit {
                                key: (li, col),
                                value_inline,
                                region,
                                in_flow: false,
                            });
                        }
                    }
                }
                None
            }
            Seg::Index(i) => {
                let (li, col) = entries
                    .into_iter()
                    .filter(|(li, col)| {
                        self.lines
                            .get(*li)
                            .is_some_and(|l| is_dash_at(l.text, *col))
                    })
                    .nth(*i)?;
                let text = self.lines.get(li)?.text;
                let content = skip_properties(text, col + 1);
                let rest = text.get(content..).unwrap_or("");
                if !rest.is_empty() && !rest.starts_with('#') {
                    Some(Hit {
                        key: (li, content),
                        value_inline: Some((li, content)),
                        region: Some(Region {
                            line: li,
                            col: content,
                            parent: col as isize,
                            same_indent_seq: false,
                            inline: true,
                        }),
                        in_flow: false,
                    })
                } else {
                    let (_, region) = self.value_after(li, content, col);
                    Some(Hit {
                        key: (li, col),
                        value_inline: None,
                        region,
                        in_flow: false,
                    })
                }
            }
        }
    }

    /// Look inside a flow collection (`{a: 1, b: [x, y]}`), possibly over several lines.
    fn find_flow(&self, r: &Region, seg: &Seg) -> Option<Hit> {
        let mut chars: Vec<(usize, usize, char)> = Vec::new();
        'outer: for (li, l) in self.lines.iter().enumerate().skip(r.line) {
            let start = if li == r.line { r.col } else { 0 };
            for (b, c) in l.text.get(start..).unwrap_or("").char_indices() {
                chars.push((li, start + b, c));
                if chars.len() > MAX_FLOW_SCAN {
                    break 'outer;
                }
            }
            chars.push((li, l.text.len(), ' '));
        }
        let open = chars.first()?.2;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut element = 0usize;
        let mut at_element_start = true;
        let mut i = 0usize;
        while i < chars.len() {
            let (li, col, c) = chars[i];
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                } else if c == '\\' && q == '"' {
                    i += 1;
                }
                i += 1;
                continue;
            }
            // An element starts at its first non-blank character at depth 1 (possibly a
            // nested collection).
            if depth == 1 && at_element_start && !c.is_whitespace() && !matches!(c, ',' | '}' | ']')
            {
                at_element_start = false;
                match (open, seg) {
                    ('[', Seg::Index(n)) if element == *n => {
                        return Some(self.flow_hit((li, col), (li, col)));
                    }
                    ('{', Seg::Key(key)) => {
                        let text = self.lines.get(li)?.text.get(col..)?;
                        if let Some((k, after)) = parse_flow_key(text) {
                            if &k == key {
                                let line_text = self.lines.get(li)?.text;
                                let v = skip_properties(line_text, col + after);
                                return Some(self.flow_hit((li, col), (li, v)));
                            }
                        }
                    }
                    _ => {}
                }
            }
            match c {
                '{' | '[' => {
                    depth += 1;
                    if depth == 1 {
                        at_element_start = true;
                    }
                }
                '}' | ']' => {
                    if depth <= 1 {
                        return None;
                    }
                    depth -= 1;
                }
                ',' if depth == 1 => {
                    element += 1;
                    at_element_start = true;
                }
                '"' | '\'' => quote = Some(c),
                _ => {}
            }
            i += 1;
        }
        None
    }

    fn flow_hit(&self, key: (usize, usize), value: (usize, usize)) -> Hit {
        Hit {
            key,
            value_inline: Some(value),
            region: Some(Region {
                line: value.0,
                col: value.1,
                parent: -1,
                same_indent_seq: false,
                inline: true,
            }),
            in_flow: true,
        }
    }

    /// Walk `segs` from the root; the hit of the last segment, if every segment was found.
    fn find_path(&self, segs: &[Seg]) -> Option<Hit> {
        let mut region = self.root()?;
        let mut last = None;
        for (i, seg) in segs.iter().enumerate() {
            let hit = self.find(&region, seg)?;
            match hit.region {
                Some(r) => region = r,
                None if i + 1 < segs.len() => return None,
                None => {}
            }
            last = Some(hit);
        }
        last
    }

    /// Best position for `path`: the deepest segment found.
    fn locate_segs(&self, segs: &[Seg], mode: Mode) -> Option<((usize, usize), usize)> {
        let mut region = self.root()?;
        let mut best = ((region.line, region.col), 0usize);
        for (depth, seg) in segs.iter().enumerate() {
            let Some(hit) = self.find(&region, seg) else {
                break;
            };
            let last = depth + 1 == segs.len();
            best.0 = match (last, mode, hit.value_inline) {
                (true, Mode::Value, Some(v)) => v,
                _ => hit.key,
            };
            best.1 = depth + 1;
            match hit.region {
                Some(r) => region = r,
                None => break,
            }
        }
        Some(best)
    }

    /// The position of `path`, trying the spellings Kubernetes uses in messages for fields
    /// written otherwise (`spec.clusterIPs` for `spec.clusterIP`, `spec.template.labels` for
    /// `spec.template.metadata.labels`).
    fn locate(&self, path: &str, mode: Mode, fallback_line: usize) -> (usize, usize) {
        let mut best: Option<((usize, usize), usize)> = None;
        for candidate in path_spellings(path) {
            let segs = parse_path(&candidate);
            if let Some((pos, depth)) = self.locate_segs(&segs, mode) {
                let full = depth == segs.len();
                if full {
                    return self.pos(pos);
                }
                if best.is_none_or(|(_, d)| depth > d) {
                    best = Some((pos, depth));
                }
            }
        }
        match best {
            Some((pos, _)) => self.pos(pos),
            None => (fallback_line, 1),
        }
    }

    fn first_alias(&self) -> Option<(usize, usize)> {
        for l in &self.lines {
            let bytes = l.text.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if *b == b'*'
                    && (i == 0 || matches!(bytes[i - 1], b' ' | b'[' | b',' | b'{' | b'-'))
                {
                    return Some((l.no, char_col(l.text, i)));
                }
            }
        }
        None
    }

    fn alias_name_at(&self, line: usize, col: usize) -> Option<String> {
        let l = self.lines.iter().find(|l| l.no == line)?;
        let start: usize = l
            .text
            .char_indices()
            .nth(col.saturating_sub(1))
            .map(|(b, _)| b)?;
        let rest = l.text.get(start..)?;
        let rest = rest.strip_prefix('*').unwrap_or(rest);
        Some(
            rest.chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}'))
                .collect(),
        )
    }

    fn first_control_char(&self) -> Option<(usize, usize)> {
        for (i, full) in self.chunk_text.split_inclusive('\n').enumerate() {
            let text = full.trim_end_matches(['\n', '\r']);
            if let Some((b, _)) = text
                .char_indices()
                .find(|(_, c)| c.is_control() && *c != '\t')
            {
                return Some((self.start_line + i, char_col(text, b)));
            }
        }
        None
    }
}

fn parse_flow_key(s: &str) -> Option<(String, usize)> {
    if s.starts_with('"') || s.starts_with('\'') {
        return parse_key(s);
    }
    let end = s.find([':', ',', '}', ']']).unwrap_or(s.len());
    if s.as_bytes().get(end) != Some(&b':') {
        return None;
    }
    Some((s[..end].trim().to_string(), end + 1))
}

fn path_spellings(path: &str) -> Vec<String> {
    let mut out = vec![path.to_string()];
    let mut add = |from: &str, to: &str| {
        if let Some(rest) = path.strip_prefix(from) {
            out.push(format!("{to}{rest}"));
        } else if let Some(pos) = path.find(&format!(".{from}")) {
            // inside a List item: `items[0].spec.clusterIPs`
            let (head, tail) = path.split_at(pos + 1);
            if let Some(rest) = tail.strip_prefix(from) {
                out.push(format!("{head}{to}{rest}"));
            }
        }
    };
    add("spec.clusterIPs[0]", "spec.clusterIP");
    add("spec.clusterIPs", "spec.clusterIP");
    add("spec.template.labels", "spec.template.metadata.labels");
    add(
        "spec.template.annotations",
        "spec.template.metadata.annotations",
    );
    add(
        "spec.LoadBalancerSourceRanges",
        "spec.loadBalancerSourceRanges",
    );
    add(
        "allocateLoadBalancerNodePorts",
        "spec.allocateLoadBalancerNodePorts",
    );
    out
}

// ---------------------------------------------------------------------------------------------
// Reading one document

struct DocCtx<'a> {
    index: usize,
    filename: &'a str,
    chunk: &'a Chunk<'a>,
    /// The document's lines, read only when an error needs a position.
    lines: OnceCell<Lines<'a>>,
}

impl<'a> DocCtx<'a> {
    fn lines(&self) -> &Lines<'a> {
        self.lines
            .get_or_init(|| Lines::new(self.chunk.text, self.chunk.start_line))
    }

    fn error_at(&self, line: usize, column: usize, message: String) -> ManifestError {
        simple_error(self.index, line, column, message)
    }

    /// Position of a field (with the `items[i].` prefix for List items).
    fn at(&self, prefix: &str, path: &str, mode: Mode) -> (usize, usize) {
        let full = if prefix.is_empty() {
            path.to_string()
        } else if path.is_empty() {
            prefix.trim_end_matches('.').to_string()
        } else {
            format!("{prefix}{path}")
        };
        self.lines().locate(&full, mode, self.chunk.first_line)
    }

    /// A multi-cause error: locate each cause; the error sits at the first one.
    fn fields_error(
        &self,
        prefix: &str,
        message: String,
        mut fields: Vec<FieldError>,
        mode: Mode,
    ) -> ManifestError {
        let fallback = if prefix.is_empty() {
            (self.chunk.first_line, 1)
        } else {
            self.at(prefix, "", Mode::Key)
        };
        for (i, f) in fields.iter_mut().enumerate() {
            let (line, column) = if i < MAX_LOCATED {
                self.at(prefix, &f.path, mode)
            } else {
                fallback
            };
            f.line = line;
            f.column = column;
        }
        let (line, column) = fields
            .first()
            .map(|f| (f.line, f.column))
            .unwrap_or(fallback);
        ManifestError {
            document: self.index,
            line,
            column,
            message,
            fields,
        }
    }
}

/// The kinds svclab simulates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Deployment,
    Service,
    Pod,
    Namespace,
    NetworkPolicy,
    List,
}

fn kind_for(api_version: &str, kind: &str) -> Option<Kind> {
    match (api_version, kind) {
        ("apps/v1", "Deployment") => Some(Kind::Deployment),
        ("v1", "Service") => Some(Kind::Service),
        ("v1", "Pod") => Some(Kind::Pod),
        ("v1", "Namespace") => Some(Kind::Namespace),
        ("networking.k8s.io/v1", "NetworkPolicy") => Some(Kind::NetworkPolicy),
        ("v1", "List")
        | ("apps/v1", "DeploymentList")
        | ("v1", "ServiceList")
        | ("v1", "PodList")
        | ("v1", "NamespaceList")
        | ("networking.k8s.io/v1", "NetworkPolicyList") => Some(Kind::List),
        _ => None,
    }
}

/// Built-in kinds a real cluster serves that svclab does not simulate.
fn is_real_kind(api_version: &str, kind: &str) -> bool {
    let core = [
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "Endpoints",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "ReplicationController",
        "LimitRange",
        "ResourceQuota",
        "Event",
        "Node",
        "PodTemplate",
        "Binding",
    ];
    let listed: &[(&str, &[&str])] = &[
        ("v1", &core),
        (
            "apps/v1",
            &[
                "ReplicaSet",
                "StatefulSet",
                "DaemonSet",
                "ControllerRevision",
            ],
        ),
        ("batch/v1", &["Job", "CronJob"]),
        ("networking.k8s.io/v1", &["Ingress", "IngressClass"]),
        ("discovery.k8s.io/v1", &["EndpointSlice"]),
        ("autoscaling/v1", &["HorizontalPodAutoscaler"]),
        ("autoscaling/v2", &["HorizontalPodAutoscaler"]),
        ("policy/v1", &["PodDisruptionBudget"]),
        (
            "rbac.authorization.k8s.io/v1",
            &["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
        ),
        (
            "storage.k8s.io/v1",
            &["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment"],
        ),
        ("scheduling.k8s.io/v1", &["PriorityClass"]),
        ("coordination.k8s.io/v1", &["Lease"]),
        ("node.k8s.io/v1", &["RuntimeClass"]),
        ("apiextensions.k8s.io/v1", &["CustomResourceDefinition"]),
        (
            "admissionregistration.k8s.io/v1",
            &[
                "ValidatingWebhookConfiguration",
                "MutatingWebhookConfiguration",
                "ValidatingAdmissionPolicy",
                "ValidatingAdmissionPolicyBinding",
            ],
        ),
        ("certificates.k8s.io/v1", &["CertificateSigningRequest"]),
        (
            "flowcontrol.apiserver.k8s.io/v1",
            &["FlowSchema", "PriorityLevelConfiguration"],
        ),
    ];
    listed
        .iter()
        .any(|(v, kinds)| *v == api_version && kinds.contains(&kind))
}

const STOP_VALIDATE: &str =
    "if you choose to ignore these errors, turn validation off with --validate=false";

/// An object read from a document: the object, its first line, its position in a `List`.
type Found = (Object, usize, Option<usize>);

/// Read one document: its objects with their lines, or its errors.
fn read_document(ctx: &DocCtx, budget: &Budget) -> Result<Vec<Found>, Vec<ManifestError>> {
    let root = match parse_node(ctx.chunk.text, budget) {
        Ok(n) => n,
        Err(e) => {
            let (message, line, column) = match yaml_error(&e, ctx.chunk, ctx.lines()) {
                YamlError::Syntax {
                    message,
                    line,
                    column,
                } => (
                    format!(
                        "error: error parsing {}: error converting YAML to JSON: {message}",
                        ctx.filename
                    ),
                    line,
                    column,
                ),
                YamlError::Limit {
                    message,
                    line,
                    column,
                } => (
                    format!("error: error parsing {}: {message}", ctx.filename),
                    line,
                    column,
                ),
            };
            return Err(vec![ctx.error_at(line, column, message)]);
        }
    };
    if root == Node::Null {
        return Ok(Vec::new());
    }
    let (api_version, kind) = match check_type_meta(ctx, &root, "") {
        Ok(tm) => tm,
        Err(e) => return Err(vec![e]),
    };
    if kind != Kind::List {
        let line = ctx.chunk.first_line;
        return read_object(ctx, &root, &api_version, kind, "")
            .map(|o| vec![(o, line, None)])
            .map_err(|e| vec![e]);
    }
    let Node::Map(map) = &root else {
        return Ok(Vec::new());
    };
    let items = match map.get("items") {
        None | Some(Node::Null) => return Ok(Vec::new()),
        Some(Node::Seq(items)) => items,
        Some(other) => {
            let (line, column) = ctx.at("", "items", Mode::Value);
            return Err(vec![ctx.error_at(
                line,
                column,
                format!(
                    "error: unable to decode {}: json: cannot unmarshal {} into Go struct field List.items of type []runtime.RawExtension",
                    go_quote(ctx.filename),
                    other.json_kind()
                ),
            )]);
        }
    };
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("items[{i}].");
        if *item == Node::Null {
            continue;
        }
        let (item_line, _) = ctx.at(&prefix, "", Mode::Key);
        let result = check_type_meta(ctx, item, &prefix).and_then(|(v, k)| {
            if k == Kind::List {
                let (line, column) = ctx.at(&prefix, "kind", Mode::Value);
                Err(ctx.error_at(
                    line,
                    column,
                    "error: svclab does not read a List inside a List; put the inner items in the outer list".to_string(),
                ))
            } else {
                read_object(ctx, item, &v, k, &prefix)
            }
        });
        match result {
            Ok(o) => objects.push((o, item_line, Some(i))),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(objects)
    } else {
        Err(errors)
    }
}

/// kubectl's client-side checks of `apiVersion` and `kind`, then the REST mapping.
fn check_type_meta(
    ctx: &DocCtx,
    node: &Node,
    prefix: &str,
) -> Result<(String, Kind), ManifestError> {
    let Node::Map(map) = node else {
        let (line, column) = ctx.at(prefix, "", Mode::Key);
        return Err(ctx.error_at(
            line,
            column,
            format!(
                "error: error validating {}: error validating data: invalid object to validate; {STOP_VALIDATE}",
                go_quote(ctx.filename)
            ),
        ));
    };
    let mut problems = Vec::new();
    let api_version = match map.get("apiVersion") {
        None | Some(Node::Null) => {
            problems.push("apiVersion not set");
            None
        }
        Some(Node::Str(s)) => Some(s.clone()),
        Some(_) => {
            problems.push("apiVersion isn't string type");
            None
        }
    };
    let kind = match map.get("kind") {
        None | Some(Node::Null) => {
            problems.push("kind not set");
            None
        }
        Some(Node::Str(s)) => Some(s.clone()),
        Some(_) => {
            problems.push("kind isn't string type");
            None
        }
    };
    if !problems.is_empty() {
        let agg = if problems.len() == 1 {
            problems[0].to_string()
        } else {
            format!("[{}]", problems.join(", "))
        };
        let first = if problems[0].starts_with("apiVersion") {
            "apiVersion"
        } else {
            "kind"
        };
        let (line, column) = ctx.at(prefix, first, Mode::Value);
        return Err(ctx.error_at(
            line,
            column,
            format!(
                "error: error validating {}: error validating data: {agg}; {STOP_VALIDATE}",
                go_quote(ctx.filename)
            ),
        ));
    }
    let api_version = api_version.unwrap_or_default();
    let kind = kind.unwrap_or_default();
    if let Some(k) = kind_for(&api_version, &kind) {
        return Ok((api_version, k));
    }
    let (line, column) = ctx.at(prefix, "kind", Mode::Value);
    if is_real_kind(&api_version, &kind) {
        return Err(ctx.error_at(
            line,
            column,
            format!(
                "error: svclab does not simulate {kind} objects ({api_version}); it reads Deployment (apps/v1), Service, Pod, Namespace and List (v1), and NetworkPolicy (networking.k8s.io/v1)"
            ),
        ));
    }
    let meta = match map.get("metadata") {
        Some(Node::Map(m)) => Some(m),
        _ => None,
    };
    let name = meta
        .and_then(|m| match m.get("name") {
            Some(Node::Str(s)) => Some(s.as_str()),
            _ => None,
        })
        .unwrap_or("");
    let namespace = meta
        .and_then(|m| match m.get("namespace") {
            Some(Node::Str(s)) => Some(s.as_str()),
            _ => None,
        })
        .unwrap_or("");
    Err(ctx.error_at(
        line,
        column,
        format!(
            "error: resource mapping not found for name: {} namespace: {} from {}: no matches for kind {} in version {}\nensure CRDs are installed first",
            go_quote(name),
            go_quote(namespace),
            go_quote(ctx.filename),
            go_quote(&kind),
            go_quote(&api_version)
        ),
    ))
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Deployment => "Deployment",
        Kind::Service => "Service",
        Kind::Pod => "Pod",
        Kind::Namespace => "Namespace",
        Kind::NetworkPolicy => "NetworkPolicy",
        Kind::List => "List",
    }
}

/// Decode, default, convert and validate one object.
fn read_object(
    ctx: &DocCtx,
    node: &Node,
    api_version: &str,
    kind: Kind,
    prefix: &str,
) -> Result<Object, ManifestError> {
    let kname = kind_name(kind);
    let schema = match kind {
        Kind::Deployment => &DEPLOYMENT,
        Kind::Service => &SERVICE,
        Kind::Pod => &POD,
        Kind::Namespace => &NAMESPACE,
        Kind::NetworkPolicy => &NETWORK_POLICY,
        Kind::List => &LIST,
    };
    let mut dec = Decoder::default();
    dec.walk_struct(node, schema, schema.name, &Path::Root);
    let version = api_version.rsplit('/').next().unwrap_or(api_version);
    let header = format!(
        "Error from server (BadRequest): error when creating {}: {kname} in version {} cannot be handled as a {kname}: ",
        go_quote(ctx.filename),
        go_quote(version)
    );
    let first_type_error = dec
        .type_errors
        .iter()
        .find(|e| e.immediate)
        .or_else(|| dec.type_errors.first());
    if let Some(first) = first_type_error {
        let fields: Vec<FieldError> = dec
            .type_errors
            .iter()
            .map(|e| FieldError::new(e.path.clone(), e.message.clone()))
            .collect();
        let mut err = ctx.fields_error(
            prefix,
            format!("{header}{}", first.message),
            fields,
            Mode::Value,
        );
        if let Some(f) = err.fields.iter().find(|f| f.detail == first.message) {
            err.line = f.line;
            err.column = f.column;
        }
        return Err(err);
    }
    if !dec.unknown.is_empty() {
        let list: Vec<String> = dec
            .unknown
            .iter()
            .map(|p| format!("unknown field {}", go_quote(p)))
            .collect();
        let fields: Vec<FieldError> = dec
            .unknown
            .iter()
            .zip(&list)
            .map(|(p, m)| FieldError::new(p.clone(), m.clone()))
            .collect();
        return Err(ctx.fields_error(
            prefix,
            format!("{header}strict decoding error: {}", list.join(", ")),
            fields,
            Mode::Key,
        ));
    }
    let Node::Map(map) = node else {
        return Err(ctx.error_at(ctx.chunk.first_line, 1, format!("{header}invalid object")));
    };
    let mut conv = Conv::default();
    let object = match kind {
        Kind::Deployment => Object::Deployment(conv.deployment(map)),
        Kind::Service => Object::Service(conv.service(map)),
        Kind::Pod => Object::Pod(conv.pod(map)),
        Kind::Namespace => Object::Namespace(Namespace {
            meta: conv.meta(map, false),
        }),
        Kind::NetworkPolicy => Object::NetworkPolicy(conv.network_policy(map)),
        Kind::List => {
            return Err(ctx.error_at(
                ctx.chunk.first_line,
                1,
                "error: unexpected List".to_string(),
            ))
        }
    };
    let written = Written {
        set: Some(conv.set),
        causes: conv.causes,
    };
    let mut fields = validate::validate_with(&object, &written);
    if fields.is_empty() {
        fields = validate::allocation_checks(&object);
    }
    if fields.is_empty() {
        return Ok(object);
    }
    let message = validate::invalid_message(kname, &object.meta().name, &fields);
    Err(ctx.fields_error(prefix, message, fields, Mode::Value))
}

// ---------------------------------------------------------------------------------------------
// Strict decoding, as the API server decodes JSON into the Go types

/// The shape of a Go field, for type errors and unknown fields.
#[derive(Clone, Copy)]
enum Ty {
    /// Accepted as is (status, quantities, affinity, ...).
    Any,
    /// A string-typed field; the Go type name (`string`, `v1.Protocol`).
    Str(&'static str),
    Int32,
    Int64,
    Bool,
    /// `intstr.IntOrString`.
    IntOrStr,
    /// `map[string]string`.
    StrMap,
    /// A map whose values are not checked (`v1.ResourceList`).
    AnyMap(&'static str),
    /// A list: element type and the list's Go type (`[]v1.Container`).
    List(&'static Ty, &'static str),
    Obj(&'static Struct),
}

impl Ty {
    fn go_name(&self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::Str(n) => n,
            Ty::Int32 => "int32",
            Ty::Int64 => "int64",
            Ty::Bool => "bool",
            Ty::IntOrStr => "intstr.IntOrString",
            Ty::StrMap => "map[string]string",
            Ty::AnyMap(n) => n,
            Ty::List(_, n) => n,
            Ty::Obj(s) => s.go,
        }
    }
}

/// A Go struct: its name in error messages (`ServicePort`), its type (`v1.ServicePort`), fields.
struct Struct {
    name: &'static str,
    go: &'static str,
    fields: &'static [(&'static str, Ty)],
}

struct TypeError {
    path: String,
    message: String,
    /// From a custom unmarshaller (`IntOrString`): Go stops at it, so it wins.
    immediate: bool,
}

#[derive(Default)]
struct Decoder {
    type_errors: Vec<TypeError>,
    unknown: Vec<String>,
}

/// Where the decoder is in the tree, kept on the stack and spelled out only for an error.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    /// A struct field, joined to what comes before with a dot.
    Field(&'p Path<'p>, &'p str),
    /// A list index, `[i]`: part of the located path, not of the Go field name.
    Index(&'p Path<'p>, usize),
    /// A map key, `[key]`: likewise.
    Key(&'p Path<'p>, &'p str),
}

impl Path<'_> {
    /// The Go field path (`spec.template.spec.containers.name`) without indices, or the located
    /// path (`spec.template.spec.containers[0].name`) with them.
    fn render(&self, indices: bool) -> String {
        let mut segs = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Field(parent, _) | Path::Index(parent, _) | Path::Key(parent, _) => {
                    segs.push(at);
                    at = parent;
                }
            }
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Path::Root => {}
                Path::Field(_, name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Path::Index(_, i) if indices => {
                    let _ = write!(out, "[{i}]");
                }
                Path::Key(_, k) if indices => {
                    let _ = write!(out, "[{k}]");
                }
                Path::Index(..) | Path::Key(..) => {}
            }
        }
        out
    }
}

impl Decoder {
    fn type_error(&mut self, what: String, go_struct: &str, path: &Path, ty: &str) {
        self.type_errors.push(TypeError {
            path: path.render(true),
            message: format!(
                "json: cannot unmarshal {what} into Go struct field {go_struct}.{} of type {ty}",
                path.render(false)
            ),
            immediate: false,
        });
    }

    /// `node` decoded into a struct at `path`.
    fn walk_struct(&mut self, node: &Node, s: &Struct, go_struct: &str, path: &Path) {
        match node {
            Node::Null => {}
            Node::Map(map) => {
                for (key, value) in map {
                    match s.fields.iter().find(|(name, _)| name == key) {
                        Some((name, ty)) => {
                            self.walk(value, *ty, s.name, &Path::Field(path, name));
                        }
                        None => self.unknown.push(Path::Field(path, key).render(true)),
                    }
                }
            }
            other => self.type_error(other.json_kind().to_string(), go_struct, path, s.go),
        }
    }

    fn walk(&mut self, node: &Node, ty: Ty, go_struct: &str, path: &Path) {
        if *node == Node::Null {
            return;
        }
        match ty {
            Ty::Any => {}
            Ty::Str(name) => {
                if !matches!(node, Node::Str(_)) {
                    self.type_error(node.json_kind().to_string(), go_struct, path, name);
                }
            }
            Ty::Int32 | Ty::Int64 => {
                let (lo, hi) = if matches!(ty, Ty::Int32) {
                    (i32::MIN as i64, i32::MAX as i64)
                } else {
                    (i64::MIN, i64::MAX)
                };
                match node {
                    Node::Int(_) | Node::Float(_) => {
                        if !node.as_int().is_some_and(|i| (lo..=hi).contains(&i)) {
                            self.type_error(
                                format!("number {}", node.number_literal()),
                                go_struct,
                                path,
                                ty.go_name(),
                            );
                        }
                    }
                    other => self.type_error(
                        other.json_kind().to_string(),
                        go_struct,
                        path,
                        ty.go_name(),
                    ),
                }
            }
            Ty::Bool => {
                if !matches!(node, Node::Bool(_)) {
                    self.type_error(node.json_kind().to_string(), go_struct, path, "bool");
                }
            }
            Ty::IntOrStr => {
                let what = match node {
                    Node::Str(_) => None,
                    Node::Int(_) | Node::Float(_) => {
                        if node
                            .as_int()
                            .is_some_and(|i| (i32::MIN as i64..=i32::MAX as i64).contains(&i))
                        {
                            None
                        } else {
                            Some(format!("number {}", node.number_literal()))
                        }
                    }
                    other => Some(other.json_kind().to_string()),
                };
                if let Some(what) = what {
                    self.type_errors.push(TypeError {
                        path: path.render(true),
                        message: format!(
                            "json: cannot unmarshal {what} into Go value of type int32"
                        ),
                        immediate: true,
                    });
                }
            }
            Ty::StrMap => match node {
                Node::Map(map) => {
                    for (k, v) in map {
                        if !matches!(v, Node::Str(_) | Node::Null) {
                            self.type_error(
                                v.json_kind().to_string(),
                                go_struct,
                                &Path::Key(path, k),
                                "string",
                            );
                        }
                    }
                }
                other => {
                    self.type_error(other.json_kind().to_string(), go_struct, path, ty.go_name())
                }
            },
            Ty::AnyMap(name) => {
                if !matches!(node, Node::Map(_)) {
                    self.type_error(node.json_kind().to_string(), go_struct, path, name);
                }
            }
            Ty::List(elem, name) => match node {
                Node::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let at = Path::Index(path, i);
                        match elem {
                            Ty::Obj(s) => {
                                if !matches!(item, Node::Map(_) | Node::Null) {
                                    self.type_error(
                                        item.json_kind().to_string(),
                                        go_struct,
                                        &at,
                                        s.go,
                                    );
                                } else {
                                    self.walk_struct(item, s, go_struct, &at);
                                }
                            }
                            other => self.walk(item, *other, go_struct, &at),
                        }
                    }
                }
                other => self.type_error(other.json_kind().to_string(), go_struct, path, name),
            },
            Ty::Obj(s) => self.walk_struct(node, s, go_struct, path),
        }
    }
}

// The Go types of the objects svclab reads (Kubernetes 1.31), every field, so that anything the API
// server accepts is accepted here. Subtrees svclab never looks into are `Any`.

const STRING: Ty = Ty::Str("string");
static STRING_T: Ty = STRING;
static INT64_T: Ty = Ty::Int64;
static ANY_T: Ty = Ty::Any;
static PROTOCOL: Ty = Ty::Str("v1.Protocol");

static OWNER_REFERENCE_T: Ty = Ty::Obj(&Struct {
    name: "OwnerReference",
    go: "v1.OwnerReference",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("name", STRING),
        ("uid", Ty::Str("types.UID")),
        ("controller", Ty::Bool),
        ("blockOwnerDeletion", Ty::Bool),
    ],
});

static MANAGED_FIELDS_T: Ty = Ty::Obj(&Struct {
    name: "ManagedFieldsEntry",
    go: "v1.ManagedFieldsEntry",
    fields: &[
        ("manager", STRING),
        ("operation", Ty::Str("v1.ManagedFieldsOperationType")),
        ("apiVersion", STRING),
        ("time", Ty::Any),
        ("fieldsType", STRING),
        ("fieldsV1", Ty::Any),
        ("subresource", STRING),
    ],
});

static OBJECT_META: Struct = Struct {
    name: "ObjectMeta",
    go: "v1.ObjectMeta",
    fields: &[
        ("name", STRING),
        ("generateName", STRING),
        ("namespace", STRING),
        ("selfLink", STRING),
        ("uid", Ty::Str("types.UID")),
        ("resourceVersion", STRING),
        ("generation", Ty::Int64),
        ("creationTimestamp", Ty::Any),
        ("deletionTimestamp", Ty::Any),
        ("deletionGracePeriodSeconds", Ty::Int64),
        ("labels", Ty::StrMap),
        ("annotations", Ty::StrMap),
        (
            "ownerReferences",
            Ty::List(&OWNER_REFERENCE_T, "[]v1.OwnerReference"),
        ),
        ("finalizers", Ty::List(&STRING_T, "[]string")),
        (
            "managedFields",
            Ty::List(&MANAGED_FIELDS_T, "[]v1.ManagedFieldsEntry"),
        ),
    ],
};

static LIST_META: Struct = Struct {
    name: "ListMeta",
    go: "v1.ListMeta",
    fields: &[
        ("selfLink", STRING),
        ("resourceVersion", STRING),
        ("continue", STRING),
        ("remainingItemCount", Ty::Int64),
    ],
};

static SELECTOR_REQUIREMENT_T: Ty = Ty::Obj(&Struct {
    name: "LabelSelectorRequirement",
    go: "v1.LabelSelectorRequirement",
    fields: &[
        ("key", STRING),
        ("operator", Ty::Str("v1.LabelSelectorOperator")),
        ("values", Ty::List(&STRING_T, "[]string")),
    ],
});

static LABEL_SELECTOR: Struct = Struct {
    name: "LabelSelector",
    go: "v1.LabelSelector",
    fields: &[
        ("matchLabels", Ty::StrMap),
        (
            "matchExpressions",
            Ty::List(&SELECTOR_REQUIREMENT_T, "[]v1.LabelSelectorRequirement"),
        ),
    ],
};

static EXEC_ACTION: Struct = Struct {
    name: "ExecAction",
    go: "v1.ExecAction",
    fields: &[("command", Ty::List(&STRING_T, "[]string"))],
};

static HTTP_HEADER_T: Ty = Ty::Obj(&Struct {
    name: "HTTPHeader",
    go: "v1.HTTPHeader",
    fields: &[("name", STRING), ("value", STRING)],
});

static HTTP_GET_ACTION: Struct = Struct {
    name: "HTTPGetAction",
    go: "v1.HTTPGetAction",
    fields: &[
        ("path", STRING),
        ("port", Ty::IntOrStr),
        ("host", STRING),
        ("scheme", Ty::Str("v1.URIScheme")),
        ("httpHeaders", Ty::List(&HTTP_HEADER_T, "[]v1.HTTPHeader")),
    ],
};

static TCP_SOCKET_ACTION: Struct = Struct {
    name: "TCPSocketAction",
    go: "v1.TCPSocketAction",
    fields: &[("port", Ty::IntOrStr), ("host", STRING)],
};

static GRPC_ACTION: Struct = Struct {
    name: "GRPCAction",
    go: "v1.GRPCAction",
    fields: &[("port", Ty::Int32), ("service", STRING)],
};

static SLEEP_ACTION: Struct = Struct {
    name: "SleepAction",
    go: "v1.SleepAction",
    fields: &[("seconds", Ty::Int64)],
};

static PROBE: Struct = Struct {
    name: "Probe",
    go: "v1.Probe",
    fields: &[
        ("exec", Ty::Obj(&EXEC_ACTION)),
        ("httpGet", Ty::Obj(&HTTP_GET_ACTION)),
        ("tcpSocket", Ty::Obj(&TCP_SOCKET_ACTION)),
        ("grpc", Ty::Obj(&GRPC_ACTION)),
        ("initialDelaySeconds", Ty::Int32),
        ("timeoutSeconds", Ty::Int32),
        ("periodSeconds", Ty::Int32),
        ("successThreshold", Ty::Int32),
        ("failureThreshold", Ty::Int32),
        ("terminationGracePeriodSeconds", Ty::Int64),
    ],
};

static LIFECYCLE_HANDLER: Struct = Struct {
    name: "LifecycleHandler",
    go: "v1.LifecycleHandler",
    fields: &[
        ("exec", Ty::Obj(&EXEC_ACTION)),
        ("httpGet", Ty::Obj(&HTTP_GET_ACTION)),
        ("tcpSocket", Ty::Obj(&TCP_SOCKET_ACTION)),
        ("sleep", Ty::Obj(&SLEEP_ACTION)),
    ],
};

static LIFECYCLE: Struct = Struct {
    name: "Lifecycle",
    go: "v1.Lifecycle",
    fields: &[
        ("postStart", Ty::Obj(&LIFECYCLE_HANDLER)),
        ("preStop", Ty::Obj(&LIFECYCLE_HANDLER)),
        ("stopSignal", Ty::Str("v1.Signal")),
    ],
};

static CONTAINER_PORT_T: Ty = Ty::Obj(&Struct {
    name: "ContainerPort",
    go: "v1.ContainerPort",
    fields: &[
        ("name", STRING),
        ("hostPort", Ty::Int32),
        ("containerPort", Ty::Int32),
        ("protocol", PROTOCOL),
        ("hostIP", STRING),
    ],
});

static KEY_SELECTOR: Struct = Struct {
    name: "ConfigMapKeySelector",
    go: "v1.ConfigMapKeySelector",
    fields: &[("name", STRING), ("key", STRING), ("optional", Ty::Bool)],
};

static SECRET_KEY_SELECTOR: Struct = Struct {
    name: "SecretKeySelector",
    go: "v1.SecretKeySelector",
    fields: &[("name", STRING), ("key", STRING), ("optional", Ty::Bool)],
};

static ENV_VAR_SOURCE: Struct = Struct {
    name: "EnvVarSource",
    go: "v1.EnvVarSource",
    fields: &[
        (
            "fieldRef",
            Ty::Obj(&Struct {
                name: "ObjectFieldSelector",
                go: "v1.ObjectFieldSelector",
                fields: &[("apiVersion", STRING), ("fieldPath", STRING)],
            }),
        ),
        (
            "resourceFieldRef",
            Ty::Obj(&Struct {
                name: "ResourceFieldSelector",
                go: "v1.ResourceFieldSelector",
                fields: &[
                    ("containerName", STRING),
                    ("resource", STRING),
                    ("divisor", Ty::Any),
                ],
            }),
        ),
        ("configMapKeyRef", Ty::Obj(&KEY_SELECTOR)),
        ("secretKeyRef", Ty::Obj(&SECRET_KEY_SELECTOR)),
        ("fileKeyRef", Ty::Any),
    ],
};

static ENV_VAR_T: Ty = Ty::Obj(&Struct {
    name: "EnvVar",
    go: "v1.EnvVar",
    fields: &[
        ("name", STRING),
        ("value", STRING),
        ("valueFrom", Ty::Obj(&ENV_VAR_SOURCE)),
    ],
});

static ENV_FROM_T: Ty = Ty::Obj(&Struct {
    name: "EnvFromSource",
    go: "v1.EnvFromSource",
    fields: &[
        ("prefix", STRING),
        (
            "configMapRef",
            Ty::Obj(&Struct {
                name: "ConfigMapEnvSource",
                go: "v1.ConfigMapEnvSource",
                fields: &[("name", STRING), ("optional", Ty::Bool)],
            }),
        ),
        (
            "secretRef",
            Ty::Obj(&Struct {
                name: "SecretEnvSource",
                go: "v1.SecretEnvSource",
                fields: &[("name", STRING), ("optional", Ty::Bool)],
            }),
        ),
    ],
});

static RESOURCE_CLAIM_T: Ty = Ty::Obj(&Struct {
    name: "ResourceClaim",
    go: "v1.ResourceClaim",
    fields: &[("name", STRING), ("request", STRING)],
});

static RESOURCE_REQUIREMENTS: Struct = Struct {
    name: "ResourceRequirements",
    go: "v1.ResourceRequirements",
    fields: &[
        ("limits", Ty::AnyMap("v1.ResourceList")),
        ("requests", Ty::AnyMap("v1.ResourceList")),
        ("claims", Ty::List(&RESOURCE_CLAIM_T, "[]v1.ResourceClaim")),
    ],
};

static RESIZE_POLICY_T: Ty = Ty::Obj(&Struct {
    name: "ContainerResizePolicy",
    go: "v1.ContainerResizePolicy",
    fields: &[
        ("resourceName", Ty::Str("v1.ResourceName")),
        ("restartPolicy", Ty::Str("v1.ResourceResizeRestartPolicy")),
    ],
});

static VOLUME_MOUNT_T: Ty = Ty::Obj(&Struct {
    name: "VolumeMount",
    go: "v1.VolumeMount",
    fields: &[
        ("name", STRING),
        ("readOnly", Ty::Bool),
        ("recursiveReadOnly", Ty::Str("v1.RecursiveReadOnlyMode")),
        ("mountPath", STRING),
        ("subPath", STRING),
        ("mountPropagation", Ty::Str("v1.MountPropagationMode")),
        ("subPathExpr", STRING),
    ],
});

static VOLUME_DEVICE_T: Ty = Ty::Obj(&Struct {
    name: "VolumeDevice",
    go: "v1.VolumeDevice",
    fields: &[("name", STRING), ("devicePath", STRING)],
});

static CAPABILITY_T: Ty = Ty::Str("v1.Capability");

static SECURITY_CONTEXT: Struct = Struct {
    name: "SecurityContext",
    go: "v1.SecurityContext",
    fields: &[
        (
            "capabilities",
            Ty::Obj(&Struct {
                name: "Capabilities",
                go: "v1.Capabilities",
                fields: &[
                    ("add", Ty::List(&CAPABILITY_T, "[]v1.Capability")),
                    ("drop", Ty::List(&CAPABILITY_T, "[]v1.Capability")),
                ],
            }),
        ),
        ("privileged", Ty::Bool),
        ("seLinuxOptions", Ty::Any),
        ("windowsOptions", Ty::Any),
        ("runAsUser", Ty::Int64),
        ("runAsGroup", Ty::Int64),
        ("runAsNonRoot", Ty::Bool),
        ("readOnlyRootFilesystem", Ty::Bool),
        ("allowPrivilegeEscalation", Ty::Bool),
        ("procMount", Ty::Str("v1.ProcMountType")),
        ("seccompProfile", Ty::Any),
        ("appArmorProfile", Ty::Any),
    ],
};

static CONTAINER: Struct = Struct {
    name: "Container",
    go: "v1.Container",
    fields: &[
        ("name", STRING),
        ("image", STRING),
        ("command", Ty::List(&STRING_T, "[]string")),
        ("args", Ty::List(&STRING_T, "[]string")),
        ("workingDir", STRING),
        ("ports", Ty::List(&CONTAINER_PORT_T, "[]v1.ContainerPort")),
        ("envFrom", Ty::List(&ENV_FROM_T, "[]v1.EnvFromSource")),
        ("env", Ty::List(&ENV_VAR_T, "[]v1.EnvVar")),
        ("resources", Ty::Obj(&RESOURCE_REQUIREMENTS)),
        (
            "resizePolicy",
            Ty::List(&RESIZE_POLICY_T, "[]v1.ContainerResizePolicy"),
        ),
        ("restartPolicy", Ty::Str("v1.ContainerRestartPolicy")),
        ("restartPolicyRules", Ty::Any),
        (
            "volumeMounts",
            Ty::List(&VOLUME_MOUNT_T, "[]v1.VolumeMount"),
        ),
        (
            "volumeDevices",
            Ty::List(&VOLUME_DEVICE_T, "[]v1.VolumeDevice"),
        ),
        ("livenessProbe", Ty::Obj(&PROBE)),
        ("readinessProbe", Ty::Obj(&PROBE)),
        ("startupProbe", Ty::Obj(&PROBE)),
        ("lifecycle", Ty::Obj(&LIFECYCLE)),
        ("terminationMessagePath", STRING),
        (
            "terminationMessagePolicy",
            Ty::Str("v1.TerminationMessagePolicy"),
        ),
        ("imagePullPolicy", Ty::Str("v1.PullPolicy")),
        ("securityContext", Ty::Obj(&SECURITY_CONTEXT)),
        ("stdin", Ty::Bool),
        ("stdinOnce", Ty::Bool),
        ("tty", Ty::Bool),
    ],
};

static CONTAINER_T: Ty = Ty::Obj(&CONTAINER);

/// Every volume source; svclab never mounts anything, so their contents are not checked.
const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

static VOLUME_T: Ty = Ty::Obj(&Struct {
    name: "Volume",
    go: "v1.Volume",
    fields: &[
        ("name", STRING),
        ("hostPath", Ty::Any),
        ("emptyDir", Ty::Any),
        ("gcePersistentDisk", Ty::Any),
        ("awsElasticBlockStore", Ty::Any),
        ("gitRepo", Ty::Any),
        ("secret", Ty::Any),
        ("nfs", Ty::Any),
        ("iscsi", Ty::Any),
        ("glusterfs", Ty::Any),
        ("persistentVolumeClaim", Ty::Any),
        ("rbd", Ty::Any),
        ("flexVolume", Ty::Any),
        ("cinder", Ty::Any),
        ("cephfs", Ty::Any),
        ("flocker", Ty::Any),
        ("downwardAPI", Ty::Any),
        ("fc", Ty::Any),
        ("azureFile", Ty::Any),
        ("configMap", Ty::Any),
        ("vsphereVolume", Ty::Any),
        ("quobyte", Ty::Any),
        ("azureDisk", Ty::Any),
        ("photonPersistentDisk", Ty::Any),
        ("projected", Ty::Any),
        ("portworxVolume", Ty::Any),
        ("scaleIO", Ty::Any),
        ("storageos", Ty::Any),
        ("csi", Ty::Any),
        ("ephemeral", Ty::Any),
        ("image", Ty::Any),
    ],
});

static TOLERATION_T: Ty = Ty::Obj(&Struct {
    name: "Toleration",
    go: "v1.Toleration",
    fields: &[
        ("key", STRING),
        ("operator", Ty::Str("v1.TolerationOperator")),
        ("value", STRING),
        ("effect", Ty::Str("v1.TaintEffect")),
        ("tolerationSeconds", Ty::Int64),
    ],
});

static HOST_ALIAS_T: Ty = Ty::Obj(&Struct {
    name: "HostAlias",
    go: "v1.HostAlias",
    fields: &[
        ("ip", STRING),
        ("hostnames", Ty::List(&STRING_T, "[]string")),
    ],
});

static DNS_OPTION_T: Ty = Ty::Obj(&Struct {
    name: "PodDNSConfigOption",
    go: "v1.PodDNSConfigOption",
    fields: &[("name", STRING), ("value", STRING)],
});

static POD_SECURITY_CONTEXT: Struct = Struct {
    name: "PodSecurityContext",
    go: "v1.PodSecurityContext",
    fields: &[
        ("seLinuxOptions", Ty::Any),
        ("windowsOptions", Ty::Any),
        ("runAsUser", Ty::Int64),
        ("runAsGroup", Ty::Int64),
        ("runAsNonRoot", Ty::Bool),
        ("supplementalGroups", Ty::List(&INT64_T, "[]int64")),
        (
            "supplementalGroupsPolicy",
            Ty::Str("v1.SupplementalGroupsPolicy"),
        ),
        ("fsGroup", Ty::Int64),
        ("sysctls", Ty::List(&ANY_T, "[]v1.Sysctl")),
        ("fsGroupChangePolicy", Ty::Str("v1.PodFSGroupChangePolicy")),
        ("seccompProfile", Ty::Any),
        ("appArmorProfile", Ty::Any),
        ("seLinuxChangePolicy", Ty::Str("v1.PodSELinuxChangePolicy")),
    ],
};

static LOCAL_OBJECT_REFERENCE_T: Ty = Ty::Obj(&Struct {
    name: "LocalObjectReference",
    go: "v1.LocalObjectReference",
    fields: &[("name", STRING)],
});

static POD_SPEC: Struct = Struct {
    name: "PodSpec",
    go: "v1.PodSpec",
    fields: &[
        ("volumes", Ty::List(&VOLUME_T, "[]v1.Volume")),
        ("initContainers", Ty::List(&CONTAINER_T, "[]v1.Container")),
        ("containers", Ty::List(&CONTAINER_T, "[]v1.Container")),
        (
            "ephemeralContainers",
            Ty::List(&ANY_T, "[]v1.EphemeralContainer"),
        ),
        ("restartPolicy", Ty::Str("v1.RestartPolicy")),
        ("terminationGracePeriodSeconds", Ty::Int64),
        ("activeDeadlineSeconds", Ty::Int64),
        ("dnsPolicy", Ty::Str("v1.DNSPolicy")),
        ("nodeSelector", Ty::StrMap),
        ("serviceAccountName", STRING),
        ("serviceAccount", STRING),
        ("automountServiceAccountToken", Ty::Bool),
        ("nodeName", STRING),
        ("hostNetwork", Ty::Bool),
        ("hostPID", Ty::Bool),
        ("hostIPC", Ty::Bool),
        ("shareProcessNamespace", Ty::Bool),
        ("securityContext", Ty::Obj(&POD_SECURITY_CONTEXT)),
        (
            "imagePullSecrets",
            Ty::List(&LOCAL_OBJECT_REFERENCE_T, "[]v1.LocalObjectReference"),
        ),
        ("hostname", STRING),
        ("hostnameOverride", STRING),
        ("subdomain", STRING),
        ("affinity", Ty::Any),
        ("schedulerName", STRING),
        ("tolerations", Ty::List(&TOLERATION_T, "[]v1.Toleration")),
        ("hostAliases", Ty::List(&HOST_ALIAS_T, "[]v1.HostAlias")),
        ("priorityClassName", STRING),
        ("priority", Ty::Int32),
        (
            "dnsConfig",
            Ty::Obj(&Struct {
                name: "PodDNSConfig",
                go: "v1.PodDNSConfig",
                fields: &[
                    ("nameservers", Ty::List(&STRING_T, "[]string")),
                    ("searches", Ty::List(&STRING_T, "[]string")),
                    (
                        "options",
                        Ty::List(&DNS_OPTION_T, "[]v1.PodDNSConfigOption"),
                    ),
                ],
            }),
        ),
        ("readinessGates", Ty::List(&ANY_T, "[]v1.PodReadinessGate")),
        ("runtimeClassName", STRING),
        ("enableServiceLinks", Ty::Bool),
        ("preemptionPolicy", Ty::Str("v1.PreemptionPolicy")),
        ("overhead", Ty::AnyMap("v1.ResourceList")),
        (
            "topologySpreadConstraints",
            Ty::List(&ANY_T, "[]v1.TopologySpreadConstraint"),
        ),
        ("setHostnameAsFQDN", Ty::Bool),
        ("os", Ty::Any),
        ("hostUsers", Ty::Bool),
        (
            "schedulingGates",
            Ty::List(&ANY_T, "[]v1.PodSchedulingGate"),
        ),
        ("resourceClaims", Ty::List(&ANY_T, "[]v1.PodResourceClaim")),
        ("resources", Ty::Obj(&RESOURCE_REQUIREMENTS)),
    ],
};

static POD_TEMPLATE_SPEC: Struct = Struct {
    name: "PodTemplateSpec",
    go: "v1.PodTemplateSpec",
    fields: &[
        ("metadata", Ty::Obj(&OBJECT_META)),
        ("spec", Ty::Obj(&POD_SPEC)),
    ],
};

static DEPLOYMENT_SPEC: Struct = Struct {
    name: "DeploymentSpec",
    go: "v1.DeploymentSpec",
    fields: &[
        ("replicas", Ty::Int32),
        ("selector", Ty::Obj(&LABEL_SELECTOR)),
        ("template", Ty::Obj(&POD_TEMPLATE_SPEC)),
        (
            "strategy",
            Ty::Obj(&Struct {
                name: "DeploymentStrategy",
                go: "v1.DeploymentStrategy",
                fields: &[
                    ("type", Ty::Str("v1.DeploymentStrategyType")),
                    (
                        "rollingUpdate",
                        Ty::Obj(&Struct {
                            name: "RollingUpdateDeployment",
                            go: "v1.RollingUpdateDeployment",
                            fields: &[("maxUnavailable", Ty::IntOrStr), ("maxSurge", Ty::IntOrStr)],
                        }),
                    ),
                ],
            }),
        ),
        ("minReadySeconds", Ty::Int32),
        ("revisionHistoryLimit", Ty::Int32),
        ("paused", Ty::Bool),
        ("progressDeadlineSeconds", Ty::Int32),
    ],
};

static DEPLOYMENT: Struct = Struct {
    name: "Deployment",
    go: "v1.Deployment",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        ("spec", Ty::Obj(&DEPLOYMENT_SPEC)),
        ("status", Ty::Any),
    ],
};

static SERVICE_PORT_T: Ty = Ty::Obj(&Struct {
    name: "ServicePort",
    go: "v1.ServicePort",
    fields: &[
        ("name", STRING),
        ("protocol", PROTOCOL),
        ("appProtocol", STRING),
        ("port", Ty::Int32),
        ("targetPort", Ty::IntOrStr),
        ("nodePort", Ty::Int32),
    ],
});

static IP_FAMILY_T: Ty = Ty::Str("v1.IPFamily");

static SERVICE_SPEC: Struct = Struct {
    name: "ServiceSpec",
    go: "v1.ServiceSpec",
    fields: &[
        ("ports", Ty::List(&SERVICE_PORT_T, "[]v1.ServicePort")),
        ("selector", Ty::StrMap),
        ("clusterIP", STRING),
        ("clusterIPs", Ty::List(&STRING_T, "[]string")),
        ("type", Ty::Str("v1.ServiceType")),
        ("externalIPs", Ty::List(&STRING_T, "[]string")),
        ("sessionAffinity", Ty::Str("v1.ServiceAffinity")),
        ("loadBalancerIP", STRING),
        ("loadBalancerSourceRanges", Ty::List(&STRING_T, "[]string")),
        ("externalName", STRING),
        (
            "externalTrafficPolicy",
            Ty::Str("v1.ServiceExternalTrafficPolicy"),
        ),
        ("healthCheckNodePort", Ty::Int32),
        ("publishNotReadyAddresses", Ty::Bool),
        (
            "sessionAffinityConfig",
            Ty::Obj(&Struct {
                name: "SessionAffinityConfig",
                go: "v1.SessionAffinityConfig",
                fields: &[(
                    "clientIP",
                    Ty::Obj(&Struct {
                        name: "ClientIPConfig",
                        go: "v1.ClientIPConfig",
                        fields: &[("timeoutSeconds", Ty::Int32)],
                    }),
                )],
            }),
        ),
        ("ipFamilies", Ty::List(&IP_FAMILY_T, "[]v1.IPFamily")),
        ("ipFamilyPolicy", Ty::Str("v1.IPFamilyPolicy")),
        ("allocateLoadBalancerNodePorts", Ty::Bool),
        ("loadBalancerClass", STRING),
        (
            "internalTrafficPolicy",
            Ty::Str("v1.ServiceInternalTrafficPolicy"),
        ),
        ("trafficDistribution", STRING),
    ],
};

static SERVICE: Struct = Struct {
    name: "Service",
    go: "v1.Service",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        ("spec", Ty::Obj(&SERVICE_SPEC)),
        ("status", Ty::Any),
    ],
};

static POD: Struct = Struct {
    name: "Pod",
    go: "v1.Pod",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        ("spec", Ty::Obj(&POD_SPEC)),
        ("status", Ty::Any),
    ],
};

static FINALIZER_NAME_T: Ty = Ty::Str("v1.FinalizerName");

static NAMESPACE: Struct = Struct {
    name: "Namespace",
    go: "v1.Namespace",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        (
            "spec",
            Ty::Obj(&Struct {
                name: "NamespaceSpec",
                go: "v1.NamespaceSpec",
                fields: &[(
                    "finalizers",
                    Ty::List(&FINALIZER_NAME_T, "[]v1.FinalizerName"),
                )],
            }),
        ),
        ("status", Ty::Any),
    ],
};

static POLICY_PORT_T: Ty = Ty::Obj(&Struct {
    name: "NetworkPolicyPort",
    go: "v1.NetworkPolicyPort",
    fields: &[
        ("protocol", PROTOCOL),
        ("port", Ty::IntOrStr),
        ("endPort", Ty::Int32),
    ],
});

static POLICY_PEER_T: Ty = Ty::Obj(&Struct {
    name: "NetworkPolicyPeer",
    go: "v1.NetworkPolicyPeer",
    fields: &[
        ("podSelector", Ty::Obj(&LABEL_SELECTOR)),
        ("namespaceSelector", Ty::Obj(&LABEL_SELECTOR)),
        (
            "ipBlock",
            Ty::Obj(&Struct {
                name: "IPBlock",
                go: "v1.IPBlock",
                fields: &[
                    ("cidr", STRING),
                    ("except", Ty::List(&STRING_T, "[]string")),
                ],
            }),
        ),
    ],
});

static INGRESS_RULE_T: Ty = Ty::Obj(&Struct {
    name: "NetworkPolicyIngressRule",
    go: "v1.NetworkPolicyIngressRule",
    fields: &[
        ("ports", Ty::List(&POLICY_PORT_T, "[]v1.NetworkPolicyPort")),
        ("from", Ty::List(&POLICY_PEER_T, "[]v1.NetworkPolicyPeer")),
    ],
});

static EGRESS_RULE_T: Ty = Ty::Obj(&Struct {
    name: "NetworkPolicyEgressRule",
    go: "v1.NetworkPolicyEgressRule",
    fields: &[
        ("ports", Ty::List(&POLICY_PORT_T, "[]v1.NetworkPolicyPort")),
        ("to", Ty::List(&POLICY_PEER_T, "[]v1.NetworkPolicyPeer")),
    ],
});

static POLICY_TYPE_T: Ty = Ty::Str("v1.PolicyType");

static NETWORK_POLICY: Struct = Struct {
    name: "NetworkPolicy",
    go: "v1.NetworkPolicy",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        (
            "spec",
            Ty::Obj(&Struct {
                name: "NetworkPolicySpec",
                go: "v1.NetworkPolicySpec",
                fields: &[
                    ("podSelector", Ty::Obj(&LABEL_SELECTOR)),
                    (
                        "ingress",
                        Ty::List(&INGRESS_RULE_T, "[]v1.NetworkPolicyIngressRule"),
                    ),
                    (
                        "egress",
                        Ty::List(&EGRESS_RULE_T, "[]v1.NetworkPolicyEgressRule"),
                    ),
                    ("policyTypes", Ty::List(&POLICY_TYPE_T, "[]v1.PolicyType")),
                ],
            }),
        ),
        ("status", Ty::Any),
    ],
};

static LIST: Struct = Struct {
    name: "List",
    go: "v1.List",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&LIST_META)),
        ("items", Ty::Any),
    ],
};

// ---------------------------------------------------------------------------------------------
// Converting (with the API server's defaults)

type Map = SortedMap<String, Node>;

fn get<'a>(m: &'a Map, k: &str) -> Option<&'a Node> {
    m.get(k).filter(|n| **n != Node::Null)
}

fn get_str<'a>(m: &'a Map, k: &str) -> Option<&'a str> {
    match get(m, k) {
        Some(Node::Str(s)) => Some(s),
        _ => None,
    }
}

fn get_int(m: &Map, k: &str) -> Option<i64> {
    get(m, k).and_then(Node::as_int)
}

fn get_bool(m: &Map, k: &str) -> Option<bool> {
    match get(m, k) {
        Some(Node::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn get_map<'a>(m: &'a Map, k: &str) -> Option<&'a Map> {
    match get(m, k) {
        Some(Node::Map(m)) => Some(m),
        _ => None,
    }
}

fn get_seq<'a>(m: &'a Map, k: &str) -> &'a [Node] {
    match get(m, k) {
        Some(Node::Seq(s)) => s,
        _ => &[],
    }
}

static EMPTY: SortedMap<String, Node> = SortedMap::new();

/// A list element as a map (`null` elements decode to an empty struct).
fn as_map(n: &Node) -> &Map {
    match n {
        Node::Map(m) => m,
        _ => &EMPTY,
    }
}

fn strings(nodes: &[Node]) -> Vec<String> {
    nodes
        .iter()
        .map(|n| match n {
            Node::Str(s) => s.clone(),
            _ => String::new(),
        })
        .collect()
}

fn str_map(m: &Map, k: &str) -> Labels {
    match get(m, k) {
        Some(Node::Map(map)) => {
            let mut labels = Labels::new();
            for (k, v) in map {
                let v = match v {
                    Node::Str(s) => s.clone(),
                    _ => String::new(),
                };
                labels.insert(k.clone(), v);
            }
            labels
        }
        _ => Labels::new(),
    }
}

fn int_or_string(n: &Node) -> Option<IntOrString> {
    match n {
        Node::Str(s) => Some(IntOrString::Str(s.clone())),
        other => other.as_int().map(IntOrString::Int),
    }
}

fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    s.parse().ok()
}

/// The `%#v` of an `intstr.IntOrString` value.
fn go_int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => format!("intstr.IntOrString{{Type:0, IntVal:{i}, StrVal:\"\"}}"),
        IntOrString::Str(s) => format!(
            "intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}",
            go_quote(s)
        ),
    }
}

/// The manifest reader's conversion state: what was written, and the causes the model can't hold.
#[derive(Default)]
struct Conv {
    set: SortedSet<String>,
    causes: Vec<(String, FieldError)>,
}

impl Conv {
    fn cause(&mut self, slot: &str, e: FieldError) {
        self.causes.push((slot.to_string(), e));
    }

    fn meta(&mut self, root: &Map, namespaced: bool) -> ObjectMeta {
        let m = get_map(root, "metadata").unwrap_or(&EMPTY);
        let namespace = if namespaced {
            get_str(m, "namespace")
                .filter(|s| !s.is_empty())
                .unwrap_or("default")
                .to_string()
        } else {
            String::new()
        };
        ObjectMeta {
            name: get_str(m, "name").unwrap_or("").to_string(),
            namespace,
            labels: str_map(m, "labels"),
            annotations: str_map(m, "annotations"),
            ..Default::default()
        }
    }

    fn selector(&mut self, m: &Map, path: &str, slot: &str) -> LabelSelector {
        let mut sel = LabelSelector {
            match_labels: str_map(m, "matchLabels"),
            match_expressions: Vec::new(),
        };
        for (i, e) in get_seq(m, "matchExpressions").iter().enumerate() {
            let e = as_map(e);
            let op = get_str(e, "operator").unwrap_or("");
            let operator = match op {
                "In" => SelectorOp::In,
                "NotIn" => SelectorOp::NotIn,
                "Exists" => SelectorOp::Exists,
                "DoesNotExist" => SelectorOp::DoesNotExist,
                other => {
                    self.cause(
                        slot,
                        validate::invalid(
                            &format!("{path}.matchExpressions[{i}].operator"),
                            BadValue::str(other),
                            "not a valid selector operator",
                        ),
                    );
                    continue;
                }
            };
            sel.match_expressions.push(SelectorRequirement {
                key: get_str(e, "key").unwrap_or("").to_string(),
                operator,
                values: strings(get_seq(e, "values")),
            });
        }
        sel
    }

    fn deployment(&mut self, root: &Map) -> Deployment {
        let meta = self.meta(root, true);
        let spec = get_map(root, "spec").unwrap_or(&EMPTY);
        let selector = match get_map(spec, "selector") {
            Some(s) => {
                self.set.insert("spec.selector".into());
                let sel = self.selector(s, "spec.selector", "spec.selector");
                if self.causes.iter().any(|(slot, _)| slot == "spec.selector") {
                    self.cause(
                        "spec.selector.asSelector",
                        validate::invalid(
                            "spec.selector",
                            BadValue::Go(go_raw_selector(s)),
                            "invalid label selector",
                        ),
                    );
                }
                sel
            }
            None => LabelSelector::default(),
        };
        let template = get_map(spec, "template").unwrap_or(&EMPTY);
        let tmeta = get_map(template, "metadata").unwrap_or(&EMPTY);
        let pod_spec = self.pod_spec(
            get_map(template, "spec").unwrap_or(&EMPTY),
            "spec.template.spec",
        );
        self.strategy(spec);
        let min_ready = get_int(spec, "minReadySeconds").unwrap_or(0);
        if min_ready < 0 {
            self.cause(
                "spec",
                validate::invalid(
                    "spec.minReadySeconds",
                    BadValue::Int(min_ready),
                    validate_negative(),
                ),
            );
        }
        if let Some(r) = get_int(spec, "revisionHistoryLimit").filter(|r| *r < 0) {
            self.cause(
                "spec",
                validate::invalid(
                    "spec.revisionHistoryLimit",
                    BadValue::Int(r),
                    validate_negative(),
                ),
            );
        }
        if let Some(p) = get_int(spec, "progressDeadlineSeconds") {
            if p < 0 {
                self.cause(
                    "spec",
                    validate::invalid(
                        "spec.progressDeadlineSeconds",
                        BadValue::Int(p),
                        validate_negative(),
                    ),
                );
            }
            if p <= min_ready {
                self.cause(
                    "spec",
                    validate::invalid(
                        "spec.progressDeadlineSeconds",
                        BadValue::Int(p),
                        "must be greater than minReadySeconds",
                    ),
                );
            }
        }
        Deployment {
            meta,
            spec: DeploymentSpec {
                replicas: get_int(spec, "replicas").unwrap_or(1),
                progress_deadline_seconds: get_int(spec, "progressDeadlineSeconds")
                    .unwrap_or(crate::model::DEFAULT_PROGRESS_DEADLINE),
                selector,
                template: PodTemplateSpec {
                    labels: str_map(tmeta, "labels"),
                    annotations: str_map(tmeta, "annotations"),
                    spec: pod_spec,
                },
            },
        }
    }

    /// `ValidateDeploymentStrategy` (after `SetDefaults_Deployment`).
    fn strategy(&mut self, spec: &Map) {
        let strategy = get_map(spec, "strategy").unwrap_or(&EMPTY);
        let ty = get_str(strategy, "type")
            .filter(|t| !t.is_empty())
            .unwrap_or("RollingUpdate");
        let rolling = get_map(strategy, "rollingUpdate");
        match ty {
            "Recreate" => {
                if rolling.is_some() {
                    self.cause(
                        "spec.strategy",
                        validate::forbidden(
                            "spec.strategy.rollingUpdate",
                            "may not be specified when strategy `type` is 'Recreate'",
                        ),
                    );
                }
            }
            "RollingUpdate" => {
                let r = rolling.unwrap_or(&EMPTY);
                let quarter = IntOrString::Str("25%".into());
                let unavailable = get(r, "maxUnavailable")
                    .and_then(int_or_string)
                    .unwrap_or(quarter.clone());
                let surge = get(r, "maxSurge")
                    .and_then(int_or_string)
                    .unwrap_or(quarter);
                let base = "spec.strategy.rollingUpdate";
                let check = |v: &IntOrString, field: &str, conv: &mut Conv| match v {
                    IntOrString::Str(s) => {
                        if !is_percent(s) {
                            conv.cause(
                                "spec.strategy",
                                validate::invalid(
                                    &format!("{base}.{field}"),
                                    BadValue::Go(go_int_or_string(v)),
                                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                                ),
                            );
                        }
                    }
                    IntOrString::Int(i) => {
                        if *i < 0 {
                            conv.cause(
                                "spec.strategy",
                                validate::invalid(
                                    &format!("{base}.{field}"),
                                    BadValue::Int(*i),
                                    validate_negative(),
                                ),
                            );
                        }
                    }
                };
                check(&unavailable, "maxUnavailable", self);
                check(&surge, "maxSurge", self);
                if int_or_percent_value(&unavailable) == 0 && int_or_percent_value(&surge) == 0 {
                    self.cause(
                        "spec.strategy",
                        validate::invalid(
                            &format!("{base}.maxUnavailable"),
                            BadValue::Go(go_int_or_string(&unavailable)),
                            "may not be 0 when `maxSurge` is 0",
                        ),
                    );
                }
                if let IntOrString::Str(s) = &unavailable {
                    if is_percent(s) && int_or_percent_value(&unavailable) > 100 {
                        self.cause(
                            "spec.strategy",
                            validate::invalid(
                                &format!("{base}.maxUnavailable"),
                                BadValue::Go(go_int_or_string(&unavailable)),
                                "must not be greater than 100%",
                            ),
                        );
                    }
                }
            }
            other => {
                let rolling_go = if rolling.is_some() {
                    "&apps.RollingUpdateDeployment{...}"
                } else {
                    "(*apps.RollingUpdateDeployment)(nil)"
                };
                self.cause(
                    "spec.strategy",
                    validate::not_supported(
                        "spec.strategy",
                        BadValue::Go(format!(
                            "apps.DeploymentStrategy{{Type:{}, RollingUpdate:{rolling_go}}}",
                            go_quote(other)
                        )),
                        &["Recreate", "RollingUpdate"],
                    ),
                );
            }
        }
    }

    fn pod(&mut self, root: &Map) -> Pod {
        let meta = self.meta(root, true);
        let spec = self.pod_spec(get_map(root, "spec").unwrap_or(&EMPTY), "spec");
        Pod {
            meta,
            spec,
            ..Default::default()
        }
    }

    fn pod_spec(&mut self, m: &Map, path: &str) -> PodSpec {
        let volumes = self.volumes(m, path);
        let containers = get_seq(m, "containers")
            .iter()
            .enumerate()
            .map(|(i, c)| self.container(as_map(c), &format!("{path}.containers[{i}]"), &volumes))
            .collect();
        if let Some(dns) = get_str(m, "dnsPolicy").filter(|s| !s.is_empty()) {
            if !matches!(
                dns,
                "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None"
            ) {
                self.cause(
                    &format!("{path}.dnsPolicy"),
                    validate::not_supported(
                        &format!("{path}.dnsPolicy"),
                        BadValue::str(dns),
                        &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
                    ),
                );
            }
        }
        for field in ["hostname", "subdomain"] {
            if let Some(v) = get_str(m, field).filter(|s| !s.is_empty()) {
                for msg in validate::is_dns1123_label(v) {
                    self.cause(
                        &format!("{path}.hostname"),
                        validate::invalid(&format!("{path}.{field}"), BadValue::str(v), &msg),
                    );
                }
            }
        }
        PodSpec {
            containers,
            node_name: get_str(m, "nodeName")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            node_selector: str_map(m, "nodeSelector"),
            termination_grace_period_seconds: get_int(m, "terminationGracePeriodSeconds"),
            restart_policy: get_str(m, "restartPolicy")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            host_network: get_bool(m, "hostNetwork").unwrap_or(false),
        }
    }

    /// `ValidateVolumes`: names (for `volumeMounts`) and one source each.
    fn volumes(&mut self, m: &Map, path: &str) -> SortedSet<String> {
        let slot = format!("{path}.volumes");
        let mut names = SortedSet::new();
        for (i, v) in get_seq(m, "volumes").iter().enumerate() {
            let v = as_map(v);
            let vp = format!("{path}.volumes[{i}]");
            let mut errs = Vec::new();
            let sources: Vec<&str> = VOLUME_SOURCES
                .iter()
                .copied()
                .filter(|s| get(v, s).is_some())
                .collect();
            match sources.as_slice() {
                [] => errs.push(validate::required(&vp, "must specify a volume type")),
                [_] => {}
                [_, rest @ ..] => {
                    for s in rest {
                        errs.push(validate::forbidden(
                            &format!("{vp}.{s}"),
                            "may not specify more than 1 volume type",
                        ));
                    }
                }
            }
            let name = get_str(v, "name").unwrap_or("");
            let np = format!("{vp}.name");
            if name.is_empty() {
                errs.push(validate::required(&np, ""));
            } else {
                for msg in validate::is_dns1123_label(name) {
                    errs.push(validate::invalid(&np, BadValue::str(name), &msg));
                }
            }
            if names.contains(name) {
                errs.push(validate::duplicate(&np, BadValue::str(name)));
            }
            if errs.is_empty() {
                names.insert(name.to_string());
            }
            for e in errs {
                self.cause(&slot, e);
            }
        }
        names
    }

    fn container(&mut self, m: &Map, path: &str, volumes: &SortedSet<String>) -> Container {
        if let Some(p) = get_str(m, "terminationMessagePolicy").filter(|s| !s.is_empty()) {
            if !matches!(p, "File" | "FallbackToLogsOnError") {
                let fp = format!("{path}.terminationMessagePolicy");
                self.cause(
                    &fp,
                    validate::not_supported(
                        &fp,
                        BadValue::str(p),
                        &["File", "FallbackToLogsOnError"],
                    ),
                );
            }
        }
        let mut ports = Vec::new();
        for (j, p) in get_seq(m, "ports").iter().enumerate() {
            let p = as_map(p);
            let pp = format!("{path}.ports[{j}]");
            if let Some(hp) = get_int(p, "hostPort").filter(|h| *h != 0) {
                for msg in validate::is_port_num(hp) {
                    self.cause(
                        &format!("{pp}.hostPort"),
                        validate::invalid(&format!("{pp}.hostPort"), BadValue::Int(hp), &msg),
                    );
                }
            }
            let protocol = self.protocol(p, &format!("{pp}.protocol"));
            ports.push(ContainerPort {
                name: get_str(p, "name")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                container_port: get_int(p, "containerPort").unwrap_or(0),
                protocol,
            });
        }
        for (k, e) in get_seq(m, "env").iter().enumerate() {
            if get_str(as_map(e), "name").unwrap_or("").is_empty() {
                self.cause(
                    &format!("{path}.env"),
                    validate::required(&format!("{path}.env[{k}].name"), ""),
                );
            }
        }
        let mut mount_paths = SortedSet::new();
        for (k, vm) in get_seq(m, "volumeMounts").iter().enumerate() {
            let vm = as_map(vm);
            let mp = format!("{path}.volumeMounts[{k}]");
            let slot = format!("{path}.volumeMounts");
            let name = get_str(vm, "name").unwrap_or("");
            if name.is_empty() {
                self.cause(&slot, validate::required(&format!("{mp}.name"), ""));
            }
            if !volumes.contains(name) {
                self.cause(
                    &slot,
                    validate::not_found(&format!("{mp}.name"), BadValue::str(name)),
                );
            }
            let mount_path = get_str(vm, "mountPath").unwrap_or("");
            if mount_path.is_empty() {
                self.cause(&slot, validate::required(&format!("{mp}.mountPath"), ""));
            }
            if !mount_paths.insert(mount_path.to_string()) {
                self.cause(
                    &slot,
                    validate::invalid(
                        &format!("{mp}.mountPath"),
                        BadValue::str(mount_path),
                        "must be unique",
                    ),
                );
            }
        }
        let image = get_str(m, "image").unwrap_or("");
        let mut image_pull_policy = PullPolicy::default_for(image);
        if let Some(p) = get_str(m, "imagePullPolicy").filter(|s| !s.is_empty()) {
            if let Some(policy) = PullPolicy::parse(p) {
                image_pull_policy = policy;
            } else {
                let fp = format!("{path}.imagePullPolicy");
                self.cause(
                    &fp,
                    validate::not_supported(
                        &fp,
                        BadValue::str(p),
                        &["Always", "IfNotPresent", "Never"],
                    ),
                );
            }
        }
        if let Some(lc) = get_map(m, "lifecycle") {
            for hook in ["postStart", "preStop"] {
                if let Some(h) = get_map(lc, hook) {
                    let hp = format!("{path}.lifecycle.{hook}");
                    self.handler(
                        h,
                        &hp,
                        &format!("{path}.lifecycle"),
                        &["exec", "httpGet", "tcpSocket", "sleep"],
                    );
                }
            }
        }
        for probe in ["livenessProbe", "startupProbe"] {
            if let Some(p) = get_map(m, probe) {
                let pp = format!("{path}.{probe}");
                self.probe(p, &pp, &pp, &pp, &pp, true);
            }
        }
        let readiness_probe = get_map(m, "readinessProbe").map(|p| {
            let rp = format!("{path}.readinessProbe");
            self.probe(
                p,
                &rp,
                &rp,
                &format!("{rp}.timeoutSeconds"),
                &format!("{rp}.successThreshold"),
                false,
            );
            let period = get_int(p, "periodSeconds").unwrap_or(0);
            Probe {
                initial_delay_seconds: get_int(p, "initialDelaySeconds").unwrap_or(0),
                period_seconds: if period == 0 { 10 } else { period },
            }
        });
        if get_str(m, "restartPolicy").is_some() {
            let fp = format!("{path}.restartPolicy");
            self.cause(
                &fp,
                validate::forbidden(&fp, "may not be set for non-init containers"),
            );
        }
        Container {
            name: get_str(m, "name").unwrap_or("").to_string(),
            image: image.to_string(),
            image_pull_policy,
            command: strings(get_seq(m, "command")),
            args: strings(get_seq(m, "args")),
            ports,
            readiness_probe,
        }
    }

    /// `validateHandler`: exactly one handler, and a valid one.
    fn handler(&mut self, m: &Map, path: &str, slot: &str, kinds: &[&str]) {
        let present: Vec<&str> = kinds
            .iter()
            .copied()
            .filter(|k| get(m, k).is_some())
            .collect();
        let Some(first) = present.first() else {
            self.cause(
                slot,
                validate::required(path, "must specify a handler type"),
            );
            return;
        };
        let h = get_map(m, first).unwrap_or(&EMPTY);
        let hp = format!("{path}.{first}");
        match *first {
            "exec" if get_seq(h, "command").is_empty() => {
                self.cause(slot, validate::required(&format!("{hp}.command"), ""));
            }
            "httpGet" | "tcpSocket" => {
                let port = get(h, "port")
                    .and_then(int_or_string)
                    .unwrap_or(IntOrString::Int(0));
                self.port_num_or_name(&port, &format!("{hp}.port"), slot);
                if *first == "httpGet" {
                    if let Some(s) = get_str(h, "scheme").filter(|s| !s.is_empty()) {
                        if !matches!(s, "HTTP" | "HTTPS") {
                            self.cause(
                                slot,
                                validate::not_supported(
                                    &format!("{hp}.scheme"),
                                    BadValue::str(s),
                                    &["HTTP", "HTTPS"],
                                ),
                            );
                        }
                    }
                }
            }
            "grpc" => {
                let port = get_int(h, "port").unwrap_or(0);
                self.port_num_or_name(&IntOrString::Int(port), &format!("{hp}.port"), slot);
            }
            _ => {}
        }
        for other in present.iter().skip(1) {
            self.cause(
                slot,
                validate::forbidden(
                    &format!("{path}.{other}"),
                    "may not specify more than 1 handler type",
                ),
            );
        }
    }

    fn port_num_or_name(&mut self, port: &IntOrString, path: &str, slot: &str) {
        match port {
            IntOrString::Int(n) => {
                for msg in validate::is_port_num(*n) {
                    self.cause(slot, validate::invalid(path, BadValue::Int(*n), &msg));
                }
            }
            IntOrString::Str(s) => {
                for msg in validate::is_port_name(s) {
                    self.cause(slot, validate::invalid(path, BadValue::str(s), &msg));
                }
            }
        }
    }

    /// `validateProbe` and its liveness / readiness / startup specifics. For readiness probes the
    /// delays svclab simulates are checked by [`validate`] from the model.
    fn probe(
        &mut self,
        m: &Map,
        path: &str,
        handler_slot: &str,
        timeout_slot: &str,
        rest_slot: &str,
        not_readiness: bool,
    ) {
        self.handler(
            m,
            path,
            handler_slot,
            &["exec", "httpGet", "tcpSocket", "grpc"],
        );
        let nonneg = |conv: &mut Conv, field: &str, slot: &str| {
            if let Some(v) = get_int(m, field).filter(|v| *v < 0) {
                conv.cause(
                    slot,
                    validate::invalid(
                        &format!("{path}.{field}"),
                        BadValue::Int(v),
                        validate_negative(),
                    ),
                );
            }
        };
        if not_readiness {
            nonneg(self, "initialDelaySeconds", handler_slot);
        }
        nonneg(self, "timeoutSeconds", timeout_slot);
        if not_readiness {
            nonneg(self, "periodSeconds", timeout_slot);
        }
        nonneg(self, "successThreshold", rest_slot);
        nonneg(self, "failureThreshold", rest_slot);
        if let Some(t) = get_int(m, "terminationGracePeriodSeconds") {
            let tp = format!("{path}.terminationGracePeriodSeconds");
            if t <= 0 {
                self.cause(
                    rest_slot,
                    validate::invalid(&tp, BadValue::Int(t), "must be greater than 0"),
                );
            }
            if !not_readiness {
                self.cause(
                    rest_slot,
                    validate::invalid(&tp, BadValue::Int(t), "must not be set for readinessProbes"),
                );
            }
        }
        if not_readiness {
            let s = get_int(m, "successThreshold")
                .filter(|s| *s != 0)
                .unwrap_or(1);
            if s != 1 {
                self.cause(
                    rest_slot,
                    validate::invalid(
                        &format!("{path}.successThreshold"),
                        BadValue::Int(s),
                        "must be 1",
                    ),
                );
            }
        }
    }

    fn protocol(&mut self, m: &Map, path: &str) -> Protocol {
        match get_str(m, "protocol") {
            None | Some("") => Protocol::Tcp,
            Some(p) => match Protocol::parse(p) {
                Some(p) => p,
                None => {
                    self.cause(
                        path,
                        validate::not_supported(path, BadValue::str(p), &["SCTP", "TCP", "UDP"]),
                    );
                    Protocol::Tcp
                }
            },
        }
    }

    fn service(&mut self, root: &Map) -> Service {
        let meta = self.meta(root, true);
        let spec = get_map(root, "spec").unwrap_or(&EMPTY);
        let type_ = match get_str(spec, "type").unwrap_or("") {
            "" => ServiceType::ClusterIp,
            t => match ServiceType::parse(t) {
                Some(t) => t,
                None => {
                    self.cause(
                        "spec.type",
                        validate::not_supported(
                            "spec.type",
                            BadValue::str(t),
                            &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
                        ),
                    );
                    ServiceType::ClusterIp
                }
            },
        };
        let type_known = !self.causes.iter().any(|(s, _)| s == "spec.type");
        let mut ports = Vec::new();
        for (i, p) in get_seq(spec, "ports").iter().enumerate() {
            let p = as_map(p);
            let pp = format!("spec.ports[{i}]");
            let protocol = self.protocol(p, &format!("{pp}.protocol"));
            let port = get_int(p, "port").unwrap_or(0);
            let target_port = match get(p, "targetPort").and_then(int_or_string) {
                None | Some(IntOrString::Int(0)) => IntOrString::Int(port),
                Some(IntOrString::Str(s)) if s.is_empty() => IntOrString::Int(port),
                Some(t) => t,
            };
            if let Some(ap) = get_str(p, "appProtocol") {
                for msg in validate::is_qualified_name(ap) {
                    self.cause(
                        &format!("{pp}.appProtocol"),
                        validate::invalid(&format!("{pp}.appProtocol"), BadValue::str(ap), &msg),
                    );
                }
            }
            ports.push(ServicePort {
                name: get_str(p, "name")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                protocol,
                port,
                target_port,
                node_port: get_int(p, "nodePort").filter(|n| *n != 0),
            });
        }
        let selector = get_map(spec, "selector")
            .filter(|m| !m.is_empty())
            .map(|_| str_map(spec, "selector"));
        let cluster_ip = self.cluster_ip(spec, type_, type_known);
        self.ip_families(spec);
        let session_affinity_timeout = match get_str(spec, "sessionAffinity").unwrap_or("") {
            "" | "None" => None,
            "ClientIP" => Some(
                get_map(spec, "sessionAffinityConfig")
                    .and_then(|c| get_map(c, "clientIP"))
                    .and_then(|c| get_int(c, "timeoutSeconds"))
                    .unwrap_or(10800),
            ),
            other => {
                self.cause(
                    "spec.sessionAffinity",
                    validate::not_supported(
                        "spec.sessionAffinity",
                        BadValue::str(other),
                        &["ClientIP", "None"],
                    ),
                );
                None
            }
        };
        if get(spec, "sessionAffinityConfig").is_some() {
            self.set.insert("spec.sessionAffinityConfig".into());
        }
        let external_ips = strings(get_seq(spec, "externalIPs"));
        for (i, ip) in external_ips.iter().enumerate() {
            if ip.parse::<IpAddr>().is_err() {
                self.cause(
                    "spec.externalIPs",
                    validate::invalid_ip(&format!("spec.externalIPs[{i}]"), ip),
                );
            }
        }
        if !external_ips.is_empty() {
            self.set.insert("spec.externalIPs".into());
        }
        let external = type_known
            && (matches!(type_, ServiceType::NodePort | ServiceType::LoadBalancer)
                || !external_ips.is_empty());
        let external_traffic_policy = match get_str(spec, "externalTrafficPolicy").unwrap_or("") {
            "" => TrafficPolicy::Cluster,
            p => {
                self.set.insert("spec.externalTrafficPolicy".into());
                match p {
                    "Cluster" => TrafficPolicy::Cluster,
                    "Local" => TrafficPolicy::Local,
                    other => {
                        let e = if external {
                            validate::not_supported(
                                "spec.externalTrafficPolicy",
                                BadValue::str(other),
                                &["Cluster", "Local"],
                            )
                        } else {
                            validate::invalid(
                                "spec.externalTrafficPolicy",
                                BadValue::str(other),
                                "may only be set for externally-accessible services",
                            )
                        };
                        self.cause("spec.externalTrafficPolicy", e);
                        TrafficPolicy::Cluster
                    }
                }
            }
        };
        if let Some(h) = get_int(spec, "healthCheckNodePort").filter(|h| *h != 0) {
            let needs = type_known
                && type_ == ServiceType::LoadBalancer
                && external_traffic_policy == TrafficPolicy::Local;
            if !needs {
                self.cause(
                    "spec.healthCheckNodePort",
                    validate::invalid(
                        "spec.healthCheckNodePort",
                        BadValue::Int(h),
                        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
                    ),
                );
            } else {
                for msg in validate::is_port_num(h) {
                    self.cause(
                        "spec.healthCheckNodePort",
                        validate::invalid("spec.healthCheckNodePort", BadValue::Int(h), &msg),
                    );
                }
            }
        }
        let internal_traffic_policy = match get_str(spec, "internalTrafficPolicy").unwrap_or("") {
            "" | "Cluster" => TrafficPolicy::Cluster,
            "Local" => TrafficPolicy::Local,
            other => {
                self.cause(
                    "spec.internalTrafficPolicy",
                    validate::not_supported(
                        "spec.internalTrafficPolicy",
                        BadValue::str(other),
                        &["Cluster", "Local"],
                    ),
                );
                TrafficPolicy::Cluster
            }
        };
        if get_bool(spec, "allocateLoadBalancerNodePorts").is_some()
            && !(type_known && type_ == ServiceType::LoadBalancer)
        {
            self.cause(
                "spec.allocateLoadBalancerNodePorts",
                validate::forbidden(
                    "spec.allocateLoadBalancerNodePorts",
                    "may only be used when `type` is 'LoadBalancer'",
                ),
            );
        }
        if let Some(td) = get_str(spec, "trafficDistribution") {
            if td != "PreferClose" && td != "PreferSameZone" && td != "PreferSameNode" {
                self.cause(
                    "spec",
                    validate::not_supported(
                        "spec.trafficDistribution",
                        BadValue::str(td),
                        &["PreferClose"],
                    ),
                );
            }
        }
        Service {
            meta,
            spec: ServiceSpec {
                type_,
                selector,
                ports,
                cluster_ip,
                external_name: get_str(spec, "externalName")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                session_affinity_timeout,
                external_traffic_policy,
                internal_traffic_policy,
                publish_not_ready_addresses: get_bool(spec, "publishNotReadyAddresses")
                    .unwrap_or(false),
                load_balancer_source_ranges: strings(get_seq(spec, "loadBalancerSourceRanges")),
                load_balancer_ip: get_str(spec, "loadBalancerIP").and_then(parse_ipv4),
            },
            ..Default::default()
        }
    }

    /// `clusterIP` / `clusterIPs` as the Service strategy syncs them, then read into the model.
    fn cluster_ip(&mut self, spec: &Map, type_: ServiceType, type_known: bool) -> ClusterIp {
        let ips = strings(get_seq(spec, "clusterIPs"));
        let ip = get_str(spec, "clusterIP").unwrap_or("");
        if !ip.is_empty() && !ips.is_empty() && ips.first().map(String::as_str) != Some(ip) {
            self.cause(
                "spec.clusterIPs",
                validate::invalid(
                    "spec.clusterIPs",
                    BadValue::Go(go_string_slice(&ips)),
                    "first value must match `clusterIP`",
                ),
            );
        }
        if ips.len() > 2 {
            self.cause(
                "spec.clusterIPs",
                validate::invalid(
                    "spec.clusterIPs",
                    BadValue::Go(go_string_slice(&ips)),
                    "may only hold up to 2 values",
                ),
            );
        }
        let raw = if ip.is_empty() {
            ips.first().map(String::as_str).unwrap_or("")
        } else {
            ip
        };
        if raw.is_empty() {
            return ClusterIp::NoIp;
        }
        if raw == "None" {
            return ClusterIp::Headless;
        }
        if let Some(v4) = parse_ipv4(raw) {
            return ClusterIp::Ip(v4);
        }
        // Not something the model can hold.
        if type_known && type_ == ServiceType::ExternalName {
            self.cause(
                "spec.clusterIPs",
                validate::forbidden(
                    "spec.clusterIPs",
                    "may not be set for ExternalName services",
                ),
            );
        } else if raw.parse::<IpAddr>().is_ok() {
            self.cause(
                "spec.clusterIPs",
                validate::invalid(
                    "spec.ipFamilies[0]",
                    BadValue::str("IPv6"),
                    "not configured on this cluster",
                ),
            );
        } else {
            self.cause(
                "spec.clusterIPs",
                validate::invalid_ip("spec.clusterIPs[0]", raw),
            );
        }
        ClusterIp::NoIp
    }

    /// `ipFamilies` / `ipFamilyPolicy` on svclab's single-stack IPv4 cluster.
    fn ip_families(&mut self, spec: &Map) {
        let mut seen = SortedSet::new();
        for (i, f) in strings(get_seq(spec, "ipFamilies")).iter().enumerate() {
            let fp = format!("spec.ipFamilies[{i}]");
            match f.as_str() {
                "IPv4" => {}
                "IPv6" => self.cause(
                    "spec.clusterIPs",
                    validate::invalid(&fp, BadValue::str(f), "not configured on this cluster"),
                ),
                other => self.cause(
                    "spec.clusterIPs",
                    validate::not_supported(&fp, BadValue::str(other), &["IPv4", "IPv6"]),
                ),
            }
            if !seen.insert(f.clone()) {
                self.cause(
                    "spec.clusterIPs",
                    validate::duplicate(&fp, BadValue::str(f)),
                );
            }
        }
        match get_str(spec, "ipFamilyPolicy") {
            None | Some("SingleStack") | Some("PreferDualStack") => {}
            Some("RequireDualStack") => self.cause(
                "spec.clusterIPs",
                validate::invalid(
                    "spec.ipFamilyPolicy",
                    BadValue::str("RequireDualStack"),
                    "this cluster is not configured for dual-stack services",
                ),
            ),
            Some(other) => self.cause(
                "spec.clusterIPs",
                validate::not_supported(
                    "spec.ipFamilyPolicy",
                    BadValue::str(other),
                    &["PreferDualStack", "RequireDualStack", "SingleStack"],
                ),
            ),
        }
    }

    fn network_policy(&mut self, root: &Map) -> NetworkPolicy {
        let meta = self.meta(root, true);
        let spec = get_map(root, "spec").unwrap_or(&EMPTY);
        let pod_selector = self.selector(
            get_map(spec, "podSelector").unwrap_or(&EMPTY),
            "spec.podSelector",
            "spec.podSelector",
        );
        let ingress = self.rules(spec, "ingress", "from");
        let egress = self.rules(spec, "egress", "to");
        let types = strings(get_seq(spec, "policyTypes"));
        let (policy_ingress, policy_egress) = if get(spec, "policyTypes").is_none() {
            (true, !egress.is_empty())
        } else {
            if types.len() > 2 {
                self.cause(
                    "spec.policyTypes",
                    validate::invalid(
                        "spec.policyTypes",
                        BadValue::Go(validate_go_slice("[]networking.PolicyType", &types)),
                        "may not specify more than two policyTypes",
                    ),
                );
            } else {
                for (i, t) in types.iter().enumerate() {
                    if t != "Ingress" && t != "Egress" {
                        self.cause(
                            "spec.policyTypes",
                            validate::not_supported(
                                &format!("spec.policyTypes[{i}]"),
                                BadValue::str(t),
                                &["Ingress", "Egress"],
                            ),
                        );
                    }
                }
            }
            (
                types.iter().any(|t| t == "Ingress"),
                types.iter().any(|t| t == "Egress"),
            )
        };
        NetworkPolicy {
            meta,
            spec: NetworkPolicySpec {
                pod_selector,
                ingress,
                egress,
                policy_ingress,
                policy_egress,
            },
        }
    }

    fn rules(&mut self, spec: &Map, dir: &str, peers_field: &str) -> Vec<PolicyRule> {
        let mut rules = Vec::new();
        for (i, r) in get_seq(spec, dir).iter().enumerate() {
            let r = as_map(r);
            let rp = format!("spec.{dir}[{i}]");
            let mut ports = Vec::new();
            for (j, p) in get_seq(r, "ports").iter().enumerate() {
                let p = as_map(p);
                let pp = format!("{rp}.ports[{j}]");
                let protocol = self.protocol(p, &format!("{pp}.protocol"));
                ports.push(PolicyPort {
                    protocol,
                    port: get(p, "port").and_then(int_or_string),
                    end_port: get_int(p, "endPort"),
                });
            }
            let mut peers = Vec::new();
            for (j, peer) in get_seq(r, peers_field).iter().enumerate() {
                let peer = as_map(peer);
                let pp = format!("{rp}.{peers_field}[{j}]");
                let pod = get_map(peer, "podSelector").map(|s| {
                    self.selector(
                        s,
                        &format!("{pp}.podSelector"),
                        &format!("{pp}.podSelector"),
                    )
                });
                let ns = get_map(peer, "namespaceSelector").map(|s| {
                    self.selector(
                        s,
                        &format!("{pp}.namespaceSelector"),
                        &format!("{pp}.namespaceSelector"),
                    )
                });
                let block = get_map(peer, "ipBlock");
                match (pod.is_some() || ns.is_some(), block) {
                    (false, None) => {
                        self.cause(&pp, validate::required(&pp, "must specify a peer"));
                    }
                    (true, Some(_)) => {
                        self.cause(
                            &rp,
                            validate::forbidden(
                                &pp,
                                "may not specify both ipBlock and another peer",
                            ),
                        );
                    }
                    (true, None) => peers.push(PolicyPeer::Selectors {
                        pod_selector: pod,
                        namespace_selector: ns,
                    }),
                    (false, Some(b)) => peers.push(PolicyPeer::IpBlock(IpBlock {
                        cidr: get_str(b, "cidr").unwrap_or("").to_string(),
                        except: strings(get_seq(b, "except")),
                    })),
                }
            }
            rules.push(PolicyRule { peers, ports });
        }
        rules
    }
}

/// `%#v` of a `metav1.LabelSelector` as written (operators that the model cannot hold included).
fn go_raw_selector(m: &Map) -> String {
    let exprs = get_seq(m, "matchExpressions");
    let exprs = if exprs.is_empty() {
        "[]v1.LabelSelectorRequirement(nil)".to_string()
    } else {
        let parts: Vec<String> = exprs
            .iter()
            .map(|e| {
                let e = as_map(e);
                format!(
                    "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                    go_quote(get_str(e, "key").unwrap_or("")),
                    go_quote(get_str(e, "operator").unwrap_or("")),
                    go_string_slice(&strings(get_seq(e, "values")))
                )
            })
            .collect();
        format!("[]v1.LabelSelectorRequirement{{{}}}", parts.join(", "))
    };
    format!(
        "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{exprs}}}",
        validate::go_string_map(&str_map(m, "matchLabels"))
    )
}

fn validate_negative() -> &'static str {
    "must be greater than or equal to 0"
}

fn validate_go_slice(ty: &str, items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    format!("{ty}{{{}}}", parts.join(", "))
}

fn is_percent(s: &str) -> bool {
    s.len() >= 2 && s.ends_with('%') && s[..s.len() - 1].chars().all(|c| c.is_ascii_digit())
}

fn int_or_percent_value(v: &IntOrString) -> i64 {
    match v {
        IntOrString::Int(i) => *i,
        IntOrString::Str(s) if is_percent(s) => s[..s.len() - 1].parse().unwrap_or(i64::MAX),
        IntOrString::Str(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Lines<'_> {
        Lines::new(text, 1)
    }

    #[test]
    fn splits_documents_like_kubectl() {
        let text = "# only a comment\n---\na: 1\n---\n\n--- # note\nb: 2\n---x\nc: 3\n";
        let chunks = split_documents(text);
        let indexed: Vec<(Option<usize>, usize)> =
            chunks.iter().map(|c| (c.index, c.first_line)).collect();
        assert_eq!(
            indexed,
            vec![
                (None, 1),
                (Some(0), 3),
                (None, 5),
                (Some(1), 7),
                (Some(2), 9)
            ]
        );
        assert_eq!(chunks[4].separator_error, Some((8, "x".to_string())));
    }

    #[test]
    fn locates_block_and_flow_paths() {
        let text = "\
apiVersion: v1
kind: Service
metadata:
  name: web   # the name
  labels: {app: web, tier: \"front\"}
spec:
  ports:
  - name: http
    port: 80
  -   port: 443
      targetPort: 8443
  selector:
    app: web
";
        let l = lines(text);
        assert_eq!(
            l.locate("spec.ports[1].targetPort", Mode::Value, 1),
            (11, 19)
        );
        assert_eq!(l.locate("spec.ports[1].port", Mode::Key, 1), (10, 7));
        assert_eq!(l.locate("spec.ports[0].port", Mode::Value, 1), (9, 11));
        assert_eq!(l.locate("spec.ports[1]", Mode::Value, 1), (10, 7));
        assert_eq!(l.locate("metadata.name", Mode::Value, 1), (4, 9));
        assert_eq!(l.locate("metadata.labels.tier", Mode::Value, 1), (5, 28));
        assert_eq!(l.locate("spec.selector.app", Mode::Value, 1), (13, 10));
        // missing: nearest ancestor
        assert_eq!(l.locate("spec.ports[5].port", Mode::Value, 1), (7, 3));
        assert_eq!(l.locate("spec.clusterIPs", Mode::Value, 1), (6, 1));
        assert_eq!(l.locate("status.x", Mode::Value, 1), (1, 1));
    }

    #[test]
    fn locates_in_indented_lists_and_block_scalars() {
        let text = "\
spec:
  template:
    spec:
      containers:
        - name: web
          command: |
            port: 1
          ports:
            - containerPort: 80
              name: http
";
        let l = lines(text);
        assert_eq!(
            l.locate(
                "spec.template.spec.containers[0].ports[0].name",
                Mode::Value,
                1
            ),
            (10, 21)
        );
        assert_eq!(
            l.locate("spec.template.spec.containers[0].port", Mode::Key, 1),
            (5, 11)
        );
    }

    #[test]
    fn go_float_formats_like_encoding_json() {
        assert_eq!(go_float(80.5), "80.5");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1.5e-7), "1.5e-7");
        assert_eq!(go_float(100000000000000000000.0), "100000000000000000000");
    }

    #[test]
    fn path_parsing() {
        assert_eq!(
            parse_path("items[2].spec.ports[10].port"),
            vec![
                Seg::Key("items".into()),
                Seg::Index(2),
                Seg::Key("spec".into()),
                Seg::Key("ports".into()),
                Seg::Index(10),
                Seg::Key("port".into())
            ]
        );
        assert_eq!(
            parse_path("metadata.labels[app.kubernetes.io/name]"),
            vec![
                Seg::Key("metadata".into()),
                Seg::Key("labels".into()),
                Seg::Key("app.kubernetes.io/name".into())
            ]
        );
    }

    #[test]
    fn keys_with_quotes_and_colons() {
        assert_eq!(parse_key("\"a:b\": 1"), Some(("a:b".into(), 6)));
        assert_eq!(parse_key("'it''s': 1"), Some(("it's".into(), 8)));
        assert_eq!(parse_key("url: http://x"), Some(("url".into(), 4)));
        assert_eq!(parse_key("- a: 1"), None);
        assert_eq!(parse_key("plain # comment: x"), None);
    }
}
