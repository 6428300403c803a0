//! The DNS step: a pod's resolver walking its search list, busybox `nslookup`, and each query's
//! trip through kube-proxy to a CoreDNS pod and back.

use std::net::Ipv4Addr;

use crate::dns;
use crate::model::Protocol;
use crate::text;
use crate::trace::{
    Conntrack, DnsAttempt, DnsLookup, DnsReply, HopVerdict, MatchedRule, Outcome, Packet,
    PacketKind, Place, SharedStr, Translation,
};

use super::connect::conntrack_rule;
use super::proxy::Decision;
use super::{Journey, Router, Sender, DNS_SERVICE_IP};

impl Router<'_> {
    /// CoreDNS's answer to one question, from the Services and EndpointSlices as they are now.
    fn zone_answer(&self, qname: &str, qtype: dns::QType) -> dns::Answer {
        dns::Zone::of_cluster(
            self.world.namespaces,
            self.world.services,
            self.world.endpoint_slices,
        )
        .query(qname, qtype)
    }

    /// Resolve a name from a pod as its C library does, walking the search list one query at a
    /// time; each query travels to CoreDNS through the kube-dns Service and back.
    pub(super) fn resolve(
        &mut self,
        sender: &Sender,
        name: &str,
        j: &mut Journey,
    ) -> Result<Ipv4Addr, Outcome> {
        j.lookup = Some(lookup_of(name, sender.namespace()));
        let resolution = dns::resolve_with(name, sender.namespace(), dns::QType::A, |q, t| {
            let answer = self.zone_answer(q, t);
            self.dns_round_trip(sender, answer, j)
        });
        j.lookup = None;
        match resolution.result {
            dns::LookupResult::Found { records, .. } => records
                .iter()
                .find_map(|r| match r.data {
                    dns::RData::A(ip) => Some(ip),
                    _ => None,
                })
                .ok_or(Outcome::Nxdomain {
                    name: name.to_string(),
                }),
            dns::LookupResult::TimedOut => Err(Outcome::DnsTimeout),
            _ => Err(Outcome::Nxdomain {
                name: name.to_string(),
            }),
        }
    }

    /// busybox `nslookup`: every query (each search domain, A and AAAA) is sent at once and the
    /// answers are printed as they come.
    pub(super) fn nslookup(
        &mut self,
        sender: &Sender,
        name: &str,
        j: &mut Journey,
    ) -> (Outcome, String) {
        if sender.pod().is_none() {
            return (
                Outcome::DnsTimeout,
                ";; connection timed out; no servers could be reached\n\n".into(),
            );
        }
        if name.is_empty() {
            let message = "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n".to_string();
            return (
                Outcome::Invalid {
                    message: message.clone(),
                },
                message,
            );
        }
        // `-type=SRV NAME`: the types the terminal passed on before the name.
        let (types, name) = dns::parse_nslookup_target(name);
        let t0 = j.t;
        let mut last = t0;
        j.lookup = Some(lookup_of(name, sender.namespace()));
        let run = dns::nslookup_types_with(name, sender.namespace(), &types, |q, t| {
            let answer = self.zone_answer(q, t);
            j.t = t0;
            let answer = self.dns_round_trip(sender, answer, j);
            last = last.max(j.t);
            answer
        });
        j.t = last;
        j.lookup = None;
        let output = dns::nslookup_output(&run);
        let outcome = if run.timed_out() {
            Outcome::DnsTimeout
        } else if !run
            .queries
            .iter()
            .any(|q| q.answer.as_ref().is_some_and(|a| a.has_data()))
        {
            Outcome::Nxdomain {
                name: name.to_string(),
            }
        } else {
            let found = run
                .queries
                .iter()
                .find(|q| {
                    q.answer
                        .as_ref()
                        .is_some_and(|a| a.first_address().is_some())
                })
                .map_or(name.to_string(), |q| q.name.clone());
            Outcome::Resolved {
                name: found,
                addresses: run.addresses(),
            }
        };
        (outcome, output)
    }

    /// One query and its answer; `None` when no CoreDNS answers (the client times out).
    fn dns_round_trip(
        &mut self,
        sender: &Sender,
        answer: dns::Answer,
        j: &mut Journey,
    ) -> Option<dns::Answer> {
        let qname = answer.qname.as_str();
        let qtype = answer.qtype;
        let sport = self.ephemeral_port();
        let query = Packet::new((sender.ip, sport), (DNS_SERVICE_IP, 53), Protocol::Udp);
        let node = sender.node.clone().unwrap_or_default();
        if let Some(lookup) = j.lookup.as_mut() {
            lookup.attempts.push(DnsAttempt {
                name: qname.to_string(),
                qtype,
                answer: DnsReply::Pending,
            });
        }
        let (decision, rules, balance) = self.proxy_decide(&node, query, false);
        let service = self.service_addressed(query);
        // `pod test asks 10.96.0.10 for NAME (A)`, then what became of the query.
        let dns_ip = text::ip(DNS_SERVICE_IP);
        let asks = [
            sender.name.as_str(),
            " asks ",
            dns_ip.as_str(),
            " for ",
            qname,
            " (",
            qtype.as_str(),
            "); ",
        ];
        let Decision::Dnat { to, .. } = decision else {
            let (verdict, why) = if matches!(decision, Decision::Reject(_)) {
                (HopVerdict::Refused, "kube-dns has no ready endpoints: kube-proxy rejects the query and the resolver waits in vain for an answer")
            } else {
                (
                    HopVerdict::Dropped,
                    "no CoreDNS pod can be reached: the query is lost",
                )
            };
            j.answered(DnsReply::NoReply);
            j.hop(
                sender.place.clone(),
                Place::Node(node.clone()),
                Some(&node),
                PacketKind::DnsQuery,
                query,
                None,
                rules,
                verdict,
                text::join(&[&asks, &[why]]),
            );
            if let Some(d) = j.detail() {
                d.service = service;
            }
            return None;
        };
        let after = Packet { dst: to, ..query };
        j.hop(
            sender.place.clone(),
            Place::Node(node.clone()),
            Some(&node),
            PacketKind::DnsQuery,
            query,
            Some(Translation {
                kind: SharedStr::from_static("DNAT"),
                before: query,
                after,
            }),
            rules,
            HopVerdict::Forwarded,
            text::join(&[
                &asks,
                &[
                    "kube-proxy on ",
                    &node,
                    " rewrites the kube-dns Service IP to CoreDNS pod ",
                    text::ip(*to.ip()).as_str(),
                ],
            ]),
        );
        if let Some(d) = j.detail() {
            d.balance = balance;
            d.conntrack = Some(Conntrack::new(query, after));
            d.service = service;
        }
        let Some(coredns) = self.pod_key_by_ip(*to.ip()) else {
            j.answered(DnsReply::NoReply);
            j.hop(
                Place::Node(node.clone()),
                Place::Node(node.clone()),
                Some(&node),
                PacketKind::DnsQuery,
                after,
                None,
                Vec::new(),
                HopVerdict::Dropped,
                format!("nothing answers at {}: the query is lost", to.ip()),
            );
            return None;
        };
        let coredns_node = self
            .world
            .pods
            .get(&coredns)
            .and_then(|p| p.spec.node_name.clone());
        let (policy, block) = self.policy_check(sender, &coredns, 53, Protocol::Udp);
        if let Some((rules, why)) = block {
            j.answered(DnsReply::NoReply);
            j.hop(
                Place::Node(node.clone()),
                Place::Pod(coredns.clone()),
                coredns_node.as_deref(),
                PacketKind::DnsQuery,
                after,
                None,
                rules,
                HopVerdict::Dropped,
                why,
            );
            if let Some(d) = j.detail() {
                d.policy = policy;
            }
            return None;
        }
        if self.world.coredns_broken {
            j.answered(DnsReply::NoReply);
            j.hop(
                Place::Node(node.clone()),
                Place::Pod(coredns.clone()),
                coredns_node.as_deref(),
                PacketKind::DnsQuery,
                after,
                None,
                Vec::new(),
                HopVerdict::Dropped,
                format!("CoreDNS pod {} is broken and never answers", coredns.name),
            );
            if let Some(d) = j.detail() {
                d.policy = policy;
            }
            return None;
        }
        j.answered(reply_of(&answer));
        j.hop(
            Place::Node(node.clone()),
            Place::Pod(coredns.clone()),
            coredns_node.as_deref(),
            PacketKind::DnsQuery,
            after,
            None,
            vec![MatchedRule {
                node: coredns_node.clone().unwrap_or_default().into(),
                table: SharedStr::from_static("dns"),
                chain: SharedStr::from_static("kubernetes cluster.local"),
                text: answer.matched.clone(),
            }],
            HopVerdict::Delivered,
            [
                "CoreDNS pod ",
                &coredns.name,
                " answers ",
                answer.rcode.as_str(),
                ": ",
                &answer.matched,
            ]
            .concat(),
        );
        if let Some(d) = j.detail() {
            d.policy = policy;
        }
        let reply = Packet {
            src: to,
            dst: query.src,
            protocol: Protocol::Udp,
        };
        let unnat = Packet {
            src: query.dst,
            ..reply
        };
        j.hop(
            Place::Pod(coredns.clone()),
            Place::Node(node.clone()),
            Some(&node),
            PacketKind::DnsAnswer,
            reply,
            Some(Translation {
                kind: SharedStr::from_static("un-DNAT"),
                before: reply,
                after: unnat,
            }),
            vec![conntrack_rule(&node, &query, &after)],
            HopVerdict::Forwarded,
            [
                "conntrack on ",
                &node,
                " restores the source to ",
                text::ip(DNS_SERVICE_IP).as_str(),
                ":53, so the answer seems to come from the address that was asked",
            ]
            .concat(),
        );
        if let Some(d) = j.detail() {
            d.conntrack = Some(Conntrack::new(query, after).used());
        }
        j.hop(
            Place::Node(node.clone()),
            sender.place.clone(),
            Some(&node),
            PacketKind::DnsAnswer,
            unnat,
            None,
            Vec::new(),
            HopVerdict::Delivered,
            ["the answer reaches ", &sender.name].concat(),
        );
        Some(answer)
    }
}

/// A lookup of `name` from a pod in `namespace`, before its first question.
fn lookup_of(name: &str, namespace: &str) -> DnsLookup {
    DnsLookup {
        question: name.to_string(),
        search: dns::search_list(namespace),
        attempts: Vec::new(),
    }
}

/// CoreDNS's answer as the resolver reads it.
fn reply_of(answer: &dns::Answer) -> DnsReply {
    match answer.rcode {
        dns::Rcode::NxDomain => DnsReply::Nxdomain,
        dns::Rcode::ServFail => DnsReply::ServFail,
        dns::Rcode::NoError if answer.answers.is_empty() => DnsReply::NoData,
        dns::Rcode::NoError => {
            let addresses = answer.addresses();
            if addresses.is_empty() {
                DnsReply::Records
            } else {
                DnsReply::Addresses(addresses)
            }
        }
    }
}
