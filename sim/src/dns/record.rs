//! DNS records and CoreDNS's answers: question types, response codes, resource records.

use std::fmt::{self, Write as _};
use std::net::Ipv4Addr;

use super::TTL;
use crate::text::{self, Ip};

/// A question type svclab answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QType {
    A,
    Aaaa,
    Cname,
    Ptr,
    Srv,
}

impl QType {
    pub fn as_str(self) -> &'static str {
        match self {
            QType::A => "A",
            QType::Aaaa => "AAAA",
            QType::Cname => "CNAME",
            QType::Ptr => "PTR",
            QType::Srv => "SRV",
        }
    }
}

impl fmt::Display for QType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A response code, as `dig` and CoreDNS's log print it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rcode {
    NoError,
    ServFail,
    NxDomain,
}

impl Rcode {
    pub fn as_str(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::ServFail => "SERVFAIL",
            Rcode::NxDomain => "NXDOMAIN",
        }
    }
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data of one resource record. Names are written without the trailing dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RData {
    A(Ipv4Addr),
    Cname(String),
    Ptr(String),
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: String,
    },
}

/// One resource record of an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub ttl: u32,
    pub data: RData,
}

impl Record {
    pub fn rtype(&self) -> QType {
        match self.data {
            RData::A(_) => QType::A,
            RData::Cname(_) => QType::Cname,
            RData::Ptr(_) => QType::Ptr,
            RData::Srv { .. } => QType::Srv,
        }
    }

    /// Append what `Display` writes, without the formatter for the common `A` record.
    pub(super) fn push_text(&self, out: &mut String) {
        match self.data {
            RData::A(ip) => {
                let (ttl, ip) = (text::num(self.ttl), text::ip(ip));
                for piece in [
                    self.name.as_str(),
                    ". ",
                    ttl.as_str(),
                    " IN A ",
                    ip.as_str(),
                ] {
                    out.push_str(piece);
                }
            }
            _ => {
                let _ = write!(out, "{self}");
            }
        }
    }
}

/// `backend-service.default.svc.cluster.local. 30 IN A 10.96.23.157`.
impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}. {} IN {} ", self.name, self.ttl, self.rtype())?;
        match &self.data {
            RData::A(ip) => write!(f, "{}", Ip(*ip)),
            RData::Cname(target) | RData::Ptr(target) => write!(f, "{target}."),
            RData::Srv {
                priority,
                weight,
                port,
                target,
            } => write!(f, "{priority} {weight} {port} {target}."),
        }
    }
}

/// Which part of CoreDNS produced an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnsweredBy {
    /// The `kubernetes` plugin, authoritative for `cluster.local` (and the reverse zones).
    Kubernetes,
    /// The `forward` plugin, passing on the upstream resolver's answer.
    Upstream,
}

/// What svclab's upstream resolver answers for every name outside the cluster's zones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Upstream {
    /// The upstream is reachable but knows no names (svclab's default; see the module docs).
    #[default]
    NxDomain,
    /// No working upstream: CoreDNS's `forward` fails and CoreDNS answers SERVFAIL.
    ServFail,
}

/// CoreDNS's reply to one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The question's name as sent, without the trailing dot.
    pub qname: String,
    pub qtype: QType,
    pub rcode: Rcode,
    pub answered_by: AnsweredBy,
    pub answers: Vec<Record>,
    /// Additional section (the addresses of SRV targets).
    pub additional: Vec<Record>,
    /// For the trace inspector: the records that answered, one per line, or why there are none.
    pub matched: String,
}

impl Answer {
    /// The `aa` flag: set on everything the `kubernetes` plugin answers.
    pub fn authoritative(&self) -> bool {
        self.answered_by == AnsweredBy::Kubernetes
    }

    /// NOERROR with no answer records.
    pub fn is_nodata(&self) -> bool {
        self.rcode == Rcode::NoError && self.answers.is_empty()
    }

    pub fn is_nxdomain(&self) -> bool {
        self.rcode == Rcode::NxDomain
    }

    /// The first IPv4 address in the answer section.
    pub fn first_address(&self) -> Option<Ipv4Addr> {
        self.addresses().first().copied()
    }

    /// The IPv4 addresses in the answer section, in order.
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        self.answers
            .iter()
            .filter_map(|r| match r.data {
                RData::A(ip) => Some(ip),
                _ => None,
            })
            .collect()
    }

    /// Does the answer section hold a record of the question's type?
    pub fn has_data(&self) -> bool {
        self.rcode == Rcode::NoError && self.answers.iter().any(|r| r.rtype() == self.qtype)
    }

    /// The header flags as CoreDNS's log prints them.
    pub fn flags(&self) -> &'static str {
        match (self.answered_by, self.rcode) {
            (AnsweredBy::Kubernetes, _) => "qr,aa,rd",
            (AnsweredBy::Upstream, Rcode::ServFail) => "qr,rd",
            (AnsweredBy::Upstream, _) => "qr,rd,ra",
        }
    }
}

/// A record of `name` with the zone's TTL.
pub(super) fn record(name: &str, data: RData) -> Record {
    Record {
        name: name.to_string(),
        ttl: TTL,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_text_is_what_display_writes() {
        let records = [
            record(
                "web.default.svc.cluster.local",
                RData::A(Ipv4Addr::new(10, 96, 23, 157)),
            ),
            record(
                "x.default.svc.cluster.local",
                RData::Cname("example.com".into()),
            ),
            record(
                "157.23.96.10.in-addr.arpa",
                RData::Ptr("web.default.svc.cluster.local".into()),
            ),
            record(
                "_http._tcp.web.default.svc.cluster.local",
                RData::Srv {
                    priority: 0,
                    weight: 100,
                    port: 80,
                    target: "web.default.svc.cluster.local".into(),
                },
            ),
        ];
        for r in records {
            let mut text = String::new();
            r.push_text(&mut text);
            assert_eq!(text, r.to_string());
        }
    }
}
