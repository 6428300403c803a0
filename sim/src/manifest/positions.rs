//! Positions: a small reader of block-style YAML (and of flow collections inside it) that finds
//! the line and column of a field path such as `spec.ports[1].port`, for error messages, and the
//! spot to rewrite for [`super::set_replicas`].

use super::documents::is_content_line;
use super::MAX_FLOW_SCAN;

/// One line with content (blank lines and comment-only lines are left out).
pub(super) struct Line<'a> {
    /// Absolute 1-based line number.
    no: usize,
    /// The line without its line break.
    pub(super) text: &'a str,
    /// The line with its line break.
    pub(super) full: &'a str,
    pub(super) full_len: usize,
    /// Byte offset of the line in its chunk.
    pub(super) offset: usize,
    /// Leading spaces.
    indent: usize,
}

/// A node's place: it starts at (`line`, `col`) (byte column) and continues over the following
/// lines indented more than `parent` (or, for a list written at its key's indentation, over the
/// `- ` lines at that indentation).
#[derive(Clone, Copy, Debug)]
pub(super) struct Region {
    line: usize,
    pub(super) col: usize,
    parent: isize,
    same_indent_seq: bool,
    /// The node starts on its key's line (after `key: ` or `- `).
    pub(super) inline: bool,
}

/// What a path segment found.
pub(super) struct Hit {
    /// The key (or the list item's content).
    pub(super) key: (usize, usize),
    /// Where the value starts when it is on the key's line.
    pub(super) value_inline: Option<(usize, usize)>,
    /// The value's region, to look further in.
    pub(super) region: Option<Region>,
    /// Found inside a flow collection (`{...}`, `[...]`).
    pub(super) in_flow: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Key,
    Value,
}

pub(super) struct Lines<'a> {
    pub(super) lines: Vec<Line<'a>>,
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

/// A position in `text` as serde_yaml gives it, kept inside the text: an error found at the end
/// of the stream (an unclosed `[`, a cut-off string) is reported on the line after the last, and
/// is put instead just after the last line's last character, where the text stops.
pub(super) fn within(text: &str, line: usize, column: usize) -> (usize, usize) {
    let count = text.lines().count();
    match text.lines().last() {
        Some(last) if line > count => (count, last.chars().count() + 1),
        _ => (line, column),
    }
}

/// Length of the scalar token at the start of `s` (to replace a value in place); inside a flow
/// collection a plain scalar also ends at `,`, `}` and `]`.
pub(super) fn scalar_token_len(s: &str, in_flow: bool) -> usize {
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
pub(super) fn parse_key(s: &str) -> Option<(String, usize)> {
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
    pub(super) fn new(chunk_text: &'a str, start_line: usize) -> Self {
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
    pub(super) fn find_path(&self, segs: &[Seg]) -> Option<Hit> {
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
    pub(super) fn locate(&self, path: &str, mode: Mode, fallback_line: usize) -> (usize, usize) {
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

    pub(super) fn first_alias(&self) -> Option<(usize, usize)> {
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

    pub(super) fn alias_name_at(&self, line: usize, col: usize) -> Option<String> {
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

    pub(super) fn first_control_char(&self) -> Option<(usize, usize)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Lines<'_> {
        Lines::new(text, 1)
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
