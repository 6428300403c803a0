//! A request and the command line that stands for it: what [`Request::command_line`] renders,
//! typed into the terminal, sends the same request and gets the same trace (every hop, the
//! outcome, what the client prints) as the request sent directly. Covered: every kind of
//! target a learner types (a Service's short name, `name.namespace`, its FQDN, a ClusterIP, a
//! pod IP, `nodeIP:nodePort`, a LoadBalancer IP, an ExternalName) from a pod in `default`, a pod
//! in another namespace, a node and the laptop outside.

use svclab_sim::action::Action;
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::model::ObjectKey;
use svclab_sim::shell::{client_tools, Terminal};
use svclab_sim::time::SECOND;
use svclab_sim::trace::{Client, Outcome, Request, Tool, Trace};

/// How long a command may wait on the virtual clock (a SYN nobody answers takes 127 s).
const PATIENCE: u64 = 200 * SECOND;
const STEP: u64 = 100;

const SHOP: &str = "\
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
            - containerPort: 80
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
    - port: 80
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
      nodePort: 30080
---
apiVersion: v1
kind: Service
metadata:
  name: web-lb
  namespace: shop
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
    - port: 8080
      targetPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: docs
  namespace: shop
spec:
  type: ExternalName
  externalName: web.shop.svc.cluster.local
";

/// The seed, the shop, the `test` busybox in `default`, a busybox `probe` in `shop` and a
/// `curl` pod (curlimages/curl) in `default`, all running.
fn world() -> Cluster {
    let mut c = Cluster::new(Config::default());
    c.apply(SEED_MANIFEST, SEED_FILENAME)
        .expect("the seed applies");
    c.apply(SHOP, "shop.yaml").expect("the shop applies");
    for (namespace, name, image) in [
        ("default", "test", "busybox"),
        ("shop", "probe", "busybox"),
        ("default", "curl", "curlimages/curl"),
    ] {
        c.act(Action::Run {
            namespace: namespace.into(),
            name: name.into(),
            image: image.into(),
            command: vec!["sleep".into(), "3600".into()],
        })
        .expect("kubectl run");
    }
    c.advance(20 * SECOND);
    c
}

fn pod(namespace: &str, name: &str) -> Client {
    Client::Pod(ObjectKey::new(namespace, name))
}

/// The addresses the targets name, read from the world.
struct Addresses {
    backend_cluster_ip: String,
    web_cluster_ip: String,
    web_pod_ip: String,
    node_ip: String,
    lb_ip: String,
}

fn addresses(c: &Cluster) -> Addresses {
    let svc = |ns: &str, name: &str| c.services()[&ObjectKey::new(ns, name)].clone();
    let web_pod_ip = c
        .pods()
        .values()
        .find(|p| p.meta.namespace == "shop" && p.meta.name.starts_with("web-"))
        .and_then(|p| p.status.pod_ip)
        .expect("a web pod with an IP");
    let worker = c
        .nodes()
        .iter()
        .find(|n| n.meta.name == "kind-worker")
        .expect("kind-worker");
    Addresses {
        backend_cluster_ip: svc("default", "backend-service")
            .spec
            .cluster_ip
            .ip()
            .unwrap()
            .to_string(),
        web_cluster_ip: svc("shop", "web").spec.cluster_ip.ip().unwrap().to_string(),
        web_pod_ip: web_pod_ip.to_string(),
        node_ip: worker.internal_ip.to_string(),
        lb_ip: svc("shop", "web-lb")
            .status
            .load_balancer_ip
            .expect("the LoadBalancer has an IP")
            .to_string(),
    }
}

/// The request sent directly, finished.
fn sent(request: &Request) -> Trace {
    let mut c = world();
    let id = c.send(request.clone());
    c.advance(PATIENCE);
    c.trace(id).expect("the trace is kept").clone()
}

/// `line` typed into the terminal of the same world, run to its end: the trace it made, and
/// what the terminal printed.
fn typed(line: &str) -> (Trace, String) {
    let mut c = world();
    let mut term = Terminal::new(SEED_FILENAME, SEED_MANIFEST);
    let before = c.traces().last().map(|t| t.id);
    let mut out = term.run(&mut c, line);
    let mut text = out.text();
    let mut waited = 0;
    while out.wait.is_some() {
        assert!(waited < PATIENCE, "`{line}` still waits: {:?}", out.wait);
        c.advance(STEP);
        waited += STEP;
        if let Some(o) = term.poll(&mut c) {
            text.push_str(&o.text());
            out = o;
        }
    }
    let trace = c.traces().last().cloned().expect("the line sent a request");
    assert_ne!(Some(trace.id), before, "`{line}` sent no request: {text}");
    (trace, text)
}

/// Each case: the request, the command line expected for it, and whether it succeeds.
fn cases(a: &Addresses) -> Vec<(Request, String, bool)> {
    let req = |client: Client, tool: Tool, target: &str| Request {
        payload: String::new(),
        client,
        tool,
        target: target.to_string(),
    };
    let test = || pod("default", "test");
    vec![
        (
            req(test(), Tool::Wget, "http://backend-service"),
            "kubectl exec test -- wget -qO- http://backend-service".into(),
            true,
        ),
        (
            req(test(), Tool::Wget, "http://backend-service.default:80"),
            "kubectl exec test -- wget -qO- http://backend-service.default:80".into(),
            true,
        ),
        (
            req(test(), Tool::Wget, "http://web.shop.svc.cluster.local"),
            "kubectl exec test -- wget -qO- http://web.shop.svc.cluster.local".into(),
            true,
        ),
        (
            req(
                test(),
                Tool::Wget,
                &format!("http://{}", a.backend_cluster_ip),
            ),
            format!(
                "kubectl exec test -- wget -qO- http://{}",
                a.backend_cluster_ip
            ),
            true,
        ),
        (
            req(test(), Tool::Wget, &format!("http://{}:80", a.web_pod_ip)),
            format!("kubectl exec test -- wget -qO- http://{}:80", a.web_pod_ip),
            true,
        ),
        (
            req(test(), Tool::Wget, &format!("http://{}:30080", a.node_ip)),
            format!("kubectl exec test -- wget -qO- http://{}:30080", a.node_ip),
            true,
        ),
        (
            req(test(), Tool::Wget, &format!("http://{}:8080", a.lb_ip)),
            format!("kubectl exec test -- wget -qO- http://{}:8080", a.lb_ip),
            true,
        ),
        (
            req(test(), Tool::Wget, "http://docs.shop"),
            "kubectl exec test -- wget -qO- http://docs.shop".into(),
            true,
        ),
        (
            req(test(), Tool::Nslookup, "backend-service"),
            "kubectl exec test -- nslookup backend-service".into(),
            true,
        ),
        // A typo: NXDOMAIN through the whole search list.
        (
            req(test(), Tool::Wget, "http://backnd-service"),
            "kubectl exec test -- wget -qO- http://backnd-service".into(),
            false,
        ),
        // From another namespace the short name is that namespace's Service.
        (
            req(pod("shop", "probe"), Tool::Wget, "http://web"),
            "kubectl exec -n shop probe -- wget -qO- http://web".into(),
            true,
        ),
        (
            req(
                pod("shop", "probe"),
                Tool::Nslookup,
                "backend-service.default",
            ),
            "kubectl exec -n shop probe -- nslookup backend-service.default".into(),
            // busybox nslookup tries the search list only for names without a dot.
            false,
        ),
        (
            req(pod("default", "curl"), Tool::Curl, "web.shop:80"),
            "kubectl exec curl -- curl web.shop:80".into(),
            true,
        ),
        // The laptop: node ports and LoadBalancer IPs, and no cluster DNS.
        (
            req(
                Client::External,
                Tool::Curl,
                &format!("{}:30080", a.node_ip),
            ),
            format!("curl {}:30080", a.node_ip),
            true,
        ),
        (
            req(Client::External, Tool::Curl, &format!("{}:8080", a.lb_ip)),
            format!("curl {}:8080", a.lb_ip),
            true,
        ),
        (
            req(Client::External, Tool::Curl, "web.shop"),
            "curl web.shop".into(),
            false,
        ),
        // UDP: a datagram through the kube-dns Service to CoreDNS, which drops what is no DNS
        // message (delivered, unanswered: no success).
        (
            Request {
                payload: "hostname\n".into(),
                ..req(test(), Tool::NcUdp, "kube-dns.kube-system 53")
            },
            "kubectl exec test -- sh -c 'echo hostname | nc -u -w1 kube-dns.kube-system 53'".into(),
            false,
        ),
        // A node: kube-proxy's rules apply to its own traffic; its resolver knows no Service.
        (
            req(
                Client::Node("kind-worker".into()),
                Tool::Curl,
                &a.web_cluster_ip,
            ),
            format!("docker exec kind-worker curl {}", a.web_cluster_ip),
            true,
        ),
        (
            req(
                Client::Node("kind-worker2".into()),
                Tool::Curl,
                &format!("{}:30080", a.node_ip),
            ),
            format!("docker exec kind-worker2 curl {}:30080", a.node_ip),
            true,
        ),
        (
            req(
                Client::Node("kind-worker".into()),
                Tool::Curl,
                "backend-service",
            ),
            "docker exec kind-worker curl backend-service".into(),
            false,
        ),
    ]
}

#[test]
fn each_command_line_typed_in_the_terminal_makes_the_same_trace_as_its_request() {
    let a = addresses(&world());
    for (request, line, ok) in cases(&a) {
        assert_eq!(request.command_line(), line);
        let direct = sent(&request);
        assert_eq!(
            direct.outcome.is_success(),
            ok,
            "{line}: {:?}\n{}",
            direct.outcome,
            direct.output
        );
        let (typed, printed) = typed(&line);
        assert_eq!(typed.request, request, "{line}");
        assert_eq!(typed.outcome, direct.outcome, "{line}");
        assert_eq!(typed.output, direct.output, "{line}");
        assert_eq!(typed.hops.len(), direct.hops.len(), "{line}");
        for (i, (t, d)) in typed.hops.iter().zip(&direct.hops).enumerate() {
            assert_eq!(t, d, "{line}: hop {i}");
        }
        // What the tool printed is what the terminal shows (wget -q and curl print only the
        // body or the error; nslookup its answer).
        assert!(
            printed.contains(direct.output.trim_end()),
            "{line}: the terminal printed\n{printed}\nnot\n{}",
            direct.output
        );
    }
}

#[test]
fn a_node_sends_from_its_own_ip_through_its_kube_proxy() {
    let c = world();
    let a = addresses(&c);
    let trace = sent(&Request {
        payload: String::new(),
        client: Client::Node("kind-worker".into()),
        tool: Tool::Curl,
        target: format!("{}:80", a.web_cluster_ip),
    });
    assert!(trace.outcome.is_success(), "{:?}", trace.outcome);
    let first = &trace.hops[0];
    assert_eq!(first.packet.src.ip().to_string(), a.node_ip);
    assert_eq!(
        first.packet.dst.to_string(),
        format!("{}:80", a.web_cluster_ip)
    );
    let dnat = first.translation.as_ref().expect("kube-proxy rewrites it");
    assert!(dnat.after.dst.ip().to_string().starts_with("10.244."));
    // The node's resolver is Docker's: cluster names are unknown there, and no query goes to
    // CoreDNS.
    let unresolved = sent(&Request {
        payload: String::new(),
        client: Client::Node("kind-worker".into()),
        tool: Tool::Curl,
        target: "backend-service".into(),
    });
    assert!(unresolved.hops.is_empty());
    assert_eq!(
        unresolved.output,
        "curl: (6) Could not resolve host: backend-service"
    );
    let missing = sent(&Request {
        payload: String::new(),
        client: Client::Node("kind-worker9".into()),
        tool: Tool::Curl,
        target: "10.96.0.1".into(),
    });
    assert!(matches!(missing.outcome, Outcome::Invalid { .. }));
}

#[test]
fn targets_the_shell_would_split_are_quoted() {
    let request = |target: &str| Request {
        payload: String::new(),
        client: Client::External,
        tool: Tool::Curl,
        target: target.into(),
    };
    assert_eq!(
        request("http://a/b?c=1&d=2").command_line(),
        "curl 'http://a/b?c=1&d=2'"
    );
    assert_eq!(request("it's").command_line(), r"curl 'it'\''s'");
    assert_eq!(request("").command_line(), "curl ''");
}

#[test]
fn each_client_has_the_tools_its_image_or_host_has() {
    let c = world();
    assert_eq!(
        client_tools(&c, &pod("default", "test")),
        [Tool::Wget, Tool::Nslookup, Tool::NcUdp]
    );
    // curlimages/curl is Alpine: busybox's applets besides curl.
    assert_eq!(
        client_tools(&c, &pod("default", "curl")),
        [Tool::Curl, Tool::Wget, Tool::Nslookup, Tool::NcUdp]
    );
    assert_eq!(client_tools(&c, &Client::External), [Tool::Curl]);
    assert_eq!(
        client_tools(&c, &Client::Node("kind-worker".into())),
        [Tool::Curl]
    );
    assert!(client_tools(&c, &pod("default", "nobody")).is_empty());
}
