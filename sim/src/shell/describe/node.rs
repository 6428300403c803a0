//! `kubectl describe node`: conditions, addresses, capacity, system info and the pods it runs.

use crate::clock::rfc1123z;
use crate::cluster::Cluster;
use crate::model::*;
use crate::shell::get;
use crate::shell::runtime::hex_digest;
use crate::time::human_duration;

use super::{events_for, W};

/// Requests and limits of the pods kind runs, as their manifests set them.
pub(super) fn pod_resources(p: &Pod) -> (&'static str, &'static str, &'static str, &'static str) {
    let name = p.meta.name.as_str();
    if name.starts_with("coredns") {
        ("100m (1%)", "0 (0%)", "70Mi (0%)", "170Mi (1%)")
    } else if name.starts_with("kindnet") {
        ("100m (1%)", "100m (1%)", "50Mi (0%)", "50Mi (0%)")
    } else if name.starts_with("etcd") {
        ("100m (1%)", "0 (0%)", "100Mi (0%)", "0 (0%)")
    } else if name.starts_with("kube-apiserver") {
        ("250m (3%)", "0 (0%)", "0 (0%)", "0 (0%)")
    } else if name.starts_with("kube-controller-manager") {
        ("200m (2%)", "0 (0%)", "0 (0%)", "0 (0%)")
    } else if name.starts_with("kube-scheduler") {
        ("100m (1%)", "0 (0%)", "0 (0%)", "0 (0%)")
    } else {
        ("0 (0%)", "0 (0%)", "0 (0%)", "0 (0%)")
    }
}

pub(super) fn node(cluster: &Cluster, n: &Node) -> Vec<String> {
    let name = &n.meta.name;
    let mut labels = n.meta.labels.clone();
    labels.insert("beta.kubernetes.io/arch".into(), "amd64".into());
    labels.insert("beta.kubernetes.io/os".into(), "linux".into());
    labels.insert("kubernetes.io/arch".into(), "amd64".into());
    let mut annotations = Labels::new();
    annotations.insert(
        "kubeadm.alpha.kubernetes.io/cri-socket".into(),
        "unix:///run/containerd/containerd.sock".into(),
    );
    annotations.insert("node.alpha.kubernetes.io/ttl".into(), "0".into());
    annotations.insert(
        "volumes.kubernetes.io/controller-managed-attach-detach".into(),
        "true".into(),
    );
    let born = n.meta.creation;
    let heartbeat = cluster
        .now()
        .saturating_sub(cluster.now() % 60_000)
        .max(born);
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{name}"));
    w.line(0, &format!("Roles:\t{}", get::node_roles(n)));
    w.labels("Labels", &labels);
    w.annotations("Annotations", &annotations);
    w.line(0, &format!("CreationTimestamp:\t{}", rfc1123z(born)));
    if n.control_plane {
        w.line(
            0,
            "Taints:\tnode-role.kubernetes.io/control-plane:NoSchedule",
        );
    } else {
        w.line(0, "Taints:\t<none>");
    }
    w.line(0, "Unschedulable:\tfalse");
    w.line(0, "Lease:");
    w.line(1, &format!("HolderIdentity:\t{name}"));
    w.line(1, "AcquireTime:\t<unset>");
    w.line(
        1,
        &format!(
            "RenewTime:\t{}",
            rfc1123z(
                cluster
                    .now()
                    .saturating_sub(cluster.now() % 10_000)
                    .max(born)
            )
        ),
    );
    w.line(
        0,
        "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage",
    );
    w.line(
        1,
        "----\t------\t-----------------\t------------------\t------\t-------",
    );
    let hb = rfc1123z(heartbeat);
    let tr = rfc1123z(born);
    for (kind, status, reason, message) in [
        (
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        (
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
        ),
        (
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
        ),
        (
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status",
        ),
    ] {
        w.line(
            1,
            &format!("{kind} \t{status} \t{hb} \t{tr} \t{reason} \t{message}"),
        );
    }
    w.line(0, "Addresses:");
    w.line(1, &format!("InternalIP:\t{}", n.internal_ip));
    w.line(1, &format!("Hostname:\t{name}"));
    for title in ["Capacity:", "Allocatable:"] {
        w.line(0, title);
        w.line(0, "  cpu:\t8");
        w.line(0, "  ephemeral-storage:\t102626232Ki");
        w.line(0, "  hugepages-1Gi:\t0");
        w.line(0, "  hugepages-2Mi:\t0");
        w.line(0, "  memory:\t16364412Ki");
        w.line(0, "  pods:\t110");
    }
    let id = hex_digest(name, 32);
    w.line(0, "System Info:");
    w.line(0, &format!("  Machine ID:\t{id}"));
    let uuid = hex_digest(&format!("{name}/uuid"), 32);
    w.line(
        0,
        &format!(
            "  System UUID:\t{}-{}-{}-{}-{}",
            &uuid[0..8],
            &uuid[8..12],
            &uuid[12..16],
            &uuid[16..20],
            &uuid[20..32]
        ),
    );
    let boot = hex_digest(&format!("{name}/boot"), 32);
    w.line(
        0,
        &format!(
            "  Boot ID:\t{}-{}-{}-{}-{}",
            &boot[0..8],
            &boot[8..12],
            &boot[12..16],
            &boot[16..20],
            &boot[20..32]
        ),
    );
    w.line(0, &format!("  Kernel Version:\t{}", get::KERNEL));
    w.line(0, &format!("  OS Image:\t{}", get::OS_IMAGE));
    w.line(0, "  Operating System:\tlinux");
    w.line(0, "  Architecture:\tamd64");
    w.line(
        0,
        &format!("  Container Runtime Version:\t{}", get::CONTAINER_RUNTIME),
    );
    w.line(0, &format!("  Kubelet Version:\t{}", get::KUBE_VERSION));
    w.line(0, &format!("PodCIDR:\t{}", n.pod_cidr()));
    w.line(0, &format!("PodCIDRs:\t{}", n.pod_cidr()));
    w.line(0, &format!("ProviderID:\tkind://docker/kind/{name}"));
    let pods = get::pods_on_node(cluster, name);
    w.line(
        0,
        &format!("Non-terminated Pods:\t({} in total)", pods.len()),
    );
    w.line(
        1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge",
    );
    w.line(
        1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---",
    );
    for p in &pods {
        let (cr, cl, mr, ml) = pod_resources(p);
        w.line(
            1,
            &format!(
                "{}\t{}\t\t{cr}\t{cl}\t{mr}\t{ml}\t{}",
                p.meta.namespace,
                p.meta.name,
                human_duration(cluster.now().saturating_sub(p.meta.creation))
            ),
        );
    }
    let cpu: u32 = pods
        .iter()
        .map(|p| {
            pod_resources(p)
                .0
                .split('m')
                .next()
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
        })
        .sum();
    let mem_req: u32 = pods
        .iter()
        .map(|p| {
            pod_resources(p)
                .2
                .split("Mi")
                .next()
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
        })
        .sum();
    let cpu_lim: u32 = pods
        .iter()
        .map(|p| {
            pod_resources(p)
                .1
                .split('m')
                .next()
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
        })
        .sum();
    let mem_lim: u32 = pods
        .iter()
        .map(|p| {
            pod_resources(p)
                .3
                .split("Mi")
                .next()
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
        })
        .sum();
    let q = |v: u32, unit: &str, pct: u32| {
        if v == 0 {
            "0 (0%)".to_string()
        } else {
            format!("{v}{unit} ({pct}%)")
        }
    };
    w.line(
        0,
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)",
    );
    w.line(1, "Resource\tRequests\tLimits");
    w.line(1, "--------\t--------\t------");
    w.line(
        1,
        &format!(
            "cpu\t{}\t{}",
            q(cpu, "m", cpu / 80),
            q(cpu_lim, "m", cpu_lim / 80)
        ),
    );
    w.line(
        1,
        &format!(
            "memory\t{}\t{}",
            q(mem_req, "Mi", mem_req * 100 / 15_980),
            q(mem_lim, "Mi", mem_lim * 100 / 15_980)
        ),
    );
    w.line(1, "ephemeral-storage\t0 (0%)\t0 (0%)");
    w.line(1, "hugepages-1Gi\t0 (0%)\t0 (0%)");
    w.line(1, "hugepages-2Mi\t0 (0%)\t0 (0%)");
    let events = events_for(
        cluster,
        crate::cluster::NODE_EVENTS_NAMESPACE,
        &format!("node/{name}"),
    );
    w.events(cluster.now(), &events);
    w.render()
}
