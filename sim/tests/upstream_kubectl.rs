//! kubectl's table rows and describe pages as its own tests expect them
//! (`upstream/printers.txt`, `upstream/describe.txt`): each case's objects applied to a fresh
//! cluster, the command typed in the terminal, and the row's cells (AGE left out) or the page,
//! line by line, compared with upstream's; where upstream checks only that the page contains
//! (or lacks) some text, or a label's value, each such text or line is a case.

#[path = "upstream/suite.rs"]
mod suite;

use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::shell::{Stream, Terminal};
use svclab_sim::time::SECOND;

use suite::{data, unescape, Suite};

/// One case of a block-structured data file: its name and its `--- section` bodies.
struct Case {
    name: String,
    sections: Vec<(String, String)>,
}

impl Case {
    fn get(&self, section: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|(s, _)| s == section)
            .map(|(_, body)| body.as_str())
    }
}

fn blocks(text: &str) -> Vec<Case> {
    let mut out: Vec<Case> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            out.push(Case {
                name: name.to_string(),
                sections: Vec::new(),
            });
        } else if let Some(case) = out.last_mut() {
            if let Some(section) = line.strip_prefix("--- ") {
                case.sections.push((section.to_string(), String::new()));
            } else if let Some((_, body)) = case.sections.last_mut() {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    out
}

/// The cells of a printed table's first row, with the AGE column left out.
fn cells(table: &str) -> Option<Vec<String>> {
    let split = |l: &str| -> Vec<String> {
        l.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    };
    let mut lines = table.lines();
    let header = split(lines.next()?);
    let row = split(lines.next()?);
    Some(
        header
            .iter()
            .zip(row)
            .filter(|(h, _)| h.as_str() != "AGE")
            .map(|(_, c)| c)
            .collect(),
    )
}

#[test]
fn kubectl_tables_print_the_rows_upstream_expects() {
    let mut suite = Suite::new("kubectl printers");
    for case in blocks(&data("printers.txt")) {
        if let Some(reason) = case.get("skip") {
            suite.skip(
                &case.name,
                &reason.split_whitespace().collect::<Vec<_>>().join(" "),
            );
            continue;
        }
        let (Some(manifest), Some(command), Some(expected)) =
            (case.get("manifest"), case.get("run"), case.get("cells"))
        else {
            panic!("printers.txt: {} lacks a section", case.name);
        };
        let expected: Vec<String> = expected
            .trim()
            .split(" | ")
            .map(|c| c.trim().to_string())
            .collect();
        let mut cluster = Cluster::new(Config::default());
        if let Err(e) = cluster.apply(manifest, "case.yaml") {
            let why: Vec<String> = e.iter().map(|e| e.message.clone()).collect();
            suite.case(&case.name, false, || format!("refused: {}", why.join("; ")));
            continue;
        }
        cluster.advance(10 * SECOND);
        let mut term = Terminal::new("case.yaml", manifest);
        // The table is kubectl's stdout; a server's `Warning:` goes to stderr.
        let out: String = term
            .run(&mut cluster, command.trim())
            .lines
            .iter()
            .filter(|l| l.stream == Stream::Stdout)
            .map(|l| format!("{}\n", l.text))
            .collect();
        let got = cells(&out);
        suite.case(&case.name, got.as_ref() == Some(&expected), || {
            format!("printed {:?}", out.trim_end())
        });
    }
    suite.finish(10);
}

/// `text` with every whole occurrence of the address `from` written `to` (not inside a longer
/// address: `10.244.1.2` is not renamed within `10.244.1.20`).
fn rename_ip(text: &str, from: &str, to: &str) -> String {
    let part_of_address = |c: char| c.is_ascii_digit() || c == '.';
    let mut out = String::new();
    let mut at = 0;
    while let Some(found) = text[at..].find(from) {
        let start = at + found;
        let end = start + from.len();
        let whole = !text[..start].ends_with(part_of_address)
            && !text[end..].starts_with(|c: char| c.is_ascii_digit());
        out.push_str(&text[at..start]);
        out.push_str(if whole { to } else { from });
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Which lines of `a` and of `b` are in their longest common subsequence (the lines a diff
/// leaves unmarked).
fn common_lines(a: &[String], b: &[String]) -> (Vec<bool>, Vec<bool>) {
    // longest[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
    let mut longest = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            longest[i][j] = if a[i] == b[j] {
                longest[i + 1][j + 1] + 1
            } else {
                longest[i + 1][j].max(longest[i][j + 1])
            };
        }
    }
    let (mut in_a, mut in_b) = (vec![false; a.len()], vec![false; b.len()]);
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            (in_a[i], in_b[j]) = (true, true);
            (i, j) = (i + 1, j + 1);
        } else if longest[i + 1][j] >= longest[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    (in_a, in_b)
}

/// Is `value` a time as Go's `time.Time.String()` prints it (`2017-06-04 21:45:56 -0700 PDT`)?
fn go_time(value: &str) -> bool {
    let shape = |part: &str, pattern: &str| {
        part.len() == pattern.len()
            && part.chars().zip(pattern.chars()).all(|(c, p)| match p {
                '9' => c.is_ascii_digit(),
                '+' => c == '+' || c == '-',
                other => c == other,
            })
    };
    let parts: Vec<&str> = value.split(' ').collect();
    matches!(parts.as_slice(), [date, time, offset, zone]
        if shape(date, "9999-99-99") && shape(time, "99:99:99") && shape(offset, "+9999")
            && !zone.is_empty() && zone.chars().all(|c| c.is_ascii_uppercase()))
}

/// A describe page without what upstream's fake cannot have: `LoadBalancer Ingress:` lines and
/// the Events section. A `Created on:` time is the API server's, not the test's: one in Go's
/// format is written `<time>`, keeping the padding before it.
fn comparable(page: &str) -> Vec<String> {
    page.lines()
        .take_while(|l| !l.starts_with("Events:"))
        .filter(|l| !l.starts_with("LoadBalancer Ingress:"))
        .map(|l| {
            let l = l.trim_end();
            match l.strip_prefix("Created on:") {
                Some(rest) if go_time(rest.trim_start()) => {
                    let pad = rest.len() - rest.trim_start().len();
                    format!("Created on:{}<time>", " ".repeat(pad))
                }
                _ => l.to_string(),
            }
        })
        .collect()
}

#[test]
fn kubectl_describe_prints_the_pages_upstream_expects() {
    let mut suite = Suite::new("kubectl describe");
    for case in blocks(&data("describe.txt")) {
        if let Some(reason) = case.get("skip") {
            suite.skip(
                &case.name,
                &reason.split_whitespace().collect::<Vec<_>>().join(" "),
            );
            continue;
        }
        let (Some(manifest), Some(command)) = (case.get("manifest"), case.get("run")) else {
            panic!("describe.txt: {} lacks a section", case.name);
        };
        let (contains, lacks) = (case.get("contains"), case.get("lacks"));
        let has_lines = case.get("has lines");
        let expected = case.get("expected");
        assert!(
            expected.is_some() != (contains.is_some() || lacks.is_some() || has_lines.is_some()),
            "describe.txt: {} needs `expected`, or any of `contains`, `lacks` and `has lines`",
            case.name
        );
        let mut cluster = Cluster::new(Config::default());
        // kind's own pods (kube-system, the storage provisioner) are there before the case's.
        let kinds_own: Vec<(String, String)> = cluster
            .pods()
            .values()
            .map(|p| (p.meta.namespace.clone(), p.meta.name.clone()))
            .collect();
        if let Err(e) = cluster.apply(manifest, "case.yaml") {
            let why: Vec<String> = e.iter().map(|e| e.message.clone()).collect();
            suite.case(&case.name, false, || format!("refused: {}", why.join("; ")));
            continue;
        }
        cluster.advance(30 * SECOND);
        let mut term = Terminal::new("case.yaml", manifest);
        let mut out = term.run(&mut cluster, command.trim()).text();
        // The case's pods' addresses, in order, as upstream's 10.244.0.1, 10.244.0.2, ...
        let mut ips: Vec<std::net::Ipv4Addr> = cluster
            .pods()
            .values()
            .filter(|p| {
                p.meta.namespace != "kube-system"
                    && !kinds_own.contains(&(p.meta.namespace.clone(), p.meta.name.clone()))
            })
            .filter_map(|p| p.status.pod_ip)
            .collect();
        ips.sort();
        for (i, a) in ips.iter().enumerate() {
            out = rename_ip(&out, &a.to_string(), &format!("\u{0}{i}\u{0}"));
        }
        for i in 0..ips.len() {
            out = out.replace(&format!("\u{0}{i}\u{0}"), &format!("10.244.0.{}", i + 1));
        }
        let Some(expected) = expected else {
            // As upstream's `strings.Contains` checks: each substring is a case.
            for (wanted, section) in [(true, contains), (false, lacks)] {
                for line in section
                    .unwrap_or("")
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                {
                    let part = unescape(line);
                    let verb = if wanted { "contains" } else { "lacks" };
                    let found = out.contains(&part);
                    suite.case(
                        &format!("{} {verb} {part:?}", case.name),
                        found == wanted,
                        || {
                            if found {
                                "in the page"
                            } else {
                                "not in the page"
                            }
                            .into()
                        },
                    );
                }
            }
            // A label and its value: a line of the page, its runs of blanks written as one space.
            let squeezed: Vec<String> = out
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            for line in has_lines
                .unwrap_or("")
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                let found = squeezed.iter().any(|l| l == line.trim());
                suite.case(
                    &format!("{} has the line {line:?}", case.name),
                    found,
                    || "no such line in the page".into(),
                );
            }
            continue;
        };
        // Line by line, as a diff reads: each of upstream's lines is a case, reproduced when it
        // is in the longest run of lines the two pages share in order (a page prints some texts,
        // `To:`, on many lines, so a line is judged by its place, not found anywhere); each line
        // svclab prints outside that run is a case too, a gap.
        let (got, want) = (comparable(&out), comparable(expected.trim_end()));
        let (in_want, in_got) = common_lines(&want, &got);
        for (i, line) in want.iter().enumerate() {
            suite.case(&format!("{} `{line}`", case.name), in_want[i], || match got
                .iter()
                .position(|g| g == line)
            {
                Some(j) => format!("printed as line {}, out of upstream's order", j + 1),
                None => "not printed".into(),
            });
        }
        for (j, line) in got.iter().enumerate().filter(|(j, _)| !in_got[*j]) {
            suite.case(&format!("{} `{line}`", case.name), false, || {
                if want.contains(line) {
                    format!("printed as line {}, where upstream has no such line", j + 1)
                } else {
                    "printed, upstream has no such line".into()
                }
            });
        }
    }
    suite.finish(229);
}
