//! The API's resource types, described once: each [`ResourceType`] names a kind the way the API
//! server does (kind, plural, singular, short names, group and versions, namespaced or not) and
//! says what svclab does with it (simulated or only known, applied from a manifest, deleted,
//! the columns `kubectl get` prints).
//!
//! kubectl's name lookup (`svc`, `services`, `Service`, `deployments.apps`, `deploy`),
//! `kubectl api-resources`, completion and a manifest's `apiVersion` + `kind` all read
//! [`RESOURCES`].

/// The kinds svclab simulates: every object the cluster holds is one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Pod,
    Service,
    DaemonSet,
    Deployment,
    ReplicaSet,
    Endpoints,
    EndpointSlice,
    Node,
    Namespace,
    NetworkPolicy,
    Event,
}

/// One resource type of the API, as discovery serves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceType {
    /// The object's `kind` (`Deployment`).
    pub kind: &'static str,
    /// The simulated kind; `None` for a type a real cluster serves that svclab does not model.
    pub simulated: Option<Kind>,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    /// `group/version` (`v1` for the core group), the preferred version first.
    pub api_versions: &'static [&'static str],
    pub namespaced: bool,
    /// A manifest may hold it: `kubectl apply` and `kubectl create -f` make or change it.
    pub apply: bool,
    /// `kubectl delete` removes it (other simulated kinds belong to a controller, which would
    /// make them again at once).
    pub delete: bool,
    /// In the `all` category: `kubectl get all` lists it.
    pub in_all: bool,
    /// The warning the API server sends with every request to a deprecated type (apiserver
    /// `pkg/endpoints/deprecation/deprecation.go` from the type's `APILifecycleDeprecated` and
    /// `APILifecycleReplacement`), which kubectl prints on stderr as `Warning: ...`.
    pub deprecated: Option<&'static str>,
    /// The header row kubectl's printer (`pkg/printers/internalversion/printers.go`) prints for
    /// the type, without NAMESPACE; empty for a type svclab does not print.
    pub columns: &'static [&'static str],
    /// The columns `-o wide` adds after them.
    pub wide: &'static [&'static str],
}

impl ResourceType {
    /// The same type, in the `all` category.
    const fn in_all(self) -> ResourceType {
        ResourceType {
            in_all: true,
            ..self
        }
    }

    /// The same type, deprecated with this warning.
    const fn deprecated(self, warning: &'static str) -> ResourceType {
        ResourceType {
            deprecated: Some(warning),
            ..self
        }
    }

    /// The same type, printed with these columns (and these more with `-o wide`).
    const fn columns(
        self,
        columns: &'static [&'static str],
        wide: &'static [&'static str],
    ) -> ResourceType {
        ResourceType {
            columns,
            wide,
            ..self
        }
    }

    /// The API group (`""` for the core group).
    pub fn group(&self) -> &'static str {
        self.api_version().rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// The preferred `group/version`.
    pub fn api_version(&self) -> &'static str {
        self.api_versions.first().copied().unwrap_or("v1")
    }

    /// `plural.group` (`deployments.apps`, `services`), as kubectl names the type in messages.
    pub fn resource(&self) -> String {
        with_group(self.plural, self.group())
    }

    /// `singular.group` (`deployment.apps`, `service`), as kubectl prefixes object names.
    pub fn prefix(&self) -> String {
        with_group(self.singular, self.group())
    }

    /// Every name kubectl accepts for the type without a group.
    fn names(&self) -> impl Iterator<Item = &'static str> {
        [self.plural, self.singular]
            .into_iter()
            .chain(self.short_names.iter().copied())
    }

    fn answers_to(&self, name: &str) -> bool {
        self.names().any(|n| n == name) || self.kind.eq_ignore_ascii_case(name)
    }
}

fn with_group(name: &str, group: &str) -> String {
    if group.is_empty() {
        name.to_string()
    } else {
        format!("{name}.{group}")
    }
}

#[allow(clippy::too_many_arguments)]
const fn simulated(
    kind: Kind,
    name: &'static str,
    plural: &'static str,
    singular: &'static str,
    short_names: &'static [&'static str],
    api_versions: &'static [&'static str],
    namespaced: bool,
    changes: bool,
) -> ResourceType {
    ResourceType {
        kind: name,
        simulated: Some(kind),
        plural,
        singular,
        short_names,
        api_versions,
        namespaced,
        apply: changes,
        delete: changes,
        in_all: false,
        deprecated: None,
        columns: &[],
        wide: &[],
    }
}

const fn served(
    kind: &'static str,
    plural: &'static str,
    singular: &'static str,
    short_names: &'static [&'static str],
    api_versions: &'static [&'static str],
    namespaced: bool,
) -> ResourceType {
    ResourceType {
        kind,
        simulated: None,
        plural,
        singular,
        short_names,
        api_versions,
        namespaced,
        apply: false,
        delete: false,
        in_all: false,
        deprecated: None,
        columns: &[],
        wide: &[],
    }
}

const V1: &[&str] = &["v1"];
const APPS: &[&str] = &["apps/v1"];
const NETWORKING: &[&str] = &["networking.k8s.io/v1"];
const ADMISSION: &[&str] = &["admissionregistration.k8s.io/v1"];
const RBAC: &[&str] = &["rbac.authorization.k8s.io/v1"];
const STORAGE: &[&str] = &["storage.k8s.io/v1"];
const FLOW: &[&str] = &["flowcontrol.apiserver.k8s.io/v1"];
const EVENT_COLUMNS: &[&str] = &["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
const WORKLOAD_WIDE: &[&str] = &["CONTAINERS", "IMAGES", "SELECTOR"];

/// Every resource type svclab knows. The simulated ones come first, in the order
/// `kubectl api-resources` lists them (core group, then the named groups); a type served in
/// two groups (events) has one entry per group, the core one first.
#[rustfmt::skip]
pub static RESOURCES: &[ResourceType] = &[
    // `k8s.io/api/core/v1/lifecycle.go`: deprecated in 1.33 for discovery.k8s.io/v1 EndpointSlice.
    simulated(Kind::Endpoints, "Endpoints", "endpoints", "endpoints", &["ep"], V1, true, true)
        .columns(&["NAME", "ENDPOINTS", "AGE"], &[])
        .deprecated("v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"),
    simulated(Kind::Event, "Event", "events", "event", &["ev"], V1, true, false)
        .columns(EVENT_COLUMNS, &[]),
    simulated(Kind::Namespace, "Namespace", "namespaces", "namespace", &["ns"], V1, false, true)
        .columns(&["NAME", "STATUS", "AGE"], &[]),
    simulated(Kind::Node, "Node", "nodes", "node", &["no"], V1, false, false)
        .columns(&["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
                 &["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]),
    simulated(Kind::Pod, "Pod", "pods", "pod", &["po"], V1, true, true).in_all()
        .columns(&["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
                 &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]),
    simulated(Kind::Service, "Service", "services", "service", &["svc"], V1, true, true).in_all()
        .columns(&["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], &["SELECTOR"]),
    simulated(Kind::DaemonSet, "DaemonSet", "daemonsets", "daemonset", &["ds"], APPS, true, false).in_all()
        .columns(&["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
                 WORKLOAD_WIDE),
    simulated(Kind::Deployment, "Deployment", "deployments", "deployment", &["deploy"], APPS, true, true).in_all()
        .columns(&["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], WORKLOAD_WIDE),
    simulated(Kind::ReplicaSet, "ReplicaSet", "replicasets", "replicaset", &["rs"], APPS, true, false).in_all()
        .columns(&["NAME", "DESIRED", "CURRENT", "READY", "AGE"], WORKLOAD_WIDE),
    simulated(Kind::EndpointSlice, "EndpointSlice", "endpointslices", "endpointslice", &[], &["discovery.k8s.io/v1"], true, true)
        .columns(&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], &[]),
    simulated(Kind::Event, "Event", "events", "event", &["ev"], &["events.k8s.io/v1"], true, false)
        .columns(EVENT_COLUMNS, &[]),
    simulated(Kind::NetworkPolicy, "NetworkPolicy", "networkpolicies", "networkpolicy", &["netpol"], NETWORKING, true, true)
        .columns(&["NAME", "POD-SELECTOR", "AGE"], &[]),
    served("Binding", "bindings", "binding", &[], V1, true),
    served("ComponentStatus", "componentstatuses", "componentstatus", &["cs"], V1, false),
    served("ConfigMap", "configmaps", "configmap", &["cm"], V1, true),
    served("LimitRange", "limitranges", "limitrange", &["limits"], V1, true),
    served("PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", &["pvc"], V1, true),
    served("PersistentVolume", "persistentvolumes", "persistentvolume", &["pv"], V1, false),
    served("PodTemplate", "podtemplates", "podtemplate", &[], V1, true),
    served("ReplicationController", "replicationcontrollers", "replicationcontroller", &["rc"], V1, true),
    served("ResourceQuota", "resourcequotas", "resourcequota", &["quota"], V1, true),
    served("Secret", "secrets", "secret", &[], V1, true),
    served("ServiceAccount", "serviceaccounts", "serviceaccount", &["sa"], V1, true),
    served("MutatingWebhookConfiguration", "mutatingwebhookconfigurations", "mutatingwebhookconfiguration", &[], ADMISSION, false),
    served("ValidatingAdmissionPolicy", "validatingadmissionpolicies", "validatingadmissionpolicy", &[], ADMISSION, false),
    served("ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", "validatingadmissionpolicybinding", &[], ADMISSION, false),
    served("ValidatingWebhookConfiguration", "validatingwebhookconfigurations", "validatingwebhookconfiguration", &[], ADMISSION, false),
    served("CustomResourceDefinition", "customresourcedefinitions", "customresourcedefinition", &["crd", "crds"], &["apiextensions.k8s.io/v1"], false),
    served("APIService", "apiservices", "apiservice", &[], &["apiregistration.k8s.io/v1"], false),
    served("ControllerRevision", "controllerrevisions", "controllerrevision", &[], APPS, true),
    served("StatefulSet", "statefulsets", "statefulset", &["sts"], APPS, true),
    served("HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler", &["hpa"], &["autoscaling/v2", "autoscaling/v1"], true),
    served("CronJob", "cronjobs", "cronjob", &["cj"], &["batch/v1"], true),
    served("Job", "jobs", "job", &[], &["batch/v1"], true),
    served("CertificateSigningRequest", "certificatesigningrequests", "certificatesigningrequest", &["csr"], &["certificates.k8s.io/v1"], false),
    served("Lease", "leases", "lease", &[], &["coordination.k8s.io/v1"], true),
    served("FlowSchema", "flowschemas", "flowschema", &[], FLOW, false),
    served("PriorityLevelConfiguration", "prioritylevelconfigurations", "prioritylevelconfiguration", &[], FLOW, false),
    served("IngressClass", "ingressclasses", "ingressclass", &[], NETWORKING, false),
    served("Ingress", "ingresses", "ingress", &["ing"], NETWORKING, true),
    served("RuntimeClass", "runtimeclasses", "runtimeclass", &[], &["node.k8s.io/v1"], false),
    served("PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", &["pdb"], &["policy/v1"], true),
    served("ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", &[], RBAC, false),
    served("ClusterRole", "clusterroles", "clusterrole", &[], RBAC, false),
    served("RoleBinding", "rolebindings", "rolebinding", &[], RBAC, true),
    served("Role", "roles", "role", &[], RBAC, true),
    served("PriorityClass", "priorityclasses", "priorityclass", &["pc"], &["scheduling.k8s.io/v1"], false),
    served("CSIDriver", "csidrivers", "csidriver", &[], STORAGE, false),
    served("CSINode", "csinodes", "csinode", &[], STORAGE, false),
    served("StorageClass", "storageclasses", "storageclass", &["sc"], STORAGE, false),
    served("VolumeAttachment", "volumeattachments", "volumeattachment", &[], STORAGE, false),
];

impl Kind {
    /// The kind's resource type (for events, the core group's).
    pub fn resource_type(self) -> &'static ResourceType {
        RESOURCES
            .iter()
            .find(|r| r.simulated == Some(self))
            .unwrap_or(&RESOURCES[0])
    }

    /// The object's `kind` (`Deployment`).
    pub fn name(self) -> &'static str {
        self.resource_type().kind
    }

    pub fn plural(self) -> &'static str {
        self.resource_type().plural
    }

    pub fn singular(self) -> &'static str {
        self.resource_type().singular
    }

    pub fn api_version(self) -> &'static str {
        self.resource_type().api_version()
    }

    pub fn namespaced(self) -> bool {
        self.resource_type().namespaced
    }

    /// `plural.group`: `deployments.apps`.
    pub fn resource(self) -> String {
        self.resource_type().resource()
    }

    /// `singular.group`: `deployment.apps`.
    pub fn prefix(self) -> String {
        self.resource_type().prefix()
    }
}

/// The simulated kinds of the `all` category, in the order `kubectl get all` lists them.
pub fn all_category() -> impl Iterator<Item = Kind> {
    RESOURCES
        .iter()
        .filter(|r| r.in_all)
        .filter_map(|r| r.simulated)
}

/// The type kubectl resolves a typed name to: `svc`, `services`, `service`, `Service`,
/// `deployments.apps`, `deployments.v1.apps`, `netpol`. `None` when no type answers to it.
pub fn by_name(typed: &str) -> Option<&'static ResourceType> {
    let lower = typed.to_ascii_lowercase();
    if let Some(r) = RESOURCES.iter().find(|r| r.answers_to(&lower)) {
        return Some(r);
    }
    let (name, rest) = lower.split_once('.')?;
    RESOURCES.iter().find(|r| {
        r.answers_to(name)
            && !r.group().is_empty()
            && (rest == r.group()
                || r.api_versions.iter().any(|v| {
                    v.rsplit_once('/')
                        .is_some_and(|(g, v)| rest.strip_prefix(v) == Some(&format!(".{g}")))
                }))
    })
}

/// The type a manifest names by `apiVersion` and `kind` (`apps/v1`, `Deployment`), if the API
/// serves that kind at that version.
pub fn by_kind(api_version: &str, kind: &str) -> Option<&'static ResourceType> {
    RESOURCES
        .iter()
        .find(|r| r.kind == kind && r.api_versions.contains(&api_version))
}

/// What a manifest's `apiVersion` and `kind` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManifestKind {
    /// A kind svclab applies ([`ResourceType::apply`]).
    Object(Kind),
    /// `v1 List`, or `<Kind>List` of a kind svclab applies, at that kind's version.
    List,
    /// A type a real cluster serves that svclab does not apply.
    Served(&'static ResourceType),
    /// No such kind at that version.
    Unknown,
}

/// Resolve a manifest's `apiVersion` and `kind`.
pub fn manifest_kind(api_version: &str, kind: &str) -> ManifestKind {
    if let Some(r) = by_kind(api_version, kind) {
        return match r.simulated.filter(|_| r.apply) {
            Some(k) => ManifestKind::Object(k),
            None => ManifestKind::Served(r),
        };
    }
    let list_of = kind
        .strip_suffix("List")
        .and_then(|item| by_kind(api_version, item));
    if (api_version == "v1" && kind == "List") || list_of.is_some_and(|r| r.apply) {
        ManifestKind::List
    } else {
        ManifestKind::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_names_resolve() {
        let kind = |typed: &str| by_name(typed).map(|r| (r.plural, r.simulated));
        for (typed, plural, simulated) in [
            ("svc", "services", Some(Kind::Service)),
            ("services", "services", Some(Kind::Service)),
            ("Service", "services", Some(Kind::Service)),
            ("deploy", "deployments", Some(Kind::Deployment)),
            ("deployments.apps", "deployments", Some(Kind::Deployment)),
            ("deployments.v1.apps", "deployments", Some(Kind::Deployment)),
            ("ep", "endpoints", Some(Kind::Endpoints)),
            (
                "endpointslices.discovery.k8s.io",
                "endpointslices",
                Some(Kind::EndpointSlice),
            ),
            ("ev", "events", Some(Kind::Event)),
            ("cm", "configmaps", None),
            ("ingresses.networking.k8s.io", "ingresses", None),
        ] {
            assert_eq!(kind(typed), Some((plural, simulated)), "{typed}");
        }
        assert_eq!(
            by_name("events.events.k8s.io").map(|r| r.api_version()),
            Some("events.k8s.io/v1")
        );
        assert_eq!(kind("pods.apps"), None);
        assert_eq!(kind("bogus"), None);
    }

    #[test]
    fn all_is_the_workloads_and_services() {
        let all: Vec<Kind> = all_category().collect();
        assert_eq!(
            all,
            [
                Kind::Pod,
                Kind::Service,
                Kind::DaemonSet,
                Kind::Deployment,
                Kind::ReplicaSet
            ]
        );
    }

    #[test]
    fn manifest_kinds_resolve() {
        for (api_version, kind, expected) in [
            (
                "apps/v1",
                "Deployment",
                ManifestKind::Object(Kind::Deployment),
            ),
            ("v1", "Service", ManifestKind::Object(Kind::Service)),
            ("v1", "Pod", ManifestKind::Object(Kind::Pod)),
            ("v1", "Namespace", ManifestKind::Object(Kind::Namespace)),
            (
                "networking.k8s.io/v1",
                "NetworkPolicy",
                ManifestKind::Object(Kind::NetworkPolicy),
            ),
            ("v1", "List", ManifestKind::List),
            ("apps/v1", "DeploymentList", ManifestKind::List),
            (
                "networking.k8s.io/v1",
                "NetworkPolicyList",
                ManifestKind::List,
            ),
            ("v1", "EndpointsList", ManifestKind::List),
            ("apps/v1", "ReplicaSetList", ManifestKind::Unknown),
            ("v1", "Deployment", ManifestKind::Unknown),
            ("apps/v1beta1", "Deployment", ManifestKind::Unknown),
        ] {
            assert_eq!(
                manifest_kind(api_version, kind),
                expected,
                "{api_version} {kind}"
            );
        }
        for (api_version, kind) in [
            ("apps/v1", "ReplicaSet"),
            ("batch/v1", "Job"),
            ("v1", "ComponentStatus"),
            ("apiregistration.k8s.io/v1", "APIService"),
            ("events.k8s.io/v1", "Event"),
        ] {
            assert!(
                matches!(manifest_kind(api_version, kind), ManifestKind::Served(r) if r.kind == kind)
            );
        }
        assert_eq!(
            by_kind("apps/v1", "Deployment").and_then(|r| r.simulated),
            Some(Kind::Deployment)
        );
        assert!(by_kind("v1", "Deployment").is_none());
        assert!(by_kind("autoscaling/v1", "HorizontalPodAutoscaler").is_some());
        assert!(by_kind("v1", "Endpoints").is_some_and(|r| r.apply));
        assert!(by_kind("apps/v1", "ReplicaSet").is_some_and(|r| !r.apply));
    }

    #[test]
    fn every_simulated_kind_has_one_first_entry() {
        for r in RESOURCES {
            let Some(kind) = r.simulated else { continue };
            assert_eq!(kind.name(), r.kind);
            assert_eq!(kind.singular(), r.kind.to_ascii_lowercase());
        }
    }
}
