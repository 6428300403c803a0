//! Services: ports, type, cluster IPs, session affinity and traffic policies.

use crate::model::{ClusterIp, Protocol, Service, ServiceType, TrafficPolicy};

use super::*;

pub(super) fn validate_service(c: &mut Check, svc: &Service) {
    validate_meta(c, &svc.meta, NameRule::Dns1035Label, true);
    let spec = &svc.spec;
    // An unknown `type` (its cause is filed at `spec.type`) matches none of the type cases.
    let ty = if c.written.has_cause(Slot::Type) {
        None
    } else {
        Some(spec.type_)
    };
    let headless = spec.cluster_ip == ClusterIp::Headless;
    if spec.ports.is_empty() && !headless && ty != Some(ServiceType::ExternalName) {
        c.push(required("spec.ports", ""));
    }
    match ty {
        Some(ServiceType::LoadBalancer) if headless => c.push(invalid(
            "spec.clusterIPs[0]",
            BadValue::str("None"),
            "may not be set to 'None' for LoadBalancer services",
        )),
        Some(ServiceType::NodePort) if headless => c.push(invalid(
            "spec.clusterIPs[0]",
            BadValue::str("None"),
            "may not be set to 'None' for NodePort services",
        )),
        Some(ServiceType::ExternalName) => {
            if spec.cluster_ip != ClusterIp::NoIp {
                c.push(forbidden(
                    "spec.clusterIPs",
                    "may not be set for ExternalName services",
                ));
            }
            // The value (a CNAME) may have one trailing dot to denote it as fully qualified.
            let raw = spec.external_name.as_deref().unwrap_or("");
            let cname = raw.strip_suffix('.').unwrap_or(raw);
            if cname.is_empty() {
                c.push(required("spec.externalName", ""));
            } else {
                for m in is_dns1123_subdomain(cname) {
                    c.push(invalid("spec.externalName", BadValue::str(cname), &m));
                }
            }
        }
        _ => {}
    }
    let several = spec.ports.len() > 1;
    let names: Vec<_> = spec.ports.iter().map(|p| given(&p.name)).collect();
    let repeated = repeats(&names);
    for (i, p) in spec.ports.iter().enumerate() {
        let pp = format!("spec.ports[{i}]");
        match given(&p.name) {
            None if several => c.push(required(&format!("{pp}.name"), "")),
            None => {}
            Some(name) => {
                for m in is_dns1123_label(name) {
                    c.push(invalid(&format!("{pp}.name"), BadValue::str(name), &m));
                }
                if repeated[i] {
                    c.push(duplicate(&format!("{pp}.name"), BadValue::str(name)));
                }
            }
        }
        for m in is_port_num(p.port) {
            c.push(invalid(&format!("{pp}.port"), BadValue::Int(p.port), &m));
        }
        c.slot(Slot::ServicePort {
            port: i,
            field: PortField::Protocol,
        });
        c.extend(validate_port_num_or_name(
            &p.target_port,
            &format!("{pp}.targetPort"),
        ));
        c.slot(Slot::ServicePort {
            port: i,
            field: PortField::AppProtocol,
        });
    }
    if let Some(sel) = &spec.selector {
        c.extend(validate_labels(sel, "spec.selector"));
    }
    c.slot(Slot::SessionAffinity);
    match spec.session_affinity_timeout {
        Some(t) => {
            if t <= 0 || t > MAX_CLIENT_IP_AFFINITY_SECONDS {
                c.push(invalid(
                    "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    BadValue::Int(t),
                    &format!(
                        "must be greater than 0 and less than {MAX_CLIENT_IP_AFFINITY_SECONDS}"
                    ),
                ));
            }
        }
        None => {
            if !c.written.has_cause(Slot::SessionAffinity)
                && c.written.wrote(|p| p.session_affinity_config) == Some(true)
            {
                c.push(forbidden(
                    "spec.sessionAffinityConfig",
                    "must not be set when session affinity is None",
                ));
            }
        }
    }
    // ValidateServiceClusterIPsRelatedFields (not for ExternalName)
    c.slot(Slot::ClusterIps);
    c.slot(Slot::ExternalIps);
    c.slot(Slot::Type);
    if ty == Some(ServiceType::ClusterIp) {
        for (i, p) in spec.ports.iter().enumerate() {
            if p.node_port.is_some_and(|n| n != 0) {
                c.push(forbidden(
                    &format!("spec.ports[{i}].nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    let node_ports: Vec<_> = spec
        .ports
        .iter()
        .map(|p| p.node_port.filter(|n| *n != 0).map(|np| (p.protocol, np)))
        .collect();
    let repeated = repeats(&node_ports);
    for (i, p) in spec.ports.iter().enumerate() {
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            if repeated[i] {
                c.push(duplicate(
                    &format!("spec.ports[{i}].nodePort"),
                    BadValue::Int(np),
                ));
            }
        }
    }
    let ports: Vec<_> = spec
        .ports
        .iter()
        .map(|p| Some((p.protocol, p.port)))
        .collect();
    let repeated = repeats(&ports);
    for (i, p) in spec.ports.iter().enumerate() {
        if repeated[i] {
            c.push(duplicate(
                &format!("spec.ports[{i}]"),
                BadValue::Go(format!(
                    "core.ServicePort{{Name:\"\", Protocol:\"{}\", AppProtocol:(*string)(nil), Port:{}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}",
                    protocol_go(p.protocol),
                    p.port
                )),
            ));
        }
    }
    if !spec.load_balancer_source_ranges.is_empty() {
        let fp = "spec.LoadBalancerSourceRanges";
        if ty != Some(ServiceType::LoadBalancer) {
            c.push(forbidden(
                fp,
                "may only be used when `type` is 'LoadBalancer'",
            ));
        }
        for (i, r) in spec.load_balancer_source_ranges.iter().enumerate() {
            let r = r.trim();
            if parse_cidr(r).is_none() {
                c.push(invalid_cidr(&format!("{fp}[{i}]"), r));
            }
        }
    }
    c.slot(Slot::AllocateLoadBalancerNodePorts);
    // validateServiceExternalTrafficPolicy
    let external = matches!(
        ty,
        Some(ServiceType::NodePort) | Some(ServiceType::LoadBalancer)
    ) || c.written.wrote(|p| p.external_ips) == Some(true);
    c.slot(Slot::ExternalTrafficPolicy);
    if !external && !c.written.has_cause(Slot::ExternalTrafficPolicy) {
        let set = match c.written.wrote(|p| p.external_traffic_policy) {
            Some(w) => w,
            None => spec.external_traffic_policy == TrafficPolicy::Local,
        };
        if set {
            c.push(invalid(
                "spec.externalTrafficPolicy",
                BadValue::str(spec.external_traffic_policy.as_str()),
                "may only be set for externally-accessible services",
            ));
        }
    }
    c.slot(Slot::HealthCheckNodePort);
    c.slot(Slot::InternalTrafficPolicy);
    c.slot(Slot::Spec);
}

fn protocol_go(p: Protocol) -> &'static str {
    p.as_str()
}
