//! Connections that failed after the name resolved: kube-proxy rejecting a Service without
//! endpoints (a selector matching no pod, pods not ready), a pod with nothing listening on the
//! target port, a Local traffic policy on a node without an endpoint, a pod gone mid-flight.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::Cluster;
use crate::model::{
    ContainerState, IntOrString, ObjectKey, Pod, Protocol, Service, ServiceType, TrafficPolicy,
};
use crate::resource::Kind;
use crate::time::human_duration;
use crate::trace::{Hop, HopVerdict, PacketKind, Place, Trace};

use super::nearest::{corrected, nearest_pods};
use super::{labels_text, Cause, Culprit, Diagnosis, NotReady, NotReadyReason};

/// How many label sets "nearest pods" shows.
const NEAREST: usize = 3;

/// A refused, dropped or unreachable connection.
pub(super) fn connection(cluster: &Cluster, trace: &Trace) -> Diagnosis {
    let failed = trace
        .hops
        .iter()
        .rev()
        .find(|h| matches!(h.verdict, HopVerdict::Dropped | HopVerdict::Refused));
    let first = trace.hops.iter().find(|h| h.kind == PacketKind::Request);
    let Some((failed, first)) = failed.zip(first) else {
        return other(trace);
    };
    let service = service_for(cluster, first.packet.dst, first.packet.protocol);
    match (&failed.to, failed.verdict) {
        (Place::Pod(pod), HopVerdict::Refused) => not_listening(cluster, service, pod, failed),
        (Place::Pod(pod), _) => pod_gone(cluster, Some(pod), *failed.packet.dst.ip()),
        (Place::Node(_), HopVerdict::Refused) => match service {
            Some((svc, _)) => no_endpoints(cluster, svc),
            None => match service_by_cluster_ip(cluster, *first.packet.dst.ip()) {
                Some(svc) => no_such_port(svc, first.packet.dst.port(), first.packet.protocol),
                None => other(trace),
            },
        },
        (Place::Node(node), _) => {
            if failed.from == failed.to {
                // After the DNAT, the endpoint's pod had vanished: the packet has nowhere to go.
                return pod_gone(cluster, None, *failed.packet.dst.ip());
            }
            match service {
                Some((svc, _)) if local_without_endpoint(cluster, svc, node) => {
                    no_local_endpoint(cluster, svc, node)
                }
                Some(_) => other(trace),
                None => match service_by_cluster_ip(cluster, *first.packet.dst.ip()) {
                    // iptables and IPVS mode have no rule for a port the Service lacks: the
                    // packet goes on to the virtual IP, which nothing answers.
                    Some(svc) => no_such_port(svc, first.packet.dst.port(), first.packet.protocol),
                    None => no_such_address(first.packet.dst),
                },
            }
        }
        _ => match service {
            Some(_) => other(trace),
            None => no_such_address(first.packet.dst),
        },
    }
}

/// The Service (and its port's index) that owns the address a client connected to: its
/// ClusterIP, a node's IP with its NodePort, or its LoadBalancer IP.
/// Ports are per protocol: a UDP datagram to a Service's TCP port is no match.
fn service_for(
    cluster: &Cluster,
    dst: SocketAddrV4,
    protocol: Protocol,
) -> Option<(&Service, usize)> {
    let ip = *dst.ip();
    let port = i64::from(dst.port());
    let on_node = cluster.nodes().iter().any(|n| n.internal_ip == ip);
    cluster.services().values().find_map(|svc| {
        let index = svc.spec.ports.iter().position(|p| {
            p.protocol == protocol
                && ((svc.spec.cluster_ip.ip() == Some(ip) && p.port == port)
                    || (on_node && p.node_port == Some(port))
                    || (svc.status.load_balancer_ip == Some(ip) && p.port == port))
        })?;
        Some((svc, index))
    })
}

fn selector_matches(svc: &Service, pod: &Pod) -> bool {
    pod.meta.namespace == svc.meta.namespace
        && svc
            .spec
            .selector
            .as_ref()
            .is_some_and(|s| s.iter().all(|(k, v)| pod.meta.labels.get(k) == Some(v)))
}

/// kube-proxy rejected: the Service has no ready endpoint. Either its selector matches no pod,
/// or the pods it matches are not ready.
fn no_endpoints(cluster: &Cluster, svc: &Service) -> Diagnosis {
    let key = svc.key();
    let selector = svc.spec.selector.clone().unwrap_or_default();
    let matching: Vec<&Pod> = cluster
        .pods()
        .values()
        .filter(|p| selector_matches(svc, p))
        .collect();
    if matching.is_empty() {
        let nearest = nearest_pods(
            &selector,
            cluster
                .pods()
                .values()
                .filter(|p| p.meta.namespace == svc.meta.namespace),
            NEAREST,
        );
        let mut evidence = vec![("selector".to_string(), labels_text(&selector))];
        for (pod, labels) in &nearest {
            evidence.push((format!("pod {}", pod.name), labels_text(labels)));
        }
        let fix = match nearest.first() {
            Some((pod, labels)) => {
                let want = corrected(&selector, labels);
                if want == selector {
                    format!(
                        "Change spec.selector of Service {} to labels its pods carry, or label the pods {}.",
                        key.name,
                        labels_text(&selector)
                    )
                } else {
                    format!(
                        "Change spec.selector of Service {} to {} (the labels of pod {}), or label the pods {}.",
                        key.name,
                        labels_text(&want),
                        pod.name,
                        labels_text(&selector)
                    )
                }
            }
            None => format!(
                "Create pods labelled {} (a Deployment whose template has these labels), or change spec.selector of Service {}.",
                labels_text(&selector),
                key.name
            ),
        };
        return Diagnosis {
            summary: format!(
                "Service {} selects no pod: no pod in namespace {} has the labels {}, so it has no endpoints and kube-proxy rejects the connection",
                key.name,
                key.namespace,
                labels_text(&selector)
            ),
            fix,
            evidence,
            culprit: Some(Culprit {
                kind: Kind::Service,
                key: key.clone(),
                field: Some("spec.selector".into()),
            }),
            cause: Cause::SelectorMatchesNoPod {
                service: key,
                selector,
                nearest,
            },
        };
    }
    let pods: Vec<NotReady> = matching.iter().map(|p| not_ready(cluster, p)).collect();
    let now = cluster.now();
    let evidence = pods
        .iter()
        .map(|n| {
            let why = match &n.reason {
                NotReadyReason::ReadinessProbeFailing { message, .. } => message.clone(),
                NotReadyReason::Waiting(reason) => (*reason).to_string(),
                NotReadyReason::Terminating => "Terminating".to_string(),
            };
            (
                format!("pod {}", n.pod.name),
                format!(
                    "{why} (for {})",
                    human_duration(now.saturating_sub(n.since))
                ),
            )
        })
        .collect();
    let probe = pods.iter().find_map(|n| match &n.reason {
        NotReadyReason::ReadinessProbeFailing {
            container,
            period_seconds,
            ..
        } => Some((n, container, period_seconds)),
        _ => None,
    });
    let owner = matching.first().and_then(|p| deployment_of(cluster, p));
    let (summary, fix, field) = match probe {
        Some((n, container, period)) => (
            format!(
                "Service {} has no ready endpoints: the readiness probe of container {} fails in every pod it selects (pod {} since {} ago)",
                key.name,
                container,
                n.pod.name,
                human_duration(now.saturating_sub(n.since))
            ),
            format!(
                "Make the readiness probe pass: fix what it checks in container {container}{}, or correct the probe; kube-proxy only sends traffic to ready pods.",
                match period {
                    Some(p) => format!(" (it runs every {p}s)"),
                    None => String::new(),
                }
            ),
            "spec.template.spec.containers[0].readinessProbe",
        ),
        None => (
            format!(
                "Service {} has no ready endpoints: the {} pods it selects are not running yet",
                key.name,
                matching.len()
            ),
            "Wait for the pods to start, or fix what keeps them waiting (kubectl describe pod shows the reason: an image that cannot be pulled, no node to run on).".to_string(),
            "spec.template.spec.containers[0].image",
        ),
    };
    let culprit = match owner {
        Some(deployment) => Culprit {
            kind: Kind::Deployment,
            key: deployment,
            field: Some(field.into()),
        },
        None => Culprit {
            kind: Kind::Pod,
            key: matching.first().map_or(key.clone(), |p| p.key()),
            field: Some(field.trim_start_matches("spec.template.").into()),
        },
    };
    Diagnosis {
        summary,
        fix,
        evidence,
        culprit: Some(culprit),
        cause: Cause::PodsNotReady { service: key, pods },
    }
}

/// Why `pod` is not ready, and since when.
pub(super) fn not_ready(cluster: &Cluster, pod: &Pod) -> NotReady {
    let key = pod.key();
    let object = format!("pod/{}", key.name);
    let unhealthy = cluster.events().iter().find(|e| {
        e.namespace == key.namespace
            && e.object == object
            && e.uid == pod.meta.uid
            && e.reason == "Unhealthy"
    });
    let container = pod.spec.containers.first();
    let reason = if pod.is_terminating() {
        NotReadyReason::Terminating
    } else if pod.status.container != ContainerState::Running {
        NotReadyReason::Waiting(pod.status_reason())
    } else {
        NotReadyReason::ReadinessProbeFailing {
            container: container.map_or(String::new(), |c| c.name.clone()),
            period_seconds: container
                .and_then(|c| c.readiness_probe.as_ref())
                .map(|p| p.period_seconds),
            message: unhealthy.map_or("Readiness probe failed".into(), |e| e.message.clone()),
        }
    };
    NotReady {
        pod: key,
        reason,
        since: unhealthy.map_or(pod.meta.creation, |e| e.time),
    }
}

/// The Deployment that owns `pod` (through its ReplicaSet).
fn deployment_of(cluster: &Cluster, pod: &Pod) -> Option<ObjectKey> {
    let rs = pod.owner.as_ref()?;
    let rs = cluster
        .replica_sets()
        .get(&ObjectKey::new(&pod.meta.namespace, rs))?;
    Some(ObjectKey::new(&pod.meta.namespace, &rs.owner))
}

/// The connection reached the pod and was reset.
fn not_listening(
    cluster: &Cluster,
    service: Option<(&Service, usize)>,
    pod: &ObjectKey,
    hop: &Hop,
) -> Diagnosis {
    let port = hop.packet.dst.port();
    let protocol = hop.packet.protocol;
    let declared: Vec<i64> = cluster.pods().get(pod).map_or(Vec::new(), |p| {
        p.spec
            .containers
            .iter()
            .flat_map(|c| c.ports.iter())
            .filter(|p| p.protocol == protocol)
            .map(|p| p.container_port)
            .collect()
    });
    let declared_text = if declared.is_empty() {
        "none declared".to_string()
    } else {
        declared
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut evidence = vec![
        (
            format!("pod {}", pod.name),
            format!("nothing listens on {} {port}", protocol.as_str()),
        ),
        ("containerPort".into(), declared_text),
    ];
    let (culprit, fix, service_key) = match service {
        Some((svc, index)) => {
            let target = svc.spec.ports.get(index).map(|p| match &p.target_port {
                IntOrString::Int(n) => n.to_string(),
                IntOrString::Str(s) => s.clone(),
            });
            evidence.insert(
                0,
                (
                    format!("Service {}", svc.meta.name),
                    format!(
                        "port {} → targetPort {}",
                        svc.spec.ports.get(index).map_or(0, |p| p.port),
                        target.unwrap_or_default()
                    ),
                ),
            );
            let want = declared
                .first()
                .map_or(String::new(), |p| format!(" to {p}"));
            (
                Culprit {
                    kind: Kind::Service,
                    key: svc.key(),
                    field: Some(format!("spec.ports[{index}].targetPort")),
                },
                format!(
                    "Change spec.ports[{index}].targetPort of Service {}{want}, the port the container listens on.",
                    svc.meta.name
                ),
                Some(svc.key()),
            )
        }
        None => (
            Culprit {
                kind: Kind::Pod,
                key: pod.clone(),
                field: Some("spec.containers[0].ports".into()),
            },
            format!("Connect to a port pod {} listens on.", pod.name),
            None,
        ),
    };
    let summary = match protocol {
        Protocol::Udp => format!(
            "port unreachable: pod {} has nothing listening on UDP port {port}",
            pod.name
        ),
        _ => format!(
            "connection refused: pod {} has nothing listening on port {port}",
            pod.name
        ),
    };
    Diagnosis {
        summary,
        fix,
        evidence,
        culprit: Some(culprit),
        cause: Cause::TargetPortNotListening {
            service: service_key,
            pod: pod.clone(),
            port,
            protocol,
            declared,
        },
    }
}

/// Does `svc` keep external traffic on nodes with a ready endpoint, and `node` has none?
fn local_without_endpoint(cluster: &Cluster, svc: &Service, node: &str) -> bool {
    svc.spec.external_traffic_policy == TrafficPolicy::Local
        && matches!(
            svc.spec.type_,
            ServiceType::NodePort | ServiceType::LoadBalancer
        )
        && !endpoint_nodes(cluster, svc).iter().any(|n| n == node)
}

fn endpoint_nodes(cluster: &Cluster, svc: &Service) -> Vec<String> {
    let mut nodes: Vec<String> = Vec::new();
    for slice in cluster.service_slices(&svc.key()) {
        for e in slice.endpoints.iter().filter(|e| e.ready) {
            if !nodes.contains(&e.node) {
                nodes.push(e.node.clone());
            }
        }
    }
    nodes
}

fn no_local_endpoint(cluster: &Cluster, svc: &Service, node: &str) -> Diagnosis {
    let nodes = endpoint_nodes(cluster, svc);
    let where_ = if nodes.is_empty() {
        "no node".to_string()
    } else {
        nodes.join(", ")
    };
    Diagnosis {
        summary: format!(
            "Service {} has externalTrafficPolicy: Local and node {node} runs none of its pods: kube-proxy drops the packet",
            svc.meta.name
        ),
        fix: format!(
            "Send the request to a node that runs a backend pod ({where_}), or set spec.externalTrafficPolicy of Service {} to Cluster (the client's source IP is then masqueraded).",
            svc.meta.name
        ),
        evidence: vec![
            ("externalTrafficPolicy".into(), "Local".into()),
            ("node asked".into(), node.to_string()),
            ("nodes with a ready endpoint".into(), where_),
        ],
        culprit: Some(Culprit {
            kind: Kind::Service,
            key: svc.key(),
            field: Some("spec.externalTrafficPolicy".into()),
        }),
        cause: Cause::NoLocalEndpoint {
            service: svc.key(),
            node: node.to_string(),
            nodes_with_endpoints: nodes,
        },
    }
}

fn pod_gone(cluster: &Cluster, pod: Option<&ObjectKey>, ip: Ipv4Addr) -> Diagnosis {
    // The pod object may be gone: its Deployment is found by its ReplicaSet's name prefix.
    let owner = pod.and_then(|pod| {
        cluster
            .pods()
            .get(pod)
            .and_then(|p| deployment_of(cluster, p))
            .or_else(|| {
                cluster
                    .replica_sets()
                    .values()
                    .find(|rs| {
                        rs.meta.namespace == pod.namespace
                            && pod
                                .name
                                .strip_prefix(rs.meta.name.as_str())
                                .is_some_and(|rest| rest.starts_with('-'))
                    })
                    .map(|rs| ObjectKey::new(&pod.namespace, &rs.owner))
            })
    });
    let name = pod.map_or_else(|| format!("at {ip}"), |p| p.name.clone());
    Diagnosis {
        summary: format!(
            "pod {name} went away while the request was on its way to it: nobody answers for {ip} any more"
        ),
        fix: "Send the request again: kube-proxy now picks among the pods that still run. To spare clients this, delete pods only after they leave the endpoints (a preStop hook, a longer terminationGracePeriodSeconds).".into(),
        evidence: vec![
            ("pod".into(), pod.map_or_else(|| "gone".into(), ObjectKey::to_string)),
            ("its IP".into(), ip.to_string()),
        ],
        culprit: owner.map(|key| Culprit {
            kind: Kind::Deployment,
            key,
            field: None,
        }),
        cause: Cause::PodGone {
            pod: pod.cloned(),
            ip,
        },
    }
}

/// The Service whose cluster IP is `ip`, whatever the port.
fn service_by_cluster_ip(cluster: &Cluster, ip: std::net::Ipv4Addr) -> Option<&Service> {
    cluster
        .services()
        .values()
        .find(|s| s.spec.cluster_ip.ip() == Some(ip))
}

fn no_such_port(svc: &Service, port: u16, protocol: Protocol) -> Diagnosis {
    let ports: Vec<String> = svc
        .spec
        .ports
        .iter()
        .map(|p| format!("{}/{}", p.port, p.protocol.as_str()))
        .collect();
    let key = svc.key();
    // The same number with the other protocol is the likely slip (`nc -u` to a TCP port).
    let other_protocol = svc
        .spec
        .ports
        .iter()
        .any(|p| p.port == i64::from(port) && p.protocol != protocol);
    let (summary, fix) = if other_protocol {
        (
            format!(
                "Service {} has no {} port {port}: its port {port} is for another protocol, and kube-proxy's rules match the protocol",
                key.name,
                protocol.as_str()
            ),
            format!(
                "Send {} to one of its ports ({}), or add port {port} with protocol: {} to the Service's spec.ports.",
                protocol.as_str(),
                ports.join(", "),
                protocol.as_str()
            ),
        )
    } else {
        (
            format!(
                "Service {} has no port {port}: kube-proxy rejects connections to its cluster IP on any other port",
                key.name
            ),
            format!(
                "Connect to one of its ports ({}), or add port {port} to the Service's spec.ports.",
                ports.join(", ")
            ),
        )
    };
    Diagnosis {
        summary,
        fix,
        evidence: vec![
            (
                "asked".into(),
                format!(
                    "{}:{port}",
                    svc.spec
                        .cluster_ip
                        .ip()
                        .map_or(String::new(), |ip| ip.to_string())
                ),
            ),
            ("ports".into(), ports.join(", ")),
        ],
        culprit: Some(Culprit {
            kind: Kind::Service,
            key: key.clone(),
            field: Some("spec.ports".into()),
        }),
        cause: Cause::NoSuchPort { service: key, port },
    }
}

fn no_such_address(address: SocketAddrV4) -> Diagnosis {
    Diagnosis {
        summary: format!("nothing in the cluster answers at {address}"),
        fix: "Use a Service's name, ClusterIP and port (kubectl get svc), a node's IP with a NodePort, or a running pod's IP.".into(),
        evidence: vec![("address".into(), address.to_string())],
        culprit: None,
        cause: Cause::NoSuchAddress { address },
    }
}

/// A datagram that reached its pod and got no answer.
pub(super) fn unanswered(cluster: &Cluster, trace: &Trace, pod: &ObjectKey) -> Diagnosis {
    let delivered = trace
        .hops
        .iter()
        .rev()
        .find(|h| h.kind == PacketKind::Request && h.to == Place::Pod(pod.clone()));
    let port = delivered.map_or(0, |h| h.packet.dst.port());
    let image = cluster
        .pods()
        .get(pod)
        .and_then(|p| p.spec.containers.first())
        .map_or(String::new(), |c| c.image.clone());
    Diagnosis {
        summary: format!(
            "the datagram reached pod {} on UDP port {port}, and its server sent nothing back",
            pod.name
        ),
        fix: "Send what the server understands: CoreDNS answers only DNS messages (use nslookup); agnhost netexec answers `hostname`, `echo TEXT` and `clientip`. UDP has no handshake, so nc cannot tell an unanswered datagram from a lost one.".into(),
        evidence: vec![
            (format!("pod {}", pod.name), format!("UDP {port}")),
            ("image".into(), image),
            ("sent".into(), trace.request.payload.trim_end().to_string()),
        ],
        culprit: None,
        cause: Cause::DatagramUnanswered {
            pod: pod.clone(),
            port,
        },
    }
}

/// The last failed hop's own sentence.
pub(super) fn other(trace: &Trace) -> Diagnosis {
    let explanation = trace
        .hops
        .iter()
        .rev()
        .find(|h| matches!(h.verdict, HopVerdict::Dropped | HopVerdict::Refused))
        .map_or_else(|| trace.output.clone(), |h| h.explanation.clone());
    Diagnosis {
        summary: explanation.clone(),
        fix: "Follow the hops above to where the packet stopped.".into(),
        evidence: Vec::new(),
        culprit: None,
        cause: Cause::Other { explanation },
    }
}
