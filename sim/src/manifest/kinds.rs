//! The kinds a manifest may hold: the ones svclab simulates, and the built-in ones a real cluster
//! serves that svclab does not.

/// The kinds svclab simulates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Deployment,
    Service,
    Pod,
    Namespace,
    NetworkPolicy,
    List,
}

pub(super) fn kind_for(api_version: &str, kind: &str) -> Option<Kind> {
    match (api_version, kind) {
        ("apps/v1", "Deployment") => Some(Kind::Deployment),
        ("v1", "Service") => Some(Kind::Service),
        ("v1", "Pod") => Some(Kind::Pod),
        ("v1", "Namespace") => Some(Kind::Namespace),
        ("networking.k8s.io/v1", "NetworkPolicy") => Some(Kind::NetworkPolicy),
        ("v1", "List")
        | ("apps/v1", "DeploymentList")
        | ("v1", "ServiceList")
        | ("v1", "PodList")
        | ("v1", "NamespaceList")
        | ("networking.k8s.io/v1", "NetworkPolicyList") => Some(Kind::List),
        _ => None,
    }
}

/// Built-in kinds a real cluster serves that svclab does not simulate.
pub(super) fn is_real_kind(api_version: &str, kind: &str) -> bool {
    let core = [
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "Endpoints",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "ReplicationController",
        "LimitRange",
        "ResourceQuota",
        "Event",
        "Node",
        "PodTemplate",
        "Binding",
    ];
    let listed: &[(&str, &[&str])] = &[
        ("v1", &core),
        (
            "apps/v1",
            &[
                "ReplicaSet",
                "StatefulSet",
                "DaemonSet",
                "ControllerRevision",
            ],
        ),
        ("batch/v1", &["Job", "CronJob"]),
        ("networking.k8s.io/v1", &["Ingress", "IngressClass"]),
        ("discovery.k8s.io/v1", &["EndpointSlice"]),
        ("autoscaling/v1", &["HorizontalPodAutoscaler"]),
        ("autoscaling/v2", &["HorizontalPodAutoscaler"]),
        ("policy/v1", &["PodDisruptionBudget"]),
        (
            "rbac.authorization.k8s.io/v1",
            &["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
        ),
        (
            "storage.k8s.io/v1",
            &["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment"],
        ),
        ("scheduling.k8s.io/v1", &["PriorityClass"]),
        ("coordination.k8s.io/v1", &["Lease"]),
        ("node.k8s.io/v1", &["RuntimeClass"]),
        ("apiextensions.k8s.io/v1", &["CustomResourceDefinition"]),
        (
            "admissionregistration.k8s.io/v1",
            &[
                "ValidatingWebhookConfiguration",
                "MutatingWebhookConfiguration",
                "ValidatingAdmissionPolicy",
                "ValidatingAdmissionPolicyBinding",
            ],
        ),
        ("certificates.k8s.io/v1", &["CertificateSigningRequest"]),
        (
            "flowcontrol.apiserver.k8s.io/v1",
            &["FlowSchema", "PriorityLevelConfiguration"],
        ),
    ];
    listed
        .iter()
        .any(|(v, kinds)| *v == api_version && kinds.contains(&kind))
}

pub(super) fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Deployment => "Deployment",
        Kind::Service => "Service",
        Kind::Pod => "Pod",
        Kind::Namespace => "Namespace",
        Kind::NetworkPolicy => "NetworkPolicy",
        Kind::List => "List",
    }
}
