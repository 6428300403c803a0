//! `kubectl get`: resource types as kubectl resolves them, the objects of each type, and the
//! rows kubectl's printers (`pkg/printers/internalversion`) print for them under the columns the
//! resource table names.

use crate::cluster::{Cluster, Event};
use crate::model::*;
use crate::time::human_duration;

pub(crate) use crate::resource::Kind;

/// Why a type name did not resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unresolved {
    /// kubectl knows it (a real cluster serves it) but svclab does not simulate it.
    NotSimulated(&'static str),
    /// The server has no such type.
    Unknown,
}

/// Resolve what the learner typed (`svc`, `services`, `Service`, `deployments.apps`).
pub(crate) fn parse_kind(typed: &str) -> Result<Kind, Unresolved> {
    let found = crate::resource::by_name(typed).ok_or(Unresolved::Unknown)?;
    found
        .simulated
        .ok_or(Unresolved::NotSimulated(found.plural))
}

/// A DaemonSet as kind runs them (`kube-proxy`, `kindnet`): svclab keeps their pods, not the
/// DaemonSet objects, so the object is read off its pods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DaemonSetView {
    pub meta: ObjectMeta,
    pub desired: i64,
    pub current: i64,
    pub ready: i64,
    pub node_selector: Labels,
    pub container: String,
    pub image: String,
}

/// One object of any kind, borrowed from the cluster.
#[derive(Clone, Debug)]
pub(crate) enum Item<'a> {
    Pod(&'a Pod),
    Service(&'a Service),
    DaemonSet(Box<DaemonSetView>),
    Deployment(&'a Deployment),
    ReplicaSet(&'a ReplicaSet),
    Endpoints(&'a Endpoints),
    EndpointSlice(&'a EndpointSlice),
    Node(&'a Node),
    Namespace(&'a Namespace),
    NetworkPolicy(&'a NetworkPolicy),
    Event(&'a Event),
}

impl Item<'_> {
    pub fn kind(&self) -> Kind {
        match self {
            Item::Pod(_) => Kind::Pod,
            Item::Service(_) => Kind::Service,
            Item::DaemonSet(_) => Kind::DaemonSet,
            Item::Deployment(_) => Kind::Deployment,
            Item::ReplicaSet(_) => Kind::ReplicaSet,
            Item::Endpoints(_) => Kind::Endpoints,
            Item::EndpointSlice(_) => Kind::EndpointSlice,
            Item::Node(_) => Kind::Node,
            Item::Namespace(_) => Kind::Namespace,
            Item::NetworkPolicy(_) => Kind::NetworkPolicy,
            Item::Event(_) => Kind::Event,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Item::Event(e) => event_name(e),
            other => other.meta().map(|m| m.name.clone()).unwrap_or_default(),
        }
    }

    pub fn namespace(&self) -> String {
        match self {
            Item::Event(e) => e.namespace.clone(),
            other => other
                .meta()
                .map(|m| m.namespace.clone())
                .unwrap_or_default(),
        }
    }

    pub fn meta(&self) -> Option<&ObjectMeta> {
        Some(match self {
            Item::Pod(o) => &o.meta,
            Item::Service(o) => &o.meta,
            Item::DaemonSet(o) => &o.meta,
            Item::Deployment(o) => &o.meta,
            Item::ReplicaSet(o) => &o.meta,
            Item::Endpoints(o) => &o.meta,
            Item::EndpointSlice(o) => &o.meta,
            Item::Node(o) => &o.meta,
            Item::Namespace(o) => &o.meta,
            Item::NetworkPolicy(o) => &o.meta,
            Item::Event(_) => return None,
        })
    }

    pub fn labels(&self) -> Labels {
        self.meta().map(|m| m.labels.clone()).unwrap_or_default()
    }
}

/// An event's object name: `<involved object>.<hex>` as the API server names them.
pub(crate) fn event_name(e: &Event) -> String {
    let object = e
        .object
        .split_once('/')
        .map_or(e.object.as_str(), |(_, n)| n);
    format!(
        "{object}.{:x}",
        0x1870_0000_0000_0000u64 + e.time * 1_000_000
    )
}

/// The DaemonSets kind installs, read off their pods in `kube-system`.
pub(crate) fn daemon_sets(cluster: &Cluster) -> Vec<DaemonSetView> {
    let mut out = Vec::new();
    for (name, selector) in [
        ("kindnet", Labels::new()),
        (
            "kube-proxy",
            [("kubernetes.io/os".to_string(), "linux".to_string())].into(),
        ),
    ] {
        let pods: Vec<&Pod> = cluster
            .pods()
            .values()
            .filter(|p| {
                p.meta.namespace == "kube-system"
                    && p.meta.labels.get("k8s-app").map(String::as_str) == Some(name)
            })
            .collect();
        if pods.is_empty() {
            continue;
        }
        let mut meta = ObjectMeta::new("kube-system", name);
        meta.labels.insert("k8s-app".into(), name.into());
        meta.creation = pods.iter().map(|p| p.meta.creation).min().unwrap_or(0);
        meta.uid = pods[0].meta.uid.clone();
        meta.generation = 1;
        let active = pods.iter().filter(|p| !p.is_terminating()).count() as i64;
        out.push(DaemonSetView {
            meta,
            desired: cluster.nodes().len() as i64,
            current: active,
            ready: pods
                .iter()
                .filter(|p| p.status.ready && !p.is_terminating())
                .count() as i64,
            node_selector: selector,
            container: pods[0]
                .spec
                .containers
                .first()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            image: pods[0]
                .spec
                .containers
                .first()
                .map(|c| c.image.clone())
                .unwrap_or_default(),
        });
    }
    out
}

/// Every object of `kind` in `namespace` (`None`: all namespaces), in the API server's order.
pub(crate) fn list<'a>(cluster: &'a Cluster, kind: Kind, namespace: Option<&str>) -> Vec<Item<'a>> {
    let in_ns = |ns: &str| namespace.is_none_or(|n| n == ns);
    match kind {
        Kind::Pod => cluster
            .pods()
            .values()
            .filter(|o| in_ns(&o.meta.namespace))
            .map(Item::Pod)
            .collect(),
        Kind::Service => cluster
            .services()
            .values()
            .filter(|o| in_ns(&o.meta.namespace))
            .map(Item::Service)
            .collect(),
        Kind::DaemonSet => daemon_sets(cluster)
            .into_iter()
            .filter(|d| in_ns(&d.meta.namespace))
            .map(|d| Item::DaemonSet(Box::new(d)))
            .collect(),
        Kind::Deployment => cluster
            .deployments()
            .values()
            .filter(|o| in_ns(&o.meta.namespace))
            .map(Item::Deployment)
            .collect(),
        Kind::ReplicaSet => cluster
            .replica_sets()
            .values()
            .filter(|o| in_ns(&o.meta.namespace))
            .map(Item::ReplicaSet)
            .collect(),
        Kind::Endpoints => cluster
            .endpoints()
            .values()
            .filter(|o| in_ns(&o.meta.namespace))
            .map(Item::Endpoints)
            .collect(),
        Kind::EndpointSlice => cluster
            .endpoint_slices()
            .values()
            .filter(|o| in_ns(&o.meta.namespace))
            .map(Item::EndpointSlice)
            .collect(),
        Kind::Node => {
            let mut nodes: Vec<&Node> = cluster.nodes().iter().collect();
            crate::sort::sort_by(&mut nodes, |a, b| a.meta.name.cmp(&b.meta.name));
            nodes.into_iter().map(Item::Node).collect()
        }
        Kind::Namespace => cluster.namespaces().values().map(Item::Namespace).collect(),
        Kind::NetworkPolicy => cluster
            .network_policies()
            .values()
            .filter(|o| in_ns(&o.meta.namespace))
            .map(Item::NetworkPolicy)
            .collect(),
        Kind::Event => {
            let mut events: Vec<&Event> = visible_events(cluster)
                .filter(|e| in_ns(&e.namespace))
                .collect();
            crate::sort::sort_by(&mut events, |a, b| {
                (&a.namespace, event_name(a)).cmp(&(&b.namespace, event_name(b)))
            });
            events.into_iter().map(Item::Event).collect()
        }
    }
}

/// The API server keeps events for an hour (`--event-ttl`).
pub(crate) fn visible_events(cluster: &Cluster) -> impl Iterator<Item = &Event> {
    let now = cluster.now();
    cluster
        .events()
        .iter()
        .filter(move |e| now.saturating_sub(e.last) < crate::time::HOUR)
}

/// The object of `kind` called `name`.
pub(crate) fn find<'a>(
    cluster: &'a Cluster,
    kind: Kind,
    namespace: &str,
    name: &str,
) -> Option<Item<'a>> {
    let ns = if kind.namespaced() {
        Some(namespace)
    } else {
        None
    };
    list(cluster, kind, ns)
        .into_iter()
        .find(|i| i.name() == name)
}

// ---------------------------------------------------------------------------------------------
// Table columns

/// The header row of `kind`'s table, from the resource table.
pub(crate) fn headers(kind: Kind, wide: bool) -> Vec<&'static str> {
    let r = kind.resource_type();
    let mut h = r.columns.to_vec();
    if wide {
        h.extend(r.wide);
    }
    h
}

/// The Kubernetes release every node runs ([`crate::version`]).
pub(crate) const KUBE_VERSION: &str = crate::version::KUBERNETES;
pub(crate) const OS_IMAGE: &str = crate::version::NODE_OS;
/// The host's kernel; kind nodes are containers sharing it, so any value is one host's.
pub(crate) const KERNEL: &str = "6.8.0-49-generic";
pub(crate) const CONTAINER_RUNTIME: &str = crate::version::CONTAINERD;

/// One row of `item`'s table (without the NAMESPACE column).
pub(crate) fn row(cluster: &Cluster, item: &Item, wide: bool) -> Vec<String> {
    let age = |t: crate::time::Time| human_duration(cluster.now().saturating_sub(t));
    match item {
        Item::Pod(p) => pod_row(p, cluster.now(), wide),
        Item::Service(s) => {
            let mut r = vec![
                s.meta.name.clone(),
                s.spec.type_.as_str().to_string(),
                cluster_ip(s),
                external_ip(s),
                port_string(s),
                age(s.meta.creation),
            ];
            if wide {
                r.push(
                    s.spec
                        .selector
                        .as_ref()
                        .map_or("<none>".into(), format_labels),
                );
            }
            r
        }
        Item::DaemonSet(d) => {
            let mut r = vec![
                d.meta.name.clone(),
                d.desired.to_string(),
                d.current.to_string(),
                d.ready.to_string(),
                d.current.to_string(),
                d.ready.to_string(),
                format_labels(&d.node_selector),
                age(d.meta.creation),
            ];
            if wide {
                r.push(d.container.clone());
                r.push(d.image.clone());
                r.push(format!("k8s-app={}", d.meta.name));
            }
            r
        }
        Item::Deployment(d) => {
            let counts =
                cluster.deployment_counts(&ObjectKey::new(&d.meta.namespace, &d.meta.name));
            deployment_row(d, &counts, cluster.now(), wide)
        }
        Item::ReplicaSet(rs) => {
            let (current, ready) = replica_set_counts(cluster, rs);
            replica_set_row(rs, current, ready, cluster.now(), wide)
        }
        Item::Endpoints(e) => vec![
            e.meta.name.clone(),
            format_endpoints(e),
            age(e.meta.creation),
        ],
        Item::EndpointSlice(s) => vec![
            s.meta.name.clone(),
            "IPv4".into(),
            discovery_ports(s),
            discovery_endpoints(s),
            age(s.meta.creation),
        ],
        Item::Node(n) => {
            let mut r = vec![
                n.meta.name.clone(),
                if n.ready {
                    "Ready".into()
                } else {
                    "NotReady".into()
                },
                node_roles(n),
                age(n.meta.creation),
                KUBE_VERSION.into(),
            ];
            if wide {
                r.push(n.internal_ip.to_string());
                r.push("<none>".into());
                r.push(OS_IMAGE.into());
                r.push(KERNEL.into());
                r.push(CONTAINER_RUNTIME.into());
            }
            r
        }
        Item::Namespace(n) => vec![n.meta.name.clone(), "Active".into(), age(n.meta.creation)],
        Item::NetworkPolicy(np) => vec![
            np.meta.name.clone(),
            selector_or_none(&np.spec.pod_selector),
            age(np.meta.creation),
        ],
        Item::Event(e) => vec![
            age(e.last),
            if e.warning {
                "Warning".into()
            } else {
                "Normal".into()
            },
            e.reason.clone(),
            e.object.clone(),
            e.message.clone(),
        ],
    }
}

/// A pod's row: everything it prints is the pod's own (its spec, its status as the kubelet
/// wrote it); `now` only ages it.
pub(crate) fn pod_row(p: &Pod, now: crate::time::Time, wide: bool) -> Vec<String> {
    let total = p.spec.containers.len().max(1);
    let ready = if p.status.ready { total } else { 0 };
    let mut r = vec![
        p.meta.name.clone(),
        format!("{ready}/{total}"),
        p.status_reason().to_string(),
        p.status.restarts.to_string(),
        human_duration(now.saturating_sub(p.meta.creation)),
    ];
    if wide {
        r.push(p.status.pod_ip.map_or("<none>".into(), |ip| ip.to_string()));
        r.push(p.spec.node_name.clone().unwrap_or_else(|| "<none>".into()));
        r.push("<none>".into());
        r.push("<none>".into());
    }
    r
}

/// A Deployment's row, given the counts its status holds (svclab computes them from the
/// rollout: [`Cluster::deployment_counts`]).
pub(crate) fn deployment_row(
    d: &Deployment,
    counts: &crate::cluster::DeploymentCounts,
    now: crate::time::Time,
    wide: bool,
) -> Vec<String> {
    let mut r = vec![
        d.meta.name.clone(),
        format!("{}/{}", counts.ready, counts.desired),
        counts.up_to_date.to_string(),
        counts.available.to_string(),
        human_duration(now.saturating_sub(d.meta.creation)),
    ];
    if wide {
        r.push(containers(&d.spec.template.spec));
        r.push(images(&d.spec.template.spec));
        r.push(selector_string(&d.spec.selector));
    }
    r
}

/// A ReplicaSet's row, given `CURRENT` and `READY` as its status holds them (svclab counts its
/// pods: [`replica_set_counts`]).
pub(crate) fn replica_set_row(
    rs: &ReplicaSet,
    current: i64,
    ready: i64,
    now: crate::time::Time,
    wide: bool,
) -> Vec<String> {
    let mut r = vec![
        rs.meta.name.clone(),
        rs.replicas.to_string(),
        current.to_string(),
        ready.to_string(),
        human_duration(now.saturating_sub(rs.meta.creation)),
    ];
    if wide {
        r.push(containers(&rs.template.spec));
        r.push(images(&rs.template.spec));
        r.push(selector_string(&rs.selector));
    }
    r
}

/// `CURRENT` and `READY` of a ReplicaSet: its active pods, and the ready ones among them.
pub(crate) fn replica_set_counts(cluster: &Cluster, rs: &ReplicaSet) -> (i64, i64) {
    let pods: Vec<&Pod> = cluster
        .pods()
        .values()
        .filter(|p| {
            p.meta.namespace == rs.meta.namespace
                && p.owner.as_deref() == Some(rs.meta.name.as_str())
                && !p.is_terminating()
        })
        .collect();
    let ready = pods.iter().filter(|p| p.status.ready).count() as i64;
    (pods.len() as i64, ready)
}

pub(crate) fn cluster_ip(s: &Service) -> String {
    s.spec.cluster_ip.column()
}

/// `EXTERNAL-IP`, as `getServiceExternalIP` computes it (kubernetes/kubernetes
/// `pkg/printers/internalversion/printers.go`, v1.31): the external IPs for ClusterIP and
/// NodePort Services, the ingress IPs then the external IPs for a LoadBalancer.
pub(crate) fn external_ip(s: &Service) -> String {
    let external: Vec<String> = s
        .spec
        .external_ips
        .iter()
        .map(|ip| ip.to_string())
        .collect();
    match s.spec.type_ {
        ServiceType::ClusterIp | ServiceType::NodePort if !external.is_empty() => {
            external.join(",")
        }
        ServiceType::ClusterIp | ServiceType::NodePort => "<none>".into(),
        ServiceType::LoadBalancer => {
            let mut all: Vec<String> = s
                .status
                .load_balancer_ip
                .iter()
                .map(|ip| ip.to_string())
                .collect();
            all.extend(external);
            if all.is_empty() {
                "<pending>".into()
            } else {
                all.join(",")
            }
        }
        ServiceType::ExternalName => s.spec.external_name.clone().unwrap_or_default(),
    }
}

/// `PORT(S)`: `80/TCP`, `80:30080/TCP`, comma-joined; `<none>` without ports.
pub(crate) fn port_string(s: &Service) -> String {
    if s.spec.ports.is_empty() {
        return "<none>".into();
    }
    s.port_list()
}

/// `labels.FormatLabels`: `a=b,c=d`, or `<none>`.
pub(crate) fn format_labels(labels: &Labels) -> String {
    if labels.is_empty() {
        return "<none>".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A `LabelSelector` as `metav1.LabelSelectorAsSelector(...).String()` prints it: requirements
/// sorted by key.
pub(crate) fn selector_string(s: &LabelSelector) -> String {
    let mut reqs: Vec<(String, String)> = s
        .match_labels
        .iter()
        .map(|(k, v)| (k.clone(), format!("{k}={v}")))
        .collect();
    for r in &s.match_expressions {
        let mut values = r.values.clone();
        crate::sort::sort(&mut values);
        let text = match r.operator {
            SelectorOp::In => format!("{} in ({})", r.key, values.join(",")),
            SelectorOp::NotIn => format!("{} notin ({})", r.key, values.join(",")),
            SelectorOp::Exists => r.key.clone(),
            SelectorOp::DoesNotExist => format!("!{}", r.key),
            SelectorOp::Gt => format!("{}>{}", r.key, values.join(",")),
            SelectorOp::Lt => format!("{}<{}", r.key, values.join(",")),
        };
        reqs.push((r.key.clone(), text));
    }
    crate::sort::sort_by(&mut reqs, |a, b| a.0.cmp(&b.0));
    reqs.into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(",")
}

/// `metav1.FormatLabelSelector`: `<none>` for the empty selector.
pub(crate) fn selector_or_none(s: &LabelSelector) -> String {
    if s.is_empty() {
        "<none>".into()
    } else {
        selector_string(s)
    }
}

fn containers(spec: &PodSpec) -> String {
    spec.containers
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn images(spec: &PodSpec) -> String {
    spec.containers
        .iter()
        .map(|c| c.image.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn node_roles(n: &Node) -> String {
    let roles: Vec<&str> = n
        .meta
        .labels
        .keys()
        .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
        .filter(|r| !r.is_empty())
        .collect();
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.join(",")
    }
}

/// `formatEndpoints` of the Endpoints printer: ready `ip:port`s, at most three, then
/// ` + N more...`; `<none>` when there is none.
pub(crate) fn format_endpoints(e: &Endpoints) -> String {
    if e.subsets.is_empty() {
        return "<none>".into();
    }
    let max = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in &e.subsets {
        if ss.ports.is_empty() {
            count += ss.addresses.len();
            for (ip, _) in &ss.addresses {
                if list.len() == max {
                    more = true;
                    break;
                }
                list.push(ip.to_string());
            }
            continue;
        }
        for port in &ss.ports {
            count += ss.addresses.len();
            for (ip, _) in &ss.addresses {
                if list.len() == max {
                    more = true;
                    break;
                }
                list.push(format!("{ip}:{}", port.port));
            }
        }
    }
    let ret = list.join(",");
    if more {
        return format!("{ret} + {} more...", count - max);
    }
    if ret.is_empty() {
        "<none>".into()
    } else {
        ret
    }
}

fn list_with_more(list: Vec<String>, more: bool, count: usize, max: usize) -> String {
    let ret = list.join(",");
    if more {
        return format!("{ret} + {} more...", count - max);
    }
    if ret.is_empty() {
        "<unset>".into()
    } else {
        ret
    }
}

/// `formatDiscoveryPorts`.
pub(crate) fn discovery_ports(s: &EndpointSlice) -> String {
    let max = 3;
    let mut list = Vec::new();
    let mut more = false;
    for p in &s.ports {
        if list.len() < max {
            list.push(p.port.to_string());
        } else {
            more = true;
        }
    }
    list_with_more(list, more, s.ports.len(), max)
}

/// `formatDiscoveryEndpoints`: every endpoint's address, ready or not.
pub(crate) fn discovery_endpoints(s: &EndpointSlice) -> String {
    let max = 3;
    let mut list = Vec::new();
    let mut more = false;
    for e in &s.endpoints {
        if list.len() < max {
            list.push(e.ip.to_string());
        } else {
            more = true;
        }
    }
    list_with_more(list, more, s.endpoints.len(), max)
}

/// Parse `-l` as apimachinery's `labels.Parse` reads it: `k=v`, `k==v`, `k!=v`, `k`, `!k`,
/// `k in (a,b)`, `k notin (a,b)`, `k>1`, `k<1`, comma-joined, with spaces, tabs and newlines
/// between tokens. An empty selector (kubectl skips a blank `-l`) matches everything.
pub(crate) fn parse_selector(text: &str) -> Result<LabelSelector, String> {
    let mut sel = LabelSelector::default();
    // The lexer's whitespace (`isWhitespace`) only separates tokens: read it all as spaces.
    let spaced: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\t' | '\r' | '\n') {
                ' '
            } else {
                c
            }
        })
        .collect();
    if spaced.trim().is_empty() {
        return Ok(sel);
    }
    // Split on commas outside parentheses.
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in spaced.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c);
            }
            ')' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    for part in parts {
        let p = part.trim();
        if p.is_empty() {
            return Err(format!(
                "unable to parse requirement: found '', expected: identifier in {text:?}"
            ));
        }
        let exact = |k: &str, operator: SelectorOp, v: &str| SelectorRequirement {
            key: k.trim().into(),
            operator,
            values: vec![v.trim().into()],
        };
        let req = if let Some((k, v)) = p.split_once("!=") {
            exact(k, SelectorOp::NotIn, v)
        } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
            exact(k, SelectorOp::In, v)
        } else if let Some((k, v)) = p.split_once('>') {
            exact(k, SelectorOp::Gt, v)
        } else if let Some((k, v)) = p.split_once('<') {
            exact(k, SelectorOp::Lt, v)
        } else if let Some(k) = p.strip_prefix('!') {
            SelectorRequirement {
                key: k.trim().into(),
                operator: SelectorOp::DoesNotExist,
                values: vec![],
            }
        } else if let Some((k, rest)) = split_set(p, " notin ") {
            SelectorRequirement {
                key: k,
                operator: SelectorOp::NotIn,
                values: rest,
            }
        } else if let Some((k, rest)) = split_set(p, " in ") {
            SelectorRequirement {
                key: k,
                operator: SelectorOp::In,
                values: rest,
            }
        } else {
            SelectorRequirement {
                key: p.into(),
                operator: SelectorOp::Exists,
                values: vec![],
            }
        };
        // apimachinery's `validateLabelKey`: `IsQualifiedName`, its messages joined by "; ".
        let key_errors = crate::validate::is_qualified_name(&req.key);
        if !req.key.is_empty() && !key_errors.is_empty() {
            return Err(format!(
                "unable to parse requirement: <nil>: Invalid value: {:?}: {}",
                req.key,
                key_errors.join("; ")
            ));
        }
        let special = ['(', ')', '!', '=', '<', '>'];
        let bad = |s: &str| s.is_empty() || s.contains(char::is_whitespace) || s.contains(special);
        if bad(&req.key)
            || req
                .values
                .iter()
                .any(|v| v.contains(char::is_whitespace) || v.contains(special))
        {
            return Err(format!(
                "unable to parse requirement: <nil>: Invalid value: {:?}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                req.key
            ));
        }
        // `NewRequirement`: a `Gt` or `Lt` bound is an integer.
        if matches!(req.operator, SelectorOp::Gt | SelectorOp::Lt) {
            let v = &req.values[0];
            if v.parse::<i64>().is_err() {
                return Err(format!(
                    "unable to parse requirement: values[0]: Invalid value: {v:?}: for 'Gt', 'Lt' operators, the value must be an integer"
                ));
            }
        }
        sel.match_expressions.push(req);
    }
    Ok(sel)
}

fn split_set(p: &str, op: &str) -> Option<(String, Vec<String>)> {
    let (k, rest) = p.split_once(op)?;
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some((
        k.trim().to_string(),
        inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    ))
}

/// The cluster's pods by node, for describe node.
pub(crate) fn pods_on_node<'a>(cluster: &'a Cluster, node: &str) -> Vec<&'a Pod> {
    let mut pods: Vec<&Pod> = cluster
        .pods()
        .values()
        .filter(|p| {
            p.spec.node_name.as_deref() == Some(node)
                && !matches!(p.status.phase, PodPhase::Succeeded | PodPhase::Failed)
        })
        .collect();
    crate::sort::sort_by(&mut pods, |a, b| {
        (&a.meta.namespace, &a.meta.name).cmp(&(&b.meta.namespace, &b.meta.name))
    });
    pods
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Config;
    use crate::examples::{SEED_FILENAME, SEED_MANIFEST};

    const DENY_ALL: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
spec:
  podSelector: {}
";

    /// The resource table's columns and the printer's rows come from two places: every row of
    /// every simulated kind has one cell per column, with and without `-o wide`.
    #[test]
    fn every_row_fills_its_kinds_columns() {
        let mut cluster = Cluster::new(Config::default());
        cluster.apply(SEED_MANIFEST, SEED_FILENAME).expect("seed");
        cluster.apply(DENY_ALL, "policy.yaml").expect("policy");
        cluster.advance(30 * crate::time::SECOND);
        for r in crate::resource::RESOURCES {
            let Some(kind) = r.simulated else { continue };
            assert!(!r.columns.is_empty(), "{} has no columns", r.kind);
            let items = list(&cluster, kind, None);
            assert!(!items.is_empty(), "the test cluster has no {}", r.plural);
            for wide in [false, true] {
                for item in &items {
                    assert_eq!(
                        row(&cluster, item, wide).len(),
                        headers(kind, wide).len(),
                        "{} {} (wide: {wide})",
                        r.kind,
                        item.name()
                    );
                }
            }
        }
    }
}
