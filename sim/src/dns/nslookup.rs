//! busybox 1.36 `nslookup`: the questions it sends and what it prints.

use std::net::Ipv4Addr;

use super::{
    reverse_name, search_list, Answer, QType, Query, RData, Rcode, Record, Zone, NAMESERVER,
};

/// One run of busybox 1.36 `nslookup NAME` in a pod: every question, in the order sent (and, in
/// svclab, answered).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nslookup {
    /// The name as typed.
    pub name: String,
    pub server: Ipv4Addr,
    pub queries: Vec<Query>,
}

impl Nslookup {
    /// No reply at all: `;; connection timed out; no servers could be reached`.
    pub fn timed_out(&self) -> bool {
        !self.queries.is_empty() && self.queries.iter().all(|q| q.answer.is_none())
    }

    /// Every IPv4 address printed, in order.
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        self.queries
            .iter()
            .filter_map(|q| q.answer.as_ref())
            .flat_map(Answer::addresses)
            .collect()
    }

    /// busybox's exit status: 1 when it timed out or any reply was an error (so `nslookup NAME`
    /// of a short name exits 1 even when it found the name, because of the other search domains).
    pub fn exit_code(&self) -> i32 {
        let failed = self.timed_out()
            || self
                .queries
                .iter()
                .filter_map(|q| q.answer.as_ref())
                .any(|a| a.rcode != Rcode::NoError);
        i32::from(failed)
    }
}

/// The questions busybox 1.36 `nslookup` sends for `name` typed in a pod of `namespace`, in order.
/// `qtype` is `-type=...`; without it: `PTR` for an IPv4 address, else `A` then `AAAA`. A name
/// without any dot is sent once per search domain (never bare); any other name exactly as typed.
pub fn nslookup_queries(name: &str, namespace: &str, qtype: Option<QType>) -> Vec<(String, QType)> {
    if name.is_empty() {
        return Vec::new();
    }
    let with_search = |qtype: QType| -> Vec<(String, QType)> {
        if qtype == QType::Ptr || name.contains('.') {
            vec![(name.to_string(), qtype)]
        } else {
            search_list(namespace)
                .into_iter()
                .map(|domain| (format!("{name}.{domain}"), qtype))
                .collect()
        }
    };
    match qtype {
        Some(qtype) => with_search(qtype),
        None => match name.parse::<Ipv4Addr>() {
            Ok(ip) => vec![(reverse_name(ip), QType::Ptr)],
            Err(_) => {
                let mut queries = with_search(QType::A);
                queries.extend(with_search(QType::Aaaa));
                queries
            }
        },
    }
}

/// busybox's query types in the order of its `qtypes` table, which is the order it sends them in
/// when several `-type=` options are given (`SOA, NS, A, AAAA, CNAME, MX, TXT, PTR, SRV, ANY`;
/// svclab answers the five below).
const TYPE_ORDER: [QType; 5] = [QType::A, QType::Aaaa, QType::Cname, QType::Ptr, QType::Srv];

/// A busybox `-type=` value (matched without regard to case, as `strcasecmp` does) among the
/// types svclab answers.
pub fn parse_qtype(value: &str) -> Option<QType> {
    TYPE_ORDER
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(value))
}

/// The request target the terminal sends for `nslookup [-type=T]... NAME`: the types as
/// options, then the name.
pub fn nslookup_target(types: &[QType], name: &str) -> String {
    let mut out = String::new();
    for t in types {
        out.push_str("-type=");
        out.push_str(t.as_str());
        out.push(' ');
    }
    out.push_str(name);
    out
}

/// [`nslookup_target`] read back: the types asked for and the name.
pub fn parse_nslookup_target(target: &str) -> (Vec<QType>, &str) {
    let mut types = Vec::new();
    let mut rest = target.trim_start();
    while let Some(option) = rest.strip_prefix("-type=") {
        let (value, after) = option.split_once(' ').unwrap_or((option, ""));
        if let Some(t) = parse_qtype(value) {
            types.push(t);
        }
        rest = after.trim_start();
    }
    (types, rest)
}

/// The questions for several `-type=` options: each type in busybox's table order, each with
/// the search list as [`nslookup_queries`] applies it (busybox 1.36 `networking/nslookup.c`,
/// `nslookup_main`: `add_query_with_search(qtypes[c].type, argv[0])` for every bit set).
/// No type: the default questions.
pub fn nslookup_queries_for(name: &str, namespace: &str, types: &[QType]) -> Vec<(String, QType)> {
    if types.is_empty() {
        return nslookup_queries(name, namespace, None);
    }
    TYPE_ORDER
        .into_iter()
        .filter(|t| types.contains(t))
        .flat_map(|t| nslookup_queries(name, namespace, Some(t)))
        .collect()
}

/// busybox `nslookup name` from a pod in `namespace`, answered by `zone`.
pub fn nslookup(zone: &Zone<'_>, name: &str, namespace: &str, qtype: Option<QType>) -> Nslookup {
    nslookup_with(name, namespace, qtype, |qname, qtype| {
        Some(zone.query(qname, qtype))
    })
}

/// busybox `nslookup` with the delivery left to the caller (`None`: that question got no reply).
pub fn nslookup_with<F>(name: &str, namespace: &str, qtype: Option<QType>, send: F) -> Nslookup
where
    F: FnMut(&str, QType) -> Option<Answer>,
{
    let types: Vec<QType> = qtype.into_iter().collect();
    nslookup_types_with(name, namespace, &types, send)
}

/// [`nslookup_with`] for any number of `-type=` options.
pub fn nslookup_types_with<F>(name: &str, namespace: &str, types: &[QType], mut send: F) -> Nslookup
where
    F: FnMut(&str, QType) -> Option<Answer>,
{
    let queries = nslookup_queries_for(name, namespace, types)
        .into_iter()
        .map(|(qname, qtype)| {
            let answer = send(&qname, qtype);
            Query {
                name: qname,
                qtype,
                answer,
            }
        })
        .collect();
    Nslookup {
        name: name.to_string(),
        server: NAMESERVER,
        queries,
    }
}

/// What busybox 1.36 `nslookup` prints, byte for byte: the server block once the first reply is
/// in, then each reply followed by an empty line (so an empty NODATA reply, such as every `AAAA`
/// in svclab, shows as a bare empty line), then `*** Can't find NAME: No answer` for questions
/// that got none. Nothing answered: the timeout line.
pub fn nslookup_output(run: &Nslookup) -> String {
    if run.queries.is_empty() {
        return String::new();
    }
    if run.timed_out() {
        return ";; connection timed out; no servers could be reached\n\n".to_string();
    }
    let mut out = format!("Server:\t\t{}\nAddress:\t{}:53\n\n", run.server, run.server);
    for q in &run.queries {
        let Some(answer) = &q.answer else { continue };
        if answer.rcode != Rcode::NoError {
            out.push_str(&format!(
                "** server can't find {}: {}\n",
                q.name,
                answer.rcode.as_str()
            ));
        } else {
            if !answer.authoritative() {
                out.push_str("Non-authoritative answer:\n");
            }
            for r in &answer.answers {
                out.push_str(&busybox_record(r));
            }
        }
        out.push('\n');
    }
    let mut unanswered = false;
    for q in run.queries.iter().filter(|q| q.answer.is_none()) {
        out.push_str(&format!("*** Can't find {}: No answer\n", q.name));
        unanswered = true;
    }
    if unanswered {
        out.push('\n');
    }
    out
}

/// One answer record as busybox's `parse_reply` prints it.
fn busybox_record(r: &Record) -> String {
    match &r.data {
        RData::A(ip) => format!("Name:\t{}\nAddress: {ip}\n", r.name),
        RData::Cname(target) => format!("{}\tcanonical name = {target}\n", r.name),
        RData::Ptr(target) => format!("{}\tname = {target}\n", r.name),
        RData::Srv {
            priority,
            weight,
            port,
            target,
        } => format!(
            "{}\tservice = {priority} {weight} {port} {target}\n",
            r.name
        ),
    }
}
