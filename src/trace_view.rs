//! Traces as rows of text for the request list and the hop inspector: what each hop carried, what
//! rewrote it, which rules matched, and why. Plain data, tested natively.

use svclab_sim::cluster::BOOT_AGE;
use svclab_sim::time::Time;
use svclab_sim::trace::{Client, HopVerdict, Outcome, Tool, Trace};

use crate::flow::{kind_label, place_label};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceSummary {
    pub id: u64,
    /// `test$ wget -qO- http://backend-service`.
    pub command: String,
    /// What the learner types in the terminal to send it:
    /// `kubectl exec test -- wget -qO- http://backend-service`.
    pub line: String,
    /// Virtual time the request was sent, counted from when the learner arrived (the cluster
    /// itself booted [`BOOT_AGE`] earlier): `t=3.2s`.
    pub sent: String,
    /// `in flight`, or the outcome: `HTTP 200 from backend-…`, `connection refused`.
    pub outcome: String,
    pub done: bool,
    pub ok: bool,
    /// What the client printed, once done.
    pub output: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HopRow {
    pub number: usize,
    /// Since the request was sent: `+300 ms`.
    pub time: String,
    pub kind: &'static str,
    pub kind_class: &'static str,
    pub from: String,
    pub to: String,
    /// `10.244.1.2:41000 → 10.96.23.157:80 TCP`.
    pub packet: String,
    /// `DNAT: 10.244.1.2:41000 → 10.96.23.157:80 becomes 10.244.1.2:41000 → 10.244.2.3:80`.
    pub translation: Option<String>,
    /// `nat KUBE-SVC-… (kind-worker): -A KUBE-SVC-… -j KUBE-SEP-…`.
    pub rules: Vec<String>,
    pub verdict: &'static str,
    pub explanation: String,
}

/// The command line a request stands for.
pub fn command_line(trace: &Trace) -> String {
    let who = match &trace.request.client {
        Client::Pod(key) => key.name.clone(),
        Client::External => "laptop".into(),
        Client::Node(node) => node.clone(),
    };
    if trace.request.tool == Tool::NcUdp {
        let text = trace.request.payload.trim_end_matches('\n');
        return format!("{who}$ echo {text} | nc -u -w1 {}", trace.request.target);
    }
    format!(
        "{who}$ {} {}",
        trace.request.tool.program(),
        trace.request.target
    )
}

/// How a request ended, in a few words.
pub fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Http { pod, status } => format!("HTTP {status} from {}", pod.name),
        Outcome::Datagram {
            pod,
            answered: true,
        } => format!("UDP answer from {}", pod.name),
        Outcome::Datagram { pod, .. } => format!("no UDP answer from {}", pod.name),
        Outcome::Resolved { name, addresses } => {
            let ips: Vec<String> = addresses.iter().map(|a| a.to_string()).collect();
            format!("{name} → {}", ips.join(", "))
        }
        Outcome::Nxdomain { name } => format!("NXDOMAIN for {name}"),
        Outcome::DnsTimeout => "DNS timed out: no servers could be reached".into(),
        Outcome::ConnectionRefused => "connection refused".into(),
        Outcome::Timeout => "timed out".into(),
        Outcome::HostUnreachable => "host unreachable".into(),
        Outcome::Invalid { message } => message.clone(),
    }
}

/// Seconds with one decimal: `3.2s`.
pub fn seconds(ms: Time) -> String {
    format!("{}.{}s", ms / 1000, (ms % 1000) / 100)
}

pub fn summarize(trace: &Trace, now: Time) -> TraceSummary {
    let done = now >= trace.finish;
    TraceSummary {
        id: trace.id,
        command: command_line(trace),
        line: trace.request.command_line(),
        sent: format!("t={}", seconds(trace.start.saturating_sub(BOOT_AGE))),
        outcome: if done {
            outcome_text(&trace.outcome)
        } else {
            "in flight".into()
        },
        done,
        ok: done && trace.outcome.is_success(),
        output: if done {
            trace.output.clone()
        } else {
            String::new()
        },
    }
}

pub fn hop_rows(trace: &Trace) -> Vec<HopRow> {
    trace
        .hops
        .iter()
        .enumerate()
        .map(|(i, h)| HopRow {
            number: i + 1,
            time: format!("+{} ms", h.start.saturating_sub(trace.start)),
            kind: kind_label(h.kind),
            kind_class: h.kind.as_str(),
            from: place_label(&h.from, &trace.request.client),
            to: place_label(&h.to, &trace.request.client),
            packet: format!(
                "{} → {} {}",
                h.packet.src,
                h.packet.dst,
                h.packet.protocol.as_str()
            ),
            translation: h.translation.as_ref().map(|t| {
                format!(
                    "{}: {} → {} becomes {} → {}",
                    t.kind, t.before.src, t.before.dst, t.after.src, t.after.dst
                )
            }),
            rules: h
                .rules
                .iter()
                .map(|r| format!("{} {} ({}): {}", r.table, r.chain, r.node, r.text))
                .collect(),
            verdict: match h.verdict {
                HopVerdict::Forwarded => "forwarded",
                HopVerdict::Delivered => "delivered",
                HopVerdict::Dropped => "dropped",
                HopVerdict::Refused => "refused",
            },
            explanation: h.explanation.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use svclab_sim::model::{ObjectKey, Protocol};
    use svclab_sim::trace::{Hop, MatchedRule, Packet, PacketKind, Place, Request, Translation};

    #[test]
    fn a_trace_reads_as_rows() {
        let before = Packet::new(
            (Ipv4Addr::new(10, 244, 1, 2), 41000),
            (Ipv4Addr::new(10, 96, 23, 157), 80),
            Protocol::Tcp,
        );
        let after = Packet::new(
            (Ipv4Addr::new(10, 244, 1, 2), 41000),
            (Ipv4Addr::new(10, 244, 2, 3), 80),
            Protocol::Tcp,
        );
        let trace = Trace {
            id: 3,
            request: Request {
                payload: String::new(),
                client: Client::Pod(ObjectKey::new("default", "test")),
                tool: Tool::Wget,
                target: "http://backend-service".into(),
            },
            start: BOOT_AGE + 3_250,
            hops: vec![Hop {
                start: BOOT_AGE + 3_550,
                end: BOOT_AGE + 3_850,
                from: Place::Pod(ObjectKey::new("default", "test")),
                to: Place::Node("kind-worker".into()),
                node: Some("kind-worker".into()),
                kind: PacketKind::Request,
                packet: before,
                translation: Some(Translation {
                    kind: "DNAT".into(),
                    before,
                    after,
                }),
                rules: vec![MatchedRule {
                    node: "kind-worker".into(),
                    table: "nat".into(),
                    chain: "KUBE-SERVICES".into(),
                    text: "-A KUBE-SERVICES -j X".into(),
                }],
                verdict: HopVerdict::Forwarded,
                explanation: "kube-proxy's rules pick a backend".into(),
                detail: Default::default(),
            }],
            outcome: Outcome::Http {
                pod: ObjectKey::new("default", "backend-abc"),
                status: 200,
            },
            output: "<!DOCTYPE html>".into(),
            finish: BOOT_AGE + 5_000,
        };
        let s = summarize(&trace, BOOT_AGE + 4_000);
        assert_eq!(s.command, "test$ wget -qO- http://backend-service");
        assert_eq!(
            s.line,
            "kubectl exec test -- wget -qO- http://backend-service"
        );
        assert_eq!(s.sent, "t=3.2s");
        assert_eq!(s.outcome, "in flight");
        assert!(!s.done && s.output.is_empty());
        let s = summarize(&trace, BOOT_AGE + 5_000);
        assert_eq!(s.outcome, "HTTP 200 from backend-abc");
        assert!(s.ok);
        let rows = hop_rows(&trace);
        assert_eq!(rows[0].time, "+300 ms");
        assert_eq!(rows[0].to, "kube-proxy on kind-worker");
        assert_eq!(rows[0].packet, "10.244.1.2:41000 → 10.96.23.157:80 TCP");
        assert_eq!(
            rows[0].translation.as_deref(),
            Some(
                "DNAT: 10.244.1.2:41000 → 10.96.23.157:80 becomes 10.244.1.2:41000 → 10.244.2.3:80"
            )
        );
        assert_eq!(
            rows[0].rules,
            ["nat KUBE-SERVICES (kind-worker): -A KUBE-SERVICES -j X"]
        );
    }
}
