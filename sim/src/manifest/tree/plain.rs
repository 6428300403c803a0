//! A quick reader for the plain block-style YAML most manifests are written in: block mappings
//! and sequences (compact or indented), plain scalars, and single-line quoted scalars without
//! escapes, with comments and blank lines. It builds the same [`Node`] tree that serde_yaml and
//! `NodeVisitor` build, and counts the same values and bytes for the [`Budget`](super::Budget).
//!
//! Anything else (flow collections, block scalars, anchors, aliases, tags, merge keys, multi-line
//! scalars, escapes, tabs, carriage returns, non-ASCII text, repeated keys, unusual indentation)
//! makes [`read`] return `None`, and the caller reads the document with serde_yaml, which also
//! words every syntax error. So this reader only needs to be right about what it accepts: a
//! document it accepts is one libyaml reads without error, into the same tree.

use crate::map::SortedMap;
use std::num::ParseIntError;

use super::{key_string, Node};

/// Deepest nesting read here (serde_yaml stops at 128).
const MAX_DEPTH: usize = 64;
/// Longest key read here (libyaml refuses implicit keys over 1024 characters).
const MAX_KEY: usize = 512;

/// A document's tree and what it takes from the budget.
pub(super) struct Read {
    pub node: Node,
    pub values: usize,
    pub bytes: usize,
}

/// Read `text` (one document), or `None` when it is not in the subset this reader handles.
pub(super) fn read(text: &str) -> Option<Read> {
    let mut lines = Vec::new();
    for line in text.split('\n') {
        if !line.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return None;
        }
        let indent = spaces(line);
        let content = trim_end(&line[indent..]);
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        lines.push(Line {
            indent,
            text: content,
        });
    }
    let mut reader = Reader {
        lines,
        pos: 0,
        values: 0,
        bytes: 0,
    };
    let first = reader.lines.first()?;
    // A root that is not a mapping (a list, a lone scalar) is left to serde_yaml.
    if is_item(first.text) || split_key(first.text).is_none() {
        return None;
    }
    let node = reader.map(first.indent, 0)?;
    if reader.pos != reader.lines.len() {
        return None;
    }
    Some(Read {
        node,
        values: reader.values,
        bytes: reader.bytes,
    })
}

/// A line with content: its indentation and the rest, without trailing spaces.
struct Line<'a> {
    indent: usize,
    text: &'a str,
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
    values: usize,
    bytes: usize,
}

impl Reader<'_> {
    /// A block mapping whose keys are at `indent`, starting at the current line.
    fn map(&mut self, indent: usize, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.values += 1;
        // Sorted once at the end: inserting each key into the sorted map would shift the ones
        // after it, quadratic in a hostile map's 100,000 keys.
        let mut out = Vec::new();
        while let Some(line) = self.lines.get(self.pos) {
            if line.indent < indent || (line.indent == indent && is_item(line.text)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let (key, rest) = split_key(line.text)?;
            let key = self.key(key)?;
            self.pos += 1;
            let value = if rest.is_empty() {
                self.nested(indent, depth)?
            } else {
                let value = self.scalar(rest)?;
                // A deeper line after a scalar would continue it (or be an error).
                if self.lines.get(self.pos).is_some_and(|l| l.indent > indent) {
                    return None;
                }
                value
            };
            out.push((key, value));
        }
        let keys = out.len();
        let map: SortedMap<String, Node> = out.into_iter().collect();
        // A repeated key is left to serde_yaml.
        (map.len() == keys).then_some(Node::Map(map))
    }

    /// The value of a key written with nothing after its colon: a deeper block, a sequence at
    /// the key's own indentation, or null.
    fn nested(&mut self, indent: usize, depth: usize) -> Option<Node> {
        match self.lines.get(self.pos) {
            Some(next) if next.indent > indent => {
                if is_item(next.text) {
                    self.seq(next.indent, depth + 1)
                } else {
                    self.map(next.indent, depth + 1)
                }
            }
            Some(next) if next.indent == indent && is_item(next.text) => {
                self.seq(indent, depth + 1)
            }
            _ => {
                self.values += 1;
                Some(Node::Null)
            }
        }
    }

    /// A block sequence whose dashes are at `indent`, starting at the current line.
    fn seq(&mut self, indent: usize, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.values += 1;
        let mut items = Vec::new();
        while let Some(line) = self.lines.get(self.pos) {
            if line.indent < indent || (line.indent == indent && !is_item(line.text)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let after = &line.text[1..];
            let content = &after[spaces(after)..];
            // `-` alone (its item on the next lines), `- - x`, `- # ...`: left to serde_yaml.
            if content.is_empty() || is_item(content) || content.starts_with('#') {
                return None;
            }
            if content.contains(": ") || content.ends_with(':') {
                // `- key: value`: a mapping whose keys are at the column of `key`.
                let column = indent + 1 + (after.len() - content.len());
                self.lines[self.pos] = Line {
                    indent: column,
                    text: content,
                };
                items.push(self.map(column, depth + 1)?);
            } else {
                items.push(self.scalar(content)?);
                self.pos += 1;
                if self.lines.get(self.pos).is_some_and(|l| l.indent > indent) {
                    return None;
                }
            }
        }
        Some(Node::Seq(items))
    }

    /// A mapping key, as `NodeVisitor` turns it into a string.
    fn key(&mut self, text: &str) -> Option<String> {
        let bytes = text.as_bytes();
        let first_ok = bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_';
        let rest_ok = bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-'));
        if !first_ok || !rest_ok || text.len() > MAX_KEY {
            return None;
        }
        let node = self.leaf(resolve_plain(text)?);
        Some(key_string(node))
    }

    /// A value written on its key's (or dash's) line.
    fn scalar(&mut self, text: &str) -> Option<Node> {
        let node = match text.as_bytes()[0] {
            quote @ (b'"' | b'\'') => {
                let body = &text[1..];
                let end = body.find(quote as char)?;
                let inner = &body[..end];
                let after = &body[end + 1..];
                let trimmed = &after[spaces(after)..];
                let comment = trimmed.starts_with('#') && trimmed.len() < after.len();
                if (quote == b'"' && inner.contains('\\')) || !(trimmed.is_empty() || comment) {
                    return None;
                }
                Node::Str(inner.to_string())
            }
            _ => {
                let value = match text.find(" #") {
                    Some(i) => trim_end(&text[..i]),
                    None => text,
                };
                let bytes = value.as_bytes();
                let first_ok = bytes[0].is_ascii_alphanumeric()
                    || matches!(
                        bytes[0],
                        b'.' | b'/' | b'_' | b'+' | b'~' | b'$' | b'(' | b'='
                    )
                    || (bytes[0] == b'-' && bytes.len() > 1 && bytes[1] != b' ');
                if !first_ok || value.contains(": ") || value.ends_with(':') {
                    return None;
                }
                resolve_plain(value)?
            }
        };
        Some(self.leaf(node))
    }

    /// Count a scalar as `NodeVisitor::leaf` does.
    fn leaf(&mut self, node: Node) -> Node {
        self.values += 1;
        if let Node::Str(s) = &node {
            self.bytes += s.len();
        }
        node
    }
}

/// Leading spaces.
fn spaces(s: &str) -> usize {
    s.bytes().take_while(|b| *b == b' ').count()
}

fn trim_end(s: &str) -> &str {
    &s[..s.len() - s.bytes().rev().take_while(|b| *b == b' ').count()]
}

fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// `key: rest` (rest without a trailing comment; empty when the value is on the next lines).
fn split_key(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    let colon = (0..bytes.len())
        .find(|&i| bytes[i] == b':' && bytes.get(i + 1).is_none_or(|b| *b == b' '))?;
    if colon == 0 {
        return None;
    }
    let rest = &text[colon + 1..];
    let rest = &rest[spaces(rest)..];
    let rest = if rest.starts_with('#') { "" } else { rest };
    Some((&text[..colon], rest))
}

// What serde_yaml makes of a plain scalar (`visit_untagged_scalar` and the functions it calls,
// serde_yaml 0.9), and what `NodeVisitor` makes of that. `None` where the visitor fails (a
// non-finite float).

fn resolve_plain(v: &str) -> Option<Node> {
    if v.is_empty() || matches!(v, "null" | "Null" | "NULL" | "~") {
        return Some(Node::Null);
    }
    match v {
        "true" | "True" | "TRUE" => return Some(Node::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Node::Bool(false)),
        _ => {}
    }
    // The common cases, decided without the full walk below (which they would get the same
    // answer from): a word starting with a letter, `_` or `/` is no number (Rust's float parser
    // reads `inf` and `nan`, which are not finite); plain decimal digits are an integer.
    let bytes = v.as_bytes();
    if bytes[0].is_ascii_alphabetic() || matches!(bytes[0], b'_' | b'/') {
        return Some(Node::Str(v.to_string()));
    }
    if bytes.len() <= 18
        && (bytes[0] != b'0' || bytes.len() == 1)
        && bytes.iter().all(u8::is_ascii_digit)
    {
        return v.parse().ok().map(Node::Int);
    }
    if let Some(int) = parse_unsigned_int(v, u64::from_str_radix) {
        return Some(match i64::try_from(int) {
            Ok(i) => Node::Int(i),
            Err(_) => Node::Float(int as f64),
        });
    }
    if let Some(int) = parse_negative_int(v, i64::from_str_radix) {
        return Some(Node::Int(int));
    }
    if let Some(int) = parse_unsigned_int(v, u128::from_str_radix) {
        return Some(match i64::try_from(int) {
            Ok(i) => Node::Int(i),
            Err(_) => Node::Float(int as f64),
        });
    }
    if let Some(int) = parse_negative_int(v, i128::from_str_radix) {
        return Some(match i64::try_from(int) {
            Ok(i) => Node::Int(i),
            Err(_) => Node::Float(int as f64),
        });
    }
    if !digits_but_not_number(v) {
        if let Some(float) = parse_f64(v) {
            return float.is_finite().then_some(Node::Float(float));
        }
    }
    Some(Node::Str(v.to_string()))
}

fn parse_unsigned_int<T>(
    scalar: &str,
    from_str_radix: fn(&str, u32) -> Result<T, ParseIntError>,
) -> Option<T> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

fn parse_negative_int<T>(
    scalar: &str,
    from_str_radix: fn(&str, u32) -> Result<T, ParseIntError>,
) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = scalar.strip_prefix(prefix) {
            if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(scalar, 10).ok()
}

fn parse_f64(scalar: &str) -> Option<f64> {
    let unpositive = match scalar.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => scalar,
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = scalar {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = scalar {
        return Some(f64::NAN);
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros followed by digits: a string in YAML 1.2.
fn digits_but_not_number(scalar: &str) -> bool {
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::super::{parse_node_yaml, Budget};
    use super::*;
    use crate::rng::Rng;

    /// What serde_yaml reads, with what it took from a fresh budget.
    fn by_serde_yaml(text: &str) -> Option<(Node, usize, usize)> {
        let budget = Budget::default();
        let node = parse_node_yaml(text, &budget).ok()?;
        Some((node, budget.values.get(), budget.bytes.get()))
    }

    fn same_as_serde_yaml(text: &str) -> bool {
        match read(text) {
            None => false,
            Some(r) => {
                let expected = by_serde_yaml(text);
                assert_eq!(
                    Some((r.node, r.values, r.bytes)),
                    expected,
                    "plain and serde_yaml disagree on:\n{text}"
                );
                true
            }
        }
    }

    #[test]
    fn reads_a_manifest_as_serde_yaml_does() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # the name\n  labels:\n    app.kubernetes.io/name: web\n\n    tier: \"80\"\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n        args:\n          - --port=8080\n          - 'x y'\n        ports:\n        - containerPort: 80\n          protocol: TCP\n      # a comment\n      - name: side\n        env:\n        resources:\n          limits: {}\n";
        // The flow mapping `{}` is not read here.
        assert!(read(text).is_none());
        assert!(same_as_serde_yaml(&text.replace("limits: {}", "limits:")));
        for scalar in [
            "80",
            "080",
            "-1",
            "-0",
            "0x1F",
            "0o17",
            "0b11",
            "-0x1F",
            "1e3",
            "1.5",
            ".5",
            "+5",
            "+",
            "~",
            "null",
            "Null",
            "true",
            "FALSE",
            "yes",
            "on",
            "nan",
            "inf",
            "1_000",
            "18446744073709551616",
            "9223372036854775808",
            "-9223372036854775809",
            "10.96.0.10",
            "64Mi",
            "--flag",
            "a:b",
            "a#b",
            "a #b",
            "/healthz",
            "\"\"",
            "''",
            "\"a: b\"",
            "'#'",
        ] {
            assert!(same_as_serde_yaml(&format!("k: {scalar}\n")), "{scalar}");
            // A quoted item with `: ` in it looks like a mapping at first sight: not read here.
            let item = format!("l:\n- {scalar}\n");
            assert!(
                same_as_serde_yaml(&item) || scalar.contains(": "),
                "{scalar}"
            );
        }
        for key in ["80", "0x10", "null", "True", "1e3", "_x", "a.b/c-d"] {
            assert!(same_as_serde_yaml(&format!("{key}: v\n")), "{key}");
        }
        for refused in [
            "k: .inf",
            "k: -.inf",
            "k: .nan",
            "k: a: b",
            "k: a:",
            "k: [a]",
            "k: &a x",
            "k: *a",
            "k: !t x",
            "k: |\n  x",
            "k: 'it''s'",
            "k: \"a\\\"b\"",
            "k: x\n  y",
            "- a",
            "a",
            "k: v\nk: w",
            "<<: {}",
            "\"k\": v",
            "k:\tv",
            "k: v\r",
            "k: é",
            "k:\n-\n  a: 1",
        ] {
            assert!(read(refused).is_none(), "{refused}");
        }
    }

    /// Random documents from lines that are mostly valid block YAML: whatever `read` accepts,
    /// serde_yaml must read into the same tree, with the same budget.
    #[test]
    fn agrees_with_serde_yaml_on_random_documents() {
        const KEYS: &[&str] = &[
            "a",
            "b",
            "name",
            "app.kubernetes.io/name",
            "80",
            "0x1",
            "null",
            "true",
            "~",
            "<<",
            "\"q\"",
            "a b",
            "-a",
            "_x",
            "1e3",
            ".inf",
            "a:b",
            "k",
        ];
        const VALUES: &[&str] = &[
            "",
            "x",
            "80",
            "080",
            "0x1F",
            "1e3",
            "-1",
            "--flag",
            "~",
            "null",
            "True",
            "yes",
            ".inf",
            "a: b",
            "a:",
            "nginx:1.25",
            "\"q\"",
            "'s'",
            "'it''s'",
            "\"a\\\"b\"",
            "[a]",
            "{a: 1}",
            "&x v",
            "*x",
            "!t v",
            "|",
            ">",
            "a #c",
            "a#c",
            "#c",
            "-",
            "- x",
            "...",
            "'a' b",
            "\"a\" # c",
            "1.5",
            "a b  c",
        ];
        let mut rng = Rng::new(42);
        let pick =
            |rng: &mut Rng, list: &[&'static str]| list[rng.below(list.len() as u64) as usize];
        let mut accepted = 0;
        for _ in 0..40_000 {
            let mut text = String::new();
            let mut indent = 0usize;
            for _ in 0..1 + rng.below(8) {
                match rng.below(10) {
                    0 => indent = indent.saturating_sub(2 * rng.below(3) as usize),
                    1 => indent += 2,
                    2 => indent += 1,
                    _ => {}
                }
                text.push_str(&" ".repeat(indent));
                match rng.below(9) {
                    0 => text.push_str(&format!("- {}", pick(&mut rng, VALUES))),
                    1 => text.push_str(&format!(
                        "- {}: {}",
                        pick(&mut rng, KEYS),
                        pick(&mut rng, VALUES)
                    )),
                    2 => text.push_str(&format!("- {}:", pick(&mut rng, KEYS))),
                    3 => text.push_str(&format!("{}:", pick(&mut rng, KEYS))),
                    4 => text.push_str("# comment"),
                    5 => {}
                    _ => text.push_str(&format!(
                        "{}: {}",
                        pick(&mut rng, KEYS),
                        pick(&mut rng, VALUES)
                    )),
                }
                text.push('\n');
            }
            if same_as_serde_yaml(&text) {
                accepted += 1;
            }
        }
        assert!(accepted > 1_000, "{accepted}");
    }
}
