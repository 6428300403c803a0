//! Deployments and Pods: the pod template, pod spec and containers.

use crate::model::{Container, Deployment, Pod, PodSpec};

use super::*;

pub(super) fn validate_deployment(c: &mut Check, d: &Deployment) {
    validate_meta(c, &d.meta, NameRule::Dns1123Subdomain, true);
    let spec = &d.spec;
    if let Some(e) = replicas_negative(spec.replicas) {
        c.push(e);
    }
    let selector_missing = c.written.wrote(|p| p.selector) == Some(false);
    if selector_missing {
        c.push(required("spec.selector", ""));
    } else {
        // Invalid operators are filed here by the manifest reader.
        c.slot(Slot::Selector);
        c.extend(validate_label_selector(&spec.selector, "spec.selector"));
        if spec.selector.is_empty() {
            c.push(invalid(
                "spec.selector",
                BadValue::Go(go_label_selector(&spec.selector)),
                "empty selector is invalid for deployment",
            ));
        }
    }
    // `LabelSelectorAsSelector`: a missing selector selects nothing, an empty one everything; a
    // selector with an invalid operator fails to convert (its cause was reported above).
    let bad_operator = c.written.has_cause(Slot::Selector);
    if bad_operator {
        // `spec.selector: Invalid value: v1.LabelSelector{...}: invalid label selector`, filed by
        // the manifest reader (only it knows the operator as written); the template is skipped.
        c.slot(Slot::SelectorAsSelector);
    } else {
        let checks_labels = selector_missing || !spec.selector.is_empty();
        if checks_labels && (selector_missing || !spec.selector.matches(&spec.template.labels)) {
            c.push(invalid(
                "spec.template.metadata.labels",
                BadValue::Go(go_string_map(&spec.template.labels)),
                "`selector` does not match template `labels`",
            ));
        }
        // ValidatePodTemplateSpec
        c.extend(validate_labels(
            &spec.template.labels,
            "spec.template.labels",
        ));
        c.extend(validate_annotations(
            &spec.template.annotations,
            "spec.template.annotations",
        ));
        validate_pod_spec(c, &spec.template.spec, "spec.template.spec");
        let rp = spec
            .template
            .spec
            .restart_policy
            .as_deref()
            .unwrap_or("Always");
        if rp != "Always" {
            c.push(not_supported(
                "spec.template.spec.restartPolicy",
                BadValue::str(rp),
                &["Always"],
            ));
        }
    }
    c.slot(Slot::Strategy);
    c.slot(Slot::Spec);
}

pub(super) fn validate_pod(c: &mut Check, p: &Pod) {
    validate_meta(c, &p.meta, NameRule::Dns1123Subdomain, true);
    validate_pod_spec(c, &p.spec, "spec");
    for (i, ctr) in p.spec.containers.iter().enumerate() {
        if ctr.image.len() != ctr.image.trim().len() {
            c.push(invalid(
                &format!("spec.containers[{i}].image"),
                BadValue::str(&ctr.image),
                "must not have leading or trailing whitespace",
            ));
        }
    }
}

/// `ValidatePodSpec`, for the fields svclab keeps (and the manifest's causes for the others).
fn validate_pod_spec(c: &mut Check, spec: &PodSpec, path: &str) {
    c.slot(Slot::Volumes);
    let cpath = format!("{path}.containers");
    if spec.containers.is_empty() {
        c.push(required(&cpath, ""));
    } else {
        let names: Vec<_> = spec.containers.iter().map(|c| Some(&c.name)).collect();
        let repeated = repeats(&names);
        for (i, ctr) in spec.containers.iter().enumerate() {
            let p = format!("{cpath}[{i}]");
            let slot = |field| Slot::Container {
                container: i,
                field,
            };
            validate_container(c, ctr, &p, i);
            if repeated[i] {
                c.push(duplicate(&format!("{p}.name"), BadValue::str(&ctr.name)));
            }
            c.slot(slot(ContainerField::Lifecycle));
            c.slot(slot(ContainerField::LivenessProbe));
            let rp = format!("{p}.readinessProbe");
            c.slot(slot(ContainerField::ReadinessProbe));
            if let Some(probe) = &ctr.readiness_probe {
                if probe.initial_delay_seconds < 0 {
                    c.push(invalid(
                        &format!("{rp}.initialDelaySeconds"),
                        BadValue::Int(probe.initial_delay_seconds),
                        NEGATIVE,
                    ));
                }
                c.slot(slot(ContainerField::ReadinessProbeTimeout));
                if probe.period_seconds < 0 {
                    c.push(invalid(
                        &format!("{rp}.periodSeconds"),
                        BadValue::Int(probe.period_seconds),
                        NEGATIVE,
                    ));
                }
                c.slot(slot(ContainerField::ReadinessProbeSuccessThreshold));
            }
            c.slot(slot(ContainerField::StartupProbe));
            c.slot(slot(ContainerField::RestartPolicy));
        }
        c.slot(Slot::HostPortConflicts);
    }
    if let Some(rp) = &spec.restart_policy {
        match rp.as_str() {
            "Always" | "OnFailure" | "Never" => {}
            "" => c.push(required(&format!("{path}.restartPolicy"), "")),
            other => c.push(not_supported(
                &format!("{path}.restartPolicy"),
                BadValue::str(other),
                &["Always", "OnFailure", "Never"],
            )),
        }
    }
    c.slot(Slot::DnsPolicy);
    c.extend(validate_labels(
        &spec.node_selector,
        &format!("{path}.nodeSelector"),
    ));
    if let Some(node) = &spec.node_name {
        if !node.is_empty() {
            for m in is_dns1123_subdomain(node) {
                c.push(invalid(
                    &format!("{path}.nodeName"),
                    BadValue::str(node),
                    &m,
                ));
            }
        }
    }
    c.slot(Slot::Hostname);
    c.slot(Slot::Tolerations);
}

/// `validateContainerCommon` for the fields svclab keeps.
fn validate_container(c: &mut Check, ctr: &Container, path: &str, container: usize) {
    let np = format!("{path}.name");
    if ctr.name.is_empty() {
        c.push(required(&np, ""));
    } else {
        for m in is_dns1123_label(&ctr.name) {
            c.push(invalid(&np, BadValue::str(&ctr.name), &m));
        }
    }
    if ctr.image.is_empty() {
        c.push(required(&format!("{path}.image"), ""));
    }
    c.slot(Slot::Container {
        container,
        field: ContainerField::TerminationMessagePolicy,
    });
    // Only valid names take part in the duplicate check.
    let names: Vec<_> = ctr
        .ports
        .iter()
        .map(|port| given(&port.name).filter(|n| is_port_name(n).is_empty()))
        .collect();
    let repeated = repeats(&names);
    for (j, port) in ctr.ports.iter().enumerate() {
        let pp = format!("{path}.ports[{j}]");
        if let Some(name) = given(&port.name) {
            let msgs = is_port_name(name);
            if !msgs.is_empty() {
                for m in msgs {
                    c.push(invalid(&format!("{pp}.name"), BadValue::str(name), &m));
                }
            } else if repeated[j] {
                c.push(duplicate(&format!("{pp}.name"), BadValue::str(name)));
            }
        }
        if port.container_port == 0 {
            c.push(required(&format!("{pp}.containerPort"), ""));
        } else {
            for m in is_port_num(port.container_port) {
                c.push(invalid(
                    &format!("{pp}.containerPort"),
                    BadValue::Int(port.container_port),
                    &m,
                ));
            }
        }
        for field in [PortField::HostPort, PortField::Protocol] {
            c.slot(Slot::ContainerPort {
                container,
                port: j,
                field,
            });
        }
    }
    for field in [
        ContainerField::Env,
        ContainerField::VolumeMounts,
        ContainerField::ImagePullPolicy,
    ] {
        c.slot(Slot::Container { container, field });
    }
}
