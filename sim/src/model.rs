//! Typed Kubernetes objects: `metadata` + `spec` (desired) + `status` (observed by a controller).
//!
//! Only the fields svclab simulates are kept. Fields Kubernetes accepts but svclab ignores are checked
//! and dropped by [`crate::manifest`]; nothing here knows about YAML.

use crate::map::SortedMap;
use std::fmt;
use std::net::Ipv4Addr;

use crate::registry::ImageProfile;
use crate::time::Time;

pub type Labels = SortedMap<String, String>;

/// Object identity and bookkeeping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectMeta {
    pub name: String,
    /// Empty for cluster-scoped objects (Namespace, Node).
    pub namespace: String,
    pub labels: Labels,
    pub annotations: Labels,
    pub uid: String,
    pub creation: Time,
    /// Set when the object is being deleted (pods go Terminating).
    pub deletion: Option<Time>,
    pub generation: i64,
}

impl ObjectMeta {
    pub fn new(namespace: &str, name: &str) -> Self {
        ObjectMeta {
            name: name.to_string(),
            namespace: namespace.to_string(),
            ..Default::default()
        }
    }
}

/// `namespace/name`, the key kube-proxy and kubectl use.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(namespace: &str, name: &str) -> Self {
        ObjectKey {
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// As Kubernetes writes it: `TCP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// As iptables writes it: `tcp`.
    pub fn lower(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }

    pub fn parse(s: &str) -> Option<Protocol> {
        match s {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

/// `targetPort`: a number or the name of a container port.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntOrString {
    Int(i64),
    Str(String),
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrString::Int(n) => write!(f, "{n}"),
            IntOrString::Str(s) => f.write_str(s),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Label selectors

/// A requirement's operator. `Gt` and `Lt` (a label's integer value above or below the one
/// value) come only from a selector typed as text (`kubectl get -l 'x>1'`, apimachinery's
/// `labels.Parse`); a manifest's `metav1.LabelSelector` has no such operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectorOp {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorRequirement {
    pub key: String,
    pub operator: SelectorOp,
    pub values: Vec<String>,
}

/// A `metav1.LabelSelector`: `matchLabels` AND every `matchExpressions` entry.
/// An empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub match_labels: Labels,
    pub match_expressions: Vec<SelectorRequirement>,
}

impl LabelSelector {
    pub fn from_labels(labels: Labels) -> Self {
        LabelSelector {
            match_labels: labels,
            match_expressions: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|req| {
                let value = labels.get(&req.key);
                match req.operator {
                    SelectorOp::In => value.is_some_and(|v| req.values.contains(v)),
                    SelectorOp::NotIn => value.is_none_or(|v| !req.values.contains(v)),
                    SelectorOp::Exists => value.is_some(),
                    SelectorOp::DoesNotExist => value.is_none(),
                    SelectorOp::Gt | SelectorOp::Lt => {
                        // `Requirement.Matches`: both sides parsed as int64; no match otherwise.
                        let int = |v: &str| v.parse::<i64>().ok();
                        match (value.and_then(|v| int(v)), req.values.as_slice()) {
                            (Some(have), [bound]) => int(bound).is_some_and(|b| {
                                if req.operator == SelectorOp::Gt {
                                    have > b
                                } else {
                                    have < b
                                }
                            }),
                            _ => false,
                        }
                    }
                }
            })
    }

    /// kubectl's rendering, `app=backend,tier in (web)`.
    pub fn to_kubectl_string(&self) -> String {
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for req in &self.match_expressions {
            parts.push(match req.operator {
                SelectorOp::In => format!("{} in ({})", req.key, req.values.join(",")),
                SelectorOp::NotIn => format!("{} notin ({})", req.key, req.values.join(",")),
                SelectorOp::Exists => req.key.clone(),
                SelectorOp::DoesNotExist => format!("!{}", req.key),
                SelectorOp::Gt => format!("{}>{}", req.key, req.values.join(",")),
                SelectorOp::Lt => format!("{}<{}", req.key, req.values.join(",")),
            });
        }
        parts.join(",")
    }
}

/// A Service selector is a plain map; `None` means "no selector" (endpoints managed by hand).
pub fn selector_matches(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

// ---------------------------------------------------------------------------------------------
// Workloads

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub container_port: i64,
    pub protocol: Protocol,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Probe {
    pub initial_delay_seconds: i64,
    pub period_seconds: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Container {
    pub name: String,
    pub image: String,
    /// As the API server stores it: defaulted from the image when the container is created
    /// ([`PullPolicy::default_for`]) and kept when the image changes later.
    pub image_pull_policy: PullPolicy,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub ports: Vec<ContainerPort>,
    pub readiness_probe: Option<Probe>,
}

/// `Debug` is written out below: the pod-template-hash is taken over it
/// ([`crate::names::pod_template_hash_of`]).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct PodSpec {
    pub containers: Vec<Container>,
    pub node_name: Option<String>,
    pub node_selector: Labels,
    pub termination_grace_period_seconds: Option<i64>,
    pub restart_policy: Option<String>,
    pub host_network: bool,
    /// `spec.hostname` and `spec.subdomain`: with a headless Service named like the
    /// subdomain, the pod is `<hostname>.<subdomain>.<ns>.svc.cluster.local`.
    pub hostname: Option<String>,
    pub subdomain: Option<String>,
    /// `spec.tolerations`: the taints the scheduler may place the pod despite.
    pub tolerations: Vec<Toleration>,
    /// `spec.serviceAccountName`, for the cluster's own pods (`coredns`, `kube-proxy`,
    /// `kindnet`); `None` is the namespace's `default`. A manifest's is not read: svclab has no
    /// ServiceAccount objects for the admission check to find.
    pub service_account: Option<&'static str>,
    /// `spec.priorityClassName`, for the cluster's own pods: one of the two classes every
    /// cluster has ([`PodSpec::priority`]). A manifest's is not read.
    pub priority_class: Option<&'static str>,
}

impl PodSpec {
    /// `spec.priority` as the Priority admission plugin resolves the class: the built-in
    /// `system-node-critical` and `system-cluster-critical`, 0 without a class.
    pub fn priority(&self) -> i64 {
        match self.priority_class {
            Some("system-node-critical") => 2_000_001_000,
            Some("system-cluster-critical") => 2_000_000_000,
            _ => 0,
        }
    }

    /// The service account's name, `default` unless the pod names one.
    pub fn service_account_name(&self) -> &'static str {
        self.service_account.unwrap_or("default")
    }
}

/// `hostname`, `subdomain`, `tolerations`, the service account and the priority class appear
/// only when set, so that templates without them keep the pod-template-hash they had before
/// those fields were modelled.
impl std::fmt::Debug for PodSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("PodSpec");
        d.field("containers", &self.containers)
            .field("node_name", &self.node_name)
            .field("node_selector", &self.node_selector)
            .field(
                "termination_grace_period_seconds",
                &self.termination_grace_period_seconds,
            )
            .field("restart_policy", &self.restart_policy)
            .field("host_network", &self.host_network);
        if let Some(h) = &self.hostname {
            d.field("hostname", h);
        }
        if let Some(sd) = &self.subdomain {
            d.field("subdomain", sd);
        }
        if !self.tolerations.is_empty() {
            d.field("tolerations", &self.tolerations);
        }
        if let Some(sa) = self.service_account {
            d.field("service_account", &sa);
        }
        if let Some(class) = self.priority_class {
            d.field("priority_class", &class);
        }
        d.finish()
    }
}

/// One of a pod's `spec.tolerations`: with `Exists` any value of the taint's key matches, with
/// `Equal` only `value`; an empty `effect` matches every effect.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Toleration {
    pub key: String,
    /// `None` when the manifest leaves it out: it means `Equal`, and the API server stores it
    /// unset (`kubectl get -o yaml` shows no `operator`).
    pub operator: Option<TolerationOperator>,
    pub value: String,
    pub effect: String,
    /// `tolerationSeconds`: how long a `NoExecute` taint is tolerated (shown by describe; no
    /// simulated taint evicts).
    pub seconds: Option<i64>,
}

/// `seconds` appears only when set, so that templates without it keep the pod-template-hash
/// they had before it was modelled.
impl std::fmt::Debug for Toleration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Toleration");
        d.field("key", &self.key)
            .field("operator", &self.op())
            .field("value", &self.value)
            .field("effect", &self.effect);
        if let Some(s) = self.seconds {
            d.field("seconds", &s);
        }
        d.finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TolerationOperator {
    #[default]
    Equal,
    Exists,
}

impl Toleration {
    /// `operator: Exists` for `key` (every key when empty) and `effect` (every effect when
    /// empty).
    pub fn exists(key: &str, effect: &str) -> Toleration {
        Toleration {
            key: key.into(),
            operator: Some(TolerationOperator::Exists),
            effect: effect.into(),
            ..Toleration::default()
        }
    }

    /// The operator, `Equal` when not written.
    pub fn op(&self) -> TolerationOperator {
        self.operator.unwrap_or_default()
    }

    /// Whether it tolerates the taint `key=value:effect`.
    pub fn tolerates(&self, key: &str, value: &str, effect: &str) -> bool {
        let effect_ok = self.effect.is_empty() || self.effect == effect;
        let key_ok =
            self.key == key || (self.key.is_empty() && self.op() == TolerationOperator::Exists);
        let value_ok = match self.op() {
            TolerationOperator::Exists => true,
            TolerationOperator::Equal => self.value == value,
        };
        effect_ok && key_ok && value_ok
    }

    /// As `kubectl describe` lists it: `key[=value]:effect`, `op=Exists`, ` for Ns`.
    pub fn describe(&self) -> String {
        let mut s = self.key.clone();
        if !self.value.is_empty() {
            s.push('=');
            s.push_str(&self.value);
        }
        if !self.effect.is_empty() {
            s.push(':');
            s.push_str(&self.effect);
        }
        if self.op() == TolerationOperator::Exists && self.value.is_empty() {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str("op=Exists");
        }
        if let Some(n) = self.seconds {
            s.push_str(&format!(" for {n}s"));
        }
        s
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PodTemplateSpec {
    pub labels: Labels,
    pub annotations: Labels,
    pub spec: PodSpec,
}

/// `spec.progressDeadlineSeconds` when a Deployment does not set it.
pub const DEFAULT_PROGRESS_DEADLINE: i64 = 600;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DeploymentSpec {
    pub replicas: i64,
    pub selector: LabelSelector,
    pub template: PodTemplateSpec,
    /// How long a rollout may go without progress before the Deployment says it failed
    /// (`Progressing` False, `ProgressDeadlineExceeded`); 600 unless set.
    pub progress_deadline_seconds: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Deployment {
    pub meta: ObjectMeta,
    pub spec: DeploymentSpec,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ReplicaSet {
    pub meta: ObjectMeta,
    /// Owning Deployment's name.
    pub owner: String,
    pub replicas: i64,
    pub selector: LabelSelector,
    pub template: PodTemplateSpec,
    pub pod_template_hash: String,
    /// `deployment.kubernetes.io/revision`: the Deployment's rollouts numbered in order; a
    /// ReplicaSet rolled back to takes the next number.
    pub revision: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
}

impl PodPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }
}

/// Where a pod's single simulated container is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContainerState {
    /// Not yet scheduled to a node.
    Unscheduled,
    /// Scheduled; sandbox and image being prepared (`ContainerCreating`).
    Creating,
    /// Scheduled, but `imagePullPolicy: Never` and the node lacks the image: it never starts.
    ErrImageNeverPull,
    /// The last pull of its image failed (the image does not exist).
    ErrImagePull,
    /// Waiting out the back-off before pulling its image again.
    ImagePullBackOff,
    /// Its image is not a reference the kubelet can parse (`busyBOX`, `nginx:`): no pull is tried.
    InvalidImageName,
    Running,
    /// Exited after a delete; the pod object is about to disappear.
    Terminated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodStatus {
    pub phase: PodPhase,
    pub container: ContainerState,
    pub ready: bool,
    pub pod_ip: Option<Ipv4Addr>,
    pub host_ip: Option<Ipv4Addr>,
    pub start_time: Option<Time>,
    pub restarts: i64,
    /// Why the container waits, when the kubelet says more than the reason
    /// (`state.waiting.message`): the pull error, the back-off.
    pub waiting_message: Option<String>,
    /// Failed pulls of the image so far: the kubelet's back-off doubles with each.
    pub pull_failures: u32,
    /// The kubelet's failing readiness probes are under way (one `Unhealthy` a period).
    pub probes_failing: bool,
}

impl ContainerState {
    /// Why a container that is not running yet waits, as `kubectl describe` and the pod's
    /// `status.containerStatuses[].state.waiting.reason` say it.
    pub fn waiting_reason(self) -> &'static str {
        match self {
            ContainerState::ErrImageNeverPull => "ErrImageNeverPull",
            ContainerState::ErrImagePull => "ErrImagePull",
            ContainerState::ImagePullBackOff => "ImagePullBackOff",
            ContainerState::InvalidImageName => "InvalidImageName",
            _ => "ContainerCreating",
        }
    }
}

impl Default for PodStatus {
    fn default() -> Self {
        PodStatus {
            phase: PodPhase::Pending,
            container: ContainerState::Unscheduled,
            ready: false,
            pod_ip: None,
            host_ip: None,
            start_time: None,
            restarts: 0,
            waiting_message: None,
            pull_failures: 0,
            probes_failing: false,
        }
    }
}

/// A learner's fault injections on a pod.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PodFaults {
    /// The readiness probe fails (the learner "broke" the pod).
    pub fail_readiness: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Pod {
    pub meta: ObjectMeta,
    pub spec: PodSpec,
    pub status: PodStatus,
    /// Owning ReplicaSet's name, if any.
    pub owner: Option<String>,
    pub faults: PodFaults,
}

impl Pod {
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(&self.meta.namespace, &self.meta.name)
    }

    /// `spec.tolerations` as the API server stores them: the pod's own, then the two the
    /// DefaultTolerationSeconds admission plugin appends (`node.kubernetes.io/not-ready` and
    /// `/unreachable`, `NoExecute`, `Exists`, 300 s), each unless the pod already has one for
    /// that taint (the same key or none, `NoExecute` or no effect), as `admission.go` decides.
    pub fn admitted_tolerations(&self) -> Vec<Toleration> {
        let mut out = self.spec.tolerations.clone();
        for key in [
            "node.kubernetes.io/not-ready",
            "node.kubernetes.io/unreachable",
        ] {
            let covered = self.spec.tolerations.iter().any(|t| {
                (t.key == key || t.key.is_empty())
                    && (t.effect == "NoExecute" || t.effect.is_empty())
            });
            if !covered {
                out.push(Toleration {
                    seconds: Some(300),
                    ..Toleration::exists(key, "NoExecute")
                });
            }
        }
        out
    }

    pub fn is_terminating(&self) -> bool {
        self.meta.deletion.is_some()
    }

    /// `STATUS` as `kubectl get pods` prints it. A pod being deleted is `Terminating` unless its
    /// phase is already terminal (Succeeded, Failed): then it keeps `Completed` or `Error`, as
    /// `printPod` has it (kubernetes/kubernetes `pkg/printers/internalversion/printers.go`:
    /// `DeletionTimestamp != nil && !IsPodPhaseTerminal(phase)`).
    pub fn status_reason(&self) -> &'static str {
        let terminal = matches!(self.status.phase, PodPhase::Succeeded | PodPhase::Failed);
        if self.is_terminating() && !terminal {
            return "Terminating";
        }
        match (self.status.phase, self.status.container) {
            (PodPhase::Succeeded, _) => "Completed",
            (PodPhase::Failed, _) => "Error",
            (_, ContainerState::Unscheduled) => "Pending",
            (_, ContainerState::Creating) => "ContainerCreating",
            (
                _,
                waiting @ (ContainerState::ErrImageNeverPull
                | ContainerState::ErrImagePull
                | ContainerState::ImagePullBackOff
                | ContainerState::InvalidImageName),
            ) => waiting.waiting_reason(),
            (_, ContainerState::Running) => "Running",
            (_, ContainerState::Terminated) => "Completed",
        }
    }

    /// The container port named `name` with protocol `protocol`, for a named targetPort.
    pub fn find_port(&self, name: &str, protocol: Protocol) -> Option<i64> {
        self.spec
            .containers
            .iter()
            .flat_map(|c| c.ports.iter())
            .find(|p| p.name.as_deref() == Some(name) && p.protocol == protocol)
            .map(|p| p.container_port)
    }

    /// Does some container listen on `port`? svclab assumes a container listens on every
    /// port it declares, and on the ports its image's process opens whatever it declares
    /// ([`ImageProfile`]'s `tcp` and `udp`: nginx on TCP 80, CoreDNS on TCP and UDP 53).
    pub fn listens_on(&self, port: i64, protocol: Protocol) -> bool {
        self.listener(port, protocol).is_some()
    }

    /// The container that serves `port`: the first whose image's process opens it, else the
    /// first that declares it ([`Pod::listens_on`]).
    pub fn listener(&self, port: i64, protocol: Protocol) -> Option<&Container> {
        let opens = |c: &&Container| {
            u16::try_from(port).is_ok_and(|port| {
                let profile = ImageProfile::of(&c.image);
                match protocol {
                    Protocol::Tcp => profile.tcp_ports(&c.args),
                    Protocol::Udp => profile.udp_ports(&c.args),
                    Protocol::Sctp => Vec::new(),
                }
                .contains(&port)
            })
        };
        let declares = |c: &&Container| {
            c.ports
                .iter()
                .any(|p| p.container_port == port && p.protocol == protocol)
        };
        let containers = &self.spec.containers;
        (containers.iter().find(opens)).or_else(|| containers.iter().find(declares))
    }
}

/// `imagePullPolicy`: when the kubelet pulls a container's image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PullPolicy {
    /// Pull on every container start (layers already on the node are not downloaded again).
    Always,
    /// Pull only when the node does not have the image.
    #[default]
    IfNotPresent,
    /// Never pull; the container cannot start on a node without the image.
    Never,
}

impl PullPolicy {
    /// The API server's default: `Always` for `:latest` or an untagged image, else
    /// `IfNotPresent` (an image by digest counts as tagged).
    pub fn default_for(image: &str) -> PullPolicy {
        if image.contains('@') {
            return PullPolicy::IfNotPresent;
        }
        let last = image.rsplit('/').next().unwrap_or(image);
        match last.split_once(':') {
            Some((_, "latest")) | None => PullPolicy::Always,
            Some(_) => PullPolicy::IfNotPresent,
        }
    }

    pub fn parse(text: &str) -> Option<PullPolicy> {
        match text {
            "Always" => Some(PullPolicy::Always),
            "IfNotPresent" => Some(PullPolicy::IfNotPresent),
            "Never" => Some(PullPolicy::Never),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Services

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum ServiceType {
    #[default]
    ClusterIp,
    NodePort,
    LoadBalancer,
    ExternalName,
}

impl ServiceType {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIp => "ClusterIP",
            ServiceType::NodePort => "NodePort",
            ServiceType::LoadBalancer => "LoadBalancer",
            ServiceType::ExternalName => "ExternalName",
        }
    }

    pub fn parse(s: &str) -> Option<ServiceType> {
        match s {
            "ClusterIP" => Some(ServiceType::ClusterIp),
            "NodePort" => Some(ServiceType::NodePort),
            "LoadBalancer" => Some(ServiceType::LoadBalancer),
            "ExternalName" => Some(ServiceType::ExternalName),
            _ => None,
        }
    }
}

/// `externalTrafficPolicy` / `internalTrafficPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TrafficPolicy {
    #[default]
    Cluster,
    Local,
}

impl TrafficPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            TrafficPolicy::Cluster => "Cluster",
            TrafficPolicy::Local => "Local",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePort {
    pub name: Option<String>,
    pub protocol: Protocol,
    pub port: i64,
    /// Defaults to `port` when absent.
    pub target_port: IntOrString,
    /// Set by the allocator for NodePort and LoadBalancer Services.
    pub node_port: Option<i64>,
}

/// The cluster IP of a Service: allocated, headless (`None`), or absent (ExternalName).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterIp {
    Ip(Ipv4Addr),
    /// `clusterIP: None`.
    Headless,
    /// ExternalName Services have no cluster IP.
    NoIp,
}

impl ClusterIp {
    pub fn ip(self) -> Option<Ipv4Addr> {
        match self {
            ClusterIp::Ip(ip) => Some(ip),
            _ => None,
        }
    }

    /// `spec.clusterIP` as the API holds it: the address, `None` for a headless Service, empty
    /// when it has none (ExternalName).
    pub fn spec_value(self) -> String {
        match self {
            ClusterIp::Ip(ip) => ip.to_string(),
            ClusterIp::Headless => "None".into(),
            ClusterIp::NoIp => String::new(),
        }
    }

    /// The CLUSTER-IP column of `kubectl get services`: as [`ClusterIp::spec_value`], but
    /// `<none>` when there is none.
    pub fn column(self) -> String {
        match self {
            ClusterIp::NoIp => "<none>".into(),
            ip => ip.spec_value(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceSpec {
    pub type_: ServiceType,
    /// `None` when the Service has no selector.
    pub selector: Option<Labels>,
    pub ports: Vec<ServicePort>,
    pub cluster_ip: ClusterIp,
    pub external_name: Option<String>,
    /// `sessionAffinity: ClientIP` timeout in seconds; `None` for `None` affinity.
    pub session_affinity_timeout: Option<i64>,
    pub external_traffic_policy: TrafficPolicy,
    pub internal_traffic_policy: TrafficPolicy,
    pub publish_not_ready_addresses: bool,
    pub load_balancer_source_ranges: Vec<String>,
    pub load_balancer_ip: Option<Ipv4Addr>,
    /// `spec.externalIPs`: addresses routed to a node by the network, which kube-proxy
    /// captures like the cluster IP.
    pub external_ips: Vec<Ipv4Addr>,
    /// `spec.healthCheckNodePort`: asked for, or allocated from the NodePort range for a
    /// LoadBalancer with `externalTrafficPolicy: Local`.
    pub health_check_node_port: Option<i64>,
}

impl Default for ServiceSpec {
    fn default() -> Self {
        ServiceSpec {
            type_: ServiceType::ClusterIp,
            selector: None,
            ports: Vec::new(),
            cluster_ip: ClusterIp::NoIp,
            external_name: None,
            session_affinity_timeout: None,
            external_traffic_policy: TrafficPolicy::Cluster,
            internal_traffic_policy: TrafficPolicy::Cluster,
            publish_not_ready_addresses: false,
            load_balancer_source_ranges: Vec::new(),
            load_balancer_ip: None,
            external_ips: Vec::new(),
            health_check_node_port: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ServiceStatus {
    /// LoadBalancer ingress IP; `None` shows as `<pending>`.
    pub load_balancer_ip: Option<Ipv4Addr>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Service {
    pub meta: ObjectMeta,
    pub spec: ServiceSpec,
    pub status: ServiceStatus,
}

impl Service {
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(&self.meta.namespace, &self.meta.name)
    }

    pub fn is_headless(&self) -> bool {
        self.spec.cluster_ip == ClusterIp::Headless
    }

    /// The ports as kubectl's PORT(S) column lists them: `80/TCP`, `80:30080/TCP`, comma-joined;
    /// empty without ports.
    pub fn port_list(&self) -> String {
        self.spec
            .ports
            .iter()
            .map(|p| match p.node_port {
                Some(np) => format!("{}:{np}/{}", p.port, p.protocol.as_str()),
                None => format!("{}/{}", p.port, p.protocol.as_str()),
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints

/// One endpoint of an EndpointSlice, with its conditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub ip: Ipv4Addr,
    pub pod: String,
    pub node: String,
    /// `hostname`: the pod's `spec.hostname` when its `spec.subdomain` names the Service; DNS
    /// then names the endpoint by it instead of its dashed IP.
    pub hostname: Option<String>,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointPort {
    pub name: Option<String>,
    pub port: i64,
    pub protocol: Protocol,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSlice {
    pub meta: ObjectMeta,
    pub service: String,
    pub ports: Vec<EndpointPort>,
    pub endpoints: Vec<Endpoint>,
}

/// One subset of a v1 Endpoints object: addresses sharing the same ports.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EndpointSubset {
    pub addresses: Vec<(Ipv4Addr, String)>,
    pub not_ready_addresses: Vec<(Ipv4Addr, String)>,
    pub ports: Vec<EndpointPort>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Endpoints {
    pub meta: ObjectMeta,
    pub subsets: Vec<EndpointSubset>,
}

// ---------------------------------------------------------------------------------------------
// Namespaces, nodes

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Namespace {
    pub meta: ObjectMeta,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub meta: ObjectMeta,
    pub internal_ip: Ipv4Addr,
    /// `10.244.N.0/24`: the third octet.
    pub pod_cidr_index: u8,
    pub control_plane: bool,
    pub ready: bool,
}

impl Node {
    pub fn pod_cidr(&self) -> String {
        format!("10.244.{}.0/24", self.pod_cidr_index)
    }
}

// ---------------------------------------------------------------------------------------------
// NetworkPolicy

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpBlock {
    pub cidr: String,
    pub except: Vec<String>,
}

/// One `from`/`to` entry. `pod_selector` and `namespace_selector` together mean AND.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyPeer {
    Selectors {
        pod_selector: Option<LabelSelector>,
        namespace_selector: Option<LabelSelector>,
    },
    IpBlock(IpBlock),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyPort {
    pub protocol: Protocol,
    /// `None` means all ports.
    pub port: Option<IntOrString>,
    pub end_port: Option<i64>,
}

/// One ingress or egress rule: an empty `peers` list means "all peers", an empty `ports` list "all ports".
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PolicyRule {
    pub peers: Vec<PolicyPeer>,
    pub ports: Vec<PolicyPort>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NetworkPolicySpec {
    pub pod_selector: LabelSelector,
    pub ingress: Vec<PolicyRule>,
    pub egress: Vec<PolicyRule>,
    pub policy_ingress: bool,
    pub policy_egress: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NetworkPolicy {
    pub meta: ObjectMeta,
    pub spec: NetworkPolicySpec,
}

// ---------------------------------------------------------------------------------------------
// What a manifest can hold

/// One object from a manifest, as the learner wrote it (before defaults and allocation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Object {
    Namespace(Namespace),
    Deployment(Deployment),
    Service(Service),
    Pod(Pod),
    NetworkPolicy(NetworkPolicy),
    /// Written by hand: the endpoints of a Service without a selector.
    EndpointSlice(EndpointSlice),
    /// Written by hand; the EndpointSlice mirroring controller copies it into slices.
    Endpoints(Endpoints),
}

impl Object {
    /// The object's kind in the resource table ([`crate::resource::Kind::name`] is its `kind`).
    pub fn kind(&self) -> crate::resource::Kind {
        use crate::resource::Kind;
        match self {
            Object::Namespace(_) => Kind::Namespace,
            Object::Deployment(_) => Kind::Deployment,
            Object::Service(_) => Kind::Service,
            Object::Pod(_) => Kind::Pod,
            Object::NetworkPolicy(_) => Kind::NetworkPolicy,
            Object::EndpointSlice(_) => Kind::EndpointSlice,
            Object::Endpoints(_) => Kind::Endpoints,
        }
    }

    pub fn meta(&self) -> &ObjectMeta {
        match self {
            Object::Namespace(o) => &o.meta,
            Object::Deployment(o) => &o.meta,
            Object::Service(o) => &o.meta,
            Object::Pod(o) => &o.meta,
            Object::NetworkPolicy(o) => &o.meta,
            Object::EndpointSlice(o) => &o.meta,
            Object::Endpoints(o) => &o.meta,
        }
    }

    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Object::Namespace(o) => &mut o.meta,
            Object::Deployment(o) => &mut o.meta,
            Object::Service(o) => &mut o.meta,
            Object::Pod(o) => &mut o.meta,
            Object::NetworkPolicy(o) => &mut o.meta,
            Object::EndpointSlice(o) => &mut o.meta,
            Object::Endpoints(o) => &mut o.meta,
        }
    }
}
