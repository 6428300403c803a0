//! The side panel's content for a selected object, as plain data: facts, labels, endpoints and
//! recent events, the way `kubectl describe` would group them. The view renders it generically.

use svclab_sim::cluster::{Cluster, Event, NODE_EVENTS_NAMESPACE};
use svclab_sim::model::ObjectKey;

use crate::scene::PodState;

/// What the learner selected in the cluster view.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Selection {
    Pod(ObjectKey),
    Service(ObjectKey),
    Node(String),
    /// The kube-proxy of a node.
    Proxy(String),
    /// The pods of one owner on one node that the picture draws as one box (`node` is `None`
    /// for pods waiting to be scheduled, `owner` for bare pods).
    Group {
        namespace: String,
        owner: Option<String>,
        node: Option<String>,
    },
}

/// Events shown per object, newest first.
pub const EVENTS_SHOWN: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointRow {
    /// `10.244.1.4:80`.
    pub address: String,
    pub pod: String,
    pub node: String,
    /// `ready`, `not ready`, `terminating`.
    pub condition: &'static str,
    pub ready: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    /// kubectl's LAST SEEN: `12s`.
    pub age: String,
    /// `Normal` or `Warning`.
    pub type_: &'static str,
    pub reason: String,
    pub source: String,
    pub message: String,
}

/// The buttons a pod's details offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodControls {
    pub key: ObjectKey,
    /// Its readiness probe is made to fail.
    pub failing: bool,
    pub terminating: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Details {
    /// `Pod`, `Service`, `Node`, `kube-proxy`.
    pub kind: &'static str,
    pub title: String,
    /// `(name, value)`: `IP`, `Node`, `Status`, `ClusterIP`, ...
    pub facts: Vec<(String, String)>,
    /// `key=value`.
    pub labels: Vec<String>,
    /// A Service's endpoints (from its EndpointSlices); a pod's Services.
    pub endpoints: Vec<EndpointRow>,
    /// Plain lines under a heading (a node's pods, the Services a pod backs).
    pub list_title: &'static str,
    pub list: Vec<String>,
    pub events: Vec<EventRow>,
    pub pod: Option<PodControls>,
    /// Pods the learner can select from here (a group's), with a line about each.
    pub pods: Vec<(ObjectKey, String)>,
}

impl Details {
    fn new(kind: &'static str, title: String) -> Details {
        Details {
            kind,
            title,
            facts: Vec::new(),
            labels: Vec::new(),
            endpoints: Vec::new(),
            list_title: "",
            list: Vec::new(),
            events: Vec::new(),
            pod: None,
            pods: Vec::new(),
        }
    }

    fn fact(&mut self, name: &str, value: impl Into<String>) {
        self.facts.push((name.to_string(), value.into()));
    }
}

/// The details of `selection`, or `None` if it is gone from the cluster.
pub fn describe(cluster: &Cluster, selection: &Selection) -> Option<Details> {
    match selection {
        Selection::Pod(key) => {
            let pod = cluster.pods().get(key)?;
            let mut d = Details::new("Pod", key.name.clone());
            d.fact("Namespace", &key.namespace);
            d.fact(
                "Node",
                pod.spec
                    .node_name
                    .clone()
                    .unwrap_or_else(|| "<none>".into()),
            );
            d.fact(
                "IP",
                pod.status
                    .pod_ip
                    .map_or("<none>".into(), |ip| ip.to_string()),
            );
            d.fact("Status", pod.status_reason());
            d.fact("Ready", if pod.status.ready { "True" } else { "False" });
            if pod.faults.fail_readiness {
                d.fact("Readiness probe", "failing (made to fail)");
            }
            if let Some(c) = pod.spec.containers.first() {
                d.fact("Container", format!("{} ({})", c.name, c.image));
            }
            if let Some(owner) = &pod.owner {
                d.fact("Controlled by", format!("ReplicaSet/{owner}"));
            }
            d.labels = pod
                .meta
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            d.list_title = "Backs Services";
            d.list = cluster
                .endpoint_slices()
                .values()
                .filter(|s| {
                    s.meta.namespace == key.namespace
                        && s.endpoints.iter().any(|e| e.pod == key.name)
                })
                .map(|s| s.service.clone())
                .collect();
            d.list.dedup();
            d.events = events_of(cluster, &key.namespace, &format!("pod/{}", key.name));
            d.pod = Some(PodControls {
                key: key.clone(),
                failing: pod.faults.fail_readiness,
                terminating: PodState::of(pod) == PodState::Terminating,
            });
            Some(d)
        }
        Selection::Service(key) => {
            let svc = cluster.services().get(key)?;
            let mut d = Details::new("Service", key.name.clone());
            d.fact("Namespace", &key.namespace);
            d.fact("Type", svc.spec.type_.as_str());
            d.fact("ClusterIP", svc.spec.cluster_ip.column());
            for p in &svc.spec.ports {
                let name = p.name.clone().unwrap_or_else(|| "<unset>".into());
                let node_port = p
                    .node_port
                    .map(|n| format!(", NodePort {n}"))
                    .unwrap_or_default();
                d.fact(
                    "Port",
                    format!(
                        "{name} {}/{} → targetPort {}{node_port}",
                        p.port,
                        p.protocol.as_str(),
                        p.target_port
                    ),
                );
            }
            d.fact(
                "Selector",
                svc.spec
                    .selector
                    .as_ref()
                    .map(|s| {
                        s.iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_else(|| "<none>".into()),
            );
            d.fact(
                "DNS name",
                format!("{}.{}.svc.cluster.local", key.name, key.namespace),
            );
            d.labels = svc
                .meta
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            for slice in cluster.service_slices(key) {
                let port = slice.ports.first().map(|p| p.port);
                for e in &slice.endpoints {
                    let condition = if e.terminating {
                        "terminating"
                    } else if e.ready {
                        "ready"
                    } else {
                        "not ready"
                    };
                    d.endpoints.push(EndpointRow {
                        address: match port {
                            Some(p) => format!("{}:{p}", e.ip),
                            None => e.ip.to_string(),
                        },
                        pod: e.pod.clone(),
                        node: e.node.clone(),
                        condition,
                        ready: e.ready,
                    });
                }
            }
            d.list_title = "EndpointSlices";
            d.list = cluster
                .service_slices(key)
                .iter()
                .map(|s| s.meta.name.clone())
                .collect();
            d.events = events_of(cluster, &key.namespace, &format!("service/{}", key.name));
            Some(d)
        }
        Selection::Node(name) => {
            let node = cluster.node(name)?;
            let mut d = Details::new("Node", name.clone());
            d.fact("InternalIP", node.internal_ip.to_string());
            d.fact("PodCIDR", node.pod_cidr());
            d.fact(
                "Role",
                if node.control_plane {
                    "control-plane"
                } else {
                    "<none>"
                },
            );
            d.fact("Ready", if node.ready { "True" } else { "False" });
            d.labels = node
                .meta
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            d.list_title = "Pods";
            d.list = cluster
                .pods()
                .values()
                .filter(|p| p.spec.node_name.as_deref() == Some(name))
                .map(|p| {
                    format!(
                        "{}/{} ({})",
                        p.meta.namespace,
                        p.meta.name,
                        p.status_reason()
                    )
                })
                .collect();
            d.events = events_of(cluster, NODE_EVENTS_NAMESPACE, &format!("node/{name}"));
            Some(d)
        }
        Selection::Group {
            namespace,
            owner,
            node,
        } => {
            let pods: Vec<_> = cluster
                .pods()
                .values()
                .filter(|p| {
                    &p.meta.namespace == namespace
                        && p.spec.node_name == *node
                        && crate::scene::owner_of(cluster, p) == *owner
                })
                .collect();
            if pods.is_empty() {
                return None;
            }
            let name = owner.as_deref().unwrap_or("bare pods");
            let place = node.as_deref().unwrap_or("no node yet");
            let mut d = Details::new("Pods", format!("{name} on {place}"));
            d.fact("Namespace", namespace);
            d.fact("Node", place);
            if let Some(o) = owner {
                d.fact("Controlled by", o.clone());
            }
            d.fact("Pods", pods.len().to_string());
            let ready = pods.iter().filter(|p| p.status.ready).count();
            d.fact("Ready", format!("{ready} of {}", pods.len()));
            d.pods = pods
                .iter()
                .map(|p| {
                    let ip = p.status.pod_ip.map_or("no IP".into(), |ip| ip.to_string());
                    let ready = if p.status.ready { "Ready" } else { "not ready" };
                    (
                        p.key(),
                        format!("{} · {ip} · {} · {ready}", p.meta.name, p.status_reason()),
                    )
                })
                .collect();
            Some(d)
        }
        Selection::Proxy(node) => {
            let n = cluster.node(node)?;
            let mut d = Details::new("kube-proxy", format!("kube-proxy on {node}"));
            d.fact("Mode", cluster.proxy_mode().as_str());
            d.fact("Node IP", n.internal_ip.to_string());
            d.fact("Cluster CIDR", "10.244.0.0/16");
            d.list_title = "Programs rules for";
            d.list = cluster
                .services()
                .values()
                .filter_map(|s| {
                    let ip = s.spec.cluster_ip.ip()?;
                    let ports: Vec<String> = s
                        .spec
                        .ports
                        .iter()
                        .map(|p| format!("{}/{}", p.port, p.protocol.as_str()))
                        .collect();
                    Some(format!(
                        "{}/{} {ip} {}",
                        s.meta.namespace,
                        s.meta.name,
                        ports.join(",")
                    ))
                })
                .collect();
            Some(d)
        }
    }
}

/// The object's latest events, the most recently seen first.
fn events_of(cluster: &Cluster, namespace: &str, object: &str) -> Vec<EventRow> {
    let mut events: Vec<&Event> = cluster
        .events()
        .iter()
        .rev()
        .filter(|e| e.object == object && (namespace.is_empty() || e.namespace == namespace))
        .collect();
    // Stable: of events last seen at the same moment, the one recorded later comes first.
    svclab_sim::sort::sort_by_key(&mut events, |e| std::cmp::Reverse((e.last, e.time)));
    events
        .into_iter()
        .take(EVENTS_SHOWN)
        .map(|e| event_row(cluster, e))
        .collect()
}

fn event_row(cluster: &Cluster, e: &Event) -> EventRow {
    EventRow {
        age: e.age(cluster.now()),
        type_: if e.warning { "Warning" } else { "Normal" },
        reason: e.reason.clone(),
        source: e.source.clone(),
        message: e.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svclab_sim::cluster::Config;

    #[test]
    fn the_client_pods_details_hold_its_ip_labels_and_events() {
        let mut cluster = Cluster::new(Config::default());
        cluster.act(crate::seed::run_client()).unwrap();
        cluster.advance(10_000);
        let d = describe(&cluster, &Selection::Pod(ObjectKey::new("default", "test"))).unwrap();
        assert_eq!(d.kind, "Pod");
        assert_eq!(d.title, "test");
        assert!(d.labels.contains(&"run=test".to_string()));
        let ip = &d.facts.iter().find(|(k, _)| k == "IP").unwrap().1;
        assert!(ip.starts_with("10.244."), "{ip}");
        let reasons: Vec<&str> = d.events.iter().map(|e| e.reason.as_str()).collect();
        assert!(reasons.contains(&"Scheduled"), "{reasons:?}");
        assert!(reasons.contains(&"Started"), "{reasons:?}");
        assert!(d.pod.is_some());
    }

    #[test]
    fn kube_dns_lists_its_coredns_endpoints() {
        let cluster = Cluster::new(Config::default());
        let d = describe(
            &cluster,
            &Selection::Service(ObjectKey::new("kube-system", "kube-dns")),
        )
        .unwrap();
        assert!(d.facts.contains(&("ClusterIP".into(), "10.96.0.10".into())));
        assert_eq!(d.endpoints.len(), 2);
        assert!(d
            .endpoints
            .iter()
            .all(|e| e.ready && e.pod.starts_with("coredns-")));
        assert!(describe(&cluster, &Selection::Pod(ObjectKey::new("default", "nope"))).is_none());
        let proxy = describe(&cluster, &Selection::Proxy("kind-worker".into())).unwrap();
        assert!(proxy.facts.contains(&("Mode".into(), "iptables".into())));
    }
}
