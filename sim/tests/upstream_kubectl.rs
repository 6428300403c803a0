//! kubectl's table rows and describe pages as its own tests expect them
//! (`upstream/printers.txt`, `upstream/describe.txt`): each case's objects applied to a fresh
//! cluster, the command typed in the terminal, and the row's cells (AGE left out) or the page,
//! line by line, compared with upstream's; where upstream checks only that the page contains
//! (or lacks) some text, each such text is a case.

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

/// A describe page without what upstream's fake cannot have: `LoadBalancer Ingress:` lines and
/// the Events section.
fn comparable(page: &str) -> Vec<String> {
    page.lines()
        .take_while(|l| !l.starts_with("Events:"))
        .filter(|l| !l.starts_with("LoadBalancer Ingress:"))
        .map(|l| l.trim_end().to_string())
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
        let expected = case.get("expected");
        assert!(
            expected.is_some() != (contains.is_some() || lacks.is_some()),
            "describe.txt: {} needs `expected`, or `contains` and `lacks`",
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
            continue;
        };
        // Line by line: each of upstream's lines is a case, and so is each line svclab adds.
        let (got, want) = (comparable(&out), comparable(expected));
        for (i, line) in want.iter().enumerate() {
            let at = got.iter().position(|g| g == line);
            suite.case(
                &format!("{} `{line}`", case.name),
                at == Some(i),
                || match at {
                    Some(j) => format!("printed as line {} instead of {}", j + 1, i + 1),
                    None => "not printed".into(),
                },
            );
        }
        for line in got.iter().filter(|g| !want.contains(g)) {
            suite.case(&format!("{} `{line}`", case.name), false, || {
                "printed, upstream has no such line".into()
            });
        }
    }
    suite.finish(63);
}
