//! NetworkPolicy verdicts, one table per rule of the API's semantics. Each row is a connection and
//! the whole sentence the learner sees.

use std::net::Ipv4Addr;

use svclab_sim::model::{
    Container, ContainerPort, IntOrString, IpBlock, LabelSelector, Labels, Namespace,
    NetworkPolicy, NetworkPolicySpec, ObjectKey, ObjectMeta, Pod, PodSpec, PodStatus, PolicyPeer,
    PolicyPort, PolicyRule, Protocol,
};
use svclab_sim::netpol::{
    evaluate, explain, ip_block_contains, namespace_labels, policy_types, Connection, Decision,
    Direction, Party, RuleRef, Verdict,
};

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn sel(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector::from_labels(labels(pairs))
}

fn namespace(name: &str, pairs: &[(&str, &str)]) -> Namespace {
    let mut meta = ObjectMeta::new("", name);
    meta.labels = labels(pairs);
    Namespace { meta }
}

fn pod(ns: &str, name: &str, app: &str, ip: &str, ports: &[(&str, i64)]) -> Pod {
    let mut meta = ObjectMeta::new(ns, name);
    meta.labels = labels(&[("app", app)]);
    Pod {
        meta,
        spec: PodSpec {
            containers: vec![Container {
                name: app.to_string(),
                image: "nginx".to_string(),
                ports: ports
                    .iter()
                    .map(|(n, p)| ContainerPort {
                        name: Some(n.to_string()),
                        container_port: *p,
                        protocol: Protocol::Tcp,
                    })
                    .collect(),
                ..Default::default()
            }],
            ..Default::default()
        },
        status: PodStatus {
            pod_ip: Some(ip.parse().unwrap()),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn policy(ns: &str, name: &str, spec: NetworkPolicySpec) -> NetworkPolicy {
    NetworkPolicy {
        meta: ObjectMeta::new(ns, name),
        spec,
    }
}

fn pods_from(
    pod_selector: Option<&[(&str, &str)]>,
    ns_selector: Option<&[(&str, &str)]>,
) -> PolicyPeer {
    PolicyPeer::Selectors {
        pod_selector: pod_selector.map(sel),
        namespace_selector: ns_selector.map(sel),
    }
}

fn tcp(port: i64) -> PolicyPort {
    PolicyPort {
        protocol: Protocol::Tcp,
        port: Some(IntOrString::Int(port)),
        end_port: None,
    }
}

fn rule(peers: Vec<PolicyPeer>, ports: Vec<PolicyPort>) -> PolicyRule {
    PolicyRule { peers, ports }
}

/// `podSelector: {}`, no rules, `policyTypes` left out: deny all ingress in the namespace.
fn deny_all_ingress(ns: &str) -> NetworkPolicy {
    policy(ns, "deny-all", NetworkPolicySpec::default())
}

/// What, policies, from, to, port, the sentence.
type Row<'a> = (
    &'a str,
    &'a [NetworkPolicy],
    Party<'a>,
    Party<'a>,
    i64,
    &'a str,
);

struct World {
    namespaces: Vec<Namespace>,
    frontend: Pod,
    backend: Pod,
    dev_frontend: Pod,
    dev_tester: Pod,
}

fn world() -> World {
    World {
        namespaces: vec![
            namespace("default", &[]),
            namespace("dev", &[("team", "dev")]),
        ],
        frontend: pod(
            "default",
            "frontend-7d4b9c6f5-x2x4q",
            "frontend",
            "10.244.1.5",
            &[],
        ),
        backend: pod(
            "default",
            "backend-5f6d8c7b9-k8r2m",
            "backend",
            "10.244.2.7",
            &[("http", 8080), ("metrics", 9090)],
        ),
        dev_frontend: pod(
            "dev",
            "frontend-6c9f8d7b5-p4z7w",
            "frontend",
            "10.244.2.8",
            &[],
        ),
        dev_tester: pod("dev", "tester", "tester", "10.244.1.9", &[]),
    }
}

fn decide(
    w: &World,
    policies: &[NetworkPolicy],
    from: Party<'_>,
    to: Party<'_>,
    port: i64,
) -> (Decision, String) {
    let conn = Connection {
        from,
        to,
        port,
        protocol: Protocol::Tcp,
    };
    let decision = evaluate(policies, &w.namespaces, &conn);
    let text = explain(&conn, &decision);
    assert_eq!(
        decision.allowed(),
        text.starts_with("allowed"),
        "allowed() agrees with the sentence: {text}"
    );
    (decision, text)
}

#[test]
fn pods_are_open_until_selected() {
    let w = world();
    let (decision, text) = decide(
        &w,
        &[],
        Party::Pod(&w.frontend),
        Party::Pod(&w.backend),
        8080,
    );
    assert_eq!(
        decision,
        Decision {
            egress: Verdict::NotIsolated,
            ingress: Verdict::NotIsolated
        }
    );
    assert_eq!(text, "allowed: no NetworkPolicy isolates either end");
}

#[test]
fn default_deny_ingress_and_allow_from_pod_selector() {
    let w = world();
    let allow_frontend = policy(
        "default",
        "allow-frontend",
        NetworkPolicySpec {
            pod_selector: sel(&[("app", "backend")]),
            ingress: vec![rule(
                vec![pods_from(Some(&[("app", "frontend")]), None)],
                vec![tcp(8080)],
            )],
            ..Default::default()
        },
    );
    let deny = [deny_all_ingress("default")];
    let both = [deny_all_ingress("default"), allow_frontend.clone()];
    let outside = Party::Outside(Ipv4Addr::new(172, 18, 0, 1));
    let rows: Vec<Row<'_>> = vec![
        (
            "deny-all drops the frontend",
            &deny,
            Party::Pod(&w.frontend),
            Party::Pod(&w.backend),
            8080,
            "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicy default/deny-all and no rule allows 10.244.1.5",
        ),
        (
            "deny-all drops outside clients too",
            &deny,
            outside,
            Party::Pod(&w.backend),
            8080,
            "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicy default/deny-all and no rule allows 172.18.0.1",
        ),
        (
            "deny-all leaves other namespaces alone",
            &deny,
            Party::Pod(&w.frontend),
            Party::Pod(&w.dev_tester),
            80,
            "allowed: no NetworkPolicy isolates either end",
        ),
        (
            "the union of policies allows the frontend",
            &both,
            Party::Pod(&w.frontend),
            Party::Pod(&w.backend),
            8080,
            "allowed by NetworkPolicy default/allow-frontend, ingress rule 0",
        ),
        (
            "only on the rule's port",
            &both,
            Party::Pod(&w.frontend),
            Party::Pod(&w.backend),
            9090,
            "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicies default/allow-frontend, default/deny-all and no rule allows 10.244.1.5",
        ),
        (
            "podSelector means pods of the policy's namespace only",
            &both,
            Party::Pod(&w.dev_frontend),
            Party::Pod(&w.backend),
            8080,
            "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicies default/allow-frontend, default/deny-all and no rule allows 10.244.2.8",
        ),
        (
            "the frontend itself is not selected by allow-frontend, but by deny-all",
            &both,
            Party::Pod(&w.backend),
            Party::Pod(&w.frontend),
            80,
            "dropped: pod default/frontend-7d4b9c6f5-x2x4q is isolated for ingress by NetworkPolicy default/deny-all and no rule allows 10.244.2.7",
        ),
    ];
    for (what, policies, from, to, port, want) in rows {
        assert_eq!(decide(&w, policies, from, to, port).1, want, "{what}");
    }

    let (decision, _) = decide(
        &w,
        &both,
        Party::Pod(&w.frontend),
        Party::Pod(&w.backend),
        8080,
    );
    assert_eq!(
        decision.ingress,
        Verdict::Allowed {
            by: RuleRef {
                policy: ObjectKey::new("default", "allow-frontend"),
                direction: Direction::Ingress,
                rule: 0,
                peer: Some(0),
            },
            isolated_by: vec![
                ObjectKey::new("default", "allow-frontend"),
                ObjectKey::new("default", "deny-all"),
            ],
        }
    );
    assert_eq!(decision.egress, Verdict::NotIsolated);
}

#[test]
fn namespace_selector_and_pod_selector_vs_or() {
    let w = world();
    let and = [policy(
        "default",
        "from-dev-frontends",
        NetworkPolicySpec {
            pod_selector: sel(&[("app", "backend")]),
            ingress: vec![rule(
                vec![pods_from(
                    Some(&[("app", "frontend")]),
                    Some(&[("team", "dev")]),
                )],
                vec![],
            )],
            ..Default::default()
        },
    )];
    let or = [policy(
        "default",
        "from-dev-or-frontends",
        NetworkPolicySpec {
            pod_selector: sel(&[("app", "backend")]),
            ingress: vec![rule(
                vec![
                    pods_from(None, Some(&[("team", "dev")])),
                    pods_from(Some(&[("app", "frontend")]), None),
                ],
                vec![],
            )],
            ..Default::default()
        },
    )];
    let by_name = [policy(
        "default",
        "from-dev-by-name",
        NetworkPolicySpec {
            pod_selector: sel(&[("app", "backend")]),
            ingress: vec![rule(
                vec![pods_from(
                    None,
                    Some(&[("kubernetes.io/metadata.name", "dev")]),
                )],
                vec![],
            )],
            ..Default::default()
        },
    )];
    let to = Party::Pod(&w.backend);
    let rows: Vec<(&str, &[NetworkPolicy], &Pod, &str)> = vec![
        (
            "AND: a frontend in a dev namespace",
            &and,
            &w.dev_frontend,
            "allowed by NetworkPolicy default/from-dev-frontends, ingress rule 0",
        ),
        (
            "AND: a dev pod that is no frontend",
            &and,
            &w.dev_tester,
            "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicy default/from-dev-frontends and no rule allows 10.244.1.9",
        ),
        (
            "AND: a frontend outside dev",
            &and,
            &w.frontend,
            "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicy default/from-dev-frontends and no rule allows 10.244.1.5",
        ),
        (
            "OR: any dev pod",
            &or,
            &w.dev_tester,
            "allowed by NetworkPolicy default/from-dev-or-frontends, ingress rule 0",
        ),
        (
            "OR: a frontend of the policy's own namespace",
            &or,
            &w.frontend,
            "allowed by NetworkPolicy default/from-dev-or-frontends, ingress rule 0",
        ),
        (
            "the automatic namespace name label",
            &by_name,
            &w.dev_tester,
            "allowed by NetworkPolicy default/from-dev-by-name, ingress rule 0",
        ),
        (
            "the automatic label names only that namespace",
            &by_name,
            &w.frontend,
            "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicy default/from-dev-by-name and no rule allows 10.244.1.5",
        ),
    ];
    for (what, policies, from, want) in rows {
        assert_eq!(
            decide(&w, policies, Party::Pod(from), to, 8080).1,
            want,
            "{what}"
        );
    }

    let peer = |policies: &[NetworkPolicy], from: &Pod| match decide(
        &w,
        policies,
        Party::Pod(from),
        to,
        8080,
    )
    .0
    .ingress
    {
        Verdict::Allowed { by, .. } => by.peer,
        other => panic!("not allowed: {other:?}"),
    };
    assert_eq!(peer(&or, &w.dev_tester), Some(0));
    assert_eq!(peer(&or, &w.frontend), Some(1));
    assert_eq!(
        namespace_labels("dev", &w.namespaces),
        labels(&[("kubernetes.io/metadata.name", "dev"), ("team", "dev")])
    );
    assert_eq!(
        namespace_labels("gone", &w.namespaces),
        labels(&[("kubernetes.io/metadata.name", "gone")])
    );
}

#[test]
fn egress_deny_blocks_even_when_ingress_allows() {
    let w = world();
    let allow_in = policy(
        "default",
        "allow-frontend",
        NetworkPolicySpec {
            pod_selector: sel(&[("app", "backend")]),
            ingress: vec![rule(
                vec![pods_from(Some(&[("app", "frontend")]), None)],
                vec![],
            )],
            ..Default::default()
        },
    );
    let deny_out = policy(
        "default",
        "frontend-no-egress",
        NetworkPolicySpec {
            pod_selector: sel(&[("app", "frontend")]),
            policy_egress: true,
            ..Default::default()
        },
    );
    let dns_only = policy(
        "default",
        "frontend-egress",
        NetworkPolicySpec {
            pod_selector: sel(&[("app", "frontend")]),
            egress: vec![
                rule(
                    vec![pods_from(
                        None,
                        Some(&[("kubernetes.io/metadata.name", "kube-system")]),
                    )],
                    vec![PolicyPort {
                        protocol: Protocol::Udp,
                        port: Some(IntOrString::Int(53)),
                        end_port: None,
                    }],
                ),
                rule(
                    vec![pods_from(Some(&[("app", "backend")]), None)],
                    vec![tcp(8080)],
                ),
            ],
            policy_egress: true,
            ..Default::default()
        },
    );
    let denied = [allow_in.clone(), deny_out];
    let allowed = [allow_in, dns_only];
    let rows: Vec<Row<'_>> = vec![
        (
            "egress denied at the source",
            &denied,
            Party::Pod(&w.frontend),
            Party::Pod(&w.backend),
            8080,
            "dropped: pod default/frontend-7d4b9c6f5-x2x4q is isolated for egress by NetworkPolicy default/frontend-no-egress and no rule allows 10.244.2.7",
        ),
        (
            "egress to the outside world too",
            &denied,
            Party::Pod(&w.frontend),
            Party::Outside(Ipv4Addr::new(93, 184, 216, 34)),
            443,
            "dropped: pod default/frontend-7d4b9c6f5-x2x4q is isolated for egress by NetworkPolicy default/frontend-no-egress and no rule allows 93.184.216.34",
        ),
        (
            "both directions allowed, each by its rule",
            &allowed,
            Party::Pod(&w.frontend),
            Party::Pod(&w.backend),
            8080,
            "allowed by NetworkPolicy default/frontend-egress, egress rule 1 and NetworkPolicy default/allow-frontend, ingress rule 0",
        ),
        (
            "egress rule's port",
            &allowed,
            Party::Pod(&w.frontend),
            Party::Pod(&w.backend),
            9090,
            "dropped: pod default/frontend-7d4b9c6f5-x2x4q is isolated for egress by NetworkPolicy default/frontend-egress and no rule allows 10.244.2.7",
        ),
    ];
    for (what, policies, from, to, port, want) in rows {
        assert_eq!(decide(&w, policies, from, to, port).1, want, "{what}");
    }
}

#[test]
fn ip_block_with_except() {
    let w = world();
    let block = IpBlock {
        cidr: "172.18.0.0/16".to_string(),
        except: vec!["172.18.0.5/32".to_string()],
    };
    let pod_block = IpBlock {
        cidr: "10.244.1.0/24".to_string(),
        except: vec![],
    };
    let policies = [policy(
        "default",
        "from-lan",
        NetworkPolicySpec {
            pod_selector: sel(&[("app", "backend")]),
            ingress: vec![rule(
                vec![PolicyPeer::IpBlock(block), PolicyPeer::IpBlock(pod_block)],
                vec![],
            )],
            ..Default::default()
        },
    )];
    let to = Party::Pod(&w.backend);
    let rows: Vec<(&str, Party<'_>, &str)> = vec![
        (
            "inside the CIDR",
            Party::Outside(Ipv4Addr::new(172, 18, 0, 1)),
            "allowed by NetworkPolicy default/from-lan, ingress rule 0",
        ),
        (
            "in the except list",
            Party::Outside(Ipv4Addr::new(172, 18, 0, 5)),
            "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicy default/from-lan and no rule allows 172.18.0.5",
        ),
        (
            "outside the CIDR",
            Party::Outside(Ipv4Addr::new(192, 168, 1, 10)),
            "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicy default/from-lan and no rule allows 192.168.1.10",
        ),
        (
            "the spec applies ipBlock to pod IPs as well",
            Party::Pod(&w.frontend),
            "allowed by NetworkPolicy default/from-lan, ingress rule 0",
        ),
        (
            "a pod outside the pod block",
            Party::Pod(&w.dev_frontend),
            "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicy default/from-lan and no rule allows 10.244.2.8",
        ),
    ];
    for (what, from, want) in rows {
        assert_eq!(decide(&w, &policies, from, to, 8080).1, want, "{what}");
    }

    let rows = [
        ("172.18.0.0/16", "172.18.255.255", true),
        ("172.18.0.0/16", "172.19.0.0", false),
        ("0.0.0.0/0", "8.8.8.8", true),
        ("10.244.1.5/32", "10.244.1.5", true),
        ("10.244.1.5/32", "10.244.1.6", false),
        ("10.244.1.5", "10.244.1.5", false),
        ("10.244.1.0/33", "10.244.1.5", false),
        ("fd00::/8", "10.244.1.5", false),
        ("garbage", "10.244.1.5", false),
    ];
    for (cidr, ip, want) in rows {
        let block = IpBlock {
            cidr: cidr.to_string(),
            except: vec![],
        };
        assert_eq!(
            ip_block_contains(&block, ip.parse().unwrap()),
            want,
            "{ip} in {cidr}"
        );
    }
}

#[test]
fn named_ports_resolve_on_the_destination() {
    let w = world();
    let named = |name: &str| PolicyPort {
        protocol: Protocol::Tcp,
        port: Some(IntOrString::Str(name.to_string())),
        end_port: None,
    };
    let policies = [
        policy(
            "default",
            "http-only",
            NetworkPolicySpec {
                pod_selector: sel(&[("app", "backend")]),
                ingress: vec![rule(vec![], vec![named("http")])],
                ..Default::default()
            },
        ),
        policy(
            "default",
            "frontend-egress-http",
            NetworkPolicySpec {
                pod_selector: sel(&[("app", "frontend")]),
                egress: vec![rule(vec![], vec![named("http")])],
                ..Default::default()
            },
        ),
    ];
    let rows: Vec<(&str, Party<'_>, i64, &str)> = vec![
        (
            "http is 8080 on the backend",
            Party::Pod(&w.backend),
            8080,
            "allowed by NetworkPolicy default/frontend-egress-http, egress rule 0 and NetworkPolicy default/http-only, ingress rule 0",
        ),
        (
            "metrics is not http",
            Party::Pod(&w.backend),
            9090,
            "dropped: pod default/frontend-7d4b9c6f5-x2x4q is isolated for egress by NetworkPolicy default/frontend-egress-http and no rule allows 10.244.2.7",
        ),
        (
            "a destination without a port named http",
            Party::Pod(&w.dev_tester),
            8080,
            "dropped: pod default/frontend-7d4b9c6f5-x2x4q is isolated for egress by NetworkPolicy default/frontend-egress-http and no rule allows 10.244.1.9",
        ),
        (
            "an outside destination has no named ports",
            Party::Outside(Ipv4Addr::new(93, 184, 216, 34)),
            8080,
            "dropped: pod default/frontend-7d4b9c6f5-x2x4q is isolated for egress by NetworkPolicy default/frontend-egress-http and no rule allows 93.184.216.34",
        ),
    ];
    for (what, to, port, want) in rows {
        assert_eq!(
            decide(&w, &policies, Party::Pod(&w.frontend), to, port).1,
            want,
            "{what}"
        );
    }
}

#[test]
fn port_ranges_and_protocols() {
    let w = world();
    let policies = [policy(
        "default",
        "range",
        NetworkPolicySpec {
            pod_selector: sel(&[("app", "backend")]),
            ingress: vec![rule(
                vec![],
                vec![
                    PolicyPort {
                        protocol: Protocol::Tcp,
                        port: Some(IntOrString::Int(8000)),
                        end_port: Some(8100),
                    },
                    PolicyPort {
                        protocol: Protocol::Udp,
                        port: None,
                        end_port: None,
                    },
                ],
            )],
            ..Default::default()
        },
    )];
    let rows = [
        (Protocol::Tcp, 8000, true),
        (Protocol::Tcp, 8080, true),
        (Protocol::Tcp, 8100, true),
        (Protocol::Tcp, 8101, false),
        (Protocol::Tcp, 7999, false),
        (Protocol::Udp, 5353, true),
        (Protocol::Sctp, 8080, false),
    ];
    for (protocol, port, want) in rows {
        let conn = Connection {
            from: Party::Pod(&w.frontend),
            to: Party::Pod(&w.backend),
            port,
            protocol,
        };
        assert_eq!(
            evaluate(&policies, &w.namespaces, &conn).allowed(),
            want,
            "{port}/{}",
            protocol.as_str()
        );
    }
}

#[test]
fn policy_types_defaulting() {
    let egress_rules = vec![rule(vec![], vec![tcp(53)])];
    let ingress_rules = vec![rule(vec![], vec![])];
    let spec = |ingress: Vec<PolicyRule>, egress: Vec<PolicyRule>, types: (bool, bool)| {
        NetworkPolicySpec {
            pod_selector: sel(&[("app", "frontend")]),
            ingress,
            egress,
            policy_ingress: types.0,
            policy_egress: types.1,
        }
    };
    // (spec, effective (ingress, egress))
    let rows = [
        (
            "nothing: Ingress",
            spec(vec![], vec![], (false, false)),
            (true, false),
        ),
        (
            "ingress rules: Ingress",
            spec(ingress_rules.clone(), vec![], (false, false)),
            (true, false),
        ),
        (
            "egress rules: Ingress and Egress",
            spec(vec![], egress_rules.clone(), (false, false)),
            (true, true),
        ),
        (
            "explicit Egress ignores ingress rules",
            spec(ingress_rules.clone(), egress_rules.clone(), (false, true)),
            (false, true),
        ),
        (
            "explicit Ingress",
            spec(vec![], egress_rules.clone(), (true, false)),
            (true, false),
        ),
    ];
    for (what, spec, want) in &rows {
        assert_eq!(policy_types(spec), *want, "{what}");
    }

    // Egress rules without policyTypes also isolate ingress, with no ingress rule: all dropped.
    let w = world();
    let policies = [policy("default", "only-dns-out", rows[2].1.clone())];
    let (_, text) = decide(
        &w,
        &policies,
        Party::Pod(&w.backend),
        Party::Pod(&w.frontend),
        80,
    );
    assert_eq!(
        text,
        "dropped: pod default/frontend-7d4b9c6f5-x2x4q is isolated for ingress by NetworkPolicy default/only-dns-out and no rule allows 10.244.2.7"
    );
    // policyTypes [Egress]: the ingress rules are ignored and ingress stays open.
    let policies = [policy("default", "egress-only", rows[3].1.clone())];
    let (decision, _) = decide(
        &w,
        &policies,
        Party::Pod(&w.backend),
        Party::Pod(&w.frontend),
        80,
    );
    assert_eq!(decision.ingress, Verdict::NotIsolated);
}

#[test]
fn host_network_pods_and_pods_without_ip() {
    let w = world();
    let mut host = pod(
        "kube-system",
        "kube-proxy-abcde",
        "kube-proxy",
        "172.18.0.3",
        &[],
    );
    host.spec.host_network = true;
    let mut pending = pod(
        "default",
        "frontend-pending",
        "frontend",
        "10.244.1.99",
        &[],
    );
    pending.status.pod_ip = None;
    let policies = [
        deny_all_ingress("kube-system"),
        policy(
            "default",
            "allow-frontend",
            NetworkPolicySpec {
                pod_selector: sel(&[("app", "backend")]),
                ingress: vec![rule(vec![pods_from(Some(&[]), None)], vec![])],
                ..Default::default()
            },
        ),
    ];
    // A hostNetwork pod is never isolated...
    let (decision, _) = decide(
        &w,
        &policies,
        Party::Pod(&w.frontend),
        Party::Pod(&host),
        10256,
    );
    assert_eq!(decision.ingress, Verdict::NotIsolated);
    // ...and no selector matches it.
    let (_, text) = decide(
        &w,
        &policies,
        Party::Pod(&host),
        Party::Pod(&w.backend),
        8080,
    );
    assert_eq!(
        text,
        "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicy default/allow-frontend and no rule allows 172.18.0.3"
    );
    // A pod with no IP yet is named by its key.
    let (_, text) = decide(
        &w,
        &[deny_all_ingress("default")],
        Party::Pod(&pending),
        Party::Pod(&w.backend),
        8080,
    );
    assert_eq!(
        text,
        "dropped: pod default/backend-5f6d8c7b9-k8r2m is isolated for ingress by NetworkPolicy default/deny-all and no rule allows pod default/frontend-pending"
    );
}
