//! Pipe stages after the first command (`| grep`, `| head`, `| tail`, `| wc -l`, ...) and the
//! small text helpers they share.

use super::words::Simple;
use super::{Ctx, Line, Stream};

/// `echo`, with `-n` and `-e` accepted and ignored.
pub(crate) fn echo(args: &[String]) -> String {
    let mut words = args;
    while let Some(first) = words.first() {
        if matches!(first.as_str(), "-n" | "-e" | "-E" | "-ne" | "-en") {
            words = &words[1..];
        } else {
            break;
        }
    }
    words.join(" ")
}

/// One pipe stage after the first: the filters people use on kubectl output.
pub(super) fn pipe_filter(
    ctx: &Ctx,
    f: &Simple,
    lines: Vec<Line>,
    stderr_to_stdout: bool,
    notes: &mut Vec<Line>,
) -> Vec<Line> {
    let Some(cmd) = f.words.first() else {
        return lines;
    };
    let args = &f.words[1..];
    let piped =
        |l: &Line| l.stream == Stream::Stdout || (stderr_to_stdout && l.stream == Stream::Stderr);
    let (input, mut passthrough): (Vec<Line>, Vec<Line>) =
        lines.into_iter().partition(|l| piped(l));
    let texts: Vec<String> = input.into_iter().map(|l| l.text).collect();
    let result: Option<Vec<String>> = match cmd.as_str() {
        "grep" | "egrep" => match grep(cmd, args, &texts) {
            Some(kept) => Some(kept),
            None => {
                // grep without a pattern prints its usage and reads nothing.
                passthrough.push(Line::err(format!(
                    "Usage: {cmd} [OPTION]... PATTERNS [FILE]..."
                )));
                passthrough.push(Line::err(format!(
                    "Try '{cmd} --help' for more information."
                )));
                return passthrough;
            }
        },
        "head" | "tail" => {
            let mut n = 10usize;
            let mut it = args.iter();
            while let Some(a) = it.next() {
                if a == "-n" {
                    n = it
                        .next()
                        .and_then(|v| v.trim_start_matches('+').parse().ok())
                        .unwrap_or(n);
                } else if let Some(v) = a.strip_prefix("-n") {
                    n = v.parse().unwrap_or(n);
                } else if let Some(v) = a.strip_prefix('-') {
                    n = v.parse().unwrap_or(n);
                }
            }
            Some(if cmd == "head" {
                texts.iter().take(n).cloned().collect()
            } else {
                texts
                    .iter()
                    .skip(texts.len().saturating_sub(n))
                    .cloned()
                    .collect()
            })
        }
        "wc" => Some(vec![if args.iter().any(|a| a == "-l") {
            texts.len().to_string()
        } else {
            let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
            let bytes: usize = texts.iter().map(|t| t.len() + 1).sum();
            format!("{:>7} {:>7} {:>7}", texts.len(), words, bytes)
        }]),
        "sort" => {
            let mut t = texts.clone();
            crate::sort::sort(&mut t);
            if args.iter().any(|a| a == "-r") {
                t.reverse();
            }
            Some(t)
        }
        "cat" | "less" | "more" => Some(texts.clone()),
        _ => None,
    };
    match result {
        Some(kept) => {
            passthrough.extend(kept.into_iter().map(Line::out));
            passthrough
        }
        None => {
            let _ = ctx;
            notes.push(Line::note(format!(
                "`| {cmd}` is not simulated; the unfiltered output is shown"
            )));
            passthrough.extend(texts.into_iter().map(Line::out));
            passthrough
        }
    }
}

/// `grep` over lines: fixed strings (`\\|` or, with `-E`, `|` alternatives), `-v -i -c -w` and the
/// context options `-A -B -C`.
fn grep(cmd: &str, args: &[String], texts: &[String]) -> Option<Vec<String>> {
    let (mut invert, mut ignore_case, mut count, mut extended) =
        (false, false, false, cmd == "egrep");
    let (mut after, mut before) = (0usize, 0usize);
    let mut pattern: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if pattern.is_some() || !a.starts_with('-') || a.len() == 1 {
            if pattern.is_none() {
                pattern = Some(a.clone());
            }
            continue;
        }
        let chars: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            match c {
                'v' => invert = true,
                'i' => ignore_case = true,
                'c' => count = true,
                'E' => extended = true,
                'A' | 'B' | 'C' | 'm' | 'e' => {
                    let rest: String = chars[j + 1..].iter().collect();
                    let value = if rest.is_empty() {
                        i += 1;
                        args.get(i - 1).cloned().unwrap_or_default()
                    } else {
                        rest
                    };
                    let n: usize = value.parse().unwrap_or(0);
                    match c {
                        'A' => after = n,
                        'B' => before = n,
                        'C' => {
                            after = n;
                            before = n;
                        }
                        'e' => pattern = Some(value),
                        _ => {}
                    }
                    break;
                }
                _ => {}
            }
            j += 1;
        }
    }
    let pattern = pattern?;
    let alternatives: Vec<String> = if extended {
        pattern.split('|').map(str::to_string).collect()
    } else {
        pattern.split("\\|").map(str::to_string).collect()
    };
    let matches = |t: &str| {
        alternatives.iter().any(|alt| {
            if ignore_case {
                t.to_lowercase().contains(&alt.to_lowercase())
            } else {
                t.contains(alt.as_str())
            }
        }) != invert
    };
    let hits: Vec<usize> = (0..texts.len()).filter(|&k| matches(&texts[k])).collect();
    if count {
        return Some(vec![hits.len().to_string()]);
    }
    let mut shown: Vec<usize> = Vec::new();
    for &h in &hits {
        for k in h.saturating_sub(before)..=(h + after).min(texts.len().saturating_sub(1)) {
            if shown.last().is_none_or(|&l| k > l) {
                shown.push(k);
            }
        }
    }
    let mut out = Vec::new();
    let context = after > 0 || before > 0;
    for (n, &k) in shown.iter().enumerate() {
        if context && n > 0 && k > shown[n - 1] + 1 {
            out.push("--".to_string());
        }
        out.push(texts[k].clone());
    }
    Some(out)
}
