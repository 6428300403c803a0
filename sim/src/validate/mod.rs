//! What the API server checks before it stores an object, in its own words.
//!
//! [`validate`] runs the stateless checks of `ValidateDeployment`, `ValidateService`,
//! `ValidatePodCreate`, `ValidateNamespace` and `ValidateNetworkPolicy` (Kubernetes 1.31), in the
//! same order, so a learner sees the causes kubectl would print, in kubectl's order.
//! [`allocation_checks`] adds the range checks the Service IP and NodePort allocators make right
//! after validation. The constructors ([`invalid`], [`required`], ...) and [`invalid_message`] are
//! shared with the cluster, which adds the stateful causes (`provided port is already allocated`).
//!
//! Each cause is a [`FieldError`]: a field path and a detail exactly as `field.Error.ErrorBody()`
//! prints it. Its `line`/`column` are 0 here; [`crate::manifest`] fills them in.
//!
//! The typed model cannot hold every value a manifest can say (a Service `type: Foo`, a port
//! `protocol: HTTP`, a probe with two handlers). [`crate::manifest`] turns those into causes as it
//! reads them and hands them over in a [`Written`], each filed at the [`Slot`] where the API server
//! would report it, with the optional fields it wrote ([`Present`]); [`validate_with`] merges them
//! in at that place.
//!
//! The files: `field_error` (causes and their constructors), `go` (Go's `%q` and `%#v`),
//! `names` (names, labels, ports, IPs), `written` (what a manifest adds, and the order it is
//! merged in), then one file per kind: `meta` (object metadata, labels, selectors, Namespace),
//! `workload` (Deployment, Pod), `service` and `network_policy`.

use crate::model::{ClusterIp, Object, ServiceType};

/// The Service CIDR of a kubeadm / kind cluster.
pub const SERVICE_CIDR: &str = "10.96.0.0/12";
const SERVICE_CIDR_BASE: u32 = 0x0a60_0000; // 10.96.0.0
const SERVICE_CIDR_PREFIX: u32 = 12;
/// `--service-node-port-range`.
pub const NODE_PORT_MIN: i64 = 30000;
pub const NODE_PORT_MAX: i64 = 32767;
/// `core.MaxClientIPServiceAffinitySeconds`.
pub const MAX_CLIENT_IP_AFFINITY_SECONDS: i64 = 86400;
/// `TotalAnnotationSizeLimitB`.
pub const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;

/// The detail of a cause about a value below zero.
const NEGATIVE: &str = "must be greater than or equal to 0";

mod field_error;
mod go;
mod meta;
mod names;
mod network_policy;
mod service;
mod workload;
mod written;

pub use field_error::*;
pub use go::*;
pub use meta::{validate_annotations, validate_label_selector, validate_labels};
pub use names::*;
pub use written::{ContainerField, PeerField, PortField, Present, Slot, Written};

use meta::{given, repeats, validate_meta, validate_namespace, NameRule};
use names::{parse_cidr, v4_mask, validate_port_num_or_name};
use network_policy::validate_network_policy;
use service::validate_service;
use workload::{validate_deployment, validate_pod};
use written::Check;

/// The API server's create-time validation of one object built in code.
pub fn validate(object: &Object) -> Vec<FieldError> {
    validate_with(object, &Written::default())
}

/// The API server's create-time validation of one object, with what its manifest said that the
/// model cannot hold. Causes come in the API server's order.
pub fn validate_with(object: &Object, written: &Written) -> Vec<FieldError> {
    let mut c = Check::new(written);
    match object {
        Object::Namespace(ns) => validate_namespace(&mut c, ns),
        Object::Deployment(d) => validate_deployment(&mut c, d),
        Object::Service(s) => validate_service(&mut c, s),
        Object::Pod(p) => validate_pod(&mut c, p),
        Object::NetworkPolicy(np) => validate_network_policy(&mut c, np),
        // `ValidateEndpointSlice` / `ValidateEndpoints`: the name, then what the manifest
        // reader found in the addresses and ports.
        Object::EndpointSlice(s) => {
            validate_meta(&mut c, &s.meta, NameRule::Dns1123Subdomain, true);
            c.slot(Slot::Endpoints);
        }
        Object::Endpoints(e) => {
            validate_meta(&mut c, &e.meta, NameRule::Dns1123Subdomain, true);
            c.slot(Slot::Endpoints);
        }
    }
    c.finish()
}

/// The checks the Service IP and NodePort allocators make on create, right after validation
/// passes: a requested `clusterIP` must be in the Service CIDR, a requested `nodePort` in the
/// NodePort range. The API server stops at the first failure, and so does this.
pub fn allocation_checks(object: &Object) -> Vec<FieldError> {
    let Object::Service(svc) = object else {
        return Vec::new();
    };
    if svc.spec.type_ == ServiceType::ExternalName {
        return Vec::new();
    }
    if let ClusterIp::Ip(ip) = svc.spec.cluster_ip {
        if !in_service_cidr(ip) {
            return vec![cluster_ip_out_of_range(&ip.to_string())];
        }
    }
    if matches!(
        svc.spec.type_,
        ServiceType::NodePort | ServiceType::LoadBalancer
    ) {
        for (i, p) in svc.spec.ports.iter().enumerate() {
            if let Some(np) = p.node_port {
                if !(NODE_PORT_MIN..=NODE_PORT_MAX).contains(&np) {
                    return vec![node_port_out_of_range(i, np)];
                }
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Container, Deployment, DeploymentSpec, IntOrString, LabelSelector, Labels, ObjectMeta,
        PodSpec, PodTemplateSpec, Protocol, Service, ServicePort, ServiceSpec,
    };
    use std::net::Ipv4Addr;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn service(name: &str, ports: Vec<ServicePort>) -> Service {
        Service {
            meta: ObjectMeta::new("default", name),
            spec: ServiceSpec {
                selector: Some(labels(&[("app", "web")])),
                ports,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn port(name: Option<&str>, port: i64) -> ServicePort {
        ServicePort {
            name: name.map(str::to_string),
            protocol: Protocol::Tcp,
            port,
            target_port: IntOrString::Int(port),
            node_port: None,
        }
    }

    fn causes(o: &Object) -> Vec<String> {
        validate(o).iter().map(FieldError::cause).collect()
    }

    #[test]
    fn name_rules_match_kubernetes_wording() {
        assert_eq!(
            is_dns1035_label("1tenant"),
            vec!["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]
        );
        assert!(is_dns1035_label("web-1").is_empty());
        assert_eq!(is_dns1123_label("a.b"), vec!["must not contain dots"]);
        assert!(is_dns1123_subdomain("a.b-c").is_empty());
        assert_eq!(
            is_dns1123_subdomain("Web"),
            vec!["a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
        );
        let long = "a".repeat(64);
        assert_eq!(
            is_dns1123_label(&long),
            vec!["must be no more than 63 characters"]
        );
        assert_eq!(
            is_dns1123_subdomain(&"a".repeat(254)),
            vec!["must be no more than 253 characters"]
        );
        assert!(is_qualified_name("app.kubernetes.io/name").is_empty());
        assert_eq!(
            is_qualified_name("/x"),
            vec!["prefix part must be non-empty"]
        );
        assert!(is_label_value("").is_empty());
        assert_eq!(is_label_value("-x").len(), 1);
        assert_eq!(
            is_port_name("http--web-12345"),
            vec!["must not contain consecutive hyphens"]
        );
        assert_eq!(
            is_port_name("8080"),
            vec!["must contain at least one letter (a-z)"]
        );
        assert_eq!(is_port_name("a-very-long-port-name").len(), 1);
    }

    #[test]
    fn go_formatting() {
        assert_eq!(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(
            go_string_map(&labels(&[("app", "nginx")])),
            "map[string]string{\"app\":\"nginx\"}"
        );
        assert_eq!(go_string_map(&Labels::new()), "map[string]string(nil)");
        assert_eq!(
            go_label_selector(&LabelSelector::default()),
            "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
        );
    }

    #[test]
    fn invalid_message_one_and_many() {
        let one = [invalid(
            "spec.ports[0].port",
            BadValue::Int(70000),
            "must be between 1 and 65535, inclusive",
        )];
        assert_eq!(
            invalid_message("Service", "x", &one),
            "The Service \"x\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"
        );
        let two = [required("spec.selector", ""), required("spec.ports", "")];
        assert_eq!(
            invalid_message("Deployment", "web", &two),
            "The Deployment \"web\" is invalid: \n* spec.selector: Required value\n* spec.ports: Required value"
        );
    }

    #[test]
    fn service_port_rules() {
        let svc = service(
            "web",
            vec![
                port(Some("http"), 80),
                port(Some("http"), 81),
                port(None, 70000),
            ],
        );
        assert_eq!(
            causes(&Object::Service(svc)),
            vec![
                "spec.ports[1].name: Duplicate value: \"http\"",
                "spec.ports[2].name: Required value",
                "spec.ports[2].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
                "spec.ports[2].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ]
        );
        let dup = service("web", vec![port(Some("a"), 80), port(Some("b"), 80)]);
        assert_eq!(
            causes(&Object::Service(dup)),
            vec!["spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"]
        );
    }

    #[test]
    fn service_types_and_ips() {
        let mut svc = service("web", vec![port(None, 80)]);
        svc.spec.ports[0].node_port = Some(30080);
        assert_eq!(
            causes(&Object::Service(svc.clone())),
            vec!["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]
        );
        svc.spec.type_ = ServiceType::NodePort;
        svc.spec.cluster_ip = ClusterIp::Headless;
        assert_eq!(
            causes(&Object::Service(svc.clone())),
            vec!["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]
        );
        svc.spec.cluster_ip = ClusterIp::Ip(Ipv4Addr::new(10, 0, 0, 1));
        assert!(validate(&Object::Service(svc.clone())).is_empty());
        assert_eq!(
            allocation_checks(&Object::Service(svc.clone()))[0].cause(),
            "spec.clusterIPs: Invalid value: []string{\"10.0.0.1\"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
        );
        svc.spec.cluster_ip = ClusterIp::NoIp;
        svc.spec.ports[0].node_port = Some(80);
        assert_eq!(
            allocation_checks(&Object::Service(svc))[0].cause(),
            "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"
        );
        let mut ext = service("db", vec![]);
        ext.spec.type_ = ServiceType::ExternalName;
        assert_eq!(
            causes(&Object::Service(ext.clone())),
            vec!["spec.externalName: Required value"]
        );
        ext.spec.external_name = Some("db.example.com.".into());
        assert!(validate(&Object::Service(ext)).is_empty());
        assert!(in_service_cidr(Ipv4Addr::new(10, 111, 255, 254)));
        assert!(!in_service_cidr(Ipv4Addr::new(10, 96, 0, 0)));
        assert!(!in_service_cidr(Ipv4Addr::new(10, 112, 0, 1)));
    }

    #[test]
    fn deployment_selector_and_template() {
        let d = Deployment {
            meta: ObjectMeta::new("default", "nginx"),
            spec: DeploymentSpec {
                replicas: -1,
                progress_deadline_seconds: crate::model::DEFAULT_PROGRESS_DEADLINE,
                selector: LabelSelector::from_labels(labels(&[("app", "web")])),
                template: PodTemplateSpec {
                    labels: labels(&[("app", "nginx")]),
                    spec: PodSpec {
                        containers: vec![Container {
                            name: "nginx".into(),
                            image: String::new(),
                            ..Default::default()
                        }],
                        ..Default::default()
                    },
                    ..Default::default()
                },
            },
        };
        assert_eq!(
            causes(&Object::Deployment(d)),
            vec![
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"nginx\"}: `selector` does not match template `labels`",
                "spec.template.spec.containers[0].image: Required value",
            ]
        );
    }
}
