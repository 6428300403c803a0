//! One hop of a request taken apart for the Inspector, as plain data: the packet's source and
//! destination before and after the hop's rewrite (DNAT, the reply's un-DNAT, SNAT), the DNS
//! question and answer, the rules that decided it, how kube-proxy chose the endpoint, and the
//! node's `iptables-save` (or `nft list table ip kube-proxy`, or `ipvsadm -Ln`) output with those
//! rules marked. Rewrites read as the picture's labels do
//! ([`crate::path::changes`]), places as the request list's ([`crate::flow::place_label`]).
//! Everything comes from the sim's [`Trace`]; the dumps are the text the node's shell prints.
//! Tested natively.

use svclab_sim::trace::{Balance, Hop, HopVerdict, MatchedRule, PacketKind, Trace};

use crate::flow::{kind_label, place_label};
use crate::path::changes;

/// The packet's source or destination across the hop's rewrite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressRow {
    /// `Source` or `Destination`.
    pub what: &'static str,
    /// `10.96.23.157:80`.
    pub before: String,
    pub after: String,
    pub changed: bool,
}

/// A DNS question and what CoreDNS answered, for the hops of a lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsExchange {
    /// `backend-service.default.svc.cluster.local (A)`.
    pub question: String,
    /// `NOERROR`, `NXDOMAIN`; `None` when no CoreDNS answered (yet, or at all).
    pub rcode: Option<String>,
    /// The records (or CoreDNS's reason for NXDOMAIN), one a line.
    pub records: Vec<String>,
}

/// A rule the hop matched: `nat`, `KUBE-SVC-…`, the rule as the tool prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRow {
    pub table: String,
    pub chain: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// `Hop 6 of 12 · request`.
    pub heading: String,
    /// `test → kube-proxy on kind-worker`.
    pub route: String,
    /// Since the request was sent: `+1500 ms`.
    pub time: String,
    pub verdict: &'static str,
    /// `TCP`, `UDP`.
    pub protocol: &'static str,
    /// The translation's kind (`DNAT`, `DNAT+SNAT`, `un-DNAT`), if the hop rewrote the packet.
    pub translation: Option<String>,
    pub addresses: Vec<AddressRow>,
    /// The picture's labels for this hop: `DNAT 10.107.199.115:80 → 10.244.1.2:80`,
    /// `DNS backend-service.default.svc.cluster.local → 10.107.199.115`.
    pub rewrites: Vec<String>,
    pub dns: Option<DnsExchange>,
    /// Rules from kube-proxy's tables (iptables `nat`/`filter`, IPVS), in the order matched.
    pub rules: Vec<RuleRow>,
    /// `conntrack -L` lines of the connection.
    pub conntrack: Vec<String>,
    /// NetworkPolicy verdicts.
    pub policy: Vec<String>,
    /// The node whose tables the rules are in.
    pub node: Option<String>,
    /// The rules came from `iptables-save` (nat, filter), `nft list table ip kube-proxy` or
    /// `ipvsadm -Ln`.
    pub iptables: bool,
    pub nftables: bool,
    pub ipvs: bool,
    /// How kube-proxy chose the endpoint: the random draw, the affinity entry or the scheduler.
    pub choice: Option<String>,
    pub explanation: String,
}

/// Hop `index` of `trace`, or `None` if it has no such hop.
pub fn inspect(trace: &Trace, index: usize) -> Option<Inspection> {
    let hop = trace.hops.get(index)?;
    let (before, after) = match &hop.translation {
        Some(t) => (t.before, t.after),
        None => (hop.packet, hop.packet),
    };
    let row = |what, b: std::net::SocketAddrV4, a: std::net::SocketAddrV4| AddressRow {
        what,
        before: b.to_string(),
        after: a.to_string(),
        changed: b != a,
    };
    let of = |tables: &[&str]| -> Vec<&MatchedRule> {
        hop.rules
            .iter()
            .filter(|r| tables.contains(&r.table.as_str()))
            .collect()
    };
    let kube_proxy = of(&["nat", "filter", "ipvs", NFT_TABLE]);
    Some(Inspection {
        heading: format!(
            "Hop {} of {} · {}",
            index + 1,
            trace.hops.len(),
            kind_label(hop.kind)
        ),
        route: format!(
            "{} → {}",
            place_label(&hop.from, &trace.request.client),
            place_label(&hop.to, &trace.request.client)
        ),
        time: format!("+{} ms", hop.start.saturating_sub(trace.start)),
        verdict: verdict_word(hop.verdict),
        protocol: hop.packet.protocol.as_str(),
        translation: hop.translation.as_ref().map(|t| t.kind.to_string()),
        addresses: vec![
            row("Source", before.src, after.src),
            row("Destination", before.dst, after.dst),
        ],
        // The picture's rule label is the Inspector's "Endpoint choice" and matched rules.
        rewrites: changes(hop)
            .into_iter()
            .filter(|(change, _)| *change != crate::path::Change::Rule)
            .map(|(_, text)| text)
            .collect(),
        dns: dns_exchange(trace, index),
        node: kube_proxy
            .first()
            .map(|r| r.node.to_string())
            .or_else(|| hop.node.as_ref().map(|n| n.to_string())),
        iptables: kube_proxy
            .iter()
            .any(|r| r.table == "nat" || r.table == "filter"),
        nftables: kube_proxy.iter().any(|r| r.table == NFT_TABLE),
        ipvs: kube_proxy.iter().any(|r| r.table == "ipvs"),
        choice: hop.detail.balance.as_ref().map(choice),
        rules: kube_proxy
            .iter()
            .map(|r| RuleRow {
                table: r.table.to_string(),
                chain: r.chain.to_string(),
                text: r.text.clone(),
            })
            .collect(),
        conntrack: of(&["conntrack"]).iter().map(|r| r.text.clone()).collect(),
        policy: of(&["netpol"]).iter().map(|r| r.text.clone()).collect(),
        explanation: hop.explanation.clone(),
    })
}

/// The nftables table kube-proxy's rules are in, as traces name it.
pub const NFT_TABLE: &str = "kube-proxy";

/// How kube-proxy chose the endpoint, in a sentence.
fn choice(balance: &Balance) -> String {
    match balance {
        Balance::Numgen { draw: Some(d) } => format!(
            "numgen random mod {} drew {}: element {} : {} of the map in {} (the kernel's random number {} scaled to 0–{})",
            d.modulus,
            d.value,
            d.value,
            d.chosen,
            d.chain,
            d.random,
            d.modulus.saturating_sub(1)
        ),
        Balance::Numgen { draw: None } | Balance::Random { .. } if is_affinity(balance) => {
            "session affinity: this client's address is in the endpoint's affinity entry, so no draw was made".to_string()
        }
        Balance::Random { draws } => draws
            .iter()
            .map(|d| {
                format!(
                    "{}: probability {:.5}, drew {:.5}: {}",
                    d.chain,
                    d.probability(),
                    f64::from(d.random) / 2_147_483_648.0,
                    if d.taken {
                        format!("taken, to {}", d.target)
                    } else {
                        "not taken".to_string()
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Balance::Numgen { draw: None } => String::new(),
        Balance::Ipvs {
            virtual_server,
            scheduler,
            real_server,
        } => match real_server {
            Some(r) => format!("IPVS virtual server {virtual_server}, scheduler {scheduler}: real server {r}"),
            None => format!("IPVS virtual server {virtual_server} has no real server"),
        },
    }
}

/// No draw was made: affinity chose the endpoint.
fn is_affinity(balance: &Balance) -> bool {
    match balance {
        Balance::Numgen { draw } => draw.is_none(),
        Balance::Random { draws } => draws.is_empty(),
        Balance::Ipvs { .. } => false,
    }
}

fn verdict_word(verdict: HopVerdict) -> &'static str {
    match verdict {
        HopVerdict::Forwarded => "forwarded",
        HopVerdict::Delivered => "delivered",
        HopVerdict::Dropped => "dropped",
        HopVerdict::Refused => "refused",
    }
}

/// The question the client asked and CoreDNS's answer, for a hop of a lookup: the question
/// from the lookup's first hop (`pod test asks 10.96.0.10 for NAME (A); …`), the answer from the
/// hop that reached CoreDNS (`CoreDNS pod … answers RCODE: …` and its records).
fn dns_exchange(trace: &Trace, index: usize) -> Option<DnsExchange> {
    let is_dns = |h: &Hop| matches!(h.kind, PacketKind::DnsQuery | PacketKind::DnsAnswer);
    if !is_dns(trace.hops.get(index)?) {
        return None;
    }
    let asked = (0..=index)
        .rev()
        .take_while(|&i| is_dns(&trace.hops[i]))
        .find_map(|i| question(&trace.hops[i].explanation).map(|q| (i, q)));
    let (start, question) = asked?;
    let answered = trace.hops[start..]
        .iter()
        .take_while(|h| is_dns(h))
        .enumerate()
        .take_while(|(n, h)| *n == 0 || question_of(h).is_none())
        .map(|(_, h)| h)
        .find(|h| h.kind == PacketKind::DnsQuery && h.verdict == HopVerdict::Delivered);
    let (rcode, records) = match answered {
        Some(h) => (
            rcode(&h.explanation),
            h.rules
                .iter()
                .filter(|r| r.table == "dns")
                .flat_map(|r| r.text.lines().map(str::to_string))
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    Some(DnsExchange {
        question,
        rcode,
        records,
    })
}

fn question_of(hop: &Hop) -> Option<String> {
    question(&hop.explanation)
}

/// `NAME (A)` from `… asks 10.96.0.10 for NAME (A); …`.
fn question(sentence: &str) -> Option<String> {
    let rest = &sentence[sentence.find(" asks ")?..];
    let rest = &rest[rest.find(" for ")? + 5..];
    let end = rest.find(')')?;
    Some(rest[..=end].to_string())
}

/// `NXDOMAIN` from `CoreDNS pod … answers NXDOMAIN: …`.
fn rcode(sentence: &str) -> Option<String> {
    let rest = &sentence[sentence.find(" answers ")? + 9..];
    let code = rest.split([':', ' ']).next()?;
    (!code.is_empty()).then(|| code.to_string())
}

/// A run of a dump's lines, marked when it holds rules the hop matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub text: String,
    pub matched: bool,
}

/// Consecutive lines with the same mark joined into one chunk (few DOM nodes for a long dump).
fn chunks<'a>(lines: impl Iterator<Item = (&'a str, bool)>) -> Vec<Chunk> {
    let mut out: Vec<Chunk> = Vec::new();
    for (line, matched) in lines {
        match out.last_mut() {
            Some(c) if c.matched == matched => {
                c.text.push_str(line);
                c.text.push('\n');
            }
            _ => out.push(Chunk {
                text: format!("{line}\n"),
                matched,
            }),
        }
    }
    out
}

/// `iptables-save` output with the rules of `rules` marked: a line is marked when it is the
/// text of a matched rule of the table it is in (`*nat`, `*filter`).
pub fn mark_iptables(save: &str, rules: &[RuleRow]) -> Vec<Chunk> {
    let mut table = "";
    chunks(save.lines().map(|line| {
        if let Some(t) = line.strip_prefix('*') {
            table = t;
        }
        let matched =
            line.starts_with("-A ") && rules.iter().any(|r| r.table == table && r.text == line);
        (line, matched)
    }))
}

/// `nft list table ip kube-proxy` output with the rules and map elements of `rules` marked: a
/// rule line when it is the text of a matched rule of the chain it is in, an element line when
/// it holds a matched element of the set or map it is in (`chain` `@service-ips`).
pub fn mark_nft(list: &str, rules: &[RuleRow]) -> Vec<Chunk> {
    let mut block = String::new();
    chunks(list.lines().map(|line| {
        let trimmed = line.trim();
        for kind in ["chain ", "map ", "set "] {
            if let Some(name) = trimmed
                .strip_prefix(kind)
                .and_then(|n| n.strip_suffix(" {"))
            {
                block = if kind == "chain " {
                    name.to_string()
                } else {
                    format!("@{name}")
                };
            }
        }
        let element = trimmed
            .strip_prefix("elements = { ")
            .unwrap_or(trimmed)
            .trim_end_matches(',')
            .trim_end_matches(" }");
        let matched = rules.iter().any(|r| {
            r.table == NFT_TABLE
                && r.chain == block
                && (r.text == trimmed || (block.starts_with('@') && r.text == element))
        });
        (line, matched)
    }))
}

/// `ipvsadm -Ln` output with the virtual server the packet hit and the real server chosen
/// marked (the connection counts on a real server's line change, so it is matched by address).
pub fn mark_ipvs(list: &str, rules: &[RuleRow]) -> Vec<Chunk> {
    let ipvs: Vec<&RuleRow> = rules.iter().filter(|r| r.table == "ipvs").collect();
    let mut service: Option<&RuleRow> = None;
    chunks(list.lines().map(|line| {
        let real_server = line.trim_start().starts_with("->");
        if !real_server && !line.starts_with(' ') {
            service = ipvs.iter().copied().find(|r| r.chain.trim() == line.trim());
        }
        let matched = match service {
            None => false,
            Some(_) if !real_server => true,
            Some(r) => {
                let address = |s: &str| s.split_whitespace().nth(1).map(str::to_string);
                r.text.trim_start().starts_with("->") && address(&r.text) == address(line)
            }
        };
        (line, matched)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use svclab_sim::action::Action;
    use svclab_sim::cluster::{Cluster, Config};
    use svclab_sim::kube_proxy::ProxyMode;
    use svclab_sim::model::ObjectKey;
    use svclab_sim::time::SECOND;

    use crate::seed;

    fn seeded(mode: ProxyMode) -> Cluster {
        let mut c = Cluster::new(Config::default());
        let _ = c.act(seed::run_client());
        c.apply(seed::SEED_MANIFEST, seed::SEED_FILENAME).unwrap();
        let _ = c.act(Action::SetProxyMode { mode });
        c.advance(10 * SECOND);
        c
    }

    fn sent(c: &mut Cluster) -> Trace {
        let id = c.send(seed::request());
        c.advance(10 * SECOND);
        c.trace(id).unwrap().clone()
    }

    fn cluster_ip(c: &Cluster) -> Ipv4Addr {
        c.services()[&ObjectKey::new("default", "backend-service")]
            .spec
            .cluster_ip
            .ip()
            .unwrap()
    }

    #[test]
    fn the_kube_proxy_hop_shows_the_destination_before_and_after_dnat_and_its_rules_marked() {
        let mut c = seeded(ProxyMode::Iptables);
        let trace = sent(&mut c);
        let ip = cluster_ip(&c);
        let i = trace
            .hops
            .iter()
            .position(|h| h.kind == PacketKind::Request && h.translation.is_some())
            .unwrap();
        let view = inspect(&trace, i).unwrap();
        let dst = &view.addresses[1];
        assert_eq!(dst.what, "Destination");
        assert_eq!(dst.before, format!("{ip}:80"));
        assert!(dst.after.starts_with("10.244.") && dst.after.ends_with(":80"));
        assert!(dst.changed && !view.addresses[0].changed);
        assert_eq!(view.translation.as_deref(), Some("DNAT"));
        assert_eq!(view.rewrites, [format!("DNAT {ip}:80 → {}", dst.after)]);
        let node = view.node.clone().unwrap();
        assert_eq!(view.route, format!("test → kube-proxy on {node}"));
        assert!(view.iptables && !view.ipvs);
        // Every rule the walk matched is marked in the node's iptables-save, and nothing else.
        let save = c.iptables(&node).unwrap().save_all();
        let marked: Vec<String> = mark_iptables(&save, &view.rules)
            .into_iter()
            .filter(|ch| ch.matched)
            .flat_map(|ch| ch.text.lines().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let wanted: Vec<String> = view.rules.iter().map(|r| r.text.clone()).collect();
        for rule in &wanted {
            assert!(marked.contains(rule), "{rule} not marked");
        }
        assert!(marked.iter().all(|m| wanted.contains(m)));
        assert!(marked
            .iter()
            .any(|m| m.contains("-j DNAT --to-destination") && m.ends_with(&dst.after)));
        // Unmarked and marked chunks put back together are the dump.
        let whole: String = mark_iptables(&save, &view.rules)
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(whole.trim_end(), save.trim_end());
    }

    #[test]
    fn in_nftables_mode_the_hop_marks_the_chain_the_map_element_and_the_draw() {
        let mut c = seeded(ProxyMode::Nftables);
        let trace = sent(&mut c);
        let ip = cluster_ip(&c);
        let i = trace
            .hops
            .iter()
            .position(|h| h.kind == PacketKind::Request && h.translation.is_some())
            .unwrap();
        let view = inspect(&trace, i).unwrap();
        assert!(view.nftables && !view.iptables && !view.ipvs);
        let after = view.addresses[1].after.clone();
        let (to_ip, to_port) = after.split_once(':').unwrap();
        let choice = view.choice.clone().unwrap();
        assert!(
            choice.starts_with("numgen random mod 3 drew ")
                && choice.contains(&format!(": {to_ip} . {to_port} of the map in service-")),
            "{choice}"
        );
        // The listing marks exactly the matched rules and map elements, the element with the
        // Service's cluster IP among them.
        let node = view.node.clone().unwrap();
        let list = c.nftables(&node).unwrap().list();
        let chunks = mark_nft(&list, &view.rules);
        let marked: Vec<String> = chunks
            .iter()
            .filter(|ch| ch.matched)
            .flat_map(|ch| {
                ch.text
                    .lines()
                    .map(|l| l.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(
            marked.len(),
            view.rules.len(),
            "{marked:#?}\n{:#?}",
            view.rules
        );
        assert!(
            marked
                .iter()
                .any(|m| m.contains(&format!("{ip} . tcp . 80 : goto service-"))),
            "{marked:#?}"
        );
        assert!(marked
            .iter()
            .any(|m| m.starts_with("meta l4proto tcp dnat ip to numgen random mod 3 map")));
        let whole: String = chunks.into_iter().map(|c| c.text).collect();
        assert_eq!(whole.trim_end(), list.trim_end());
    }

    #[test]
    fn dns_hops_show_the_question_and_the_answer() {
        let mut c = seeded(ProxyMode::Iptables);
        let trace = sent(&mut c);
        let ip = cluster_ip(&c);
        let view = inspect(&trace, 0).unwrap();
        let dns = view.dns.unwrap();
        assert_eq!(
            dns.question,
            "backend-service.default.svc.cluster.local (A)"
        );
        assert_eq!(dns.rcode.as_deref(), Some("NOERROR"));
        assert_eq!(
            dns.records,
            [format!(
                "backend-service.default.svc.cluster.local. 30 IN A {ip}"
            )]
        );
        // The query's DNAT to a CoreDNS pod, and its answer's un-DNAT.
        assert_eq!(view.addresses[1].before, "10.96.0.10:53");
        let back = trace
            .hops
            .iter()
            .position(|h| h.translation.as_ref().is_some_and(|t| t.kind == "un-DNAT"))
            .unwrap();
        let view = inspect(&trace, back).unwrap();
        assert_eq!(view.addresses[0].after, "10.96.0.10:53");
        assert!(view.rewrites[0].starts_with("un-DNAT "));
        assert_eq!(view.conntrack.len(), 1);
        assert!(view.dns.is_some());
        // The request's hops are no DNS hops.
        let last = trace.hops.len() - 1;
        assert!(inspect(&trace, last).unwrap().dns.is_none());
        assert!(inspect(&trace, trace.hops.len()).is_none());
    }

    #[test]
    fn in_ipvs_mode_the_virtual_and_real_server_are_marked() {
        let mut c = seeded(ProxyMode::Ipvs);
        let trace = sent(&mut c);
        let i = trace
            .hops
            .iter()
            .position(|h| h.kind == PacketKind::Request && h.translation.is_some())
            .unwrap();
        let view = inspect(&trace, i).unwrap();
        assert!(view.ipvs);
        let node = view.node.clone().unwrap();
        let list = c.ipvs(&node).unwrap().list();
        let marked: Vec<String> = mark_ipvs(&list, &view.rules)
            .into_iter()
            .filter(|ch| ch.matched)
            .flat_map(|ch| ch.text.lines().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let ip = cluster_ip(&c);
        assert_eq!(marked.len(), 2, "{marked:?}\n{list}");
        assert!(marked[0].starts_with(&format!("TCP  {ip}:80 ")));
        assert!(marked[1].contains(&format!("-> {}", view.addresses[1].after)));
    }
}
