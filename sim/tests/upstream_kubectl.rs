//! kubectl's table rows and describe pages as its own tests expect them
//! (`upstream/printers.txt`, `upstream/describe.txt`): each case's objects applied to a fresh
//! cluster, the command typed in the terminal, and the row's cells (AGE left out) or the page,
//! line by line, compared with upstream's; where upstream checks only that the page contains
//! (or lacks) some text, or a label's value, each such text or line is a case.

#[path = "upstream/suite.rs"]
mod suite;

use serde_yaml::Value;
use svclab_sim::cluster::{Cluster, Config, DeploymentCounts};
use svclab_sim::model::{ContainerState, Object, PodPhase, ReplicaSet};
use svclab_sim::shell::{printed, Stream, Terminal};
use svclab_sim::time::{Time, SECOND};

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

/// When an `--- object` case's table is printed: its age is not compared, and a deleted
/// object's deletionTimestamp is 10 s before it, as upstream's `deleteTime`.
const NOW: Time = 60 * SECOND;

/// The keys of a YAML mapping; an error naming any not in `known` (a status field the driver
/// does not read would otherwise be dropped without a word).
fn only<'v>(
    value: &'v Value,
    what: &str,
    known: &[&str],
) -> Result<&'v serde_yaml::Mapping, String> {
    let Some(map) = value.as_mapping() else {
        return Err(format!("{what} is not a mapping"));
    };
    for key in map.keys() {
        let key = key.as_str().unwrap_or("");
        if !known.contains(&key) {
            return Err(format!("svclab's model cannot hold {what}.{key}"));
        }
    }
    Ok(map)
}

fn int(map: &serde_yaml::Mapping, key: &str) -> i64 {
    map.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// An `--- object` case's table: the object's spec read as `kubectl apply` reads a manifest
/// (svclab's own conversion; it drops `status`, as the API server does), then its `status` (and
/// `metadata.deletionTimestamp`) set on the model object by hand, as upstream's test sets them,
/// and the object handed to the printer. A status the model cannot hold is an error, not
/// dropped: such a case belongs in `--- skip`.
fn object_table(yaml: &str, wide: bool) -> Result<String, String> {
    let raw: Value = serde_yaml::from_str(yaml).map_err(|e| e.to_string())?;
    let kind = raw.get("kind").and_then(Value::as_str).unwrap_or("");
    // svclab applies no ReplicaSet (its ReplicaSets are its Deployment controller's); the spec
    // of one has the Deployment's fields the row prints (replicas, selector, template), so it is
    // read as a Deployment's.
    let text = if kind == "ReplicaSet" {
        yaml.replace("kind: ReplicaSet", "kind: Deployment")
    } else {
        yaml.to_string()
    };
    let docs = svclab_sim::manifest::parse(&text, "case.yaml").map_err(|e| {
        let why: Vec<String> = e.iter().map(|e| e.message.clone()).collect();
        format!("refused: {}", why.join("; "))
    })?;
    let [doc] = docs.as_slice() else {
        return Err("not one object".into());
    };
    let empty = Value::Mapping(Default::default());
    let status = raw.get("status").unwrap_or(&empty);
    let deleted = raw
        .get("metadata")
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some();
    match (&doc.object, kind) {
        (Object::Pod(pod), "Pod") => {
            let mut pod = pod.clone();
            if deleted {
                pod.meta.deletion = Some(NOW - 10 * SECOND);
            }
            let status = only(status, "status", &["phase", "containerStatuses"])?;
            pod.status.phase = match status.get("phase").and_then(Value::as_str) {
                None | Some("Pending") => PodPhase::Pending,
                Some("Running") => PodPhase::Running,
                Some("Succeeded") => PodPhase::Succeeded,
                Some("Failed") => PodPhase::Failed,
                Some(other) => return Err(format!("svclab's model cannot hold phase {other}")),
            };
            // svclab's PodStatus holds one state and one readiness for all the pod's containers,
            // and their restarts summed.
            let statuses: &[Value] = match status.get("containerStatuses") {
                Some(list) => list.as_sequence().map_or(&[], |s| s.as_slice()),
                None => &[],
            };
            let mut seen: Option<(ContainerState, bool)> = None;
            for cs in statuses {
                let cs = only(
                    cs,
                    "containerStatuses[]",
                    &["ready", "restartCount", "state"],
                )?;
                let ready = cs.get("ready").and_then(Value::as_bool).unwrap_or(false);
                pod.status.restarts += int(cs, "restartCount");
                let state = cs.get("state").unwrap_or(&empty);
                let state = only(state, "state", &["running", "terminated"])?;
                let container = if state.contains_key("running") {
                    ContainerState::Running
                } else if let Some(t) = state.get("terminated") {
                    // The model keeps no reason or exit code: a terminated container is the
                    // one svclab's kubelet ends, Completed (0) in a Succeeded pod, Error
                    // (non-zero) in a Failed one.
                    let t = only(t, "terminated", &["reason", "exitCode"])?;
                    let reason = t.get("reason").and_then(Value::as_str).unwrap_or("");
                    let code = int(t, "exitCode");
                    match (pod.status.phase, reason, code) {
                        (PodPhase::Succeeded, "Completed", 0) => {}
                        (PodPhase::Failed, "Error", c) if c != 0 => {}
                        _ => {
                            return Err(format!(
                                "svclab's model cannot hold a container terminated {reason} ({code}) in a {:?} pod",
                                pod.status.phase
                            ))
                        }
                    }
                    ContainerState::Terminated
                } else {
                    return Err("svclab's model cannot hold a container without a state".into());
                };
                if seen.is_some_and(|s| s != (container, ready)) {
                    return Err(
                        "svclab's model holds one state and readiness for all containers".into(),
                    );
                }
                seen = Some((container, ready));
            }
            match seen {
                Some((container, ready)) => {
                    pod.status.container = container;
                    pod.status.ready = ready;
                }
                None if pod.spec.node_name.is_none() => {
                    pod.status.container = ContainerState::Unscheduled
                }
                None => {
                    return Err(
                        "svclab's model cannot hold a scheduled pod without container statuses"
                            .into(),
                    )
                }
            }
            Ok(printed::pod(&pod, NOW, wide))
        }
        (Object::Deployment(d), "Deployment") => {
            // printDeployment reads spec.replicas and status.readyReplicas, updatedReplicas and
            // availableReplicas; status.replicas and unavailableReplicas print nowhere.
            let status = only(
                status,
                "status",
                &[
                    "replicas",
                    "readyReplicas",
                    "updatedReplicas",
                    "availableReplicas",
                    "unavailableReplicas",
                ],
            )?;
            let counts = DeploymentCounts {
                ready: int(status, "readyReplicas"),
                desired: d.spec.replicas,
                up_to_date: int(status, "updatedReplicas"),
                available: int(status, "availableReplicas"),
            };
            Ok(printed::deployment(d, &counts, NOW, wide))
        }
        (Object::Deployment(d), "ReplicaSet") => {
            let status = only(status, "status", &["replicas", "readyReplicas"])?;
            let rs = ReplicaSet {
                meta: d.meta.clone(),
                replicas: d.spec.replicas,
                selector: d.spec.selector.clone(),
                template: d.spec.template.clone(),
                ..Default::default()
            };
            let (current, ready) = (int(status, "replicas"), int(status, "readyReplicas"));
            Ok(printed::replica_set(&rs, current, ready, NOW, wide))
        }
        _ => Err(format!("no printer for a {kind} object")),
    }
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
        let Some(expected) = case.get("cells") else {
            panic!("printers.txt: {} lacks a section", case.name);
        };
        let expected: Vec<String> = expected
            .trim()
            .split(" | ")
            .map(|c| c.trim().to_string())
            .collect();
        if let Some(object) = case.get("object") {
            let wide = case.get("wide").is_some();
            let out = object_table(object, wide)
                .unwrap_or_else(|e| panic!("printers.txt: {}: {e}", case.name));
            suite.case(&case.name, cells(&out) == Some(expected), || {
                format!("printed {:?}", out.trim_end())
            });
            continue;
        }
        let (Some(manifest), Some(command)) = (case.get("manifest"), case.get("run")) else {
            panic!("printers.txt: {} lacks a section", case.name);
        };
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
    suite.finish(19);
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
