//! Names that did not resolve: NXDOMAIN for every search-list candidate (a typo, the wrong
//! namespace), a resolver that got no answer (CoreDNS scaled to zero or broken), and names asked
//! from outside the cluster.

use crate::cluster::Cluster;
use crate::dns::CLUSTER_DOMAIN;
use crate::model::{ObjectKey, Pod};
use crate::resource::Kind;
use crate::trace::{Client, DnsLookup, Trace};

use super::nearest::{close, edit_distance};
use super::service::{not_ready, other};
use super::{Cause, Culprit, Diagnosis, NotReadyReason};

/// CoreDNS's Deployment, as kubeadm (and kind) create it.
fn coredns() -> ObjectKey {
    ObjectKey::new("kube-system", "coredns")
}

/// The lookup as it stood at the trace's last DNS hop.
fn lookup(trace: &Trace) -> Option<&DnsLookup> {
    trace.hops.iter().rev().find_map(|h| h.detail.dns.as_ref())
}

/// Every candidate name asked, in order, each once (nslookup asks A and AAAA of each).
fn tried(lookup: Option<&DnsLookup>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for a in lookup.map_or(&[][..], |l| &l.attempts[..]) {
        if !names.contains(&a.name) {
            names.push(a.name.clone());
        }
    }
    names
}

/// Every candidate was NXDOMAIN.
pub(super) fn nxdomain(cluster: &Cluster, trace: &Trace, name: &str) -> Diagnosis {
    let client_ns = match &trace.request.client {
        Client::Pod(key) => key.namespace.clone(),
        _ => return from_outside(name),
    };
    let lookup = lookup(trace);
    let question = lookup.map_or(name, |l| l.question.as_str()).to_string();
    let tried = tried(lookup);
    // `web`, `web.dev`, `web.dev.svc`, `web.dev.svc.cluster.local`: the Service and namespace asked.
    let bare = question.trim_end_matches('.');
    let bare = bare
        .strip_suffix(&format!(".svc.{CLUSTER_DOMAIN}"))
        .or_else(|| bare.strip_suffix(".svc"))
        .unwrap_or(bare);
    let (service, namespace) = match bare.split_once('.') {
        Some((s, ns)) if !ns.contains('.') => (s.to_string(), ns.to_string()),
        Some((s, _)) => (s.to_string(), String::new()),
        None => (bare.to_string(), client_ns.clone()),
    };
    let services: Vec<ObjectKey> = cluster.services().keys().cloned().collect();
    let same_name = services.iter().find(|k| k.name == service);
    let typo = || {
        let mut best: Option<(usize, bool, &ObjectKey)> = None;
        for k in &services {
            if !close(&k.name, &service) {
                continue;
            }
            let rank = (
                edit_distance(&k.name, &service),
                k.namespace != namespace,
                k,
            );
            if best.is_none_or(|b| (rank.0, rank.1) < (b.0, b.1)) {
                best = Some(rank);
            }
        }
        best.map(|(_, _, k)| k)
    };
    let (nearest, wrong_namespace) = match same_name {
        Some(k) => (Some(k.clone()), true),
        None => (typo().cloned(), false),
    };
    let mut evidence = vec![("asked".to_string(), question.clone())];
    for t in &tried {
        evidence.push(("tried".into(), format!("{t}: NXDOMAIN")));
    }
    let (summary, fix) = match (&nearest, wrong_namespace) {
        (Some(k), true) => (
            format!(
                "no Service {service} in namespace {}: it is in namespace {}",
                if namespace.is_empty() {
                    client_ns.as_str()
                } else {
                    namespace.as_str()
                },
                k.namespace
            ),
            format!(
                "Ask for {}.{} (the short name only finds Services in the client's own namespace, {client_ns}).",
                k.name, k.namespace
            ),
        ),
        (Some(k), false) => (
            format!("no Service is named {service}: did you mean {}?", k.name),
            format!(
                "Ask for {} (Service {}), or rename the Service.",
                if k.namespace == client_ns {
                    k.name.clone()
                } else {
                    format!("{}.{}", k.name, k.namespace)
                },
                k
            ),
        ),
        (None, _) => (
            format!("no Service is named {service}"),
            "Create the Service, or ask for one that exists (kubectl get svc -A lists them).".into(),
        ),
    };
    if let Some(k) = &nearest {
        evidence.push(("nearest Service".into(), k.to_string()));
    }
    Diagnosis {
        summary,
        fix,
        evidence,
        culprit: nearest.as_ref().map(|k| Culprit {
            kind: Kind::Service,
            key: k.clone(),
            field: Some("metadata.name".into()),
        }),
        cause: Cause::Nxdomain {
            question,
            tried,
            nearest,
            wrong_namespace,
        },
    }
}

fn from_outside(name: &str) -> Diagnosis {
    Diagnosis {
        summary: format!(
            "{name} is a cluster DNS name, and the client outside the cluster does not use CoreDNS"
        ),
        fix: "From outside, connect to a node's IP and the Service's NodePort, or to its LoadBalancer IP (kubectl get svc shows both).".into(),
        evidence: vec![("asked".into(), name.to_string())],
        culprit: None,
        cause: Cause::NameFromOutside {
            name: name.to_string(),
        },
    }
}

/// The resolver got no answer: no CoreDNS endpoint, or CoreDNS not answering.
pub(super) fn no_answer(cluster: &Cluster, trace: &Trace) -> Diagnosis {
    let name = lookup(trace).map_or(trace.request.target.clone(), |l| l.question.clone());
    if !matches!(trace.request.client, Client::Pod(_)) {
        return from_outside(&name);
    }
    let key = coredns();
    let deployment = cluster.deployments().get(&key);
    let pods: Vec<&Pod> = cluster
        .pods()
        .values()
        .filter(|p| {
            p.meta.namespace == "kube-system"
                && p.meta.labels.get("k8s-app").map(String::as_str) == Some("kube-dns")
        })
        .collect();
    let ready = pods.iter().filter(|p| p.status.ready).count();
    let evidence = vec![
        ("asked".to_string(), name.clone()),
        (
            "CoreDNS".into(),
            format!(
                "{ready}/{} pods ready, {} replicas wanted",
                pods.len(),
                deployment.map_or(0, |d| d.spec.replicas)
            ),
        ),
    ];
    if deployment.is_some_and(|d| d.spec.replicas == 0) {
        return Diagnosis {
            summary: format!(
                "CoreDNS is scaled to zero: kube-dns has no endpoints, so no one answers the question for {name}"
            ),
            fix: "Scale CoreDNS back up: kubectl scale deployment coredns -n kube-system --replicas=2.".into(),
            evidence,
            culprit: Some(Culprit {
                kind: Kind::Deployment,
                key,
                field: Some("spec.replicas".into()),
            }),
            cause: Cause::CoreDnsScaledToZero,
        };
    }
    if cluster.coredns_broken() {
        let since = pods
            .iter()
            .map(|p| not_ready(cluster, p))
            .find_map(|n| match n.reason {
                NotReadyReason::ReadinessProbeFailing { message, .. } => Some(message),
                _ => None,
            });
        let mut evidence = evidence;
        if let Some(message) = since {
            evidence.push(("CoreDNS pods".into(), message));
        }
        return Diagnosis {
            summary: format!(
                "CoreDNS is broken: its pods run but answer nothing, so the question for {name} times out"
            ),
            fix: "Repair CoreDNS (its configuration, the Corefile in ConfigMap kube-system/coredns) and restart its pods: kubectl rollout restart deployment coredns -n kube-system.".into(),
            evidence,
            culprit: Some(Culprit {
                kind: Kind::Deployment,
                key,
                field: None,
            }),
            cause: Cause::CoreDnsBroken,
        };
    }
    other(trace)
}
