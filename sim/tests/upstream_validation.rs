//! The API machinery's name and value rules as its own tests list them (`upstream/validation.txt`):
//! each good or bad value put in the field the API server checks with that rule, the object
//! applied to a fresh cluster, and accepted or refused as upstream expects.

#[path = "upstream/suite.rs"]
mod suite;

use svclab_sim::cluster::{Cluster, Config};

use suite::{cases, data, unescape, Suite};

/// `{x*N}` written out as N times `x`.
fn expand(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let inner = &rest[open + 1..open + close];
        match inner.split_once('*') {
            Some((x, n)) => out.push_str(&x.repeat(n.parse().unwrap_or(0))),
            None => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// An object whose `field` holds `value` (quoted as a YAML double-quoted scalar).
fn manifest(field: &str, value: &str) -> String {
    let q = format!("{value:?}");
    let pod = |meta: &str, port: &str| {
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n{meta}spec:\n  containers:\n    - name: c\n      image: nginx\n{port}")
    };
    match field {
        "namespace-name" => format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {q}\n"),
        "deployment-name" => format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {q}\nspec:\n  selector:\n    matchLabels: {{app: x}}\n  template:\n    metadata:\n      labels: {{app: x}}\n    spec:\n      containers:\n        - name: c\n          image: nginx\n"
        ),
        "service-name" => format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {q}\nspec:\n  ports:\n    - port: 80\n"
        ),
        "service-port" => format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - port: {value}\n"
        ),
        "container-port-name" => pod(
            "",
            &format!("      ports:\n        - containerPort: 80\n          name: {q}\n"),
        ),
        "label-key" => pod(&format!("  labels:\n    {q}: v\n"), ""),
        "label-value" => pod(&format!("  labels:\n    k: {q}\n"), ""),
        other => panic!("validation.txt: unknown field {other}"),
    }
}

#[test]
fn names_and_values_are_accepted_and_refused_as_upstream_expects() {
    let text = data("validation.txt");
    let fresh = Cluster::new(Config::default());
    let mut suite = Suite::new("API validation");
    for line in cases(&text) {
        let f: Vec<&str> = line.split('\t').collect();
        let (field, expect, value) = (f[0], f[1], expand(&unescape(f.get(2).unwrap_or(&""))));
        if expect == "skip" {
            let reason = f.get(3).copied().unwrap_or_default();
            suite.skip(&format!("{field} {value:?}"), reason);
            continue;
        }
        let m = manifest(field, &value);
        let mut c = fresh.clone();
        let got = c.apply(&m, "case.yaml");
        let shown: String = value.chars().take(40).collect();
        let name = format!("{field} {expect} {shown:?}");
        match (expect, got) {
            ("good", Ok(_)) | ("bad", Err(_)) => suite.case(&name, true, String::new),
            ("good", Err(e)) => suite.case(&name, false, || {
                format!("refused: {}", e.first().map_or("", |e| e.message.as_str()))
            }),
            (_, _) => suite.case(&name, false, || "accepted".into()),
        }
    }
    suite.finish(263);
}

/// RFC 7386 JSON merge patch, as `kubectl patch --type merge`: maps merge, null deletes, any
/// other value (a list too) replaces.
fn merge_patch(target: &mut serde_yaml::Value, patch: &serde_yaml::Value) {
    use serde_yaml::Value;
    let Value::Mapping(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_mapping() {
        *target = Value::Mapping(Default::default());
    }
    let Value::Mapping(t) = target else {
        return;
    };
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// `{x*N}` written out in every string of `v`.
fn expand_strings(v: &mut serde_yaml::Value) {
    use serde_yaml::Value;
    match v {
        Value::String(s) => *s = expand(s),
        Value::Sequence(items) => items.iter_mut().for_each(expand_strings),
        Value::Mapping(m) => m.iter_mut().for_each(|(_, v)| expand_strings(v)),
        _ => {}
    }
}

/// `base` with the flow-YAML `patch` merged in, as a manifest.
fn patched(base: &str, patch: &str) -> String {
    let parse = |s: &str| -> serde_yaml::Value {
        let mut v = serde_yaml::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        expand_strings(&mut v);
        v
    };
    let mut object = parse(base);
    merge_patch(&mut object, &parse(patch));
    serde_yaml::to_string(&object).expect("a manifest")
}

/// The causes of an `is invalid` error as kubectl prints it (`...is invalid: CAUSE` or
/// `...is invalid: \n* CAUSE\n* CAUSE`), or `None` for any other error.
fn causes(message: &str) -> Option<Vec<String>> {
    let (_, rest) = message.split_once(" is invalid: ")?;
    let listed: Vec<String> = rest
        .lines()
        .filter_map(|l| l.strip_prefix("* "))
        .map(str::to_string)
        .collect();
    Some(if rest.starts_with('\n') {
        listed
    } else {
        vec![rest.to_string()]
    })
}

/// What applying a manifest came to: accepted, or the causes of a refusal (`Err(None)` when the
/// refusal is not an `is invalid` error, with its text).
fn outcome(c: &mut Cluster, manifest: &str) -> Result<(), (Option<Vec<String>>, String)> {
    match c.apply(manifest, "case.yaml") {
        Ok(_) => Ok(()),
        Err(errors) => {
            let text: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
            let text = text.join("\n");
            let all: Option<Vec<String>> = errors
                .iter()
                .map(|e| causes(&e.message))
                .collect::<Option<Vec<_>>>()
                .map(|v| v.concat());
            Err((all, text))
        }
    }
}

/// Does `got` answer as the expectation `expect` (see `api_validation.txt`) says?
fn judge(expect: &str, got: &Result<(), (Option<Vec<String>>, String)>) -> bool {
    let (word, rest) = expect.split_once(' ').unwrap_or((expect, ""));
    match (word, got) {
        ("valid", got) => got.is_ok(),
        ("invalid", got) => {
            let (n, at) = match rest.split_once(" at ") {
                Some((n, at)) => (n, Some(at.split(',').collect::<Vec<_>>())),
                None => (rest, None),
            };
            let n: usize = n.parse().expect("a count");
            let empty = Vec::new();
            let list = match got {
                Ok(()) => &empty,
                Err((Some(list), _)) => list,
                Err((None, _)) => return false,
            };
            match at {
                Some(paths) => {
                    let here = |c: &&String| paths.iter().any(|p| c.split(": ").next() == Some(*p));
                    list.iter().filter(here).count() == n
                }
                None => got.is_err() && list.len() == n,
            }
        }
        ("first", Err((Some(list), _))) => list.first().is_some_and(|c| c.contains(rest)),
        ("causes", Err((Some(list), _))) => {
            let want: Vec<&str> = rest.split(" | ").collect();
            want.len() == list.len() && want.iter().zip(list).all(|(w, c)| cause_is(c, w))
        }
        _ => false,
    }
}

/// Does `cause` answer to `want` (see `causes` in `api_validation.txt`): it starts with the
/// text before the first `...`, and holds each later part, in order, after it?
fn cause_is(cause: &str, want: &str) -> bool {
    let mut parts = want.split("...");
    let head = parts.next().unwrap_or_default();
    let Some(mut rest) = cause.strip_prefix(head) else {
        return false;
    };
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// How `got` differs, for the gap list.
fn shown(got: &Result<(), (Option<Vec<String>>, String)>) -> String {
    match got {
        Ok(()) => "accepted".into(),
        Err((Some(list), _)) => format!("{} cause(s): {}", list.len(), list.join(" | ")),
        Err((None, text)) => format!("refused, not as invalid: {text}"),
    }
}

#[test]
fn services_and_deployments_are_validated_as_the_api_servers_tests_expect() {
    let text = data("api_validation.txt");
    let fresh = Cluster::new(Config::default());
    let mut bases = std::collections::BTreeMap::new();
    let mut suite = Suite::new("API server validation");
    for line in cases(&text) {
        let f: Vec<&str> = line.split('\t').collect();
        if f[0] == "base" {
            bases.insert(f[1], f[2]);
            continue;
        }
        let (test, case, expect) = (f[0], f[1], f[2]);
        let name = format!("{test} {case:?}");
        if expect == "skip" {
            suite.skip(&name, f.get(3).copied().unwrap_or_default());
            continue;
        }
        let base = bases[test];
        let mut cluster = fresh.clone();
        let mut got = outcome(&mut cluster, &patched(base, f[3]));
        if let Some(update) = f.get(4) {
            // An update: the old object must be stored before the new one is applied over it.
            if let Err(e) = &got {
                let why = shown(&Err(e.clone()));
                suite.case(&name, false, || {
                    format!("the old object was refused: {why}")
                });
                continue;
            }
            got = outcome(&mut cluster, &patched(base, update));
        }
        suite.case(&name, judge(expect, &got), || {
            format!("expected {expect}, got {}", shown(&got))
        });
    }
    suite.finish(213);
}
