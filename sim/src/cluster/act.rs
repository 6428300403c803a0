//! The learner's actions other than apply ([`Action`]): scale, set image, rollout undo, delete,
//! label, faults; and replaying a logged run.

use crate::action::Action;
use crate::model::*;
use crate::resource::Kind;
use crate::time::SECOND;

use super::kubelet::{is_coredns, readiness_delay};
use super::timers::Timer;
use super::{Cluster, Config, LoggedAction, MAX_REPLICAS};

impl Cluster {
    /// Do what a learner asked. `Ok` holds what kubectl would print; `Err` kubectl's error text,
    /// and then nothing changed.
    pub fn act(&mut self, action: Action) -> Result<Vec<String>, String> {
        let logged = action.clone();
        let result = match action {
            Action::Apply { manifest } => {
                return self.apply(&manifest, "STDIN").map_err(|errors| {
                    errors
                        .iter()
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }
            Action::Send { request } => {
                let id = self.send(request);
                Ok(vec![format!("trace {id}")])
            }
            other => self.act_inner(other),
        };
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

    fn act_inner(&mut self, action: Action) -> Result<Vec<String>, String> {
        match action {
            Action::Apply { .. } | Action::Send { .. } => Ok(Vec::new()),
            Action::Scale {
                namespace,
                deployment,
                replicas,
            } => {
                if replicas < 0 {
                    return Err(format!("error: The Deployment \"{deployment}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"));
                }
                if replicas > MAX_REPLICAS {
                    return Err(format!("svclab: --replicas={replicas}: this simulator runs at most {MAX_REPLICAS} replicas per Deployment"));
                }
                let d = self
                    .deployments
                    .get_mut(&ObjectKey::new(&namespace, &deployment))
                    .ok_or_else(|| format!("Error from server (NotFound): deployments.apps \"{deployment}\" not found"))?;
                d.spec.replicas = replicas;
                Ok(vec![format!("deployment.apps/{deployment} scaled")])
            }
            Action::SetImage {
                namespace,
                deployment,
                images,
            } => {
                let d = self
                    .deployments
                    .get_mut(&ObjectKey::new(&namespace, &deployment))
                    .ok_or_else(|| format!("Error from server (NotFound): deployments.apps \"{deployment}\" not found"))?;
                let mut template = d.spec.template.clone();
                let containers = &mut template.spec.containers;
                for (container, image) in &images {
                    if container != "*" && !containers.iter().any(|c| &c.name == container) {
                        return Err(format!(
                            "error: unable to find container named \"{container}\""
                        ));
                    }
                    for (i, c) in containers.iter_mut().enumerate() {
                        if container != "*" && &c.name != container {
                            continue;
                        }
                        if image.is_empty() {
                            return Err(format!("error: The Deployment \"{deployment}\" is invalid: spec.template.spec.containers[{i}].image: Required value"));
                        }
                        // imagePullPolicy stays as stored (defaulted when the template was
                        // created), as a real patch of the image leaves it.
                        c.image.clone_from(image);
                    }
                }
                // One patch: nothing to patch, nothing printed (kubectl skips an empty patch).
                if template == d.spec.template {
                    return Ok(Vec::new());
                }
                d.spec.template = template;
                d.meta.generation += 1;
                Ok(vec![format!("deployment.apps/{deployment} image updated")])
            }
            Action::RolloutUndo {
                namespace,
                deployment,
                to_revision,
            } => {
                let key = ObjectKey::new(&namespace, &deployment);
                if !self.deployments.contains_key(&key) {
                    return Err(format!(
                        "Error from server (NotFound): deployments.apps \"{deployment}\" not found"
                    ));
                }
                let revisions = self.revisions(&key);
                let target = match to_revision.filter(|&r| r != 0) {
                    None if revisions.len() < 2 => {
                        return Err(format!(
                            "error: no rollout history found for deployment \"{deployment}\""
                        ));
                    }
                    None => revisions[revisions.len() - 2],
                    Some(r) => *revisions
                        .iter()
                        .find(|rs| rs.revision == r)
                        .ok_or_else(|| {
                            format!("error: unable to find specified revision {r} in history")
                        })?,
                };
                let revision = target.revision;
                let mut template = target.template.clone();
                template.labels.remove("pod-template-hash");
                let Some(d) = self.deployments.get_mut(&key) else {
                    return Ok(Vec::new());
                };
                if d.spec.template == template {
                    return Ok(vec![format!("deployment.apps/{deployment} skipped rollback (current template already matches revision {revision})")]);
                }
                d.spec.template = template;
                d.meta.generation += 1;
                Ok(vec![format!("deployment.apps/{deployment} rolled back")])
            }
            Action::DeletePod { namespace, pod } => {
                let key = ObjectKey::new(&namespace, &pod);
                if !self.pods.contains_key(&key) {
                    return Err(format!(
                        "Error from server (NotFound): pods \"{pod}\" not found"
                    ));
                }
                self.delete_pod(&key);
                Ok(vec![format!("pod \"{pod}\" deleted")])
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
                let p = self.pods.get_mut(&key).ok_or_else(|| {
                    format!("Error from server (NotFound): pods \"{pod}\" not found")
                })?;
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
                Ok(vec![format!(
                    "pod/{pod}: readiness probe now {}",
                    if fail { "fails" } else { "passes" }
                )])
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
                    .ok_or_else(|| {
                        format!("Error from server (NotFound): pods \"{pod}\" not found")
                    })?;
                match value {
                    Some(v) => {
                        if p.meta.labels.get(&key) == Some(&v) {
                            return Ok(vec![format!("pod/{pod} not labeled")]);
                        }
                        if p.meta.labels.contains_key(&key) {
                            return Err(format!(
                                "error: '{key}' already has a value ({}), and --overwrite is false",
                                p.meta.labels[&key]
                            ));
                        }
                        p.meta.labels.insert(key, v);
                    }
                    None => {
                        if p.meta.labels.remove(&key).is_none() {
                            return Ok(vec![format!(
                                "label \"{key}\" not found.\npod/{pod} unlabeled"
                            )]);
                        }
                    }
                }
                Ok(vec![format!("pod/{pod} labeled")])
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
                Ok(vec![if broken {
                    "CoreDNS broken: its pods keep running but fail their readiness probe and answer no queries".into()
                } else {
                    "CoreDNS mended".into()
                }])
            }
            Action::SetProxyMode { mode } => {
                self.proxy_mode = mode;
                self.proxy.invalidate();
                Ok(vec![format!("kube-proxy mode: {}", mode.as_str())])
            }
            Action::Run {
                namespace,
                name,
                image,
                command,
            } => {
                if !self.namespaces.contains_key(&namespace) {
                    return Err(format!(
                        "Error from server (NotFound): namespaces \"{namespace}\" not found"
                    ));
                }
                let key = ObjectKey::new(&namespace, &name);
                if self.pods.contains_key(&key) {
                    return Err(format!(
                        "Error from server (AlreadyExists): pods \"{name}\" already exists"
                    ));
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
                Ok(vec![format!("pod/{name} created")])
            }
        }
    }

    fn delete_object(&mut self, kind: Kind, ns: &str, name: &str) -> Result<Vec<String>, String> {
        let key = ObjectKey::new(ns, name);
        let not_found = |resource: &str| {
            format!("Error from server (NotFound): {resource} \"{name}\" not found")
        };
        match kind {
            Kind::Deployment => {
                self.deployments
                    .remove(&key)
                    .ok_or_else(|| not_found("deployments.apps"))?;
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
                Ok(vec![format!("deployment.apps \"{name}\" deleted")])
            }
            Kind::Service => {
                let svc = self
                    .services
                    .remove(&key)
                    .ok_or_else(|| not_found("services"))?;
                if let Some(ip) = svc.spec.cluster_ip.ip() {
                    self.service_ips.release(u32::from(ip));
                }
                for p in &svc.spec.ports {
                    if let Some(np) = p.node_port {
                        self.node_ports.release(np as u32);
                    }
                }
                self.slice_names.remove(&key);
                self.proxy.invalidate();
                Ok(vec![format!("service \"{name}\" deleted")])
            }
            Kind::Pod => {
                if !self.pods.contains_key(&key) {
                    return Err(not_found("pods"));
                }
                self.delete_pod(&key);
                Ok(vec![format!("pod \"{name}\" deleted")])
            }
            Kind::NetworkPolicy => {
                self.network_policies
                    .remove(&key)
                    .ok_or_else(|| not_found("networkpolicies.networking.k8s.io"))?;
                self.proxy.invalidate();
                Ok(vec![format!(
                    "networkpolicy.networking.k8s.io \"{name}\" deleted"
                )])
            }
            Kind::Namespace => {
                if matches!(
                    name,
                    "default" | "kube-system" | "kube-public" | "kube-node-lease"
                ) {
                    return Err(format!("Error from server (Forbidden): namespaces \"{name}\" is forbidden: this namespace may not be deleted"));
                }
                self.namespaces.remove(name).ok_or_else(|| {
                    format!("Error from server (NotFound): namespaces \"{name}\" not found")
                })?;
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
                let pods: Vec<ObjectKey> = self
                    .pods
                    .keys()
                    .filter(|k| k.namespace == name)
                    .cloned()
                    .collect();
                for p in pods {
                    self.delete_pod(&p);
                }
                Ok(vec![format!("namespace \"{name}\" deleted")])
            }
            other => Err(format!(
                "error: the server doesn't have a resource type \"{}\"",
                other.singular()
            )),
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
