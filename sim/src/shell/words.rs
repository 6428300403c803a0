//! Splitting a typed line into words the way a POSIX shell does: quotes, backslashes, `$VAR`,
//! comments, and the operators svclab understands (`|`, `;`, `&&`, `||`, redirections).
//!
//! Nothing here can fail hard: an unterminated quote is reported, never a panic.

use crate::map::SortedMap;

/// One shell token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    Word(String),
    /// `|`, `;`, `&&`, `||`, `&`.
    Op(&'static str),
    /// A redirection such as `2>&1`, `>/dev/null`, `> out.txt`, `<in`.
    Redirect(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The closing quote character that is missing.
    Unterminated(char),
}

/// Split `line` into tokens, expanding `$NAME`, `${NAME}` and `$?` from `env` outside single
/// quotes. A `#` at the start of a word starts a comment.
pub fn split(line: &str, env: &SortedMap<String, String>) -> Result<Vec<Token>, SplitError> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut word = String::new();
    // A word has started (even an empty one, from `""`).
    let mut in_word = false;
    let mut i = 0;
    let flush = |word: &mut String, in_word: &mut bool, tokens: &mut Vec<Token>| {
        if *in_word {
            tokens.push(Token::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                flush(&mut word, &mut in_word, &mut tokens);
                i += 1;
            }
            '#' if !in_word => break,
            '\'' => {
                in_word = true;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(SplitError::Unterminated('\'')),
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            word.push(ch);
                            i += 1;
                        }
                    }
                }
            }
            '"' => {
                in_word = true;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(SplitError::Unterminated('"')),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => match chars.get(i + 1) {
                            Some(&n) if matches!(n, '"' | '\\' | '$' | '`') => {
                                word.push(n);
                                i += 2;
                            }
                            Some('\n') => i += 2,
                            _ => {
                                word.push('\\');
                                i += 1;
                            }
                        },
                        Some('$') => {
                            i = expand(&chars, i, env, &mut word);
                        }
                        Some(&ch) => {
                            word.push(ch);
                            i += 1;
                        }
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(&n) = chars.get(i + 1) {
                    if n != '\n' {
                        word.push(n);
                    }
                    i += 2;
                } else {
                    i += 1;
                }
            }
            '$' => {
                in_word = true;
                i = expand(&chars, i, env, &mut word);
            }
            '|' | ';' | '&' => {
                let next = chars.get(i + 1).copied();
                // `2>&1` style redirections are handled under '>' below; here `&` alone.
                flush(&mut word, &mut in_word, &mut tokens);
                let (op, len): (&'static str, usize) = match (c, next) {
                    ('|', Some('|')) => ("||", 2),
                    ('&', Some('&')) => ("&&", 2),
                    (';', Some(';')) => (";;", 2),
                    ('|', _) => ("|", 1),
                    (';', _) => (";", 1),
                    _ => ("&", 1),
                };
                tokens.push(Token::Op(op));
                i += len;
            }
            '>' | '<' => {
                // A redirection, with an optional fd number glued in front (`2>`).
                let mut text = String::new();
                if in_word && !word.is_empty() && word.chars().all(|d| d.is_ascii_digit()) {
                    text.push_str(&std::mem::take(&mut word));
                    in_word = false;
                } else {
                    flush(&mut word, &mut in_word, &mut tokens);
                }
                text.push(c);
                i += 1;
                while let Some(&n) = chars.get(i) {
                    if n == '>' || n == '&' {
                        text.push(n);
                        i += 1;
                    } else {
                        break;
                    }
                }
                while matches!(chars.get(i), Some(' ') | Some('\t')) {
                    i += 1;
                }
                // The target: up to the next blank or operator.
                while let Some(&n) = chars.get(i) {
                    if matches!(n, ' ' | '\t' | '|' | ';' | '<' | '>')
                        || (n == '&' && !text.ends_with('&'))
                    {
                        break;
                    }
                    text.push(n);
                    i += 1;
                }
                tokens.push(Token::Redirect(text));
            }
            _ => {
                in_word = true;
                word.push(c);
                i += 1;
            }
        }
    }
    flush(&mut word, &mut in_word, &mut tokens);
    Ok(tokens)
}

/// Expand the `$` at `chars[i]` into `out`; returns the index after it.
fn expand(chars: &[char], i: usize, env: &SortedMap<String, String>, out: &mut String) -> usize {
    let mut j = i + 1;
    match chars.get(j) {
        Some('{') => {
            let start = j + 1;
            let mut end = start;
            while end < chars.len() && chars[end] != '}' {
                end += 1;
            }
            if end >= chars.len() {
                out.push('$');
                return i + 1;
            }
            let name: String = chars[start..end].iter().collect();
            if let Some(v) = env.get(&name) {
                out.push_str(v);
            }
            end + 1
        }
        Some('?') => {
            out.push_str(env.get("?").map_or("0", String::as_str));
            j + 1
        }
        Some(&c) if c.is_ascii_alphabetic() || c == '_' => {
            let start = j;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let name: String = chars[start..j].iter().collect();
            if let Some(v) = env.get(&name) {
                out.push_str(v);
            }
            j
        }
        _ => {
            out.push('$');
            i + 1
        }
    }
}

/// What `$?` expands to when the terminal splits a line or a script: a mark the interpreter
/// replaces with the status each command starts with ([`live_status`]), so that
/// `false; echo $?` prints 1. No typed word holds it (it begins with a NUL).
pub const STATUS_MARK: &str = "\u{0}?";

/// `simple`'s words and redirections with `$?` ([`STATUS_MARK`]) as `status`.
pub fn live_status(simple: &mut Simple, status: i32) {
    for w in simple.words.iter_mut().chain(simple.redirects.iter_mut()) {
        if w.contains(STATUS_MARK) {
            *w = w.replace(STATUS_MARK, &status.to_string());
        }
    }
}

/// A pipeline stage or a list element: the words of one simple command and its redirections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simple {
    pub words: Vec<String>,
    pub redirects: Vec<String>,
}

/// The reserved words that open or continue a loop or a conditional (`for`, `while`, `if`,
/// `case`, and the `do`/`then` parts after them).
const COMPOUND: &[&str] = &[
    "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "select", "then", "until",
    "while",
];

/// The first command of `list` that begins with such a word, as it was typed: svclab's shells
/// run simple commands, lists and pipes, not compound commands.
pub fn compound(list: &[Pipeline]) -> Option<&str> {
    list.iter()
        .flat_map(|p| &p.stages)
        .filter_map(|stage| stage.words.first())
        .map(String::as_str)
        .find(|word| COMPOUND.contains(word))
}

/// A command list: pipelines joined by `;`, `&&`, `||`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pipeline {
    pub stages: Vec<Simple>,
    /// The operator that joins this pipeline to the next one (`;`, `&&`, `||`, `&`), if any.
    pub then: Option<&'static str>,
}

/// Group tokens into pipelines. A syntax error (`| |`, a leading `;`) gives bash's message text
/// for the unexpected token.
pub fn pipelines(tokens: Vec<Token>) -> Result<Vec<Pipeline>, String> {
    let mut out = Vec::new();
    let mut current = Pipeline::default();
    let mut stage = Simple::default();
    for t in tokens {
        match t {
            Token::Word(w) => stage.words.push(w),
            Token::Redirect(r) => stage.redirects.push(r),
            Token::Op("|") => {
                if stage.words.is_empty() {
                    return Err("|".into());
                }
                current.stages.push(std::mem::take(&mut stage));
            }
            Token::Op(op) => {
                if stage.words.is_empty() {
                    return Err(op.into());
                }
                current.stages.push(std::mem::take(&mut stage));
                current.then = Some(op);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    if !stage.words.is_empty() || !stage.redirects.is_empty() {
        current.stages.push(stage);
    } else if !current.stages.is_empty() {
        // `kubectl get pods |` : bash waits for more input; svclab reports it.
        return Err("newline".into());
    }
    if !current.stages.is_empty() {
        out.push(current);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        split(line, &SortedMap::new())
            .unwrap()
            .into_iter()
            .filter_map(|t| match t {
                Token::Word(w) => Some(w),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn quotes_and_escapes() {
        let rows: &[(&str, &[&str])] = &[
            ("kubectl get svc", &["kubectl", "get", "svc"]),
            ("echo 'a b'  \"c d\"", &["echo", "a b", "c d"]),
            ("echo a\\ b", &["echo", "a b"]),
            ("echo \"\"", &["echo", ""]),
            ("echo \"a\\\"b\"", &["echo", "a\"b"]),
            (
                "kubectl exec -it t -- sh -c 'echo hi'",
                &["kubectl", "exec", "-it", "t", "--", "sh", "-c", "echo hi"],
            ),
            ("ls # a comment", &["ls"]),
            ("echo a#b", &["echo", "a#b"]),
        ];
        for (line, want) in rows {
            assert_eq!(words(line), *want, "{line}");
        }
    }

    #[test]
    fn operators_and_redirections() {
        let t = split(
            "kubectl get pods 2>&1 | grep web && echo ok",
            &SortedMap::new(),
        )
        .unwrap();
        assert_eq!(
            t,
            vec![
                Token::Word("kubectl".into()),
                Token::Word("get".into()),
                Token::Word("pods".into()),
                Token::Redirect("2>&1".into()),
                Token::Op("|"),
                Token::Word("grep".into()),
                Token::Word("web".into()),
                Token::Op("&&"),
                Token::Word("echo".into()),
                Token::Word("ok".into()),
            ]
        );
        let p = pipelines(t).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].stages.len(), 2);
        assert_eq!(p[0].then, Some("&&"));
    }

    #[test]
    fn unterminated_quotes_are_reported() {
        assert_eq!(
            split("echo 'abc", &SortedMap::new()),
            Err(SplitError::Unterminated('\''))
        );
        assert_eq!(
            split("echo \"abc", &SortedMap::new()),
            Err(SplitError::Unterminated('"'))
        );
    }

    #[test]
    fn variables_expand_outside_single_quotes() {
        let env: SortedMap<String, String> = [("HOSTNAME".to_string(), "test".to_string())].into();
        let t = split("echo $HOSTNAME '$HOSTNAME' \"${HOSTNAME}x\" $NOPE$", &env).unwrap();
        let w: Vec<_> = t
            .into_iter()
            .map(|t| match t {
                Token::Word(w) => w,
                _ => String::new(),
            })
            .collect();
        assert_eq!(w, vec!["echo", "test", "$HOSTNAME", "testx", "$"]);
    }
}
