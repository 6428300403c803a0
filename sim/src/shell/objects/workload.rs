//! Deployments and ReplicaSets as the API server returns them, with their selectors and templates.

use crate::clock::rfc3339;
use crate::cluster::Cluster;
use crate::model::*;
use crate::shell::get::{self, Kind};
use crate::shell::value::Value;

use super::pod::{container_value, tolerations_value};
use super::{head, labels_value, meta_value, s, Owner};

pub(super) fn deployment(cluster: &Cluster, d: &Deployment) -> Value {
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

pub(super) fn selector_value(sel: &LabelSelector) -> Value {
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
                            SelectorOp::Gt => "Gt",
                            SelectorOp::Lt => "Lt",
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

pub(super) fn template_value(t: &PodTemplateSpec) -> Value {
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
    if !t.spec.tolerations.is_empty() {
        spec = spec.with("tolerations", tolerations_value(&t.spec.tolerations));
    }
    Value::map().with("metadata", meta).with("spec", spec)
}

pub(super) fn replica_set(cluster: &Cluster, rs: &ReplicaSet) -> Value {
    let owner = cluster
        .deployments()
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
