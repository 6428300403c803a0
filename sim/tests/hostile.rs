//! Hostile input, case by case, at the places a learner's text enters: the editor's Apply
//! ([`Cluster::apply`]), the terminal ([`Terminal::run`], `kubectl apply -f` of the editor's
//! file) and the actions behind the buttons. Each case gets a clear error or a documented cap,
//! and the world still works afterwards: the seed applies and a request is answered.
//!
//! No case is timed. Each is bounded by construction: its input is finite, the terminal's
//! virtual-clock waits are polled a fixed number of times, and the caps they meet
//! (`svclab_sim::manifest::MAX_*`, `svclab_sim::cluster::MAX_OBJECTS`) keep the work
//! proportional to the input.

use svclab_sim::action::Action;
use svclab_sim::cluster::{self, Cluster, Config};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::manifest;
use svclab_sim::model::ObjectKey;
use svclab_sim::shell::Terminal;
use svclab_sim::time::SECOND;
use svclab_sim::trace::{Client, Outcome, Request, Tool};

/// Polls of the virtual clock a terminal command gets before the test gives up on it.
const POLLS: usize = 2_000;

/// The booted world with the seed's client pod.
fn world() -> Cluster {
    let mut c = Cluster::new(Config::default());
    c.act(Action::Run {
        namespace: "default".into(),
        name: "test".into(),
        image: "busybox".into(),
        command: vec!["sh".into()],
    })
    .expect("the client runs");
    c
}

/// Type `line` into a terminal whose editor holds `file`, let the clock run until the
/// command is done (at most POLLS steps of 100 ms), and return everything it printed.
fn terminal(c: &mut Cluster, file: &str, line: &str) -> String {
    let mut term = Terminal::new("x.yaml", file);
    let mut out = term.run(c, line);
    let mut text = out.text();
    for _ in 0..POLLS {
        if out.wait.is_none() {
            return text;
        }
        c.advance(100);
        if let Some(o) = term.poll(c) {
            text.push_str(&o.text());
            out = o;
        }
    }
    panic!(
        "`{}` still waits after {POLLS} polls",
        &line[..line.len().min(80)]
    );
}

/// The first error of applying `text` from the editor, which must change nothing.
fn refused(c: &mut Cluster, text: &str) -> manifest::ManifestError {
    let before = c.clone();
    let errors = c
        .apply(text, "x.yaml")
        .expect_err("the manifest is refused");
    assert!(
        *c == before,
        "a refused manifest leaves the world as it was"
    );
    errors.into_iter().next().expect("at least one error")
}

/// `text` refused with `expected` both from the editor (changing nothing) and by `kubectl apply
/// -f` in the terminal; the line the editor's error points at.
fn refused_everywhere(c: &mut Cluster, text: &str, expected: &str) -> usize {
    let error = refused(c, text);
    assert_eq!(error.message, expected);
    assert_eq!(
        terminal(c, text, "kubectl apply -f x.yaml"),
        format!("{expected}\n")
    );
    error.line
}

/// kubectl's words for nesting past `MAX_DEPTH`, at line 6 of the seed (see [`nested`]).
fn too_deep() -> String {
    format!(
        "error: error parsing x.yaml: yaml: line 6: nested more than {} levels deep, which svclab does not read",
        manifest::MAX_DEPTH
    )
}

/// The world still works: the seed applies, its pods come up and a request is answered.
fn still_works(c: &mut Cluster) {
    c.apply(SEED_MANIFEST, SEED_FILENAME)
        .expect("the seed applies");
    c.advance(30 * SECOND);
    let id = c.send(Request {
        payload: String::new(),
        client: Client::Pod(ObjectKey::new("default", "test")),
        tool: Tool::Wget,
        target: "http://backend-service".into(),
    });
    let trace = c.traces().iter().find(|t| t.id == id).expect("a trace");
    assert!(
        matches!(trace.outcome, Outcome::Http { status: 200, .. }),
        "{:?}",
        trace.outcome
    );
}

const LAUGHS: &str = "\
a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
";

#[test]
fn a_yaml_alias_bomb_is_refused_as_kubectl_refuses_it() {
    // go-yaml's guard against "billion laughs" (gopkg.in/yaml.v2 decode.go, `allowedAliasRatio`),
    // as kubectl prints it through sigs.k8s.io/yaml.
    let expected = "error: error parsing x.yaml: error converting YAML to JSON: yaml: document contains excessive aliasing";
    let mut c = world();
    assert_eq!(refused_everywhere(&mut c, LAUGHS, expected), 2);
    still_works(&mut c);
}

/// The seed with `depth` levels of lists under an unknown field of the Deployment's spec.
fn nested(depth: usize) -> String {
    SEED_MANIFEST.replacen(
        "spec:\n",
        &format!(
            "spec:\n  extra: {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        1,
    )
}

#[test]
fn sixty_four_levels_of_nesting_are_read_and_the_unknown_field_named() {
    // kube-apiserver's strict field validation, as kubectl apply prints it (kubernetes
    // staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json, "strict decoding error").
    let expected = "Error from server (BadRequest): error when creating \"x.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.extra\"";
    let mut c = world();
    assert_eq!(refused(&mut c, &nested(64)).message, expected);
    // The same depth in block style: 64 nested maps.
    let mut block = String::from("spec:\n  extra:\n");
    for level in 0..64 {
        block.push_str(&"  ".repeat(level + 2));
        block.push_str(&format!("l{level}:\n"));
    }
    block.push_str(&"  ".repeat(66));
    block.push_str("leaf\n");
    let deep = SEED_MANIFEST.replacen("spec:\n", &block, 1);
    assert_eq!(refused(&mut c, &deep).message, expected);
    still_works(&mut c);
}

#[test]
fn ten_thousand_levels_of_nesting_meet_the_depth_cap() {
    // svclab_sim::manifest::MAX_DEPTH (128, serde_yaml's own recursion limit): an error at the
    // line, never a stack overflow.
    let mut c = world();
    refused_everywhere(&mut c, &nested(10_000), &too_deep());
    still_works(&mut c);
}

#[test]
fn a_megabyte_of_open_brackets_meets_the_depth_cap_at_once() {
    // libyaml looks at every open flow level on each token, and serde_yaml reads the whole
    // document before its limit applies: 40,000 `[` took 5 s natively, a megabyte of them would
    // have taken about an hour. They are now walked only as far as the limit.
    let mut c = world();
    for open in ["[", "{", "{a: "] {
        let room = manifest::MAX_BYTES - SEED_MANIFEST.len() - 20;
        let text = SEED_MANIFEST.replacen(
            "spec:\n",
            &format!("spec:\n  extra: {}\n", open.repeat(room / open.len())),
            1,
        );
        assert!(text.len() <= manifest::MAX_BYTES);
        assert_eq!(refused_everywhere(&mut c, &text, &too_deep()), 6);
    }
    still_works(&mut c);
}

#[test]
fn a_list_of_a_hundred_thousand_items_meets_the_object_cap_at_once() {
    // Each item used to be read and its error located by a scan of the whole document: the time
    // was quadratic in the items (16,000 took 13 s natively, a megabyte of them about an hour).
    let text = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}",
        "- \\#a\n".repeat(100_000)
    );
    assert!(text.len() <= manifest::MAX_BYTES);
    let expected = format!(
        "error: svclab applies at most {} objects at once; this manifest has more",
        manifest::MAX_OBJECTS
    );
    let mut c = world();
    assert_eq!(refused_everywhere(&mut c, &text, &expected), 1);
    still_works(&mut c);
}

#[test]
fn a_five_megabyte_manifest_meets_the_size_cap() {
    let five = SEED_MANIFEST.repeat(5 * 1024 * 1024 / SEED_MANIFEST.len() + 1);
    let expected = format!(
        "error: svclab reads manifests of at most 1 MiB ({} bytes); this one has {} bytes",
        manifest::MAX_BYTES,
        five.len()
    );
    let mut c = world();
    refused_everywhere(&mut c, &five, &expected);
    still_works(&mut c);
}

#[test]
fn a_million_replicas_meet_the_replica_cap_everywhere() {
    let mut c = world();
    let million = SEED_MANIFEST.replace("replicas: 3", "replicas: 1000000");
    let error = refused(&mut c, &million);
    assert!(
        error.message.contains(&format!(
            "this simulator runs at most {} replicas per Deployment",
            cluster::MAX_REPLICAS
        )),
        "{}",
        error.message
    );
    c.apply(SEED_MANIFEST, SEED_FILENAME)
        .expect("the seed applies");
    c.advance(10 * SECOND);
    let before = c.clone();
    assert_eq!(
        terminal(
            &mut c,
            "",
            "kubectl scale deploy/backend --replicas=1000000"
        ),
        "svclab: --replicas=1000000: this simulator runs at most 1000 replicas per Deployment\n"
    );
    assert!(c
        .act(Action::Scale {
            namespace: "default".into(),
            deployment: "backend".into(),
            replicas: 1_000_000,
        })
        .is_err());
    assert_eq!(c.deployments(), before.deployments());
    assert_eq!(c.pods().len(), before.pods().len());
    still_works(&mut c);
}

/// `count` Services named `svc-{first}`... as separate documents.
fn services(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| {
            format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\nspec:\n  selector:\n    app: a{i}\n  ports:\n    - port: 80\n"
            )
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

#[test]
fn ten_thousand_services_meet_the_manifest_and_cluster_caps() {
    let mut c = world();
    // In one manifest: past the document cap (and the size cap).
    let error = refused(&mut c, &services(0, 10_000));
    assert!(
        error
            .message
            .starts_with("error: svclab reads manifests of at most 1 MiB"),
        "{}",
        error.message
    );
    // A thousand at a time (the most one manifest holds): applied until the cluster's cap,
    // then refused whole.
    let mut applied = 0;
    let error = loop {
        match c.apply(&services(applied, manifest::MAX_DOCUMENTS), "x.yaml") {
            Ok(_) => applied += manifest::MAX_DOCUMENTS,
            Err(errors) => break errors[0].message.clone(),
        }
        assert!(applied < 10_000, "the cluster cap was never met");
    };
    assert_eq!(applied, 4_000);
    assert!(
        error.starts_with(&format!(
            "svclab: this cluster holds at most {} objects",
            cluster::MAX_OBJECTS
        )),
        "{error}"
    );
    assert_eq!(c.services().len(), 4_000 + 2); // kubernetes and kube-dns besides
                                               // Four thousand Services in every kube-proxy's rules, and the seed's still routes.
    still_works(&mut c);
}

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "<img src=x onerror=alert(1)>";

#[test]
fn html_in_names_and_labels_is_refused_and_quoted_as_text() {
    // The API server's messages (k8s.io/apimachinery/pkg/util/validation/validation.go,
    // `dns1123SubdomainErrorMsg`, `qualifiedNameErrMsg`/`labelValueErrMsg`) quote the value
    // as it was typed: svclab keeps it as text and the app shows it as text.
    let mut c = world();
    let named = SEED_MANIFEST.replacen("name: backend\n", &format!("name: {SCRIPT}\n"), 1);
    let error = refused(&mut c, &named);
    assert!(
        error.message.starts_with(&format!(
            "The Deployment \"{SCRIPT}\" is invalid: metadata.name: Invalid value: \"{SCRIPT}\": a lowercase RFC 1123 subdomain must consist of"
        )),
        "{}",
        error.message
    );
    let labelled = SEED_MANIFEST.replace("app: backend\n", &format!("app: \"{IMG}\"\n"));
    let error = refused(&mut c, &labelled);
    assert!(
        error.message.contains(&format!(
            "Invalid value: \"{IMG}\": a valid label must be an empty string or consist of alphanumeric characters"
        )),
        "{}",
        error.message
    );
    let out = terminal(&mut c, "", &format!("kubectl run '{SCRIPT}' --image=nginx"));
    assert!(
        out.starts_with(&format!(
            "The Pod \"{SCRIPT}\" is invalid: metadata.name: Invalid value: \"{SCRIPT}\""
        )),
        "{out}"
    );
    still_works(&mut c);
}

#[test]
fn html_in_an_annotation_is_kept_verbatim() {
    let mut c = world();
    let annotated = SEED_MANIFEST.replacen(
        "name: backend\n",
        &format!("name: backend\n  annotations:\n    note: \"{SCRIPT}\"\n"),
        1,
    );
    c.apply(&annotated, SEED_FILENAME)
        .expect("an annotation may hold any text");
    assert_eq!(
        terminal(
            &mut c,
            "",
            "kubectl get deploy backend -o jsonpath={.metadata.annotations.note}"
        )
        .trim_end_matches('\n'),
        SCRIPT
    );
    still_works(&mut c);
}

#[test]
fn a_hundred_kilobyte_terminal_line_meets_the_line_cap() {
    // The terminal reads the first 8,192 bytes of a line (shell/mod.rs, MAX_LINE) and ignores
    // the rest, as a paste into a real terminal past its line discipline's buffer loses it.
    let mut c = world();
    let out = terminal(&mut c, "", &format!("echo {}", "a".repeat(100_000)));
    assert_eq!(out, format!("{}\n", "a".repeat(8_192 - "echo ".len())));
    let out = terminal(&mut c, "", &"x".repeat(100_000));
    assert_eq!(
        out,
        format!("bash: {}: command not found\n", "x".repeat(8_192))
    );
    // Thousands of names after the cap: one answer each, as kubectl gives.
    let out = terminal(
        &mut c,
        "",
        &format!("kubectl get pods {}", "p ".repeat(50_000)),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() <= 8_192 / 2, "{} lines", lines.len());
    assert!(
        lines
            .iter()
            .all(|l| *l == "Error from server (NotFound): pods \"p\" not found"),
        "{}",
        &out[..out.len().min(300)]
    );
    still_works(&mut c);
}
