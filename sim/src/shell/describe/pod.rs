//! `kubectl describe pod`: the pod, its containers (also a pod template's) and volumes.

use crate::clock::rfc1123z;
use crate::cluster::Cluster;
use crate::model::*;
use crate::registry::ImageProfile;
use crate::shell::runtime::{container_id, image_id};
use crate::time::human_duration;

use super::{events_for, W};

pub(super) fn probe_text(c: &Container, probe: &Probe) -> String {
    let port = match ImageProfile::of(&c.image).ready {
        Some((port, path)) => format!("{port}{path}"),
        None => format!("{}/", c.ports.first().map_or(80, |p| p.container_port)),
    };
    format!(
        "http-get http://:{port} delay={}s timeout=1s period={}s #success=1 #failure=3",
        probe.initial_delay_seconds,
        probe.period_seconds.max(1)
    )
}

pub(super) fn ports_text(c: &Container) -> (String, String) {
    // A named port is followed by its name, `8080/TCP (web)` (kubectl 1.34 and later,
    // describeContainerPorts and describeContainerHostPorts).
    let named = |number: i64, p: &ContainerPort| match p.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => format!("{number}/{} ({name})", p.protocol.as_str()),
        None => format!("{number}/{}", p.protocol.as_str()),
    };
    let ports: Vec<String> = c.ports.iter().map(|p| named(p.container_port, p)).collect();
    let host: Vec<String> = c.ports.iter().map(|p| named(0, p)).collect();
    (ports.join(", "), host.join(", "))
}

pub(super) fn container_lines(w: &mut W, c: &Container, pod: Option<&Pod>, space: &str) {
    let name_indent = if space.is_empty() { "" } else { " " };
    w.line(1, &format!("{name_indent}{}:", c.name));
    let running = pod.is_some_and(|p| p.spec.node_name.is_some());
    if let Some(p) = pod.filter(|_| running) {
        let id = if p.status.container == ContainerState::Running {
            container_id(&p.meta.uid, &c.name)
        } else {
            String::new()
        };
        w.line(2, &format!("Container ID:\t{id}"));
    }
    w.line(2, &format!("Image:\t{}", c.image));
    if let Some(p) = pod.filter(|_| running) {
        let id = if p.status.container == ContainerState::Running {
            image_id(&c.image)
        } else {
            String::new()
        };
        w.line(2, &format!("Image ID:\t{id}"));
    }
    let (ports, host) = ports_text(c);
    if ports.contains(',') {
        w.line(2, &format!("Ports:\t{ports}"));
        w.line(2, &format!("Host Ports:\t{host}"));
    } else {
        w.line(
            2,
            &format!(
                "Port:\t{}",
                if ports.is_empty() { "<none>" } else { &ports }
            ),
        );
        w.line(
            2,
            &format!(
                "Host Port:\t{}",
                if host.is_empty() { "<none>" } else { &host }
            ),
        );
    }
    // Each line of a command or argument is indented alike (describe.go,
    // describeContainerCommand splits them at newlines).
    for (title, words) in [("Command:", &c.command), ("Args:", &c.args)] {
        if !words.is_empty() {
            w.line(2, title);
            for line in words.iter().flat_map(|a| a.split('\n')) {
                w.line(3, line);
            }
        }
    }
    if let Some(p) = pod.filter(|_| running) {
        match p.status.container {
            ContainerState::Running => {
                w.line(2, "State:\tRunning");
                w.line(
                    3,
                    &format!(
                        "Started:\t{}",
                        rfc1123z(p.status.start_time.unwrap_or(p.meta.creation))
                    ),
                );
            }
            ContainerState::Terminated => {
                w.line(2, "State:\tTerminated");
                w.line(3, "Reason:\tCompleted");
                w.line(3, "Exit Code:\t0");
            }
            waiting => {
                w.line(2, "State:\tWaiting");
                w.line(3, &format!("Reason:\t{}", waiting.waiting_reason()));
            }
        }
        w.line(
            2,
            &format!("Ready:\t{}", if p.status.ready { "True" } else { "False" }),
        );
        w.line(2, &format!("Restart Count:\t{}", p.status.restarts));
    }
    if let Some(probe) = &c.readiness_probe {
        w.line(2, &format!("Readiness:\t{}", probe_text(c, probe)));
    }
    w.line(2, "Environment:\t<none>");
    match pod {
        Some(p) => {
            w.line(2, "Mounts:");
            w.line(
                3,
                &format!(
                    "/var/run/secrets/kubernetes.io/serviceaccount from {} (ro)",
                    crate::names::api_access_volume(&p.meta.uid)
                ),
            );
        }
        None => w.line(2, "Mounts:\t<none>"),
    }
}

pub(super) fn pod(cluster: &Cluster, p: &Pod) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", p.meta.name));
    w.line(0, &format!("Namespace:\t{}", p.meta.namespace));
    w.line(0, &format!("Priority:\t{}", p.spec.priority()));
    if let Some(class) = p.spec.priority_class {
        w.line(0, &format!("Priority Class Name:\t{class}"));
    }
    w.line(
        0,
        &format!("Service Account:\t{}", p.spec.service_account_name()),
    );
    match &p.spec.node_name {
        Some(n) => w.line(
            0,
            &format!(
                "Node:\t{n}/{}",
                p.status.host_ip.map_or(String::new(), |ip| ip.to_string())
            ),
        ),
        None => w.line(0, "Node:\t<none>"),
    }
    if let Some(t) = p
        .status
        .start_time
        .or(p.spec.node_name.as_ref().map(|_| p.meta.creation))
    {
        w.line(0, &format!("Start Time:\t{}", rfc1123z(t)));
    }
    w.labels("Labels", &p.meta.labels);
    w.annotations("Annotations", &p.meta.annotations);
    match p.meta.deletion {
        Some(d) if !matches!(p.status.phase, PodPhase::Succeeded | PodPhase::Failed) => {
            let grace = p.spec.termination_grace_period_seconds.unwrap_or(30);
            w.line(
                0,
                &format!(
                    "Status:\tTerminating (lasts {})",
                    human_duration(cluster.now().saturating_sub(d))
                ),
            );
            w.line(0, &format!("Termination Grace Period:\t{grace}s"));
        }
        _ => w.line(0, &format!("Status:\t{}", p.status.phase.as_str())),
    }
    w.line(
        0,
        &format!(
            "IP:\t{}",
            p.status.pod_ip.map_or(String::new(), |ip| ip.to_string())
        ),
    );
    match p.status.pod_ip {
        Some(ip) => {
            w.line(0, "IPs:");
            w.line(1, &format!("IP:\t{ip}"));
        }
        None => w.line(0, "IPs:\t<none>"),
    }
    if let Some(rs) = &p.owner {
        w.line(0, &format!("Controlled By:\tReplicaSet/{rs}"));
    } else if p.spec.host_network && p.meta.labels.contains_key("k8s-app") {
        let ds = p.meta.labels["k8s-app"].clone();
        w.line(0, &format!("Controlled By:\tDaemonSet/{ds}"));
    } else if p.spec.host_network {
        w.line(
            0,
            &format!(
                "Controlled By:\tNode/{}",
                p.spec.node_name.clone().unwrap_or_default()
            ),
        );
    }
    w.line(0, "Containers:");
    for c in &p.spec.containers {
        container_lines(&mut w, c, Some(p), "");
    }
    let scheduled = p.spec.node_name.is_some();
    let running = p.status.container == ContainerState::Running;
    w.line(0, "Conditions:\n  Type\tStatus");
    let tf = |b: bool| if b { "True" } else { "False" };
    if scheduled {
        w.line(1, &format!("PodReadyToStartContainers \t{} ", tf(running)));
        w.line(1, "Initialized \tTrue ");
        w.line(1, &format!("Ready \t{} ", tf(p.status.ready)));
        w.line(1, &format!("ContainersReady \t{} ", tf(p.status.ready)));
    }
    w.line(1, &format!("PodScheduled \t{} ", tf(scheduled)));
    w.line(0, "Volumes:");
    w.line(
        1,
        &format!("{}:", crate::names::api_access_volume(&p.meta.uid)),
    );
    w.line(
        2,
        "Type:\tProjected (a volume that contains injected data from multiple sources)",
    );
    w.line(2, "TokenExpirationSeconds:\t3607");
    w.line(2, "ConfigMapName:\tkube-root-ca.crt");
    w.line(2, "ConfigMapOptional:\t<nil>");
    w.line(2, "DownwardAPI:\ttrue");
    w.line(0, "QoS Class:\tBestEffort");
    w.labels("Node-Selectors", &p.spec.node_selector);
    // As the API server stores them, sorted by key as `printTolerationsMultilineWithIndent`
    // lists them.
    let mut lines: Vec<(String, String)> = p
        .admitted_tolerations()
        .iter()
        .map(|t| (t.key.clone(), t.describe()))
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, (_, line)) in lines.iter().enumerate() {
        let title = if i == 0 { "Tolerations:" } else { "" };
        w.line(0, &format!("{title}\t{line}"));
    }
    let events = events_for(cluster, &p.meta.namespace, &format!("pod/{}", p.meta.name));
    w.events(cluster.now(), &events);
    w.render()
}
