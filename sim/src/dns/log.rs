//! What a CoreDNS pod logs: its startup lines, and the `log` plugin's line per question.

use std::net::SocketAddrV4;
use std::time::Duration;

use super::{Answer, COREDNS_VERSION};

/// The reload plugin's hash of kubeadm's default Corefile, as every kubeadm cluster logs it.
pub const KUBEADM_COREFILE_SHA512: &str = "591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908";

/// What `kubectl logs` of a CoreDNS pod shows on a kubeadm cluster: the startup lines only, since
/// kubeadm's Corefile does not enable the `log` plugin.
pub fn coredns_startup_log() -> String {
    format!(
        ".:53\n[INFO] plugin/reload: Running configuration SHA512 = {KUBEADM_COREFILE_SHA512}\n\
         CoreDNS-{COREDNS_VERSION}\nlinux/amd64, {}, {}\n",
        crate::version::COREDNS_GO,
        crate::version::COREDNS_COMMIT
    )
}

/// The `log` plugin's line (its default "common" format) for one UDP question, when the Corefile
/// enables `log`: `[INFO] 10.244.1.5:41234 - 12345 "A IN backend-service.default.svc.cluster.local.
/// udp 59 false 512" NOERROR qr,aa,rd 116 0.000123s`. Clients send no EDNS, hence `false 512`.
pub fn coredns_query_log(client: SocketAddrV4, id: u16, answer: &Answer, took: Duration) -> String {
    format!(
        "[INFO] {}:{} - {id} \"{} IN {}. udp {} false 512\" {} {} {} {}s",
        client.ip(),
        client.port(),
        answer.qtype,
        answer.qname,
        answer.request_size(),
        answer.rcode,
        answer.flags(),
        answer.response_size(),
        took.as_secs_f64()
    )
}
