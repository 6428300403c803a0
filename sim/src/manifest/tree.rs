//! Stage 2: one document parsed into a [`Node`] tree shaped like the JSON kubectl sends, under a
//! [`Budget`] shared by the whole manifest, and serde_yaml's errors worded as go-yaml words them.
//! With `plain`, its quick reader of plain block YAML, and `depth`, its walk of libyaml's events
//! for nesting too deep, the only place that knows the YAML library.

use crate::map::SortedMap;
use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};

use super::documents::Chunk;
use super::positions::Lines;
use super::{MAX_DEPTH, MAX_STRING_BYTES, MAX_VALUES};

mod depth;
mod plain;

/// A YAML value the way kubectl hands it to the API server: JSON-shaped, map keys as strings,
/// maps sorted by key (Go's `json.Marshal` order), a repeated key keeping its last value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Node {
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
    pub(super) fn json_kind(&self) -> &'static str {
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
    pub(super) fn as_int(&self) -> Option<i64> {
        match self {
            Node::Int(i) => Some(*i),
            Node::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(*f as i64),
            _ => None,
        }
    }

    /// The JSON literal of a number, as Go would print it.
    pub(super) fn number_literal(&self) -> String {
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
pub(super) fn go_float(f: f64) -> String {
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
pub(super) struct Budget {
    values: Cell<usize>,
    bytes: Cell<usize>,
    /// A key written twice in one mapping is an error (`duplicate field`), as serde's derived
    /// readers make it; kubectl keeps the last one, silently.
    unique_keys: bool,
}

impl Budget {
    /// For files read by [`super::typed`]: a repeated key is an error.
    pub(super) fn unique_keys() -> Budget {
        Budget {
            unique_keys: true,
            ..Budget::default()
        }
    }

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
        // Entries are gathered and sorted once: inserting each into the sorted map would shift
        // the ones after it, quadratic in a hostile map's 100,000 keys.
        let mut entries = Vec::new();
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
                entries.push((key, value));
            }
        }
        if self.budget.unique_keys {
            if let Some(key) = first_repeated(&entries) {
                // serde_yaml puts the mapping's path before the message.
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
        }
        // A repeated key keeps its last value.
        let mut out: SortedMap<String, Node> = entries.into_iter().collect();
        // YAML merge keys (go-yaml honours them): explicit keys win, then earlier merges.
        let mut merged = Vec::new();
        for merge in merges {
            let sources = match merge {
                Node::Seq(items) => items,
                other => vec![other],
            };
            for source in sources {
                if let Node::Map(m) = source {
                    merged.extend(m.into_iter().filter(|(k, _)| !out.contains_key(k)));
                }
            }
        }
        if !merged.is_empty() {
            // Stable: of a key merged twice, the earlier merge's value comes first and stays.
            crate::sort::sort_by(&mut merged, |a, b| a.0.cmp(&b.0));
            merged.dedup_by(|later, kept| later.0 == kept.0);
            for (k, v) in &merged {
                if !self.budget.take(v.count(), k.len()) {
                    return Err(de::Error::custom(BUDGET_MARK));
                }
            }
            out = out.into_iter().chain(merged).collect();
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

/// The key whose second appearance comes first in `entries`, as reading them in order meets it.
fn first_repeated(entries: &[(String, Node)]) -> Option<&str> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    // Stable: each run of one key holds its appearances in order.
    crate::sort::sort_by(&mut order, |&a, &b| entries[a].0.cmp(&entries[b].0));
    order
        .windows(2)
        .filter(|w| entries[w[0]].0 == entries[w[1]].0)
        .map(|w| w[1])
        .min()
        .map(|i| entries[i].0.as_str())
}

/// Why a document could not be read as YAML.
pub(super) enum YamlError {
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

/// Why a document could not be read into a [`Node`].
#[derive(Debug)]
pub(super) enum ParseError {
    Yaml(serde_yaml::Error),
    /// Nested more than [`MAX_DEPTH`] deep at this 1-based line and column, found before
    /// serde_yaml read the document (`depth`); serde_yaml's own words for it.
    TooDeep {
        line: usize,
        column: usize,
    },
}

impl ParseError {
    /// The library's message, with its ` at line L column C` where it has one.
    fn text(&self) -> String {
        match self {
            ParseError::Yaml(e) => e.to_string(),
            ParseError::TooDeep { line, column } => {
                format!("recursion limit exceeded at line {line} column {column}")
            }
        }
    }

    /// The 1-based line and column the error is about, if the library gave one.
    pub(super) fn location(&self) -> Option<(usize, usize)> {
        match self {
            ParseError::Yaml(e) => e.location().map(|l| (l.line(), l.column())),
            ParseError::TooDeep { line, column } => Some((*line, *column)),
        }
    }
}

pub(super) fn parse_node(text: &str, budget: &Budget) -> Result<Node, ParseError> {
    // Most manifests are plain block YAML, which `plain` reads quickly into the same tree; it
    // leaves everything else (and every error) to serde_yaml.
    if let Some(read) = plain::read(text) {
        if budget.take_if_within(read.values, read.bytes) {
            return Ok(read.node);
        }
    }
    parse_node_yaml(text, budget)
}

fn parse_node_yaml(text: &str, budget: &Budget) -> Result<Node, ParseError> {
    if let Some((line, column)) = depth::too_deep(text) {
        return Err(ParseError::TooDeep { line, column });
    }
    let mut docs = serde_yaml::Deserializer::from_str(text);
    match docs.next() {
        Some(doc) => NodeSeed { budget }
            .deserialize(doc)
            .map_err(ParseError::Yaml),
        None => Ok(Node::Null),
    }
}

/// A serde_yaml error in a file read by [`super::typed`], without the position serde_yaml
/// appends (the caller reports it apart) and with svclab's own limits in words.
pub(super) fn file_error_message(err: &ParseError) -> String {
    let text = err.text();
    if text.contains(BUDGET_MARK) || text.contains("repetition limit exceeded") {
        return "document contains excessive aliasing".to_string();
    }
    if let Some(pos) = text.find(NONFINITE_MARK) {
        let name = text[pos + NONFINITE_MARK.len()..]
            .split_whitespace()
            .next()
            .unwrap_or("NaN");
        return format!("{}unsupported value: {name}", &text[..pos]);
    }
    match text.find(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Classify a serde_yaml error and word it as kubectl (go-yaml) would.
pub(super) fn yaml_error(err: &ParseError, chunk: &Chunk, lines: &Lines) -> YamlError {
    let text = err.text();
    // 1-based, relative to the chunk.
    let (rel_line, col) = err.location().unwrap_or((1, 1));
    // The editor's mark stays inside the text; the message keeps go-yaml's line.
    let (mark_line, col) = super::positions::within(chunk.text, rel_line, col);
    let abs_line = chunk.start_line + mark_line.saturating_sub(1);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_formats_like_encoding_json() {
        assert_eq!(go_float(80.5), "80.5");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1.5e-7), "1.5e-7");
        assert_eq!(go_float(100000000000000000000.0), "100000000000000000000");
    }

    fn read(text: &str, budget: &Budget) -> Result<Node, String> {
        parse_node_yaml(text, budget).map_err(|e| e.text())
    }

    fn map(entries: &[(&str, Node)]) -> Node {
        Node::Map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn merge_keys_yield_to_explicit_keys_then_to_earlier_merges() {
        let text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc: {z: 3, <<: [*a, *b], w: 3}\n";
        let Ok(Node::Map(root)) = read(text, &Budget::default()) else {
            panic!("{text}")
        };
        let expected = map(&[
            ("w", Node::Int(3)),
            ("x", Node::Int(1)),
            ("y", Node::Int(1)),
            ("z", Node::Int(3)),
        ]);
        assert_eq!(root.get("c"), Some(&expected));
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_or_is_named_where_keys_are_unique() {
        let text = "b: 1\na: 1\nc: 1\na: 2\nb: 2\n";
        let expected = map(&[
            ("a", Node::Int(2)),
            ("b", Node::Int(2)),
            ("c", Node::Int(1)),
        ]);
        assert_eq!(read(text, &Budget::default()), Ok(expected));
        // Read in order, `a` is the first key met again (before `b`, which came first).
        let err = read(text, &Budget::unique_keys()).expect_err("repeated keys");
        assert!(err.starts_with("duplicate field `a`"), "{err}");
    }
}
