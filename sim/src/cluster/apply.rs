//! `kubectl apply`: every document of a manifest, all or nothing (the editor) or one by one
//! (the terminal, as kubectl), with the API server's checks
//! and allocations (cluster IPs, NodePorts, LoadBalancer IPs).

use std::net::Ipv4Addr;

use crate::action::Action;
use crate::ipam::AllocError;
use crate::manifest::{self, FieldError, ManifestError};
use crate::model::*;
use crate::resource::Kind;
use crate::validate;

use super::outcome::{Applied, Change};
use super::{ApplyErrors, Cluster, LoggedAction, MAX_OBJECTS, MAX_REPLICAS};

impl Cluster {
    /// All documents or nothing, as svclab's editor applies its file. `Ok` says what became of
    /// each object (printed `deployment.apps/backend created`); `Err` holds every document's
    /// errors, and nothing changed.
    pub fn apply(&mut self, text: &str, filename: &str) -> Result<Vec<Applied>, ApplyErrors> {
        let docs = manifest::parse(text, filename)?;
        let mut next = self.clone();
        let mut applied = Vec::new();
        let mut errors = Vec::new();
        let mut locator: Option<manifest::Locator> = None;
        for doc in docs {
            match next.apply_document(doc, text, filename, &mut locator) {
                Ok(a) => applied.push(a),
                Err(e) => errors.push(e),
            }
        }
        if next.object_count() > MAX_OBJECTS {
            errors.push(too_many_objects(next.object_count()));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        next.log.push(LoggedAction {
            time: next.now,
            action: Action::Apply {
                manifest: text.to_string(),
            },
        });
        next.reconcile();
        next.revision += 1;
        *self = next;
        Ok(applied)
    }

    /// `kubectl apply -f FILE` as kubectl runs it: each object on its own, in order. The ones
    /// the API server accepts are created or configured (the first list, printed as they go);
    /// the others keep their errors (the second list, printed at the end, and kubectl exits 1).
    /// kubectl collects what its builder could read and then applies each object
    /// (kubernetes/kubernetes `staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go`, v1.31,
    /// `ApplyOptions.Run`: "Iterate through all objects, applying each one").
    pub fn apply_each(&mut self, text: &str, filename: &str) -> (Vec<Applied>, ApplyErrors) {
        let (docs, mut errors) = manifest::parse_each(text, filename);
        let mut applied = Vec::new();
        let mut locator: Option<manifest::Locator> = None;
        for doc in docs {
            if self.object_count() >= MAX_OBJECTS {
                errors.push(too_many_objects(self.object_count() + 1));
                break;
            }
            // An object the API server refuses leaves no allocation behind.
            let saved = (
                self.service_ips.clone(),
                self.node_ports.clone(),
                self.rng.clone(),
            );
            match self.apply_document(doc, text, filename, &mut locator) {
                Ok(a) => applied.push(a),
                Err(e) => {
                    (self.service_ips, self.node_ports, self.rng) = saved;
                    errors.push(e);
                }
            }
        }
        if errors.len() > 1 {
            for e in &mut errors {
                if let Some(m) = aggregated_invalid(e, filename) {
                    e.message = m;
                }
            }
        }
        if !applied.is_empty() {
            self.log.push(LoggedAction {
                time: self.now,
                action: Action::ApplyEach {
                    manifest: text.to_string(),
                },
            });
            self.reconcile();
            self.revision += 1;
        }
        (applied, errors)
    }

    /// One document into the cluster; its errors point at their lines in `text`.
    fn apply_document<'t>(
        &mut self,
        doc: manifest::Document,
        text: &'t str,
        filename: &str,
        locator: &mut Option<manifest::Locator<'t>>,
    ) -> Result<Applied, ManifestError> {
        let (kind, name) = (doc.object.kind(), doc.object.meta().name.clone());
        match self.apply_object(doc.object, filename) {
            Ok(change) => Ok(Applied { kind, name, change }),
            Err(mut e) => {
                // Point each cause at its line in the learner's text.
                e.document = doc.index;
                (e.line, e.column) = (doc.line, 1);
                for f in &mut e.fields {
                    // The learner wrote `spec.clusterIP`; the API server speaks of clusterIPs.
                    let written = match f.path.as_str() {
                        "spec.clusterIPs" | "spec.clusterIPs[0]" => "spec.clusterIP",
                        other => other,
                    };
                    let path = match doc.item {
                        Some(i) => format!("items[{i}].{written}"),
                        None => written.to_string(),
                    };
                    let locator = locator.get_or_insert_with(|| manifest::Locator::new(text));
                    (f.line, f.column) = locator.locate(doc.index, &path).unwrap_or((doc.line, 1));
                }
                if let Some(f) = e.fields.first() {
                    (e.line, e.column) = (f.line, f.column);
                }
                Err(e)
            }
        }
    }

    fn apply_object(&mut self, object: Object, filename: &str) -> Result<Change, ManifestError> {
        let ns = object.meta().namespace.clone();
        let name = object.meta().name.clone();
        if object.kind() != Kind::Namespace && !self.namespaces.contains_key(&ns) {
            return Err(simple_error(validate::namespace_not_found_message(
                filename, &ns,
            )));
        }
        let key = ObjectKey::new(&ns, &name);
        let now = self.now;
        match object {
            Object::Namespace(n) => {
                if self.namespaces.contains_key(&name) {
                    return Ok(Change::Unchanged);
                }
                let labels = n.meta.labels;
                self.create_namespace(&name);
                if let Some(created) = self.namespaces.get_mut(&name) {
                    created.meta.labels.extend(labels);
                }
                Ok(Change::Created)
            }
            Object::Deployment(mut d) => {
                if d.spec.replicas > MAX_REPLICAS {
                    return Err(simple_error(format!(
                        "svclab: spec.replicas is {}: this simulator runs at most {MAX_REPLICAS} replicas per Deployment",
                        d.spec.replicas
                    )));
                }
                match self.deployments.get_mut(&key) {
                    Some(old) => {
                        if old.spec.selector != d.spec.selector {
                            return Err(invalid(
                                Kind::Deployment,
                                &name,
                                validate::selector_immutable(&d.spec.selector),
                            ));
                        }
                        if old.spec == d.spec && old.meta.labels == d.meta.labels {
                            return Ok(Change::Unchanged);
                        }
                        old.spec = d.spec;
                        old.meta.labels = d.meta.labels;
                        old.meta.generation += 1;
                        Ok(Change::Configured)
                    }
                    None => {
                        d.meta.creation = now;
                        d.meta.generation = 1;
                        d.meta.uid = self.new_uid();
                        self.deployments.insert(key, d);
                        Ok(Change::Created)
                    }
                }
            }
            Object::Service(s) => self.apply_service(s, &key),
            Object::Pod(mut p) => match self.pods.get_mut(&key) {
                Some(old) => {
                    if old.spec.containers != p.spec.containers {
                        return Err(invalid(
                            Kind::Pod,
                            &name,
                            validate::forbidden(
                                "spec",
                                "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
                            ),
                        ));
                    }
                    if old.meta.labels == p.meta.labels {
                        return Ok(Change::Unchanged);
                    }
                    old.meta.labels = p.meta.labels;
                    Ok(Change::Configured)
                }
                None => {
                    p.meta.creation = now;
                    p.meta.uid = self.new_uid();
                    p.status = PodStatus::default();
                    self.pods.insert(key, p);
                    Ok(Change::Created)
                }
            },
            Object::EndpointSlice(mut slice) => {
                let old = self.written_slices.get(&key);
                let change = match old {
                    Some(o)
                        if o.ports == slice.ports
                            && o.endpoints == slice.endpoints
                            && o.meta.labels == slice.meta.labels =>
                    {
                        return Ok(Change::Unchanged)
                    }
                    Some(_) => Change::Configured,
                    None => Change::Created,
                };
                (slice.meta.creation, slice.meta.uid) = match old {
                    Some(o) => (o.meta.creation, o.meta.uid.clone()),
                    None => (now, self.new_uid()),
                };
                self.written_slices.insert(key, slice);
                Ok(change)
            }
            Object::Endpoints(mut e) => {
                let old = self.written_endpoints.get(&key);
                let change = match old {
                    Some(o) if o.subsets == e.subsets && o.meta.labels == e.meta.labels => {
                        return Ok(Change::Unchanged)
                    }
                    Some(_) => Change::Configured,
                    None => Change::Created,
                };
                (e.meta.creation, e.meta.uid) = match old {
                    Some(o) => (o.meta.creation, o.meta.uid.clone()),
                    None => (now, self.new_uid()),
                };
                self.written_endpoints.insert(key, e);
                Ok(change)
            }
            Object::NetworkPolicy(mut np) => {
                let change = match self.network_policies.get(&key) {
                    Some(old) if old.spec == np.spec && old.meta.labels == np.meta.labels => {
                        Change::Unchanged
                    }
                    Some(_) => Change::Configured,
                    None => Change::Created,
                };
                if change != Change::Unchanged {
                    np.meta.creation = self
                        .network_policies
                        .get(&key)
                        .map_or(now, |o| o.meta.creation);
                    self.network_policies.insert(key, np);
                    self.proxy.invalidate();
                }
                Ok(change)
            }
        }
    }

    fn apply_service(&mut self, mut s: Service, key: &ObjectKey) -> Result<Change, ManifestError> {
        let name = key.name.clone();
        let old = self.services.get(key).cloned();
        // Cluster IP: kept across re-applies; a new one is allocated (or the one asked for). An
        // ExternalName Service holds none, so one turned into another type gets an IP as a new
        // Service does, and one turned into ExternalName gives its IP back (kubernetes/kubernetes
        // pkg/registry/core/service/storage/alloc.go, updateClusterIPs, cases A and B).
        let old_ip = old
            .as_ref()
            .filter(|o| o.spec.type_ != ServiceType::ExternalName)
            .map(|o| o.spec.cluster_ip);
        match (old_ip, s.spec.cluster_ip) {
            (Some(prev), ClusterIp::NoIp) if s.spec.type_ != ServiceType::ExternalName => {
                s.spec.cluster_ip = prev
            }
            (Some(prev), asked) if prev != asked && s.spec.type_ != ServiceType::ExternalName => {
                let shown = asked.spec_value();
                return Err(invalid(
                    Kind::Service,
                    &name,
                    validate::cluster_ip_immutable(&shown),
                ));
            }
            (Some(_), _) => {}
            (None, ClusterIp::Ip(ip)) => match self.service_ips.allocate(u32::from(ip)) {
                Ok(()) => {}
                Err(AllocError::AlreadyAllocated) => {
                    return Err(invalid(
                        Kind::Service,
                        &name,
                        validate::cluster_ip_already_allocated(ip),
                    ))
                }
                Err(AllocError::OutOfRange) => {
                    return Err(invalid(
                        Kind::Service,
                        &name,
                        validate::cluster_ip_out_of_range(&ip.to_string()),
                    ))
                }
            },
            (None, ClusterIp::NoIp) if s.spec.type_ != ServiceType::ExternalName => {
                let Some(ip) = self.service_ips.allocate_next(&mut self.rng) else {
                    return Err(simple_error(
                        "Internal error occurred: failed to allocate a serviceIP: range is full"
                            .into(),
                    ));
                };
                s.spec.cluster_ip = ClusterIp::Ip(Ipv4Addr::from(ip));
            }
            (None, _) => {}
        }
        if s.spec.type_ == ServiceType::ExternalName {
            s.spec.cluster_ip = ClusterIp::NoIp;
        }
        // NodePorts for NodePort and LoadBalancer Services, kept across re-applies.
        let wants_node_ports = matches!(
            s.spec.type_,
            ServiceType::NodePort | ServiceType::LoadBalancer
        );
        let previous_ports: Vec<i64> = old
            .iter()
            .flat_map(|o| o.spec.ports.iter().filter_map(|p| p.node_port))
            .collect();
        let mut taken: Vec<i64> = Vec::new();
        // Ports of one number (TCP and UDP 53, say) share one NodePort: the one given for any
        // of them, else one allocated for the first (kubernetes/kubernetes
        // pkg/registry/core/service/storage/alloc.go, initNodePorts: "it saves a NodePort").
        let requested: Vec<(i64, i64)> = s
            .spec
            .ports
            .iter()
            .filter_map(|p| p.node_port.map(|np| (p.port, np)))
            .collect();
        let mut by_port: Vec<(i64, i64)> = Vec::new();
        for (i, port) in s.spec.ports.iter_mut().enumerate() {
            if !wants_node_ports {
                port.node_port = None;
                continue;
            }
            let shared = by_port
                .iter()
                .find(|(p, _)| *p == port.port)
                .map(|(_, np)| *np);
            if let Some(np) = shared {
                if port.node_port.is_none() || port.node_port == Some(np) {
                    port.node_port = Some(np);
                    continue;
                }
            } else if port.node_port.is_none() {
                port.node_port = requested
                    .iter()
                    .find(|(p, _)| *p == port.port)
                    .map(|(_, np)| *np);
            }
            let kept = old.as_ref().and_then(|o| {
                o.spec
                    .ports
                    .iter()
                    .find(|p| p.port == port.port && p.protocol == port.protocol)
                    .and_then(|p| p.node_port)
            });
            match port.node_port.or(kept) {
                Some(np) if previous_ports.contains(&np) && !taken.contains(&np) => {
                    port.node_port = Some(np);
                    taken.push(np);
                }
                Some(np) => match self.node_ports.allocate(np as u32) {
                    Ok(()) => {
                        port.node_port = Some(np);
                        taken.push(np);
                    }
                    Err(AllocError::AlreadyAllocated) => {
                        return Err(invalid(
                            Kind::Service,
                            &name,
                            validate::node_port_already_allocated(i, np),
                        ))
                    }
                    Err(AllocError::OutOfRange) => {
                        return Err(invalid(
                            Kind::Service,
                            &name,
                            validate::node_port_out_of_range(i, np),
                        ))
                    }
                },
                None => {
                    let Some(np) = self.node_ports.allocate_next(&mut self.rng) else {
                        return Err(simple_error(
                            "Internal error occurred: failed to allocate a nodePort: range is full"
                                .into(),
                        ));
                    };
                    port.node_port = Some(np as i64);
                    taken.push(np as i64);
                }
            }
            if let Some(np) = port.node_port {
                by_port.push((port.port, np));
            }
        }
        for np in previous_ports {
            if !taken.contains(&np) {
                self.node_ports.release(np as u32);
            }
        }
        // A LoadBalancer with `externalTrafficPolicy: Local` gets a health check node port from
        // the NodePort range (the one asked for, or the one it had), released when it no longer
        // needs one (kubernetes/kubernetes `pkg/registry/core/service/storage/alloc.go`, v1.31,
        // `allocHealthCheckNodePort`).
        let old_hc = old.as_ref().and_then(|o| o.spec.health_check_node_port);
        let wants_hc = s.spec.type_ == ServiceType::LoadBalancer
            && s.spec.external_traffic_policy == TrafficPolicy::Local;
        if wants_hc {
            let hc = match s.spec.health_check_node_port.or(old_hc) {
                Some(h) if Some(h) == old_hc => h,
                Some(h) => match self.node_ports.allocate(h as u32) {
                    Ok(()) => h,
                    Err(e) => {
                        let why = match e {
                            AllocError::AlreadyAllocated => "provided port is already allocated".to_string(),
                            AllocError::OutOfRange => format!(
                                "provided port is not in the valid range. The range of valid ports is {}-{}",
                                validate::NODE_PORT_MIN,
                                validate::NODE_PORT_MAX
                            ),
                        };
                        return Err(simple_error(format!(
                            "Internal error occurred: failed to allocate requested HealthCheck NodePort {h}: {why}"
                        )));
                    }
                },
                None => {
                    match self.node_ports.allocate_next(&mut self.rng) {
                        Some(h) => h as i64,
                        None => return Err(simple_error(
                            "Internal error occurred: failed to allocate a nodePort: range is full"
                                .into(),
                        )),
                    }
                }
            };
            if let Some(prev) = old_hc.filter(|p| *p != hc) {
                self.node_ports.release(prev as u32);
            }
            s.spec.health_check_node_port = Some(hc);
        } else {
            if let Some(prev) = old_hc {
                self.node_ports.release(prev as u32);
            }
            s.spec.health_check_node_port = None;
        }
        // LoadBalancer ingress from the pool, kept while the Service stays a LoadBalancer.
        s.status.load_balancer_ip = if s.spec.type_ == ServiceType::LoadBalancer {
            old.as_ref()
                .and_then(|o| o.status.load_balancer_ip)
                .or_else(|| self.free_lb_ip(s.spec.load_balancer_ip))
        } else {
            None
        };
        let change = match &old {
            Some(o) if o.spec == s.spec && o.meta.labels == s.meta.labels => Change::Unchanged,
            Some(_) => Change::Configured,
            None => Change::Created,
        };
        s.meta.creation = old.as_ref().map_or(self.now, |o| o.meta.creation);
        s.meta.uid = match &old {
            Some(o) => o.meta.uid.clone(),
            None => self.new_uid(),
        };
        if let (ServiceType::ExternalName, Some(ip)) =
            (s.spec.type_, old_ip.and_then(ClusterIp::ip))
        {
            self.service_ips.release(u32::from(ip));
        }
        self.services.insert(key.clone(), s);
        self.proxy.invalidate();
        Ok(change)
    }

    fn free_lb_ip(&self, wanted: Option<Ipv4Addr>) -> Option<Ipv4Addr> {
        let used: Vec<Ipv4Addr> = self
            .services
            .values()
            .filter_map(|s| s.status.load_balancer_ip)
            .collect();
        match wanted {
            Some(ip) => {
                (self.config.load_balancer_pool.contains(&ip) && !used.contains(&ip)).then_some(ip)
            }
            None => self
                .config
                .load_balancer_pool
                .iter()
                .copied()
                .find(|ip| !used.contains(ip)),
        }
    }
}

/// With several errors kubectl prints each as its own error, not as the one Invalid status it
/// describes alone (`The Service "x" is invalid: ...`): `Error from server (Invalid): error when
/// creating "<file>": <Kind.group> "<name>" is invalid: <cause>`, several causes in `[...]`
/// (kubectl's `AddSourceToErr("creating", ...)` around the StatusError's message, printed by
/// `cmdutil.CheckErr` for an aggregate). Objects that fail an update are shown the same way,
/// though kubectl wraps those in the patch it sent.
fn aggregated_invalid(e: &ManifestError, filename: &str) -> Option<String> {
    let rest = e.message.strip_prefix("The ")?;
    let (kind, rest) = rest.split_once(' ')?;
    let (quoted_name, _) = rest.split_once(" is invalid")?;
    let resource = crate::resource::RESOURCES
        .iter()
        .find(|r| r.kind == kind && r.simulated.is_some())?;
    let qualified = match resource.api_version().split_once('/') {
        Some((group, _)) => format!("{kind}.{group}"),
        None => kind.to_string(),
    };
    let causes: Vec<String> = e.fields.iter().map(|f| f.cause()).collect();
    let body = match causes.as_slice() {
        [] => String::new(),
        [one] => format!(": {one}"),
        many => format!(": [{}]", many.join(", ")),
    };
    Some(format!(
        "Error from server (Invalid): error when creating {}: {qualified} {quoted_name} is invalid{body}",
        validate::go_quote(filename)
    ))
}

fn too_many_objects(count: usize) -> ManifestError {
    simple_error(format!(
        "svclab: this cluster holds at most {MAX_OBJECTS} objects; the manifest would make {count}"
    ))
}

fn simple_error(message: String) -> ManifestError {
    ManifestError {
        document: 0,
        line: 1,
        column: 1,
        message,
        fields: Vec::new(),
    }
}

fn invalid(kind: Kind, name: &str, field: FieldError) -> ManifestError {
    ManifestError {
        document: 0,
        line: 1,
        column: 1,
        message: validate::invalid_message(kind.name(), name, std::slice::from_ref(&field)),
        fields: vec![field],
    }
}
