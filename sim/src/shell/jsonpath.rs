//! kubectl's JSONPath templates (`-o jsonpath=...`, `--sort-by`), the parts lessons use:
//! fields (`.spec.clusterIP`, `['app.kubernetes.io/name']`), indexes and slices-of-one
//! (`[0]`, `[-1]`), every element (`[*]`), filters (`[?(@.type=="Ready")]`), `{range}` /
//! `{end}` and quoted text (`{"\n"}`). Missing fields print nothing, as `kubectl get` allows
//! missing keys. Scalars print bare; maps and lists print as compact JSON.

use std::cmp::Ordering;

use super::value::Value;

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Template(Vec<Node>);

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Path(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    All,
    Filter {
        path: Vec<Step>,
        equal: bool,
        value: Literal,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum Literal {
    Str(String),
    Int(i64),
    Bool(bool),
}

/// Templates nest `{range}` this deep at most, and are at most this long (filters nest by
/// recursion: a pasted template cannot exhaust the stack).
const MAX_DEPTH: usize = 16;
const MAX_LEN: usize = 2048;
/// Output stops growing past this many bytes (a template repeating `{.items[*]}` over
/// thousands of pods would otherwise print gigabytes).
pub(crate) const MAX_OUTPUT: usize = 4 << 20;

impl Template {
    /// Parse `text` (`{.items[*].metadata.name}`); the error is kubectl's reason after
    /// `error parsing jsonpath <text>, `.
    pub(crate) fn parse(text: &str) -> Result<Template, String> {
        if text.len() > MAX_LEN {
            return Err(format!("svclab reads templates of up to {MAX_LEN} bytes"));
        }
        let mut stack: Vec<(Vec<Step>, Vec<Node>)> = Vec::new();
        let mut nodes = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                nodes.push(Node::Text(rest.to_string()));
                break;
            };
            if open > 0 {
                nodes.push(Node::Text(rest[..open].to_string()));
            }
            let inner_start = open + 1;
            let close = find_close(&rest[inner_start..])
                .ok_or_else(|| "unclosed action".to_string())?
                + inner_start;
            let action = rest[inner_start..close].trim();
            rest = &rest[close + 1..];
            if let Some(quoted) = action.strip_prefix('"') {
                let body = quoted
                    .strip_suffix('"')
                    .ok_or_else(|| "unterminated quoted string".to_string())?;
                nodes.push(Node::Text(unescape(body)));
            } else if action == "end" {
                let (path, body) = stack
                    .pop()
                    .ok_or_else(|| "not in range, nothing to end".to_string())?;
                let inner = std::mem::replace(&mut nodes, body);
                nodes.push(Node::Range(path, inner));
            } else if let Some(path) = action.strip_prefix("range ") {
                if stack.len() >= MAX_DEPTH {
                    return Err("range nested too deep".into());
                }
                let path = parse_path(path.trim())?;
                stack.push((path, std::mem::take(&mut nodes)));
            } else if action.is_empty() {
                continue;
            } else {
                nodes.push(Node::Path(parse_path(action)?));
            }
        }
        if !stack.is_empty() {
            return Err("unclosed range".into());
        }
        Ok(Template(nodes))
    }

    /// The template applied to `root`, and whether it was cut at [`MAX_OUTPUT`].
    pub(crate) fn render(&self, root: &Value) -> (String, bool) {
        let mut out = String::new();
        render(&self.0, root, &mut out);
        let cut = out.len() > MAX_OUTPUT;
        if cut {
            let mut end = MAX_OUTPUT;
            while !out.is_char_boundary(end) {
                end -= 1;
            }
            out.truncate(end);
        }
        (out, cut)
    }

    /// The values the template's first path selects (for `--sort-by`).
    pub(crate) fn select<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        self.0
            .iter()
            .find_map(|n| match n {
                Node::Path(p) => Some(select(p, root)),
                _ => None,
            })
            .unwrap_or_default()
    }
}

fn render(nodes: &[Node], root: &Value, out: &mut String) {
    for node in nodes {
        if out.len() > MAX_OUTPUT {
            return;
        }
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Path(p) => {
                let values = select(p, root);
                for (i, v) in values.iter().enumerate() {
                    if out.len() > MAX_OUTPUT {
                        return;
                    }
                    if i > 0 {
                        out.push(' ');
                    }
                    print(v, out);
                }
            }
            Node::Range(p, body) => {
                for v in select(p, root) {
                    render(body, v, out);
                }
            }
        }
    }
}

/// The end of the action that starts here: the first `}` outside quotes.
fn find_close(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '}' => return Some(i),
            None => {}
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// `.items[*].metadata.name`, `$.spec`, `@.type`, `.metadata.labels['app']`.
fn parse_path(text: &str) -> Result<Vec<Step>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    if matches!(chars.first(), Some('$' | '@')) {
        i = 1;
    }
    let mut steps = Vec::new();
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                let start = i;
                while i < chars.len() && !matches!(chars[i], '.' | '[') {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                if name.is_empty() {
                    if i < chars.len() && chars[i] == '.' {
                        return Err("recursive descent (..) is not simulated".into());
                    }
                    continue;
                }
                if !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '/')
                {
                    return Err(format!("unrecognized character in action: {name}"));
                }
                steps.push(Step::Field(name));
            }
            '[' => {
                let close = chars[i..]
                    .iter()
                    .position(|&c| c == ']')
                    .map(|p| p + i)
                    .ok_or_else(|| "unterminated array".to_string())?;
                // A filter's brackets close at the first `)]` outside quotes.
                let close = if chars.get(i + 1) == Some(&'?') {
                    filter_end(&chars, i).ok_or_else(|| "unterminated filter".to_string())?
                } else {
                    close
                };
                let inside: String = chars[i + 1..close].iter().collect();
                steps.push(parse_bracket(inside.trim())?);
                i = close + 1;
            }
            c => return Err(format!("unrecognized character in action: {c}")),
        }
    }
    Ok(steps)
}

/// Where the filter opening at `chars[start]` (`[?(`) ends: the `]` of its first `)]`
/// outside quotes.
fn filter_end(chars: &[char], start: usize) -> Option<usize> {
    let mut quote: Option<char> = None;
    for i in start..chars.len() {
        let c = chars[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == ')' && chars.get(i + 1) == Some(&']') => return Some(i + 1),
            None => {}
        }
    }
    None
}

fn parse_bracket(inside: &str) -> Result<Step, String> {
    if inside == "*" {
        return Ok(Step::All);
    }
    if let Some(name) = quoted(inside) {
        return Ok(Step::Field(name));
    }
    if let Some(filter) = inside.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        let (left, equal, right) = if let Some((l, r)) = filter.split_once("==") {
            (l, true, r)
        } else if let Some((l, r)) = filter.split_once("!=") {
            (l, false, r)
        } else {
            return Err(format!("unsupported filter: {filter}"));
        };
        let right = right.trim();
        let value = if let Some(s) = quoted(right) {
            Literal::Str(s)
        } else if let Ok(n) = right.parse::<i64>() {
            Literal::Int(n)
        } else if let Ok(b) = right.parse::<bool>() {
            Literal::Bool(b)
        } else {
            return Err(format!("unsupported filter value: {right}"));
        };
        return Ok(Step::Filter {
            path: parse_path(left.trim())?,
            equal,
            value,
        });
    }
    inside
        .parse::<i64>()
        .map(Step::Index)
        .map_err(|_| format!("invalid array index {inside}"))
}

/// `'x'` or `"x"`, unquoted.
fn quoted(s: &str) -> Option<String> {
    let q = s.chars().next().filter(|&c| c == '\'' || c == '"')?;
    let body = s.strip_prefix(q)?.strip_suffix(q)?;
    Some(body.to_string())
}

fn select<'a>(path: &[Step], root: &'a Value) -> Vec<&'a Value> {
    let mut current = vec![root];
    for step in path {
        let mut next = Vec::new();
        for v in current {
            match (step, v) {
                (Step::Field(name), Value::Map(entries)) => {
                    next.extend(entries.iter().filter(|(k, _)| k == name).map(|(_, v)| v));
                }
                (Step::Index(i), Value::List(items)) => {
                    let len = items.len() as i64;
                    let at = if *i < 0 { len + i } else { *i };
                    if (0..len).contains(&at) {
                        next.push(&items[at as usize]);
                    }
                }
                (Step::All, Value::List(items)) => next.extend(items.iter()),
                (Step::All, Value::Map(entries)) => next.extend(entries.iter().map(|(_, v)| v)),
                (Step::Filter { path, equal, value }, Value::List(items)) => {
                    next.extend(items.iter().filter(|item| {
                        let found = select(path, item);
                        let matches = found.iter().any(|f| same(f, value));
                        matches == *equal && !found.is_empty()
                    }));
                }
                _ => {}
            }
        }
        current = next;
    }
    current
}

fn same(v: &Value, literal: &Literal) -> bool {
    match (v, literal) {
        (Value::Str(a), Literal::Str(b)) => a == b,
        (Value::Int(a), Literal::Int(b)) => a == b,
        (Value::Bool(a), Literal::Bool(b)) => a == b,
        _ => false,
    }
}

/// A value as kubectl's JSONPath prints it: strings bare, the rest as compact JSON.
fn print(v: &Value, out: &mut String) {
    match v {
        Value::Str(s) => out.push_str(s),
        other => out.push_str(&super::value::to_compact_json(other)),
    }
}

/// kubectl's order for text in `--sort-by` (`sortorder.NaturalLess`): runs of digits compare
/// as numbers, so `10.244.2.2` comes before `10.244.10.1`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (da, db) = (a[i].is_ascii_digit(), b[j].is_ascii_digit());
        if da != db {
            return if da {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        if !da {
            if a[i] != b[j] {
                return a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
            continue;
        }
        let (zi, zj) = (i, j);
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let (si, sj) = (i, j);
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let by_number = (i - si)
            .cmp(&(j - sj))
            .then_with(|| a[si..i].cmp(&b[sj..j]))
            .then_with(|| (si - zi).cmp(&(sj - zj)));
        if by_number != Ordering::Equal {
            return by_number;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, ip: &str, ready: &str) -> Value {
        Value::map()
            .with(
                "metadata",
                Value::map().with("name", Value::Str(name.into())).with(
                    "labels",
                    Value::map().with("app", Value::Str("backend".into())),
                ),
            )
            .with(
                "status",
                Value::map().with("podIP", Value::Str(ip.into())).with(
                    "conditions",
                    Value::List(vec![Value::map()
                        .with("type", Value::Str("Ready".into()))
                        .with("status", Value::Str(ready.into()))]),
                ),
            )
    }

    fn list() -> Value {
        Value::map().with(
            "items",
            Value::List(vec![
                pod("a", "10.244.1.2", "True"),
                pod("b", "10.244.2.2", "False"),
            ]),
        )
    }

    fn run(template: &str, root: &Value) -> String {
        Template::parse(template).expect("parses").render(root).0
    }

    #[test]
    fn paths_select_and_print_as_kubectl_does() {
        let l = list();
        assert_eq!(run("{.items[*].metadata.name}", &l), "a b");
        assert_eq!(run("{.items[0].status.podIP}", &l), "10.244.1.2");
        assert_eq!(run("{.items[-1].metadata.name}", &l), "b");
        assert_eq!(
            run(
                "{.items[?(@.status.conditions[0].status==\"True\")].metadata.name}",
                &l
            ),
            "a"
        );
        assert_eq!(
            run(
                "{.items[?(@.metadata.name!='a')].status.conditions[?(@.type=='Ready')].status}",
                &l
            ),
            "False"
        );
        assert_eq!(
            run("{.items[0].metadata.labels}", &l),
            "{\"app\":\"backend\"}"
        );
        assert_eq!(run("{.items[0].metadata.labels['app']}", &l), "backend");
        assert_eq!(
            run(
                "{range .items[*]}{.metadata.name}{\"\\t\"}{.status.podIP}{\"\\n\"}{end}",
                &l
            ),
            "a\t10.244.1.2\nb\t10.244.2.2\n"
        );
        assert_eq!(run("name: {.items[1].metadata.name}!", &l), "name: b!");
        // Missing fields print nothing.
        assert_eq!(run("{.items[5].metadata.name}{.spec.nothing}", &l), "");
    }

    #[test]
    fn text_sorts_naturally() {
        let mut ips = vec![
            "10.244.10.1",
            "10.244.2.2",
            "10.244.1.9",
            "10.244.1.10",
            "a",
            "10",
        ];
        ips.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ips,
            [
                "10",
                "10.244.1.9",
                "10.244.1.10",
                "10.244.2.2",
                "10.244.10.1",
                "a"
            ]
        );
        assert_eq!(natural_cmp("a01", "a1"), Ordering::Greater);
        assert_eq!(natural_cmp("pod-2", "pod-2"), Ordering::Equal);
    }

    #[test]
    fn broken_templates_are_errors_not_panics() {
        for bad in [
            "{.items[*",
            "{.items[?(@.a==]}",
            "{range .items[*]}{.x}",
            "{end}",
            "{.a b}",
            "{\"open}",
            "{..name}",
            "{.items[x]}",
            &"{.a[?(@".repeat(1000),
        ] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
        // Anything at all parses or fails, and renders without panicking: the strings of up
        // to 15 characters from the template alphabet that a seeded walk comes to.
        let alphabet: Vec<char> = "{}[]().*?@$=!'\"\\-0123 abrangeénd".chars().collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..50_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let len = (state >> 60) as usize;
            let text: String = (0..len)
                .map(|k| {
                    let r = state.rotate_left(7 * k as u32 + 3) >> 40;
                    alphabet[r as usize % alphabet.len()]
                })
                .collect();
            if let Ok(t) = Template::parse(&text) {
                let _ = t.render(&list());
            }
        }
        // Output is bounded, however the template multiplies it.
        let big = Value::map().with(
            "items",
            Value::List(
                (0..2000)
                    .map(|i| pod(&format!("p{i}"), "10.0.0.1", "True"))
                    .collect(),
            ),
        );
        let (out, cut) = Template::parse(&"{.items[*]}".repeat(150))
            .expect("parses")
            .render(&big);
        assert!(cut && out.len() <= MAX_OUTPUT);
    }
}
