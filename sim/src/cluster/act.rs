//! The learner's actions other than apply ([`Action`]): scale, set image, rollout undo, delete,
//! label, faults; and replaying a logged run.

use crate::action::{Action, SteadyTraffic, MAX_TRAFFIC_INTERVAL, MIN_TRAFFIC_INTERVAL};
use crate::kube_proxy::ProxyMode;
use crate::model::*;
use crate::resource::Kind;
use crate::time::SECOND;

use crate::validate::FieldError;

use super::kubelet::{is_coredns, readiness_delay};
use super::outcome::{ActError, Outcome};
use super::timers::Timer;
use super::{Cluster, Config, LoggedAction, MAX_REPLICAS};

impl Cluster {
    /// Do what a learner asked. `Ok` says what happened, `Err` why nothing changed; each prints
    /// as kubectl would.
    pub fn act(&mut self, action: Action) -> Result<Outcome, ActError> {
        let logged = action.clone();
        if let Action::Apply { manifest } = action {
            // Apply logs itself, only when every document went in.
            return self
                .apply(&manifest, "STDIN")
                .map(Outcome::Applied)
                .map_err(ActError::Manifest);
        }
        if let Action::ApplyEach { manifest } = action {
            // Logged by `apply_each` when at least one object went in.
            let (applied, errors) = self.apply_each(&manifest, "STDIN");
            return if errors.is_empty() {
                Ok(Outcome::Applied(applied))
            } else {
                Err(ActError::Manifest(errors))
            };
        }
        let result = self.act_inner(action);
        if result.is_ok() && !matches!(logged, Action::Send { .. }) {
            self.log.push(LoggedAction {
                time: self.now,
                action: logged,
            });
            self.reconcile();
            self.revision += 1;
        } else if result.is_ok() {
            self.log.push(LoggedAction {
                time: self.now,
                action: logged,
            });
        }
        result
    }

    fn act_inner(&mut self, action: Action) -> Result<Outcome, ActError> {
        match action {
            // Handled by `act`, which applies and logs it itself.
            Action::Apply { .. } | Action::ApplyEach { .. } => Ok(Outcome::Applied(Vec::new())),
            Action::SetTraffic { traffic } => {
                // A new request at the same pace keeps the pace; else the first goes out now.
                let next = match (&self.traffic, &traffic) {
                    (Some((old, next)), Some(new)) if old.interval == new.interval => *next,
                    _ => self.now,
                };
                self.traffic = traffic.map(|t| {
                    let interval = t.interval.clamp(MIN_TRAFFIC_INTERVAL, MAX_TRAFFIC_INTERVAL);
                    (SteadyTraffic { interval, ..t }, next)
                });
                let on = self.traffic.as_ref().map(|(t, _)| t.interval);
                if on.is_some() && next == self.now {
                    self.advance(0);
                }
                Ok(Outcome::Traffic { interval: on })
            }
            Action::Send { request } => Ok(Outcome::Sent {
                trace: self.send(request),
            }),
            Action::Scale {
                namespace,
                deployment,
                replicas,
            } => {
                if replicas < 0 {
                    return Err(ActError::Invalid {
                        kind: Kind::Deployment,
                        name: deployment,
                        causes: vec![FieldError::new(
                            "spec.replicas",
                            format!(
                                "Invalid value: {replicas}: must be greater than or equal to 0"
                            ),
                        )],
                    });
                }
                if replicas > MAX_REPLICAS {
                    return Err(ActError::TooManyReplicas { replicas });
                }
                let d = self
                    .deployments
                    .get_mut(&ObjectKey::new(&namespace, &deployment))
                    .ok_or_else(|| not_found(Kind::Deployment, &deployment))?;
                d.spec.replicas = replicas;
                Ok(Outcome::Scaled { deployment })
            }
            Action::SetImage {
                namespace,
                deployment,
                images,
            } => {
                let d = self
                    .deployments
                    .get_mut(&ObjectKey::new(&namespace, &deployment))
                    .ok_or_else(|| not_found(Kind::Deployment, &deployment))?;
                let mut template = d.spec.template.clone();
                let containers = &mut template.spec.containers;
                for (container, image) in &images {
                    if container != "*" && !containers.iter().any(|c| &c.name == container) {
                        return Err(ActError::NoContainer {
                            container: container.clone(),
                        });
                    }
                    for (i, c) in containers.iter_mut().enumerate() {
                        if container != "*" && &c.name != container {
                            continue;
                        }
                        if image.is_empty() {
                            return Err(ActError::Invalid {
                                kind: Kind::Deployment,
                                name: deployment,
                                causes: vec![FieldError::new(
                                    format!("spec.template.spec.containers[{i}].image"),
                                    "Required value",
                                )],
                            });
                        }
                        // imagePullPolicy stays as stored (defaulted when the template was
                        // created), as a real patch of the image leaves it.
                        c.image.clone_from(image);
                    }
                }
                // One patch: nothing to patch, nothing printed (kubectl skips an empty patch).
                if template == d.spec.template {
                    return Ok(Outcome::ImageSet {
                        deployment,
                        changed: false,
                    });
                }
                d.spec.template = template;
                d.meta.generation += 1;
                Ok(Outcome::ImageSet {
                    deployment,
                    changed: true,
                })
            }
            Action::RolloutUndo {
                namespace,
                deployment,
                to_revision,
            } => {
                let key = ObjectKey::new(&namespace, &deployment);
                if !self.deployments.contains_key(&key) {
                    return Err(not_found(Kind::Deployment, &deployment));
                }
                let revisions = self.revisions(&key);
                let target = match to_revision.filter(|&r| r != 0) {
                    None if revisions.len() < 2 => {
                        return Err(ActError::NoHistory { deployment });
                    }
                    None => revisions[revisions.len() - 2],
                    Some(r) => *revisions
                        .iter()
                        .find(|rs| rs.revision == r)
                        .ok_or(ActError::NoRevision { revision: r })?,
                };
                let revision = target.revision;
                let mut template = target.template.clone();
                template.labels.remove("pod-template-hash");
                let Some(d) = self.deployments.get_mut(&key) else {
                    return Err(not_found(Kind::Deployment, &deployment));
                };
                if d.spec.template == template {
                    return Ok(Outcome::RollbackSkipped {
                        deployment,
                        revision,
                    });
                }
                d.spec.template = template;
                d.meta.generation += 1;
                Ok(Outcome::RolledBack { deployment })
            }
            Action::DeletePod { namespace, pod } => {
                let key = ObjectKey::new(&namespace, &pod);
                if !self.pods.contains_key(&key) {
                    return Err(not_found(Kind::Pod, &pod));
                }
                self.delete_pod(&key);
                Ok(Outcome::Deleted {
                    kind: Kind::Pod,
                    name: pod,
                })
            }
            Action::Delete {
                kind,
                namespace,
                name,
            } => self.delete_object(kind, &namespace, &name),
            Action::FailReadiness {
                namespace,
                pod,
                fail,
            } => {
                let key = ObjectKey::new(&namespace, &pod);
                let p = self
                    .pods
                    .get_mut(&key)
                    .ok_or_else(|| not_found(Kind::Pod, &pod))?;
                p.faults.fail_readiness = fail;
                let uid = p.meta.uid.clone();
                let delay = readiness_delay(p, fail);
                if fail {
                    self.start_failing_probes(&key);
                }
                self.schedule_timer(
                    self.now + delay,
                    Timer::Readiness {
                        pod: key,
                        uid,
                        ready: !fail,
                    },
                );
                Ok(Outcome::Readiness { pod, fail })
            }
            Action::Label {
                namespace,
                pod,
                key,
                value,
            } => {
                let p = self
                    .pods
                    .get_mut(&ObjectKey::new(&namespace, &pod))
                    .ok_or_else(|| not_found(Kind::Pod, &pod))?;
                match value {
                    Some(v) => {
                        if p.meta.labels.get(&key) == Some(&v) {
                            return Ok(Outcome::NotLabeled { pod });
                        }
                        if let Some(old) = p.meta.labels.get(&key) {
                            return Err(ActError::LabelExists {
                                value: old.clone(),
                                key,
                            });
                        }
                        p.meta.labels.insert(key, v);
                        Ok(Outcome::Labeled { pod })
                    }
                    None => match p.meta.labels.remove(&key) {
                        Some(_) => Ok(Outcome::Unlabeled { pod }),
                        None => Ok(Outcome::LabelNotFound { pod, key }),
                    },
                }
            }
            Action::BreakCoreDns { broken } => {
                self.coredns_broken = broken;
                let coredns: Vec<(ObjectKey, String)> = self
                    .pods
                    .values()
                    .filter(|p| is_coredns(p))
                    .map(|p| (p.key(), p.meta.uid.clone()))
                    .collect();
                for (key, uid) in coredns {
                    if broken {
                        self.start_failing_probes(&key);
                    }
                    let delay = self
                        .pods
                        .get(&key)
                        .map_or(SECOND, |p| readiness_delay(p, broken));
                    self.schedule_timer(
                        self.now + delay,
                        Timer::Readiness {
                            pod: key,
                            uid,
                            ready: !broken,
                        },
                    );
                }
                Ok(Outcome::CoreDns { broken })
            }
            Action::SetProxyMode { mode } => {
                let restarted = mode != self.proxy_mode;
                self.proxy_mode = mode;
                self.proxy.invalidate();
                if restarted && mode == ProxyMode::Ipvs {
                    self.ipvs_deprecation_events();
                }
                Ok(Outcome::ProxyMode(mode))
            }
            Action::Run {
                namespace,
                name,
                image,
                command,
            } => {
                if !self.namespaces.contains_key(&namespace) {
                    return Err(not_found(Kind::Namespace, &namespace));
                }
                let key = ObjectKey::new(&namespace, &name);
                if self.pods.contains_key(&key) {
                    return Err(ActError::AlreadyExists {
                        kind: Kind::Pod,
                        name,
                    });
                }
                let mut meta = ObjectMeta::new(&namespace, &name);
                meta.labels.insert("run".into(), name.clone());
                meta.creation = self.now;
                meta.uid = self.new_uid();
                let pod = Pod {
                    meta,
                    spec: PodSpec {
                        containers: vec![Container {
                            name: name.clone(),
                            image_pull_policy: PullPolicy::default_for(&image),
                            image,
                            command: Vec::new(),
                            args: command,
                            ports: Vec::new(),
                            readiness_probe: None,
                        }],
                        restart_policy: Some("Never".into()),
                        ..Default::default()
                    },
                    status: PodStatus::default(),
                    owner: None,
                    faults: PodFaults::default(),
                };
                self.pods.insert(key, pod);
                Ok(Outcome::PodCreated { pod: name })
            }
        }
    }

    fn delete_object(&mut self, kind: Kind, ns: &str, name: &str) -> Result<Outcome, ActError> {
        let key = ObjectKey::new(ns, name);
        let deleted = || Outcome::Deleted {
            kind,
            name: name.to_string(),
        };
        match kind {
            Kind::Deployment => {
                self.deployments
                    .remove(&key)
                    .ok_or_else(|| not_found(kind, name))?;
                self.progress.remove(&key);
                let sets: Vec<ObjectKey> = self
                    .replica_sets
                    .iter()
                    .filter(|(k, rs)| k.namespace == ns && rs.owner == name)
                    .map(|(k, _)| k.clone())
                    .collect();
                for rs in sets {
                    self.replica_sets.remove(&rs);
                    let pods: Vec<ObjectKey> = self
                        .pods
                        .values()
                        .filter(|p| p.meta.namespace == ns && p.owner.as_deref() == Some(&rs.name))
                        .map(|p| p.key())
                        .collect();
                    for p in pods {
                        self.delete_pod(&p);
                    }
                }
                Ok(deleted())
            }
            Kind::Service => {
                let svc = self
                    .services
                    .remove(&key)
                    .ok_or_else(|| not_found(kind, name))?;
                if let Some(ip) = svc.spec.cluster_ip.ip() {
                    self.service_ips.release(u32::from(ip));
                }
                for p in &svc.spec.ports {
                    if let Some(np) = p.node_port {
                        self.node_ports.release(np as u32);
                    }
                }
                if let Some(hc) = svc.spec.health_check_node_port {
                    self.node_ports.release(hc as u32);
                }
                self.slice_names.remove(&key);
                self.proxy.invalidate();
                Ok(deleted())
            }
            Kind::Pod => {
                if !self.pods.contains_key(&key) {
                    return Err(not_found(kind, name));
                }
                self.delete_pod(&key);
                Ok(deleted())
            }
            Kind::NetworkPolicy => {
                self.network_policies
                    .remove(&key)
                    .ok_or_else(|| not_found(kind, name))?;
                self.proxy.invalidate();
                Ok(deleted())
            }
            Kind::EndpointSlice => {
                self.written_slices
                    .remove(&key)
                    .ok_or_else(|| not_found(kind, name))?;
                Ok(deleted())
            }
            Kind::Endpoints => {
                self.written_endpoints
                    .remove(&key)
                    .ok_or_else(|| not_found(kind, name))?;
                Ok(deleted())
            }
            Kind::Namespace => {
                if matches!(
                    name,
                    "default" | "kube-system" | "kube-public" | "kube-node-lease"
                ) {
                    return Err(ActError::Forbidden {
                        kind,
                        name: name.to_string(),
                    });
                }
                self.namespaces
                    .remove(name)
                    .ok_or_else(|| not_found(kind, name))?;
                self.deployments.retain(|k, _| k.namespace != name);
                self.replica_sets.retain(|k, _| k.namespace != name);
                let services: Vec<ObjectKey> = self
                    .services
                    .keys()
                    .filter(|k| k.namespace == name)
                    .cloned()
                    .collect();
                for s in services {
                    let _ = self.delete_object(Kind::Service, name, &s.name);
                }
                self.network_policies.retain(|k, _| k.namespace != name);
                self.written_slices.retain(|k, _| k.namespace != name);
                self.written_endpoints.retain(|k, _| k.namespace != name);
                let pods: Vec<ObjectKey> = self
                    .pods
                    .keys()
                    .filter(|k| k.namespace == name)
                    .cloned()
                    .collect();
                for p in pods {
                    self.delete_pod(&p);
                }
                Ok(deleted())
            }
            other => Err(ActError::NoResourceType { kind: other }),
        }
    }

    /// Rebuild a world from its config and action log: same seed, same actions, same world.
    pub fn replay(config: Config, log: &[LoggedAction]) -> Cluster {
        let mut c = Cluster::new(config);
        for entry in log {
            if entry.time > c.now {
                c.advance(entry.time - c.now);
            }
            let _ = c.act(entry.action.clone());
        }
        c
    }
}

fn not_found(kind: Kind, name: &str) -> ActError {
    ActError::NotFound {
        kind,
        name: name.to_string(),
    }
}
