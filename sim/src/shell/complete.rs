//! Tab completion, as bash with kubectl's completion script would offer it. This file finds the
//! word being typed; what to offer comes from the shell's table of commands ([`builtin`]): each
//! command names its options and completes its own arguments (kubectl's in `kubectl::complete`).

use crate::cluster::Cluster;

use super::builtin::{self, matching};
use super::{host, node, pod, words, Location, Terminal};

/// The word being typed: where it starts in the line (a byte offset, always on a char boundary),
/// the word with its quotes and backslashes removed, and the quote character it opened with, if
/// any (kept when the word is completed).
struct Current {
    start: usize,
    word: String,
    quote: Option<char>,
}

/// Find the word being typed: the text after the last blank or operator character that no quote
/// or backslash protects.
fn current(line: &str) -> Current {
    let mut start = 0;
    let mut word = String::new();
    let mut open: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match open {
            Some('\'') => {
                if c == '\'' {
                    open = None;
                } else {
                    word.push(c);
                }
            }
            Some(_) => match c {
                '"' => open = None,
                '\\' => match chars.peek() {
                    Some(&(_, n)) if matches!(n, '"' | '\\' | '$' | '`') => {
                        word.push(n);
                        chars.next();
                    }
                    _ => word.push('\\'),
                },
                _ => word.push(c),
            },
            None => match c {
                ' ' | '\t' | '\n' | '\r' | '|' | ';' | '&' | '<' | '>' => {
                    start = i + c.len_utf8();
                    word.clear();
                }
                '\'' | '"' => open = Some(c),
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                _ => word.push(c),
            },
        }
    }
    let quote = line[start..]
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"'));
    Current { start, word, quote }
}

/// Split a line for completion: the finished words and the word being typed (maybe empty).
fn split(line: &str) -> (Vec<String>, Current) {
    let cur = current(line);
    let before = &line[..cur.start];
    let ws: Vec<String> = match words::split(before, &Default::default()) {
        Ok(tokens) => tokens
            .into_iter()
            .filter_map(|t| match t {
                words::Token::Word(w) => Some(w),
                _ => None,
            })
            .collect(),
        Err(_) => before.split_whitespace().map(str::to_string).collect(),
    };
    (ws, cur)
}

pub(crate) fn complete(term: &Terminal, cluster: &Cluster, line: &str) -> Vec<String> {
    let (done, cur) = split(line);
    let cur = cur.word;
    let candidates = match term.location() {
        Location::Host => builtin::candidates(host::BUILTINS, term, cluster, &(), &done, &cur),
        Location::Pod(p) => builtin::candidates(pod::BUILTINS, term, cluster, p, &done, &cur),
        Location::Node(n) => builtin::candidates(node::BUILTINS, term, cluster, n, &done, &cur),
    };
    matching(candidates, &cur)
}

pub(crate) fn complete_line(
    term: &Terminal,
    cluster: &Cluster,
    line: &str,
) -> (String, Vec<String>) {
    let candidates = complete(term, cluster, line);
    let (_, cur) = split(line);
    let base = &line[..cur.start];
    // A word typed with an opening quote keeps it: a finished word is closed, as bash does.
    let quote = cur.quote.map(String::from).unwrap_or_default();
    match candidates.len() {
        0 => (line.to_string(), Vec::new()),
        1 => {
            let c = &candidates[0];
            let end = if c.ends_with('/') || c.ends_with('=') {
                String::new()
            } else {
                format!("{quote} ")
            };
            (format!("{base}{quote}{c}{end}"), Vec::new())
        }
        _ => {
            let mut prefix = candidates[0].clone();
            for c in &candidates[1..] {
                while !c.starts_with(&prefix) {
                    prefix.pop();
                }
            }
            let extended = if prefix.len() > cur.word.len() {
                format!("{base}{quote}{prefix}")
            } else {
                line.to_string()
            };
            (extended, candidates)
        }
    }
}
