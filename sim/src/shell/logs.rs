//! `kubectl logs`: what each simulated container writes to stdout, with times from svclab's clock.
//!
//! - CoreDNS: its startup lines ([`crate::dns::coredns_startup_log`]); kubeadm's Corefile has no
//!   `log` plugin, so queries are not logged.
//! - kube-proxy: v1.31.0's startup lines in klog format, for the mode it runs in.
//! - nginx: the image's entrypoint lines, then one access-log line per request it answered.
//! - shells (busybox ...): nothing.

use std::net::Ipv4Addr;

use crate::cluster::Cluster;
use crate::kube_proxy::ProxyMode;
use crate::model::Pod;
use crate::registry::{ImageProfile, Log};
use crate::time::Time;
use crate::trace::{Outcome, PacketKind, Place, Tool};

use super::clock::klog;

/// The lines `kubectl logs` prints for `pod`'s container.
pub(crate) fn pod_logs(cluster: &Cluster, pod: &Pod) -> Vec<String> {
    let Some(c) = pod.spec.containers.first() else {
        return Vec::new();
    };
    let start = pod.status.start_time.unwrap_or(pod.meta.creation);
    match ImageProfile::of(&c.image).log {
        Log::CoreDns => crate::dns::coredns_startup_log()
            .lines()
            .map(str::to_string)
            .collect(),
        Log::KubeProxy => kube_proxy(cluster, pod, start),
        Log::Nginx => nginx(cluster, pod, start),
        Log::Kindnetd => vec![
            format!(
                "I{}       1 main.go:148] setting mtu 1500 for CNI ",
                klog(start + 12)
            ),
            format!(
                "I{}       1 main.go:178] kindnetd IP family: \"ipv4\"",
                klog(start + 13)
            ),
            format!(
                "I{}       1 main.go:182] noMask IPv4 subnets: [10.244.0.0/16]",
                klog(start + 13)
            ),
        ],
        Log::Nothing => Vec::new(),
    }
}

fn kube_proxy(cluster: &Cluster, pod: &Pod, start: Time) -> Vec<String> {
    let node_ip = pod
        .status
        .host_ip
        .map_or(String::new(), |ip| ip.to_string());
    let t = |ms: Time| klog(start + ms);
    let mut lines = vec![
        format!("I{}       1 server_linux.go:66] \"Using iptables proxy\"", t(257)),
        format!("I{}       1 server.go:677] \"Successfully retrieved node IP(s)\" IPs=[\"{node_ip}\"]", t(697)),
        format!(
            "I{}       1 conntrack.go:121] \"Set sysctl\" entry=\"net/netfilter/nf_conntrack_tcp_timeout_established\" value=86400",
            t(700)
        ),
        format!(
            "I{}       1 conntrack.go:121] \"Set sysctl\" entry=\"net/netfilter/nf_conntrack_tcp_timeout_close_wait\" value=3600",
            t(700)
        ),
        format!(
            "E{}       1 server.go:234] \"Kube-proxy configuration may be incomplete or incorrect\" err=\"nodePortAddresses is unset; NodePort connections will be accepted on all local IPs. Consider using `--nodeport-addresses primary`\"",
            t(700)
        ),
        format!("I{}       1 server.go:243] \"kube-proxy running in dual-stack mode\" primary ipFamily=\"IPv4\"", t(787)),
    ];
    match cluster.proxy_mode() {
        ProxyMode::Iptables => {
            lines.push(format!(
                "I{}       1 server_linux.go:169] \"Using iptables Proxier\"",
                t(787)
            ));
            lines.push(format!(
                "I{}       1 proxier.go:255] \"Setting route_localnet=1 to allow node-ports on localhost; to change this either disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set nodePortAddresses (--nodeport-addresses) to filter loopback addresses\" ipFamily=\"IPv4\"",
                t(790)
            ));
        }
        ProxyMode::Ipvs => {
            lines[0] = format!(
                "I{}       1 server_linux.go:66] \"Using ipvs proxy\"",
                t(257)
            );
            lines.push(format!(
                "I{}       1 server_linux.go:202] \"Using ipvs Proxier\"",
                t(787)
            ));
            lines.push(format!(
                "I{}       1 proxier.go:353] \"IPVS scheduler not specified, use rr by default\"",
                t(790)
            ));
        }
    }
    lines.extend([
        format!("I{}       1 server.go:483] \"Version info\" version=\"v1.31.0\"", t(790)),
        format!("I{}       1 server.go:485] \"Golang settings\" GOGC=\"\" GOMAXPROCS=\"\" GOTRACEBACK=\"\"", t(791)),
        format!("I{}       1 config.go:197] \"Starting service config controller\"", t(794)),
        format!("I{}       1 shared_informer.go:313] Waiting for caches to sync for service config", t(796)),
        format!("I{}       1 config.go:104] \"Starting endpoint slice config controller\"", t(794)),
        format!("I{}       1 shared_informer.go:313] Waiting for caches to sync for endpoint slice config", t(796)),
        format!("I{}       1 config.go:326] \"Starting node config controller\"", t(795)),
        format!("I{}       1 shared_informer.go:313] Waiting for caches to sync for node config", t(796)),
        format!("I{}       1 shared_informer.go:320] Caches are synced for node config", t(897)),
        format!("I{}       1 shared_informer.go:320] Caches are synced for service config", t(897)),
        format!("I{}       1 shared_informer.go:320] Caches are synced for endpoint slice config", t(898)),
    ]);
    lines
}

/// nginx's `2026/11/28 01:00:03` error-log stamp.
fn nginx_time(t: Time) -> String {
    let iso = super::clock::rfc3339(t);
    format!("{} {}", iso[..10].replace('-', "/"), &iso[11..19])
}

/// The access log's `28/Nov/2026:01:02:03 +0000`.
fn access_time(t: Time) -> String {
    let rfc = super::clock::rfc1123z(t);
    // "Sat, 28 Nov 2026 01:02:03 +0000"
    let parts: Vec<&str> = rfc.split(' ').collect();
    if parts.len() < 6 {
        return rfc;
    }
    format!(
        "{}/{}/{}:{} {}",
        parts[1], parts[2], parts[3], parts[4], parts[5]
    )
}

fn nginx(cluster: &Cluster, pod: &Pod, start: Time) -> Vec<String> {
    let mut lines: Vec<String> = [
        "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
        "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
        "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
        "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
        "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
        "/docker-entrypoint.sh: Configuration complete; ready for start up",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let at = nginx_time(start);
    for l in [
        "using the \"epoll\" event method",
        "nginx/1.27.3",
        "built by gcc 12.2.0 (Debian 12.2.0-14) ",
        &format!("OS: Linux {}", super::get::KERNEL),
        "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
        "start worker processes",
    ] {
        lines.push(format!("{at} [notice] 1#1: {l}"));
    }
    for pid in 29..37 {
        lines.push(format!("{at} [notice] 1#1: start worker process {pid}"));
    }
    let key = pod.key();
    for trace in cluster.traces() {
        if cluster.now() < trace.finish {
            continue;
        }
        let Outcome::Http {
            pod: backend,
            status,
        } = &trace.outcome
        else {
            continue;
        };
        if *backend != key {
            continue;
        }
        // The request as it arrived at the pod: its source after any SNAT.
        let Some(hop) = trace
            .hops
            .iter()
            .rev()
            .find(|h| h.kind == PacketKind::Request && h.to == Place::Pod(key.clone()))
        else {
            continue;
        };
        let src: Ipv4Addr = *hop.packet.src.ip();
        let agent = match trace.request.tool {
            Tool::Curl => "curl/8.11.1",
            _ => "Wget",
        };
        lines.push(format!(
            "{src} - - [{}] \"GET / HTTP/1.1\" {status} {} \"-\" \"{agent}\" \"-\"",
            access_time(hop.end),
            trace.output.len()
        ));
    }
    lines
}
