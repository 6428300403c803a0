//! EndpointSlices and Endpoints written by hand (the endpoints of a Service without a selector),
//! with the API server's defaults and checks: kubernetes/kubernetes
//! `pkg/apis/discovery/validation/validation.go` (`ValidateEndpointSlice`) and
//! `pkg/apis/core/validation/validation.go` (`ValidateEndpoints`), v1.31. The model holds IPv4
//! addresses only, so every cause about an address is found here and filed at
//! [`Slot::Endpoints`], in the API server's order.

use std::net::{IpAddr, Ipv4Addr};

use crate::model::{Endpoint, EndpointPort, EndpointSlice, EndpointSubset, Endpoints};
use crate::validate::{self, is_dns1123_label, is_port_num, BadValue, Slot};

use super::{as_map, get_bool, get_int, get_map, get_seq, get_str, strings, Conv, Map};

/// The label naming a slice's Service.
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

impl Conv {
    pub(in crate::manifest) fn endpoint_slice(&mut self, root: &Map) -> EndpointSlice {
        let meta = self.meta(root, true);
        let address_type = get_str(root, "addressType").unwrap_or("");
        match address_type {
            "" => self.cause(Slot::Endpoints, validate::required("addressType", "")),
            "IPv4" => {}
            "IPv6" | "FQDN" => self.cause(
                Slot::Endpoints,
                validate::FieldError::new(
                    "addressType",
                    format!("svclab simulates an IPv4 cluster: {address_type} endpoints are not simulated"),
                ),
            ),
            other => self.cause(
                Slot::Endpoints,
                validate::not_supported(
                    "addressType",
                    BadValue::str(other),
                    &["FQDN", "IPv4", "IPv6"],
                ),
            ),
        }
        let mut endpoints = Vec::new();
        for (i, e) in get_seq(root, "endpoints").iter().enumerate() {
            let e = as_map(e);
            let path = format!("endpoints[{i}].addresses");
            let addresses = strings(get_seq(e, "addresses"));
            if addresses.is_empty() {
                self.cause(
                    Slot::Endpoints,
                    validate::required(&path, "must contain at least 1 address"),
                );
            }
            let conditions = get_map(e, "conditions");
            let cond = |k: &str| conditions.and_then(|c| get_bool(c, k));
            // kube-proxy reads an unset `ready` or `serving` as true, an unset `terminating`
            // as false (`pkg/proxy/endpointslicecache.go`).
            let ready = cond("ready").unwrap_or(true);
            let serving = cond("serving").unwrap_or(true);
            let terminating = cond("terminating").unwrap_or(false);
            let pod = get_map(e, "targetRef")
                .filter(|r| get_str(r, "kind") == Some("Pod"))
                .and_then(|r| get_str(r, "name"))
                .unwrap_or("")
                .to_string();
            let node = get_str(e, "nodeName").unwrap_or("").to_string();
            let hostname = get_str(e, "hostname")
                .filter(|h| !h.is_empty())
                .map(str::to_string);
            for (j, a) in addresses.iter().enumerate() {
                let at = format!("{path}[{j}]");
                let ip = if address_type == "IPv4" {
                    self.ipv4(a, &at, "must be a valid IPv4 address")
                } else {
                    None
                };
                if let Some(ip) = ip {
                    endpoints.push(Endpoint {
                        ip,
                        pod: pod.clone(),
                        node: node.clone(),
                        hostname: hostname.clone(),
                        ready,
                        serving,
                        terminating,
                    });
                }
            }
            if let Some(h) = get_str(e, "hostname") {
                self.dns_label(h, &format!("endpoints[{i}].hostname"));
            }
        }
        let mut ports = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (i, p) in get_seq(root, "ports").iter().enumerate() {
            let p = as_map(p);
            let name = get_str(p, "name").unwrap_or("").to_string();
            if !name.is_empty() {
                self.dns_label(&name, &format!("ports[{i}].name"));
            }
            if names.contains(&name) {
                self.cause(
                    Slot::Endpoints,
                    validate::duplicate(&format!("ports[{i}].name"), BadValue::str(&name)),
                );
            }
            names.push(name.clone());
            let protocol = self.protocol(p, &format!("ports[{i}].protocol"), Slot::Endpoints);
            ports.push(EndpointPort {
                name: (!name.is_empty()).then_some(name),
                port: get_int(p, "port").unwrap_or(0),
                protocol,
            });
        }
        let service = meta
            .labels
            .get(SERVICE_NAME_LABEL)
            .cloned()
            .unwrap_or_default();
        EndpointSlice {
            meta,
            service,
            ports,
            endpoints,
        }
    }

    pub(in crate::manifest) fn endpoints(&mut self, root: &Map) -> Endpoints {
        let meta = self.meta(root, true);
        let mut subsets = Vec::new();
        for (i, ss) in get_seq(root, "subsets").iter().enumerate() {
            let ss = as_map(ss);
            let path = format!("subsets[{i}]");
            let ready = get_seq(ss, "addresses");
            let not_ready = get_seq(ss, "notReadyAddresses");
            if ready.is_empty() && not_ready.is_empty() {
                self.cause(
                    Slot::Endpoints,
                    validate::required(&path, "must specify `addresses` or `notReadyAddresses`"),
                );
            }
            let mut subset = EndpointSubset::default();
            for (field, list) in [("addresses", ready), ("notReadyAddresses", not_ready)] {
                for (j, a) in list.iter().enumerate() {
                    let a = as_map(a);
                    let at = format!("{path}.{field}[{j}]");
                    let raw = get_str(a, "ip").unwrap_or("");
                    if let Some(h) = get_str(a, "hostname").filter(|h| !h.is_empty()) {
                        self.dns_label(h, &format!("{at}.hostname"));
                    }
                    let pod = get_map(a, "targetRef")
                        .filter(|r| get_str(r, "kind") == Some("Pod"))
                        .and_then(|r| get_str(r, "name"))
                        .unwrap_or("")
                        .to_string();
                    let ip = self.ipv4(
                        raw,
                        &format!("{at}.ip"),
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                    );
                    if let Some(ip) = ip {
                        if field == "addresses" {
                            subset.addresses.push((ip, pod));
                        } else {
                            subset.not_ready_addresses.push((ip, pod));
                        }
                    }
                }
            }
            let ports = get_seq(ss, "ports");
            for (j, p) in ports.iter().enumerate() {
                let p = as_map(p);
                let at = format!("{path}.ports[{j}]");
                let name = get_str(p, "name").unwrap_or("").to_string();
                if name.is_empty() && ports.len() > 1 {
                    self.cause(
                        Slot::Endpoints,
                        validate::required(&format!("{at}.name"), ""),
                    );
                } else if !name.is_empty() {
                    self.dns_label(&name, &format!("{at}.name"));
                }
                let port = get_int(p, "port").unwrap_or(0);
                for m in is_port_num(port) {
                    self.cause(
                        Slot::Endpoints,
                        validate::invalid(&format!("{at}.port"), BadValue::Int(port), &m),
                    );
                }
                let protocol = self.protocol(p, &format!("{at}.protocol"), Slot::Endpoints);
                subset.ports.push(EndpointPort {
                    name: (!name.is_empty()).then_some(name),
                    port,
                    protocol,
                });
            }
            subsets.push(subset);
        }
        Endpoints { meta, subsets }
    }

    /// An address as `IsValidIP`/`IsValidIPv4Address` and `ValidateNonSpecialIP` check it;
    /// `None` (with its causes filed) when the model cannot route to it.
    fn ipv4(&mut self, raw: &str, path: &str, not_an_ip: &str) -> Option<Ipv4Addr> {
        let parsed: Option<IpAddr> = raw.parse().ok();
        let Some(ip) = parsed else {
            self.cause(
                Slot::Endpoints,
                validate::invalid(path, BadValue::str(raw), not_an_ip),
            );
            self.cause(
                Slot::Endpoints,
                validate::invalid(path, BadValue::str(raw), "must be a valid IP address"),
            );
            return None;
        };
        let IpAddr::V4(v4) = ip else {
            self.cause(
                Slot::Endpoints,
                validate::FieldError::new(
                    path,
                    "svclab simulates an IPv4 cluster: IPv6 endpoints are not simulated",
                ),
            );
            return None;
        };
        let special = validate::special_ip(v4, raw);
        match special {
            Some(m) => {
                self.cause(
                    Slot::Endpoints,
                    validate::invalid(path, BadValue::str(raw), &m),
                );
                None
            }
            None => Some(v4),
        }
    }

    fn dns_label(&mut self, value: &str, path: &str) {
        for m in is_dns1123_label(value) {
            self.cause(
                Slot::Endpoints,
                validate::invalid(path, BadValue::str(value), &m),
            );
        }
    }
}
