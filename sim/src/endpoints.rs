//! The endpoint-slice and endpoints controllers: which pods back each Service port.
//!
//! A pod backs a Service when the selector matches its labels, it has an IP and it is not
//! Succeeded/Failed. Conditions: `serving` = pod Ready, `terminating` = being deleted,
//! `ready` = publishNotReadyAddresses || (serving && !terminating).

use crate::map::{SortedMap, SortedSet};
use std::net::Ipv4Addr;

use crate::model::{
    selector_matches, Endpoint, EndpointPort, EndpointSlice, EndpointSubset, Endpoints,
    IntOrString, ObjectKey, ObjectMeta, Pod, PodPhase, Service, ServiceType,
};

/// A pod's port for each Service port (name, number, protocol): pods that agree share a slice.
type PortMapping = Vec<(Option<String>, i64, &'static str)>;

/// At most this many endpoints per EndpointSlice (`--max-endpoints-per-slice`).
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

/// The port a pod serves a Service port on: the number, or the named container port
/// (name and protocol must match). `None` leaves the pod out for that port.
pub fn target_port(pod: &Pod, port: &crate::model::ServicePort) -> Option<i64> {
    match &port.target_port {
        IntOrString::Int(n) => Some(*n),
        IntOrString::Str(name) => pod.find_port(name, port.protocol),
    }
}

/// One pod's contribution: its endpoint conditions and its port for each Service port.
struct Backend<'a> {
    pod: &'a Pod,
    ip: Ipv4Addr,
    ports: Vec<EndpointPort>,
}

/// Pods by namespace and by the labels selectors start with, so a selector looks only at pods
/// that carry its first label instead of every pod.
pub struct PodIndex<'a> {
    by_namespace: SortedMap<&'a str, Vec<&'a Pod>>,
    by_label: SortedMap<(&'a str, &'a str, &'a str), Vec<&'a Pod>>,
}

impl<'a> PodIndex<'a> {
    /// The index for the selectors of `services`: only the label keys one of them starts with
    /// are indexed (`app`, not `pod-template-hash`). Pods come in name order, which is mostly
    /// their label values' order too, so most labels land at the end of the map.
    pub fn new<'s>(
        pods: &'a SortedMap<ObjectKey, Pod>,
        services: impl IntoIterator<Item = &'s Service>,
    ) -> Self {
        let first_keys: SortedSet<&str> = services
            .into_iter()
            .filter_map(|s| s.spec.selector.as_ref()?.keys().next())
            .map(String::as_str)
            .collect();
        let mut by_namespace: SortedMap<&str, Vec<&Pod>> = SortedMap::new();
        let mut by_label: SortedMap<(&str, &str, &str), Vec<&Pod>> = SortedMap::new();
        for p in pods.values() {
            let ns = p.meta.namespace.as_str();
            by_namespace.entry(ns).or_default().push(p);
            for (k, v) in &p.meta.labels {
                if first_keys.contains(k.as_str()) {
                    by_label.entry((ns, k, v)).or_default().push(p);
                }
            }
        }
        PodIndex {
            by_namespace,
            by_label,
        }
    }

    /// Pods of `namespace` that `selector` picks, in name order.
    pub fn select(&self, namespace: &str, selector: &crate::model::Labels) -> Vec<&'a Pod> {
        let candidates: &[&Pod] = match selector.iter().next() {
            Some((k, v)) => self
                .by_label
                .get(&(namespace, k.as_str(), v.as_str()))
                .map_or(&[], |v| v.as_slice()),
            None => self
                .by_namespace
                .get(namespace)
                .map_or(&[], |v| v.as_slice()),
        };
        candidates
            .iter()
            .copied()
            .filter(|p| selector_matches(selector, &p.meta.labels))
            .collect()
    }
}

fn backends<'a>(service: &Service, pods: &PodIndex<'a>) -> Vec<Backend<'a>> {
    let Some(selector) = &service.spec.selector else {
        return Vec::new();
    };
    if service.spec.type_ == ServiceType::ExternalName {
        return Vec::new();
    }
    pods.select(&service.meta.namespace, selector)
        .into_iter()
        .filter(|p| !matches!(p.status.phase, PodPhase::Succeeded | PodPhase::Failed))
        .filter_map(|pod| {
            let ip = pod.status.pod_ip?;
            let ports = service
                .spec
                .ports
                .iter()
                .filter_map(|sp| {
                    Some(EndpointPort {
                        name: sp.name.clone(),
                        port: target_port(pod, sp)?,
                        protocol: sp.protocol,
                    })
                })
                .collect();
            Some(Backend { pod, ip, ports })
        })
        .collect()
}

fn endpoint(service: &Service, b: &Backend) -> Endpoint {
    let serving = b.pod.status.ready;
    let terminating = b.pod.is_terminating();
    // kubernetes/kubernetes `pkg/controller/util/endpoint/controller_utils.go` (v1.31),
    // `ShouldSetHostname`: the pod has a hostname and its subdomain is the Service's name.
    let hostname = b
        .pod
        .spec
        .hostname
        .clone()
        .filter(|_| b.pod.spec.subdomain.as_deref() == Some(service.meta.name.as_str()));
    Endpoint {
        ip: b.ip,
        pod: b.pod.meta.name.clone(),
        node: b.pod.spec.node_name.clone().unwrap_or_default(),
        hostname,
        ready: service.spec.publish_not_ready_addresses || (serving && !terminating),
        serving,
        terminating,
    }
}

/// The slices of one Service: one group per distinct port mapping, at most 100 endpoints each,
/// named from `names` (the controller's generated names, reused across syncs; more are made
/// with `new_name` when needed).
pub fn slices_for(
    service: &Service,
    pods: &PodIndex,
    names: &mut Vec<String>,
    mut new_name: impl FnMut() -> String,
) -> Vec<EndpointSlice> {
    if service.spec.selector.is_none() || service.spec.type_ == ServiceType::ExternalName {
        return Vec::new();
    }
    let mut groups: SortedMap<PortMapping, (Vec<EndpointPort>, Vec<Endpoint>)> = SortedMap::new();
    for b in backends(service, pods) {
        // A pod that serves none of the Service's ports (a named targetPort it lacks) is left out.
        if b.ports.is_empty() && !service.spec.ports.is_empty() {
            continue;
        }
        let key = b
            .ports
            .iter()
            .map(|p| (p.name.clone(), p.port, p.protocol.as_str()))
            .collect();
        let entry = groups
            .entry(key)
            .or_insert_with(|| (b.ports.clone(), Vec::new()));
        entry.1.push(endpoint(service, &b));
    }
    if groups.is_empty() {
        // An empty slice still exists, with the Service's ports and no endpoints.
        groups.insert(Vec::new(), (Vec::new(), Vec::new()));
    }
    let mut out = Vec::new();
    for (_, (ports, endpoints)) in groups {
        let chunks: Vec<Vec<Endpoint>> = if endpoints.is_empty() {
            vec![Vec::new()]
        } else {
            endpoints
                .chunks(MAX_ENDPOINTS_PER_SLICE)
                .map(|c| c.to_vec())
                .collect()
        };
        for chunk in chunks {
            if names.len() <= out.len() {
                names.push(new_name());
            }
            let name = names[out.len()].clone();
            let mut meta = ObjectMeta::new(&service.meta.namespace, &name);
            meta.labels.insert(
                "kubernetes.io/service-name".to_string(),
                service.meta.name.clone(),
            );
            meta.labels.insert(
                "endpointslice.kubernetes.io/managed-by".to_string(),
                "endpointslice-controller.k8s.io".to_string(),
            );
            // kubernetes/kubernetes `staging/src/k8s.io/endpointslice/utils.go` (v1.31),
            // `setEndpointSliceLabels`: a Service without a cluster IP marks its slices.
            if service.spec.cluster_ip == crate::model::ClusterIp::Headless {
                meta.labels
                    .insert("service.kubernetes.io/headless".to_string(), String::new());
            }
            meta.creation = service.meta.creation;
            out.push(EndpointSlice {
                meta,
                service: service.meta.name.clone(),
                ports: ports.clone(),
                endpoints: chunk,
            });
        }
    }
    names.truncate(out.len());
    out
}

/// The v1 Endpoints object of a Service with a selector: ready addresses, not-ready addresses;
/// terminating pods are left out unless `publishNotReadyAddresses` is set.
pub fn endpoints_for(service: &Service, pods: &PodIndex) -> Option<Endpoints> {
    if service.spec.selector.is_none() || service.spec.type_ == ServiceType::ExternalName {
        return None;
    }
    let publish = service.spec.publish_not_ready_addresses;
    let mut subsets: Vec<EndpointSubset> = Vec::new();
    for b in backends(service, pods) {
        if b.ports.is_empty() {
            continue;
        }
        let ready = publish || (b.pod.status.ready && !b.pod.is_terminating());
        if !ready && b.pod.is_terminating() {
            continue;
        }
        let subset = match subsets.iter_mut().position(|s| s.ports == b.ports) {
            Some(i) => &mut subsets[i],
            None => {
                subsets.push(EndpointSubset {
                    ports: b.ports.clone(),
                    ..Default::default()
                });
                let last = subsets.len() - 1;
                &mut subsets[last]
            }
        };
        let entry = (b.ip, b.pod.meta.name.clone());
        if ready {
            subset.addresses.push(entry);
        } else {
            subset.not_ready_addresses.push(entry);
        }
    }
    for s in &mut subsets {
        crate::sort::sort(&mut s.addresses);
        crate::sort::sort(&mut s.not_ready_addresses);
    }
    let mut meta = ObjectMeta::new(&service.meta.namespace, &service.meta.name);
    meta.creation = service.meta.creation;
    Some(Endpoints { meta, subsets })
}

/// The EndpointSlice mirroring controller's slices for a hand-written Endpoints of a Service
/// without a selector: one slice per subset, named from `names` (reused across syncs; more are
/// made with `new_name`), labelled as the controller labels them (the Endpoints' own labels,
/// `kubernetes.io/service-name` and its `managed-by`), each address `ready` as its list says
/// (kubernetes/kubernetes `pkg/controller/endpointslicemirroring/utils.go`, v1.31,
/// `addressToEndpoint`: only `ready` is set, so kube-proxy reads `serving` as true).
pub fn mirror(
    written: &Endpoints,
    names: &mut Vec<String>,
    mut new_name: impl FnMut() -> String,
) -> Vec<EndpointSlice> {
    let mut out = Vec::new();
    for subset in &written.subsets {
        if names.len() <= out.len() {
            names.push(new_name());
        }
        let name = names[out.len()].clone();
        let mut meta = ObjectMeta::new(&written.meta.namespace, &name);
        meta.labels = written.meta.labels.clone();
        meta.labels.insert(
            "kubernetes.io/service-name".to_string(),
            written.meta.name.clone(),
        );
        meta.labels.insert(
            "endpointslice.kubernetes.io/managed-by".to_string(),
            "endpointslicemirroring-controller.k8s.io".to_string(),
        );
        meta.creation = written.meta.creation;
        let endpoint = |ip: Ipv4Addr, pod: &str, ready: bool| Endpoint {
            ip,
            pod: pod.to_string(),
            node: String::new(),
            hostname: None,
            ready,
            serving: true,
            terminating: false,
        };
        let mut endpoints: Vec<Endpoint> = subset
            .addresses
            .iter()
            .map(|(ip, pod)| endpoint(*ip, pod, true))
            .collect();
        endpoints.extend(
            subset
                .not_ready_addresses
                .iter()
                .map(|(ip, pod)| endpoint(*ip, pod, false)),
        );
        out.push(EndpointSlice {
            meta,
            service: written.meta.name.clone(),
            ports: subset.ports.clone(),
            endpoints,
        });
    }
    names.truncate(out.len());
    out
}
