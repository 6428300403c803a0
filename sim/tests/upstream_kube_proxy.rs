//! kube-proxy's iptables rules, nftables table and IPVS virtual servers as its own tests expect
//! them (`upstream/iptables.txt`, `upstream/iptables_flows.txt`, `upstream/nftables.txt`,
//! `upstream/nftables_flows.txt`, `upstream/ipvs.txt`): the scenario's Service ports and endpoints
//! are given to svclab's proxier as they are given to kube-proxy's. iptables dumps are compared
//! chain by chain (each chain is a case), nftables dumps object by object after upstream's own
//! sort, packets walked through the rules one by one, IPVS tables whole (each scenario a case).
//!
//! Upstream's expected text is what kube-proxy feeds to `iptables-restore`; svclab prints what
//! `iptables-save` reads back. The two spell the same rule differently, so both are brought to one
//! form before comparing: a rule is the set of its match and target clauses; `-d`/`-s` addresses
//! carry their `/32`; `--or-mark M` is `--set-xmark M/M` and `--xor-mark M` is `--set-xmark M/0x0`
//! (how iptables-save prints them); the defaults iptables-save spells out (`--reject-with
//! icmp-port-unreachable`, `recent`'s `--mask 255.255.255.255 --rsource`) are dropped; so are the
//! clauses kube-proxy adds only when the node's kernel and iptables support them, which upstream's
//! fake has and kind's nodes, as svclab models them, do not (`-m nfacct`, or the reverse:
//! `--random-fully`). Chains whose rule order comes from Go map iteration (`KUBE-SERVICES`,
//! `KUBE-NODEPORTS`, `KUBE-EXTERNAL-SERVICES`, `KUBE-PROXY-FIREWALL`) are compared as sets, the
//! nodeports jump kept last.

#[path = "upstream/suite.rs"]
mod suite;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use svclab_sim::kube_proxy::iptables::{RecentTable, Tables};
use svclab_sim::kube_proxy::ipvs::{Ipvs, Scheduler};
use svclab_sim::kube_proxy::nftables::Ruleset;
use svclab_sim::kube_proxy::{EndpointInfo, NodeInfo, Origin, ServicePortInfo, Verdict};
use svclab_sim::model::{ObjectKey, Protocol};
use svclab_sim::rng::Rng;
use svclab_sim::trace::Packet;

use suite::{data, Suite};

/// Chains whose rule order is not meaningful (kube-proxy writes them from a map).
const UNORDERED: &[&str] = &[
    "KUBE-SERVICES",
    "KUBE-NODEPORTS",
    "KUBE-EXTERNAL-SERVICES",
    "KUBE-PROXY-FIREWALL",
];

/// Chains kube-proxy makes per Service port or endpoint.
const PER_SERVICE: &[&str] = &[
    "KUBE-SVC-",
    "KUBE-SVL-",
    "KUBE-SEP-",
    "KUBE-EXT-",
    "KUBE-FW-",
];

/// Split a rule into words, as a shell would (double quotes group).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            _ => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// One rule in the comparable form described in the module's doc.
fn normal(words: &[String]) -> String {
    let mut clauses: Vec<Vec<String>> = Vec::new();
    let mut negate = false;
    for w in words {
        if w == "!" {
            negate = true;
        } else if w.starts_with('-') {
            let mut clause = Vec::new();
            if negate {
                clause.push("!".to_string());
                negate = false;
            }
            clause.push(w.clone());
            clauses.push(clause);
        } else if let Some(last) = clauses.last_mut() {
            last.push(w.clone());
        }
    }
    let mut out: Vec<String> = Vec::new();
    for mut c in clauses {
        let opt = c.iter().find(|w| *w != "!").cloned().unwrap_or_default();
        let arg = c.last().cloned().unwrap_or_default();
        match (opt.as_str(), arg.as_str()) {
            ("-d" | "-s", a) if !a.contains('/') => {
                if let Some(last) = c.last_mut() {
                    last.push_str("/32");
                }
            }
            ("--probability", p) => {
                let p: f64 = p.parse().unwrap_or(f64::NAN);
                c = vec![opt.clone(), format!("{p:.10}")];
            }
            ("--or-mark", m) => c = vec!["--set-xmark".into(), format!("{m}/{m}")],
            ("--xor-mark", m) => c = vec!["--set-xmark".into(), format!("{m}/0x0")],
            ("--reject-with", "icmp-port-unreachable")
            | ("--mask", "255.255.255.255")
            | ("--rsource", _)
            | ("--random-fully", _)
            | ("-m", "nfacct")
            | ("--nfacct-name", _) => continue,
            _ => {}
        }
        out.push(c.join(" "));
    }
    out.sort();
    out.join(" ")
}

/// A dump's chains per table: `(table, chain)` to its rules in the comparable form.
fn chains(dump: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut table = String::new();
    for line in dump.lines() {
        if let Some(t) = line.strip_prefix('*') {
            table = t.to_string();
        } else if let Some(decl) = line.strip_prefix(':') {
            let chain = decl.split(' ').next().unwrap_or_default().to_string();
            out.entry((table.clone(), chain)).or_default();
        } else if line.starts_with("-A ") {
            let w = words(line);
            let chain = w.get(1).cloned().unwrap_or_default();
            out.entry((table.clone(), chain))
                .or_default()
                .push(normal(&w[2..]));
        }
    }
    for ((_, chain), rules) in out.iter_mut() {
        if UNORDERED.contains(&chain.as_str()) {
            // Sorted, but a jump to KUBE-NODEPORTS stays last.
            rules.sort_by_key(|r| (r.contains("-j KUBE-NODEPORTS"), r.clone()));
        }
    }
    out
}

fn ip(s: &str) -> Ipv4Addr {
    s.parse()
        .unwrap_or_else(|_| panic!("iptables.txt: {s} is no IPv4 address"))
}

/// A scenario's node and Service ports, and the fields given that svclab does not model.
fn scenario(lines: &[&str]) -> (NodeInfo, Vec<ServicePortInfo>, Vec<String>) {
    let mut node = None;
    let mut services: Vec<ServicePortInfo> = Vec::new();
    let unmodelled: Vec<String> = Vec::new();
    for line in lines {
        let mut w = line.split_whitespace();
        match w.next() {
            Some("node") => {
                let (name, addr, cidr) = (w.next(), w.next(), w.next());
                node = Some(NodeInfo {
                    name: name.unwrap_or_default().into(),
                    ip: ip(addr.unwrap_or_default()),
                    cluster_cidr: cidr.unwrap_or_default().into(),
                });
            }
            Some("svc") => {
                let kv: BTreeMap<&str, &str> =
                    w.map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
                let get = |k: &str| kv.get(k).copied();
                let key = ObjectKey::new(
                    get("ns").unwrap_or_default(),
                    get("name").unwrap_or_default(),
                );
                services.push(ServicePortInfo {
                    service: key,
                    port_name: get("port_name").map(String::from),
                    protocol: get("proto")
                        .and_then(Protocol::parse)
                        .unwrap_or(Protocol::Tcp),
                    cluster_ip: get("ip").map(ip),
                    port: get("port").and_then(|p| p.parse().ok()).unwrap_or(0),
                    node_port: get("node_port").and_then(|p| p.parse().ok()),
                    load_balancer_ip: get("lb_ip").map(ip),
                    external_ips: get("external_ips")
                        .map(|v| v.split(',').map(ip).collect())
                        .unwrap_or_default(),
                    health_check_node_port: get("health_check_node_port")
                        .and_then(|p| p.parse().ok()),
                    load_balancer_source_ranges: get("source_ranges")
                        .map(|r| r.split(',').map(String::from).collect())
                        .unwrap_or_default(),
                    external_local: get("external_local").is_some(),
                    internal_local: get("internal_local").is_some(),
                    affinity_timeout: get("affinity").and_then(|s| s.parse().ok()),
                    endpoints: Vec::new(),
                });
            }
            Some("ep") => {
                let (svc, addr) = (w.next().unwrap_or_default(), w.next().unwrap_or_default());
                let node = w
                    .next()
                    .and_then(|n| n.strip_prefix("node="))
                    .unwrap_or_default();
                let (svc, port_name) = match svc.split_once(':') {
                    Some((s, p)) => (s, Some(p)),
                    None => (svc, None),
                };
                let (ns, name) = svc.split_once('/').unwrap_or(("", svc));
                let (a, port) = addr.split_once(':').unwrap_or((addr, "0"));
                let target = services
                    .iter_mut()
                    .find(|s| {
                        s.service == ObjectKey::new(ns, name)
                            && port_name.is_none_or(|p| s.port_name.as_deref() == Some(p))
                    })
                    .unwrap_or_else(|| panic!("no svc line for {svc}"));
                target.endpoints.push(EndpointInfo {
                    ip: ip(a),
                    port: port.parse().unwrap_or(0),
                    node: node.into(),
                    ready: true,
                    serving: true,
                    terminating: false,
                });
            }
            _ => {}
        }
    }
    (
        node.expect("iptables.txt: a node line"),
        services,
        unmodelled,
    )
}

#[test]
fn iptables_dumps_match_kube_proxys_own_expectations() {
    let text = data("iptables.txt");
    let mut suite = Suite::new("kube-proxy iptables");
    for block in text.split("\n=== ").skip(1) {
        let (head, expected) = block
            .split_once("--- expected\n")
            .expect("an expected dump");
        let mut lines = head.lines();
        let name = lines.next().unwrap_or_default().trim().to_string();
        let (node, services, unmodelled) = scenario(&lines.collect::<Vec<_>>());
        for u in &unmodelled {
            println!("{name}: not modelled, left out: {u}");
        }
        let t = Tables::build(&node, &services);
        let got = chains(&format!(
            "{}{}",
            t.save("filter").unwrap_or_default(),
            t.save("nat").unwrap_or_default()
        ));
        let want = chains(expected);
        let mut keys: Vec<&(String, String)> = want.keys().collect();
        keys.extend(got.keys().filter(|(_, c)| {
            PER_SERVICE.iter().any(|p| c.starts_with(p))
                && !want.contains_key(&(String::new(), c.clone()))
        }));
        keys.sort();
        keys.dedup();
        for key in keys {
            let (table, chain) = key;
            let case = format!("{name} {table} {chain}");
            match (want.get(key), got.get(key)) {
                (Some(w), Some(g)) => suite.case(&case, w == g, || {
                    let missing: Vec<&String> = w.iter().filter(|r| !g.contains(r)).collect();
                    let extra: Vec<&String> = g.iter().filter(|r| !w.contains(r)).collect();
                    if missing.is_empty() && extra.is_empty() {
                        "same rules, another order".to_string()
                    } else {
                        format!("missing {missing:?}; extra {extra:?}")
                    }
                }),
                (Some(_), None) => suite.case(&case, false, || "chain missing".into()),
                (None, Some(g)) => suite.case(&case, false, || format!("extra chain {g:?}")),
                (None, None) => {}
            }
        }
    }
    suite.finish(25);
}

/// An `ipvsadm -Ln` listing as one line per virtual server:
/// `PROTO IP:PORT SCHEDULER -> REAL:PORT WEIGHT, ...`, sorted.
fn virtual_servers(listing: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in listing.lines().skip(3) {
        let w: Vec<&str> = line.split_whitespace().collect();
        if w.first() == Some(&"->") {
            if let Some(last) = out.last_mut() {
                if !last.ends_with("->") {
                    last.push(',');
                }
                last.push_str(&format!(
                    " {} {}",
                    w.get(1).unwrap_or(&""),
                    w.get(3).unwrap_or(&"")
                ));
            }
        } else if w.len() >= 3 {
            out.push(format!("{} {} {} ->", w[0], w[1], w[2]));
        }
    }
    out.sort();
    out
}

#[test]
fn ipvs_virtual_servers_match_kube_proxys_own_expectations() {
    let text = data("ipvs.txt");
    let mut suite = Suite::new("kube-proxy IPVS");
    for block in text.split("\n=== ").skip(1) {
        let name = block.lines().next().unwrap_or_default().trim().to_string();
        if let Some((_, reason)) = block.split_once("--- skip\n") {
            suite.skip(
                &name,
                &reason.split_whitespace().collect::<Vec<_>>().join(" "),
            );
            continue;
        }
        let (head, expected) = block
            .split_once("--- expected\n")
            .expect("an expected table");
        let (node, services, _) = scenario(&head.lines().skip(1).collect::<Vec<_>>());
        let got = virtual_servers(&Ipvs::build(&node, &services, Scheduler::Rr).list());
        let mut want: Vec<String> = expected
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .collect();
        want.sort();
        suite.case(&name, got == want, || format!("svclab lists {got:?}"));
    }
    suite.finish(4);
}

/// Where a packet from `src` to `dst` may go: every endpoint it reached over 64 walks (sorted,
/// comma-joined), or DROP, REJECT, or empty when no rule took it; and whether it was
/// masqueraded.
fn flow(t: &Tables, node: &NodeInfo, src: &str, proto: Protocol, dst: &str) -> (String, bool) {
    flow_with(node, src, proto, dst, |packet, origin, rng| {
        t.walk(packet, origin, rng, &mut RecentTable::new(), 0)
            .verdict
    })
}

/// [`flow`] through a node's nftables table.
fn nft_flow(t: &Ruleset, node: &NodeInfo, src: &str, proto: Protocol, dst: &str) -> (String, bool) {
    flow_with(node, src, proto, dst, |packet, origin, rng| {
        t.walk(packet, origin, rng, &mut RecentTable::new(), 0)
            .verdict
    })
}

fn flow_with(
    node: &NodeInfo,
    src: &str,
    proto: Protocol,
    dst: &str,
    walk: impl Fn(Packet, Origin, &mut Rng) -> Verdict,
) -> (String, bool) {
    let (dst_ip, dst_port) = dst.split_once(':').unwrap_or((dst, "0"));
    let src_ip = ip(src);
    let origin = if src_ip == node.ip || src_ip.is_loopback() {
        Origin::Node
    } else if src_ip.octets()[0] == 10 {
        Origin::Pod
    } else {
        Origin::External
    };
    let packet = Packet::new(
        (src_ip, 40000),
        (ip(dst_ip), dst_port.parse().unwrap_or(0)),
        proto,
    );
    let mut reached: Vec<String> = Vec::new();
    let mut masq = false;
    for seed in 0..64 {
        let out = match walk(packet, origin, &mut Rng::new(seed)) {
            Verdict::Dnat { to, masquerade } => {
                masq |= masquerade;
                to.to_string()
            }
            Verdict::Drop(_) => "DROP".into(),
            Verdict::Reject(_) => "REJECT".into(),
            Verdict::Accept => String::new(),
        };
        if !reached.contains(&out) {
            reached.push(out);
        }
    }
    reached.sort();
    (reached.join(", "), masq)
}

#[test]
fn iptables_packet_flows_match_kube_proxys_own_expectations() {
    let text = data("iptables_flows.txt");
    let mut suite = Suite::new("kube-proxy iptables packet flows");
    for block in text.split("\n=== ").skip(1) {
        let (head, flows) = block.split_once("--- flows\n").expect("a flows section");
        let mut lines = head.lines();
        let name = lines.next().unwrap_or_default().trim().to_string();
        let (node, services, _) = scenario(&lines.collect::<Vec<_>>());
        let t = Tables::build(&node, &services);
        for line in flows.lines().filter(|l| !l.trim().is_empty()) {
            if let Some(skipped) = line.strip_prefix("skip ") {
                let (case, reason) = skipped.split_once(": ").unwrap_or((skipped, ""));
                suite.skip(&format!("{name} {case}"), reason);
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let [case, src, proto, dst, output, masq] = f[..] else {
                panic!("iptables_flows.txt: bad flow line {line:?}");
            };
            let proto = Protocol::parse(proto).unwrap_or(Protocol::Tcp);
            let got = flow(&t, &node, src, proto, dst);
            let want = (output.to_string(), masq == "masq");
            suite.case(&format!("{name} {case}"), got == want, || {
                format!("reached {:?}, masquerade {}", got.0, got.1)
            });
        }
    }
    suite.finish(36);
}

/// kube-proxy's `sortNFTablesTransaction` (`pkg/proxy/nftables/helpers_test.go`): comments and
/// blank lines dropped, then lines ordered by object type (table, chain, rule, set, map,
/// element), then by object name; rules keep the order they were added in, other lines with the
/// same name are sorted whole.
fn sort_transaction(tx: &str) -> Vec<String> {
    let order = |kind: &str| match kind {
        "table" => 10,
        "chain" => 9,
        "rule" => 8,
        "set" => 7,
        "map" => 6,
        "element" => 5,
        _ => 0,
    };
    let mut lines: Vec<String> = tx
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    lines.sort_by(|a, b| {
        let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
        if wa.len() < 5 || wb.len() < 5 {
            return std::cmp::Ordering::Equal;
        }
        order(wb[1])
            .cmp(&order(wa[1]))
            .then_with(|| wa[4].cmp(wb[4]))
            .then_with(|| {
                if wa[1] == "rule" {
                    std::cmp::Ordering::Equal
                } else {
                    a.cmp(b)
                }
            })
    });
    lines
}

/// A sorted transaction grouped by object: a chain with its rules, a set or map with its
/// elements, keyed `chain NAME` / `set NAME`.
fn nft_objects(lines: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in lines {
        let w: Vec<&str> = l.split(' ').collect();
        let key = match (w.get(1).copied(), w.get(4).copied()) {
            (Some("table"), _) => "table".to_string(),
            (Some("chain" | "rule"), Some(name)) => format!("chain {name}"),
            (Some("set" | "map" | "element"), Some(name)) => format!("set {name}"),
            _ => format!("other {l}"),
        };
        out.entry(key).or_default().push(l.clone());
    }
    out
}

#[test]
fn nftables_tables_match_kube_proxys_own_expectations() {
    let text = data("nftables.txt");
    let mut suite = Suite::new("kube-proxy nftables");
    for block in text.split("\n=== ").skip(1) {
        let (head, expected) = block
            .split_once("--- expected\n")
            .expect("an expected dump");
        let mut lines = head.lines();
        let name = lines.next().unwrap_or_default().trim().to_string();
        let lines: Vec<&str> = lines.collect();
        let service_cidr = lines
            .iter()
            .find_map(|l| l.strip_prefix("service_cidr "))
            .unwrap_or_default();
        let (node, services, _) = scenario(&lines);
        let got = nft_objects(&sort_transaction(
            &Ruleset::build(&node, &services, service_cidr).dump(),
        ));
        let want = nft_objects(&sort_transaction(expected));
        let lines_of = |m: &BTreeMap<String, Vec<String>>| m.values().map(Vec::len).sum::<usize>();
        println!(
            "{name}: {} objects, {} lines expected; {} objects, {} lines written",
            want.len(),
            lines_of(&want),
            got.len(),
            lines_of(&got)
        );
        let keys: std::collections::BTreeSet<&String> = want.keys().chain(got.keys()).collect();
        for key in keys {
            let case = format!("{name} {key}");
            match (want.get(key), got.get(key)) {
                (Some(w), Some(g)) => suite.case(&case, w == g, || {
                    let missing: Vec<&String> = w.iter().filter(|r| !g.contains(r)).collect();
                    let extra: Vec<&String> = g.iter().filter(|r| !w.contains(r)).collect();
                    format!("missing {missing:?}; extra {extra:?}")
                }),
                (Some(_), None) => suite.case(&case, false, || "missing".into()),
                (None, Some(g)) => suite.case(&case, false, || format!("extra {g:?}")),
                (None, None) => {}
            }
        }
    }
    suite.finish(36);
}

#[test]
fn nftables_packet_flows_match_kube_proxys_own_expectations() {
    let text = data("nftables_flows.txt");
    let mut suite = Suite::new("kube-proxy nftables packet flows");
    for block in text.split("\n=== ").skip(1) {
        let (head, flows) = block.split_once("--- flows\n").expect("a flows section");
        let mut lines = head.lines();
        let name = lines.next().unwrap_or_default().trim().to_string();
        let lines: Vec<&str> = lines.collect();
        let service_cidr = lines
            .iter()
            .find_map(|l| l.strip_prefix("service_cidr "))
            .unwrap_or_default();
        let (node, services, _) = scenario(&lines);
        let t = Ruleset::build(&node, &services, service_cidr);
        for line in flows.lines().filter(|l| !l.trim().is_empty()) {
            if let Some(skipped) = line.strip_prefix("skip ") {
                let (case, reason) = skipped.split_once(": ").unwrap_or((skipped, ""));
                suite.skip(&format!("{name} {case}"), reason);
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let [case, src, proto, dst, output, masq] = f[..] else {
                panic!("nftables_flows.txt: bad flow line {line:?}");
            };
            let proto = Protocol::parse(proto).unwrap_or(Protocol::Tcp);
            let got = nft_flow(&t, &node, src, proto, dst);
            let want = (output.to_string(), masq == "masq");
            suite.case(&format!("{name} {case}"), got == want, || {
                format!("reached {:?}, masquerade {}", got.0, got.1)
            });
        }
    }
    suite.finish(93);
}
