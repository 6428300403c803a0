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
