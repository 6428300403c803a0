//! A pod (and a pod template's spec) as the API server returns it, defaults filled in.

use crate::clock::rfc3339;
use crate::cluster::Cluster;
use crate::model::*;
use crate::shell::get::Kind;
use crate::shell::value::Value;

use super::{head, labels_value, meta_value, s, Owner};

pub(super) fn container_value(c: &Container, defaults: bool) -> Value {
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

/// `spec.tolerations` as the API returns them (keys sorted by the printer; empty fields left
/// out, as Go's `omitempty` does).
pub(super) fn tolerations_value(tolerations: &[Toleration]) -> Value {
    Value::List(
        tolerations
            .iter()
            .map(|t| {
                let mut v = Value::map();
                for (field, text) in [("key", &t.key), ("value", &t.value), ("effect", &t.effect)] {
                    if !text.is_empty() {
                        v = v.with(field, s(text.clone()));
                    }
                }
                match t.operator {
                    Some(TolerationOperator::Equal) => v = v.with("operator", s("Equal")),
                    Some(TolerationOperator::Exists) => v = v.with("operator", s("Exists")),
                    None => {}
                }
                if let Some(n) = t.seconds {
                    v = v.with("tolerationSeconds", Value::Int(n));
                }
                v
            })
            .collect(),
    )
}

/// The service account token's projected volume, as the ServiceAccount admission plugin adds
/// it to every pod (`kubectl describe` shows the same name).
fn token_volume_value(name: String) -> Value {
    let items = |pairs: &[(&str, Value)]| {
        pairs
            .iter()
            .fold(Value::map(), |v, (k, x)| v.with(k, x.clone()))
    };
    let sources = Value::List(vec![
        items(&[(
            "serviceAccountToken",
            items(&[
                ("expirationSeconds", Value::Int(3607)),
                ("path", s("token")),
            ]),
        )]),
        items(&[(
            "configMap",
            items(&[
                (
                    "items",
                    Value::List(vec![items(&[("key", s("ca.crt")), ("path", s("ca.crt"))])]),
                ),
                ("name", s("kube-root-ca.crt")),
            ]),
        )]),
        items(&[(
            "downwardAPI",
            items(&[(
                "items",
                Value::List(vec![items(&[
                    (
                        "fieldRef",
                        items(&[
                            ("apiVersion", s("v1")),
                            ("fieldPath", s("metadata.namespace")),
                        ]),
                    ),
                    ("path", s("namespace")),
                ])]),
            )]),
        )]),
    ]);
    items(&[
        ("name", s(name)),
        (
            "projected",
            items(&[("defaultMode", Value::Int(420)), ("sources", sources)]),
        ),
    ])
}

pub(super) fn pod_spec_value(p: &Pod, restart: &str) -> Value {
    let spec = &p.spec;
    let node = spec.node_name.as_deref();
    let volume = crate::names::api_access_volume(&p.meta.uid);
    let mount = Value::List(vec![Value::map()
        .with(
            "mountPath",
            s("/var/run/secrets/kubernetes.io/serviceaccount"),
        )
        .with("name", s(volume.clone()))
        .with("readOnly", Value::Bool(true))]);
    let mut v = Value::map().with(
        "containers",
        Value::List(
            spec.containers
                .iter()
                .map(|c| container_value(c, true).with("volumeMounts", mount.clone()))
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
    let account = spec.service_account_name();
    v = v
        .with("serviceAccountName", s(account))
        .with("serviceAccount", s(account));
    if let Some(class) = spec.priority_class {
        v = v.with("priorityClassName", s(class));
    }
    if let Some(n) = node {
        v = v.with("nodeName", s(n));
    }
    if spec.host_network {
        v = v.with("hostNetwork", Value::Bool(true));
    }
    v.with("securityContext", Value::map())
        .with("schedulerName", s("default-scheduler"))
        .with("priority", Value::Int(spec.priority()))
        .with("enableServiceLinks", Value::Bool(true))
        .with("preemptionPolicy", s("PreemptLowerPriority"))
        .with("tolerations", tolerations_value(&p.admitted_tolerations()))
        .with("volumes", Value::List(vec![token_volume_value(volume)]))
}

pub(super) fn condition(kind: &str, ok: bool, at: Option<crate::time::Time>) -> Value {
    Value::map()
        .with("type", s(kind))
        .with("status", s(if ok { "True" } else { "False" }))
        .with("lastProbeTime", Value::Null)
        .with(
            "lastTransitionTime",
            at.map_or(Value::Null, |t| s(rfc3339(t))),
        )
}

pub(super) fn pod(cluster: &Cluster, p: &Pod) -> Value {
    let owner = p.owner.as_ref().map(|rs| Owner {
        api_version: "apps/v1",
        kind: "ReplicaSet",
        name: rs.clone(),
        uid: cluster
            .replica_sets()
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
                    .with("image", s(crate::shell::runtime::full_image(&c.image)));
                if running {
                    cs = cs
                        .with("imageID", s(crate::shell::runtime::image_id(&c.image)))
                        .with(
                            "containerID",
                            s(crate::shell::runtime::container_id(&p.meta.uid, &c.name)),
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
        .with("spec", pod_spec_value(p, &restart))
        .with("status", status)
}
