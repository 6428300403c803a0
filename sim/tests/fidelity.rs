//! Behaviours a learner meets on a real cluster, each checked against the upstream source that
//! decides it (kube-proxy's proxier and its tests, kubectl's printers and commands, CoreDNS's
//! kubernetes plugin, busybox's nslookup), cited by repository, path and version beside the
//! expected text.

use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::shell::Terminal;
use svclab_sim::time::SECOND;

const PATIENCE: u64 = 200 * SECOND;
const STEP: u64 = 100;

struct Session {
    cluster: Cluster,
    term: Terminal,
}

impl Session {
    fn new(file: &str, manifest: &str) -> Session {
        let mut cluster = Cluster::new(Config::default());
        cluster.apply(manifest, file).expect("the manifest applies");
        cluster.advance(10 * SECOND);
        Session {
            cluster,
            term: Terminal::new(file, manifest),
        }
    }

    fn seed() -> Session {
        Session::new(SEED_FILENAME, SEED_MANIFEST)
    }

    /// Type a line and let the clock run until the command is done; everything it printed.
    fn run(&mut self, line: &str) -> String {
        let mut out = self.term.run(&mut self.cluster, line);
        let mut text = out.text();
        let mut waited = 0;
        while out.wait.is_some() {
            assert!(waited < PATIENCE, "`{line}` still waits: {:?}", out.wait);
            self.cluster.advance(STEP);
            waited += STEP;
            if let Some(o) = self.term.poll(&mut self.cluster) {
                text.push_str(&o.text());
                out = o;
            }
        }
        text
    }

    /// Write `text` as the file `name` and `kubectl apply -f` it; the output and `$?`.
    fn apply(&mut self, name: &str, text: &str) -> String {
        self.term.set_file(name, text);
        let out = self.run(&format!("kubectl apply -f {name}"));
        let status = self.run("echo $?");
        format!("{out}$? = {status}")
    }
}

fn same(name: &str, actual: &str, expected: &str) {
    assert!(
        actual == expected,
        "{name}\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

// ---------------------------------------------------------------------------------------------
// kubectl apply: one object at a time

/// kubectl reads every object its builder can (`ContinueOnError`), then applies each on its own
/// and returns the aggregate of the errors: kubernetes/kubernetes
/// `staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go` (v1.31), `ApplyOptions.Run`
/// ("Iterate through all objects, applying each one"; "If any errors occurred during apply,
/// then return error"). The valid objects are created and printed as they go, the invalid one
/// gets the API server's validation message (`ValidatePortNumOrName`'s range text in
/// `pkg/apis/core/validation/validation.go`: "must be between 1 and 65535, inclusive"), and
/// kubectl exits 1 (`cmdutil.DefaultErrorExitCode`).
#[test]
fn apply_goes_object_by_object() {
    let mut s = Session::seed();
    let file = "apiVersion: v1\nkind: Service\nmetadata:\n  name: first\nspec:\n  selector:\n    app: a\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: second\nspec:\n  selector:\n    app: b\n  ports:\n  - port: 70000\n    targetPort: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: third\nspec:\n  selector:\n    app: c\n  ports:\n  - port: 80\n";
    same(
        "three objects, the middle one invalid",
        &s.apply("three.yaml", file),
        "service/first created\nservice/third created\nThe Service \"second\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n$? = 1\n",
    );
    same(
        "applied again: the good ones unchanged",
        &s.apply("three.yaml", file),
        "service/first unchanged\nservice/third unchanged\nThe Service \"second\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n$? = 1\n",
    );
    assert!(s.run("kubectl get svc second").contains("NotFound"));
    // The log replays to the same world.
    let replayed = Cluster::replay(Config::default(), s.cluster.log());
    assert_eq!(replayed.services().len(), s.cluster.services().len());
}

/// The editor's own Apply stays all or nothing: nothing of a file with one bad object goes in.
#[test]
fn the_editor_apply_is_atomic() {
    let mut c = Cluster::new(Config::default());
    let file = "apiVersion: v1\nkind: Service\nmetadata:\n  name: first\nspec:\n  selector:\n    app: a\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: second\nspec:\n  selector:\n    app: b\n  ports:\n  - port: 70000\n";
    let before = c.services().len();
    assert!(c.apply(file, "two.yaml").is_err());
    assert_eq!(c.services().len(), before);
}
