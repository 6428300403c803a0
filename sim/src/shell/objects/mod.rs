//! Objects as the API server returns them, for `kubectl get -o yaml` / `-o json`: apiVersion,
//! kind, metadata (uid, resourceVersion, creationTimestamp from svclab's fixed clock), spec with
//! the API server's defaults filled in, and status.
//!
//! Fields are added in Go struct order (what `-o json` prints); `-o yaml` sorts them. One file per
//! group of kinds; this one holds the metadata every object shares, nodes and events.

use crate::cluster::{Cluster, Event};
use crate::model::*;

use crate::clock::rfc3339;
use crate::shell::get::{self, Item, Kind};
use crate::shell::value::Value;

mod network_policy;
mod pod;
mod service;
mod workload;

use network_policy::network_policy;
use pod::pod;
use service::{endpoint_slice, endpoints, service};
use workload::{deployment, replica_set};

fn s(v: impl Into<String>) -> Value {
    Value::Str(v.into())
}

fn labels_value(l: &Labels) -> Value {
    Value::Map(l.iter().map(|(k, v)| (k.clone(), s(v.clone()))).collect())
}

/// A stable resourceVersion for an object, from when it was made (svclab keeps no etcd revision).
fn resource_version(meta: &ObjectMeta) -> String {
    (1_000 + meta.creation / 100 + meta.generation.max(0) as u64).to_string()
}

struct Owner<'a> {
    api_version: &'a str,
    kind: &'a str,
    name: String,
    uid: String,
}

fn meta_value(
    meta: &ObjectMeta,
    generate_name: Option<String>,
    owner: Option<Owner>,
    with_generation: bool,
) -> Value {
    let mut m = Value::map().with("name", s(meta.name.clone()));
    if let Some(g) = generate_name {
        m = m.with("generateName", s(g));
    }
    if !meta.namespace.is_empty() {
        m = m.with("namespace", s(meta.namespace.clone()));
    }
    // Objects the cluster made without a uid (the `kubernetes` Service) get a stable one.
    let uid = if meta.uid.is_empty() {
        derived_uid(
            "00000000-0000-4000-8000-000000000000",
            &format!("{}/{}", meta.namespace, meta.name),
        )
    } else {
        meta.uid.clone()
    };
    m = m
        .with("uid", s(uid))
        .with("resourceVersion", s(resource_version(meta)));
    if with_generation {
        m = m.with("generation", Value::Int(meta.generation.max(1)));
    }
    m = m.with("creationTimestamp", s(rfc3339(meta.creation)));
    if let Some(d) = meta.deletion {
        m = m
            .with("deletionTimestamp", s(rfc3339(d + 30_000)))
            .with("deletionGracePeriodSeconds", Value::Int(30));
    }
    if !meta.labels.is_empty() {
        m = m.with("labels", labels_value(&meta.labels));
    }
    if !meta.annotations.is_empty() {
        m = m.with("annotations", labels_value(&meta.annotations));
    }
    if let Some(o) = owner {
        m = m.with(
            "ownerReferences",
            Value::List(vec![Value::map()
                .with("apiVersion", s(o.api_version))
                .with("kind", s(o.kind))
                .with("name", s(o.name))
                .with("uid", s(o.uid))
                .with("controller", Value::Bool(true))
                .with("blockOwnerDeletion", Value::Bool(true))]),
        );
    }
    m
}

fn head(kind: Kind) -> Value {
    Value::map()
        .with("apiVersion", s(kind.api_version()))
        .with("kind", s(kind.name()))
}

/// The object behind a table row.
pub(crate) fn to_value(cluster: &Cluster, item: &Item) -> Value {
    match item {
        Item::Pod(p) => pod(cluster, p),
        Item::Service(svc) => service(svc),
        Item::DaemonSet(d) => head(Kind::DaemonSet)
            .with("metadata", meta_value(&d.meta, None, None, true))
            .with(
                "spec",
                Value::map()
                    .with(
                        "selector",
                        Value::map().with("matchLabels", labels_value(&d.meta.labels)),
                    )
                    .with(
                        "template",
                        Value::map()
                            .with(
                                "metadata",
                                Value::map().with("labels", labels_value(&d.meta.labels)),
                            )
                            .with(
                                "spec",
                                Value::map()
                                    .with(
                                        "containers",
                                        Value::List(vec![Value::map()
                                            .with("name", s(d.container.clone()))
                                            .with("image", s(d.image.clone()))]),
                                    )
                                    .with("hostNetwork", Value::Bool(true))
                                    .with_opt(
                                        "nodeSelector",
                                        (!d.node_selector.is_empty())
                                            .then(|| labels_value(&d.node_selector)),
                                    ),
                            ),
                    ),
            )
            .with(
                "status",
                Value::map()
                    .with("currentNumberScheduled", Value::Int(d.current))
                    .with("desiredNumberScheduled", Value::Int(d.desired))
                    .with("numberAvailable", Value::Int(d.ready))
                    .with("numberReady", Value::Int(d.ready))
                    .with("observedGeneration", Value::Int(1))
                    .with("updatedNumberScheduled", Value::Int(d.current)),
            ),
        Item::Deployment(d) => deployment(cluster, d),
        Item::ReplicaSet(rs) => replica_set(cluster, rs),
        Item::Endpoints(e) => endpoints(cluster, e),
        Item::EndpointSlice(sl) => endpoint_slice(cluster, sl),
        Item::Node(n) => node(cluster, n),
        Item::Namespace(n) => head(Kind::Namespace)
            .with("metadata", meta_value(&n.meta, None, None, false))
            .with(
                "spec",
                Value::map().with("finalizers", Value::List(vec![s("kubernetes")])),
            )
            .with("status", Value::map().with("phase", s("Active"))),
        Item::NetworkPolicy(np) => network_policy(np),
        Item::Event(e) => event(e),
    }
}

/// `kind: List` around several objects.
pub(crate) fn list_value(items: Vec<Value>) -> Value {
    Value::map()
        .with("apiVersion", s("v1"))
        .with("items", Value::List(items))
        .with("kind", s("List"))
        .with("metadata", Value::map().with("resourceVersion", s("")))
}

fn node(cluster: &Cluster, n: &Node) -> Value {
    let _ = cluster;
    let mut meta = n.meta.clone();
    meta.labels
        .insert("beta.kubernetes.io/arch".into(), "amd64".into());
    meta.labels
        .insert("beta.kubernetes.io/os".into(), "linux".into());
    meta.labels
        .insert("kubernetes.io/arch".into(), "amd64".into());
    let mut spec = Value::map()
        .with("podCIDR", s(n.pod_cidr()))
        .with("podCIDRs", Value::List(vec![s(n.pod_cidr())]))
        .with(
            "providerID",
            s(format!("kind://docker/kind/{}", n.meta.name)),
        );
    if n.control_plane {
        spec = spec.with(
            "taints",
            Value::List(vec![Value::map()
                .with("key", s("node-role.kubernetes.io/control-plane"))
                .with("effect", s("NoSchedule"))]),
        );
    }
    head(Kind::Node)
        .with("metadata", meta_value(&meta, None, None, false))
        .with("spec", spec)
        .with(
            "status",
            Value::map()
                .with(
                    "addresses",
                    Value::List(vec![
                        Value::map()
                            .with("type", s("InternalIP"))
                            .with("address", s(n.internal_ip.to_string())),
                        Value::map()
                            .with("type", s("Hostname"))
                            .with("address", s(n.meta.name.clone())),
                    ]),
                )
                .with(
                    "nodeInfo",
                    Value::map()
                        .with("kernelVersion", s(get::KERNEL))
                        .with("osImage", s(get::OS_IMAGE))
                        .with("containerRuntimeVersion", s(get::CONTAINER_RUNTIME))
                        .with("kubeletVersion", s(get::KUBE_VERSION))
                        .with("operatingSystem", s("linux"))
                        .with("architecture", s("amd64")),
                ),
        )
}

fn event(e: &Event) -> Value {
    let (kind, name) = e.object.split_once('/').unwrap_or(("", e.object.as_str()));
    let kind = match kind {
        "pod" => "Pod",
        "replicaset" => "ReplicaSet",
        "deployment" => "Deployment",
        "service" => "Service",
        "node" => "Node",
        other => other,
    };
    let mut meta = ObjectMeta::new(&e.namespace, &get::event_name(e));
    meta.creation = e.time;
    let (component, host) = match e.source.split_once(',') {
        Some((c, h)) => (c.to_string(), Some(h.trim().to_string())),
        None => (e.source.clone(), None),
    };
    let mut source = Value::map().with("component", s(component));
    if let Some(h) = host {
        source = source.with("host", s(h));
    }
    head(Kind::Event)
        .with("metadata", meta_value(&meta, None, None, false))
        .with(
            "involvedObject",
            Value::map()
                .with("kind", s(kind))
                .with("namespace", s(e.namespace.clone()))
                .with("name", s(name))
                .with_opt("uid", (!e.uid.is_empty()).then(|| s(e.uid.clone()))),
        )
        .with("reason", s(e.reason.clone()))
        .with("message", s(e.message.clone()))
        .with("source", source)
        .with("firstTimestamp", s(rfc3339(e.time)))
        .with("lastTimestamp", s(rfc3339(e.last)))
        .with("count", Value::Int(i64::from(e.count)))
        .with("type", s(if e.warning { "Warning" } else { "Normal" }))
}

/// A version-4 UUID made from `seed` alone: the uid of an object the API server wrote at boot,
/// different for each object and the same in every run.
fn stable_uid(seed: &str) -> String {
    let part = |salt: &str| u64::from(crate::names::fnv32a(format!("{seed}{salt}").as_bytes()));
    let a = part("a") << 32 | part("b");
    let b = part("c") << 32 | part("d");
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// A uid for an object svclab derives from another (Endpoints from their Service).
fn derived_uid(uid: &str, salt: &str) -> String {
    let h = crate::names::fnv32a(format!("{uid}{salt}").as_bytes());
    let mut chars: Vec<char> = uid.chars().collect();
    let hex = format!("{h:08x}");
    for (i, c) in hex.chars().enumerate() {
        if let Some(slot) = chars.get_mut(i) {
            *slot = c;
        }
    }
    chars.into_iter().collect()
}
