//! Services: type, ports, cluster IPs and the traffic policies.

use crate::map::SortedSet;
use std::net::IpAddr;

use crate::model::{
    ClusterIp, IntOrString, Service, ServicePort, ServiceSpec, ServiceType, TrafficPolicy,
};
use crate::validate::{self, go_string_slice, BadValue, PortField};

use super::*;

impl Conv {
    pub(in crate::manifest) fn service(&mut self, root: &Map) -> Service {
        let meta = self.meta(root, true);
        let spec = get_map(root, "spec").unwrap_or(&EMPTY);
        let type_ = match get_str(spec, "type").unwrap_or("") {
            "" => ServiceType::ClusterIp,
            t => match ServiceType::parse(t) {
                Some(t) => t,
                None => {
                    self.cause(
                        Slot::Type,
                        validate::not_supported(
                            "spec.type",
                            BadValue::str(t),
                            &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
                        ),
                    );
                    ServiceType::ClusterIp
                }
            },
        };
        let type_known = !self.has_cause(Slot::Type);
        let mut ports = Vec::new();
        for (i, p) in get_seq(spec, "ports").iter().enumerate() {
            let p = as_map(p);
            let pp = format!("spec.ports[{i}]");
            let protocol = self.protocol(
                p,
                &format!("{pp}.protocol"),
                Slot::ServicePort {
                    port: i,
                    field: PortField::Protocol,
                },
            );
            let port = get_int(p, "port").unwrap_or(0);
            let target_port = match get(p, "targetPort").and_then(int_or_string) {
                None | Some(IntOrString::Int(0)) => IntOrString::Int(port),
                Some(IntOrString::Str(s)) if s.is_empty() => IntOrString::Int(port),
                Some(t) => t,
            };
            if let Some(ap) = get_str(p, "appProtocol") {
                for msg in validate::is_qualified_name(ap) {
                    self.cause(
                        Slot::ServicePort {
                            port: i,
                            field: PortField::AppProtocol,
                        },
                        validate::invalid(&format!("{pp}.appProtocol"), BadValue::str(ap), &msg),
                    );
                }
            }
            ports.push(ServicePort {
                name: get_str(p, "name")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                protocol,
                port,
                target_port,
                node_port: get_int(p, "nodePort").filter(|n| *n != 0),
            });
        }
        let selector = get_map(spec, "selector")
            .filter(|m| !m.is_empty())
            .map(|_| str_map(spec, "selector"));
        let cluster_ip = self.cluster_ip(spec, type_, type_known);
        self.ip_families(spec);
        let session_affinity_timeout = match get_str(spec, "sessionAffinity").unwrap_or("") {
            "" | "None" => None,
            "ClientIP" => Some(
                get_map(spec, "sessionAffinityConfig")
                    .and_then(|c| get_map(c, "clientIP"))
                    .and_then(|c| get_int(c, "timeoutSeconds"))
                    .unwrap_or(10800),
            ),
            other => {
                self.cause(
                    Slot::SessionAffinity,
                    validate::not_supported(
                        "spec.sessionAffinity",
                        BadValue::str(other),
                        &["ClientIP", "None"],
                    ),
                );
                None
            }
        };
        if get(spec, "sessionAffinityConfig").is_some() {
            self.present.session_affinity_config = true;
        }
        let external_ips = strings(get_seq(spec, "externalIPs"));
        // `IsValidIP`, then `ValidateNonSpecialIP`.
        for (i, ip) in external_ips.iter().enumerate() {
            let path = format!("spec.externalIPs[{i}]");
            match ip.parse::<IpAddr>() {
                Err(_) => self.cause(Slot::ExternalIps, validate::invalid_ip(&path, ip)),
                Ok(IpAddr::V4(v4)) => {
                    if let Some(m) = validate::special_ip(v4, ip) {
                        self.cause(
                            Slot::ExternalIps,
                            validate::invalid(&path, BadValue::str(ip), &m),
                        );
                    }
                }
                Ok(IpAddr::V6(_)) => {}
            }
        }
        if !external_ips.is_empty() {
            self.present.external_ips = true;
        }
        let external = type_known
            && (matches!(type_, ServiceType::NodePort | ServiceType::LoadBalancer)
                || !external_ips.is_empty());
        let external_traffic_policy = match get_str(spec, "externalTrafficPolicy").unwrap_or("") {
            "" => TrafficPolicy::Cluster,
            p => {
                self.present.external_traffic_policy = true;
                match p {
                    "Cluster" => TrafficPolicy::Cluster,
                    "Local" => TrafficPolicy::Local,
                    other => {
                        let e = if external {
                            validate::not_supported(
                                "spec.externalTrafficPolicy",
                                BadValue::str(other),
                                &["Cluster", "Local"],
                            )
                        } else {
                            validate::invalid(
                                "spec.externalTrafficPolicy",
                                BadValue::str(other),
                                "may only be set for externally-accessible services",
                            )
                        };
                        self.cause(Slot::ExternalTrafficPolicy, e);
                        TrafficPolicy::Cluster
                    }
                }
            }
        };
        if let Some(h) = get_int(spec, "healthCheckNodePort").filter(|h| *h != 0) {
            let needs = type_known
                && type_ == ServiceType::LoadBalancer
                && external_traffic_policy == TrafficPolicy::Local;
            if !needs {
                self.cause(
                    Slot::HealthCheckNodePort,
                    validate::invalid(
                        "spec.healthCheckNodePort",
                        BadValue::Int(h),
                        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
                    ),
                );
            } else {
                for msg in validate::is_port_num(h) {
                    self.cause(
                        Slot::HealthCheckNodePort,
                        validate::invalid("spec.healthCheckNodePort", BadValue::Int(h), &msg),
                    );
                }
            }
        }
        let internal_traffic_policy = match get_str(spec, "internalTrafficPolicy").unwrap_or("") {
            "" | "Cluster" => TrafficPolicy::Cluster,
            "Local" => TrafficPolicy::Local,
            other => {
                self.cause(
                    Slot::InternalTrafficPolicy,
                    validate::not_supported(
                        "spec.internalTrafficPolicy",
                        BadValue::str(other),
                        &["Cluster", "Local"],
                    ),
                );
                TrafficPolicy::Cluster
            }
        };
        if get_bool(spec, "allocateLoadBalancerNodePorts").is_some()
            && !(type_known && type_ == ServiceType::LoadBalancer)
        {
            self.cause(
                Slot::AllocateLoadBalancerNodePorts,
                validate::forbidden(
                    "spec.allocateLoadBalancerNodePorts",
                    "may only be used when `type` is 'LoadBalancer'",
                ),
            );
        }
        if let Some(td) = get_str(spec, "trafficDistribution") {
            if td != "PreferClose" && td != "PreferSameZone" && td != "PreferSameNode" {
                self.cause(
                    Slot::Spec,
                    validate::not_supported(
                        "spec.trafficDistribution",
                        BadValue::str(td),
                        &["PreferClose", "PreferSameZone", "PreferSameNode"],
                    ),
                );
            }
        }
        Service {
            meta,
            spec: ServiceSpec {
                type_,
                selector,
                ports,
                cluster_ip,
                external_name: get_str(spec, "externalName")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                session_affinity_timeout,
                external_traffic_policy,
                internal_traffic_policy,
                publish_not_ready_addresses: get_bool(spec, "publishNotReadyAddresses")
                    .unwrap_or(false),
                load_balancer_source_ranges: strings(get_seq(spec, "loadBalancerSourceRanges")),
                load_balancer_ip: get_str(spec, "loadBalancerIP").and_then(parse_ipv4),
                external_ips: external_ips
                    .iter()
                    .filter_map(|ip| parse_ipv4(ip))
                    .collect(),
                health_check_node_port: get_int(spec, "healthCheckNodePort").filter(|h| *h != 0),
            },
            ..Default::default()
        }
    }

    /// `clusterIP` / `clusterIPs` as the Service strategy syncs them, then read into the model.
    fn cluster_ip(&mut self, spec: &Map, type_: ServiceType, type_known: bool) -> ClusterIp {
        let ips = strings(get_seq(spec, "clusterIPs"));
        let ip = get_str(spec, "clusterIP").unwrap_or("");
        if !ip.is_empty() && !ips.is_empty() && ips.first().map(String::as_str) != Some(ip) {
            self.cause(
                Slot::ClusterIps,
                validate::invalid(
                    "spec.clusterIPs",
                    BadValue::Go(go_string_slice(&ips)),
                    "first value must match `clusterIP`",
                ),
            );
        }
        if ips.len() > 2 {
            self.cause(
                Slot::ClusterIps,
                validate::invalid(
                    "spec.clusterIPs",
                    BadValue::Go(go_string_slice(&ips)),
                    "may only hold up to 2 values",
                ),
            );
        }
        let raw = if ip.is_empty() {
            ips.first().map(String::as_str).unwrap_or("")
        } else {
            ip
        };
        if raw.is_empty() {
            return ClusterIp::NoIp;
        }
        if raw == "None" {
            return ClusterIp::Headless;
        }
        if let Some(v4) = parse_ipv4(raw) {
            return ClusterIp::Ip(v4);
        }
        // Not something the model can hold.
        if type_known && type_ == ServiceType::ExternalName {
            self.cause(
                Slot::ClusterIps,
                validate::forbidden(
                    "spec.clusterIPs",
                    "may not be set for ExternalName services",
                ),
            );
        } else if raw.parse::<IpAddr>().is_ok() {
            self.cause(
                Slot::ClusterIps,
                validate::invalid(
                    "spec.ipFamilies[0]",
                    BadValue::str("IPv6"),
                    "not configured on this cluster",
                ),
            );
        } else {
            self.cause(
                Slot::ClusterIps,
                validate::invalid_ip("spec.clusterIPs[0]", raw),
            );
        }
        ClusterIp::NoIp
    }

    /// `ipFamilies` / `ipFamilyPolicy` on svclab's single-stack IPv4 cluster.
    fn ip_families(&mut self, spec: &Map) {
        let mut seen = SortedSet::new();
        for (i, f) in strings(get_seq(spec, "ipFamilies")).iter().enumerate() {
            let fp = format!("spec.ipFamilies[{i}]");
            match f.as_str() {
                "IPv4" => {}
                "IPv6" => self.cause(
                    Slot::ClusterIps,
                    validate::invalid(&fp, BadValue::str(f), "not configured on this cluster"),
                ),
                other => self.cause(
                    Slot::ClusterIps,
                    validate::not_supported(&fp, BadValue::str(other), &["IPv4", "IPv6"]),
                ),
            }
            if !seen.insert(f.clone()) {
                self.cause(Slot::ClusterIps, validate::duplicate(&fp, BadValue::str(f)));
            }
        }
        match get_str(spec, "ipFamilyPolicy") {
            None | Some("SingleStack") | Some("PreferDualStack") => {}
            Some("RequireDualStack") => self.cause(
                Slot::ClusterIps,
                validate::invalid(
                    "spec.ipFamilyPolicy",
                    BadValue::str("RequireDualStack"),
                    "this cluster is not configured for dual-stack services",
                ),
            ),
            Some(other) => self.cause(
                Slot::ClusterIps,
                validate::not_supported(
                    "spec.ipFamilyPolicy",
                    BadValue::str(other),
                    &["PreferDualStack", "RequireDualStack", "SingleStack"],
                ),
            ),
        }
    }
}

fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    s.parse().ok()
}
