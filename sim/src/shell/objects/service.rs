//! A Service, its Endpoints and its EndpointSlices as the API server returns them.

use crate::clock::rfc3339;
use crate::cluster::Cluster;
use crate::model::*;
use crate::shell::get::Kind;
use crate::shell::value::Value;

use super::{derived_uid, head, labels_value, meta_value, s, stable_uid, Owner};

pub(super) fn service(svc: &Service) -> Value {
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
    if !spec.external_ips.is_empty() {
        v = v.with(
            "externalIPs",
            Value::List(
                spec.external_ips
                    .iter()
                    .map(|ip| s(ip.to_string()))
                    .collect(),
            ),
        );
    }
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
    if let Some(h) = spec.health_check_node_port {
        v = v.with("healthCheckNodePort", Value::Int(h));
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

pub(super) fn address_value(
    cluster: &Cluster,
    ns: &str,
    ip: &std::net::Ipv4Addr,
    pod: &str,
) -> Value {
    let mut v = Value::map().with("ip", s(ip.to_string()));
    if let Some(p) = cluster.pods().get(&ObjectKey::new(ns, pod)) {
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

pub(super) fn endpoint_port_value(p: &EndpointPort) -> Value {
    let mut v = Value::map();
    if let Some(n) = &p.name {
        v = v.with("name", s(n.clone()));
    }
    v.with("port", Value::Int(p.port))
        .with("protocol", s(p.protocol.as_str()))
}

pub(super) fn endpoints(cluster: &Cluster, e: &Endpoints) -> Value {
    let ns = &e.meta.namespace;
    let mut meta = e.meta.clone();
    let svc = cluster.services().get(&ObjectKey::new(ns, &e.meta.name));
    match svc.filter(|svc| svc.spec.selector.is_some()) {
        // The endpoints controller's: the Service's labels, plus `service.kubernetes.io/headless`
        // for a headless one (kubernetes/kubernetes
        // `pkg/controller/endpoint/endpoints_controller.go`, v1.31, `syncService`).
        Some(svc) => {
            meta.labels = svc.meta.labels.clone();
            if svc.spec.cluster_ip == ClusterIp::Headless {
                meta.labels.insert(HEADLESS.into(), String::new());
            }
            meta.uid = derived_uid(&svc.meta.uid, "endpoints");
            meta.annotations.insert(
                "endpoints.kubernetes.io/last-change-trigger-time".into(),
                rfc3339(trigger_time(cluster, ns, e)),
            );
        }
        // Written by hand or by the API server (`kubernetes`): as written, with a uid of its own.
        None if meta.uid.is_empty() => {
            meta.uid = stable_uid(&format!("endpoints/{ns}/{}", meta.name));
        }
        None => {}
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
pub(super) fn trigger_time(cluster: &Cluster, ns: &str, e: &Endpoints) -> crate::time::Time {
    e.subsets
        .iter()
        .flat_map(|ss| ss.addresses.iter().chain(ss.not_ready_addresses.iter()))
        .filter_map(|(_, pod)| cluster.pods().get(&ObjectKey::new(ns, pod)))
        .filter_map(|p| p.status.start_time)
        .max()
        .unwrap_or(e.meta.creation)
        .max(e.meta.creation)
}

/// `service.kubernetes.io/headless`, on the endpoints of a Service without a cluster IP.
const HEADLESS: &str = "service.kubernetes.io/headless";

pub(super) fn endpoint_slice(cluster: &Cluster, sl: &EndpointSlice) -> Value {
    let ns = &sl.meta.namespace;
    let mut meta = sl.meta.clone();
    let svc = cluster.services().get(&ObjectKey::new(ns, &sl.service));
    let managed_by = sl
        .meta
        .labels
        .get("endpointslice.kubernetes.io/managed-by")
        .map(String::as_str);
    // Who wrote the slice decides its metadata: the EndpointSlice controller (the Service's
    // labels, owned by the Service), the mirroring controller (owned by the Endpoints it
    // mirrors: `pkg/controller/endpointslicemirroring/utils.go`, `newEndpointSlice`), or a
    // person or the API server (as written: the `kubernetes` slice has only its service-name
    // label and no owner, `pkg/controlplane/reconcilers/endpointsadapter.go`).
    let (owner, generate) = match managed_by {
        Some("endpointslice-controller.k8s.io") => {
            if let Some(svc) = svc {
                for (k, v) in &svc.meta.labels {
                    meta.labels.entry(k.clone()).or_insert_with(|| v.clone());
                }
                meta.uid = derived_uid(&svc.meta.uid, &sl.meta.name);
            }
            let owner = svc.map(|svc| Owner {
                api_version: "v1",
                kind: "Service",
                name: svc.meta.name.clone(),
                uid: svc.meta.uid.clone(),
            });
            (owner, Some(format!("{}-", sl.service)))
        }
        Some("endpointslicemirroring-controller.k8s.io") => {
            let endpoints_uid = cluster
                .endpoints()
                .get(&ObjectKey::new(ns, &sl.service))
                .map(|e| e.meta.uid.clone())
                .unwrap_or_default();
            meta.uid = derived_uid(&endpoints_uid, &sl.meta.name);
            let owner = Owner {
                api_version: "v1",
                kind: "Endpoints",
                name: sl.service.clone(),
                uid: endpoints_uid,
            };
            (Some(owner), Some(format!("{}-", sl.service)))
        }
        _ => {
            if meta.uid.is_empty() {
                meta.uid = stable_uid(&format!("endpointslice/{ns}/{}", meta.name));
            }
            (None, None)
        }
    };
    let controller = managed_by == Some("endpointslice-controller.k8s.io");
    meta.generation = meta.generation.max(1);
    let endpoints: Vec<Value> = sl
        .endpoints
        .iter()
        .map(|e| {
            let mut v = Value::map()
                .with("addresses", Value::List(vec![s(e.ip.to_string())]))
                .with(
                    "conditions",
                    // The controller writes all three; the API server and the mirroring
                    // controller write `ready` only.
                    if controller {
                        Value::map()
                            .with("ready", Value::Bool(e.ready))
                            .with("serving", Value::Bool(e.serving))
                            .with("terminating", Value::Bool(e.terminating))
                    } else {
                        Value::map().with("ready", Value::Bool(e.ready))
                    },
                );
            if let Some(h) = &e.hostname {
                v = v.with("hostname", s(h.clone()));
            }
            if !e.pod.is_empty() {
                let uid = cluster
                    .pods()
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
