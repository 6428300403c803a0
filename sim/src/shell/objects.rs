//! Objects as the API server returns them, for `kubectl get -o yaml` / `-o json`: apiVersion,
//! kind, metadata (uid, resourceVersion, creationTimestamp from svclab's fixed clock), spec with
//! the API server's defaults filled in, and status.
//!
//! Fields are added in Go struct order (what `-o json` prints); `-o yaml` sorts them.

use crate::cluster::{Cluster, Event};
use crate::model::*;

use super::clock::rfc3339;
use super::get::{self, Item, Kind};
use super::value::Value;

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

fn container_value(c: &Container, defaults: bool) -> Value {
    let mut v = Value::map()
        .with("name", s(c.name.clone()))
        .with("image", s(c.image.clone()));
    if !c.command.is_empty() {
        v = v.with(
            "command",
            Value::List(c.command.iter().map(|a| s(a.clone())).collect()),
        );
    }
    if !c.args.is_empty() {
        v = v.with(
            "args",
            Value::List(c.args.iter().map(|a| s(a.clone())).collect()),
        );
    }
    if !c.ports.is_empty() {
        v = v.with(
            "ports",
            Value::List(
                c.ports
                    .iter()
                    .map(|p| {
                        let mut pv = Value::map();
                        if let Some(n) = &p.name {
                            pv = pv.with("name", s(n.clone()));
                        }
                        pv.with("containerPort", Value::Int(p.container_port))
                            .with("protocol", s(p.protocol.as_str()))
                    })
                    .collect(),
            ),
        );
    }
    if defaults {
        v = v.with("resources", Value::map());
    }
    if let Some(p) = &c.readiness_probe {
        v = v.with(
            "readinessProbe",
            Value::map()
                .with("initialDelaySeconds", Value::Int(p.initial_delay_seconds))
                .with("timeoutSeconds", Value::Int(1))
                .with("periodSeconds", Value::Int(p.period_seconds.max(1)))
                .with("successThreshold", Value::Int(1))
                .with("failureThreshold", Value::Int(3)),
        );
    }
    if defaults {
        v = v
            .with("terminationMessagePath", s("/dev/termination-log"))
            .with("terminationMessagePolicy", s("File"))
            .with("imagePullPolicy", s(c.image_pull_policy.as_str()));
    }
    v
}

fn pod_spec_value(spec: &PodSpec, restart: &str, node: Option<&str>) -> Value {
    let mut v = Value::map().with(
        "containers",
        Value::List(
            spec.containers
                .iter()
                .map(|c| container_value(c, true))
                .collect(),
        ),
    );
    v = v
        .with("restartPolicy", s(restart))
        .with(
            "terminationGracePeriodSeconds",
            Value::Int(spec.termination_grace_period_seconds.unwrap_or(30)),
        )
        .with(
            "dnsPolicy",
            s(if spec.host_network {
                "ClusterFirstWithHostNet"
            } else {
                "ClusterFirst"
            }),
        );
    if !spec.node_selector.is_empty() {
        v = v.with("nodeSelector", labels_value(&spec.node_selector));
    }
    v = v
        .with("serviceAccountName", s("default"))
        .with("serviceAccount", s("default"));
    if let Some(n) = node {
        v = v.with("nodeName", s(n));
    }
    if spec.host_network {
        v = v.with("hostNetwork", Value::Bool(true));
    }
    v.with("securityContext", Value::map())
        .with("schedulerName", s("default-scheduler"))
        .with("priority", Value::Int(0))
        .with("enableServiceLinks", Value::Bool(true))
        .with("preemptionPolicy", s("PreemptLowerPriority"))
}

fn condition(kind: &str, ok: bool, at: Option<crate::time::Time>) -> Value {
    Value::map()
        .with("type", s(kind))
        .with("status", s(if ok { "True" } else { "False" }))
        .with("lastProbeTime", Value::Null)
        .with(
            "lastTransitionTime",
            at.map_or(Value::Null, |t| s(rfc3339(t))),
        )
}

fn pod(cluster: &Cluster, p: &Pod) -> Value {
    let owner = p.owner.as_ref().map(|rs| Owner {
        api_version: "apps/v1",
        kind: "ReplicaSet",
        name: rs.clone(),
        uid: cluster
            .replica_sets
            .get(&ObjectKey::new(&p.meta.namespace, rs))
            .map(|r| r.meta.uid.clone())
            .unwrap_or_default(),
    });
    let generate_name = p.owner.as_ref().map(|rs| format!("{rs}-"));
    let restart = p
        .spec
        .restart_policy
        .clone()
        .unwrap_or_else(|| "Always".into());
    let scheduled = p.spec.node_name.is_some();
    let running = p.status.container == ContainerState::Running;
    let start = p.status.start_time;
    let mut conditions = Vec::new();
    if scheduled {
        conditions.push(condition("PodReadyToStartContainers", running, start));
        conditions.push(condition("Initialized", true, Some(p.meta.creation)));
        conditions.push(condition("Ready", p.status.ready, start));
        conditions.push(condition("ContainersReady", p.status.ready, start));
    }
    conditions.push(condition(
        "PodScheduled",
        scheduled,
        scheduled.then_some(p.meta.creation),
    ));
    let mut status = Value::map()
        .with("phase", s(p.status.phase.as_str()))
        .with("conditions", Value::List(conditions));
    if let Some(ip) = p.status.host_ip {
        status = status.with("hostIP", s(ip.to_string())).with(
            "hostIPs",
            Value::List(vec![Value::map().with("ip", s(ip.to_string()))]),
        );
    }
    if let Some(ip) = p.status.pod_ip {
        status = status.with("podIP", s(ip.to_string())).with(
            "podIPs",
            Value::List(vec![Value::map().with("ip", s(ip.to_string()))]),
        );
    }
    if let Some(t) = start {
        status = status.with("startTime", s(rfc3339(t)));
    }
    if scheduled {
        let statuses: Vec<Value> = p
            .spec
            .containers
            .iter()
            .map(|c| {
                let state = match p.status.container {
                    ContainerState::Running => Value::map().with(
                        "running",
                        Value::map()
                            .with("startedAt", s(rfc3339(start.unwrap_or(p.meta.creation)))),
                    ),
                    ContainerState::Terminated => Value::map().with(
                        "terminated",
                        Value::map()
                            .with("exitCode", Value::Int(0))
                            .with("reason", s("Completed")),
                    ),
                    waiting => {
                        let mut w = Value::map();
                        if let Some(m) = &p.status.waiting_message {
                            w = w.with("message", s(m.clone()));
                        }
                        Value::map().with("waiting", w.with("reason", s(waiting.waiting_reason())))
                    }
                };
                let mut cs = Value::map()
                    .with("name", s(c.name.clone()))
                    .with("state", state);
                cs = cs
                    .with("lastState", Value::map())
                    .with("ready", Value::Bool(p.status.ready))
                    .with("restartCount", Value::Int(p.status.restarts))
                    .with("image", s(full_image(&c.image)));
                if running {
                    cs = cs
                        .with("imageID", s(super::describe::image_id(&c.image)))
                        .with(
                            "containerID",
                            s(super::describe::container_id(&p.meta.uid, &c.name)),
                        );
                } else {
                    cs = cs.with("imageID", s(""));
                }
                cs.with("started", Value::Bool(running))
            })
            .collect();
        status = status.with("containerStatuses", Value::List(statuses));
    }
    status = status.with("qosClass", s("BestEffort"));
    head(Kind::Pod)
        .with("metadata", meta_value(&p.meta, generate_name, owner, false))
        .with(
            "spec",
            pod_spec_value(&p.spec, &restart, p.spec.node_name.as_deref()),
        )
        .with("status", status)
}

/// The image as the kubelet reports it: `docker.io/library/nginx:latest`.
pub(crate) fn full_image(image: &str) -> String {
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n.to_string(), format!(":{t}")),
        _ => (image.to_string(), ":latest".to_string()),
    };
    let first = name.split('/').next().unwrap_or("");
    let qualified = if !name.contains('/') {
        format!("docker.io/library/{name}")
    } else if first.contains('.') || first.contains(':') || first == "localhost" {
        name
    } else {
        format!("docker.io/{name}")
    };
    format!("{qualified}{tag}")
}

fn service(svc: &Service) -> Value {
    let spec = &svc.spec;
    let mut v = Value::map();
    if !spec.ports.is_empty() {
        v = v.with(
            "ports",
            Value::List(
                spec.ports
                    .iter()
                    .map(|p| {
                        let mut pv = Value::map();
                        if let Some(n) = &p.name {
                            pv = pv.with("name", s(n.clone()));
                        }
                        pv = pv
                            .with("protocol", s(p.protocol.as_str()))
                            .with("port", Value::Int(p.port));
                        pv = pv.with(
                            "targetPort",
                            match &p.target_port {
                                IntOrString::Int(n) => Value::Int(*n),
                                IntOrString::Str(t) => s(t.clone()),
                            },
                        );
                        if let Some(np) = p.node_port {
                            pv = pv.with("nodePort", Value::Int(np));
                        }
                        pv
                    })
                    .collect(),
            ),
        );
    }
    if let Some(sel) = &spec.selector {
        v = v.with("selector", labels_value(sel));
    }
    let ip = match spec.cluster_ip {
        ClusterIp::Ip(ip) => Some(ip.to_string()),
        ClusterIp::Headless => Some("None".to_string()),
        ClusterIp::NoIp => None,
    };
    if let Some(ip) = &ip {
        v = v
            .with("clusterIP", s(ip.clone()))
            .with("clusterIPs", Value::List(vec![s(ip.clone())]));
    }
    v = v.with("type", s(spec.type_.as_str()));
    v = v.with(
        "sessionAffinity",
        s(if spec.session_affinity_timeout.is_some() {
            "ClientIP"
        } else {
            "None"
        }),
    );
    if let Some(ip) = spec.load_balancer_ip {
        v = v.with("loadBalancerIP", s(ip.to_string()));
    }
    if !spec.load_balancer_source_ranges.is_empty() {
        v = v.with(
            "loadBalancerSourceRanges",
            Value::List(
                spec.load_balancer_source_ranges
                    .iter()
                    .map(|r| s(r.clone()))
                    .collect(),
            ),
        );
    }
    if let Some(n) = &spec.external_name {
        v = v.with("externalName", s(n.clone()));
    }
    let external = matches!(
        spec.type_,
        ServiceType::NodePort | ServiceType::LoadBalancer
    );
    if external {
        v = v.with(
            "externalTrafficPolicy",
            s(spec.external_traffic_policy.as_str()),
        );
    }
    if spec.publish_not_ready_addresses {
        v = v.with("publishNotReadyAddresses", Value::Bool(true));
    }
    if let Some(t) = spec.session_affinity_timeout {
        v = v.with(
            "sessionAffinityConfig",
            Value::map().with(
                "clientIP",
                Value::map().with("timeoutSeconds", Value::Int(t)),
            ),
        );
    }
    if spec.type_ != ServiceType::ExternalName {
        v = v
            .with("ipFamilies", Value::List(vec![s("IPv4")]))
            .with("ipFamilyPolicy", s("SingleStack"));
    }
    if spec.type_ == ServiceType::LoadBalancer {
        v = v.with("allocateLoadBalancerNodePorts", Value::Bool(true));
    }
    if spec.type_ != ServiceType::ExternalName {
        v = v.with(
            "internalTrafficPolicy",
            s(spec.internal_traffic_policy.as_str()),
        );
    }
    let lb = match (spec.type_, svc.status.load_balancer_ip) {
        (ServiceType::LoadBalancer, Some(ip)) => Value::map().with(
            "ingress",
            Value::List(vec![Value::map()
                .with("ip", s(ip.to_string()))
                .with("ipMode", s("VIP"))]),
        ),
        _ => Value::map(),
    };
    head(Kind::Service)
        .with("metadata", meta_value(&svc.meta, None, None, false))
        .with("spec", v)
        .with("status", Value::map().with("loadBalancer", lb))
}

fn deployment(cluster: &Cluster, d: &Deployment) -> Value {
    let key = ObjectKey::new(&d.meta.namespace, &d.meta.name);
    let Some(r) = cluster.rollout(&key) else {
        return Value::Null;
    };
    let (updated, available, total) = (r.updated, r.available, r.total);
    let mut meta = d.meta.clone();
    let revision = cluster.deployment_revision(&key);
    meta.annotations.insert(
        "deployment.kubernetes.io/revision".into(),
        revision.max(1).to_string(),
    );
    let mut status = Value::map().with("observedGeneration", Value::Int(d.meta.generation.max(1)));
    if total > 0 {
        status = status
            .with("replicas", Value::Int(total))
            .with("updatedReplicas", Value::Int(updated));
    }
    if available > 0 {
        status = status
            .with("readyReplicas", Value::Int(available))
            .with("availableReplicas", Value::Int(available));
    }
    if total - available > 0 {
        status = status.with("unavailableReplicas", Value::Int(total - available));
    }
    let new_rs = &r.new_replica_set;
    let ok = r.minimum_available();
    let (progressing, reason) = r.progressing();
    let condition =
        |type_: &str, ok: bool, reason: &str, message: String, at: crate::time::Time| {
            Value::map()
                .with("type", s(type_))
                .with("status", s(if ok { "True" } else { "False" }))
                .with("lastUpdateTime", s(rfc3339(at)))
                .with("lastTransitionTime", s(rfc3339(at)))
                .with("reason", s(reason))
                .with("message", s(message))
        };
    let progress_message = match reason {
        "ProgressDeadlineExceeded" => {
            format!("ReplicaSet \"{new_rs}\" has timed out progressing.")
        }
        "NewReplicaSetAvailable" => {
            format!("ReplicaSet \"{new_rs}\" has successfully progressed.")
        }
        _ => format!("ReplicaSet \"{new_rs}\" is progressing."),
    };
    status = status.with(
        "conditions",
        Value::List(vec![
            condition(
                "Available",
                ok,
                if ok {
                    "MinimumReplicasAvailable"
                } else {
                    "MinimumReplicasUnavailable"
                },
                if ok {
                    "Deployment has minimum availability.".into()
                } else {
                    "Deployment does not have minimum availability.".into()
                },
                d.meta.creation,
            ),
            condition(
                "Progressing",
                progressing,
                reason,
                progress_message,
                r.last_progress,
            ),
        ]),
    );
    head(Kind::Deployment)
        .with("metadata", meta_value(&meta, None, None, true))
        .with(
            "spec",
            Value::map()
                .with("replicas", Value::Int(d.spec.replicas))
                .with("selector", selector_value(&d.spec.selector))
                .with("template", template_value(&d.spec.template))
                .with(
                    "strategy",
                    Value::map().with("type", s("RollingUpdate")).with(
                        "rollingUpdate",
                        Value::map()
                            .with("maxUnavailable", s("25%"))
                            .with("maxSurge", s("25%")),
                    ),
                )
                .with("revisionHistoryLimit", Value::Int(10))
                .with(
                    "progressDeadlineSeconds",
                    Value::Int(d.spec.progress_deadline_seconds),
                ),
        )
        .with("status", status)
}

fn selector_value(sel: &LabelSelector) -> Value {
    let mut v = Value::map();
    if !sel.match_labels.is_empty() {
        v = v.with("matchLabels", labels_value(&sel.match_labels));
    }
    if !sel.match_expressions.is_empty() {
        v = v.with(
            "matchExpressions",
            Value::List(
                sel.match_expressions
                    .iter()
                    .map(|r| {
                        let op = match r.operator {
                            SelectorOp::In => "In",
                            SelectorOp::NotIn => "NotIn",
                            SelectorOp::Exists => "Exists",
                            SelectorOp::DoesNotExist => "DoesNotExist",
                        };
                        let mut e = Value::map()
                            .with("key", s(r.key.clone()))
                            .with("operator", s(op));
                        if !r.values.is_empty() {
                            e = e.with(
                                "values",
                                Value::List(r.values.iter().map(|x| s(x.clone())).collect()),
                            );
                        }
                        e
                    })
                    .collect(),
            ),
        );
    }
    v
}

fn template_value(t: &PodTemplateSpec) -> Value {
    let mut meta = Value::map().with("creationTimestamp", Value::Null);
    if !t.labels.is_empty() {
        meta = meta.with("labels", labels_value(&t.labels));
    }
    if !t.annotations.is_empty() {
        meta = meta.with("annotations", labels_value(&t.annotations));
    }
    let restart = t
        .spec
        .restart_policy
        .clone()
        .unwrap_or_else(|| "Always".into());
    let mut spec = Value::map().with(
        "containers",
        Value::List(
            t.spec
                .containers
                .iter()
                .map(|c| container_value(c, true))
                .collect(),
        ),
    );
    spec = spec
        .with("restartPolicy", s(restart))
        .with(
            "terminationGracePeriodSeconds",
            Value::Int(t.spec.termination_grace_period_seconds.unwrap_or(30)),
        )
        .with("dnsPolicy", s("ClusterFirst"));
    if !t.spec.node_selector.is_empty() {
        spec = spec.with("nodeSelector", labels_value(&t.spec.node_selector));
    }
    spec = spec
        .with("securityContext", Value::map())
        .with("schedulerName", s("default-scheduler"));
    Value::map().with("metadata", meta).with("spec", spec)
}

fn replica_set(cluster: &Cluster, rs: &ReplicaSet) -> Value {
    let owner = cluster
        .deployments
        .get(&ObjectKey::new(&rs.meta.namespace, &rs.owner))
        .map(|d| Owner {
            api_version: "apps/v1",
            kind: "Deployment",
            name: d.meta.name.clone(),
            uid: d.meta.uid.clone(),
        });
    let (current, ready) = get::replica_set_counts(cluster, rs);
    let mut meta = rs.meta.clone();
    meta.annotations.insert(
        "deployment.kubernetes.io/desired-replicas".into(),
        rs.replicas.to_string(),
    );
    meta.annotations.insert(
        "deployment.kubernetes.io/max-replicas".into(),
        (rs.replicas + (rs.replicas + 3) / 4).to_string(),
    );
    meta.annotations.insert(
        "deployment.kubernetes.io/revision".into(),
        rs.revision.to_string(),
    );
    let mut status = Value::map().with("replicas", Value::Int(current));
    if current > 0 {
        status = status.with("fullyLabeledReplicas", Value::Int(current));
    }
    if ready > 0 {
        status = status
            .with("readyReplicas", Value::Int(ready))
            .with("availableReplicas", Value::Int(ready));
    }
    status = status.with("observedGeneration", Value::Int(1));
    head(Kind::ReplicaSet)
        .with("metadata", meta_value(&meta, None, owner, true))
        .with(
            "spec",
            Value::map()
                .with("replicas", Value::Int(rs.replicas))
                .with("selector", selector_value(&rs.selector))
                .with("template", template_value(&rs.template)),
        )
        .with("status", status)
}

fn address_value(cluster: &Cluster, ns: &str, ip: &std::net::Ipv4Addr, pod: &str) -> Value {
    let mut v = Value::map().with("ip", s(ip.to_string()));
    if let Some(p) = cluster.pods.get(&ObjectKey::new(ns, pod)) {
        if let Some(n) = &p.spec.node_name {
            v = v.with("nodeName", s(n.clone()));
        }
        v = v.with(
            "targetRef",
            Value::map()
                .with("kind", s("Pod"))
                .with("namespace", s(ns))
                .with("name", s(pod))
                .with("uid", s(p.meta.uid.clone())),
        );
    }
    v
}

fn endpoint_port_value(p: &EndpointPort) -> Value {
    let mut v = Value::map();
    if let Some(n) = &p.name {
        v = v.with("name", s(n.clone()));
    }
    v.with("port", Value::Int(p.port))
        .with("protocol", s(p.protocol.as_str()))
}

fn endpoints(cluster: &Cluster, e: &Endpoints) -> Value {
    let ns = &e.meta.namespace;
    let mut meta = e.meta.clone();
    if let Some(svc) = cluster.services.get(&ObjectKey::new(ns, &e.meta.name)) {
        meta.labels = svc.meta.labels.clone();
        meta.uid = derived_uid(&svc.meta.uid, "endpoints");
    }
    let last_change = trigger_time(cluster, ns, e);
    if e.meta.name != "kubernetes" {
        meta.annotations.insert(
            "endpoints.kubernetes.io/last-change-trigger-time".into(),
            rfc3339(last_change),
        );
    }
    let mut v = head(Kind::Endpoints).with("metadata", meta_value(&meta, None, None, false));
    if !e.subsets.is_empty() {
        v = v.with(
            "subsets",
            Value::List(
                e.subsets
                    .iter()
                    .map(|ss| {
                        let mut sv = Value::map();
                        if !ss.addresses.is_empty() {
                            sv = sv.with(
                                "addresses",
                                Value::List(
                                    ss.addresses
                                        .iter()
                                        .map(|(ip, pod)| address_value(cluster, ns, ip, pod))
                                        .collect(),
                                ),
                            );
                        }
                        if !ss.not_ready_addresses.is_empty() {
                            sv = sv.with(
                                "notReadyAddresses",
                                Value::List(
                                    ss.not_ready_addresses
                                        .iter()
                                        .map(|(ip, pod)| address_value(cluster, ns, ip, pod))
                                        .collect(),
                                ),
                            );
                        }
                        if !ss.ports.is_empty() {
                            sv = sv.with(
                                "ports",
                                Value::List(ss.ports.iter().map(endpoint_port_value).collect()),
                            );
                        }
                        sv
                    })
                    .collect(),
            ),
        );
    }
    v
}

/// When the endpoints last changed: the newest start of a pod they list (or the Service's birth).
fn trigger_time(cluster: &Cluster, ns: &str, e: &Endpoints) -> crate::time::Time {
    e.subsets
        .iter()
        .flat_map(|ss| ss.addresses.iter().chain(ss.not_ready_addresses.iter()))
        .filter_map(|(_, pod)| cluster.pods.get(&ObjectKey::new(ns, pod)))
        .filter_map(|p| p.status.start_time)
        .max()
        .unwrap_or(e.meta.creation)
        .max(e.meta.creation)
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

fn endpoint_slice(cluster: &Cluster, sl: &EndpointSlice) -> Value {
    let ns = &sl.meta.namespace;
    let mut meta = sl.meta.clone();
    let svc = cluster.services.get(&ObjectKey::new(ns, &sl.service));
    if let Some(svc) = svc {
        for (k, v) in &svc.meta.labels {
            meta.labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
        meta.uid = derived_uid(&svc.meta.uid, &sl.meta.name);
    }
    meta.generation = meta.generation.max(1);
    let owner = svc.map(|svc| Owner {
        api_version: "v1",
        kind: "Service",
        name: svc.meta.name.clone(),
        uid: svc.meta.uid.clone(),
    });
    let endpoints: Vec<Value> = sl
        .endpoints
        .iter()
        .map(|e| {
            let mut v = Value::map()
                .with("addresses", Value::List(vec![s(e.ip.to_string())]))
                .with(
                    "conditions",
                    Value::map()
                        .with("ready", Value::Bool(e.ready))
                        .with("serving", Value::Bool(e.serving))
                        .with("terminating", Value::Bool(e.terminating)),
                );
            if !e.pod.is_empty() {
                let uid = cluster
                    .pods
                    .get(&ObjectKey::new(ns, &e.pod))
                    .map(|p| p.meta.uid.clone())
                    .unwrap_or_default();
                v = v.with(
                    "targetRef",
                    Value::map()
                        .with("kind", s("Pod"))
                        .with("namespace", s(ns.clone()))
                        .with("name", s(e.pod.clone()))
                        .with("uid", s(uid)),
                );
            }
            if !e.node.is_empty() {
                v = v.with("nodeName", s(e.node.clone()));
            }
            v
        })
        .collect();
    let generate = (sl.meta.name != "kubernetes").then(|| format!("{}-", sl.service));
    let mut v =
        head(Kind::EndpointSlice).with("metadata", meta_value(&meta, generate, owner, true));
    v = v.with("addressType", s("IPv4"));
    v = v.with(
        "endpoints",
        if endpoints.is_empty() {
            Value::Null
        } else {
            Value::List(endpoints)
        },
    );
    v.with(
        "ports",
        if sl.ports.is_empty() {
            Value::Null
        } else {
            Value::List(sl.ports.iter().map(endpoint_port_value).collect())
        },
    )
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

fn peer_value(p: &PolicyPeer) -> Value {
    match p {
        PolicyPeer::Selectors {
            pod_selector,
            namespace_selector,
        } => {
            let mut v = Value::map();
            if let Some(ps) = pod_selector {
                v = v.with("podSelector", selector_value(ps));
            }
            if let Some(ns) = namespace_selector {
                v = v.with("namespaceSelector", selector_value(ns));
            }
            v
        }
        PolicyPeer::IpBlock(b) => {
            let mut ib = Value::map().with("cidr", s(b.cidr.clone()));
            if !b.except.is_empty() {
                ib = ib.with(
                    "except",
                    Value::List(b.except.iter().map(|e| s(e.clone())).collect()),
                );
            }
            Value::map().with("ipBlock", ib)
        }
    }
}

fn rule_value(r: &PolicyRule, peers_key: &str) -> Value {
    let mut v = Value::map();
    if !r.ports.is_empty() {
        v = v.with(
            "ports",
            Value::List(
                r.ports
                    .iter()
                    .map(|p| {
                        let mut pv = Value::map().with("protocol", s(p.protocol.as_str()));
                        if let Some(port) = &p.port {
                            pv = pv.with(
                                "port",
                                match port {
                                    IntOrString::Int(n) => Value::Int(*n),
                                    IntOrString::Str(t) => s(t.clone()),
                                },
                            );
                        }
                        if let Some(end) = p.end_port {
                            pv = pv.with("endPort", Value::Int(end));
                        }
                        pv
                    })
                    .collect(),
            ),
        );
    }
    if !r.peers.is_empty() {
        v = v.with(
            peers_key,
            Value::List(r.peers.iter().map(peer_value).collect()),
        );
    }
    v
}

fn network_policy(np: &NetworkPolicy) -> Value {
    let mut spec = Value::map().with("podSelector", selector_value(&np.spec.pod_selector));
    if !np.spec.ingress.is_empty() {
        spec = spec.with(
            "ingress",
            Value::List(
                np.spec
                    .ingress
                    .iter()
                    .map(|r| rule_value(r, "from"))
                    .collect(),
            ),
        );
    }
    if !np.spec.egress.is_empty() {
        spec = spec.with(
            "egress",
            Value::List(np.spec.egress.iter().map(|r| rule_value(r, "to")).collect()),
        );
    }
    let mut types = Vec::new();
    if np.spec.policy_ingress {
        types.push(s("Ingress"));
    }
    if np.spec.policy_egress {
        types.push(s("Egress"));
    }
    spec = spec.with("policyTypes", Value::List(types));
    head(Kind::NetworkPolicy)
        .with("metadata", meta_value(&np.meta, None, None, true))
        .with("spec", spec)
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
