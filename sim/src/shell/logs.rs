//! `kubectl logs`: what each simulated container writes to stdout, with times from svclab's clock.
//!
//! - CoreDNS: its startup lines ([`crate::dns::coredns_startup_log`]); kubeadm's Corefile has no
//!   `log` plugin, so queries are not logged.
//! - kube-proxy: its startup lines in klog format ([`crate::version`]'s release), for its mode.
//! - nginx: the image's entrypoint lines, then one access-log line per request it answered.
//! - shells (busybox ...): nothing.

use std::net::Ipv4Addr;

use crate::cluster::Cluster;
use crate::kube_proxy::ProxyMode;
use crate::model::Pod;
use crate::registry::{ImageProfile, Log};
use crate::time::Time;
use crate::trace::{Outcome, PacketKind, Place, Tool};

use crate::clock::klog;

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

/// kube-proxy v1.36.1's startup, as kind configures it (`mode` set explicitly, so no "Using
/// iptables proxy" defaulting line; `conntrack.maxPerCore: 0`, so no `nf_conntrack_max`;
/// `conntrack.tcpBeLiberal: true` in nftables mode). Lines and their `file:line` come from a
/// v1.36.1 kube-proxy's log in IPVS and nftables mode; the iptables lines' numbers are v1.35.0's,
/// and the `Set sysctl` lines' number is `Setting nf_conntrack_max`'s move from `conntrack.go:57`
/// to `sysctls.go:147` applied to `conntrack.go:121`.
fn kube_proxy(cluster: &Cluster, pod: &Pod, start: Time) -> Vec<String> {
    let node_ip = pod
        .status
        .host_ip
        .map_or(String::new(), |ip| ip.to_string());
    let t = |ms: Time| klog(start + ms);
    let mode = cluster.proxy_mode();
    let mut lines = vec![
        format!(
            "I{}       1 shared_informer.go:402] \"Waiting for caches to sync\"",
            t(257)
        ),
        format!(
            "I{}       1 shared_informer.go:409] \"Caches are synced\"",
            t(358)
        ),
        format!(
            "I{}       1 server.go:228] \"Successfully retrieved NodeIPs\" NodeIPs=[\"{node_ip}\"]",
            t(359)
        ),
    ];
    let mut sysctls = vec![
        ("nf_conntrack_tcp_timeout_established", 86400),
        ("nf_conntrack_tcp_timeout_close_wait", 3600),
    ];
    if mode == ProxyMode::Nftables {
        sysctls.insert(0, ("nf_conntrack_tcp_be_liberal", 1));
    }
    for (entry, value) in sysctls {
        lines.push(format!(
            "I{}       1 sysctls.go:211] \"Set sysctl\" entry=\"net/netfilter/{entry}\" value={value}",
            t(362)
        ));
    }
    if mode != ProxyMode::Nftables {
        // nftables mode defaults nodePortAddresses to `primary`, so it has nothing to warn about.
        lines.push(format!(
            "E{}       1 server.go:265] \"Kube-proxy configuration may be incomplete or incorrect\" err=\"nodePortAddresses is unset; NodePort connections will be accepted on all local IPs. Consider using `--nodeport-addresses primary`\"",
            t(362)
        ));
    }
    lines.push(format!(
        "I{}       1 server.go:274] \"kube-proxy running in dual-stack mode\" primary ipFamily=\"IPv4\"",
        t(430)
    ));
    match mode {
        ProxyMode::Iptables => {
            lines.push(format!(
                "I{}       1 server_linux.go:136] \"Using iptables Proxier\"",
                t(475)
            ));
            lines.push(format!(
                "I{}       1 proxier.go:242] \"Setting route_localnet=1 to allow node-ports on localhost; to change this either disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set nodePortAddresses (--nodeport-addresses) to filter loopback addresses\" ipFamily=\"IPv4\"",
                t(478)
            ));
        }
        ProxyMode::Nftables => {
            lines.push(format!(
                "I{}       1 server_linux.go:254] \"Using nftables Proxier\"",
                t(475)
            ));
        }
        ProxyMode::Ipvs => {
            lines.push(format!(
                "I{}       1 server_linux.go:194] \"Using ipvs Proxier\"",
                t(475)
            ));
            lines.push(format!(
                "E{}       1 server_linux.go:196] \"{}\"",
                t(475),
                crate::kube_proxy::IPVS_DEPRECATED
            ));
            for family in ["IPv4", "IPv6"] {
                lines.push(format!(
                    "I{}       1 proxier.go:351] \"IPVS scheduler not specified, use rr by default\" ipFamily=\"{family}\"",
                    t(476)
                ));
            }
        }
    }
    lines.extend([
        format!(
            "I{}       1 server.go:539] \"Version info\" version=\"{}\"",
            t(476),
            crate::version::KUBERNETES
        ),
        format!("I{}       1 server.go:541] \"Golang settings\" GOGC=\"\" GOMAXPROCS=\"\" GOTRACEBACK=\"\"", t(476)),
    ]);
    for (line, controller) in [
        (200, "service config"),
        (106, "endpoint slice config"),
        (403, "serviceCIDR config"),
        (309, "node config"),
    ] {
        lines.push(format!(
            "I{}       1 config.go:{line}] \"Starting {controller} controller\"",
            t(483)
        ));
        lines.push(format!(
            "I{}       1 shared_informer.go:381] \"Waiting for caches to sync\" controller=\"{controller}\"",
            t(483)
        ));
    }
    for controller in [
        "node config",
        "serviceCIDR config",
        "endpoint slice config",
        "service config",
    ] {
        lines.push(format!(
            "I{}       1 shared_informer.go:388] \"Caches are synced\" controller=\"{controller}\"",
            t(586)
        ));
    }
    lines
}

fn nginx_time(t: Time) -> String {
    let iso = crate::clock::rfc3339(t);
    format!("{} {}", iso[..10].replace('-', "/"), &iso[11..19])
}

/// The access log's `28/Nov/2026:01:02:03 +0000`.
fn access_time(t: Time) -> String {
    let rfc = crate::clock::rfc1123z(t);
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
