//! Whole outputs pinned before the code that makes them moves: for the seed and three richer
//! worlds (every Service type, a NetworkPolicy, IPVS mode), what `kubectl get all -A -o wide`,
//! `kubectl describe svc`, `iptables-save`, `ipvsadm -Ln`, `nslookup` and a request print, and the
//! hops of the request's trace.
//!
//! These pin svclab's own output, so they prove nothing about fidelity (the other tests compare
//! with REFERENCE.md and upstream); they prove that a restructure changes no byte of it. Each world
//! is compared with `tests/golden/<name>.txt`. After a deliberate change of output, write the files
//! again with `SVCLAB_GOLDEN=write cargo test -p svclab-sim --test golden` and read the diff.

use svclab_sim::action::Action;
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::kube_proxy::ProxyMode;
use svclab_sim::model::ObjectKey;
use svclab_sim::shell::Terminal;
use svclab_sim::time::SECOND;
use svclab_sim::trace::{Client, Request, Tool};

/// How long a command may wait on the virtual clock (a SYN nobody answers takes 127 s).
const PATIENCE: u64 = 200 * SECOND;
const STEP: u64 = 100;

struct World {
    cluster: Cluster,
    term: Terminal,
    transcript: String,
}

impl World {
    fn new(config: Config, file: &str, manifest: &str) -> World {
        let mut cluster = Cluster::new(config);
        cluster.apply(manifest, file).expect("the manifest applies");
        cluster
            .act(Action::Run {
                namespace: "default".into(),
                name: "test".into(),
                image: "busybox".into(),
                command: vec!["sh".into()],
            })
            .expect("kubectl run test");
        cluster.advance(10 * SECOND);
        World {
            cluster,
            term: Terminal::new(file, manifest),
            transcript: String::new(),
        }
    }

    /// Types each line at the prompt, lets the clock run until it is done, and keeps the
    /// transcript: prompt, line, output.
    fn type_lines(&mut self, lines: &[&str]) {
        for line in lines {
            self.transcript.push_str(&self.term.prompt());
            self.transcript.push_str(line);
            self.transcript.push('\n');
            let mut out = self.term.run(&mut self.cluster, line);
            self.transcript.push_str(&out.text());
            let mut waited = 0;
            while out.wait.is_some() {
                assert!(waited < PATIENCE, "`{line}` still waits: {:?}", out.wait);
                self.cluster.advance(STEP);
                waited += STEP;
                if let Some(o) = self.term.poll(&mut self.cluster) {
                    self.transcript.push_str(&o.text());
                    out = o;
                }
            }
        }
    }

    /// Sends a request from pod `test` and writes its whole trace (every hop, packet, rule and
    /// sentence) into the transcript.
    fn request(&mut self, tool: Tool, target: &str) {
        let id = self.cluster.send(Request {
            payload: String::new(),
            client: Client::Pod(ObjectKey::new("default", "test")),
            tool,
            target: target.into(),
        });
        self.cluster.advance(PATIENCE);
        let trace = self.cluster.trace(id).expect("the trace is kept");
        self.transcript
            .push_str(&format!("## trace: test -> {target}\n{trace:#?}\n"));
    }

    /// The everyday outputs of one world.
    fn survey(&mut self, names: &[&str]) {
        self.type_lines(&["kubectl get all -A -o wide", "kubectl describe svc"]);
        self.type_lines(&[
            "docker exec -it kind-worker bash",
            "iptables-save",
            "ipvsadm -Ln",
            "exit",
        ]);
        self.type_lines(&["kubectl exec -it test -- sh"]);
        for name in names {
            self.type_lines(&[&format!("nslookup {name}")]);
        }
        for name in names {
            self.type_lines(&[&format!("wget -qO- -T 2 http://{name}")]);
        }
        self.type_lines(&["exit"]);
        for name in names {
            self.request(Tool::Wget, &format!("http://{name}"));
        }
    }

    fn check(self, name: &str) {
        let path = format!("{}/tests/golden/{name}.txt", env!("CARGO_MANIFEST_DIR"));
        if std::env::var("SVCLAB_GOLDEN").as_deref() == Ok("write") {
            std::fs::write(&path, &self.transcript).expect("write the golden file");
            return;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{path}: {e} (SVCLAB_GOLDEN=write makes it)"));
        if want != self.transcript {
            let line = want
                .lines()
                .zip(self.transcript.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| want.lines().count().min(self.transcript.lines().count()));
            panic!(
                "{name}: output differs from {path} at line {}:\n want: {:?}\n  got: {:?}",
                line + 1,
                want.lines().nth(line),
                self.transcript.lines().nth(line)
            );
        }
    }
}

#[test]
fn seed() {
    let mut w = World::new(Config::default(), SEED_FILENAME, SEED_MANIFEST);
    w.survey(&[
        "backend-service",
        "backend-service.default.svc.cluster.local",
    ]);
    w.check("seed");
}

const ALL_SERVICE_TYPES: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          ports:
            - name: http
              containerPort: 80
            - name: metrics
              containerPort: 9113
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
    - name: metrics
      port: 9113
      targetPort: metrics
---
apiVersion: v1
kind: Service
metadata:
  name: web-nodeport
  namespace: shop
spec:
  type: NodePort
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 80
      nodePort: 30080
---
apiVersion: v1
kind: Service
metadata:
  name: web-lb
  namespace: shop
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  sessionAffinity: ClientIP
  selector:
    app: web
  ports:
    - port: 8080
      targetPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web-headless
  namespace: shop
spec:
  clusterIP: None
  selector:
    app: web
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: docs
  namespace: shop
spec:
  type: ExternalName
  externalName: web.shop.svc.cluster.local
---
apiVersion: v1
kind: Service
metadata:
  name: empty
spec:
  selector:
    app: nobody
  ports:
    - port: 80
";

#[test]
fn all_service_types() {
    let mut w = World::new(Config::default(), "shop.yaml", ALL_SERVICE_TYPES);
    w.survey(&[
        "web.shop",
        "web-nodeport.shop.svc.cluster.local",
        "web-lb.shop",
        "web-headless.shop",
        "docs.shop",
        "empty",
    ]);
    w.type_lines(&[
        "kubectl describe svc -n shop",
        "kubectl get endpointslices -A",
    ]);
    w.check("all_service_types");
}

const NETWORK_POLICY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  replicas: 2
  selector:
    matchLabels:
      app: backend
  template:
    metadata:
      labels:
        app: backend
    spec:
      containers:
        - name: api
          image: nginx
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: backend-service
spec:
  selector:
    app: backend
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  replicas: 1
  selector:
    matchLabels:
      app: frontend
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
        - name: web
          image: nginx
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: backend-from-frontend
spec:
  podSelector:
    matchLabels:
      app: backend
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: frontend
      ports:
        - port: 80
";

#[test]
fn network_policy() {
    let mut w = World::new(Config::default(), "policy.yaml", NETWORK_POLICY);
    w.survey(&["backend-service"]);
    w.type_lines(&[
        "kubectl get networkpolicy -o wide",
        "kubectl describe networkpolicy backend-from-frontend",
    ]);
    w.check("network_policy");
}

#[test]
fn ipvs_mode() {
    let manifest = format!(
        "{SEED_MANIFEST}---
apiVersion: v1
kind: Service
metadata:
  name: backend-nodeport
spec:
  type: NodePort
  selector:
    app: backend
  ports:
    - port: 80
"
    );
    let mut w = World::new(Config::default(), SEED_FILENAME, &manifest);
    w.cluster
        .act(Action::SetProxyMode {
            mode: ProxyMode::Ipvs,
        })
        .expect("switch kube-proxy to IPVS");
    w.cluster.advance(5 * SECOND);
    w.survey(&["backend-service", "backend-nodeport"]);
    w.type_lines(&[
        "docker exec -it kind-control-plane bash",
        "ipvsadm -Ln --stats",
        "ipset list KUBE-CLUSTER-IP",
        "exit",
    ]);
    w.check("ipvs_mode");
}

/// What apply answers: created, configured and unchanged objects, and the errors of manifests a
/// learner gets wrong, each at its line.
#[test]
fn apply_results() {
    let mut w = World::new(Config::default(), "shop.yaml", ALL_SERVICE_TYPES);
    let changed = ALL_SERVICE_TYPES.replace("replicas: 2", "replicas: 4");
    let broken = [
        "kind: Service\nmetadata:\n  name: x\n",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  ports:\n    - port: 0\n",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: X_y\nspec:\n  type: Nodeport\n  ports:\n    - port: 80\n      nodePort: 80\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: two\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels:\n      app: a\n  template:\n    metadata:\n      labels:\n        app: b\n    spec:\n      containers: []\n",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  bogus: 1\nspec:\n  ports:\n  - port: 80\n    protocl: TCP\n",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n    ports:\n    - containerPort: 80\n      containerPort: 81\n",
        "apiVersion: v1\nkind: Widget\nmetadata:\n  name: w\n",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n",
        "key: value\n  bad indent: here\n",
        "---\n---\n",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: n\nspec:\n  podSelector: {}\n  policyTypes: [Sideways]\n",
    ];
    let mut runs: Vec<(&str, String)> = vec![
        ("again", ALL_SERVICE_TYPES.to_string()),
        ("changed", changed),
    ];
    runs.extend(broken.iter().map(|m| ("broken", m.to_string())));
    for (what, manifest) in runs {
        // Each applied object as its typed value, then the line kubectl prints for it.
        let result = match w.cluster.apply(&manifest, "shop.yaml") {
            Ok(applied) => applied.iter().fold("Ok\n".to_string(), |out, a| {
                out + &format!("    {a:?}\n        {a}\n")
            }),
            Err(errors) => format!("{:#?}\n", Err::<(), _>(errors)),
        };
        w.transcript
            .push_str(&format!("## apply ({what}):\n{manifest}=> {result}"));
    }
    w.type_lines(&["kubectl apply -f shop.yaml", "kubectl get deploy -A"]);
    w.check("apply_results");
}
