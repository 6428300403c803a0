//! What a learner sees on a current cluster (Kubernetes v1.36): kube-proxy's nftables mode
//! (the request walked through the `ip kube-proxy` table, `nft` on a node), the API server's
//! deprecation warnings, kube-proxy's IPVS deprecation, the version everything reports.

use std::net::Ipv4Addr;

use svclab_sim::action::Action;
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::kube_proxy::ProxyMode;
use svclab_sim::model::ObjectKey;
use svclab_sim::shell::{Stream, Terminal};
use svclab_sim::time::SECOND;
use svclab_sim::trace::{Balance, Client, HopVerdict, Outcome, Request, Tool, Trace};

fn world(mode: ProxyMode) -> Cluster {
    let mut c = Cluster::new(Config::default());
    c.apply(SEED_MANIFEST, SEED_FILENAME).expect("applies");
    c.act(Action::Run {
        namespace: "default".into(),
        name: "test".into(),
        image: "busybox".into(),
        command: vec!["sh".into()],
    })
    .unwrap();
    c.act(Action::SetProxyMode { mode }).unwrap();
    c.advance(10 * SECOND);
    c
}

fn send(c: &mut Cluster, target: &str) -> Trace {
    let id = c.send(Request {
        payload: String::new(),
        client: Client::Pod(ObjectKey::new("default", "test")),
        tool: Tool::Wget,
        target: target.into(),
    });
    c.advance(10 * SECOND);
    c.trace(id).unwrap().clone()
}

fn cluster_ip(c: &Cluster, name: &str) -> Ipv4Addr {
    c.services()[&ObjectKey::new("default", name)]
        .spec
        .cluster_ip
        .ip()
        .unwrap()
}

/// Each hop's kind and verdict, and its places by kind (which backend answers is drawn).
fn shape(t: &Trace) -> Vec<String> {
    t.hops
        .iter()
        .map(|h| {
            format!(
                "{:?} {:?} {:?}",
                h.kind,
                h.verdict,
                h.translation.as_ref().map(|t| t.kind.to_string())
            )
        })
        .collect()
}

#[test]
fn in_nftables_mode_the_request_walks_the_kube_proxy_table() {
    let mut c = world(ProxyMode::Nftables);
    let ip = cluster_ip(&c, "backend-service");
    let t = send(&mut c, "http://backend-service");
    assert!(
        matches!(t.outcome, Outcome::Http { status: 200, .. }),
        "{t:#?}"
    );
    let hop = t
        .hops
        .iter()
        .find(|h| h.translation.is_some() && h.kind == svclab_sim::trace::PacketKind::Request)
        .expect("kube-proxy rewrites the request");
    let to = hop.translation.as_ref().unwrap().after.dst;
    let rules: Vec<(String, String, String)> = hop
        .rules
        .iter()
        .map(|r| (r.table.to_string(), r.chain.to_string(), r.text.clone()))
        .collect();
    assert!(
        rules.iter().all(|(table, ..)| table == "kube-proxy"),
        "{rules:#?}"
    );
    let has = |chain: &str, text: &str| {
        rules
            .iter()
            .any(|(_, c, t)| c == chain && t.starts_with(text))
    };
    assert!(has("nat-prerouting", "jump services"), "{rules:#?}");
    assert!(
        has(
            "services",
            "ip daddr . meta l4proto . th dport vmap @service-ips"
        ),
        "{rules:#?}"
    );
    // The map element that matched, then the Service's chain with its DNAT.
    let element = rules
        .iter()
        .find(|(_, c, _)| c == "@service-ips")
        .map(|(_, _, t)| t.clone())
        .expect("the service-ips element");
    assert!(
        element.starts_with(&format!("{ip} . tcp . 80 : goto service-")),
        "{element}"
    );
    let chain = element.rsplit("goto ").next().unwrap();
    assert!(chain.ends_with("-default/backend-service/tcp/"), "{chain}");
    assert!(
        has(
            chain,
            "meta l4proto tcp dnat ip to numgen random mod 3 map { 0 : 10.244."
        ),
        "{rules:#?}"
    );
    // The draw names the element the packet took, and that element is where it went.
    let Some(Balance::Numgen { draw: Some(draw) }) = &hop.detail.balance else {
        panic!("a numgen draw: {:?}", hop.detail.balance);
    };
    assert_eq!(draw.modulus, 3);
    assert_eq!(draw.chain.as_str(), chain);
    assert_eq!(
        draw.value,
        ((u64::from(draw.random) * 3) >> 32) as u32,
        "the kernel's reciprocal_scale"
    );
    assert_eq!(draw.chosen, format!("{} . {}", to.ip(), to.port()));
    let listed = c.nftables("kind-worker").unwrap().list();
    assert!(
        listed.contains(&format!("{} : {} . {}", draw.value, to.ip(), to.port())),
        "{listed}"
    );
}

#[test]
fn the_same_request_takes_the_same_path_in_every_mode() {
    let shapes: Vec<Vec<String>> = ProxyMode::ALL
        .into_iter()
        .map(|mode| {
            let mut c = world(mode);
            let t = send(&mut c, "http://backend-service");
            assert!(
                matches!(t.outcome, Outcome::Http { status: 200, .. }),
                "{mode:?}"
            );
            shape(&t)
        })
        .collect();
    assert_eq!(shapes[0], shapes[1], "iptables and nftables");
    assert_eq!(shapes[0], shapes[2], "iptables and IPVS");
}

#[test]
fn in_nftables_mode_a_service_without_endpoints_is_rejected_by_the_reject_chain() {
    let mut c = world(ProxyMode::Nftables);
    c.act(Action::Scale {
        namespace: "default".into(),
        deployment: "backend".into(),
        replicas: 0,
    })
    .unwrap();
    c.advance(60 * SECOND);
    let t = send(&mut c, "http://backend-service");
    let refused = t
        .hops
        .iter()
        .find(|h| h.verdict == HopVerdict::Refused)
        .unwrap_or_else(|| panic!("refused: {t:#?}"));
    let texts: Vec<String> = refused
        .rules
        .iter()
        .map(|r| format!("{} {}", r.chain, r.text))
        .collect();
    assert!(
        texts.iter().any(|t| t.starts_with("@no-endpoint-services ")
            && t.ends_with("comment \"default/backend-service\" : goto reject-chain")),
        "{texts:#?}"
    );
    assert!(
        texts.iter().any(|t| t == "reject-chain reject"),
        "{texts:#?}"
    );
}

struct Shell {
    cluster: Cluster,
    term: Terminal,
}

impl Shell {
    fn new(mode: ProxyMode) -> Shell {
        Shell {
            cluster: world(mode),
            term: Terminal::new(SEED_FILENAME, SEED_MANIFEST),
        }
    }

    /// stdout and stderr of one command, each as text.
    fn run(&mut self, line: &str) -> (String, String) {
        let out = self.term.run(&mut self.cluster, line);
        let of = |stream: Stream| -> String {
            out.lines
                .iter()
                .filter(|l| l.stream == stream)
                .map(|l| format!("{}\n", l.text))
                .collect()
        };
        (of(Stream::Stdout), of(Stream::Stderr))
    }
}

#[test]
fn nft_on_a_node_lists_kube_proxys_table() {
    let mut s = Shell::new(ProxyMode::Nftables);
    let ip = cluster_ip(&s.cluster, "backend-service");
    s.run("docker exec -it kind-worker bash");
    let (table, _) = s.run("nft list table ip kube-proxy");
    assert!(table.starts_with("table ip kube-proxy {\n\tcomment \"rules for kube-proxy\"\n"));
    assert!(table.contains(
        "\tmap service-ips {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n"
    ));
    assert!(
        table.contains(&format!("{ip} . tcp . 80 : goto service-")),
        "{table}"
    );
    assert!(table.contains(
        "\tchain nat-prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tjump services\n\t}\n"
    ));
    assert!(table.contains(
        "\tchain filter-prerouting-pre-dnat {\n\t\ttype filter hook prerouting priority dstnat - 10; policy accept;\n"
    ));
    assert!(table.contains("\t\tmeta mark & 0x00004000 != 0x00000000 meta mark set meta mark ^ 0x00004000 masquerade fully-random\n"));
    let (ruleset, _) = s.run("nft list ruleset");
    assert!(ruleset.starts_with(&table), "list ruleset holds the table");
    let (chain, _) = s.run("nft list chain ip kube-proxy services");
    assert_eq!(
        chain,
        "table ip kube-proxy {\n\tchain services {\n\t\tip daddr @cluster-ips ip saddr != 10.244.0.0/16 meta mark set meta mark | 0x00004000 comment \"masquerade clusterIP traffic from outside cluster\"\n\t\tip daddr . meta l4proto . th dport vmap @service-ips\n\t\tip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports\n\t}\n}\n"
    );
    let (nodeports, _) = s.run("nft list set ip kube-proxy nodeport-ips");
    let node_ip = s
        .cluster
        .nodes()
        .iter()
        .find(|n| n.meta.name == "kind-worker")
        .unwrap()
        .internal_ip;
    assert!(
        nodeports.contains(&format!("elements = {{ {node_ip} }}")),
        "{nodeports}"
    );
    let (_, err) = s.run("nft list chain ip kube-proxy nope");
    assert_eq!(
        err,
        "Error: No such file or directory\nlist chain ip kube-proxy nope\n                         ^^^^\n"
    );
    // kube-proxy writes no iptables rules in this mode: only the kubelet's remain.
    let (save, _) = s.run("iptables-save");
    assert!(!save.contains("KUBE-SERVICES"), "{save}");
    assert!(save.contains("-A KUBE-FIREWALL"), "{save}");
}

#[test]
fn in_iptables_mode_nft_has_no_kube_proxy_table() {
    let mut s = Shell::new(ProxyMode::Iptables);
    s.run("docker exec -it kind-worker bash");
    let (out, err) = s.run("nft list table ip kube-proxy");
    assert_eq!(out, "");
    assert_eq!(
        err,
        "Error: No such file or directory\nlist table ip kube-proxy\n              ^^^^^^^^^^\n"
    );
}

#[test]
fn the_api_server_warns_about_deprecated_endpoints_and_external_ips() {
    let mut s = Shell::new(ProxyMode::Iptables);
    let warning =
        "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n";
    for command in [
        "kubectl get endpoints",
        "kubectl get ep backend-service",
        "kubectl get svc,ep",
        "kubectl get endpoints/backend-service -o yaml",
        "kubectl describe ep backend-service",
    ] {
        let (out, err) = s.run(command);
        assert_eq!(err, warning, "{command}");
        assert!(!out.is_empty(), "{command}");
    }
    for command in [
        "kubectl get svc",
        "kubectl get endpointslices",
        "kubectl get all",
    ] {
        let (_, err) = s.run(command);
        assert_eq!(err, "", "{command}");
    }
    let (_, err) = s.run("kubectl delete endpoints nope");
    assert!(err.starts_with(warning), "{err}");

    let manifest = "apiVersion: v1\nkind: Service\nmetadata:\n  name: outside\nspec:\n  selector:\n    app: backend\n  externalIPs: [\"203.0.113.10\"]\n  ports:\n  - port: 80\n";
    let mut t = Terminal::new("outside.yaml", manifest);
    let out = t.run(&mut s.cluster, "kubectl apply -f outside.yaml");
    let lines: Vec<(Stream, &str)> = out
        .lines
        .iter()
        .map(|l| (l.stream, l.text.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (Stream::Stderr, "Warning: spec.externalIPs is deprecated"),
            (Stream::Stdout, "service/outside created"),
        ]
    );
    let out = t.run(&mut s.cluster, "kubectl apply -f outside.yaml");
    assert_eq!(
        out.text(),
        "service/outside unchanged\n",
        "nothing written, nothing to warn about"
    );
}

#[test]
fn kube_proxy_logs_its_mode_and_ipvs_deprecation() {
    let logs = |mode: ProxyMode| {
        let mut s = Shell::new(mode);
        let pod = s
            .cluster
            .pods()
            .keys()
            .find(|k| k.name.starts_with("kube-proxy-"))
            .unwrap()
            .name
            .clone();
        s.run(&format!("kubectl logs -n kube-system {pod}")).0
    };
    let ipvs = logs(ProxyMode::Ipvs);
    assert!(
        ipvs.contains("server_linux.go:194] \"Using ipvs Proxier\"\n"),
        "{ipvs}"
    );
    assert!(ipvs.contains("server_linux.go:196] \"The ipvs proxier is now deprecated and may be removed in a future release. Please use 'nftables' instead.\"\n"), "{ipvs}");
    let nft = logs(ProxyMode::Nftables);
    assert!(nft.contains("\"Using nftables Proxier\""), "{nft}");
    assert!(
        !nft.contains("nodePortAddresses is unset"),
        "nftables defaults it to primary"
    );
    assert!(
        nft.contains("server.go:539] \"Version info\" version=\"v1.36.1\""),
        "{nft}"
    );
}

#[test]
fn in_nftables_mode_a_wrong_port_is_rejected_and_an_unallocated_cluster_ip_dropped() {
    let mut c = world(ProxyMode::Nftables);
    let ip = cluster_ip(&c, "backend-service");
    let t = send(&mut c, &format!("http://{ip}:81"));
    let refused = t
        .hops
        .iter()
        .find(|h| h.verdict == HopVerdict::Refused)
        .unwrap_or_else(|| panic!("refused: {t:#?}"));
    assert!(
        refused.explanation.contains("no port 81 of that Service"),
        "{}",
        refused.explanation
    );
    assert!(refused
        .rules
        .iter()
        .any(|r| r.chain == "cluster-ips-check"
            && r.text.starts_with("ip daddr @cluster-ips reject")));

    let t = send(&mut c, "http://10.96.200.200");
    let dropped = t
        .hops
        .iter()
        .find(|h| h.verdict == HopVerdict::Dropped)
        .unwrap_or_else(|| panic!("dropped: {t:#?}"));
    assert!(
        dropped
            .explanation
            .contains("drops traffic to unallocated ClusterIPs"),
        "{}",
        dropped.explanation
    );
}

#[test]
fn the_diagnosis_of_a_wrong_port_names_the_services_ports() {
    let mut c = world(ProxyMode::Nftables);
    let ip = cluster_ip(&c, "backend-service");
    let t = send(&mut c, &format!("http://{ip}:81"));
    let d = svclab_sim::diagnose::diagnose(&c, &t).expect("a diagnosis");
    assert_eq!(d.cause.as_str(), "no-such-port");
    assert_eq!(
        d.summary,
        "Service backend-service has no port 81: kube-proxy rejects connections to its cluster IP on any other port"
    );
    assert_eq!(
        d.fix,
        "Connect to one of its ports (80/TCP), or add port 81 to the Service's spec.ports."
    );
    let culprit = d.culprit.expect("the Service");
    assert_eq!(culprit.key, ObjectKey::new("default", "backend-service"));
    assert_eq!(culprit.field.as_deref(), Some("spec.ports"));
}

/// What `kubectl get deploy,svc -o yaml` prints on a real v1.36 cluster (a `List` with server
/// fields: status, managedFields, uid, resourceVersion, the defaults the API server filled in)
/// applies as the objects it describes; the server's fields are ignored, and the ClusterIP it
/// names is taken when it is free.
#[test]
fn what_kubectl_get_o_yaml_prints_on_a_real_cluster_applies() {
    let exported = include_str!("fixtures/kubectl-get-o-yaml.yaml");
    let mut c = Cluster::new(Config::default());
    let applied = c
        .apply(exported, "exported.yaml")
        .unwrap_or_else(|e| panic!("{e:#?}"));
    let lines: Vec<String> = applied.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        ["deployment.apps/web created", "service/web created"]
    );
    c.advance(30 * SECOND);
    let web = ObjectKey::new("default", "web");
    assert_eq!(
        c.services()[&web].spec.cluster_ip.ip(),
        Some("10.96.142.17".parse().unwrap())
    );
    let ready = c
        .pods()
        .values()
        .filter(|p| p.meta.name.starts_with("web-") && p.status.ready)
        .count();
    assert_eq!(ready, 2, "the Deployment's own controllers made its pods");
    let slices: usize = c
        .endpoint_slices()
        .values()
        .filter(|s| s.service == "web")
        .map(|s| s.endpoints.len())
        .sum();
    assert_eq!(slices, 2);
}

/// kube-proxy started in IPVS mode records a Warning event on its Node. Upstream:
/// kubernetes/kubernetes `cmd/kube-proxy/app/server_linux.go`, `createProxier` (v1.35 and
/// v1.36, added by pull request 134539 for KEP-5495):
/// `s.Recorder.Eventf(s.NodeRef, nil, v1.EventTypeWarning, "IPVSDeprecation", "StartKubeProxy", message)`,
/// through an events.k8s.io recorder whose reporting controller is `kube-proxy`; an event about
/// a Node is stored in namespace `default`.
#[test]
fn kube_proxy_in_ipvs_mode_warns_on_each_node() {
    const MESSAGE: &str = "The ipvs proxier is now deprecated and may be removed in a future release. Please use 'nftables' instead.";
    let mut s = Shell::new(ProxyMode::Ipvs);
    let (events, _) = s.run("kubectl get events -A");
    // Cells without the padding, which depends on the widest cell of each column.
    let warnings: Vec<String> = events
        .lines()
        .filter(|l| l.contains("IPVSDeprecation"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        warnings,
        [
            "kind-control-plane",
            "kind-worker",
            "kind-worker2",
            "kind-worker3"
        ]
        .map(|node| format!("default 10s Warning IPVSDeprecation node/{node} {MESSAGE}")),
        "{events}"
    );
    let (node, _) = s.run("kubectl describe node kind-worker");
    assert!(
        node.ends_with(&format!(
            "Events:\n  Type     Reason           Age   From        Message\n  ----     ------           ----  ----        -------\n  Warning  IPVSDeprecation  10s   kube-proxy  {MESSAGE}\n"
        )),
        "{node}"
    );
    for mode in [ProxyMode::Iptables, ProxyMode::Nftables] {
        let mut s = Shell::new(mode);
        let (events, _) = s.run("kubectl get events -A");
        assert!(!events.contains("IPVSDeprecation"), "{mode:?}: {events}");
    }
}

/// kube-proxy in nftables mode runs one proxier per IP family when the node supports IPv6
/// (kubernetes/kubernetes v1.36 `cmd/kube-proxy/app/server_linux.go`: `nftables.NewDualStackProxier`;
/// its log says "kube-proxy running in dual-stack mode"), so a real node also has
/// `table ip6 kube-proxy`. svclab does not build it and says so instead of claiming it is absent.
#[test]
fn nft_says_the_ipv6_table_is_not_simulated() {
    let note = "svclab: kube-proxy also keeps table ip6 kube-proxy (it runs dual-stack); svclab does not simulate IPv6, so it is not listed\n";
    let mut s = Shell::new(ProxyMode::Nftables);
    s.run("docker exec -it kind-worker bash");
    let note_lines = |s: &mut Shell, line: &str| {
        let out = s.term.run(&mut s.cluster, line);
        out.lines
            .iter()
            .map(|l| format!("{}\n", l.text))
            .collect::<String>()
    };
    let tables = note_lines(&mut s, "nft list tables");
    assert!(
        tables.starts_with(&format!("table ip kube-proxy\n{note}")),
        "{tables}"
    );
    let ruleset = note_lines(&mut s, "nft list ruleset");
    assert!(ruleset.contains(&format!("}}\n{note}")), "{ruleset}");
    for command in [
        "nft list table ip6 kube-proxy",
        "nft list chain ip6 kube-proxy services",
    ] {
        let (out, err) = s.run(command);
        assert_eq!((out.as_str(), err.as_str()), ("", ""), "{command}");
        assert_eq!(note_lines(&mut s, command), note, "{command}");
    }

    let mut s = Shell::new(ProxyMode::Iptables);
    s.run("docker exec -it kind-worker bash");
    let tables = note_lines(&mut s, "nft list tables");
    assert!(!tables.contains("ip6"), "{tables}");
}
