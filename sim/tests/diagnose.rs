//! Why a request failed, for each kind of failure a learner meets: a manifest applied, the world
//! changed as the learner would change it, a request sent, and the diagnosis read. The expected
//! causes are the lesson's troubleshooting table (labels against the selector, readiness probes,
//! CoreDNS, NetworkPolicy) and the Kubernetes documentation's "Debug Services" page
//! (kubernetes/website, content/en/docs/tasks/debug/debug-application/debug-service.md):
//! "Does the Service have any Endpoints?", "Are the Pods working?", "Is the targetPort right?",
//! "Does the Service work by DNS name?".

use svclab_sim::action::Action;
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::diagnose::{diagnose, Cause, Diagnosis, NotReadyReason};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::manifest::locate_object;
use svclab_sim::model::{ObjectKey, PodPhase};
use svclab_sim::netpol::Direction;
use svclab_sim::resource::Kind;
use svclab_sim::time::SECOND;
use svclab_sim::trace::{
    Balance, Client, DnsReply, HopVerdict, Outcome, PacketKind, Request, Tool, Trace,
};

fn world(manifest: &str) -> Cluster {
    let mut c = Cluster::new(Config::default());
    c.apply(manifest, SEED_FILENAME).expect("applies");
    c.act(Action::Run {
        namespace: "default".into(),
        name: "test".into(),
        image: "busybox".into(),
        command: vec!["sh".into()],
    })
    .unwrap();
    c.advance(10 * SECOND);
    c
}

fn send(c: &mut Cluster, client: Client, tool: Tool, target: &str) -> Trace {
    let id = c.send(Request {
        payload: String::new(),
        client,
        tool,
        target: target.into(),
    });
    c.trace(id).unwrap().clone()
}

fn from_test(c: &mut Cluster, target: &str) -> Trace {
    send(
        c,
        Client::Pod(ObjectKey::new("default", "test")),
        Tool::Wget,
        target,
    )
}

fn diagnosis(c: &Cluster, t: &Trace) -> Diagnosis {
    assert!(!t.outcome.is_success(), "{:?}", t.outcome);
    diagnose(c, t).expect("a failed request has a diagnosis")
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn backend_pods(c: &Cluster) -> Vec<ObjectKey> {
    c.pods()
        .values()
        .filter(|p| p.meta.name.starts_with("backend-") && p.status.phase == PodPhase::Running)
        .map(|p| p.key())
        .collect()
}

#[test]
fn a_successful_request_has_no_diagnosis() {
    let mut c = world(SEED_MANIFEST);
    let t = from_test(&mut c, "http://backend-service");
    assert!(t.outcome.is_success());
    assert_eq!(diagnose(&c, &t), None);
}

#[test]
fn a_selector_that_matches_no_pod_shows_the_nearest_labels() {
    let manifest = SEED_MANIFEST.replace(
        "  selector:\n    app: backend",
        "  selector:\n    app: backnd",
    );
    let mut c = world(&manifest);
    let t = from_test(&mut c, "http://backend-service");
    assert_eq!(t.outcome, Outcome::ConnectionRefused);
    let d = diagnosis(&c, &t);
    let Cause::SelectorMatchesNoPod {
        service,
        selector,
        nearest,
    } = &d.cause
    else {
        panic!("{d:#?}")
    };
    assert_eq!(*service, ObjectKey::new("default", "backend-service"));
    assert_eq!(selector.get("app").map(String::as_str), Some("backnd"));
    assert!(nearest[0].0.name.starts_with("backend-"), "{nearest:?}");
    assert_eq!(nearest[0].1.get("app").map(String::as_str), Some("backend"));
    assert!(d
        .evidence
        .iter()
        .any(|(k, v)| k == "selector" && v == "app=backnd"));
    assert!(d.evidence.iter().any(|(_, v)| v == "app=backend"));
    assert!(d.fix.contains("app=backend"), "{}", d.fix);
    let culprit = d.culprit.unwrap();
    assert_eq!(culprit.kind, Kind::Service);
    assert_eq!(culprit.field.as_deref(), Some("spec.selector"));
    // The editor opens the manifest at the Service's `selector:`, the line above the label.
    let line = locate_object(
        &manifest,
        culprit.kind,
        &culprit.key.namespace,
        &culprit.key.name,
        culprit.field.as_deref().unwrap(),
    );
    assert_eq!(line, Some(line_of(&manifest, "app: backnd") - 1));
}

#[test]
fn a_target_port_nothing_listens_on_is_connection_refused_at_the_pod() {
    let manifest = SEED_MANIFEST.replace("targetPort: 80", "targetPort: 8080");
    let mut c = world(&manifest);
    let t = from_test(&mut c, "http://backend-service");
    assert_eq!(t.outcome, Outcome::ConnectionRefused);
    let d = diagnosis(&c, &t);
    let Cause::TargetPortNotListening { port, declared, .. } = &d.cause else {
        panic!("{d:#?}")
    };
    assert_eq!((*port, declared.as_slice()), (8080, &[80][..]));
    let culprit = d.culprit.unwrap();
    assert_eq!(
        (culprit.kind, culprit.field.as_deref()),
        (Kind::Service, Some("spec.ports[0].targetPort"))
    );
    assert!(d.fix.contains("to 80"), "{}", d.fix);
    let line = locate_object(
        &manifest,
        Kind::Service,
        "default",
        "backend-service",
        "spec.ports[0].targetPort",
    );
    assert_eq!(line, Some(line_of(&manifest, "targetPort: 8080")));
}

#[test]
fn pods_whose_readiness_probe_fails_name_the_probe_and_since_when() {
    let manifest = SEED_MANIFEST.replace(
        "            - containerPort: 80\n",
        "            - containerPort: 80\n          readinessProbe:\n            httpGet:\n              path: /\n              port: 80\n            periodSeconds: 5\n",
    );
    let mut c = world(&manifest);
    let broken_at = c.now();
    for pod in backend_pods(&c) {
        c.act(Action::FailReadiness {
            namespace: pod.namespace,
            pod: pod.name,
            fail: true,
        })
        .unwrap();
    }
    c.advance(60 * SECOND);
    let t = from_test(&mut c, "http://backend-service");
    assert_eq!(t.outcome, Outcome::ConnectionRefused);
    let d = diagnosis(&c, &t);
    let Cause::PodsNotReady { pods, .. } = &d.cause else {
        panic!("{d:#?}")
    };
    assert_eq!(pods.len(), 3);
    for p in pods {
        let NotReadyReason::ReadinessProbeFailing {
            container,
            period_seconds,
            message,
        } = &p.reason
        else {
            panic!("{p:?}")
        };
        assert_eq!(container, "api");
        assert_eq!(*period_seconds, Some(5));
        assert!(message.starts_with("Readiness probe failed"), "{message}");
        assert!(p.since > broken_at && p.since < c.now(), "{p:?}");
    }
    let culprit = d.culprit.unwrap();
    assert_eq!(culprit.kind, Kind::Deployment);
    assert_eq!(culprit.key, ObjectKey::new("default", "backend"));
    let line = locate_object(
        &manifest,
        culprit.kind,
        "default",
        "backend",
        culprit.field.as_deref().unwrap(),
    );
    assert_eq!(line, Some(line_of(&manifest, "readinessProbe:")));
}

#[test]
fn coredns_scaled_to_zero_leaves_the_name_unanswered() {
    let mut c = world(SEED_MANIFEST);
    c.act(Action::Scale {
        namespace: "kube-system".into(),
        deployment: "coredns".into(),
        replicas: 0,
    })
    .unwrap();
    c.advance(60 * SECOND);
    let t = from_test(&mut c, "http://backend-service");
    assert_eq!(t.outcome, Outcome::DnsTimeout);
    let d = diagnosis(&c, &t);
    assert_eq!(d.cause, Cause::CoreDnsScaledToZero, "{d:#?}");
    let culprit = d.culprit.unwrap();
    assert_eq!(culprit.key, ObjectKey::new("kube-system", "coredns"));
    assert_eq!(culprit.field.as_deref(), Some("spec.replicas"));
}

#[test]
fn coredns_broken_is_named_whether_or_not_its_pods_still_count_as_ready() {
    let mut c = world(SEED_MANIFEST);
    c.act(Action::BreakCoreDns { broken: true }).unwrap();
    // At once: CoreDNS still has endpoints, and drops the questions.
    let t = from_test(&mut c, "http://backend-service");
    assert_eq!(t.outcome, Outcome::DnsTimeout);
    assert_eq!(diagnosis(&c, &t).cause, Cause::CoreDnsBroken);
    // Later: its readiness probe has failed and kube-dns has no endpoints left.
    c.advance(120 * SECOND);
    let t = from_test(&mut c, "http://backend-service");
    assert_eq!(t.outcome, Outcome::DnsTimeout);
    let d = diagnosis(&c, &t);
    assert_eq!(d.cause, Cause::CoreDnsBroken);
    assert!(
        d.evidence.iter().any(|(_, v)| v.contains("0/2 pods ready")),
        "{:?}",
        d.evidence
    );
}

const DEV_NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n---\n";

#[test]
fn a_service_in_another_namespace_shows_the_search_list_tried() {
    let manifest = format!(
        "{DEV_NAMESPACE}{}",
        SEED_MANIFEST.replace(
            "  name: backend-service\n",
            "  name: backend-service\n  namespace: dev\n"
        )
    );
    let mut c = world(&manifest);
    let t = from_test(&mut c, "http://backend-service");
    assert!(
        matches!(t.outcome, Outcome::Nxdomain { .. }),
        "{:?}",
        t.outcome
    );
    let d = diagnosis(&c, &t);
    let Cause::Nxdomain {
        question,
        tried,
        nearest,
        wrong_namespace,
    } = &d.cause
    else {
        panic!("{d:#?}")
    };
    assert_eq!(question, "backend-service");
    // musl and busybox with ndots:5: the search list in order, then the name as typed
    // (REFERENCE.md; kubernetes/website, dns-pod-service.md "Namespaces of Services").
    assert_eq!(
        tried,
        &[
            "backend-service.default.svc.cluster.local",
            "backend-service.svc.cluster.local",
            "backend-service.cluster.local",
            "backend-service",
        ]
    );
    assert_eq!(*nearest, Some(ObjectKey::new("dev", "backend-service")));
    assert!(*wrong_namespace);
    assert!(d.fix.contains("backend-service.dev"), "{}", d.fix);
    // Each attempt is in the trace, answered NXDOMAIN.
    let lookup = t
        .hops
        .iter()
        .rev()
        .find_map(|h| h.detail.dns.as_ref())
        .unwrap();
    assert!(lookup
        .attempts
        .iter()
        .all(|a| a.answer == DnsReply::Nxdomain));
}

#[test]
fn a_typo_in_the_name_suggests_the_nearest_service() {
    let mut c = world(SEED_MANIFEST);
    let t = from_test(&mut c, "http://backend-servce");
    let d = diagnosis(&c, &t);
    let Cause::Nxdomain {
        nearest,
        wrong_namespace,
        tried,
        ..
    } = &d.cause
    else {
        panic!("{d:#?}")
    };
    assert_eq!(*nearest, Some(ObjectKey::new("default", "backend-service")));
    assert!(!wrong_namespace);
    assert_eq!(tried.len(), 4);
    assert!(
        d.summary.contains("did you mean backend-service"),
        "{}",
        d.summary
    );
}

#[test]
fn a_network_policy_deny_names_the_policy_and_the_missing_rule() {
    let manifest = format!(
        "{SEED_MANIFEST}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\nspec:\n  podSelector:\n    matchLabels:\n      app: backend\n  policyTypes:\n    - Ingress\n"
    );
    let mut c = world(&manifest);
    let t = from_test(&mut c, "http://backend-service");
    assert_eq!(t.outcome, Outcome::Timeout);
    let d = diagnosis(&c, &t);
    let Cause::NetworkPolicyDenied {
        pod,
        direction,
        policies,
        peer,
    } = &d.cause
    else {
        panic!("{d:#?}")
    };
    assert!(pod.name.starts_with("backend-"));
    assert_eq!(*direction, Direction::Ingress);
    assert_eq!(policies, &[ObjectKey::new("default", "deny-all")]);
    assert_eq!(peer, "pod default/test");
    let culprit = d.culprit.unwrap();
    assert_eq!(culprit.kind, Kind::NetworkPolicy);
    assert_eq!(culprit.field.as_deref(), Some("spec.ingress"));
    assert!(
        d.fix.contains("spec.ingress") && d.fix.contains("TCP 80"),
        "{}",
        d.fix
    );
}

#[test]
fn a_local_traffic_policy_on_a_node_without_an_endpoint() {
    let manifest = SEED_MANIFEST.replace("replicas: 3", "replicas: 1").replace(
        "  type: ClusterIP",
        "  type: NodePort\n  externalTrafficPolicy: Local",
    );
    let mut c = world(&manifest);
    let svc = &c.services()[&ObjectKey::new("default", "backend-service")];
    let node_port = svc.spec.ports[0].node_port.unwrap();
    let backend_node = c.pods()[&backend_pods(&c)[0]]
        .spec
        .node_name
        .clone()
        .unwrap();
    let other = c
        .nodes()
        .iter()
        .find(|n| !n.control_plane && n.meta.name != backend_node)
        .unwrap();
    let (other_name, other_ip) = (other.meta.name.clone(), other.internal_ip);
    let t = send(
        &mut c,
        Client::External,
        Tool::Curl,
        &format!("http://{other_ip}:{node_port}"),
    );
    assert_eq!(t.outcome, Outcome::Timeout);
    let d = diagnosis(&c, &t);
    assert_eq!(
        d.cause,
        Cause::NoLocalEndpoint {
            service: ObjectKey::new("default", "backend-service"),
            node: other_name,
            nodes_with_endpoints: vec![backend_node],
        }
    );
    let culprit = d.culprit.unwrap();
    assert_eq!(culprit.field.as_deref(), Some("spec.externalTrafficPolicy"));
    let line = locate_object(
        &manifest,
        Kind::Service,
        "default",
        "backend-service",
        "spec.externalTrafficPolicy",
    );
    assert_eq!(
        line,
        Some(line_of(&manifest, "externalTrafficPolicy: Local"))
    );
}

#[test]
fn a_pod_killed_while_the_request_is_on_the_wire() {
    let manifest = SEED_MANIFEST.replace("replicas: 3", "replicas: 1").replace(
        "      containers:",
        "      terminationGracePeriodSeconds: 0\n      containers:",
    );
    let mut c = world(&manifest);
    let t = from_test(&mut c, "http://backend-service");
    let Outcome::Http { pod, .. } = t.outcome.clone() else {
        panic!("{:?}", t.outcome)
    };
    let opened = t
        .hops
        .iter()
        .find(|h| h.kind == PacketKind::Request)
        .unwrap()
        .start;
    c.advance(opened - c.now() + 1);
    c.act(Action::DeletePod {
        namespace: "default".into(),
        pod: pod.name.clone(),
    })
    .unwrap();
    c.advance(2 * SECOND);
    let t = c.trace(t.id).unwrap().clone();
    assert_eq!(t.outcome, Outcome::HostUnreachable);
    let d = diagnosis(&c, &t);
    let Cause::PodGone { pod: gone, .. } = &d.cause else {
        panic!("{d:#?}")
    };
    assert_eq!(gone.as_ref(), Some(&pod));
    let culprit = d.culprit.unwrap();
    assert_eq!(
        (culprit.kind, culprit.key),
        (Kind::Deployment, ObjectKey::new("default", "backend"))
    );
}

#[test]
fn the_inspector_details_show_the_draw_the_conntrack_entry_and_the_policy_verdict() {
    let mut c = world(SEED_MANIFEST);
    let t = from_test(&mut c, "http://backend-service");
    let dnat = t
        .hops
        .iter()
        .find(|h| h.kind == PacketKind::Request && h.translation.is_some())
        .unwrap();
    // Three endpoints: the first rule has probability 1/3 (kube-proxy writes 0.3333333333),
    // and the draws end with the one taken, or with none taken (the last endpoint's rule has
    // no probability and draws nothing).
    let Some(Balance::Random { draws }) = &dnat.detail.balance else {
        panic!("{:?}", dnat.detail.balance)
    };
    assert!((draws[0].probability() - 1.0 / 3.0).abs() < 1e-6);
    assert!(draws.iter().rev().skip(1).all(|d| !d.taken));
    for d in draws {
        assert_eq!(d.taken, d.random() < d.probability());
        assert!(d.chain.starts_with("KUBE-SVC-") && d.target.starts_with("KUBE-SEP-"));
    }
    let tr = dnat.translation.as_ref().unwrap();
    let ct = dnat.detail.conntrack.unwrap();
    assert!(ct.created);
    assert_eq!(ct.original, tr.before);
    assert_eq!(ct.reply.src, tr.after.dst);
    assert!(ct.text().starts_with("tcp      6 src="), "{}", ct.text());
    let delivered = t
        .hops
        .iter()
        .find(|h| h.kind == PacketKind::Request && h.verdict == HopVerdict::Delivered)
        .unwrap();
    let policy = delivered.detail.policy.as_ref().unwrap();
    assert!(policy.allowed() && policy.ingress.isolated_by().is_empty());
}

#[test]
fn ipvs_mode_names_the_scheduler_and_the_real_server_chosen() {
    let mut c = world(SEED_MANIFEST);
    c.act(Action::SetProxyMode {
        mode: svclab_sim::kube_proxy::ProxyMode::Ipvs,
    })
    .unwrap();
    let t = from_test(&mut c, "http://backend-service");
    let dnat = t
        .hops
        .iter()
        .find(|h| h.kind == PacketKind::Request && h.translation.is_some())
        .unwrap();
    let tr = dnat.translation.as_ref().unwrap();
    assert_eq!(
        dnat.detail.balance,
        Some(Balance::Ipvs {
            virtual_server: tr.before.dst,
            scheduler: "rr",
            real_server: Some(tr.after.dst),
        })
    );
}

#[test]
fn an_allowing_policy_is_named_with_its_rule() {
    let manifest = format!(
        "{SEED_MANIFEST}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: from-test\nspec:\n  podSelector:\n    matchLabels:\n      app: backend\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: other\n    - from:\n        - podSelector:\n            matchLabels:\n              run: test\n"
    );
    let mut c = world(&manifest);
    let t = from_test(&mut c, "http://backend-service");
    assert!(t.outcome.is_success(), "{:?}", t.outcome);
    let delivered = t
        .hops
        .iter()
        .find(|h| h.kind == PacketKind::Request && h.verdict == HopVerdict::Delivered)
        .unwrap();
    let policy = delivered.detail.policy.as_ref().unwrap();
    let svclab_sim::netpol::Verdict::Allowed { by, isolated_by } = &policy.ingress else {
        panic!("{policy:?}")
    };
    assert_eq!(isolated_by, &[ObjectKey::new("default", "from-test")]);
    assert_eq!(
        (by.direction, by.rule, by.peer),
        (Direction::Ingress, 1, Some(0))
    );
    // The client's own egress: no policy selects pod test.
    assert_eq!(policy.egress, svclab_sim::netpol::Verdict::NotIsolated);
}

/// `echo TEXT | nc -u -w1 HOST PORT` from the `test` pod.
fn datagram(c: &mut Cluster, target: &str, text: &str) -> Trace {
    let id = c.send(Request {
        payload: format!("{text}\n"),
        client: Client::Pod(ObjectKey::new("default", "test")),
        tool: Tool::NcUdp,
        target: target.into(),
    });
    c.advance(5 * SECOND);
    c.trace(id).unwrap().clone()
}

/// agnhost netexec (UDP 8081) behind a Service whose UDP port 5005 targets `target_port`.
fn netexec(target_port: u16) -> String {
    format!(
        "{SEED_MANIFEST}---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: netexec
spec:
  replicas: 1
  selector:
    matchLabels: {{app: netexec}}
  template:
    metadata:
      labels: {{app: netexec}}
    spec:
      containers:
      - name: agnhost
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: [netexec]
---
apiVersion: v1
kind: Service
metadata:
  name: udp-echo
spec:
  selector: {{app: netexec}}
  ports:
  - protocol: UDP
    port: 5005
    targetPort: {target_port}
"
    )
}

#[test]
fn udp_failures_name_their_cause() {
    let mut c = world(&netexec(8081));
    // Answered: netexec says which pod got the datagram.
    let t = datagram(&mut c, "udp-echo 5005", "hostname");
    assert!(matches!(
        t.outcome,
        Outcome::Datagram { answered: true, .. }
    ));
    assert!(t.output.starts_with("netexec-"), "{}", t.output);
    // A command netexec does not know: delivered, unanswered, and said so.
    let t = datagram(&mut c, "udp-echo 5005", "hello");
    let d = diagnosis(&c, &t);
    assert_eq!(d.cause.as_str(), "datagram-unanswered");
    assert!(d.summary.contains("on UDP port 8081"), "{}", d.summary);
    // UDP to the seed's TCP Service port: no rule, and the protocol is named.
    let t = datagram(&mut c, "backend-service 80", "hostname");
    let d = diagnosis(&c, &t);
    assert_eq!(d.cause.as_str(), "no-such-port");
    assert!(d.summary.contains("no UDP port 80"), "{}", d.summary);
    assert!(d.fix.contains("protocol: UDP"), "{}", d.fix);
    // A targetPort nothing listens on: ICMP port unreachable from the pod.
    let mut c = world(&netexec(9999));
    let t = datagram(&mut c, "udp-echo 5005", "hostname");
    assert_eq!(t.output, "", "nc prints nothing on an ICMP error");
    let d = diagnosis(&c, &t);
    assert_eq!(d.cause.as_str(), "target-port-not-listening");
    assert!(d.summary.starts_with("port unreachable:"), "{}", d.summary);
    assert!(d.summary.contains("UDP port 9999"), "{}", d.summary);
}
