//! `kubectl describe`, laid out as kubectl 1.31's describers (`k8s.io/kubectl/pkg/describe`) do:
//! `Name:\tvalue` lines through a tabwriter (minwidth 0, padding 2), label lists continued on
//! lines with an empty first cell, and the `Events:` table after a flush.

use std::fmt::Write as _;

use crate::cluster::{Cluster, Event};
use crate::model::*;
use crate::time::{human_duration, Time};

use super::clock::{rfc1123z, rfc3339};
use super::get::{self, Item};
use super::table::DESCRIBE;

/// A describer's text before the tabwriter: `\t` separates cells, `\x0c` flushes.
struct W(String);

impl W {
    fn line(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.0.push_str("  ");
        }
        self.0.push_str(text);
        self.0.push('\n');
    }

    fn flush(&mut self) {
        self.0.push('\x0c');
    }

    /// `printLabelsMultiline`: `Title:\tk=v`, then `\tk=v` per further label.
    fn labels(&mut self, title: &str, labels: &Labels) {
        if labels.is_empty() {
            self.line(0, &format!("{title}:\t<none>"));
            return;
        }
        for (i, (k, v)) in labels.iter().enumerate() {
            if i == 0 {
                self.line(0, &format!("{title}:\t{k}={v}"));
            } else {
                self.line(0, &format!("\t{k}={v}"));
            }
        }
    }

    /// `printAnnotationsMultiline` (svclab's objects carry no last-applied annotation).
    fn annotations(&mut self, title: &str, annotations: &Labels) {
        let shown: Vec<(&String, &String)> = annotations
            .iter()
            .filter(|(k, _)| k.as_str() != "kubectl.kubernetes.io/last-applied-configuration")
            .collect();
        if shown.is_empty() {
            self.line(0, &format!("{title}:\t<none>"));
            return;
        }
        for (i, (k, v)) in shown.iter().enumerate() {
            if i == 0 {
                self.line(0, &format!("{title}:\t{k}: {v}"));
            } else {
                self.line(0, &format!("\t{k}: {v}"));
            }
        }
    }

    fn events(&mut self, now: Time, events: &[&Event]) {
        if events.is_empty() {
            self.line(0, "Events:\t<none>");
            return;
        }
        self.flush();
        self.0
            .push_str("Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
        self.line(1, "----\t------\t----\t----\t-------");
        for e in events {
            self.line(
                1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}",
                    if e.warning { "Warning" } else { "Normal" },
                    e.reason,
                    e.age(now),
                    e.source,
                    e.message.trim()
                ),
            );
        }
    }

    fn render(self) -> Vec<String> {
        DESCRIBE.format(&self.0)
    }
}

fn events_for<'a>(cluster: &'a Cluster, namespace: &str, object: &str) -> Vec<&'a Event> {
    let mut ev: Vec<&Event> = get::visible_events(cluster)
        .filter(|e| e.namespace == namespace && e.object == object)
        .collect();
    crate::sort::sort_by_key(&mut ev, |e| e.last);
    ev
}

/// Describe one object; `None` for kinds kubectl has no describer for in svclab.
pub(crate) fn describe(cluster: &Cluster, item: &Item) -> Vec<String> {
    match item {
        Item::Pod(p) => pod(cluster, p),
        Item::Service(s) => service(cluster, s),
        Item::Endpoints(e) => endpoints(cluster, e),
        Item::EndpointSlice(s) => endpoint_slice(cluster, s),
        Item::Deployment(d) => deployment(cluster, d),
        Item::ReplicaSet(rs) => replica_set(cluster, rs),
        Item::Node(n) => node(cluster, n),
        Item::Namespace(n) => namespace(n),
        Item::NetworkPolicy(np) => network_policy(np),
        Item::DaemonSet(d) => daemon_set(cluster, d),
        Item::Event(e) => event(cluster, e),
    }
}

/// Five generated characters derived from `seed` (for volume names that would be random).
fn suffix(seed: &str) -> String {
    let h = crate::names::fnv32a(seed.as_bytes());
    let alphabet = crate::names::ALPHANUMS;
    let mut n = h as usize;
    (0..5)
        .map(|_| {
            let c = alphabet[n % alphabet.len()] as char;
            n /= alphabet.len();
            c
        })
        .collect()
}

fn hex_digest(seed: &str, len: usize) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(seed.as_bytes());
    let mut s = String::new();
    for b in d.iter() {
        let _ = write!(s, "{b:02x}");
    }
    s.truncate(len);
    s
}

/// `containerd://<64 hex>`, stable per pod and container.
pub(crate) fn container_id(uid: &str, container: &str) -> String {
    format!(
        "containerd://{}",
        hex_digest(&format!("{uid}/{container}"), 64)
    )
}

/// `docker.io/library/nginx@sha256:<64 hex>`: a stand-in digest (svclab pulls no images).
pub(crate) fn image_id(image: &str) -> String {
    let full = super::objects::full_image(image);
    let repo = full.rsplit_once(':').map_or(full.as_str(), |(r, _)| r);
    format!("{repo}@sha256:{}", hex_digest(image, 64))
}

fn probe_text(c: &Container, probe: &Probe) -> String {
    let port = if c.image_name() == "coredns" {
        "8181/ready".to_string()
    } else {
        format!("{}/", c.ports.first().map_or(80, |p| p.container_port))
    };
    format!(
        "http-get http://:{port} delay={}s timeout=1s period={}s #success=1 #failure=3",
        probe.initial_delay_seconds,
        probe.period_seconds.max(1)
    )
}

fn ports_text(c: &Container) -> (String, String) {
    let ports: Vec<String> = c
        .ports
        .iter()
        .map(|p| format!("{}/{}", p.container_port, p.protocol.as_str()))
        .collect();
    let host: Vec<String> = c
        .ports
        .iter()
        .map(|p| format!("0/{}", p.protocol.as_str()))
        .collect();
    (ports.join(", "), host.join(", "))
}

fn container_lines(w: &mut W, c: &Container, pod: Option<&Pod>, space: &str) {
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
    if !c.command.is_empty() {
        w.line(2, "Command:");
        for a in &c.command {
            w.line(3, a);
        }
    }
    if !c.args.is_empty() {
        w.line(2, "Args:");
        for a in &c.args {
            w.line(3, a);
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
                    "/var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-{} (ro)",
                    suffix(&p.meta.uid)
                ),
            );
        }
        None => w.line(2, "Mounts:\t<none>"),
    }
}

fn pod(cluster: &Cluster, p: &Pod) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", p.meta.name));
    w.line(0, &format!("Namespace:\t{}", p.meta.namespace));
    w.line(0, "Priority:\t0");
    w.line(0, "Service Account:\tdefault");
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
                    human_duration(cluster.now.saturating_sub(d))
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
    w.line(1, &format!("kube-api-access-{}:", suffix(&p.meta.uid)));
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
    if p.spec.host_network {
        w.line(0, "Tolerations:\top=Exists");
    } else {
        w.line(
            0,
            "Tolerations:\tnode.kubernetes.io/not-ready:NoExecute op=Exists for 300s",
        );
        w.line(
            0,
            "\tnode.kubernetes.io/unreachable:NoExecute op=Exists for 300s",
        );
    }
    let events = events_for(cluster, &p.meta.namespace, &format!("pod/{}", p.meta.name));
    w.events(cluster.now, &events);
    w.render()
}

fn service(cluster: &Cluster, s: &Service) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", s.meta.name));
    w.line(0, &format!("Namespace:\t{}", s.meta.namespace));
    w.labels("Labels", &s.meta.labels);
    w.annotations("Annotations", &s.meta.annotations);
    let selector = s.spec.selector.clone().unwrap_or_default();
    w.line(0, &format!("Selector:\t{}", get::format_labels(&selector)));
    w.line(0, &format!("Type:\t{}", s.spec.type_.as_str()));
    let external_name = s.spec.type_ == ServiceType::ExternalName;
    if !external_name {
        w.line(0, "IP Family Policy:\tSingleStack");
        w.line(0, "IP Families:\tIPv4");
    } else {
        w.line(0, "IP Families:\t<none>");
    }
    let ip = s.spec.cluster_ip.spec_value();
    w.line(0, &format!("IP:\t{ip}"));
    if ip.is_empty() {
        w.line(0, "IPs:\t<none>");
    } else {
        w.line(0, &format!("IPs:\t{ip}"));
    }
    if let Some(lb) = s.spec.load_balancer_ip {
        w.line(0, &format!("Desired LoadBalancer IP:\t{lb}"));
    }
    if let Some(n) = &s.spec.external_name {
        w.line(0, &format!("External Name:\t{n}"));
    }
    if let (ServiceType::LoadBalancer, Some(ip)) = (s.spec.type_, s.status.load_balancer_ip) {
        w.line(0, &format!("LoadBalancer Ingress:\t{ip} (VIP)"));
    }
    let slices = cluster.service_slices(&s.key());
    for p in &s.spec.ports {
        let name = p
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "<unset>".into());
        w.line(
            0,
            &format!("Port:\t{name}\t{}/{}", p.port, p.protocol.as_str()),
        );
        w.line(
            0,
            &format!("TargetPort:\t{}/{}", p.target_port, p.protocol.as_str()),
        );
        if let Some(np) = p.node_port {
            w.line(
                0,
                &format!("NodePort:\t{name}\t{np}/{}", p.protocol.as_str()),
            );
        }
        w.line(
            0,
            &format!(
                "Endpoints:\t{}",
                format_endpoint_slices(&slices, p.name.as_deref().unwrap_or(""))
            ),
        );
    }
    w.line(
        0,
        &format!(
            "Session Affinity:\t{}",
            if s.spec.session_affinity_timeout.is_some() {
                "ClientIP"
            } else {
                "None"
            }
        ),
    );
    if matches!(
        s.spec.type_,
        ServiceType::NodePort | ServiceType::LoadBalancer
    ) {
        w.line(
            0,
            &format!(
                "External Traffic Policy:\t{}",
                s.spec.external_traffic_policy.as_str()
            ),
        );
    }
    if !external_name {
        w.line(
            0,
            &format!(
                "Internal Traffic Policy:\t{}",
                s.spec.internal_traffic_policy.as_str()
            ),
        );
    }
    if !s.spec.load_balancer_source_ranges.is_empty() {
        w.line(
            0,
            &format!(
                "LoadBalancer Source Ranges:\t{}",
                s.spec.load_balancer_source_ranges.join(",")
            ),
        );
    }
    let events = events_for(
        cluster,
        &s.meta.namespace,
        &format!("service/{}", s.meta.name),
    );
    w.events(cluster.now, &events);
    w.render()
}

/// kubectl 1.31's `formatEndpointSlices`: every endpoint of the port, ready or not, at most three.
fn format_endpoint_slices(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let max = 3;
    let mut list = Vec::new();
    let mut more = false;
    let mut count = 0;
    for sl in slices {
        if sl.ports.is_empty() {
            for e in &sl.endpoints {
                if list.len() == max {
                    more = true;
                }
                if !more {
                    list.push(e.ip.to_string());
                }
                count += 1;
            }
        } else {
            for p in &sl.ports {
                if p.name.as_deref().unwrap_or("") != port_name {
                    continue;
                }
                for e in &sl.endpoints {
                    if list.len() == max {
                        more = true;
                    }
                    if !more {
                        list.push(format!("{}:{}", e.ip, p.port));
                    }
                    count += 1;
                }
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - max)
    } else {
        ret
    }
}

fn endpoints(cluster: &Cluster, e: &Endpoints) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", e.meta.name));
    w.line(0, &format!("Namespace:\t{}", e.meta.namespace));
    let svc = cluster
        .services
        .get(&ObjectKey::new(&e.meta.namespace, &e.meta.name));
    w.labels(
        "Labels",
        &svc.map(|s| s.meta.labels.clone()).unwrap_or_default(),
    );
    let mut annotations = Labels::new();
    if e.meta.name != "kubernetes" {
        let newest = e
            .subsets
            .iter()
            .flat_map(|ss| ss.addresses.iter().chain(ss.not_ready_addresses.iter()))
            .filter_map(|(_, pod)| cluster.pods.get(&ObjectKey::new(&e.meta.namespace, pod)))
            .filter_map(|p| p.status.start_time)
            .max()
            .unwrap_or(e.meta.creation)
            .max(e.meta.creation);
        annotations.insert(
            "endpoints.kubernetes.io/last-change-trigger-time".into(),
            rfc3339(newest),
        );
    }
    w.annotations("Annotations", &annotations);
    w.line(0, "Subsets:");
    for ss in &e.subsets {
        let join = |a: &Vec<(std::net::Ipv4Addr, String)>| {
            if a.is_empty() {
                "<none>".to_string()
            } else {
                a.iter()
                    .map(|(ip, _)| ip.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            }
        };
        w.line(1, &format!("Addresses:\t{}", join(&ss.addresses)));
        w.line(
            1,
            &format!("NotReadyAddresses:\t{}", join(&ss.not_ready_addresses)),
        );
        if !ss.ports.is_empty() {
            w.line(1, "Ports:");
            w.line(2, "Name\tPort\tProtocol");
            w.line(2, "----\t----\t--------");
            for p in &ss.ports {
                let name = p
                    .name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "<unset>".into());
                w.line(2, &format!("{name}\t{}\t{}", p.port, p.protocol.as_str()));
            }
        }
        w.line(0, "");
    }
    w.events(cluster.now, &[]);
    w.render()
}

fn endpoint_slice(cluster: &Cluster, s: &EndpointSlice) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", s.meta.name));
    w.line(0, &format!("Namespace:\t{}", s.meta.namespace));
    w.labels("Labels", &s.meta.labels);
    w.annotations("Annotations", &Labels::new());
    w.line(0, "AddressType:\tIPv4");
    if s.ports.is_empty() {
        w.line(0, "Ports: <unset>");
    } else {
        w.line(0, "Ports:");
        w.line(1, "Name\tPort\tProtocol");
        w.line(1, "----\t----\t--------");
        for p in &s.ports {
            let name = p
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "<unset>".into());
            w.line(1, &format!("{name}\t{}\t{}", p.port, p.protocol.as_str()));
        }
    }
    if s.endpoints.is_empty() {
        w.line(0, "Endpoints: <none>");
    } else {
        w.line(0, "Endpoints:");
        for e in &s.endpoints {
            w.line(1, &format!("- Addresses:\t{}", e.ip));
            w.line(2, "Conditions:");
            w.line(3, &format!("Ready:\t{}", e.ready));
            w.line(2, "Hostname:\t<unset>");
            if !e.pod.is_empty() {
                w.line(2, &format!("TargetRef:\tPod/{}", e.pod));
            }
            w.line(
                2,
                &format!(
                    "NodeName:\t{}",
                    if e.node.is_empty() {
                        "<unset>"
                    } else {
                        &e.node
                    }
                ),
            );
            w.line(2, "Zone:\t<unset>");
        }
    }
    w.events(cluster.now, &[]);
    w.render()
}

/// `kubectl rollout history deploy/NAME --revision=N`: that revision's pod template.
pub(crate) fn revision_template(t: &PodTemplateSpec) -> Vec<String> {
    let mut w = W(String::new());
    template_lines(&mut w, t);
    w.render()
}

fn template_lines(w: &mut W, t: &PodTemplateSpec) {
    w.line(0, "Pod Template:");
    w.labels("  Labels", &t.labels);
    if !t.annotations.is_empty() {
        w.annotations("  Annotations", &t.annotations);
    }
    w.line(0, "  Containers:");
    for c in &t.spec.containers {
        container_lines(w, c, None, "  ");
    }
    w.line(0, "  Volumes:\t<none>");
    w.labels("  Node-Selectors", &t.spec.node_selector);
    w.line(0, "  Tolerations:\t<none>");
}

fn deployment(cluster: &Cluster, d: &Deployment) -> Vec<String> {
    let key = ObjectKey::new(&d.meta.namespace, &d.meta.name);
    let Some(rollout) = cluster.rollout(&key) else {
        return Vec::new();
    };
    let (desired, updated, available, total) = (
        rollout.desired,
        rollout.updated,
        rollout.available,
        rollout.total,
    );
    let owned: Vec<&ReplicaSet> = cluster
        .replica_sets
        .values()
        .filter(|rs| rs.meta.namespace == d.meta.namespace && rs.owner == d.meta.name)
        .collect();
    let new_name = rollout.new_replica_set.clone();
    let spec_total: i64 = owned.iter().map(|rs| rs.replicas).sum();
    let unavailable = (spec_total - available).max(0);
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", d.meta.name));
    w.line(0, &format!("Namespace:\t{}", d.meta.namespace));
    w.line(
        0,
        &format!("CreationTimestamp:\t{}", rfc1123z(d.meta.creation)),
    );
    w.labels("Labels", &d.meta.labels);
    let mut annotations = d.meta.annotations.clone();
    let revision = cluster.deployment_revision(&key).max(1);
    annotations.insert(
        "deployment.kubernetes.io/revision".into(),
        revision.to_string(),
    );
    w.annotations("Annotations", &annotations);
    w.line(
        0,
        &format!("Selector:\t{}", get::selector_string(&d.spec.selector)),
    );
    w.line(
        0,
        &format!("Replicas:\t{desired} desired | {updated} updated | {total} total | {available} available | {unavailable} unavailable"),
    );
    w.line(0, "StrategyType:\tRollingUpdate");
    w.line(0, "MinReadySeconds:\t0");
    w.line(
        0,
        "RollingUpdateStrategy:\t25% max unavailable, 25% max surge",
    );
    template_lines(&mut w, &d.spec.template);
    let is_available = rollout.minimum_available();
    let (progressing, reason) = rollout.progressing();
    let status = |b: bool| if b { "True" } else { "False" };
    w.line(0, "Conditions:\n  Type\tStatus\tReason");
    w.line(1, "----\t------\t------");
    w.line(
        1,
        &format!(
            "Available \t{}\t{}",
            status(is_available),
            if is_available {
                "MinimumReplicasAvailable"
            } else {
                "MinimumReplicasUnavailable"
            }
        ),
    );
    w.line(
        1,
        &format!("Progressing \t{}\t{reason}", status(progressing)),
    );
    let created = |rs: &ReplicaSet| {
        format!(
            "{} ({}/{} replicas created)",
            rs.meta.name,
            get::replica_set_counts(cluster, rs).0,
            rs.replicas
        )
    };
    let old: Vec<String> = owned
        .iter()
        .filter(|rs| rs.meta.name != new_name && rs.replicas > 0)
        .map(|rs| created(rs))
        .collect();
    let new: Vec<String> = owned
        .iter()
        .filter(|rs| rs.meta.name == new_name)
        .map(|rs| created(rs))
        .collect();
    if !owned.is_empty() {
        w.line(
            0,
            &format!(
                "OldReplicaSets:\t{}",
                if old.is_empty() {
                    "<none>".into()
                } else {
                    old.join(", ")
                }
            ),
        );
        w.line(
            0,
            &format!(
                "NewReplicaSet:\t{}",
                if new.is_empty() {
                    "<none>".into()
                } else {
                    new.join(", ")
                }
            ),
        );
    }
    let events = events_for(
        cluster,
        &d.meta.namespace,
        &format!("deployment/{}", d.meta.name),
    );
    w.events(cluster.now, &events);
    w.render()
}

fn replica_set(cluster: &Cluster, rs: &ReplicaSet) -> Vec<String> {
    let (current, _) = get::replica_set_counts(cluster, rs);
    let pods: Vec<&Pod> = cluster
        .pods
        .values()
        .filter(|p| {
            p.meta.namespace == rs.meta.namespace
                && p.owner.as_deref() == Some(rs.meta.name.as_str())
        })
        .collect();
    let running = pods
        .iter()
        .filter(|p| p.status.phase == PodPhase::Running)
        .count();
    let waiting = pods
        .iter()
        .filter(|p| p.status.phase == PodPhase::Pending)
        .count();
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", rs.meta.name));
    w.line(0, &format!("Namespace:\t{}", rs.meta.namespace));
    w.line(
        0,
        &format!("Selector:\t{}", get::selector_string(&rs.selector)),
    );
    w.labels("Labels", &rs.meta.labels);
    let mut annotations = Labels::new();
    annotations.insert(
        "deployment.kubernetes.io/desired-replicas".into(),
        rs.replicas.to_string(),
    );
    annotations.insert(
        "deployment.kubernetes.io/max-replicas".into(),
        (rs.replicas + (rs.replicas + 3) / 4).to_string(),
    );
    annotations.insert(
        "deployment.kubernetes.io/revision".into(),
        rs.revision.to_string(),
    );
    w.annotations("Annotations", &annotations);
    w.line(0, &format!("Controlled By:\tDeployment/{}", rs.owner));
    w.line(
        0,
        &format!("Replicas:\t{current} current / {} desired", rs.replicas),
    );
    w.line(
        0,
        &format!("Pods Status:\t{running} Running / {waiting} Waiting / 0 Succeeded / 0 Failed"),
    );
    template_lines(&mut w, &rs.template);
    let events = events_for(
        cluster,
        &rs.meta.namespace,
        &format!("replicaset/{}", rs.meta.name),
    );
    w.events(cluster.now, &events);
    w.render()
}

fn daemon_set(cluster: &Cluster, d: &get::DaemonSetView) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", d.meta.name));
    w.line(0, &format!("Selector:\tk8s-app={}", d.meta.name));
    w.labels("Node-Selector", &d.node_selector);
    w.labels("Labels", &d.meta.labels);
    w.line(
        0,
        "Annotations:\tdeprecated.daemonset.template.generation: 1",
    );
    w.line(
        0,
        &format!("Desired Number of Nodes Scheduled: {}", d.desired),
    );
    w.line(
        0,
        &format!("Current Number of Nodes Scheduled: {}", d.current),
    );
    w.line(
        0,
        &format!(
            "Number of Nodes Scheduled with Up-to-date Pods: {}",
            d.current
        ),
    );
    w.line(
        0,
        &format!("Number of Nodes Scheduled with Available Pods: {}", d.ready),
    );
    w.line(0, "Number of Nodes Misscheduled: 0");
    w.line(
        0,
        &format!(
            "Pods Status:  {} Running / 0 Waiting / 0 Succeeded / 0 Failed",
            d.current
        ),
    );
    w.events(cluster.now, &[]);
    w.render()
}

/// Requests and limits of the pods kind runs, as their manifests set them.
fn pod_resources(p: &Pod) -> (&'static str, &'static str, &'static str, &'static str) {
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

fn node(cluster: &Cluster, n: &Node) -> Vec<String> {
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
    let heartbeat = cluster.now.saturating_sub(cluster.now % 60_000).max(born);
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
            rfc1123z(cluster.now.saturating_sub(cluster.now % 10_000).max(born))
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
    w.line(0, &format!("  Kube-Proxy Version:\t{}", get::KUBE_VERSION));
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
                human_duration(cluster.now.saturating_sub(p.meta.creation))
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
    let events = events_for(cluster, "", &format!("node/{name}"));
    w.events(cluster.now, &events);
    w.render()
}

fn namespace(n: &Namespace) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", n.meta.name));
    w.labels("Labels", &n.meta.labels);
    w.annotations("Annotations", &n.meta.annotations);
    w.line(0, "Status:\tActive");
    w.line(0, "");
    w.line(0, "No resource quota.");
    w.line(0, "");
    w.line(0, "No LimitRange resource.");
    w.render()
}

fn network_policy(np: &NetworkPolicy) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", np.meta.name));
    w.line(0, &format!("Namespace:\t{}", np.meta.namespace));
    let created = rfc3339(np.meta.creation)
        .replace('T', " ")
        .replace('Z', " +0000 UTC");
    w.line(0, &format!("Created on:\t{created}"));
    w.labels("Labels", &np.meta.labels);
    w.annotations("Annotations", &np.meta.annotations);
    w.line(0, "Spec:");
    if np.spec.pod_selector.is_empty() {
        w.0.push_str("  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)\n");
    } else {
        let _ = writeln!(
            w.0,
            "  PodSelector:     {}",
            get::selector_string(&np.spec.pod_selector)
        );
    }
    let rules = |w: &mut W, rules: &[PolicyRule], peer_word: &str, none: &str, any_peer: &str| {
        let indent = "    ";
        if rules.is_empty() {
            w.line(0, &format!("{indent}{none}"));
            return;
        }
        for (i, r) in rules.iter().enumerate() {
            if r.ports.is_empty() {
                w.line(
                    0,
                    &format!("{indent}To Port: <any> (traffic allowed to all ports)"),
                );
            } else {
                for p in &r.ports {
                    let port = p.port.as_ref().map_or(String::new(), |x| x.to_string());
                    match p.end_port {
                        None => w.line(
                            0,
                            &format!("{indent}To Port: {port}/{}", p.protocol.as_str()),
                        ),
                        Some(end) => w.line(
                            0,
                            &format!(
                                "{indent}To Port Range: {port}-{end}/{}",
                                p.protocol.as_str()
                            ),
                        ),
                    }
                }
            }
            if r.peers.is_empty() {
                w.line(0, &format!("{indent}{any_peer}"));
            } else {
                for peer in &r.peers {
                    w.line(0, &format!("{indent}{peer_word}:"));
                    match peer {
                        PolicyPeer::Selectors {
                            pod_selector,
                            namespace_selector,
                        } => {
                            if let Some(ns) = namespace_selector {
                                w.line(
                                    1,
                                    &format!(
                                        "{indent}NamespaceSelector: {}",
                                        get::selector_or_none(ns)
                                    ),
                                );
                            }
                            if let Some(ps) = pod_selector {
                                w.line(
                                    1,
                                    &format!("{indent}PodSelector: {}", get::selector_or_none(ps)),
                                );
                            }
                        }
                        PolicyPeer::IpBlock(b) => {
                            w.line(1, &format!("{indent}IPBlock:"));
                            w.line(2, &format!("{indent}CIDR: {}", b.cidr));
                            w.line(2, &format!("{indent}Except: {}", b.except.join(", ")));
                        }
                    }
                }
            }
            if i + 1 != rules.len() {
                w.line(0, &format!("{indent}----------"));
            }
        }
    };
    if np.spec.policy_ingress {
        w.line(1, "Allowing ingress traffic:");
        rules(
            &mut w,
            &np.spec.ingress,
            "From",
            "<none> (Selected pods are isolated for ingress connectivity)",
            "From: <any> (traffic not restricted by source)",
        );
    } else {
        w.line(1, "Not affecting ingress traffic");
    }
    if np.spec.policy_egress {
        w.line(1, "Allowing egress traffic:");
        rules(
            &mut w,
            &np.spec.egress,
            "To",
            "<none> (Selected pods are isolated for egress connectivity)",
            "To: <any> (traffic not restricted by destination)",
        );
    } else {
        w.line(1, "Not affecting egress traffic");
    }
    let mut types = Vec::new();
    if np.spec.policy_ingress {
        types.push("Ingress");
    }
    if np.spec.policy_egress {
        types.push("Egress");
    }
    w.line(1, &format!("Policy Types: {}", types.join(", ")));
    w.render()
}

fn event(cluster: &Cluster, e: &Event) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", get::event_name(e)));
    w.line(0, &format!("Namespace:\t{}", e.namespace));
    w.line(0, &format!("Reason:\t{}", e.reason));
    w.line(0, &format!("Message:\t{}", e.message));
    w.line(0, &format!("Source:\t{}", e.source));
    w.line(
        0,
        &format!("Type:\t{}", if e.warning { "Warning" } else { "Normal" }),
    );
    w.line(
        0,
        &format!(
            "Age:\t{}",
            human_duration(cluster.now.saturating_sub(e.time))
        ),
    );
    w.render()
}
