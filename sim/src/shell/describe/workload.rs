//! `kubectl describe` of Deployments, ReplicaSets and DaemonSets, and a revision's pod template.

use crate::clock::rfc1123z;
use crate::cluster::Cluster;
use crate::model::*;
use crate::shell::get;

use super::pod::container_lines;
use super::{events_for, W};

/// `kubectl rollout history deploy/NAME --revision=N`: that revision's pod template.
pub(crate) fn revision_template(t: &PodTemplateSpec) -> Vec<String> {
    let mut w = W(String::new());
    template_lines(&mut w, t);
    w.render()
}

pub(super) fn template_lines(w: &mut W, t: &PodTemplateSpec) {
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
    let mut tolerations: Vec<&Toleration> = t.spec.tolerations.iter().collect();
    tolerations.sort_by(|a, b| a.key.cmp(&b.key));
    if tolerations.is_empty() {
        w.line(0, "  Tolerations:\t<none>");
    }
    for (i, t) in tolerations.iter().enumerate() {
        let title = if i == 0 { "  Tolerations:" } else { "  " };
        w.line(0, &format!("{title}\t{}", t.describe()));
    }
}

pub(super) fn deployment(cluster: &Cluster, d: &Deployment) -> Vec<String> {
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
        .replica_sets()
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
    w.events(cluster.now(), &events);
    w.render()
}

pub(super) fn replica_set(cluster: &Cluster, rs: &ReplicaSet) -> Vec<String> {
    let (current, _) = get::replica_set_counts(cluster, rs);
    let pods: Vec<&Pod> = cluster
        .pods()
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
    w.events(cluster.now(), &events);
    w.render()
}

pub(super) fn daemon_set(cluster: &Cluster, d: &get::DaemonSetView) -> Vec<String> {
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
    w.events(cluster.now(), &[]);
    w.render()
}
