//! kubectl's table rows as the printers' own tests expect them (`upstream/printers.txt`): each
//! case's objects applied to a fresh cluster, the command typed in the terminal, and the row's
//! cells compared with upstream's (AGE left out).

#[path = "upstream/suite.rs"]
mod suite;

use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::shell::Terminal;
use svclab_sim::time::SECOND;

use suite::{data, Suite};

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
        let out = term.run(&mut cluster, command.trim()).text();
        let got = cells(&out);
        suite.case(&case.name, got.as_ref() == Some(&expected), || {
            format!("printed {:?}", out.trim_end())
        });
    }
    suite.finish(4);
}
