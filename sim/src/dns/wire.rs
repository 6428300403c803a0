//! The sizes of DNS messages on the wire, as CoreDNS's `log` plugin prints them.

use super::{Answer, RData, Record, CLUSTER_DOMAIN};

impl Record {
    /// Bytes on the wire, names uncompressed (CoreDNS compresses only oversized answers).
    pub(super) fn wire_len(&self) -> usize {
        let rdata = match &self.data {
            RData::A(_) => 4,
            RData::Cname(target) | RData::Ptr(target) => name_wire_len(target),
            RData::Srv { target, .. } => 6 + name_wire_len(target),
        };
        name_wire_len(&self.name) + 10 + rdata
    }
}

impl Answer {
    /// Size of the question as busybox and libc send it (no EDNS).
    pub fn request_size(&self) -> usize {
        12 + name_wire_len(&self.qname) + 4
    }

    /// Size of the reply: the question, the records, and for a negative answer from the zone the
    /// SOA of `cluster.local` in the authority section. svclab's upstream sends no authority.
    pub fn response_size(&self) -> usize {
        let records: usize = self
            .answers
            .iter()
            .chain(&self.additional)
            .map(Record::wire_len)
            .sum();
        let soa = if self.authoritative() && self.answers.is_empty() {
            // cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ...
            name_wire_len(CLUSTER_DOMAIN)
                + 10
                + name_wire_len(&format!("ns.dns.{CLUSTER_DOMAIN}"))
                + name_wire_len(&format!("hostmaster.{CLUSTER_DOMAIN}"))
                + 20
        } else {
            0
        };
        self.request_size() + records + soa
    }
}

/// Bytes of a name on the wire: its labels with their length bytes, and the root's empty label.
fn name_wire_len(name: &str) -> usize {
    let name = name.trim_end_matches('.');
    if name.is_empty() {
        1
    } else {
        name.len() + 2
    }
}
