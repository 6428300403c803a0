//! `kubectl describe` of a Service and of its Endpoints and EndpointSlices.

use crate::clock::rfc3339;
use crate::cluster::Cluster;
use crate::model::*;
use crate::shell::get;

use super::{events_for, W};

pub(super) fn service(cluster: &Cluster, s: &Service) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", s.meta.name));
    w.line(0, &format!("Namespace:\t{}", s.meta.namespace));
    w.labels("Labels", &s.meta.labels);
    w.annotations("Annotations", &s.meta.annotations);
    let selector = s.spec.selector.clone().unwrap_or_default();
    w.line(0, &format!("Selector:\t{}", get::format_labels(&selector)));
    w.line(0, &format!("Type:\t{}", s.spec.type_.as_str()));
    let external_name = s.spec.type_ == ServiceType::ExternalName;
    if !external_name {
        w.line(0, "IP Family Policy:\tSingleStack");
        w.line(0, "IP Families:\tIPv4");
    } else {
        w.line(0, "IP Families:\t<none>");
    }
    let ip = s.spec.cluster_ip.spec_value();
    w.line(0, &format!("IP:\t{ip}"));
    if ip.is_empty() {
        w.line(0, "IPs:\t<none>");
    } else {
        w.line(0, &format!("IPs:\t{ip}"));
    }
    if !s.spec.external_ips.is_empty() {
        let ips: Vec<String> = s
            .spec
            .external_ips
            .iter()
            .map(|ip| ip.to_string())
            .collect();
        w.line(0, &format!("External IPs:\t{}", ips.join(",")));
    }
    if let Some(lb) = s.spec.load_balancer_ip {
        w.line(0, &format!("Desired LoadBalancer IP:\t{lb}"));
    }
    if let Some(n) = &s.spec.external_name {
        w.line(0, &format!("External Name:\t{n}"));
    }
    if let (ServiceType::LoadBalancer, Some(ip)) = (s.spec.type_, s.status.load_balancer_ip) {
        w.line(0, &format!("LoadBalancer Ingress:\t{ip} (VIP)"));
    }
    let slices = cluster.service_slices(&s.key());
    for p in &s.spec.ports {
        let name = p
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "<unset>".into());
        w.line(
            0,
            &format!("Port:\t{name}\t{}/{}", p.port, p.protocol.as_str()),
        );
        w.line(
            0,
            &format!("TargetPort:\t{}/{}", p.target_port, p.protocol.as_str()),
        );
        if let Some(np) = p.node_port {
            w.line(
                0,
                &format!("NodePort:\t{name}\t{np}/{}", p.protocol.as_str()),
            );
        }
        w.line(
            0,
            &format!(
                "Endpoints:\t{}",
                format_endpoint_slices(&slices, p.name.as_deref().unwrap_or(""))
            ),
        );
    }
    w.line(
        0,
        &format!(
            "Session Affinity:\t{}",
            if s.spec.session_affinity_timeout.is_some() {
                "ClientIP"
            } else {
                "None"
            }
        ),
    );
    if matches!(
        s.spec.type_,
        ServiceType::NodePort | ServiceType::LoadBalancer
    ) {
        w.line(
            0,
            &format!(
                "External Traffic Policy:\t{}",
                s.spec.external_traffic_policy.as_str()
            ),
        );
    }
    if !external_name {
        w.line(
            0,
            &format!(
                "Internal Traffic Policy:\t{}",
                s.spec.internal_traffic_policy.as_str()
            ),
        );
    }
    if let Some(hc) = s.spec.health_check_node_port {
        w.line(0, &format!("HealthCheck NodePort:\t{hc}"));
    }
    if !s.spec.load_balancer_source_ranges.is_empty() {
        w.line(
            0,
            &format!(
                "LoadBalancer Source Ranges:\t{}",
                s.spec.load_balancer_source_ranges.join(",")
            ),
        );
    }
    let events = events_for(
        cluster,
        &s.meta.namespace,
        &format!("service/{}", s.meta.name),
    );
    w.events(cluster.now(), &events);
    w.render()
}

/// kubectl 1.31's `formatEndpointSlices`: every endpoint of the port, ready or not, at most three.
pub(super) fn format_endpoint_slices(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let max = 3;
    let mut list = Vec::new();
    let mut more = false;
    let mut count = 0;
    for sl in slices {
        if sl.ports.is_empty() {
            for e in &sl.endpoints {
                if list.len() == max {
                    more = true;
                }
                if !more {
                    list.push(e.ip.to_string());
                }
                count += 1;
            }
        } else {
            for p in &sl.ports {
                if p.name.as_deref().unwrap_or("") != port_name {
                    continue;
                }
                for e in &sl.endpoints {
                    if list.len() == max {
                        more = true;
                    }
                    if !more {
                        list.push(format!("{}:{}", e.ip, p.port));
                    }
                    count += 1;
                }
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - max)
    } else {
        ret
    }
}

pub(super) fn endpoints(cluster: &Cluster, e: &Endpoints) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", e.meta.name));
    w.line(0, &format!("Namespace:\t{}", e.meta.namespace));
    let svc = cluster
        .services()
        .get(&ObjectKey::new(&e.meta.namespace, &e.meta.name));
    w.labels(
        "Labels",
        &svc.map(|s| s.meta.labels.clone()).unwrap_or_default(),
    );
    let mut annotations = Labels::new();
    if e.meta.name != "kubernetes" {
        let newest = e
            .subsets
            .iter()
            .flat_map(|ss| ss.addresses.iter().chain(ss.not_ready_addresses.iter()))
            .filter_map(|(_, pod)| cluster.pods().get(&ObjectKey::new(&e.meta.namespace, pod)))
            .filter_map(|p| p.status.start_time)
            .max()
            .unwrap_or(e.meta.creation)
            .max(e.meta.creation);
        annotations.insert(
            "endpoints.kubernetes.io/last-change-trigger-time".into(),
            rfc3339(newest),
        );
    }
    w.annotations("Annotations", &annotations);
    w.line(0, "Subsets:");
    for ss in &e.subsets {
        let join = |a: &Vec<(std::net::Ipv4Addr, String)>| {
            if a.is_empty() {
                "<none>".to_string()
            } else {
                a.iter()
                    .map(|(ip, _)| ip.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            }
        };
        w.line(1, &format!("Addresses:\t{}", join(&ss.addresses)));
        w.line(
            1,
            &format!("NotReadyAddresses:\t{}", join(&ss.not_ready_addresses)),
        );
        if !ss.ports.is_empty() {
            w.line(1, "Ports:");
            w.line(2, "Name\tPort\tProtocol");
            w.line(2, "----\t----\t--------");
            for p in &ss.ports {
                let name = p
                    .name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "<unset>".into());
                w.line(2, &format!("{name}\t{}\t{}", p.port, p.protocol.as_str()));
            }
        }
        w.line(0, "");
    }
    w.events(cluster.now(), &[]);
    w.render()
}

pub(super) fn endpoint_slice(cluster: &Cluster, s: &EndpointSlice) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", s.meta.name));
    w.line(0, &format!("Namespace:\t{}", s.meta.namespace));
    w.labels("Labels", &s.meta.labels);
    w.annotations("Annotations", &Labels::new());
    w.line(0, "AddressType:\tIPv4");
    if s.ports.is_empty() {
        w.line(0, "Ports: <unset>");
    } else {
        w.line(0, "Ports:");
        w.line(1, "Name\tPort\tProtocol");
        w.line(1, "----\t----\t--------");
        for p in &s.ports {
            let name = p
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "<unset>".into());
            w.line(1, &format!("{name}\t{}\t{}", p.port, p.protocol.as_str()));
        }
    }
    if s.endpoints.is_empty() {
        w.line(0, "Endpoints: <none>");
    } else {
        w.line(0, "Endpoints:");
        for e in &s.endpoints {
            w.line(1, &format!("- Addresses:\t{}", e.ip));
            w.line(2, "Conditions:");
            w.line(3, &format!("Ready:\t{}", e.ready));
            w.line(2, "Hostname:\t<unset>");
            if !e.pod.is_empty() {
                w.line(2, &format!("TargetRef:\tPod/{}", e.pod));
            }
            w.line(
                2,
                &format!(
                    "NodeName:\t{}",
                    if e.node.is_empty() {
                        "<unset>"
                    } else {
                        &e.node
                    }
                ),
            );
            w.line(2, "Zone:\t<unset>");
        }
    }
    w.events(cluster.now(), &[]);
    w.render()
}
