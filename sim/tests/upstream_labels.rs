//! Label selectors as the API machinery's own tests expect them to parse and match
//! (`upstream/labels.txt`), typed where a learner types them: `kubectl get pods -l SELECTOR`.
//! Each label set of a match case is a pod of its own; a selector matches a set when the pod
//! is listed.

#[path = "upstream/suite.rs"]
mod suite;

use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::shell::Terminal;
use svclab_sim::time::SECOND;

use suite::{cases, data, unescape, Suite};

/// A pod named `name` carrying the labels of `set` (`k=v,k=v`, `{}` for none).
fn pod(name: &str, set: &str) -> String {
    let mut labels = String::new();
    if set != "{}" {
        labels.push_str("  labels:\n");
        for pair in set.split(',') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            labels.push_str(&format!("    {k}: \"{v}\"\n"));
        }
    }
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{labels}spec:\n  containers:\n    - name: c\n      image: nginx\n---\n"
    )
}

/// What `kubectl get pods -l SELECTOR -o name` answered: the pods listed, or the error.
fn get(term: &mut Terminal, cluster: &mut Cluster, selector: &str) -> Result<Vec<String>, String> {
    let out = term
        .run(
            cluster,
            &format!("kubectl get pods -l '{selector}' -o name"),
        )
        .text();
    if out.starts_with("error") || out.contains("Error") {
        return Err(out);
    }
    Ok(out
        .lines()
        .filter_map(|l| l.strip_prefix("pod/"))
        .map(String::from)
        .collect())
}

#[test]
fn label_selectors_parse_and_match_as_upstream_expects() {
    let text = data("labels.txt");
    let rows: Vec<Vec<&str>> = cases(&text).map(|l| l.split('\t').collect()).collect();
    // One pod per distinct label set.
    let mut sets: Vec<&str> = rows.iter().filter_map(|r| r.get(2).copied()).collect();
    sets.sort();
    sets.dedup();
    let manifest: String = sets
        .iter()
        .enumerate()
        .map(|(i, set)| pod(&format!("set{i}"), set))
        .collect();
    let mut cluster = Cluster::new(Config::default());
    cluster
        .apply(&manifest, "sets.yaml")
        .expect("the label sets apply");
    cluster.advance(5 * SECOND);
    let mut term = Terminal::new("sets.yaml", &manifest);

    let mut suite = Suite::new("label selectors");
    for row in &rows {
        let (kind, selector) = (row[0], unescape(row.get(1).copied().unwrap_or("")));
        let name = format!(
            "{kind} {:?}{}",
            selector,
            row.get(2)
                .map(|s| format!(" on {{{s}}}"))
                .unwrap_or_default()
        );
        if selector.contains(['\n', '\r']) {
            suite.skip(&name, "a terminal line holds no newline or carriage return");
            continue;
        }
        let got = get(&mut term, &mut cluster, &selector);
        match kind {
            "valid" => suite.case(&name, got.is_ok(), || {
                format!("refused: {}", got.clone().unwrap_err().trim())
            }),
            "invalid" => suite.case(&name, got.is_err(), || {
                format!("accepted, listing {:?}", got.clone().unwrap())
            }),
            "match" | "nomatch" => {
                let set = row[2];
                let pod = format!(
                    "set{}",
                    sets.iter().position(|s| *s == set).expect("its set")
                );
                let want = kind == "match";
                match &got {
                    Ok(listed) => {
                        let matched = listed.contains(&pod);
                        suite.case(&name, matched == want, || {
                            format!(
                                "{} the pod",
                                if matched { "matches" } else { "does not match" }
                            )
                        })
                    }
                    Err(e) => suite.case(&name, false, || format!("refused: {}", e.trim())),
                }
            }
            other => panic!("labels.txt: unknown case kind {other}"),
        }
    }
    suite.finish(75);
}
