//! What a manifest said that the model cannot hold ([`Written`]): which optional fields it wrote
//! ([`Present`]) and the causes found while reading it, each filed at a [`Slot`]; and [`Check`],
//! which merges those causes into validation's own, in the API server's order.

use crate::netpol::Direction;

use super::FieldError;

/// Facts from a manifest that the typed model has no room for. Objects built in code validate with
/// `Written::default()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// For an object read from a manifest: the optional fields it wrote whose presence changes
    /// what is checked. `None` for objects built in code.
    pub present: Option<Present>,
    /// Causes found while reading values the model cannot hold, each with the place where the API
    /// server reports it; [`validate_with`](super::validate_with) merges them in there.
    pub causes: Vec<(Slot, FieldError)>,
}

impl Written {
    /// Did the manifest write the field `field` picks? `None` for objects built in code.
    pub fn wrote(&self, field: fn(&Present) -> bool) -> Option<bool> {
        self.present.as_ref().map(field)
    }

    /// Does a cause sit at exactly this slot?
    pub fn has_cause(&self, slot: Slot) -> bool {
        self.causes.iter().any(|(s, _)| *s == slot)
    }
}

/// The optional fields whose presence, and not only their value, matters to validation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Present {
    /// A Deployment's `spec.selector`.
    pub selector: bool,
    /// A Service's `spec.sessionAffinityConfig`.
    pub session_affinity_config: bool,
    /// A Service's `spec.externalIPs`, with at least one address.
    pub external_ips: bool,
    /// A Service's `spec.externalTrafficPolicy`, not empty.
    pub external_traffic_policy: bool,
}

/// A place in the API server's validation order where it reports causes that only the manifest
/// reader can see (a value the model cannot hold). Each slot names the field it stands for; the
/// fields of a pod spec are relative to it (`spec` in a Pod, `spec.template.spec` in a
/// Deployment), and list items carry their index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// `spec`, after its fields: `minReadySeconds`, `revisionHistoryLimit`,
    /// `progressDeadlineSeconds` (Deployment), `trafficDistribution` (Service).
    Spec,
    /// A Deployment's `spec.selector`: an operator the model cannot hold.
    Selector,
    /// A Deployment's `spec.selector` as `LabelSelectorAsSelector` converts it.
    SelectorAsSelector,
    /// A Deployment's `spec.strategy`.
    Strategy,
    /// The pod spec's `volumes`.
    Volumes,
    /// The pod spec's `dnsPolicy`.
    DnsPolicy,
    /// The pod spec's `hostname` and `subdomain`.
    Hostname,
    /// The pod spec's `tolerations`.
    Tolerations,
    /// A field of the pod spec's `containers[container]`.
    Container {
        container: usize,
        field: ContainerField,
    },
    /// A field of `containers[container].ports[port]` in the pod spec.
    ContainerPort {
        container: usize,
        port: usize,
        field: PortField,
    },
    /// The pod spec's containers' host ports, each used once (checked after every container).
    HostPortConflicts,
    /// A Service's `spec.type`.
    Type,
    /// A field of a Service's `spec.ports[port]`.
    ServicePort { port: usize, field: PortField },
    /// A Service's `spec.sessionAffinity`.
    SessionAffinity,
    /// A Service's `spec.clusterIPs`, where `clusterIP`, `ipFamilies` and `ipFamilyPolicy` are
    /// reported too.
    ClusterIps,
    /// A Service's `spec.externalIPs`.
    ExternalIps,
    /// A Service's `spec.externalTrafficPolicy`.
    ExternalTrafficPolicy,
    /// A Service's `spec.healthCheckNodePort`.
    HealthCheckNodePort,
    /// A Service's `spec.internalTrafficPolicy`.
    InternalTrafficPolicy,
    /// A Service's `spec.allocateLoadBalancerNodePorts`.
    AllocateLoadBalancerNodePorts,
    /// A NetworkPolicy's `spec.podSelector`.
    PodSelector,
    /// A NetworkPolicy's `spec.ingress[rule]` or `spec.egress[rule]`, after its ports and peers.
    PolicyRule { direction: Direction, rule: usize },
    /// The `protocol` of `ports[port]` in a NetworkPolicy rule.
    PolicyPort {
        direction: Direction,
        rule: usize,
        port: usize,
    },
    /// `from[peer]` or `to[peer]` in a NetworkPolicy rule, or one of its selectors.
    PolicyPeer {
        direction: Direction,
        rule: usize,
        peer: usize,
        field: PeerField,
    },
    /// A NetworkPolicy's `spec.policyTypes`.
    PolicyTypes,
    /// An EndpointSlice's `addressType`, `endpoints` and `ports`, or an Endpoints' `subsets`:
    /// every cause after the metadata's.
    Endpoints,
}

/// The fields of a container that have a [`Slot`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerField {
    TerminationMessagePolicy,
    Env,
    VolumeMounts,
    ImagePullPolicy,
    Lifecycle,
    LivenessProbe,
    /// `readinessProbe`: its handler and `initialDelaySeconds`.
    ReadinessProbe,
    /// `readinessProbe.timeoutSeconds`.
    ReadinessProbeTimeout,
    /// `readinessProbe.successThreshold`: the thresholds and `terminationGracePeriodSeconds`.
    ReadinessProbeSuccessThreshold,
    StartupProbe,
    RestartPolicy,
}

/// The fields of a container's or a Service's port that have a [`Slot`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortField {
    Protocol,
    /// A container port's `hostPort`.
    HostPort,
    /// A Service port's `appProtocol`.
    AppProtocol,
}

/// A NetworkPolicy peer, or one of its selectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerField {
    Peer,
    PodSelector,
    NamespaceSelector,
}

/// Collects causes in order, merging in the manifest's causes at their slots.
pub(super) struct Check<'w> {
    errs: Vec<FieldError>,
    pub(super) written: &'w Written,
    used: Vec<bool>,
}

impl<'w> Check<'w> {
    pub(super) fn new(written: &'w Written) -> Self {
        Check {
            errs: Vec::new(),
            written,
            used: vec![false; written.causes.len()],
        }
    }

    pub(super) fn push(&mut self, e: FieldError) {
        self.errs.push(e);
    }

    pub(super) fn extend(&mut self, es: Vec<FieldError>) {
        self.errs.extend(es);
    }

    /// Emit the manifest's causes filed under `slot`, in the order they were filed.
    pub(super) fn slot(&mut self, slot: Slot) {
        for (i, (s, e)) in self.written.causes.iter().enumerate() {
            if !self.used[i] && *s == slot {
                self.used[i] = true;
                self.errs.push(e.clone());
            }
        }
    }

    /// The causes in order; the manifest's causes that no slot took come last.
    pub(super) fn finish(mut self) -> Vec<FieldError> {
        for (i, (_, e)) in self.written.causes.iter().enumerate() {
            if !self.used[i] {
                self.errs.push(e.clone());
            }
        }
        self.errs
    }
}
